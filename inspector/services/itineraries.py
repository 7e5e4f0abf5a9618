"""The agency's cycle itineraries files, kept in `<data-dir>/itineraries/`: load (copy), list, remove, query.

Each loaded file is checked whole first (nothing half-loaded), then copied under its SHA-256 (`<sha256>.geojson` or
`.gpx`, written atomically) so that loading the same file twice changes nothing; `index.json` (also written
atomically) remembers the original name and counts. A file without an index entry (crash between the two writes)
is still used and listed. The parsed network is cached per folder and rebuilt when the folder's files change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..db.database import Database
from ..geo.itineraries import (
    ItineraryError,
    ItineraryFile,
    ItineraryNetwork,
    Nearest,
    Route,
    detect_format,
    parse_itineraries,
    read_itineraries_file,
)
from ..storage import write_atomic
from .common import ServiceError

FOLDER = "itineraries"
INDEX = "index.json"
SUFFIXES = {"geojson": ".geojson", "gpx": ".gpx"}


@dataclass(frozen=True)
class ItinerarySet:
    """One loaded itineraries file, as plain data."""

    key: str  # SHA-256 of the content
    stored_name: str
    original_name: str
    format: str
    routes: int
    points: int
    length_km: float
    loaded_at: str  # ISO timestamp (UTC)
    route_names: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def short_key(self) -> str:
        return self.key[:12]


def itineraries_dir(folder: Path) -> Path:
    """Where the itineraries files of a data folder are kept."""
    return Path(folder) / FOLDER


def folder_of(db: Database) -> Path:
    """The data folder of an open database (its file's folder)."""
    return db.path.parent


def _stored_files(folder: Path) -> list[Path]:
    root = itineraries_dir(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix in SUFFIXES.values()
                  and not p.name.startswith("."))


def _read_index(folder: Path) -> dict[str, Any]:
    path = itineraries_dir(folder) / INDEX
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _write_index(folder: Path, index: dict[str, Any]) -> None:
    write_atomic(itineraries_dir(folder) / INDEX, json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True))


def _info(key: str, stored: str, original: str, parsed: ItineraryFile, loaded_at: str) -> ItinerarySet:
    return ItinerarySet(key=key, stored_name=stored, original_name=original, format=parsed.format,
                        routes=len(parsed.routes), points=parsed.point_count, length_km=round(parsed.length_km(), 1),
                        loaded_at=loaded_at, route_names=tuple(r.name for r in parsed.routes),
                        warnings=parsed.warnings)


def check_file(path: str | Path) -> tuple[bytes, ItineraryFile]:
    """Read and check a file without keeping it; ServiceError names the file and the problem's position."""
    path = Path(path)
    try:
        data = read_itineraries_file(path)
        return data, parse_itineraries(data, path.name)
    except ItineraryError as exc:
        raise ServiceError(str(exc)) from None


def load_file(folder: Path, path: str | Path, *, now: dt.datetime | None = None) -> tuple[ItinerarySet, bool]:
    """Check a GeoJSON or GPX file and keep a copy in the data folder; returns its description and whether it was
    new (False: the same content was already loaded)."""
    data, parsed = check_file(path)
    key = hashlib.sha256(data).hexdigest()
    stored = key + SUFFIXES[parsed.format]
    dest = itineraries_dir(folder) / stored
    index = _read_index(folder)
    new = not (dest.exists() and dest.stat().st_size == len(data))
    if new:
        write_atomic(dest, data)
    entry = index.get(key)
    if new or not isinstance(entry, dict):
        loaded_at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
        info = _info(key, stored, Path(path).name, parsed, loaded_at)
        index[key] = {k: v for k, v in asdict(info).items() if k not in ("key", "warnings")}
        _write_index(folder, index)
    else:
        info = _from_entry(key, stored, entry)
    return info, new


