"""Live result of a label evaluation: prerequisites, each family (or the label) with its ratios, the proposal."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from inspector.grids.model import Grid
from inspector.i18n import number

from .. import strings
from ..strings import t

GREEN, RED, ORANGE = "#2e7d32", "#c62828", "#ef6c00"


def _pct(value: Any) -> str:
    if value is None:
        return "—"
    return number((Decimal(str(value)) * 100).quantize(Decimal("0.1")), strings.language()) + " %"


class LabelResultPanel(QFrame):
    """Shows a LabelResult without touching the database; the computed result is only a proposal."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.provenance = QLabel()
        self.provenance.setWordWrap(True)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        for w in (self.heading, self.provenance, self.body, self.reasons):
            lay.addWidget(w)
        lay.addStretch(1)
        self.setAccessibleName(t("result.title"))

    def show_result(self, grid: Grid, result: Any) -> None:
        status = grid.provenance.status
        self.provenance.setText(t(f"label.provenance.{status}", source=grid.provenance.source_document))
        self.provenance.setStyleSheet(f"color: {ORANGE if status != 'official' else '#555'}; font-weight: 600;")
        if result.provisional:
            head, colour = t("label.result.provisional"), ORANGE
        elif result.proposed:
            head, colour = t("label.result.proposed"), GREEN
        else:
            head, colour = t("label.result.not_proposed"), RED
        self.heading.setText(head)
        self.heading.setStyleSheet(f"font-size: 14pt; font-weight: 700; color: {colour};")
        rows = []
        for p in result.prerequisites:
            mark, c = ("✔", GREEN) if p.ok else ("✘", RED)
            rows.append(f"<tr><td style='color:{c}'>{mark}</td><td colspan='3'>{escape(p.text)}</td></tr>")
        th = grid.kind == "tourisme_handicap"
        threshold = result.settings.get("confort_threshold")
        for lv in result.requested:
            x = result.levels[lv]
            if x.unanswered:
                mark, c = "…", ORANGE
            else:
                mark, c = ("✔", GREEN) if x.passed else ("✘", RED)
            mand = t("label.result.mandatory", met=x.mandatory_met, total=x.mandatory_total)
            extra = (t("label.result.confort", ratio=_pct(x.confort_ratio), met=x.confort_met, total=x.confort_total,
                       threshold=_pct(threshold) if threshold is not None else "—") if th else
                     t("label.result.optional", met=x.optional_met, total=x.optional_total))
            todo = t("label.result.todo", count=len(x.unanswered)) if x.unanswered else ""
            rows.append(f"<tr><td style='color:{c}; font-weight:700'>{mark}</td><td><b>{escape(x.label)}</b></td>"
                        f"<td>{mand}</td><td>{extra} {todo}</td></tr>")
        self.body.setText("<table cellspacing='6'>" + "".join(rows) + "</table>")
        self.reasons.setText("\n".join(f"• {r}" for r in result.reasons))
        self.setAccessibleDescription(head + " " + " ".join(result.reasons))
