"""Cycle itineraries: GeoJSON and GPX reading, refused files (with their position), nearest distances checked against
hand-computed values and a geodesic reference, and the data-folder store."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from pathlib import Path
from typing import Any

import pytest

from inspector.geo.itineraries import (
    ItineraryError,
    ItineraryNetwork,
    Route,
    distance_km,
    load_itineraries,
    parse_geojson,
    parse_gpx,
    parse_itineraries,
)
from inspector.services import itineraries as store
from inspector.services.common import ServiceError

# One degree of latitude at 50.5° N on the WGS 84 ellipsoid (meridional radius of curvature M ≈ 6,373.3 km):
# 0.01° ≈ 1.1124 km (the spherical value, 6,371 km × π/18,000 = 1.1120 km, is within 0.04 %).
NORTH_001_KM = 1.1124


def vincenty_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance on WGS 84 (Vincenty's inverse formula), the reference for the precision tests."""
    a, f = 6378137.0, 1 / 298.257223563
    b = a * (1 - f)
    u1, u2 = math.atan((1 - f) * math.tan(math.radians(lat1))), math.atan((1 - f) * math.tan(math.radians(lat2)))
    lam = big_l = math.radians(lon2 - lon1)
    for _ in range(200):
        sin_l, cos_l = math.sin(lam), math.cos(lam)
        sin_s = math.hypot(math.cos(u2) * sin_l, math.cos(u1) * math.sin(u2) - math.sin(u1) * math.cos(u2) * cos_l)
        if sin_s == 0:
            return 0.0
        cos_s = math.sin(u1) * math.sin(u2) + math.cos(u1) * math.cos(u2) * cos_l
        sigma = math.atan2(sin_s, cos_s)
        sin_a = math.cos(u1) * math.cos(u2) * sin_l / sin_s
        cos2_a = 1 - sin_a ** 2
        cos_2sm = cos_s - 2 * math.sin(u1) * math.sin(u2) / cos2_a if cos2_a else 0.0
        c = f / 16 * cos2_a * (4 + f * (4 - 3 * cos2_a))
        prev, lam = lam, big_l + (1 - c) * f * sin_a * (
            sigma + c * sin_s * (cos_2sm + c * cos_s * (-1 + 2 * cos_2sm ** 2)))
        if abs(lam - prev) < 1e-12:
            break
    u2_ = cos2_a * (a * a - b * b) / (b * b)
    big_a = 1 + u2_ / 16384 * (4096 + u2_ * (-768 + u2_ * (320 - 175 * u2_)))
    big_b = u2_ / 1024 * (256 + u2_ * (-128 + u2_ * (74 - 47 * u2_)))
    d_sigma = big_b * sin_s * (cos_2sm + big_b / 4 * (cos_s * (-1 + 2 * cos_2sm ** 2) - big_b / 6 * cos_2sm * (
        -3 + 4 * sin_s ** 2) * (-3 + 4 * cos_2sm ** 2)))
    return b * big_a * (sigma - d_sigma) / 1000


