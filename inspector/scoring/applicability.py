"""Situational rules: the effective status of a criterion for one level, given the visit context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..grids import conditions
from ..grids.model import ApplicabilityRule, Criterion


@dataclass(frozen=True)
class EffectiveStatus:
    """The status after the situational rules, with the rule that changed it (if any)."""

    status: str
    grid_status: str
    rule: ApplicabilityRule | None = None

    @property
    def changed(self) -> bool:
        return self.rule is not None


def effective_status(criterion: Criterion, level: str, context: Mapping[str, Any],
                     settings: Mapping[str, Any]) -> EffectiveStatus:
    """Apply the criterion's rules in order; NA wins over O; a rule switched off by its setting is skipped."""
    grid_status = criterion.status_for(level)
    if grid_status == "NA":
        return EffectiveStatus("NA", grid_status)
    to_optional: ApplicabilityRule | None = None
    for rule in criterion.applicability:
        if rule.levels and level not in rule.levels:
            continue
        if rule.only_if_status and grid_status not in rule.only_if_status:
            continue
        if rule.setting and not settings.get(rule.setting, True):
            continue
        if not conditions.evaluate(rule.when, context):
            continue
        if rule.effect == "NA":
            return EffectiveStatus("NA", grid_status, rule)
        if to_optional is None:
            to_optional = rule
    if to_optional is not None and grid_status != "O":
        return EffectiveStatus("O", grid_status, to_optional)
    return EffectiveStatus(grid_status, grid_status)
