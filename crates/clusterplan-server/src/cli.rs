//! Command line and environment, parsed once and resolved into a validated [`Config`].

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clusterplan_store::StoreConfig;

use crate::config::FileConfig;

/// clusterplan: GIS planning service for industrial clusters.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Log lines as text or as JSON objects, one a line (default text; `serve` also reads
    /// `log-format` from its configuration file).
    #[arg(long, env = "CLUSTERPLAN_LOG_FORMAT", global = true)]
    pub log_format: Option<LogFormat>,
}

/// How log lines are written (to stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object a line (time, level, message, fields, the request's span with its id).
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (map, OGC API - Features, GeoJSON).
    Serve(ServeArgs),
    /// Manage accounts (works on the same `--database` as `serve`, also while it runs).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check a configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write a consistent copy of the store to a file, also while `serve` runs (GeoPackage: a
    /// GeoPackage file; PostGIS: a `pg_dump` archive of the database).
    Backup {
        /// The file to write (must not exist).
        out: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Import clusters from a file (GeoJSON, zipped Shapefile, KML/KMZ), checked exactly as
    /// `POST /collections/clusters/import` checks them; prints the report (JSON). Written in
    /// one transaction unless `--dry-run`; nothing is written when a feature is refused.
    Import(Box<ImportArgs>),
    /// Restore a backup into a store that does not exist yet (GeoPackage: a new file;
    /// PostGIS: an empty database), then open it as `serve` would.
    Restore {
        /// A file written by `clusterplan backup`.
        input: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// `clusterplan import …`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file.
    pub file: PathBuf,
    /// The layer imported into (`clusters`, the only one offered).
    #[arg(long, default_value = "clusters")]
    pub layer: String,
    /// Print the preview; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The system of the file's coordinates, over what the file says (e.g. `EPSG:9210`).
    #[arg(long)]
    pub crs: Option<String>,
    /// Shapefile text encoding: `UTF-8`, `windows-1258`, `TCVN3` or `VNI`, over the `.cpg` and detection.
    #[arg(long)]
    pub encoding: Option<String>,
    /// JSON object: source field → property (or null to drop a guessed one).
    #[arg(long)]
    pub mapping: Option<String>,
    /// The layer of the file to read: a GeoPackage's feature table, a workbook's sheet.
    #[arg(long)]
    pub source_layer: Option<String>,
    /// The cluster code of a coordinate table that has no code column.
    #[arg(long)]
    pub code: Option<String>,
    /// A coordinate table's X/Y order: `north_east` (X the northing) or `east_north`, over detection.
    #[arg(long)]
    pub axis_order: Option<String>,
    /// The name recorded as the versions' author.
    #[arg(long = "as", default_value = "import")]
    pub author: String,
    /// The store, planning CRS and rules, as `serve` reads them.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// `clusterplan config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a configuration file together with the environment and the options given, and
    /// print the configuration `serve` would run with (passwords hidden).
    Check {
        /// The TOML file (else `--config` / `CLUSTERPLAN_CONFIG`, else none).
        file: Option<PathBuf>,
        #[command(flatten)]
        serve: Box<ServeArgs>,
    },
}

/// The store an admin command works on: `--database`, else `DATABASE_URL`, else the
/// configuration file's `database`, else `clusterplan.gpkg`.
#[derive(Debug, Args)]
pub struct DatabaseArg {
    /// A file path (embedded GeoPackage store) or a `postgres://` URL (PostGIS).
    #[arg(long, env = "DATABASE_URL")]
    pub database: Option<String>,
    /// The TOML configuration file `serve` reads (for its `database`).
    #[arg(long, env = "CLUSTERPLAN_CONFIG")]
    pub config: Option<PathBuf>,
}

impl DatabaseArg {
    /// The store these options name.
    pub fn store(&self) -> anyhow::Result<StoreConfig> {
        let from_file = match &self.config {
            Some(path) => FileConfig::read(path)?.database,
            None => None,
        };
        Ok(StoreConfig::from_database_arg(
            self.database.as_deref().or(from_file.as_deref()).unwrap_or(crate::config::DEFAULT_DATABASE),
        ))
    }
}

/// `clusterplan user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password comes from `--password`, `CLUSTERPLAN_PASSWORD` or stdin.
    Add {
        /// Login name.
        name: String,
        /// admin, planner, officer or viewer.
        #[arg(long)]
        role: String,
        /// Official code of an officer's administrative unit.
        #[arg(long)]
        unit: Option<String>,
        /// Password (prefer the environment or stdin: command lines are visible to others).
        #[arg(long, env = "CLUSTERPLAN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Set an account's password (an administrator's reset) and end its sessions; the password
    /// comes from `--password`, `CLUSTERPLAN_PASSWORD` or stdin, or `--generate` prints a new one.
    Password {
        /// Login name.
        name: String,
        /// New password (prefer the environment or stdin: command lines are visible to others).
        #[arg(long, env = "CLUSTERPLAN_PASSWORD", hide_env_values = true, conflicts_with = "generate")]
        password: Option<String>,
        /// Generate a random password and print it once.
        #[arg(long)]
        generate: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Disable an account: it can no longer log in, and its sessions and tokens stop working.
    Disable {
        /// Login name.
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// `clusterplan token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for an account; the token is printed on the last line.
    Create {
        /// Account name.
        name: String,
        /// A label for the token (e.g. qgis).
        #[arg(long, default_value = "cli")]
        label: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Revoke a token.
    Revoke {
        /// The token.
        token: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// Options of `clusterplan serve`. Each may also be set in the configuration file (TOML, keys
/// named as the long options: `listen`, `basemap-url`, `trusted-proxies = ["10.0.0.1"]`, …):
/// an option given on the command line wins over its environment variable, which wins over
/// the file, which wins over the default. Switches are on when any of them turns them on.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// The TOML configuration file.
    #[arg(long, env = "CLUSTERPLAN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080].
    #[arg(long, env = "CLUSTERPLAN_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// A file path (embedded GeoPackage store) or a `postgres://` URL (PostGIS)
    /// [default: clusterplan.gpkg].
    #[arg(long, env = "DATABASE_URL")]
    pub database: Option<String>,
    /// Do not seed an empty store with the Bến Tre demo data.
    #[arg(long)]
    pub no_demo: bool,
    /// Serve the map from this folder (laid out as `web/`, with `node_modules/`) instead of
    /// the files built into the binary: for working on the front end.
    #[arg(long, env = "CLUSTERPLAN_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Basemap tile URL template for the map; "none" for no basemap [default: OpenStreetMap].
    #[arg(long, env = "CLUSTERPLAN_BASEMAP_URL")]
    pub basemap_url: Option<String>,
    /// Attribution shown with the basemap [default: © OpenStreetMap contributors].
    #[arg(long, env = "CLUSTERPLAN_BASEMAP_ATTRIBUTION")]
    pub basemap_attribution: Option<String>,
    /// Projected CRS for areas of features that name none (the dataset's VN-2000 TM-3 zone)
    /// [default: EPSG:9210].
    #[arg(long, env = "CLUSTERPLAN_PLANNING_CRS")]
    pub planning_crs: Option<String>,
    /// A JSON file with planning-rule limits replacing Decree 32/2024's (any subset of
    /// `regime`, `min_area_ha`, `reduced_min_area_ha`, `max_area_ha`,
    /// `expansion_min_occupancy_pct`, `establishment_min_average_occupancy_pct`,
    /// `establishment_max_unleased_ha`, `district_average`: `mean_of_clusters`|`land_weighted`).
    #[arg(long, env = "CLUSTERPLAN_RULES")]
    pub rules: Option<PathBuf>,
    /// Largest accepted request body, in bytes [default: 10485760].
    #[arg(long, env = "CLUSTERPLAN_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Always mark the session cookie `Secure` (behind a TLS proxy that sets no
    /// `X-Forwarded-Proto`).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Accept PUT, PATCH and DELETE without `If-Match` (QGIS sends none); without this switch
    /// such writes get 428 Precondition Required.
    #[arg(long, env = "CLUSTERPLAN_ALLOW_WRITES_WITHOUT_IF_MATCH")]
    pub allow_writes_without_if_match: bool,
    /// The address of a reverse proxy in front of the service (repeatable, or comma-separated
    /// in the variable): requests from it are attributed to the client its `X-Forwarded-For`
    /// names, for the audit log and the login limit per address.
    #[arg(long = "trusted-proxy", env = "CLUSTERPLAN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
    /// An address (besides loopback) that may read `/metrics` (repeatable, or comma-separated
    /// in the variable).
    #[arg(long = "metrics-from", env = "CLUSTERPLAN_METRICS_FROM", value_delimiter = ',')]
    pub metrics_from: Vec<IpAddr>,
    /// Memory for rendered vector tiles kept for the next request, in MiB (0: none kept)
    /// [default: 64].
    #[arg(long, env = "CLUSTERPLAN_TILE_CACHE_MIB")]
    pub tile_cache_mib: Option<u64>,
    /// Expensive renders (vector tiles, HTML pages) running at once; more get 503 with
    /// `Retry-After` when none ends within a second [default: 4].
    #[arg(long, env = "CLUSTERPLAN_MAX_RENDERS", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_renders: Option<u32>,
}
