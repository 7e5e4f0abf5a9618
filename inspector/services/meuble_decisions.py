"""Meublé decisions after the certificat: acquisition on the 16th day, numbering, radiation, the definitive list.

The life of a classement (Code du tourisme D324-4, arrêté du 2 août 2010 art. 6–7, R324-7):

* the certificat is issued, sent and received (`visits.record_issue / record_sent / record_receipt`);
* the owner may refuse within 15 days of receipt (`visits.record_refusal`);
* on the 16th day without refusal the classement is acquired (`acquire_due`, run at app start and by
  `inspector decisions refresh`): a Decision numbered DC-YYYY-<short visit id> is recorded, the establishment gets
  its category and its validity (5 years less one day);
* the préfet may strike the meublé off the list (`record_radiation`);
* every month the definitive decisions go to the comité départemental du tourisme (`meuble_decisions`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..db.database import Database
from ..db.models import Decision, Establishment, Owner, Visit
from .common import Changed, NotFound, OpResult, ServiceError, audit

SUBJECT = "meuble_category"


# ----- numbering --------------------------------------------------------------------------------------------------


def decision_number(visit_id: str, year: int, *, length: int = 8) -> str:
    """DC-<year of the classement>-<first `length` characters of the visit id>, e.g. DC-2026-E1A28975.

    Made from the visit's UUID, so two laptops offline never need to agree on a counter.
    """
    return f"DC-{year}-{visit_id.replace('-', '')[:length].upper()}"


def acquisition_decision_id(visit_id: str) -> str:
    """The id of the Decision that records a visit's acquisition: made from the visit id, so that two laptops
    acquiring the same classement offline create the same row (sync sees it once), never two decisions."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"inspector:meuble_category:acquired:{visit_id}"))


def unique_decision_number(session: Session, visit_id: str, year: int) -> str:
    """The décision's number, longer in the (rare) case another visit's decision already has the short one."""
    for length in (8, 12, 16, 32):
        number = decision_number(visit_id, year, length=length)
        taken = session.scalar(select(Decision.id).where(
            Decision.number == number, or_(Decision.visit_id.is_(None), Decision.visit_id != visit_id)).limit(1))
        if taken is None:
            return number
    return decision_number(visit_id, year, length=32)


# ----- acquisition on the 16th day --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acquisition:
    """A classement acquired by `acquire_due`, as plain data (for a message, a status bar, the CLI)."""

    visit_id: str
    establishment_id: str
    establishment: str
    commune: str
    category: int
    acquired_on: dt.date
    valid_until: dt.date | None
    number: str


def _acquisitions(db: Database, visit_ids: list[str]) -> list[Acquisition]:
    if not visit_ids:
        return []
    with db.session() as s:
        rows = s.execute(
            select(Visit.id, Visit.establishment_id, Establishment.name, Establishment.commune, Decision.category,
                   Decision.decided_on, Decision.valid_until, Decision.number)
            .join(Establishment, Establishment.id == Visit.establishment_id)
            .join(Decision, (Decision.visit_id == Visit.id) & (Decision.status == "acquired")
                  & (Decision.subject == SUBJECT))
            .where(Visit.id.in_(visit_ids)).order_by(Decision.decided_on, Establishment.name)).all()
    return [Acquisition(*r) for r in rows]


def acquire_due(db: Database, *, today: dt.date, user_id: str | None = None) -> OpResult[list[Acquisition]]:
    """Acquire every classement whose 15-day refusal window closed before `today` without a refusal.

    Safe to run at any time and as often as wanted (app start, after a receipt, `inspector decisions refresh`):
    a classement is acquired once.
    """
    from . import visits

    res = visits.refresh_states(db, today=today, user_id=user_id)
    return OpResult(_acquisitions(db, res.value), res.changed)


