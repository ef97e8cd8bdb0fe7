//! Running one case on each backend, and the helpers the cases share.
//!
//! SQLite always runs, on a fresh file in a temporary folder. PostgreSQL runs when
//! `XUNSHI_TEST_DATABASE_URL` names a server: each case gets a database of its own with a random
//! name, created through that URL and dropped (`WITH (FORCE)`) when the case ends, passed or not.
//! A server that cannot be reached fails the case, naming the variable.

use std::future::Future;
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use xunshi_core::audit::AuditRecord;
use xunshi_core::org::{Unit, UnitInput};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::{NewGrant, Services, VerifyOutcome};
use xunshi_core::store::{AuditFilter, Secrets};
use xunshi_core::user::{NewUserInput, User};
use xunshi_core::{CoreError, Id};
use xunshi_store::{Argon2Secrets, Db};

pub type Svc = Services<Db>;

pub const PG_URL_VAR: &str = xunshi_test_env::DATABASE_URL_VAR;

/// A password that satisfies the policy for every username the cases use.
pub const PASSWORD: &str = "Correct-Horse-9";

fn services(db: Db) -> Svc {
    Services::new(db, Arc::new(Argon2Secrets::for_tests()))
}

pub async fn on_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Svc) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Db::open(&xunshi_store::sqlite_url(dir.path()), 5)
        .await
        .expect("open a fresh SQLite database");
    case(services(db.clone())).await;
    db.close().await;
}

pub async fn on_postgres<F, Fut>(case: F)
where
    F: FnOnce(Svc) -> Fut,
    Fut: Future<Output = ()>,
{
    let server_url = xunshi_test_env::database_url();
    // Declared before the pool so that it is dropped after it, also when the case panics.
    let scratch = ScratchDatabase::create(&server_url).await;
    let db = Db::open(&scratch.url, 5)
        .await
        .expect("open the scratch PostgreSQL database");
    case(services(db.clone())).await;
    db.close().await;
}

/// A second, new database on the same backend as `like` (only its migrations applied), with
/// what keeps it: a temporary folder or a scratch database dropped with it.
pub async fn another_database(like: &Db) -> (Db, Box<dyn std::any::Any>) {
    match like.dialect {
        xunshi_store::Dialect::Sqlite => {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let db = Db::open(&xunshi_store::sqlite_url(dir.path()), 2)
                .await
                .expect("open a second SQLite database");
            (db, Box::new(dir))
        }
        xunshi_store::Dialect::Postgres => {
            let scratch = ScratchDatabase::create(&xunshi_test_env::database_url()).await;
            let db = Db::open(&scratch.url, 2)
                .await
                .expect("open a second PostgreSQL database");
            (db, Box::new(scratch))
        }
    }
}

/// A database of one case on the PostgreSQL server, dropped when this value is.
struct ScratchDatabase {
    server_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    async fn create(server_url: &str) -> Self {
        let name = format!(
            "xunshi_test_{}",
            &Argon2Secrets::for_tests().random_token()[..16]
        );
        let mut conn = PgConnection::connect(server_url)
            .await
            .unwrap_or_else(|e| panic!("connect to {PG_URL_VAR}={server_url}: {e}"));
        // template0: nobody is ever connected to it, so cases creating databases side by side
        // cannot trip over each other as they can on template1.
        sqlx::raw_sql(AssertSqlSafe(format!(
            r#"CREATE DATABASE "{name}" TEMPLATE template0 ENCODING 'UTF8'"#
        )))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("create database {name}: {e}"));
        let _ = conn.close().await;
        ScratchDatabase {
            url: with_database(server_url, &name),
            server_url: server_url.to_owned(),
            name,
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Drop may run inside the case's runtime, or while a failed case unwinds; a thread with
        // a runtime of its own can block on the server either way. Errors are printed, never
        // raised: a panic here would abort the whole test binary.
        let (server_url, name) = (self.server_url.clone(), self.name.clone());
        let outcome = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&server_url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#
                )))
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
                let _ = conn.close().await;
                Ok::<(), String>(())
            })
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!(
                "could not drop test database {}: the thread panicked",
                self.name
            ),
        }
    }
}

