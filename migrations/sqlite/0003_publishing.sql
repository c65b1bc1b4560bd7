-- Publishing (issue 5): a change serial per collection, bumped by triggers in the writing
-- transaction itself, so that ETags of tiles and pages change with every committed write —
-- also with writes from other tools (GDAL, QGIS on the file).
CREATE TABLE collection_changes (
  collection TEXT PRIMARY KEY,
  serial INTEGER NOT NULL DEFAULT 0
);
INSERT INTO collection_changes (collection, serial) VALUES ('clusters', 0);

CREATE TRIGGER clusters_changed_insert AFTER INSERT ON clusters
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'clusters'; END;
CREATE TRIGGER clusters_changed_update AFTER UPDATE ON clusters
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'clusters'; END;
CREATE TRIGGER clusters_changed_delete AFTER DELETE ON clusters
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'clusters'; END;

-- Metadata a publisher sets per collection (shown in /collections). Keywords: a JSON array.
CREATE TABLE collection_meta (
  collection TEXT PRIMARY KEY,
  title TEXT,
  description TEXT,
  license TEXT,
  attribution TEXT,
  keywords TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT NOT NULL
);
-- The collection documents show the metadata: their tags follow it.
CREATE TRIGGER collection_meta_changed_insert AFTER INSERT ON collection_meta
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = NEW.collection; END;
CREATE TRIGGER collection_meta_changed_update AFTER UPDATE ON collection_meta
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = NEW.collection; END;

-- The published layer: a snapshot of `clusters` taken by `POST /collections/clusters/publish`,
-- with its own R*Tree, replaced whole in one transaction. A second GeoPackage layer, so GDAL
-- and QGIS see what the public sees.
CREATE TABLE clusters_published (
  fid INTEGER PRIMARY KEY,
  geom BLOB NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  planned_area_ha REAL,
  area_ha REAL NOT NULL,
  geodesic_area_ha REAL NOT NULL,
  planning_crs TEXT NOT NULL,
  notes TEXT,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT
);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
VALUES ('clusters_published', 'features', 'clusters_published', 'Published industrial clusters (what the public sees)', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('clusters_published', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
CREATE VIRTUAL TABLE rtree_clusters_published_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO gpkg_extensions VALUES
  ('clusters_published', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');

-- One row per publication; the newest `seq` names the published state (its entity tags).
CREATE TABLE publications (
  collection TEXT NOT NULL,
  seq INTEGER NOT NULL,
  published_at TEXT NOT NULL,
  author TEXT,
  note TEXT,
  feature_count INTEGER NOT NULL,
  PRIMARY KEY (collection, seq)
);
