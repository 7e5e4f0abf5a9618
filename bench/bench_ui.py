"""Benchmark the desktop app: cold start on the demo database, answer key to saved + result, switching criteria."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import HEADER, measure, report  # noqa: E402


def build_demo(folder: Path) -> Path:
    from inspector.db.database import open_database
    from inspector.demo_data import build_demo_database

    db = open_database(folder / "inspector.sqlite")
    build_demo_database(db, today=dt.date.today())
    db.close()
    return folder


def cold_start(demo: Path, work: Path) -> list[float]:
    """Whole process: interpreter, Qt, window shown, database opened off the UI thread, lists loaded, quit."""
    times = []
    for i in range(7):
        data = work / f"run{i}"
        shutil.copytree(demo, data)
        cmd = [sys.executable, "-m", "ui", "--data-dir", str(data), "--settings", str(work / f"s{i}.ini"),
               "--quit-after-load"]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
    return times[1:]  # the first run warms the disk cache


def in_process(demo: Path) -> tuple[list[float], list[float]]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from inspector.db.database import open_database
    from inspector.services import queries
    from ui.context import AppContext
    from ui.screens.visit_editor import VisitEditor

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(demo, QSettings(str(demo / "bench.ini"), QSettings.Format.IniFormat))
    ctx.set_database(open_database(demo / "inspector.sqlite"))
    editor = VisitEditor(ctx)
    editor.resize(1400, 860)
    editor.show()
    visit = queries.list_visits(ctx.db, search="Dufour", states=("planned",))[0].id
    editor.open_visit(visit)
    ctx.runner.wait_idle()
    app.processEvents()

    def answer() -> None:
        QTest.keyClick(editor.tree, Qt.Key.Key_O)
        app.processEvents()

    answer_times = []
    for _ in range(60):
        if editor.next_unanswered(None) is None:
            break
        start = time.perf_counter()
        answer()
        answer_times.append(time.perf_counter() - start)
    codes = editor.model.codes()
    position = iter(range(10**6))

    def switch() -> None:
        editor.go_to(codes[next(position) % len(codes)])
        app.processEvents()

    switch_times = measure(switch, runs=200)
    ctx.db.close()
    return answer_times, switch_times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = build_demo(work / "demo")
        starts = cold_start(demo, work)
        answers, switches = in_process(demo)
    print(HEADER)
    print(report("cold start to the visit list on the demo database (whole process, offscreen)", starts, 1500))
    print(report("answer key → saved durably, tree, pane and result panel updated", answers, 30))
    print(report("switching criteria (pane refreshed)", switches, 16))


if __name__ == "__main__":
    main()
