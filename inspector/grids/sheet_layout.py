"""The grid workbook layout (docs/grid-spreadsheet.md): sheet and column names, keys, and cell readers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

# Sheets, in the order an export writes them; the first three are required.
CRITERIA, SETTINGS, LEVELS = "criteres", "parametres", "niveaux"
CHAPTERS, SECTIONS, TYPOLOGIES = "chapitres", "sections", "typologies"
CONTEXT, PREREQUISITES, RULES, VALUES, STATUS_LABELS = "contexte", "prerequis", "regles", "valeurs", "statuts"
SHEETS = (CRITERIA, SETTINGS, LEVELS, CHAPTERS, SECTIONS, TYPOLOGIES, CONTEXT, PREREQUISITES, RULES, VALUES,
          STATUS_LABELS)
REQUIRED_SHEETS = (CRITERIA, SETTINGS, LEVELS)

# Fixed columns of each sheet (a per-level column family is added to `criteres` and `valeurs`).
COLUMNS: dict[str, tuple[str, ...]] = {
    CRITERIA: ("code", "chapitre", "section", "rubrique", "libelle", "aide", "colonne_statut", "points",
               "points_libelle", "gradue", "mesure", "cumul_avec", "typologies", "nc_autorise", "motifs_na"),
    SETTINGS: ("cle", "valeur", "explication"),
    LEVELS: ("code", "libelle"),
    CHAPTERS: ("code", "titre"),
    SECTIONS: ("code", "chapitre", "titre"),
    TYPOLOGIES: ("code", "libelle"),
    CONTEXT: ("cle", "type", "libelle", "obligatoire", "defaut", "min", "max", "choix", "aide"),
    PREREQUISITES: ("code", "libelle", "condition", "aide"),
    RULES: ("critere", "condition", "effet", "motif", "niveaux", "si_statut", "source", "reglage"),
    VALUES: ("code", "libelle", "unite", "aide"),
    STATUS_LABELS: ("code", "libelle"),
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    CRITERIA: ("code", "libelle"), SETTINGS: ("cle", "valeur"), LEVELS: ("code", "libelle"),
    CHAPTERS: ("code", "titre"), SECTIONS: ("code", "chapitre", "titre"), TYPOLOGIES: ("code", "libelle"),
    CONTEXT: ("cle", "type", "libelle"), PREREQUISITES: ("code", "libelle", "condition"),
    RULES: ("critere", "condition", "effet", "motif"), VALUES: ("code", "libelle", "unite"),
    STATUS_LABELS: ("code", "libelle"),
}
STATUS_PREFIX, VALUE_PREFIX = "statut", "valeur"  # `statut` (one level) or `statut_<niveau>`; same for `valeur`
IGNORED_PREFIXES = ("#", "commentaire", "remarque", "note")  # the agency's own columns, never read

# `parametres` keys of the grid itself -> field (provenance fields are `provenance.<name>`).
GRID_KEYS: dict[str, str] = {
    "identifiant": "id",
    "version": "version",
    "type": "kind",
    "titre": "title",
    "langue": "language",
    "provenance": "provenance.status",
    "source": "provenance.source_document",
    "base_legale": "provenance.legal_basis",
    "editeur": "provenance.publisher",
    "applicable_le": "provenance.applicable_from",
    "notes": "provenance.notes",
    "validite_annees": "validity_years",
    "type_niveaux": "level_kind",
}
REQUIRED_GRID_KEYS = ("identifiant", "version", "type", "titre", "provenance", "source", "base_legale")
GRID_KEY_HELP = {
    "identifiant": "identifiant stable de la grille (majuscules, chiffres, tirets)",
    "version": "libellé de version ; une version importée n'est jamais remplacée",
    "type": "tourisme_handicap, accueil_velo, chambre_hotes_reference ou meubles",
    "titre": "titre du document, tel que publié",
    "langue": "langue du texte (fr)",
    "provenance": "officielle, partielle ou exemple",
    "source": "document source (titre, fichier, date de réception)",
    "base_legale": "texte qui fonde la grille",
    "editeur": "qui publie la grille",
    "applicable_le": "date d'entrée en vigueur (JJ/MM/AAAA), vide si inconnue",
    "notes": "remarques sur la provenance",
    "validite_annees": "durée de validité du résultat, en années",
    "type_niveaux": "famille (T&H), label ou categorie (meublés)",
}

# Engine settings per kind (inspector.grids.validate.REQUIRED_SETTINGS) and how a cell is read.
SETTING_TYPES: dict[str, str] = {
    "confort_threshold": "ratio",
    "min_families": "int",
    "empty_confort_passes": "bool",
    "optional_rule": "optional_rule",
    "mandatory_threshold": "ratio",
    "compensation_factor": "int",
    "quota": "json",
    "rounding": "choice",
    "criterion2_in_e": "choice",
    "surface_tolerance": "ratio",
    "surface_tolerance_levels": "list",
    "surface_tolerance_applies_to": "choice",
    "apply_secondary_rules": "bool",
}
SETTING_HELP = {
    "confort_threshold": "part minimale des critères de confort d'usage satisfaits (0.75 = 75 %)",
    "min_families": "nombre minimal de familles obtenues pour proposer le label",
    "empty_confort_passes": "une famille sans critère de confort d'usage applicable atteint-elle le seuil (oui/non)",
    "optional_rule": "règle des critères optionnels : « aucune », « au moins 2 » ou « au moins 50 % »",
}

KIND_ALIASES = {"tourismehandicap": "tourisme_handicap", "th": "tourisme_handicap", "accueilvelo": "accueil_velo",
                "av": "accueil_velo", "chambredhotesreference": "chambre_hotes_reference",
                "chambrehotesreference": "chambre_hotes_reference", "chr": "chambre_hotes_reference",
                "meubles": "meubles", "meublesdetourisme": "meubles"}
LEVEL_KIND_ALIASES = {"famille": "family", "family": "family", "label": "label", "categorie": "category",
                      "category": "category"}
DEFAULT_LEVEL_KIND = {"meubles": "category", "tourisme_handicap": "family", "accueil_velo": "label",
                      "chambre_hotes_reference": "label"}
PROVENANCE_ALIASES = {"officielle": "official", "official": "official", "partielle": "partial",
                      "partial": "partial", "exemple": "example", "example": "example"}
PROVENANCE_WORDS = {"official": "officielle", "partial": "partielle", "example": "exemple"}
CONTEXT_TYPE_ALIASES = {"int": "int", "entier": "int", "number": "number", "nombre": "number", "decimal": "number",
                        "bool": "bool", "ouinon": "bool", "booleen": "bool", "choice": "choice", "choix": "choice"}
CONTEXT_TYPE_WORDS = {"int": "entier", "number": "nombre", "bool": "oui/non", "choice": "choix"}
SOURCE_ALIASES = {"officielle": "official", "official": "official", "secondaire": "secondary",
                  "secondary": "secondary"}
SOURCE_WORDS = {"official": "officielle", "secondary": "secondaire"}
# Statuses each engine gives a meaning to (a status it would ignore is refused at import).
KIND_STATUSES = {
    "tourisme_handicap": ("X", "X ONC", "PRQ", "CU", "R", "NA"),
    "accueil_velo": ("X", "X ONC", "PRQ", "O", "R", "NA"),
    "chambre_hotes_reference": ("X", "X ONC", "PRQ", "O", "R", "NA"),
    "meubles": ("X", "O", "NA", "X ONC", "PRQ"),
}

_TRUE = frozenset({"oui", "o", "vrai", "true", "x", "1", "yes"})
_FALSE = frozenset({"non", "n", "faux", "false", "0", "no"})
_INT_RE = re.compile(r"^-?\d+$")
_NUM_RE = re.compile(r"^-?\d+(?:[.,]\d+)?$")


class CellError(ValueError):
    """A cell whose content cannot be read; the message is French and says what is expected."""


def key(text: str) -> str:
    """Header and key comparison: no accents, no case, letters and digits only (« Libellé » == « libelle »)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A free-text cell as written: surrounding spaces dropped, Windows line ends made plain."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def as_code(value: Any) -> str:
    """A code cell; a date means Excel rewrote a code such as 1.1 (the cell must be in Text format)."""
    if isinstance(value, dt.datetime | dt.date):
        raise CellError("Excel a transformé ce code en date : mettez la colonne au format Texte et retapez le code "
                        "(ou faites-le précéder d'une apostrophe)")
    return as_text(value)


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = key(as_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"« {as_text(value)} » : oui ou non attendu")


