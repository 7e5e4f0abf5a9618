"""The visits screen on the demo agency (S6, Monday at the office): lists, counts, search, actions, dialogs."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from inspector.db.models import AuditEntry, Establishment, Visit
from inspector.services import queries
from ui import strings
from ui.models.visit_list_model import COLUMNS, SortRole, VisitIdRole, VisitListModel
from ui.screens.establishment_dialog import EstablishmentDialog
from ui.screens.new_visit_dialog import NewVisitDialog
from ui.screens.visits_screen import VIEWS, VisitsScreen

from .conftest import TODAY

pytestmark = pytest.mark.qt

DEADLINE = COLUMNS.index("deadline")


@pytest.fixture
def screen(qtbot, ctx) -> VisitsScreen:
    widget = VisitsScreen(ctx)
    qtbot.addWidget(widget)
    widget.today = QDate(TODAY.year, TODAY.month, TODAY.day)
    widget.resize(1280, 800)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: bool(widget.counts()))
    yield widget
    strings.set_language("fr")


def shown(screen: VisitsScreen) -> list[tuple[str, ...]]:
    """The rows as the user sees them (through the sort proxy)."""
    proxy = screen.proxy
    return [tuple(proxy.index(r, c).data() for c in range(proxy.columnCount())) for r in range(proxy.rowCount())]


def shown_ids(screen: VisitsScreen) -> list[str]:
    return [screen.proxy.index(r, 0).data(VisitIdRole) for r in range(screen.proxy.rowCount())]


def tab_text(screen: VisitsScreen, view: str) -> str:
    return screen.tabs.tabText(list(VIEWS).index(view))


def test_the_model_passes_qtmodeltester(qtmodeltester, ctx) -> None:
    model = VisitListModel()
    model.set_rows(queries.list_visits(ctx.db, today=TODAY))
    qtmodeltester.check(model)
    model.set_rows(queries.reports_due(ctx.db, today=TODAY))
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_the_model_shows_days_left_in_red_and_bold_when_a_report_is_due_within_a_week(ctx) -> None:
    rows = queries.reports_due(ctx.db, today=TODAY)
    model = VisitListModel()
    model.set_rows(rows)
    for i, row in enumerate(rows):
        cell = model.index(i, DEADLINE)
        assert model.index(i, 0).data(VisitIdRole) == row.id
        assert f"J-{row.days_left}" in cell.data()
        urgent = row.days_left is not None and row.days_left <= 7
        font = cell.data(Qt.ItemDataRole.FontRole)
        brush = cell.data(Qt.ItemDataRole.ForegroundRole)
        assert (font is not None and QFont(font).bold()) == urgent
        assert (brush is not None and brush.color() == QColor("#c62828")) == urgent
    assert model.headerData(0, Qt.Orientation.Horizontal) == "État"
    assert model.index(0, COLUMNS.index("category")).data() == f"{rows[0].requested_category}★"
    assert model.index(0, COLUMNS.index("state")).data() in ("Terminée", "En cours")


def test_tab_counts_match_the_queries_s6(screen: VisitsScreen, ctx) -> None:
    db = ctx.db
    expected = {
        "today": len(queries.todays_visits(db, today=TODAY)),
        "planned": len(queries.planned_visits(db, today=TODAY)),
        "in_progress": queries.counts_by_state(db).get("in_progress", 0),
        "due": len(queries.reports_due(db, today=TODAY)),
        "refusal": len(queries.refusal_windows_open(db, today=TODAY)),
        "renewals": len(queries.renewals_due(db, today=TODAY, months=6)),
        "all": sum(queries.counts_by_state(db).values()),
    }
    assert screen.counts() == expected
    for view, count in expected.items():
        assert tab_text(screen, view).endswith(f"({count})")
    assert tab_text(screen, "renewals") == "Renouvellements (12)"
    # S6: two certificats due this week (visits 27 days ago): J-4, in red
    screen.set_view("due")
    assert len(shown(screen)) == expected["due"]
    urgent = [r for r in range(screen.proxy.rowCount()) if "J-4" in screen.proxy.index(r, DEADLINE).data()]
    assert len(urgent) >= 2
    assert screen.proxy.index(urgent[0], DEADLINE).data(Qt.ItemDataRole.ForegroundRole).color() == QColor("#c62828")
    # one refusal window closes tomorrow
    screen.set_view("refusal")
    assert any("26/11/2026" in row[DEADLINE] for row in shown(screen))
    screen.set_view("renewals")
    assert len(shown(screen)) == 12


def test_search_filters_by_commune_accents_ignored(screen: VisitsScreen, qtbot) -> None:
    screen.set_view("all")
    qtbot.keyClicks(screen.search, "wimereux")
    commune = COLUMNS.index("commune")
    qtbot.waitUntil(lambda: 0 < len(shown(screen)) < 50)
    assert {row[commune] for row in shown(screen)} == {"Wimereux"}
    assert tab_text(screen, "all") == f"Toutes ({len(shown(screen))})"
    screen.search.clear()
    qtbot.keyClicks(screen.search, "equihen")  # Équihen-Plage
    qtbot.waitUntil(lambda: {row[commune] for row in shown(screen)} == {"Équihen-Plage"})
    screen.set_view("refusal")
    assert [row[commune] for row in shown(screen)] == ["Équihen-Plage"]


def test_a_search_without_result_says_so(screen: VisitsScreen, qtbot) -> None:
    qtbot.keyClicks(screen.search, "zzzz")
    qtbot.waitUntil(lambda: screen.proxy.rowCount() == 0 and screen.placeholder.isVisible())
    assert "zzzz" in screen.placeholder.text()
    assert not screen.open_button.isEnabled() and not screen.card_button.isEnabled()


def test_enter_on_a_row_opens_that_visit(screen: VisitsScreen, qtbot) -> None:
    screen.set_view("due")
    screen.table.setFocus()
    screen.table.setCurrentIndex(screen.proxy.index(1, 0))
    expected = shown_ids(screen)[1]
    with qtbot.waitSignal(screen.open_visit, timeout=2000) as blocker:
        qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert blocker.args == [expected]
    rect = screen.table.visualRect(screen.proxy.index(2, 2))
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(screen.open_visit, timeout=2000) as blocker:
        qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [shown_ids(screen)[2]]
    with qtbot.waitSignal(screen.open_visit, timeout=2000) as blocker:
        qtbot.mouseClick(screen.open_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [shown_ids(screen)[2]]


def test_sorting_by_a_column_uses_its_value(screen: VisitsScreen, ctx) -> None:
    screen.set_view("renewals")
    screen.table.sortByColumn(COLUMNS.index("category"), Qt.SortOrder.DescendingOrder)
    stars = [screen.proxy.index(r, COLUMNS.index("category")).data(SortRole) for r in range(screen.proxy.rowCount())]
    assert stars == sorted(stars, reverse=True) and stars[0] == 5
    screen.table.sortByColumn(DEADLINE, Qt.SortOrder.AscendingOrder)
    dates = [screen.proxy.index(r, DEADLINE).data(SortRole) for r in range(screen.proxy.rowCount())]
    assert dates == sorted(dates)
    # another list comes in its own order (reports by due date), not in the last column sorted
    screen.set_view("due")
    assert shown_ids(screen) == [r.id for r in queries.reports_due(ctx.db, today=TODAY)]
    assert screen.table.horizontalHeader().sortIndicatorSection() == -1


def test_ctrl_page_down_and_up_change_the_list(screen: VisitsScreen, qtbot) -> None:
    screen.set_view("today")
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert screen.current_view == "planned"
    qtbot.keyClick(screen.table, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(screen.table, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert screen.current_view == "all"


def test_typing_in_the_search_runs_one_query_after_a_pause(screen: VisitsScreen, qtbot, monkeypatch) -> None:
    import ui.screens.visits_screen as module

    searches: list[str] = []
    real = module.load_lists

    def counting(db, *, today, search=""):
        searches.append(search)
        return real(db, today=today, search=search)

    monkeypatch.setattr(module, "load_lists", counting)
    qtbot.keyClicks(screen.search, "wimereux")
    assert searches == []  # nothing yet: the query waits for a 200 ms pause
    qtbot.waitUntil(lambda: searches == ["wimereux"] and not screen._loading)
    qtbot.wait(300)
    assert searches == ["wimereux"]


def test_ctrl_f_focuses_the_search(screen: VisitsScreen, qtbot) -> None:
    screen.table.setFocus()
    qtbot.waitUntil(screen.table.hasFocus)
    qtbot.keyClick(screen.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(screen.search.hasFocus)


def test_ctrl_n_creates_a_renewal_linked_to_the_last_visit_and_opens_it(screen: VisitsScreen, qtbot, ctx) -> None:
    renewals_before = screen.counts()["renewals"]
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.findChild(NewVisitDialog) is not None)
    dialog = screen.findChild(NewVisitDialog)
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.search, "chaumiere")  # acquired 2★ until 07/12/2026: a renewal
    qtbot.waitUntil(lambda: dialog.selected() is not None and dialog.selected().name == "Studio « La Chaumière »")
    establishment_id = dialog.selected_id()
    assert dialog.kind.currentData() == "renouvellement"
    assert dialog.category.currentData() == 2
    assert "renouvellement" in dialog.about.text()
    dialog.category.setCurrentIndex(2)  # 3★ this time
    dialog.planned.setDate(QDate(2026, 12, 3))
    with qtbot.waitSignal(screen.open_visit, timeout=5000) as blocker:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    visit_id = blocker.args[0]
    with ctx.db.session() as s:
        visit = s.get(Visit, visit_id)
        previous = s.get(Visit, visit.previous_visit_id)
        assert (visit.establishment_id, visit.kind, visit.requested_category, visit.planned_on, visit.state) == (
            establishment_id, "renouvellement", 3, dt.date(2026, 12, 3), "planned")
        assert (previous.establishment_id, previous.state) == (establishment_id, "acquired")
    # the lists refresh by themselves: the renewal is started, so it leaves the renewals list
    qtbot.waitUntil(lambda: screen.counts().get("renewals") == renewals_before - 1)


def test_new_visit_of_an_establishment_never_visited_is_a_classement(screen: VisitsScreen, qtbot, ctx) -> None:
    dialog = screen.new_visit()
    qtbot.keyClicks(dialog.search, "motte tilques")  # renovation project: only a visite conseil so far
    qtbot.waitUntil(lambda: dialog.selected() is not None and "La Motte" in dialog.selected().name)
    assert dialog.kind.currentData() == "classement"
    assert "Visite conseil" in dialog.about.text() and "premier classement" in dialog.about.text()
    assert not dialog.ok_button.isEnabled()  # no category chosen yet
    dialog.category.setCurrentIndex(2)
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.created, timeout=5000) as blocker:
        dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ctx.db.session() as s:
        visit = s.get(Visit, blocker.args[0])
        assert (visit.kind, visit.requested_category, visit.planned_on, visit.previous_visit_id) == (
            "classement", 3, TODAY, None)


def test_new_visit_suggests_a_renewal_for_a_classified_meuble_and_warns_of_an_open_visit(screen: VisitsScreen,
                                                                                       qtbot) -> None:
    dialog = screen.new_visit()
    qtbot.keyClicks(dialog.search, "la dune")  # classified 2★ before the app: no visit recorded
    qtbot.waitUntil(lambda: dialog.selected() is not None and "La Dune" in dialog.selected().name)
    assert dialog.kind.currentData() == "renouvellement" and dialog.category.currentData() == 2
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "semaphore")  # a renewal is already planned
    qtbot.waitUntil(lambda: dialog.selected() is not None and "Sémaphore" in dialog.selected().name)
    assert "déjà planifiée" in dialog.about.text()
    dialog.search.clear()
    qtbot.keyClicks(dialog.search, "beffroi")  # a restaurant, not a meublé: not offered
    qtbot.waitUntil(lambda: dialog.results_model.rowCount() == 0)
    assert dialog.about.text() == "Aucun établissement ne correspond." and not dialog.ok_button.isEnabled()
    dialog.reject()


def test_the_establishment_card_refuses_capacity_0_in_french_then_saves(screen: VisitsScreen, qtbot, ctx) -> None:
    screen.set_view("due")
    screen.table.setFocus()
    screen.table.setCurrentIndex(screen.proxy.index(0, 0))
    establishment_id = screen.current_establishment_id()
    qtbot.keyClick(screen.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.findChild(EstablishmentDialog) is not None)
    dialog = screen.findChild(EstablishmentDialog)
    qtbot.waitUntil(lambda: dialog.card is not None)
    assert dialog.card.id == establishment_id
    capacity = dialog.editors["capacity"]
    with ctx.db.session() as s:
        before = s.get(Establishment, establishment_id).capacity
    assert capacity.text() == str(before)

    capacity.selectAll()
    qtbot.keyClicks(capacity, "0")
    error = dialog.errors["capacity"]
    assert not error.isHidden() and "capacité" in error.text() and "au moins 1" in error.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    ctx.runner.wait_idle()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "Corrigez" in dialog.status.text()
    with ctx.db.session() as s:
        assert s.get(Establishment, establishment_id).capacity == before

    capacity.selectAll()
    qtbot.keyClicks(capacity, str(before + 2))
    assert error.isHidden()
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with ctx.db.session() as s:
        est = s.get(Establishment, establishment_id)
        assert (est.capacity, est.row_version) == (before + 2, 2)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.row_id == establishment_id,
                                                   AuditEntry.action == "establishment.update")).one()
        assert entry.details == {"before": {"capacity": before}, "after": {"capacity": before + 2}}


def test_the_establishment_card_edits_the_owner_too(screen: VisitsScreen, qtbot, ctx) -> None:
    screen.set_view("refusal")
    dialog = screen.edit_establishment()
    qtbot.waitUntil(lambda: dialog.card is not None)
    owner_id = dialog.card.owner_id
    phone = dialog.editors["owner_phone"]
    phone.selectAll()
    qtbot.keyClicks(phone, "03 21 00 00 00")
    email = dialog.editors["owner_email"]
    email.selectAll()
    qtbot.keyClicks(email, "pas-une-adresse")
    assert "e-mail" in dialog.errors["owner_email"].text()
    email.selectAll()
    qtbot.keyClicks(email, "olivier@example.org")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.accept()
    from inspector.db.models import Owner

    with ctx.db.session() as s:
        owner = s.get(Owner, owner_id)
        assert (owner.phone, owner.email, owner.pending_sync) == ("03 21 00 00 00", "olivier@example.org", True)


def test_language_switch_retranslates_tabs_headers_and_cells(screen: VisitsScreen, ctx) -> None:
    counts = screen.counts()
    screen.set_view("due")
    ctx.set_language("en")
    assert tab_text(screen, "today") == f"Today ({counts['today']})"
    assert tab_text(screen, "due") == f"Reports due ({counts['due']})"
    assert tab_text(screen, "renewals") == "Renewals (12)"
    assert screen.proxy.headerData(0, Qt.Orientation.Horizontal) == "State"
    assert screen.open_button.text() == "&Open visit"
    assert screen.search.placeholderText().startswith("Search")
    assert any("D-4" in row[DEADLINE] for row in shown(screen))
    ctx.set_language("fr")
    assert tab_text(screen, "today") == f"Aujourd'hui ({counts['today']})"
    assert any("J-4" in row[DEADLINE] for row in shown(screen))


def test_controls_have_accessible_names(screen: VisitsScreen) -> None:
    for widget in (screen.tabs, screen.search, screen.table, screen.open_button, screen.new_button,
                   screen.card_button):
        assert widget.accessibleName()


def test_tab_order_follows_the_layout(screen: VisitsScreen, qtbot) -> None:
    screen.tabs.setFocus()
    qtbot.waitUntil(screen.tabs.hasFocus)
    seen = [screen.tabs]
    for _ in range(5):
        qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Tab)
        seen.append(screen.focusWidget())
    assert seen == [screen.tabs, screen.search, screen.table, screen.open_button, screen.new_button,
                    screen.card_button]
