"""Planning label visits (Tourisme & Handicap, Accueil Vélo, Chambre d'hôtes Référence) from the new-visit dialog.

The grids are the test grids (tests/data/grids) and a partial copy of one, on a search path of their own: the tests
do not depend on the label grids shipped in grids/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select

from inspector.db.models import User, Visit
from inspector.grids import registry
from ui import strings
from ui.screens.new_visit_dialog import NewVisitDialog

from ..conftest import DATA
from .conftest import TODAY

pytestmark = pytest.mark.qt


@pytest.fixture
def grid_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Only the meublés grid and the two test label grids are installed."""
    folder = tmp_path / "grids"
    folder.mkdir()
    shutil.copy(registry.bundled_grids_dir() / "MT-2022-V2.json", folder)
    for name in ("TH-EXEMPLE-TEST.json", "AV-EXEMPLE-TEST.json"):
        shutil.copy(DATA / "grids" / name, folder)
    monkeypatch.delenv(registry.GRIDS_ENV, raising=False)
    monkeypatch.setattr(registry, "_DATA_DIRS", [])
    monkeypatch.setattr(registry, "bundled_grids_dir", lambda: folder)
    return folder


@pytest.fixture
def make_dialog(qtbot, ctx, grid_dir):
    def make() -> NewVisitDialog:
        dialog = NewVisitDialog(ctx, today=TODAY)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: dialog.choices is not None and not dialog._searching)
        return dialog

    yield make
    strings.set_language("fr")


def choose_kind(dialog: NewVisitDialog, kind: str) -> None:
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind))


def find(qtbot, dialog: NewVisitDialog, text: str, name: str) -> None:
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, text)
    qtbot.waitUntil(lambda: dialog.selected() is not None and name in dialog.selected().name)


def user_id(ctx, name: str) -> str:
    with ctx.db.session() as s:
        return s.scalar(select(User.id).where(User.name == name))


def test_th_primo_visit_with_two_families_a_filiere_and_the_partner(make_dialog, qtbot, ctx) -> None:
    dialog = make_dialog()
    choose_kind(dialog, "th_primo")
    find(qtbot, dialog, "beffroi", "Beffroi")  # a restaurant: offered for a label visit
    assert "Restaurant" in dialog.results_model.item(0).text()
    assert dialog.grid.currentData() == "TH-EXEMPLE-TEST"
    assert dialog.typology.currentData() == "restauration"  # suggested by the kind of establishment
    assert list(dialog.family_checks) == ["auditif", "mental", "moteur", "visuel"]
    assert not dialog.ok_button.isEnabled()
    dialog.family_checks["moteur"].setChecked(True)
    dialog.family_checks["auditif"].setChecked(True)
    assert dialog.families_hint.text() == ""
    assert not dialog.ok_button.isEnabled()  # a primo-visite is made by a pair: the partner is still missing
    assert "évaluateur partenaire" in dialog.hint.text() and dialog.hint.isVisible()
    partner = user_id(ctx, "Marc Hennebelle")
    assert dialog.partner.itemData(1) == partner  # partner evaluators come first
    assert "évaluateur partenaire" in dialog.partner.itemText(1)
    dialog.partner.setCurrentIndex(dialog.partner.findData(partner))
    assert dialog.ok_button.isEnabled() and not dialog.hint.isVisible()
    establishment = dialog.selected_id()
    with qtbot.waitSignal(dialog.created, timeout=5000) as blocker:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ctx.db.session() as s:
        visit = s.get(Visit, blocker.args[0])
        assert (visit.establishment_id, visit.kind, visit.state, visit.planned_on) == (
            establishment, "th_primo", "planned", TODAY)
        assert (visit.grid_id, visit.grid_version) == ("TH-EXEMPLE-TEST", "test-1")
        assert visit.requested_families == ["auditif", "moteur"]
        assert (visit.typology, visit.second_evaluator_id, visit.requested_category) == (
            "restauration", partner, None)


