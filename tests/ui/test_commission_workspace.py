"""A commission session through the UI, from the agenda to the letters: session dialog, agenda, one dossier per
screen with per-family decisions, closing (procès-verbal) and letters; checked in the database and the PDFs' text."""

from __future__ import annotations

import datetime as dt
import time
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from inspector.db.database import open_database
from inspector.db.models import CommissionItem, CommissionSession, Decision, Document, EstablishmentLabel, User, Visit
from inspector.services import visits
from tests.test_label_decisions import add_agency, add_establishment, chr_visit, install_grids, th_visit
from ui.screens.commission_screen import CommissionScreen
from ui.widgets.commission_models import ItemIdRole

TODAY = dt.date(2026, 11, 25)
HELD_ON = dt.date(2026, 11, 24)
MEMBERS = (("Claire Dumont", "Pas-de-Calais Tourisme", "tourism", True),
           ("Marc Hennebelle", "APF France handicap", "disability", True),
           ("Anne Vasseur", "DDETS du Pas-de-Calais", "state", True),
           ("Paul Leroy", "Office de tourisme d'Arras", "tourism", False))


def pdf_text(path: Path) -> str:
    reader = PdfReader(BytesIO(Path(path).read_bytes()))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


@pytest.fixture
def agency(qtbot, tmp_path: Path, qsettings, monkeypatch):
    """An empty agency database with the test grids, a commission member signed in, and three submitted dossiers."""
    from ui.context import AppContext

    install_grids(monkeypatch, tmp_path / "test-grids")
    folder = tmp_path / "data"
    folder.mkdir()
    db = open_database(folder / "inspector.sqlite")
    add_agency(db)
    with db.session() as s:
        member = User(name="Claire Dumont", email="claire.dumont@example.org", role="commission")
        reader = User(name="Thomas Lemaire", email="thomas.lemaire@example.org", role="inspector")
        s.add_all([member, reader])
        s.commit()
        users = {"commission": member.id, "inspector": reader.id}
    beffroi = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    musee = add_establishment(db, name="Musée de la Dentelle", kind="musee", commune="Calais")
    tilleuls = add_establishment(db, name="Chambres d'hôtes « Le Clos des Tilleuls »", commune="Montreuil-sur-Mer")
    dossiers = {"s4": th_visit(db, beffroi),  # moteur fails (door), auditif and visuel pass
                "musee": th_visit(db, musee, families=("auditif", "visuel")),
                "chr": chr_visit(db, tilleuls)}
    visits.submit_visit(db, visit_id=dossiers["chr"])
    ctx = AppContext(folder, qsettings)
    ctx.set_database(db)
    ctx.user_id = users["commission"]
    yield ctx, users, dossiers, {"s4": beffroi, "musee": musee, "chr": tilleuls}
    ctx.runner.wait_idle()
    db.close()


def make_screen(qtbot, ctx) -> CommissionScreen:
    screen = CommissionScreen(ctx)
    screen.today = TODAY
    qtbot.addWidget(screen)
    screen.resize(1366, 820)
    screen.show()
    ctx.runner.wait_idle()
    return screen


def item_row(screen: CommissionScreen, visit_id: str) -> int:
    return next(i for i, x in enumerate(screen.agenda_model.items()) if x.visit_id == visit_id)


def open_dossier(qtbot, screen: CommissionScreen, visit_id: str):
    screen.agenda.selectRow(item_row(screen, visit_id))
    with qtbot.waitSignal(screen.dossier_view.loaded, timeout=10000):
        qtbot.mouseClick(screen.open_button, Qt.MouseButton.LeftButton)
    view = screen.dossier_view
    assert screen.pages.currentWidget() is view and view.dossier is not None
    return view


