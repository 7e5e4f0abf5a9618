"""Establishment cards: read, check and update an establishment and its owner; search establishments."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, func, or_, select
from sqlalchemy.orm import Session

from ..db.database import Database
from ..db.models import Establishment, Owner, Visit
from .common import Changed, NotFound, OpResult, ServiceError, audit

# Fields the card edits (identity, category and sync bookkeeping are not edited here).
ESTABLISHMENT_FIELDS = ("name", "address", "postcode", "commune", "insee_code", "latitude", "longitude", "capacity",
                        "layout", "rooms", "floor", "collective_building", "has_lift", "declaration_number", "notes")
OWNER_FIELDS = ("name", "company", "address", "postcode", "commune", "email", "phone", "mandataire_name",
                "mandataire_address", "mandataire_contact")
# Visits a renewal links to (the same rule as visits.create_visit).
PREVIOUS_VISIT_STATES = ("issued", "acquired", "refused", "completed")
OPEN_VISIT_STATES = ("planned", "in_progress")
CLASSEMENT_KINDS = ("classement", "renouvellement")

_FIELD_LABELS = {
    "name": "nom", "company": "société", "address": "adresse", "postcode": "code postal", "commune": "commune",
    "insee_code": "code INSEE", "capacity": "capacité", "layout": "agencement", "rooms": "nombre de pièces",
    "floor": "étage", "collective_building": "immeuble collectif", "has_lift": "ascenseur",
    "declaration_number": "numéro de déclaration", "notes": "notes", "email": "e-mail", "phone": "téléphone",
    "mandataire_name": "nom du mandataire", "mandataire_address": "adresse du mandataire",
    "mandataire_contact": "contact du mandataire", "latitude": "latitude", "longitude": "longitude",
}
_POSTCODE = re.compile(r"\d{5}")
_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_INT = re.compile(r"[+-]?\d+")
_GROUND_FLOOR = frozenset({"rdc", "rez-de-chaussee", "rez de chaussee"})
_TEXT_AREAS = frozenset({"address", "notes", "mandataire_address"})


class InvalidFields(ServiceError):
    """Some fields are refused: `problems` maps each field name to a French message; nothing was written."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("\n".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class EstablishmentCard:
    """An establishment and its owner as plain data (owner fields prefixed `owner_`; empty when there is none)."""

    id: str
    kind: str
    name: str
    address: str
    postcode: str
    commune: str
    insee_code: str
    capacity: int | None
    layout: str
    rooms: int | None
    floor: int | None
    collective_building: bool
    has_lift: bool
    declaration_number: str
    current_category: int | None
    category_valid_until: dt.date | None
    notes: str
    row_version: int
    owner_id: str | None
    owner_name: str
    owner_company: str
    owner_address: str
    owner_postcode: str
    owner_commune: str
    owner_email: str
    owner_phone: str
    owner_mandataire_name: str
    owner_mandataire_address: str
    owner_mandataire_contact: str
    owner_row_version: int | None
    last_visit_id: str | None = None
    latitude: float | None = None  # WGS 84 decimal degrees
    longitude: float | None = None


@dataclass(frozen=True)
class EstablishmentRow:
    """One line of an establishment search: plain data, safe to hand to another thread or a Qt model."""

    id: str
    kind: str
    name: str
    commune: str
    postcode: str
    owner: str
    current_category: int | None
    category_valid_until: dt.date | None
    last_visit_id: str | None
    last_visit_kind: str | None = None
    last_visit_state: str | None = None
    last_visit_on: dt.date | None = None
    open_visit_id: str | None = None  # a visit already planned or in progress

    @property
    def suggested_visit_kind(self) -> str:
        """"renouvellement" for a classified meublé (or one whose last classement was acquired), else "classement".

        A visite conseil or a refused classement before does not make the next visit a renewal.
        """
        acquired = self.last_visit_kind in CLASSEMENT_KINDS and self.last_visit_state == "acquired"
        return "renouvellement" if self.current_category or acquired else "classement"


def _label(field: str) -> str:
    return _FIELD_LABELS.get(field, field)


