"""The commission workspace: sessions, a session's members and agenda, its dossiers, minutes and letters.

For commission members and administrators (the local user's role or the agency account's role); others see every
session read-only with a note saying why. Reads and PDF writing (closing a session, issuing letters, the draft
minutes) run on `ctx.runner`; quick single-transaction writes (build the agenda, a decision) run directly.
"""

from __future__ import annotations

import datetime as dt
import inspect
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.db.database import Database
from inspector.services import commission
from inspector.services.common import ServiceError

from ..context import AppContext
from ..strings import t
from ..widgets.commission_models import (
    AgendaModel,
    DecidedRole,
    ItemIdRole,
    LettersModel,
    MembersModel,
    PathRole,
    SessionIdRole,
    SessionListModel,
    date_text,
    label_text,
    status_text,
)
from .dossier_view import DossierView
from .sync_dialog import KEY_ROLE, role_label

ROLES = frozenset({"commission", "admin"})
REFRESH_TABLES = frozenset({"commission_sessions", "commission_items", "decisions", "documents", "visits"})
PREVIEW_DIR = Path(tempfile.gettempdir()) / "inspector-apercus"
NOTE_COLOUR = "#ef6c00"


# ----- worker side: plain data in, plain data out -----------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """The sessions and who the local user is (for the role check)."""

    sessions: list[Any]
    user_name: str
    user_role: str


@dataclass(frozen=True)
class SessionDetail:
    session: Any
    agenda: list[Any]
    letters: list[Any] = field(default_factory=list)


def load_overview(db: Database, user_id: str | None) -> Overview:
    name, role = "", ""
    if user_id:
        from inspector.db.models import User

        with db.session() as s:
            user = s.get(User, user_id)
            if user is not None:
                name, role = user.name, user.role
    return Overview(commission.list_sessions(db), name, role)


def load_detail(db: Database, session_id: str) -> SessionDetail:
    return SessionDetail(commission.get_session(db, session_id), commission.agenda(db, session_id),
                         commission.letters_of(db, session_id))


