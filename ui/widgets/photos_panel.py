"""The photos of a visit or of one criterion: thumbnails, import (button or drag and drop), captions, removal."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from inspector.services.photo_batch import PhotoBatchResult, import_photos, remove_photos, visit_photos
from inspector.services.photos import set_caption
from inspector.sync.on_demand import FetchResult, fetch_visit_files

from ..context import AppContext
from ..models.photo_list_model import THUMB_SIDE, THUMBNAILS, IdRole, PhotoListModel
from ..strings import t

_REFRESH_MS = 150  # while importing, the list is re-read at most this often so new photos appear as they land


@dataclass(frozen=True)
class _Batch:
    visit_id: str
    criterion: str
    paths: tuple[Path, ...]


class _PhotoDelegate(QStyledItemDelegate):
    """Thumbnail in a fixed square (captions aligned), caption on up to two lines, an untinted selection frame.

    Edits the caption in a line edit; what the inspector is typing survives a thumbnail arriving meanwhile.
    """

    CAPTION_LINES = 2

    def cell_size(self, widget: QWidget) -> QSize:
        line = widget.fontMetrics().lineSpacing()
        return QSize(THUMB_SIDE + 28, THUMB_SIDE + 10 + self.CAPTION_LINES * line + 6)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return self.cell_size(option.widget) if option.widget is not None else QSize(THUMB_SIDE + 28, THUMB_SIDE + 48)

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.decorationSize = QSize(THUMB_SIDE, THUMB_SIDE)  # every thumbnail centred in the same square
        option.textElideMode = Qt.TextElideMode.ElideRight
        option.displayAlignment = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        if not option.state & QStyle.StateFlag.State_Selected:
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        box = style.subElementRect(QStyle.SubElement.SE_ItemViewItemDecoration, opt, opt.widget)
        actual = opt.icon.actualSize(opt.decorationSize)
        frame = QRect(0, 0, actual.width(), actual.height())
        frame.moveCenter(box.center())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(opt.palette.highlight().color(), 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(frame).adjusted(-2.5, -2.5, 2.5, 2.5), 3, 3)
        painter.restore()

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAccessibleName(t("photos.caption_editor"))
        editor.setPlaceholderText(t("photos.caption_placeholder"))
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QLineEdit):
            if not editor.isModified():
                editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            return
        super().setEditorData(editor, index)


class _PhotoView(QListView):
    """The thumbnails; says what to do when there is none and outlines itself while files are dragged over."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.empty_text = ""
        self.drop_active = False

    def set_drop_active(self, active: bool) -> None:
        if active != self.drop_active:
            self.drop_active = active
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        empty = model is None or model.rowCount() == 0
        if not (self.drop_active or (empty and self.empty_text)):
            return
        p = QPainter(self.viewport())
        rect = self.viewport().rect()
        if self.drop_active:
            p.setPen(QPen(self.palette().highlight().color(), 2, Qt.PenStyle.DashLine))
            p.drawRect(rect.adjusted(2, 2, -3, -3))
        if empty:
            text = t("photos.drop") if self.drop_active else self.empty_text
            p.setPen(self.palette().placeholderText().color())
            p.drawText(rect.adjusted(24, 12, -24, -12), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       text)
        p.end()


