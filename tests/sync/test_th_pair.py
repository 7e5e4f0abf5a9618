"""A Tourisme & Handicap evaluation by the pair of evaluators on two laptops: both record offline, the observations
merge through the server, the one criterion they answered differently is shown side by side, the pair records the
agreed answer, and the evaluation goes to the commission."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from inspector.db.database import check_database
from inspector.db.models import Establishment, Visit
from inspector.services import visits
from inspector.sync import sync
from tests.conftest import DATA

from .conftest import Server

CODES = ("T1", "T2", "T3", "T4", "T5", "T6", "T7")


@pytest.fixture(autouse=True)
def example_grids(monkeypatch) -> None:
    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", str(DATA / "grids"))


def test_two_evaluators_two_laptops_one_disagreement_then_submitted(server: Server, laptop) -> None:
    julie, marc = server.people["julie"], server.people["marc"]
    a = laptop("a")  # the agency's evaluator
    sync(a, server.url, server.token("nicolas"))  # the agency's people and places reach the server first
    with a.session() as s:
        est = Establishment(kind="restaurant", name="Brasserie du Port", commune="Étaples")
        s.add(est)
        s.commit()
        est_id = est.id
    visit_id = visits.create_visit(a, establishment_id=est_id, kind="th_primo", grid_id="TH-EXEMPLE-TEST",
                                   requested_families=["auditif", "moteur"], typology="restauration",
                                   evaluator_id=julie, second_evaluator_id=marc,
                                   planned_on=dt.date(2026, 11, 25)).value
    visits.start_visit(a, visit_id=visit_id, visited_on=dt.date(2026, 11, 25), user_id=julie)
    first = sync(a, server.url, server.token("julie"))
    assert not first.refused and not first.conflicts, first.summary()

    b = laptop("b", empty=True)  # the partner evaluator's laptop receives the visit assigned to him
    sync(b, server.url, server.token("marc"))
    with b.session() as s:
        assert s.get(Visit, visit_id).second_evaluator_id == marc

    # On site, offline: each records on their own laptop; they differ on T6 only.
    for code in CODES:
        visits.record_answer(a, visit_id=visit_id, criterion=code, value="yes", author_id=julie)
    for code in CODES:
        visits.record_answer(b, visit_id=visit_id, criterion=code, value="no" if code == "T6" else "yes",
                             comment="Comptoir à 95 cm" if code == "T6" else "", author_id=marc)
    assert visits.disagreements(a, visit_id) == [] and visits.disagreements(b, visit_id) == []

    for db, who in ((a, "julie"), (b, "marc"), (a, "julie")):
        report = sync(db, server.url, server.token(who))
        assert not report.conflicts and not report.refused, report.summary()

    # Both laptops hold both evaluators' observations; T6 is shown with both answers, nothing was overwritten.
    for db in (a, b):
        found = visits.disagreements(db, visit_id)
        assert [(d.criterion, d.level) for d in found] == [("T6", "")]
        sides = {x.author_id: (x.value, x.comment) for x in found[0].answers}
        assert sides == {julie: ("yes", ""), marc: ("no", "Comptoir à 95 cm")}
        assert check_database(db.path) == []
    with pytest.raises(visits.ServiceError, match="pas d'accord sur T6"):
        visits.complete_visit(a, visit_id=visit_id, user_id=julie)

    # The pair agrees (the counter is too high): the agreed answer replaces both; the log keeps all three.
    visits.record_answer(a, visit_id=visit_id, criterion="T6", value="no", comment="Retenu par le binôme",
                         author_id=julie)
    assert visits.disagreements(a, visit_id) == []
    visits.complete_visit(a, visit_id=visit_id, user_id=julie)
    visits.set_label_record(a, visit_id=visit_id, opinion="Comptoir abaissé absent : confort d'usage moteur à "
                            "revoir.", sworn_statement_on=dt.date(2026, 11, 20), sworn_statement_ref="DH-14")
    visits.submit_visit(a, visit_id=visit_id, user_id=julie)
    result = visits.score_visit(a, visit_id, partial=False)
    assert result.levels["moteur"].confort_met < result.levels["moteur"].confort_total

    sync(a, server.url, server.token("julie"))
    sync(b, server.url, server.token("marc"))
    with b.session() as s:
        copy = s.get(Visit, visit_id)
        assert copy.state == "submitted" and copy.opinion.startswith("Comptoir abaissé")
    assert visits.disagreements(b, visit_id) == []
    assert visits.answers_of(b, visit_id) == visits.answers_of(a, visit_id)
    with b.session() as s:
        from inspector.db.models import Observation

        t6 = s.scalars(select(Observation).where(Observation.visit_id == visit_id, Observation.criterion == "T6"))
        assert len(list(t6)) == 3

    # The commission now reads the submitted dossier.
    c = laptop("c", empty=True)
    sync(c, server.url, server.token("elise"))
    with c.session() as s:
        assert s.get(Visit, visit_id).state == "submitted"
