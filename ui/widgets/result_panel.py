"""The live result panel: lines a–h, the five categories, the highest classable one, and why, in plain words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from inspector.grids.model import Grid
from inspector.i18n import number
from inspector.scoring.explain import explain_category

from .. import strings
from ..strings import t

LINE_WORDS = {
    "a": ("points obligatoires applicables", "mandatory points applicable"),
    "b": ("minimum obligatoire (95 %)", "mandatory minimum (95 %)"),
    "c": ("points obligatoires obtenus", "mandatory points obtained"),
    "d": ("compensation due", "compensation owed"),
    "e": ("points à la carte disponibles", "optional points available"),
    "f": ("quota à la carte", "optional quota"),
    "g": ("points à la carte exigés", "optional points required"),
    "h": ("points à la carte obtenus", "optional points obtained"),
}


class ResultPanel(QFrame):
    """Shows a MeublesResult (or a label result) without touching the database."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: 700;")
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.grid = QGridLayout()
        self.line_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for row, key in enumerate("abcdefgh"):
            name, value = QLabel(), QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.grid.addWidget(QLabel(f"<b>{key}</b>"), row, 0)
            self.grid.addWidget(name, row, 1)
            self.grid.addWidget(value, row, 2)
            self.line_labels[key] = (name, value)
        lay.addLayout(self.grid)
        self.categories = QLabel()
        self.categories.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.categories)
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.reasons)
        lay.addStretch(1)
        self.setAccessibleName(t("result.title"))

    def show_result(self, grid: Grid, result: Any) -> None:
        lang = strings.language()
        if not hasattr(result, "categories"):
            self.heading.setText(t("result.title"))
            self.reasons.setText("<br>".join(result.reasons))
            return
        r = result.result
        cat = result.requested
        head = t("result.classable" if r.classable else "result.not_classable", cat=cat)
        if r.unanswered:
            head += " " + t("result.provisional", count=len(r.unanswered))
        self.heading.setText(head)
        colour = "#ef6c00" if r.unanswered else ("#2e7d32" if r.classable else "#c62828")
        self.heading.setStyleSheet(f"font-size: 14pt; font-weight: 700; color: {colour};")
        lines = r.lines.as_dict()
        shown = {**lines, "b": r.compared_b, "g": r.compared_g}
        for key, (name, value) in self.line_labels.items():
            name.setText(LINE_WORDS[key][1 if lang == "en" else 0])
            value.setText(number(shown[key], lang))
        cells = []
        for lv, c in result.categories.items():
            mark = "✔" if c.classable else "✘"
            colour = "#2e7d32" if c.classable else "#c62828"
            style = "font-weight:700; text-decoration: underline;" if lv == cat else ""
            cells.append(f"<span style='color:{colour};{style}'>{lv}★ {mark}</span>")
        self.categories.setText("&nbsp;&nbsp;".join(cells))
        # The heading already says the result is provisional; the list of unanswered codes is the tree's filter.
        reasons = [x.render(lang) for x in explain_category(grid, result, lang=lang) if x.code != "provisional"]
        self.reasons.setText("<br>".join(f"• {x}" for x in reasons))
        self.setAccessibleDescription(" ".join(reasons))
