"""The photos of a visit as a list model: captions, criterion, and thumbnails decoded off the UI thread."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QImage, QPainter, QPen, QPixmap
from shiboken6 import isValid

from ..strings import t
from ..tasks import TaskRunner

IdRole = Qt.ItemDataRole.UserRole + 1
CriterionRole = Qt.ItemDataRole.UserRole + 2
FileRole = Qt.ItemDataRole.UserRole + 3  # absolute path of the stored file
ThumbnailRole = Qt.ItemDataRole.UserRole + 4  # QPixmap once decoded, None before (or when the file is unreadable)

THUMB_SIDE = 128  # logical pixels: thumbnails fit in a THUMB_SIDE × THUMB_SIDE box
_CHUNK = 4  # thumbnails decoded per task: few round trips, yet they appear progressively

Index = QModelIndex | QPersistentModelIndex


def make_thumbnail(path: str, side: int) -> QImage | None:
    """Worker thread: a small upright QImage of a photo file, None if unreadable.

    JPEGs are decoded by libjpeg at 1/2..1/8 scale (`draft`), so a 12 MP original costs a few milliseconds.
    """
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as img:
            img.draft("RGB", (side, side))
            upright = ImageOps.exif_transpose(img)  # loads (at the drafted size) and applies the orientation
            upright.thumbnail((side, side), Image.Resampling.BICUBIC)
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            rgb = upright.convert("RGBA" if has_alpha else "RGB")
    except Exception:  # missing, truncated or unsupported file: the model shows a "broken" mark instead
        return None
    fmt = QImage.Format.Format_RGBA8888 if has_alpha else QImage.Format.Format_RGB888
    data = rgb.tobytes()
    image = QImage(data, rgb.width, rgb.height, len(data) // rgb.height, fmt)
    return image.copy()  # own the pixels: `data` is freed when this function returns


def make_thumbnails(paths: list[str], side: int) -> list[tuple[str, QImage | None]]:
    """Worker thread: thumbnails for several files (see `make_thumbnail`)."""
    return [(path, make_thumbnail(path, side)) for path in paths]


class _ThumbnailCache:
    """Thumbnails by (file, pixel size), least recently used dropped first; stored files never change (content hash).

    None marks a file known to be unreadable (so it is not decoded again and again).
    """

    def __init__(self, limit: int = 600):
        self.limit = limit
        self._items: OrderedDict[tuple[str, int], tuple[QPixmap, QIcon] | None] = OrderedDict()

    def get(self, key: tuple[str, int]) -> tuple[bool, tuple[QPixmap, QIcon] | None]:
        if key not in self._items:
            return False, None
        self._items.move_to_end(key)
        return True, self._items[key]

    def put(self, key: tuple[str, int], pixmap: QPixmap | None) -> None:
        if pixmap is None:
            self._items[key] = None
        else:
            icon = QIcon()
            for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
                icon.addPixmap(pixmap, mode)  # a photo is never tinted with the selection colour
            self._items[key] = (pixmap, icon)
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


THUMBNAILS = _ThumbnailCache()


def _placeholder(side: int, broken: bool) -> QIcon:
    """A light frame while the thumbnail is decoded; a crossed frame when the file cannot be read."""
    pix = QPixmap(side, side * 3 // 4)
    pix.fill(QColor("#eeeeee"))
    p = QPainter(pix)
    p.setPen(QPen(QColor("#c0c0c0"), 1))
    p.drawRect(0, 0, pix.width() - 1, pix.height() - 1)
    if broken:
        p.setPen(QPen(QColor("#c62828"), 2))
        p.drawLine(8, 8, pix.width() - 9, pix.height() - 9)
        p.drawLine(pix.width() - 9, 8, 8, pix.height() - 9)
    p.end()
    return QIcon(pix)


class PhotoListModel(QAbstractListModel):
    """Photos as plain dicts (id, criterion, sha256, path, caption, width, height, file); editing sets the caption.

    The model never writes to the database: an edited caption is emitted with `caption_edited` for the owner to
    save through the services. Thumbnails are decoded by `runner` (when given) and cached by file.
    """

    caption_edited = Signal(str, str)  # photo id, new caption
    thumbnails_changed = Signal()  # some thumbnails arrived (tests and benchmarks wait on it)

    def __init__(self, parent: Any = None, *, runner: TaskRunner | None = None, thumb_side: int = THUMB_SIDE):
        super().__init__(parent)
        self._photos: list[dict[str, Any]] = []
        self._editable = False
        self._runner = runner
        self.thumb_side = thumb_side
        self._pending: set[tuple[str, int]] = set()
        self._loading_icon: QIcon | None = None
        self._broken_icon: QIcon | None = None

    # ----- content -------------------------------------------------------------------------------------------

    def set_photos(self, photos: list[dict[str, Any]]) -> None:
        """Show these photos; rows already shown stay (selection and scrolling are kept when photos are added)."""
        new = [dict(p) for p in photos]
        new_ids = [p["id"] for p in new]
        wanted = set(new_ids)
        for row in range(len(self._photos) - 1, -1, -1):
            if self._photos[row]["id"] not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._photos[row]
                self.endRemoveRows()
        kept = [p["id"] for p in self._photos]
        kept_set = set(kept)
        if kept != [i for i in new_ids if i in kept_set]:  # reordered: start again
            self.beginResetModel()
            self._photos = new
            self.endResetModel()
        else:
            for row, photo in enumerate(new):
                if row < len(self._photos) and self._photos[row]["id"] == photo["id"]:
                    if self._photos[row] != photo:
                        self._photos[row] = photo
                        idx = self.index(row)
                        self.dataChanged.emit(idx, idx)
                    continue
                self.beginInsertRows(QModelIndex(), row, row)
                self._photos.insert(row, photo)
                self.endInsertRows()
        self._request_thumbnails()

    def set_editable(self, editable: bool) -> None:
        if editable != self._editable:
            self._editable = editable
            if self._photos:
                self.dataChanged.emit(self.index(0), self.index(len(self._photos) - 1))

    @property
    def editable(self) -> bool:
        return self._editable

    def photo(self, row: int) -> dict[str, Any]:
        return dict(self._photos[row])

    def photos(self) -> list[dict[str, Any]]:
        return [dict(p) for p in self._photos]

    def row_of(self, photo_id: str) -> int:
        return next((row for row, p in enumerate(self._photos) if p["id"] == photo_id), -1)

    def retranslate(self) -> None:
        if self._photos:
            self.dataChanged.emit(self.index(0), self.index(len(self._photos) - 1),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                   Qt.ItemDataRole.AccessibleTextRole])

    # ----- thumbnails ----------------------------------------------------------------------------------------

    def _pixel_side(self) -> tuple[int, float]:
        app = QGuiApplication.instance()
        dpr = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
        return round(self.thumb_side * dpr), dpr

    def thumbnail(self, row: int) -> QPixmap | None:
        """The decoded thumbnail of a row, None while it is being decoded or if its file is unreadable."""
        side, _ = self._pixel_side()
        cached = THUMBNAILS.get((self._photos[row].get("file", ""), side))[1]
        return cached[0] if cached is not None else None

    def thumbnails_pending(self) -> int:
        """Rows whose thumbnail is not decoded yet (0 once every thumbnail is shown or known to be broken)."""
        side, _ = self._pixel_side()
        return sum(1 for p in self._photos if not THUMBNAILS.get((p.get("file", ""), side))[0])

    def _request_thumbnails(self) -> None:
        if self._runner is None:
            return
        side, _ = self._pixel_side()
        missing: list[str] = []
        for p in self._photos:
            key = (p.get("file", ""), side)
            if key[0] and key not in self._pending and not THUMBNAILS.get(key)[0]:
                self._pending.add(key)
                missing.append(key[0])
        for start in range(0, len(missing), _CHUNK):
            self._runner.run(make_thumbnails, missing[start:start + _CHUNK], side,
                             on_done=lambda items, s=side: self._thumbnails_ready(items, s),
                             on_error=lambda _exc, chunk=missing[start:start + _CHUNK], s=side:
                             self._thumbnails_ready([(f, None) for f in chunk], s))

    def _thumbnails_ready(self, items: list[tuple[str, QImage | None]], side: int) -> None:
        if not isValid(self):  # the model was deleted while its thumbnails were being decoded
            return
        _, dpr = self._pixel_side()
        files = set()
        for file, image in items:
            self._pending.discard((file, side))
            pixmap = None
            if image is not None and not image.isNull():
                pixmap = QPixmap.fromImage(image)  # UI thread only: QPixmap lives in the window system
                pixmap.setDevicePixelRatio(dpr)
            THUMBNAILS.put((file, side), pixmap)
            files.add(file)
        for row, p in enumerate(self._photos):
            if p.get("file") in files:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole, ThumbnailRole])
        self.thumbnails_changed.emit()

    def _icon(self, row: int) -> QIcon:
        side, _ = self._pixel_side()
        known, cached = THUMBNAILS.get((self._photos[row].get("file", ""), side))
        if cached is not None:
            return cached[1]
        if known:
            if self._broken_icon is None:
                self._broken_icon = _placeholder(self.thumb_side, broken=True)
            return self._broken_icon
        if self._loading_icon is None:
            self._loading_icon = _placeholder(self.thumb_side, broken=False)
        return self._loading_icon

    # ----- Qt model ------------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._photos)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self._editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _label(self, p: dict[str, Any]) -> str:
        if p["caption"]:
            return p["caption"]
        if p["criterion"]:
            return t("photos.no_caption_criterion", code=p["criterion"])
        return t("photos.no_caption")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._photos):
            return None
        p = self._photos[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._label(p)
        if role == Qt.ItemDataRole.EditRole:
            return p["caption"]
        if role == Qt.ItemDataRole.FontRole and not p["caption"]:
            font = QFont()
            font.setItalic(True)  # "(sans légende)" is not a caption
            return font
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(index.row())
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            where = t("photos.criterion", code=p["criterion"]) if p["criterion"] else t("photos.visit_level")
            lines = [self._label(p), where, t("photos.size", width=p["width"], height=p["height"])]
            known, cached = THUMBNAILS.get((p.get("file", ""), self._pixel_side()[0]))
            if known and cached is None:
                lines.append(t("photos.unreadable"))
            return "\n".join(lines) if role == Qt.ItemDataRole.ToolTipRole else " — ".join(lines)
        if role == IdRole:
            return p["id"]
        if role == CriterionRole:
            return p["criterion"]
        if role == FileRole:
            return p.get("file", "")
        if role == ThumbnailRole:
            return self.thumbnail(index.row())
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self._editable:
            return False
        if not 0 <= index.row() < len(self._photos):
            return False
        caption = str(value if value is not None else "").strip()
        p = self._photos[index.row()]
        if caption == p["caption"]:
            return True
        p["caption"] = caption
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                                             Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole])
        self.caption_edited.emit(p["id"], caption)
        return True

    def roleNames(self) -> dict[int, bytes]:
        names = dict(super().roleNames())
        names.update({IdRole: b"photoId", CriterionRole: b"criterion", FileRole: b"file",
                      ThumbnailRole: b"thumbnail"})
        return names
