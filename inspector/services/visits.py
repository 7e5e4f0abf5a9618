"""The life of a visit: create, answer (append-only), measure, score, complete, issue, refuse or acquire, revise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.database import Database
from ..db.models import Bed, Decision, Establishment, Observation, Photo, Room, User, Visit, utcnow
from ..grids.model import Grid
from ..grids.registry import GridNotFound, default_grid, find_grid
from ..grids.validate import GridError
from ..scoring.answers import NA, NC, Answer, ScoringInputError, normalise_context, parse_answer
from ..scoring.applicability import effective_status
from . import deadlines
from .common import Changed, Incomplete, NotFound, OpResult, ServiceError, VisitLocked, audit, pinned_grid, tombstone

VISIT_KINDS = {
    "classement": "meubles",
    "renouvellement": "meubles",
    "visite_conseil": "meubles",
    "th_primo": "tourisme_handicap",
    "th_renouvellement": "tourisme_handicap",
    "th_conseil": "tourisme_handicap",
    "accueil_velo": "accueil_velo",
    "chambre_hotes_reference": "chambre_hotes_reference",
}
DEFAULT_GRIDS = {"meubles": "MT-2022-V2"}
# "submitted": a label evaluation handed to the commission (frozen until its decision).
STATES = ("planned", "in_progress", "completed", "submitted", "issued", "acquired", "refused")
LOCKED_STATES = frozenset({"completed", "submitted", "issued", "acquired", "refused"})
LABEL_FAMILIES = frozenset({"tourisme_handicap", "accueil_velo", "chambre_hotes_reference"})
CLEARED = "cleared"


@dataclass(frozen=True)
class CurrentAnswer:
    """The answer of one criterion (and family) derived from the observation log."""

    criterion: str
    level: str
    value: str
    points: int | None
    na_reason: str
    comment: str
    recorded_at: dt.datetime
    author_id: str | None
    seq: int

    def as_answer(self) -> Answer:
        return Answer(self.value, self.points, self.na_reason, self.comment)


def get_visit(session: Session, visit_id: str) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"Visite {visit_id} introuvable.")
    return visit


def grid_of(visit: Visit) -> Grid:
    return pinned_grid(visit.grid_id, visit.grid_version, visit.grid_sha256)


def _default_context(grid: Grid, est: Establishment) -> dict[str, Any]:
    keys = {k.key for k in grid.context}
    ctx: dict[str, Any] = {}
    if "capacity" in keys and est.capacity:
        ctx["capacity"] = est.capacity
    if "floor" in keys and est.floor is not None:
        ctx["floor"] = est.floor
    if "collective_building" in keys:
        ctx["collective_building"] = bool(est.collective_building)
    if "studio" in keys:
        ctx["studio"] = est.layout.strip().lower() in ("studio", "t1")
    if "room_count" in keys and est.rooms:
        ctx["room_count"] = est.rooms
    return ctx


def create_visit(db: Database, *, establishment_id: str, kind: str, planned_on: dt.date | None = None,
                 requested_category: int | None = None, requested_families: list[str] | None = None,
                 typology: str = "", grid_id: str | None = None, evaluator_id: str | None = None,
                 second_evaluator_id: str | None = None, previous_visit_id: str | None = None,
                 context: dict[str, Any] | None = None, user_id: str | None = None) -> OpResult[str]:
    """Plan a visit of an establishment, pinned to the grid version in force (a renewal links the last visit)."""
    if kind not in VISIT_KINDS:
        raise ServiceError(f"Type de visite « {kind} » inconnu ({', '.join(VISIT_KINDS)}).")
    family = VISIT_KINDS[kind]
    with db.session() as s:
        est = s.get(Establishment, establishment_id)
        if est is None:
            raise NotFound(f"Établissement {establishment_id} introuvable.")
        gid = grid_id or DEFAULT_GRIDS.get(family)
        try:
            grid = find_grid(gid) if gid else default_grid(family)
        except (GridNotFound, GridError) as exc:
            raise ServiceError(f"Grille {gid or family} indisponible : {exc}") from None
        if grid.kind != family:
            raise ServiceError(f"La grille {grid.id} ({grid.kind}) ne convient pas à une visite « {kind} ».")
        if family == "meubles":
            if requested_category is None or str(requested_category) not in grid.level_codes:
                raise ServiceError("Catégorie demandée manquante ou invalide (1 à 5).")
        families = list(requested_families or [])  # kept in the order given (reports list them so)
        if family != "meubles" or families or typology or second_evaluator_id:
            # the scope is checked as set_label_scope checks it; empty values mean "not given" when planning
            _check_label_scope(s, grid, families=families or None, typology=typology or None,
                               second_evaluator_id=second_evaluator_id or False, evaluator_id=evaluator_id)
        if kind in ("renouvellement", "th_renouvellement") and previous_visit_id is None:
            previous_visit_id = s.scalar(
                select(Visit.id).where(Visit.establishment_id == establishment_id, Visit.superseded.is_(False),
                                       Visit.kind.in_(("classement", "renouvellement") if family == "meubles"
                                                      else ("th_primo", "th_renouvellement")),
                                       Visit.state.in_(("issued", "acquired", "refused", "completed")))
                .order_by(Visit.visited_on.desc()).limit(1))
        ctx = _default_context(grid, est)
        if typology and grid.context_key("typology") is not None:  # as set_label_scope: prerequisites read it
            ctx["typology"] = typology
        ctx.update(context or {})
        try:
            ctx = normalise_context(grid, ctx)
        except ScoringInputError:
            pass  # an incomplete context is allowed while planning; it is checked when answers are scored
        visit = Visit(establishment_id=establishment_id, kind=kind, requested_category=requested_category,
                      requested_families=families, typology=typology, grid_id=grid.id,
                      grid_version=grid.version, grid_sha256=grid.sha256, context=ctx, planned_on=planned_on,
                      evaluator_id=evaluator_id, second_evaluator_id=second_evaluator_id,
                      previous_visit_id=previous_visit_id)
        s.add(visit)
        s.flush()
        audit(s, user_id=user_id, action="visit.create", table="visits", row_id=visit.id, kind=kind,
              grid=f"{grid.id}@{grid.version}")
        s.commit()
        return OpResult(visit.id, Changed().add("visits", visit.id))


def check_editable(visit: Visit) -> None:
    if visit.superseded:
        raise VisitLocked("Cette révision de la visite a été remplacée : modifiez la révision en cours.")
    if visit.state in LOCKED_STATES:
        raise VisitLocked(f"La visite est « {visit.state} » : pour la corriger, ouvrez une nouvelle révision "
                          "(avec un motif).")


def start_visit(db: Database, *, visit_id: str, visited_on: dt.date | None = None,
                user_id: str | None = None, at: dt.datetime | None = None) -> OpResult[str]:
    """The inspector is on site: the visit is in progress and dated."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        v.state = "in_progress"
        v.visited_on = visited_on or v.visited_on or dt.date.today()
        v.started_at = v.started_at or at or utcnow()
        v.pending_sync = True
        audit(s, user_id=user_id, action="visit.start", table="visits", row_id=v.id, visited_on=v.visited_on)
        s.commit()
        return OpResult(v.id, Changed().add("visits", v.id))


