"""Benchmark: score one visit for all five categories with its explanation (target ≤ 1 ms)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import HEADER, measure, report  # noqa: E402
from inspector.demo import s1_wimereux_studio, s3_saint_omer_advisory  # noqa: E402
from inspector.grids.registry import find_grid  # noqa: E402
from inspector.scoring.explain import advice, explain_category  # noqa: E402
from inspector.scoring.meubles import score_meuble  # noqa: E402


def main() -> None:
    grid = find_grid("MT-2022-V2")
    s1, s3 = s1_wimereux_studio(), s3_saint_omer_advisory()

    def score_s1() -> None:
        res = score_meuble(grid, category=s1["category"], context=s1["context"], answers=s1["answers"],
                           measurements=s1["surfaces"])
        [r.render() for r in explain_category(grid, res)]

    def score_s3() -> None:
        res = score_meuble(grid, category=s3["category"], context=s3["context"], answers=s3["answers"])
        [r.render() for r in explain_category(grid, res)]
        advice(grid, res, "3")
        advice(grid, res, "4")

    print(HEADER)
    print(report("score S1 (5 categories, surfaces + beds, explanation)", measure(score_s1, runs=1000), 1))
    print(report("score S3 (5 categories, explanation, advice 3★ and 4★)", measure(score_s3, runs=1000), 1))


if __name__ == "__main__":
    main()
