"""Synchronisation in the app: first connection (server, user, password), « Synchroniser maintenant » in the
background with its progress, pending rows, last result, conflicts; and the status-bar button of the main window.

Where things are kept:
* the server URL, the user name, the role and the **device token** in QSettings (`sync/…`). The password is never
  stored. For this slice the token sits in the application settings file, which is made readable by this user only
  (0600) on POSIX systems; the registry on Windows is per user. A later slice should move it to the system keychain
  (Secret Service, Keychain, Credential Manager).
* everything about the data (pending rows, last outcome, conflicts) in the database, read through
  `inspector.sync.status` off the UI thread.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.services.common import ServiceError
from inspector.sync import SyncError, SyncReport, conflicts, login, sync
from inspector.sync.errors import AUTH, LOCAL
from inspector.sync.state import is_loopback
from inspector.sync.status import SyncStatus, sync_status

from ..context import AppContext
from ..models.conflict_model import table_label
from ..strings import UI, t
from ..widgets.conflicts_view import ConflictsView

KEY_SERVER, KEY_USER, KEY_ROLE, KEY_TOKEN = "sync/server", "sync/user", "sync/role", "sync/token"
REFRESH_DELAY_MS = 1000  # after data changes, the pending count is read again once things settle
PULLED_TABLES = ("visits", "establishments", "owners", "decisions", "photos", "documents")


@dataclass(frozen=True)
class SyncConfig:
    """Where and as whom this computer syncs (the token belongs to that server)."""

    server: str
    user: str
    role: str
    token: str


def load_config(settings: QSettings) -> SyncConfig | None:
    """The saved connection, None until the first connection succeeds (or after the token was refused)."""
    server, token = str(settings.value(KEY_SERVER, "") or ""), str(settings.value(KEY_TOKEN, "") or "")
    if not server or not token:
        return None
    return SyncConfig(server, str(settings.value(KEY_USER, "") or ""), str(settings.value(KEY_ROLE, "") or ""), token)


def _protect(settings: QSettings) -> None:
    """Write the settings now and make their file private to this user (it holds the device token)."""
    settings.sync()
    path = Path(settings.fileName())
    if os.name == "posix" and path.is_file():
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass


def save_config(settings: QSettings, config: SyncConfig) -> None:
    settings.setValue(KEY_SERVER, config.server)
    settings.setValue(KEY_USER, config.user)
    settings.setValue(KEY_ROLE, config.role)
    settings.setValue(KEY_TOKEN, config.token)
    _protect(settings)


def forget_token(settings: QSettings) -> None:
    """The server refused the token (revoked, expired): keep server and user to sign in again."""
    settings.remove(KEY_TOKEN)
    _protect(settings)


def normalise_server(text: str) -> str | None:
    """`http(s)://host[:port][/path]` without a trailing slash, None when it is not such an address."""
    text = text.strip().rstrip("/")
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return text


def error_text(category: str, message: str) -> str:
    """A sync failure in plain French: what kind of problem and what to do, then the precise reason."""
    key = f"sync.error.{category}"
    head = t(key) if key in UI else category
    return f"{head}\n{message}" if message else head


def outcome_text(outcome: dict[str, Any]) -> str:
    """The text of a recorded outcome: the report's summary, or the failure in plain French."""
    if outcome.get("text"):
        return str(outcome["text"])
    message = str(outcome.get("message", ""))
    return message if outcome.get("ok", True) else error_text(str(outcome.get("category", "")), message)


def role_label(role: str) -> str:
    key = f"sync.role.{role}"
    return t(key) if key in UI else role


def phase_label(phase: str) -> str:
    key = f"sync.phase.{phase}"
    return t(key) if key in UI else phase


