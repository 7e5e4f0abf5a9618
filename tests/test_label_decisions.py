"""Decisions on label evaluations (T&H per family, Accueil Vélo, Chambre d'hôtes Référence) on a real database.

The grids are the test grids of tests/data/grids plus a small CHR grid written here, so the tests do not depend on
the grids shipped in grids/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from inspector.db.database import Database
from inspector.db.models import (
    AuditEntry,
    Decision,
    Establishment,
    EstablishmentLabel,
    Organisation,
    Owner,
    User,
    Visit,
)
from inspector.services import visits
from inspector.services.common import ServiceError
from inspector.services.label_decisions import (
    holds_label,
    label_decision_of,
    label_decisions_of,
    labels_of,
    record_label_decision,
)
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
DECIDED = dt.date(2026, 3, 12)
VISITED = dt.date(2026, 2, 20)

CHR_TEST_GRID: dict[str, Any] = {
    "format": "inspector-grid/1",
    "id": "CHR-EXEMPLE-TEST",
    "version": "test-1",
    "kind": "chambre_hotes_reference",
    "title": "Chambre d'hôtes Référence — grille d'exemple pour les tests",
    "provenance": {"status": "example", "source_document": "Grille inventée pour les tests, non officielle",
                   "legal_basis": "Code du tourisme, art. D. 324-13 (socle réglementaire seulement)",
                   "applicable_from": None},
    "validity_years": 5,
    "level_kind": "label",
    "levels": [{"code": "label", "label": "Chambre d'hôtes Référence"}],
    "context": [
        {"key": "room_count", "type": "int", "label": "Nombre de chambres", "required": True, "min": 1},
        {"key": "capacity", "type": "int", "label": "Capacité d'accueil", "required": True, "min": 1},
    ],
    "prerequisites": [
        {"code": "PRQ-CH", "text": "Au plus 5 chambres", "condition": {"key": "room_count", "op": "<=", "value": 5}},
        {"code": "PRQ-CAP", "text": "Au plus 15 personnes", "condition": {"key": "capacity", "op": "<=", "value": 15}},
    ],
    "parameters": [],
    "settings": {"optional_rule": {"kind": "none"}},
    "chapters": [{"code": "1", "title": "Services"}],
    "sections": [{"code": "1.1", "chapter": "1", "title": "Accueil"}],
    "criteria": [
        {"code": "C1", "section": "1.1", "text": "Accueil personnalisé", "status": {"label": "X"}},
        {"code": "C2", "section": "1.1", "text": "Table du petit-déjeuner dressée", "status": {"label": "X"}},
        {"code": "C3", "section": "1.1", "text": "Linge de maison fourni", "status": {"label": "X"}},
        {"code": "C4", "section": "1.1", "text": "Documentation touristique", "status": {"label": "O"}},
    ],
}


# ----- set-up helpers (plain functions: the attestation tests use them too) -------------------------------------


def install_grids(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Test grids on the search path: tests/data/grids and the CHR test grid written in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "CHR-EXEMPLE-TEST.json").write_text(json.dumps(CHR_TEST_GRID, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", os.pathsep.join([str(DATA / "grids"), str(folder)]))


def add_agency(db: Database) -> str:
    """The body, its signatory and an auditor; returns the auditor's id."""
    with db.session() as s:
        s.add(Organisation(name="Agence d'attractivité du Pas-de-Calais (fictive)",
                           address="1 rue de l'Exemple\n62000 Arras", accreditation_ref="Organisme fictif de test",
                           signatory_name="Claire Dumont", signatory_title="Directrice"))
        user = User(name="Julie Caron", email="julie.caron@example.org")
        s.add(user)
        s.commit()
        return user.id


def add_establishment(db: Database, *, name: str, kind: str = "chambre_hotes", commune: str = "Escalles",
                      owner: str = "Hélène Vasseur", **fields: Any) -> str:
    with db.session() as s:
        o = Owner(name=owner, address="3 chemin des Dunes", postcode="62179", commune=commune)
        s.add(o)
        s.flush()
        est = Establishment(kind=kind, name=name, owner_id=o.id, address="3 chemin des Dunes", postcode="62179",
                            commune=commune, **fields)
        s.add(est)
        s.commit()
        return est.id


