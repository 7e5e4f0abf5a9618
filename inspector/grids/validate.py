"""Grid file validation: every problem names the file, the criterion (or part) and what is wrong."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

from . import conditions
from .model import KINDS, PROVENANCE_STATUSES, STATUSES

FORMAT = "inspector-grid/1"
ID_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,40}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$")
CONTEXT_TYPES = ("int", "number", "bool", "choice")
LEVEL_KINDS = ("category", "family", "label")
MEASURES = ("", "surface_minimum", "surface_bonus", "bed_sizes")

# Settings each engine needs (defaults of the open points live in the grid file, visible and overridable).
REQUIRED_SETTINGS = {
    "meubles": ("mandatory_threshold", "compensation_factor", "quota", "rounding", "criterion2_in_e",
                "surface_tolerance", "surface_tolerance_levels", "surface_tolerance_applies_to",
                "apply_secondary_rules"),
    "tourisme_handicap": ("confort_threshold", "min_families", "empty_confort_passes"),
    "accueil_velo": ("optional_rule",),
    "chambre_hotes_reference": ("optional_rule",),
}


@dataclass(frozen=True)
class Problem:
    """One validation problem, located."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} — {self.where} : {self.message}"


class GridError(Exception):
    """A grid file that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _type_name(value: Any) -> str:
    return {dict: "objet", list: "liste", str: "texte", int: "entier", float: "nombre", bool: "booléen",
            type(None): "null"}.get(type(value), type(value).__name__)


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message))

    def field(self, obj: dict, name: str, types: type | tuple[type, ...], where: str, required: bool = True) -> Any:
        if name not in obj:
            if required:
                self.add(where, f"champ obligatoire « {name} » absent")
            return None
        value = obj[name]
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.add(where, f"« {name} » doit être de type {self._names(types)}, pas booléen")
            return None
        if not isinstance(value, types):
            self.add(where, f"« {name} » doit être de type {self._names(types)}, pas {_type_name(value)}")
            return None
        return value

    @staticmethod
    def _names(types: type | tuple[type, ...]) -> str:
        ts = types if isinstance(types, tuple) else (types,)
        return " ou ".join(_type_name(t()) if t is not type(None) else "null" for t in ts)

    def unknown_fields(self, obj: dict, allowed: set[str], where: str) -> None:
        for name in sorted(set(obj) - allowed):
            self.add(where, f"champ inconnu « {name} »")


def allowed_by_column(column: str) -> set[str]:
    """Statuses allowed by the official 'Statut du critère' column ("X ou O ou NA" -> {X, O, NA})."""
    return {part.strip() for part in column.split(" ou ")}


def check_document(doc: Any, file: str) -> list[Problem]:
    """All problems of a parsed grid document (empty list = valid)."""
    ck = _Checker(file)
    if not isinstance(doc, dict):
        ck.add("document", f"le fichier doit contenir un objet JSON, pas {_type_name(doc)}")
        return ck.problems
    top = {"format", "id", "version", "kind", "title", "language", "provenance", "levels", "level_kind",
           "chapters", "sections", "criteria", "context", "parameters", "prerequisites", "typologies",
           "settings", "validity_years", "status_labels", "translations"}
    ck.unknown_fields(doc, top, "document")
    fmt = ck.field(doc, "format", str, "document")
    if fmt is not None and fmt != FORMAT:
        ck.add("document", f"format « {fmt} » non pris en charge (attendu « {FORMAT} »)")
    gid = ck.field(doc, "id", str, "document")
    if gid is not None and not ID_RE.match(gid):
        ck.add("document", f"identifiant « {gid} » invalide (majuscules, chiffres et tirets)")
    ck.field(doc, "version", str, "document")
    kind = ck.field(doc, "kind", str, "document")
    if kind is not None and kind not in KINDS:
        ck.add("document", f"type de grille « {kind} » inconnu (attendu : {', '.join(KINDS)})")
    ck.field(doc, "title", str, "document")
    ck.field(doc, "validity_years", (int, type(None)), "document", required=False)
    level_kind = ck.field(doc, "level_kind", str, "document")
    if level_kind is not None and level_kind not in LEVEL_KINDS:
        ck.add("document", f"level_kind « {level_kind} » inconnu (attendu : {', '.join(LEVEL_KINDS)})")

    _check_provenance(ck, doc)
    level_codes = _check_levels(ck, doc)
    context_keys = _check_context(ck, doc)
    typologies = _check_typologies(ck, doc)
    settings = ck.field(doc, "settings", dict, "document") or {}
    if kind in REQUIRED_SETTINGS:
        for name in REQUIRED_SETTINGS[kind]:
            if name not in settings:
                ck.add("settings", f"réglage « {name} » absent (nécessaire au calcul des résultats « {kind} »)")
    _check_parameters(ck, doc, level_codes)
    chapter_codes, section_codes = _check_structure(ck, doc)
    _check_criteria(ck, doc, level_codes, section_codes, context_keys, typologies, settings)
    _check_prerequisites(ck, doc, context_keys)
    labels = ck.field(doc, "status_labels", dict, "document", required=False) or {}
    for code in labels:
        if code not in STATUSES:
            ck.add("status_labels", f"statut « {code} » inconnu")
    del chapter_codes
    return ck.problems


def _check_provenance(ck: _Checker, doc: dict) -> None:
    prov = ck.field(doc, "provenance", dict, "document")
    if prov is None:
        return
    ck.unknown_fields(prov, {"status", "source_document", "legal_basis", "applicable_from", "publisher", "notes"},
                      "provenance")
    status = ck.field(prov, "status", str, "provenance")
    if status is not None and status not in PROVENANCE_STATUSES:
        ck.add("provenance", f"statut « {status} » inconnu (attendu : {', '.join(PROVENANCE_STATUSES)})")
    ck.field(prov, "source_document", str, "provenance")
    ck.field(prov, "legal_basis", str, "provenance")
    date = ck.field(prov, "applicable_from", (str, type(None)), "provenance")
    if isinstance(date, str):
        try:
            _dt.date.fromisoformat(date)
        except ValueError:
            ck.add("provenance", f"date d'application « {date} » invalide (format AAAA-MM-JJ)")


def _check_levels(ck: _Checker, doc: dict) -> list[str]:
    levels = ck.field(doc, "levels", list, "document")
    codes: list[str] = []
    if not levels:
        if levels is not None:
            ck.add("levels", "au moins un niveau (catégorie, famille ou label) est nécessaire")
        return codes
    for i, lv in enumerate(levels):
        where = f"niveau n° {i + 1}"
        if not isinstance(lv, dict):
            ck.add(where, "doit être un objet {code, label}")
            continue
        code = ck.field(lv, "code", str, where)
        ck.field(lv, "label", str, where)
        if code is not None:
            if code in codes:
                ck.add(where, f"code de niveau « {code} » en double")
            codes.append(code)
    return codes


def _check_context(ck: _Checker, doc: dict) -> dict[str, dict]:
    ctx = ck.field(doc, "context", list, "document")
    keys: dict[str, dict] = {}
    for i, item in enumerate(ctx or []):
        where = f"contexte n° {i + 1}"
        if not isinstance(item, dict):
            ck.add(where, "doit être un objet")
            continue
        ck.unknown_fields(item, {"key", "type", "label", "required", "default", "choices", "min", "max", "help"},
                          where)
        key = ck.field(item, "key", str, where)
        typ = ck.field(item, "type", str, where)
        ck.field(item, "label", str, where)
        if key is not None:
            where = f"contexte « {key} »"
            if key in keys:
                ck.add(where, "clé en double")
            keys[key] = item
        if typ is not None and typ not in CONTEXT_TYPES:
            ck.add(where, f"type « {typ} » inconnu (attendu : {', '.join(CONTEXT_TYPES)})")
        if typ == "choice" and not isinstance(item.get("choices"), list):
            ck.add(where, "un contexte de type choice doit lister ses « choices »")
    return keys


def _check_typologies(ck: _Checker, doc: dict) -> set[str]:
    typ = ck.field(doc, "typologies", dict, "document", required=False) or {}
    return set(typ)


def _check_parameters(ck: _Checker, doc: dict, level_codes: list[str]) -> None:
    params = ck.field(doc, "parameters", list, "document")
    seen: set[str] = set()
    for i, p in enumerate(params or []):
        where = f"paramètre n° {i + 1}"
        if not isinstance(p, dict):
            ck.add(where, "doit être un objet")
            continue
        code = ck.field(p, "code", str, where)
        if code is not None:
            where = f"paramètre « {code} »"
            if code in seen:
                ck.add(where, "code en double")
            seen.add(code)
        ck.field(p, "text", str, where)
        ck.field(p, "unit", str, where)
        values = ck.field(p, "values", dict, where)
        for lv in values or {}:
            if lv not in level_codes:
                ck.add(where, f"valeur pour un niveau inconnu « {lv} »")


def _check_structure(ck: _Checker, doc: dict) -> tuple[set[str], set[str]]:
    chapters: set[str] = set()
    for i, ch in enumerate(ck.field(doc, "chapters", list, "document") or []):
        where = f"chapitre n° {i + 1}"
        if not isinstance(ch, dict):
            ck.add(where, "doit être un objet {code, title}")
            continue
        code = ck.field(ch, "code", str, where)
        ck.field(ch, "title", str, where)
        if code in chapters:
            ck.add(where, f"code de chapitre « {code} » en double")
        if code is not None:
            chapters.add(code)
    sections: set[str] = set()
    for i, s in enumerate(ck.field(doc, "sections", list, "document") or []):
        where = f"section n° {i + 1}"
        if not isinstance(s, dict):
            ck.add(where, "doit être un objet {code, chapter, title}")
            continue
        code = ck.field(s, "code", str, where)
        chap = ck.field(s, "chapter", str, where)
        ck.field(s, "title", str, where)
        if code in sections:
            ck.add(where, f"code de section « {code} » en double")
        if code is not None:
            sections.add(code)
        if chap is not None and chap not in chapters:
            ck.add(f"section « {code} »", f"chapitre « {chap} » inconnu")
    return chapters, sections


CRITERION_FIELDS = {"code", "text", "status", "points", "section", "rubric", "help", "status_column",
                    "points_label", "graded", "measure", "cumulates_with", "applicability", "na_reasons",
                    "typologies", "nc_allowed", "translations"}
RULE_FIELDS = {"when", "effect", "reason", "levels", "only_if_status", "source", "setting"}


def _check_criteria(ck: _Checker, doc: dict, level_codes: list[str], section_codes: set[str],
                    context_keys: dict[str, dict], typologies: set[str], settings: dict) -> None:
    criteria = ck.field(doc, "criteria", list, "document")
    if criteria is None:
        return
    if not criteria:
        ck.add("criteria", "la grille ne contient aucun critère")
    seen: set[str] = set()
    all_codes = {c.get("code") for c in criteria if isinstance(c, dict)}
    for i, c in enumerate(criteria):
        where = f"critère n° {i + 1} de la liste"
        if not isinstance(c, dict):
            ck.add(where, "doit être un objet")
            continue
        code = c.get("code")
        if isinstance(code, str) and code:
            where = f"critère {code}"
            if not CODE_RE.match(code):
                ck.add(where, "code invalide (lettres, chiffres, « . », « - » ou « _ »)")
            if code in seen:
                ck.add(where, "code en double")
            seen.add(code)
        else:
            ck.add(where, "champ « code » absent ou vide")
        ck.unknown_fields(c, CRITERION_FIELDS, where)
        text = ck.field(c, "text", str, where)
        if text is not None and not text.strip():
            ck.add(where, "libellé vide")
        points = ck.field(c, "points", int, where, required=False)
        if points is not None and points < 0:
            ck.add(where, f"points négatifs ({points})")
        section = ck.field(c, "section", (str, type(None)), where, required=False)
        if section is not None and section not in section_codes:
            ck.add(where, f"section « {section} » inconnue")
        for name in ("rubric", "help", "status_column", "points_label"):
            ck.field(c, name, str, where, required=False)
        graded = ck.field(c, "graded", bool, where, required=False)
        if graded and not points:
            ck.add(where, "un critère gradué (« graded ») doit indiquer son maximum de points")
        measure = ck.field(c, "measure", str, where, required=False)
        if measure is not None and measure not in MEASURES:
            ck.add(where, f"mesure « {measure} » inconnue (attendu : {', '.join(m for m in MEASURES if m)})")
        cum = ck.field(c, "cumulates_with", (str, type(None)), where, required=False)
        if cum is not None and cum not in all_codes:
            ck.add(where, f"« cumulates_with » renvoie à un critère inconnu « {cum} »")
        ck.field(c, "nc_allowed", bool, where, required=False)
        _check_status(ck, c, where, level_codes)
        _check_rules(ck, c, where, level_codes, context_keys, settings)
        reasons = ck.field(c, "na_reasons", list, where, required=False)
        for r in reasons or []:
            if not isinstance(r, str) or not r.strip():
                ck.add(where, "chaque motif de NA (« na_reasons ») doit être un texte non vide")
        if reasons and isinstance(c.get("status"), dict) and "NA" not in allowed_by_column(
                c.get("status_column") or "NA") and "NA" not in c["status"].values():
            ck.add(where, "un NA manuel est permis (« na_reasons ») mais la colonne de statut n'admet pas NA")
        typ = ck.field(c, "typologies", list, where, required=False)
        for t in typ or []:
            if t not in typologies:
                ck.add(where, f"typologie « {t} » inconnue")


def _check_status(ck: _Checker, c: dict, where: str, level_codes: list[str]) -> None:
    status = ck.field(c, "status", dict, where)
    if status is None:
        return
    for lv in level_codes:
        if lv not in status:
            ck.add(where, f"statut absent pour le niveau « {lv} »")
    column = c.get("status_column")
    allowed = allowed_by_column(column) if isinstance(column, str) and column else None
    for lv, st in status.items():
        if lv not in level_codes:
            ck.add(where, f"statut pour un niveau inconnu « {lv} »")
        elif st not in STATUSES:
            ck.add(where, f"statut « {st} » inconnu pour le niveau « {lv} » (attendu : {', '.join(STATUSES)})")
        elif allowed is not None and st not in allowed:
            ck.add(where, f"statut « {st} » au niveau « {lv} » contredit la colonne de statut « {column} »")


def _check_rules(ck: _Checker, c: dict, where: str, level_codes: list[str], context_keys: dict[str, dict],
                 settings: dict) -> None:
    rules = ck.field(c, "applicability", list, where, required=False)
    for j, rule in enumerate(rules or []):
        rwhere = f"{where}, règle d'applicabilité n° {j + 1}"
        if not isinstance(rule, dict):
            ck.add(rwhere, "doit être un objet")
            continue
        ck.unknown_fields(rule, RULE_FIELDS, rwhere)
        when = rule.get("when")
        if when is None:
            ck.add(rwhere, "champ obligatoire « when » absent")
        else:
            problems = conditions.check(when, rwhere)
            for p in problems:
                ck.add(rwhere, p.split(": ", 1)[1] if ": " in p else p)
            if not problems:
                for key in conditions.keys(when):
                    if key not in context_keys:
                        ck.add(rwhere, f"clé de contexte « {key} » non déclarée dans « context »")
        effect = ck.field(rule, "effect", str, rwhere)
        if effect is not None and effect not in ("NA", "O"):
            ck.add(rwhere, f"effet « {effect} » inconnu (attendu NA ou O)")
        ck.field(rule, "reason", str, rwhere)
        for lv in ck.field(rule, "levels", list, rwhere, required=False) or []:
            if lv not in level_codes:
                ck.add(rwhere, f"niveau inconnu « {lv} »")
        for st in ck.field(rule, "only_if_status", list, rwhere, required=False) or []:
            if st not in STATUSES:
                ck.add(rwhere, f"statut inconnu « {st} »")
        source = ck.field(rule, "source", str, rwhere, required=False)
        if source is not None and source not in ("official", "secondary"):
            ck.add(rwhere, f"source « {source} » inconnue (attendu official ou secondary)")
        setting = ck.field(rule, "setting", str, rwhere, required=False)
        if setting and setting not in settings:
            ck.add(rwhere, f"réglage « {setting} » non déclaré dans « settings »")


def _check_prerequisites(ck: _Checker, doc: dict, context_keys: dict[str, dict]) -> None:
    items = ck.field(doc, "prerequisites", list, "document", required=False)
    for i, p in enumerate(items or []):
        where = f"prérequis n° {i + 1}"
        if not isinstance(p, dict):
            ck.add(where, "doit être un objet")
            continue
        code = ck.field(p, "code", str, where)
        if code:
            where = f"prérequis « {code} »"
        ck.field(p, "text", str, where)
        cond = p.get("condition")
        if cond is None:
            ck.add(where, "champ obligatoire « condition » absent")
            continue
        problems = conditions.check(cond, where)
        for prob in problems:
            ck.add(where, prob.split(": ", 1)[1] if ": " in prob else prob)
        if not problems:
            for key in conditions.keys(cond):
                if key not in context_keys:
                    ck.add(where, f"clé de contexte « {key} » non déclarée dans « context »")
