"""Benchmark: nearest cycle itinerary on a synthetic 5,000-km network of 200,000 points (target ≤ 100 ms a query).

The network is 100 random-walk routes of 2,000 points (≈ 25 m apart, 50 km each) over the Hauts-de-France
(latitude 49.5–51, longitude 1.5–4.3), seeded so that every run measures the same thing. Queries are random points
over the same area (most within 10 km of a route, some farther). Also reported: parsing the network as GeoJSON and
building the index (done once per loaded file, then cached by the service).
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import HEADER, measure, report  # noqa: E402
from inspector.geo.itineraries import ItineraryNetwork, parse_geojson  # noqa: E402

ROUTES, POINTS_PER_ROUTE, STEP_KM = 100, 2000, 0.025


def synthetic_geojson(seed: int = 7) -> bytes:
    rng = random.Random(seed)
    features = []
    for r in range(ROUTES):
        lat, lon = rng.uniform(49.5, 51.0), rng.uniform(1.5, 4.3)
        heading = rng.uniform(0, 2 * math.pi)
        coords = []
        for _ in range(POINTS_PER_ROUTE):
            coords.append([round(lon, 6), round(lat, 6)])
            heading += rng.gauss(0, 0.08)
            lat += STEP_KM * math.cos(heading) / 111.2
            lon += STEP_KM * math.sin(heading) / (111.2 * math.cos(math.radians(lat)))
        features.append({"type": "Feature", "properties": {"nom": f"Véloroute synthétique n° {r + 1}"},
                         "geometry": {"type": "LineString", "coordinates": coords}})
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


def main() -> None:
    data = synthetic_geojson()
    start = time.perf_counter()
    parsed = parse_geojson(data, "synthetique.geojson")
    parse_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    network = ItineraryNetwork(parsed.routes)
    index_ms = (time.perf_counter() - start) * 1000
    length = parsed.length_km()
    rng = random.Random(11)
    queries = [(rng.uniform(49.4, 51.1), rng.uniform(1.4, 4.4)) for _ in range(500)]
    it = iter(queries * 100)

    def one() -> None:
        network.nearest(*next(it))

    print(f"network: {len(parsed.routes)} routes, {parsed.point_count:,} points, {length:,.0f} km; "
          f"GeoJSON {len(data) / 1e6:.1f} MB parsed in {parse_ms:.0f} ms, index built in {index_ms:.0f} ms")
    distances = sorted(network.nearest(lat, lon).distance_km for lat, lon in queries[:200])  # type: ignore[union-attr]
    print(f"query points: median distance to the nearest route {distances[len(distances) // 2]:.1f} km, "
          f"max {distances[-1]:.1f} km")
    print(HEADER)
    print(report("nearest itinerary, 200,000-point network (one query)", measure(one, runs=500, warmup=20),
                 target_ms=100))


if __name__ == "__main__":
    main()
