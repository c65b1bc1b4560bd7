//! `clusterplan backup OUT` and `clusterplan restore IN`: the store's own consistent copy
//! (see `clusterplan_store::maintenance`), reported on stdout.

use std::path::Path;

use clusterplan_store::StoreConfig;
use clusterplan_store::maintenance;

/// Writes a backup of the store to `out` (a new file).
pub async fn backup(store: &StoreConfig, out: &Path) -> anyhow::Result<()> {
    maintenance::backup(store, out).await?;
    let bytes = tokio::fs::metadata(out).await?.len();
    println!("backup written to {} ({bytes} bytes)", out.display());
    Ok(())
}

/// Restores `input` into a store that does not exist yet.
pub async fn restore(input: &Path, store: &StoreConfig) -> anyhow::Result<()> {
    maintenance::restore(input, store).await?;
    let target = match store {
        StoreConfig::Gpkg(path) => path.display().to_string(),
        StoreConfig::Postgis(_) => "the PostGIS database".to_owned(),
    };
    println!("restored {} into {target}", input.display());
    Ok(())
}
