"""The new-visit dialog: find the establishment, choose kind, requested category and date; create through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from inspector.services.common import OpResult, ServiceError
from inspector.services.establishments import EstablishmentRow, search_establishments
from inspector.services.visits import create_visit

from ..context import AppContext
from ..models.visit_list_model import date_text, kind_label, state_label
from ..strings import t

MEUBLE_VISIT_KINDS = ("classement", "renouvellement", "visite_conseil")
CATEGORIES = (1, 2, 3, 4, 5)
SEARCH_DELAY_MS = 200
EstablishmentIdRole = Qt.ItemDataRole.UserRole + 1


class NewVisitDialog(QDialog):
    """Plans a meublé visit. Searches and the creation run through `ctx.runner`; `created` gives the new id."""

    created = Signal(str)

    def __init__(self, ctx: AppContext, *, today: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.created_visit_id: str | None = None
        self._found: dict[str, EstablishmentRow] = {}
        self._generation = 0
        self._searching = False
        self._saving = False
        self._build(today)
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        self.search_now()

    def _build(self, today: dt.date) -> None:
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        self.results_model = QStandardItemModel(self)
        self.results = QListView()
        self.results.setModel(self.results_model)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setMinimumHeight(180)
        self.results.setUniformItemSizes(True)
        self.results.selectionModel().currentChanged.connect(self._current_changed)
        self.results.doubleClicked.connect(lambda _index: self.kind.setFocus())
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.kind = QComboBox()
        for kind in MEUBLE_VISIT_KINDS:
            self.kind.addItem("", kind)
        self.category = QComboBox()
        for category in CATEGORIES:
            self.category.addItem(f"{category}★", category)
        self.category.setCurrentIndex(-1)
        self.category.currentIndexChanged.connect(lambda _i: self._update_ok())
        self.planned = QDateEdit(QDate(today))
        self.planned.setCalendarPopup(True)
        self.planned.setDisplayFormat("dd/MM/yyyy")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

        self.form = QFormLayout()
        self.establishment_label = QLabel()
        self.establishment_label.setBuddy(self.search)
        self.kind_label = QLabel()
        self.kind_label.setBuddy(self.kind)
        self.category_label = QLabel()
        self.category_label.setBuddy(self.category)
        self.date_label = QLabel()
        self.date_label.setBuddy(self.planned)
        self.form.addRow(self.establishment_label, self.search)
        self.form.addRow("", self.results)
        self.form.addRow("", self.about)
        self.form.addRow(self.kind_label, self.kind)
        self.form.addRow(self.category_label, self.category)
        self.form.addRow(self.date_label, self.planned)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        for first, second in ((self.search, self.results), (self.results, self.kind), (self.kind, self.category),
                              (self.category, self.planned), (self.planned, self.ok_button),
                              (self.ok_button, self.cancel_button)):
            QWidget.setTabOrder(first, second)
        self.resize(620, 520)
        self._update_ok()

    def retranslate(self) -> None:
        self.setWindowTitle(t("new_visit.title"))
        self.establishment_label.setText(t("new_visit.establishment"))
        self.search.setPlaceholderText(t("new_visit.search"))
        self.search.setAccessibleName(t("new_visit.search.name"))
        self.results.setAccessibleName(t("new_visit.results.name"))
        self.kind_label.setText(t("new_visit.kind"))
        self.kind.setAccessibleName(t("new_visit.kind").replace("&", ""))
        for i, kind in enumerate(MEUBLE_VISIT_KINDS):
            self.kind.setItemText(i, t(f"kind.{kind}"))
        self.category_label.setText(t("new_visit.category"))
        self.category.setAccessibleName(t("new_visit.category").replace("&", ""))
        self.category.setPlaceholderText(t("new_visit.category.none"))
        self.date_label.setText(t("new_visit.date"))
        self.planned.setAccessibleName(t("new_visit.date").replace("&", ""))
        self.ok_button.setText(t("new_visit.create"))
        self.ok_button.setAccessibleName(t("new_visit.create").replace("&", ""))
        self.cancel_button.setText(t("card.cancel"))
        self._describe(self.selected())
        self._update_ok()

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    # establishment search
    def search_now(self) -> None:
        """Run the search for the text as it is now (normally 200 ms after the last keystroke)."""
        self._search_timer.stop()
        if self.ctx.db is None:
            return
        self._generation += 1
        generation = self._generation
        self._searching = True
        self._update_ok()
        self.ctx.runner.run(search_establishments, self.ctx.db, self.search.text(), 50, ("meuble",),
                            on_done=lambda rows: self._found_rows(generation, rows),
                            on_error=lambda exc: self._failed(generation, exc))

    def _found_rows(self, generation: int, rows: list[EstablishmentRow]) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._searching = False
        previous = self.selected_id()
        self._found = {r.id: r for r in rows}
        self.results_model.clear()
        for r in rows:
            owner = f" · {r.owner}" if r.owner else ""
            item = QStandardItem(f"{r.name} — {r.commune}{owner}")
            item.setData(r.id, EstablishmentIdRole)
            item.setEditable(False)
            self.results_model.appendRow(item)
        ids = list(self._found)
        if ids:
            row = ids.index(previous) if previous in self._found else 0
            self.results.setCurrentIndex(self.results_model.index(row, 0))
        else:
            self._describe(None)
            self.about.setText(t("new_visit.none"))
        self._update_ok()

    def _failed(self, generation: int, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        if generation != self._generation:
            return
        self._searching = False
        self.error.setText(t("new_visit.error", error=exc))
        self._update_ok()

    def selected_id(self) -> str | None:
        index = self.results.currentIndex()
        return index.data(EstablishmentIdRole) if index.isValid() else None

    def selected(self) -> EstablishmentRow | None:
        establishment_id = self.selected_id()
        return self._found.get(establishment_id) if establishment_id else None

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.selected()
        if row is not None:
            self.kind.setCurrentIndex(MEUBLE_VISIT_KINDS.index(row.suggested_visit_kind))
            if row.current_category in CATEGORIES:
                self.category.setCurrentIndex(CATEGORIES.index(row.current_category))
        self._describe(row)
        self._update_ok()

    def _describe(self, row: EstablishmentRow | None) -> None:
        """What the office should know before planning: classified until when, last visit, a visit already open."""
        if row is None:
            self.about.setText("")
            return
        if row.current_category and row.category_valid_until:
            lines = [t("new_visit.renewal", cat=row.current_category, date=date_text(row.category_valid_until))]
        elif row.suggested_visit_kind == "renouvellement":
            lines = [t("new_visit.previous")]
        elif row.last_visit_kind and row.last_visit_state:
            lines = [t("new_visit.last", kind=kind_label(row.last_visit_kind), state=state_label(row.last_visit_state),
                       date=date_text(row.last_visit_on))]
        else:
            lines = [t("new_visit.first")]
        if row.open_visit_id:
            lines.append(t("new_visit.open"))
        self.about.setText("\n".join(lines))

    # creation
    def _update_ok(self) -> None:
        ready = self.selected() is not None and self.category.currentIndex() >= 0 and not self._saving
        self.ok_button.setEnabled(ready)

    def values(self) -> dict[str, Any]:
        """What create_visit receives, as plain data."""
        return {"establishment_id": self.selected_id(), "kind": self.kind.currentData(),
                "requested_category": self.category.currentData(), "planned_on": self.planned.date().toPython()}

    def accept(self) -> None:
        if self._saving:
            return
        if self._search_timer.isActive():
            self.search_now()  # the list is changing under the user's Enter: let it settle first
            return
        if self._searching:
            return
        if self.selected() is None:
            self.error.setText(t("new_visit.choose"))
            self.search.setFocus()
            return
        if self.category.currentIndex() < 0:
            self.error.setText(t("new_visit.choose_category"))
            self.category.setFocus()
            return
        self._saving = True
        self._update_ok()
        self.error.setText(t("new_visit.saving"))
        self.ctx.runner.run(create_visit, self.ctx.db, user_id=self.ctx.user_id, **self.values(),
                            on_done=self._created, on_error=self._create_failed)

    def _created(self, result: OpResult[str]) -> None:
        self.ctx.notify(result.changed)
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.created_visit_id = result.value
        self.error.setText("")
        self.ctx.message.emit(t("visits.created"), 3000)
        super().accept()
        self.created.emit(result.value)

    def _create_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        message = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        self.error.setText(t("new_visit.error", error=message))
        self._update_ok()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Down and self.results_model.rowCount():
                self.results.setFocus()
                return True
        return super().eventFilter(obj, event)
