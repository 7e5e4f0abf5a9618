"""Visit documents on the demo agency: certificat, décision, visite-conseil and label reports, read from the PDF."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from inspector.db.database import Database, open_database
from inspector.db.models import Establishment, Organisation, Photo, User, Visit
from inspector.demo_data import build_demo_database
from inspector.i18n import number
from inspector.reports.data import collect
from inspector.services import photos, visits
from inspector.services.common import ServiceError
from inspector.services.documents import render
from inspector.services.photos import photos_root
from tests.conftest import DATA

TODAY = dt.date(2026, 11, 25)
GRIDS = DATA / "grids"
REFUSAL_NOTICE = ("Le loueur du meublé ou son mandataire dispose d'un délai de quinze jours à compter de la réception "
                  "de ce certificat de visite pour refuser la proposition de classement. A l'expiration de ce délai et "
                  "en l'absence de refus, le classement est acquis. Le classement est prononcé pour une durée de cinq "
                  "ans.")
NON_OFFICIAL = "ne vaut pas grille officielle"


# ----- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo agency, built once for the module (documents are only read from it)."""
    folder = tmp_path_factory.mktemp("reports-demo")
    database = open_database(folder / "inspector.sqlite")
    build_demo_database(database, today=TODAY)
    database.close()
    return folder


@pytest.fixture(scope="module")
def db(demo_folder: Path) -> Iterator[Database]:
    database = open_database(demo_folder / "inspector.sqlite")
    yield database
    database.close()


@pytest.fixture
def scratch_db(tmp_path: Path, demo_folder: Path) -> Iterator[Database]:
    """A private copy of the demo agency, for tests that change it (photos deleted, logo, new visits)."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(demo_folder / "inspector.sqlite", folder / "inspector.sqlite")
    if (demo_folder / "photos").exists():
        shutil.copytree(demo_folder / "photos", folder / "photos")
    database = open_database(folder / "inspector.sqlite")
    yield database
    database.close()


def find_visit(db: Database, *, state: str, kind: str, photos_wanted: bool | None = False,
               establishment: str | None = None) -> str:
    """The first visit (by establishment name) matching, with or without photos."""
    with db.session() as s:
        q = (select(Visit.id).join(Establishment, Establishment.id == Visit.establishment_id)
             .where(Visit.state == state, Visit.kind == kind, Visit.superseded.is_(False))
             .order_by(Establishment.name, Visit.visited_on))
        if establishment:
            q = q.where(Establishment.name == establishment)
        for vid in s.scalars(q):
            has = s.scalar(select(Photo.id).where(Photo.visit_id == vid).limit(1)) is not None
            if photos_wanted is None or has == photos_wanted:
                return vid
    raise AssertionError(f"no {kind} visit in state {state} in the demo")


def pages(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace collapsed (line wraps, no-break spaces) so that sentences can be searched."""
    return " ".join(text.split())


def user_id(db: Database, name: str) -> str:
    with db.session() as s:
        return s.scalar(select(User.id).where(User.name == name))


def jpeg(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (640, 480), colour).save(path, "JPEG", quality=80)
    return path


# ----- certificat de visite -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificat(db: Database) -> tuple[str, bytes]:
    vid = find_visit(db, state="completed", kind="classement")
    return vid, render(db, vid, "certificat", issued_on=TODAY)


def test_certificat_states_the_facts(db: Database, certificat: tuple[str, bytes]) -> None:
    vid, pdf = certificat
    data = collect(db, vid)
    texts = pages(pdf)
    whole = flat("\n".join(texts))
    start = next(i for i, t in enumerate(texts) if "2. Grille de contrôle" in t)
    end = next(i for i, t in enumerate(texts) if "3. Proposition de décision de classement" in t)
    grille = "\n".join(texts[start:end])
    missing = [n for n in range(1, 134) if not re.search(rf"(?m)^{n}$", grille)]
    assert not missing, f"criteria absent from the grille: {missing}"
    lines = data.result.categories[str(data.requested_category)].lines
    for label, value in (("Total des points obligatoires applicables (hors non applicables)", lines.a),
                         ("Total des points obligatoires obtenus", lines.c),
                         ("Points à la carte à obtenir en compensation (3 × (a − c))", lines.d),
                         ("Total des points à la carte applicables", lines.e),
                         ("Total des points à la carte obtenus", lines.h)):
        assert f"{label} {number(value)}" in whole
    r = data.result.categories[str(data.requested_category)]
    assert f"(95 % de a) {number(r.compared_b)}" in whole
    assert f"Total des points à la carte à atteindre (d + f) {number(r.compared_g)}" in whole
    assert data.owner.name in whole
    assert f"Capacité d'accueil {data.capacity} personne(s)" in whole
    assert f"{data.requested_category} étoiles" in whole
    assert REFUSAL_NOTICE in whole


