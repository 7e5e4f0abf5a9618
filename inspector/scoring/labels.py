"""Label engines: Tourisme & Handicap (per family), Accueil Vélo and Chambre d'hôtes Référence (proposals only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..grids import conditions
from ..grids.model import Criterion, Grid
from ..i18n import number, register, tr
from .answers import NA, NC, NO, YES, ScoringInputError, normalise_context
from .applicability import effective_status
from .settings import merged_settings

LABEL_KINDS = ("tourisme_handicap", "accueil_velo", "chambre_hotes_reference")

register("lbl_prereq_failed", "Prérequis non rempli : {text}.", "Prerequisite not met: {text}.")
register("lbl_family_pass",
         "{level} : tous les critères obligatoires sont remplis ({mand_met}/{mand_total}) et le confort d'usage "
         "atteint {ratio} % (seuil {threshold} %) : famille validée.",
         "{level}: every mandatory criterion met ({mand_met}/{mand_total}) and comfort of use reaches {ratio} % "
         "(threshold {threshold} %): family passed.")
register("lbl_family_fail_mand", "{level} : critère(s) obligatoire(s) non rempli(s) : {codes}.",
         "{level}: mandatory criteria not met: {codes}.")
register("lbl_family_fail_cu", "{level} : confort d'usage {ratio} % ({met}/{total}) sous le seuil de {threshold} %.",
         "{level}: comfort of use {ratio} % ({met}/{total}) below the {threshold} % threshold.")
register("lbl_th_proposed", "Proposition : label Tourisme & Handicap pour {count} famille(s) : {families}.",
         "Proposal: Tourisme & Handicap label for {count} family/families: {families}.")
register("lbl_th_not_proposed",
         "Pas de proposition de label : {count} famille(s) validée(s), au moins {minimum} nécessaire(s).",
         "No label proposal: {count} family/families passed, at least {minimum} needed.")
register("lbl_mand_fail", "Critère(s) obligatoire(s) non rempli(s) : {codes}.", "Mandatory criteria not met: {codes}.")
register("lbl_optional_fail", "Critères optionnels : {met} remplis, règle « {rule} » non satisfaite.",
         "Optional criteria: {met} met, rule “{rule}” not satisfied.")
register("lbl_proposed", "Proposition : attribution de « {title} ».", "Proposal: grant “{title}”.")
register("lbl_not_proposed", "Pas de proposition d'attribution.", "No proposal to grant.")
register("lbl_unanswered", "Résultat provisoire : critère(s) sans réponse : {codes}.",
         "Provisional result: unanswered criteria: {codes}.")


@dataclass(frozen=True)
class PrerequisiteResult:
    code: str
    text: str
    ok: bool


@dataclass(frozen=True)
class LevelResult:
    """One family (T&H) or the label itself (Accueil Vélo, CHR)."""

    level: str
    label: str
    mandatory_total: int
    mandatory_met: int
    failed_mandatory: tuple[str, ...]
    confort_total: int
    confort_met: int
    confort_ratio: Decimal | None
    confort_ok: bool
    optional_total: int
    optional_met: int
    optional_ok: bool
    unanswered: tuple[str, ...]
    not_concerned: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failed_mandatory and self.confort_ok and self.optional_ok and not self.unanswered


@dataclass(frozen=True)
class LabelResult:
    """The computed proposal for a label visit (the decision is recorded separately)."""

    grid_id: str
    grid_version: str
    grid_sha256: str
    kind: str
    typology: str | None
    requested: tuple[str, ...]
    prerequisites: tuple[PrerequisiteResult, ...]
    levels: Mapping[str, LevelResult]
    settings: Mapping[str, Any]
    reasons: tuple[str, ...] = field(default=())

    @property
    def prerequisites_ok(self) -> bool:
        return all(p.ok for p in self.prerequisites)

    @property
    def passed_levels(self) -> list[str]:
        return [lv for lv in self.requested if self.levels[lv].passed]

    @property
    def provisional(self) -> bool:
        return any(self.levels[lv].unanswered for lv in self.requested)

    @property
    def proposed(self) -> bool:
        if not self.prerequisites_ok or self.provisional:
            return False
        if self.kind == "tourisme_handicap":
            return len(self.passed_levels) >= int(self.settings["min_families"])
        return all(self.levels[lv].passed for lv in self.requested)


def _answer_for(raw: Any, level: str) -> Any:
    if isinstance(raw, dict):
        return raw.get(level)
    return raw


def _parse(grid: Grid, answers: Mapping[str, Any]) -> dict[str, Any]:
    problems: list[str] = []
    out: dict[str, Any] = {}
    level_codes = grid.level_codes
    for code, raw in answers.items():
        code = str(code)
        if not grid.has_criterion(code):
            problems.append(f"critère {code} : inconnu dans la grille {grid.id}")
            continue
        crit = grid.criterion(code)
        values = raw.values() if isinstance(raw, dict) else [raw]
        if isinstance(raw, dict):
            for lv in raw:
                if lv not in level_codes:
                    problems.append(f"critère {code} : niveau « {lv} » inconnu ({', '.join(level_codes)})")
        for v in values:
            if v not in (YES, NO, NA, NC, None):
                problems.append(f"critère {code} : réponse {v!r} invalide (attendu \"yes\", \"no\" ou \"nc\")")
            elif v == NC and not crit.nc_allowed:
                problems.append(f"critère {code} : « non concerné » n'est pas admis pour ce critère")
            elif v == NA and not crit.na_reasons:
                problems.append(f"critère {code} : « na » refusé — la grille ne prévoit pas de non-applicabilité")
        out[code] = raw
    if problems:
        raise ScoringInputError(problems)
    return out


def _applies(crit: Criterion, typology: str | None) -> bool:
    return not crit.typologies or typology in crit.typologies


def _optional_ok(rule: Mapping[str, Any], met: int, total: int) -> bool:
    kind = rule.get("kind", "none")
    if kind == "min_count":
        return met >= int(rule["value"])
    if kind == "min_ratio":
        return total == 0 or Decimal(met) / Decimal(total) >= Decimal(str(rule["value"]))
    return True


def _level(grid: Grid, level: str, label: str, ctx: Mapping[str, Any], settings: Mapping[str, Any],
           answers: Mapping[str, Any], typology: str | None) -> LevelResult:
    mand_total = mand_met = cu_total = cu_met = opt_total = opt_met = 0
    failed: list[str] = []
    unanswered: list[str] = []
    nc: list[str] = []
    for crit in grid.criteria:
        if not _applies(crit, typology):
            continue
        # Most label criteria have no situational rule: their grid status is the effective status.
        status = (effective_status(crit, level, ctx, settings).status if crit.applicability
                  else crit.status_for(level))
        if status in ("NA", "R"):
            continue
        value = _answer_for(answers.get(crit.code), level)
        if value in (NC, NA):
            nc.append(crit.code)
            continue
        if value is None:
            unanswered.append(crit.code)
        met = value == YES
        if status in ("X", "X ONC", "PRQ"):
            mand_total += 1
            mand_met += met
            if not met:
                failed.append(crit.code)
        elif status == "CU":
            cu_total += 1
            cu_met += met
        elif status == "O":
            opt_total += 1
            opt_met += met
    ratio = Decimal(cu_met) / Decimal(cu_total) if cu_total else None
    if grid.kind == "tourisme_handicap":
        threshold = Decimal(str(settings["confort_threshold"]))
        cu_ok = bool(settings["empty_confort_passes"]) if ratio is None else ratio >= threshold
        opt_ok = True
    else:
        cu_ok = True
        opt_ok = _optional_ok(settings["optional_rule"], opt_met, opt_total)
    return LevelResult(level, label, mand_total, mand_met, tuple(failed), cu_total, cu_met, ratio, cu_ok,
                       opt_total, opt_met, opt_ok, tuple(unanswered), tuple(nc))


def _with_typology(grid: Grid, context: Mapping[str, Any], typology: str | None,
                   problems: list[str]) -> Mapping[str, Any]:
    """A grid whose prerequisites read the typology declares a `typology` context key: fill it from the visit's
    typology when absent, and refuse a context that names another typology than the one the criteria are filtered
    on (the prerequisites and the criteria would otherwise judge two different typologies)."""
    if typology not in grid.typologies or grid.context_key("typology") is None:
        return context  # no typology, or an unknown one (reported by score_label)
    given = context.get("typology")
    if given is None:
        return {**context, "typology": typology}
    if given != typology:
        problems.append(f"contexte : typologie « {given} » différente de la typologie de la visite « {typology} »")
    return context


def score_label(grid: Grid, *, context: Mapping[str, Any], answers: Mapping[str, Any],
                requested: Sequence[str] | None = None, typology: str | None = None,
                settings: Mapping[str, Any] | None = None, partial: bool = False, lang: str = "fr") -> LabelResult:
    """Score a label visit. For T&H `requested` lists the families asked for (all by default)."""
    if grid.kind not in LABEL_KINDS:
        raise ScoringInputError([f"la grille {grid.id} n'est pas une grille de label"])
    problems: list[str] = []
    context = _with_typology(grid, context, typology, problems)
    ctx = normalise_context(grid, context)
    merged = merged_settings(grid, settings)
    if grid.typologies:
        if typology is None:
            problems.append(f"typologie absente (choix : {', '.join(grid.typologies)})")
        elif typology not in grid.typologies:
            problems.append(f"typologie « {typology} » inconnue (choix : {', '.join(grid.typologies)})")
    wanted = tuple(requested) if requested else grid.level_codes
    for lv in wanted:
        if lv not in grid.level_codes:
            problems.append(f"niveau demandé « {lv} » inconnu (choix : {', '.join(grid.level_codes)})")
    if problems:
        raise ScoringInputError(problems)
    parsed = _parse(grid, answers)
    labels = {lv.code: lv.label for lv in grid.levels}
    levels = {lv: _level(grid, lv, labels[lv], ctx, merged, parsed, typology) for lv in grid.level_codes}
    order = {c.code: i for i, c in enumerate(grid.criteria)}  # grid order, without O(n²) list.index look-ups
    missing = sorted({c for lv in wanted for c in levels[lv].unanswered}, key=order.__getitem__)
    if missing and not partial:
        raise ScoringInputError([f"critère {c} : réponse manquante" for c in missing])
    prereqs = tuple(PrerequisiteResult(p.code, p.text, conditions.evaluate(p.condition, ctx))
                    for p in grid.prerequisites)
    result = LabelResult(grid.id, grid.version, grid.sha256, grid.kind, typology, wanted, prereqs, levels, merged)
    return LabelResult(**{**result.__dict__, "reasons": tuple(_reasons(grid, result, missing, lang))})


def _pct(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)) * 100


def _reasons(grid: Grid, r: LabelResult, missing: list[str], lang: str) -> list[str]:
    out: list[str] = []
    if missing:
        out.append(tr("lbl_unanswered", lang, codes=", ".join(missing)))
    for p in r.prerequisites:
        if not p.ok:
            out.append(tr("lbl_prereq_failed", lang, text=p.text))
    if r.kind == "tourisme_handicap":
        threshold = _pct(Decimal(str(r.settings["confort_threshold"])))
        for lv in r.requested:
            x = r.levels[lv]
            ratio = number(_pct(x.confort_ratio).quantize(Decimal("0.1")), lang) if x.confort_ratio is not None \
                else "—"
            if x.failed_mandatory:
                out.append(tr("lbl_family_fail_mand", lang, level=x.label, codes=", ".join(x.failed_mandatory)))
            if not x.confort_ok:
                out.append(tr("lbl_family_fail_cu", lang, level=x.label, ratio=ratio, met=x.confort_met,
                              total=x.confort_total, threshold=threshold))
            if x.passed:
                out.append(tr("lbl_family_pass", lang, level=x.label, mand_met=x.mandatory_met,
                              mand_total=x.mandatory_total, ratio=ratio, threshold=threshold))
        if r.proposed:
            names = ", ".join(r.levels[lv].label for lv in r.passed_levels)
            out.append(tr("lbl_th_proposed", lang, count=len(r.passed_levels), families=names))
        elif len(r.passed_levels) < int(r.settings["min_families"]):
            out.append(tr("lbl_th_not_proposed", lang, count=len(r.passed_levels), minimum=r.settings["min_families"]))
        else:  # enough families, but a prerequisite fails or answers are missing (said above)
            out.append(tr("lbl_not_proposed", lang))
        return out
    for lv in r.requested:
        x = r.levels[lv]
        if x.failed_mandatory:
            out.append(tr("lbl_mand_fail", lang, codes=", ".join(x.failed_mandatory)))
        if not x.optional_ok:
            out.append(tr("lbl_optional_fail", lang, met=x.optional_met, rule=_rule_text(r.settings["optional_rule"])))
    out.append(tr("lbl_proposed", lang, title=grid.title) if r.proposed else tr("lbl_not_proposed", lang))
    return out


def _rule_text(rule: Mapping[str, Any]) -> str:
    kind = rule.get("kind", "none")
    if kind == "min_count":
        return f"au moins {rule['value']}"
    if kind == "min_ratio":
        return f"au moins {number(Decimal(str(rule['value'])) * 100)} %"
    return "aucune exigence"


def label_json(grid: Grid, r: LabelResult) -> dict[str, Any]:
    """Machine-readable view of a label result."""
    return {
        "grid": {"id": grid.id, "version": grid.version, "sha256": grid.sha256, "provenance": grid.provenance.status},
        "kind": r.kind,
        "typology": r.typology,
        "requested": list(r.requested),
        "proposed": r.proposed,
        "provisional": r.provisional,
        "prerequisites_ok": r.prerequisites_ok,
        "prerequisites": [{"code": p.code, "text": p.text, "ok": p.ok} for p in r.prerequisites],
        "passed": r.passed_levels,
        "levels": {
            lv: {"passed": x.passed, "mandatory": {"met": x.mandatory_met, "total": x.mandatory_total},
                 "failed_mandatory": list(x.failed_mandatory),
                 "confort": {"met": x.confort_met, "total": x.confort_total,
                             "ratio": float(x.confort_ratio) if x.confort_ratio is not None else None,
                             "ok": x.confort_ok},
                 "optional": {"met": x.optional_met, "total": x.optional_total, "ok": x.optional_ok},
                 "not_concerned": list(x.not_concerned), "unanswered": list(x.unanswered)}
            for lv, x in r.levels.items()
        },
        "reasons": list(r.reasons),
    }


def label_text(grid: Grid, r: LabelResult) -> str:
    """Human-readable view of a label result, provenance first."""
    lines = [f"Grille {grid.label}"]
    if not grid.provenance.is_official:
        lines.append(f"ATTENTION : grille {grid.provenance.label_fr()}.")
    lines += list(r.reasons)
    return "\n".join(lines)
