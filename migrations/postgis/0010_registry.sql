-- Who is in each cluster and what is spent on it (issue 18): investors with dated figures and
-- plot leases, their written versions, craft villages and pilot communes, programme budgets.
-- Attribute tables only; the map places investors on their plots and villages at their point.
CREATE TABLE investors (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  tax_code text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('infrastructure', 'secondary')),
  form text NOT NULL CHECK (form IN ('enterprise', 'cooperative', 'household')),
  country text,
  vsic text,
  cluster_id bigint NOT NULL,
  origin_unit_code text,
  origin_designation_id bigint,
  notes text,
  version bigint NOT NULL CHECK (version >= 1),
  updated_at timestamptz NOT NULL,
  updated_by text
);
CREATE INDEX investors_cluster_idx ON investors (cluster_id);

-- Every written state of an investor's attributes, in the write's own transaction.
CREATE TABLE investor_versions (
  investor_id bigint NOT NULL,
  version bigint NOT NULL,
  author text,
  reason text,
  written_at timestamptz NOT NULL,
  name text NOT NULL,
  tax_code text NOT NULL,
  role text NOT NULL,
  form text NOT NULL,
  country text,
  vsic text,
  cluster_id bigint NOT NULL,
  origin_unit_code text,
  origin_designation_id bigint,
  notes text,
  PRIMARY KEY (investor_id, version)
);

-- Status, capital and workers from a day on (business time): reports read the figures in
-- force at a period's end.
CREATE TABLE investor_figures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  investor_id bigint NOT NULL REFERENCES investors (id),
  effective_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('registered', 'building', 'operating', 'stopped', 'left')),
  registered_capital_vnd bigint NOT NULL CHECK (registered_capital_vnd >= 0),
  disbursed_capital_vnd bigint NOT NULL CHECK (disbursed_capital_vnd >= 0),
  registered_capital_usd double precision CHECK (registered_capital_usd >= 0),
  workers bigint NOT NULL CHECK (workers >= 0),
  note text,
  recorded_at timestamptz NOT NULL,
  recorded_by text,
  UNIQUE (investor_id, effective_date)
);

CREATE TABLE leases (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  investor_id bigint NOT NULL REFERENCES investors (id),
  zone_id bigint NOT NULL,
  start_date date NOT NULL,
  end_date date,
  recorded_at timestamptz NOT NULL,
  recorded_by text,
  CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX leases_zone_idx ON leases (zone_id);
CREATE INDEX leases_investor_idx ON leases (investor_id);

CREATE TABLE designations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('craft_village', 'pilot_commune')),
  name text NOT NULL,
  unit_code text NOT NULL,
  product text,
  decision_no text,
  decision_date date,
  valid_from date NOT NULL,
  valid_to date,
  lon double precision,
  lat double precision,
  cluster_ids text[] NOT NULL DEFAULT '{}',
  notes text,
  recorded_at timestamptz NOT NULL,
  recorded_by text
);

CREATE TABLE budgets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  year bigint NOT NULL,
  source text NOT NULL CHECK (source IN ('central', 'province', 'district', 'other')),
  programme text NOT NULL CHECK (programme IN ('khuyen_cong', 'infrastructure', 'other')),
  cluster_id bigint,
  unit_code text,
  planned_vnd bigint NOT NULL CHECK (planned_vnd >= 0),
  disbursed_vnd bigint NOT NULL CHECK (disbursed_vnd >= 0),
  notes text,
  recorded_at timestamptz NOT NULL,
  recorded_by text
);
CREATE INDEX budgets_year_idx ON budgets (year);
