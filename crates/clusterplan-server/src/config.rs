//! The resolved configuration every part of the server reads (nothing else reads the
//! environment), and the configuration file.
//!
//! Precedence, for each option: command line, then environment, then the file (`--config`,
//! `CLUSTERPLAN_CONFIG`), then the default. Switches (`no-demo`, `secure-cookies`,
//! `allow-writes-without-if-match`) are on when any of them turns them on.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use clusterplan_core::Crs;
use clusterplan_core::rules::RuleSet;
use clusterplan_store::StoreConfig;
use serde::{Deserialize, Serialize};

use crate::assets::WebAssets;
use crate::cli::{LogFormat, ServeArgs};

/// The store when none is named.
pub const DEFAULT_DATABASE: &str = "clusterplan.gpkg";
const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);
const DEFAULT_BASEMAP_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const DEFAULT_BASEMAP_ATTRIBUTION: &str = "© OpenStreetMap contributors";
const DEFAULT_PLANNING_CRS: &str = "EPSG:9210";
const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listening address.
    pub listen: SocketAddr,
    /// Which store.
    pub store: StoreConfig,
    /// Seed demo data into an empty store.
    pub seed_demo: bool,
    /// Where the map's files come from.
    pub web: WebAssets,
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
    pub trusted_proxies: Vec<IpAddr>,
    /// Addresses besides loopback that may read `/metrics`.
    pub metrics_from: Vec<IpAddr>,
    /// Log lines as text or JSON.
    pub log_format: LogFormat,
    /// Bytes of rendered vector tiles kept in memory (0: none).
    pub tile_cache_bytes: u64,
    /// Expensive renders (vector tiles, HTML pages) running at once; beyond, 503.
    pub max_renders: usize,
    /// Item pages give `numberMatched` when at most this many features match, counted no
    /// further ([`MATCHED_EXACT_UP_TO`]; lowered by tests); beyond, they omit it.
    pub matched_exact_up_to: u64,
    /// The version of each feature last sent to each client: the base of writes sent without
    /// `If-Match` (`precondition.rs`). Shared by the clones of this configuration.
    pub reads: crate::precondition::ReadLog,
}

/// Default of `--tile-cache-mib`.
pub const DEFAULT_TILE_CACHE_MIB: u64 = 64;
/// Default of `--max-renders`: a small multiple of the cores of a small server.
pub const DEFAULT_MAX_RENDERS: u32 = 4;
/// Up to how many matching features an item page counts for `numberMatched` (OGC API -
/// Features lets a server omit it): a bounded count costs at most this many index entries,
/// where an exact one reads the whole match on every page.
pub const MATCHED_EXACT_UP_TO: u64 = 10_000;

/// A basemap tile source.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
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
            web: WebAssets::Embedded,
            basemap: None,
            planning_crs: Crs::VN2000_TM3_10545,
            max_body_bytes: 10 * 1024 * 1024,
            rules: RuleSet::decree_32_2024(),
            secure_cookies: false,
            allow_writes_without_if_match: false,
            trusted_proxies: Vec::new(),
            tile_cache_bytes: DEFAULT_TILE_CACHE_MIB * 1024 * 1024,
            max_renders: DEFAULT_MAX_RENDERS as usize,
            matched_exact_up_to: MATCHED_EXACT_UP_TO,
            metrics_from: Vec::new(),
            log_format: LogFormat::Text,
            reads: crate::precondition::ReadLog::default(),
        }
    }

    /// Resolves `serve`'s options (command line and environment, as clap gave them) over the
    /// configuration file they name and the defaults, and checks the result.
    pub fn resolve(args: ServeArgs, log_format: Option<LogFormat>) -> anyhow::Result<Config> {
        let file = match &args.config {
            Some(path) => FileConfig::read(path)?,
            None => FileConfig::default(),
        };
        let planning_crs = args.planning_crs.or(file.planning_crs).unwrap_or_else(|| DEFAULT_PLANNING_CRS.to_owned());
        let planning_crs = Crs::parse(&planning_crs)?;
        anyhow::ensure!(
            planning_crs.is_vn2000_projected(),
            "planning-crs must be a VN-2000 projected system (TM-3 zone or UTM), not {planning_crs}"
        );
        let web = match args.web_dir.or(file.web_dir) {
            Some(dir) => WebAssets::Dir(dir),
            None => WebAssets::Embedded,
        };
        let missing = web.missing();
        anyhow::ensure!(missing.is_empty(), "{}", missing_assets_message(&web, &missing));
        let basemap_url = args.basemap_url.or(file.basemap_url).unwrap_or_else(|| DEFAULT_BASEMAP_URL.to_owned());
        let attribution = args
            .basemap_attribution
            .or(file.basemap_attribution)
            .unwrap_or_else(|| DEFAULT_BASEMAP_ATTRIBUTION.to_owned());
        let basemap = (!basemap_url.eq_ignore_ascii_case("none")).then_some(Basemap { url: basemap_url, attribution });
        let rules = match args.rules.or(file.rules) {
            Some(path) => load_rules(&path)?,
            None => RuleSet::decree_32_2024(),
        };
        let or_file = |given: Vec<IpAddr>, from_file: Option<Vec<IpAddr>>| {
            if given.is_empty() { from_file.unwrap_or_default() } else { given }
        };
        let database = args.database.or(file.database).unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        Ok(Config {
            listen: args.listen.or(file.listen).unwrap_or(DEFAULT_LISTEN),
            store: StoreConfig::from_database_arg(&database),
            seed_demo: !(args.no_demo || file.no_demo.unwrap_or(false)),
            web,
            basemap,
            planning_crs,
            max_body_bytes: args.max_body_bytes.or(file.max_body_bytes).unwrap_or(DEFAULT_MAX_BODY_BYTES),
            rules,
            secure_cookies: args.secure_cookies || file.secure_cookies.unwrap_or(false),
            allow_writes_without_if_match: args.allow_writes_without_if_match
                || file.allow_writes_without_if_match.unwrap_or(false),
            trusted_proxies: or_file(args.trusted_proxies, file.trusted_proxies),
            metrics_from: or_file(args.metrics_from, file.metrics_from),
            log_format: log_format.or(file.log_format).unwrap_or_default(),
            tile_cache_bytes: args
                .tile_cache_mib
                .or(file.tile_cache_mib)
                .unwrap_or(DEFAULT_TILE_CACHE_MIB)
                .saturating_mul(1024 * 1024),
            max_renders: args.max_renders.or(file.max_renders).unwrap_or(DEFAULT_MAX_RENDERS).max(1) as usize,
            matched_exact_up_to: MATCHED_EXACT_UP_TO,
            reads: crate::precondition::ReadLog::default(),
        })
    }

    /// The configuration as a file that would give it, passwords in database URLs hidden; the
    /// rules file is named by what it sets (the file name was resolved already).
    pub fn to_toml(&self) -> String {
        let database = match &self.store {
            StoreConfig::Gpkg(path) => path.display().to_string(),
            StoreConfig::Postgis(url) => redact_password(url),
        };
        let shown = FileConfig {
            listen: Some(self.listen),
            database: Some(database),
            no_demo: Some(!self.seed_demo),
            web_dir: self.web.dir().map(Path::to_path_buf),
            basemap_url: Some(self.basemap.as_ref().map_or_else(|| "none".to_owned(), |b| b.url.clone())),
            basemap_attribution: self.basemap.as_ref().map(|b| b.attribution.clone()),
            planning_crs: Some(self.planning_crs.to_string()),
            rules: None,
            max_body_bytes: Some(self.max_body_bytes),
            secure_cookies: Some(self.secure_cookies),
            allow_writes_without_if_match: Some(self.allow_writes_without_if_match),
            trusted_proxies: Some(self.trusted_proxies.clone()),
            metrics_from: Some(self.metrics_from.clone()),
            log_format: Some(self.log_format),
            tile_cache_mib: Some(self.tile_cache_bytes / (1024 * 1024)),
            max_renders: Some(u32::try_from(self.max_renders).unwrap_or(u32::MAX)),
        };
        let mut text = format!("# the map's files: {}\n# planning rules: {}\n", self.web.describe(), self.rules.regime);
        text.push_str(&toml::to_string(&shown).expect("the configuration is plain data"));
        text
    }
}

