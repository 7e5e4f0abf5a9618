"""`inspector report VISIT_ID --kind … --out FILE.pdf [--issue]`: preview or issue a visit document."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ..storage import write_atomic
from .db_cmd import open_db
from .main import UserError
from .visits_cmd import _resolve


def cmd_report(args: argparse.Namespace) -> int:
    from ..services import documents
    from ..services.common import ServiceError

    try:
        day = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        raise UserError(f"date « {args.date} » invalide (format AAAA-MM-JJ)") from None
    if not args.issue and not args.out:
        raise UserError("indiquez --out FICHIER.pdf (aperçu) ou --issue (émission)")
    db = open_db(args)
    try:
        visit_id = _resolve(db, args.visit_id)
        try:
            if args.issue:
                info = documents.issue_document(db, visit_id=visit_id, kind=args.kind, issued_on=day,
                                                reason=args.reason).value
                pdf = info.path.read_bytes()
                print(f"Émis : {documents.KINDS[args.kind]}, révision {info.revision}, {info.path} "
                      f"(sha256 {info.sha256})")
            else:
                pdf = documents.render(db, visit_id, args.kind, issued_on=day, draft=args.draft)
        except ServiceError as exc:
            raise UserError(str(exc)) from None
    finally:
        db.close()
    if args.out:
        try:
            write_atomic(Path(args.out), pdf)
        except OSError as exc:
            raise UserError(f"{args.out} : écriture impossible ({exc.strerror or exc})") from None
        print(f"Écrit : {args.out} ({len(pdf) // 1024} Ko)")
    return 0
