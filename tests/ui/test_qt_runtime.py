"""Guards on the Qt runtime itself: PySide6 6.12.0 decremented True's refcount on every signal emission."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int)


def test_signal_emission_does_not_corrupt_python_booleans(qapp) -> None:
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(500):
        emitter.ping.emit(1)
    # PySide6 6.12.0 lost one reference to True per emit, and the app aborted once the count reached zero.
    assert abs(sys.getrefcount(True) - before) < 50
