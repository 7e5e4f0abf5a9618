"""Exports on a real SQLite file: the monthly table of definitive decisions (CSV/XLSX read back), the general
tables, atomic writing and the `inspector export` command's exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from inspector.db.database import Database, open_database
from inspector.db.models import (
    Decision,
    Establishment,
    EstablishmentLabel,
    Organisation,
    Owner,
    User,
    Visit,
)
from inspector.demo import s1_wimereux_studio
from inspector.exports import (
    ExportError,
    Period,
    export_dataset,
    export_monthly,
    monthly_decisions,
    parse_month,
    previous_month,
    write_table,
)
from inspector.exports.tables import dataset_table
from inspector.exports.writers import csv_bytes
from inspector.grids.registry import find_grid
from inspector.services import visits

OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
AGENCY = "Agence d'essai du Pas-de-Calais"
HEADERS = ["N° de décision", "Nom du loueur", "Mandataire", "Adresse du meublé", "Code postal", "Commune", "Courriel",
           "Site internet", "Téléphone", "Catégorie (étoiles)", "Date d'attribution (classement acquis le)",
           "Fin de validité", "Capacité (personnes)", "N° de déclaration", "Organisme"]
ORM_DEFINITIVE = 24  # plus one acquisition made by the real services: 25 in October


def _visit(e: Establishment, evaluator: str, *, state: str, category: int, capacity: int, visited: dt.date,
           acquired: dt.date | None = None, valid_until: dt.date | None = None) -> Visit:
    grid = find_grid("MT-2022-V2")
    return Visit(establishment_id=e.id, kind="classement", state=state, requested_category=category,
                 proposed_category=category, grid_id=grid.id, grid_version=grid.version, grid_sha256=grid.sha256,
                 context={"capacity": capacity}, evaluator_id=evaluator, acquired_on=acquired,
                 valid_until=valid_until, visited_on=visited)


def _acquired(s: Any, n: int, day: dt.date, evaluator: str, *, number: str | None = None,
              subject: str = "meuble_category", status: str = "acquired") -> dict[str, Any]:
    """An owner, a meublé, its visit and its decision (as ORM rows); returns what the table must say."""
    o = Owner(name=f"Loueur {n:02d}", company="SCI Opale" if n == 3 else "", email=f"loueur{n:02d}@example.org",
              phone=f"06 00 00 00 {n:02d}", mandataire_name="Agence Côte d'Opale" if n % 5 == 0 else "")
    s.add(o)
    s.flush()
    e = Establishment(kind="meuble", name=f"Meublé {n:02d}", owner_id=o.id, address=f"{n} rue des Dunes",
                      postcode="62930", commune="Wimereux", capacity=2 + n % 6, declaration_number=f"62893{n:06d}",
                      layout="T2")
    s.add(e)
    s.flush()
    category = 1 + n % 5
    valid = dt.date(day.year + 5, day.month, day.day) - dt.timedelta(days=1)
    v = _visit(e, evaluator, state="acquired" if status == "acquired" else "refused", category=category,
               capacity=4 + n % 3, visited=day - dt.timedelta(days=25), acquired=day if status == "acquired" else None,
               valid_until=valid if status == "acquired" else None)
    s.add(v)
    s.flush()
    d = Decision(visit_id=v.id, establishment_id=e.id, subject=subject, status=status, category=category,
                 decided_on=day, valid_until=valid if status == "acquired" else None, number=number or "",
                 reason="Souhaitait 4 étoiles" if status == "refused" else "")
    s.add(d)
    s.flush()
    return {"number": number or f"DC-{day.year}-{v.id[:8].upper()}", "owner": f"Loueur {n:02d}" + (
        " — SCI Opale" if n == 3 else ""), "mandataire": "Agence Côte d'Opale" if n % 5 == 0 else "",
        "address": f"{n} rue des Dunes", "postcode": "62930", "commune": "Wimereux",
        "email": f"loueur{n:02d}@example.org", "website": "", "phone": f"06 00 00 00 {n:02d}", "category": category,
        "decided_on": day, "valid_until": valid, "capacity": 4 + n % 3, "declaration_number": f"62893{n:06d}",
        "organisation": AGENCY, "visit_id": v.id, "establishment_id": e.id}


def _service_acquisition(db: Database) -> dict[str, Any]:
    """S1's studio through the real services: visited in September, received on 25/09, acquired on 11/10."""
    with db.session() as s:
        o = Owner(name="Martine Dufour", email="m.dufour@example.org", phone="03 21 00 00 00")
        s.add(o)
        s.flush()
        e = Establishment(kind="meuble", name="Studio Dufour", owner_id=o.id, address="3 rue Carnot",
                          postcode="62930", commune="Wimereux", capacity=2, layout="studio", floor=2,
                          collective_building=True, declaration_number="62893000999")
        s.add(e)
        s.commit()
        est_id = e.id
    s1 = s1_wimereux_studio()
    vid = visits.create_visit(db, establishment_id=est_id, kind="classement", requested_category=2,
                              planned_on=dt.date(2026, 9, 20)).value
    visits.set_context(db, visit_id=vid, context=s1["context"])
    visits.set_measurements(db, visit_id=vid, rooms=s1["surfaces"]["rooms"], beds=s1["surfaces"]["beds"])
    for code, value in s1["answers"].items():
        points = value if isinstance(value, int) else None
        visits.record_answer(db, visit_id=vid, criterion=code, value="yes" if points else value, points=points)
    visits.start_visit(db, visit_id=vid, visited_on=dt.date(2026, 9, 20))
    visits.complete_visit(db, visit_id=vid)
    visits.record_issue(db, visit_id=vid, issued_on=dt.date(2026, 9, 22))
    visits.record_receipt(db, visit_id=vid, received_on=dt.date(2026, 9, 25))
    assert visits.refresh_states(db, today=dt.date(2026, 10, 15)).value == [vid]
    day = dt.date(2026, 10, 11)
    with db.session() as s:
        valid = s.get(Visit, vid).valid_until
    return {"number": f"DC-2026-{vid[:8].upper()}", "owner": "Martine Dufour", "mandataire": "",
            "address": "3 rue Carnot", "postcode": "62930", "commune": "Wimereux", "email": "m.dufour@example.org",
            "website": "", "phone": "03 21 00 00 00", "category": 2, "decided_on": day, "valid_until": valid,
            "capacity": 2, "declaration_number": "62893000999", "organisation": AGENCY}


