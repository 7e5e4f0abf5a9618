"""The criteria tree (chapters → sections → criteria) of a visit's grid, with each criterion's answer state."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

from inspector.grids.model import Grid

from .. import strings

CodeRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2  # "chapter" | "section" | "criterion"
StateRole = Qt.ItemDataRole.UserRole + 3  # "none" | "yes" | "no" | "na" | "nc" | "off" (NA for this category)
SearchTextRole = Qt.ItemDataRole.UserRole + 4

STATE_COLOURS = {"none": "#b0b0b0", "yes": "#2e7d32", "no": "#c62828", "na": "#1565c0", "nc": "#1565c0",
                 "off": "#e0e0e0"}
STATE_WORDS = {"none": ("sans réponse", "unanswered"), "yes": ("oui", "yes"), "no": ("non", "no"),
               "na": ("non applicable", "not applicable"), "nc": ("non concerné", "not concerned"),
               "off": ("non applicable pour cette catégorie", "not applicable for this category")}


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def state_icon(state: str, comment: bool, photo: bool) -> QIcon:
    """A coloured disc for the answer, with small marks for a comment (top right) and a photo (bottom right)."""
    pix = QPixmap(18, 18)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(STATE_COLOURS[state]))
    p.drawEllipse(1, 3, 12, 12)
    if state == "no":
        p.setPen(QColor("white"))
        p.drawLine(4, 6, 10, 12)
        p.drawLine(10, 6, 4, 12)
    if comment:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#f9a825"))
        p.drawRect(12, 0, 6, 5)
    if photo:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#6a1b9a"))
        p.drawRect(12, 12, 6, 6)
    p.end()
    return QIcon(pix)


@dataclass
class _Node:
    kind: str
    code: str
    title: str
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    row: int = 0
    state: str = "none"
    comment: bool = False
    photo: bool = False
    failed: bool = False
    status: str = ""  # effective status for the requested category
    search: str = ""


class CriteriaTreeModel(QAbstractItemModel):
    """Read-only tree over a grid; `update_states` refreshes only the criteria whose state changed."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._root = _Node("root", "", "")
        self._criteria: dict[str, _Node] = {}
        self._icons: dict[tuple[str, bool, bool], QIcon] = {}  # owned by the model: never outlives the app

    # ----- building ------------------------------------------------------------------------------------------

    def set_grid(self, grid: Grid) -> None:
        self.beginResetModel()
        root = _Node("root", "", "")
        chapters: dict[str, _Node] = {}
        sections: dict[str, _Node] = {}
        self._criteria = {}
        for ch in grid.chapters:
            node = _Node("chapter", ch.code, f"Chapitre {ch.code} : {ch.title}", root)
            chapters[ch.code] = node
        for sec in grid.sections:
            parent = chapters.get(sec.chapter, root)
            sections[sec.code] = _Node("section", sec.code, f"{sec.code}. {sec.title}", parent)
        prerequisites = None
        for c in grid.criteria:
            if c.section is None:
                if prerequisites is None:
                    prerequisites = _Node("section", "PRQ", c.rubric or "Prérequis", root)
                    root.children.append(prerequisites)
                parent = prerequisites
            else:
                parent = sections[c.section]
            node = _Node("criterion", c.code, c.text, parent, search=fold(f"{c.code} {c.text} {c.rubric}"))
            parent.children.append(node)
            self._criteria[c.code] = node
        for ch in chapters.values():
            root.children.append(ch)
        for sec in sections.values():
            sec.parent.children.append(sec)
        for node in [root, *chapters.values(), *sections.values()] + ([prerequisites] if prerequisites else []):
            node.children.sort(key=_order)
            for i, child in enumerate(node.children):
                child.row = i
        self._root = root
        self.endResetModel()

    def update_states(self, states: dict[str, tuple[str, bool, bool, bool, str]]) -> None:
        """states: code -> (state, has comment, has photo, failed, effective status). Emits only real changes."""
        for code, (state, comment, photo, failed, status) in states.items():
            node = self._criteria.get(code)
            if node is None:
                continue
            if (node.state, node.comment, node.photo, node.failed, node.status) == (state, comment, photo, failed,
                                                                                   status):
                continue
            node.state, node.comment, node.photo, node.failed, node.status = state, comment, photo, failed, status
            idx = self.createIndex(node.row, 0, node)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole, StateRole,
                                             Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole])

    # ----- lookups ---------------------------------------------------------------------------------------------

    def index_of(self, code: str) -> QModelIndex:
        node = self._criteria.get(code)
        return self.createIndex(node.row, 0, node) if node else QModelIndex()

    def codes(self) -> list[str]:
        """Criterion codes in tree order."""
        out: list[str] = []

        def walk(n: _Node) -> None:
            for ch in n.children:
                if ch.kind == "criterion":
                    out.append(ch.code)
                walk(ch)

        walk(self._root)
        return out

    def node_state(self, code: str) -> str:
        return self._criteria[code].state

    # ----- QAbstractItemModel ------------------------------------------------------------------------------

    def _node(self, index: QModelIndex | QPersistentModelIndex) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        node = self._node(parent)
        if row >= len(node.children):
            return QModelIndex()
        return self.createIndex(row, 0, node.children[row])

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node: _Node = index.internalPointer()
        parent = node.parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 1

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: _Node = index.internalPointer()
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{node.code} — {node.title}" if node.kind == "criterion" else node.title
        if role == CodeRole:
            return node.code
        if role == KindRole:
            return node.kind
        if node.kind != "criterion":
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            key = (node.state, node.comment, node.photo)
            icon = self._icons.get(key)
            if icon is None:
                icon = self._icons[key] = state_icon(*key)
            return icon
        if role == StateRole:
            return node.state
        if role == SearchTextRole:
            return node.search
        if role == Qt.ItemDataRole.ForegroundRole:
            if node.state == "off":
                return QBrush(QColor("#9e9e9e"))
            if node.failed:
                return QBrush(QColor("#c62828"))
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            words = STATE_WORDS[node.state][1 if strings.language() == "en" else 0]
            return f"{node.code} : {words}" + (" · commentaire" if node.comment else "") + (
                " · photo" if node.photo else "")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            words = STATE_WORDS[node.state][1 if strings.language() == "en" else 0]
            return f"Critère {node.code}, {words}. {node.title}"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section == 0:
            return "Critères" if strings.language() == "fr" else "Criteria"
        return None


