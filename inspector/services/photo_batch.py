"""Photos imported by the batch: decoded in parallel, stored one by one, each broken file refused by name."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..db.database import Database
from ..db.models import Photo
from ..storage import write_once
from .common import Changed, OpResult, ServiceError
from .photos import PhotoError, PhotoInfo, link_photo, photos_root, prepare_image
from .visits import check_editable, get_visit, grid_of

Progress = Callable[[int, int, str], None]

#: Files decoded at the same time: Pillow releases the GIL while decoding, resizing and encoding, so two workers
#: keep two cores busy; more would only add memory (a 12 MP photo is 36 MB once decoded).
DECODE_WORKERS = 2

#: What a folder contributes: files with these extensions (the formats `photos.ACCEPTED` takes).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff"})


@dataclass
class PhotoBatchResult:
    """What a batch import did: the photos now attached, the files refused (name, reason), what changed."""

    imported: list[PhotoInfo] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)  # file names whose content the visit already had
    changed: Changed = field(default_factory=Changed)


@dataclass(frozen=True)
class _Stored:
    digest: str
    rel: Path
    size: int
    width: int
    height: int


def _reason(name: str, exc: Exception) -> str:
    """The message of a refusal without the leading « name : » (the name is reported beside it)."""
    text = str(exc)
    prefix = f"{name} : "
    return text[len(prefix):] if text.startswith(prefix) else text


def _prepare_and_write(root: Path, source: Path, max_side: int | None) -> _Stored:
    """Worker side: check, decode, downscale and store the content (content-addressed, so writes may overlap)."""
    try:
        data, suffix, width, height = prepare_image(source, max_side=max_side)
    except OSError as exc:  # vanished or unreadable between the checks and the read
        raise PhotoError(f"{source.name} : fichier illisible ({exc.strerror or exc}).") from None
    digest, rel = write_once(root, data, suffix)
    return _Stored(digest, rel, len(data), width, height)


def expand_sources(sources: Sequence[Path | str]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to import: each file as given, each folder replaced by its image files (by name, not recursive).

    Returns the files and the refusals (name, reason) for folders that hold no image or cannot be read.
    Files given one by one are not filtered by extension: the decoder says whether they are images.
    """
    files: list[Path] = []
    refused: list[tuple[str, str]] = []
    seen: set[Path] = set()
    for raw in sources:
        path = Path(raw)
        if path.is_dir():
            try:
                found = sorted((c for c in path.iterdir() if c.suffix.lower() in IMAGE_SUFFIXES
                                and not c.name.startswith(".") and c.is_file()), key=lambda c: c.name.casefold())
            except OSError as exc:
                refused.append((path.name, f"dossier illisible ({exc.strerror or exc})."))
                continue
            if not found:
                refused.append((path.name, "aucune image dans ce dossier (JPEG, PNG, WEBP, TIFF)."))
        else:
            found = [path]
        for file in found:
            if file not in seen:
                seen.add(file)
                files.append(file)
    return files, refused


def _check_visit(db: Database, visit_id: str, criterion: str) -> None:
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        if criterion and not grid_of(v).has_criterion(criterion):
            raise ServiceError(f"Critère {criterion} inconnu dans la grille de la visite.")


def _link(db: Database, *, visit_id: str, criterion: str, name: str, stored: _Stored,
          user_id: str | None) -> tuple[PhotoInfo, bool]:
    """Attach stored content to the visit (once per visit and criterion); True when a row was created."""
    return link_photo(db, visit_id=visit_id, criterion=criterion, name=name, digest=stored.digest, rel=stored.rel,
                      width=stored.width, height=stored.height, size=stored.size, user_id=user_id)


def import_photos(db: Database, *, visit_id: str, sources: Sequence[Path | str], criterion: str = "",
                  max_side: int | None = None, progress: Progress | None = None,
                  user_id: str | None = None) -> PhotoBatchResult:
    """Import files for a visit (or one criterion): each file on its own, a refused file never stops the others.

    A folder in `sources` stands for its image files (see `expand_sources`). Decoding and downscaling run on
    `DECODE_WORKERS` threads; database rows are written here, one by one, in the order of `sources`.
    `progress(done, total, file_name)` is called once with done=0, then after each file. A visit that cannot
    take photos (locked, unknown criterion) raises `ServiceError` before any file is read.
    """
    _check_visit(db, visit_id, criterion)
    paths, refused = expand_sources(sources)
    result = PhotoBatchResult(rejected=refused)
    total = len(paths)
    if progress is not None:
        progress(0, total, "")
    if not paths:
        return result
    root = photos_root(db)
    workers = min(DECODE_WORKERS, total)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="photo-decode") as pool:
        # A short window of files ahead: enough to keep the workers busy, few prepared files held in memory.
        pending: deque[tuple[Path, Future[_Stored]]] = deque()
        queue = iter(paths)

        def refill() -> None:
            while len(pending) < workers + 1:
                source = next(queue, None)
                if source is None:
                    return
                pending.append((source, pool.submit(_prepare_and_write, root, source, max_side)))

        refill()
        done = 0
        while pending:
            source, future = pending.popleft()
            refill()
            name = source.name
            try:
                stored = future.result()
            except PhotoError as exc:
                result.rejected.append((name, _reason(name, exc)))
            except OSError as exc:  # the copy could not be written (disk full, permissions)
                result.rejected.append((name, f"enregistrement impossible ({exc.strerror or exc})."))
            except Exception as exc:  # a decoder failing in an unforeseen way on a malformed file
                result.rejected.append((name, f"ce n'est pas une image lisible ou elle est endommagée ({exc})."))
            else:
                info, created = _link(db, visit_id=visit_id, criterion=criterion, name=name, stored=stored,
                                      user_id=user_id)
                result.imported.append(info)
                if created:
                    result.changed.add("photos", info.id)
                else:
                    result.already_present.append(name)
            done += 1
            if progress is not None:
                progress(done, total, name)
    return result


def remove_photos(db: Database, *, photo_ids: Sequence[str], user_id: str | None = None) -> OpResult[list[str]]:
    """Unlink several photos from their visit (see `photos.remove_photo`); stops at the first refusal."""
    from .photos import remove_photo

    changed = Changed()
    removed: list[str] = []
    for photo_id in photo_ids:
        res = remove_photo(db, photo_id=photo_id, user_id=user_id)
        removed.append(res.value)
        for table, ids in res.changed.rows.items():
            changed.add(table, *ids)
    return OpResult(removed, changed)


def visit_photos(db: Database, visit_id: str, criterion: str | None = None) -> list[dict[str, Any]]:
    """The photos of a visit (or of one criterion) as in `queries.visit_detail`, plus `file`: the absolute path."""
    root = photos_root(db)
    with db.session() as s:
        stmt = select(Photo).where(Photo.visit_id == visit_id)
        if criterion is not None:
            stmt = stmt.where(Photo.criterion == criterion)
        return [
            {"id": p.id, "criterion": p.criterion, "sha256": p.sha256, "path": p.stored_path, "caption": p.caption,
             "width": p.width, "height": p.height, "file": os.fspath(root / p.stored_path)}
            for p in s.scalars(stmt.order_by(Photo.created_at, Photo.id))
        ]
