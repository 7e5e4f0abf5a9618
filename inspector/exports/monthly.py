"""The monthly table of meublé classements that became definitive, for the comité départemental du tourisme.

Arrêté du 2 août 2010, art. 7: « L'organisme transmet mensuellement, par voie électronique, à l'organisme mentionné
à l'article L. 132-2, les décisions de classement devenues définitives, sous la forme d'un tableau récapitulatif. »
No text fixes the columns: the set below follows the repealed 2010 list and is written out in the file's notes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..db.database import Database
from .tables import (
    Column,
    ExportError,
    Period,
    Table,
    organisation_names,
    text,
)

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")

MONTHLY_COLUMNS = (
    Column("number", "N° de décision", width=18),
    Column("owner", "Nom du loueur", width=26),
    Column("mandataire", "Mandataire", width=22),
    Column("address", "Adresse du meublé", width=32),
    Column("postcode", "Code postal", width=11),
    Column("commune", "Commune", width=22),
    Column("email", "Courriel", width=28),
    Column("website", "Site internet", width=18),
    Column("phone", "Téléphone", width=16),
    Column("category", "Catégorie (étoiles)", "int", 11),
    Column("decided_on", "Date d'attribution (classement acquis le)", "date", 16),
    Column("valid_until", "Fin de validité", "date", 14),
    Column("capacity", "Capacité (personnes)", "int", 11),
    Column("declaration_number", "N° de déclaration", width=18),
    Column("organisation", "Organisme", width=28),
)


def parse_month(value: str) -> Period:
    """« 2026-10 » → the days of October 2026; anything else is refused with a message saying the format."""
    match = _MONTH_RE.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ExportError(f"mois « {value} » invalide : format AAAA-MM attendu (ex. 2026-10)")
    return month_period(int(match.group(1)), int(match.group(2)))


def month_period(year: int, month: int) -> Period:
    return Period(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))


def previous_month(today: dt.date) -> Period:
    """The month before `today`'s (what the manager sends on the first working day of a month)."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return month_period(last.year, last.month)


def month_key(period: Period) -> str:
    return f"{period.start.year:04d}-{period.start.month:02d}"


def month_text(period: Period) -> str:
    return f"{MONTHS_FR[period.start.month - 1]} {period.start.year}"


def monthly_notes(period: Period, count: int, organisation: str = "") -> tuple[str, ...]:
    who = f" par {organisation}" if organisation else ""
    return (
        f"Tableau récapitulatif des décisions de classement de meublés de tourisme devenues définitives en "
        f"{month_text(period)}{who} : {count} décision{'s' if count > 1 else ''}.",
        "Transmis mensuellement au comité départemental du tourisme (arrêté du 2 août 2010 modifié, article 7).",
        "Colonnes : aucun texte ne fixe les colonnes de ce tableau ; celles-ci suivent la liste de l'arrêté de 2010 "
        "(abrogée) : nom du loueur et/ou du mandataire, adresse du meublé, courriel, site internet et téléphone du "
        "loueur, nombre d'étoiles, date d'attribution, capacité ; s'y ajoutent le numéro de décision, la fin de "
        "validité, le numéro de déclaration en mairie et l'organisme.",
        "Décision devenue définitive : classement acquis (16e jour après la réception du certificat de visite par "
        "le loueur, sans refus de sa part) dont la date d'acquisition tombe dans le mois. Les refus et les "
        "radiations n'y figurent pas.",
        "Site internet : non enregistré par l'application ; la colonne est laissée vide.",
        "N° de décision : celui de la décision de classement (DC-<année>-<8 premiers caractères de l'identifiant "
        "de la visite>).",
    )


def monthly_decisions(db: Database, period: Period) -> Table:
    """The classements acquired within `period` (a month), by date of attribution then number."""
    from ..services.meuble_decisions import meuble_decisions

    with db.session() as s:
        _org_names, agency = organisation_names(s)
    rows = [{"number": d.number,
             "owner": " — ".join(x for x in (text(d.owner), text(d.owner_company)) if x),
             "mandataire": text(d.mandataire), "address": text(d.address), "postcode": d.postcode,
             "commune": d.commune, "email": d.owner_email.strip(), "website": d.website,
             "phone": d.owner_phone.strip(), "category": d.category, "decided_on": d.decided_on,
             "valid_until": d.valid_until, "capacity": d.capacity, "declaration_number": d.declaration_number,
             "organisation": agency}
            for d in meuble_decisions(db, start=period.start, end=period.end)]
    rows.sort(key=lambda r: (r["decided_on"], r["number"]))
    key = month_key(period)
    return Table(f"decisions-definitives-{key}", f"Décisions de classement devenues définitives — {month_text(period)}",
                 MONTHLY_COLUMNS, rows, monthly_notes(period, len(rows), agency), sheet=f"Décisions {key}")
