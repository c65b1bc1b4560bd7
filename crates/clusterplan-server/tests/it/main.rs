//! The server's integration tests, one binary: the router on both stores (`router_suite!`), the
//! binary's command line, restarts, and real clients (GDAL, QGIS, `OWSLib`).

#[macro_use]
mod common;

mod accounts;
mod api;
mod clients;
mod crash;
mod deploy;
mod exports;
mod gdal;
mod hardening;
mod hostile_queries;
mod imports;
mod input;
mod limits;
mod malformed_geojson;
mod owslib;
mod paging;
mod planning;
mod qgis;
mod race;
mod registry;
mod restart;
mod rights_matrix;
mod schemathesis;
mod views;
