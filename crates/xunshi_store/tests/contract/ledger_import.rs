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
        category: None,
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

/// A past inspection's ledger: sections for two headings, a problem merged over two measures,
/// a problem under no section whose words tell its heading, and a deadline that cannot be read.
fn past_ledger() -> LedgerImport {
    let in_section =
        |line: u32, section: &str, problem: &str, measure: &str, due: &str| LedgerImportRow {
            category: cell("A", line - 1, section),
            ..row(line, problem, measure, due)
        };
    let mut rows = vec![
        in_section(
            5,
            "一、政治建设方面",
            "1.协调督察意识形态工作力度不够",
            "建立意识形态工作责任清单",
            "立行立改",
        ),
        in_section(
            6,
            "一、政治建设方面",
            "协调督察意识形态工作力度不够",
            "开展专项督察",
            "3个月内",
        ),
        in_section(
            8,
            "二、组织建设方面",
            "执行干部选拔任用有关规定不够到位",
            "修订干部选拔任用工作规程",
            "2020年6月底前",
        ),
        row(9, "落实“两个责任”不够到位", "制定主体责任清单", "长期坚持"),
        row(10, "食堂卫生检查不够", "建立检查台账", "六月底"),
    ];
    rows[1].category = cell("A", 4, "一、政治建设方面");
    rows[2].category = cell("A", 7, "二、组织建设方面");
    LedgerImport {
        file_name: "组织部整改台账.xlsx".into(),
        rows,
        skipped: Vec::new(),
        notes: Vec::new(),
    }
}

