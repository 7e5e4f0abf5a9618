"""Accueil Vélo prerequisites, checked against the database: the nearest cycle itinerary and, for accommodation, a
classification or label valid on the day of the visit.

The facts found are stored in `Visit.prerequisites` (with their sources and dates) and the grid's context keys are
set through `visits.set_context`, so that the label engine's prerequisites give the result. Which context keys hold
the distance and the qualification is read from the grid's prerequisite conditions (a number compared with `<=` or
`<`, and a yes/no compared with true); the names used by the shipped grid (`itinerary_distance_km`,
`accommodation_qualified`) and by the test grid (`distance_to_route_km`, `classified_or_labelled`) are also known.

A locked visit (completed, submitted, issued…) is never changed: its check returns the facts stored at the time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..db.database import Database
from ..db.models import Establishment, EstablishmentLabel, Visit
from ..grids import conditions
from ..grids.model import Grid
from . import itineraries, visits
from .common import Changed, NotFound, OpResult, ServiceError, VisitLocked, audit

LABEL = "accueil_velo"
ACCOMMODATION = "hebergement"
MANUAL, COMPUTED = "saisie", "calcul"
DEFAULT_LIMIT_KM = 5.0
MAX_DISTANCE_KM = 1000.0
# Labels that qualify an accommodation (a chambre d'hôtes cannot be classified: it needs a label or qualification).
QUALIFYING_LABELS: dict[str, str] = {"chambre_hotes_reference": "Chambre d'hôtes Référence"}
DISTANCE_KEYS = ("itinerary_distance_km", "distance_to_route_km")
QUALIFICATION_KEYS = ("accommodation_qualified", "classified_or_labelled")
KIND_FR = {"meuble": "meublé", "chambre_hotes": "chambre d'hôtes", "hebergement": "hébergement"}


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _km(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " km"


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- which context keys the grid uses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridKeys:
    """The context keys of a grid's Accueil Vélo prerequisites (None when the grid has no such key)."""

    distance: str | None
    distance_op: str
    limit_km: float
    qualification: str | None
    typology: str | None


def grid_keys(grid: Grid) -> GridKeys:
    """Read the distance and qualification keys from the prerequisite conditions (known names as a fallback)."""
    distance = qualification = None
    op, limit = "<=", DEFAULT_LIMIT_KM
    for prereq in grid.prerequisites:
        for leaf in conditions.leaves(prereq.condition):
            spec = grid.context_key(leaf["key"])
            if spec is None:
                continue
            value = leaf["value"]
            if (distance is None and spec.type in ("number", "int") and leaf["op"] in ("<=", "<")
                    and isinstance(value, (int, float)) and not isinstance(value, bool)):
                distance, op, limit = spec.key, leaf["op"], float(value)
            elif qualification is None and spec.type == "bool" and (
                    (leaf["op"] == "==" and value is True) or (leaf["op"] == "!=" and value is False)):
                qualification = spec.key
    declared = {k.key for k in grid.context}
    distance = distance or next((k for k in DISTANCE_KEYS if k in declared), None)
    qualification = qualification or next((k for k in QUALIFICATION_KEYS if k in declared), None)
    return GridKeys(distance, op, limit, qualification, "typology" if "typology" in declared else None)


# --- results -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItineraryFact:
    """The distance to the nearest cycle itinerary: typed in (saisie) or computed from the coordinates (calcul)."""

    source: str
    name: str
    distance_km: float
    recorded_on: dt.date | None = None
    latitude: float | None = None  # establishment's coordinates used by a calculation
    longitude: float | None = None
    files: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "name": self.name, "distance_km": self.distance_km,
                               "recorded_on": self.recorded_on.isoformat() if self.recorded_on else None}
        if self.source == COMPUTED:
            out.update(latitude=self.latitude, longitude=self.longitude, files=list(self.files))
        return out

    @classmethod
    def from_dict(cls, doc: Any) -> ItineraryFact | None:
        if not isinstance(doc, dict) or not isinstance(doc.get("distance_km"), (int, float)):
            return None
        return cls(str(doc.get("source") or MANUAL), str(doc.get("name") or ""), float(doc["distance_km"]),
                   _date(doc.get("recorded_on")), doc.get("latitude"), doc.get("longitude"),
                   tuple(doc.get("files") or ()))


