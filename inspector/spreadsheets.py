"""Read a spreadsheet the agency sends (CSV or XLSX) as numbered rows of cells, with clear errors naming the file."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .services.common import ServiceError

_SUFFIXES_CSV = frozenset({".csv", ".txt"})
_SUFFIXES_XLSX = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def _sheet_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: Any) -> str:
    """A cell value as the user sees it in the spreadsheet."""
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y" if value.time() == dt.time() else "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError(f"{path} : le fichier annonce l'encodage UTF-8 mais contient des caractères "
                               "invalides.") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ServiceError(f"{path} : texte UTF-16 illisible.") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ServiceError(f"{path} : encodage non reconnu (UTF-8 ou Windows-1252 attendu) ; est-ce bien un "
                           "fichier CSV ?") from None


def _sniff_delimiter(first_line: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _read_csv(path: Path) -> list[tuple[int, Sequence[Any]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ServiceError(f"{path} : lecture impossible ({exc.strerror or exc}).") from None
    text = _decode(path, data)
    if "\x00" in text:
        raise ServiceError(f"{path} n'est pas un fichier CSV (contenu binaire).")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    sep = re.fullmatch(r"\s*sep=(.)\s*", first)
    if sep:  # Excel's "sep=;" hint line: Excel does not show it as a row
        delimiter = sep.group(1)
        text = text[text.index(first) + len(first):].lstrip("\r\n")
    else:
        delimiter = _sniff_delimiter(first)
    rows: list[tuple[int, Sequence[Any]]] = []
    line = 0
    try:
        for line, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            rows.append((line, record))
    except csv.Error as exc:
        raise ServiceError(f"{path}, ligne {line + 1} : CSV mal formé ({exc}).") from None
    return rows


def _pick_sheet(workbook: Any, preferred: str | None) -> Any:
    for ws in workbook.worksheets:
        if preferred and _sheet_key(ws.title) == _sheet_key(preferred):
            return ws
    if not workbook.worksheets:
        raise ValueError("aucune feuille de calcul")
    return workbook.worksheets[0]


def _read_xlsx(path: Path, preferred: str | None) -> tuple[str, list[tuple[int, Sequence[Any]]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise ServiceError(f"{path} : classeur XLSX endommagé ou illisible ({type(exc).__name__} : {exc}).") from None
    try:
        ws = _pick_sheet(workbook, preferred)
        ws.reset_dimensions()  # some tools write wrong dimensions: read every row that is really there
        rows = [(n, row) for n, row in enumerate(ws.iter_rows(values_only=True), start=1)]
        title = ws.title
    except Exception as exc:
        raise ServiceError(f"{path} : classeur XLSX endommagé ou illisible ({type(exc).__name__} : {exc}).") from None
    finally:
        workbook.close()
    return title, rows


def read_table(path: Path, *, sheet: str | None = None) -> tuple[str | None, list[tuple[int, Sequence[Any]]]]:
    """Every row of a CSV (UTF-8, UTF-16 or Windows-1252; `;`, `,` or tab) or of an XLSX sheet, numbered as the
    user sees them (header = 1). For a workbook, the sheet named `sheet` if there is one, else the first.
    Returns (sheet title or None for CSV, rows)."""
    if not path.exists():
        raise ServiceError(f"{path} : fichier introuvable.")
    if path.is_dir():
        raise ServiceError(f"{path} est un dossier, pas un fichier CSV ou XLSX.")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ServiceError(f"{path} : le format Excel 97-2003 (.xls) n'est pas pris en charge ; enregistrez le "
                           "classeur au format .xlsx ou CSV.")
    if suffix not in _SUFFIXES_CSV | _SUFFIXES_XLSX:
        raise ServiceError(f"{path} n'est pas un fichier CSV ou XLSX (extension « {suffix or 'aucune'} »).")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ServiceError(f"{path} : lecture impossible ({exc.strerror or exc}).") from None
    if magic == _OLE_MAGIC:  # an .xls saved under another name, or an .xlsx protected by a password
        raise ServiceError(f"{path} : classeur protégé par un mot de passe ou au format Excel 97-2003 (.xls), non "
                           "pris en charge ; enregistrez-le sans mot de passe au format .xlsx ou CSV.")
    if magic == _ZIP_MAGIC:  # an .xlsx, whatever its extension says
        return _read_xlsx(path, sheet)
    if suffix in _SUFFIXES_XLSX:
        raise ServiceError(f"{path} : classeur XLSX endommagé ou illisible (ce n'est pas un fichier .xlsx).")
    return None, _read_csv(path)
