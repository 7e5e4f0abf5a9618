"""The criterion pane of a label evaluation: wording, status per family, one answer per family or for all at once."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.grids.model import Criterion, Grid

from ..strings import t
from .comment_box import CommentBox
from .criterion_pane import pane_heading

CHECKED_STYLE = ("QPushButton:checked[answer=\"yes\"] { background: #c8e6c9; font-weight: 600; }"
                 "QPushButton:checked[answer=\"no\"] { background: #ffcdd2; font-weight: 600; }"
                 "QPushButton:checked[answer=\"nc\"] { background: #bbdefb; font-weight: 600; }")
ALL = ""  # the level of an answer given for every family at once
VALUES = ("yes", "no", "nc")


@dataclass(frozen=True)
class FamilyLine:
    """One family (T&H) or the label itself (Accueil Vélo, CHR) for the shown criterion."""

    level: str
    label: str
    status: str  # effective status for this family (X, CU, R, NA…)
    answer: str  # none | yes | no | nc


@dataclass(frozen=True)
class LabelPaneState:
    criterion: Criterion
    lines: tuple[FamilyLine, ...]
    comment: str
    previous: str
    editable: bool
    disagreement: str = ""  # both evaluators' answers when they differ (after a sync)


class LabelPane(QFrame):
    """Shows one label criterion; emits answers (code, value, level) — level "" answers every family at once."""

    answered = Signal(str, str, str)
    comment_changed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._state: LabelPaneState | None = None
        self._grid: Grid | None = None
        lay = QVBoxLayout(self)
        self.location, self.title = pane_heading(self)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.previous = QLabel()
        self.previous.setStyleSheet("color: #6a1b9a;")
        self.disagreement = QLabel()
        self.disagreement.setWordWrap(True)
        self.disagreement.setStyleSheet("background: #fff3e0; border: 1px solid #ef6c00; padding: 6px;")
        self.all_label = QLabel()
        self.all_label.setStyleSheet("font-weight: 600; margin-top: 6px;")
        self.all_buttons: dict[str, QPushButton] = {}
        all_row = QGridLayout()
        for col, value in enumerate(VALUES):
            b = QPushButton()
            b.setMinimumHeight(38)
            b.clicked.connect(lambda _c=False, v=value: self._emit(v, ALL))
            self.all_buttons[value] = b
            all_row.addWidget(b, 0, col)
        self.families = QGridLayout()
        self.family_box = QWidget()
        self.family_box.setLayout(self.families)
        self.family_box.setStyleSheet(CHECKED_STYLE)
        self._family_widgets: list[QWidget] = []
        self.family_buttons: dict[tuple[str, str], QPushButton] = {}
        self.comment_label = QLabel()
        self.comment = CommentBox("Commentaire du critère")
        self.comment.committed.connect(lambda _text: self._save_comment())
        for w in (self.location, self.title, self.disagreement, self.help, self.previous, self.all_label):
            lay.addWidget(w)
        lay.addLayout(all_row)
        lay.addWidget(self.family_box)
        lay.addWidget(self.comment_label)
        lay.addWidget(self.comment)
        lay.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        keys = {"yes": "label.met", "no": "label.not_met", "nc": "label.nc"}
        shortcut = {"yes": "[O]", "no": "[N]", "nc": "[C]"}
        for value, b in self.all_buttons.items():
            b.setText(f"{t(keys[value])}  {shortcut[value]}")
            b.setAccessibleName(t(keys[value]) + " — " + t("label.all_families"))
        self.all_label.setText(t("label.all_families"))
        self.comment_label.setText(t("editor.comment") + " (Ctrl+Entrée)")
        if self._state is not None:
            self.show_state(self._grid, self._state)

    def _save_comment(self) -> None:
        if self._state and self._state.editable and self.comment.toPlainText() != self._state.comment:
            self.comment_changed.emit(self._state.criterion.code, self.comment.toPlainText())

    def _emit(self, value: str, level: str) -> None:
        st = self._state
        if st is None or not st.editable:
            return
        if value == "nc" and not st.criterion.nc_allowed:
            return
        self.answered.emit(st.criterion.code, value, level)

    def _rebuild_families(self, lines: tuple[FamilyLine, ...]) -> None:
        for w in self._family_widgets:
            self.families.removeWidget(w)
            w.deleteLater()
        self._family_widgets = []
        self.family_buttons = {}
        for row, line in enumerate(lines):
            name = QLabel(line.label)
            status = QLabel()
            widgets: list[QWidget] = [name, status]
            self.families.addWidget(name, row, 0)
            self.families.addWidget(status, row, 1)
            group = QButtonGroup(name)
            for col, value in enumerate(VALUES):
                b = QPushButton()
                b.setCheckable(True)
                b.setProperty("answer", value)
                b.clicked.connect(lambda _c=False, v=value, lv=line.level: self._emit(v, lv))
                group.addButton(b)
                self.families.addWidget(b, row, 2 + col)
                self.family_buttons[(line.level, value)] = b
                widgets.append(b)
            self._family_widgets += widgets

    def show_state(self, grid: Grid | None, st: LabelPaneState) -> None:
        """Display a criterion (no database access)."""
        old = self._state
        self._grid, self._state = grid, st
        c = st.criterion
        section = grid.section(c.section) if grid and c.section else None
        self.location.setText(" · ".join(x for x in (f"{section.code}. {section.title}" if section else "",
                                                      c.rubric) if x))
        self.title.setText(f"{c.code} — {c.text}")
        self.help.setText(c.help)
        self.help.setVisible(bool(c.help))
        self.previous.setText(t("editor.previous", answer=st.previous) if st.previous else "")
        self.previous.setVisible(bool(st.previous))
        self.disagreement.setText(st.disagreement)
        self.disagreement.setVisible(bool(st.disagreement))
        if old is None or [(x.level, x.label) for x in old.lines] != [(x.level, x.label) for x in st.lines]:
            self._rebuild_families(st.lines)
        labels = grid.status_labels if grid else {}
        keys = {"yes": "label.met", "no": "label.not_met", "nc": "label.nc"}
        for row, line in enumerate(st.lines):
            status = self.families.itemAtPosition(row, 1).widget()
            status.setText(labels.get(line.status, line.status))
            applicable = line.status not in ("NA",)
            for value in VALUES:
                b = self.family_buttons[(line.level, value)]
                b.setText(t(keys[value]))
                b.setAccessibleName(f"{t(keys[value])} — {line.label}")
                b.setChecked(applicable and line.answer == value)
                b.setEnabled(st.editable and applicable and (value != "nc" or c.nc_allowed))
        self.all_buttons["nc"].setEnabled(st.editable and c.nc_allowed)
        for value in ("yes", "no"):
            self.all_buttons[value].setEnabled(st.editable)
        if not self.comment.hasFocus():
            self.comment.setPlainText(st.comment)
        self.comment.setReadOnly(not st.editable)
        self.setAccessibleName(f"Critère {c.code}")
