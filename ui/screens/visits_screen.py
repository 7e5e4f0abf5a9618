"""The visits screen: the office's lists (today, planned, in progress, deadlines, renewals, all) with a search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.db.database import Database
from inspector.services import queries
from inspector.services.queries import VisitRow

from ..context import AppContext
from ..models.visit_list_model import COLUMNS, EstablishmentIdRole, SortRole, VisitIdRole, VisitListModel
from ..strings import t

# View id -> label key (tab order).
VIEWS: dict[str, str] = {
    "today": "visits.today",
    "planned": "visits.planned",
    "in_progress": "visits.in_progress",
    "due": "visits.due",
    "refusal": "visits.refusal",
    "renewals": "visits.renewals",
    "all": "visits.all",
}
RENEWAL_MONTHS = 6
ALL_LIMIT = 500  # rows shown in "All"; the tab count is the true total
SEARCH_LIMIT = 100_000
SEARCH_DELAY_MS = 200
REFRESH_TABLES = frozenset({"visits", "establishments", "owners", "decisions"})


@dataclass(frozen=True)
class VisitLists:
    """Every view's rows for one date and search: plain data built on a worker."""

    rows: dict[str, list[VisitRow]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    search: str = ""


def load_lists(db: Database, *, today: dt.date, search: str = "") -> VisitLists:
    """All the lists of the screen (runs on a worker thread; returns plain data)."""
    rows = {
        "today": queries.todays_visits(db, today=today),
        "planned": queries.planned_visits(db, today=today),
        "due": queries.reports_due(db, today=today),
        "refusal": queries.refusal_windows_open(db, today=today),
        "renewals": queries.renewals_due(db, today=today, months=RENEWAL_MONTHS),
    }
    text = search.strip()
    if text:
        matching = queries.list_visits(db, today=today, search=text, limit=SEARCH_LIMIT)
        ids = {r.id for r in matching}
        rows = {view: [r for r in listed if r.id in ids] for view, listed in rows.items()}
        rows["in_progress"] = [r for r in matching if r.state == "in_progress"]
        rows["all"] = matching[:ALL_LIMIT]
        total = len(matching)
    else:
        rows["in_progress"] = queries.list_visits(db, today=today, states=("in_progress",), limit=SEARCH_LIMIT)
        rows["all"] = queries.list_visits(db, today=today, limit=ALL_LIMIT)
        total = sum(queries.counts_by_state(db).values())
    counts = {view: len(listed) for view, listed in rows.items()}
    counts["all"] = total
    return VisitLists(rows=rows, counts=counts, search=text)


class _RoomyDelegate(QStyledItemDelegate):
    """Cells a little wider and taller than their text, so that fitted columns do not touch."""

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return super().sizeHint(option, index) + QSize(14, 8)


def _as_date(value: QDate | dt.date) -> dt.date:
    return value.toPython() if isinstance(value, QDate) else value


class VisitsScreen(QWidget):
    """Tabs of visit lists, a search field, the table and the actions on the selected visit.

    Every query runs through `ctx.runner`; results older than the last request are dropped. Set `today` (a QDate
    or date) to pin the date, e.g. in tests; by default it is the current date at each refresh.
    """

    open_visit = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._today: dt.date | None = None
        self._lists: VisitLists | None = None
        self._generation = 0
        self._loading = False
        self._error = ""
        self._build()
        ctx.data_changed.connect(self._data_changed)
        ctx.database_ready.connect(self.refresh)
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        if ctx.db is not None:
            self.refresh()

    # layout
    def _build(self) -> None:
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setDocumentMode(True)
        for _ in VIEWS:
            self.tabs.addTab("")
        self.tabs.currentChanged.connect(self._view_changed)

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.search.installEventFilter(self)
        self.search.textChanged.connect(self._search_edited)
        self.search.returnPressed.connect(self.focus_table)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)

        self.model = VisitListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.proxy.setDynamicSortFilter(True)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(_RoomyDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the view's own order until a header is clicked
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        for column, mode in (("state", QHeaderView.ResizeMode.ResizeToContents),
                             ("kind", QHeaderView.ResizeMode.ResizeToContents),
                             ("establishment", QHeaderView.ResizeMode.Stretch),
                             ("commune", QHeaderView.ResizeMode.ResizeToContents),
                             ("owner", QHeaderView.ResizeMode.Stretch),
                             ("category", QHeaderView.ResizeMode.ResizeToContents),
                             ("planned", QHeaderView.ResizeMode.ResizeToContents),
                             ("deadline", QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(COLUMNS.index(column), mode)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.model.modelReset.connect(self._update_actions)

        self.placeholder = QLabel(self.table.viewport())
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: palette(placeholder-text); font-size: 11pt; padding: 24px;")
        self.placeholder.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.table.viewport().installEventFilter(self)

        self.info = QLabel()
        self.info.setWordWrap(True)

        self.open_action = self._action(self.open_selected)
        self.new_action = self._action(self.new_visit, QKeySequence("Ctrl+N"))
        self.card_action = self._action(self.edit_establishment, QKeySequence("Ctrl+E"))
        self.find_action = self._action(self.focus_search, QKeySequence(QKeySequence.StandardKey.Find))
        self.next_view_action = self._action(lambda: self._step_view(1), QKeySequence("Ctrl+PgDown"))
        self.previous_view_action = self._action(lambda: self._step_view(-1), QKeySequence("Ctrl+PgUp"))
        self.open_button = self._button(self.open_action)
        self.new_button = self._button(self.new_action)
        self.card_button = self._button(self.card_action)
        self.open_button.setDefault(False)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.info, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.card_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        for first, second in ((self.tabs, self.search), (self.search, self.table), (self.table, self.open_button),
                              (self.open_button, self.new_button), (self.new_button, self.card_button)):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.table)
        self._update_actions()

    def _action(self, slot: Any, shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(self)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _button(self, action: QAction) -> QPushButton:
        button = QPushButton()
        button.setAutoDefault(False)
        button.clicked.connect(action.trigger)
        action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
        return button

    def retranslate(self) -> None:
        """Re-read every text in the current language."""
        self._update_tab_labels()
        self.tabs.setAccessibleName(t("visits.tabs.name"))
        self.search.setPlaceholderText(t("visits.search"))
        self.search.setAccessibleName(t("visits.search.name"))
        self.search.setToolTip(t("visits.search.tip"))
        self.table.setAccessibleName(t("visits.table.name"))
        for action, button, key in ((self.open_action, self.open_button, "visits.open"),
                                    (self.new_action, self.new_button, "visits.new"),
                                    (self.card_action, self.card_button, "visits.card.button")):
            action.setText(t(key))
            action.setToolTip(t(f"{key.removesuffix('.button')}.tip"))
            button.setText(t(key))
            button.setToolTip(t(f"{key.removesuffix('.button')}.tip"))
            button.setAccessibleName(t(key).replace("&", "").rstrip("…"))
            button.setAccessibleDescription(t(f"{key.removesuffix('.button')}.tip"))
        self.model.retranslate()
        self._update_placeholder()
        self._update_info()

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    # date
    @property
    def today(self) -> QDate:
        """The date the lists are computed for: the pinned one, else the current date."""
        return QDate(self._today) if self._today else QDate.currentDate()

    @today.setter
    def today(self, value: QDate | dt.date | None) -> None:
        self._today = _as_date(value) if value is not None else None
        self.refresh()

    def today_date(self) -> dt.date:
        return self._today or QDate.currentDate().toPython()

    # loading
    def refresh(self) -> None:
        """Reload every list in the background (the search and the date as they are now)."""
        self._search_timer.stop()
        self._generation += 1
        if self.ctx.db is None:
            self._loading, self._error = False, t("visits.no_database")
            self._update_placeholder()
            return
        generation = self._generation
        self._loading = True
        self._update_placeholder()
        self.ctx.runner.run(load_lists, self.ctx.db, today=self.today_date(), search=self.search.text(),
                            on_done=lambda lists: self._loaded(generation, lists),
                            on_error=lambda exc: self._failed(generation, exc))

    def _loaded(self, generation: int, lists: VisitLists) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return  # a newer request is on its way, or the screen is gone
        self._loading, self._error, self._lists = False, "", lists
        self._update_tab_labels()
        self._show_view(keep_selection=True)

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._loading, self._error = False, t("visits.load_error", error=exc)
        self.ctx.message.emit(self._error, 8000)
        self._update_placeholder()

    def _data_changed(self, rows: dict[str, Any]) -> None:
        if REFRESH_TABLES & set(rows):
            self.refresh()

    def _search_edited(self, _text: str) -> None:
        self._search_timer.start()

    # views
    @property
    def current_view(self) -> str:
        return list(VIEWS)[max(self.tabs.currentIndex(), 0)]

    def set_view(self, view: str) -> None:
        self.tabs.setCurrentIndex(list(VIEWS).index(view))

    def counts(self) -> dict[str, int]:
        """The count shown on each tab (empty until the first load)."""
        return dict(self._lists.counts) if self._lists else {}

    def _view_changed(self, _index: int) -> None:
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self._show_view(keep_selection=False)

    def _step_view(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _update_tab_labels(self) -> None:
        counts = self._lists.counts if self._lists else {}
        for i, (view, key) in enumerate(VIEWS.items()):
            label = t(key) if view not in counts else t("visits.tab", label=t(key), count=counts[view])
            self.tabs.setTabText(i, label)
            self.tabs.setTabToolTip(i, t(f"{key}.tip"))
            self.tabs.setAccessibleTabName(i, label)

    def _show_view(self, *, keep_selection: bool) -> None:
        previous = self.current_visit_id() if keep_selection else None
        rows = self._lists.rows.get(self.current_view, []) if self._lists else []
        self.model.set_rows(rows)
        row = self.model.row_of(previous) if previous else -1
        if self.model.rowCount() and row >= 0:
            self._select(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        elif self.model.rowCount():
            self._select(0)
        self._update_placeholder()
        self._update_info()
        self._update_actions()

    def _select(self, proxy_row: int) -> None:
        index = self.proxy.index(proxy_row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def _update_placeholder(self) -> None:
        if self.model.rowCount():
            self.placeholder.hide()
            return
        if self._error:
            text = self._error
        elif self._loading and self._lists is None:
            text = t("visits.loading")
        elif self._lists is not None and self._lists.search:
            text = t("visits.empty_search", text=self._lists.search)
        elif self._lists is not None:
            text = t("visits.empty")
        else:
            text = t("visits.loading") if self.ctx.db is not None else t("visits.no_database")
        self.placeholder.setText(text)
        self.placeholder.setGeometry(self.table.viewport().rect())
        self.placeholder.show()

    def _update_info(self) -> None:
        text = ""
        if self._lists and self.current_view == "all":
            shown, total = len(self._lists.rows.get("all", [])), self._lists.counts.get("all", 0)
            if total > shown:
                text = t("visits.truncated", shown=shown, total=total)
        self.info.setText(text)

    def _update_actions(self) -> None:
        selected = self.current_visit_id() is not None
        self.open_action.setEnabled(selected)
        self.card_action.setEnabled(selected)
        self.new_action.setEnabled(self.ctx.db is not None)
        for action, button in ((self.open_action, self.open_button), (self.new_action, self.new_button),
                               (self.card_action, self.card_button)):
            button.setEnabled(action.isEnabled())

    # selection and actions
    def current_visit_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(VisitIdRole) if index.isValid() else None

    def current_establishment_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(EstablishmentIdRole) if index.isValid() else None

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def focus_table(self) -> None:
        if self._search_timer.isActive():
            self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.proxy.rowCount():
            self._select(0)

    def _activated(self, index: QModelIndex) -> None:
        visit_id = index.data(VisitIdRole)
        if visit_id:
            self.open_visit.emit(visit_id)

    def open_selected(self) -> None:
        visit_id = self.current_visit_id()
        if visit_id:
            self.open_visit.emit(visit_id)

    def new_visit(self) -> QWidget | None:
        """Open the new-visit dialog (window-modal); a created visit is opened. Returns the dialog."""
        if self.ctx.db is None:
            return None
        from .new_visit_dialog import NewVisitDialog

        dialog = NewVisitDialog(self.ctx, today=self.today_date(), parent=self)
        dialog.created.connect(self.open_visit)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()
        return dialog

    def edit_establishment(self) -> QWidget | None:
        """Open the card of the selected visit's establishment (window-modal). Returns the dialog."""
        establishment_id = self.current_establishment_id()
        if self.ctx.db is None or not establishment_id:
            return None
        from .establishment_dialog import EstablishmentDialog

        dialog = EstablishmentDialog(self.ctx, establishment_id, parent=self)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.open()
        return dialog

    # events
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.placeholder.setGeometry(self.table.viewport().rect())
        elif obj is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Down:
                self.focus_table()
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(obj, event)