@pytest.fixture(scope="module")
def agency_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]], dict[str, str]]:
    """An agency database: 25 classements definitive in October 2026 (24 as rows, one through the services), and
    what must stay out: September and November, a refusal and a radiation in October, a label decision."""
    folder = tmp_path_factory.mktemp("agency") / "data"
    db = open_database(folder / "inspector.sqlite")
    expected: list[dict[str, Any]] = []
    others: dict[str, str] = {}
    with db.session() as s:
        org = Organisation(name=AGENCY)
        s.add(org)
        s.flush()
        inspector = User(organisation_id=org.id, name="Claire Inspectrice")
        s.add(inspector)
        s.flush()
        for n in range(1, ORM_DEFINITIVE + 1):
            day = dt.date(2026, 10, 1 + (n * 7) % 31)
            # some decisions were numbered when acquired (Decision.number), the others get the DC- number
            expected.append(_acquired(s, n, day, inspector.id, number=f"DC-2026-N{n:07d}" if n % 4 == 0 else None))
        others["september"] = _acquired(s, 40, dt.date(2026, 9, 30), inspector.id)["number"]
        others["november"] = _acquired(s, 41, dt.date(2026, 11, 1), inspector.id)["number"]
        refused = _acquired(s, 42, dt.date(2026, 10, 12), inspector.id, status="refused")
        others["refused"] = refused["visit_id"]
        radiated = _acquired(s, 43, dt.date(2026, 10, 13), inspector.id, status="radiated")
        others["radiated"] = radiated["visit_id"]
        label = _acquired(s, 44, dt.date(2026, 10, 14), inspector.id, subject="tourisme_handicap",
                          number="TH-2026-001")
        others["label"] = label["number"]
        s.add(EstablishmentLabel(establishment_id=label["establishment_id"], label="tourisme_handicap",
                                 families=["auditif", "moteur"], valid_from=dt.date(2026, 10, 14),
                                 valid_until=dt.date(2031, 10, 13)))
        s.add(EstablishmentLabel(establishment_id=expected[0]["establishment_id"], label="accueil_velo",
                                 typology="hebergement", valid_from=dt.date(2019, 5, 1),
                                 valid_until=dt.date(2022, 4, 30)))
        s.commit()
    expected.append(_service_acquisition(db))
    db.close()
    for row in expected:
        row.pop("visit_id", None)
        row.pop("establishment_id", None)
    expected.sort(key=lambda r: (r["decided_on"], r["number"]))
    return folder, expected, others


