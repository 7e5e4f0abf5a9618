"""The photos panel: thumbnails off the UI thread, batch import naming refused files, captions, read-only, drops."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from sqlalchemy import select

from inspector.db.models import Photo, Visit
from inspector.services.photo_batch import visit_photos
from ui.models.photo_list_model import CriterionRole, IdRole, PhotoListModel, ThumbnailRole
from ui.widgets.photos_panel import PhotosPanel


def visit_with_photos(ctx, state: str) -> str:
    with ctx.db.session() as s:
        visit_id = s.scalar(select(Visit.id).join(Photo, Photo.visit_id == Visit.id)
                            .where(Visit.state == state, Visit.superseded.is_(False)).limit(1))
    assert visit_id is not None, state
    return visit_id


def jpeg(path: Path, colour: tuple[int, int, int] = (200, 120, 40), size: tuple[int, int] = (640, 480),
         orientation: int | None = None) -> Path:
    img = Image.new("RGB", size, colour)
    if orientation:
        img.paste((220, 30, 30), (0, 0, size[0] // 2, size[1]))  # left half red, right half the colour
        exif = Image.Exif()
        exif[0x0112] = orientation
        img.save(path, "JPEG", exif=exif.tobytes())
    else:
        img.save(path, "JPEG")
    return path


@pytest.fixture
def panel(qtbot, ctx) -> PhotosPanel:
    widget = PhotosPanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def settle(qtbot, panel: PhotosPanel, rows: int) -> None:
    """Wait until imports are over and `rows` photos are shown, each with its thumbnail decoded."""
    qtbot.waitUntil(lambda: not panel.importing and panel.model.rowCount() == rows
                    and panel.model.thumbnails_pending() == 0, timeout=20000)


def open_visit(qtbot, panel: PhotosPanel, visit_id: str, criterion: str | None = None,
               editable: bool = True) -> int:
    panel.set_visit(visit_id, criterion, editable)
    expected = len(visit_photos(panel.ctx.db, visit_id, criterion))
    settle(qtbot, panel, expected)
    return expected


def test_the_model_passes_the_model_tester(qtbot, qtmodeltester, ctx) -> None:
    model = PhotoListModel(runner=ctx.runner)
    qtmodeltester.check(model)
    photos = visit_photos(ctx.db, visit_with_photos(ctx, "completed"))
    model.set_editable(True)
    model.set_photos(photos)
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: model.thumbnails_pending() == 0, timeout=10000)
    qtmodeltester.check(model)
    model.set_photos(photos[1:])  # rows removed
    model.set_photos(photos[::-1])  # reordered: reset
    model.set_photos([])
    assert model.rowCount() == 0
    model.set_photos(photos)
    qtmodeltester.check(model)
    first = model.index(0)
    assert first.data(IdRole) == photos[0]["id"] and first.data(CriterionRole) == photos[0]["criterion"]
    assert first.data(Qt.ItemDataRole.EditRole) == photos[0]["caption"]


def test_five_photos_one_corrupt_four_thumbnails_and_the_corrupt_file_named(qtbot, ctx, panel, tmp_path) -> None:
    visit_id = visit_with_photos(ctx, "in_progress")
    before = open_visit(qtbot, panel, visit_id)
    files = [jpeg(tmp_path / f"IMG_{i:04d}.jpg", (40 * i, 150, 90)) for i in range(1, 5)]
    corrupt = tmp_path / "IMG_0666.jpg"
    corrupt.write_bytes(files[0].read_bytes()[:700])
    messages: list[str] = []
    changes: list[dict] = []
    ctx.message.connect(lambda text, _ms: messages.append(text))
    ctx.data_changed.connect(changes.append)

    assert panel.import_files(files[:2] + [corrupt] + files[2:])
    assert panel.progress.isVisible()
    settle(qtbot, panel, before + 4)

    shown = [panel.model.index(r) for r in range(panel.model.rowCount())]
    assert all(not idx.data(ThumbnailRole).isNull() for idx in shown)
    assert not panel.progress.isVisible()
    text = panel.message_label.text()
    assert panel.message_frame.isVisible()
    assert "4 photo(s) importée(s)." in text and "1 fichier(s) refusé(s)" in text
    assert "IMG_0666.jpg : ce n'est pas une image lisible ou elle est endommagée" in text
    assert any("IMG_0666.jpg" in m for m in messages)
    assert changes and len(changes[-1]["photos"]) == 4
    with ctx.db.session() as s:
        names = set(s.scalars(select(Photo.original_name).where(Photo.visit_id == visit_id)))
    assert {f.name for f in files} <= names and corrupt.name not in names


@pytest.mark.parametrize("max_side", [2048, 300], ids=["original-kept", "downscaled"])
def test_exif_orientation_6_gives_a_portrait_thumbnail(qtbot, ctx, panel, tmp_path, max_side: int) -> None:
    ctx.settings.setValue("photos/max_side", max_side)
    visit_id = visit_with_photos(ctx, "in_progress")
    before = open_visit(qtbot, panel, visit_id)
    panel.import_files([jpeg(tmp_path / "IMG_0006.jpg", (30, 30, 220), orientation=6)])
    settle(qtbot, panel, before + 1)
    row = panel.model.rowCount() - 1
    pixmap = panel.model.index(row).data(ThumbnailRole)
    assert pixmap.height() > pixmap.width()  # 640×480 held upright: portrait
    image = pixmap.toImage()
    top, bottom = image.pixelColor(image.width() // 2, 5), image.pixelColor(image.width() // 2, image.height() - 5)
    assert top.red() > 180 and top.blue() < 80  # the red left half is now on top (rotated 90° clockwise)
    assert bottom.blue() > 180 and bottom.red() < 80


def test_caption_edited_with_f2_is_saved_in_the_database(qtbot, ctx, panel) -> None:
    visit_id = visit_with_photos(ctx, "in_progress")
    open_visit(qtbot, panel, visit_id)
    index = panel.model.index(0)
    panel.view.setCurrentIndex(index)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_F2)
    editor = panel.view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.accessibleName() == "Légende de la photo"
    editor.selectAll()
    qtbot.keyClicks(editor, "Vue sur la mer depuis le balcon")
    with qtbot.waitSignal(ctx.data_changed, timeout=5000):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Vue sur la mer depuis le balcon"
    with ctx.db.session() as s:
        assert s.get(Photo, index.data(IdRole)).caption == "Vue sur la mer depuis le balcon"


def test_a_criterion_shows_its_photos_and_imports_attach_to_it(qtbot, ctx, panel, tmp_path) -> None:
    visit_id = visit_with_photos(ctx, "in_progress")
    assert open_visit(qtbot, panel, visit_id, criterion="56") == 0
    assert panel.view.accessibleName() == "Photos du critère 56"
    panel.import_files([jpeg(tmp_path / "evier.jpg")])
    settle(qtbot, panel, 1)
    assert panel.model.index(0).data(Qt.ItemDataRole.DisplayRole) == "(sans légende) · critère 56"
    assert [p["criterion"] for p in visit_photos(ctx.db, visit_id, "56")] == ["56"]
    all_photos = open_visit(qtbot, panel, visit_id, criterion=None)
    assert all_photos >= 2


def test_read_only_refuses_import_drop_edit_and_removal(qtbot, ctx, panel, tmp_path, monkeypatch) -> None:
    visit_id = visit_with_photos(ctx, "completed")
    count = open_visit(qtbot, panel, visit_id, editable=False)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("no confirmation when read-only"))
    assert not panel.import_button.isEnabled() and not panel.remove_button.isEnabled()
    assert not panel.import_files([jpeg(tmp_path / "x.jpg")])
    assert "lecture seule" in panel.message_label.text()
    index = panel.model.index(0)
    assert not panel.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not panel.model.setData(index, "Changé")
    panel.view.selectAll()
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert not panel.remove_selected()
    qtbot.keyClick(panel.view, Qt.Key.Key_F2)
    assert panel.view.viewport().findChild(QLineEdit) is None
    enter = _drag_enter(panel, [tmp_path / "x.jpg"])
    assert not enter.isAccepted()
    ctx.runner.wait_idle()
    assert len(visit_photos(ctx.db, visit_id)) == count


def test_delete_asks_then_removes_the_selected_photo(qtbot, ctx, panel, monkeypatch) -> None:
    visit_id = visit_with_photos(ctx, "in_progress")
    count = open_visit(qtbot, panel, visit_id)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    panel.view.setCurrentIndex(panel.model.index(0))
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)  # "No"
    ctx.runner.wait_idle()
    assert len(visit_photos(ctx.db, visit_id)) == count
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)  # "Yes"
    settle(qtbot, panel, count - 1)
    assert len(visit_photos(ctx.db, visit_id)) == count - 1 and not answers


def _mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drag_enter(panel: PhotosPanel, paths: list[Path]) -> QDragEnterEvent:
    mime = _mime(paths)
    event = QDragEnterEvent(QPoint(100, 100), Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    event._mime = mime  # keep the data alive as long as the event
    event.ignore()
    QApplication.sendEvent(panel, event)
    return event


def test_files_and_a_folder_dropped_from_a_file_manager_are_imported(qtbot, ctx, panel, tmp_path) -> None:
    visit_id = visit_with_photos(ctx, "in_progress")
    before = open_visit(qtbot, panel, visit_id)
    folder = tmp_path / "Séjour"
    folder.mkdir()
    jpeg(folder / "IMG_0101.jpg", (10, 200, 10))
    jpeg(folder / "IMG_0102.jpg", (10, 10, 200))
    (folder / "IMG_0101.xmp").write_text("<x:xmpmeta/>", encoding="utf-8")
    single = jpeg(tmp_path / "IMG_0100.jpg", (200, 200, 10))

    enter = _drag_enter(panel, [single, folder])
    assert enter.isAccepted() and enter.dropAction() == Qt.DropAction.CopyAction
    assert panel.view.drop_active
    mime = _mime([single, folder])
    drop = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel, drop)
    assert drop.isAccepted() and drop.dropAction() == Qt.DropAction.CopyAction  # never move the originals
    assert not panel.view.drop_active
    settle(qtbot, panel, before + 3)
    assert single.exists() and (folder / "IMG_0101.jpg").exists()
    with ctx.db.session() as s:
        names = set(s.scalars(select(Photo.original_name).where(Photo.visit_id == visit_id)))
    assert {"IMG_0100.jpg", "IMG_0101.jpg", "IMG_0102.jpg"} <= names


def test_language_switch_retranslates(qtbot, ctx, panel) -> None:
    open_visit(qtbot, panel, visit_with_photos(ctx, "in_progress"))
    ctx.set_language("en")
    try:
        assert panel.import_button.text() == "&Import photos…"
        assert panel.import_button.accessibleName() == "Import photos…"
        assert panel.view.accessibleName() == "Photos of the visit"
    finally:
        ctx.set_language("fr")
    assert panel.import_button.text() == "&Importer des photos…"
