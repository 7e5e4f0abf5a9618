"""The one task runner: long work runs on a QThreadPool; results, progress and errors come back on the UI thread.

Contract: the callable runs on a worker thread and must only touch plain data and its own database session
(services open one per call). It receives ids and plain values, returns plain values, never widgets or ORM
objects. Callbacks run on the UI thread.
"""

from __future__ import annotations

import itertools
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Signals(QObject):
    finished = Signal(int, object)
    failed = Signal(int, object, str)
    progress = Signal(int, int, int, str)


class _Job(QRunnable):
    def __init__(self, task_id: int, fn: Callable[..., Any], args: tuple, kwargs: dict, signals: _Signals,
                 with_progress: bool):
        super().__init__()
        self.task_id, self.fn, self.args, self.kwargs = task_id, fn, args, kwargs
        self.signals, self.with_progress = signals, with_progress
        self.setAutoDelete(True)

    def run(self) -> None:
        kwargs = dict(self.kwargs)
        if self.with_progress:
            kwargs["progress"] = lambda done, total, label="": self.signals.progress.emit(self.task_id, done, total,
                                                                                           label)
        try:
            result = self.fn(*self.args, **kwargs)
        except Exception as exc:  # reported to the UI thread, which shows a clear message
            self.signals.failed.emit(self.task_id, exc, traceback.format_exc())
            return
        self.signals.finished.emit(self.task_id, result)


class TaskRunner(QObject):
    """Runs callables off the UI thread, one pool for the whole app; counts what is running."""

    busy_changed = Signal(bool)
    progress = Signal(str, int, int)  # label, done, total (for the status bar)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._signals = _Signals(self)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)
        self._signals.progress.connect(self._on_progress)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None, Callable | None]] = {}
        self._ids = itertools.count(1)
        self.last_error: str = ""

    def run(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[Exception], None] | None = None,
            on_progress: Callable[[int, int, str], None] | None = None, **kwargs: Any) -> int:
        """Start `fn(*args, **kwargs)` on a worker; if `on_progress` is given, fn gets a `progress` callable."""
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error, on_progress)
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Job(task_id, fn, args, kwargs, self._signals, on_progress is not None))
        return task_id

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def _pop(self, task_id: int) -> tuple[Callable | None, Callable | None, Callable | None]:
        callbacks = self._callbacks.pop(task_id, (None, None, None))
        if not self._callbacks:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(int, object)
    def _on_finished(self, task_id: int, result: Any) -> None:
        on_done, _, _ = self._pop(task_id)
        if on_done is not None:
            on_done(result)

    @Slot(int, object, str)
    def _on_failed(self, task_id: int, exc: Exception, trace: str) -> None:
        _, on_error, _ = self._pop(task_id)
        self.last_error = trace
        if on_error is not None:
            on_error(exc)

    @Slot(int, int, int, str)
    def _on_progress(self, task_id: int, done: int, total: int, label: str) -> None:
        _, _, on_progress = self._callbacks.get(task_id, (None, None, None))
        if on_progress is not None:
            on_progress(done, total, label)
        self.progress.emit(label, done, total)

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """For tests and shutdown: process events until every task has reported back."""
        from PySide6.QtCore import QCoreApplication

        deadline = time.monotonic() + timeout_s
        while self._callbacks and time.monotonic() < deadline:
            self.pool.waitForDone(10)
            QCoreApplication.processEvents()
        return not self._callbacks
