"""The label report prints the prerequisite facts stored on the visit: the Accueil Vélo itinerary (typed or computed)
and accommodation qualification with « rempli / non rempli », and the Tourisme & Handicap sworn statement."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from inspector.db.database import Database
from inspector.db.models import Establishment
from inspector.services import itineraries, visits
from inspector.services import label_prerequisites as lp
from inspector.services.documents import render
from tests.conftest import DATA
from tests.test_accueil_velo_prerequisites import TODAY, answer_all_yes, av_visit, establishment

ISSUED = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def test_grids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", str(DATA / "grids"))


def text_of(pdf: bytes) -> str:
    """All pages' text, whitespace collapsed (line wraps, no-break spaces)."""
    return " ".join("\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())


def section(text: str) -> str:
    """The « Prérequis » section: from its heading to the first results heading."""
    return text[text.index("1. Prérequis"):text.index("2. Critères obligatoires")]


def completed_av(db: Database, est: str, name: str | None, distance: object = None) -> str:
    vid = av_visit(db, est, "AV-EXEMPLE-TEST")
    if name is not None:
        lp.set_itinerary(db, vid, name, distance, today=TODAY)
    else:
        lp.check_accueil_velo(db, vid, today=TODAY)
    answer_all_yes(db, vid)
    visits.complete_visit(db, visit_id=vid)
    return vid


def test_expired_classification_is_named_with_its_end_date(db: Database) -> None:
    vid = completed_av(db, establishment(db, category=3, until=dt.date(2026, 2, 1)), "La Vélomaritime (EV4)", "1,2")
    text = text_of(render(db, vid, "label", issued_on=ISSUED))
    part = section(text)
    assert "Constats enregistrés sur la visite Prérequis Constat Résultat" in part
    assert ("Itinéraire cyclable à 5 km au plus Itinéraire : « La Vélomaritime (EV4) » Distance : 1,2 km "
            "Saisie par l'auditeur le 20/02/2026 rempli") in part
    assert ("Hébergement classé ou labellisé au 02/03/2026 Meublé : classement expiré le 01/02/2026 (3 étoiles) "
            "non rempli Motif : aucun classement ni label en cours de validité au 02/03/2026 (expiré le "
            "01/02/2026).") in part
    assert "Prérequis vérifiés le 20/02/2026" in part
    assert "Au moins un prérequis n'est pas rempli : aucune attribution ne peut être proposée." in part
    assert "Pas de proposition d'attribution." in text


@pytest.fixture
def loaded_itineraries(db: Database, tmp_path: Path) -> Path:
    """An east-west véloroute at latitude 50.5."""
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nom": "La Vélomaritime (EV4)"},
         "geometry": {"type": "LineString", "coordinates": [[1.0, 50.5], [2.0, 50.5]]}}]}
    path = tmp_path / "itineraires.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    itineraries.load_file(itineraries.folder_of(db), path)
    return path


def test_computed_distance_and_valid_chr_label(db: Database, loaded_itineraries: Path) -> None:
    est = establishment(db, kind="chambre_hotes", lat=50.51, lon=1.5,
                        labels=(("chambre_hotes_reference", dt.date(2024, 1, 1), dt.date(2027, 12, 31)),))
    vid = completed_av(db, est, None)
    part = section(text_of(render(db, vid, "label", issued_on=ISSUED)))
    assert ("Itinéraire : « La Vélomaritime (EV4) » Distance : 1,1 km Calculée depuis les coordonnées de "
            "l'établissement (50,51000 ; 1,50000) le 20/02/2026 Fichiers d'itinéraires : itineraires.geojson "
            "rempli") in part
    assert ("Hébergement classé ou labellisé au 02/03/2026 Chambre d'hôtes Référence valable jusqu'au 31/12/2027 "
            "Depuis le 01/01/2024 rempli") in part
    assert "non rempli" not in part and "Motif" not in part
    assert "Tous les prérequis sont remplis." in part


def test_distance_too_far_gives_the_reason(db: Database) -> None:
    vid = completed_av(db, establishment(db, category=2, until=dt.date(2028, 1, 1)), "EV5", "6,4")
    part = section(text_of(render(db, vid, "label", issued_on=ISSUED)))
    assert "Distance : 6,4 km Saisie par l'auditeur le 20/02/2026 non rempli Motif : distance de 6,4 km, " \
           "supérieure à 5 km." in part
    assert "Meublé classé 2 étoiles jusqu'au 01/01/2028 rempli" in part


def test_visit_without_stored_facts_has_no_facts_block(db: Database) -> None:
    with db.session() as s:
        est = Establishment(kind="meuble", name="Le Relais", commune="Wissant")
        s.add(est)
        s.commit()
        est_id = est.id
    vid = visits.create_visit(db, establishment_id=est_id, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                              typology="hebergement", context={"distance_to_route_km": 1.2,
                                                               "classified_or_labelled": True}).value
    answer_all_yes(db, vid)
    visits.complete_visit(db, visit_id=vid)
    text = text_of(render(db, vid, "label", issued_on=ISSUED))
    assert "1. Prérequis" in text and "Constats enregistrés" not in text


def th_visit(db: Database) -> str:
    with db.session() as s:
        est = Establishment(kind="restaurant", name="Brasserie du Beffroi", commune="Arras")
        s.add(est)
        s.commit()
        est_id = est.id
    vid = visits.create_visit(db, establishment_id=est_id, kind="th_primo", grid_id="TH-EXEMPLE-TEST",
                              requested_families=["moteur", "auditif"], typology="restauration").value
    visits.start_visit(db, visit_id=vid, visited_on=dt.date(2026, 11, 20))
    return vid


def test_tourisme_handicap_report_shows_the_sworn_statement(db: Database) -> None:
    vid = th_visit(db)
    visits.set_label_record(db, visit_id=vid, sworn_statement_on=dt.date(2026, 11, 8),
                            sworn_statement_ref="Attestation ERP du 3 novembre")
    part = text_of(render(db, vid, "label", issued_on=ISSUED, draft=True))
    part = part[part.index("1. Prérequis"):part.index("2. Résultats par famille")]
    assert ("Déclaration sur l'honneur de conformité à la réglementation Déclaration datée du 08/11/2026 "
            "Référence : Attestation ERP du 3 novembre rempli") in part
    assert "Tous les prérequis sont remplis." in part


def test_tourisme_handicap_without_sworn_statement_prints_no_facts(db: Database) -> None:
    text = text_of(render(db, th_visit(db), "label", issued_on=ISSUED, draft=True))
    assert "Constats enregistrés" not in text and "Déclaration datée" not in text


def test_first_page_renders_to_an_image(db: Database, tmp_path: Path) -> None:
    vid = completed_av(db, establishment(db, category=3, until=dt.date(2026, 2, 1)), "La Vélomaritime (EV4)", "1,2")
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(render(db, vid, "label", issued_on=ISSUED))
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    image = next(tmp_path.glob("p*.png"))
    assert image.stat().st_size > 5000
