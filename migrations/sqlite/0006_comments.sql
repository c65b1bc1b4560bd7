-- Comments on features (issue 6): every account but a viewer may comment on any feature, an
-- officer also outside its unit. A comment names the version it was written about and stays
-- when the feature is deleted (history is kept). Comments are append-only: the triggers
-- refuse any change or removal, like the history they belong to.
CREATE TABLE cluster_comments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cluster_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  author TEXT NOT NULL,
  text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
  created_at TEXT NOT NULL,
  FOREIGN KEY (cluster_id, version) REFERENCES cluster_versions (cluster_id, version)
);
CREATE INDEX cluster_comments_cluster_idx ON cluster_comments (cluster_id, id);

CREATE TRIGGER cluster_comments_no_update BEFORE UPDATE ON cluster_comments
  BEGIN SELECT RAISE(ABORT, 'comments are append-only'); END;
CREATE TRIGGER cluster_comments_no_delete BEFORE DELETE ON cluster_comments
  BEGIN SELECT RAISE(ABORT, 'comments are append-only'); END;
