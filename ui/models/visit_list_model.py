"""The visit list as a table model over plain VisitRow data (no database access in data())."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from inspector.services.queries import VisitRow

from ..strings import UI, t
from .row_table import RowTableModel

VisitIdRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2  # a comparable key of one type per column (the proxy sorts on it)
EstablishmentIdRole = Qt.ItemDataRole.UserRole + 3

COLUMNS = ("state", "kind", "establishment", "commune", "owner", "category", "planned", "deadline")
URGENT_DAYS = 7  # a report due within this many days is shown in red and bold
URGENT_COLOUR = QColor("#c62828")

_Index = QModelIndex | QPersistentModelIndex


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def date_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def state_label(state: str) -> str:
    return t(f"state.{state}") if f"state.{state}" in UI else state


def kind_label(kind: str) -> str:
    return t(f"kind.{kind}") if f"kind.{kind}" in UI else kind


def deadline(row: VisitRow) -> tuple[str, dt.date | None]:
    """The text and date of the deadline that matters for the row's state (report, refusal, validity)."""
    if row.days_left is not None and row.report_due:
        key = "deadline.report" if row.days_left >= 0 else "deadline.late"
        return t(key, date=date_text(row.report_due), days=abs(row.days_left)), row.report_due
    if row.state == "issued" and row.refusal_end:
        return t("deadline.refusal", date=date_text(row.refusal_end)), row.refusal_end
    if row.state == "acquired" and row.valid_until:
        return t("deadline.valid", date=date_text(row.valid_until)), row.valid_until
    return "", None


def is_urgent(row: VisitRow) -> bool:
    return row.days_left is not None and row.days_left <= URGENT_DAYS


class VisitListModel(RowTableModel):
    """Visits as rows, one column per field of COLUMNS; `set_rows` replaces them all (rows come from a worker)."""

    columns = COLUMNS
    header_prefix = "col."

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items) or not 0 <= index.column() < len(COLUMNS):
            return None
        row = self._items[index.row()]
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, column)
        if role == VisitIdRole:
            return row.id
        if role == EstablishmentIdRole:
            return row.establishment_id
        if role == SortRole:
            return self._sort_key(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if column == "deadline" and is_urgent(row):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(URGENT_COLOUR)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("category", "planned"):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    # helpers
    @staticmethod
    def _display(row: VisitRow, column: str) -> str:
        if column == "state":
            return state_label(row.state)
        if column == "kind":
            return kind_label(row.kind)
        if column == "establishment":
            return row.establishment
        if column == "commune":
            return row.commune
        if column == "owner":
            return row.owner
        if column == "category":
            return f"{row.requested_category}★" if row.requested_category else ""
        if column == "planned":
            return date_text(row.planned_on)
        return deadline(row)[0]

    @staticmethod
    def _sort_key(row: VisitRow, column: str) -> Any:
        if column == "category":
            return row.requested_category or 0
        if column == "planned":
            return row.planned_on.isoformat() if row.planned_on else ""
        if column == "deadline":
            day = deadline(row)[1]
            return day.isoformat() if day else ""
        return fold(VisitListModel._display(row, column))

    @staticmethod
    def _tooltip(row: VisitRow, column: str) -> str | None:
        if column == "deadline" and row.days_left is not None and row.report_due and row.visited_on:
            return t("deadline.report.tip", date=date_text(row.report_due), visited=date_text(row.visited_on))
        if column in ("establishment", "owner", "commune", "deadline"):
            return VisitListModel._display(row, column) or None
        return None

    # public API
    def set_rows(self, rows: list[VisitRow]) -> None:
        """Replace every row (plain data, already loaded off the UI thread)."""
        self.replace_items(rows)

    def rows(self) -> list[VisitRow]:
        return list(self._items)

    def row_data(self, row: int) -> VisitRow | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, visit_id: str) -> int:
        """The row of a visit id, -1 if it is not listed."""
        return next((i for i, r in enumerate(self._items) if r.id == visit_id), -1)

    def retranslate(self) -> None:
        """The language changed: headers and the translated cells (state, kind, deadline) are re-read."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(COLUMNS) - 1),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                   Qt.ItemDataRole.AccessibleTextRole])