def wait_task(qtbot, screen: CommissionScreen, button) -> None:
    with qtbot.waitSignal(screen.task_finished, timeout=30000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    screen.ctx.runner.wait_idle()


def test_a_session_from_agenda_to_letters(qtbot, agency) -> None:
    ctx, _users, dossiers, establishments = agency
    screen = make_screen(qtbot, ctx)
    assert not screen.role_note.isVisible() and screen.new_button.isEnabled()

    # A new session through the dialog: date, place, chair, labels, members by college (one excused).
    dialog = screen.new_session()
    dialog.date.setDate(QDate(HELD_ON.year, HELD_ON.month, HELD_ON.day))
    dialog.place.setText("Maison du département, Arras")
    dialog.chair.setText("Claire Dumont")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)  # typed in the table
    model = dialog.members
    name, body, college, _present = MEMBERS[0]
    for column, value in (("name", name), ("body", body), ("college", college)):
        assert model.setData(model.index(0, model.columns.index(column)), value)
    for name, body, college, present in MEMBERS[1:]:
        dialog.add_member(name, body, college, present)
    absent = model.index(3, model.columns.index("present"))
    assert model.data(absent, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialog.error.text(), dialog.error.text()
    qtbot.waitUntil(lambda: screen.session is not None and screen.session.id == dialog.session_id, timeout=10000)
    session_id = screen.session.id
    assert screen.session.held_on == HELD_ON and len(screen.session.members) == 4
    assert "3 présent(s) sur 4" in screen.members_title.text()
    assert screen.members_model.rowCount() == 4

    # The agenda: the three submitted dossiers.
    qtbot.mouseClick(screen.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.agenda_model.rowCount() == 3, timeout=10000)
    assert "3 dossier(s)" in screen.message.text()
    assert {x.visit_id for x in screen.agenda_model.items()} == set(dossiers.values())
    s4_row = item_row(screen, dossiers["s4"])
    assert "moteur" in screen.agenda_model.index(s4_row, 6).data().lower()  # the proposal column
    assert screen.agenda_model.index(s4_row, 7).data() == "à décider"

    # The S4 dossier on one screen.
    view = open_dossier(qtbot, screen, dossiers["s4"])
    assert "Le Beffroi" in view.establishment.text() and "Arras" in view.establishment.text()
    assert "porte" in view.opinion.text().lower()
    assert {r.code for r in view.rows} == {"auditif", "moteur", "visuel"}
    assert view.row("moteur").proposal == "refused" and view.row("auditif").proposal == "granted"
    assert view.row("moteur").value == "refused"  # the panel starts from the proposal
    assert "T1" in view.results.text()  # the failed criterion of moteur
    assert view.record_button.isVisible() and view.record_button.isEnabled()

    # Departing from the proposal without motivation: the service's message, nothing recorded.
    view.row("moteur").set_outcome("granted")
    assert view.row("moteur").departs.text()
    started = time.perf_counter()
    qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    assert "motivée" in view.error.text() and "Moteur" in view.error.text()
    with ctx.db.session() as s:
        assert s.scalars(select(Decision)).first() is None
        assert all(i.decision_id is None for i in s.scalars(select(CommissionItem)))
        assert s.get(Visit, dossiers["s4"]).state == "submitted"

    # Grant auditif and visuel, refuse moteur with its reason.
    view.row("moteur").set_outcome("refused")
    assert not view.row("moteur").departs.text() and view.row("moteur").reason.isEnabled()
    view.row("moteur").reason.setText("Porte d'entrée de 72 cm de passage utile (77 cm exigés).")
    qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
    elapsed = time.perf_counter() - started
    assert not view.error.text(), view.error.text()
    assert "TH-2026-" in view.recorded.text() and "23/11/2031" in view.recorded.text()
    assert not view.record_button.isEnabled()
    print(f"decision round trips (refused + recorded): {elapsed * 1000:.0f} ms")

    # Back to the agenda; the other two follow the proposal.
    qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.agenda_model.index(item_row(screen, dossiers["s4"]), 7).data().startswith("TH-"),
                    timeout=10000)
    for key in ("musee", "chr"):
        view = open_dossier(qtbot, screen, dossiers[key])
        assert all(r.value == "granted" for r in view.rows)
        qtbot.mouseClick(view.record_button, Qt.MouseButton.LeftButton)
        assert not view.error.text(), view.error.text()
        view.back_requested.emit()
    qtbot.waitUntil(lambda: screen.session.decided_count == 3, timeout=10000)
    assert screen.close_button.isEnabled()
    assert not screen.letters_button.isEnabled()  # letters once the procès-verbal is written

    # Close the session (the confirmation is accepted): the procès-verbal is written.
    asked: list[str] = []
    screen.ask_confirm = lambda text: asked.append(text) or True
    wait_task(qtbot, screen, screen.close_button)
    assert asked and "24/11/2026" in asked[0]
    qtbot.waitUntil(lambda: screen.session is not None and screen.session.status == "closed", timeout=10000)
    assert not screen.build_button.isEnabled() and not screen.close_button.isEnabled()

    # Issue the letters: three notifications and the CHR attestation.
    assert screen.letters_button.isEnabled()
    wait_task(qtbot, screen, screen.letters_button)
    qtbot.waitUntil(lambda: screen.letters_model.rowCount() == 4, timeout=10000)
    assert "4 document(s)" in screen.message.text()

    # The procès-verbal opens (the stored one, the session being closed).
    opened: list[Path] = []
    screen.open_file = lambda path: opened.append(Path(path)) or True
    qtbot.mouseClick(screen.minutes_button, Qt.MouseButton.LeftButton)
    assert opened and opened[0] == Path(screen.session.minutes_path)

    # In the database.
    with ctx.db.session() as s:
        session = s.get(CommissionSession, session_id)
        assert session.status == "closed" and session.minutes_sha256 and session.closed_at is not None
        assert [m["name"] for m in session.members] == [m[0] for m in MEMBERS]
        assert [m["present"] for m in session.members] == [True, True, True, False]
        items = s.scalars(select(CommissionItem).where(CommissionItem.session_id == session_id)).all()
        assert len(items) == 3 and all(i.decision_id for i in items)
        decisions = {d.visit_id: d for d in s.scalars(select(Decision))}
        assert {i.decision_id for i in items} == {d.id for d in decisions.values()}
        s4 = decisions[dossiers["s4"]]
        assert s4.status == "acquired" and set(s4.families) == {"auditif", "visuel"}
        assert s4.decided_on == HELD_ON and s4.valid_until == dt.date(2031, 11, 23)
        assert s4.details["families"]["moteur"]["outcome"] == "refused"
        assert s4.details["families"]["moteur"]["refusal_reason"].startswith("Porte d'entrée de 72 cm")
        assert s4.details["decided_by"] == "Commission du 24/11/2026"
        assert decisions[dossiers["chr"]].subject == "chr" and decisions[dossiers["chr"]].status == "acquired"
        held = {(h.establishment_id, h.label): h for h in s.scalars(select(EstablishmentLabel))}
        th = held[(establishments["s4"], "tourisme_handicap")]
        assert set(th.families) == {"auditif", "visuel"}
        assert (th.valid_from, th.valid_until) == (HELD_ON, dt.date(2031, 11, 23))
        assert held[(establishments["chr"], "chambre_hotes_reference")].valid_until is not None
        assert (establishments["musee"], "tourisme_handicap") in held
        docs = s.scalars(select(Document)).all()
        notifications = {d.visit_id: d for d in docs if d.kind == "notification"}
        assert set(notifications) == set(dossiers.values())
        assert [d.visit_id for d in docs if d.kind == "attestation"] == [dossiers["chr"]]
        assert s.get(Visit, dossiers["s4"]).state == "acquired"

    # In the PDFs.
    minutes = pdf_text(Path(screen.session.minutes_path))
    for name, _body, _college, _present in MEMBERS:
        assert name in minutes
    assert "Le Beffroi" in minutes and s4.number in minutes and "Musée de la Dentelle" in minutes
    assert "Moteur" in minutes
    letters = {doc.visit_id: (doc.kind, Path(doc.path)) for doc in screen.letters_model._items
               if doc.kind == "notification"}
    s4_letter = pdf_text(letters[dossiers["s4"]][1])
    assert "Auditif" in s4_letter and "Visuel" in s4_letter and "23/11/2031" in s4_letter
    attestation = next(Path(d.path) for d in screen.letters_model._items if d.kind == "attestation")
    assert attestation.is_file() and "Clos des Tilleuls" in pdf_text(attestation)

    # Issuing again adds nothing.
    wait_task(qtbot, screen, screen.letters_button)
    assert "0 document(s)" in screen.message.text()


