"""A text box that commits what was typed when it loses the focus or on Ctrl+Entrée (nothing typed is left unsaved
when the inspector moves on)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class CommentBox(QPlainTextEdit):
    """Emits `committed(text)` on focus-out and on Ctrl+Entrée; the owner saves it when it changed."""

    committed = Signal(str)

    def __init__(self, accessible_name: str, parent: QWidget | None = None, *, max_height: int | None = 90):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        if max_height is not None:
            self.setMaximumHeight(max_height)
        self.setAccessibleName(accessible_name)

    @staticmethod
    def _is_commit_key(event: QEvent) -> bool:
        return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
            event.modifiers() & Qt.KeyboardModifier.ControlModifier)

    def event(self, event: QEvent) -> bool:
        # Ctrl+Entrée is also the editor's shortcut "go to the comment": inside the box it must commit instead.
        if event.type() == QEvent.Type.ShortcutOverride and self._is_commit_key(event):
            event.accept()
            return True
        return super().event(event)

    def focusOutEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        self.committed.emit(self.toPlainText())
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if self._is_commit_key(event):
            self.committed.emit(self.toPlainText())
            return
        super().keyPressEvent(event)