def th_visit(db: Database, est_id: str, *, families: tuple[str, ...] = ("moteur", "auditif", "visuel"),
             submit: bool = True) -> str:
    """A T&H primo-visite on TH-EXEMPLE-TEST: auditif and visuel pass, moteur fails (door too narrow, T1)."""
    vid = visits.create_visit(db, establishment_id=est_id, kind="th_primo", grid_id="TH-EXEMPLE-TEST",
                              requested_families=list(families), typology="restauration",
                              context={"sworn_statement": True}).value
    visits.start_visit(db, visit_id=vid, visited_on=VISITED)
    for code in ("T2", "T3", "T4", "T5", "T6", "T7", "T8"):
        visits.record_answer(db, visit_id=vid, criterion=code, value="yes")
    visits.record_answer(db, visit_id=vid, criterion="T1", value="no", level="moteur", comment="Porte de 72 cm")
    visits.complete_visit(db, visit_id=vid)
    visits.set_label_record(db, visit_id=vid, opinion="Accueil attentif ; porte d'entrée trop étroite.",
                            sworn_statement_on=VISITED)
    if submit:
        visits.submit_visit(db, visit_id=vid)
    return vid


def av_visit(db: Database, est_id: str, *, answers: dict[str, str] | None = None) -> str:
    """An Accueil Vélo audit (hébergement, 1.2 km from the route, already labelled) on AV-EXEMPLE-TEST."""
    vid = visits.create_visit(db, establishment_id=est_id, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                              typology="hebergement",
                              context={"distance_to_route_km": 1.2, "typology": "hebergement",
                                       "classified_or_labelled": True}).value
    visits.start_visit(db, visit_id=vid, visited_on=VISITED)
    for code, value in (answers or {"AV1": "yes", "AV2": "yes", "AV3": "yes", "AV4": "no", "AV5": "yes"}).items():
        visits.record_answer(db, visit_id=vid, criterion=code, value=value)
    visits.complete_visit(db, visit_id=vid)
    return vid


def chr_visit(db: Database, est_id: str, *, grid_id: str = "CHR-EXEMPLE-TEST", visited_on: dt.date = VISITED,
              evaluator_id: str | None = None, complete: bool = True) -> str:
    """A Chambre d'hôtes Référence audit of 3 rooms / 6 persons, every criterion met."""
    vid = visits.create_visit(db, establishment_id=est_id, kind="chambre_hotes_reference", grid_id=grid_id,
                              evaluator_id=evaluator_id, context={"room_count": 3, "capacity": 6}).value
    visits.start_visit(db, visit_id=vid, visited_on=visited_on)
    grid = visits.grid_of(_visit(db, vid))
    for crit in grid.criteria:
        visits.record_answer(db, visit_id=vid, criterion=crit.code, value="yes")
    if complete:
        visits.complete_visit(db, visit_id=vid)
    return vid


def _visit(db: Database, vid: str) -> Visit:
    with db.session() as s:
        return s.get(Visit, vid)


def _count(db: Database, model: Any) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def grids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install_grids(monkeypatch, tmp_path / "test-grids")


# ----- Tourisme & Handicap --------------------------------------------------------------------------------------


