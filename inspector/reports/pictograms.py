"""Tourisme & Handicap family symbols for letters: the agency's official images when provided, else drawn ones.

The official T&H pictograms are trademarks that Inspector does not ship. An agency that holds them drops them in
its data folder as `pictograms/<family>.png` (auditif, mental, moteur, visuel) and they replace the drawn symbols.
The drawn symbols are deliberately plain and generic (black and white shapes) and are always captioned with the
family's name; documents using them say that they are not the official logos.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Ellipse, Line, PolyLine, Rect, String, Wedge
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image

from .base import BOLD, register_fonts

FAMILIES = ("auditif", "mental", "moteur", "visuel")
FAMILY_NAMES = {"auditif": "Auditif", "mental": "Mental", "moteur": "Moteur", "visuel": "Visuel"}
DRAWN_NOTICE = ("Symboles des familles dessinés par Inspector : ils ne sont pas les pictogrammes officiels du label "
                "Tourisme & Handicap.")


def official_image(folder: Path | None, family: str) -> Path | None:
    """The agency's image for this family (`<folder>/<family>.png`), if present and readable."""
    if folder is None:
        return None
    path = Path(folder) / f"{family}.png"
    if not path.is_file():
        return None
    try:
        from PIL import Image as PILImage

        with PILImage.open(path) as img:
            img.verify()
    except Exception:
        return None
    return path


def uses_drawn(families: tuple[str, ...] | list[str], folder: Path | None) -> bool:
    """True when at least one of these families is printed with a drawn symbol."""
    return any(official_image(folder, f) is None for f in families)


def _moteur(d: Drawing, s: float) -> None:
    """A seated person on a wheel (generic accessibility sign)."""
    w = s * 0.05
    d.add(Circle(s * 0.45, s * 0.80, s * 0.07, fillColor=colors.black, strokeColor=None))
    d.add(PolyLine([s * 0.45, s * 0.70, s * 0.45, s * 0.48, s * 0.66, s * 0.48, s * 0.74, s * 0.26],
                   strokeWidth=w, strokeColor=colors.black, strokeLineCap=1, strokeLineJoin=1))
    d.add(Line(s * 0.45, s * 0.62, s * 0.62, s * 0.62, strokeWidth=w, strokeColor=colors.black, strokeLineCap=1))
    d.add(Wedge(s * 0.42, s * 0.38, s * 0.20, 100, 370, strokeWidth=w * 0.8, strokeColor=colors.black,
                fillColor=None, annular=False))


def _arc(cx: float, cy: float, r: float, start: float, end: float, steps: int = 24) -> list[float]:
    """Points of an open arc (degrees, counter-clockwise from start to end)."""
    points: list[float] = []
    for i in range(steps + 1):
        a = math.radians(start + (end - start) * i / steps)
        points += [cx + r * math.cos(a), cy + r * math.sin(a)]
    return points


def _auditif(d: Drawing, s: float) -> None:
    """An ear (an open outer curve and an inner hook) crossed by a slanted bar."""
    w = s * 0.05
    outer = _arc(s * 0.52, s * 0.60, s * 0.20, -40, 190) + [s * 0.36, s * 0.40, s * 0.42, s * 0.24]
    d.add(PolyLine(outer, strokeWidth=w, strokeColor=colors.black, strokeLineCap=1, strokeLineJoin=1))
    d.add(PolyLine(_arc(s * 0.52, s * 0.60, s * 0.08, 0, 200), strokeWidth=w * 0.8, strokeColor=colors.black,
                   strokeLineCap=1))
    d.add(Line(s * 0.20, s * 0.20, s * 0.80, s * 0.86, strokeWidth=w * 0.9, strokeColor=colors.black,
               strokeLineCap=1))


def _visuel(d: Drawing, s: float) -> None:
    """An eye (almond and pupil) crossed by a slanted bar."""
    w = s * 0.05
    d.add(Ellipse(s * 0.50, s * 0.54, s * 0.30, s * 0.16, strokeWidth=w, strokeColor=colors.black,
                  fillColor=None))
    d.add(Circle(s * 0.50, s * 0.54, s * 0.08, fillColor=colors.black, strokeColor=None))
    d.add(Line(s * 0.22, s * 0.24, s * 0.78, s * 0.84, strokeWidth=w * 0.9, strokeColor=colors.black,
               strokeLineCap=1))


def _mental(d: Drawing, s: float) -> None:
    """A head and shoulders with a simple speech bubble (understanding and communication)."""
    w = s * 0.05
    d.add(Circle(s * 0.38, s * 0.56, s * 0.15, strokeWidth=w, strokeColor=colors.black, fillColor=None))
    d.add(PolyLine(_arc(s * 0.38, s * 0.14, s * 0.22, 20, 160), strokeWidth=w, strokeColor=colors.black,
                   strokeLineCap=1))
    d.add(Rect(s * 0.58, s * 0.66, s * 0.28, s * 0.16, rx=s * 0.04, ry=s * 0.04, strokeWidth=w * 0.8,
               strokeColor=colors.black, fillColor=None))
    d.add(PolyLine([s * 0.64, s * 0.66, s * 0.58, s * 0.59, s * 0.70, s * 0.66], strokeWidth=w * 0.8,
                   strokeColor=colors.black))


_DRAWERS = {"moteur": _moteur, "auditif": _auditif, "visuel": _visuel, "mental": _mental}


def drawn_symbol(family: str, size: float = 22 * mm, caption: str | None = None) -> Drawing:
    """A generic symbol for a family, framed, with its name beneath."""
    register_fonts()
    label = caption or FAMILY_NAMES.get(family, family)
    text_h = size * 0.22
    d = Drawing(size, size + text_h)
    d.add(Rect(0, text_h, size, size, rx=size * 0.08, ry=size * 0.08, strokeWidth=1, strokeColor=colors.black,
               fillColor=colors.white))
    symbol = Drawing(size, size)
    _DRAWERS.get(family, _mental)(symbol, size)
    for shape in symbol.contents:
        shape_copy: Any = shape
        d.add(_shift(shape_copy, text_h))
    d.add(String(size / 2, text_h * 0.25, label, fontName=BOLD, fontSize=max(6.0, size * 0.13),
                 textAnchor="middle"))
    return d


def _shift(shape: Any, dy: float) -> Any:
    from reportlab.graphics.shapes import Group

    group = Group(shape)
    group.translate(0, dy)
    return group


def pictogram(family: str, *, size: float = 22 * mm, folder: Path | None = None, caption: str | None = None) -> Any:
    """The flowable printed for a family: the agency's image (`<folder>/<family>.png`) or the drawn symbol."""
    path = official_image(folder, family)
    if path is not None:
        try:
            return Image(str(path), width=size, height=size, kind="proportional")
        except Exception:
            pass
    return drawn_symbol(family, size, caption)
