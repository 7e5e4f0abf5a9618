"""Surfaces and beds calculator for a meublé: verdicts of the PRQ row and criteria 1, 2 and 28 per category."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from ..grids.model import Grid
from .answers import ScoringInputError

ROOM_KINDS = ("piece", "sejour", "chambre", "cuisine", "salle_d_eau", "wc", "autre")
SANITARY_KINDS = frozenset({"salle_d_eau", "wc"})
BED_KINDS = ("single", "double", "bunk", "twin", "trundle", "sofa_bed", "foldaway")
BONUS_BAND = Decimal("0.20")


@dataclass(frozen=True)
class Room:
    """One measured room: floor area, the part under a 1.80 m ceiling (excluded), sleepers."""

    name: str
    kind: str
    surface_m2: Decimal
    low_ceiling_m2: Decimal = Decimal(0)
    sleepers: int = 0
    has_opening: bool = True

    @property
    def counted_m2(self) -> Decimal:
        return max(Decimal(0), self.surface_m2 - self.low_ceiling_m2)


@dataclass(frozen=True)
class Bed:
    """One bed: kind and mattress size in centimetres."""

    kind: str
    width_cm: int
    length_cm: int
    room: str = ""


@dataclass(frozen=True)
class Measurements:
    """Everything measured on site that feeds PRQ, criteria 1, 2 and 28."""

    rooms: tuple[Room, ...] = ()
    beds: tuple[Bed, ...] = ()

    @property
    def habitable_m2(self) -> Decimal:
        """Counted surface: every room but sanitary ones, ceiling under 1.80 m excluded."""
        return sum((r.counted_m2 for r in self.rooms if r.kind not in SANITARY_KINDS), Decimal(0))

    @property
    def separate_kitchen(self) -> bool:
        return any(r.kind == "cuisine" for r in self.rooms)


@dataclass(frozen=True)
class SurfaceVerdict:
    """Criterion 1 and 2 for one category, with the arithmetic shown."""

    level: str
    measured_m2: Decimal
    required_m2: Decimal
    threshold_m2: Decimal  # after tolerance
    criterion1_met: bool
    criterion2_points: int
    notes: tuple[str, ...] = field(default=())


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ScoringInputError([f"{where} : nombre attendu (reçu {value!r})"])
    try:
        d = Decimal(str(value))
    except ArithmeticError:
        raise ScoringInputError([f"{where} : nombre attendu (reçu {value!r})"]) from None
    if not d.is_finite() or d < 0:
        raise ScoringInputError([f"{where} : valeur positive attendue (reçu {value!r})"])
    return d


def parse_measurements(raw: Mapping[str, Any]) -> Measurements:
    """Read {"rooms": [...], "beds": [...]} from JSON, naming the faulty room or bed."""
    problems: list[str] = []
    rooms: list[Room] = []
    for i, r in enumerate(raw.get("rooms", []) or []):
        where = f"surfaces, pièce n° {i + 1}"
        try:
            if not isinstance(r, dict):
                raise ScoringInputError([f"{where} : objet attendu"])
            kind = r.get("kind", "piece")
            if kind not in ROOM_KINDS:
                raise ScoringInputError([f"{where} : type « {kind} » inconnu ({', '.join(ROOM_KINDS)})"])
            sleepers = r.get("sleepers", 0)
            if isinstance(sleepers, bool) or not isinstance(sleepers, int) or sleepers < 0:
                raise ScoringInputError([f"{where} : « sleepers » doit être un entier positif"])
            rooms.append(Room(
                name=str(r.get("name") or f"Pièce {i + 1}"), kind=kind,
                surface_m2=_dec(r.get("surface"), f"{where}, surface"),
                low_ceiling_m2=_dec(r.get("low_ceiling", 0), f"{where}, surface sous 1,80 m"),
                sleepers=sleepers, has_opening=bool(r.get("has_opening", True))))
        except ScoringInputError as exc:
            problems += exc.problems
    beds: list[Bed] = []
    for i, b in enumerate(raw.get("beds", []) or []):
        where = f"lits, lit n° {i + 1}"
        if not isinstance(b, dict) or b.get("kind") not in BED_KINDS:
            problems.append(f"{where} : type de lit attendu parmi {', '.join(BED_KINDS)}")
            continue
        w, ln = b.get("width"), b.get("length")
        if not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in (w, ln)):
            problems.append(f"{where} : largeur et longueur en centimètres entiers attendues")
            continue
        beds.append(Bed(b["kind"], w, ln, str(b.get("room", ""))))
    if problems:
        raise ScoringInputError(problems)
    return Measurements(tuple(rooms), tuple(beds))


def _param(grid: Grid, code: str, level: str) -> Decimal | None:
    value = grid.parameter(code).values.get(level)
    return None if value is None else Decimal(str(value))


def surface_verdict(grid: Grid, m: Measurements, level: str, studio: bool,
                    settings: Mapping[str, Any]) -> SurfaceVerdict:
    """Required surface for the category and the verdicts of criteria 1 and 2 (exact decimals)."""
    notes: list[str] = []
    base = _param(grid, "surface_base", level) or Decimal(0)
    average = _param(grid, "surface_extra_bedroom_average", level)
    minimum = _param(grid, "surface_extra_bedroom_minimum", level)
    per_person = _param(grid, "surface_extra_person", level) or Decimal(0)
    max_sleepers = int(_param(grid, "max_sleepers_per_room", level) or 99)
    met = True
    extra = Decimal(0)
    if not studio:
        bedrooms = [r for r in m.rooms if r.kind == "chambre"]
        if average is not None:
            counted = [r for r in bedrooms if r.counted_m2 >= 7]
            for r in bedrooms:
                if r.counted_m2 < 7:
                    notes.append(f"{r.name} : {r.counted_m2} m² < 7 m², non comptée comme pièce d'habitation")
            extra += average * len(counted)
        elif minimum is not None:
            for r in bedrooms:
                extra += minimum
                if r.counted_m2 < minimum:
                    met = False
                    notes.append(f"{r.name} : {r.counted_m2} m² < {minimum} m² exigés par chambre supplémentaire")
    for r in m.rooms:
        if r.kind in SANITARY_KINDS or r.kind == "cuisine":
            continue
        if r.sleepers > max_sleepers:
            met = False
            notes.append(f"{r.name} : {r.sleepers} couchages, maximum toléré {max_sleepers} par pièce d'habitation")
        extra += per_person * max(0, min(r.sleepers, max_sleepers) - 2)
        if not r.has_opening:
            notes.append(f"{r.name} : sans ouvrant sur l'extérieur, ce n'est pas une pièce d'habitation")
    required = base + extra
    tolerance = Decimal(str(settings["surface_tolerance"])) if level in settings[
        "surface_tolerance_levels"] else Decimal(0)
    if settings["surface_tolerance_applies_to"] == "base":
        threshold = base * (1 - tolerance) + extra
    else:
        threshold = required * (1 - tolerance)
    measured = m.habitable_m2
    met = met and measured >= threshold
    points = 0
    if required > 0 and measured > required:
        bands = ((measured / required - 1) / BONUS_BAND).to_integral_value(rounding=ROUND_FLOOR)
        points = int(min(Decimal(5), bands))
    return SurfaceVerdict(level, measured, required, threshold, met, points, tuple(notes))


def prerequisite_met(m: Measurements, studio: bool, capacity: int) -> bool | None:
    """PRQ row: a one-room logement for 1–2 persons needs 9 m² (separate kitchen) or 12 m² (coin cuisine)."""
    if not studio or capacity > 2:
        return None
    needed = Decimal(9) if m.separate_kitchen else Decimal(12)
    return m.habitable_m2 >= needed


def beds_met(grid: Grid, m: Measurements, level: str, studio: bool) -> tuple[bool, tuple[str, ...]] | None:
    """Criterion 28 for one category, with the official tolerances; None when no bed was measured."""
    if not m.beds:
        return None
    sw, sl = _param(grid, "bed_single_width", level), _param(grid, "bed_single_length", level)
    dw, dl = _param(grid, "bed_double_width", level), _param(grid, "bed_double_length", level)
    notes: list[str] = []
    for i, b in enumerate(m.beds, 1):
        label = f"lit n° {i}" + (f" ({b.room})" if b.room else "")
        if b.kind in ("bunk", "twin", "trundle"):
            need = (Decimal(80), Decimal(190))
        elif b.kind == "sofa_bed":
            if not (studio and level in ("1", "2")):
                notes.append(f"{label} : canapé-lit toléré uniquement pour les studios de catégorie 1* et 2*")
                continue
            need = (Decimal(130), Decimal(190))
        elif b.kind == "foldaway" and not studio:
            notes.append(f"{label} : lit escamotable toléré uniquement pour les studios")
            continue
        elif b.kind == "double" or (b.kind == "foldaway" and b.width_cm >= (dw or 0)):
            need = (dw or Decimal(0), dl or Decimal(0))
        else:
            need = (sw or Decimal(0), sl or Decimal(0))
        if b.width_cm < need[0] or b.length_cm < need[1]:
            notes.append(f"{label} : {b.width_cm}×{b.length_cm} cm < {need[0]}×{need[1]} cm exigés")
    return (not notes, tuple(notes))