def _max_len(model: type, field: str) -> int | None:
    column_type = model.__table__.c[field].type
    return column_type.length if isinstance(column_type, String) else None


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"Le champ « {_label(field)} » attend du texte.")
    return value.strip() if field in _TEXT_AREAS else " ".join(value.split())


def _int(value: Any, field: str, *, minimum: int | None = None, required: bool = False) -> int | None:
    if isinstance(value, str):
        text = value.strip()
        if field == "floor" and text.lower().replace("é", "e").rstrip(".") in _GROUND_FLOOR:
            return 0
        if not text:
            value = None
        elif _INT.fullmatch(text):
            value = int(text)
        else:
            raise ValueError(f"Le champ « {_label(field)} » attend un nombre entier (« {text} »).")
    if value is None:
        if required:
            raise ValueError(f"Le champ « {_label(field)} » est obligatoire.")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Le champ « {_label(field)} » attend un nombre entier (« {value} »).")
    if minimum is not None and value < minimum:
        raise ValueError(f"Le champ « {_label(field)} » doit valoir au moins {minimum} (« {value} »).")
    return value


def _coordinate(value: Any, field: str) -> float | None:
    """WGS 84 decimal degrees ("50,8721", "50.8721°", 50.8721); empty -> None."""
    limit = 90 if field == "latitude" else 180
    shown = "" if value is None else str(value).strip()
    if isinstance(value, str):
        text = value.strip().rstrip("°").strip().replace(",", ".").replace(" ", "")
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"La {field} attend des degrés décimaux WGS 84, par exemple "
                             f"{'50,8721' if limit == 90 else '1,5836'} (« {shown} »).") from None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ValueError(f"La {field} attend des degrés décimaux WGS 84 (« {shown} »).")
    if not -limit <= value <= limit:
        raise ValueError(f"La {field} doit être comprise entre −{limit} et {limit} degrés (« {shown} »).")
    return round(float(value), 7)


def _check_one(model: type, kind: str | None, field: str, value: Any) -> Any:
    """The cleaned value of one field, or ValueError with a French message."""
    if field in ("latitude", "longitude"):
        return _coordinate(value, field)
    if field in ("collective_building", "has_lift"):
        if not isinstance(value, bool):
            raise ValueError(f"Le champ « {_label(field)} » attend oui ou non.")
        return value
    if field == "capacity":
        if kind == "meuble":
            try:
                return _int(value, field, minimum=1, required=True)
            except ValueError:
                shown = "" if value is None else str(value).strip()
                raise ValueError("La capacité d'un meublé doit être un nombre entier de personnes, au moins 1"
                                 + (f" (« {shown} »)." if shown else ".")) from None
        return _int(value, field, minimum=0)
    if field == "rooms":
        return _int(value, field, minimum=0)
    if field == "floor":
        return _int(value, field)
    text = _text(value, field)
    if field == "name" and not text:
        raise ValueError("Le nom est obligatoire.")
    if field == "postcode" and text and not _POSTCODE.fullmatch(text.replace(" ", "")):
        raise ValueError(f"« {text} » n'est pas un code postal (5 chiffres).")
    if field == "postcode":
        text = text.replace(" ", "")
    if field == "insee_code":
        text = text.replace(" ", "").upper()
        if text and not _INSEE.fullmatch(text):
            raise ValueError(f"« {text} » n'est pas un code INSEE (5 caractères : des chiffres, ou 2A/2B pour la "
                             "Corse).")
    if field == "email" and text and not _EMAIL.fullmatch(text):
        raise ValueError(f"« {text} » n'est pas une adresse e-mail.")
    limit = _max_len(model, field)
    if limit and len(text) > limit:
        raise ValueError(f"Le champ « {_label(field)} » est trop long ({len(text)} caractères, {limit} au plus).")
    return text


def _check(model: type, allowed: tuple[str, ...], kind: str | None, fields: dict[str, Any],
           what: str) -> tuple[dict[str, Any], dict[str, str]]:
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise ServiceError(f"Champ(s) inconnu(s) pour {what} : {', '.join(unknown)} "
                           f"(modifiables : {', '.join(allowed)}).")
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field, value in fields.items():
        try:
            clean[field] = _check_one(model, kind, field, value)
        except ValueError as exc:
            problems[field] = str(exc)
    return clean, problems


