"""Everything a visit document shows, gathered once as plain data (the layout code never touches the database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..db.database import Database
from ..db.models import Decision, Establishment, Organisation, Owner, Photo, User, Visit
from ..grids.model import Grid
from ..services import visits as visit_ops
from ..services.common import NotFound, pinned_grid
from ..services.photos import photos_root


@dataclass(frozen=True)
class Party:
    """A person or body as printed: name and address lines, contact."""

    name: str = ""
    lines: tuple[str, ...] = ()
    contact: str = ""


@dataclass(frozen=True)
class PhotoRef:
    number: int
    path: Path
    caption: str
    criterion: str


@dataclass(frozen=True)
class ReportData:
    """A visit, its people, its grid, its answers and its result, ready to lay out."""

    visit_id: str
    kind: str
    state: str
    revision: int
    revision_reason: str
    organisation: Party
    accreditation: str
    signatory: str
    signatory_title: str
    logo: Path | None
    inspector: Party
    inspector_signature: Path | None
    second_inspector: Party
    owner: Party
    mandataire: Party
    establishment: Party
    establishment_name: str
    capacity: int | None
    layout: str
    declaration_number: str
    current_category: int | None
    requested_category: int | None
    proposed_category: int | None
    visited_on: dt.date | None
    issued_on: dt.date | None
    received_on: dt.date | None
    acquired_on: dt.date | None
    valid_until: dt.date | None
    grid: Grid
    context: dict[str, Any]
    answers: dict[str, Any]  # code -> CurrentAnswer (level "")
    result: Any  # MeublesResult or LabelResult
    measurements: dict[str, Any]
    photos: tuple[PhotoRef, ...] = field(default=())
    observations_text: str = ""
    warnings: tuple[str, ...] = field(default=())
    owner_signature: Path | None = None  # drawn on screen by the owner, printed on the proposition
    document_revision: int = 1  # revision of the issued document (a correction of an issued PDF is 2, 3…)
    replaces_note: str = ""  # printed on a document that replaces an earlier one
    rooms: int | None = None  # rooms let (chambre d'hôtes: visit context "room_count", else the establishment's)
    label_decision: Any = None  # label visits: the latest LabelDecision (services.label_decisions), None if none
    decision_number: str = ""  # meublés: the number stored on the acquired Decision (printed on the décision)
    prerequisites: dict[str, Any] = field(default_factory=dict)  # label visits: facts checked (Visit.prerequisites)
    sworn_statement_on: dt.date | None = None  # T&H: the sworn statement of compliance (date, document reference)
    sworn_statement_ref: str = ""

    @property
    def short_id(self) -> str:
        return self.visit_id[:8].upper()


def _address(*parts: str) -> tuple[str, ...]:
    return tuple(p for p in (x.strip() for x in parts) if p)


def collect(db: Database, visit_id: str) -> ReportData:
    """Read the visit and everything around it; missing optional pieces become warnings, never errors."""
    warnings: list[str] = []
    with db.session() as s:
        v = s.get(Visit, visit_id)
        if v is None:
            raise NotFound(f"Visite {visit_id} introuvable.")
        est = s.get(Establishment, v.establishment_id)
        owner = s.get(Owner, est.owner_id) if est and est.owner_id else None
        org = s.scalar(select(Organisation).order_by(Organisation.created_at).limit(1))
        inspector = s.get(User, v.evaluator_id) if v.evaluator_id else None
        second = s.get(User, v.second_evaluator_id) if v.second_evaluator_id else None
        photos = list(s.scalars(select(Photo).where(Photo.visit_id == visit_id)
                                .order_by(Photo.criterion, Photo.created_at)))
        answers = {c: a for (c, lv), a in visit_ops.current_answers(s, visit_id).items() if lv == ""}
        measurements = visit_ops.measurements_of(s, visit_id)
        root = photos_root(db)
        photo_refs = []
        for i, p in enumerate(photos, 1):
            path = root / p.stored_path
            if not path.exists():
                warnings.append(f"photo n° {i} ({p.original_name}) : fichier introuvable, remplacée par un cadre vide")
            photo_refs.append(PhotoRef(i, path, p.caption, p.criterion))
        logo = Path(org.logo_path) if org and org.logo_path else None
        if logo is not None and not logo.exists():
            warnings.append(f"logo introuvable ({logo}) : document édité sans logo")
            logo = None
        signature = Path(inspector.signature_path) if inspector and inspector.signature_path else None
        if signature is not None and not signature.exists():
            warnings.append("signature de l'inspecteur introuvable : cadre à signer")
            signature = None
        data = dict(
            visit_id=v.id, kind=v.kind, state=v.state, revision=v.revision_number, revision_reason=v.revision_reason,
            organisation=Party(org.name, _address(org.address)) if org else Party("Organisme non renseigné"),
            accreditation=(org.accreditation_ref if org else ""), signatory=(org.signatory_name if org else ""),
            signatory_title=(org.signatory_title if org else ""),
            second_inspector=Party(second.name, (), second.email) if second else Party(),
            logo=logo, inspector=Party(inspector.name if inspector else "", (), inspector.email if inspector else ""),
            inspector_signature=signature,
            owner=Party(owner.name, _address(owner.address, f"{owner.postcode} {owner.commune}"),
                        " · ".join(x for x in (owner.phone, owner.email) if x)) if owner else Party("—"),
            mandataire=Party(owner.mandataire_name, _address(owner.mandataire_address), owner.mandataire_contact)
            if owner and owner.mandataire_name else Party(),
            establishment=Party(est.name, _address(est.address, f"{est.postcode} {est.commune}")),
            establishment_name=est.name, capacity=v.context.get("capacity") or est.capacity, layout=est.layout,
            declaration_number=est.declaration_number, current_category=est.current_category,
            requested_category=v.requested_category, proposed_category=v.proposed_category,
            visited_on=v.visited_on, issued_on=v.issued_on, received_on=v.received_on, acquired_on=v.acquired_on,
            valid_until=v.valid_until, context=dict(v.context), observations_text=v.observations_text,
            grid_key=(v.grid_id, v.grid_version, v.grid_sha256), rooms=v.context.get("room_count") or est.rooms,
            decision_number=s.scalar(select(Decision.number).where(
                Decision.visit_id == v.id, Decision.subject == "meuble_category", Decision.status == "acquired")
                .order_by(Decision.created_at.desc()).limit(1)) or "",
            prerequisites=dict(v.prerequisites or {}), sworn_statement_on=v.sworn_statement_on,
            sworn_statement_ref=v.sworn_statement_ref or "",
        )
    grid = pinned_grid(*data.pop("grid_key"))
    from ..services.signatures import owner_signature

    data["owner_signature"] = owner_signature(db, visit_id)
    if grid.kind != "meubles":
        from ..services.label_decisions import label_decision_of

        data["label_decision"] = label_decision_of(db, visit_id)
    result = visit_ops.score_visit(db, visit_id, partial=True)
    return ReportData(grid=grid, answers=answers, result=result, measurements=measurements,
                      photos=tuple(photo_refs), warnings=tuple(warnings), **data)
