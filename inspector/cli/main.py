"""The `inspector` command line: argument parsing and dispatch, with lazy imports (never Qt)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


class UserError(Exception):
    """A mistake in what the user asked or gave: printed as a message, exit code 2, no traceback."""


def _grid_parser(sub: argparse._SubParsersAction) -> None:
    grid = sub.add_parser("grid", help="grilles de contrôle : lister, valider, afficher")
    gsub = grid.add_subparsers(dest="grid_command", required=True, metavar="{list,validate,show}")
    gsub.add_parser("list", help="lister les grilles disponibles")
    val = gsub.add_parser("validate", help="valider un ou plusieurs fichiers de grille")
    val.add_argument("paths", nargs="+", metavar="PATH")
    show = gsub.add_parser("show", help="afficher une grille")
    show.add_argument("grid_id", metavar="GRID_ID")
    show.add_argument("--version", dest="grid_version", help="version précise de la grille")
    show.add_argument("--json", action="store_true", help="sortie JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspector",
        description="Inspector — visites de classement des meublés de tourisme et d'évaluation des labels.",
    )
    parser.add_argument("--version", action="version", version="inspector 0.1.0")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _grid_parser(sub)
    score = sub.add_parser("score", help="calculer le résultat d'une visite décrite dans un fichier JSON")
    score.add_argument("file", metavar="FILE.json")
    score.add_argument("--json", action="store_true", help="sortie JSON")
    score.add_argument("--partial", action="store_true",
                       help="accepter des réponses incomplètes (résultat provisoire)")
    score.add_argument("--setting", action="append", default=[], metavar="NOM=VALEUR",
                       help="modifier un réglage de calcul (ex. rounding=ceil)")
    score.add_argument("--target", metavar="CATÉGORIE", help="visite-conseil : ce qui manque pour cette catégorie")
    score.add_argument("--lang", choices=("fr", "en"), default="fr", help="langue des explications")
    demo = sub.add_parser("demo", help="calculer une visite de démonstration et écrire son résultat")
    demo.add_argument("--out", default="inspector-demo", metavar="DIR", help="dossier de sortie")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    handlers: dict[str, Callable[[argparse.Namespace], int]]
    if args.command == "grid":
        from . import grid_cmd

        handlers = {"list": grid_cmd.cmd_list, "validate": grid_cmd.cmd_validate, "show": grid_cmd.cmd_show}
        return handlers[args.grid_command](args)
    if args.command == "score":
        from . import score_cmd

        return score_cmd.cmd_score(args)
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
