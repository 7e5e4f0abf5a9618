"""The laptop's database: typed SQLAlchemy mappings, with sync bookkeeping on every synced row."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    """A UUID made on the laptop: rows keep it when they reach the server."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (SQLite has no time zones)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Synced:
    """Sync bookkeeping: laptop-made UUID, modification time, row version, pending marker."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    pending_sync: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class Organisation(Synced, Base):
    """The agency (organisme accrédité ou agréé)."""

    __tablename__ = "organisations"
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    accreditation_ref: Mapped[str] = mapped_column(String(100), default="")
    accreditation_kind: Mapped[str] = mapped_column(String(20), default="accredited")  # accredited | approved
    accreditation_from: Mapped[dt.date | None] = mapped_column(Date)
    accreditation_until: Mapped[dt.date | None] = mapped_column(Date)
    logo_path: Mapped[str] = mapped_column(String(500), default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")


class User(Synced, Base):
    """An inspector, a partner evaluator, a commission member or an administrator."""

    __tablename__ = "users"
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(30), default="inspector")
    signature_path: Mapped[str] = mapped_column(String(500), default="")


class Owner(Synced, Base):
    """The loueur (and optional mandataire)."""

    __tablename__ = "owners"
    name: Mapped[str] = mapped_column(String(200), index=True)
    company: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    commune: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    mandataire_name: Mapped[str] = mapped_column(String(200), default="")
    mandataire_address: Mapped[str] = mapped_column(Text, default="")
    mandataire_contact: Mapped[str] = mapped_column(String(200), default="")


class Establishment(Synced, Base):
    """A meublé, chambre d'hôtes, restaurant, site… that is classified or labelled."""

    __tablename__ = "establishments"
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200), index=True)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("owners.id"), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    commune: Mapped[str] = mapped_column(String(100), default="", index=True)
    insee_code: Mapped[str] = mapped_column(String(5), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    layout: Mapped[str] = mapped_column(String(40), default="")  # studio, T2, maison 4 chambres…
    rooms: Mapped[int | None] = mapped_column(Integer)
    floor: Mapped[int | None] = mapped_column(Integer)
    collective_building: Mapped[bool] = mapped_column(Boolean, default=False)
    has_lift: Mapped[bool] = mapped_column(Boolean, default=False)
    declaration_number: Mapped[str] = mapped_column(String(40), default="")
    current_category: Mapped[int | None] = mapped_column(Integer)
    category_valid_until: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)  # WGS 84 degrees (Accueil Vélo distance to itineraries)
    longitude: Mapped[float | None] = mapped_column(Float)
    intercommunality: Mapped[str] = mapped_column(String(150), default="", server_default="")  # EPCI (figures)


class EstablishmentLabel(Synced, Base):
    """A label held by an establishment (T&H families, Accueil Vélo typology, CHR), with its validity."""

    __tablename__ = "establishment_labels"
    establishment_id: Mapped[str] = mapped_column(ForeignKey("establishments.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))  # tourisme_handicap | accueil_velo | chambre_hotes_reference
    families: Mapped[list[Any]] = mapped_column(default=list)
    typology: Mapped[str] = mapped_column(String(40), default="")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)


class Visit(Synced, Base):
    """One visit (or one revision of it), pinned to its grid version."""

    __tablename__ = "visits"
    establishment_id: Mapped[str] = mapped_column(ForeignKey("establishments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20), default="planned", index=True)
    requested_category: Mapped[int | None] = mapped_column(Integer)
    proposed_category: Mapped[int | None] = mapped_column(Integer)  # on issue; 0 = non-classement
    requested_families: Mapped[list[Any]] = mapped_column(default=list)
    typology: Mapped[str] = mapped_column(String(40), default="")
    grid_id: Mapped[str] = mapped_column(String(60))
    grid_version: Mapped[str] = mapped_column(String(40))
    grid_sha256: Mapped[str] = mapped_column(String(64))
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evaluator_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    second_evaluator_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    planned_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    visited_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    sent_on: Mapped[dt.date | None] = mapped_column(Date)
    received_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    refused_on: Mapped[dt.date | None] = mapped_column(Date)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    acquired_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, index=True)
    previous_visit_id: Mapped[str | None] = mapped_column(ForeignKey("visits.id"))
    revision_of_id: Mapped[str | None] = mapped_column(ForeignKey("visits.id"))
    revision_number: Mapped[int] = mapped_column(Integer, default=1)
    revision_reason: Mapped[str] = mapped_column(Text, default="")
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    observations_text: Mapped[str] = mapped_column(Text, default="")
    # Label visits: submission to the commission freezes the evaluation; the pair's reasoned opinion; the sworn
    # statement of regulatory compliance (T&H); the prerequisites checked (Accueil Vélo: itinerary, qualification).
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    opinion: Mapped[str] = mapped_column(Text, default="", server_default="")
    sworn_statement_on: Mapped[dt.date | None] = mapped_column(Date)
    sworn_statement_ref: Mapped[str] = mapped_column(Text, default="", server_default="")
    prerequisites: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")

    __table_args__ = (Index("ix_visits_state_planned", "state", "planned_on"),)


class Observation(Base):
    """Append-only log of answers: the current answer of a criterion is its latest observation."""

    __tablename__ = "observations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"))
    criterion: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20), default="")  # T&H family; "" for every level
    value: Mapped[str] = mapped_column(String(10))  # yes | no | na | nc | cleared
    points: Mapped[int | None] = mapped_column(Integer)
    na_reason: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[str] = mapped_column(String(36), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    seq: Mapped[int] = mapped_column(Integer)  # per-visit order of writing (ties of recorded_at)
    undoes_seq: Mapped[int | None] = mapped_column(Integer)  # set when this observation undoes an earlier one
    # The observations of the same criterion and family this one replaces (the answers its author had in front of
    # them). Observations that nothing replaces are the current ones; two of them with different values (two
    # evaluators answering offline) are a disagreement, shown side by side until someone records the agreed answer.
    based_on: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    pending_sync: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (Index("ix_observations_visit_seq", "visit_id", "seq"),
                      Index("ix_observations_pending", "pending_sync"))


class Room(Synced, Base):
    """A measured room of the visited logement."""

    __tablename__ = "rooms"
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="piece")
    surface_m2: Mapped[str] = mapped_column(String(20))  # exact decimal as text
    low_ceiling_m2: Mapped[str] = mapped_column(String(20), default="0")
    sleepers: Mapped[int] = mapped_column(Integer, default=0)
    has_opening: Mapped[bool] = mapped_column(Boolean, default=True)


