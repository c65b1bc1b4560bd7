-- The central wastewater treatment plant's design capacity (m³/day), which the reports under
-- Circular 14/2024/TT-BCT ask for: on the working table, the published snapshot and versions.
ALTER TABLE clusters ADD COLUMN wwtp_capacity_m3_day double precision CHECK (wwtp_capacity_m3_day >= 0);
ALTER TABLE clusters_published ADD COLUMN wwtp_capacity_m3_day double precision;
ALTER TABLE cluster_versions ADD COLUMN wwtp_capacity_m3_day double precision;
