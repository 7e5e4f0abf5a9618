"""The documents dialog on the demo agency: issue, revisions, preview, open/print/folder, sending, receipt, refusal."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QAbstractButton, QDateEdit, QPushButton

from inspector.services import documents, queries, visits
from ui.models.document_list_model import DocumentIdRole, DocumentListModel, PathRole
from ui.screens.documents_dialog import DocumentsDialog, PrintPlan
from ui.screens.visit_editor import VisitEditor

from .conftest import TODAY


class FakeDesktop:
    """Records what the dialog asks of the system instead of opening viewers or printing."""

    def __init__(self) -> None:
        self.opened: list[Path] = []
        self.folders: list[Path] = []
        self.printed: list[tuple[PrintPlan, Path]] = []
        self.plan: PrintPlan | None = PrintPlan("viewer")  # no printer: the viewer opens the file

    def open_file(self, path: Path) -> bool:
        self.opened.append(Path(path))
        return True

    def open_folder(self, folder: Path) -> bool:
        self.folders.append(Path(folder))
        return True

    def choose_print(self, path: Path, parent) -> PrintPlan | None:
        return self.plan

    def run_print(self, plan: PrintPlan, path: Path) -> str:
        self.printed.append((plan, Path(path)))
        return f"imprimé sur {plan.printer}"


def visit_row(ctx, search: str, state: str) -> queries.VisitRow:
    rows = [r for r in queries.list_visits(ctx.db, today=TODAY, search=search, states=(state,))
            if r.kind in ("classement", "renouvellement")]
    assert rows, (search, state)
    return rows[0]


def state_of(ctx, visit_id: str) -> queries.VisitRow:
    return queries.visit_detail(ctx.db, visit_id, today=TODAY).row


@pytest.fixture
def desktop() -> FakeDesktop:
    return FakeDesktop()


@pytest.fixture
def open_dialog(qtbot, ctx, desktop, tmp_path):
    def make(visit_id: str) -> DocumentsDialog:
        dialog = DocumentsDialog(ctx, visit_id, desktop=desktop, today=TODAY, preview_dir=tmp_path / "apercus")
        qtbot.addWidget(dialog)
        dialog.show()
        settle(qtbot, dialog)
        return dialog

    return make


def settle(qtbot, dialog: DocumentsDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy_now and dialog.data is not None, timeout=30000)


def message(dialog: DocumentsDialog) -> str:
    return dialog.message.text()


def test_the_model_passes_the_model_tester(qtmodeltester, ctx) -> None:
    model = DocumentListModel()
    qtmodeltester.check(model)
    visit = visit_row(ctx, "Rochers", "completed").id
    first = documents.issue_document(ctx.db, visit_id=visit, kind="certificat", issued_on=TODAY).value
    second = documents.issue_document(ctx.db, visit_id=visit, kind="certificat", issued_on=TODAY,
                                      reason="Coquille dans les observations").value
    model.set_documents(documents.list_documents(ctx.db, visit))
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.columnCount() == 5
    assert model.index(0, 0).data() == "Certificat de visite"
    assert model.index(1, 1).data() == "2"
    assert model.index(1, 3).data() == second.sha256[:12]
    assert model.index(1, 4).data() == "remplace la révision 1" and model.index(0, 4).data() == ""
    assert model.index(0, 0).data(DocumentIdRole) == first.id
    assert model.index(1, 2).data(PathRole) == str(second.path)
    assert model.headerData(3, Qt.Orientation.Horizontal) == "SHA-256"
    model.set_documents([])
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_issue_the_certificat_of_a_completed_visit(qtbot, ctx, open_dialog, monkeypatch) -> None:
    visit = visit_row(ctx, "Rochers", "completed")
    dialog = open_dialog(visit.id)
    assert dialog.kind_box.currentData() == "certificat"
    assert dialog.model.rowCount() == 0 and dialog.empty_label.isVisible()
    assert "reste 4 jour(s)" in dialog.deadline_value.text()  # visited 29/10, due 29/11, today 25/11
    asked: list[str] = []
    monkeypatch.setattr(dialog, "ask_confirm", lambda text: asked.append(text) or True)
    changes: list[dict] = []
    ctx.data_changed.connect(changes.append)

    dialog.issue_button.click()
    assert dialog.busy_now and dialog.busy.isVisible() and not dialog.issue_button.isEnabled()
    settle(qtbot, dialog)

    assert asked and "Proposition de classement : 3★" in asked[0]
    assert dialog.model.rowCount() == 1
    doc = dialog.selected_document()
    assert doc is not None and doc.kind == "certificat" and doc.revision == 1 and doc.replaces_id is None
    assert state_of(ctx, visit.id).state == "issued"
    assert documents.verify_document(ctx.db, doc.id)
    assert hashlib.sha256(doc.path.read_bytes()).hexdigest() == doc.sha256
    assert doc.path.read_bytes().startswith(b"%PDF")
    assert "Certificat de visite émis : révision 1" in message(dialog)
    assert any("documents" in c and "visits" in c for c in changes)
    assert dialog.changed
    assert "Certificat émis le 25/11/2026, dans le délai" in dialog.deadline_value.text()
    assert dialog.sent_button.isEnabled() and dialog.received_button.isEnabled()
    assert not dialog.refusal_button.isEnabled()  # no receipt yet


def test_a_second_issue_needs_a_reason_and_names_the_revision_it_replaces(qtbot, ctx, open_dialog) -> None:
    visit = visit_row(ctx, "Rochers", "completed")
    dialog = open_dialog(visit.id)
    dialog.issue_with("certificat", issued_on=TODAY)
    settle(qtbot, dialog)
    first = dialog.model.document(0)

    dialog.issue_with("certificat", issued_on=TODAY, reason="")
    settle(qtbot, dialog)
    assert "une nouvelle émission est une révision et demande un motif" in message(dialog)
    assert "color: #c62828" in dialog.message.styleSheet()
    assert dialog.model.rowCount() == 1

    dialog.issue_with("certificat", issued_on=TODAY, reason="Capacité corrigée : 4 personnes")
    settle(qtbot, dialog)
    assert dialog.model.rowCount() == 2
    second = dialog.selected_document()
    assert second.revision == 2 and second.replaces_id == first.id
    row = dialog.model.row_of(second.id)
    assert dialog.model.index(row, 4).data() == "remplace la révision 1"
    assert documents.verify_document(ctx.db, second.id)


def test_reissue_through_the_button_asks_the_reason(qtbot, ctx, open_dialog, monkeypatch) -> None:
    visit = visit_row(ctx, "Rochers", "completed")
    dialog = open_dialog(visit.id)
    dialog.issue_with("certificat", issued_on=TODAY)
    settle(qtbot, dialog)
    monkeypatch.setattr(dialog, "ask_confirm", lambda text: True)
    prompts: list[tuple[str, int]] = []
    monkeypatch.setattr(dialog, "ask_reason", lambda kind, revision: prompts.append((kind, revision)) or "  ")
    dialog.issue()
    assert prompts == [("certificat", 1)]
    assert not dialog.busy_now and "demande un motif" in message(dialog)
    monkeypatch.setattr(dialog, "ask_reason", lambda kind, revision: None)  # cancelled: nothing happens
    dialog.issue()
    assert not dialog.busy_now
    monkeypatch.setattr(dialog, "ask_reason", lambda kind, revision: "Adresse du loueur corrigée")
    dialog.issue()
    settle(qtbot, dialog)
    assert [d.revision for d in dialog.model.documents()] == [1, 2]


def test_a_category_the_visit_does_not_reach_is_chosen_explicitly(qtbot, ctx, open_dialog, monkeypatch) -> None:
    """S2: the Lefebvre renewal fails on cleanliness (95, non compensable): 4★ cannot be proposed."""
    visit = visit_row(ctx, "Remparts", "completed")
    dialog = open_dialog(visit.id)
    assert dialog.data.reaches_requested is False
    asked: list[tuple[str, int, int | None]] = []
    confirmations: list[str] = []
    monkeypatch.setattr(dialog, "ask_category", lambda msg, req, best: asked.append((msg, req, best)) or 0)
    monkeypatch.setattr(dialog, "ask_confirm", lambda text: confirmations.append(text) or True)
    dialog.issue()
    settle(qtbot, dialog)
    assert asked and asked[0][1] == 4 and "n'atteint pas la catégorie demandée, 4★" in asked[0][0]
    assert "Rapport de non-classement" in confirmations[0]
    assert state_of(ctx, visit.id).state == "issued"
    assert dialog.model.rowCount() == 1


def test_the_service_refusal_of_an_unreached_category_offers_the_choice(qtbot, ctx, open_dialog,
                                                                         monkeypatch) -> None:
    """Issued straight with the requested category: `record_issue` refuses, the dialog offers 0 instead."""
    visit = visit_row(ctx, "Remparts", "completed")
    dialog = open_dialog(visit.id)
    asked: list[str] = []
    monkeypatch.setattr(dialog, "ask_category", lambda msg, req, best: asked.append(msg) or None)
    dialog.issue_with("certificat", issued_on=TODAY)
    settle(qtbot, dialog)
    assert asked and "La visite n'atteint pas 4★" in asked[0]
    assert "n'atteint pas 4★" in message(dialog)  # cancelled: the reason stays in the dialog
    assert state_of(ctx, visit.id).state == "completed" and dialog.model.rowCount() == 0
    monkeypatch.setattr(dialog, "ask_category", lambda msg, req, best: 0)
    dialog.issue_with("certificat", issued_on=TODAY)
    settle(qtbot, dialog)
    assert state_of(ctx, visit.id).state == "issued" and dialog.model.rowCount() == 1


def test_preview_renders_in_the_runner_and_opens_a_pdf(qtbot, ctx, open_dialog, desktop, tmp_path) -> None:
    visit = visit_row(ctx, "Salicornes", "completed")  # measured, with two photos
    dialog = open_dialog(visit.id)
    steps: list[tuple[str, int, int]] = []
    ctx.runner.progress.connect(lambda label, done, total: steps.append((label, done, total)))
    dialog.preview_button.click()
    assert dialog.busy_now and dialog.busy.isVisible() and not dialog.preview_button.isEnabled()
    assert ctx.runner.busy
    settle(qtbot, dialog)
    assert len(desktop.opened) == 1
    path = desktop.opened[0]
    assert path.parent == tmp_path / "apercus" and path.read_bytes().startswith(b"%PDF")
    assert "Aperçu ouvert (non émis)" in message(dialog)
    assert steps and steps[-1][1:] == (2, 2)
    assert state_of(ctx, visit.id).state == "completed" and dialog.model.rowCount() == 0  # nothing issued


def test_a_visit_in_progress_previews_a_draft_and_cannot_issue(qtbot, ctx, open_dialog, desktop) -> None:
    visit = visit_row(ctx, "", "in_progress")
    dialog = open_dialog(visit.id)
    assert not dialog.issue_button.isEnabled() and "Terminez la visite" in dialog.issue_button.toolTip()
    assert not dialog.sent_button.isEnabled() and dialog.tracking_hint.isVisible()
    dialog.preview()
    settle(qtbot, dialog)
    assert desktop.opened and desktop.opened[0].read_bytes().startswith(b"%PDF")


def test_closing_the_dialog_while_it_renders_is_safe(qtbot, ctx, desktop, tmp_path) -> None:
    visit = visit_row(ctx, "Salicornes", "completed")
    dialog = DocumentsDialog(ctx, visit.id, desktop=desktop, today=TODAY, preview_dir=tmp_path)
    dialog.show()
    ctx.runner.wait_idle()
    dialog.preview()
    assert ctx.runner.busy
    dialog.close()
    assert ctx.runner.wait_idle()  # closed: the preview is written, no viewer pops up
    assert desktop.opened == [] and dialog.last_preview is not None
    dialog.preview()
    dialog.close()
    dialog.deleteLater()
    QCoreApplication.sendPostedEvents(dialog, QEvent.Type.DeferredDelete)
    assert ctx.runner.wait_idle()  # the result arrives after the dialog is gone: ignored, nothing raised
    assert desktop.opened == []


def test_kinds_offered_follow_the_visit(qtbot, ctx, open_dialog) -> None:
    dialog = open_dialog(visit_row(ctx, "Oyats", "acquired").id)
    assert [dialog.kind_box.itemData(i) for i in range(dialog.kind_box.count())] == ["certificat", "decision"]
    assert "Classement acquis" in dialog.refusal_value.text() and "valable jusqu'au" in dialog.refusal_value.text()
    rows = queries.list_visits(ctx.db, today=TODAY, search="La Motte", states=("completed",))
    dialog = open_dialog(rows[0].id)  # visite-conseil: its report, no certificat deadline nor follow-up
    assert [dialog.kind_box.itemData(i) for i in range(dialog.kind_box.count())] == ["conseil"]
    assert dialog.deadline_value.text() == "Pas de délai réglementaire pour ce type de visite."
    assert dialog.tracking_box.isHidden()


def test_open_print_and_folder_use_the_stored_file(qtbot, ctx, open_dialog, desktop) -> None:
    visit = visit_row(ctx, "Rochers", "completed")
    dialog = open_dialog(visit.id)
    dialog.issue_with("certificat", issued_on=TODAY)
    settle(qtbot, dialog)
    doc = dialog.selected_document()
    assert dialog.open_button.isEnabled() and dialog.print_button.isEnabled() and dialog.folder_button.isEnabled()

    dialog.open_button.click()
    settle(qtbot, dialog)
    assert desktop.opened == [doc.path]
    dialog.folder_button.click()
    assert desktop.folders == [doc.path.parent]
    dialog.print_button.click()  # no printer: the viewer opens it
    settle(qtbot, dialog)
    assert desktop.opened == [doc.path, doc.path] and "imprimez-le depuis celle-ci" in message(dialog)
    desktop.plan = PrintPlan("lp", printer="Bureau", copies=2)
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, dialog)
    assert desktop.printed == [(desktop.plan, doc.path)] and message(dialog) == "imprimé sur Bureau"

    doc.path.write_bytes(doc.path.read_bytes() + b"%")  # altered after issue: refused
    dialog.open_document()
    settle(qtbot, dialog)
    assert len(desktop.opened) == 2 and "a été modifié depuis son émission" in message(dialog)


def test_sending_receipt_and_refusal_update_the_visit(qtbot, ctx, open_dialog, monkeypatch) -> None:
    visit = visit_row(ctx, "Courlis", "issued")  # issued 23/11, not received yet
    dialog = open_dialog(visit.id)
    assert "enregistrez la date de réception" in dialog.refusal_value.text()
    assert not dialog.refusal_button.isEnabled()

    dialog.record_receipt(dt.date(2026, 11, 20))  # before the issue: refused by the dialog
    assert "ne peut pas précéder l'émission du certificat (23/11/2026)" in message(dialog)

    dialog.sent_date.setDate(dialog.sent_date.date().addDays(-1))
    dialog.sent_button.click()
    settle(qtbot, dialog)
    assert "Envoi du certificat enregistré : 24/11/2026." in message(dialog)

    dialog.received_date.setDate(dialog.received_date.date())
    dialog.received_button.click()
    settle(qtbot, dialog)
    assert state_of(ctx, visit.id).received_on == TODAY
    assert "refus possible jusqu'au 10/12/2026" in message(dialog)
    assert "refus possible jusqu'au 10/12/2026 — reste 15 jour(s)" in dialog.refusal_value.text()
    assert dialog.refusal_button.isEnabled()

    dialog.record_refusal(TODAY, "")
    settle(qtbot, dialog)
    assert message(dialog) == "Indiquez le motif du refus." and state_of(ctx, visit.id).state == "issued"

    monkeypatch.setattr(dialog, "ask_refusal", lambda: (TODAY, "Souhaitait une catégorie de plus"))
    dialog.refusal_button.click()
    settle(qtbot, dialog)
    assert state_of(ctx, visit.id).state == "refused"
    assert "Refus du loueur enregistré : 25/11/2026." in message(dialog)
    assert dialog.refusal_value.text() == "Le loueur a refusé la proposition de classement."
    assert not dialog.sent_button.isEnabled() and not dialog.refusal_button.isEnabled()
    decision = visits.score_visit(ctx.db, visit.id)  # still scorable after refusal (read-only)
    assert decision is not None


def test_refusal_before_receipt_is_explained(qtbot, ctx, open_dialog) -> None:
    visit = visit_row(ctx, "Courlis", "issued")
    dialog = open_dialog(visit.id)
    dialog.record_refusal(TODAY, "Trop cher")
    settle(qtbot, dialog)
    assert "Enregistrez d'abord la date de réception" in message(dialog)


def test_keyboard_accessible_names_and_english(qtbot, ctx, open_dialog) -> None:
    visit = visit_row(ctx, "Courlis", "issued")
    dialog = open_dialog(visit.id)
    dialog.issue_with("certificat", issued_on=TODAY)
    settle(qtbot, dialog)
    for widget in dialog.findChildren(QAbstractButton) + dialog.findChildren(QDateEdit):
        if widget.isVisible():
            assert widget.accessibleName(), widget
    assert dialog.table.accessibleName() == "Liste des documents émis"
    wanted = {dialog.kind_box, dialog.issue_date, dialog.table, dialog.preview_button, dialog.issue_button,
              dialog.open_button, dialog.print_button, dialog.folder_button, dialog.sent_date, dialog.sent_button,
              dialog.received_date, dialog.received_button}
    dialog.activateWindow()
    dialog.kind_box.setFocus()
    seen = []
    for _ in range(40):
        seen.append(dialog.focusWidget())
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert wanted <= set(seen), wanted - set(seen)
    order: list = []  # Tab also walks the day, month and year of a date field (Qt's QDateEdit)
    for w in seen:
        if w in wanted and (not order or order[-1] is not w):
            order.append(w)
    assert order[:5] == [dialog.kind_box, dialog.issue_date, dialog.table, dialog.preview_button, dialog.issue_button]
    texts = {b.text() for b in dialog.findChildren(QPushButton)}
    assert {"&Aperçu", "É&mettre…", "&Ouvrir", "&Imprimer", "Afficher dans le &dossier",
            "Re&fus du loueur…"} <= texts
    ctx.set_language("en")
    assert dialog.preview_button.text() == "Pre&view" and dialog.issue_button.text() == "&Issue…"
    assert dialog.model.headerData(1, Qt.Orientation.Horizontal) == "Revision"
    assert dialog.deadline_value.text() == "Certificate issued on 23/11/2026, in time (limit: 16/12/2026)."
    ctx.set_language("fr")


def test_ctrl_d_in_the_visit_editor_opens_the_documents(qtbot, ctx) -> None:
    editor = VisitEditor(ctx)
    qtbot.addWidget(editor)
    editor.show()
    visit = visit_row(ctx, "Rochers", "completed")
    with qtbot.waitSignal(editor.loaded, timeout=10000):
        editor.open_visit(visit.id)
    assert editor.documents_button.text() == "&Documents…"
    editor.tree.setFocus()
    qtbot.keyClick(editor.tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialogs = editor.findChildren(DocumentsDialog)
    assert len(dialogs) == 1 and dialogs[0].visit_id == visit.id and dialogs[0].isVisible()
    settle(qtbot, dialogs[0])
    assert dialogs[0].kind_box.currentData() == "certificat"
    dialogs[0].reject()
    ctx.runner.wait_idle()
