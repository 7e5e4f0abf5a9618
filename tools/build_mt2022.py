"""Build grids/MT-2022-V2.json from a cell-by-cell reading of the official PDF plus parameter rows and rules.

Run once by a developer (`python tools/build_mt2022.py [CSV]`); the output file is then immutable.
`tools/data/mt2022-pdf-reading.json` holds every numbered row as read from the PDF's cells (wording, précisions,
statuses, points). When the transcription CSV of shared/reference is given, statuses and points are cross-checked
against it and any disagreement stops the build. Runs of spaces left by the PDF layout are collapsed to one.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

LEVELS = ["1", "2", "3", "4", "5"]

CHAPTERS = [
    {"code": "1", "title": "Equipements et aménagements"},
    {"code": "2", "title": "Services aux clients"},
    {"code": "3", "title": "Accessibilité et développement durable"},
]
SECTIONS = [
    {"code": "1.1", "chapter": "1", "title": "Aménagement général"},
    {"code": "1.2", "chapter": "1", "title": "Aménagement des chambres"},
    {"code": "1.3", "chapter": "1", "title": "Equipements et aménagement des sanitaires"},
    {"code": "1.4", "chapter": "1", "title": "Equipements et aménagement de la cuisine ou du coin cuisine"},
    {"code": "1.5", "chapter": "1", "title": "Environnement et extérieurs"},
    {"code": "1.6", "chapter": "1", "title": "Etat et propreté des installations et des équipements"},
    {"code": "2.1", "chapter": "2", "title": "Qualité et fiabilité de l'information client"},
    {"code": "2.2", "chapter": "2", "title": "Les services proposés"},
    {"code": "3.1", "chapter": "3", "title": "Accessibilité"},
    {"code": "3.2", "chapter": "3", "title": "Développement durable"},
]

CONTEXT = [
    {"key": "capacity", "type": "int", "label": "Capacité d'accueil (nombre de personnes)", "required": True,
     "min": 1, "max": 60},
    {"key": "studio", "type": "bool", "label": "Logement d'une seule pièce d'habitation (studio ou T1)",
     "default": False},
    {"key": "has_sejour", "type": "bool", "label": "Le logement comporte un séjour", "default": True},
    {"key": "collective_building", "type": "bool", "label": "Logement situé dans un immeuble collectif",
     "default": False},
    {"key": "floor", "type": "int", "label": "Étage du logement (0 = rez-de-chaussée)", "default": 0, "min": -5,
     "max": 60},
    {"key": "listed_building", "type": "bool",
     "label": "Contrainte locale ou architecturale justifiée pour l'ascenseur (ex. : bâtiment classé)",
     "default": False},
    {"key": "drom_com", "type": "bool", "label": "Exception justifiée par le climat (DROM-COM)", "default": False},
    {"key": "saint_pierre_et_miquelon", "type": "bool", "label": "Logement situé à Saint-Pierre-et-Miquelon",
     "default": False},
    {"key": "altitude_m", "type": "int", "label": "Altitude du logement (mètres)", "default": 0, "min": -100,
     "max": 5000},
    {"key": "telecom_impossible", "type": "bool",
     "label": "Impossibilité technique justifiée pour le téléphone et internet (ex. : zone blanche)",
     "default": False},
    {"key": "double_glazing_impossible", "type": "bool",
     "label": "Impossibilité architecturale et/ou locale justifiée pour le double vitrage", "default": False},
    {"key": "parking_constraint", "type": "bool", "label": "Contrainte locale pour le stationnement",
     "default": False},
    {"key": "no_selective_sorting", "type": "bool",
     "label": "L'immeuble ou la commune n'a pas mis en place de tri sélectif", "default": False},
]

TELECOM = "Sauf impossibilité technique (ex : zones blanches justifiées)"


def rule(when: dict, effect: str, reason: str, **extra: object) -> dict:
    r = {"when": when, "effect": effect, "reason": reason}
    r.update(extra)
    return r


def eq(key: str, value: object) -> dict:
    return {"key": key, "op": "==", "value": value}


SECONDARY = {"source": "secondary", "setting": "apply_secondary_rules"}


def lift_rules(last_optional_floor: int) -> list[dict]:
    return [
        rule(eq("collective_building", False), "NA",
             "Logement hors immeuble collectif (maison) : pas d'ascenseur à évaluer", **SECONDARY),
        rule(eq("listed_building", True), "NA", "Contrainte locale ou architecturale justifiée"),
        rule({"key": "floor", "op": "<=", "value": 0}, "NA",
             "Logement situé en rez-de-chaussée : le critère obligatoire devient non applicable",
             only_if_status=["X"]),
        rule({"all": [{"key": "floor", "op": ">=", "value": 1},
                      {"key": "floor", "op": "<=", "value": last_optional_floor}]}, "O",
             f"Logement situé entre le 1er et le {last_optional_floor}ème étage : le critère obligatoire "
             "devient optionnel", only_if_status=["X"]),
    ]


def sanitary_rules() -> list[dict]:
    return [
        rule({"key": "capacity", "op": "<", "value": 7}, "NA",
             "Logement de moins de 7 personnes : non applicable en 1, 2, 3 et 4*", levels=["1", "2", "3", "4"]),
        rule({"key": "capacity", "op": "<", "value": 5}, "NA",
             "Logement de moins de 5 personnes : non applicable en 5*", levels=["5"]),
    ]


RULES: dict[str, list[dict]] = {
    "5": [rule(eq("telecom_impossible", True), "NA", TELECOM)],
    "6": [rule(eq("telecom_impossible", True), "NA", TELECOM)],
    "7": [rule(eq("telecom_impossible", True), "NA", TELECOM)],
    "15": [rule(eq("double_glazing_impossible", True), "NA",
                "Impossibilité architecturale et/ou impossibilité locale justifiée")],
    "16": [rule(eq("drom_com", True), "NA", "Exception justifiée par le climat (DROM-COM)")],
    "17": [rule({"any": [eq("saint_pierre_et_miquelon", True), {"key": "altitude_m", "op": ">", "value": 1000}]},
                "NA", "Saint-Pierre-et-Miquelon ou haute montagne (> 1000 mètres d'altitude)")],
    "18": [rule({"key": "capacity", "op": "<", "value": 4}, "NA",
                "Logement de moins de 4 personnes (libellé : « pour les logements de 4 personnes et plus »)",
                **SECONDARY)],
    "19": [rule({"key": "capacity", "op": "<", "value": 6}, "NA",
                "Logement de moins de 6 personnes (libellé : « pour les logements de 6 personnes et plus »)",
                **SECONDARY),
           rule(eq("drom_com", True), "NA", "Exception justifiée par le climat (DROM-COM)")],
    "26": [rule(eq("has_sejour", False), "NA", "Pas de séjour")],
    "27": [rule(eq("studio", True), "NA", "Studio")],
    "43": sanitary_rules(),
    "44": sanitary_rules(),
    "45": sanitary_rules(),
    "72": [rule({"key": "capacity", "op": "<", "value": 2}, "NA",
                "Logement d'une personne (libellé : « pour les logements à partir de 2 personnes »)", **SECONDARY)],
    "73": [rule({"key": "capacity", "op": "<", "value": 4}, "NA",
                "Logement de moins de 4 personnes (libellé : « pour les logements à partir de 4 personnes »)",
                **SECONDARY)],
    "77": lift_rules(3),
    "78": lift_rules(2),
    "79": [rule(eq("parking_constraint", True), "NA", "Contrainte locale")],
    "80": [rule(eq("parking_constraint", True), "NA", "Contrainte locale")],
    "128": [rule(eq("no_selective_sorting", True), "NA",
                 "L'immeuble ou la commune n'a pas mis en place un système de tri sélectif")],
}

NA_REASONS: dict[str, list[str]] = {
    "5": ["Impossibilité technique (ex : zones blanches justifiées)"],
    "6": ["Impossibilité technique (ex : zones blanches justifiées)"],
    "7": ["Impossibilité technique (ex : zones blanches justifiées)"],
    "15": ["Impossibilité architecturale et/ou impossibilité locale justifiée"],
    "16": ["Exception justifiée par le climat (DROM-COM)"],
    "17": ["Saint-Pierre-et-Miquelon ou haute montagne (> 1000 mètres d'altitude)"],
    "77": ["Contrainte locale ou architecturale"],
    "78": ["Contrainte locale ou architecturale"],
    "79": ["Contrainte locale"],
    "80": ["Contrainte locale"],
    "91": ["Localisation non adaptée"],
    "128": ["L'immeuble ou la commune n'a pas mis en place un système de tri sélectif"],
}

CUMULATES = {"78": "77", "124": "123", "127": "126"}
MEASURES = {"1": "surface_minimum", "2": "surface_bonus", "28": "bed_sizes"}

PDF_READING = Path(__file__).resolve().parent / "data" / "mt2022-pdf-reading.json"


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()

PRQ = {
    "code": "PRQ",
    "section": None,
    "rubric": "Prérequis",
    "text": ("Un logement meublé d’une pièce d’habitation destiné à accueillir une ou deux personnes doit avoir "
             "une surface minimale de 9m² lorsque la cuisine est séparée ou d'au moins 12m² lorsqu’il existe un "
             "coin cuisine"),
    "status_column": "PRQ",
    "points": 0,
    "points_label": "/",
    "status": {lv: "PRQ" for lv in LEVELS},
}

PARAMETERS = [
    {"code": "surface_base", "unit": "m²",
     "text": ("Surface de base minimum d'un logement composé d'une seule pièce d'habitation pour une ou deux "
              "personnes (studio ou T1)"),
     "values": {"1": 12, "2": 14, "3": 18, "4": 20, "5": 26},
     "help": "Tolérance de 10% (uniquement pour les catégories 3*, 4* et 5*)."},
    {"code": "surface_extra_bedroom_average", "unit": "m²",
     "text": "Surface moyenne minimum de la (des) chambre(s) supplémentaire(s) à additionner avec la ligne du dessus",
     "values": {"1": 7, "2": 8, "3": 9, "4": None, "5": None},
     "help": ("Surface exigée pour une 1 à 2 personnes (à partir du T2). La hauteur sous plafond ne peut être "
              "inférieure à 1,80m pour la mesure des surfaces. Ne sont comptées comme pièces d'habitation "
              "supplémentaires que les pièces d'au moins 7m² (uniquement pour les catégories 1*, 2* et 3*).")},
    {"code": "surface_extra_bedroom_minimum", "unit": "m²",
     "text": "Surface minimum de la (des) chambre(s) supplémentaire(s) à additionner avec la ligne du dessus",
     "values": {"1": None, "2": None, "3": None, "4": 10, "5": 12},
     "help": ("Surface exigée pour une 1 à 2 personnes (à partir du T2). La hauteur sous plafond ne peut être "
              "inférieure à 1,80m pour la mesure des surfaces.")},
    {"code": "surface_extra_person", "unit": "m²",
     "text": ("Surface additionnelle de la pièce d'habitation par personne supplémentaire (au-delà des deux "
              "premières personnes par pièce d'habitation, dans la limite de 4 personnes de 1* à 4* et dans la "
              "limite de 3 personnes en 5*)"),
     "values": {"1": 3, "2": 3, "3": 3, "4": 3, "5": 3},
     "help": ("En 1*, 2*, 3*, 4* : Il est toléré un maximum de quatre couchages par pièce d'habitation. "
              "En 5* : Il est toléré un maximum de trois couchages par pièce d'habitation.")},
    {"code": "max_sleepers_per_room", "unit": "personnes",
     "text": "Nombre maximum de couchages tolérés par pièce d'habitation",
     "values": {"1": 4, "2": 4, "3": 4, "4": 4, "5": 3},
     "help": ("En 1*, 2*, 3*, 4* : Il est toléré un maximum de quatre couchages par pièce d'habitation. "
              "En 5* : Il est toléré un maximum de trois couchages par pièce d'habitation.")},
    {"code": "bed_single_width", "unit": "cm", "text": "Lit(s) pour une personne : - Largeur",
     "values": {"1": 80, "2": 90, "3": 90, "4": 90, "5": 90}},
    {"code": "bed_single_length", "unit": "cm", "text": "Lit(s) pour une personne : - Longueur",
     "values": {"1": 190, "2": 190, "3": 190, "4": 200, "5": 200}},
    {"code": "bed_double_width", "unit": "cm", "text": "Lit(s) pour deux personnes : - Largeur",
     "values": {"1": 140, "2": 140, "3": 140, "4": 160, "5": 160}},
    {"code": "bed_double_length", "unit": "cm", "text": "Lit(s) pour deux personnes : - Longueur",
     "values": {"1": 190, "2": 190, "3": 190, "4": 200, "5": 200}},
    {"code": "sanitary_level_1_up_to", "unit": "personnes",
     "text": "Niveau d'équipements sanitaires requis pour les logements jusqu'à (inclus) :",
     "values": {"1": 6, "2": 6, "3": 6, "4": 6, "5": 4}},
    {"code": "sanitary_level_2_from", "unit": "personnes",
     "text": "Niveau d'équipements sanitaires requis pour les logements à partir de X personnes :",
     "values": {"1": 7, "2": 7, "3": 7, "4": 7, "5": 5}},
    {"code": "hob_up_to_4", "unit": "foyers",
     "text": "Table de cuisson pour logement jusqu'à 4 personnes (inclus)",
     "values": {"1": 2, "2": 2, "3": 4, "4": 4, "5": 4}},
    {"code": "hob_from_5", "unit": "foyers", "text": "Table de cuisson pour logement à partir de 5 personnes",
     "values": {"1": 4, "2": 4, "3": 4, "4": 4, "5": 4}},
]

SETTINGS = {
    "mandatory_threshold": "0.95",
    "compensation_factor": 3,
    "quota": {"1": "0.05", "2": "0.10", "3": "0.20", "4": "0.30", "5": "0.40"},
    "rounding": "exact",
    "criterion2_in_e": "max",
    "surface_tolerance": "0.10",
    "surface_tolerance_levels": ["3", "4", "5"],
    "surface_tolerance_applies_to": "total",
    "apply_secondary_rules": True,
}


def section_code(label: str) -> str:
    return label.split(" ", 1)[0].rstrip(".")


def cross_check(rows: list[dict], csv_path: Path) -> None:
    with csv_path.open(encoding="utf-8") as fh:
        csv_rows = {r["num"]: r for r in csv.DictReader(fh)}
    for row in rows:
        other = csv_rows[row["num"]]
        mine = (row["statut_colonne"], row["points"], *row["s"])
        theirs = (other["statut_colonne"], other["points"], *(other[f"s{lv}"] for lv in LEVELS))
        if mine != theirs:
            raise SystemExit(f"criterion {row['num']}: PDF reading {mine} != transcription {theirs}")


def build(csv_path: Path | None) -> dict:
    rows = json.loads(PDF_READING.read_text(encoding="utf-8"))
    if csv_path is not None:
        cross_check(rows, csv_path)
    criteria = [PRQ]
    for row in rows:
        code = row["num"]
        graded = row["points"] == "1 à 5"
        c: dict = {
            "code": code,
            "section": section_code(row["section"]),
            "rubric": clean(row["rubrique"]),
            "text": clean(row["libelle"]),
            "status_column": row["statut_colonne"],
            "points": 5 if graded else int(row["points"]),
            "status": dict(zip(LEVELS, row["s"], strict=True)),
        }
        if row["precisions"]:
            c["help"] = clean(row["precisions"])
        if graded:
            c["points_label"] = "1 à 5"
            c["graded"] = True
        if code in MEASURES:
            c["measure"] = MEASURES[code]
        if code in CUMULATES:
            c["cumulates_with"] = CUMULATES[code]
        if code in RULES:
            c["applicability"] = RULES[code]
        if code in NA_REASONS:
            c["na_reasons"] = NA_REASONS[code]
        criteria.append(c)
    return {
        "format": "inspector-grid/1",
        "id": "MT-2022-V2",
        "version": "2022-v2",
        "kind": "meubles",
        "title": "Tableau de classement des meublés de tourisme (toutes les catégories)",
        "language": "fr",
        "provenance": {
            "status": "official",
            "publisher": "Atout France",
            "source_document": "Tableau de classement des meublés de tourisme (toutes les catégories), "
                               "Atout France — atout-france-referentiel-meubles-2022-v2.pdf",
            "legal_basis": "Arrêté du 24 novembre 2021 modifiant l'arrêté du 2 août 2010 fixant les normes et la "
                           "procédure de classement des meublés de tourisme (JORF du 5 décembre 2021)",
            "applicable_from": "2022-02-01",
            "notes": "Libellés et précisions reproduits tels que publiés. Les règles marquées « source "
                     "secondaire » viennent du guide de contrôle tel que cité par des professionnels et peuvent "
                     "être désactivées (réglage apply_secondary_rules).",
        },
        "validity_years": 5,
        "level_kind": "category",
        "levels": [{"code": lv, "label": f"{lv} étoile" + ("s" if lv != "1" else "")} for lv in LEVELS],
        "status_labels": {"X": "obligatoire", "O": "à la carte", "NA": "non applicable",
                          "X ONC": "obligatoire non compensable", "PRQ": "prérequis"},
        "context": CONTEXT,
        "parameters": PARAMETERS,
        "settings": SETTINGS,
        "chapters": CHAPTERS,
        "sections": SECTIONS,
        "criteria": criteria,
    }


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    out = Path(__file__).resolve().parents[1] / "grids" / "MT-2022-V2.json"
    doc = build(src)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(doc['criteria'])} rows)")


if __name__ == "__main__":
    main()
