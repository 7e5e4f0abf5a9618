"""Tables to export (establishments, visits, decisions, labels): ordered French columns and plain rows, no Qt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ..db.database import Database
from ..db.models import Decision, Establishment, EstablishmentLabel, Organisation, Owner, User, Visit
from ..services.common import ServiceError

DATASETS = ("establishments", "visits", "decisions", "labels")
DATASET_FR = {"establishments": "établissements", "visits": "visites", "decisions": "décisions",
              "labels": "labels"}
# The datasets a year (or a date range) filters, and the date it applies to (see docs/exports.md).
DATED = {"visits": "date de visite (ou, à défaut, date prévue)", "decisions": "date de la décision",
         "labels": "période de validité du label (qui recoupe la période)"}

KIND_FR = {"classement": "Classement", "renouvellement": "Renouvellement", "visite_conseil": "Visite conseil",
           "th_primo": "T&H première demande", "th_renouvellement": "T&H renouvellement", "th_conseil": "T&H conseil",
           "accueil_velo": "Accueil Vélo", "chambre_hotes_reference": "Chambre d'hôtes Référence"}
STATE_FR = {"planned": "Planifiée", "in_progress": "En cours", "completed": "Terminée",
            "submitted": "Soumise à la commission", "issued": "Certificat émis", "acquired": "Acquise",
            "refused": "Refusée"}
EST_KIND_FR = {"meuble": "Meublé de tourisme", "chambre_hotes": "Chambre d'hôtes", "hebergement": "Hébergement",
               "restaurant": "Restaurant", "site": "Site de visite ou de loisirs",
               "office_tourisme": "Office de tourisme",
               "loueur_velos": "Loueur de vélos", "reparateur_velos": "Réparateur de vélos"}
SUBJECT_FR = {"meuble_category": "Classement meublé", "tourisme_handicap": "Tourisme & Handicap",
              "accueil_velo": "Accueil Vélo", "chr": "Chambre d'hôtes Référence"}
DECISION_STATUS_FR = {"proposed": "Proposée", "acquired": "Acquise / attribuée", "refused": "Refusée",
                      "radiated": "Radiée", "adjourned": "Ajournée"}
LABEL_FR = {"tourisme_handicap": "Tourisme & Handicap", "accueil_velo": "Accueil Vélo",
            "chambre_hotes_reference": "Chambre d'hôtes Référence"}
OUTCOME_FR = {"granted": "accordé", "refused": "refusé", "adjourned": "ajourné"}


class ExportError(ServiceError):
    """An export that cannot be made as asked (unknown dataset, bad month, filter that does not apply…)."""


@dataclass(frozen=True)
class Column:
    """One column: its key in the rows, its French header, its kind (text | int | date) and width (characters)."""

    key: str
    header: str
    kind: str = "text"
    width: int = 16


@dataclass
class Table:
    """An export: a title, ordered columns, rows (dicts keyed by column key) and notes written with the file."""

    name: str  # file-name stem, e.g. decisions-definitives-2026-10
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    sheet: str = ""  # XLSX sheet name (≤ 31 characters); the title when empty

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def values(self, row: dict[str, Any]) -> list[Any]:
        return [row.get(c.key) for c in self.columns]


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] (a year, a month or dates given by the user); None = no filter."""

    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.start.day == 1 and self.end == dt.date(self.start.year, 12, 31):
            return str(self.start.year)
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def text(self) -> str:
        if self.label.isdigit():
            return f"année {self.label}"
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


def period_of(*, year: int | None = None, date_from: dt.date | None = None,
              date_to: dt.date | None = None) -> Period | None:
    """The period a year or a date range names (a range open on one side runs to the ends of time)."""
    if year is not None:
        return Period.year(year)
    if date_from is None and date_to is None:
        return None
    return Period(date_from or dt.date(1900, 1, 1), date_to or dt.date(9999, 12, 31))


def text(value: Any) -> str:
    return " ".join(str(value or "").split())


def owner_name(owner: Owner | None) -> str:
    """The loueur as written on the décision: the person, and the company when there is one."""
    if owner is None:
        return ""
    return " — ".join(x for x in (text(owner.name), text(owner.company)) if x)


def families_text(families: Iterable[Any] | None) -> str:
    return ", ".join(str(f) for f in families or ())