def set_context(db: Database, *, visit_id: str, context: dict[str, Any], user_id: str | None = None) -> OpResult[dict]:
    """Change the visit context (capacity, studio, floor…); checked against the pinned grid."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        grid = grid_of(v)
        try:
            ctx = normalise_context(grid, {**v.context, **context})
        except ScoringInputError as exc:
            raise ServiceError("Contexte de visite invalide :\n" + "\n".join(exc.problems)) from None
        old = dict(v.context)
        v.context = ctx
        v.pending_sync = True
        audit(s, user_id=user_id, action="visit.context", table="visits", row_id=v.id, before=old, after=ctx)
        s.commit()
        return OpResult(ctx, Changed().add("visits", v.id))


def _level_for_check(grid: Grid, visit: Visit) -> str:
    if grid.kind == "meubles" and visit.requested_category is not None:
        return str(visit.requested_category)
    return grid.level_codes[0]


def _validate_answer(grid: Grid, visit: Visit, criterion: str, value: Any, points: int | None, level: str,
                     na_reason: str) -> Answer:
    if not grid.has_criterion(criterion):
        raise ServiceError(f"Critère {criterion} inconnu dans la grille {grid.id}.")
    if level and level not in grid.level_codes:
        raise ServiceError(f"Critère {criterion} : niveau « {level} » inconnu ({', '.join(grid.level_codes)}).")
    crit = grid.criterion(criterion)
    raw: Any = points if crit.graded and points is not None else value
    try:
        answer = parse_answer(grid, criterion, {"answer": raw, "reason": na_reason})
    except ScoringInputError as exc:
        raise ServiceError(exc.problems[0]) from None
    if answer.value == NA and not crit.na_reasons:
        lv = _level_for_check(grid, visit)
        try:
            ctx = normalise_context(grid, visit.context)
        except ScoringInputError:
            ctx = dict(visit.context)
        if effective_status(crit, lv, ctx, grid.settings).status != "NA":
            raise ServiceError(f"Critère {criterion} : « non applicable » refusé — ni la grille ni le contexte de "
                               "la visite ne le permettent.")
    if answer.value == NC and not crit.nc_allowed:
        raise ServiceError(f"Critère {criterion} : « non concerné » n'est pas admis pour ce critère.")
    if answer.value == NA and not answer.na_reason and crit.na_reasons:
        answer = Answer(NA, None, crit.na_reasons[0], answer.comment)
    return answer


def _heads(s: Session, visit_id: str, criterion: str, level: str) -> list[str]:
    """The observations of one criterion and family that nothing replaces yet (what a new answer replaces)."""
    rows = s.execute(select(Observation.id, Observation.based_on).where(
        Observation.visit_id == visit_id, Observation.criterion == criterion, Observation.level == level)).all()
    replaced = {x for _id, based in rows for x in (based or [])}
    return sorted(i for i, _based in rows if i not in replaced)


def _next_seq(s: Session, visit_id: str) -> int:
    return (s.scalar(select(func.max(Observation.seq)).where(Observation.visit_id == visit_id)) or 0) + 1


def record_answer(db: Database, *, visit_id: str, criterion: str, value: Any, points: int | None = None,
                  na_reason: str = "", comment: str = "", level: str = "", author_id: str | None = None,
                  device_id: str = "", at: dt.datetime | None = None) -> OpResult[CurrentAnswer]:
    """Append one observation and commit it durably: when this returns, the answer survives a power cut.

    `at` backdates the observation (imports, demo data); by default it is now.
    """
    at = at or utcnow()
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        grid = grid_of(v)
        answer = _validate_answer(grid, v, criterion, value, points, level, na_reason)
        obs = Observation(visit_id=visit_id, criterion=criterion, level=level, value=answer.value,
                          points=answer.points, na_reason=answer.na_reason, comment=comment, author_id=author_id,
                          device_id=device_id, seq=_next_seq(s, visit_id), recorded_at=at,
                          based_on=_heads(s, visit_id, criterion, level))
        s.add(obs)
        if v.state == "planned":
            v.state = "in_progress"
            v.visited_on = v.visited_on or at.date()
            v.started_at = at
            v.pending_sync = True
        s.commit()
        return OpResult(_current(obs), Changed().add("observations", obs.id).add("visits", visit_id))


def clear_answer(db: Database, *, visit_id: str, criterion: str, level: str = "",
                 author_id: str | None = None) -> OpResult[str]:
    """Remove the current answer (appends a 'cleared' observation; history is kept)."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        if not grid_of(v).has_criterion(criterion):
            raise ServiceError(f"Critère {criterion} inconnu.")
        obs = Observation(visit_id=visit_id, criterion=criterion, level=level, value=CLEARED, author_id=author_id,
                          seq=_next_seq(s, visit_id), recorded_at=utcnow(),
                          based_on=_heads(s, visit_id, criterion, level))
        s.add(obs)
        s.commit()
        return OpResult(obs.id, Changed().add("observations", obs.id))


