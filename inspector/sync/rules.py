"""Write rules by role, shared by the server (which enforces them) and the laptop (which skips what would fail)."""

from __future__ import annotations

from typing import Any

from .protocol import ADMIN_TABLES, COMMISSION_TABLES, FIELD_TABLES, LATER_COLUMNS, VISIT_SCOPED

ROLES = ("inspector", "partner", "commission", "admin")
WRITERS = frozenset({"inspector", "partner", "commission", "admin"})
FILE_WRITERS = frozenset({"inspector", "partner", "commission", "admin"})  # upload photos and PDFs
SUBMITTED_STATES = ("submitted", "issued", "acquired", "refused")  # what the commission decides on
# Visits whose photos and PDFs a pull does not download (fetched on demand, `inspector.sync.on_demand`): decided
# (issued, acquired, refused) or replaced by a newer revision. Files of open visits (planned, in progress,
# completed, submitted) still come with the sync.
CLOSED_STATES = ("issued", "acquired", "refused")
# The commission's decision on a submitted visit: the only visit fields it may change, and the states it may set.
DECISION_FIELDS = frozenset({"state", "acquired_on", "valid_until", "refused_on", "refusal_reason", "modified_at"})
DECIDED_STATES = ("acquired", "refused")
COMMISSION_WRITES = frozenset({"establishment_labels", "decisions", "visits", "documents"}) | COMMISSION_TABLES
# The documents the commission issues on a dossier: its notification letters and the CHR attestation.
COMMISSION_DOCUMENT_KINDS = frozenset({"notification", "attestation"})


def files_on_demand(state: str | None, superseded: bool | None) -> bool:
    """Are the files of a visit in this state left on the server until someone opens them?"""
    return bool(superseded) or state in CLOSED_STATES


def visit_writable(role: str, person_id: str, visit: dict[str, Any]) -> bool:
    """May this person change this visit (or its observations, measurements, photos, documents)?"""
    if role == "admin":
        return True
    if role == "inspector":
        return person_id in (visit.get("evaluator_id"), visit.get("second_evaluator_id"))
    if role == "partner":
        return visit.get("second_evaluator_id") == person_id
    return False


def commission_visit_refusal(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str | None:
    """Why the commission may not write this version of a visit (None when allowed).

    `before` is the server's stored version, `after` the pushed one (None: a deletion). Allowed: the same content
    again, or the decision on a submitted visit (state → acquired or refused, with its dates and reason), nothing
    else.
    """
    if after is None:
        return "la commission ne supprime pas de visite"
    if before is None:
        return "la commission ne crée pas de visite"
    defaults = LATER_COLUMNS.get("visits", {})
    old, new = {**defaults, **before}, {**defaults, **after}
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if not changed:
        return None
    others = [k for k in changed if k not in DECISION_FIELDS]
    if others:
        return ("la commission ne modifie que la décision sur la visite (état, dates, motif de refus) ; champ(s) "
                "refusé(s) : " + ", ".join(others))
    if "state" in changed:
        if old.get("state") != "submitted":
            return f"décision impossible : la visite est « {old.get('state')} » sur le serveur, pas « submitted »"
        if new.get("state") not in DECIDED_STATES:
            return f"état « {new.get('state')} » refusé : la décision donne « acquired » ou « refused »"
    elif old.get("state") not in DECIDED_STATES:
        return "dates ou motif de décision modifiés sans décision (la visite n'est pas décidée)"
    return None


def row_refusal(role: str, person_id: str, table: str, visit_versions: list[dict[str, Any] | None],
                visit_id: str | None, data: dict[str, Any] | None = None) -> str | None:
    """Why a row may not be written (None when allowed).

    `visit_versions` are the visit the row belongs to, as pushed and as stored (None when absent); every known
    version must be writable, so that nobody moves a row into or out of someone else's visit. For the commission,
    the change made to a visit row itself is judged by `commission_visit_refusal` (it needs both versions), and
    `data` (the row as written) tells which kind of document it issues.
    """
    if role == "admin":
        return None
    if role not in WRITERS:
        return "votre rôle ne permet pas d'envoyer des modifications"
    if table in ADMIN_TABLES:
        return "réservé aux administrateurs"
    if role == "commission":
        return _commission_refusal(table, visit_versions, visit_id, data)
    if table in COMMISSION_TABLES:
        return "réservé à la commission et aux administrateurs"
    if table in FIELD_TABLES:
        return None if role == "inspector" else "réservé aux inspecteurs et administrateurs"
    if table == "decisions" and visit_id is None:
        return "décision hors visite : réservée aux administrateurs"
    if table in VISIT_SCOPED:
        known = [v for v in visit_versions if v is not None]
        if not known:
            return "visite inconnue du serveur"
        if not all(visit_writable(role, person_id, v) for v in known):
            return "visite d'un autre évaluateur"
        return None
    return "table non modifiable"


def _commission_refusal(table: str, visit_versions: list[dict[str, Any] | None], visit_id: str | None,
                        data: dict[str, Any] | None) -> str | None:
    """The commission writes its sittings and agendas, label rows, and decisions and letters on submitted visits."""
    if table not in COMMISSION_WRITES:
        return "la commission n'enregistre que ses séances, ses décisions et les labels (pas les évaluations)"
    if table == "documents" and (data or {}).get("kind") not in COMMISSION_DOCUMENT_KINDS:
        return "la commission n'émet que ses courriers de notification et les attestations"
    if table in COMMISSION_TABLES or table == "establishment_labels":
        return None
    if visit_id is None:
        return "décision hors visite : réservée aux administrateurs"
    known = [v for v in visit_versions if v is not None]
    if not known:
        return "visite inconnue du serveur"
    if not all(v.get("state") in SUBMITTED_STATES for v in known):
        return "visite non soumise à la commission"
    return None
