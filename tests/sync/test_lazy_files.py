"""Files of closed visits stay on the server after a pull and are fetched on demand (hash verified, atomic)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select, text

from inspector.db.database import Database
from inspector.db.models import Photo, Visit
from inspector.services.photos import PhotoError, missing_photo_files, require_photo_files
from inspector.sync import local, rules, state, sync
from inspector.sync.on_demand import fetch_visit_files, visit_files_on_demand, visit_missing_files

from .conftest import Server


def files_by_openness(db: Database) -> tuple[dict[str, Path], dict[str, Path]]:
    """(files of open visits, files of closed visits): sha256 -> where the laptop keeps it."""
    open_files: dict[str, Path] = {}
    closed_files: dict[str, Path] = {}
    with db.engine.connect() as conn:
        for table, folder in (("photos", "photos"), ("documents", "documents")):
            rows = conn.execute(text(f"SELECT t.sha256, t.stored_path, v.state, v.superseded FROM {table} t "
                                     "JOIN visits v ON v.id = t.visit_id")).all()
            for sha, stored, visit_state, superseded in rows:
                target = closed_files if rules.files_on_demand(visit_state, superseded) else open_files
                target[sha] = db.path.parent / folder / stored
    return open_files, {sha: p for sha, p in closed_files.items() if sha not in open_files}


def closed_visit_with_photos(db: Database) -> str:
    with db.session() as s:
        for v in s.scalars(select(Visit).where(Visit.state.in_(rules.CLOSED_STATES)).order_by(Visit.id)):
            if s.scalar(select(Photo.id).where(Photo.visit_id == v.id).limit(1)):
                return v.id
    raise AssertionError("the demo has no closed visit with photos")


def close_a_visit_with_photos(db: Database) -> str:
    """The demo's closed visits have PDFs but no photos: one completed visit with photos becomes issued."""
    with db.session() as s:
        for v in s.scalars(select(Visit).where(Visit.state == "completed").order_by(Visit.id)):
            if s.scalar(select(Photo.id).where(Photo.visit_id == v.id).limit(1)):
                v.state, v.issued_on, v.pending_sync = "issued", v.visited_on, True
                s.commit()
                return v.id
    raise AssertionError("the demo has no completed visit with photos")


@pytest.fixture
def pulled(server: Server, laptop) -> tuple[Server, Database, Database]:
    """The demo agency pushed by its administrator, then a new laptop's first pull (as administrator)."""
    a = laptop("a")
    close_a_visit_with_photos(a)
    first = sync(a, server.url, server.token("nicolas"))
    assert first.counts_match and not first.conflicts, first.summary()
    b = laptop("b", empty=True)
    return server, a, b


def test_first_pull_leaves_closed_visits_files_on_the_server(pulled) -> None:
    server, a, b = pulled
    report = sync(b, server.url, server.token("nicolas"))
    assert report.counts_match and not report.warnings, report.summary()  # nothing reported missing
    open_files, closed_files = files_by_openness(b)
    assert open_files and closed_files
    assert all(p.is_file() for p in open_files.values())  # open visits: fetched by the sync as before
    assert not any(p.is_file() for p in closed_files.values())  # closed ones: rows only
    assert report.files_downloaded == len(open_files)
    with b.engine.connect() as conn:
        photos_a = conn.execute(text("SELECT count(*) FROM photos")).scalar()
    with a.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM photos")).scalar() == photos_a  # every row arrived
    assert local.missing_files(b) == {}  # nothing left for the sync itself
    assert set(local.missing_files(b, all_files=True)) == set(closed_files)

    again = sync(b, server.url, server.token("nicolas"))  # a later sync does not fetch them either
    assert again.files_downloaded == 0 and again.counts_match and not again.warnings, again.summary()


