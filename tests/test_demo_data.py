"""The demo database (`inspector demo-data`): every state, the scenarios of scenarios.md, real communes, same seed
same data, and the command's refusal, --force and backup."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inspector.db.database import Database, open_database
from inspector.db.models import Decision, Establishment, Observation, Organisation, Owner, Setting, User, Visit
from inspector.demo_data import COMMUNES, DEMO_SETTING, build_demo_database
from inspector.services import deadlines, queries, visits

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 30)  # a Monday morning at the office (S6)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(tmp_path_factory.mktemp("demo") / "inspector.sqlite")
    build_demo_database(db, today=TODAY)
    yield db
    db.close()


def visit_of(db: Database, *, commune: str, state: str | None = None, kind: str | None = None) -> Visit:
    with db.session() as s:
        stmt = select(Visit).join(Establishment, Establishment.id == Visit.establishment_id).where(
            Establishment.commune == commune, Visit.superseded.is_(False))
        if state:
            stmt = stmt.where(Visit.state == state)
        if kind:
            stmt = stmt.where(Visit.kind == kind)
        rows = s.scalars(stmt).all()
    assert len(rows) >= 1, (commune, state, kind)
    return rows[0]


def check_office_lists(db: Database, today: dt.date) -> None:
    """S6 on a Monday morning: certificats due, a refusal window closing tomorrow, renewals, a refusal."""
    due = [r for r in queries.reports_due(db, today=today) if r.days_left is not None and 0 <= r.days_left <= 7]
    assert len(due) >= 2
    assert all(r.visited_on == today - dt.timedelta(days=27) for r in due)
    windows = queries.refusal_windows_open(db, today=today)
    assert any(r.refusal_end == today + dt.timedelta(days=1) for r in windows)
    renewals = queries.renewals_due(db, today=today, months=6)
    assert len(renewals) >= 12
    assert all(today <= r.valid_until <= deadlines.add_months(today, 6) for r in renewals)
    refused = queries.list_visits(db, today=today, states=("refused",), search="Berck")
    assert len(refused) == 1
    with db.session() as s:
        v = s.get(Visit, refused[0].id)
        assert "4★" in v.refusal_reason and v.requested_category == 3
        assert v.received_on <= v.refused_on <= deadlines.refusal_window_end(v.received_on)


def test_every_state_has_visits(demo: Database) -> None:
    counts = queries.counts_by_state(demo)
    assert set(counts) == set(visits.STATES)
    assert all(counts[state] > 0 for state in visits.STATES), counts


def test_office_lists_of_scenario_s6(demo: Database) -> None:
    check_office_lists(demo, TODAY)


def test_le_touquet_acquired_on_the_16th_day_with_its_decision(demo: Database) -> None:
    v = visit_of(demo, commune="Le Touquet-Paris-Plage", state="acquired")
    assert v.acquired_on == deadlines.acquired_on(v.received_on) <= TODAY
    assert v.valid_until == deadlines.valid_until(v.acquired_on, 5)
    with demo.session() as s:
        decision = s.scalar(select(Decision).where(Decision.visit_id == v.id))
        est = s.get(Establishment, v.establishment_id)
    assert decision is not None and decision.status == "acquired" and decision.category == v.requested_category
    assert est.current_category == v.requested_category and est.category_valid_until == v.valid_until


def test_s1_studio_in_wimereux_planned_today(demo: Database) -> None:
    today = queries.todays_visits(demo, today=TODAY)
    s1 = [r for r in today if r.commune == "Wimereux" and "Dufour" in r.owner]
    assert len(s1) == 1 and s1[0].state == "planned" and s1[0].requested_category == 2
    with demo.session() as s:
        v = s.get(Visit, s1[0].id)
        est = s.get(Establishment, v.establishment_id)
    assert v.context["floor"] == 2 and v.context["collective_building"] and v.context["studio"]
    assert v.context["has_sejour"] is False and v.context["capacity"] == 2
    assert not est.has_lift and est.insee_code == "62893" and est.postcode == "62930"
    assert any(r.state == "in_progress" and r.visited_on == TODAY for r in today)


def test_s2_renewal_of_the_lefebvre_house_fails_on_cleanliness(demo: Database) -> None:
    renewal = visit_of(demo, commune="Montreuil-sur-Mer", state="completed", kind="renouvellement")
    detail = queries.visit_detail(demo, renewal.id, today=TODAY)
    assert "Lefebvre" in detail.row.owner and renewal.context["capacity"] == 8
    with demo.session() as s:
        previous = s.get(Visit, renewal.previous_visit_id)
    assert previous.state == "acquired" and previous.requested_category == 4
    assert 4 <= (TODAY - previous.visited_on).days / 365.25 <= 5.1
    assert detail.previous and detail.answers[("95", "")].value == "no" and detail.answers[("95", "")].comment
    evidence = [p for p in detail.photos if p["criterion"] == "95"]
    assert len(evidence) == 2 and all(p["caption"] for p in evidence)
    assert all((demo.path.parent / "photos" / p["path"]).is_file() for p in evidence)
    result = visits.score_visit(demo, renewal.id)
    assert not result.classable and [o.code for o in result.result.failed_onc] == ["95"]
    nxt = visit_of(demo, commune="Montreuil-sur-Mer", state="planned")
    assert nxt.planned_on > TODAY and nxt.previous_visit_id == renewal.id


def test_s3_advisory_visit_near_saint_omer(demo: Database) -> None:
    v = visit_of(demo, commune="Tilques", kind="visite_conseil")
    assert v.state == "completed" and v.requested_category == 3 and v.context["capacity"] == 6
    assert visits.score_visit(demo, v.id).highest_classable is not None


def test_a_revised_certificat_keeps_the_old_revision(demo: Database) -> None:
    with demo.session() as s:
        new = s.scalar(select(Visit).where(Visit.revision_of_id.is_not(None)))
        old = s.get(Visit, new.revision_of_id)
    assert new.revision_number == 2 and new.revision_reason and new.state == "issued"
    assert old.superseded and old.state == "issued" and old.context["capacity"] == 5 and new.context["capacity"] == 4
    assert not visits.diff_answers(demo, old_visit_id=old.id, new_visit_id=new.id)


def test_people_and_places_are_fictional_but_the_communes_real(demo: Database) -> None:
    with demo.session() as s:
        org = s.scalar(select(Organisation))
        roles = sorted(u.role for u in s.scalars(select(User)))
        owners = s.scalars(select(Owner)).all()
        places = s.scalars(select(Establishment)).all()
    assert "démonstration" in org.name and org.accreditation_ref and org.signatory_name
    with demo.session() as s:
        assert s.get(Setting, DEMO_SETTING).value == {"seed": 2026, "today": TODAY.isoformat(),
                                                      "organisation": org.name}
    assert roles == sorted(["inspector"] * 3 + ["partner_evaluator", "commission", "admin"])
    assert 55 <= len(owners) <= 65 and 75 <= len(places) <= 85
    assert all(o.email.endswith("@example.org") for o in owners)
    for e in places:
        assert len(e.insee_code) == 5 and e.insee_code.startswith("62"), e.name
        assert COMMUNES[e.commune] == (e.insee_code, e.postcode), e.name
    kinds = {(e.kind, e.commune) for e in places}
    assert ("restaurant", "Arras") in kinds and ("chambre_hotes", "Wissant") in kinds
    assert any(k == "site" for k, _ in kinds)
    assert sum(e.kind == "meuble" for e in places) >= 70
    assert {e.layout for e in places if e.kind == "meuble"} >= {"studio", "T2", "T3", "maison 3 chambres"}


def test_answers_come_from_the_grid_and_were_recorded_one_by_one(demo: Database) -> None:
    with demo.session() as s:
        done = s.scalars(select(Visit).where(Visit.state.in_(("acquired", "issued")))).all()
        observations = s.scalars(select(Observation).where(Observation.visit_id == done[0].id)).all()
    assert len(observations) >= 100
    assert sorted(o.seq for o in observations) == list(range(1, len(observations) + 1))
    for v in done:
        assert visits.score_visit(demo, v.id, partial=False).classable, v.id
    with pytest.raises(ValueError, match="déjà"):
        build_demo_database(demo, today=TODAY)


def snapshot(db: Database) -> list[tuple[Any, ...]]:
    """The content of the demo without ids and clock times."""
    with db.session() as s:
        rows = s.execute(
            select(Establishment.name, Establishment.commune, Establishment.capacity, Owner.name, Visit.kind,
                   Visit.state, Visit.requested_category, Visit.planned_on, Visit.visited_on, Visit.issued_on,
                   Visit.received_on, Visit.refused_on, Visit.acquired_on, Visit.valid_until, Visit.revision_number,
                   Visit.id)
            .join(Establishment, Establishment.id == Visit.establishment_id)
            .join(Owner, Owner.id == Establishment.owner_id)).all()
        out = []
        for *fields, vid in rows:
            answers = s.execute(select(Observation.criterion, Observation.value, Observation.points,
                                       Observation.comment).where(Observation.visit_id == vid)
                                .order_by(Observation.seq)).all()
            out.append((*fields, tuple(map(tuple, answers))))
        places = s.execute(select(Establishment.name, Establishment.commune, Establishment.layout,
                                  Establishment.current_category, Establishment.category_valid_until)).all()
    return sorted(out, key=repr) + sorted(map(tuple, places), key=repr)


def test_same_seed_same_demo_even_on_a_leap_day(tmp_path: Path) -> None:
    leap_day = dt.date(2028, 2, 29)
    snapshots = []
    for name in ("a", "b"):
        db = open_database(tmp_path / name / "inspector.sqlite")
        try:
            build_demo_database(db, today=leap_day, seed=7)
            check_office_lists(db, leap_day)
            snapshots.append(snapshot(db))
        finally:
            db.close()
    assert snapshots[0] == snapshots[1]


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", "--data-dir", str(tmp_path), "demo-data", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_command_creates_refuses_then_replaces_after_a_backup(tmp_path: Path) -> None:
    first = run_cli(tmp_path)
    assert first.returncode == 0, first.stderr
    assert str(tmp_path / "inspector.sqlite") in first.stdout and "acquis" in first.stdout
    again = run_cli(tmp_path)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert "--force" in again.stderr and "établissement" in again.stderr
    assert not (tmp_path / "backups").exists()
    forced = run_cli(tmp_path, "--force")
    assert forced.returncode == 0, forced.stderr
    backups = list((tmp_path / "backups").glob("*.sqlite"))
    assert len(backups) == 1 and str(backups[0]) in forced.stdout
    db = open_database(tmp_path / "inspector.sqlite")
    try:
        assert len(queries.list_visits(db, limit=1000)) == sum(queries.counts_by_state(db).values())
        with db.session() as s:
            assert len(s.scalars(select(Establishment)).all()) == 85  # 80 meublés, 5 label candidates
    finally:
        db.close()
    old = open_database(backups[0])
    try:
        assert sum(queries.counts_by_state(old).values()) > 0
    finally:
        old.close()


def test_visits_overview_shows_the_office_lists(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    base = [sys.executable, "-m", "inspector", "--data-dir", str(tmp_path)]
    assert subprocess.run([*base, "demo-data"], capture_output=True, cwd=root, timeout=300).returncode == 0
    out = subprocess.run([*base, "visits", "overview"], capture_output=True, text=True, cwd=root, timeout=120)
    assert out.returncode == 0, out.stderr
    for title in ("Visites du jour", "Rapports à émettre", "Fenêtres de refus ouvertes",
                  "Classements expirant dans les 6 mois (12)"):
        assert title in out.stdout
    assert "Wimereux (Martine Dufour)" in out.stdout
    show = subprocess.run([*base, "visits", "list", "--search", "wimereux", "--json"], capture_output=True,
                          text=True, cwd=root, timeout=120)
    assert show.returncode == 0 and "Wimereux" in show.stdout
    bad = subprocess.run([*base, "visits", "show", "zzzz"], capture_output=True, text=True, cwd=root, timeout=120)
    assert bad.returncode == 2 and "visite « zzzz » introuvable" in bad.stderr


def test_label_scenarios_s4_and_s5_are_in_the_demo(demo: Database) -> None:
    """S4: the brasserie's T&H dossier is submitted, moteur fails the door width; S5: the chambre d'hôtes meets the
    Accueil Vélo prerequisites thanks to its Chambre d'hôtes Référence, the bike hirer 7 km away does not."""
    demo_db = demo

    def one(search: str, kind: str) -> str:
        rows = [r for r in queries.list_visits(demo_db, today=TODAY, search=search) if r.kind == kind]
        assert len(rows) == 1, (search, kind)
        return rows[0].id

    brasserie = one("Beffroi", "th_primo")
    result = visits.score_visit(demo_db, brasserie, partial=False)
    assert result.passed_levels == ["auditif", "visuel"] and result.proposed
    assert "CB06" in result.levels["moteur"].failed_mandatory
    with demo_db.session() as s:
        row = s.get(Visit, brasserie)
        assert row.state == "submitted" and row.opinion and row.second_evaluator_id is not None
    oyats = visits.score_visit(demo_db, one("Oyats", "accueil_velo"))
    assert oyats.prerequisites_ok
    hirer = visits.score_visit(demo_db, one("Vélos des 7 Vallées", "accueil_velo"))
    assert [p.ok for p in hirer.prerequisites if "5 km" in p.text] == [False]
