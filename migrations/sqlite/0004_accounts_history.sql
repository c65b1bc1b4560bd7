-- Accounts, rights and history (issue 6). Passwords are argon2 PHC strings; tokens and
-- session ids are stored only as SHA-256 hex digests, so a copy of this file grants no access.
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'planner', 'officer', 'viewer')),
  unit_code TEXT,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at TEXT NOT NULL,
  CONSTRAINT users_name_key UNIQUE (name)
);

CREATE TABLE api_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT,
  action TEXT NOT NULL,
  target TEXT,
  address TEXT,
  outcome TEXT NOT NULL,
  detail TEXT
);
-- The login rate limit counts recent failures per account and per address.
CREATE INDEX audit_log_actor_idx ON audit_log (action, actor, at);
CREATE INDEX audit_log_address_idx ON audit_log (action, address, at);

ALTER TABLE cluster_versions ADD COLUMN legal_act TEXT;
ALTER TABLE cluster_versions ADD COLUMN reverted_from INTEGER;
-- `asOf` reads the latest version per cluster written at or before an instant.
CREATE INDEX cluster_versions_written_idx ON cluster_versions (written_at, cluster_id);