pub async fn a_past_inspection_is_created_from_its_ledger_once(s: Svc) {
    use xunshi_core::inspection::Stage;
    use xunshi_core::rectify::PlanStatus;
    use xunshi_core::service::PastInspectionInput;

    let w = crate::papers::world(&s).await;
    let input = PastInspectionInput {
        unit: "自治区党委组织部".into(),
        // Before 2020: the 2017 taxonomy's six headings are in force.
        feedback_date: "2019-12-27".into(),
        team_name: Some("第五巡视组".into()),
        ..Default::default()
    };
    let file = past_ledger();
    let before = crate::harness::audit_len(&s).await;

    // Only the office moves past work in.
    expect_err!(
        s.import_past_inspection(&w.liaison, &input, &file, true)
            .await,
        CoreError::Forbidden(_)
    );
    let bad_date = PastInspectionInput {
        feedback_date: "2020-13-01".into(),
        ..input.clone()
    };
    expect_err!(
        s.import_past_inspection(&w.office, &bad_date, &file, true)
            .await,
        CoreError::BadInput(_)
    );

    // The preview: the problems with their headings and how each was decided, the rows as
    // tasks, and nothing written.
    let preview = s
        .import_past_inspection(&w.office, &input, &file, true)
        .await
        .unwrap();
    assert!(preview.dry_run && preview.inspection_id.is_none() && preview.plan_id.is_none());
    assert_eq!(preview.round_name, "2019年第4轮巡视");
    assert_eq!(preview.report_deadline, date(2020, 2, 27));
    let problems: Vec<_> = preview
        .problems
        .iter()
        .map(|p| {
            (
                p.number.as_str(),
                p.category_name.as_str(),
                p.title.as_str(),
                p.lines.as_slice(),
            )
        })
        .collect();
    let expected: [(&str, &str, &str, &[u32]); 4] = [
        ("1.1", "政治建设", "协调督察意识形态工作力度不够", &[5, 6]),
        // The default heading: the first of the version.
        ("1.2", "政治建设", "食堂卫生检查不够", &[10]),
        ("2.1", "组织建设", "执行干部选拔任用有关规定不够到位", &[8]),
        (
            "3.1",
            "党风廉政建设和反腐败斗争",
            "落实“两个责任”不够到位",
            &[9],
        ),
    ];
    assert_eq!(problems, expected);
    assert_eq!(
        preview.problems[0].category_from,
        "台账分类“一、政治建设方面”（A4）"
    );
    assert!(preview.problems[3].category_from.contains("两个责任"));
    assert!(preview.problems[1].category_from.contains("默认类别"));
    let outcomes: Vec<_> = preview
        .ledger
        .rows
        .iter()
        .map(|r| (r.line, r.outcome, r.task_seq.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (5, RowOutcome::Create, Some("1.1.1".to_owned())),
            (6, RowOutcome::Create, Some("1.1.2".to_owned())),
            (8, RowOutcome::Create, Some("2.1.1".to_owned())),
            (9, RowOutcome::Create, Some("3.1.1".to_owned())),
            (10, RowOutcome::Error, None),
        ]
    );
    assert_eq!(
        preview.ledger.rows[4].errors,
        ["第10行 完成时限（F10）“六月底”无法识别"]
    );
    assert_eq!(
        crate::harness::audit_len(&s).await,
        before,
        "a preview writes nothing"
    );

    // The confirmed import: the inspection at rectification, its feedback, the draft plan
    // with the rows not in error, one transaction with its audit.
    let done = s
        .import_past_inspection(&w.office, &input, &file, false)
        .await
        .unwrap();
    let (insp_id, plan_id) = (done.inspection_id.unwrap(), done.plan_id.unwrap());
    let (insp, _) = s.get_inspection(&w.office, insp_id).await.unwrap();
    assert_eq!(insp.stage, Stage::Rectification);
    assert_eq!(insp.dates.feedback, Some(date(2019, 12, 27)));
    assert_eq!(insp.team_name, "第五巡视组");
    let fb = s.get_feedback(&w.office, insp_id).await.unwrap().unwrap();
    assert_eq!(fb.groups.len(), 3, "three headings: 政治, 组织, 党风廉政");
    assert_eq!(fb.deadline, Some(date(2020, 2, 27)));
    let tasks = plan_tasks(&s, plan_id).await;
    let seqs: Vec<_> = tasks.iter().map(|t| t.seq.as_str()).collect();
    assert_eq!(seqs, ["1.1.1", "1.1.2", "2.1.1", "3.1.1"]);
    assert!(matches!(tasks[0].due, Due::Immediate { .. }));
    assert_eq!(
        tasks[1].due,
        Due::By {
            date: date(2020, 3, 27)
        }
    );
    assert_eq!(tasks[3].due, Due::LongTerm);
    assert_eq!(audit_of_action(&s, "inspection_imported").await.len(), 1);
    assert_eq!(
        crate::harness::audit_len(&s).await,
        before + 1 + 4 + 1 + 1 + 4,
        "the inspection, four problems, the feedback, the plan and four tasks"
    );
    let plan = s
        .rect_plan_detail(&Actor::system(), plan_id)
        .await
        .unwrap()
        .plan;
    assert_eq!(
        (plan.inspection_id, plan.status),
        (insp_id, PlanStatus::Draft)
    );

    // The plan then takes the ledger as any plan does: the same rows are its tasks, unchanged.
    let again = s
        .import_ledger(&Actor::system(), plan_id, &file, true)
        .await
        .unwrap();
    assert_eq!((again.created, again.unchanged, again.errors), (0, 4, 1));

    // The same inspection twice is refused, naming the one there.
    let e = expect_err!(
        s.import_past_inspection(&w.office, &input, &file, false)
            .await,
        CoreError::Conflict(_)
    );
    assert!(e.to_string().contains(&insp_id.to_string()), "{e}");
}

