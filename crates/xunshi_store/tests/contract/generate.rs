//! The generated data set (`xunshi generate`) held to the invariants of data the services make:
//! the audit trail verifies, every task agrees with its plan, problem, unit and inspection,
//! stages agree with what exists, and the services' lists and counts see it as they see their
//! own data, with the colours of `rectify::task_colour`.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::Row;
use xunshi_core::Id;
use xunshi_core::dashboard::DashboardFilter;
use xunshi_core::deadline::{Clock, Colour, InspectionLevel};
use xunshi_core::org::UnitLevel;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Due, TaskStatus};
use xunshi_core::service::{LedgerFilter, VerifyOutcome};
use xunshi_core::store::Secrets;
use xunshi_core::store::patterns::ClusterScope;
use xunshi_store::Argon2Secrets;
use xunshi_store::generate::{BENCH_PASSWORD, Counts, GenerateOptions, generate};

use crate::harness::{Svc, actor_of};

async fn count(s: &Svc, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(({sql}) AS BIGINT)"
    )))
    .fetch_one(&s.store.pool)
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn actor_named(s: &Svc, username: &str) -> Actor {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username.to_owned())
        .fetch_one(&s.store.pool)
        .await
        .unwrap_or_else(|e| panic!("{username}: {e}"));
    let id: String = row.get("id");
    actor_of(s, id.parse().expect("an id")).await
}

/// Every task of the ledger the actor may see, page by page.
async fn whole_ledger(
    s: &Svc,
    actor: &Actor,
    f: &LedgerFilter,
) -> Vec<xunshi_core::service::TaskEntry> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(200);
    loop {
        let p = s.list_tasks(actor, f, page).await.expect("the ledger");
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => {
                page = PageRequest {
                    after: Some(c.parse().expect("a cursor id")),
                    ..page
                }
            }
            None => break,
        }
    }
    out
}

