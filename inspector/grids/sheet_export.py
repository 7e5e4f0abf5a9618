"""Lay a grid document out as the sheets of the grid workbook (the inverse of sheet_import)."""

from __future__ import annotations

import json
from typing import Any

from . import sheet_layout as L
from .expressions import format_condition, parse_condition

Cell = str | int | float | None
Sheets = dict[str, list[list[Cell]]]  # sheet -> rows, the header first


class ExportError(ValueError):
    """A grid the workbook layout cannot hold exactly (the message says what, in French)."""


CRITERION_FIELDS = {"code", "text", "status", "points", "section", "rubric", "help", "status_column",
                    "points_label", "graded", "measure", "cumulates_with", "applicability", "na_reasons",
                    "typologies", "nc_allowed"}
TOP_FIELDS = {"format", "id", "version", "kind", "title", "language", "provenance", "levels", "level_kind",
              "chapters", "sections", "criteria", "context", "parameters", "prerequisites", "typologies",
              "settings", "validity_years", "status_labels"}


def _bool(value: Any) -> Cell:
    return None if value is None else ("oui" if value else "non")


def condition_text(cond: Any) -> str:
    """The readable form when it reads back identically, else the JSON form (accepted as well)."""
    try:
        text = format_condition(cond)
        if parse_condition(text) == cond:
            return text
    except (ValueError, KeyError, TypeError):
        pass
    return json.dumps(cond, ensure_ascii=False)


def optional_rule_text(rule: Any) -> str:
    from .sheet_import import optional_rule

    candidates = []
    if isinstance(rule, dict):
        kind, value = rule.get("kind"), rule.get("value")
        if kind == "none":
            candidates.append("aucune")
        elif kind == "min_count":
            candidates.append(f"au moins {value}")
        elif kind == "min_ratio":
            try:
                from decimal import Decimal

                candidates.append(f"au moins {format((Decimal(str(value)) * 100).normalize(), 'f')} %")
            except ArithmeticError:
                pass
    for text in candidates:
        try:
            if optional_rule(text) == rule:
                return text
        except L.CellError:
            pass
    return json.dumps(rule, ensure_ascii=False)


def setting_cell(name: str, value: Any) -> Cell:
    kind = L.SETTING_TYPES.get(name, "json")
    if kind == "bool" and isinstance(value, bool):
        return _bool(value)
    if kind in ("ratio", "choice") and isinstance(value, str):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "list" and isinstance(value, list) and all(isinstance(v, str) and "," not in v for v in value):
        return ", ".join(value)
    if kind == "optional_rule":
        return optional_rule_text(value)
    return json.dumps(value, ensure_ascii=False)


def _settings_rows(doc: dict[str, Any]) -> list[list[Cell]]:
    prov = doc.get("provenance", {})
    values: dict[str, Any] = {
        "identifiant": doc.get("id"), "version": doc.get("version"), "type": doc.get("kind"),
        "titre": doc.get("title"), "langue": doc.get("language"),
        "provenance": L.PROVENANCE_WORDS.get(prov.get("status", ""), prov.get("status")),
        "source": prov.get("source_document"), "base_legale": prov.get("legal_basis"),
        "editeur": prov.get("publisher"), "applicable_le": prov.get("applicable_from"), "notes": prov.get("notes"),
        "validite_annees": doc.get("validity_years"), "type_niveaux": doc.get("level_kind"),
    }
    rows: list[list[Cell]] = [list(L.COLUMNS[L.SETTINGS])]
    for name, value in values.items():
        if value is not None or name in L.REQUIRED_GRID_KEYS or name == "applicable_le":
            rows.append([name, value, L.GRID_KEY_HELP[name]])
    for name, value in doc.get("settings", {}).items():
        rows.append([name, setting_cell(name, value), L.SETTING_HELP.get(name, "réglage de calcul")])
    return rows


def _level_columns(prefix: str, levels: list[str]) -> list[str]:
    return [prefix] if len(levels) == 1 else [f"{prefix}_{lv}" for lv in levels]


