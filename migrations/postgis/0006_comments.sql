-- Comments on features (issue 6): every account but a viewer may comment on any feature, an
-- officer also outside its unit. A comment names the version it was written about and stays
-- when the feature is deleted (history is kept). Comments are append-only: the trigger
-- refuses any change or removal, like the history they belong to.
CREATE TABLE cluster_comments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cluster_id bigint NOT NULL,
  version bigint NOT NULL,
  author text NOT NULL,
  text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
  created_at timestamptz NOT NULL,
  FOREIGN KEY (cluster_id, version) REFERENCES cluster_versions (cluster_id, version)
);
CREATE INDEX cluster_comments_cluster_idx ON cluster_comments (cluster_id, id);

CREATE FUNCTION cluster_comments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'comments are append-only';
END;
$$;
CREATE TRIGGER cluster_comments_no_change BEFORE UPDATE OR DELETE ON cluster_comments
  FOR EACH ROW EXECUTE FUNCTION cluster_comments_append_only();
