"""Shared fixtures: the official meublés grid, example label grids, answer builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.db.database import Database, open_database
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


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A new, empty laptop database in a data folder (modules may override it)."""
    database = open_database(tmp_path / "data" / "inspector.sqlite")
    yield database
    database.close()


@pytest.fixture
def visit_id(db: Database) -> str:
    """A planned 2★ classement of a small studio in Wimereux."""
    from inspector.db.models import Establishment
    from inspector.services import visits

    with db.session() as s:
        est = Establishment(kind="meuble", name="Studio", commune="Wimereux", capacity=2)
        s.add(est)
        s.commit()
        est_id = est.id
    return visits.create_visit(db, establishment_id=est_id, kind="classement", requested_category=2).value


def all_yes(grid: Grid, **overrides: Any) -> dict[str, Any]:
    """Every criterion answered yes (criterion 2 at its 5-point maximum), then the overrides."""
    answers: dict[str, Any] = {c.code: (c.points if c.graded else "yes") for c in grid.criteria}
    answers.update({k.lstrip("c"): v for k, v in overrides.items()})
    return answers
