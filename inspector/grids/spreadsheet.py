"""Grid workbooks (docs/grid-spreadsheet.md): import an XLSX or a folder of CSVs, export, install a new version."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..services.common import ServiceError
from ..spreadsheets import read_table
from ..storage import write_atomic
from . import sheet_layout as L
from .loader import parse_grid, sha256_bytes
from .model import Grid
from .registry import grid_dirs, load_catalogue
from .sheet_export import TEXT_COLUMNS, ExportError, Sheets, document_sheets
from .sheet_import import build_document
from .sheet_table import SheetProblem, Table

__all__ = ["ExportError", "InstallRefused", "Installed", "SheetProblem", "SpreadsheetError", "export_grid",
           "grid_bytes", "grid_file_name", "import_workbook", "install_grid"]

_XLSX = (".xlsx", ".xlsm")
_CSV = (".csv", ".txt")
_SHEET_KEYS = {L.key(name): name for name in L.SHEETS}


class SpreadsheetError(Exception):
    """A workbook that cannot become a grid: carries every problem found, each located."""

    def __init__(self, source: str, problems: list[SheetProblem]):
        self.source = source
        self.problems = problems
        lines = [f"{source} : {len(problems)} erreur(s), aucune grille n'a été enregistrée :"]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


class InstallRefused(Exception):
    """This id and version already exist with another content: a published version is never replaced."""


@dataclass(frozen=True)
class Installed:
    """Where the grid version is (or would be) and whether it was already there."""

    path: Path
    sha256: str
    already: bool  # the same grid was already installed: nothing written
    written: bool


def grid_bytes(doc: dict[str, Any]) -> bytes:
    """The file's bytes, written like the bundled grids (one-space indent, UTF-8 text, final newline)."""
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def grid_file_name(doc: dict[str, Any]) -> str:
    """`ID@version.json`, with anything unusual in the version replaced by `_`."""
    def clean(text: Any) -> str:
        return re.sub(r"[^A-Za-z0-9._-]", "_", str(text))[:60] or "grille"

    return f"{clean(doc.get('id'))}@{clean(doc.get('version'))}.json"


# ----- reading -----------------------------------------------------------------------------------------------------


def _fail(source: str, message: str) -> SpreadsheetError:
    return SpreadsheetError(source, [SheetProblem("", None, "", message)])


def _xlsx_tables(path: Path) -> dict[str, Table]:
    source = str(path)
    try:
        first_title, first_rows = read_table(path, sheet=L.CRITERIA)  # checks the file, with clear messages
    except ServiceError as exc:
        raise _fail(source, str(exc)) from None
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True)
        titles = list(workbook.sheetnames)
        workbook.close()
    except Exception as exc:  # already opened once: only a file changing under our feet gets here
        raise _fail(source, f"classeur illisible ({type(exc).__name__} : {exc})") from None
    tables: dict[str, Table] = {}
    problems: list[SheetProblem] = []
    for title in titles:
        if title.strip().startswith("#"):
            continue
        name = _SHEET_KEYS.get(L.key(title))
        if name is None:
            problems.append(SheetProblem(f"feuille « {title} »", None, "", "feuille inconnue (feuilles reconnues : "
                                         f"{', '.join(L.SHEETS)} ; commencez son nom par # pour qu'elle soit "
                                         "ignorée)"))
            continue
        if name in tables:
            problems.append(SheetProblem(f"feuille « {title} »", None, "", f"feuille « {name} » en double"))
            continue
        if title == first_title:
            rows = first_rows
        else:
            try:
                _title, rows = read_table(path, sheet=title)
            except ServiceError as exc:
                raise _fail(source, str(exc)) from None
        tables[name] = Table(name, f"feuille « {title} »", rows)
    if problems:
        raise SpreadsheetError(source, problems)
    return tables


