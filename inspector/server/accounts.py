"""Accounts and device tokens: argon2 password hashes, tokens stored as SHA-256, revocation and expiry."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ..sync.protocol import UUID_RE
from ..sync.rules import ROLES
from .models import Account, DeviceToken, utcnow

TOKEN_TTL = dt.timedelta(days=90)
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("inspector-dummy-password")  # verified for unknown names: same timing either way


class AccountError(Exception):
    """A refused account operation (unknown name, bad role, weak password…), phrased in French."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the account, its role, the person it acts as, and the device of the token."""

    account_id: str
    name: str
    role: str
    person_id: str
    device: str
    token_id: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class AccountInfo:
    """An account as listed by `inspector users list`."""

    name: str
    role: str
    person_id: str
    active: bool
    tokens: int


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_account(sessions: sessionmaker[Session], *, name: str, role: str, password: str,
                person_id: str | None = None) -> AccountInfo:
    """Create an account; `person_id` links it to the person (laptop `users` row) whose visits it handles."""
    name = name.strip()
    if not name:
        raise AccountError("Nom d'utilisateur vide.")
    if role not in ROLES:
        raise AccountError(f"Rôle « {role} » inconnu ({', '.join(ROLES)}).")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mot de passe trop court ({MIN_PASSWORD} caractères au moins).")
    if person_id is not None and not UUID_RE.match(person_id):
        raise AccountError("Identifiant de personne invalide (UUID attendu, celui de la fiche utilisateur).")
    with sessions() as s:
        if s.scalar(select(Account.id).where(Account.name == name)) is not None:
            raise AccountError(f"L'utilisateur « {name} » existe déjà.")
        account_id = str(uuid.uuid4())
        s.add(Account(id=account_id, name=name, role=role, person_id=person_id or account_id,
                      password_hash=_HASHER.hash(password), active=True))
        s.commit()
    return AccountInfo(name, role, person_id or account_id, True, 0)


def list_accounts(sessions: sessionmaker[Session]) -> list[AccountInfo]:
    now = utcnow()
    with sessions() as s:
        out = []
        for a in s.scalars(select(Account).order_by(Account.name)):
            live = s.scalars(select(DeviceToken.id).where(DeviceToken.account_id == a.id,
                                                          DeviceToken.revoked_at.is_(None),
                                                          DeviceToken.expires_at > now)).all()
            out.append(AccountInfo(a.name, a.role, a.person_id, a.active, len(live)))
        return out


def revoke(sessions: sessionmaker[Session], *, name: str, device: str | None = None) -> int:
    """Revoke the account's tokens (one device's only when given; otherwise also disable the account)."""
    with sessions() as s:
        account = s.scalar(select(Account).where(Account.name == name))
        if account is None:
            raise AccountError(f"Utilisateur « {name} » inconnu.")
        query = update(DeviceToken).where(DeviceToken.account_id == account.id, DeviceToken.revoked_at.is_(None))
        if device is not None:
            query = query.where(DeviceToken.device == device)
        else:
            account.active = False
        count = s.execute(query.values(revoked_at=utcnow())).rowcount
        s.commit()
        return count


def check_password(sessions: sessionmaker[Session], name: str, password: str) -> Account | None:
    """The active account when the password is right, else None (constant work for unknown names)."""
    with sessions() as s:
        account = s.scalar(select(Account).where(Account.name == name))
        try:
            _HASHER.verify(account.password_hash if account else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return account if account is not None and account.active else None


def issue_token(sessions: sessionmaker[Session], account: Account, *, device: str,
                ttl: dt.timedelta = TOKEN_TTL) -> tuple[str, dt.datetime]:
    """A new bearer token for one device; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + ttl
    with sessions() as s:
        s.add(DeviceToken(id=str(uuid.uuid4()), account_id=account.id, token_sha256=token_digest(token),
                          device=device[:100], expires_at=expires))
        s.commit()
    return token, expires


def token_for(sessions: sessionmaker[Session], name: str, *, device: str = "test",
              ttl: dt.timedelta = TOKEN_TTL) -> str:
    """A token for an account by name (administration and tests; the API issues tokens at login)."""
    with sessions() as s:
        account = s.scalar(select(Account).where(Account.name == name))
    if account is None:
        raise AccountError(f"Utilisateur « {name} » inconnu.")
    return issue_token(sessions, account, device=device, ttl=ttl)[0]


def principal_for(sessions: sessionmaker[Session], token: str) -> Principal | str:
    """The caller of a token, or the French reason it is refused."""
    now = utcnow()
    with sessions() as s:
        row = s.execute(select(DeviceToken, Account).join(Account, Account.id == DeviceToken.account_id)
                        .where(DeviceToken.token_sha256 == token_digest(token))).first()
        if row is None:
            return "Jeton inconnu : connectez-vous."
        tok, account = row
        if tok.revoked_at is not None or not account.active:
            return "Jeton révoqué par un administrateur : reconnectez-vous."
        if tok.expires_at <= now:
            return "Jeton expiré : reconnectez-vous."
        return Principal(account.id, account.name, account.role, account.person_id, tok.device, tok.id,
                         tok.expires_at)
