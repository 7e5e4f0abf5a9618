"""`inspector sync --server URL`: synchronise this laptop's database with the agency server."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from pathlib import Path

from ..paths import data_dir
from .main import UserError

TOKEN_FILE = "sync-token.json"


def _saved_token(folder: Path, server: str) -> str | None:
    path = folder / TOKEN_FILE
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved.get("token") if saved.get("server") == server else None


def _save_token(folder: Path, server: str, user: str, token: str) -> None:
    """Keep the device token for the next syncs, readable by this user only."""
    from ..storage import write_atomic

    path = folder / TOKEN_FILE
    write_atomic(path, json.dumps({"server": server, "user": user, "token": token}) + "\n")
    os.chmod(path, 0o600)


def _progress(phase: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r{phase} : {done}/{total}   ", end="", file=sys.stderr, flush=True)


def cmd_sync(args: argparse.Namespace) -> int:
    from ..sync import SyncError, login, sync
    from .db_cmd import open_db
    from .users_cmd import read_password

    folder = data_dir(args.data_dir)
    server = args.server.rstrip("/")
    try:
        if args.user:
            password = read_password(args.password_stdin, confirm=False)
            token, _account = login(server, args.user, password, device=socket.gethostname())
            _save_token(folder, server, args.user, token)
        else:
            token = _saved_token(folder, server) or ""
            if not token:
                raise UserError(f"pas encore connecté à {server} : utilisez --user NOM (mot de passe demandé)")
        db = open_db(args)
        try:
            report = sync(db, server, token, progress=_progress, all_files=args.all_files or None)
        finally:
            db.close()
    except SyncError as exc:
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"inspector : synchronisation impossible ({exc.category}) : {exc.message}", file=sys.stderr)
        return 1
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(report.summary())
    return 0
