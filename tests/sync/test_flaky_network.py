"""A flaky network: a fault-injecting TCP proxy between the laptop and the real server drops connections at random.

The proxy (127.0.0.1, threads) cuts a seeded-random share of the connections after a random number of bytes in
one direction (requests or answers), with a FIN or a RST. The laptop runs `sync()` through it until one succeeds
(a bounded number of attempts); the database on the laptop must pass `check_database` after each attempt, and in
the end the server holds every row exactly once with the laptop's content, every file byte-identical, no conflict
born of a re-send, and a fresh laptop pulling through the same kind of network gets the same rows and files.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select, text

from inspector.db.database import Database, check_database
from inspector.db.models import Visit
from inspector.services import photos
from inspector.sync import SyncError, SyncReport, local, protocol, sync

from .conftest import Server

CUT_RATE = 0.4  # share of connections cut
MAX_CUT_BYTES = 3_000_000  # a cut happens after 0 … this many bytes in its direction (a first sync moves ~2–3 MB)
MAX_ATTEMPTS = 40
ATTEMPTS_BUDGET_S = 180.0
IDLE_S = 60.0  # a proxied connection silent this long is closed (nothing here waits that long)


@dataclass
class Plan:
    """What the proxy does to one connection."""

    cut: bool
    direction: str = ""  # "request" (laptop → server) or "answer" (server → laptop)
    after: int = 0  # bytes forwarded in that direction before the cut
    reset: bool = False  # RST instead of FIN
    done: bool = False  # the cut happened


@dataclass
class _Link:
    client: socket.socket
    upstream: socket.socket
    plan: Plan
    closed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self, *, reset: bool = False) -> None:
        with self.lock:
            if self.closed.is_set():
                return
            self.closed.set()
            for sock in (self.client, self.upstream):
                try:
                    if reset:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    else:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()


class FaultyProxy:
    """TCP proxy on 127.0.0.1 to `target_port`; cuts a seeded-random share of the connections at a random byte."""

    def __init__(self, target_port: int, *, seed: int, cut_rate: float = CUT_RATE, max_cut: int = MAX_CUT_BYTES):
        self.target_port, self.cut_rate, self.max_cut = target_port, cut_rate, max_cut
        self.rng = random.Random(seed)
        self.plans: list[Plan] = []
        self.links: list[_Link] = []
        self.threads: list[threading.Thread] = []
        self.stopping = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self._accepter = threading.Thread(target=self._accept_loop, name="faulty-proxy", daemon=True)
        self._accepter.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cuts(self) -> list[Plan]:
        return [p for p in self.plans if p.done]

    def _plan(self) -> Plan:
        if self.rng.random() >= self.cut_rate:
            return Plan(cut=False)
        return Plan(cut=True, direction=self.rng.choice(("request", "answer")),
                    after=int(self.max_cut * self.rng.random() ** 2),  # more cuts early in a connection
                    reset=self.rng.random() < 0.5)

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            plan = self._plan()
            self.plans.append(plan)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            link = _Link(client, upstream, plan)
            self.links.append(link)
            for src, dst, direction in ((client, upstream, "request"), (upstream, client, "answer")):
                src.settimeout(0.5)
                thread = threading.Thread(target=self._pump, args=(link, src, dst, direction), daemon=True)
                self.threads.append(thread)
                thread.start()

    def _pump(self, link: _Link, src: socket.socket, dst: socket.socket, direction: str) -> None:
        plan = link.plan
        cutting = plan.cut and plan.direction == direction
        forwarded = 0
        idle_until = time.monotonic() + IDLE_S
        while not link.closed.is_set() and not self.stopping.is_set() and time.monotonic() < idle_until:
            try:
                data = src.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            idle_until = time.monotonic() + IDLE_S
            if cutting and forwarded + len(data) >= plan.after:
                try:
                    dst.sendall(data[:plan.after - forwarded])
                except OSError:
                    pass
                time.sleep(0.02)  # let the partial bytes reach the other side before the cut
                plan.done = True
                link.close(reset=plan.reset)
                return
            try:
                dst.sendall(data)
            except OSError:
                break
            forwarded += len(data)
        link.close()

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()
        self._accepter.join(timeout=5)
        for link in self.links:
            link.close()
        for thread in self.threads:
            thread.join(timeout=5)


@pytest.fixture
def flaky(server: Server):
    proxies: list[FaultyProxy] = []

    def make(seed: int) -> FaultyProxy:
        proxy = FaultyProxy(int(server.url.rsplit(":", 1)[1]), seed=seed)
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.stop()


def sync_until_success(db: Database, url: str, token: str, *, foreign_keys_between_attempts: bool = True
                       ) -> tuple[SyncReport, list[SyncError]]:
    """`sync()` again and again (bounded) until one succeeds; the laptop database is checked after each attempt.

    `foreign_keys_between_attempts=False` leaves out the foreign-key part of the check after a failed attempt (see
    test_an_interrupted_first_pull_leaves_no_dangling_reference); integrity is checked whatever, and everything
    after the successful attempt.
    """
    failures: list[SyncError] = []
    deadline = time.monotonic() + ATTEMPTS_BUDGET_S
    for _ in range(MAX_ATTEMPTS):
        assert time.monotonic() < deadline, f"no successful sync within {ATTEMPTS_BUDGET_S} s"
        try:
            report = sync(db, url, token)
        except SyncError as exc:
            assert exc.category == "réseau", (exc.category, exc.message)  # a cut is a network failure, said so
            failures.append(exc)
            report = None
        problems = check_database(db.path)
        if report is None and not foreign_keys_between_attempts:
            problems = [p for p in problems if not p.startswith("clé étrangère")]
        assert problems == [], f"laptop database damaged: {problems[:5]}"
        if report is not None:
            return report, failures
    raise AssertionError(f"no successful sync in {MAX_ATTEMPTS} attempts: {[f.message for f in failures][-3:]}")


def laptop_rows(db: Database) -> dict[tuple[str, str], str]:
    """Every synced row of a laptop: (table, id) -> digest of its data as it travels."""
    rows = {}
    with db.engine.connect() as conn:
        for name in protocol.TABLES:
            for row in conn.execute(select(protocol.table(name))).mappings():
                rows[(name, row["id"])] = protocol.digest(protocol.to_wire(name, row))
    return rows


def server_rows(server: Server) -> list[tuple[str, str, str]]:
    with server.sessions() as s:
        return [tuple(r) for r in s.execute(text(
            "SELECT table_name, row_id, digest FROM records WHERE table_name <> 'grids' AND NOT deleted"))]


def laptop_files(db: Database) -> dict[str, bytes]:
    """sha256 -> bytes of the photos and documents named by the laptop's rows (those present on disk)."""
    found = {}
    with db.engine.connect() as conn:
        for name, folder in protocol.BLOB_TABLES.items():
            t = protocol.table(name)
            for sha, stored in conn.execute(select(t.c.sha256, t.c.stored_path)):
                path = db.path.parent / folder / stored
                if path.is_file():
                    found[sha] = path.read_bytes()
    return found


