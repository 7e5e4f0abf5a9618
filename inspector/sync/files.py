"""Photos, PDFs and grids between laptop and server: resumable uploads of what the server lacks, verified downloads."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import NETWORK, SERVER, SyncError
from .http import Api, failure
from .protocol import SHA256_RE, STORED_PATH_RE

PART = 4 * 1024 * 1024  # bytes per upload request: a dropped connection costs at most this much again
RETRIES = 4
Progress = Callable[[str, int, int], None]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def missing(api: Api, shas: list[str]) -> dict[str, int]:
    """The files the server lacks among `shas`, with the bytes it already has of each."""
    lacking: dict[str, int] = {}
    for start in range(0, len(shas), 1000):
        body = api.json("POST", "/blobs/missing", json={"sha256": shas[start:start + 1000]})
        lacking.update({m["sha256"]: int(m["offset"]) for m in body["missing"]})
    return lacking


def upload(api: Api, sha: str, path: Path, offset: int = 0, *, part: int = PART) -> int:
    """Send a file from `offset` in parts; after a dropped connection ask where to resume. Returns bytes sent."""
    total = path.stat().st_size
    sent = 0
    failures = 0
    while True:
        try:
            with path.open("rb") as fh:
                fh.seek(offset)
                chunk = fh.read(part)
            body = api.json("PUT", f"/blobs/{sha}", content=chunk,
                            headers={"Upload-Offset": str(offset), "Upload-Length": str(total),
                                     "Content-Type": "application/octet-stream"})
            sent += len(chunk)
            if body["complete"]:
                return sent
            offset = int(body["offset"])
        except SyncError as exc:
            if failures >= RETRIES:
                raise
            failures += 1
            if exc.code == "offset_mismatch" and isinstance(exc.details, dict):
                offset = int(exc.details.get("offset", 0))
            elif exc.category == NETWORK:
                offset = int(api.json("GET", f"/blobs/{sha}/upload")["offset"])
            else:
                raise


def upload_missing(api: Api, files: dict[str, Path], progress: Progress | None = None) -> tuple[int, int, list[str]]:
    """Upload the files the server lacks (checked against their name first). Returns (files, bytes, warnings).

    A file absent here is a problem only when the server lacks it too: a row copied from a closed visit (a
    revision) names a file left on the server (fetched on demand).
    """
    warnings: list[str] = []
    lacking = missing(api, sorted(files))
    count = sent = 0
    for sha in sorted(sha for sha in lacking if not files[sha].is_file()):
        warnings.append(f"Fichier absent du poste, non envoyé : {files[sha].name}")
    lacking = {sha: offset for sha, offset in lacking.items() if files[sha].is_file()}
    for sha, offset in sorted(lacking.items()):
        path = files[sha]
        if sha256_file(path) != sha:
            warnings.append(f"Fichier altéré sur le poste (empreinte différente), non envoyé : {path.name}")
            continue
        sent += upload(api, sha, path, offset)
        count += 1
        if progress:
            progress("envoi des fichiers", count, len(lacking))
    return count, sent, warnings


def download(api: Api, sha: str, dest: Path) -> int:
    """Fetch a file into `dest` (whole or absent: temporary file, SHA-256 check, fsync, rename). Returns bytes."""
    if not SHA256_RE.match(sha):
        raise SyncError(SERVER, "Nom de fichier reçu invalide.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{sha[:12]}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            try:
                with api.client.stream("GET", f"/blobs/{sha}") as response:
                    if response.status_code >= 400:
                        response.read()
                        raise failure(response)
                    for block in response.iter_bytes(1 << 20):
                        digest.update(block)
                        fh.write(block)
                        size += len(block)
            except SyncError:
                raise
            except Exception as exc:
                raise SyncError(NETWORK, f"Téléchargement interrompu ({type(exc).__name__}).") from None
            fh.flush()
            os.fsync(fh.fileno())
        if digest.hexdigest() != sha:
            raise SyncError(SERVER, f"Fichier reçu altéré (empreinte différente) : {sha[:12]}…",
                            code="digest_mismatch")
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return size


def safe_destination(root: Path, relative: str) -> Path | None:
    """Where a pulled photo or document goes: only `photos|documents/ab/<sha>.<ext>`, never elsewhere."""
    kind, _, rest = relative.partition("/")
    if kind not in ("photos", "documents") or not STORED_PATH_RE.match(rest):
        return None
    return root / kind / rest


def grid_file_name(data: dict[str, Any]) -> str:
    """A harmless file name for a pulled grid version."""
    def clean(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]", "_", str(text))[:60] or "grille"

    return f"{clean(data['grid_id'])}@{clean(data['version'])}-{str(data['sha256'])[:12]}.json"