@dataclass(frozen=True)
class Qualification:
    """What the database says of the accommodation's classification or label on the day of the visit."""

    applicable: bool
    ok: bool
    text: str
    kind: str = ""  # "classement" | "label" | ""
    category: int | None = None
    label: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    found: tuple[str, ...] = ()  # everything found, valid or not (French sentences)

    def as_dict(self) -> dict[str, Any]:
        return {"applicable": self.applicable, "ok": self.ok, "text": self.text, "kind": self.kind,
                "category": self.category, "label": self.label,
                "valid_from": self.valid_from.isoformat() if self.valid_from else None,
                "valid_until": self.valid_until.isoformat() if self.valid_until else None, "found": list(self.found)}

    @classmethod
    def from_dict(cls, doc: Any) -> Qualification:
        if not isinstance(doc, dict):
            return cls(False, True, "non vérifiée")
        return cls(bool(doc.get("applicable")), bool(doc.get("ok")), str(doc.get("text") or ""),
                   str(doc.get("kind") or ""), doc.get("category"), str(doc.get("label") or ""),
                   _date(doc.get("valid_from")), _date(doc.get("valid_until")), tuple(doc.get("found") or ()))


@dataclass(frozen=True)
class AccueilVeloCheck:
    """The prerequisites of one Accueil Vélo visit, as found (and stored unless the visit is locked)."""

    visit_id: str
    on: dt.date  # the day the qualification must be valid: visit day, else planned day, else today
    typology: str
    limit_km: float
    limit_op: str
    itinerary: ItineraryFact | None
    itinerary_ok: bool | None  # None: distance unknown
    itinerary_problem: str
    qualification: Qualification
    locked: bool = False
    context: dict[str, Any] = field(default_factory=dict)  # the grid context keys this check set
    context_problem: str = ""
    coordinates: tuple[float, float] | None = None
    itinerary_files: tuple[str, ...] = ()

    @property
    def ok(self) -> bool | None:
        """True when both prerequisites are met, False when one fails, None while the distance is unknown."""
        if self.qualification.applicable and not self.qualification.ok:
            return False
        return self.itinerary_ok

    def itinerary_text(self) -> str:
        if self.itinerary is None:
            problem = self.itinerary_problem.rstrip(".")
            return f"distance inconnue — {problem}" if problem else "distance inconnue"
        it = self.itinerary
        name = f"« {it.name} »" if it.name else "itinéraire non nommé"
        how = "calculée depuis les coordonnées" if it.source == COMPUTED else "saisie"
        sign = "≤" if self.limit_op == "<=" else "<"
        verdict = "oui" if self.itinerary_ok else "non"
        return f"{name} à {_km(it.distance_km)} ({how}) — {sign} {_km(self.limit_km)} : {verdict}"

    def messages(self) -> list[str]:
        """French lines for a report, the CLI or a tooltip."""
        lines = [f"Itinéraire cyclable : {self.itinerary_text()}."]
        if self.qualification.applicable:
            state = "rempli" if self.qualification.ok else "non rempli"
            lines.append(f"Hébergement classé ou labellisé au {_fmt(self.on)} : {self.qualification.text} "
                         f"(prérequis {state}).")
        if self.context_problem:
            lines.append(self.context_problem)
        return lines


# --- the accommodation's qualification -----------------------------------------------------------------------------


def _stars(n: int) -> str:
    return f"{n} étoile" + ("s" if n > 1 else "")


