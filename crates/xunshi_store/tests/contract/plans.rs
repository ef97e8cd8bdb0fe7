//! The hot paths read the large tables through their indexes. A generated province (20,000
//! tasks, analysed as a deployment's database is) is read by the services the home page (its
//! figures and the to-do), the ledger, a task, the dashboards and a progress report use, for
//! the office, the leadership, a supervisor and a unit's liaison; the plan of every statement
//! they ran is asked of the backend (SQLite `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`), and
//! none may read a large table whole. With `XUNSHI_PLANS_OUT=FILE` the statements and their
//! plans are written to FILE, for reading them by hand.

use sqlx::Row;
use xunshi_core::dashboard::DashboardFilter;
use xunshi_core::deadline::Colour;
use xunshi_core::page::{Keyset, PageRequest, Sort, SortKey, SortedPage};
use xunshi_core::permission::Actor;
use xunshi_core::rectify::TaskStatus;
use xunshi_core::service::{
    AccountabilityQuery, ClueListFilter, FollowUpQuery, LedgerFilter, MechanismQuery, Services,
};
use xunshi_core::store::{
    AccountabilitySort, AuditFilter, AuditSort, ClueSort, DocFilter, DocSort, FollowUpSort,
    InspectionFilter, InspectionSort, MechanismSort, MessageFilter, MessageSort, ProblemFilter,
    ProblemSort, TaskSort, TaskSortKey,
};
use xunshi_store::generate::Counts;
use xunshi_store::{Dialect, Explained};

use crate::harness::{Svc, actor_of, generated};

/// The tables that grow with the work: a scan of any of them is a full read of a province.
const LARGE: &[&str] = &[
    "rectification_tasks",
    "task_progress",
    "task_verifications",
    "task_evidence",
    "audit_log",
    "audit_objects",
    "clues",
    "problems",
    "inspections",
    "inspection_targets",
    "rectification_plans",
    "deadline_changes",
];

async fn actor_named(s: &Svc, username: &str) -> Actor {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username.to_owned())
        .fetch_one(&s.store.pool)
        .await
        .unwrap_or_else(|e| panic!("{username}: {e}"));
    let id: String = row.get("id");
    actor_of(s, id.parse().expect("an id")).await
}

/// The aliases a statement gives the large tables (`rectification_tasks t` → `t`), since
/// SQLite names a scan by the alias.
fn aliases(sql: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for pair in words.windows(2) {
        if LARGE.contains(&pair[0]) {
            let next = pair[1];
            let keyword = [
                "JOIN", "ON", "WHERE", "LEFT", "INNER", "ORDER", "GROUP", "LIMIT", "SET", "AS",
                "VALUES", "USING", "SELECT", "AND", "OR",
            ]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(next));
            if !keyword && next.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.push((pair[0].to_owned(), next.to_owned()));
            }
        }
    }
    out
}

/// The large tables a statement's plan reads whole.
fn full_scans(e: &Explained) -> Vec<String> {
    let mut names: Vec<&str> = LARGE.to_vec();
    let aliased = aliases(&e.sql);
    names.extend(aliased.iter().map(|(_, a)| a.as_str()));
    e.full_scans(&names)
        .into_iter()
        .map(|n| {
            aliased
                .iter()
                .find(|(_, a)| *a == n)
                .map(|(t, _)| t.clone())
                .unwrap_or(n)
        })
        .collect()
}

/// Reads the first and the last page of a sorted list under every order, both ways, and the
/// page next to each.
async fn every_order<K: SortKey, T>(page: impl AsyncFn(Sort<K>, Option<&Keyset>) -> SortedPage<T>) {
    for &key in K::all() {
        for desc in [false, true] {
            let sort = Sort { key, desc };
            for at in [
                None,
                Some(Keyset {
                    row: None,
                    back: true,
                }),
            ] {
                let p = page(sort, at.as_ref()).await;
                if let Some(c) = p.next_cursor.or(p.prev_cursor) {
                    let k = sort.cursor(&c).expect("its cursor");
                    page(sort, Some(&k)).await;
                }
            }
        }
    }
}