def test_certificat_body_keeps_no_break_spaces(certificat: tuple[str, bytes]) -> None:
    """French typography in body text: an unbreakable space before « ; » (ReportLab breaks at U+202F)."""
    from inspector.reports.base import NBSP, NNBSP, fr

    assert fr("contrôle ; b) « oui » : non !") == f"contrôle{NNBSP}; b) «{NBSP}oui{NBSP}»{NBSP}: non{NNBSP}!"
    for page in pages(certificat[1]):  # ReportLab prints the no-break space as a space, but never breaks there
        assert not any(line.lstrip().startswith((";", ":", "!", "?", "»")) for line in page.splitlines())
    assert "contrôle ; b)" in pages(certificat[1])[0]


def test_certificat_refused_until_the_visit_is_completed_and_draft_marked(db: Database) -> None:
    vid = find_visit(db, state="in_progress", kind="classement")
    with pytest.raises(ServiceError, match="La visite n'est pas terminée"):
        render(db, vid, "certificat", issued_on=TODAY)
    texts = pages(render(db, vid, "certificat", issued_on=TODAY, draft=True))
    assert len(texts) > 1
    assert all("PROJET" in t for t in texts)


def test_same_visit_same_bytes(db: Database, certificat: tuple[str, bytes]) -> None:
    vid, pdf = certificat
    assert render(db, vid, "certificat", issued_on=TODAY) == pdf
    decision = find_visit(db, state="acquired", kind="classement", establishment="Villa « Les Oyats »")
    assert render(db, decision, "decision", issued_on=TODAY) == render(db, decision, "decision", issued_on=TODAY)
    conseil = find_visit(db, state="completed", kind="visite_conseil")
    assert render(db, conseil, "conseil", issued_on=TODAY) == render(db, conseil, "conseil", issued_on=TODAY)


def test_missing_logo_renders_without_it_and_says_so(scratch_db: Database) -> None:
    with scratch_db.session() as s:
        s.scalar(select(Organisation)).logo_path = "/nulle/part/logo.png"
        s.commit()
    vid = find_visit(scratch_db, state="completed", kind="classement")
    assert "logo introuvable (/nulle/part/logo.png) : document édité sans logo" in flat(
        "\n".join(pages(render(scratch_db, vid, "certificat", issued_on=TODAY))))
    decision = find_visit(scratch_db, state="acquired", kind="classement", establishment="Villa « Les Oyats »")
    texts = pages(render(scratch_db, decision, "decision", issued_on=TODAY))
    assert len(texts) == 1 and "logo introuvable" in flat(texts[0])


def test_logo_is_drawn_on_the_decision(scratch_db: Database, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (20, 60, 140)).save(logo)
    with scratch_db.session() as s:
        s.scalar(select(Organisation)).logo_path = str(logo)
        s.commit()
    decision = find_visit(scratch_db, state="acquired", kind="classement", establishment="Villa « Les Oyats »")
    page = PdfReader(BytesIO(render(scratch_db, decision, "decision", issued_on=TODAY))).pages[0]
    assert len(page.images) == 1 and "logo introuvable" not in page.extract_text()


def test_certificat_with_a_missing_photo_file(scratch_db: Database) -> None:
    vid = find_visit(scratch_db, state="completed", kind="renouvellement", photos_wanted=True)
    with scratch_db.session() as s:
        stored = s.scalars(select(Photo.stored_path).where(Photo.visit_id == vid)).first()
    (photos_root(scratch_db) / stored).unlink()
    whole = flat("\n".join(pages(render(scratch_db, vid, "certificat", issued_on=TODAY))))
    assert "Photo indisponible (fichier absent ou illisible)" in whole
    assert "fichier introuvable, remplacée par un cadre vide" in whole


# ----- décision de classement -----------------------------------------------------------------------------------


