"""Explanations of a meublé result in words a layman understands, and the advice for an advisory visit."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..grids.model import Grid
from ..i18n import number, register, tr
from .meubles import CategoryResult, MeublesResult, Outcome


@dataclass(frozen=True)
class Reason:
    """A message code and its parameters; phrased in the reader's language by `render`."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "fr") -> str:
        return tr(self.code, lang, **self.params)


register("provisional",
         "Résultat provisoire : {count} critère(s) sans réponse ({codes}).",
         "Provisional result: {count} criterion/criteria unanswered ({codes}).")
register("prq_failed",
         "Prérequis non respecté : sans lui, le classement n'est possible dans aucune catégorie.",
         "Prerequisite not met: without it no category can be granted.")
register("onc_failed",
         "Critère(s) obligatoire(s) non compensable(s) non validé(s) : {codes}. Aucune compensation n'est "
         "possible : le classement ne peut pas être proposé tant qu'ils ne sont pas corrigés.",
         "Mandatory non-compensable criteria not met: {codes}. No compensation is possible: the classification "
         "cannot be proposed until they are fixed.")
register("mandatory_failed",
         "Critères obligatoires non validés : {items} — {points} point(s) à compenser par {comp} point(s) "
         "à la carte ({factor} × {points}).",
         "Mandatory criteria not met: {items} — {points} point(s) to be compensated by {comp} optional point(s) "
         "({factor} × {points}).")
register("mandatory_ok",
         "Points obligatoires : c = {c} sur a = {a}, au moins b = {b} exigés ({pct} % de a) : atteint.",
         "Mandatory points: c = {c} out of a = {a}, at least b = {b} required ({pct} % of a): reached.")
register("mandatory_short",
         "Points obligatoires : c = {c} sur a = {a}, au moins b = {b} exigés ({pct} % de a) : il manque {missing} "
         "point(s) obligatoire(s), ce qu'aucun point à la carte ne peut remplacer.",
         "Mandatory points: c = {c} out of a = {a}, at least b = {b} required ({pct} % of a): {missing} mandatory "
         "point(s) missing, which no optional point can replace.")
register("alacarte_ok",
         "Points à la carte : h = {h} obtenus, g = {g} exigés (compensation d = {d} + quota f = {f}, soit {pct} % "
         "de e = {e}) : atteint.",
         "Optional points: h = {h} obtained, g = {g} required (compensation d = {d} + quota f = {f}, i.e. {pct} % "
         "of e = {e}): reached.")
register("alacarte_short",
         "Points à la carte : h = {h} obtenus, g = {g} exigés (compensation d = {d} + quota f = {f}, soit {pct} % "
         "de e = {e}) : il manque {missing} point(s) à la carte.",
         "Optional points: h = {h} obtained, g = {g} required (compensation d = {d} + quota f = {f}, i.e. {pct} % "
         "of e = {e}): {missing} optional point(s) missing.")
register("classable", "Conclusion : classable en {cat}★.", "Conclusion: the property can be classified {cat}★.")
register("not_classable", "Conclusion : non classable en {cat}★.", "Conclusion: cannot be classified {cat}★.")
register("highest", "Catégorie la plus élevée accessible avec ces réponses : {cat}★.",
         "Highest category reachable with these answers: {cat}★.")
register("highest_none", "Aucune catégorie n'est accessible avec ces réponses.",
         "No category is reachable with these answers.")
register("rounding", "Comparaisons faites avec le réglage d'arrondi « {mode} » (b et f exacts : {b} et {f}).",
         "Comparisons made with rounding setting “{mode}” (exact b and f: {b} and {f}).")
register("advice_target", "Pour atteindre {cat}★ :", "To reach {cat}★:")
register("advice_reached", "La catégorie {cat}★ est atteinte avec ces réponses.",
         "Category {cat}★ is reached with these answers.")
register("advice_prq", "- respecter le prérequis de surface (9 m² avec cuisine séparée, 12 m² avec coin cuisine) ;",
         "- meet the minimum surface prerequisite (9 m² with a separate kitchen, 12 m² with a kitchen corner);")
register("advice_onc", "- corriger impérativement : {items} (non compensable) ;",
         "- must fix: {items} (non-compensable);")
register("advice_mandatory", "- obligatoires à obtenir (chacun non obtenu coûte 3 fois ses points en points à la "
         "carte) : {items} ;",
         "- mandatory criteria to obtain (each one missed costs 3 times its points in optional points): {items};")
register("advice_alacarte", "- gagner encore {missing} point(s) à la carte, par exemple : {items}.",
         "- gain {missing} more optional point(s), for example: {items}.")


