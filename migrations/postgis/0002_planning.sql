-- Planning domain: site facts for the rules, status events with legal acts, planning tasks,
-- zones (land-use plots inside clusters) and administrative units over time.

ALTER TABLE clusters
  ADD COLUMN craft_village boolean NOT NULL DEFAULT false,
  ADD COLUMN mountainous boolean NOT NULL DEFAULT false,
  ADD COLUMN roads_completed boolean NOT NULL DEFAULT false,
  ADD COLUMN water_completed boolean NOT NULL DEFAULT false,
  ADD COLUMN wastewater_completed boolean NOT NULL DEFAULT false;
ALTER TABLE cluster_versions
  ADD COLUMN craft_village boolean NOT NULL DEFAULT false,
  ADD COLUMN mountainous boolean NOT NULL DEFAULT false,
  ADD COLUMN roads_completed boolean NOT NULL DEFAULT false,
  ADD COLUMN water_completed boolean NOT NULL DEFAULT false,
  ADD COLUMN wastewater_completed boolean NOT NULL DEFAULT false;

CREATE TABLE cluster_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cluster_id bigint NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  from_status text,
  to_status text NOT NULL,
  effective_date date NOT NULL,
  act_number text,
  act_date date,
  act_authority text,
  act_link text,
  note text,
  overrides jsonb NOT NULL DEFAULT '[]',
  rule_results jsonb NOT NULL DEFAULT '[]',
  cluster_version bigint NOT NULL,
  recorded_at timestamptz NOT NULL,
  recorded_by text,
  CONSTRAINT cluster_events_seq_key UNIQUE (cluster_id, seq)
);

CREATE TABLE planning_tasks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL,
  owner_agency text NOT NULL,
  due_date date NOT NULL,
  done_on date,
  cluster_id bigint,
  unit_code text,
  act_number text,
  notes text,
  created_at timestamptz NOT NULL
);
CREATE INDEX planning_tasks_cluster_idx ON planning_tasks (cluster_id);
CREATE INDEX planning_tasks_unit_idx ON planning_tasks (unit_code);

CREATE TABLE zones (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  cluster_id bigint NOT NULL,
  land_use text NOT NULL CHECK (land_use IN ('IND', 'WH', 'ADM', 'GRN', 'WAT', 'UTL', 'WWTP', 'ROAD')),
  label text,
  leasable boolean NOT NULL,
  leased boolean NOT NULL,
  tenant text,
  area_ha double precision NOT NULL,
  geodesic_area_ha double precision NOT NULL,
  version bigint NOT NULL CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text
);
CREATE INDEX zones_cluster_idx ON zones (cluster_id);
CREATE INDEX zones_geom_idx ON zones USING gist (geom);

CREATE TABLE units (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  geom geometry(MultiPolygon, 4326) NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  level text NOT NULL CHECK (level IN ('province', 'district', 'commune')),
  parent_code text,
  valid_from date NOT NULL,
  valid_to date,
  notes text,
  CONSTRAINT units_period_key UNIQUE (code, valid_from),
  CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX units_level_idx ON units (level, valid_from);
CREATE INDEX units_geom_idx ON units USING gist (geom);

CREATE TABLE unit_successions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('split', 'merge', 'rename', 'transfer', 'abolish')),
  from_code text NOT NULL,
  to_code text,
  effective_date date NOT NULL,
  act text
);
