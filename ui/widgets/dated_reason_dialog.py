"""A small dialog asking a date (not in the future) and a required reason, plus optional text fields."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..strings import t

ERROR_COLOUR = "#c62828"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class DatedReasonDialog(QDialog):
    """`values()` gives (date, reason, *extras); « save » refuses an empty reason with `need_reason`'s text.

    `keys` names the strings: title, date, reason, reason.placeholder, save, need_reason; `extras` are
    (label key, placeholder key) pairs of further optional text fields.
    """

    def __init__(self, keys: dict[str, str], today: dt.date, *, intro: str = "", earliest: dt.date | None = None,
                 extras: tuple[tuple[str, str], ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.keys = keys
        self.setWindowTitle(t(keys["title"]))
        lay = QVBoxLayout(self)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        lay.addWidget(self.intro)
        form = QFormLayout()
        self.date = QDateEdit(_qdate(today))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setMaximumDate(_qdate(today))
        if earliest is not None:
            self.date.setMinimumDate(_qdate(earliest))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(t(keys["reason.placeholder"]))
        self.reason.setMinimumWidth(400)
        self.extras = [QLineEdit() for _ in extras]
        for editor, (_label, placeholder) in zip(self.extras, extras, strict=True):
            editor.setPlaceholderText(t(placeholder))
        rows = [(keys["date"], self.date), (keys["reason"], self.reason)]
        rows += [(label, editor) for editor, (label, _p) in zip(self.extras, extras, strict=True)]
        for key, editor in rows:
            label = QLabel(t(key))
            label.setBuddy(editor)
            editor.setAccessibleName(t(key).replace("&", ""))
            form.addRow(label, editor)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save = buttons.addButton(t(keys["save"]), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(t("card.cancel"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.reason.setFocus()

    def _accept(self) -> None:
        if not self.reason.text().strip():
            self.error.setText(t(self.keys["need_reason"]))
            self.reason.setFocus()
            return
        self.accept()

    def values(self) -> tuple:
        day = self.date.date()
        return (dt.date(day.year(), day.month(), day.day()), self.reason.text().strip(),
                *(e.text().strip() for e in self.extras))
