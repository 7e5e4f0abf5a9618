"""`inspector commission list|show|minutes`: sessions of the labels commission, their agenda and procès-verbal.

The parser is built at start-up: module-level imports stay light (the database is imported by the command only).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from .main import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    com = sub.add_parser("commission", help="commission des labels : séances, ordre du jour, procès-verbal")
    csub = com.add_subparsers(dest="commission_command", required=True, metavar="{list,show,minutes}")
    csub.add_parser("list", help="lister les séances (la plus récente d'abord)")
    show = csub.add_parser("show", help="afficher une séance : membres, ordre du jour et décisions")
    show.add_argument("session_id", metavar="ID", help="identifiant de la séance (ou son début)")
    minutes = csub.add_parser("minutes", help="écrire le procès-verbal (projet tant que la séance n'est pas close)")
    minutes.add_argument("session_id", metavar="ID", help="identifiant de la séance (ou son début)")
    minutes.add_argument("--out", required=True, metavar="FILE.pdf", help="fichier PDF à écrire")


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _resolve(db: Any, prefix: str) -> str:
    from sqlalchemy import select

    from ..db.models import CommissionSession

    prefix = prefix.strip()
    if not prefix:
        raise UserError("identifiant de séance vide")
    with db.session() as s:
        ids = s.scalars(select(CommissionSession.id).where(CommissionSession.id.like(f"{prefix}%")).limit(2)).all()
    if not ids:
        raise UserError(f"séance « {prefix} » introuvable (voir « inspector commission list »)")
    if len(ids) > 1:
        raise UserError(f"« {prefix} » désigne plusieurs séances : donnez plus de caractères de l'identifiant")
    return ids[0]


def cmd_list(args: argparse.Namespace) -> int:
    from ..services import commission
    from .db_cmd import open_db

    db = open_db(args)
    try:
        sessions = commission.list_sessions(db)
    finally:
        db.close()
    if not sessions:
        print("Aucune séance de commission.")
        return 0
    for x in sessions:
        labels = ", ".join(commission.LABEL_SHORT.get(c, c) for c in x.labels)
        print(f"{x.id[:8]}  {_fmt(x.held_on)}  {commission.STATUS_FR.get(x.status, x.status):<7}  "
              f"{x.decided_count}/{x.item_count} dossier(s) décidé(s)  {x.place}  [{labels}]")
    return 0


def _decision_lines(item: Any) -> list[str]:
    d = item.decision
    if d is None:
        return ["      Décision : non encore prise"]
    from ..services.label_decisions import OUTCOME_FR, STATUS_FR

    lines = [f"      Décision n° {d.number} : {STATUS_FR.get(d.status, d.status)}" + (f" — {d.notice}" if d.notice
                                                                                      else "")]
    for f in d.family_decisions:
        extra = f" (écart à la proposition : {f.motivation})" if f.departs and f.motivation else ""
        reason = f" — motif : {f.refusal_reason}" if f.refusal_reason else ""
        lines.append(f"        {f.label} : {OUTCOME_FR.get(f.outcome, f.outcome)}{reason}{extra}")
    if not d.family_decisions and d.motivation:
        lines.append(f"        Motivation : {d.motivation}")
    if not d.family_decisions and d.refusal_reason:
        lines.append(f"        Motif du refus : {d.refusal_reason}")
    if d.valid_until:
        lines.append(f"      Validité : du {_fmt(d.valid_from or d.decided_on)} au {_fmt(d.valid_until)}")
    return lines


def cmd_show(args: argparse.Namespace) -> int:
    from ..services import commission
    from ..services.common import ServiceError
    from .db_cmd import open_db

    db = open_db(args)
    try:
        sid = _resolve(db, args.session_id)
        try:
            info = commission.get_session(db, sid)
            items = commission.agenda(db, sid)
        except ServiceError as exc:
            raise UserError(str(exc)) from None
    finally:
        db.close()
    print(f"Séance du {_fmt(info.held_on)} — {info.place} ({commission.STATUS_FR.get(info.status, info.status)})")
    print(f"  Identifiant : {info.id}")
    print(f"  Présidence : {info.chair or '—'}")
    print("  Labels : " + ", ".join(commission.LABEL_SHORT.get(c, c) for c in info.labels))
    for code, title in commission.COLLEGES.items():
        members = [m for m in info.members if m.college == code]
        if members:
            print(f"  {title} : " + "; ".join(f"{m.name}" + (f" ({m.body})" if m.body else "")
                                               + ("" if m.present else " — excusé(e)") for m in members))
    if info.minutes_path:
        print(f"  Procès-verbal : {info.minutes_path}")
    print(f"Ordre du jour ({len(items)} dossier(s), {info.decided_count} décidé(s))")
    for item in items:
        label = commission.LABEL_SHORT.get(item.label, item.label)
        fams = f" — familles : {', '.join(item.families)}" if item.families else ""
        print(f"  {item.position}. {item.establishment_name}, {item.commune} — {label}{fams} "
              f"[visite {item.visit_id[:8]}]")
        print(f"      {item.proposal}")
        for line in _decision_lines(item):
            print(line)
    return 0


def cmd_minutes(args: argparse.Namespace) -> int:
    from ..services import commission
    from ..services.common import ServiceError
    from ..storage import write_atomic
    from .db_cmd import open_db

    out = Path(args.out)
    if out.exists() and out.is_dir():
        raise UserError(f"--out {out} : un chemin de fichier est attendu, pas un dossier")
    db = open_db(args)
    try:
        sid = _resolve(db, args.session_id)
        try:
            info = commission.get_session(db, sid)
            pdf = commission.minutes_pdf(db, sid)
        except ServiceError as exc:
            raise UserError(str(exc)) from None
    finally:
        db.close()
    try:
        write_atomic(out, pdf)
    except OSError as exc:
        raise UserError(f"écriture de {out} impossible : {exc.strerror or exc}") from None
    if info.status == "closed":
        print(f"Procès-verbal de la séance du {_fmt(info.held_on)} (séance close, empreinte "
              f"{info.minutes_sha256[:12]}…) copié dans {out}")
    else:
        print(f"Projet de procès-verbal de la séance du {_fmt(info.held_on)} (séance non close) écrit dans {out}")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"list": cmd_list, "show": cmd_show, "minutes": cmd_minutes}[args.commission_command](args)