pub async fn hot_queries_read_large_tables_through_their_indexes(mut s: Svc) {
    generated(&mut s, 11, Counts::for_tasks(20_000)).await;
    // A deployment's planner has statistics: PostgreSQL's autovacuum gathers them, SQLite's
    // come with `ANALYZE`.
    sqlx::raw_sql("ANALYZE")
        .execute(&s.store.pool)
        .await
        .expect("analyse");

    let office = actor_named(&s, "bench.office").await;
    let leader = actor_named(&s, "bench.leader").await;
    let discipline = actor_named(&s, "bench.discipline").await;
    let liaison = actor_named(&s, "bench.liaison").await;
    // Bring the tallies to today before explaining: that is the upkeep's work, once a day.
    s.maintenance().await.expect("the upkeep");

    let (db, log) = s.store.explaining();
    let x = Services {
        store: db,
        ..s.clone()
    };
    let first = PageRequest::first(50);
    let a_unit = x
        .list_tasks(&liaison, &LedgerFilter::default(), first)
        .await
        .expect("the liaison's ledger");
    let unit = a_unit
        .items
        .first()
        .expect("the liaison has tasks")
        .task
        .unit_id;
    // A task under way of an inspection not archived (an archived one's are read-only).
    let open: String = sqlx::query(
        "SELECT t.id FROM rectification_tasks t JOIN inspections i ON i.id = t.inspection_id
         WHERE t.unit_id = $1 AND t.status = 'in_progress' AND i.stage <> 'archived'
         ORDER BY t.id LIMIT 1",
    )
    .bind(unit.to_string())
    .fetch_one(&s.store.pool)
    .await
    .expect("an open task of the liaison's unit")
    .get("id");
    let open = s
        .get_task(&office, open.parse().expect("an id"))
        .await
        .expect("the open task")
        .entry
        .task;
    let category: String = sqlx::query("SELECT category_id FROM rectification_tasks LIMIT 1")
        .fetch_one(&s.store.pool)
        .await
        .expect("a heading")
        .get("category_id");
    let category = category.parse().expect("an id");
    for who in [&office, &leader, &discipline] {
        x.overview(who).await.expect("the home page's figures");
        x.todo(who).await.expect("the to-do");
        x.dashboard(who, &DashboardFilter::default())
            .await
            .expect("the dashboard");
        for f in [
            LedgerFilter::default(),
            LedgerFilter {
                unit_id: Some(unit),
                ..Default::default()
            },
            LedgerFilter {
                status: Some(TaskStatus::Claimed),
                ..Default::default()
            },
            LedgerFilter {
                colour: Some(Colour::Red),
                ..Default::default()
            },
            LedgerFilter {
                colour: Some(Colour::Yellow),
                unit_id: Some(unit),
                ..Default::default()
            },
            LedgerFilter {
                rejected: true,
                ..Default::default()
            },
            LedgerFilter {
                category_id: Some(category),
                ..Default::default()
            },
            // Words of the generated measures, and words no task holds: the text index
            // finds the tasks to try (migration 0040).
            LedgerFilter {
                q: Some("谈话提醒".into()),
                ..Default::default()
            },
            LedgerFilter {
                q: Some("无此内容".into()),
                ..Default::default()
            },
            LedgerFilter {
                q: Some("专项检查".into()),
                status: Some(TaskStatus::InProgress),
                ..Default::default()
            },
        ] {
            x.list_tasks(who, &f, first).await.expect("a ledger page");
        }
    }
    // Every order of the ledger, both ways, first and last page, for the whole ledger and for
    // one unit and one state; the order is an index walk (migration 0022).
    for key in TaskSortKey::ALL {
        for desc in [false, true] {
            let sort = TaskSort { key, desc };
            for f in [
                LedgerFilter::default(),
                LedgerFilter {
                    unit_id: Some(unit),
                    ..Default::default()
                },
                LedgerFilter {
                    status: Some(TaskStatus::InProgress),
                    ..Default::default()
                },
            ] {
                for at in [
                    None,
                    Some(Keyset {
                        row: None,
                        back: true,
                    }),
                ] {
                    let p = x
                        .ledger_page(&office, &f, sort, at.as_ref(), 50)
                        .await
                        .expect("a sorted ledger page");
                    if let Some(c) = p.next_cursor.or(p.prev_cursor) {
                        let k = Keyset::parse(&c, &sort.code(), sort == TaskSort::default())
                            .expect("its cursor");
                        x.ledger_page(&office, &f, sort, Some(&k), 50)
                            .await
                            .expect("the page next to it");
                    }
                }
            }
        }
    }
    // The ledger of one committee's inspections (分级汇总's links), the largest and the
    // smallest sender, whole and overdue: a walk of the tasks' committee index (0044).
    let senders: Vec<String> = sqlx::query(
        "SELECT dispatcher_id FROM inspections GROUP BY dispatcher_id ORDER BY COUNT(*) DESC",
    )
    .fetch_all(&s.store.pool)
    .await
    .expect("the committees that send")
    .iter()
    .map(|r| r.get("dispatcher_id"))
    .collect();
    let (largest, smallest) = (
        senders.first().expect("a committee that sends"),
        senders.last().expect("a committee that sends"),
    );
    for sender in [largest, smallest] {
        for colour in [None, Some(Colour::Red)] {
            let f = LedgerFilter {
                dispatcher_id: Some(sender.parse().expect("an id")),
                colour,
                ..Default::default()
            };
            let page = x
                .ledger_page(&office, &f, TaskSort::default(), None, 50)
                .await
                .expect("a committee's ledger");
            if colour.is_none() {
                // Every live task of the committee's inspections, the generated ones too.
                let sent: i64 = sqlx::query(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM rectification_tasks t
                       JOIN inspections i ON i.id = t.inspection_id
                      WHERE i.dispatcher_id = $1 AND t.withdrawn_reason IS NULL",
                )
                .bind(sender.clone())
                .fetch_one(&s.store.pool)
                .await
                .expect("the committee's tasks")
                .get("n");
                assert!(sent > 0, "the committee sends tasks");
                assert_eq!(page.total, sent);
                assert_eq!(page.items.len() as i64, sent.min(50));
            }
        }
    }
    // Every order of the inspection and clue lists, both ways, first and last page and the
    // page next to each: each an index walk (migration 0025).
    every_order(async |sort: InspectionSort, at| {
        x.inspection_page(&office, &InspectionFilter::default(), sort, at, 50)
            .await
            .expect("a sorted inspection page")
    })
    .await;
    every_order(async |sort: ClueSort, at| {
        x.clue_page(&office, &ClueListFilter::default(), sort, at, 50)
            .await
            .expect("a sorted clue page")
    })
    .await;
    // The audit trail's too, each key over its index with the sequence (0001, 0026); the
    // whole trail is counted by its head.
    every_order(async |sort: FollowUpSort, at| {
        x.followup_page(&office, &FollowUpQuery::default(), sort, at, 50)
            .await
            .expect("a sorted list of notices")
    })
    .await;
    every_order(async |sort: AccountabilitySort, at| {
        x.accountability_page(&office, &AccountabilityQuery::default(), sort, at, 50)
            .await
            .expect("a sorted accountability list")
    })
    .await;
    every_order(async |sort: MechanismSort, at| {
        x.mechanisms_page(&office, &MechanismQuery::default(), sort, at, 50)
            .await
            .expect("a sorted list of mechanisms")
    })
    .await;
    every_order(async |sort: ProblemSort, at| {
        x.problem_page(
            &office,
            open.inspection_id,
            &ProblemFilter::default(),
            sort,
            at,
            50,
        )
        .await
        .expect("a sorted list of an inspection's papers")
    })
    .await;
    every_order(async |sort: DocSort, at| {
        x.rect_document_page(&office, &DocFilter::default(), sort, at, 50)
            .await
            .expect("a sorted list of reports and notices")
    })
    .await;
    every_order(async |sort: MessageSort, at| {
        x.inbox_page(&office, &MessageFilter::default(), sort, at, 50)
            .await
            .expect("a sorted inbox")
            .messages
    })
    .await;
    every_order(async |sort: AuditSort, at| {
        x.audit_page(&Actor::system(), &AuditFilter::default(), sort, at, 50)
            .await
            .expect("a sorted page of the trail")
    })
    .await;
    x.dashboard(
        &office,
        &DashboardFilter {
            unit_id: Some(unit),
            inspection_id: None,
        },
    )
    .await
    .expect("the dashboard of one unit");
    // The leadership view is the leading group's and the office's.
    for who in [&office, &leader] {
        x.leadership_view(who, None)
            .await
            .expect("the leadership view");
    }
    x.overview(&liaison).await.expect("the liaison's home page");
    x.todo(&liaison).await.expect("the liaison's to-do");
    x.dashboard(&liaison, &DashboardFilter::default())
        .await
        .expect("the liaison's dashboard");
    x.get_task(&office, open.id).await.expect("one task");
    x.plan_board(&office, PageRequest::first(20))
        .await
        .expect("the plan board");
    x.report_progress(&liaison, open.id, open.version, "本周推进情况", 60, false)
        .await
        .expect("a progress report");
    // The day's reminders (written already by the upkeep above: read again, nothing new).
    x.send_reminders().await.expect("the reminders");
    // Entering next year's holidays finds the running clocks it may move by feedback date.
    x.import_calendar_year(
        &office,
        2027,
        "date,kind,festival\n2027-01-01,holiday,元旦\n",
        "国务院办公厅关于2027年部分节假日安排的通知",
    )
    .await
    .expect("2027 entered");

    let explained = log.lock().expect("the log").clone();
    if let Ok(path) = std::env::var("XUNSHI_PLANS_OUT") {
        let text: Vec<String> = explained
            .iter()
            .map(|e| {
                format!(
                    "{}\n  {:?}",
                    e.sql.split_whitespace().collect::<Vec<_>>().join(" "),
                    e.plan
                )
            })
            .collect();
        std::fs::write(path, text.join("\n")).expect("write plans");
    }
    assert!(
        explained.len() > 50,
        "the services ran their statements: {}",
        explained.len()
    );
    // Entering a year, and the day's reminders, read the running clocks by clock and feedback
    // date, a range of their index, never the table whole; then each group of one date and
    // level a page at a time, in the same index's order (migration 0024: SQLite sorts
    // nothing). (The table is not in LARGE: on this generated province SQLite reads it whole
    // for the dashboard's list of clocks, a known gap.)
    for (read, what) in [
        ("feedback_on >= $2", "the groups of the clocks"),
        ("feedback_on = $2", "the clocks of a group"),
    ] {
        let reads: Vec<&Explained> = explained
            .iter()
            .filter(|e| e.sql.contains("FROM running_clocks") && e.sql.contains(read))
            .collect();
        assert!(!reads.is_empty(), "{what} were read");
        for e in reads {
            assert!(
                e.full_scans(&["running_clocks"]).is_empty()
                    && !e.plan.iter().any(|l| l.contains("TEMP B-TREE")),
                "{what} read whole or sorted: {:?}",
                e.plan
            );
        }
    }
    // Each order of the whole ledger is a walk of its own index, not a sort of the tasks:
    // the page's ids come from that index (SQLite sorts nothing before the page is chosen;
    // the only sort left is of the page's rows, after the joins).
    for (order, index) in [
        ("t.unit_id", "rectification_tasks_unit"),
        (
            "COALESCE(t.due_date, '9999-12-31')",
            "rectification_tasks_sort_due",
        ),
        ("t.status", "rectification_tasks_status"),
        ("t.progress", "rectification_tasks_sort_progress"),
        ("t.updated_at", "rectification_tasks_sort_updated"),
    ] {
        let walks: Vec<&Explained> = explained
            .iter()
            .filter(|e| {
                e.sql
                    .contains("FROM rectification_tasks t WHERE t.withdrawn_reason IS NULL")
                    && e.sql.contains(&format!("ORDER BY {order} "))
            })
            .collect();
        assert!(
            walks.len() >= 4,
            "the ledger sorted by {order}: {}",
            walks.len()
        );
        for e in walks {
            let page = e
                .plan
                .iter()
                .take_while(|l| !l.contains("SCAN pg"))
                .collect::<Vec<_>>();
            assert!(
                e.plan.iter().any(|l| l.contains(index))
                    && !page.iter().any(|l| l.contains("TEMP B-TREE")),
                "sorted by {order} without {index}: {:?}",
                e.plan
            );
        }
    }
    // A committee's ledger pages its tasks in order from their committee index, sorting none
    // (through the inspections it sorted every task of the committee's for each page).
    let by_committee: Vec<&Explained> = explained
        .iter()
        .filter(|e| e.sql.contains("t.dispatcher_id = ") && e.sql.contains(" pg"))
        .collect();
    assert!(
        by_committee.len() >= 4,
        "a committee's ledger pages: {}",
        by_committee.len()
    );
    if s.store.dialect == Dialect::Sqlite {
        for e in by_committee {
            let page = e
                .plan
                .iter()
                .take_while(|l| !l.contains("SCAN pg"))
                .collect::<Vec<_>>();
            assert!(
                page.iter()
                    .any(|l| l.contains("rectification_tasks_dispatcher"))
                    && !page.iter().any(|l| l.contains("TEMP B-TREE")),
                "a committee's ledger page sorted its tasks: {:?}",
                e.plan
            );
        }
    }
    // Each order of the audit trail walks its index over (key, seq) from the cursor, neither
    // sorting nor starting at the key's first record.
    for (order, index) in [
        ("actor_name", "audit_log_actor"),
        ("action", "audit_log_action"),
        ("object_type", "audit_log_sort_object_type"),
    ] {
        let walks: Vec<&Explained> = explained
            .iter()
            .filter(|e| {
                e.sql.contains("FROM audit_log") && e.sql.contains(&format!("ORDER BY {order} "))
            })
            .collect();
        assert!(walks.len() >= 4, "the trail sorted by {order}");
        for e in walks {
            assert!(
                e.plan.iter().any(|l| l.contains(index))
                    && !e.plan.iter().any(|l| l.contains("TEMP B-TREE")),
                "the trail sorted by {order} without {index}: {:?}",
                e.plan
            );
            if s.store.dialect == Dialect::Sqlite && e.sql.contains(&format!("({order}, seq)")) {
                assert!(
                    e.plan
                        .iter()
                        .any(|l| l.contains(&format!("(({order},seq)"))),
                    "the trail's page after a cursor starts at the key's first record: {:?}",
                    e.plan
                );
            }
        }
    }
    let mut offending = Vec::new();
    for e in &explained {
        let scans = full_scans(e);
        if !scans.is_empty() {
            offending.push(format!(
                "{scans:?} read whole by\n  {}\n  plan: {:?}",
                e.sql.split_whitespace().collect::<Vec<_>>().join(" "),
                e.plan
            ));
        }
    }
    assert!(
        offending.is_empty(),
        "{} statement(s) read a large table whole ({}):\n{}",
        offending.len(),
        match s.store.dialect {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        },
        offending.join("\n")
    );
}
