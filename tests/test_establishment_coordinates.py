"""Establishment coordinates (WGS 84): checked on the card (decimal comma accepted) and read from the CSV import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.db.database import Database
from inspector.db.models import Establishment
from inspector.services.establishments import InvalidFields, check_establishment_fields, get_card, save_card
from inspector.services.establishments_import import import_establishments, read_import_file


def new_establishment(db: Database) -> str:
    with db.session() as s:
        est = Establishment(kind="chambre_hotes", name="Les Galets", commune="Wissant")
        s.add(est)
        s.commit()
        return est.id


@pytest.mark.parametrize(("value", "expected"), [
    ("50,8721", 50.8721), ("50.8721", 50.8721), (" 50,8721° ", 50.8721), (50.8721, 50.8721), (-90, -90.0),
    ("", None), (None, None), ("  ", None),
])
def test_latitude_values(value: Any, expected: float | None) -> None:
    clean, problems = check_establishment_fields("chambre_hotes", {"latitude": value})
    assert problems == {} and clean == {"latitude": expected}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("latitude", "90,5", "La latitude doit être comprise entre −90 et 90 degrés (« 90,5 »)."),
    ("longitude", "-180.01", "La longitude doit être comprise entre −180 et 180 degrés (« -180.01 »)."),
    ("latitude", "50°52'", "La latitude attend des degrés décimaux WGS 84, par exemple 50,8721 (« 50°52' »)."),
    ("longitude", "nan", "La longitude attend des degrés décimaux WGS 84 (« nan »)."),
    ("latitude", True, "La latitude attend des degrés décimaux WGS 84 (« True »)."),
    ("longitude", "650000", "La longitude doit être comprise entre −180 et 180 degrés (« 650000 »)."),
])
def test_invalid_coordinates_are_refused_in_french(field: str, value: Any, message: str) -> None:
    _, problems = check_establishment_fields("meuble", {field: value})
    assert problems == {field: message}


def test_card_saves_and_shows_the_coordinates(db: Database) -> None:
    est = new_establishment(db)
    assert (get_card(db, est).latitude, get_card(db, est).longitude) == (None, None)
    res = save_card(db, establishment_id=est, establishment={"latitude": "50,8721", "longitude": "1,6612"})
    assert "establishments" in res.changed
    card = get_card(db, est)
    assert (card.latitude, card.longitude) == (50.8721, 1.6612)
    with pytest.raises(InvalidFields) as exc:
        save_card(db, establishment_id=est, establishment={"latitude": "95"})
    assert set(exc.value.problems) == {"latitude"}
    assert get_card(db, est).latitude == 50.8721
    save_card(db, establishment_id=est, establishment={"latitude": "", "longitude": ""})
    assert (get_card(db, est).latitude, get_card(db, est).longitude) == (None, None)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_import_reads_latitude_and_longitude(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "etablissements.csv", [
        "type;nom;commune;proprietaire_nom;latitude;lon",
        "chambre_hotes;Les Galets;Wissant;Céline Hermant;50,8853;1,6633",
        "restaurant;Le Beffroi;Arras;Karine Leclercq;;",
    ])
    parsed = read_import_file(path)
    assert parsed.errors == [] and parsed.warnings == []
    assert parsed.rows[0].establishment["latitude"] == 50.8853
    assert parsed.rows[0].establishment["longitude"] == 1.6633
    assert import_establishments(db, parsed).value.created == 2
    with db.session() as s:
        coords = {e.name: (e.latitude, e.longitude) for e in s.query(Establishment)}
    assert coords == {"Les Galets": (50.8853, 1.6633), "Le Beffroi": (None, None)}


def test_import_refuses_bad_or_lonely_coordinates(tmp_path: Path) -> None:
    path = write(tmp_path / "etablissements.csv", [
        "type;nom;commune;proprietaire_nom;latitude;longitude",
        "chambre_hotes;A;Wissant;X;50,88;",
        "chambre_hotes;B;Wissant;X;650123;7050456",
        "chambre_hotes;C;Wissant;X;nord;1,6",
    ])
    errors = read_import_file(path).errors
    assert errors == [
        "ligne 2 : latitude et longitude vont ensemble (indiquez les deux, ou aucune)",
        "ligne 3, colonne « latitude » : « 650123 » : latitude hors limites (−90 à 90 degrés)",
        "ligne 3, colonne « longitude » : « 7050456 » : longitude hors limites (−180 à 180 degrés)",
        "ligne 4, colonne « latitude » : « nord » n'est pas une latitude en degrés décimaux (ex. 50,8721)",
    ]
