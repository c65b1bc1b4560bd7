//! Write transactions, and on SQLite their turns and shared commits.
//!
//! SQLite has one write lock for the whole file, and a commit in `synchronous = FULL` costs a
//! sync of the WAL to the disk. Two things follow for the embedded store:
//!
//! - **Turns.** A connection that finds the lock taken waits in its busy handler, which sleeps
//!   (1, 2, 5, 10, … up to 100 ms) and tries again: nobody wakes it when the lock frees, and a
//!   writer that just arrived may take the lock before one that has slept for a second. So each
//!   write first takes its turn here, in the order writers came (a Tokio mutex hands itself to
//!   its waiters in order, the moment it is released), and only then touches the database. The
//!   busy handler still guards the file against other processes (a second server, GDAL writing
//!   into the GeoPackage); between this process's own writers it no longer waits.
//! - **Shared commits.** A writer that finishes while others wait for their turn does not
//!   commit: it releases its savepoint into the open transaction (a *batch*) and hands the
//!   batch on. The writer that finds nobody waiting (or the batch full) commits it, once, for
//!   all of them, and each learns the outcome before it answers. A write is acknowledged only
//!   after the commit that holds it; a write that fails rolls back to its own savepoint and
//!   leaves the others in; a batch that fails as a whole (its commit, or SQLite rolling the
//!   transaction back by itself after an I/O error) fails every write in it. The commit runs in
//!   a task of its own, so a request cancelled meanwhile cannot leave its writers in doubt.
//!
//! PostgreSQL writers of different rows run in parallel and PostgreSQL groups concurrent
//! commits itself: there a write transaction is a plain transaction of the pool.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use sqlx::{Database, Transaction, TransactionManager};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::StoreError;
use crate::backend::Backend;
use crate::warm::{Lease, Warm};

/// At most this many writes share one commit (each waits for the last of them).
pub(crate) const BATCH: usize = 32;

type Manager<B> = <B as Database>::TransactionManager;

/// The writers of one store (shared by its clones).
pub(crate) struct Writers<B: Database> {
    /// Whose turn it is; holds the batch a finished writer left open for the next.
    slot: Arc<Mutex<Option<Batch<B>>>>,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    /// Writers waiting for their turn.
    waiting: AtomicUsize,
    /// Numbers batches, so that a writer knows whether the open one is its own.
    batches: AtomicUsize,
    /// Batches committed, and the writes they held.
    commits: AtomicU64,
    writes: AtomicU64,
}

/// How the embedded store's writes were committed since it opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteStats {
    /// Write transactions committed.
    pub writes: u64,
    /// Commits (each a sync of the WAL) that held them.
    pub commits: u64,
}

impl<B: Database> Clone for Writers<B> {
    fn clone(&self) -> Self {
        Writers { slot: Arc::clone(&self.slot), counts: Arc::clone(&self.counts) }
    }
}

impl<B: Database> Default for Writers<B> {
    fn default() -> Self {
        Writers { slot: Arc::default(), counts: Arc::default() }
    }
}

impl<B: Database> Writers<B> {
    pub(crate) fn stats(&self) -> WriteStats {
        WriteStats {
            writes: self.counts.writes.load(Ordering::Relaxed),
            commits: self.counts.commits.load(Ordering::Relaxed),
        }
    }
}

/// The outcome of a batch's commit, as its writers learn it: `None` until it is known.
type Outcome = Option<Result<(), String>>;

/// An open transaction on a kept connection, holding the writes whose savepoints were released
/// into it.
struct Batch<B: Database> {
    /// `None` once the transaction has ended (committed, or rolled back cleanly).
    conn: Option<Lease<B>>,
    number: usize,
    /// Writes released into it, waiting for its commit.
    members: usize,
    outcome: watch::Sender<Outcome>,
    /// Set when SQLite rolled the whole transaction back by itself (an I/O error, a full
    /// disk): the writes released into it are gone, and must not be reported as committed.
    rolled_back: Arc<AtomicBool>,
    counts: Arc<Counts>,
}

impl<B: Database> Batch<B> {
    fn conn(&mut self) -> &mut Lease<B> {
        self.conn.as_mut().expect("a batch holds its connection until it ends")
    }