def accommodation_qualification(est: Establishment, labels: list[EstablishmentLabel], on: dt.date,
                                accepted: Mapping[str, str] | None = None) -> Qualification:
    """Is the accommodation classified (stars valid on `on`) or labelled (an accepted label valid on `on`)?"""
    accepted = QUALIFYING_LABELS if accepted is None else accepted
    what = KIND_FR.get(est.kind, "établissement")
    valid: list[Qualification] = []
    found: list[str] = []
    if est.current_category:
        until = est.category_valid_until
        if until is None:
            found.append(f"{what} classé {_stars(est.current_category)} sans date de fin de validité enregistrée "
                         "(à vérifier)")
        elif until >= on:
            text = f"{what} classé {_stars(est.current_category)} jusqu'au {_fmt(until)}"
            valid.append(Qualification(True, True, text, "classement", est.current_category, "", None, until))
            found.append(text)
        else:
            found.append(f"{what} : classement expiré le {_fmt(until)} ({_stars(est.current_category)})")
    elif est.category_valid_until is not None and est.category_valid_until < on:
        found.append(f"{what} : classement expiré le {_fmt(est.category_valid_until)}")
    for row in sorted((r for r in labels if r.label in accepted), key=lambda r: r.valid_until or dt.date.max,
                      reverse=True):
        title = accepted[row.label]
        if row.valid_from is not None and row.valid_from > on:
            found.append(f"{title} valable à partir du {_fmt(row.valid_from)} seulement")
        elif row.valid_until is not None and row.valid_until < on:
            found.append(f"{title} expirée le {_fmt(row.valid_until)}")
        else:
            text = (f"{title} valable jusqu'au {_fmt(row.valid_until)}" if row.valid_until
                    else f"{title} (sans date de fin enregistrée)")
            valid.append(Qualification(True, True, text, "label", None, row.label, row.valid_from, row.valid_until))
            found.append(text)
    if valid:
        best = max(valid, key=lambda q: q.valid_until or dt.date.max)
        return Qualification(True, True, best.text, best.kind, best.category, best.label, best.valid_from,
                             best.valid_until, tuple(found))
    if not found:
        return Qualification(True, False, "aucune qualification (ni classement ni label en cours de validité)")
    expired = [d for d in (est.category_valid_until, *(r.valid_until for r in labels if r.label in accepted))
               if d is not None and d < on]
    return Qualification(True, False, " ; ".join(found), "", est.current_category, "", None,
                         max(expired) if expired else None, tuple(found))


# --- the check ----------------------------------------------------------------------------------------------------


@dataclass
class _Snapshot:
    visit_id: str
    locked: bool
    grid: Grid
    keys: GridKeys
    on: dt.date
    typology: str
    context: dict[str, Any]
    stored: dict[str, Any]
    coordinates: tuple[float, float] | None
    qualification: Qualification


def _snapshot(db: Database, visit_id: str, today: dt.date) -> _Snapshot:
    with db.session() as s:
        v = visits.get_visit(s, visit_id)
        if visits.VISIT_KINDS.get(v.kind) != LABEL:
            raise ServiceError("Les prérequis Accueil Vélo ne concernent que les visites Accueil Vélo.")
        grid = visits.grid_of(v)
        est = s.get(Establishment, v.establishment_id)
        if est is None:
            raise NotFound(f"Établissement {v.establishment_id} introuvable.")
        on = v.visited_on or v.planned_on or today
        typology = v.typology or str(v.context.get("typology") or "")
        if typology == ACCOMMODATION:
            labels = list(s.scalars(select(EstablishmentLabel).where(EstablishmentLabel.establishment_id == est.id)))
            qualification = accommodation_qualification(est, labels, on)
        elif typology:
            qualification = Qualification(False, True, "sans objet (typologie autre qu'hébergement)")
        else:
            qualification = Qualification(True, False, "typologie de la visite non choisie")
        coords = (est.latitude, est.longitude) if est.latitude is not None and est.longitude is not None else None
        return _Snapshot(v.id, bool(v.superseded or v.state in visits.LOCKED_STATES), grid, grid_keys(grid), on,
                         typology, dict(v.context or {}), dict(v.prerequisites or {}), coords, qualification)


def _itinerary_ok(keys: GridKeys, distance: float) -> bool:
    return conditions.evaluate({"key": "d", "op": keys.distance_op, "value": keys.limit_km}, {"d": distance})


def _compute(db: Database, snap: _Snapshot, today: dt.date) -> ItineraryFact:
    if snap.coordinates is None:
        raise ServiceError("Coordonnées de l'établissement manquantes : saisissez sa latitude et sa longitude sur la "
                           "fiche établissement.")
    found, files = itineraries.nearest(itineraries.folder_of(db), *snap.coordinates)
    if found is None:
        raise ServiceError("Aucun fichier d'itinéraires cyclables chargé (GeoJSON ou GPX : « inspector itineraries "
                           "load FICHIER »).")
    distance = math.floor(found.distance_km * 10 + 0.5) / 10  # rounded to 100 m, as shown
    return ItineraryFact(COMPUTED, found.name, distance, today, snap.coordinates[0], snap.coordinates[1],
                         tuple(files))


