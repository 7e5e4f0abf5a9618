"""Item models of the commission workspace: sessions, agenda, members (editable) and the letters issued."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ..models.row_table import RowTableModel
from ..strings import UI, t

Index = QModelIndex | QPersistentModelIndex

SessionIdRole = Qt.ItemDataRole.UserRole + 1
ItemIdRole = Qt.ItemDataRole.UserRole + 2
VisitIdRole = Qt.ItemDataRole.UserRole + 3
PathRole = Qt.ItemDataRole.UserRole + 4
DecidedRole = Qt.ItemDataRole.UserRole + 5

COLLEGE_CODES = ("tourism", "disability", "state", "other")
GREEN, RED, ORANGE = "#2e7d32", "#c62828", "#ef6c00"
STATUS_COLOURS = {"acquired": GREEN, "refused": RED, "adjourned": ORANGE}


def date_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def label_text(code: str) -> str:
    key = f"commission.label.{code}"
    return t(key) if key in UI else code


def college_text(code: str) -> str:
    key = f"commission.college.{code}"
    return t(key) if key in UI else code


def status_text(status: str) -> str:
    key = f"commission.status.{status}"
    return t(key) if key in UI else status


def decision_text(decision: Any) -> str:
    """One line for a recorded LabelDecision (number, outcome, families), '' when there is none."""
    if decision is None:
        return ""
    key = {"acquired": "decision.granted", "refused": "decision.refused", "adjourned": "decision.adjourned"}.get(
        decision.status, "")
    outcome = t(key) if key else decision.status
    families = ", ".join(decision.family_labels) if decision.families else ""
    return f"{decision.number} · {outcome}" + (f" ({families})" if families else "")


class SessionListModel(RowTableModel):
    """One row per SessionInfo (newest first, as the service lists them)."""

    columns = ("date", "place", "labels", "status", "items")
    header_prefix = "commission.col."

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None:
            return None
        s, column = cell
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == "date":
                return date_text(s.held_on)
            if column == "place":
                return s.place
            if column == "labels":
                return ", ".join(label_text(x) for x in s.labels)
            if column == "status":
                return status_text(s.status)
            return t("commission.items", decided=s.decided_count, total=s.item_count)
        if role == SessionIdRole:
            return s.id
        if role == Qt.ItemDataRole.FontRole and column == "status" and s.status != "closed":
            font = QFont()
            font.setBold(True)
            return font
        return None

    def row_of(self, session_id: str | None) -> int:
        return next((i for i, s in enumerate(self._items) if s.id == session_id), -1)

    def session(self, row: int) -> Any:
        return self._items[row] if 0 <= row < len(self._items) else None


class AgendaModel(RowTableModel):
    """The agenda of a session: one row per AgendaItem, in agenda order, with the proposal and the decision."""

    columns = ("position", "establishment", "commune", "label", "families", "evaluators", "proposal", "decision")
    header_prefix = "commission.acol."

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None:
            return None
        item, column = cell
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in ("proposal", "decision", "establishment"):
            if column == "decision" and item.decision is not None:
                return item.decision.notice
            return self._display(item, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "decision":
            colour = STATUS_COLOURS.get(item.decision.status) if item.decision is not None else ORANGE
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "position":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ItemIdRole:
            return item.id
        if role == VisitIdRole:
            return item.visit_id
        if role == DecidedRole:
            return item.decision is not None
        return None

    @staticmethod
    def _display(item: Any, column: str) -> str:
        if column == "position":
            return str(item.position)
        if column == "establishment":
            return item.establishment_name
        if column == "commune":
            return item.commune
        if column == "label":
            return label_text(item.label)
        if column == "families":
            return ", ".join(item.families)
        if column == "evaluators":
            return ", ".join(item.evaluators)
        if column == "proposal":
            return item.proposal
        return decision_text(item.decision) or t("commission.undecided")

    def items(self) -> list[Any]:
        return list(self._items)

    def row_of(self, item_id: str | None) -> int:
        return next((i for i, x in enumerate(self._items) if x.id == item_id), -1)

    def item(self, row: int) -> Any:
        return self._items[row] if 0 <= row < len(self._items) else None


class LettersModel(RowTableModel):
    """The documents issued for a session's items (DocumentInfo), with the establishment they are for."""

    columns = ("establishment", "kind", "date", "file")
    header_prefix = "commission.lcol."

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.names: dict[str, str] = {}  # visit id -> establishment name

    def set_letters(self, documents: list[Any], names: dict[str, str]) -> None:
        self.names = dict(names)
        self.replace_items(documents)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None:
            return None
        doc, column = cell
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == "establishment":
                return self.names.get(doc.visit_id, "")
            if column == "kind":
                key = f"commission.doc.{doc.kind}"
                return t(key) if key in UI else doc.kind
            if column == "date":
                issued = doc.issued_at
                return date_text(issued.date() if isinstance(issued, dt.datetime) else issued)
            return Path(str(doc.path)).name
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(doc.path)
        if role == PathRole:
            return str(doc.path)
        return None