def _criteria_rows(doc: dict[str, Any], levels: list[str]) -> list[list[Cell]]:
    criteria = doc.get("criteria", [])
    chapter_of = {s["code"]: s["chapter"] for s in doc.get("sections", [])}
    used = {name for c in criteria for name, value in c.items() if value not in (None, "", [])}
    optional = [("rubrique", "rubric"), ("colonne_statut", "status_column"), ("points", "points"),
                ("points_libelle", "points_label"), ("gradue", "graded"), ("mesure", "measure"),
                ("cumul_avec", "cumulates_with"), ("typologies", "typologies"), ("nc_autorise", "nc_allowed"),
                ("motifs_na", "na_reasons")]
    header: list[str] = ["code"]
    if "section" in used or doc.get("sections"):
        header += ["chapitre", "section"]
    header += [col for col, field in optional[:1] if field in used]
    header += ["libelle", "aide"] + _level_columns(L.STATUS_PREFIX, levels)
    header += [col for col, field in optional[1:] if field in used or (field == "typologies" and doc.get(field))]
    rows: list[list[Cell]] = [list(header)]
    status_columns = dict(zip(levels, _level_columns(L.STATUS_PREFIX, levels), strict=True))
    for c in criteria:
        cells: dict[str, Cell] = {
            "code": c.get("code"), "section": c.get("section"), "chapitre": chapter_of.get(c.get("section") or ""),
            "rubrique": c.get("rubric"), "libelle": c.get("text"), "aide": c.get("help"),
            "colonne_statut": c.get("status_column"), "points": c.get("points"),
            "points_libelle": c.get("points_label"), "gradue": _bool(c.get("graded")), "mesure": c.get("measure"),
            "cumul_avec": c.get("cumulates_with"), "typologies": ", ".join(c.get("typologies", [])) or None,
            "nc_autorise": _bool(c.get("nc_allowed")), "motifs_na": "\n".join(c.get("na_reasons", [])) or None,
        }
        for lv in levels:
            cells[status_columns[lv]] = c.get("status", {}).get(lv)
        rows.append([cells.get(col) for col in header])
    return rows


def _rules_rows(doc: dict[str, Any]) -> list[list[Cell]]:
    rows: list[list[Cell]] = [list(L.COLUMNS[L.RULES])]
    for c in doc.get("criteria", []):
        for r in c.get("applicability", []):
            rows.append([c["code"], condition_text(r.get("when")), r.get("effect"), r.get("reason"),
                         ", ".join(r.get("levels", [])) or None, ", ".join(r.get("only_if_status", [])) or None,
                         L.SOURCE_WORDS.get(r["source"], r["source"]) if "source" in r else None, r.get("setting")])
    return rows


def _context_rows(doc: dict[str, Any]) -> list[list[Cell]]:
    rows: list[list[Cell]] = [list(L.COLUMNS[L.CONTEXT])]
    for k in doc.get("context", []):
        default = k.get("default")
        rows.append([k.get("key"), L.CONTEXT_TYPE_WORDS.get(k.get("type", ""), k.get("type")), k.get("label"),
                     _bool(k.get("required")), _bool(default) if isinstance(default, bool) else default,
                     k.get("min"), k.get("max"), ", ".join(k.get("choices", [])) or None, k.get("help")])
    return rows


def _values_rows(doc: dict[str, Any], levels: list[str]) -> list[list[Cell]]:
    columns = _level_columns(L.VALUE_PREFIX, levels)
    rows: list[list[Cell]] = [["code", "libelle", "unite", *columns, "aide"]]
    for p in doc.get("parameters", []):
        values = p.get("values", {})
        rows.append([p.get("code"), p.get("text"), p.get("unit"), *[values.get(lv) for lv in levels], p.get("help")])
    return rows


def unsupported(doc: dict[str, Any]) -> list[str]:
    """What the workbook layout has no place for (the export refuses rather than dropping it)."""
    found = [f"champ « {name} »" for name in doc if name not in TOP_FIELDS]
    for c in doc.get("criteria", []):
        found += [f"critère {c.get('code')} : champ « {name} »" for name in c if name not in CRITERION_FIELDS]
    return found


def document_sheets(doc: dict[str, Any]) -> Sheets:
    """Every sheet of the layout (optional ones with their header only), in the documented order."""
    problems = unsupported(doc)
    if problems:
        raise ExportError("le classeur ne sait pas représenter : " + "; ".join(problems))
    levels = [lv["code"] for lv in doc.get("levels", [])]
    return {
        L.CRITERIA: _criteria_rows(doc, levels),
        L.SETTINGS: _settings_rows(doc),
        L.LEVELS: [list(L.COLUMNS[L.LEVELS])] + [[lv["code"], lv["label"]] for lv in doc.get("levels", [])],
        L.CHAPTERS: [list(L.COLUMNS[L.CHAPTERS])] + [[c["code"], c["title"]] for c in doc.get("chapters", [])],
        L.SECTIONS: [list(L.COLUMNS[L.SECTIONS])] + [[s["code"], s["chapter"], s["title"]]
                                                     for s in doc.get("sections", [])],
        L.TYPOLOGIES: [list(L.COLUMNS[L.TYPOLOGIES])] + [[k, v] for k, v in doc.get("typologies", {}).items()],
        L.CONTEXT: _context_rows(doc),
        L.PREREQUISITES: [list(L.COLUMNS[L.PREREQUISITES])] + [
            [p.get("code"), p.get("text"), condition_text(p.get("condition")), p.get("help")]
            for p in doc.get("prerequisites", [])],
        L.RULES: _rules_rows(doc),
        L.VALUES: _values_rows(doc, levels),
        L.STATUS_LABELS: [list(L.COLUMNS[L.STATUS_LABELS])] + [[k, v] for k, v in doc.get("status_labels",
                                                                                          {}).items()],
    }


# Columns whose cells are codes: written as text so that Excel keeps « 1.10 » and « 01 » as typed.
TEXT_COLUMNS = {"code", "chapitre", "section", "cumul_avec", "critere", "identifiant", "cle", "valeur"}
