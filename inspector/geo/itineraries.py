"""Cycle itineraries (véloroutes, voies vertes) read from GeoJSON or GPX, and the distance from a point to the nearest.

Reading is all or nothing: a malformed file raises ItineraryError with a French message naming the file and the
position (feature number and point for GeoJSON, line and column for GPX and JSON syntax); nothing is half-loaded.
Only the standard library is used (json, xml.parsers.expat). GPX files with a DOCTYPE or entity declarations are
refused before anything is expanded (no "billion laughs", no external entities).

Distances (WGS 84 ellipsoid):
- the nearest segment is searched in a local plane centred on the query point, scaled by the ellipsoid's radii of
  curvature at that latitude (meridional M, prime vertical N): x = Δλ·N·cos φ, y = Δφ·M. The point-to-segment
  projection is exact in that plane;
- the reported distance is then measured between the query point and that nearest point with the ellipsoidal
  mid-latitude formula (radii taken at the mean latitude).
Against a geodesic (Vincenty) the relative error is below 0.1 % up to 50 km and below 0.5 % up to 200 km in
mainland France (tested at 5 km: < 0.05 %). Itineraries crossing the ±180° meridian are not supported.

Speed: polylines are cut into chunks of CHUNK points with a bounding box each, and every polyline has its own box.
A query visits polylines by increasing lower bound (distance to the box) and stops as soon as a box is farther
than the best distance found: a 200,000-point network answers in a few milliseconds.
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

MAX_FILE_BYTES = 200 * 1024 * 1024
CHUNK = 32

# WGS 84
_A_KM = 6378.137
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_RAD = math.pi / 180

# Property names that hold a route's name (compared without case), in order of preference.
NAME_PROPERTIES = ("name", "nom", "nom_itineraire", "nom_itin", "nom_iti", "itineraire", "libelle", "title", "titre",
                   "nom_voie", "ref", "numero")
_WGS84_CRS = frozenset({"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:epsg::4326", "epsg:4326", "crs84",
                        "urn:ogc:def:crs:ogc::crs84"})
_LINE_TYPES = ("LineString", "MultiLineString")
_IGNORED_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


class ItineraryError(ValueError):
    """An itineraries file that cannot be used; the message names the file and the position of the problem."""


# --- geometry -------------------------------------------------------------------------------------------------------


def radii_km(lat: float) -> tuple[float, float]:
    """Meridional (M) and prime-vertical (N) radii of curvature of the WGS 84 ellipsoid at a latitude, in km."""
    s2 = math.sin(lat * _RAD) ** 2
    w = math.sqrt(1 - _E2 * s2)
    return _A_KM * (1 - _E2) / (w * w * w), _A_KM / w


def km_per_degree(lat: float) -> tuple[float, float]:
    """Kilometres per degree of latitude and of longitude at a latitude (local plane scales)."""
    m, n = radii_km(lat)
    return m * _RAD, n * math.cos(lat * _RAD) * _RAD


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Ellipsoidal mid-latitude distance between two WGS 84 points (km); < 0.1 % error below 50 km."""
    ky, kx = km_per_degree((lat1 + lat2) / 2)
    return math.hypot((lat2 - lat1) * ky, (lon2 - lon1) * kx)


# --- the data -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One named itinerary: one or more polylines of (latitude, longitude) points."""

    name: str
    parts: tuple[tuple[tuple[float, float], ...], ...]
    source: str = ""

    @property
    def point_count(self) -> int:
        return sum(len(p) for p in self.parts)

    def length_km(self) -> float:
        total = 0.0
        for part in self.parts:
            for (la1, lo1), (la2, lo2) in zip(part, part[1:], strict=False):
                total += distance_km(la1, lo1, la2, lo2)
        return total


@dataclass(frozen=True)
class ItineraryFile:
    """A whole, checked itineraries file."""

    source: str
    format: str  # "geojson" | "gpx"
    routes: tuple[Route, ...]
    warnings: tuple[str, ...] = ()

    @property
    def point_count(self) -> int:
        return sum(r.point_count for r in self.routes)

    def length_km(self) -> float:
        return sum(r.length_km() for r in self.routes)


