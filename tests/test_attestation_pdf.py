"""Attestations of a granted label (Chambre d'hôtes Référence, Accueil Vélo): issued, read back and rendered."""

from __future__ import annotations

import datetime as dt
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from inspector.db.database import Database
from inspector.grids.registry import bundled_grids_dir
from inspector.services import documents
from inspector.services.common import ServiceError
from inspector.services.label_decisions import record_label_decision
from tests.test_label_decisions import (
    DECIDED,
    add_agency,
    add_establishment,
    av_visit,
    chr_visit,
    install_grids,
    run_cli,
    th_visit,
)

ISSUED = dt.date(2026, 3, 16)
SHIPPED_CHR = bundled_grids_dir() / "CHR-EXEMPLE-2026.json"


def pages(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(BytesIO(pdf)).pages]


@pytest.fixture
def grids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    install_grids(monkeypatch, tmp_path / "test-grids")


def decided_chr(db: Database, grid_id: str = "CHR-EXEMPLE-TEST") -> str:
    auditor = add_agency(db)
    est = add_establishment(db, name="Chambres d'hôtes « Le Blanc-Nez »", rooms=3, capacity=6,
                            declaration_number="CH-62-0042")
    vid = chr_visit(db, est, grid_id=grid_id, evaluator_id=auditor)
    record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted",
                          decided_by="Commission départementale du 12 mars 2026")
    return vid


def render_png(pdf: bytes, folder: Path, name: str) -> Path:
    """Page 1 as a PNG (pdftoppm, like tests/test_reports.py)."""
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(source), str(folder / name)],
                   check=True, capture_output=True, timeout=120)
    images = sorted(folder.glob(f"{name}-*.png"))
    assert len(images) == 1
    return images[0]


def ink_ratio(png: Path) -> float:
    """Share of the page's pixels that are not (nearly) white."""
    with Image.open(png) as img:
        grey = img.convert("L")
        dark = sum(grey.histogram()[:200])
        return dark / (grey.width * grey.height)


@pytest.mark.parametrize("grid_id", ["CHR-EXEMPLE-TEST", "CHR-EXEMPLE-2026"])
def test_chambre_hotes_reference_attestation(db: Database, grids: None, tmp_path: Path, grid_id: str) -> None:
    if grid_id == "CHR-EXEMPLE-2026" and not SHIPPED_CHR.exists():
        pytest.skip("grille d'exemple CHR-EXEMPLE-2026 non livrée dans grids/")
    vid = decided_chr(db, grid_id)
    info = documents.issue_document(db, visit_id=vid, kind="attestation", issued_on=ISSUED).value
    assert info.kind == "attestation" and info.revision == 1 and documents.verify_document(db, info.id)
    pdf = info.path.read_bytes()
    texts = pages(pdf)
    assert len(texts) == 1, "the attestation is one page"
    text = texts[0]
    assert "Attestation de qualification Chambre d'hôtes Référence" in text
    assert "Attestation n° CHR-2026-001" in text and "Document CHR-2026-001" in text
    assert "Chambres d'hôtes « Le Blanc-Nez » 3 chemin des Dunes 62179 Escalles" in text
    assert "Exploitant Hélène Vasseur" in text
    assert "3 chambres — 6 personnes au plus" in text and "CH-62-0042" in text
    assert "n° CHR-2026-001 du 12/03/2026 Commission départementale du 12 mars 2026" in text
    assert "du 12/03/2026 au 11/03/2031 inclus (5 ans)" in text
    assert f"Grille {grid_id}, version" in text and "grille d'exemple — non officielle" in text
    assert "ne vaut pas qualification officielle" in text
    assert "exemple — non officielle — ne vaut pas grille officielle" in text  # page decoration
    assert "Fait le 16/03/2026, pour Agence d'attractivité du Pas-de-Calais (fictive)" in text
    assert "Claire Dumont" in text and "Directrice" in text
    assert "vu la visite d'audit du 20/02/2026 réalisée par Julie Caron" in text
    # Same data, same bytes (the stored PDF is the one a preview shows).
    assert documents.render(db, vid, "attestation", issued_on=ISSUED) == pdf
    png = render_png(pdf, tmp_path, "chr")
    with Image.open(png) as img:
        assert img.width < img.height  # A4 portrait
    assert ink_ratio(png) > 0.02, "page 1 looks blank"


