"""Where grid files live and how a grid is found by id (and version, and hash when a visit pins it)."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

from .loader import load_grid
from .model import Grid
from .validate import GridError

GRIDS_ENV = "INSPECTOR_GRIDS_DIR"


def bundled_grids_dir() -> Path:
    """The grids shipped with the application (top-level `grids/` of the project)."""
    return Path(__file__).resolve().parents[2] / "grids"


_DATA_DIRS: list[Path] = []


def add_grid_dir(path: Path) -> None:
    """Also look in `path` (the data folder's `grids/`, where grid versions received by sync are saved)."""
    path = Path(path)
    if path not in _DATA_DIRS:
        _DATA_DIRS.append(path)


def grid_dirs() -> list[Path]:
    """Search path: INSPECTOR_GRIDS_DIR entries (os.pathsep separated), the data folders' grids, the bundled grids."""
    dirs = [Path(p) for p in os.environ.get(GRIDS_ENV, "").split(os.pathsep) if p]
    dirs += _DATA_DIRS
    dirs.append(bundled_grids_dir())
    return dirs


class GridNotFound(LookupError):
    """No grid file matches the requested id/version/hash."""


@dataclass
class Catalogue:
    """All grid files found on the search path, loaded and validated once."""

    grids: list[Grid]
    errors: list[GridError]

    def find(self, grid_id: str, version: str | None = None, sha256: str | None = None) -> Grid:
        matches = [g for g in self.grids if g.id == grid_id and (version is None or g.version == version)]
        if sha256 is not None:
            matches = [g for g in matches if g.sha256 == sha256]
        if not matches:
            known = ", ".join(sorted({g.id for g in self.grids})) or "aucune"
            wanted = grid_id + (f" version {version}" if version else "") + (f" (empreinte {sha256[:12]}…)"
                                                                              if sha256 else "")
            raise GridNotFound(f"grille {wanted} introuvable (grilles disponibles : {known})")
        if version is None and sha256 is None:  # the version in force today, if one has started
            today = _dt.date.today().isoformat()
            started = [g for g in matches if not g.provenance.applicable_from or g.provenance.applicable_from <= today]
            matches = started or matches
        return sorted(matches, key=lambda g: (g.provenance.applicable_from or "", g.version))[-1]


STATUS_RANK = {"official": 2, "partial": 1, "example": 0}


def default_grid(kind: str, today: _dt.date | None = None) -> Grid:
    """The grid a new visit of this kind uses by default: in force today, official before partial before example.

    The user may always pick another one; the choice is shown with the grid's provenance.
    """
    day = (today or _dt.date.today()).isoformat()
    cat = load_catalogue()
    candidates = [g for g in cat.grids if g.kind == kind]
    started = [g for g in candidates if not g.provenance.applicable_from or g.provenance.applicable_from <= day]
    pool = started or candidates
    if not pool:
        raise GridNotFound(f"aucune grille de type « {kind} » installée (importez la grille officielle)")
    return max(pool, key=lambda g: (STATUS_RANK.get(g.provenance.status, -1), g.provenance.applicable_from or "",
                                    g.version))


def grid_files(dirs: list[Path] | None = None) -> list[Path]:
    files: list[Path] = []
    for d in dirs if dirs is not None else grid_dirs():
        if d.is_dir():
            files += sorted(p for p in d.glob("*.json") if p.is_file())
    return files


def load_catalogue(dirs: list[Path] | None = None) -> Catalogue:
    """Load every grid on the search path; invalid files are reported, never fatal for the others."""
    grids: list[Grid] = []
    errors: list[GridError] = []
    for path in grid_files(dirs):
        try:
            grids.append(load_grid(path))
        except GridError as exc:
            errors.append(exc)
    return Catalogue(grids, errors)


def find_grid(grid_id: str, version: str | None = None, sha256: str | None = None) -> Grid:
    """Find one grid by id on the search path (loads only files whose name could match first).

    Without a version, the newest version found anywhere on the path is returned.
    """
    if version is not None or sha256 is not None:
        for d in grid_dirs():
            candidate = d / f"{grid_id}.json"
            if candidate.is_file():
                grid = load_grid(candidate)
                if grid.id == grid_id and (version is None or grid.version == version) and (
                        sha256 is None or grid.sha256 == sha256):
                    return grid
    return load_catalogue().find(grid_id, version, sha256)
