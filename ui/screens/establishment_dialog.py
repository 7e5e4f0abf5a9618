"""The establishment card dialog: edit an establishment and its owner, refused values explained beside the field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.services.common import OpResult, ServiceError
from inspector.services.establishments import (
    ESTABLISHMENT_FIELDS,
    OWNER_FIELDS,
    EstablishmentCard,
    InvalidFields,
    check_establishment_fields,
    check_owner_fields,
    get_card,
    save_card,
)

from ..context import AppContext
from ..models.visit_list_model import date_text
from ..strings import UI, t

MULTILINE = frozenset({"address", "notes", "owner_address", "owner_mandataire_address"})
BOOLEANS = frozenset({"collective_building", "has_lift"})
NUMBERS = frozenset({"capacity", "rooms", "floor", "latitude", "longitude"})
ERROR_STYLE = "color: #c62828;"
INVALID_STYLE = "border: 1px solid #c62828;"


def _field_text(value: Any) -> str:
    return "" if value is None else str(value)


class EstablishmentDialog(QDialog):
    """Loads the card through `ctx.runner`, checks each field as it is typed, saves both rows in one transaction."""

    saved = Signal(str)

    def __init__(self, ctx: AppContext, establishment_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.establishment_id = establishment_id
        self.card: EstablishmentCard | None = None
        self._saving = False
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self._build()
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        self._set_enabled(False)
        self.status.setText(t("card.loading"))
        ctx.runner.run(get_card, ctx.db, establishment_id, on_done=self._loaded, on_error=self._load_failed)

    # layout
    def _build(self) -> None:
        self.est_box = QGroupBox()
        est_form = QFormLayout(self.est_box)
        self.kind_label, self.kind_value = QLabel(), QLabel()
        self.category_label, self.category_value = QLabel(), QLabel()
        self.radiation: Any = None  # meuble_decisions.Radiation: the latest, shown when the card has no category
        self.radiation_button = QPushButton()  # R324-7: the préfet strikes the meublé off the list
        self.radiation_button.clicked.connect(self.start_radiation)
        self.radiation_button.setEnabled(False)
        category_row = QHBoxLayout()
        category_row.setContentsMargins(0, 0, 0, 0)
        self.category_value.setWordWrap(True)
        category_row.addWidget(self.category_value, 1)
        category_row.addWidget(self.radiation_button)
        est_form.addRow(self.kind_label, self.kind_value)
        est_form.addRow(self.category_label, category_row)
        for name in ESTABLISHMENT_FIELDS:
            self._add_field(est_form, name)
        self.owner_box = QGroupBox()
        owner_form = QFormLayout(self.owner_box)
        self.no_owner = QLabel()
        owner_form.addRow(self.no_owner)
        for name in OWNER_FIELDS:
            self._add_field(owner_form, f"owner_{name}")
        columns = QHBoxLayout()
        columns.addWidget(self.est_box, 1)
        columns.addWidget(self.owner_box, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        order = [self.editors[f] for f in ESTABLISHMENT_FIELDS] + [self.editors[f"owner_{f}"] for f in OWNER_FIELDS]
        order += [self.save_button, self.cancel_button]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.resize(900, 580)

    def _add_field(self, form: QFormLayout, name: str) -> None:
        base = name.removeprefix("owner_")
        if base in BOOLEANS:
            editor: QWidget = QCheckBox()
            editor.toggled.connect(lambda _on, n=name: self._check_field(n))
        elif name in MULTILINE:
            editor = QPlainTextEdit()
            editor.setTabChangesFocus(True)
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * 3 + 12)
            editor.textChanged.connect(lambda n=name: self._check_field(n))
        else:
            editor = QLineEdit()
            if base in NUMBERS:
                editor.setMaximumWidth(120)
            editor.textEdited.connect(lambda _text, n=name: self._check_field(n))
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        cell = QWidget()
        cell.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(editor)
        box.addWidget(error)
        label = QLabel()
        label.setBuddy(editor)
        if base in BOOLEANS:
            form.addRow("", cell)
        else:
            form.addRow(label, cell)
        self.editors[name], self.errors[name], self.labels[name] = editor, error, label

    def retranslate(self) -> None:
        name = self.card.name if self.card else ""
        self.setWindowTitle(t("card.title", name=name) if name else t("card.establishment"))
        self.est_box.setTitle(t("card.establishment"))
        self.owner_box.setTitle(t("card.owner"))
        self.kind_label.setText(t("card.kind"))
        self.category_label.setText(t("card.category"))
        self.no_owner.setText(t("card.no_owner"))
        for field, editor in self.editors.items():
            text = t(f"card.{field}")
            if isinstance(editor, QCheckBox):
                editor.setText(text)
            else:
                self.labels[field].setText(text)
            editor.setAccessibleName(text.replace("&", ""))
        self.save_button.setText(t("card.save"))
        self.cancel_button.setText(t("card.cancel"))
        self.radiation_button.setText(t("mdec.radiation.button"))
        self.radiation_button.setToolTip(t("mdec.radiation.tip"))
        self.radiation_button.setAccessibleName(t("mdec.radiation.button").replace("&", "").rstrip("…"))
        if self.card:
            self._show_readonly(self.card)

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    def _show_readonly(self, card: EstablishmentCard) -> None:
        key = f"est_kind.{card.kind}"
        self.kind_value.setText(t(key) if key in UI else card.kind)
        if card.current_category and card.category_valid_until:
            self.category_value.setText(t("card.classified", cat=card.current_category,
                                          date=date_text(card.category_valid_until)))
        elif self.radiation is not None:
            self.category_value.setText(t("mdec.card.radiated", date=date_text(self.radiation.radiated_on),
                                          cat=self.radiation.category))
        else:
            self.category_value.setText(t("card.not_classified"))
        classified = card.kind == "meuble" and bool(card.current_category)
        self.radiation_button.setVisible(classified)
        self.radiation_button.setEnabled(classified and not self._saving)

    def _set_enabled(self, enabled: bool) -> None:
        self.est_box.setEnabled(enabled)
        self.owner_box.setEnabled(enabled and (self.card is None or self.card.owner_id is not None))
        self.save_button.setEnabled(enabled)

    # loading
    def _loaded(self, card: EstablishmentCard) -> None:
        if not shiboken6.isValid(self):
            return
        self.card = card
        for field, editor in self.editors.items():
            value = getattr(card, field)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(_field_text(value))
            elif isinstance(editor, QLineEdit):
                editor.setText(_field_text(value))
        self.no_owner.setVisible(card.owner_id is None)
        for field in self.errors:
            self._show_error(field, "")
        self.status.setText("")
        self.retranslate()
        self._set_enabled(True)
        self.editors["name"].setFocus()
        if card.kind == "meuble" and not card.current_category:
            from inspector.services.meuble_decisions import last_radiation

            self.ctx.runner.run(last_radiation, self.ctx.db, card.id, on_done=self._radiation_loaded)

    def _radiation_loaded(self, radiation: Any) -> None:
        if shiboken6.isValid(self) and radiation is not None and self.card is not None:
            self.radiation = radiation
            self._show_readonly(self.card)

    # radiation (R324-7)
    def ask_radiation(self) -> tuple[dt.date, str, str] | None:
        """Date, reason and reference of the préfet's arrêté; None when cancelled (tests replace this method)."""
        from .radiation_dialog import RadiationDialog

        assert self.card is not None
        dialog = RadiationDialog(dt.date.today(), self.card.current_category or 0, self.card.category_valid_until,
                                 self)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_confirm(self, text: str) -> bool:
        """Yes/No, No by default (tests replace this method)."""
        box = QMessageBox(QMessageBox.Icon.Warning, t("mdec.radiation.title"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def start_radiation(self) -> None:
        """« Radiation… »: date, reason and reference, a confirmation, then the service on the runner. Unsaved edits
        of the card stay in their fields."""
        if self.card is None or self._saving:
            return
        if not self.card.current_category:
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(t("mdec.radiation.none"))
            return
        answer = self.ask_radiation()
        if answer is None:
            return
        day, reason, reference = answer
        if not self.ask_confirm(t("mdec.radiation.confirm", name=self.card.name, date=date_text(day),
                                  cat=self.card.current_category)):
            return
        from inspector.services.meuble_decisions import record_radiation

        self.radiation_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText("…")
        self.ctx.runner.run(record_radiation, self.ctx.db, establishment_id=self.card.id, radiated_on=day,
                            reason=reason, reference=reference, user_id=self.ctx.user_id,
                            on_done=self._radiated, on_error=self._radiation_failed)

    def _radiated(self, result: OpResult[Any]) -> None:
        self.ctx.notify(result.changed)
        if not shiboken6.isValid(self):
            return
        radiation = result.value
        self.ctx.message.emit(t("mdec.radiation.done", date=date_text(radiation.radiated_on), cat=radiation.category),
                              5000)
        self.ctx.runner.run(get_card, self.ctx.db, self.establishment_id,
                            on_done=lambda card: self._after_radiation(card, radiation))

    def _after_radiation(self, card: EstablishmentCard, radiation: Any) -> None:
        """Take the new category, validity and row version; keep what the person typed in the fields."""
        if not shiboken6.isValid(self) or self.card is None:
            return
        self.card = dataclasses.replace(self.card, current_category=card.current_category,
                                        category_valid_until=card.category_valid_until, row_version=card.row_version)
        self.radiation = radiation
        self.status.setStyleSheet("")
        self.status.setText(t("mdec.radiation.done", date=date_text(radiation.radiated_on), cat=radiation.category))
        self._show_readonly(self.card)

    def _radiation_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self.status.setStyleSheet(ERROR_STYLE)
        message = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        self.status.setText(t("mdec.radiation.error", error=message))
        if self.card is not None:
            self._show_readonly(self.card)

    def _load_failed(self, exc: Exception) -> None:
        if shiboken6.isValid(self):
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(str(exc))

    # values and checks
    def value(self, field: str) -> Any:
        editor = self.editors[field]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def _check(self, establishment: dict[str, Any], owner: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any],
                                                                                   dict[str, str]]:
        kind = self.card.kind if self.card else None
        est_clean, problems = check_establishment_fields(kind, establishment)
        owner_clean, owner_problems = check_owner_fields(owner)
        problems.update({f"owner_{k}": v for k, v in owner_problems.items()})
        return est_clean, owner_clean, problems

    def _check_field(self, field: str) -> None:
        """Check one field as it is typed; only that field's message changes."""
        if self.card is None:
            return
        if field.startswith("owner_"):
            _, _, problems = self._check({}, {field.removeprefix("owner_"): self.value(field)})
        else:
            _, _, problems = self._check({field: self.value(field)}, {})
        self._show_error(field, problems.get(field, ""))

    def _show_error(self, field: str, message: str) -> None:
        label, editor = self.errors[field], self.editors[field]
        label.setText(message)
        label.setVisible(bool(message))
        editor.setAccessibleDescription(message)
        if not isinstance(editor, QCheckBox):
            editor.setStyleSheet(INVALID_STYLE if message else "")

    def errors_shown(self) -> dict[str, str]:
        """The messages currently shown beside the fields."""
        return {f: label.text() for f, label in self.errors.items() if label.text()}

    def changes(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
        """Establishment and owner fields that differ from the card (cleaned), and the problems of every field."""
        assert self.card is not None
        establishment = {f: self.value(f) for f in ESTABLISHMENT_FIELDS}
        owner = {f: self.value(f"owner_{f}") for f in OWNER_FIELDS} if self.card.owner_id else {}
        est_clean, owner_clean, problems = self._check(establishment, owner)
        est_changes = {f: v for f, v in est_clean.items() if v != getattr(self.card, f)}
        owner_changes = {f: v for f, v in owner_clean.items() if v != getattr(self.card, f"owner_{f}")}
        return est_changes, owner_changes, problems

    # saving
    def accept(self) -> None:
        if self.card is None or self._saving:
            return
        est_changes, owner_changes, problems = self.changes()
        for field in self.errors:
            self._show_error(field, problems.get(field, ""))
        if problems:
            self._refused(problems)
            return
        if not est_changes and not owner_changes:
            self.ctx.message.emit(t("card.unchanged"), 2000)
            super().accept()
            return
        self._saving = True
        self._set_enabled(False)
        self.status.setStyleSheet("")
        self.status.setText("…")
        self.ctx.runner.run(save_card, self.ctx.db, establishment_id=self.card.id, establishment=est_changes,
                            owner=owner_changes, user_id=self.ctx.user_id, expected_version=self.card.row_version,
                            expected_owner_version=self.card.owner_row_version,
                            on_done=self._saved, on_error=self._save_failed)

    def _refused(self, problems: dict[str, str]) -> None:
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(t("card.invalid"))
        first = next((f for f in self.editors if f in problems), None)
        if first:
            self.editors[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def _saved(self, result: OpResult[str]) -> None:
        self.ctx.notify(result.changed)
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.ctx.message.emit(t("card.saved"), 3000)
        super().accept()
        self.saved.emit(result.value)

    def _save_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self._set_enabled(True)
        if isinstance(exc, InvalidFields):
            for field in self.errors:
                self._show_error(field, exc.problems.get(field, ""))
            self._refused(exc.problems)
            return
        message = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(t("card.error", error=message))
