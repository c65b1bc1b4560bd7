//! The store as a whole: its connection pool, backups and restores.
//!
//! - GeoPackage: `VACUUM INTO` writes a consistent copy from one read transaction while
//!   writers go on (WAL); the copy is itself a GeoPackage. A restore copies it to a new path,
//!   opens it as the server would (migrations, `PRAGMA integrity_check`) and only then moves it
//!   into place.
//! - PostGIS: `pg_dump --format=custom` of the database (one snapshot: every transaction
//!   committed before it started is in it, none that committed later), restored with
//!   `pg_restore --single-transaction` into an empty database, then opened (migrations).
//!
//! Either way, every write acknowledged before the backup started is in the backup.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use percent_encoding::percent_decode_str;
use sqlx::{Connection, Database, PgConnection, Row};
use tokio::process::Command;

use crate::{GpkgStore, PostgisStore, SqlStore, StoreConfig, StoreError};

/// Connections of a store's pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Open connections.
    pub size: u32,
    /// Open connections nobody uses.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// What a store reports about itself as a whole.
pub trait Maintenance {
    /// The connection pool's use now.
    fn pool_use(&self) -> PoolUse;
}

impl<B: Database> Maintenance for SqlStore<B> {
    fn pool_use(&self) -> PoolUse {
        PoolUse {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }
}

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The output of a backup, or the GeoPackage a restore would create, exists already.
    #[error("{} exists already; choose a new file", .0.display())]
    Exists(PathBuf),
    /// The GeoPackage to back up does not exist.
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    /// The PostGIS database a restore would fill already holds clusterplan tables.
    #[error("the target database is not empty (it has clusterplan tables); restore into a new, empty database")]
    NotEmpty,
    /// The file is not a backup of this kind of store.
    #[error("{} is not a {expected} backup", .path.display())]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// What was expected.
        expected: &'static str,
    },
    /// `pg_dump` or `pg_restore` failed or could not be started.
    #[error("{tool}: {message}")]
    Tool {
        /// Which tool.
        tool: &'static str,
        /// Its error output, or why it did not start.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.to_owned(), source }
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

/// Writes a consistent copy of the store to `out`, a file that must not exist yet. Works
/// while a server uses the store.
pub async fn backup(config: &StoreConfig, out: &Path) -> Result<(), BackupError> {
    if tokio::fs::try_exists(out).await.map_err(io(out))? {
        return Err(BackupError::Exists(out.to_owned()));
    }
    match config {
        StoreConfig::Gpkg(path) => {
            // Opening would create an empty store: a backup of a missing file is a mistake.
            if !tokio::fs::try_exists(path).await.map_err(io(path))? {
                return Err(BackupError::Missing(path.clone()));
            }
            let store = GpkgStore::open(path).await?;
            let target = out.to_str().ok_or_else(|| BackupError::Io {
                path: out.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path is not UTF-8"),
            })?;
            sqlx::query("VACUUM INTO ?").bind(target).execute(store.pool()).await.map_err(StoreError::from)?;
            store.close().await;
            Ok(())
        }
        StoreConfig::Postgis(url) => {
            let (url, password) = split_password(url);
            let mut command = Command::new("pg_dump");
            command
                .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(out)
                .arg("--dbname")
                .arg(url);
            let done = run("pg_dump", command, password).await;
            if done.is_err() {
                let _ = tokio::fs::remove_file(out).await;
            }
            done
        }
    }
}

/// Restores a backup written by [`backup`] into a store that does not exist yet (a new
/// GeoPackage file, or an empty PostGIS database), then opens it as the server would.
pub async fn restore(input: &Path, config: &StoreConfig) -> Result<(), BackupError> {
    let mut magic = [0u8; 16];
    let head = {
        use tokio::io::AsyncReadExt as _;
        let mut file = tokio::fs::File::open(input).await.map_err(io(input))?;
        let n = file.read(&mut magic).await.map_err(io(input))?;
        &magic[..n]
    };
    match config {
        StoreConfig::Gpkg(path) => {
            if !head.starts_with(SQLITE_MAGIC) {
                return Err(BackupError::WrongFormat { path: input.to_owned(), expected: "GeoPackage" });
            }
            if tokio::fs::try_exists(path).await.map_err(io(path))? {
                return Err(BackupError::Exists(path.clone()));
            }
            // Checked under a temporary name beside the target, moved into place when sound.
            let mut staging = path.clone().into_os_string();
            staging.push(".restoring");
            let staging = PathBuf::from(staging);
            tokio::fs::copy(input, &staging).await.map_err(io(&staging))?;
            let checked = check_gpkg(&staging).await;
            if let Err(e) = checked {
                let _ = tokio::fs::remove_file(&staging).await;
                return Err(e);
            }
            tokio::fs::rename(&staging, path).await.map_err(io(path))?;
            Ok(())
        }
        StoreConfig::Postgis(url) => {
            if !head.starts_with(PG_DUMP_MAGIC) {
                return Err(BackupError::WrongFormat { path: input.to_owned(), expected: "PostGIS (pg_dump)" });
            }
            let mut conn = PgConnection::connect(url).await.map_err(StoreError::from)?;
            let ours: bool = sqlx::query(
                "SELECT to_regclass('public.clusters') IS NOT NULL OR to_regclass('public._sqlx_migrations') IS NOT NULL",
            )
            .fetch_one(&mut conn)
            .await
            .map_err(StoreError::from)?
            .get(0);
            conn.close().await.map_err(StoreError::from)?;
            if ours {
                return Err(BackupError::NotEmpty);
            }
            let (bare, password) = split_password(url);
            let mut command = Command::new("pg_restore");
            command
                .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname"])
                .arg(bare)
                .arg(input);
            run("pg_restore", command, password).await?;
            let store = PostgisStore::connect(url).await?;
            store.close().await;
            Ok(())
        }
    }
}

/// Opens a restored GeoPackage as the server would (pending migrations included) and checks
/// SQLite's integrity.
async fn check_gpkg(path: &Path) -> Result<(), BackupError> {
    let store = GpkgStore::open(path).await?;
    let verdict: String =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(store.pool()).await.map_err(StoreError::from)?;
    store.close().await;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(BackupError::Store(StoreError::Corrupt(format!("integrity check: {verdict}"))))
    }
}

/// The URL without its password, and the password (given to libpq through `PGPASSWORD`, so
/// that it does not show in the process list).
fn split_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let password = parsed.password().map(|p| percent_decode_str(p).decode_utf8_lossy().into_owned());
            if password.is_some() {
                let _ = parsed.set_password(None);
            }
            (parsed.to_string(), password)
        }
        Err(_) => (url.to_owned(), None),
    }
}

async fn run(tool: &'static str, mut command: Command, password: Option<String>) -> Result<(), BackupError> {
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output =
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).output().await.map_err(|e| {
            BackupError::Tool {
                tool,
                message: format!("{e} (PostgreSQL's client tools: apt-get install postgresql-client)"),
            }
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool { tool, message: String::from_utf8_lossy(&output.stderr).trim().to_owned() })
    }
}
