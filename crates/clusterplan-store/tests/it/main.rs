//! The store's integration tests, one binary: each module runs its suite on a fresh GeoPackage
//! file and on a fresh PostGIS database (see `clusterplan_store::store_suite`).

mod accounts_history;
mod backup;
mod behaviour;
mod cql2_examples;
mod filter;
mod gpkg_file;
mod keyset;
mod postgis;
mod publishing;
mod support;
mod zone_history;