def _csv_tables(folder: Path) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for path in sorted(folder.iterdir()):
        name = _SHEET_KEYS.get(L.key(path.stem))
        if name is None or path.suffix.lower() not in _CSV or not path.is_file():
            continue
        if name in tables:
            raise _fail(str(folder), f"deux fichiers pour la feuille « {name} » ({tables[name].place} et "
                                     f"{path.name})")
        try:
            _title, rows = read_table(path)
        except ServiceError as exc:
            raise _fail(str(folder), str(exc)) from None
        tables[name] = Table(name, f"fichier {path.name}", rows)
    if L.CRITERIA not in tables:
        raise _fail(str(folder), "aucun fichier criteres.csv dans ce dossier (forme CSV : un fichier par feuille, "
                                 "criteres.csv, parametres.csv, niveaux.csv…)")
    return tables


def read_sheets(path: str | Path) -> dict[str, Table]:
    """The sheets of a grid workbook: an XLSX, or a folder of CSV files named after the sheets (the folder itself
    or any of its CSV files may be given)."""
    path = Path(path)
    if path.is_dir():
        return _csv_tables(path)
    if not path.exists():
        raise _fail(str(path), "fichier introuvable")
    if path.suffix.lower() in _CSV:
        if L.key(path.stem) not in _SHEET_KEYS:
            raise _fail(str(path), "un fichier CSV ne contient qu'une feuille : placez criteres.csv, parametres.csv, "
                                   "niveaux.csv… dans un dossier et importez ce dossier (voir "
                                   "docs/grid-spreadsheet.md), ou utilisez un classeur .xlsx")
        return _csv_tables(path.parent)
    return _xlsx_tables(path)


def import_workbook(path: str | Path) -> dict[str, Any]:
    """The grid document described by a workbook; SpreadsheetError lists every problem (nothing is written)."""
    tables = read_sheets(path)
    doc, problems = build_document(tables, str(path))
    if problems:
        raise SpreadsheetError(str(path), problems)
    return doc


# ----- writing -----------------------------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _as_read_back(sheets: Sheets, as_csv: bool) -> dict[str, Table]:
    """The sheets as the importer will see them once written (CSV: all text; XLSX: whole floats as integers)."""
    def cell(value: Any) -> Any:
        if as_csv:
            return _csv_text(value)
        return int(value) if isinstance(value, float) and value.is_integer() else value

    return {name: Table(name, f"feuille « {name} »", [(i, [cell(v) for v in row]) for i, row in enumerate(rows, 1)])
            for name, rows in sheets.items()}


