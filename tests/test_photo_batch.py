"""Batch photo import: each file on its own, refused files named with their reason, rows in the given order."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspector.db.database import Database
from inspector.db.models import Photo, Visit
from inspector.services import photo_batch
from inspector.services.common import ServiceError, VisitLocked


def jpeg(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> Path:
    Image.new("RGB", size, colour).save(path, "JPEG")
    return path


def photo_count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Photo))


def test_twenty_files_three_broken_seventeen_imported_in_order(db: Database, visit_id: str, tmp_path: Path) -> None:
    src = tmp_path / "carte"
    src.mkdir()
    files = [jpeg(src / f"IMG_{i:04d}.jpg", (10 * i, 100, 200 - 5 * i), size=(900, 600)) for i in range(17)]
    corrupt = src / "IMG_9001.jpg"
    corrupt.write_bytes(files[0].read_bytes()[:900])  # a truncated JPEG
    text = src / "IMG_9002.jpg"
    text.write_text("Liste des pièces : cuisine, salle d'eau", encoding="utf-8")
    empty = src / "IMG_9003.jpg"
    empty.write_bytes(b"")
    sources = files[:5] + [corrupt] + files[5:11] + [text] + files[11:] + [empty]
    calls: list[tuple[int, int, str]] = []

    result = photo_batch.import_photos(db, visit_id=visit_id, sources=sources, max_side=400,
                                       progress=lambda done, total, name: calls.append((done, total, name)))

    assert len(result.imported) == 17
    assert [name for name, _ in result.rejected] == ["IMG_9001.jpg", "IMG_9002.jpg", "IMG_9003.jpg"]
    reasons = dict(result.rejected)
    assert "endommagée" in reasons["IMG_9001.jpg"]
    assert "ce n'est pas une image lisible" in reasons["IMG_9002.jpg"]
    assert reasons["IMG_9003.jpg"] == "fichier vide."
    assert not any(reason.startswith("IMG_") for reason in reasons.values())  # the name is not repeated
    assert result.changed.rows == {"photos": {p.id for p in result.imported}}
    assert calls[0] == (0, 20, "")
    assert [c[0] for c in calls[1:]] == list(range(1, 21))
    assert [c[2] for c in calls[1:]] == [p.name for p in sources]
    assert all(max(p.width, p.height) == 400 for p in result.imported)
    assert photo_count(db) == 17
    with db.session() as s:
        names = s.scalars(select(Photo.original_name).order_by(Photo.created_at)).all()
    assert names == [p.name for p in files]  # database rows follow the order of the sources


def test_a_folder_stands_for_its_images_and_duplicates_are_linked_once(db: Database, visit_id: str,
                                                                         tmp_path: Path) -> None:
    folder = tmp_path / "DCIM"
    folder.mkdir()
    jpeg(folder / "b.JPG", (200, 0, 0))
    jpeg(folder / "a.jpeg", (0, 200, 0))
    Image.new("RGB", (50, 40), (0, 0, 200)).save(folder / "c.png")
    (folder / "notes.txt").write_text("pas une photo", encoding="utf-8")
    (folder / "IMG_0001.CR2").write_bytes(b"raw")
    (tmp_path / "vide").mkdir()

    result = photo_batch.import_photos(db, visit_id=visit_id, sources=[folder, tmp_path / "vide"], criterion="56")

    assert [p.criterion for p in result.imported] == ["56", "56", "56"]
    assert [p.path.suffix for p in result.imported] == [".jpg", ".jpg", ".png"]  # a.jpeg, b.JPG, c.png
    assert result.rejected == [("vide", "aucune image dans ce dossier (JPEG, PNG, WEBP, TIFF).")]

    again = photo_batch.import_photos(db, visit_id=visit_id, sources=[folder / "a.jpeg", folder / "a.jpeg"],
                                      criterion="56")
    assert again.already_present == ["a.jpeg"] and not again.changed.rows
    assert photo_count(db) == 3
    assert [p["criterion"] for p in photo_batch.visit_photos(db, visit_id, "56")] == ["56", "56", "56"]
    assert photo_batch.visit_photos(db, visit_id, "") == []
    assert len(photo_batch.visit_photos(db, visit_id)) == 3
    assert all(Path(p["file"]).exists() for p in photo_batch.visit_photos(db, visit_id))


def test_decoding_runs_in_parallel_but_rows_are_written_by_the_caller(db: Database, visit_id: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    files = [jpeg(tmp_path / f"p{i}.jpg", (i * 40, 50, 50)) for i in range(6)]
    decoders: set[str] = set()
    linkers: set[str] = set()
    real_prepare, real_link = photo_batch.prepare_image, photo_batch._link

    def prepare(source: Path, *, max_side: int | None):
        decoders.add(threading.current_thread().name)
        return real_prepare(source, max_side=max_side)

    def link(*args, **kwargs):
        linkers.add(threading.current_thread().name)
        return real_link(*args, **kwargs)

    monkeypatch.setattr(photo_batch, "prepare_image", prepare)
    monkeypatch.setattr(photo_batch, "_link", link)
    result = photo_batch.import_photos(db, visit_id=visit_id, sources=files)
    assert len(result.imported) == 6
    assert decoders and all(name.startswith("photo-decode") for name in decoders)
    assert linkers == {threading.current_thread().name}


def test_refusals_of_the_whole_batch_come_before_any_file_is_read(db: Database, visit_id: str,
                                                                    tmp_path: Path) -> None:
    src = jpeg(tmp_path / "x.jpg", (1, 2, 3))
    with pytest.raises(ServiceError, match="Critère 500 inconnu"):
        photo_batch.import_photos(db, visit_id=visit_id, sources=[src], criterion="500")
    with db.session() as s:
        s.get(Visit, visit_id).state = "completed"
        s.commit()
    with pytest.raises(VisitLocked):
        photo_batch.import_photos(db, visit_id=visit_id, sources=[src])
    assert photo_count(db) == 0
    assert not (db.path.parent / "photos").exists()


def test_remove_photos_unlinks_several(db: Database, visit_id: str, tmp_path: Path) -> None:
    files = [jpeg(tmp_path / f"p{i}.jpg", (i * 60, 10, 10)) for i in range(3)]
    imported = photo_batch.import_photos(db, visit_id=visit_id, sources=files).imported
    res = photo_batch.remove_photos(db, photo_ids=[imported[0].id, imported[2].id])
    assert res.changed.rows == {"photos": {imported[0].id, imported[2].id}}
    assert [p["id"] for p in photo_batch.visit_photos(db, visit_id)] == [imported[1].id]
