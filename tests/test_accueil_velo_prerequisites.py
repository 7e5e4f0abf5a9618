"""Accueil Vélo prerequisites on a real database: the itinerary (typed in or computed) and the accommodation's
classification or label, stored on the visit and seen by the label engine's prerequisites.

Run with the test grid AV-EXEMPLE-TEST (context keys distance_to_route_km / classified_or_labelled) and, when it
is installed, the shipped AV-2025-SOCLE (itinerary_distance_km / accommodation_qualified): the service reads the
key names from each grid's prerequisite conditions.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from inspector.db.database import Database
from inspector.db.models import AuditEntry, Establishment, EstablishmentLabel, Visit
from inspector.grids.registry import bundled_grids_dir, find_grid
from inspector.services import itineraries, visits
from inspector.services import label_prerequisites as lp
from inspector.services.common import ServiceError, VisitLocked
from tests.conftest import DATA

PLANNED = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 2, 20)
GRIDS = ["AV-EXEMPLE-TEST"] + (["AV-2025-SOCLE"] if (bundled_grids_dir() / "AV-2025-SOCLE.json").exists() else [])
KEYS = {"AV-EXEMPLE-TEST": ("distance_to_route_km", "classified_or_labelled"),
        "AV-2025-SOCLE": ("itinerary_distance_km", "accommodation_qualified")}


@pytest.fixture(autouse=True)
def test_grids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", str(DATA / "grids"))


@pytest.fixture(params=GRIDS)
def grid_id(request: pytest.FixtureRequest) -> str:
    return request.param


def establishment(db: Database, *, kind: str = "meuble", category: int | None = None,
                  until: dt.date | None = None, lat: float | None = None, lon: float | None = None,
                  labels: tuple[tuple[str, dt.date | None, dt.date | None], ...] = ()) -> str:
    with db.session() as s:
        est = Establishment(kind=kind, name=f"Test {kind}", commune="Wissant", capacity=4, current_category=category,
                            category_valid_until=until, latitude=lat, longitude=lon)
        s.add(est)
        s.flush()
        for label, start, end in labels:
            s.add(EstablishmentLabel(establishment_id=est.id, label=label, valid_from=start, valid_until=end))
        s.commit()
        return est.id


def av_visit(db: Database, est_id: str, grid_id: str, typology: str = "hebergement",
             planned_on: dt.date | None = PLANNED) -> str:
    return visits.create_visit(db, establishment_id=est_id, kind="accueil_velo", grid_id=grid_id, typology=typology,
                               planned_on=planned_on).value


def visit_row(db: Database, vid: str) -> Visit:
    with db.session() as s:
        v = s.get(Visit, vid)
        s.expunge(v)
        return v


def answer_all_yes(db: Database, vid: str) -> None:
    v = visit_row(db, vid)
    grid = find_grid(v.grid_id, v.grid_version)
    for c in grid.criteria:
        if not c.typologies or v.typology in c.typologies:
            visits.record_answer(db, visit_id=vid, criterion=c.code, value="yes")


def prereq(result: Any, grid_id: str, which: str) -> bool:
    """The engine's verdict on the distance ("distance") or qualification ("qualification") prerequisite."""
    grid = find_grid(grid_id)
    keys = lp.grid_keys(grid)
    key = keys.distance if which == "distance" else keys.qualification
    code = next(p.code for p in grid.prerequisites if key in json.dumps(p.condition))
    return next(p.ok for p in result.prerequisites if p.code == code)


# --- the case -----------------------------------------------------------------------------------------------


