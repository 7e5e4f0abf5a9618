"""Issuing documents: laid out before anything changes; a correction is a new revision that says what it replaces."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from inspector.db.database import Database, open_database
from inspector.db.models import Visit
from inspector.services import documents
from inspector.services.common import ServiceError

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from inspector.demo_data import build_demo_database

    folder = tmp_path_factory.mktemp("docs-demo")
    db = open_database(folder / "inspector.sqlite")
    build_demo_database(db, today=TODAY)
    db.close()
    return folder


@pytest.fixture
def db(tmp_path: Path, demo_file: Path) -> Database:
    shutil.copytree(demo_file, tmp_path / "data")
    database = open_database(tmp_path / "data" / "inspector.sqlite")
    yield database
    database.close()


def completed_visit(db: Database) -> str:
    with db.session() as s:
        return s.scalar(select(Visit.id).where(Visit.state == "completed", Visit.kind == "classement",
                                               Visit.superseded.is_(False)).limit(1))


def text(pdf_path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf_path.read_bytes())).pages)


def test_issue_then_correct_with_a_reason(db: Database) -> None:
    vid = completed_visit(db)
    first = documents.issue_document(db, visit_id=vid, kind="certificat", issued_on=TODAY).value
    assert first.revision == 1 and documents.verify_document(db, first.id)
    assert hashlib.sha256(first.path.read_bytes()).hexdigest() == first.sha256
    with db.session() as s:
        assert s.get(Visit, vid).state == "issued"
    with pytest.raises(ServiceError, match="demande un motif"):
        documents.issue_document(db, visit_id=vid, kind="certificat", issued_on=TODAY)
    second = documents.issue_document(db, visit_id=vid, kind="certificat", issued_on=TODAY,
                                      reason="Adresse du loueur corrigée").value
    assert second.revision == 2 and second.replaces_id == first.id and second.sha256 != first.sha256
    body = " ".join(text(second.path).split())
    assert "remplace la révision 1" in body and "Adresse du loueur corrigée" in body and "-D2" in body
    assert first.path.exists() and documents.verify_document(db, first.id)  # never regenerated in place


def test_a_layout_failure_changes_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.reports import certificat

    vid = completed_visit(db)

    def broken(*_args, **_kwargs) -> bytes:
        raise RuntimeError("mise en page impossible")

    monkeypatch.setattr(certificat, "render_certificat", broken)
    with pytest.raises(ServiceError, match="n'a pas pu être mis en page"):
        documents.issue_document(db, visit_id=vid, kind="certificat", issued_on=TODAY)
    with db.session() as s:
        assert s.get(Visit, vid).state == "completed"
    assert documents.list_documents(db, vid) == []


def test_a_category_the_visit_does_not_reach_is_refused_before_storing(db: Database) -> None:
    vid = completed_visit(db)
    folder = db.path.parent / "documents"
    before = sorted(folder.rglob("*.pdf")) if folder.exists() else []
    with pytest.raises(ServiceError, match="n'atteint pas 5★"):
        documents.issue_document(db, visit_id=vid, kind="certificat", issued_on=TODAY, proposed_category=5)
    assert documents.list_documents(db, vid) == []
    assert (sorted(folder.rglob("*.pdf")) if folder.exists() else []) == before
