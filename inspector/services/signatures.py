"""The owner's signature drawn on screen: stored by content with the visit, printed on the proposition."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from ..db.database import Database
from ..db.models import Document
from ..storage import write_once
from .common import Changed, OpResult, ServiceError, audit
from .documents import documents_root
from .visits import get_visit

KIND = "owner_signature"


def save_owner_signature(db: Database, *, visit_id: str, png: bytes, user_id: str | None = None) -> OpResult[Path]:
    """Keep the drawn signature (a PNG) with the visit; a new drawing replaces the previous one for new documents."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(png)) as img:
            if img.format != "PNG" or img.width < 50 or img.height < 20:
                raise ServiceError("Signature illisible : dessinez-la à nouveau.")
    except (UnidentifiedImageError, OSError):
        raise ServiceError("Signature illisible : dessinez-la à nouveau.") from None
    digest, rel = write_once(documents_root(db), png, ".png")
    with db.session() as s:
        get_visit(s, visit_id)
        previous = s.scalar(select(Document).where(Document.visit_id == visit_id, Document.kind == KIND)
                            .order_by(Document.revision.desc()).limit(1))
        doc = Document(visit_id=visit_id, kind=KIND, revision=previous.revision + 1 if previous else 1,
                       replaces_id=previous.id if previous else None, stored_path=rel.as_posix(), sha256=digest,
                       issued_by_id=user_id)
        s.add(doc)
        s.flush()
        audit(s, user_id=user_id, action="signature.owner", table="documents", row_id=doc.id, sha256=digest)
        s.commit()
        return OpResult(documents_root(db) / rel, Changed().add("documents", doc.id))


def owner_signature(db: Database, visit_id: str) -> Path | None:
    """The latest signature drawn by the owner for this visit, if any (and if its file is there)."""
    with db.session() as s:
        doc = s.scalar(select(Document).where(Document.visit_id == visit_id, Document.kind == KIND)
                       .order_by(Document.revision.desc()).limit(1))
        if doc is None:
            return None
        path = documents_root(db) / doc.stored_path
        return path if path.exists() else None