def test_one_family_keeps_ok_disabled_and_says_why(make_dialog, qtbot, ctx) -> None:
    dialog = make_dialog()
    choose_kind(dialog, "th_renouvellement")
    find(qtbot, dialog, "beffroi", "Beffroi")
    dialog.partner.setCurrentIndex(1)
    dialog.family_checks["visuel"].setChecked(True)
    assert not dialog.ok_button.isEnabled()
    assert dialog.families_hint.isVisible()
    assert "au moins deux familles" in dialog.families_hint.text() and "1 de plus" in dialog.families_hint.text()
    assert "deux familles" in dialog.ok_button.toolTip()
    dialog.accept()  # Enter with the button disabled, or a script: nothing is created
    assert "deux familles" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
    # a visite-conseil may cover one family, without a partner
    choose_kind(dialog, "th_conseil")
    assert dialog.family_checks["visuel"].isChecked() and dialog.families_hint.text() == ""
    dialog.partner.setCurrentIndex(0)
    assert dialog.partner.currentData() is None and "facultatif" in dialog.partner.currentText()
    assert dialog.ok_button.isEnabled()
    dialog.family_checks["visuel"].setChecked(False)
    assert not dialog.ok_button.isEnabled() and "au moins une famille" in dialog.families_hint.text()


def test_accueil_velo_visit_with_a_typology(make_dialog, qtbot, ctx) -> None:
    dialog = make_dialog()
    choose_kind(dialog, "accueil_velo")
    assert not dialog.partner.isVisible() and not dialog.families_row.isVisible()
    assert dialog.typology_label.text() == "T&ypologie" and dialog.typology.isVisible()
    find(qtbot, dialog, "galets", "Les Galets")  # chambres d'hôtes near La Vélomaritime
    assert dialog.grid.currentData() == "AV-EXEMPLE-TEST"
    assert dialog.typology.currentData() == "hebergement"  # suggested for a place to stay
    dialog.typology.setCurrentIndex(dialog.typology.findData("loueur"))  # it also rents bikes
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.created, timeout=5000) as blocker:
        dialog.accept()
    with ctx.db.session() as s:
        visit = s.get(Visit, blocker.args[0])
        assert (visit.kind, visit.grid_id, visit.typology, visit.requested_families, visit.second_evaluator_id) == (
            "accueil_velo", "AV-EXEMPLE-TEST", "loueur", [], None)


def test_example_grid_warning_and_choice_of_another_installed_grid(make_dialog, grid_dir, qtbot) -> None:
    doc = json.loads((grid_dir / "AV-EXEMPLE-TEST.json").read_text(encoding="utf-8"))
    doc["id"] = "AV-PARTIEL-TEST"
    doc["provenance"] = {**doc["provenance"], "status": "partial", "source_document": "socle commun seulement"}
    (grid_dir / "AV-PARTIEL-TEST.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    dialog = make_dialog()
    choose_kind(dialog, "th_conseil")
    assert dialog.provenance.isVisible()
    assert dialog.provenance.text() == "⚠ Grille d'exemple — non officielle : pour la formation uniquement"
    assert "#c62828" in dialog.provenance.styleSheet()
    assert "non officielle" in dialog.grid.currentText()
    assert dialog.grid.accessibleDescription() == dialog.provenance.text()
    choose_kind(dialog, "accueil_velo")  # partial before example: the partial grid is proposed
    assert [dialog.grid.itemData(i) for i in range(dialog.grid.count())] == ["AV-PARTIEL-TEST", "AV-EXEMPLE-TEST"]
    assert dialog.provenance.text() == "Grille partielle — socle commun seulement"
    dialog.grid.setCurrentIndex(1)
    assert "formation uniquement" in dialog.provenance.text()
    find(qtbot, dialog, "galets", "Les Galets")
    assert dialog.values()["grid_id"] == "AV-EXEMPLE-TEST"


def test_no_grid_installed_for_the_kind(make_dialog, qtbot) -> None:
    dialog = make_dialog()
    choose_kind(dialog, "chambre_hotes_reference")
    find(qtbot, dialog, "blanc-nez", "Blanc-Nez")  # only chambres d'hôtes are offered
    assert all("Chambres d'hôtes" in dialog.results_model.item(i).text()
               for i in range(dialog.results_model.rowCount()))
    assert dialog.provenance.text() == ("Aucune grille Chambre d'hôtes Référence installée : importez la grille "
                                        "officielle (Fichier › Grilles…).")
    assert not dialog.grid.isEnabled() and not dialog.ok_button.isEnabled()
    assert not dialog.typology.isVisible() and not dialog.families_row.isVisible()


def test_meuble_path_is_unchanged(make_dialog, qtbot, ctx) -> None:
    dialog = make_dialog()
    assert dialog.kind.currentData() == "classement"
    assert dialog.category.isVisible() and not dialog.grid.isVisible() and not dialog.partner.isVisible()
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "beffroi")  # a restaurant: not offered for a meublé visit
    qtbot.waitUntil(lambda: dialog.results_model.rowCount() == 0 and not dialog._searching)
    choose_kind(dialog, "th_primo")  # …but it is for a label visit
    qtbot.waitUntil(lambda: dialog.selected() is not None and "Beffroi" in dialog.selected().name)
    choose_kind(dialog, "visite_conseil")
    qtbot.waitUntil(lambda: dialog.results_model.rowCount() == 0 and not dialog._searching)
    find(qtbot, dialog, "chaumiere", "La Chaumière")
    assert dialog.kind.currentData() == "renouvellement" and dialog.category.currentData() == 2
    assert dialog.values() == {"establishment_id": dialog.selected_id(), "kind": "renouvellement",
                               "requested_category": 2, "planned_on": TODAY, "grid_id": None,
                               "requested_families": [], "typology": "", "second_evaluator_id": None}
    with qtbot.waitSignal(dialog.created, timeout=5000) as blocker:
        dialog.accept()
    with ctx.db.session() as s:
        visit = s.get(Visit, blocker.args[0])
        assert (visit.kind, visit.grid_id, visit.requested_category) == ("renouvellement", "MT-2022-V2", 2)


