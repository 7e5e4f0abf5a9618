"""Grid workbooks: import, export, byte-identical round trips, located errors, never-overwritten versions, CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from inspector.cli.main import main
from inspector.grids import registry
from inspector.grids.expressions import ExpressionError, format_condition, parse_condition
from inspector.grids.loader import load_grid, parse_grid
from inspector.grids.registry import bundled_grids_dir
from inspector.grids.spreadsheet import (
    ExportError,
    InstallRefused,
    SpreadsheetError,
    export_grid,
    grid_bytes,
    import_workbook,
    install_grid,
)
from inspector.scoring.labels import score_label
from tests.conftest import DATA
from tests.grid_workbooks import broken_sheets, example_sheets, example_workbook, write_workbook


@pytest.fixture(autouse=True)
def isolated_search_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the bundled grids, plus what a test adds: no user folder, no other test's data folder."""
    monkeypatch.setattr(registry, "_DATA_DIRS", [])
    monkeypatch.delenv(registry.GRIDS_ENV, raising=False)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----- import and round trips -------------------------------------------------------------------------------------


def test_example_workbook_becomes_a_valid_grid(tmp_path: Path) -> None:
    doc = import_workbook(example_workbook(tmp_path / "th.xlsx"))
    grid = parse_grid(grid_bytes(doc), "th")
    assert (grid.id, grid.version, grid.kind, grid.level_kind) == ("TH-CLASSEUR-TEST", "2026-1", "tourisme_handicap",
                                                                   "family")
    assert grid.provenance.status == "example" and grid.provenance.applicable_from == "2026-01-01"
    assert [c.code for c in grid.criteria] == [f"T{n}" for n in range(1, 9)]  # blank row skipped
    t2 = grid.criterion("T2")
    assert dict(t2.status) == {"auditif": "NA", "mental": "CU", "moteur": "X", "visuel": "CU"}  # « cu », « x »
    assert grid.criterion("T8").typologies == ("hebergement_erp", "hebergement_non_erp")
    assert grid.criterion("T6").nc_allowed is False and grid.criterion("T1").help == "Largeur 3,30 m"
    assert dict(grid.settings) == {"confort_threshold": "0.75", "min_families": 2, "empty_confort_passes": True}
    assert grid.prerequisites[1].condition == {"any": [
        {"key": "filiere", "op": "==", "value": "restauration"},
        {"all": [{"key": "rooms", "op": ">=", "value": 1},
                 {"not": {"key": "filiere", "op": "==", "value": "restauration"}}]}]}
    rule = grid.criterion("T8").applicability[0]
    assert (rule.when, rule.effect, rule.levels, rule.only_if_status) == (
        {"key": "rooms", "op": "<", "value": 1}, "NA", ("moteur",), ("X",))
    answers = {c.code: "yes" for c in grid.criteria}
    result = score_label(grid, context={"sworn_statement": True, "rooms": 3, "filiere": "hebergement_erp"},
                         answers=answers, typology="hebergement_erp")
    assert result.proposed


@pytest.mark.parametrize("target", ["again.xlsx", "csv/criteres.csv", "csv-folder"])
def test_import_export_import_is_byte_identical(tmp_path: Path, target: str) -> None:
    first = grid_bytes(import_workbook(example_workbook(tmp_path / "th.xlsx")))
    written = export_grid(json.loads(first), tmp_path / target)
    second = grid_bytes(import_workbook(written))
    assert second == first and sha(second) == sha(first)
    written_again = export_grid(json.loads(second), tmp_path / f"2-{target}")
    assert sha(grid_bytes(import_workbook(written_again))) == sha(first)


