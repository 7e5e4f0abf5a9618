"""The labels commission: sessions, their agenda of submitted dossiers, decisions, procès-verbal and letters.

A session (date, place, chair, members by college) examines the label evaluations submitted since the last one
(Tourisme & Handicap, Chambre d'hôtes Référence; Accueil Vélo where the agency uses a committee, setting
"commission_labels"). Each dossier is decided through `label_decisions.record_label_decision` (per family for T&H,
motivated when the commission departs from the computed proposal), dated on the session's day: the decision sets
the establishment's label and its validity, and syncs with the decisions. Adjourned dossiers come back on the next
session's agenda. Closing the session writes its procès-verbal (content-addressed PDF in the documents folder); the
notification letters (one per decided dossier) and the Chambre d'hôtes Référence attestations are issued as
documents of the visits, once each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.database import Database
from ..db.models import (
    CommissionItem,
    CommissionSession,
    Decision,
    Establishment,
    Setting,
    User,
    Visit,
)
from .commission_dossier import Dossier, computed_proposal, decided_proposal
from .commission_dossier import dossier as _dossier
from .common import Changed, NotFound, OpResult, ServiceError, audit, tombstone
from .documents import documents_root
from .label_decisions import LABEL_NAMES, LabelDecision, _info, record_label_decision
from .visits import VISIT_KINDS

__all__ = ["COLLEGES", "DEFAULT_LABELS", "AgendaItem", "Dossier", "Member", "SessionInfo", "add_to_agenda", "agenda",
           "build_agenda", "commission_labels", "create_session", "decide_item", "dossier", "get_session",
           "list_sessions", "pending_dossiers", "remove_from_agenda", "update_session"]

COLLEGES: dict[str, str] = {
    "tourism": "Organismes de tourisme",
    "disability": "Associations de personnes handicapées",
    "state": "Services de l'État",
    "other": "Autres membres",
}
DEFAULT_LABELS = ("tourisme_handicap", "chambre_hotes_reference")
LABELS_SETTING = "commission_labels"
STATUSES = ("planned", "held", "closed")
STATUS_FR = {"planned": "prévue", "held": "tenue", "closed": "close"}
LABEL_SHORT = {"tourisme_handicap": "Tourisme & Handicap", "chambre_hotes_reference": "Chambre d'hôtes Référence",
               "accueil_velo": "Accueil Vélo"}


@dataclass(frozen=True)
class Member:
    """A member of the commission: name, body represented, college, present or excused."""

    name: str
    body: str = ""
    college: str = "other"
    present: bool = True


@dataclass(frozen=True)
class SessionInfo:
    id: str
    held_on: dt.date
    place: str
    labels: tuple[str, ...]
    chair: str
    members: tuple[Member, ...]
    status: str
    notes: str
    item_count: int
    decided_count: int
    minutes_path: str  # "" until closed (absolute path)
    minutes_sha256: str = ""
    closed_at: dt.datetime | None = None

    @property
    def title(self) -> str:
        return f"Commission du {self.held_on:%d/%m/%Y}"


@dataclass(frozen=True)
class AgendaItem:
    id: str
    session_id: str
    visit_id: str
    position: int
    establishment_id: str
    establishment_name: str
    commune: str
    label: str
    label_name: str
    visit_kind: str
    families: tuple[str, ...]
    typology: str
    evaluators: tuple[str, ...]
    submitted_at: dt.datetime | None
    proposal: str
    decision: LabelDecision | None
    notes: str


# ----- helpers ------------------------------------------------------------------------------------------------


def decided_by(held_on: dt.date) -> str:
    """How a decision of the session is signed in the decision record."""
    return f"Commission du {held_on:%d/%m/%Y}"


def commission_labels(db: Database) -> tuple[str, ...]:
    """The labels examined by the commission: setting "commission_labels" (a list of label codes), else T&H and
    Chambre d'hôtes Référence."""
    with db.session() as s:
        row = s.get(Setting, LABELS_SETTING)
        value = row.value if row is not None else None
    if isinstance(value, list) and value:
        return tuple(str(x) for x in value if str(x) in LABEL_NAMES) or DEFAULT_LABELS
    return DEFAULT_LABELS


