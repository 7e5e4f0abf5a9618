"""The radiation sub-dialog of an establishment card: date, reason and reference of the préfet's arrêté (R324-7)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QWidget

from ..strings import t
from ..widgets.dated_reason_dialog import DatedReasonDialog

KEYS = {"title": "mdec.radiation.title", "date": "mdec.radiation.date", "reason": "mdec.radiation.reason",
        "reason.placeholder": "mdec.radiation.reason.placeholder", "save": "mdec.radiation.save",
        "need_reason": "mdec.radiation.need_reason"}


class RadiationDialog(DatedReasonDialog):
    """Asks the date of the arrêté (not in the future), the reason (required) and the arrêté's reference."""

    def __init__(self, today: dt.date, category: int, valid_until: dt.date | None, parent: QWidget | None = None):
        until = valid_until.strftime("%d/%m/%Y") if valid_until else "—"
        super().__init__(KEYS, today, intro=t("mdec.radiation.intro", cat=category, date=until),
                         extras=(("mdec.radiation.reference", "mdec.radiation.reference.placeholder"),),
                         parent=parent)
        self.reference = self.extras[0]

    def values(self) -> tuple[dt.date, str, str]:
        """(date of the arrêté, reason, reference)."""
        day, reason, reference = super().values()
        return day, reason, reference
