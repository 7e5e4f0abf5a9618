"""Meublé decisions end to end: sent → received → refusal within 15 days or acquisition on the 16th day → numbered
décision PDF, 5-year validity and renewal reminder; radiation (R324-7); the definitive list; the CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from inspector.db.database import Database
from inspector.db.models import AuditEntry, Decision, Establishment, Owner, Visit
from inspector.demo import s1_wimereux_studio
from inspector.services import deadlines, documents, meuble_decisions, queries, visits
from inspector.services.common import ServiceError
from tests.test_visit_services import add_establishment, answer_all

TODAY = dt.date(2026, 11, 25)
ROOT = Path(__file__).resolve().parents[1]


def studio(db: Database, *, category: int | None = None, valid_until: dt.date | None = None) -> str:
    """The S1 studio in Wimereux (capacity 2), with an owner reachable by e-mail and phone, and a mandataire."""
    est = add_establishment(db, address="12 rue de la Plage", postcode="62930", current_category=category,
                            category_valid_until=valid_until)
    with db.session() as s:
        owner = s.get(Owner, s.get(Establishment, est).owner_id)
        owner.email, owner.phone, owner.mandataire_name = "dufour@example.fr", "03 21 00 00 00", "Conciergerie Opale"
        s.commit()
    return est


def completed_visit(db: Database, est: str, kind: str = "classement", day: dt.date = TODAY) -> str:
    vid = visits.create_visit(db, establishment_id=est, kind=kind, requested_category=2, planned_on=day).value
    s1 = s1_wimereux_studio()
    visits.set_context(db, visit_id=vid, context=s1["context"])
    visits.set_measurements(db, visit_id=vid, rooms=s1["surfaces"]["rooms"], beds=s1["surfaces"]["beds"])
    answer_all(db, vid, s1["answers"])
    visits.start_visit(db, visit_id=vid, visited_on=day)
    visits.complete_visit(db, visit_id=vid)
    return vid


def issued_and_received(db: Database, est: str, received_on: dt.date, kind: str = "classement",
                        day: dt.date = TODAY) -> str:
    """A visit made, its certificat issued and sent on `day`, received by the owner on `received_on`."""
    vid = completed_visit(db, est, kind, day)
    documents.issue_document(db, visit_id=vid, kind="certificat", issued_on=day)
    visits.record_sent(db, visit_id=vid, sent_on=day)
    visits.record_receipt(db, visit_id=vid, received_on=received_on)
    return vid


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(path.read_bytes())).pages)


def test_without_refusal_acquired_on_the_16th_day_numbered_valid_five_years_and_renewal_listed(db: Database) -> None:
    est = studio(db)
    vid = completed_visit(db, est)
    documents.issue_document(db, visit_id=vid, kind="certificat", issued_on=TODAY)
    with pytest.raises(ServiceError, match=r"La date d'envoi \(24/11/2026\) précède l'émission"):
        visits.record_sent(db, visit_id=vid, sent_on=TODAY - dt.timedelta(days=1))
    visits.record_sent(db, visit_id=vid, sent_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ServiceError, match="précède son envoi"):
        visits.record_receipt(db, visit_id=vid, received_on=TODAY)
    received = TODAY + dt.timedelta(days=3)  # 28/11/2026: window closes 13/12, acquired 14/12
    visits.record_receipt(db, visit_id=vid, received_on=received)

    assert meuble_decisions.acquire_due(db, today=received + dt.timedelta(days=15)).value == []
    res = meuble_decisions.acquire_due(db, today=received + dt.timedelta(days=16))
    [acq] = res.value
    acquired_on = dt.date(2026, 12, 14)
    number = f"DC-2026-{vid[:8].upper()}"
    assert (acq.visit_id, acq.category, acq.acquired_on, acq.number) == (vid, 2, acquired_on, number)
    assert acq.valid_until == dt.date(2031, 12, 13)  # 5 years less one day
    assert {"visits", "establishments", "decisions"} <= set(res.changed.rows)
    assert meuble_decisions.acquire_due(db, today=received + dt.timedelta(days=40)).value == []  # acquired once
    with db.session() as s:
        d = s.scalar(select(Decision).where(Decision.visit_id == vid))
        assert (d.status, d.number, d.category, d.decided_on, d.valid_until) == ("acquired", number, 2, acquired_on,
                                                                                 acq.valid_until)
        assert d.details["capacity"] == 2
        e = s.get(Establishment, est)
        assert (e.current_category, e.category_valid_until) == (2, dt.date(2031, 12, 13))

    six_months_before = deadlines.add_months(acq.valid_until, -6)
    assert [r.id for r in queries.renewals_due(db, today=six_months_before, months=6)] == [vid]
    assert queries.renewals_due(db, today=six_months_before - dt.timedelta(days=1), months=6) == []

    doc = documents.issue_document(db, visit_id=vid, kind="decision", issued_on=acquired_on).value
    text = pdf_text(doc.path)
    assert f"Décision n° {number}" in text
    assert "Capacité d'accueil 2 personnes" in text and "★★ 2 étoiles" in text
    assert "Date de classement 14/12/2026" in text and "Valable jusqu'au 13/12/2031 inclus" in text

    [row] = meuble_decisions.meuble_decisions(db, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))
    assert (row.number, row.decided_on, row.category, row.stars, row.capacity) == (number, acquired_on, 2, "★★", 2)
    assert (row.owner, row.owner_email, row.owner_phone, row.mandataire) == (
        "Dufour", "dufour@example.fr", "03 21 00 00 00", "Conciergerie Opale")
    assert (row.address, row.postcode, row.commune, row.visit_kind) == ("12 rue de la Plage", "62930", "Wimereux",
                                                                        "classement")
    assert meuble_decisions.meuble_decisions(db, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)) == []
    with pytest.raises(ServiceError, match="Période invalide"):
        meuble_decisions.meuble_decisions(db, start=dt.date(2026, 12, 31), end=dt.date(2026, 12, 1))


def test_with_refusal_the_previous_classement_is_untouched(db: Database) -> None:
    est = studio(db, category=1, valid_until=dt.date(2027, 3, 31))  # classified 1★ before (imported)
    vid = issued_and_received(db, est, TODAY, kind="renouvellement")
    with pytest.raises(ServiceError, match=r"Refus hors délai .* 10/12/2026"):  # the 16th day is too late
        visits.record_refusal(db, visit_id=vid, refused_on=TODAY + dt.timedelta(days=16), reason="trop tard")
    with pytest.raises(ServiceError, match="précède la réception"):
        visits.record_refusal(db, visit_id=vid, refused_on=TODAY - dt.timedelta(days=1), reason="avant")
    res = visits.record_refusal(db, visit_id=vid, refused_on=TODAY + dt.timedelta(days=15), reason="Souhaitait 3★")
    assert {"visits", "decisions"} <= set(res.changed.rows) and "establishments" not in res.changed
    assert meuble_decisions.acquire_due(db, today=TODAY + dt.timedelta(days=40)).value == []
    with db.session() as s:
        assert s.get(Visit, vid).state == "refused"
        d = s.scalar(select(Decision).where(Decision.visit_id == vid))
        assert (d.status, d.category, d.decided_on, d.reason, d.number) == (
            "refused", 2, dt.date(2026, 12, 10), "Souhaitait 3★", "")
        e = s.get(Establishment, est)
        assert (e.current_category, e.category_valid_until) == (1, dt.date(2027, 3, 31))
    assert meuble_decisions.meuble_decisions(db, start=TODAY, end=TODAY + dt.timedelta(days=60)) == []


def test_a_receipt_recorded_late_acquires_at_once(db: Database) -> None:
    est = studio(db)
    vid = completed_visit(db, est)
    documents.issue_document(db, visit_id=vid, kind="certificat", issued_on=TODAY)
    later = TODAY + dt.timedelta(days=30)
    with pytest.raises(ServiceError, match="dans le futur"):
        meuble_decisions.record_receipt_and_acquire(db, visit_id=vid, received_on=later, today=TODAY)
    res = meuble_decisions.record_receipt_and_acquire(db, visit_id=vid, received_on=TODAY, today=later)
    assert [a.visit_id for a in res.value] == [vid] and "establishments" in res.changed
    with db.session() as s:
        assert s.get(Visit, vid).acquired_on == deadlines.acquired_on(TODAY)


def test_a_superseded_revision_is_never_acquired(db: Database) -> None:
    est = studio(db)
    vid = issued_and_received(db, est, TODAY)
    new = visits.open_revision(db, visit_id=vid, reason="Erreur de surface").value
    assert meuble_decisions.acquire_due(db, today=TODAY + dt.timedelta(days=30)).value == []
    with db.session() as s:
        assert s.get(Visit, vid).state == "issued" and s.get(Visit, new).state == "in_progress"
        assert s.get(Establishment, est).current_category is None


def test_an_acquired_renewal_ends_the_reminder_of_the_old_classement(db: Database) -> None:
    est = studio(db)
    old = issued_and_received(db, est, TODAY)
    meuble_decisions.acquire_due(db, today=TODAY + dt.timedelta(days=16))
    with db.session() as s:
        old_until = s.get(Visit, old).valid_until
    reminder_day = deadlines.add_months(old_until, -5)
    assert [r.id for r in queries.renewals_due(db, today=reminder_day)] == [old]
    renewal = issued_and_received(db, est, TODAY + dt.timedelta(days=1), kind="renouvellement")
    meuble_decisions.acquire_due(db, today=TODAY + dt.timedelta(days=17))
    assert [r.id for r in queries.renewals_due(db, today=reminder_day)] == [renewal]  # only the newest classement
    with db.session() as s:
        assert s.get(Visit, renewal).previous_visit_id == old


def test_number_collision_takes_a_longer_number_and_the_pdf_prints_the_stored_one(db: Database) -> None:
    est = studio(db)
    vid = issued_and_received(db, est, TODAY)
    with db.session() as s:  # another visit's decision (another laptop) already has the short number
        s.add(Decision(establishment_id=est, subject="meuble_category", status="acquired", category=1,
                       decided_on=TODAY, number=f"DC-2026-{vid[:8].upper()}"))
        s.commit()
    [acq] = meuble_decisions.acquire_due(db, today=TODAY + dt.timedelta(days=16)).value
    assert acq.number == meuble_decisions.decision_number(vid, 2026, length=12) and len(acq.number) == 20
    doc = documents.issue_document(db, visit_id=vid, kind="decision", issued_on=TODAY + dt.timedelta(days=16)).value
    assert f"Décision n° {acq.number}" in pdf_text(doc.path)


def test_radiation_clears_the_classement_keeps_the_history_and_ends_the_reminder(db: Database) -> None:
    est = studio(db)
    with pytest.raises(ServiceError, match="n'a pas de classement en cours"):
        meuble_decisions.record_radiation(db, establishment_id=est, radiated_on=TODAY, reason="défaut d'entretien")
    vid = issued_and_received(db, est, TODAY)
    [acq] = meuble_decisions.acquire_due(db, today=TODAY + dt.timedelta(days=16)).value
    radiated_on = dt.date(2029, 3, 2)
    with pytest.raises(ServiceError, match="motif de la radiation"):
        meuble_decisions.record_radiation(db, establishment_id=est, radiated_on=radiated_on, reason="  ")
    with pytest.raises(ServiceError, match="précède le classement en cours, acquis le 11/12/2026"):
        meuble_decisions.record_radiation(db, establishment_id=est, radiated_on=TODAY, reason="x")
    with pytest.raises(ServiceError, match="a expiré le 10/12/2031"):
        meuble_decisions.record_radiation(db, establishment_id=est, radiated_on=dt.date(2032, 1, 5), reason="x")
    with db.session() as s:
        version = s.get(Establishment, est).row_version
    res = meuble_decisions.record_radiation(db, establishment_id=est, radiated_on=radiated_on,
                                            reason="Défaut grave d'entretien", reference="Arrêté n° 2029-44")
    r = res.value
    assert (r.category, r.radiated_on, r.visit_id, r.reference) == (2, radiated_on, vid, "Arrêté n° 2029-44")
    assert res.changed.rows == {"decisions": {r.decision_id}, "establishments": {est}}
    with db.session() as s:
        e = s.get(Establishment, est)
        assert (e.current_category, e.category_valid_until, e.pending_sync) == (None, None, True)
        assert e.row_version == version + 1
        d = s.get(Decision, r.decision_id)
        assert (d.subject, d.status, d.category, d.decided_on, d.reason, d.details) == (
            "meuble_category", "radiated", 2, radiated_on, "Défaut grave d'entretien",
            {"reference": "Arrêté n° 2029-44"})
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "establishment.radiated"))
        assert entry.details["before"] == {"current_category": 2, "category_valid_until": "2031-12-10"}
    assert meuble_decisions.last_radiation(db, est) == r
    assert queries.renewals_due(db, today=deadlines.add_months(acq.valid_until, -3)) == []
    with pytest.raises(ServiceError, match="rien à radier"):
        meuble_decisions.record_radiation(db, establishment_id=est, radiated_on=radiated_on, reason="encore")
    # the classement stays in the definitive list of the month it became definitive
    assert [x.number for x in meuble_decisions.meuble_decisions(db, start=acq.acquired_on,
                                                                 end=acq.acquired_on)] == [acq.number]


# ----- the command line -------------------------------------------------------------------------------------------


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", "--data-dir", str(data), "decisions", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_refresh_list_and_radiate(db: Database) -> None:
    est = studio(db)
    vid = issued_and_received(db, est, dt.date(2026, 9, 3), day=dt.date(2026, 9, 1))
    data = db.path.parent
    db.close()
    number = f"DC-2026-{vid[:8].upper()}"

    out = cli(data, "refresh", "--today", "2026-09-18")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("0 classement(s) acquis au 18/09/2026")
    out = cli(data, "refresh", "--today", "2026-09-19")
    assert out.returncode == 0, out.stderr
    assert "1 classement(s) acquis au 19/09/2026" in out.stdout
    assert f"{number}  2★  acquis le 19/09/2026, valable jusqu'au 18/09/2031 — Studio Dufour, Wimereux" in out.stdout

    out = cli(data, "list", "--month", "2026-09")
    assert out.returncode == 0, out.stderr
    assert "du 01/09/2026 au 30/09/2026 : 1" in out.stdout
    assert number in out.stdout and "2 pers." in out.stdout and "mandataire : Conciergerie Opale" in out.stdout
    out = cli(data, "list", "--from", "2026-09-01", "--to", "2026-09-30", "--json")
    assert out.returncode == 0 and '"number": "' + number + '"' in out.stdout

    for args, message in [
        (("list",), "indiquez la période"),
        (("list", "--month", "2026-13"), "--month « 2026-13 » : mois invalide"),
        (("list", "--from", "2026-12-31", "--to", "2026-12-01"), "Période invalide"),
        (("refresh", "--today", "demain"), "--today « demain » : date invalide"),
        (("radiate", "zzzz", "--date", "2026-11-25", "--reason", "x"), "établissement « zzzz » introuvable"),
        (("radiate", est[:8], "--date", "2099-01-01", "--reason", "x"), "ne peut pas être dans le futur"),
        (("radiate", est[:8], "--date", "2026-09-10", "--reason", "x"), "précède le classement en cours"),
    ]:
        out = cli(data, *args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert message in out.stderr and "Traceback" not in out.stderr, (args, out.stderr)

    out = cli(data, "radiate", est[:8], "--date", "2026-11-20", "--reason", "Défaut grave d'entretien",
              "--reference", "AP 2026-11")
    assert out.returncode == 0, out.stderr
    assert "Radiation enregistrée le 20/11/2026 (arrêté AP 2026-11) : classement 2★ retiré" in out.stdout
    out = cli(data, "radiate", est[:8], "--date", "2026-11-21", "--reason", "encore")
    assert out.returncode == 2 and "pas de classement en cours" in out.stderr


def test_two_laptops_acquiring_offline_write_identical_rows(db: Database, tmp_path: Path) -> None:
    """Every laptop acquires at start: the same classement acquired on two laptops is one decision once synced."""
    import shutil
    import time

    from inspector.db.database import open_database

    est = studio(db)
    vid = issued_and_received(db, est, TODAY)
    db.engine.dispose()
    other_dir = tmp_path / "laptop-b"
    other_dir.mkdir()
    shutil.copy(db.path, other_dir / "inspector.sqlite")
    other = open_database(other_dir / "inspector.sqlite")
    try:
        meuble_decisions.acquire_due(db, today=TODAY + dt.timedelta(days=16))
        time.sleep(0.05)  # a different moment on the other laptop
        meuble_decisions.acquire_due(other, today=TODAY + dt.timedelta(days=30))

        def rows(database: Database) -> list[dict]:
            skip = {"row_version", "pending_sync"}
            with database.session() as s:
                found = [s.get(Visit, vid), s.get(Establishment, est),
                         *s.scalars(select(Decision).where(Decision.visit_id == vid))]
                return [{c.key: getattr(r, c.key) for c in r.__table__.columns if c.key not in skip} for r in found]

        mine, theirs = rows(db), rows(other)
        assert len(mine) == 3 and mine == theirs
    finally:
        other.close()
