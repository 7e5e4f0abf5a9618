"""The labels commission's decisions travel through sync: a T&H evaluation submitted by its evaluator is decided on
the commission's laptop, and the evaluator's laptop receives the decision, the label and the visit's new state.
The commission writes nothing else: an answer or another field of the visit is refused, and inspectors do not
write the commission's tables."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import select, text

from inspector.db.database import Database, check_database
from inspector.db.models import (
    CommissionItem,
    CommissionSession,
    Decision,
    Establishment,
    EstablishmentLabel,
    Visit,
)
from inspector.services import visits
from inspector.services.label_decisions import record_label_decision
from inspector.sync import protocol, sync
from tests.conftest import DATA

from .conftest import Server

CODES = ("T1", "T2", "T3", "T4", "T5", "T6", "T7")
DECIDED_ON = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def example_grids(monkeypatch) -> None:
    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", str(DATA / "grids"))


def submitted_th_visit(server: Server, a: Database) -> tuple[str, str]:
    """Julie evaluates a restaurant for Tourisme & Handicap, submits it and syncs: (visit id, establishment id)."""
    julie = server.people["julie"]
    sync(a, server.url, server.token("nicolas"))  # the agency's people and places reach the server first
    with a.session() as s:
        est = Establishment(kind="restaurant", name="Brasserie du Port", commune="Étaples")
        s.add(est)
        s.commit()
        est_id = est.id
    visit_id = visits.create_visit(a, establishment_id=est_id, kind="th_primo", grid_id="TH-EXEMPLE-TEST",
                                   requested_families=["auditif", "moteur"], typology="restauration",
                                   evaluator_id=julie, planned_on=dt.date(2026, 11, 20)).value
    visits.start_visit(a, visit_id=visit_id, visited_on=dt.date(2026, 11, 20), user_id=julie)
    for code in CODES:
        visits.record_answer(a, visit_id=visit_id, criterion=code, value="yes", author_id=julie)
    visits.complete_visit(a, visit_id=visit_id, user_id=julie)
    visits.set_label_record(a, visit_id=visit_id, opinion="Accueil conforme pour les deux familles.",
                            sworn_statement_on=dt.date(2026, 11, 18), sworn_statement_ref="DH-21")
    visits.submit_visit(a, visit_id=visit_id, user_id=julie)
    report = sync(a, server.url, server.token("julie"))
    assert not report.refused and not report.conflicts, report.summary()
    return visit_id, est_id


def commission_decides(c: Database, visit_id: str) -> tuple[str, str, str]:
    """A sitting with the dossier on its agenda and the decision recorded: (session, item, decision) ids."""
    with c.session() as s:
        sitting = CommissionSession(held_on=DECIDED_ON, place="Maison du tourisme, Boulogne-sur-Mer",
                                    labels=["tourisme_handicap"], chair="Élise Fontaine",
                                    members=[{"name": "Élise Fontaine", "body": "Département", "college": "state",
                                              "present": True}], status="held")
        s.add(sitting)
        s.commit()
        session_id = sitting.id
    decision = record_label_decision(c, visit_id=visit_id, decided_on=DECIDED_ON, outcome="granted",
                                     decided_by="Commission départementale T&H").value
    with c.session() as s:
        item = CommissionItem(session_id=session_id, visit_id=visit_id, position=1, decision_id=decision.id,
                              notes="Avis favorable")
        s.add(item)
        s.commit()
        return session_id, item.id, decision.id


def stored(server: Server, table: str, row_id: str) -> dict:
    return json.loads(str(server.scalar("SELECT data FROM records WHERE table_name = :t AND row_id = :i",
                                        t=table, i=row_id)))


def push_as(server: Server, account: str, rows: list[dict]) -> tuple[int, dict]:
    with server.api(account) as api:
        answer = api.post("/sync/push", json={"device_id": "test", "rows": rows})
    return answer.status_code, answer.json()


def test_a_commission_decision_reaches_the_evaluator(server: Server, laptop) -> None:
    a = laptop("a")
    visit_id, est_id = submitted_th_visit(server, a)

    c = laptop("c", empty=True)  # the commission's laptop receives the submitted dossier
    first = sync(c, server.url, server.token("elise"))
    assert first.counts_match, first.summary()
    with c.session() as s:
        assert s.get(Visit, visit_id).state == "submitted"
    session_id, item_id, decision_id = commission_decides(c, visit_id)
    report = sync(c, server.url, server.token("elise"))
    assert not report.refused and not report.conflicts and not report.rejected, report.summary()
    assert report.counts_match, report.summary()
    for table, row_id in (("commission_sessions", session_id), ("commission_items", item_id),
                          ("decisions", decision_id), ("visits", visit_id)):
        assert server.scalar("SELECT count(*) FROM records WHERE table_name = :t AND row_id = :i",
                             t=table, i=row_id) == 1, table
    assert stored(server, "visits", visit_id)["state"] == "acquired"
    with c.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM visits WHERE pending_sync = 1")).scalar() == 0

    got = sync(a, server.url, server.token("julie"))  # the evaluator's laptop (it also holds the whole agency)
    assert got.pulled == 3 and not got.conflicts and not got.refused, got.summary()  # visit, decision, label
    with a.session() as s:
        v = s.get(Visit, visit_id)
        assert v.state == "acquired" and v.acquired_on == DECIDED_ON and v.valid_until is not None
        decision = s.get(Decision, decision_id)
        assert decision is not None and decision.status == "acquired" and decision.subject == "tourisme_handicap"
        assert sorted(decision.families) == ["auditif", "moteur"]
        label = s.scalar(select(EstablishmentLabel).where(EstablishmentLabel.establishment_id == est_id))
        assert label is not None and label.label == "tourisme_handicap" and label.valid_until == v.valid_until
        assert s.get(CommissionSession, session_id) is None  # the agenda stays with the commission
        assert s.get(CommissionItem, item_id) is None
    assert check_database(a.path) == [] and check_database(c.path) == []

    # Another commission laptop receives the sittings and agendas; the partner does not.
    d = laptop("d", empty=True)
    sync(d, server.url, server.token("elise"))
    with d.session() as s:
        assert s.get(CommissionSession, session_id) is not None
        assert s.get(CommissionItem, item_id).decision_id == decision_id
    with server.api("julie") as api:
        counts = api.get("/sync/counts").json()["tables"]
    assert "commission_sessions" not in counts and "commission_items" not in counts


def test_the_commission_changes_only_the_decision(server: Server, laptop) -> None:
    a = laptop("a")
    visit_id, _ = submitted_th_visit(server, a)
    seq = server.scalar("SELECT last FROM server_sequence")
    base = int(server.scalar("SELECT version FROM records WHERE table_name = 'visits' AND row_id = :i", i=visit_id))
    current = stored(server, "visits", visit_id)

    # An answer of the evaluation.
    with a.engine.connect() as conn:
        t = protocol.table("observations")
        obs = conn.execute(select(t).where(t.c.visit_id == visit_id).limit(1)).mappings().one()
        answer = protocol.to_wire("observations", obs)
    answer.update(value="no", comment="Corrigé par la commission")
    status, body = push_as(server, "elise", [{"table": "observations", "id": str(uuid.uuid4()), "base_version": 0,
                                              "data": answer}])
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert "évaluations" in body["error"]["details"][0]["reason"]

    # Another field of the visit, even together with a decision.
    for changed in ({"opinion": "Avis réécrit"}, {"state": "acquired", "acquired_on": "2026-11-24",
                                                   "requested_families": ["auditif"]}):
        status, body = push_as(server, "elise", [{"table": "visits", "id": visit_id, "base_version": base,
                                                  "data": {**current, **changed}}])
        assert status == 403 and body["error"]["code"] == "forbidden"
        reason = body["error"]["details"][0]["reason"]
        assert "opinion" in reason or "requested_families" in reason
    # Nor a state other than a decision, nor the establishment.
    status, body = push_as(server, "elise", [{"table": "visits", "id": visit_id, "base_version": base,
                                              "data": {**current, "state": "in_progress"}}])
    assert status == 403 and body["error"]["details"][0]["reason"] == "visite non soumise à la commission"
    est = stored(server, "establishments", current["establishment_id"])
    status, _ = push_as(server, "elise", [{"table": "establishments", "id": current["establishment_id"],
                                           "base_version": 1, "data": {**est, "name": "Autre nom"}}])
    assert status == 403
    assert server.scalar("SELECT last FROM server_sequence") == seq  # nothing was written
    assert stored(server, "visits", visit_id) == current

    # Through the laptop client: the edit of another field is left out and reported, the rest goes.
    c = laptop("c", empty=True)
    sync(c, server.url, server.token("elise"))
    with c.session() as s:
        v = s.get(Visit, visit_id)
        v.observations_text, v.pending_sync = "Texte modifié par la commission", True
        s.commit()
    report = sync(c, server.url, server.token("elise"))
    assert [(r["table"], r["id"]) for r in report.refused] == [("visits", visit_id)], report.summary()
    assert "observations_text" in report.refused[0]["reason"]
    assert stored(server, "visits", visit_id) == current


def test_inspectors_do_not_write_the_commission_tables(server: Server, laptop) -> None:
    a = laptop("a")
    visit_id, _ = submitted_th_visit(server, a)
    seq = server.scalar("SELECT last FROM server_sequence")
    now = dt.datetime(2026, 11, 25, 9, 0).isoformat()
    sitting = {"held_on": "2026-11-24", "place": "Mairie", "labels": ["tourisme_handicap"], "chair": "",
               "members": [], "status": "planned", "notes": "", "closed_at": None, "minutes_path": "",
               "minutes_sha256": "", "created_at": now, "modified_at": now}
    sitting_id = str(uuid.uuid4())
    status, body = push_as(server, "julie", [{"table": "commission_sessions", "id": sitting_id, "base_version": 0,
                                              "data": sitting}])
    assert status == 403 and body["error"]["details"] == [
        {"table": "commission_sessions", "id": sitting_id, "reason": "réservé à la commission et aux administrateurs"}]
    item = {"session_id": sitting_id, "visit_id": visit_id, "position": 1, "decision_id": None, "notes": "",
            "created_at": now, "modified_at": now}
    status, _ = push_as(server, "julie", [{"table": "commission_items", "id": str(uuid.uuid4()), "base_version": 0,
                                           "data": item}])
    assert status == 403
    assert server.scalar("SELECT last FROM server_sequence") == seq

    # The laptop client of an inspector leaves such rows out (« hors de vos droits ») and sends the rest.
    with a.session() as s:
        mine = CommissionSession(held_on=DECIDED_ON, place="Mairie")
        s.add(mine)
        s.commit()
        mine_id = mine.id
    report = sync(a, server.url, server.token("julie"))
    assert mine_id in {r["id"] for r in report.refused if r["table"] == "commission_sessions"}, report.summary()
    assert server.scalar("SELECT count(*) FROM records WHERE row_id = :i", i=mine_id) == 0

    # The commission (and administrators) may.
    status, body = push_as(server, "elise", [{"table": "commission_sessions", "id": sitting_id, "base_version": 0,
                                              "data": sitting}])
    assert status == 200 and body["results"][0]["status"] == "created"


def test_the_commission_decides_only_submitted_visits(server: Server, laptop) -> None:
    a = laptop("a")
    sync(a, server.url, server.token("nicolas"))
    with a.engine.connect() as conn:
        t = protocol.table("visits")
        row = conn.execute(select(t).where(t.c.state == "completed").limit(1)).mappings().one()
    data = protocol.to_wire("visits", row)
    base = int(server.scalar("SELECT version FROM records WHERE table_name = 'visits' AND row_id = :i", i=row["id"]))
    status, body = push_as(server, "elise", [{"table": "visits", "id": row["id"], "base_version": base,
                                              "data": {**data, "state": "acquired", "acquired_on": "2026-11-24"}}])
    assert status == 403, body
    now = dt.datetime(2026, 11, 25, 9, 0).isoformat()
    decision = {"visit_id": row["id"], "establishment_id": row["establishment_id"], "subject": "meuble_category",
                "status": "acquired", "category": 3, "families": [], "decided_on": "2026-11-24",
                "valid_until": "2031-11-24", "number": "X-1", "reason": "", "details": {}, "created_at": now,
                "modified_at": now}
    columns = {c.name for c in protocol.wire_columns("decisions")}
    decision = {k: v for k, v in decision.items() if k in columns}
    status, body = push_as(server, "elise", [{"table": "decisions", "id": str(uuid.uuid4()), "base_version": 0,
                                              "data": decision}])
    assert status == 403 and body["error"]["details"][0]["reason"] == "visite non soumise à la commission", body


def test_the_commission_letters_reach_the_server_and_the_evaluator(server: Server, laptop) -> None:
    """The whole sitting through the commission service: its letter (a PDF) is pushed with its file; a document
    of another kind issued by the commission is refused."""
    from inspector.services import commission
    from inspector.sync.on_demand import fetch_visit_files

    a = laptop("a")
    visit_id, _est_id = submitted_th_visit(server, a)
    c = laptop("c", empty=True)
    sync(c, server.url, server.token("elise"))
    session_id = commission.create_session(
        c, held_on=DECIDED_ON, place="Maison du tourisme", labels=["tourisme_handicap"], chair="Élise Fontaine",
        members=[{"name": "Élise Fontaine", "body": "Département", "college": "state", "present": True}]).value
    commission.build_agenda(c, session_id=session_id)
    for item in commission.agenda(c, session_id):  # only this dossier at this sitting
        if item.visit_id != visit_id:
            commission.remove_from_agenda(c, item_id=item.id)
    (item_id,) = [item.id for item in commission.agenda(c, session_id)]
    commission.decide_item(c, item_id=item_id, outcome="granted")
    commission.close_session(c, session_id=session_id)
    (letter_id,) = commission.issue_letters(c, session_id=session_id, issued_on=DECIDED_ON).value
    report = sync(c, server.url, server.token("elise"))
    assert not report.refused and not report.rejected and report.files_uploaded >= 1, report.summary()
    letter = stored(server, "documents", letter_id)
    assert letter["kind"] == "notification"
    assert (server.blob_dir / letter["sha256"][:2] / letter["sha256"]).exists()

    got = sync(a, server.url, server.token("julie"))  # the evaluator receives the letter's row…
    assert not got.refused and not got.conflicts, got.summary()
    fetched = fetch_visit_files(a, server.url, server.token("julie"), visit_id)  # …and its PDF on demand
    assert not fetched.failed
    with a.engine.connect() as conn:
        path = conn.execute(text("SELECT stored_path FROM documents WHERE id = :i"), {"i": letter_id}).scalar()
    assert path and (a.path.parent / "documents" / path).read_bytes().startswith(b"%PDF")

    forged = dict(letter, kind="certificat")
    status, body = push_as(server, "elise", [{"table": "documents", "id": str(uuid.uuid4()), "base_version": 0,
                                              "data": forged}])
    assert status == 403 and "courriers" in json.dumps(body, ensure_ascii=False)


def test_the_minutes_of_a_closed_sitting_travel_with_it(server: Server, laptop) -> None:
    """The procès-verbal (a PDF under the documents folder) goes up with its closed sitting and reaches another
    commission laptop; a sitting not closed names no file; a path that does not match its hash is refused."""
    import hashlib

    from inspector.services import commission

    a = laptop("a")
    visit_id, _est_id = submitted_th_visit(server, a)
    c = laptop("c", empty=True)
    sync(c, server.url, server.token("elise"))
    members = [{"name": "Élise Fontaine", "body": "Département", "college": "state", "present": True}]
    session_id = commission.create_session(c, held_on=DECIDED_ON, place="Maison du tourisme",
                                           labels=["tourisme_handicap"], chair="Élise Fontaine",
                                           members=members).value
    commission.build_agenda(c, session_id=session_id)
    for item in commission.agenda(c, session_id):  # only this dossier at this sitting
        if item.visit_id != visit_id:
            commission.remove_from_agenda(c, item_id=item.id)
    (item_id,) = [item.id for item in commission.agenda(c, session_id)]
    commission.decide_item(c, item_id=item_id, outcome="granted")
    commission.close_session(c, session_id=session_id)
    planned_id = commission.create_session(c, held_on=dt.date(2026, 12, 15), place="Mairie d'Arras",
                                           labels=["tourisme_handicap"], members=members).value
    with c.session() as s:
        closed = s.get(CommissionSession, session_id)
        sha, path = closed.minutes_sha256, closed.minutes_path
        assert sha and path.endswith(".pdf")
        assert (s.get(CommissionSession, planned_id).minutes_sha256, s.get(CommissionSession, planned_id)
                .minutes_path) == ("", "")

    report = sync(c, server.url, server.token("elise"))
    assert not report.refused and not report.rejected and not report.conflicts, report.summary()
    assert report.files_uploaded >= 1 and report.counts_match and not report.warnings, report.summary()
    assert stored(server, "commission_sessions", session_id)["minutes_sha256"] == sha
    assert (server.blob_dir / sha[:2] / sha).read_bytes() == (c.path.parent / "documents" / path).read_bytes()
    assert server.scalar("SELECT sha256 FROM records WHERE table_name = 'commission_sessions' AND row_id = :i",
                         i=session_id) == sha
    planned = stored(server, "commission_sessions", planned_id)  # the sitting to come: no file, no error
    assert planned["minutes_sha256"] == "" and planned["minutes_path"] == ""
    assert server.scalar("SELECT sha256 FROM records WHERE table_name = 'commission_sessions' AND row_id = :i",
                         i=planned_id) is None

    d = laptop("d", empty=True)  # another commission laptop receives the sitting and its procès-verbal
    got = sync(d, server.url, server.token("elise"))
    assert not got.warnings and got.counts_match, got.summary()
    with d.session() as s:
        assert s.get(CommissionSession, session_id).minutes_path == path
        assert s.get(CommissionSession, planned_id).minutes_path == ""
    pv = d.path.parent / "documents" / path
    assert hashlib.sha256(pv.read_bytes()).hexdigest() == sha and pv.read_bytes().startswith(b"%PDF")
    again = sync(d, server.url, server.token("elise"))
    assert again.files_downloaded == 0, again.summary()

    with server.api("julie") as api:  # an evaluator does not read the sittings, nor their minutes
        assert api.get(f"/blobs/{sha}").status_code == 404
    with server.api("elise") as api:
        assert api.get(f"/blobs/{sha}").status_code == 200

    # A sitting whose procès-verbal path does not match its hash (or names a hash without a path) is refused.
    other = "0" * 64
    for changed, field in (({"minutes_path": f"{other[:2]}/{other}.pdf"}, "minutes_path"),
                           ({"minutes_path": ""}, "minutes_path"),
                           ({"minutes_sha256": "PV"}, "minutes_sha256")):
        forged = {**stored(server, "commission_sessions", session_id), **changed}
        status, body = push_as(server, "elise", [{"table": "commission_sessions", "id": str(uuid.uuid4()),
                                                  "base_version": 0, "data": forged}])
        assert status == 422 and body["error"]["code"] == "invalid_rows", body
        (problem,) = body["error"]["details"][0]["problems"]
        assert problem.startswith(f"champ « {field} »"), problem
    assert check_database(c.path) == [] and check_database(d.path) == []


def test_a_decision_number_given_twice_is_said_after_the_sync(server: Server, laptop) -> None:
    """Two laptops deciding offline both took the next number: the sync says so (never silently)."""
    a = laptop("a")
    visit_id, est_id = submitted_th_visit(server, a)
    c = laptop("c", empty=True)
    sync(c, server.url, server.token("elise"))
    decision = record_label_decision(c, visit_id=visit_id, decided_on=DECIDED_ON, outcome="granted",
                                     decided_by="Commission départementale T&H").value
    with a.session() as s:  # meanwhile, on the agency's laptop, another dossier got the same number
        s.add(Decision(establishment_id=est_id, subject=decision.subject, status="refused",
                       decided_on=DECIDED_ON, number=decision.number, reason="Autre dossier"))
        s.commit()
    sync(c, server.url, server.token("elise"))
    report = sync(a, server.url, server.token("nicolas"))
    assert any(decision.number in w and "renumérotée" in w for w in report.warnings), report.summary()
