"""Settings: the inspector's identity becomes the author of answers; the language switches; values persist."""

from __future__ import annotations

from inspector.db.models import User
from ui.settings_dialog import SettingsDialog


def test_settings_set_the_inspector_and_the_language(qtbot, ctx) -> None:
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.inspector.setText("Julie Caron")
    dialog.language.setCurrentIndex(1)
    dialog.photo_size.setValue(1600)
    with qtbot.waitSignal(ctx.language_changed):
        dialog.save()
    assert ctx.settings.value("ui/language") == "en" and int(ctx.settings.value("photos/max_side")) == 1600
    assert ctx.photo_max_side == 1600
    with ctx.db.session() as s:
        assert s.get(User, ctx.user_id).name == "Julie Caron"  # the demo's inspector, found by name
    again = SettingsDialog(ctx)
    qtbot.addWidget(again)
    assert again.inspector.text() == "Julie Caron" and again.language.currentData() == "en"
    ctx.set_language("fr")