/// The server URL with its database replaced by `name`, keeping any query string.
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let (scheme, rest) = base.split_once("://").expect("a postgres:// URL");
    let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
    match query {
        Some(q) => format!("{scheme}://{authority}/{name}?{q}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

#[test]
fn scratch_url_replaces_only_the_database() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
        "postgresql://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}

/// A clock the case moves by hand. It starts at a fixed instant so that runs are alike.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<Timestamp>>);

impl TestClock {
    pub fn install(s: &mut Svc) -> Self {
        let start: Timestamp = "2026-03-02T01:00:00Z".parse().expect("a valid instant");
        let clock = TestClock(Arc::new(Mutex::new(start)));
        let reader = clock.clone();
        s.clock = Arc::new(move || reader.now());
        clock
    }

    pub fn now(&self) -> Timestamp {
        *self.0.lock().expect("clock lock")
    }

    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().expect("clock lock");
        *t += by;
    }
}

/// Unwraps the error of `$result`, panicking with what came instead if it is not `$pattern`.
macro_rules! expect_err {
    ($result:expr, $pattern:pat) => {
        match $result {
            Err(e @ $pattern) => e,
            other => panic!("expected Err({}), got {:?}", stringify!($pattern), other),
        }
    };
}
pub(crate) use expect_err;

/// The names of the fields a `BadInput` complains about.
pub fn bad_fields(e: &CoreError) -> Vec<String> {
    match e {
        CoreError::BadInput(fields) | CoreError::Unfit(fields) => {
            fields.iter().map(|f| f.field.clone()).collect()
        }
        other => panic!("expected BadInput or Unfit, got {other:?}"),
    }
}

pub fn unit_input(name: &str, parent: Option<Id>) -> UnitInput {
    UnitInput {
        name: name.to_owned(),
        kind: "department".to_owned(),
        level: "provincial".to_owned(),
        parent_id: parent.map(|p| p.to_string()),
    }
}

pub async fn new_unit(s: &Svc, name: &str, parent: Option<Id>) -> Unit {
    s.create_unit(&Actor::system(), &unit_input(name, parent))
        .await
        .unwrap_or_else(|e| panic!("create unit {name}: {e}"))
}

pub fn user_input(username: &str, display_name: &str, unit: Option<&str>) -> NewUserInput {
    NewUserInput {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        unit: unit.map(str::to_owned),
        password: PASSWORD.to_owned(),
        must_change_password: false,
    }
}

/// Creates a user (as the system) with the given role, scoped to their own unit for unit roles.
pub async fn new_user(s: &Svc, username: &str, unit: Option<&str>, role: Option<&str>) -> User {
    let grant = role.map(|r| NewGrant {
        role: r.to_owned(),
        scope: None,
    });
    s.create_user(
        &Actor::system(),
        &user_input(username, username, unit),
        grant.as_ref(),
    )
    .await
    .unwrap_or_else(|e| panic!("create user {username}: {e}"))
    .0
}

/// The actor a page request of `username` carries: logged in with [`PASSWORD`], the session
/// resolved as every request resolves it.
pub async fn session_actor(s: &Svc, username: &str) -> Actor {
    let ok = s
        .login_session(username, PASSWORD, None, None)
        .await
        .expect("log in");
    s.resolve_session(&ok.token, None)
        .await
        .expect("resolve")
        .expect("the session resolves")
        .0
}

/// The actor a request of this user would carry: the stored account and its active grants.
pub async fn actor_of(s: &Svc, user_id: Id) -> Actor {
    let (user, grants) = s
        .get_user(&Actor::system(), user_id)
        .await
        .expect("read the user back");
    Actor::user(user, grants, Some("192.0.2.10".to_owned()))
}

/// A user with `role` and the actor of their requests.
/// Fills the empty store with a generated province of `counts` (from `seed`) as of
/// 2026-12-03, with the services' clock set to that morning.
pub async fn generated(s: &mut Svc, seed: u64, counts: xunshi_store::generate::Counts) {
    use xunshi_store::generate::{BENCH_PASSWORD, GenerateOptions, generate};
    let now: Timestamp = "2026-12-03T02:00:00Z".parse().expect("an instant");
    s.clock = Arc::new(move || now);
    let opts = GenerateOptions {
        seed,
        counts,
        today: jiff::civil::date(2026, 12, 3),
        password_hash: Argon2Secrets::for_tests()
            .hash_password(BENCH_PASSWORD.to_owned())
            .await
            .expect("a hash"),
    };
    generate(&s.store, &opts, &mut |_| {})
        .await
        .expect("generate");
}

pub async fn user_with_role(s: &Svc, username: &str, unit: Option<&str>, role: &str) -> Actor {
    let u = new_user(s, username, unit, Some(role)).await;
    actor_of(s, u.id).await
}

/// Every audit record matching `f`, newest first, read page by page.
pub async fn audit_where(s: &Svc, f: &AuditFilter) -> Vec<AuditRecord> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(100);
    loop {
        let p = s
            .list_audit(&Actor::system(), f, page)
            .await
            .expect("list the audit trail");
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => page.after = Some(c.parse().expect("a cursor is an id")),
            None => return out,
        }
    }
}

pub async fn audit_of_action(s: &Svc, action: &str) -> Vec<AuditRecord> {
    audit_where(
        s,
        &AuditFilter {
            action: Some(action.to_owned()),
            ..Default::default()
        },
    )
    .await
}