def undo_last_answer(db: Database, *, visit_id: str, author_id: str | None = None) -> OpResult[str | None]:
    """Undo the latest answer not yet undone, by appending what was there before it (several undos go back
    further; the log keeps everything)."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        log = s.execute(select(Observation.seq, Observation.criterion, Observation.level, Observation.undoes_seq)
                        .where(Observation.visit_id == visit_id).order_by(Observation.seq.desc())).all()
        undone = {r.undoes_seq for r in log if r.undoes_seq is not None}
        target = next((r for r in log if r.undoes_seq is None and r.seq not in undone), None)
        if target is None:
            return OpResult(None, Changed())
        # What the criterion showed just before the target: the latest earlier observation still in effect.
        earlier = [r for r in log if r.seq < target.seq and r.criterion == target.criterion
                   and r.level == target.level and r.seq not in undone]
        before = s.scalar(select(Observation).where(Observation.visit_id == visit_id,
                                                    Observation.seq == earlier[0].seq)) if earlier else None
        obs = Observation(visit_id=visit_id, criterion=target.criterion, level=target.level,
                          value=before.value if before else CLEARED, points=before.points if before else None,
                          na_reason=before.na_reason if before else "", comment=before.comment if before else "",
                          author_id=author_id, seq=_next_seq(s, visit_id), recorded_at=utcnow(),
                          undoes_seq=target.seq, based_on=_heads(s, visit_id, target.criterion, target.level))
        s.add(obs)
        s.commit()
        return OpResult(target.criterion, Changed().add("observations", obs.id))


def _current(o: Observation) -> CurrentAnswer:
    return CurrentAnswer(o.criterion, o.level, o.value, o.points, o.na_reason, o.comment, o.recorded_at,
                         o.author_id, o.seq)


def _log(session: Session, visit_id: str) -> tuple[list[Any], set[str]]:
    rows = session.execute(
        select(Observation.criterion, Observation.level, Observation.value, Observation.points,
               Observation.na_reason, Observation.comment, Observation.recorded_at, Observation.author_id,
               Observation.seq, Observation.id, Observation.based_on)
        .where(Observation.visit_id == visit_id).order_by(Observation.seq)).all()
    replaced = {x for r in rows if r[10] for x in r[10]}
    return rows, replaced


def current_answers(session: Session, visit_id: str) -> dict[tuple[str, str], CurrentAnswer]:
    """The current answer of each (criterion, family), cleared ones left out.

    On one laptop it is the latest observation. When two evaluators answered the same criterion offline, both
    answers are current (see `disagreements`): the latest recorded one is shown until the pair agrees.
    """
    rows, replaced = _log(session, visit_id)
    latest: dict[tuple[str, str], Any] = {}
    for r in rows:
        if r[9] in replaced:
            continue
        key = (r[0], r[1])
        if key not in latest or (r[6], r[8]) >= (latest[key][6], latest[key][8]):
            latest[key] = r
    return {k: CurrentAnswer(*r[:9]) for k, r in latest.items() if r[2] != CLEARED}


@dataclass(frozen=True)
class Disagreement:
    """Two evaluators (or two laptops) gave different current answers to the same criterion and family."""

    criterion: str
    level: str
    answers: tuple[CurrentAnswer, ...]  # one per current observation, oldest first


def _refuse_disagreements(open_points: list[Disagreement], what: str) -> None:
    if open_points:
        codes = ", ".join(d.criterion + (f" ({d.level})" if d.level else "") for d in open_points)
        raise ServiceError(f"{what} : les évaluateurs ne sont pas d'accord sur {codes} — enregistrez la réponse "
                           "retenue (elle remplace les deux).")


def disagreements(db: Database, visit_id: str) -> list[Disagreement]:
    """Criteria whose current answers differ after observations from two laptops merged (none on one laptop)."""
    with db.session() as s:
        return disagreements_in(s, visit_id)


def disagreements_in(session: Session, visit_id: str) -> list[Disagreement]:
    """`disagreements` inside an open session."""
    rows, replaced = _log(session, visit_id)
    heads: dict[tuple[str, str], list[Any]] = {}
    for r in rows:
        if r[9] not in replaced:
            heads.setdefault((r[0], r[1]), []).append(r)
    out = []
    for (code, level), found in heads.items():
        if len({(r[2], r[3]) for r in found}) > 1:
            found.sort(key=lambda r: (r[6], r[8]))
            out.append(Disagreement(code, level, tuple(CurrentAnswer(*r[:9]) for r in found)))
    return sorted(out, key=lambda d: (_order(d.criterion), d.level))


def answers_of(db: Database, visit_id: str) -> dict[tuple[str, str], CurrentAnswer]:
    """The current answers of a visit (a service call for the UI: it never opens sessions itself)."""
    with db.session() as s:
        return current_answers(s, visit_id)


def measurements_for(db: Database, visit_id: str) -> dict[str, Any]:
    """The measured rooms and beds of a visit, as plain dicts."""
    with db.session() as s:
        return measurements_of(s, visit_id)


def answers_for_engine(grid: Grid, current: dict[tuple[str, str], CurrentAnswer]) -> dict[str, Any]:
    """Current answers in the shape the scoring engines take (per-family values for labels).

    An answer recorded for every family (level "") applies to each family unless a later answer was recorded
    for that family alone.
    """
    per_code: dict[str, dict[str, CurrentAnswer]] = {}
    for (code, level), a in current.items():
        per_code.setdefault(code, {})[level] = a
    out: dict[str, Any] = {}
    for code, by_level in per_code.items():
        if grid.kind == "meubles":
            out[code] = max(by_level.values(), key=lambda a: a.seq).as_answer()
        elif set(by_level) == {""}:
            out[code] = by_level[""].value
        else:
            common = by_level.get("")
            values = {}
            for lv in grid.level_codes:
                own = by_level.get(lv)
                chosen = own if own is not None and (common is None or own.seq > common.seq) else common
                if chosen is not None:
                    values[lv] = chosen.value
            out[code] = values
    return out


def measurements_of(session: Session, visit_id: str) -> dict[str, Any]:
    rooms = session.scalars(select(Room).where(Room.visit_id == visit_id).order_by(Room.position)).all()
    beds = session.scalars(select(Bed).where(Bed.visit_id == visit_id).order_by(Bed.created_at)).all()
    return {
        "rooms": [{"name": r.name, "kind": r.kind, "surface": r.surface_m2, "low_ceiling": r.low_ceiling_m2,
                   "sleepers": r.sleepers, "has_opening": r.has_opening} for r in rooms],
        "beds": [{"kind": b.kind, "width": b.width_cm, "length": b.length_cm, "room": b.room} for b in beds],
    }


def set_measurements(db: Database, *, visit_id: str, rooms: list[dict[str, Any]], beds: list[dict[str, Any]],
                     user_id: str | None = None) -> OpResult[int]:
    """Replace the measured rooms and beds (validated first; removed rows leave tombstones)."""
    from ..scoring.surfaces import parse_measurements

    try:
        parsed = parse_measurements({"rooms": rooms, "beds": beds})
    except ScoringInputError as exc:
        raise ServiceError("Mesures invalides :\n" + "\n".join(exc.problems)) from None
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        changed = Changed()
        for row in [*s.scalars(select(Room).where(Room.visit_id == visit_id)),
                    *s.scalars(select(Bed).where(Bed.visit_id == visit_id))]:
            tombstone(s, row.__tablename__, row.id)
            changed.add(row.__tablename__, row.id)
            s.delete(row)
        for i, r in enumerate(parsed.rooms):
            room = Room(visit_id=visit_id, position=i, name=r.name, kind=r.kind, surface_m2=str(r.surface_m2),
                        low_ceiling_m2=str(r.low_ceiling_m2), sleepers=r.sleepers, has_opening=r.has_opening)
            s.add(room)
            s.flush()
            changed.add("rooms", room.id)
        for b in parsed.beds:
            bed = Bed(visit_id=visit_id, room=b.room, kind=b.kind, width_cm=b.width_cm, length_cm=b.length_cm)
            s.add(bed)
            s.flush()
            changed.add("beds", bed.id)
        audit(s, user_id=user_id, action="visit.measurements", table="visits", row_id=visit_id,
              rooms=len(parsed.rooms), beds=len(parsed.beds))
        s.commit()
        return OpResult(len(parsed.rooms), changed)


def score_visit(db: Database, visit_id: str, *, partial: bool = True) -> Any:
    """The live result of a visit with its own grid (meublés: MeublesResult; labels: LabelResult)."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        grid = grid_of(v)
        answers = answers_for_engine(grid, current_answers(s, visit_id))
        measures = measurements_of(s, visit_id) if grid.kind == "meubles" else None
        ctx, category, families, typology = dict(v.context), v.requested_category, v.requested_families, v.typology
    try:
        if grid.kind == "meubles":
            from ..scoring.meubles import score_meuble

            return score_meuble(grid, category=category or 1, context=ctx, answers=answers,
                                measurements=measures if measures and (measures["rooms"] or measures["beds"]) else None,
                                partial=partial)
        from ..scoring.labels import score_label

        return score_label(grid, context=ctx, answers=answers, requested=families or None,
                           typology=typology or None, partial=partial)
    except ScoringInputError as exc:
        raise ServiceError("Calcul impossible :\n" + "\n".join(exc.problems)) from None


