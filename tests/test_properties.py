"""Property-based checks of the meublés engine over random contexts and answers (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.grids.loader import load_grid
from inspector.grids.registry import bundled_grids_dir
from inspector.scoring.meubles import MeublesResult, score_meuble

MT = load_grid(bundled_grids_dir() / "MT-2022-V2.json")

contexts = st.fixed_dictionaries(
    {"capacity": st.integers(1, 12)},
    optional={
        "studio": st.booleans(), "has_sejour": st.booleans(), "collective_building": st.booleans(),
        "floor": st.integers(0, 8), "drom_com": st.booleans(), "altitude_m": st.integers(0, 2000),
        "telecom_impossible": st.booleans(), "parking_constraint": st.booleans(),
    },
)


@st.composite
def visits(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, Any]]:
    category = draw(st.sampled_from(MT.level_codes))
    context = draw(contexts)
    answers: dict[str, Any] = {}
    for c in MT.criteria:
        if c.graded:
            answers[c.code] = draw(st.integers(0, c.points))
        elif c.na_reasons:
            answers[c.code] = draw(st.sampled_from(["yes", "yes", "no", "na"]))
        else:
            answers[c.code] = draw(st.sampled_from(["yes", "yes", "yes", "no"]))
    return category, context, answers


def score(category: str, context: dict[str, Any], answers: dict[str, Any], **kw: Any) -> MeublesResult:
    return score_meuble(MT, category=category, context=context, answers=answers, **kw)


FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(visits())
def test_lines_are_consistent_and_classable_is_the_official_conjunction(visit) -> None:
    res = score(*visit)
    for r in res.categories.values():
        ln = r.lines
        assert 0 <= ln.c <= ln.a and 0 <= ln.h <= ln.e
        assert ln.d == 3 * (ln.a - ln.c) and ln.g == ln.d + ln.f
        assert r.classable == (r.prerequisite_ok and r.onc_ok and ln.c >= ln.b and ln.h >= ln.g)
    best = res.highest_classable
    classable = [int(k) for k, r in res.categories.items() if r.classable]
    assert best == (str(max(classable)) if classable else None)


@FAST
@given(visits(), st.data())
def test_turning_a_no_into_a_yes_never_lowers_the_result(visit, data) -> None:
    category, context, answers = visit
    noes = [code for code, v in answers.items() if v == "no" or v == 0]
    if not noes:
        return
    code = data.draw(st.sampled_from(noes))
    better = dict(answers)
    better[code] = MT.criterion(code).points if MT.criterion(code).graded else "yes"
    before, after = score(category, context, answers), score(category, context, better)
    for lv in MT.level_codes:
        b, a = before.categories[lv], after.categories[lv]
        assert a.lines.c >= b.lines.c and a.lines.h >= b.lines.h
        assert a.classable or not b.classable
    assert int(after.highest_classable or 0) >= int(before.highest_classable or 0)


@FAST
@given(visits())
def test_rounding_up_is_never_more_lenient_than_exact(visit) -> None:
    exact = score(*visit)
    ceil = score(*visit, settings={"rounding": "ceil"})
    for lv in MT.level_codes:
        assert exact.categories[lv].classable or not ceil.categories[lv].classable


@FAST
@given(visits())
def test_an_onc_failure_is_never_classable(visit) -> None:
    category, context, answers = visit
    failing = dict(answers)
    failing["98"] = "no"
    res = score(category, context, failing)
    assert res.highest_classable is None and not res.classable
