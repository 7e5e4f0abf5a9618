"""Small timing helpers shared by the benchmark scripts (median of repeated runs, markdown output)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def measure(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    """Wall-clock seconds of `runs` calls after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float], target_ms: float) -> str:
    """One markdown table row: name, median, p90, target, verdict."""
    med = statistics.median(times) * 1000
    p90 = sorted(times)[int(len(times) * 0.9) - 1] * 1000
    verdict = "ok" if med <= target_ms else "OVER TARGET"
    return f"| {name} | {med:.2f} ms | {p90:.2f} ms | ≤ {target_ms:g} ms | {verdict} | {len(times)} |"


HEADER = "| benchmark | median | p90 | target | verdict | runs |\n|---|---|---|---|---|---|"