def test_accueil_velo_attestation(db: Database, grids: None, tmp_path: Path) -> None:
    add_agency(db)
    est = add_establishment(db, name="Chambres d'hôtes « Les Galets »", commune="Wissant")
    vid = av_visit(db, est)
    record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="granted")
    pdf = documents.issue_document(db, visit_id=vid, kind="attestation", issued_on=ISSUED).value.path.read_bytes()
    texts = pages(pdf)
    assert len(texts) == 1
    text = texts[0]
    assert "Attestation Accueil Vélo" in text and "Attestation n° AV-2026-001" in text
    assert "pour la typologie « Hébergement »" in text and "Typologie Hébergement" in text
    assert "du 12/03/2026 au 11/03/2029 inclus (3 ans)" in text
    assert "Grille AV-EXEMPLE-TEST, version test-1 — grille d'exemple — non officielle" in text
    assert ink_ratio(render_png(pdf, tmp_path, "av")) > 0.02


def test_attestation_needs_a_granting_decision(db: Database, grids: None) -> None:
    add_agency(db)
    est = add_establishment(db, name="Chambres d'hôtes « Le Blanc-Nez »", rooms=3, capacity=6)
    vid = chr_visit(db, est)
    with pytest.raises(ServiceError, match="une fois la décision d'attribution enregistrée"):
        documents.issue_document(db, visit_id=vid, kind="attestation", issued_on=ISSUED)
    with pytest.raises(ServiceError, match="Aucune décision n'est enregistrée"):
        documents.render(db, vid, "attestation", issued_on=ISSUED)
    draft = pages(documents.render(db, vid, "attestation", issued_on=ISSUED, draft=True))[0]
    assert "PROJET — document sans valeur" in draft and "aucune décision enregistrée" in draft
    record_label_decision(db, visit_id=vid, decided_on=DECIDED, outcome="refused",
                          refusal_reason="Table du petit-déjeuner non dressée.", motivation="Constat de visite.")
    with pytest.raises(ServiceError, match="une fois la décision d'attribution enregistrée"):
        documents.issue_document(db, visit_id=vid, kind="attestation", issued_on=ISSUED)
    with pytest.raises(ServiceError, match="La décision n° CHR-2026-001 est refusée : pas d'attestation"):
        documents.render(db, vid, "attestation", issued_on=ISSUED)
    th_est = add_establishment(db, name="Brasserie « Le Beffroi »", kind="restaurant", commune="Arras")
    th = th_visit(db, th_est)
    record_label_decision(db, visit_id=th, decided_on=DECIDED, outcome="granted", refusal_reason="Porte étroite.")
    with pytest.raises(ServiceError, match="L'attestation concerne la qualification Chambre d'hôtes Référence"):
        documents.issue_document(db, visit_id=th, kind="attestation", issued_on=ISSUED)


def test_attestation_dated_before_the_decision_is_refused(db: Database, grids: None) -> None:
    vid = decided_chr(db)
    with pytest.raises(ServiceError, match="précède la décision du 12/03/2026"):
        documents.issue_document(db, visit_id=vid, kind="attestation", issued_on=DECIDED - dt.timedelta(days=1))
    assert documents.list_documents(db, vid) == []


def test_reissue_is_a_revision(db: Database, grids: None) -> None:
    vid = decided_chr(db)
    documents.issue_document(db, visit_id=vid, kind="attestation", issued_on=ISSUED)
    with pytest.raises(ServiceError, match="demande un motif"):
        documents.issue_document(db, visit_id=vid, kind="attestation", issued_on=ISSUED)
    second = documents.issue_document(db, visit_id=vid, kind="attestation", issued_on=ISSUED,
                                      reason="Adresse corrigée").value
    assert second.revision == 2
    assert "remplace la révision 1" in pages(second.path.read_bytes())[0]


def test_cli_report_attestation(db: Database, grids: None, tmp_path: Path) -> None:
    vid = decided_chr(db)
    out = tmp_path / "attestation.pdf"
    done = run_cli(db, "report", vid[:8], "--kind", "attestation", "--issue", "--date", "2026-03-16",
                   "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Émis : Attestation, révision 1" in done.stdout
    assert "CHR-2026-001" in pages(out.read_bytes())[0]
    other = add_establishment(db, name="Chambres d'hôtes « La Falaise »", rooms=2, capacity=4)
    undecided = chr_visit(db, other)
    refused = run_cli(db, "report", undecided, "--kind", "attestation", "--issue")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "décision d'attribution enregistrée" in refused.stderr
