"""The procès-verbal of a session of the labels commission: members, agenda, decisions per dossier, totals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

from .base import A4, PageDecor, build_pdf, para, styles
from .blocks import date_fr, key_values, signature_box, table
from .pictograms import FAMILY_NAMES

WIDTH = A4[0] - 30 * mm - 12
TITLE = "Procès-verbal de la commission"
OUTCOME_WORDS = {"granted": "accordé", "refused": "refusé", "adjourned": "ajourné"}
FAMILY_OUTCOME = {"granted": "accordée", "refused": "refusée", "adjourned": "ajournée"}
STATUS_WORDS = {"acquired": "attribué", "refused": "refusé", "adjourned": "ajourné"}
LABEL_SHORT = {"tourisme_handicap": "Tourisme & Handicap", "chambre_hotes_reference": "Chambre d'hôtes Référence",
               "accueil_velo": "Accueil Vélo"}
VISIT_WORDS = {"th_primo": "primo-visite", "th_renouvellement": "visite de renouvellement",
               "accueil_velo": "visite d'audit", "chambre_hotes_reference": "visite d'audit"}
QUORUM_LINE = ("Quorum : non vérifié par Inspector (aucune règle de quorum ne figure dans les textes de référence "
               "dont dispose le logiciel).")


@dataclass(frozen=True)
class MinutesData:
    """A session (services.commission.SessionInfo), its agenda (AgendaItem, decided or not), the agency."""

    session: Any
    items: tuple[Any, ...]
    organisation: dict[str, str]
    colleges: dict[str, str]


def minutes_id(session: Any) -> str:
    return f"PV-{session.held_on:%Y%m%d}-{session.id[:4].upper()}"


def _members(data: MinutesData) -> list[Any]:
    st = styles()
    out: list[Any] = []
    members = list(data.session.members)
    if not members:
        return [para("Aucun membre n'est enregistré pour cette séance.", st["body"])]
    rows: list[list[Any]] = [[para(x, st["cell_bold"]) for x in ("Collège", "Membre", "Organisme", "Présence")]]
    for code, title in data.colleges.items():
        for m in (m for m in members if m.college == code):
            rows.append([para(title, st["cell"]), para(m.name, st["cell"]), para(m.body or "—", st["cell"]),
                         para("présent(e)" if m.present else "excusé(e)", st["cell"])])
    out.append(table(rows, [WIDTH * 0.30, WIDTH * 0.25, WIDTH * 0.30, WIDTH * 0.15], zebra=True))
    counts = []
    for code, title in data.colleges.items():
        present = sum(1 for m in members if m.college == code and m.present)
        total = sum(1 for m in members if m.college == code)
        if total:
            counts.append(f"{title} : {present} présent(s) sur {total}")
    present = sum(1 for m in members if m.present)
    out += [Spacer(0, 2 * mm),
            para(f"Membres présents : {present} sur {len(members)} ({' ; '.join(counts)}).", st["body"]),
            para(QUORUM_LINE, st["small"])]
    return out


def _family_table(decision: Any) -> Any:
    st = styles()
    rows: list[list[Any]] = [[para(x, st["cell_bold"]) for x in ("Famille", "Proposition", "Décision",
                                                                 "Motivation", "Motif du refus")]]
    for f in decision.family_decisions:
        mark = " (écart)" if f.departs else ""
        rows.append([para(f.label, st["cell"]), para(FAMILY_OUTCOME.get(f.proposal, f.proposal), st["cell"]),
                     para(FAMILY_OUTCOME.get(f.outcome, f.outcome) + mark, st["cell_bold" if f.departs else "cell"]),
                     para(f.motivation or "—", st["cell"]), para(f.refusal_reason or "—", st["cell"])])
    return table(rows, [WIDTH * 0.13, WIDTH * 0.13, WIDTH * 0.16, WIDTH * 0.29, WIDTH * 0.29])


def _item(n: int, item: Any) -> list[Any]:
    st = styles()
    d = item.decision
    head = f"{n}. {item.establishment_name} ({item.commune or '—'}) — {LABEL_SHORT.get(item.label, item.label)}"
    visit = VISIT_WORDS.get(item.visit_kind, item.visit_kind)
    submitted = item.submitted_at.date() if item.submitted_at else None
    pairs = [("Dossier", f"{visit}, dossier {item.visit_id[:8].upper()}, soumis le {date_fr(submitted)}"),
             ("Évaluateurs", ", ".join(item.evaluators) or "—")]
    if item.label == "tourisme_handicap":
        pairs.append(("Familles demandées", ", ".join(FAMILY_NAMES.get(f, f) for f in item.families) or "—"))
    if item.typology:
        pairs.append(("Typologie / filière", item.typology))
    pairs.append(("Proposition calculée", item.proposal))
    if d is None:
        pairs.append(("Décision", "non encore prise"))
    else:
        pairs.append(("Décision", f"n° {d.number} — {STATUS_WORDS.get(d.status, d.status)}"
                                  + (f" : {d.notice}" if d.notice else "")))
        if d.status == "acquired":
            pairs.append(("Validité", f"du {date_fr(d.valid_from or d.decided_on)} au {date_fr(d.valid_until)}"))
        if d.label != "tourisme_handicap":
            if d.motivation:
                pairs.append(("Motivation", d.motivation))
            if d.refusal_reason:
                pairs.append(("Motif du refus", d.refusal_reason))
        elif d.motivation and not any(f.motivation for f in d.family_decisions):
            pairs.append(("Motivation", d.motivation))
    if item.notes:
        pairs.append(("Observations", item.notes))
    block: list[Any] = [para(head, st["h3"]), key_values(pairs, WIDTH)]
    if d is not None and d.label == "tourisme_handicap" and d.family_decisions:
        block += [Spacer(0, 1.5 * mm), _family_table(d)]
    return [CondPageBreak(40 * mm), KeepTogether(block[:2]), *block[2:], Spacer(0, 4 * mm)]


def _totals(items: tuple[Any, ...]) -> list[Any]:
    st = styles()
    decided = [i.decision for i in items if i.decision is not None]
    by = {s: sum(1 for d in decided if d.status == s) for s in ("acquired", "refused", "adjourned")}
    families = sum(len(d.families) for d in decided if d.label == "tourisme_handicap" and d.status == "acquired")
    departs = sum(1 for d in decided for f in d.family_decisions if f.departs and f.outcome != "adjourned") + sum(
        1 for d in decided if d.label != "tourisme_handicap" and d.status != "adjourned" and d.outcome != d.proposal)
    rows = [[para(x, st["cell_bold"]) for x in ("Dossiers examinés", "Attribués", "Refusés", "Ajournés",
                                                "Familles T&H accordées", "Écarts à la proposition")],
            [para(str(x), st["cell"]) for x in (len(items), by["acquired"], by["refused"], by["adjourned"],
                                                families, departs)]]
    undecided = len(items) - len(decided)
    out: list[Any] = [table(rows, [WIDTH / 6] * 6)]
    if undecided:
        out.append(para(f"{undecided} dossier(s) sans décision à ce stade.", st["warning"]))
    return out


def render_minutes(data: MinutesData, *, draft: bool = False, generated_on: dt.date | None = None) -> bytes:
    """The procès-verbal as PDF bytes; `draft` marks every page until the session is closed."""
    st = styles()
    s = data.session
    org = data.organisation
    labels = ", ".join(LABEL_SHORT.get(c, c) for c in s.labels) or "—"
    when = generated_on or (s.closed_at.date() if s.closed_at else s.held_on)
    present = [m for m in s.members if m.present]
    excused = [m for m in s.members if not m.present]
    story: list[Any] = [para(org.get("name", ""), st["h3"])]
    story += [para(x, st["small"]) for x in (org.get("address") or "").split("\n") if x.strip()]
    story.append(Spacer(0, 4 * mm))
    if draft:
        story.append(para("PROJET — séance non close, procès-verbal sans valeur", st["warning"]))
    story += [
        para(f"Procès-verbal de la séance du {date_fr(s.held_on)}", st["title"]),
        para("Commission Tourisme & Handicap" if tuple(s.labels) == ("tourisme_handicap",)
             else f"Commission des labels — {labels}", st["h2"]),
        key_values([("Date", date_fr(s.held_on)), ("Lieu", s.place or "—"),
                    ("Président(e) de séance", s.chair or "non désigné(e)"),
                    ("Labels examinés", labels),
                    ("Membres", f"{len(present)} présent(s), {len(excused)} excusé(s)")], WIDTH),
        para("Membres", st["h2"]),
        *_members(data),
        para("Ordre du jour et décisions", st["h2"]),
    ]
    if not data.items:
        story.append(para("Aucun dossier n'était inscrit à l'ordre du jour.", st["body"]))
    for n, item in enumerate(data.items, 1):
        story += _item(n, item)
    story += [CondPageBreak(60 * mm), para("Récapitulatif", st["h2"]), *_totals(data.items)]
    if s.notes:
        story += [para("Observations de la séance", st["h2"]), para(s.notes, st["body"])]
    story += [Spacer(0, 6 * mm),
              KeepTogether([para(f"Fait à {s.place or '…'}, le {date_fr(s.held_on)}.", st["body"]),
                            Spacer(0, 2 * mm),
                            signature_box(f"Le/la président(e) de séance : {s.chair or '…'}", None, WIDTH * 0.5)])]
    warning = "PROJET — séance non close, document sans valeur" if draft else ""
    decor = PageDecor(agency=org.get("name", ""), title=f"{TITLE} du {date_fr(s.held_on)}", document_id=minutes_id(s),
                      generated_on=date_fr(when), warning=warning)
    return build_pdf(story, decor, author=org.get("name", ""), subject=f"Séance {s.id}")
