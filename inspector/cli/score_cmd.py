"""`inspector score FILE.json`: score a visit described in JSON, print the result and its explanation."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..grids.registry import GridNotFound, find_grid
from ..grids.validate import GridError
from ..i18n import number
from ..scoring.answers import ScoringInputError
from ..scoring.settings import parse_override
from .main import UserError


def json_number(value: Decimal | int) -> int | float:
    """Exact decimals become JSON numbers: integers stay integers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def read_visit_file(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path} : fichier introuvable") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} : lecture impossible ({exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}, ligne {exc.lineno}, colonne {exc.colno} : JSON invalide ({exc.msg})") from None
    if not isinstance(doc, dict):
        raise UserError(f"{path} : un objet JSON est attendu")
    for key, typ in (("grid", str), ("answers", dict), ("context", dict)):
        if key not in doc:
            raise UserError(f"{path} : champ « {key} » absent")
        if not isinstance(doc[key], typ):
            raise UserError(f"{path} : le champ « {key} » a un type invalide")
    return doc


def cmd_score(args: argparse.Namespace) -> int:
    doc = read_visit_file(args.file)
    try:
        grid = find_grid(doc["grid"], doc.get("grid_version"), doc.get("grid_sha256"))
    except (GridNotFound, GridError) as exc:
        raise UserError(f"{args.file} : {exc}") from None
    try:
        settings = dict(doc.get("settings") or {})
        settings.update(parse_override(s) for s in args.setting)
        if grid.kind == "meubles":
            out, text = _score_meuble(grid, doc, settings, args)
        else:
            from ..scoring.labels import label_json, label_text, score_label

            result = score_label(grid, context=doc["context"], answers=doc["answers"],
                                 requested=doc.get("families") or doc.get("requested"),
                                 typology=doc.get("typology"), settings=settings, partial=args.partial)
            out, text = label_json(grid, result), label_text(grid, result)
    except ScoringInputError as exc:
        raise UserError(f"{args.file} :\n  " + "\n  ".join(exc.problems)) from None
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(text)
    return 0


def _score_meuble(grid, doc: dict[str, Any], settings: dict[str, Any], args: argparse.Namespace):
    from ..scoring.explain import advice, explain_category, failed_codes, situational_changes
    from ..scoring.meubles import score_meuble

    if "category" not in doc:
        raise ScoringInputError(["champ « category » absent (catégorie demandée, 1 à 5)"])
    result = score_meuble(grid, category=doc["category"], context=doc["context"], answers=doc["answers"],
                          measurements=doc.get("surfaces") or doc.get("measurements"), settings=settings,
                          partial=args.partial)
    reasons = [r.render(args.lang) for r in explain_category(grid, result, lang=args.lang)]
    target = args.target or doc.get("target")
    if target is not None and str(target) not in grid.level_codes:
        raise ScoringInputError([f"catégorie cible {target!r} invalide (attendu : {', '.join(grid.level_codes)})"])
    advice_lines = advice(grid, result, str(target), args.lang) if target else []
    r = result.result
    best = result.highest_classable
    out: dict[str, Any] = {
        "grid": {"id": grid.id, "version": grid.version, "sha256": grid.sha256,
                 "provenance": grid.provenance.status},
        "category": int(result.requested),
        "classable": result.classable,
        "provisional": result.provisional,
        "lines": {k: json_number(v) for k, v in r.lines.as_dict().items()},
        "compared": {"b": json_number(r.compared_b), "g": json_number(r.compared_g),
                     "rounding": result.settings["rounding"]},
        "prerequisite_ok": r.prerequisite_ok,
        "onc_ok": r.onc_ok,
        "mandatory_ok": r.mandatory_ok,
        "alacarte_ok": r.alacarte_ok,
        "highest_classable_category": int(best) if best else None,
        "failed_criteria": failed_codes(result),
        "unanswered": list(r.unanswered),
        "reasons": reasons,
        "situational": situational_changes(grid, result),
        "notes": list(result.notes),
        "categories": {
            k: {"classable": c.classable, "complete": c.complete,
                "lines": {n: json_number(v) for n, v in c.lines.as_dict().items()}}
            for k, c in result.categories.items()
        },
    }
    if target:
        out["advice"] = {"target": int(target), "lines": advice_lines}
    text_lines = [f"Grille {grid.label}", f"Catégorie demandée : {result.requested}★"]
    text_lines += [f"  {k} = {number(v, args.lang)}" for k, v in r.lines.as_dict().items()]
    text_lines += reasons
    sit = situational_changes(grid, result)
    if sit:
        text_lines.append("Règles de situation appliquées :")
        text_lines += [f"  {s['code']} : {s['from']} → {s['to']} — {s['reason']}"
                       + (" [source secondaire]" if s["source"] == "secondary" else "") for s in sit]
    text_lines += [f"Note : {n}" for n in result.notes]
    text_lines += advice_lines
    return out, "\n".join(text_lines)
