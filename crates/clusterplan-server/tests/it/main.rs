//! The server's integration tests, one binary: the router on both stores (`router_suite!`), the
//! binary's command line, restarts, and real clients (GDAL).

#[macro_use]
mod common;

mod accounts;
mod api;
mod gdal;
mod input;
mod planning;
mod restart;
mod views;
