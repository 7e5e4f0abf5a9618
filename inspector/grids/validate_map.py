"""Map a problem of the grid validator (« critère T3 : … ») back to the workbook's sheet, row and column."""

from __future__ import annotations

import re

from ..spreadsheets import column_letter
from . import sheet_layout as L
from .sheet_table import SheetProblem, Table
from .validate import Problem

# Document fields named in the validator's messages -> `parametres` key.
FIELD_KEYS = {"id": "identifiant", "version": "version", "kind": "type", "title": "titre", "language": "langue",
              "level_kind": "type_niveaux", "validity_years": "validite_annees", "status": "provenance",
              "source_document": "source", "legal_basis": "base_legale", "applicable_from": "applicable_le",
              "publisher": "editeur", "notes": "notes"}
# Words of a criterion problem -> the `criteres` column it is about.
CRITERION_WORDS = (("libellé", "libelle"), ("section", "section"), ("typologie", "typologies"),
                   ("cumulates_with", "cumul_avec"), ("gradué", "points"), ("points", "points"),
                   ("mesure", "mesure"), ("na_reasons", "motifs_na"), ("NA manuel", "motifs_na"),
                   ("colonne de statut", "colonne_statut"), ("code", "code"))
_QUOTED = re.compile(r"« ([^»]+) »")


def _column(table: Table, name: str) -> str:
    header = table.rows[0][1] if table.rows else ()
    for i, cell in enumerate(header):
        if not L.is_blank(cell) and L.key(L.as_text(cell)) == L.key(name):
            return f"{column_letter(i)} ({L.as_text(cell)})"
    return ""


def map_problem(problem: Problem, origins: dict[str, tuple[str, int]], setting_rows: dict[str, int],
                tables: dict[str, Table]) -> SheetProblem:
    """The validator's problem placed on the sheet/row it comes from (sheet-level when it cannot be placed)."""
    where, message = problem.where, problem.message
    text = f"{where} : {message}"
    sheet, row, column = "", None, ""
    if where in origins:
        sheet, row = origins[where]
    elif where in ("document", "provenance", "settings", "levels", "criteria", "status_labels"):
        sheet = {"levels": L.LEVELS, "criteria": L.CRITERIA, "status_labels": L.STATUS_LABELS}.get(where, L.SETTINGS)
        names = _QUOTED.findall(message)
        for name in names:
            key_name = FIELD_KEYS.get(name, name)
            if key_name in setting_rows:
                row = setting_rows[key_name]
                break
    table = tables.get(sheet)
    if table is not None and row is not None:
        if sheet == L.CRITERIA:
            statuses = re.search(r"niveau « ([^»]+) »", message)
            if "statut" in message and statuses:
                column = _column(table, f"{L.STATUS_PREFIX}_{statuses.group(1)}") or _column(table, L.STATUS_PREFIX)
            else:
                column = next((_column(table, col) for word, col in CRITERION_WORDS if word in message), "")
        elif sheet == L.SETTINGS:
            column = _column(table, "valeur")
    return SheetProblem(table.place if table else "", row, column, text, sheet)
