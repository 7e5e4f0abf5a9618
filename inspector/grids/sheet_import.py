"""Build a grid document from the sheets of a grid workbook, collecting every problem with its sheet/row/column."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..scoring.settings import CHOICES
from . import conditions
from . import sheet_layout as L
from .expressions import KEY_RE, ExpressionError, parse_condition
from .model import STATUSES
from .sheet_table import Problems, Row, Sheet, SheetProblem, Table
from .validate import CODE_RE, FORMAT, ID_RE, MEASURES, REQUIRED_SETTINGS, allowed_by_column, check_document
from .validate_map import map_problem


class _Builder:
    def __init__(self, tables: dict[str, Table], source: str):
        self.tables, self.source = tables, source
        self.problems = Problems()
        self.origins: dict[str, tuple[str, int]] = {}  # validator location ("critère T3") -> (sheet, row)
        self.setting_rows: dict[str, int] = {}  # parametres key -> row
        self.kind: str | None = None
        self.levels: list[str] = []
        self.chapters: set[str] = set()
        self.sections: dict[str, str] = {}  # code -> chapter
        self.typologies: dict[str, str] = {}
        self.context: dict[str, dict[str, Any]] = {}
        self.settings: dict[str, Any] = {}

    # ----- helpers ------------------------------------------------------------------------------------------------

    def file_error(self, sheet: str, message: str) -> None:
        table = self.tables.get(sheet)
        place = table.place if table else f"feuille « {sheet} »"
        self.problems.add(SheetProblem(place, None, "", message, sheet))

    def sheet(self, name: str, allowed: list[str] | None = None, required: list[str] | None = None) -> Sheet | None:
        table = self.tables.get(name)
        if table is None:
            if name in L.REQUIRED_SHEETS:
                self.problems.add(SheetProblem("", None, "", f"feuille « {name} » absente (feuilles obligatoires : "
                                               f"{', '.join(L.REQUIRED_SHEETS)})", name))
            return None
        return Sheet(table, self.problems, allowed or list(L.COLUMNS[name]),
                     required if required is not None else L.REQUIRED_COLUMNS[name])

    @staticmethod
    def read(row: Row, column: str, reader: Callable[[Any], Any], *, required: bool = False,
             empty: str = "") -> Any:
        """The cell read by `reader`; None when empty (an error when required) or unreadable (an error)."""
        raw = row.get(column)
        if raw is None:
            if required and row.has(column):
                row.error(column, empty or "cellule vide")
            return None
        try:
            return reader(raw)
        except L.CellError as exc:
            row.error(column, str(exc))
            return None

    def code(self, row: Row, column: str, seen: dict[str, int], what: str) -> str | None:
        code = self.read(row, column, L.as_code, required=True, empty=f"{what} : code vide")
        if code is None:
            return None
        if code in seen:
            row.error(column, f"code « {code} » en double (déjà ligne {seen[code]})")
            return None
        seen[code] = row.number
        return code

    def levels_of(self, row: Row, column: str) -> list[str]:
        levels = self.read(row, column, L.as_list) or []
        for lv in levels:
            if lv not in self.levels:
                row.error(column, f"niveau « {lv} » inconnu (niveaux : {', '.join(self.levels)})")
        return levels

    def per_level_columns(self, prefix: str) -> dict[str, str]:
        """Level code -> column name (`statut_moteur`; plain `statut` is accepted for a single level)."""
        return {lv: f"{prefix}_{lv}" for lv in self.levels}

    # ----- conditions ---------------------------------------------------------------------------------------------

    def condition(self, row: Row, column: str) -> dict[str, Any] | None:
        raw = row.get(column)
        if raw is None:
            if row.has(column):
                row.error(column, "condition vide (ex. distance_km <= 5)")
            return None
        text = L.as_text(raw)
        if text.startswith("{"):
            try:
                cond = json.loads(text)
            except json.JSONDecodeError as exc:
                row.error(column, f"condition JSON illisible ({exc.msg})")
                return None
            found = conditions.check(cond, "condition")
            if found:
                row.error(column, "; ".join(found))
                return None
        else:
            try:
                cond = parse_condition(text)
            except ExpressionError as exc:
                row.error(column, f"condition « {text} » illisible : {exc}")
                return None
        ok = True
        for leaf in conditions.leaves(cond):
            message = self.leaf_problem(leaf)
            if message:
                row.error(column, f"condition « {text} » : {message}")
                ok = False
        return cond if ok else None

    def leaf_problem(self, leaf: dict[str, Any]) -> str:
        name, op, value = leaf["key"], leaf["op"], leaf["value"]
        spec = self.context.get(name)
        if spec is None:
            known = ", ".join(self.context) or "aucune"
            return f"clé « {name} » non déclarée dans la feuille contexte (clés : {known})"
        kind = spec.get("type")
        values = value if op == "in" and isinstance(value, list) else [value]
        if kind == "bool":
            if op not in ("==", "!=") or not all(isinstance(v, bool) for v in values):
                return f"« {name} » vaut oui ou non : écrivez {name} == oui (ou == non)"
        elif kind in ("int", "number"):
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                return f"« {name} » est un nombre : comparez-le à un nombre (ex. {name} <= 5)"
        elif kind == "choice":
            choices = spec.get("choices", [])
            if op not in ("==", "!=", "in"):
                return f"« {name} » est un choix : utilisez ==, != ou dans (…)"
            unknown = [str(v) for v in values if v not in choices]
            if unknown:
                return f"valeur « {', '.join(unknown)} » hors des choix de « {name} » ({', '.join(choices)})"
        return ""

    # ----- sheets -------------------------------------------------------------------------------------------------

    def grid_settings(self) -> dict[str, Any]:
        sh = self.sheet(L.SETTINGS)
        grid: dict[str, Any] = {}
        if sh is None:
            return grid
        known = {L.key(k): k for k in L.GRID_KEYS} | {L.key(k): k for k in L.SETTING_TYPES}
        entries: dict[str, Row] = {}
        for row in sh.rows():
            raw = row.get("cle")
            if raw is None:
                row.error("cle", "clé vide alors que la ligne est remplie")
                continue
            name = known.get(L.key(L.as_text(raw)))
            if name is None:
                row.error("cle", f"clé « {L.as_text(raw)} » inconnue (clés : {', '.join(L.GRID_KEYS)}, puis les "
                          "réglages du type de grille)")
            elif name in entries:
                row.error("cle", f"clé « {name} » en double (déjà ligne {entries[name].number})")
            else:
                entries[name] = row
                self.setting_rows[name] = row.number
        kind_row = entries.get("type")
        if kind_row is not None:
            self.kind = self.read(kind_row, "valeur", lambda v: L.choice(v, L.KIND_ALIASES, ", ".join(
                REQUIRED_SETTINGS)), required=True, empty="type de grille vide")
        for name in L.REQUIRED_GRID_KEYS:
            if name not in entries:
                sh.error(None, None, f"ligne « {name} » absente ({L.GRID_KEY_HELP[name]})")
        for name, row in entries.items():
            if name in L.GRID_KEYS:
                value = self.grid_value(name, row)
                if value is not None or name == "applicable_le":
                    grid[L.GRID_KEYS[name]] = value
        if self.kind is not None:
            self.read_engine_settings(sh, entries)
        return grid

    def grid_value(self, name: str, row: Row) -> Any:
        required = name in L.REQUIRED_GRID_KEYS
        if name == "type":
            return self.kind
        if name == "identifiant":
            gid = self.read(row, "valeur", L.as_code, required=True)
            if gid is not None and not ID_RE.match(gid):
                row.error("valeur", f"identifiant « {gid} » invalide : majuscules, chiffres et tirets "
                          "(ex. TH-2024-HEB)")
                return None
            return gid
        if name == "provenance":
            return self.read(row, "valeur", lambda v: L.choice(v, L.PROVENANCE_ALIASES, "officielle, partielle ou "
                                                               "exemple"), required=True)
        if name == "applicable_le":
            return self.read(row, "valeur", L.as_date)
        if name == "validite_annees":
            return self.read(row, "valeur", lambda v: L.as_int(v, minimum=1))
        if name == "type_niveaux":
            return self.read(row, "valeur", lambda v: L.choice(v, L.LEVEL_KIND_ALIASES, "famille, label ou "
                                                               "categorie"))
        return self.read(row, "valeur", L.as_code if name == "version" else L.as_text, required=required)

    def read_engine_settings(self, sh: Sheet, entries: dict[str, Row]) -> None:
        assert self.kind is not None
        wanted = REQUIRED_SETTINGS[self.kind]
        for name, row in entries.items():
            if name in L.GRID_KEYS:
                continue
            if name not in wanted:
                row.error("cle", f"réglage « {name} » sans objet pour une grille {self.kind} (réglages : "
                          f"{', '.join(wanted)})")
                continue
            value = self.read(row, "valeur", lambda v, n=name: self.setting_value(n, v), required=True,
                              empty=f"réglage « {name} » sans valeur")
            if value is not None:
                self.settings[name] = value
        for name in wanted:
            if name not in entries:
                hint = L.SETTING_HELP.get(name, "voir docs/scoring.md")
                sh.error(None, None, f"réglage « {name} » absent : ajoutez la ligne {name} ({hint})")

    def setting_value(self, name: str, raw: Any) -> Any:
        kind = L.SETTING_TYPES[name]
        if kind == "ratio":
            return L.as_ratio(raw)
        if kind == "int":
            number = L.as_int(raw, minimum=1)
            if name == "min_families" and number > len(self.levels):
                raise L.CellError(f"{number} familles exigées, la grille n'a que {len(self.levels)} niveau(x)")
            return number
        if kind == "bool":
            return L.as_bool(raw)
        if kind == "choice":
            text = L.as_text(raw)
            if text not in CHOICES[name]:
                raise L.CellError(f"« {text} » inconnu (choix : {', '.join(CHOICES[name])})")
            return text
        if kind == "list":
            return L.as_list(raw)
        if kind == "optional_rule":
            return optional_rule(raw)
        try:
            return json.loads(L.as_text(raw))
        except json.JSONDecodeError as exc:
            raise L.CellError(f"JSON attendu ({exc.msg})") from None

    def read_levels(self) -> list[dict[str, str]]:
        sh = self.sheet(L.LEVELS)
        out: list[dict[str, str]] = []
        if sh is None:
            return out
        seen: dict[str, int] = {}
        for row in sh.rows():
            code = self.code(row, "code", seen, "niveau")
            label = self.read(row, "libelle", L.as_text, required=True, empty="libellé du niveau vide")
            if code is not None:
                self.levels.append(code)
                self.origins[f"niveau n° {len(out) + 1}"] = (sh.name, row.number)
                out.append({"code": code, "label": label or ""})
        if not out and not any(p.sheet == L.LEVELS for p in self.problems.items):
            sh.error(None, None, "aucun niveau : au moins une ligne (famille, label ou catégorie)")
        return out

    def read_structure(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        chapters: list[dict[str, str]] = []
        sections: list[dict[str, str]] = []
        sh = self.sheet(L.CHAPTERS)
        seen: dict[str, int] = {}
        for row in sh.rows() if sh else ():
            code = self.code(row, "code", seen, "chapitre")
            title = self.read(row, "titre", L.as_text, required=True, empty="titre du chapitre vide")
            if code is not None:
                self.chapters.add(code)
                self.origins[f"chapitre n° {len(chapters) + 1}"] = (L.CHAPTERS, row.number)
                chapters.append({"code": code, "title": title or ""})
        sh = self.sheet(L.SECTIONS)
        seen = {}
        for row in sh.rows() if sh else ():
            code = self.code(row, "code", seen, "section")
            chapter = self.read(row, "chapitre", L.as_code, required=True, empty="chapitre vide")
            title = self.read(row, "titre", L.as_text, required=True, empty="titre de la section vide")
            if chapter is not None and chapter not in self.chapters:
                row.error("chapitre", f"chapitre « {chapter} » inconnu (feuille chapitres : "
                          f"{', '.join(sorted(self.chapters)) or 'vide'})")
            if code is not None:
                self.sections[code] = chapter or ""
                self.origins[f"section n° {len(sections) + 1}"] = (L.SECTIONS, row.number)
                self.origins[f"section « {code} »"] = (L.SECTIONS, row.number)
                sections.append({"code": code, "chapter": chapter or "", "title": title or ""})
        return chapters, sections

    def read_pairs(self, sheet: str) -> dict[str, str]:
        sh = self.sheet(sheet)
        out: dict[str, str] = {}
        seen: dict[str, int] = {}
        for row in sh.rows() if sh else ():
            code = self.code(row, "code", seen, sheet)
            label = self.read(row, "libelle", L.as_text, required=True, empty="libellé vide")
            if code is not None and sheet == L.STATUS_LABELS:
                code = L.as_status(code)
            if code is not None and sheet == L.STATUS_LABELS and code not in STATUSES:
                row.error("code", f"statut « {code} » inconnu (statuts : {', '.join(STATUSES)})")
            elif code is not None:
                out[code] = label or ""
        return out

    def read_context(self) -> list[dict[str, Any]]:
        sh = self.sheet(L.CONTEXT)
        out: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for row in sh.rows() if sh else ():
            name = self.code(row, "cle", seen, "contexte")
            if name is not None and not KEY_RE.match(name):
                row.error("cle", f"clé « {name} » invalide : lettres sans accent, chiffres et _ (ex. distance_km)")
            kind = self.read(row, "type", lambda v: L.choice(v, L.CONTEXT_TYPE_ALIASES, "entier, nombre, oui/non "
                                                            "ou choix"), required=True, empty="type vide")
            item: dict[str, Any] = {"key": name or "", "type": kind or "",
                                    "label": self.read(row, "libelle", L.as_text, required=True,
                                                       empty="libellé vide") or ""}
            required = self.read(row, "obligatoire", L.as_bool)
            if required is not None:
                item["required"] = required
            choices = self.read(row, "choix", L.as_list)
            if choices and kind != "choice":
                row.error("choix", "des choix ne se donnent que pour le type choix")
            if kind == "choice" and not choices:
                row.error("choix" if row.has("choix") else "type", "un contexte de type choix liste ses choix "
                          "(colonne choix, séparés par des virgules)")
            reader = {"int": L.as_int, "number": L.as_number, "bool": L.as_bool}.get(kind or "", L.as_text)
            default = self.read(row, "defaut", reader)
            if default is not None and kind == "choice" and choices and default not in choices:
                row.error("defaut", f"« {default} » n'est pas un des choix ({', '.join(choices)})")
            if default is not None:
                item["default"] = default
            for column in ("min", "max"):
                if row.get(column) is not None and kind not in ("int", "number"):
                    row.error(column, f"{column} ne se donne que pour un nombre")
                    continue
                bound = self.read(row, column, L.as_int if kind == "int" else L.as_number)
                if bound is not None:
                    item[column] = bound
            if choices and kind == "choice":
                item["choices"] = choices
            help_text = self.read(row, "aide", L.as_text)
            if help_text:
                item["help"] = help_text
            if name is not None:
                self.context[name] = item
                self.origins[f"contexte « {name} »"] = (L.CONTEXT, row.number)
                self.origins[f"contexte n° {len(out) + 1}"] = (L.CONTEXT, row.number)
            out.append(item)
        return out

    def read_prerequisites(self) -> list[dict[str, Any]]:
        sh = self.sheet(L.PREREQUISITES)
        out: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for row in sh.rows() if sh else ():
            code = self.code(row, "code", seen, "prérequis")
            item: dict[str, Any] = {"code": code or "",
                                    "text": self.read(row, "libelle", L.as_text, required=True,
                                                      empty="libellé vide") or "",
                                    "condition": self.condition(row, "condition")}
            help_text = self.read(row, "aide", L.as_text)
            if help_text:
                item["help"] = help_text
            self.origins[f"prérequis n° {len(out) + 1}"] = (L.PREREQUISITES, row.number)
            if code:
                self.origins[f"prérequis « {code} »"] = (L.PREREQUISITES, row.number)
            out.append(item)
        return out

    def read_values(self) -> list[dict[str, Any]]:
        columns = self.per_level_columns(L.VALUE_PREFIX)
        allowed = list(L.COLUMNS[L.VALUES]) + list(columns.values())
        if len(self.levels) == 1:
            allowed.append(L.VALUE_PREFIX)
        sh = self.sheet(L.VALUES, allowed)
        out: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for row in sh.rows() if sh else ():
            code = self.code(row, "code", seen, "valeur")
            item: dict[str, Any] = {"code": code or "", "unit": self.read(row, "unite", L.as_text) or "",
                                    "text": self.read(row, "libelle", L.as_text, required=True,
                                                      empty="libellé vide") or ""}
            values: dict[str, Any] = {}
            for lv, column in columns.items():
                if not row.has(column) and row.has(L.VALUE_PREFIX):
                    column = L.VALUE_PREFIX
                raw = row.get(column)
                if raw is None or L.key(L.as_text(raw)) == "na":
                    values[lv] = None
                else:
                    try:
                        values[lv] = L.as_number(raw)
                    except L.CellError:
                        values[lv] = L.as_text(raw)
            item["values"] = values
            help_text = self.read(row, "aide", L.as_text)
            if help_text:
                item["help"] = help_text
            self.origins[f"paramètre n° {len(out) + 1}"] = (L.VALUES, row.number)
            if code:
                self.origins[f"paramètre « {code} »"] = (L.VALUES, row.number)
            out.append(item)
        return out

    def criterion_statuses(self, row: Row, columns: dict[str, str], status_column: str | None) -> dict[str, str]:
        allowed = L.KIND_STATUSES.get(self.kind or "", STATUSES)
        by_column = allowed_by_column(status_column) if status_column else None
        status: dict[str, str] = {}
        for lv, column in columns.items():
            st = self.read(row, column, L.as_status, required=True,
                           empty=f"statut vide pour « {lv} » ({', '.join(allowed)})")
            if st is None:
                continue
            if st not in allowed:
                row.error(column, f"statut « {st} » inconnu pour « {lv} » (attendu : {', '.join(allowed)})")
            elif by_column is not None and st not in by_column:
                row.error(column, f"statut « {st} » contredit la colonne_statut « {status_column} »")
            else:
                status[lv] = st
        return status

    def read_criteria(self) -> list[dict[str, Any]]:
        columns = self.per_level_columns(L.STATUS_PREFIX)
        allowed = list(L.COLUMNS[L.CRITERIA]) + list(columns.values())
        if len(self.levels) == 1:
            allowed.append(L.STATUS_PREFIX)
        sh = self.sheet(L.CRITERIA, allowed)
        out: list[dict[str, Any]] = []
        if sh is None:
            return out
        if len(self.levels) == 1 and L.STATUS_PREFIX in sh.index:
            columns = {self.levels[0]: L.STATUS_PREFIX}
        for column in columns.values():
            if column not in sh.index:
                sh.error(sh.header_row, None, f"colonne « {column} » absente (une colonne de statut par niveau : "
                         f"{', '.join(columns.values())})")
        seen: dict[str, int] = {}
        cumulates: list[tuple[Row, str]] = []
        for row in sh.rows():
            code = self.code(row, "code", seen, "critère")
            if code is not None and not CODE_RE.match(code):
                row.error("code", f"code « {code} » invalide (lettres, chiffres, « . », « - » ou « _ », 21 au plus)")
            item: dict[str, Any] = {"code": code or ""}
            section = self.read(row, "section", L.as_code)
            chapter = self.read(row, "chapitre", L.as_code)
            if section is not None:
                if section not in self.sections:
                    row.error("section", f"section « {section} » inconnue (feuille sections : "
                              f"{', '.join(self.sections) or 'vide'})")
                elif chapter is not None and self.sections[section] != chapter:
                    row.error("chapitre", f"la section « {section} » appartient au chapitre "
                              f"« {self.sections[section]} », pas « {chapter} »")
                item["section"] = section
            elif chapter is not None:
                row.error("section", "section vide alors que le chapitre est indiqué")
            for column, name in (("rubrique", "rubric"),):
                value = self.read(row, column, L.as_text)
                if value:
                    item[name] = value
            item["text"] = self.read(row, "libelle", L.as_text, required=True, empty="libellé vide") or ""
            status_column = self.read(row, "colonne_statut", L.as_status_column)
            if status_column is not None:
                unknown = [s for s in allowed_by_column(status_column) if s not in STATUSES]
                if unknown:
                    row.error("colonne_statut", f"statut « {unknown[0]} » inconnu (forme : X ou O ou NA)")
                    status_column = None
                else:
                    item["status_column"] = status_column
            points = self.read(row, "points", lambda v: L.as_int(v, minimum=0))
            if points is not None:
                item["points"] = points
            points_label = self.read(row, "points_libelle", L.as_text)
            if points_label:
                item["points_label"] = points_label
            graded = self.read(row, "gradue", L.as_bool)
            if graded is not None:
                if graded and not points:
                    row.error("gradue", "un critère gradué indique son maximum dans la colonne points")
                item["graded"] = graded
            item["status"] = self.criterion_statuses(row, columns, status_column)
            help_text = self.read(row, "aide", L.as_text)
            if help_text:
                item["help"] = help_text
            measure = self.read(row, "mesure", L.as_text)
            if measure is not None:
                if measure not in MEASURES:
                    row.error("mesure", f"mesure « {measure} » inconnue ({', '.join(m for m in MEASURES if m)})")
                else:
                    item["measure"] = measure
            cum = self.read(row, "cumul_avec", L.as_code)
            if cum is not None:
                item["cumulates_with"] = cum
                cumulates.append((row, cum))
            typologies = self.read(row, "typologies", L.as_list)
            if typologies:
                for t in typologies:
                    if t not in self.typologies:
                        row.error("typologies", f"typologie « {t} » inconnue (feuille typologies : "
                                  f"{', '.join(self.typologies) or 'vide'})")
                item["typologies"] = typologies
            nc = self.read(row, "nc_autorise", L.as_bool)
            if nc is not None:
                item["nc_allowed"] = nc
            reasons = self.read(row, "motifs_na", L.as_lines)
            if reasons:
                item["na_reasons"] = reasons
            self.origins[f"critère n° {len(out) + 1} de la liste"] = (L.CRITERIA, row.number)
            if code:
                self.origins.setdefault(f"critère {code}", (L.CRITERIA, row.number))
            out.append(item)
        for row, cum in cumulates:
            if cum not in seen:
                row.error("cumul_avec", f"critère « {cum} » inconnu")
        if not out and not any(p.sheet == L.CRITERIA for p in self.problems.items):
            sh.error(None, None, "aucun critère")
        return out

    def read_rules(self, criteria: list[dict[str, Any]]) -> None:
        sh = self.sheet(L.RULES)
        by_code = {c["code"]: c for c in criteria if c.get("code")}
        for row in sh.rows() if sh else ():
            code = self.read(row, "critere", L.as_code, required=True, empty="critère vide")
            target = by_code.get(code) if code is not None else None
            if code is not None and target is None:
                row.error("critere", f"critère « {code} » inconnu (feuille criteres)")
            rule: dict[str, Any] = {"when": self.condition(row, "condition"),
                                    "effect": self.read(row, "effet", L.as_status, required=True,
                                                        empty="effet vide (NA ou O)"),
                                    "reason": self.read(row, "motif", L.as_text, required=True,
                                                        empty="motif vide") or ""}
            if rule["effect"] is not None and rule["effect"] not in ("NA", "O"):
                row.error("effet", f"effet « {rule['effect']} » inconnu (NA ou O)")
            levels = self.levels_of(row, "niveaux")
            if levels:
                rule["levels"] = levels
            statuses = self.read(row, "si_statut", lambda v: [L.as_status(s) for s in L.as_list(v)])
            for st in statuses or []:
                if st not in STATUSES:
                    row.error("si_statut", f"statut « {st} » inconnu ({', '.join(STATUSES)})")
            if statuses:
                rule["only_if_status"] = statuses
            source = self.read(row, "source", lambda v: L.choice(v, L.SOURCE_ALIASES, "officielle ou secondaire"))
            if source is not None:
                rule["source"] = source
            setting = self.read(row, "reglage", L.as_text)
            if setting is not None:
                if not isinstance(self.settings.get(setting), bool):
                    row.error("reglage", f"réglage « {setting} » : un réglage oui/non de la feuille parametres "
                              "est attendu")
                rule["setting"] = setting
            if target is not None:
                rules = target.setdefault("applicability", [])
                rules.append(rule)
                self.origins[f"critère {code}, règle d'applicabilité n° {len(rules)}"] = (L.RULES, row.number)

    # ----- the whole document -------------------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        levels = self.read_levels()
        grid = self.grid_settings()
        chapters, sections = self.read_structure()
        self.typologies = self.read_pairs(L.TYPOLOGIES)
        status_labels = self.read_pairs(L.STATUS_LABELS)
        context = self.read_context()
        prerequisites = self.read_prerequisites()
        parameters = self.read_values()
        criteria = self.read_criteria()
        self.read_rules(criteria)
        kind = grid.get("kind")
        doc: dict[str, Any] = {"format": FORMAT}
        for name in ("id", "version", "kind", "title", "language"):
            if grid.get(name) is not None:
                doc[name] = grid[name]
        prov = {name: grid.get(f"provenance.{name}") for name in ("status", "publisher", "source_document",
                                                                    "legal_basis", "applicable_from", "notes")}
        doc["provenance"] = {k: v for k, v in prov.items() if v is not None or k == "applicable_from"}
        if grid.get("validity_years") is not None:
            doc["validity_years"] = grid["validity_years"]
        doc["level_kind"] = grid.get("level_kind") or L.DEFAULT_LEVEL_KIND.get(kind or "", "label")
        doc["levels"] = levels
        if status_labels:
            doc["status_labels"] = status_labels
        if self.typologies:
            doc["typologies"] = self.typologies
        doc["context"] = context
        doc["parameters"] = parameters
        if prerequisites:
            doc["prerequisites"] = prerequisites
        doc["settings"] = self.settings
        doc["chapters"] = chapters
        doc["sections"] = sections
        doc["criteria"] = criteria
        return doc


def optional_rule(raw: Any) -> dict[str, Any]:
    """« aucune », « au moins 2 », « au moins 50 % », or the JSON form {"kind": …, "value": …}."""
    text = L.as_text(raw)
    if text.startswith("{"):
        try:
            rule = json.loads(text)
        except json.JSONDecodeError as exc:
            raise L.CellError(f"JSON illisible ({exc.msg})") from None
        if not isinstance(rule, dict) or rule.get("kind") not in ("none", "min_count", "min_ratio"):
            raise L.CellError('forme {"kind": "min_count" | "min_ratio" | "none", "value": …} attendue')
        return rule
    words = L.key(text)
    if words in ("aucune", "none"):
        return {"kind": "none"}
    rest = " ".join(text.split()).casefold()
    if rest.startswith("au moins "):
        amount = rest[len("au moins "):].strip()
        if amount.endswith("%"):
            return {"kind": "min_ratio", "value": L.as_ratio(amount)}
        return {"kind": "min_count", "value": L.as_int(amount, minimum=0)}
    raise L.CellError(f"« {text} » : « aucune », « au moins 2 » ou « au moins 50 % » attendu")


def build_document(tables: dict[str, Table], source: str) -> tuple[dict[str, Any], list[SheetProblem]]:
    """The grid document and every problem found: the sheets' own checks first, then the grid validator's
    findings mapped back to sheet and row (those on a row that already has a problem are left out)."""
    builder = _Builder(tables, source)
    doc = builder.build()
    own_errors = bool(builder.problems.items)
    for problem in check_document(doc, source):
        mapped = map_problem(problem, builder.origins, builder.setting_rows, tables)
        if (mapped.sheet, mapped.row) in builder.problems.rows_with_errors:
            continue
        if own_errors and mapped.row is None:
            continue  # a consequence of a problem already reported
        builder.problems.add(mapped)
    order = {name: i for i, name in enumerate(L.SHEETS)}
    problems = sorted(builder.problems.items, key=lambda p: (order.get(p.sheet, -1) if p.sheet else -1, p.row or 0))
    return doc, problems
