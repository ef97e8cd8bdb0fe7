//! Group commit: the write lane of one process.
//!
//! Writers are serialised anyway (a service reads, checks its rules, then writes, and the audit
//! chain has one head), so what limits the write rate is the cost of making each commit durable:
//! one `fsync` per transaction. The lane lets writers that queue behind each other share it.
//! Each writer's work runs inside a `SAVEPOINT` of one open batch transaction; when it is done
//! it releases its savepoint and waits. The batch is committed as soon as nobody else is
//! queued for the lane (or it is full, or old), and only then is every writer in it told that
//! its work is durable. A writer that fails rolls back to its savepoint and takes nothing of
//! the others with it. A commit that fails fails every writer of the batch, none of whom has
//! been told otherwise.
//!
//! So no acknowledged write can be lost, and under load many writes share one flush. An open
//! batch holds the backend's write lock (SQLite's `BEGIN IMMEDIATE`, the audit head's row lock on
//! PostgreSQL), which is why it is never left open while no writer is at work in it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};
use xunshi_core::{CoreError, Result};

use crate::{Dialect, db_err};

/// A batch is committed once it holds this many writes, even if more writers are queued.
const MAX_WRITES: usize = 256;
/// … or once it has been open this long.
const MAX_AGE: Duration = Duration::from_millis(20);
/// A writer whose batch nobody has committed within this time commits it itself: the writer
/// that was queued behind it (and so left the batch open) may have given up.
const SELF_FLUSH_AFTER: Duration = Duration::from_millis(5);

#[derive(Clone)]
pub(crate) struct Lane {
    state: Arc<Mutex<State>>,
    /// Writers waiting for the lane. Only a hint for when to commit: a writer that sees nobody
    /// queued commits at once; one that sees somebody leaves the batch to them.
    queued: Arc<AtomicUsize>,
    pool: AnyPool,
    dialect: Dialect,
}

#[derive(Default)]
struct State {
    batch: Option<Batch>,
    next_id: u64,
}

struct Batch {
    id: u64,
    tx: Transaction<'static, Any>,
    /// The writers whose work is in the batch, waiting to hear whether it was committed.
    waiting: Vec<oneshot::Sender<std::result::Result<(), String>>>,
    opened: Instant,
}

/// Counts a writer as queued until it holds the lane (or gives up).
struct Queued(Arc<AtomicUsize>);

impl Queued {
    fn new(n: &Arc<AtomicUsize>) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Queued(n.clone())
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Lane {
    pub(crate) fn new(pool: AnyPool, dialect: Dialect) -> Self {
        Lane {
            state: Arc::new(Mutex::new(State::default())),
            queued: Arc::new(AtomicUsize::new(0)),
            pool,
            dialect,
        }
    }

    async fn acquire(&self) -> OwnedMutexGuard<State> {
        let _queued = Queued::new(&self.queued);
        self.state.clone().lock_owned().await
    }

    /// Starts the work of one writer: waits for the lane, opens a batch if none is open, and
    /// opens the writer's savepoint in it.
    pub(crate) async fn begin(&self) -> Result<Writer> {
        let mut state = self.acquire().await;
        if state.batch.is_none() {
            let tx = begin_batch(&self.pool, self.dialect).await?;
            state.next_id += 1;
            state.batch = Some(Batch {
                id: state.next_id,
                tx,
                waiting: Vec::new(),
                opened: Instant::now(),
            });
        }
        let batch = state.batch.as_mut().expect("a batch was just opened");
        if let Err(e) = sqlx::raw_sql("SAVEPOINT w").execute(&mut *batch.tx).await {
            abort(&mut state, &e.to_string()).await;
            return Err(db_err(e));
        }
        Ok(Writer {
            state: Some(state),
            lane: self.clone(),
        })
    }
}

/// Opens the transaction of a batch, taking the backend's write lock first (see
/// [`crate::Db::write`] for why writers are serialised from the start).
async fn begin_batch(pool: &AnyPool, dialect: Dialect) -> Result<Transaction<'static, Any>> {
    match dialect {
        // A deferred SQLite transaction that reads and then writes fails at once if another
        // writer committed in between, instead of waiting; IMMEDIATE takes the lock first.
        Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_err),
        Dialect::Postgres => {
            let mut tx = pool.begin().await.map_err(db_err)?;
            sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            Ok(tx)
        }
    }
}

