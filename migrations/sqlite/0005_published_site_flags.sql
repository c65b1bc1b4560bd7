-- The published snapshot carries the planning rules' site facts like the working table
-- (0002 added them to `clusters`, 0003 made the snapshot table).
ALTER TABLE clusters_published ADD COLUMN craft_village INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clusters_published ADD COLUMN mountainous INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clusters_published ADD COLUMN roads_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clusters_published ADD COLUMN water_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clusters_published ADD COLUMN wastewater_completed INTEGER NOT NULL DEFAULT 0;
