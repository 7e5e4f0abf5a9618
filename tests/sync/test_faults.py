"""Real failures: a connection cut in the middle of an upload, the server killed in the middle of a sync."""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select, text

from inspector.db.database import Database, check_database
from inspector.db.models import Visit
from inspector.server.db import open_server_database
from inspector.services import photos
from inspector.sync import SyncError, protocol, sync

from .conftest import Server, ServerProcess, create_accounts, local_blob_count, person_ids


class CutFirstUpload(httpx.BaseTransport):
    """Sends half of the first file upload, then drops the connection; records where each upload starts."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.offsets: list[tuple[str, int]] = []
        self.cut = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and "/blobs/" in request.url.path:
            self.offsets.append((request.url.path.rsplit("/", 1)[-1], int(request.headers["upload-offset"])))
            if not self.cut:
                self.cut = True
                body = request.read()

                def half_then_cut():
                    yield body[: len(body) // 2]
                    time.sleep(0.3)  # the server writes what arrived
                    raise httpx.WriteError("connexion coupée (test)")

                request = httpx.Request(request.method, request.url, headers=request.headers,
                                        content=half_then_cut())
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def big_photo(db: Database, folder: Path) -> str:
    """A ~1 MB photo (noise does not compress) added to a visit in progress; returns its SHA-256."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (600, 600), bytes(rng.getrandbits(8) for _ in range(600 * 600 * 3)))
    source = folder / "noise.png"
    image.save(source)
    with db.session() as s:
        visit = s.scalar(select(Visit).where(Visit.state == "in_progress").limit(1))
    return photos.import_photo(db, visit_id=visit.id, source=source, caption="Bruit").value.sha256


def test_a_cut_upload_resumes_where_the_server_stopped_and_completes_once(server: Server, laptop,
                                                                         tmp_path: Path) -> None:
    a = laptop("a")
    sha = big_photo(a, tmp_path)
    original = next((a.path.parent / "photos").rglob(f"{sha}.*")).read_bytes()
    transport = CutFirstUpload()
    report = sync(a, server.url, server.token("nicolas"), transport=transport)
    assert report.counts_match and report.files_uploaded == local_blob_count(a), report.summary()
    first_sha = transport.offsets[0][0]
    starts = [offset for name, offset in transport.offsets if name == first_sha]
    assert starts[0] == 0 and len(starts) == 2 and starts[1] > 0  # resumed, not restarted
    stored = server.blob_dir / first_sha[:2] / first_sha
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == first_sha
    assert server.scalar("SELECT count(*) FROM blobs WHERE sha256 = :s", s=first_sha) == 1
    assert server.scalar("SELECT count(*) FROM blobs") == local_blob_count(a)
    assert list((server.blob_dir / "partial").iterdir()) == []
    assert (server.blob_dir / sha[:2] / sha).read_bytes() == original


def _local_rows(db: Database) -> int:
    with db.engine.connect() as conn:
        return sum(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in protocol.TABLES)


def test_killing_the_server_in_the_middle_of_a_sync_then_syncing_again_loses_and_duplicates_nothing(
        database_url: str, server_process: ServerProcess, laptop, tmp_path: Path) -> None:
    a = laptop("a")
    big_photo(a, tmp_path)
    engine, sessions = open_server_database(database_url)
    create_accounts(sessions, person_ids(a))
    from inspector.server.accounts import token_for

    token = token_for(sessions, "nicolas")
    server_process.start()

    def kill_at(phase: str, after: int):
        def progress(now: str, done: int, _total: int) -> None:
            if now == phase and done >= after:
                server_process.kill()
        return progress

    for phase, after in (("envoi des fichiers", 3), ("envoi", 2)):
        with pytest.raises(SyncError) as caught:
            sync(a, server_process.url, token, progress=kill_at(phase, after))
        assert caught.value.category == "réseau"
        assert check_database(a.path) == []  # the laptop database is intact after each failure
        server_process.start()
    report = sync(a, server_process.url, token)
    assert report.counts_match, report.summary()
    with sessions() as s:
        rows = s.execute(text("SELECT count(*) FROM records WHERE table_name <> 'grids'")).scalar()
        blobs = s.execute(text("SELECT count(*) FROM blobs")).scalar()
    assert rows == _local_rows(a)  # every row exactly once
    assert blobs == local_blob_count(a)
    with a.engine.connect() as conn:
        assert sum(conn.execute(text(f"SELECT count(*) FROM {t} WHERE pending_sync = 1")).scalar()
                   for t in protocol.TABLES) == 0
    engine.dispose()
