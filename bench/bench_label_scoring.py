"""Benchmark: Tourisme & Handicap per-family scoring on a 300-criterion grid built in memory (target ≤ 2 ms)."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import HEADER, measure, report  # noqa: E402
from inspector.grids.loader import parse_grid  # noqa: E402
from inspector.grids.model import Grid  # noqa: E402
from inspector.scoring.labels import score_label  # noqa: E402

FAMILIES = ("auditif", "mental", "moteur", "visuel")
TYPOLOGIES = ("hebergement_erp", "restauration", "visite")
N_CRITERIA = 300


def build_grid(n: int = N_CRITERIA, seed: int = 7) -> Grid:
    """A synthetic T&H grid: 4 families, statuses mixed X / CU / NA (a few R), a tenth restricted by typology."""
    rng = random.Random(seed)
    criteria = []
    for i in range(1, n + 1):
        status = {f: rng.choices(("X", "CU", "NA", "R"), weights=(2, 5, 4, 1))[0] for f in FAMILIES}
        crit: dict[str, Any] = {"code": f"B{i:03d}", "section": "1.1", "text": f"Critère de test {i}",
                                "status": status, "nc_allowed": i % 7 == 0}
        if i % 10 == 0:
            crit["typologies"] = [TYPOLOGIES[i // 10 % len(TYPOLOGIES)]]
        criteria.append(crit)
    doc = {
        "format": "inspector-grid/1", "id": "TH-BENCH", "version": "bench", "kind": "tourisme_handicap",
        "title": "Tourisme & Handicap — grille de mesure (non officielle)",
        "provenance": {"status": "example", "source_document": "Grille synthétique pour la mesure des temps",
                       "legal_basis": "Arrêté du 18 avril 2024 (règle de décision seulement)",
                       "applicable_from": None},
        "validity_years": 5, "level_kind": "family",
        "levels": [{"code": f, "label": f.capitalize()} for f in FAMILIES],
        "typologies": {t: t for t in TYPOLOGIES},
        "context": [{"key": "sworn_statement", "type": "bool", "label": "Déclaration sur l'honneur",
                     "default": False}],
        "prerequisites": [{"code": "PRQ-DH", "text": "Déclaration sur l'honneur",
                           "condition": {"key": "sworn_statement", "op": "==", "value": True}}],
        "parameters": [],
        "settings": {"confort_threshold": "0.75", "min_families": 2, "empty_confort_passes": True},
        "chapters": [{"code": "1", "title": "Tout"}],
        "sections": [{"code": "1.1", "chapter": "1", "title": "Tout"}],
        "criteria": criteria,
    }
    return parse_grid(json.dumps(doc, ensure_ascii=False).encode(), "TH-BENCH.json")


def build_answers(grid: Grid, seed: int = 11) -> dict[str, Any]:
    """Every criterion answered: mostly one value for all families, a quarter per family (some "no", some "nc").

    "no" falls only on criteria that are obligatoire for no family, except one obligatoire criterion of the moteur
    family: three families pass, moteur fails (both branches of the explanation are exercised).
    """
    rng = random.Random(seed)
    answers: dict[str, Any] = {}
    for c in grid.criteria:
        can_fail = "X" not in c.status.values()
        if rng.random() < 0.25:
            answers[c.code] = {f: ("nc" if c.nc_allowed and rng.random() < 0.3 else
                                   "no" if can_fail and rng.random() < 0.1 else "yes") for f in FAMILIES}
        else:
            answers[c.code] = "no" if can_fail and rng.random() < 0.1 else "yes"
    moteur_x = next(c for c in grid.criteria if c.status["moteur"] == "X" and not c.typologies)
    answers[moteur_x.code] = {f: "no" if f == "moteur" else "yes" for f in FAMILIES}
    return answers


def main() -> None:
    grid = build_grid()
    answers = build_answers(grid)
    context = {"sworn_statement": True}
    result = score_label(grid, context=context, answers=answers, typology="restauration")
    summary = ", ".join(f"{lv} {'ok' if x.passed else 'ko'} (X {x.mandatory_met}/{x.mandatory_total}, "
                        f"CU {x.confort_met}/{x.confort_total})" for lv, x in result.levels.items())
    print(f"{len(grid.criteria)} criteria; restauration: {summary}")

    def all_families() -> None:
        score_label(grid, context=context, answers=answers, typology="restauration")

    def one_family() -> None:
        score_label(grid, context=context, answers=answers, requested=["moteur"], typology="restauration")

    half = {code: value for i, (code, value) in enumerate(answers.items()) if i % 2 == 0}

    def live_half_answered() -> None:  # the visit editor scores an unfinished visit after every answer
        score_label(grid, context=context, answers=half, typology="restauration", partial=True)

    print(HEADER)
    print(report(f"score_label T&H, {N_CRITERIA} criteria, 4 families requested", measure(all_families, runs=500),
                 target_ms=2))
    print(report(f"score_label T&H, {N_CRITERIA} criteria, 1 family requested", measure(one_family, runs=500),
                 target_ms=2))
    print(report(f"score_label T&H, {N_CRITERIA} criteria, half answered (partial, live editor)",
                 measure(live_half_answered, runs=500), target_ms=2))


if __name__ == "__main__":
    main()
