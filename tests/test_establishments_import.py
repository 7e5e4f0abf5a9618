"""Import of establishments from CSV/XLSX: formats, row-level messages, all-or-nothing, matching, CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from inspector.db.database import Database, open_database
from inspector.db.models import AuditEntry, Establishment, Owner
from inspector.services.common import ServiceError
from inspector.services.establishments_import import (
    ImportReport,
    import_establishments,
    parse_kind,
    read_import_file,
)
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = DATA / "import" / "exemple-etablissements.csv"

HEADER = ["type", "nom", "adresse", "code_postal", "commune", "code_insee", "capacite", "disposition", "pieces",
          "etage", "immeuble_collectif", "ascenseur", "numero_declaration", "categorie_actuelle",
          "classement_valide_jusqu_au", "proprietaire_nom", "proprietaire_code_postal", "proprietaire_email",
          "proprietaire_telephone", "notes"]


def row(**values: str) -> list[str]:
    """A row in HEADER order; unspecified cells are empty."""
    unknown = set(values) - set(HEADER)
    assert not unknown, unknown
    return [values.get(h, "") for h in HEADER]


MOUETTES = row(type="meuble", nom="Studio Les Mouettes", adresse="12 rue de la Plage", code_postal="62930",
               commune="Wimereux", code_insee="62893", capacite="2", disposition="studio", pieces="1", etage="2",
               immeuble_collectif="oui", ascenseur="non", numero_declaration="62893-000123", categorie_actuelle="3",
               classement_valide_jusqu_au="31/12/2027", proprietaire_nom="Jean Dupont",
               proprietaire_code_postal="62930", proprietaire_email="jean.dupont@example.fr")
OPALE = row(type="meuble", nom="Villa Opale", code_postal="62600", commune="Berck-sur-Mer", code_insee="62108",
            capacite="6", disposition="T4", proprietaire_nom="Jean Dupont", proprietaire_code_postal="62930")
FERME = row(type="chambre_hotes", nom="La Ferme du Moulin", code_postal="62170", commune="Montreuil-sur-Mer",
            code_insee="62588", proprietaire_nom="Paul Martin", proprietaire_code_postal="62170")


def write_csv(path: Path, rows: Sequence[Sequence[str]], *, header: Sequence[str] = HEADER, delimiter: str = ";",
              encoding: str = "utf-8") -> Path:
    lines = [delimiter.join(header), *(delimiter.join(r) for r in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "inspector.sqlite")
    yield database
    database.close()


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Establishment)) or 0,
                s.scalar(select(func.count()).select_from(Owner)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def establishments(db: Database) -> dict[str, Establishment]:
    with db.session() as s:
        return {e.name: e for e in s.scalars(select(Establishment))}


def owners(db: Database) -> dict[str, Owner]:
    with db.session() as s:
        return {o.name: o for o in s.scalars(select(Owner))}


def run_import(db: Database | None, path: Path, **kw: object) -> ImportReport:
    result = import_establishments(db, path, **kw)  # type: ignore[arg-type]
    return result.value


# --- formats --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_csv_with_semicolons(db: Database, tmp_path: Path, bom: bool) -> None:
    path = write_csv(tmp_path / "import.csv", [MOUETTES, OPALE, FERME], encoding="utf-8-sig" if bom else "utf-8")
    result = import_establishments(db, path)
    report = result.value
    assert report.errors == [] and report.warnings == []
    assert (report.rows, report.created, report.updated, report.owners_created) == (3, 3, 0, 2)
    est = establishments(db)
    s = est["Studio Les Mouettes"]
    assert (s.kind, s.commune, s.postcode, s.insee_code, s.capacity, s.layout, s.rooms, s.floor) == (
        "meuble", "Wimereux", "62930", "62893", 2, "studio", 1, 2)
    assert s.collective_building is True and s.has_lift is False
    assert (s.declaration_number, s.current_category, s.category_valid_until) == (
        "62893-000123", 3, dt.date(2027, 12, 31))
    assert s.row_version == 1 and s.pending_sync is True
    assert est["La Ferme du Moulin"].kind == "chambre_hotes" and est["La Ferme du Moulin"].capacity is None
    assert set(result.changed.rows["establishments"]) == {e.id for e in est.values()}
    assert set(result.changed.rows["owners"]) == {o.id for o in owners(db).values()}


def test_cp1252_csv_with_commas_accents_and_french_labels(db: Database, tmp_path: Path) -> None:
    header = ["Type", "Nom", "Code postal", "Commune", "Code INSEE", "Capacité", "Immeuble collectif",
              "Classement valide jusqu'au", "Propriétaire nom", "Propriétaire commune"]
    rows = [
        ["Meublé de tourisme", "Appartement du Port", "62630", "Étaples", "62318", "4", "x", "2028-06-30",
         "Hélène Lefèvre", "Étaples"],
        ["Chambre d'hôtes", "Les Hortensias", "62600", "Berck-sur-Mer", "62108", "", "", "", "Hélène Lefèvre", ""],
        ["Office de tourisme", "Office de tourisme du Touquet", "62520", "Le Touquet-Paris-Plage", "62826", "", "",
         "", "Ville du Touquet-Paris-Plage", ""],
        ["Site (visite/loisirs)", "Citadelle", "62170", "Montreuil-sur-Mer", "62588", "", "", "", "Commune", ""],
        ["Réparateur de vélos", "Cycles de l'Aa", "62500", "Saint-Omer", "62765", "", "", "", "Luc Bernard", ""],
    ]
    path = write_csv(tmp_path / "excel.csv", rows, header=header, delimiter=",", encoding="cp1252")
    report = run_import(db, path)
    assert report.errors == [] and report.warnings == []
    est = establishments(db)
    assert est["Appartement du Port"].commune == "Étaples"
    assert est["Appartement du Port"].collective_building is True
    assert est["Appartement du Port"].category_valid_until == dt.date(2028, 6, 30)
    assert est["Les Hortensias"].kind == "chambre_hotes"
    assert est["Office de tourisme du Touquet"].kind == "office_tourisme"
    assert est["Office de tourisme du Touquet"].commune == "Le Touquet-Paris-Plage"
    assert est["Citadelle"].kind == "site"
    assert est["Cycles de l'Aa"].kind == "reparateur_velos"
    assert owners(db)["Hélène Lefèvre"].commune == "Étaples"
    assert report.owners_created == 4


def test_example_file_of_the_documentation_imports(db: Database) -> None:
    report = run_import(db, EXAMPLE)
    assert report.errors == [] and report.warnings == []
    assert (report.created, report.owners_created) == (6, 5)
    est = establishments(db)
    assert est["Cycles de la Côte"].kind == "loueur_velos" and est["Cycles de la Côte"].insee_code == "62899"
    assert est["Villa Opale"].floor == 0
    assert est["Villa Opale"].owner_id == est["Studio Les Mouettes"].owner_id
    lefebvre = owners(db)["Marie Lefebvre"]
    assert (lefebvre.company, lefebvre.mandataire_name) == ("SCI Canche", "Agence Côte d'Opale")


def _workbook(path: Path, rows: Sequence[Sequence[object]], *, sheet: str | None = None,
              decoy: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if decoy:  # a first sheet that is not the one to read
        ws.title = "Lisez-moi"
        ws.append(["Ce classeur contient la liste des établissements."])
        ws = wb.create_sheet()
    if sheet:
        ws.title = sheet
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_xlsx_typed_cells(db: Database, tmp_path: Path) -> None:
    header = ["type", "nom", "code_postal", "commune", "code_insee", "capacite", "ascenseur",
              "classement_valide_jusqu_au", "categorie_actuelle", "proprietaire_nom", "proprietaire_telephone"]
    path = _workbook(tmp_path / "liste.xlsx", [
        header,
        ["meublé", "Le Fort", 62930, "Wimereux", 62893, 4, True, dt.datetime(2029, 3, 31), 2, "Anne Roussel",
         321000002],
        [None] * len(header),  # blank row: skipped, numbering kept
        ["Restaurant", "La Matelote", "62520", "Le Touquet-Paris-Plage", "62826", None, False, None, None,
         "Anne Roussel", "06 00 00 00 03"],
    ])
    report = run_import(db, path)
    assert report.errors == [] and report.rows == 2
    est = establishments(db)
    fort = est["Le Fort"]
    assert (fort.postcode, fort.insee_code, fort.capacity, fort.has_lift) == ("62930", "62893", 4, True)
    assert (fort.category_valid_until, fort.current_category) == (dt.date(2029, 3, 31), 2)
    assert est["La Matelote"].kind == "restaurant"
    assert owners(db)["Anne Roussel"].phone == "0321000002"
    assert [a.line for a in report.actions] == [2, 4]


def test_xlsx_sheet_named_etablissements_is_preferred(db: Database, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "classeur.xlsx", [HEADER, MOUETTES], sheet="Établissements", decoy=True)
    report = run_import(db, path)
    assert report.errors == [] and report.created == 1


def test_xlsx_error_names_spreadsheet_row(db: Database, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "erreurs.xlsx", [["type", "nom", "commune", "capacite", "proprietaire_nom"],
                                                 ["meuble", "Le Fort", "Wimereux", 4, "Anne Roussel"],
                                                 [None] * 5,
                                                 ["meuble", "Le Phare", "Wimereux", 2.5, "Anne Roussel"]])
    report = run_import(db, path)
    assert report.errors == ["ligne 4, colonne « capacite » : « 2.5 » n'est pas un nombre entier"]
    assert counts(db) == (0, 0, 0)


def test_csv_quoted_field_with_newline_keeps_spreadsheet_numbering(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text('type;nom;commune;capacite;proprietaire_nom;notes\n'
                    'meuble;Le Fort;Wimereux;4;Anne Roussel;"ligne un\nligne deux"\n'
                    'meuble;Le Phare;Wimereux;six;Anne Roussel;\n', encoding="utf-8")
    report = run_import(db, path)
    assert report.errors == ["ligne 3, colonne « capacite » : « six » n'est pas un nombre entier"]


# --- validation -----------------------------------------------------------------------------------------------------


def test_bad_rows_are_all_reported_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "first.csv", [FERME]))
    before = counts(db)
    rows = [MOUETTES, OPALE, FERME,
            row(type="meuble", nom="Le Phare", commune="Wimereux", capacite="2", proprietaire_nom="A"),
            row(type="meuble", nom="Le Grand Large", commune="Wissant", capacite="4", proprietaire_nom="B",
                code_insee="6289"),
            row(type="meuble", nom="Les Dunes", commune="Wissant", capacite="six", proprietaire_nom="B"),
            row(type="meuble", nom="Le Cap", commune="Wissant", proprietaire_nom="B"),
            row(type="gîte", nom="Le Moulin", commune="Arras", proprietaire_nom="C"),
            row(type="meuble", nom="", commune="Arras", capacite="2", proprietaire_nom="C",
                code_postal="620 00 0", categorie_actuelle="6", classement_valide_jusqu_au="31/02/2027",
                ascenseur="peut-être", proprietaire_email="c.example.fr"),
            ]
    report = run_import(db, write_csv(tmp_path / "bad.csv", rows))
    assert report.errors == [
        "ligne 6, colonne « code_insee » : « 6289 » n'est pas un code INSEE (5 caractères : des chiffres, ou 2A/2B "
        "pour la Corse)",
        "ligne 7, colonne « capacite » : « six » n'est pas un nombre entier",
        "ligne 8, colonne « capacite » : obligatoire pour un meublé",
        "ligne 9, colonne « type » : « gîte » n'est pas un type connu (meuble, chambre_hotes, hebergement, "
        "restaurant, site, office_tourisme, loueur_velos, reparateur_velos)",
        "ligne 10, colonne « nom » : valeur obligatoire manquante",
        "ligne 10, colonne « code_postal » : « 620 00 0 » n'est pas un code postal (5 chiffres)",
        "ligne 10, colonne « ascenseur » : « peut-être » n'est pas une valeur oui/non (oui, non, vrai, faux, 1, 0, "
        "x ou vide)",
        "ligne 10, colonne « categorie_actuelle » : « 6 » n'est pas une catégorie de 1 à 5",
        "ligne 10, colonne « classement_valide_jusqu_au » : « 31/02/2027 » n'est pas une date valide (JJ/MM/AAAA "
        "ou AAAA-MM-JJ)",
        "ligne 10, colonne « proprietaire_email » : « c.example.fr » n'est pas une adresse e-mail",
    ]
    assert report.rows == 9
    assert counts(db) == before


def test_column_names_are_matched_without_case_or_accents(tmp_path: Path) -> None:
    path = tmp_path / "entetes.csv"
    path.write_text("TYPE;Nom;COMMUNE;Capacité;Propriétaire_Nom\nmeuble;A;Arras;zéro;X\n", encoding="utf-8")
    parsed = read_import_file(path)
    assert parsed.errors == ["ligne 2, colonne « Capacité » : « zéro » n'est pas un nombre entier"]


def test_missing_required_column_is_an_error_unknown_column_a_warning(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "colonnes.csv"
    path.write_text("type;nom;commune;capacite;couleur\nmeuble;A;Arras;2;bleu\n", encoding="utf-8")
    report = run_import(db, path)
    assert report.warnings == ["colonne « couleur » inconnue : ignorée"]
    assert report.errors == ["colonne obligatoire « proprietaire_nom » absente (en-têtes lus : « type », « nom », "
                             "« commune », « capacite », « couleur »)"]
    assert counts(db) == (0, 0, 0)


def test_unknown_column_alone_does_not_block(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "colonnes.csv"
    path.write_text("type;nom;commune;capacite;proprietaire_nom;couleur\nmeuble;A;Arras;2;X;bleu\n",
                    encoding="utf-8")
    report = run_import(db, path)
    assert report.errors == [] and report.created == 1
    assert report.warnings == ["colonne « couleur » inconnue : ignorée"]


def test_accepted_values(db: Database, tmp_path: Path) -> None:
    header = ["type", "nom", "commune", "code_insee", "capacite", "etage", "immeuble_collectif", "ascenseur",
              "categorie_actuelle", "classement_valide_jusqu_au", "proprietaire_nom"]
    rows = [["Meublé", "A", "Ajaccio", "2a004", "2", "rez-de-chaussée", "VRAI", "0", "3 étoiles", "2027-01-05",
             "X"],
            ["MEUBLE", "B", "Arras", "62041", "2", "-1", "Oui", "1", "★★", "5/1/2027", "X"],
            ["meublé", "C", "Arras", "62041", "2", "", "faux", "", "", "", "X"]]
    report = run_import(db, write_csv(tmp_path / "valeurs.csv", rows, header=header))
    assert report.errors == []
    est = establishments(db)
    assert (est["A"].insee_code, est["A"].floor, est["A"].collective_building, est["A"].has_lift) == (
        "2A004", 0, True, False)
    assert (est["A"].current_category, est["A"].category_valid_until) == (3, dt.date(2027, 1, 5))
    assert (est["B"].floor, est["B"].has_lift, est["B"].current_category) == (-1, True, 2)
    assert est["B"].category_valid_until == dt.date(2027, 1, 5)
    assert (est["C"].floor, est["C"].collective_building, est["C"].current_category) == (None, False, None)


@pytest.mark.parametrize(("text", "kind"), [
    ("meuble", "meuble"), ("Meublé", "meuble"), ("meublé de tourisme", "meuble"),
    ("chambre_hotes", "chambre_hotes"), ("Chambre d'hôtes", "chambre_hotes"), ("CHAMBRES D’HÔTES", "chambre_hotes"),
    ("hébergement", "hebergement"), ("Restaurant", "restaurant"), ("site", "site"),
    ("site de visite", "site"), ("Site de loisirs", "site"), ("office_tourisme", "office_tourisme"),
    ("Office de tourisme", "office_tourisme"), ("loueur de vélos", "loueur_velos"), ("Loueur_velos", "loueur_velos"),
    ("réparateur de vélos", "reparateur_velos"), ("gîte", None), ("hôtel", None),
])
def test_kind_labels(text: str, kind: str | None) -> None:
    assert parse_kind(text) == kind


# --- files that cannot be used --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("liste.pdf", b"%PDF-1.4", "n'est pas un fichier CSV ou XLSX"),
    ("vide.csv", b"", "est vide"),
    ("blanc.csv", b"\r\n ; ;\r\n", "est vide"),
    ("entetes.csv", b"type;nom;commune;proprietaire_nom\r\n", "aucune ligne de données"),
    ("faux.xlsx", b"type;nom\r\nmeuble;A\r\n", "classeur XLSX endommagé ou illisible"),
    ("tronque.xlsx", b"PK\x03\x04\x14\x00\x00\x00garbage", "classeur XLSX endommagé ou illisible"),
    ("ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003"),
    ("binaire.csv", b"\x81\x8d\x8f\x90\x9d\x00\x00", "encodage non reconnu"),
])
def test_unusable_files_are_refused_naming_the_file(db: Database, tmp_path: Path, name: str, content: bytes,
                                                    expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ServiceError) as exc:
        import_establishments(db, path)
    assert str(path) in str(exc.value) and expected in str(exc.value)
    assert counts(db) == (0, 0, 0)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="introuvable"):
        read_import_file(tmp_path / "absent.csv")


def test_empty_xlsx_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "vide.xlsx", [])
    with pytest.raises(ServiceError, match="est vide"):
        read_import_file(path)


# --- all or nothing, dry run, matching ------------------------------------------------------------------------------


def test_dry_run_writes_nothing(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "import.csv", [MOUETTES, OPALE, FERME])
    result = import_establishments(db, path, dry_run=True)
    assert result.value.dry_run and (result.value.created, result.value.owners_created) == (3, 2)
    assert [a.action for a in result.value.actions] == ["create"] * 3
    assert result.changed.rows == {}
    assert counts(db) == (0, 0, 0)
    run_import(db, path)
    changed = write_csv(tmp_path / "changed.csv", [MOUETTES, OPALE[:6] + ["8"] + OPALE[7:]])
    report = run_import(db, changed, dry_run=True)
    assert [(a.action, a.changes) for a in report.actions] == [("unchanged", ()), ("update", ("capacite",))]
    assert establishments(db)["Villa Opale"].capacity == 6


def test_dry_run_without_database(tmp_path: Path) -> None:
    report = run_import(None, write_csv(tmp_path / "import.csv", [MOUETTES, OPALE]), dry_run=True)
    assert (report.created, report.owners_created, report.errors) == (2, 1, [])
    with pytest.raises(ServiceError):
        import_establishments(None, tmp_path / "import.csv")


def test_reimport_is_idempotent(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "import.csv", [MOUETTES, OPALE, FERME])
    run_import(db, path)
    before = counts(db)
    versions = {e.id: e.row_version for e in establishments(db).values()}
    result = import_establishments(db, path)
    report = result.value
    assert (report.created, report.updated, report.unchanged, report.owners_created, report.owners_updated) == (
        0, 0, 3, 0, 0)
    assert counts(db) == before
    assert {e.id: e.row_version for e in establishments(db).values()} == versions
    assert result.changed.rows == {}


def test_updated_rows_are_marked_for_sync_and_audited(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "import.csv", [MOUETTES, OPALE]))
    with db.session() as s:  # as after a successful sync
        for e in s.scalars(select(Establishment)):
            e.pending_sync = False
        s.commit()
    opale = row(type="Meublé", nom="VILLA OPALE", commune="Berck sur Mer", capacite="8", notes="Piscine",
                proprietaire_nom="jean dupont", proprietaire_code_postal="62930")
    result = import_establishments(db, write_csv(tmp_path / "maj.csv", [opale]))
    assert (result.value.created, result.value.updated) == (0, 1)
    assert result.value.actions[0].changes == ("capacite", "notes")
    villa = establishments(db)["Villa Opale"]  # the database's spelling is kept
    assert (villa.capacity, villa.notes, villa.row_version, villa.pending_sync) == (8, "Piscine", 2, True)
    assert villa.layout == "T4"  # an empty cell keeps what the database holds
    assert establishments(db)["Studio Les Mouettes"].pending_sync is False
    assert result.changed.rows == {"establishments": {villa.id}}
    with db.session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.row_id == villa.id).order_by(AuditEntry.at)))
    assert [e.action for e in entries] == ["establishment.import.create", "establishment.import.update"]
    assert entries[1].details["before"] == {"capacity": 6, "notes": ""}
    assert entries[1].details["after"] == {"capacity": 8, "notes": "Piscine"}


def test_one_audit_entry_per_establishment(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "import.csv", [MOUETTES, OPALE, FERME]))
    with db.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.table_name == "establishments")))
    assert sorted(actions) == ["establishment.import.create"] * 3


def test_owner_is_reused_within_the_file_and_against_the_database(db: Database, tmp_path: Path) -> None:
    report = run_import(db, write_csv(tmp_path / "a.csv", [MOUETTES, OPALE]))
    assert report.owners_created == 1
    later = row(type="meuble", nom="Le Phare", commune="Wimereux", code_insee="62893", capacite="4",
                proprietaire_nom="JEAN DUPONT", proprietaire_code_postal="62930", proprietaire_telephone="0321000001")
    namesake = row(type="meuble", nom="Le Beffroi", commune="Arras", code_insee="62041", capacite="2",
                   proprietaire_nom="Jean Dupont", proprietaire_code_postal="62000")
    report = run_import(db, write_csv(tmp_path / "b.csv", [later, namesake]))
    assert (report.created, report.owners_created, report.owners_updated) == (2, 1, 1)
    with db.session() as s:
        dupont_wimereux = s.scalars(select(Owner).where(Owner.postcode == "62930")).one()
        assert dupont_wimereux.phone == "0321000001" and dupont_wimereux.row_version == 2
    est = establishments(db)
    assert est["Le Phare"].owner_id == est["Villa Opale"].owner_id == dupont_wimereux.id
    assert est["Le Beffroi"].owner_id != dupont_wimereux.id
    assert counts(db)[1] == 2


def test_owner_conflicting_details_in_the_file_are_a_warning(db: Database, tmp_path: Path) -> None:
    a = row(type="meuble", nom="A", commune="Arras", capacite="2", proprietaire_nom="Paul Martin",
            proprietaire_email="paul@example.fr")
    b = row(type="meuble", nom="B", commune="Arras", capacite="2", proprietaire_nom="Paul Martin",
            proprietaire_email="martin@example.fr")
    report = run_import(db, write_csv(tmp_path / "a.csv", [a, b]))
    assert report.errors == [] and report.owners_created == 1
    assert report.warnings == ["ligne 3, colonne « proprietaire_email » : « martin@example.fr » diffère de la ligne 2 "
                               "(« paul@example.fr ») pour le même propriétaire ; la valeur de la ligne 2 est gardée"]
    assert owners(db)["Paul Martin"].email == "paul@example.fr"


def test_declaration_number_tells_namesakes_apart(db: Database, tmp_path: Path) -> None:
    def studio(decl: str, capacity: str = "2") -> list[str]:
        return row(type="meuble", nom="Studio", commune="Berck-sur-Mer", capacite=capacity, numero_declaration=decl,
                   proprietaire_nom="Jean Dupont")

    report = run_import(db, write_csv(tmp_path / "a.csv", [studio("62108-0001"), studio("62108-0002")]))
    assert report.created == 2
    report = run_import(db, write_csv(tmp_path / "b.csv", [studio("621080002", "3")]))
    assert (report.created, report.updated) == (0, 1)
    report = run_import(db, write_csv(tmp_path / "c.csv", [studio("", "4")]))
    assert report.errors == ["ligne 2 : plusieurs établissements « Studio » (meuble) à Berck-sur-Mer existent déjà ; "
                             "indiquez le numéro de déclaration (colonne « numero_declaration ») pour choisir lequel "
                             "mettre à jour"]
    report = run_import(db, write_csv(tmp_path / "d.csv", [studio("62108-0003"), studio("62108-0003", "4")]))
    assert report.errors == ["ligne 3 : même établissement que la ligne 2 (« Studio » (meuble) à Berck-sur-Mer) ; "
                             "supprimez le doublon ou distinguez-les par le numéro de déclaration"]
    assert counts(db)[0] == 2


def test_declaration_number_fills_an_establishment_that_had_none(db: Database, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "a.csv", [OPALE]))
    with_decl = OPALE[:12] + ["62108-000456"] + OPALE[13:]
    report = run_import(db, write_csv(tmp_path / "b.csv", [with_decl]))
    assert (report.created, report.updated, report.actions[0].changes) == (0, 1, ("numero_declaration",))
    assert establishments(db)["Villa Opale"].declaration_number == "62108-000456"


def test_same_name_and_commune_of_another_kind_is_another_establishment(db: Database, tmp_path: Path) -> None:
    shop = [row(type="loueur_velos", nom="Cycles Opale", commune="Wimereux", proprietaire_nom="Luc Bernard"),
            row(type="reparateur_velos", nom="Cycles Opale", commune="Wimereux", proprietaire_nom="Luc Bernard")]
    report = run_import(db, write_csv(tmp_path / "a.csv", shop))
    assert (report.errors, report.created, report.owners_created) == ([], 2, 1)


def test_thousand_rows_in_well_under_two_seconds(db: Database, tmp_path: Path) -> None:
    communes = [("Wimereux", "62930", "62893"), ("Berck-sur-Mer", "62600", "62108"), ("Étaples", "62630", "62318"),
                ("Le Touquet-Paris-Plage", "62520", "62826"), ("Montreuil-sur-Mer", "62170", "62588"),
                ("Arras", "62000", "62041"), ("Saint-Omer", "62500", "62765"), ("Wissant", "62179", "62899")]
    rows = []
    for n in range(1000):
        commune, postcode, insee = communes[n % len(communes)]
        rows.append(row(type="meuble", nom=f"Meublé n° {n}", code_postal=postcode, commune=commune,
                        code_insee=insee, capacite=str(2 + n % 6), disposition="T2", immeuble_collectif="oui",
                        numero_declaration=f"{insee}-{n:06d}", categorie_actuelle=str(1 + n % 5),
                        classement_valide_jusqu_au="31/12/2028", proprietaire_nom=f"Propriétaire {n // 3}",
                        proprietaire_code_postal=communes[n // 3 % 8][1],
                        proprietaire_email=f"p{n // 3}@example.fr"))
    path = write_csv(tmp_path / "mille.csv", rows, encoding="cp1252")
    start = time.perf_counter()
    report = run_import(db, path)
    elapsed = time.perf_counter() - start
    assert report.errors == [] and (report.created, report.owners_created) == (1000, 334)
    assert elapsed < 2.0, f"1 000 lignes importées en {elapsed:.2f} s"
    print(f"\n1 000 rows imported (created) in {elapsed * 1000:.0f} ms")
    start = time.perf_counter()
    report = run_import(db, path)
    elapsed = time.perf_counter() - start
    assert (report.created, report.unchanged) == (0, 1000)
    assert elapsed < 2.0, f"réimport de 1 000 lignes en {elapsed:.2f} s"
    print(f"\n1 000 rows re-imported (all matched) in {elapsed * 1000:.0f} ms")


# --- command line ---------------------------------------------------------------------------------------------------


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", "--data-dir", str(tmp_path / "data"), "establishments",
                           "import", *args], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_cli_imports_and_prints_a_summary(tmp_path: Path) -> None:
    out = cli(tmp_path, str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    assert "6 ligne(s) lue(s)" in out.stdout
    assert "Établissements : 6 créé(s), 0 mis à jour, 0 inchangé(s)." in out.stdout
    assert "Propriétaires : 5 créé(s)" in out.stdout
    again = cli(tmp_path, str(EXAMPLE))
    assert again.returncode == 0, again.stderr
    assert "Établissements : 0 créé(s), 0 mis à jour, 6 inchangé(s)." in again.stdout
    database = open_database(tmp_path / "data" / "inspector.sqlite")
    try:
        assert counts(database)[:2] == (6, 5)
    finally:
        database.close()


def test_cli_refuses_bad_rows_with_exit_2(tmp_path: Path) -> None:
    bad = row(type="meuble", nom="Le Phare", commune="Wimereux", capacite="six", proprietaire_nom="A")
    path = write_csv(tmp_path / "bad.csv", [MOUETTES, bad])
    out = cli(tmp_path, str(path))
    assert out.returncode == 2
    assert "ligne 3, colonne « capacite » : « six » n'est pas un nombre entier" in out.stderr
    assert "1 erreur(s), rien n'a été enregistré" in out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert not (tmp_path / "data" / "inspector.sqlite").exists()


def test_cli_shows_at_most_fifty_errors(tmp_path: Path) -> None:
    bad = [row(type="meuble", nom=f"M{n}", commune="Arras", capacite="six", proprietaire_nom="A") for n in range(80)]
    out = cli(tmp_path, str(write_csv(tmp_path / "bad.csv", bad)))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "80 erreur(s)" in out.stderr and "… et 30 autre(s) erreur(s)" in out.stderr
    assert out.stderr.count("n'est pas un nombre entier") == 50


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("absent.csv", None, "introuvable"),
    ("liste.pdf", b"%PDF-1.4", "n'est pas un fichier CSV ou XLSX"),
    ("casse.xlsx", b"PK\x03\x04 broken", "classeur XLSX endommagé"),
])
def test_cli_unusable_file_exits_2_without_traceback(tmp_path: Path, name: str, content: bytes | None,
                                                     expected: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = cli(tmp_path, str(path))
    assert out.returncode == 2
    assert expected in out.stderr and str(path) in out.stderr and "Traceback" not in out.stderr


def test_cli_dry_run_lists_actions_and_writes_nothing(tmp_path: Path) -> None:
    out = cli(tmp_path, str(EXAMPLE), "--dry-run")
    assert out.returncode == 0, out.stderr
    assert "rien n'a été enregistré" in out.stdout
    assert "ligne 2 : création — Studio Les Mouettes (meuble), Wimereux" in out.stdout
    assert "Établissements : 6 à créer" in out.stdout
    assert not (tmp_path / "data").exists()
    assert cli(tmp_path, str(EXAMPLE)).returncode == 0
    out = cli(tmp_path, str(EXAMPLE), "--dry-run")
    assert "Établissements : 0 à créer, 0 à mettre à jour, 6 inchangé(s)." in out.stdout


def test_cli_warns_about_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "colonnes.csv"
    path.write_text("type;nom;commune;capacite;proprietaire_nom;couleur\nmeuble;A;Arras;2;X;bleu\n",
                    encoding="utf-8")
    out = cli(tmp_path, str(path))
    assert out.returncode == 0, out.stderr
    assert "attention : colonne « couleur » inconnue : ignorée" in out.stderr


def test_values_under_no_header_are_a_warning(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "sans-entete.csv"
    path.write_text("type;nom;commune;capacite;proprietaire_nom\nmeuble;A;Arras;2;X;en trop\n", encoding="utf-8")
    report = run_import(db, path)
    assert report.errors == [] and report.warnings == ["colonne F sans en-tête : ignorée"]
