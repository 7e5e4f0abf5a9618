"""Render the main screens with the demo agency to docs/screenshots/*.png (`python -m ui.screenshots`)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

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
        from .screens.exports_dialog import ExportsDialog

        exports = ExportsDialog(ctx, window, monthly=True, today=TODAY)  # the month-end table for the CDT
        exports.show()
        app.processEvents()
        exports.grab().save(str(OUT / "exports-monthly.png"))
        exports.close()
        # The agency's dashboard (year against targets, classified meublés, labels, deadlines).
        window.dashboard.today = TODAY
        window.show_dashboard()
        for _ in range(3):
            ctx.runner.wait_idle()
            app.processEvents()
        window.grab().save(str(OUT / "dashboard.png"))
        _commission_shots(app, ctx, window, db)
        window.close()
        db.close()
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


def _commission_shots(app: Any, ctx: Any, window: Any, db: Any) -> None:
    """The commission workspace: a session of the demo agency with its agenda, then the S4 dossier."""
    from sqlalchemy import select

    from inspector.db.models import User, Visit
    from inspector.services import commission, visits

    with db.session() as s:
        ctx.user_id = s.scalar(select(User.id).where(User.role == "commission").limit(1))
        waiting = s.scalars(select(Visit.id).where(Visit.kind == "chambre_hotes_reference",
                                                   Visit.state == "completed")).all()
    for vid in waiting:
        visits.submit_visit(db, visit_id=vid)
    members = [{"name": "Élise Fontaine", "body": "Pas-de-Calais Tourisme", "college": "tourism", "present": True},
               {"name": "Marc Hennebelle", "body": "APF France handicap (fictive)", "college": "disability",
                "present": True},
               {"name": "Louise Carpentier", "body": "UNAFAM 62 (fictive)", "college": "disability", "present": False},
               {"name": "Hervé Dubois", "body": "DDETS du Pas-de-Calais (fictive)", "college": "state",
                "present": True},
               {"name": "Sandrine Lefebvre", "body": "Office de tourisme d'Arras (fictive)", "college": "tourism",
                "present": True}]
    sid = commission.create_session(db, held_on=TODAY, place="Maison du département, Arras", chair="Élise Fontaine",
                                    members=members).value
    commission.build_agenda(db, session_id=sid)
    for item in commission.agenda(db, sid):
        if item.label == "chambre_hotes_reference":
            commission.decide_item(db, item_id=item.id, outcome="granted")
    window.commission.today = TODAY
    window.show_commission()
    for _ in range(3):
        ctx.runner.wait_idle()
        app.processEvents()
    window.grab().save(str(OUT / "commission.png"))
    screen = window.commission
    s4 = next((i for i in screen.agenda_model.items() if i.label == "tourisme_handicap"), None)
    if s4 is not None:
        view = screen.open_dossier(s4.id)
        for _ in range(3):
            ctx.runner.wait_idle()
            app.processEvents()
        if any(r.code == "moteur" for r in view.rows):
            view.row("moteur").reason.setText("Porte d'entrée de 72 cm de passage utile (77 cm exigés).")
            view.row("moteur").reason.setCursorPosition(0)
        app.processEvents()
        window.grab().save(str(OUT / "commission-dossier.png"))
    screen.show_session()


if __name__ == "__main__":
    sys.exit(main())
