"""Sync in the app against a real local server: first connection, sync through the dialog, status line, errors in
plain French (authentication, network, demo database towards a remote server), conflicts field by field."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector.sync.status import pending_counts, sync_status
from tests.sync.conftest import PASSWORD, Server, free_port
from ui.models.conflict_model import FieldRole, LocalValueRole, ServerValueRole
from ui.screens.sync_dialog import KEY_SERVER, KEY_TOKEN, KEY_USER, SyncConfig, SyncDialog, save_config

pytestmark = pytest.mark.usefixtures("cheap_hashes")  # light argon2 for every account made here

SAMPLE_CONFLICT = {
    "id": "c0ffee00-0000-4000-8000-000000000001", "origin": "réception", "table": "visits",
    "row_id": "3fbd817e-1111-4222-8333-444455556666", "server_version": 5, "base_version": 4,
    "message": "modifié sur le serveur et sur ce poste", "detected_at": "2026-11-25T09:12:44", "status": "open",
    "label": "Gîte des Dunes (13/11/2026)",
    "fields": [{"field": "state", "server": "issued", "client": "completed"},
               {"field": "context", "server": {"capacity": 6}, "client": {"capacity": 4}},
               {"field": "observations_text", "server": "", "client": "Terrasse refaite"},
               {"field": "superseded", "server": True, "client": False}],
}
DELETED_CONFLICT = {
    "id": "", "origin": "réception", "table": "establishments", "row_id": "9e1c2d3f-aaaa-4bbb-8ccc-dddddddddddd",
    "server_version": 3, "base_version": 2, "message": "supprimé sur le serveur alors que modifié sur ce poste",
    "detected_at": "2026-11-25T09:13:00", "status": "open", "fields": [],
}


@pytest.fixture
def dialog(qtbot, ctx) -> SyncDialog:
    d = SyncDialog(ctx)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.controller.status is not None, timeout=10000)
    return d


def sign_in(qtbot, d: SyncDialog, server: str, user: str, password: str) -> tuple[bool, str]:
    d.server_edit.setText(server)
    d.user_edit.setText(user)
    d.password_edit.setText(password)
    with qtbot.waitSignal(d.controller.login_finished, timeout=30000) as blocker:
        d.connect_to_server()
    return blocker.args[0], blocker.args[1]


def test_first_connection_then_sync_through_the_dialog(qtbot, ctx, server: Server, dialog: SyncDialog) -> None:
    assert dialog.form.isVisible() and not dialog.change_button.isVisible()
    assert pending_counts(ctx.db)  # the demo agency was never sent anywhere
    assert "En attente d'envoi" in dialog.pending_label.text() and "Visite" in dialog.pending_label.text()
    assert dialog.last_label.text() == "Dernière synchronisation : jamais"
    assert not dialog.sync_button.isEnabled()  # sign in first

    ok, text = sign_in(qtbot, dialog, server.url + "/", "nicolas", PASSWORD)
    assert ok, text
    s = ctx.settings
    assert s.value(KEY_SERVER) == server.url and s.value(KEY_USER) == "nicolas" and s.value(KEY_TOKEN)
    assert stat.S_IMODE(Path(s.fileName()).stat().st_mode) == 0o600  # the token is readable by this user only
    assert dialog.password_edit.text() == ""  # the password is not kept anywhere
    assert not dialog.form.isVisible() and dialog.change_button.isVisible()
    assert "nicolas (administrateur)" in dialog.connected_label.text()
    assert dialog.sync_button.isEnabled() and dialog.sync_button.isDefault()

    phases: list[str] = []
    dialog.controller.progress.connect(lambda phase, _d, _t: phases.append(phase))
    with qtbot.waitSignal(dialog.controller.sync_finished, timeout=120000) as blocker:
        assert dialog.sync_now()
        assert not dialog.sync_button.isEnabled() and dialog.progress_bar.isVisible()
        assert not dialog.controller.sync_now()  # one sync at a time
    report = blocker.args[0]
    assert report.pushed > 0 and report.counts_match, report.summary()
    assert "Sauvegarde de la base" in phases and "Envoi des lignes" in phases
    qtbot.waitUntil(lambda: dialog.controller.status is not None and dialog.controller.status.last is not None,
                    timeout=10000)
    assert pending_counts(ctx.db) == {}
    assert dialog.pending_label.text() == "En attente d'envoi : rien"
    assert "réussie" in dialog.last_label.text()
    assert "Envoyé :" in dialog.result_label.text()
    assert dialog.sync_button.isEnabled() and not dialog.progress_bar.isVisible()
    text, _tip = dialog.controller.status_line()
    assert text.startswith("0 en attente · dernière synchro ") and text[-5:-3].isdigit() and text[-3] == ":"
    with ctx.db.engine.connect() as conn:
        visits = conn.exec_driver_sql("SELECT count(*) FROM visits").scalar()
    assert visits and server.scalar("SELECT count(*) FROM records WHERE table_name = 'visits'") == visits


def test_wrong_password_shows_the_authentication_message(qtbot, ctx, server: Server, dialog: SyncDialog) -> None:
    ok, text = sign_in(qtbot, dialog, server.url, "nicolas", "pas-le-bon-mot-de-passe")
    assert not ok
    assert dialog.login_message.text() == text
    assert text.startswith("Identification refusée : vérifiez le nom d'utilisateur et le mot de passe")
    assert "Nom d'utilisateur ou mot de passe incorrect." in text
    assert ctx.settings.value(KEY_TOKEN) is None and dialog.form.isVisible()
    # a token the server no longer accepts (revoked, expired): forgotten, sign in again
    save_config(ctx.settings, SyncConfig(server.url, "nicolas", "admin", "jeton-revoque"))
    with qtbot.waitSignal(dialog.controller.sync_failed, timeout=30000) as blocker:
        assert dialog.sync_now()
    category, text = blocker.args
    assert category == "authentification" and text.startswith("Le jeton de cet ordinateur n'est plus accepté")
    assert ctx.settings.value(KEY_TOKEN) is None and ctx.settings.value(KEY_SERVER) == server.url
    assert dialog.form.isVisible() and dialog.server_edit.text() == server.url


def test_unreachable_server_shows_the_network_message(qtbot, ctx, dialog: SyncDialog) -> None:
    ok, text = sign_in(qtbot, dialog, f"http://127.0.0.1:{free_port()}", "nicolas", PASSWORD)
    assert not ok
    assert text.startswith("Serveur injoignable : vérifiez la connexion")
    assert "injoignable (ConnectError)" in text
    # a saved connection whose server went away: the sync fails with the same category, the status line says so
    save_config(ctx.settings, SyncConfig(f"http://127.0.0.1:{free_port()}", "nicolas", "admin", "jeton"))
    with qtbot.waitSignal(dialog.controller.sync_failed, timeout=30000) as blocker:
        assert dialog.sync_now()
    assert blocker.args[0] == "réseau" and dialog.result_label.text().startswith("Serveur injoignable")
    assert "échec (réseau)" in dialog.last_label.text()
    assert dialog.controller.status_line()[0].startswith("Synchro impossible (réseau) à ")


def test_fields_are_checked_before_anything_is_sent(qtbot, dialog: SyncDialog) -> None:
    dialog.server_edit.setText("inspector.agence.example")
    dialog.user_edit.setText("julie")
    dialog.password_edit.setText("x")
    dialog.connect_to_server()
    assert "adresse complète" in dialog.login_message.text() and not dialog.controller.logging_in
    dialog.server_edit.setText("http://inspector.agence.example")
    assert dialog.insecure_label.isVisible() and "en clair" in dialog.insecure_label.text()
    dialog.server_edit.setText("http://127.0.0.1:8765")
    assert not dialog.insecure_label.isVisible()
    dialog.password_edit.setText("")
    dialog.connect_to_server()
    assert "mot de passe" in dialog.login_message.text()
    assert not dialog.sync_now() and dialog.form.isVisible()  # nothing configured: sign in first


def test_demo_database_towards_a_remote_server_is_refused(qtbot, ctx, dialog: SyncDialog) -> None:
    save_config(ctx.settings, SyncConfig("https://inspector.agence.example", "julie", "inspector", "jeton"))
    with qtbot.waitSignal(dialog.controller.sync_failed, timeout=30000) as blocker:
        assert dialog.sync_now()
    category, text = blocker.args
    assert category == "poste"
    assert text.startswith("Problème sur cet ordinateur :") and "Base de démonstration" in text
    assert "Base de démonstration" in dialog.result_label.text()


def test_conflicts_shown_field_by_field(qtbot, ctx, dialog: SyncDialog) -> None:
    from inspector.sync import state

    with ctx.db.engine.begin() as conn:
        visit_id, name = conn.exec_driver_sql(
            "SELECT v.id, e.name FROM visits v JOIN establishments e ON e.id = v.establishment_id LIMIT 1").one()
        state.add_conflicts(conn, [{**SAMPLE_CONFLICT, "row_id": visit_id, "label": ""}])
    conflicts = sync_status(ctx.db).conflicts
    assert [c["row_id"] for c in conflicts] == [visit_id] and conflicts[0]["label"].startswith(name)
    save_config(ctx.settings, SyncConfig("http://127.0.0.1:9", "julie", "inspector", "jeton"))
    dialog.controller.refresh()
    qtbot.waitUntil(lambda: dialog.conflicts.count() == 1, timeout=10000)
    assert dialog.conflicts_box.title() == "Conflits à examiner (1)"
    model = dialog.conflicts.model
    top = model.index(0, 0)
    assert model.data(top).startswith(f"Visite — {name} (")  # the visit named by its place and date
    assert "modifié sur le serveur et sur ce poste (à la réception, 25/11/2026 " in model.data(top)
    assert model.rowCount(top) == 4 and dialog.conflicts.tree.isExpanded(top)
    assert dialog.conflicts.tree.isFirstColumnSpanned(0, dialog.conflicts.tree.rootIndex())
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == \
        ["Champ", "Sur ce poste", "Sur le serveur"]
    row = [model.data(model.index(0, c, top)) for c in range(3)]
    assert row == ["state", "completed", "issued"]
    assert [model.data(model.index(1, c, top)) for c in range(3)] == \
        ["context", '{"capacity": 4}', '{"capacity": 6}']
    assert [model.data(model.index(2, c, top)) for c in (1, 2)] == ["Terrasse refaite", "(vide)"]
    assert [model.data(model.index(3, c, top)) for c in (1, 2)] == ["non", "oui"]
    assert model.data(model.index(1, 1, top), LocalValueRole) == {"capacity": 4}
    assert model.data(model.index(1, 2, top), ServerValueRole) == {"capacity": 6}
    assert model.data(model.index(1, 0, top), FieldRole) == "context"
    assert "1 conflit(s)" in dialog.controller.status_line()[0]


def test_conflict_model_passes_the_model_tester(qtmodeltester) -> None:
    from ui.models.conflict_model import ConflictModel

    model = ConflictModel()
    qtmodeltester.check(model)
    model.set_conflicts([SAMPLE_CONFLICT, DELETED_CONFLICT])
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.rowCount(model.index(1, 0)) == 0
    assert "supprimé sur le serveur" in model.data(model.index(1, 0))
    assert "Gîte des Dunes (13/11/2026)" in model.data(model.index(0, 0))
    model.retranslate()
    model.set_conflicts([])
    qtmodeltester.check(model)


def test_main_window_status_and_shortcut(qtbot, ctx, server: Server) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.sync.status is not None, timeout=10000)
    assert window.sync_status.text() == "Synchro : non configurée"
    assert window.sync_action.shortcut().toString() == "Ctrl+Shift+S"
    window.sync_action.trigger()  # no server yet: the first-connection dialog opens
    d = window._sync_dialog
    assert d is not None and d.isVisible() and d.form.isVisible()
    ok, _text = sign_in(qtbot, d, server.url, "nicolas", PASSWORD)
    assert ok
    d.close()
    with qtbot.waitSignal(window.sync.sync_finished, timeout=120000):
        window.sync_action.trigger()
        assert window.sync_status.text().startswith("Synchronisation en cours")
    qtbot.waitUntil(lambda: window.sync_status.text().startswith("0 en attente · dernière synchro "), timeout=10000)
    ctx.runner.wait_idle()
