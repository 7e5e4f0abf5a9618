"""Small charts drawn with QPainter (QtCharts is not shipped): horizontal bar charts and target progress cards."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QSizePolicy, QToolTip, QVBoxLayout, QWidget

SERIES_COLORS = ("#3b6e99", "#9db7cf", "#c9a227")


@dataclass(frozen=True)
class BarItem:
    """One row of a bar chart: its label, one value per series (stacked), and a tooltip."""

    label: str
    values: tuple[int, ...]
    tooltip: str = ""

    @property
    def total(self) -> int:
        return sum(self.values)


class BarChart(QWidget):
    """Horizontal bars, one row per item (stacked when there are several series), the total printed after the bar.

    Hovering a row shows its tooltip; the accessible description lists every row as text.
    """

    ROW = 22
    PAD = 6

    def __init__(self, parent: QWidget | None = None, *, series: tuple[str, ...] = ()):
        super().__init__(parent)
        self._items: list[BarItem] = []
        self._series = series
        self._empty_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    # data
    def set_items(self, items: list[BarItem], *, empty_text: str = "") -> None:
        self._items = list(items)
        self._empty_text = empty_text
        self.setAccessibleDescription("; ".join(f"{i.label} : {i.total}" for i in self._items) or empty_text)
        self.updateGeometry()
        self.update()

    def set_series(self, names: tuple[str, ...]) -> None:
        self._series = names
        self.updateGeometry()
        self.update()

    def items(self) -> list[BarItem]:
        return list(self._items)

    # geometry
    def _legend_height(self) -> int:
        return self.ROW if len(self._series) > 1 else 0

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        rows = max(len(self._items), 1)
        return QSize(360, rows * self.ROW + 2 * self.PAD + self._legend_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(200, self.sizeHint().height())

    def _label_width(self) -> int:
        fm = self.fontMetrics()
        widest = max((fm.horizontalAdvance(i.label) for i in self._items), default=0)
        return min(widest + 10, int(self.width() * 0.42))

    def _row_at(self, pos: QPoint) -> int:
        row = (pos.y() - self.PAD - self._legend_height()) // self.ROW
        return row if 0 <= row < len(self._items) else -1

    # painting
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        if not self._items:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            return
        fm = self.fontMetrics()
        top = self.PAD
        if len(self._series) > 1:
            x = self.PAD
            for i, name in enumerate(self._series):
                p.fillRect(QRect(x, top + 5, 12, 12), QColor(SERIES_COLORS[i % len(SERIES_COLORS)]))
                p.setPen(text)
                p.drawText(QRect(x + 16, top, fm.horizontalAdvance(name) + 4, self.ROW),
                           Qt.AlignmentFlag.AlignVCenter, name)
                x += fm.horizontalAdvance(name) + 36
            top += self.ROW
        label_w = self._label_width()
        value_w = fm.horizontalAdvance("000000") + 8
        bar_x = self.PAD + label_w
        bar_w = max(10, self.width() - bar_x - value_w - self.PAD)
        peak = max((i.total for i in self._items), default=0) or 1
        for row, item in enumerate(self._items):
            y = top + row * self.ROW
            p.setPen(text)
            label = fm.elidedText(item.label, Qt.TextElideMode.ElideRight, label_w - 8)
            p.drawText(QRect(self.PAD, y, label_w - 8, self.ROW),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, label)
            x = float(bar_x)
            for i, value in enumerate(item.values):
                w = bar_w * value / peak
                if w > 0:
                    p.fillRect(QRect(int(x), y + 4, max(1, round(w)), self.ROW - 8),
                               QColor(SERIES_COLORS[i % len(SERIES_COLORS)]))
                x += w
            p.setPen(text)
            p.drawText(QRect(int(x) + 4, y, value_w, self.ROW), Qt.AlignmentFlag.AlignVCenter, str(item.total))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row = self._row_at(event.pos())
            if row >= 0:
                item = self._items[row]
                QToolTip.showText(event.globalPos(), item.tooltip or f"{item.label} : {item.total}", self)
            else:
                QToolTip.showText(event.globalPos(), self.toolTip(), self)
            return True
        return super().event(event)


class ProgressCard(QFrame):
    """A key figure against its target: title, « done / target », a progress bar and a note under it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setWordWrap(True)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.value = QLabel()
        big = QFont(self.value.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.value.setFont(big)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.bar)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_figure(self, *, title: str, done: int, target: int, value_text: str, note: str = "",
                   tooltip: str = "") -> None:
        self.title.setText(title)
        self.value.setText(value_text)
        rate = round(100 * done / target) if target else 0
        self.bar.setRange(0, max(target, 1))
        self.bar.setValue(min(done, max(target, 1)) if target else 0)
        self.bar.setFormat(f"{rate} %" if target else "—")
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.setToolTip(tooltip)
        self.setAccessibleName(title)
        self.setAccessibleDescription(f"{value_text} ({rate} %). {note}".strip())
