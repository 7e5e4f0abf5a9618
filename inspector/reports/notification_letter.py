"""The letter notifying an establishment of the commission's decision on its label (one page, French).

Printed from the recorded decision (services.label_decisions), never from the computed proposal: families granted
(with their symbols), number and validity; families refused with the reason; what an adjournment waits for; the
commission's motivation wherever it departed from the evaluation's proposal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus.flowables import TopPadder

from .base import A4, ReportError, build_pdf, para, styles
from .blocks import body_heading, date_fr, decor_for, party_text
from .data import ReportData
from .pictograms import DRAWN_NOTICE, FAMILY_NAMES, official_image, pictogram, uses_drawn

WIDTH = A4[0] - 30 * mm - 12
TITLE = "Notification de décision"
OBJECT_WORDS = {"tourisme_handicap": "Label Tourisme & Handicap",
                "chambre_hotes_reference": "Qualification Chambre d'hôtes Référence",
                "accueil_velo": "Marque Accueil Vélo"}
THE_LABEL = {"tourisme_handicap": "le label Tourisme & Handicap",
             "chambre_hotes_reference": "la qualification Chambre d'hôtes Référence",
             "accueil_velo": "la marque Accueil Vélo"}
VISIT_WORDS = {"th_primo": "primo-visite", "th_renouvellement": "visite de renouvellement",
               "accueil_velo": "visite d'audit", "chambre_hotes_reference": "visite d'audit"}


@dataclass(frozen=True)
class LetterContext:
    """What the letter needs beyond the visit: the session and the agency's pictograms folder."""

    session_date: dt.date | None = None
    session_place: str = ""
    pictograms: Path | None = None


def letter_id(data: ReportData) -> str:
    decision = data.label_decision
    return f"NOTIF-{decision.number}" if decision is not None and decision.number else f"NOTIF-{data.short_id}"


def _validity(decision: Any) -> str:
    start = decision.valid_from or decision.decided_on
    years = f" ({decision.validity_years} ans)" if decision.validity_years else ""
    return f"du {date_fr(start)} au {date_fr(decision.valid_until)} inclus{years}"


def _pictograms(families: tuple[str, ...], names: dict[str, str], folder: Path | None) -> Table:
    st = styles()
    size = 24 * mm
    cells = []
    for code in families:
        flow = pictogram(code, size=size, folder=folder, caption=names.get(code))
        if official_image(folder, code) is not None:  # official image: caption under it
            flow = [flow, para(names.get(code, FAMILY_NAMES.get(code, code)), st["center"])]
        cells.append(flow)
    t = Table([cells], colWidths=[size + 8 * mm] * len(cells), hAlign="CENTER")
    t.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def _addressee(data: ReportData) -> Table:
    st = styles()
    owner = data.owner
    lines = [para(x, st["body"]) for x in party_text(owner.name if owner.name != "—" else "", owner.lines)
             .split("\n") if x]
    if data.establishment_name and data.establishment_name != owner.name:
        lines.append(para(f"Établissement : {data.establishment_name}", st["small"]))
    t = Table([["", lines or [para("Exploitant non renseigné", st["body"])]]],
              colWidths=[WIDTH * 0.52, WIDTH * 0.48])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (1, 0), (1, 0), 0)]))
    return t


