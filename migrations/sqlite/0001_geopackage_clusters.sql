-- clusterplan embedded store: a GeoPackage 1.4 file (OGC 12-128r19) with the clusters layer.
-- The core tables are created exactly as the standard defines them so that GDAL and QGIS open
-- the file as a GeoPackage.
PRAGMA application_id = 1196444487; -- 'GPKG'
PRAGMA user_version = 10400;

CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326,
   'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
   'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');

CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);

CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);

CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);

-- The clusters layer. Geometry: GeoPackage binary, MultiPolygon, EPSG:4326, validated by
-- clusterplan-core before every write. `version` is the optimistic-locking token.
CREATE TABLE clusters (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom BLOB NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('cluster', 'industrial_park')),
  status TEXT NOT NULL CHECK (status IN ('in_plan', 'established', 'infrastructure', 'operating', 'expanded', 'removed', 'revoked')),
  planned_area_ha REAL CHECK (planned_area_ha IS NULL OR planned_area_ha >= 0),
  area_ha REAL NOT NULL,
  geodesic_area_ha REAL NOT NULL,
  planning_crs TEXT NOT NULL,
  notes TEXT,
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT,
  CONSTRAINT clusters_code_key UNIQUE (code)
);

INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
VALUES ('clusters', 'features', 'clusters', 'Industrial clusters (CCN) and industrial parks (KCN)', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('clusters', 'geom', 'MULTIPOLYGON', 4326, 0, 0);

-- Spatial index. The store maintains it in the same transaction as each write; the
-- standard's triggers are left out because they call ST_* functions that only GDAL and
-- SpatiaLite define, and would make every write from any other SQLite client fail.
CREATE VIRTUAL TABLE rtree_clusters_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO gpkg_extensions VALUES
  ('clusters', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');

-- Every written state of every cluster, in the same transaction as the write: history,
-- authorship and restore build on this table.
CREATE TABLE cluster_versions (
  cluster_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
  author TEXT,
  reason TEXT,
  written_at TEXT NOT NULL,
  geom BLOB,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  planned_area_ha REAL,
  area_ha REAL NOT NULL,
  geodesic_area_ha REAL NOT NULL,
  planning_crs TEXT NOT NULL,
  notes TEXT,
  PRIMARY KEY (cluster_id, version)
);