def decision_number(d: Decision) -> str:
    """The decision's number; an acquired meublé classement without one gets the number its décision carries."""
    if d.number:
        return d.number
    if d.subject == "meuble_category" and d.status == "acquired":
        from ..services.meuble_decisions import decision_number as scheme

        return scheme(d.visit_id, d.decided_on.year) if d.visit_id and d.decided_on else ""
    return ""


def users_by_id(s: Session) -> dict[str, User]:
    return {u.id: u for u in s.scalars(select(User))}


def organisation_names(s: Session) -> tuple[dict[str, str], str]:
    """Organisation name per id, and the agency's name when the database holds one organisation (or the first)."""
    orgs = list(s.scalars(select(Organisation).order_by(Organisation.created_at, Organisation.name)))
    return {o.id: o.name for o in orgs}, (orgs[0].name if orgs else "")


def _labels_held(s: Session) -> dict[str, str]:
    held: dict[str, list[str]] = {}
    rows = s.scalars(select(EstablishmentLabel).order_by(EstablishmentLabel.label, EstablishmentLabel.valid_from))
    for lab in rows:
        parts = [p for p in (families_text(lab.families), lab.typology) if p]
        what = LABEL_FR.get(lab.label, lab.label) + (f" ({'; '.join(parts)})" if parts else "")
        if lab.valid_until:
            what += f" jusqu'au {lab.valid_until:%d/%m/%Y}"
        held.setdefault(lab.establishment_id, []).append(what)
    return {k: " | ".join(v) for k, v in held.items()}


ESTABLISHMENT_COLUMNS = (
    Column("kind", "Type", width=20), Column("name", "Nom de l'établissement", width=30),
    Column("address", "Adresse", width=30), Column("postcode", "Code postal", width=11),
    Column("commune", "Commune", width=20), Column("insee_code", "Code INSEE", width=11),
    Column("intercommunality", "Intercommunalité", width=24), Column("capacity", "Capacité (personnes)", "int", 11),
    Column("layout", "Disposition", width=16), Column("declaration_number", "N° de déclaration", width=18),
    Column("owner", "Propriétaire (loueur)", width=26), Column("owner_address", "Adresse du propriétaire", width=30),
    Column("email", "Courriel", width=26), Column("phone", "Téléphone", width=16),
    Column("mandataire", "Mandataire", width=22), Column("category", "Catégorie actuelle (étoiles)", "int", 12),
    Column("category_valid_until", "Classement valable jusqu'au", "date", 14),
    Column("labels", "Labels détenus", width=50),
)


def establishments_table(db: Database) -> Table:
    """Every establishment with its owner, current category and validity, and the labels it holds."""
    with db.session() as s:
        held = _labels_held(s)
        stmt = (select(Establishment, Owner).outerjoin(Owner, Owner.id == Establishment.owner_id)
                .order_by(Establishment.commune, Establishment.name, Establishment.id))
        rows = []
        for e, o in s.execute(stmt):
            rows.append({
                "kind": EST_KIND_FR.get(e.kind, e.kind), "name": text(e.name), "address": text(e.address),
                "postcode": e.postcode, "commune": e.commune, "insee_code": e.insee_code,
                "intercommunality": e.intercommunality or "", "capacity": e.capacity, "layout": e.layout,
                "declaration_number": e.declaration_number, "owner": owner_name(o),
                "owner_address": text(" ".join(x for x in (o.address, o.postcode, o.commune) if x)) if o else "",
                "email": o.email if o else "", "phone": o.phone if o else "",
                "mandataire": text(o.mandataire_name) if o else "", "category": e.current_category or None,
                "category_valid_until": e.category_valid_until, "labels": held.get(e.id, "")})
    return Table("etablissements", "Établissements", ESTABLISHMENT_COLUMNS, rows,
                 ("Un établissement par ligne, trié par commune puis par nom.",
                  "Labels détenus : les labels enregistrés pour l'établissement, avec familles ou typologie et fin "
                  "de validité."))


VISIT_COLUMNS = (
    Column("number", "N° de visite", width=11), Column("kind", "Type de visite", width=20),
    Column("state", "État", width=18), Column("establishment", "Établissement", width=28),
    Column("commune", "Commune", width=20), Column("owner", "Propriétaire (loueur)", width=24),
    Column("planned_on", "Prévue le", "date", 12), Column("visited_on", "Visitée le", "date", 12),
    Column("issued_on", "Émise le", "date", 12), Column("received_on", "Reçue le", "date", 12),
    Column("refused_on", "Refusée le", "date", 12), Column("acquired_on", "Acquise le", "date", 12),
    Column("valid_until", "Valable jusqu'au", "date", 12), Column("evaluator", "Évaluateur", width=20),
    Column("second_evaluator", "Second évaluateur", width=20), Column("grid_id", "Grille", width=18),
    Column("grid_version", "Version de la grille", width=12),
    Column("requested_category", "Catégorie demandée", "int", 11),
    Column("proposed_category", "Catégorie proposée", "int", 11),
    Column("families", "Familles demandées", width=22), Column("typology", "Typologie", width=16),
    Column("revision", "Révision", "int", 9),
)