def record_receipt_and_acquire(db: Database, *, visit_id: str, received_on: dt.date, today: dt.date,
                               user_id: str | None = None) -> OpResult[list[Acquisition]]:
    """Record the owner's receipt of the certificat; when it is recorded late (the window already closed on
    `today`), the classement is acquired at once. The value lists what was acquired (often nothing)."""
    from . import visits

    if received_on > today:
        raise ServiceError(f"La date de réception ({received_on:%d/%m/%Y}) est dans le futur.")
    changed = visits.record_receipt(db, visit_id=visit_id, received_on=received_on, user_id=user_id).changed
    res = acquire_due(db, today=today, user_id=user_id)
    for table, ids in res.changed.rows.items():
        changed.add(table, *ids)
    return OpResult(res.value, changed)


# ----- radiation (R324-7) -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Radiation:
    """A meublé struck off the list of classified meublés, as plain data."""

    decision_id: str
    establishment_id: str
    radiated_on: dt.date
    category: int | None
    reason: str
    reference: str
    visit_id: str | None


def record_radiation(db: Database, *, establishment_id: str, radiated_on: dt.date, reason: str, reference: str = "",
                     user_id: str | None = None) -> OpResult[Radiation]:
    """Record the préfet's radiation of a classified meublé (R324-7: serious lack of upkeep).

    A Decision (status « radiated », the reason, the arrêté reference in its details) names the classement it ends;
    the establishment loses its category and validity (the audit keeps the values before). Refused when the
    establishment holds no classement on that date.
    """
    reason, reference = reason.strip(), reference.strip()
    if not reason:
        raise ServiceError("Indiquez le motif de la radiation (par exemple : défaut grave d'entretien).")
    with db.session() as s:
        est = s.get(Establishment, establishment_id)
        if est is None:
            raise NotFound(f"Établissement {establishment_id} introuvable.")
        if est.kind != "meuble":
            raise ServiceError(f"« {est.name} » n'est pas un meublé de tourisme : la radiation (R324-7) ne le "
                               "concerne pas.")
        if not est.current_category:
            raise ServiceError(f"« {est.name} » n'a pas de classement en cours : rien à radier.")
        if est.category_valid_until is not None and est.category_valid_until < radiated_on:
            raise ServiceError(f"Le classement de « {est.name} » a expiré le {est.category_valid_until:%d/%m/%Y}, "
                               f"avant la date de radiation ({radiated_on:%d/%m/%Y}) : rien à radier.")
        granted = s.scalar(select(Decision).where(Decision.establishment_id == establishment_id,
                                                  Decision.subject == SUBJECT, Decision.status == "acquired")
                           .order_by(Decision.decided_on.desc(), Decision.created_at.desc()).limit(1))
        if granted is not None and granted.decided_on is not None and radiated_on < granted.decided_on:
            raise ServiceError(f"La date de radiation ({radiated_on:%d/%m/%Y}) précède le classement en cours, "
                               f"acquis le {granted.decided_on:%d/%m/%Y}.")
        before = {"current_category": est.current_category, "category_valid_until": est.category_valid_until}
        decision = Decision(visit_id=granted.visit_id if granted else None, establishment_id=establishment_id,
                            subject=SUBJECT, status="radiated", category=est.current_category,
                            decided_on=radiated_on, reason=reason, details={"reference": reference})
        s.add(decision)
        est.current_category, est.category_valid_until = None, None
        est.row_version = (est.row_version or 0) + 1
        est.pending_sync = True
        s.flush()
        audit(s, user_id=user_id, action="establishment.radiated", table="establishments", row_id=est.id,
              radiated_on=radiated_on, reason=reason, reference=reference, decision=decision.id, before=before,
              after={"current_category": None, "category_valid_until": None})
        s.commit()
        value = Radiation(decision.id, est.id, radiated_on, before["current_category"], reason, reference,
                          decision.visit_id)
    return OpResult(value, Changed().add("decisions", value.decision_id).add("establishments", establishment_id))