def test_others_see_the_commission_read_only(qtbot, agency) -> None:
    ctx, users, dossiers, _est = agency
    from inspector.services import commission

    sid = commission.create_session(ctx.db, held_on=HELD_ON, place="Arras", members=[
        {"name": "Claire Dumont", "body": "Pas-de-Calais Tourisme", "college": "tourism", "present": True}]).value
    commission.build_agenda(ctx.db, session_id=sid)
    ctx.user_id = users["inspector"]
    screen = make_screen(qtbot, ctx)
    qtbot.waitUntil(lambda: screen.agenda_model.rowCount() == 3, timeout=10000)
    assert screen.role_note.isVisible()
    assert "Thomas Lemaire" in screen.role_note.text() and "consultation seule" in screen.role_note.text().lower()
    for button in (screen.new_button, screen.edit_button, screen.build_button, screen.close_button,
                   screen.letters_button, screen.remove_button):
        assert not button.isEnabled()
    assert screen.new_session() is None and not screen.build_agenda()
    view = open_dossier(qtbot, screen, dossiers["s4"])  # reading is allowed
    assert not view.record_button.isVisible() and not view.row("moteur").outcome.isEnabled()
    assert not view.record()
    # The agency account's role counts too.
    from ui.screens.sync_dialog import KEY_ROLE

    ctx.settings.setValue(KEY_ROLE, "commission")
    view.back_requested.emit()
    screen.refresh()
    ctx.runner.wait_idle()
    assert not screen.role_note.isVisible() and screen.build_button.isEnabled()


