//! Test support: a fresh PostGIS database per test; an embedded store that never waits for a lock.
//!
//! The admin URL comes from `CLUSTERPLAN_TEST_POSTGRES` (default: the local server,
//! `postgres://postgres@127.0.0.1:5432/postgres`). When PostgreSQL or PostGIS is missing, the
//! tests that need it are skipped with a loud message — unless `CI=true` or
//! `CLUSTERPLAN_REQUIRE_POSTGIS=1`, where a missing PostGIS is a failure.

use sqlx::{Connection, Executor, PgConnection};

/// A database created for one test; call [`TestDb::drop_database`] at the end.
pub struct TestDb {
    /// URL of the new database.
    pub url: String,
    admin_url: String,
    name: String,
}

fn admin_url() -> String {
    std::env::var("CLUSTERPLAN_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether PostGIS tests must run (CI, or asked for).
pub fn postgis_required() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| v == "true" || v == "1");
    set("CI") || set("CLUSTERPLAN_REQUIRE_POSTGIS")
}

/// Creates an empty database with PostGIS available, or `None` (skip) when PostGIS is not
/// there and not required. Panics when required and missing.
pub async fn postgis_database() -> Option<TestDb> {
    match try_create().await {
        Ok(db) => Some(db),
        Err(e) if postgis_required() => panic!("PostGIS is required (CI) but unavailable: {e}"),
        Err(e) => {
            eprintln!("SKIPPED: PostGIS unavailable ({e}); set CLUSTERPLAN_TEST_POSTGRES or run .ci/run");
            None
        }
    }
}

async fn try_create() -> Result<TestDb, sqlx::Error> {
    let admin_url = admin_url();
    let mut admin = PgConnection::connect(&admin_url).await?;
    let available: Option<String> =
        sqlx::query_scalar("SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'")
            .fetch_optional(&mut admin)
            .await?;
    if available.is_none() {
        return Err(sqlx::Error::Configuration("the postgis extension is not installed on the server".into()));
    }
    let name = format!("clusterplan_test_{}", uuid::Uuid::new_v4().simple());
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
    let mut url = url::Url::parse(&admin_url).map_err(|e| sqlx::Error::Configuration(e.into()))?;
    url.set_path(&name);
    Ok(TestDb { url: url.to_string(), admin_url, name })
}

impl TestDb {
    /// Drops the database (closing other sessions on it).
    pub async fn drop_database(self) {
        if let Ok(mut admin) = PgConnection::connect(&self.admin_url).await {
            let _ = admin.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str()).await;
        }
    }
}

/// Generates each named test twice, as `gpkg::name` on a fresh GeoPackage file and
/// `postgis::name` on a fresh PostGIS database (skipped, or failed under CI, without PostGIS).
/// Each name is an `async fn name(store: Arc<dyn Store>)` of the calling test file.
#[macro_export]
macro_rules! store_suite {
    ($($name:ident),+ $(,)?) => {
        mod gpkg {
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let store = $crate::GpkgStore::open(&dir.path().join("test.gpkg")).await.expect("open");
                    super::$name(std::sync::Arc::new(store)).await;
                }
            )+
        }
        mod postgis {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = $crate::testing::postgis_database().await else { return };
                    let store = $crate::PostgisStore::connect(&db.url).await.expect("connect");
                    super::$name(std::sync::Arc::new(store.clone())).await;
                    store.close().await;
                    db.drop_database().await;
                }
            )+
        }
    };
}

/// The embedded store on `path`, where a writer that finds the file locked fails at once
/// ("database is locked") instead of waiting in SQLite's busy handler: the store's own writers
/// must never find it locked, as they take their turns in the process first.
pub async fn gpkg_failing_when_locked(path: &std::path::Path) -> Result<crate::GpkgStore, crate::StoreError> {
    crate::GpkgStore::open_with(path, std::time::Duration::ZERO).await
}
