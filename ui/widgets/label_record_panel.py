"""The evaluation tab of a label visit: families and filière, the pair of evaluators, the sworn statement, the
pair's reasoned opinion, and "submit to the commission" (which freezes the evaluation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.grids.model import Grid
from inspector.services import visits
from inspector.services.common import ServiceError

from ..context import AppContext
from ..strings import t
from .comment_box import CommentBox


class LabelRecordPanel(QWidget):
    """Edits what the evaluation covers and the pair's record through the visit services."""

    changed = Signal()  # something was saved: the editor reloads the visit
    decide_requested = Signal()  # the editor opens the decision dialog with its live result

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.visit_id: str | None = None
        self.grid: Grid | None = None
        self.detail: Any = None
        lay = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.family_row = QWidget()
        self.family_lay = QGridLayout(self.family_row)
        self.family_lay.setContentsMargins(0, 0, 0, 0)
        self.family_checks: dict[str, QCheckBox] = {}
        self.typology = QComboBox()
        self.typology.setAccessibleName("Filière ou typologie")
        self.typology.currentIndexChanged.connect(self._scope_changed)
        self.evaluators = QLabel()
        self.evaluators.setWordWrap(True)
        self.sworn = QCheckBox()
        self.sworn_date = QDateEdit()
        self.sworn_date.setCalendarPopup(True)
        self.sworn_date.setDisplayFormat("dd/MM/yyyy")
        self.sworn.toggled.connect(self.sworn_date.setEnabled)
        # The statement's date counts for the result (a prerequisite): recorded as soon as it is ticked or dated.
        self.sworn.clicked.connect(lambda _checked: self.save())
        self.sworn_date.editingFinished.connect(self._sworn_date_edited)
        sworn_row = QWidget()
        sl = QHBoxLayout(sworn_row)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.sworn)
        sl.addWidget(self.sworn_date, 1)
        self.sworn_ref = QLineEdit()
        self.sworn_ref.editingFinished.connect(self._autosave)
        self.opinion = CommentBox("Avis motivé du binôme", max_height=None)
        self.opinion.committed.connect(lambda _text: self._autosave())
        self.families_label, self.typology_label, self.sworn_label, self.ref_label, self.opinion_label = (
            QLabel(), QLabel(), QLabel(), QLabel(), QLabel())
        self.form.addRow(self.families_label, self.family_row)
        self.form.addRow(self.typology_label, self.typology)
        self.form.addRow(self.sworn_label, sworn_row)
        self.form.addRow(self.ref_label, self.sworn_ref)
        lay.addWidget(self.evaluators)
        lay.addLayout(self.form)
        lay.addWidget(self.opinion_label)
        lay.addWidget(self.opinion, 1)
        buttons = QHBoxLayout()
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        self.submit_button = QPushButton()
        self.submit_button.clicked.connect(self.submit)
        self.decide_button = QPushButton()
        self.decide_button.clicked.connect(self.decide_requested.emit)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.decide_button)
        lay.addLayout(buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.retranslate()

    def retranslate(self) -> None:
        self.families_label.setText(t("label.record.families"))
        self.typology_label.setText(t("label.record.typology"))
        self.sworn_label.setText(t("label.record.sworn"))
        self.sworn.setText("")
        self.sworn.setAccessibleName(t("label.record.sworn"))
        self.ref_label.setText(t("label.record.sworn_ref"))
        self.opinion_label.setText(t("label.record.opinion"))
        self.save_button.setText(t("label.record.save"))
        self.submit_button.setText(t("label.record.submit"))
        self.decide_button.setText(t("decision.button"))
        if self.detail is not None and self.grid is not None:
            self.set_visit(self.visit_id, self.grid, self.detail)

    def set_visit(self, visit_id: str | None, grid: Grid, detail: Any) -> None:
        """Show a label visit's record (plain data from queries.visit_detail)."""
        self.visit_id, self.grid, self.detail = visit_id, grid, detail
        state = detail.row.state
        scope_editable = state in ("planned", "in_progress")
        record_editable = state in ("planned", "in_progress", "completed")
        for box in self.family_checks.values():
            self.family_lay.removeWidget(box)
            box.deleteLater()
        self.family_checks = {}
        th = grid.kind == "tourisme_handicap"
        for i, lv in enumerate(grid.levels if th else ()):
            box = QCheckBox(lv.label)
            box.setChecked(lv.code in (detail.requested_families or grid.level_codes))
            box.setEnabled(scope_editable)
            box.toggled.connect(self._scope_changed)
            self.family_checks[lv.code] = box
            self.family_lay.addWidget(box, i // 2, i % 2)
        self.families_label.setVisible(th)
        self.family_row.setVisible(th)
        self.typology.blockSignals(True)
        self.typology.clear()
        for code, label in grid.typologies.items():
            self.typology.addItem(label, code)
        self.typology.setCurrentIndex(max(0, self.typology.findData(detail.typology)))
        self.typology.setEnabled(scope_editable)
        self.typology.blockSignals(False)
        self.typology_label.setVisible(bool(grid.typologies))
        self.typology.setVisible(bool(grid.typologies))
        first, second = detail.evaluators
        self.evaluators.setText(t("label.record.evaluators", first=first or "—",
                                  second=second or t("label.record.no_partner")))
        self.evaluators.setVisible(th)
        for w in (self.sworn_label, self.sworn, self.sworn_date, self.ref_label, self.sworn_ref):
            w.setVisible(th)
        self.sworn.setChecked(detail.sworn_statement_on is not None)
        day = detail.sworn_statement_on or detail.row.visited_on or dt.date.today()
        self.sworn_date.setDate(QDate(day.year, day.month, day.day))
        self.sworn_date.setEnabled(detail.sworn_statement_on is not None and record_editable)
        self.sworn_ref.setText(detail.sworn_statement_ref)
        if not self.opinion.hasFocus():
            self.opinion.setPlainText(detail.opinion)
        for w in (self.sworn, self.sworn_ref):
            w.setEnabled(record_editable)
        self.opinion.setReadOnly(not record_editable)
        self.save_button.setEnabled(record_editable)
        self.submit_button.setVisible(state in ("completed", "in_progress", "planned", "submitted"))
        self.submit_button.setEnabled(state == "completed")
        # T&H: the commission decides on a submitted dossier; Accueil Vélo and CHR may be decided once completed.
        self.decide_button.setVisible(state in (("submitted",) if th else ("completed", "submitted")))
        if detail.submitted_at is not None:
            self.status.setText(t("label.record.submitted", date=detail.submitted_at.strftime("%d/%m/%Y")))
        elif state in ("planned", "in_progress"):
            self.status.setText(t("label.record.need_complete"))
        else:
            self.status.setText("")

    def _scope_changed(self, *_args: Any) -> None:
        if self.visit_id is None or self.grid is None:
            return
        families = [code for code, box in self.family_checks.items() if box.isChecked()] or None
        typology = self.typology.currentData() if self.grid.typologies else None
        try:
            res = visits.set_label_scope(self.ctx.db, visit_id=self.visit_id, families=families, typology=typology,
                                         user_id=self.ctx.user_id)
        except ServiceError as exc:
            self.status.setText(str(exc))
            return
        self.ctx.notify(res.changed)
        self.changed.emit()

    def _sworn_date_edited(self) -> None:
        d = self.detail
        if d is not None and self.sworn.isChecked() and self.sworn_date.date().toPython() != d.sworn_statement_on:
            self.save()

    def _autosave(self) -> None:
        """Leaving the opinion or the document reference saves them (a laptop that dies loses nothing typed)."""
        d = self.detail
        if self.visit_id is None or d is None or d.row.state not in ("planned", "in_progress", "completed"):
            return
        opinion, ref = self.opinion.toPlainText().strip(), self.sworn_ref.text().strip()
        if opinion == d.opinion and ref == d.sworn_statement_ref:
            return
        try:
            res = visits.set_label_record(self.ctx.db, visit_id=self.visit_id, opinion=opinion,
                                          sworn_statement_ref=ref, user_id=self.ctx.user_id)
        except ServiceError as exc:
            self.status.setText(str(exc))
            return
        from dataclasses import replace

        self.detail = replace(d, opinion=opinion, sworn_statement_ref=ref)
        self.ctx.notify(res.changed)
        self.ctx.message.emit(t("label.record.saved"), 3000)

    def save(self) -> bool:
        """Save the sworn statement and the opinion (durable on return)."""
        if self.visit_id is None:
            return False
        day = self.sworn_date.date().toPython() if self.sworn.isChecked() else None
        try:
            res = visits.set_label_record(self.ctx.db, visit_id=self.visit_id, opinion=self.opinion.toPlainText(),
                                          sworn_statement_on=day, sworn_statement_ref=self.sworn_ref.text(),
                                          user_id=self.ctx.user_id)
        except ServiceError as exc:
            self.status.setText(str(exc))
            return False
        self.ctx.notify(res.changed)
        self.ctx.message.emit(t("label.record.saved"), 3000)
        self.changed.emit()
        return True

    def submit(self, *, confirm: bool = True) -> bool:
        """Save, then hand the evaluation to the commission after confirmation."""
        if self.visit_id is None or not self.save():
            return False
        if confirm and QMessageBox.question(self, t("app.title"), t("label.record.submit_confirm")) != \
                QMessageBox.StandardButton.Yes:
            return False
        try:
            res = visits.submit_visit(self.ctx.db, visit_id=self.visit_id, user_id=self.ctx.user_id)
        except ServiceError as exc:
            self.status.setText(str(exc))
            return False
        self.ctx.notify(res.changed)
        self.changed.emit()
        return True
