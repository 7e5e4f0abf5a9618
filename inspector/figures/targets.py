"""The targets the agency sets itself for each year (Setting « agency_targets »), with the seed defaults, editable.

Stored as {"default": {...}, "years": {"2026": {...}}}: a year without its own targets takes the default ones (the
seed's until someone edits them). A value in the first, flat shape ({"meubles_min": …}) is read as the default.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from ..db.database import Database
from ..db.models import Setting
from ..services.common import Changed, OpResult, ServiceError, audit

SETTING_KEY = "agency_targets"
MAX_TARGET = 100_000

# The French name of each target (messages, PDF, CLI).
TARGET_NAMES = {
    "meubles_min": "meublés visités (bas de la fourchette)",
    "meubles_max": "meublés visités (haut de la fourchette)",
    "th_visits": "visites Tourisme & Handicap",
    "th_advisory": "visites-conseils Tourisme & Handicap",
    "th_attribution": "visites d'attribution Tourisme & Handicap",
    "new_accueil_velo": "nouveaux prestataires Accueil Vélo",
}


@dataclass(frozen=True)
class Targets:
    """Yearly targets: meublés visited (a range), T&H visits (advisory + attribution), new Accueil Vélo providers."""

    meubles_min: int = 200
    meubles_max: int = 250
    th_visits: int = 25
    th_advisory: int = 10
    th_attribution: int = 15
    new_accueil_velo: int = 25

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Targets:
        """Targets from a stored value; unknown keys are ignored, missing or unreadable ones take the default."""
        defaults = cls()
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = (data or {}).get(f.name, getattr(defaults, f.name))
            try:
                values[f.name] = int(raw)
            except (TypeError, ValueError):
                values[f.name] = getattr(defaults, f.name)
        return cls(**values)


DEFAULT_TARGETS = Targets()


def check_targets(targets: Targets) -> None:
    """Refuse negative or absurd targets and a reversed meublés range (ServiceError naming the target)."""
    problems = []
    for f in fields(Targets):
        value = getattr(targets, f.name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_TARGET:
            problems.append(f"objectif « {TARGET_NAMES[f.name]} » : un nombre entier de 0 à {MAX_TARGET} est attendu "
                            f"(reçu {value!r})")
    if not problems and targets.meubles_min > targets.meubles_max:
        problems.append(f"fourchette des meublés inversée : {targets.meubles_min} > {targets.meubles_max}")
    if problems:
        raise ServiceError("Objectifs refusés :\n" + "\n".join(f"- {p}" for p in problems))


def _stored(value: Any) -> dict[str, Any]:
    """The stored setting in its current shape (the flat first shape is the default of every year)."""
    if not isinstance(value, dict):
        return {"default": None, "years": {}}
    if "default" in value or "years" in value:
        years = value.get("years") if isinstance(value.get("years"), dict) else {}
        return {"default": value.get("default"), "years": dict(years)}
    return {"default": value, "years": {}}


def load_targets(db: Database, year: int | None = None) -> Targets:
    """The targets of `year` (its own, else the agency's default ones, else the seed's)."""
    with db.session() as s:
        row = s.get(Setting, SETTING_KEY)
        stored = _stored(row.value if row is not None else None)
    own = stored["years"].get(str(year)) if year is not None else None
    return Targets.from_dict(own if isinstance(own, dict) else stored["default"])


def has_own_targets(db: Database, year: int) -> bool:
    """Were targets set for this very year (rather than taken from the default)?"""
    with db.session() as s:
        row = s.get(Setting, SETTING_KEY)
        return str(year) in _stored(row.value if row is not None else None)["years"]


def save_targets(db: Database, *, targets: Targets, year: int | None = None,
                 user_id: str | None = None) -> OpResult[Targets]:
    """Store the targets of `year` (or the default ones: None), one transaction, audited. Settings stay on this
    computer: they are not synced."""
    check_targets(targets)
    with db.session() as s:
        row = s.get(Setting, SETTING_KEY)
        stored = _stored(row.value if row is not None else None)
        before = stored["years"].get(str(year)) if year is not None else stored["default"]
        if year is None:
            stored["default"] = targets.as_dict()
        else:
            stored["years"][str(year)] = targets.as_dict()
        if row is None:
            s.add(Setting(key=SETTING_KEY, value=stored))
        else:
            row.value = stored
        audit(s, user_id=user_id, action="settings.targets", table="settings", row_id=SETTING_KEY,
              year=year, before=before, after=targets.as_dict())
        s.commit()
    return OpResult(targets, Changed().add("settings", SETTING_KEY))
