"""The `inspector` command line: argument parsing and dispatch, with lazy imports (never Qt)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


class UserError(Exception):
    """A mistake in what the user asked or gave: printed as a message, exit code 2, no traceback."""


def _grid_parser(sub: argparse._SubParsersAction) -> None:
    grid = sub.add_parser("grid", help="grilles de contrôle : lister, valider, afficher, importer, exporter")
    gsub = grid.add_subparsers(dest="grid_command", required=True, metavar="{list,validate,show,import,export}")
    gsub.add_parser("list", help="lister les grilles disponibles")
    val = gsub.add_parser("validate", help="valider un ou plusieurs fichiers de grille")
    val.add_argument("paths", nargs="+", metavar="PATH")
    show = gsub.add_parser("show", help="afficher une grille")
    show.add_argument("grid_id", metavar="GRID_ID")
    show.add_argument("--version", dest="grid_version", help="version précise de la grille")
    show.add_argument("--json", action="store_true", help="sortie JSON")
    gimp = gsub.add_parser("import", help="installer une grille depuis un classeur (XLSX ou dossier de CSV)")
    gimp.add_argument("file", metavar="FILE")
    gimp.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien enregistrer")
    gexp = gsub.add_parser("export", help="écrire une grille sous forme de classeur (XLSX ou dossier de CSV)")
    gexp.add_argument("grid_id", metavar="GRID_ID")
    gexp.add_argument("--version", dest="grid_version", help="version précise de la grille")
    gexp.add_argument("--out", required=True, metavar="FILE.xlsx|.csv", help="classeur .xlsx, ou dossier de CSV")


def _data_parsers(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="copie de sauvegarde cohérente de la base de données")
    backup.add_argument("--to", metavar="DIR", help="dossier de destination (par défaut : backups/ du dossier)")
    db = sub.add_parser("db", help="base de données : vérification")
    dsub = db.add_subparsers(dest="db_command", required=True, metavar="{check}")
    dsub.add_parser("check", help="vérifier l'intégrité de la base (SQLite integrity_check, clés étrangères)")
    est = sub.add_parser("establishments", help="établissements : import")
    esub = est.add_subparsers(dest="establishments_command", required=True, metavar="{import}")
    imp = esub.add_parser("import", help="importer des établissements depuis un fichier CSV ou XLSX")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien enregistrer")
    visits = sub.add_parser("visits", help="visites : lister, afficher")
    vsub = visits.add_subparsers(dest="visits_command", required=True, metavar="{overview,list,show}")
    overview = vsub.add_parser("overview", help="le tableau du jour : visites, rapports dus, refus, renouvellements")
    overview.add_argument("--today", metavar="AAAA-MM-JJ", help="date du jour (par défaut : aujourd'hui)")
    vlist = vsub.add_parser("list", help="lister les visites")
    vlist.add_argument("--state", help="état (planned, in_progress, completed, issued, acquired, refused)")
    vlist.add_argument("--search", help="propriétaire, commune ou établissement")
    vlist.add_argument("--due", action="store_true", help="rapports à émettre, avec les jours restants")
    vlist.add_argument("--refusal-open", action="store_true", help="fenêtres de refus ouvertes")
    vlist.add_argument("--renewals", type=int, metavar="MOIS", help="classements expirant dans MOIS mois")
    vlist.add_argument("--today", metavar="AAAA-MM-JJ", help="date du jour (par défaut : aujourd'hui)")
    vlist.add_argument("--limit", type=int, default=50)
    vlist.add_argument("--json", action="store_true")
    vshow = vsub.add_parser("show", help="afficher une visite, ses réponses et son résultat")
    vshow.add_argument("visit_id", metavar="VISIT_ID")
    vshow.add_argument("--json", action="store_true")
    report = sub.add_parser("report", help="document PDF d'une visite (aperçu, ou émission avec --issue)")
    report.add_argument("visit_id", metavar="VISIT_ID")
    report.add_argument("--kind", default="certificat", choices=("certificat", "decision", "conseil", "label",
                                                                "attestation"))
    report.add_argument("--out", metavar="FILE.pdf", help="fichier à écrire (aperçu ou copie du document émis)")
    report.add_argument("--issue", action="store_true", help="émettre : enregistrer le PDF et son empreinte")
    report.add_argument("--reason", default="", help="motif d'une nouvelle révision d'un document déjà émis")
    report.add_argument("--date", metavar="AAAA-MM-JJ", help="date d'émission (par défaut : aujourd'hui)")
    report.add_argument("--draft", action="store_true", help="projet pour une visite non terminée (marqué)")
    demo_data = sub.add_parser("demo-data", help="créer la base de démonstration (agence fictive)")
    demo_data.add_argument("--force", action="store_true", help="remplacer une base existante (après sauvegarde)")


def _server_parsers(sub: argparse._SubParsersAction) -> None:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--database-url", metavar="URL",
                       help="base du serveur (par défaut : SQLite dans DIR/server ; production : "
                            "postgresql+psycopg://…)")
    where.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="dossier des données")
    serve = sub.add_parser("serve", parents=[where], help="démarrer le serveur de l'agence (API /api/v1)")
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (défaut : 8765)")
    serve.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    users = sub.add_parser("users", help="comptes du serveur : ajouter, lister, révoquer")
    usub = users.add_subparsers(dest="users_command", required=True, metavar="{add,list,revoke}")
    add = usub.add_parser("add", parents=[where], help="créer un compte")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=("inspector", "partner", "commission", "admin"))
    add.add_argument("--person-id", metavar="UUID", help="fiche utilisateur (visites dont il est évaluateur)")
    add.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    usub.add_parser("list", parents=[where], help="lister les comptes")
    revoke = usub.add_parser("revoke", parents=[where], help="révoquer les jetons d'un compte (et le désactiver)")
    revoke.add_argument("name", metavar="NAME")
    revoke.add_argument("--device", help="révoquer seulement les jetons de cet appareil")
    sync = sub.add_parser("sync", help="synchroniser ce poste avec le serveur de l'agence")
    sync.add_argument("--server", required=True, metavar="URL", help="adresse du serveur (https://…)")
    sync.add_argument("--user", metavar="NAME", help="se connecter (sinon : jeton enregistré)")
    sync.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    sync.add_argument("--all-files", action="store_true",
                      help="télécharger aussi les photos et PDF des visites closes (sinon : à l'ouverture)")
    sync.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="dossier des données")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspector",
        description="Inspector — visites de classement des meublés de tourisme et d'évaluation des labels.",
    )
    parser.add_argument("--version", action="version", version="inspector 0.1.0")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="dossier des données (par défaut : INSPECTOR_DATA_DIR ou le dossier de l'utilisateur)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _grid_parser(sub)
    _data_parsers(sub)
    _server_parsers(sub)
    from . import decisions_cmd, itineraries_cmd, labels_cmd

    labels_cmd.add_parser(sub)
    itineraries_cmd.add_parser(sub)
    from .figures_cmd import add_parser as _figures_parser

    _figures_parser(sub)
    decisions_cmd.add_parser(sub)
    from .commission_cmd import add_parser as _commission_parser

    _commission_parser(sub)
    from .export_cmd import add_parser as _export_parser

    _export_parser(sub)
    score = sub.add_parser("score", help="calculer le résultat d'une visite décrite dans un fichier JSON")
    score.add_argument("file", metavar="FILE.json")
    score.add_argument("--json", action="store_true", help="sortie JSON")
    score.add_argument("--partial", action="store_true",
                       help="accepter des réponses incomplètes (résultat provisoire)")
    score.add_argument("--setting", action="append", default=[], metavar="NOM=VALEUR",
                       help="modifier un réglage de calcul (ex. rounding=ceil)")
    score.add_argument("--target", metavar="CATÉGORIE", help="visite-conseil : ce qui manque pour cette catégorie")
    score.add_argument("--lang", choices=("fr", "en"), default="fr", help="langue des explications")
    from .decide_cmd import add_parser as _decide_parser

    _decide_parser(sub)
    demo = sub.add_parser("demo", help="calculer une visite de démonstration et écrire son résultat")
    demo.add_argument("--out", default="inspector-demo", metavar="DIR", help="dossier de sortie")
    demo.add_argument("--sync", action="store_true",
                      help="serveur local : y synchroniser la base de démonstration et montrer ce qui arrive")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    handlers: dict[str, Callable[[argparse.Namespace], int]]
    if args.command == "grid":
        from . import grid_cmd

        handlers = {"list": grid_cmd.cmd_list, "validate": grid_cmd.cmd_validate, "show": grid_cmd.cmd_show,
                    "import": grid_cmd.cmd_import, "export": grid_cmd.cmd_export}
        return handlers[args.grid_command](args)
    if args.command == "score":
        from . import score_cmd

        return score_cmd.cmd_score(args)
    if args.command in ("backup", "db"):
        from . import db_cmd

        return db_cmd.cmd_backup(args) if args.command == "backup" else db_cmd.cmd_check(args)
    if args.command == "establishments":
        from . import establishments_cmd

        return establishments_cmd.cmd_import(args)
    if args.command == "visits":
        from . import visits_cmd

        handlers = {"overview": visits_cmd.cmd_overview, "list": visits_cmd.cmd_list, "show": visits_cmd.cmd_show}
        return handlers[args.visits_command](args)
    if args.command == "report":
        from . import report_cmd

        return report_cmd.cmd_report(args)
    if args.command in ("serve", "users", "sync"):
        from . import serve_cmd, sync_cmd, users_cmd

        handlers = {"add": users_cmd.cmd_add, "list": users_cmd.cmd_list, "revoke": users_cmd.cmd_revoke}
        if args.command == "users":
            return handlers[args.users_command](args)
        return serve_cmd.cmd_serve(args) if args.command == "serve" else sync_cmd.cmd_sync(args)
    if args.command == "decide":
        from . import decide_cmd

        return decide_cmd.cmd_decide(args)
    if args.command == "export":
        from . import export_cmd

        return export_cmd.run(args)
    if args.command == "decisions":
        from . import decisions_cmd

        return decisions_cmd.run(args)
    if args.command in ("labels", "itineraries"):
        from . import itineraries_cmd, labels_cmd

        return (labels_cmd if args.command == "labels" else itineraries_cmd).run(args)
    if args.command == "commission":
        from . import commission_cmd

        return commission_cmd.run(args)
    if args.command == "figures":
        from . import figures_cmd

        return figures_cmd.run(args)
    if args.command == "demo-data":
        from . import demo_data_cmd

        return demo_data_cmd.cmd_demo_data(args)
    from . import demo_cmd

    return demo_cmd.cmd_demo(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; user errors exit 2 with a message on stderr."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except UserError as exc:
        print(f"inspector : {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
