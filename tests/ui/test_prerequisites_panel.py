"""The Accueil Vélo prerequisites panel: computed distance, manual entry, qualification found in the database,
clear OK/failed state, locked visits, language switch — all through the services on the task runner."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from inspector.db.models import Establishment, EstablishmentLabel, Visit
from inspector.services import itineraries, visits
from inspector.services.establishments import save_card, search_establishments
from tests.conftest import DATA
from tests.ui.conftest import TODAY
from ui.widgets.prerequisites_panel import PrerequisitesPanel

GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"nom": "La Vélomaritime (EV4)"},
     "geometry": {"type": "LineString", "coordinates": [[1.0, 50.5], [2.0, 50.5]]}}]}


@pytest.fixture(autouse=True)
def test_grids(monkeypatch: pytest.MonkeyPatch, demo_db_file: Path) -> None:
    """The example grid AV-EXEMPLE-TEST on the search path, once the demo database is built (without it)."""
    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", str(DATA / "grids"))


@pytest.fixture
def galets(ctx, tmp_path: Path) -> str:
    """The demo's chambres d'hôtes in Wissant (CHR label valid until 31/12/2027), located 0.01° north of a loaded
    east-west itinerary; returns a planned Accueil Vélo visit (typology hébergement)."""
    est = search_establishments(ctx.db, "Galets")[0].id
    save_card(ctx.db, establishment_id=est, establishment={"latitude": "50,51", "longitude": "1,5"})
    src = tmp_path / "velo.geojson"
    src.write_text(json.dumps(GEOJSON), encoding="utf-8")
    itineraries.load_file(ctx.data_dir, src)
    return visits.create_visit(ctx.db, establishment_id=est, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                               typology="hebergement", planned_on=TODAY + dt.timedelta(days=7)).value


@pytest.fixture
def panel(qtbot, ctx) -> PrerequisitesPanel:
    widget = PrerequisitesPanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def settle(qtbot, panel: PrerequisitesPanel) -> None:
    qtbot.waitUntil(lambda: panel._running == 0 and (panel.check is not None or bool(panel.error)), timeout=10000)


def test_computed_itinerary_and_valid_chr_label(qtbot, ctx, panel: PrerequisitesPanel, galets: str) -> None:
    with qtbot.waitSignal(panel.changed, timeout=10000):
        panel.set_visit(galets)
    settle(qtbot, panel)
    assert panel.name_value.text() == "La Vélomaritime (EV4)"
    assert panel.distance_value.text() == "1,1 km"
    assert panel.source_value.text().startswith("calculée depuis les coordonnées le ")
    assert "velo.geojson" in panel.source_value.text()
    assert panel.within_label.text() == "≤ 5,0 km" and panel.within_value.text() == "oui"
    assert "Chambre d'hôtes Référence valable jusqu'au 31/12/2027" in panel.qualification.text()
    assert panel.validity.text().endswith("au 31/12/2027") and panel.qualification_state.text() == "Prérequis rempli"
    assert panel.state_text() == "Prérequis Accueil Vélo remplis"
    assert panel.coordinates.text() == "Coordonnées de l'établissement : 50.51000, 1.50000"
    assert panel.compute_button.isEnabled() and panel.manual_button.isEnabled()
    with ctx.db.session() as s:
        v = s.get(Visit, galets)
        assert v.context["distance_to_route_km"] == 1.1 and v.context["classified_or_labelled"] is True


def test_manual_entry_then_compute_again(qtbot, panel: PrerequisitesPanel, galets: str) -> None:
    panel.set_visit(galets)
    settle(qtbot, panel)
    panel.manual_name.setText("Véloroute de la Lys")  # QTest.keyClicks types ASCII only
    qtbot.keyClicks(panel.manual_distance, "6")
    with qtbot.waitSignal(panel.changed, timeout=10000):
        qtbot.mouseClick(panel.manual_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert panel.name_value.text() == "Véloroute de la Lys" and panel.distance_value.text() == "6,0 km"
    assert panel.source_value.text().startswith("saisie par l'inspecteur")
    assert panel.within_value.text() == "non"
    assert panel.state_text() == ("Prérequis Accueil Vélo non remplis : itinéraire à 6,0 km (il faut ≤ 5,0 km)")
    assert panel.manual_name.text() == "" and panel.manual_distance.text() == ""
    with qtbot.waitSignal(panel.changed, timeout=10000):
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel)
    assert panel.distance_value.text() == "1,1 km" and panel.state_text() == "Prérequis Accueil Vélo remplis"


def test_refused_entry_is_explained(qtbot, panel: PrerequisitesPanel, galets: str) -> None:
    panel.set_visit(galets)
    settle(qtbot, panel)
    qtbot.keyClicks(panel.manual_name, "EV4")
    qtbot.keyClicks(panel.manual_distance, "loin")
    qtbot.mouseClick(panel.manual_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(panel.error), timeout=10000)
    assert "« loin » n'est pas une distance en kilomètres" in panel.status.text()
    assert panel.manual_distance.text() == "loin"  # kept for correction


def test_expired_label_seen_after_a_data_change(qtbot, ctx, panel: PrerequisitesPanel, galets: str) -> None:
    panel.set_visit(galets)
    settle(qtbot, panel)
    with ctx.db.session() as s:
        label = s.scalar(select(EstablishmentLabel).join(Visit, Visit.establishment_id ==
                                                         EstablishmentLabel.establishment_id)
                         .where(Visit.id == galets))
        label.valid_until = dt.date(2026, 10, 31)
        s.commit()
        label_id = label.id
    ctx.notify({"establishment_labels": {label_id}})
    qtbot.waitUntil(lambda: panel.qualification_state.text() == "Prérequis non rempli", timeout=10000)
    settle(qtbot, panel)
    assert "Chambre d'hôtes Référence expirée le 31/10/2026" in panel.qualification.text()
    assert panel.state_text() == ("Prérequis Accueil Vélo non remplis : Chambre d'hôtes Référence expirée le "
                                  "31/10/2026")


def test_without_coordinates_the_distance_is_to_complete(qtbot, ctx, panel: PrerequisitesPanel, galets: str) -> None:
    with ctx.db.session() as s:
        est = s.get(Establishment, s.get(Visit, galets).establishment_id)
        est.latitude = est.longitude = None
        s.commit()
    panel.set_visit(galets)
    settle(qtbot, panel)
    assert panel.state_text() == "Prérequis à compléter : distance à l'itinéraire cyclable inconnue"
    assert panel.within_value.text() == "distance inconnue"
    assert "Coordonnées de l'établissement manquantes" in panel.problem.text()
    assert panel.coordinates.text().startswith("Coordonnées de l'établissement non renseignées")
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(panel.error), timeout=10000)
    assert "Coordonnées de l'établissement manquantes" in panel.status.text()


def test_locked_visit_is_shown_read_only(qtbot, ctx, panel: PrerequisitesPanel, galets: str) -> None:
    panel.set_visit(galets)
    settle(qtbot, panel)
    with ctx.db.session() as s:
        s.get(Visit, galets).state = "completed"
        s.commit()
    panel.set_visit(galets)
    settle(qtbot, panel)
    assert panel.check.locked
    assert panel.state_text().endswith("visite close : prérequis tels qu'enregistrés")
    assert not panel.compute_button.isEnabled() and not panel.manual_button.isEnabled()
    assert not panel.manual_name.isEnabled()


def test_not_an_accueil_velo_visit(qtbot, ctx, panel: PrerequisitesPanel) -> None:
    with ctx.db.session() as s:
        other = s.scalar(select(Visit.id).where(Visit.kind == "classement").limit(1))
    panel.set_visit(other)
    settle(qtbot, panel)
    assert panel.check is None and "ne concernent que les visites Accueil Vélo" in panel.status.text()
    assert not panel.itinerary_box.isVisible() and not panel.compute_button.isEnabled()
    panel.set_visit(None)
    assert panel.status.text() == "" and panel.state_text() == "Prérequis Accueil Vélo"


def test_language_switch(qtbot, ctx, panel: PrerequisitesPanel, galets: str) -> None:
    panel.set_visit(galets)
    settle(qtbot, panel)
    ctx.set_language("en")
    try:
        assert panel.itinerary_box.title() == "Nearest cycle itinerary"
        assert panel.compute_button.text() == "&Compute from the coordinates"
        assert panel.state_text() == "Accueil Vélo prerequisites met"
        assert panel.distance_value.text() == "1.1 km" and panel.within_value.text() == "yes"
    finally:
        ctx.set_language("fr")
    assert panel.state_text() == "Prérequis Accueil Vélo remplis"
