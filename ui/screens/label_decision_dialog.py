"""The decision on a label evaluation (commission or body): outcome per family (T&H) or for the label, with the
computed proposal shown, the motivation when the decision departs from it, and the refusal reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.services import label_decisions
from inspector.services.common import ServiceError

from ..context import AppContext
from ..strings import t

OUTCOMES = ("granted", "refused", "adjourned")


class LabelDecisionDialog(QDialog):
    """Records one decision through `label_decisions.record_label_decision`; nothing is written on error."""

    def __init__(self, ctx: AppContext, visit_id: str, grid: Any, result: Any, today: dt.date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.visit_id, self.grid, self.result = ctx, visit_id, grid, result
        self.decision: Any = None
        self.setWindowTitle(t("decision.title"))
        lay = QVBoxLayout(self)
        self.proposal = QLabel()
        self.proposal.setWordWrap(True)
        lay.addWidget(self.proposal)
        form = QFormLayout()
        self.outcome = self._outcome_box()
        form.addRow(t("decision.outcome"), self.outcome)
        self.family_boxes: dict[str, QComboBox] = {}
        if grid.kind == "tourisme_handicap":
            for lv in result.requested:
                box = self._outcome_box()
                box.setCurrentIndex(0 if lv in result.passed_levels and result.prerequisites_ok else 1)
                self.family_boxes[lv] = box
                form.addRow(f"  {result.levels[lv].label}", box)
        else:
            self.outcome.setCurrentIndex(0 if result.proposed else 1)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        day = today or dt.date.today()
        self.date.setDate(QDate(day.year, day.month, day.day))
        form.addRow(t("decision.date"), self.date)
        self.decided_by = QLineEdit()
        form.addRow(t("decision.by"), self.decided_by)
        self.motivation = QPlainTextEdit()
        self.motivation.setMaximumHeight(80)
        form.addRow(t("decision.motivation"), self.motivation)
        self.reason = QLineEdit()
        form.addRow(t("decision.refusal_reason"), self.reason)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.record)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        passed = ", ".join(result.levels[lv].label for lv in result.passed_levels) or "—"
        key = "decision.proposal.yes" if result.proposed else "decision.proposal.no"
        self.proposal.setText(t(key, families=passed) + "\n" + t("decision.note"))

    def _outcome_box(self) -> QComboBox:
        box = QComboBox()
        for value in OUTCOMES:
            box.addItem(t(f"decision.{value}"), value)
        return box

    def values(self) -> dict[str, Any]:
        families = {lv: box.currentData() for lv, box in self.family_boxes.items()} or None
        return {"outcome": self.outcome.currentData(), "families": families,
                "decided_on": self.date.date().toPython(), "motivation": self.motivation.toPlainText(),
                "refusal_reason": self.reason.text(), "decided_by": self.decided_by.text()}

    def record(self) -> bool:
        """Record the decision; on a refused input the dialog stays open with the message."""
        try:
            res = label_decisions.record_label_decision(self.ctx.db, visit_id=self.visit_id, user_id=self.ctx.user_id,
                                                        **self.values())
        except ServiceError as exc:
            self.error.setText(str(exc))
            return False
        self.decision = res.value
        self.ctx.notify(res.changed)
        self.accept()
        return True
