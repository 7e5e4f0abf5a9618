"""`inspector grid list|validate|show|import|export`: grids as the user sees them, provenance always shown."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..grids import conditions
from ..grids.loader import load_grid
from ..grids.model import Grid
from ..grids.registry import GridNotFound, add_grid_dir, find_grid, load_catalogue
from ..grids.validate import GridError
from ..scoring.settings import OPEN_POINTS_FR
from .main import UserError


def provenance_lines(grid: Grid) -> list[str]:
    p = grid.provenance
    lines = [f"Provenance : grille {p.label_fr()}"]
    if not p.is_official:
        lines[0] += " — NE PAS PRÉSENTER COMME OFFICIELLE"
    lines += [f"Source : {p.source_document}", f"Base légale : {p.legal_basis}"]
    if p.applicable_from:
        lines.append(f"Applicable à partir du : {p.applicable_from}")
    if p.notes:
        lines.append(f"Notes : {p.notes}")
    return lines


def data_grids_dir(args: argparse.Namespace) -> Path:
    """The data folder's `grids/` (imported and synced versions), added to the search path."""
    from ..paths import data_dir

    folder = data_dir(getattr(args, "data_dir", None)) / "grids"
    add_grid_dir(folder)
    return folder


def cmd_list(args: argparse.Namespace) -> int:
    data_grids_dir(args)
    cat = load_catalogue()
    if not cat.grids and not cat.errors:
        print("Aucune grille trouvée.")
    for g in sorted(cat.grids, key=lambda g: (g.id, g.version)):
        print(f"{g.id}\tversion {g.version}\t{g.kind}\t{g.provenance.label_fr()}\t"
              f"{len(g.criteria)} lignes\tsha256 {g.sha256[:16]}\t{g.path}")
    if cat.errors:
        for err in cat.errors:
            print(f"Grille invalide, ignorée :\n{err}", file=sys.stderr)
        return 2
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.paths:
        try:
            g = load_grid(path)
        except GridError as exc:
            failed += 1
            print(f"INVALIDE {path} ({len(exc.problems)} problème(s)) :", file=sys.stderr)
            for p in exc.problems:
                print(f"  - {p}", file=sys.stderr)
            continue
        print(f"OK {path} : {g.id} version {g.version}, {len(g.criteria)} lignes, "
              f"grille {g.provenance.label_fr()}, sha256 {g.sha256}")
    if failed:
        raise UserError(f"{failed} fichier(s) de grille invalide(s) sur {len(args.paths)}")
    return 0


def grid_json(grid: Grid) -> dict[str, Any]:
    """The machine-readable view of a grid (stable field names, statuses exactly as published)."""
    return {
        "id": grid.id,
        "version": grid.version,
        "sha256": grid.sha256,
        "kind": grid.kind,
        "title": grid.title,
        "provenance": {
            "status": grid.provenance.status,
            "label": grid.provenance.label_fr(),
            "source_document": grid.provenance.source_document,
            "legal_basis": grid.provenance.legal_basis,
            "applicable_from": grid.provenance.applicable_from,
        },
        "levels": [{"code": lv.code, "label": lv.label} for lv in grid.levels],
        "settings": dict(grid.settings),
        "context": [{"key": k.key, "type": k.type, "label": k.label, "required": k.required, "default": k.default}
                    for k in grid.context],
        "parameters": [{"code": p.code, "text": p.text, "unit": p.unit, "values": dict(p.values)}
                       for p in grid.parameters],
        "criteria": [
            {
                "code": c.code,
                "points": c.points,
                "status": dict(c.status),
                "text": c.text,
                "section": c.section,
                "rubric": c.rubric,
                "status_column": c.status_column,
                **({"points_label": c.points_label} if c.points_label else {}),
                **({"help": c.help} if c.help else {}),
                **({"na_reasons": list(c.na_reasons)} if c.na_reasons else {}),
                **({"applicability": [
                    {"when": conditions.describe(r.when), "effect": r.effect, "reason": r.reason,
                     "levels": list(r.levels), "only_if_status": list(r.only_if_status), "source": r.source}
                    for r in c.applicability]} if c.applicability else {}),
            }
            for c in grid.criteria
        ],
    }


