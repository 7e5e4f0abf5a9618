"""Pull: the rows a caller may read that changed after a server sequence number, in pages; and visible counts."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ..sync.protocol import TABLES, UUID_RE
from .access import readable
from .accounts import Principal
from .errors import ApiError
from .models import Record, Sequence
from .schemas import Change, ChangesResponse, CountsResponse

MAX_PAGE = 2000


def current_seq(s: Session) -> int:
    return int(s.scalar(select(Sequence.last).where(Sequence.id == 1)) or 0)


def changes_since(sessions: sessionmaker[Session], principal: Principal, since: int, limit: int) -> ChangesResponse:
    """One page of changes after `since`, oldest first; `next` is where the following page starts."""
    limit = max(1, min(limit, MAX_PAGE))
    with sessions() as s:
        # Read the sequence first: every change up to it is committed (pushes commit in sequence order).
        top = current_seq(s)
        if since > top:
            raise ApiError(409, "since_ahead", "Le serveur ne connaît pas ce point de reprise (base restaurée ?) : "
                                               "une réception complète est nécessaire.", {"server_seq": top})
        rows = s.scalars(select(Record).where(Record.seq > since, Record.seq <= top, readable(principal))
                         .order_by(Record.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    changes = [Change(table=r.table_name, id=r.row_id, version=r.version, seq=r.seq, deleted=r.deleted,
                      data=json.loads(r.data)) for r in rows]
    nxt = rows[-1].seq if more else max(top, since)
    return ChangesResponse(changes=changes, next=nxt, more=more, server_seq=top)


def row_of(sessions: sessionmaker[Session], principal: Principal, table: str, row_id: str) -> Change:
    """The server's current version of one row the caller may read (deleted rows too: `deleted` says so).

    The laptop asks for it after taking the server's version in a conflict: pulls skipped the row while the
    conflict was open.
    """
    if table not in TABLES or not UUID_RE.match(row_id):
        raise ApiError(404, "row_not_found", "Ligne inconnue du serveur ou hors de vos droits.")
    with sessions() as s:
        rec = s.scalar(select(Record).where(Record.table_name == table, Record.row_id == row_id, readable(principal)))
    if rec is None:
        raise ApiError(404, "row_not_found", "Ligne inconnue du serveur ou hors de vos droits.")
    return Change(table=rec.table_name, id=rec.row_id, version=rec.version, seq=rec.seq, deleted=rec.deleted,
                  data=json.loads(rec.data))


def visible_counts(sessions: sessionmaker[Session], principal: Principal) -> CountsResponse:
    """Rows (not deleted) the caller can read, per table: the client compares them with its own after a sync."""
    with sessions() as s:
        top = current_seq(s)
        rows = s.execute(select(Record.table_name, func.count()).where(Record.deleted.is_(False),
                                                                       Record.table_name != "grids",
                                                                       readable(principal))
                         .group_by(Record.table_name)).all()
    return CountsResponse(tables={t: int(n) for t, n in rows}, server_seq=top)
