"""Facts of the official grid MT-2022-V2, pinned against the Atout France PDF."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from inspector.grids.model import Grid
from inspector.grids.registry import bundled_grids_dir

NUMBERED = [str(n) for n in range(1, 134)]


def numbered(mt: Grid):
    return [c for c in mt.criteria if c.code != "PRQ"]


def test_133_numbered_criteria_in_order_plus_prq(mt: Grid) -> None:
    assert [c.code for c in numbered(mt)] == NUMBERED
    assert mt.criteria[0].code == "PRQ"
    assert all(mt.criteria[0].status_for(lv) == "PRQ" for lv in mt.level_codes)


def test_provenance_is_official_and_complete(mt: Grid) -> None:
    p = mt.provenance
    assert p.status == "official"
    assert "24 novembre 2021" in p.legal_basis and "2 août 2010" in p.legal_basis
    assert p.applicable_from == "2022-02-01"
    assert mt.validity_years == 5


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("1", {"X": 48, "O": 80, "X ONC": 5}),
        ("2", {"X": 57, "O": 71, "X ONC": 5}),
        ("3", {"X": 71, "O": 55, "NA": 2, "X ONC": 5}),
        ("4", {"X": 85, "O": 40, "NA": 3, "X ONC": 5}),
        ("5", {"X": 90, "O": 34, "NA": 4, "X ONC": 5}),
    ],
)
def test_status_counts_per_category(mt: Grid, level: str, expected: dict[str, int]) -> None:
    assert Counter(c.status_for(level) for c in numbered(mt)) == expected


@pytest.mark.parametrize(
    ("level", "mandatory", "alacarte"),
    [("1", 151, 167), ("2", 168, 150), ("3", 198, 113), ("4", 224, 84), ("5", 233, 73)],
)
def test_point_totals_without_situational_na(mt: Grid, level: str, mandatory: int, alacarte: int) -> None:
    assert sum(c.points for c in numbered(mt) if c.status_for(level) in ("X", "X ONC")) == mandatory
    assert sum(c.points for c in numbered(mt) if c.status_for(level) == "O") == alacarte


def test_onc_criteria_are_95_to_99_five_points_everywhere(mt: Grid) -> None:
    onc = [c for c in numbered(mt) if "X ONC" in c.status.values()]
    assert [c.code for c in onc] == ["95", "96", "97", "98", "99"]
    for c in onc:
        assert c.points == 5
        assert set(c.status.values()) == {"X ONC"}
        assert c.section == "1.6"


def test_criterion_2_is_a_graded_surface_bonus(mt: Grid) -> None:
    c2 = mt.criterion("2")
    assert c2.graded and c2.points == 5 and c2.points_label == "1 à 5"
    assert c2.measure == "surface_bonus"
    assert set(c2.status.values()) == {"O"}


def test_sections_and_chapters(mt: Grid) -> None:
    ranges = {"1.1": (1, 27), "1.2": (28, 36), "1.3": (37, 55), "1.4": (56, 76), "1.5": (77, 94),
              "1.6": (95, 99), "2.1": (100, 101), "2.2": (102, 115), "3.1": (116, 122), "3.2": (123, 133)}
    for c in numbered(mt):
        lo, hi = ranges[c.section]
        assert lo <= int(c.code) <= hi, c.code
    assert [ch.title for ch in mt.chapters] == [
        "Equipements et aménagements", "Services aux clients", "Accessibilité et développement durable"]


def test_wording_is_reproduced_as_published(mt: Grid) -> None:
    # Typos and typography of the PDF are kept, not silently fixed.
    assert mt.criterion("108").text == "Lits faits à l'arrivée proposés sytématiquement par le loueur"
    assert mt.criterion("19").text.startswith("Séche-linge électrique")
    assert "d’une pièce d’habitation" in mt.criterion("PRQ").text and "d'au moins 12m²" in mt.criterion("PRQ").text
    assert mt.criterion("86").text == "Mise à disposition d’une plancha extérieure et/ou d’un barbecue extérieur"
    assert mt.criterion("39").text.startswith("Présence d'une salle d'eau ainsi équipée : - un lavabo avec eau chaude")
    assert mt.criterion("77").help.startswith("Sauf contrainte locale ou architecturale.")
    assert mt.criterion("37").rubric == "Niveau d'équipements sanitaires requis pour les logements jusqu'à (inclus) :"


def test_parameter_rows(mt: Grid) -> None:
    def values(code: str) -> list:
        return [mt.parameter(code).values[lv] for lv in mt.level_codes]

    assert values("surface_base") == [12, 14, 18, 20, 26]
    assert values("surface_extra_bedroom_average") == [7, 8, 9, None, None]
    assert values("surface_extra_bedroom_minimum") == [None, None, None, 10, 12]
    assert values("surface_extra_person") == [3, 3, 3, 3, 3]
    assert values("bed_single_width") == [80, 90, 90, 90, 90]
    assert values("bed_double_width") == [140, 140, 140, 160, 160]
    assert values("bed_double_length") == [190, 190, 190, 200, 200]
    assert values("sanitary_level_1_up_to") == [6, 6, 6, 6, 4]
    assert values("sanitary_level_2_from") == [7, 7, 7, 7, 5]
    assert values("hob_up_to_4") == [2, 2, 4, 4, 4]


def test_cumulative_criteria(mt: Grid) -> None:
    assert mt.criterion("124").cumulates_with == "123"
    assert mt.criterion("127").cumulates_with == "126"
    assert mt.criterion("78").cumulates_with == "77"


def test_every_status_agrees_with_the_status_column(mt: Grid) -> None:
    for c in numbered(mt):
        allowed = set(c.status_column.split(" ou ")) if c.status_column != "X ONC" else {"X ONC"}
        assert set(c.status.values()) <= allowed, c.code


def test_every_bundled_grid_matches_its_pinned_hash() -> None:
    """Published grids are immutable: each file's SHA-256 is pinned in grids/SHA256SUMS (sha256sum format)."""
    sums = {}
    for line in (bundled_grids_dir() / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*")] = digest
    files = sorted(p.name for p in bundled_grids_dir().glob("*.json"))
    assert files and sorted(sums) == files
    for name in files:
        assert hashlib.sha256((bundled_grids_dir() / name).read_bytes()).hexdigest() == sums[name], name