def test_expired_meuble_classification_fails_the_accommodation_prerequisite(db: Database, grid_id: str) -> None:
    est = establishment(db, category=3, until=dt.date(2026, 2, 1))
    vid = av_visit(db, est, grid_id)
    check = lp.set_itinerary(db, vid, "La Vélomaritime (EV4)", "1,2", today=TODAY).value

    q = check.qualification
    assert q.applicable and not q.ok
    assert q.text == "meublé : classement expiré le 01/02/2026 (3 étoiles)"
    assert q.valid_until == dt.date(2026, 2, 1)
    assert check.on == PLANNED and check.itinerary_ok is True and check.ok is False
    assert any("classement expiré le 01/02/2026" in line for line in check.messages())

    distance_key, qualification_key = KEYS[grid_id]
    v = visit_row(db, vid)
    assert v.context[qualification_key] is False and v.context[distance_key] == 1.2
    assert v.prerequisites["qualification"]["ok"] is False
    assert v.prerequisites["qualification"]["valid_until"] == "2026-02-01"
    assert v.prerequisites["itinerary"] == {"source": "saisie", "name": "La Vélomaritime (EV4)", "distance_km": 1.2,
                                            "recorded_on": "2026-02-20"}
    assert v.prerequisites["on"] == "2026-03-02"

    answer_all_yes(db, vid)
    result = visits.score_visit(db, vid, partial=False)
    assert prereq(result, grid_id, "qualification") is False
    assert prereq(result, grid_id, "distance") is True
    assert not result.proposed and not result.provisional
    failed_text = next(p.text for p in result.prerequisites if not p.ok)
    assert f"Prérequis non rempli : {failed_text}." in result.reasons
    assert result.reasons[-1] == "Pas de proposition d'attribution."


def test_valid_meuble_classification_passes(db: Database, grid_id: str) -> None:
    est = establishment(db, category=3, until=dt.date(2027, 3, 12))
    vid = av_visit(db, est, grid_id)
    check = lp.set_itinerary(db, vid, "La Vélomaritime", 4.9, today=TODAY).value
    assert check.qualification.ok and check.ok is True
    assert check.qualification.text == "meublé classé 3 étoiles jusqu'au 12/03/2027"
    assert check.qualification.kind == "classement" and check.qualification.category == 3
    answer_all_yes(db, vid)
    result = visits.score_visit(db, vid, partial=False)
    assert result.prerequisites_ok and result.proposed


def test_classification_checked_on_the_visit_day_not_the_planned_one(db: Database) -> None:
    est = establishment(db, category=2, until=dt.date(2026, 3, 1))
    vid = av_visit(db, est, "AV-EXEMPLE-TEST", planned_on=dt.date(2026, 2, 25))
    assert lp.set_itinerary(db, vid, "EV5", 2, today=TODAY).value.qualification.ok  # planned before the end
    visits.start_visit(db, visit_id=vid, visited_on=dt.date(2026, 3, 5))
    check = lp.check_accueil_velo(db, vid, today=dt.date(2026, 3, 5)).value
    assert check.on == dt.date(2026, 3, 5) and not check.qualification.ok
    assert "expiré le 01/03/2026" in check.qualification.text
    assert visit_row(db, vid).context["classified_or_labelled"] is False


def test_last_day_of_validity_still_counts(db: Database) -> None:
    est = establishment(db, category=1, until=PLANNED)
    check = lp.set_itinerary(db, av_visit(db, est, "AV-EXEMPLE-TEST"), "EV5", 2, today=TODAY).value
    assert check.qualification.ok and check.qualification.text == "meublé classé 1 étoile jusqu'au 02/03/2026"


def test_chambre_hotes_with_a_valid_chr_label_passes(db: Database, grid_id: str) -> None:
    est = establishment(db, kind="chambre_hotes", labels=(("chambre_hotes_reference", dt.date(2024, 1, 1),
                                                            dt.date(2027, 12, 31)),))
    vid = av_visit(db, est, grid_id)
    check = lp.set_itinerary(db, vid, "La Vélomaritime", "1.2 km", today=TODAY).value
    q = check.qualification
    assert q.ok and q.kind == "label" and q.label == "chambre_hotes_reference"
    assert q.text == "Chambre d'hôtes Référence valable jusqu'au 31/12/2027"
    assert (q.valid_from, q.valid_until) == (dt.date(2024, 1, 1), dt.date(2027, 12, 31))
    assert visit_row(db, vid).context[KEYS[grid_id][1]] is True
    answer_all_yes(db, vid)
    assert visits.score_visit(db, vid, partial=False).proposed


