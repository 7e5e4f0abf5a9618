"""`inspector figures`: the agency's figures for a year against its targets; `inspector figures pdf`: the PDF.

The parser is built at start-up: module-level imports stay light (the database is imported by the command only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from .main import UserError

MIN_YEAR, MAX_YEAR = 2000, 2100


def add_parser(sub: argparse._SubParsersAction) -> None:
    fig = sub.add_parser("figures", help="chiffres de l'organisme : activité de l'année au regard des objectifs")
    fig.add_argument("--year", type=int, metavar="ANNÉE", help="année (par défaut : l'année en cours)")
    fig.add_argument("--today", metavar="AAAA-MM-JJ", help="date du jour (par défaut : aujourd'hui)")
    fig.add_argument("--json", action="store_true", help="sortie JSON")
    fsub = fig.add_subparsers(dest="figures_command", metavar="{pdf}")
    pdf = fsub.add_parser("pdf", help="écrire le PDF « chiffres-clés » de l'année")
    pdf.add_argument("--year", type=int, metavar="ANNÉE", default=argparse.SUPPRESS,
                     help="année (par défaut : l'année en cours)")
    pdf.add_argument("--today", metavar="AAAA-MM-JJ", default=argparse.SUPPRESS,
                     help="date du jour (par défaut : aujourd'hui)")
    pdf.add_argument("--out", required=True, metavar="FICHIER.pdf", help="fichier PDF à écrire")


def _year_and_today(args: argparse.Namespace) -> tuple[int, dt.date]:
    from .visits_cmd import _today

    today = _today(args)
    year = args.year if args.year is not None else today.year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UserError(f"--year {year} : une année de {MIN_YEAR} à {MAX_YEAR} est attendue")
    return year, today


def _line(name: str, done: int, target: str = "", planned: int | None = None) -> str:
    text = f"  {name:<48} {done:>6}"
    if target:
        text += f"  / objectif {target}"
    if planned:
        text += f"  (+ {planned} prévue{'s' if planned > 1 else ''})"
    return text


def print_figures(f: Any) -> None:
    """The figures as readable text (French)."""
    from ..figures.wording import AV_TYPOLOGY_FR, LABEL_FR, SUBJECT_FR, TH_FAMILY_FR, name_of

    t = f.targets
    print(f"Chiffres {f.year} — {f.agency or 'organisme'} (stocks et échéances au {f.today:%d/%m/%Y})")
    print("Activité de l'année (visites datées de l'année)")
    print(_line("Meublés visités (classement + renouvellement)", f.meubles_visits,
                f"{t.meubles_min}–{t.meubles_max}", f.meubles_planned))
    print(_line("Visites-conseils de meublés (hors objectif)", f.meubles_advisory))
    print(_line("Visites Tourisme & Handicap", f.th_visits, str(t.th_visits), f.th_planned))
    print(_line("  dont visites-conseils", f.th_advisory, str(t.th_advisory)))
    print(_line("  dont visites d'attribution", f.th_attribution, str(t.th_attribution)))
    print(_line("Nouveaux prestataires Accueil Vélo", f.new_accueil_velo, str(t.new_accueil_velo)))
    print("Décisions datées de l'année (accordées / refusées)")
    for subject, name in SUBJECT_FR.items():
        print(f"  {name:<48} {f.decided(subject, 'acquired'):>6} / {f.decided(subject, 'refused')}")
    print(f"Meublés classés : {f.classified_total}")
    print("  " + " · ".join(f"{k} ★ : {n}" for k, n in f.classified_by_stars.items()))
    for area in f.classified_by_area[:15]:
        print(f"  {area.name + ('' if area.is_epci else ' (commune)'):<48} {area.count:>6}")
    print("Labels détenus")
    for code, name in LABEL_FR.items():
        print(f"  {name:<48} {f.labels_held.get(code, 0):>6}")
    for code, n in sorted(f.th_by_family.items()):
        print(f"    T&H {name_of(TH_FAMILY_FR, code):<44} {n:>6}")
    for code, n in sorted(f.av_by_typology.items()):
        print(f"    Accueil Vélo {name_of(AV_TYPOLOGY_FR, code):<35} {n:>6}")
    print("Visites par inspecteur (meublés / T&H / Accueil Vélo / CHR = total)")
    for r in f.per_inspector:
        print(f"  {r.name:<30} {r.meubles} / {r.tourisme_handicap} / {r.accueil_velo} / "
              f"{r.chambre_hotes_reference} = {r.total}")
    print("Échéances")
    print(f"  Certificats en retard (plus d'un mois) : {f.overdue_reports_count}")
    for r in f.overdue_reports[:20]:
        print(f"    visite du {r.visited_on:%d/%m/%Y}, dû le {r.due:%d/%m/%Y} ({r.days_late} j de retard) — "
              f"{r.establishment}, {r.commune}" + (f" — {r.inspector}" if r.inspector else ""))
    print(f"  Classements expirés (12 derniers mois), sans visite : {f.expired_classements_count}")
    print(f"  Labels expirés (12 derniers mois), sans visite : {f.expired_labels_count}")
    print(f"  Renouvellements dans les 12 mois : {f.renewals_next_12_months}")
    print("    " + " · ".join(f"{m.month:%m/%Y} : {m.total}" for m in f.renewals_by_month))


def cmd_figures(args: argparse.Namespace) -> int:
    from ..figures.counts import compute_figures
    from .db_cmd import open_db

    year, today = _year_and_today(args)
    db = open_db(args)
    try:
        figures = compute_figures(db, year=year, today=today)
    finally:
        db.close()
    if args.json:
        print(json.dumps(figures.as_json(), ensure_ascii=False, indent=1))
    else:
        print_figures(figures)
    return 0


def cmd_pdf(args: argparse.Namespace) -> int:
    from ..reports.base import ReportError
    from ..reports.key_figures import write_key_figures
    from .db_cmd import open_db

    year, today = _year_and_today(args)
    out = Path(args.out)
    if out.is_dir():
        raise UserError(f"--out {out} est un dossier : indiquez un fichier .pdf")
    db = open_db(args)
    try:
        write_key_figures(db, year=year, today=today, out=out)
    except (ReportError, OSError) as exc:
        raise UserError(f"PDF non écrit : {exc}") from None
    finally:
        db.close()
    print(f"Chiffres-clés {year} écrits dans {out}")
    return 0


def run(args: argparse.Namespace) -> int:
    return cmd_pdf(args) if getattr(args, "figures_command", None) == "pdf" else cmd_figures(args)
