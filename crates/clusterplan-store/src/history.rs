//! Every written state of every cluster, and the layer as it stood at an instant.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clusterplan_core::Cluster;
use futures::stream::BoxStream;

use crate::{ClusterQuery, StoreError, WriteContext};

/// One version of a feature: a cluster (the default) or a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Version<T = Cluster> {
    /// Feature id.
    pub id: i64,
    /// Version number (1 = creation).
    pub version: i64,
    /// `create`, `update` or `delete`.
    pub operation: String,
    /// Who wrote it.
    pub author: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// The legal act, if any.
    pub legal_act: Option<String>,
    /// The version this one restored, for reverts.
    pub reverted_from: Option<i64>,
    /// When.
    pub written_at: DateTime<Utc>,
    /// The state written; `None` for a deletion (tombstone).
    pub state: Option<T>,
}

/// A comment on a feature. Comments are append-only: there is no way to edit or delete one
/// (the tables' triggers refuse it too), and they outlive the feature's deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Increasing id.
    pub id: i64,
    /// Cluster id.
    pub cluster_id: i64,
    /// The version the comment is about.
    pub version: i64,
    /// Account name of the writer.
    pub author: String,
    /// The text, trimmed, 1 to 4000 characters.
    pub text: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A comment to append.
#[derive(Debug, Clone)]
pub struct NewComment {
    /// Cluster id.
    pub cluster_id: i64,
    /// The version it is about; `None` for the current one.
    pub version: Option<i64>,
    /// Account name of the writer.
    pub author: String,
    /// The text (the server trims and checks its length).
    pub text: String,
    /// The client's address, for the audit log.
    pub address: Option<String>,
}

/// History reads and reverts, and comments on features.
#[async_trait]
pub trait HistoryStore {
    /// Every version of a cluster, oldest first; [`StoreError::NotFound`] when it never existed.
    async fn versions(&self, id: i64) -> Result<Vec<Version>, StoreError>;

    /// One version.
    async fn version(&self, id: i64, version: i64) -> Result<Version, StoreError>;

    /// A cluster as it stood at an instant; [`StoreError::NotFound`] before its creation or
    /// after its deletion.
    async fn cluster_as_of(&self, id: i64, at: DateTime<Utc>) -> Result<Cluster, StoreError>;

    /// How many clusters matched the query at an instant.
    async fn count_clusters_as_of(&self, query: &ClusterQuery, at: DateTime<Utc>) -> Result<u64, StoreError>;

    /// A page of the layer as it stood at an instant, in id order.
    fn stream_clusters_as_of(
        &self,
        query: ClusterQuery,
        at: DateTime<Utc>,
    ) -> BoxStream<'static, Result<Cluster, StoreError>>;

    /// Writes the state of `version` again as a new version (restoring a deleted cluster under
    /// its id); the history is never rewritten. `expected_version` works as in updates.
    async fn revert_cluster(
        &self,
        id: i64,
        version: i64,
        expected_version: Option<i64>,
        ctx: &WriteContext,
    ) -> Result<Cluster, StoreError>;

    /// Appends a comment and its audit row in one transaction. [`StoreError::NotFound`] when
    /// the feature never existed, [`StoreError::Deleted`] when it is deleted now (its comments
    /// stay readable), [`StoreError::Invalid`] when it has no such version.
    async fn add_comment(&self, comment: &NewComment) -> Result<Comment, StoreError>;

    /// A feature's comments, oldest first (also after its deletion); [`StoreError::NotFound`]
    /// when it never existed.
    async fn comments(&self, id: i64) -> Result<Vec<Comment>, StoreError>;
}

/// The audit row that goes with a feature write (`kind` is `cluster` or `zone`), in the write's
/// own transaction.
pub(crate) fn audit_of_write(
    kind: &str,
    id: i64,
    version: i64,
    operation: &str,
    ctx: &WriteContext,
) -> crate::NewAudit {
    let action = if ctx.reverted_from.is_some() { "revert" } else { operation };
    let mut detail = match ctx.reverted_from {
        Some(from) => format!("version {version} restores version {from}"),
        None => format!("version {version}"),
    };
    if let Some(reason) = &ctx.reason {
        detail.push_str(": ");
        detail.push_str(reason);
    }
    crate::NewAudit {
        actor: ctx.author.clone(),
        action: format!("{kind}.{action}"),
        target: Some(format!("{kind}s/{id}")),
        address: ctx.address.clone(),
        outcome: "ok".into(),
        detail: Some(detail),
    }
}

/// The audit row that goes with a comment, in the comment's own transaction.
pub(crate) fn audit_of_comment(comment: &Comment, address: Option<&str>) -> crate::NewAudit {
    crate::NewAudit {
        actor: Some(comment.author.clone()),
        action: "cluster.comment".into(),
        target: Some(format!("clusters/{}", comment.cluster_id)),
        address: address.map(str::to_owned),
        outcome: "ok".into(),
        detail: Some(format!("comment {} on version {}", comment.id, comment.version)),
    }
}

/// Why a comment could not be added, once the insert found no live feature and version:
/// the feature never existed, was deleted, or has no such version.
pub(crate) fn comment_refusal(
    id: i64,
    version: Option<i64>,
    last: Option<(i64, String)>,
    has_version: bool,
) -> StoreError {
    match last {
        None => StoreError::NotFound(id),
        Some((_, operation)) if operation == "delete" => StoreError::Deleted(id),
        Some(_) if !has_version => StoreError::Invalid(format!(
            "feature {id} has no version {}",
            version.map_or_else(|| "?".to_owned(), |v| v.to_string())
        )),
        // The feature and the version are there now: it was deleted and restored meanwhile.
        Some(_) => StoreError::Invalid(format!("feature {id} changed while the comment was written; send it again")),
    }
}

/// Applies a query's bbox and filter (exactly, in Rust), its sort and its paging to a stream of
/// past states in id order; both stores page `asOf` reads here, so they answer the same.
pub(crate) fn page_as_of(
    states: BoxStream<'static, Result<Cluster, StoreError>>,
    query: ClusterQuery,
) -> BoxStream<'static, Result<Cluster, StoreError>> {
    use futures::{StreamExt, TryStreamExt};
    let skip = usize::try_from(query.offset).unwrap_or(usize::MAX);
    let take = query.limit as usize;
    let sort = query.sort().to_vec();
    let (cursor, offset, limit) = (query.cursor, query.offset, query.limit);
    let admitted = states.try_filter(move |c| std::future::ready(query.admits(c))).boxed();
    if sort.is_empty() {
        return crate::paging::page_in_id_order(admitted, |c| c.id, cursor, offset, limit);
    }
    futures::stream::once(async move {
        let mut all: Vec<Cluster> = admitted.try_collect().await?;
        all.sort_by(|a, b| crate::query::compare(&sort, a, b));
        Ok::<_, StoreError>(futures::stream::iter(all.into_iter().skip(skip).take(take).map(Ok)))
    })
    .try_flatten()
    .boxed()
}

/// The message for a revert to a deletion.
pub(crate) fn revert_to_tombstone(id: i64, version: i64) -> StoreError {
    StoreError::Invalid(format!(
        "version {version} of feature {id} is its deletion; revert to a version that has a boundary"
    ))
}
