"""`inspector demo-data [--force]`: create the demo database of a fictional agency in the data folder."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from ..paths import backups_dir, data_dir, database_path
from .db_cmd import open_db
from .main import UserError

STATE_LABELS_FR = {
    "planned": "planifiées",
    "in_progress": "en cours",
    "completed": "terminées (certificat à émettre)",
    "submitted": "soumises à la commission",
    "issued": "certificat émis",
    "acquired": "classement acquis",
    "refused": "refusées par le propriétaire",
}


def _establishment_count(db) -> int:
    from ..db.models import Establishment

    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Establishment)) or 0


def _remove_database(path: Path) -> None:
    """Delete the database file and its WAL companions (the engine must be disposed first)."""
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        candidate.unlink(missing_ok=True)


def cmd_demo_data(args: argparse.Namespace) -> int:
    from ..db.database import DatabaseError, backup_file
    from ..demo_data import build_demo_database

    folder = data_dir(args.data_dir)
    path = database_path(folder)
    fresh = not path.exists()
    db = open_db(args)
    backup: Path | None = None
    try:
        existing = _establishment_count(db)
        if existing and not args.force:
            raise UserError(
                f"{path} contient déjà {existing} établissement(s) : rien n'a été modifié. Pour la remplacer par la "
                "base de démonstration, relancez avec --force (une copie de sauvegarde sera faite avant).")
        if existing:
            db.close()
            try:
                backup = backup_file(path, backups_dir(folder), "avant-demo-data")
                _remove_database(path)
            except (OSError, DatabaseError) as exc:
                raise UserError(f"remplacement de {path} impossible ({exc}) ; la base n'a pas été modifiée.") from None
            fresh = True
            db = open_db(args)
        try:
            summary = build_demo_database(db, today=dt.date.today())
        except BaseException:
            if fresh:  # never leave a half-built demo behind: the next run would refuse it
                db.close()
                _remove_database(path)
            raise
    finally:
        db.close()
    states = " · ".join(f"{summary.by_state[state]} {label}" for state, label in STATE_LABELS_FR.items())
    print(f"Base de démonstration créée : {path}")
    print(f"  Organisme : {summary.organisation} — agence fictive, personnes et établissements inventés")
    print(f"  {summary.users} utilisateurs, {summary.owners} propriétaires, {summary.establishments} établissements, "
          f"{summary.visits} visites, {summary.observations} réponses enregistrées")
    print(f"  Visites : {states}")
    print(f"  Dates calculées à partir d'aujourd'hui ({summary.today:%d/%m/%Y}).")
    if backup is not None:
        print(f"  L'ancienne base a été sauvegardée : {backup}")
    return 0