def _from_stored(snap: _Snapshot) -> AccueilVeloCheck:
    stored = snap.stored
    fact = ItineraryFact.from_dict(stored.get("itinerary"))
    if fact is None and not stored and snap.keys.distance and isinstance(snap.context.get(snap.keys.distance),
                                                                         (int, float)):
        fact = ItineraryFact(MANUAL, "", float(snap.context[snap.keys.distance]))  # typed in the context
    limit = float(stored.get("distance_limit_km") or snap.keys.limit_km)
    return AccueilVeloCheck(
        snap.visit_id, _date(stored.get("on")) or snap.on, str(stored.get("typology") or snap.typology), limit,
        str(stored.get("distance_op") or snap.keys.distance_op), fact,
        (stored["itinerary_ok"] if "itinerary_ok" in stored else _itinerary_ok(snap.keys, fact.distance_km))
        if fact is not None else None,
        "" if fact is not None else "non renseignée avant la clôture de la visite",
        Qualification.from_dict(stored.get("qualification")) if "qualification" in stored else snap.qualification,
        locked=True, coordinates=snap.coordinates)


def _run(db: Database, visit_id: str, *, today: dt.date | None, mode: str, manual: ItineraryFact | None = None,
         user_id: str | None = None) -> OpResult[AccueilVeloCheck]:
    today = today or dt.date.today()
    snap = _snapshot(db, visit_id, today)
    if snap.locked:
        if mode != "auto" or manual is not None:
            raise VisitLocked("La visite est terminée : ses prérequis ne changent plus (ouvrez une nouvelle "
                              "révision pour les corriger).")
        return OpResult(_from_stored(snap), Changed())
    keys = snap.keys
    previous = ItineraryFact.from_dict(snap.stored.get("itinerary"))
    fact: ItineraryFact | None
    problem = ""
    files: tuple[str, ...] = ()
    if manual is not None:
        fact = manual
    elif mode == COMPUTED:
        fact = _compute(db, snap, today)
    elif previous is not None and previous.source == MANUAL:
        fact = previous
    else:
        try:
            fact = _compute(db, snap, today)
            if previous is not None and previous.source == COMPUTED and previous.as_dict() | {
                    "recorded_on": None} == fact.as_dict() | {"recorded_on": None}:
                fact = previous  # same result: keep the day it was first computed (no needless write)
        except ServiceError as exc:
            problem = str(exc)
            fact = previous
            if fact is not None:
                problem += f" Dernier calcul conservé (du {_fmt(fact.recorded_on)})."
        if fact is None and keys.distance and isinstance(snap.context.get(keys.distance), (int, float)):
            fact = ItineraryFact(MANUAL, "", float(snap.context[keys.distance]), None)  # typed in the context
            problem = ""
    if fact is not None and fact.source == COMPUTED:
        files = fact.files
    ok = _itinerary_ok(keys, fact.distance_km) if fact is not None else None

    # The grid's context keys, through the visit service (checked against the grid, audited).
    updates: dict[str, Any] = {}
    spec = snap.grid.context_key("typology") if keys.typology else None
    if spec is not None and snap.typology in spec.choices:
        updates["typology"] = snap.typology
    if keys.distance and fact is not None:
        updates[keys.distance] = fact.distance_km
    if keys.qualification and snap.qualification.applicable:
        updates[keys.qualification] = snap.qualification.ok
    updates = {k: v for k, v in updates.items() if snap.context.get(k) != v}
    changed = Changed()
    context_problem = ""
    distance_spec = snap.grid.context_key(keys.distance) if keys.distance else None
    if fact is None and distance_spec is not None and distance_spec.required and keys.distance not in snap.context:
        updates = {}  # the grid cannot take a context without the distance: the itinerary problem says why
    if updates:
        try:
            res = visits.set_context(db, visit_id=visit_id, context=updates, user_id=user_id)
            changed.rows.update(res.changed.rows)
        except VisitLocked:
            raise
        except ServiceError as exc:
            context_problem = f"Contexte de la grille non mis à jour : {exc}"
            updates = {}

    facts = {"label": LABEL, "on": snap.on.isoformat(), "typology": snap.typology,
             "distance_limit_km": keys.limit_km, "distance_op": keys.distance_op,
             "itinerary": fact.as_dict() if fact is not None else None, "itinerary_ok": ok,
             "qualification": snap.qualification.as_dict(),
             "context_keys": {"distance": keys.distance, "qualification": keys.qualification}}
    if {k: v for k, v in snap.stored.items() if k != "checked_on"} != facts:
        with db.session() as s:
            v = visits.get_visit(s, visit_id)
            visits.check_editable(v)
            v.prerequisites = {**facts, "checked_on": today.isoformat()}
            v.pending_sync = True
            audit(s, user_id=user_id, action="visit.prerequisites", table="visits", row_id=v.id,
                  itinerary=facts["itinerary"], itinerary_ok=ok, qualification=snap.qualification.text)
            s.commit()
        changed.add("visits", visit_id)
    check = AccueilVeloCheck(visit_id, snap.on, snap.typology, keys.limit_km, keys.distance_op, fact, ok, problem,
                             snap.qualification, False, updates, context_problem, snap.coordinates, files)
    return OpResult(check, changed)