class PhotosPanel(QWidget):
    """Thumbnails of a visit's photos (all, or one criterion's), with import, captions and removal.

    Every file and database operation runs through `ctx.runner`; imports of several files report refused files
    by name in the panel (never in a blocking dialog) while the others are imported.
    """

    batch_finished = Signal(object)  # PhotoBatchResult, after each import batch

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._visit_id: str | None = None
        self._criterion: str | None = None
        self._editable = False
        self._generation = 0
        self._queue: deque[_Batch] = deque()
        self._running: _Batch | None = None
        self.setAcceptDrops(True)

        self.model = PhotoListModel(self, runner=ctx.runner)
        self.model.caption_edited.connect(self._save_caption)

        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.choose_files)
        self.caption_button = QPushButton()
        self.caption_button.clicked.connect(self.edit_caption)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self.remove_selected)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.import_button)
        bar.addWidget(self.caption_button)
        bar.addWidget(self.remove_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)

        self.view = _PhotoView()
        self.view.setModel(self.model)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setFlow(QListView.Flow.LeftToRight)
        self.view.setWrapping(True)
        delegate = _PhotoDelegate(self.view)
        self.view.setItemDelegate(delegate)
        self.view.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.view.setGridSize(delegate.cell_size(self.view) + QSize(8, 8))
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.view.setAcceptDrops(False)  # drops go to the panel, which imports them
        self.view.viewport().setAcceptDrops(False)
        self.view.setMinimumHeight(THUMB_SIDE + 56)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.view.selectionModel().currentChanged.connect(self._update_actions)
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view, activated=self.remove_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)

        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()

        self.message_frame = QFrame()
        self.message_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                   | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.message_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._message_scroll = scroll = QScrollArea()
        scroll.setWidget(self.message_label)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.viewport().setAutoFillBackground(False)
        self.message_label.setAutoFillBackground(False)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.clear_message)
        frame_lay = QHBoxLayout(self.message_frame)
        frame_lay.setContentsMargins(8, 4, 4, 4)
        frame_lay.addWidget(scroll, 1)
        frame_lay.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.message_frame.hide()

        self.remote_label = QLabel()
        self.fetch_button = QPushButton()
        self.fetch_button.clicked.connect(self.fetch_from_server)
        self.remote_frame = QFrame()
        remote_lay = QHBoxLayout(self.remote_frame)
        remote_lay.setContentsMargins(0, 0, 0, 0)
        remote_lay.addWidget(self.remote_label, 1)
        remote_lay.addWidget(self.fetch_button)
        self.remote_frame.hide()
        self._on_server = 0
        self._fetching = False

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.remote_frame)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.message_frame)
        self.setTabOrder(self.import_button, self.caption_button)
        self.setTabOrder(self.caption_button, self.remove_button)
        self.setTabOrder(self.remove_button, self.view)
        self.setTabOrder(self.view, self.message_label)
        self.setTabOrder(self.message_label, self.dismiss_button)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(_REFRESH_MS)
        self._refresh_timer.timeout.connect(self.reload)
        ctx.data_changed.connect(self._data_changed)
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        self._apply_editable()

    # ----- public API ----------------------------------------------------------------------------------------

    @property
    def editable(self) -> bool:
        return self._editable

    @property
    def importing(self) -> bool:
        return self._running is not None or bool(self._queue)

    def set_visit(self, visit_id: str, criterion: str | None, editable: bool) -> None:
        """Show the photos of a visit (criterion None) or of one criterion; imports then attach to that criterion."""
        changed = (visit_id, criterion) != (self._visit_id, self._criterion)
        self._visit_id, self._criterion, self._editable = visit_id, criterion, editable
        self._apply_editable()
        self.retranslate()
        if changed:
            self.reload()

    def retranslate(self) -> None:
        self.import_button.setText(t("photos.import"))
        self.import_button.setToolTip(t("photos.import_tip"))
        self.import_button.setAccessibleName(_plain(t("photos.import")))
        self.caption_button.setText(t("photos.caption"))
        self.caption_button.setToolTip(t("photos.caption_tip"))
        self.caption_button.setAccessibleName(_plain(t("photos.caption")))
        self.remove_button.setText(t("photos.remove"))
        self.remove_button.setToolTip(t("photos.remove_tip"))
        self.remove_button.setAccessibleName(_plain(t("photos.remove")))
        title = t("photos.list_criterion", code=self._criterion) if self._criterion else t("photos.list")
        self.view.setAccessibleName(title)
        self.view.setAccessibleDescription(t("photos.list_help") if self._editable else "")
        self.view.empty_text = t("photos.empty") if self._editable else t("photos.empty_readonly")
        self.view.viewport().update()
        self.progress.setAccessibleName(t("photos.progress"))
        self.message_label.setAccessibleName(t("photos.message"))
        self.dismiss_button.setAccessibleName(t("photos.dismiss"))
        self.dismiss_button.setToolTip(t("photos.dismiss"))
        self.remote_label.setText(t("photos.on_server", count=self._on_server))
        self.fetch_button.setText(t("photos.fetch"))
        self.fetch_button.setToolTip(t("photos.fetch_tip"))
        self.fetch_button.setAccessibleName(_plain(t("photos.fetch")))
        self.model.retranslate()
        self._update_count()

    def reload(self) -> None:
        """Re-read the photos from the database (off the UI thread); late answers for another visit are dropped."""
        self._refresh_timer.stop()
        self._generation += 1
        if self._visit_id is None or self.ctx.db is None:
            self.model.set_photos([])
            return
        generation = self._generation
        self.ctx.runner.run(_photos_and_absent, self.ctx.db, self._visit_id, self._criterion,
                            on_done=self._guard(lambda photos: self._loaded(generation, photos)),
                            on_error=self._guard(self._failed))

    def import_files(self, paths: Iterable[str | Path]) -> bool:
        """Import files and folders (a folder = its images) into the shown visit or criterion; False if refused."""
        sources = tuple(Path(p) for p in paths)
        if not sources:
            return False
        if not self._editable or self._visit_id is None or self.ctx.db is None:
            self.show_message(t("photos.read_only"), warning=True)
            return False
        self._queue.append(_Batch(self._visit_id, self._criterion or "", sources))
        self._start_next()
        return True

    def choose_files(self) -> None:
        """Ask for image files with the system file dialog, then import them."""
        if not self._editable:
            return
        start = str(self.ctx.settings.value("photos/last_dir", "") or Path.home())
        files, _ = QFileDialog.getOpenFileNames(self, t("photos.dialog"), start,
                                                f"{t('photos.filter_images')};;{t('photos.filter_all')}")
        if files:
            self.ctx.settings.setValue("photos/last_dir", str(Path(files[0]).parent))
            self.import_files(files)

    def edit_caption(self) -> None:
        index = self.view.currentIndex()
        if self._editable and index.isValid():
            self.view.setFocus()
            self.view.edit(index)

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [self.model.index(r).data(IdRole) for r in rows]

    def remove_selected(self) -> bool:
        """Unlink the selected photos from the visit, after confirmation; False if nothing was asked."""
        ids = self.selected_ids()
        if not ids:
            return False
        if not self._editable:
            self.show_message(t("photos.read_only"), warning=True)
            return False
        answer = QMessageBox.question(self, t("photos.remove_title"), t("photos.remove_confirm", count=len(ids)),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.ctx.runner.run(remove_photos, self.ctx.db, photo_ids=ids, user_id=self.ctx.user_id,
                            on_done=self._guard(self._removed), on_error=self._guard(self._failed))
        return True

    def show_message(self, text: str, *, warning: bool = False) -> None:
        self.message_label.setText(text)
        colour = "#fff4e5" if warning else "#eef6ee"
        border = "#e0a040" if warning else "#8bbf8b"
        self.message_frame.setObjectName("photosMessage")
        self.message_frame.setStyleSheet(f"#photosMessage {{ background: {colour}; border: 1px solid {border}; "
                                         "border-radius: 3px; }")
        self.message_frame.show()
        self._fit_message()

    def _fit_message(self) -> None:
        """As tall as the message, up to about six lines (then it scrolls)."""
        width = max(self._message_scroll.viewport().width(), 200)
        wanted = self.message_label.heightForWidth(width)
        limit = 6 * self.message_label.fontMetrics().lineSpacing() + 4
        self._message_scroll.setFixedHeight(max(min(wanted, limit), self.message_label.fontMetrics().lineSpacing()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.message_frame.isVisible():
            self._fit_message()

    def clear_message(self) -> None:
        self.message_label.clear()
        self.message_frame.hide()

    # ----- import --------------------------------------------------------------------------------------------

    def _start_next(self) -> None:
        if self._running is not None or not self._queue:
            return
        batch = self._running = self._queue.popleft()
        self.progress.setRange(0, 0)  # busy until the worker knows how many files the folders hold
        self.progress.setFormat(t("photos.preparing"))
        self.progress.show()
        self.ctx.runner.run(import_photos, self.ctx.db, visit_id=batch.visit_id, sources=list(batch.paths),
                            criterion=batch.criterion, max_side=self.ctx.photo_max_side, user_id=self.ctx.user_id,
                            on_done=self._guard(self._imported), on_error=self._guard(self._import_failed),
                            on_progress=self._guard(self._import_progress))

    def _import_progress(self, done: int, total: int, name: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        label = name.replace("%", "%%")
        self.progress.setFormat(t("photos.importing", name=label) if name else t("photos.preparing"))
        batch = self._running
        if done and batch is not None and batch.visit_id == self._visit_id and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _imported(self, result: PhotoBatchResult) -> None:
        self._running = None
        self.ctx.notify(result.changed)
        text, warning = _summary(result)
        self.show_message(text, warning=warning)
        self.ctx.message.emit(_status_line(result), 10000)
        self._batch_done()
        self.batch_finished.emit(result)

    def _import_failed(self, exc: Exception) -> None:
        self._running = None
        self.show_message(str(exc), warning=True)
        self.ctx.message.emit(str(exc), 10000)
        self._batch_done()

    def _batch_done(self) -> None:
        self.reload()
        if self._queue:
            self._start_next()
        else:
            self.progress.hide()
            self.progress.reset()

    # ----- loading, captions, removal ------------------------------------------------------------------------

    def _loaded(self, generation: int, loaded: tuple[list[dict[str, Any]], int]) -> None:
        if generation != self._generation:
            return
        photos, self._on_server = loaded
        self.model.set_photos(photos)
        self.remote_label.setText(t("photos.on_server", count=self._on_server))
        self.remote_frame.setVisible(self._on_server > 0)
        self.fetch_button.setEnabled(not self._fetching)
        self._update_actions()

    def fetch_from_server(self) -> bool:
        """Download the shown visit's photos missing here (left on the server by the sync), in the background."""
        from ..screens.sync_dialog import load_config

        if self._visit_id is None or self.ctx.db is None or self._fetching:
            return False
        config = load_config(self.ctx.settings)
        if config is None:
            self.show_message(t("photos.fetch_no_server"), warning=True)
            return False
        self._fetching = True
        self.fetch_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setFormat(t("photos.fetching"))
        self.progress.show()
        self.ctx.runner.run(fetch_visit_files, self.ctx.db, config.server, config.token, self._visit_id,
                            on_done=self._guard(self._fetched), on_error=self._guard(self._fetch_failed))
        return True

    def _fetched(self, result: FetchResult) -> None:
        self._fetch_done()
        THUMBNAILS.clear()  # the files that were missing had been cached as unreadable
        self.show_message(result.summary(), warning=not result.complete)
        self.reload()

    def _fetch_failed(self, exc: Exception) -> None:
        self._fetch_done()
        self.show_message(str(exc), warning=True)
        self.reload()

    def _fetch_done(self) -> None:
        self._fetching = False
        self.fetch_button.setEnabled(True)
        if self._running is None:
            self.progress.hide()
            self.progress.reset()

    def _save_caption(self, photo_id: str, caption: str) -> None:
        self.ctx.runner.run(set_caption, self.ctx.db, photo_id=photo_id, caption=caption, user_id=self.ctx.user_id,
                            on_done=self._guard(lambda res: self.ctx.notify(res.changed)),
                            on_error=self._guard(self._failed))

    def _removed(self, result: Any) -> None:
        self.ctx.notify(result.changed)
        self.ctx.message.emit(t("photos.removed", count=len(result.value)), 5000)
        self.reload()

    def _failed(self, exc: Exception) -> None:
        """A refused change (locked visit, vanished photo): say so and show what the database holds."""
        self.show_message(str(exc), warning=True)
        self.ctx.message.emit(str(exc), 10000)
        self.reload()

    def _data_changed(self, rows: dict[str, set[str]]) -> None:
        if "photos" in rows and self._visit_id is not None and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    # ----- state ---------------------------------------------------------------------------------------------

    def _apply_editable(self) -> None:
        self.model.set_editable(self._editable)
        triggers = (QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                    if self._editable else QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setEditTriggers(triggers)
        self._update_actions()

    def _update_actions(self, *_args: Any) -> None:
        can_edit = self._editable and self._visit_id is not None
        has_selection = bool(self.view.selectionModel().selectedIndexes())
        self.import_button.setEnabled(can_edit)
        self.caption_button.setEnabled(can_edit and self.view.currentIndex().isValid())
        self.remove_button.setEnabled(can_edit and has_selection)

    def _update_count(self, *_args: Any) -> None:
        count = self.model.rowCount()
        self.count_label.setText(t("photos.count", count=count) if count else "")
        self._update_actions()

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """A runner callback that does nothing once the panel has been deleted."""
        def call(*args: Any) -> Any:
            if isValid(self):
                return fn(*args)
            return None
        return call

    # ----- drag and drop -------------------------------------------------------------------------------------

    def _accepts(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        return self._editable and self._visit_id is not None and bool(_local_paths(event))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accepts(event):
            event.setDropAction(Qt.DropAction.CopyAction)  # never Move: the file manager must keep the originals
            event.accept()
            self.view.set_drop_active(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QEvent) -> None:
        self.view.set_drop_active(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self.view.set_drop_active(False)
        if not self._accepts(event):
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.import_files(_local_paths(event))


def _photos_and_absent(db: Any, visit_id: str, criterion: str | None) -> tuple[list[dict[str, Any]], int]:
    """(the photos shown, how many of their files are not on this computer), off the UI thread."""
    photos = visit_photos(db, visit_id, criterion)
    return photos, len({p["sha256"] for p in photos if not Path(p["file"]).is_file()})


def _local_paths(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _plain(text: str) -> str:
    """A button text without its mnemonic marker, for screen readers."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _summary(result: PhotoBatchResult) -> tuple[str, bool]:
    """The panel message after a batch: how many photos, then each refused file with its reason."""
    added = len(result.imported) - len(result.already_present)
    lines = [t("photos.imported", count=added)]
    if result.already_present:
        lines.append(t("photos.already", count=len(result.already_present),
                       names=", ".join(result.already_present)))
    if result.rejected:
        lines.append(t("photos.rejected", count=len(result.rejected)))
        lines.extend(f"• {name} : {reason}" for name, reason in result.rejected)
    return "\n".join(lines), bool(result.rejected)


def _status_line(result: PhotoBatchResult) -> str:
    added = len(result.imported) - len(result.already_present)
    text = t("photos.imported", count=added)
    if result.rejected:
        text += " " + t("photos.rejected_short", count=len(result.rejected),
                        names=", ".join(name for name, _ in result.rejected))
    return text