def _labels(labels: Any) -> list[str]:
    out: list[str] = []
    for code in labels or ():
        code = str(code).strip()
        if code not in LABEL_NAMES:
            raise ServiceError(f"Label « {code} » inconnu (choix : {', '.join(LABEL_NAMES)}).")
        if code not in out:
            out.append(code)
    if not out:
        raise ServiceError("Choisissez au moins un label examiné par la commission.")
    return out


def _members(members: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, m in enumerate(members or (), 1):
        if isinstance(m, Member):
            m = {"name": m.name, "body": m.body, "college": m.college, "present": m.present}
        if not isinstance(m, dict):
            raise ServiceError(f"Membre n° {i} : nom, organisme, collège et présence attendus.")
        name = str(m.get("name") or "").strip()
        college = str(m.get("college") or "other").strip()
        if not name:
            raise ServiceError(f"Membre n° {i} : le nom manque.")
        if college not in COLLEGES:
            raise ServiceError(f"Membre « {name} » : collège « {college} » inconnu (choix : "
                               + ", ".join(f"{k} = {v}" for k, v in COLLEGES.items()) + ").")
        out.append({"name": name, "body": str(m.get("body") or "").strip(), "college": college,
                    "present": bool(m.get("present", True))})
    return out


def _place(place: Any) -> str:
    text = str(place or "").strip()
    if not text:
        raise ServiceError("Le lieu de la séance manque.")
    return text


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ServiceError("La date de la séance manque ou n'est pas une date.")


def _session(s: Any, session_id: str) -> CommissionSession:
    row = s.get(CommissionSession, session_id)
    if row is None:
        raise NotFound(f"Séance de commission {session_id} introuvable.")
    return row


def _open(row: CommissionSession) -> None:
    if row.status == "closed":
        raise ServiceError(f"La séance du {row.held_on:%d/%m/%Y} est close (procès-verbal établi) : elle ne peut "
                           "plus être modifiée.")


def _session_info(db: Database, row: CommissionSession, counts: tuple[int, int]) -> SessionInfo:
    path = str(documents_root(db) / row.minutes_path) if row.minutes_path else ""
    members = tuple(Member(m.get("name", ""), m.get("body", ""), m.get("college", "other"),
                           bool(m.get("present", True))) for m in (row.members or ()))
    return SessionInfo(id=row.id, held_on=row.held_on, place=row.place, labels=tuple(row.labels or ()),
                       chair=row.chair, members=members, status=row.status, notes=row.notes,
                       item_count=counts[0], decided_count=counts[1], minutes_path=path,
                       minutes_sha256=row.minutes_sha256, closed_at=row.closed_at)


def _counts(s: Any, session_ids: list[str]) -> dict[str, tuple[int, int]]:
    out: dict[str, list[int]] = {sid: [0, 0] for sid in session_ids}
    if session_ids:
        for sid, decision_id in s.execute(select(CommissionItem.session_id, CommissionItem.decision_id)
                                          .where(CommissionItem.session_id.in_(session_ids))):
            out[sid][0] += 1
            out[sid][1] += decision_id is not None
    return {k: (v[0], v[1]) for k, v in out.items()}


# ----- sessions -----------------------------------------------------------------------------------------------


def create_session(db: Database, *, held_on: dt.date, place: str, labels: Any = None, chair: str = "",
                   members: Any = None, notes: str = "", user_id: str | None = None) -> OpResult[str]:
    """Plan a session of the commission (status « planned »)."""
    held_on = _date(held_on)
    place = _place(place)
    codes = _labels(labels if labels is not None else commission_labels(db))
    people = _members(members)
    with db.session() as s:
        row = CommissionSession(held_on=held_on, place=place, labels=codes, chair=(chair or "").strip(),
                                members=people, status="planned", notes=(notes or "").strip(), pending_sync=True)
        s.add(row)
        s.flush()
        audit(s, user_id=user_id, action="commission.create", table="commission_sessions", row_id=row.id,
              held_on=held_on, place=place, labels=codes, chair=row.chair, members=len(people))
        s.commit()
        return OpResult(row.id, Changed().add("commission_sessions", row.id))


def update_session(db: Database, *, session_id: str, held_on: dt.date | None = None, place: str | None = None,
                   labels: Any = None, chair: str | None = None, members: Any = None, notes: str | None = None,
                   user_id: str | None = None) -> OpResult[str]:
    """Change what is given (None keeps it). Refused once the session is closed; its date cannot change once a
    decision carries it, nor may a label with dossiers on the agenda be removed."""
    with db.session() as s:
        row = _session(s, session_id)
        _open(row)
        before = {"held_on": row.held_on, "place": row.place, "labels": list(row.labels or []), "chair": row.chair,
                  "members": list(row.members or []), "notes": row.notes}
        items = s.scalars(select(CommissionItem).where(CommissionItem.session_id == session_id)).all()
        if held_on is not None:
            held_on = _date(held_on)
            if held_on != row.held_on and any(i.decision_id for i in items):
                raise ServiceError(f"Des décisions datées du {row.held_on:%d/%m/%Y} sont déjà enregistrées : la date "
                                   "de la séance ne peut plus changer.")
            row.held_on = held_on
        if place is not None:
            row.place = _place(place)
        if labels is not None:
            codes = _labels(labels)
            used = {VISIT_KINDS.get(v.kind) for v in (s.get(Visit, i.visit_id) for i in items) if v is not None}
            dropped = sorted(c for c in used if c and c not in codes)
            if dropped:
                raise ServiceError("Des dossiers à l'ordre du jour relèvent de : "
                                   + ", ".join(LABEL_SHORT.get(c, c) for c in dropped)
                                   + " ; retirez-les de l'ordre du jour avant de retirer ce label.")
            row.labels = codes
        if chair is not None:
            row.chair = chair.strip()
        if members is not None:
            row.members = _members(members)
        if notes is not None:
            row.notes = notes.strip()
        row.row_version = (row.row_version or 0) + 1
        row.pending_sync = True
        audit(s, user_id=user_id, action="commission.update", table="commission_sessions", row_id=row.id,
              before=before)
        s.commit()
        return OpResult(row.id, Changed().add("commission_sessions", row.id))


def list_sessions(db: Database) -> list[SessionInfo]:
    """Every session, newest first."""
    with db.session() as s:
        rows = s.scalars(select(CommissionSession).order_by(CommissionSession.held_on.desc(),
                                                            CommissionSession.created_at.desc())).all()
        counts = _counts(s, [r.id for r in rows])
        return [_session_info(db, r, counts[r.id]) for r in rows]


def get_session(db: Database, session_id: str) -> SessionInfo:
    with db.session() as s:
        row = _session(s, session_id)
        return _session_info(db, row, _counts(s, [row.id])[row.id])


# ----- agenda -------------------------------------------------------------------------------------------------


def _candidates(s: Any, labels: tuple[str, ...]) -> list[Visit]:
    kinds = [k for k, lab in VISIT_KINDS.items() if lab in labels and k != "th_conseil"]
    return list(s.scalars(select(Visit).where(Visit.state == "submitted", Visit.superseded.is_(False),
                                              Visit.kind.in_(kinds))
                          .order_by(Visit.submitted_at, Visit.created_at)))


def _busy(s: Any) -> set[str]:
    """Visits waiting on the agenda of a session that is not closed (not decided yet there)."""
    rows = s.execute(select(CommissionItem.visit_id)
                     .join(CommissionSession, CommissionSession.id == CommissionItem.session_id)
                     .where(CommissionSession.status != "closed", CommissionItem.decision_id.is_(None))).all()
    return {r[0] for r in rows}


def _finally_decided(s: Any, visit_ids: list[str]) -> set[str]:
    if not visit_ids:
        return set()
    rows = s.execute(select(Decision.visit_id).where(Decision.visit_id.in_(visit_ids),
                                                     Decision.status.in_(("acquired", "refused")))).all()
    return {r[0] for r in rows}


def pending_dossiers(db: Database, *, labels: Any = None) -> list[str]:
    """Visit ids waiting for the commission: submitted label evaluations of these labels (default: the
    commission's), with no decision yet other than an adjournment, not waiting on an open session's agenda."""
    codes = tuple(_labels(labels)) if labels is not None else commission_labels(db)
    with db.session() as s:
        visits = _candidates(s, codes)
        busy = _busy(s)
        done = _finally_decided(s, [v.id for v in visits])
        return [v.id for v in visits if v.id not in busy and v.id not in done]


def _next_position(s: Any, session_id: str) -> int:
    positions = s.scalars(select(CommissionItem.position).where(CommissionItem.session_id == session_id)).all()
    return max(positions, default=0) + 1


def build_agenda(db: Database, *, session_id: str, user_id: str | None = None) -> OpResult[list[str]]:
    """Add to the session's agenda every pending dossier of its labels (adjourned dossiers come back), oldest
    submission first; idempotent. Returns the ids of the items added."""
    changed = Changed()
    added: list[str] = []
    with db.session() as s:
        row = _session(s, session_id)
        _open(row)
        visits = _candidates(s, tuple(row.labels or ()))
        busy = _busy(s)
        done = _finally_decided(s, [v.id for v in visits])
        here = set(s.scalars(select(CommissionItem.visit_id).where(CommissionItem.session_id == session_id)))
        position = _next_position(s, session_id)
        for v in visits:
            if v.id in busy or v.id in done or v.id in here:
                continue
            item = CommissionItem(session_id=session_id, visit_id=v.id, position=position, pending_sync=True)
            position += 1
            s.add(item)
            s.flush()
            added.append(item.id)
            changed.add("commission_items", item.id)
        if added:
            audit(s, user_id=user_id, action="commission.agenda", table="commission_sessions", row_id=session_id,
                  added=[i for i in added])
        s.commit()
    return OpResult(added, changed)


def add_to_agenda(db: Database, *, session_id: str, visit_id: str, user_id: str | None = None) -> OpResult[str]:
    """Put one submitted dossier on the agenda (refused when it is not pending or already there)."""
    with db.session() as s:
        row = _session(s, session_id)
        _open(row)
        v = s.get(Visit, visit_id)
        if v is None:
            raise NotFound(f"Visite {visit_id} introuvable.")
        label = VISIT_KINDS.get(v.kind)
        if label not in LABEL_NAMES or v.kind == "th_conseil":
            raise ServiceError("Seules les évaluations de label (hors visites-conseils) passent en commission.")
        if label not in (row.labels or ()):
            raise ServiceError(f"La séance n'examine pas la {LABEL_NAMES[label]} (labels de la séance : "
                               + ", ".join(LABEL_SHORT.get(c, c) for c in row.labels or ()) + ").")
        if v.superseded or v.state != "submitted":
            raise ServiceError(f"Le dossier n'est pas soumis à la commission (visite « {v.state} »).")
        if s.scalar(select(CommissionItem.id).where(CommissionItem.session_id == session_id,
                                                    CommissionItem.visit_id == visit_id)):
            raise ServiceError("Ce dossier est déjà à l'ordre du jour de la séance.")
        if visit_id in _busy(s):
            raise ServiceError("Ce dossier attend déjà à l'ordre du jour d'une autre séance ouverte : retirez-le "
                               "d'abord de celle-ci.")
        if visit_id in _finally_decided(s, [visit_id]):
            raise ServiceError("Ce dossier a déjà reçu sa décision.")
        item = CommissionItem(session_id=session_id, visit_id=visit_id, position=_next_position(s, session_id),
                              pending_sync=True)
        s.add(item)
        s.flush()
        audit(s, user_id=user_id, action="commission.agenda_add", table="commission_items", row_id=item.id,
              session_id=session_id, visit=visit_id)
        s.commit()
        return OpResult(item.id, Changed().add("commission_items", item.id))


def remove_from_agenda(db: Database, *, item_id: str, user_id: str | None = None) -> OpResult[str]:
    """Take an undecided dossier off the agenda (it becomes pending again)."""
    with db.session() as s:
        item = s.get(CommissionItem, item_id)
        if item is None:
            raise NotFound(f"Dossier {item_id} introuvable à l'ordre du jour.")
        _open(_session(s, item.session_id))
        if item.decision_id:
            raise ServiceError("Ce dossier a reçu sa décision : il ne peut plus être retiré de l'ordre du jour.")
        session_id, visit_id = item.session_id, item.visit_id
        s.delete(item)
        tombstone(s, "commission_items", item_id)
        audit(s, user_id=user_id, action="commission.agenda_remove", table="commission_items", row_id=item_id,
              session_id=session_id, visit=visit_id)
        s.commit()
    return OpResult(item_id, Changed().add("commission_items", item_id).add("commission_sessions", session_id))


def agenda(db: Database, session_id: str) -> list[AgendaItem]:
    """The session's dossiers in agenda order, with the computed proposal and the decision once taken."""
    with db.session() as s:
        _session(s, session_id)
        rows = s.execute(select(CommissionItem, Visit, Establishment)
                         .join(Visit, Visit.id == CommissionItem.visit_id)
                         .join(Establishment, Establishment.id == Visit.establishment_id)
                         .where(CommissionItem.session_id == session_id)
                         .order_by(CommissionItem.position, CommissionItem.created_at)).all()
        user_ids = {u for _, v, _ in rows for u in (v.evaluator_id, v.second_evaluator_id) if u}
        names = dict(s.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
        decisions = {d.id: _info(d) for d in s.scalars(select(Decision).where(
            Decision.id.in_([i.decision_id for i, _, _ in rows if i.decision_id])))}
        plain = [(i.id, i.visit_id, i.position, i.decision_id, i.notes, v.kind, list(v.requested_families or ()),
                  v.typology, tuple(names[u] for u in (v.evaluator_id, v.second_evaluator_id) if u in names),
                  v.submitted_at, e.id, e.name, e.commune) for i, v, e in rows]
    out = []
    for (iid, vid, pos, did, notes, kind, fams, typology, evaluators, submitted, eid, ename, commune) in plain:
        label = VISIT_KINDS.get(kind, "")
        decision = decisions.get(did) if did else None
        if decision is not None:
            proposal = decided_proposal(decision)
        else:
            try:
                proposal = computed_proposal(db, vid)[1]
            except ServiceError as exc:
                proposal = f"Calcul impossible : {exc}"
        out.append(AgendaItem(id=iid, session_id=session_id, visit_id=vid, position=pos, establishment_id=eid,
                              establishment_name=ename, commune=commune, label=label,
                              label_name=LABEL_NAMES.get(label, label),
                              visit_kind=kind, families=tuple(fams) if label == "tourisme_handicap" else (),
                              typology=typology, evaluators=evaluators, submitted_at=submitted, proposal=proposal,
                              decision=decision, notes=notes))
    return out


def dossier(db: Database, visit_id: str) -> Dossier:
    """Everything the commission needs on one visit (see commission_dossier.Dossier)."""
    return _dossier(db, visit_id)


# ----- decisions and closing ----------------------------------------------------------------------------------


def decide_item(db: Database, *, item_id: str, outcome: str, families: dict[str, Any] | None = None,
                motivation: str = "", refusal_reason: str = "", user_id: str | None = None
                ) -> OpResult[LabelDecision]:
    """Record the commission's decision on one dossier (label_decisions.record_label_decision, dated on the
    session's day), link it to the agenda item, and mark the session « held »."""
    with db.session() as s:
        item = s.get(CommissionItem, item_id)
        if item is None:
            raise NotFound(f"Dossier {item_id} introuvable à l'ordre du jour.")
        row = _session(s, item.session_id)
        _open(row)
        if item.decision_id:
            raise ServiceError("La commission a déjà décidé de ce dossier lors de cette séance.")
        visit_id, held_on, session_id = item.visit_id, row.held_on, row.id

    def link(s: Session, decision: Decision) -> None:
        """In the decision's own transaction: the agenda item names it, the session is « held »."""
        item = s.get(CommissionItem, item_id)
        row = s.get(CommissionSession, session_id)
        item.decision_id = decision.id
        item.row_version = (item.row_version or 0) + 1
        item.pending_sync = True
        if row.status == "planned":
            row.status = "held"
            row.row_version = (row.row_version or 0) + 1
            row.pending_sync = True
        audit(s, user_id=user_id, action="commission.decide", table="commission_items", row_id=item_id,
              session_id=session_id, decision=decision.number, status=decision.status)

    result = record_label_decision(db, visit_id=visit_id, decided_on=held_on, outcome=outcome, families=families,
                                   motivation=motivation, refusal_reason=refusal_reason,
                                   decided_by=decided_by(held_on), user_id=user_id, also=link)
    result.changed.add("commission_items", item_id).add("commission_sessions", session_id)
    return result


def undecided(db: Database, session_id: str) -> list[AgendaItem]:
    return [i for i in agenda(db, session_id) if i.decision is None]


# The session's documents (procès-verbal, notification letters) live in commission_documents; they stay reachable as
# `commission.<name>` (PEP 562), the module being imported on first use.
_DOCUMENTS = frozenset({"close_session", "issue_letters", "letters_of", "minutes_data", "minutes_pdf",
                        "pictograms_dir"})


def __getattr__(name: str) -> Any:
    if name in _DOCUMENTS:
        from . import commission_documents

        return getattr(commission_documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
