"""The meublés results block (lines a–h), situational rules, NA handling and explanations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inspector.grids.model import Grid
from inspector.scoring.answers import ScoringInputError
from inspector.scoring.explain import advice, explain_category, failed_codes, situational_changes
from inspector.scoring.meubles import score_meuble
from tests.conftest import all_yes

STUDIO_HOUSE = {"capacity": 2, "studio": True, "collective_building": False, "floor": 0}
T2_FIFTH_FLOOR = {"capacity": 4, "studio": False, "collective_building": True, "floor": 5}


def lines(result, level=None):
    r = result.categories[level or result.requested]
    return {k: v for k, v in r.lines.as_dict().items()}


class TestWorkedExamples:
    """meubles-rules.md §5."""

    def test_example_1_studio_3_stars(self, mt: Grid) -> None:
        res = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=all_yes(mt, c22="no", c47="no"))
        ln = lines(res)
        assert ln["a"] == 178 and ln["b"] == Decimal("169.1") and ln["c"] == 173
        assert ln["d"] == 15 and ln["e"] == 111 and ln["f"] == Decimal("22.2") and ln["g"] == Decimal("37.2")
        assert res.result.mandatory_ok
        na = {o.code for o in res.result.outcomes if o.status == "NA"}
        assert {"77", "78", "43", "44", "45", "18", "19", "73", "27", "23"} <= na
        assert res.classable  # h = 111 >= 37.2 with everything else answered yes

    def test_example_2_same_studio_1_star(self, mt: Grid) -> None:
        ln = lines(score_meuble(mt, category=1, context=STUDIO_HOUSE, answers=all_yes(mt)))
        assert (ln["a"], ln["b"], ln["e"], ln["f"]) == (136, Decimal("129.2"), 156, Decimal("7.8"))

    def test_example_3_t2_for_4_on_fifth_floor_4_stars(self, mt: Grid) -> None:
        res = score_meuble(mt, category=4, context=T2_FIFTH_FLOOR, answers=all_yes(mt, c14="no"))  # 14: X, 3 pts
        res4 = score_meuble(mt, category=4, context=T2_FIFTH_FLOOR, answers=all_yes(mt, c25="no"))  # 25: X, 4 pts
        ln = lines(res4)
        assert (ln["a"], ln["b"], ln["e"], ln["f"]) == (212, Decimal("201.4"), 84, Decimal("25.2"))
        assert (ln["c"], ln["d"], ln["g"]) == (208, 12, Decimal("37.2"))
        assert lines(res)["c"] == 209
        na = {o.code for o in res4.result.outcomes if o.status == "NA"}
        assert na == {"19", "43", "44", "45", "23", "39", "77"}  # 23, 39 and 77 are NA at 4★ in the grid itself


class TestRules:
    def test_everything_yes_is_classable_in_every_category(self, mt: Grid) -> None:
        res = score_meuble(mt, category=5, context={"capacity": 8, "collective_building": True, "floor": 5},
                           answers=all_yes(mt))
        assert all(r.classable for r in res.categories.values())
        assert res.highest_classable == "5"

    def test_onc_failure_is_never_compensated(self, mt: Grid) -> None:
        res = score_meuble(mt, category=4, context=T2_FIFTH_FLOOR, answers=all_yes(mt, c96="no"))
        r = res.result
        assert not r.onc_ok and not res.classable
        assert r.mandatory_ok and r.alacarte_ok  # the points alone would have been enough
        assert res.highest_classable is None
        assert "96" in failed_codes(res)
        text = " ".join(x.render() for x in explain_category(mt, res))
        assert "non compensable" in text and "Aucune compensation" in text

    def test_prerequisite_failure_blocks_every_category(self, mt: Grid) -> None:
        res = score_meuble(mt, category=1, context=STUDIO_HOUSE, answers=all_yes(mt, cPRQ="no"))
        assert not any(r.classable for r in res.categories.values())
        assert failed_codes(res)[0] == "PRQ"

    def test_mandatory_threshold_is_exact(self, mt: Grid) -> None:
        # 3★ studio: a = 178, b = 169.1. Failing 9 mandatory points gives c = 169 < 169.1.
        answers = all_yes(mt, c16="no", c25="no")  # 5 + 4 = 9 points
        res = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=answers)
        assert lines(res)["c"] == 169 and not res.result.mandatory_ok
        assert res.result.mandatory_missing == Decimal("0.1")
        # Rounding b half-up (169) is an explicit, non-default setting.
        res_round = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=answers,
                                 settings={"rounding": "half_up"})
        assert res_round.result.compared_b == 169 and res_round.result.mandatory_ok

    def test_alacarte_quota_and_compensation(self, mt: Grid) -> None:
        # 1★ studio: e = 156, f = 7.8. Only 7 à-la-carte points obtained: short by 0.8.
        answers = all_yes(mt)
        for c in mt.criteria:
            if c.status_for("1") == "O":
                answers[c.code] = 0 if c.graded else "no"
        for code in ("58", "62", "83"):  # 2 + 2 + 3 = 7 points
            answers[code] = "yes"
        res = score_meuble(mt, category=1, context=STUDIO_HOUSE, answers=answers)
        assert lines(res)["h"] == 7 and not res.result.alacarte_ok
        assert res.result.alacarte_missing == Decimal("0.8")
        answers["2"] = 1
        assert score_meuble(mt, category=1, context=STUDIO_HOUSE, answers=answers).result.alacarte_ok

    def test_criterion_2_counts_5_in_e_by_default_and_obtained_on_request(self, mt: Grid) -> None:
        answers = all_yes(mt, c2=2)
        default = score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=answers)
        other = score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=answers,
                             settings={"criterion2_in_e": "obtained"})
        assert lines(default)["e"] - lines(other)["e"] == 3
        assert lines(default)["h"] == lines(other)["h"]

    @pytest.mark.parametrize(("floor", "collective", "status_2", "status_3"),
                             [(0, True, "NA", "NA"), (2, True, "O", "X"), (3, True, "O", "X"),
                              (4, True, "X", "X"), (2, False, "NA", "NA")])
    def test_lift_criteria_follow_the_floor(self, mt: Grid, floor: int, collective: bool, status_2: str,
                                            status_3: str) -> None:
        ctx = {"capacity": 4, "collective_building": collective, "floor": floor}
        res = score_meuble(mt, category=2, context=ctx, answers=all_yes(mt))
        o77 = next(o for o in res.categories["2"].outcomes if o.code == "77")
        o78 = next(o for o in res.categories["3"].outcomes if o.code == "78")
        assert o77.status == status_2
        assert o78.status == ("O" if floor in (1, 2) and collective else status_3)

    def test_s1_lift_77_becomes_optional_on_second_floor_and_says_why(self, mt: Grid) -> None:
        ctx = {"capacity": 2, "studio": True, "collective_building": True, "floor": 2}
        res = score_meuble(mt, category=2, context=ctx, answers=all_yes(mt, c77="no"))
        assert res.classable
        change = next(s for s in situational_changes(mt, res) if s["code"] == "77")
        assert change["from"] == "X" and change["to"] == "O" and "1er et le 3ème étage" in change["reason"]

    def test_secondary_rules_can_be_switched_off(self, mt: Grid) -> None:
        on = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=all_yes(mt))
        off = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=all_yes(mt),
                           settings={"apply_secondary_rules": False})
        # 18 (X, 3 pts) applies again to a 2-person logement, 73 (X, 2 pts) too; 78 stays NA on the ground floor
        # (an official rule), even for a house.
        assert lines(off)["a"] - lines(on)["a"] == 3 + 2
        sources = {s["code"]: s["source"] for s in situational_changes(mt, on)}
        assert sources["18"] == "secondary" and sources["27"] == "official"

    def test_capacity_thresholds_for_second_bathroom(self, mt: Grid) -> None:
        def status(cap: int, level: str) -> str:
            res = score_meuble(mt, category=level, context={"capacity": cap}, answers=all_yes(mt))
            return next(o.status for o in res.result.outcomes if o.code == "43")

        assert status(6, "4") == "NA" and status(7, "4") == "X"
        assert status(4, "5") == "NA" and status(5, "5") == "X"

    def test_drom_com_and_altitude(self, mt: Grid) -> None:
        res = score_meuble(mt, category=5, context={"capacity": 2, "drom_com": True, "altitude_m": 1200},
                           answers=all_yes(mt))
        na = {o.code: o.reason for o in res.result.outcomes if o.na_source == "context"}
        assert "16" in na and "19" in na and "17" in na


class TestAnswers:
    def test_inspector_na_only_where_the_grid_allows_it(self, mt: Grid) -> None:
        res = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=all_yes(mt, c5="na", c128="na"))
        o = {x.code: x for x in res.result.outcomes}
        assert o["5"].status == "NA" and o["5"].na_source == "inspector" and "zones blanches" in o["5"].reason
        with pytest.raises(ScoringInputError, match="critère 22 : « na » refusé"):
            score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=all_yes(mt, c22="na"))

    def test_na_reason_is_kept(self, mt: Grid) -> None:
        answers = all_yes(mt)
        answers["91"] = {"answer": "na", "reason": "Logement en centre-ville sans local"}
        res = score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=answers)
        assert next(o for o in res.result.outcomes if o.code == "91").reason == "Logement en centre-ville sans local"

    def test_na_where_context_makes_it_na_is_accepted(self, mt: Grid) -> None:
        res = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=all_yes(mt, c27="na"))
        assert res.classable

    def test_missing_answer_names_the_criterion(self, mt: Grid) -> None:
        answers = all_yes(mt)
        del answers["57"]
        with pytest.raises(ScoringInputError, match="critère 57 : réponse manquante"):
            score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=answers)
        res = score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=answers, partial=True)
        assert res.provisional and not res.classable and res.result.unanswered == ("57",)

    def test_a_criterion_na_at_the_requested_category_need_not_be_answered(self, mt: Grid) -> None:
        answers = all_yes(mt)
        del answers["23"]  # NA at 3★ in the grid, X at 1★/2★
        res = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=answers)
        assert res.classable and res.categories["1"].unanswered == ("23",)
        missed = next(o for o in res.categories["1"].outcomes if o.code == "23")
        assert missed.status == "X" and missed.met is None and missed.points_obtained == 0
        assert res.categories["1"].lines.c == res.categories["1"].lines.a - 3
        assert any("1* : critère(s) 23 sans réponse" in n for n in res.notes)

    def test_bad_inputs_are_named(self, mt: Grid) -> None:
        with pytest.raises(ScoringInputError, match="critère 999 : inconnu"):
            score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=all_yes(mt, c999="yes"))
        with pytest.raises(ScoringInputError, match="critère 2 : 7 points hors limites"):
            score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=all_yes(mt, c2=7))
        with pytest.raises(ScoringInputError, match="critère 4 : réponse 'oui' invalide"):
            score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=all_yes(mt, c4="oui"))
        with pytest.raises(ScoringInputError, match="« capacity » .* est obligatoire"):
            score_meuble(mt, category=2, context={}, answers=all_yes(mt))
        with pytest.raises(ScoringInputError, match="clé « etage » inconnue"):
            score_meuble(mt, category=2, context={"capacity": 2, "etage": 3}, answers=all_yes(mt))
        with pytest.raises(ScoringInputError, match="catégorie 6 invalide"):
            score_meuble(mt, category=6, context=STUDIO_HOUSE, answers=all_yes(mt))
        with pytest.raises(ScoringInputError, match="réglage « rounding » : valeur 'up' invalide"):
            score_meuble(mt, category=2, context=STUDIO_HOUSE, answers=all_yes(mt), settings={"rounding": "up"})


class TestExplanations:
    def test_highest_classable_and_advice(self, mt: Grid) -> None:
        # 3★ requested but 11 (radio, X at 3★) and 36 (bedside table, X at 3★) fail, plus most à la carte.
        answers = all_yes(mt, c11="no", c36="no")
        for c in mt.criteria:
            if c.status_for("3") == "O" and c.code not in ("83", "84", "92", "93", "94"):
                answers[c.code] = 0 if c.graded else "no"
        res = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=answers)
        assert not res.classable
        assert res.highest_classable == "2"
        for lv, r in res.categories.items():
            assert r.classable == (int(lv) <= 2)
        lines_ = advice(mt, res, "3")
        assert lines_[0] == "Pour atteindre 3★ :"
        assert any("11 « Radio »" in x for x in lines_)
        assert any("point(s) à la carte" in x for x in lines_)
        assert advice(mt, res, "2") == ["La catégorie 2★ est atteinte avec ces réponses."]

    def test_explanations_exist_in_english(self, mt: Grid) -> None:
        res = score_meuble(mt, category=3, context=STUDIO_HOUSE, answers=all_yes(mt, c22="no"))
        en = [r.render("en") for r in explain_category(mt, res, lang="en")]
        assert any(x.startswith("Mandatory criteria not met: 22 (2 pts)") for x in en)
        assert en[-1] == "Highest category reachable with these answers: 5★." or en[-1].startswith("Highest")
