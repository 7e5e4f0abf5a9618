"""Read-only queries for the lists the app shows: today, planned, reports due, refusal windows, renewals, search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from ..db.database import Database
from ..db.models import Decision, Establishment, Owner, Visit
from . import deadlines

MEUBLE_KINDS = ("classement", "renouvellement")


@dataclass(frozen=True)
class VisitRow:
    """One line of a visit list: plain data, safe to hand to another thread or a Qt model."""

    id: str
    kind: str
    state: str
    establishment_id: str
    establishment: str
    commune: str
    owner: str
    requested_category: int | None
    planned_on: dt.date | None
    visited_on: dt.date | None
    issued_on: dt.date | None
    received_on: dt.date | None
    valid_until: dt.date | None
    revision_number: int
    report_due: dt.date | None = None
    days_left: int | None = None
    refusal_end: dt.date | None = None

    def with_deadlines(self, today: dt.date) -> VisitRow:
        due = deadlines.report_due(self.visited_on) if self.visited_on else None
        end = deadlines.refusal_window_end(self.received_on) if self.received_on else None
        left = (due - today).days if due and self.state in ("in_progress", "completed") else None
        return replace(self, report_due=due, days_left=left, refusal_end=end)


def _base(*, current_only: bool = True) -> Select[Any]:
    stmt = (
        select(Visit.id, Visit.kind, Visit.state, Visit.establishment_id, Establishment.name, Establishment.commune,
               func.coalesce(Owner.name, ""), Visit.requested_category, Visit.planned_on, Visit.visited_on,
               Visit.issued_on, Visit.received_on, Visit.valid_until, Visit.revision_number)
        .join(Establishment, Establishment.id == Visit.establishment_id)
        .outerjoin(Owner, Owner.id == Establishment.owner_id)
    )
    return stmt.where(Visit.superseded.is_(False)) if current_only else stmt


def _run(db: Database, stmt: Select[Any], today: dt.date) -> list[VisitRow]:
    with db.session() as s:
        return [VisitRow(*r).with_deadlines(today) for r in s.execute(stmt).all()]


def list_visits(db: Database, *, today: dt.date | None = None, states: tuple[str, ...] | None = None,
                search: str | None = None, kind: str | None = None, planned_from: dt.date | None = None,
                planned_to: dt.date | None = None, limit: int = 200, offset: int = 0) -> list[VisitRow]:
    """Visits filtered by state, kind, planned dates and a free search (owner, commune, establishment)."""
    stmt = _base()
    if states:
        stmt = stmt.where(Visit.state.in_(states))
    if kind:
        stmt = stmt.where(Visit.kind == kind)
    if planned_from:
        stmt = stmt.where(Visit.planned_on >= planned_from)
    if planned_to:
        stmt = stmt.where(Visit.planned_on <= planned_to)
    if search and search.strip():
        pattern = f"%{search.strip()}%"
        stmt = stmt.where(or_(func.fold(Establishment.name).like(func.fold(pattern)),
                              func.fold(Establishment.commune).like(func.fold(pattern)),
                              func.fold(Owner.name).like(func.fold(pattern)),
                              Establishment.insee_code == search.strip()))
    stmt = stmt.order_by(Visit.planned_on.desc(), Visit.id).limit(limit).offset(offset)
    return _run(db, stmt, today or dt.date.today())


def todays_visits(db: Database, *, today: dt.date) -> list[VisitRow]:
    """Visits planned for today or started today and not finished."""
    stmt = _base().where(Visit.state.in_(("planned", "in_progress")),
                         or_(Visit.planned_on == today, Visit.visited_on == today)).order_by(Visit.planned_on)
    return _run(db, stmt, today)


def planned_visits(db: Database, *, today: dt.date, days: int = 60) -> list[VisitRow]:
    """Planned visits from today on, nearest first."""
    stmt = _base().where(Visit.state == "planned", Visit.planned_on >= today,
                         Visit.planned_on <= today + dt.timedelta(days=days)).order_by(Visit.planned_on)
    return _run(db, stmt, today)


def reports_due(db: Database, *, today: dt.date) -> list[VisitRow]:
    """Visits done whose certificat is not issued yet, with the days left before the one-month limit."""
    stmt = _base().where(Visit.state.in_(("in_progress", "completed")), Visit.visited_on.is_not(None),
                         Visit.kind.in_(MEUBLE_KINDS))
    rows = _run(db, stmt, today)
    return sorted(rows, key=lambda r: (r.report_due or dt.date.max, r.id))


def refusal_windows_open(db: Database, *, today: dt.date) -> list[VisitRow]:
    """Issued certificats received by the owner whose 15-day refusal window is still open."""
    earliest = today - dt.timedelta(days=deadlines.REFUSAL_DAYS)
    stmt = _base().where(Visit.state == "issued", Visit.received_on.is_not(None), Visit.received_on >= earliest)
    return sorted(_run(db, stmt, today), key=lambda r: (r.refusal_end or dt.date.max, r.id))


def renewals_due(db: Database, *, today: dt.date, months: int = 6) -> list[VisitRow]:
    """Acquired classements that expire within `months` months (the latest visit of each establishment; none
    once a renewal is under way or acquired, nor after a radiation)."""
    until = deadlines.add_months(today, months)
    newer = aliased(Visit)
    renewal_started = select(newer.id).where(
        newer.establishment_id == Visit.establishment_id, newer.superseded.is_(False),
        or_(newer.state.in_(("planned", "in_progress", "completed", "issued")),
            and_(newer.state == "acquired", newer.acquired_on > Visit.acquired_on))).exists()
    radiated = select(Decision.id).where(  # struck off the list (R324-7) since: nothing to renew
        Decision.establishment_id == Visit.establishment_id, Decision.status == "radiated",
        Decision.decided_on >= Visit.acquired_on).exists()
    stmt = _base().where(Visit.state == "acquired", and_(Visit.valid_until >= today, Visit.valid_until <= until),
                         ~renewal_started, ~radiated).order_by(Visit.valid_until)
    return _run(db, stmt, today)


def counts_by_state(db: Database) -> dict[str, int]:
    """How many current visits are in each state."""
    with db.session() as s:
        rows = s.execute(select(Visit.state, func.count()).where(Visit.superseded.is_(False))
                         .group_by(Visit.state)).all()
    return {state: n for state, n in rows}


@dataclass(frozen=True)
class VisitDetail:
    """Everything the visit editor needs to open a visit, as plain data."""

    row: VisitRow
    grid_id: str
    grid_version: str
    grid_sha256: str
    context: dict[str, Any]
    requested_families: list[str]
    typology: str
    revision_reason: str
    previous_visit_id: str | None
    revision_of_id: str | None
    answers: dict[tuple[str, str], Any]
    previous: dict[tuple[str, str], Any]
    measurements: dict[str, Any]
    photos: list[dict[str, Any]]
    observations_text: str
    # Label evaluations (empty for meublés).
    opinion: str = ""
    sworn_statement_on: dt.date | None = None
    sworn_statement_ref: str = ""
    submitted_at: dt.datetime | None = None
    prerequisites: dict[str, Any] | None = None
    evaluators: tuple[str, str] = ("", "")  # the agency's evaluator and the partner evaluator, by name
    disagreements: tuple[Any, ...] = ()  # visits.Disagreement: answers from two laptops that differ
    authors: dict[str, str] | None = None  # user id -> name, for the people who answered


def visit_detail(db: Database, visit_id: str, *, today: dt.date | None = None) -> VisitDetail:
    """Open one visit with its current answers, last visit's answers (renewal), measurements and photos."""
    from ..db.models import Photo
    from .common import NotFound
    from .visits import current_answers, disagreements_in, measurements_of

    with db.session() as s:
        row = s.execute(_base(current_only=False).where(Visit.id == visit_id)).first()
        v = s.get(Visit, visit_id)
        if row is None or v is None:
            raise NotFound(f"Visite {visit_id} introuvable.")
        photos = [
            {"id": p.id, "criterion": p.criterion, "sha256": p.sha256, "path": p.stored_path, "caption": p.caption,
             "width": p.width, "height": p.height}
            for p in s.scalars(select(Photo).where(Photo.visit_id == visit_id).order_by(Photo.created_at))
        ]
        return VisitDetail(
            row=VisitRow(*row).with_deadlines(today or dt.date.today()), grid_id=v.grid_id,
            grid_version=v.grid_version, grid_sha256=v.grid_sha256, context=dict(v.context),
            requested_families=list(v.requested_families), typology=v.typology, revision_reason=v.revision_reason,
            previous_visit_id=v.previous_visit_id, revision_of_id=v.revision_of_id,
            answers=current_answers(s, visit_id),
            previous=current_answers(s, v.previous_visit_id) if v.previous_visit_id else {},
            measurements=measurements_of(s, visit_id), photos=photos, observations_text=v.observations_text,
            opinion=v.opinion, sworn_statement_on=v.sworn_statement_on, sworn_statement_ref=v.sworn_statement_ref,
            submitted_at=v.submitted_at, prerequisites=dict(v.prerequisites or {}),
            evaluators=(_user_name(s, v.evaluator_id), _user_name(s, v.second_evaluator_id)),
            disagreements=tuple(disagreements_in(s, visit_id)), authors=_authors(s, visit_id))


def _authors(s: Any, visit_id: str) -> dict[str, str]:
    from ..db.models import Observation, User

    rows = s.execute(select(User.id, User.name).where(User.id.in_(
        select(Observation.author_id).where(Observation.visit_id == visit_id).distinct()))).all()
    return dict(rows)


def _user_name(s: Any, user_id: str | None) -> str:
    from ..db.models import User

    user = s.get(User, user_id) if user_id else None
    return user.name if user else ""


def list_users(db: Database, roles: tuple[str, ...] | None = None) -> list[tuple[str, str, str]]:
    """People the app knows (id, name, role), for choosing evaluators."""
    from ..db.models import User

    with db.session() as s:
        stmt = select(User.id, User.name, User.role).order_by(User.name)
        if roles:
            stmt = stmt.where(User.role.in_(roles))
        return [tuple(r) for r in s.execute(stmt)]
