"""Photos of a visit: checked with Pillow, stored once by content (SHA-256), optionally downscaled, captioned."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..db.database import Database
from ..db.models import Photo
from ..storage import write_once
from .common import Changed, NotFound, OpResult, ServiceError, audit, tombstone
from .visits import check_editable, get_visit, grid_of

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_PIXELS = 120_000_000
ACCEPTED = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "MPO": ".jpg"}


class PhotoError(ServiceError):
    """A file that cannot be imported as a photo; the message names the file."""


@dataclass(frozen=True)
class PhotoInfo:
    """A stored photo, as plain data."""

    id: str
    visit_id: str
    criterion: str
    sha256: str
    path: Path
    width: int
    height: int
    caption: str


def photos_root(db: Database) -> Path:
    return db.path.parent / "photos"


def _thumbnail_size(width: int, height: int, side: int) -> tuple[int, int]:
    """The size `Image.thumbnail((side, side))` gives a width×height image (same rounding)."""

    def round_aspect(number: float, key: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    aspect = width / height
    if aspect <= 1:
        return round_aspect(side * aspect, key=lambda n: abs(aspect - n / side)), side
    return side, round_aspect(side / aspect, key=lambda n: 0 if n == 0 else abs(aspect - side / n))


def _draft_for_downscale(img: Any, max_side: int | None) -> tuple[int, int] | None:
    """JPEG fast path: let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers the downscaled size.

    Returns the final (upright) size to resize to, or None when the image is decoded at full size as before.
    """
    if max_side is None or img.format not in ("JPEG", "MPO") or max(img.size) <= max_side:
        return None
    width, height = img.size
    rotated = img.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # exif_transpose swaps width and height
    fitted = _thumbnail_size(height, width, max_side) if rotated else _thumbnail_size(width, height, max_side)
    raw = (fitted[1], fitted[0]) if rotated else fitted
    if min(width // raw[0], height // raw[1]) < 2:
        return None  # no reduced scale covers the target: full decode, as thumbnail() does
    img.draft(None, raw)
    return fitted


def prepare_image(source: Path, *, max_side: int | None) -> tuple[bytes, str, int, int]:
    """Check a file and return the bytes to store (original, or downscaled JPEG with EXIF orientation applied)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = source.name
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise PhotoError(f"{name} : fichier illisible ({exc.strerror or exc}).") from None
    if size == 0:
        raise PhotoError(f"{name} : fichier vide.")
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 10**6
        raise PhotoError(f"{name} : fichier trop volumineux ({size / 1e6:.0f} Mo, maximum {limit} Mo).")
    data = source.read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(f"{name} : image trop grande ({probe.width}×{probe.height} pixels).")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            fitted = _draft_for_downscale(img, max_side)
            img.load()
            upright = ImageOps.exif_transpose(img)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoError(f"{name} : ce n'est pas une image lisible ou elle est endommagée ({exc}).") from None
    if fmt not in ACCEPTED:
        raise PhotoError(f"{name} : format {fmt or 'inconnu'} non accepté (JPEG, PNG, WEBP, TIFF).")
    if fitted is None and (max_side is None or max(upright.size) <= max_side):
        return data, ACCEPTED[fmt], upright.width, upright.height
    if fitted is not None:  # decoded at a reduced scale: finish with the resize thumbnail() would have done
        upright = upright.resize(fitted, Image.Resampling.BICUBIC, reducing_gap=2.0)
    else:
        upright.thumbnail((max_side, max_side))
    out = io.BytesIO()
    upright.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), ".jpg", upright.width, upright.height


def import_photo(db: Database, *, visit_id: str, source: str | Path, criterion: str = "", caption: str = "",
                 max_side: int | None = None, user_id: str | None = None) -> OpResult[PhotoInfo]:
    """Store one photo for a visit (or one of its criteria). Re-importing the same image links it once."""
    source = Path(source)
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        if criterion and not grid_of(v).has_criterion(criterion):
            raise ServiceError(f"Critère {criterion} inconnu dans la grille de la visite.")
    data, suffix, width, height = prepare_image(source, max_side=max_side)
    digest, rel = write_once(photos_root(db), data, suffix)
    info, created = link_photo(db, visit_id=visit_id, criterion=criterion, name=source.name, digest=digest,
                               rel=rel, width=width, height=height, size=len(data), caption=caption, user_id=user_id)
    return OpResult(info, Changed().add("photos", info.id) if created else Changed())


