"""Label reports: Tourisme & Handicap evaluation (per family), Accueil Vélo and Chambre d'hôtes Référence audits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer, Table, TableStyle

from ..grids import conditions
from ..grids.model import Criterion, Grid
from ..i18n import number
from ..scoring.labels import LABEL_KINDS, LabelResult, LevelResult
from ..services.label_prerequisites import COMPUTED, ItineraryFact, Qualification
from .advisory import bullets, local_styles
from .base import A4, HEADER_FILL, ReportError, build_pdf, para, styles
from .blocks import (
    ANSWER_WORDS,
    date_fr,
    decor_for,
    key_values,
    lines_para,
    party_text,
    photo_annex,
    signature_box,
    table,
)
from .data import Party, ReportData

WIDTH = A4[0] - 30 * mm - 12  # the frame's width less its 6 pt paddings
DONE_STATES = frozenset({"completed", "submitted", "issued", "acquired", "refused"})
TITLES = {
    "tourisme_handicap": "Rapport d'évaluation — Tourisme & Handicap",
    "accueil_velo": "Rapport d'audit — Accueil Vélo",
    "chambre_hotes_reference": "Rapport d'audit — Chambre d'hôtes Référence",
}
PREFIXES = {"tourisme_handicap": "TH", "accueil_velo": "AV", "chambre_hotes_reference": "CHR"}
VISIT_WORDS = {"th_primo": "Primo-visite", "th_renouvellement": "Visite de renouvellement",
               "th_conseil": "Visite-conseil", "accueil_velo": "Visite d'audit",
               "chambre_hotes_reference": "Visite d'audit"}
SHORT_STATUS = {"X": "Obl.", "X ONC": "Obl.", "PRQ": "Prér.", "CU": "CU", "R": "Rec.", "O": "Opt.", "NA": "—"}
STATUS_LONG = {"X": "Obligatoire", "X ONC": "Obligatoire", "PRQ": "Prérequis", "CU": "Confort d'usage",
               "R": "Recommandé", "O": "Optionnel", "NA": "Non applicable"}


def label_report_id(data: ReportData) -> str:
    return f"{PREFIXES.get(data.grid.kind, 'LB')}-{data.short_id}-R{data.revision}"


def _pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{number((value * 100).quantize(Decimal('0.1')))} %"


def _applies(crit: Criterion, typology: str | None) -> bool:
    return not crit.typologies or typology in crit.typologies


def _context_value(grid: Grid, context: dict[str, Any], key: str) -> str:
    ck = grid.context_key(key)
    label = ck.label if ck else key
    value = context.get(key, ck.default if ck else None)
    if value is None:
        shown = "non renseigné"
    elif isinstance(value, bool):
        shown = "oui" if value else "non"
    elif isinstance(value, (int, float, Decimal)):
        shown = number(value)
    else:
        shown = (grid.typologies.get(value, value) if key == "typology" else str(value))
    return f"{label} : {shown}"


def _evaluators(data: ReportData) -> str:
    second: Party | None = getattr(data, "second_inspector", None)  # not collected yet: see collect()
    first = party_text(data.inspector.name, (), data.inspector.contact) or "—"
    if data.grid.kind != "tourisme_handicap":
        return first
    other = party_text(second.name, (), second.contact) if second and second.name else "non renseigné dans le dossier"
    return f"{first}\nSecond évaluateur : {other}"


def _provenance(data: ReportData) -> list[Any]:
    st = styles()
    grid = data.grid
    p = grid.provenance
    text = (f"Grille {grid.id}, version {grid.version} — {p.label_fr()}. Source : {p.source_document}. "
            f"Base : {p.legal_basis}" + (f" (applicable depuis le {p.applicable_from})" if p.applicable_from else "")
            + f". Empreinte SHA-256 {grid.sha256}.")
    if p.is_official:
        return [para(text, st["small"]), Spacer(0, 2 * mm)]
    return [para(f"Grille non officielle ({p.label_fr()}) : ce rapport ne vaut pas évaluation officielle.",
                 st["warning"]), para(text, st["small"]), Spacer(0, 2 * mm)]


def _identity(data: ReportData, result: LabelResult) -> Any:
    grid = data.grid
    est = data.establishment
    rows = [
        ("Établissement", party_text(data.establishment_name or est.name, est.lines)),
        ("Exploitant", party_text(data.owner.name, data.owner.lines, data.owner.contact)),
        ("Typologie" if grid.kind != "tourisme_handicap" else "Filière",
         grid.typologies.get(result.typology or "", result.typology or "—")),
    ]
    if grid.kind == "tourisme_handicap":
        rows.append(("Familles demandées", ", ".join(result.levels[lv].label for lv in result.requested)))
    rows += [
        ("Visite", f"{VISIT_WORDS.get(data.kind, data.kind)} du {date_fr(data.visited_on)}"),
        ("Évaluateurs (binôme)" if grid.kind == "tourisme_handicap" else "Auditeur", _evaluators(data)),
        ("Organisme", party_text(data.organisation.name, data.organisation.lines)),
        ("Grille", grid.title),
    ]
    if grid.validity_years:
        rows.append(("Durée de validité", f"{grid.validity_years} ans à compter de la décision"))
    return key_values(rows, WIDTH)


def _km(value: Any) -> str:
    return f"{number(Decimal(str(value)))} km"


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _itinerary_fact(stored: dict[str, Any]) -> tuple[str, str, bool | None, str]:
    """The Accueil Vélo itinerary prerequisite: (prerequisite, facts, met, reason when not met)."""
    limit = stored.get("distance_limit_km")
    strict = stored.get("distance_op") == "<"
    title = "Itinéraire cyclable" + ((" à moins de " if strict else " à ") + _km(limit) + ("" if strict else " au plus")
                                     if isinstance(limit, (int, float)) else "")
    it = ItineraryFact.from_dict(stored.get("itinerary"))
    if it is None:
        return title, "Distance non renseignée.", None, "distance inconnue"
    lines = [f"Itinéraire : « {it.name} »" if it.name else "Itinéraire : non nommé",
             f"Distance : {_km(it.distance_km)}"]
    if it.source == COMPUTED:
        where = (f" ({it.latitude:.5f} ; {it.longitude:.5f})".replace(".", ",")
                 if it.latitude is not None and it.longitude is not None else "")
        lines.append(f"Calculée depuis les coordonnées de l'établissement{where} le {date_fr(it.recorded_on)}")
        if it.files:
            lines.append("Fichiers d'itinéraires : " + ", ".join(it.files))
    else:
        lines.append(f"Saisie par l'auditeur le {date_fr(it.recorded_on)}")
    ok = stored.get("itinerary_ok")
    ok = ok if isinstance(ok, bool) else None
    reason = ""
    if ok is False:
        reason = (f"distance de {_km(it.distance_km)}"
                  + (f", {'égale ou supérieure' if strict else 'supérieure'} à {_km(limit)}"
                     if isinstance(limit, (int, float)) else ""))
    return title, "\n".join(lines), ok, reason


def _qualification_fact(stored: dict[str, Any]) -> tuple[str, str, bool | None, str] | None:
    """The accommodation's classification or label (Accueil Vélo, typology hébergement); None when not applicable."""
    if "qualification" not in stored:
        return None
    q = Qualification.from_dict(stored.get("qualification"))
    if not q.applicable:
        return None
    on = _day(stored.get("on"))
    title = "Hébergement classé ou labellisé" + (f" au {date_fr(on)}" if on else "")
    if q.ok:
        lines = [q.text[:1].upper() + q.text[1:]]
        if q.kind == "label" and q.valid_from:
            lines.append(f"Depuis le {date_fr(q.valid_from)}")
        lines += [f"Également relevé : {x}" for x in q.found if x != q.text]
        return title, "\n".join(lines), True, ""
    found = [x[:1].upper() + x[1:] for x in q.found] or [q.text[:1].upper() + q.text[1:]]
    if not q.found:
        reason = q.text
    else:
        reason = "aucun classement ni label en cours de validité" + (f" au {date_fr(on)}" if on else "")
        if q.valid_until:
            reason += f" (expiré le {date_fr(q.valid_until)})"
    return title, "\n".join(found), False, reason


