"""The visit editor: criteria tree, criterion pane, live result, context, surfaces, photos; keyboard first."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector.grids.model import Grid
from inspector.scoring.answers import Answer, ScoringInputError
from inspector.services import queries, visits
from inspector.services.common import Incomplete, ServiceError, pinned_grid

from ..context import AppContext
from ..models.criteria_tree_model import CodeRole, CriteriaFilter, CriteriaTreeModel, KindRole
from ..strings import t
from ..widgets.context_editor import ContextEditor
from ..widgets.criterion_pane import CriterionPane, PaneState
from ..widgets.label_pane import FamilyLine, LabelPane, LabelPaneState
from ..widgets.label_record_panel import LabelRecordPanel
from ..widgets.label_result_panel import LabelResultPanel
from ..widgets.result_panel import ResultPanel

ANSWER_KEYS = {Qt.Key.Key_O: "yes", Qt.Key.Key_Y: "yes", Qt.Key.Key_N: "no", Qt.Key.Key_A: "na"}
LABEL_KEYS = {Qt.Key.Key_O: "yes", Qt.Key.Key_Y: "yes", Qt.Key.Key_N: "no", Qt.Key.Key_C: "nc", Qt.Key.Key_A: "nc"}
LOCKED = frozenset(visits.LOCKED_STATES)


def _load(db: Any, visit_id: str) -> tuple[Any, Grid]:
    """Worker side: the visit's plain data and its pinned grid."""
    detail = queries.visit_detail(db, visit_id)
    return detail, pinned_grid(detail.grid_id, detail.grid_version, detail.grid_sha256)


