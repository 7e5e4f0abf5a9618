"""Sync conflicts as a two-level tree: one row per conflict, under it one row per field with both values.

Plain data only: the conflict records the sync client keeps in `settings.sync_conflicts` (table, row_id, origin,
message, detected_at, fields: [{field, server, client}]), plus the "key" and "label" `inspector.sync.status` adds.
For a field-by-field merge, the server value of a field row is checkable: checked takes the server's value, unchecked
keeps this computer's (`field_choices`). Nothing here writes data.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from inspector.sync.state import conflict_key

from ..strings import UI, t

ConflictIdRole = Qt.ItemDataRole.UserRole + 1
TableRole = Qt.ItemDataRole.UserRole + 2
RowIdRole = Qt.ItemDataRole.UserRole + 3
FieldRole = Qt.ItemDataRole.UserRole + 4  # child rows: the field name
LocalValueRole = Qt.ItemDataRole.UserRole + 5  # child rows: the raw value on this computer
ServerValueRole = Qt.ItemDataRole.UserRole + 6  # child rows: the raw value on the server
KeyRole = Qt.ItemDataRole.UserRole + 7  # what `inspector.sync.conflicts.resolve` takes

COLUMNS = ("field", "local", "server")
SERVER_COLUMN = COLUMNS.index("server")
TOP = 0  # internalId of a conflict row; a field row's internalId is its conflict's row + 1

_Index = QModelIndex | QPersistentModelIndex


def table_label(table: str) -> str:
    key = f"sync.table.{table}"
    return t(key) if key in UI else table


def format_value(value: Any) -> str:
    """A stored value as people read it: (vide), oui/non, JSON for lists and objects, the text otherwise."""
    if value is None or value == "":
        return t("sync.value.empty")
    if isinstance(value, bool):
        return t("sync.value.yes") if value else t("sync.value.no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def local_time_text(utc_iso: str) -> str:
    """A naive UTC ISO timestamp as local dd/mm/yyyy HH:MM ("" when unreadable)."""
    try:
        when = dt.datetime.fromisoformat(utc_iso)
    except (TypeError, ValueError):
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone().strftime("%d/%m/%Y %H:%M")


class ConflictModel(QAbstractItemModel):
    """Conflicts (top level: what, which row, when, why) and their fields (field, this computer, the server)."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._conflicts: list[dict[str, Any]] = []
        self._take_server: dict[str, set[str]] = {}  # conflict key -> fields whose server value is checked

    # Qt API
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, TOP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not child.isValid() or child.internalId() == TOP:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, TOP)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        if not parent.isValid():
            return len(self._conflicts)
        if parent.column() != 0 or parent.internalId() != TOP or not 0 <= parent.row() < len(self._conflicts):
            return 0
        return len(self._fields(parent.row()))

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS) and \
                role == Qt.ItemDataRole.DisplayRole:
            return t(f"sync.col.{COLUMNS[section]}")
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() != TOP:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
            if index.column() == SERVER_COLUMN:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """Check or uncheck a field's server value (the field-by-field choice)."""
        if not index.isValid() or index.internalId() == TOP or index.column() != SERVER_COLUMN or \
                role != Qt.ItemDataRole.CheckStateRole:
            return False
        conflict_row = index.internalId() - 1
        if not 0 <= conflict_row < len(self._conflicts):
            return False
        fields = self._fields(conflict_row)
        if not 0 <= index.row() < len(fields):
            return False
        chosen = self._take_server.setdefault(self.key(conflict_row), set())
        name = str(fields[index.row()].get("field", ""))
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        if checked:
            chosen.add(name)
        else:
            chosen.discard(name)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.AccessibleTextRole])
        return True

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == TOP:
            if not 0 <= index.row() < len(self._conflicts):
                return None
            return self._conflict_data(self._conflicts[index.row()], index.column(), role)
        conflict_row = index.internalId() - 1
        if not 0 <= conflict_row < len(self._conflicts):
            return None
        fields = self._fields(conflict_row)
        if not 0 <= index.row() < len(fields):
            return None
        return self._field_data(self._conflicts[conflict_row], fields[index.row()], index.column(), role)

    # helpers
    def _fields(self, row: int) -> list[dict[str, Any]]:
        fields = self._conflicts[row].get("fields") or []
        return [f for f in fields if isinstance(f, dict)]

    def title(self, conflict: dict[str, Any]) -> str:
        """« Visite — Gîte des Dunes (13/11/2026) : modifié sur le serveur et sur ce poste (détecté à la réception,
        25/11/2026 10:12) »."""
        what = table_label(str(conflict.get("table", "")))
        label = conflict.get("label") or str(conflict.get("row_id", ""))[:8]
        origin_key = f"sync.origin.{conflict.get('origin', '')}"
        when = ", ".join(p for p in (t(origin_key) if origin_key in UI else "",
                                     local_time_text(str(conflict.get("detected_at", "")))) if p)
        text = f"{what} — {label}"
        if conflict.get("message"):
            text += f" : {conflict['message']}"
        return f"{text} ({when})" if when else text

    def _conflict_data(self, conflict: dict[str, Any], column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.title(conflict) if column == 0 else None
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return "\n".join([self.title(conflict), f"{conflict.get('table', '')} {conflict.get('row_id', '')}",
                              f"version de base {conflict.get('base_version', '?')}, version serveur "
                              f"{conflict.get('server_version', '?')}"])
        return _conflict_role(conflict, role)

    def _field_data(self, conflict: dict[str, Any], field: dict[str, Any], column: int, role: int) -> Any:
        name = COLUMNS[column]
        if role == Qt.ItemDataRole.CheckStateRole and column == SERVER_COLUMN:
            taken = str(field.get("field", "")) in self._take_server.get(conflict_key(conflict), set())
            return Qt.CheckState.Checked if taken else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole and column == SERVER_COLUMN:
            return f"{format_value(field.get('server'))}\n{t('sync.resolve.field_tip')}"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if name == "field":
                return str(field.get("field", ""))
            return format_value(field.get("client" if name == "local" else "server"))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if name == "field":
                return str(field.get("field", ""))
            return f"{t(f'sync.col.{name}')} : {format_value(field.get('client' if name == 'local' else 'server'))}"
        if role == FieldRole:
            return field.get("field", "")
        if role == LocalValueRole:
            return field.get("client")
        if role == ServerValueRole:
            return field.get("server")
        return _conflict_role(conflict, role)

    # public API
    def set_conflicts(self, conflicts: list[dict[str, Any]]) -> None:
        """Replace every row (plain records, read off the UI thread)."""
        self.beginResetModel()
        self._conflicts = [dict(c) for c in conflicts if isinstance(c, dict)]
        keys = {conflict_key(c) for c in self._conflicts}
        self._take_server = {k: v for k, v in self._take_server.items() if k in keys}  # choices survive a refresh
        self.endResetModel()

    def conflicts(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self._conflicts]

    def key(self, row: int) -> str:
        return conflict_key(self._conflicts[row]) if 0 <= row < len(self._conflicts) else ""

    def conflict_row(self, index: _Index) -> int:
        """The conflict an index belongs to (its own row, or its field's parent); -1 for none."""
        if not index.isValid():
            return -1
        return index.row() if index.internalId() == TOP else index.internalId() - 1

    def has_fields(self, row: int) -> bool:
        return 0 <= row < len(self._conflicts) and bool(self._fields(row))

    def field_choices(self, row: int) -> dict[str, str]:
        """field -> "server" (checked) or "mine" for each field of a conflict: the merge to send."""
        if not 0 <= row < len(self._conflicts):
            return {}
        taken = self._take_server.get(self.key(row), set())
        return {str(f.get("field", "")): "server" if f.get("field") in taken else "mine" for f in self._fields(row)}

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if not self._conflicts:
            return
        roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole]
        last = len(COLUMNS) - 1
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._conflicts) - 1, last), roles)
        for row in range(len(self._conflicts)):
            count = len(self._fields(row))
            if count:
                parent = self.index(row, 0)
                self.dataChanged.emit(self.index(0, 0, parent), self.index(count - 1, last, parent), roles)


def _conflict_role(conflict: dict[str, Any], role: int) -> Any:
    """What the conflict's own roles give, on its row and on each of its field rows alike."""
    if role == ConflictIdRole:
        return conflict.get("id", "")
    if role == TableRole:
        return conflict.get("table", "")
    if role == RowIdRole:
        return conflict.get("row_id", "")
    if role == KeyRole:
        return conflict_key(conflict)
    return None
