"""Label renewal reminders (service and `inspector labels renewals`) and `inspector itineraries load|list|remove|
nearest`, run as real processes on a data folder."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.db.database import Database, open_database
from inspector.db.models import Establishment, EstablishmentLabel, Owner, Visit
from inspector.services.label_renewals import effective_until, label_renewals

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 25)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)


def add(db: Database, name: str, label: str, start: dt.date | None, end: dt.date | None, *, typology: str = "",
        families: list[str] | None = None) -> str:
    with db.session() as s:
        owner = Owner(name=f"Propriétaire {name}")
        s.add(owner)
        s.flush()
        est = Establishment(kind="chambre_hotes", name=name, commune="Wissant", owner_id=owner.id)
        s.add(est)
        s.flush()
        s.add(EstablishmentLabel(establishment_id=est.id, label=label, valid_from=start, valid_until=end,
                                 typology=typology, families=families or []))
        s.commit()
        return est.id


def populate(db: Database) -> dict[str, str]:
    ids = {
        "soon": add(db, "Gîte des Dunes", "accueil_velo", dt.date(2024, 3, 1), dt.date(2027, 2, 28),
                    typology="hebergement"),
        "later": add(db, "Loueur du Cap", "accueil_velo", dt.date(2025, 1, 1), dt.date(2027, 12, 31),
                     typology="loueur"),
        "expired": add(db, "Chambres du Phare", "chambre_hotes_reference", dt.date(2021, 6, 1),
                       dt.date(2026, 5, 31)),
        "derived": add(db, "Café Vélo", "accueil_velo", dt.date(2023, 12, 10), None, typology="restaurant"),
        "th": add(db, "Musée", "tourisme_handicap", dt.date(2021, 12, 1), dt.date(2026, 11, 30),
                  families=["moteur", "auditif"]),
        "unknown": add(db, "Sans dates", "chambre_hotes_reference", None, None),
    }
    with db.session() as s:  # "Chambres du Phare" renewed its CHR once already (an older row, expired earlier)
        s.add(EstablishmentLabel(establishment_id=ids["expired"], label="chambre_hotes_reference",
                                 valid_from=dt.date(2016, 6, 1), valid_until=dt.date(2021, 5, 31)))
        # A renewed label leaves the list: a newer row valid until 2029.
        renewed = add(db, "Renouvelé", "accueil_velo", dt.date(2023, 1, 1), dt.date(2026, 12, 31),
                      typology="hebergement")
        s.add(EstablishmentLabel(establishment_id=renewed, label="accueil_velo", typology="hebergement",
                                 valid_from=dt.date(2027, 1, 1), valid_until=dt.date(2029, 12, 31)))
        s.add(Visit(establishment_id=ids["soon"], kind="accueil_velo", state="planned", grid_id="AV-2025-SOCLE",
                    grid_version="x", grid_sha256="0" * 64, planned_on=dt.date(2027, 1, 15), typology="hebergement"))
        s.commit()
    return ids


def test_effective_until() -> None:
    assert effective_until("accueil_velo", dt.date(2024, 3, 1), None) == (dt.date(2027, 2, 28), True)
    assert effective_until("tourisme_handicap", dt.date(2024, 3, 1), None) == (dt.date(2029, 2, 28), True)
    assert effective_until("chambre_hotes_reference", dt.date(2024, 3, 1), None) == (None, False)
    assert effective_until("accueil_velo", None, dt.date(2026, 1, 1)) == (dt.date(2026, 1, 1), False)


def test_label_renewals_service(db: Database) -> None:
    ids = populate(db)
    rows = label_renewals(db, today=TODAY, months=6)
    assert [r.establishment for r in rows] == ["Chambres du Phare", "Musée", "Café Vélo", "Gîte des Dunes"]
    phare, musee, cafe, gite = rows
    assert phare.expired and phare.days_left == -178 and phare.valid_until == dt.date(2026, 5, 31)
    assert phare.title == "Chambre d'hôtes Référence"
    assert not musee.expired and musee.days_left == 5 and musee.families == ("moteur", "auditif")
    assert cafe.derived and cafe.valid_until == dt.date(2026, 12, 9) and cafe.typology == "restaurant"
    assert gite.renewal_planned_on == dt.date(2027, 1, 15) and gite.renewal_visit_id is not None
    assert gite.establishment_id == ids["soon"] and gite.owner == "Propriétaire Gîte des Dunes"
    assert [r.establishment for r in label_renewals(db, today=TODAY, months=6, include_expired=False)] == [
        "Musée", "Café Vélo", "Gîte des Dunes"]
    only_av = label_renewals(db, today=TODAY, months=14, labels=("accueil_velo",))
    assert [r.establishment for r in only_av] == ["Café Vélo", "Gîte des Dunes", "Loueur du Cap"]
    assert label_renewals(db, today=TODAY, months=0, include_expired=False) == []


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    db = open_database(folder / "inspector.sqlite")
    populate(db)
    db.close()
    return folder


def test_cli_labels_renewals(data_dir: Path) -> None:
    out = run("--data-dir", str(data_dir), "labels", "renewals", "--months", "6", "--today", "2026-11-25")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Labels à renouveler au 25/11/2026 (horizon 6 mois) : 4"
    assert lines[1] == "Expirés (1)"
    assert lines[2] == ("  expiré le 31/05/2026 (il y a 178 j)  Chambre d'hôtes Référence — Chambres du Phare, "
                        "Wissant (Propriétaire Chambres du Phare)")
    assert lines[3] == "Expirant dans les 6 mois (3)"
    assert "expire le 30/11/2026 (dans 5 j)  Tourisme & Handicap · moteur, auditif — Musée" in lines[4]
    assert "[déduit du début de validité 10/12/2023]" in lines[5]
    assert "Accueil Vélo · hebergement — Gîte des Dunes" in lines[6] and "prévue le 15/01/2027" in lines[6]
    js = run("--data-dir", str(data_dir), "labels", "renewals", "--today", "2026-11-25", "--json",
             "--label", "accueil_velo")
    assert js.returncode == 0, js.stderr
    doc = json.loads(js.stdout)
    assert [d["establishment"] for d in doc] == ["Café Vélo", "Gîte des Dunes"]
    assert doc[0]["valid_until"] == "2026-12-09" and doc[0]["derived"] is True and doc[0]["expired"] is False


@pytest.mark.parametrize(("args", "message"), [
    (("labels", "renewals", "--today", "25/11/2026"), "date « 25/11/2026 » invalide"),
    (("labels", "renewals", "--months", "-3"), "--months -3"),
])
def test_cli_labels_user_errors(data_dir: Path, args: tuple[str, ...], message: str) -> None:
    out = run("--data-dir", str(data_dir), *args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"nom": "La Vélomaritime (EV4)"},
     "geometry": {"type": "LineString", "coordinates": [[1.0, 50.5], [2.0, 50.5]]}},
    {"type": "Feature", "properties": {"name": "Aire"}, "geometry": {"type": "Point", "coordinates": [1, 50]}}]}


def test_cli_itineraries_load_list_nearest_remove(tmp_path: Path) -> None:
    data = tmp_path / "data"
    src = tmp_path / "velo.geojson"
    src.write_text(json.dumps(GEOJSON), encoding="utf-8")
    out = run("--data-dir", str(data), "itineraries", "load", str(src))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("velo.geojson chargé : 1 itinéraire(s), 2 points, 70,9 km (empreinte ")
    assert "géométrie Point ignorée" in out.stderr
    again = run("--data-dir", str(data), "itineraries", "load", str(src))
    assert again.returncode == 0 and "déjà chargé (contenu identique)" in again.stdout
    listed = run("--data-dir", str(data), "itineraries", "list")
    assert listed.returncode == 0 and "Fichiers d'itinéraires chargés : 1" in listed.stdout
    assert "velo.geojson (geojson) — 1 itinéraire(s), 70,9 km" in listed.stdout and "La Vélomaritime" in listed.stdout
    near = run("--data-dir", str(data), "itineraries", "nearest", "50,51", "1.5")
    assert near.returncode == 0, near.stderr
    assert near.stdout.startswith("La Vélomaritime (EV4) : 1,1 km (point le plus proche 50.50000, 1.50000 ; fichier "
                                  "velo.geojson)")
    removed = run("--data-dir", str(data), "itineraries", "remove", "velo.geojson")
    assert removed.returncode == 0 and "velo.geojson" in removed.stdout and "retiré" in removed.stdout
    empty = run("--data-dir", str(data), "itineraries", "nearest", "50.5", "1.5")
    assert empty.returncode == 2 and "aucun fichier d'itinéraires chargé" in empty.stderr


def test_cli_itineraries_refuses_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "trace.gpx"
    bad.write_text('<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "b">]>\n<gpx/>', encoding="utf-8")
    out = run("--data-dir", str(tmp_path / "data"), "itineraries", "load", str(bad))
    assert out.returncode == 2
    assert "trace.gpx, ligne 2 : déclaration DOCTYPE refusée" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "data" / "itineraries").exists() or not list((tmp_path / "data" / "itineraries").iterdir())
    for args, message in ((("load", str(tmp_path / "absent.geojson")), "introuvable"),
                          (("remove", "abcdef"), "introuvable"),
                          (("nearest", "95", "1"), "latitude 95 hors limites")):
        res = run("--data-dir", str(tmp_path / "data"), "itineraries", *args)
        assert res.returncode == 2 and message in res.stderr, res.stderr
