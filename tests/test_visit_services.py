"""The life of a visit through the service operations, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from inspector.db.database import Database, open_database
from inspector.db.models import AuditEntry, Decision, Establishment, Owner, Tombstone, Visit
from inspector.demo import s1_wimereux_studio
from inspector.services import deadlines, queries, visits
from inspector.services.common import Incomplete, ServiceError, VisitLocked

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "inspector.sqlite")
    yield database
    database.close()


def add_establishment(db: Database, *, name: str = "Studio Dufour", commune: str = "Wimereux", owner: str = "Dufour",
                      **kw: Any) -> str:
    with db.session() as s:
        o = Owner(name=owner)
        s.add(o)
        s.flush()
        e = Establishment(kind="meuble", name=name, owner_id=o.id, commune=commune,
                          **{"capacity": 2, "layout": "studio", "floor": 2, "collective_building": True, **kw})
        s.add(e)
        s.commit()
        return e.id


def answer_all(db: Database, visit_id: str, answers: dict[str, Any]) -> None:
    for code, value in answers.items():
        points = value if isinstance(value, int) else None
        visits.record_answer(db, visit_id=visit_id, criterion=code, value="yes" if points else value, points=points)


def s1_visit(db: Database, **kw: Any) -> str:
    est = add_establishment(db)
    vid = visits.create_visit(db, establishment_id=est, kind="classement", requested_category=2,
                              planned_on=TODAY, **kw).value
    s1 = s1_wimereux_studio()
    visits.set_context(db, visit_id=vid, context=s1["context"])
    visits.set_measurements(db, visit_id=vid, rooms=s1["surfaces"]["rooms"], beds=s1["surfaces"]["beds"])
    return vid


def test_create_pins_the_grid_and_fills_the_context_from_the_establishment(db: Database) -> None:
    est = add_establishment(db)
    res = visits.create_visit(db, establishment_id=est, kind="classement", requested_category=2, planned_on=TODAY)
    assert "visits" in res.changed
    with db.session() as s:
        v = s.get(Visit, res.value)
        assert (v.grid_id, v.grid_version, len(v.grid_sha256)) == ("MT-2022-V2", "2022-v2", 64)
        assert v.context["capacity"] == 2 and v.context["studio"] is True and v.context["floor"] == 2
        assert v.state == "planned"
    with pytest.raises(ServiceError, match="Catégorie demandée"):
        visits.create_visit(db, establishment_id=est, kind="classement")
    with pytest.raises(ServiceError, match="Type de visite « inspection » inconnu"):
        visits.create_visit(db, establishment_id=est, kind="inspection")


def test_answers_are_an_append_only_log_with_a_derived_current_answer(db: Database) -> None:
    vid = s1_visit(db)
    visits.record_answer(db, visit_id=vid, criterion="4", value="no", comment="ampoule grillée")
    visits.record_answer(db, visit_id=vid, criterion="4", value="yes", comment="ampoule changée")
    visits.record_answer(db, visit_id=vid, criterion="2", value="yes", points=3)
    with db.session() as s:
        cur = visits.current_answers(s, vid)
        assert cur[("4", "")].value == "yes" and cur[("4", "")].comment == "ampoule changée"
        assert cur[("2", "")].points == 3
        assert s.get(Visit, vid).state == "in_progress"
    visits.undo_last_answer(db, visit_id=vid)  # undoes criterion 2
    visits.undo_last_answer(db, visit_id=vid)  # undoes the second answer of 4: back to "no"
    visits.clear_answer(db, visit_id=vid, criterion="PRQ")
    with db.session() as s:
        cur = visits.current_answers(s, vid)
        assert ("2", "") not in cur and cur[("4", "")].value == "no"
        assert s.scalar(select(func.count()).select_from(visits.Observation)) == 6


def test_answer_validation_names_the_criterion(db: Database) -> None:
    vid = s1_visit(db)
    with pytest.raises(ServiceError, match="Critère 999 inconnu"):
        visits.record_answer(db, visit_id=vid, criterion="999", value="yes")
    with pytest.raises(ServiceError, match="Critère 22 : « non applicable » refusé"):
        visits.record_answer(db, visit_id=vid, criterion="22", value="na")
    with pytest.raises(ServiceError, match="critère 2 : 9 points hors limites"):
        visits.record_answer(db, visit_id=vid, criterion="2", value="yes", points=9)
    with pytest.raises(ServiceError, match="« non concerné » n'est pas admis"):
        visits.record_answer(db, visit_id=vid, criterion="3", value="nc")
    ok = visits.record_answer(db, visit_id=vid, criterion="5", value="na").value
    assert ok.na_reason == "Impossibilité technique (ex : zones blanches justifiées)"
    assert visits.record_answer(db, visit_id=vid, criterion="27", value="na").value.value == "na"  # studio


def test_complete_requires_every_answer_then_locks_the_visit(db: Database) -> None:
    vid = s1_visit(db)
    answers = s1_wimereux_studio()["answers"]
    missing = answers.pop("57")
    answer_all(db, vid, answers)
    with pytest.raises(Incomplete) as info:
        visits.complete_visit(db, visit_id=vid)
    assert info.value.missing == ["57"]
    visits.record_answer(db, visit_id=vid, criterion="57", value=missing)
    result = visits.score_visit(db, vid)
    assert result.classable and result.highest_classable == "2"
    visits.complete_visit(db, visit_id=vid)
    with pytest.raises(VisitLocked, match="nouvelle révision"):
        visits.record_answer(db, visit_id=vid, criterion="4", value="no")
    with pytest.raises(VisitLocked):
        visits.set_context(db, visit_id=vid, context={"capacity": 3})


def complete_s1(db: Database) -> str:
    vid = s1_visit(db)
    answer_all(db, vid, s1_wimereux_studio()["answers"])
    visits.start_visit(db, visit_id=vid, visited_on=TODAY)
    visits.complete_visit(db, visit_id=vid)
    return vid


def test_issue_receipt_and_automatic_acquisition_on_the_16th_day(db: Database) -> None:
    vid = complete_s1(db)
    visits.record_issue(db, visit_id=vid, issued_on=TODAY + dt.timedelta(days=1))
    visits.record_sent(db, visit_id=vid, sent_on=TODAY + dt.timedelta(days=1))
    received = TODAY + dt.timedelta(days=3)
    visits.record_receipt(db, visit_id=vid, received_on=received)
    window = queries.refusal_windows_open(db, today=received + dt.timedelta(days=15))
    assert [r.id for r in window] == [vid] and window[0].refusal_end == received + dt.timedelta(days=15)
    assert visits.refresh_states(db, today=received + dt.timedelta(days=15)).value == []
    res = visits.refresh_states(db, today=received + dt.timedelta(days=16))
    assert res.value == [vid] and "establishments" in res.changed and "decisions" in res.changed
    with db.session() as s:
        v = s.get(Visit, vid)
        assert v.state == "acquired" and v.acquired_on == received + dt.timedelta(days=16)
        assert v.valid_until == dt.date(2031, 12, 13)  # the day before the fifth anniversary
        est = s.get(Establishment, v.establishment_id)
        assert est.current_category == 2 and est.category_valid_until == v.valid_until
        assert s.scalar(select(Decision.status).where(Decision.visit_id == vid)) == "acquired"


def test_refusal_inside_the_window_only_and_with_a_reason(db: Database) -> None:
    vid = complete_s1(db)
    visits.record_issue(db, visit_id=vid, issued_on=TODAY)
    with pytest.raises(ServiceError, match="date de réception"):
        visits.record_refusal(db, visit_id=vid, refused_on=TODAY, reason="souhaitait 3★")
    visits.record_receipt(db, visit_id=vid, received_on=TODAY)
    with pytest.raises(ServiceError, match="Refus hors délai .* 10/12/2026"):
        visits.record_refusal(db, visit_id=vid, refused_on=TODAY + dt.timedelta(days=16), reason="trop tard")
    with pytest.raises(ServiceError, match="motif"):
        visits.record_refusal(db, visit_id=vid, refused_on=TODAY, reason=" ")
    visits.record_refusal(db, visit_id=vid, refused_on=TODAY + dt.timedelta(days=15), reason="souhaitait 3★")
    assert visits.refresh_states(db, today=TODAY + dt.timedelta(days=40)).value == []
    with db.session() as s:
        assert s.get(Visit, vid).state == "refused"


def test_a_correction_opens_a_new_revision_and_keeps_the_old_one(db: Database) -> None:
    vid = complete_s1(db)
    with pytest.raises(ServiceError, match="motif"):
        visits.open_revision(db, visit_id=vid, reason="")
    new = visits.open_revision(db, visit_id=vid, reason="Erreur sur l'éclairage").value
    visits.record_answer(db, visit_id=new, criterion="4", value="no")
    diff = visits.diff_answers(db, old_visit_id=vid, new_visit_id=new)
    assert [(d.criterion, d.before, d.after) for d in diff] == [("4", "yes", "no")]
    with db.session() as s:
        old, rev = s.get(Visit, vid), s.get(Visit, new)
        assert old.superseded and old.state == "completed"
        assert rev.revision_number == 2 and rev.revision_of_id == vid
        assert rev.revision_reason == "Erreur sur l'éclairage"
        assert visits.current_answers(s, vid)[("4", "")].value == "yes"  # the old revision is unchanged
    with pytest.raises(ServiceError, match="déjà remplacée"):
        visits.open_revision(db, visit_id=vid, reason="encore")
    assert [r.id for r in queries.list_visits(db, today=TODAY)] == [new]
    assert len(visits.measurements_of(db.session(), new)["rooms"]) == 2


def test_a_renewal_starts_from_the_previous_visit(db: Database) -> None:
    vid = complete_s1(db)
    with db.session() as s:
        est_id = s.get(Visit, vid).establishment_id
    renewal = visits.create_visit(db, establishment_id=est_id, kind="renouvellement", requested_category=2).value
    previous = visits.previous_answers(db, visit_id=renewal)
    assert previous[("4", "")].value == "yes" and len(previous) > 100
    detail = queries.visit_detail(db, renewal, today=TODAY)
    assert detail.previous_visit_id == vid and detail.previous == previous and detail.answers == {}


def test_measurements_replace_with_tombstones_and_feed_the_score(db: Database) -> None:
    vid = s1_visit(db)
    with pytest.raises(ServiceError, match="pièce n° 1 : type « grenier » inconnu"):
        visits.set_measurements(db, visit_id=vid, rooms=[{"kind": "grenier", "surface": 9}], beds=[])
    visits.set_measurements(db, visit_id=vid, rooms=[{"name": "Pièce", "kind": "piece", "surface": 30}], beds=[])
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Tombstone)) == 3  # 2 rooms + 1 bed of the S1 set
    res = visits.score_visit(db, vid)
    o2 = next(o for o in res.categories["1"].outcomes if o.code == "2")
    assert o2.points_obtained == 5 and o2.derived_from == "surfaces"  # 30/12 = +150 %


def test_lists_for_the_office(db: Database) -> None:
    vid = complete_s1(db)
    due = queries.reports_due(db, today=TODAY + dt.timedelta(days=27))
    assert [(r.id, r.days_left) for r in due] == [(vid, 3)]
    est2 = add_establishment(db, name="Gîte des Remparts", commune="Étaples", owner="Lefebvre")
    visits.create_visit(db, establishment_id=est2, kind="classement", requested_category=3, planned_on=TODAY)
    assert [r.establishment for r in queries.list_visits(db, search="etaples")] == ["Gîte des Remparts"]
    assert [r.establishment for r in queries.list_visits(db, search="LEFEB")] == ["Gîte des Remparts"]
    assert {r.establishment for r in queries.todays_visits(db, today=TODAY)} == {"Gîte des Remparts"}
    assert queries.counts_by_state(db) == {"completed": 1, "planned": 1}


def test_renewals_due_and_deadlines(db: Database) -> None:
    vid = complete_s1(db)
    visits.record_issue(db, visit_id=vid, issued_on=TODAY)
    visits.record_receipt(db, visit_id=vid, received_on=TODAY)
    visits.refresh_states(db, today=TODAY + dt.timedelta(days=16))
    valid_until = deadlines.valid_until(TODAY + dt.timedelta(days=16), 5)
    assert [r.id for r in queries.renewals_due(db, today=valid_until - dt.timedelta(days=100), months=6)] == [vid]
    assert queries.renewals_due(db, today=valid_until - dt.timedelta(days=400), months=6) == []
    assert deadlines.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert deadlines.report_due(dt.date(2026, 3, 31)) == dt.date(2026, 4, 30)


def test_every_change_is_audited(db: Database) -> None:
    complete_s1(db)
    with db.session() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).order_by(AuditEntry.at))]
    assert actions[0] == "visit.create" and "visit.context" in actions and actions[-1] == "visit.complete"


def test_issuing_proposes_a_category_the_visit_reaches(db: Database) -> None:
    vid = s1_visit(db)
    answers = s1_wimereux_studio()["answers"]
    answers["96"] = "no"  # ONC: nothing is classable
    answer_all(db, vid, answers)
    visits.complete_visit(db, visit_id=vid)
    with pytest.raises(ServiceError, match="n'atteint pas 2★ \\(aucune catégorie n'est accessible\\)"):
        visits.record_issue(db, visit_id=vid, issued_on=TODAY)
    visits.record_issue(db, visit_id=vid, issued_on=TODAY, proposed_category=0)  # report of non-classement
    visits.record_receipt(db, visit_id=vid, received_on=TODAY)
    assert visits.refresh_states(db, today=TODAY + dt.timedelta(days=30)).value == []


def test_a_lower_category_must_be_chosen_explicitly(db: Database) -> None:
    est = add_establishment(db, name="Villa", commune="Berck", owner="Martin")
    vid = visits.create_visit(db, establishment_id=est, kind="classement", requested_category=3,
                              context={"capacity": 2, "studio": True}).value
    answers = s1_wimereux_studio()["answers"]
    answers.update({"1": "yes", "2": 0, "11": "no", "36": "no", "46": "no", "47": "no", "22": "no"})
    answer_all(db, vid, {**answers, "26": "yes"})  # a studio with a séjour corner here
    result = visits.score_visit(db, vid)
    assert not result.classable and result.highest_classable == "2"
    visits.complete_visit(db, visit_id=vid)
    with pytest.raises(ServiceError, match="catégorie la plus élevée accessible : 2★"):
        visits.record_issue(db, visit_id=vid, issued_on=TODAY)
    visits.record_issue(db, visit_id=vid, issued_on=TODAY, proposed_category=2)
    visits.record_receipt(db, visit_id=vid, received_on=TODAY)
    visits.refresh_states(db, today=TODAY + dt.timedelta(days=16))
    with db.session() as s:
        assert s.get(Establishment, est).current_category == 2


def test_a_refusal_is_recorded_as_a_decision_and_revisions_keep_photos(db: Database, tmp_path: Path) -> None:
    from PIL import Image

    from inspector.services import photos

    vid = s1_visit(db)
    answer_all(db, vid, s1_wimereux_studio()["answers"])
    picture = tmp_path / "sdb.jpg"
    Image.new("RGB", (40, 30), (10, 20, 30)).save(picture)
    photos.import_photo(db, visit_id=vid, source=picture, criterion="95", caption="Salle d'eau")
    visits.complete_visit(db, visit_id=vid)
    new = visits.open_revision(db, visit_id=vid, reason="Photo à garder").value
    assert [p["caption"] for p in queries.visit_detail(db, new).photos] == ["Salle d'eau"]
    visits.complete_visit(db, visit_id=new)
    visits.record_issue(db, visit_id=new, issued_on=TODAY)
    visits.record_receipt(db, visit_id=new, received_on=TODAY)
    res = visits.record_refusal(db, visit_id=new, refused_on=TODAY + dt.timedelta(days=3), reason="Souhaitait 3★")
    assert "decisions" in res.changed
    with db.session() as s:
        d = s.scalar(select(Decision).where(Decision.visit_id == new))
        assert (d.status, d.category, d.reason) == ("refused", 2, "Souhaitait 3★")
