"""The dashboard shows the year's figures of the demo agency; targets dialog; the PDF action writes a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate

from inspector.figures.counts import compute_figures
from inspector.figures.targets import Targets, load_targets
from tests.ui.conftest import TODAY


def _screen(qtbot, ctx):
    from ui.screens.dashboard_screen import DashboardScreen

    screen = DashboardScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1300, 900)
    screen.show()
    screen.today = TODAY
    ctx.runner.wait_idle()
    return screen


def test_dashboard_shows_the_figures(qtbot, ctx) -> None:
    screen = _screen(qtbot, ctx)
    expected = compute_figures(ctx.db, year=TODAY.year, today=TODAY)
    assert screen.year.value() == 2026
    assert screen.figures == expected
    values = screen.card_values()
    assert values["meubles"] == f"{expected.meubles_visits} / 200–250"
    assert values["th"] == f"{expected.th_visits} / 25"
    assert values["th_advisory"] == f"{expected.th_advisory} / 10"
    assert values["th_attribution"] == f"{expected.th_attribution} / 15"
    assert values["av"] == f"{expected.new_accueil_velo} / 25"
    assert expected.meubles_visits > 0 and expected.th_advisory == 1
    stars = {i.label: i.total for i in screen.stars_chart.items()}
    assert stars == {f"{k} ★": expected.classified_by_stars[k] for k in range(1, 6)}
    areas = [i.label for i in screen.areas_chart.items()]
    assert areas[0] == expected.classified_by_area[0].name
    assert "CA du Boulonnais" in areas  # the demo communes carry their EPCI
    screen.area_mode.setCurrentIndex(1)
    assert {i.label for i in screen.areas_chart.items()} <= {a.name for a in expected.classified_by_commune}
    inspectors = {i.label: i.total for i in screen.inspectors_chart.items()}
    assert inspectors == {r.name: r.total for r in expected.per_inspector}
    assert len(screen.renewals_chart.items()) == 12
    assert "visites-conseils sont comptées à part" in screen.cards["meubles"].toolTip()
    assert screen.overdue_tabs.tabText(0) == f"Certificats en retard ({expected.overdue_reports_count})"


def test_year_selector_recomputes(qtbot, ctx) -> None:
    screen = _screen(qtbot, ctx)
    screen.year.setValue(2025)
    ctx.runner.wait_idle()
    assert screen.figures.year == 2025
    assert screen.card_values()["meubles"] == \
        f"{compute_figures(ctx.db, year=2025, today=TODAY).meubles_visits} / 200–250"


def test_targets_dialog_saves_and_the_cards_follow(qtbot, ctx) -> None:
    from ui.screens.targets_dialog import TargetsDialog

    screen = _screen(qtbot, ctx)
    dialog = TargetsDialog(ctx, screen)
    qtbot.addWidget(dialog)
    assert dialog.targets() == Targets()
    dialog.spins["th_advisory"].setValue(12)
    assert "diffèrent du total" in dialog.message.text()
    dialog.spins["th_visits"].setValue(27)
    assert dialog.message.text() == ""
    dialog.spins["meubles_min"].setValue(180)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert load_targets(ctx.db) == Targets(180, 250, 27, 12, 15, 25)
    ctx.runner.wait_idle()  # the settings change refreshed the visible dashboard
    assert screen.card_values()["th"].endswith("/ 27")
    assert screen.card_values()["meubles"].endswith("/ 180–250")
    refused = TargetsDialog(ctx, screen)
    qtbot.addWidget(refused)
    refused.spins["meubles_min"].setValue(400)
    refused.save()
    assert "fourchette des meublés inversée" in refused.message.text()
    assert load_targets(ctx.db).meubles_min == 180


def test_targets_of_the_dashboards_year(qtbot, ctx) -> None:
    from ui.screens.targets_dialog import TargetsDialog

    screen = _screen(qtbot, ctx)
    dialog = TargetsDialog(ctx, screen, year=2027)
    qtbot.addWidget(dialog)
    assert dialog.year == 2027 and "2027" in dialog.scope.currentText()
    dialog.spins["new_accueil_velo"].setValue(40)
    dialog.save()
    assert load_targets(ctx.db, 2027).new_accueil_velo == 40
    assert load_targets(ctx.db, 2026) == Targets()  # other years keep the default
    again = TargetsDialog(ctx, screen, year=2027)
    qtbot.addWidget(again)
    assert again.spins["new_accueil_velo"].value() == 40
    again.scope.setCurrentIndex(1)  # the default targets
    assert again.year is None and again.spins["new_accueil_velo"].value() == 25


def test_pdf_action_writes_the_file(qtbot, ctx, tmp_path: Path) -> None:
    screen = _screen(qtbot, ctx)
    screen.pdf_path = tmp_path / "chiffres-cles-2026.pdf"
    with qtbot.waitSignal(screen.pdf_written, timeout=30_000) as blocker:
        screen.pdf_button.click()
    assert blocker.args == [str(screen.pdf_path)]
    assert screen.pdf_path.read_bytes().startswith(b"%PDF")
    assert screen.pdf_button.isEnabled()


def test_main_window_view_menu_opens_the_dashboard(qtbot, ctx) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.dashboard.today = QDate(TODAY)
    window.show()
    assert window.dashboard_action.shortcut().toString() == "Ctrl+2"
    assert window.dashboard_action.text() == "&Tableau de bord"
    window.dashboard_action.trigger()
    ctx.runner.wait_idle()
    assert window.stack.currentWidget() is window.dashboard
    assert window.dashboard.figures is not None and window.dashboard.figures.today == TODAY
