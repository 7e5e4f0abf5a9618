"""A sheet of the grid workbook as rows of cells, and the located problems found while reading it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..spreadsheets import column_letter
from . import sheet_layout as L


@dataclass(frozen=True)
class SheetProblem:
    """One problem, located as the user sees it: sheet (or CSV file), row (header = 1), column letter and name."""

    place: str  # « feuille « criteres » » or « fichier criteres.csv »; empty for the file itself
    row: int | None
    column: str  # « E (statut_moteur) », or empty
    message: str
    sheet: str = ""  # canonical sheet name (criteres, parametres…), empty for the file itself

    def __str__(self) -> str:
        parts = [p for p in (self.place, f"ligne {self.row}" if self.row else "",
                             f"colonne {self.column}" if self.column else "") if p]
        return f"{', '.join(parts)} : {self.message}" if parts else self.message


@dataclass
class Table:
    """The rows of one sheet (or CSV file) numbered as shown (header = row 1)."""

    name: str  # canonical sheet name
    place: str  # how problems name it
    rows: list[tuple[int, Sequence[Any]]]


@dataclass
class Problems:
    """Every problem found, in reading order; rows that already have one are remembered."""

    items: list[SheetProblem] = field(default_factory=list)
    rows_with_errors: set[tuple[str, int | None]] = field(default_factory=set)

    def add(self, problem: SheetProblem) -> None:
        self.items.append(problem)
        self.rows_with_errors.add((problem.sheet, problem.row))


class Row:
    """One data row of a sheet."""

    def __init__(self, sheet: Sheet, number: int, cells: Sequence[Any]):
        self.sheet, self.number, self.cells = sheet, number, cells

    def get(self, column: str) -> Any:
        index = self.sheet.index.get(column)
        if index is None or index >= len(self.cells):
            return None
        value = self.cells[index]
        return None if L.is_blank(value) else value

    def has(self, column: str) -> bool:
        return column in self.sheet.index

    def error(self, column: str | None, message: str) -> None:
        self.sheet.error(self.number, column, message)


class Sheet:
    """A table with its header read: which column holds what; unknown and missing columns are reported."""

    def __init__(self, table: Table, problems: Problems, allowed: Sequence[str], required: Sequence[str]):
        self.table, self.problems = table, problems
        self.index: dict[str, int] = {}  # canonical column name -> position
        self.headers: dict[str, str] = {}  # canonical column name -> header as written
        self.ignored: set[int] = set()
        by_key = {L.key(name): name for name in allowed}
        header = table.rows[0][1] if table.rows else ()
        self.header_row = table.rows[0][0] if table.rows else 1
        for i, cell in enumerate(header):
            written = L.as_text(cell) if not L.is_blank(cell) else ""
            if not written:
                self.ignored.add(i)
                if any(i < len(cells) and not L.is_blank(cells[i]) for _n, cells in table.rows[1:]):
                    self._add(self.header_row, f"{column_letter(i)}", "colonne remplie sans nom d'en-tête "
                              "(donnez-lui un nom, ou commencez son nom par # pour qu'elle soit ignorée)")
                continue
            if written.startswith(L.IGNORED_PREFIXES) or L.key(written).startswith(L.IGNORED_PREFIXES[1:]):
                self.ignored.add(i)
                continue
            name = by_key.get(L.key(written))
            if name is None:
                self._add(self.header_row, f"{column_letter(i)} ({written})",
                          f"colonne « {written} » inconnue (colonnes possibles : {', '.join(allowed)} ; "
                          "commencez son nom par # pour une colonne de remarques)")
                self.ignored.add(i)
            elif name in self.index:
                self._add(self.header_row, f"{column_letter(i)} ({written})",
                          f"colonne « {name} » en double (déjà en {column_letter(self.index[name])})")
                self.ignored.add(i)
            else:
                self.index[name] = i
                self.headers[name] = written
        for name in required:
            if name not in self.index:
                self._add(self.header_row, "", f"colonne « {name} » absente")

    @property
    def name(self) -> str:
        return self.table.name

    def _add(self, row: int | None, column: str, message: str) -> None:
        self.problems.add(SheetProblem(self.table.place, row, column, message, self.table.name))

    def column_label(self, column: str | None) -> str:
        if column is None or column not in self.index:
            return ""
        return f"{column_letter(self.index[column])} ({self.headers[column]})"

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self._add(row, self.column_label(column), message)

    def rows(self) -> Iterator[Row]:
        for number, cells in self.table.rows[1:]:
            if all(L.is_blank(c) for i, c in enumerate(cells) if i not in self.ignored):
                continue
            yield Row(self, number, cells)
