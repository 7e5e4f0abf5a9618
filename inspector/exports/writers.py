"""Write an export table as CSV (for French Excel) or XLSX, atomically: the file is whole or absent.

CSV choices (docs/exports.md): UTF-8 with a byte-order mark and « ; » as separator, CRLF line ends, dates as
JJ/MM/AAAA — what a French Excel opens correctly with a double click (a comma-separated file without BOM opens as
one column with broken accents). The first line is the header, every other line a row: nothing else, so that the
file also imports into other tools; the notes go to the XLSX « Notes » sheet and docs/exports.md. A text cell that
a spreadsheet would take for a formula (starting with = @ or + - followed by a letter) is prefixed with « ' ».

XLSX: one data sheet (bold header, frozen first row, filter, column widths, dates as real dates shown JJ/MM/AAAA,
numbers as numbers, every text cell as text) and a « Notes » sheet with the notes and the column list.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from ..storage import write_atomic
from .tables import ExportError, Table

FORMATS = ("csv", "xlsx")
CSV_SEPARATOR = ";"
CSV_ENCODING = "utf-8-sig"  # UTF-8 with BOM
DATE_FORMAT_CSV = "%d/%m/%Y"
DATE_FORMAT_XLSX = "DD/MM/YYYY"
_FORMULA_LIKE = re.compile(r"^(?:[=@\t\r]|[+-][^\d\s.,])")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def format_of(path: Path, fmt: str | None = None) -> str:
    """The format asked, or the one the file name says; anything else is refused."""
    suffix = path.suffix.lstrip(".").lower()
    chosen = (fmt or suffix or "csv").lower()
    if chosen not in FORMATS:
        raise ExportError(f"format « {chosen} » inconnu : csv ou xlsx")
    if fmt and suffix in FORMATS and suffix != chosen:
        raise ExportError(f"le fichier {path.name} ne correspond pas au format {chosen} demandé")
    return chosen


def default_filename(table: Table, fmt: str) -> str:
    return f"{table.name}.{fmt}"


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.strftime(DATE_FORMAT_CSV + " %H:%M")
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT_CSV)
    out = str(value)
    return "'" + out if _FORMULA_LIKE.match(out) else out


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in table.values(row)])
    return buffer.getvalue().encode(CSV_ENCODING)


def sheet_name(table: Table) -> str:
    name = _SHEET_FORBIDDEN.sub(" ", table.sheet or table.title).strip()[:31].strip()
    return name or "Export"


def xlsx_bytes(table: Table, *, generated_at: dt.datetime | None = None) -> bytes:
    """The workbook (openpyxl in write-only mode: rows streamed, about three times faster than cell by cell)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name(table))
    for c, column in enumerate(table.columns, start=1):  # write-only: layout first, then the rows
        ws.column_dimensions[get_column_letter(c)].width = column.width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(1, len(table.rows) + 1)}"
    bold = Font(bold=True)
    header_alignment = Alignment(wrap_text=True, vertical="top")

    def styled(value: Any, *, font: Font | None = None, number_format: str | None = None,
               alignment: Alignment | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value)
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def text_cell(value: str) -> Any:
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"  # never a formula, even when the text starts with « = »
        return cell

    ws.append([styled(h, font=bold, alignment=header_alignment) for h in table.headers])
    kinds = [c.kind for c in table.columns]
    for row in table.rows:
        out: list[Any] = []
        for kind, value in zip(kinds, table.values(row), strict=True):
            if value is None or value == "":
                out.append(None)
            elif kind == "date" and isinstance(value, dt.date):
                out.append(styled(value, number_format=DATE_FORMAT_XLSX))
            elif kind == "int" and isinstance(value, int | float) and not isinstance(value, bool):
                out.append(value)
            else:
                out.append(text_cell(str(value)))
        ws.append(out)

    notes = wb.create_sheet("Notes")
    notes.column_dimensions["A"].width = 34
    notes.column_dimensions["B"].width = 110
    wrap = Alignment(wrap_text=True, vertical="top")
    notes.append([styled(table.title, font=Font(bold=True, size=13))])
    when = generated_at or dt.datetime.now()
    notes.append(["Généré le", when.strftime("%d/%m/%Y à %H:%M")])
    notes.append(["Lignes", len(table.rows)])
    notes.append([])
    for line in table.notes:
        notes.append([None, styled(line, alignment=wrap)])
    notes.append([])
    notes.append([styled("Colonne", font=bold), styled("Contenu", font=bold)])
    kind_fr = {"text": "texte", "int": "nombre", "date": "date (JJ/MM/AAAA)"}
    for column in table.columns:
        notes.append([column.header, kind_fr.get(column.kind, column.kind)])
    wb.properties.title = table.title
    wb.properties.creator = "Inspector"
    wb.properties.description = " ".join(table.notes)[:1000]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_table(table: Table, path: str | Path, fmt: str | None = None, *,
                generated_at: dt.datetime | None = None) -> Path:
    """Write `table` to `path` (CSV or XLSX, from `fmt` or the suffix) through a temporary file and a rename."""
    target = Path(path)
    chosen = format_of(target, fmt)
    data = csv_bytes(table) if chosen == "csv" else xlsx_bytes(table, generated_at=generated_at)
    if target.is_dir():
        raise ExportError(f"{target} est un dossier : indiquez un nom de fichier")
    write_atomic(target, data)
    return target