def _from_entry(key: str, stored: str, entry: dict[str, Any]) -> ItinerarySet:
    return ItinerarySet(key=key, stored_name=stored, original_name=str(entry.get("original_name") or stored),
                        format=str(entry.get("format") or ""), routes=int(entry.get("routes") or 0),
                        points=int(entry.get("points") or 0), length_km=float(entry.get("length_km") or 0),
                        loaded_at=str(entry.get("loaded_at") or ""),
                        route_names=tuple(entry.get("route_names") or ()))


def list_files(folder: Path) -> list[ItinerarySet]:
    """The loaded files, oldest first (a file missing from the index is parsed to describe it)."""
    index = _read_index(folder)
    out: list[ItinerarySet] = []
    for path in _stored_files(folder):
        key = path.stem
        entry = index.get(key)
        if isinstance(entry, dict):
            out.append(_from_entry(key, path.name, entry))
            continue
        try:
            parsed = parse_itineraries(path.read_bytes(), path.name, detect_format(b"", path.name))
        except (OSError, ItineraryError):
            continue
        out.append(_info(key, path.name, path.name, parsed, ""))
    return sorted(out, key=lambda i: (i.loaded_at, i.original_name))


def remove_file(folder: Path, key_or_name: str) -> ItinerarySet:
    """Remove a loaded file, named by its key (at least 6 first characters) or its original name."""
    wanted = key_or_name.strip()
    files = list_files(folder)
    matches = [f for f in files if f.original_name == wanted] or \
              ([f for f in files if f.key.startswith(wanted.lower())] if len(wanted) >= 6 else [])
    if not matches:
        known = ", ".join(f"{f.original_name} ({f.short_key})" for f in files) or "aucun"
        raise ServiceError(f"Fichier d'itinéraires « {wanted} » introuvable (fichiers chargés : {known}).")
    if len(matches) > 1:
        raise ServiceError(f"« {wanted} » désigne plusieurs fichiers : "
                           + ", ".join(f"{f.original_name} ({f.short_key})" for f in matches)
                           + " ; indiquez l'empreinte.")
    target = matches[0]
    (itineraries_dir(folder) / target.stored_name).unlink(missing_ok=True)
    index = _read_index(folder)
    if index.pop(target.key, None) is not None:
        _write_index(folder, index)
    return target


_CACHE: dict[Path, tuple[tuple[Any, ...], ItineraryNetwork, tuple[str, ...]]] = {}
_LOCK = threading.Lock()


def network(folder: Path) -> tuple[ItineraryNetwork, tuple[str, ...]]:
    """Every loaded route as one indexed network, and the names of the files it comes from (cached)."""
    files: list[Path] = []
    stats = []
    for path in _stored_files(folder):
        try:
            st = path.stat()
        except OSError:  # removed meanwhile
            continue
        files.append(path)
        stats.append((path.name, st.st_size, st.st_mtime_ns))
    signature = tuple(stats)
    root = itineraries_dir(folder).resolve()
    with _LOCK:
        cached = _CACHE.get(root)
        if cached is not None and cached[0] == signature:
            return cached[1], cached[2]
        index = _read_index(folder)
        routes: list[Route] = []
        names: list[str] = []
        for path in files:
            entry = index.get(path.stem)
            original = str(entry.get("original_name")) if isinstance(entry, dict) else path.name
            try:
                parsed = parse_itineraries(path.read_bytes(), original, detect_format(b"", path.name))
            except (OSError, ItineraryError) as exc:
                raise ServiceError(f"Fichier d'itinéraires conservé illisible ({path}) : {exc}") from None
            routes += parsed.routes
            names.append(original)
        net = ItineraryNetwork(routes)
        _CACHE[root] = (signature, net, tuple(names))
        return net, tuple(names)


def nearest(folder: Path, latitude: float, longitude: float) -> tuple[Nearest | None, tuple[str, ...]]:
    """The nearest loaded itinerary to a point (None when no file is loaded) and the files searched."""
    net, names = network(folder)
    try:
        return net.nearest(latitude, longitude), names
    except ItineraryError as exc:
        raise ServiceError(str(exc)) from None
