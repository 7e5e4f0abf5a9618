"""Settings: inspector identity, agency, language, data folder, photo size (UI state in QSettings)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from .context import AppContext
from .strings import t


class SettingsDialog(QDialog):
    """Edits the user's settings; the data folder takes effect at the next start."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(t("settings.title"))
        form = QFormLayout(self)
        s = ctx.settings
        self.inspector = QLineEdit(str(s.value("inspector/name", "")))
        self.inspector.setAccessibleName(t("settings.inspector"))
        self.agency = QLineEdit(str(s.value("agency/name", "")))
        self.agency.setAccessibleName(t("settings.agency"))
        self.language = QComboBox()
        self.language.addItem("Français", "fr")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(1 if str(s.value("ui/language", "fr")) == "en" else 0)
        self.language.setAccessibleName(t("settings.language"))
        self.data_dir = QLineEdit(str(s.value("data/dir", str(ctx.data_dir))))
        self.data_dir.setAccessibleName(t("settings.data_dir"))
        self.photo_size = QSpinBox()
        self.photo_size.setRange(0, 8000)
        self.photo_size.setSingleStep(256)
        self.photo_size.setValue(int(s.value("photos/max_side", 2048)))
        self.photo_size.setAccessibleName(t("settings.photo_size"))
        form.addRow(t("settings.inspector"), self.inspector)
        form.addRow(t("settings.agency"), self.agency)
        form.addRow(t("settings.language"), self.language)
        form.addRow(t("settings.data_dir"), self.data_dir)
        form.addRow("", QLabel("(pris en compte au prochain démarrage)"))
        form.addRow(t("settings.photo_size"), self.photo_size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        s = self.ctx.settings
        name = self.inspector.text().strip()
        s.setValue("inspector/name", name)
        if name and self.ctx.db is not None:
            from inspector.services.common import ServiceError
            from inspector.services.local_user import ensure_inspector

            try:
                self.ctx.user_id = ensure_inspector(self.ctx.db, name=name)
            except ServiceError as exc:
                self.inspector.setToolTip(str(exc))
                return
            s.setValue("inspector/user_id", self.ctx.user_id)
        s.setValue("agency/name", self.agency.text().strip())
        s.setValue("data/dir", self.data_dir.text().strip())
        s.setValue("photos/max_side", self.photo_size.value())
        lang = self.language.currentData()
        if lang != str(s.value("ui/language", "fr")):
            self.ctx.set_language(lang)
        s.sync()
        self.accept()