def as_int(value: Any, *, minimum: int | None = None) -> int:
    if isinstance(value, bool):
        raise CellError("nombre entier attendu, pas oui/non")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = as_text(value).replace(" ", "")
        if not _INT_RE.match(text):
            raise CellError(f"« {as_text(value)} » : nombre entier attendu")
        number = int(text)
    if minimum is not None and number < minimum:
        raise CellError(f"{number} : au moins {minimum} attendu")
    return number


def as_number(value: Any) -> int | float:
    """A number as typed: whole numbers stay integers, a decimal comma is accepted."""
    if isinstance(value, bool):
        raise CellError("nombre attendu, pas oui/non")
    if isinstance(value, int | float):
        return value
    text = as_text(value).replace(" ", "")
    if not _NUM_RE.match(text):
        raise CellError(f"« {as_text(value)} » : nombre attendu")
    return int(text) if _INT_RE.match(text) else float(text.replace(",", "."))


def as_ratio(value: Any) -> str:
    """A share between 0 and 1 as the exact decimal text the engines read (0.75, « 75 % » and « 0,75 » alike)."""
    if isinstance(value, bool):
        raise CellError("nombre entre 0 et 1 attendu, pas oui/non")
    if isinstance(value, int | float):
        text = repr(float(value)) if isinstance(value, float) else str(value)
    else:
        text = as_text(value).replace(" ", "").replace(",", ".")
    percent = text.endswith("%")
    try:
        number = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise CellError(f"« {as_text(value)} » : nombre entre 0 et 1 attendu (ex. 0.75 ou 75 %)") from None
    if percent:
        number = number / 100
        text = format(number.normalize(), "f")
    if not number.is_finite() or number <= 0 or number > 1:
        raise CellError(f"« {as_text(value)} » : seuil entre 0 (exclu) et 1 attendu (ex. 0.75 ou 75 %)")
    return text.rstrip("%")


