"""The criterion pane: official wording and précisions, status and points, answer, comment, last time's answer."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.grids.model import Criterion, Grid

from ..strings import t
from .comment_box import CommentBox


@dataclass(frozen=True)
class PaneState:
    """What the pane shows for one criterion (plain data computed by the editor)."""

    criterion: Criterion
    status: str  # effective status for the requested category
    grid_status: str
    status_reason: str
    category: str
    answer: str  # none | yes | no | na | nc
    points: int | None
    na_reason: str
    comment: str
    na_allowed: bool
    previous: str  # "" when there is no previous visit
    editable: bool


def pane_heading(pane: QFrame) -> tuple[QLabel, QLabel]:
    """The framed look of a criterion pane and its heading labels: where the criterion sits, and its wording."""
    pane.setFrameShape(QFrame.Shape.StyledPanel)
    location = QLabel()
    location.setStyleSheet("color: #555;")
    location.setWordWrap(True)
    title = QLabel()
    title.setWordWrap(True)
    title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    title.setStyleSheet("font-size: 16pt; font-weight: 600;")
    return location, title


class CriterionPane(QFrame):
    """Shows one criterion; emits what the inspector answers (the editor saves it through the services)."""

    answered = Signal(str, str, object, str)  # code, value (yes/no/na), points (int | None), na_reason
    comment_changed = Signal(str, str)  # code, comment

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._state: PaneState | None = None
        self._grid: Grid | None = None
        lay = QVBoxLayout(self)
        self.location, self.title = pane_heading(self)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.help_title = QLabel()
        self.help_title.setStyleSheet("font-weight: 600; margin-top: 6px;")
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.previous = QLabel()
        self.previous.setStyleSheet("color: #6a1b9a;")
        row = QHBoxLayout()
        self.yes, self.no, self.na = QPushButton(), QPushButton(), QPushButton()
        self.group = QButtonGroup(self)
        for b in (self.yes, self.no, self.na):
            b.setCheckable(True)
            b.setMinimumHeight(40)
            b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.group.addButton(b)
            row.addWidget(b)
        self.points = QSpinBox()
        self.points.setRange(0, 5)
        self.points.setAccessibleName("Points de bonification (critère 2)")
        self.points.setSuffix(" pt")
        row.addWidget(self.points)
        self.yes.clicked.connect(lambda: self._emit("yes"))
        self.no.clicked.connect(lambda: self._emit("no"))
        self.na.clicked.connect(lambda: self._emit("na"))
        self.points.valueChanged.connect(self._points_changed)
        self.na_reason = QComboBox()
        self.na_reason.setEditable(True)
        self.na_reason.setAccessibleName("Motif de non-applicabilité")
        self.comment_label = QLabel()
        self.comment = CommentBox("Commentaire du critère")
        self.comment.committed.connect(lambda _text: self._save_comment())
        for w in (self.location, self.title, self.status, self.help_title, self.help, self.previous):
            lay.addWidget(w)
        lay.addLayout(row)
        lay.addWidget(self.na_reason)
        lay.addWidget(self.comment_label)
        lay.addWidget(self.comment)
        lay.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.yes.setText(t("editor.yes") + "  [O]")
        self.no.setText(t("editor.no") + "  [N]")
        self.na.setText(t("editor.na") + "  [A]")
        self.yes.setAccessibleName(t("answer.yes"))
        self.no.setAccessibleName(t("answer.no"))
        self.na.setAccessibleName(t("editor.na"))
        self.help_title.setText(t("editor.precisions"))
        self.comment_label.setText(t("editor.comment") + " (Ctrl+Entrée)")
        if self._state:
            self.show_state(self._grid, self._state)

    def _save_comment(self) -> None:
        if self._state and self._state.editable and self.comment.toPlainText() != self._state.comment:
            self.comment_changed.emit(self._state.criterion.code, self.comment.toPlainText())

    def _emit(self, value: str) -> None:
        st = self._state
        if st is None or not st.editable:
            return
        if value == "na" and not st.na_allowed:
            return
        points = None
        if st.criterion.graded:
            points = 0 if value == "no" else (self.points.value() if value == "yes" else None)
            if value == "yes" and not points:
                points = st.criterion.points
        reason = self.na_reason.currentText().strip() if value == "na" else ""
        self.answered.emit(st.criterion.code, value, points, reason)

    def _points_changed(self, value: int) -> None:
        st = self._state
        if st and st.editable and st.criterion.graded and self.points.hasFocus():
            self.answered.emit(st.criterion.code, "yes" if value else "no", value, "")

    def show_state(self, grid: Grid | None, st: PaneState) -> None:
        """Display a criterion; cheap enough to run on every key press (no database access)."""
        self._grid, self._state = grid, st
        c = st.criterion
        section = grid.section(c.section) if grid and c.section else None
        self.location.setText(" · ".join(x for x in (f"{section.code}. {section.title}" if section else "",
                                                      c.rubric) if x))
        self.title.setText(f"{c.code} — {c.text}")
        labels = grid.status_labels if grid else {}
        points = c.points_label or str(c.points)
        text = t("editor.status", status=labels.get(st.status, st.status), points=points, cat=st.category)
        if st.status != st.grid_status:
            text += f"<br><i>{labels.get(st.grid_status, st.grid_status)} → {labels.get(st.status, st.status)} : " \
                    f"{st.status_reason}</i>"
        self.status.setText(text)
        self.help.setText(c.help or "—")
        self.help_title.setVisible(bool(c.help))
        self.help.setVisible(bool(c.help))
        self.previous.setText(t("editor.previous", answer=st.previous) if st.previous else "")
        self.previous.setVisible(bool(st.previous))
        self.group.setExclusive(False)
        for b, v in ((self.yes, "yes"), (self.no, "no"), (self.na, "na")):
            b.setChecked(st.answer == v)
            b.setEnabled(st.editable and (v != "na" or st.na_allowed))
        self.group.setExclusive(True)
        self.points.setVisible(c.graded)
        self.points.blockSignals(True)
        self.points.setValue(st.points or 0)
        self.points.blockSignals(False)
        self.points.setEnabled(st.editable)
        self.na_reason.blockSignals(True)
        self.na_reason.clear()
        self.na_reason.addItems(list(c.na_reasons))
        if st.na_reason:
            self.na_reason.setCurrentText(st.na_reason)
        self.na_reason.blockSignals(False)
        self.na_reason.setVisible(bool(c.na_reasons))
        self.na_reason.setEnabled(st.editable)
        if not self.comment.hasFocus():
            self.comment.setPlainText(st.comment)
        self.comment.setReadOnly(not st.editable)
        self.setAccessibleName(f"Critère {c.code}")