def _order(node: _Node) -> tuple[int, int, str]:
    if node.code == "PRQ":
        return (0, 0, "")
    if node.code.isdigit():
        return (1, int(node.code), "")
    parts = node.code.split(".")
    if all(p.isdigit() for p in parts):
        return (1, int(parts[0]) * 1000 + (int(parts[1]) if len(parts) > 1 else 0), "")
    return (2, 0, node.code)


class CriteriaFilter(QSortFilterProxyModel):
    """Filters criteria by answer state (all, unanswered, failed, with photos) and by number or words."""

    MODES = ("all", "unanswered", "failed", "photos")

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self._mode = "all"
        self._text = ""

    def set_mode(self, mode: str) -> None:
        self.beginFilterChange()
        self._mode = mode
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = fold(text.strip())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        idx = model.index(row, 0, parent)
        if model.data(idx, KindRole) != "criterion":
            return False  # sections and chapters show when one of their criteria does (recursive filtering)
        node: _Node = idx.internalPointer()
        if self._mode == "unanswered" and node.state != "none":
            return False
        if self._mode == "failed" and not node.failed:
            return False
        if self._mode == "photos" and not node.photo:
            return False
        if self._text:
            if self._text.isdigit():
                return node.code == self._text or node.code.startswith(self._text)
            return all(word in node.search for word in self._text.split())
        return True