def test_th_decision_grants_two_families_and_refuses_one(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    vid = th_visit(db, est)
    result = record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted",
                                   families={"auditif": "granted", "visuel": "granted", "moteur": "refused"},
                                   refusal_reason="Porte d'entrée de 72 cm, sous la largeur utile exigée.",
                                   decided_by="Commission territoriale du 12 mars 2026", user_id="u-1")
    decision = result.value
    assert decision.status == "acquired" and decision.number == "TH-2026-001"
    assert set(decision.families) == {"auditif", "visuel"}
    assert decision.valid_from == DECIDED and decision.valid_until == dt.date(2031, 3, 11)  # five years
    assert "attribué pour 2 famille(s)" in decision.notice
    by_code = {f.code: f for f in decision.family_decisions}
    assert by_code["moteur"].outcome == "refused" and by_code["moteur"].proposal == "refused"
    assert by_code["moteur"].refusal_reason.startswith("Porte d'entrée de 72 cm")
    assert not any(f.departs for f in decision.family_decisions)
    assert {"decisions", "visits", "establishment_labels"} <= set(result.changed.rows)
    with db.session() as s:
        row = s.scalar(select(Decision).where(Decision.visit_id == vid))
        assert row.subject == "tourisme_handicap" and row.status == "acquired" and row.pending_sync
        assert row.decided_on == DECIDED and row.valid_until == dt.date(2031, 3, 11)
        assert row.details["families"]["moteur"]["refusal_reason"].startswith("Porte")
        assert row.details["computed"]["passed"] == ["auditif", "visuel"]
        assert row.details["decided_by"] == "Commission territoriale du 12 mars 2026"
        assert "Moteur : Porte d'entrée de 72 cm" in row.reason
        v = s.get(Visit, vid)
        assert v.state == "acquired" and v.acquired_on == DECIDED and v.valid_until == dt.date(2031, 3, 11)
        assert v.pending_sync
        label = s.scalar(select(EstablishmentLabel).where(EstablishmentLabel.establishment_id == est))
        assert label.label == "tourisme_handicap" and set(label.families) == {"auditif", "visuel"}
        assert label.typology == "restauration" and label.pending_sync
        assert (label.valid_from, label.valid_until) == (DECIDED, dt.date(2031, 3, 11))
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.user_id == "u-1")))
        assert {"label.decision", "visit.acquired", "label.grant"} <= actions
    same = label_decision_of(db, vid)
    assert same is not None and same.number == "TH-2026-001" and same.family_labels == ("Auditif", "Visuel")
    assert label_decision_of(db, th_visit(db, est)) is None


def test_departing_from_the_proposal_needs_a_motivation(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    vid = th_visit(db, est)
    with pytest.raises(ServiceError, match="famille Moteur accordée alors que le calcul propose « refusé » : la "
                                           "décision doit être motivée"):
        record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted", families={"moteur": "granted"})
    assert _count(db, Decision) == 0 and _visit(db, vid).state == "submitted"  # nothing written
    decision = record_label_decision(
        db, visit_id=vid, decided_on=DECIDED, outcome="granted",
        families={"moteur": {"outcome": "granted", "motivation": "Services substitutifs : rampe amovible et "
                                                                 "accompagnement à l'entrée."}}).value
    assert decision.status == "acquired" and set(decision.families) == {"auditif", "moteur", "visuel"}
    moteur = next(f for f in decision.family_decisions if f.code == "moteur")
    assert moteur.departs and moteur.motivation.startswith("Services substitutifs")


def test_refusing_a_passed_family_needs_motivation_and_reason(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    vid = th_visit(db, est)
    with pytest.raises(ServiceError) as err:
        record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted",
                              families={"visuel": "refused"})
    message = str(err.value)
    assert "famille Visuel refusée alors que le calcul propose « accordé »" in message
    assert "famille Visuel refusée : indiquez le motif du refus" in message
    assert "famille Moteur refusée : indiquez le motif du refus" in message


def test_unknown_or_unrequested_family_is_refused(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    vid = th_visit(db, est)
    with pytest.raises(ServiceError, match="Famille « cognitif » inconnue"):
        record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted", families={"cognitif": "granted"})
    with pytest.raises(ServiceError, match="Famille « Mental » non demandée"):
        record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted", families={"mental": "granted"})
    with pytest.raises(ServiceError, match="issue « accepted » inconnue"):
        record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="accepted")
    with pytest.raises(ServiceError, match="contredit la décision d'ensemble"):
        record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="refused", refusal_reason="x",
                              motivation="y", families={"auditif": "granted"})


