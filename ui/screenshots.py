"""Render the main screens with the demo agency to docs/screenshots/*.png (`python -m ui.screenshots`)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
TODAY = dt.date(2026, 11, 25)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from inspector.db.database import open_database
    from inspector.demo_data import build_demo_database
    from inspector.services import queries

    from .context import AppContext
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_database(folder / "inspector.sqlite")
        build_demo_database(db, today=TODAY)
        ctx = AppContext(folder, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
        window = MainWindow(ctx)
        window.visits.today = TODAY
        window.resize(1400, 860)
        window.show()
        ctx.set_database(db)
        ctx.runner.wait_idle()
        app.processEvents()
        window.grab().save(str(OUT / "visits.png"))
        visit = queries.list_visits(db, today=TODAY, search="Dufour", states=("planned",))[0].id
        window.open_visit(visit)
        ctx.runner.wait_idle()
        for _ in range(40):
            QTest.keyClick(window.editor.tree, Qt.Key.Key_O)
        QTest.keyClick(window.editor.tree, Qt.Key.Key_N)
        window.editor.go_to("41")
        app.processEvents()
        window.grab().save(str(OUT / "visit-editor.png"))
        window.editor.side.setCurrentIndex(1)
        app.processEvents()
        window.grab().save(str(OUT / "visit-context.png"))
        ctx.set_language("en")
        window.editor.side.setCurrentIndex(0)
        app.processEvents()
        window.grab().save(str(OUT / "visit-editor-en.png"))
        ctx.set_language("fr")
        from .widgets.surfaces_dialog import SurfacesDialog

        s1 = __import__("inspector.demo", fromlist=["s1_wimereux_studio"]).s1_wimereux_studio()
        dialog = SurfacesDialog(window.editor.grid, s1["surfaces"], True, window)
        dialog.show()
        app.processEvents()
        dialog.grab().save(str(OUT / "surfaces.png"))
        dialog.close()
        from .screens.documents_dialog import DocumentsDialog

        issued = queries.list_visits(db, today=TODAY, states=("issued",))[0].id
        documents = DocumentsDialog(ctx, issued, window, today=TODAY)
        documents.resize(900, 620)
        documents.show()
        ctx.runner.wait_idle()
        app.processEvents()
        documents.grab().save(str(OUT / "documents.png"))
        documents.close()
        # Labels: the T&H dossier of scenario S4 (submitted) and the Accueil Vélo audit of S5 (prerequisites).
        for search, shot, tab, code in (("Beffroi", "label-th.png", 0, "CB06"), ("Beffroi", "label-th-record.png", 2,
                                                                                 None),
                                        ("Oyats", "label-av-prerequisites.png", 3, None)):
            row = next(r for r in queries.list_visits(db, today=TODAY, search=search)
                       if r.kind in ("th_primo", "accueil_velo"))
            window.open_visit(row.id)
            ctx.runner.wait_idle()
            app.processEvents()
            ctx.runner.wait_idle()
            if code:
                window.editor.go_to(code)
            window.editor.side.setCurrentIndex(tab)
            app.processEvents()
            window.grab().save(str(OUT / shot))
        from .screens.grids_dialog import GridsDialog

        grids = GridsDialog(ctx, window)
        grids.resize(900, 520)
        grids.show()
        for _ in range(3):
            ctx.runner.wait_idle()
            app.processEvents()
        grids.grab().save(str(OUT / "grids.png"))
        grids.close()
        window.close()
        db.close()
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
