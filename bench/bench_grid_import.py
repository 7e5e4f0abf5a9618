"""Benchmark: import (read + check + validate) a generated 500-row Tourisme & Handicap grid workbook (target ≤ 2 s)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import HEADER, measure, report  # noqa: E402
from inspector.grids.spreadsheet import export_grid, import_workbook  # noqa: E402

ROWS = 500
FAMILIES = ("auditif", "mental", "moteur", "visuel")
STATUSES = ("X", "CU", "R", "NA")


def generated_grid(rows: int = ROWS) -> dict[str, Any]:
    """An invented T&H grid: 10 chapters × 5 sections, every criterion with wording, help and four statuses."""
    sections = [{"code": f"{c}.{s}", "chapter": str(c), "title": f"Section {c}.{s}"}
                for c in range(1, 11) for s in range(1, 6)]
    typologies = {"hebergement_erp": "Hébergement ERP", "restauration": "Restauration", "visite": "Visite"}
    criteria = []
    for n in range(1, rows + 1):
        criterion: dict[str, Any] = {
            "code": f"TH{n:03d}", "section": sections[n % len(sections)]["code"],
            "text": f"Critère d'accessibilité n° {n} : équipement adapté, contrasté et signalé",
            "status": {f: STATUSES[(n + i) % len(STATUSES)] for i, f in enumerate(FAMILIES)},
            "help": "Précision officielle : mesure prise à 1,30 m du sol, éclairage de 100 lux au moins.",
        }
        if n % 7 == 0:
            criterion["typologies"] = ["hebergement_erp", "restauration"]
        criterion["nc_allowed"] = True
        criteria.append(criterion)
    return {
        "format": "inspector-grid/1", "id": "TH-BENCH", "version": "bench-1", "kind": "tourisme_handicap",
        "title": "Grille générée pour le banc d'essai",
        "provenance": {"status": "example", "source_document": "générée", "legal_basis": "aucune",
                       "applicable_from": None},
        "validity_years": 5, "level_kind": "family",
        "levels": [{"code": f, "label": f.capitalize()} for f in FAMILIES],
        "typologies": typologies,
        "context": [{"key": "sworn_statement", "type": "bool", "label": "Déclaration sur l'honneur",
                     "default": False}],
        "parameters": [],
        "prerequisites": [{"code": "PRQ-DH", "text": "Déclaration sur l'honneur",
                           "condition": {"key": "sworn_statement", "op": "==", "value": True}}],
        "settings": {"confort_threshold": "0.75", "min_families": 2, "empty_confort_passes": True},
        "chapters": [{"code": str(c), "title": f"Chapitre {c}"} for c in range(1, 11)],
        "sections": sections,
        "criteria": criteria,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        book = export_grid(generated_grid(), Path(tmp) / "th-500.xlsx")
        assert len(import_workbook(book)["criteria"]) == ROWS
        print(HEADER)
        print(report(f"import a {ROWS}-row grid workbook (XLSX: read, check, validate)",
                     measure(lambda: import_workbook(book), runs=15, warmup=2), target_ms=2000))


if __name__ == "__main__":
    main()
