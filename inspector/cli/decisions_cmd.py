"""`inspector decisions refresh | radiate | list`: meublé classements acquired on the 16th day, radiation, the
definitive decisions of a period.

The parser is built at start-up: module-level imports stay light (the database is imported by the command only).
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
from typing import Any

from .main import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    dec = sub.add_parser("decisions", help="décisions de classement des meublés : acquisition au 16e jour, "
                                           "radiation, décisions définitives d'une période")
    dsub = dec.add_subparsers(dest="decisions_command", required=True, metavar="{refresh,radiate,list}")
    ref = dsub.add_parser("refresh", help="acquérir les classements dont le délai de refus de 15 jours est écoulé")
    ref.add_argument("--today", metavar="AAAA-MM-JJ", help="date du jour (par défaut : aujourd'hui)")
    rad = dsub.add_parser("radiate", help="enregistrer la radiation d'un meublé par le préfet (R324-7)")
    rad.add_argument("establishment", metavar="ETABLISSEMENT",
                     help="identifiant de l'établissement (ou son début)")
    rad.add_argument("--date", required=True, metavar="AAAA-MM-JJ", help="date de l'arrêté de radiation")
    rad.add_argument("--reason", required=True, metavar="TEXTE", help="motif (ex. défaut grave d'entretien)")
    rad.add_argument("--reference", default="", metavar="TEXTE", help="référence de l'arrêté préfectoral")
    lst = dsub.add_parser("list", help="décisions de classement devenues définitives sur une période")
    lst.add_argument("--month", metavar="AAAA-MM", help="un mois entier (ex. 2026-10)")
    lst.add_argument("--from", dest="start", metavar="AAAA-MM-JJ", help="premier jour de la période")
    lst.add_argument("--to", dest="end", metavar="AAAA-MM-JJ", help="dernier jour de la période")
    lst.add_argument("--json", action="store_true", help="sortie JSON")


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} « {text} » : date invalide (format AAAA-MM-JJ)") from None


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _resolve_establishment(db: Any, prefix: str) -> str:
    from sqlalchemy import select

    from ..db.models import Establishment

    if not prefix.strip():
        raise UserError("identifiant d'établissement vide")
    with db.session() as s:
        ids = s.scalars(select(Establishment.id).where(Establishment.id.like(f"{prefix.strip()}%")).limit(2)).all()
    if not ids:
        raise UserError(f"établissement « {prefix} » introuvable")
    if len(ids) > 1:
        raise UserError(f"« {prefix} » désigne plusieurs établissements : donnez plus de caractères de l'identifiant")
    return ids[0]


def cmd_refresh(args: argparse.Namespace) -> int:
    from ..services.meuble_decisions import acquire_due
    from .db_cmd import open_db

    today = _date(args.today, "--today") if args.today else dt.date.today()
    db = open_db(args)
    try:
        acquired = acquire_due(db, today=today).value
    finally:
        db.close()
    print(f"{len(acquired)} classement(s) acquis au {_fmt(today)}")
    for a in acquired:
        print(f"  {a.number}  {a.category}★  acquis le {_fmt(a.acquired_on)}, valable jusqu'au "
              f"{_fmt(a.valid_until)} — {a.establishment}, {a.commune}")
    return 0


def cmd_radiate(args: argparse.Namespace) -> int:
    from ..services.common import ServiceError
    from ..services.meuble_decisions import record_radiation
    from .db_cmd import open_db

    day = _date(args.date, "--date")
    if day > dt.date.today():
        raise UserError(f"--date {_fmt(day)} : la date de radiation ne peut pas être dans le futur")
    db = open_db(args)
    try:
        est_id = _resolve_establishment(db, args.establishment)
        try:
            r = record_radiation(db, establishment_id=est_id, radiated_on=day, reason=args.reason,
                                 reference=args.reference).value
        except ServiceError as exc:
            raise UserError(str(exc)) from None
    finally:
        db.close()
    ref = f" (arrêté {r.reference})" if r.reference else ""
    print(f"Radiation enregistrée le {_fmt(r.radiated_on)}{ref} : classement {r.category}★ retiré — motif : "
          f"{r.reason}")
    return 0


def _period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    if args.month:
        if args.start or args.end:
            raise UserError("--month ou --from/--to, pas les deux")
        try:
            year, month = (int(x) for x in args.month.split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            raise UserError(f"--month « {args.month} » : mois invalide (format AAAA-MM)") from None
        return first, first.replace(day=calendar.monthrange(year, month)[1])
    if not (args.start and args.end):
        raise UserError("indiquez la période : --month AAAA-MM, ou --from AAAA-MM-JJ et --to AAAA-MM-JJ")
    return _date(args.start, "--from"), _date(args.end, "--to")


def cmd_list(args: argparse.Namespace) -> int:
    from ..services.common import ServiceError
    from ..services.meuble_decisions import meuble_decisions
    from .db_cmd import open_db

    start, end = _period(args)
    db = open_db(args)
    try:
        try:
            rows = meuble_decisions(db, start=start, end=end)
        except ServiceError as exc:
            raise UserError(str(exc)) from None
    finally:
        db.close()
    if args.json:
        print(json.dumps([{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.__dict__.items()}
                          for r in rows], ensure_ascii=False, indent=1))
        return 0
    print(f"Décisions de classement devenues définitives du {_fmt(start)} au {_fmt(end)} : {len(rows)}")
    for r in rows:
        who = r.owner + (f" (mandataire : {r.mandataire})" if r.mandataire else "")
        where = ", ".join(x for x in (r.address.replace("\n", " "), f"{r.postcode} {r.commune}".strip()) if x)
        capacity = f"{r.capacity} pers." if r.capacity else "capacité ?"
        print(f"  {r.number}  {_fmt(r.decided_on)}  {r.category}★  {capacity}  {r.establishment} — {where} — {who}")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"refresh": cmd_refresh, "radiate": cmd_radiate, "list": cmd_list}[args.decisions_command](args)