def _sworn_fact(data: ReportData) -> tuple[str, str, bool | None, str]:
    on, ref = data.sworn_statement_on, data.sworn_statement_ref.strip()
    lines = [f"Déclaration datée du {date_fr(on)}" if on else "Déclaration non datée"]
    if ref:
        lines.append(f"Référence : {ref}")
    return ("Déclaration sur l'honneur de conformité à la réglementation", "\n".join(lines), on is not None,
            "" if on else "date de la déclaration non enregistrée")


def _recorded_facts(data: ReportData) -> list[Any]:
    """The prerequisite facts stored on the visit (Accueil Vélo checks, T&H sworn statement); [] when none."""
    stored = data.prerequisites or {}
    facts: list[tuple[str, str, bool | None, str]] = []
    if "itinerary" in stored:
        facts.append(_itinerary_fact(stored))
    qualification = _qualification_fact(stored)
    if qualification is not None:
        facts.append(qualification)
    if data.sworn_statement_on or data.sworn_statement_ref.strip():
        facts.append(_sworn_fact(data))
    if not facts:
        return []
    st, ls = styles(), local_styles()
    rows: list[list[Any]] = [[para(h, st["cell_bold"]) for h in ("Prérequis", "Constat", "Résultat")]]
    for title, seen, ok, reason in facts:
        verdict: list[Any] = [para({True: "rempli", False: "non rempli"}.get(ok, "non vérifié"), st["cell_bold"])]
        if reason:
            verdict.append(para(f"Motif : {reason}.", st["cell"]))
        rows.append([para(title, st["cell_bold"]), lines_para(seen, st["cell"]), verdict])
    story: list[Any] = [para("Constats enregistrés sur la visite", ls["lead"]),
                        table(rows, [WIDTH * 0.3, WIDTH * 0.44, WIDTH * 0.26])]
    checked = _day(stored.get("checked_on"))
    if checked:
        story += [Spacer(0, 1 * mm),
                  para(f"Prérequis vérifiés le {date_fr(checked)} à partir de la base (classements et labels de "
                       "l'établissement, itinéraires cyclables).", st["small"])]
    return [*story, Spacer(0, 2 * mm)]


