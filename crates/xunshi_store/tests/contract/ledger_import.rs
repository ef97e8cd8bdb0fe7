//! Importing a unit's ledger into its draft plan: the preview writes nothing, the confirmed
//! import writes the rows that are not in error with their audit, and the same file again
//! changes nothing — on both backends.

use jiff::civil::date;
use xunshi_core::CoreError;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Due, Task};
use xunshi_core::service::{LedgerCell, LedgerImport, LedgerImportRow, RowOutcome};
use xunshi_core::store::{RectifyRead, Store, TaskFilter};

use crate::harness::{Svc, audit_of_action, expect_err};
use crate::rectify::{FED_BACK, plan_input, rect_world, task_input};

fn cell(col: &str, line: u32, text: &str) -> Option<LedgerCell> {
    Some(LedgerCell {
        cell: format!("{col}{line}"),
        text: text.into(),
    })
}

/// A row in the columns of `task_input`: A problem, B measure, C target, D standard, E leader,
/// F deadline, G lead department, H co-departments, I person.
fn row(line: u32, problem: &str, measure: &str, deadline: &str) -> LedgerImportRow {
    LedgerImportRow {
        line,
        problem: cell("A", line, problem),
        measure: cell("B", line, measure),
        target: cell("C", line, "问题整改到位"),
        standard: cell("D", line, "制度出台并落实"),
        responsible_leader: cell("E", line, "李明"),
        deadline: cell("F", line, deadline),
        lead_department: cell("G", line, "办公室"),
        co_departments: cell("H", line, "机关党委"),
        responsible_person: cell("I", line, "王五"),
    }
}

fn ledger() -> LedgerImport {
    LedgerImport {
        file_name: "台账.xlsx".into(),
        rows: vec![
            // The task already in the plan, as it stands.
            row(6, FED_BACK[0].1, "整改措施甲", "2020-06-30"),
            row(7, FED_BACK[0].1, "整改措施乙", "6月30日前"),
            // The feedback's words, a little changed.
            row(
                8,
                "协调督察全区意识形态工作的力度还不够",
                "整改措施丙",
                "3个月内",
            ),
            row(9, "食堂卫生检查不到位", "整改措施丁", "年底前"),
            row(10, FED_BACK[2].1, "整改措施戊", "六月底"),
            row(11, FED_BACK[0].1, "整改措施乙", "长期坚持"),
        ],
        skipped: Vec::new(),
        notes: Vec::new(),
    }
}

async fn plan_tasks(s: &Svc, plan: xunshi_core::Id) -> Vec<Task> {
    let mut tx = s.store.read().await.unwrap();
    let mut tasks = tx
        .all_tasks(&TaskFilter {
            plan_id: Some(plan),
            ..Default::default()
        })
        .await
        .unwrap();
    tasks.sort_by(|a, b| a.seq.cmp(&b.seq));
    tasks
}

