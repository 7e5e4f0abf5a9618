"""Benchmark: load and validate every grid on the search path (target ≤ 50 ms)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import HEADER, measure, report  # noqa: E402
from inspector.grids.registry import load_catalogue  # noqa: E402


def main() -> None:
    cat = load_catalogue()
    assert not cat.errors, cat.errors
    n = len(cat.grids)
    print(HEADER)
    print(report(f"load + validate every grid ({n} file(s), {sum(len(g.criteria) for g in cat.grids)} rows)",
                 measure(load_catalogue, runs=200), target_ms=50))


if __name__ == "__main__":
    main()