def write_minutes_preview(db: Database, session_id: str, folder: Path) -> Path:
    """The draft minutes (or the closed session's minutes re-rendered) in a temporary file."""
    data = commission.minutes_pdf(db, session_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"proces-verbal-{session_id[:8]}.pdf"
    path.write_bytes(data)
    return path


def _takes_progress(fn: Any) -> bool:
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


# ----- the screen -------------------------------------------------------------------------------------------------


class CommissionScreen(QWidget):
    """Sessions on the left; the chosen session (members, agenda, letters) on the right; a dossier on its own page.

    Set `today` to pin the date of new sessions and letters (tests, screenshots). Dialogs and confirmations go
    through `ask_confirm` and `open_file`, which tests replace.
    """

    loaded = Signal()  # the sessions list and the chosen session are shown
    task_finished = Signal()  # a background write (close, letters, minutes) came back

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today: dt.date | None = None
        self.overview: Overview | None = None
        self.detail: SessionDetail | None = None
        self._wanted_session: str | None = None
        self._generation = 0
        self._tasks: set[int] = set()
        self._stale = False  # data changed while the screen was hidden: reload when it shows
        self.last_path: Path | None = None
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
        self.sessions = self._table(self.sessions_model)
        self.sessions.selectionModel().currentRowChanged.connect(lambda *_: self._session_chosen())
        sheader = self.sessions.horizontalHeader()
        sheader.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        sheader.setSectionResizeMode(SessionListModel.columns.index("place"), QHeaderView.ResizeMode.Stretch)
        sheader.setStretchLastSection(False)
        self.sessions.setColumnHidden(SessionListModel.columns.index("labels"), True)
        self.new_button = self._button(self.new_session)
        left = QWidget()
        llay = QVBoxLayout(left)
        llay.setContentsMargins(0, 0, 0, 0)
        self.sessions_title = QLabel()
        self.sessions_title.setStyleSheet("font-weight: 700;")
        llay.addWidget(self.sessions_title)
        llay.addWidget(self.sessions, 1)
        llay.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.header = QLabel()
        self.header.setStyleSheet("font-size: 12pt; font-weight: 700;")
        self.header.setWordWrap(True)
        self.subheader = QLabel()
        self.subheader.setWordWrap(True)
        self.edit_button = self._button(self.edit_session)
        head = QHBoxLayout()
        hl = QVBoxLayout()
        hl.addWidget(self.header)
        hl.addWidget(self.subheader)
        head.addLayout(hl, 1)
        head.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)

        self.members_title = QLabel()
        self.members_title.setStyleSheet("font-weight: 700;")
        self.members_model = MembersModel(self, editable=False)
        self.members = self._table(self.members_model)
        self.members.setMaximumHeight(200)
        mheader = self.members.horizontalHeader()
        mheader.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        mheader.setSectionResizeMode(MembersModel.columns.index("present"), QHeaderView.ResizeMode.ResizeToContents)
        mheader.setStretchLastSection(False)

        self.agenda_title = QLabel()
        self.agenda_title.setStyleSheet("font-weight: 700;")
        self.agenda_model = AgendaModel(self)
        self.agenda = self._table(self.agenda_model)
        header = self.agenda.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in ("establishment", "proposal"):
            header.setSectionResizeMode(AgendaModel.columns.index(column), QHeaderView.ResizeMode.Stretch)
        self.agenda.activated.connect(lambda _i: self.open_dossier())
        self.agenda.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.agenda_placeholder = QLabel()
        self.agenda_placeholder.setWordWrap(True)
        self.agenda_placeholder.setStyleSheet("color: palette(placeholder-text);")

        self.build_button = self._button(self.build_agenda)
        self.open_button = self._button(self.open_dossier)
        self.remove_button = self._button(self.remove_item)
        self.close_button = self._button(self.close_session)
        self.minutes_button = self._button(self.show_minutes)
        self.letters_button = self._button(self.issue_letters)
        actions = QHBoxLayout()
        for b in (self.build_button, self.open_button, self.remove_button):
            actions.addWidget(b)
        actions.addStretch(1)
        for b in (self.close_button, self.minutes_button, self.letters_button):
            actions.addWidget(b)

        self.letters_title = QLabel()
        self.letters_title.setStyleSheet("font-weight: 700;")
        self.letters_model = LettersModel(self)
        self.letters = self._table(self.letters_model)
        self.letters.setMaximumHeight(130)
        self.letters.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.letters.activated.connect(lambda _i: self.open_letter())
        self.letters.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.open_letter_button = self._button(self.open_letter)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(200)
        self.busy.setVisible(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.busy)

        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.addLayout(head)
        rlay.addWidget(self.members_title)
        rlay.addWidget(self.members)
        rlay.addWidget(self.agenda_title)
        rlay.addWidget(self.agenda, 1)
        rlay.addWidget(self.agenda_placeholder)
        rlay.addLayout(actions)
        letters_head = QHBoxLayout()
        letters_head.addWidget(self.letters_title, 1)
        letters_head.addWidget(self.open_letter_button)
        rlay.addLayout(letters_head)
        rlay.addWidget(self.letters)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
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
        self._update_actions()

    @staticmethod
    def _table(model: Any) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setHighlightSections(False)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    @staticmethod
    def _button(slot: Any) -> QPushButton:
        button = QPushButton()
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def retranslate(self) -> None:
        self.title.setText(t("commission.title"))
        self.sessions_title.setText(t("commission.sessions"))
        self.sessions.setAccessibleName(t("commission.sessions.name"))
        self.members.setAccessibleName(t("commission.members.name"))
        self.agenda.setAccessibleName(t("commission.agenda.name"))
        self.letters.setAccessibleName(t("commission.letters.name"))
        self.agenda_title.setText(t("commission.agenda"))
        self.letters_title.setText(t("commission.letters.list"))
        for button, key in ((self.new_button, "commission.new"), (self.edit_button, "commission.edit"),
                            (self.build_button, "commission.build"), (self.open_button, "commission.open"),
                            (self.remove_button, "commission.remove"), (self.close_button, "commission.close"),
                            (self.minutes_button, "commission.minutes"), (self.letters_button, "commission.letters")):
            button.setText(t(key))
            button.setToolTip(t(f"{key}.tip"))
            button.setAccessibleName(t(key).replace("&", "").rstrip("…"))
        self.open_letter_button.setText(t("commission.letters.open"))
        self._show_detail()

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    # ----- role -----------------------------------------------------------------------------------------------

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
    def session(self) -> Any:
        return self.detail.session if self.detail is not None else None

    def session_open(self) -> bool:
        return self.session is not None and self.session.status != "closed"

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
        s = self.session
        if s is None:
            self.header.setText(t("commission.none_selected") if self.overview is not None else "")
            self.subheader.clear()
            self.members_title.setText(t("commission.members"))
            self.members_model.set_members(())
            self.agenda_model.replace_items([])
            self.letters_model.set_letters([], {})
            self.agenda_placeholder.setVisible(False)
        else:
            self.header.setText(t("commission.header", date=date_text(s.held_on), place=s.place or "—"))
            labels = ", ".join(label_text(x) for x in s.labels)
            sub = t("commission.header.status", status=status_text(s.status), chair=s.chair or "—", labels=labels)
            if s.status == "closed":
                sub += "\n" + t("commission.read_only.closed")
            self.subheader.setText(sub)
            present = sum(1 for m in s.members if getattr(m, "present", True))
            self.members_title.setText(t("commission.members.count", present=present, total=len(s.members)))
            self.members_model.set_members(s.members)
            self.agenda_model.replace_items(self.detail.agenda)
            names = {x.visit_id: x.establishment_name for x in self.detail.agenda}
            self.letters_model.set_letters(self.detail.letters, names)
            self.agenda_placeholder.setText(t("commission.agenda.empty"))
            self.agenda_placeholder.setVisible(not self.detail.agenda)
        if self.overview is not None and not self.overview.sessions:
            self.header.setText(t("commission.sessions.empty"))
        self._update_actions()

    def _update_actions(self) -> None:
        allowed, _why = self.can_edit()
        idle = not self._tasks and self.ctx.db is not None
        s = self.session
        open_ = self.session_open()
        item = self.agenda.currentIndex()
        self.new_button.setEnabled(idle and allowed)
        self.edit_button.setEnabled(idle and allowed and open_)
        self.build_button.setEnabled(idle and allowed and open_)
        self.open_button.setEnabled(item.isValid())
        self.remove_button.setEnabled(idle and allowed and open_ and item.isValid() and not item.data(DecidedRole))
        self.close_button.setEnabled(idle and allowed and open_ and bool(self.detail and self.detail.agenda))
        self.minutes_button.setEnabled(idle and s is not None and bool(self.detail and self.detail.agenda))
        self.letters_button.setEnabled(idle and allowed and s is not None and s.status == "closed"
                                       and s.decided_count > 0)
        self.open_letter_button.setEnabled(self.letters.currentIndex().isValid())

    # ----- selection ------------------------------------------------------------------------------------------

    def current_session_id(self) -> str | None:
        index = self.sessions.currentIndex()
        return index.data(SessionIdRole) if index.isValid() else None

    def current_item_id(self) -> str | None:
        index = self.agenda.currentIndex()
        return index.data(ItemIdRole) if index.isValid() else None

    def select_session(self, session_id: str) -> None:
        row = self.sessions_model.row_of(session_id)
        if row >= 0:
            self.sessions.selectRow(row)
        else:
            self._wanted_session = session_id
            self.refresh()

    def select_item(self, item_id: str) -> bool:
        row = self.agenda_model.row_of(item_id)
        if row >= 0:
            self.agenda.selectRow(row)
        return row >= 0

    # ----- questions (tests replace these) ---------------------------------------------------------------------

    def ask_confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, t("commission.title"), text)
        return answer == QMessageBox.StandardButton.Yes

    def open_file(self, path: Path) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # ----- actions --------------------------------------------------------------------------------------------

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

    def _write(self, fn: Any, **kwargs: Any) -> Any:
        """A quick write on the UI thread: the service's message on refusal, else notify and return the result."""
        try:
            res = fn(self.ctx.db, user_id=self.ctx.user_id, **kwargs)
        except ServiceError as exc:
            self.message.setText(str(exc))
            return None
        self.ctx.notify(res.changed)
        return res

    def build_agenda(self) -> bool:
        if self.session is None or not self.can_edit()[0] or not self.session_open():
            return False
        res = self._write(commission.build_agenda, session_id=self.session.id)
        if res is None:
            return False
        self.message.setText(t("commission.built", count=len(res.value)))
        return True

    def remove_item(self) -> bool:
        item_id = self.current_item_id()
        if item_id is None or not self.can_edit()[0]:
            return False
        return self._write(commission.remove_from_agenda, item_id=item_id) is not None

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

    # background writes

    def _run(self, fn: Any, *args: Any, label: str, on_done: Any, **kwargs: Any) -> None:
        holder: dict[str, int] = {}

        def finished() -> bool:
            self._tasks.discard(holder.get("id", -1))
            if not shiboken6.isValid(self):
                return False
            self.busy.setVisible(bool(self._tasks))
            self._update_actions()
            return True

        def done(result: Any) -> None:
            if finished():
                on_done(result)
                self.task_finished.emit()

        def failed(exc: Exception) -> None:
            if finished():
                self.message.setText(str(exc) if isinstance(exc, ServiceError) else t("commission.error", error=exc))
                self.task_finished.emit()

        def progress(done_: int, total: int, _label: str = "") -> None:
            if shiboken6.isValid(self) and total:
                self.busy.setRange(0, total)
                self.busy.setValue(done_)

        self.message.setText(label)
        self.busy.setRange(0, 0)
        self.busy.setVisible(True)
        extra = {"on_progress": progress} if _takes_progress(fn) else {}
        holder["id"] = self.ctx.runner.run(fn, *args, on_done=done, on_error=failed, **extra, **kwargs)
        self._tasks.add(holder["id"])
        self._update_actions()

    def close_session(self) -> bool:
        """Ask, then write the procès-verbal and close the session in the background."""
        s = self.session
        if s is None or not self.can_edit()[0] or not self.session_open():
            return False
        if not self.ask_confirm(t("commission.close.confirm", date=date_text(s.held_on), count=s.item_count)):
            return False

        def closed(res: Any) -> None:
            self.ctx.notify(res.changed)
            detail = commission.get_session(self.ctx.db, s.id)
            self.last_path = Path(detail.minutes_path) if detail.minutes_path else None
            self.message.setText(t("commission.closed", path=detail.minutes_path))

        self._run(commission.close_session, self.ctx.db, label=t("commission.closing"), on_done=closed,
                  session_id=s.id, user_id=self.ctx.user_id)
        return True

    def show_minutes(self) -> bool:
        """Open the procès-verbal: the stored one once closed, else a draft rendered in the background."""
        s = self.session
        if s is None:
            return False
        if s.status == "closed" and s.minutes_path and Path(s.minutes_path).is_file():
            self.last_path = Path(s.minutes_path)
            self._open(self.last_path)
            return True

        def written(path: Path) -> None:
            self.last_path = path
            self.message.clear()
            self._open(path)

        self._run(write_minutes_preview, self.ctx.db, s.id, PREVIEW_DIR, label=t("commission.minutes.preparing"),
                  on_done=written)
        return True

    def issue_letters(self) -> bool:
        """One notification letter per decided dossier (and the CHR attestations), in the background."""
        s = self.session
        if s is None or not self.can_edit()[0]:
            return False

        def issued(res: Any) -> None:
            self.ctx.notify(res.changed)
            self.message.setText(t("commission.letters.done", count=len(res.value)))

        self._run(commission.issue_letters, self.ctx.db, label=t("commission.letters.issuing"), on_done=issued,
                  session_id=s.id, issued_on=self.today_date(), user_id=self.ctx.user_id)
        return True

    def open_letter(self) -> bool:
        index = self.letters.currentIndex()
        if not index.isValid():
            return False
        return self._open(Path(index.data(PathRole)))

    def _open(self, path: Path) -> bool:
        if self.open_file(path):
            return True
        self.message.setText(t("commission.minutes.open_failed", path=str(path)))
        return False