def test_decision_of_an_acquired_classement(db: Database) -> None:
    vid = find_visit(db, state="acquired", kind="classement", establishment="Villa « Les Oyats »")
    data = collect(db, vid)
    texts = pages(render(db, vid, "decision", issued_on=TODAY))
    assert len(texts) == 1, "the décision is a single page to display"
    text = flat(texts[0])
    assert "Décision de classement d'un meublé de tourisme" in text
    assert f"Décision n° DC-{data.acquired_on.year}-{data.short_id}" in text
    assert "Loueur Philippe Marquis " + " ".join(data.owner.lines) in text
    assert f"Mandataire {data.mandataire.name}" in text
    assert flat("Meublé Villa « Les Oyats » " + " ".join(data.establishment.lines)) in text
    assert "Capacité d'accueil 6 personnes" in text
    assert "★★★★ 4 étoiles" in text
    assert f"Date de classement {data.acquired_on:%d/%m/%Y}" in text
    assert f"Valable jusqu'au {data.valid_until:%d/%m/%Y} inclus" in text
    assert data.valid_until == dt.date(data.acquired_on.year + 5, data.acquired_on.month,
                                       data.acquired_on.day) - dt.timedelta(days=1)
    assert "doit afficher cette décision de classement de manière visible à l'intérieur du meublé" in text
    assert data.accreditation in text and data.signatory in text


def test_decision_refused_before_acquisition_and_draft_marked(db: Database) -> None:
    vid = find_visit(db, state="issued", kind="classement")
    with pytest.raises(ServiceError, match="une fois le classement acquis"):
        render(db, vid, "decision", issued_on=TODAY)
    texts = pages(render(db, vid, "decision", issued_on=TODAY, draft=True))
    assert all("PROJET" in t for t in texts)
    with pytest.raises(ServiceError, match="une visite-conseil n'en produit pas"):
        render(db, find_visit(db, state="completed", kind="visite_conseil"), "decision", issued_on=TODAY, draft=True)


# ----- rapport de visite-conseil --------------------------------------------------------------------------------


def test_advisory_report_of_s3(db: Database) -> None:
    vid = find_visit(db, state="completed", kind="visite_conseil")
    data = collect(db, vid)
    text = flat("\n".join(pages(render(db, vid, "conseil", issued_on=TODAY))))
    assert "Ce rapport est un conseil. Il ne constitue ni un certificat de visite ni une décision de classement" in text
    assert "Objectif : 3 étoiles ★★★" in text and "Catégorie supérieure : 4 étoiles ★★★★" in text
    three = data.result.categories["3"]
    missing = [o for o in three.failed_mandatory if o.met is False]
    assert {o.code for o in missing} == {"22", "36", "46", "47", "55", "107"}
    for o in missing:
        wording = data.grid.criterion(o.code).text
        cost = 3 * o.points_possible
        assert flat(f"n° {o.code} — {wording}") in text
        assert f"coûte {cost} point{'s' if cost > 1 else ''} à la carte" in text
    assert "n° 47 — Présence de produits d'accueil (3 points) : coûte 9 points à la carte" in text
    assert f"il en manque {number(three.alacarte_missing)}" in text
    assert "il faut en mettre en place pour au moins 2,8 points" in text
    assert "n° 17 — Existence d'un système de climatisation" in text  # a best à-la-carte lead
    assert "Les surfaces n'ont pas été mesurées pendant cette visite" in text
    assert "Pour atteindre 3★" in text  # the advice() summary


