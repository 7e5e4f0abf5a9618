"""The label grids shipped in grids/: provenance stated honestly, shape as documented, hand-computed proposals.

Expected counts below were computed by hand from the grid files (criterion by criterion, per family and filière);
the comments list the criteria so that a reviewer can check them against `inspector grid show ID`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from inspector.grids.loader import load_grid
from inspector.grids.model import Grid
from inspector.grids.registry import bundled_grids_dir, find_grid
from inspector.scoring.answers import ScoringInputError
from inspector.scoring.labels import score_label

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("auditif", "mental", "moteur", "visuel")
SHIPPED = ("AV-2025-SOCLE", "TH-EXEMPLE-2024", "CHR-EXEMPLE-2026")
SWORN = {"sworn_statement": True}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)


@pytest.fixture(scope="module")
def th() -> Grid:
    return load_grid(bundled_grids_dir() / "TH-EXEMPLE-2024.json")


@pytest.fixture(scope="module")
def av() -> Grid:
    return load_grid(bundled_grids_dir() / "AV-2025-SOCLE.json")


@pytest.fixture(scope="module")
def chr_grid() -> Grid:
    return load_grid(bundled_grids_dir() / "CHR-EXEMPLE-2026.json")


# ------------------------------------------------------------------------------------------------- every grid


@pytest.mark.parametrize("grid_id", SHIPPED)
def test_each_grid_validates_and_follows_the_schema_and_the_serialisation(grid_id: str) -> None:
    path = bundled_grids_dir() / f"{grid_id}.json"
    grid = load_grid(path)  # raises GridError with every problem otherwise
    assert grid.id == grid_id
    data = path.read_bytes()
    doc = json.loads(data.decode("utf-8"))
    # Written like MT-2022-V2.json: indent 1, UTF-8 characters kept, one trailing newline.
    assert data.decode("utf-8") == json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    schema = json.loads((bundled_grids_dir() / "schema" / "grid.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    assert not errors, errors[:1]


@pytest.mark.parametrize("grid_id", ["TH-EXEMPLE-2024", "CHR-EXEMPLE-2026"])
def test_example_grids_say_they_are_not_official(grid_id: str) -> None:
    grid = find_grid(grid_id)
    assert grid.provenance.status == "example" and not grid.provenance.is_official
    for text in (grid.title, grid.provenance.source_document):
        assert "exemple" in text.lower() and "non officielle" in text
    assert grid.provenance.applicable_from is None
    assert grid.provenance.publisher.startswith("Aucun éditeur officiel")


def test_grid_validate_list_and_show_from_the_command_line() -> None:
    paths = sorted(str(p.relative_to(ROOT)) for p in bundled_grids_dir().glob("*.json"))
    ok = run("grid", "validate", *paths)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("OK ") == len(paths) >= 4
    listing = run("grid", "list")
    assert listing.returncode == 0, listing.stderr
    lines = {line.split("\t")[0]: line for line in listing.stdout.splitlines()}
    assert "partielle (contenu officiel incomplet)\t7 lignes" in lines["AV-2025-SOCLE"]
    assert "exemple — non officielle\t45 lignes" in lines["TH-EXEMPLE-2024"]
    assert "exemple — non officielle\t27 lignes" in lines["CHR-EXEMPLE-2026"]
    show = run("grid", "show", "AV-2025-SOCLE")
    assert show.returncode == 0, show.stderr
    assert ("Provenance : grille partielle (contenu officiel incomplet) — NE PAS PRÉSENTER COMME OFFICIELLE"
            in show.stdout)
    assert "critères par typologie non disponibles — à charger depuis le référentiel officiel" in show.stdout
    th_show = run("grid", "show", "TH-EXEMPLE-2024", "--json")
    doc = json.loads(th_show.stdout)
    assert doc["provenance"]["status"] == "example" and doc["provenance"]["label"] == "exemple — non officielle"


# ------------------------------------------------------------------------------------------------ Accueil Vélo


class TestAccueilVeloSocle2025:
    TITLE = "Accueil Vélo — socle commun 2025 (7 critères communs à toutes les typologies)"

    @staticmethod
    def ctx(**overrides: Any) -> dict[str, Any]:
        base: dict[str, Any] = {"typology": "restaurant", "itinerary_distance_km": 2.5}
        base.update(overrides)
        return base

    @staticmethod
    def all_met(**overrides: str) -> dict[str, str]:
        answers = {f"S{i}": "yes" for i in range(1, 8)}
        answers.update(overrides)
        return answers

    def test_shape_and_provenance(self, av: Grid) -> None:
        assert (av.id, av.version, av.kind, av.level_kind) == ("AV-2025-SOCLE", "2025-socle", "accueil_velo", "label")
        assert av.validity_years == 3
        p = av.provenance
        assert p.status == "partial" and p.publisher == "France Vélo Tourisme" and p.applicable_from == "2025-01-01"
        assert p.source_document.startswith("socle commun 2025, 7 critères, d'après des sources secondaires")
        assert "critères par typologie non disponibles" in p.source_document
        assert "pas le texte officiel" in p.notes and "optional_rule" in p.notes
        assert [c.code for c in av.criteria] == [f"S{i}" for i in range(1, 8)]
        assert all(dict(c.status) == {"label": "X"} and not c.typologies for c in av.criteria)
        assert list(av.typologies) == ["hebergement", "loueur", "reparateur", "office_tourisme",
                                       "site_visite_loisirs", "restaurant"]
        assert av.criterion("S1").text == "Informer sur le meilleur itinéraire pour rejoindre l'établissement"
        assert dict(av.settings) == {"optional_rule": {"kind": "none"}}
        assert [p.code for p in av.prerequisites] == ["PRQ-5KM", "PRQ-HEB"]

    def test_restaurant_without_qualification_passes_when_all_seven_are_met(self, av: Grid) -> None:
        r = score_label(av, context=self.ctx(), answers=self.all_met(), typology="restaurant")
        assert r.prerequisites_ok and r.proposed
        lv = r.levels["label"]
        assert (lv.mandatory_met, lv.mandatory_total, lv.optional_total) == (7, 7, 0)
        assert r.reasons == (f"Proposition : attribution de « {self.TITLE} ».",)

    def test_distance_of_6_km_fails_the_prerequisite(self, av: Grid) -> None:
        r = score_label(av, context=self.ctx(itinerary_distance_km=6), answers=self.all_met(), typology="restaurant")
        assert not r.proposed and [p.code for p in r.prerequisites if not p.ok] == ["PRQ-5KM"]
        assert r.reasons[0] == ("Prérequis non rempli : Situé à moins de 5 km d'un itinéraire cyclable (schéma "
                                "national, régional ou départemental).")
        assert r.levels["label"].passed  # the criteria themselves are met: only the prerequisite fails
        assert score_label(av, context=self.ctx(itinerary_distance_km=5), answers=self.all_met(),
                           typology="restaurant").proposed  # 5 km is within the limit

    def test_accommodation_must_be_qualified(self, av: Grid) -> None:
        ctx = self.ctx(typology="hebergement")
        r = score_label(av, context=ctx, answers=self.all_met(), typology="hebergement")
        assert not r.proposed and [p.code for p in r.prerequisites if not p.ok] == ["PRQ-HEB"]
        assert r.reasons[0] == "Prérequis non rempli : Hébergement : classé ou labellisé, en cours de validité."
        ok = score_label(av, context={**ctx, "accommodation_qualified": True}, answers=self.all_met(),
                         typology="hebergement")
        assert ok.proposed

    def test_one_common_criterion_missed_fails(self, av: Grid) -> None:
        r = score_label(av, context=self.ctx(typology="loueur"), answers=self.all_met(S6="no"), typology="loueur")
        assert not r.proposed and r.levels["label"].failed_mandatory == ("S6",)
        assert r.reasons[0] == "Critère(s) obligatoire(s) non rempli(s) : S6."

    def test_the_typology_of_the_visit_fills_the_context_and_must_agree_with_it(self, av: Grid) -> None:
        # Without a typology in the context, the visit's typology is used by the prerequisites.
        no_key = {"itinerary_distance_km": 1.0}
        assert score_label(av, context=no_key, answers=self.all_met(), typology="restaurant").proposed
        assert not score_label(av, context=no_key, answers=self.all_met(), typology="hebergement").prerequisites_ok
        with pytest.raises(ScoringInputError, match="typologie « restaurant » différente de la typologie de la "
                                                    "visite « hebergement »"):
            score_label(av, context=self.ctx(), answers=self.all_met(), typology="hebergement")


# ------------------------------------------------------------------------------------------ Tourisme & Handicap

# Filière « restauration » (criteria without typology + RE01–RE06), by family:
#   auditif  X  PA02 PA03 PA07 CB09                               CU  PA01 PA05 CB05 CB13 CB18 CB19 RE03 RE04 (8)
#   mental   X  PA03 PA05 CB13                                    CU  PA01 PA02 PA04 CB05 CB07 CB11 CB19 CB22
#                                                                     RE02 RE03 RE04 (11)
#   moteur   X  PA03 CB01 CB02 CB06 CB08 CB17 CB20 RE01           CU  PA01 PA06 CB03 CB10 CB12 CB15 CB21 RE05 (8)
#   visuel   X  PA03 PA04 PA06 CB07 CB14 CB16 CB19 RE02           CU  PA01 PA02 CB03 CB04 CB05 CB11 CB12 CB13
#                                                                     CB15 CB18 CB22 RE05 (12)
RESTAURATION_COUNTS = {"auditif": (4, 8), "mental": (3, 11), "moteur": (8, 8), "visuel": (8, 12)}


def th_answers(grid: Grid, typology: str = "restauration") -> dict[str, Any]:
    """"yes" to every criterion of the filière that counts for at least one family (R-only rows need no answer)."""
    return {c.code: "yes" for c in grid.criteria if (not c.typologies or typology in c.typologies)
            and any(s not in ("NA", "R") for s in c.status.values())}


def per_family(**values: str) -> dict[str, str]:
    """One answer per family: "yes" unless given (T&H records a result per family)."""
    return {f: values.get(f, "yes") for f in FAMILIES}


class TestTourismeHandicapExample:
    def test_shape(self, th: Grid) -> None:
        assert (th.kind, th.level_kind, th.level_codes) == ("tourisme_handicap", "family", FAMILIES)
        assert th.validity_years == 5 and len(th.criteria) == 45
        assert list(th.typologies) == ["hebergement_erp", "hebergement_non_erp", "information_touristique", "loisir",
                                       "restauration", "visite"]
        assert dict(th.settings) == {"confort_threshold": "0.75", "min_families": 2, "empty_confort_passes": True}
        assert "Arrêté du 18 avril 2024" in th.provenance.legal_basis and "75 %" in th.provenance.legal_basis
        assert [p.code for p in th.prerequisites] == ["PRQ-DH"]
        assert {s for c in th.criteria for s in c.status.values()} == {"X", "CU", "R", "NA"}
        assert {c.code for c in th.criteria if c.typologies == ("restauration",)} == {f"RE0{i}" for i in range(1, 7)}
        assert all(set(c.typologies) <= {"hebergement_erp", "hebergement_non_erp"}
                   for c in th.criteria if c.code.startswith("HB"))
        # Enough of both kinds in every filière for a demonstration to pass or fail on either rule.
        for typ in th.typologies:
            rows = [c for c in th.criteria if not c.typologies or typ in c.typologies]
            for fam in FAMILIES:
                statuses = [c.status_for(fam) for c in rows]
                assert statuses.count("X") >= 3 and statuses.count("CU") >= 7, (typ, fam)

    def test_all_met_gives_the_four_families(self, th: Grid) -> None:
        r = score_label(th, context=SWORN, answers=th_answers(th), typology="restauration")
        assert r.proposed and r.passed_levels == list(FAMILIES)
        counts = {lv: (x.mandatory_total, x.confort_total) for lv, x in r.levels.items()}
        assert counts == RESTAURATION_COUNTS

    def test_two_families_pass_and_the_label_is_proposed_for_them(self, th: Grid) -> None:
        # PA05 is obligatoire for mental (CU for auditif: 7/8 still passes); RE02 obligatoire for visuel.
        answers = {**th_answers(th), "PA05": "no", "RE02": "no"}
        r = score_label(th, context=SWORN, answers=answers, typology="restauration")
        assert r.passed_levels == ["auditif", "moteur"] and r.proposed
        assert r.levels["mental"].failed_mandatory == ("PA05",)
        assert r.levels["visuel"].failed_mandatory == ("RE02",)
        assert r.levels["auditif"].confort_ratio == Decimal(7) / Decimal(8)
        assert r.reasons[-1] == "Proposition : label Tourisme & Handicap pour 2 famille(s) : Auditif, Moteur."

    def test_one_obligatoire_missed_fails_that_family_only(self, th: Grid) -> None:
        answers = {**th_answers(th), "CB06": "no"}  # door clear width ≥ 77 cm, obligatoire for moteur only
        r = score_label(th, context=SWORN, answers=answers, typology="restauration")
        assert r.levels["moteur"].failed_mandatory == ("CB06",) and not r.levels["moteur"].passed
        assert r.passed_levels == ["auditif", "mental", "visuel"] and r.proposed
        assert "Moteur : critère(s) obligatoire(s) non rempli(s) : CB06." in r.reasons

    def test_confort_exactly_75_percent_passes(self, th: Grid) -> None:
        answers = {**th_answers(th), "CB10": "no", "CB21": "no"}  # both CU for moteur only: 6/8
        moteur = score_label(th, context=SWORN, answers=answers, typology="restauration").levels["moteur"]
        assert (moteur.confort_met, moteur.confort_total) == (6, 8)
        assert moteur.confort_ratio == Decimal("0.75") and moteur.confort_ok and moteur.passed

    def test_confort_just_under_75_percent_fails(self, th: Grid) -> None:
        answers = {**th_answers(th), "CB05": per_family(mental="no"), "CB11": per_family(mental="no"),
                   "RE04": per_family(mental="no")}  # mental: 8/11 = 72.7 %
        r = score_label(th, context=SWORN, answers=answers, typology="restauration")
        mental = r.levels["mental"]
        assert (mental.confort_met, mental.confort_total) == (8, 11)
        assert not mental.confort_ok and not mental.failed_mandatory and not mental.passed
        assert "Mental : confort d'usage 72,7 % (8/11) sous le seuil de 75 %." in r.reasons
        assert r.passed_levels == ["auditif", "moteur", "visuel"]

    def test_non_concerne_leaves_the_denominator(self, th: Grid) -> None:
        answers = th_answers(th)
        # Moteur: no parking (CB01, obligatoire), no stairs (CB15) and no lift (CB21) -> NC; CB10 missed.
        answers.update({"CB01": "nc", "CB15": "nc", "CB21": "nc", "CB10": "no"})
        # Auditif: no lift (CB18 NC), RE03 and RE04 missed for auditif.
        answers.update({"CB18": per_family(auditif="nc"), "RE03": per_family(auditif="no"),
                        "RE04": per_family(auditif="no")})
        r = score_label(th, context=SWORN, answers=answers, typology="restauration")
        moteur, auditif = r.levels["moteur"], r.levels["auditif"]
        assert moteur.not_concerned == ("CB01", "CB15", "CB21")
        assert (moteur.mandatory_met, moteur.mandatory_total) == (7, 7)
        assert (moteur.confort_met, moteur.confort_total) == (5, 6) and moteur.passed  # 5/8 = 62.5 % if counted
        assert auditif.not_concerned == ("CB18",)
        assert (auditif.confort_met, auditif.confort_total) == (5, 7) and not auditif.passed  # 6/8 if NC were met
        assert r.levels["visuel"].not_concerned == ("CB15",)  # a plain "nc" is NC for every family concerned

    def test_sworn_statement_is_required(self, th: Grid) -> None:
        r = score_label(th, context={}, answers=th_answers(th), typology="restauration")
        assert not r.prerequisites_ok and not r.proposed and r.passed_levels == list(FAMILIES)
        assert r.reasons[0] == ("Prérequis non rempli : Déclaration sur l'honneur de conformité à la réglementation "
                                "de l'activité.")

    def test_criteria_follow_the_filiere(self, th: Grid) -> None:
        with pytest.raises(ScoringInputError, match="critère HB01 : réponse manquante"):
            score_label(th, context=SWORN, answers=th_answers(th), typology="hebergement_erp")
        erp = score_label(th, context=SWORN, answers=th_answers(th, "hebergement_erp"), typology="hebergement_erp")
        non_erp = score_label(th, context=SWORN, answers=th_answers(th, "hebergement_non_erp"),
                              typology="hebergement_non_erp")
        # Moteur adds HB01 (quota, ERP only), HB02, HB06 to the 7 common obligatoires; RE01 does not apply.
        assert erp.levels["moteur"].mandatory_total == 10 and non_erp.levels["moteur"].mandatory_total == 9
        assert erp.proposed and non_erp.proposed


# ------------------------------------------------------------------------------ Chambre d'hôtes Référence

CHR_CTX = {"room_count": 5, "capacity": 15}
CHR_OPTIONAL = ("SV05", "SV06", "SV07", "EQ09")


def chr_answers(grid: Grid, **overrides: str) -> dict[str, str]:
    answers = {c.code: "yes" for c in grid.criteria}
    answers.update(overrides)
    return answers


class TestChambreHotesReferenceExample:
    def test_shape(self, chr_grid: Grid) -> None:
        assert (chr_grid.kind, chr_grid.level_codes) == ("chambre_hotes_reference", ("label",))
        assert len(chr_grid.criteria) == 27 and chr_grid.validity_years == 5
        assert "5 ans est un choix du projet" in chr_grid.provenance.notes
        assert tuple(c.code for c in chr_grid.criteria if c.status_for("label") == "O") == CHR_OPTIONAL
        assert sum(c.status_for("label") == "X" for c in chr_grid.criteria) == 23
        assert [ch.title for ch in chr_grid.chapters] == ["Services", "Équipement", "Réglementation", "Propreté"]

    def test_all_met_is_proposed(self, chr_grid: Grid) -> None:
        r = score_label(chr_grid, context=CHR_CTX, answers=chr_answers(chr_grid))
        lv = r.levels["label"]
        assert r.proposed and (lv.mandatory_met, lv.mandatory_total, lv.optional_met, lv.optional_total) == (
            23, 23, 4, 4)
        assert r.reasons == ("Proposition : attribution de « Chambre d'hôtes Référence — grille d'exemple "
                             "(exemple — non officielle) ».",)

    def test_optional_rule_is_a_setting_and_no_family_room_is_non_concerne(self, chr_grid: Grid) -> None:
        answers = chr_answers(chr_grid, EQ07="nc", **{code: "no" for code in CHR_OPTIONAL})
        r = score_label(chr_grid, context=CHR_CTX, answers=answers)
        assert r.proposed and r.levels["label"].mandatory_total == 22
        strict = score_label(chr_grid, context=CHR_CTX, answers=answers,
                             settings={"optional_rule": {"kind": "min_count", "value": 1}})
        assert not strict.proposed and not strict.levels["label"].optional_ok

    def test_a_mandatory_criterion_or_the_regulatory_limits_fail(self, chr_grid: Grid) -> None:
        r = score_label(chr_grid, context=CHR_CTX, answers=chr_answers(chr_grid, RG02="no"))
        assert not r.proposed and r.levels["label"].failed_mandatory == ("RG02",)
        six_rooms = score_label(chr_grid, context={**CHR_CTX, "room_count": 6}, answers=chr_answers(chr_grid))
        assert [p.code for p in six_rooms.prerequisites if not p.ok] == ["PRQ-CH"] and not six_rooms.proposed
        too_many = score_label(chr_grid, context={**CHR_CTX, "capacity": 16}, answers=chr_answers(chr_grid))
        assert [p.code for p in too_many.prerequisites if not p.ok] == ["PRQ-CAP"] and not too_many.proposed
