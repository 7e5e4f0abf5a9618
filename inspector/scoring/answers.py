"""Answers and visit context as the scoring engines take them, and their validation against a grid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..grids.model import Grid

YES, NO, NA, NC = "yes", "no", "na", "nc"


class ScoringInputError(ValueError):
    """Answers or context that cannot be scored; the message names the criterion or context key."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Answer:
    """The inspector's current answer to one criterion (derived later from the observation log)."""

    value: str  # yes | no | na | nc
    points: int | None = None  # graded criteria: points obtained (criterion 2: 0..5)
    na_reason: str = ""
    comment: str = ""

    @property
    def met(self) -> bool:
        if self.points is not None:
            return self.points > 0
        return self.value == YES


def parse_answer(grid: Grid, code: str, raw: Any) -> Answer:
    """Turn a JSON answer ("yes", "no", "na", an integer for a graded criterion, or an object) into an Answer."""
    crit = grid.criterion(code)
    reason, comment = "", ""
    if isinstance(raw, dict):
        reason = str(raw.get("reason", "") or "")
        comment = str(raw.get("comment", "") or "")
        raw = raw.get("answer", raw.get("value"))
    if isinstance(raw, bool):
        raw = YES if raw else NO
    if crit.graded:
        if isinstance(raw, int):
            if not 0 <= raw <= crit.points:
                raise ScoringInputError([f"critère {code} : {raw} points hors limites (0 à {crit.points})"])
            return Answer(YES if raw > 0 else NO, points=raw, comment=comment)
        if raw == NO:
            return Answer(NO, points=0, comment=comment)
        if raw == NA:
            return Answer(NA, na_reason=reason, comment=comment)
        raise ScoringInputError([f"critère {code} : indiquer le nombre de points obtenus, un entier de 0 à "
                                 f"{crit.points} (reçu {raw!r})"])
    if raw not in (YES, NO, NA, NC):
        raise ScoringInputError([f"critère {code} : réponse {raw!r} invalide (attendu \"yes\", \"no\" ou \"na\")"])
    return Answer(raw, na_reason=reason, comment=comment)


def parse_answers(grid: Grid, raw: Mapping[str, Any]) -> dict[str, Answer]:
    """Parse every answer; unknown criteria and invalid values are all reported together."""
    problems: list[str] = []
    answers: dict[str, Answer] = {}
    for code, value in raw.items():
        code = str(code)
        if not grid.has_criterion(code):
            problems.append(f"critère {code} : inconnu dans la grille {grid.id}")
            continue
        try:
            answers[code] = parse_answer(grid, code, value)
        except ScoringInputError as exc:
            problems += exc.problems
    if problems:
        raise ScoringInputError(problems)
    return answers


def _fmt(bound: float | None) -> str:
    return "…" if bound is None else f"{bound:g}"


def normalise_context(grid: Grid, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check the context against the grid's declared keys and fill defaults."""
    problems: list[str] = []
    ctx: dict[str, Any] = {}
    declared = {k.key: k for k in grid.context}
    for key in raw:
        if key not in declared:
            known = ", ".join(declared)
            problems.append(f"contexte : clé « {key} » inconnue pour la grille {grid.id} (clés : {known})")
    for key, spec in declared.items():
        if key not in raw or raw[key] is None:
            if spec.required:
                problems.append(f"contexte : « {key} » ({spec.label}) est obligatoire")
            elif spec.default is not None:
                ctx[key] = spec.default
            continue
        value = raw[key]
        if spec.type == "bool":
            if not isinstance(value, bool):
                problems.append(f"contexte : « {key} » doit valoir true ou false (reçu {value!r})")
                continue
        elif spec.type in ("int", "number"):
            ok = isinstance(value, int) if spec.type == "int" else isinstance(value, (int, float))
            if isinstance(value, bool) or not ok:
                problems.append(f"contexte : « {key} » doit être un nombre{' entier' if spec.type == 'int' else ''}"
                                f" (reçu {value!r})")
                continue
            if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
                bounds = f"{_fmt(spec.minimum)} à {_fmt(spec.maximum)}"
                problems.append(f"contexte : « {key} » = {value} hors limites ({bounds})")
                continue
        elif spec.type == "choice" and value not in spec.choices:
            problems.append(f"contexte : « {key} » = {value!r} invalide (choix : {', '.join(spec.choices)})")
            continue
        ctx[key] = value
    if problems:
        raise ScoringInputError(problems)
    return ctx
