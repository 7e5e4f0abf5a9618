"""The agency's dashboard: the year's activity against its targets, classified meublés, labels, deadlines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.figures.counts import ExpiredItem, Figures, OverdueReport, compute_figures
from inspector.figures.wording import AV_TYPOLOGY_FR, MONTHS_FR

from ..context import AppContext
from ..models.row_table import RowTableModel
from ..strings import t
from ..widgets.charts import BarChart, BarItem, ProgressCard

REFRESH_TABLES = frozenset({"visits", "decisions", "establishments", "establishment_labels", "settings"})
TOP_AREAS = 15
LABELS = ("tourisme_handicap", "accueil_velo", "chambre_hotes_reference")
FAMILIES = ("auditif", "mental", "moteur", "visuel")
VisitIdRole = Qt.ItemDataRole.UserRole + 1


def _date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


class OverdueModel(RowTableModel):
    """Overdue certificats, or expired classements and labels (plain rows from the figures)."""

    header_prefix = "figures.col."

    def __init__(self, columns: tuple[str, ...], parent: Any = None):
        super().__init__(parent)
        self.columns = columns

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cell = self.cell(index)
        if cell is None:
            return None
        row, column = cell
        if role == VisitIdRole:
            return getattr(row, "visit_id", None)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "late":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if isinstance(row, OverdueReport):
            values = {"establishment": row.establishment, "commune": row.commune, "what": t(f"kind.{row.kind}"),
                      "date": _date(row.visited_on), "due": _date(row.due), "late": str(row.days_late),
                      "inspector": row.inspector}
        else:
            assert isinstance(row, ExpiredItem)
            values = {"establishment": row.establishment, "commune": row.commune, "what": row.title,
                      "date": "", "due": _date(row.valid_until), "late": str(row.days_late), "inspector": ""}
        return values.get(column, "")


class DashboardScreen(QWidget):
    """Cards (value against target), bar charts and the overdue lists of one year; computed through `ctx.runner`.

    Set `today` (a QDate or date) to pin the date, e.g. in tests; `pdf_path` to write the PDF without a file dialog.
    """

    open_visit = Signal(str)
    pdf_written = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._today: dt.date | None = None
        self.figures: Figures | None = None
        self.pdf_path: Path | None = None
        self._generation = 0
        self._dirty = True
        self._build()
        ctx.data_changed.connect(self._data_changed)
        ctx.database_ready.connect(self._database_ready)
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()

    # layout
    def _build(self) -> None:
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.year_label = QLabel()
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(dt.date.today().year)
        self.year.valueChanged.connect(lambda _y: self.refresh())
        self.year_label.setBuddy(self.year)
        self.as_of = QLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.targets_button = QPushButton()
        self.targets_button.clicked.connect(self.edit_targets)
        self.pdf_button = QPushButton()
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        for button in (self.refresh_button, self.targets_button, self.pdf_button):
            button.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addSpacing(16)
        top.addWidget(self.year_label)
        top.addWidget(self.year)
        top.addWidget(self.as_of, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.targets_button)
        top.addWidget(self.pdf_button)

        self.cards = {name: ProgressCard() for name in ("meubles", "th", "th_advisory", "th_attribution", "av")}
        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card, 1)
        self.decisions = QLabel()
        self.decisions.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.stars_chart = BarChart()
        self.areas_chart = BarChart()
        self.area_mode = QComboBox()
        self.area_mode.addItem("", "epci")
        self.area_mode.addItem("", "commune")
        self.area_mode.currentIndexChanged.connect(lambda _i: self._show_areas())
        self.labels_chart = BarChart()
        self.inspectors_chart = BarChart()
        self.renewals_chart = BarChart()
        self.stars_box = self._box(self.stars_chart)
        self.areas_box = self._box(self.areas_chart, self.area_mode)
        self.labels_box = self._box(self.labels_chart)
        self.inspectors_box = self._box(self.inspectors_chart)
        self.renewals_box = self._box(self.renewals_chart)

        self.reports_model = OverdueModel(("due", "late", "establishment", "commune", "what", "date", "inspector"))
        self.classements_model = OverdueModel(("due", "late", "establishment", "commune", "what"))
        self.labels_model = OverdueModel(("due", "late", "establishment", "commune", "what"))
        self.reports_table = self._table(self.reports_model)
        self.reports_table.doubleClicked.connect(self._open_report)
        self.reports_table.activated.connect(self._open_report)
        self.overdue_tabs = QTabWidget()
        self.overdue_tabs.addTab(self.reports_table, "")
        self.overdue_tabs.addTab(self._table(self.classements_model), "")
        self.overdue_tabs.addTab(self._table(self.labels_model), "")
        self.overdue_tabs.setMinimumHeight(220)
        self.overdue_box = QGroupBox()
        QVBoxLayout(self.overdue_box).addWidget(self.overdue_tabs)

        grid = QGridLayout()
        grid.addWidget(self.stars_box, 0, 0)
        grid.addWidget(self.areas_box, 0, 1, 2, 1)
        grid.addWidget(self.labels_box, 1, 0)
        grid.addWidget(self.inspectors_box, 2, 0)
        grid.addWidget(self.renewals_box, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addLayout(cards)
        inner.addWidget(self.decisions)
        inner.addWidget(self.status)
        inner.addLayout(grid)
        inner.addWidget(self.overdue_box)
        inner.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        self.setFocusProxy(self.year)

    def _box(self, chart: BarChart, extra: QWidget | None = None) -> QGroupBox:
        box = QGroupBox()
        layout = QVBoxLayout(box)
        if extra is not None:
            layout.addWidget(extra)
        layout.addWidget(chart)
        layout.addStretch(1)
        return box

    def _table(self, model: OverdueModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setStretchLastSection(True)
        return view

    def retranslate(self) -> None:
        self.heading.setText(t("figures.title"))
        self.year_label.setText(t("figures.year"))
        self.year.setToolTip(t("figures.year.tip"))
        self.year.setAccessibleName(t("figures.year"))
        for button, key in ((self.refresh_button, "figures.refresh"), (self.targets_button, "figures.targets"),
                            (self.pdf_button, "figures.pdf")):
            button.setText(t(key))
            button.setAccessibleName(t(key).rstrip("…"))
        self.targets_button.setToolTip(t("figures.targets.tip"))
        self.pdf_button.setToolTip(t("figures.pdf.tip"))
        self.area_mode.setItemText(0, t("figures.areas.epci"))
        self.area_mode.setItemText(1, t("figures.areas.commune"))
        self.area_mode.setAccessibleName(t("figures.chart.areas"))
        self.overdue_box.setTitle(t("figures.overdue"))
        for key, box in (("stars", self.stars_box), ("areas", self.areas_box), ("labels", self.labels_box),
                         ("inspectors", self.inspectors_box), ("renewals", self.renewals_box)):
            box.setToolTip(t(f"figures.chart.{key}.tip"))
        self.renewals_chart.set_series((t("figures.renewals.classements"), t("figures.renewals.labels")))
        for model in (self.reports_model, self.classements_model, self.labels_model):
            model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(model.columns) - 1)
        self._show()

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    # date
    @property
    def today(self) -> QDate:
        return QDate(self._today) if self._today else QDate.currentDate()

    @today.setter
    def today(self, value: QDate | dt.date | None) -> None:
        day = value.toPython() if isinstance(value, QDate) else value
        self._today = day
        if day is not None and self.year.value() != day.year:
            self.year.blockSignals(True)
            self.year.setValue(day.year)
            self.year.blockSignals(False)
        self.refresh()

    def today_date(self) -> dt.date:
        return self._today or QDate.currentDate().toPython()

    # loading
    def refresh(self) -> None:
        """Compute the figures of the chosen year in the background (the latest request wins)."""
        self._generation += 1
        if self.ctx.db is None:
            self.status.setText(t("figures.no_database"))
            return
        self._dirty = False
        generation = self._generation
        self.status.setText(t("figures.loading") if self.figures is None else "")
        self.ctx.runner.run(compute_figures, self.ctx.db, year=self.year.value(), today=self.today_date(),
                            on_done=lambda figures: self._loaded(generation, figures),
                            on_error=lambda exc: self._failed(generation, exc))

    def _loaded(self, generation: int, figures: Figures) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self.figures = figures
        self.status.setText("")
        self._show()

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self.status.setText(t("figures.load_error", error=exc))

    def _database_ready(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def _data_changed(self, rows: dict[str, Any]) -> None:
        if REFRESH_TABLES & set(rows):
            self._dirty = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    # showing
    def _show(self) -> None:
        f = self.figures
        if f is None:
            return
        tg = f.targets
        self.as_of.setText(t("figures.as_of", date=_date(f.today)))

        def planned(n: int) -> str:
            return t("figures.card.planned", n=n) if n else t("figures.card.none")

        self.cards["meubles"].set_figure(
            title=t("figures.card.meubles"), done=f.meubles_visits, target=tg.meubles_min,
            value_text=t("figures.card.value", done=f.meubles_visits, target=f"{tg.meubles_min}–{tg.meubles_max}"),
            note=planned(f.meubles_planned) + "\n" + t("figures.card.advisory", n=f.meubles_advisory),
            tooltip=t("figures.card.meubles.tip"))
        for key, done, target, note in (("th", f.th_visits, tg.th_visits, planned(f.th_planned)),
                                        ("th_advisory", f.th_advisory, tg.th_advisory, ""),
                                        ("th_attribution", f.th_attribution, tg.th_attribution, ""),
                                        ("av", f.new_accueil_velo, tg.new_accueil_velo, "")):
            self.cards[key].set_figure(title=t(f"figures.card.{key}"), done=done, target=target,
                                       value_text=t("figures.card.value", done=done, target=target), note=note,
                                       tooltip=t(f"figures.card.{key}.tip"))
        self.decisions.setText(t(
            "figures.decisions", m_ok=f.decided("meuble_category", "acquired"),
            m_no=f.decided("meuble_category", "refused"), th_ok=f.decided("tourisme_handicap", "acquired"),
            th_no=f.decided("tourisme_handicap", "refused"), av_ok=f.decided("accueil_velo", "acquired"),
            av_no=f.decided("accueil_velo", "refused"), chr_ok=f.decided("chr", "acquired")))
        empty = t("figures.chart.empty")
        self.stars_box.setTitle(t("figures.chart.stars", total=f.classified_total))
        self.stars_chart.set_items([BarItem(f"{k} ★", (f.classified_by_stars.get(k, 0),))
                                    for k in range(1, 6)], empty_text=empty)
        self.areas_box.setTitle(t("figures.chart.areas"))
        self._show_areas()
        self.labels_box.setTitle(t("figures.chart.labels"))
        items = [BarItem(t(f"figures.label.{code}"), (f.labels_held.get(code, 0),)) for code in LABELS]
        items += [BarItem(t(f"figures.family.{code}"), (f.th_by_family.get(code, 0),)) for code in FAMILIES]
        items += [BarItem(t("figures.typology", name=AV_TYPOLOGY_FR.get(code, code)), (n,))
                  for code, n in sorted(f.av_by_typology.items(), key=lambda x: -x[1])]
        self.labels_chart.set_items(items, empty_text=empty)
        self.inspectors_box.setTitle(t("figures.chart.inspectors"))
        self.inspectors_chart.set_items([
            BarItem(r.name, (r.total,), t("figures.inspector.tip", m=r.meubles, th=r.tourisme_handicap,
                                          av=r.accueil_velo, chr=r.chambre_hotes_reference))
            for r in f.per_inspector], empty_text=empty)
        self.renewals_box.setTitle(t("figures.chart.renewals", total=f.renewals_next_12_months))
        self.renewals_chart.set_items([
            BarItem(f"{MONTHS_FR[m.month.month - 1]} {m.month.year}", (m.classements, m.labels),
                    t("figures.renewals.tip", classements=m.classements, labels=m.labels, free=m.without_visit))
            for m in f.renewals_by_month], empty_text=empty)
        self.reports_model.replace_items(list(f.overdue_reports))
        self.classements_model.replace_items(list(f.expired_classements))
        self.labels_model.replace_items(list(f.expired_labels))
        for i, (key, count) in enumerate((("reports", f.overdue_reports_count),
                                          ("classements", f.expired_classements_count),
                                          ("labels", f.expired_labels_count))):
            self.overdue_tabs.setTabText(i, t(f"figures.overdue.{key}", n=count))
            self.overdue_tabs.setTabToolTip(i, t(f"figures.overdue.{key}.tip"))

    def _show_areas(self) -> None:
        f = self.figures
        if f is None:
            return
        by_commune = self.area_mode.currentData() == "commune"
        areas = f.classified_by_commune if by_commune else f.classified_by_area
        items = [BarItem(a.name if a.is_epci or by_commune else t("figures.areas.commune_suffix", name=a.name),
                         (a.count,)) for a in areas[:TOP_AREAS]]
        self.areas_chart.set_items(items, empty_text=t("figures.chart.empty"))

    def card_values(self) -> dict[str, str]:
        """The text of each card's value (tests, accessibility checks)."""
        return {name: card.value.text() for name, card in self.cards.items()}

    # actions
    def _open_report(self, index: QModelIndex) -> None:
        visit_id = self.reports_model.data(index, VisitIdRole)
        if visit_id:
            self.open_visit.emit(visit_id)

    def edit_targets(self) -> None:
        from .targets_dialog import TargetsDialog

        if TargetsDialog(self.ctx, self, year=self.year.value()).exec():
            self.refresh()

    def export_pdf(self, path: Path | None = None) -> None:
        """Write the year's key-figures PDF in the background (a file dialog unless a path is given or preset)."""
        if self.ctx.db is None:
            return
        year = self.year.value()
        target = path or self.pdf_path
        if target is None:
            start = str(Path.home() / f"chiffres-cles-{year}.pdf")
            chosen, _filter = QFileDialog.getSaveFileName(self, t("figures.pdf.save"), start,
                                                          t("figures.pdf.filter"))
            if not chosen:
                return
            target = Path(chosen)
        from inspector.reports.key_figures import write_key_figures

        self.pdf_button.setEnabled(False)
        self.ctx.message.emit(t("figures.pdf.writing", year=year), 4000)
        self.ctx.runner.run(write_key_figures, self.ctx.db, year=year, today=self.today_date(), out=target,
                            on_done=lambda out: self._pdf_done(year, out),
                            on_error=self._pdf_failed)

    def _pdf_done(self, year: int, out: Path) -> None:
        if not shiboken6.isValid(self):
            return
        self.pdf_button.setEnabled(True)
        self.ctx.message.emit(t("figures.pdf.done", year=year, path=out), 8000)
        self.pdf_written.emit(str(out))

    def _pdf_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self.pdf_button.setEnabled(True)
        self.ctx.message.emit(t("figures.pdf.error", error=exc), 10000)
