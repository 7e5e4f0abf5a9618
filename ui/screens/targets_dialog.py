"""The agency's yearly targets (meublés range, T&H advisory and attribution visits, new Accueil Vélo): edit, save."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.figures.targets import (
    DEFAULT_TARGETS,
    MAX_TARGET,
    Targets,
    has_own_targets,
    load_targets,
    save_targets,
)
from inspector.services.common import ServiceError

from ..context import AppContext
from ..strings import t

FIELDS = ("meubles_min", "meubles_max", "th_visits", "th_advisory", "th_attribution", "new_accueil_velo")


class TargetsDialog(QDialog):
    """One spin box per target; OK saves through the service (a quick single write) and tells the screens."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, year: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(t("targets.title"))
        intro = QLabel(t("targets.intro"))
        intro.setWordWrap(True)
        # Which targets: those of the dashboard's year, or the default ones (every year without its own).
        self.scope = QComboBox()
        self.scope.setAccessibleName(t("targets.scope"))
        if year is not None:
            own = ctx.db is not None and has_own_targets(ctx.db, year)
            self.scope.addItem(t("targets.scope.year", year=year) + ("" if own else t("targets.scope.inherited")),
                               year)
        self.scope.addItem(t("targets.scope.default"), None)
        self.scope.currentIndexChanged.connect(lambda _i: self._load())
        self.spins: dict[str, QSpinBox] = {}
        for name in FIELDS:
            spin = QSpinBox()
            spin.setRange(0, MAX_TARGET)
            spin.setAccessibleName(t(f"targets.{name}"))
            spin.valueChanged.connect(lambda _v: self._check())
            self.spins[name] = spin
        form = QFormLayout()
        form.addRow(t("targets.scope"), self.scope)
        meubles = QHBoxLayout()
        meubles.addWidget(self.spins["meubles_min"])
        to = QLabel(t("targets.meubles_max"))
        to.setBuddy(self.spins["meubles_max"])
        meubles.addWidget(to)
        meubles.addWidget(self.spins["meubles_max"])
        meubles.addStretch(1)
        form.addRow(t("targets.meubles_min"), meubles)
        for name in FIELDS[2:]:
            form.addRow(t(f"targets.{name}"), self.spins[name])
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: palette(placeholder-text);")
        self.defaults_button = QPushButton(t("targets.defaults"))
        self.defaults_button.setAutoDefault(False)
        self.defaults_button.clicked.connect(lambda: self.set_targets(DEFAULT_TARGETS))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.defaults_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._load()

    @property
    def year(self) -> int | None:
        """The year whose targets are edited (None: the default targets)."""
        return self.scope.currentData()

    def _load(self) -> None:
        self.set_targets(load_targets(self.ctx.db, self.year) if self.ctx.db is not None else DEFAULT_TARGETS)

    def set_targets(self, targets: Targets) -> None:
        for name, spin in self.spins.items():
            spin.setValue(getattr(targets, name))
        self._check()

    def targets(self) -> Targets:
        return Targets(**{name: spin.value() for name, spin in self.spins.items()})

    def _check(self) -> None:
        """A warning (not a refusal) when advisory + attribution differ from the T&H total."""
        tg = self.targets()
        total, parts = tg.th_visits, tg.th_advisory + tg.th_attribution
        self.message.setText(t("targets.sum_warning", sum=parts, total=total) if parts != total else "")

    def save(self) -> None:
        if self.ctx.db is None:
            return
        try:
            result = save_targets(self.ctx.db, targets=self.targets(), year=self.year, user_id=self.ctx.user_id)
        except ServiceError as exc:
            self.message.setText(t("targets.error", error=exc))
            return
        self.ctx.notify(result.changed)
        self.ctx.message.emit(t("targets.saved"), 4000)
        self.accept()