def geojson(*features: dict[str, Any], **extra: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode("utf-8")


def line(coords: list[list[float]], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}


EAST_WEST = line([[1.0, 50.5], [2.0, 50.5]], name="Véloroute test")


# --- reading GeoJSON -------------------------------------------------------------------------------------------------


def test_geojson_feature_collection_names_and_multilines() -> None:
    doc = geojson(
        line([[1.6, 50.9], [1.7, 50.95]], NOM="La Vélomaritime (EV4)"),
        {"type": "Feature", "properties": {"nom": "Voie verte"},
         "geometry": {"type": "MultiLineString", "coordinates": [[[2.0, 50.0], [2.1, 50.0]], [[2.2, 50.0],
                                                                                                [2.3, 50.1]]]}},
        line([[1.65, 50.95], [1.66, 50.96]], Name="La Vélomaritime (EV4)"),  # a second section of the same route
        line([[3.0, 50.0], [3.1, 50.0, 25.0]]),  # unnamed, with an altitude
        {"type": "Feature", "properties": {"name": "Parking"}, "geometry": {"type": "Point", "coordinates": [1, 50]}},
    )
    parsed = parse_geojson(doc, "velo.geojson")
    assert parsed.format == "geojson"
    names = [r.name for r in parsed.routes]
    assert names == ["La Vélomaritime (EV4)", "Voie verte", "velo — entité n° 4"]
    ev4, voie, _ = parsed.routes
    assert len(ev4.parts) == 2 and ev4.parts[0][0] == (50.9, 1.6)  # stored as (latitude, longitude)
    assert len(voie.parts) == 2 and voie.point_count == 4
    assert parsed.point_count == 10
    assert parsed.warnings == ("velo.geojson, entité n° 5 (« Parking ») : géométrie Point ignorée (seules les lignes "
                               "sont des itinéraires).",)


def test_geojson_bare_geometries_and_feature() -> None:
    bare = parse_geojson(json.dumps({"type": "LineString", "coordinates": [[1, 50], [1.1, 50]]}).encode(), "x.json")
    assert [r.name for r in bare.routes] == ["x — entité n° 1"]
    multi = parse_geojson(json.dumps({"type": "MultiLineString", "coordinates": [[[1, 50], [1.1, 50]]]}).encode(),
                          "m.geojson")
    assert multi.point_count == 2
    feature = parse_geojson(json.dumps(EAST_WEST).encode("utf-8-sig"), "f.geojson")  # BOM accepted
    assert feature.routes[0].name == "Véloroute test"
    collection = parse_geojson(json.dumps({"type": "Feature", "properties": {"nom": "GC"}, "geometry": {
        "type": "GeometryCollection", "geometries": [{"type": "LineString", "coordinates": [[1, 50], [2, 50]]},
                                                     {"type": "Point", "coordinates": [1, 50]}]}}).encode(), "g.json")
    assert collection.routes[0].name == "GC" and len(collection.warnings) == 1


@pytest.mark.parametrize(("doc", "message"), [
    (b'{"type": "FeatureCollection", "features": [', "x.geojson, ligne 1, colonne 44 : JSON invalide"),
    (b'{"type": "FeatureCollection",\n "features": [}', "x.geojson, ligne 2, colonne 15 : JSON invalide"),
    (b"\xff\xfe{}", "x.geojson : le fichier n'est pas en UTF-8"),
    (b"[1, 2]", "x.geojson : un fichier GeoJSON est un objet JSON"),
    (b'{"type": "Topology"}', 'x.geojson : type GeoJSON "Topology" non reconnu'),
    (b'{"type": "FeatureCollection", "features": {}}', "« features » doit être une liste"),
    (geojson(EAST_WEST, line([[1, 50], [1.1, "50"]], name="EV5")),
     "x.geojson, entité n° 2 (« EV5 »), point n° 2 : longitude et latitude doivent être des nombres"),
    (geojson(line([[1, 50], [1.1]])), "x.geojson, entité n° 1, point n° 2 : position invalide [1.1]"),
    (geojson(line([[1, 50], [1.1, 95]])), "x.geojson, entité n° 1, point n° 2 : latitude 95 / longitude 1.1 hors "
                                          "limites"),
    (geojson(line([[650000, 7000000], [650100, 7000100]])), "coordonnées projetées (Lambert 93 ?)"),
    (geojson(EAST_WEST, {"type": "Feature", "properties": {}, "geometry": {"type": "Circle"}}),
     'x.geojson, entité n° 2 : type de géométrie "Circle" inconnu'),
    (geojson(EAST_WEST, {"type": "Feature", "properties": {}, "geometry": {
        "type": "MultiLineString", "coordinates": [[[1, 50], [2, 50]], [[1, 50], [2, 91]]]}}),
     "x.geojson, entité n° 2, ligne n° 2, point n° 2 : latitude 91"),
    (geojson(EAST_WEST, {"type": "Nope"}), "x.geojson, entité n° 2 : objet « Feature » attendu"),
    (geojson(EAST_WEST, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}),
     'système de coordonnées "urn:ogc:def:crs:EPSG::2154" non pris en charge'),
    (b'{"type": "LineString", "coordinates": [[1, NaN], [2, 50]]}', "x.geojson : JSON invalide (valeur NaN"),
    (geojson({"type": "Feature", "properties": {}, "geometry": None}), "x.geojson : aucun itinéraire trouvé"),
])
def test_malformed_geojson_is_refused_with_its_position(doc: bytes, message: str) -> None:
    with pytest.raises(ItineraryError) as exc:
        parse_geojson(doc, "x.geojson")
    assert message in str(exc.value)