def _first_difference(a: Any, b: Any, where: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if (k in a) != (k in b):
                return f"{where}.{k} ({'absent' if k not in a else 'présent'} d'un côté seulement)"
            if a[k] != b[k]:
                return _first_difference(a[k], b[k], f"{where}.{k}" if where else str(k))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]")
    left, right = (json.dumps(v, ensure_ascii=False)[:80] for v in (a, b))
    return f"{where or 'document'} ({left} ≠ {right})"


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with empty optional criterion fields dropped: `"section": null`, `"rubric": ""` and no field
    at all are the same grid for the loader."""
    return dict(doc, criteria=[{k: v for k, v in c.items() if v not in (None, "") or k in ("code", "text")}
                               for c in doc.get("criteria", []) if isinstance(c, dict)])


def _check_round_trip(doc: dict[str, Any], sheets: Sheets, as_csv: bool) -> None:
    again, problems = build_document(_as_read_back(sheets, as_csv), "export")
    if problems:
        raise ExportError("la grille exportée ne se relirait pas : " + "; ".join(str(p) for p in problems[:5]))
    wanted = comparable(doc)
    if again != wanted:
        raise ExportError("le classeur ne sait pas représenter exactement cette grille : "
                          + _first_difference(wanted, again))


def _write_xlsx(sheets: Sheets, path: Path, kind: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
        header = [str(h) for h in rows[0]]
        for j, column in enumerate(header, start=1):
            letter = get_column_letter(j)
            long_text = column in ("libelle", "aide", "titre", "motif", "explication", "condition", "motifs_na")
            ws.column_dimensions[letter].width = 60 if column in ("libelle", "aide") else 36 if long_text else 16
            ws.cell(1, j).font = Font(bold=True)
            for i in range(2, len(rows) + 1):
                cell = ws.cell(i, j)
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                if column in TEXT_COLUMNS:
                    cell.number_format = "@"
                if long_text:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            if name == L.CRITERIA and column.startswith(L.STATUS_PREFIX) and column != "colonne_statut":
                allowed = ",".join(L.KIND_STATUSES.get(kind, ()))
                if allowed:
                    check = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=False)
                    check.error = f"Statut attendu : {allowed.replace(',', ', ')}"
                    check.errorTitle = "Statut inconnu"
                    ws.add_data_validation(check)
                    check.add(f"{letter}2:{letter}{max(len(rows), 1) + 500}")
        ws.freeze_panes = "B2" if name == L.CRITERIA else "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_atomic(path, buffer.getvalue())


def _write_csv(sheets: Sheets, folder: Path) -> None:
    for name, rows in sheets.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        for row in rows:
            writer.writerow([_csv_text(v) for v in row])
        write_atomic(folder / f"{name}.csv", "\ufeff" + buffer.getvalue())  # BOM: Excel reads UTF-8


def _csv_folder(path: Path) -> Path | None:
    """The folder a CSV export goes to, None for an XLSX target."""
    suffix = path.suffix.lower()
    if suffix in _XLSX:
        return None
    if path.is_dir() or not suffix:
        return path
    if suffix == ".csv" and L.key(path.stem) in _SHEET_KEYS:
        return path.parent
    if suffix == ".csv":
        raise ExportError("la forme CSV est un dossier d'un fichier par feuille : indiquez le dossier (ex. "
                          f"--out {path.with_suffix('')}/) ou son fichier criteres.csv")
    raise ExportError(f"extension « {suffix} » non prise en charge (.xlsx, .csv ou un dossier)")


def export_grid(grid: Grid | dict[str, Any], path: str | Path) -> Path:
    """Write a grid as a workbook (.xlsx) or as its CSV folder; returns the file or folder written. Refused
    (ExportError) when the workbook could not give back exactly the same grid."""
    doc = json.loads(Path(grid.path).read_bytes()) if isinstance(grid, Grid) else grid
    path = Path(path)
    folder = _csv_folder(path)
    sheets = document_sheets(doc)
    _check_round_trip(doc, sheets, as_csv=folder is not None)
    if folder is None:
        _write_xlsx(sheets, path, str(doc.get("kind", "")))
        return path
    _write_csv(sheets, folder)
    return folder


# ----- installing --------------------------------------------------------------------------------------------------


def install_grid(doc: dict[str, Any], folder: str | Path, *, dry_run: bool = False,
                 search_dirs: list[Path] | None = None) -> Installed:
    """Write a validated grid version into `folder` (atomically). An id and version already present anywhere on
    the grid search path (bundled grids, data folder) is never overwritten: the same content is a no-op,
    another content is refused (InstallRefused). Raises GridError if the document is not a valid grid."""
    folder = Path(folder)
    data = grid_bytes(doc)
    grid = parse_grid(data, grid_file_name(doc))
    dirs = [folder, *[d for d in (search_dirs if search_dirs is not None else grid_dirs()) if d != folder]]
    for other in load_catalogue(dirs).grids:
        if other.id != grid.id or other.version != grid.version:
            continue
        if other.sha256 == grid.sha256 or comparable(json.loads(Path(other.path).read_bytes())) == comparable(doc):
            return Installed(Path(other.path), other.sha256, already=True, written=False)
        raise InstallRefused(
            f"la grille {grid.id} version {grid.version} existe déjà ({other.path}) avec un autre contenu : une "
            "version publiée n'est jamais remplacée. Donnez une nouvelle version (ligne « version » de la feuille "
            "parametres).")
    target = folder / grid_file_name(doc)
    if target.exists():
        raise InstallRefused(f"le fichier {target} existe déjà et n'est pas remplacé ; renommez-le ou donnez une "
                             "nouvelle version à la grille.")
    if not dry_run:
        write_atomic(target, data)
    return Installed(target, sha256_bytes(data), already=False, written=not dry_run)
