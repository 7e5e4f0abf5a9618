"""Benchmark: import 20 camera photos (12 MP JPEG) through the PhotosPanel; total time and event-loop stalls."""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image, ImageChops, ImageDraw  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer, qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.common import HEADER, report  # noqa: E402
from inspector.db.database import open_database  # noqa: E402
from inspector.db.models import Establishment  # noqa: E402
from inspector.services import photo_batch, visits  # noqa: E402

PHOTOS = 20
SIZE = (4000, 3000)
MAX_SIDE = 2048
RUNS = 3
TICK_MS = 5
SOURCE_DIR = Path(tempfile.gettempdir()) / "inspector-bench-photos-v1"


def camera_like(seed: int) -> bytes:
    """A 12 MP JPEG that compresses like a photo: smooth colour fields, hard edges, sensor noise (3–6 MB)."""
    rng = random.Random(seed)
    small = Image.new("RGB", (16, 12))
    small.putdata([tuple(rng.randint(60, 230) for _ in range(3)) for _ in range(16 * 12)])
    img = small.resize(SIZE, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(40):  # furniture, frames, tiles
        x, y = rng.randint(0, SIZE[0] - 100), rng.randint(0, SIZE[1] - 100)
        w, h = rng.randint(50, 900), rng.randint(50, 700)
        colour = tuple(rng.randint(20, 240) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle([x, y, x + w, y + h], outline=colour, width=rng.randint(2, 12))
        else:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
    for x in range(0, SIZE[0], 120):
        draw.line([(x, 0), (x, SIZE[1])], fill=(210, 210, 205), width=3)
    amplitude = 8 + seed % 15
    noise = Image.frombytes("L", SIZE, rng.randbytes(SIZE[0] * SIZE[1]))
    noise = noise.point(lambda v: 128 + (v - 128) * amplitude // 128)
    img = ImageChops.add(img, Image.merge("RGB", (noise, noise, noise)), 1, -128)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def source_photos() -> list[Path]:
    """The 20 photos, generated once into a temporary folder and reused by later runs (not timed)."""
    SOURCE_DIR.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(PHOTOS):
        path = SOURCE_DIR / f"IMG_{1000 + i}.jpg"
        if not path.exists():
            data = camera_like(i)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)
        files.append(path)
    return files


class _PaintWatch(QObject):
    """Counts paint events of the thumbnails view (a thumbnail is shown once the view has painted it)."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def one_import(app: QApplication, files: list[Path], workdir: Path) -> tuple[float, float, float]:
    """Seconds from the import call to the last thumbnail painted; longest gap and p99 gap between 5 ms ticks."""
    from ui.context import AppContext
    from ui.widgets.photos_panel import PhotosPanel

    data_dir = Path(tempfile.mkdtemp(dir=workdir))
    db = open_database(data_dir / "inspector.sqlite")
    with db.session() as s:
        est = Establishment(kind="meuble", name="Gîte du Bench", commune="Wimereux", capacity=4)
        s.add(est)
        s.commit()
        est_id = est.id
    visit_id = visits.create_visit(db, establishment_id=est_id, kind="classement", requested_category=3).value
    settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("photos/max_side", MAX_SIDE)
    ctx = AppContext(data_dir, settings)
    ctx.set_database(db)
    panel = PhotosPanel(ctx)
    panel.resize(900, 500)
    panel.show()
    panel.set_visit(visit_id, None, True)
    ctx.runner.wait_idle()
    app.processEvents()
    watch = _PaintWatch()
    panel.view.viewport().installEventFilter(watch)

    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    state: dict[str, float] = {}

    def check() -> None:
        model = panel.model
        if "ready" not in state:
            if not panel.importing and model.rowCount() == len(files) and model.thumbnails_pending() == 0:
                state["ready"] = watch.paints
                panel.view.viewport().update()
        elif watch.paints > state["ready"]:
            state["end"] = time.perf_counter()
            loop.quit()

    poll = QTimer()
    poll.setInterval(1)
    poll.timeout.connect(check)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(120_000)

    timer.start()
    poll.start()
    start = time.perf_counter()
    ticks.append(start)
    panel.import_files(files)
    loop.exec()
    timer.stop()
    poll.stop()
    end = state.get("end")
    if end is None:
        raise RuntimeError("the import did not finish within two minutes")
    ticks.append(end)
    gaps = sorted(b - a for a, b in zip(ticks, ticks[1:], strict=False))
    p99 = gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))]
    panel.close()
    panel.deleteLater()
    ctx.runner.wait_idle()
    app.processEvents()
    db.close()
    return end - start, gaps[-1], p99


def _quiet(mode: object, context: object, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's harmless notice
        print(message, file=sys.stderr)


def main() -> None:
    qInstallMessageHandler(_quiet)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    files = source_photos()
    sizes = [f.stat().st_size / 1e6 for f in files]
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as work:
        workdir = Path(work)
        one_import(app, files[:2], workdir)  # warm-up: imports, Qt plugins, SQLAlchemy mappers
        parallel = [one_import(app, files, workdir) for _ in range(RUNS)]
        workers = photo_batch.DECODE_WORKERS
        photo_batch.DECODE_WORKERS = 1
        try:
            serial = [one_import(app, files, workdir) for _ in range(RUNS)]
        finally:
            photo_batch.DECODE_WORKERS = workers
    print(f"{PHOTOS} JPEGs {SIZE[0]}×{SIZE[1]} ({min(sizes):.1f}–{max(sizes):.1f} MB), max_side {MAX_SIDE}, "
          f"{os.cpu_count()} cores, {RUNS} runs, event-loop ticks every {TICK_MS} ms")
    print()
    print(HEADER)
    name = f"import {PHOTOS} × 12 MP through PhotosPanel, start → last thumbnail shown"
    print(report(f"{name} ({workers} decode workers)", [r[0] for r in parallel], 5000))
    print(report("longest event-loop stall during the import", [r[1] for r in parallel], 100))
    print(report("p99 gap between 5 ms ticks during the import", [r[2] for r in parallel], 100))
    print(report(f"{name} (1 decode worker, for reference)", [r[0] for r in serial], 5000))
    print(report("longest event-loop stall (1 decode worker)", [r[1] for r in serial], 100))
    print()
    print("per run (s, stall ms, p99 ms):", ", ".join(f"{t:.2f} / {m * 1000:.0f} / {p * 1000:.1f}"
                                                      for t, m, p in parallel))
    print("median total", f"{statistics.median(r[0] for r in parallel):.2f} s")


if __name__ == "__main__":
    main()
