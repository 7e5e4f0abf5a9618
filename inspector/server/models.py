"""The agency server's own schema (accounts, tokens, synced records, conflicts, blobs), apart from the laptop's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (the same on SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ServerBase(DeclarativeBase):
    pass


class Account(ServerBase):
    """Someone who may sign in: a role, an argon2 hash, and the person (laptop `users` row) they act as."""

    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DeviceToken(ServerBase):
    """A bearer token given to one device at login; only its SHA-256 is stored. Revocable, with an expiry."""

    __tablename__ = "device_tokens"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginFailure(ServerBase):
    """A failed sign-in, counted per user name and client address for rate limiting."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)


class Sequence(ServerBase):
    """The one server sequence number: every accepted change takes the next value (pulls ask "since N")."""

    __tablename__ = "server_sequence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(BigInteger, default=0)


class Record(ServerBase):
    """The current version of one synced row, as canonical JSON, with the columns access rules look at."""

    __tablename__ = "records"
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    visit_id: Mapped[str | None] = mapped_column(String(36), index=True)
    establishment_id: Mapped[str | None] = mapped_column(String(36), index=True)
    owner_id: Mapped[str | None] = mapped_column(String(36))
    evaluator_id: Mapped[str | None] = mapped_column(String(36))
    second_evaluator_id: Mapped[str | None] = mapped_column(String(36))
    state: Mapped[str | None] = mapped_column(String(20))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    modified_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    modified_by: Mapped[str | None] = mapped_column(String(36))
    device: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (Index("ix_records_visits_access", "table_name", "evaluator_id", "second_evaluator_id"),)


class Conflict(ServerBase):
    """An edit based on a stale version: kept with both contents, never applied over the newer one."""

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    base_version: Mapped[int] = mapped_column(Integer)
    server_version: Mapped[int] = mapped_column(Integer)
    client_digest: Mapped[str] = mapped_column(String(64))
    client_data: Mapped[str] = mapped_column(Text)
    server_data: Mapped[str] = mapped_column(Text)
    fields: Mapped[str] = mapped_column(Text)
    account_id: Mapped[str] = mapped_column(String(36))
    device: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    # How it was closed: client (the laptop's version, re-sent on the server's), merge (field by field), server
    # (the server's version kept), superseded (the resolution met a newer server version: see superseded_by).
    resolution: Mapped[str] = mapped_column(String(20), default="", server_default="")
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(36))  # account id
    resolved_device: Mapped[str | None] = mapped_column(String(100))
    resolution_data: Mapped[str | None] = mapped_column(Text)  # canonical JSON written by a client/merge resolution
    superseded_by: Mapped[str | None] = mapped_column(String(36))  # the conflict the resolution itself became

    __table_args__ = (Index("ix_conflicts_status", "status"),)


class Blob(ServerBase):
    """A complete, verified content-addressed file (photo, PDF, grid) under the blob folder."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by: Mapped[str | None] = mapped_column(String(36))