def check_accueil_velo(db: Database, visit_id: str, *, today: dt.date | None = None, compute: bool = False,
                       user_id: str | None = None) -> OpResult[AccueilVeloCheck]:
    """Check the prerequisites of an Accueil Vélo visit, store the facts and set the grid's context keys.

    Itinerary: a manual entry is kept; otherwise the distance is computed from the establishment's coordinates
    against the loaded itineraries (rounded to 0.1 km). `compute=True` (the "compute from the coordinates" button)
    replaces a manual entry and raises ServiceError when it cannot compute. Qualification (typology hébergement):
    the establishment's classification or accepted label valid on the visit day (visited, else planned, else
    today). Nothing is written when nothing changed; a locked visit returns its stored facts.
    """
    return _run(db, visit_id, today=today, mode=COMPUTED if compute else "auto", user_id=user_id)


def parse_distance(value: Any) -> float:
    """A distance in km typed by a user ("4,2", "4.2 km", 4.2); ServiceError with a French message."""
    if isinstance(value, bool):
        raise ServiceError("La distance doit être un nombre de kilomètres.")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value or "").strip().lower().removesuffix("km").strip().replace(",", ".").replace("\u202f", "")
        if not text:
            raise ServiceError("Indiquez la distance à l'itinéraire (en km).")
        try:
            number = float(text)
        except ValueError:
            raise ServiceError(f"« {value} » n'est pas une distance en kilomètres (par exemple 4,2).") from None
    if not math.isfinite(number) or number < 0 or number > MAX_DISTANCE_KM:
        raise ServiceError(f"La distance doit être comprise entre 0 et {MAX_DISTANCE_KM:g} km (« {value} »).")
    return round(number, 3)


def set_itinerary(db: Database, visit_id: str, name: str, distance_km: Any, *, today: dt.date | None = None,
                  user_id: str | None = None) -> OpResult[AccueilVeloCheck]:
    """Record the itinerary typed by the inspector (route name and distance in km), then check again."""
    clean = " ".join(str(name or "").split())
    if not clean:
        raise ServiceError("Indiquez le nom de l'itinéraire cyclable (par exemple « La Vélomaritime (EV4) »).")
    if len(clean) > 200:
        raise ServiceError(f"Nom d'itinéraire trop long ({len(clean)} caractères, 200 au plus).")
    distance = parse_distance(distance_km)
    day = today or dt.date.today()
    return _run(db, visit_id, today=day, mode="auto", manual=ItineraryFact(MANUAL, clean, distance, day),
                user_id=user_id)


def stored_prerequisites(db: Database, visit_id: str) -> dict[str, Any]:
    """The facts stored on a visit (read-only; empty when never checked)."""
    with db.session() as s:
        v = s.get(Visit, visit_id)
        if v is None:
            raise NotFound(f"Visite {visit_id} introuvable.")
        return dict(v.prerequisites or {})
