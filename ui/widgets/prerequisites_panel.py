"""The Accueil Vélo prerequisites of a visit: the nearest cycle itinerary (typed in or computed from the
establishment's coordinates) and the accommodation's classification or label found in the database.

Everything goes through `inspector.services.label_prerequisites` on the task runner (no SQL here). The visit editor
calls `set_visit(visit_id)`; `changed` is emitted after the service wrote something (facts or grid context).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from inspector.services.common import ServiceError
from inspector.services.label_prerequisites import (
    COMPUTED,
    AccueilVeloCheck,
    check_accueil_velo,
    set_itinerary,
)

from ..context import AppContext
from ..strings import language, t

OK_STYLE = "color: #2e7d32; font-weight: bold;"
FAILED_STYLE = "color: #c62828; font-weight: bold;"
PENDING_STYLE = "color: #ef6c00; font-weight: bold;"
ERROR_STYLE = "color: #c62828;"
_WATCHED = ("establishments", "establishment_labels")


def _km(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") if language() == "fr" else f"{value:.1f}"


def _date(day: Any) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


class PrerequisitesPanel(QWidget):
    """Shows and edits the prerequisites of one Accueil Vélo visit."""

    changed = Signal()  # the service wrote the visit's facts or context: the editor reloads the result

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.visit_id: str | None = None
        self.check: AccueilVeloCheck | None = None
        self.error = ""
        self._running = 0
        self._notifying = False
        self._build()
        self.retranslate()
        self._show()
        ctx.language_changed.connect(self._language_changed)
        ctx.data_changed.connect(self._data_changed)

    # layout
    def _build(self) -> None:
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.itinerary_box = QGroupBox()
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.name_label, self.name_value = QLabel(), QLabel()
        self.distance_label, self.distance_value = QLabel(), QLabel()
        self.source_label, self.source_value = QLabel(), QLabel()
        self.within_label, self.within_value = QLabel(), QLabel()
        for value in (self.name_value, self.distance_value, self.source_value, self.within_value):
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.name_label, self.name_value)
        form.addRow(self.distance_label, self.distance_value)
        form.addRow(self.source_label, self.source_value)
        form.addRow(self.within_label, self.within_value)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.coordinates = QLabel()
        self.coordinates.setWordWrap(True)
        self.compute_button = QPushButton()
        self.compute_button.clicked.connect(self.compute)
        compute_row = QHBoxLayout()
        compute_row.addWidget(self.coordinates, 1)
        compute_row.addWidget(self.compute_button)
        self.manual_box = QGroupBox()
        manual = QFormLayout(self.manual_box)
        self.manual_name_label, self.manual_distance_label = QLabel(), QLabel()
        self.manual_name = QLineEdit()
        self.manual_distance = QLineEdit()
        self.manual_distance.setMaximumWidth(120)
        self.manual_name_label.setBuddy(self.manual_name)
        self.manual_distance_label.setBuddy(self.manual_distance)
        self.manual_name.returnPressed.connect(self.save_manual)
        self.manual_distance.returnPressed.connect(self.save_manual)
        self.manual_button = QPushButton()
        self.manual_button.clicked.connect(self.save_manual)
        manual.addRow(self.manual_name_label, self.manual_name)
        manual.addRow(self.manual_distance_label, self.manual_distance)
        manual.addRow("", self.manual_button)
        it_lay = QVBoxLayout(self.itinerary_box)
        it_lay.addLayout(form)
        it_lay.addWidget(self.problem)
        it_lay.addLayout(compute_row)
        it_lay.addWidget(self.manual_box)
        self.qualification_box = QGroupBox()
        q_lay = QVBoxLayout(self.qualification_box)
        self.qualification = QLabel()
        self.qualification.setWordWrap(True)
        self.qualification.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.validity = QLabel()
        self.validity.setWordWrap(True)
        self.qualification_state = QLabel()
        q_lay.addWidget(self.qualification)
        q_lay.addWidget(self.validity)
        q_lay.addWidget(self.qualification_state)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.addWidget(self.state)
        lay.addWidget(self.itinerary_box)
        lay.addWidget(self.qualification_box)
        lay.addWidget(self.status)
        lay.addStretch(1)

    def retranslate(self) -> None:
        self.itinerary_box.setTitle(t("prereq.itinerary"))
        self.name_label.setText(t("prereq.name"))
        self.distance_label.setText(t("prereq.distance"))
        self.source_label.setText(t("prereq.source"))
        self.compute_button.setText(t("prereq.compute"))
        self.compute_button.setToolTip(t("prereq.compute.tip"))
        self.manual_box.setTitle(t("prereq.manual"))
        self.manual_name_label.setText(t("prereq.manual_name"))
        self.manual_distance_label.setText(t("prereq.manual_distance"))
        self.manual_name.setAccessibleName(t("prereq.manual_name").replace("&", ""))
        self.manual_distance.setAccessibleName(t("prereq.manual_distance").replace("&", ""))
        self.manual_distance.setPlaceholderText(t("prereq.manual_distance.placeholder"))
        self.manual_button.setText(t("prereq.manual_save"))
        self.qualification_box.setTitle(t("prereq.qualification"))
        self._show()

    def _language_changed(self, _lang: str) -> None:
        if isValid(self):
            self.retranslate()

    # data
    def set_visit(self, visit_id: str | None) -> None:
        """Show the prerequisites of a visit (checked again through the service; None clears the panel)."""
        self.visit_id = visit_id
        self.check = None
        self.error = ""
        self.manual_name.clear()
        self.manual_distance.clear()
        if visit_id is None:
            self._show()
            return
        self.refresh()

    def refresh(self) -> None:
        """Check the prerequisites again (stores the facts if they changed; a closed visit is only read)."""
        if self.visit_id is not None:
            self._run(check_accueil_velo, self.ctx.db, self.visit_id, user_id=self.ctx.user_id)

    def compute(self) -> None:
        """Compute the distance from the establishment's coordinates (replaces a manual entry)."""
        if self.visit_id is not None:
            self._run(check_accueil_velo, self.ctx.db, self.visit_id, compute=True, user_id=self.ctx.user_id)

    def save_manual(self) -> None:
        """Record the itinerary typed in (name and distance in km)."""
        if self.visit_id is not None:
            self._run(set_itinerary, self.ctx.db, self.visit_id, self.manual_name.text(), self.manual_distance.text(),
                      user_id=self.ctx.user_id, on_success=self._manual_saved)

    def _run(self, fn: Callable[..., Any], *args: Any, on_success: Callable[[], None] | None = None,
             **kwargs: Any) -> None:
        visit_id = self.visit_id
        self._running += 1
        self._set_busy()

        def done(result: Any) -> None:
            self._running -= 1
            if not isValid(self):
                return
            if result.changed.rows:
                self._notifying = True
                try:
                    self.ctx.notify(result.changed)
                finally:
                    self._notifying = False
            if visit_id != self.visit_id:
                return
            self.check, self.error = result.value, ""
            if on_success is not None:
                on_success()
            self._show()
            if result.changed.rows:
                self.changed.emit()

        def failed(exc: Exception) -> None:
            self._running -= 1
            if not isValid(self) or visit_id != self.visit_id:
                return
            self.error = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
            self._show()

        self.ctx.runner.run(fn, *args, on_done=done, on_error=failed, **kwargs)

    def _manual_saved(self) -> None:
        self.manual_name.clear()
        self.manual_distance.clear()
        self.ctx.message.emit(t("prereq.saved"), 3000)

    def _data_changed(self, rows: dict[str, set[str]]) -> None:
        if self._notifying or self.visit_id is None or not isValid(self):
            return
        if any(table in rows for table in _WATCHED) or self.visit_id in rows.get("visits", ()):
            self.refresh()

    # display
    def _set_busy(self) -> None:
        busy = self._running > 0
        editable = self.check is not None and not self.check.locked
        for w in (self.compute_button, self.manual_button, self.manual_name, self.manual_distance):
            w.setEnabled(not busy and editable)
        if busy and self.check is None:
            self.state.setStyleSheet("")
            self.state.setText(t("prereq.checking"))

    def _show(self) -> None:
        c = self.check
        self.itinerary_box.setVisible(c is not None)
        self.qualification_box.setVisible(c is not None and c.qualification.applicable)
        self.status.setStyleSheet(ERROR_STYLE if self.error else "")
        self.status.setText(t("prereq.error", error=self.error) if self.error else "")
        if c is None:
            self.state.setStyleSheet("")
            self.state.setText(t("prereq.none") if self.visit_id is None or self.error else t("prereq.checking"))
            self._set_busy()
            return
        limit = _km(c.limit_km)
        sign = "≤" if c.limit_op == "<=" else "<"
        self.within_label.setText(t("prereq.within", sign=sign, limit=limit))
        it = c.itinerary
        if it is None:
            for w in (self.name_value, self.distance_value, self.source_value):
                w.setText("—")
            self.within_value.setText(t("prereq.unknown"))
            self.within_value.setStyleSheet(PENDING_STYLE)
        else:
            self.name_value.setText(it.name or t("prereq.unnamed"))
            self.distance_value.setText(t("prereq.km", km=_km(it.distance_km)))
            if it.source == COMPUTED:
                self.source_value.setText(t("prereq.source.calcul", date=_date(it.recorded_on),
                                            files=", ".join(it.files) or "—"))
            else:
                self.source_value.setText(t("prereq.source.saisie", date=_date(it.recorded_on)))
            self.within_value.setText(t("prereq.yes") if c.itinerary_ok else t("prereq.no"))
            self.within_value.setStyleSheet(OK_STYLE if c.itinerary_ok else FAILED_STYLE)
        self.problem.setText(c.itinerary_problem)
        self.problem.setVisible(bool(c.itinerary_problem))
        if c.coordinates is not None:
            lat, lon = c.coordinates
            self.coordinates.setText(t("prereq.coordinates", lat=f"{lat:.5f}", lon=f"{lon:.5f}"))
        else:
            self.coordinates.setText(t("prereq.no_coordinates"))
        q = c.qualification
        self.qualification.setText(t("prereq.qualification.on", date=_date(c.on), text=q.text))
        if q.valid_until or q.valid_from:
            self.validity.setText(t("prereq.validity", start=_date(q.valid_from), end=_date(q.valid_until)))
        self.validity.setVisible(bool(q.ok and (q.valid_until or q.valid_from)))
        self.qualification_state.setText(t("prereq.item.ok") if q.ok else t("prereq.item.failed"))
        self.qualification_state.setStyleSheet(OK_STYLE if q.ok else FAILED_STYLE)
        overall = c.ok
        if overall is True:
            self.state.setStyleSheet(OK_STYLE)
            self.state.setText(t("prereq.ok"))
        elif overall is False:
            self.state.setStyleSheet(FAILED_STYLE)
            self.state.setText(t("prereq.failed", reasons=self._failures(c)))
        else:
            self.state.setStyleSheet(PENDING_STYLE)
            self.state.setText(t("prereq.incomplete"))
        if c.locked:
            self.state.setText(self.state.text() + " — " + t("prereq.locked"))
        if c.context_problem and not self.error:
            self.status.setText(c.context_problem)
        self._set_busy()

    @staticmethod
    def _failures(c: AccueilVeloCheck) -> str:
        out = []
        if c.itinerary is not None and not c.itinerary_ok:
            out.append(t("prereq.fail.distance", km=_km(c.itinerary.distance_km),
                         sign="≤" if c.limit_op == "<=" else "<", limit=_km(c.limit_km)))
        if c.qualification.applicable and not c.qualification.ok:
            out.append(c.qualification.text)
        return " ; ".join(out)

    # for tests and screenshots
    def state_text(self) -> str:
        return self.state.text()
