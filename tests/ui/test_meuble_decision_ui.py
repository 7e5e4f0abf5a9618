"""Meublé decisions in the app: acquisition at start (16th day), a late receipt in the documents dialog, the
« Radiation… » button of the establishment card."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from inspector.db.models import Decision, Establishment, Visit
from inspector.services import queries
from ui.screens.documents_dialog import DocumentsDialog
from ui.screens.establishment_dialog import EstablishmentDialog

from .conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]


def open_windows(ctx) -> list[str]:
    """Issued classements received by the owner whose refusal window is still open on TODAY."""
    return [r.id for r in queries.refusal_windows_open(ctx.db, today=TODAY)]


def test_the_main_window_acquires_due_classements_at_start(qtbot, ctx) -> None:
    from ui.app import acquire_due_classements
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    due = open_windows(ctx)
    assert due, "the demo agency has refusal windows open"
    later = TODAY + dt.timedelta(days=20)  # every window open today has closed by then
    changed: list[dict] = []
    ctx.data_changed.connect(changed.append)
    with qtbot.waitSignal(ctx.message, timeout=30000) as signal:
        acquire_due_classements(ctx, today=later)
    assert signal.args[0] == f"{len(due)} classement(s) acquis (délai de refus de 15 jours écoulé)"
    assert window.statusBar().currentMessage() == signal.args[0]
    assert changed and set(due) <= changed[-1]["visits"] and "decisions" in changed[-1]
    with ctx.db.session() as s:
        for vid in due:
            v = s.get(Visit, vid)
            number = s.scalar(select(Decision.number).where(Decision.visit_id == vid))
            assert v.state == "acquired" and number == f"DC-{v.acquired_on.year}-{vid[:8].upper()}"
    ctx.runner.wait_idle()
    changed.clear()
    acquire_due_classements(ctx, today=later)  # nothing left: no message, no change
    ctx.runner.wait_idle()
    assert changed == []
    ctx.settings.setValue("sync/role", "commission")  # a commission laptop never acquires (the body does)
    assert acquire_due_classements(ctx, today=later + dt.timedelta(days=400)) is None
    ctx.settings.remove("sync/role")
    ctx.runner.wait_idle()
    assert changed == []
    # the sync status re-reads after a change (delayed): let it finish before the window goes
    qtbot.waitUntil(lambda: not window.sync._timer.isActive() and not ctx.runner.busy, timeout=30000)


def test_the_app_process_acquires_a_classement_received_long_ago(data_dir: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(data_dir / "inspector.sqlite")
    vid, = con.execute("SELECT id FROM visits WHERE state = 'issued' AND received_on IS NULL AND superseded = 0 "
                       "AND kind = 'classement' AND proposed_category >= 1 LIMIT 1").fetchone()
    received = dt.date(2026, 1, 8)  # the receipt was recorded, but the app was not opened since
    con.execute("UPDATE visits SET visited_on = '2026-01-02', issued_on = '2026-01-05', sent_on = '2026-01-05', "
                "received_on = ? WHERE id = ?", (received.isoformat(), vid))
    con.commit()
    con.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", "ui", "--data-dir", str(data_dir), "--settings",
                          str(tmp_path / "s.ini"), "--quit-after-load"], capture_output=True, text=True, cwd=ROOT,
                         env=env, timeout=180)
    assert out.returncode == 0, out.stderr
    con = sqlite3.connect(data_dir / "inspector.sqlite")
    state, acquired_on = con.execute("SELECT state, acquired_on FROM visits WHERE id = ?", (vid,)).fetchone()
    number, = con.execute("SELECT number FROM decisions WHERE visit_id = ? AND status = 'acquired'",
                          (vid,)).fetchone()
    con.close()
    assert state == "acquired" and acquired_on == (received + dt.timedelta(days=16)).isoformat()
    assert number == f"DC-{received.year}-{vid[:8].upper()}"


def test_a_late_receipt_in_the_documents_dialog_acquires_and_the_decision_is_issued(qtbot, ctx, tmp_path) -> None:
    [row] = [r for r in queries.list_visits(ctx.db, today=TODAY, search="Courlis", states=("issued",))
             if r.kind == "classement"]
    later = TODAY + dt.timedelta(days=20)
    dialog = DocumentsDialog(ctx, row.id, today=later, preview_dir=tmp_path / "apercus")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy_now and dialog.data is not None, timeout=30000)
    dialog.received_date.setDate(dialog.received_date.minimumDate().addDays(2))  # 25/11, 15 days ago and more
    dialog.received_button.click()
    qtbot.waitUntil(lambda: not dialog.busy_now and dialog.data.row.state == "acquired", timeout=30000)
    number = f"DC-2026-{row.id[:8].upper()}"
    assert dialog.message.text() == ("Réception enregistrée : 25/11/2026 ; délai de refus déjà écoulé — classement "
                                     f"acquis le 11/12/2026, décision n° {number}.")
    assert "Classement acquis (certificat reçu le 25/11/2026), valable jusqu'au 10/12/2031." == \
        dialog.refusal_value.text()
    dialog.issue_with("decision", issued_on=later)
    qtbot.waitUntil(lambda: not dialog.busy_now and dialog.model.latest("decision") is not None, timeout=30000)
    doc = dialog.model.latest("decision")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(doc.path.read_bytes())).pages)
    assert f"Décision n° {number}" in " ".join(text.split())


def classified_meuble(ctx) -> str:
    with ctx.db.session() as s:
        return s.scalar(select(Establishment.id).where(Establishment.name == "Villa « Les Oyats »"))


def open_card(qtbot, ctx, establishment_id: str) -> EstablishmentDialog:
    dialog = EstablishmentDialog(ctx, establishment_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.card is not None, timeout=30000)
    return dialog


def test_radiation_from_the_establishment_card(qtbot, ctx, monkeypatch, tmp_path) -> None:
    est_id = classified_meuble(ctx)
    dialog = open_card(qtbot, ctx, est_id)
    category = dialog.card.current_category
    assert category == 4 and dialog.radiation_button.isEnabled()
    assert dialog.radiation_button.text() == "&Radiation…"
    dialog.grab().save(str(tmp_path / "card-before.png"))

    asked: list[str] = []
    monkeypatch.setattr(dialog, "ask_radiation", lambda: (TODAY, "Défaut grave d'entretien", "AP 2026-118"))
    monkeypatch.setattr(dialog, "ask_confirm", lambda text: asked.append(text) or False)
    dialog.radiation_button.click()  # cancelled at the confirmation: nothing happens
    ctx.runner.wait_idle()
    assert asked and "Radier « Villa « Les Oyats » » le 25/11/2026 ?" in asked[0] and "4★" in asked[0]
    with ctx.db.session() as s:
        assert s.get(Establishment, est_id).current_category == 4

    notes = dialog.editors["notes"]
    notes.setPlainText("Propriétaire informé par courrier.")  # an edit not yet saved survives the radiation
    monkeypatch.setattr(dialog, "ask_confirm", lambda text: True)
    dialog.radiation_button.click()
    qtbot.waitUntil(lambda: "Radiation enregistrée" in dialog.status.text(), timeout=30000)
    assert dialog.status.text() == "Radiation enregistrée le 25/11/2026 : classement 4★ retiré."
    assert dialog.category_value.text() == "Radié le 25/11/2026 (4★ retiré)"
    assert not dialog.radiation_button.isEnabled()
    assert notes.toPlainText() == "Propriétaire informé par courrier."
    with ctx.db.session() as s:
        est = s.get(Establishment, est_id)
        assert (est.current_category, est.category_valid_until) == (None, None)
        d = s.scalar(select(Decision).where(Decision.establishment_id == est_id, Decision.status == "radiated"))
        assert (d.reason, d.details, d.category) == ("Défaut grave d'entretien", {"reference": "AP 2026-118"}, 4)
    with qtbot.waitSignal(dialog.saved, timeout=10000):  # the card saves on top of the radiation (new version)
        dialog.save_button.click()
    with ctx.db.session() as s:
        est = s.get(Establishment, est_id)
        assert est.notes == "Propriétaire informé par courrier." and est.current_category is None

    again = open_card(qtbot, ctx, est_id)  # reopened: the card says it was struck off
    qtbot.waitUntil(lambda: again.category_value.text().startswith("Radié le"), timeout=30000)
    assert not again.radiation_button.isEnabled()


def test_a_radiation_refused_by_the_service_is_explained(qtbot, ctx, monkeypatch) -> None:
    dialog = open_card(qtbot, ctx, classified_meuble(ctx))
    monkeypatch.setattr(dialog, "ask_radiation", lambda: (dt.date(2001, 1, 1), "Défaut d'entretien", ""))
    monkeypatch.setattr(dialog, "ask_confirm", lambda text: True)
    dialog.radiation_button.click()
    qtbot.waitUntil(lambda: "Radiation refusée" in dialog.status.text(), timeout=30000)
    assert "précède le classement en cours" in dialog.status.text()
    assert dialog.radiation_button.isEnabled() and dialog.category_value.text().startswith("4★ jusqu'au")


def test_the_radiation_dialog_needs_a_reason(qtbot, tmp_path) -> None:
    from ui.screens.radiation_dialog import RadiationDialog

    dialog = RadiationDialog(TODAY, 3, dt.date(2029, 6, 30))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grab().save(str(tmp_path / "radiation.png"))
    assert "3★ valable jusqu'au 30/06/2029" in dialog.intro.text()
    dialog.save.click()
    assert dialog.error.text() == "Indiquez le motif de la radiation." and dialog.isVisible()
    assert dialog.date.maximumDate().toPython() == TODAY
    dialog.reason.setText("Défaut grave d'entretien")  # QTest cannot type accented letters
    qtbot.keyClicks(dialog.reference, "AP 2026-7")
    dialog.save.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.values() == (TODAY, "Défaut grave d'entretien", "AP 2026-7")
