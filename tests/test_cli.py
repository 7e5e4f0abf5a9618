"""The `inspector` command line, run as a real process: outputs, exit codes, messages, no Qt import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector.demo import s1_wimereux_studio
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60)


def write(tmp_path: Path, doc: Any, name: str = "visit.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def yes_answers() -> dict[str, Any]:
    answers: dict[str, Any] = {str(n): "yes" for n in range(1, 134)}
    answers.update({"PRQ": "yes", "2": 5})
    return answers


def test_grid_list_shows_provenance_and_hash() -> None:
    out = run("grid", "list")
    assert out.returncode == 0, out.stderr
    assert "MT-2022-V2" in out.stdout and "officielle" in out.stdout and "sha256" in out.stdout


def test_grid_show_json_has_the_documented_shape() -> None:
    out = run("grid", "show", "MT-2022-V2", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["id"] == "MT-2022-V2" and len(doc["sha256"]) == 64
    codes = [c["code"] for c in doc["criteria"]]
    assert codes == ["PRQ", *[str(n) for n in range(1, 134)]]
    by_code = {c["code"]: c for c in doc["criteria"]}
    assert by_code["1"]["points"] == 5 and by_code["1"]["status"] == {k: "X" for k in "12345"}
    assert by_code["2"]["points"] == 5
    assert by_code["95"]["status"]["3"] == "X ONC"
    assert by_code["PRQ"]["status"]["1"] == "PRQ"
    statuses = {s for c in doc["criteria"] for s in c["status"].values()}
    assert statuses == {"X", "O", "NA", "X ONC", "PRQ"}
    assert doc["provenance"]["status"] == "official"


def test_grid_show_text_prints_provenance_and_rules() -> None:
    out = run("grid", "show", "MT-2022-V2")
    assert out.returncode == 0
    assert "Provenance : grille officielle" in out.stdout
    assert "si floor <= 0 → NA" in out.stdout
    assert "rounding" in out.stdout


def test_grid_show_unknown_grid_exits_2() -> None:
    out = run("grid", "show", "NOPE-1")
    assert out.returncode == 2
    assert "grille NOPE-1 introuvable" in out.stderr and "Traceback" not in out.stderr


def test_grid_validate_ok_and_broken(tmp_path: Path) -> None:
    ok = run("grid", "validate", "grids/MT-2022-V2.json", str(DATA / "grids" / "TH-EXEMPLE-TEST.json"))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("OK ") == 2
    doc = json.loads((ROOT / "grids" / "MT-2022-V2.json").read_text(encoding="utf-8"))
    doc["criteria"][18]["status"]["3"] = "XX"
    bad = run("grid", "validate", write(tmp_path, doc, "broken.json"))
    assert bad.returncode == 2
    assert "broken.json — critère 18 : statut « XX » inconnu pour le niveau « 3 »" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_score_json_output(tmp_path: Path) -> None:
    answers = yes_answers()
    answers.update({"22": "no", "47": "no"})
    visit = {"grid": "MT-2022-V2", "category": 3,
             "context": {"capacity": 2, "studio": True, "collective_building": False}, "answers": answers}
    out = run("score", write(tmp_path, visit), "--json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["category"] == 3 and res["classable"] is True
    assert res["lines"] == {"a": 178, "b": 169.1, "c": 173, "d": 15, "e": 111, "f": 22.2, "g": 37.2, "h": 111}
    assert res["prerequisite_ok"] and res["onc_ok"]
    assert res["highest_classable_category"] == 5 or res["highest_classable_category"] >= 3
    assert res["failed_criteria"] == ["22", "47"]
    assert any("Conclusion : classable en 3★" in r for r in res["reasons"])


def test_score_s1_demo_visit_from_surfaces(tmp_path: Path) -> None:
    out = run("score", write(tmp_path, s1_wimereux_studio()), "--json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["classable"] is True and res["highest_classable_category"] == 2
    assert {"code": "77", "from": "X", "to": "O"}.items() <= next(
        s for s in res["situational"] if s["code"] == "77").items()
    assert res["categories"]["3"]["classable"] is False


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda v: v["answers"].pop("57"), "critère 57 : réponse manquante"),
        (lambda v: v["answers"].__setitem__("134", "yes"), "critère 134 : inconnu"),
        (lambda v: v["answers"].__setitem__("22", "na"), "critère 22 : « na » refusé"),
        (lambda v: v["answers"].__setitem__("4", "peut-être"), "critère 4 : réponse 'peut-être' invalide"),
        (lambda v: v["context"].pop("capacity"), "« capacity »"),
        (lambda v: v.__setitem__("grid", "MT-1999"), "grille MT-1999 introuvable"),
    ],
)
def test_score_user_errors_exit_2_with_a_named_message(tmp_path: Path, mutate, message: str) -> None:
    visit = {"grid": "MT-2022-V2", "category": 2, "context": {"capacity": 2}, "answers": yes_answers()}
    mutate(visit)
    out = run("score", write(tmp_path, visit))
    assert out.returncode == 2, out.stdout
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_score_partial_is_provisional(tmp_path: Path) -> None:
    visit = {"grid": "MT-2022-V2", "category": 2, "context": {"capacity": 2}, "answers": {"1": "yes"}}
    out = run("score", write(tmp_path, visit), "--json", "--partial")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["provisional"] is True and res["classable"] is False and "57" in res["unanswered"]


def test_score_malformed_json_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"grid": "MT-2022-V2",\n "answers": {', encoding="utf-8")
    out = run("score", str(path))
    assert out.returncode == 2 and "ligne 2" in out.stderr and "JSON invalide" in out.stderr


def test_score_advice_and_settings_from_the_command_line(tmp_path: Path) -> None:
    answers = yes_answers()
    answers.update({"11": "no", "96": "no"})
    visit = {"grid": "MT-2022-V2", "category": 3, "context": {"capacity": 2, "studio": True}, "answers": answers}
    out = run("score", write(tmp_path, visit), "--json", "--target", "4", "--setting", "rounding=ceil")
    res = json.loads(out.stdout)
    assert res["compared"]["rounding"] == "ceil"
    assert res["advice"]["target"] == 4 and res["advice"]["lines"][0] == "Pour atteindre 4★ :"
    assert "96 « Les sols murs et plafonds sont propres et en bon état » (5 pts) (non compensable)" in \
        res["advice"]["lines"][1]
    bad = run("score", write(tmp_path, visit), "--setting", "roundng=ceil")
    assert bad.returncode == 2 and "réglage « roundng » inconnu" in bad.stderr


def test_score_a_label_visit(tmp_path: Path) -> None:
    env = {**__import__("os").environ, "INSPECTOR_GRIDS_DIR": str(DATA / "grids")}
    visit = {"grid": "AV-EXEMPLE-TEST", "typology": "hebergement",
             "context": {"distance_to_route_km": 7, "typology": "hebergement", "classified_or_labelled": True},
             "answers": {"AV1": "yes", "AV2": "yes", "AV3": "yes", "AV4": "yes", "AV5": "no"}}
    out = run("score", write(tmp_path, visit), "--json", env=env)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["proposed"] is False and res["prerequisites_ok"] is False
    assert res["reasons"][0] == "Prérequis non rempli : Situé à moins de 5 km d'un itinéraire cyclable."


def test_demo_writes_inputs_and_results(tmp_path: Path) -> None:
    out = run("demo", "--out", str(tmp_path / "demo"))
    assert out.returncode == 0, out.stderr
    res = json.loads((tmp_path / "demo" / "s1-result.json").read_text(encoding="utf-8"))
    assert res["classable"] is True and res["category"] == 2
    assert "Conclusion : classable en 2★." in (tmp_path / "demo" / "s1-result.txt").read_text(encoding="utf-8")
    assert (tmp_path / "demo" / "s3-result.json").exists()
    pdf = tmp_path / "demo" / "certificat-demo.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    assert (tmp_path / "demo" / "data" / "inspector.sqlite").exists()
    assert f"Base de démonstration créée : {tmp_path / 'demo' / 'data' / 'inspector.sqlite'}" in out.stdout
    assert f"Certificat de démonstration : {pdf}" in out.stdout
    again = run("demo", "--out", str(tmp_path / "demo"))  # the demo database is reused, the PDF rewritten
    assert again.returncode == 0, again.stderr
    assert "Base de démonstration réutilisée" in again.stdout and pdf.read_bytes().startswith(b"%PDF")


def test_the_cli_never_imports_qt(tmp_path: Path) -> None:
    code = ("import sys; from inspector.cli.main import main; import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['demo', '--out', {str(tmp_path)!r}])\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui'))]\n"
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
