//! The resolved configuration every part of the server reads (nothing else reads the
//! environment).

use std::net::SocketAddr;
use std::path::PathBuf;

use clusterplan_core::Crs;
use clusterplan_store::StoreConfig;

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listening address.
    pub listen: SocketAddr,
    /// Which store.
    pub store: StoreConfig,
    /// Seed demo data into an empty store.
    pub seed_demo: bool,
    /// Web front end folder.
    pub web_dir: PathBuf,
    /// Basemap for the map, if any.
    pub basemap: Option<Basemap>,
    /// Default planning CRS for areas.
    pub planning_crs: Crs,
    /// Request body limit in bytes.
    pub max_body_bytes: usize,
    /// Accept PUT, PATCH and DELETE without `If-Match` (for clients such as QGIS that send
    /// none); otherwise they get 428.
    pub allow_writes_without_if_match: bool,
}

/// A basemap tile source.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Basemap {
    /// XYZ URL template.
    pub url: String,
    /// Attribution text.
    pub attribution: String,
}

impl Config {
    /// A configuration for tests: given store, no demo data, the checkout's web folder.
    pub fn for_tests(store: StoreConfig) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            store,
            seed_demo: false,
            web_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web")),
            basemap: None,
            planning_crs: Crs::VN2000_TM3_10545,
            max_body_bytes: 10 * 1024 * 1024,
            allow_writes_without_if_match: false,
        }
    }
}
