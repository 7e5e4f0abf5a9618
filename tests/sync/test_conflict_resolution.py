"""Resolving conflicts against a real server (SQLite and PostgreSQL): keep mine, take the server's, merge field by
field, a resolution racing a newer edit, rights, and a conflict seen on reception only."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text

from inspector.db.database import Database
from inspector.db.models import AuditEntry, Visit
from inspector.services import visits
from inspector.services.common import NotFound, ServiceError
from inspector.sync import conflicts, protocol, state, sync

from .conftest import Server


@dataclass
class Setup:
    """Two laptops holding the same visit: `mine` (the agency's demo laptop, admin) got the conflict, `other` (the
    evaluator's laptop) pushed first."""

    mine: Database
    other: Database
    visit_id: str
    owner: str  # account of the visit's evaluator (the `other` laptop)
    conflict: dict


def account_of(server: Server, person_id: str) -> str:
    return next(name for name, pid in server.people.items() if pid == person_id)


def edit_visit(db: Database, visit_id: str, **values: object) -> None:
    """A laptop edit of visit columns the services do not expose here (pending, as every edit)."""
    sets = ", ".join(f"{k} = :{k}" for k in values)
    with db.engine.begin() as conn:
        conn.execute(text(f"UPDATE visits SET {sets}, pending_sync = 1 WHERE id = :id"), {"id": visit_id, **values})


def visit_row(db: Database, visit_id: str) -> dict:
    with db.engine.connect() as conn:
        row = conn.execute(select(protocol.table("visits")).where(protocol.table("visits").c.id == visit_id)) \
            .mappings().one()
    return dict(row)


def server_visit(server: Server, visit_id: str) -> dict:
    return json.loads(str(server.scalar("SELECT data FROM records WHERE table_name = 'visits' AND row_id = :v",
                                        v=visit_id)))


def server_conflict(server: Server, conflict_id: str) -> dict:
    with server.sessions() as s:
        row = s.execute(text("SELECT * FROM conflicts WHERE id = :c"), {"c": conflict_id}).mappings().one()
    return dict(row)


def make_conflict(server: Server, laptop, *, text_too: bool = False) -> Setup:
    mine = laptop("a")
    sync(mine, server.url, server.token("nicolas"))
    with mine.session() as s:
        visit = s.scalar(select(Visit).where(Visit.state == "in_progress").limit(1))
        visit_id, evaluator = visit.id, visit.evaluator_id
    owner = account_of(server, evaluator)
    other = laptop("b", empty=True)
    sync(other, server.url, server.token(owner))
    visits.set_context(other, visit_id=visit_id, context={"capacity": 5})
    visits.set_context(mine, visit_id=visit_id, context={"capacity": 3})
    if text_too:
        edit_visit(other, visit_id, observations_text="Terrasse refaite (autre poste)")
        edit_visit(mine, visit_id, observations_text="Terrasse refaite (ce poste)")
    first = sync(other, server.url, server.token(owner))
    assert first.pushed >= 1 and not first.conflicts
    report = sync(mine, server.url, server.token("nicolas"))
    assert len(report.conflicts) == 1, report.summary()
    [conflict] = conflicts.open_conflicts(mine)
    assert conflict["row_id"] == visit_id and conflict["key"] == conflict["id"] == report.conflicts[0]["id"]
    return Setup(mine, other, visit_id, owner, conflict)


def audit_lines(db: Database, row_id: str) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == conflicts.AUDIT_ACTION,
                                                       AuditEntry.row_id == row_id)))