def test_csv_folder_can_be_given_by_any_of_its_files(tmp_path: Path) -> None:
    doc = import_workbook(example_workbook(tmp_path / "th.xlsx"))
    folder = export_grid(doc, tmp_path / "csv")
    assert sorted(p.name for p in folder.iterdir())[:3] == ["chapitres.csv", "contexte.csv", "criteres.csv"]
    assert (folder / "criteres.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    assert import_workbook(folder / "niveaux.csv") == doc == import_workbook(folder)


@pytest.mark.parametrize("path", [DATA / "grids" / "TH-EXEMPLE-TEST.json", DATA / "grids" / "AV-EXEMPLE-TEST.json",
                                  bundled_grids_dir() / "MT-2022-V2.json"])
def test_existing_grids_export_to_the_same_grid(tmp_path: Path, path: Path) -> None:
    original = json.loads(path.read_bytes())
    doc = import_workbook(export_grid(load_grid(path), tmp_path / "grid.xlsx"))
    assert parse_grid(grid_bytes(doc), "again").criteria == load_grid(path).criteria
    assert {k: v for k, v in doc.items() if k != "criteria"} == {k: v for k, v in original.items() if k != "criteria"}


def test_export_refuses_what_the_workbook_cannot_hold(tmp_path: Path) -> None:
    doc = json.loads((DATA / "grids" / "AV-EXEMPLE-TEST.json").read_bytes())
    doc["criteria"][0]["translations"] = {"en": {"text": "Bike shelter"}}
    with pytest.raises(ExportError, match="translations"):
        export_grid(doc, tmp_path / "av.xlsx")
    with pytest.raises(ExportError, match="dossier"):
        export_grid(json.loads((DATA / "grids" / "AV-EXEMPLE-TEST.json").read_bytes()), tmp_path / "grille.csv")
    assert not list(tmp_path.iterdir())


# ----- errors ------------------------------------------------------------------------------------------------------


def test_every_error_is_located_and_nothing_is_written(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "broken.xlsx", broken_sheets())
    with pytest.raises(SpreadsheetError) as info:
        import_workbook(path)
    found = [str(p) for p in info.value.problems]
    expected = [
        "feuille « Critères », ligne 3, colonne H (statut_moteur) : statut « Y » inconnu",
        "feuille « Critères », ligne 4, colonne D (Libellé) : libellé vide",
        "feuille « Critères », ligne 5, colonne A (code) : code « T1 » en double (déjà ligne 2)",
        "feuille « Critères », ligne 6, colonne C (section) : section « 9.9 » inconnue",
        "feuille « parametres », ligne 14, colonne B (valeur) : « 1,5 » : seuil entre 0 (exclu) et 1",
        "feuille « prerequis », ligne 2, colonne C (condition) : condition « sworn_statement == » illisible",
    ]
    assert len(found) == len(expected), found
    for text, problem in zip(expected, found, strict=True):
        assert problem.startswith(text), (problem, text)
    assert all(p.row and p.column for p in info.value.problems)
    assert "6 erreur(s), aucune grille n'a été enregistrée" in str(info.value)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "grid", "import", str(path)]) == 2
    assert not (data / "grids").exists() or not list((data / "grids").iterdir())


def test_condition_and_context_mistakes(tmp_path: Path) -> None:
    sheets = example_sheets()
    sheets["prerequis"][1][2] = "sworn == oui"  # undeclared key
    sheets["prerequis"][2][2] = "rooms == oui"  # a number compared to yes/no
    sheets["regles"][1][2] = "peut-être"  # unknown effect
    sheets["contexte"][3][1] = "liste"  # unknown context type
    sheets["parametres"][12][0] = "type_de_niveau"  # unknown key
    sheets["Critères"][1][1] = "2"  # the section 1.1 belongs to chapter 1
    with pytest.raises(SpreadsheetError) as info:
        import_workbook(write_workbook(tmp_path / "w.xlsx", sheets))
    text = "\n".join(str(p) for p in info.value.problems)
    assert "ligne 2, colonne B (chapitre) : la section « 1.1 » appartient au chapitre « 1 », pas « 2 »" in text
    assert "ligne 13, colonne A (cle) : clé « type_de_niveau » inconnue" in text
    assert "feuille « contexte », ligne 4, colonne B (type) : « liste » inconnu" in text
    assert "clé « sworn » non déclarée dans la feuille contexte" in text
    assert "« rooms » est un nombre" in text
    assert "feuille « regles », ligne 2, colonne C (effet) : effet « PEUT-ÊTRE » inconnu (NA ou O)" in text


