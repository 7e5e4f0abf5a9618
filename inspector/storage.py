"""Files written so that they are whole or absent: atomic replace, and content-addressed stores (SHA-256)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file through a temporary sibling, fsync, then rename: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_once(root: Path, data: bytes, suffix: str) -> tuple[str, Path]:
    """Store bytes under their SHA-256 (`ab/abcdef….suffix` below root); an identical file is written once."""
    digest = hashlib.sha256(data).hexdigest()
    rel = Path(digest[:2]) / f"{digest}{suffix}"
    dest = root / rel
    if not (dest.exists() and dest.stat().st_size == len(data)):
        write_atomic(dest, data)
    return digest, rel
