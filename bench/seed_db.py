"""Seed a database at the scale of ten years of an agency with bulk Core inserts (benchmarks only, never the app)."""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Connection, Table, insert  # noqa: E402

from inspector.db.database import open_database  # noqa: E402
from inspector.db.models import (  # noqa: E402
    AuditEntry,
    Bed,
    Decision,
    Establishment,
    EstablishmentLabel,
    Observation,
    Organisation,
    Owner,
    Photo,
    Room,
    User,
    Visit,
)
from inspector.demo_data import COMMUNES, INTERCOMMUNALITIES  # noqa: E402
from inspector.grids.registry import find_grid  # noqa: E402
from inspector.services import deadlines  # noqa: E402

SURNAMES = ("Bernard", "Caron", "Delattre", "Dubois", "Dufour", "Dupont", "Flament", "Fontaine", "Gosselin",
            "Hochart", "Lebrun", "Leclercq", "Lefebvre", "Lemaire", "Leroy", "Maillard", "Mercier", "Petit",
            "Poulain", "Roussel", "Vasseur", "Wallet", "Deprez", "Duhamel", "Lecomte", "Lenoir", "Masset", "Noël")
FIRST_NAMES = ("Anne", "Claire", "Martine", "Nathalie", "Sophie", "Sylvie", "Alain", "Bruno", "Éric", "Jean",
               "Marc", "Michel", "Patrick", "Pierre", "Thierry", "Vincent")
PLACES = ("Les Mouettes", "Le Phare", "La Dune", "Les Goélands", "Le Grand Large", "Les Embruns", "La Vigie",
          "Le Cap", "L'Escale", "La Marée", "Les Pins", "Les Tilleuls", "La Chaumière", "Les Oyats", "La Baie")
LAYOUTS = (("studio", 2, True), ("T2", 4, True), ("T3", 6, True), ("maison 3 chambres", 6, False),
           ("maison 4 chambres", 8, False))


@dataclass
class Seeded:
    """What the seeder made, and the rows a benchmark needs."""

    path: Path
    counts: dict[str, int]
    in_progress_visit: str
    renewal_visit: str
    owner_surname: str
    seconds: float