def test_advisory_in_progress_is_provisional_with_surfaces_and_photos(scratch_db: Database, tmp_path: Path) -> None:
    db = scratch_db
    with db.session() as s:
        est = s.scalar(select(Establishment.id).where(Establishment.name == "Corps de ferme « La Motte »"))
    inspector = user_id(db, "Sophie Delattre")
    vid = visits.create_visit(db, establishment_id=est, kind="visite_conseil", requested_category=2,
                              evaluator_id=inspector).value
    visits.start_visit(db, visit_id=vid, visited_on=TODAY)
    visits.set_measurements(db, visit_id=vid, rooms=[
        {"name": "Séjour", "kind": "sejour", "surface": 30}, {"name": "Cuisine", "kind": "cuisine", "surface": 10},
        {"name": "Chambre 1", "kind": "chambre", "surface": 12, "sleepers": 2},
        {"name": "Chambre 2", "kind": "chambre", "surface": 11, "sleepers": 2},
        {"name": "Chambre 3", "kind": "chambre", "surface": 9.5, "low_ceiling": 2, "sleepers": 2},
        {"name": "Salle d'eau", "kind": "salle_d_eau", "surface": 5}], beds=[])
    for code in ("3", "4", "6", "8"):
        visits.record_answer(db, visit_id=vid, criterion=code, value="yes")
    visits.record_answer(db, visit_id=vid, criterion="16", value="no", comment="Chaudière à remplacer")
    for i, colour in enumerate(((200, 190, 180), (90, 120, 160)), 1):
        photos.import_photo(db, visit_id=vid, source=jpeg(tmp_path / f"p{i}.jpg", colour),
                            criterion="16" if i == 1 else "", caption=f"Vue {i}")
    with db.session() as s:
        stored = s.scalars(select(Photo.stored_path).where(Photo.visit_id == vid, Photo.criterion == "16")).one()
    (photos_root(db) / stored).unlink()

    texts = pages(render(db, vid, "conseil", issued_on=TODAY))
    text = flat("\n".join(texts))
    assert all("RÉSULTATS PROVISOIRES" in t for t in texts)
    assert "Résultats provisoires :" in text and "Critères non encore observés" in text
    assert any("\u202f; conclusions susceptibles de changer" in t for t in texts)  # French typography kept
    assert "Surface habitable mesurée : 70,5 m²" in text  # 30 + 10 + 12 + 11 + (9,5 − 2)
    assert "2 étoiles ★★ 38 m² exigés : respectée +4 points" in text
    assert "4 étoiles ★★★★ 50 m² exigés (tolérance : 45 m²) : non respectée — Chambre 3 : 7,5 m² < 10 m² exigés par " \
           "chambre supplémentaire +2 points" in text
    assert "n° 16 — Existence d'un système de chauffage en état de fonctionnement (5 points) : coûte 15 points à la " \
           "carte. Remarque : Chaudière à remplacer" in text
    assert "Photo indisponible (fichier absent ou illisible)" in text
    assert "fichier introuvable, remplacée par un cadre vide" in text
    assert "Photo 1 — visite : Vue 2" in text and "Photo 2 — critère 16 : Vue 1" in text


def test_advisory_refuses_other_visits(db: Database) -> None:
    with pytest.raises(ServiceError, match="réservé aux visites-conseils"):
        render(db, find_visit(db, state="completed", kind="classement"), "conseil", issued_on=TODAY)


# ----- label reports --------------------------------------------------------------------------------------------


@pytest.fixture
def label_grids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_GRIDS_DIR", str(GRIDS))


def th_visit(db: Database, *, observations: str = "") -> str:
    """S4: the Arras brasserie asks for moteur, auditif and visuel; the entrance door is too narrow."""
    with db.session() as s:
        est = s.scalar(select(Establishment.id).where(Establishment.name == "Brasserie « Le Beffroi »"))
    first, second = user_id(db, "Sophie Delattre"), user_id(db, "Marc Hennebelle")
    vid = visits.create_visit(db, establishment_id=est, kind="th_primo", grid_id="TH-EXEMPLE-TEST",
                              requested_families=["moteur", "auditif", "visuel"], typology="restauration",
                              evaluator_id=first, second_evaluator_id=second, context={"sworn_statement": True}).value
    visits.start_visit(db, visit_id=vid, visited_on=TODAY - dt.timedelta(days=3))
    for code in ("T2", "T3", "T4", "T5", "T6", "T7", "T8"):
        visits.record_answer(db, visit_id=vid, criterion=code, value="yes")
    visits.record_answer(db, visit_id=vid, criterion="T1", value="no", level="moteur", comment="Porte de 72 cm")
    visits.record_answer(db, visit_id=vid, criterion="T7", value="nc", level="auditif")
    if observations:
        with db.session() as s:
            s.get(Visit, vid).observations_text = observations
            s.commit()
    visits.complete_visit(db, visit_id=vid)
    return vid


def test_tourisme_handicap_report(scratch_db: Database, label_grids: None) -> None:
    vid = th_visit(scratch_db, observations="Accueil attentif ; la porte d'entrée pourrait être élargie.")
    texts = pages(render(scratch_db, vid, "label", issued_on=TODAY))
    text = flat("\n".join(texts))
    assert all(NON_OFFICIAL in t for t in texts), "the non-official warning must be on every page"
    assert len(texts) >= 2
    assert "Rapport d'évaluation — Tourisme & Handicap" in text
    assert "Grille TH-EXEMPLE-TEST, version test-1 — exemple — non officielle" in text
    assert "PRQ-DH Déclaration sur l'honneur de conformité à la réglementation" in text
    assert "Moteur 0/1 2/2 (100 %) atteint 0 Non validée" in text
    assert "Auditif 1/1 3/3 (100 %) atteint 1 Validée" in text
    assert "au moins 75 % des critères de confort d'usage ; le label suppose au moins 2 familles validées" in text
    assert "Familles validées : Auditif, Visuel." in text
    assert "obligatoire non rempli : T1 — Porte d'entrée de largeur utile suffisante" in text
    assert "Proposition d'attribution pour les familles : Auditif, Visuel." in text
    assert "Proposition : label Tourisme & Handicap pour 2 famille(s) : Auditif, Visuel." in text
    assert "Évaluateurs (binôme) Sophie Delattre" in text
    assert "Avis motivé des évaluateurs Accueil attentif ; la porte d'entrée pourrait être élargie." in text
    assert "Annexe — critères évalués" in text
    assert render(scratch_db, vid, "label", issued_on=TODAY) == render(scratch_db, vid, "label", issued_on=TODAY)