def test_wgs84_crs_member_is_accepted() -> None:
    doc = geojson(EAST_WEST, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    assert parse_geojson(doc, "x.geojson").point_count == 2


# --- reading GPX -----------------------------------------------------------------------------------------------------

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <metadata><name>Réseau de test</name></metadata>
  <wpt lat="50.0" lon="1.0"><name>Un point, pas un itinéraire</name></wpt>
  <trk>
    <name>La Vélomaritime</name>
    <trkseg>
      <trkpt lat="50.5" lon="1.0"><ele>12</ele><name>départ</name></trkpt>
      <trkpt lat="50.5" lon="2.0"/>
    </trkseg>
    <trkseg><trkpt lat="50.6" lon="2.0"/><trkpt lat="50.7" lon="2.0"/></trkseg>
  </trk>
  <trk><trkseg><trkpt lat="49" lon="3"/><trkpt lat="49.1" lon="3"/></trkseg></trk>
  <rte><name>Route &amp; voie verte</name><rtept lat="50.0" lon="3.0"/><rtept lat="50.1" lon="3.0"/></rte>
</gpx>
"""


def test_gpx_tracks_segments_and_routes() -> None:
    parsed = parse_gpx(GPX.encode("utf-8"), "reseau.gpx")
    assert parsed.format == "gpx"
    assert [r.name for r in parsed.routes] == ["La Vélomaritime", "reseau — trace n° 2", "Route & voie verte"]
    velo = parsed.routes[0]
    assert velo.parts == (((50.5, 1.0), (50.5, 2.0)), ((50.6, 2.0), (50.7, 2.0)))
    assert parsed.point_count == 8


def test_gpx_1_0_without_namespace_and_utf16() -> None:
    doc = '<?xml version="1.0" encoding="UTF-16"?><gpx version="1.0"><trk><name>Ancienne</name><trkseg>' \
          '<trkpt lat="50" lon="1"/><trkpt lat="50" lon="1.1"/></trkseg></trk></gpx>'
    assert parse_gpx(doc.encode("utf-16"), "old.gpx").routes[0].name == "Ancienne"


@pytest.mark.parametrize(("doc", "message"), [
    ('<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
     '<gpx><trk><name>&b;</name></trk></gpx>', "x.gpx, ligne 2 : déclaration DOCTYPE refusée"),
    ('<?xml version="1.0"?>\n<!DOCTYPE gpx SYSTEM "http://example.invalid/evil.dtd">\n<gpx/>',
     "x.gpx, ligne 2 : déclaration DOCTYPE refusée"),
    ('<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<gpx><trk><name>&xxe;'
     '</name></trk></gpx>', "déclaration DOCTYPE refusée"),
    ('<gpx>\n<trk><name>&undefined;</name></trk></gpx>', "x.gpx, ligne 2, colonne 12 : XML invalide (entité non "
                                                         "définie)"),
    ('<gpx>\n<trk><trkseg>\n<trkpt lat="50.5"/></trkseg></trk></gpx>', "x.gpx, ligne 3 (trkpt) : attribut « lon » "
                                                                       "manquant"),
    ('<gpx>\n<rte>\n\n<rtept lat="abc" lon="1"/></rte></gpx>', "x.gpx, ligne 4 (rtept) : « lat » = « abc » n'est pas "
                                                               "un nombre"),
    ('<gpx><trk><trkseg><trkpt lat="50" lon="200"/></trkseg></trk></gpx>', "longitude 200 hors limites"),
    ('<gpx><trk><trkseg><trkpt lat="50" lon="1"/>\n</trkseg>\n</trk>',
     "x.gpx, ligne 3, colonne 7 : XML invalide (fin de fichier inattendue"),
    ('<kml xmlns="http://www.opengis.net/kml/2.2"/>', "élément racine « kml » : ce n'est pas un fichier GPX"),
    ('<gpx><wpt lat="50" lon="1"/></gpx>', "x.gpx : aucun itinéraire trouvé"),
])
def test_malformed_or_unsafe_gpx_is_refused(doc: str, message: str) -> None:
    with pytest.raises(ItineraryError) as exc:
        parse_gpx(doc.encode("utf-8"), "x.gpx")
    assert message in str(exc.value)


def test_format_detection_and_file_errors(tmp_path: Path) -> None:
    assert parse_itineraries(GPX.encode(), "sans-extension").format == "gpx"
    assert parse_itineraries(geojson(EAST_WEST), "sans-extension").format == "geojson"
    with pytest.raises(ItineraryError, match="format non reconnu"):
        parse_itineraries(b"lat;lon\n50;1\n", "points.csv")
    with pytest.raises(ItineraryError, match="introuvable"):
        load_itineraries(tmp_path / "absent.gpx")
    (tmp_path / "ok.geojson").write_bytes(geojson(EAST_WEST))
    assert load_itineraries(tmp_path / "ok.geojson").routes[0].name == "Véloroute test"


# --- distances -------------------------------------------------------------------------------------------------------


def network(*features: dict[str, Any]) -> ItineraryNetwork:
    return ItineraryNetwork(parse_geojson(geojson(*features), "t.geojson").routes)


def test_point_north_of_an_east_west_line_at_50_5() -> None:
    found = network(EAST_WEST).nearest(50.51, 1.5)
    assert found is not None
    assert found.name == "Véloroute test" and found.source == "t.geojson"
    assert found.distance_km == pytest.approx(NORTH_001_KM, abs=0.0005)  # ≈ 1.112 km
    assert (found.latitude, found.longitude) == pytest.approx((50.5, 1.5))
    # Spherical hand value 0.01 × π/180 × 6371.0088 = 1.11195 km: within 0.05 %.
    assert found.distance_km == pytest.approx(0.01 * math.pi / 180 * 6371.0088, rel=5e-4)


def test_beyond_the_end_of_a_line_the_distance_is_to_its_end_point() -> None:
    found = network(EAST_WEST).nearest(50.5, 2.0 + 0.05)
    # Along the parallel: 0.05° × N·cos φ × π/180 with N(50.5°) = 6,390.8 km → 3.548 km.
    assert found is not None and found.distance_km == pytest.approx(3.548, abs=0.002)
    assert (found.latitude, found.longitude) == pytest.approx((50.5, 2.0))


def test_the_nearest_of_several_routes_is_named() -> None:
    net = network(EAST_WEST, line([[1.5, 50.6], [1.5, 50.7]], name="Nord"), line([[1.0, 49.0], [2.0, 49.0]],
                                                                                   name="Sud"))
    assert net.nearest(50.58, 1.5).name == "Nord"
    assert net.nearest(50.52, 1.5).name == "Véloroute test"
    assert net.nearest(48.0, 1.5).name == "Sud"
    assert ItineraryNetwork([]).nearest(50, 1) is None
    with pytest.raises(ItineraryError):
        net.nearest(95, 1)


@pytest.mark.parametrize("bearing", [0, 37, 90, 145, 210, 300])
@pytest.mark.parametrize("km", [0.3, 2.0, 5.0, 20.0])
def test_distance_within_a_tenth_of_a_percent_of_the_geodesic(bearing: float, km: float) -> None:
    """A point at a known geodesic offset from a vertex of a zig-zag line: the engine's distance to the nearest
    point is compared with Vincenty's distance to that same point (< 0.1 %, required < 1 %)."""
    lat0, lon0 = 50.72, 1.61  # Boulogne-sur-Mer
    ky, kx = 111.25, 70.6
    lat = lat0 + km * math.cos(math.radians(bearing)) / ky
    lon = lon0 + km * math.sin(math.radians(bearing)) / kx
    route = [[lon0 - 0.3, lat0 - 0.2], [lon0, lat0], [lon0 + 0.4, lat0 - 0.25]]
    found = network(line(route, name="ZZ")).nearest(lat, lon)
    assert found is not None
    reference = vincenty_km(lat, lon, found.latitude, found.longitude)
    assert found.distance_km == pytest.approx(reference, rel=1e-3)


def test_mid_latitude_distance_against_vincenty_up_to_200_km() -> None:
    rng = random.Random(3)
    for _ in range(200):
        lat1, lon1 = rng.uniform(42.5, 51), rng.uniform(-4.5, 7.5)
        lat2, lon2 = lat1 + rng.uniform(-1.2, 1.2), lon1 + rng.uniform(-1.5, 1.5)
        ref = vincenty_km(lat1, lon1, lat2, lon2)
        tolerance = 1e-3 if ref <= 50 else 5e-3
        assert distance_km(lat1, lon1, lat2, lon2) == pytest.approx(ref, rel=tolerance)


def test_length_of_a_route() -> None:
    route = Route("R", (((50.5, 1.0), (50.5, 2.0)),))
    assert route.length_km() == pytest.approx(vincenty_km(50.5, 1.0, 50.5, 2.0), rel=1e-3)


def test_chunked_index_gives_the_brute_force_answer() -> None:
    rng = random.Random(5)
    features = []
    for r in range(12):
        lat, lon = rng.uniform(50, 50.6), rng.uniform(1.5, 2.5)
        coords = []
        for _ in range(rng.randint(2, 150)):
            coords.append([lon, lat])
            lat += rng.uniform(-0.004, 0.004)
            lon += rng.uniform(-0.004, 0.006)
        features.append(line(coords, name=f"R{r}"))
    net = network(*features)
    for _ in range(100):
        lat, lon = rng.uniform(49.9, 50.7), rng.uniform(1.4, 2.8)
        found = net.nearest(lat, lon)
        brute = min(_segment_km(lat, lon, a, b) for f in features
                    for a, b in zip(f["geometry"]["coordinates"], f["geometry"]["coordinates"][1:], strict=False))
        assert found is not None and found.distance_km == pytest.approx(brute, rel=1e-6, abs=1e-9)


def _segment_km(lat: float, lon: float, a: list[float], b: list[float]) -> float:
    from inspector.geo.itineraries import km_per_degree

    ky, kx = km_per_degree(lat)
    px, py, qx, qy = (a[0] - lon) * kx, (a[1] - lat) * ky, (b[0] - lon) * kx, (b[1] - lat) * ky
    dx, dy = qx - px, qy - py
    t = max(0.0, min(1.0, -(px * dx + py * dy) / (dx * dx + dy * dy))) if dx or dy else 0.0
    cx, cy = px + t * dx, py + t * dy
    return distance_km(lat, lon, lat + cy / ky, lon + cx / kx)


def test_a_200000_point_network_answers_fast() -> None:
    rng = random.Random(7)
    features = []
    for r in range(100):
        lat, lon, heading = rng.uniform(49.5, 51), rng.uniform(1.5, 4.3), rng.uniform(0, 6.3)
        coords = []
        for _ in range(2000):
            coords.append([lon, lat])
            heading += rng.gauss(0, 0.08)
            lat += 0.025 * math.cos(heading) / 111.2
            lon += 0.025 * math.sin(heading) / 71.0
        features.append(line(coords, name=f"V{r}"))
    net = network(*features)
    assert net.point_count == 200_000
    queries = [(rng.uniform(49.4, 51.1), rng.uniform(1.4, 4.4)) for _ in range(50)]
    start = time.perf_counter()
    for q in queries:
        net.nearest(*q)
    assert (time.perf_counter() - start) / len(queries) < 0.1  # typically well under 1 ms


# --- the data-folder store -------------------------------------------------------------------------------------------


def test_store_load_list_remove(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    src = tmp_path / "velo.geojson"
    src.write_bytes(geojson(EAST_WEST, line([[1.5, 50.6], [1.5, 50.7]], name="Nord")))
    info, new = store.load_file(folder, src, now=dt.datetime(2026, 3, 1, 9, 0))
    assert new and info.routes == 2 and info.points == 4 and info.format == "geojson"
    assert info.original_name == "velo.geojson" and info.route_names == ("Véloroute test", "Nord")
    assert info.length_km == pytest.approx(71.0 + 11.1, abs=0.3)
    assert (folder / "itineraries" / f"{info.key}.geojson").read_bytes() == src.read_bytes()
    again, new_again = store.load_file(folder, src)
    assert not new_again and again.key == info.key
    gpx = tmp_path / "reseau.gpx"
    gpx.write_text(GPX, encoding="utf-8")
    store.load_file(folder, gpx, now=dt.datetime(2026, 3, 2, 9, 0))
    assert [f.original_name for f in store.list_files(folder)] == ["velo.geojson", "reseau.gpx"]
    found, files = store.nearest(folder, 50.65, 2.01)
    assert found is not None and found.name == "La Vélomaritime" and found.source == "reseau.gpx"
    assert set(files) == {"velo.geojson", "reseau.gpx"}
    removed = store.remove_file(folder, info.key[:8])
    assert removed.original_name == "velo.geojson"
    assert [f.original_name for f in store.list_files(folder)] == ["reseau.gpx"]
    found, _ = store.nearest(folder, 50.51, 1.5)  # the cache follows the folder's content
    assert found is not None and found.name != "Véloroute test"
    with pytest.raises(ServiceError, match="introuvable"):
        store.remove_file(folder, "absent.geojson")
    store.remove_file(folder, "reseau.gpx")
    assert store.list_files(folder) == [] and store.nearest(folder, 50, 1)[0] is None


def test_store_refuses_a_bad_file_and_keeps_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(geojson(EAST_WEST, line([[1, 50], [1.1, 95]], name="Cassée")))
    with pytest.raises(ServiceError, match=r"bad.geojson, entité n° 2 \(« Cassée »\), point n° 2"):
        store.load_file(folder, bad)
    assert not (folder / "itineraries").exists() or not any((folder / "itineraries").iterdir())


def test_store_without_index_still_lists_and_answers(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    src = tmp_path / "velo.geojson"
    src.write_bytes(geojson(EAST_WEST))
    info, _ = store.load_file(folder, src)
    (folder / "itineraries" / "index.json").unlink()  # as after a crash between the two atomic writes
    listed = store.list_files(folder)
    assert [f.key for f in listed] == [info.key] and listed[0].routes == 1
    assert store.nearest(folder, 50.51, 1.5)[0].name == "Véloroute test"