pub async fn a_ledger_is_previewed_imported_once_and_then_found_unchanged(s: Svc) {
    let r = rect_world(&s).await;
    let w = &r.w;
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    s.add_task(
        &w.liaison,
        plan.id,
        &task_input(&r.problems[0], "整改措施甲", "by", Some("2020-06-30")),
    )
    .await
    .unwrap();
    let added_before = audit_of_action(&s, "task_added").await.len();

    // The preview: every row with what it would do, and nothing written.
    let file = ledger();
    let preview = s
        .import_ledger(&w.liaison, plan.id, &file, true)
        .await
        .unwrap();
    assert!(preview.dry_run);
    let outcomes: Vec<_> = preview.rows.iter().map(|r| (r.line, r.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            (6, RowOutcome::Unchanged),
            (7, RowOutcome::Create),
            (8, RowOutcome::Create),
            (9, RowOutcome::Error),
            (10, RowOutcome::Error),
            (11, RowOutcome::Error),
        ]
    );
    assert_eq!(
        (
            preview.created,
            preview.updated,
            preview.unchanged,
            preview.errors
        ),
        (2, 0, 1, 3)
    );
    let similar = preview.rows[2]
        .matched
        .as_ref()
        .expect("matched by similarity");
    assert!(!similar.exact);
    assert_eq!(similar.number, "1.2");
    assert!((50..100).contains(&similar.score), "{}", similar.score);
    assert_eq!(preview.rows[1].task_seq.as_deref(), Some("1.1.2"));
    assert_eq!(preview.rows[2].task_seq.as_deref(), Some("1.2.1"));
    assert_eq!(preview.rows[1].due.as_deref(), Some("2020-06-30前"));
    assert_eq!(
        preview.rows[3].errors,
        ["第9行 反馈问题（A9）“食堂卫生检查不到位”未匹配到本单位的反馈问题"]
    );
    assert_eq!(
        preview.rows[4].errors,
        ["第10行 完成时限（F10）“六月底”无法识别"]
    );
    assert_eq!(
        preview.rows[5].errors,
        ["第11行 整改措施（B11）“整改措施乙”与第7行重复"]
    );
    assert_eq!(
        preview.problems_without_rows,
        ["2.1 执行干部选拔任用有关规定不够到位"]
    );
    assert_eq!(
        plan_tasks(&s, plan.id).await.len(),
        1,
        "a preview writes nothing"
    );
    assert_eq!(audit_of_action(&s, "task_added").await.len(), added_before);

    // The confirmed import writes the two new tasks with their audit, in one go.
    let done = s
        .import_ledger(&w.liaison, plan.id, &file, false)
        .await
        .unwrap();
    assert!(!done.dry_run);
    assert_eq!((done.created, done.unchanged, done.errors), (2, 1, 3));
    let tasks = plan_tasks(&s, plan.id).await;
    let seqs: Vec<_> = tasks.iter().map(|t| t.seq.as_str()).collect();
    assert_eq!(seqs, ["1.1.1", "1.1.2", "1.2.1"]);
    assert_eq!(tasks[1].measure, "整改措施乙");
    assert_eq!(
        tasks[1].due,
        Due::By {
            date: date(2020, 6, 30)
        }
    );
    assert_eq!(
        tasks[2].due,
        Due::By {
            date: date(2020, 6, 25)
        },
        "three months from the feedback of 2020-03-25"
    );
    assert_eq!(tasks[2].problem_id, r.problems[1].id);
    let added = audit_of_action(&s, "task_added").await;
    assert_eq!(added.len(), added_before + 2);

    // The same file again: everything unchanged, nothing written.
    let again = s
        .import_ledger(&w.liaison, plan.id, &file, false)
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.updated, again.unchanged, again.errors),
        (0, 0, 3, 3)
    );
    assert_eq!(
        audit_of_action(&s, "task_added").await.len(),
        added_before + 2
    );
    let versions: Vec<_> = plan_tasks(&s, plan.id)
        .await
        .iter()
        .map(|t| t.version)
        .collect();
    assert_eq!(versions, [1, 1, 1]);

    // A changed cell updates its task, and says which field changed.
    let mut changed = ledger();
    changed.rows[1].responsible_person = cell("I", 7, "赵六");
    let updated_before = audit_of_action(&s, "task_updated").await.len();
    let preview = s
        .import_ledger(&w.liaison, plan.id, &changed, true)
        .await
        .unwrap();
    assert_eq!(preview.rows[1].outcome, RowOutcome::Update);
    assert_eq!(preview.rows[1].changes, ["责任人"]);
    s.import_ledger(&w.liaison, plan.id, &changed, false)
        .await
        .unwrap();
    let tasks = plan_tasks(&s, plan.id).await;
    assert_eq!(
        (tasks[1].responsible_person.as_str(), tasks[1].version),
        ("赵六", 2)
    );
    assert_eq!(
        audit_of_action(&s, "task_updated").await.len(),
        updated_before + 1
    );

    // Only the unit's principal and liaison import; others are refused and nothing changes.
    for who in [&w.office, &w.lead, &w.staff] {
        let e = s.import_ledger(who, plan.id, &changed, false).await;
        assert!(
            matches!(e, Err(CoreError::Forbidden(_) | CoreError::NotFound(_))),
            "{e:?}"
        );
    }
    let e = s
        .import_ledger(&Actor::system(), xunshi_core::Id::new(), &changed, true)
        .await;
    expect_err!(e, CoreError::NotFound(_));
    let empty = LedgerImport::default();
    expect_err!(
        s.import_ledger(&w.liaison, plan.id, &empty, true).await,
        CoreError::Unfit(_)
    );
}
