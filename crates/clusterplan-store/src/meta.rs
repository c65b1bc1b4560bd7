//! Collection metadata set by a publisher: what catalogues and the public map show.

use chrono::{DateTime, Utc};

/// Title, description, license, attribution and keywords of a collection; `None`/empty
/// where the publisher set nothing (the server then shows its defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectionMeta {
    /// Human title.
    pub title: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// License name or URL.
    pub license: Option<String>,
    /// Attribution text shown with the data.
    pub attribution: Option<String>,
    /// Keywords, in the publisher's order.
    pub keywords: Vec<String>,
    /// When the metadata was last set (`None` until it is).
    pub updated_at: Option<DateTime<Utc>>,
}