def _prerequisites(data: ReportData, result: LabelResult, number_: int) -> list[Any]:
    st, ls = styles(), local_styles()
    story: list[Any] = [para(f"{number_}. Prérequis", ls["h2"])]
    if not result.prerequisites:
        return story + [para("La grille ne fixe pas de prérequis.", st["body"]), *_recorded_facts(data)]
    by_code = {p.code: p for p in data.grid.prerequisites}
    rows: list[list[Any]] = [[para(h, st["cell_bold"]) for h in ("Code", "Prérequis", "Constat", "Respecté")]]
    for p in result.prerequisites:
        keys = list(dict.fromkeys(conditions.keys(by_code[p.code].condition))) if p.code in by_code else []
        seen = "\n".join(_context_value(data.grid, data.context, k) for k in keys) or "—"
        rows.append([para(p.code, st["cell_bold"]), para(p.text, st["cell"]),
                     para("<br/>".join(seen.split("\n")), st["cell"], markup=True),
                     para("oui" if p.ok else "NON", st["cell_bold"])])
    story += [table(rows, [WIDTH * 0.14, WIDTH * 0.38, WIDTH * 0.36, WIDTH * 0.12]), Spacer(0, 2 * mm),
              *_recorded_facts(data)]
    story.append(para("Tous les prérequis sont remplis." if result.prerequisites_ok else
                      "Au moins un prérequis n'est pas rempli : aucune attribution ne peut être proposée.",
                      st["body"]))
    return story


def _texts(grid: Grid, codes: tuple[str, ...]) -> list[str]:
    return [f"{c} — {grid.criterion(c).text}" for c in codes]


def _family_status(x: LevelResult) -> str:
    if x.unanswered:
        return "Provisoire"
    return "Validée" if x.passed else "Non validée"


