"""One dossier as the labels commission sees it: the computed proposal per family, the evaluators, the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..db.database import Database
from ..db.models import Document, Establishment, Owner, Photo, User, Visit
from ..scoring.labels import LabelResult
from .common import NotFound, ServiceError
from .documents import documents_root
from .label_decisions import LABEL_NAMES, LabelDecision, label_decision_of, labels_of
from .photos import photos_root
from .visits import VISIT_KINDS, grid_of, score_visit

VISIT_KIND_FR = {"th_primo": "Primo-visite", "th_renouvellement": "Visite de renouvellement",
                 "accueil_velo": "Visite d'audit", "chambre_hotes_reference": "Visite d'audit"}


@dataclass(frozen=True)
class Dossier:
    """Everything the commission needs on one visit, on one screen (plain data).

    `families`: for Tourisme & Handicap one entry per requested family; for Accueil Vélo and Chambre d'hôtes
    Référence one entry for the label itself. Each entry: code, label, proposal ("granted" / "refused"), failed
    criteria [(code, text)], summary (one line).
    """

    visit_id: str
    establishment: dict[str, Any]
    label: str
    label_name: str
    visit_kind: str
    visited_on: dt.date | None
    submitted_at: dt.datetime | None
    evaluators: tuple[str, ...]
    grid: str
    families: tuple[dict[str, Any], ...]
    opinion: str
    sworn_statement: str
    prerequisites: dict[str, Any]
    photos: tuple[dict[str, Any], ...]
    report_path: str
    previous_labels: tuple[Any, ...]
    decision: LabelDecision | None


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f} %".replace(".", ",")


def family_entries(grid: Any, result: LabelResult) -> tuple[dict[str, Any], ...]:
    """Per requested family (T&H) or for the label: proposal, failed criteria and a one-line summary."""
    names = {lv.code: lv.label for lv in grid.levels}
    threshold = result.settings.get("confort_threshold")
    out = []
    for code in result.requested:
        lv = result.levels[code]
        proposal = "granted" if result.prerequisites_ok and lv.passed else "refused"
        failed = [(c, grid.criterion(c).text if grid.has_criterion(c) else c) for c in lv.failed_mandatory]
        parts = [f"obligatoires {lv.mandatory_met}/{lv.mandatory_total}"]
        if lv.confort_total:
            parts.append(f"confort d'usage {lv.confort_met}/{lv.confort_total} ({_pct(lv.confort_ratio)}"
                         + (f", seuil {_pct(threshold)}" if threshold is not None else "") + ")")
        if lv.optional_total:
            parts.append(f"optionnels {lv.optional_met}/{lv.optional_total}")
        if lv.unanswered:
            parts.append(f"{len(lv.unanswered)} sans réponse")
        if not result.prerequisites_ok:
            parts.append("prérequis non remplis")
        summary = f"{names.get(code, code)} : " + ", ".join(parts) + (" — proposé" if proposal == "granted"
                                                                       else " — non proposé")
        out.append({"code": code, "label": names.get(code, code), "proposal": proposal, "failed": failed,
                    "summary": summary})
    return tuple(out)


def proposal_line(label: str, entries: tuple[dict[str, Any], ...], result_ok: bool | None = None) -> str:
    """The computed proposal in one line: « Proposé : Auditif, Visuel ; non : Moteur »."""
    if label == "tourisme_handicap":
        yes = [e["label"] for e in entries if e["proposal"] == "granted"]
        no = [e["label"] for e in entries if e["proposal"] != "granted"]
        text = "Proposé : " + (", ".join(yes) if yes else "aucune famille")
        if no:
            text += " ; non : " + ", ".join(no)
        if result_ok is False and yes:
            text += " (moins de familles que le minimum : label non proposé)"
        return text
    ok = all(e["proposal"] == "granted" for e in entries) if result_ok is None else result_ok
    return "Proposé : accordé" if ok else "Non proposé"


def computed_proposal(db: Database, visit_id: str) -> tuple[tuple[dict[str, Any], ...], str]:
    """(family entries, proposal line) computed now with the visit's own grid."""
    with db.session() as s:
        v = s.get(Visit, visit_id)
        if v is None:
            raise NotFound(f"Visite {visit_id} introuvable.")
        label = VISIT_KINDS.get(v.kind, "")
        grid = grid_of(v)
    result: LabelResult = score_visit(db, visit_id, partial=True)
    entries = family_entries(grid, result)
    return entries, proposal_line(label, entries, result.proposed)


def decided_proposal(decision: LabelDecision) -> str:
    """The proposal line as it stood when the decision was taken (kept in the decision)."""
    if decision.label == "tourisme_handicap" and decision.family_decisions:
        entries = tuple({"label": f.label, "proposal": f.proposal} for f in decision.family_decisions)
        return proposal_line(decision.label, entries, decision.proposal == "granted")
    return proposal_line(decision.label, (), decision.proposal == "granted")


def dossier(db: Database, visit_id: str) -> Dossier:
    """Open one dossier: establishment, evaluators, results per family, report, photos, opinion, previous label."""
    with db.session() as s:
        v = s.get(Visit, visit_id)
        if v is None:
            raise NotFound(f"Visite {visit_id} introuvable.")
        label = VISIT_KINDS.get(v.kind, "")
        if label not in LABEL_NAMES:
            raise ServiceError("Cette visite n'est pas une évaluation de label : elle ne passe pas en commission.")
        est = s.get(Establishment, v.establishment_id)
        owner = s.get(Owner, est.owner_id) if est.owner_id else None
        evaluators = tuple(u.name for u in (s.get(User, uid) for uid in (v.evaluator_id, v.second_evaluator_id)
                                            if uid) if u is not None)
        photo_root = photos_root(db)
        photos = tuple({"id": p.id, "path": str(photo_root / p.stored_path), "caption": p.caption,
                        "criterion": p.criterion}
                       for p in s.scalars(select(Photo).where(Photo.visit_id == visit_id)
                                          .order_by(Photo.criterion, Photo.created_at)))
        report = s.scalar(select(Document).where(Document.visit_id == visit_id, Document.kind == "label")
                          .order_by(Document.revision.desc()).limit(1))
        report_path = str(documents_root(db) / report.stored_path) if report else ""
        establishment = {"id": est.id, "name": est.name, "address": est.address, "postcode": est.postcode,
                         "commune": est.commune, "kind": est.kind, "owner": owner.name if owner else "",
                         "phone": owner.phone if owner else "", "email": owner.email if owner else ""}
        sworn = ""
        if v.sworn_statement_on:
            sworn = f"Déclaration sur l'honneur du {v.sworn_statement_on:%d/%m/%Y}" + (
                f" ({v.sworn_statement_ref})" if v.sworn_statement_ref else "")
        fields = dict(visit_kind=v.kind, visited_on=v.visited_on, submitted_at=v.submitted_at, opinion=v.opinion,
                      prerequisites=dict(v.prerequisites or {}), establishment_id=est.id)
        grid = grid_of(v)
    entries = family_entries(grid, score_visit(db, visit_id, partial=True))
    est_id = fields.pop("establishment_id")
    return Dossier(visit_id=visit_id, establishment=establishment, label=label, label_name=LABEL_NAMES[label],
                   evaluators=evaluators, grid=f"{grid.id} {grid.version} ({grid.provenance.label_fr()})",
                   families=entries, sworn_statement=sworn, photos=photos, report_path=report_path,
                   previous_labels=tuple(labels_of(db, est_id)), decision=label_decision_of(db, visit_id), **fields)