def test_one_family_only_refuses_the_label_overall(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    vid = th_visit(db, est, families=("auditif", "moteur"))
    decision = record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted",
                                     refusal_reason="Porte d'entrée trop étroite.").value
    assert decision.status == "refused" and decision.families == ("auditif",)
    assert decision.notice == ("Label refusé : 1 famille(s) accordée(s) (Auditif), alors que le label Tourisme & "
                               "Handicap demande au moins 2 familles.")
    v = _visit(db, vid)
    assert v.state == "refused" and v.refused_on == DECIDED and "au moins 2 familles" in v.refusal_reason
    assert _count(db, EstablishmentLabel) == 0
    assert labels_of(db, est) == []


def test_adjourned_keeps_the_visit_submitted(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    vid = th_visit(db, est)
    with pytest.raises(ServiceError, match="motif de l'ajournement"):
        record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="adjourned")
    first = record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="adjourned",
                                  motivation="Attestation de conformité de la boucle magnétique attendue.").value
    assert first.status == "adjourned" and first.number == "TH-2026-001" and first.valid_until is None
    assert {f.outcome for f in first.family_decisions} == {"adjourned"}
    assert _visit(db, vid).state == "submitted" and _count(db, EstablishmentLabel) == 0
    later = record_label_decision(db, visit_id=vid, decided_on=dt.date(2026, 6, 18), outcome="granted",
                                  refusal_reason="Porte trop étroite.").value
    assert later.status == "acquired" and later.number == "TH-2026-002"
    assert [d.status for d in label_decisions_of(db, vid)] == ["adjourned", "acquired"]
    assert label_decision_of(db, vid).number == "TH-2026-002"
    assert _visit(db, vid).state == "acquired"


def test_wrong_states_are_refused(db: Database, grids: None, visit_id: str) -> None:
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    completed = th_visit(db, est, submit=False)
    with pytest.raises(ServiceError, match="« completed » ; elle doit d'abord être terminée puis soumise"):
        record_label_decision(db, visit_id=completed, decided_on=DECIDED, outcome="granted")
    with pytest.raises(ServiceError, match="n'est pas une évaluation de label"):
        record_label_decision(db, visit_id=visit_id, decided_on=DECIDED, outcome="granted")
    chr_est = add_establishment(db, name="Chambres d'hôtes « Le Blanc-Nez »", rooms=3, capacity=6)
    in_progress = chr_visit(db, chr_est, complete=False)
    with pytest.raises(ServiceError, match="la visite est « in_progress » ; terminez-la d'abord"):
        record_label_decision(db, visit_id=in_progress, decided_on=DECIDED, outcome="granted")
    conseil = visits.create_visit(db, establishment_id=est, kind="th_conseil", grid_id="TH-EXEMPLE-TEST",
                                  typology="restauration").value
    with pytest.raises(ServiceError, match="visite-conseil"):
        record_label_decision(db, visit_id=conseil, decided_on=DECIDED, outcome="granted")
    submitted = th_visit(db, est)
    with pytest.raises(ServiceError, match="précède la visite"):
        record_label_decision(db, visit_id=submitted, decided_on=VISITED - dt.timedelta(days=1), outcome="granted",
                              refusal_reason="x")
    record_label_decision(db, visit_id=submitted, decided_on=DECIDED, outcome="granted", refusal_reason="x")
    with pytest.raises(ServiceError, match="Une décision a déjà été enregistrée"):
        record_label_decision(db, visit_id=submitted, decided_on=DECIDED, outcome="granted", refusal_reason="x")
    with pytest.raises(ServiceError, match="introuvable"):
        record_label_decision(db, visit_id="nope", decided_on=DECIDED, outcome="granted")


# ----- Accueil Vélo and Chambre d'hôtes Référence ---------------------------------------------------------------


