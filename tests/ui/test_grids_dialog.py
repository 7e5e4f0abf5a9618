"""The grids dialog: provenance shown, import for administrators only, every workbook error listed, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import select

from inspector.db.models import User
from inspector.grids import registry
from inspector.grids.spreadsheet import grid_bytes, import_workbook
from tests.grid_workbooks import broken_sheets, example_workbook, write_workbook
from ui.screens.grids_dialog import GridsDialog


@pytest.fixture(autouse=True)
def isolated_search_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_DATA_DIRS", [])
    monkeypatch.delenv(registry.GRIDS_ENV, raising=False)


def user_with_role(ctx, role: str) -> str:
    with ctx.db.session() as s:
        return s.scalar(select(User.id).where(User.role == role).limit(1))


def open_dialog(qtbot, ctx) -> GridsDialog:
    dialog = GridsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, dialog)
    return dialog


def settle(qtbot, dialog: GridsDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy_now and dialog.state is not None, timeout=30000)


def row_of(dialog: GridsDialog, grid_id: str) -> list[str]:
    for i in range(dialog.table.rowCount()):
        if dialog.table.item(i, 0).text() == grid_id:
            return [dialog.table.item(i, j).text() for j in range(dialog.table.columnCount())]
    raise AssertionError(f"{grid_id} not listed")


def test_lists_grids_with_their_provenance_and_keeps_import_for_administrators(qtbot, ctx) -> None:
    ctx.user_id = user_with_role(ctx, "inspector")
    dialog = open_dialog(qtbot, ctx)
    mt = row_of(dialog, "MT-2022-V2")
    assert mt[1] == "2022-v2" and mt[3] == "officielle" and mt[6] == "fournie avec l'application"
    assert not dialog.import_button.isEnabled()
    assert "réservé à un administrateur" in dialog.role_note.text() and "inspecteur" in dialog.role_note.text()
    dialog.select_grid("MT-2022-V2")
    assert dialog.export_button.isEnabled()
    ctx.settings.setValue("sync/role", "admin")  # an administrator account of the agency server
    dialog.refresh()
    settle(qtbot, dialog)
    assert dialog.import_button.isEnabled() and not dialog.role_note.isVisible()


def test_administrator_imports_a_workbook(qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx.user_id = user_with_role(ctx, "admin")
    book = example_workbook(tmp_path / "th.xlsx")
    questions: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(book), ""))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _parent, _title, text, *a: questions.append(text) or QMessageBox.StandardButton.Yes)
    dialog = open_dialog(qtbot, ctx)
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "installée" in dialog.message.text(), timeout=30000)
    settle(qtbot, dialog)
    installed = ctx.data_dir / "grids" / "TH-CLASSEUR-TEST@2026-1.json"
    assert installed.read_bytes() == grid_bytes(import_workbook(book))
    assert "exemple — non officielle" in questions[0] and "ne peut plus être modifiée" in questions[0]
    row = row_of(dialog, "TH-CLASSEUR-TEST")
    assert row[3] == "exemple — non officielle" and row[4] == "8" and row[6] == "importée ou reçue"
    assert not dialog.errors_list.isVisible()

    dialog.import_button.click()  # the same workbook again: nothing to do
    qtbot.waitUntil(lambda: "déjà installée" in dialog.message.text(), timeout=30000)
    assert len(questions) == 1

    target = tmp_path / "export" / "th.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.select_grid("TH-CLASSEUR-TEST")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "exportée" in dialog.message.text(), timeout=30000)
    assert grid_bytes(import_workbook(target)) == installed.read_bytes()


def test_every_workbook_error_is_listed_and_nothing_installed(qtbot, ctx, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ctx.user_id = user_with_role(ctx, "admin")
    broken = write_workbook(tmp_path / "broken.xlsx", broken_sheets())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(broken), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("no confirmation for a broken file"))
    dialog = open_dialog(qtbot, ctx)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.errors_list.count() > 0, timeout=30000)
    lines = [dialog.errors_list.item(i).text() for i in range(dialog.errors_list.count())]
    assert len(lines) == 6
    assert lines[0].startswith("feuille « Critères », ligne 3, colonne H (statut_moteur) : statut « Y » inconnu")
    assert any(line.startswith("feuille « parametres », ligne 14, colonne B (valeur)") for line in lines)
    assert "6 erreur(s)" in dialog.errors_title.text() and dialog.errors_list.isVisible()
    assert "Import refusé" in dialog.message.text()
    assert not (ctx.data_dir / "grids").exists() or not list((ctx.data_dir / "grids").iterdir())


def test_cancelled_confirmation_installs_nothing(qtbot, ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx.user_id = user_with_role(ctx, "admin")
    book = example_workbook(tmp_path / "th.xlsx")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(book), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dialog = open_dialog(qtbot, ctx)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: "annulé" in dialog.message.text(), timeout=30000)
    assert not (ctx.data_dir / "grids" / "TH-CLASSEUR-TEST@2026-1.json").exists()
