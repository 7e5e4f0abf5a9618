"""Invalid grid files are refused with messages naming the file, the criterion and the problem."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from inspector.grids.loader import load_grid, parse_grid
from inspector.grids.registry import bundled_grids_dir, load_catalogue
from inspector.grids.validate import GridError

MT_PATH = bundled_grids_dir() / "MT-2022-V2.json"


@pytest.fixture(scope="module")
def mt_doc() -> dict[str, Any]:
    return json.loads(MT_PATH.read_text(encoding="utf-8"))


def crit(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in doc["criteria"] if c["code"] == code)


def problems_of(doc: Any, name: str = "grille.json") -> list[str]:
    with pytest.raises(GridError) as info:
        parse_grid(json.dumps(doc).encode(), name)
    return [str(p) for p in info.value.problems]


def test_the_official_grid_is_valid() -> None:
    grid = load_grid(MT_PATH)
    assert grid.id == "MT-2022-V2" and len(grid.sha256) == 64


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown status", lambda d: crit(d, "17")["status"].__setitem__("3", "Y"),
     "critère 17 : statut « Y » inconnu pour le niveau « 3 »"),
    ("status contradicts column", lambda d: crit(d, "3")["status"].__setitem__("2", "O"),
     "critère 3 : statut « O » au niveau « 2 » contredit la colonne de statut « X »"),
    ("missing level", lambda d: crit(d, "8")["status"].pop("5"), "critère 8 : statut absent pour le niveau « 5 »"),
    ("duplicate code", lambda d: d["criteria"].append(copy.deepcopy(crit(d, "12"))), "critère 12 : code en double"),
    ("unknown section", lambda d: crit(d, "40").__setitem__("section", "9.9"), "critère 40 : section « 9.9 » inconnue"),
    ("negative points", lambda d: crit(d, "41").__setitem__("points", -2), "critère 41 : points négatifs (-2)"),
    ("points as text", lambda d: crit(d, "42").__setitem__("points", "2"),
     "critère 42 : « points » doit être de type entier, pas texte"),
    ("empty wording", lambda d: crit(d, "50").__setitem__("text", "  "), "critère 50 : libellé vide"),
    ("undeclared context key", lambda d: crit(d, "27")["applicability"][0]["when"].__setitem__("key", "is_studio"),
     "critère 27, règle d'applicabilité n° 1 : clé de contexte « is_studio » non déclarée"),
    ("bad operator", lambda d: crit(d, "18")["applicability"][0]["when"].__setitem__("op", "=<"),
     "critère 18, règle d'applicabilité n° 1 : opérateur inconnu '=<'"),
    ("bad effect", lambda d: crit(d, "26")["applicability"][0].__setitem__("effect", "X"),
     "critère 26, règle d'applicabilité n° 1 : effet « X » inconnu"),
    ("unknown field", lambda d: crit(d, "60").__setitem__("pionts", 2), "critère 60 : champ inconnu « pionts »"),
    ("bad provenance", lambda d: d["provenance"].__setitem__("status", "officiel"),
     "provenance : statut « officiel » inconnu"),
    ("bad date", lambda d: d["provenance"].__setitem__("applicable_from", "01/02/2022"),
     "provenance : date d'application « 01/02/2022 » invalide"),
    ("missing setting", lambda d: d["settings"].pop("quota"), "settings : réglage « quota » absent"),
    ("dangling cumulates_with", lambda d: crit(d, "124").__setitem__("cumulates_with", "999"),
     "critère 124 : « cumulates_with » renvoie à un critère inconnu « 999 »"),
    ("wrong format", lambda d: d.__setitem__("format", "inspector-grid/9"), "document : format « inspector-grid/9 »"),
]


@pytest.mark.parametrize(("label", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_problem_is_named(mt_doc: dict[str, Any], label: str, mutate: Callable, expected: str) -> None:
    doc = copy.deepcopy(mt_doc)
    mutate(doc)
    problems = problems_of(doc, "grids/cassée.json")
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("grids/cassée.json — ") for p in problems)


def test_all_problems_are_reported_at_once(mt_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(mt_doc)
    crit(doc, "17")["status"]["3"] = "Y"
    crit(doc, "40")["section"] = "9.9"
    assert len(problems_of(doc)) == 2


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n "id": "X",\n "criteria": [,]\n}', encoding="utf-8")
    with pytest.raises(GridError) as info:
        load_grid(bad)
    assert "ligne 3, colonne" in str(info.value) and "JSON invalide" in str(info.value)
    assert str(bad) in str(info.value)


def test_not_utf8_and_missing_file(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.json"
    latin.write_bytes('{"title": "Aménagement"}'.encode("latin-1"))
    with pytest.raises(GridError, match="UTF-8"):
        load_grid(latin)
    with pytest.raises(GridError, match="fichier introuvable"):
        load_grid(tmp_path / "absent.json")


def test_not_an_object() -> None:
    assert any("doit contenir un objet JSON" in p for p in problems_of([1, 2]))


def test_a_broken_grid_does_not_hide_the_others(tmp_path: Path, mt_doc: dict[str, Any]) -> None:
    (tmp_path / "MT-2022-V2.json").write_bytes(MT_PATH.read_bytes())
    (tmp_path / "ZZ-BROKEN.json").write_text("{", encoding="utf-8")
    cat = load_catalogue([tmp_path])
    assert [g.id for g in cat.grids] == ["MT-2022-V2"]
    assert len(cat.errors) == 1 and "ZZ-BROKEN.json" in str(cat.errors[0])


def test_hash_identifies_the_content(tmp_path: Path) -> None:
    copy_path = tmp_path / "copy.json"
    copy_path.write_bytes(MT_PATH.read_bytes())
    same = load_grid(copy_path)
    copy_path.write_bytes(MT_PATH.read_bytes().replace("sytématiquement".encode(), "systématiquement".encode()))
    changed = load_grid(copy_path)
    assert same.sha256 == load_grid(MT_PATH).sha256
    assert changed.sha256 != same.sha256


def test_json_schema_accepts_every_grid_and_rejects_a_bad_one(mt_doc: dict[str, Any]) -> None:
    """The published JSON Schema (for editors and other tools) agrees with the validator."""
    schema = json.loads((bundled_grids_dir() / "schema" / "grid.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    paths = [MT_PATH, *sorted((Path(__file__).parent / "data" / "grids").glob("*.json"))]
    for path in paths:
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, (path, errors[:1])
    doc = copy.deepcopy(mt_doc)
    crit(doc, "17")["status"]["3"] = "Y"
    assert list(validator.iter_errors(doc))


def test_grid_versions_received_by_sync_are_found_and_the_newest_wins(tmp_path: Path, monkeypatch) -> None:
    """A new version saved in the data folder's grids/ is found; a visit pinned to the old one still finds it."""
    from inspector.grids import registry

    doc = json.loads(MT_PATH.read_text(encoding="utf-8"))
    doc["version"] = "2027-v1"
    received = tmp_path / "grids"
    received.mkdir()
    (received / "MT-2022-V2-2027-v1.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(registry, "_DATA_DIRS", [])
    old = registry.find_grid("MT-2022-V2")
    registry.add_grid_dir(received)
    assert registry.find_grid("MT-2022-V2").version == "2027-v1"
    assert registry.find_grid("MT-2022-V2", old.version, old.sha256).sha256 == old.sha256
