"""Building blocks shared by the documents: identity tables, results block a–h, signatures, photo annex."""

from __future__ import annotations

import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Spacer, Table, TableStyle

from ..i18n import number
from .base import BOLD, FONT, GRID_LINE, HEADER_FILL, PageDecor, para, styles
from .data import PhotoRef, ReportData

PHOTO_MAX_SIDE = 1200
PHOTO_QUALITY = 80
STATUS_WORDS = {"X": "Obligatoire", "O": "À la carte", "NA": "Non applicable", "X ONC": "Obligatoire non compensable",
                "PRQ": "Prérequis", "CU": "Confort d'usage", "R": "Recommandé"}
ANSWER_WORDS = {"yes": "Oui", "no": "Non", "na": "NA", "nc": "Non concerné"}
BODY_LARGE = ParagraphStyle("body_large", fontName=FONT, fontSize=10, leading=13)  # documents put on display


def date_fr(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def decor_for(data: ReportData, title: str, document_id: str, generated_on: dt.date, draft: bool = False) -> PageDecor:
    warning = ""
    if not data.grid.provenance.is_official:
        warning = f"Grille {data.grid.id} : {data.grid.provenance.label_fr()} — ne vaut pas grille officielle"
    if draft:
        warning = ("PROJET — visite non terminée, document sans valeur. " + warning).strip()
    return PageDecor(agency=data.organisation.name, title=title, document_id=document_id,
                     generated_on=date_fr(generated_on), warning=warning)


def table(rows: list[list[Any]], widths: list[float], *, header: bool = True, zebra: bool = False,
          font_size: float = 8) -> Table:
    """A bordered table that prints well in black and white."""
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("GRID", (0, 0), (-1, -1), 0.4, GRID_LINE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), font_size),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL), ("FONTNAME", (0, 0), (-1, 0), BOLD)]
    if zebra:
        style += [("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f4f4")])]
    t.setStyle(TableStyle(style))
    return t


def lines_para(text: str, style: Any) -> Any:
    """A paragraph keeping the text's line breaks (addresses)."""
    from xml.sax.saxutils import escape

    return para("<br/>".join(escape(x) for x in (text or "—").split("\n")), style, markup=True)


def key_values(pairs: list[tuple[str, str]], width: float) -> Table:
    st = styles()
    rows = [[para(k, st["cell_bold"]), lines_para(v, st["cell"])] for k, v in pairs]
    return table(rows, [width * 0.32, width * 0.68], header=False)


def party_text(name: str, lines: tuple[str, ...], contact: str = "") -> str:
    return "\n".join(x for x in (name, *lines, contact) if x)


def results_block(data: ReportData, width: float, category: str | None = None) -> list[Any]:
    """Lines a–h with « Respect du seuil » after c and h, and the conclusion for the category."""
    st = styles()
    result = data.result
    level = category or result.requested
    r = result.categories[level]
    ln = r.lines
    s = result.settings
    pct = number(float(s["mandatory_threshold"]) * 100)
    quota = number(float(s["quota"][level]) * 100)
    rows = [["", "Ligne", "Valeur"],
            ["a", "Total des points obligatoires applicables (hors non applicables)", number(ln.a)],
            ["b", f"Nombre minimum de points obligatoires à atteindre ({pct} % de a)", number(r.compared_b)],
            ["c", "Total des points obligatoires obtenus", number(ln.c)],
            ["", "Respect du seuil (c ≥ b)", "oui" if r.mandatory_ok else "non"],
            ["d", "Points à la carte à obtenir en compensation (3 × (a − c))", number(ln.d)],
            ["e", "Total des points à la carte applicables", number(ln.e)],
            ["f", f"Points à la carte à atteindre ({quota} % de e)", number(r.compared_g - ln.d)],
            ["g", "Total des points à la carte à atteindre (d + f)", number(r.compared_g)],
            ["h", "Total des points à la carte obtenus", number(ln.h)],
            ["", "Respect du seuil (h ≥ g)", "oui" if r.alacarte_ok else "non"]]
    rows = [[para(str(c), st["cell_bold" if i == 0 or j == 0 else "cell"]) for j, c in enumerate(row)]
            for i, row in enumerate(rows)]
    t = table(rows, [width * 0.06, width * 0.74, width * 0.20])
    t.setStyle(TableStyle([("ALIGN", (2, 1), (2, -1), "RIGHT"), ("BACKGROUND", (0, 4), (-1, 4), HEADER_FILL),
                           ("BACKGROUND", (0, 10), (-1, 10), HEADER_FILL)]))
    onc = "oui" if r.onc_ok else "non"
    prq = "oui" if r.prerequisite_ok else "non"
    out: list[Any] = [t, Spacer(0, 3 * mm),
                      para(f"Prérequis respecté : {prq}. Critères obligatoires non compensables (95 à 99) tous "
                           f"validés : {onc}.", st["body"])]
    if s["rounding"] != "exact":
        out.append(para(f"Comparaisons faites avec l'arrondi « {s['rounding']} » (valeurs exactes : b = "
                        f"{number(ln.b)}, f = {number(ln.f)}).", st["small"]))
    return out


