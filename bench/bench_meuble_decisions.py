"""Benchmark: meublé decisions on ten years of an agency (acquisition at app start, renewals, the list)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, update  # noqa: E402

from bench.common import HEADER, measure, report  # noqa: E402
from bench.seed_db import seed_database  # noqa: E402
from inspector.db.database import open_database  # noqa: E402
from inspector.db.models import Visit  # noqa: E402
from inspector.services import meuble_decisions, queries  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    today = dt.date(2026, 11, 25)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inspector.sqlite"
        seed_database(path, today=today, observations_per_visit=10, photos=0)
        db = open_database(path)
        rows = [HEADER]
        rows.append(report("acquire_due, nothing due (app start)",
                           measure(lambda: meuble_decisions.acquire_due(db, today=today), args.runs), 50))
        rows.append(report("renewals_due(months=6)",
                           measure(lambda: queries.renewals_due(db, today=today, months=6), args.runs), 100))
        rows.append(report("meuble_decisions(one month)",
                           measure(lambda: meuble_decisions.meuble_decisions(
                               db, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)), args.runs), 100))
        rows.append(report("meuble_decisions(one year)",
                           measure(lambda: meuble_decisions.meuble_decisions(
                               db, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)), args.runs), 300))
        with db.session() as s:  # 50 issued classements (the seeder proposes none) received 20 days ago: all due
            ids = s.scalars(select(Visit.id).where(Visit.state == "issued", Visit.superseded.is_(False),
                                                   Visit.kind.in_(("classement", "renouvellement"))).limit(50)).all()
            s.execute(update(Visit).where(Visit.id.in_(ids)).values(received_on=today - dt.timedelta(days=20),
                                                                   proposed_category=Visit.requested_category))
            s.commit()
        start = time.perf_counter()
        acquired = meuble_decisions.acquire_due(db, today=today).value
        ms = (time.perf_counter() - start) * 1000
        rows.append(f"| acquire_due, {len(acquired)} due (one run) | {ms:.2f} ms | — | — | information | 1 |")
        db.close()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
