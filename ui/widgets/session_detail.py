"""One commission session in the workspace: header, members, agenda, letters, and its background writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.services import commission
from inspector.services.common import ServiceError

from ..context import AppContext
from ..strings import t
from .commission_models import (
    AgendaModel,
    DecidedRole,
    ItemIdRole,
    LettersModel,
    MembersModel,
    PathRole,
    date_text,
    label_text,
    status_text,
)
from .commission_tasks import PREVIEW_DIR, SessionDetail, takes_progress, write_minutes_preview

# ----- widget helpers (the commission screen uses them too) --------------------------------------------------------


def make_table(model: Any) -> QTableView:
    """A read-only, single-row-selection table over `model`."""
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


def make_button(slot: Any) -> QPushButton:
    button = QPushButton()
    button.setAutoDefault(False)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def translate_button(button: QPushButton, key: str) -> None:
    """Text, tooltip (`key.tip`) and accessible name (without the mnemonic and the ellipsis)."""
    button.setText(t(key))
    button.setToolTip(t(f"{key}.tip"))
    button.setAccessibleName(t(key).replace("&", "").rstrip("…"))


def _bold(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 700;")
    return label


class SessionHost(Protocol):
    """What the panel asks of the screen holding it (tests replace `ask_confirm` and `open_file` there)."""

    def can_edit(self) -> tuple[bool, str]: ...

    def today_date(self) -> dt.date: ...

    def ask_confirm(self, text: str) -> bool: ...

    def open_file(self, path: Path) -> bool: ...


# ----- the panel --------------------------------------------------------------------------------------------------


class SessionDetailPanel(QWidget):
    """The chosen session: header, members, agenda with its buttons, letters; close, minutes and letters run on
    `ctx.runner`, building the agenda and removing an item run directly.

    `message` and `busy` are not laid out here: the holder places them (below the whole workspace).
    """

    task_finished = Signal()  # a background write (close, letters, minutes) came back
    busy_changed = Signal()  # a background write started or ended
    open_requested = Signal()  # open the current agenda item's dossier
    edit_requested = Signal()  # edit the session

    def __init__(self, ctx: AppContext, host: SessionHost, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.host = host
        self.detail: SessionDetail | None = None
        self.last_path: Path | None = None
        self._tasks: set[int] = set()
        self._build()

    def _build(self) -> None:
        self.header = QLabel()
        self.header.setStyleSheet("font-size: 12pt; font-weight: 700;")
        self.header.setWordWrap(True)
        self.subheader = QLabel()
        self.subheader.setWordWrap(True)
        self.edit_button = make_button(self.edit_requested.emit)
        head = QHBoxLayout()
        hl = QVBoxLayout()
        hl.addWidget(self.header)
        hl.addWidget(self.subheader)
        head.addLayout(hl, 1)
        head.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)

        self.members_title = _bold()
        self.members_model = MembersModel(self, editable=False)
        self.members = make_table(self.members_model)
        self.members.setMaximumHeight(200)
        mheader = self.members.horizontalHeader()
        mheader.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        mheader.setSectionResizeMode(MembersModel.columns.index("present"), QHeaderView.ResizeMode.ResizeToContents)
        mheader.setStretchLastSection(False)

        self.agenda_title = _bold()
        self.agenda_model = AgendaModel(self)
        self.agenda = make_table(self.agenda_model)
        header = self.agenda.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in ("establishment", "proposal"):
            header.setSectionResizeMode(AgendaModel.columns.index(column), QHeaderView.ResizeMode.Stretch)
        self.agenda.activated.connect(lambda _i: self.open_requested.emit())
        self.agenda.selectionModel().currentRowChanged.connect(lambda *_: self.update_actions())
        self.agenda_placeholder = QLabel()
        self.agenda_placeholder.setWordWrap(True)
        self.agenda_placeholder.setStyleSheet("color: palette(placeholder-text);")

        self.build_button = make_button(self.build_agenda)
        self.open_button = make_button(self.open_requested.emit)
        self.remove_button = make_button(self.remove_item)
        self.close_button = make_button(self.close_session)
        self.minutes_button = make_button(self.show_minutes)
        self.letters_button = make_button(self.issue_letters)
        actions = QHBoxLayout()
        for b in (self.build_button, self.open_button, self.remove_button):
            actions.addWidget(b)
        actions.addStretch(1)
        for b in (self.close_button, self.minutes_button, self.letters_button):
            actions.addWidget(b)

        self.letters_title = _bold()
        self.letters_model = LettersModel(self)
        self.letters = make_table(self.letters_model)
        self.letters.setMaximumHeight(130)
        self.letters.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.letters.activated.connect(lambda _i: self.open_letter())
        self.letters.selectionModel().currentRowChanged.connect(lambda *_: self.update_actions())
        self.open_letter_button = make_button(self.open_letter)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(200)
        self.busy.setVisible(False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.members_title)
        lay.addWidget(self.members)
        lay.addWidget(self.agenda_title)
        lay.addWidget(self.agenda, 1)
        lay.addWidget(self.agenda_placeholder)
        lay.addLayout(actions)
        letters_head = QHBoxLayout()
        letters_head.addWidget(self.letters_title, 1)
        letters_head.addWidget(self.open_letter_button)
        lay.addLayout(letters_head)
        lay.addWidget(self.letters)

    def retranslate(self) -> None:
        """The fixed texts; the holder then shows the session again (`show_detail`)."""
        self.members.setAccessibleName(t("commission.members.name"))
        self.agenda.setAccessibleName(t("commission.agenda.name"))
        self.letters.setAccessibleName(t("commission.letters.name"))
        self.agenda_title.setText(t("commission.agenda"))
        self.letters_title.setText(t("commission.letters.list"))
        for button, key in ((self.edit_button, "commission.edit"), (self.build_button, "commission.build"),
                            (self.open_button, "commission.open"), (self.remove_button, "commission.remove"),
                            (self.close_button, "commission.close"), (self.minutes_button, "commission.minutes"),
                            (self.letters_button, "commission.letters")):
            translate_button(button, key)
        self.open_letter_button.setText(t("commission.letters.open"))

    # ----- state ----------------------------------------------------------------------------------------------

    @property
    def session(self) -> Any:
        return self.detail.session if self.detail is not None else None

    def session_open(self) -> bool:
        return self.session is not None and self.session.status != "closed"

    def idle(self) -> bool:
        """No background write running, and a database to write to."""
        return not self._tasks and self.ctx.db is not None

    def current_item_id(self) -> str | None:
        index = self.agenda.currentIndex()
        return index.data(ItemIdRole) if index.isValid() else None

    def select_item(self, item_id: str) -> bool:
        row = self.agenda_model.row_of(item_id)
        if row >= 0:
            self.agenda.selectRow(row)
        return row >= 0

    # ----- showing --------------------------------------------------------------------------------------------

    def show_detail(self, none_text: str = "") -> None:
        """Show `self.detail`; `none_text` is the header when there is no session."""
        s = self.session
        if s is None:
            self.header.setText(none_text)
            self.subheader.clear()
            self.members_title.setText(t("commission.members"))
            self.members_model.set_members(())
            self.agenda_model.replace_items([])
            self.letters_model.set_letters([], {})
            self.agenda_placeholder.setVisible(False)
        else:
            assert self.detail is not None
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
        self.update_actions()

    def update_actions(self) -> None:
        allowed, _why = self.host.can_edit()
        idle = self.idle()
        s = self.session
        open_ = self.session_open()
        item = self.agenda.currentIndex()
        has_agenda = bool(self.detail and self.detail.agenda)
        self.edit_button.setEnabled(idle and allowed and open_)
        self.build_button.setEnabled(idle and allowed and open_)
        self.open_button.setEnabled(item.isValid())
        self.remove_button.setEnabled(idle and allowed and open_ and item.isValid() and not item.data(DecidedRole))
        self.close_button.setEnabled(idle and allowed and open_ and has_agenda)
        self.minutes_button.setEnabled(idle and s is not None and has_agenda)
        self.letters_button.setEnabled(idle and allowed and s is not None and s.status == "closed"
                                       and s.decided_count > 0)
        self.open_letter_button.setEnabled(self.letters.currentIndex().isValid())

    # ----- quick writes ---------------------------------------------------------------------------------------

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
        if self.session is None or not self.host.can_edit()[0] or not self.session_open():
            return False
        res = self._write(commission.build_agenda, session_id=self.session.id)
        if res is None:
            return False
        self.message.setText(t("commission.built", count=len(res.value)))
        return True

    def remove_item(self) -> bool:
        item_id = self.current_item_id()
        if item_id is None or not self.host.can_edit()[0]:
            return False
        return self._write(commission.remove_from_agenda, item_id=item_id) is not None

    # ----- background writes ----------------------------------------------------------------------------------

    def _run(self, fn: Any, *args: Any, label: str, on_done: Any, **kwargs: Any) -> None:
        holder: dict[str, int] = {}

        def finished() -> bool:
            self._tasks.discard(holder.get("id", -1))
            if not shiboken6.isValid(self):
                return False
            self.busy.setVisible(bool(self._tasks))
            self._busy_changed()
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
        extra = {"on_progress": progress} if takes_progress(fn) else {}
        holder["id"] = self.ctx.runner.run(fn, *args, on_done=done, on_error=failed, **extra, **kwargs)
        self._tasks.add(holder["id"])
        self._busy_changed()

    def _busy_changed(self) -> None:
        self.update_actions()
        self.busy_changed.emit()

    def close_session(self) -> bool:
        """Ask, then write the procès-verbal and close the session in the background."""
        s = self.session
        if s is None or not self.host.can_edit()[0] or not self.session_open():
            return False
        if not self.host.ask_confirm(t("commission.close.confirm", date=date_text(s.held_on), count=s.item_count)):
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
        if s is None or not self.host.can_edit()[0]:
            return False

        def issued(res: Any) -> None:
            self.ctx.notify(res.changed)
            self.message.setText(t("commission.letters.done", count=len(res.value)))

        self._run(commission.issue_letters, self.ctx.db, label=t("commission.letters.issuing"), on_done=issued,
                  session_id=s.id, issued_on=self.host.today_date(), user_id=self.ctx.user_id)
        return True

    def open_letter(self) -> bool:
        index = self.letters.currentIndex()
        if not index.isValid():
            return False
        return self._open(Path(index.data(PathRole)))

    def _open(self, path: Path) -> bool:
        if self.host.open_file(path):
            return True
        self.message.setText(t("commission.minutes.open_failed", path=str(path)))
        return False