def body_heading(data: ReportData, width: float) -> list[Any]:
    """The issuing body at the top of a one-page document (décision, attestation), with its logo when it has one;
    an unreadable logo file is left out (the document is valid without it)."""
    st = styles()
    org = data.organisation
    lines: list[Any] = [para(org.name, st["h3"]), *[para(x, st["body"]) for x in org.lines]]
    if data.accreditation:
        lines.append(para(data.accreditation, st["small"]))
    if data.logo is None:
        return lines
    try:
        logo = Image(str(data.logo), width=35 * mm, height=22 * mm, kind="proportional")
    except Exception:
        return lines
    t = Table([[logo, lines]], colWidths=[40 * mm, width - 40 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [t]


def display_facts(width: float, pairs: list[tuple[str, str]]) -> Table:
    """Key facts in reading size (documents displayed on a wall or a door, not filed)."""
    st = styles()
    rows = [[para(k, st["h3"]), lines_para(v, BODY_LARGE)] for k, v in pairs]
    t = table(rows, [width * 0.3, width * 0.7], header=False)
    t.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return t


def signature_box(label: str, image: Path | None, width: float) -> Table:
    st = styles()
    inner: Any = Spacer(0, 22 * mm)
    if image is not None:
        try:
            inner = Image(str(image), width=50 * mm, height=20 * mm, kind="proportional")
        except Exception:  # an unreadable signature file: leave the box to sign by hand
            inner = Spacer(0, 22 * mm)
    t = Table([[para(label, st["cell_bold"])], [inner], [para("Date et signature", st["small"])]],
              colWidths=[width], rowHeights=[None, 26 * mm, None])
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def _cache_path(ref: PhotoRef) -> Path:
    """Where the PDF-ready copy of a content-addressed photo is kept (`<data>/cache/pdf-1200/<sha>.jpg`)."""
    return ref.path.parent.parent.parent / "cache" / f"pdf-{PHOTO_MAX_SIDE}" / f"{ref.path.stem}.jpg"


def _prepare_photo(ref: PhotoRef) -> tuple[PhotoRef, bytes | None, tuple[int, int]]:
    """Recompress one photo for the PDF (≤ 1200 px, JPEG q80), EXIF orientation applied; None if unreadable.

    Photos are stored by content, so the recompressed copy is cached: a preview then an issue recompress once.
    """
    from PIL import Image as PILImage
    from PIL import ImageOps

    from ..storage import write_atomic

    cache = _cache_path(ref)
    try:
        if cache.exists() and ref.path.exists():
            data = cache.read_bytes()
            with PILImage.open(io.BytesIO(data)) as img:
                return ref, data, img.size
        with PILImage.open(ref.path) as img:
            if img.format == "JPEG":
                img.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            img = ImageOps.exif_transpose(img)
            img.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True)
            data = out.getvalue()
        try:
            write_atomic(cache, data)
        except OSError:
            pass  # a read-only data folder: no cache, same document
        return ref, data, img.size
    except (OSError, ValueError, SyntaxError):
        return ref, None, (0, 0)


def photo_annex(photos: tuple[PhotoRef, ...], width: float) -> list[Any]:
    """Two photos per row with number, criterion and caption; a missing file leaves a marked empty frame."""
    st = styles()
    if not photos:
        return [para("Aucune photo.", st["body"])]
    with ThreadPoolExecutor(max_workers=2) as pool:
        prepared = list(pool.map(_prepare_photo, photos))
    cell_w = (width - 6 * mm) / 2
    cells = []
    for ref, data, (w, h) in prepared:
        legend = f"Photo {ref.number}" + (f" — critère {ref.criterion}" if ref.criterion else " — visite") + (
            f" : {ref.caption}" if ref.caption else "")
        if data is None:
            frame: Any = Table([[para("Photo indisponible (fichier absent ou illisible)", st["center"])]],
                               colWidths=[cell_w], rowHeights=[60 * mm])
            frame.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.black),
                                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        else:
            scale = min(cell_w / w, 70 * mm / h)
            frame = Image(io.BytesIO(data), width=w * scale, height=h * scale)
        # A list, not KeepTogether: inside a table cell KeepTogether reports an "infinite" height (to force a
        # split) and ReportLab refuses the row; a table row is never split across pages anyway.
        cells.append([frame, Spacer(0, 1 * mm), para(legend, st["small"])])
    rows = [cells[i:i + 2] + ([""] if len(cells[i:i + 2]) == 1 else []) for i in range(0, len(cells), 2)]
    t = Table(rows, colWidths=[cell_w + 3 * mm, cell_w + 3 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return [t]


def photo_numbers(photos: tuple[PhotoRef, ...]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for p in photos:
        if p.criterion:
            out.setdefault(p.criterion, []).append(p.number)
    return out