@dataclass(frozen=True)
class Nearest:
    """The nearest itinerary to a point: its name, the distance and the nearest point on it."""

    name: str
    distance_km: float
    latitude: float
    longitude: float
    source: str = ""


@dataclass
class _Builder:
    """Routes grouped by name in order of first appearance (a véloroute often comes in several sections)."""

    source: str
    routes: dict[str, list[tuple[tuple[float, float], ...]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, name: str, part: list[tuple[float, float]]) -> None:
        if part:
            self.routes.setdefault(name, []).append(tuple(part))

    def result(self, fmt: str) -> ItineraryFile:
        if not self.routes:
            raise ItineraryError(f"{self.source} : aucun itinéraire trouvé (attendu : des lignes — GeoJSON "
                                 "LineString ou MultiLineString, GPX trk/trkseg/trkpt ou rte/rtept).")
        routes = tuple(Route(name, tuple(parts), self.source) for name, parts in self.routes.items())
        return ItineraryFile(self.source, fmt, routes, tuple(self.warnings))


def _check_point(lat: float, lon: float, where: str) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        hint = (" — coordonnées projetées (Lambert 93 ?) : exportez le fichier en WGS 84 (EPSG:4326, degrés)"
                if abs(lat) > 1000 or abs(lon) > 1000 else "")
        raise ItineraryError(f"{where} : latitude {lat:g} / longitude {lon:g} hors limites (latitude −90 à 90, "
                             f"longitude −180 à 180){hint}.")


# --- GeoJSON --------------------------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"valeur {name} non admise")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _feature_name(props: Any) -> str:
    if not isinstance(props, dict):
        return ""
    lowered = {str(k).casefold(): v for k, v in props.items()}
    for key in NAME_PROPERTIES:
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return ""


def _positions(coords: Any, where: str) -> list[tuple[float, float]]:
    if not isinstance(coords, list):
        raise ItineraryError(f"{where} : « coordinates » doit être une liste de positions [longitude, latitude].")
    points: list[tuple[float, float]] = []
    for j, pos in enumerate(coords, 1):
        at = f"{where}, point n° {j}"
        if not isinstance(pos, list) or len(pos) < 2:
            raise ItineraryError(f"{at} : position invalide {json.dumps(pos, ensure_ascii=False)[:60]} (attendu "
                                 "[longitude, latitude]).")
        lon, lat = _number(pos[0]), _number(pos[1])
        if lon is None or lat is None:
            raise ItineraryError(f"{at} : longitude et latitude doivent être des nombres "
                                 f"({json.dumps(pos[:2], ensure_ascii=False)[:60]}).")
        _check_point(lat, lon, at)
        points.append((lat, lon))
    return points


def _geometry_lines(geom: Any, where: str, warnings: list[str]) -> Iterator[list[tuple[float, float]]]:
    """The polylines of a GeoJSON geometry (points and polygons are skipped with a warning)."""
    if not isinstance(geom, dict):
        raise ItineraryError(f"{where} : la géométrie doit être un objet JSON.")
    kind = geom.get("type")
    if kind == "LineString":
        yield _positions(geom.get("coordinates"), where)
    elif kind == "MultiLineString":
        lines = geom.get("coordinates")
        if not isinstance(lines, list):
            raise ItineraryError(f"{where} : « coordinates » d'une MultiLineString doit être une liste de lignes.")
        for k, line in enumerate(lines, 1):
            yield _positions(line, f"{where}, ligne n° {k}")
    elif kind == "GeometryCollection":
        members = geom.get("geometries")
        if not isinstance(members, list):
            raise ItineraryError(f"{where} : « geometries » doit être une liste.")
        for k, member in enumerate(members, 1):
            yield from _geometry_lines(member, f"{where}, géométrie n° {k}", warnings)
    elif kind in _IGNORED_TYPES:
        warnings.append(f"{where} : géométrie {kind} ignorée (seules les lignes sont des itinéraires).")
    else:
        raise ItineraryError(f"{where} : type de géométrie {json.dumps(kind, ensure_ascii=False)[:40]} inconnu "
                             f"(attendu : {', '.join(_LINE_TYPES)}).")


def _check_crs(doc: dict[str, Any], source: str) -> None:
    crs = doc.get("crs")
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) and isinstance(crs.get("properties"),
                                                                                         dict) else None
    if not isinstance(name, str) or name.strip().casefold() not in _WGS84_CRS:
        raise ItineraryError(f"{source} : système de coordonnées {json.dumps(name, ensure_ascii=False)[:60]} non "
                             "pris en charge : exportez le fichier en WGS 84 (EPSG:4326, longitude et latitude en "
                             "degrés).")


