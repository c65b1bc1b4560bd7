//! Paging a stream of features that arrives in id order, in Rust: what the stores do where SQL
//! cannot decide a page alone (past states, the GeoPackage's exact bbox and filter tests), and
//! what the server does for an officer's zones. SQL pages the same way (see
//! `sql_store::push_cursor`), so both answer alike.

use std::collections::VecDeque;

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};

use crate::{Cursor, StoreError};

/// One page of `features` (in ascending id order, `id` of each): with a cursor, the first
/// `limit` after it or the last `limit` before it; else `limit` after skipping `offset`. A page
/// before a cursor is gathered (at most `limit` features) and then served in id order.
pub fn page_in_id_order<T: Send + 'static>(
    features: BoxStream<'static, Result<T, StoreError>>,
    id: fn(&T) -> i64,
    cursor: Option<Cursor>,
    offset: u64,
    limit: u32,
) -> BoxStream<'static, Result<T, StoreError>> {
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = limit as usize;
    match cursor {
        None => features.skip(skip).take(take).boxed(),
        Some(after @ Cursor::After(_)) => {
            features.try_skip_while(move |f| std::future::ready(Ok(!after.admits(id(f))))).take(take).boxed()
        }
        Some(before @ Cursor::Before(_)) => futures::stream::once(async move {
            let mut last = VecDeque::with_capacity(take.min(1024));
            let mut below = features.try_take_while(move |f| std::future::ready(Ok(before.admits(id(f))))).boxed();
            while let Some(feature) = below.try_next().await? {
                if last.len() == take {
                    last.pop_front();
                }
                if take > 0 {
                    last.push_back(feature);
                }
            }
            Ok::<_, StoreError>(futures::stream::iter(last.into_iter().map(Ok)))
        })
        .try_flatten()
        .boxed(),
    }
}

#[cfg(test)]
mod tests;
