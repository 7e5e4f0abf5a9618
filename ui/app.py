"""Start the desktop app: show the window at once, open (or create the demo) database in the background."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _open(data_dir: Path, demo: bool):
    """Worker side: open the database; on an empty demo folder, build the demo agency first."""
    import datetime as dt

    from inspector.db.database import open_database
    from inspector.grids.registry import add_grid_dir
    from inspector.paths import backups_dir, database_path

    add_grid_dir(data_dir / "grids")  # grid versions received by sync
    db = open_database(database_path(data_dir), backup_dir=backups_dir(data_dir))
    if demo:
        from inspector.demo_data import ensure_demo_database

        ensure_demo_database(db, today=dt.date.today())
    return db


def acquire_due_classements(ctx, today=None) -> int | None:
    """Background, once the database is open: acquire the classements whose 15-day refusal window closed (the 16th
    day without refusal); screens refresh through ctx.notify and the status bar says how many. Returns the task id.

    Not on a laptop synced with a commission account: the visiting body acquires (its inspectors' and
    administrators' laptops make the same acquisition rows); the commission receives them by sync and may not send
    a meublé's state change (it would be refused on every sync)."""
    import datetime as dt

    if str(ctx.settings.value("sync/role", "") or "") == "commission":
        return None

    from inspector.services.meuble_decisions import acquire_due

    from .strings import t

    def done(result) -> None:
        ctx.notify(result.changed)
        if result.value:
            ctx.message.emit(t("mdec.acquired_at_start", n=len(result.value)), 10000)

    def failed(exc: Exception) -> None:
        ctx.message.emit(t("mdec.refresh_failed", error=exc), 10000)

    return ctx.runner.run(acquire_due, ctx.db, today=today or dt.date.today(), user_id=ctx.user_id, on_done=done,
                          on_error=failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inspector-app", description="Inspector — application de bureau")
    parser.add_argument("--data-dir", help="dossier des données")
    parser.add_argument("--demo", action="store_true", help="créer la base de démonstration si le dossier est vide")
    parser.add_argument("--settings", help="fichier de réglages (tests, démonstrations)")
    parser.add_argument("--quit-after-load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Inspector")
    app.setOrganizationName("Inspector")
    settings = QSettings(args.settings, QSettings.Format.IniFormat) if args.settings else QSettings()
    from inspector.paths import data_dir

    folder = data_dir(args.data_dir or settings.value("data/dir") or None)

    from .context import AppContext
    from .main_window import MainWindow

    ctx = AppContext(folder, settings)
    window = MainWindow(ctx)
    window.show()
    window.statusBar().showMessage(f"{folder} — ouverture…")

    def ready(db) -> None:
        ctx.set_database(db)
        window.statusBar().showMessage(f"{db.path}", 5000)
        acquire_due_classements(ctx)  # the 16th day: classements acquired while the app was closed
        if args.quit_after_load:  # benchmarks: quit once the first lists have loaded
            QTimer.singleShot(0, lambda: (ctx.runner.wait_idle(), app.processEvents(), app.quit()))

    def failed(exc: Exception) -> None:
        text = f"La base de données ne peut pas être ouverte :\n\n{exc}"
        if args.quit_after_load:  # unattended (tests, benchmarks): no dialog, a message and exit code 2
            print(text, file=sys.stderr)
            app.exit(2)
            return
        QMessageBox.critical(window, "Inspector", text)
        window.statusBar().showMessage(str(exc))

    ctx.runner.run(_open, folder, args.demo, on_done=ready, on_error=failed)
    code = app.exec()
    if ctx.db is not None:
        ctx.db.close()
    return code


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM", ""))
    sys.exit(main())