def test_chambre_hotes_with_an_expired_chr_label_fails(db: Database, grid_id: str) -> None:
    est = establishment(db, kind="chambre_hotes", labels=(
        ("chambre_hotes_reference", dt.date(2021, 1, 1), dt.date(2025, 12, 31)),
        ("tourisme_handicap", dt.date(2024, 1, 1), dt.date(2029, 1, 1)),  # not a qualification of the rooms
    ))
    vid = av_visit(db, est, grid_id)
    check = lp.set_itinerary(db, vid, "La Vélomaritime", 1.2, today=TODAY).value
    assert not check.qualification.ok and check.ok is False
    assert check.qualification.text == "Chambre d'hôtes Référence expirée le 31/12/2025"
    assert check.qualification.valid_until == dt.date(2025, 12, 31)
    answer_all_yes(db, vid)
    result = visits.score_visit(db, vid, partial=False)
    assert prereq(result, grid_id, "qualification") is False and not result.proposed


def test_renewed_chr_label_and_label_not_yet_valid(db: Database) -> None:
    renewed = establishment(db, kind="chambre_hotes", labels=(
        ("chambre_hotes_reference", dt.date(2021, 1, 1), dt.date(2025, 12, 31)),
        ("chambre_hotes_reference", dt.date(2026, 1, 1), dt.date(2030, 12, 31))))
    check = lp.set_itinerary(db, av_visit(db, renewed, "AV-EXEMPLE-TEST"), "EV4", 1, today=TODAY).value
    assert check.qualification.ok and "31/12/2030" in check.qualification.text
    future = establishment(db, kind="chambre_hotes", labels=(("chambre_hotes_reference", dt.date(2026, 6, 1),
                                                              dt.date(2030, 5, 31)),))
    check = lp.set_itinerary(db, av_visit(db, future, "AV-EXEMPLE-TEST"), "EV4", 1, today=TODAY).value
    assert not check.qualification.ok
    assert check.qualification.text == "Chambre d'hôtes Référence valable à partir du 01/06/2026 seulement"


def test_nothing_found_and_classification_without_end_date(db: Database) -> None:
    bare = establishment(db, kind="chambre_hotes")
    check = lp.set_itinerary(db, av_visit(db, bare, "AV-EXEMPLE-TEST"), "EV4", 1, today=TODAY).value
    assert not check.qualification.ok and check.qualification.text.startswith("aucune qualification")
    undated = establishment(db, category=4)
    check = lp.set_itinerary(db, av_visit(db, undated, "AV-EXEMPLE-TEST"), "EV4", 1, today=TODAY).value
    assert not check.qualification.ok and "sans date de fin de validité" in check.qualification.text


def test_other_typologies_need_no_qualification(db: Database, grid_id: str) -> None:
    est = establishment(db, kind="loueur_velos")
    vid = av_visit(db, est, grid_id, typology="loueur")
    check = lp.set_itinerary(db, vid, "EV4", 3, today=TODAY).value
    assert not check.qualification.applicable and check.ok is True
    assert KEYS[grid_id][1] not in visit_row(db, vid).context or not visit_row(db, vid).context[KEYS[grid_id][1]]
    answer_all_yes(db, vid)
    assert visits.score_visit(db, vid, partial=False).prerequisites_ok


# --- the itinerary ---------------------------------------------------------------------------------------------------


def test_six_km_from_the_itinerary_fails(db: Database, grid_id: str) -> None:
    est = establishment(db, category=3, until=dt.date(2027, 3, 12))
    vid = av_visit(db, est, grid_id)
    check = lp.set_itinerary(db, vid, "La Vélomaritime", "6", today=TODAY).value
    assert check.itinerary_ok is False and check.ok is False and check.qualification.ok
    assert check.itinerary_text() == "« La Vélomaritime » à 6,0 km (saisie) — ≤ 5,0 km : non"
    assert visit_row(db, vid).context[KEYS[grid_id][0]] == 6.0
    answer_all_yes(db, vid)
    result = visits.score_visit(db, vid, partial=False)
    assert prereq(result, grid_id, "distance") is False and prereq(result, grid_id, "qualification") is True
    assert not result.proposed
    assert lp.set_itinerary(db, vid, "La Vélomaritime", "5", today=TODAY).value.itinerary_ok  # ≤ 5 km passes


@pytest.fixture
def loaded_itineraries(db: Database, tmp_path: Path) -> Path:
    """A small GeoJSON: an east-west véloroute at latitude 50.5 and a north-south voie verte farther east."""
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nom": "La Vélomaritime (EV4)"},
         "geometry": {"type": "LineString", "coordinates": [[1.0, 50.5], [2.0, 50.5]]}},
        {"type": "Feature", "properties": {"nom": "Voie verte de la Deûle"},
         "geometry": {"type": "LineString", "coordinates": [[3.0, 50.0], [3.0, 51.0]]}},
    ]}
    path = tmp_path / "itineraires.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    itineraries.load_file(itineraries.folder_of(db), path)
    return path


