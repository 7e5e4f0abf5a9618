"""The certificat de visite of a meublé (D324-4): rapport de contrôle, grille de contrôle, proposition de décision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table

from ..scoring.explain import situational_changes
from .base import A4, ReportError, build_pdf, para, styles
from .blocks import (
    ANSWER_WORDS,
    STATUS_WORDS,
    date_fr,
    decor_for,
    key_values,
    party_text,
    photo_annex,
    photo_numbers,
    results_block,
    signature_box,
    table,
)
from .data import ReportData

WIDTH = A4[0] - 30 * mm
DONE_STATES = frozenset({"completed", "issued", "acquired", "refused"})


def certificat_id(data: ReportData) -> str:
    doc = f"-D{data.document_revision}" if data.document_revision > 1 else ""
    return f"CV-{data.short_id}-R{data.revision}{doc}"


def _category(data: ReportData) -> str:
    return str(data.proposed_category if data.proposed_category is not None else data.requested_category)


def _rapport(data: ReportData) -> list[Any]:
    st = styles()
    r = data.result
    cat = str(data.requested_category)
    res = r.categories[cat]
    grid = data.grid
    story: list[Any] = [
        para("Certificat de visite — meublé de tourisme", st["title"]),
        para("Article D324-4 du code du tourisme : a) rapport de contrôle ; b) grille de contrôle renseignée ; "
             "c) proposition de décision de classement.", st["body"]),
    ]
    if data.replaces_note:
        story.append(para(data.replaces_note, st["warning"]))
    if data.revision > 1:
        story.append(para(f"Révision n° {data.revision} — remplace la version précédente. Motif : "
                          f"{data.revision_reason}", st["warning"]))
    story += [para("1. Rapport de contrôle", st["h2"]), key_values([
        ("Organisme évaluateur", party_text(data.organisation.name, data.organisation.lines)),
        ("Accréditation ou agrément", data.accreditation),
        ("Inspecteur", party_text(data.inspector.name, (), data.inspector.contact)),
        ("Loueur", party_text(data.owner.name, data.owner.lines, data.owner.contact)),
        ("Mandataire", party_text(data.mandataire.name, data.mandataire.lines, data.mandataire.contact)
         or "Aucun"),
        ("Meublé", party_text(data.establishment_name, data.establishment.lines)),
        ("Numéro de déclaration", data.declaration_number),
        ("Capacité d'accueil", f"{data.capacity} personne(s)" if data.capacity else "—"),
        ("Disposition", data.layout),
        ("Classement actuel", f"{data.current_category} étoile(s)" if data.current_category else "Aucun"),
        ("Catégorie demandée", f"{cat} étoile(s)"),
        ("Date de la visite", date_fr(data.visited_on)),
        ("Grille de contrôle", f"{grid.id}, version {grid.version} ({grid.provenance.label_fr()}) — "
                               f"{grid.provenance.legal_basis} — empreinte SHA-256 {grid.sha256}"),
    ], WIDTH)]
    rooms = data.measurements.get("rooms") or []
    if rooms:
        story.append(para("Surfaces mesurées", st["h3"]))
        rows = [["Pièce", "Type", "Surface (m²)", "Sous 1,80 m (m²)", "Couchages"]]
        rows += [[x["name"], x["kind"], str(x["surface"]).replace(".", ","), str(x["low_ceiling"]).replace(
            ".", ","), str(x["sleepers"])] for x in rooms]
        story.append(table([[para(c, st["cell"]) for c in row] for row in rows],
                           [WIDTH * 0.36, WIDTH * 0.16, WIDTH * 0.16, WIDTH * 0.18, WIDTH * 0.14]))
    story += [para("Résultats (catégorie demandée)", st["h3"]), *results_block(data, WIDTH)]
    if res.classable:
        conclusion = (f"Conclusion : le meublé est conforme au tableau de classement dans la catégorie demandée, "
                      f"{cat} étoile(s).")
    else:
        best = r.highest_classable
        conclusion = (f"Conclusion : le meublé n'est pas conforme au tableau de classement dans la catégorie "
                      f"demandée ({cat} étoile(s)). " + (f"Avec les mêmes constats, la catégorie la plus élevée "
                                                         f"atteinte est {best} étoile(s)." if best else
                                                         "Aucune catégorie n'est atteinte."))
    story.append(para(conclusion, st["h3"]))
    changes = situational_changes(grid, r)
    if changes:
        story.append(para("Règles de situation appliquées", st["h3"]))
        for c in changes:
            source = " (source secondaire, réglage apply_secondary_rules)" if c["source"] == "secondary" else ""
            story.append(para(f"Critère {c['code']} : {STATUS_WORDS.get(c['from'], c['from'])} → "
                              f"{STATUS_WORDS.get(c['to'], c['to'])} — {c['reason']}{source}.", st["small"]))
    story.append(para("Observations de l'inspecteur", st["h3"]))
    story.append(para(data.observations_text or "Aucune observation.", st["body"]))
    return story


def _grille(data: ReportData) -> list[Any]:
    st = styles()
    grid, r = data.grid, data.result
    cat = str(data.requested_category)
    outcomes = {o.code: o for o in r.categories[cat].outcomes}
    photos = photo_numbers(data.photos)
    story: list[Any] = [PageBreak(), para("2. Grille de contrôle", st["h2"]),
                        para(f"Catégorie demandée : {cat} étoile(s). Une ligne par critère, dans l'ordre de la grille "
                             f"{grid.id}. Statut pour la catégorie ; validation Oui / Non / NA ; points obtenus.",
                             st["small"])]
    widths = [WIDTH * 0.05, WIDTH * 0.38, WIDTH * 0.12, WIDTH * 0.065, WIDTH * 0.105, WIDTH * 0.09, WIDTH * 0.19]
    header = ["N°", "Critère", "Statut", "Points", "Validation", "Obtenus", "Commentaires"]
    chapters = {ch.code: ch.title for ch in grid.chapters}
    sections = {s.code: s for s in grid.sections}
    current_chapter: str | None = None
    rows: list[list[Any]] = []
    totals: dict[str, list[int]] = {}

    def flush() -> None:
        if rows:
            story.append(table([[para(h, st["cell_bold"]) for h in header], *rows], widths, zebra=True))
            rows.clear()

    for c in grid.criteria:
        chapter = sections[c.section].chapter if c.section else "PRQ"
        if chapter != current_chapter:
            flush()
            if current_chapter is not None and current_chapter in totals:
                story.append(_subtotal(current_chapter, chapters, totals[current_chapter]))
            current_chapter = chapter
            title = f"Chapitre {chapter} : {chapters[chapter]}" if chapter in chapters else "Prérequis"
            story.append(para(title, st["h3"]))
        o = outcomes[c.code]
        a = data.answers.get(c.code)
        status = o.status if o.na_source != "inspector" else o.grid_status
        if o.na_source == "inspector":
            validation = "NA"
        elif o.status == "NA":
            validation = "NA"
        elif a is None and o.derived_from:
            validation = "Oui" if o.met else "Non"
        else:
            validation = ANSWER_WORDS.get(a.value, "—") if a else "—"
        comment_parts = []
        if o.na_source in ("inspector", "context"):
            comment_parts.append(f"NA : {o.reason}")
        if a and a.comment:
            comment_parts.append(a.comment)
        if o.derived_from:
            comment_parts.append("d'après les mesures")
        if c.code in photos:
            comment_parts.append("photo(s) " + ", ".join(str(n) for n in photos[c.code]))
        points = c.points_label or (str(c.points) if c.points else "/")
        obtained = "—" if o.status == "NA" else str(o.points_obtained)
        rows.append([para(c.code, st["cell_bold"]), para(c.text, st["cell"]),
                     para(STATUS_WORDS.get(status, status), st["cell"]), para(points, st["cell"]),
                     para(validation, st["cell_bold"]), para(obtained, st["cell"]),
                     para(" ; ".join(comment_parts), st["cell"])])
        t = totals.setdefault(chapter, [0, 0, 0, 0])
        if o.status in ("X", "X ONC"):
            t[0] += o.points_obtained if o.met else 0
            t[1] += o.points_possible
        elif o.status == "O":
            t[2] += o.points_obtained
            t[3] += o.points_possible
    flush()
    if current_chapter in totals:
        story.append(_subtotal(current_chapter, chapters, totals[current_chapter]))
    return story


def _subtotal(chapter: str, chapters: dict[str, str], t: list[int]) -> Any:
    st = styles()
    if chapter not in chapters:
        return Spacer(0, 2 * mm)
    return para(f"Sous-total chapitre {chapter} : points obligatoires {t[0]} / {t[1]} ; points à la carte "
                f"{t[2]} / {t[3]}.", st["cell_bold"])


def _proposition(data: ReportData, issued_on: dt.date) -> list[Any]:
    st = styles()
    cat = _category(data)
    org = data.organisation
    years = data.grid.validity_years or 5
    story: list[Any] = [PageBreak(), para("3. Proposition de décision de classement", st["h2"])]
    if cat in ("0", "None"):
        story.append(para("Les constats de la visite ne permettent pas de proposer un classement : aucune "
                          "proposition de décision de classement n'est émise.", st["h3"]))
    else:
        story += [
            para(f"{org.name} propose le classement du meublé de tourisme ci-dessous dans la catégorie :", st["body"]),
            Spacer(0, 3 * mm), para(f"{cat} étoile" + ("s" if cat != "1" else ""), st["big_center"]),
            Spacer(0, 3 * mm), key_values([
                ("Loueur", party_text(data.owner.name, data.owner.lines)),
                ("Mandataire", data.mandataire.name or "Aucun"),
                ("Meublé", party_text(data.establishment_name, data.establishment.lines)),
                ("Capacité d'accueil", f"{data.capacity} personne(s)" if data.capacity else "—"),
                ("Date de la visite", date_fr(data.visited_on)),
                ("Date d'émission du certificat", date_fr(issued_on)),
            ], WIDTH), Spacer(0, 4 * mm),
            para("Délai de refus", st["h3"]),
            para("Le loueur du meublé ou son mandataire dispose d'un délai de quinze jours à compter de la réception "
                 "de ce certificat de visite pour refuser la proposition de classement. A l'expiration de ce délai et "
                 "en l'absence de refus, le classement est acquis. Le classement est prononcé pour une durée de cinq "
                 "ans. (Code du tourisme, article D324-4.)", st["body"]),
            para(f"Pour refuser, adressez votre refus par écrit (courrier ou courriel), daté et signé, avant la fin "
                 f"du délai, à : {party_text(org.name, org.lines)}. En l'absence de refus, la décision de classement "
                 f"vous sera adressée ; elle est valable {years} ans et doit être affichée à l'intérieur du meublé.",
                 st["body"]),
        ]
    story += [Spacer(0, 6 * mm), Table([[signature_box(f"L'inspecteur : {data.inspector.name}",
                                                        data.inspector_signature, WIDTH / 2 - 4 * mm),
                                         signature_box("Le loueur ou son mandataire", data.owner_signature,
                                                       WIDTH / 2 - 4 * mm)]],
                                       colWidths=[WIDTH / 2, WIDTH / 2])]
    story.append(para("Vous disposez d'un droit d'accès et de rectification des données personnelles vous "
                      "concernant, auprès de l'organisme évaluateur.", st["small"]))
    return story


def render_certificat(data: ReportData, *, issued_on: dt.date, draft: bool = False) -> bytes:
    """The whole certificat as PDF bytes; a visit not finished is refused unless `draft` (marked on every page)."""
    if data.grid.kind != "meubles":
        raise ReportError("Le certificat de visite concerne le classement des meublés de tourisme.")
    if data.state not in DONE_STATES and not draft:
        raise ReportError("La visite n'est pas terminée : terminez-la (tous les critères renseignés) avant "
                          "d'émettre le certificat, ou éditez un projet.")
    if data.requested_category is None:
        raise ReportError("Catégorie demandée inconnue : le certificat ne peut pas être établi.")
    st = styles()
    story = _rapport(data) + _grille(data) + _proposition(data, issued_on)
    story += [PageBreak(), para("Annexe — photos", st["h2"]), *photo_annex(data.photos, WIDTH)]
    if data.warnings:
        story += [para("Avertissements", st["h3"]), *[para(w, st["small"]) for w in data.warnings]]
    decor = decor_for(data, "Certificat de visite", certificat_id(data), issued_on, draft)
    return build_pdf(story, decor, author=data.organisation.name, subject=f"Visite {data.visit_id}")

