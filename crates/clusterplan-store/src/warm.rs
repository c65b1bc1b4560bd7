//! Connections handed from one read to the next without sqlx's ping on release.
//!
//! sqlx 0.8 pings every pooled connection when it goes back to the pool (`return_to_pool`:
//! on PostgreSQL a `Sync` and its `ReadyForQuery`, one more round trip per statement; on
//! SQLite a message to the connection's worker thread and back), in case a cancelled query
//! left it in the middle of the protocol. A read that ran to its end knows it did not:
//! [`Lease::done`] keeps its connection here, and the next read takes it unpinged. A lease
//! dropped without `done` (an error, a request cancelled mid-read) goes back to sqlx, which
//! pings it as before.
//!
//! A connection kept here is not handed out again after [`FRESH_FOR`] of disuse: it goes back
//! to sqlx, whose acquire pings a connection that sat idle (a restarted database closes them).
//! A sweeper returns such connections even when no read comes, so the pool's own idle handling
//! and [`sqlx::Pool::close`] see them again; [`Warm::release`] returns them at once.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool};

/// How long a kept connection may go unused and still be handed out without a ping.
pub(crate) const FRESH_FOR: Duration = Duration::from_millis(500);

/// The kept connections of one pool.
pub struct Warm<B: Database> {
    pool: Pool<B>,
    idle: Mutex<Vec<(PoolConnection<B>, Instant)>>,
    /// At most this many are kept; the rest of the pool stays with sqlx (writes take theirs
    /// there).
    keep: usize,
}

impl<B: Database> Warm<B> {
    /// Keeps up to half the pool's connections; a task sweeps out stale ones while the
    /// `Warm` lives (it must be made inside a Tokio runtime, as pools are).
    pub(crate) fn new(pool: Pool<B>) -> Arc<Self> {
        let keep = (pool.options().get_max_connections() as usize / 2).max(1);
        let warm = Arc::new(Warm { pool, idle: Mutex::new(Vec::new()), keep });
        let weak: Weak<Self> = Arc::downgrade(&warm);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FRESH_FOR / 2);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(warm) = weak.upgrade() else { return };
                let stale = Self::take_stale(&mut warm.idle(), Instant::now());
                drop(stale);
            }
        });
        warm
    }

    fn idle(&self) -> MutexGuard<'_, Vec<(PoolConnection<B>, Instant)>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The connections kept since before `now - FRESH_FOR`, taken out (the oldest are first).
    fn take_stale(idle: &mut Vec<(PoolConnection<B>, Instant)>, now: Instant) -> Vec<(PoolConnection<B>, Instant)> {
        let fresh = idle.iter().position(|(_, at)| now.duration_since(*at) < FRESH_FOR).unwrap_or(idle.len());
        idle.drain(..fresh).collect()
    }

    /// A connection for one read: the one kept last if it is fresh, else one from the pool.
    pub(crate) async fn lease(self: &Arc<Self>) -> Result<Lease<B>, sqlx::Error> {
        let (stale, kept) = {
            let mut idle = self.idle();
            (Self::take_stale(&mut idle, Instant::now()), idle.pop())
        };
        // Dropped outside the lock: sqlx pings and keeps (or closes) them.
        drop(stale);
        let conn = match kept {
            Some((conn, _)) => conn,
            None => self.pool.acquire().await?,
        };
        Ok(Lease { conn: Some(conn), warm: Arc::clone(self) })
    }

    /// Gives every kept connection back to the pool (before it is closed).
    pub(crate) fn release(&self) {
        let all = std::mem::take(&mut *self.idle());
        drop(all);
    }
}

impl<B: Database> Drop for Warm<B> {
    fn drop(&mut self) {
        // Handing a connection back spawns a task; without a runtime, let the pool forget it
        // (the socket closes with it) rather than panic.
        if tokio::runtime::Handle::try_current().is_err() {
            for (conn, _) in std::mem::take(&mut *self.idle()) {
                drop(conn.detach());
            }
        }
    }
}

/// One read's connection; [`Lease::done`] when the read ran to its end.
pub(crate) struct Lease<B: Database> {
    conn: Option<PoolConnection<B>>,
    warm: Arc<Warm<B>>,
}

impl<B: Database> Lease<B> {
    /// The read ran to its end: the connection is kept for the next one, unpinged.
    pub(crate) fn done(mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut idle = self.warm.idle();
        if idle.len() < self.warm.keep && !self.warm.pool.is_closed() {
            idle.push((conn, Instant::now()));
        } else {
            drop(idle);
            drop(conn);
        }
    }

    /// The connection is closed when the lease drops, not returned (a transaction left open on
    /// it ends with it).
    pub(crate) fn close_on_drop(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }
}

impl<B: Database> std::ops::Deref for Lease<B> {
    type Target = B::Connection;

    fn deref(&self) -> &B::Connection {
        self.conn.as_ref().expect("a lease holds its connection until done")
    }
}

impl<B: Database> std::ops::DerefMut for Lease<B> {
    fn deref_mut(&mut self) -> &mut B::Connection {
        self.conn.as_mut().expect("a lease holds its connection until done")
    }
}