def _signature(data: ReportData) -> Table:
    st = styles()
    cell = [para(f"Pour {data.organisation.name},", st["body"]),
            para(data.signatory or "Le représentant de l'organisme", st["cell_bold"])]
    if data.signatory_title:
        cell.append(para(data.signatory_title, st["small"]))
    cell.append(Spacer(0, 16 * mm))
    t = Table([["", cell]], colWidths=[WIDTH * 0.5, WIDTH * 0.5])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def _body(data: ReportData, decision: Any, ctx: LetterContext) -> list[Any]:
    st = styles()
    label = decision.label
    the_label = THE_LABEL.get(label, "le label")
    session = ctx.session_date or decision.decided_on
    where = f" à {ctx.session_place}" if ctx.session_place.strip() else ""
    visit = VISIT_WORDS.get(data.kind, "visite")
    name = data.establishment_name if "«" in data.establishment_name else f"« {data.establishment_name} »"
    out: list[Any] = [para(
        f"Lors de sa séance du {date_fr(session)}{where}, la commission a examiné votre demande concernant "
        f"{the_label} pour l'établissement {name}, au vu du rapport de la {visit} du "
        f"{date_fr(data.visited_on)} et de l'avis des évaluateurs.", st["body"]), Spacer(0, 3 * mm)]
    names = {f.code: f.label for f in decision.family_decisions}
    refused = [f for f in decision.family_decisions if f.outcome == "refused"]
    adjourned = [f for f in decision.family_decisions if f.outcome == "adjourned"]
    departs = [f for f in decision.family_decisions if f.departs and f.motivation]
    if decision.status == "acquired":
        if label == "tourisme_handicap":
            out += [para(f"La commission a décidé d'attribuer {the_label} à votre établissement pour "
                         f"{len(decision.families)} famille(s) de handicap : "
                         + ", ".join(names.get(c, c) for c in decision.families) + ".", st["body"]),
                    Spacer(0, 3 * mm), _pictograms(tuple(decision.families), names, ctx.pictograms),
                    Spacer(0, 3 * mm)]
        else:
            out.append(para(f"La commission a décidé d'attribuer {the_label} à votre établissement.", st["body"]))
        out += [para(f"Décision n° {decision.number} du {date_fr(decision.decided_on)}.", st["h3"]),
                para(f"Validité : {_validity(decision)}.", st["h3"])]
        if label == "chambre_hotes_reference":
            out.append(para("Vous trouverez ci-joint l'attestation de qualification.", st["body"]))
    elif decision.status == "refused":
        out.append(para(f"La commission a décidé de ne pas attribuer {the_label} "
                        f"(décision n° {decision.number} du {date_fr(decision.decided_on)}).", st["body"]))
        if decision.notice and label == "tourisme_handicap" and decision.families:
            out.append(para(decision.notice, st["body"]))
        if label != "tourisme_handicap" and decision.refusal_reason:
            out.append(para(f"Motif du refus : {decision.refusal_reason}", st["body"]))
    else:
        expected = decision.motivation or "; ".join(f"{f.label} : {f.motivation}" for f in adjourned
                                                    if f.motivation)
        out.append(para(f"La commission a décidé d'ajourner sa décision (n° {decision.number} du "
                        f"{date_fr(decision.decided_on)}). Votre dossier sera réexaminé lors d'une prochaine séance.",
                        st["body"]))
        if adjourned and label == "tourisme_handicap" and len(adjourned) < len(decision.family_decisions):
            out.append(para("Familles ajournées : " + ", ".join(f.label for f in adjourned) + ".", st["body"]))
        if expected:
            out.append(para(f"Éléments attendus : {expected}", st["body"]))
    if refused and label == "tourisme_handicap":
        out += [Spacer(0, 2 * mm), para("Familles non accordées :", st["cell_bold"])]
        out += [para(f"• {f.label} : {f.refusal_reason or 'motif non précisé'}", st["body"]) for f in refused]
    if departs:
        out += [Spacer(0, 2 * mm), para("La commission s'est écartée de la proposition issue de la grille "
                                        "d'évaluation :", st["cell_bold"])]
        out += [para(f"• {f.label} — {'accordée' if f.outcome == 'granted' else 'refusée'} : {f.motivation}",
                     st["body"]) for f in departs if f.outcome != "adjourned"]
    elif label != "tourisme_handicap" and decision.outcome != decision.proposal and decision.motivation \
            and decision.status != "adjourned":
        out += [Spacer(0, 2 * mm), para(f"La commission s'est écartée de la proposition issue de la grille "
                                        f"d'évaluation : {decision.motivation}", st["body"])]
    return out


def render_notification(data: ReportData, *, issued_on: dt.date, draft: bool = False,
                        context: LetterContext | None = None) -> bytes:
    """The notification letter of the decision recorded on a label visit, as PDF bytes."""
    decision = data.label_decision
    if decision is None:
        raise ReportError("Aucune décision n'est enregistrée pour ce dossier : pas de lettre de notification.")
    if issued_on < decision.decided_on:
        raise ReportError(f"La date de la lettre ({date_fr(issued_on)}) précède la décision du "
                          f"{date_fr(decision.decided_on)}.")
    ctx = context or LetterContext()
    st = styles()
    session = ctx.session_date or decision.decided_on
    obj = f"{OBJECT_WORDS.get(decision.label, 'Label')} — décision de la commission du {date_fr(session)}"
    story: list[Any] = [*body_heading(data, WIDTH), Spacer(0, 6 * mm), _addressee(data), Spacer(0, 6 * mm)]
    if draft:
        story.append(para("PROJET — document sans valeur", st["warning"]))
    story += [
        para(f"Le {date_fr(issued_on)}", st["body"]),
        Spacer(0, 3 * mm),
        para(f"<b>Objet :</b> {obj}", st["body"], markup=True),
        para(f"Réf. : décision n° {decision.number} — dossier {data.short_id}", st["small"]),
        Spacer(0, 5 * mm),
        para("Madame, Monsieur,", st["body"]),
        Spacer(0, 2 * mm),
        *_body(data, decision, ctx),
        Spacer(0, 4 * mm),
        para("Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
             st["body"]),
        Spacer(0, 4 * mm),
        KeepTogether([_signature(data)]),
    ]
    if data.replaces_note:
        story += [Spacer(0, 3 * mm), para(data.replaces_note, st["small"])]
    foot = []
    if decision.label == "tourisme_handicap" and decision.status == "acquired" and uses_drawn(
            tuple(decision.families), ctx.pictograms):
        foot.append(para(DRAWN_NOTICE, st["small"]))
    if foot:
        story.append(TopPadder(Table([[foot]], colWidths=[WIDTH], style=TableStyle(
            [("LINEABOVE", (0, 0), (-1, 0), 0.4, colors.grey)]))))
    decor = decor_for(data, TITLE + " — " + OBJECT_WORDS.get(decision.label, "Label"), letter_id(data), issued_on)
    if draft:
        decor = dataclasses.replace(decor, warning=("PROJET — document sans valeur. " + decor.warning).strip())
    return build_pdf(story, decor, author=data.organisation.name, subject=f"Visite {data.visit_id}")