def _items(grid: Grid, outcomes: list[Outcome], lang: str, with_text: bool = False) -> str:
    parts = []
    for o in outcomes:
        pts = o.points_possible - o.points_obtained
        label = f"{o.code} ({number(pts, lang)} pt{'s' if pts > 1 else ''})"
        if with_text:
            label = f"{o.code} « {grid.criterion(o.code).text} » ({number(pts, lang)} pt{'s' if pts > 1 else ''})"
        parts.append(label)
    return ", ".join(parts)


def explain_category(grid: Grid, result: MeublesResult, category: str | None = None,
                     lang: str = "fr") -> list[Reason]:
    """Why the visit is (not) classable in a category — the requested one by default."""
    level = category or result.requested
    r = result.categories[level]
    s = result.settings
    reasons: list[Reason] = []
    if r.unanswered:
        reasons.append(Reason("provisional", {"count": len(r.unanswered), "codes": ", ".join(r.unanswered)}))
    if not r.prerequisite_ok:
        reasons.append(Reason("prq_failed"))
    onc = [o for o in r.failed_onc if o.met is False]  # unanswered ones are covered by "provisional"
    if onc:
        reasons.append(Reason("onc_failed", {"codes": ", ".join(o.code for o in onc)}))
    failed = [o for o in r.failed_mandatory if o.met is False]
    if failed:
        pts = sum(o.points_possible for o in failed)
        factor = Decimal(str(s["compensation_factor"]))
        reasons.append(Reason("mandatory_failed", {"items": _items(grid, failed, lang), "points": pts,
                                                   "comp": factor * pts, "factor": factor}))
    pct = Decimal(str(s["mandatory_threshold"])) * 100
    ln = r.lines
    common = {"a": ln.a, "b": r.compared_b, "c": ln.c, "pct": pct}
    if r.mandatory_ok:
        reasons.append(Reason("mandatory_ok", common))
    else:
        reasons.append(Reason("mandatory_short", common | {"missing": r.mandatory_missing}))
    quota = Decimal(str(s["quota"][level])) * 100
    ac = {"h": ln.h, "g": r.compared_g, "d": ln.d, "f": r.compared_g - ln.d, "pct": quota, "e": ln.e}
    if r.alacarte_ok:
        reasons.append(Reason("alacarte_ok", ac))
    else:
        reasons.append(Reason("alacarte_short", ac | {"missing": r.alacarte_missing}))
    if s["rounding"] != "exact":
        reasons.append(Reason("rounding", {"mode": s["rounding"], "b": ln.b, "f": ln.f}))
    reasons.append(Reason("classable" if r.classable else "not_classable", {"cat": level}))
    if category is None:
        best = result.highest_classable
        reasons.append(Reason("highest", {"cat": best}) if best else Reason("highest_none"))
    return reasons


def advice(grid: Grid, result: MeublesResult, target: str, lang: str = "fr", max_items: int = 8) -> list[str]:
    """What is missing to reach a target category, criterion by criterion, for an owner (visite-conseil)."""
    r: CategoryResult = result.categories[str(target)]
    if r.classable:
        return [tr("advice_reached", lang, cat=target)]
    lines = [tr("advice_target", lang, cat=target)]
    if not r.prerequisite_ok:
        lines.append(tr("advice_prq", lang))
    if r.failed_onc:
        lines.append(tr("advice_onc", lang, items=_items(grid, r.failed_onc, lang, with_text=True)))
    if r.failed_mandatory:
        lines.append(tr("advice_mandatory", lang, items=_items(grid, r.failed_mandatory, lang, with_text=True)))
    if not r.alacarte_ok:
        candidates = r.alacarte_candidates[:max_items]
        lines.append(tr("advice_alacarte", lang, missing=r.alacarte_missing,
                        items=_items(grid, candidates, lang, with_text=True)))
    return lines


def situational_changes(grid: Grid, result: MeublesResult, category: str | None = None) -> list[dict[str, str]]:
    """Criteria whose status the visit context changed, with the rule's reason and source."""
    level = category or result.requested
    out = []
    for o in result.categories[level].outcomes:
        if o.na_source == "context" or (o.reason and o.status != o.grid_status and o.na_source != "inspector"):
            out.append({"code": o.code, "from": o.grid_status, "to": o.status, "reason": o.reason,
                        "source": o.source or "official"})
    return out


def failed_codes(result: MeublesResult, category: str | None = None) -> list[str]:
    """Codes of every criterion blocking or costing the category: PRQ, ONC and mandatory not met."""
    r = result.categories[category or result.requested]
    return [o.code for o in r.failed_prerequisite + r.failed_onc + r.failed_mandatory]
