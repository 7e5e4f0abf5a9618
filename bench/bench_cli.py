"""Benchmark: `inspector score FILE --json` as a whole process, interpreter start included (target ≤ 300 ms)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import HEADER, measure, report  # noqa: E402
from inspector.demo import s1_wimereux_studio  # noqa: E402


def main() -> None:
    exe = Path(sys.executable).with_name("inspector")
    with tempfile.TemporaryDirectory() as tmp:
        visit = Path(tmp) / "s1.json"
        visit.write_text(json.dumps(s1_wimereux_studio(), ensure_ascii=False), encoding="utf-8")
        cmd = [str(exe), "score", str(visit), "--json"]

        def run() -> None:
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

        print(HEADER)
        print(report("`inspector score s1.json --json` (whole process)", measure(run, runs=30), 300))
        baseline = [sys.executable, "-c", "pass"]
        print(report("python -c pass (interpreter start, for reference)",
                     measure(lambda: subprocess.run(baseline, check=True), runs=30), 300))


if __name__ == "__main__":
    main()
