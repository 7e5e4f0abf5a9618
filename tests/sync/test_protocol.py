"""The protocol against a real server: push, pull, idempotent re-sends, role rules, conflicts, counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from inspector.db.database import Database, check_database
from inspector.db.models import Photo, Visit
from inspector.services import visits
from inspector.sync import SyncError, protocol, state, sync
from inspector.sync.local import pending

from .conftest import Server, local_blob_count


def table_counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in protocol.TABLES}


def server_rows(server: Server) -> int:
    return int(server.scalar("SELECT count(*) FROM records WHERE table_name <> 'grids'"))


def visit_with_photos(db: Database, state_name: str = "completed") -> Visit:
    with db.session() as s:
        for v in s.scalars(select(Visit).where(Visit.state == state_name)):
            if s.scalar(select(Photo.id).where(Photo.visit_id == v.id).limit(1)):
                return v
    raise AssertionError("no such visit in the demo")


def account_of(server: Server, person_id: str) -> str:
    return next(name for name, pid in server.people.items() if pid == person_id)


def test_push_then_pull_on_a_second_laptop_gives_the_same_visit_answers_and_photos(server: Server,
                                                                                   laptop) -> None:
    a = laptop("a")
    report = sync(a, server.url, server.token("nicolas"))
    assert report.backup_path is not None and report.backup_path.exists()
    assert report.pushed == sum(table_counts(a).values())
    assert report.files_uploaded == local_blob_count(a) and report.counts_match, report.summary()
    assert not report.conflicts and not report.refused
    assert server_rows(server) == sum(table_counts(a).values())

    visit = visit_with_photos(a)
    evaluator = account_of(server, visit.evaluator_id)
    b = laptop("b", empty=True)
    got = sync(b, server.url, server.token(evaluator))
    assert got.counts_match, got.summary()
    assert got.files_downloaded >= 1
    with b.session() as s:
        copy = s.get(Visit, visit.id)
        assert copy is not None and copy.state == "completed" and copy.context == visit.context
        assert copy.pending_sync is False
        theirs = s.scalars(select(Photo).where(Photo.visit_id == visit.id).order_by(Photo.id)).all()
    assert visits.answers_of(b, visit.id) == visits.answers_of(a, visit.id)
    with a.session() as s:
        mine = s.scalars(select(Photo).where(Photo.visit_id == visit.id).order_by(Photo.id)).all()
    assert [p.sha256 for p in theirs] == [p.sha256 for p in mine] and mine
    for p in mine:
        original = a.path.parent / "photos" / p.stored_path
        assert (b.path.parent / "photos" / p.stored_path).read_bytes() == original.read_bytes()
    with b.engine.connect() as conn:  # an inspector receives only their own visits
        evaluators = {r[0] for r in conn.execute(text("SELECT DISTINCT evaluator_id FROM visits"))}
    assert evaluators == {visit.evaluator_id}
    assert check_database(b.path) == []  # every reference the laptop holds is to a row it received


def test_resending_the_same_push_changes_nothing(server: Server, laptop) -> None:
    a = laptop("a")
    sync(a, server.url, server.token("nicolas"))
    seq = server.scalar("SELECT last FROM server_sequence")
    rows = server_rows(server)
    with a.engine.begin() as conn:  # as if every acknowledgement had been lost: everything is pending again
        for name in protocol.TABLES:
            conn.execute(text(f"UPDATE {name} SET pending_sync = 1"))
    again = sync(a, server.url, server.token("nicolas"))
    assert again.pushed == 0 and again.unchanged == rows and again.counts_match
    assert server.scalar("SELECT last FROM server_sequence") == seq
    assert server_rows(server) == rows
    assert server.scalar("SELECT count(*) FROM conflicts") == 0
    with server.api("nicolas") as api:  # the very same request body, sent twice more
        outgoing, _ = pending(a, role="admin", person_id="", skip=set())
        assert outgoing == []
        body = {"rows": [{"table": "owners", "id": r[0], "base_version": 0, "data": r[1]}
                         for r in _owner_rows(a)]}
        for _ in range(2):
            answer = api.post("/sync/push", json=body)
            assert answer.status_code == 200
            assert {r["status"] for r in answer.json()["results"]} == {"unchanged"}
    assert server_rows(server) == rows


def _owner_rows(db: Database) -> list[tuple[str, dict]]:
    t = protocol.table("owners")
    with db.engine.connect() as conn:
        return [(r["id"], protocol.to_wire("owners", r)) for r in conn.execute(select(t).limit(5)).mappings()]


def test_an_inspector_pushing_another_inspectors_visit_is_refused_and_nothing_changes(server: Server,
                                                                                      laptop) -> None:
    a = laptop("a")
    sync(a, server.url, server.token("nicolas"))
    seq = server.scalar("SELECT last FROM server_sequence")
    with a.session() as s:
        theirs = s.scalar(select(Visit).where(Visit.evaluator_id == server.people["thomas"]).limit(1))
        data = protocol.to_wire("visits", {c.name: getattr(theirs, c.name) for c in Visit.__table__.columns})
    changed = dict(data, observations_text="modifié par quelqu'un d'autre")
    new_visit = dict(data, state="planned")
    body = {"rows": [{"table": "visits", "id": theirs.id, "base_version": 1, "data": changed},
                     {"table": "visits", "id": "00000000-0000-4000-8000-000000000001", "base_version": 0,
                      "data": new_visit}]}
    with server.api("julie") as api:
        answer = api.post("/sync/push", json=body)
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert error["code"] == "forbidden" and {d["id"] for d in error["details"]} == {
        theirs.id, "00000000-0000-4000-8000-000000000001"}
    assert server.scalar("SELECT last FROM server_sequence") == seq
    assert server.scalar("SELECT count(*) FROM records WHERE row_id = '00000000-0000-4000-8000-000000000001'") == 0
    with server.api("elise") as api:  # the commission writes decisions, never evaluations
        answer = api.post("/sync/push", json={"rows": [{"table": "visits", "id": theirs.id, "base_version": 1,
                                                        "data": changed}]})
        assert answer.status_code == 403
    with server.api("julie") as api:  # a stolen reassignment: the stored visit is Thomas's
        mine = dict(data, evaluator_id=server.people["julie"])
        answer = api.post("/sync/push", json={"rows": [{"table": "visits", "id": theirs.id, "base_version": 1,
                                                        "data": mine}]})
        assert answer.status_code == 403


def test_an_inspector_laptop_sends_only_what_the_account_may_write(server: Server, laptop) -> None:
    a = laptop("a")
    report = sync(a, server.url, server.token("julie"))
    assert report.refused and {r["table"] for r in report.refused} >= {"organisations", "users"}
    with a.engine.connect() as conn:
        still = conn.execute(text("SELECT count(*) FROM visits WHERE pending_sync = 1 AND evaluator_id <> :me"),
                             {"me": server.people["julie"]}).scalar()
        mine = conn.execute(text("SELECT count(*) FROM visits WHERE pending_sync = 1 AND evaluator_id = :me"),
                            {"me": server.people["julie"]}).scalar()
    assert still > 0 and mine == 0
    assert report.counts_match, report.summary()


def test_a_stale_edit_is_a_conflict_with_both_values_and_observations_are_all_kept(server: Server,
                                                                                  laptop) -> None:
    a = laptop("a")
    sync(a, server.url, server.token("nicolas"))
    with a.session() as s:
        visit = s.scalar(select(Visit).where(Visit.state == "in_progress").limit(1))
    owner = account_of(server, visit.evaluator_id)
    b = laptop("b", empty=True)
    sync(b, server.url, server.token(owner))
    grid = visits.grid_of(visit)
    open_criterion = next(c.code for c in grid.criteria if not c.graded
                          and (visit.id and (c.code, "") not in visits.answers_of(a, visit.id)))
    visits.set_context(a, visit_id=visit.id, context={"capacity": 3})
    visits.record_answer(a, visit_id=visit.id, criterion=open_criterion, value="yes")
    visits.set_context(b, visit_id=visit.id, context={"capacity": 5})
    visits.record_answer(b, visit_id=visit.id, criterion=open_criterion, value="no", comment="vu sur place")
    first = sync(a, server.url, server.token("nicolas"))
    assert first.pushed == 2 and not first.conflicts
    second = sync(b, server.url, server.token(owner))
    assert len(second.conflicts) == 1, second.summary()
    conflict = second.conflicts[0]
    assert conflict["table"] == "visits" and conflict["row_id"] == visit.id
    fields = {f["field"]: f for f in conflict["fields"]}
    assert fields["context"]["server"]["capacity"] == 3 and fields["context"]["client"]["capacity"] == 5
    assert server.scalar("SELECT count(*) FROM conflicts WHERE row_id = :v", v=visit.id) == 1
    assert '"capacity":3' in str(server.scalar("SELECT data FROM records WHERE row_id = :v", v=visit.id))
    with b.session() as s:  # the laptop keeps its own value, pending, until someone resolves the conflict
        mine = s.get(Visit, visit.id)
        assert mine.context["capacity"] == 5 and mine.pending_sync
        assert state.open_conflicts(s.connection())[0]["row_id"] == visit.id
    n_obs = server.scalar("SELECT count(*) FROM records WHERE table_name = 'observations' AND visit_id = :v",
                          v=visit.id)
    with a.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM observations WHERE visit_id = :v"), {"v": visit.id}).scalar()
    assert n_obs == before + 1  # both answers are in the log: the laptop's own and the other one
    third = sync(b, server.url, server.token(owner))  # the row in conflict is not sent again
    assert third.pushed == 0 and not third.conflicts
    assert server.scalar("SELECT count(*) FROM conflicts") == 1
    with server.api(owner) as api:
        listed = api.get("/conflicts").json()
    assert [c["row_id"] for c in listed] == [visit.id]


def test_commission_receives_only_submitted_visits(server: Server, laptop) -> None:
    a = laptop("a")
    sync(a, server.url, server.token("nicolas"))
    c = laptop("c", empty=True)
    report = sync(c, server.url, server.token("elise"))
    assert report.counts_match and report.pulled > 0
    with c.engine.connect() as conn:
        states = {r[0] for r in conn.execute(text("SELECT DISTINCT state FROM visits"))}
        assert states and states <= {"submitted", "issued", "acquired", "refused"} and "submitted" in states
        visit_ids = {r[0] for r in conn.execute(text("SELECT id FROM visits"))}
        orphans = conn.execute(text("SELECT count(*) FROM observations")).scalar()
    with a.engine.connect() as conn:
        expected = conn.execute(text("SELECT count(*) FROM observations WHERE visit_id IN (SELECT id FROM visits "
                                     "WHERE state IN ('submitted', 'issued', 'acquired', 'refused'))")).scalar()
    assert orphans == expected and visit_ids


def test_nothing_to_do_is_fast_and_needs_no_backup(server: Server, laptop) -> None:
    a = laptop("a")
    sync(a, server.url, server.token("nicolas"))
    quiet = sync(a, server.url, server.token("nicolas"))
    assert quiet.backup_path is None and quiet.pushed == 0 and quiet.pulled == 0 and quiet.counts_match
    assert quiet.seconds < 1.0


def test_a_demo_database_never_syncs_to_a_remote_server(laptop, tmp_path: Path) -> None:
    a = laptop("a")
    with pytest.raises(SyncError) as caught:
        sync(a, "https://agence.example.org", "jeton")
    assert caught.value.category == "poste" and "démonstration" in caught.value.message
    assert state.is_loopback("http://127.0.0.1:8765") and state.is_loopback("http://[::1]:80")
    assert not state.is_loopback("http://192.168.1.10:8765")
    from inspector.demo_data import DEMO_SETTING

    assert DEMO_SETTING == state.DEMO_SETTING
