"""Interface words of meublé decisions (acquisition on the 16th day, décision number, radiation R324-7), fr/en."""

from __future__ import annotations

DECISIONS_UI: dict[str, tuple[str, str]] = {
    "mdec.acquired_at_start": ("{n} classement(s) acquis (délai de refus de 15 jours écoulé)",
                               "{n} classification(s) acquired (15-day refusal window over)"),
    "mdec.refresh_failed": ("Acquisition des classements impossible : {error}",
                            "Could not acquire the classifications: {error}"),
    "mdec.received_acquired": ("Réception enregistrée : {date} ; délai de refus déjà écoulé — classement acquis le "
                               "{acquired}, décision n° {number}.",
                               "Receipt recorded: {date}; refusal window already over — classification acquired on "
                               "{acquired}, decision no. {number}."),
    "mdec.card.radiated": ("Radié le {date} ({cat}★ retiré)", "Struck off on {date} ({cat}★ withdrawn)"),
    "mdec.radiation.button": ("&Radiation…", "St&rike off…"),
    "mdec.radiation.tip": ("Enregistrer la radiation du meublé par le préfet (article R324-7 du code du tourisme)",
                           "Record the préfet striking the meublé off the list (Code du tourisme R324-7)"),
    "mdec.radiation.none": ("Aucun classement en cours : rien à radier.",
                            "No current classification: nothing to strike off."),
    "mdec.radiation.title": ("Radiation du meublé", "Strike the meublé off"),
    "mdec.radiation.intro": ("Le préfet peut radier un meublé de la liste des meublés classés en cas de défaut grave "
                             "d'entretien (article R324-7 du code du tourisme). Le classement {cat}★ valable jusqu'au "
                             "{date} prendra fin ; la décision reste dans l'historique.",
                             "The préfet may strike a meublé off the list of classified meublés for serious lack of "
                             "upkeep (Code du tourisme R324-7). The {cat}★ classification valid until {date} will end; "
                             "the decision stays in the history."),
    "mdec.radiation.date": ("&Date de l'arrêté", "Order &date"),
    "mdec.radiation.reason": ("&Motif", "&Reason"),
    "mdec.radiation.reason.placeholder": ("Défaut grave d'entretien constaté…", "Serious lack of upkeep found…"),
    "mdec.radiation.reference": ("Ré&férence de l'arrêté", "Order re&ference"),
    "mdec.radiation.reference.placeholder": ("ex. arrêté préfectoral n° 2026-123",
                                             "e.g. arrêté préfectoral n° 2026-123"),
    "mdec.radiation.save": ("&Radier…", "St&rike off…"),
    "mdec.radiation.need_reason": ("Indiquez le motif de la radiation.", "Enter the reason for striking off."),
    "mdec.radiation.confirm": ("Radier « {name} » le {date} ?\n\nLe classement {cat}★ est retiré de la fiche. "
                               "Cette décision est enregistrée et ne s'efface pas.",
                               "Strike « {name} » off on {date}?\n\nThe {cat}★ classification is removed from the "
                               "card. This decision is recorded and cannot be erased."),
    "mdec.radiation.done": ("Radiation enregistrée le {date} : classement {cat}★ retiré.",
                            "Striking off recorded on {date}: {cat}★ classification withdrawn."),
    "mdec.radiation.error": ("Radiation refusée : {error}", "Striking off refused: {error}"),
}