def test_distance_computed_from_the_coordinates(db: Database, grid_id: str, loaded_itineraries: Path) -> None:
    est = establishment(db, category=3, until=dt.date(2027, 3, 12), lat=50.51, lon=1.5)
    vid = av_visit(db, est, grid_id)
    res = lp.check_accueil_velo(db, vid, today=TODAY)
    check = res.value
    assert "visits" in res.changed
    it = check.itinerary
    assert it is not None and it.source == "calcul" and it.name == "La Vélomaritime (EV4)"
    assert it.distance_km == 1.1  # 1.112 km rounded to 0.1 km
    assert it.files == ("itineraires.geojson",) and (it.latitude, it.longitude) == (50.51, 1.5)
    assert check.itinerary_ok and check.ok is True and check.coordinates == (50.51, 1.5)
    v = visit_row(db, vid)
    assert v.context[KEYS[grid_id][0]] == 1.1
    assert v.prerequisites["itinerary"]["source"] == "calcul"
    assert v.prerequisites["itinerary"]["files"] == ["itineraires.geojson"]
    # Checking again changes nothing (no needless write, no new sync).
    again = lp.check_accueil_velo(db, vid, today=TODAY + dt.timedelta(days=3))
    assert not again.changed.rows and again.value.itinerary == it


def test_computed_distance_too_far(db: Database, loaded_itineraries: Path) -> None:
    est = establishment(db, category=3, until=dt.date(2027, 3, 12), lat=50.56, lon=1.5)  # ≈ 6.7 km north
    check = lp.check_accueil_velo(db, av_visit(db, est, "AV-EXEMPLE-TEST"), today=TODAY).value
    assert check.itinerary is not None and check.itinerary.distance_km == 6.7 and check.itinerary_ok is False


def test_manual_entry_is_kept_until_the_button_computes(db: Database, loaded_itineraries: Path) -> None:
    est = establishment(db, category=3, until=dt.date(2027, 3, 12), lat=50.51, lon=2.9)
    vid = av_visit(db, est, "AV-EXEMPLE-TEST")
    lp.set_itinerary(db, vid, "Véloroute saisie", "0,4", today=TODAY)
    kept = lp.check_accueil_velo(db, vid, today=TODAY).value
    assert kept.itinerary.source == "saisie" and kept.itinerary.distance_km == 0.4
    computed = lp.check_accueil_velo(db, vid, today=TODAY, compute=True).value
    assert computed.itinerary.source == "calcul" and computed.itinerary.name == "Voie verte de la Deûle"
    assert computed.itinerary.distance_km == 7.1  # 0.1° of longitude at 50.5° N ≈ 7.09 km
    assert visit_row(db, vid).context["distance_to_route_km"] == 7.1


def test_without_coordinates_or_files_the_distance_stays_unknown(db: Database, tmp_path: Path) -> None:
    est = establishment(db, category=3, until=dt.date(2027, 3, 12))
    vid = av_visit(db, est, "AV-EXEMPLE-TEST")
    check = lp.check_accueil_velo(db, vid, today=TODAY).value
    assert check.itinerary is None and check.ok is None and "Coordonnées de l'établissement manquantes" in \
        check.itinerary_problem
    assert check.messages()[0].startswith("Itinéraire cyclable : distance inconnue — Coordonnées")
    assert visit_row(db, vid).prerequisites["qualification"]["ok"] is True  # the facts are stored anyway
    with pytest.raises(ServiceError, match="Coordonnées de l'établissement manquantes"):
        lp.check_accueil_velo(db, vid, today=TODAY, compute=True)
    located = establishment(db, category=3, until=dt.date(2027, 3, 12), lat=50.5, lon=1.5)
    with pytest.raises(ServiceError, match="Aucun fichier d'itinéraires"):
        lp.check_accueil_velo(db, av_visit(db, located, "AV-EXEMPLE-TEST"), today=TODAY, compute=True)


