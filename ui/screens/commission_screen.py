"""The commission workspace: the sessions list beside the chosen session (ui/widgets/session_detail), a dossier page.

For commission members and administrators (the local user's role or the agency account's role); others see every
session read-only with a note saying why. Reads and PDF writing (closing a session, issuing letters, the draft
minutes) run on `ctx.runner`; quick single-transaction writes (build the agenda, a decision) run directly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..context import AppContext
from ..strings import t
from ..widgets.commission_models import SessionIdRole, SessionListModel
from ..widgets.commission_tasks import Overview, SessionDetail, load_detail, load_overview
from ..widgets.session_detail import (
    SessionDetailPanel,
    make_button,
    make_table,
    translate_button,
)
from .dossier_view import DossierView
from .sync_dialog import KEY_ROLE, role_label

ROLES = frozenset({"commission", "admin"})
REFRESH_TABLES = frozenset({"commission_sessions", "commission_items", "decisions", "documents", "visits"})
NOTE_COLOUR = "#ef6c00"


class CommissionScreen(QWidget):
    """Sessions on the left; the chosen session (`SessionDetailPanel`) on the right; a dossier on its own page.

    Set `today` to pin the date of new sessions and letters (tests, screenshots). Dialogs and confirmations go
    through `ask_confirm` and `open_file`, which tests replace. The panel's widgets and actions are also reachable
    from the screen (`screen.agenda`, `screen.close_button`, `screen.build_agenda()`…).
    """

    loaded = Signal()  # the sessions list and the chosen session are shown
    task_finished = Signal()  # a background write (close, letters, minutes) came back

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today: dt.date | None = None
        self.overview: Overview | None = None
        self._wanted_session: str | None = None
        self._generation = 0
        self._stale = False  # data changed while the screen was hidden: reload when it shows
        self._build()
        ctx.data_changed.connect(self._data_changed)
        ctx.database_ready.connect(self._reload_when_shown)
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        if ctx.db is not None:
            self._reload_when_shown()

    # ----- layout ---------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.pages = QStackedWidget()
        main = QWidget()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 14pt; font-weight: 700;")
        self.role_note = QLabel()
        self.role_note.setWordWrap(True)
        self.role_note.setStyleSheet(f"color: {NOTE_COLOUR}; font-weight: 600;")

        self.sessions_model = SessionListModel(self)
        self.sessions = make_table(self.sessions_model)
        self.sessions.selectionModel().currentRowChanged.connect(lambda *_: self._session_chosen())
        sheader = self.sessions.horizontalHeader()
        sheader.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        sheader.setSectionResizeMode(SessionListModel.columns.index("place"), QHeaderView.ResizeMode.Stretch)
        sheader.setStretchLastSection(False)
        self.sessions.setColumnHidden(SessionListModel.columns.index("labels"), True)
        self.new_button = make_button(self.new_session)
        left = QWidget()
        llay = QVBoxLayout(left)
        llay.setContentsMargins(0, 0, 0, 0)
        self.sessions_title = QLabel()
        self.sessions_title.setStyleSheet("font-weight: 700;")
        llay.addWidget(self.sessions_title)
        llay.addWidget(self.sessions, 1)
        llay.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.panel = SessionDetailPanel(self.ctx, self)
        self.panel.open_requested.connect(lambda: self.open_dossier())
        self.panel.edit_requested.connect(lambda: self.edit_session())
        self.panel.busy_changed.connect(self._update_new_button)
        self.panel.task_finished.connect(self.task_finished)
        self._forward_panel()
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.busy)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([330, 1030])
        mlay = QVBoxLayout(main)
        mlay.addWidget(self.title)
        mlay.addWidget(self.role_note)
        mlay.addWidget(split, 1)
        mlay.addLayout(bottom)

        self.dossier_view = DossierView(self.ctx)
        self.dossier_view.back_requested.connect(self.show_session)
        self.pages.addWidget(main)
        self.pages.addWidget(self.dossier_view)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self.setFocusProxy(self.sessions)
        self._update_new_button()
        self.panel.update_actions()

    def _forward_panel(self) -> None:
        """The panel's widgets and actions under their former names on the screen (callers and tests use them)."""
        p = self.panel
        self.header, self.subheader, self.edit_button = p.header, p.subheader, p.edit_button
        self.members_title, self.members_model, self.members = p.members_title, p.members_model, p.members
        self.agenda_title, self.agenda_model, self.agenda = p.agenda_title, p.agenda_model, p.agenda
        self.agenda_placeholder = p.agenda_placeholder
        self.build_button, self.open_button, self.remove_button = p.build_button, p.open_button, p.remove_button
        self.close_button, self.minutes_button, self.letters_button = p.close_button, p.minutes_button, p.letters_button
        self.letters_title, self.letters_model, self.letters = p.letters_title, p.letters_model, p.letters
        self.open_letter_button, self.message, self.busy = p.open_letter_button, p.message, p.busy
        self.build_agenda, self.remove_item, self.open_letter = p.build_agenda, p.remove_item, p.open_letter
        self.close_session, self.show_minutes, self.issue_letters = p.close_session, p.show_minutes, p.issue_letters
        self.current_item_id, self.select_item, self.session_open = p.current_item_id, p.select_item, p.session_open

    def retranslate(self) -> None:
        self.title.setText(t("commission.title"))
        self.sessions_title.setText(t("commission.sessions"))
        self.sessions.setAccessibleName(t("commission.sessions.name"))
        translate_button(self.new_button, "commission.new")
        self.panel.retranslate()
        self._show_detail()

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    # ----- role and state -------------------------------------------------------------------------------------

    @property
    def sync_role(self) -> str:
        return str(self.ctx.settings.value(KEY_ROLE, "") or "")

    def can_edit(self) -> tuple[bool, str]:
        """Commission members and administrators (local user or agency account) work here; others only read."""
        if self.overview is None:
            return False, ""
        if self.overview.user_role in ROLES or self.sync_role in ROLES:
            return True, ""
        if self.overview.user_name:
            return False, t("commission.read_only.user", name=self.overview.user_name,
                            role=role_label(self.overview.user_role or "inspector"))
        return False, t("commission.read_only.nobody")

    @property
    def detail(self) -> SessionDetail | None:
        return self.panel.detail

    @detail.setter
    def detail(self, detail: SessionDetail | None) -> None:
        self.panel.detail = detail

    @property
    def session(self) -> Any:
        return self.panel.session

    @property
    def last_path(self) -> Path | None:
        return self.panel.last_path

    def today_date(self) -> dt.date:
        return self.today or QDate.currentDate().toPython()

    # ----- loading --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the sessions, then the chosen session, in the background."""
        self._generation += 1
        if self.ctx.db is None:
            self.message.setText(t("commission.no_database"))
            return
        generation = self._generation
        self._wanted_session = self._wanted_session or self.current_session_id()
        self.ctx.runner.run(load_overview, self.ctx.db, self.ctx.user_id,
                            on_done=lambda o: self._overview_loaded(generation, o),
                            on_error=lambda exc: self._load_failed(generation, exc))

    def _overview_loaded(self, generation: int, overview: Overview) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self.overview = overview
        wanted = self._wanted_session
        self._wanted_session = None
        self.sessions.selectionModel().blockSignals(True)
        self.sessions_model.replace_items(overview.sessions)
        self.sessions.selectionModel().blockSignals(False)
        row = self.sessions_model.row_of(wanted)
        if row < 0 and overview.sessions:
            row = 0
        allowed, why = self.can_edit()
        self.role_note.setText(why)
        self.role_note.setVisible(bool(why))
        if row >= 0:
            self.sessions.selectionModel().blockSignals(True)
            self.sessions.selectionModel().setCurrentIndex(
                self.sessions_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.sessions.selectionModel().blockSignals(False)
            self._load_detail(overview.sessions[row].id, generation)
        else:
            self.detail = None
            self._show_detail()
            self.loaded.emit()

    def _load_detail(self, session_id: str, generation: int | None = None) -> None:
        if generation is None:
            self._generation += 1
            generation = self._generation
        self.ctx.runner.run(load_detail, self.ctx.db, session_id,
                            on_done=lambda d: self._detail_loaded(generation, d),
                            on_error=lambda exc: self._load_failed(generation, exc))

    def _detail_loaded(self, generation: int, detail: SessionDetail) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        previous = self.current_item_id()
        self.detail = detail
        self._show_detail()
        row = self.agenda_model.row_of(previous)
        if self.agenda_model.rowCount():
            self.agenda.selectRow(max(row, 0))
        self.loaded.emit()

    def _load_failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self.message.setText(t("commission.error", error=exc))
        self.loaded.emit()

    def _data_changed(self, rows: dict[str, Any]) -> None:
        if REFRESH_TABLES & set(rows) and shiboken6.isValid(self):
            self._reload_when_shown()

    def _reload_when_shown(self) -> None:
        """Reload now if the screen is shown, else when it is (the agenda computes proposals: not for nothing)."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale or self.overview is None:
            self._stale = False
            self.refresh()

    def _session_chosen(self) -> None:
        session_id = self.current_session_id()
        if session_id and (self.session is None or self.session.id != session_id):
            self._load_detail(session_id)

    # ----- showing --------------------------------------------------------------------------------------------

    def _show_detail(self) -> None:
        self.panel.show_detail(t("commission.none_selected") if self.overview is not None else "")
        if self.overview is not None and not self.overview.sessions:
            self.header.setText(t("commission.sessions.empty"))
        self._update_new_button()

    def _update_new_button(self) -> None:
        self.new_button.setEnabled(self.panel.idle() and self.can_edit()[0])

    # ----- selection ------------------------------------------------------------------------------------------

    def current_session_id(self) -> str | None:
        index = self.sessions.currentIndex()
        return index.data(SessionIdRole) if index.isValid() else None

    def select_session(self, session_id: str) -> None:
        row = self.sessions_model.row_of(session_id)
        if row >= 0:
            self.sessions.selectRow(row)
        else:
            self._wanted_session = session_id
            self.refresh()

    # ----- questions (tests replace these) ---------------------------------------------------------------------

    def ask_confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, t("commission.title"), text)
        return answer == QMessageBox.StandardButton.Yes

    def open_file(self, path: Path) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # ----- actions (the session's own are the panel's) --------------------------------------------------------

    def new_session(self) -> QWidget | None:
        """The session dialog (window-modal); the session created is chosen. Returns the dialog."""
        if self.ctx.db is None or not self.can_edit()[0]:
            return None
        from .session_dialog import SessionDialog

        dialog = SessionDialog(self.ctx, None, today=self.today_date(), parent=self)
        dialog.saved.connect(self.select_session_later)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()
        return dialog

    def edit_session(self) -> QWidget | None:
        if self.ctx.db is None or not self.can_edit()[0] or not self.session_open():
            return None
        from .session_dialog import SessionDialog

        dialog = SessionDialog(self.ctx, self.session, parent=self)
        dialog.saved.connect(self.select_session_later)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()
        return dialog

    def select_session_later(self, session_id: str) -> None:
        """After a write: the refresh that follows shows this session."""
        self._wanted_session = session_id
        self.refresh()

    def open_dossier(self, item_id: str | None = None) -> DossierView | None:
        """Show the selected (or given) agenda item's dossier on its own page."""
        item_id = item_id or self.current_item_id()
        row = self.agenda_model.row_of(item_id)
        if row < 0:
            return None
        item = self.agenda_model.item(row)
        self.pages.setCurrentWidget(self.dossier_view)
        self.dossier_view.open_item(item, self.can_edit()[0] and self.session_open())
        return self.dossier_view

    def show_session(self) -> None:
        self.pages.setCurrentIndex(0)
        self.agenda.setFocus()