def test_missing_sheets_columns_and_settings_are_reported_together(tmp_path: Path) -> None:
    sheets = example_sheets()
    del sheets["niveaux"]
    sheets["Critères"][0][3] = "intitulé"  # unknown column instead of libelle
    sheets["parametres"] = [row for row in sheets["parametres"] if row[0] not in ("min_families", "titre")]
    sheets["Excel auto"] = [["x"]]
    with pytest.raises(SpreadsheetError) as info:
        import_workbook(write_workbook(tmp_path / "w.xlsx", sheets))
    assert [str(p) for p in info.value.problems] == [
        "feuille « Excel auto » : feuille inconnue (feuilles reconnues : criteres, parametres, niveaux, chapitres, "
        "sections, typologies, contexte, prerequis, regles, valeurs, statuts ; commencez son nom par # pour qu'elle "
        "soit ignorée)"]
    del sheets["Excel auto"]
    with pytest.raises(SpreadsheetError) as info:
        import_workbook(write_workbook(tmp_path / "w.xlsx", sheets))
    text = "\n".join(str(p) for p in info.value.problems)
    assert "feuille « niveaux » absente" in text
    assert "ligne 1, colonne D (intitulé) : colonne « intitulé » inconnue" in text
    assert "colonne « libelle » absente" in text
    assert "ligne « titre » absente" in text
    assert "réglage « min_families » absent" in text


def test_excel_dates_in_codes_and_single_csv_files_are_explained(tmp_path: Path) -> None:
    import datetime as dt

    sheets = example_sheets()
    sheets["sections"][1][0] = dt.datetime(2026, 1, 1)  # « 1.1 » turned into 1 January by Excel
    with pytest.raises(SpreadsheetError, match="Excel a transformé ce code en date"):
        import_workbook(write_workbook(tmp_path / "w.xlsx", sheets))
    single = tmp_path / "grille.csv"
    single.write_text("code;libelle\nT1;Porte\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError, match="placez criteres.csv, parametres.csv"):
        import_workbook(single)
    with pytest.raises(SpreadsheetError, match="fichier introuvable"):
        import_workbook(tmp_path / "absent.xlsx")


# ----- conditions ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("itinerary_distance_km <= 5", {"key": "itinerary_distance_km", "op": "<=", "value": 5}),
    ("distance_km ≤ 2,5", {"key": "distance_km", "op": "<=", "value": 2.5}),
    ("classe = oui", {"key": "classe", "op": "==", "value": True}),
    ("typology dans (hebergement, loueur)", {"key": "typology", "op": "in", "value": ["hebergement", "loueur"]}),
    ("a == 1 ou b == 2 et c == 3", {"any": [{"key": "a", "op": "==", "value": 1},
                                            {"all": [{"key": "b", "op": "==", "value": 2},
                                                     {"key": "c", "op": "==", "value": 3}]}]}),
    ('non (nom == "Le Chêne" et a != non)', {"not": {"all": [{"key": "nom", "op": "==", "value": "Le Chêne"},
                                                            {"key": "a", "op": "!=", "value": False}]}}),
])
def test_conditions_read_and_write_back(text: str, expected: dict) -> None:
    assert parse_condition(text) == expected
    assert parse_condition(format_condition(expected)) == expected


@pytest.mark.parametrize("text", ["", "a ==", "a 5", "== 3", "a == 1 b == 2", "(a == 1", "a dans 3", "et == 1"])
def test_bad_conditions_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_condition(text)


# ----- installing ---------------------------------------------------------------------------------------------------


