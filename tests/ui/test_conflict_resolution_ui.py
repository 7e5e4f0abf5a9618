"""Resolving conflicts in the app: the buttons of the conflicts view, confirmation, the list refreshing, and a whole
round trip (conflict, « Garder ma version », sync) against a real local server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QStyle, QStyleOptionViewItem
from sqlalchemy import text

from inspector.db.database import open_database
from inspector.services import visits
from inspector.sync import conflicts, state, sync
from tests.sync.conftest import Server
from ui.models.conflict_model import SERVER_COLUMN, KeyRole
from ui.screens.sync_dialog import SyncConfig, SyncDialog, save_config

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # light argon2 for every account made here


class Answers:
    """Stands in for QMessageBox.question: answers Yes unless told otherwise (`next`); keeps the questions."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.next: list[QMessageBox.StandardButton] = []

    def __call__(self, _parent, title, body, *_args, **_kwargs) -> QMessageBox.StandardButton:
        self.asked.append((title, body))
        return self.next.pop(0) if self.next else QMessageBox.StandardButton.Yes


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    stand_in = Answers()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(stand_in))
    return stand_in


def open_dialog(qtbot, ctx) -> SyncDialog:
    d = SyncDialog(ctx)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.controller.status is not None, timeout=10000)
    return d


def click_check_box(qtbot, view, cell) -> None:
    """Click the check box the tree draws in a cell."""
    option = QStyleOptionViewItem()
    view.tree.itemDelegate().initStyleOption(option, cell)
    option.rect = view.tree.visualRect(cell)
    box = view.tree.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view.tree)
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=box.center())


def settle(qtbot, dialog: SyncDialog) -> None:
    """Let the refresh that follows a data change (delayed by a timer) finish before the dialog goes away."""
    qtbot.waitUntil(lambda: not dialog.controller._timer.isActive(), timeout=10000)
    dialog.ctx.runner.wait_idle()


def visit_values(ctx, visit_id: str) -> tuple:
    with ctx.db.engine.connect() as conn:
        return conn.execute(text("SELECT context, observations_text, pending_sync, row_version FROM visits "
                                 "WHERE id = :v"), {"v": visit_id}).one()


def add_sample_conflict(ctx) -> tuple[str, str]:
    """A visit edited here (pending, based on server version 4) and a conflict naming the server's values."""
    with ctx.db.engine.begin() as conn:
        visit_id = conn.exec_driver_sql("SELECT id FROM visits WHERE state = 'in_progress' LIMIT 1").scalar()
        conn.execute(text("UPDATE visits SET observations_text = 'Terrasse refaite', pending_sync = 1, "
                          "row_version = :rv WHERE id = :v"), {"v": visit_id, "rv": state.synced_version(4) + 1})
        context = conn.execute(text("SELECT context FROM visits WHERE id = :v"), {"v": visit_id}).scalar()
        conflict_id = str(uuid.uuid4())
        state.add_conflicts(conn, [{
            "id": conflict_id, "key": conflict_id, "origin": "envoi", "table": "visits", "row_id": visit_id,
            "server_version": 5, "base_version": 4, "message": "modifié sur le serveur depuis la version 4",
            "detected_at": "2026-11-25T09:12:44", "status": "open",
            "fields": [{"field": "context", "server": {**json.loads(context), "capacity": 9},
                        "client": json.loads(context)},
                       {"field": "observations_text", "server": "Terrasse à refaire", "client": "Terrasse refaite"}]}])
    return visit_id, conflict_id


