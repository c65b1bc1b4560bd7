-- Publishing (issue 5): a change serial per collection, bumped by triggers in the writing
-- transaction itself, so that ETags of tiles and pages change with every committed write —
-- also with writes from other tools (GDAL, QGIS on the file).
CREATE TABLE collection_changes (
  collection TEXT PRIMARY KEY,
  serial INTEGER NOT NULL DEFAULT 0
);
INSERT INTO collection_changes (collection, serial) VALUES ('clusters', 0);

CREATE TRIGGER clusters_changed_insert AFTER INSERT ON clusters
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'clusters'; END;
CREATE TRIGGER clusters_changed_update AFTER UPDATE ON clusters
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'clusters'; END;
CREATE TRIGGER clusters_changed_delete AFTER DELETE ON clusters
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'clusters'; END;
