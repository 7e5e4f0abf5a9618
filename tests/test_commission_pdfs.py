"""Commission documents on a real database: the procès-verbal, the notification letters, the CHR attestation."""

from __future__ import annotations

import datetime as dt
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from inspector.db.database import Database
from inspector.reports.pictograms import DRAWN_NOTICE
from inspector.services import commission, documents
from inspector.services.common import ServiceError
from tests.test_commission import MEMBERS, MOTEUR_REFUSED, submitted_chr
from tests.test_label_decisions import add_agency, add_establishment, install_grids, th_visit

HELD = dt.date(2026, 3, 12)
SENT = dt.date(2026, 3, 16)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(BytesIO(pdf)).pages)


def render_png(pdf: bytes, folder: Path, name: str, dpi: int = 60) -> Path:
    """Page 1 as a PNG (pdftoppm)."""
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(source), str(folder / name)],
                   check=True, capture_output=True, timeout=120)
    images = sorted(folder.glob(f"{name}-*.png"))
    assert len(images) == 1
    return images[0]


def ink_ratio(png: Path) -> float:
    with Image.open(png) as img:
        grey = img.convert("L")
        return sum(grey.histogram()[:200]) / (grey.width * grey.height)


@pytest.fixture
def grids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install_grids(monkeypatch, tmp_path / "test-grids")


@pytest.fixture
def session(db: Database, grids: None) -> str:
    """A session with the S4 brasserie (auditif and visuel granted, moteur refused), a CHR granted and a T&H
    dossier adjourned."""
    add_agency(db)
    th_visit(db, add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras",
                                   owner="Karim Benali"))
    submitted_chr(db)
    th_visit(db, add_establishment(db, name="Musée de la Dentelle", kind="site", commune="Calais",
                                   owner="Ville de Calais"))
    sid = commission.create_session(db, held_on=HELD, place="Maison du tourisme, Arras", chair="Claire Dumont",
                                    members=MEMBERS, notes="Séance ordinaire de printemps.").value
    commission.build_agenda(db, session_id=sid)
    brasserie, chr_item, musee = commission.agenda(db, sid)
    commission.decide_item(db, item_id=brasserie.id, outcome="granted", families=MOTEUR_REFUSED)
    commission.decide_item(db, item_id=chr_item.id, outcome="granted")
    commission.decide_item(db, item_id=musee.id, outcome="adjourned",
                           motivation="Plan des cheminements intérieurs et attestation de la boucle magnétique.")
    return sid


def test_minutes_draft_then_closed(db: Database, session: str, tmp_path: Path) -> None:
    draft = commission.minutes_pdf(db, session)
    text = text_of(draft)
    assert "PROJET" in text and "Procès-verbal de la séance du 12/03/2026" in text
    for member in MEMBERS:
        assert member["name"] in text
    assert "excusé(e)" in text and "Associations de personnes handicapées" in text and "Services de l'État" in text
    assert "Quorum : non vérifié par Inspector" in text
    assert "Brasserie « Le Beffroi »" in text and "TH-2026-001" in text and "CHR-2026-001" in text
    assert "Porte d'entrée de 72 cm (77 cm exigés)." in text
    assert "Proposé : Auditif, Visuel ; non : Moteur" in text
    assert "Plan des cheminements intérieurs" in text and "ajourné" in text
    assert "du 12/03/2026 au 11/03/2031" in text
    commission.close_session(db, session_id=session)
    closed = commission.minutes_pdf(db, session)
    text = text_of(closed)
    assert "PROJET" not in text and "Claire Dumont" in text
    png = render_png(closed, tmp_path, "minutes", dpi=70)
    assert ink_ratio(png) > 0.02


def test_letters_once_per_dossier_with_families_validity_and_number(db: Database, session: str,
                                                                    tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="précède la séance"):
        commission.issue_letters(db, session_id=session, issued_on=HELD - dt.timedelta(days=1))
    issued = commission.issue_letters(db, session_id=session, issued_on=SENT).value
    assert len(issued) == 4  # three letters and the CHR attestation
    docs = commission.letters_of(db, session)
    assert sorted(d.kind for d in docs) == ["attestation", "notification", "notification", "notification"]
    assert all(documents.verify_document(db, d.id) for d in docs)
    assert commission.issue_letters(db, session_id=session, issued_on=SENT).value == []  # idempotent
    assert len(commission.letters_of(db, session)) == 4
    items = commission.agenda(db, session)
    by_visit = {d.visit_id: d for d in docs if d.kind == "notification"}
    brasserie = text_of(by_visit[items[0].visit_id].path.read_bytes())
    assert "Karim Benali" in brasserie and "Pas-de-Calais (fictive)" in brasserie
    assert "Label Tourisme & Handicap — décision de la commission du 12/03/2026" in brasserie
    assert "Auditif, Visuel" in brasserie and "TH-2026-001" in brasserie
    assert "du 12/03/2026 au 11/03/2031 inclus (5 ans)" in brasserie
    assert "Moteur : Porte d'entrée de 72 cm (77 cm exigés)." in brasserie
    assert "Claire Dumont" in brasserie and DRAWN_NOTICE[:40] in brasserie
    chr_text = text_of(by_visit[items[1].visit_id].path.read_bytes())
    assert "Qualification Chambre d'hôtes Référence — décision de la commission du 12/03/2026" in chr_text
    assert "CHR-2026-001" in chr_text and "attestation de qualification" in chr_text
    assert "pictogrammes officiels" not in chr_text
    adjourned = text_of(by_visit[items[2].visit_id].path.read_bytes())
    assert "ajourner" in adjourned and "Plan des cheminements intérieurs" in adjourned
    attestation = next(d for d in docs if d.kind == "attestation")
    assert "CHR-2026-001" in text_of(attestation.path.read_bytes())
    png = render_png(by_visit[items[0].visit_id].path.read_bytes(), tmp_path, "letter", dpi=70)
    assert ink_ratio(png) > 0.02


def test_official_pictograms_replace_the_drawn_ones(db: Database, session: str) -> None:
    folder = commission.pictograms_dir(db)
    folder.mkdir(parents=True)
    for family in ("auditif", "visuel"):
        Image.new("RGB", (120, 120), (20, 60, 160)).save(folder / f"{family}.png")
    commission.issue_letters(db, session_id=session, issued_on=SENT)
    items = commission.agenda(db, session)
    letter = next(d for d in commission.letters_of(db, session)
                  if d.kind == "notification" and d.visit_id == items[0].visit_id)
    pdf = letter.path.read_bytes()
    assert DRAWN_NOTICE[:40] not in text_of(pdf)
    assert b"/Subtype /Image" in pdf


def test_a_refused_label_letter_gives_the_reasons(db: Database, grids: None) -> None:
    add_agency(db)
    th_visit(db, add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras"),
             families=("auditif", "moteur"))
    sid = commission.create_session(db, held_on=HELD, place="Arras", members=MEMBERS[:1]).value
    commission.build_agenda(db, session_id=sid)
    item = commission.agenda(db, sid)[0]
    commission.decide_item(db, item_id=item.id, outcome="granted", families=MOTEUR_REFUSED)
    commission.issue_letters(db, session_id=sid, issued_on=SENT)
    text = text_of(commission.letters_of(db, sid)[0].path.read_bytes())
    assert "de ne pas attribuer le label Tourisme & Handicap" in text
    assert "au moins 2 familles" in text and "Moteur : Porte d'entrée de 72 cm" in text
