"""`inspector users add|list|revoke`: the server's accounts (same --database-url / --data-dir as `serve`)."""

from __future__ import annotations

import argparse
import getpass
import sys

from .main import UserError


def _sessions(args: argparse.Namespace):
    from ..server.db import ServerDatabaseError, open_server_database
    from .serve_cmd import database_url

    try:
        engine, sessions = open_server_database(database_url(args))
    except ServerDatabaseError as exc:
        raise UserError(str(exc)) from None
    return engine, sessions


def read_password(from_stdin: bool, *, confirm: bool) -> str:
    """The password from the first line of standard input, or typed twice at the terminal."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Mot de passe : ")
        if confirm and getpass.getpass("Mot de passe (confirmation) : ") != password:
            raise UserError("les deux mots de passe diffèrent")
    else:
        raise UserError("mot de passe attendu : tapez-le dans un terminal ou utilisez --password-stdin")
    if not password:
        raise UserError("mot de passe vide")
    return password


def cmd_add(args: argparse.Namespace) -> int:
    from ..server.accounts import AccountError, add_account

    password = read_password(args.password_stdin, confirm=True)
    engine, sessions = _sessions(args)
    try:
        info = add_account(sessions, name=args.name, role=args.role, password=password, person_id=args.person_id)
    except AccountError as exc:
        raise UserError(str(exc)) from None
    finally:
        engine.dispose()
    print(f"Utilisateur « {info.name} » créé (rôle {info.role}, personne {info.person_id}).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..server.accounts import list_accounts

    engine, sessions = _sessions(args)
    try:
        accounts = list_accounts(sessions)
    finally:
        engine.dispose()
    if not accounts:
        print("Aucun utilisateur.")
    for a in accounts:
        status = "actif" if a.active else "révoqué"
        print(f"{a.name}\t{a.role}\t{status}\t{a.tokens} jeton(s) valide(s)\tpersonne {a.person_id}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from ..server.accounts import AccountError, revoke

    engine, sessions = _sessions(args)
    try:
        count = revoke(sessions, name=args.name, device=args.device)
    except AccountError as exc:
        raise UserError(str(exc)) from None
    finally:
        engine.dispose()
    what = f"de l'appareil « {args.device} »" if args.device else "et compte désactivé"
    print(f"« {args.name} » : {count} jeton(s) révoqué(s) {what}.")
    return 0
