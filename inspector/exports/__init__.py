"""Exports (CSV/XLSX): the monthly table of definitive decisions and the general tables; Qt-free, read-only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..db.database import Database
from .monthly import monthly_decisions, parse_month, previous_month
from .tables import DATASETS, ExportError, Period, Table, dataset_table, period_of
from .writers import FORMATS, default_filename, format_of, write_table

__all__ = ["DATASETS", "FORMATS", "ExportError", "ExportResult", "Period", "Table", "dataset_table",
           "default_filename", "export_dataset", "export_monthly", "monthly_decisions", "parse_month", "period_of",
           "previous_month", "write_table"]


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, its format and the number of data rows (plain data, safe across threads)."""

    path: Path
    fmt: str
    count: int
    title: str


def export_monthly(db: Database, *, month: str | Period, path: str | Path | None = None, fmt: str | None = None,
                   folder: str | Path = ".") -> ExportResult:
    """Write the table of classements that became definitive in `month` (« 2026-10 » or a Period)."""
    period = parse_month(month) if isinstance(month, str) else month
    table = monthly_decisions(db, period)
    return _write(table, path, fmt, folder)


def export_dataset(db: Database, *, dataset: str, path: str | Path | None = None, fmt: str | None = None,
                   period: Period | None = None, folder: str | Path = ".") -> ExportResult:
    """Write one of DATASETS (establishments, visits, decisions, labels), optionally limited to a period."""
    table = dataset_table(db, dataset, period=period)
    return _write(table, path, fmt, folder)


def _write(table: Table, path: str | Path | None, fmt: str | None, folder: str | Path) -> ExportResult:
    if path is None:
        chosen = format_of(Path(f"x.{fmt or 'csv'}"), fmt)
        target = Path(folder) / default_filename(table, chosen)
    else:
        target = Path(path)
        chosen = format_of(target, fmt)
    write_table(table, target, chosen)
    return ExportResult(target, chosen, len(table.rows), table.title)
