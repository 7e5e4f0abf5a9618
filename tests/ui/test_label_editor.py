"""A Tourisme & Handicap evaluation in the visit editor: answers for every family or one family, live per-family
results, the pair's record, and submission to the commission (which freezes the evaluation)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from inspector.db.models import Establishment, Observation, Visit
from inspector.services import visits
from tests.conftest import DATA
from ui.screens.visit_editor import VisitEditor


@pytest.fixture
def th_visit(ctx, monkeypatch) -> str:
    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", str(DATA / "grids"))
    with ctx.db.session() as s:
        est = Establishment(kind="restaurant", name="Le Phare", commune="Boulogne-sur-Mer")
        s.add(est)
        s.commit()
        est_id = est.id
    return visits.create_visit(ctx.db, establishment_id=est_id, kind="th_primo", grid_id="TH-EXEMPLE-TEST",
                               requested_families=["auditif", "moteur"], typology="restauration",
                               planned_on=dt.date(2026, 11, 25)).value


@pytest.fixture
def editor(qtbot, ctx) -> VisitEditor:
    widget = VisitEditor(ctx)
    qtbot.addWidget(widget)
    widget.resize(1366, 800)
    widget.show()
    return widget


def open_visit(qtbot, editor: VisitEditor, visit_id: str) -> None:
    with qtbot.waitSignal(editor.loaded, timeout=10000):
        editor.open_visit(visit_id)


def test_th_evaluation_from_first_answer_to_submission(qtbot, ctx, editor, th_visit) -> None:
    open_visit(qtbot, editor, th_visit)
    assert editor.is_label() and editor.panes.currentWidget() is editor.label_pane
    assert editor.side.isTabVisible(2)
    # Only the families requested are shown; T1 (moteur X) is the first criterion to answer.
    assert editor.current_code() == "T1"
    assert [x.level for x in editor._family_lines(editor.grid.criterion("T1"))] == ["auditif", "moteur"]
    assert "exemple" in editor.label_result_panel.provenance.text().lower()
    # Keyboard: O answers "met" for every family at once and moves on.
    for _ in range(10):
        if editor.current_code() is None or editor.model.node_state(editor.current_code()) != "none":
            break
        qtbot.keyClick(editor.tree, Qt.Key.Key_O)
    assert editor.result is not None and not editor.result.provisional
    assert editor.result.passed_levels == ["auditif", "moteur"]
    # Both families pass, but the sworn statement of compliance (a prerequisite) is not recorded yet.
    assert not editor.result.proposed and not editor.result.prerequisites_ok
    assert "pas d'attribution" in editor.label_result_panel.heading.text()
    editor.side.setCurrentIndex(2)
    editor.record_panel.sworn.setChecked(True)
    assert editor.record_panel.save()
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.sworn_statement_on is not None, timeout=10000)
    assert editor.result.proposed
    assert "Proposition : attribution" in editor.label_result_panel.heading.text()
    # One family differs: T6 is a confort d'usage criterion for auditif and moteur; moteur says "not met".
    editor.go_to("T6")
    qtbot.mouseClick(editor.label_pane.family_buttons[("moteur", "no")], Qt.MouseButton.LeftButton)
    assert editor.label_pane.family_buttons[("moteur", "no")].isChecked()
    assert editor.label_pane.family_buttons[("auditif", "yes")].isChecked()
    moteur = editor.result.levels["moteur"]
    assert (moteur.confort_met, moteur.confort_total) == (1, 2) and not moteur.passed
    assert editor.result.passed_levels == ["auditif"] and not editor.result.proposed
    assert "Moteur" in editor.label_result_panel.body.text()
    with ctx.db.session() as s:
        levels = {(o.criterion, o.level, o.value) for o in s.scalars(select(Observation).where(
            Observation.visit_id == th_visit))}
    assert ("T6", "moteur", "no") in levels and ("T6", "", "yes") in levels
    # Finish, then the pair's record and submission.
    editor.finish()
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.row.state == "completed", timeout=10000)
    panel = editor.record_panel
    assert panel.submit_button.isEnabled()
    panel.opinion.setPlainText("Accueil attentif ; la boucle magnétique est en place.")
    panel.sworn.setChecked(True)
    panel.sworn_ref.setText("DH-2026-14")
    assert panel.submit(confirm=False)
    qtbot.waitUntil(lambda: editor.detail is not None and editor.detail.row.state == "submitted", timeout=10000)
    with ctx.db.session() as s:
        v = s.get(Visit, th_visit)
        assert v.state == "submitted" and v.submitted_at is not None
        assert v.opinion.startswith("Accueil attentif") and v.sworn_statement_ref == "DH-2026-14"
        assert v.sworn_statement_on is not None
    # Frozen: no answer can change any more.
    assert not editor.editable
    assert not editor.save_label_answer("T1", "no", "", advance=False)
    with pytest.raises(visits.ServiceError):
        visits.record_answer(ctx.db, visit_id=th_visit, criterion="T1", value="no")


def test_submission_needs_the_reasoned_opinion(ctx, th_visit) -> None:
    for code in ("T1", "T2", "T3", "T4", "T5", "T6", "T7"):
        visits.record_answer(ctx.db, visit_id=th_visit, criterion=code, value="yes")
    visits.complete_visit(ctx.db, visit_id=th_visit)
    with pytest.raises(visits.ServiceError, match="avis motivé"):
        visits.submit_visit(ctx.db, visit_id=th_visit)
    visits.set_label_record(ctx.db, visit_id=th_visit, opinion="Avis favorable pour les deux familles.")
    visits.submit_visit(ctx.db, visit_id=th_visit)
    with pytest.raises(visits.ServiceError):
        visits.set_label_record(ctx.db, visit_id=th_visit, opinion="Changement après soumission")


def test_scope_refuses_unknown_family_and_typology(ctx, th_visit) -> None:
    with pytest.raises(visits.ServiceError, match="inconnue"):
        visits.set_label_scope(ctx.db, visit_id=th_visit, families=["olfactif"])
    with pytest.raises(visits.ServiceError, match="Typologie"):
        visits.set_label_scope(ctx.db, visit_id=th_visit, typology="piscine")
    visits.set_label_scope(ctx.db, visit_id=th_visit, families=["visuel", "mental"], typology="hebergement_erp")
    with ctx.db.session() as s:
        v = s.get(Visit, th_visit)
        assert v.requested_families == ["mental", "visuel"] and v.typology == "hebergement_erp"


def test_answers_merged_from_two_laptops_that_differ_are_shown_side_by_side(qtbot, ctx, editor, th_visit) -> None:
    from inspector.db.models import User

    with ctx.db.session() as s:
        julie = s.scalar(select(User.id).where(User.name == "Julie Caron"))
        marc = s.scalar(select(User.id).where(User.name == "Marc Hennebelle"))
        # As the sync leaves them: two first answers to T2, each written without knowing the other.
        for seq, (who, value, note) in enumerate(((julie, "yes", ""), (marc, "no", "Boucle en panne")), start=1):
            s.add(Observation(visit_id=th_visit, criterion="T2", level="", value=value, comment=note,
                              author_id=who, seq=seq, based_on=[]))
        s.commit()
    open_visit(qtbot, editor, th_visit)
    assert "T2" in editor.message.text()
    editor.go_to("T2")
    banner = editor.label_pane.disagreement
    assert banner.isVisible()
    assert "Julie Caron : Rempli" in banner.text() and "Marc Hennebelle : Non rempli « Boucle en panne »" in \
        banner.text()
    with pytest.raises(visits.ServiceError, match="pas d'accord sur T2"):
        for code in ("T1", "T3", "T4", "T5", "T6", "T7"):
            visits.record_answer(ctx.db, visit_id=th_visit, criterion=code, value="yes")
        visits.complete_visit(ctx.db, visit_id=th_visit)
    editor.go_to("T2")
    qtbot.mouseClick(editor.label_pane.all_buttons["no"], Qt.MouseButton.LeftButton)
    assert visits.disagreements(ctx.db, th_visit) == []
    assert "T2" not in editor.message.text()
    editor.go_to("T2")
    assert not editor.label_pane.disagreement.isVisible()


def test_accueil_velo_decision_from_the_evaluation_tab(qtbot, ctx, editor, monkeypatch) -> None:
    from inspector.db.models import EstablishmentLabel

    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", str(DATA / "grids"))
    with ctx.db.session() as s:
        est = Establishment(kind="loueur_velos", name="Cycles du Littoral", commune="Wimereux")
        s.add(est)
        s.commit()
        est_id = est.id
    vid = visits.create_visit(ctx.db, establishment_id=est_id, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                              typology="loueur", context={"distance_to_route_km": 1.5, "typology": "loueur"},
                              planned_on=dt.date(2026, 11, 20)).value
    for code in ("AV1", "AV2", "AV4", "AV5"):
        visits.record_answer(ctx.db, visit_id=vid, criterion=code, value="yes",
                             at=dt.datetime(2026, 11, 20, 10, 0))
    visits.complete_visit(ctx.db, visit_id=vid)
    open_visit(qtbot, editor, vid)
    assert editor.result.proposed
    assert editor.record_panel.decide_button.isVisibleTo(editor.record_panel)
    dialog = editor.decide(modal=False)
    qtbot.addWidget(dialog)
    assert dialog.outcome.currentData() == "granted" and "attribution" in dialog.proposal.text()
    dialog.date.setDate(dialog.date.date().fromString("2026-11-24", "yyyy-MM-dd"))
    dialog.decided_by.setText("Pas-de-Calais Tourisme")
    assert dialog.record(), dialog.error.text()
    assert dialog.decision.number.startswith("AV-2026-")
    with ctx.db.session() as s:
        assert s.get(Visit, vid).state == "acquired"
        held = s.scalars(select(EstablishmentLabel).where(EstablishmentLabel.establishment_id == est_id)).one()
        assert held.label == "accueil_velo" and held.valid_until == dt.date(2029, 11, 23)


def test_a_refusal_without_reason_is_refused_and_nothing_is_written(qtbot, ctx, editor, th_visit) -> None:
    from inspector.db.models import Decision

    for code in ("T1", "T2", "T3", "T4", "T5", "T6", "T7"):
        visits.record_answer(ctx.db, visit_id=th_visit, criterion=code, value="yes")
    visits.complete_visit(ctx.db, visit_id=th_visit)
    visits.set_label_record(ctx.db, visit_id=th_visit, opinion="Favorable.", sworn_statement_on=dt.date(2026, 11, 1))
    visits.submit_visit(ctx.db, visit_id=th_visit)
    open_visit(qtbot, editor, th_visit)
    dialog = editor.decide(modal=False)
    qtbot.addWidget(dialog)
    assert set(dialog.family_boxes) == {"auditif", "moteur"}
    dialog.family_boxes["moteur"].setCurrentIndex(1)  # refused, departing from the proposal, without any reason
    assert not dialog.record()
    assert dialog.error.text()
    with ctx.db.session() as s:
        assert s.scalars(select(Decision).where(Decision.visit_id == th_visit)).first() is None
        assert s.get(Visit, th_visit).state == "submitted"


def test_the_opinion_is_saved_when_the_evaluator_leaves_it(qtbot, ctx, editor, th_visit) -> None:
    open_visit(qtbot, editor, th_visit)
    editor.side.setCurrentIndex(2)
    panel = editor.record_panel
    panel.opinion.setFocus()
    qtbot.keyClicks(panel.opinion, "Accueil attentif")
    panel.sworn_ref.setFocus()  # focus leaves the opinion
    qtbot.waitUntil(lambda: _opinion(ctx, th_visit) == "Accueil attentif", timeout=5000)
    qtbot.keyClicks(panel.sworn_ref, "DH-7")
    qtbot.keyClick(panel.sworn_ref, Qt.Key.Key_Return)
    with ctx.db.session() as s:
        assert s.get(Visit, th_visit).sworn_statement_ref == "DH-7"


def _opinion(ctx, visit_id: str) -> str:
    with ctx.db.session() as s:
        return s.get(Visit, visit_id).opinion


def test_ctrl_enter_in_the_comment_saves_it(qtbot, ctx, editor, th_visit) -> None:
    open_visit(qtbot, editor, th_visit)
    code = editor.current_code()
    qtbot.keyClick(editor.tree, Qt.Key.Key_O)
    editor.go_to(code)
    editor.label_pane.comment.setFocus()
    qtbot.keyClicks(editor.label_pane.comment, "Largeur 90 cm")
    qtbot.keyClick(editor.label_pane.comment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert visits.answers_of(ctx.db, th_visit)[(code, "")].comment == "Largeur 90 cm"


def test_ticking_the_sworn_statement_records_it_at_once(qtbot, ctx, editor, th_visit) -> None:
    open_visit(qtbot, editor, th_visit)
    editor.side.setCurrentIndex(2)
    qtbot.mouseClick(editor.record_panel.sworn, Qt.MouseButton.LeftButton)
    with ctx.db.session() as s:
        assert s.get(Visit, th_visit).sworn_statement_on is not None
    qtbot.waitUntil(lambda: editor.result is not None and editor.result.prerequisites_ok, timeout=10000)
