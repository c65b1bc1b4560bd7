-- Change serials bumped at commit (issue 21, item 6). The statement triggers of 0003 and 0009
-- bumped `collection_changes` at the first write of a transaction and held that row's lock
-- through every later statement and round trip to COMMIT, so all writers of a collection
-- queued on one row. Deferred constraint triggers run during COMMIT: the row is locked from
-- there to the end of the commit only. A transaction bumps each collection's serial once
-- (a transaction-local setting remembers it), so the serial still changes with every
-- committed write, never with a refused one, and writes by other tools count too.
CREATE FUNCTION bump_collection_serial_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  marker text := 'clusterplan.bumped_' || TG_ARGV[0];
BEGIN
  IF coalesce(current_setting(marker, true), '') <> 'yes' THEN
    UPDATE collection_changes SET serial = serial + 1 WHERE collection = TG_ARGV[0];
    PERFORM set_config(marker, 'yes', true);
  END IF;
  RETURN NULL;
END;
$$;

DROP TRIGGER clusters_changed ON clusters;
CREATE CONSTRAINT TRIGGER clusters_changed AFTER INSERT OR UPDATE OR DELETE ON clusters
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION bump_collection_serial_at_commit('clusters');

DROP TRIGGER zones_changed ON zones;
CREATE CONSTRAINT TRIGGER zones_changed AFTER INSERT OR UPDATE OR DELETE ON zones
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION bump_collection_serial_at_commit('zones');

DROP FUNCTION bump_collection_serial();
