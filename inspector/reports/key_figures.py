"""The yearly « chiffres-clés » PDF: activity against the agency's targets, classified meublés, labels, deadlines.

It goes to the council: counts only, no owner or establishment names. Charts are ReportLab graphics (vector, black
and white friendly), fonts and page decor are the house style of every document (reports/base.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer, TableStyle

from ..db.database import Database
from ..figures.counts import EXPIRED_LOOKBACK_MONTHS, Figures, compute_figures
from ..figures.wording import (
    AV_TYPOLOGY_FR,
    FAMILY_OF_VISITS_FR,
    LABEL_FR,
    MONTHS_FR,
    SUBJECT_FR,
    TH_FAMILY_FR,
    name_of,
)
from .base import BOLD, FONT, PageDecor, build_pdf, para, register_fonts, styles
from .blocks import date_fr, table

WIDTH = A4[0] - 30 * mm
DONE = colors.HexColor("#3b5b7a")  # dark slate: prints as a dark grey
TARGET = colors.HexColor("#c8d0d8")
SECOND = colors.HexColor("#9aaab9")
TOP_AREAS = 15
SUBJECTS = ("meuble_category", "tourisme_handicap", "accueil_velo", "chr")


def _n(value: int) -> str:
    """Thousands with a narrow no-break space, as French prints them."""
    return f"{value:,}".replace(",", "\u202f")


def _pct(done: int, target: int) -> str:
    return f"{round(100 * done / target)}\u00a0%" if target else "—"


# (indicator in the table, short name in the chart)
INDICATORS = (("Meublés visités (classement et renouvellement)", "Meublés visités"),
              ("Visites Tourisme & Handicap", "Visites T&H"),
              ("dont visites-conseils", "dont conseils"),
              ("dont visites d'attribution", "dont attribution"),
              ("Nouveaux prestataires Accueil Vélo", "Nouveaux Accueil Vélo"))


def target_rows(f: Figures) -> list[tuple[str, int, str, int | None, int | None]]:
    """(indicator, done, target text, target used for the rate, planned) — the table and the progress chart."""
    t = f.targets
    values = [(f.meubles_visits, f"{t.meubles_min}–{t.meubles_max}", t.meubles_min, f.meubles_planned),
              (f.th_visits, str(t.th_visits), t.th_visits, f.th_planned),
              (f.th_advisory, str(t.th_advisory), t.th_advisory, None),
              (f.th_attribution, str(t.th_attribution), t.th_attribution, None),
              (f.new_accueil_velo, str(t.new_accueil_velo), t.new_accueil_velo, None)]
    return [(name, *v) for (name, _short), v in zip(INDICATORS, values, strict=True)]


def progress_chart(f: Figures, width: float) -> Drawing:
    """One bar per target: the target as a light bar (100 %), what was done as a dark bar, value beside it."""
    rows = target_rows(f)
    row_h, label_w = 9 * mm, 40 * mm
    height = row_h * len(rows) + 6 * mm
    d = Drawing(width, height)
    bar_w = width - label_w - 40 * mm
    top = max(max((done / tgt) if tgt else 0 for _, done, _, tgt, _ in rows), 1.0)
    scale = bar_w / top
    for i, ((name, done, text, tgt, _planned), (_long, short)) in enumerate(zip(rows, INDICATORS, strict=True)):
        y = height - (i + 1) * row_h
        sub = name.startswith("dont")
        d.add(String(4 * mm if sub else 0, y + 2.2 * mm, short, fontName=FONT if sub else BOLD, fontSize=7.5))
        if tgt:
            d.add(Rect(label_w, y + 1 * mm, scale, 5 * mm, fillColor=TARGET, strokeColor=None))
            d.add(Rect(label_w, y + 2 * mm, scale * done / tgt, 3 * mm, fillColor=DONE, strokeColor=None))
            d.add(String(label_w + max(scale, scale * done / tgt) + 2 * mm, y + 2.2 * mm,
                         f"{done} / {text} ({_pct(done, tgt)})", fontName=FONT, fontSize=7.5))
    d.add(Line(label_w + scale, 4 * mm, label_w + scale, height, strokeColor=colors.black, strokeWidth=0.6,
               strokeDashArray=[2, 2]))
    d.add(String(label_w + scale, 0.5 * mm, "objectif", fontName=FONT, fontSize=6.5, textAnchor="middle"))
    return d


def vbar_chart(values: list[list[int]], names: list[str], width: float, height: float,
               legend: tuple[str, ...] = ()) -> Drawing:
    """Vertical bars (stacked when several series), values printed above single-series bars."""
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 10 * mm, 8 * mm
    chart.width, chart.height = width - 14 * mm - (32 * mm if legend else 0), height - 14 * mm
    chart.data = values
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = FONT, 7
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = FONT, 7
    chart.valueAxis.valueMin = 0
    peak = max((sum(col) for col in zip(*values, strict=True)), default=0)
    chart.valueAxis.valueMax = max(5, int(peak * 1.15) + 1)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e0e0e0")
    chart.strokeColor = None
    chart.bars.strokeColor = None
    for i, fill in enumerate((DONE, SECOND, TARGET)[:len(values)]):
        chart.bars[i].fillColor = fill
    if len(values) > 1:
        chart.categoryAxis.style = "stacked"
    else:
        chart.barLabelFormat = "%d"
        chart.barLabels.fontName, chart.barLabels.fontSize = FONT, 7
        chart.barLabels.nudge = 6
    d.add(chart)
    for i, text in enumerate(legend):
        x, y = width - 30 * mm, height - 10 * mm - i * 5 * mm
        d.add(Rect(x, y, 3 * mm, 3 * mm, fillColor=(DONE, SECOND, TARGET)[i], strokeColor=None))
        d.add(String(x + 4.5 * mm, y + 0.5 * mm, text, fontName=FONT, fontSize=7))
    return d


def hbar_chart(items: list[tuple[str, int]], width: float) -> Drawing:
    """Horizontal bars, one per item, largest first as given, value at the end of the bar."""
    row_h = 6 * mm
    height = row_h * max(len(items), 1) + 10 * mm
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    label_w = 58 * mm
    chart.x, chart.y = label_w, 6 * mm
    chart.width, chart.height = width - label_w - 12 * mm, height - 8 * mm
    chart.data = [[v for _, v in reversed(items)] or [0]]
    chart.categoryAxis.categoryNames = [n for n, _ in reversed(items)] or [""]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = FONT, 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = FONT, 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(5, int(max((v for _, v in items), default=0) * 1.15) + 1)
    chart.bars[0].fillColor = DONE
    chart.bars.strokeColor = None
    chart.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize = FONT, 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    d.add(chart)
    return d


CELL_RIGHT = ParagraphStyle("cell_right", fontName=FONT, fontSize=7.5, leading=9, alignment=TA_RIGHT)
HEAD_RIGHT = ParagraphStyle("head_right", parent=CELL_RIGHT, fontName=BOLD)
CELL_SUB = ParagraphStyle("cell_sub", fontName=FONT, fontSize=7.5, leading=9, leftIndent=10)


def _cells(rows: list[list[Any]]) -> list[list[Any]]:
    """Header row bold; first column text, the others numbers aligned right; « dont … » rows indented."""
    st = styles()
    out = []
    for i, row in enumerate(rows):
        first = st["cell_bold"] if i == 0 else CELL_SUB if str(row[0]).startswith("dont ") else st["cell"]
        out.append([para(str(row[0]), first),
                    *[para(str(c), HEAD_RIGHT if i == 0 else CELL_RIGHT) for c in row[1:]]])
    return out


def activity_section(f: Figures) -> list[Any]:
    st = styles()
    rows: list[list[Any]] = [["Indicateur", "Réalisé", "Objectif", "Taux", "Prévues, non faites"]]
    for name, done, text, tgt, planned in target_rows(f):
        rows.append([name, _n(done), text,
                     _pct(done, tgt or 0), "" if planned is None else _n(planned)])
    rows.append(["Visites-conseils de meublés (hors objectif)", _n(f.meubles_advisory), "—", "—",
                 _n(sum(f.planned.get(k, 0) for k in ("visite_conseil",)))])
    out: list[Any] = [para("Activité de l'année au regard des objectifs", st["h2"]),
                      table(_cells(rows), [WIDTH * 0.46, WIDTH * 0.12, WIDTH * 0.13, WIDTH * 0.11,
                                                  WIDTH * 0.18]),
                      Spacer(0, 3 * mm), progress_chart(f, WIDTH),
                      para("Une visite compte pour l'année où elle a eu lieu (date de visite) ; les visites "
                           "seulement prévues sont comptées à part. Le taux se rapporte au bas de la fourchette "
                           "pour les meublés.", st["small"])]
    out += [KeepTogether([para(f"Meublés visités par mois en {f.year}", st["h3"]),
                          vbar_chart([list(f.meubles_by_month)], list(MONTHS_FR), WIDTH, 48 * mm)])]
    rows = [["Décisions datées de l'année", "accordés", "refusés", "autres"]]
    for subject in SUBJECTS:
        by = f.decisions.get(subject, {})
        other = sum(n for s, n in by.items() if s not in ("acquired", "refused"))
        rows.append([SUBJECT_FR[subject], _n(by.get("acquired", 0)), _n(by.get("refused", 0)), _n(other)])
    out += [Spacer(0, 2 * mm), table(_cells(rows), [WIDTH * 0.52, WIDTH * 0.16, WIDTH * 0.16,
                                                           WIDTH * 0.16])]
    return out


def classified_section(f: Figures) -> list[Any]:
    st = styles()
    stars = [f.classified_by_stars.get(k, 0) for k in range(1, 6)]
    areas = list(f.classified_by_area)
    top, rest = areas[:TOP_AREAS], areas[TOP_AREAS:]
    rows = [["Intercommunalité (ou commune)", "Meublés classés"]]
    rows += [[a.name + ("" if a.is_epci else " (commune)"), _n(a.count)] for a in top]
    if rest:
        rows.append([f"Autres ({len(rest)})", _n(sum(a.count for a in rest))])
    rows.append(["Total", _n(f.classified_total)])
    t = table(_cells(rows), [WIDTH * 0.75, WIDTH * 0.25])
    t.setStyle(TableStyle([("FONTNAME", (0, -1), (-1, -1), BOLD)]))
    return [CondPageBreak(90 * mm),
            para(f"Meublés classés au {date_fr(f.today)} : {_n(f.classified_total)}", st["h2"]),
            para("Établissements dont la catégorie en cours est valable à cette date.", st["small"]),
            KeepTogether([para("Par catégorie", st["h3"]),
                          vbar_chart([stars], [f"{k} ★" for k in range(1, 6)], WIDTH, 45 * mm)]),
            para("Par intercommunalité", st["h3"]), t]


def labels_section(f: Figures) -> list[Any]:
    st = styles()
    rows = [["Label ou marque", "Établissements"]]
    rows += [[name, _n(f.labels_held.get(code, 0))] for code, name in LABEL_FR.items()]
    out: list[Any] = [CondPageBreak(80 * mm), para(f"Labels détenus au {date_fr(f.today)}", st["h2"]),
                      table(_cells(rows), [WIDTH * 0.75, WIDTH * 0.25])]
    families = sorted(((name_of(TH_FAMILY_FR, k), v) for k, v in f.th_by_family.items()), key=lambda x: -x[1])
    typologies = sorted(((name_of(AV_TYPOLOGY_FR, k), v) for k, v in f.av_by_typology.items()),
                        key=lambda x: -x[1])
    out.append(KeepTogether([para("Tourisme & Handicap par famille de handicap", st["h3"]),
                             hbar_chart(families, WIDTH) if families else para("Aucun label en cours.", st["body"])]))
    out.append(KeepTogether([para("Accueil Vélo par typologie", st["h3"]),
                             hbar_chart(typologies, WIDTH) if typologies
                             else para("Aucune marque en cours.", st["body"])]))
    return out


def inspectors_section(f: Figures) -> list[Any]:
    st = styles()
    rows = [["Inspecteur", *FAMILY_OF_VISITS_FR.values(), "Total"]]
    for r in f.per_inspector:
        rows.append([r.name, _n(r.meubles), _n(r.tourisme_handicap), _n(r.accueil_velo),
                     _n(r.chambre_hotes_reference), _n(r.total)])
    if not f.per_inspector:
        rows.append(["Aucune visite cette année", "", "", "", "", ""])
    w = WIDTH * 0.15
    return [CondPageBreak(60 * mm), para(f"Visites {f.year} par inspecteur", st["h2"]),
            table(_cells(rows), [WIDTH - 5 * w, w, w, w, w, w])]


def deadlines_section(f: Figures) -> list[Any]:
    st = styles()
    rows = [["Échéance", "Nombre"],
            ["Certificats de visite en retard (plus d'un mois après la visite)", _n(f.overdue_reports_count)],
            [f"Classements expirés depuis moins de {EXPIRED_LOOKBACK_MONTHS} mois, sans visite de renouvellement",
             _n(f.expired_classements_count)],
            [f"Labels expirés depuis moins de {EXPIRED_LOOKBACK_MONTHS} mois, sans visite de renouvellement",
             _n(f.expired_labels_count)],
            ["Renouvellements à venir dans les 12 mois (classements et labels)", _n(f.renewals_next_12_months)]]
    months = [f"{MONTHS_FR[m.month.month - 1]} {m.month:%y}" for m in f.renewals_by_month]
    chart = vbar_chart([[m.classements for m in f.renewals_by_month], [m.labels for m in f.renewals_by_month]],
                       months, WIDTH, 55 * mm, legend=("Classements", "Labels"))
    return [CondPageBreak(70 * mm), para(f"Échéances au {date_fr(f.today)}", st["h2"]),
            table(_cells(rows), [WIDTH * 0.82, WIDTH * 0.18]),
            KeepTogether([para("Renouvellements par mois d'échéance (12 prochains mois)", st["h3"]), chart])]


def definitions(f: Figures) -> list[Any]:
    st = styles()
    text = [
        f"Période : visites et décisions datées du 1er janvier au 31 décembre {f.year} ; classements, labels et "
        f"échéances au {date_fr(f.today)}.",
        "Meublés : visites de classement et de renouvellement ; les visites-conseils sont comptées à part. Une "
        "révision d'un certificat ne compte qu'une fois.",
        "Tourisme & Handicap : visites d'attribution = premières demandes et renouvellements ; visites-conseils à "
        "part.",
        "Nouveau prestataire Accueil Vélo : marque accordée dans l'année à un établissement qui ne la détenait pas "
        "auparavant.",
        "Inspecteur : l'évaluateur de l'organisme désigné sur la visite.",
    ]
    return [CondPageBreak(30 * mm), para("Définitions", st["h3"]), *[para(x, st["small"]) for x in text]]


def render_key_figures(f: Figures, *, generated_on: dt.date) -> bytes:
    """The PDF bytes (same figures and date, same bytes)."""
    register_fonts()
    st = styles()
    story: list[Any] = [para(f"Chiffres-clés {f.year}", st["title"]),
                        para(f"{f.agency or 'Organisme'} — activité du 1er janvier au 31 décembre {f.year}, "
                             f"données arrêtées au {date_fr(f.today)}.", st["body"])]
    story += activity_section(f)
    story += classified_section(f)
    story += labels_section(f)
    story += inspectors_section(f)
    story += deadlines_section(f)
    story += definitions(f)
    decor = PageDecor(agency=f.agency or "Organisme", title=f"Chiffres-clés {f.year}",
                      document_id=f"CC-{f.year}-{f.today:%Y%m%d}", generated_on=date_fr(generated_on))
    return build_pdf(story, decor, author=f.agency, subject=f"Chiffres-clés {f.year}")


def write_key_figures(db: Database, *, year: int, today: dt.date, out: Path) -> Path:
    """Compute the figures of `year` and write the PDF to `out` atomically (nothing half-written)."""
    from ..storage import write_atomic

    figures = compute_figures(db, year=year, today=today)
    write_atomic(out, render_key_figures(figures, generated_on=today))
    return out
