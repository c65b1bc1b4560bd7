//! The map's files: built into the binary from `web/` (after `npm ci --prefix web`), or read
//! from a folder given with `--web-dir` while working on the front end.
//!
//! Only what the pages load is embedded: `index.html`, `app/`, Leaflet's `dist/` (script,
//! style, the images its style names) and Geoman's minified script and style. URLs map onto
//! the `web/` tree as [`web_path`] says; the same paths are read from a `--web-dir` folder.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(rust_embed::Embed)]
#[folder = "../../web/"]
#[include = "index.html"]
#[include = "app/*"]
#[include = "node_modules/leaflet/dist/leaflet.js"]
#[include = "node_modules/leaflet/dist/leaflet.css"]
#[include = "node_modules/leaflet/dist/images/*"]
#[include = "node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js"]
#[include = "node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css"]
struct Embedded;

/// The files without which the map cannot start: checked when the server starts.
pub const REQUIRED: [&str; 5] = [
    "index.html",
    "app/main.js",
    "node_modules/leaflet/dist/leaflet.js",
    "node_modules/leaflet/dist/leaflet.css",
    "node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js",
];

/// URL prefixes of the map and the `web/` folders they read.
const MOUNTS: [(&str, &str); 3] = [
    ("/app/", "app/"),
    ("/vendor/leaflet/", "node_modules/leaflet/dist/"),
    ("/vendor/geoman/", "node_modules/@geoman-io/leaflet-geoman-free/dist/"),
];

/// Where the map's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebAssets {
    /// Built into the binary.
    Embedded,
    /// A folder laid out as `web/` (with `node_modules/`), read on every request.
    Dir(PathBuf),
}

/// One file, ready to send.
#[derive(Debug)]
pub struct Asset {
    /// The bytes.
    pub data: Cow<'static, [u8]>,
    /// Media type guessed from the name.
    pub mime: String,
    /// A strong entity tag (SHA-256 of the content).
    pub etag: String,
}

impl WebAssets {
    /// The file at `path` inside the `web/` tree (no leading slash), when it is there.
    pub async fn get(&self, path: &str) -> Option<Asset> {
        // Map lookups cannot leave the tree; a folder is guarded the same way.
        if path.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            return None;
        }
        match self {
            WebAssets::Embedded => Embedded::get(path).map(|file| Asset {
                mime: file.metadata.mimetype().to_owned(),
                etag: format!("\"{}\"", hex::encode(file.metadata.sha256_hash())),
                data: file.data,
            }),
            WebAssets::Dir(dir) => {
                let data = tokio::fs::read(dir.join(path)).await.ok()?;
                Some(Asset {
                    mime: mime_of(path),
                    etag: format!("\"{}\"", hex::encode(Sha256::digest(&data))),
                    data: Cow::Owned(data),
                })
            }
        }
    }

    /// The required files that are missing (empty when the map can be served).
    pub fn missing(&self) -> Vec<&'static str> {
        REQUIRED
            .into_iter()
            .filter(|path| match self {
                WebAssets::Embedded => Embedded::get(path).is_none(),
                WebAssets::Dir(dir) => !dir.join(path).is_file(),
            })
            .collect()
    }

    /// Where the files come from, for logs and `config check`.
    pub fn describe(&self) -> String {
        match self {
            WebAssets::Embedded => "built into the binary".to_owned(),
            WebAssets::Dir(dir) => dir.display().to_string(),
        }
    }

    /// The folder, when files are read from one.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            WebAssets::Embedded => None,
            WebAssets::Dir(dir) => Some(dir),
        }
    }
}

/// The `web/` path a URL path names, `None` outside the map's mounts.
pub fn web_path(url_path: &str) -> Option<String> {
    MOUNTS.iter().find_map(|(prefix, folder)| url_path.strip_prefix(prefix).map(|rest| format!("{folder}{rest}")))
}

/// Embedded file names, for the test that checks what is built in.
pub fn embedded_files() -> Vec<String> {
    let mut names: Vec<String> = Embedded::iter().map(Cow::into_owned).collect();
    names.sort();
    names
}

fn mime_of(path: &str) -> String {
    mime_guess::from_path(path).first_or_octet_stream().essence_str().to_owned()
}
