"""Who may read and write what: inspectors their visits, partners theirs as second evaluator, commission submitted.

The commission's sittings and agendas (`commission_sessions`, `commission_items`) are read by the commission and
administrators only; evaluators receive the outcome (decisions, labels, the visit's state) with their visits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from ..sync import rules
from ..sync.protocol import COMMISSION_TABLES, FIELD_TABLES
from ..sync.rules import FILE_WRITERS, SUBMITTED_STATES, WRITERS
from .accounts import Principal
from .models import Record

OPEN_TABLES = ("organisations", "users", "grids")  # readable by every signed-in role


def may_push(principal: Principal) -> bool:
    return principal.role in WRITERS


def may_upload(principal: Principal) -> bool:
    return principal.role in FILE_WRITERS


def row_refusal(principal: Principal, table: str, visit_versions: list[dict[str, Any] | None],
                visit_id: str | None, data: dict[str, Any] | None = None) -> str | None:
    """Why the caller may not write a row (None when allowed); see `inspector.sync.rules`."""
    return rules.row_refusal(principal.role, principal.person_id, table, visit_versions, visit_id, data)


def _visits_where(condition: ColumnElement[bool]) -> Any:
    return select(Record.row_id).where(Record.table_name == "visits", condition)


def readable(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on `records`: the rows this caller may read (pulls, counts, blob downloads)."""
    me = principal.person_id
    role = principal.role
    if role == "admin":
        return true()
    base = Record.table_name.in_(OPEN_TABLES)
    if role == "inspector":
        mine = _visits_where(or_(Record.evaluator_id == me, Record.second_evaluator_id == me))
        return or_(base, Record.table_name.in_(tuple(FIELD_TABLES)),
                   and_(Record.table_name == "decisions", Record.visit_id.is_(None)), Record.visit_id.in_(mine))
    if role == "commission":
        submitted = _visits_where(Record.state.in_(SUBMITTED_STATES))
        return or_(base, Record.table_name.in_(tuple(FIELD_TABLES | COMMISSION_TABLES)),
                   and_(Record.table_name == "decisions", Record.visit_id.is_(None)), Record.visit_id.in_(submitted))
    if role == "partner":
        mine = _visits_where(Record.second_evaluator_id == me)
        their_places = select(Record.establishment_id).where(Record.table_name == "visits",
                                                             Record.second_evaluator_id == me)
        their_owners = select(Record.owner_id).where(Record.table_name == "establishments",
                                                     Record.row_id.in_(their_places))
        return or_(base, Record.visit_id.in_(mine),
                   and_(Record.table_name.in_(("establishments", "establishment_labels")),
                        Record.establishment_id.in_(their_places)),
                   and_(Record.table_name == "owners", Record.row_id.in_(their_owners)))
    return false()
