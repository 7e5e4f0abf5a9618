"""Import establishments and their owners from a CSV or XLSX file: every row is checked, then all is written or none."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..db.database import Database
from ..db.models import Establishment, Owner, new_id
from ..spreadsheets import column_letter, display, is_empty, read_table
from .common import Changed, OpResult, ServiceError, audit

# Establishment kinds: stored identifier -> French label.
KINDS: dict[str, str] = {
    "meuble": "meublé de tourisme",
    "chambre_hotes": "chambre d'hôtes",
    "hebergement": "hébergement (autre)",
    "restaurant": "restaurant",
    "site": "site de visite ou de loisirs",
    "office_tourisme": "office de tourisme",
    "loueur_velos": "loueur de vélos",
    "reparateur_velos": "réparateur de vélos",
}

# Normalised wordings of a kind (see _kind_key) -> kind.
_KIND_WORDINGS: dict[str, str] = {
    "meuble": "meuble",
    "meuble_tourisme": "meuble",
    "chambre_hote": "chambre_hotes",
    "hebergement": "hebergement",
    "hebergement_touristique": "hebergement",
    "restaurant": "restaurant",
    "site": "site",
    "site_visite": "site",
    "site_loisir": "site",
    "site_visite_loisir": "site",
    "visite": "site",
    "loisir": "site",
    "office_tourisme": "office_tourisme",
    "loueur_velo": "loueur_velos",
    "location_velo": "loueur_velos",
    "reparateur_velo": "reparateur_velos",
    "reparation_velo": "reparateur_velos",
}
_STOP_WORDS = frozenset({"de", "d", "du", "des", "la", "le", "les", "l", "et", "ou", "a"})

ESTABLISHMENT = "establishment"
OWNER = "owner"


@dataclass(frozen=True)
class ImportColumn:
    """One documented column: where its value goes and how it is read."""

    name: str
    target: str  # ESTABLISHMENT | OWNER
    attr: str
    type: str  # kind | text | note | int | bool | date | category | postcode | insee | email | phone | declaration
    #            | coordinate
    required: bool = False
    max_len: int = 0
    minimum: int | None = None


COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("type", ESTABLISHMENT, "kind", "kind", required=True),
    ImportColumn("nom", ESTABLISHMENT, "name", "text", required=True, max_len=200),
    ImportColumn("adresse", ESTABLISHMENT, "address", "note"),
    ImportColumn("code_postal", ESTABLISHMENT, "postcode", "postcode"),
    ImportColumn("commune", ESTABLISHMENT, "commune", "text", required=True, max_len=100),
    ImportColumn("code_insee", ESTABLISHMENT, "insee_code", "insee"),
    ImportColumn("capacite", ESTABLISHMENT, "capacity", "int", minimum=1),
    ImportColumn("disposition", ESTABLISHMENT, "layout", "text", max_len=40),
    ImportColumn("pieces", ESTABLISHMENT, "rooms", "int", minimum=1),
    ImportColumn("etage", ESTABLISHMENT, "floor", "int"),
    ImportColumn("immeuble_collectif", ESTABLISHMENT, "collective_building", "bool"),
    ImportColumn("ascenseur", ESTABLISHMENT, "has_lift", "bool"),
    ImportColumn("numero_declaration", ESTABLISHMENT, "declaration_number", "declaration", max_len=40),
    ImportColumn("categorie_actuelle", ESTABLISHMENT, "current_category", "category"),
    ImportColumn("classement_valide_jusqu_au", ESTABLISHMENT, "category_valid_until", "date"),
    ImportColumn("latitude", ESTABLISHMENT, "latitude", "coordinate"),
    ImportColumn("longitude", ESTABLISHMENT, "longitude", "coordinate"),
    ImportColumn("proprietaire_nom", OWNER, "name", "text", required=True, max_len=200),
    ImportColumn("proprietaire_societe", OWNER, "company", "text", max_len=200),
    ImportColumn("proprietaire_adresse", OWNER, "address", "note"),
    ImportColumn("proprietaire_code_postal", OWNER, "postcode", "postcode"),
    ImportColumn("proprietaire_commune", OWNER, "commune", "text", max_len=100),
    ImportColumn("proprietaire_email", OWNER, "email", "email", max_len=200),
    ImportColumn("proprietaire_telephone", OWNER, "phone", "phone", max_len=40),
    ImportColumn("mandataire_nom", OWNER, "mandataire_name", "text", max_len=200),
    ImportColumn("mandataire_adresse", OWNER, "mandataire_address", "note"),
    ImportColumn("mandataire_contact", OWNER, "mandataire_contact", "text", max_len=200),
    ImportColumn("notes", ESTABLISHMENT, "notes", "note"),
)
COLUMN_BY_NAME: dict[str, ImportColumn] = {c.name: c for c in COLUMNS}
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)

# Other spellings of a header (already normalised by _header_key) -> documented column.
ALIASES: dict[str, str] = {
    "type_etablissement": "type",
    "type_d_etablissement": "type",
    "nom_etablissement": "nom",
    "nom_de_l_etablissement": "nom",
    "cp": "code_postal",
    "ville": "commune",
    "insee": "code_insee",
    "code_commune": "code_insee",
    "capacite_d_accueil": "capacite",
    "nombre_de_pieces": "pieces",
    "numero_de_declaration": "numero_declaration",
    "categorie": "categorie_actuelle",
    "classement_valide_jusqu_a": "classement_valide_jusqu_au",
    "proprietaire": "proprietaire_nom",
    "proprietaire_tel": "proprietaire_telephone",
    "proprietaire_mail": "proprietaire_email",
    "proprietaire_e_mail": "proprietaire_email",
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
}

_ATTR_COLUMN = {(c.target, c.attr): c.name for c in COLUMNS}
_TRUE = frozenset({"oui", "vrai", "1", "x", "true", "yes"})
_FALSE = frozenset({"non", "faux", "0", "false", "no"})
_GROUND_FLOOR = frozenset({"rdc", "rez de chaussee"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
_CATEGORY = re.compile(r"([1-5])\s*(?:\*|etoiles?)?")
_DATE_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


@dataclass
class ImportRow:
    """One checked data row: the values it gives (None = empty cell), by model attribute."""

    line: int
    establishment: dict[str, Any]
    owner: dict[str, Any]


@dataclass
class ImportFile:
    """A file read and checked row by row (without the database)."""

    path: Path
    sheet: str | None = None
    data_rows: int = 0  # non-empty rows under the headers, valid or not
    rows: list[ImportRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class RowAction:
    """What the import does (or would do) with one row."""

    line: int
    action: str  # create | update | unchanged
    establishment_id: str
    kind: str
    name: str
    commune: str
    owner_name: str
    changes: tuple[str, ...] = ()  # column names of the changed values (updates)


@dataclass
class ImportReport:
    """The outcome of an import (or of a dry run): counts, warnings, errors and the action of each row."""

    file: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    owners_created: int = 0
    owners_updated: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    actions: list[RowAction] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    """A cell value that cannot be read (message without the row and column)."""


# --- normalisation -------------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents or ligatures (for comparisons only)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def _header_key(text: str) -> str:
    return "_".join(_words(text))


def name_key(text: str) -> str:
    """A name as compared when matching: no accents, case, punctuation or extra spaces."""
    return " ".join(_words(text))


def commune_key(text: str) -> str:
    """A commune as compared when matching: like name_key, with St/Ste spelt out."""
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in _words(text))


def _declaration_key(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).upper()


def _kind_key(text: str) -> str:
    words = [w for w in _words(text) if w not in _STOP_WORDS]
    return "_".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def parse_kind(text: str) -> str | None:
    """The kind identifier for an identifier or a French label ("Chambre d'hôtes" -> chambre_hotes), or None."""
    return _KIND_WORDINGS.get(_kind_key(text))


# --- checking the rows ---------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    return display(value)


def _as_int(value: Any, minimum: int | None, floor: bool) -> int:
    shown = display(value)
    if isinstance(value, bool):
        raise _Invalid(f"« {shown} » n'est pas un nombre entier")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise _Invalid(f"« {shown} » n'est pas un nombre entier")
        number = int(value)
    else:
        text = _text(value)
        if floor and name_key(text) in _GROUND_FLOOR:
            return 0
        if not re.fullmatch(r"[+-]?\d+", text):
            raise _Invalid(f"« {shown} » n'est pas un nombre entier")
        number = int(text)
    if minimum is not None and number < minimum:
        raise _Invalid(f"« {shown} » est trop petit (au moins {minimum})")
    return number


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = fold(_text(value))
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _Invalid(f"« {display(value)} » n'est pas une valeur oui/non (oui, non, vrai, faux, 1, 0, x ou vide)")


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    try:
        if m := _DATE_FR.fullmatch(text):
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _DATE_ISO.fullmatch(text):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise _Invalid(f"« {display(value)} » n'est pas une date valide (JJ/MM/AAAA ou AAAA-MM-JJ)")


def _as_category(value: Any) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (1, 2, 3, 4, 5):
        return int(value)
    text = fold(_text(value))
    if text and set(text) <= {"★", "*"} and len(text) <= 5:
        return len(text)
    if m := _CATEGORY.fullmatch(text):
        return int(m.group(1))
    raise _Invalid(f"« {display(value)} » n'est pas une catégorie de 1 à 5")


def _as_coordinate(value: Any, name: str) -> float:
    """WGS 84 decimal degrees, decimal point or comma ("50,8721"), within ±90 (latitude) or ±180 (longitude)."""
    limit = 90 if name == "latitude" else 180
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _text(value).rstrip("°").strip().replace(",", ".").replace(" ", "")
        try:
            number = float(text)
        except ValueError:
            raise _Invalid(f"« {display(value)} » n'est pas une {name} en degrés décimaux (ex. "
                           f"{'50,8721' if limit == 90 else '1,5836'})") from None
    if not -limit <= number <= limit:  # also refuses NaN
        raise _Invalid(f"« {display(value)} » : {name} hors limites (−{limit} à {limit} degrés)")
    return round(number, 7)


def _as_code(value: Any, pattern: re.Pattern[str], message: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100000:
        text = f"{value:05d}"  # a spreadsheet drops the leading zero of a code typed as a number
    elif isinstance(value, float) and value.is_integer() and 0 < value < 100000:
        text = f"{int(value):05d}"
    else:
        text = "".join(_text(value).split()).upper()
    if not pattern.fullmatch(text):
        raise _Invalid(f"« {display(value)} » {message}")
    return text


def _as_phone(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits  # French number typed as a number: leading 0 lost
    return _text(value)


def _convert(col: ImportColumn, value: Any) -> Any:
    kind = col.type
    if kind == "kind":
        found = parse_kind(_text(value))
        if found is None:
            raise _Invalid(f"« {display(value)} » n'est pas un type connu ({', '.join(KINDS)})")
        return found
    if kind == "int":
        return _as_int(value, col.minimum, floor=col.name == "etage")
    if kind == "bool":
        return _as_bool(value)
    if kind == "date":
        return _as_date(value)
    if kind == "category":
        return _as_category(value)
    if kind == "coordinate":
        return _as_coordinate(value, col.name)
    if kind == "postcode":
        return _as_code(value, re.compile(r"\d{5}"), "n'est pas un code postal (5 chiffres)")
    if kind == "insee":
        return _as_code(value, _INSEE, "n'est pas un code INSEE (5 caractères : des chiffres, ou 2A/2B pour la "
                                       "Corse)")
    if kind == "note":
        text = str(value).strip() if isinstance(value, str) else display(value)
    elif kind == "phone":
        text = _as_phone(value)
    else:
        text = _text(value)
    if col.max_len and len(text) > col.max_len:
        raise _Invalid(f"« {text[:30]}… » est trop long ({len(text)} caractères, {col.max_len} au plus)")
    if kind == "email" and not _EMAIL.fullmatch(text):
        raise _Invalid(f"« {text} » n'est pas une adresse e-mail")
    return text


def _map_headers(header: Sequence[Any], data: list[tuple[int, Sequence[Any]]],
                 result: ImportFile) -> dict[int, tuple[ImportColumn, str]]:
    """Column index -> (documented column, header as written); unknown columns are warnings."""
    mapping: dict[int, tuple[ImportColumn, str]] = {}
    seen: dict[str, str] = {}
    width = max(len(header), *(len(cells) for _, cells in data))
    for index in range(width):
        cell = header[index] if index < len(header) else None
        if is_empty(cell):
            if any(index < len(row) and not is_empty(row[index]) for _, row in data):
                result.warnings.append(f"colonne {column_letter(index)} sans en-tête : ignorée")
            continue
        written = display(cell)
        key = _header_key(written)
        name = ALIASES.get(key, key)
        col = COLUMN_BY_NAME.get(name)
        if col is None:
            result.warnings.append(f"colonne « {written} » inconnue : ignorée")
        elif name in seen:
            result.errors.append(f"colonnes « {seen[name]} » et « {written} » : la colonne « {name} » est en double")
        else:
            seen[name] = written
            mapping[index] = (col, written)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        headers = ", ".join(f"« {display(c)} »" for c in header if not is_empty(c)) or "aucun"
        for name in missing:
            result.errors.append(f"colonne obligatoire « {name} » absente (en-têtes lus : {headers})")
    return mapping


def _check_row(line: int, cells: Sequence[Any], mapping: dict[int, tuple[ImportColumn, str]],
               result: ImportFile) -> ImportRow | None:
    values: dict[str, Any] = {}
    headers: dict[str, str] = {}
    errors: list[str] = []
    failed: set[str] = set()
    for index, (col, written) in mapping.items():
        headers[col.name] = written
        value = cells[index] if index < len(cells) else None
        if is_empty(value):
            values[col.name] = None
            if col.required:
                errors.append(f"ligne {line}, colonne « {written} » : valeur obligatoire manquante")
            continue
        try:
            values[col.name] = _convert(col, value)
        except _Invalid as exc:
            failed.add(col.name)
            errors.append(f"ligne {line}, colonne « {written} » : {exc}")
    if values.get("type") == "meuble" and values.get("capacite") is None and "capacite" not in failed:
        errors.append(f"ligne {line}, colonne « {headers.get('capacite', 'capacite')} » : obligatoire pour un meublé")
    if not failed & {"latitude", "longitude"} and (values.get("latitude") is None) != (values.get("longitude") is None):
        errors.append(f"ligne {line} : latitude et longitude vont ensemble (indiquez les deux, ou aucune)")
    if errors:
        result.errors.extend(errors)
        return None
    row = ImportRow(line, {}, {})
    for name, value in values.items():
        col = COLUMN_BY_NAME[name]
        (row.establishment if col.target == ESTABLISHMENT else row.owner)[col.attr] = value
    return row


def read_import_file(path: str | Path) -> ImportFile:
    """Read a CSV or XLSX file and check every row (no database needed).

    Raises ServiceError when the file itself cannot be used (missing, not CSV/XLSX, damaged, empty); problems of
    columns and rows are listed in the result's errors and warnings, numbered as the spreadsheet shows them.
    """
    path = Path(path)
    sheet, raw_rows = read_table(path, sheet="etablissements")
    result = ImportFile(path, sheet)
    filled = [(n, row) for n, row in raw_rows if any(not is_empty(c) for c in row)]
    if not filled:
        raise ServiceError(f"{path} est vide : aucun en-tête ni aucune ligne.")
    (_header_line, header), data = filled[0], filled[1:]
    if not data:
        raise ServiceError(f"{path} ne contient aucune ligne de données (seulement les en-têtes).")
    result.data_rows = len(data)
    mapping = _map_headers(header, data, result)
    if result.errors:
        return result
    for line, cells in data:
        row = _check_row(line, cells, mapping, result)
        if row is not None:
            result.rows.append(row)
    return result


# --- matching with the database -------------------------------------------------------------------------------------


@dataclass
class _OwnerTarget:
    line: int
    id: str
    name: str
    existing: Owner | None
    values: dict[str, Any] = field(default_factory=dict)  # file values (first non-empty one wins)
    value_lines: dict[str, int] = field(default_factory=dict)

    @property
    def postcode(self) -> str:
        return self.values.get("postcode") or (self.existing.postcode if self.existing else "")


@dataclass
class _EstTarget:
    id: str
    existing: Establishment | None
    declaration: str
    claimed_by: int | None = None


@dataclass
class _Plan:
    owners: list[_OwnerTarget] = field(default_factory=list)
    new_establishments: list[tuple[ImportRow, Establishment]] = field(default_factory=list)
    updates: list[tuple[ImportRow, Establishment, dict[str, Any]]] = field(default_factory=list)


class _Matcher:
    """Resolves each row to an owner and an establishment, existing or new, in file order."""

    def __init__(self, owners: list[Owner], establishments: list[Establishment], report: ImportReport):
        self.report = report
        self.owner_by_key: dict[tuple[str, str], _OwnerTarget] = {}
        self.owners_by_name: dict[str, list[_OwnerTarget]] = {}
        self.owner_targets: dict[str, _OwnerTarget] = {}  # by id, in order of first use
        for owner in owners:
            target = _OwnerTarget(0, owner.id, owner.name, owner)
            self.owner_by_key.setdefault((name_key(owner.name), owner.postcode), target)
            self.owners_by_name.setdefault(name_key(owner.name), []).append(target)
        self.est_index: dict[tuple[str, str, str], list[_EstTarget]] = {}
        for est in establishments:
            self.est_index.setdefault((est.kind, name_key(est.name), commune_key(est.commune)), []).append(
                _EstTarget(est.id, est, _declaration_key(est.declaration_number)))

    def owner(self, row: ImportRow) -> _OwnerTarget:
        name = row.owner["name"]
        key_name = name_key(name)
        postcode = row.owner.get("postcode") or ""
        target = self.owner_by_key.get((key_name, postcode))
        if target is None:
            same_name = self.owners_by_name.get(key_name, [])
            if not postcode:
                target = same_name[0] if len(same_name) == 1 else None
            else:
                without = [t for t in same_name if not t.postcode]
                target = without[0] if len(without) == 1 else None
        if target is None:
            target = _OwnerTarget(row.line, new_id(), name, None)
            self.owners_by_name.setdefault(key_name, []).append(target)
        self.owner_by_key[(key_name, postcode)] = target
        self.owner_targets.setdefault(target.id, target)
        for attr, value in row.owner.items():
            if value is None or attr == "name":
                continue
            if attr not in target.values:
                target.values[attr] = value
                target.value_lines[attr] = row.line
            elif target.values[attr] != value:
                column = _ATTR_COLUMN[(OWNER, attr)]
                first = target.value_lines[attr]
                self.report.warnings.append(
                    f"ligne {row.line}, colonne « {column} » : « {display(value)} » diffère de la ligne {first} "
                    f"(« {display(target.values[attr])} ») pour le même propriétaire ; la valeur de la ligne "
                    f"{first} est gardée")
        return target

    def establishment(self, row: ImportRow) -> _EstTarget | None:
        values = row.establishment
        key = (values["kind"], name_key(values["name"]), commune_key(values["commune"]))
        candidates = self.est_index.setdefault(key, [])
        declaration = _declaration_key(values.get("declaration_number") or "")
        if declaration:
            same = [t for t in candidates if t.declaration == declaration]
            if not same:
                same = [t for t in candidates if not t.declaration]
        else:
            same = candidates
        where = f"« {values['name']} » ({values['kind']}) à {values['commune']}"
        if len(same) > 1:
            self.report.errors.append(
                f"ligne {row.line} : plusieurs établissements {where} existent déjà ; indiquez le numéro de "
                "déclaration (colonne « numero_declaration ») pour choisir lequel mettre à jour")
            return None
        if same:
            target = same[0]
            if target.claimed_by is not None:
                self.report.errors.append(
                    f"ligne {row.line} : même établissement que la ligne {target.claimed_by} ({where}) ; "
                    "supprimez le doublon ou distinguez-les par le numéro de déclaration")
                return None
            if declaration:
                target.declaration = declaration
        else:
            target = _EstTarget(new_id(), None, declaration)
            candidates.append(target)
        target.claimed_by = row.line
        return target


def _establishment_changes(est: Establishment, values: dict[str, Any], owner_id: str) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for attr, value in values.items():
        if value is None or attr in ("kind", "name", "commune"):  # matching fields keep the database's spelling
            continue
        current = getattr(est, attr)
        if attr == "declaration_number" and _declaration_key(current or "") == _declaration_key(value):
            continue
        if current != value:
            changes[attr] = value
    if est.owner_id != owner_id:
        changes["owner_id"] = owner_id
    return changes


def _new_establishment(target: _EstTarget, values: dict[str, Any], owner_id: str) -> Establishment:
    given = {k: v for k, v in values.items() if v is not None}
    defaults: dict[str, Any] = {"address": "", "postcode": "", "insee_code": "", "layout": "", "notes": "",
                                "declaration_number": "", "collective_building": False, "has_lift": False}
    return Establishment(id=target.id, owner_id=owner_id, **{**defaults, **given})


def _column_names(attrs: Sequence[str]) -> tuple[str, ...]:
    return tuple("proprietaire" if a == "owner_id" else _ATTR_COLUMN[(ESTABLISHMENT, a)] for a in attrs)


def _plan(parsed: ImportFile, owners: list[Owner], establishments: list[Establishment],
          report: ImportReport) -> _Plan:
    matcher = _Matcher(owners, establishments, report)
    plan = _Plan()
    for row in parsed.rows:
        owner = matcher.owner(row)
        target = matcher.establishment(row)
        if target is None:
            continue
        values = row.establishment
        if target.existing is None:
            plan.new_establishments.append((row, _new_establishment(target, values, owner.id)))
            action, changes = "create", ()
        else:
            diff = _establishment_changes(target.existing, values, owner.id)
            action, changes = ("update", _column_names(list(diff))) if diff else ("unchanged", ())
            if diff:
                plan.updates.append((row, target.existing, diff))
        est = target.existing
        name, commune = (est.name, est.commune) if est else (values["name"], values["commune"])
        report.actions.append(RowAction(row.line, action, target.id, values["kind"], name, commune, owner.name,
                                        changes))
    plan.owners = list(matcher.owner_targets.values())
    report.created = len(plan.new_establishments)
    report.updated = len(plan.updates)
    report.unchanged = sum(1 for a in report.actions if a.action == "unchanged")
    return plan


def _owner_changes(target: _OwnerTarget) -> dict[str, Any]:
    assert target.existing is not None
    return {a: v for a, v in target.values.items() if getattr(target.existing, a) != v}


def _apply(s: Session, plan: _Plan, report: ImportReport, source: str, user_id: str | None) -> Changed:
    changed = Changed()
    for target in plan.owners:
        if target.existing is None:
            defaults = {"company": "", "address": "", "postcode": "", "commune": "", "email": "", "phone": "",
                        "mandataire_name": "", "mandataire_address": "", "mandataire_contact": ""}
            s.add(Owner(id=target.id, name=target.name, **{**defaults, **target.values}))
            audit(s, user_id=user_id, action="owner.import.create", table="owners", row_id=target.id,
                  file=source, line=target.line, name=target.name)
            changed.add("owners", target.id)
        elif diff := _owner_changes(target):
            owner = target.existing
            before = {a: getattr(owner, a) for a in diff}
            for attr, value in diff.items():
                setattr(owner, attr, value)
            owner.row_version = (owner.row_version or 0) + 1
            owner.pending_sync = True
            audit(s, user_id=user_id, action="owner.import.update", table="owners", row_id=owner.id, file=source,
                  before=before, after=diff)
            changed.add("owners", owner.id)
    s.flush()  # owners first: establishments refer to them
    for row, est in plan.new_establishments:
        s.add(est)
        audit(s, user_id=user_id, action="establishment.import.create", table="establishments", row_id=est.id,
              file=source, line=row.line, kind=est.kind, name=est.name, commune=est.commune, owner_id=est.owner_id)
        changed.add("establishments", est.id)
    for row, est, diff in plan.updates:
        before = {a: getattr(est, a) for a in diff}
        for attr, value in diff.items():
            setattr(est, attr, value)
        est.row_version = (est.row_version or 0) + 1
        est.pending_sync = True
        audit(s, user_id=user_id, action="establishment.import.update", table="establishments", row_id=est.id,
              file=source, line=row.line, before=before, after=diff)
        changed.add("establishments", est.id)
    return changed


def _count_owners(plan: _Plan, report: ImportReport) -> None:
    report.owners_created = sum(1 for t in plan.owners if t.existing is None)
    report.owners_updated = sum(1 for t in plan.owners if t.existing is not None and _owner_changes(t))


def import_establishments(db: Database | None, source: str | Path | ImportFile, *, dry_run: bool = False,
                          user_id: str | None = None) -> OpResult[ImportReport]:
    """Import establishments (and their owners) from a CSV or XLSX file, all or nothing, in one transaction.

    Owners are reused by name and postcode, establishments are matched by kind, name and commune (and declaration
    number when given) and updated instead of duplicated; empty cells never erase what the database holds. If any
    row is wrong, the report lists the errors and nothing is written. With `dry_run`, nothing is written either: the
    report says what would be created or updated. `db` may be None for a dry run when no database exists yet.
    """
    parsed = source if isinstance(source, ImportFile) else read_import_file(source)
    report = ImportReport(str(parsed.path), dry_run=dry_run, rows=parsed.data_rows,
                          warnings=list(parsed.warnings), errors=list(parsed.errors))
    if report.errors:
        return OpResult(report, Changed())
    if db is None:
        if not dry_run:
            raise ServiceError("Import impossible sans base de données (seule la simulation le permet).")
        plan = _plan(parsed, [], [], report)
        _count_owners(plan, report)
        return OpResult(report, Changed())
    try:
        with db.session() as s:
            owners = list(s.scalars(select(Owner).order_by(Owner.created_at, Owner.id)))
            establishments = list(s.scalars(select(Establishment).order_by(Establishment.created_at)))
            plan = _plan(parsed, owners, establishments, report)
            _count_owners(plan, report)
            if report.errors or dry_run:
                s.rollback()
                return OpResult(report, Changed())
            changed = _apply(s, plan, report, parsed.path.name, user_id)
            s.commit()
    except SQLAlchemyError as exc:
        raise ServiceError(f"Import de {parsed.path} impossible, rien n'a été enregistré : {exc}") from None
    return OpResult(report, changed)
