"""Photos: checked, content-addressed, downscaled with EXIF orientation applied, broken files refused by name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspector.db.database import Database
from inspector.db.models import Photo
from inspector.services import photos
from inspector.services.common import ServiceError


def jpeg(path: Path, size: tuple[int, int] = (1200, 800), orientation: int | None = None) -> Path:
    img = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    img.save(path, "JPEG", exif=exif.tobytes())
    return path


def test_original_is_kept_content_addressed_and_imported_once(db: Database, visit_id: str, tmp_path: Path) -> None:
    src = jpeg(tmp_path / "cuisine.jpg")
    first = photos.import_photo(db, visit_id=visit_id, source=src, criterion="56", caption="Coin cuisine").value
    assert first.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    assert first.path == db.path.parent / "photos" / first.sha256[:2] / f"{first.sha256}.jpg"
    assert first.path.read_bytes() == src.read_bytes()
    again = photos.import_photo(db, visit_id=visit_id, source=src, criterion="56")
    assert again.value.id == first.id and not again.changed.rows
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Photo)) == 1


def test_downscaled_copy_honours_exif_orientation(db: Database, visit_id: str, tmp_path: Path) -> None:
    src = jpeg(tmp_path / "sdb.jpg", size=(4000, 3000), orientation=6)  # camera held upright: rotate 90°
    info = photos.import_photo(db, visit_id=visit_id, source=src, max_side=1600).value
    with Image.open(info.path) as stored:
        assert stored.size == (1200, 1600)
    assert (info.width, info.height) == (1200, 1600)
    assert info.sha256 == hashlib.sha256(info.path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "fichier vide"),
        (b"not an image at all", "ce n'est pas une image lisible"),
        (None, "ce n'est pas une image lisible"),  # a truncated JPEG
    ],
)
def test_broken_files_are_refused_by_name_and_nothing_is_stored(db: Database, visit_id: str, tmp_path: Path,
                                                                content: bytes | None, message: str) -> None:
    bad = tmp_path / "IMG_0042.jpg"
    if content is None:
        full = jpeg(tmp_path / "full.jpg").read_bytes()
        bad.write_bytes(full[: len(full) // 3])
    else:
        bad.write_bytes(content)
    with pytest.raises(photos.PhotoError, match=f"IMG_0042.jpg : {message}"):
        photos.import_photo(db, visit_id=visit_id, source=bad)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Photo)) == 0
    assert not (db.path.parent / "photos").exists() or not any((db.path.parent / "photos").rglob("*.jpg"))


def test_caption_remove_and_unknown_criterion(db: Database, visit_id: str, tmp_path: Path) -> None:
    png = tmp_path / "vue.png"
    Image.new("RGB", (64, 48), (0, 0, 255)).save(png)
    info = photos.import_photo(db, visit_id=visit_id, source=png).value
    assert info.path.suffix == ".png"
    photos.set_caption(db, photo_id=info.id, caption="Vue mer")
    photos.remove_photo(db, photo_id=info.id)
    assert info.path.exists()  # content stays: it may be shared
    with pytest.raises(ServiceError, match="Critère 500 inconnu"):
        photos.import_photo(db, visit_id=visit_id, source=png, criterion="500")
