"""Content-addressed files on the server: resumable uploads (offset), SHA-256 verified, stored once, safe names."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

from starlette.requests import ClientDisconnect, Request

from ..sync.protocol import SHA256_RE
from .errors import ApiError

CHUNK = 1 << 20


def check_name(sha256: str) -> str:
    """Only 64 lowercase hex characters name a blob: nothing else ever reaches the file system."""
    if not SHA256_RE.match(sha256):
        raise ApiError(400, "invalid_blob_name", "Nom de fichier invalide : une empreinte SHA-256 (64 caractères "
                                                 "hexadécimaux) est attendue.")
    return sha256


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    """Files under `root/ab/<sha256>`; uploads in progress under `root/partial/<sha256>.part`."""

    def __init__(self, root: Path, max_bytes: int):
        self.root = root
        self.max_bytes = max_bytes
        self.partial_dir = root / "partial"
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, asyncio.Lock] = {}

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / check_name(sha256)

    def partial(self, sha256: str) -> Path:
        return self.partial_dir / f"{check_name(sha256)}.part"

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def offset(self, sha256: str) -> int:
        """Bytes received so far of an upload in progress (0 when none)."""
        part = self.partial(sha256)
        return part.stat().st_size if part.exists() else 0

    def lock(self, sha256: str) -> asyncio.Lock:
        return self._locks.setdefault(sha256, asyncio.Lock())

    def store_bytes(self, data: bytes) -> str:
        """Store whole bytes (grids published by an administrator); returns their SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            part = self.partial(sha)
            part.write_bytes(data)
            self._finish(sha, part)
        return sha

    def _finish(self, sha256: str, part: Path) -> None:
        dest = self.path(sha256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with part.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(part, dest)
        _fsync_dir(dest.parent)

    async def receive(self, request: Request, sha256: str, offset: int, total: int) -> tuple[int, bool]:
        """Append the request body at `offset` of an upload of `total` bytes; verify and keep it when complete.

        Returns (bytes received so far, complete). A dropped connection keeps what arrived, for a resume.
        """
        if total > self.max_bytes:
            raise ApiError(413, "blob_too_large", f"Fichier trop volumineux ({total} octets ; maximum "
                                                  f"{self.max_bytes} octets).")
        async with self.lock(sha256):
            if self.has(sha256):
                return total, True
            current = self.offset(sha256)
            if offset != current:
                raise ApiError(409, "offset_mismatch", f"Reprise à l'octet {current} attendue (reçu {offset}).",
                               {"offset": current})
            part = self.partial(sha256)
            received = current
            try:
                with part.open("ab") as fh:
                    try:
                        async for chunk in request.stream():
                            if received + len(chunk) > total:
                                fh.truncate(current)
                                raise ApiError(413, "blob_too_large", "Le fichier envoyé dépasse la taille annoncée.")
                            fh.write(chunk)
                            received += len(chunk)
                    except ClientDisconnect:
                        pass
                    fh.flush()
                    os.fsync(fh.fileno())
            finally:
                if part.exists() and part.stat().st_size == 0:
                    part.unlink()
            if received < total:
                return received, False
            digest = hashlib.sha256()
            with part.open("rb") as fh:
                while block := fh.read(CHUNK):
                    digest.update(block)
            if digest.hexdigest() != sha256:
                part.unlink()
                raise ApiError(422, "digest_mismatch", "Le contenu reçu ne correspond pas à son empreinte SHA-256 : "
                                                       "fichier rejeté, renvoyez-le.")
            self._finish(sha256, part)
            return total, True
