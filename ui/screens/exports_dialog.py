"""Exports: the monthly table of definitive decisions for the comité départemental du tourisme, and the general
tables (establishments, visits, decisions, labels), as CSV or XLSX.

The query and the writing run on the task runner (only the month, the dataset, the year and the path cross
threads; an ExportResult comes back). The file to write is asked with a QFileDialog through `ask_save_path`, which
tests replace; the path field can also be set directly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from inspector.exports import ExportResult, Period, export_dataset, export_monthly, period_of, previous_month
from inspector.exports.monthly import month_period, month_text
from inspector.exports.tables import DATASETS
from inspector.services.common import ServiceError

from ..context import AppContext
from ..strings import t

MONTHLY = "monthly"
CHOICES = (MONTHLY, *DATASETS)
FILE_STEMS = {"establishments": "etablissements", "visits": "visites", "decisions": "decisions", "labels": "labels"}
NO_YEAR = 1999  # the spin box's minimum, shown as « Toutes »
ERROR_COLOUR = "#c62828"
FOLDER_KEY = "exports/folder"


# ----- worker side: plain data in, plain data out -----------------------------------------------------------------


def run_export(db: Any, choice: str, month: Period | None, year: int | None, path: str, fmt: str) -> ExportResult:
    """Write the chosen export (on a worker thread)."""
    if choice == MONTHLY:
        assert month is not None
        return export_monthly(db, month=month, path=path, fmt=fmt)
    return export_dataset(db, dataset=choice, path=path, fmt=fmt, period=period_of(year=year))


def suggested_name(choice: str, fmt: str, month: Period | None, year: int | None) -> str:
    """The standard file name (the CLI's): decisions-definitives-2026-10.csv, visites-2026.xlsx…"""
    if choice == MONTHLY and month is not None:
        return f"decisions-definitives-{month.start:%Y-%m}.{fmt}"
    suffix = f"-{year}" if year is not None and choice != "establishments" else ""
    return f"{FILE_STEMS[choice]}{suffix}.{fmt}"


# ----- the dialog -------------------------------------------------------------------------------------------------


class ExportsDialog(QDialog):
    """Choose what to export (the monthly table first), the month or the year, the format and the file."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, monthly: bool = False,
                 today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or dt.date.today()
        self.result_info: ExportResult | None = None
        self.error_text = ""
        self._path_edited = False
        self.setWindowTitle(t("export.title.monthly" if monthly else "export.title"))
        self.setMinimumWidth(620)

        self.dataset = QComboBox()
        for choice in CHOICES:
            self.dataset.addItem(t("export.dataset.monthly" if choice == MONTHLY else f"export.dataset.{choice}"),
                                 choice)
        self.dataset.setCurrentIndex(0 if monthly else 1)
        self.month = QDateEdit()
        self.month.setDisplayFormat("MM/yyyy")
        self.month.setCalendarPopup(False)
        last = previous_month(self.today).start
        self.month.setDate(QDate(last.year, last.month, 1))
        self.year = QSpinBox()
        self.year.setRange(NO_YEAR, 2100)
        self.year.setSpecialValueText(t("export.year.all"))
        self.year.setValue(NO_YEAR)
        self.fmt = QComboBox()
        self.fmt.addItem(t("export.format.csv"), "csv")
        self.fmt.addItem(t("export.format.xlsx"), "xlsx")
        self.path = QLineEdit()
        self.browse = QPushButton(t("export.browse"))
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.browse)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow(t("export.dataset"), self.dataset)
        form.addRow(t("export.month"), self.month)
        form.addRow(t("export.year"), self.year)
        form.addRow(t("export.format"), self.fmt)
        form.addRow(t("export.file"), file_row)
        self.form = form
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.run_button = self.buttons.addButton(t("export.run"), QDialogButtonBox.ButtonRole.ActionRole)
        self.run_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.help)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.dataset.currentIndexChanged.connect(self._options_changed)
        self.month.dateChanged.connect(self._options_changed)
        self.year.valueChanged.connect(self._options_changed)
        self.fmt.currentIndexChanged.connect(self._options_changed)
        self.path.textEdited.connect(self._edited)
        self.browse.clicked.connect(self.choose_path)
        self.run_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        self._options_changed()

    # ----- state --------------------------------------------------------------------------------------------------

    @property
    def choice(self) -> str:
        return str(self.dataset.currentData())

    @property
    def format(self) -> str:
        return str(self.fmt.currentData())

    @property
    def month_period(self) -> Period:
        d = self.month.date()
        return month_period(d.year(), d.month())

    @property
    def year_value(self) -> int | None:
        return None if self.year.value() == NO_YEAR else self.year.value()

    @property
    def busy_now(self) -> bool:
        return not self.run_button.isEnabled()

    def set_month(self, year: int, month: int) -> None:
        self.month.setDate(QDate(year, month, 1))

    def set_path(self, path: str | Path) -> None:
        """Write to this file (what choosing it in the file dialog does)."""
        self.path.setText(str(path))
        self._path_edited = True

    def _folder(self) -> Path:
        saved = self.ctx.settings.value(FOLDER_KEY, "")
        if saved and Path(str(saved)).is_dir():
            return Path(str(saved))
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(docs) if docs else Path.home()

    def _edited(self, _text: str) -> None:
        self._path_edited = True

    def _options_changed(self, *_args: Any) -> None:
        monthly = self.choice == MONTHLY
        self.form.setRowVisible(self.month, monthly)
        self.form.setRowVisible(self.year, not monthly)
        self.year.setEnabled(self.choice != "establishments")
        self.help.setText(t("export.monthly.help") if monthly else
                          t("export.year.na") if self.choice == "establishments" else "")
        self.help.setVisible(bool(self.help.text()))
        name = suggested_name(self.choice, self.format, self.month_period, self.year_value)
        current = self.path.text().strip()
        if self._path_edited and current:
            # keep the folder and the name the person chose; follow the format's suffix
            p = Path(current)
            if p.suffix.lower() in (".csv", ".xlsx") and p.suffix.lower() != f".{self.format}":
                self.path.setText(str(p.with_suffix(f".{self.format}")))
            return
        folder = Path(current).parent if current else self._folder()
        self.path.setText(str(folder / name))

    # ----- asking the person --------------------------------------------------------------------------------------

    def ask_save_path(self, suggested: str) -> str | None:
        fmt = self.format
        path, _filter = QFileDialog.getSaveFileName(self, t("export.choose"), suggested, t(f"export.filter.{fmt}"))
        return path or None

    def choose_path(self) -> None:
        chosen = self.ask_save_path(self.path.text().strip())
        if chosen:
            if not Path(chosen).suffix:
                chosen += f".{self.format}"
            self.set_path(chosen)

    # ----- running ------------------------------------------------------------------------------------------------

    def start(self) -> None:
        path = self.path.text().strip()
        if not path:
            self._show(t("export.no_path"), error=True)
            return
        choice, fmt = self.choice, self.format
        month = self.month_period if choice == MONTHLY else None
        year = self.year_value if choice != "establishments" else None
        self.run_button.setEnabled(False)
        self.result_info, self.error_text = None, ""
        self._show(t("export.running"))
        self.ctx.runner.run(run_export, self.ctx.db, choice, month, year, path, fmt,
                            on_done=self._done, on_error=self._failed)

    def _done(self, result: ExportResult) -> None:
        if not isValid(self):
            return
        self.run_button.setEnabled(True)
        self.result_info = result
        self.ctx.settings.setValue(FOLDER_KEY, str(Path(result.path).parent))
        if self.choice == MONTHLY:
            month = month_text(self.month_period)
            key = "export.done.monthly" if result.count else "export.done.monthly.none"
            text = t(key, count=result.count, month=month, path=result.path)
        else:
            text = t("export.done", title=result.title, count=result.count, path=result.path)
        self._show(text)
        self.ctx.message.emit(text, 8000)

    def _failed(self, exc: Exception) -> None:
        if not isValid(self):
            return
        self.run_button.setEnabled(True)
        if isinstance(exc, ServiceError):
            error = str(exc)
        elif isinstance(exc, OSError):
            error = f"{exc.strerror or exc} ({exc.filename or ''})"
        else:
            error = str(exc) or type(exc).__name__
        self.error_text = t("export.error", error=error)
        self._show(self.error_text, error=True)

    def _show(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
