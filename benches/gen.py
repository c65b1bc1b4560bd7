#!/usr/bin/env python3
"""Deterministic benchmark data: industrial clusters and their zones over southern Vietnam.

    benches/gen.py [CLUSTERS] > data.ndjson     # one GeoJSON Feature a line, clusters first

CLUSTERS (default 1 000) clusters on a jittered grid over lon 104.5–107.5, lat 8.6–11.5, each
a star-shaped 64-vertex ring (65 positions with the closing one) of 330–430 m radius, so
34–58 ha: within Decree 32/2024's 10–75 ha; all in the plan (a history starts there). Inside each, 10 zones (annular sectors that touch
neither each other nor the boundary): six factory plots, a warehouse, management, green space
and the wastewater plant; some factory plots leased. Every value comes from one seeded
`random.Random`, so two runs give the same bytes. Standard library only.

`bench.py` imports `clusters` and `zones`; a zone's `cluster_id` is filled in by the loader
with the id the server gave its cluster (`zones(i, count, cluster_id)`).
"""

import json
import math
import random
import sys

SEED = 20_261_206
LON_MIN, LON_MAX = 104.5, 107.5
LAT_MIN, LAT_MAX = 8.6, 11.5
VERTICES = 64
ZONES_PER_CLUSTER = 10
LAND_USES = ("IND",) * 6 + ("WH", "ADM", "GRN", "WWTP")
# Planning CRS: VN-2000 TM-3 105°45′ (EPSG:9210, Bến Tre, Long An, TP HCM…) inside its area of use,
# VN-2000 / UTM 48N (EPSG:3405) elsewhere in the area (the server refuses a CRS whose area of use
# does not hold the boundary).
TM3_9210 = (105.26, 9.75, 107.80, 23.12)
M_PER_DEG = 111_320.0


def _grid(count):
    cols = max(1, round(math.sqrt(count * (LON_MAX - LON_MIN) / (LAT_MAX - LAT_MIN))))
    rows = math.ceil(count / cols)
    return cols, rows


def _site(i, count):
    """Centre (lon, lat), radius in metres and the ring's radial factors of cluster i."""
    rnd = random.Random(SEED * 1_000_003 + i)
    cols, rows = _grid(count)
    dx, dy = (LON_MAX - LON_MIN) / cols, (LAT_MAX - LAT_MIN) / rows
    row, col = divmod(i, cols)
    lon = LON_MIN + (col + 0.5 + rnd.uniform(-0.2, 0.2)) * dx
    lat = LAT_MIN + (row + 0.5 + rnd.uniform(-0.2, 0.2)) * dy
    radius = rnd.uniform(330, 430)
    factors = [rnd.uniform(0.92, 1.08) for _ in range(VERTICES)]
    return lon, lat, radius, factors, rnd


def _point(lon, lat, metres, angle):
    return [
        round(lon + metres * math.cos(angle) / (M_PER_DEG * math.cos(math.radians(lat))), 7),
        round(lat + metres * math.sin(angle) / M_PER_DEG, 7),
    ]


def _area_ha(ring, lat):
    """Planar area of a lon/lat ring in hectares (local equirectangular metres)."""
    kx, ky = M_PER_DEG * math.cos(math.radians(lat)), M_PER_DEG
    s = sum(a[0] * kx * b[1] * ky - b[0] * kx * a[1] * ky for a, b in zip(ring, ring[1:]))
    return abs(s) / 2 / 10_000


def cluster(i, count):
    """Cluster i of count, as a GeoJSON Feature to POST."""
    lon, lat, radius, factors, rnd = _site(i, count)
    ring = [_point(lon, lat, radius * f, 2 * math.pi * k / VERTICES) for k, f in enumerate(factors)]
    ring.append(ring[0])
    west, south, east, north = TM3_9210
    crs = 9210 if west + 0.01 < lon < east - 0.01 and south + 0.01 < lat < north else 3405
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {
            "code": f"BENCH-{i:05d}",
            "name": f"Cụm công nghiệp thử nghiệm {i:05d}",
            "kind": "cluster",
            # A status history starts in the plan (or established, with its legal act).
            "status": "in_plan",
            "planned_area_ha": round(_area_ha(ring, lat), 1),
            "planning_crs": f"EPSG:{crs}",
            "craft_village": i % 7 == 0,
            "roads_completed": rnd.random() < 0.5,
            "water_completed": rnd.random() < 0.5,
            "wastewater_completed": rnd.random() < 0.3,
            "notes": "Synthetic benchmark cluster (benches/gen.py); boundary illustrative.",
        },
    }


def zones(i, count, cluster_id):
    """The 10 zones of cluster i, as GeoJSON Features to POST with the cluster's id."""
    lon, lat, radius, _, rnd = _site(i, count)
    step = 2 * math.pi / ZONES_PER_CLUSTER
    out = []
    for k, land_use in enumerate(LAND_USES):
        # An annular sector well inside the ring (whose radius never falls below 0.92 × radius)
        # with a gap to its neighbours: 5 points on each arc.
        a0, a1 = k * step + 0.05, (k + 1) * step - 0.05
        arcs = [a0 + (a1 - a0) * j / 4 for j in range(5)]
        ring = [_point(lon, lat, radius * 0.85, a) for a in arcs]
        ring += [_point(lon, lat, radius * 0.15, a) for a in reversed(arcs)]
        ring.append(ring[0])
        leased = land_use == "IND" and rnd.random() < 0.6
        properties = {"cluster_id": cluster_id, "land_use": land_use, "label": f"{land_use}-{k + 1:02d}"}
        if leased:
            properties |= {"leased": True, "tenant": f"Công ty TNHH Thử nghiệm {i:05d}-{k + 1}"}
        out.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": properties})
    return out


def inside_zone(i, count, k=0):
    """A point inside zone k of cluster i (the middle of the sector)."""
    lon, lat, radius, _, _ = _site(i, count)
    step = 2 * math.pi / ZONES_PER_CLUSTER
    return tuple(_point(lon, lat, radius * 0.5, (k + 0.5) * step))


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    for c in range(n):
        print(json.dumps(cluster(c, n), ensure_ascii=False))
    for c in range(n):
        for z in zones(c, n, None):
            print(json.dumps(z, ensure_ascii=False))
