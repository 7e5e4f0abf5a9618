"""`inspector export`: the monthly table of definitive decisions, and the tables of establishments, visits, decisions
and labels, as CSV (French Excel) or XLSX.

The parser is built at start-up: module-level imports stay light (the database is imported by the command only).
"""

from __future__ import annotations

import argparse
import datetime as dt

from .main import UserError

DATASETS = ("establishments", "visits", "decisions", "labels")


def add_parser(sub: argparse._SubParsersAction) -> None:
    exp = sub.add_parser(
        "export", help="exporter en CSV ou XLSX : tableau mensuel des décisions définitives, établissements, "
                       "visites, décisions, labels",
        description="« inspector export decisions --month 2026-10 » écrit le tableau mensuel des classements devenus "
                    "définitifs pour le comité départemental du tourisme ; sans --month, les tableaux généraux.")
    exp.add_argument("dataset", choices=DATASETS, metavar="{establishments,visits,decisions,labels}",
                     help="ce qu'il faut exporter")
    exp.add_argument("--month", metavar="AAAA-MM",
                     help="decisions : le tableau mensuel des classements devenus définitifs ce mois-là")
    exp.add_argument("--year", type=int, metavar="AAAA", help="visites, décisions, labels : cette année seulement")
    exp.add_argument("--from", dest="date_from", metavar="AAAA-MM-JJ", help="à partir de cette date (incluse)")
    exp.add_argument("--to", dest="date_to", metavar="AAAA-MM-JJ", help="jusqu'à cette date (incluse)")
    exp.add_argument("--format", dest="fmt", choices=("csv", "xlsx"),
                     help="csv (UTF-8 avec BOM, séparateur « ; ») ou xlsx ; par défaut : d'après --out, sinon csv")
    exp.add_argument("--out", metavar="FICHIER",
                     help="fichier à écrire (par défaut : nom standard dans le dossier courant, "
                          "ex. decisions-definitives-2026-10.csv)")


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} « {value} » : date invalide (format AAAA-MM-JJ)") from None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def run(args: argparse.Namespace) -> int:
    from ..exports import ExportError, export_dataset, export_monthly, period_of
    from ..exports.monthly import month_text
    from .db_cmd import _existing_db, open_db

    dated = args.year is not None or args.date_from is not None or args.date_to is not None
    if args.month is not None and (args.dataset != "decisions" or dated):
        raise UserError("--month ne s'emploie qu'avec « decisions », sans --year, --from ni --to")
    if args.year is not None and (args.date_from or args.date_to):
        raise UserError("--year ou --from/--to, pas les deux")
    if args.year is not None and not 1900 <= args.year <= 9999:
        raise UserError(f"--year {args.year} : année invalide")
    date_from, date_to = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if date_from and date_to and date_from > date_to:
        raise UserError("--from est postérieure à --to")
    if args.month is not None:
        from ..exports import parse_month

        try:
            month = parse_month(args.month)  # checked before the database is opened
        except ExportError as exc:
            raise UserError(str(exc)) from None
    _existing_db(args)
    db = open_db(args)
    try:
        if args.month is not None:
            result = export_monthly(db, month=month, path=args.out, fmt=args.fmt)
            what = (f"{_plural(result.count, 'décision')} de classement devenue{'s' if result.count > 1 else ''} "
                    f"définitive{'s' if result.count > 1 else ''} en {month_text(month)}")
            if result.count == 0:
                what = f"0 décision devenue définitive en {month_text(month)} (tableau avec les en-têtes seulement)"
        else:
            period = period_of(year=args.year, date_from=date_from, date_to=date_to)
            result = export_dataset(db, dataset=args.dataset, path=args.out, fmt=args.fmt, period=period)
            what = f"{result.title} : {_plural(result.count, 'ligne')}"
    except ExportError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"écriture impossible : {exc.strerror or exc} ({getattr(exc, 'filename', '') or ''})"
                        ) from None
    finally:
        db.close()
    print(f"{what} → {result.path} ({result.fmt.upper()})")
    return 0
