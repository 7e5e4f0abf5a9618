"""`inspector visits list|show`: the office's lists and one visit with its answers and live result."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from .db_cmd import open_db
from .main import UserError

STATE_FR = {"planned": "planifiée", "in_progress": "en cours", "completed": "terminée",
            "submitted": "soumise à la commission", "issued": "certificat émis",
            "acquired": "classement acquis", "refused": "refusée"}


def _today(args: argparse.Namespace) -> dt.date:
    if not getattr(args, "today", None):
        return dt.date.today()
    try:
        return dt.date.fromisoformat(args.today)
    except ValueError:
        raise UserError(f"date « {args.today} » invalide (format AAAA-MM-JJ)") from None


def _row_json(r: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.__dict__.items()}


def _fmt(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "—"


def _print_rows(title: str, rows: list[Any], today: dt.date) -> None:
    print(f"{title} ({len(rows)})")
    for r in rows:
        extra = ""
        if r.days_left is not None:
            extra = f" · rapport dû le {_fmt(r.report_due)} ({r.days_left} j)"
        elif r.refusal_end and r.state == "issued":
            extra = f" · refus possible jusqu'au {_fmt(r.refusal_end)}"
        elif r.valid_until:
            extra = f" · valable jusqu'au {_fmt(r.valid_until)}"
        cat = f" {r.requested_category}★" if r.requested_category else ""
        print(f"  {r.id[:8]}  {STATE_FR.get(r.state, r.state):<18} {r.kind}{cat:<4} {r.establishment} — {r.commune} "
              f"({r.owner}) · prévue {_fmt(r.planned_on)}{extra}")


def cmd_overview(args: argparse.Namespace) -> int:
    """What the office sees on Monday morning (scenario S6), until the desktop window exists."""
    from ..services import queries

    today = _today(args)
    db = open_db(args)
    try:
        sections = [
            ("Visites du jour", queries.todays_visits(db, today=today)),
            ("Visites planifiées (60 jours)", queries.planned_visits(db, today=today)),
            ("Rapports à émettre (un mois après la visite)", queries.reports_due(db, today=today)),
            ("Fenêtres de refus ouvertes (15 jours)", queries.refusal_windows_open(db, today=today)),
            ("Classements expirant dans les 6 mois", queries.renewals_due(db, today=today, months=6)),
        ]
        counts = queries.counts_by_state(db)
    finally:
        db.close()
    print(f"Inspector — {db.path} — au {_fmt(today)}")
    print("Visites par état : " + ", ".join(f"{STATE_FR.get(k, k)} {n}" for k, n in sorted(counts.items())))
    for title, rows in sections:
        print()
        _print_rows(title, rows, today)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..services import queries

    if args.state and args.state not in STATE_FR:
        raise UserError(f"état « {args.state} » inconnu ({', '.join(STATE_FR)})")
    today = _today(args)
    db = open_db(args)
    try:
        if args.due:
            rows, title = queries.reports_due(db, today=today), "Rapports à émettre"
        elif args.refusal_open:
            rows, title = queries.refusal_windows_open(db, today=today), "Fenêtres de refus ouvertes"
        elif args.renewals is not None:
            rows, title = queries.renewals_due(db, today=today, months=args.renewals), \
                f"Classements expirant dans {args.renewals} mois"
        else:
            rows = queries.list_visits(db, today=today, states=(args.state,) if args.state else None,
                                       search=args.search, limit=args.limit)
            title = "Visites"
    finally:
        db.close()
    rows = rows[: args.limit]
    if args.json:
        json.dump([_row_json(r) for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    _print_rows(f"{title} — au {_fmt(today)}", rows, today)
    return 0


def _resolve(db: Any, prefix: str) -> str:
    from sqlalchemy import select

    from ..db.models import Visit

    with db.session() as s:
        ids = s.scalars(select(Visit.id).where(Visit.id.like(f"{prefix}%")).limit(2)).all()
    if not ids:
        raise UserError(f"visite « {prefix} » introuvable")
    if len(ids) > 1:
        raise UserError(f"« {prefix} » désigne plusieurs visites : donnez plus de caractères de l'identifiant")
    return ids[0]


def cmd_show(args: argparse.Namespace) -> int:
    from ..services import queries, visits
    from ..services.common import ServiceError

    db = open_db(args)
    try:
        visit_id = _resolve(db, args.visit_id)
        try:
            detail = queries.visit_detail(db, visit_id)
            result = visits.score_visit(db, visit_id, partial=True)
        except ServiceError as exc:
            raise UserError(str(exc)) from None
    finally:
        db.close()
    answers = {f"{c}{'/' + lv if lv else ''}": (a.points if a.points is not None else a.value)
               for (c, lv), a in detail.answers.items()}
    if args.json:
        out = {"visit": _row_json(detail.row), "grid": {"id": detail.grid_id, "version": detail.grid_version,
                                                        "sha256": detail.grid_sha256},
               "context": detail.context, "answers": answers, "measurements": detail.measurements,
               "revision_reason": detail.revision_reason}
        if hasattr(result, "result"):
            out["result"] = {"classable": result.classable, "provisional": result.provisional,
                             "highest_classable_category": result.highest_classable,
                             "lines": {k: str(v) for k, v in result.result.lines.as_dict().items()},
                             "unanswered": list(result.result.unanswered)}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
        return 0
    r = detail.row
    print(f"Visite {r.id} — {r.kind}, {STATE_FR.get(r.state, r.state)} (révision {r.revision_number})")
    print(f"{r.establishment} — {r.commune} · propriétaire : {r.owner}")
    print(f"Grille {detail.grid_id} version {detail.grid_version} (sha256 {detail.grid_sha256[:16]}…)")
    print(f"Prévue {_fmt(r.planned_on)} · visitée {_fmt(r.visited_on)} · rapport dû {_fmt(r.report_due)}")
    print(f"Contexte : {json.dumps(detail.context, ensure_ascii=False)}")
    print(f"Réponses : {len(answers)}")
    if hasattr(result, "result"):
        from ..scoring.explain import explain_category
        from ..services.common import pinned_grid

        grid = pinned_grid(detail.grid_id, detail.grid_version, detail.grid_sha256)
        for line in explain_category(grid, result):
            print(f"  {line.render()}")
    return 0
