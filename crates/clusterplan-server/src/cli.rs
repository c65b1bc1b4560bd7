//! Command line and environment, parsed once and resolved into a validated [`Config`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clusterplan_core::Crs;
use clusterplan_store::StoreConfig;

use crate::config::{Basemap, Config};

/// clusterplan: GIS planning service for industrial clusters.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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
}

/// The store an admin command works on.
#[derive(Debug, Args)]
pub struct DatabaseArg {
    /// A file path (embedded GeoPackage store) or a `postgres://` URL (PostGIS).
    #[arg(long, env = "DATABASE_URL", default_value = "clusterplan.gpkg")]
    pub database: String,
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

/// Options of `clusterplan serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "CLUSTERPLAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A file path (embedded GeoPackage store) or a `postgres://` URL (PostGIS).
    #[arg(long, env = "DATABASE_URL", default_value = "clusterplan.gpkg")]
    pub database: String,
    /// Do not seed an empty store with the Bến Tre demo data.
    #[arg(long)]
    pub no_demo: bool,
    /// Folder of the web front end (`index.html`, `app/`, `node_modules/`).
    #[arg(long, env = "CLUSTERPLAN_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Basemap tile URL template for the map; "none" for no basemap.
    #[arg(long, env = "CLUSTERPLAN_BASEMAP_URL", default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png")]
    pub basemap_url: String,
    /// Attribution shown with the basemap.
    #[arg(long, env = "CLUSTERPLAN_BASEMAP_ATTRIBUTION", default_value = "© OpenStreetMap contributors")]
    pub basemap_attribution: String,
    /// Projected CRS for areas of features that name none (the dataset's VN-2000 TM-3 zone).
    #[arg(long, env = "CLUSTERPLAN_PLANNING_CRS", default_value = "EPSG:9210")]
    pub planning_crs: String,
    /// A JSON file with planning-rule limits replacing Decree 32/2024's (any subset of
    /// `regime`, `min_area_ha`, `reduced_min_area_ha`, `max_area_ha`,
    /// `expansion_min_occupancy_pct`, `establishment_min_average_occupancy_pct`,
    /// `establishment_max_unleased_ha`, `district_average`: `mean_of_clusters`|`land_weighted`).
    #[arg(long, env = "CLUSTERPLAN_RULES")]
    pub rules: Option<PathBuf>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "CLUSTERPLAN_MAX_BODY_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_body_bytes: usize,
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
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl ServeArgs {
    /// Checks the options and resolves defaults.
    pub fn resolve(self) -> anyhow::Result<Config> {
        let planning_crs = Crs::parse(&self.planning_crs)?;
        anyhow::ensure!(
            planning_crs.is_vn2000_projected(),
            "--planning-crs must be a VN-2000 projected system (TM-3 zone or UTM), not {planning_crs}"
        );
        let web_dir = self.web_dir.unwrap_or_else(default_web_dir);
        let basemap = (!self.basemap_url.eq_ignore_ascii_case("none"))
            .then_some(Basemap { url: self.basemap_url, attribution: self.basemap_attribution });
        Ok(Config {
            listen: self.listen,
            store: StoreConfig::from_database_arg(&self.database),
            seed_demo: !self.no_demo,
            web_dir,
            basemap,
            planning_crs,
            max_body_bytes: self.max_body_bytes,
            rules: match &self.rules {
                Some(path) => crate::config::load_rules(path)?,
                None => clusterplan_core::rules::RuleSet::decree_32_2024(),
            },
            secure_cookies: self.secure_cookies,
            allow_writes_without_if_match: self.allow_writes_without_if_match,
            trusted_proxies: self.trusted_proxies,
        })
    }
}

/// `./web` when run from a checkout, else the checkout this binary was built from.
fn default_web_dir() -> PathBuf {
    let here = PathBuf::from("web");
    if here.join("index.html").is_file() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web"))
}
