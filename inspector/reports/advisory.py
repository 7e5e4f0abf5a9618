"""The report of a visite-conseil, written for the owner: what the target category and the next one still need."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Spacer

from ..i18n import number
from ..scoring.explain import advice
from ..scoring.meubles import CategoryResult, MeublesResult, Outcome
from ..scoring.surfaces import parse_measurements, surface_verdict
from .base import A4, PageDecor, ReportError, build_pdf, para, styles
from .blocks import date_fr, decor_for, key_values, party_text, photo_annex, table
from .data import ReportData

WIDTH = A4[0] - 30 * mm - 12  # the frame's width less its 6 pt paddings
MAX_SUGGESTIONS = 10
DOT_DECIMAL = re.compile(r"(\d)\.(\d)")
NOT_A_DECISION = ("Ce rapport est un conseil. Il ne constitue ni un certificat de visite ni une décision de "
                  "classement : seule une visite de classement, demandée par le loueur à un organisme accrédité ou "
                  "agréé, permet d'obtenir un classement. Les constats peuvent évoluer d'ici là.")


def advisory_id(data: ReportData) -> str:
    return f"VC-{data.short_id}-R{data.revision}"


def points(value: Decimal | int) -> str:
    """« 1 point », « 2,8 points » (French: plural from 2)."""
    return f"{number(value)} point" + ("s" if value >= 2 else "")


def stars(level: str) -> str:
    n = int(level)
    return f"{n} étoile" + ("s" if n > 1 else "") + " " + "★" * n


@lru_cache(maxsize=1)
def local_styles() -> dict[str, ParagraphStyle]:
    """Headings kept with what follows, and bullet items with a hanging indent."""
    st = styles()
    return {"h2": ParagraphStyle("keep_h2", parent=st["h2"], keepWithNext=1),
            "h3": ParagraphStyle("keep_h3", parent=st["h3"], keepWithNext=1),
            "bullet": ParagraphStyle("bullet", parent=st["body"], leftIndent=10, firstLineIndent=-8, spaceAfter=1),
            "lead": ParagraphStyle("lead", parent=st["body"], keepWithNext=1, spaceBefore=3)}


def bullets(items: Sequence[str]) -> list[Any]:
    """A plain bulleted list (one paragraph per item, hanging indent)."""
    return [para(f"•\u00a0{x}", local_styles()["bullet"]) for x in items]


def _criterion(data: ReportData, o: Outcome, tail: str = "") -> str:
    """« n° 47 — Présence de produits d'accueil (3 points) … », with the inspector's remark if any."""
    text = data.grid.criterion(o.code).text
    label = "prérequis" if o.code == "PRQ" else f"n° {o.code}"
    out = f"{label} — {text}"
    if o.points_possible:
        out += f" ({points(o.points_possible - o.points_obtained)})"
    out += tail
    answer = data.answers.get(o.code)
    if answer is not None and answer.comment:
        out += f". Remarque : {answer.comment}"
    return out


def _suggestions(data: ReportData, r: CategoryResult, needed: Decimal) -> tuple[list[Outcome], list[Outcome]]:
    """À-la-carte criteria worth the most points until `needed` is covered; the surface-bound ones apart."""
    chosen: list[Outcome] = []
    surface: list[Outcome] = []
    total = Decimal(0)
    for o in r.alacarte_candidates:
        if not o.answered:  # not observed yet: maybe already there
            continue
        if data.grid.criterion(o.code).measure:
            surface.append(o)
            continue
        if total >= needed or len(chosen) >= MAX_SUGGESTIONS:
            break
        chosen.append(o)
        total += o.points_possible - o.points_obtained
    return chosen, surface


def _summary(data: ReportData, levels: list[str]) -> list[Any]:
    st = styles()
    result: MeublesResult = data.result
    rows: list[list[Any]] = [[para(h, st["cell_bold"]) for h in (
        "Catégorie", "Atteinte ?", "Obligatoires manquants", "Points à la carte manquants")]]
    for level in levels:
        r = result.categories[level]
        missing_x = [o for o in r.failed_onc + r.failed_mandatory + r.failed_prerequisite if o.met is False]
        if r.classable:
            reached = "oui, sous réserve" if r.unanswered else "oui"
        else:
            reached = "pas encore"
        ac = number(r.alacarte_missing) if r.alacarte_missing else "aucun"
        rows.append([para(stars(level), st["cell_bold"]), para(reached, st["cell"]),
                     para(str(len(missing_x)) if missing_x else "aucun", st["cell"]),
                     para(ac + (" (provisoire)" if r.unanswered else ""), st["cell"])])
    out: list[Any] = [para("En bref", local_styles()["h2"]),
                      table(rows, [WIDTH * 0.25, WIDTH * 0.2, WIDTH * 0.3, WIDTH * 0.25]), Spacer(0, 3 * mm)]
    target = levels[0]
    if result.categories[target].unanswered:
        out.append(para("La liste de ce qu'il reste à faire sera complète quand tous les critères auront été "
                        "observés ; ci-dessous, ce qui manque d'après les constats déjà faits.", st["body"]))
    else:
        out += [para(line, st["body"]) for line in advice(data.grid, result, target, max_items=5)]
    return out


def _category_section(data: ReportData, level: str, heading: str) -> list[Any]:
    st, ls = styles(), local_styles()
    result: MeublesResult = data.result
    s = result.settings
    r = result.categories[level]
    ln = r.lines
    factor = Decimal(str(s["compensation_factor"]))
    pct = (Decimal(str(s["mandatory_threshold"])) * 100).normalize()
    quota = (Decimal(str(s["quota"][level])) * 100).normalize()
    story: list[Any] = [para(f"{heading} : {stars(level)}", ls["h2"])]
    unanswered = [o for o in r.outcomes if o.status != "NA" and not o.answered]
    if r.classable and not unanswered:
        verdict = f"Avec les constats de la visite, le meublé atteint la catégorie {stars(level)}."
    elif r.classable:
        verdict = (f"D'après les critères observés, le meublé atteint la catégorie {stars(level)}, sous réserve des "
                   f"{len(unanswered)} critère(s) non encore observé(s) (voir plus bas).")
    else:
        verdict = f"La catégorie {stars(level)} n'est pas encore atteinte. Voici ce qu'il manque."
    story.append(para(verdict, st["h3"]))

    if any(o.met is False for o in r.failed_prerequisite):
        story += [para("Prérequis de surface non respecté", ls["h3"]),
                  para("Un logement d'une seule pièce pour une ou deux personnes doit mesurer au moins 9 m² "
                       "(cuisine séparée) ou 12 m² (coin cuisine) : sans cela, aucun classement n'est possible.",
                       st["body"])]
    onc = [o for o in r.failed_onc if o.met is False]
    if onc:
        story += [para("À corriger en priorité : critères obligatoires non compensables", ls["h3"]),
                  para("Aucun autre critère ne peut les compenser : tant qu'un seul manque, le classement ne peut "
                       "pas être proposé.", ls["lead"]),
                  *bullets([_criterion(data, o) for o in onc])]

    story.append(para("Critères obligatoires", ls["h3"]))
    mandatory = [o for o in r.failed_mandatory if o.met is False]
    rule = (f"Les critères obligatoires applicables à cette catégorie valent {points(ln.a)}. Il faut en obtenir au "
            f"moins {pct:f} %, soit {number(r.compared_b)} : on peut donc en manquer au plus "
            f"{points(ln.a - r.compared_b)}, et chaque point manquant se compense par {number(factor)} points à la "
            "carte.")
    if not mandatory:
        story.append(para(rule + " Tous les critères obligatoires observés sont présents.", st["body"]))
    else:
        missing_pts = sum(o.points_possible for o in mandatory)
        story += [para(rule + f" Manquent aujourd'hui ({points(missing_pts)}) :", ls["lead"]),
                  *bullets([_criterion(data, o, f" : coûte {points(factor * o.points_possible)} à la carte")
                            for o in mandatory])]
        if r.mandatory_ok:
            story.append(para(f"Le seuil de {pct:f} % est respecté ; la compensation coûte {points(ln.d)} à la "
                              "carte (voir ci-dessous).", st["body"]))
        else:
            example = _cover(sorted(mandatory, key=lambda o: -o.points_possible), r.mandatory_missing)
            covered = sum(o.points_possible for o in example) >= r.mandatory_missing
            story.append(para(
                f"Vous avez {points(ln.c)} obligatoires : il faut en mettre en place pour au moins "
                f"{points(r.mandatory_missing)} (" + ("par exemple " if covered else "parmi eux ")
                + ", ".join(f"n° {o.code}" for o in example)
                + ("" if covered else ", et les critères non encore observés") + "). Pour ce manque-là, des points "
                "à la carte ne suffisent pas.", st["body"]))

    story.append(para("Points à la carte", ls["h3"]))
    quota_part = r.compared_g - ln.d
    text = (f"Il faut {points(r.compared_g)} à la carte : {number(quota_part)} pour la catégorie ({quota:f} % des "
            f"{points(ln.e)} à la carte applicables)")
    text += f" et {number(ln.d)} pour compenser les obligatoires manquants. " if ln.d else ". "
    text += f"Vous en avez {number(ln.h)} : "
    text += f"il en manque {number(r.alacarte_missing)}." if r.alacarte_missing else "c'est suffisant."
    story.append(para(text, st["body"]))
    if r.alacarte_missing and ln.d:
        left = max(Decimal(0), quota_part - ln.h)
        story.append(para(
            f"Chaque obligatoire mis en place réduit ce besoin de {number(factor)} fois ses points. Avec tous les "
            f"obligatoires manquants en place, il ne faudrait plus que {points(quota_part)} à la carte : "
            + (f"il en manquerait {number(left)}." if left else "vous les avez déjà."),
            st["body"]))
    if r.alacarte_missing:
        chosen, surface = _suggestions(data, r, r.alacarte_missing)
        if chosen:
            gain = sum((o.points_possible - o.points_obtained for o in chosen), Decimal(0))
            intro = "Sinon, les" if ln.d else "Les"
            story.append(para(f"{intro} critères à la carte qui rapportent le plus" + (
                " (ensemble, ils couvrent le manque) :" if gain >= r.alacarte_missing else
                " (même ensemble, ils ne couvrent pas tout le manque) :"), ls["lead"]))
            story += bullets([_criterion(data, o) for o in chosen])
        if surface and not chosen:
            story.append(para("Piste liée à la surface :", ls["lead"]))
        story += bullets([f"n° {o.code} — {data.grid.criterion(o.code).text} : dépend de la surface du logement, "
                          f"jusqu'à {points(o.points_possible - o.points_obtained)} de plus si elle le permet"
                          for o in surface])
    if unanswered:
        story += [para("Critères non encore observés", ls["h3"]),
                  para("Ces critères n'ont pas été vérifiés pendant la visite ; ils sont comptés comme non obtenus "
                       "ci-dessus : " + ", ".join(o.code for o in unanswered) + ".", st["body"])]
    return story


def _cover(items: list[Outcome], needed: Decimal) -> list[Outcome]:
    """The first items whose points add up to `needed`."""
    out: list[Outcome] = []
    total = Decimal(0)
    for o in items:
        if total >= needed:
            break
        out.append(o)
        total += o.points_possible
    return out


def _surfaces(data: ReportData) -> list[Any]:
    st = styles()
    result: MeublesResult = data.result
    grid = data.grid
    story: list[Any] = [CondPageBreak(60 * mm), para("Surfaces", local_styles()["h2"])]
    rooms = (data.measurements or {}).get("rooms") or []
    header = [para(h, st["cell_bold"]) for h in ("Catégorie", "Surface minimum (critère 1)",
                                                  "Surface majorée (critère 2, à la carte)")]
    rows: list[list[Any]] = [header]
    if rooms:
        m = parse_measurements(data.measurements)
        studio = bool(result.context.get("studio"))
        story.append(para(f"Surface habitable mesurée : {number(m.habitable_m2)} m² (salles d'eau et WC exclus, "
                          "ainsi que les parties sous un plafond de moins de 1,80 m).", st["body"]))
        room_rows = [[para(h, st["cell_bold"]) for h in ("Pièce", "Surface (m²)", "Dont sous 1,80 m (m²)")]]
        room_rows += [[para(r.name, st["cell"]), para(number(r.surface_m2), st["cell"]),
                       para(number(r.low_ceiling_m2) if r.low_ceiling_m2 else "—", st["cell"])] for r in m.rooms]
        story += [table(room_rows, [WIDTH * 0.5, WIDTH * 0.25, WIDTH * 0.25]), Spacer(0, 3 * mm),
                  para("Ce que cette surface permet :", st["body"])]
        for level in grid.level_codes:
            v = surface_verdict(grid, m, level, studio, result.settings)
            minimum = f"{number(v.required_m2)} m² exigés" + (
                f" (tolérance : {number(v.threshold_m2)} m²)" if v.threshold_m2 != v.required_m2 else "")
            minimum += " : respectée" if v.criterion1_met else " : non respectée"
            if v.notes:
                minimum += " — " + " ; ".join(DOT_DECIMAL.sub(r"\1,\2", n) for n in v.notes)
            rows.append([para(stars(level), st["cell_bold"]), para(minimum, st["cell"]),
                         para(f"+{points(v.criterion2_points)}" if v.criterion2_points else "aucun point", st["cell"])])
    else:
        story.append(para("Les surfaces n'ont pas été mesurées pendant cette visite ; d'après les constats de "
                          "l'inspecteur :", st["body"]))
        for level in grid.level_codes:
            by_code = {o.code: o for o in result.categories[level].outcomes}
            c1, c2 = by_code.get("1"), by_code.get("2")
            rows.append([para(stars(level), st["cell_bold"]), para(_verdict(c1), st["cell"]),
                         para(_verdict(c2, graded=True), st["cell"])])
    story.append(table(rows, [WIDTH * 0.2, WIDTH * 0.52, WIDTH * 0.28]))
    return story


def _verdict(o: Outcome | None, graded: bool = False) -> str:
    if o is None or o.status == "NA":
        return "non applicable"
    if not o.answered:
        return "non observée"
    if graded:
        return f"+{points(o.points_obtained)}" if o.points_obtained else "aucun point"
    return "respectée" if o.met else "non respectée"


def render_advisory(data: ReportData, *, issued_on: dt.date, draft: bool = False) -> bytes:
    """The visite-conseil report as PDF bytes (in progress: provisional results marked on every page)."""
    if data.grid.kind != "meubles" or not isinstance(data.result, MeublesResult):
        raise ReportError("Le rapport de visite-conseil concerne les meublés de tourisme.")
    if data.kind != "visite_conseil":
        raise ReportError("Ce rapport est réservé aux visites-conseils ; pour une visite de classement, éditez le "
                          "certificat de visite.")
    if data.state == "planned" and not draft:
        raise ReportError("La visite-conseil n'a pas commencé : aucun constat à rapporter.")
    if data.requested_category is None:
        raise ReportError("Catégorie visée inconnue : indiquez-la sur la visite.")
    st = styles()
    result: MeublesResult = data.result
    target = str(data.requested_category)
    levels = [target]
    if str(int(target) + 1) in data.grid.level_codes:
        levels.append(str(int(target) + 1))
    unanswered = result.categories[target].unanswered
    est = data.establishment
    story: list[Any] = [
        para("Rapport de visite-conseil — meublé de tourisme", st["title"]),
        para(NOT_A_DECISION, st["warning"]),
    ]
    if unanswered:
        codes = ", ".join(unanswered[:12]) + (", …" if len(unanswered) > 12 else "")
        story.append(para(f"Résultats provisoires : {len(unanswered)} critère(s) n'ont pas encore été observés "
                          f"({codes}). Ils sont comptés comme manquants : les conclusions ci-dessous peuvent "
                          "changer.", st["warning"]))
    story.append(key_values([
        ("Propriétaire", party_text(data.owner.name, data.owner.lines, data.owner.contact)),
        ("Meublé", party_text(data.establishment_name or est.name, est.lines)),
        ("Capacité d'accueil", f"{data.capacity} personne(s)" if data.capacity else "—"),
        ("Catégorie visée", stars(target)),
        ("Visite", f"le {date_fr(data.visited_on)}, par {data.inspector.name or '—'} ({data.organisation.name})"),
        ("Grille de référence", f"{data.grid.id}, version {data.grid.version} ({data.grid.provenance.label_fr()})"),
    ], WIDTH))
    story += _summary(data, levels)
    headings = {target: "Objectif", **({levels[1]: "Catégorie supérieure"} if len(levels) > 1 else {})}
    for level in levels:
        story += [CondPageBreak(80 * mm), *_category_section(data, level, headings[level])]
    if len(levels) == 1:
        story.append(para("La catégorie visée est la plus élevée : il n'y a pas de catégorie supérieure.", st["body"]))
    story += [Spacer(0, 4 * mm), *_surfaces(data)]
    story += [para("Remarques du conseiller", local_styles()["h2"]),
              para(data.observations_text or "Aucune remarque complémentaire.", st["body"]),
              para("Et ensuite ?", local_styles()["h2"]),
              para("Quand les travaux et équipements seront en place, demandez une visite de classement. "
                   "L'inspecteur vérifiera de nouveau tous les critères le jour de cette visite : ce rapport ne "
                   "préjuge pas de son résultat.", st["body"])]
    if data.photos:
        story += [PageBreak(), para("Photos", st["h2"]), *photo_annex(data.photos, WIDTH)]
    if data.warnings:
        story += [para("Avertissements", st["h3"]), *[para(w, st["small"]) for w in data.warnings]]
    decor = decor_for(data, "Rapport de visite-conseil", advisory_id(data), issued_on, draft)
    if unanswered:
        decor = _with_warning(decor, f"RÉSULTATS PROVISOIRES — {len(unanswered)} critère(s) non observé(s) ; "
                                     "conclusions susceptibles de changer.")
    return build_pdf(story, decor, author=data.organisation.name, subject=f"Visite {data.visit_id}")


def _with_warning(decor: PageDecor, text: str) -> PageDecor:
    return dataclasses.replace(decor, warning=f"{text} {decor.warning}".strip())
