"""Read a grid file: parse JSON, validate, hash, and build the immutable Grid."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .model import (
    ApplicabilityRule,
    Chapter,
    ContextKey,
    Criterion,
    Grid,
    Level,
    Parameter,
    Prerequisite,
    Provenance,
    Section,
)
from .validate import GridError, Problem, check_document

DEFAULT_STATUS_LABELS = {
    "X": "obligatoire",
    "O": "à la carte",
    "NA": "non applicable",
    "X ONC": "obligatoire non compensable",
    "PRQ": "prérequis",
    "CU": "confort d'usage",
    "R": "recommandé",
}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_grid(path: str | Path) -> Grid:
    """Load and validate one grid file; raise GridError listing every problem (never a raw traceback)."""
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise GridError([Problem(name, "fichier", "fichier introuvable")]) from None
    except OSError as exc:
        raise GridError([Problem(name, "fichier", f"lecture impossible ({exc.strerror or exc})")]) from None
    return parse_grid(data, name)


def parse_grid(data: bytes, name: str) -> Grid:
    """Validate the bytes of a grid file and build the Grid."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GridError([Problem(name, "fichier", f"encodage invalide (UTF-8 attendu, octet {exc.start})")]) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GridError([Problem(name, f"ligne {exc.lineno}, colonne {exc.colno}",
                                 f"JSON invalide : {exc.msg}")]) from None
    problems = check_document(doc, name)
    if problems:
        raise GridError(problems)
    return build_grid(doc, sha256_bytes(data), name)


def _rule(r: dict[str, Any]) -> ApplicabilityRule:
    return ApplicabilityRule(
        when=r["when"],
        effect=r["effect"],
        reason=r["reason"],
        levels=tuple(r.get("levels", ())),
        only_if_status=tuple(r.get("only_if_status", ())),
        source=r.get("source", "official"),
        setting=r.get("setting", ""),
    )


def _criterion(c: dict[str, Any]) -> Criterion:
    return Criterion(
        code=c["code"],
        text=c["text"],
        status=MappingProxyType(dict(c["status"])),
        points=c.get("points", 0),
        section=c.get("section"),
        rubric=c.get("rubric", ""),
        help=c.get("help", ""),
        status_column=c.get("status_column", ""),
        points_label=c.get("points_label", ""),
        graded=c.get("graded", False),
        measure=c.get("measure", ""),
        cumulates_with=c.get("cumulates_with"),
        applicability=tuple(_rule(r) for r in c.get("applicability", ())),
        na_reasons=tuple(c.get("na_reasons", ())),
        typologies=tuple(c.get("typologies", ())),
        nc_allowed=c.get("nc_allowed", False),
    )


def build_grid(doc: dict[str, Any], sha256: str, path: str) -> Grid:
    """Build the Grid from an already validated document."""
    prov = doc["provenance"]
    criteria = tuple(_criterion(c) for c in doc["criteria"])
    labels = dict(DEFAULT_STATUS_LABELS)
    labels.update(doc.get("status_labels", {}))
    return Grid(
        id=doc["id"],
        version=doc["version"],
        kind=doc["kind"],
        title=doc["title"],
        provenance=Provenance(
            status=prov["status"],
            source_document=prov["source_document"],
            legal_basis=prov["legal_basis"],
            applicable_from=prov.get("applicable_from"),
            publisher=prov.get("publisher", ""),
            notes=prov.get("notes", ""),
        ),
        levels=tuple(Level(lv["code"], lv["label"]) for lv in doc["levels"]),
        level_kind=doc["level_kind"],
        chapters=tuple(Chapter(c["code"], c["title"]) for c in doc["chapters"]),
        sections=tuple(Section(s["code"], s["chapter"], s["title"]) for s in doc["sections"]),
        criteria=criteria,
        context=tuple(
            ContextKey(
                key=k["key"], type=k["type"], label=k["label"], required=k.get("required", False),
                default=k.get("default"), choices=tuple(k.get("choices", ())), minimum=k.get("min"),
                maximum=k.get("max"), help=k.get("help", ""),
            )
            for k in doc["context"]
        ),
        parameters=tuple(
            Parameter(p["code"], p["text"], p["unit"], MappingProxyType(dict(p["values"])), p.get("help", ""))
            for p in doc["parameters"]
        ),
        prerequisites=tuple(
            Prerequisite(p["code"], p["text"], p["condition"], p.get("help", ""))
            for p in doc.get("prerequisites", ())
        ),
        typologies=MappingProxyType(dict(doc.get("typologies", {}))),
        settings=MappingProxyType(dict(doc["settings"])),
        validity_years=doc.get("validity_years"),
        status_labels=MappingProxyType(labels),
        sha256=sha256,
        path=path,
        _by_code=MappingProxyType({c.code: c for c in criteria}),
    )
