//! The resolved configuration every part of the server reads (nothing else reads the
//! environment).

use std::net::SocketAddr;
use std::path::PathBuf;

use clusterplan_core::Crs;
use clusterplan_core::rules::RuleSet;
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
    /// Planning rules checked on writes (Decree 32/2024 unless configured otherwise).
    pub rules: RuleSet,
    /// Mark the session cookie `Secure` even without `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Accept PUT, PATCH and DELETE without `If-Match` (for clients such as QGIS that send
    /// none); otherwise they get 428.
    pub allow_writes_without_if_match: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the audit log and the
    /// login limit per address); empty: the socket peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
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
            rules: RuleSet::decree_32_2024(),
            secure_cookies: false,
            allow_writes_without_if_match: false,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Reads rule limits from a JSON file: the keys given replace Decree 32/2024's values, unknown
/// keys are refused so that a typo cannot silently keep the default.
pub fn load_rules(path: &std::path::Path) -> anyhow::Result<RuleSet> {
    use clusterplan_core::rules::DistrictAverage;
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("--rules {}: {e}", path.display()))?;
    let doc: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("--rules {}: not a JSON object: {e}", path.display()))?;
    let mut rules = RuleSet::decree_32_2024();
    for (key, value) in &doc {
        let number = || {
            value
                .as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| anyhow::anyhow!("--rules: {key} must be a non-negative number"))
        };
        match key.as_str() {
            "regime" => {
                value
                    .as_str()
                    .ok_or_else(|| anyhow::anyhow!("--rules: regime must be a string"))?
                    .clone_into(&mut rules.regime);
            }
            "min_area_ha" => rules.min_area_ha = number()?,
            "reduced_min_area_ha" => rules.reduced_min_area_ha = number()?,
            "max_area_ha" => rules.max_area_ha = number()?,
            "expansion_min_occupancy_pct" => rules.expansion_min_occupancy_pct = number()?,
            "establishment_min_average_occupancy_pct" => rules.establishment_min_average_occupancy_pct = number()?,
            "establishment_max_unleased_ha" => rules.establishment_max_unleased_ha = number()?,
            "district_average" => {
                rules.district_average = match value.as_str() {
                    Some("mean_of_clusters") => DistrictAverage::MeanOfClusters,
                    Some("land_weighted") => DistrictAverage::LandWeighted,
                    _ => anyhow::bail!("--rules: district_average must be mean_of_clusters or land_weighted"),
                }
            }
            other => anyhow::bail!("--rules: unknown key {other:?}"),
        }
    }
    anyhow::ensure!(
        rules.reduced_min_area_ha <= rules.min_area_ha && rules.min_area_ha <= rules.max_area_ha,
        "--rules: the limits must satisfy reduced_min_area_ha ≤ min_area_ha ≤ max_area_ha"
    );
    Ok(rules)
}