def test_accueil_velo_granted_for_three_years(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Chambres d'hôtes « Les Galets »", commune="Wissant")
    vid = av_visit(db, est)
    with pytest.raises(ServiceError, match="Les familles ne concernent que Tourisme & Handicap"):
        record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted", families={"auditif": "granted"})
    decision = record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted").value
    assert decision.status == "acquired" and decision.number == "AV-2026-001" and decision.proposal == "granted"
    assert decision.valid_until == dt.date(2029, 3, 11) and decision.validity_years == 3
    with db.session() as s:
        label = s.scalar(select(EstablishmentLabel).where(EstablishmentLabel.establishment_id == est))
        assert (label.label, label.typology, label.families) == ("accueil_velo", "hebergement", [])
        assert label.valid_until == dt.date(2029, 3, 11)
        assert s.scalar(select(Decision.subject).where(Decision.visit_id == vid)) == "accueil_velo"
    assert _visit(db, vid).state == "acquired"


def test_accueil_velo_is_held_per_typology(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Camping et location de vélos des Dunes", kind="camping", commune="Wissant")
    record_label_decision(db, visit_id=av_visit(db, est), decided_on=DECIDED, outcome="granted")
    loueur = visits.create_visit(db, establishment_id=est, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                                 typology="loueur", context={"distance_to_route_km": 0.4, "typology": "loueur"}).value
    visits.start_visit(db, visit_id=loueur, visited_on=VISITED)
    for code in ("AV1", "AV2", "AV4", "AV5"):
        visits.record_answer(db, visit_id=loueur, criterion=code, value="yes")
    visits.complete_visit(db, visit_id=loueur)
    assert record_label_decision(db, visit_id=loueur, decided_on=DECIDED, outcome="granted").value.number \
        == "AV-2026-002"
    assert sorted(h.typology for h in labels_of(db, est, on=DECIDED)) == ["hebergement", "loueur"]


def test_accueil_velo_refusal_and_departure_rules(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Jardin des Dunes", kind="site", commune="Merlimont")
    failing = av_visit(db, est, answers={"AV1": "no", "AV2": "yes", "AV3": "yes", "AV4": "yes", "AV5": "yes"})
    with pytest.raises(ServiceError, match="décision « accordé » alors que le calcul propose « refusé »"):
        record_label_decision(db, visit_id=failing, decided_on=DECIDED, outcome="granted")
    with pytest.raises(ServiceError, match="indiquez le motif du refus"):
        record_label_decision(db, visit_id=failing, decided_on=DECIDED, outcome="refused")
    refused = record_label_decision(db, visit_id=failing, decided_on=DECIDED, outcome="refused",
                                    refusal_reason="Pas d'abri vélo sécurisé.").value
    assert refused.status == "refused" and refused.valid_until is None
    v = _visit(db, failing)
    assert v.state == "refused" and v.refusal_reason == "Pas d'abri vélo sécurisé."
    assert labels_of(db, est) == []


def test_chambre_hotes_reference_grants_a_label_valid_until_its_end(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Chambres d'hôtes « Le Blanc-Nez »", rooms=3, capacity=6)
    vid = chr_visit(db, est)
    decision = record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted",
                                     decided_by="Commission départementale").value
    end = dt.date(2031, 3, 11)  # the CHR test grid says 5 years
    assert decision.number == "CHR-2026-001" and decision.subject == "chr" and decision.valid_until == end
    with db.session() as s:
        assert s.scalar(select(Decision.subject).where(Decision.visit_id == vid)) == "chr"
    # The Accueil Vélo prerequisite (accommodation classified or labelled) can now rely on it.
    assert holds_label(db, est, "chambre_hotes_reference", DECIDED)
    assert holds_label(db, est, "chambre_hotes_reference", end)
    assert not holds_label(db, est, "chambre_hotes_reference", end + dt.timedelta(days=1))
    assert not holds_label(db, est, "chambre_hotes_reference", DECIDED - dt.timedelta(days=1))
    assert [h.label for h in labels_of(db, est, on=dt.date(2028, 1, 1))] == ["chambre_hotes_reference"]
    # A second qualification the same year takes the next number.
    other = add_establishment(db, name="Chambres d'hôtes « La Falaise »", owner="Marc Lefebvre", rooms=2, capacity=4)
    assert record_label_decision(db, visit_id=chr_visit(db, other), decided_on=DECIDED,
                                 outcome="granted").value.number == "CHR-2026-002"


def test_a_renewal_replaces_the_previous_validity(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Chambres d'hôtes « Le Blanc-Nez »", rooms=3, capacity=6)
    record_label_decision(db, visit_id=chr_visit(db, est), decided_on=DECIDED, outcome="granted")
    with db.session() as s:
        first = s.scalar(select(EstablishmentLabel))
        first_id, first_version = first.id, first.row_version
    renewal = chr_visit(db, est, visited_on=dt.date(2031, 1, 15))
    decision = record_label_decision(db, visit_id=renewal, decided_on=dt.date(2031, 2, 3), outcome="granted").value
    assert decision.number == "CHR-2031-001"
    with db.session() as s:
        rows = s.scalars(select(EstablishmentLabel)).all()
        assert len(rows) == 1 and rows[0].id == first_id and rows[0].row_version == first_version + 1
        assert (rows[0].valid_from, rows[0].valid_until) == (dt.date(2031, 2, 3), dt.date(2036, 2, 2))
        assert "label.renew" in set(s.scalars(select(AuditEntry.action)))


# ----- command line ---------------------------------------------------------------------------------------------


def run_cli(db: Database, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", "--data-dir", str(db.path.parent), *args],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=60)


def test_cli_decide(db: Database, grids: None) -> None:
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    vid = th_visit(db, est)
    bad = run_cli(db, "decide", vid, "--outcome", "granted", "--family", "moteur=granted", "--date", "2026-03-12")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "famille Moteur accordée alors que le calcul propose « refusé »" in bad.stderr
    assert run_cli(db, "decide", vid, "--outcome", "granted", "--date", "12/03/2026").returncode == 2
    assert "forme FAMILLE=ISSUE" in run_cli(db, "decide", vid, "--outcome", "granted", "--family", "moteur",
                                            "--date", "2026-03-12").stderr
    ok = run_cli(db, "decide", vid[:8], "--outcome", "granted", "--family", "moteur=refused:Porte de 72 cm",
                 "--date", "2026-03-12", "--decided-by", "Commission territoriale")
    assert ok.returncode == 0, ok.stderr
    assert "Décision n° TH-2026-001 du 12/03/2026 enregistrée : attribué." in ok.stdout
    assert "Moteur : refusé — motif : Porte de 72 cm" in ok.stdout
    assert "Valable du 12/03/2026 au 11/03/2031 inclus." in ok.stdout
    again = run_cli(db, "decide", vid, "--outcome", "granted", "--date", "2026-03-12")
    assert again.returncode == 2 and "Une décision a déjà été enregistrée" in again.stderr


def test_the_evaluation_report_shows_the_decision(db: Database, grids: None) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    from inspector.services.documents import render

    def text(pdf: bytes) -> str:
        return " ".join(" ".join((p.extract_text() or "") for p in PdfReader(BytesIO(pdf)).pages).split())

    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    vid = th_visit(db, est)
    submitted = text(render(db, vid, "label", issued_on=DECIDED))  # a submitted evaluation is complete
    assert "Proposition d'attribution pour les familles : Auditif, Visuel." in submitted
    assert "Décision n°" not in submitted
    record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted", decided_by="Commission territoriale",
                          families={"moteur": {"outcome": "granted", "motivation": "Services substitutifs."}})
    decided = text(render(db, vid, "label", issued_on=DECIDED))
    assert "Décision n° TH-2026-001 du 12/03/2026 (Commission territoriale) : attribution." in decided
    assert "Label Tourisme & Handicap attribué pour 3 famille(s) : Moteur, Auditif, Visuel." in decided
    assert "Moteur : accordée — s'écarte de la proposition : Services substitutifs." in decided
    assert "Valable du 12/03/2026 au 11/03/2031 inclus." in decided
