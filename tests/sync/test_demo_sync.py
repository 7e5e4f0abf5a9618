"""`inspector demo --sync`: the demo laptop reaches an embedded local server and the visits arrive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_syncs_to_an_embedded_server(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "inspector", "demo", "--out", str(tmp_path / "demo"), "--sync"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("Serveur local http://127.0.0.1:"))
    visits = int(line.split("détient ")[1].split(" visite")[0])
    assert visits >= 40 and "réponse(s)" in line
