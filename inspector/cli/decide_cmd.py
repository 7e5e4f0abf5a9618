"""`inspector decide VISIT_ID --outcome … --date …`: record the decision on a label evaluation.

The parser is built at start-up: module-level imports stay light (the database is imported by the command only).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from .main import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    decide = sub.add_parser("decide", help="enregistrer la décision sur une évaluation de label (T&H, Accueil Vélo, "
                                           "Chambre d'hôtes Référence)")
    decide.add_argument("visit_id", metavar="VISIT_ID")
    decide.add_argument("--outcome", required=True, choices=("granted", "refused", "adjourned"),
                        help="décision d'ensemble : granted (accordé), refused (refusé), adjourned (ajourné)")
    decide.add_argument("--family", action="append", default=[], metavar="FAMILLE=ISSUE[:MOTIF]",
                        help="Tourisme & Handicap : issue d'une famille (ex. auditif=granted, "
                             "moteur=refused:porte trop étroite) ; les familles non citées suivent la proposition")
    decide.add_argument("--date", required=True, metavar="AAAA-MM-JJ", help="date de la décision")
    decide.add_argument("--motivation", default="", metavar="TEXTE",
                        help="motivation (obligatoire si la décision s'écarte du calcul, ou pour un ajournement)")
    decide.add_argument("--refusal-reason", default="", metavar="TEXTE",
                        help="motif du refus (familles ou label refusés)")
    decide.add_argument("--decided-by", default="", metavar="TEXTE",
                        help="instance qui décide (ex. commission territoriale)")


def _families(items: list[str]) -> dict[str, Any] | None:
    if not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise UserError(f"--family « {item} » : forme FAMILLE=ISSUE attendue (ex. auditif=granted)")
        code, rest = (x.strip() for x in item.split("=", 1))
        outcome, _, reason = rest.partition(":")
        if code.lower() in out:
            raise UserError(f"--family : famille « {code} » donnée deux fois")
        entry: dict[str, str] = {"outcome": outcome.strip()}
        if reason.strip():
            entry["refusal_reason" if outcome.strip().lower() == "refused" else "motivation"] = reason.strip()
        out[code.lower()] = entry
    return out


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def cmd_decide(args: argparse.Namespace) -> int:
    from ..services.common import ServiceError
    from ..services.label_decisions import OUTCOME_FR, STATUS_FR, record_label_decision
    from .db_cmd import open_db
    from .visits_cmd import _resolve

    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        raise UserError(f"date « {args.date} » invalide (format AAAA-MM-JJ)") from None
    families = _families(args.family)
    db = open_db(args)
    try:
        visit_id = _resolve(db, args.visit_id)
        try:
            decision = record_label_decision(db, visit_id=visit_id, decided_on=day, outcome=args.outcome,
                                             families=families, motivation=args.motivation,
                                             refusal_reason=args.refusal_reason, decided_by=args.decided_by).value
        except ServiceError as exc:
            raise UserError(str(exc)) from None
    finally:
        db.close()
    print(f"Décision n° {decision.number} du {_fmt(decision.decided_on)} enregistrée : "
          f"{STATUS_FR.get(decision.status, decision.status)}.")
    if decision.notice:
        print(decision.notice)
    for f in decision.family_decisions:
        extra = f" — motif : {f.refusal_reason}" if f.refusal_reason else ""
        extra += " (s'écarte de la proposition)" if f.departs else ""
        print(f"  {f.label} : {OUTCOME_FR.get(f.outcome, f.outcome)}{extra}")
    if decision.valid_until:
        print(f"Valable du {_fmt(decision.valid_from)} au {_fmt(decision.valid_until)} inclus.")
    return 0