def as_date(value: Any) -> str | None:
    """An ISO date from a date cell, JJ/MM/AAAA or AAAA-MM-JJ; None for an empty cell."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = as_text(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            pass
    raise CellError(f"« {text} » : date attendue (JJ/MM/AAAA)")


def as_list(value: Any) -> list[str]:
    """A comma-separated list of codes (empty cell = empty list)."""
    if is_blank(value):
        return []
    return [part.strip() for part in as_text(value).split(",") if part.strip()]


def as_lines(value: Any) -> list[str]:
    """One item per line of the cell (Alt+Entrée in Excel)."""
    if is_blank(value):
        return []
    return [line.strip() for line in as_text(value).split("\n") if line.strip()]


def as_status(value: Any) -> str:
    """A status as written in the grids: upper case, single spaces (« x onc » -> « X ONC »)."""
    return " ".join(as_text(value).upper().split())


def as_status_column(value: Any) -> str:
    """The official « Statut du critère » column: statuses joined by « ou » (« x ou o » -> « X ou O »)."""
    parts = re.split(r"\s+ou\s+", as_text(value), flags=re.IGNORECASE)
    return " ou ".join(as_status(p) for p in parts)


def choice(value: Any, aliases: dict[str, str], expected: str) -> str:
    found = aliases.get(key(as_text(value)))
    if found is None:
        raise CellError(f"« {as_text(value)} » inconnu (attendu : {expected})")
    return found
