"""A read-only table model over a list of plain rows: one column per key, headers from the interface texts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ..strings import t

Index = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel):
    """Subclasses set `columns` and `header_prefix` and implement `data()`; rows are replaced all at once."""

    columns: tuple[str, ...] = ()
    header_prefix = ""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._items: list[Any] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return t(f"{self.header_prefix}{self.columns[section]}")
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and \
                0 <= section < len(self._items):
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def cell(self, index: Index) -> tuple[Any, str] | None:
        """The row object and the column key of a valid index, else None."""
        if not index.isValid() or not 0 <= index.row() < len(self._items) or \
                not 0 <= index.column() < len(self.columns):
            return None
        return self._items[index.row()], self.columns[index.column()]

    def replace_items(self, items: list[Any]) -> None:
        """Replace every row (plain data, loaded off the UI thread)."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()
