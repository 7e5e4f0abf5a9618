"""A fictional Pas-de-Calais agency for demos and screenshots, built through the real visit services."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from .db.database import Database
from .db.models import Establishment, EstablishmentLabel, Observation, Organisation, Owner, Setting, User, Visit
from .demo import s1_wimereux_studio, s3_saint_omer_advisory
from .grids.model import Grid
from .grids.registry import find_grid
from .scoring.answers import ScoringInputError, normalise_context
from .scoring.applicability import effective_status
from .scoring.meubles import score_meuble
from .services import deadlines, documents, photos, queries, visits

GRID_ID = "MT-2022-V2"
ORGANISATION_NAME = "Pas-de-Calais Tourisme (démonstration)"
DEMO_SETTING = "demo_data"  # present in a demo database: the app and the sync can tell it from real data

# Real Pas-de-Calais communes: name -> (INSEE code, postcode). Checked against the communes' official records.
COMMUNES: dict[str, tuple[str, str]] = {
    "Wimereux": ("62893", "62930"),
    "Wimille": ("62894", "62126"),
    "Boulogne-sur-Mer": ("62160", "62200"),
    "Audresselles": ("62056", "62164"),
    "Ambleteuse": ("62025", "62164"),
    "Wissant": ("62899", "62179"),
    "Escalles": ("62307", "62179"),
    "Calais": ("62193", "62100"),
    "Neufchâtel-Hardelot": ("62604", "62152"),
    "Équihen-Plage": ("62300", "62224"),
    "Camiers": ("62201", "62176"),
    "Étaples": ("62318", "62630"),
    "Le Touquet-Paris-Plage": ("62826", "62520"),
    "Cucq": ("62261", "62780"),
    "Merlimont": ("62571", "62155"),
    "Berck": ("62108", "62600"),
    "Montreuil-sur-Mer": ("62588", "62170"),
    "Hesdin": ("62447", "62140"),
    "Arras": ("62041", "62000"),
    "Saint-Omer": ("62765", "62500"),
    "Tilques": ("62819", "62500"),
}

# The intercommunality (EPCI à fiscalité propre) of each commune above, as of 2026 (the agency's figures group
# classified meublés by it). Checked one by one; a commune missing here is grouped under its own name.
INTERCOMMUNALITIES: dict[str, str] = {
    "Wimereux": "CA du Boulonnais",
    "Wimille": "CA du Boulonnais",
    "Boulogne-sur-Mer": "CA du Boulonnais",
    "Neufchâtel-Hardelot": "CA du Boulonnais",
    "Équihen-Plage": "CA du Boulonnais",
    "Audresselles": "CC de la Terre des Deux Caps",
    "Ambleteuse": "CC de la Terre des Deux Caps",
    "Wissant": "CC de la Terre des Deux Caps",
    "Escalles": "CA Grand Calais Terres et Mers",
    "Calais": "CA Grand Calais Terres et Mers",
    "Camiers": "CA des Deux Baies en Montreuil",
    "Étaples": "CA des Deux Baies en Montreuil",
    "Le Touquet-Paris-Plage": "CA des Deux Baies en Montreuil",
    "Cucq": "CA des Deux Baies en Montreuil",
    "Merlimont": "CA des Deux Baies en Montreuil",
    "Berck": "CA des Deux Baies en Montreuil",
    "Montreuil-sur-Mer": "CA des Deux Baies en Montreuil",
    "Hesdin": "CC des 7 Vallées",
    "Arras": "CU d'Arras",
    "Saint-Omer": "CA du Pays de Saint-Omer",
    "Tilques": "CA du Pays de Saint-Omer",
}

# Where the generated meublés are, weighted like a coastal department's supply.
_COMMUNE_WEIGHTS = {
    "Le Touquet-Paris-Plage": 8, "Berck": 7, "Wimereux": 6, "Neufchâtel-Hardelot": 5, "Cucq": 5, "Wissant": 4,
    "Boulogne-sur-Mer": 4, "Merlimont": 4, "Étaples": 3, "Audresselles": 3, "Ambleteuse": 3, "Camiers": 3,
    "Calais": 3, "Montreuil-sur-Mer": 3, "Arras": 3, "Saint-Omer": 3, "Escalles": 2, "Équihen-Plage": 2,
    "Wimille": 2, "Hesdin": 2, "Tilques": 1,
}

# Each inspector covers one part of the department.
_SECTORS = {
    "Julie Caron": ("Wimereux", "Wimille", "Boulogne-sur-Mer", "Audresselles", "Ambleteuse", "Wissant", "Escalles",
                    "Calais", "Neufchâtel-Hardelot", "Équihen-Plage"),
    "Thomas Lemaire": ("Camiers", "Étaples", "Le Touquet-Paris-Plage", "Cucq", "Merlimont", "Berck",
                       "Montreuil-sur-Mer", "Hesdin"),
    "Sophie Delattre": ("Arras", "Saint-Omer", "Tilques"),
}

_USERS = (
    ("Julie Caron", "inspector"),
    ("Thomas Lemaire", "inspector"),
    ("Sophie Delattre", "inspector"),
    ("Marc Hennebelle", "partner_evaluator"),
    ("Élise Fontaine", "commission"),
    ("Nicolas Roussel", "admin"),
)

_SURNAMES = (
    "Bernard", "Bertin", "Boulanger", "Bourgeois", "Carpentier", "Cousin", "Delannoy", "Delaporte", "Delcroix",
    "Deprez", "Dubois", "Duhamel", "Dumont", "Dupont", "Facon", "Flament", "Gosselin", "Guilbert", "Hamy",
    "Hochart", "Hubert", "Joly", "Lagache", "Lamotte", "Lebrun", "Leclercq", "Lecomte", "Lenoir", "Leprêtre",
    "Leroy", "Maillard", "Marchand", "Masset", "Mercier", "Noël", "Petit", "Poulain", "Pruvost", "Ramet",
    "Sauvage", "Tellier", "Thorel", "Vandamme", "Verhaeghe", "Vion", "Wallet", "Hautecoeur", "Lefrançois",
    "Caudron", "Degrave", "Fournier", "Gamblin", "Hermant", "Macquet", "Obert", "Queval",
)
_FIRST_NAMES = (
    "Anne", "Brigitte", "Catherine", "Chantal", "Christine", "Claire", "Isabelle", "Laurence", "Marie", "Nathalie",
    "Sandrine", "Sylvie", "Valérie", "Véronique", "Camille", "Céline", "Aurélie", "Hélène", "Alain", "Bruno",
    "Christophe", "Daniel", "David", "Didier", "Éric", "François", "Frédéric", "Gérard", "Hervé", "Jacques",
    "Laurent", "Marc", "Michel", "Olivier", "Patrick", "Pierre", "Stéphane", "Thierry", "Vincent", "Bertrand",
)
_PLACE_NAMES = (
    "Les Mouettes", "Le Phare", "La Dune", "Les Goélands", "Le Grand Large", "Les Embruns", "La Vigie", "Le Cap",
    "L'Escale", "La Marée", "Les Pins", "Le Clos des Pommiers", "La Garenne", "Le Vieux Moulin", "Les Tilleuls",
    "La Chaumière", "Les Courlis", "Les Sternes", "Les Cormorans", "La Baie", "Les Salicornes", "Le Jardin d'Opale",
    "Les Coquillages", "Le Mât", "La Boussole", "Les Vagues", "Le Bois Joli", "La Canche", "Les Bruyères",
    "Le Hameau", "La Falaise", "Les Rochers", "Le Sémaphore", "La Houle", "L'Estran", "Les Tamaris",
    "Le Pré Fleuri", "La Ferme du Bourg", "Les Hirondelles", "Le Colombier", "La Tour", "Les Alouettes",
    "Le Petit Port", "Les Écluses", "La Sablière", "Le Vent du Nord", "Les Ajoncs", "La Pointe", "Le Belvédère",
    "Les Glycines", "La Source", "Le Cerisier", "Les Marronniers", "La Roseraie", "Le Fanal", "Les Brisants",
    "La Passerelle", "Le Moulin Bleu", "Les Pêcheurs", "La Verrière", "Le Quai", "Les Lilas", "La Terrasse",
    "Le Nid", "Les Genêts", "La Clairière", "L'Horizon", "Le Carrousel", "Les Dunettes", "La Capitainerie",
    "Le Galion", "Les Oeillets", "La Grange", "Le Verger", "Les Peupliers", "La Longère", "Le Fournil",
    "Les Mésanges", "La Criée", "Le Bastion",
)
_STREETS = (
    "rue de la Plage", "rue Carnot", "boulevard de la Mer", "rue du Général de Gaulle", "rue des Dunes",
    "avenue Foch", "rue Victor Hugo", "rue Nationale", "rue de l'Église", "chemin des Prés", "rue du Moulin",
    "rue des Pêcheurs", "avenue de la Plage", "rue Pasteur", "rue de la Gare", "place du Marché", "rue du Phare",
    "allée des Pins", "rue Jean Jaurès", "rue de la Forêt",
)
_OWNER_ELSEWHERE = (("Lille", "59000"), ("Paris", "75015"), ("Amiens", "80000"), ("Lens", "62300"),
                    ("Béthune", "62400"), ("Roubaix", "59100"), ("Bruxelles (Belgique)", "1000"))
_MANDATAIRES = ("Agence Opale Locations (fictive)", "Conciergerie des Deux Caps (fictive)",
                "Immobilière de la Canche (fictive)")
_NO_COMMENTS = ("Absent le jour de la visite.", "Non conforme : à mettre en place avant la saison.",
                "Prévu par le propriétaire pour la prochaine saison.", "Équipement hors service le jour de la visite.")

# Layout -> (capacity choices, rooms, collective building, categories usually requested)
_LAYOUTS: dict[str, tuple[tuple[int, ...], int, bool, tuple[int, ...]]] = {
    "studio": ((2,), 1, True, (1, 2, 2)),
    "T2": ((2, 4), 2, True, (2, 2, 3)),
    "T3": ((4, 6), 3, True, (2, 3, 3, 4)),
    "maison 2 chambres": ((4,), 4, False, (2, 3, 3)),
    "maison 3 chambres": ((6,), 5, False, (3, 3, 4)),
    "maison 4 chambres": ((8,), 6, False, (3, 4, 4, 5)),
    "gîte 5 chambres": ((10,), 7, False, (3, 4)),
}
_LAYOUT_WEIGHTS = {"studio": 5, "T2": 8, "T3": 6, "maison 2 chambres": 4, "maison 3 chambres": 5,
                   "maison 4 chambres": 3, "gîte 5 chambres": 1}
_TYPE_WORD = {"studio": "Studio", "T2": "Appartement", "T3": "Appartement", "maison 2 chambres": "Maison",
              "maison 3 chambres": "Maison", "maison 4 chambres": "Villa", "gîte 5 chambres": "Gîte"}


@dataclass(frozen=True)
class DemoSummary:
    """What was built: counts to print and to test."""

    organisation: str
    today: dt.date
    seed: int
    users: int
    owners: int
    establishments: int
    visits: int
    by_state: dict[str, int]
    observations: int


@dataclass
class _Est:
    id: str
    name: str
    commune: str
    layout: str
    capacity: int | None
    category: int | None
    evaluator_id: str


@dataclass
class _Plan:
    """One visit's life, replayed through the services in date order."""

    est: _Est
    kind: str
    category: int
    planned_on: dt.date
    visited_on: dt.date | None = None
    answers: dict[str, Any] | None = None
    comments: dict[str, str] = field(default_factory=dict)
    measurements: dict[str, Any] | None = None
    context: dict[str, Any] = field(default_factory=dict)
    complete: bool = False
    issued_on: dt.date | None = None
    received_on: dt.date | None = None
    refused_on: dt.date | None = None
    refusal_reason: str = ""
    acquire: bool = False
    photos: list[tuple[str, str, tuple[int, int, int]]] = field(default_factory=list)  # criterion, caption, colour


