//! A page of items as it is streamed: the head and tail of the `FeatureCollection` around the
//! features, and the reading of one page from a store stream one feature longer than the page
//! (whether a next or previous page exists is known from that one feature, without a count).

use std::collections::VecDeque;

use bytes::Bytes;
use chrono::Utc;
use clusterplan_store::{Cursor, StoreError};
use futures::StreamExt;
use futures::stream::BoxStream;
use serde::Serialize;

use super::links::{Link, PageRead};

/// `{"type":"FeatureCollection","timeStamp":…,"numberMatched":…,"features":[`: the count only
/// when it is at most `bound` (a count beyond it was not finished; OGC API - Features lets a
/// page omit `numberMatched`).
pub(crate) fn items_head(matched: u64, bound: u64) -> String {
    let stamp = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let matched = if matched <= bound { format!(r#","numberMatched":{matched}"#) } else { String::new() };
    format!(r#"{{"type":"FeatureCollection","timeStamp":"{stamp}"{matched},"features":["#)
}

/// The members after the features.
#[derive(Serialize)]
struct Tail<'a> {
    #[serde(rename = "numberReturned")]
    number_returned: u64,
    links: &'a [Link],
}

/// `],"numberReturned":…,"links":[…]}`: closes what [`items_head`] opened.
pub(crate) fn items_tail(returned: u64, links: &[Link]) -> String {
    let tail = serde_json::to_string(&Tail { number_returned: returned, links }).unwrap_or_else(|_| "{}".into());
    // `tail` is `{"numberReturned":…}`: splice its members into the open object.
    format!("],{}", &tail[1..])
}

/// A streamed page's bytes, handed to the response in pieces of about [`Chunks::SIZE`]: a
/// piece per feature cost a chunk header and a `writev` of a few features each (a tenth of the
/// server's CPU on a page of 100).
pub(crate) struct Chunks {
    buf: Vec<u8>,
}

impl Chunks {
    pub(crate) const SIZE: usize = 64 * 1024;

    /// The page's first piece begins with `head`. It grows to [`Chunks::SIZE`] as features
    /// come (a short page allocates what it holds, no more); later pieces start at its size.
    pub(crate) fn new(head: String) -> Self {
        Chunks { buf: head.into_bytes() }
    }

    /// Where the next feature is written; `first`: no comma before it.
    pub(crate) fn feature(&mut self, first: bool) -> &mut Vec<u8> {
        if !first {
            self.buf.push(b',');
        }
        &mut self.buf
    }

    /// The piece to send now, once [`Chunks::SIZE`] is reached.
    pub(crate) fn full(&mut self) -> Option<Bytes> {
        if self.buf.len() < Self::SIZE {
            return None;
        }
        let next = Vec::with_capacity(self.buf.capacity());
        Some(Bytes::from(std::mem::replace(&mut self.buf, next)))
    }

    /// The last piece, ending with `tail`.
    pub(crate) fn finish(mut self, tail: &str) -> Bytes {
        self.buf.extend_from_slice(tail.as_bytes());
        Bytes::from(self.buf)
    }
}

/// Anything a page lists, by its id.
pub(crate) trait Keyed {
    fn key(&self) -> i64;
}

impl Keyed for clusterplan_core::Cluster {
    fn key(&self) -> i64 {
        self.id
    }
}

impl Keyed for clusterplan_core::zones::Zone {
    fn key(&self) -> i64 {
        self.id
    }
}

/// The features of one page, from a store stream asked for `limit + 1`: at most `limit` are
/// given out, and [`PageOf::read`] says what was read. A page before a cursor comes in id
/// order with the extra feature first, so it is gathered (the store gathered it already) and
/// the first dropped when there are `limit + 1`.
pub(crate) struct PageOf<T> {
    limit: u64,
    backwards: bool,
    features: BoxStream<'static, Result<T, StoreError>>,
    gathered: Option<VecDeque<T>>,
    pub(crate) read: PageRead,
}

impl<T: Keyed> PageOf<T> {
    pub(crate) fn new(limit: u32, cursor: Option<Cursor>, features: BoxStream<'static, Result<T, StoreError>>) -> Self {
        let backwards = matches!(cursor, Some(Cursor::Before(_)));
        PageOf { limit: u64::from(limit), backwards, features, gathered: None, read: PageRead::default() }
    }

    /// The next feature of the page, `None` at its end.
    pub(crate) async fn next(&mut self) -> Option<Result<T, StoreError>> {
        if self.backwards && self.gathered.is_none() {
            let mut all = VecDeque::new();
            while let Some(item) = self.features.next().await {
                match item {
                    Ok(feature) => all.push_back(feature),
                    Err(e) => return Some(Err(e)),
                }
            }
            if all.len() as u64 > self.limit {
                all.pop_front();
                self.read.more = true;
            }
            self.gathered = Some(all);
        }
        let item = match &mut self.gathered {
            Some(gathered) => gathered.pop_front().map(Ok),
            None if self.read.returned >= self.limit => {
                // The one feature beyond the page: read, never given out.
                match self.features.next().await {
                    Some(Ok(_)) => self.read.more = true,
                    Some(Err(e)) => return Some(Err(e)),
                    None => {}
                }
                return None;
            }
            None => self.features.next().await,
        }?;
        if let Ok(feature) = &item {
            let id = feature.key();
            self.read.ends = Some(self.read.ends.map_or((id, id), |(first, _)| (first, id)));
            self.read.returned += 1;
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests;