/// Commits the open batch and tells its writers.
async fn flush(state: &mut State) {
    let Some(batch) = state.batch.take() else {
        return;
    };
    let outcome = batch.tx.commit().await.map_err(|e| e.to_string());
    if let Err(e) = &outcome {
        tracing::error!(error = %e, writes = batch.waiting.len(), "a batch of writes failed to commit");
    }
    for w in batch.waiting {
        let _ = w.send(outcome.clone());
    }
}

/// Rolls the open batch back and fails its writers: the connection is in a state nobody can
/// vouch for.
async fn abort(state: &mut State, why: &str) {
    let Some(batch) = state.batch.take() else {
        return;
    };
    tracing::error!(error = %why, writes = batch.waiting.len(), "a batch of writes was abandoned");
    let _ = batch.tx.rollback().await;
    for w in batch.waiting {
        let _ = w.send(Err(why.to_owned()));
    }
}

/// After a writer leaves the lane: commit the batch if nobody queued will, or if it is full or
/// old. An empty batch is committed too, to give up the write lock.
async fn settle(state: &mut State, queued: &AtomicUsize) {
    let Some(batch) = &state.batch else {
        return;
    };
    if queued.load(Ordering::SeqCst) == 0
        || batch.waiting.len() >= MAX_WRITES
        || batch.opened.elapsed() >= MAX_AGE
    {
        flush(state).await;
    }
}

/// One writer's hold on the lane, from its savepoint to its commit. Dropped without
/// [`Writer::commit`], its work is rolled back and the others' stays.
pub struct Writer {
    state: Option<OwnedMutexGuard<State>>,
    lane: Lane,
}

impl Writer {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        let state = self
            .state
            .as_mut()
            .expect("a writer holds the lane until it ends");
        let batch = state
            .batch
            .as_mut()
            .expect("a writer's batch stays open while it holds the lane");
        &mut batch.tx
    }

    /// Keeps the writer's work and returns once it is durable (or has failed with its batch).
    pub(crate) async fn commit(mut self) -> Result<()> {
        let mut state = self.state.take().expect("a writer commits once");
        let lost = |why: String| CoreError::internal(format!("写入未能提交：{why}"));
        let batch = state.batch.as_mut().expect("the writer's batch is open");
        if let Err(e) = sqlx::raw_sql("RELEASE SAVEPOINT w")
            .execute(&mut *batch.tx)
            .await
        {
            let why = e.to_string();
            abort(&mut state, &why).await;
            return Err(lost(why));
        }
        let (tell, mut told) = oneshot::channel();
        batch.waiting.push(tell);
        let id = batch.id;
        settle(&mut state, &self.lane.queued).await;
        drop(state);
        loop {
            tokio::select! {
                outcome = &mut told => {
                    return match outcome {
                        Ok(Ok(())) => Ok(()),
                        Ok(Err(why)) => Err(lost(why)),
                        Err(_) => Err(lost("批次已中止".into())),
                    };
                }
                _ = tokio::time::sleep(SELF_FLUSH_AFTER) => {
                    let mut state = self.lane.acquire().await;
                    if state.batch.as_ref().is_some_and(|b| b.id == id) {
                        flush(&mut state).await;
                    } else {
                        // Its own batch was committed meanwhile (the answer is on its way), but
                        // whoever opened the one open now may have left it to this writer,
                        // seen queued: it is settled like any other, or it could stay open
                        // with nobody left to commit it, holding the write lock.
                        settle(&mut state, &self.lane.queued).await;
                    }
                }
            }
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let Some(mut state) = self.state.take() else {
            return;
        };
        let queued = self.lane.queued.clone();
        // Undoing the savepoint needs the connection, which is async; the lane stays held (the
        // guard moves into the task) until it is done, so no other writer sees the half-work.
        // Without a runtime (shutting down) the batch transaction is dropped, which rolls it
        // back, and its writers hear that it was abandoned.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Some(batch) = state.batch.as_mut() {
                    // One statement at a time: several in one string hang the PostgreSQL
                    // driver behind `Any`.
                    let mut undone = sqlx::raw_sql("ROLLBACK TO SAVEPOINT w")
                        .execute(&mut *batch.tx)
                        .await;
                    if undone.is_ok() {
                        undone = sqlx::raw_sql("RELEASE SAVEPOINT w")
                            .execute(&mut *batch.tx)
                            .await;
                    }
                    if let Err(e) = undone {
                        abort(&mut state, &e.to_string()).await;
                        return;
                    }
                }
                settle(&mut state, &queued).await;
            });
        }
    }
}
