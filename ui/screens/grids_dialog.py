"""The installed grids, their provenance shown plainly; an administrator imports an official grid from a workbook.

Reading the catalogue, checking a workbook, installing and exporting run on the task runner. What the dialog asks
the person (a file to open or to write, a confirmation) goes through `ask_*` methods built on QFileDialog and
QMessageBox, which tests patch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from inspector.grids.registry import add_grid_dir, bundled_grids_dir, load_catalogue

from ..context import AppContext
from ..strings import UI, t
from .sync_dialog import KEY_ROLE, role_label

PROVENANCE_COLOURS = {"official": "#2e7d32", "partial": "#e65100", "example": "#c62828"}
ERROR_COLOUR = "#c62828"
ADMIN = "admin"


# ----- worker side: plain data in, plain data out -----------------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    """One installed grid version, as listed."""

    id: str
    version: str
    kind: str
    title: str
    provenance: str  # official | partial | example
    criteria: int
    applicable_from: str | None
    path: str
    bundled: bool


@dataclass(frozen=True)
class GridsState:
    """What the dialog shows: the grids, the files that could not be read, and who the local user is."""

    rows: list[GridRow]
    invalid: list[str]
    user_name: str
    user_role: str


@dataclass(frozen=True)
class Checked:
    """A workbook read and validated, not installed yet."""

    doc: dict[str, Any]
    path: Path  # where it will be written (or where the identical version already is)
    already: bool


def load_state(db: Any, user_id: str | None, folder: Path) -> GridsState:
    add_grid_dir(folder)
    catalogue = load_catalogue()
    bundled = bundled_grids_dir().resolve()
    rows = [GridRow(g.id, g.version, g.kind, g.title, g.provenance.status, len(g.criteria),
                    g.provenance.applicable_from, g.path, Path(g.path).resolve().parent == bundled)
            for g in sorted(catalogue.grids, key=lambda g: (g.id, g.version))]
    invalid = [str(err) for err in catalogue.errors]
    name, role = "", ""
    if db is not None and user_id:
        from inspector.db.models import User

        with db.session() as s:
            user = s.get(User, user_id)
            if user is not None:
                name, role = user.name, user.role
    return GridsState(rows, invalid, name, role)


def check_workbook(path: str, folder: Path) -> Checked:
    from inspector.grids.spreadsheet import import_workbook, install_grid

    doc = import_workbook(path)
    result = install_grid(doc, folder, dry_run=True)
    return Checked(doc, result.path, result.already)


def install(doc: dict[str, Any], folder: Path) -> Path:
    from inspector.grids.spreadsheet import install_grid

    return install_grid(doc, folder).path


def export(path: str, target: str) -> Path:
    from inspector.grids.loader import load_grid
    from inspector.grids.spreadsheet import export_grid

    return export_grid(load_grid(path), target)


def error_lines(exc: BaseException) -> list[str]:
    """Every problem of a failed import, one line each (a workbook's problems are already located)."""
    problems = getattr(exc, "problems", None)
    if problems:
        return [str(p) for p in problems]
    if isinstance(exc, OSError):
        return [t("grids.error.file", error=exc.strerror or str(exc))]
    text = str(exc).strip()
    return [text.splitlines()[0] if text else type(exc).__name__] if not isinstance(exc, ImportError) else [
        t("grids.error.unavailable")]


def provenance_text(status: str) -> str:
    return t(f"grids.provenance.{status}") if status in PROVENANCE_COLOURS else status


# ----- the dialog -------------------------------------------------------------------------------------------------


class GridsDialog(QDialog):
    """Installed grids; import (administrators) and export."""

    COLUMNS = ("grids.col.id", "grids.col.version", "grids.col.kind", "grids.col.provenance", "grids.col.criteria",
               "grids.col.from", "grids.col.where")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.folder = Path(ctx.data_dir) / "grids"
        self.state: GridsState | None = None
        self.errors: list[str] = []
        self._tasks: set[int] = set()
        self.setMinimumSize(820, 480)
        self._build()
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        self.refresh()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        outer.addWidget(self.intro)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        outer.addWidget(self.table, 1)
        self.role_note = QLabel()
        self.role_note.setWordWrap(True)
        outer.addWidget(self.role_note)
        actions = QHBoxLayout()
        self.import_button, self.export_button = QPushButton(), QPushButton()
        self.import_button.clicked.connect(self.import_workbook)
        self.export_button.clicked.connect(self.export_selected)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        outer.addLayout(actions)
        self.errors_title = QLabel()
        self.errors_title.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.errors_title.setWordWrap(True)
        self.errors_list = QListWidget()
        self.errors_list.setWordWrap(True)
        self.errors_list.setMinimumHeight(120)
        outer.addWidget(self.errors_title)
        outer.addWidget(self.errors_list, 1)
        bottom = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.busy)
        bottom.addWidget(self.buttons)
        outer.addLayout(bottom)
        self._show_errors([])

    def _language_changed(self, _lang: str) -> None:
        if isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(t("grids.title"))
        self.intro.setText(t("grids.intro", folder=str(self.folder)))
        self.table.setHorizontalHeaderLabels([t(key) for key in self.COLUMNS])
        self.table.setAccessibleName(t("grids.table.name"))
        self.import_button.setText(t("grids.import"))
        self.import_button.setAccessibleName(t("grids.import").replace("&", "").rstrip("…"))
        self.export_button.setText(t("grids.export"))
        self.export_button.setAccessibleName(t("grids.export").replace("&", "").rstrip("…"))
        self.errors_list.setAccessibleName(t("grids.errors.name"))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(t("docs.close"))
        self._show_state()

    # ----- running tasks ------------------------------------------------------------------------------------------

    @property
    def busy_now(self) -> bool:
        return bool(self._tasks)

    def _run(self, fn: Any, *args: Any, on_done: Any, on_error: Any = None) -> None:
        holder: dict[str, int] = {}

        def finished() -> bool:
            self._tasks.discard(holder.get("id", -1))
            self.busy.setVisible(bool(self._tasks))
            self._update_buttons()
            return isValid(self)

        def done(result: Any) -> None:
            if finished():
                on_done(result)

        def failed(exc: Exception) -> None:
            if finished():
                (on_error or self._failed)(exc)

        holder["id"] = self.ctx.runner.run(fn, *args, on_done=done, on_error=failed)
        self._tasks.add(holder["id"])
        self.busy.setVisible(True)
        self._update_buttons()

    def _failed(self, exc: Exception) -> None:
        self.message.setText(t("grids.error", error="; ".join(error_lines(exc))))

    # ----- state --------------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._run(load_state, self.ctx.db, self.ctx.user_id, self.folder, on_done=self._loaded)

    def _loaded(self, state: GridsState) -> None:
        self.state = state
        self._show_state()

    @property
    def sync_role(self) -> str:
        return str(self.ctx.settings.value(KEY_ROLE, "") or "")

    def can_import(self) -> tuple[bool, str]:
        """Only an administrator installs grids: the local user's role, or the agency account's role."""
        if self.state is None:
            return False, ""
        if ADMIN in (self.state.user_role, self.sync_role):
            return True, ""
        if self.state.user_name:
            return False, t("grids.admin_only.user", name=self.state.user_name,
                            role=role_label(self.state.user_role or "inspector"))
        return False, t("grids.admin_only.nobody")

    def _show_state(self) -> None:
        state = self.state
        self.table.setRowCount(0 if state is None else len(state.rows))
        for i, row in enumerate(state.rows if state else []):
            where = t("grids.where.bundled") if row.bundled else t("grids.where.data")
            kind = t(f"grids.kind.{row.kind}") if f"grids.kind.{row.kind}" in UI else row.kind
            cells = (row.id, row.version, kind, provenance_text(row.provenance), str(row.criteria),
                     row.applicable_from or "—", where)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.path)
                item.setToolTip(f"{row.title}\n{row.path}")
                if j == 3:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setForeground(QBrush(QColor(PROVENANCE_COLOURS.get(row.provenance, ERROR_COLOUR))))
                self.table.setItem(i, j, item)
        allowed, why = self.can_import()
        self.role_note.setText(why)
        self.role_note.setVisible(bool(why))
        self.import_button.setToolTip(why or t("grids.import.tip"))
        if state is not None and state.invalid and not self.errors:
            self.message.setText(t("grids.invalid", count=len(state.invalid)))
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = not self._tasks
        allowed, _why = self.can_import()
        self.import_button.setEnabled(idle and allowed)
        self.export_button.setEnabled(idle and self.selected_path() is not None)

    def selected_path(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def select_grid(self, grid_id: str) -> None:
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).text() == grid_id:
                self.table.selectRow(i)
                return

    def _show_errors(self, lines: list[str]) -> None:
        self.errors = list(lines)
        self.errors_list.clear()
        self.errors_list.addItems(self.errors)
        self.errors_title.setText(t("grids.errors", count=len(self.errors)) if self.errors else "")
        self.errors_title.setVisible(bool(self.errors))
        self.errors_list.setVisible(bool(self.errors))

    # ----- questions (tests patch QFileDialog and QMessageBox) ----------------------------------------------------

    def ask_open_path(self) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(self, t("grids.import.choose"), "", t("grids.import.filter"))
        return path or None

    def ask_save_path(self, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(self, t("grids.export.choose"), suggested,
                                                    t("grids.export.filter"))
        return path or None

    def ask_confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, t("grids.title"), text)
        return answer == QMessageBox.StandardButton.Yes

    # ----- actions ------------------------------------------------------------------------------------------------

    def import_workbook(self) -> None:
        allowed, why = self.can_import()
        if not allowed:
            self.message.setText(why)
            return
        path = self.ask_open_path()
        if not path:
            return
        self._show_errors([])
        self.message.setText(t("grids.import.checking", file=Path(path).name))
        self._run(check_workbook, path, self.folder, on_done=lambda c: self._checked(path, c),
                  on_error=self._import_failed)

    def _import_failed(self, exc: Exception) -> None:
        lines = error_lines(exc)
        self._show_errors(lines)
        self.message.setText(t("grids.import.failed", count=len(lines)))

    def _checked(self, path: str, checked: Checked) -> None:
        doc = checked.doc
        status = doc["provenance"]["status"]
        if checked.already:
            self.message.setText(t("grids.import.already", id=doc["id"], version=doc["version"],
                                   path=str(checked.path)))
            return
        question = t("grids.import.confirm", id=doc["id"], version=doc["version"], count=len(doc["criteria"]),
                     provenance=provenance_text(status), title=doc["title"])
        if not self.ask_confirm(question):
            self.message.setText(t("grids.import.cancelled"))
            return
        self._run(install, doc, self.folder, on_done=lambda p: self._installed(doc, p), on_error=self._import_failed)

    def _installed(self, doc: dict[str, Any], path: Path) -> None:
        self.message.setText(t("grids.import.done", id=doc["id"], version=doc["version"], path=str(path)))

        def reloaded(state: GridsState) -> None:
            self._loaded(state)
            self.select_grid(doc["id"])

        self._run(load_state, self.ctx.db, self.ctx.user_id, self.folder, on_done=reloaded)

    def export_selected(self) -> None:
        path = self.selected_path()
        if path is None:
            return
        row = next((r for r in self.state.rows if r.path == path), None) if self.state else None
        suggested = f"{row.id}-{row.version}.xlsx" if row else "grille.xlsx"
        target = self.ask_save_path(suggested)
        if not target:
            return
        self._show_errors([])
        self._run(export, path, target, on_done=lambda written: self.message.setText(
            t("grids.export.done", path=str(written))))
