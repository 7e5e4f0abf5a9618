"""The documents of one visit: deadlines, issued documents, preview, issue, open, print, sending, receipt, refusal.

Everything that reads or writes the database, lays out a PDF or hashes a file runs on the task runner; the window
stays responsive and says what is going on. What the dialog asks of the operating system (open a file or a
folder, print) goes through `Desktop`, which tests replace by a fake.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from inspector.services import deadlines, documents, meuble_decisions, queries, visits
from inspector.services.common import ServiceError
from inspector.services.documents import DocumentInfo
from inspector.storage import write_atomic

from ..context import AppContext
from ..models.document_list_model import DocumentListModel, kind_label
from ..models.visit_list_model import kind_label as visit_kind_label
from ..models.visit_list_model import state_label
from ..strings import t
from ..widgets.dated_reason_dialog import DatedReasonDialog

DONE_STATES = frozenset({"completed", "issued", "acquired", "refused"})
MEUBLE_KINDS = frozenset({"classement", "renouvellement"})
PREVIEW_DIR = Path(tempfile.gettempdir()) / "inspector-apercus"
PREVIEW_KEEP_S = 2 * 24 * 3600  # previews older than this are removed when a new one is written
ERROR_COLOUR = "#c62828"


def kinds_for(visit_kind: str) -> tuple[str, ...]:
    """The documents a kind of visit can lead to (the first one is proposed)."""
    if visit_kind in MEUBLE_KINDS:
        return ("certificat", "decision")
    if visit_kind == "visite_conseil":
        return ("conseil",)
    return ("label",)


def is_draft(kind: str, state: str) -> bool:
    """A preview that is not yet the document (marked PROJET on every page): the visit is not finished, or a
    décision de classement before the classement is acquired."""
    return state != "acquired" if kind == "decision" else state not in DONE_STATES


def date_text(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def describe_error(exc: BaseException) -> str:
    """An exception as one plain French (or English) sentence for the dialog; services already speak French."""
    if isinstance(exc, ServiceError):
        return str(exc)
    if isinstance(exc, ImportError):
        return t("docs.error.unavailable")
    if isinstance(exc, OSError):
        return t("docs.error.file", error=exc.strerror or str(exc))
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return t("docs.error.unexpected", error=text[:300])


# ----- worker side: plain data in, plain data out -----------------------------------------------------------------


@dataclass(frozen=True)
class VisitDocuments:
    """What the dialog shows, loaded off the UI thread."""

    row: queries.VisitRow
    documents: list[DocumentInfo]
    reaches_requested: bool | None = None  # completed classement: does it reach the requested category?
    highest: int | None = None  # the highest category it reaches (None: none)


@dataclass(frozen=True)
class NeedsCategory:
    """The certificat would propose a category the visit does not reach: a person must choose (`record_issue`)."""

    message: str
    requested: int
    highest: int | None


def load_visit_documents(db: Any, visit_id: str, today: dt.date) -> VisitDocuments:
    row = queries.visit_detail(db, visit_id, today=today).row
    reaches, highest = None, None
    if row.state == "completed" and row.kind in MEUBLE_KINDS and row.requested_category:
        result = visits.score_visit(db, visit_id, partial=True)
        reaches, highest = result.categories[str(row.requested_category)].classable, result.highest_classable
    return VisitDocuments(row, documents.list_documents(db, visit_id), reaches, highest)


def record(fn: Callable[..., Any], db: Any, visit_id: str, user_id: str | None, kwargs: dict[str, Any]) -> Any:
    """Worker side of « envoyé / reçu / refus »: one visit service call."""
    return fn(db, visit_id=visit_id, user_id=user_id, **kwargs)


def issue(db: Any, visit_id: str, kind: str, issued_on: dt.date, reason: str, proposed_category: int | None,
          user_id: str | None) -> DocumentInfo | NeedsCategory:
    """Issue a document; a proposal the visit does not reach comes back as NeedsCategory (nothing written)."""
    documents.renderer(kind)  # a kind this version cannot lay out fails here, before the visit changes state
    try:
        return documents.issue_document(db, visit_id=visit_id, kind=kind, issued_on=issued_on, reason=reason,
                                        proposed_category=proposed_category, user_id=user_id)
    except ServiceError as exc:
        if kind != "certificat" or proposed_category is not None:
            raise
        row = queries.visit_detail(db, visit_id).row
        if row.state != "completed" or row.kind not in MEUBLE_KINDS or not row.requested_category:
            raise
        result = visits.score_visit(db, visit_id, partial=True)
        if result.categories[str(row.requested_category)].classable:
            raise
        return NeedsCategory(str(exc), row.requested_category, result.highest_classable)


def render_preview(db: Any, visit_id: str, kind: str, issued_on: dt.date, draft: bool, folder: Path,
                   progress: Callable[..., None] | None = None) -> Path:
    """Lay out a document without issuing it and write it to a temporary file; returns its path."""
    report = progress or (lambda *_args: None)
    report(0, 2, t("docs.rendering"))
    pdf = documents.render(db, visit_id, kind, issued_on=issued_on, draft=draft)
    report(1, 2, t("docs.writing"))
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("apercu-*.pdf"):
        try:
            if now - old.stat().st_mtime > PREVIEW_KEEP_S:
                old.unlink()
        except OSError:
            pass  # still open in a viewer (Windows) or already gone: left for next time
    path = folder / f"apercu-{kind}-{visit_id[:8]}-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.pdf"
    write_atomic(path, pdf)
    report(2, 2, t("docs.writing"))
    return path


def verify(db: Any, document_id: str) -> bool:
    return documents.verify_document(db, document_id)


# ----- the operating system ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintPlan:
    """How a PDF is printed: `windows` (the PDF application's print verb), `lp` (CUPS, printer chosen in Qt's print
    dialog), `copy` (the print dialog's « print to file »), or `viewer` (open it; the person prints from there)."""

    method: str
    printer: str = ""
    copies: int = 1
    target: str = ""


class Desktop:
    """Open files and folders with the system's applications, print PDFs. Qt cannot draw a PDF here (QtPdf is not
    in PySide6-Essentials), so printing hands the file to the system: CUPS `lp` after QPrintDialog (QtPrintSupport
    is in Essentials) on Linux and macOS, the PDF application's « print » verb on Windows, else the viewer."""

    def open_file(self, path: Path) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def open_folder(self, folder: Path) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def choose_print(self, path: Path, parent: QWidget) -> PrintPlan | None:
        """UI thread: None when the person cancels the print dialog."""
        if sys.platform == "win32":
            return PrintPlan("windows")
        if shutil.which("lp") is None:
            return PrintPlan("viewer")
        try:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
        except ImportError:
            return PrintPlan("viewer")
        if not QPrinterInfo.availablePrinters():
            return PrintPlan("viewer")
        printer = QPrinter()
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(t("docs.print").replace("&", "") + " — " + path.name)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        if printer.outputFileName():
            return PrintPlan("copy", target=printer.outputFileName())
        return PrintPlan("lp", printer=printer.printerName(), copies=max(1, printer.copyCount()))

    def run_print(self, plan: PrintPlan, path: Path) -> str:
        """Worker thread: carry out a plan other than `viewer`; returns the message to show."""
        if plan.method == "windows":
            os.startfile(str(path), "print")  # type: ignore[attr-defined]  # Windows only
            return t("docs.print.system")
        if plan.method == "copy":
            shutil.copyfile(path, plan.target)
            return t("docs.print.saved", path=plan.target)
        command = [shutil.which("lp") or "lp", "-n", str(plan.copies)]
        if plan.printer:
            command += ["-d", plan.printer]
        done = subprocess.run([*command, "--", str(path)], capture_output=True, text=True, timeout=60,
                              check=False)
        if done.returncode != 0:
            raise ServiceError(t("docs.error.unexpected", error=(done.stderr or done.stdout).strip()
                                 or f"lp {done.returncode}"))
        return t("docs.print.sent", printer=plan.printer, copies=plan.copies)


# ----- the refusal sub-dialog -------------------------------------------------------------------------------------


class RefusalDialog(DatedReasonDialog):
    """Date and reason of the owner's refusal (both required), the date not before the receipt."""

    KEYS = {"title": "docs.refusal.title", "date": "docs.refusal.date", "reason": "docs.refusal.reason",
            "reason.placeholder": "docs.refusal.reason.placeholder", "save": "docs.refusal.save",
            "need_reason": "docs.refusal.need_reason"}

    def __init__(self, today: dt.date, received_on: dt.date | None, parent: QWidget | None = None):
        intro = (t("docs.refusal.intro", date=date_text(deadlines.refusal_window_end(received_on)))
                 if received_on is not None else "")
        super().__init__(self.KEYS, today, intro=intro, earliest=received_on, parent=parent)

    def values(self) -> tuple[dt.date, str]:
        day, reason = super().values()
        return day, reason


# ----- the dialog -------------------------------------------------------------------------------------------------


class DocumentsDialog(QDialog):
    """The documents of one visit. Questions to the person go through `ask_*` methods (tests replace them)."""

    def __init__(self, ctx: AppContext, visit_id: str, parent: QWidget | None = None, *,
                 desktop: Desktop | None = None, today: dt.date | None = None, preview_dir: Path | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.visit_id = visit_id
        self.desktop = desktop or Desktop()
        self.today = today or dt.date.today()
        self.preview_dir = preview_dir or PREVIEW_DIR
        self.data: VisitDocuments | None = None
        self.changed = False  # something was written (the caller reloads the visit)
        self.last_preview: Path | None = None
        self._tasks: set[int] = set()
        self.setMinimumSize(760, 540)
        self.resize(880, 600)
        self._build()
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        self.refresh()

    # ----- layout -------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)

        self.visit_box = QGroupBox()
        form = QFormLayout(self.visit_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.state_caption, self.state_value = QLabel(), QLabel()
        self.visited_caption, self.visited_value = QLabel(), QLabel()
        self.deadline_caption, self.deadline_value = QLabel(), QLabel()
        self.refusal_caption, self.refusal_value = QLabel(), QLabel()
        for caption, value in ((self.state_caption, self.state_value), (self.visited_caption, self.visited_value),
                               (self.deadline_caption, self.deadline_value),
                               (self.refusal_caption, self.refusal_value)):
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(caption, value)
        outer.addWidget(self.visit_box)

        self.list_box = QGroupBox()
        lv = QVBoxLayout(self.list_box)
        choose = QHBoxLayout()
        self.kind_label = QLabel()
        self.kind_box = QComboBox()
        self.kind_label.setBuddy(self.kind_box)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._update_buttons())
        self.date_label = QLabel()
        self.issue_date = QDateEdit(to_qdate(self.today))
        self.issue_date.setCalendarPopup(True)
        self.issue_date.setDisplayFormat("dd/MM/yyyy")
        self.issue_date.setMaximumDate(to_qdate(self.today))
        self.date_label.setBuddy(self.issue_date)
        self.kind_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind_box.setMinimumContentsLength(24)
        choose.addWidget(self.kind_label)
        choose.addWidget(self.kind_box)
        choose.addStretch(1)
        choose.addWidget(self.date_label)
        choose.addWidget(self.issue_date)
        lv.addLayout(choose)
        self.model = DocumentListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.table.doubleClicked.connect(lambda _i: self.open_document())
        self.table.setMinimumHeight(120)
        lv.addWidget(self.table, 1)
        self.empty_label = QLabel()
        self.empty_label.setStyleSheet("color: palette(placeholder-text);")
        lv.addWidget(self.empty_label)
        actions = QHBoxLayout()
        self.preview_button, self.issue_button = QPushButton(), QPushButton()
        self.open_button, self.print_button, self.folder_button = QPushButton(), QPushButton(), QPushButton()
        self.preview_button.clicked.connect(self.preview)
        self.issue_button.clicked.connect(lambda: self.issue())
        self.open_button.clicked.connect(self.open_document)
        self.print_button.clicked.connect(self.print_document)
        self.folder_button.clicked.connect(self.show_in_folder)
        for button in (self.preview_button, self.issue_button):
            actions.addWidget(button)
        actions.addStretch(1)
        for button in (self.open_button, self.print_button, self.folder_button):
            actions.addWidget(button)
        lv.addLayout(actions)
        outer.addWidget(self.list_box, 1)

        self.tracking_box = QGroupBox()
        grid = QGridLayout(self.tracking_box)
        self.sent_label, self.received_label = QLabel(), QLabel()
        self.sent_date, self.received_date = self._date_edit(), self._date_edit()
        self.sent_label.setBuddy(self.sent_date)
        self.received_label.setBuddy(self.received_date)
        self.sent_button, self.received_button, self.refusal_button = QPushButton(), QPushButton(), QPushButton()
        self.sent_button.clicked.connect(lambda: self.record_sent(from_qdate(self.sent_date.date())))
        self.received_button.clicked.connect(lambda: self.record_receipt(from_qdate(self.received_date.date())))
        self.refusal_button.clicked.connect(self.ask_and_record_refusal)
        grid.addWidget(self.sent_label, 0, 0)
        grid.addWidget(self.sent_date, 0, 1)
        grid.addWidget(self.sent_button, 0, 2)
        grid.addWidget(self.received_label, 1, 0)
        grid.addWidget(self.received_date, 1, 1)
        grid.addWidget(self.received_button, 1, 2)
        grid.addWidget(self.refusal_button, 1, 3)
        grid.setColumnStretch(4, 1)
        self.signature_button = QPushButton(t("signature.button"))
        self.signature_button.setAccessibleName(t("signature.title"))
        self.signature_button.clicked.connect(self.ask_and_record_signature)
        grid.addWidget(self.signature_button, 0, 3)
        self.tracking_hint = QLabel()
        self.tracking_hint.setWordWrap(True)
        grid.addWidget(self.tracking_hint, 2, 0, 1, 5)
        outer.addWidget(self.tracking_box)

        bottom = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setMaximumWidth(180)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.busy)
        bottom.addWidget(self.buttons)
        outer.addLayout(bottom)

        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_document)
        self.setTabOrder(self.kind_box, self.issue_date)
        self.setTabOrder(self.issue_date, self.table)
        self.setTabOrder(self.table, self.preview_button)
        self.setTabOrder(self.preview_button, self.issue_button)
        self.setTabOrder(self.issue_button, self.open_button)
        self.setTabOrder(self.open_button, self.print_button)
        self.setTabOrder(self.print_button, self.folder_button)
        self.setTabOrder(self.folder_button, self.sent_date)
        self.setTabOrder(self.sent_date, self.sent_button)
        self.setTabOrder(self.sent_button, self.received_date)
        self.setTabOrder(self.received_date, self.received_button)
        self.setTabOrder(self.received_button, self.refusal_button)

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit(to_qdate(self.today))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setMaximumDate(to_qdate(self.today))
        return edit

    def _language_changed(self, _lang: str) -> None:
        if isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        def plain(key: str) -> str:
            return t(key).replace("&", "")

        self.visit_box.setTitle(t("docs.visit"))
        self.state_caption.setText(t("docs.state.label"))
        self.visited_caption.setText(t("docs.visited.label"))
        self.deadline_caption.setText(t("docs.deadline.label"))
        self.refusal_caption.setText(t("docs.refusal.label"))
        self.list_box.setTitle(t("docs.list"))
        self.kind_label.setText(t("docs.kind"))
        self.kind_box.setAccessibleName(t("docs.kind.name"))
        self.date_label.setText(t("docs.issue_date"))
        self.issue_date.setAccessibleName(t("docs.issue_date.name"))
        self.table.setAccessibleName(t("docs.list.name"))
        self.empty_label.setText(t("docs.empty"))
        for button, key in ((self.preview_button, "docs.preview"), (self.issue_button, "docs.issue"),
                            (self.open_button, "docs.open"), (self.print_button, "docs.print"),
                            (self.folder_button, "docs.folder"), (self.sent_button, "docs.sent.record"),
                            (self.received_button, "docs.received.record"),
                            (self.refusal_button, "docs.refusal.button")):
            button.setText(t(key))
            button.setAccessibleName(plain(key).rstrip("…"))
        for button, key in ((self.preview_button, "docs.preview.tip"), (self.issue_button, "docs.issue.tip"),
                            (self.open_button, "docs.open.tip"), (self.print_button, "docs.print.tip"),
                            (self.folder_button, "docs.folder.tip"), (self.refusal_button, "docs.refusal.button.tip")):
            button.setToolTip(t(key))
        self.sent_button.setAccessibleName(plain("docs.sent.record"))
        self.received_button.setAccessibleName(plain("docs.received.record"))
        self.tracking_box.setTitle(t("docs.tracking"))
        self.sent_label.setText(t("docs.sent.label"))
        self.received_label.setText(t("docs.received.label"))
        self.sent_date.setAccessibleName(t("docs.sent.name"))
        self.received_date.setAccessibleName(t("docs.received.name"))
        self.tracking_hint.setText(t("docs.tracking.hint"))
        self.message.setAccessibleName(t("docs.message.name"))
        self.busy.setAccessibleName(t("docs.busy.name"))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(t("docs.close"))
        close.setAccessibleName(t("docs.close"))
        self.model.retranslate()
        current = self.kind_box.currentData()
        self.kind_box.blockSignals(True)
        for i in range(self.kind_box.count()):
            self.kind_box.setItemText(i, kind_label(self.kind_box.itemData(i)))
        self.kind_box.blockSignals(False)
        if current is not None:
            self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(current)))
        self._show_visit()

    # ----- tasks --------------------------------------------------------------------------------------------------

    @property
    def busy_now(self) -> bool:
        return bool(self._tasks)

    def _run(self, fn: Callable[..., Any], *args: Any, label: str, on_done: Callable[[Any], None],
             progress: bool = False) -> int:
        """Start `fn` on the runner, with the busy bar and the buttons disabled until it reports back."""
        holder: dict[str, int] = {}

        def finished() -> bool:
            self_alive = isValid(self)
            if self_alive:
                self._tasks.discard(holder.get("id", -1))
                self._set_busy()
            return self_alive

        def done(result: Any) -> None:
            if finished():
                on_done(result)

        def failed(exc: Exception) -> None:
            if finished():
                self.show_error(describe_error(exc))

        def step(done_: int, total: int, text: str) -> None:
            if isValid(self):
                self.busy.setRange(0, total)
                self.busy.setValue(done_)
                if text:
                    self.show_info(text)

        self.show_info(label)
        task = self.ctx.runner.run(fn, *args, on_done=done, on_error=failed, on_progress=step if progress else None)
        holder["id"] = task
        self._tasks.add(task)  # its callbacks run on this thread, so not before this method returns
        self._set_busy()
        return task

    def _set_busy(self) -> None:
        busy = bool(self._tasks)
        self.busy.setVisible(busy)
        if busy:
            self.busy.setRange(0, 0)
        self._update_buttons()

    def ask_signature(self) -> bytes | None:
        """The owner signs on screen; None when cancelled (tests replace this method)."""
        from ..widgets.signature_pad import SignatureDialog

        dialog = SignatureDialog(self)
        return dialog.png() if dialog.exec() else None

    def ask_and_record_signature(self) -> None:
        png = self.ask_signature()
        if png is not None:
            self.record_signature(png)

    def record_signature(self, png: bytes) -> None:
        """Keep the drawn signature with the visit: the proposition issued next prints it."""
        from inspector.services.common import ServiceError
        from inspector.services.signatures import save_owner_signature

        try:
            res = save_owner_signature(self.ctx.db, visit_id=self.visit_id, png=png, user_id=self.ctx.user_id)
        except ServiceError as exc:
            self.show_error(str(exc))
            return
        self._changed(res.changed)
        self.show_info(t("signature.saved"))
        self.refresh()

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: 600;")
        self.message.setText(text)

    def show_info(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def _changed(self, changed: Any) -> None:
        self.changed = True
        self.ctx.notify(changed)

    # ----- loading and display ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the visit and its documents off the UI thread."""
        self._run(load_visit_documents, self.ctx.db, self.visit_id, self.today, label=t("docs.loading"),
                  on_done=self._loaded)

    def _loaded(self, data: VisitDocuments) -> None:
        selected = self.selected_document()
        self.data = data
        row = data.row
        self.setWindowTitle(t("docs.title", name=f"{row.establishment} ({row.commune})"))
        kinds = list(kinds_for(row.kind))
        kinds += [d.kind for d in data.documents if d.kind not in kinds]
        current = self.kind_box.currentData()
        self.kind_box.blockSignals(True)
        self.kind_box.clear()
        for kind in kinds:
            self.kind_box.addItem(kind_label(kind), kind)
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(current)) if current else 0)
        self.kind_box.blockSignals(False)
        self.model.set_documents(data.documents)
        self.table.resizeColumnsToContents()
        if data.documents:
            target = self.model.row_of(selected.id) if selected is not None else -1
            self.select_row(target if target >= 0 else len(data.documents) - 1)
        if row.visited_on:
            self.issue_date.setMinimumDate(to_qdate(min(row.visited_on, self.today)))
        if row.issued_on:
            for edit in (self.sent_date, self.received_date):
                edit.setMinimumDate(to_qdate(min(row.issued_on, self.today)))
        if row.received_on:
            self.received_date.setDate(to_qdate(row.received_on))
        if self.message.text() == t("docs.loading"):
            self.show_info("")
        self._show_visit()
        self._update_buttons()

    def _show_visit(self) -> None:
        if self.data is None:
            return
        row = self.data.row
        cat = t("docs.state.cat", cat=row.requested_category) if row.requested_category else ""
        self.state_value.setText(t("docs.state", state=state_label(row.state), kind=visit_kind_label(row.kind),
                                   cat=cat))
        self.visited_value.setText(date_text(row.visited_on) if row.visited_on else t("docs.visited.none"))
        text, late = self.deadline_text(row)
        self.deadline_value.setText(text)
        self.deadline_value.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: 600;" if late else "")
        meuble = row.kind in MEUBLE_KINDS
        self.refusal_value.setText(self.refusal_text(row) if meuble else "")
        self.refusal_caption.setVisible(meuble)
        self.refusal_value.setVisible(meuble)
        self.tracking_box.setVisible(meuble)
        self.empty_label.setVisible(not self.data.documents)

    def deadline_text(self, row: queries.VisitRow) -> tuple[str, bool]:
        """The one-month limit for the certificat (D324-4), and whether it is urgent (≤ 7 days) or missed."""
        if row.kind not in MEUBLE_KINDS:
            return t("docs.deadline.na"), False
        if row.visited_on is None:
            return t("docs.deadline.none"), False
        due = deadlines.report_due(row.visited_on)
        if row.issued_on is not None and row.state in ("issued", "acquired", "refused"):
            late_days = (row.issued_on - due).days
            if late_days > 0:
                return t("docs.deadline.issued_late", issued=date_text(row.issued_on), days=late_days,
                         date=date_text(due)), False
            return t("docs.deadline.issued", issued=date_text(row.issued_on), date=date_text(due)), False
        left = (due - self.today).days
        if left < 0:
            return t("docs.deadline.late", date=date_text(due), days=-left), True
        if left == 0:
            return t("docs.deadline.today", date=date_text(due)), True
        return t("docs.deadline.left", date=date_text(due), days=left), left <= 7

    def refusal_text(self, row: queries.VisitRow) -> str:
        if row.state == "refused":
            return t("docs.refusal.refused")
        if row.state == "acquired" and row.received_on:
            return t("docs.refusal.acquired", received=date_text(row.received_on),
                     until=date_text(row.valid_until))
        if row.state != "issued":
            return t("docs.refusal.before")
        if row.received_on is None:
            return t("docs.refusal.waiting")
        end = deadlines.refusal_window_end(row.received_on)
        left = (end - self.today).days
        if left < 0:
            return t("docs.refusal.closed", received=date_text(row.received_on), date=date_text(end),
                     acquired=date_text(deadlines.acquired_on(row.received_on)))
        return t("docs.refusal.open", received=date_text(row.received_on), date=date_text(end), days=left)

    def _update_buttons(self) -> None:
        idle = not self._tasks
        row = self.data.row if self.data is not None else None
        has_kind = self.kind_box.currentData() is not None
        has_doc = self.selected_document() is not None
        self.preview_button.setEnabled(idle and row is not None and has_kind)
        can_issue = row is not None and row.state in DONE_STATES
        self.issue_button.setEnabled(idle and can_issue and has_kind)
        self.issue_button.setToolTip(t("docs.issue.tip") if can_issue or row is None else t("docs.issue.locked"))
        for button in (self.open_button, self.print_button, self.folder_button):
            button.setEnabled(idle and has_doc)
        issued = row is not None and row.state == "issued"
        for widget in (self.sent_date, self.sent_button, self.received_date, self.received_button):
            widget.setEnabled(idle and issued)
        self.refusal_button.setEnabled(idle and issued and row.received_on is not None)
        self.tracking_hint.setVisible(not issued)

    # ----- selection ----------------------------------------------------------------------------------------------

    def selected_document(self) -> DocumentInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.document(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def current_kind(self) -> str:
        return self.kind_box.currentData() or kinds_for(self.data.row.kind if self.data else "classement")[0]

    # ----- preview ------------------------------------------------------------------------------------------------

    def preview(self) -> None:
        """Lay out the chosen document (a draft while the visit is not finished) and open it in the PDF viewer."""
        if self.data is None:
            return
        kind = self.current_kind()
        draft = is_draft(kind, self.data.row.state)
        self._run(render_preview, self.ctx.db, self.visit_id, kind, from_qdate(self.issue_date.date()), draft,
                  self.preview_dir, label=t("docs.rendering"), on_done=self._previewed, progress=True)

    def _previewed(self, path: Path) -> None:
        self.last_preview = path
        if not self.isVisible():  # closed meanwhile: nobody waits for a viewer to pop up
            return
        if self.desktop.open_file(path):
            self.show_info(t("docs.preview.done", path=path))
        else:
            self.show_error(t("docs.preview.no_viewer", path=path))

    # ----- issue --------------------------------------------------------------------------------------------------

    def ask_confirm(self, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, t("docs.issue.title"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def ask_reason(self, kind: str, revision: int) -> str | None:
        """The reason for a new revision; None when cancelled."""
        text, ok = QInputDialog.getText(self, t("docs.reason.title"),
                                        t("docs.reason.prompt", kind=kind_label(kind), revision=revision,
                                          next=revision + 1))
        return text if ok else None

    def ask_category(self, message: str, requested: int, highest: int | None) -> int | None:
        """The category to propose when the visit does not reach the requested one; None when cancelled."""
        choices = ([(t("docs.category.reachable", cat=highest), highest)] if highest else [])
        choices.append((t("docs.category.zero"), 0))
        item, ok = QInputDialog.getItem(self, t("docs.category.title"), t("docs.category.prompt", message=message),
                                        [c[0] for c in choices], 0, False)
        if not ok:
            return None
        return next(value for label, value in choices if label == item)

    def issue(self, kind: str | None = None) -> None:
        """« Émettre… »: a reason for a re-issue, the category when the requested one is not reached, a confirmation,
        then the issue on the runner."""
        if self.data is None:
            return
        kind = kind or self.current_kind()
        issued_on = from_qdate(self.issue_date.date())
        reason = ""
        previous = self.model.latest(kind)
        if previous is not None:
            answer = self.ask_reason(kind, previous.revision)
            if answer is None:
                return
            if not answer.strip():
                self.show_error(t("docs.reason.missing"))
                return
            reason = answer
        row = self.data.row
        proposed: int | None = None
        proposal = ""
        if kind == "certificat" and row.state == "completed" and row.kind in MEUBLE_KINDS and row.requested_category:
            proposed = row.requested_category
            if self.data.reaches_requested is False:
                hint = (t("docs.category.hint_best", cat=self.data.highest) if self.data.highest
                        else t("docs.category.hint_none"))
                proposed = self.ask_category(t("docs.category.not_reached", cat=row.requested_category, hint=hint),
                                             row.requested_category, self.data.highest)
                if proposed is None:
                    return
            proposal = t("docs.issue.proposal", cat=proposed) if proposed else t("docs.issue.proposal_zero")
        if not self.ask_confirm(t("docs.issue.confirm", kind=kind_label(kind), date=date_text(issued_on),
                                  proposal=proposal)):
            return
        self.issue_with(kind, issued_on=issued_on, reason=reason,
                        proposed_category=proposed if proposed != row.requested_category else None)

    def issue_with(self, kind: str, *, issued_on: dt.date | None = None, reason: str = "",
                   proposed_category: int | None = None) -> None:
        """Issue without asking anything first (the service refuses what is not allowed, in French); only a
        category the visit does not reach is asked (`ask_category`), as `record_issue` demands."""
        day = issued_on or from_qdate(self.issue_date.date())
        self._run(issue, self.ctx.db, self.visit_id, kind, day, reason, proposed_category, self.ctx.user_id,
                  label=t("docs.issuing"), on_done=lambda result: self._issued(result, kind, day, reason))

    def _issued(self, result: Any, kind: str, day: dt.date, reason: str) -> None:
        if isinstance(result, NeedsCategory):
            choice = self.ask_category(result.message, result.requested, result.highest)
            if choice is None:
                self.show_error(result.message)
                return
            self.issue_with(kind, issued_on=day, reason=reason, proposed_category=choice)
            return
        self._changed(result.changed)
        info: DocumentInfo = result.value
        text = t("docs.issued", kind=kind_label(info.kind), revision=info.revision, sha=info.sha256[:12])

        def reloaded(data: VisitDocuments) -> None:
            self._loaded(data)
            row = self.model.row_of(info.id)
            if row >= 0:
                self.select_row(row)
            self.show_info(text)

        self._run(load_visit_documents, self.ctx.db, self.visit_id, self.today, label=t("docs.loading"),
                  on_done=reloaded)

    # ----- open, print, folder ------------------------------------------------------------------------------------

    def _with_verified(self, then: Callable[[DocumentInfo], None]) -> None:
        doc = self.selected_document()
        if doc is None:
            self.show_error(t("docs.select"))
            return

        def checked(ok: bool) -> None:
            if ok:
                then(doc)
            else:
                self.show_error(t("docs.altered", path=doc.path))

        self._run(verify, self.ctx.db, doc.id, label=t("docs.checking"), on_done=checked)

    def open_document(self) -> None:
        """Open the selected issued document in the PDF viewer, once its SHA-256 is checked."""
        def go(doc: DocumentInfo) -> None:
            if self.desktop.open_file(doc.path):
                self.show_info(t("docs.opened", path=doc.path))
            else:
                self.show_error(t("docs.open.failed", path=doc.path))

        self._with_verified(go)

    def print_document(self) -> None:
        """Print the selected issued document through the system (see `Desktop`)."""
        if self.selected_document() is None:
            self.show_error(t("docs.select"))
            return
        if self._tasks:
            return

        def go(doc: DocumentInfo) -> None:
            plan = self.desktop.choose_print(doc.path, self)
            if plan is None:
                self.show_info("")
                return
            if plan.method == "viewer":
                if self.desktop.open_file(doc.path):
                    self.show_info(t("docs.print.viewer"))
                else:
                    self.show_error(t("docs.open.failed", path=doc.path))
                return
            self._run(self.desktop.run_print, plan, doc.path, label=t("docs.print").replace("&", "") + "…",
                      on_done=self.show_info)

        self._with_verified(go)

    def show_in_folder(self) -> None:
        doc = self.selected_document()
        if doc is None:
            self.show_error(t("docs.select"))
            return
        if self.desktop.open_folder(doc.path.parent):
            self.show_info(t("docs.folder.opened", path=doc.path.parent))
        else:
            self.show_error(t("docs.open.failed", path=doc.path.parent))

    # ----- sending, receipt, refusal ------------------------------------------------------------------------------

    def _check_after_issue(self, day: dt.date) -> bool:
        issued = self.data.row.issued_on if self.data is not None else None
        if issued is not None and day < issued:
            self.show_error(t("docs.date.before_issue", date=date_text(issued)))
            return False
        return True

    def _record(self, fn: Callable[..., Any], text: str | Callable[[Any], str], **kwargs: Any) -> None:
        """Run one service call; `text` (or text(result)) is shown once the visit is reloaded."""
        message: list[str] = []

        def reloaded(data: VisitDocuments) -> None:
            self._loaded(data)
            self.show_info(message[0])

        def done(result: Any) -> None:
            message.append(text(result) if callable(text) else text)
            self._changed(result.changed)
            self._run(load_visit_documents, self.ctx.db, self.visit_id, self.today, label=t("docs.loading"),
                      on_done=reloaded)

        self._run(record, fn, self.ctx.db, self.visit_id, self.ctx.user_id, kwargs, label=t("docs.saving"),
                  on_done=done)

    def record_sent(self, sent_on: dt.date) -> None:
        """« Certificat envoyé le »."""
        if not self._check_after_issue(sent_on):
            return
        self._record(visits.record_sent, t("docs.sent.done", date=date_text(sent_on)), sent_on=sent_on)

    def record_receipt(self, received_on: dt.date) -> None:
        """« Reçu par le loueur le »: the 15-day refusal window starts; a receipt recorded after the window closed
        acquires the classement at once (the décision is numbered)."""
        if not self._check_after_issue(received_on):
            return
        text = t("docs.received.done", date=date_text(received_on),
                 end=date_text(deadlines.refusal_window_end(received_on)))

        def outcome(result: Any) -> str:
            mine = next((a for a in result.value if a.visit_id == self.visit_id), None)
            if mine is None:
                return text
            return t("mdec.received_acquired", date=date_text(received_on), acquired=date_text(mine.acquired_on),
                     number=mine.number)

        self._record(meuble_decisions.record_receipt_and_acquire, outcome, received_on=received_on,
                     today=self.today)

    def ask_refusal(self) -> tuple[dt.date, str] | None:
        dialog = RefusalDialog(self.today, self.data.row.received_on if self.data else None, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.values()

    def ask_and_record_refusal(self) -> None:
        answer = self.ask_refusal()
        if answer is not None:
            self.record_refusal(*answer)

    def record_refusal(self, refused_on: dt.date, reason: str) -> None:
        """« Refus du loueur… »: the service checks the window and the reason."""
        self._record(visits.record_refusal, t("docs.refused.done", date=date_text(refused_on)),
                     refused_on=refused_on, reason=reason)
