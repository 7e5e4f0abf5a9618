"""The new-visit dialog: choose the kind, find the establishment, then what the kind needs (requested category of a
meublé; grid, filière or typology, families and partner evaluator of a label visit) and the date; create through
services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.db.database import Database
from inspector.grids.model import Grid, Level
from inspector.grids.registry import STATUS_RANK, GridNotFound, default_grid, load_catalogue
from inspector.services.common import OpResult, ServiceError
from inspector.services.establishments import EstablishmentRow, search_establishments
from inspector.services.queries import list_users
from inspector.services.visits import VISIT_KINDS, create_visit

from ..context import AppContext
from ..models.visit_list_model import date_text, kind_label, state_label
from ..strings import UI, t

MEUBLE_VISIT_KINDS = ("classement", "renouvellement", "visite_conseil")
CATEGORIES = (1, 2, 3, 4, 5)
SEARCH_DELAY_MS = 200
EstablishmentIdRole = Qt.ItemDataRole.UserRole + 1

MEUBLES = "meubles"
TH = "tourisme_handicap"
# Which establishments each family of visit is offered for (None: every kind of establishment).
ESTABLISHMENT_KINDS: dict[str, tuple[str, ...] | None] = {
    MEUBLES: ("meuble",),
    TH: None,
    "accueil_velo": None,
    "chambre_hotes_reference": ("chambre_hotes",),
}
# Label kinds evaluated by a pair (a partner evaluator is required) and needing at least two families.
PAIR_KINDS = frozenset({"th_primo", "th_renouvellement"})
PARTNER_ROLES = ("partner_evaluator", "inspector")  # partners first in the list
ROLE_KEYS = {"partner_evaluator": "sync.role.partner", "inspector": "sync.role.inspector"}
# The filière or typology an establishment kind suggests (used only when the grid has that code).
SUGGESTED_TYPOLOGY: dict[str, dict[str, str]] = {
    TH: {"restaurant": "restauration", "office_tourisme": "information_touristique", "meuble": "hebergement_non_erp",
         "chambre_hotes": "hebergement_non_erp"},
    "accueil_velo": {"meuble": "hebergement", "chambre_hotes": "hebergement", "hebergement": "hebergement",
                     "restaurant": "restaurant", "site": "site_visite_loisirs", "office_tourisme": "office_tourisme",
                     "loueur_velos": "loueur", "reparateur_velos": "reparateur"},
}
GREEN, ORANGE, RED = "#2e7d32", "#a04800", "#c62828"
PROVENANCE_STYLE = {
    "official": f"color: {GREEN}; font-weight: 600;",
    "partial": f"color: {ORANGE}; font-weight: 600;",
    "example": f"color: {RED}; font-weight: 700; background: #fdecea; border-left: 4px solid {RED}; padding: 4px;",
    "missing": f"color: {RED}; font-weight: 600;",
    "loading": "color: #555;",
}
HINT_STYLE = f"color: {ORANGE};"
FORM_LABEL_KEYS = ("new_visit.kind", "new_visit.establishment", "new_visit.category", "new_visit.grid",
                   "new_visit.filiere", "new_visit.typology", "new_visit.families", "new_visit.partner",
                   "new_visit.date")


@dataclass(frozen=True)
class LabelChoices:
    """What the label rows offer: installed grids per family (default first) and the possible partner evaluators."""

    grids: dict[str, list[Grid]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, role), partners first


def load_label_choices(db: Database, today: dt.date) -> LabelChoices:
    """Installed label grids (one entry per grid id: the version in force) and the users who may be the partner."""
    catalogue = load_catalogue()
    grids: dict[str, list[Grid]] = {}
    defaults: dict[str, str] = {}
    for family in ESTABLISHMENT_KINDS:
        if family == MEUBLES:
            continue
        found: list[Grid] = []
        for grid_id in sorted({g.id for g in catalogue.grids if g.kind == family}):
            try:
                found.append(catalogue.find(grid_id))
            except GridNotFound:
                continue
        if not found:
            continue
        try:
            defaults[family] = default_grid(family, today).id
        except GridNotFound:
            defaults[family] = found[0].id
        found.sort(key=lambda g: (g.id != defaults[family], -STATUS_RANK.get(g.provenance.status, -1), g.id))
        grids[family] = found
    users = sorted(list_users(db, PARTNER_ROLES), key=lambda u: (PARTNER_ROLES.index(u[2]), u[1]))
    return LabelChoices(grids, defaults, users)


def _clean(text: str) -> str:
    return text.replace("&", "")


def _status(grid: Grid) -> str:
    """official, partial or example (anything unknown is shown as the least trustworthy)."""
    return grid.provenance.status if grid.provenance.status in STATUS_RANK else "example"


class WrapLabel(QLabel):
    """A word-wrapped label as tall as its text at its actual width (a form layout would size it for a narrow
    guess of its width, leaving gaps)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        height = self.heightForWidth(self.width()) if self.text() else 0
        if height >= 0 and height != self.height():
            self.setFixedHeight(height)


