-- The published snapshot carries the planning rules' site facts like the working table
-- (0002 added them to `clusters`, 0003 made the snapshot table).
ALTER TABLE clusters_published
  ADD COLUMN craft_village boolean NOT NULL DEFAULT false,
  ADD COLUMN mountainous boolean NOT NULL DEFAULT false,
  ADD COLUMN roads_completed boolean NOT NULL DEFAULT false,
  ADD COLUMN water_completed boolean NOT NULL DEFAULT false,
  ADD COLUMN wastewater_completed boolean NOT NULL DEFAULT false;
