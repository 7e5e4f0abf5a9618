"""The visit editor driven like an inspector: keyboard alone, from a planned visit to completed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from inspector.db.models import Visit
from inspector.grids.registry import find_grid
from inspector.services import queries, visits
from ui.models.criteria_tree_model import CriteriaFilter, CriteriaTreeModel
from ui.screens.visit_editor import VisitEditor

from .conftest import TODAY


def find_visit(ctx, search: str, state: str) -> str:
    rows = queries.list_visits(ctx.db, today=TODAY, search=search, states=(state,))
    assert rows, (search, state)
    return rows[0].id


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


def test_criteria_tree_model_passes_the_model_tester(qtmodeltester) -> None:
    model = CriteriaTreeModel()
    model.set_grid(find_grid("MT-2022-V2"))
    qtmodeltester.check(model)
    proxy = CriteriaFilter()
    proxy.setSourceModel(model)
    proxy.set_text("cuisine")
    qtmodeltester.check(proxy)
    assert len(model.codes()) == 134 and model.codes()[0] == "PRQ"


def test_a_whole_visit_with_the_keyboard_alone(qtbot, ctx, editor: VisitEditor) -> None:
    """S1: Mme Dufour's studio, planned today; every criterion answered with one key, then Ctrl+T."""
    visit_id = find_visit(ctx, "Dufour", "planned")
    open_visit(qtbot, editor, visit_id)
    assert editor.tree.hasFocus() or editor.isActiveWindow() is not None
    keys = 0
    while editor.next_unanswered(None) is not None and keys < 400:
        code = editor.current_code()
        key = Qt.Key.Key_3 if code == "2" else (Qt.Key.Key_N if code in ("77", "78", "5", "13") else Qt.Key.Key_O)
        qtbot.keyClick(editor.tree, key)
        keys += 1
    assert editor.next_unanswered(None) is None
    assert keys < 140, keys  # about one key per applicable criterion
    assert editor.result.classable and editor.result.highest_classable is not None
    assert "Classable en 2★" in editor.result_panel.heading.text()
    qtbot.keyClick(editor, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.editable, timeout=10000)
    with ctx.db.session() as s:
        assert s.get(Visit, visit_id).state == "completed"
        answers = visits.current_answers(s, visit_id)
    assert answers[("2", "")].points == 3 and answers[("77", "")].value == "no" and answers[("4", "")].value == "yes"
    assert len(answers) == keys


def test_answer_saves_and_updates_the_result_fast(qtbot, ctx, editor: VisitEditor) -> None:
    visit_id = find_visit(ctx, "Dufour", "planned")
    open_visit(qtbot, editor, visit_id)
    editor.go_to("4")
    qtbot.keyClick(editor.tree, Qt.Key.Key_N)
    assert editor.last_timing_ms < 100
    with ctx.db.session() as s:
        assert visits.current_answers(s, visit_id)[("4", "")].value == "no"
    assert editor.model.node_state("4") == "no"
    assert editor.current_code() != "4"  # moved on to the next unanswered criterion
    editor.go_to("4")
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo
    assert editor.model.node_state("4") == "none"


def test_na_only_where_allowed_and_context_applies_live(qtbot, ctx, editor: VisitEditor) -> None:
    visit_id = find_visit(ctx, "Dufour", "planned")
    open_visit(qtbot, editor, visit_id)
    editor.go_to("22")
    assert not editor.pane.na.isEnabled()
    qtbot.keyClick(editor.tree, Qt.Key.Key_A)
    assert "« non applicable » refusé" in editor.message.text()
    assert editor.model.node_state("22") == "none"
    editor.go_to("5")
    assert editor.pane.na.isEnabled() and editor.pane.na_reason.isVisible() is not None
    qtbot.keyClick(editor.tree, Qt.Key.Key_A)
    with ctx.db.session() as s:
        five = visits.current_answers(s, visit_id)[("5", "")]
    assert five.value == "na" and "zones blanches" in five.na_reason
    assert editor.model.node_state("27") == "off"  # a studio: no coffee table needed
    editor.context_editor.widgets["studio"].setChecked(False)
    assert editor.model.node_state("27") == "none"
    with ctx.db.session() as s:
        assert s.get(Visit, visit_id).context["studio"] is False


def test_filters_and_search(qtbot, ctx, editor: VisitEditor) -> None:
    open_visit(qtbot, editor, find_visit(ctx, "Dufour", "planned"))
    qtbot.keyClicks(editor.search, "lave-vaisselle")
    assert editor.current_code() in ("72", "73")
    editor.search.clear()
    qtbot.keyClicks(editor.search, "57")
    assert editor.current_code() == "57"


def test_a_renewal_shows_last_time_answers_and_a_locked_visit_is_read_only(qtbot, ctx, editor: VisitEditor) -> None:
    with ctx.db.session() as s:
        renewal = s.scalar(select(Visit.id).where(Visit.kind == "renouvellement", Visit.previous_visit_id.is_not(None),
                                                  Visit.state == "planned").limit(1))
        acquired = s.scalar(select(Visit.id).where(Visit.state == "acquired").limit(1))
    open_visit(qtbot, editor, renewal)
    editor.go_to("4")
    assert editor.pane.previous.isVisibleTo(editor) and "Visite précédente" in editor.pane.previous.text()
    open_visit(qtbot, editor, acquired)
    assert not editor.editable and not editor.pane.yes.isEnabled()
    editor.go_to("4")
    qtbot.keyClick(editor.tree, Qt.Key.Key_N)
    with ctx.db.session() as s:
        assert visits.current_answers(s, acquired)[("4", "")].value == "yes"


def test_language_switch(qtbot, ctx, editor: VisitEditor) -> None:
    open_visit(qtbot, editor, find_visit(ctx, "Dufour", "planned"))
    ctx.set_language("en")
    assert editor.pane.yes.text().startswith("&Yes") and editor.finish_button.text() == "&Finish visit"
    assert "classifiable" in editor.result_panel.heading.text().lower()
    ctx.set_language("fr")
    assert editor.pane.yes.text().startswith("&Oui")
