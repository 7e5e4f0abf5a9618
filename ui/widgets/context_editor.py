"""The visit context form (capacity, studio, séjour, floor…), built from the keys the grid declares."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from inspector.grids.model import Grid

from ..strings import t


class ContextEditor(QGroupBox):
    """Edits the situational keys; every change is emitted at once so NA rules apply live."""

    changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setVerticalSpacing(8)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.widgets: dict[str, QWidget] = {}
        self._loading = False
        self.setTitle(t("editor.context"))

    def retranslate(self) -> None:
        self.setTitle(t("editor.context"))

    def set_grid(self, grid: Grid, context: dict[str, Any], editable: bool) -> None:
        self._loading = True
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets = {}
        for key in grid.context:
            value = context.get(key.key, key.default)
            if key.type == "bool":
                w: QWidget = QCheckBox()
                w.setChecked(bool(value))
                w.toggled.connect(self._emit)
            elif key.type == "int":
                w = QSpinBox()
                w.setRange(int(key.minimum if key.minimum is not None else -999),
                           int(key.maximum if key.maximum is not None else 9999))
                w.setValue(int(value or 0))
                w.valueChanged.connect(self._emit)
            elif key.type == "number":
                w = QDoubleSpinBox()
                w.setRange(key.minimum if key.minimum is not None else -1e6, key.maximum or 1e6)
                w.setValue(float(value or 0))
                w.valueChanged.connect(self._emit)
            else:
                w = QComboBox()
                w.addItems(list(key.choices))
                if value:
                    w.setCurrentText(str(value))
                w.currentTextChanged.connect(self._emit)
            if not isinstance(w, QCheckBox):
                w.setMinimumWidth(90)
            w.setAccessibleName(key.label)
            w.setToolTip(key.help or key.label)
            w.setEnabled(editable)
            self.form.addRow(key.label, w)
            self.widgets[key.key] = w
        self._loading = False

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.widgets.items():
            if isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QSpinBox):
                out[key] = w.value()
            elif isinstance(w, QDoubleSpinBox):
                out[key] = w.value()
            elif isinstance(w, QComboBox):
                out[key] = w.currentText()
        return out

    def _emit(self, *_: Any) -> None:
        if not self._loading:
            self.changed.emit(self.values())