def check_establishment_fields(kind: str | None, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Cleaned values and the problems (field -> French message) of establishment fields; touches no database.

    `kind` is the establishment's kind ("meuble" requires a capacity of at least 1). Unknown fields raise
    ServiceError. Pure: a form may call it on every keystroke.
    """
    return _check(Establishment, ESTABLISHMENT_FIELDS, kind, fields, "un établissement")


def check_owner_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Cleaned values and the problems (field -> French message) of owner fields; touches no database."""
    return _check(Owner, OWNER_FIELDS, None, fields, "un propriétaire")


def _last_visit_stmt(establishment_id: Any, column: Any = Visit.id) -> Any:
    return (select(column)
            .where(Visit.establishment_id == establishment_id, Visit.superseded.is_(False),
                   Visit.state.in_(PREVIOUS_VISIT_STATES))
            .order_by(Visit.visited_on.desc(), Visit.created_at.desc()).limit(1))


def last_visit_id(db: Database, establishment_id: str) -> str | None:
    """The visit a renewal of this establishment would follow (latest finished visit), or None."""
    with db.session() as s:
        return s.scalar(_last_visit_stmt(establishment_id))


def get_card(db: Database, establishment_id: str) -> EstablishmentCard:
    """The establishment and its owner as plain data."""
    with db.session() as s:
        e = s.get(Establishment, establishment_id)
        if e is None:
            raise NotFound(f"Établissement {establishment_id} introuvable.")
        o = s.get(Owner, e.owner_id) if e.owner_id else None
        return EstablishmentCard(
            id=e.id, kind=e.kind, name=e.name, address=e.address, postcode=e.postcode, commune=e.commune,
            insee_code=e.insee_code, capacity=e.capacity, layout=e.layout, rooms=e.rooms, floor=e.floor,
            collective_building=bool(e.collective_building), has_lift=bool(e.has_lift),
            declaration_number=e.declaration_number, current_category=e.current_category,
            category_valid_until=e.category_valid_until, notes=e.notes, row_version=e.row_version,
            owner_id=o.id if o else None, owner_name=o.name if o else "", owner_company=o.company if o else "",
            owner_address=o.address if o else "", owner_postcode=o.postcode if o else "",
            owner_commune=o.commune if o else "", owner_email=o.email if o else "",
            owner_phone=o.phone if o else "", owner_mandataire_name=o.mandataire_name if o else "",
            owner_mandataire_address=o.mandataire_address if o else "",
            owner_mandataire_contact=o.mandataire_contact if o else "",
            owner_row_version=o.row_version if o else None,
            last_visit_id=s.scalar(_last_visit_stmt(e.id)), latitude=e.latitude, longitude=e.longitude)


def _apply(session: Session, row: Establishment | Owner, table: str, clean: dict[str, Any], user_id: str | None,
           action: str, changed: Changed) -> None:
    before = {f: getattr(row, f) for f in clean if getattr(row, f) != clean[f]}
    if not before:
        return
    after = {f: clean[f] for f in before}
    for field, value in after.items():
        setattr(row, field, value)
    row.row_version = (row.row_version or 0) + 1
    row.pending_sync = True
    audit(session, user_id=user_id, action=action, table=table, row_id=row.id, before=before, after=after)
    changed.add(table, row.id)


def _check_version(row: Establishment | Owner, expected: int | None, what: str) -> None:
    if expected is not None and row.row_version != expected:
        raise ServiceError(f"{what} a été modifié entre-temps (version {row.row_version}, vous aviez la version "
                           f"{expected}) : rouvrez la fiche pour voir les changements.")


def update_establishment(db: Database, *, establishment_id: str, user_id: str | None = None,
                         expected_version: int | None = None, **fields: Any) -> OpResult[str]:
    """Change establishment fields; InvalidFields (field -> message) if any is refused, nothing written then.

    Only fields whose value differs are written; the row version is bumped once and the audit keeps before/after.
    `expected_version` (the card's row_version) refuses to overwrite a change made in between.
    """
    return save_card(db, establishment_id=establishment_id, establishment=fields, user_id=user_id,
                     expected_version=expected_version)


def update_owner(db: Database, *, owner_id: str, user_id: str | None = None, expected_version: int | None = None,
                 **fields: Any) -> OpResult[str]:
    """Change owner fields; InvalidFields (field -> message) if any is refused, nothing written then."""
    clean, problems = check_owner_fields(fields)
    if problems:
        raise InvalidFields(problems)
    changed = Changed()
    with db.session() as s:
        owner = s.get(Owner, owner_id)
        if owner is None:
            raise NotFound(f"Propriétaire {owner_id} introuvable.")
        _check_version(owner, expected_version, "Le propriétaire")
        _apply(s, owner, "owners", clean, user_id, "owner.update", changed)
        s.commit()
    return OpResult(owner_id, changed)


def save_card(db: Database, *, establishment_id: str, establishment: dict[str, Any] | None = None,
              owner: dict[str, Any] | None = None, user_id: str | None = None, expected_version: int | None = None,
              expected_owner_version: int | None = None) -> OpResult[str]:
    """Save a card's establishment and owner fields in one transaction (all or nothing).

    InvalidFields names establishment fields as they are and owner fields prefixed `owner_` (as on the card).
    """
    establishment, owner = dict(establishment or {}), dict(owner or {})
    changed = Changed()
    with db.session() as s:
        est = s.get(Establishment, establishment_id)
        if est is None:
            raise NotFound(f"Établissement {establishment_id} introuvable.")
        clean, problems = check_establishment_fields(est.kind, establishment)
        owner_clean, owner_problems = check_owner_fields(owner)
        problems.update({f"owner_{k}": v for k, v in owner_problems.items()})
        if problems:
            raise InvalidFields(problems)
        _check_version(est, expected_version, "L'établissement")
        _apply(s, est, "establishments", clean, user_id, "establishment.update", changed)
        if owner_clean:
            if est.owner_id is None:
                raise ServiceError("Cet établissement n'a pas de propriétaire enregistré.")
            o = s.get(Owner, est.owner_id)
            if o is None:
                raise NotFound(f"Propriétaire {est.owner_id} introuvable.")
            _check_version(o, expected_owner_version, "Le propriétaire")
            _apply(s, o, "owners", owner_clean, user_id, "owner.update", changed)
        s.commit()
    return OpResult(establishment_id, changed)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_establishments(db: Database, text: str, limit: int = 50,
                          kinds: tuple[str, ...] | None = None) -> list[EstablishmentRow]:
    """Establishments whose name, commune or owner contains every word typed (accents and case ignored).

    An exact postcode or INSEE code also matches; empty text lists the first `limit` by name. `kinds` keeps only
    those establishment kinds (e.g. ("meuble",) for a meublé visit).
    """
    last = [_last_visit_stmt(Establishment.id, column).scalar_subquery()
            for column in (Visit.id, Visit.kind, Visit.state, Visit.visited_on)]
    open_visit = (select(Visit.id).where(Visit.establishment_id == Establishment.id, Visit.superseded.is_(False),
                                         Visit.state.in_(OPEN_VISIT_STATES))
                  .order_by(Visit.planned_on, Visit.id).limit(1).scalar_subquery())
    stmt = (select(Establishment.id, Establishment.kind, Establishment.name, Establishment.commune,
                   Establishment.postcode, func.coalesce(Owner.name, ""), Establishment.current_category,
                   Establishment.category_valid_until, *last, open_visit)
            .outerjoin(Owner, Owner.id == Establishment.owner_id))
    words = (text or "").split()
    conditions = []
    for word in words:
        pattern = func.fold(f"%{_escape_like(word)}%")
        conditions.append(or_(func.fold(Establishment.name).like(pattern, escape="\\"),
                              func.fold(Establishment.commune).like(pattern, escape="\\"),
                              func.fold(Owner.name).like(pattern, escape="\\"),
                              Establishment.postcode == word, func.upper(Establishment.insee_code) == word.upper()))
    if kinds:
        conditions.append(Establishment.kind.in_(kinds))
    if conditions:
        stmt = stmt.where(and_(*conditions))
    stmt = stmt.order_by(func.fold(Establishment.name), Establishment.commune, Establishment.id).limit(limit)
    with db.session() as s:
        return [EstablishmentRow(*r) for r in s.execute(stmt).all()]
