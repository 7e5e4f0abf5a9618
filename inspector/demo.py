"""Demo data from the agency's scenarios (scenarios.md): visits that can be scored, shown and tested."""

from __future__ import annotations

from typing import Any

# Criteria answered "no" in the Wimereux studio (S1); every other applicable criterion is "yes".
_S1_NO = (
    "5 7 9 10 11 12 13 17 22 29 34 36 40 42 46 47 50 52 54 55 62 64 67 69 72 75 77 78 80 81 82 83 84 85 86 87 "
    "88 89 90 91 103 107 108 109 112 113 114 117 118 119 120 122 124 125 127 129 131 133"
).split()


def s1_wimereux_studio() -> dict[str, Any]:
    """S1 — Mme Dufour's studio in Wimereux: 2★ requested, attic flat on the 2nd floor, no lift.

    24 m² of floor, of which 8 m² under a ceiling lower than 1.80 m: 16 m² count. Surfaces decide
    criteria 1 and 2 for each category; 77 (lift to the 4th floor) becomes optional on the 2nd floor.
    """
    answers: dict[str, Any] = {str(n): "yes" for n in range(1, 134)}
    answers["PRQ"] = "yes"
    for code in _S1_NO:
        answers[code] = "no"
    for code in ("1", "2",  # decided by the measured surfaces
                 "18", "19", "26", "27", "43", "44", "45", "73"):  # not applicable here (context)
        del answers[code]
    return {
        "title": "S1 — Studio de Mme Dufour, Wimereux (première demande de classement)",
        "grid": "MT-2022-V2",
        "category": 2,
        "context": {
            "capacity": 2,
            "studio": True,
            "has_sejour": False,
            "collective_building": True,
            "floor": 2,
        },
        "surfaces": {
            "rooms": [
                {"name": "Pièce principale avec coin cuisine", "kind": "piece", "surface": 24, "low_ceiling": 8,
                 "sleepers": 2},
                {"name": "Salle d'eau", "kind": "salle_d_eau", "surface": 3.5},
            ],
            "beds": [{"kind": "double", "width": 140, "length": 190, "room": "Pièce principale"}],
        },
        "answers": answers,
    }


def s3_saint_omer_advisory() -> dict[str, Any]:
    """S3 — advisory visit of a farmhouse near Saint-Omer aiming at 3★ for 6 persons (rooms unfinished)."""
    answers: dict[str, Any] = {str(n): "yes" for n in range(1, 134)}
    answers["PRQ"] = "yes"
    answers["2"] = 1
    for code in ("22 36 46 47 55 107 5 7 9 10 12 13 17 29 50 52 62 64 67 69 81 87 88 89 90 "
                 "103 108 112 113 114 117 118 119 120 122 125 129 131 133 15").split():
        answers[code] = "no"
    for code in ("43", "44", "45"):  # one bathroom only: applies at 5★ only (6 persons)
        answers[code] = "no"
    for code in ("77", "78"):  # a house: no lift to assess
        del answers[code]
    return {
        "title": "S3 — Corps de ferme en rénovation près de Saint-Omer (visite-conseil, objectif 3★)",
        "grid": "MT-2022-V2",
        "category": 3,
        "target": 3,
        "context": {"capacity": 6, "studio": False, "collective_building": False, "floor": 0},
        "answers": answers,
    }


SCENARIOS = {"s1": s1_wimereux_studio, "s3": s3_saint_omer_advisory}
