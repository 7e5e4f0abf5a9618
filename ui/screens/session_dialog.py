"""A commission session, new or edited: date, place, chair, labels examined, members (name, body, college, present)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.services import commission
from inspector.services.common import ServiceError

from ..context import AppContext
from ..strings import t
from ..widgets.commission_models import CollegeDelegate, MembersModel, label_text

LABEL_CODES = ("tourisme_handicap", "chambre_hotes_reference", "accueil_velo")
ERROR_COLOUR = "#c62828"


class SessionDialog(QDialog):
    """Creates (`session` None) or updates a session through the commission service; errors stay in the dialog."""

    saved = Signal(str)  # session id

    def __init__(self, ctx: AppContext, session: Any = None, *, today: dt.date | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.session = ctx, session
        self.session_id: str | None = session.id if session is not None else None
        self.setWindowTitle(t("session.edit") if session is not None else t("session.new"))
        self.setMinimumSize(760, 560)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        day = session.held_on if session is not None else (today or dt.date.today())
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.place = QLineEdit(session.place if session is not None else "")
        self.place.setPlaceholderText(t("session.place.placeholder"))
        self.chair = QLineEdit(session.chair if session is not None else "")
        labels = tuple(session.labels) if session is not None else tuple(commission.DEFAULT_LABELS)
        self.label_boxes: dict[str, QCheckBox] = {}
        boxes = QHBoxLayout()
        for code in LABEL_CODES:
            box = QCheckBox(label_text(code).replace("&", "&&"))
            box.setChecked(code in labels)
            self.label_boxes[code] = box
            boxes.addWidget(box)
        boxes.addStretch(1)
        self.notes = QPlainTextEdit(session.notes if session is not None else "")
        self.notes.setMaximumHeight(70)
        for key, widget in (("session.date", self.date), ("session.place", self.place),
                            ("session.chair", self.chair)):
            label = QLabel(t(key))
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow(t("session.labels"), boxes)
        notes_label = QLabel(t("session.notes"))
        notes_label.setBuddy(self.notes)
        form.addRow(notes_label, self.notes)
        lay.addLayout(form)

        lay.addWidget(QLabel(t("session.members")))
        self.members = MembersModel(self, editable=True)
        self.members.set_members(session.members if session is not None else ())
        self.table = QTableView()
        self.table.setModel(self.members)
        self.table.setAccessibleName(t("commission.members.name"))
        self.table.setItemDelegateForColumn(MembersModel.columns.index("college"), CollegeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MembersModel.columns.index("present"), QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton(t("session.add_member"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda _checked=False: self.add_member())
        self.remove_button = QPushButton(t("session.remove_member"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(lambda _checked=False: self.remove_member())
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        lay.addLayout(row)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(t("session.save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(t("session.cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.place.setFocus()

    def add_member(self, name: str = "", body: str = "", college: str = "other", present: bool = True) -> int:
        """A new row (filled when given, e.g. by tests), ready to be typed in."""
        row = self.members.add_member(name, body, college, present)
        index = self.members.index(row, 0)
        self.table.setCurrentIndex(index)
        if not name:
            self.table.edit(index)
        return row

    def remove_member(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.members.remove_row(index.row())

    def values(self) -> dict[str, Any]:
        return {"held_on": self.date.date().toPython(), "place": self.place.text().strip(),
                "labels": [code for code, box in self.label_boxes.items() if box.isChecked()],
                "chair": self.chair.text().strip(), "members": self.members.members(),
                "notes": self.notes.toPlainText().strip()}

    def save(self) -> bool:
        """Create or update the session; on a refused input the dialog stays open with the service's message."""
        values = self.values()
        try:
            if self.session_id is None:
                res = commission.create_session(self.ctx.db, user_id=self.ctx.user_id, **values)
            else:
                res = commission.update_session(self.ctx.db, session_id=self.session_id, user_id=self.ctx.user_id,
                                                **values)
        except ServiceError as exc:
            self.error.setText(str(exc))
            return False
        self.session_id = res.value
        self.ctx.notify(res.changed)
        self.saved.emit(res.value)
        self.accept()
        return True