class VisitEditor(QWidget):
    """One visit, answered criterion by criterion. Answers are saved durably before the screen shows them."""

    back_requested = Signal()
    loaded = Signal(str)
    result_changed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.visit_id: str | None = None
        self.grid: Grid | None = None
        self.detail: Any = None
        self.answers: dict[str, Any] = {}
        self.label_answers: dict[tuple[str, str], Any] = {}  # label visits: (code, family) -> current answer
        self.previous: dict[str, Any] = {}
        self.photo_codes: set[str] = set()
        self.result: Any = None
        self.editable = False
        self.last_timing_ms = 0.0
        self._build()
        ctx.language_changed.connect(lambda _lang: self.retranslate())

    # ----- layout ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back = QPushButton()
        self.back.clicked.connect(self.back_requested.emit)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.surfaces_button = QPushButton()
        self.surfaces_button.clicked.connect(self.edit_surfaces)
        self.finish_button = QPushButton()
        self.finish_button.clicked.connect(self.finish)
        self.documents_button = QPushButton()
        self.documents_button.clicked.connect(self.open_documents)
        top.addWidget(self.back)
        top.addWidget(self.title, 1)
        top.addWidget(self.documents_button)
        top.addWidget(self.surfaces_button)
        top.addWidget(self.finish_button)
        outer.addLayout(top)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        outer.addWidget(self.message)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.filter_box = QComboBox()
        self.filter_box.setAccessibleName("Filtre des critères")
        self.filter_box.currentIndexChanged.connect(self._filter_changed)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Recherche de critère")
        self.search.textChanged.connect(self._search_changed)
        filters.addWidget(self.filter_box)
        filters.addWidget(self.search, 1)
        lv.addLayout(filters)
        self.model = CriteriaTreeModel(self)
        self.proxy = CriteriaFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName("Arbre des critères")
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.tree.installEventFilter(self)
        lv.addWidget(self.tree)
        split.addWidget(left)

        middle = QWidget()
        mv = QVBoxLayout(middle)
        mv.setContentsMargins(0, 0, 0, 0)
        self.pane = CriterionPane()
        self.pane.answered.connect(self._answer_from_pane)
        self.pane.comment_changed.connect(self._comment_from_pane)
        self.pane.installEventFilter(self)
        self.label_pane = LabelPane()
        self.label_pane.answered.connect(self._answer_from_label_pane)
        self.label_pane.comment_changed.connect(self._comment_from_pane)
        self.label_pane.installEventFilter(self)
        self.panes = QStackedWidget()
        self.panes.addWidget(self.pane)
        self.panes.addWidget(self.label_pane)
        mv.addWidget(self.panes, 3)
        self.photos = self._photos_panel()
        self.all_photos = QCheckBox()
        self.all_photos.setAccessibleName("Photos de toute la visite")
        self.all_photos.toggled.connect(lambda _on: self.show_current())
        if self.photos is not None:
            mv.addWidget(self.all_photos)
            mv.addWidget(self.photos, 2)
        split.addWidget(middle)

        self.side = QTabWidget()
        self.result_panel = ResultPanel()
        self.label_result_panel = LabelResultPanel()
        self.results = QStackedWidget()
        self.results.addWidget(self.result_panel)
        self.results.addWidget(self.label_result_panel)
        self.context_editor = ContextEditor()
        self.context_editor.changed.connect(self._context_changed)
        self.record_panel = LabelRecordPanel(self.ctx)
        self.record_panel.changed.connect(lambda: self.open_visit(self.visit_id) if self.visit_id else None)
        self.record_panel.decide_requested.connect(self.decide)
        from ..widgets.prerequisites_panel import PrerequisitesPanel

        self.prereq_panel = PrerequisitesPanel(self.ctx)
        self.prereq_panel.changed.connect(lambda: self.open_visit(self.visit_id) if self.visit_id else None)
        for widget in (self.results, self.context_editor, self.record_panel, self.prereq_panel):
            scroll = QScrollArea()
            scroll.setWidget(widget)
            scroll.setWidgetResizable(True)
            self.side.addTab(scroll, "")
        split.addWidget(self.side)
        split.setSizes([380, 560, 420])
        outer.addWidget(split, 1)

        for seq, slot in ((QKeySequence.StandardKey.Undo, self.undo), (QKeySequence("Ctrl+F"), self.focus_search),
                          (QKeySequence("Ctrl+S"), self.edit_surfaces), (QKeySequence("Ctrl+T"), self.finish),
                          (QKeySequence("Ctrl+D"), self.open_documents),
                          (QKeySequence("Ctrl+L"), lambda: self.tree.setFocus()),
                          (QKeySequence("Ctrl+R"), lambda: self.side.setCurrentIndex(0)),
                          (QKeySequence("Ctrl+K"), self._focus_context),
                          (QKeySequence("Ctrl+Return"), lambda: self.pane.comment.setFocus())):
            QShortcut(seq, self, activated=slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.setTabOrder(self.filter_box, self.search)
        self.setTabOrder(self.search, self.tree)
        self.setTabOrder(self.tree, self.pane.yes)
        self.retranslate()

    def _photos_panel(self) -> QWidget | None:
        try:
            from ..widgets.photos_panel import PhotosPanel
        except ImportError:
            return None
        return PhotosPanel(self.ctx)

    def retranslate(self) -> None:
        self.back.setText(t("editor.back"))
        self.surfaces_button.setText(t("editor.surfaces"))
        self.finish_button.setText(t("editor.finish"))
        self.documents_button.setText(t("editor.documents"))
        self.documents_button.setToolTip(t("editor.documents.tip"))
        self.search.setPlaceholderText(t("editor.search"))
        self.all_photos.setText(t("editor.all_photos"))
        current = self.filter_box.currentIndex()
        self.filter_box.blockSignals(True)
        self.filter_box.clear()
        for mode in CriteriaFilter.MODES:
            self.filter_box.addItem(t(f"editor.filter.{mode}"), mode)
        self.filter_box.setCurrentIndex(max(0, current))
        self.filter_box.blockSignals(False)
        self.pane.retranslate()
        self.context_editor.retranslate()
        self.side.setTabText(0, t("result.title") + "  (Ctrl+R)")
        self.side.setTabText(1, t("editor.context") + "  (Ctrl+K)")
        self.side.setTabText(2, t("label.record.tab"))
        self.side.setTabText(3, t("prereq.tab"))
        self.label_pane.retranslate()
        self.record_panel.retranslate()
        if self.result is not None and self.grid is not None:
            self._show_result()
        if self.photos is not None and hasattr(self.photos, "retranslate"):
            self.photos.retranslate()

    # ----- loading ---------------------------------------------------------------------------------------

    def open_visit(self, visit_id: str) -> None:
        """Load a visit off the UI thread, then show its first unanswered criterion."""
        self.visit_id = visit_id
        self.message.setText(t("app.opening"))
        self.ctx.runner.run(_load, self.ctx.db, visit_id, on_done=self._loaded, on_error=self._error)

    def _loaded(self, payload: tuple[Any, Grid]) -> None:
        detail, grid = payload
        if detail.row.id != self.visit_id:
            return
        self.detail, self.grid = detail, grid
        self.editable = detail.row.state not in LOCKED and not getattr(detail, "superseded", False)
        self.answers = {code: a for (code, level), a in detail.answers.items() if level == ""}
        self.label_answers = dict(detail.answers)
        self.previous = {code: a for (code, level), a in detail.previous.items() if level == ""}
        label = grid.kind != "meubles"
        self.panes.setCurrentWidget(self.label_pane if label else self.pane)
        self.results.setCurrentWidget(self.label_result_panel if label else self.result_panel)
        self.side.setTabVisible(2, label)
        velo = grid.kind == "accueil_velo"
        self.side.setTabVisible(3, velo)
        if velo and self.prereq_panel.visit_id != detail.row.id:
            self.prereq_panel.set_visit(detail.row.id)
        if label:
            self.record_panel.set_visit(detail.row.id, grid, detail)
        self.result = None
        self.photo_codes = {p["criterion"] for p in detail.photos if p["criterion"]}
        row = detail.row
        cat = f" — {row.requested_category}★" if row.requested_category else ""
        lock = f" · {t('editor.locked')}" if not self.editable else ""
        if row.state == "submitted":  # frozen for the commission, not merely finished
            lock = f" · {t('state.submitted')}"
        self.title.setText(f"{row.establishment} ({row.commune}){cat} · {grid.id}{lock}")
        codes = sorted({d.criterion for d in detail.disagreements})
        self.message.setText(t("label.disagreements", count=len(codes), codes=", ".join(codes)) if codes else "")
        self.model.set_grid(grid)
        self.tree.expandAll()
        self.context_editor.set_grid(grid, detail.context, self.editable)
        self.finish_button.setEnabled(self.editable)
        self.surfaces_button.setEnabled(grid.kind == "meubles")
        self._rescore()
        self.go_to(self.next_unanswered(None) or (self.model.codes() or [None])[0])
        self.tree.setFocus()
        self.loaded.emit(row.id)

    def _error(self, exc: Exception) -> None:
        self.message.setText(str(exc))
        self.ctx.message.emit(str(exc), 8000)

    # ----- scoring and display ------------------------------------------------------------------------------

    def _engine_answers(self) -> dict[str, Any]:
        return {code: Answer(a.value, a.points, a.na_reason, a.comment) for code, a in self.answers.items()}

    def is_label(self) -> bool:
        return self.grid is not None and self.grid.kind != "meubles"

    def _show_result(self) -> None:
        if self.is_label():
            self.label_result_panel.show_result(self.grid, self.result)
        else:
            self.result_panel.show_result(self.grid, self.result)

    def _rescore_label(self) -> None:
        """Label visits: per-family result from the current answers (every family at once, or one by one)."""
        from inspector.scoring.labels import score_label

        grid, detail = self.grid, self.detail
        answers = visits.answers_for_engine(grid, self.label_answers)
        try:
            self.result = score_label(grid, context=detail.context, answers=answers,
                                      requested=detail.requested_families or None,
                                      typology=detail.typology or None, partial=True)
        except ScoringInputError as exc:
            self.message.setText("\n".join(exc.problems))
            return
        requested = self.result.requested
        applies = self._label_applies()
        comments = self._label_comments()
        unanswered = {c for lv in requested for c in self.result.levels[lv].unanswered}
        failed_codes = {c for lv in requested for c in self.result.levels[lv].failed_mandatory}
        states = {}
        for crit in grid.criteria:
            if not applies(crit):
                states[crit.code] = ("off", False, False, False, "NA")
                continue
            lines = self._family_lines(crit, answers)
            live = [x for x in lines if x.status not in ("NA",)]
            if not live:
                states[crit.code] = ("off", False, False, False, "NA")
                continue
            values = {x.answer for x in live if x.status != "R"} or {x.answer for x in live}
            if "none" in values and crit.code in unanswered:
                state = "none"
            elif "no" in values:
                state = "no"
            elif values == {"nc"}:
                state = "nc"
            elif "yes" in values:
                state = "yes"
            else:
                state = "none" if "none" in values else "nc"
            failed = state == "no" and crit.code in failed_codes
            states[crit.code] = (state, bool(comments.get(crit.code)), crit.code in self.photo_codes, failed,
                                 live[0].status)
        self.model.update_states(states)
        self._show_result()
        self.result_changed.emit(self.result)

    def _label_applies(self) -> Any:
        typology = self.detail.typology or None
        return lambda crit: not crit.typologies or typology in crit.typologies

    def _family_lines(self, crit: Any, engine: dict[str, Any] | None = None) -> tuple[FamilyLine, ...]:
        """Each requested family's status and answer for one criterion (`engine`: the answers of the whole visit
        in the engine's shape, when the caller already has them)."""
        from inspector.scoring.applicability import effective_status

        grid, detail = self.grid, self.detail
        if engine is None:
            engine = visits.answers_for_engine(grid, {k: v for k, v in self.label_answers.items()
                                                      if k[0] == crit.code})
        raw = engine.get(crit.code)
        levels = (self.result.requested if self.result is not None else grid.level_codes)
        labels = {lv.code: lv.label for lv in grid.levels}
        lines = []
        for lv in levels:
            value = raw.get(lv) if isinstance(raw, dict) else raw
            status = effective_status(crit, lv, detail.context, self.result.settings if self.result else
                                      grid.settings).status
            label = labels[lv] if grid.kind == "tourisme_handicap" else t("label.single")
            lines.append(FamilyLine(lv, label, status, value or "none"))
        return tuple(lines)

    def _label_comment(self, code: str) -> str:
        found = [a for (c, _lv), a in self.label_answers.items() if c == code]
        return max(found, key=lambda a: a.seq).comment if found else ""

    def _label_comments(self) -> dict[str, str]:
        """The comment of each criterion's latest answer, in one pass (the tree is refreshed on every key)."""
        latest: dict[str, Any] = {}
        for (code, _lv), a in self.label_answers.items():
            if code not in latest or a.seq > latest[code].seq:
                latest[code] = a
        return {code: a.comment for code, a in latest.items()}

    def _rescore(self) -> None:
        grid, detail = self.grid, self.detail
        if grid is not None and detail is not None and grid.kind != "meubles":
            self._rescore_label()
            return
        if grid is None or detail is None:
            return
        from inspector.scoring.meubles import score_meuble

        measures = detail.measurements if detail.measurements.get("rooms") or detail.measurements.get("beds") \
            else None
        try:
            self.result = score_meuble(grid, category=detail.row.requested_category or 1, context=detail.context,
                                       answers=self._engine_answers(), measurements=measures, partial=True)
        except ScoringInputError as exc:  # a context the grid refuses: say it, keep the last result
            self.message.setText("\n".join(exc.problems))
            return
        states = {}
        for o in self.result.result.outcomes:
            a = self.answers.get(o.code)
            if o.status == "NA" and o.na_source in ("grid", "context"):
                state = "off"
            elif a is None:
                state = "none"
            else:
                state = a.value
            failed = state == "no" and o.status in ("X", "X ONC", "PRQ")
            states[o.code] = (state, bool(a and a.comment), o.code in self.photo_codes, failed, o.status)
        self.model.update_states(states)
        self._show_result()
        self.result_changed.emit(self.result)

    def current_code(self) -> str | None:
        idx = self.tree.currentIndex()
        if not idx.isValid() or idx.data(KindRole) != "criterion":
            return None
        return idx.data(CodeRole)

    def go_to(self, code: str | None) -> None:
        if code is None:
            return
        src = self.model.index_of(code)
        idx = self.proxy.mapFromSource(src)
        if not idx.isValid():
            self.proxy.set_mode("all")
            self.filter_box.setCurrentIndex(0)
            idx = self.proxy.mapFromSource(src)
        self.tree.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.tree.scrollTo(idx)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.show_current()

    def show_current(self) -> None:
        code = self.current_code()
        if code is None or self.grid is None or self.result is None:
            return
        if self.is_label():
            self._show_label_current(code)
            return
        crit = self.grid.criterion(code)
        outcome = next(o for o in self.result.result.outcomes if o.code == code)
        a = self.answers.get(code)
        prev = self.previous.get(code)
        prev_text = ""
        if self.detail and self.detail.previous_visit_id:
            prev_text = (f"{t('answer.' + prev.value) if prev.value in ('yes', 'no', 'na') else prev.value}"
                         + (f" ({prev.points} pt)" if prev.points is not None else "")
                         + (f" — « {prev.comment} »" if prev.comment else "")) if prev else t("answer.none")
        na_allowed = bool(crit.na_reasons) or outcome.status == "NA"
        st = PaneState(criterion=crit, status=outcome.status if outcome.na_source != "inspector" else
                       outcome.grid_status, grid_status=outcome.grid_status, status_reason=outcome.reason,
                       category=str(self.detail.row.requested_category or 1), answer=a.value if a else "none",
                       points=a.points if a else None, na_reason=a.na_reason if a else "",
                       comment=a.comment if a else "", na_allowed=na_allowed, previous=prev_text,
                       editable=self.editable)
        self.pane.show_state(self.grid, st)
        if self.photos is not None and self.visit_id:
            self.photos.set_visit(self.visit_id, None if self.all_photos.isChecked() else code, self.editable)

    def disagreement_text(self, code: str) -> str:
        """Both evaluators' answers to this criterion when they differ (observations merged from two laptops)."""
        found = [d for d in getattr(self.detail, "disagreements", ()) if d.criterion == code]
        if not found:
            return ""
        authors = self.detail.authors or {}
        words = {"yes": t("label.met"), "no": t("label.not_met"), "nc": t("label.nc"), "na": t("editor.na")}
        lines = []
        for d in found:
            sides = " | ".join(f"{authors.get(a.author_id or '', '?')} : {words.get(a.value, a.value)}"
                               + (f" « {a.comment} »" if a.comment else "") for a in d.answers)
            family = f" ({d.level})" if d.level else ""
            lines.append(t("label.disagreement", family=family, sides=sides))
        return "\n".join(lines)

    def _show_label_current(self, code: str) -> None:
        crit = self.grid.criterion(code)
        prev = [a for (c, _lv), a in self.detail.previous.items() if c == code] if self.detail.previous_visit_id \
            else []
        prev_text = ", ".join(f"{a.level or t('label.all_families')} : {a.value}" for a in prev) if prev else ""
        st = LabelPaneState(criterion=crit, lines=self._family_lines(crit), comment=self._label_comment(code),
                            previous=prev_text, editable=self.editable, disagreement=self.disagreement_text(code))
        self.label_pane.show_state(self.grid, st)
        if self.photos is not None and self.visit_id:
            self.photos.set_visit(self.visit_id, None if self.all_photos.isChecked() else code, self.editable)

    # ----- answering -----------------------------------------------------------------------------------------

    def next_unanswered(self, after: str | None) -> str | None:
        """The next criterion in tree order that still needs an answer for the requested category."""
        codes = self.model.codes()
        start = codes.index(after) + 1 if after in codes else 0
        for code in codes[start:] + codes[:start]:
            if code != after and self.model.node_state(code) == "none":
                return code
        return None

    def answer_current(self, value: str, points: int | None = None, na_reason: str = "") -> bool:
        code = self.current_code()
        if code is None:
            return False
        if self.is_label():
            return self.save_label_answer(code, value, "", advance=True)
        return self.save_answer(code, value, points, na_reason, advance=True)

    def save_label_answer(self, code: str, value: str, level: str, *, advance: bool,
                          comment: str | None = None) -> bool:
        """Label visits: one answer for every family (level "") or for one family; durable on return."""
        if not self.editable or self.visit_id is None or self.grid is None:
            return False
        started = time.perf_counter()
        try:
            res = visits.record_answer(self.ctx.db, visit_id=self.visit_id, criterion=code, value=value,
                                       level=level, author_id=self.ctx.user_id,
                                       comment=comment if comment is not None else self._label_comment(code))
        except ServiceError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText("")
        self.label_answers[(code, level)] = res.value
        if self.detail.disagreements:
            left = tuple(visits.disagreements(self.ctx.db, self.visit_id))
            self.detail = _replace(self.detail, disagreements=left)
            codes = sorted({d.criterion for d in left})
            self.message.setText(t("label.disagreements", count=len(codes), codes=", ".join(codes)) if codes else "")
        self._rescore()
        nxt = self.next_unanswered(code) if advance else None
        if nxt is not None:
            self.go_to(nxt)
        else:
            self.show_current()
        self.last_timing_ms = (time.perf_counter() - started) * 1000
        self.ctx.notify(res.changed)
        self.ctx.message.emit(f"{t('app.saved')} : {code}", 2000)
        return True

    def _answer_from_label_pane(self, code: str, value: str, level: str) -> None:
        self.save_label_answer(code, value, level, advance=level == "")

    def save_answer(self, code: str, value: str, points: int | None, na_reason: str, *, advance: bool,
                    comment: str | None = None) -> bool:
        """Save through the service (durable on return), then update tree, pane and result."""
        if not self.editable or self.visit_id is None or self.grid is None:
            return False
        started = time.perf_counter()
        crit = self.grid.criterion(code)
        if crit.graded and points is None and value in ("yes", "no"):
            points = crit.points if value == "yes" else 0
        keep = self.answers.get(code)
        try:
            res = visits.record_answer(self.ctx.db, visit_id=self.visit_id, criterion=code, value=value,
                                       points=points, na_reason=na_reason,
                                       comment=comment if comment is not None else (keep.comment if keep else ""),
                                       author_id=self.ctx.user_id)
        except ServiceError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText("")
        self.answers[code] = res.value
        self._rescore()
        if advance:
            nxt = self.next_unanswered(code)
            if nxt is not None:
                self.go_to(nxt)
            else:
                self.show_current()
        else:
            self.show_current()
        self.last_timing_ms = (time.perf_counter() - started) * 1000
        self.ctx.notify(res.changed)
        self.ctx.message.emit(f"{t('app.saved')} : {code}", 2000)
        return True

    def _answer_from_pane(self, code: str, value: str, points: object, na_reason: str) -> None:
        self.save_answer(code, value, points if isinstance(points, int) else None, na_reason,
                         advance=value != "na" or bool(na_reason))

    def _comment_from_pane(self, code: str, comment: str) -> None:
        if self.is_label():
            found = [a for (c, _lv), a in self.label_answers.items() if c == code]
            if not found:
                self.message.setText("Répondez d'abord au critère, puis ajoutez le commentaire.")
                return
            last = max(found, key=lambda a: a.seq)
            self.save_label_answer(code, last.value, last.level, advance=False, comment=comment)
            return
        a = self.answers.get(code)
        if a is None:
            self.message.setText("Répondez d'abord au critère, puis ajoutez le commentaire.")
            return
        self.save_answer(code, a.value, a.points, a.na_reason, advance=False, comment=comment)

    def undo(self) -> None:
        if not self.editable or self.visit_id is None:
            return
        try:
            res = visits.undo_last_answer(self.ctx.db, visit_id=self.visit_id, author_id=self.ctx.user_id)
        except ServiceError as exc:
            self.message.setText(str(exc))
            return
        if res.value is None:
            return
        current = visits.answers_of(self.ctx.db, self.visit_id)
        self.answers = {code: a for (code, level), a in current.items() if level == ""}
        self.label_answers = dict(current)
        self._rescore()
        self.go_to(res.value)
        self.ctx.notify(res.changed)

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt override
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.KeyPress and obj in (self.tree, self.pane, self.label_pane) and \
                not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            key = event.key()
            if self.is_label():
                if key in LABEL_KEYS:
                    self.answer_current(LABEL_KEYS[key])
                    return True
                return super().eventFilter(obj, event)
            if key in ANSWER_KEYS:
                self.answer_current(ANSWER_KEYS[key])
                return True
            if Qt.Key.Key_0 <= key <= Qt.Key.Key_5 and self.current_code() and self.grid and \
                    self.grid.criterion(self.current_code()).graded:
                points = key - Qt.Key.Key_0
                self.answer_current("yes" if points else "no", points)
                return True
        return super().eventFilter(obj, event)

    # ----- other actions --------------------------------------------------------------------------------------

    def _focus_context(self) -> None:
        self.side.setCurrentIndex(1)
        if self.context_editor.widgets:
            next(iter(self.context_editor.widgets.values())).setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _filter_changed(self, _index: int) -> None:
        self.proxy.set_mode(self.filter_box.currentData() or "all")
        self.tree.expandAll()

    def _search_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self.tree.expandAll()
        first = self._first_visible_criterion()
        if first is not None:
            self.go_to(first)

    def _first_visible_criterion(self) -> str | None:
        def walk(parent: QModelIndex) -> str | None:
            for row in range(self.proxy.rowCount(parent)):
                idx = self.proxy.index(row, 0, parent)
                if idx.data(KindRole) == "criterion":
                    return idx.data(CodeRole)
                found = walk(idx)
                if found:
                    return found
            return None

        return walk(QModelIndex())

    def _context_changed(self, values: dict[str, Any]) -> None:
        if not self.editable or self.visit_id is None:
            return
        try:
            res = visits.set_context(self.ctx.db, visit_id=self.visit_id, context=values, user_id=self.ctx.user_id)
        except ServiceError as exc:
            self.message.setText(str(exc))
            return
        self.detail = _replace(self.detail, context=res.value)
        self._rescore()
        self.show_current()
        self.ctx.notify(res.changed)

    def edit_surfaces(self) -> None:
        if self.grid is None or self.detail is None or self.grid.kind != "meubles":
            return
        from ..widgets.surfaces_dialog import SurfacesDialog

        dialog = SurfacesDialog(self.grid, self.detail.measurements, bool(self.detail.context.get("studio")), self)
        if not self.editable:
            dialog.setWindowTitle(dialog.windowTitle() + " — " + t("editor.locked"))
        if dialog.exec() and self.editable:
            rooms, beds = dialog.result()
            try:
                res = visits.set_measurements(self.ctx.db, visit_id=self.visit_id, rooms=rooms, beds=beds,
                                              user_id=self.ctx.user_id)
            except ServiceError as exc:
                self.message.setText(str(exc))
                return
            self.detail = _replace(self.detail, measurements=visits.measurements_for(self.ctx.db, self.visit_id))
            self._rescore()
            self.show_current()
            self.ctx.notify(res.changed)

    def finish(self) -> None:
        """Check completeness, list what is missing, or close the visit."""
        if not self.editable or self.visit_id is None:
            return
        try:
            res = visits.complete_visit(self.ctx.db, visit_id=self.visit_id, user_id=self.ctx.user_id)
        except Incomplete as exc:
            self.message.setText(t("editor.missing", count=len(exc.missing), codes=", ".join(exc.missing)))
            self.filter_box.setCurrentIndex(CriteriaFilter.MODES.index("unanswered"))
            self.go_to(exc.missing[0])
            return
        except ServiceError as exc:
            self.message.setText(str(exc))
            return
        self.ctx.notify(res.changed)
        self.ctx.message.emit(t("editor.completed"), 4000)
        self.open_visit(self.visit_id)

    def decide(self, *, modal: bool = True) -> Any:
        """The decision on a label evaluation (the computed result is only a proposal)."""
        if self.visit_id is None or self.grid is None or self.result is None or not self.is_label():
            return None
        from .label_decision_dialog import LabelDecisionDialog

        dialog = LabelDecisionDialog(self.ctx, self.visit_id, self.grid, self.result, parent=self)
        if not modal:
            return dialog
        if dialog.exec() and dialog.decision is not None:
            self.ctx.message.emit(t("decision.recorded", number=dialog.decision.number,
                                    status=dialog.decision.notice or dialog.decision.status), 6000)
            self.open_visit(self.visit_id)
        return dialog

    def open_documents(self) -> None:
        """Ctrl+D: the documents of the visit (window-modal); the visit is reloaded if something was recorded."""
        if self.visit_id is None or self.ctx.db is None:
            return
        from .documents_dialog import DocumentsDialog

        dialog = DocumentsDialog(self.ctx, self.visit_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        visit_id = self.visit_id
        dialog.finished.connect(lambda _r: self.open_visit(visit_id) if dialog.changed and self.visit_id == visit_id
                                else None)
        dialog.open()

    def confirm(self, text: str) -> bool:
        return QMessageBox.question(self, t("app.title"), text) == QMessageBox.StandardButton.Yes


def _replace(detail: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(detail, **changes)