def _th_results(data: ReportData, result: LabelResult, number_: int) -> list[Any]:
    st, ls = styles(), local_styles()
    grid = data.grid
    threshold = Decimal(str(result.settings["confort_threshold"]))
    header = ["Famille", "Obligatoires remplis", "Confort d'usage", f"Seuil {_pct(threshold)}", "Non concernés",
              "Résultat"]
    rows: list[list[Any]] = [[para(h, st["cell_bold"]) for h in header]]
    for lv in result.requested:
        x = result.levels[lv]
        cu = f"{x.confort_met}/{x.confort_total} ({_pct(x.confort_ratio)})" if x.confort_total else "aucun critère"
        rows.append([para(x.label, st["cell_bold"]), para(f"{x.mandatory_met}/{x.mandatory_total}", st["cell"]),
                     para(cu, st["cell"]), para("atteint" if x.confort_ok else "non atteint", st["cell"]),
                     para(str(len(x.not_concerned)), st["cell"]), para(_family_status(x), st["cell_bold"])])
    t = table(rows, [WIDTH * 0.16, WIDTH * 0.18, WIDTH * 0.2, WIDTH * 0.14, WIDTH * 0.14, WIDTH * 0.18])
    story: list[Any] = [para(f"{number_}. Résultats par famille", ls["h2"]),
                        para("Règle (arrêté du 18 avril 2024, annexe 1) : pour chaque famille demandée, tous les "
                             f"critères obligatoires remplis et au moins {_pct(threshold)} des critères de confort "
                             f"d'usage ; le label suppose au moins {result.settings['min_families']} familles "
                             "validées. Les critères « non concerné » sortent du calcul.", st["body"]),
                        Spacer(0, 2 * mm), t, Spacer(0, 3 * mm)]
    passed = [result.levels[lv].label for lv in result.passed_levels]
    story.append(para("Familles validées : " + (", ".join(passed) if passed else "aucune") + ".", st["h3"]))
    for lv in result.requested:
        x = result.levels[lv]
        items: list[str] = []
        if x.failed_mandatory:
            items += [f"obligatoire non rempli : {t}" for t in _texts(grid, x.failed_mandatory)]
        if not x.confort_ok:
            items.append(f"confort d'usage {_pct(x.confort_ratio)} ({x.confort_met}/{x.confort_total}), sous le "
                         f"seuil de {_pct(threshold)}")
        if x.not_concerned:
            items.append("non concerné(s) : " + ", ".join(x.not_concerned))
        if x.unanswered:
            items.append("sans réponse : " + ", ".join(x.unanswered))
        if items:
            story += [para(f"{x.label} — {_family_status(x).lower()}", ls["lead"]), *bullets(items)]
    return story


def _single_results(data: ReportData, result: LabelResult, number_: int) -> list[Any]:
    """Accueil Vélo / Chambre d'hôtes Référence: mandatory criteria, then the optional rule."""
    st, ls = styles(), local_styles()
    grid = data.grid
    level = result.requested[0]
    x = result.levels[level]
    story: list[Any] = []
    for title, statuses in (("Critères obligatoires", ("X", "X ONC", "PRQ")), ("Critères optionnels", ("O",))):
        rows: list[list[Any]] = [[para(h, st["cell_bold"]) for h in ("N°", "Critère", "Résultat", "Commentaire")]]
        for crit in grid.criteria:
            if not _applies(crit, result.typology) or crit.status_for(level) not in statuses:
                continue
            rows.append([para(crit.code, st["cell_bold"]), para(crit.text, st["cell"]),
                         para(_single_answer(data, x, crit, mandatory=statuses[0] == "X"), st["cell_bold"]),
                         para(_comment(data, crit.code), st["cell"])])
        story.append(para(f"{number_}. {title}", ls["h2"]))
        number_ += 1
        if len(rows) == 1:
            story.append(para("Aucun pour cette typologie.", st["body"]))
        else:
            story += [table(rows, [WIDTH * 0.1, WIDTH * 0.5, WIDTH * 0.16, WIDTH * 0.24], zebra=True),
                      Spacer(0, 2 * mm)]
        if statuses[0] == "X":
            story.append(para(f"Obligatoires remplis : {x.mandatory_met}/{x.mandatory_total}." + (
                " Non remplis : " + ", ".join(x.failed_mandatory) + "." if x.failed_mandatory else ""), st["body"]))
    rule = result.settings.get("optional_rule") or {"kind": "none"}
    story.append(para(f"Règle des optionnels : {_rule_words(rule)}. Remplis : {x.optional_met} sur {x.optional_total} "
                      "— règle " + ("satisfaite." if x.optional_ok else "non satisfaite."), st["body"]))
    return story


