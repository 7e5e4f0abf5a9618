"""The décision de classement of a meublé (arrêté du 2 août 2010, art. 6; D324-6): one page shown inside the meublé."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from .base import A4, BOLD, ReportError, build_pdf, para, styles
from .blocks import body_heading, date_fr, decor_for, display_facts, party_text
from .data import ReportData

WIDTH = A4[0] - 30 * mm - 12  # the frame's width less its 6 pt paddings
STARS_STYLE = ParagraphStyle("stars", fontName=BOLD, fontSize=40, leading=46, alignment=TA_CENTER)
DISPLAY_NOTICE = ("Conformément à l'article D324-6 du code du tourisme, le loueur ou son mandataire doit afficher "
                  "cette décision de classement de manière visible à l'intérieur du meublé.")


def decision_id(data: ReportData, issued_on: dt.date) -> str:
    """The number stored on the acquired decision; else DC-<year of the classement>-<short visit id>, e.g.
    DC-2026-E1A28975 (a draft, or a classement acquired before numbers were stored)."""
    if data.decision_number:
        return data.decision_number
    from ..services.meuble_decisions import decision_number

    return decision_number(data.visit_id, (data.acquired_on or data.issued_on or issued_on).year)


def _category(data: ReportData) -> int:
    cat = data.proposed_category if data.proposed_category is not None else data.requested_category
    return int(cat or 0)


def stars_text(category: int) -> str:
    return "★" * category


def category_words(category: int) -> str:
    return f"{category} étoile" + ("s" if category > 1 else "")




def _signature(data: ReportData, issued_on: dt.date) -> Table:
    st = styles()
    who = data.signatory or "Le représentant de l'organisme"
    cell = [para(f"Fait le {date_fr(issued_on)}, pour {data.organisation.name}", st["body"]),
            para(who, st["cell_bold"]), Spacer(0, 20 * mm), para("Signature et cachet", st["small"])]
    t = Table([["", cell]], colWidths=[WIDTH * 0.45, WIDTH * 0.55])
    t.setStyle(TableStyle([("BOX", (1, 0), (1, 0), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def render_decision(data: ReportData, *, issued_on: dt.date, draft: bool = False) -> bytes:
    """The décision de classement as PDF bytes; only for a classement acquired, unless `draft` (marked everywhere)."""
    if data.grid.kind != "meubles":
        raise ReportError("La décision de classement concerne le classement des meublés de tourisme.")
    if data.kind not in ("classement", "renouvellement"):
        raise ReportError("Seule une visite de classement ou de renouvellement donne lieu à une décision de "
                          "classement (une visite-conseil n'en produit pas).")
    if data.state != "acquired" and not draft:
        raise ReportError(f"La visite est « {data.state} » : la décision de classement s'édite une fois le classement "
                          "acquis (quinze jours après la réception du certificat de visite, sans refus du loueur).")
    category = _category(data)
    if not 1 <= category <= 5:
        raise ReportError("Aucune catégorie de classement n'a été proposée pour cette visite : pas de décision de "
                          "classement.")
    st = styles()
    number = decision_id(data, issued_on)
    est = data.establishment
    story: list[Any] = [*body_heading(data, WIDTH), Spacer(0, 6 * mm)]
    if draft:
        story.append(para("PROJET — document sans valeur", st["warning"]))
    story += [
        para("Décision de classement d'un meublé de tourisme", st["title"]),
        para(f"Décision n° {number}", st["h3"]),
        para("Vu le code du tourisme, notamment ses articles L324-1 et D324-1 à D324-6 ; vu l'arrêté du 2 août 2010 "
             "modifié fixant les normes et la procédure de classement des meublés de tourisme ; vu le certificat de "
             f"visite émis le {date_fr(data.issued_on)}, reçu par le loueur ou son mandataire le "
             f"{date_fr(data.received_on)} et non refusé dans le délai de quinze jours,", st["small"]),
        Spacer(0, 4 * mm),
        para("le meublé de tourisme désigné ci-dessous est classé dans la catégorie :", st["center"]),
        Spacer(0, 2 * mm),
        para(stars_text(category), STARS_STYLE),
        para(category_words(category), st["big_center"]),
        Spacer(0, 5 * mm),
        display_facts(WIDTH, [
            ("Loueur", party_text(data.owner.name, data.owner.lines)),
            ("Mandataire", party_text(data.mandataire.name, data.mandataire.lines) or "Aucun"),
            ("Meublé", party_text(data.establishment_name or est.name, est.lines)),
            ("Capacité d'accueil", f"{data.capacity} personne" + ("s" if (data.capacity or 0) > 1 else "")
             if data.capacity else "—"),
            ("Numéro de déclaration", data.declaration_number or "—"),
            ("Date de classement", date_fr(data.acquired_on)),
            ("Valable jusqu'au", f"{date_fr(data.valid_until)} inclus (classement prononcé pour cinq ans)"),
            ("Organisme", party_text(data.organisation.name, (data.accreditation,) if data.accreditation else ())),
        ]),
        Spacer(0, 5 * mm),
        para(DISPLAY_NOTICE, st["warning"]),
        Spacer(0, 5 * mm),
        _signature(data, issued_on),
    ]
    if data.warnings:
        story += [Spacer(0, 3 * mm), *[para(f"Avertissement d'édition : {w}", st["small"]) for w in data.warnings]]
    decor = decor_for(data, "Décision de classement", number, issued_on)
    if draft:
        decor = dataclasses.replace(decor, warning=("PROJET — classement non acquis, document sans valeur. "
                                                    + decor.warning).strip())
    return build_pdf(story, decor, author=data.organisation.name, subject=f"Visite {data.visit_id}")