def assert_blobs_identical(server: Server, files: dict[str, bytes]) -> None:
    with server.sessions() as s:
        stored = s.execute(text("SELECT sha256, size FROM blobs")).all()
    assert len(stored) == len({sha for sha, _ in stored})
    assert set(files) <= {sha for sha, _ in stored}
    for sha, data in files.items():
        assert (server.blob_dir / sha[:2] / sha).read_bytes() == data  # byte-identical
    assert list((server.blob_dir / "partial").iterdir()) == []  # no upload left half-way


def add_work(db: Database, folder: Path) -> None:
    """Two new photos (noise, ~400 kB each: they do not compress) and an edited visit, made by the services."""
    rng = random.Random(3)
    with db.session() as s:
        visit = s.scalar(select(Visit).where(Visit.state == "in_progress").limit(1))
    for n in range(2):
        source = folder / f"bruit-{n}.png"
        Image.frombytes("RGB", (380, 380), rng.randbytes(380 * 380 * 3)).save(source)
        photos.import_photo(db, visit_id=visit.id, source=source, caption=f"Bruit {n}")
    with db.engine.begin() as conn:  # a plain edit of a synced row, as the app's services mark it
        conn.execute(text("UPDATE visits SET observations_text = 'Revu sur place', pending_sync = 1 "
                          "WHERE id = :id"), {"id": visit.id})


