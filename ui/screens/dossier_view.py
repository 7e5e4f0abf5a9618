"""One commission dossier on one screen: establishment, evaluators, results per family, opinion, photos, report,
labels held, and the commission's decision per family beside the computed proposal."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inspector.services import commission
from inspector.services.common import ServiceError

from ..context import AppContext
from ..models.visit_list_model import kind_label
from ..strings import t
from ..widgets.commission_models import GREEN, ORANGE, RED, date_text, label_text
from ..widgets.photos_panel import PhotosPanel

OUTCOMES = ("granted", "refused", "adjourned")
ERROR_COLOUR = RED


def _text_of(value: Any) -> str:
    """A readable line for a prerequisite value (bool, date, list, nested dict)."""
    if isinstance(value, bool):
        return "✔" if value else "✘"
    if isinstance(value, dt.date):
        return date_text(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_text_of(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k} : {_text_of(v)}" for k, v in value.items()) or "—"
    return "—" if value in (None, "") else str(value)


class DecisionRow:
    """The widgets deciding one family (or the whole label): proposal, outcome, motivation, refusal reason."""

    def __init__(self, code: str, label: str, proposal: str):
        self.code, self.label, self.proposal = code, label, proposal
        self.name = QLabel(f"<b>{escape(label)}</b>")
        self.proposal_label = QLabel(t(f"dossier.proposal.{proposal}") if proposal in ("granted", "refused") else "—")
        self.proposal_label.setStyleSheet(f"color: {GREEN if proposal == 'granted' else RED};")
        self.outcome = QComboBox()
        for value in OUTCOMES:
            self.outcome.addItem(t(f"decision.{value}"), value)
        self.outcome.setCurrentIndex(OUTCOMES.index(proposal) if proposal in OUTCOMES else 0)
        self.outcome.setAccessibleName(f"{t('dossier.dcol.outcome')} — {label}")
        self.motivation = QLineEdit()
        self.motivation.setAccessibleName(f"{t('dossier.dcol.motivation')} — {label}")
        self.reason = QLineEdit()
        self.reason.setAccessibleName(f"{t('dossier.dcol.reason')} — {label}")
        self.departs = QLabel()
        self.departs.setStyleSheet(f"color: {ORANGE}; font-weight: 600;")
        self.outcome.currentIndexChanged.connect(lambda _i: self._update())
        self._update()

    @property
    def value(self) -> str:
        return str(self.outcome.currentData())

    def set_outcome(self, outcome: str) -> None:
        self.outcome.setCurrentIndex(OUTCOMES.index(outcome))

    def entry(self) -> dict[str, str]:
        return {"outcome": self.value, "motivation": self.motivation.text().strip(),
                "refusal_reason": self.reason.text().strip() if self.value == "refused" else ""}

    def set_enabled(self, enabled: bool) -> None:
        for w in (self.outcome, self.motivation):
            w.setEnabled(enabled)
        self.reason.setEnabled(enabled and self.value == "refused")

    def _update(self) -> None:
        self.reason.setEnabled(self.outcome.isEnabled() and self.value == "refused")
        self.departs.setText(t("dossier.departs") if self.proposal in OUTCOMES and self.value != self.proposal else "")

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.name, self.proposal_label, self.outcome, self.departs, self.motivation, self.reason)


class DossierView(QWidget):
    """Shows `commission.dossier()` for an agenda item and records the decision through `commission.decide_item`.

    `open_item(item, editable)` loads the dossier in the background (`loaded` is emitted); `record()` writes the
    decision (a fast single transaction) and shows the service's message when it refuses.
    """

    back_requested = Signal()
    loaded = Signal()
    decided = Signal(str)  # item id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.item: Any = None
        self.dossier: Any = None
        self.editable = False
        self.rows: list[DecisionRow] = []
        self._generation = 0
        self._build()
        ctx.language_changed.connect(self._language_changed)

    # ----- layout -----------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.back_button = QPushButton(t("dossier.back"))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_requested.emit)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 14pt; font-weight: 700;")
        self.title.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)

        # left: the dossier itself
        self.establishment = self._section_label()
        self.visit = self._section_label()
        self.evaluators = self._section_label()
        self.results = self._section_label(rich=True)
        self.opinion = self._section_label()
        self.sworn = self._section_label()
        self.prerequisites = self._section_label()
        self.previous = self._section_label()
        self.report_button = QPushButton(t("dossier.report"))
        self.report_button.setAutoDefault(False)
        self.report_button.clicked.connect(self.open_report)
        self.report_note = QLabel()
        self.photos = PhotosPanel(self.ctx)
        for button in (self.photos.import_button, self.photos.caption_button, self.photos.remove_button):
            button.setVisible(False)
        self.photos.setMinimumHeight(200)
        body = QWidget()
        lay = QVBoxLayout(body)
        self.groups: dict[str, QGroupBox] = {}
        for key, widgets in (("dossier.establishment", (self.establishment,)),
                             ("dossier.visit", (self.visit, self.evaluators)),
                             ("dossier.results", (self.results,)),
                             ("dossier.opinion", (self.opinion,)),
                             ("dossier.sworn", (self.sworn,)),
                             ("dossier.prerequisites", (self.prerequisites,)),
                             ("dossier.previous", (self.previous,)),
                             ("dossier.report.title", (self.report_note, self.report_button)),
                             ("dossier.photos", (self.photos,))):
            box = QGroupBox(t(key))
            box_lay = QVBoxLayout(box)
            for w in widgets:
                box_lay.addWidget(w, 0, Qt.AlignmentFlag.AlignLeft if isinstance(w, QPushButton) else
                                  Qt.AlignmentFlag(0))
            self.groups[key] = box
            lay.addWidget(box)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        # right: the decision
        self.decision_box = QGroupBox(t("dossier.decision"))
        dlay = QVBoxLayout(self.decision_box)
        self.proposal = QLabel()
        self.proposal.setWordWrap(True)
        self.proposal.setStyleSheet("font-weight: 600;")
        self.note = note = QLabel(t("dossier.decision.note"))
        note.setWordWrap(True)
        dlay.addWidget(self.proposal)
        dlay.addWidget(note)
        self.grid = QGridLayout()
        dlay.addLayout(self.grid)
        self.record_button = QPushButton(t("dossier.record"))
        self.record_button.setAutoDefault(False)
        self.record_button.clicked.connect(self.record)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recorded = QLabel()
        self.recorded.setWordWrap(True)
        self.recorded.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dlay.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignLeft)
        dlay.addWidget(self.error)
        dlay.addWidget(self.recorded)
        dlay.addStretch(1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(self.decision_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addWidget(split, 1)

    def _language_changed(self, _lang: str) -> None:
        """Static texts follow the language; the decision rows keep what is being typed."""
        if not shiboken6.isValid(self):
            return
        self.back_button.setText(t("dossier.back"))
        for key, box in self.groups.items():
            box.setTitle(t(key))
        self.decision_box.setTitle(t("dossier.decision"))
        self.note.setText(t("dossier.decision.note"))
        self.record_button.setText(t("dossier.record"))
        self.report_button.setText(t("dossier.report"))
        if self.item is not None:
            self.title.setText(t("dossier.title", position=self.item.position, name=self.item.establishment_name))

    @staticmethod
    def _section_label(rich: bool = False) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # ----- loading ------------------------------------------------------------------------------------------------

    def open_item(self, item: Any, editable: bool) -> None:
        """Show the dossier of an agenda item; `editable` when the person may decide and the session is open."""
        self.item, self.editable, self.dossier = item, editable, None
        self.title.setText(t("dossier.title", position=item.position, name=item.establishment_name))
        self.error.clear()
        self.recorded.clear()
        self.proposal.setText(item.proposal)
        self._generation += 1
        generation = self._generation
        self.photos.set_visit(item.visit_id, None, False)
        self.ctx.runner.run(commission.dossier, self.ctx.db, item.visit_id,
                            on_done=lambda d: self._loaded(generation, d),
                            on_error=lambda exc: self._failed(generation, exc))

    def _loaded(self, generation: int, dossier: Any) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self.dossier = dossier
        self._show()
        self.loaded.emit()

    def _failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation or not shiboken6.isValid(self):
            return
        self.error.setText(str(exc))
        self.loaded.emit()

    # ----- showing ------------------------------------------------------------------------------------------------

    def _show(self) -> None:
        d, item = self.dossier, self.item
        e = d.establishment
        place = " ".join(x for x in (e.get("postcode", ""), e.get("commune", "")) if x)
        lines = [str(e.get("name", "")), ", ".join(x for x in (e.get("address", ""), place) if x),
                 " · ".join(str(x) for x in (e.get("kind", ""), e.get("owner", "")) if x),
                 " · ".join(str(x) for x in (e.get("phone", ""), e.get("email", "")) if x)]
        self.establishment.setText("\n".join(x for x in lines if x))
        submitted = d.submitted_at.date() if isinstance(d.submitted_at, dt.datetime) else d.submitted_at
        self.visit.setText(f"{label_text(d.label)} — " + t("dossier.visit.text", kind=kind_label(d.visit_kind),
                                                            visited=date_text(d.visited_on),
                                                            submitted=date_text(submitted), grid=d.grid))
        self.evaluators.setText(t("dossier.evaluators", names=", ".join(d.evaluators) or "—"))
        self.groups["dossier.results"].setTitle(t("dossier.results") if d.label == "tourisme_handicap" else
                                                t("dossier.results.single"))
        self.results.setText(self._results_html(d.families))
        self.opinion.setText(d.opinion or t("dossier.none"))
        self.sworn.setText(d.sworn_statement or t("dossier.none"))
        self.prerequisites.setText("\n".join(f"{k} : {_text_of(v)}" for k, v in (d.prerequisites or {}).items())
                                   or t("dossier.none"))
        held = [t("dossier.previous.item", label=label_text(h.label),
                  families=f"({', '.join(h.families)})" if h.families else "", start=date_text(h.valid_from),
                  end=date_text(h.valid_until)) for h in d.previous_labels]
        self.previous.setText("\n".join(held) or t("dossier.previous.none"))
        self.report_button.setVisible(bool(d.report_path))
        self.report_note.setText("" if d.report_path else t("dossier.report.none"))
        self.report_note.setVisible(not d.report_path)
        self._decision_rows(d)
        decision = item.decision
        if decision is not None:
            self._show_decision(decision)
        self._apply_editable()

    @staticmethod
    def _results_html(families: Any) -> str:
        parts = []
        for f in families:
            proposal = f.get("proposal", "")
            colour, mark = (GREEN, "✔") if proposal == "granted" else (RED, "✘")
            head = (f"<p><span style='color:{colour}; font-weight:700'>{mark}</span> <b>{escape(str(f.get('label')))}"
                    f"</b> — {escape(t(f'dossier.proposal.{proposal}') if proposal else '')}")
            summary = f.get("summary", "")
            if summary:
                head += f"<br/>{escape(str(summary))}"
            failed = f.get("failed") or ()
            if failed:
                head += f"<br/><i>{escape(t('dossier.failed'))}</i><ul>" + "".join(
                    f"<li>{escape(str(code))} — {escape(str(text))}</li>" for code, text in failed) + "</ul>"
            parts.append(head + "</p>")
        return "".join(parts) or escape(t("dossier.none"))

    def _decision_rows(self, d: Any) -> None:
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.rows = []
        if d.label == "tourisme_handicap":
            families = [f for f in d.families]
            self.rows = [DecisionRow(str(f["code"]), str(f.get("label", f["code"])), str(f.get("proposal", "")))
                         for f in families]
        else:
            proposal = str(d.families[0].get("proposal", "")) if d.families else ""
            self.rows = [DecisionRow("label", label_text(d.label), proposal)]
        for col, key in enumerate(("dossier.dcol.family", "dossier.dcol.proposal", "dossier.dcol.outcome")):
            self.grid.addWidget(QLabel(f"<i>{escape(t(key))}</i>"), 0, col)
        for i, row in enumerate(self.rows):
            base = 1 + 3 * i
            name, proposal, outcome, departs, motivation, reason = row.widgets()
            self.grid.addWidget(name, base, 0)
            self.grid.addWidget(proposal, base, 1)
            self.grid.addWidget(outcome, base, 2)
            self.grid.addWidget(departs, base, 3)
            mlabel = QLabel(t("dossier.dcol.motivation"))
            mlabel.setBuddy(motivation)
            rlabel = QLabel(t("dossier.dcol.reason"))
            rlabel.setBuddy(reason)
            self.grid.addWidget(mlabel, base + 1, 0)
            self.grid.addWidget(motivation, base + 1, 1, 1, 3)
            self.grid.addWidget(rlabel, base + 2, 0)
            self.grid.addWidget(reason, base + 2, 1, 1, 3)

    def _show_decision(self, decision: Any) -> None:
        text = t("dossier.decided", number=decision.number, date=date_text(decision.decided_on),
                 notice=decision.notice)
        if decision.valid_until:
            text += "\n" + t("dossier.valid", start=date_text(decision.valid_from), end=date_text(decision.valid_until))
        colour = {"acquired": GREEN, "refused": RED}.get(decision.status, ORANGE)
        self.recorded.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.recorded.setText(text)
        by_code = {f.code: f for f in decision.family_decisions}
        for row in self.rows:
            fam = by_code.get(row.code)
            if fam is not None:
                row.set_outcome(fam.outcome)
                row.motivation.setText(fam.motivation)
                row.reason.setText(fam.refusal_reason)
            elif row.code == "label":
                row.set_outcome(decision.outcome if decision.outcome in OUTCOMES else "granted")
                row.motivation.setText(decision.motivation)
                row.reason.setText(decision.refusal_reason)

    def _apply_editable(self) -> None:
        can = self.editable and self.item is not None and self.item.decision is None and self.dossier is not None
        for row in self.rows:
            row.set_enabled(can)
        self.record_button.setEnabled(can)
        self.record_button.setVisible(self.editable)

    # ----- actions ------------------------------------------------------------------------------------------------

    def row(self, code: str) -> DecisionRow:
        return next(r for r in self.rows if r.code == code)

    def values(self) -> dict[str, Any]:
        """The arguments of `decide_item` from the panel: per family for T&H, for the label otherwise."""
        if self.dossier is not None and self.dossier.label == "tourisme_handicap":
            outcomes = {r.value for r in self.rows}
            overall = outcomes.pop() if len(outcomes) == 1 and outcomes <= {"refused", "adjourned"} else "granted"
            return {"outcome": overall, "families": {r.code: r.entry() for r in self.rows}}
        entry = self.rows[0].entry()
        return {"outcome": entry["outcome"], "motivation": entry["motivation"],
                "refusal_reason": entry["refusal_reason"]}

    def record(self) -> bool:
        """Record the decision; a refusal from the service (e.g. a departure without motivation) is shown here."""
        if self.item is None or self.dossier is None or not self.editable:
            return False
        self.error.clear()
        try:
            res = commission.decide_item(self.ctx.db, item_id=self.item.id, user_id=self.ctx.user_id, **self.values())
        except ServiceError as exc:
            self.error.setText(str(exc))
            return False
        decision = res.value
        self.ctx.notify(res.changed)
        self.item = _with_decision(self.item, decision)
        self._show_decision(decision)
        self.recorded.setText(t("dossier.recorded", number=decision.number, notice=decision.notice) + (
            "\n" + t("dossier.valid", start=date_text(decision.valid_from), end=date_text(decision.valid_until))
            if decision.valid_until else ""))
        self._apply_editable()
        self.decided.emit(self.item.id)
        return True

    def open_report(self) -> bool:
        if self.dossier is None or not self.dossier.report_path:
            return False
        return self.open_file(Path(self.dossier.report_path))

    def open_file(self, path: Path) -> bool:
        """Open a PDF with the system's viewer (tests replace this)."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _with_decision(item: Any, decision: Any) -> Any:
    import dataclasses

    return dataclasses.replace(item, decision=decision) if dataclasses.is_dataclass(item) else item
