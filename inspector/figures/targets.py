"""The targets the agency sets itself for a year (Setting « agency_targets »), with the seed defaults, editable."""

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


def load_targets(db: Database) -> Targets:
    """The agency's targets (the seed defaults until someone edits them)."""
    with db.session() as s:
        row = s.get(Setting, SETTING_KEY)
        return Targets.from_dict(row.value if row is not None and isinstance(row.value, dict) else None)


def save_targets(db: Database, *, targets: Targets, user_id: str | None = None) -> OpResult[Targets]:
    """Store the targets (one transaction, audited). Settings stay on this computer: they are not synced."""
    check_targets(targets)
    with db.session() as s:
        row = s.get(Setting, SETTING_KEY)
        before = dict(row.value) if row is not None and isinstance(row.value, dict) else None
        if row is None:
            s.add(Setting(key=SETTING_KEY, value=targets.as_dict()))
        else:
            row.value = targets.as_dict()
        audit(s, user_id=user_id, action="settings.targets", table="settings", row_id=SETTING_KEY, before=before,
              after=targets.as_dict())
        s.commit()
    return OpResult(targets, Changed().add("settings", SETTING_KEY))
