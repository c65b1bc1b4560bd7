-- clusterplan on PostGIS: the clusters layer and its version history.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE clusters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  name_folded text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('cluster', 'industrial_park')),
  status text NOT NULL CHECK (status IN ('in_plan', 'established', 'infrastructure', 'operating', 'expanded', 'removed', 'revoked')),
  planned_area_ha double precision CHECK (planned_area_ha IS NULL OR planned_area_ha >= 0),
  area_ha double precision NOT NULL,
  geodesic_area_ha double precision NOT NULL,
  planning_crs text NOT NULL,
  notes text,
  version bigint NOT NULL CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text,
  CONSTRAINT clusters_code_key UNIQUE (code)
);
CREATE INDEX clusters_geom_idx ON clusters USING gist (geom);

-- Every written state of every cluster, written in the same transaction as the change.
CREATE TABLE cluster_versions (
  cluster_id bigint NOT NULL,
  version bigint NOT NULL,
  operation text NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
  author text,
  reason text,
  written_at timestamptz NOT NULL,
  geom geometry(MultiPolygon, 4326),
  code text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  planned_area_ha double precision,
  area_ha double precision NOT NULL,
  geodesic_area_ha double precision NOT NULL,
  planning_crs text NOT NULL,
  notes text,
  PRIMARY KEY (cluster_id, version)
);
