"""Scoring settings: the grid's declared defaults, overridable, each value checked (the open points stay visible)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ..grids.model import Grid
from .answers import ScoringInputError

# Allowed values of the enumerated settings; every other setting keeps the type of the grid's default.
CHOICES = {
    "rounding": ("exact", "ceil", "half_up"),
    "criterion2_in_e": ("max", "obtained"),
    "surface_tolerance_applies_to": ("total", "base"),
}

# Human explanation of each open point, shown by `grid show` and in the documentation.
OPEN_POINTS_FR = {
    "rounding": "Arrondi des lignes b (95 % de a) et f (quota) : « exact » compare les décimales exactes, "
                "« ceil » arrondit à l'entier supérieur, « half_up » à l'entier le plus proche.",
    "criterion2_in_e": "Comptage du critère 2 dans la ligne e : « max » (5 points, lecture usuelle) ou "
                       "« obtained » (points obtenus).",
    "surface_tolerance_applies_to": "Tolérance de 10 % sur les surfaces (3* à 5*) : appliquée au « total » exigé "
                                    "ou seulement à la surface de « base ».",
    "apply_secondary_rules": "Appliquer les règles de non-applicabilité tirées du guide de contrôle cité par des "
                             "professionnels (source secondaire) : 18, 19, 72, 73 selon la capacité ; 77, 78 pour "
                             "une maison.",
    "optional_rule": "Règle des critères optionnels (Accueil Vélo, Chambre d'hôtes Référence) : non publiée, "
                     "à configurer.",
    "empty_confort_passes": "Tourisme & Handicap : une famille sans aucun critère de confort d'usage applicable "
                            "satisfait-elle le seuil ?",
}


def merged_settings(grid: Grid, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The grid's settings with overrides applied; unknown names or wrong types are refused."""
    settings = dict(grid.settings)
    problems: list[str] = []
    for name, value in (overrides or {}).items():
        if name not in settings:
            problems.append(f"réglage « {name} » inconnu pour la grille {grid.id} "
                            f"(réglages : {', '.join(sorted(settings))})")
            continue
        default = settings[name]
        if name in CHOICES and value not in CHOICES[name]:
            problems.append(f"réglage « {name} » : valeur {value!r} invalide (choix : {', '.join(CHOICES[name])})")
            continue
        if isinstance(default, bool) and not isinstance(value, bool):
            problems.append(f"réglage « {name} » : true ou false attendu (reçu {value!r})")
            continue
        if isinstance(default, str) and name not in CHOICES:
            try:
                Decimal(str(value))
            except InvalidOperation:
                problems.append(f"réglage « {name} » : nombre attendu (reçu {value!r})")
                continue
            value = str(value)
        settings[name] = value
    if problems:
        raise ScoringInputError(problems)
    return settings


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a command-line `name=value` override (true/false, numbers, JSON lists kept as text)."""
    if "=" not in text:
        raise ScoringInputError([f"réglage « {text} » : forme nom=valeur attendue"])
    name, value = text.split("=", 1)
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return name.strip(), lowered == "true"
    return name.strip(), value.strip()
