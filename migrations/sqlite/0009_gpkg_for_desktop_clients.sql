-- What GDAL and QGIS show of the file. GDAL lists every table of a GeoPackage as a layer
-- unless at least one table is registered as `attributes` in gpkg_contents (its
-- LIST_ALL_TABLES=AUTO): then only registered tables are layers. Registering the
-- publications keeps users, api_tokens, sessions and audit_log (password hashes, token
-- digests, addresses) out of every desktop client's layer list.
INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
VALUES ('publications', 'attributes', 'publications', 'Publications of the clusters layer (what was made public, when, by whom)');

-- GeoPackage 1.3: nothing of 1.4 is used, and GDAL 3.6 warns on opening a 1.4 file.
PRAGMA user_version = 10300;