def complete_visit(db: Database, *, visit_id: str, user_id: str | None = None,
                   at: dt.datetime | None = None) -> OpResult[str]:
    """Close the visit once every applicable criterion is answered; it becomes immutable."""
    result = score_visit(db, visit_id, partial=True)
    missing = list(result.result.unanswered) if hasattr(result, "result") else sorted(
        {c for lv in result.requested for c in result.levels[lv].unanswered})
    if missing:
        raise Incomplete(f"{len(missing)} critère(s) sans réponse : {', '.join(missing)}.", missing)
    _refuse_disagreements(disagreements(db, visit_id), "Clôture impossible")
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        v.state = "completed"
        v.completed_at = at or utcnow()
        v.visited_on = v.visited_on or v.completed_at.date()
        v.pending_sync = True
        audit(s, user_id=user_id, action="visit.complete", table="visits", row_id=v.id)
        s.commit()
        return OpResult(v.id, Changed().add("visits", v.id))


def _check_label_scope(s: Session, grid: Grid, *, families: list[str] | None, typology: str | None,
                       second_evaluator_id: str | None | bool, evaluator_id: str | None) -> list[str] | None:
    """Check what a label evaluation covers against its grid (the rules of create_visit and set_label_scope).

    None (or False for the partner) means "not given": not checked. Returns the families in the grid's order (None
    when not given); raises ServiceError naming the bad value.
    """
    if grid.kind == "meubles":
        raise ServiceError("Familles, typologie et second évaluateur ne concernent que les visites de label "
                           f"(grille {grid.id}).")
    ordered = None
    if families is not None:
        if grid.kind != "tourisme_handicap":
            raise ServiceError(f"Famille(s) {', '.join(families) or '(aucune)'} refusée(s) : seules les visites "
                               f"Tourisme & Handicap demandent des familles (grille {grid.id}).")
        unknown = [f for f in families if f not in grid.level_codes]
        if unknown:
            raise ServiceError(f"Famille(s) inconnue(s) : {', '.join(unknown)} (choix : "
                               f"{', '.join(grid.level_codes)}).")
        if not families:
            raise ServiceError("Choisissez au moins une famille.")
        ordered = [f for f in grid.level_codes if f in families]
    if typology is not None and typology not in grid.typologies:
        if grid.typologies:
            raise ServiceError(f"Typologie « {typology} » inconnue dans la grille {grid.id} (choix : "
                               f"{', '.join(grid.typologies)}).")
        if typology:
            raise ServiceError(f"Typologie « {typology} » refusée : la grille {grid.id} n'en déclare aucune.")
    if second_evaluator_id is not False and second_evaluator_id is not None:
        partner = s.get(User, second_evaluator_id)
        if partner is None:
            raise NotFound(f"Évaluateur {second_evaluator_id} introuvable.")
        if second_evaluator_id == evaluator_id:
            raise ServiceError(f"Le second évaluateur ({partner.name}) doit être une autre personne que "
                               "l'évaluateur.")
    return ordered


