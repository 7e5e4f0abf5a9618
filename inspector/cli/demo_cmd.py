"""`inspector demo --out DIR`: score the scenario visits and write their input, result and explanation; build (or
reuse) the demo agency database in DIR/data and write the certificat de visite of one of its visits."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from ..storage import write_atomic
from .main import UserError

CERTIFICAT_NAME = "certificat-demo.pdf"


def _write_atomic(path: Path, text: str) -> None:
    """Write a file so that it is either wholly there or not at all."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import SCENARIOS
    from .score_cmd import cmd_score

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out} : impossible de créer le dossier ({exc.strerror or exc})") from None
    for name, make in SCENARIOS.items():
        visit = make()
        visit_path = out / f"{name}-visit.json"
        _write_atomic(visit_path, json.dumps(visit, ensure_ascii=False, indent=1) + "\n")
        for fmt in ("json", "txt"):
            ns = argparse.Namespace(file=str(visit_path), json=fmt == "json", partial=False, setting=[],
                                    target=None, lang="fr")
            import contextlib
            import io

            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                cmd_score(ns)
            _write_atomic(out / f"{name}-result.{fmt}", buf.getvalue())
        print(f"== {visit['title']}")
        print((out / f"{name}-result.txt").read_text(encoding="utf-8"))
    _demo_certificat(out, dt.date.today())
    if getattr(args, "sync", False):
        _demo_sync(out)
    print(f"Fichiers écrits dans {out.resolve()}")
    return 0


def _demo_sync(out: Path) -> None:
    """Sync the demo database to an embedded server on 127.0.0.1 and say what arrived."""
    from ..db.database import open_database
    from ..paths import database_path
    from ..sync.demo_round_trip import demo_round_trip
    from ..sync.errors import SyncError

    db = open_database(database_path(out / "data"))
    try:
        result = demo_round_trip(db, out / "serveur")
    except (SyncError, TimeoutError) as exc:
        raise UserError(f"synchronisation de démonstration impossible : {exc}") from None
    finally:
        db.close()
    print(f"Serveur local {result.server_url} : {result.pushed} ligne(s) envoyée(s) ; le serveur détient "
          f"{result.visits} visite(s), {result.observations} réponse(s) et {result.files} fichier(s) "
          "(photos, PDF).")


def _remove_database(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        candidate.unlink(missing_ok=True)


def _demo_certificat(out: Path, today: dt.date) -> Path:
    """Build (or reuse) the demo agency under OUT/data and write the certificat of an issued visit (else a
    completed one) to OUT/certificat-demo.pdf, laid out by the same code as the app's documents."""
    from ..db.database import DatabaseError, open_database
    from ..demo_data import ensure_demo_database
    from ..paths import backups_dir, database_path
    from ..services import documents, queries
    from ..services.common import ServiceError

    folder = out / "data"
    path = database_path(folder)
    fresh = not path.exists()
    try:
        db = open_database(path, backup_dir=backups_dir(folder))
    except DatabaseError as exc:
        raise UserError(str(exc)) from None
    try:
        try:
            built = ensure_demo_database(db, today=today)
        except BaseException:
            if fresh:  # never leave a half-built demo behind: the next run would reuse it
                db.close()
                _remove_database(path)
            raise
        meuble = ("classement", "renouvellement")
        rows = [r for r in queries.list_visits(db, today=today, states=("issued",)) if r.kind in meuble]
        rows.sort(key=lambda r: (r.issued_on or dt.date.min, r.id), reverse=True)
        if not rows:
            rows = [r for r in queries.list_visits(db, today=today, states=("completed",)) if r.kind in meuble]
        if not rows:
            raise UserError(f"{path} : aucune visite de classement terminée ou émise, pas de certificat à montrer.")
        row = rows[0]
        try:
            pdf = documents.render(db, row.id, "certificat", issued_on=row.issued_on or today)
        except ServiceError as exc:
            raise UserError(f"certificat de démonstration impossible : {exc}") from None
    finally:
        db.close()
    target = out / CERTIFICAT_NAME
    try:
        write_atomic(target, pdf)
    except OSError as exc:
        raise UserError(f"{target} : écriture impossible ({exc.strerror or exc})") from None
    print(f"Base de démonstration {'créée' if built else 'réutilisée'} : {path}")
    print(f"Certificat de démonstration : {target} — {row.establishment} ({row.commune}), visite du "
          f"{row.visited_on:%d/%m/%Y}, {len(pdf) // 1024} Ko")
    return target
