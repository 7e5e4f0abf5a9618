"""`inspector labels renewals`: labels held by establishments that expire soon, or have expired.

The parser is built at start-up: module-level imports stay light (the database is imported by the command only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from .main import UserError

LABELS = ("accueil_velo", "tourisme_handicap", "chambre_hotes_reference")


def add_parser(sub: argparse._SubParsersAction) -> None:
    labels = sub.add_parser("labels", help="labels des établissements : renouvellements à prévoir")
    lsub = labels.add_subparsers(dest="labels_command", required=True, metavar="{renewals}")
    ren = lsub.add_parser("renewals", help="labels expirant dans les MOIS prochains mois, et labels expirés")
    ren.add_argument("--months", type=int, default=6, metavar="MOIS", help="horizon en mois (défaut : 6)")
    ren.add_argument("--today", metavar="AAAA-MM-JJ", help="date du jour (par défaut : aujourd'hui)")
    ren.add_argument("--label", action="append", choices=LABELS, help="seulement ce label (répétable)")
    ren.add_argument("--no-expired", action="store_true", help="sans les labels déjà expirés")
    ren.add_argument("--json", action="store_true", help="sortie JSON")


def _fmt(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "—"


def _line(r: Any) -> str:
    what = r.title + (f" · {r.typology}" if r.typology else "") + (f" · {', '.join(r.families)}" if r.families
                                                                    else "")
    when = (f"expiré le {_fmt(r.valid_until)} (il y a {-r.days_left} j)" if r.expired
            else f"expire le {_fmt(r.valid_until)} (dans {r.days_left} j)")
    if r.derived:
        when += f" [déduit du début de validité {_fmt(r.valid_from)}]"
    owner = f" ({r.owner})" if r.owner else ""
    planned = ""
    if r.renewal_visit_id:
        planned = f" · visite de renouvellement {r.renewal_visit_id[:8]} prévue le {_fmt(r.renewal_planned_on)}"
    return f"  {when}  {what} — {r.establishment}, {r.commune}{owner}{planned}"


def cmd_renewals(args: argparse.Namespace) -> int:
    from ..services.label_renewals import label_renewals
    from .db_cmd import open_db
    from .visits_cmd import _today

    if args.months < 0 or args.months > 120:
        raise UserError(f"--months {args.months} : un nombre de mois de 0 à 120 est attendu")
    today = _today(args)
    db = open_db(args)
    try:
        rows = label_renewals(db, today=today, months=args.months, labels=tuple(args.label) if args.label else None,
                              include_expired=not args.no_expired)
    finally:
        db.close()
    if args.json:
        print(json.dumps([{**{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.__dict__.items()},
                           "families": list(r.families), "expired": r.expired} for r in rows],
                         ensure_ascii=False, indent=1))
        return 0
    expired = [r for r in rows if r.expired]
    soon = [r for r in rows if not r.expired]
    print(f"Labels à renouveler au {_fmt(today)} (horizon {args.months} mois) : {len(rows)}")
    if not args.no_expired:
        print(f"Expirés ({len(expired)})")
        for r in expired:
            print(_line(r))
    print(f"Expirant dans les {args.months} mois ({len(soon)})")
    for r in soon:
        print(_line(r))
    return 0


def run(args: argparse.Namespace) -> int:
    return {"renewals": cmd_renewals}[args.labels_command](args)
