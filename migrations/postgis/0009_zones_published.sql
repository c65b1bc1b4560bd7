-- The published zones (issue 19): a snapshot of `zones` taken by the same publication that
-- snapshots `clusters` (one transaction: one publish makes both public).
CREATE TABLE zones_published (
  id bigint PRIMARY KEY,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  cluster_id bigint NOT NULL,
  land_use text NOT NULL,
  label text,
  leasable boolean NOT NULL,
  leased boolean NOT NULL,
  tenant text,
  area_ha double precision NOT NULL,
  geodesic_area_ha double precision NOT NULL,
  version bigint NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text
);
CREATE INDEX zones_published_cluster_idx ON zones_published (cluster_id);
CREATE INDEX zones_published_geom_idx ON zones_published USING gist (geom);

-- The zones' own change serial (draft zone tiles are tagged with it), bumped in the writing
-- transaction like the clusters'. The published zones change only with a publication, whose
-- number tags them.
INSERT INTO collection_changes (collection, serial) VALUES ('zones', 0);
CREATE TRIGGER zones_changed AFTER INSERT OR UPDATE OR DELETE ON zones
  FOR EACH STATEMENT EXECUTE FUNCTION bump_collection_serial('zones');
