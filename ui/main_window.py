"""The main window: only layout and wiring of the screens, menus, status bar and window state."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QStackedWidget

from .context import AppContext
from .screens.sync_dialog import SyncController, SyncDialog, SyncStatusButton
from .screens.visit_editor import VisitEditor
from .strings import t


class MainWindow(QMainWindow):
    """Visits list and visit editor in a stack; the database opens in the background after the window shows."""

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        from .screens.visits_screen import VisitsScreen

        self.visits = VisitsScreen(ctx)
        self.editor = VisitEditor(ctx)
        self.stack.addWidget(self.visits)
        self.stack.addWidget(self.editor)
        self.visits.open_visit.connect(self.open_visit)
        self.editor.back_requested.connect(self.show_visits)
        from .screens.commission_screen import CommissionScreen

        self.commission = CommissionScreen(ctx)
        self.stack.addWidget(self.commission)
        from .screens.dashboard_screen import DashboardScreen

        self.dashboard = DashboardScreen(ctx)
        self.stack.addWidget(self.dashboard)
        self.dashboard.open_visit.connect(self.open_visit)
        self.status_text = QLabel()
        self.busy = QProgressBar()
        self.busy.setMaximumWidth(160)
        self.busy.setVisible(False)
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.busy)
        self.sync = SyncController(ctx, self)  # sync in the background; status « n en attente · dernière synchro »
        self.sync_status = SyncStatusButton(self.sync)
        self.sync_status.clicked.connect(self.open_sync)
        self.statusBar().addPermanentWidget(self.sync_status)
        self._sync_dialog: SyncDialog | None = None
        ctx.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        ctx.runner.busy_changed.connect(self._busy)
        ctx.runner.progress.connect(self._progress)
        ctx.language_changed.connect(lambda _l: self.retranslate())
        self._menus()
        self.retranslate()
        geometry = ctx.settings.value("ui/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1366, 820)

    def _menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.settings_action = QAction(self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.settings_action)
        self.grids_action = QAction(self)
        self.grids_action.triggered.connect(self.open_grids)
        self.file_menu.addAction(self.grids_action)
        self.export_action = QAction(self)
        self.export_action.triggered.connect(lambda: self.open_exports(monthly=False))
        self.monthly_export_action = QAction(self)
        self.monthly_export_action.triggered.connect(lambda: self.open_exports(monthly=True))
        self.file_menu.addAction(self.export_action)
        self.file_menu.addAction(self.monthly_export_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.view_menu = bar.addMenu("")
        self.visits_action = QAction(self)
        self.visits_action.setShortcut(QKeySequence("Ctrl+1"))
        self.visits_action.triggered.connect(self.show_visits)
        self.view_menu.addAction(self.visits_action)
        self.dashboard_action = QAction(self)
        self.dashboard_action.setShortcut(QKeySequence("Ctrl+2"))
        self.dashboard_action.triggered.connect(self.show_dashboard)
        self.view_menu.addAction(self.dashboard_action)
        self.commission_action = QAction(self)
        self.commission_action.setShortcut(QKeySequence("Ctrl+3"))
        self.commission_action.triggered.connect(self.show_commission)
        self.view_menu.addAction(self.commission_action)
        self.visit_menu = bar.addMenu("")
        self.undo_action = QAction(self)
        self.undo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.undo_action.triggered.connect(self.editor.undo)
        self.visit_menu.addAction(self.undo_action)
        self.sync_menu = bar.addMenu("")
        self.sync_action = QAction(self)
        self.sync_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.sync_action.triggered.connect(self.sync_now)
        self.sync_dialog_action = QAction(self)
        self.sync_dialog_action.triggered.connect(self.open_sync)
        self.sync_menu.addAction(self.sync_action)
        self.sync_menu.addAction(self.sync_dialog_action)

    def retranslate(self) -> None:
        self.setWindowTitle(t("app.title"))
        self.file_menu.setTitle(t("menu.file"))
        self.view_menu.setTitle(t("menu.view"))
        self.visit_menu.setTitle(t("menu.visit"))
        self.settings_action.setText(t("menu.settings"))
        self.grids_action.setText(t("menu.grids"))
        self.export_action.setText(t("menu.export"))
        self.monthly_export_action.setText(t("menu.export.monthly"))
        self.quit_action.setText(t("menu.quit"))
        self.visits_action.setText(t("menu.visits"))
        self.dashboard_action.setText(t("menu.dashboard"))
        self.commission_action.setText(t("menu.commission"))
        self.undo_action.setText(t("menu.undo") + " (Ctrl+Z)")
        self.sync_menu.setTitle(t("menu.sync"))
        self.sync_action.setText(t("menu.sync.now"))
        self.sync_dialog_action.setText(t("menu.sync.dialog"))

    def open_visit(self, visit_id: str) -> None:
        self.stack.setCurrentWidget(self.editor)
        self.editor.open_visit(visit_id)

    def show_visits(self) -> None:
        self.stack.setCurrentWidget(self.visits)
        self.visits.refresh()
        self.visits.setFocus()

    def show_dashboard(self) -> None:
        """The agency's figures of the year against its targets (refreshed when shown after a change)."""
        self.stack.setCurrentWidget(self.dashboard)
        self.dashboard.setFocus()

    def show_commission(self) -> None:
        """The commission workspace (sessions, agenda, dossiers, minutes, letters)."""
        self.stack.setCurrentWidget(self.commission)
        self.commission.show_session()
        self.commission.refresh()

    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        SettingsDialog(self.ctx, self).exec()

    def open_exports(self, *, monthly: bool = False) -> None:
        """« Exporter… » (choose the table) or « Tableau mensuel des décisions… » (last month, ready to write)."""
        from .screens.exports_dialog import ExportsDialog

        ExportsDialog(self.ctx, self, monthly=monthly).exec()

    def open_grids(self) -> None:
        from .screens.grids_dialog import GridsDialog

        GridsDialog(self.ctx, self).exec()

    def open_sync(self) -> SyncDialog:
        """The sync dialog (first connection when no server is configured); modeless, one per window."""
        if self._sync_dialog is None:
            self._sync_dialog = SyncDialog(self.ctx, self.sync, self)
        self._sync_dialog.show()
        self._sync_dialog.raise_()
        self._sync_dialog.activateWindow()
        return self._sync_dialog

    def sync_now(self) -> None:
        """Ctrl+Shift+S: sync in the background, or sign in first."""
        if not self.sync.configured:
            self.open_sync().server_edit.setFocus()
            return
        self.sync.sync_now()

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        if busy:
            self.busy.setRange(0, 0)

    def _progress(self, label: str, done: int, total: int) -> None:
        if total:
            self.busy.setRange(0, total)
            self.busy.setValue(done)
        self.status_text.setText(label)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.ctx.settings.setValue("ui/geometry", self.saveGeometry())
        self.ctx.runner.wait_idle(10)
        event.accept()