def test_keep_mine_wins_explicitly_on_both_laptops_and_the_server(server: Server, laptop) -> None:
    x = make_conflict(server, laptop)
    assert server_visit(server, x.visit_id)["context"]["capacity"] == 5
    done = conflicts.resolve(x.mine, x.conflict["key"], "mine", user_id="u-1")
    assert done.value["status"] == "resolving" and "visits" in done.changed
    assert conflicts.open_conflicts(x.mine) == []  # out of the open list at once...
    assert [c["status"] for c in conflicts.history(x.mine)] == ["resolving"]  # ...waiting for the next sync
    [line] = audit_lines(x.mine, x.visit_id)
    assert line.user_id == "u-1" and line.details["choice"] == "mine"
    context = next(f for f in line.details["fields"] if f["field"] == "context")
    assert context["server"]["capacity"] == 5 and context["client"]["capacity"] == 3 and context["kept"] == "mine"
    with pytest.raises(NotFound):  # decided once
        conflicts.resolve(x.mine, x.conflict["key"], "server")

    report = sync(x.mine, server.url, server.token("nicolas"))
    assert len(report.resolved) == 1 and not report.conflicts and report.counts_match, report.summary()
    assert "Conflits résolus : 1" in report.summary()
    assert server_visit(server, x.visit_id)["context"]["capacity"] == 3
    stored = server_conflict(server, x.conflict["id"])
    assert stored["status"] == "resolved" and stored["resolution"] == "client" and stored["resolved_at"]
    assert stored["resolved_by"] == server.scalar("SELECT id FROM accounts WHERE name = 'nicolas'")
    assert json.loads(stored["client_data"])["context"]["capacity"] == 3  # both values stay on record
    assert json.loads(stored["server_data"])["context"]["capacity"] == 5
    row = visit_row(x.mine, x.visit_id)
    assert not row["pending_sync"] and row["context"]["capacity"] == 3
    assert row["row_version"] == state.synced_version(3)
    [entry] = conflicts.history(x.mine)
    assert entry["status"] == "resolved" and entry["closed_at"] and entry["resolution"]["choice"] == "mine"

    again = sync(x.other, server.url, server.token(x.owner))
    assert not again.conflicts and again.counts_match
    assert visit_row(x.other, x.visit_id)["context"]["capacity"] == 3
    with server.api("nicolas") as api:
        assert api.get("/conflicts").json() == []
        [listed] = api.get("/conflicts", params={"status": "resolved"}).json()
    assert listed["id"] == x.conflict["id"] and listed["resolution"] == "client" and listed["resolved_by"] == "nicolas"


def test_take_the_servers_version(server: Server, laptop) -> None:
    x = make_conflict(server, laptop)
    conflicts.resolve(x.mine, x.conflict["key"], "server", user_id="u-1")
    row = visit_row(x.mine, x.visit_id)  # applied here at once, not pending
    assert row["context"]["capacity"] == 5 and not row["pending_sync"]
    seq = server.scalar("SELECT last FROM server_sequence")

    report = sync(x.mine, server.url, server.token("nicolas"))
    assert len(report.resolved) == 1 and report.pushed == 0 and report.counts_match, report.summary()
    assert server.scalar("SELECT last FROM server_sequence") == seq  # nothing written on the server's rows
    stored = server_conflict(server, x.conflict["id"])
    assert stored["status"] == "resolved" and stored["resolution"] == "server" and stored["resolution_data"] is None
    row = visit_row(x.mine, x.visit_id)
    assert protocol.digest(protocol.to_wire("visits", row)) == server.scalar(
        "SELECT digest FROM records WHERE table_name = 'visits' AND row_id = :v", v=x.visit_id)  # the very row
    assert row["row_version"] == state.synced_version(2)
    again = sync(x.other, server.url, server.token(x.owner))
    assert again.pulled == 0 and visit_row(x.other, x.visit_id)["context"]["capacity"] == 5
    [entry] = conflicts.history(x.mine)
    assert entry["status"] == "resolved" and entry["resolution"]["choice"] == "server"