@pytest.fixture
def agency(agency_file, tmp_path: Path) -> tuple[Database, list[dict[str, Any]], dict[str, str], Path]:
    """A copy of the agency's data folder for one test."""
    folder, expected, others = agency_file
    copy = tmp_path / "data"
    shutil.copytree(folder, copy)
    db = open_database(copy / "inspector.sqlite")
    yield db, expected, others, copy
    db.close()


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None if value == "" else value


# ----- the monthly table ------------------------------------------------------------------------------------------


def test_the_monthly_table_has_the_25_definitive_classements_in_order(agency) -> None:
    db, expected, others, _ = agency
    table = monthly_decisions(db, OCTOBER)
    assert table.headers == HEADERS
    assert len(table.rows) == 25
    assert table.rows == expected
    assert [(r["decided_on"], r["number"]) for r in table.rows] == sorted((r["decided_on"], r["number"])
                                                                          for r in table.rows)
    numbers = {r["number"] for r in table.rows}
    assert others["september"] not in numbers and others["november"] not in numbers
    assert others["label"] not in numbers
    assert not any(others["refused"][:8].upper() in n or others["radiated"][:8].upper() in n for n in numbers)
    assert all(r["number"] for r in table.rows)  # never blank
    assert any(n.startswith("DC-2026-N") for n in numbers)  # stored numbers are kept
    notes = " ".join(table.notes)
    assert "25 décisions" in notes and "aucun texte ne fixe les colonnes" in notes and "Site internet" in notes


def test_the_monthly_csv_reads_back_in_french_excel_form(agency, tmp_path: Path) -> None:
    db, expected, _others, _ = agency
    out = tmp_path / "octobre.csv"
    result = export_monthly(db, month="2026-10", path=out)
    assert result.count == 25 and result.fmt == "csv" and result.path == out
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == HEADERS
    assert len(rows) - 1 == 25
    keys = [c.key for c in monthly_decisions(db, OCTOBER).columns]
    assert rows[1:] == [[csv_value(r[k]) for k in keys] for r in expected]
    assert all(row[HEADERS.index("Site internet")] == "" for row in rows[1:])
    assert rows[1][HEADERS.index("Date d'attribution (classement acquis le)")] == expected[0][
        "decided_on"].strftime("%d/%m/%Y")