def test_label_report_refused_while_in_progress(scratch_db: Database, label_grids: None) -> None:
    with scratch_db.session() as s:
        est = s.scalar(select(Establishment.id).where(Establishment.name == "Brasserie « Le Beffroi »"))
    vid = visits.create_visit(scratch_db, establishment_id=est, kind="th_primo", grid_id="TH-EXEMPLE-TEST",
                              requested_families=["moteur", "auditif"], typology="restauration").value
    visits.record_answer(scratch_db, visit_id=vid, criterion="T1", value="yes")
    with pytest.raises(ServiceError, match="L'évaluation n'est pas terminée"):
        render(scratch_db, vid, "label", issued_on=TODAY)
    texts = pages(render(scratch_db, vid, "label", issued_on=TODAY, draft=True))
    assert all("PROJET" in t and NON_OFFICIAL in t for t in texts)
    assert "Résultat provisoire" in flat("\n".join(texts))
    with pytest.raises(ServiceError, match="concerne les labels"):
        render(scratch_db, find_visit(scratch_db, state="completed", kind="classement"), "label", issued_on=TODAY)


def test_accueil_velo_audit_puts_prerequisites_first(scratch_db: Database, label_grids: None) -> None:
    with scratch_db.session() as s:
        est = s.scalar(select(Establishment.id).where(Establishment.name == "Chambres d'hôtes « Les Galets »"))
    vid = visits.create_visit(scratch_db, establishment_id=est, kind="accueil_velo", grid_id="AV-EXEMPLE-TEST",
                              typology="hebergement", evaluator_id=user_id(scratch_db, "Julie Caron"),
                              context={"distance_to_route_km": 1.2, "typology": "hebergement",
                                       "classified_or_labelled": True}).value
    for code, value in (("AV1", "yes"), ("AV2", "yes"), ("AV3", "yes"), ("AV4", "no"), ("AV5", "yes")):
        visits.record_answer(scratch_db, visit_id=vid, criterion=code, value=value)
    visits.complete_visit(scratch_db, visit_id=vid)
    texts = pages(render(scratch_db, vid, "label", issued_on=TODAY))
    text = flat("\n".join(texts))
    assert all(NON_OFFICIAL in t for t in texts)
    assert text.index("1. Prérequis") < text.index("2. Critères obligatoires") < text.index("3. Critères optionnels")
    assert "PRQ-5KM Situé à moins de 5 km d'un itinéraire cyclable Distance à l'itinéraire cyclable (km) : 1,2 oui" \
           in text
    assert "Obligatoires remplis : 3/3." in text
    assert "Règle des optionnels : au moins 1 critère rempli. Remplis : 1 sur 2 — règle satisfaite." in text
    assert "Proposition d'attribution." in text and "Durée de validité 3 ans" in text


# ----- page images ----------------------------------------------------------------------------------------------


def test_every_page_renders_to_an_image(scratch_db: Database, label_grids: None, tmp_path: Path) -> None:
    db = scratch_db
    documents = {
        "certificat": render(db, find_visit(db, state="completed", kind="classement"), "certificat", issued_on=TODAY),
        "decision": render(db, find_visit(db, state="acquired", kind="classement"), "decision", issued_on=TODAY),
        "conseil": render(db, find_visit(db, state="completed", kind="visite_conseil"), "conseil", issued_on=TODAY),
        "label": render(db, th_visit(db), "label", issued_on=TODAY),
    }
    for name, pdf in documents.items():
        source = tmp_path / f"{name}.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(tmp_path / name)], check=True,
                       capture_output=True, timeout=120)
        images = sorted(tmp_path.glob(f"{name}-*.png"))
        assert len(images) == len(PdfReader(BytesIO(pdf)).pages), name
        assert all(p.stat().st_size > 0 for p in images), name
