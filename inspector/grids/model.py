"""Immutable in-memory model of a grid (référentiel): criteria, levels, context keys, rules, provenance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Status codes a criterion may take for one level (category, family or single label level).
# X = obligatoire, O = à la carte / optionnel, NA = non applicable, "X ONC" = obligatoire non compensable,
# PRQ = prérequis, CU = confort d'usage (Tourisme & Handicap), R = recommandé.
STATUSES: tuple[str, ...] = ("X", "O", "NA", "X ONC", "PRQ", "CU", "R")
MANDATORY_STATUSES = frozenset({"X", "X ONC"})

KINDS = ("meubles", "tourisme_handicap", "accueil_velo", "chambre_hotes_reference")
PROVENANCE_STATUSES = ("official", "partial", "example")
PROVENANCE_LABELS_FR = {
    "official": "officielle",
    "partial": "partielle (contenu officiel incomplet)",
    "example": "exemple — non officielle",
}


@dataclass(frozen=True)
class Provenance:
    """Where a grid comes from; printed wherever the grid is shown."""

    status: str
    source_document: str
    legal_basis: str
    applicable_from: str | None
    publisher: str = ""
    notes: str = ""

    @property
    def is_official(self) -> bool:
        return self.status == "official"

    def label_fr(self) -> str:
        return PROVENANCE_LABELS_FR[self.status]


@dataclass(frozen=True)
class Level:
    """One level of result: a star category (meublés), a disability family (T&H) or the label itself."""

    code: str
    label: str


@dataclass(frozen=True)
class ContextKey:
    """A visit-context key the applicability rules may read (capacity, studio, floor…)."""

    key: str
    type: str  # "int" | "number" | "bool" | "choice"
    label: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""


@dataclass(frozen=True)
class Parameter:
    """A parameter row of the grid (surfaces, bed sizes, thresholds), one value per level."""

    code: str
    text: str
    unit: str
    values: Mapping[str, Any]
    help: str = ""


@dataclass(frozen=True)
class ApplicabilityRule:
    """A situational rule: when the condition holds on the visit context, the status becomes `effect`."""

    when: Mapping[str, Any]
    effect: str  # "NA" or "O"
    reason: str
    levels: tuple[str, ...] = ()  # empty = every level
    only_if_status: tuple[str, ...] = ()  # empty = whatever the grid status
    source: str = "official"  # "official" (grid wording / précisions) or "secondary" (guide de contrôle as quoted)
    setting: str = ""  # name of a boolean setting that can switch a secondary rule off


@dataclass(frozen=True)
class Criterion:
    """One criterion row: official code, wording, help, per-level status and points."""

    code: str
    text: str
    status: Mapping[str, str]
    points: int = 0
    section: str | None = None
    rubric: str = ""
    help: str = ""
    status_column: str = ""
    points_label: str = ""
    graded: bool = False  # answer is a number of points 0..points (criterion 2 surface bonus)
    measure: str = ""  # "surface_minimum" | "surface_bonus" | "bed_sizes" | ""
    cumulates_with: str | None = None
    applicability: tuple[ApplicabilityRule, ...] = ()
    na_reasons: tuple[str, ...] = ()  # reasons an inspector may give for NA; empty = no manual NA
    typologies: tuple[str, ...] = ()  # empty = all typologies (labels)
    nc_allowed: bool = False  # labels: "non concerné" accepted

    def status_for(self, level: str) -> str:
        return self.status.get(level, "NA")


@dataclass(frozen=True)
class Section:
    """A section of a chapter (e.g. 1.1 Aménagement général)."""

    code: str
    chapter: str
    title: str


@dataclass(frozen=True)
class Chapter:
    """A chapter of the grid."""

    code: str
    title: str


@dataclass(frozen=True)
class Prerequisite:
    """A context-driven prerequisite (e.g. less than 5 km from a cycle route)."""

    code: str
    text: str
    condition: Mapping[str, Any]
    help: str = ""


@dataclass(frozen=True)
class Grid:
    """A whole, validated, immutable grid version."""

    id: str
    version: str
    kind: str
    title: str
    provenance: Provenance
    levels: tuple[Level, ...]
    level_kind: str
    chapters: tuple[Chapter, ...]
    sections: tuple[Section, ...]
    criteria: tuple[Criterion, ...]
    context: tuple[ContextKey, ...]
    parameters: tuple[Parameter, ...]
    prerequisites: tuple[Prerequisite, ...]
    typologies: Mapping[str, str]
    settings: Mapping[str, Any]
    validity_years: int | None
    status_labels: Mapping[str, str]
    sha256: str
    path: str
    _by_code: Mapping[str, Criterion] = field(default_factory=lambda: MappingProxyType({}), repr=False, compare=False)

    def criterion(self, code: str) -> Criterion:
        return self._by_code[code]

    def has_criterion(self, code: str) -> bool:
        return code in self._by_code

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)

    def parameter(self, code: str) -> Parameter:
        for p in self.parameters:
            if p.code == code:
                return p
        raise KeyError(code)

    def context_key(self, key: str) -> ContextKey | None:
        for c in self.context:
            if c.key == key:
                return c
        return None

    def section(self, code: str) -> Section | None:
        for s in self.sections:
            if s.code == code:
                return s
        return None

    @property
    def label(self) -> str:
        """Short human identification: id, version and provenance."""
        return f"{self.id} (version {self.version}, {self.provenance.label_fr()})"
