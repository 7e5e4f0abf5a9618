"""Attestations of a granted label, one page each: Chambre d'hôtes Référence qualification and Accueil Vélo.

Printed from the recorded decision (services.label_decisions), never from the computed proposal: number, date and
validity are the decision's. The grid's provenance is printed at the foot of the page and, for a grid that is not
official, on the page decoration as well.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle
from reportlab.platypus.flowables import TopPadder

from ..grids.model import Grid
from .base import A4, BOLD, ReportError, build_pdf, para, styles
from .blocks import body_heading, date_fr, decor_for, display_facts, party_text
from .data import ReportData

WIDTH = A4[0] - 30 * mm - 12  # the frame's width less its 6 pt paddings
LABEL_STYLE = ParagraphStyle("attestation_label", fontName=BOLD, fontSize=24, leading=30, alignment=TA_CENTER)
KINDS = ("chambre_hotes_reference", "accueil_velo")
TITLES = {"chambre_hotes_reference": "Attestation de qualification Chambre d'hôtes Référence",
          "accueil_velo": "Attestation Accueil Vélo"}
SHORT_TITLES = {"chambre_hotes_reference": "Attestation de qualification", "accueil_velo": "Attestation"}
LABEL_WORDS = {"chambre_hotes_reference": "Chambre d'hôtes Référence", "accueil_velo": "Accueil Vélo"}
ISSUED_ON_GROUNDS = ("Attestation délivrée au vu de la visite et de la décision mentionnées ci-dessus, pour la durée "
                     "de validité indiquée.")
PROVENANCE_WORDS = {"official": "grille officielle", "partial": "grille partielle (contenu officiel incomplet)",
                    "example": "grille d'exemple — non officielle"}


def attestation_id(data: ReportData) -> str:
    """The decision's number (CHR-2026-001, AV-2026-004); a draft without decision says so."""
    decision = data.label_decision
    return decision.number if decision is not None and decision.number else f"PROJET-{data.short_id}"


def provenance_text(grid: Grid) -> str:
    """The grid's identity and provenance, as printed at the foot of the attestation."""
    p = grid.provenance
    words = PROVENANCE_WORDS.get(p.status, p.label_fr())
    text = f"Grille {grid.id}, version {grid.version} — {words}."
    if p.publisher:
        text += f" Éditeur : {p.publisher}."
    if not p.is_official:
        text += (" Cette attestation a été établie avec une grille qui n'est pas la grille officielle : elle ne vaut "
                 "pas " + ("qualification officielle." if grid.kind == "chambre_hotes_reference"
                           else "attribution officielle de la marque."))
    return text + f" Empreinte SHA-256 de la grille : {grid.sha256}."




def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("s" if n > 1 else "")


def _rooms_capacity(data: ReportData) -> str:
    parts = []
    if data.rooms:
        parts.append(_plural(int(data.rooms), "chambre"))
    if data.capacity:
        parts.append(f"{_plural(int(data.capacity), 'personne')} au plus")
    return " — ".join(parts) if parts else "non renseignées"


def _validity(decision: Any) -> str:
    if decision is None or decision.valid_until is None:
        return "—"
    start = decision.valid_from or decision.decided_on
    years = f" ({decision.validity_years} ans)" if decision.validity_years else ""
    return f"du {date_fr(start)} au {date_fr(decision.valid_until)} inclus{years}"


def _decision_text(decision: Any) -> str:
    if decision is None:
        return "aucune décision enregistrée"
    by = f"\n{decision.decided_by}" if decision.decided_by else ""
    return f"n° {decision.number} du {date_fr(decision.decided_on)}{by}"


