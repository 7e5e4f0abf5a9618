"""French names of what the figures count (visit kinds, decision subjects, families, typologies), for PDF and CLI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MONTHS_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
STARS_FR = {1: "1 étoile", 2: "2 étoiles", 3: "3 étoiles", 4: "4 étoiles", 5: "5 étoiles"}
KIND_FR = {
    "classement": "Classement",
    "renouvellement": "Renouvellement",
    "visite_conseil": "Visite-conseil (meublé)",
    "th_primo": "T&H première demande",
    "th_renouvellement": "T&H renouvellement",
    "th_conseil": "T&H visite-conseil",
    "accueil_velo": "Accueil Vélo",
    "chambre_hotes_reference": "Chambre d'hôtes Référence",
}
FAMILY_OF_VISITS_FR = {"meubles": "Meublés", "tourisme_handicap": "Tourisme & Handicap",
                       "accueil_velo": "Accueil Vélo", "chambre_hotes_reference": "Chambre d'hôtes Référence"}
SUBJECT_FR = {"meuble_category": "Classement des meublés", "tourisme_handicap": "Tourisme & Handicap",
              "accueil_velo": "Accueil Vélo", "chr": "Chambre d'hôtes Référence"}
STATUS_FR = {"acquired": "accordés", "refused": "refusés", "adjourned": "ajournés", "radiated": "radiés",
             "proposed": "proposés"}
LABEL_FR = {"tourisme_handicap": "Tourisme & Handicap", "accueil_velo": "Accueil Vélo",
            "chambre_hotes_reference": "Chambre d'hôtes Référence"}
TH_FAMILY_FR = {"auditif": "Auditif", "mental": "Mental", "moteur": "Moteur", "visuel": "Visuel"}
AV_TYPOLOGY_FR = {"hebergement": "Hébergement", "loueur": "Loueur de vélos", "reparateur": "Réparateur de vélos",
                  "site": "Site de visite ou de loisirs", "office_tourisme": "Office de tourisme",
                  "restauration": "Restaurant", "": "(typologie non précisée)"}


def name_of(mapping: Mapping[Any, str], code: Any) -> str:
    """The French name of a code, else the code itself (a new family or typology still shows)."""
    return str(mapping.get(code, code))
