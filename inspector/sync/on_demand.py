"""Files of closed visits, fetched when someone opens them: a pull leaves them on the server (Qt-free)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select

from ..db.database import Database
from . import files, protocol, rules
from .errors import SyncError
from .http import Api

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class MissingFile:
    """A photo or PDF named by a row of this laptop whose file is not here."""

    table: str  # photos | documents
    row_id: str
    name: str  # what people recognise: the photo's original name, the document's kind and revision
    sha256: str
    relative: str  # photos/ab/<sha>.<ext> or documents/ab/<sha>.pdf, under the data folder


@dataclass
class FetchResult:
    """What `fetch_visit_files` did: files downloaded (verified), and those that could not be (with why)."""

    visit_id: str
    downloaded: int = 0
    bytes: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (name, reason in French)

    @property
    def complete(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        lines = [f"{self.downloaded} fichier(s) téléchargé(s) depuis le serveur."]
        lines += [f"{name} : {why}" for name, why in self.failed]
        return "\n".join(lines)


def visit_missing_files(db: Database, visit_id: str) -> list[MissingFile]:
    """The photos and documents of one visit whose file is not on this laptop (one entry per file)."""
    root = db.path.parent
    found: list[MissingFile] = []
    seen: set[str] = set()
    with db.engine.connect() as conn:
        for name, folder in protocol.BLOB_TABLES.items():  # visit-scoped only: a sitting's PV always comes with a sync
            t = protocol.table(name)
            label = t.c.original_name if name == "photos" else t.c.kind
            extra = t.c.revision if name == "documents" else t.c.criterion
            rows = conn.execute(select(t.c.id, label, extra, t.c.sha256, t.c.stored_path)
                                .where(t.c.visit_id == visit_id).order_by(t.c.created_at, t.c.id)).all()
            for row_id, text, more, sha, stored in rows:
                relative = f"{folder}/{stored}"
                if not sha or not stored or sha in seen or (root / relative).is_file():
                    continue
                seen.add(sha)
                shown = f"{text} (révision {more})" if name == "documents" else str(text or stored)
                found.append(MissingFile(name, row_id, shown, sha, relative))
    return found


def visit_files_on_demand(db: Database, visit_id: str) -> bool:
    """Is this visit one whose files a sync leaves on the server (closed: decided or superseded)?"""
    visits = protocol.table("visits")
    with db.engine.connect() as conn:
        row = conn.execute(select(visits.c.state, visits.c.superseded).where(visits.c.id == visit_id)).first()
    return row is not None and rules.files_on_demand(row.state, row.superseded)


def fetch_visit_files(db: Database, server_url: str, token: str, visit_id: str, *,
                      progress: Progress | None = None,
                      transport: httpx.BaseTransport | None = None) -> FetchResult:
    """Download the missing photos and PDFs of one visit from the agency server.

    Each file goes to a temporary file, is checked against its SHA-256 and renamed into place (whole or absent);
    a file the server does not have or that arrives altered is listed in `failed` and nothing is written for it.
    A network or authentication failure raises SyncError (category réseau / authentification): what was already
    downloaded stays.
    """
    root = db.path.parent
    result = FetchResult(visit_id)
    todo = visit_missing_files(db, visit_id)
    if not todo:
        return result
    with Api(server_url.rstrip("/"), token, transport=transport) as api:
        for n, item in enumerate(todo, 1):
            dest = files.safe_destination(root, item.relative)
            if dest is None:
                result.failed.append((item.name, "chemin de fichier non conforme, refusé"))
                continue
            try:
                result.bytes += files.download(api, item.sha256, dest)
                result.downloaded += 1
            except SyncError as exc:
                if exc.status == 404:
                    result.failed.append((item.name, "absent du serveur (pas encore envoyé par son auteur ?)"))
                elif exc.code == "digest_mismatch":
                    result.failed.append((item.name, "reçu altéré (empreinte SHA-256 différente) : refusé, "
                                                     "rien n'a été enregistré"))
                else:
                    raise
            if progress is not None:
                progress("fichiers de la visite", n, len(todo))
    return result

