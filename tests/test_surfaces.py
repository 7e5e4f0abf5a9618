"""Surfaces and beds calculator: PRQ, criteria 1, 2 and 28 from measurements, per category."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inspector.grids.model import Grid
from inspector.scoring.answers import ScoringInputError
from inspector.scoring.meubles import score_meuble
from inspector.scoring.settings import merged_settings
from inspector.scoring.surfaces import beds_met, parse_measurements, prerequisite_met, surface_verdict
from tests.conftest import all_yes


def rooms(*items: tuple) -> dict:
    return {"rooms": [dict(zip(("name", "kind", "surface", "sleepers", "low_ceiling"), it, strict=False))
                      for it in items]}


def verdict(mt: Grid, raw: dict, level: str, studio: bool = False, **settings):
    return surface_verdict(mt, parse_measurements(raw), level, studio, merged_settings(mt, settings))


def test_attic_studio_low_ceiling_excluded_and_tolerance_at_3_stars(mt: Grid) -> None:
    raw = rooms(("Pièce", "piece", 24, 2, 8), ("Salle d'eau", "salle_d_eau", 4))
    v2 = verdict(mt, raw, "2", studio=True)
    assert v2.measured_m2 == 16 and v2.required_m2 == 14 and v2.criterion1_met
    assert v2.criterion2_points == 0  # 16/14 = +14 %: under the first 20 % band
    v3 = verdict(mt, raw, "3", studio=True)
    assert v3.required_m2 == 18 and v3.threshold_m2 == Decimal("16.2") and not v3.criterion1_met
    raw_165 = rooms(("Pièce", "piece", Decimal("24.5"), 2, 8))
    assert verdict(mt, raw_165, "3", studio=True).criterion1_met  # 16.5 >= 16.2 thanks to the 10 % tolerance
    assert not verdict(mt, rooms(("Pièce", "piece", 11.5, 2)), "1", studio=True).criterion1_met  # no tolerance 1★


def test_t3_for_6_extra_bedrooms_and_bonus_bands(mt: Grid) -> None:
    raw = rooms(("Séjour", "sejour", 20, 2), ("Chambre 1", "chambre", 10, 2), ("Chambre 2", "chambre", 9, 2),
                ("Cuisine", "cuisine", 6), ("Salle d'eau", "salle_d_eau", 5), ("WC", "wc", 1.5))
    v = verdict(mt, raw, "1")
    assert v.required_m2 == 12 + 7 * 2 and v.measured_m2 == 45
    assert v.criterion1_met and v.criterion2_points == 3  # 45/26 = +73 %


def test_bonus_band_boundaries_are_exact(mt: Grid) -> None:
    # 1★ studio requires 12 m²: 14.4 m² is exactly +20 % (1 point), 14.39 is not.
    assert verdict(mt, rooms(("P", "piece", Decimal("14.4"), 2)), "1", studio=True).criterion2_points == 1
    assert verdict(mt, rooms(("P", "piece", Decimal("14.39"), 2)), "1", studio=True).criterion2_points == 0
    assert verdict(mt, rooms(("P", "piece", 60, 2)), "1", studio=True).criterion2_points == 5  # capped


def test_4_stars_each_extra_bedroom_needs_its_minimum(mt: Grid) -> None:
    raw = rooms(("Séjour", "sejour", 30, 0), ("Chambre", "chambre", 9, 2))
    v = verdict(mt, raw, "4")
    assert v.required_m2 == 20 + 10 and not v.criterion1_met
    assert any("9 m² < 10 m²" in n for n in v.notes)


def test_persons_beyond_two_per_room_and_the_maximum_of_sleepers(mt: Grid) -> None:
    v = verdict(mt, rooms(("Pièce", "piece", 30, 4)), "2", studio=True)
    assert v.required_m2 == 14 + 2 * 3
    five = verdict(mt, rooms(("Pièce", "piece", 40, 5)), "2", studio=True)
    assert not five.criterion1_met and any("maximum toléré 4" in n for n in five.notes)
    four_at_5 = verdict(mt, rooms(("Pièce", "piece", 60, 4)), "5", studio=True)
    assert not four_at_5.criterion1_met  # 3 sleepers at most per room in 5★


def test_tolerance_on_base_only_is_a_setting(mt: Grid) -> None:
    raw = rooms(("Séjour", "sejour", 17, 0), ("Chambre", "chambre", 10, 2))
    total = verdict(mt, raw, "3")
    base = verdict(mt, raw, "3", surface_tolerance_applies_to="base")
    assert total.threshold_m2 == Decimal("0.9") * 27 and base.threshold_m2 == Decimal("0.9") * 18 + 9


def test_prerequisite_9_or_12_square_metres(mt: Grid) -> None:
    corner = parse_measurements(rooms(("Pièce", "piece", 11, 2)))
    kitchen = parse_measurements(rooms(("Pièce", "piece", 9, 2), ("Cuisine", "cuisine", 3)))
    assert prerequisite_met(corner, studio=True, capacity=2) is False
    assert prerequisite_met(kitchen, studio=True, capacity=2) is True
    assert prerequisite_met(corner, studio=False, capacity=4) is None


def test_beds_with_the_official_tolerances(mt: Grid) -> None:
    double = parse_measurements({"beds": [{"kind": "double", "width": 140, "length": 190}]})
    assert beds_met(mt, double, "3", studio=False)[0] and not beds_met(mt, double, "4", studio=False)[0]
    bunk = parse_measurements({"beds": [{"kind": "bunk", "width": 80, "length": 190}]})
    assert beds_met(mt, bunk, "5", studio=False)[0]
    sofa = parse_measurements({"beds": [{"kind": "sofa_bed", "width": 130, "length": 190}]})
    assert beds_met(mt, sofa, "2", studio=True)[0]
    assert not beds_met(mt, sofa, "3", studio=True)[0] and not beds_met(mt, sofa, "1", studio=False)[0]
    assert beds_met(mt, parse_measurements({}), "1", studio=False) is None


def test_measurements_decide_other_categories_the_inspector_the_requested_one(mt: Grid) -> None:
    ctx = {"capacity": 2, "studio": True}
    measured = rooms(("Pièce", "piece", 16, 2))  # 2★ ok (14), 3★ short (18 × 0.9 = 16.2)
    answers = all_yes(mt)
    del answers["1"], answers["2"]
    res = score_meuble(mt, category=2, context=ctx, answers=answers, measurements=measured)
    o1 = {lv: next(o for o in r.outcomes if o.code == "1") for lv, r in res.categories.items()}
    assert o1["2"].met and o1["2"].derived_from == "surfaces"
    assert o1["3"].met is False and o1["1"].met is True
    assert next(o for o in res.categories["1"].outcomes if o.code == "2").points_obtained == 1  # 16/12 = +33 %
    # The inspector's direct verdict for the requested category is kept, measurements still decide 3★.
    res_direct = score_meuble(mt, category=3, context=ctx, answers={**answers, "1": "yes", "2": 0},
                              measurements=measured)
    assert next(o for o in res_direct.result.outcomes if o.code == "1").met is True
    assert next(o for o in res_direct.categories["4"].outcomes if o.code == "1").met is False


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"rooms": [{"name": "A", "kind": "grenier", "surface": 10}]}, "pièce n° 1 : type « grenier » inconnu"),
        ({"rooms": [{"kind": "piece", "surface": -3}]}, "pièce n° 1, surface : valeur positive attendue"),
        ({"rooms": [{"kind": "piece", "surface": "douze"}]}, "pièce n° 1, surface : nombre attendu"),
        ({"rooms": [{"kind": "piece", "surface": 12}, {"kind": "piece", "surface": 12, "sleepers": -1}]},
         "pièce n° 2 : « sleepers » doit être un entier positif"),
        ({"beds": [{"kind": "double", "width": "140", "length": 190}]}, "lit n° 1 : largeur et longueur"),
    ],
)
def test_bad_measurements_name_the_room_or_bed(raw: dict, message: str) -> None:
    with pytest.raises(ScoringInputError, match=message):
        parse_measurements(raw)