    /// Commits, once, in a task of its own (a cancelled request does not stop it), and tells
    /// every writer in it.
    async fn commit(mut self) -> Result<(), StoreError> {
        let task = tokio::spawn(async move {
            let result = if self.rolled_back.load(Ordering::Acquire) {
                Err("the database rolled the transaction back".to_owned())
            } else {
                Manager::<B>::commit(self.conn()).await.map_err(|e| e.to_string())
            };
            if result.is_ok() {
                self.counts.commits.fetch_add(1, Ordering::Relaxed);
                self.counts.writes.fetch_add(self.members as u64, Ordering::Relaxed);
                // Ended cleanly: the connection is kept for the next read, unpinged.
                if let Some(conn) = self.conn.take() {
                    conn.done();
                }
            }
            self.outcome.send_replace(Some(result.clone()));
            result
        });
        match task.await {
            Ok(result) => result.map_err(batch_failed),
            Err(e) => Err(batch_failed(e)),
        }
    }
}

impl<B: Database> Drop for Batch<B> {
    /// A batch dropped before it ended (its commit failed, SQLite rolled it back, a request
    /// was cancelled in the middle of a savepoint's statement): its connection is closed, not
    /// returned, which rolls the transaction back whole. Its writers learn it from the
    /// outcome's sender, dropped unsent.
    fn drop(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }
}

fn batch_failed(why: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(sqlx::Error::Protocol(format!("the shared commit of this write failed: {why}")))
}

impl<B: Backend> Writers<B> {
    /// This writer's turn, the batch left open for it taken out (when it is still sound).
    async fn turn(&self) -> (OwnedMutexGuard<Option<Batch<B>>>, Option<Batch<B>>) {
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.counts.waiting.fetch_add(1, Ordering::AcqRel);
        let waiting = Waiting(&self.counts.waiting);
        let mut slot = Arc::clone(&self.slot).lock_owned().await;
        drop(waiting);
        // One that SQLite rolled back is dropped (its writers learn it failed).
        let open = slot.take().filter(|b| !b.rolled_back.load(Ordering::Acquire));
        (slot, open)
    }

    /// A write transaction on SQLite: in this writer's turn, a savepoint in the open batch (or
    /// in a new one, begun with `BEGIN IMMEDIATE` on a kept connection).
    pub(crate) async fn begin_batched(&self, warm: &Arc<Warm<B>>) -> Result<Tx<B>, StoreError> {
        let (slot, open) = self.turn().await;
        let mut batch = if let Some(batch) = open {
            batch
        } else {
            // The batch owns its connection before its transaction begins: a request cancelled
            // anywhere in between drops the batch, which closes the connection (and with it the
            // transaction) rather than return it to the pool with the write lock held.
            let rolled_back = Arc::new(AtomicBool::new(false));
            let mut batch = Batch {
                conn: Some(warm.lease().await?),
                number: self.counts.batches.fetch_add(1, Ordering::Relaxed),
                members: 0,
                outcome: watch::Sender::new(None),
                rolled_back: Arc::clone(&rolled_back),
                counts: Arc::clone(&self.counts),
            };
            B::on_rollback(batch.conn(), rolled_back).await?;
            // IMMEDIATE: the write lock at once. A deferred transaction would hold a read
            // snapshot when it asks for the lock, and SQLite answers "database is locked" at
            // once, without waiting, when another process wrote in between.
            Manager::<B>::begin(batch.conn(), Some("BEGIN IMMEDIATE".into())).await?;
            batch
        };
        Manager::<B>::begin(batch.conn(), None).await?;
        Ok(Tx(Inner::Batched { batch, slot, writers: self.clone() }))
    }
}

/// A write transaction: used as the connection it runs on ([`Tx::commit`] or drop to end it).
pub(crate) struct Tx<B: Database>(Inner<B>);

enum Inner<B: Database> {
    /// PostgreSQL: a transaction of the pool.
    Pooled(Transaction<'static, B>),
    /// SQLite: a savepoint in a batch, in this writer's turn.
    Batched { batch: Batch<B>, slot: OwnedMutexGuard<Option<Batch<B>>>, writers: Writers<B> },
    /// Ended (by [`Tx::commit`], [`Tx::rollback`] or drop).
    Taken,
}

impl<B: Database> Tx<B> {
    /// A transaction of the pool (PostgreSQL).
    pub(crate) fn pooled(tx: Transaction<'static, B>) -> Self {
        Tx(Inner::Pooled(tx))
    }