def test_merge_field_by_field(server: Server, laptop) -> None:
    x = make_conflict(server, laptop, text_too=True)
    assert {f["field"] for f in x.conflict["fields"]} == {"context", "observations_text"}
    with pytest.raises(ServiceError):
        conflicts.resolve(x.mine, x.conflict["key"], "merge", {"state": "server"})
    with pytest.raises(ServiceError):
        conflicts.resolve(x.mine, x.conflict["key"], "merge", {"context": "les deux"})
    done = conflicts.resolve(x.mine, x.conflict["key"], "merge", {"context": "server", "observations_text": "mine"})
    assert done.value["resolution"]["fields"] == {"context": "server", "observations_text": "mine"}
    row = visit_row(x.mine, x.visit_id)
    assert row["context"]["capacity"] == 5 and row["observations_text"] == "Terrasse refaite (ce poste)"
    assert row["pending_sync"]

    report = sync(x.mine, server.url, server.token("nicolas"))
    assert len(report.resolved) == 1 and not report.conflicts, report.summary()
    data = server_visit(server, x.visit_id)
    assert data["context"]["capacity"] == 5 and data["observations_text"] == "Terrasse refaite (ce poste)"
    stored = server_conflict(server, x.conflict["id"])
    assert stored["resolution"] == "merge" and json.loads(stored["resolution_data"]) == data
    sync(x.other, server.url, server.token(x.owner))
    other = visit_row(x.other, x.visit_id)
    assert other["context"]["capacity"] == 5 and other["observations_text"] == "Terrasse refaite (ce poste)"
    assert conflicts.history(x.mine)[0]["resolution"]["choice"] == "merge"


def test_a_resolution_racing_a_newer_edit_becomes_a_new_conflict(server: Server, laptop) -> None:
    x = make_conflict(server, laptop)
    conflicts.resolve(x.mine, x.conflict["key"], "mine")  # decided offline...
    visits.set_context(x.other, visit_id=x.visit_id, context={"capacity": 7})  # ...while the other laptop edits
    sync(x.other, server.url, server.token(x.owner))

    report = sync(x.mine, server.url, server.token("nicolas"))
    assert len(report.conflicts) == 1 and not report.resolved, report.summary()
    new_id = report.conflicts[0]["id"]
    assert new_id and new_id != x.conflict["id"]
    assert server_visit(server, x.visit_id)["context"]["capacity"] == 7  # never overwritten
    old = server_conflict(server, x.conflict["id"])
    assert old["status"] == "resolved" and old["resolution"] == "superseded" and old["superseded_by"] == new_id
    assert server_conflict(server, new_id)["status"] == "open"
    [history] = conflicts.history(x.mine)
    assert history["status"] == "superseded" and history["superseded_by"] == new_id
    [now_open] = conflicts.open_conflicts(x.mine)
    fields = {f["field"]: f for f in now_open["fields"]}
    assert fields["context"]["server"]["capacity"] == 7 and fields["context"]["client"]["capacity"] == 3

    conflicts.resolve(x.mine, now_open["key"], "server")
    sync(x.mine, server.url, server.token("nicolas"))
    assert visit_row(x.mine, x.visit_id)["context"]["capacity"] == 7
    assert server_conflict(server, new_id)["resolution"] == "server"
    assert [c["status"] for c in conflicts.history(x.mine)] == ["resolved", "superseded"]