def _in_period(column: Any, period: Period | None) -> Any:
    return True if period is None else column.between(period.start, period.end)


def visits_table(db: Database, *, period: Period | None = None, include_superseded: bool = False) -> Table:
    """Visits (current revisions unless asked), dated by the day of the visit or, before it, the planned day."""
    when = func.coalesce(Visit.visited_on, Visit.planned_on)
    stmt: Select[Any] = (select(Visit, Establishment, Owner)
                         .join(Establishment, Establishment.id == Visit.establishment_id)
                         .outerjoin(Owner, Owner.id == Establishment.owner_id)
                         .where(_in_period(when, period))
                         .order_by(when, Establishment.name, Visit.id))
    if not include_superseded:
        stmt = stmt.where(Visit.superseded.is_(False))
    with db.session() as s:
        users = users_by_id(s)
        rows = []
        for v, e, o in s.execute(stmt):
            rows.append({
                "number": v.id[:8].upper(), "kind": KIND_FR.get(v.kind, v.kind),
                "state": STATE_FR.get(v.state, v.state),
                "establishment": text(e.name), "commune": e.commune, "owner": owner_name(o),
                "planned_on": v.planned_on, "visited_on": v.visited_on, "issued_on": v.issued_on,
                "received_on": v.received_on, "refused_on": v.refused_on, "acquired_on": v.acquired_on,
                "valid_until": v.valid_until,
                "evaluator": users[v.evaluator_id].name if v.evaluator_id in users else "",
                "second_evaluator": users[v.second_evaluator_id].name if v.second_evaluator_id in users else "",
                "grid_id": v.grid_id, "grid_version": v.grid_version, "requested_category": v.requested_category,
                "proposed_category": v.proposed_category, "families": families_text(v.requested_families),
                "typology": v.typology, "revision": v.revision_number})
    notes = ["N° de visite : les 8 premiers caractères de l'identifiant de la visite.",
             "Catégorie proposée 0 : rapport de non-classement."]
    notes.append("Seules les révisions en vigueur sont listées (une visite corrigée l'est une fois)."
                 if not include_superseded else "Toutes les révisions sont listées, y compris celles remplacées.")
    if period is not None:
        notes.append(f"Période : {period.text} (date de la visite, ou date prévue si la visite n'a pas eu lieu).")
    stem = "visites" + (f"-{period.label}" if period else "")
    return Table(stem, "Visites", VISIT_COLUMNS, rows, tuple(notes))


DECISION_COLUMNS = (
    Column("number", "N° de décision", width=18), Column("subject", "Objet", width=24),
    Column("status", "Statut", width=18), Column("decided_on", "Date de la décision", "date", 12),
    Column("category", "Catégorie (étoiles)", "int", 11), Column("families", "Familles / typologie", width=24),
    Column("valid_until", "Fin de validité", "date", 12), Column("establishment", "Établissement", width=28),
    Column("commune", "Commune", width=20), Column("owner", "Propriétaire (loueur)", width=24),
    Column("visit", "N° de visite", width=11), Column("reason", "Motif", width=30),
    Column("details", "Détails", width=50),
)


def _decision_details(d: Decision) -> str:
    details = d.details or {}
    parts = []
    for code, fam in (details.get("families") or {}).items():
        outcome = OUTCOME_FR.get(fam.get("outcome", ""), fam.get("outcome", ""))
        parts.append(f"{fam.get('label') or code} : {outcome}")
    for key, name in (("decided_by", "décidé par"), ("motivation", "motivation")):
        if details.get(key):
            parts.append(f"{name} : {text(details[key])}")
    return " ; ".join(parts)


