"""The radiation sub-dialog of an establishment card: date, reason and reference of the préfet's arrêté (R324-7)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..strings import t

ERROR_COLOUR = "#c62828"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


class RadiationDialog(QDialog):
    """Asks the date of the arrêté (not in the future), the reason (required) and the arrêté's reference."""

    def __init__(self, today: dt.date, category: int, valid_until: dt.date | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(t("mdec.radiation.title"))
        lay = QVBoxLayout(self)
        self.intro = QLabel(t("mdec.radiation.intro", cat=category, date=_date_text(valid_until)))
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        form = QFormLayout()
        self.date = QDateEdit(_qdate(today))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setMaximumDate(_qdate(today))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(t("mdec.radiation.reason.placeholder"))
        self.reason.setMinimumWidth(400)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText(t("mdec.radiation.reference.placeholder"))
        for key, editor in (("mdec.radiation.date", self.date), ("mdec.radiation.reason", self.reason),
                            ("mdec.radiation.reference", self.reference)):
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
        self.save = buttons.addButton(t("mdec.radiation.save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(t("card.cancel"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.reason.setFocus()

    def _accept(self) -> None:
        if not self.reason.text().strip():
            self.error.setText(t("mdec.radiation.need_reason"))
            self.reason.setFocus()
            return
        self.accept()

    def values(self) -> tuple[dt.date, str, str]:
        """(date of the arrêté, reason, reference)."""
        day = self.date.date()
        return dt.date(day.year(), day.month(), day.day()), self.reason.text().strip(), self.reference.text().strip()