pub async fn audit_of_object(s: &Svc, object_type: &str, id: Id) -> Vec<AuditRecord> {
    audit_where(
        s,
        &AuditFilter {
            object_type: Some(object_type.to_owned()),
            object_id: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await
}

/// How many records the trail holds, insisting that it verifies.
pub async fn audit_len(s: &Svc) -> i64 {
    match s
        .verify_audit(&Actor::system())
        .await
        .expect("verify the trail")
    {
        VerifyOutcome::Whole { records } => records,
        VerifyOutcome::Broken(fault) => panic!("the audit trail is broken: {fault}"),
    }
}

/// Runs `n` copies of a task at once on the runtime's worker threads and returns their outputs.
pub async fn all_at_once<T, Fut>(n: usize, task: impl Fn(usize) -> Fut) -> Vec<T>
where
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(task(i))).collect();
    let mut out = Vec::with_capacity(n);
    for h in handles {
        out.push(h.await.expect("a concurrent task panicked"));
    }
    out
}

/// The version an account has now, as a page or a client would have read it.
pub async fn user_version(s: &Svc, id: xunshi_core::Id) -> i64 {
    use xunshi_core::store::{ReadTx, Store};
    let mut tx = s.store.read().await.expect("read");
    tx.get_user(id)
        .await
        .expect("read")
        .expect("the user")
        .version
}

/// Walks a sorted list a page at a time forward from the first page and back from the last,
/// and returns the ids met each way (the back walk put in reading order) and the totals seen.
pub async fn walk_both_ways<T>(
    code: &str,
    plain: bool,
    limit: usize,
    page: impl AsyncFn(Option<&xunshi_core::page::Keyset>) -> xunshi_core::page::SortedPage<T>,
    id_of: impl Fn(&T) -> xunshi_core::Id,
) -> (Vec<xunshi_core::Id>, Vec<xunshi_core::Id>, Vec<i64>) {
    use xunshi_core::page::Keyset;
    let mut totals = Vec::new();
    let mut seen = Vec::new();
    let mut at: Option<Keyset> = None;
    let mut pages = 0;
    loop {
        let p = page(at.as_ref()).await;
        totals.push(p.total);
        assert_eq!(p.prev_cursor.is_some(), pages > 0, "{code}");
        assert!(p.items.len() <= limit, "{code}");
        pages += 1;
        seen.extend(p.items.iter().map(&id_of));
        match p.next_cursor {
            Some(c) => at = Some(Keyset::parse(&c, code, plain).expect("its own cursor")),
            None => break,
        }
    }
    let mut back = Vec::new();
    let mut at = Some(Keyset {
        row: None,
        back: true,
    });
    let mut first = true;
    while let Some(k) = at.take() {
        let p = page(Some(&k)).await;
        totals.push(p.total);
        if first {
            assert_eq!(
                p.items.len() as i64,
                (p.total - 1) % limit as i64 + 1,
                "{code}"
            );
            assert!(p.next_cursor.is_none(), "{code}");
            first = false;
        } else {
            assert_eq!(p.items.len(), limit, "{code}");
        }
        let mut ids: Vec<_> = p.items.iter().map(&id_of).collect();
        ids.extend(back);
        back = ids;
        at = p
            .prev_cursor
            .map(|c| Keyset::parse(&c, code, false).expect("its own cursor"));
    }
    (seen, back, totals)
}

/// Every order of a sorted list, both ways: walked forward from the first page and back from
/// the last, `limit` rows a page, each walk meets every one of `rows` once, in the order of
/// its key (`key_of`) and then id, and every page gives the list's `total`.
pub async fn every_sort_meets_every_row<K: xunshi_core::page::SortKey, R, T>(
    rows: &[R],
    total: i64,
    limit: usize,
    row_id: impl Fn(&R) -> xunshi_core::Id,
    key_of: impl Fn(xunshi_core::page::Sort<K>, &R) -> String,
    page: impl AsyncFn(
        xunshi_core::page::Sort<K>,
        Option<&xunshi_core::page::Keyset>,
    ) -> xunshi_core::page::SortedPage<T>,
    id_of: impl Fn(&T) -> xunshi_core::Id,
) {
    for &key in K::all() {
        for desc in [false, true] {
            let sort = xunshi_core::page::Sort { key, desc };
            let mut want: Vec<_> = rows.iter().map(|r| (key_of(sort, r), row_id(r))).collect();
            want.sort();
            if desc {
                want.reverse();
            }
            let want: Vec<_> = want.into_iter().map(|(_, id)| id).collect();
            let (fwd, back, totals) = walk_both_ways(
                &sort.code(),
                sort == xunshi_core::page::Sort::default(),
                limit,
                async |at| page(sort, at).await,
                &id_of,
            )
            .await;
            assert_eq!(fwd, want, "forward under {} ({})", sort.code(), key.label());
            assert_eq!(back, want, "back under {}", sort.code());
            assert!(totals.iter().all(|t| *t == total), "{}", sort.code());
        }
    }
}
