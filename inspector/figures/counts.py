"""The agency's figures for a year, counted with a few aggregate SQL queries (GROUP BY), never row by row.

Definitions (docs/figures.md says the same, the dashboard shows them as tooltips):

* A visit counts for year Y when its `visited_on` falls in Y (whatever its state since: in progress, completed,
  issued, acquired, refused). Superseded revisions are left out: a corrected certificat counts once. Visits still
  planned (`state = planned`, `planned_on` in Y) are counted apart, never towards a target.
* Meublés target: classement + renouvellement visits; visites-conseils of meublés are counted beside, not in it.
* Tourisme & Handicap: « attribution » = th_primo + th_renouvellement visits, « conseil » = th_conseil visits.
* New Accueil Vélo provider: an Accueil Vélo decision granted (acquired) in Y for an establishment that held no
  Accueil Vélo before — no earlier granted AV decision and no AV label row already there (started earlier, or
  recorded before the decision); an establishment counts once.
* Stocks are taken on the day `today`: a classified meublé has a current category whose `category_valid_until` is
  today or later; a label is held when today is within its validity (an end date derived from the start date and
  the label's validity when only the start is known, as for renewal reminders).
* Overdue: meublé visits done (in progress or completed, certificat not issued) whose report was due
  (deadlines.report_due: one month after the visit) before today; classements and labels expired within the last
  12 months with no renewal visit open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..db.database import Database
from ..db.models import Decision, Establishment, EstablishmentLabel, Organisation, User, Visit
from ..services import deadlines
from ..services.label_renewals import LABEL_TITLES, LABEL_VALIDITY_YEARS, RENEWAL_VISIT_KINDS
from ..services.visits import VISIT_KINDS
from .targets import Targets, load_targets

MEUBLE_TARGET_KINDS = ("classement", "renouvellement")
MEUBLE_ADVISORY_KINDS = ("visite_conseil",)
TH_ATTRIBUTION_KINDS = ("th_primo", "th_renouvellement")
TH_ADVISORY_KINDS = ("th_conseil",)
FAMILIES = ("meubles", "tourisme_handicap", "accueil_velo", "chambre_hotes_reference")
REPORT_STATES = ("in_progress", "completed")  # done, certificat not issued yet
OPEN_RENEWAL_STATES = ("planned", "in_progress", "completed", "issued")
EXPIRED_LOOKBACK_MONTHS = 12
RENEWAL_HORIZON_MONTHS = 12
LIST_LIMIT = 200  # rows kept per overdue list (the counts are exact)


@dataclass(frozen=True)
class AreaCount:
    """Classified meublés of one intercommunality (EPCI) or, when unknown, one commune."""

    name: str
    count: int
    is_epci: bool = True


@dataclass(frozen=True)
class InspectorCount:
    """Visits of the year by one inspector (the visit's evaluator), per family of visit."""

    name: str
    meubles: int = 0
    tourisme_handicap: int = 0
    accueil_velo: int = 0
    chambre_hotes_reference: int = 0

    @property
    def total(self) -> int:
        return self.meubles + self.tourisme_handicap + self.accueil_velo + self.chambre_hotes_reference


@dataclass(frozen=True)
class OverdueReport:
    """A meublé visit whose certificat is late (more than one month after the visit)."""

    visit_id: str
    establishment: str
    commune: str
    kind: str
    state: str
    visited_on: dt.date
    due: dt.date
    days_late: int
    inspector: str


@dataclass(frozen=True)
class ExpiredItem:
    """A classement or a label that expired recently and has no renewal visit open."""

    establishment_id: str
    establishment: str
    commune: str
    subject: str  # classement | accueil_velo | tourisme_handicap | chambre_hotes_reference
    title: str  # « Classement 3 ★ », « Accueil Vélo · hebergement »…
    valid_until: dt.date
    days_late: int


@dataclass(frozen=True)
class MonthCount:
    """Renewals falling due in one month: classements and labels ending then, and those with no visit open."""

    month: dt.date  # first day of the month
    classements: int
    labels: int
    without_visit: int

    @property
    def total(self) -> int:
        return self.classements + self.labels


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard and the yearly key-figures PDF show, as plain data."""

    year: int
    today: dt.date
    agency: str
    targets: Targets
    visits: dict[str, int]  # visit kind -> visits done in the year
    planned: dict[str, int]  # visit kind -> visits planned in the year, not started
    meubles_by_month: tuple[int, ...]  # classement + renouvellement visits per month of the year (12)
    decisions: dict[str, dict[str, int]]  # Decision.subject -> status -> decisions dated in the year
    new_accueil_velo: int
    classified_by_stars: dict[int, int]  # 1..5 -> classified meublés today
    classified_by_area: tuple[AreaCount, ...]  # by EPCI (commune when the EPCI is unknown), largest first
    classified_by_commune: tuple[AreaCount, ...]
    labels_held: dict[str, int]  # label -> establishments holding it today
    th_by_family: dict[str, int]  # T&H family -> establishments holding it today
    av_by_typology: dict[str, int]  # Accueil Vélo typology -> establishments holding it today
    per_inspector: tuple[InspectorCount, ...]
    overdue_reports: tuple[OverdueReport, ...]
    overdue_reports_count: int
    expired_classements: tuple[ExpiredItem, ...]
    expired_classements_count: int
    expired_labels: tuple[ExpiredItem, ...]
    expired_labels_count: int
    renewals_by_month: tuple[MonthCount, ...]  # the next 12 months, starting with the current one

    # the numbers set against the targets
    @property
    def meubles_visits(self) -> int:
        return sum(self.visits.get(k, 0) for k in MEUBLE_TARGET_KINDS)

    @property
    def meubles_advisory(self) -> int:
        return sum(self.visits.get(k, 0) for k in MEUBLE_ADVISORY_KINDS)

    @property
    def meubles_planned(self) -> int:
        return sum(self.planned.get(k, 0) for k in MEUBLE_TARGET_KINDS)

    @property
    def th_attribution(self) -> int:
        return sum(self.visits.get(k, 0) for k in TH_ATTRIBUTION_KINDS)

    @property
    def th_advisory(self) -> int:
        return sum(self.visits.get(k, 0) for k in TH_ADVISORY_KINDS)

    @property
    def th_visits(self) -> int:
        return self.th_attribution + self.th_advisory

    @property
    def th_planned(self) -> int:
        return sum(self.planned.get(k, 0) for k in (*TH_ATTRIBUTION_KINDS, *TH_ADVISORY_KINDS))

    @property
    def classified_total(self) -> int:
        return sum(self.classified_by_stars.values())

    @property
    def renewals_next_12_months(self) -> int:
        return sum(m.total for m in self.renewals_by_month)

    def decided(self, subject: str, status: str) -> int:
        return self.decisions.get(subject, {}).get(status, 0)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict (dates in ISO format, computed totals included)."""
        data = _jsonable(asdict(self))
        data["totals"] = {"meubles_visits": self.meubles_visits, "meubles_advisory": self.meubles_advisory,
                          "meubles_planned": self.meubles_planned, "th_visits": self.th_visits,
                          "th_attribution": self.th_attribution, "th_advisory": self.th_advisory,
                          "th_planned": self.th_planned, "new_accueil_velo": self.new_accueil_velo,
                          "classified_total": self.classified_total,
                          "renewals_next_12_months": self.renewals_next_12_months}
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# ----- SQL building blocks ---------------------------------------------------------------------------------------

def _label_end() -> ColumnElement[Any]:
    """A label row's last day of validity: its end date, else derived from its start and the label's validity."""
    derived = case(*[(EstablishmentLabel.label == label, func.date(EstablishmentLabel.valid_from, f"+{years} years",
                                                                  "-1 day"))
                     for label, years in LABEL_VALIDITY_YEARS.items()], else_=None)
    return func.coalesce(EstablishmentLabel.valid_until, derived)


def _family_of_kind() -> ColumnElement[str]:
    by_family: dict[str, list[str]] = {}
    for kind, family in VISIT_KINDS.items():
        by_family.setdefault(family, []).append(kind)
    return case(*[(Visit.kind.in_(kinds), family) for family, kinds in by_family.items()], else_="autre")


def _renewal_open(est_id: Any, label: Any | None = None) -> ColumnElement[bool]:
    """An open renewal visit exists for the establishment (of the classement, or of the given label column)."""
    v = aliased(Visit)
    base = and_(v.establishment_id == est_id, v.superseded.is_(False), v.state.in_(OPEN_RENEWAL_STATES))
    if label is None:
        return select(v.id).where(base, v.kind.in_(MEUBLE_TARGET_KINDS)).exists()
    kinds = or_(*[and_(label == lab, v.kind.in_(ks)) for lab, ks in RENEWAL_VISIT_KINDS.items()])
    return select(v.id).where(base, kinds).exists()


def _report_cutoff(today: dt.date) -> dt.date:
    """The last visit day whose report was due before `today` (report_due is monotonic in the visit day)."""
    day = deadlines.add_months(today, -1)
    while deadlines.report_due(day) >= today:
        day -= dt.timedelta(days=1)
    while deadlines.report_due(day + dt.timedelta(days=1)) < today:
        day += dt.timedelta(days=1)
    return day


def _month_starts(today: dt.date, months: int) -> list[dt.date]:
    first = today.replace(day=1)
    return [deadlines.add_months(first, i) for i in range(months)]


# ----- the figures ------------------------------------------------------------------------------------------------

def compute_figures(db: Database, *, year: int, today: dt.date, targets: Targets | None = None) -> Figures:
    """The figures of `year` (flows: visits and decisions dated in the year) and the stocks on `today`."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    targets = targets or load_targets(db, year)
    lookback = deadlines.add_months(today, -EXPIRED_LOOKBACK_MONTHS)
    horizon = deadlines.add_months(today, RENEWAL_HORIZON_MONTHS)
    current = Visit.superseded.is_(False)
    with db.session() as s:
        agency = s.scalar(select(Organisation.name).order_by(Organisation.created_at).limit(1)) or ""

        # visits done and planned in the year, per kind
        visits = dict(s.execute(select(Visit.kind, func.count()).where(
            current, Visit.visited_on.between(start, end)).group_by(Visit.kind)).all())
        planned = dict(s.execute(select(Visit.kind, func.count()).where(
            current, Visit.state == "planned", Visit.visited_on.is_(None),
            Visit.planned_on.between(start, end)).group_by(Visit.kind)).all())
        month = cast(func.strftime("%m", Visit.visited_on), Integer)
        by_month = dict(s.execute(select(month, func.count()).where(
            current, Visit.kind.in_(MEUBLE_TARGET_KINDS), Visit.visited_on.between(start, end)).group_by(month)).all())

        # decisions dated in the year
        decisions: dict[str, dict[str, int]] = {}
        for subject, status, n in s.execute(select(Decision.subject, Decision.status, func.count()).where(
                Decision.decided_on.between(start, end)).group_by(Decision.subject, Decision.status)):
            decisions.setdefault(subject, {})[status] = n

        # new Accueil Vélo providers
        earlier = aliased(Decision)
        held_before = aliased(EstablishmentLabel)
        new_av = s.scalar(select(func.count(func.distinct(Decision.establishment_id))).where(
            Decision.subject == "accueil_velo", Decision.status == "acquired", Decision.decided_on.between(start, end),
            ~select(earlier.id).where(earlier.establishment_id == Decision.establishment_id,
                                      earlier.subject == "accueil_velo", earlier.status == "acquired",
                                      earlier.decided_on < Decision.decided_on).exists(),
            ~select(held_before.id).where(held_before.establishment_id == Decision.establishment_id,
                                          held_before.label == "accueil_velo",
                                          or_(held_before.valid_from < Decision.decided_on,
                                              held_before.created_at < Decision.created_at)).exists())) or 0

        # classified meublés today: by stars, by intercommunality (else commune), by commune
        classified = and_(Establishment.current_category.between(1, 5),
                          Establishment.category_valid_until >= today)
        stars = dict(s.execute(select(Establishment.current_category, func.count()).where(classified)
                               .group_by(Establishment.current_category)).all())
        epci = func.coalesce(Establishment.intercommunality, "")
        area = case((epci != "", epci), else_=Establishment.commune)
        by_area = [AreaCount(name or "—", n, bool(is_epci)) for name, is_epci, n in s.execute(
            select(area, epci != "", func.count()).where(classified).group_by(area, epci != "")
            .order_by(func.count().desc(), area)).all()]
        by_commune = [AreaCount(name or "—", n, False) for name, n in s.execute(
            select(Establishment.commune, func.count()).where(classified).group_by(Establishment.commune)
            .order_by(func.count().desc(), Establishment.commune)).all()]

        # labels held today
        label_end = _label_end()
        held = and_(or_(EstablishmentLabel.valid_from.is_(None), EstablishmentLabel.valid_from <= today),
                    or_(label_end.is_(None), label_end >= today))
        labels_held = dict(s.execute(select(EstablishmentLabel.label,
                                            func.count(func.distinct(EstablishmentLabel.establishment_id)))
                                     .where(held).group_by(EstablishmentLabel.label)).all())
        family = func.json_each(EstablishmentLabel.families).table_valued("value")
        th_by_family = dict(s.execute(
            select(family.c.value, func.count(func.distinct(EstablishmentLabel.establishment_id)))
            .select_from(EstablishmentLabel).join(family, literal(True))
            .where(held, EstablishmentLabel.label == "tourisme_handicap").group_by(family.c.value)).all())
        typology = func.coalesce(EstablishmentLabel.typology, "")
        av_by_typology = dict(s.execute(
            select(typology, func.count(func.distinct(EstablishmentLabel.establishment_id)))
            .where(held, EstablishmentLabel.label == "accueil_velo").group_by(typology)).all())

        # visits of the year per inspector and family
        fam = _family_of_kind()
        per: dict[str, dict[str, int]] = {}
        for name, fam_name, n in s.execute(
                select(func.coalesce(User.name, ""), fam, func.count()).select_from(Visit)
                .outerjoin(User, User.id == Visit.evaluator_id)
                .where(current, Visit.visited_on.between(start, end)).group_by(Visit.evaluator_id, User.name, fam)):
            per.setdefault(name or "(sans inspecteur)", {}).setdefault(fam_name, 0)
            per[name or "(sans inspecteur)"][fam_name] += n
        per_inspector = sorted((InspectorCount(name, **{f: counts.get(f, 0) for f in FAMILIES})
                                for name, counts in per.items()), key=lambda r: (-r.total, r.name))

        # overdue certificats
        cutoff = _report_cutoff(today)
        late = and_(current, Visit.kind.in_(MEUBLE_TARGET_KINDS), Visit.state.in_(REPORT_STATES),
                    Visit.visited_on.is_not(None), Visit.visited_on <= cutoff)
        overdue_count = s.scalar(select(func.count()).select_from(Visit).where(late)) or 0
        overdue = []
        for vid, name, commune, kind, state, visited, inspector in s.execute(
                select(Visit.id, Establishment.name, Establishment.commune, Visit.kind, Visit.state, Visit.visited_on,
                       func.coalesce(User.name, "")).join(Establishment, Establishment.id == Visit.establishment_id)
                .outerjoin(User, User.id == Visit.evaluator_id).where(late)
                .order_by(Visit.visited_on, Visit.id).limit(LIST_LIMIT)):
            due = deadlines.report_due(visited)
            overdue.append(OverdueReport(vid, name, commune, kind, state, visited, due, (today - due).days,
                                         inspector))

        # classements expired within the last 12 months, no renewal visit open
        expired_cls = and_(Establishment.current_category.between(1, 5),
                           Establishment.category_valid_until >= lookback, Establishment.category_valid_until < today,
                           ~_renewal_open(Establishment.id))
        expired_cls_count = s.scalar(select(func.count()).select_from(Establishment).where(expired_cls)) or 0
        expired_classements = [
            ExpiredItem(eid, name, commune, "classement", f"Classement {cat} ★", until, (today - until).days)
            for eid, name, commune, cat, until in s.execute(
                select(Establishment.id, Establishment.name, Establishment.commune, Establishment.current_category,
                       Establishment.category_valid_until).where(expired_cls)
                .order_by(Establishment.category_valid_until, Establishment.name).limit(LIST_LIMIT))]

        # labels: the latest row per establishment, label and typology
        latest = (select(EstablishmentLabel.establishment_id.label("est_id"), EstablishmentLabel.label.label("label"),
                         typology.label("typology"), func.max(label_end).label("until"))
                  .group_by(EstablishmentLabel.establishment_id, EstablishmentLabel.label, typology).subquery())
        expired_lab = and_(latest.c.until.is_not(None), latest.c.until >= lookback, latest.c.until < today,
                           ~_renewal_open(latest.c.est_id, latest.c.label))
        expired_lab_count = s.scalar(select(func.count()).select_from(latest).where(expired_lab)) or 0
        expired_labels = []
        for eid, name, commune, label, typ, until in s.execute(
                select(latest.c.est_id, Establishment.name, Establishment.commune, latest.c.label, latest.c.typology,
                       latest.c.until).join(Establishment, Establishment.id == latest.c.est_id).where(expired_lab)
                .order_by(latest.c.until, Establishment.name).limit(LIST_LIMIT)):
            until = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until))
            title = LABEL_TITLES.get(label, label) + (f" · {typ}" if typ else "")
            expired_labels.append(ExpiredItem(eid, name, commune, label, title, until, (today - until).days))

        # renewals falling due in the next 12 months, per month
        cls_month = func.strftime("%Y-%m", Establishment.category_valid_until)
        cls_rows = s.execute(
            select(cls_month, func.count(), func.sum(case((_renewal_open(Establishment.id), 0), else_=1)))
            .where(Establishment.current_category.between(1, 5), Establishment.category_valid_until >= today,
                   Establishment.category_valid_until < horizon).group_by(cls_month)).all()
        lab_month = func.strftime("%Y-%m", latest.c.until)
        lab_rows = s.execute(
            select(lab_month, func.count(),
                   func.sum(case((_renewal_open(latest.c.est_id, latest.c.label), 0), else_=1)))
            .where(latest.c.until >= today, latest.c.until < horizon).group_by(lab_month)).all()
    cls_by = {m: (n, free or 0) for m, n, free in cls_rows}
    lab_by = {m: (n, free or 0) for m, n, free in lab_rows}
    renewals = []
    for first in _month_starts(today, RENEWAL_HORIZON_MONTHS):
        key = first.strftime("%Y-%m")
        c, cf = cls_by.get(key, (0, 0))
        lab, lf = lab_by.get(key, (0, 0))
        renewals.append(MonthCount(first, c, lab, cf + lf))
    return Figures(
        year=year, today=today, agency=agency, targets=targets, visits=visits, planned=planned,
        meubles_by_month=tuple(by_month.get(m, 0) for m in range(1, 13)), decisions=decisions,
        new_accueil_velo=new_av, classified_by_stars={k: stars.get(k, 0) for k in range(1, 6)},
        classified_by_area=tuple(by_area), classified_by_commune=tuple(by_commune), labels_held=labels_held,
        th_by_family=th_by_family, av_by_typology=av_by_typology, per_inspector=tuple(per_inspector),
        overdue_reports=tuple(overdue), overdue_reports_count=overdue_count,
        expired_classements=tuple(expired_classements), expired_classements_count=expired_cls_count,
        expired_labels=tuple(expired_labels), expired_labels_count=expired_lab_count,
        renewals_by_month=tuple(renewals))
