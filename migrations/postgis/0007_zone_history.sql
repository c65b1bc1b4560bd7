-- Every written state of every zone, as `cluster_versions` keeps for clusters: one row per
-- write in the write's own transaction, with the full state (no geometry for a deletion),
-- author, reason, legal act and, for reverts, the version restored.
CREATE TABLE zone_versions (
  zone_id bigint NOT NULL,
  version bigint NOT NULL,
  operation text NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
  author text,
  reason text,
  legal_act text,
  reverted_from bigint,
  written_at timestamptz NOT NULL,
  geom geometry(MultiPolygon, 4326),
  cluster_id bigint NOT NULL,
  land_use text NOT NULL,
  label text,
  leasable boolean NOT NULL,
  leased boolean NOT NULL,
  tenant text,
  area_ha double precision NOT NULL,
  geodesic_area_ha double precision NOT NULL,
  PRIMARY KEY (zone_id, version)
);
-- `asOf` reads the latest version per zone written at or before an instant.
CREATE INDEX zone_versions_written_idx ON zone_versions (written_at, zone_id);

-- Zones written before history was kept: their current state is their first known version.
INSERT INTO zone_versions (zone_id, version, operation, author, reason, written_at, geom, cluster_id, land_use,
                           label, leasable, leased, tenant, area_ha, geodesic_area_ha)
SELECT id, version, 'create', updated_by, 'state when zone history began', updated_at, geom, cluster_id, land_use,
       label, leasable, leased, tenant, area_ha, geodesic_area_ha
FROM zones;
