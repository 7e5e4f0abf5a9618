"""Interface words of label evaluations (Tourisme & Handicap, Accueil Vélo, Chambre d'hôtes Référence), fr/en."""

from __future__ import annotations

LABEL_UI: dict[str, tuple[str, str]] = {
    "label.met": ("Rempli", "Met"),
    "label.not_met": ("Non rempli", "Not met"),
    "label.nc": ("Non concerné", "Not concerned"),
    "label.all_families": ("Pour toutes les familles", "For every family"),
    "label.single": ("Label", "Label"),
    "label.provenance.official": ("Grille officielle — {source}", "Official grid — {source}"),
    "label.provenance.partial": ("Grille partielle — {source}", "Partial grid — {source}"),
    "label.provenance.example": ("Grille d'exemple — non officielle : {source}",
                                 "Example grid — not official: {source}"),
    "label.result.provisional": ("Résultat provisoire (critères sans réponse)", "Provisional result (unanswered)"),
    "label.result.proposed": ("Proposition : attribution", "Proposal: grant"),
    "label.result.not_proposed": ("Proposition : pas d'attribution", "Proposal: do not grant"),
    "label.result.mandatory": ("obligatoires {met}/{total}", "mandatory {met}/{total}"),
    "label.result.confort": ("confort d'usage {ratio} ({met}/{total}, seuil {threshold})",
                             "comfort of use {ratio} ({met}/{total}, threshold {threshold})"),
    "label.result.optional": ("optionnels {met}/{total}", "optional {met}/{total}"),
    "label.result.todo": ("— {count} sans réponse", "— {count} unanswered"),
    "label.record.tab": ("Évaluation", "Evaluation"),
    "label.record.families": ("Familles demandées", "Families requested"),
    "label.record.typology": ("Filière / typologie", "Sector / typology"),
    "label.record.evaluators": ("Binôme d'évaluateurs : {first} et {second}", "Evaluators: {first} and {second}"),
    "label.record.no_partner": ("(évaluateur partenaire non désigné)", "(no partner evaluator)"),
    "label.record.sworn": ("Déclaration sur l'honneur reçue le",
                           "Sworn statement of compliance received on"),
    "label.record.sworn_none": ("Pas encore reçue", "Not received yet"),
    "label.record.sworn_ref": ("Document (référence)", "Document (reference)"),
    "label.record.opinion": ("Avis motivé du binôme", "Evaluators' reasoned opinion"),
    "label.record.save": ("Enregistrer", "Save"),
    "label.record.submit": ("Soumettre à la commission…", "Submit to the commission…"),
    "label.record.submit_confirm": ("Soumettre l'évaluation à la commission ? Elle sera figée : plus aucune réponse "
                                    "ne pourra être modifiée.", "Submit the evaluation to the commission? It will "
                                    "be frozen: no answer can be changed afterwards."),
    "label.record.submitted": ("Soumise à la commission le {date}", "Submitted to the commission on {date}"),
    "label.record.saved": ("Avis et déclaration enregistrés", "Opinion and statement saved"),
    "label.record.need_complete": ("Terminez l'évaluation (Ctrl+T) avant de la soumettre.",
                                   "Finish the evaluation (Ctrl+T) before submitting it."),
}