def test_only_those_who_may_write_the_row_resolve(server: Server, laptop) -> None:
    x = make_conflict(server, laptop)
    cid = x.conflict["id"]
    row = visit_row(x.mine, x.visit_id)
    outsider = next(name for name in ("julie", "thomas", "sophie")
                    if server.people[name] not in (row["evaluator_id"], row["second_evaluator_id"]))
    with server.api(outsider) as api:
        answer = api.post(f"/conflicts/{cid}/resolve", json={"choice": "server"})
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
        assert answer.json()["error"]["details"][0]["id"] == x.visit_id
        assert api.get(f"/sync/rows/visits/{x.visit_id}").json()["error"]["code"] == "row_not_found"
        data = server_visit(server, x.visit_id)
        pushed = api.post("/sync/push", json={"rows": [{"table": "visits", "id": x.visit_id, "base_version": 2,
                                                        "data": data, "resolves_conflict": cid}]})
        assert pushed.status_code == 403
    with server.api("elise") as api:  # the commission never writes
        assert api.post(f"/conflicts/{cid}/resolve", json={"choice": "server"}).status_code == 403
    with server.api("nicolas") as api:
        missing = api.post("/conflicts/00000000-0000-4000-8000-000000000000/resolve", json={"choice": "server"})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "conflict_not_found"
        assert api.post("/conflicts/pas-un-id/resolve", json={"choice": "server"}).status_code == 404
        assert api.post(f"/conflicts/{cid}/resolve", json={"choice": "client"}).status_code == 422
        bad = api.post("/sync/push", json={"rows": [{"table": "visits", "id": x.visit_id, "base_version": 2,
                                                     "data": server_visit(server, x.visit_id),
                                                     "resolves_conflict": "pas-un-id"}]})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_rows"
        spec = api.get("/openapi.json").json()
    assert server_conflict(server, cid)["status"] == "open"
    resolve_doc = spec["paths"]["/api/v1/conflicts/{conflict_id}/resolve"]["post"]
    assert "conflict_not_found" in resolve_doc["responses"]["404"]["description"]
    assert "resolves_conflict" in spec["components"]["schemas"]["PushRow"]["properties"]
    with server.api(x.owner) as api:  # the visit's evaluator may, though the conflict is the agency's
        done = api.post(f"/conflicts/{cid}/resolve", json={"choice": "server", "device_id": "PORTABLE-2"})
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["status"] == "resolved" and body["resolution"] == "server" and body["resolved_by"] == x.owner
        assert body["resolved_device"] == "PORTABLE-2"
        again = api.post(f"/conflicts/{cid}/resolve", json={"choice": "server"})
        assert again.status_code == 200 and again.json()["resolved_at"] == body["resolved_at"]  # closed once
    # the laptop's own decision then finds it closed: it still takes the server's row, nothing is lost
    conflicts.resolve(x.mine, x.conflict["key"], "server")
    report = sync(x.mine, server.url, server.token("nicolas"))
    assert len(report.resolved) == 1 and report.resolved[0]["server_resolution"] == "server"


def test_a_conflict_seen_on_reception_only_is_resolved_here(server: Server, laptop) -> None:
    """No server conflict behind it (the row was not sent): taking the server's fetches the row itself."""
    mine = laptop("a")
    sync(mine, server.url, server.token("nicolas"))
    with mine.session() as s:
        visit_id = s.scalar(select(Visit.id).where(Visit.state == "in_progress").limit(1))
    before = visit_row(mine, visit_id)
    edit_visit(mine, visit_id, observations_text="modifié ici")
    entry = {"id": "", "origin": "réception", "table": "visits", "row_id": visit_id, "server_version": 1,
             "base_version": 1, "message": "modifié sur le serveur et sur ce poste", "status": "open",
             "detected_at": "2026-11-25T09:12:44",
             "fields": [{"field": "observations_text", "server": before["observations_text"],
                         "client": "modifié ici"}]}
    with mine.engine.begin() as conn:
        state.add_conflicts(conn, [entry])
    [listed] = conflicts.open_conflicts(mine)
    assert listed["key"] == f"visits/{visit_id}"  # an entry made before keys existed still has one
    conflicts.resolve(mine, listed["key"], "server")
    with mine.engine.begin() as conn:  # a server value the conflict did not show (as if changed since)
        conn.execute(text("UPDATE visits SET typology = 'autre' WHERE id = :v"), {"v": visit_id})
    report = sync(mine, server.url, server.token("nicolas"))
    assert len(report.resolved) == 1 and report.resolved[0]["taken"] == "updated", report.summary()
    row = visit_row(mine, visit_id)
    assert row["typology"] == before["typology"] and row["observations_text"] == before["observations_text"]
    assert not row["pending_sync"]
