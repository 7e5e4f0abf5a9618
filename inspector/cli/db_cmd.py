"""`inspector backup` and `inspector db check`: the database file, copied safely and checked."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..db.database import DatabaseError, backup_file, check_database, read_revision
from ..paths import backups_dir, data_dir, database_path
from .main import UserError


def open_db(args: argparse.Namespace):
    """Open (creating or upgrading) the database of the chosen data folder; user errors exit 2."""
    from ..db.database import open_database
    from ..grids.registry import add_grid_dir

    folder = data_dir(args.data_dir)
    add_grid_dir(folder / "grids")  # grid versions received by sync
    try:
        return open_database(database_path(folder), backup_dir=backups_dir(folder))
    except DatabaseError as exc:
        raise UserError(str(exc)) from None


def _existing_db(args: argparse.Namespace) -> Path:
    path = database_path(data_dir(args.data_dir))
    if not path.exists():
        raise UserError(f"aucune base de données dans {path.parent} (créez-la avec « inspector demo-data » ou "
                        "ouvrez l'application)")
    return path


def cmd_backup(args: argparse.Namespace) -> int:
    path = _existing_db(args)
    try:
        read_revision(path)
        dest = backup_file(path, Path(args.to) if args.to else backups_dir(path.parent), "manuelle")
    except DatabaseError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"sauvegarde impossible : {exc.strerror or exc}") from None
    problems = check_database(dest)
    if problems:
        raise UserError(f"la copie {dest} est incorrecte : " + "; ".join(problems))
    print(f"Sauvegarde écrite et vérifiée : {dest}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    path = _existing_db(args)
    try:
        revision = read_revision(path)
        problems = check_database(path)
    except DatabaseError as exc:
        raise UserError(str(exc)) from None
    if problems:
        raise UserError(f"{path} : {len(problems)} problème(s) :\n  " + "\n  ".join(problems))
    print(f"{path} : intègre (schéma {revision}).")
    return 0
