-- Every written state of every zone, as `cluster_versions` keeps for clusters: one row per
-- write in the write's own transaction, with the full state (no geometry for a deletion),
-- author, reason, legal act and, for reverts, the version restored.
CREATE TABLE zone_versions (
  zone_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
  author TEXT,
  reason TEXT,
  legal_act TEXT,
  reverted_from INTEGER,
  written_at TEXT NOT NULL,
  geom BLOB,
  cluster_id INTEGER NOT NULL,
  land_use TEXT NOT NULL,
  label TEXT,
  leasable INTEGER NOT NULL CHECK (leasable IN (0, 1)),
  leased INTEGER NOT NULL CHECK (leased IN (0, 1)),
  tenant TEXT,
  area_ha REAL NOT NULL,
  geodesic_area_ha REAL NOT NULL,
  PRIMARY KEY (zone_id, version)
);
-- `asOf` reads the latest version per zone written at or before an instant.
CREATE INDEX zone_versions_written_idx ON zone_versions (written_at, zone_id);

-- Zones written before history was kept: their current state is their first known version.
INSERT INTO zone_versions (zone_id, version, operation, author, reason, written_at, geom, cluster_id, land_use,
                           label, leasable, leased, tenant, area_ha, geodesic_area_ha)
SELECT fid, version, 'create', updated_by, 'state when zone history began', updated_at, geom, cluster_id, land_use,
       label, leasable, leased, tenant, area_ha, geodesic_area_ha
FROM zones;
