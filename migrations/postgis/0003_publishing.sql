-- Publishing (issue 5): a change serial per collection, bumped by a statement trigger in the
-- writing transaction, so that ETags of tiles and pages change with every committed write
-- (the row lock orders concurrent writers; readers see the serial of what is committed).
CREATE TABLE collection_changes (
  collection text PRIMARY KEY,
  serial bigint NOT NULL DEFAULT 0
);
INSERT INTO collection_changes (collection, serial) VALUES ('clusters', 0);

CREATE FUNCTION bump_collection_serial() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collection_changes SET serial = serial + 1 WHERE collection = TG_ARGV[0];
  RETURN NULL;
END;
$$;

CREATE TRIGGER clusters_changed AFTER INSERT OR UPDATE OR DELETE ON clusters
  FOR EACH STATEMENT EXECUTE FUNCTION bump_collection_serial('clusters');

-- Metadata a publisher sets per collection (shown in /collections).
CREATE TABLE collection_meta (
  collection text PRIMARY KEY,
  title text,
  description text,
  license text,
  attribution text,
  keywords text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL
);

CREATE FUNCTION bump_meta_collection_serial() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collection_changes SET serial = serial + 1 WHERE collection = NEW.collection;
  RETURN NULL;
END;
$$;

-- The collection documents show the metadata: their tags follow it.
CREATE TRIGGER collection_meta_changed AFTER INSERT OR UPDATE ON collection_meta
  FOR EACH ROW EXECUTE FUNCTION bump_meta_collection_serial();

-- The published layer: a snapshot of `clusters` taken by `POST /collections/clusters/publish`,
-- replaced whole in one transaction.
CREATE TABLE clusters_published (
  id bigint PRIMARY KEY,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  name_folded text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  planned_area_ha double precision,
  area_ha double precision NOT NULL,
  geodesic_area_ha double precision NOT NULL,
  planning_crs text NOT NULL,
  notes text,
  version bigint NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text
);
CREATE INDEX clusters_published_geom_idx ON clusters_published USING gist (geom);

-- One row per publication; the newest `seq` names the published state (its entity tags).
CREATE TABLE publications (
  collection text NOT NULL,
  seq bigint NOT NULL,
  published_at timestamptz NOT NULL,
  author text,
  note text,
  feature_count bigint NOT NULL,
  PRIMARY KEY (collection, seq)
);
