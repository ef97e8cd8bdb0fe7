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
/// A batch left open for a queued writer is committed after this time if nobody has: the writer
/// that was queued may have given up.
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
        let (tell, told) = oneshot::channel();
        batch.waiting.push(tell);
        let id = batch.id;
        settle(&mut state, &self.lane.queued).await;
        let left_open = state.batch.as_ref().is_some_and(|b| b.id == id);
        drop(state);
        if left_open {
            // Left open for the writer queued behind. That writer may give up (its request
            // dropped when its client goes), and so may this one: the batch's commit must not
            // hang on either request, or the batch would stay open, holding the write lock and
            // its connection (closing the pool would wait for it for ever). A task of its own,
            // which no request takes with it, commits the batch if nobody has meanwhile.
            let lane = self.lane.clone();
            tokio::spawn(async move { lane.flush_if_left(id).await });
        }
        match told.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(lost(why)),
            Err(_) => Err(lost("批次已中止".into())),
        }
    }
}

impl Lane {
    /// Commits the batch `id` if it is still open after [`SELF_FLUSH_AFTER`]; if it was
    /// committed meanwhile, the batch open now is settled like any other (whoever opened it
    /// may have left it to a writer that has gone).
    async fn flush_if_left(&self, id: u64) {
        tokio::time::sleep(SELF_FLUSH_AFTER).await;
        let mut state = self.acquire().await;
        if state.batch.as_ref().is_some_and(|b| b.id == id) {
            flush(&mut state).await;
        } else {
            settle(&mut state, &self.queued).await;
        }
    }

    /// Commits the open batch, if any, before the pool closes: it holds a connection.
    pub(crate) async fn close(&self) {
        let mut state = self.acquire().await;
        flush(&mut state).await;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Db;

    /// A writer that sees another queued leaves its batch open for it. Under load, when the
    /// clients go (a benchmark's end, a closed browser), both requests can be dropped: the
    /// queued one before it takes the lane, this one while it waits to hear of the commit.
    /// The batch must still be committed, or it holds the write lock and its connection until
    /// the next write, and closing the pool waits for it for ever.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_left_for_writers_that_are_gone_is_still_committed() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&crate::sqlite_url(dir.path()), 3).await.unwrap();
        let lane = db.lane.clone();
        let mut writer = lane.begin().await.unwrap();
        sqlx::raw_sql("CREATE TABLE kept (n INTEGER)")
            .execute(writer.conn())
            .await
            .unwrap();
        // A writer queued for the lane, which will give up before it takes it.
        let queued = Queued::new(&lane.queued);
        let committing = tokio::spawn(writer.commit());
        // The lane, as the writer leaves it: the batch open, for the writer queued behind.
        let held = lane.state.clone().lock_owned().await;
        assert_eq!(held.batch.as_ref().map(|b| b.waiting.len()), Some(1));
        // Both give up, before anything else runs in the lane.
        committing.abort();
        drop(queued);
        drop(held);
        tokio::time::sleep(SELF_FLUSH_AFTER * 20).await;
        assert!(
            lane.state.lock().await.batch.is_none(),
            "the batch was committed"
        );
        let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM kept")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(kept, 0);
        tokio::time::timeout(Duration::from_secs(5), db.close())
            .await
            .expect("nothing holds a connection");
    }
}
