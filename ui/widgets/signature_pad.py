"""A pad on which the owner signs with the mouse, a finger or a stylus; the drawing becomes a PNG."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from ..strings import t


class SignaturePad(QWidget):
    """Records strokes; `png()` renders them in black on white (prints well)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(480, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setAccessibleName(t("signature.title"))
        self.paths: list[QPainterPath] = []

    def clear(self) -> None:
        self.paths = []
        self.update()

    @property
    def empty(self) -> bool:
        return not any(p.elementCount() > 1 for p in self.paths)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        path = QPainterPath(event.position())
        self.paths.append(path)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.paths and event.buttons() & Qt.MouseButton.LeftButton:
            self.paths[-1].lineTo(event.position())
            self.update()

    def add_stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a stroke programmatically (tests, replays)."""
        if not points:
            return
        path = QPainterPath(QPointF(*points[0]))
        for x, y in points[1:]:
            path.lineTo(QPointF(x, y))
        self.paths.append(path)
        self.update()

    def _draw(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("black"), 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        for path in self.paths:
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#9e9e9e"), 1, Qt.PenStyle.DashLine))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        self._draw(painter)
        painter.end()

    def png(self) -> bytes:
        image = QImage(self.size(), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        self._draw(painter)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(buffer.data())


class SignatureDialog(QDialog):
    """Asks for the owner's signature; `png()` after exec() returns it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(t("signature.title"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(t("signature.hint")))
        self.pad = SignaturePad()
        lay.addWidget(self.pad, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        clear = QPushButton(t("signature.clear"))
        clear.clicked.connect(self.pad.clear)
        buttons.addButton(clear, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _accept(self) -> None:
        if not self.pad.empty:
            self.accept()

    def png(self) -> bytes:
        return self.pad.png()
