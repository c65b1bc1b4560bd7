-- The published zones (issue 19): a snapshot of `zones` taken by the same publication that
-- snapshots `clusters` (one transaction: one publish makes both public), with its own R*Tree.
-- A GeoPackage layer of its own, so GDAL and QGIS see the public's land-use plan too.
CREATE TABLE zones_published (
  fid INTEGER PRIMARY KEY,
  geom BLOB NOT NULL,
  cluster_id INTEGER NOT NULL,
  land_use TEXT NOT NULL,
  label TEXT,
  leasable INTEGER NOT NULL CHECK (leasable IN (0, 1)),
  leased INTEGER NOT NULL CHECK (leased IN (0, 1)),
  tenant TEXT,
  area_ha REAL NOT NULL,
  geodesic_area_ha REAL NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT
);
CREATE INDEX zones_published_cluster_idx ON zones_published (cluster_id);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
VALUES ('zones_published', 'features', 'zones_published', 'Published land-use plots (what the public sees)', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('zones_published', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
CREATE VIRTUAL TABLE rtree_zones_published_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO gpkg_extensions VALUES
  ('zones_published', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');

-- The zones' own change serial (draft zone tiles are tagged with it), bumped in the writing
-- transaction like the clusters'. The published zones change only with a publication, whose
-- number tags them.
INSERT INTO collection_changes (collection, serial) VALUES ('zones', 0);
CREATE TRIGGER zones_changed_insert AFTER INSERT ON zones
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'zones'; END;
CREATE TRIGGER zones_changed_update AFTER UPDATE ON zones
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'zones'; END;
CREATE TRIGGER zones_changed_delete AFTER DELETE ON zones
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'zones'; END;
