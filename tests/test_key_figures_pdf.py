"""The yearly key-figures PDF: its text carries the figures and the targets, no names; every page renders."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from inspector.db.database import Database
from inspector.db.models import Organisation
from inspector.figures.counts import compute_figures
from inspector.figures.targets import Targets, save_targets
from inspector.reports.key_figures import render_key_figures, write_key_figures
from tests.test_figures import TODAY, build_agency


@pytest.fixture
def agency(db: Database) -> dict[str, str]:
    return build_agency(db)


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, timeout=60)
    return " ".join(out.stdout.decode("utf-8").split()).replace(" %", "%")  # « 2 % » may come out as « 2% »


@pytest.mark.usefixtures("agency")
def test_pdf_text_has_the_figures_and_targets(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        s.add(Organisation(name="Agence d'essai du Pas-de-Calais"))
        s.commit()
    save_targets(db, targets=Targets(180, 220, 30, 12, 18, 20))
    out = write_key_figures(db, year=2026, today=TODAY, out=tmp_path / "cc-2026.pdf")
    text = _text(out)
    assert "Chiffres-clés 2026" in text and "Agence d'essai du Pas-de-Calais" in text
    assert "données arrêtées au 25/11/2026" in text
    # activity against the targets (done, target, rate)
    assert "Meublés visités (classement et renouvellement) 3 180–220 2%" in text
    assert "Visites Tourisme & Handicap 3 30 10%" in text
    assert "dont visites-conseils 2 12 17%" in text
    assert "dont visites d'attribution 1 18 6%" in text
    assert "Nouveaux prestataires Accueil Vélo 2 20 10%" in text
    assert "3 / 180–220 (2%)" in text  # the progress chart's label
    # stocks: classified by area, labels, deadlines
    assert "Meublés classés au 25/11/2026 : 5" in text
    assert "CA du Boulonnais 4" in text and "Tilques (commune) 1" in text
    assert "Tourisme & Handicap 1" in text and "Accueil Vélo 3" in text
    assert "Certificats de visite en retard (plus d'un mois après la visite) 1" in text
    assert "Bruno Petit 2 2 3 0 7" in text
    # for the council: counts only, no establishment names
    assert "M2" not in text.split() and "Musée" not in text


@pytest.mark.usefixtures("agency")
def test_same_figures_same_bytes_and_pages_render(db: Database, tmp_path: Path) -> None:
    figures = compute_figures(db, year=2026, today=TODAY)
    first = render_key_figures(figures, generated_on=TODAY)
    assert first == render_key_figures(figures, generated_on=TODAY)
    source = tmp_path / "cc.pdf"
    source.write_bytes(first)
    pages = len(PdfReader(source).pages)
    assert pages >= 2
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(tmp_path / "page")], check=True,
                   capture_output=True, timeout=120)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages and all(p.stat().st_size > 1000 for p in images)


def test_empty_database_still_makes_a_document(db: Database, tmp_path: Path) -> None:
    out = write_key_figures(db, year=2024, today=TODAY, out=tmp_path / "empty.pdf")
    text = _text(out)
    assert "Chiffres-clés 2024" in text and "Aucune visite cette année" in text
    assert "Meublés classés au 25/11/2026 : 0" in text
