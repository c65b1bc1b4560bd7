-- Planning domain: site facts for the rules, status events with legal acts, planning tasks,
-- zones (land-use plots inside clusters) and administrative units over time.
-- Zones and units are GeoPackage feature tables with R*Tree indexes, so GDAL and QGIS open them.

ALTER TABLE clusters ADD COLUMN craft_village INTEGER NOT NULL DEFAULT 0 CHECK (craft_village IN (0, 1));
ALTER TABLE clusters ADD COLUMN mountainous INTEGER NOT NULL DEFAULT 0 CHECK (mountainous IN (0, 1));
ALTER TABLE clusters ADD COLUMN roads_completed INTEGER NOT NULL DEFAULT 0 CHECK (roads_completed IN (0, 1));
ALTER TABLE clusters ADD COLUMN water_completed INTEGER NOT NULL DEFAULT 0 CHECK (water_completed IN (0, 1));
ALTER TABLE clusters ADD COLUMN wastewater_completed INTEGER NOT NULL DEFAULT 0 CHECK (wastewater_completed IN (0, 1));
ALTER TABLE cluster_versions ADD COLUMN craft_village INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cluster_versions ADD COLUMN mountainous INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cluster_versions ADD COLUMN roads_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cluster_versions ADD COLUMN water_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cluster_versions ADD COLUMN wastewater_completed INTEGER NOT NULL DEFAULT 0;

-- One row per status change; the cluster's `status` column follows the latest. Events outlive
-- a deleted cluster, as its versions do.
CREATE TABLE cluster_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cluster_id INTEGER NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  from_status TEXT,
  to_status TEXT NOT NULL,
  effective_date TEXT NOT NULL,
  act_number TEXT,
  act_date TEXT,
  act_authority TEXT,
  act_link TEXT,
  note TEXT,
  overrides TEXT NOT NULL DEFAULT '[]',
  rule_results TEXT NOT NULL DEFAULT '[]',
  cluster_version INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT,
  CONSTRAINT cluster_events_seq_key UNIQUE (cluster_id, seq)
);

CREATE TABLE planning_tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  owner_agency TEXT NOT NULL,
  due_date TEXT NOT NULL,
  done_on TEXT,
  cluster_id INTEGER,
  unit_code TEXT,
  act_number TEXT,
  notes TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX planning_tasks_cluster_idx ON planning_tasks (cluster_id);
CREATE INDEX planning_tasks_unit_idx ON planning_tasks (unit_code);

CREATE TABLE zones (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom BLOB NOT NULL,
  cluster_id INTEGER NOT NULL,
  land_use TEXT NOT NULL CHECK (land_use IN ('IND', 'WH', 'ADM', 'GRN', 'WAT', 'UTL', 'WWTP', 'ROAD')),
  label TEXT,
  leasable INTEGER NOT NULL CHECK (leasable IN (0, 1)),
  leased INTEGER NOT NULL CHECK (leased IN (0, 1)),
  tenant TEXT,
  area_ha REAL NOT NULL,
  geodesic_area_ha REAL NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT
);
CREATE INDEX zones_cluster_idx ON zones (cluster_id);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
VALUES ('zones', 'features', 'zones', 'Land-use plots inside clusters (detailed plan)', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('zones', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
CREATE VIRTUAL TABLE rtree_zones_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO gpkg_extensions VALUES
  ('zones', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');

CREATE TABLE units (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom BLOB NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
  parent_code TEXT,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  notes TEXT,
  CONSTRAINT units_period_key UNIQUE (code, valid_from),
  CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX units_level_idx ON units (level, valid_from);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
VALUES ('units', 'features', 'units', 'Administrative units with validity periods', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('units', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
CREATE VIRTUAL TABLE rtree_units_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO gpkg_extensions VALUES
  ('units', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');

CREATE TABLE unit_successions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('split', 'merge', 'rename', 'transfer', 'abolish')),
  from_code TEXT NOT NULL,
  to_code TEXT,
  effective_date TEXT NOT NULL,
  act TEXT
);
