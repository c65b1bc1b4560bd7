//! Drafts and published layers: edits go to the draft (`clusters`); a publication copies it
//! whole into the published snapshot (`clusters_published`, and the zones into
//! `zones_published`) in one transaction.

use chrono::{DateTime, Utc};

/// Which state of a collection a read sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layer {
    /// The working state planners edit.
    #[default]
    Draft,
    /// The state last published, which the public sees.
    Published,
}

impl Layer {
    /// The clusters table of this layer.
    pub(crate) fn table(self) -> &'static str {
        match self {
            Layer::Draft => "clusters",
            Layer::Published => "clusters_published",
        }
    }

    /// The zones table of this layer: a publication snapshots the zones with the clusters.
    pub(crate) fn zones_table(self) -> &'static str {
        match self {
            Layer::Draft => "zones",
            Layer::Published => "zones_published",
        }
    }
}

/// One publication of a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    /// 1, 2, … per collection.
    pub seq: i64,
    /// When it was made.
    pub published_at: DateTime<Utc>,
    /// Who made it.
    pub author: Option<String>,
    /// The publisher's note.
    pub note: Option<String>,
    /// Features in the published state.
    pub feature_count: u64,
}

/// The audit row of a publication, written in the publication's transaction.
pub(crate) fn audit_of_publication(
    feature_count: u64,
    note: Option<&str>,
    ctx: &crate::WriteContext,
) -> crate::NewAudit {
    let mut detail = format!("{feature_count} features");
    if let Some(note) = note {
        detail.push_str(": ");
        detail.push_str(note);
    }
    crate::NewAudit {
        actor: ctx.author.clone(),
        action: "clusters.publish".into(),
        target: Some("clusters".into()),
        address: ctx.address.clone(),
        outcome: "ok".into(),
        detail: Some(detail),
    }
}