def test_distance_typed_in_the_context_is_taken_as_an_unnamed_entry(db: Database) -> None:
    est = establishment(db, category=3, until=dt.date(2027, 3, 12))
    vid = visits.create_visit(db, establishment_id=est, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                              typology="hebergement", planned_on=PLANNED,
                              context={"distance_to_route_km": 2.5, "typology": "hebergement"}).value
    check = lp.check_accueil_velo(db, vid, today=TODAY).value
    assert check.itinerary is not None and check.itinerary.name == "" and check.itinerary.distance_km == 2.5
    assert check.itinerary_text() == "itinéraire non nommé à 2,5 km (saisie) — ≤ 5,0 km : oui"


@pytest.mark.parametrize(("name", "distance", "message"), [
    ("", "2", "Indiquez le nom de l'itinéraire"),
    ("EV4", "", "Indiquez la distance"),
    ("EV4", "deux", "« deux » n'est pas une distance"),
    ("EV4", "-1", "comprise entre 0 et 1000 km"),
    ("EV4", float("nan"), "comprise entre 0 et 1000 km"),
    ("EV4", True, "doit être un nombre"),
])
def test_manual_entry_is_checked(db: Database, name: str, distance: Any, message: str) -> None:
    vid = av_visit(db, establishment(db, category=3, until=dt.date(2027, 1, 1)), "AV-EXEMPLE-TEST")
    with pytest.raises(ServiceError, match=message):
        lp.set_itinerary(db, vid, name, distance, today=TODAY)
    assert visit_row(db, vid).prerequisites == {}


# --- locked visits, other visits, grid keys -------------------------------------------------------------------------


def test_a_completed_visit_is_not_changed(db: Database) -> None:
    est = establishment(db, category=3, until=dt.date(2027, 3, 12))
    vid = av_visit(db, est, "AV-EXEMPLE-TEST")
    lp.set_itinerary(db, vid, "La Vélomaritime", 1.2, today=TODAY)
    answer_all_yes(db, vid)
    visits.complete_visit(db, visit_id=vid)
    before = visit_row(db, vid)
    with db.session() as s:  # the classification expires afterwards: the closed visit keeps what was found
        s.get(Establishment, est).category_valid_until = dt.date(2026, 1, 1)
        s.commit()
    res = lp.check_accueil_velo(db, vid, today=dt.date(2026, 6, 1))
    assert not res.changed.rows and res.value.locked
    assert res.value.qualification.ok and res.value.itinerary.name == "La Vélomaritime"
    after = visit_row(db, vid)
    assert (after.prerequisites, after.context, after.row_version, after.modified_at) == (
        before.prerequisites, before.context, before.row_version, before.modified_at)
    with pytest.raises(VisitLocked):
        lp.set_itinerary(db, vid, "Autre", 3, today=TODAY)
    with pytest.raises(VisitLocked):
        lp.check_accueil_velo(db, vid, today=TODAY, compute=True)


def test_only_accueil_velo_visits(db: Database, visit_id: str) -> None:
    with pytest.raises(ServiceError, match="ne concernent que les visites Accueil Vélo"):
        lp.check_accueil_velo(db, visit_id)


def test_writes_are_audited(db: Database) -> None:
    vid = av_visit(db, establishment(db, category=3, until=dt.date(2027, 1, 1)), "AV-EXEMPLE-TEST")
    lp.set_itinerary(db, vid, "EV4", 1, today=TODAY, user_id="u1")
    with db.session() as s:
        actions = [a.action for a in s.query(AuditEntry).filter_by(row_id=vid).order_by(AuditEntry.at)]
    assert "visit.prerequisites" in actions and "visit.context" in actions


def test_grid_keys_are_read_from_the_prerequisite_conditions(grid_id: str) -> None:
    keys = lp.grid_keys(find_grid(grid_id))
    assert (keys.distance, keys.qualification) == KEYS[grid_id]
    assert (keys.distance_op, keys.limit_km, keys.typology) == ("<=", 5.0, "typology")


@pytest.mark.parametrize(("text", "km"), [("4,2", 4.2), ("4.2 km", 4.2), (" 0 ", 0.0), (3, 3.0), ("1000", 1000.0)])
def test_parse_distance(text: Any, km: float) -> None:
    assert lp.parse_distance(text) == km