def test_keyboard_order_and_buddies(make_dialog, qtbot) -> None:
    dialog = make_dialog()
    assert dialog.focusWidget() is dialog.search
    choose_kind(dialog, "th_primo")
    find(qtbot, dialog, "beffroi", "Beffroi")
    assert dialog.families_label.buddy() is dialog.family_checks["auditif"]
    assert dialog.partner_label.buddy() is dialog.partner and dialog.grid_label.buddy() is dialog.grid
    dialog.results.setFocus()
    qtbot.waitUntil(dialog.results.hasFocus)
    expected = [dialog.grid, dialog.typology, *dialog.family_checks.values(), dialog.partner, dialog.planned]
    for widget in expected:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda w=widget: QApplication.focusWidget() is w or w.isAncestorOf(QApplication.focusWidget()))
    assert dialog.family_checks["mental"].accessibleName() == "Mental"
    assert dialog.partner.accessibleName() == "Évaluateur partenaire"


def test_english(make_dialog, qtbot, ctx) -> None:
    dialog = make_dialog()
    choose_kind(dialog, "th_primo")
    ctx.set_language("en")
    assert dialog.grid_label.text() == "&Grid" and dialog.typology_label.text() == "&Sector"
    assert dialog.provenance.text() == "⚠ Example grid — not official: for training only"
    assert dialog.partner.itemText(0) == "Choose… (pair required)"
    assert "(partner evaluator)" in dialog.partner.itemText(1)
    find(qtbot, dialog, "beffroi", "Beffroi")
    dialog.partner.setCurrentIndex(1)
    dialog.family_checks["moteur"].setChecked(True)
    assert dialog.families_hint.text().endswith("tick 1 more.")


def test_the_suggested_filiere_follows_the_establishment_until_the_user_chooses(make_dialog, qtbot) -> None:
    dialog = make_dialog()
    choose_kind(dialog, "th_conseil")
    find(qtbot, dialog, "chaumiere", "La Chaumière")  # a meublé: "hébergement non ERP", not in the test grid
    assert dialog.typology.currentIndex() == -1
    find(qtbot, dialog, "beffroi", "Beffroi")
    assert dialog.typology.currentData() == "restauration"
    find(qtbot, dialog, "dunes", "Jardin des Dunes")  # a site: visite or loisir, not guessed
    assert dialog.typology.currentIndex() == -1 and "filière" in dialog.hint.text()
    dialog.typology.setCurrentIndex(dialog.typology.findData("hebergement_erp"))
    find(qtbot, dialog, "beffroi", "Beffroi")
    assert dialog.typology.currentData() == "hebergement_erp"  # the user's choice stays