def _show_text(grid: Grid) -> None:
    out = [f"{grid.id} — {grid.title}", f"Version {grid.version} · sha256 {grid.sha256}"]
    out += provenance_lines(grid)
    out.append("")
    out.append("Réglages de calcul (points ouverts, modifiables) :")
    for name, value in grid.settings.items():
        out.append(f"  {name} = {json.dumps(value, ensure_ascii=False)}"
                   + (f"  — {OPEN_POINTS_FR[name]}" if name in OPEN_POINTS_FR else ""))
    levels = grid.level_codes
    out.append("")
    out.append("Code  Points  " + "  ".join(f"{lv:>5}" for lv in levels) + "  Libellé")
    current_section = None
    for c in grid.criteria:
        if c.section != current_section:
            current_section = c.section
            sec = grid.section(c.section) if c.section else None
            if sec is not None:
                out.append(f"— {sec.code}. {sec.title}")
        pts = c.points_label or str(c.points)
        statuses = "  ".join(f"{c.status_for(lv):>5}" for lv in levels)
        out.append(f"{c.code:<5} {pts:>6}  {statuses}  {c.text}")
        for r in c.applicability:
            where = f" ({', '.join(r.levels)}*)" if r.levels else ""
            if r.only_if_status:
                where += f" [là où la grille dit {' ou '.join(r.only_if_status)}]"
            tag = " [source secondaire]" if r.source == "secondary" else ""
            out.append(f"{'':14}si {conditions.describe(r.when)} → {r.effect}{where} : {r.reason}{tag}")
    print("\n".join(out))


def cmd_show(args: argparse.Namespace) -> int:
    data_grids_dir(args)
    try:
        grid = find_grid(args.grid_id, args.grid_version)
    except (GridNotFound, GridError) as exc:
        raise UserError(str(exc)) from None
    if args.json:
        json.dump(grid_json(grid), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        _show_text(grid)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Read a grid workbook, validate it, and install it as a new, immutable grid version."""
    from ..grids.loader import build_grid
    from ..grids.spreadsheet import InstallRefused, SpreadsheetError, import_workbook, install_grid

    folder = data_grids_dir(args)
    try:
        doc = import_workbook(args.file)
        result = install_grid(doc, folder, dry_run=args.dry_run)
    except SpreadsheetError as exc:
        raise UserError(str(exc)) from None
    except (InstallRefused, GridError) as exc:
        raise UserError(f"{args.file} : {exc}") from None
    except OSError as exc:
        raise UserError(f"{folder} : écriture impossible ({exc.strerror or exc})") from None
    grid = build_grid(doc, result.sha256, str(result.path))
    print(f"Grille {grid.id} version {grid.version} ({grid.kind}) : {len(grid.criteria)} critère(s), "
          f"niveaux {', '.join(grid.level_codes)}.")
    print("\n".join(provenance_lines(grid)))
    if result.already:
        print(f"Déjà installée, identique : {result.path} (rien n'a été écrit).")
    elif args.dry_run:
        print(f"Simulation (--dry-run) : classeur valide, rien n'a été enregistré (serait écrite dans {result.path}).")
    else:
        print(f"Installée : {result.path}\nsha256 {result.sha256}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a grid as a workbook (XLSX) or as its folder of CSV files."""
    from ..grids.spreadsheet import ExportError, export_grid

    data_grids_dir(args)
    try:
        grid = find_grid(args.grid_id, args.grid_version)
    except (GridNotFound, GridError) as exc:
        raise UserError(str(exc)) from None
    try:
        written = export_grid(grid, args.out)
    except ExportError as exc:
        raise UserError(f"export de {grid.id} impossible : {exc}") from None
    except OSError as exc:
        raise UserError(f"{args.out} : écriture impossible ({exc.strerror or exc})") from None
    print(f"Grille {grid.id} version {grid.version} ({grid.provenance.label_fr()}, {len(grid.criteria)} critère(s)) "
          f"exportée : {written}")
    return 0
