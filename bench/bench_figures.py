"""Benchmark: the agency's figures on the ten-year database (with its label work): service, screen, yearly PDF.

Seeds `bench/seed_db.py` with `labels=True` (1,500 meublés, 2,500 meublé visits, ~750 label visits, ~640 label
decisions), then times `compute_figures` for the current year and a past one, the dashboard's refresh through the
task runner (offscreen Qt: compute on a worker, then the cards, charts and lists), and `write_key_figures`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import HEADER, measure, report  # noqa: E402
from bench.seed_db import seed_database  # noqa: E402
from inspector.db.database import open_database  # noqa: E402
from inspector.figures.counts import compute_figures  # noqa: E402
from inspector.reports.key_figures import write_key_figures  # noqa: E402

TODAY = dt.date(2026, 11, 25)
TARGET_FIGURES_MS = 300
TARGET_PDF_MS = 3000


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeded = seed_database(folder / "inspector.sqlite", today=TODAY, labels=True)
        print(f"seeded in {seeded.seconds:.1f} s: {seeded.counts}")
        db = open_database(folder / "inspector.sqlite")
        f = compute_figures(db, year=TODAY.year, today=TODAY)
        print(f"{TODAY.year}: meublés {f.meubles_visits}, T&H {f.th_visits}, new AV {f.new_accueil_velo}, "
              f"classified {f.classified_total}, renewals 12 months {f.renewals_next_12_months}")
        rows = [
            report("compute_figures(current year)", measure(
                lambda: compute_figures(db, year=TODAY.year, today=TODAY), 30), TARGET_FIGURES_MS),
            report("compute_figures(2019, a past year)", measure(
                lambda: compute_figures(db, year=2019, today=TODAY), 30), TARGET_FIGURES_MS),
        ]
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from ui.context import AppContext
        from ui.screens.dashboard_screen import DashboardScreen

        app = QApplication.instance() or QApplication(sys.argv[:1])
        ctx = AppContext(folder, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
        ctx.set_database(db)
        screen = DashboardScreen(ctx)
        screen.resize(1400, 900)
        screen.show()
        screen.today = TODAY
        ctx.runner.wait_idle()

        def refresh() -> None:
            screen.refresh()
            ctx.runner.wait_idle()
            app.processEvents()

        rows.append(report("dashboard refresh (worker compute + cards, charts, lists)", measure(refresh, 20),
                           TARGET_FIGURES_MS))
        out = folder / "cc.pdf"
        rows.append(report("yearly key-figures PDF (compute + layout + write)", measure(
            lambda: write_key_figures(db, year=TODAY.year, today=TODAY, out=out), 10, warmup=1), TARGET_PDF_MS))
        print(f"PDF: {out.stat().st_size / 1024:.0f} KiB")
        screen.close()
        db.close()
    print(HEADER)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
