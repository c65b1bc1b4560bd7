-- Accounts, rights and history (issue 6). Passwords are argon2 PHC strings; tokens and
-- session ids are stored only as SHA-256 hex digests, so a dump grants no access.
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'planner', 'officer', 'viewer')),
  unit_code text,
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  CONSTRAINT users_name_key UNIQUE (name)
);

CREATE TABLE api_tokens (
  token_hash text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  name text NOT NULL,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);

CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text,
  action text NOT NULL,
  target text,
  address text,
  outcome text NOT NULL,
  detail text
);
-- The login rate limit counts recent failures per account and per address.
CREATE INDEX audit_log_actor_idx ON audit_log (action, actor, at);
CREATE INDEX audit_log_address_idx ON audit_log (action, address, at);

ALTER TABLE cluster_versions ADD COLUMN legal_act text;
ALTER TABLE cluster_versions ADD COLUMN reverted_from bigint;
-- `asOf` reads the latest version per cluster written at or before an instant.
CREATE INDEX cluster_versions_written_idx ON cluster_versions (written_at, cluster_id);