def set_label_scope(db: Database, *, visit_id: str, families: list[str] | None = None, typology: str | None = None,
                    second_evaluator_id: str | None | bool = False, user_id: str | None = None) -> OpResult[str]:
    """Set what a label evaluation covers: the families requested (T&H, at least two for a label), the typology
    or filière, the partner evaluator. Checked against the visit's own grid."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        check_editable(v)
        grid = grid_of(v)
        checked = _check_label_scope(s, grid, families=families, typology=typology,
                                     second_evaluator_id=second_evaluator_id, evaluator_id=v.evaluator_id)
        if checked is not None:
            v.requested_families = checked
        if typology is not None:
            v.typology = typology
            if grid.context_key("typology") is not None:  # prerequisites that read the typology (Accueil Vélo)
                v.context = {**v.context, "typology": typology}
        if second_evaluator_id is not False:
            v.second_evaluator_id = second_evaluator_id  # type: ignore[assignment]
        v.pending_sync = True
        audit(s, user_id=user_id, action="visit.label_scope", table="visits", row_id=v.id,
              families=list(v.requested_families), typology=v.typology)
        s.commit()
        return OpResult(v.id, Changed().add("visits", v.id))


def submit_visit(db: Database, *, visit_id: str, user_id: str | None = None,
                 at: dt.datetime | None = None) -> OpResult[str]:
    """Hand a completed label evaluation to the commission: it is frozen (no answer, opinion or date changes)."""
    at = at or utcnow()
    with db.session() as s:
        v = get_visit(s, visit_id)
        if VISIT_KINDS.get(v.kind) not in LABEL_FAMILIES:
            raise ServiceError("Seules les évaluations de label sont soumises à la commission.")
        if v.state != "completed":
            raise ServiceError(f"Soumission impossible : la visite est « {v.state} » (terminez-la d'abord).")
        if VISIT_KINDS[v.kind] == "tourisme_handicap" and v.kind != "th_conseil" and not v.opinion.strip():
            raise ServiceError("Soumission impossible : l'avis motivé du binôme d'évaluateurs manque.")
        _refuse_disagreements(disagreements_in(s, visit_id), "Soumission impossible")
        v.state = "submitted"
        v.submitted_at = at
        v.pending_sync = True
        audit(s, user_id=user_id, action="visit.submit", table="visits", row_id=v.id)
        s.commit()
        return OpResult(v.id, Changed().add("visits", v.id))


def set_label_record(db: Database, *, visit_id: str, opinion: str | None = None,
                     sworn_statement_on: dt.date | None | bool = False, sworn_statement_ref: str | None = None,
                     user_id: str | None = None) -> OpResult[str]:
    """Record the pair's reasoned opinion and the sworn statement of compliance (date, document reference).

    Allowed until the evaluation is submitted (a completed visit may still get its opinion). Passing
    `sworn_statement_on=None` clears the date; leaving it False keeps it.
    """
    with db.session() as s:
        v = get_visit(s, visit_id)
        if v.superseded or v.state not in ("planned", "in_progress", "completed"):
            raise VisitLocked(f"La visite est « {v.state} » : l'avis et la déclaration ne peuvent plus changer.")
        before = {"opinion": v.opinion, "sworn_statement_on": v.sworn_statement_on,
                  "sworn_statement_ref": v.sworn_statement_ref}
        if opinion is not None:
            v.opinion = opinion.strip()
        if sworn_statement_on is not False:
            v.sworn_statement_on = sworn_statement_on  # type: ignore[assignment]
        if sworn_statement_ref is not None:
            v.sworn_statement_ref = sworn_statement_ref.strip()
        grid = grid_of(v)
        if any(k.key == "sworn_statement" for k in grid.context):
            v.context = {**v.context, "sworn_statement": v.sworn_statement_on is not None}
        v.pending_sync = True
        audit(s, user_id=user_id, action="visit.label_record", table="visits", row_id=v.id,
              before={k: str(x) for k, x in before.items()})
        s.commit()
        return OpResult(v.id, Changed().add("visits", v.id))


def _transition(db: Database, visit_id: str, allowed: tuple[str, ...], action: str, user_id: str | None,
                **updates: Any) -> OpResult[str]:
    with db.session() as s:
        v = get_visit(s, visit_id)
        if v.state not in allowed:
            raise ServiceError(f"Action impossible : la visite est « {v.state} » (attendu : {', '.join(allowed)}).")
        for key, value in updates.items():
            setattr(v, key, value)
        v.pending_sync = True
        audit(s, user_id=user_id, action=action, table="visits", row_id=v.id, **updates)
        s.commit()
        return OpResult(v.id, Changed().add("visits", v.id))


def record_issue(db: Database, *, visit_id: str, issued_on: dt.date, proposed_category: int | None = None,
                 user_id: str | None = None) -> OpResult[str]:
    """The certificat de visite (or report) is issued; the one-month deadline is checked and kept visible.

    For a classement, the proposition names a category the visit reaches: the requested one by default. A lower
    category must be chosen explicitly (a human decision); 0 issues a report of non-classement.
    """
    with db.session() as s:
        v = get_visit(s, visit_id)
        if v.visited_on and issued_on < v.visited_on:
            raise ServiceError("La date d'émission précède la date de la visite.")
        kind = v.kind
    proposed = None
    if kind in ("classement", "renouvellement"):
        result = score_visit(db, visit_id, partial=True)
        proposed = v.requested_category if proposed_category is None else proposed_category
        if proposed and not result.categories[str(proposed)].classable:
            best = result.highest_classable
            hint = f"catégorie la plus élevée accessible : {best}★" if best else "aucune catégorie n'est accessible"
            raise ServiceError(f"La visite n'atteint pas {proposed}★ ({hint}). Choisissez explicitement la catégorie "
                               "proposée, ou 0 pour un rapport de non-classement.")
    return _transition(db, visit_id, ("completed",), "visit.issue", user_id, state="issued", issued_on=issued_on,
                       proposed_category=proposed)


def _check_after_issue(db: Database, visit_id: str, day: dt.date, what: str, *, after_sent: bool = False) -> None:
    """A date of the certificat's life cannot precede its issue (nor, for the receipt, its sending)."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        if v.issued_on is not None and day < v.issued_on:
            raise ServiceError(f"{what} ({day:%d/%m/%Y}) précède l'émission du certificat ({v.issued_on:%d/%m/%Y}).")
        if after_sent and v.sent_on is not None and day < v.sent_on:
            raise ServiceError(f"{what} ({day:%d/%m/%Y}) précède son envoi ({v.sent_on:%d/%m/%Y}).")