def test_install_writes_once_and_never_overwrites(tmp_path: Path) -> None:
    doc = import_workbook(example_workbook(tmp_path / "th.xlsx"))
    folder = tmp_path / "data" / "grids"
    first = install_grid(doc, folder)
    assert first.written and first.path == folder / "TH-CLASSEUR-TEST@2026-1.json"
    assert first.path.read_bytes() == grid_bytes(doc) and load_grid(first.path).sha256 == first.sha256
    again = install_grid(doc, folder)
    assert again.already and not again.written and again.path == first.path
    changed = json.loads(json.dumps(doc))
    changed["criteria"][0]["text"] = "Place de stationnement adaptée (corrigée)"
    with pytest.raises(InstallRefused, match="existe déjà .* jamais remplacée"):
        install_grid(changed, folder)
    assert first.path.read_bytes() == grid_bytes(doc)
    changed["version"] = "2026-2"
    assert install_grid(changed, folder).path.name == "TH-CLASSEUR-TEST@2026-2.json"


def test_a_bundled_version_is_never_shadowed(tmp_path: Path) -> None:
    bundled = json.loads((bundled_grids_dir() / "MT-2022-V2.json").read_bytes())
    folder = tmp_path / "grids"
    same = install_grid(import_workbook(export_grid(bundled, tmp_path / "mt.xlsx")), folder)
    assert same.already and same.path == bundled_grids_dir() / "MT-2022-V2.json"
    bundled["title"] = "Autre titre"
    with pytest.raises(InstallRefused, match="MT-2022-V2 version 2022-v2 existe déjà"):
        install_grid(bundled, folder)
    assert not folder.exists() or not list(folder.iterdir())


# ----- command line -------------------------------------------------------------------------------------------------


def test_cli_import_dry_run_then_install_then_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = example_workbook(tmp_path / "th.xlsx")
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "grid", "import", str(book), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Simulation (--dry-run)" in out and "NE PAS PRÉSENTER COMME OFFICIELLE" in out
    assert not (data / "grids").exists()
    assert main(["--data-dir", str(data), "grid", "import", str(book)]) == 0
    out = capsys.readouterr().out
    installed = data / "grids" / "TH-CLASSEUR-TEST@2026-1.json"
    assert f"Installée : {installed}" in out and installed.is_file()
    assert main(["--data-dir", str(data), "grid", "import", str(book)]) == 0
    assert "Déjà installée, identique" in capsys.readouterr().out
    assert main(["--data-dir", str(data), "grid", "list"]) == 0
    assert "TH-CLASSEUR-TEST\tversion 2026-1" in capsys.readouterr().out
    out_book = tmp_path / "export" / "th.xlsx"
    assert main(["--data-dir", str(data), "grid", "export", "TH-CLASSEUR-TEST", "--out", str(out_book)]) == 0
    assert "exportée" in capsys.readouterr().out
    assert grid_bytes(import_workbook(out_book)) == installed.read_bytes()
    assert main(["--data-dir", str(data), "grid", "export", "MT-2022-V2", "--version", "2022-v2", "--out",
                 str(tmp_path / "mt-csv")]) == 0
    assert (tmp_path / "mt-csv" / "criteres.csv").is_file()


def test_cli_user_errors_exit_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    broken = write_workbook(tmp_path / "broken.xlsx", broken_sheets())
    assert main(["--data-dir", str(data), "grid", "import", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "6 erreur(s)" in err and "feuille « Critères », ligne 3, colonne H (statut_moteur)" in err
    assert "Traceback" not in err
    book = example_workbook(tmp_path / "th.xlsx")
    assert main(["--data-dir", str(data), "grid", "import", str(book)]) == 0
    sheets = example_sheets()
    sheets["Critères"][1][3] = "Autre libellé"
    changed = write_workbook(tmp_path / "changed.xlsx", sheets)
    assert main(["--data-dir", str(data), "grid", "import", str(changed)]) == 2
    err = capsys.readouterr().err
    assert "existe déjà" in err and "Traceback" not in err
    for argv, message in ((["grid", "export", "NOPE", "--out", str(tmp_path / "x.xlsx")], "introuvable"),
                          (["grid", "export", "MT-2022-V2", "--out", str(tmp_path / "x.ods")], "extension"),
                          (["grid", "import", str(tmp_path / "absent.xlsx")], "fichier introuvable")):
        assert main(["--data-dir", str(data), *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