class NewVisitDialog(QDialog):
    """Plans a visit of any kind. Searches, grid loading and the creation run through `ctx.runner`; `created` gives
    the new id."""

    created = Signal(str)
    choices_loaded = Signal()

    def __init__(self, ctx: AppContext, *, today: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.created_visit_id: str | None = None
        self.choices: LabelChoices | None = None
        self.family_checks: dict[str, QCheckBox] = {}
        self._found: dict[str, EstablishmentRow] = {}
        self._generation = 0
        self._searching = False
        self._saving = False
        self._search_kinds: tuple[str, ...] | None = ESTABLISHMENT_KINDS[MEUBLES]
        self._build(today)
        ctx.language_changed.connect(self._language_changed)
        self.retranslate()
        self._kind_changed()
        self.search.setFocus()
        self.search_now()
        self._load_choices()

    def _build(self, today: dt.date) -> None:
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        self.results_model = QStandardItemModel(self)
        self.results = QListView()
        self.results.setModel(self.results_model)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setMinimumHeight(160)
        self.results.setUniformItemSizes(True)
        self.results.selectionModel().currentChanged.connect(self._current_changed)
        self.results.doubleClicked.connect(lambda _index: self._focus_first_field())
        self.about = WrapLabel()
        self.kind = QComboBox()
        previous_family = None
        for kind, family in VISIT_KINDS.items():
            if previous_family is not None and family != previous_family:
                self.kind.insertSeparator(self.kind.count())
            self.kind.addItem("", kind)
            previous_family = family
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.category = QComboBox()
        for category in CATEGORIES:
            self.category.addItem(f"{category}★", category)
        self.category.setCurrentIndex(-1)
        self.category.currentIndexChanged.connect(lambda _i: self._update_ok())
        # label visits: grid and its provenance, filière or typology, families, partner evaluator
        self.grid = QComboBox()
        self.grid.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.grid.setMinimumContentsLength(24)
        self.grid.currentIndexChanged.connect(lambda _i: self._grid_changed())
        self.provenance = WrapLabel()
        self.provenance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.typology = QComboBox()
        self.typology.currentIndexChanged.connect(lambda _i: self._update_ok())
        self.typology.currentIndexChanged.connect(self._typology_chosen)  # suggestions block the signal
        self._typology_suggested = False  # the current typology was suggested, not chosen by the user
        self.families_row = QWidget()
        self.families_layout = QHBoxLayout(self.families_row)
        self.families_layout.setContentsMargins(0, 0, 0, 0)
        self.families_layout.addStretch(1)
        self.families_hint = WrapLabel()
        self.families_hint.setStyleSheet(HINT_STYLE)
        self.partner = QComboBox()
        self.partner.currentIndexChanged.connect(lambda _i: self._update_ok())
        self.planned = QDateEdit(QDate(today))
        self.planned.setCalendarPopup(True)
        self.planned.setDisplayFormat("dd/MM/yyyy")
        self.hint = WrapLabel()
        self.hint.setStyleSheet(HINT_STYLE)
        self.error = WrapLabel()
        self.error.setStyleSheet(f"color: {RED};")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.establishment_label = QLabel()
        self.establishment_label.setBuddy(self.search)
        self.kind_label = QLabel()
        self.kind_label.setBuddy(self.kind)
        self.category_label = QLabel()
        self.category_label.setBuddy(self.category)
        self.grid_label = QLabel()
        self.grid_label.setBuddy(self.grid)
        self.typology_label = QLabel()
        self.typology_label.setBuddy(self.typology)
        self.families_label = QLabel()
        self.partner_label = QLabel()
        self.partner_label.setBuddy(self.partner)
        self.date_label = QLabel()
        self.date_label.setBuddy(self.planned)
        self.form.addRow(self.kind_label, self.kind)
        self.form.addRow(self.establishment_label, self.search)
        self.form.addRow("", self.results)
        self.form.addRow("", self.about)
        self.form.addRow(self.category_label, self.category)
        self.form.addRow(self.grid_label, self.grid)
        self.form.addRow("", self.provenance)
        self.form.addRow(self.typology_label, self.typology)
        self.form.addRow(self.families_label, self.families_row)
        self.form.addRow("", self.families_hint)
        self.form.addRow(self.partner_label, self.partner)
        self.form.addRow(self.date_label, self.planned)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._set_tab_order()
        self.resize(660, 640)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.kind, self.search, self.results, self.category, self.grid, self.typology,
                                *self.family_checks.values(), self.partner, self.planned, self.ok_button,
                                self.cancel_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def retranslate(self) -> None:
        self.setWindowTitle(t("new_visit.title"))
        self.establishment_label.setText(t("new_visit.establishment"))
        self.search.setPlaceholderText(t("new_visit.search"))
        self.search.setAccessibleName(t("new_visit.search.name"))
        self.results.setAccessibleName(t("new_visit.results.name"))
        self.kind_label.setText(t("new_visit.kind"))
        self.kind.setAccessibleName(_clean(t("new_visit.kind")))
        for i in range(self.kind.count()):
            kind = self.kind.itemData(i)
            if kind:
                self.kind.setItemText(i, t(f"kind.{kind}"))
        self.category_label.setText(t("new_visit.category"))
        self.category.setAccessibleName(_clean(t("new_visit.category")))
        self.category.setPlaceholderText(t("new_visit.category.none"))
        self.grid_label.setText(t("new_visit.grid"))
        self.grid.setAccessibleName(_clean(t("new_visit.grid")))
        self.typology.setPlaceholderText(t("new_visit.category.none"))
        self.families_label.setText(t("new_visit.families"))
        self.families_row.setAccessibleName(t("new_visit.families.name"))
        self.partner_label.setText(t("new_visit.partner"))
        self.partner.setAccessibleName(_clean(t("new_visit.partner")))
        self.date_label.setText(t("new_visit.date"))
        self.planned.setAccessibleName(_clean(t("new_visit.date")))
        self.ok_button.setText(t("new_visit.create"))
        self.ok_button.setAccessibleName(_clean(t("new_visit.create")))
        self.cancel_button.setText(t("card.cancel"))
        # one width for the label column, whatever rows the kind of visit shows: the fields do not jump sideways
        width = max(self.kind_label.fontMetrics().horizontalAdvance(_clean(t(key))) for key in FORM_LABEL_KEYS) + 8
        for label in (self.kind_label, self.establishment_label, self.category_label, self.grid_label,
                      self.typology_label, self.families_label, self.partner_label, self.date_label):
            label.setMinimumWidth(width)
        self._fill_grids()
        self._fill_partners()
        self._retitle_typology()
        self._show_results_text()
        self._describe(self.selected())
        self._update_ok()

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    # kind
    def current_kind(self) -> str:
        return self.kind.currentData() or MEUBLE_VISIT_KINDS[0]

    def current_family(self) -> str:
        return VISIT_KINDS[self.current_kind()]

    def _set_kind(self, kind: str) -> None:
        index = self.kind.findData(kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def _kind_changed(self) -> None:
        family = self.current_family()
        meuble = family == MEUBLES
        self.form.setRowVisible(self.category, meuble)
        for widget in (self.grid, self.provenance):
            self.form.setRowVisible(widget, not meuble)
        self._fill_grids()
        self._fill_partners()
        self._retitle_typology()
        if ESTABLISHMENT_KINDS.get(family) != self._search_kinds:
            self.search_now()  # another family of visit is offered for other establishments
        self._describe(self.selected())
        self._update_ok()

    # label grids and scope
    def _load_choices(self) -> None:
        if self.ctx.db is None:
            return
        self.ctx.runner.run(load_label_choices, self.ctx.db, self.today, on_done=self._choices_loaded,
                            on_error=self._choices_failed)

    def _choices_loaded(self, choices: LabelChoices) -> None:
        if not shiboken6.isValid(self):
            return
        self.choices = choices
        self._fill_grids()
        self._fill_partners()
        self._update_ok()
        self.choices_loaded.emit()

    def _choices_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self.choices = LabelChoices()
        self.error.setText(t("new_visit.error", error=exc))
        self._fill_grids()
        self._fill_partners()
        self._update_ok()

    def grids_offered(self) -> list[Grid]:
        family = self.current_family()
        if family == MEUBLES or self.choices is None:
            return []
        return self.choices.grids.get(family, [])

    def current_grid(self) -> Grid | None:
        grid_id = self.grid.currentData()
        return next((g for g in self.grids_offered() if g.id == grid_id), None)

    def _fill_grids(self) -> None:
        """The grids installed for the kind of visit (default first); keeps the choice while the family stays."""
        previous = self.grid.currentData()
        grids = self.grids_offered()
        self.grid.blockSignals(True)
        self.grid.clear()
        for grid in grids:
            status = t(f"new_visit.grid.{_status(grid)}")
            self.grid.addItem(t("new_visit.grid.item", id=grid.id, status=status), grid.id)
            self.grid.setItemData(self.grid.count() - 1, grid.title, Qt.ItemDataRole.ToolTipRole)
        index = self.grid.findData(previous) if previous else -1
        self.grid.setCurrentIndex(index if index >= 0 else (0 if grids else -1))
        self.grid.setEnabled(bool(grids))
        self.grid.blockSignals(False)
        self._grid_changed()

    def _grid_changed(self) -> None:
        grid = self.current_grid()
        family = self.current_family()
        self._show_provenance(grid)
        typologies = dict(grid.typologies) if grid is not None else {}
        previous = self.typology.currentData()
        self.typology.blockSignals(True)
        self.typology.clear()
        for code, label in typologies.items():
            self.typology.addItem(label, code)
        self.typology.setCurrentIndex(self.typology.findData(previous) if previous else -1)
        self.typology.blockSignals(False)
        if self.typology.currentIndex() < 0:
            self._typology_suggested = True
        self._suggest_typology()
        self.form.setRowVisible(self.typology, bool(typologies))
        th = family == TH and grid is not None
        self._fill_families(grid.levels if grid is not None and th else ())
        self.form.setRowVisible(self.families_row, th)
        self.form.setRowVisible(self.partner, family == TH)
        self._update_ok()

    def _fill_families(self, levels: tuple[Level, ...]) -> None:
        """One checkbox per family of the grid; kept (with its focus) while the grid's families stay the same."""
        if tuple(self.family_checks) == tuple(level.code for level in levels):
            for level in levels:
                self.family_checks[level.code].setText(level.label)
            return
        checked = set(self.requested_families())
        for box in self.family_checks.values():
            self.families_layout.removeWidget(box)
            box.deleteLater()
        self.family_checks = {}
        for i, level in enumerate(levels):
            box = QCheckBox(level.label)
            box.setChecked(level.code in checked)
            box.setAccessibleName(level.label)
            box.toggled.connect(lambda _on: self._update_ok())
            self.families_layout.insertWidget(i, box)
            self.family_checks[level.code] = box
        if self.family_checks:
            self.families_label.setBuddy(next(iter(self.family_checks.values())))
        self._set_tab_order()

    def _show_provenance(self, grid: Grid | None) -> None:
        family = self.current_family()
        if family == MEUBLES:
            self.provenance.setText("")
            return
        if grid is None and self.choices is None:
            status, text, tip = "loading", t("new_visit.grid.loading"), ""
        elif grid is None:
            status, text, tip = "missing", t("new_visit.grid.none", family=t(f"new_visit.family.{family}")), ""
        else:
            status = _status(grid)
            text = t(f"new_visit.provenance.{status}", source=grid.provenance.source_document)
            tip = f"{grid.title}\n{grid.provenance.source_document}"
        self.provenance.setText(text)
        self.provenance.setToolTip(tip)
        self.provenance.setStyleSheet(PROVENANCE_STYLE[status])
        self.grid.setAccessibleDescription(text)
        self.grid.setToolTip(tip)

    def _retitle_typology(self) -> None:
        th = self.current_family() == TH
        self.typology_label.setText(t("new_visit.filiere" if th else "new_visit.typology"))
        self.typology.setAccessibleName(_clean(self.typology_label.text()))

    def _typology_chosen(self, _index: int) -> None:
        self._typology_suggested = False

    def _suggest_typology(self) -> None:
        """The filière or typology the selected establishment's kind suggests, unless the user chose one."""
        if not self._typology_suggested or self.typology.count() == 0:
            return
        row = self.selected()
        code = SUGGESTED_TYPOLOGY.get(self.current_family(), {}).get(row.kind) if row is not None else None
        self.typology.blockSignals(True)
        self.typology.setCurrentIndex(self.typology.findData(code) if code else -1)
        self.typology.blockSignals(False)

    def _fill_partners(self) -> None:
        previous = self.partner.currentData()
        self.partner.blockSignals(True)
        self.partner.clear()
        required = self.current_kind() in PAIR_KINDS
        self.partner.addItem(t("new_visit.partner.choose" if required else "new_visit.partner.optional"), None)
        for user_id, name, role in self.choices.users if self.choices is not None else ():
            if user_id == self.ctx.user_id:
                continue
            role_text = t(ROLE_KEYS[role]) if role in ROLE_KEYS else role
            self.partner.addItem(t("new_visit.partner.item", name=name, role=role_text), user_id)
        index = self.partner.findData(previous) if previous else 0
        self.partner.setCurrentIndex(max(0, index))
        self.partner.blockSignals(False)

    def requested_families(self) -> list[str]:
        return [code for code, box in self.family_checks.items() if box.isChecked()]

    def _label_problems(self) -> list[tuple[str, str, QWidget]]:
        """Why a label visit cannot be created yet: (where, message, widget to focus)."""
        kind = self.current_kind()
        family = VISIT_KINDS[kind]
        if family == MEUBLES:
            return []
        grid = self.current_grid()
        if grid is None:
            return [("grid", self.provenance.text(), self.kind)]
        problems: list[tuple[str, str, QWidget]] = []
        if grid.typologies and self.typology.currentIndex() < 0:
            key = "new_visit.filiere.choose" if family == TH else "new_visit.typology.choose"
            problems.append(("hint", t(key), self.typology))
        if family == TH:
            needed = min(2 if kind in PAIR_KINDS else 1, len(grid.levels))
            ticked = len(self.requested_families())
            if ticked < needed:
                first = next(iter(self.family_checks.values()), self.grid)
                message = (t("new_visit.families.two", more=needed - ticked) if needed > 1
                           else t("new_visit.families.one"))
                problems.append(("families", message, first))
            if kind in PAIR_KINDS and self.partner.currentData() is None:
                problems.append(("hint", t("new_visit.partner.required"), self.partner))
        return problems

    # establishment search
    def search_now(self) -> None:
        """Run the search for the text as it is now (normally 200 ms after the last keystroke)."""
        self._search_timer.stop()
        if self.ctx.db is None:
            return
        self._generation += 1
        generation = self._generation
        self._searching = True
        self._search_kinds = ESTABLISHMENT_KINDS.get(self.current_family())
        self._update_ok()
        self.ctx.runner.run(search_establishments, self.ctx.db, self.search.text(), 50, self._search_kinds,
                            on_done=lambda rows: self._found_rows(generation, rows),
                            on_error=lambda exc: self._failed(generation, exc))

    def _row_text(self, r: EstablishmentRow) -> str:
        owner = f" · {r.owner}" if r.owner else ""
        kind = ""
        if self._search_kinds is None or len(self._search_kinds) > 1:
            kind = f" · {t(f'est_kind.{r.kind}') if f'est_kind.{r.kind}' in UI else r.kind}"
        return f"{r.name} — {r.commune}{owner}{kind}"

    def _found_rows(self, generation: int, rows: list[EstablishmentRow]) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self._searching = False
        previous = self.selected_id()
        self._found = {r.id: r for r in rows}
        self.results_model.clear()
        for r in rows:
            item = QStandardItem(self._row_text(r))
            item.setData(r.id, EstablishmentIdRole)
            item.setEditable(False)
            self.results_model.appendRow(item)
        ids = list(self._found)
        if ids:
            row = ids.index(previous) if previous in self._found else 0
            self.results.setCurrentIndex(self.results_model.index(row, 0))
        else:
            self._describe(None)
            self.about.setText(t("new_visit.none"))
        self._update_ok()

    def _show_results_text(self) -> None:
        for i in range(self.results_model.rowCount()):
            item = self.results_model.item(i)
            row = self._found.get(item.data(EstablishmentIdRole))
            if row is not None:
                item.setText(self._row_text(row))

    def _failed(self, generation: int, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        if generation != self._generation:
            return
        self._searching = False
        self.error.setText(t("new_visit.error", error=exc))
        self._update_ok()

    def selected_id(self) -> str | None:
        index = self.results.currentIndex()
        return index.data(EstablishmentIdRole) if index.isValid() else None

    def selected(self) -> EstablishmentRow | None:
        establishment_id = self.selected_id()
        return self._found.get(establishment_id) if establishment_id else None

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.selected()
        if row is not None:
            if self.current_family() == MEUBLES:
                self._set_kind(row.suggested_visit_kind)
                if row.current_category in CATEGORIES:
                    self.category.setCurrentIndex(CATEGORIES.index(row.current_category))
            else:
                self._suggest_typology()
        self._describe(row)
        self._update_ok()

    def _describe(self, row: EstablishmentRow | None) -> None:
        """What the office should know before planning: classified until when, last visit, a visit already open."""
        if row is None:
            self.about.setText("")
            return
        if self.current_family() != MEUBLES:
            est = t(f"est_kind.{row.kind}") if f"est_kind.{row.kind}" in UI else row.kind
            if row.last_visit_kind and row.last_visit_state:
                lines = [t("new_visit.label.last", est=est, kind=kind_label(row.last_visit_kind),
                           state=state_label(row.last_visit_state), date=date_text(row.last_visit_on))]
            else:
                lines = [t("new_visit.label.first", est=est)]
        elif row.current_category and row.category_valid_until:
            lines = [t("new_visit.renewal", cat=row.current_category, date=date_text(row.category_valid_until))]
        elif row.suggested_visit_kind == "renouvellement":
            lines = [t("new_visit.previous")]
        elif row.last_visit_kind and row.last_visit_state:
            lines = [t("new_visit.last", kind=kind_label(row.last_visit_kind), state=state_label(row.last_visit_state),
                       date=date_text(row.last_visit_on))]
        else:
            lines = [t("new_visit.first")]
        if row.open_visit_id:
            lines.append(t("new_visit.open"))
        self.about.setText("\n".join(lines))

    def _focus_first_field(self) -> None:
        """After choosing the establishment: the first thing the kind of visit still needs."""
        for widget in (self.category, self.grid, self.typology, *self.family_checks.values(), self.partner):
            if widget.isVisibleTo(self) and widget.isEnabled():
                widget.setFocus()
                return
        self.planned.setFocus()

    # creation
    def _update_ok(self) -> None:
        meuble = self.current_family() == MEUBLES
        problems = self._label_problems()
        self.families_hint.setText("\n".join(m for where, m, _w in problems if where == "families"))
        self.form.setRowVisible(self.families_hint, bool(self.families_hint.text()))
        self.hint.setText("\n".join(m for where, m, _w in problems if where == "hint"))
        self.hint.setVisible(bool(self.hint.text()))
        ready = (self.selected() is not None and (self.category.currentIndex() >= 0 if meuble else not problems)
                 and not self._saving)
        self.ok_button.setEnabled(ready)
        reason = problems[0][1] if problems else ""
        self.ok_button.setToolTip(reason)
        self.ok_button.setAccessibleDescription(reason)

    def values(self) -> dict[str, Any]:
        """What create_visit receives, as plain data."""
        kind = self.current_kind()
        family = VISIT_KINDS[kind]
        meuble = family == MEUBLES
        grid = None if meuble else self.current_grid()
        return {"establishment_id": self.selected_id(), "kind": kind,
                "requested_category": self.category.currentData() if meuble else None,
                "planned_on": self.planned.date().toPython(),
                "grid_id": grid.id if grid is not None else None,
                "requested_families": self.requested_families() if family == TH else [],
                "typology": (self.typology.currentData() or "") if grid is not None and grid.typologies else "",
                "second_evaluator_id": self.partner.currentData() if family == TH else None}

    def accept(self) -> None:
        if self._saving:
            return
        if self._search_timer.isActive():
            self.search_now()  # the list is changing under the user's Enter: let it settle first
            return
        if self._searching:
            return
        if self.selected() is None:
            self.error.setText(t("new_visit.choose"))
            self.search.setFocus()
            return
        if self.current_family() == MEUBLES and self.category.currentIndex() < 0:
            self.error.setText(t("new_visit.choose_category"))
            self.category.setFocus()
            return
        problems = self._label_problems()
        if problems:
            _where, message, widget = problems[0]
            self.error.setText(message)
            widget.setFocus()
            return
        self._saving = True
        self._update_ok()
        self.error.setText(t("new_visit.saving"))
        self.ctx.runner.run(create_visit, self.ctx.db, user_id=self.ctx.user_id, **self.values(),
                            on_done=self._created, on_error=self._create_failed)

    def _created(self, result: OpResult[str]) -> None:
        self.ctx.notify(result.changed)
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.created_visit_id = result.value
        self.error.setText("")
        self.ctx.message.emit(t("visits.created"), 3000)
        super().accept()
        self.created.emit(result.value)

    def _create_failed(self, exc: Exception) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        message = str(exc) if isinstance(exc, ServiceError) else f"{type(exc).__name__}: {exc}"
        self.error.setText(t("new_visit.error", error=message))
        self._update_ok()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Down and self.results_model.rowCount():
                self.results.setFocus()
                return True
        return super().eventFilter(obj, event)