def last_radiation(db: Database, establishment_id: str) -> Radiation | None:
    """The latest radiation of an establishment, if any (for its card)."""
    with db.session() as s:
        d = s.scalar(select(Decision).where(Decision.establishment_id == establishment_id,
                                            Decision.subject == SUBJECT, Decision.status == "radiated")
                     .order_by(Decision.decided_on.desc(), Decision.created_at.desc()).limit(1))
        if d is None:
            return None
        return Radiation(d.id, d.establishment_id, d.decided_on, d.category, d.reason,
                         str((d.details or {}).get("reference", "")), d.visit_id)


# ----- the definitive decisions of a period (monthly table, arrêté art. 7) ----------------------------------------


@dataclass(frozen=True)
class MeubleDecision:
    """One décision de classement that became definitive, with what the monthly table needs (plain data).

    `decided_on` is the date of attribution (the 16th day after receipt); `capacity` is the number of persons the
    classement was granted for; `website` is empty: the database keeps no website for owners yet.
    """

    decision_id: str
    number: str
    decided_on: dt.date
    category: int
    valid_until: dt.date | None
    capacity: int | None
    visit_id: str | None
    visit_kind: str
    establishment_id: str
    establishment: str
    address: str
    postcode: str
    commune: str
    insee_code: str
    declaration_number: str
    owner: str
    owner_company: str
    owner_address: str
    owner_postcode: str
    owner_commune: str
    owner_email: str
    owner_phone: str
    website: str
    mandataire: str
    mandataire_address: str
    mandataire_contact: str

    @property
    def stars(self) -> str:
        return "★" * self.category


def meuble_decisions(db: Database, *, start: dt.date, end: dt.date) -> list[MeubleDecision]:
    """The meublé classements acquired (definitive) with a date of attribution in [start, end], oldest first.

    Only « acquired » decisions: refusals and radiations are not décisions de classement. A classement radiated
    later stays listed for the month it became definitive. The number is the one stored on the decision, or for
    decisions recorded before numbers were stored, the same DC-YYYY-<short visit id> the PDF prints.
    """
    if end < start:
        raise ServiceError(f"Période invalide : le {end:%d/%m/%Y} précède le {start:%d/%m/%Y}.")
    with db.session() as s:
        rows = s.execute(
            select(Decision, Visit.kind, Visit.context, Establishment, Owner)
            .join(Establishment, Establishment.id == Decision.establishment_id)
            .outerjoin(Visit, Visit.id == Decision.visit_id)
            .outerjoin(Owner, Owner.id == Establishment.owner_id)
            .where(Decision.subject == SUBJECT, Decision.status == "acquired", Decision.decided_on >= start,
                   Decision.decided_on <= end)
            .order_by(Decision.decided_on, Establishment.commune, Establishment.name, Decision.id)).all()
        out = []
        for d, kind, context, est, owner in rows:
            number = d.number or (decision_number(d.visit_id, d.decided_on.year) if d.visit_id else "")
            capacity = (d.details or {}).get("capacity") or (context or {}).get("capacity") or est.capacity
            o = owner
            out.append(MeubleDecision(
                decision_id=d.id, number=number, decided_on=d.decided_on, category=int(d.category or 0),
                valid_until=d.valid_until, capacity=capacity, visit_id=d.visit_id, visit_kind=kind or "",
                establishment_id=est.id, establishment=est.name, address=est.address, postcode=est.postcode,
                commune=est.commune, insee_code=est.insee_code, declaration_number=est.declaration_number,
                owner=o.name if o else "", owner_company=o.company if o else "", owner_address=o.address if o else "",
                owner_postcode=o.postcode if o else "", owner_commune=o.commune if o else "",
                owner_email=o.email if o else "", owner_phone=o.phone if o else "", website="",
                mandataire=o.mandataire_name if o else "", mandataire_address=o.mandataire_address if o else "",
                mandataire_contact=o.mandataire_contact if o else ""))
    return out
