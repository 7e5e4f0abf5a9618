"""Benchmark: lay out the certificat de visite of a 133-criterion visit with 40 photos from 12 MP originals.

A completed demo visit gets a new revision (photos cannot be added to a completed visit), 40 camera-like JPEGs of
4000×3000 (3–6 MB, the cache of `bench_photos.py`, extended) are imported at full size (`max_side=None`), the
revision is completed, then `documents.render` is timed with and without the photos. `--profile` adds the top of a
cProfile of one render with photos. The last rows time the same render with ReportLab's ASCII85 image encoding off
(`rl_config.useA85 = 0`, pure Python without the optional `rl_accel` C extension): information for the fix.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import HEADER, measure, report  # noqa: E402
from inspector.db.database import open_database  # noqa: E402
from inspector.demo_data import build_demo_database  # noqa: E402
from inspector.reports import blocks  # noqa: E402
from inspector.services import documents, photos, queries, visits  # noqa: E402
from inspector.services.common import pinned_grid  # noqa: E402

PHOTOS = 40
SIZE = (4000, 3000)
TARGET_PHOTOS_MS = 3000
TARGET_PLAIN_MS = 500
TARGET_SIZE_MB = 10
RUNS_PHOTOS = 5
RUNS_PLAIN = 15
SOURCE_DIR = Path(tempfile.gettempdir()) / "inspector-bench-photos-v1"  # shared with bench_photos.py
CAPTIONS = ("Séjour, vue d'ensemble", "Cuisine : plaques et four", "Salle d'eau", "Chambre 1, literie",
            "Rangements", "Extérieur et accès", "Détecteur de fumée", "Tableau électrique")


def source_photos(count: int) -> list[Path]:
    """IMG_1000… generated once (seeds 0…count-1, as bench_photos.py does for the first 20) and reused."""
    from bench.bench_photos import camera_like  # the same generator, so both benchmarks share the files

    SOURCE_DIR.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(count):
        path = SOURCE_DIR / f"IMG_{1000 + i}.jpg"
        if not path.exists():
            tmp = path.with_suffix(".part")
            tmp.write_bytes(camera_like(i))
            tmp.replace(path)
        files.append(path)
    return files


def prepare(folder: Path, files: list[Path], today: dt.date) -> tuple[object, str, str, int, int, list[int]]:
    """The demo agency, a completed classement revised with 40 full-size photos, completed again.

    Returns the database, the visit with photos, the same visit without photos (the revision it replaces), the
    number of criteria of the grid and of answers, and the sizes of the stored photos.
    """
    db = open_database(folder / "inspector.sqlite")
    build_demo_database(db, today=today)
    rows = [r for r in queries.list_visits(db, today=today, states=("completed",), kind="classement")
            if visits.score_visit(db, r.id).categories[str(r.requested_category)].classable]
    plain = rows[0].id
    revised = visits.open_revision(db, visit_id=plain, reason="Banc d'essai : 40 photos").value
    detail = queries.visit_detail(db, revised)
    codes = [c.code for c in pinned_grid(detail.grid_id, detail.grid_version, detail.grid_sha256).criteria]
    stored = []
    for i, path in enumerate(files):
        info = photos.import_photo(db, visit_id=revised, source=path, caption=CAPTIONS[i % len(CAPTIONS)],
                                   criterion=codes[(i * 3) % len(codes)] if i % 4 else "", max_side=None).value
        stored.append(info.path.stat().st_size)
    visits.complete_visit(db, visit_id=revised)
    criteria = len([c for c in codes if c != "PRQ"])
    return db, revised, plain, criteria, len(visits.answers_of(db, revised)), stored


def main() -> None:
    profile = "--profile" in sys.argv
    today = dt.date.today()
    started = time.perf_counter()
    files = source_photos(PHOTOS)
    sizes = [f.stat().st_size / 1e6 for f in files]
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="inspector-bench-reports-") as work:
        db, with_photos, without, criteria, answered, stored = prepare(Path(work), files, today)
        pdf = documents.render(db, with_photos, "certificat", issued_on=today)
        plain_pdf = documents.render(db, without, "certificat", issued_on=today)
        cache = db.path.parent / "cache"

        def cold() -> None:  # first render of a visit: every photo recompressed
            shutil.rmtree(cache, ignore_errors=True)
            documents.render(db, with_photos, "certificat", issued_on=today)

        photos_times = measure(cold, runs=RUNS_PHOTOS, warmup=1)
        warm_times = measure(lambda: documents.render(db, with_photos, "certificat", issued_on=today),
                             runs=RUNS_PHOTOS, warmup=1)
        plain_times = measure(lambda: documents.render(db, without, "certificat", issued_on=today),
                              runs=RUNS_PLAIN, warmup=2)
        shutil.rmtree(cache, ignore_errors=True)
        prepared = _photo_prep_times(db, with_photos)
        shutil.rmtree(cache, ignore_errors=True)
        annex = _annex_times(db, with_photos)
        if profile:
            prof = cProfile.Profile()
            prof.enable()
            documents.render(db, with_photos, "certificat", issued_on=today)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
        db.close()
    size_mb = len(pdf) / 1e6
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{PHOTOS} JPEGs {SIZE[0]}×{SIZE[1]} ({min(sizes):.1f}–{max(sizes):.1f} MB, stored at full size "
          f"{min(stored) / 1e6:.1f}–{max(stored) / 1e6:.1f} MB), grid of {criteria} criteria ({answered} answers), "
          f"{os.cpu_count()} cores (load {load:.1f}); annex: ≤ {blocks.PHOTO_MAX_SIDE} px, JPEG "
          f"q{blocks.PHOTO_QUALITY}, 2 threads{f'; photos generated in {generated:.0f} s' if generated > 1 else ''}")
    print()
    print(HEADER)
    print(report(f"render certificat, {criteria} criteria, {PHOTOS} photos 12 MP", photos_times, TARGET_PHOTOS_MS))
    print(report(f"render certificat, {criteria} criteria, no photo", plain_times, TARGET_PLAIN_MS))
    print(_info(report(f"of which: annex photos recompressed ({PHOTOS}, 2 threads)", annex, 1)))
    print(_info(report("of which: one 12 MP photo recompressed (1 thread)", prepared, 1)))
    print(report(f"render again (preview then issue: recompressed photos cached), {PHOTOS} photos", warm_times,
                 TARGET_PHOTOS_MS))
    print()
    print("| document | size | target | verdict |\n|---|---|---|---|")
    print(f"| certificat with {PHOTOS} photos | {size_mb:.2f} MB | ≤ {TARGET_SIZE_MB} MB | "
          f"{'ok' if size_mb <= TARGET_SIZE_MB else 'OVER TARGET'} |")
    print(f"| certificat without photo | {len(plain_pdf) / 1e6:.2f} MB | — | — |")
    print()
    print("per run with photos (s):", ", ".join(f"{x:.2f}" for x in photos_times),
          f"— median {statistics.median(photos_times):.2f} s")
    if profile:
        print()
        print(out.getvalue())


def _info(row: str) -> str:
    """A report() row without target or verdict (a breakdown, not a goal)."""
    cells = row.split(" | ")
    cells[3], cells[4] = "—", "information"
    return " | ".join(cells)


def _annex_times(db: object, visit_id: str) -> list[float]:
    """The photo annex alone (recompression in the thread pool and flowables), as photo_annex does it."""
    from inspector.reports.base import A4
    from inspector.reports.data import collect

    refs = collect(db, visit_id).photos
    return measure(lambda: blocks.photo_annex(refs, A4[0] - 30 * 2.8346), runs=3, warmup=1)


def _photo_prep_times(db: object, visit_id: str) -> list[float]:
    from inspector.reports.data import collect

    refs = collect(db, visit_id).photos[:5]
    times = []
    for ref in refs:
        start = time.perf_counter()
        blocks._prepare_photo(ref)
        times.append(time.perf_counter() - start)
    return times


if __name__ == "__main__":
    main()
