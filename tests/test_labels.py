"""Label engines on small example grids: Tourisme & Handicap per family, Accueil Vélo, Chambre d'hôtes Référence."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from inspector.grids.loader import parse_grid
from inspector.grids.model import Grid
from inspector.scoring.answers import ScoringInputError
from inspector.scoring.labels import score_label
from tests.conftest import DATA

SWORN = {"sworn_statement": True}


def th_answers(**overrides) -> dict:
    answers = {f"T{i}": "yes" for i in range(1, 8)}
    answers.update(overrides)
    return answers


class TestTourismeHandicap:
    def test_all_met_gives_every_family(self, th_grid: Grid) -> None:
        r = score_label(th_grid, context=SWORN, answers=th_answers(), typology="hebergement_erp")
        assert r.proposed and r.passed_levels == ["auditif", "mental", "moteur", "visuel"]

    def test_s4_moteur_fails_an_obligatoire_criterion(self, th_grid: Grid) -> None:
        # S4: the door clear width (T1, obligatoire for moteur) fails; auditif and visuel pass.
        r = score_label(th_grid, context=SWORN, answers=th_answers(T1="no"), requested=["moteur", "auditif", "visuel"],
                        typology="restauration")
        assert r.passed_levels == ["auditif", "visuel"]
        assert r.levels["moteur"].failed_mandatory == ("T1",)
        assert r.proposed
        assert any("Moteur : critère(s) obligatoire(s) non rempli(s) : T1" in x for x in r.reasons)
        assert r.reasons[-1] == "Proposition : label Tourisme & Handicap pour 2 famille(s) : Auditif, Visuel."

    def test_confort_threshold_75_percent_exact(self, th_grid: Grid) -> None:
        # Auditif confort criteria: T4, T5, T6, T7 -> 3/4 = 75 % passes; 2/4 fails.
        ok = score_label(th_grid, context=SWORN, answers=th_answers(T7="no"), typology="restauration")
        assert ok.levels["auditif"].confort_ratio == Decimal("0.75") and ok.levels["auditif"].passed
        ko = score_label(th_grid, context=SWORN, answers=th_answers(T6="no", T7="no"), typology="restauration")
        assert not ko.levels["auditif"].confort_ok

    def test_non_concerne_leaves_the_denominator(self, th_grid: Grid) -> None:
        answers = th_answers(T6="no", T7={"auditif": "nc", "mental": "yes", "moteur": "yes", "visuel": "yes"})
        r = score_label(th_grid, context=SWORN, answers=answers, typology="restauration")
        aud = r.levels["auditif"]
        assert (aud.confort_met, aud.confort_total) == (2, 3)
        assert aud.not_concerned == ("T7",) and not aud.confort_ok  # 2/3 < 75 %

    def test_one_family_is_not_enough_for_a_label(self, th_grid: Grid) -> None:
        answers = th_answers(T1="no", T2="no", T3={"auditif": "yes", "mental": "yes", "moteur": "yes", "visuel": "no"})
        r = score_label(th_grid, context=SWORN, answers=answers, typology="restauration")
        assert r.passed_levels == ["mental"] and not r.proposed
        assert r.reasons[-1] == "Pas de proposition de label : 1 famille(s) validée(s), au moins 2 nécessaire(s)."

    def test_sworn_statement_is_a_prerequisite(self, th_grid: Grid) -> None:
        r = score_label(th_grid, context={}, answers=th_answers(), typology="restauration")
        assert not r.prerequisites_ok and not r.proposed
        assert r.reasons[0].startswith("Prérequis non rempli : Déclaration sur l'honneur")

    def test_threshold_and_empty_confort_are_settings(self, th_grid: Grid) -> None:
        answers = th_answers(T6="no", T7="no")
        r = score_label(th_grid, context=SWORN, answers=answers, typology="restauration",
                        settings={"confort_threshold": "0.5"})
        assert r.levels["auditif"].confort_ok

    def test_recommended_and_other_typology_criteria_do_not_count(self, th_grid: Grid) -> None:
        r = score_label(th_grid, context=SWORN, answers=th_answers(T8="no"), typology="restauration")
        assert r.levels["visuel"].passed  # T8 is only "recommandé"

    def test_missing_and_invalid_answers(self, th_grid: Grid) -> None:
        answers = th_answers()
        del answers["T3"]
        with pytest.raises(ScoringInputError, match="critère T3 : réponse manquante"):
            score_label(th_grid, context=SWORN, answers=answers, typology="restauration")
        with pytest.raises(ScoringInputError, match="niveau « auditive » inconnu"):
            score_label(th_grid, context=SWORN, answers=th_answers(T2={"auditive": "yes"}), typology="restauration")
        with pytest.raises(ScoringInputError, match="typologie « hotel » inconnue"):
            score_label(th_grid, context=SWORN, answers=th_answers(), typology="hotel")
        partial = score_label(th_grid, context=SWORN, answers=answers, typology="restauration", partial=True)
        assert partial.provisional and not partial.proposed


class TestAccueilVelo:
    CTX = {"distance_to_route_km": 1.2, "typology": "hebergement", "classified_or_labelled": True}

    def answers(self, **overrides) -> dict:
        base = {"AV1": "yes", "AV2": "yes", "AV3": "yes", "AV4": "yes", "AV5": "no"}
        base.update(overrides)
        return base

    def test_s5_wissant_chambre_d_hotes_is_proposed(self, av_grid: Grid) -> None:
        r = score_label(av_grid, context=self.CTX, answers=self.answers(), typology="hebergement")
        assert r.proposed and r.prerequisites_ok

    def test_s5_second_provider_7_km_away_fails_the_distance_first(self, av_grid: Grid) -> None:
        r = score_label(av_grid, context={**self.CTX, "distance_to_route_km": 7}, answers=self.answers(),
                        typology="hebergement")
        assert not r.proposed
        assert r.reasons[0] == "Prérequis non rempli : Situé à moins de 5 km d'un itinéraire cyclable."

    def test_accommodation_must_be_classified_or_labelled(self, av_grid: Grid) -> None:
        r = score_label(av_grid, context={**self.CTX, "classified_or_labelled": False}, answers=self.answers(),
                        typology="hebergement")
        assert [p.code for p in r.prerequisites if not p.ok] == ["PRQ-CLASSE"]
        loueur = score_label(av_grid, context={**self.CTX, "typology": "loueur", "classified_or_labelled": False},
                             answers={"AV1": "yes", "AV2": "yes", "AV4": "yes", "AV5": "no"}, typology="loueur")
        assert loueur.proposed  # AV3 is for accommodation only

    def test_mandatory_and_configurable_optional_rule(self, av_grid: Grid) -> None:
        assert not score_label(av_grid, context=self.CTX, answers=self.answers(AV2="no"),
                               typology="hebergement").proposed
        none_optional = self.answers(AV4="no")
        assert not score_label(av_grid, context=self.CTX, answers=none_optional, typology="hebergement").proposed
        relaxed = score_label(av_grid, context=self.CTX, answers=none_optional, typology="hebergement",
                              settings={"optional_rule": {"kind": "none"}})
        assert relaxed.proposed


def test_chambre_d_hotes_reference_needs_every_mandatory_criterion(av_grid: Grid) -> None:
    doc = json.loads((DATA / "grids" / "AV-EXEMPLE-TEST.json").read_text(encoding="utf-8"))
    chr_doc = copy.deepcopy(doc)
    chr_doc.update({"id": "CHR-EXEMPLE-TEST", "kind": "chambre_hotes_reference", "title": "CHR — exemple",
                    "typologies": {}, "prerequisites": [], "context": [],
                    "settings": {"optional_rule": {"kind": "none"}}})
    for c in chr_doc["criteria"]:
        c.pop("typologies", None)
    grid = parse_grid(json.dumps(chr_doc).encode(), "CHR-EXEMPLE-TEST.json")
    answers = {"AV1": "yes", "AV2": "yes", "AV3": "yes", "AV4": "no", "AV5": "no"}
    assert score_label(grid, context={}, answers=answers).proposed
    answers["AV3"] = "no"
    r = score_label(grid, context={}, answers=answers)
    assert not r.proposed and r.levels["label"].failed_mandatory == ("AV3",)