def record_sent(db: Database, *, visit_id: str, sent_on: dt.date, user_id: str | None = None) -> OpResult[str]:
    """The certificat was sent to the owner (or the mandataire) on this date."""
    _check_after_issue(db, visit_id, sent_on, "La date d'envoi")
    return _transition(db, visit_id, ("issued",), "visit.sent", user_id, sent_on=sent_on)


def record_receipt(db: Database, *, visit_id: str, received_on: dt.date, user_id: str | None = None) -> OpResult[str]:
    """The owner received the certificat: the 15-day refusal window starts.

    A receipt recorded after the window has closed does not acquire by itself: call `refresh_states` (or
    `meuble_decisions.record_receipt_and_acquire`, which does both).
    """
    _check_after_issue(db, visit_id, received_on, "La date de réception", after_sent=True)
    return _transition(db, visit_id, ("issued",), "visit.received", user_id, received_on=received_on)


def record_refusal(db: Database, *, visit_id: str, refused_on: dt.date, reason: str,
                   user_id: str | None = None) -> OpResult[str]:
    """The owner refused the proposed classement within the window: the visit and a decision say so."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        if v.state != "issued":
            raise ServiceError(f"Action impossible : la visite est « {v.state} » (attendu : issued).")
        if v.received_on is None:
            raise ServiceError("Enregistrez d'abord la date de réception du certificat par le propriétaire.")
        end = deadlines.refusal_window_end(v.received_on)
        if refused_on < v.received_on:
            raise ServiceError(f"La date du refus ({refused_on:%d/%m/%Y}) précède la réception du certificat "
                               f"({v.received_on:%d/%m/%Y}).")
        if refused_on > end:
            raise ServiceError(f"Refus hors délai : la fenêtre de 15 jours s'est fermée le {end:%d/%m/%Y}.")
        if not reason.strip():
            raise ServiceError("Indiquez le motif du refus.")
        v.state, v.refused_on, v.refusal_reason, v.pending_sync = "refused", refused_on, reason.strip(), True
        decision = Decision(visit_id=v.id, establishment_id=v.establishment_id, subject="meuble_category",
                            status="refused", category=v.proposed_category, decided_on=refused_on,
                            reason=reason.strip())
        s.add(decision)
        s.flush()
        audit(s, user_id=user_id, action="visit.refused", table="visits", row_id=v.id, refused_on=refused_on,
              reason=reason.strip())
        s.commit()
        return OpResult(v.id, Changed().add("visits", v.id).add("decisions", decision.id))


def refresh_states(db: Database, *, today: dt.date, user_id: str | None = None) -> OpResult[list[str]]:
    """Acquire every classement whose refusal window closed without refusal (on the 16th day).

    Each acquisition records a numbered Decision (DC-YYYY-<short visit id>, the number the décision PDF prints)
    with the capacity it was granted for, and updates the establishment's category and validity. Every laptop runs
    this at start: what it writes depends only on the visit (decision id made from the visit id, times from the
    acquisition day), so two laptops acquiring the same classement offline send identical rows, not two decisions.
    """
    from sqlalchemy.orm.attributes import flag_modified

    from .meuble_decisions import acquisition_decision_id, unique_decision_number

    changed = Changed()
    acquired: list[str] = []
    with db.session() as s:
        candidates = s.scalars(select(Visit).where(Visit.state == "issued", Visit.received_on.is_not(None),
                                                   Visit.superseded.is_(False),
                                                   Visit.kind.in_(("classement", "renouvellement")),
                                                   Visit.proposed_category >= 1)
                               .order_by(Visit.received_on, Visit.id)).all()
        for v in candidates:
            when = deadlines.acquired_on(v.received_on)
            if when > today:
                continue
            years = grid_of(v).validity_years or 5
            stamp = dt.datetime.combine(when, dt.time())
            v.state, v.acquired_on = "acquired", when
            v.valid_until = deadlines.valid_until(when, years)
            v.pending_sync = True
            v.modified_at = max(v.modified_at or stamp, stamp)
            flag_modified(v, "modified_at")  # not "now": the same on every laptop
            est = s.get(Establishment, v.establishment_id)
            before = {"current_category": est.current_category, "category_valid_until": est.category_valid_until}
            est.current_category, est.category_valid_until = v.proposed_category, v.valid_until
            est.pending_sync = True
            est.modified_at = max(est.modified_at or stamp, stamp)
            flag_modified(est, "modified_at")
            decision = Decision(id=acquisition_decision_id(v.id), visit_id=v.id, establishment_id=v.establishment_id,
                                subject="meuble_category", status="acquired", category=v.proposed_category,
                                decided_on=when, valid_until=v.valid_until,
                                number=unique_decision_number(s, v.id, when.year),
                                details={"capacity": v.context.get("capacity") or est.capacity},
                                created_at=stamp, modified_at=stamp)
            s.add(decision)
            s.flush()
            audit(s, user_id=user_id, action="visit.acquired", table="visits", row_id=v.id, acquired_on=when,
                  number=decision.number, establishment_before=before)
            changed.add("visits", v.id).add("establishments", est.id).add("decisions", decision.id)
            acquired.append(v.id)
        s.commit()
    return OpResult(acquired, changed)


def open_revision(db: Database, *, visit_id: str, reason: str, user_id: str | None = None) -> OpResult[str]:
    """Correct a completed or issued visit: a new revision copies it, the old one is kept unchanged."""
    if not reason.strip():
        raise ServiceError("Une nouvelle révision demande un motif.")
    with db.session() as s:
        old = get_visit(s, visit_id)
        if old.superseded:
            raise ServiceError("Cette révision est déjà remplacée : corrigez la plus récente.")
        if old.state not in LOCKED_STATES:
            raise ServiceError("La visite est encore modifiable : inutile d'ouvrir une révision.")
        new = Visit(
            establishment_id=old.establishment_id, kind=old.kind, state="in_progress",
            requested_category=old.requested_category, requested_families=list(old.requested_families),
            typology=old.typology, grid_id=old.grid_id, grid_version=old.grid_version, grid_sha256=old.grid_sha256,
            context=dict(old.context), evaluator_id=old.evaluator_id, second_evaluator_id=old.second_evaluator_id,
            planned_on=old.planned_on, visited_on=old.visited_on, started_at=utcnow(),
            previous_visit_id=old.previous_visit_id, revision_of_id=old.id,
            revision_number=old.revision_number + 1, revision_reason=reason.strip(),
            observations_text=old.observations_text)
        s.add(new)
        s.flush()
        old.superseded = True
        old.pending_sync = True
        for seq, a in enumerate(sorted(current_answers(s, old.id).values(), key=lambda a: a.seq), 1):
            s.add(Observation(visit_id=new.id, criterion=a.criterion, level=a.level, value=a.value, points=a.points,
                              na_reason=a.na_reason, comment=a.comment, author_id=a.author_id, seq=seq,
                              recorded_at=a.recorded_at))
        for r in s.scalars(select(Room).where(Room.visit_id == old.id)):
            s.add(Room(visit_id=new.id, position=r.position, name=r.name, kind=r.kind, surface_m2=r.surface_m2,
                       low_ceiling_m2=r.low_ceiling_m2, sleepers=r.sleepers, has_opening=r.has_opening))
        for b in s.scalars(select(Bed).where(Bed.visit_id == old.id)):
            s.add(Bed(visit_id=new.id, room=b.room, kind=b.kind, width_cm=b.width_cm, length_cm=b.length_cm))
        for p in s.scalars(select(Photo).where(Photo.visit_id == old.id)):
            s.add(Photo(visit_id=new.id, criterion=p.criterion, sha256=p.sha256, original_name=p.original_name,
                        stored_path=p.stored_path, width=p.width, height=p.height, size_bytes=p.size_bytes,
                        caption=p.caption, taken_at=p.taken_at))
        audit(s, user_id=user_id, action="visit.revision", table="visits", row_id=new.id, replaces=old.id,
              reason=reason.strip())
        s.commit()
        return OpResult(new.id, Changed().add("visits", old.id, new.id))


@dataclass(frozen=True)
class AnswerDiff:
    criterion: str
    level: str
    before: str | None
    after: str | None


def _label(a: CurrentAnswer | None) -> str | None:
    if a is None:
        return None
    return f"{a.value} ({a.points})" if a.points is not None else a.value


def diff_answers(db: Database, *, old_visit_id: str, new_visit_id: str) -> list[AnswerDiff]:
    """Criteria whose answer differs between two visits (a revision and the one it replaces, or a renewal)."""
    with db.session() as s:
        old, new = current_answers(s, old_visit_id), current_answers(s, new_visit_id)
    diffs = []
    for key in sorted(set(old) | set(new), key=lambda k: (_order(k[0]), k[1])):
        a, b = old.get(key), new.get(key)
        if _label(a) != _label(b) or (a and b and a.comment != b.comment):
            diffs.append(AnswerDiff(key[0], key[1], _label(a), _label(b)))
    return diffs


def previous_answers(db: Database, *, visit_id: str) -> dict[tuple[str, str], CurrentAnswer]:
    """For a renewal: last time's answers, to show beside the new ones."""
    with db.session() as s:
        v = get_visit(s, visit_id)
        if not v.previous_visit_id:
            return {}
        return current_answers(s, v.previous_visit_id)


def _order(code: str) -> tuple[int, str]:
    return (int(code), "") if code.isdigit() else (-1, code)