def _single_answer(data: ReportData, x: LevelResult, crit: Criterion, *, mandatory: bool) -> str:
    if crit.code in x.not_concerned:
        return "Non concerné"
    if crit.code in x.unanswered:
        return "Sans réponse"
    if mandatory:
        return "Non rempli" if crit.code in x.failed_mandatory else "Rempli"
    a = data.answers.get(crit.code)
    if a is None:
        return "—"
    return {"yes": "Rempli", "no": "Non rempli"}.get(a.value, ANSWER_WORDS.get(a.value, a.value))


def _comment(data: ReportData, code: str) -> str:
    a = data.answers.get(code)
    return a.comment if a is not None else ""


def _rule_words(rule: dict[str, Any]) -> str:
    kind = rule.get("kind", "none")
    if kind == "min_count":
        return f"au moins {rule['value']} critère" + ("s remplis" if int(rule["value"]) > 1 else " rempli")
    if kind == "min_ratio":
        return f"au moins {number(Decimal(str(rule['value'])) * 100)} % des critères"
    return "aucune exigence"


def _proposal(result: LabelResult, number_: int) -> list[Any]:
    st, ls = styles(), local_styles()
    if result.proposed:
        verdict = "Proposition d'attribution"
        if result.kind == "tourisme_handicap":
            verdict += " pour les familles : " + ", ".join(result.levels[lv].label for lv in result.passed_levels)
    elif result.provisional:
        verdict = "Résultat provisoire : des critères sont sans réponse"
    else:
        verdict = "Pas de proposition d'attribution"
    return [para(f"{number_}. Proposition", ls["h2"]), para(verdict + ".", st["h3"]),
            *bullets(list(result.reasons)),
            para("Le résultat calculé est une proposition : la décision (commission ou organisme) est prise et "
                 "enregistrée séparément" + (", famille par famille, et motivée." if result.kind ==
                                             "tourisme_handicap" else "."), st["small"])]


def _decision(data: ReportData) -> list[Any]:
    """The decision recorded on the proposal (services.label_decisions), when there is one."""
    d = getattr(data, "label_decision", None)
    if d is None:
        return []
    st = styles()
    words = {"acquired": "attribution", "refused": "refus", "adjourned": "ajournement"}.get(d.status, d.status)
    items = [f"{f.label} : {({'granted': 'accordée', 'refused': 'refusée', 'adjourned': 'ajournée'}).get(f.outcome)}"
             + (f" (motif : {f.refusal_reason})" if f.refusal_reason else "")
             + (f" — s'écarte de la proposition : {f.motivation}" if f.departs and f.motivation else "")
             for f in d.family_decisions]
    story: list[Any] = [para(f"Décision n° {d.number} du {date_fr(d.decided_on)}"
                             + (f" ({d.decided_by})" if d.decided_by else "") + f" : {words}.", st["h3"])]
    if d.notice:
        story.append(para(d.notice, st["body"]))
    story += bullets(items)
    if d.motivation:
        story.append(para(f"Motivation : {d.motivation}", st["body"]))
    if d.valid_until:
        story.append(para(f"Valable du {date_fr(d.valid_from)} au {date_fr(d.valid_until)} inclus.", st["body"]))
    return story


def _opinion(data: ReportData, number_: int) -> list[Any]:
    st, ls = styles(), local_styles()
    title = "Avis motivé des évaluateurs" if data.grid.kind == "tourisme_handicap" else "Observations de l'auditeur"
    story: list[Any] = [para(f"{number_}. {title}", ls["h2"])]
    if data.observations_text.strip():
        story += [para(line, st["body"]) for line in data.observations_text.strip().split("\n")]
    else:
        box = Table([[para("(à rédiger)", st["small"])]], colWidths=[WIDTH], rowHeights=[35 * mm])
        box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(box)
    return story


def _signatures(data: ReportData) -> Table:
    half = WIDTH / 2 - 4 * mm
    if data.grid.kind == "tourisme_handicap":
        second: Party | None = getattr(data, "second_inspector", None)
        left = signature_box(f"Évaluateur : {data.inspector.name}", data.inspector_signature, half)
        right = signature_box("Second évaluateur" + (f" : {second.name}" if second and second.name else ""), None,
                              half)
    else:
        left = signature_box(f"L'auditeur : {data.inspector.name}", data.inspector_signature, half)
        right = signature_box("L'exploitant", None, half)
    return Table([[left, right]], colWidths=[WIDTH / 2, WIDTH / 2])