def _signature(data: ReportData, issued_on: dt.date) -> Table:
    st = styles()
    who = data.signatory or "Le représentant de l'organisme"
    cell = [para(f"Fait le {date_fr(issued_on)}, pour {data.organisation.name}", st["body"]),
            para(who, st["cell_bold"])]
    if data.signatory_title:
        cell.append(para(data.signatory_title, st["small"]))
    cell += [Spacer(0, 18 * mm), para("Signature et cachet", st["small"])]
    t = Table([["", cell]], colWidths=[WIDTH * 0.45, WIDTH * 0.55])
    t.setStyle(TableStyle([("BOX", (1, 0), (1, 0), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def _check(data: ReportData, issued_on: dt.date, draft: bool) -> Any:
    kind = data.grid.kind
    if kind not in KINDS:
        raise ReportError("L'attestation concerne la qualification Chambre d'hôtes Référence et la marque Accueil "
                          "Vélo ; pour une autre visite, éditez son rapport ou sa décision.")
    decision = data.label_decision
    if draft:
        return decision
    if decision is None:
        raise ReportError("Aucune décision n'est enregistrée pour cette visite : l'attestation s'édite une fois la "
                          f"{'qualification' if kind == 'chambre_hotes_reference' else 'marque'} accordée.")
    if decision.status != "acquired":
        words = {"refused": "refusée", "adjourned": "ajournée"}.get(decision.status, decision.status)
        raise ReportError(f"La décision n° {decision.number} est {words} : pas d'attestation.")
    if issued_on < decision.decided_on:
        raise ReportError(f"La date d'émission ({date_fr(issued_on)}) précède la décision du "
                          f"{date_fr(decision.decided_on)}.")
    return decision


def render_attestation(data: ReportData, *, issued_on: dt.date, draft: bool = False) -> bytes:
    """The attestation of a granted Chambre d'hôtes Référence qualification or Accueil Vélo label, as PDF bytes.

    Only once the decision grants it, unless `draft` (marked "PROJET" in the body and on the page).
    """
    decision = _check(data, issued_on, draft)
    kind = data.grid.kind
    st = styles()
    number = attestation_id(data)
    est = data.establishment
    owner = party_text(data.owner.name, data.owner.lines)
    grid = data.grid
    visit = f"la visite d'audit du {date_fr(data.visited_on)}" + (
        f" réalisée par {data.inspector.name}" if data.inspector.name else "")
    applicant = data.owner.name if data.owner.name and data.owner.name != "—" else "l'exploitant"
    decided = (f"la décision n° {decision.number} du {date_fr(decision.decided_on)}" if decision is not None
               else "la décision à venir")
    story: list[Any] = [*body_heading(data, WIDTH), Spacer(0, 6 * mm)]
    if draft:
        story.append(para("PROJET — document sans valeur", st["warning"]))
    if kind == "chambre_hotes_reference":
        story += [
            para(TITLES[kind], st["title"]),
            para(f"Attestation n° {number}", st["h3"]),
            para(f"Vu la demande de qualification présentée par {applicant} ; vu {visit} "
                 f"selon la grille {grid.id} ; vu {decided},", st["small"]),
            Spacer(0, 4 * mm),
            para(f"{data.organisation.name} atteste que la chambre d'hôtes désignée ci-dessous est qualifiée :",
                 st["center"]),
            Spacer(0, 3 * mm),
            para(LABEL_WORDS[kind], LABEL_STYLE),
            Spacer(0, 5 * mm),
            display_facts(WIDTH, [
                ("Chambre d'hôtes", party_text(data.establishment_name or est.name, est.lines)),
                ("Exploitant", owner or "—"),
                ("Chambres et capacité", _rooms_capacity(data)),
                ("Déclaration en mairie", data.declaration_number or "—"),
                ("Décision", _decision_text(decision)),
                ("Validité", _validity(decision)),
                ("Organisme", party_text(data.organisation.name,
                                         (data.accreditation,) if data.accreditation else ())),
            ]),
            Spacer(0, 4 * mm),
            para("La qualification Chambre d'hôtes Référence garantit un niveau minimum de qualité des services et "
                 "des équipements ; ce n'est ni un classement ni un label national. " + ISSUED_ON_GROUNDS,
                 st["small"]),
        ]
    else:
        code = (decision.typology if decision is not None else "") or getattr(data.result, "typology", None) or ""
        typology = grid.typologies.get(code, code or "—")
        story += [
            para(TITLES[kind], st["title"]),
            para(f"Attestation n° {number}", st["h3"]),
            para(f"Vu la demande présentée par {applicant} ; vu {visit} selon la grille "
                 f"{grid.id} ; vu {decided},", st["small"]),
            Spacer(0, 4 * mm),
            para(f"{data.organisation.name} atteste que l'établissement désigné ci-dessous répond aux critères de la "
                 f"marque nationale Accueil Vélo (France Vélo Tourisme) pour la typologie « {typology} » :",
                 st["center"]),
            Spacer(0, 3 * mm),
            para(LABEL_WORDS[kind], LABEL_STYLE),
            Spacer(0, 5 * mm),
            display_facts(WIDTH, [
                ("Établissement", party_text(data.establishment_name or est.name, est.lines)),
                ("Exploitant", owner or "—"),
                ("Typologie", typology),
                ("Décision", _decision_text(decision)),
                ("Validité", _validity(decision)),
                ("Organisme", party_text(data.organisation.name,
                                         (data.accreditation,) if data.accreditation else ())),
            ]),
            Spacer(0, 4 * mm),
            para(ISSUED_ON_GROUNDS, st["small"]),
        ]
    story += [Spacer(0, 5 * mm), _signature(data, issued_on)]
    if data.replaces_note:
        story += [Spacer(0, 3 * mm), para(data.replaces_note, st["small"])]
    # The grid's provenance at the foot of the page (pushed down to the bottom of the frame).
    story.append(TopPadder(para(provenance_text(grid), st["small"] if grid.provenance.is_official
                                else st["warning"])))
    decor = decor_for(data, SHORT_TITLES[kind] + " — " + LABEL_WORDS[kind], number, issued_on)
    if draft:
        decor = dataclasses.replace(decor, warning=("PROJET — décision non enregistrée, document sans valeur. "
                                                    + decor.warning).strip())
    return build_pdf(story, decor, author=data.organisation.name, subject=f"Visite {data.visit_id}")
