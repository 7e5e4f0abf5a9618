"""The labels commission on a real database: sessions, agenda of submitted dossiers, decisions, closing, CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspector.db.database import Database
from inspector.db.models import AuditEntry, CommissionItem, CommissionSession, Decision, EstablishmentLabel, Visit
from inspector.services import commission, visits
from inspector.services.common import ServiceError
from inspector.services.label_decisions import labels_of
from tests.test_label_decisions import (
    add_agency,
    add_establishment,
    chr_visit,
    install_grids,
    run_cli,
    th_visit,
)

HELD = dt.date(2026, 3, 12)
NEXT = dt.date(2026, 6, 18)
MEMBERS = [
    {"name": "Claire Dumont", "body": "Agence d'attractivité (fictive)", "college": "tourism"},
    {"name": "Paul Lefebvre", "body": "Office de tourisme d'Arras (fictif)", "college": "tourism", "present": False},
    {"name": "Nadia Bensaïd", "body": "APF France handicap (délégation fictive)", "college": "disability"},
    {"name": "Marc Hennebelle", "body": "UNAPEI (fictive)", "college": "disability"},
    {"name": "Hélène Roy", "body": "DDETS du Pas-de-Calais (fictive)", "college": "state"},
]
MOTEUR_REFUSED = {"moteur": {"outcome": "refused", "refusal_reason": "Porte d'entrée de 72 cm (77 cm exigés)."}}


@pytest.fixture
def grids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install_grids(monkeypatch, tmp_path / "test-grids")


def submitted_chr(db: Database, name: str = "Chambres d'hôtes « Le Blanc-Nez »") -> str:
    est = add_establishment(db, name=name, rooms=3, capacity=6, declaration_number="CH-62-0042")
    vid = chr_visit(db, est)
    visits.submit_visit(db, visit_id=vid)
    return vid


def new_session(db: Database, held_on: dt.date = HELD, **kw) -> str:
    return commission.create_session(db, held_on=held_on, place="Maison du tourisme, Arras", chair="Claire Dumont",
                                     members=MEMBERS, **kw).value


def _count(db: Database, model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_session_create_update_and_list(db: Database, grids: None) -> None:
    sid = new_session(db, notes="Séance de printemps")
    info = commission.get_session(db, sid)
    assert info.status == "planned" and info.labels == commission.DEFAULT_LABELS
    assert info.members[1] == commission.Member("Paul Lefebvre", "Office de tourisme d'Arras (fictif)", "tourism",
                                                False)
    assert info.item_count == 0 and info.minutes_path == ""
    with pytest.raises(ServiceError, match="collège « jury » inconnu"):
        commission.create_session(db, held_on=HELD, place="Arras", members=[{"name": "X", "college": "jury"}])
    with pytest.raises(ServiceError, match="Membre n° 1 : le nom manque"):
        commission.update_session(db, session_id=sid, members=[{"name": " "}])
    with pytest.raises(ServiceError, match="lieu de la séance manque"):
        commission.create_session(db, held_on=HELD, place=" ")
    with pytest.raises(ServiceError, match="Label « hotel » inconnu"):
        commission.create_session(db, held_on=HELD, place="Arras", labels=["hotel"])
    commission.update_session(db, session_id=sid, place="Hôtel du Département, Arras", labels=["tourisme_handicap"],
                              members=[commission.Member("Claire Dumont", college="tourism")], user_id="u-1")
    info = commission.get_session(db, sid)
    assert info.place == "Hôtel du Département, Arras" and info.labels == ("tourisme_handicap",)
    assert [m.name for m in info.members] == ["Claire Dumont"] and info.notes == "Séance de printemps"
    later = new_session(db, NEXT)
    assert [x.id for x in commission.list_sessions(db)] == [later, sid]  # newest first
    with db.session() as s:
        assert s.get(CommissionSession, sid).pending_sync
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.user_id == "u-1")) == "commission.update"


def test_agenda_from_submitted_dossiers_only(db: Database, grids: None) -> None:
    add_agency(db)
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    th = th_visit(db, est)
    not_submitted = th_visit(db, add_establishment(db, name="Musée", kind="site", commune="Arras"), submit=False)
    chr_ = submitted_chr(db)
    chr_completed = chr_visit(db, add_establishment(db, name="Les Tilleuls"))
    assert set(commission.pending_dossiers(db)) == {th, chr_}
    assert commission.pending_dossiers(db, labels=["tourisme_handicap"]) == [th]
    sid = new_session(db)
    added = commission.build_agenda(db, session_id=sid).value
    assert len(added) == 2 and commission.build_agenda(db, session_id=sid).value == []  # idempotent
    items = commission.agenda(db, sid)
    assert [i.visit_id for i in items] == [th, chr_] and [i.position for i in items] == [1, 2]
    first = items[0]
    assert first.establishment_name == "Brasserie « Le Beffroi »" and first.commune == "Arras"
    assert first.label == "tourisme_handicap" and set(first.families) == {"auditif", "moteur", "visuel"}
    assert first.proposal == "Proposé : Auditif, Visuel ; non : Moteur" and first.decision is None
    assert items[1].proposal == "Proposé : accordé" and items[1].families == ()
    assert not_submitted not in [i.visit_id for i in items] and chr_completed not in [i.visit_id for i in items]
    # On the agenda of an open session: not pending any more, not taken by another session.
    assert commission.pending_dossiers(db) == []
    other = new_session(db, NEXT)
    assert commission.build_agenda(db, session_id=other).value == []
    with pytest.raises(ServiceError, match="attend déjà à l'ordre du jour d'une autre séance"):
        commission.add_to_agenda(db, session_id=other, visit_id=th)
    with pytest.raises(ServiceError, match="n'est pas soumis"):
        commission.add_to_agenda(db, session_id=other, visit_id=not_submitted)
    # Removed from the first, it can go on the second.
    commission.remove_from_agenda(db, item_id=items[1].id)
    assert commission.pending_dossiers(db) == [chr_]
    commission.add_to_agenda(db, session_id=other, visit_id=chr_)
    assert [i.visit_id for i in commission.agenda(db, other)] == [chr_]
    assert commission.get_session(db, sid).item_count == 1


def test_decide_per_family_sets_labels_and_departure_needs_motivation(db: Database, grids: None) -> None:
    add_agency(db)
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    th = th_visit(db, est)
    sid = new_session(db)
    commission.build_agenda(db, session_id=sid)
    item = commission.agenda(db, sid)[0]
    assert item.visit_id == th
    with pytest.raises(ServiceError, match="famille Moteur accordée alors que le calcul propose « refusé »"):
        commission.decide_item(db, item_id=item.id, outcome="granted", families={"moteur": "granted"})
    assert _count(db, Decision) == 0 and commission.get_session(db, sid).status == "planned"
    result = commission.decide_item(db, item_id=item.id, outcome="granted", families=MOTEUR_REFUSED, user_id="u-2")
    decision = result.value
    assert decision.status == "acquired" and decision.number == "TH-2026-001"
    assert decision.decided_on == HELD and decision.decided_by == "Commission du 12/03/2026"
    assert set(decision.families) == {"auditif", "visuel"} and decision.valid_until == dt.date(2031, 3, 11)
    assert {"decisions", "commission_items", "commission_sessions", "establishment_labels"} <= set(
        result.changed.rows)
    held = labels_of(db, est)
    assert len(held) == 1 and set(held[0].families) == {"auditif", "visuel"} and held[0].valid_from == HELD
    with db.session() as s:
        assert s.get(CommissionItem, item.id).decision_id == decision.id
        assert s.scalar(select(EstablishmentLabel.pending_sync)) is True
    info = commission.get_session(db, sid)
    assert info.status == "held" and info.decided_count == 1
    again = commission.agenda(db, sid)[0]
    assert again.decision.number == "TH-2026-001" and again.proposal == "Proposé : Auditif, Visuel ; non : Moteur"
    with pytest.raises(ServiceError, match="déjà décidé"):
        commission.decide_item(db, item_id=item.id, outcome="granted")
    with pytest.raises(ServiceError, match="reçu sa décision"):
        commission.remove_from_agenda(db, item_id=item.id)
    with pytest.raises(ServiceError, match="la date de la séance ne peut plus changer"):
        commission.update_session(db, session_id=sid, held_on=NEXT)


def test_substitutive_services_granted_with_motivation(db: Database, grids: None) -> None:
    add_agency(db)
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    th_visit(db, est)
    sid = new_session(db)
    commission.build_agenda(db, session_id=sid)
    item = commission.agenda(db, sid)[0]
    decision = commission.decide_item(db, item_id=item.id, outcome="granted", families={
        "moteur": {"outcome": "granted", "motivation": "Services substitutifs : rampe amovible et sonnette."}}).value
    moteur = next(f for f in decision.family_decisions if f.code == "moteur")
    assert moteur.departs and moteur.motivation.startswith("Services substitutifs")
    assert set(labels_of(db, est)[0].families) == {"auditif", "moteur", "visuel"}


def test_adjourned_dossier_comes_back_and_close_needs_every_decision(db: Database, grids: None) -> None:
    add_agency(db)
    th = th_visit(db, add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras"))
    chr_ = submitted_chr(db)
    sid = new_session(db)
    commission.build_agenda(db, session_id=sid)
    th_item, chr_item = commission.agenda(db, sid)
    assert (th_item.visit_id, chr_item.visit_id) == (th, chr_)
    th_item, chr_item = commission.agenda(db, sid)
    commission.decide_item(db, item_id=th_item.id, outcome="adjourned",
                           motivation="Attestation de conformité de la boucle magnétique attendue.")
    with pytest.raises(ServiceError) as err:
        commission.close_session(db, session_id=sid)
    assert "1 dossier(s) sans décision" in str(err.value) and "Le Blanc-Nez" in str(err.value)
    assert commission.get_session(db, sid).status == "held"
    commission.decide_item(db, item_id=chr_item.id, outcome="granted")
    # The adjourned dossier is pending again (decided here), the granted one is not.
    assert commission.pending_dossiers(db) == [th]
    commission.close_session(db, session_id=sid, user_id="u-3")
    info = commission.get_session(db, sid)
    assert info.status == "closed" and info.closed_at is not None
    assert Path(info.minutes_path).is_file() and len(info.minutes_sha256) == 64
    assert commission.minutes_pdf(db, sid) == Path(info.minutes_path).read_bytes()
    with pytest.raises(ServiceError, match="est close"):
        commission.update_session(db, session_id=sid, place="Ailleurs")
    with pytest.raises(ServiceError, match="est close"):
        commission.build_agenda(db, session_id=sid)
    with pytest.raises(ServiceError, match="déjà close"):
        commission.close_session(db, session_id=sid)
    nxt = new_session(db, NEXT)
    assert [commission.agenda(db, nxt)[i].visit_id for i in range(len(commission.build_agenda(
        db, session_id=nxt).value))] == [th]
    item = commission.agenda(db, nxt)[0]
    decision = commission.decide_item(db, item_id=item.id, outcome="granted", families=MOTEUR_REFUSED).value
    assert decision.number == "TH-2026-002" and decision.decided_on == NEXT
    with db.session() as s:
        assert s.get(Visit, th).state == "acquired"


def test_chr_only_on_sessions_that_examine_it(db: Database, grids: None) -> None:
    chr_ = submitted_chr(db)
    sid = new_session(db, labels=["tourisme_handicap"])
    assert commission.build_agenda(db, session_id=sid).value == []
    with pytest.raises(ServiceError, match="n'examine pas la qualification Chambre d'hôtes Référence"):
        commission.add_to_agenda(db, session_id=sid, visit_id=chr_)
    commission.update_session(db, session_id=sid, labels=["tourisme_handicap", "chambre_hotes_reference"])
    assert len(commission.build_agenda(db, session_id=sid).value) == 1
    with pytest.raises(ServiceError, match="retirez-les de l'ordre du jour"):
        commission.update_session(db, session_id=sid, labels=["tourisme_handicap"])


def test_dossier_has_everything_on_one_screen(db: Database, grids: None) -> None:
    add_agency(db)
    est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras",
                            owner="Karim Benali")
    th = th_visit(db, est)
    d = commission.dossier(db, th)
    assert d.establishment["name"] == "Brasserie « Le Beffroi »" and d.establishment["owner"] == "Karim Benali"
    assert d.label == "tourisme_handicap" and d.visit_kind == "th_primo" and d.submitted_at is not None
    assert d.grid.startswith("TH-EXEMPLE-TEST ") and d.opinion.startswith("Accueil attentif")
    assert d.sworn_statement.startswith("Déclaration sur l'honneur du 20/02/2026")
    fams = {f["code"]: f for f in d.families}
    assert fams["moteur"]["proposal"] == "refused" and fams["moteur"]["failed"] == [
        ("T1", "Porte d'entrée de largeur utile suffisante")]
    assert fams["auditif"]["proposal"] == "granted" and "proposé" in fams["auditif"]["summary"]
    assert d.previous_labels == () and d.decision is None and d.report_path == "" and d.photos == ()


def test_commission_labels_setting_adds_accueil_velo(db: Database, grids: None) -> None:
    from inspector.db.models import Setting

    with db.session() as s:
        s.add(Setting(key="commission_labels", value=["tourisme_handicap", "accueil_velo"]))
        s.commit()
    assert commission.commission_labels(db) == ("tourisme_handicap", "accueil_velo")
    assert commission.get_session(db, commission.create_session(db, held_on=HELD, place="Arras").value).labels == (
        "tourisme_handicap", "accueil_velo")


def test_cli_list_show_minutes(db: Database, grids: None, tmp_path: Path) -> None:
    add_agency(db)
    th_visit(db, add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras"))
    sid = new_session(db)
    commission.build_agenda(db, session_id=sid)
    listed = run_cli(db, "commission", "list")
    assert listed.returncode == 0, listed.stderr
    assert "12/03/2026" in listed.stdout and sid[:8] in listed.stdout and "prévue" in listed.stdout
    shown = run_cli(db, "commission", "show", sid[:8])
    assert shown.returncode == 0, shown.stderr
    assert "Brasserie « Le Beffroi »" in shown.stdout and "Proposé : Auditif, Visuel ; non : Moteur" in shown.stdout
    out = tmp_path / "pv.pdf"
    made = run_cli(db, "commission", "minutes", sid[:8], "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert out.read_bytes().startswith(b"%PDF") and "projet" in made.stdout.lower()
    missing = run_cli(db, "commission", "show", "zzzz")
    assert missing.returncode == 2 and "introuvable" in missing.stderr and "Traceback" not in missing.stderr
