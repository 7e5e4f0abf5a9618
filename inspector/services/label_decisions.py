"""Decisions on label evaluations (Tourisme & Handicap per family, Accueil Vélo, Chambre d'hôtes Référence).

The label engine only computes a proposal; the decision of the commission (T&H) or of the body (Accueil Vélo,
Chambre d'hôtes Référence) is recorded here, separately, with its motivation:

* T&H: one outcome per requested family (granted, refused or adjourned). The label needs at least the grid's
  `min_families` granted families (2 under the arrêté du 18 avril 2024); with fewer, the label is refused overall.
* Accueil Vélo and CHR: one outcome for the label.
* A motivation is required whenever the decision departs from the computed proposal (granting what the engine
  failed, refusing what it passed) and for an adjournment; a refusal reason for every refused family or label.

Effects, in one transaction: a numbered `Decision` (TH-2026-001, AV-…, CHR-…) keeping per-family outcomes, the
motivations and the proposal at decision time; the visit becomes acquired or refused (an adjournment leaves it as it
is); a granted label creates or renews the establishment's `EstablishmentLabel`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.database import Database
from ..db.models import Decision, EstablishmentLabel, Visit
from ..scoring.labels import LabelResult, label_json
from . import deadlines
from .common import Changed, NotFound, OpResult, ServiceError, audit
from .visits import VISIT_KINDS, grid_of, score_visit

OUTCOMES = ("granted", "refused", "adjourned")
OUTCOME_FR = {"granted": "accordé", "refused": "refusé", "adjourned": "ajourné"}
STATUS_OF = {"granted": "acquired", "refused": "refused", "adjourned": "adjourned"}
STATUS_FR = {"acquired": "attribué", "refused": "refusé", "adjourned": "ajourné"}
# Decision.subject and the prefix of its number, per label kind.
SUBJECTS = {"tourisme_handicap": "tourisme_handicap", "accueil_velo": "accueil_velo", "chambre_hotes_reference": "chr"}
LABEL_OF_SUBJECT = {v: k for k, v in SUBJECTS.items()}
PREFIXES = {"tourisme_handicap": "TH", "accueil_velo": "AV", "chr": "CHR"}
LABEL_NAMES = {"tourisme_handicap": "label Tourisme & Handicap", "accueil_velo": "marque Accueil Vélo",
               "chambre_hotes_reference": "qualification Chambre d'hôtes Référence"}
# Validity when the grid does not say (T&H: arrêté du 18 avril 2024; Accueil Vélo: 3 years). CHR has no published
# validity: its grid must give one.
DEFAULT_VALIDITY = {"tourisme_handicap": 5, "accueil_velo": 3}
# Visit states a decision may be recorded in, per label.
DECIDABLE = {"tourisme_handicap": ("submitted",), "accueil_velo": ("completed", "submitted"),
             "chambre_hotes_reference": ("completed", "submitted")}


@dataclass(frozen=True)
class FamilyDecision:
    """The decision on one T&H family, beside the engine's proposal for it."""

    code: str
    label: str
    outcome: str  # granted | refused | adjourned
    proposal: str  # granted | refused (what the engine computed)
    motivation: str = ""
    refusal_reason: str = ""

    @property
    def departs(self) -> bool:
        return self.outcome != self.proposal


@dataclass(frozen=True)
class LabelDecision:
    """A recorded decision on a label visit, as plain data (UI, reports, attestations)."""

    id: str
    visit_id: str
    establishment_id: str
    label: str  # tourisme_handicap | accueil_velo | chambre_hotes_reference
    subject: str  # Decision.subject: tourisme_handicap | accueil_velo | chr
    status: str  # acquired | refused | adjourned
    outcome: str  # the outcome asked for: granted | refused | adjourned
    number: str
    decided_on: dt.date
    valid_from: dt.date | None
    valid_until: dt.date | None
    validity_years: int | None
    families: tuple[str, ...]  # T&H families granted
    family_decisions: tuple[FamilyDecision, ...]
    proposal: str  # granted | refused: the engine's proposal for the label
    motivation: str
    refusal_reason: str
    decided_by: str
    notice: str  # what the decision amounts to, in French (e.g. "label refusé : une seule famille accordée")
    typology: str
    grid: dict[str, Any] = field(default_factory=dict)
    computed: dict[str, Any] = field(default_factory=dict)  # the engine's result at decision time (label_json)

    @property
    def granted(self) -> bool:
        return self.status == "acquired"

    @property
    def family_labels(self) -> tuple[str, ...]:
        """Names of the granted families (Auditif, Visuel…)."""
        names = {f.code: f.label for f in self.family_decisions}
        return tuple(names.get(code, code) for code in self.families)