def _plain(text: str) -> str:
    """Lower-case ASCII letters and digits only, for fictional e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).lower()


def _workday_before(day: dt.date) -> dt.date:
    """The same day, or the Friday before when it falls on a week-end."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def _workday_after(day: dt.date) -> dt.date:
    """The same day, or the Monday after when it falls on a week-end."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


@contextmanager
def _fast_writes(db: Database) -> Iterator[None]:
    """While generating, commits skip fsync (a failed build is simply run again); the result is synced at the end."""

    def no_sync(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        cur.close()

    event.listen(db.engine, "connect", no_sync)
    db.engine.dispose()
    try:
        yield
    finally:
        event.remove(db.engine, "connect", no_sync)
        db.engine.dispose()
        with db.engine.connect() as conn:  # a normal, durable connection checkpoints everything to the file
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


class _Builder:
    """Builds the agency: people and places by direct inserts, every visit through `services.visits`."""

    def __init__(self, db: Database, today: dt.date, seed: int, scratch: Path):
        self.db = db
        self.scratch = scratch
        self.today = today
        self.seed = seed
        self.rng = random.Random(seed)
        self.grid: Grid = find_grid(GRID_ID)
        self.users: dict[str, str] = {}
        self.establishments: list[_Est] = []
        self.names = list(_PLACE_NAMES)
        self.rng.shuffle(self.names)
        self.people: set[str] = set()

    # ----- people and places ------------------------------------------------------------------------------

    def days(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    def person(self) -> str:
        while True:
            name = f"{self.rng.choice(_FIRST_NAMES)} {self.rng.choice(_SURNAMES)}"
            if name not in self.people:
                self.people.add(name)
                return name

    def contact(self, name: str) -> dict[str, str]:
        first, _, last = name.partition(" ")
        return {"email": f"{_plain(first)}.{_plain(last.split(' et ')[-1])}@example.org",
                "phone": f"06 39 98 {self.rng.randint(0, 99):02d} {self.rng.randint(0, 99):02d}"}

    def street(self) -> str:
        return f"{self.rng.randint(1, 120)} {self.rng.choice(_STREETS)}"

    def add_people(self) -> None:
        with self.db.session() as s:
            org = Organisation(
                name=ORGANISATION_NAME, address="Adresse fictive, 62000 Arras",
                accreditation_ref="Accréditation COFRAC Inspection n° 3-0000 (fictive)",
                accreditation_kind="accredited",
                accreditation_from=self.today.replace(month=1, day=1) - dt.timedelta(days=730),
                accreditation_until=self.today.replace(month=12, day=31) + dt.timedelta(days=1095),
                signatory_name="Claire Vasseur", signatory_title="Directrice")
            s.add(org)
            s.flush()
            for name, role in _USERS:
                self.people.add(name)
                user = User(organisation_id=org.id, name=name, role=role,
                            email=f"{_plain(name.split()[0])}.{_plain(name.split()[-1])}@example.org")
                s.add(user)
                s.flush()
                self.users[name] = user.id
            s.add(Setting(key=DEMO_SETTING, value={"seed": self.seed, "today": self.today.isoformat(),
                                                   "organisation": ORGANISATION_NAME}))
            s.commit()

    def evaluator_for(self, commune: str) -> str:
        for name, communes in _SECTORS.items():
            if commune in communes:
                return self.users[name]
        return self.users["Julie Caron"]

    def add_owner(self, name: str, *, commune: str, company: str = "", mandataire: bool = False) -> str:
        if self.rng.random() < 0.6:
            home, postcode = commune, COMMUNES[commune][1]
        else:
            home, postcode = self.rng.choice(_OWNER_ELSEWHERE)
        agency = self.rng.choice(_MANDATAIRES) if mandataire else ""
        self.people.add(name)
        with self.db.session() as s:
            owner = Owner(name=name, company=company, address=self.street(), postcode=postcode, commune=home,
                          mandataire_name=agency, mandataire_contact="contact@example.org" if agency else "",
                          **self.contact(name))
            s.add(owner)
            s.commit()
            return owner.id

    def add_establishment(self, *, owner_id: str, commune: str, name: str | None = None, kind: str = "meuble",
                          layout: str = "", capacity: int | None = None, floor: int | None = None,
                          collective: bool | None = None, lift: bool | None = None, category: int | None = None,
                          valid_until: dt.date | None = None, notes: str = "", address: str | None = None) -> _Est:
        spec = _LAYOUTS.get(layout)
        if spec is not None:
            capacity = capacity if capacity is not None else self.rng.choice(spec[0])
            collective = spec[2] if collective is None else collective
            if floor is None:
                floor = self.rng.choice((0, 1, 1, 2, 2, 3, 4, 5)) if collective else 0
            if lift is None:
                lift = bool(collective and floor >= 2 and self.rng.random() < 0.7)
        if name is None:
            name = f"{_TYPE_WORD.get(layout, 'Meublé')} « {self.names.pop()} »"
        insee, postcode = COMMUNES[commune]
        rooms = spec[1] if spec else None
        with self.db.session() as s:
            est = Establishment(
                kind=kind, name=name, owner_id=owner_id, address=address or self.street(), postcode=postcode,
                commune=commune, insee_code=insee, capacity=capacity, layout=layout, rooms=rooms, floor=floor,
                collective_building=bool(collective), has_lift=bool(lift),
                declaration_number=f"{insee}{self.rng.randint(0, 999999):06d}{self.rng.choice('ABCDEFGHJK')}"
                                   f"{self.rng.randint(0, 9)}" if kind == "meuble" else "",
                current_category=category, category_valid_until=valid_until, notes=notes,
                intercommunality=INTERCOMMUNALITIES.get(commune, ""))
            s.add(est)
            s.commit()
            item = _Est(est.id, name, commune, layout, capacity, category, self.evaluator_for(commune))
        self.establishments.append(item)
        return item

    def random_meuble(self, owner_id: str, **kw: Any) -> _Est:
        commune = kw.pop("commune", None) or self.rng.choices(list(_COMMUNE_WEIGHTS),
                                                               weights=list(_COMMUNE_WEIGHTS.values()))[0]
        layout = kw.pop("layout", None) or self.rng.choices(list(_LAYOUT_WEIGHTS),
                                                             weights=list(_LAYOUT_WEIGHTS.values()))[0]
        return self.add_establishment(owner_id=owner_id, commune=commune, layout=layout, **kw)

    def category_for(self, est: _Est) -> int:
        return self.rng.choice(_LAYOUTS[est.layout][3]) if est.layout in _LAYOUTS else 3

    # ----- answers ------------------------------------------------------------------------------------------

    def context_for(self, est: _Est) -> tuple[dict[str, Any], dict[str, Any]]:
        """The context the visit will have (derived by create_visit from the establishment, plus what the
        inspector sets: a studio has no separate séjour), and that extra part alone."""
        with self.db.session() as s:
            row = s.get(Establishment, est.id)
            ctx = {"capacity": row.capacity or 2, "floor": row.floor or 0,
                   "collective_building": bool(row.collective_building), "studio": row.layout == "studio"}
        extra = {"has_sejour": False} if ctx["studio"] else {}
        return normalise_context(self.grid, {**ctx, **extra}), extra

    def answer_set(self, ctx: dict[str, Any], category: int, *, measurements: dict[str, Any] | None = None,
                   x_fail: float = 0.03) -> tuple[dict[str, Any], dict[str, str], bool]:
        """Mostly-yes answers that reach `category` (a few mandatory and à-la-carte criteria not met)."""
        level = str(category)
        levels = self.grid.level_codes
        settings = self.grid.settings
        o_yes = {1: 0.35, 2: 0.45, 3: 0.6, 4: 0.75, 5: 0.85}[category]
        answers: dict[str, Any] = {}
        comments: dict[str, str] = {}
        classable = False
        for _attempt in range(8):
            answers, comments = {}, {}
            for c in self.grid.criteria:
                if measurements is not None and c.measure.startswith("surface"):
                    continue  # decided by the measured rooms
                eff = effective_status(c, level, ctx, settings)
                if eff.status == "NA" and (eff.rule is not None or all(
                        effective_status(c, lv, ctx, settings).status == "NA" for lv in levels)):
                    continue
                if c.graded:
                    answers[c.code] = self.rng.choice((0, 1, 1, 2, 2, 3, 4, 5))
                    continue
                if eff.status in ("X ONC", "PRQ"):
                    value = "yes"
                elif eff.status == "X":
                    value = "no" if self.rng.random() < x_fail else "yes"
                elif c.na_reasons and eff.status == "O" and self.rng.random() < 0.1:
                    value = "na"
                else:
                    value = "yes" if self.rng.random() < o_yes else "no"
                answers[c.code] = value
                if value == "no" and self.rng.random() < 0.25:
                    comments[c.code] = self.rng.choice(_NO_COMMENTS)
            try:
                classable = score_meuble(self.grid, category=category, context=ctx, answers=answers,
                                         measurements=measurements).classable
            except ScoringInputError:
                classable = False
            if classable:
                break
            x_fail, o_yes = x_fail / 2, min(1.0, o_yes + 0.1)
        return answers, comments, classable

    def measurements_for(self, ctx: dict[str, Any]) -> dict[str, Any]:
        """Generous measured rooms and beds for the capacity (bedrooms of two, 160 cm double beds)."""
        capacity = int(ctx["capacity"])
        if ctx.get("studio"):
            return {"rooms": [{"name": "Pièce principale avec coin cuisine", "kind": "piece",
                               "surface": 22 + self.rng.randint(0, 8), "sleepers": capacity},
                              {"name": "Salle d'eau", "kind": "salle_d_eau", "surface": 3.5}],
                    "beds": [{"kind": "double", "width": 140, "length": 190, "room": "Pièce principale"}]}
        bedrooms = max(1, (capacity + 1) // 2)
        rooms = [{"name": "Séjour", "kind": "sejour", "surface": 18 + 3 * capacity + self.rng.randint(0, 10)},
                 {"name": "Cuisine", "kind": "cuisine", "surface": 9 + self.rng.randint(0, 4)}]
        beds = []
        for i in range(1, bedrooms + 1):
            rooms.append({"name": f"Chambre {i}", "kind": "chambre", "surface": 11 + self.rng.randint(0, 5),
                          "sleepers": 2})
            beds.append({"kind": "double", "width": 160, "length": 200, "room": f"Chambre {i}"})
        rooms += [{"name": "Salle d'eau", "kind": "salle_d_eau", "surface": 5}, {"name": "WC", "kind": "wc",
                                                                                  "surface": 1.5}]
        return {"rooms": rooms, "beds": beds}

    def full_plan(self, est: _Est, *, kind: str, category: int, visited_on: dt.date, measured: bool = False,
                  **kw: Any) -> _Plan:
        """A visit answered completely, with a classable answer set (measured rooms if asked and they fit)."""
        ctx, extra = self.context_for(est)
        measurements = self.measurements_for(ctx) if measured else None
        answers, comments, classable = self.answer_set(ctx, category, measurements=measurements)
        if measurements is not None and not classable:
            measurements = None
            answers, comments, _ = self.answer_set(ctx, category)
        planned = _workday_before(visited_on - dt.timedelta(days=self.rng.randint(7, 30)))
        return _Plan(est, kind, category, planned_on=planned, visited_on=visited_on, answers=answers,
                     comments=comments, measurements=measurements, context=kw.pop("context", extra),
                     complete=kw.pop("complete", True), **kw)

    def acquired_plan(self, est: _Est, *, kind: str, category: int, visited_on: dt.date) -> _Plan:
        """A classement issued, received and acquired (the 16th day) — all in the past."""
        issued = visited_on + dt.timedelta(days=self.rng.randint(3, 12))
        received = issued + dt.timedelta(days=self.rng.randint(1, 4))
        return self.full_plan(est, kind=kind, category=category, visited_on=visited_on, issued_on=issued,
                              received_on=received, acquire=True)

    def picture(self, name: str, colour: tuple[int, int, int]) -> Path:
        """A small made-up photo (a wall of tiles with a few dark spots), written to the scratch folder."""
        from PIL import Image, ImageDraw

        img = Image.new("RGB", (640, 480), colour)
        draw = ImageDraw.Draw(img)
        for x in range(0, 640, 64):
            draw.line([(x, 0), (x, 480)], fill=(200, 200, 200), width=2)
        for y in range(0, 480, 48):
            draw.line([(0, y), (640, y)], fill=(200, 200, 200), width=2)
        for _ in range(self.rng.randint(4, 12)):
            x, y, r = self.rng.randint(0, 620), self.rng.randint(0, 460), self.rng.randint(3, 14)
            draw.ellipse([(x - r, y - r), (x + r, y + r)], fill=(60, 66, 58))
        path = self.scratch / name
        img.save(path, "JPEG", quality=80)
        return path

    # ----- replay through the services ----------------------------------------------------------------------

    def run(self, plan: _Plan) -> str:
        db, user = self.db, plan.est.evaluator_id
        vid = visits.create_visit(db, establishment_id=plan.est.id, kind=plan.kind, planned_on=plan.planned_on,
                                  requested_category=plan.category, evaluator_id=user, context=plan.context or None,
                                  user_id=user).value
        if plan.visited_on is None:
            return vid
        on_site = dt.datetime.combine(plan.visited_on, dt.time(9, 30))
        visits.start_visit(db, visit_id=vid, visited_on=plan.visited_on, user_id=user, at=on_site)
        if plan.measurements:
            visits.set_measurements(db, visit_id=vid, rooms=plan.measurements["rooms"],
                                    beds=plan.measurements["beds"], user_id=user)
        for i, (code, value) in enumerate((plan.answers or {}).items()):
            visits.record_answer(db, visit_id=vid, criterion=code, value=value, author_id=user,
                                 comment=plan.comments.get(code, ""), at=on_site + dt.timedelta(seconds=40 * i))
        for i, (criterion, caption, colour) in enumerate(plan.photos, 1):
            source = self.picture(f"IMG_{self.rng.randint(1000, 9999)}_{i}.jpg", colour)
            photos.import_photo(db, visit_id=vid, source=source, criterion=criterion, caption=caption, user_id=user)
        if not plan.complete:
            return vid
        visits.complete_visit(db, visit_id=vid, user_id=user, at=on_site + dt.timedelta(hours=2))
        if plan.issued_on is None:
            return vid
        if plan.issued_on >= self.today - dt.timedelta(days=60):  # this autumn's work: the PDF is issued and kept
            kind = "conseil" if plan.kind == "visite_conseil" else "certificat"
            documents.issue_document(db, visit_id=vid, kind=kind, issued_on=plan.issued_on, user_id=user)
        else:  # older visits, from before the agency used Inspector: their dates only
            visits.record_issue(db, visit_id=vid, issued_on=plan.issued_on, user_id=user)
        visits.record_sent(db, visit_id=vid, sent_on=plan.issued_on, user_id=user)
        if plan.received_on is None:
            return vid
        visits.record_receipt(db, visit_id=vid, received_on=plan.received_on, user_id=user)
        if plan.refused_on is not None:
            visits.record_refusal(db, visit_id=vid, refused_on=plan.refused_on, reason=plan.refusal_reason,
                                  user_id=user)
        elif plan.acquire:
            visits.refresh_states(db, today=deadlines.acquired_on(plan.received_on), user_id=user)
        return vid

    # ----- the agency's year ----------------------------------------------------------------------------------

    def build(self) -> None:
        rng, today = self.rng, self.today
        self.add_people()
        history: list[_Plan] = []  # acquired long ago, replayed oldest first
        current: list[_Plan] = []  # this month's work, replayed after the history

        # S1 — Mme Dufour's studio in Wimereux: 2nd floor, no lift; the visit is planned for today.
        dufour = self.add_owner("Martine Dufour", commune="Wimereux")
        s1 = self.add_establishment(owner_id=dufour, commune="Wimereux", name="Studio « La Digue »", layout="studio",
                                    capacity=2, floor=2, collective=True, lift=False, address="14 rue Carnot",
                                    notes="Première demande de classement (2★) ; 24 m² sous combles, coin cuisine.")
        current.append(_Plan(s1, "classement", s1_wimereux_studio()["category"], planned_on=today,
                             context={"has_sejour": False}))

        # S2 — the Lefebvre house for 8 in Montreuil-sur-Mer: 4★ five years ago, renewal fails on cleanliness.
        lefebvre = self.add_owner("Jean et Anne Lefebvre", commune="Montreuil-sur-Mer")
        s2 = self.add_establishment(owner_id=lefebvre, commune="Montreuil-sur-Mer", name="Maison « Les Remparts »",
                                    layout="maison 4 chambres", capacity=8, address="3 rue du Clape-en-Bas",
                                    notes="Deux salles d'eau ; jardin clos.")
        first = _workday_before(deadlines.add_months(today, -60) + dt.timedelta(days=6))
        old = self.full_plan(s2, kind="classement", category=4, visited_on=first, issued_on=first + dt.timedelta(
            days=5), received_on=first + dt.timedelta(days=8), acquire=True)
        history.append(old)
        renewal_answers = dict(old.answers or {})
        for code in rng.sample(sorted(c for c, v in renewal_answers.items() if v == "yes"), 3):
            renewal_answers[code] = "no"
        renewal_answers["95"] = "no"  # X ONC: sanitaires propres — no compensation possible
        s2_visit = _workday_before(self.days(-4))
        current.append(_Plan(
            s2, "renouvellement", 4, planned_on=s2_visit - dt.timedelta(days=21), visited_on=s2_visit,
            answers=renewal_answers, complete=True,
            comments={"95": "Salle d'eau de l'étage : moisissures sur les joints de douche et au plafond. Nettoyage "
                            "et reprise des joints indispensables avant toute proposition de classement."},
            photos=[("95", "Joints de douche noircis (salle d'eau de l'étage)", (236, 236, 228)),
                    ("95", "Plafond de la salle d'eau : traces de moisissure", (244, 242, 236)),
                    ("", "Séjour", (214, 196, 170))]))
        current.append(_Plan(s2, "renouvellement", 4, planned_on=_workday_after(self.days(21))))

        # S3 — advisory visit of a farmhouse being renovated near Saint-Omer (3★ for 6 in view).
        s3_data = s3_saint_omer_advisory()
        holder = self.add_owner("Hugo Vandewalle", commune="Tilques")
        s3 = self.add_establishment(owner_id=holder, commune="Tilques", name="Corps de ferme « La Motte »",
                                    layout="maison 3 chambres", capacity=6, notes="Projet en rénovation : ouverture "
                                    "prévue la saison prochaine, objectif 3★.")
        s3_day = _workday_before(self.days(-6))
        current.append(_Plan(s3, "visite_conseil", s3_data["category"], planned_on=s3_day - dt.timedelta(days=10),
                             visited_on=s3_day, answers=s3_data["answers"], context=s3_data["context"],
                             complete=True))

        # S6 — Berck-sur-Mer: the owner refused the 3★ proposal within 15 days (she wanted 4★).
        delpierre = self.add_owner("Nathalie Delpierre", commune="Berck")
        berck = self.add_establishment(owner_id=delpierre, commune="Berck", name="Appartement « Les Hortensias »",
                                       layout="T3", capacity=4, floor=1, collective=True, lift=False,
                                       address="27 avenue Francis Tattegrain")
        current.append(self.full_plan(berck, kind="classement", category=3, visited_on=_workday_before(self.days(-41)),
                                      issued_on=self.days(-36), received_on=self.days(-33), refused_on=self.days(-24),
                                      refusal_reason="Souhaitait 4★ : la propriétaire refuse le classement 3★ "
                                                     "proposé."))

        # S6 — Le Touquet-Paris-Plage: no answer within 15 days, acquired automatically on the 16th day.
        marquis = self.add_owner("Philippe Marquis", commune="Le Touquet-Paris-Plage", mandataire=True)
        touquet = self.add_establishment(owner_id=marquis, commune="Le Touquet-Paris-Plage",
                                         name="Villa « Les Oyats »", layout="maison 3 chambres", capacity=6)
        current.append(self.full_plan(touquet, kind="classement", category=4, visited_on=_workday_before(
            self.days(-50)), issued_on=self.days(-45), received_on=self.days(-40)))

        # S4 / S5 places (label grids come later): a brasserie in Arras, chambres d'hôtes in Wissant, a site.
        beffroi = self.add_owner("Karine Leclercq", commune="Arras", company="SARL Le Beffroi (fictive)")
        self.add_establishment(owner_id=beffroi, commune="Arras", kind="restaurant", name="Brasserie « Le Beffroi »",
                               notes="Demande Tourisme & Handicap : familles moteur, auditif et visuel.")
        galets = self.add_owner("Céline Hermant", commune="Wissant")
        wissant = self.add_establishment(owner_id=galets, commune="Wissant", kind="chambre_hotes",
                                         name="Chambres d'hôtes « Les Galets »", capacity=6,
                                         notes="Trois chambres, à 1,2 km de La Vélomaritime (EuroVelo 4) ; "
                                               "candidate Accueil Vélo.")
        site_owner = self.add_owner("Association Les Amis des Dunes (fictive)", commune="Merlimont")
        self.add_establishment(owner_id=site_owner, commune="Merlimont", kind="site",
                               name="Jardin des Dunes (site de visite)")
        chr_owner = self.add_owner(self.person(), commune="Escalles")
        self.add_establishment(owner_id=chr_owner, commune="Escalles", kind="chambre_hotes",
                               name="Chambres d'hôtes « Le Blanc-Nez »", capacity=4)
        with self.db.session() as s:
            s.add(EstablishmentLabel(establishment_id=wissant.id, label="chambre_hotes_reference",
                                     valid_from=self.today.replace(month=1, day=1) - dt.timedelta(days=1095),
                                     valid_until=dt.date(max(2027, today.year + 1), 12, 31)))
            s.commit()

        # The rest of the supply: generated owners (some with several meublés).
        owners = [self.add_owner(self.person(), commune=rng.choice(list(_COMMUNE_WEIGHTS)),
                                 mandataire=rng.random() < 0.12) for _ in range(51)]

        def next_owner(i: int) -> str:
            return owners[i] if i < len(owners) else rng.choice(owners)

        counter = iter(range(1000))

        def meuble(**kw: Any) -> _Est:
            return self.random_meuble(next_owner(next(counter)), **kw)

        # S6 — twelve classements expiring within six months (acquired 4½ to 5 years ago), no renewal planned yet.
        for k in range(12):
            est = meuble()
            cat = self.category_for(est)
            ends = self.days(12 + 14 * k)
            acquired = deadlines.add_months(ends + dt.timedelta(days=1), -60)
            received = acquired - dt.timedelta(days=16)
            issued = received - dt.timedelta(days=rng.randint(1, 4))
            visited = _workday_before(issued - dt.timedelta(days=rng.randint(3, 10)))
            history.append(self.full_plan(est, kind="classement", category=cat, visited_on=visited, issued_on=issued,
                                          received_on=received, acquire=True))

        # Classements of earlier years still valid, and renewals that followed an expired classement.
        for _ in range(7):
            est = meuble()
            history.append(self.acquired_plan(est, kind="classement", category=self.category_for(est),
                                              visited_on=_workday_before(self.days(-rng.randint(60, 1400)))))
        for _ in range(3):
            est = meuble()
            cat = self.category_for(est)
            first_day = _workday_before(self.days(-1826 - rng.randint(100, 700)))
            history.append(self.acquired_plan(est, kind="classement", category=cat, visited_on=first_day))
            again = _workday_before(deadlines.add_months(first_day, 60) - dt.timedelta(days=rng.randint(30, 60)))
            history.append(self.acquired_plan(est, kind="renouvellement", category=min(5, cat + rng.randint(0, 1)),
                                              visited_on=again))

        # S6 — two certificats due this week: visits 27 days ago, completed, not issued.
        for _ in range(2):
            est = meuble()
            current.append(self.full_plan(est, kind="classement", category=self.category_for(est),
                                          visited_on=self.days(-27)))
        est = meuble(layout="maison 3 chambres")
        plan = self.full_plan(est, kind="classement", category=self.category_for(est),
                              visited_on=_workday_before(self.days(-10)), measured=True)
        plan.photos = [("", "Cuisine", (226, 222, 210)), ("", "Salle d'eau", (232, 238, 240))]
        current.append(plan)

        # S6 — issued certificats: the window closing tomorrow, one received last week, one not received yet.
        for visited, issued, received in ((-26, -16, -14), (-12, -8, -6), (-9, -2, None)):
            est = meuble()
            current.append(self.full_plan(est, kind="classement", category=self.category_for(est),
                                          visited_on=_workday_before(self.days(visited)), issued_on=self.days(issued),
                                          received_on=self.days(received) if received is not None else None))

        # A certificat corrected after issue: a new revision with its reason, completed and issued again.
        revised = meuble(layout="T3", capacity=5)
        current.append(self.full_plan(revised, kind="classement", category=3,
                                      visited_on=_workday_before(self.days(-19)), issued_on=self.days(-12)))

        # Visits in progress: one started today (half answered), one yesterday (nearly finished).
        est = meuble(commune="Cucq")
        plan = self.full_plan(est, kind="classement", category=self.category_for(est), visited_on=today,
                              complete=False)
        plan.answers = dict(list((plan.answers or {}).items())[:55])
        plan.photos = [("", "Façade et accès", (190, 176, 160))]
        current.append(plan)
        est = meuble()
        plan = self.full_plan(est, kind="classement", category=self.category_for(est),
                              visited_on=_workday_before(self.days(-1)), complete=False)
        plan.answers = dict(list((plan.answers or {}).items())[:-4])
        current.append(plan)

        # Classements from before Inspector (paper files); a few expire soon and their renewal is planned.
        planned_days = (1, 2, 3, 6, 8, 13, 20, 27, 41)
        for i in range(25):
            est = meuble()
            soon = i < 4
            cat = self.category_for(est)
            with self.db.session() as s:
                row = s.get(Establishment, est.id)
                row.current_category = cat
                row.category_valid_until = self.days(rng.randint(30, 120) if soon else rng.randint(200, 1700))
                row.notes = "Classement antérieur à Inspector (dossier papier)."
                s.commit()
            if soon:
                current.append(_Plan(est, "renouvellement", cat,
                                     planned_on=_workday_after(self.days(planned_days[i * 2]))))
        # New declarations: first classement requests planned, and meublés with no request yet.
        for i in range(5):
            est = meuble()
            current.append(_Plan(est, "classement", self.category_for(est),
                                 planned_on=_workday_after(self.days(planned_days[min(8, 1 + i * 2)]))))
        declared = len(self.establishments)
        while len(self.establishments) < 80:
            meuble(notes="Meublé déclaré en mairie, sans demande de classement à ce jour.")
        history += self.last_month_classements(self.establishments[declared:][-6:])

        for plan in sorted(history, key=lambda p: p.visited_on or p.planned_on):
            self.run(plan)
        revision_source = ""
        for plan in current:
            vid = self.run(plan)
            if plan.est is revised:
                revision_source = vid
        self.revise(revision_source, revised.evaluator_id)
        visits.refresh_states(self.db, today=today, user_id=self.users["Thomas Lemaire"])
        self.build_labels()

    def last_month_classements(self, ests: list[_Est]) -> list[_Plan]:
        """S7 — classements that became definitive during the previous month (the monthly table the manager sends
        to the comité départemental du tourisme on the first working day of this month). Drawn from their own
        random stream, so the rest of the agency stays as it was."""
        main, self.rng = self.rng, random.Random(self.seed + 7)
        try:
            month_start = (self.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            plans = []
            for k, est in enumerate(ests):
                with self.db.session() as s:
                    s.get(Establishment, est.id).notes = ""
                    s.commit()
                acquired = month_start + dt.timedelta(days=2 + 4 * k + self.rng.randint(0, 2))
                received = acquired - dt.timedelta(days=16)
                issued = received - dt.timedelta(days=self.rng.randint(1, 4))
                visited = _workday_before(issued - dt.timedelta(days=self.rng.randint(3, 10)))
                plans.append(self.full_plan(est, kind="classement", category=self.category_for(est),
                                            visited_on=visited, issued_on=issued, received_on=received,
                                            acquire=True))
            return plans
        finally:
            self.rng = main

    # ----- label evaluations (scenarios S4 and S5) --------------------------------------------------------------

    def label_visit(self, est: _Est, kind: str, *, evaluator: str, visited_on: dt.date | None,
                    planned_on: dt.date | None = None, families: list[str] | None = None, typology: str = "",
                    partner: str | None = None) -> tuple[str, Grid]:
        vid = visits.create_visit(self.db, establishment_id=est.id, kind=kind, requested_families=families,
                                  typology=typology, evaluator_id=self.users[evaluator],
                                  second_evaluator_id=self.users[partner] if partner else None,
                                  planned_on=planned_on or visited_on, user_id=self.users[evaluator]).value
        if visited_on is not None:
            visits.start_visit(self.db, visit_id=vid, visited_on=visited_on, user_id=self.users[evaluator],
                               at=dt.datetime.combine(visited_on, dt.time(9, 30)))
        with self.db.session() as s:
            row = s.get(Visit, vid)
            return vid, find_grid(row.grid_id, row.grid_version, row.grid_sha256)

    def answer_all(self, vid: str, grid: Grid, typology: str, author: str, day: dt.date, *, limit: int | None = None,
                   exceptions: dict[tuple[str, str], tuple[str, str]] | None = None) -> None:
        """Every criterion of the typology met (for every family at once), then per-family exceptions."""
        codes = [c.code for c in grid.criteria if not c.typologies or typology in c.typologies]
        at = dt.datetime.combine(day, dt.time(10, 0))
        for i, code in enumerate(codes[:limit]):
            visits.record_answer(self.db, visit_id=vid, criterion=code, value="yes", author_id=self.users[author],
                                 at=at + dt.timedelta(minutes=2 * i))
        for (code, level), (value, comment) in (exceptions or {}).items():
            visits.record_answer(self.db, visit_id=vid, criterion=code, value=value, level=level, comment=comment,
                                 author_id=self.users[author], at=at + dt.timedelta(hours=2))

    def build_labels(self) -> None:
        today = self.today
        # S4 — a brasserie in Arras asks for Tourisme & Handicap (moteur, auditif, visuel); the pair visited three
        # weeks ago; the door's clear width fails moteur; submitted to the commission.
        owner = self.add_owner("Karim Benali", commune="Arras", company="SARL Le Beffroi")
        est = self.add_establishment(owner_id=owner, commune="Arras", name="Brasserie « Le Beffroi »",
                                     kind="restaurant", address="12 place des Héros",
                                     notes="Demande de label Tourisme & Handicap (moteur, auditif, visuel).")
        day = _workday_before(self.days(-20))
        vid, grid = self.label_visit(est, "th_primo", evaluator="Julie Caron", partner="Marc Hennebelle",
                                     visited_on=day, families=["auditif", "moteur", "visuel"],
                                     typology="restauration")
        if grid.has_criterion("CB06"):
            exceptions = {("CB06", "moteur"): ("no", "Porte d'entrée : 72 cm de passage utile (77 cm exigés).")}
        else:
            exceptions = {}
        self.answer_all(vid, grid, "restauration", "Julie Caron", day, exceptions=exceptions)
        visits.set_label_record(self.db, visit_id=vid, sworn_statement_on=day - dt.timedelta(days=12),
                                sworn_statement_ref="Attestation ERP du 3 novembre",
                                opinion="Accueil attentif et personnel formé. Auditif et visuel : critères "
                                        "obligatoires remplis, confort d'usage au-delà du seuil. Moteur : la porte "
                                        "d'entrée n'offre que 72 cm de passage utile ; avis défavorable pour cette "
                                        "famille tant que la porte n'est pas changée.",
                                user_id=self.users["Julie Caron"])
        visits.complete_visit(self.db, visit_id=vid, user_id=self.users["Julie Caron"],
                              at=dt.datetime.combine(day, dt.time(16, 0)))
        visits.submit_visit(self.db, visit_id=vid, user_id=self.users["Julie Caron"],
                            at=dt.datetime.combine(day + dt.timedelta(days=3), dt.time(11, 0)))
        self.plan_commission()
        # A visite-conseil at the tourist office of Montreuil, started today.
        owner = self.add_owner("Communauté de communes des 7 Vallées", commune="Montreuil-sur-Mer")
        est = self.add_establishment(owner_id=owner, commune="Montreuil-sur-Mer", kind="office_tourisme",
                                     name="Bureau d'information touristique de Montreuil")
        vid, grid = self.label_visit(est, "th_conseil", evaluator="Julie Caron", partner="Marc Hennebelle",
                                     visited_on=today, families=["auditif", "mental", "moteur", "visuel"],
                                     typology="information_touristique")
        self.answer_all(vid, grid, "information_touristique", "Julie Caron", today, limit=12)

        # S5 — a chambre d'hôtes in Wissant, 1.2 km from the EuroVelo 4, qualified Chambre d'hôtes Référence
        # until 2027: its Accueil Vélo audit is planned; a bike hirer 7 km from the route fails the distance.
        owner = self.add_owner("Hélène Marquis", commune="Wissant")
        est = self.add_establishment(owner_id=owner, commune="Wissant", kind="chambre_hotes",
                                     name="Chambres d'hôtes « Les Oyats »", capacity=8, address="5 rue Gambetta",
                                     notes="Trois chambres ; abri vélos dans la cour.")
        with self.db.session() as s:
            s.add(EstablishmentLabel(establishment_id=est.id, label="chambre_hotes_reference",
                                     valid_from=dt.date(today.year - 2, 6, 14),
                                     valid_until=dt.date(today.year + 1, 6, 13)))
            row = s.get(Establishment, est.id)
            row.latitude, row.longitude, row.rooms = 50.8846, 1.6612, 3
            s.commit()
        self.accueil_velo(est, "hebergement", "EuroVelo 4 — La Vélomaritime", "1.2", planned=_workday_after(
            self.days(2)))
        owner = self.add_owner("Yann Leroux", commune="Hesdin", company="Vélos des 7 Vallées")
        est = self.add_establishment(owner_id=owner, commune="Hesdin", kind="loueur_velos",
                                     name="Vélos des 7 Vallées", notes="Location de vélos à assistance électrique.")
        self.accueil_velo(est, "loueur", "Véloroute de la vallée de la Canche", "7.0", planned=today, start=True)

        # A chambre d'hôtes visited yesterday for Chambre d'hôtes Référence: waiting for the departmental commission.
        owner = self.add_owner("Bernard et Odile Lecointe", commune="Montreuil-sur-Mer")
        est = self.add_establishment(owner_id=owner, commune="Montreuil-sur-Mer", kind="chambre_hotes",
                                     name="Chambres d'hôtes « Le Clos des Tilleuls »", capacity=6,
                                     notes="Deux chambres doubles et une chambre familiale.")
        with self.db.session() as s:
            s.get(Establishment, est.id).rooms = 3
            s.commit()
        day = _workday_before(self.days(-1))
        vid, grid = self.label_visit(est, "chambre_hotes_reference", evaluator="Sophie Delattre", visited_on=day)
        self.answer_all(vid, grid, "", "Sophie Delattre", day)
        visits.complete_visit(self.db, visit_id=vid, user_id=self.users["Sophie Delattre"],
                              at=dt.datetime.combine(day, dt.time(12, 0)))

    def plan_commission(self) -> None:
        """The next T&H commission (second Thursday of March), members of the three colleges, its agenda built
        from the submitted dossiers (the S4 brasserie); not decided."""
        from .services import commission

        year = self.today.year + (1 if self.today.month >= 3 else 0)
        held_on = next(dt.date(year, 3, d) for d in range(8, 15) if dt.date(year, 3, d).weekday() == 3)
        with self.db.session() as s:
            org = s.scalar(select(Organisation).limit(1))
            place = f"{org.name}, {org.address}" if org else "Arras"
        members = [
            {"name": "Claire Vasseur", "body": ORGANISATION_NAME, "college": "tourism"},
            {"name": "Élise Fontaine", "body": "Office de tourisme d'Arras (fictif)", "college": "tourism"},
            {"name": "Nadia Lefort", "body": "Association de personnes handicapées moteur (fictive)",
             "college": "disability"},
            {"name": "Pierre Vandenbussche", "body": "Association de personnes sourdes et malentendantes (fictive)",
             "college": "disability"},
            {"name": "Anne Deswarte", "body": "Direction départementale de l'emploi, du travail et des solidarités "
                                              "(fictive)", "college": "state"},
            {"name": "Hugo Martel", "body": "Direction départementale des territoires et de la mer (fictive)",
             "college": "state", "present": False},
        ]
        sid = commission.create_session(self.db, held_on=held_on, place=place, labels=["tourisme_handicap"],
                                        chair="Claire Vasseur", members=members,
                                        user_id=self.users["Élise Fontaine"]).value
        commission.build_agenda(self.db, session_id=sid, user_id=self.users["Élise Fontaine"])

    def accueil_velo(self, est: _Est, typology: str, route: str, km: str, *, planned: dt.date,
                     start: bool = False) -> str:
        vid, grid = self.label_visit(est, "accueil_velo", evaluator="Sophie Delattre",
                                     visited_on=planned if start else None, planned_on=planned, typology=typology)
        from .services import label_prerequisites

        label_prerequisites.set_itinerary(self.db, vid, route, km, today=self.today,
                                          user_id=self.users["Sophie Delattre"])
        return vid

    def revise(self, visit_id: str, user: str) -> None:
        """The capacity on the issued certificat was wrong: a new revision, corrected, completed and issued."""
        new = visits.open_revision(self.db, visit_id=visit_id, user_id=user,
                                   reason="Capacité erronée sur le certificat : 4 personnes et non 5.").value
        visits.set_context(self.db, visit_id=new, context={"capacity": 4}, user_id=user)
        visits.complete_visit(self.db, visit_id=new, user_id=user)
        documents.issue_document(self.db, visit_id=new, kind="certificat", issued_on=self.days(-1), user_id=user)
        visits.record_sent(self.db, visit_id=new, sent_on=self.days(-1), user_id=user)
        with self.db.session() as s:
            row = s.get(Visit, new)
            est = s.get(Establishment, row.establishment_id)
            est.capacity = 4
            s.commit()


def build_demo_database(db: Database, *, today: dt.date, seed: int = 2026) -> DemoSummary:
    """Fill an empty database with the fictional agency; dates are relative to `today` so the lists show work.

    Organisation, users, owners and establishments are inserted directly; every visit goes through the
    operations of `inspector.services.visits` (create, start, measure, answer, complete, issue, receipt, refusal,
    refresh, revision) and its photos through `inspector.services.photos` (stored in the data folder), so the demo
    exercises the real code. Same seed and day, same data (ids and clock times apart).
    """
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Establishment)):
            raise ValueError(f"{db.path} contient déjà des établissements : la démonstration demande une base vide.")
    with tempfile.TemporaryDirectory(prefix="inspector-demo-") as scratch, _fast_writes(db):
        builder = _Builder(db, today, seed, Path(scratch))
        builder.build()
    with db.session() as s:
        owners = s.scalar(select(func.count()).select_from(Owner)) or 0
        establishments = s.scalar(select(func.count()).select_from(Establishment)) or 0
        observations = s.scalar(select(func.count()).select_from(Observation)) or 0
    by_state = queries.counts_by_state(db)
    return DemoSummary(organisation=ORGANISATION_NAME, today=today, seed=seed, users=len(builder.users),
                       owners=owners, establishments=establishments, visits=sum(by_state.values()),
                       by_state={state: by_state.get(state, 0) for state in visits.STATES},
                       observations=observations)


def ensure_demo_database(db: Database, *, today: dt.date) -> bool:
    """Build the demo agency into an empty database (the app's first start on demo data); True when built."""
    from sqlalchemy import func, select

    from .db.models import Establishment

    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Establishment)):
            return False
    build_demo_database(db, today=today)
    return True
