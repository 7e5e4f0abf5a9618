"""Grid versions on the server: validated, stored as content-addressed files, pulled by laptops (old ones stay)."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ..grids.loader import parse_grid
from ..grids.registry import grid_files
from ..grids.validate import GridError
from ..sync import protocol
from .blobs import BlobStore
from .errors import ApiError
from .models import Record, Sequence, utcnow
from .push import index_fields, lock_sequence
from .schemas import GridOut

_NAMESPACE = uuid.UUID("6f1d4a52-3c0e-4f0b-9a51-2b7e8f1c9d30")


def grid_row_id(grid_id: str, version: str, sha256: str) -> str:
    """A stable UUID for one grid version (same file, same id on every server)."""
    return str(uuid.uuid5(_NAMESPACE, f"{grid_id}\n{version}\n{sha256}"))


def publish(sessions: sessionmaker[Session], store: BlobStore, data: bytes, account_id: str | None) -> GridOut:
    """Validate a grid file and record it; publishing the same file again changes nothing."""
    try:
        grid = parse_grid(data, "grille envoyée")
    except GridError as exc:
        raise ApiError(422, "invalid_grid", f"Grille invalide : {exc}") from None
    sha = store.store_bytes(data)
    row_id = grid_row_id(grid.id, grid.version, sha)
    payload = {"grid_id": grid.id, "version": grid.version, "sha256": sha, "kind": grid.kind}
    with sessions() as s:
        seq = lock_sequence(s)
        created = s.get(Record, ("grids", row_id)) is None
        if created:
            seq += 1
            s.add(Record(table_name="grids", row_id=row_id, version=1, seq=seq, deleted=False,
                         digest=protocol.digest(payload), data=protocol.canonical(payload), modified_at=utcnow(),
                         modified_by=account_id, device="serveur", **index_fields("grids", row_id, payload)))
            s.execute(update(Sequence).where(Sequence.id == 1).values(last=seq))
        s.commit()
    return GridOut(id=row_id, grid_id=grid.id, version=grid.version, sha256=sha, created=created)


def seed_bundled(sessions: sessionmaker[Session], store: BlobStore) -> int:
    """Publish the grids this installation ships (at start); returns how many were new."""
    with sessions() as s:
        known = set(s.scalars(select(Record.sha256).where(Record.table_name == "grids")))
    added = 0
    for path in grid_files():
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() in known:
            continue
        try:
            added += publish(sessions, store, data, None).created
        except ApiError:
            continue  # an invalid file on the search path is reported by `inspector grid validate`, not here
    return added