def test_buttons_resolve_the_selected_conflict_after_confirmation(qtbot, ctx, answers: Answers) -> None:
    ctx.user_id = "utilisateur-du-poste"
    visit_id, conflict_id = add_sample_conflict(ctx)
    dialog = open_dialog(qtbot, ctx)
    view = dialog.conflicts
    qtbot.waitUntil(lambda: view.count() == 1, timeout=10000)
    assert view.selected_key() == conflict_id  # the first conflict is selected
    assert view.model.data(view.model.index(0, 0), KeyRole) == conflict_id
    assert view.mine_button.isEnabled() and view.server_button.isEnabled() and view.merge_button.isEnabled()
    assert view.mine_button.text() == "&Garder ma version"
    assert view.server_button.text() == "&Prendre la version du serveur"
    assert "prochaine synchronisation" in view.note.text()

    # a merge with no server value checked says what to do, asks nothing
    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    assert "Cochez d'abord" in view.message.text() and answers.asked == []

    # "No" to the confirmation: nothing happens
    answers.next.append(QMessageBox.StandardButton.No)
    qtbot.mouseClick(view.server_button, Qt.MouseButton.LeftButton)
    assert len(answers.asked) == 1 and "Prendre la version du serveur ?" in answers.asked[0][1]
    assert not dialog.controller.resolving and view.count() == 1
    assert visit_values(ctx, visit_id)[1] == "Terrasse refaite"

    # check the server's capacity, keep this computer's text, merge
    top = view.model.index(0, 0)
    field_rows = {view.model.data(view.model.index(r, 0, top)): r for r in range(view.model.rowCount(top))}
    cell = view.model.index(field_rows["context"], SERVER_COLUMN, top)
    assert view.model.flags(cell) & Qt.ItemFlag.ItemIsUserCheckable
    click_check_box(qtbot, view, cell)
    assert view.model.data(cell, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert view.model.field_choices(0) == {"context": "server", "observations_text": "mine"}
    with qtbot.waitSignal(dialog.controller.resolve_finished, timeout=10000) as blocker:
        qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
        assert not view.mine_button.isEnabled()  # one resolution at a time
    assert blocker.args[0] is True, blocker.args[1]
    assert "Fusionner" in answers.asked[1][1]
    qtbot.waitUntil(lambda: view.count() == 0, timeout=10000)  # the list refreshed: resolved, out of the list
    assert view.empty.isVisible() and dialog.conflicts_box.title() == "Conflits à examiner (0)"
    assert "prochaine synchronisation" in view.message.text()
    context, note, pending, row_version = visit_values(ctx, visit_id)
    assert '"capacity": 9' in context and note == "Terrasse refaite" and pending
    assert row_version == state.synced_version(5) + 1  # an edit on top of the server's version
    [entry] = conflicts.history(ctx.db)
    assert entry["status"] == "resolving" and entry["resolution"]["choice"] == "merge"
    assert entry["resolution"]["by"] == "utilisateur-du-poste"
    assert entry["resolution"]["fields"] == {"context": "server", "observations_text": "mine"}
    with ctx.db.engine.connect() as conn:
        who = conn.execute(text("SELECT user_id FROM audit_log WHERE action = 'sync.conflict.resolve' "
                                "AND row_id = :v"), {"v": visit_id}).scalar()
    assert who == "utilisateur-du-poste"
    settle(qtbot, dialog)


def test_take_the_servers_version_button(qtbot, ctx, answers: Answers) -> None:
    visit_id, _conflict_id = add_sample_conflict(ctx)
    dialog = open_dialog(qtbot, ctx)
    view = dialog.conflicts
    qtbot.waitUntil(lambda: view.count() == 1, timeout=10000)
    with qtbot.waitSignal(dialog.controller.resolve_finished, timeout=10000) as blocker:
        qtbot.mouseClick(view.server_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] is True
    qtbot.waitUntil(lambda: view.count() == 0, timeout=10000)
    context, note, pending, row_version = visit_values(ctx, visit_id)
    assert '"capacity": 9' in context and note == "Terrasse à refaire" and not pending
    assert row_version == state.synced_version(5)
    settle(qtbot, dialog)


def test_keep_mine_round_trip_through_the_dialog(qtbot, ctx, server: Server, answers: Answers, tmp_path: Path) -> None:
    save_config(ctx.settings, SyncConfig(server.url, "nicolas", "admin", server.token("nicolas")))
    dialog = open_dialog(qtbot, ctx)
    with qtbot.waitSignal(dialog.controller.sync_finished, timeout=120000):
        assert dialog.sync_now()
    with ctx.db.engine.connect() as conn:
        visit_id, evaluator = conn.exec_driver_sql(
            "SELECT id, evaluator_id FROM visits WHERE state = 'in_progress' LIMIT 1").one()
    owner = next(name for name, pid in server.people.items() if pid == evaluator)
    (tmp_path / "other").mkdir()
    other = open_database(tmp_path / "other" / "inspector.sqlite")
    try:
        sync(other, server.url, server.token(owner))
        visits.set_context(other, visit_id=visit_id, context={"capacity": 5})
        sync(other, server.url, server.token(owner))
        visits.set_context(ctx.db, visit_id=visit_id, context={"capacity": 3})
        with qtbot.waitSignal(dialog.controller.sync_finished, timeout=120000) as blocker:
            assert dialog.sync_now()
        assert len(blocker.args[0].conflicts) == 1
        view = dialog.conflicts
        qtbot.waitUntil(lambda: view.count() == 1, timeout=10000)
        assert not view.mine_button.isEnabled() or not dialog.controller.running
        with qtbot.waitSignal(dialog.controller.resolve_finished, timeout=10000):
            qtbot.mouseClick(view.mine_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.count() == 0, timeout=10000)
        with qtbot.waitSignal(dialog.controller.sync_finished, timeout=120000) as blocker:
            assert dialog.sync_now()
        report = blocker.args[0]
        assert len(report.resolved) == 1 and not report.conflicts, report.summary()
        assert "Conflits résolus : 1" in dialog.result_label.text()
        assert '"capacity":3' in str(server.scalar("SELECT data FROM records WHERE row_id = :v", v=visit_id))
        assert server.scalar("SELECT resolution FROM conflicts") == "client"
        sync(other, server.url, server.token(owner))
        with other.engine.connect() as conn:
            context = conn.execute(text("SELECT context FROM visits WHERE id = :v"), {"v": visit_id}).scalar()
        assert '"capacity": 3' in context
    finally:
        other.close()
        settle(qtbot, dialog)


def test_conflict_model_with_field_choices_passes_the_model_tester(qtmodeltester) -> None:
    from ui.models.conflict_model import ConflictModel

    model = ConflictModel()
    model.set_conflicts([{"id": "c1", "table": "visits", "row_id": "r1", "status": "open",
                          "fields": [{"field": "state", "server": "issued", "client": "completed"},
                                     {"field": "superseded", "server": True, "client": False}]},
                         {"key": "visits/r2", "table": "visits", "row_id": "r2", "fields": [], "deleted": True}])
    cell = model.index(1, SERVER_COLUMN, model.index(0, 0))
    assert model.setData(cell, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtmodeltester.check(model)
    assert model.field_choices(0) == {"state": "mine", "superseded": "server"}
    assert model.data(model.index(1, 0), KeyRole) == "visits/r2" and not model.has_fields(1)
    assert not model.setData(model.index(0, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    model.set_conflicts(model.conflicts())  # a refresh keeps the choices of conflicts still listed
    assert model.field_choices(0) == {"state": "mine", "superseded": "server"}
    model.set_conflicts([])
    assert model.field_choices(0) == {}
