"""Benchmark: an incremental sync with nothing to do, and parallel pushes (visits, observations, photos)."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import socket
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from bench.common import HEADER, measure, report  # noqa: E402
from inspector.db.database import open_database  # noqa: E402
from inspector.demo_data import build_demo_database  # noqa: E402
from inspector.server.accounts import add_account, token_for  # noqa: E402
from inspector.server.app import create_app  # noqa: E402
from inspector.sync import sync  # noqa: E402

OBSERVATIONS = 60
PHOTOS = 3
PHOTO_BYTES = 200_000


def start_server(database_url: str, blobs: Path) -> tuple[str, uvicorn.Server, threading.Thread, object]:
    app = create_app(database_url, blobs)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/api/v1/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    return url, server, thread, app


def visit_payload(rng: random.Random) -> tuple[list[dict], dict[str, bytes]]:
    """One completed visit: the visit row, its observations and photo rows, and the photo bytes."""
    now = "2026-11-25T10:00:00"
    vid = str(uuid.uuid4())
    visit = {"establishment_id": str(uuid.uuid4()), "kind": "classement", "state": "completed",
             "requested_category": 3, "proposed_category": None, "requested_families": [], "typology": "",
             "grid_id": "MT-2022-V2", "grid_version": "2022", "grid_sha256": "0" * 64, "context": {"capacity": 4},
             "evaluator_id": None, "second_evaluator_id": None, "planned_on": "2026-11-20", "visited_on": "2026-11-24",
             "started_at": now, "completed_at": now, "issued_on": None, "sent_on": None, "received_on": None,
             "refused_on": None, "refusal_reason": "", "acquired_on": None, "valid_until": None,
             "previous_visit_id": None, "revision_of_id": None, "revision_number": 1, "revision_reason": "",
             "superseded": False, "observations_text": "", "created_at": now, "modified_at": now}
    rows = [{"table": "visits", "id": vid, "base_version": 0, "data": visit}]
    for seq in range(1, OBSERVATIONS + 1):
        rows.append({"table": "observations", "id": str(uuid.uuid4()), "base_version": 0, "data": {
            "visit_id": vid, "criterion": str(seq), "level": "", "value": rng.choice(("yes", "no")), "points": None,
            "na_reason": "", "comment": "", "author_id": None, "device_id": "", "recorded_at": now, "seq": seq,
            "undoes_seq": None}})
    files = {}
    for _ in range(PHOTOS):
        data = rng.randbytes(PHOTO_BYTES)
        sha = hashlib.sha256(data).hexdigest()
        files[sha] = data
        rows.append({"table": "photos", "id": str(uuid.uuid4()), "base_version": 0, "data": {
            "visit_id": vid, "criterion": "", "sha256": sha, "original_name": "photo.jpg",
            "stored_path": f"{sha[:2]}/{sha}.jpg", "width": 1, "height": 1, "size_bytes": len(data), "caption": "",
            "taken_at": None, "created_at": now, "modified_at": now}})
    return rows, files


def client_push(url: str, token: str, visits: int, seed: int) -> tuple[int, int]:
    """One laptop pushing its visits (files first, then rows, one visit per request); returns (rows, errors)."""
    rng = random.Random(seed)
    errors = rows_sent = 0
    with httpx.Client(base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60) as api:
        for _ in range(visits):
            rows, files = visit_payload(rng)
            for sha, data in files.items():
                r = api.put(f"/blobs/{sha}", content=data, headers={"Upload-Length": str(len(data))})
                errors += r.status_code != 200
            r = api.post("/sync/push", json={"rows": rows})
            errors += r.status_code != 200 or any(x["status"] != "created" for x in r.json().get("results", []))
            rows_sent += len(rows)
    return rows_sent, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="base du serveur (défaut : SQLite temporaire)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--visits", type=int, default=10, help="visites par client")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="inspector-bench-sync-") as tmp:
        folder = Path(tmp)
        url, server, thread, app = start_server(args.database_url or f"sqlite:///{folder / 'server.sqlite'}",
                                                folder / "files")
        sessions = app.state.sessions  # type: ignore[attr-defined]
        add_account(sessions, name="admin", role="admin", password="mot-de-passe-bench")
        token = token_for(sessions, "admin")
        db = open_database(folder / "laptop" / "inspector.sqlite")
        build_demo_database(db, today=dt.date(2026, 11, 25))
        started = time.perf_counter()
        first = sync(db, url, token)
        first_s = time.perf_counter() - started
        noop = measure(lambda: sync(db, url, token), runs=args.runs)
        tokens = [token_for(sessions, "admin", device=f"pc-{i}") for i in range(args.clients)]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(lambda i: client_push(url, tokens[i], args.visits, i), range(args.clients)))
        load_s = time.perf_counter() - started
        rows = sum(r[0] for r in results)
        errors = sum(r[1] for r in results)
        with sessions() as s:
            from sqlalchemy import text

            stored = s.execute(text("SELECT count(*) FROM records WHERE table_name <> 'grids'")).scalar()
        expected = rows + first.pushed
        print(HEADER)
        print(report("incremental sync, nothing to do (demo agency)", noop, 200))
        print()
        print("| load | value |\n|---|---|")
        print(f"| first push of the demo agency ({first.pushed} rows, {first.files_uploaded} files) | "
              f"{first_s:.2f} s |")
        print(f"| {args.clients} clients × {args.visits} visits ({OBSERVATIONS} observations, {PHOTOS} photos of "
              f"{PHOTO_BYTES // 1000} kB each) | {load_s:.2f} s |")
        print(f"| throughput | {rows / load_s:.0f} rows/s, {args.clients * args.visits / load_s:.1f} visits/s |")
        print(f"| errors | {errors} |")
        print(f"| duplicates (stored − expected rows) | {stored - expected} |")
        print(f"| server database | {'PostgreSQL' if args.database_url else 'SQLite'} (cpu: {os.cpu_count()}) |")
        db.close()
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
