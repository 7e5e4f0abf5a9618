"""The sync protocol shared by the laptop client and the server: synced tables, wire format, digests, checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, String, Table, Text

from ..db.models import Base

API_PREFIX = "/api/v1"
PROTOCOL_VERSION = 1

# Parents before children, so that a push in this order never names a row the server has not seen.
TABLES = ("organisations", "users", "commission_sessions", "owners", "establishments", "establishment_labels",
          "visits", "rooms", "beds", "photos", "documents", "decisions", "commission_items", "observations")
APPEND_ONLY = frozenset({"observations"})
ADMIN_TABLES = frozenset({"organisations", "users"})  # written by administrators only
# The labels commission's sittings and agendas (laptop migration 0004): read and written by the commission and
# administrators only. Not visit-scoped: an agenda item names a visit, but evaluators do not receive the agenda.
COMMISSION_TABLES = frozenset({"commission_sessions", "commission_items"})
FIELD_TABLES = frozenset({"owners", "establishments", "establishment_labels"})  # inspectors may create and edit
VISIT_SCOPED = frozenset({"visits", "rooms", "beds", "photos", "documents", "decisions", "observations"})
BOOKKEEPING = frozenset({"id", "row_version", "pending_sync"})  # never on the wire: each side keeps its own
SHOWN_FIELDS_SKIP = frozenset({"created_at", "modified_at"})  # not listed as conflicting fields
# Columns added after protocol 1 was published (laptop migrations 0003, 0004): rows stored or sent without them are
# still valid and read with these defaults, so a server holding older rows and an older laptop keep working.
LATER_COLUMNS: dict[str, dict[str, Any]] = {
    "establishments": {"latitude": None, "longitude": None, "intercommunality": ""},
    "visits": {"submitted_at": None, "opinion": "", "sworn_statement_on": None, "sworn_statement_ref": "",
               "prerequisites": {}},
    "decisions": {"details": {}},
    "observations": {"based_on": []},
}


@dataclass(frozen=True)
class BlobColumns:
    """Where a table names a content-addressed file: its data folder and the columns holding hash and path.

    `optional`: both columns may be "" (no file yet, e.g. a commission sitting not closed).
    """

    folder: str
    sha: str = "sha256"
    path: str = "stored_path"
    optional: bool = False

    def file_of(self, data: dict[str, Any]) -> tuple[str, str] | None:
        """(sha256, path relative to the data folder) named by a row, None when it names no file yet."""
        sha, stored = data.get(self.sha) or "", data.get(self.path) or ""
        return (sha, f"{self.folder}/{stored}") if sha and stored else None


# Every table naming a file (table -> where): uploads before a push, downloads after a pull, blob access on the server.
BLOB_FILES: dict[str, BlobColumns] = {
    "photos": BlobColumns("photos"),
    "documents": BlobColumns("documents"),
    # The procès-verbal of a closed sitting (laptop migration 0004), under the documents folder; not visit-scoped.
    "commission_sessions": BlobColumns("documents", "minutes_sha256", "minutes_path", optional=True),
}
# The visit-scoped ones (columns sha256/stored_path): table -> data folder; their files may be left on demand.
BLOB_TABLES = {name: spec.folder for name, spec in BLOB_FILES.items() if name in VISIT_SCOPED}

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
STORED_PATH_RE = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{64})\.(jpg|png|webp|tif|pdf)$")


def table(name: str) -> Table:
    """The laptop table `name` (one of TABLES)."""
    return Base.metadata.tables[name]


def wire_columns(name: str) -> list[Column[Any]]:
    """The columns of a table that travel in `data` (everything but the id and each side's bookkeeping)."""
    return [c for c in table(name).columns if c.name not in BOOKKEEPING]


def to_wire(name: str, row: Any) -> dict[str, Any]:
    """A laptop row (mapping) as JSON-ready data: dates and times as ISO text, the rest as is."""
    out: dict[str, Any] = {}
    for col in wire_columns(name):
        value = row[col.name]
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        out[col.name] = value
    return out


def from_wire(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Checked wire data back to Python values for the laptop table."""
    out: dict[str, Any] = {}
    later = LATER_COLUMNS.get(name, {})
    for col in wire_columns(name):
        value = data[col.name] if col.name in data or col.name not in later else later[col.name]
        if value is not None and isinstance(col.type, DateTime):
            value = dt.datetime.fromisoformat(value)
        elif value is not None and isinstance(col.type, Date):
            value = dt.date.fromisoformat(value)
        out[col.name] = value
    return out


def canonical(data: dict[str, Any]) -> str:
    """The one JSON text of some data (sorted keys, no spaces): what digests and the server store."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON: same digest, same content (the idempotence test of a re-sent row)."""
    return hashlib.sha256(canonical(data).encode("utf-8")).hexdigest()


def _check_value(col: Column[Any], value: Any) -> str | None:
    """Why a value does not fit a column (None when it fits)."""
    kind = col.type
    if value is None:
        return None if col.nullable else "valeur obligatoire"
    if isinstance(kind, Boolean):
        return None if isinstance(value, bool) else "booléen attendu"
    if isinstance(kind, Integer):
        ok = isinstance(value, int) and not isinstance(value, bool) and -(2**53) < value < 2**53
        return None if ok else "entier attendu"
    if isinstance(kind, Float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else "nombre attendu"
    if isinstance(kind, DateTime | Date):
        if not isinstance(value, str):
            return "date ISO attendue"
        try:
            parsed = (dt.datetime if isinstance(kind, DateTime) else dt.date).fromisoformat(value)
        except ValueError:
            return "date ISO attendue"
        if parsed.isoformat() != value or getattr(parsed, "tzinfo", None) is not None:
            return "date ISO canonique (UTC sans fuseau) attendue"
        return None
    if isinstance(kind, JSON):
        return None if isinstance(value, dict | list) else "objet ou liste JSON attendu"
    if isinstance(kind, String | Text):
        if not isinstance(value, str):
            return "texte attendu"
        if isinstance(kind, String) and kind.length and len(value) > kind.length and not isinstance(kind, Text):
            return f"texte trop long (maximum {kind.length} caractères)"
        return None
    return "type de colonne inconnu"  # pragma: no cover - every laptop column type is handled above


def validate(name: str, row_id: str, data: Any) -> list[str]:
    """Problems of a pushed row, in French (empty list when it is acceptable)."""
    if name not in TABLES:
        return [f"table « {name} » inconnue ou non synchronisée"]
    if not isinstance(row_id, str) or not UUID_RE.match(row_id):
        return ["identifiant invalide (UUID en minuscules attendu)"]
    if not isinstance(data, dict):
        return ["« data » doit être un objet JSON"]
    columns = {c.name: c for c in wire_columns(name)}
    problems = [f"champ « {k} » inconnu" for k in sorted(set(data) - set(columns))]
    problems += [f"champ « {k} » manquant" for k in sorted(set(columns) - set(data) - set(LATER_COLUMNS.get(name, {})))]
    for key, col in columns.items():
        if key in data:
            why = _check_value(col, data[key])
            if why:
                problems.append(f"champ « {key} » : {why}")
            elif col.foreign_keys and data[key] is not None and not UUID_RE.match(data[key]):
                problems.append(f"champ « {key} » : identifiant UUID attendu")
    if not problems and name in BLOB_FILES:
        problems += _file_problems(BLOB_FILES[name], data)
    return problems


def _file_problems(spec: BlobColumns, data: dict[str, Any]) -> list[str]:
    """Why the hash and path of a row's file do not fit (path `ab/<sha256>.<ext>`, nothing else reaches a disk)."""
    sha, stored = data[spec.sha], data[spec.path]
    if spec.optional and sha == "" and stored == "":
        return []  # no file yet
    if not SHA256_RE.match(sha):
        return [f"champ « {spec.sha} » : empreinte SHA-256 en hexadécimal attendue"]
    match = STORED_PATH_RE.match(stored)
    if match is None or match.group(2) != sha or match.group(1) != sha[:2]:
        return [f"champ « {spec.path} » : chemin de fichier non conforme à « {spec.sha} » (ab/<sha256>.<ext> "
                "attendu)"]
    return []


def conflicting_fields(server: dict[str, Any], client: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-by-field differences shown to people: both values side by side."""
    keys = sorted((set(server) | set(client)) - SHOWN_FIELDS_SKIP)
    return [{"field": k, "server": server.get(k), "client": client.get(k)} for k in keys
            if server.get(k) != client.get(k)]


def visit_of(name: str, row_id: str, data: dict[str, Any]) -> str | None:
    """The visit a row belongs to (a visit belongs to itself)."""
    if name == "visits":
        return row_id
    return data.get("visit_id") if name in VISIT_SCOPED else None
