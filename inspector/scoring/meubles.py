"""Meublés de tourisme scoring: the official results block (lines a–h) per category, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from ..grids.model import Criterion, Grid
from .answers import NA, Answer, ScoringInputError, normalise_context, parse_answers
from .applicability import effective_status
from .settings import merged_settings
from .surfaces import Measurements, beds_met, parse_measurements, prerequisite_met, surface_verdict

ZERO = Decimal(0)


class Outcome(NamedTuple):
    """One criterion for one category: effective status, why, and what it earned (a tuple: cheap to build)."""

    code: str
    status: str  # effective status: X, O, X ONC, PRQ, NA
    grid_status: str
    points_possible: int  # counted in a (mandatory) or e (à la carte); 0 when NA
    points_obtained: int
    met: bool | None  # None when NA or unanswered
    answered: bool
    na_source: str = ""  # "grid" | "context" | "inspector"
    reason: str = ""  # why NA/optional (situational rule or inspector's reason)
    source: str = ""  # "official" | "secondary" for situational rules
    derived_from: str = ""  # "surfaces" | "beds" when the verdict comes from measurements


@dataclass(frozen=True)
class Lines:
    """Lines a–h of the official results block, exact decimals."""

    a: int
    b: Decimal
    c: int
    d: Decimal
    e: int
    f: Decimal
    g: Decimal
    h: int

    def as_dict(self) -> dict[str, Decimal | int]:
        return {k: getattr(self, k) for k in "abcdefgh"}


@dataclass(frozen=True)
class CategoryResult:
    """The result for one category, with everything needed to explain it."""

    category: str
    lines: Lines
    compared_b: Decimal  # b after the rounding setting
    compared_g: Decimal  # g after the rounding setting
    prerequisite_ok: bool
    onc_ok: bool
    mandatory_ok: bool
    alacarte_ok: bool
    outcomes: tuple[Outcome, ...]
    unanswered: tuple[str, ...]

    @property
    def classable(self) -> bool:
        return self.prerequisite_ok and self.onc_ok and self.mandatory_ok and self.alacarte_ok

    @property
    def complete(self) -> bool:
        return not self.unanswered

    def _failed(self, statuses: set[str]) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in statuses and o.met is not True]

    @property
    def failed_mandatory(self) -> list[Outcome]:
        """X criteria not met (or not answered), compensable by à-la-carte points."""
        return self._failed({"X"})

    @property
    def failed_onc(self) -> list[Outcome]:
        return self._failed({"X ONC"})

    @property
    def failed_prerequisite(self) -> list[Outcome]:
        return self._failed({"PRQ"})

    @property
    def mandatory_missing(self) -> Decimal:
        """Mandatory points still needed to reach b (0 when reached)."""
        return max(ZERO, self.compared_b - self.lines.c)

    @property
    def alacarte_missing(self) -> Decimal:
        """À-la-carte points still needed to reach g (0 when reached)."""
        return max(ZERO, self.compared_g - self.lines.h)

    @property
    def alacarte_candidates(self) -> list[Outcome]:
        """À-la-carte criteria not (fully) obtained, most points first: where an owner can gain points."""
        items = [o for o in self.outcomes if o.status == "O" and o.points_obtained < o.points_possible]
        return sorted(items, key=lambda o: (-(o.points_possible - o.points_obtained), _order(o.code)))


def _order(code: str) -> tuple[int, str]:
    return (int(code), "") if code.isdigit() else (-1, code)


@dataclass(frozen=True)
class MeublesResult:
    """Scores of one visit for every category, centred on the requested one."""

    grid_id: str
    grid_version: str
    grid_sha256: str
    requested: str
    context: Mapping[str, Any]
    settings: Mapping[str, Any]
    categories: Mapping[str, CategoryResult]
    notes: tuple[str, ...] = field(default=())
    provisional: bool = False

    @property
    def result(self) -> CategoryResult:
        return self.categories[self.requested]

    @property
    def classable(self) -> bool:
        return self.result.classable and not self.provisional

    @property
    def highest_classable(self) -> str | None:
        ok = [k for k, r in self.categories.items() if r.classable]
        return max(ok, key=int) if ok else None


def _round(value: Decimal, mode: str) -> Decimal:
    if mode == "ceil":
        return value.to_integral_value(rounding=ROUND_CEILING)
    if mode == "half_up":
        return value.to_integral_value(rounding=ROUND_HALF_UP)
    return value


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class _Derived:
    """Per-category verdicts computed from measurements."""

    answers: Mapping[str, Mapping[str, Answer]]  # code -> level -> answer
    notes: tuple[str, ...]


def _derive(grid: Grid, m: Measurements | None, ctx: Mapping[str, Any], settings: Mapping[str, Any]) -> _Derived:
    if m is None:
        return _Derived({}, ())
    out: dict[str, dict[str, Answer]] = {}
    notes: list[str] = []
    studio = bool(ctx.get("studio"))
    if m.rooms:
        for lv in grid.level_codes:
            v = surface_verdict(grid, m, lv, studio, settings)
            out.setdefault("1", {})[lv] = Answer("yes" if v.criterion1_met else "no")
            out.setdefault("2", {})[lv] = Answer("yes" if v.criterion2_points else "no", points=v.criterion2_points)
        prq = prerequisite_met(m, studio, int(ctx.get("capacity", 0)))
        if prq is not None:
            out["PRQ"] = {lv: Answer("yes" if prq else "no") for lv in grid.level_codes}
    for lv in grid.level_codes:
        beds = beds_met(grid, m, lv, studio)
        if beds is not None:
            out.setdefault("28", {})[lv] = Answer("yes" if beds[0] else "no")
            notes += [f"{lv}* : {n}" for n in beds[1]]
    return _Derived(out, tuple(dict.fromkeys(notes)))


GRID_NA_REASON = "non applicable dans la grille pour cette catégorie"


def _outcome(crit: Criterion, level: str, ctx: Mapping[str, Any], settings: Mapping[str, Any],
             answer: Answer | None, derived: Answer | None, requested: bool) -> Outcome:
    code = crit.code
    if crit.applicability:
        es = effective_status(crit, level, ctx, settings)
        status, grid_status, rule = es.status, es.grid_status, es.rule
    else:
        status = grid_status = crit.status.get(level, "NA")
        rule = None
    if status == "NA":
        if rule is None:
            return Outcome(code, "NA", grid_status, 0, 0, None, answer is not None, "grid", GRID_NA_REASON)
        return Outcome(code, "NA", grid_status, 0, 0, None, answer is not None, "context", rule.reason, rule.source)
    reason = rule.reason if rule else ""
    source = rule.source if rule else ""
    if answer is not None and answer.value == NA and crit.na_reasons:
        return Outcome(code, "NA", grid_status, 0, 0, None, True, "inspector",
                       answer.na_reason or crit.na_reasons[0], "official")
    # The inspector's direct verdict is for the requested category; measurements decide the others.
    chosen, derived_from = answer, ""
    if derived is not None and (answer is None or answer.value == NA or not requested):
        chosen = derived
        derived_from = "surfaces" if crit.measure.startswith("surface") or code == "PRQ" else "beds"
    if chosen is None or chosen.value == NA:  # an NA given for another category does not count here
        return Outcome(code, status, grid_status, crit.points, 0, None, False, "", reason, source)
    met = chosen.met
    obtained = (chosen.points or 0) if crit.graded else (crit.points if met else 0)
    return Outcome(code, status, grid_status, crit.points, obtained, met, True, "", reason, source, derived_from)


def _category(grid: Grid, level: str, ctx: Mapping[str, Any], settings: Mapping[str, Any],
              answers: Mapping[str, Answer], derived: _Derived, requested: bool) -> CategoryResult:
    derived_answers = derived.answers
    outcomes = tuple(
        _outcome(c, level, ctx, settings, answers.get(c.code),
                 derived_answers[c.code].get(level) if c.code in derived_answers else None, requested)
        for c in grid.criteria
    )
    a = c_ = e = h = 0
    e_obtained = settings["criterion2_in_e"] == "obtained"
    prq = onc = True
    unanswered = []
    for crit, o in zip(grid.criteria, outcomes, strict=True):
        status = o.status
        if status == "NA":
            continue
        if not o.answered:
            unanswered.append(o.code)
        if status == "X" or status == "X ONC":
            a += o.points_possible
            if o.met:
                c_ += o.points_obtained
            elif status == "X ONC":
                onc = False
        elif status == "O":
            e += o.points_obtained if crit.graded and e_obtained else o.points_possible
            h += o.points_obtained
        elif status == "PRQ" and not o.met:
            prq = False
    b = _dec(settings["mandatory_threshold"]) * a
    d = _dec(settings["compensation_factor"]) * (a - c_)
    f = _dec(settings["quota"][level]) * e
    mode = settings["rounding"]
    g = d + f
    compared_b = _round(b, mode)
    compared_g = d + _round(f, mode)
    return CategoryResult(
        category=level,
        lines=Lines(a, b, c_, d, e, f, g, h),
        compared_b=compared_b,
        compared_g=compared_g,
        prerequisite_ok=prq,
        onc_ok=onc,
        mandatory_ok=c_ >= compared_b,
        alacarte_ok=h >= compared_g,
        outcomes=outcomes,
        unanswered=tuple(unanswered),
    )


def _check_na(grid: Grid, level: str, ctx: Mapping[str, Any], settings: Mapping[str, Any],
              answers: Mapping[str, Answer]) -> list[str]:
    problems = []
    for code, ans in answers.items():
        if ans.value != NA:
            continue
        crit = grid.criterion(code)
        if crit.na_reasons or effective_status(crit, level, ctx, settings).status == "NA":
            continue
        problems.append(f"critère {code} : « na » refusé — ni la grille ni le contexte de la visite ne rendent ce "
                        f"critère non applicable en {level}*")
    return problems


def score_meuble(grid: Grid, *, category: int | str, context: Mapping[str, Any],
                 answers: Mapping[str, Any], measurements: Mapping[str, Any] | Measurements | None = None,
                 settings: Mapping[str, Any] | None = None, partial: bool = False) -> MeublesResult:
    """Score one meublé visit for all five categories.

    `answers` may be raw JSON values ("yes"/"no"/"na", an integer for criterion 2) or Answer objects.
    Every criterion applicable to the requested category must be answered (or derived from measurements)
    unless `partial`, in which case the result is marked provisional. Raises ScoringInputError naming
    the criterion or context key at fault.
    """
    if grid.kind != "meubles":
        raise ScoringInputError([f"la grille {grid.id} n'est pas une grille de classement des meublés"])
    level = str(category)
    if level not in grid.level_codes:
        raise ScoringInputError([f"catégorie {category!r} invalide (attendu : {', '.join(grid.level_codes)})"])
    ctx = normalise_context(grid, context)
    merged = merged_settings(grid, settings)
    parsed = {k: v for k, v in answers.items() if isinstance(v, Answer)}
    parsed.update(parse_answers(grid, {k: v for k, v in answers.items() if not isinstance(v, Answer)}))
    m = parse_measurements(measurements) if isinstance(measurements, Mapping) else measurements
    derived = _derive(grid, m, ctx, merged)
    problems = _check_na(grid, level, ctx, merged, parsed)
    if problems:
        raise ScoringInputError(problems)
    cats = {lv: _category(grid, lv, ctx, merged, parsed, derived, lv == level) for lv in grid.level_codes}
    missing = cats[level].unanswered
    if missing and not partial:
        raise ScoringInputError([f"critère {code} : réponse manquante (applicable en {level}*)" for code in missing])
    notes = list(derived.notes)
    for lv, r in cats.items():
        if lv != level and r.unanswered:
            notes.append(f"{lv}* : critère(s) {', '.join(r.unanswered)} sans réponse, comptés comme non validés")
    by_code = {o.code: o for o in cats[level].outcomes}
    for code, ans in parsed.items():
        if ans.value != NA and by_code[code].na_source == "context":
            notes.append(f"critère {code} : réponse ignorée, le critère est non applicable en {level}*")
    return MeublesResult(grid.id, grid.version, grid.sha256, level, ctx, merged, cats, tuple(notes),
                         provisional=bool(missing))

