//! Background jobs shared by instances: a due job is taken by one holder at a time, left
//! alone while its lease runs, taken over after, and made due again when finished — on every
//! backend.

use jiff::{SignedDuration, Timestamp};
use xunshi_store::jobs::next_due;

use crate::harness::Svc;

pub async fn a_due_job_is_held_by_one_instance_until_done_or_its_lease_runs_out(s: Svc) {
    let db = &s.store;
    let t0: Timestamp = "2026-12-05T01:00:00Z".parse().unwrap();
    let lease = SignedDuration::from_secs(30);
    let names = ["upkeep", "mail"];
    db.schedule_jobs(&names, t0).await.unwrap();
    // Scheduling again (another instance starting) keeps the schedule.
    db.schedule_jobs(&names, t0 + SignedDuration::from_hours(1))
        .await
        .unwrap();

    // Two instances looking at once take the two jobs, one each.
    let a = db.claim_job(&names, "a", t0, lease).await.unwrap().unwrap();
    let b = db.claim_job(&names, "b", t0, lease).await.unwrap().unwrap();
    assert_ne!(a.job, b.job);
    assert_eq!(db.claim_job(&names, "c", t0, lease).await.unwrap(), None);
    // An instance takes only the jobs it runs.
    assert!(
        db.finish_job(&b, "b", t0, t0, Ok(String::new()))
            .await
            .unwrap()
    );
    assert_eq!(
        db.claim_job(&[a.job.as_str()], "c", t0, lease)
            .await
            .unwrap(),
        None
    );

    // While "a" renews its lease nobody takes its job; once it stops, "c" takes it over and
    // "a"'s run is recorded abandoned; "a" finishing late changes nothing of the schedule.
    let later = t0 + SignedDuration::from_secs(20);
    assert!(db.renew_job(&a, "a", later + lease).await.unwrap());
    let t1 = t0 + SignedDuration::from_secs(40);
    assert_eq!(
        db.claim_job(&[a.job.as_str()], "c", t1, lease)
            .await
            .unwrap(),
        None
    );
    let t2 = later + lease + SignedDuration::from_secs(1);
    let c = db
        .claim_job(&[a.job.as_str()], "c", t2, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (c.job.as_str(), c.due_at.as_str()),
        (a.job.as_str(), a.due_at.as_str())
    );
    assert!(!db.renew_job(&a, "a", t2 + lease).await.unwrap());
    assert!(
        !db.finish_job(&a, "a", t2, t2, Ok(String::new()))
            .await
            .unwrap()
    );
    let next = next_due(&c.due_at, SignedDuration::from_secs(60), t2).unwrap();
    assert!(
        db.finish_job(&c, "c", t2, next, Ok("done".into()))
            .await
            .unwrap()
    );
    assert_eq!(
        db.claim_job(&[a.job.as_str()], "a", t2, lease)
            .await
            .unwrap(),
        None
    );
    assert!(
        db.claim_job(&[a.job.as_str()], "a", next, lease)
            .await
            .unwrap()
            .is_some()
    );

    let runs: Vec<(String, String, String)> =
        sqlx::query_as("SELECT job, holder, outcome FROM job_runs ORDER BY started_at, holder")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let of = |holder: &str| {
        runs.iter()
            .filter(|r| r.0 == a.job && r.1 == holder)
            .map(|r| r.2.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(of("a"), ["abandoned", "running"], "{runs:?}");
    assert_eq!(of("c"), ["ok"], "{runs:?}");
}