def test_the_monthly_xlsx_reads_back_with_real_dates_and_numbers(agency, tmp_path: Path) -> None:
    db, expected, _others, _ = agency
    out = tmp_path / "octobre.xlsx"
    result = export_monthly(db, month=OCTOBER, path=out)
    assert result.count == 25 and result.fmt == "xlsx"
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert ws.title == "Décisions 2026-10"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) - 1 == 25
    keys = [c.key for c in monthly_decisions(db, OCTOBER).columns]
    assert [list(r) for r in rows[1:]] == [[xlsx_value(e[k]) for k in keys] for e in expected]
    assert all(cell.font.bold for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["D"].width == 32
    date_cell = ws.cell(row=2, column=HEADERS.index("Date d'attribution (classement acquis le)") + 1)
    assert date_cell.is_date and date_cell.number_format == "DD/MM/YYYY"
    assert isinstance(ws.cell(row=2, column=HEADERS.index("Catégorie (étoiles)") + 1).value, int)
    notes = [c for row in wb["Notes"].iter_rows(values_only=True) for c in row if c]
    text = " ".join(str(c) for c in notes)
    assert "aucun texte ne fixe les colonnes" in text and "article 7" in text
    assert "Site internet : non enregistré" in text and "Capacité (personnes)" in text


def test_an_empty_month_writes_the_headers_only(agency, tmp_path: Path) -> None:
    db, *_ = agency
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"vide.{fmt}"
        assert export_monthly(db, month="2025-02", path=out).count == 0
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
        else:
            rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
        assert [list(r) for r in rows] == [HEADERS]
    assert "0 décision." in " ".join(monthly_decisions(db, parse_month("2025-02")).notes)


def test_months_are_parsed_strictly() -> None:
    assert parse_month("2026-10") == OCTOBER
    assert parse_month("2024-2").end == dt.date(2024, 2, 29)
    for bad in ("2026-13", "2026-00", "10/2026", "octobre", "", "2026-10-01"):
        with pytest.raises(ExportError, match="format AAAA-MM"):
            parse_month(bad)
    assert previous_month(dt.date(2026, 11, 25)) == OCTOBER
    assert previous_month(dt.date(2027, 1, 4)).start == dt.date(2026, 12, 1)


# ----- writing ----------------------------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_previous_file_whole(agency, tmp_path: Path, monkeypatch) -> None:
    db, *_ = agency
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "octobre.xlsx"
    export_monthly(db, month="2026-10", path=out)
    before = out.read_bytes()

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        export_monthly(db, month="2026-11", path=out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["octobre.xlsx"]  # no temporary file left behind
    with pytest.raises(OSError):
        export_monthly(db, month="2026-10", path=folder / "new.csv")
    assert sorted(p.name for p in folder.iterdir()) == ["octobre.xlsx"]


def test_text_that_looks_like_a_formula_stays_text(agency, tmp_path: Path) -> None:
    db, *_ = agency
    with db.session() as s:
        owner = s.query(Owner).filter(Owner.name == "Loueur 01").one()
        owner.name = "=1+2"
        owner.phone = "+33 6 00 00 00 01"
        s.commit()
    table = monthly_decisions(db, OCTOBER)
    row = next(r for r in table.rows if r["phone"].startswith("+33"))
    assert row["owner"].startswith("=")
    text = csv_bytes(table).decode("utf-8-sig")
    assert ";'=1+2;" in text and ";+33 6 00 00 00 01;" in text  # a phone number is left as it is
    out = write_table(table, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(out).worksheets[0]
    owners = [ws.cell(row=r, column=2) for r in range(2, ws.max_row + 1)]
    cell = next(c for c in owners if str(c.value).startswith("="))
    assert cell.data_type == "s" and cell.value == "=1+2"


def test_format_and_file_name_must_agree(agency, tmp_path: Path) -> None:
    db, *_ = agency
    with pytest.raises(ExportError, match="format xlsx"):
        export_monthly(db, month="2026-10", path=tmp_path / "a.csv", fmt="xlsx")
    with pytest.raises(ExportError, match="inconnu"):
        export_monthly(db, month="2026-10", path=tmp_path / "a.ods")
    result = export_monthly(db, month="2026-10", fmt="xlsx", folder=tmp_path)
    assert result.path == tmp_path / "decisions-definitives-2026-10.xlsx" and result.path.exists()


# ----- general exports --------------------------------------------------------------------------------------------


def test_general_exports_cover_every_dataset(agency, tmp_path: Path) -> None:
    db, expected, others, _ = agency
    est = dataset_table(db, "establishments")
    assert len(est.rows) == 25 + 5
    with_label = next(r for r in est.rows if r["name"] == "Meublé 44")
    assert with_label["labels"] == "Tourisme & Handicap (auditif, moteur) jusqu'au 13/10/2031"
    assert next(r for r in est.rows if r["name"] == "Studio Dufour")["category"] == 2
    with pytest.raises(ExportError, match="ne se filtrent pas"):
        dataset_table(db, "establishments", period=Period.year(2026))

    dec = dataset_table(db, "decisions")
    statuses = {r["status"] for r in dec.rows}
    assert statuses == {"Acquise / attribuée", "Refusée", "Radiée"}
    assert len(dec.rows) == 25 + 5
    assert {r["number"] for r in dec.rows} >= {others["label"], others["september"]}
    refused = next(r for r in dec.rows if r["status"] == "Refusée")
    assert refused["number"] == "" and refused["reason"] == "Souhaitait 4 étoiles"
    assert len(dataset_table(db, "decisions", period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))).rows) == 1

    vis = dataset_table(db, "visits", period=Period.year(2026))
    assert len(vis.rows) == 30 and vis.name == "visites-2026"
    s1 = next(r for r in vis.rows if r["establishment"] == "Studio Dufour")
    assert s1["visited_on"] == dt.date(2026, 9, 20) and s1["state"] == "Acquise"
    assert s1["grid_id"] == "MT-2022-V2" and s1["proposed_category"] == 2
    assert next(r for r in vis.rows if r["establishment"] == "Meublé 01")["evaluator"] == "Claire Inspectrice"

    labels = dataset_table(db, "labels")
    assert len(labels.rows) == 2
    assert [r["label"] for r in dataset_table(db, "labels", period=Period.year(2026)).rows] == ["Tourisme & Handicap"]
    assert [r["typology"] for r in dataset_table(db, "labels", period=Period.year(2020)).rows] == ["hebergement"]

    for dataset in ("establishments", "visits", "decisions", "labels"):
        for fmt in ("csv", "xlsx"):
            result = export_dataset(db, dataset=dataset, fmt=fmt, folder=tmp_path)
            assert result.path.exists() and result.path.suffix == f".{fmt}"
            if fmt == "xlsx":
                ws = openpyxl.load_workbook(result.path).worksheets[0]
                assert ws.max_row - 1 == result.count and ws.freeze_panes == "A2"
            else:
                rows = list(csv.reader(io.StringIO(result.path.read_text(encoding="utf-8-sig")), delimiter=";"))
                assert len(rows) - 1 == result.count


# ----- the command line -------------------------------------------------------------------------------------------


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_cli_monthly_export_default_name_and_xlsx(agency, tmp_path: Path) -> None:
    db, _expected, _others, folder = agency
    db.close()
    work = tmp_path / "out"
    work.mkdir()
    out = cli("--data-dir", str(folder), "export", "decisions", "--month", "2026-10", cwd=work)
    assert out.returncode == 0, out.stderr
    assert "25 décisions de classement devenues définitives en octobre 2026" in out.stdout
    written = work / "decisions-definitives-2026-10.csv"
    assert written.exists()
    assert len(list(csv.reader(io.StringIO(written.read_text(encoding="utf-8-sig")), delimiter=";"))) == 26
    target = tmp_path / "cdt.xlsx"
    out = cli("--data-dir", str(folder), "export", "decisions", "--month", "2026-10", "--format", "xlsx", "--out",
              str(target), cwd=work)
    assert out.returncode == 0, out.stderr
    assert openpyxl.load_workbook(target).worksheets[0].max_row == 26
    empty = cli("--data-dir", str(folder), "export", "decisions", "--month", "2025-02", cwd=work)
    assert empty.returncode == 0 and "0 décision" in empty.stdout
    general = cli("--data-dir", str(folder), "export", "visits", "--year", "2026", "--format", "xlsx", cwd=work)
    assert general.returncode == 0 and "Visites : 30 lignes" in general.stdout
    assert (work / "visites-2026.xlsx").exists()


@pytest.mark.parametrize("args, message", [
    (("decisions", "--month", "2026-13"), "mois « 2026-13 » invalide"),
    (("decisions", "--month", "octobre"), "format AAAA-MM"),
    (("visits", "--month", "2026-10"), "--month ne s'emploie qu'avec « decisions »"),
    (("establishments", "--year", "2026"), "ne se filtrent pas par date"),
    (("decisions", "--from", "2026-31-01"), "date invalide"),
    (("decisions", "--month", "2026-10", "--format", "xlsx", "--out", "x.csv"), "ne correspond pas"),
])
def test_cli_user_errors_exit_2_without_traceback(agency, tmp_path: Path, args: tuple[str, ...],
                                                  message: str) -> None:
    _db, _expected, _others, folder = agency
    out = cli("--data-dir", str(folder), "export", *args, cwd=tmp_path)
    assert out.returncode == 2, out.stdout
    assert message in out.stderr and "Traceback" not in out.stderr
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob("*.xlsx"))


def test_cli_without_a_database_says_so(tmp_path: Path) -> None:
    out = cli("--data-dir", str(tmp_path / "nothing"), "export", "decisions", "--month", "2026-10", cwd=tmp_path)
    assert out.returncode == 2 and "aucune base de données" in out.stderr
    assert not (tmp_path / "decisions-definitives-2026-10.csv").exists()