class _Ids:
    """Deterministic UUIDs (same seed, same ids)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _synced(ids: _Ids, when: dt.datetime) -> dict[str, Any]:
    return {"id": ids(), "created_at": when, "modified_at": when, "row_version": 1, "pending_sync": False}


def _bulk(conn: Connection, table: Table, rows: list[dict[str, Any]], chunk: int = 20_000) -> int:
    for start in range(0, len(rows), chunk):
        conn.execute(insert(table), rows[start:start + chunk])
    return len(rows)


def seed_database(path: Path, *, today: dt.date, seed: int = 1, establishments: int = 1500, visits: int = 2500,
                  observations_per_visit: int = 140, photos: int = 50_000, labels: bool = False) -> Seeded:
    """Create `path` with the schema (open_database) and fill it in large transactions.

    `labels=True` adds ten years of label work (Tourisme & Handicap, Accueil Vélo, Chambre d'hôtes Référence:
    establishments, visits, decisions, labels held) from a separate random stream, so every row and id made without
    it stays the same.
    """
    start = time.perf_counter()
    rng = random.Random(seed)
    ids = _Ids(rng)
    grid = find_grid("MT-2022-V2")
    codes = [c.code for c in grid.criteria]
    graded = {c.code for c in grid.criteria if c.graded}
    db = open_database(path)
    now = dt.datetime.combine(today, dt.time(9, 0))
    communes = list(COMMUNES)
    counts: dict[str, int] = {}

    org = {**_synced(ids, now), "name": "Agence de test (charge)", "address": "", "accreditation_ref": "",
           "accreditation_kind": "accredited", "accreditation_from": None, "accreditation_until": None,
           "logo_path": "", "signatory_name": "", "signatory_title": ""}
    users = [{**_synced(ids, now), "organisation_id": org["id"], "name": f"Inspecteur {i}", "email": "",
              "role": "inspector", "signature_path": ""} for i in range(1, 9)]
    owners: list[dict[str, Any]] = []
    for _ in range(int(establishments * 0.93)):
        commune = rng.choice(communes)
        owners.append({**_synced(ids, now), "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                       "company": "", "address": f"{rng.randint(1, 99)} rue de la Plage",
                       "postcode": COMMUNES[commune][1], "commune": commune, "email": "", "phone": "",
                       "mandataire_name": "", "mandataire_address": "", "mandataire_contact": ""})
    ests: list[dict[str, Any]] = []
    for i in range(establishments):
        commune = rng.choice(communes)
        layout, capacity, collective = rng.choice(LAYOUTS)
        ests.append({**_synced(ids, now), "kind": "meuble", "name": f"{rng.choice(PLACES)} n° {i + 1}",
                     "owner_id": owners[i % len(owners)]["id"], "address": f"{rng.randint(1, 99)} rue des Dunes",
                     "postcode": COMMUNES[commune][1], "commune": commune, "insee_code": COMMUNES[commune][0],
                     "capacity": capacity, "layout": layout, "rooms": 3, "floor": 1 if collective else 0,
                     "collective_building": collective, "has_lift": False, "declaration_number": "",
                     "current_category": None, "category_valid_until": None, "notes": "",
                     "intercommunality": INTERCOMMUNALITIES.get(commune, "")})

    # Visits over ten years: a classement, often its renewal five years later; recent work in every state.
    visit_rows: list[dict[str, Any]] = []

    def visit(est: dict[str, Any], *, kind: str, state: str, visited: dt.date | None, planned: dt.date,
              previous: str | None = None) -> dict[str, Any]:
        category = rng.choice((2, 3, 3, 4, 4, 5))
        row = {**_synced(ids, now), "establishment_id": est["id"], "kind": kind, "state": state,
               "requested_category": category, "requested_families": [], "typology": "", "grid_id": grid.id,
               "grid_version": grid.version, "grid_sha256": grid.sha256,
               "context": {"capacity": est["capacity"], "floor": est["floor"],
                           "collective_building": est["collective_building"], "studio": est["layout"] == "studio"},
               "evaluator_id": rng.choice(users)["id"], "second_evaluator_id": None, "planned_on": planned,
               "visited_on": visited, "started_at": None, "completed_at": None, "issued_on": None, "sent_on": None,
               "received_on": None, "refused_on": None, "refusal_reason": "", "acquired_on": None,
               "valid_until": None, "previous_visit_id": previous, "revision_of_id": None, "revision_number": 1,
               "revision_reason": "", "superseded": False, "observations_text": ""}
        if visited is not None and state != "in_progress":
            row["completed_at"] = dt.datetime.combine(visited, dt.time(17, 0))
        if state in ("issued", "acquired", "refused"):
            row["issued_on"] = row["sent_on"] = visited + dt.timedelta(days=rng.randint(3, 12))
            row["received_on"] = row["issued_on"] + dt.timedelta(days=rng.randint(1, 4))
        if state == "acquired":
            row["acquired_on"] = deadlines.acquired_on(row["received_on"])
            row["valid_until"] = deadlines.valid_until(row["acquired_on"], 5)
            est["current_category"], est["category_valid_until"] = category, row["valid_until"]
        if state == "refused":
            row["refused_on"] = row["received_on"] + dt.timedelta(days=rng.randint(1, 14))
            row["refusal_reason"] = "Souhaitait une catégorie supérieure"
        visit_rows.append(row)
        return row

    def past(lo: int, hi: int) -> dt.date:
        return today - dt.timedelta(days=rng.randint(lo, hi))

    recent, revisions = 120, 25
    for est in ests:
        if len(visit_rows) >= visits - recent - revisions:
            break
        if rng.random() < 0.62:  # classement 5–10 years ago and its renewal
            first = past(1900, 3650)
            old = visit(est, kind="classement", state="acquired", visited=first,
                        planned=first - dt.timedelta(days=20))
            again = first + dt.timedelta(days=1826 - rng.randint(20, 90))
            visit(est, kind="renouvellement", state="acquired" if rng.random() < 0.96 else "refused",
                  visited=again, planned=again - dt.timedelta(days=20), previous=old["id"])
        else:
            first = past(60, 1800)
            visit(est, kind="classement", state="acquired" if rng.random() < 0.95 else "refused", visited=first,
                  planned=first - dt.timedelta(days=20))
    # A few certificats corrected after issue: the revision copies the visit, the old one is superseded.
    for old in rng.sample([v for v in visit_rows if v["state"] == "acquired"], revisions):
        old["superseded"] = True
        visit_rows.append({**old, **_synced(ids, now), "revision_of_id": old["id"], "revision_number": 2,
                           "revision_reason": "Erreur de saisie corrigée", "superseded": False})
    spare = [e for e in ests if e["current_category"] is None]
    for i in range(visits - len(visit_rows)):
        est = spare[i % len(spare)]
        state = rng.choice(("planned", "planned", "in_progress", "completed", "issued", "issued"))
        visited = None if state == "planned" else past(0, 30 if state != "issued" else 45)
        planned = today + dt.timedelta(days=rng.randint(0, 60)) if visited is None else visited
        visit(est, kind="classement", state=state, visited=visited, planned=planned)
    in_progress = next(v for v in visit_rows if v["state"] == "in_progress")
    renewal = next(v for v in visit_rows if v["kind"] == "renouvellement" and v["state"] == "acquired"
                   and not v["superseded"])

    # ~140 observations per visit done (every criterion, some corrected), photos, rooms, beds, decisions, audit.
    answered = [v for v in visit_rows if v["visited_on"] is not None]
    extra = max(0, observations_per_visit * len(visit_rows) // len(answered) - len(codes))
    obs: list[dict[str, Any]] = []
    rooms: list[dict[str, Any]] = []
    beds: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    for v in answered:
        when = dt.datetime.combine(v["visited_on"], dt.time(10, 0))
        log = codes + [rng.choice(codes) for _ in range(rng.randint(max(0, extra - 6), extra + 6))]
        for seq, code in enumerate(log, 1):
            is_graded = code in graded
            value = "yes" if rng.random() < 0.85 else "no"
            obs.append({"id": ids(), "visit_id": v["id"], "criterion": code, "level": "", "value": value,
                        "points": rng.randint(0, 5) if is_graded else None, "na_reason": "",
                        "comment": "Absent le jour de la visite" if value == "no" and rng.random() < 0.1 else "",
                        "author_id": v["evaluator_id"], "device_id": "", "pending_sync": False,
                        "recorded_at": when + dt.timedelta(seconds=20 * seq), "seq": seq})
        for pos, (name, kind, surface) in enumerate((("Séjour", "sejour", "24"), ("Cuisine", "cuisine", "9"),
                                                     ("Chambre 1", "chambre", "12"), ("Chambre 2", "chambre", "10"),
                                                     ("Salle d'eau", "salle_d_eau", "5"))):
            rooms.append({**_synced(ids, when), "visit_id": v["id"], "position": pos, "name": name, "kind": kind,
                          "surface_m2": surface, "low_ceiling_m2": "0", "sleepers": 2 if kind == "chambre" else 0,
                          "has_opening": True})
        for room in ("Chambre 1", "Chambre 2", "Séjour"):
            beds.append({**_synced(ids, when), "visit_id": v["id"], "room": room, "kind": "double", "width_cm": 160,
                         "length_cm": 200})
        if v["state"] in ("acquired", "refused"):
            decisions.append({**_synced(ids, when), "visit_id": v["id"], "establishment_id": v["establishment_id"],
                              "subject": "meuble_category", "status": v["state"],
                              "category": v["requested_category"], "families": [],
                              "decided_on": v["acquired_on"] or v["refused_on"], "valid_until": v["valid_until"],
                              "number": "", "reason": v["refusal_reason"]})
        for action in ("visit.create", "visit.start", "visit.complete", "visit.issue", "visit.sent",
                       "visit.received"):
            audit.append({"id": ids(), "at": when, "user_id": v["evaluator_id"], "action": action,
                          "table_name": "visits", "row_id": v["id"], "details": {}})
    photo_rows: list[dict[str, Any]] = []
    for i in range(photos):
        v = answered[i % len(answered)]
        sha = f"{rng.getrandbits(256):064x}"
        photo_rows.append({**_synced(ids, dt.datetime.combine(v["visited_on"], dt.time(11, 0))),
                           "visit_id": v["id"], "criterion": rng.choice(codes) if rng.random() < 0.6 else "",
                           "sha256": sha, "original_name": f"IMG_{i:05d}.jpg",
                           "stored_path": f"photos/{sha[:2]}/{sha}.jpg", "width": 2048, "height": 1536,
                           "size_bytes": rng.randint(300_000, 900_000), "caption": "", "taken_at": None})

    with db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")  # seeding only; the benchmarks use the app's pragmas
        counts["organisations"] = _bulk(conn, Organisation.__table__, [org])
        counts["users"] = _bulk(conn, User.__table__, users)
        counts["owners"] = _bulk(conn, Owner.__table__, owners)
        counts["establishments"] = _bulk(conn, Establishment.__table__, ests)
        # Renewals and revisions point at earlier visits: insert those last so that foreign keys are satisfied.
        counts["visits"] = _bulk(conn, Visit.__table__, sorted(
            visit_rows, key=lambda v: (v["revision_of_id"] is not None, v["previous_visit_id"] is not None)))
        counts["observations"] = _bulk(conn, Observation.__table__, obs)
        counts["photos"] = _bulk(conn, Photo.__table__, photo_rows)
        counts["rooms"] = _bulk(conn, Room.__table__, rooms)
        counts["beds"] = _bulk(conn, Bed.__table__, beds)
        counts["decisions"] = _bulk(conn, Decision.__table__, decisions)
        counts["audit_log"] = _bulk(conn, AuditEntry.__table__, audit)
        if labels:
            counts.update(_seed_labels(conn, today=today, seed=seed, users=users))
    db.engine.dispose()  # the next connections get the app's pragmas again
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    owner_id = next(e["owner_id"] for e in ests if e["id"] == renewal["establishment_id"])
    surname = next(o["name"] for o in owners if o["id"] == owner_id)
    return Seeded(path, counts, in_progress["id"], renewal["id"], surname.split()[-1], time.perf_counter() - start)


LABEL_KINDS = (("restaurant", "restauration"), ("hotel", "hebergement"), ("camping", "hebergement"),
               ("chambre_hotes", "hebergement"), ("site", "site"), ("office_tourisme", "information_touristique"))
AV_TYPOLOGIES = ("hebergement", "hebergement", "hebergement", "loueur", "reparateur", "site", "office_tourisme")
TH_FAMILIES = ("auditif", "mental", "moteur", "visuel")


def _seed_labels(conn: Connection, *, today: dt.date, seed: int, users: list[dict[str, Any]]) -> dict[str, int]:
    """Ten years of label work, about 25 T&H visits (10 advisory, 15 for attribution) and 30 Accueil Vélo audits a
    year, with the commission's decisions, renewals when labels expire and the labels held today."""
    rng = random.Random(seed + 7001)
    ids = _Ids(rng)
    communes = list(COMMUNES)
    ests: list[dict[str, Any]] = []
    visit_rows: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    held: dict[tuple[str, str], dict[str, Any]] = {}  # (establishment, label) -> label row (renewed in place)
    numbers: dict[tuple[str, int], int] = {}

    def establishment(kind: str) -> dict[str, Any]:
        commune = rng.choice(communes)
        when = dt.datetime.combine(today - dt.timedelta(days=3700), dt.time(9, 0))
        row = {**_synced(ids, when), "kind": kind, "name": f"{rng.choice(PLACES)} ({kind}) n° {len(ests) + 1}",
               "owner_id": None, "address": f"{rng.randint(1, 99)} rue du Port", "postcode": COMMUNES[commune][1],
               "commune": commune, "insee_code": COMMUNES[commune][0], "capacity": None, "layout": "", "rooms": None,
               "floor": None, "collective_building": False, "has_lift": False, "declaration_number": "",
               "current_category": None, "category_valid_until": None, "notes": "",
               "intercommunality": INTERCOMMUNALITIES.get(commune, "")}
        ests.append(row)
        return row

    def visit(est: dict[str, Any], kind: str, day: dt.date, *, families: list[str], typology: str) -> dict[str, Any]:
        done = day <= today
        row = {**_synced(ids, dt.datetime.combine(min(day, today), dt.time(9, 0))), "establishment_id": est["id"],
               "kind": kind, "state": "completed" if done else "planned", "requested_category": None,
               "requested_families": families, "typology": typology, "grid_id": f"SEED-{kind.upper()}",
               "grid_version": "seed", "grid_sha256": "0" * 64, "context": {},
               "evaluator_id": rng.choice(users)["id"], "second_evaluator_id": None, "planned_on": day,
               "visited_on": day if done else None,
               "completed_at": dt.datetime.combine(day, dt.time(17, 0)) if done else None,
               "acquired_on": None, "valid_until": None, "refused_on": None, "superseded": False}
        visit_rows.append(row)
        return row

    def decide(v: dict[str, Any], label: str, subject: str, day: dt.date, years: int, families: list[str]) -> None:
        granted = rng.random() < 0.88
        numbers[(subject, day.year)] = numbers.get((subject, day.year), 0) + 1
        prefix = {"tourisme_handicap": "TH", "accueil_velo": "AV", "chr": "CHR"}[subject]
        until = deadlines.valid_until(day, years) if granted else None
        when = dt.datetime.combine(day, dt.time(15, 0))
        decisions.append({**_synced(ids, when), "visit_id": v["id"], "establishment_id": v["establishment_id"],
                          "subject": subject, "status": "acquired" if granted else "refused",
                          "category": None, "families": families if granted else [], "decided_on": day,
                          "valid_until": until, "number": f"{prefix}-{day.year}-{numbers[(subject, day.year)]:03d}",
                          "reason": "" if granted else "Critères obligatoires non remplis", "details": {}})
        v["state"] = "acquired" if granted else "refused"
        v["acquired_on" if granted else "refused_on"] = day
        v["valid_until"] = until
        if granted:
            key = (v["establishment_id"], label)
            if key not in held:
                held[key] = {**_synced(ids, when), "establishment_id": v["establishment_id"], "label": label,
                             "families": [], "typology": ""}
            held[key].update(families=families, typology=v["typology"], valid_from=day, valid_until=until)

    def day_in(year: int) -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))

    th_holders: list[tuple[dict[str, Any], dt.date]] = []
    av_holders: list[tuple[dict[str, Any], str, dt.date]] = []
    for year in range(today.year - 9, today.year + 1):
        # Tourisme & Handicap: advisory visits, then attribution visits (renewals of labels ending this year first)
        for _ in range(rng.randint(8, 12)):
            kind, typology = rng.choice(LABEL_KINDS)
            visit(establishment(kind), "th_conseil", day_in(year), families=list(TH_FAMILIES), typology=typology)
        ending = [(e, d) for e, d in th_holders if deadlines.valid_until(d, 5).year == year]
        for i in range(rng.randint(13, 17)):
            if i < len(ending):
                est, _ = ending[i]
                kind = "th_renouvellement"
            else:
                est, kind = establishment(rng.choice(LABEL_KINDS)[0]), "th_primo"
            families = sorted(rng.sample(TH_FAMILIES, rng.randint(2, 4)))
            day = day_in(year)
            v = visit(est, kind, day, families=families, typology="restauration")
            decided = day + dt.timedelta(days=rng.randint(30, 75))
            if decided <= today:
                decide(v, "tourisme_handicap", "tourisme_handicap", decided, 5, families)
                if v["state"] == "acquired":
                    th_holders.append((est, decided))
            elif v["state"] == "completed":
                v["state"] = "submitted"
        # Accueil Vélo: about 25 new providers and the renewals of the labels granted three years before
        ending_av = [(e, t, d) for e, t, d in av_holders if deadlines.valid_until(d, 3).year == year]
        plans = [(e, t) for e, t, _ in ending_av if rng.random() < 0.8]
        plans += [(establishment(rng.choice(LABEL_KINDS)[0]), rng.choice(AV_TYPOLOGIES))
                  for _ in range(rng.randint(24, 32))]
        for est, typology in plans:
            day = day_in(year)
            v = visit(est, "accueil_velo", day, families=[], typology=typology)
            decided = day + dt.timedelta(days=rng.randint(7, 40))
            if decided <= today:
                decide(v, "accueil_velo", "accueil_velo", decided, 3, [])
                if v["state"] == "acquired":
                    av_holders.append((est, typology, decided))
        # Chambre d'hôtes Référence: a few qualifications a year
        for _ in range(rng.randint(2, 5)):
            day = day_in(year)
            v = visit(establishment("chambre_hotes"), "chambre_hotes_reference", day, families=[], typology="")
            decided = day + dt.timedelta(days=rng.randint(20, 60))
            if decided <= today:
                decide(v, "chambre_hotes_reference", "chr", decided, 5, [])
    return {"label_establishments": _bulk(conn, Establishment.__table__, ests),
            "label_visits": _bulk(conn, Visit.__table__, visit_rows),
            "label_decisions": _bulk(conn, Decision.__table__, decisions),
            "establishment_labels": _bulk(conn, EstablishmentLabel.__table__, list(held.values()))}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-db.sqlite")
    result = seed_database(target, today=dt.date.today())
    print(f"{result.path}: {result.counts} in {result.seconds:.1f} s")