def when_text(utc_iso: str, *, today: dt.date | None = None) -> str:
    """A naive UTC ISO time as local « HH:MM » today, « dd/mm HH:MM » another day ("" when unreadable)."""
    try:
        when = dt.datetime.fromisoformat(utc_iso)
    except (TypeError, ValueError):
        return ""
    local = (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone()
    if local.date() == (today or dt.date.today()):
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _run_sync(db: Any, server: str, token: str, progress: Any) -> SyncReport:
    """Worker side: the core sync, its (phase, done, total) progress passed on as the runner's (done, total, phase)."""
    return sync(db, server, token, progress=lambda phase, done, total: progress(done, total, phase))


def _run_login(server: str, user: str, password: str) -> tuple[str, dict[str, Any]]:
    return login(server, user, password, device=socket.gethostname())


class SyncController(QObject):
    """One per window: signs in, syncs in the task runner (one sync at a time), keeps the status up to date."""

    status_changed = Signal()
    running_changed = Signal(bool)
    progress = Signal(str, int, int)  # phase (translated), done, total
    sync_finished = Signal(object)  # SyncReport
    sync_failed = Signal(str, str)  # category, plain French text
    login_finished = Signal(bool, str)  # ok, text to show
    resolve_finished = Signal(bool, str)  # ok, text to show (a conflict resolution)

    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.status: SyncStatus | None = None
        self.running = False
        self.logging_in = False
        self.resolving = False
        self.outcome: dict[str, Any] | None = None  # this session's last sync: at, ok, category, message
        self.last_report: SyncReport | None = None
        self._refreshing = False
        self._refresh_again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        ctx.database_ready.connect(self.refresh)
        ctx.data_changed.connect(lambda _rows: self._timer.start())
        if ctx.db is not None:
            self.refresh()

    # state
    @property
    def config(self) -> SyncConfig | None:
        return load_config(self.ctx.settings)

    @property
    def configured(self) -> bool:
        return self.config is not None

    def last_outcome(self) -> dict[str, Any] | None:
        """The newest known outcome: this session's (it also covers failures before the core records one)."""
        return self.outcome or (self.status.last if self.status else None)

    # status
    def refresh(self) -> None:
        """Read pending counts, last outcome and conflicts again (off the UI thread)."""
        if self.ctx.db is None:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        self.ctx.runner.run(sync_status, self.ctx.db, on_done=self._status_read, on_error=self._status_failed)

    def _status_read(self, status: SyncStatus) -> None:
        self._refreshing = False
        self.status = status
        self.status_changed.emit()
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _status_failed(self, _exc: Exception) -> None:
        self._refreshing = False
        self.status_changed.emit()

    # sign in
    def login(self, server_text: str, user: str, password: str) -> str | None:
        """Start signing in; returns a message when the fields are not usable (nothing started)."""
        server = normalise_server(server_text)
        if server is None:
            return t("sync.need.server")
        if not user.strip() or not password:
            return t("sync.need.user")
        if self.logging_in:
            return None
        self.logging_in = True
        user = user.strip()
        self.ctx.runner.run(_run_login, server, user, password,
                            on_done=lambda result: self._logged_in(server, user, result),
                            on_error=self._login_failed)
        return None

    def _logged_in(self, server: str, user: str, result: tuple[str, dict[str, Any]]) -> None:
        self.logging_in = False
        token, account = result
        role = str(account.get("role", ""))
        save_config(self.ctx.settings, SyncConfig(server, str(account.get("name") or user), role, token))
        self.status_changed.emit()
        self.login_finished.emit(True, t("sync.connected", server=server, user=account.get("name") or user,
                                         role=role_label(role)))

    def _login_failed(self, exc: Exception) -> None:
        self.logging_in = False
        if isinstance(exc, SyncError):
            text = error_text(exc.category, exc.message)
        else:
            text = t("sync.error.unexpected", error=exc)
        self.login_finished.emit(False, text)

    # conflicts
    def resolve(self, key: str, choice: str, fields: dict[str, str] | None = None) -> bool:
        """Resolve a conflict through the core service, off the UI thread; False while a sync or another resolution
        runs (the sync reads the decisions when it starts)."""
        if self.running or self.resolving or self.ctx.db is None:
            return False
        self.resolving = True
        self.ctx.runner.run(conflicts.resolve, self.ctx.db, key, choice, fields, user_id=self.ctx.user_id,
                            on_done=self._resolved, on_error=self._resolve_failed)
        return True

    def _resolved(self, result: Any) -> None:
        self.resolving = False
        self.ctx.notify(result.changed)
        self.ctx.message.emit(t("sync.resolve.done"), 5000)
        self.resolve_finished.emit(True, t("sync.resolve.done"))
        self.refresh()

    def _resolve_failed(self, exc: Exception) -> None:
        self.resolving = False
        error = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        self.resolve_finished.emit(False, t("sync.resolve.failed", error=error))
        self.refresh()

    # sync
    def sync_now(self) -> bool:
        """Start a sync in the background; False when one is running, nothing is configured or no database."""
        config = self.config
        if self.running or self.resolving or config is None:
            return False
        if self.ctx.db is None:
            self._fail(LOCAL, t("sync.error.no_database"))
            return False
        self.running = True
        self.running_changed.emit(True)
        self.progress.emit(t("sync.running"), 0, 0)
        self.ctx.runner.run(_run_sync, self.ctx.db, config.server, config.token, on_done=self._synced,
                            on_error=self._sync_failed, on_progress=self._progressed)
        return True

    def _progressed(self, done: int, total: int, phase: str) -> None:
        self.progress.emit(phase_label(phase), done, total)

    def _stop(self) -> None:
        self.running = False
        self.running_changed.emit(False)

    def _synced(self, report: SyncReport) -> None:
        self.last_report = report
        self.outcome = {"at": _now_iso(), "ok": True, "category": "", "message": report.summary()}
        self._stop()
        if report.pulled or report.pulled_deleted:
            self.ctx.notify({name: set() for name in PULLED_TABLES})
        self.ctx.message.emit(t("sync.done"), 5000)
        self.sync_finished.emit(report)
        self.refresh()

    def _sync_failed(self, exc: Exception) -> None:
        self._stop()
        if not isinstance(exc, SyncError):
            self._fail(LOCAL, t("sync.error.unexpected", error=exc))
            return
        text = error_text(exc.category, exc.message)
        if exc.category == AUTH and exc.status == 401:
            forget_token(self.ctx.settings)
            text = f"{t('sync.error.relogin')}\n{text}"
        self._fail(exc.category, text)

    def _fail(self, category: str, text: str) -> None:
        self.outcome = {"at": _now_iso(), "ok": False, "category": category, "message": text, "text": text}
        self.sync_failed.emit(category, text)
        self.status_changed.emit()
        self.refresh()

    # the status line
    def status_line(self) -> tuple[str, str]:
        """(text, tooltip) for the status bar: pending and last sync, the last error, or progress."""
        if self.config is None and not self.running:
            return t("sync.status.unconfigured"), t("sync.status.unconfigured.tip")
        count = self.status.total_pending if self.status else 0
        conflicts = len(self.status.conflicts) if self.status else 0
        last = self.last_outcome()
        tip = t("sync.status.tip")
        if last and not last.get("ok", True):
            text = t("sync.status.error", category=last.get("category", ""), when=when_text(str(last.get("at", ""))))
            tip = f"{outcome_text(last)}\n\n{tip}"
        elif last:
            text = t("sync.status.line", count=count, when=when_text(str(last.get("at", ""))))
        else:
            text = t("sync.status.never", count=count)
        if conflicts:
            text += t("sync.status.conflicts", count=conflicts)
        return text, tip


class SyncStatusButton(QToolButton):
    """The status-bar button: « 3 en attente · dernière synchro 10:12 », the last error, or the progress."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._progress = ""
        controller.status_changed.connect(self.update_text)
        controller.running_changed.connect(lambda _r: self.update_text())
        controller.progress.connect(self._progressed)
        controller.ctx.language_changed.connect(lambda _l: self.update_text())
        self.update_text()

    def _progressed(self, phase: str, done: int, total: int) -> None:
        self._progress = t("sync.progress", phase=phase, done=done, total=total) if total else phase
        self.update_text()

    def update_text(self) -> None:
        if self.controller.running:
            text, tip = f"{t('sync.running')} {self._progress}".strip(), t("sync.status.tip")
        else:
            self._progress = ""
            text, tip = self.controller.status_line()
        self.setText(text)
        self.setToolTip(tip)
        self.setAccessibleName(t("sync.status.name"))
        self.setAccessibleDescription(text)


class SyncDialog(QDialog):
    """First connection and sync status: server sign-in, « Synchroniser maintenant », pending, last result,
    conflicts. Modeless: the sync runs in the background whether the dialog is open or not."""

    def __init__(self, ctx: AppContext, controller: SyncController | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller or SyncController(ctx, self)
        self._editing_account = False
        self._build()
        c = self.controller
        c.status_changed.connect(self._show_status)
        c.running_changed.connect(self._running)
        c.progress.connect(self._progressed)
        c.sync_finished.connect(self._synced)
        c.sync_failed.connect(self._failed)
        c.login_finished.connect(self._login_done)
        c.resolve_finished.connect(self._resolve_done)
        self.conflicts.resolve_requested.connect(self._resolve)
        ctx.language_changed.connect(lambda _l: self.retranslate())
        self.retranslate()
        self._fill_form()
        self._running(c.running)
        self._show_status()
        c.refresh()

    # layout
    def _build(self) -> None:
        self.resize(900, 640)
        layout = QVBoxLayout(self)

        self.connection_box = QGroupBox()
        box = QVBoxLayout(self.connection_box)
        self.connected_label = QLabel()
        self.connected_label.setWordWrap(True)
        self.change_button = QPushButton()
        self.change_button.clicked.connect(self._change_account)
        row = QHBoxLayout()
        row.addWidget(self.connected_label, 1)
        row.addWidget(self.change_button)
        box.addLayout(row)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        self.server_edit = QLineEdit()
        self.server_edit.textChanged.connect(self._server_edited)
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self.connect_to_server)
        self.connect_button = QPushButton()
        self.connect_button.clicked.connect(self.connect_to_server)
        self.server_label, self.user_label, self.password_label = QLabel(), QLabel(), QLabel()
        for label, edit in ((self.server_label, self.server_edit), (self.user_label, self.user_edit),
                            (self.password_label, self.password_edit)):
            label.setBuddy(edit)
            form.addRow(label, edit)
        self.insecure_label = QLabel()
        self.insecure_label.setWordWrap(True)
        self.insecure_label.setStyleSheet("color: #9a5b00;")
        form.addRow("", self.insecure_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.connect_button)
        form.addRow(buttons)
        box.addWidget(self.form)
        self.login_message = QLabel()
        self.login_message.setWordWrap(True)
        self.login_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.login_message.setVisible(False)
        box.addWidget(self.login_message)
        self.token_note = QLabel()
        self.token_note.setWordWrap(True)
        self.token_note.setEnabled(False)
        box.addWidget(self.token_note)
        layout.addWidget(self.connection_box)

        self.sync_box = QGroupBox()
        box = QVBoxLayout(self.sync_box)
        self.pending_label = QLabel()
        self.pending_label.setWordWrap(True)
        self.last_label = QLabel()
        self.last_label.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress_bar = QProgressBar()
        self.phase_label = QLabel()
        self.sync_button = QPushButton()
        self.sync_button.clicked.connect(self.sync_now)
        row = QHBoxLayout()
        row.addWidget(self.pending_label, 1)
        row.addWidget(self.sync_button, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(row)
        box.addWidget(self.last_label)
        box.addWidget(self.result_label)
        row = QHBoxLayout()
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.phase_label)
        box.addLayout(row)
        layout.addWidget(self.sync_box)

        self.conflicts_box = QGroupBox()
        box = QVBoxLayout(self.conflicts_box)
        self.conflicts = ConflictsView()
        box.addWidget(self.conflicts)
        layout.addWidget(self.conflicts_box, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(self.buttons)

    def retranslate(self) -> None:
        self.setWindowTitle(t("sync.title"))
        self.connection_box.setTitle(t("sync.connection"))
        self.change_button.setText(t("sync.change_account"))
        self.server_label.setText(t("sync.server"))
        self.user_label.setText(t("sync.user"))
        self.password_label.setText(t("sync.password"))
        self.server_edit.setPlaceholderText(t("sync.server.placeholder"))
        for edit, key in ((self.server_edit, "sync.server"), (self.user_edit, "sync.user"),
                          (self.password_edit, "sync.password")):
            edit.setAccessibleName(t(key).replace("&", ""))
        self.connect_button.setText(t("sync.connect"))
        self.token_note.setText(t("sync.token_note"))
        self.sync_box.setTitle(t("sync.section"))
        self.sync_button.setText(t("sync.now"))
        self.sync_button.setToolTip(t("sync.now.tip"))
        self.progress_bar.setAccessibleName(t("sync.running"))
        self.close_button.setText(t("sync.close"))
        self.conflicts.retranslate()
        self._server_edited(self.server_edit.text())
        self._show_status()

    def _fill_form(self) -> None:
        s = self.ctx.settings
        self.server_edit.setText(str(s.value(KEY_SERVER, "") or ""))
        self.user_edit.setText(str(s.value(KEY_USER, "") or ""))

    # connection
    def _show_connection(self) -> None:
        config = self.controller.config
        show_form = config is None or self._editing_account
        self.form.setVisible(show_form)
        self.token_note.setVisible(show_form)
        self.change_button.setVisible(not show_form)
        if config is None:
            self.connected_label.setText(t("sync.not_connected"))
        else:
            self.connected_label.setText(t("sync.connected", server=config.server, user=config.user,
                                           role=role_label(config.role)))
        self.connect_button.setDefault(show_form)
        self.sync_button.setDefault(not show_form)
        self.connect_button.setEnabled(not self.controller.logging_in)
        self.sync_button.setEnabled(config is not None and not self.controller.running)

    def _change_account(self) -> None:
        self._editing_account = True
        self._show_connection()
        self.password_edit.setFocus()

    def _server_edited(self, text: str) -> None:
        server = normalise_server(text)
        insecure = server is not None and server.startswith("http://") and not is_loopback(server)
        self.insecure_label.setText(t("sync.insecure") if insecure else "")
        self.insecure_label.setVisible(insecure)

    def connect_to_server(self) -> None:
        """« Se connecter »: check the fields, then sign in off the UI thread."""
        problem = self.controller.login(self.server_edit.text(), self.user_edit.text(), self.password_edit.text())
        if problem:
            self._set_login_message(problem)
            return
        self._set_login_message(t("sync.connecting", server=normalise_server(self.server_edit.text())))
        self.connect_button.setEnabled(False)

    def _set_login_message(self, text: str) -> None:
        self.login_message.setText(text)
        self.login_message.setVisible(bool(text))

    def _login_done(self, ok: bool, text: str) -> None:
        self.connect_button.setEnabled(True)
        self._set_login_message("" if ok else text)
        if ok:
            self.password_edit.clear()
            self._editing_account = False
            self.result_label.setText("")
            self.sync_button.setFocus()
        self._show_status()

    # sync
    def sync_now(self) -> bool:
        """« Synchroniser maintenant »: in the background, with progress here and in the status bar."""
        if self.controller.config is None:
            self._editing_account = True
            self._show_connection()
            self._set_login_message(t("sync.not_connected"))
            return False
        return self.controller.sync_now()

    # conflicts
    def _resolve(self, key: str, choice: str, fields: object) -> None:
        if not self.controller.resolve(key, choice, fields if isinstance(fields, dict) else None):
            self.conflicts.show_message("")
            self.conflicts.set_busy(self.controller.running or self.controller.resolving)

    def _resolve_done(self, _ok: bool, text: str) -> None:
        self.conflicts.show_message(text)
        self.conflicts.set_busy(self.controller.running)

    def _running(self, running: bool) -> None:
        self.conflicts.set_busy(running or self.controller.resolving)
        self.progress_bar.setVisible(running)
        self.phase_label.setVisible(running)
        self.sync_button.setEnabled(not running and self.controller.configured)
        if running:
            self.progress_bar.setRange(0, 0)
            self.phase_label.setText(t("sync.running"))
            self.result_label.setText("")

    def _progressed(self, phase: str, done: int, total: int) -> None:
        if total:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
            self.phase_label.setText(t("sync.progress", phase=phase, done=done, total=total))
        else:
            self.progress_bar.setRange(0, 0)
            self.phase_label.setText(phase)

    def _synced(self, report: SyncReport) -> None:
        self.result_label.setText(report.summary())

    def _failed(self, _category: str, text: str) -> None:
        self.result_label.setText(text)
        self._show_connection()

    # status
    def _show_status(self) -> None:
        self._show_connection()
        status = self.controller.status
        if status is not None:
            if status.total_pending:
                detail = ", ".join(f"{table_label(k)} {v}" for k, v in status.pending.items())
                self.pending_label.setText(f"{t('sync.pending', count=status.total_pending)} ({detail})")
            else:
                self.pending_label.setText(t("sync.pending.none"))
            self.conflicts.set_conflicts(status.conflicts)
            self.conflicts_box.setTitle(t("sync.conflicts", count=len(status.conflicts)))
        else:
            self.conflicts_box.setTitle(t("sync.conflicts", count=0))
        last = self.controller.last_outcome()
        if last:
            ok = bool(last.get("ok", True))
            result = t("sync.last.ok") if ok else t("sync.last.failed", category=last.get("category", ""))
            self.last_label.setText(t("sync.last", when=when_text(str(last.get("at", ""))), result=result))
            if not self.result_label.text() and not self.controller.running:
                self.result_label.setText(outcome_text(last))
        else:
            self.last_label.setText(t("sync.last.never"))
