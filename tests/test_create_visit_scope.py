"""create_visit checks the label scope it is given (families, typology, partner) as set_label_scope does.

The grids are the test grids of tests/data/grids and the CHR test grid of test_label_decisions (no typology), so
the tests do not depend on the grids shipped in grids/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from inspector.db.database import Database
from inspector.db.models import AuditEntry, Establishment, User, Visit
from inspector.services import visits
from inspector.services.common import NotFound, ServiceError
from tests.test_label_decisions import install_grids

PLANNED = dt.date(2026, 12, 3)


@pytest.fixture
def grids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install_grids(monkeypatch, tmp_path / "test-grids")


@pytest.fixture
def people(db: Database) -> dict[str, str]:
    with db.session() as s:
        users = {name: User(name=name, role=role) for name, role in
                 (("Julie Caron", "inspector"), ("Marc Hennebelle", "partner_evaluator"))}
        s.add_all(users.values())
        s.commit()
        return {name: u.id for name, u in users.items()}


def add_establishment(db: Database, kind: str, name: str) -> str:
    with db.session() as s:
        est = Establishment(kind=kind, name=name, commune="Arras", capacity=4, rooms=2)
        s.add(est)
        s.commit()
        return est.id


def counts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Visit)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def row(db: Database, vid: str) -> Visit:
    with db.session() as s:
        return s.get(Visit, vid)


def refused(db: Database, match: str, error: type[ServiceError] = ServiceError, **kwargs: Any) -> str:
    """create_visit raises `error` whose message contains `match`, and writes nothing (no visit, no audit)."""
    before = counts(db)
    with pytest.raises(error) as info:
        visits.create_visit(db, planned_on=PLANNED, **kwargs)
    assert match in str(info.value), str(info.value)
    assert counts(db) == before
    return str(info.value)


def th(est: str, **kwargs: Any) -> dict[str, Any]:
    return {"establishment_id": est, "kind": "th_primo", "grid_id": "TH-EXEMPLE-TEST", **kwargs}


# ----- valid visits are created as before ------------------------------------------------------------------------


def test_meuble_visit_is_created_without_label_scope(db: Database) -> None:
    est = add_establishment(db, "meuble", "Studio des Dunes")
    vid = visits.create_visit(db, establishment_id=est, kind="classement", requested_category=3,
                              planned_on=PLANNED).value
    v = row(db, vid)
    assert (v.kind, v.requested_category, v.requested_families, v.typology, v.second_evaluator_id) == (
        "classement", 3, [], "", None)


def test_th_visit_keeps_its_scope_as_given(db: Database, grids: None, people: dict[str, str]) -> None:
    est = add_establishment(db, "restaurant", "Brasserie du Beffroi")
    vid = visits.create_visit(db, planned_on=PLANNED, **th(
        est, requested_families=["moteur", "auditif"], typology="restauration",
        evaluator_id=people["Julie Caron"], second_evaluator_id=people["Marc Hennebelle"])).value
    v = row(db, vid)
    assert (v.requested_families, v.typology, v.evaluator_id, v.second_evaluator_id) == (
        ["moteur", "auditif"], "restauration", people["Julie Caron"], people["Marc Hennebelle"])


def test_label_visit_may_be_planned_before_its_scope_is_known(db: Database, grids: None) -> None:
    est = add_establishment(db, "restaurant", "Brasserie du Beffroi")
    th_visit = visits.create_visit(db, planned_on=PLANNED, **th(est, requested_families=[])).value
    assert (row(db, th_visit).requested_families, row(db, th_visit).typology) == ([], "")
    av = visits.create_visit(db, establishment_id=est, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                             typology="loueur", planned_on=PLANNED).value
    assert (row(db, av).typology, row(db, av).requested_families) == ("loueur", [])
    chr_visit = visits.create_visit(db, establishment_id=add_establishment(db, "chambre_hotes", "Les Oyats"),
                                    kind="chambre_hotes_reference", grid_id="CHR-EXEMPLE-TEST").value
    assert row(db, chr_visit).grid_id == "CHR-EXEMPLE-TEST"


# ----- what create_visit refuses -----------------------------------------------------------------------------------


def test_unknown_family_is_refused(db: Database, grids: None) -> None:
    est = add_establishment(db, "restaurant", "Brasserie du Beffroi")
    message = refused(db, "olfactif", **th(est, requested_families=["auditif", "olfactif"]))
    assert "Famille(s) inconnue(s)" in message and "auditif, mental, moteur, visuel" in message


def test_typology_the_grid_does_not_declare_is_refused(db: Database, grids: None) -> None:
    est = add_establishment(db, "restaurant", "Brasserie du Beffroi")
    assert "restauration, hebergement_erp" in refused(db, "« piscine »", **th(est, typology="piscine"))
    refused(db, "« hebergement_erp »", establishment_id=est, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
            typology="hebergement_erp")
    chambre = add_establishment(db, "chambre_hotes", "Les Oyats")
    assert "n'en déclare aucune" in refused(db, "« hebergement »", establishment_id=chambre,
                                            kind="chambre_hotes_reference", grid_id="CHR-EXEMPLE-TEST",
                                            typology="hebergement")


def test_families_are_refused_outside_tourisme_handicap(db: Database, grids: None) -> None:
    est = add_establishment(db, "chambre_hotes", "Les Oyats")
    message = refused(db, "label", establishment_id=est, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                      typology="hebergement", requested_families=["label"])
    assert "Tourisme & Handicap" in message
    refused(db, "moteur", establishment_id=est, kind="chambre_hotes_reference", grid_id="CHR-EXEMPLE-TEST",
            requested_families=["moteur"])


def test_meuble_visit_refuses_a_label_scope(db: Database, people: dict[str, str]) -> None:
    est = add_establishment(db, "meuble", "Studio des Dunes")
    base = {"establishment_id": est, "kind": "classement", "requested_category": 2}
    refused(db, "visites de label", **base, requested_families=["moteur"])
    refused(db, "visites de label", **base, typology="hebergement")
    refused(db, "visites de label", **base, second_evaluator_id=people["Marc Hennebelle"])


def test_unknown_partner_is_refused(db: Database, grids: None, people: dict[str, str]) -> None:
    est = add_establishment(db, "restaurant", "Brasserie du Beffroi")
    refused(db, "Évaluateur nobody-42 introuvable", NotFound,
            **th(est, requested_families=["auditif", "moteur"], evaluator_id=people["Julie Caron"],
                 second_evaluator_id="nobody-42"))


def test_partner_must_be_another_person(db: Database, grids: None, people: dict[str, str]) -> None:
    est = add_establishment(db, "restaurant", "Brasserie du Beffroi")
    julie = people["Julie Caron"]
    refused(db, "Le second évaluateur (Julie Caron) doit être une autre personne",
            **th(est, requested_families=["auditif", "moteur"], evaluator_id=julie, second_evaluator_id=julie))


# ----- set_label_scope applies the same rules ------------------------------------------------------------------------


def test_set_label_scope_shares_the_rules(db: Database, grids: None, people: dict[str, str]) -> None:
    est = add_establishment(db, "restaurant", "Brasserie du Beffroi")
    julie, marc = people["Julie Caron"], people["Marc Hennebelle"]
    vid = visits.create_visit(db, planned_on=PLANNED, **th(est, requested_families=["auditif", "moteur"],
                                                            evaluator_id=julie)).value
    with pytest.raises(ServiceError, match="autre personne"):
        visits.set_label_scope(db, visit_id=vid, second_evaluator_id=julie)
    with pytest.raises(ServiceError, match="olfactif"):
        visits.set_label_scope(db, visit_id=vid, families=["olfactif"])
    assert row(db, vid).second_evaluator_id is None and row(db, vid).requested_families == ["auditif", "moteur"]
    visits.set_label_scope(db, visit_id=vid, families=["visuel", "mental"], second_evaluator_id=marc)
    assert (row(db, vid).requested_families, row(db, vid).second_evaluator_id) == (["mental", "visuel"], marc)
    av = visits.create_visit(db, establishment_id=est, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                             typology="loueur").value
    with pytest.raises(ServiceError, match="Tourisme & Handicap"):
        visits.set_label_scope(db, visit_id=av, families=["label"])
    assert row(db, av).requested_families == []


def test_an_accueil_velo_visit_planned_with_its_typology_has_it_in_its_context(db) -> None:
    """The prerequisites read the typology from the context, as set_label_scope writes it."""
    from inspector.db.models import Establishment
    from inspector.grids.registry import default_grid
    from inspector.services import visits

    grid = default_grid("accueil_velo")
    typology = next(iter(grid.typologies))
    with db.session() as s:
        est = Establishment(kind="chambre_hotes", name="Chambres d'hôtes du Cap", commune="Wissant")
        s.add(est)
        s.commit()
        est_id = est.id
    vid = visits.create_visit(db, establishment_id=est_id, kind="accueil_velo", grid_id=grid.id,
                              typology=typology).value
    with db.session() as s:
        v = visits.get_visit(s, vid)
        assert v.typology == typology and v.context["typology"] == typology
