"""`inspector demo --sync`: start an embedded server on 127.0.0.1, sync the demo database to it, show what arrived."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

from ..db.database import Database


@dataclass(frozen=True)
class RoundTrip:
    """What the embedded server holds after the demo laptop synced."""

    server_url: str
    pushed: int
    visits: int
    observations: int
    files: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_round_trip(db: Database, workdir: Path, *, timeout_s: float = 60.0) -> RoundTrip:
    """Run a throwaway server (SQLite under `workdir`), sync `db` to it as an administrator, count what arrived."""
    import uvicorn

    from ..server.accounts import add_account
    from ..server.app import create_app
    from ..server.models import Record
    from .client import sync
    from .http import login

    workdir.mkdir(parents=True, exist_ok=True)
    app = create_app(f"sqlite:///{workdir / 'serveur.sqlite'}", workdir / "fichiers")
    password = secrets.token_urlsafe(16)
    name = add_account(app.state.sessions, name=f"demo-{secrets.token_hex(3)}", role="admin",
                       password=password).name
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("le serveur de démonstration ne répond pas")
            time.sleep(0.1)
        token, _account = login(url, name, password, device="demo")
        report = sync(db, url, token)
        with app.state.sessions() as s:
            def count(table: str) -> int:
                return s.scalar(select(func.count()).select_from(Record).where(Record.table_name == table,
                                                                                Record.deleted.is_(False))) or 0

            visits, observations = count("visits"), count("observations")
        files = sum(1 for p in (workdir / "fichiers").rglob("*") if p.is_file())
        return RoundTrip(url, report.pushed, visits, observations, files)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()

