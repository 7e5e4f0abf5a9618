"""Nothing acknowledged is lost: a writer killed with SIGKILL mid-stream leaves every acknowledged answer."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from inspector.db.database import check_database, open_database
from inspector.db.models import Establishment
from inspector.services import visits

ROOT = Path(__file__).resolve().parents[1]

WRITER = textwrap.dedent("""
    import itertools, sys
    from inspector.db.database import open_database
    from inspector.services.visits import record_answer
    db = open_database(sys.argv[1])
    codes = [str(n) for n in range(3, 134) if n not in (2,)]
    for i in itertools.count():
        code, value = codes[i % len(codes)], ("yes", "no")[(i // len(codes)) % 2]
        res = record_answer(db, visit_id=sys.argv[2], criterion=code, value=value, comment=f"ecriture {i}")
        print(f"ack {res.value.seq} {code} {value}", flush=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX-only")
def test_sigkill_in_the_middle_of_a_stream_of_answers(tmp_path: Path) -> None:
    path = tmp_path / "inspector.sqlite"
    db = open_database(path)
    with db.session() as s:
        est = Establishment(kind="meuble", name="Maison témoin", commune="Berck", capacity=4)
        s.add(est)
        s.commit()
        est_id = est.id
    visit_id = visits.create_visit(db, establishment_id=est_id, kind="classement", requested_category=3,
                                   context={"capacity": 4}).value
    db.close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), visit_id], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    acked: list[tuple[int, str, str]] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        _, seq, code, value = line.split()
        acked.append((int(seq), code, value))
        if len(acked) >= 300:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    assert len(acked) == 300
    assert check_database(path) == []
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = set(con.execute("SELECT seq, criterion, value FROM observations WHERE visit_id = ?", (visit_id,)))
    con.close()
    missing = [a for a in acked if a not in stored]
    assert missing == []
    # The laptop reopens normally and the current answers are the last acknowledged ones.
    db = open_database(path)
    with db.session() as s:
        current = visits.current_answers(s, visit_id)
    last_by_code = {code: value for _, code, value in sorted(acked)}
    for code, value in last_by_code.items():
        latest = current[(code, "")]
        assert latest.seq >= max(seq for seq, c, _ in acked if c == code)
        if latest.seq == max(seq for seq, c, _ in acked if c == code):
            assert latest.value == value
    db.close()
