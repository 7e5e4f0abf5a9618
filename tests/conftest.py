"""Shared fixtures: the official meublés grid, example label grids, answer builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.grids.loader import load_grid
from inspector.grids.model import Grid
from inspector.grids.registry import bundled_grids_dir

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def mt() -> Grid:
    return load_grid(bundled_grids_dir() / "MT-2022-V2.json")


@pytest.fixture(scope="session")
def th_grid() -> Grid:
    return load_grid(DATA / "grids" / "TH-EXEMPLE-TEST.json")


@pytest.fixture(scope="session")
def av_grid() -> Grid:
    return load_grid(DATA / "grids" / "AV-EXEMPLE-TEST.json")


def all_yes(grid: Grid, **overrides: Any) -> dict[str, Any]:
    """Every criterion answered yes (criterion 2 at its 5-point maximum), then the overrides."""
    answers: dict[str, Any] = {c.code: (c.points if c.graded else "yes") for c in grid.criteria}
    answers.update({k.lstrip("c"): v for k, v in overrides.items()})
    return answers
