-- Who is in each cluster and what is spent on it (issue 18): investors with dated figures and
-- plot leases, their written versions, craft villages and pilot communes, programme budgets.
-- Attribute tables only; the map places investors on their plots and villages at their point.
CREATE TABLE investors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  tax_code TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('infrastructure', 'secondary')),
  form TEXT NOT NULL CHECK (form IN ('enterprise', 'cooperative', 'household')),
  country TEXT,
  vsic TEXT,
  cluster_id INTEGER NOT NULL,
  origin_unit_code TEXT,
  origin_designation_id INTEGER,
  notes TEXT,
  version INTEGER NOT NULL CHECK (version >= 1),
  updated_at TEXT NOT NULL,
  updated_by TEXT
);
CREATE INDEX investors_cluster_idx ON investors (cluster_id);

-- Every written state of an investor's attributes, in the write's own transaction.
CREATE TABLE investor_versions (
  investor_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  author TEXT,
  reason TEXT,
  written_at TEXT NOT NULL,
  name TEXT NOT NULL,
  tax_code TEXT NOT NULL,
  role TEXT NOT NULL,
  form TEXT NOT NULL,
  country TEXT,
  vsic TEXT,
  cluster_id INTEGER NOT NULL,
  origin_unit_code TEXT,
  origin_designation_id INTEGER,
  notes TEXT,
  PRIMARY KEY (investor_id, version)
);

-- Status, capital and workers from a day on (business time): reports read the figures in
-- force at a period's end.
CREATE TABLE investor_figures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  investor_id INTEGER NOT NULL REFERENCES investors (id),
  effective_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('registered', 'building', 'operating', 'stopped', 'left')),
  registered_capital_vnd INTEGER NOT NULL CHECK (registered_capital_vnd >= 0),
  disbursed_capital_vnd INTEGER NOT NULL CHECK (disbursed_capital_vnd >= 0),
  registered_capital_usd REAL CHECK (registered_capital_usd >= 0),
  workers INTEGER NOT NULL CHECK (workers >= 0),
  note TEXT,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT,
  UNIQUE (investor_id, effective_date)
);

CREATE TABLE leases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  investor_id INTEGER NOT NULL REFERENCES investors (id),
  zone_id INTEGER NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT,
  CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX leases_zone_idx ON leases (zone_id);
CREATE INDEX leases_investor_idx ON leases (investor_id);

CREATE TABLE designations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('craft_village', 'pilot_commune')),
  name TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  product TEXT,
  decision_no TEXT,
  decision_date TEXT,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  lon REAL,
  lat REAL,
  cluster_ids TEXT NOT NULL DEFAULT '[]',
  notes TEXT,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT
);

CREATE TABLE budgets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  year INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('central', 'province', 'district', 'other')),
  programme TEXT NOT NULL CHECK (programme IN ('khuyen_cong', 'infrastructure', 'other')),
  cluster_id INTEGER,
  unit_code TEXT,
  planned_vnd INTEGER NOT NULL CHECK (planned_vnd >= 0),
  disbursed_vnd INTEGER NOT NULL CHECK (disbursed_vnd >= 0),
  notes TEXT,
  recorded_at TEXT NOT NULL,
  recorded_by TEXT
);
CREATE INDEX budgets_year_idx ON budgets (year);
