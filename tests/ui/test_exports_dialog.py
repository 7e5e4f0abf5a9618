"""The exports dialog on the demo agency, offscreen: the monthly table for the CDT and the general tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt

from ui.screens.exports_dialog import MONTHLY, ExportsDialog

from .conftest import TODAY


@pytest.fixture
def make_dialog(qtbot, ctx):
    def make(**kw) -> ExportsDialog:
        dialog = ExportsDialog(ctx, today=TODAY, **kw)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def run(qtbot, dialog: ExportsDialog) -> None:
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy_now and (dialog.result_info is not None or bool(dialog.error_text)),
                    timeout=30000)


def test_monthly_table_defaults_to_last_month_and_writes_xlsx_in_the_background(qtbot, ctx, make_dialog,
                                                                                tmp_path: Path) -> None:
    dialog = make_dialog(monthly=True)
    assert dialog.choice == MONTHLY and dialog.windowTitle() == "Tableau mensuel des décisions définitives"
    assert dialog.month.date().year() == 2026 and dialog.month.date().month() == 10  # the month before 25/11/2026
    assert Path(dialog.path.text()).name == "decisions-definitives-2026-10.csv"
    assert not dialog.year.isVisibleTo(dialog) and dialog.month.isVisibleTo(dialog)
    assert "comité départemental du tourisme" in dialog.help.text()
    dialog.set_month(2025, 10)  # two classements of the demo agency became definitive in October 2025
    dialog.fmt.setCurrentIndex(dialog.fmt.findData("xlsx"))
    target = tmp_path / "cdt" / "octobre-2025.xlsx"
    dialog.set_path(target)
    with qtbot.waitSignal(ctx.message, timeout=30000) as status:
        run(qtbot, dialog)
    assert dialog.result_info is not None and dialog.result_info.count == 2
    assert dialog.message.text() == f"2 décision(s) devenue(s) définitive(s) en octobre 2025 → {target}"
    assert status.args[0] == dialog.message.text()
    ws = openpyxl.load_workbook(target).worksheets[0]
    assert ws.max_row == 3 and ws.cell(row=1, column=1).value == "N° de décision"
    assert all(str(ws.cell(row=r, column=1).value).startswith("DC-2025-") for r in (2, 3))
    assert ctx.settings.value("exports/folder") == str(target.parent)


def test_last_month_then_an_empty_month(qtbot, make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog(monthly=True)  # the demo agency's previous month: six classements became definitive
    dialog.set_path(tmp_path / "octobre-2026.csv")
    run(qtbot, dialog)
    assert dialog.message.text().startswith("6 décision"), dialog.message.text()
    rows = list(csv.reader(io.StringIO((tmp_path / "octobre-2026.csv").read_text(encoding="utf-8-sig")),
                           delimiter=";"))
    assert len(rows) == 7 and all(r[0].startswith("DC-2026-") for r in rows[1:])
    assert all(dt.date(2026, 10, 1) <= dt.datetime.strptime(r[10], "%d/%m/%Y").date() <= dt.date(2026, 10, 31)
               for r in rows[1:])
    dialog.month.setDate(QDate(2030, 1, 1))  # nothing became definitive then: the headers only
    dialog.set_path(tmp_path / "janvier-2030.csv")
    dialog.result_info = None
    run(qtbot, dialog)
    assert dialog.message.text().startswith("0 décision devenue définitive en janvier 2030")
    rows = list(csv.reader(io.StringIO((tmp_path / "janvier-2030.csv").read_text(encoding="utf-8-sig")),
                           delimiter=";"))
    assert len(rows) == 1 and rows[0][0] == "N° de décision"


def test_the_file_dialog_choice_is_used_and_gets_the_format_suffix(qtbot, make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog(monthly=True)
    dialog.fmt.setCurrentIndex(dialog.fmt.findData("xlsx"))
    asked: list[str] = []

    def fake_ask(suggested: str) -> str:
        asked.append(suggested)
        return str(tmp_path / "pour-le-cdt")

    dialog.ask_save_path = fake_ask  # type: ignore[method-assign]
    qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
    assert asked and asked[0].endswith("decisions-definitives-2026-10.xlsx")
    assert dialog.path.text() == str(tmp_path / "pour-le-cdt.xlsx")
    dialog.set_month(2026, 11)  # the chosen name is kept when the month changes
    assert dialog.path.text() == str(tmp_path / "pour-le-cdt.xlsx")
    dialog.fmt.setCurrentIndex(dialog.fmt.findData("csv"))  # … and follows the format
    assert dialog.path.text() == str(tmp_path / "pour-le-cdt.csv")
    run(qtbot, dialog)
    assert dialog.result_info is not None and dialog.result_info.count == 1
    assert (tmp_path / "pour-le-cdt.csv").exists()


def test_general_export_of_a_year_of_visits(qtbot, make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog()
    assert dialog.choice == "establishments" and not dialog.year.isEnabled()
    assert dialog.year.isVisibleTo(dialog) and not dialog.month.isVisibleTo(dialog)
    dialog.dataset.setCurrentIndex(dialog.dataset.findData("visits"))
    assert dialog.year.isEnabled() and dialog.year.text() == "Toutes"
    dialog.year.setValue(2026)
    dialog.fmt.setCurrentIndex(dialog.fmt.findData("xlsx"))
    assert Path(dialog.path.text()).name == "visites-2026.xlsx"
    dialog.path.setText(str(tmp_path / "visites-2026.xlsx"))
    run(qtbot, dialog)
    result = dialog.result_info
    assert result is not None and result.count > 0
    assert dialog.message.text() == f"Visites : {result.count} ligne(s) → {tmp_path / 'visites-2026.xlsx'}"
    ws = openpyxl.load_workbook(tmp_path / "visites-2026.xlsx").worksheets[0]
    assert ws.max_row == result.count + 1 and ws.freeze_panes == "A2"
    dialog.dataset.setCurrentIndex(dialog.dataset.findData("establishments"))
    dialog.path.setText(str(tmp_path / "etablissements.csv"))  # the format chosen is still XLSX
    run(qtbot, dialog)
    assert dialog.error_text.endswith("ne correspond pas au format xlsx demandé")
    dialog.path.setText(str(tmp_path / "etablissements.xlsx"))
    run(qtbot, dialog)
    assert dialog.result_info is not None and dialog.result_info.count == 85  # the year does not apply


def test_a_failed_export_is_reported_and_the_dialog_stays_usable(qtbot, make_dialog, tmp_path: Path) -> None:
    dialog = make_dialog(monthly=True)
    (tmp_path / "dossier.csv").mkdir()
    dialog.set_path(tmp_path / "dossier.csv")
    run(qtbot, dialog)
    assert dialog.result_info is None
    assert dialog.message.text().startswith("Export impossible : ") and "dossier" in dialog.message.text()
    assert dialog.run_button.isEnabled()
    dialog.path.setText("")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Choisissez le fichier à écrire."


def test_the_main_window_offers_both_exports_in_the_file_menu(qtbot, ctx, monkeypatch) -> None:
    from ui.main_window import MainWindow

    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(ExportsDialog, "exec", lambda self: opened.append((self.choice, self.windowTitle())) or 0)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    texts = [a.text().replace("&", "") for a in window.file_menu.actions()]
    assert "Exporter…" in texts and "Tableau mensuel des décisions…" in texts
    window.monthly_export_action.trigger()
    window.export_action.trigger()
    assert opened == [(MONTHLY, "Tableau mensuel des décisions définitives"), ("establishments", "Exporter")]
