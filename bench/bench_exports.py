"""Benchmark: the monthly table of definitive decisions (query + XLSX write) on the ten-year agency database.

`bench/seed_db.py` makes ~2,500 visits and one `Decision` row per acquired or refused classement (numbers empty:
the export computes them). Timed: the seed's busiest month of acquisitions, then the same month after this script
adds 500 acquired decisions to it (a very busy month for one agency), each as query + XLSX file and query + CSV
file; for information, the general exports of every visit and every decision.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.common import HEADER, measure, report  # noqa: E402
from bench.seed_db import seed_database  # noqa: E402
from inspector.db.database import open_database  # noqa: E402
from inspector.db.models import Decision, Visit  # noqa: E402
from inspector.exports import export_dataset, export_monthly, parse_month  # noqa: E402

TARGET_MONTHLY_MS = 1000
TARGET_GENERAL_MS = 3000
EXTRA = 500


def busiest_month(db) -> tuple[str, int]:
    month = func.strftime("%Y-%m", Decision.decided_on)
    with db.session() as s:
        key, count = s.execute(select(month, func.count()).where(Decision.subject == "meuble_category",
                                                                Decision.status == "acquired")
                               .group_by(month).order_by(func.count().desc(), month.desc()).limit(1)).one()
    return key, count


def add_acquisitions(db, month: str, count: int, seed: int = 7) -> None:
    """`count` more acquired classements in `month`, on acquired visits of the seed (Core insert, one transaction)."""
    rng = random.Random(seed)
    period = parse_month(month)
    with db.session() as s:
        pairs = s.execute(select(Visit.id, Visit.establishment_id).where(Visit.state == "acquired")).all()
    now = dt.datetime.combine(period.end, dt.time(12))
    rows = []
    for i in range(count):
        visit_id, est_id = rng.choice(pairs)
        day = period.start + dt.timedelta(days=rng.randint(0, (period.end - period.start).days))
        rows.append({"id": f"bench-{i:05d}-{rng.getrandbits(64):016x}"[:36], "created_at": now, "modified_at": now,
                     "row_version": 1, "pending_sync": False, "visit_id": visit_id, "establishment_id": est_id,
                     "subject": "meuble_category", "status": "acquired", "category": rng.randint(1, 5),
                     "families": [], "decided_on": day, "valid_until": day.replace(year=day.year + 5),
                     "number": "" if i % 2 else f"DC-{day.year}-B{i:07d}", "reason": "", "details": {}})
    with db.engine.begin() as conn:
        conn.execute(insert(Decision.__table__), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", help="folder for the temporary database (default: the system's temp folder)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    today = dt.date.today()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "inspector.sqlite"
        seeded = seed_database(path, today=today)
        print(f"Seeded {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {seeded.seconds:.1f} s: "
              + ", ".join(f"{n} {table}" for table, n in seeded.counts.items()))
        out = Path(tmp) / "out"
        out.mkdir()
        db = open_database(path)
        rows = [HEADER]
        try:
            month, count = busiest_month(db)
            print(f"Busiest month of the seed: {month} ({count} acquired classements)")
            for fmt in ("xlsx", "csv"):
                target = out / f"monthly.{fmt}"
                result = export_monthly(db, month=month, path=target)
                assert result.count == count, (result.count, count)
                rows.append(report(f"monthly table {month}, {count} decisions: query + {fmt.upper()} file",
                                   measure(lambda t=target: export_monthly(db, month=month, path=t),
                                           runs=args.runs), TARGET_MONTHLY_MS))
            add_acquisitions(db, month, EXTRA)
            for fmt in ("xlsx", "csv"):
                target = out / f"monthly-heavy.{fmt}"
                result = export_monthly(db, month=month, path=target)
                assert result.count == count + EXTRA, (result.count, count + EXTRA)
                rows.append(report(f"monthly table {month}, {result.count} decisions: query + {fmt.upper()} file",
                                   measure(lambda t=target: export_monthly(db, month=month, path=t),
                                           runs=args.runs), TARGET_MONTHLY_MS))
            for dataset in ("decisions", "visits", "establishments"):
                target = out / f"{dataset}.xlsx"
                result = export_dataset(db, dataset=dataset, path=target)
                rows.append(report(f"general export: all {result.count} {dataset}, XLSX",
                                   measure(lambda d=dataset, t=target: export_dataset(db, dataset=d, path=t),
                                           runs=max(3, args.runs // 3), warmup=1), TARGET_GENERAL_MS))
        finally:
            db.close()
        print("\n".join(rows))


if __name__ == "__main__":
    main()