def parse_geojson(data: bytes, source: str) -> ItineraryFile:
    """Routes of a GeoJSON FeatureCollection, Feature or line geometry (RFC 7946: [longitude, latitude])."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ItineraryError(f"{source} : le fichier n'est pas en UTF-8 (octet n° {exc.start + 1}).") from None
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ItineraryError(f"{source}, ligne {exc.lineno}, colonne {exc.colno} : JSON invalide ({exc.msg}).") \
            from None
    except ValueError as exc:
        raise ItineraryError(f"{source} : JSON invalide ({exc}).") from None
    except RecursionError:
        raise ItineraryError(f"{source} : JSON trop profondément imbriqué.") from None
    if not isinstance(doc, dict):
        raise ItineraryError(f"{source} : un fichier GeoJSON est un objet JSON (FeatureCollection, Feature ou "
                             "géométrie).")
    _check_crs(doc, source)
    out = _Builder(source)
    stem = Path(source).stem or source
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise ItineraryError(f"{source} : « features » doit être une liste.")
        items: Iterable[tuple[int, Any]] = enumerate(features, 1)
    elif kind == "Feature":
        items = [(1, doc)]
    elif kind in (*_LINE_TYPES, "GeometryCollection"):
        items = [(1, {"type": "Feature", "properties": {}, "geometry": doc})]
    else:
        raise ItineraryError(f"{source} : type GeoJSON {json.dumps(kind, ensure_ascii=False)[:40]} non reconnu "
                             "(attendu : FeatureCollection, Feature, LineString ou MultiLineString).")
    for i, feature in items:
        where = f"{source}, entité n° {i}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ItineraryError(f"{where} : objet « Feature » attendu.")
        name = _feature_name(feature.get("properties"))
        if name:
            where += f" (« {name} »)"
        geom = feature.get("geometry")
        if geom is None:
            out.warnings.append(f"{where} : sans géométrie, ignorée.")
            continue
        for line in _geometry_lines(geom, where, out.warnings):
            out.add(name or f"{stem} — entité n° {i}", line)
    return out.result("geojson")


# --- GPX ------------------------------------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def parse_gpx(data: bytes, source: str) -> ItineraryFile:
    """Routes of a GPX 1.0/1.1 file: each track (trk/trkseg/trkpt) and each route (rte/rtept), named by <name>."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    out = _Builder(source)
    stem = Path(source).stem or source
    stack: list[str] = []
    state: dict[str, Any] = {"route": None, "part": None, "name": [], "count": 0}

    def refuse(what: str) -> Any:
        def handler(*_args: Any) -> None:
            raise _Refused(f"{source}, ligne {parser.CurrentLineNumber} : {what} refusée (fichier GPX non sûr : "
                           "ni DOCTYPE ni entités).")
        return handler

    parser.StartDoctypeDeclHandler = refuse("déclaration DOCTYPE")
    parser.EntityDeclHandler = refuse("déclaration d'entité")
    parser.ExternalEntityRefHandler = refuse("référence à une entité externe")

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        parent = stack[-1] if stack else None
        if not stack and name != "gpx":
            raise _Refused(f"{source}, ligne {parser.CurrentLineNumber} : élément racine « {name} » : ce n'est pas "
                           "un fichier GPX.")
        stack.append(name)
        if name in ("trk", "rte") and parent == "gpx":
            state["count"] += 1
            what = "trace" if name == "trk" else "route"
            state["route"] = {"kind": name, "name": "", "parts": [], "fallback": f"{stem} — {what} n° "
                                                                               f"{state['count']}"}
            if name == "rte":
                state["part"] = []
                state["route"]["parts"].append(state["part"])
        elif name == "trkseg" and parent == "trk" and state["route"] is not None:
            state["part"] = []
            state["route"]["parts"].append(state["part"])
        elif ((name == "trkpt" and parent == "trkseg") or (name == "rtept" and parent == "rte")) \
                and state["part"] is not None:
            where = f"{source}, ligne {parser.CurrentLineNumber} ({name})"
            lat = _attr_number(attrs, "lat", where)
            lon = _attr_number(attrs, "lon", where)
            _check_point(lat, lon, where)
            state["part"].append((lat, lon))
        elif name == "name" and parent in ("trk", "rte"):
            state["name"] = []

    def end(tag: str) -> None:
        name = _local(tag)
        stack.pop()
        parent = stack[-1] if stack else None
        route = state["route"]
        if name == "name" and parent in ("trk", "rte") and route is not None:
            route["name"] = " ".join("".join(state["name"]).split())
            state["name"] = []
        elif name in ("trk", "rte") and parent == "gpx" and route is not None:
            for part in route["parts"]:
                out.add(route["name"] or route["fallback"], part)
            if not any(route["parts"]):
                out.warnings.append(f"{source} : {route['name'] or route['fallback']} sans point, ignorée.")
            state["route"], state["part"] = None, None
        elif name == "trkseg":
            state["part"] = None

    def chars(text: str) -> None:
        if len(stack) >= 2 and stack[-1] == "name" and stack[-2] in ("trk", "rte"):
            state["name"].append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise ItineraryError(str(exc)) from None
    except ItineraryError:
        raise
    except expat.ExpatError as exc:
        english = expat.ErrorString(exc.code) if getattr(exc, "code", None) else str(exc)
        message = _EXPAT_FR.get(english, english)
        raise ItineraryError(f"{source}, ligne {exc.lineno}, colonne {exc.offset + 1} : XML invalide ({message}).") \
            from None
    return out.result("gpx")