pub async fn an_earlier_open_task_is_carried_into_a_later_plan_linked_once(s: Svc) {
    use xunshi_core::service::{CarryInput, PastInspectionInput};

    let w = crate::papers::world(&s).await;
    let import = |feedback: &str, team: &str, unit: &str| PastInspectionInput {
        unit: unit.into(),
        feedback_date: feedback.into(),
        team_name: Some(team.into()),
        ..Default::default()
    };
    let file = past_ledger();
    let earlier = s
        .import_past_inspection(
            &w.office,
            &import("2019-12-20", "第五巡视组", "自治区党委宣传部"),
            &file,
            false,
        )
        .await
        .unwrap()
        .plan_id
        .unwrap();
    let later = s
        .import_past_inspection(
            &w.office,
            &import("2019-12-27", "第六巡视组", "自治区党委宣传部"),
            &file,
            false,
        )
        .await
        .unwrap()
        .plan_id
        .unwrap();
    let elsewhere = s
        .import_past_inspection(
            &w.office,
            &import("2019-12-27", "第七巡视组", "自治区党委组织部"),
            &file,
            false,
        )
        .await
        .unwrap()
        .plan_id
        .unwrap();
    let earlier_tasks = plan_tasks(&s, earlier).await;
    let offered = s.carryable_tasks(&w.liaison, later).await.unwrap();
    let mut ids: Vec<_> = offered.iter().map(|e| e.task.id).collect();
    ids.sort();
    let mut expected: Vec<_> = earlier_tasks.iter().map(|t| t.id).collect();
    expected.sort();
    assert_eq!(
        ids, expected,
        "the unit's open tasks of its other inspection"
    );
    let version = |plan| {
        let s = s.clone();
        async move {
            s.rect_plan_detail(&Actor::system(), plan)
                .await
                .unwrap()
                .plan
                .version
        }
    };
    let v = version(later).await;
    let carry = |task_id, version| CarryInput { version, task_id };
    let first = earlier_tasks[0].id;

    expect_err!(
        s.carry_task(&w.liaison, later, &carry(first, v - 1)).await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.carry_task(&w.stranger, later, &carry(first, v)).await,
        (CoreError::Forbidden(_) | CoreError::NotFound(_))
    );
    let own = plan_tasks(&s, later).await[0].id;
    expect_err!(
        s.carry_task(&w.liaison, later, &carry(own, v)).await,
        CoreError::Unfit(_)
    );
    let other_unit = plan_tasks(&s, elsewhere).await[0].id;
    expect_err!(
        s.carry_task(&w.liaison, later, &carry(other_unit, v)).await,
        CoreError::Unfit(_)
    );
    let plan = s
        .carry_task(&w.liaison, later, &carry(first, v))
        .await
        .unwrap();
    assert_eq!(plan.version, v + 1);
    expect_err!(
        s.carry_task(&w.liaison, later, &carry(first, plan.version))
            .await,
        CoreError::Conflict(_)
    );
    let detail = s.rect_plan_detail(&w.liaison, later).await.unwrap();
    assert_eq!(detail.carried.len(), 1);
    assert_eq!(detail.carried[0].entry.task.id, first);
    assert_eq!(detail.carried[0].entry.task.plan_id, earlier);
    assert_eq!(
        detail.carried[0].carried_by,
        w.liaison.as_user().unwrap().display_name
    );
    assert_eq!(
        s.carryable_tasks(&w.liaison, later).await.unwrap().len(),
        earlier_tasks.len() - 1
    );
    let task = s.get_task(&w.liaison, first).await.unwrap();
    assert_eq!(task.carried_into.len(), 1);
    assert_eq!(task.carried_into[0].plan_id, later);
    assert_eq!(task.carried_into[0].team_name, "第六巡视组");
    // Linked, not copied: the earlier plan keeps its tasks, the later gains none.
    assert_eq!(plan_tasks(&s, earlier).await.len(), earlier_tasks.len());
    assert_eq!(plan_tasks(&s, later).await.len(), earlier_tasks.len());

    let plan = s
        .uncarry_task(&w.liaison, later, &carry(first, plan.version))
        .await
        .unwrap();
    expect_err!(
        s.uncarry_task(&w.liaison, later, &carry(first, plan.version))
            .await,
        CoreError::Unfit(_)
    );
    assert!(
        s.get_task(&w.liaison, first)
            .await
            .unwrap()
            .carried_into
            .is_empty()
    );
    assert_eq!(audit_of_action(&s, "task_carried").await.len(), 1);
    assert_eq!(audit_of_action(&s, "task_uncarried").await.len(), 1);
}
