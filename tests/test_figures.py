"""The agency's figures on a small controlled database: known counts per stars, area, inspector; targets; overdue."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from inspector.db.database import Database
from inspector.db.models import Decision, Establishment, EstablishmentLabel, User, Visit
from inspector.figures.counts import compute_figures
from inspector.figures.targets import DEFAULT_TARGETS, Targets, load_targets, save_targets
from inspector.services.common import ServiceError

TODAY = dt.date(2026, 11, 25)


def _visit(est: Establishment, kind: str, *, visited: dt.date | None, state: str = "completed",
           evaluator: User | None = None, planned: dt.date | None = None, superseded: bool = False) -> Visit:
    return Visit(establishment_id=est.id, kind=kind, state=state, grid_id="G", grid_version="1", grid_sha256="0",
                 visited_on=visited, planned_on=planned or visited, evaluator_id=evaluator.id if evaluator else None,
                 superseded=superseded)


@pytest.fixture
def agency(db: Database) -> dict[str, str]:
    return build_agency(db)


def build_agency(db: Database) -> dict[str, str]:
    """Two inspectors, meublés in three communes (two EPCI known), label holders, visits and decisions."""
    with db.session() as s:
        anne, bruno = User(name="Anne Caron"), User(name="Bruno Petit")
        s.add_all([anne, bruno])

        def est(name: str, commune: str, epci: str = "", *, category: int | None = None,
                until: dt.date | None = None, kind: str = "meuble") -> Establishment:
            e = Establishment(kind=kind, name=name, commune=commune, intercommunality=epci,
                              current_category=category, category_valid_until=until)
            s.add(e)
            return e

        boul = "CA du Boulonnais"
        valid = dt.date(2029, 5, 1)
        # classified today: 3★ ×2 and 4★ in Wimereux (CAB), 2★ in Boulogne (CAB), 5★ in Tilques (no EPCI recorded)
        m1 = est("M1", "Wimereux", boul, category=3, until=valid)
        m2 = est("M2", "Wimereux", boul, category=3, until=valid)
        m3 = est("M3", "Wimereux", boul, category=4, until=dt.date(2027, 2, 10))  # renews in February 2027
        m4 = est("M4", "Boulogne-sur-Mer", boul, category=2, until=TODAY)  # still valid today
        m5 = est("M5", "Tilques", "", category=5, until=valid)
        # expired: 3 months ago (overdue, no visit) and 2 years ago (out of the 12-month window)
        m6 = est("M6", "Wimereux", boul, category=2, until=dt.date(2026, 8, 20))
        est("M7", "Wimereux", boul, category=3, until=dt.date(2024, 6, 1))
        # expired 10 days ago but its renewal visit is planned: not overdue
        m8 = est("M8", "Boulogne-sur-Mer", boul, category=4, until=dt.date(2026, 11, 15))
        s.flush()
        s.add_all([
            # meublés visits of 2026: two classements, one renewal (Anne ×2, Bruno ×1), one advisory
            _visit(m1, "classement", visited=dt.date(2026, 3, 10), state="acquired", evaluator=anne),
            _visit(m2, "classement", visited=dt.date(2026, 10, 1), evaluator=anne),  # report overdue
            _visit(m3, "renouvellement", visited=dt.date(2026, 11, 20), state="in_progress", evaluator=bruno),
            _visit(m5, "visite_conseil", visited=dt.date(2026, 6, 2), evaluator=bruno),
            # a superseded revision does not count, a visit of 2025 neither, a planned one apart
            _visit(m1, "classement", visited=dt.date(2026, 3, 10), state="issued", evaluator=anne,
                   superseded=True),
            _visit(m4, "classement", visited=dt.date(2025, 12, 30), state="acquired", evaluator=anne),
            _visit(m8, "renouvellement", visited=None, state="planned", planned=dt.date(2026, 12, 3)),
        ])
        # labels: T&H restaurant (auditif, moteur), an old T&H expired 2 months ago (no visit), AV holders
        resto = est("Resto", "Arras", "CU d'Arras", kind="restaurant")
        old_th = est("Musée", "Arras", "CU d'Arras", kind="site")
        hotel = est("Hôtel", "Berck", "CA des Deux Baies en Montreuil", kind="hotel")
        loueur = est("Vélos", "Hesdin", "CC des 7 Vallées", kind="loueur_velos")
        camping = est("Camping", "Berck", "CA des Deux Baies en Montreuil", kind="camping")
        s.flush()
        th1 = _visit(resto, "th_primo", visited=dt.date(2026, 2, 3), state="acquired", evaluator=anne)
        th2 = _visit(old_th, "th_conseil", visited=dt.date(2026, 4, 4), evaluator=bruno)
        th3 = _visit(hotel, "th_conseil", visited=dt.date(2026, 5, 5), evaluator=bruno)
        av1 = _visit(hotel, "accueil_velo", visited=dt.date(2026, 4, 1), state="acquired", evaluator=bruno)
        av2 = _visit(loueur, "accueil_velo", visited=dt.date(2026, 6, 1), state="acquired", evaluator=bruno)
        av3 = _visit(camping, "accueil_velo", visited=dt.date(2026, 7, 1), state="acquired", evaluator=bruno)
        s.add_all([th1, th2, th3, av1, av2, av3])
        s.flush()
        decided = dt.date(2026, 3, 20)
        s.add_all([
            Decision(visit_id=th1.id, establishment_id=resto.id, subject="tourisme_handicap", status="acquired",
                     families=["auditif", "moteur"], decided_on=decided),
            # new AV: the hotel (first AV) and the hire shop (first AV); the camping held AV since 2023 (renewal)
            Decision(visit_id=av1.id, establishment_id=hotel.id, subject="accueil_velo", status="acquired",
                     decided_on=dt.date(2026, 4, 20)),
            Decision(visit_id=av2.id, establishment_id=loueur.id, subject="accueil_velo", status="acquired",
                     decided_on=dt.date(2026, 6, 20)),
            Decision(visit_id=av3.id, establishment_id=camping.id, subject="accueil_velo", status="acquired",
                     decided_on=dt.date(2026, 7, 20)),
            Decision(visit_id=None, establishment_id=camping.id, subject="accueil_velo", status="acquired",
                     decided_on=dt.date(2023, 7, 1)),
            Decision(visit_id=None, establishment_id=m1.id, subject="meuble_category", status="acquired",
                     category=3, decided_on=dt.date(2026, 4, 10)),
            Decision(visit_id=None, establishment_id=m6.id, subject="meuble_category", status="refused",
                     decided_on=dt.date(2026, 5, 10)),
            EstablishmentLabel(establishment_id=resto.id, label="tourisme_handicap", families=["auditif", "moteur"],
                               valid_from=decided, valid_until=dt.date(2031, 3, 19)),
            EstablishmentLabel(establishment_id=old_th.id, label="tourisme_handicap", families=["visuel"],
                               valid_from=dt.date(2021, 9, 1), valid_until=dt.date(2026, 9, 30)),
            EstablishmentLabel(establishment_id=hotel.id, label="accueil_velo", typology="hebergement",
                               valid_from=dt.date(2026, 4, 20), valid_until=dt.date(2029, 4, 19)),
            EstablishmentLabel(establishment_id=loueur.id, label="accueil_velo", typology="loueur",
                               valid_from=dt.date(2026, 6, 20), valid_until=None),  # end derived: 3 years
            EstablishmentLabel(establishment_id=camping.id, label="accueil_velo", typology="hebergement",
                               valid_from=dt.date(2026, 7, 20), valid_until=dt.date(2029, 7, 19)),
        ])
        s.commit()
        return {"m2": m2.id}


def test_visits_and_targets_of_the_year(db: Database, agency: dict[str, str]) -> None:
    f = compute_figures(db, year=2026, today=TODAY)
    assert f.meubles_visits == 3  # 2 classements + 1 renewal; the superseded revision and 2025 left out
    assert f.meubles_advisory == 1
    assert f.meubles_planned == 1
    assert (f.th_visits, f.th_attribution, f.th_advisory) == (3, 1, 2)
    assert f.new_accueil_velo == 2  # the camping renewed its AV: not new
    assert f.decided("accueil_velo", "acquired") == 3
    assert f.decided("meuble_category", "acquired") == 1 and f.decided("meuble_category", "refused") == 1
    assert f.decided("tourisme_handicap", "acquired") == 1
    assert f.meubles_by_month[2] == 1 and f.meubles_by_month[9] == 1 and f.meubles_by_month[10] == 1
    assert f.targets == DEFAULT_TARGETS
    assert compute_figures(db, year=2025, today=TODAY).meubles_visits == 1


def test_classified_meubles_by_stars_and_area(db: Database, agency: dict[str, str]) -> None:
    f = compute_figures(db, year=2026, today=TODAY)
    assert f.classified_by_stars == {1: 0, 2: 1, 3: 2, 4: 1, 5: 1}
    assert f.classified_total == 5
    areas = {(a.name, a.is_epci): a.count for a in f.classified_by_area}
    assert areas == {("CA du Boulonnais", True): 4, ("Tilques", False): 1}
    assert f.classified_by_area[0].name == "CA du Boulonnais"
    assert {a.name: a.count for a in f.classified_by_commune} == {"Wimereux": 3, "Boulogne-sur-Mer": 1,
                                                                  "Tilques": 1}


def test_labels_held_by_family_and_typology(db: Database, agency: dict[str, str]) -> None:
    f = compute_figures(db, year=2026, today=TODAY)
    assert f.labels_held == {"tourisme_handicap": 1, "accueil_velo": 3}
    assert f.th_by_family == {"auditif": 1, "moteur": 1}  # the expired « visuel » label is not held any more
    assert f.av_by_typology == {"hebergement": 2, "loueur": 1}


def test_visits_per_inspector(db: Database, agency: dict[str, str]) -> None:
    f = compute_figures(db, year=2026, today=TODAY)
    rows = {r.name: r for r in f.per_inspector}
    assert rows["Bruno Petit"].meubles == 2 and rows["Bruno Petit"].tourisme_handicap == 2
    assert rows["Bruno Petit"].accueil_velo == 3 and rows["Bruno Petit"].total == 7
    assert rows["Anne Caron"].meubles == 2 and rows["Anne Caron"].tourisme_handicap == 1
    assert f.per_inspector[0].name == "Bruno Petit"


def test_overdue_lists_and_renewals(db: Database, agency: dict[str, str]) -> None:
    f = compute_figures(db, year=2026, today=TODAY)
    # the visit of 1 October was due on 1 November; the one of 20 November is not late yet
    assert f.overdue_reports_count == 1
    (late,) = f.overdue_reports
    assert (late.establishment, late.due, late.days_late, late.inspector) == ("M2", dt.date(2026, 11, 1), 24,
                                                                               "Anne Caron")
    with db.session() as s:
        assert s.get(Visit, late.visit_id).establishment_id == agency["m2"]
    assert [e.establishment for e in f.expired_classements] == ["M6"]  # M7 too old, M8 has its visit planned
    assert f.expired_classements_count == 1
    assert [(e.establishment, e.subject) for e in f.expired_labels] == [("Musée", "tourisme_handicap")]
    months = {m.month: m for m in f.renewals_by_month}
    assert len(f.renewals_by_month) == 12 and f.renewals_by_month[0].month == dt.date(2026, 11, 1)
    assert months[dt.date(2026, 11, 1)].classements == 1  # M4 ends today
    assert months[dt.date(2027, 2, 1)].classements == 1  # M3, whose renewal visit is in progress
    assert months[dt.date(2027, 2, 1)].without_visit == 0
    assert f.renewals_next_12_months == 2


def test_report_due_edge_of_the_month(db: Database) -> None:
    """A visit on 31 October is due on 30 November (end of month clamp): not late on 30 November, late on 1 Dec."""
    with db.session() as s:
        e = Establishment(kind="meuble", name="E", commune="Calais")
        s.add(e)
        s.flush()
        s.add(_visit(e, "classement", visited=dt.date(2026, 10, 31)))
        s.commit()
    assert compute_figures(db, year=2026, today=dt.date(2026, 11, 30)).overdue_reports_count == 0
    assert compute_figures(db, year=2026, today=dt.date(2026, 12, 1)).overdue_reports_count == 1


def test_targets_round_trip_and_checks(db: Database) -> None:
    assert load_targets(db) == Targets(200, 250, 25, 10, 15, 25)
    changed = save_targets(db, targets=Targets(180, 220, 30, 12, 18, 20), user_id=None)
    assert "settings" in changed.changed
    assert load_targets(db) == Targets(180, 220, 30, 12, 18, 20)
    assert compute_figures(db, year=2026, today=TODAY).targets.meubles_min == 180
    with pytest.raises(ServiceError, match="fourchette des meublés inversée"):
        save_targets(db, targets=Targets(300, 250, 25, 10, 15, 25))
    with pytest.raises(ServiceError, match="nouveaux prestataires Accueil Vélo"):
        save_targets(db, targets=Targets(200, 250, 25, 10, 15, -1))
    assert load_targets(db).meubles_min == 180  # nothing written on refusal


def test_targets_per_year_fall_back_on_the_default(db: Database) -> None:
    from inspector.db.models import Setting
    from inspector.figures.targets import has_own_targets

    with db.session() as s:  # the first, flat shape of the setting is read as the default of every year
        s.add(Setting(key="agency_targets", value=Targets(190, 240, 25, 10, 15, 25).as_dict()))
        s.commit()
    assert load_targets(db, 2025) == load_targets(db) == Targets(190, 240, 25, 10, 15, 25)
    save_targets(db, targets=Targets(210, 260, 30, 12, 18, 30), year=2027)
    assert has_own_targets(db, 2027) and not has_own_targets(db, 2026)
    assert load_targets(db, 2027) == Targets(210, 260, 30, 12, 18, 30)
    assert load_targets(db, 2026) == Targets(190, 240, 25, 10, 15, 25)  # a year without its own: the default
    assert compute_figures(db, year=2027, today=TODAY).targets.new_accueil_velo == 30
    assert compute_figures(db, year=2026, today=TODAY).targets.new_accueil_velo == 25
    save_targets(db, targets=Targets(200, 250, 25, 10, 15, 20))  # the default changes, 2027 keeps its own
    assert load_targets(db, 2026).new_accueil_velo == 20 and load_targets(db, 2027).new_accueil_velo == 30


def test_json_is_plain(db: Database, agency: dict[str, str]) -> None:
    data = json.loads(json.dumps(compute_figures(db, year=2026, today=TODAY).as_json()))
    assert data["totals"]["meubles_visits"] == 3 and data["totals"]["new_accueil_velo"] == 2
    assert data["overdue_reports"][0]["due"] == "2026-11-01"


def test_cli_prints_figures_and_writes_pdf(tmp_path, capsys) -> None:
    from inspector.cli.main import main

    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "figures", "--year", "2026", "--today", "2026-11-25", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == 2026 and out["targets"]["th_visits"] == 25
    assert main(["--data-dir", str(data), "figures", "--today", "2026-11-25"]) == 0
    assert "Meublés visités" in capsys.readouterr().out
    pdf = tmp_path / "cc.pdf"
    assert main(["--data-dir", str(data), "figures", "pdf", "--year", "2025", "--today", "2026-11-25",
                 "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert main(["--data-dir", str(data), "figures", "--year", "1999"]) == 2
    assert "une année de 2000 à 2100" in capsys.readouterr().err
