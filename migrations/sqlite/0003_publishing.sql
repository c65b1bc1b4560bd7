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

-- Metadata a publisher sets per collection (shown in /collections). Keywords: a JSON array.
CREATE TABLE collection_meta (
  collection TEXT PRIMARY KEY,
  title TEXT,
  description TEXT,
  license TEXT,
  attribution TEXT,
  keywords TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT NOT NULL
);
-- The collection documents show the metadata: their tags follow it.
CREATE TRIGGER collection_meta_changed_insert AFTER INSERT ON collection_meta
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = NEW.collection; END;
CREATE TRIGGER collection_meta_changed_update AFTER UPDATE ON collection_meta
BEGIN UPDATE collection_changes SET serial = serial + 1 WHERE collection = NEW.collection; END;