/// A `postgres://` URL with its password replaced by `***`.
fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "(not a valid URL)".to_owned(),
    }
}

fn missing_assets_message(web: &WebAssets, missing: &[&str]) -> String {
    match web {
        WebAssets::Embedded => format!(
            "this binary was built without the map's files ({}): run `npm ci --prefix web` and build again \
             (`make run` does both), or serve them from a folder with --web-dir",
            missing.join(", ")
        ),
        WebAssets::Dir(dir) => format!(
            "--web-dir {} lacks {} (for node_modules: `npm ci --prefix {}`)",
            dir.display(),
            missing.join(", "),
            dir.display()
        ),
    }
}

/// The configuration file: every `serve` option by its long name, all optional. Unknown keys
/// are errors, so that a typo cannot silently keep a default. Relative paths (`database` as a
/// file, `web-dir`, `rules`) are taken from the file's folder.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--database`.
    pub database: Option<String>,
    /// `--no-demo`.
    pub no_demo: Option<bool>,
    /// `--web-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_dir: Option<PathBuf>,
    /// `--basemap-url`.
    pub basemap_url: Option<String>,
    /// `--basemap-attribution`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basemap_attribution: Option<String>,
    /// `--planning-crs`.
    pub planning_crs: Option<String>,
    /// `--rules`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<PathBuf>,
    /// `--max-body-bytes`.
    pub max_body_bytes: Option<usize>,
    /// `--secure-cookies`.
    pub secure_cookies: Option<bool>,
    /// `--allow-writes-without-if-match`.
    pub allow_writes_without_if_match: Option<bool>,
    /// `--trusted-proxy`, as a list.
    pub trusted_proxies: Option<Vec<IpAddr>>,
    /// `--metrics-from`, as a list.
    pub metrics_from: Option<Vec<IpAddr>>,
    /// `--log-format`.
    pub log_format: Option<LogFormat>,
    /// `--tile-cache-mib`.
    pub tile_cache_mib: Option<u64>,
    /// `--max-renders`.
    pub max_renders: Option<u32>,
}

impl FileConfig {
    /// Reads and checks a file; relative paths in it are made relative to its folder.
    pub fn read(path: &Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("config {}: {e}", path.display()))?;
        let mut file: FileConfig =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("config {}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let anchor = |p: PathBuf| if p.is_relative() { base.join(p) } else { p };
        file.web_dir = file.web_dir.map(anchor);
        file.rules = file.rules.map(anchor);
        if let Some(database) = &file.database
            && let StoreConfig::Gpkg(p) = StoreConfig::from_database_arg(database)
        {
            file.database = Some(anchor(p).display().to_string());
        }
        Ok(file)
    }
}

/// Reads rule limits from a JSON file: the keys given replace Decree 32/2024's values, unknown
/// keys are refused so that a typo cannot silently keep the default.
pub fn load_rules(path: &Path) -> anyhow::Result<RuleSet> {
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
