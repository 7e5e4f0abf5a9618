"""`inspector establishments import`: load establishments and owners from a CSV or XLSX file, all or nothing."""

from __future__ import annotations

import argparse
import sys

from ..paths import data_dir, database_path
from ..services.common import ServiceError
from ..services.establishments_import import ImportReport, import_establishments, read_import_file
from .db_cmd import open_db
from .main import UserError

MAX_SHOWN = 50
_ACTIONS_FR = {"create": "création", "update": "mise à jour", "unchanged": "inchangé"}


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings[:MAX_SHOWN]:
        print(f"attention : {warning}", file=sys.stderr)
    if len(warnings) > MAX_SHOWN:
        print(f"attention : … et {len(warnings) - MAX_SHOWN} autre(s) avertissement(s)", file=sys.stderr)


def _refuse(file: str, errors: list[str]) -> UserError:
    lines = [f"{file} : {len(errors)} erreur(s), rien n'a été enregistré :"]
    lines += [f"  {e}" for e in errors[:MAX_SHOWN]]
    if len(errors) > MAX_SHOWN:
        lines.append(f"  … et {len(errors) - MAX_SHOWN} autre(s) erreur(s) (corrigez les premières et relancez)")
    return UserError("\n".join(lines))


def _summary(report: ImportReport) -> list[str]:
    verb = ("à créer", "à mettre à jour") if report.dry_run else ("créé(s)", "mis à jour")
    owners = ("à créer", "à compléter") if report.dry_run else ("créé(s)", "complété(s)")
    return [
        f"{report.rows} ligne(s) lue(s) dans {report.file}.",
        f"Établissements : {report.created} {verb[0]}, {report.updated} {verb[1]}, {report.unchanged} inchangé(s).",
        f"Propriétaires : {report.owners_created} {owners[0]}, {report.owners_updated} {owners[1]}.",
    ]


def cmd_import(args: argparse.Namespace) -> int:
    try:
        parsed = read_import_file(args.file)
    except ServiceError as exc:
        raise UserError(str(exc)) from None
    _print_warnings(parsed.warnings)
    if parsed.errors:  # the file is wrong: refused before the database is even opened
        raise _refuse(args.file, parsed.errors)
    no_database = not database_path(data_dir(args.data_dir)).exists()
    try:
        if args.dry_run and no_database:  # nothing to compare with: do not create a database for a simulation
            result = import_establishments(None, parsed, dry_run=True)
        else:
            db = open_db(args)
            try:
                result = import_establishments(db, parsed, dry_run=args.dry_run)
            finally:
                db.close()
    except ServiceError as exc:
        raise UserError(str(exc)) from None
    report = result.value
    _print_warnings(report.warnings[len(parsed.warnings):])
    if report.errors:
        raise _refuse(args.file, report.errors)
    if args.dry_run:
        print("Simulation (--dry-run) : rien n'a été enregistré.")
        for action in report.actions:
            changes = f" ({', '.join(action.changes)})" if action.changes else ""
            print(f"  ligne {action.line} : {_ACTIONS_FR[action.action]}{changes} — {action.name} ({action.kind}), "
                  f"{action.commune} — propriétaire {action.owner_name}")
    print("\n".join(_summary(report)))
    return 0
