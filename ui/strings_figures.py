"""Interface words of the agency's dashboard, its targets dialog and the key-figures PDF action, fr/en."""

from __future__ import annotations

FIGURES_UI: dict[str, tuple[str, str]] = {
    "menu.dashboard": ("&Tableau de bord", "&Dashboard"),
    "figures.title": ("Tableau de bord de l'organisme", "Agency dashboard"),
    "figures.year": ("Année", "Year"),
    "figures.year.tip": ("Les visites et décisions comptées sont celles datées de cette année.",
                         "Visits and decisions counted are those dated in this year."),
    "figures.as_of": ("Classements, labels et échéances au {date}", "Classifications, labels and deadlines on {date}"),
    "figures.refresh": ("Actualiser", "Refresh"),
    "figures.targets": ("Objectifs…", "Targets…"),
    "figures.targets.tip": ("Modifier les objectifs annuels de l'organisme", "Edit the agency's yearly targets"),
    "figures.pdf": ("Chiffres-clés PDF…", "Key figures PDF…"),
    "figures.pdf.tip": ("Écrire le PDF « chiffres-clés » de l'année, avec les graphiques",
                        "Write the year's key-figures PDF, with the charts"),
    "figures.pdf.save": ("Enregistrer les chiffres-clés", "Save the key figures"),
    "figures.pdf.filter": ("Documents PDF (*.pdf)", "PDF documents (*.pdf)"),
    "figures.pdf.writing": ("Écriture des chiffres-clés {year}…", "Writing the {year} key figures…"),
    "figures.pdf.done": ("Chiffres-clés {year} écrits : {path}", "{year} key figures written: {path}"),
    "figures.pdf.error": ("PDF non écrit : {error}", "PDF not written: {error}"),
    "figures.loading": ("Calcul des chiffres…", "Computing the figures…"),
    "figures.no_database": ("Base de données non ouverte.", "Database not open."),
    "figures.load_error": ("Chiffres indisponibles : {error}", "Figures unavailable: {error}"),
    # cards
    "figures.card.meubles": ("Meublés visités", "Furnished lets visited"),
    "figures.card.meubles.tip": (
        "Visites de classement et de renouvellement dont la date de visite tombe dans l'année (une révision ne "
        "compte qu'une fois). Les visites-conseils sont comptées à part, hors objectif. Objectif : une fourchette ; "
        "le taux se rapporte à son bas.",
        "Classification and renewal visits whose visit date falls in the year (a revision counts once). Advisory "
        "visits are counted apart, outside the target. The target is a range; the rate refers to its low end."),
    "figures.card.th": ("Visites Tourisme & Handicap", "Tourisme & Handicap visits"),
    "figures.card.th.tip": ("Visites T&H faites dans l'année : premières demandes, renouvellements et "
                            "visites-conseils.",
                            "T&H visits done in the year: first applications, renewals and advisory visits."),
    "figures.card.th_advisory": ("dont visites-conseils T&H", "of which T&H advisory visits"),
    "figures.card.th_advisory.tip": ("Visites « T&H conseil » faites dans l'année.",
                                     "« T&H advisory » visits done in the year."),
    "figures.card.th_attribution": ("dont visites d'attribution T&H", "of which T&H attribution visits"),
    "figures.card.th_attribution.tip": ("Visites « T&H première demande » et « T&H renouvellement » faites dans "
                                        "l'année.",
                                        "« T&H first application » and « T&H renewal » visits done in the year."),
    "figures.card.av": ("Nouveaux Accueil Vélo", "New Accueil Vélo providers"),
    "figures.card.av.tip": ("Marques Accueil Vélo accordées dans l'année à des établissements qui ne la "
                            "détenaient pas auparavant (un établissement compte une fois).",
                            "Accueil Vélo granted in the year to establishments that did not hold it before "
                            "(an establishment counts once)."),
    "figures.card.value": ("{done} / {target}", "{done} / {target}"),
    "figures.card.planned": ("+ {n} prévue(s), non faite(s)", "+ {n} planned, not done"),
    "figures.card.advisory": ("{n} visite(s)-conseil(s) de meublés, hors objectif",
                              "{n} furnished-let advisory visit(s), outside the target"),
    "figures.card.none": ("Aucune prévue", "None planned"),
    "figures.decisions": ("Décisions de l'année — meublés : {m_ok} classement(s), {m_no} refus ; T&H : {th_ok} "
                          "accordé(s), {th_no} refusé(s) ; Accueil Vélo : {av_ok} accordée(s), {av_no} refusée(s) ; "
                          "CHR : {chr_ok} accordée(s).",
                          "Decisions of the year — furnished lets: {m_ok} classified, {m_no} refused; T&H: {th_ok} "
                          "granted, {th_no} refused; Accueil Vélo: {av_ok} granted, {av_no} refused; CHR: {chr_ok} "
                          "granted."),
    # charts
    "figures.chart.stars": ("Meublés classés par catégorie ({total})", "Classified furnished lets by category "
                                                                       "({total})"),
    "figures.chart.stars.tip": ("Établissements dont la catégorie en cours est valable à la date du jour.",
                                "Establishments whose current category is valid on today's date."),
    "figures.chart.areas": ("Meublés classés par territoire (15 premiers)", "Classified lets by area (top 15)"),
    "figures.chart.areas.tip": ("Par intercommunalité (EPCI) ; un établissement sans intercommunalité connue est "
                                "compté sous sa commune.",
                                "By intercommunality (EPCI); an establishment without a known intercommunality is "
                                "counted under its commune."),
    "figures.areas.epci": ("Par intercommunalité", "By intercommunality"),
    "figures.areas.commune": ("Par commune", "By commune"),
    "figures.areas.commune_suffix": ("{name} (commune)", "{name} (commune)"),
    "figures.chart.labels": ("Labels détenus", "Labels held"),
    "figures.chart.labels.tip": ("Établissements dont le label est valable à la date du jour ; T&H par famille de "
                                 "handicap, Accueil Vélo par typologie.",
                                 "Establishments whose label is valid today; T&H by disability family, Accueil Vélo "
                                 "by typology."),
    "figures.chart.inspectors": ("Visites de l'année par inspecteur", "Visits of the year per inspector"),
    "figures.chart.inspectors.tip": ("Visites faites dans l'année, comptées pour l'évaluateur désigné sur la visite.",
                                     "Visits done in the year, counted for the visit's evaluator."),
    "figures.inspector.tip": ("Meublés {m} · T&H {th} · Accueil Vélo {av} · CHR {chr}",
                              "Furnished lets {m} · T&H {th} · Accueil Vélo {av} · CHR {chr}"),
    "figures.chart.renewals": ("Renouvellements des 12 prochains mois ({total})", "Renewals in the next 12 months "
                                                                                  "({total})"),
    "figures.chart.renewals.tip": ("Classements et labels dont la validité se termine dans le mois.",
                                   "Classifications and labels whose validity ends in the month."),
    "figures.renewals.classements": ("Classements", "Classifications"),
    "figures.renewals.labels": ("Labels", "Labels"),
    "figures.renewals.tip": ("{classements} classement(s), {labels} label(s) ; {free} sans visite prévue",
                             "{classements} classification(s), {labels} label(s); {free} with no visit planned"),
    "figures.chart.empty": ("Rien à afficher.", "Nothing to show."),
    "figures.label.tourisme_handicap": ("Tourisme & Handicap", "Tourisme & Handicap"),
    "figures.label.accueil_velo": ("Accueil Vélo", "Accueil Vélo"),
    "figures.label.chambre_hotes_reference": ("Chambre d'hôtes Référence", "Chambre d'hôtes Référence"),
    "figures.family.auditif": ("T&H — Auditif", "T&H — Hearing"),
    "figures.family.mental": ("T&H — Mental", "T&H — Mental"),
    "figures.family.moteur": ("T&H — Moteur", "T&H — Motor"),
    "figures.family.visuel": ("T&H — Visuel", "T&H — Visual"),
    "figures.typology": ("Accueil Vélo — {name}", "Accueil Vélo — {name}"),
    # overdue lists
    "figures.overdue": ("Échéances dépassées", "Overdue"),
    "figures.overdue.reports": ("Certificats en retard ({n})", "Late certificates ({n})"),
    "figures.overdue.reports.tip": ("Visites de meublés faites (en cours ou terminées, certificat non émis) dont le "
                                    "certificat devait être remis un mois après la visite. Double-clic : ouvrir la "
                                    "visite.",
                                    "Furnished-let visits done (in progress or completed, certificate not issued) "
                                    "whose certificate was due one month after the visit. Double-click: open the "
                                    "visit."),
    "figures.overdue.classements": ("Classements expirés ({n})", "Expired classifications ({n})"),
    "figures.overdue.classements.tip": ("Classements expirés depuis moins de 12 mois, sans visite de "
                                        "renouvellement ouverte.",
                                        "Classifications expired less than 12 months ago, with no renewal visit "
                                        "open."),
    "figures.overdue.labels": ("Labels expirés ({n})", "Expired labels ({n})"),
    "figures.overdue.labels.tip": ("Labels expirés depuis moins de 12 mois, sans visite de renouvellement "
                                   "ouverte.",
                                   "Labels expired less than 12 months ago, with no renewal visit open."),
    "figures.overdue.more": ("{shown} premiers sur {total}", "first {shown} of {total}"),
    "figures.col.establishment": ("Établissement", "Establishment"),
    "figures.col.commune": ("Commune", "Commune"),
    "figures.col.what": ("Objet", "Subject"),
    "figures.col.date": ("Date", "Date"),
    "figures.col.due": ("Échéance", "Deadline"),
    "figures.col.late": ("Retard (jours)", "Days late"),
    "figures.col.inspector": ("Inspecteur", "Inspector"),
    # targets dialog
    "targets.title": ("Objectifs de l'organisme", "Agency targets"),
    "targets.intro": ("Objectifs annuels que l'organisme se fixe ; ils servent au tableau de bord et aux "
                      "chiffres-clés de chaque année. Ils restent sur cet ordinateur (non synchronisés).",
                      "Yearly targets the agency sets itself; the dashboard and each year's key figures use them. "
                      "They stay on this computer (not synced)."),
    "targets.meubles_min": ("Meublés visités, de", "Furnished lets visited, from"),
    "targets.meubles_max": ("à", "to"),
    "targets.th_visits": ("Visites Tourisme & Handicap", "Tourisme & Handicap visits"),
    "targets.th_advisory": ("dont visites-conseils", "of which advisory visits"),
    "targets.th_attribution": ("dont visites d'attribution", "of which attribution visits"),
    "targets.new_accueil_velo": ("Nouveaux prestataires Accueil Vélo", "New Accueil Vélo providers"),
    "targets.defaults": ("Valeurs par défaut", "Defaults"),
    "targets.scope": ("Objectifs", "Targets"),
    "targets.scope.year": ("de l'année {year}", "of the year {year}"),
    "targets.scope.inherited": (" (aujourd'hui : ceux par défaut)", " (now: the default ones)"),
    "targets.scope.default": ("par défaut (toute année sans objectifs propres)",
                              "default (every year without its own)"),
    "targets.sum_warning": ("Conseils + attribution ({sum}) diffèrent du total T&H ({total}).",
                            "Advisory + attribution ({sum}) differ from the T&H total ({total})."),
    "targets.saved": ("Objectifs enregistrés.", "Targets saved."),
    "targets.error": ("{error}", "{error}"),
}