pub async fn a_generated_set_holds_to_the_invariants_of_service_made_data(mut s: Svc) {
    let now: jiff::Timestamp = "2026-12-03T02:00:00Z".parse().expect("an instant");
    s.clock = Arc::new(move || now);
    let opts = GenerateOptions {
        seed: 7,
        counts: Counts::for_tasks(2_000),
        today: jiff::civil::date(2026, 12, 3),
        password_hash: Argon2Secrets::for_tests()
            .hash_password(BENCH_PASSWORD.to_owned())
            .await
            .expect("a hash"),
    };
    let made = generate(&s.store, &opts, &mut |_| {})
        .await
        .expect("generate");

    // What was counted is what is stored, and close to what was asked.
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM rectification_tasks").await as u64,
        made.tasks
    );
    assert!(made.tasks >= 1_800 && made.tasks <= 2_000, "{made:?}");
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM task_progress").await as u64,
        made.progress
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM problems").await as u64,
        made.problems
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM clues").await as u64,
        made.clues
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM inspections").await as u64,
        made.inspections
    );

    // The search index is filled with one document per problem, task, progress report and
    // clue, each with its inspection, round and year as the filters want them.
    for (kind, n) in [
        (xunshi_core::search::DocKind::Problem, made.problems),
        (xunshi_core::search::DocKind::Task, made.tasks),
        (xunshi_core::search::DocKind::Progress, made.progress),
        (xunshi_core::search::DocKind::Clue, made.clues),
    ] {
        assert_eq!(
            s.count_search_docs(kind).await.unwrap() as u64,
            n,
            "{kind:?}"
        );
        let page = s.search_docs_after(kind, None, 50).await.unwrap();
        assert_eq!(page.len() as u64, n.min(50), "{kind:?}");
        for d in &page {
            assert!(!d.title.is_empty() && d.inspection_id.is_some(), "{d:?}");
            assert!(d.round_id.is_some() && d.year.is_some(), "{d:?}");
            if matches!(
                kind,
                xunshi_core::search::DocKind::Task | xunshi_core::search::DocKind::Progress
            ) {
                assert_eq!(d.unit_ids.len(), 1, "{d:?}");
            }
        }
    }

    // An archived inspection holds nothing still running, as the service requires before it
    // archives one: every task with a deadline closed, every clue disposed of, every
    // follow-up answered.
    let archived: Vec<String> =
        sqlx::query_scalar("SELECT id FROM inspections WHERE stage = 'archived' ORDER BY id")
            .fetch_all(&s.store.pool)
            .await
            .expect("the archived inspections");
    assert!(!archived.is_empty());
    {
        use xunshi_core::store::{ArchiveRead, Store};
        let mut tx = s.store.read().await.expect("a read");
        for id in &archived {
            let left = tx
                .unfinished(id.parse().expect("an id"))
                .await
                .expect("what still runs");
            assert_eq!(left, xunshi_core::archive::Unfinished::default(), "{id}");
        }
    }

    // The trail verifies, record for record.
    match s.verify_audit(&Actor::system()).await.expect("verify") {
        VerifyOutcome::Whole { records } => assert_eq!(records as u64, made.audit),
        VerifyOutcome::Broken(f) => panic!("the generated trail is broken: {f}"),
    }
    // …and names the actions the services name.
    for action in [
        "unit_created",
        "user_created",
        "grant_added",
        "inspection_created",
        "inspection_stage_changed",
        "team_member_appointed",
        "problem_created",
        "problem_signed",
        "feedback_given",
        "clue_registered",
        "clue_transferred",
        "clue_disposed",
        "rect_plan_approved",
        "task_added",
        "task_progress_reported",
        "task_completion_claimed",
        "task_closed",
        "task_rejected",
        "followup_issued",
    ] {
        assert!(
            count(
                &s,
                &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")
            )
            .await
                > 0,
            "no {action} in the trail"
        );
    }

    // Every task agrees with its plan, problem, unit and inspection.
    let disagree = [
        "SELECT COUNT(*) FROM rectification_tasks t JOIN rectification_plans p ON p.id = t.plan_id
         WHERE p.inspection_id <> t.inspection_id OR p.unit_id <> t.unit_id",
        "SELECT COUNT(*) FROM rectification_tasks t JOIN problems p ON p.id = t.problem_id
         WHERE p.inspection_id <> t.inspection_id OR p.target_unit_id <> t.unit_id OR p.status <> 'signed'",
        "SELECT COUNT(*) FROM rectification_tasks t WHERE NOT EXISTS (SELECT 1 FROM inspection_targets x
         WHERE x.inspection_id = t.inspection_id AND x.unit_id = t.unit_id)",
        // Tasks only after feedback; problems only once the team is on site; feedback exactly
        // for the inspections past it; clues out only after the team left.
        "SELECT COUNT(*) FROM rectification_tasks t JOIN inspections i ON i.id = t.inspection_id
         WHERE i.stage NOT IN ('feedback_given', 'rectification', 'archived') OR i.feedback_on IS NULL",
        "SELECT COUNT(*) FROM problems p JOIN inspections i ON i.id = p.inspection_id
         WHERE i.stage IN ('planning', 'preparation')",
        "SELECT COUNT(*) FROM inspections i WHERE (i.stage IN ('feedback_given', 'rectification', 'archived'))
         <> EXISTS (SELECT 1 FROM feedbacks f WHERE f.inspection_id = i.id AND f.status = 'given')",
        "SELECT COUNT(*) FROM clues c JOIN inspections i ON i.id = c.inspection_id
         WHERE c.transfer_id IS NOT NULL AND i.stage IN ('planning', 'preparation', 'on_site')",
        // Work is reported only on approved plans, and progress is never after today.
        "SELECT COUNT(*) FROM task_progress r JOIN rectification_tasks t ON t.id = r.task_id
         JOIN rectification_plans p ON p.id = t.plan_id WHERE p.status <> 'approved' OR r.at < p.approved_at",
        "SELECT COUNT(*) FROM task_progress WHERE at >= '2026-12-02T16:00:00'",
        // A closed task has its closing; a claimed one its claim.
        "SELECT COUNT(*) FROM rectification_tasks t WHERE t.status = 'closed' AND NOT EXISTS
         (SELECT 1 FROM task_verifications v WHERE v.task_id = t.id AND v.closed = 1)",
        "SELECT COUNT(*) FROM rectification_tasks t WHERE t.status = 'claimed' AND NOT EXISTS
         (SELECT 1 FROM task_progress r WHERE r.task_id = t.id AND r.claims_done = 1)",
        "SELECT COUNT(*) FROM rectification_tasks WHERE due_kind = 'long_term' AND status IN ('claimed', 'closed')",
    ];
    for sql in disagree {
        assert_eq!(count(&s, sql).await, 0, "{sql}");
    }
    // Every stage occurs.
    for stage in [
        "planning",
        "preparation",
        "on_site",
        "reporting",
        "rectification",
        "archived",
    ] {
        assert!(
            count(
                &s,
                &format!("SELECT COUNT(*) FROM inspections WHERE stage = '{stage}'")
            )
            .await
                > 0,
            "no inspection at {stage}"
        );
    }

    // The ledger as the office sees it: every task, and the colours of the rule.
    let office = actor_named(&s, "bench.office").await;
    let all = whole_ledger(&s, &office, &LedgerFilter::default()).await;
    assert_eq!(all.len() as u64, made.tasks);
    let today = jiff::civil::date(2026, 12, 3);
    let mut by_colour: HashMap<Colour, usize> = HashMap::new();
    let mut by_status: HashMap<TaskStatus, usize> = HashMap::new();
    for e in &all {
        let expected = e.task.colour(today, 7);
        assert_eq!(e.colour, expected, "task {}", e.task.seq);
        *by_colour.entry(expected).or_default() += 1;
        *by_status.entry(e.task.status).or_default() += 1;
        if e.task.due == Due::LongTerm {
            assert_ne!(e.colour, Colour::Red);
        }
    }
    for c in Colour::ALL {
        let listed = whole_ledger(
            &s,
            &office,
            &LedgerFilter {
                colour: Some(c),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            listed.len(),
            by_colour.get(&c).copied().unwrap_or(0),
            "{c:?}"
        );
        assert!(!listed.is_empty(), "no {c:?} task");
    }
    for st in [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Claimed,
        TaskStatus::Closed,
    ] {
        assert!(
            by_status.get(&st).copied().unwrap_or(0) > 0,
            "no task {st:?}"
        );
    }

    // The dashboard counts the same tasks and colours, for the office and for leadership.
    for who in ["bench.office", "bench.leader"] {
        let actor = actor_named(&s, who).await;
        let d = s
            .dashboard(&actor, &DashboardFilter::default())
            .await
            .expect("the dashboard");
        assert_eq!(d.tasks.total as u64, made.tasks, "{who}");
        for bar in &d.tasks.by_colour {
            let c = Colour::parse(&bar.key).expect("a colour's code");
            assert_eq!(
                bar.count,
                by_colour.get(&c).copied().unwrap_or(0),
                "{who} {}",
                bar.key
            );
        }
        assert!(!d.tasks.rejected.is_empty(), "{who} sees no rejected task");
        // The lists under the numbers: their tasks, of their colour, the earliest due first.
        assert!(!d.tasks.overdue.is_empty(), "{who} sees no overdue task");
        for (list, colour) in [
            (&d.tasks.overdue, Colour::Red),
            (&d.tasks.near_due, Colour::Yellow),
        ] {
            assert!(list.iter().all(|l| l.colour == colour), "{who} {colour:?}");
            assert!(
                list.windows(2).all(|p| p[0].days_left <= p[1].days_left),
                "{who}"
            );
        }
        assert!(d.tasks.rejected.iter().all(|l| l.reason.is_some()), "{who}");

        // The clocks: each running clock's deadline reckoned by itself, by the rule of its
        // dispatcher's level, against the numbers counted by feedback date.
        let rules = s.deadline_rules(&actor).await.expect("the rules");
        let calendar = s.calendar().await.expect("the calendar");
        let rows = sqlx::query(
            "SELECT clock, feedback_on, dispatcher_level FROM running_clocks
              WHERE clock IN ('plan_due', 'report_due')",
        )
        .fetch_all(&s.store.pool)
        .await
        .expect("the clocks");
        let mut overdue = 0;
        for r in &rows {
            let clock = Clock::parse(&r.get::<String, _>(0)).expect("a clock");
            let feedback: jiff::civil::Date = r.get::<String, _>(1).parse().expect("a date");
            let level = UnitLevel::parse(&r.get::<String, _>(2)).expect("a level");
            let rule = rules
                .iter()
                .find(|x| {
                    x.rule.clock == clock && x.rule.level == InspectionLevel::of_dispatcher(level)
                })
                .expect("a rule");
            if rule.rule.due(feedback, &calendar).expect("a due date").date < today {
                overdue += 1;
            }
        }
        assert_eq!(d.clocks_running, rows.len(), "{who}");
        assert_eq!(d.clocks_overdue, overdue, "{who}");
        assert!(
            overdue > 0 && overdue < rows.len(),
            "{who}: {overdue} of {}",
            rows.len()
        );
    }

    // The liaison sees its own unit's tasks, and only those.
    let liaison = actor_named(&s, "bench.liaison").await;
    let unit: Id = liaison
        .as_user()
        .and_then(|u| u.unit_id)
        .expect("the liaison's unit");
    let mine = whole_ledger(&s, &liaison, &LedgerFilter::default()).await;
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|e| e.task.unit_id == unit));
    let d = s
        .dashboard(&liaison, &DashboardFilter::default())
        .await
        .expect("the unit's dashboard");
    assert_eq!(d.tasks.total, mine.len());

    // A task with its history reads back whole.
    let closed = all
        .iter()
        .find(|e| e.task.status == TaskStatus::Closed)
        .expect("a closed task");
    let detail = s.get_task(&office, closed.task.id).await.expect("the task");
    assert!(detail.verifications.iter().any(|v| v.closed));
    assert!(!detail.progress.is_empty());

    // The recurring problems of the generated set: every cluster spans units of one round and
    // holds what it counts; every problem found again is its unit's, of a later inspection,
    // after the earlier problem's task was closed. A second run replaces the first.
    let run = s
        .compute_patterns(&Actor::system())
        .await
        .expect("the patterns");
    assert!(
        run.clusters > 0 && run.term_clusters > 0 && run.recurrences > 0,
        "{run:?}"
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM problem_clusters WHERE round_id IS NOT NULL"
        )
        .await as usize,
        run.clusters
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM problem_clusters WHERE term_id IS NOT NULL"
        )
        .await as usize,
        run.term_clusters
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM problem_recurrences").await as usize,
        run.recurrences
    );
    for (what, sql) in [
        (
            "a cluster's count is its members",
            "SELECT COUNT(*) FROM problem_clusters c WHERE c.problems <>
               (SELECT COUNT(*) FROM problem_cluster_members m WHERE m.cluster_id = c.id)",
        ),
        (
            "a cluster spans units",
            "SELECT COUNT(*) FROM problem_clusters WHERE units < 2",
        ),
        (
            "a member is of its cluster's round",
            "SELECT COUNT(*) FROM problem_cluster_members m
               JOIN problem_clusters c ON c.id = m.cluster_id
               JOIN problems p ON p.id = m.problem_id
               JOIN inspections i ON i.id = p.inspection_id
              WHERE i.round_id <> c.round_id",
        ),
        (
            "a member of a term's cluster is of one of the term's rounds",
            "SELECT COUNT(*) FROM problem_cluster_members m
               JOIN problem_clusters c ON c.id = m.cluster_id
               JOIN problems p ON p.id = m.problem_id
               JOIN inspections i ON i.id = p.inspection_id
               JOIN rounds rd ON rd.id = i.round_id
              WHERE rd.term_id <> c.term_id",
        ),
        (
            "a cluster's rounds are counted",
            "SELECT COUNT(*) FROM problem_clusters c WHERE c.rounds <>
               (SELECT COUNT(DISTINCT i.round_id) FROM problem_cluster_members m
                  JOIN problems p ON p.id = m.problem_id
                  JOIN inspections i ON i.id = p.inspection_id WHERE m.cluster_id = c.id)",
        ),
        (
            "a cluster's units are counted",
            "SELECT COUNT(*) FROM problem_clusters c WHERE c.units <>
               (SELECT COUNT(DISTINCT p.target_unit_id) FROM problem_cluster_members m
                  JOIN problems p ON p.id = m.problem_id WHERE m.cluster_id = c.id)",
        ),
        (
            "a problem found again is its unit's, of another inspection, after the closing",
            "SELECT COUNT(*) FROM problem_recurrences r
               JOIN problems p ON p.id = r.problem_id
               JOIN problems e ON e.id = r.earlier_problem_id
               JOIN rectification_tasks t ON t.id = r.earlier_task_id
               JOIN inspections i ON i.id = p.inspection_id
              WHERE p.target_unit_id <> r.unit_id OR e.target_unit_id <> r.unit_id
                 OR p.inspection_id = e.inspection_id OR t.problem_id <> e.id
                 OR t.status <> 'closed' OR t.closed_on <> r.closed_on
                 OR r.closed_on >= COALESCE(i.entry_on, i.planned_entry, i.feedback_on)
                 OR r.similarity < 40",
        ),
    ] {
        assert_eq!(count(&s, sql).await, 0, "{what}");
    }
    for (what, sql) in [
        (
            "a unit's problems found again are its recurrences",
            "SELECT COUNT(*) FROM unit_pattern_counts c WHERE c.recurring <>
               (SELECT COUNT(DISTINCT r.problem_id) FROM problem_recurrences r
                 WHERE r.unit_id = c.unit_id)",
        ),
        (
            "a unit's reopened tasks are those rejected",
            "SELECT COUNT(*) FROM unit_pattern_counts c WHERE c.reopened <>
               (SELECT COUNT(*) FROM rectification_tasks t
                 WHERE t.unit_id = c.unit_id AND t.rejections > 0
                   AND t.withdrawn_reason IS NULL)",
        ),
    ] {
        assert_eq!(count(&s, sql).await, 0, "{what}");
    }
    let trends = s.pattern_trends(&office).await.expect("the trends");
    assert!(!trends.units_recurring.is_empty() && !trends.units_reopened.is_empty());
    let latest = trends.rounds.last().expect("a round").id;
    let counted: i64 = trends
        .categories
        .iter()
        .map(|c| c.counts.last().copied().unwrap_or(0))
        .sum();
    assert_eq!(
        counted,
        count(
            &s,
            &format!(
                "SELECT COUNT(*) FROM problems p JOIN inspections i ON i.id = p.inspection_id
                  WHERE i.round_id = '{latest}' AND p.status IN ('approved', 'signed')"
            )
        )
        .await
    );
    let again = s
        .compute_patterns(&Actor::system())
        .await
        .expect("the patterns again");
    assert_eq!(
        (again.clusters, again.term_clusters, again.recurrences),
        (run.clusters, run.term_clusters, run.recurrences)
    );
    assert_eq!(
        count(&s, "SELECT COUNT(*) FROM problem_clusters").await as usize,
        run.clusters + run.term_clusters
    );
    // The reports read them back: a round's clusters, one cluster, its workbook's rows, and
    // the problems found again.
    let first = xunshi_core::service::pattern_page(None, Some(5)).expect("a page");
    let round: Id = {
        let row = sqlx::query(
            "SELECT round_id FROM problem_clusters WHERE seq = 1 AND round_id IS NOT NULL LIMIT 1",
        )
        .fetch_one(&s.store.pool)
        .await
        .expect("a round with clusters");
        row.get::<String, _>("round_id").parse().expect("an id")
    };
    let round = ClusterScope::Round(round);
    let report = s
        .clusters(&office, round, first)
        .await
        .expect("the round's clusters");
    assert_eq!(report.items.len() as i64, report.total.min(5));
    assert!(report.items.windows(2).all(|w| w[0].seq < w[1].seq));
    let c = &report.items[0];
    let view = s
        .cluster_view(&office, c.id, first)
        .await
        .expect("the cluster");
    assert_eq!(
        view.by_unit.iter().map(|u| u.count).sum::<i64>(),
        c.problems
    );
    assert_eq!(view.by_unit.len() as i64, c.units);
    assert_eq!(
        view.by_category.iter().map(|k| k.count).sum::<i64>(),
        c.problems
    );
    assert_eq!(view.members[0].problem_id, c.lead_problem_id);
    let x = s
        .clusters_export(&office, round)
        .await
        .expect("the workbook's rows");
    assert_eq!(x.clusters.len() as i64, x.total);
    assert_eq!(
        x.clusters[0].units.iter().map(|(_, n)| n).sum::<i64>(),
        x.clusters[0].cluster.problems
    );
    // A term's report: its clusters, the most widespread first, some of them across rounds
    // (the generated rounds draw their titles from one list).
    let term: Id = {
        let row =
            sqlx::query("SELECT term_id FROM problem_clusters WHERE term_id IS NOT NULL LIMIT 1")
                .fetch_one(&s.store.pool)
                .await
                .expect("a term with clusters");
        row.get::<String, _>("term_id").parse().expect("an id")
    };
    let by_term = s
        .clusters(&office, ClusterScope::Term(term), first)
        .await
        .expect("the term's clusters");
    assert_eq!(by_term.term_id, Some(term));
    assert!(
        by_term
            .items
            .iter()
            .all(|c| c.term_id == Some(term) && c.round_id.is_none())
    );
    assert!(by_term.items.windows(2).all(|w| w[0].units >= w[1].units));
    assert!(
        count(
            &s,
            "SELECT COUNT(*) FROM problem_clusters WHERE term_id IS NOT NULL AND rounds > 1"
        )
        .await
            > 0
    );
    let view = s
        .cluster_view(&office, by_term.items[0].id, first)
        .await
        .expect("a term's cluster");
    assert_eq!(view.by_unit.len() as i64, by_term.items[0].units);
    assert!(matches!(
        s.clusters(&office, ClusterScope::Term(Id::new()), first)
            .await,
        Err(xunshi_core::CoreError::NotFound(_))
    ));
    let listed = s
        .recurrences(
            &office,
            &xunshi_core::service::RecurrenceQuery::default(),
            first,
        )
        .await
        .expect("the problems found again");
    assert_eq!(listed.items.len(), run.recurrences.min(5));
    let r = &listed.items[0];
    assert!(r.year > r.earlier_year || r.inspection_id != r.earlier_inspection_id);
    let by_unit = s
        .recurrences(
            &office,
            &xunshi_core::service::RecurrenceQuery {
                unit_id: Some(r.unit_id),
                inspection_id: None,
            },
            first,
        )
        .await
        .expect("one unit's");
    assert!(by_unit.items.iter().all(|x| x.unit_id == r.unit_id));

    let board = s
        .dashboard(&office, &DashboardFilter::default())
        .await
        .expect("the dashboard");
    let found_again = count(
        &s,
        "SELECT COUNT(DISTINCT problem_id) FROM problem_recurrences",
    )
    .await;
    assert_eq!(board.recurring_problems, Some(found_again as usize));
    assert_eq!(run.recurring, found_again as usize);
    // The whole province's number is a total kept apart from the rows; a unit's is added up
    // from them.
    let unit_board = s
        .dashboard(
            &office,
            &DashboardFilter {
                inspection_id: None,
                unit_id: Some(r.unit_id),
            },
        )
        .await
        .expect("one unit's dashboard");
    let unit_found_again = count(
        &s,
        &format!(
            "SELECT COUNT(DISTINCT problem_id) FROM problem_recurrences WHERE unit_id = '{}'",
            r.unit_id
        ),
    )
    .await;
    assert!(unit_found_again > 0 && unit_found_again <= found_again);
    assert_eq!(
        unit_board.recurring_problems,
        Some(unit_found_again as usize)
    );
    let d = s
        .dashboard(&liaison, &DashboardFilter::default())
        .await
        .expect("the unit's dashboard");
    assert_eq!(d.recurring_problems, None);

    // A database that holds anything is refused.
    assert!(generate(&s.store, &opts, &mut |_| {}).await.is_err());
}