_EXPAT_FR = {
    "no element found": "fin de fichier inattendue, élément non fermé",
    "mismatched tag": "balise fermante qui ne correspond pas à la balise ouverte",
    "not well-formed (invalid token)": "caractère ou balise invalide",
    "undefined entity": "entité non définie",
    "unclosed token": "balise non fermée",
    "syntax error": "erreur de syntaxe",
    "junk after document element": "contenu après l'élément racine",
    "duplicate attribute": "attribut en double",
    "unbound prefix": "préfixe d'espace de noms non déclaré",
}


def _attr_number(attrs: dict[str, str], key: str, where: str) -> float:
    raw = attrs.get(key)
    if raw is None:
        raise ItineraryError(f"{where} : attribut « {key} » manquant.")
    try:
        value = float(raw.strip())
    except ValueError:
        raise ItineraryError(f"{where} : « {key} » = « {raw[:40]} » n'est pas un nombre.") from None
    if not math.isfinite(value):
        raise ItineraryError(f"{where} : « {key} » = « {raw[:40]} » n'est pas un nombre.")
    return value


# --- files ----------------------------------------------------------------------------------------------------------


def detect_format(data: bytes, name: str) -> str:
    """ "geojson" or "gpx", from the file name's extension, else from the first character of the content."""
    suffix = Path(name).suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix == ".gpx":
        return "gpx"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "geojson"
    if head.startswith(b"<"):
        return "gpx"
    raise ItineraryError(f"{name} : format non reconnu (attendu : GeoJSON .geojson/.json ou GPX .gpx).")


def parse_itineraries(data: bytes, name: str, fmt: str | None = None) -> ItineraryFile:
    """Parse the bytes of an itineraries file (format from `fmt`, the name's extension or the content)."""
    if len(data) > MAX_FILE_BYTES:
        raise ItineraryError(f"{name} : fichier trop volumineux ({len(data) // (1024 * 1024)} Mo, "
                             f"{MAX_FILE_BYTES // (1024 * 1024)} Mo au plus).")
    fmt = fmt or detect_format(data, name)
    return parse_geojson(data, name) if fmt == "geojson" else parse_gpx(data, name)


