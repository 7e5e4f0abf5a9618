"""`inspector itineraries load|list|remove|nearest`: the agency's cycle itineraries (GeoJSON or GPX) for Accueil Vélo.

The parser is built at start-up: module-level imports stay light.
"""

from __future__ import annotations

import argparse
import sys

from .main import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    iti = sub.add_parser("itineraries", help="itinéraires cyclables (GeoJSON, GPX) : charger, lister, retirer")
    isub = iti.add_subparsers(dest="itineraries_command", required=True, metavar="{load,list,remove,nearest}")
    load = isub.add_parser("load", help="vérifier un fichier GeoJSON ou GPX et le garder dans le dossier des données")
    load.add_argument("file", metavar="FILE")
    isub.add_parser("list", help="lister les fichiers d'itinéraires chargés")
    rem = isub.add_parser("remove", help="retirer un fichier chargé (nom d'origine ou empreinte)")
    rem.add_argument("key", metavar="NOM|EMPREINTE")
    near = isub.add_parser("nearest", help="itinéraire le plus proche d'un point (latitude, longitude WGS 84)")
    near.add_argument("latitude", metavar="LATITUDE")
    near.add_argument("longitude", metavar="LONGITUDE")


def _km(value: float) -> str:
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",") + " km"


def _folder(args: argparse.Namespace):
    from ..paths import data_dir

    return data_dir(args.data_dir)


def cmd_load(args: argparse.Namespace) -> int:
    from ..services.common import ServiceError
    from ..services.itineraries import itineraries_dir, load_file

    try:
        info, new = load_file(_folder(args), args.file)
    except ServiceError as exc:
        raise UserError(str(exc)) from None
    for warning in info.warnings[:50]:
        print(f"attention : {warning}", file=sys.stderr)
    verb = "chargé" if new else "déjà chargé (contenu identique)"
    points = f"{info.points:,}".replace(",", "\u202f")
    print(f"{info.original_name} {verb} : {info.routes} itinéraire(s), {points} points, {_km(info.length_km)} "
          f"(empreinte {info.short_key}).")
    print(f"Conservé dans {itineraries_dir(_folder(args)) / info.stored_name}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..services.itineraries import list_files

    files = list_files(_folder(args))
    print(f"Fichiers d'itinéraires chargés : {len(files)}")
    for f in files:
        names = ", ".join(f.route_names[:5]) + (f" … (+{len(f.route_names) - 5})" if len(f.route_names) > 5 else "")
        print(f"  {f.short_key}  {f.original_name} ({f.format}) — {f.routes} itinéraire(s), {_km(f.length_km)}, "
              f"chargé le {f.loaded_at[:10] or '?'} : {names}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from ..services.common import ServiceError
    from ..services.itineraries import remove_file

    try:
        removed = remove_file(_folder(args), args.key)
    except ServiceError as exc:
        raise UserError(str(exc)) from None
    print(f"{removed.original_name} ({removed.short_key}) retiré.")
    return 0


def _coordinate(text: str, what: str, limit: float) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise UserError(f"{what} « {text} » : un nombre en degrés décimaux est attendu (ex. 50,87)") from None
    if not -limit <= value <= limit:
        raise UserError(f"{what} {text} hors limites (−{limit:g} à {limit:g})")
    return value


def cmd_nearest(args: argparse.Namespace) -> int:
    from ..services.common import ServiceError
    from ..services.itineraries import nearest

    lat = _coordinate(args.latitude, "latitude", 90)
    lon = _coordinate(args.longitude, "longitude", 180)
    try:
        found, files = nearest(_folder(args), lat, lon)
    except ServiceError as exc:
        raise UserError(str(exc)) from None
    if found is None:
        raise UserError("aucun fichier d'itinéraires chargé (inspector itineraries load FICHIER)")
    print(f"{found.name} : {_km(found.distance_km)} (point le plus proche {found.latitude:.5f}, "
          f"{found.longitude:.5f} ; fichier {found.source})")
    return 0


def run(args: argparse.Namespace) -> int:
    handlers = {"load": cmd_load, "list": cmd_list, "remove": cmd_remove, "nearest": cmd_nearest}
    return handlers[args.itineraries_command](args)