class Bed(Synced, Base):
    """A measured bed."""

    __tablename__ = "beds"
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    room: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20))
    width_cm: Mapped[int] = mapped_column(Integer)
    length_cm: Mapped[int] = mapped_column(Integer)


class Photo(Synced, Base):
    """A photo: content-addressed file in the data folder, linked to the visit or one criterion."""

    __tablename__ = "photos"
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    criterion: Mapped[str] = mapped_column(String(20), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(300), default="")
    stored_path: Mapped[str] = mapped_column(String(300))
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    caption: Mapped[str] = mapped_column(Text, default="")
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Document(Synced, Base):
    """An issued document: never regenerated in place, a correction is a new revision naming the old one."""

    __tablename__ = "documents"
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    replaces_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    stored_path: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    issued_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class Decision(Synced, Base):
    """A decision on a visit: proposed, acquired, refused or radiated, with its validity."""

    __tablename__ = "decisions"
    visit_id: Mapped[str | None] = mapped_column(ForeignKey("visits.id"), index=True)
    establishment_id: Mapped[str] = mapped_column(ForeignKey("establishments.id"), index=True)
    subject: Mapped[str] = mapped_column(String(40))  # meuble_category | tourisme_handicap | accueil_velo | chr
    status: Mapped[str] = mapped_column(String(20))  # proposed | acquired | refused | radiated
    category: Mapped[int | None] = mapped_column(Integer)
    families: Mapped[list[Any]] = mapped_column(default=list)
    decided_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")  # per family, motivation…


class CommissionSession(Synced, Base):
    """A sitting of the labels commission: when, where, who was there, and its minutes once closed."""

    __tablename__ = "commission_sessions"
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(Text, default="")
    labels: Mapped[list[Any]] = mapped_column(default=list)  # the labels on its agenda (tourisme_handicap…)
    chair: Mapped[str] = mapped_column(String(200), default="")
    # [{"name", "body", "college": tourism | disability | state | other, "present": bool}]
    members: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned | held | closed
    notes: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    minutes_path: Mapped[str] = mapped_column(String(300), default="")  # the procès-verbal, content-addressed
    minutes_sha256: Mapped[str] = mapped_column(String(64), default="")


class CommissionItem(Synced, Base):
    """One dossier (a submitted label visit) on a session's agenda, and the decision taken on it."""

    __tablename__ = "commission_items"
    session_id: Mapped[str] = mapped_column(ForeignKey("commission_sessions.id"), index=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    decision_id: Mapped[str | None] = mapped_column(ForeignKey("decisions.id"))
    notes: Mapped[str] = mapped_column(Text, default="")


class AuditEntry(Base):
    """Who changed what, when (append-only)."""

    __tablename__ = "audit_log"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(60))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Tombstone(Base):
    """A deleted synced row, kept so that the deletion reaches the server."""

    __tablename__ = "tombstones"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    deleted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    pending_sync: Mapped[bool] = mapped_column(Boolean, default=True)


class Setting(Base):
    """Business configuration stored with the data (photo size, device id…)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