def decisions_table(db: Database, *, period: Period | None = None) -> Table:
    """Every decision (all subjects and statuses), by date then number."""
    stmt = (select(Decision, Establishment, Owner, Visit.typology)
            .join(Establishment, Establishment.id == Decision.establishment_id)
            .outerjoin(Owner, Owner.id == Establishment.owner_id)
            .outerjoin(Visit, Visit.id == Decision.visit_id)
            .where(_in_period(Decision.decided_on, period)))
    with db.session() as s:
        rows = []
        for d, e, o, typology in s.execute(stmt):
            fams = families_text(d.families)
            if d.subject == "accueil_velo":
                fams = ", ".join(x for x in (fams, (d.details or {}).get("typology") or typology or "") if x)
            rows.append({
                "number": decision_number(d), "subject": SUBJECT_FR.get(d.subject, d.subject),
                "status": DECISION_STATUS_FR.get(d.status, d.status), "decided_on": d.decided_on,
                "category": d.category, "families": fams, "valid_until": d.valid_until,
                "establishment": text(e.name), "commune": e.commune, "owner": owner_name(o),
                "visit": (d.visit_id or "")[:8].upper(), "reason": text(d.reason), "details": _decision_details(d)})
    rows.sort(key=lambda r: (r["decided_on"] or dt.date.min, r["number"]))
    notes = ["Toutes les décisions : classements de meublés (acquis, refusés, radiés) et décisions de labels.",
             "N° de décision d'un classement acquis enregistré sans numéro : DC-<année>-<8 premiers caractères de "
             "l'identifiant de la visite>, comme sur la décision de classement."]
    if period is not None:
        notes.append(f"Période : {period.text} (date de la décision).")
    stem = "decisions" + (f"-{period.label}" if period else "")
    return Table(stem, "Décisions", DECISION_COLUMNS, rows, tuple(notes))


LABEL_COLUMNS = (
    Column("label", "Label", width=24), Column("families", "Familles", width=24),
    Column("typology", "Typologie", width=16), Column("valid_from", "Valable du", "date", 12),
    Column("valid_until", "Valable jusqu'au", "date", 12), Column("establishment", "Établissement", width=28),
    Column("kind", "Type d'établissement", width=20), Column("commune", "Commune", width=20),
    Column("owner", "Propriétaire (loueur)", width=24), Column("email", "Courriel", width=24),
    Column("phone", "Téléphone", width=16),
)


def labels_table(db: Database, *, period: Period | None = None) -> Table:
    """Labels held by establishments, with validity; a period keeps the labels valid at some time within it."""
    stmt = (select(EstablishmentLabel, Establishment, Owner)
            .join(Establishment, Establishment.id == EstablishmentLabel.establishment_id)
            .outerjoin(Owner, Owner.id == Establishment.owner_id)
            .order_by(EstablishmentLabel.label, Establishment.commune, Establishment.name, EstablishmentLabel.id))
    if period is not None:
        stmt = stmt.where(or_(EstablishmentLabel.valid_from.is_(None), EstablishmentLabel.valid_from <= period.end),
                          or_(EstablishmentLabel.valid_until.is_(None),
                              EstablishmentLabel.valid_until >= period.start))
    with db.session() as s:
        rows = [{"label": LABEL_FR.get(lab.label, lab.label), "families": families_text(lab.families),
                 "typology": lab.typology, "valid_from": lab.valid_from, "valid_until": lab.valid_until,
                 "establishment": text(e.name), "kind": EST_KIND_FR.get(e.kind, e.kind), "commune": e.commune,
                 "owner": owner_name(o), "email": o.email if o else "", "phone": o.phone if o else ""}
                for lab, e, o in s.execute(stmt)]
    notes = ["Un label détenu par ligne (Accueil Vélo : une ligne par typologie)."]
    if period is not None:
        notes.append(f"Période : {period.text} (labels dont la validité recoupe la période).")
    stem = "labels" + (f"-{period.label}" if period else "")
    return Table(stem, "Labels", LABEL_COLUMNS, rows, tuple(notes))


def dataset_table(db: Database, dataset: str, *, period: Period | None = None) -> Table:
    """One of DATASETS; a period on `establishments` is refused (it has no date to filter on)."""
    if dataset not in DATASETS:
        raise ExportError(f"jeu de données « {dataset} » inconnu ({', '.join(DATASETS)})")
    if dataset == "establishments":
        if period is not None:
            raise ExportError("les établissements ne se filtrent pas par date : exportez-les sans année ni période")
        return establishments_table(db)
    builders = {"visits": visits_table, "decisions": decisions_table, "labels": labels_table}
    return builders[dataset](db, period=period)


def plain(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON-friendly dicts (dates as ISO text)."""
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()} for r in rows]
