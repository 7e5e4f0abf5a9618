"""`inspector serve`: the agency server (embedded SQLite by default, PostgreSQL with --database-url)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..paths import data_dir
from .main import UserError


def server_folder(args: argparse.Namespace) -> Path:
    """The server's own folder inside the data folder (its database file and its received files)."""
    return data_dir(getattr(args, "data_dir", None)) / "server"


def database_url(args: argparse.Namespace) -> str:
    from ..server.db import default_database_url

    return getattr(args, "database_url", None) or default_database_url(server_folder(args))


def shown_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is reported by the server itself
        return "<adresse invalide>"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ..server.app import create_app
    from ..server.db import ServerDatabaseError

    url = database_url(args)
    blobs = server_folder(args) / "files"
    try:
        app = create_app(url, blobs)
    except ServerDatabaseError as exc:
        raise UserError(str(exc)) from None
    print(f"Serveur Inspector : http://{args.host}:{args.port}/api/v1 (base {shown_url(url)}, fichiers {blobs})",
          flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0
