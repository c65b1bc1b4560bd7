"""Fills a migrated embedded store (a GeoPackage the server has opened once) with N synthetic
clusters: the same grid, attributes and first status events as benches/generate-clusters.sql
writes into PostGIS, so that the two stores hold the same layer. Written straight into
`clusters`, its R*Tree and `cluster_events` (no versions: for reads, not for history), in one
transaction. Deterministic. Python 3 standard library.

    python3 benches/generate_clusters_gpkg.py FILE.gpkg N
"""

import sqlite3
import struct
import sys

# The grid of benches/generate-clusters.sql: 0.004° squares every 0.005°, 1 000 columns from
# 104.5° E, rows from 8.7° N; a million clusters end at 13.7° N, within Vietnam's extent.
COLUMNS, STEP, SIDE, WEST, SOUTH = 1000, 0.005, 0.004, 104.5, 8.7
STAMP = "2026-01-01T00:00:00.000Z"


def square(i):
    x, y = WEST + (i % COLUMNS) * STEP, SOUTH + (i // COLUMNS) * STEP
    return x, y, x + SIDE, y + SIDE


def envelope(i):
    """minx, maxx, miny, maxy: the order of the R*Tree's columns and of the GeoPackage header."""
    minx, miny, maxx, maxy = square(i)
    return minx, maxx, miny, maxy


def gpkg_blob(minx, miny, maxx, maxy):
    """A GeoPackage geometry: header (little-endian, SRS 4326, xy envelope), then the WKB of a
    MultiPolygon of one counter-clockwise ring, as the store writes its own."""
    header = b"GP\x00\x03" + struct.pack("<i4d", 4326, minx, maxx, miny, maxy)
    ring = [(minx, miny), (maxx, miny), (maxx, maxy), (minx, maxy), (minx, miny)]
    wkb = struct.pack("<BIIBIII", 1, 6, 1, 1, 3, 1, len(ring)) + b"".join(struct.pack("<2d", *p) for p in ring)
    return header + wkb


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, n = sys.argv[1], int(sys.argv[2])
    db = sqlite3.connect(path, isolation_level=None)
    if db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'clusters'").fetchone()[0] != 1:
        sys.exit(f"{path} is not a migrated clusterplan store: start the server on it once")
    first = db.execute("SELECT coalesce(max(fid), 0) FROM clusters").fetchone()[0] + 1
    db.execute("BEGIN IMMEDIATE")
    for start in range(1, n + 1, 10_000):
        rows = range(start, min(start + 10_000, n + 1))
        db.executemany(
            "INSERT INTO clusters (fid, geom, code, name, name_folded, kind, status, area_ha, geodesic_area_ha,"
            " planning_crs, version, created_at, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?, 'cluster', 'in_plan', 19.4, 19.4, 'EPSG:9210', 1, ?, ?, 'generator')",
            ((first + i - 1, gpkg_blob(*square(i)), f"GEN-{i}", f"Cụm sinh {i}", f"cum sinh {i}", STAMP, STAMP)
             for i in rows))
        db.executemany("INSERT INTO rtree_clusters_geom (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)",
                       ((first + i - 1, *envelope(i)) for i in rows))
        db.executemany(
            "INSERT INTO cluster_events (cluster_id, seq, to_status, effective_date, cluster_version, recorded_at,"
            " recorded_by) VALUES (?, 1, 'in_plan', '2026-01-01', 1, ?, 'generator')",
            ((first + i - 1, STAMP) for i in rows))
    db.execute("COMMIT")
    db.execute("ANALYZE")
    print(f"{n} clusters written to {path}")


if __name__ == "__main__":
    main()