    /// Commits: on SQLite, returns once the batch that holds this write is committed.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        match std::mem::replace(&mut self.0, Inner::Taken) {
            Inner::Pooled(tx) => Ok(tx.commit().await?),
            Inner::Batched { mut batch, slot, writers } => {
                // Release this write's savepoint into the batch.
                Manager::<B>::commit(batch.conn()).await?;
                batch.members += 1;
                if writers.counts.waiting.load(Ordering::Acquire) == 0 || batch.members >= BATCH {
                    // Nobody comes after: commit now, for every write in it.
                    let result = batch.commit().await;
                    drop(slot);
                    return result;
                }
                // Hand the batch on and wait for the commit that holds this write, in a task of
                // its own: should this request be cancelled (and every other writer in the
                // batch too), the task still sees the batch committed, rather than left open
                // with its writes unseen and the file's write lock held until the next write.
                let (number, outcome) = (batch.number, batch.outcome.subscribe());
                leave(slot, batch);
                match tokio::spawn(wait_for_commit(writers, number, outcome)).await {
                    Ok(result) => result,
                    Err(e) => Err(batch_failed(e)),
                }
            }
            Inner::Taken => unreachable!("a transaction is taken only by its end"),
        }
    }

    /// Rolls back this write (on SQLite, to its savepoint; the batch goes on).
    pub(crate) async fn rollback(mut self) -> Result<(), StoreError> {
        match std::mem::replace(&mut self.0, Inner::Taken) {
            Inner::Pooled(tx) => Ok(tx.rollback().await?),
            Inner::Batched { mut batch, slot, .. } => {
                Manager::<B>::rollback(batch.conn()).await?;
                after_savepoint(slot, batch);
                Ok(())
            }
            Inner::Taken => unreachable!("a transaction is taken only by its end"),
        }
    }
}

/// After a write's savepoint was rolled back (or its rollback queued): the batch is left for
/// the next writer when writes are in it (they wait for its commit); else its transaction is
/// rolled back too (queued: the connection's next user runs it first) and the connection kept.
fn after_savepoint<B: Database>(slot: OwnedMutexGuard<Option<Batch<B>>>, mut batch: Batch<B>) {
    if batch.members > 0 {
        leave(slot, batch);
        return;
    }
    Manager::<B>::start_rollback(batch.conn());
    if let Some(conn) = batch.conn.take() {
        conn.done();
    }
}

/// Leaves the open batch for the next writer, and ends this writer's turn.
fn leave<B: Database>(mut slot: OwnedMutexGuard<Option<Batch<B>>>, batch: Batch<B>) {
    *slot = Some(batch);
}

/// Waits for the commit of batch `number`, which this writer left open. Its writers queue for
/// a turn meanwhile: when one gets it and finds the batch still open (nobody came to take it
/// on), it commits it itself, so that every batch ends.
async fn wait_for_commit<B: Database>(
    writers: Writers<B>,
    number: usize,
    mut outcome: watch::Receiver<Outcome>,
) -> Result<(), StoreError> {
    let told = |o: &Outcome| o.is_some();
    tokio::select! {
        biased;
        // (The guard the wait returns is dropped at once: it must not live across an await.)
        () = async { drop(outcome.wait_for(told).await) } => {}
        mut slot = Arc::clone(&writers.slot).lock_owned() => {
            if let Some(batch) = slot.take_if(|b| b.number == number) {
                let result = batch.commit().await;
                drop(slot);
                return result;
            }
            // Taken on or ended already: its outcome was sent (or its sender dropped) before
            // the turn passed on.
        }
    }
    match outcome.wait_for(told).await.map(|o| o.clone()) {
        Ok(Some(Ok(()))) => Ok(()),
        Ok(Some(Err(why))) => Err(batch_failed(why)),
        // The batch was dropped before it ended: rolled back whole.
        Ok(None) | Err(_) => Err(batch_failed("the transaction was rolled back")),
    }
}

impl<B: Database> Drop for Tx<B> {
    /// A write that ends without a commit (an error, a cancelled request): on SQLite its
    /// savepoint is rolled back (queued on the connection, run before its next statement) and
    /// the batch goes on, or ends when no write is in it.
    fn drop(&mut self) {
        if let Inner::Batched { mut batch, slot, .. } = std::mem::replace(&mut self.0, Inner::Taken) {
            Manager::<B>::start_rollback(batch.conn());
            after_savepoint(slot, batch);
        }
    }
}

impl<B: Database> std::ops::Deref for Tx<B> {
    type Target = B::Connection;

    fn deref(&self) -> &B::Connection {
        match &self.0 {
            Inner::Pooled(tx) => tx,
            Inner::Batched { batch, .. } => batch.conn.as_ref().expect("an open batch has its connection"),
            Inner::Taken => unreachable!("a transaction is used only until it ends"),
        }
    }
}

impl<B: Database> std::ops::DerefMut for Tx<B> {
    fn deref_mut(&mut self) -> &mut B::Connection {
        match &mut self.0 {
            Inner::Pooled(tx) => tx,
            Inner::Batched { batch, .. } => batch.conn(),
            Inner::Taken => unreachable!("a transaction is used only until it ends"),
        }
    }
}
