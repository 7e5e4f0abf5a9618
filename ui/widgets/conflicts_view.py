"""Sync conflicts, field by field, both values side by side (this computer | the server), and their resolution.

For the selected conflict: « Garder ma version », « Prendre la version du serveur », or a field-by-field merge
(check the server values to take, then « Fusionner »). Each asks for confirmation, then emits `resolve_requested`
(key, choice, fields); the owner runs the core service (`inspector.sync.conflicts.resolve`) off the UI thread and
sets the refreshed list. Nothing here touches the database.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..models.conflict_model import ConflictModel
from ..strings import t

MINE, SERVER, MERGE = "mine", "server", "merge"


class ConflictsView(QWidget):
    """A tree: each conflict on one spanned line (what, which row, why, when), its fields under it in three columns;
    under the tree, the resolution buttons for the selected conflict."""

    resolve_requested = Signal(str, str, object)  # conflict key, choice (mine | server | merge), fields or None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._busy = False
        self.model = ConflictModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
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
        self.mine_button = QPushButton()
        self.server_button = QPushButton()
        self.merge_button = QPushButton()
        self.mine_button.clicked.connect(lambda: self.request(MINE))
        self.server_button.clicked.connect(lambda: self.request(SERVER))
        self.merge_button.clicked.connect(lambda: self.request(MERGE))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.actions = QWidget()
        buttons = QHBoxLayout(self.actions)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.mine_button)
        buttons.addWidget(self.server_button)
        buttons.addWidget(self.merge_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.actions)
        layout.addWidget(self.message)
        layout.addWidget(self.note)
        self.model.modelReset.connect(self._layout_rows)
        self.model.dataChanged.connect(lambda *_args: self._update_buttons())
        self.tree.selectionModel().currentChanged.connect(lambda *_args: self._update_buttons())
        self.retranslate()
        self._layout_rows()

    def set_conflicts(self, conflicts: list[dict[str, Any]]) -> None:
        """Show these conflicts; the selection stays on the same conflict when it is still there."""
        key = self.selected_key()
        self.model.set_conflicts(conflicts)
        rows = [r for r in range(self.model.rowCount()) if self.model.key(r) == key] or [0]
        if self.model.rowCount():
            self.tree.setCurrentIndex(self.model.index(rows[0], 0))
        self._update_buttons()

    def count(self) -> int:
        return self.model.rowCount()

    def selected_row(self) -> int:
        return self.model.conflict_row(self.tree.currentIndex())

    def selected_key(self) -> str:
        return self.model.key(self.selected_row())

    def set_busy(self, busy: bool) -> None:
        """While a sync or a resolution runs, no other resolution starts."""
        self._busy = busy
        self._update_buttons()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # resolution
    def confirm(self, choice: str, label: str) -> bool:
        """Ask before resolving (tests replace this or QMessageBox.question)."""
        answer = QMessageBox.question(self, t("sync.resolve.confirm.title"),
                                      t(f"sync.resolve.confirm.{choice}", what=label),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def request(self, choice: str) -> bool:
        """Resolve the selected conflict with `choice` after confirmation; True when the request was emitted."""
        row = self.selected_row()
        if self._busy or row < 0:
            return False
        fields = self.model.field_choices(row) if choice == MERGE else None
        if choice == MERGE and not any(v == SERVER for v in (fields or {}).values()):
            self.show_message(t("sync.resolve.merge.none"))
            return False
        label = self.model.title(self.model.conflicts()[row])
        if not self.confirm(choice, label):
            return False
        self.set_busy(True)
        self.show_message(t("sync.resolve.running"))
        self.resolve_requested.emit(self.model.key(row), choice, fields)
        return True

    def _update_buttons(self) -> None:
        row = self.selected_row()
        usable = not self._busy and row >= 0
        self.mine_button.setEnabled(usable)
        self.server_button.setEnabled(usable)
        self.merge_button.setEnabled(usable and self.model.has_fields(row))

    def _layout_rows(self) -> None:
        """Conflict lines span the three columns; every conflict starts expanded (there are few)."""
        root = self.tree.rootIndex()
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, root, True)
        self.tree.expandAll()
        has = self.model.rowCount() > 0
        self.tree.setVisible(has)
        self.note.setVisible(has)
        self.actions.setVisible(has)
        self.empty.setVisible(not has)
        if not has:
            self.tree.setCurrentIndex(QModelIndex())
        self._update_buttons()

    def retranslate(self) -> None:
        self.empty.setText(t("sync.conflicts.none"))
        self.note.setText(t("sync.conflicts.note"))
        self.tree.setAccessibleName(t("sync.conflicts.name"))
        self.mine_button.setText(t("sync.resolve.mine"))
        self.mine_button.setToolTip(t("sync.resolve.mine.tip"))
        self.server_button.setText(t("sync.resolve.server"))
        self.server_button.setToolTip(t("sync.resolve.server.tip"))
        self.merge_button.setText(t("sync.resolve.merge"))
        self.merge_button.setToolTip(t("sync.resolve.merge.tip"))
        self.model.retranslate()
