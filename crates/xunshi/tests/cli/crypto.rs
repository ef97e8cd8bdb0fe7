//! The national cryptography option at the command line: a database chained under one suite
//! refuses a configuration naming the other until `xunshi crypto switch` moves it, and moves
//! back the same way; the switch refuses while a server has lately run its background jobs.

use super::{Instance, PATIENCE, assert_success, block_on, stdout};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn configure(x: &Instance, suite: &str) {
    std::fs::write(
        x.data_dir.path().join("xunshi.toml"),
        format!("crypto = {suite:?}\n"),
    )
    .unwrap();
}

pub(super) fn a_configured_suite_is_held_to_until_switched(x: &Instance) {
    x.add_user("crypto1", "office");

    configure(x, "gm");
    let out = x.run(&["audit", "verify"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("names no suite"), "{}", stderr(&out));

    configure(x, "sm");
    let out = x.run(&["audit", "verify"], None);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("xunshi crypto switch"),
        "{}",
        stderr(&out)
    );

    // A server that ran its upkeep a moment ago may still be running: no switch without
    // --force.
    configure(x, "standard");
    let server = x.serve();
    let started = std::time::Instant::now();
    while job_runs(x) == 0 {
        assert!(started.elapsed() < PATIENCE, "the server ran no job");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(server.stop_with_sigterm().success());
    configure(x, "sm");
    let out = x.run(&["crypto", "switch"], None);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("seems to be running") && stderr(&out).contains("--force"),
        "{}",
        stderr(&out)
    );

    let out = x.run(&["crypto", "switch", "--force"], None);
    assert_success(&out, "crypto switch to sm");
    let text = stdout(&out);
    assert!(
        text.contains("SM3") && text.contains("hashed again: "),
        "{text}"
    );
    let out = x.run(&["audit", "verify"], None);
    assert_success(&out, "audit verify under SM3");
    x.add_user("crypto2", "office");
    assert_success(&x.run(&["audit", "verify"], None), "a new record under SM3");

    // Back to the standard suite the same way.
    configure(x, "standard");
    assert!(!x.run(&["audit", "verify"], None).status.success());
    assert_success(
        &x.run(&["crypto", "switch", "--force"], None),
        "crypto switch back",
    );
    assert_success(
        &x.run(&["audit", "verify"], None),
        "audit verify under SHA-256",
    );
}

/// How many background job runs the database records.
fn job_runs(x: &Instance) -> i64 {
    let url = x.url();
    block_on(async move {
        let db = xunshi_store::Db::open(&url, 1)
            .await
            .expect("open the database");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_runs")
            .fetch_one(&db.pool)
            .await
            .expect("count the runs");
        db.close().await;
        n
    })
}
