"""The owner's signature drawn on screen is kept with the visit and printed on the proposition."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from inspector.db.models import Visit
from inspector.services import documents
from inspector.services.signatures import owner_signature
from ui.screens.documents_dialog import DocumentsDialog
from ui.widgets.signature_pad import SignaturePad


def test_a_drawn_signature_reaches_the_certificat(qtbot, ctx) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(480, 180)
    assert pad.empty
    pad.add_stroke([(20, 120), (80, 40), (140, 130), (220, 50), (300, 140), (420, 60)])
    assert not pad.empty
    png = pad.png()
    assert png.startswith(b"\x89PNG")
    with ctx.db.session() as s:
        vid = s.scalar(select(Visit.id).where(Visit.state == "completed", Visit.kind == "classement").limit(1))
    def images(pdf: bytes) -> int:
        return sum(len(page.images) for page in PdfReader(BytesIO(pdf)).pages)

    before = images(documents.render(ctx.db, vid, "certificat", issued_on=dt.date(2026, 11, 25)))
    dialog = DocumentsDialog(ctx, vid)
    qtbot.addWidget(dialog)
    dialog.ask_signature = lambda: png
    dialog.ask_and_record_signature()
    path = owner_signature(ctx.db, vid)
    assert path is not None and path.read_bytes() == png
    with_signature = documents.render(ctx.db, vid, "certificat", issued_on=dt.date(2026, 11, 25))
    assert images(with_signature) == before + 1  # the drawing is printed on the proposition
    ctx.runner.wait_idle()
