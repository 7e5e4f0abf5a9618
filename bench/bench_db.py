"""Benchmark: the laptop database at the scale of ten years of an agency (open, lists, one visit, one answer)."""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from bench.common import HEADER, measure, report  # noqa: E402
from bench.seed_db import seed_database  # noqa: E402
from inspector.db.database import Database, open_database  # noqa: E402
from inspector.db.models import Organisation  # noqa: E402
from inspector.services import queries, visits  # noqa: E402


def _subprocess_ms(code: str, runs: int = 5) -> float:
    """Median of what a fresh interpreter prints (milliseconds measured inside it)."""
    values = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                                   cwd=ROOT).stdout.strip()) for _ in range(runs)]
    return statistics.median(values)


def _info(name: str, ms: float, runs: int) -> str:
    return f"| {name} | {ms:.2f} ms | — | — | information | {runs} |"


def _plans(db: Database, fn: Callable[[], object]) -> list[str]:
    """SQLite's plan of every SELECT that `fn` runs, one line per statement."""
    captured: list[tuple[str, object]] = []

    def grab(_conn: object, _cursor: object, statement: str, parameters: object, _context: object,
             _many: bool) -> None:
        captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    plans = []
    with db.engine.connect() as conn:
        for statement, parameters in captured:
            if statement.lstrip().upper().startswith("SELECT"):
                steps = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
                plans.append(" / ".join(str(step[-1]) for step in steps))
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", help="folder for the temporary database (default: the system's temp folder)")
    parser.add_argument("--explain", action="store_true", help="print SQLite's query plans of the list queries")
    args = parser.parse_args()
    today = dt.date.today()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "inspector.sqlite"
        seeded = seed_database(path, today=today)
        size_mb = path.stat().st_size / 1e6
        print(f"Seeded {path.name} ({size_mb:.0f} MB) in {seeded.seconds:.1f} s: "
              + ", ".join(f"{n} {table}" for table, n in seeded.counts.items()))
        print()
        rows: list[str] = [HEADER]

        # (a) open the seeded file and run a first trivial query (the app's start, modules already imported)
        def open_and_query() -> None:
            db = open_database(path)
            with db.session() as s:
                s.scalar(select(Organisation.name).limit(1))
            db.close()

        rows.append(report("open database + first query (modules imported)", measure(open_and_query, runs=30), 200))
        rows.append(_info("first `import sqlalchemy.orm` in a fresh interpreter", _subprocess_ms(
            "import time; t = time.perf_counter(); import sqlalchemy.orm; "
            "print((time.perf_counter() - t) * 1000)"), 5))
        rows.append(_info("fresh interpreter: import inspector db + queries, open, first query", _subprocess_ms(
            "import time; t = time.perf_counter(); from sqlalchemy import select; "
            "from inspector.db.database import open_database; from inspector.db.models import Organisation; "
            "import inspector.services.queries; "
            f"db = open_database({str(path)!r}); s = db.session(); s.scalar(select(Organisation.name).limit(1)); "
            "print((time.perf_counter() - t) * 1000)"), 5))

        # (b) the lists of the visits screen
        db = open_database(path)
        try:
            lists: list[tuple[str, Callable[[], object]]] = [
                ("list_visits(states=acquired), first 200", lambda: queries.list_visits(
                    db, today=today, states=("acquired",))),
                ("list_visits(search=\"wimereux\")", lambda: queries.list_visits(db, today=today, search="wimereux")),
                (f"list_visits(search=\"{seeded.owner_surname}\") (owner)", lambda: queries.list_visits(
                    db, today=today, search=seeded.owner_surname)),
                ("list_visits(search=\"62893\") (INSEE code)", lambda: queries.list_visits(
                    db, today=today, search="62893")),
                ("reports_due", lambda: queries.reports_due(db, today=today)),
                ("renewals_due(months=6)", lambda: queries.renewals_due(db, today=today, months=6)),
                ("refusal_windows_open", lambda: queries.refusal_windows_open(db, today=today)),
                ("todays_visits + planned_visits(60 days)", lambda: (queries.todays_visits(db, today=today),
                                                                     queries.planned_visits(db, today=today))),
                ("counts_by_state", lambda: queries.counts_by_state(db)),
            ]
            for name, fn in lists:
                rows.append(report(name, measure(fn, runs=30), 50))

            # (c) open one visit with its answers, last time's answers, measurements and photos
            detail = queries.visit_detail(db, seeded.renewal_visit, today=today)
            rows.append(report(f"visit_detail (renewal: {len(detail.answers)} answers, {len(detail.previous)} "
                               f"previous, {len(detail.photos)} photos)",
                               measure(lambda: queries.visit_detail(db, seeded.renewal_visit, today=today), runs=50),
                               30))

            # (d) one answer, committed durably (synchronous=FULL, WAL) on an in-progress visit
            codes = ("3", "4", "5", "8", "9", "10", "11", "12", "13", "14")
            state = {"i": 0}

            def answer() -> None:
                i = state["i"]
                state["i"] += 1
                visits.record_answer(db, visit_id=seeded.in_progress_visit, criterion=codes[i % len(codes)],
                                     value="yes" if i % 2 else "no")

            rows.append(report("record_answer (durable commit)", measure(answer, runs=200, warmup=5), 10))
            if args.explain:
                print("Query plans of the list queries (EXPLAIN QUERY PLAN of the statements they run):")
                for name, fn in lists:
                    for sql in _plans(db, fn):
                        print(f"- {name}: {sql}")
                print()
        finally:
            db.close()
        print("\n".join(rows))


if __name__ == "__main__":
    main()
