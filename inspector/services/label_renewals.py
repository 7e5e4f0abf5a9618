"""Renewal reminders of labels held by establishments (Accueil Vélo 3 years, Tourisme & Handicap 5 years, CHR).

For each establishment, label and typology only the latest row counts (a renewed label does not leave its expired
predecessor in the list). A row without an end date gets one from its start date and the label's validity, when
that is known; otherwise it cannot be reminded and is left out. A renewal visit already planned or in progress
is named beside the label.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from ..db.database import Database
from ..db.models import Establishment, EstablishmentLabel, Owner, Visit
from . import deadlines

LABEL_TITLES = {"accueil_velo": "Accueil Vélo", "tourisme_handicap": "Tourisme & Handicap",
                "chambre_hotes_reference": "Chambre d'hôtes Référence"}
# Validity in years when a row has a start date but no end date (CHR: not published, so not derived).
LABEL_VALIDITY_YEARS = {"accueil_velo": 3, "tourisme_handicap": 5}
RENEWAL_VISIT_KINDS = {"accueil_velo": ("accueil_velo",), "tourisme_handicap": ("th_primo", "th_renouvellement"),
                       "chambre_hotes_reference": ("chambre_hotes_reference",)}
OPEN_STATES = ("planned", "in_progress")


@dataclass(frozen=True)
class LabelRenewal:
    """One label to renew (expiring within the horizon) or already expired, as plain data."""

    label_id: str
    establishment_id: str
    establishment: str
    commune: str
    owner: str
    label: str
    title: str
    typology: str
    families: tuple[str, ...]
    valid_from: dt.date | None
    valid_until: dt.date
    derived: bool  # end date computed from the start date and the label's validity
    days_left: int  # negative once expired
    renewal_visit_id: str | None = None
    renewal_planned_on: dt.date | None = None

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def effective_until(label: str, valid_from: dt.date | None, valid_until: dt.date | None) -> tuple[dt.date | None,
                                                                                                  bool]:
    """The last day of validity of a label row, and whether it was derived from its start date."""
    if valid_until is not None:
        return valid_until, False
    years = LABEL_VALIDITY_YEARS.get(label)
    if valid_from is not None and years:
        return deadlines.valid_until(valid_from, years), True
    return None, False


def label_renewals(db: Database, *, today: dt.date | None = None, months: int = 6,
                   labels: tuple[str, ...] | None = None, include_expired: bool = True) -> list[LabelRenewal]:
    """Labels whose validity ends within `months` months (and, by default, those already expired), soonest first."""
    today = today or dt.date.today()
    horizon = deadlines.add_months(today, months)
    stmt = (select(EstablishmentLabel, Establishment.name, Establishment.commune, func.coalesce(Owner.name, ""))
            .join(Establishment, Establishment.id == EstablishmentLabel.establishment_id)
            .outerjoin(Owner, Owner.id == Establishment.owner_id))
    if labels:
        stmt = stmt.where(EstablishmentLabel.label.in_(labels))
    latest: dict[tuple[str, str, str], tuple[EstablishmentLabel, str, str, str, dt.date, bool]] = {}
    with db.session() as s:
        for row, name, commune, owner in s.execute(stmt):
            until, derived = effective_until(row.label, row.valid_from, row.valid_until)
            if until is None:
                continue
            key = (row.establishment_id, row.label, row.typology or "")
            if key not in latest or until > latest[key][4]:
                latest[key] = (row, name, commune, owner, until, derived)
        due = [v for v in latest.values() if v[4] <= horizon and (include_expired or v[4] >= today)]
        est_ids = {v[0].establishment_id for v in due}
        open_visits: dict[tuple[str, str], tuple[str, dt.date | None]] = {}
        if est_ids:
            kinds = sorted({k for ks in RENEWAL_VISIT_KINDS.values() for k in ks})
            for vid, est_id, kind, planned in s.execute(
                    select(Visit.id, Visit.establishment_id, Visit.kind, Visit.planned_on)
                    .where(Visit.establishment_id.in_(est_ids), Visit.kind.in_(kinds), Visit.superseded.is_(False),
                           Visit.state.in_(OPEN_STATES))
                    .order_by(Visit.planned_on.is_(None), Visit.planned_on)):
                for label, ks in RENEWAL_VISIT_KINDS.items():
                    if kind in ks:
                        open_visits.setdefault((est_id, label), (vid, planned))  # the soonest planned
        out = []
        for row, name, commune, owner, until, derived in due:
            visit = open_visits.get((row.establishment_id, row.label))
            out.append(LabelRenewal(
                label_id=row.id, establishment_id=row.establishment_id, establishment=name, commune=commune,
                owner=owner, label=row.label, title=LABEL_TITLES.get(row.label, row.label), typology=row.typology or "",
                families=tuple(row.families or ()), valid_from=row.valid_from, valid_until=until, derived=derived,
                days_left=(until - today).days, renewal_visit_id=visit[0] if visit else None,
                renewal_planned_on=visit[1] if visit else None))
    return sorted(out, key=lambda r: (r.valid_until, r.establishment, r.label))