def read_itineraries_file(path: str | Path) -> bytes:
    """The bytes of an itineraries file, its size checked before reading; ItineraryError names the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ItineraryError(f"{path.name} : fichier trop volumineux ({size // (1024 * 1024)} Mo, "
                                 f"{MAX_FILE_BYTES // (1024 * 1024)} Mo au plus).")
        return path.read_bytes()
    except FileNotFoundError:
        raise ItineraryError(f"{path} : fichier introuvable.") from None
    except IsADirectoryError:
        raise ItineraryError(f"{path} : c'est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise ItineraryError(f"{path} : lecture impossible ({exc.strerror or exc}).") from None


def load_itineraries(path: str | Path) -> ItineraryFile:
    """Read and check an itineraries file (GeoJSON or GPX); ItineraryError names the file and the position."""
    return parse_itineraries(read_itineraries_file(path), Path(path).name)


# --- nearest --------------------------------------------------------------------------------------------------------


class ItineraryNetwork:
    """Every polyline of a set of routes, indexed for nearest-distance queries (bounding boxes per line and chunk)."""

    def __init__(self, routes: Iterable[Route]):
        self.routes = tuple(routes)
        # Per chunk: bounding box, route index, latitudes, longitudes (consecutive chunks share their end point).
        self._boxes: list[tuple[float, float, float, float]] = []
        self._chunk_route: list[int] = []
        self._chunk_lats: list[array] = []
        self._chunk_lons: list[array] = []
        # Per polyline: bounding box and its range of chunks.
        self._lines: list[tuple[float, float, float, float, int, int]] = []
        for r, route in enumerate(self.routes):
            for part in route.parts:
                first = len(self._boxes)
                step = CHUNK - 1
                for start in range(0, max(len(part) - 1, 1), step):
                    pts = part[start:start + CHUNK]
                    lats = array("d", (p[0] for p in pts))
                    lons = array("d", (p[1] for p in pts))
                    self._boxes.append((min(lats), max(lats), min(lons), max(lons)))
                    self._chunk_route.append(r)
                    self._chunk_lats.append(lats)
                    self._chunk_lons.append(lons)
                boxes = self._boxes[first:]
                self._lines.append((min(b[0] for b in boxes), max(b[1] for b in boxes), min(b[2] for b in boxes),
                                    max(b[3] for b in boxes), first, len(self._boxes)))

    def __len__(self) -> int:
        return len(self.routes)

    @property
    def point_count(self) -> int:
        return sum(r.point_count for r in self.routes)

    def nearest(self, lat: float, lon: float) -> Nearest | None:
        """The nearest route to a WGS 84 point, or None for an empty network."""
        _check_point(lat, lon, "point demandé")
        if not self._lines:
            return None
        ky, kx = km_per_degree(lat)

        def bound(box: tuple[float, ...]) -> float:
            dy = box[0] - lat if lat < box[0] else lat - box[1] if lat > box[1] else 0.0
            dx = box[2] - lon if lon < box[2] else lon - box[3] if lon > box[3] else 0.0
            return (dy * ky) ** 2 + (dx * kx) ** 2

        best = math.inf
        found: tuple[int, float, float] | None = None
        boxes, lats_of, lons_of = self._boxes, self._chunk_lats, self._chunk_lons
        for line_bound, first, stop in sorted((bound(line), line[4], line[5]) for line in self._lines):
            if line_bound >= best:
                break
            for chunk_bound, c in sorted((bound(boxes[c]), c) for c in range(first, stop)):
                if chunk_bound >= best:
                    break
                lats, lons = lats_of[c], lons_of[c]
                px, py = (lons[0] - lon) * kx, (lats[0] - lat) * ky
                d2 = px * px + py * py
                if d2 < best:
                    best, found = d2, (c, px, py)
                for j in range(1, len(lats)):
                    qx, qy = (lons[j] - lon) * kx, (lats[j] - lat) * ky
                    dx, dy = qx - px, qy - py
                    length2 = dx * dx + dy * dy
                    t = -(px * dx + py * dy) / length2 if length2 > 0 else 0.0
                    if t <= 0:
                        cx, cy = px, py
                    elif t >= 1:
                        cx, cy = qx, qy
                    else:
                        cx, cy = px + t * dx, py + t * dy
                    d2 = cx * cx + cy * cy
                    if d2 < best:
                        best, found = d2, (c, cx, cy)
                    px, py = qx, qy
        assert found is not None
        c, cx, cy = found
        plat, plon = lat + cy / ky, lon + cx / kx
        route = self.routes[self._chunk_route[c]]
        return Nearest(route.name, distance_km(lat, lon, plat, plon), plat, plon, route.source)