@dataclass(frozen=True)
class HeldLabel:
    """A label an establishment holds (EstablishmentLabel), as plain data."""

    id: str
    establishment_id: str
    label: str
    families: tuple[str, ...]
    typology: str
    valid_from: dt.date | None
    valid_until: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is not None and day <= self.valid_until)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _outcome(value: str, where: str) -> str:
    value = _clean(value).lower()
    if value not in OUTCOMES:
        raise ServiceError(f"{where} : issue « {value} » inconnue (granted = accordé, refused = refusé, "
                           "adjourned = ajourné).")
    return value


def _family_entries(families: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    """Normalise {family: outcome} or {family: {"outcome", "motivation", "refusal_reason"}}."""
    out: dict[str, dict[str, str]] = {}
    for code, value in (families or {}).items():
        entry = value if isinstance(value, dict) else {"outcome": value}
        unknown = set(entry) - {"outcome", "motivation", "refusal_reason"}
        if unknown:
            raise ServiceError(f"Famille « {code} » : champ(s) inconnu(s) {', '.join(sorted(unknown))}.")
        out[str(code).strip().lower()] = {"outcome": str(entry.get("outcome", "")),
                                          "motivation": _clean(entry.get("motivation")),
                                          "refusal_reason": _clean(entry.get("refusal_reason"))}
    return out


def validity_end(decided_on: dt.date, years: int) -> dt.date:
    """Last day of validity of a label decided on `decided_on` for `years` (same convention as the classement:
    the day before the anniversary)."""
    return deadlines.valid_until(decided_on, years)


def _next_number(s: Session, subject: str, year: int) -> str:
    prefix = f"{PREFIXES[subject]}-{year}-"
    numbers = s.scalars(select(Decision.number).where(Decision.subject == subject,
                                                      Decision.number.like(f"{prefix}%"))).all()
    used = [int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()]
    return f"{prefix}{max(used, default=0) + 1:03d}"


def _check_visit(v: Visit, label: str | None, decided_on: dt.date) -> str:
    if label is None:
        raise ServiceError("Cette visite n'est pas une évaluation de label : pas de décision de label "
                           "(Tourisme & Handicap, Accueil Vélo ou Chambre d'hôtes Référence).")
    if v.kind == "th_conseil":
        raise ServiceError("Une visite-conseil Tourisme & Handicap ne donne pas lieu à une décision.")
    if v.superseded:
        raise ServiceError("Cette révision de la visite a été remplacée : la décision porte sur la révision en cours.")
    allowed = DECIDABLE[label]
    if v.state in ("acquired", "refused"):
        raise ServiceError(f"Une décision a déjà été enregistrée pour cette visite (« {v.state} ») : pour la "
                           "modifier, ouvrez une nouvelle révision de la visite.")
    if v.state not in allowed:
        if label == "tourisme_handicap":
            raise ServiceError(f"Décision impossible : l'évaluation est « {v.state} » ; elle doit d'abord être "
                               "terminée puis soumise à la commission.")
        raise ServiceError(f"Décision impossible : la visite est « {v.state} » ; terminez-la d'abord.")
    if v.visited_on is not None and decided_on < v.visited_on:
        raise ServiceError(f"La date de décision ({decided_on:%d/%m/%Y}) précède la visite "
                           f"({v.visited_on:%d/%m/%Y}).")
    return label


def _th_families(result: LabelResult, entries: dict[str, dict[str, str]], outcome: str, motivation: str,
                 refusal_reason: str, level_names: dict[str, str]) -> list[FamilyDecision]:
    requested = list(result.requested)
    for code in entries:
        if code not in level_names:
            raise ServiceError(f"Famille « {code} » inconnue (familles : {', '.join(level_names)}).")
        if code not in requested:
            raise ServiceError(f"Famille « {level_names[code]} » non demandée pour cette visite (familles "
                               f"évaluées : {', '.join(level_names[c] for c in requested)}).")
    decided: list[FamilyDecision] = []
    problems: list[str] = []
    for code in requested:
        proposal = "granted" if result.prerequisites_ok and result.levels[code].passed else "refused"
        entry = entries.get(code)
        if entry is None:
            fam_outcome = proposal if outcome == "granted" else outcome
            own_motivation = own_reason = ""
        else:
            fam_outcome = _outcome(entry["outcome"], f"Famille {level_names[code]}")
            own_motivation, own_reason = entry["motivation"], entry["refusal_reason"]
        if outcome != "granted" and fam_outcome != outcome:
            raise ServiceError(f"Famille {level_names[code]} : « {OUTCOME_FR[fam_outcome]} » contredit la décision "
                               f"d'ensemble « {OUTCOME_FR[outcome]} » (une décision d'ensemble « granted » permet de "
                               "décider famille par famille).")
        fam = FamilyDecision(code, level_names[code], fam_outcome, proposal, own_motivation or motivation,
                             (own_reason or refusal_reason) if fam_outcome == "refused" else "")
        if fam.departs and not fam.motivation:
            if fam_outcome == "adjourned":
                problems.append(f"famille {fam.label} ajournée : indiquez le motif de l'ajournement")
            else:
                problems.append(f"famille {fam.label} {OUTCOME_FR[fam_outcome]}e alors que le calcul propose "
                                f"« {OUTCOME_FR[proposal]} » : la décision doit être motivée (par exemple services "
                                "substitutifs)")
        if fam_outcome == "refused" and not fam.refusal_reason:
            problems.append(f"famille {fam.label} refusée : indiquez le motif du refus")
        decided.append(fam)
    if problems:
        raise ServiceError("Décision incomplète :\n" + "\n".join(f"- {p}" for p in problems))
    return decided


def record_label_decision(db: Database, *, visit_id: str, decided_on: dt.date, outcome: str,
                          families: dict[str, Any] | None = None, motivation: str = "", refusal_reason: str = "",
                          decided_by: str = "", user_id: str | None = None,
                          also: Callable[[Session, Decision], None] | None = None) -> OpResult[LabelDecision]:
    """Record the decision of the commission or of the body on a label visit (see the module docstring).

    `outcome` is granted, refused or adjourned. For Tourisme & Handicap, `families` maps a requested family to its
    outcome (or to a dict with "outcome", "motivation", "refusal_reason"); with an overall "granted", families not
    listed follow the computed proposal, and with "refused" or "adjourned" every family takes that outcome.
    `motivation` and `refusal_reason` apply to every family lacking its own. `also(session, decision)` runs in the
    same transaction before it commits (a caller's own bookkeeping, e.g. the commission's agenda item).
    """
    outcome = _outcome(outcome, "Décision")
    motivation, refusal_reason, decided_by = _clean(motivation), _clean(refusal_reason), _clean(decided_by)
    with db.session() as s:
        v = s.get(Visit, visit_id)
        if v is None:
            raise NotFound(f"Visite {visit_id} introuvable.")
        label = _check_visit(v, VISIT_KINDS.get(v.kind) if VISIT_KINDS.get(v.kind) in SUBJECTS else None,
                             decided_on)
    grid = grid_of(v)
    result: LabelResult = score_visit(db, visit_id, partial=True)
    if result.provisional:
        raise ServiceError("Décision impossible : des critères des niveaux demandés sont sans réponse.")
    level_names = {lv.code: lv.label for lv in grid.levels}
    entries = _family_entries(families)
    notice = ""
    family_decisions: list[FamilyDecision] = []
    granted: list[str] = []
    proposal = "granted" if result.proposed else "refused"
    if label == "tourisme_handicap":
        family_decisions = _th_families(result, entries, outcome, motivation, refusal_reason, level_names)
        granted = [f.code for f in family_decisions if f.outcome == "granted"]
        pending = [f.code for f in family_decisions if f.outcome == "adjourned"]
        minimum = int(result.settings.get("min_families", 2))
        if outcome == "adjourned":
            status = "adjourned"
            notice = "Décision ajournée pour l'ensemble des familles demandées."
        elif len(granted) >= minimum:
            status = "acquired"
            notice = (f"Label Tourisme & Handicap attribué pour {len(granted)} famille(s) : "
                      + ", ".join(level_names[c] for c in granted) + ".")
        elif pending and len(granted) + len(pending) >= minimum:
            status = "adjourned"
            notice = ("Décision ajournée : famille(s) " + ", ".join(level_names[c] for c in pending)
                      + f" à réexaminer ; le label demande au moins {minimum} familles accordées.")
        else:
            status = "refused"
            if outcome == "granted" or granted:
                notice = (f"Label refusé : {len(granted)} famille(s) accordée(s)"
                          + (f" ({', '.join(level_names[c] for c in granted)})" if granted else "")
                          + f", alors que le label Tourisme & Handicap demande au moins {minimum} familles.")
            else:
                notice = "Label Tourisme & Handicap refusé."
        refused = [f for f in family_decisions if f.outcome == "refused"]
        reason = "\n".join(f"{f.label} : {f.refusal_reason}" for f in refused)
        if status == "refused" and (outcome == "granted" or granted):
            reason = "\n".join(x for x in (notice, reason) if x)
    else:
        if entries:
            raise ServiceError("Les familles ne concernent que Tourisme & Handicap : pour "
                               f"{LABEL_NAMES[label]}, la décision porte sur l'ensemble.")
        problems = []
        if outcome == "adjourned" and not motivation:
            problems.append("indiquez le motif de l'ajournement")
        elif outcome != "adjourned" and outcome != proposal and not motivation:
            problems.append(f"décision « {OUTCOME_FR[outcome]} » alors que le calcul propose "
                            f"« {OUTCOME_FR[proposal]} » : la décision doit être motivée")
        if outcome == "refused" and not refusal_reason:
            problems.append("indiquez le motif du refus")
        if problems:
            raise ServiceError("Décision incomplète :\n" + "\n".join(f"- {p}" for p in problems))
        status = STATUS_OF[outcome]
        notice = {"acquired": f"{LABEL_NAMES[label][0].upper()}{LABEL_NAMES[label][1:]} attribuée.",
                  "refused": f"{LABEL_NAMES[label][0].upper()}{LABEL_NAMES[label][1:]} refusée.",
                  "adjourned": "Décision ajournée."}[status]
        reason = refusal_reason if status == "refused" else ""
    years = grid.validity_years or DEFAULT_VALIDITY.get(label)
    if status == "acquired" and not years:
        raise ServiceError(f"La grille {grid.id} ne fixe pas de durée de validité : impossible de dater la fin de "
                           f"la {LABEL_NAMES[label]}.")
    valid_until = validity_end(decided_on, years) if status == "acquired" and years else None
    subject = SUBJECTS[label]
    computed = label_json(grid, result)
    details: dict[str, Any] = {
        "label": label,
        "outcome": outcome,
        "proposal": proposal,
        "families": {f.code: {"label": f.label, "outcome": f.outcome, "proposal": f.proposal,
                              "departs": f.departs, "motivation": f.motivation, "refusal_reason": f.refusal_reason}
                     for f in family_decisions},
        "motivation": motivation,
        "refusal_reason": refusal_reason,
        "decided_by": decided_by,
        "notice": notice,
        "typology": v.typology,
        "validity_years": years,
        "valid_from": decided_on.isoformat() if status == "acquired" else None,
        "min_families": int(result.settings["min_families"]) if label == "tourisme_handicap" else None,
        "computed": computed,
    }
    changed = Changed()
    with db.session() as s:
        v = s.get(Visit, visit_id)
        _check_visit(v, label, decided_on)  # nothing changed in between
        number = _next_number(s, subject, decided_on.year)
        decision = Decision(visit_id=v.id, establishment_id=v.establishment_id, subject=subject, status=status,
                            families=list(granted), decided_on=decided_on, valid_until=valid_until, number=number,
                            reason=reason, details=details, pending_sync=True)
        s.add(decision)
        s.flush()
        changed.add("decisions", decision.id)
        audit(s, user_id=user_id, action="label.decision", table="decisions", row_id=decision.id, visit=v.id,
              number=number, status=status, outcome=outcome, families={f.code: f.outcome for f in family_decisions},
              proposal=proposal, motivation=motivation, decided_by=decided_by, decided_on=decided_on)
        if status == "acquired":
            v.state, v.acquired_on, v.valid_until = "acquired", decided_on, valid_until
        elif status == "refused":
            v.state, v.refused_on, v.refusal_reason = "refused", decided_on, reason
        if status != "adjourned":
            v.pending_sync = True
            changed.add("visits", v.id)
            audit(s, user_id=user_id, action=f"visit.{status}", table="visits", row_id=v.id, decision=number,
                  decided_on=decided_on)
        if status == "acquired":
            held = _held_row(s, v.establishment_id, label, v.typology or "")
            before = None
            if held is None:
                held = EstablishmentLabel(establishment_id=v.establishment_id, label=label)
                s.add(held)
            else:
                before = {"families": list(held.families or []), "typology": held.typology,
                          "valid_from": held.valid_from, "valid_until": held.valid_until}
                held.row_version = (held.row_version or 0) + 1
            held.families, held.typology = list(granted), v.typology or ""
            held.valid_from, held.valid_until = decided_on, valid_until
            held.pending_sync = True
            s.flush()
            changed.add("establishment_labels", held.id)
            audit(s, user_id=user_id, action="label.renew" if before else "label.grant",
                  table="establishment_labels", row_id=held.id, decision=number, before=before,
                  after={"families": list(granted), "typology": held.typology, "valid_from": decided_on,
                         "valid_until": valid_until})
        if also is not None:
            also(s, decision)
        s.commit()
        info = _info(decision)
    return OpResult(info, changed)


def _held_row(s: Session, establishment_id: str, label: str, typology: str) -> EstablishmentLabel | None:
    """The label row a new decision renews. Accueil Vélo is held per typology (a row without typology is taken
    over); the other labels have one row per establishment (the latest one)."""
    rows = s.scalars(select(EstablishmentLabel).where(EstablishmentLabel.establishment_id == establishment_id,
                                                      EstablishmentLabel.label == label)).all()
    rows = sorted(rows, key=lambda r: (r.valid_until or dt.date.min, r.created_at), reverse=True)
    if label == "accueil_velo":
        rows = [r for r in rows if r.typology == typology] or [r for r in rows if not r.typology]
    return rows[0] if rows else None


def _info(d: Decision) -> LabelDecision:
    details = dict(d.details or {})
    label = details.get("label") or LABEL_OF_SUBJECT.get(d.subject, d.subject)
    fams = tuple(FamilyDecision(code, x.get("label", code), x.get("outcome", ""), x.get("proposal", ""),
                                x.get("motivation", ""), x.get("refusal_reason", ""))
                 for code, x in (details.get("families") or {}).items())
    valid_from = details.get("valid_from")
    computed = details.get("computed") or {}
    return LabelDecision(
        id=d.id, visit_id=d.visit_id or "", establishment_id=d.establishment_id, label=label, subject=d.subject,
        status=d.status, outcome=details.get("outcome", ""), number=d.number, decided_on=d.decided_on,
        valid_from=dt.date.fromisoformat(valid_from) if valid_from else None, valid_until=d.valid_until,
        validity_years=details.get("validity_years"), families=tuple(d.families or ()), family_decisions=fams,
        proposal=details.get("proposal", ""), motivation=details.get("motivation", ""),
        refusal_reason=details.get("refusal_reason", ""), decided_by=details.get("decided_by", ""),
        notice=details.get("notice", ""), typology=details.get("typology", ""), grid=dict(computed.get("grid") or {}),
        computed=computed)


def label_decisions_of(db: Database, visit_id: str) -> list[LabelDecision]:
    """Every label decision recorded for a visit, oldest first (adjournments, then the final decision)."""
    with db.session() as s:
        rows = s.scalars(select(Decision).where(Decision.visit_id == visit_id,
                                                Decision.subject.in_(tuple(SUBJECTS.values())))
                         .order_by(Decision.decided_on, Decision.created_at, Decision.number)).all()
        return [_info(d) for d in rows]


def label_decision_of(db: Database, visit_id: str) -> LabelDecision | None:
    """The latest label decision of a visit, or None when none is recorded yet."""
    decisions = label_decisions_of(db, visit_id)
    return decisions[-1] if decisions else None


def labels_of(db: Database, establishment_id: str, *, on: dt.date | None = None) -> list[HeldLabel]:
    """The labels an establishment holds; with `on`, only those valid that day (Accueil Vélo prerequisite:
    an accommodation classified or labelled, e.g. Chambre d'hôtes Référence)."""
    with db.session() as s:
        rows = s.scalars(select(EstablishmentLabel).where(EstablishmentLabel.establishment_id == establishment_id)
                         .order_by(EstablishmentLabel.label, EstablishmentLabel.valid_until)).all()
        held = [HeldLabel(r.id, r.establishment_id, r.label, tuple(r.families or ()), r.typology, r.valid_from,
                          r.valid_until) for r in rows]
    return [h for h in held if on is None or h.valid_on(on)]


def holds_label(db: Database, establishment_id: str, label: str, on: dt.date) -> bool:
    """True when the establishment holds `label` valid on `on`."""
    return any(h.label == label for h in labels_of(db, establishment_id, on=on))