def _referential(data: ReportData, result: LabelResult) -> list[Any]:
    """The criteria evaluated, in the grid's order, with their status per level (families for T&H)."""
    st, ls = styles(), local_styles()
    grid = data.grid
    levels = list(result.requested)
    header = ["N°", "Critère", *[result.levels[lv].label for lv in levels]]
    code_w = WIDTH * 0.08
    level_w = WIDTH * (0.1 if len(levels) > 1 else 0.18)
    text_w = WIDTH - code_w - level_w * len(levels)
    rows: list[list[Any]] = [[para(h, st["cell_bold"]) for h in header]]
    sections = {s.code: s.title for s in grid.sections}
    current = None
    section_rows: list[int] = []
    for crit in grid.criteria:
        if not _applies(crit, result.typology):
            continue
        if crit.section != current:
            current = crit.section
            section_rows.append(len(rows))
            rows.append([para(f"{crit.section} {sections.get(crit.section or '', '')}".strip(), st["cell_bold"]),
                         *[""] * (len(header) - 1)])
        rows.append([para(crit.code, st["cell_bold"]), para(crit.text, st["cell"]),
                     *[para(SHORT_STATUS.get(crit.status_for(lv), crit.status_for(lv)), st["cell"]) for lv in levels]])
    t = table(rows, [code_w, text_w, *[level_w] * len(levels)], zebra=False)
    t.setStyle(TableStyle([cmd for r in section_rows for cmd in (("SPAN", (0, r), (-1, r)),
                                                                  ("BACKGROUND", (0, r), (-1, r), HEADER_FILL))]))
    legend = ", ".join(f"{SHORT_STATUS[k]} = {STATUS_LONG[k].lower()}" for k in ("X", "CU", "O", "R", "NA")
                       if any(c.status_for(lv) == k for c in grid.criteria for lv in levels))
    return [para("Annexe — critères évalués", ls["h2"]),
            para(f"Dans l'ordre de la grille {grid.id}" + (f", typologie « {grid.typologies.get(result.typology, '')} »"
                                                          if result.typology else "") + f". {legend}.", st["small"]),
            t]


def render_label_report(data: ReportData, *, issued_on: dt.date, draft: bool = False) -> bytes:
    """The label evaluation/audit report as PDF bytes; an unfinished visit is refused unless `draft`."""
    if data.grid.kind not in LABEL_KINDS or not isinstance(data.result, LabelResult):
        raise ReportError("Le rapport d'évaluation concerne les labels (Tourisme & Handicap, Accueil Vélo, Chambre "
                          "d'hôtes Référence) ; pour un meublé, éditez le certificat de visite.")
    if data.state not in DONE_STATES and not draft:
        raise ReportError("L'évaluation n'est pas terminée : terminez la visite (tous les critères des familles "
                          "demandées renseignés) avant d'éditer le rapport, ou éditez un projet.")
    st = styles()
    result: LabelResult = data.result
    title = TITLES[data.grid.kind]
    story: list[Any] = [para(title, st["title"]), *_provenance(data)]
    if data.revision > 1:
        story.append(para(f"Révision n° {data.revision} — remplace la version précédente. Motif : "
                          f"{data.revision_reason}", st["warning"]))
    if result.provisional:
        story.append(para("Résultat provisoire : des critères des niveaux demandés sont sans réponse.",
                          st["warning"]))
    story += [_identity(data, result), *_prerequisites(data, result, 1)]
    if data.grid.kind == "tourisme_handicap":
        story += _th_results(data, result, 2)
        n = 3
    else:
        story += _single_results(data, result, 2)
        n = 4
    story += [CondPageBreak(60 * mm), *_proposal(result, n), *_decision(data),
              KeepTogether([*_opinion(data, n + 1), Spacer(0, 5 * mm), _signatures(data)])]
    story += [PageBreak(), *_referential(data, result)]
    if data.photos:
        story += [PageBreak(), para("Annexe — photos", local_styles()["h2"]), *photo_annex(data.photos, WIDTH)]
    if data.warnings:
        story += [para("Avertissements", st["h3"]), *[para(w, st["small"]) for w in data.warnings]]
    decor = decor_for(data, title, label_report_id(data), issued_on, draft)
    return build_pdf(story, decor, author=data.organisation.name, subject=f"Visite {data.visit_id}")
