"""Grid workbooks written as an agency would type them (openpyxl), for the spreadsheet import tests."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

Sheets = dict[str, list[list[Any]]]

STATUS_HEADERS = ["statut_auditif", "statut_mental", "statut_moteur", "statut_visuel"]


def example_sheets() -> Sheets:
    """A complete Tourisme & Handicap example: every sheet a label grid uses, typed loosely (lower case statuses,
    a date cell, « 75 % », French booleans, a remarks column and an ignored sheet)."""
    return {
        "Critères": [
            ["code", "chapitre", "section", "Libellé", "aide", *STATUS_HEADERS, "typologies", "nc_autorise",
             "# remarques de l'agence"],
            ["T1", "1", "1.1", "Place de stationnement adaptée", "Largeur 3,30 m", "NA", "NA", "X", "NA", "",
             "oui", "vérifié avec l'APF"],
            ["T2", "1", "1.2", "Cheminement sans ressaut", None, "NA", "cu", "x", "CU", "", "oui", None],
            ["T3", "2", "2.1", "Boucle magnétique à l'accueil", None, "X", "NA", "NA", "NA", "", "oui", None],
            ["T4", "2", "2.1", "Signalétique par pictogrammes", None, "CU", "X", "NA", "CU", "", "oui", None],
            ["T5", "2", "2.1", "Documents en gros caractères", "Corps 16 au moins", "CU", "CU", "NA", "X", "",
             "oui", None],
            ["T6", "2", "2.1", "Personnel sensibilisé", None, "CU", "CU", "CU", "CU", "", "non", None],
            [None, None, None, None, None, None, None, None, None, None, None, None],  # a blank row is skipped
            ["T7", "2", "2.1", "Menu en braille", None, "NA", "NA", "NA", "R", "restauration", "oui", None],
            ["T8", "2", "2.1", "Chambre adaptée", None, "NA", "NA", "X", "NA", "hebergement_erp, hebergement_non_erp",
             "oui", None],
        ],
        "parametres": [
            ["cle", "valeur", "explication"],
            ["identifiant", "TH-CLASSEUR-TEST", "lu par l'application"],
            ["version", "2026-1", None],
            ["type", "Tourisme & Handicap", None],
            ["titre", "Tourisme & Handicap — classeur d'exemple pour les tests", None],
            ["langue", "fr", None],
            ["provenance", "exemple", None],
            ["source", "Classeur inventé pour les tests, non officiel", None],
            ["base_legale", "Arrêté du 18 avril 2024 (règle de décision seulement)", None],
            ["editeur", "Agence (tests)", None],
            ["applicable_le", dt.datetime(2026, 1, 1), None],
            ["validite_annees", 5, None],
            ["Type niveaux", "famille", None],
            ["confort_threshold", "75 %", None],
            ["min_families", 2, None],
            ["empty_confort_passes", "oui", None],
        ],
        "niveaux": [["code", "libelle"], ["auditif", "Auditif"], ["mental", "Mental"], ["moteur", "Moteur"],
                    ["visuel", "Visuel"]],
        "chapitres": [["code", "titre"], ["1", "Accès"], ["2", "Accueil"]],
        "sections": [["code", "chapitre", "titre"], ["1.1", "1", "Stationnement"], ["1.2", "1", "Cheminements"],
                     ["2.1", "2", "Accueil et information"]],
        "typologies": [["code", "libelle"], ["hebergement_erp", "Hébergement ERP"],
                       ["hebergement_non_erp", "Hébergement non ERP"], ["restauration", "Restauration"]],
        "contexte": [
            ["cle", "type", "libelle", "obligatoire", "defaut", "min", "max", "choix", "aide"],
            ["sworn_statement", "oui/non", "Déclaration sur l'honneur de conformité", None, "non", None, None, None,
             None],
            ["rooms", "entier", "Nombre de chambres", "non", None, 0, 500, None, "Hébergement seulement"],
            ["filiere", "choix", "Filière", "oui", None, None, None, "hebergement_erp, hebergement_non_erp, "
             "restauration", None],
        ],
        "prerequis": [
            ["code", "libelle", "condition", "aide"],
            ["PRQ-DH", "Déclaration sur l'honneur de conformité à la réglementation", "sworn_statement == oui", None],
            ["PRQ-CH", "Au moins une chambre pour un hébergement",
             "filiere == restauration ou (rooms >= 1 et non filiere == restauration)", None],
        ],
        "regles": [
            ["critere", "condition", "effet", "motif", "niveaux", "si_statut", "source", "reglage"],
            ["T8", "rooms < 1", "NA", "Aucune chambre", "moteur", "X", "officielle", None],
        ],
        "# notes": [["Feuille de travail de l'agence, ignorée à l'import"]],
    }


def write_workbook(path: Path, sheets: Sheets) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    workbook.save(path)
    return path


def example_workbook(path: Path) -> Path:
    return write_workbook(path, example_sheets())


def broken_sheets() -> Sheets:
    """The example with six mistakes: unknown status, missing wording, duplicate code, bad threshold, unknown
    section, bad condition."""
    sheets = copy.deepcopy(example_sheets())
    crit = sheets["Critères"]
    crit[2][7] = "Y"  # T2, statut_moteur (column H), row 3
    crit[3][3] = None  # T3 without wording (column D), row 4
    crit[4][0] = "T1"  # row 5: duplicate code (column A)
    crit[5][2] = "9.9"  # T5 in an unknown section (column C), row 6
    sheets["parametres"][13][1] = "1,5"  # confort_threshold, row 14, column B
    sheets["prerequis"][1][2] = "sworn_statement =="  # row 2, column C
    return sheets
