"""Real servers for the sync tests: uvicorn on 127.0.0.1 (thread or process), SQLite and a throwaway PostgreSQL."""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from inspector.db.database import Database, open_database
from inspector.server.accounts import add_account, token_for

TODAY = dt.date(2026, 11, 25)
PASSWORD = "mot-de-passe-solide"
ACCOUNTS = {  # account name -> (role, demo person)
    "nicolas": ("admin", "Nicolas Roussel"),
    "julie": ("inspector", "Julie Caron"),
    "thomas": ("inspector", "Thomas Lemaire"),
    "sophie": ("inspector", "Sophie Delattre"),
    "marc": ("partner", "Marc Hennebelle"),
    "elise": ("commission", "Élise Fontaine"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not start")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Accounts made by the tests use light argon2 parameters (the hash records them; checks stay real)."""
    from argon2 import PasswordHasher

    from inspector.server import accounts

    saved = accounts._HASHER
    accounts._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._HASHER = saved


# ----- laptops ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo agency built once; each test gets its own copy of the folder (database and photos)."""
    from inspector.demo_data import build_demo_database

    folder = tmp_path_factory.mktemp("demo-template")
    db = open_database(folder / "inspector.sqlite")
    build_demo_database(db, today=TODAY)
    db.close()
    return folder


@pytest.fixture
def laptop(demo_template: Path, tmp_path: Path):
    """Open copies of the demo laptop: `laptop("a")`; `laptop("b", empty=True)` for a new, empty laptop."""
    opened: list[Database] = []

    def make(name: str, *, empty: bool = False) -> Database:
        folder = tmp_path / f"laptop-{name}"
        if empty:
            folder.mkdir()
        else:
            shutil.copytree(demo_template, folder, ignore=shutil.ignore_patterns("backups"))
        db = open_database(folder / "inspector.sqlite")
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()


def person_ids(db: Database) -> dict[str, str]:
    with db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT name, id FROM users")).all())


# ----- PostgreSQL ---------------------------------------------------------------------------------------------


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


@dataclass
class PgCluster:
    port: int
    folder: Path
    counter: int = 0

    def new_database(self) -> str:
        import psycopg

        self.counter += 1
        name = f"inspector_test_{self.counter}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster in a temporary folder, run as the `postgres` user when we are root."""
    bindir = _pg_bin()
    if bindir is None:
        message = "PostgreSQL introuvable (initdb/pg_ctl) : installez le paquet postgresql"
        if os.environ.get("INSPECTOR_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (INSPECTOR_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="inspector-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        os.chmod(folder, 0o700)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    log = folder / "server.log"
    subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
                    "start"], check=True, capture_output=True)
    try:
        yield PgCluster(port, folder)
    finally:
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The server database of one test: an embedded SQLite file, or a new database in the PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server' / 'inspector-server.sqlite'}"
    return request.getfixturevalue("pg_cluster").new_database()


# ----- servers ------------------------------------------------------------------------------------------------


@dataclass
class Server:
    """A running server: its URL, its database, tokens by account name."""

    url: str
    database_url: str
    blob_dir: Path
    sessions: sessionmaker[Session]
    tokens: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # account name -> person id

    def token(self, name: str) -> str:
        if name not in self.tokens:
            self.tokens[name] = token_for(self.sessions, name)
        return self.tokens[name]

    def api(self, name: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(name)}"} if name else {}
        return httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=30)

    def scalar(self, sql: str, **params: object) -> object:
        with self.sessions() as s:
            return s.execute(text(sql), params).scalar()


def create_accounts(sessions: sessionmaker[Session], people: dict[str, str]) -> dict[str, str]:
    linked = {}
    for name, (role, person) in ACCOUNTS.items():
        add_account(sessions, name=name, role=role, password=PASSWORD, person_id=people[person])
        linked[name] = people[person]
    return linked


@pytest.fixture
def server(database_url: str, tmp_path: Path, demo_template: Path) -> Iterator[Server]:
    """A uvicorn server in a thread, with the demo agency's accounts (no data yet)."""
    import uvicorn

    from inspector.server.app import create_app

    blob_dir = tmp_path / "server-files"
    app = create_app(database_url, blob_dir)
    template = open_database(demo_template / "inspector.sqlite")
    people = create_accounts(app.state.sessions, person_ids(template))
    template.close()
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url)
    yield Server(url, database_url, blob_dir, app.state.sessions, people=people)
    runner.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@dataclass
class ServerProcess:
    """`inspector serve` in a child process, so that a test can kill it (SIGKILL) and start it again."""

    database_url: str
    data_dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [sys.executable, "-m", "inspector", "serve", "--database-url", self.database_url, "--data-dir",
               str(self.data_dir), "--port", str(self.port), "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_healthy(self.url, proc=self.proc)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def server_process(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(database_url, tmp_path / "server-data")
    yield proc
    proc.kill()


def local_blob_count(db: Database) -> int:
    """Distinct files (photos and PDFs, by SHA-256) that a full push of this laptop uploads."""
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(DISTINCT sha256) FROM (SELECT sha256 FROM photos "
                                 "UNION SELECT sha256 FROM documents)")).scalar()
