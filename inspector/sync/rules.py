"""Write rules by role, shared by the server (which enforces them) and the laptop (which skips what would fail)."""

from __future__ import annotations

from typing import Any

from .protocol import ADMIN_TABLES, FIELD_TABLES, VISIT_SCOPED

ROLES = ("inspector", "partner", "commission", "admin")
WRITERS = frozenset({"inspector", "partner", "admin"})
SUBMITTED_STATES = ("submitted", "issued", "acquired", "refused")  # what the commission decides on


def visit_writable(role: str, person_id: str, visit: dict[str, Any]) -> bool:
    """May this person change this visit (or its observations, measurements, photos, documents)?"""
    if role == "admin":
        return True
    if role == "inspector":
        return person_id in (visit.get("evaluator_id"), visit.get("second_evaluator_id"))
    if role == "partner":
        return visit.get("second_evaluator_id") == person_id
    return False


def row_refusal(role: str, person_id: str, table: str, visit_versions: list[dict[str, Any] | None],
                visit_id: str | None) -> str | None:
    """Why a row may not be written (None when allowed).

    `visit_versions` are the visit the row belongs to, as pushed and as stored (None when absent); every known
    version must be writable, so that nobody moves a row into or out of someone else's visit.
    """
    if role == "admin":
        return None
    if role not in WRITERS:
        return "votre rôle ne permet pas d'envoyer des modifications"
    if table in ADMIN_TABLES:
        return "réservé aux administrateurs"
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