def test_dropped_connections_lose_and_duplicate_nothing_either_way(server: Server, flaky, laptop,
                                                                   tmp_path: Path) -> None:
    token = server.token("nicolas")
    a = laptop("a")
    files = laptop_files(a)
    assert len(files) == 16  # the demo agency's photos and issued PDFs

    # Push (and first pull) of a whole demo agency through the flaky network.
    proxy = flaky(seed=20261141)  # seeds whose first connections are cut
    report, failures = sync_until_success(a, proxy.url, token)
    assert report.counts_match, report.summary()
    assert not report.conflicts and not report.rejected, report.summary()

    rows = server_rows(server)
    keys = [(t, i) for t, i, _ in rows]
    assert len(keys) == len(set(keys))  # no duplicate
    mine = laptop_rows(a)
    assert {(t, i): d for t, i, d in rows} == mine  # every row exactly once, with the laptop's content
    assert server.scalar("SELECT count(*) FROM conflicts") == 0  # a re-sent push is never a conflict
    with a.engine.connect() as conn:
        pending = sum(conn.execute(text(f"SELECT count(*) FROM {t} WHERE pending_sync = 1")).scalar()
                      for t in protocol.TABLES)
    assert pending == 0
    assert_blobs_identical(server, files)

    # More work on the laptop (new photos, a visit's notes edited), sent through the same flaky network.
    add_work(a, tmp_path)
    files = laptop_files(a)
    assert len(files) == 18  # two new photos
    report, more_failures = sync_until_success(a, proxy.url, token)
    failures += more_failures
    assert report.pushed >= 3 and not report.conflicts, report.summary()
    rows = server_rows(server)
    mine = laptop_rows(a)
    assert {(t, i): d for t, i, d in rows} == mine and len(rows) == len(mine)
    assert_blobs_identical(server, files)
    assert server.scalar("SELECT count(*) FROM conflicts") == 0
    # Cuts in both directions; some failed a sync, others were absorbed by the client's resumable uploads.
    assert len(failures) >= 1 and len(proxy.cuts) >= 2, (len(failures), proxy.plans)
    assert {p.direction for p in proxy.cuts} == {"request", "answer"}, proxy.plans

    # A fresh laptop's first pull through another flaky network: the same rows and files, nothing half-written.
    b = laptop("b", empty=True)
    proxy_b = flaky(seed=166)
    report_b, failures_b = sync_until_success(b, proxy_b.url, token)
    assert report_b.counts_match and not report_b.conflicts, report_b.summary()
    assert len(failures_b) >= 1 and proxy_b.cuts, proxy_b.plans
    assert laptop_rows(b) == mine
    got = laptop_files(b)
    assert all(files[sha] == data for sha, data in got.items())  # what arrived is byte-identical
    assert local.missing_files(b) == {}  # and every file named by a row arrived
    leftovers = [p for folder in ("photos", "documents") for p in (b.path.parent / folder).rglob(".*")]
    assert leftovers == []  # interrupted downloads leave no temporary file

    # Nothing left to do: a direct sync sends and receives nothing, and the server still has each row once.
    for db in (a, b):
        again = sync(db, server.url, token)
        assert again.pushed == 0 and again.counts_match, again.summary()
    assert len(server_rows(server)) == len(rows)



class LoseOneAnswer(httpx.BaseTransport):
    """A real connection, except that the answer to the n-th request whose path matches is lost (ReadError)."""

    def __init__(self, matches, n: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.matches, self.n, self.seen = matches, n, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.matches(request):
            self.seen += 1
            if self.seen == self.n:
                raise httpx.ReadError("connexion coupée (test)")
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_an_interrupted_first_pull_leaves_no_dangling_reference(server: Server, laptop, tmp_path: Path) -> None:
    token = server.token("nicolas")
    a = laptop("a")
    assert sync(a, server.url, token).counts_match
    with a.engine.connect() as conn:  # a visit with photos, edited after them (the usual order in the field)
        visit_id = conn.execute(text("SELECT visit_id FROM photos LIMIT 1")).scalar()
    with a.engine.begin() as conn:
        conn.execute(text("UPDATE visits SET observations_text = 'Revu', pending_sync = 1 WHERE id = :id"),
                     {"id": visit_id})
    assert sync(a, server.url, token).pushed == 1
    b = laptop("b", empty=True)
    transport = LoseOneAnswer(lambda r: r.url.path.endswith("/sync/changes"), 2)
    with pytest.raises(SyncError) as caught:
        sync(b, server.url, token, transport=transport)
    assert caught.value.category == "réseau" and transport.seen == 2
    assert check_database(b.path) == []


def test_files_of_a_pull_cut_before_its_downloads_arrive_later(server: Server, laptop) -> None:
    token = server.token("nicolas")
    a = laptop("a")
    files = laptop_files(a)
    assert sync(a, server.url, token).counts_match
    b = laptop("b", empty=True)
    transport = LoseOneAnswer(lambda r: r.method == "GET" and "/blobs/" in r.url.path, 1)
    with pytest.raises(SyncError) as caught:
        sync(b, server.url, token, transport=transport, all_files=True)
    assert caught.value.category == "réseau" and transport.seen == 1
    report = sync(b, server.url, token, all_files=True)  # the network is back
    assert report.counts_match, report.summary()
    assert laptop_files(b) == files