def test_draft_minutes_preview_and_removing_an_item(qtbot, agency) -> None:
    ctx, _users, dossiers, _est = agency
    from inspector.services import commission

    sid = commission.create_session(ctx.db, held_on=HELD_ON, place="Arras").value
    commission.build_agenda(ctx.db, session_id=sid)
    screen = make_screen(qtbot, ctx)
    qtbot.waitUntil(lambda: screen.agenda_model.rowCount() == 3, timeout=10000)
    screen.agenda.selectRow(item_row(screen, dossiers["chr"]))
    item_id = screen.agenda.currentIndex().data(ItemIdRole)
    assert screen.remove_button.isEnabled()
    qtbot.mouseClick(screen.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.agenda_model.rowCount() == 2, timeout=10000)
    assert screen.agenda_model.row_of(item_id) < 0
    # Closing with undecided dossiers: the service's list of what is missing, the session stays open.
    screen.ask_confirm = lambda _text: True
    wait_task(qtbot, screen, screen.close_button)
    assert "Clôture impossible" in screen.message.text() and "Le Beffroi" in screen.message.text()
    assert screen.session.status != "closed"
    opened: list[Path] = []
    screen.open_file = lambda path: opened.append(Path(path)) or True
    wait_task(qtbot, screen, screen.minutes_button)
    assert opened and opened[0].is_file()
    text = pdf_text(opened[0])
    assert "Le Beffroi" in text and "Clos des Tilleuls" not in text


def test_view_menu_opens_the_commission_in_both_languages(qtbot, agency) -> None:
    from ui.main_window import MainWindow

    ctx, _users, _dossiers, _est = agency
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.commission_action.shortcut().toString() == "Ctrl+3"
    window.commission_action.trigger()
    assert window.stack.currentWidget() is window.commission
    qtbot.waitUntil(lambda: window.commission.overview is not None, timeout=10000)
    assert window.commission.build_button.text() == "&Construire l'ordre du jour"
    ctx.set_language("en")
    try:
        assert window.commission.build_button.text() == "&Build the agenda"
        assert window.commission_action.text() == "&Commission"
    finally:
        ctx.set_language("fr")
    ctx.runner.wait_idle()
