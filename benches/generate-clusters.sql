-- Fills a migrated PostGIS database (one the server has opened once) with :n synthetic
-- clusters, 0.004° squares every 0.005° on a 1 000-column grid from 104.5° E, 8.7° N (a million
-- end at 13.7° N, within Vietnam's extent), written straight into
-- `clusters` (no versions: for reads, not for history), each with a first status event (in plan
-- since 2026-01-01), so that /zoning reports it. Deterministic. The embedded store's twin:
-- benches/generate_clusters_gpkg.py (the same grid).
--
--   psql "$DATABASE" -v n=100000 -f benches/generate-clusters.sql
\if :{?n}
\else
  \set n 100000
\endif
WITH made AS (
  INSERT INTO clusters (geom, code, name, name_folded, kind, status, area_ha, geodesic_area_ha, planning_crs,
                        version, created_at, updated_at, updated_by)
  SELECT ST_ForcePolygonCCW(ST_Multi(ST_MakeEnvelope(x, y, x + 0.004, y + 0.004, 4326))),
         'GEN-' || i, 'Cụm sinh ' || i, 'cum sinh ' || i, 'cluster', 'in_plan', 19.4, 19.4, 'EPSG:9210',
         1, timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00', 'generator'
  FROM (SELECT i, 104.5 + (i % 1000) * 0.005 AS x, 8.7 + (i / 1000) * 0.005 AS y FROM generate_series(1, :n) AS i) g
  RETURNING id)
INSERT INTO cluster_events (cluster_id, seq, to_status, effective_date, cluster_version, recorded_at, recorded_by)
SELECT id, 1, 'in_plan', date '2026-01-01', 1, timestamptz '2026-01-01 00:00:00+00', 'generator' FROM made;
ANALYZE clusters;
ANALYZE cluster_events;