def link_photo(db: Database, *, visit_id: str, criterion: str, name: str, digest: str, rel: Path, width: int,
               height: int, size: int, caption: str = "", user_id: str | None = None) -> tuple[PhotoInfo, bool]:
    """Attach stored content to a visit (once per visit and criterion); True when a row was created."""
    with db.session() as s:
        existing = s.scalar(select(Photo).where(Photo.visit_id == visit_id, Photo.sha256 == digest,
                                                Photo.criterion == criterion))
        if existing is not None:
            return _info(db, existing), False
        photo = Photo(visit_id=visit_id, criterion=criterion, sha256=digest, original_name=name,
                      stored_path=rel.as_posix(), width=width, height=height, size_bytes=size, caption=caption)
        s.add(photo)
        s.flush()
        audit(s, user_id=user_id, action="photo.import", table="photos", row_id=photo.id, file=name,
              criterion=criterion)
        s.commit()
        return _info(db, photo), True


def set_caption(db: Database, *, photo_id: str, caption: str, user_id: str | None = None) -> OpResult[str]:
    with db.session() as s:
        photo = s.get(Photo, photo_id)
        if photo is None:
            raise NotFound(f"Photo {photo_id} introuvable.")
        check_editable(get_visit(s, photo.visit_id))
        photo.caption = caption
        photo.pending_sync = True
        photo.row_version += 1
        audit(s, user_id=user_id, action="photo.caption", table="photos", row_id=photo_id, caption=caption)
        s.commit()
        return OpResult(photo_id, Changed().add("photos", photo_id))


def remove_photo(db: Database, *, photo_id: str, user_id: str | None = None) -> OpResult[str]:
    """Unlink a photo from its visit (the file stays: other visits may share the same content)."""
    with db.session() as s:
        photo = s.get(Photo, photo_id)
        if photo is None:
            raise NotFound(f"Photo {photo_id} introuvable.")
        check_editable(get_visit(s, photo.visit_id))
        tombstone(s, "photos", photo_id)
        audit(s, user_id=user_id, action="photo.remove", table="photos", row_id=photo_id)
        s.delete(photo)
        s.commit()
        return OpResult(photo_id, Changed().add("photos", photo_id))


def _info(db: Database, p: Photo) -> PhotoInfo:
    return PhotoInfo(p.id, p.visit_id, p.criterion, p.sha256, photos_root(db) / p.stored_path, p.width, p.height,
                     p.caption)


def missing_photo_files(db: Database, visit_id: str) -> list[PhotoInfo]:
    """Photos of a visit whose file is not on this computer (a closed visit's files stay on the server after a sync
    until they are fetched: `inspector.sync.on_demand.fetch_visit_files`)."""
    with db.session() as s:
        photos = s.scalars(select(Photo).where(Photo.visit_id == visit_id).order_by(Photo.created_at, Photo.id))
        return [info for info in (_info(db, p) for p in photos) if not info.path.is_file()]


def require_photo_files(db: Database, visit_id: str) -> None:
    """Refuse to render a document of this visit while some of its photos are only on the server (names them)."""
    absent = missing_photo_files(db, visit_id)
    if not absent:
        return
    with db.session() as s:
        names = {p.id: p.original_name for p in s.scalars(select(Photo).where(Photo.id.in_([a.id for a in absent])))}
    shown = ", ".join(names.get(a.id) or a.path.name for a in absent[:10])
    more = f" et {len(absent) - 10} autre(s)" if len(absent) > 10 else ""
    raise PhotoError(f"{len(absent)} photo(s) de cette visite ne sont pas sur ce poste ({shown}{more}) : elles sont "
                     "restées sur le serveur de l'agence. Ouvrez la visite et cliquez « Télécharger » dans ses "
                     "photos (ou synchronisez avec « inspector sync --all-files »), puis recommencez.")