class MembersModel(QAbstractTableModel):
    """The members of a session (name, body, college, present), editable in place unless read-only.

    Rows are plain dicts with the keys of the service's Member; `members()` gives them back for the service.
    """

    columns = ("name", "body", "college", "present")

    def __init__(self, parent: Any = None, *, editable: bool = True):
        super().__init__(parent)
        self.editable = editable
        self._rows: list[dict[str, Any]] = []

    # reading
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and \
                0 <= section < len(self.columns):
            return t(f"session.mcol.{self.columns[section]}")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.editable:
            column = self.columns[index.column()]
            flags |= Qt.ItemFlag.ItemIsUserCheckable if column == "present" else Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], self.columns[index.column()]
        if column == "present":
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if row["present"] else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return t("session.mcol.present") if row["present"] else ""
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return college_text(row["college"]) if column == "college" else row[column]
        if role == Qt.ItemDataRole.EditRole:
            return row[column]
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or not self.editable or not 0 <= index.row() < len(self._rows):
            return False
        row, column = self._rows[index.row()], self.columns[index.column()]
        if column == "present" and role == Qt.ItemDataRole.CheckStateRole:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
            row["present"] = bool(checked)
        elif column != "present" and role == Qt.ItemDataRole.EditRole:
            text = str(value or "").strip()
            if column == "college" and text not in COLLEGE_CODES:
                return False
            row[column] = text
        else:
            return False
        self.dataChanged.emit(index, index, [role, Qt.ItemDataRole.DisplayRole])
        return True

    # rows
    def set_members(self, members: Any) -> None:
        """Members as the service gives them (Member objects or dicts)."""
        self.beginResetModel()
        self._rows = [_member_dict(m) for m in members or ()]
        self.endResetModel()

    def members(self) -> list[dict[str, Any]]:
        """The rows for the service (named members only)."""
        return [dict(r) for r in self._rows if r["name"].strip()]

    def add_member(self, name: str = "", body: str = "", college: str = "other", present: bool = True) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append({"name": name, "body": body, "college": college if college in COLLEGE_CODES else "other",
                           "present": present})
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> bool:
        if not 0 <= row < len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        return True


def _member_dict(member: Any) -> dict[str, Any]:
    get = member.get if isinstance(member, dict) else lambda k, d=None: getattr(member, k, d)
    college = str(get("college", "other") or "other")
    return {"name": str(get("name", "") or ""), "body": str(get("body", "") or ""),
            "college": college if college in COLLEGE_CODES else "other", "present": bool(get("present", True))}


class CollegeDelegate(QStyledItemDelegate):
    """Edits the college column with a combo box of the four colleges."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                     index: Index) -> QWidget:
        box = QComboBox(parent)
        for code in COLLEGE_CODES:
            box.addItem(college_text(code), code)
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802 - Qt override
        if isinstance(editor, QComboBox):
            i = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(i, 0))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802 - Qt override
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
