"""Sync conflicts, field by field, both values side by side (this computer | the server). Read-only in this slice:
the core keeps conflicts open and offers no resolution yet, so nothing here changes data."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTreeView, QVBoxLayout, QWidget

from ..models.conflict_model import ConflictModel
from ..strings import t


class ConflictsView(QWidget):
    """A tree: each conflict on one spanned line (what, which row, why, when), its fields under it in three columns."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = ConflictModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setWordWrap(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.note)
        self.model.modelReset.connect(self._layout_rows)
        self.retranslate()
        self._layout_rows()

    def set_conflicts(self, conflicts: list[dict[str, Any]]) -> None:
        self.model.set_conflicts(conflicts)

    def count(self) -> int:
        return self.model.rowCount()

    def _layout_rows(self) -> None:
        """Conflict lines span the three columns; every conflict starts expanded (there are few)."""
        root = self.tree.rootIndex()
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, root, True)
        self.tree.expandAll()
        has = self.model.rowCount() > 0
        self.tree.setVisible(has)
        self.note.setVisible(has)
        self.empty.setVisible(not has)

    def retranslate(self) -> None:
        self.empty.setText(t("sync.conflicts.none"))
        self.note.setText(t("sync.conflicts.note"))
        self.tree.setAccessibleName(t("sync.conflicts.name"))
        self.model.retranslate()
