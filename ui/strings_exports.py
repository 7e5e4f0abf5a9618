"""Interface words of the exports (monthly table of definitive decisions, general CSV/XLSX tables), fr/en."""

from __future__ import annotations

EXPORT_UI: dict[str, tuple[str, str]] = {
    "menu.export": ("&Exporter…", "&Export…"),
    "menu.export.monthly": ("&Tableau mensuel des décisions…", "&Monthly decisions table…"),
    "export.title": ("Exporter", "Export"),
    "export.title.monthly": ("Tableau mensuel des décisions définitives", "Monthly table of definitive decisions"),
    "export.dataset": ("Données", "Data"),
    "export.dataset.monthly": ("Tableau mensuel des décisions définitives (CDT)",
                               "Monthly table of definitive decisions (CDT)"),
    "export.dataset.establishments": ("Établissements", "Establishments"),
    "export.dataset.visits": ("Visites", "Visits"),
    "export.dataset.decisions": ("Décisions (toutes)", "Decisions (all)"),
    "export.dataset.labels": ("Labels détenus", "Labels held"),
    "export.month": ("Mois", "Month"),
    "export.year": ("Année", "Year"),
    "export.year.all": ("Toutes", "All"),
    "export.format": ("Format", "Format"),
    "export.format.csv": ("CSV (Excel, séparateur « ; »)", "CSV (Excel, « ; » separator)"),
    "export.format.xlsx": ("Classeur Excel (XLSX)", "Excel workbook (XLSX)"),
    "export.file": ("Fichier", "File"),
    "export.browse": ("Choisir…", "Browse…"),
    "export.choose": ("Enregistrer l'export sous", "Save the export as"),
    "export.filter.csv": ("Fichier CSV (*.csv)", "CSV file (*.csv)"),
    "export.filter.xlsx": ("Classeur Excel (*.xlsx)", "Excel workbook (*.xlsx)"),
    "export.run": ("Exporter", "Export"),
    "export.monthly.help": (
        "Les classements de meublés devenus définitifs dans le mois (acquis le 16e jour après la réception du "
        "certificat, sans refus), à transmettre au comité départemental du tourisme (arrêté du 2 août 2010, "
        "art. 7). Aucun texte n'en fixe les colonnes : elles sont décrites dans la feuille « Notes » du classeur.",
        "Meublé classifications that became definitive in the month (acquired on the 16th day after receipt of the "
        "certificate, without refusal), for the comité départemental du tourisme (arrêté of 2 August 2010, art. 7). "
        "No text fixes the columns: the workbook's « Notes » sheet describes them."),
    "export.year.na": ("Les établissements s'exportent sans filtre de date.",
                       "Establishments are exported without a date filter."),
    "export.running": ("Export en cours…", "Exporting…"),
    "export.done.monthly": ("{count} décision(s) devenue(s) définitive(s) en {month} → {path}",
                            "{count} definitive decision(s) in {month} → {path}"),
    "export.done.monthly.none": ("0 décision devenue définitive en {month} : tableau avec les en-têtes seulement "
                                 "→ {path}",
                                 "0 definitive decision in {month}: table with headers only → {path}"),
    "export.done": ("{title} : {count} ligne(s) → {path}", "{title}: {count} row(s) → {path}"),
    "export.error": ("Export impossible : {error}", "Export failed: {error}"),
    "export.no_path": ("Choisissez le fichier à écrire.", "Choose the file to write."),
}
