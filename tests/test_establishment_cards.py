"""Establishment cards: read, validate and update an establishment and its owner, search, last visit (real SQLite)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inspector.db.database import Database, open_database
from inspector.db.models import AuditEntry, Establishment, Owner, Visit
from inspector.services import establishments as est_service
from inspector.services import visits
from inspector.services.common import NotFound, ServiceError
from inspector.services.establishments import InvalidFields

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "inspector.sqlite")
    yield database
    database.close()


def add(db: Database, *, name: str = "Studio « La Digue »", commune: str = "Wimereux", owner: str = "Martine Dufour",
        kind: str = "meuble", **kw: Any) -> tuple[str, str]:
    with db.session() as s:
        o = Owner(name=owner, postcode="62930", commune=commune)
        s.add(o)
        s.flush()
        e = Establishment(kind=kind, name=name, owner_id=o.id, commune=commune, postcode="62930", insee_code="62893",
                          **{"capacity": 2 if kind == "meuble" else None, "layout": "studio", "floor": 2, **kw})
        s.add(e)
        s.commit()
        return e.id, o.id


def row(db: Database, model: type, row_id: str) -> Any:
    with db.session() as s:
        obj = s.get(model, row_id)
        s.expunge(obj)
        return obj


def audits(db: Database, row_id: str) -> list[AuditEntry]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.row_id == row_id).order_by(AuditEntry.at)))


def test_card_holds_the_establishment_and_its_owner(db: Database) -> None:
    eid, oid = add(db)
    card = est_service.get_card(db, eid)
    assert (card.id, card.name, card.commune, card.capacity, card.floor) == (eid, "Studio « La Digue »", "Wimereux",
                                                                             2, 2)
    assert (card.owner_id, card.owner_name, card.owner_postcode) == (oid, "Martine Dufour", "62930")
    assert card.row_version == 1 and card.owner_row_version == 1 and card.last_visit_id is None


def test_card_of_an_establishment_without_owner_has_empty_owner_fields(db: Database) -> None:
    with db.session() as s:
        e = Establishment(kind="restaurant", name="Le Bistrot", commune="Calais")
        s.add(e)
        s.commit()
        eid = e.id
    card = est_service.get_card(db, eid)
    assert card.owner_id is None and card.owner_name == "" and card.owner_row_version is None


def test_card_of_an_unknown_establishment_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="introuvable"):
        est_service.get_card(db, "nope")


def test_update_bumps_the_version_marks_pending_and_audits_before_after(db: Database) -> None:
    eid, _ = add(db)
    with db.session() as s:
        s.get(Establishment, eid).pending_sync = False
        s.commit()
    res = est_service.update_establishment(db, establishment_id=eid, user_id="u1", capacity=4, name="Studio Digue",
                                           commune="Wimereux")
    assert res.value == eid and res.changed.rows == {"establishments": {eid}}
    e = row(db, Establishment, eid)
    assert (e.capacity, e.name, e.row_version, e.pending_sync) == (4, "Studio Digue", 2, True)
    (entry,) = audits(db, eid)
    assert entry.action == "establishment.update" and entry.user_id == "u1"
    # only what changed is recorded (the commune was given unchanged)
    assert entry.details == {"before": {"capacity": 2, "name": "Studio « La Digue »"},
                             "after": {"capacity": 4, "name": "Studio Digue"}}


def test_an_update_that_changes_nothing_writes_nothing(db: Database) -> None:
    eid, _ = add(db)
    res = est_service.update_establishment(db, establishment_id=eid, capacity=2, commune=" Wimereux ")
    assert not res.changed.rows
    assert row(db, Establishment, eid).row_version == 1 and audits(db, eid) == []


def test_values_typed_in_a_form_are_converted(db: Database) -> None:
    eid, _ = add(db)
    est_service.update_establishment(db, establishment_id=eid, capacity=" 6 ", floor="RDC", rooms="3",
                                     insee_code="2a004", postcode="62 930", name="  Maison   du  Port ")
    e = row(db, Establishment, eid)
    assert (e.capacity, e.floor, e.rooms, e.insee_code, e.postcode, e.name) == (6, 0, 3, "2A004", "62930",
                                                                                "Maison du Port")
    est_service.update_establishment(db, establishment_id=eid, floor="-1", rooms="")
    e = row(db, Establishment, eid)
    assert (e.floor, e.rooms) == (-1, None)


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"name": "  "}, "name", "nom est obligatoire"),
    ({"capacity": 0}, "capacity", "au moins 1"),
    ({"capacity": "0"}, "capacity", "« 0 »"),
    ({"capacity": ""}, "capacity", "capacité d'un meublé"),
    ({"capacity": "deux"}, "capacity", "« deux »"),
    ({"capacity": 2.5}, "capacity", "capacité"),
    ({"floor": "2e"}, "floor", "nombre entier"),
    ({"floor": True}, "floor", "nombre entier"),
    ({"insee_code": "6289"}, "insee_code", "code INSEE"),
    ({"postcode": "6293A"}, "postcode", "code postal (5 chiffres)"),
    ({"postcode": "629300"}, "postcode", "code postal"),
    ({"collective_building": "oui"}, "collective_building", "oui ou non"),
    ({"layout": "x" * 41}, "layout", "trop long"),
])
def test_invalid_values_are_refused_in_french_naming_the_field(db: Database, fields: dict[str, Any], field: str,
                                                                words: str) -> None:
    eid, _ = add(db)
    with pytest.raises(InvalidFields) as info:
        est_service.update_establishment(db, establishment_id=eid, **fields)
    assert list(info.value.problems) == [field]
    assert words in info.value.problems[field] and words in str(info.value)
    assert row(db, Establishment, eid).row_version == 1 and audits(db, eid) == []


def test_every_problem_is_reported_and_nothing_is_written(db: Database) -> None:
    eid, _ = add(db)
    with pytest.raises(InvalidFields) as info:
        est_service.update_establishment(db, establishment_id=eid, name="Nouveau nom", capacity=0, postcode="1")
    assert set(info.value.problems) == {"capacity", "postcode"}
    assert row(db, Establishment, eid).name == "Studio « La Digue »"


def test_capacity_is_optional_but_not_negative_for_other_kinds(db: Database) -> None:
    eid, _ = add(db, name="Le Bistrot", kind="restaurant")
    est_service.update_establishment(db, establishment_id=eid, capacity="")
    assert row(db, Establishment, eid).capacity is None
    with pytest.raises(InvalidFields, match="au moins 0"):
        est_service.update_establishment(db, establishment_id=eid, capacity=-3)


def test_an_unknown_field_is_named(db: Database) -> None:
    eid, oid = add(db)
    with pytest.raises(ServiceError, match="colour"):
        est_service.update_establishment(db, establishment_id=eid, colour="bleu")
    with pytest.raises(ServiceError, match="current_category"):
        est_service.update_establishment(db, establishment_id=eid, current_category=5)
    with pytest.raises(ServiceError, match="capacity"):
        est_service.update_owner(db, owner_id=oid, capacity=2)


def test_unknown_rows_are_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        est_service.update_establishment(db, establishment_id="nope", name="x")
    with pytest.raises(NotFound):
        est_service.update_owner(db, owner_id="nope", name="x")


def test_update_owner(db: Database) -> None:
    eid, oid = add(db)
    res = est_service.update_owner(db, owner_id=oid, user_id="u1", phone="06 12 34 56 78",
                                   email="martine@example.org")
    assert res.changed.rows == {"owners": {oid}}
    o = row(db, Owner, oid)
    assert (o.phone, o.email, o.row_version, o.pending_sync) == ("06 12 34 56 78", "martine@example.org", 2, True)
    (entry,) = audits(db, oid)
    assert entry.action == "owner.update" and entry.details["after"] == {"phone": "06 12 34 56 78",
                                                                         "email": "martine@example.org"}
    with pytest.raises(InvalidFields) as info:
        est_service.update_owner(db, owner_id=oid, name="", postcode="abc", email="pas une adresse")
    assert set(info.value.problems) == {"name", "postcode", "email"}
    assert row(db, Owner, oid).row_version == 2


def test_save_card_writes_both_rows_or_neither(db: Database) -> None:
    eid, oid = add(db)
    with pytest.raises(InvalidFields) as info:
        est_service.save_card(db, establishment_id=eid, establishment={"capacity": 5}, owner={"postcode": "x"})
    assert set(info.value.problems) == {"owner_postcode"}
    assert row(db, Establishment, eid).capacity == 2
    res = est_service.save_card(db, establishment_id=eid, establishment={"capacity": 5}, owner={"phone": "0321"})
    assert res.changed.rows == {"establishments": {eid}, "owners": {oid}}
    assert row(db, Establishment, eid).capacity == 5 and row(db, Owner, oid).phone == "0321"


def test_a_change_made_in_between_is_not_overwritten(db: Database) -> None:
    eid, _ = add(db)
    card = est_service.get_card(db, eid)
    est_service.update_establishment(db, establishment_id=eid, capacity=3)
    with pytest.raises(ServiceError, match="modifié entre-temps"):
        est_service.update_establishment(db, establishment_id=eid, expected_version=card.row_version, capacity=4)
    assert row(db, Establishment, eid).capacity == 3


def test_search_ignores_accents_and_case_and_matches_every_word(db: Database) -> None:
    a, _ = add(db, name="Appartement « Les Vagues »", commune="Étaples", owner="Véronique Wallet")
    b, _ = add(db, name="Studio « La Digue »", commune="Wimereux", owner="Martine Dufour")
    c, _ = add(db, name="Maison « Les Épis »", commune="Wimereux", owner="Hélène Dufour")
    assert [r.id for r in est_service.search_establishments(db, "etaples")] == [a]
    assert [r.id for r in est_service.search_establishments(db, "VERONIQUE")] == [a]
    assert [r.id for r in est_service.search_establishments(db, "epis")] == [c]
    assert {r.id for r in est_service.search_establishments(db, "dufour")} == {b, c}
    assert [r.id for r in est_service.search_establishments(db, "dufour digue")] == [b]
    assert [r.id for r in est_service.search_establishments(db, "62893")] == [a, c, b]  # INSEE code, by name
    found = est_service.search_establishments(db, "vagues")[0]
    assert (found.name, found.commune, found.owner, found.kind) == ("Appartement « Les Vagues »", "Étaples",
                                                                    "Véronique Wallet", "meuble")
    assert est_service.search_establishments(db, "%") == []
    bistrot, _ = add(db, name="Le Bistrot de la Digue", kind="restaurant")
    assert {r.id for r in est_service.search_establishments(db, "digue")} == {b, bistrot}
    assert [r.id for r in est_service.search_establishments(db, "digue", kinds=("meuble",))] == [b]
    assert len(est_service.search_establishments(db, "", limit=2)) == 2
    assert [r.name for r in est_service.search_establishments(db, "", kinds=("meuble",))] == [
        "Appartement « Les Vagues »", "Maison « Les Épis »", "Studio « La Digue »"]


def test_last_visit_is_the_one_a_renewal_follows(db: Database) -> None:
    eid, _ = add(db)
    assert est_service.last_visit_id(db, eid) is None
    with db.session() as s:
        for visited, state in ((dt.date(2016, 5, 2), "acquired"), (dt.date(2021, 5, 3), "acquired"),
                               (None, "planned")):
            s.add(Visit(establishment_id=eid, kind="classement", state=state, requested_category=2,
                        grid_id="MT-2022-V2", grid_version="x", grid_sha256="x", visited_on=visited))
        s.commit()
        latest = s.scalar(select(Visit.id).where(Visit.visited_on == dt.date(2021, 5, 3)))
    assert est_service.last_visit_id(db, eid) == latest
    assert est_service.get_card(db, eid).last_visit_id == latest
    assert est_service.search_establishments(db, "digue")[0].last_visit_id == latest
    renewal = visits.create_visit(db, establishment_id=eid, kind="renouvellement", requested_category=2,
                                  planned_on=TODAY).value
    with db.session() as s:
        assert s.get(Visit, renewal).previous_visit_id == latest


def test_check_functions_touch_no_database() -> None:
    clean, problems = est_service.check_establishment_fields("meuble", {"capacity": "4", "postcode": "62000"})
    assert clean == {"capacity": 4, "postcode": "62000"} and problems == {}
    _, problems = est_service.check_establishment_fields("meuble", {"capacity": "0"})
    assert "capacité" in problems["capacity"]
    _, problems = est_service.check_owner_fields({"email": "x"})
    assert "e-mail" in problems["email"]


def test_search_rows_tell_what_the_next_visit_should_be(db: Database) -> None:
    def visit(eid: str, kind: str, state: str, visited: dt.date | None) -> None:
        with db.session() as s:
            s.add(Visit(establishment_id=eid, kind=kind, state=state, requested_category=2, grid_id="MT-2022-V2",
                        grid_version="x", grid_sha256="x", visited_on=visited))
            s.commit()

    never, _ = add(db, name="Jamais visité")
    advised, _ = add(db, name="Visite conseil")
    visit(advised, "visite_conseil", "completed", dt.date(2026, 11, 19))
    refused, _ = add(db, name="Refusé")
    visit(refused, "classement", "refused", dt.date(2026, 10, 15))
    acquired, _ = add(db, name="Acquis")
    visit(acquired, "classement", "acquired", dt.date(2021, 11, 11))
    visit(acquired, "renouvellement", "planned", None)
    imported, _ = add(db, name="Classé avant l'application", current_category=2,
                      category_valid_until=dt.date(2027, 1, 4))
    rows = {r.id: r for r in est_service.search_establishments(db, "")}
    assert {eid: rows[eid].suggested_visit_kind for eid in rows} == {
        never: "classement", advised: "classement", refused: "classement", acquired: "renouvellement",
        imported: "renouvellement"}
    assert (rows[advised].last_visit_kind, rows[advised].last_visit_state, rows[advised].last_visit_on) == (
        "visite_conseil", "completed", dt.date(2026, 11, 19))
    assert rows[acquired].open_visit_id is not None and rows[never].open_visit_id is None
    assert rows[never].last_visit_id is None and rows[imported].last_visit_id is None