def test_on_demand_fetch_gets_the_visit_files_verified(pulled) -> None:
    server, a, b = pulled
    sync(b, server.url, server.token("nicolas"))
    visit_id = closed_visit_with_photos(b)
    assert visit_files_on_demand(b, visit_id)
    absent = visit_missing_files(b, visit_id)
    assert absent and {m.table for m in absent} >= {"photos"}
    with pytest.raises(PhotoError, match="restées sur le serveur") as refused:
        require_photo_files(b, visit_id)  # a reprint says which photos are missing and how to fetch them
    with b.session() as s:
        first_name = s.scalars(select(Photo.original_name).where(Photo.visit_id == visit_id)
                               .order_by(Photo.created_at, Photo.id)).first()
    assert first_name in str(refused.value)

    result = fetch_visit_files(b, server.url, server.token("nicolas"), visit_id)
    assert result.complete and result.downloaded == len(absent), result.summary()
    for item in absent:
        path = b.path.parent / item.relative
        assert hashlib.sha256(path.read_bytes()).hexdigest() == item.sha256
        assert path.read_bytes() == (a.path.parent / item.relative).read_bytes()
    assert visit_missing_files(b, visit_id) == [] and missing_photo_files(b, visit_id) == []
    require_photo_files(b, visit_id)  # the document may now be rendered
    assert fetch_visit_files(b, server.url, server.token("nicolas"), visit_id).downloaded == 0  # nothing to do
    leftovers = [p for p in (b.path.parent / "photos").rglob(".*")]
    assert leftovers == []


def test_a_corrupted_download_is_refused_and_nothing_written(pulled) -> None:
    server, _a, b = pulled
    sync(b, server.url, server.token("nicolas"))
    visit_id = closed_visit_with_photos(b)
    absent = visit_missing_files(b, visit_id)
    victim = absent[0]
    stored = server.blob_dir / victim.sha256[:2] / victim.sha256
    stored.write_bytes(b"\xff\xd8 not the photo that was sent " + stored.read_bytes()[:100])  # damaged on the server

    result = fetch_visit_files(b, server.url, server.token("nicolas"), visit_id)
    assert not result.complete
    assert [name for name, _ in result.failed] == [victim.name]
    assert "empreinte" in result.failed[0][1]
    assert not (b.path.parent / victim.relative).exists()  # whole or absent: nothing half-written
    assert result.downloaded == len(absent) - 1
    assert [m.sha256 for m in visit_missing_files(b, visit_id)] == [victim.sha256]
    leftovers = [p for p in (b.path.parent / "photos").rglob(".*")]
    assert leftovers == []


def test_all_files_option_fetches_everything(pulled) -> None:
    server, _a, b = pulled
    with b.engine.begin() as conn:
        state.put(conn, state.ALL_FILES, True)
    report = sync(b, server.url, server.token("nicolas"))
    open_files, closed_files = files_by_openness(b)
    assert all(p.is_file() for p in {**open_files, **closed_files}.values())
    assert report.files_downloaded == len(open_files) + len(closed_files), report.summary()
    assert local.missing_files(b, all_files=True) == {}


def test_inspector_pull_also_leaves_closed_files_and_fetches_own_visit(pulled) -> None:
    server, a, _b = pulled
    visit_id = closed_visit_with_photos(a)
    with a.session() as s:
        evaluator = s.get(Visit, visit_id).evaluator_id
    account = next(name for name, pid in server.people.items() if pid == evaluator and name != "nicolas")
    c_db = _empty_laptop(a)
    try:
        report = sync(c_db, server.url, server.token(account))
        assert report.counts_match and not report.warnings, report.summary()
        assert visit_missing_files(c_db, visit_id)
        result = fetch_visit_files(c_db, server.url, server.token(account), visit_id)
        assert result.complete and visit_missing_files(c_db, visit_id) == []
    finally:
        c_db.close()


def _empty_laptop(near: Database) -> Database:
    from inspector.db.database import open_database

    folder = near.path.parent.parent / "laptop-inspector"
    folder.mkdir()
    return open_database(folder / "inspector.sqlite")
