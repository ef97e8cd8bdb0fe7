//! The propaganda department's work before the seed, moved in from its ledgers in August 2019
//! (`import_past_inspection`):
//!
//! - the inspection of 2017: the plan approved and its tasks closed against their records
//!   (对账销号) before the 2019 team goes in; the 2019 team then finds the first of its
//!   problems again — 整改不到位, which the `patterns` job flags and the dashboard counts;
//! - the central 脱贫攻坚 special inspection's look-back (回头看) of 2019, whose long-term task
//!   is still under way when the seed's plan carries it over (一并抓好落实, as the article
//!   asks).

use jiff::civil::date;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::GroupMember;
use xunshi_core::service::{
    LedgerCell, LedgerImport, LedgerImportRow, PastInspectionInput, PlanInput, RectPlanInput,
    RoundInput, Services,
};
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

use super::as_user;
use super::timeline::Timeline;

/// The team of the central look-back, as the department's ledger names it.
pub const CENTRAL_LOOK_BACK: &str = "中央第十一巡视组（脱贫攻坚专项巡视“回头看”）";

/// The central look-back's ledger: its one task, kept up for good (长期坚持).
const CENTRAL_ROWS: &[(&str, &str, &str, &str)] = &[(
    "一、政治建设方面",
    "落实定点帮扶责任不够到位，帮扶村产业项目带动作用不强",
    "完善定点帮扶村产业发展规划，建立帮扶项目长效管护机制，每季度研究一次帮扶工作",
    "长期坚持",
)];

/// The 2017 ledger's rows: heading, problem, measure, deadline.
const ROWS: &[(&str, &str, &str, &str)] = &[
    (
        "二、组织建设方面",
        "执行干部选拔任用有关规定不够到位，干部人事档案管理不规范",
        "修订干部选拔任用工作规程，开展干部人事档案专项审核",
        "2017年12月底前",
    ),
    (
        "二、组织建设方面",
        "机关党支部“三会一课”制度执行不严格",
        "建立党支部组织生活记实制度，每季度检查一次",
        "2017年9月底前",
    ),
    (
        "三、党风廉政建设方面",
        "部属单位财务管理制度不健全，公务接待审批把关不严",
        "修订部属单位财务管理和公务接待办法",
        "2017年12月底前",
    ),
];

fn cell(col: &str, line: u32, text: &str) -> Option<LedgerCell> {
    Some(LedgerCell {
        cell: format!("{col}{line}"),
        text: text.into(),
    })
}

fn ledger(file_name: &str, rows: &[(&str, &str, &str, &str)]) -> LedgerImport {
    let rows = rows
        .iter()
        .zip(5u32..)
        .map(|((heading, problem, measure, due), line)| LedgerImportRow {
            line,
            problem: cell("A", line, problem),
            measure: cell("B", line, measure),
            target: cell("C", line, "问题整改到位"),
            standard: cell("D", line, "制度出台并落实，佐证材料齐全"),
            responsible_leader: cell("E", line, "分管副部长"),
            deadline: cell("F", line, due),
            lead_department: cell("G", line, "干部处"),
            co_departments: cell("H", line, "机关党委"),
            responsible_person: cell("I", line, "干部处负责人"),
            category: cell("A", line - 1, heading),
        })
        .collect();
    LedgerImport {
        file_name: file_name.into(),
        rows,
        skipped: Vec::new(),
        notes: Vec::new(),
    }
}

/// Moves the 2017 inspection in under `term` and closes its tasks, and moves the central
/// look-back in with its task under way, from 2019-08-20 to 2019-08-23 on the timeline.
pub async fn load(
    s: &Services<Db>,
    timeline: &Timeline,
    office: &Actor,
    term: Id,
) -> Result<(), CoreError> {
    timeline.on(date(2019, 8, 20))?;
    let plan = s
        .create_plan(
            office,
            &PlanInput {
                term_id: term.to_string(),
                year: 2017,
                title: "2017年巡视工作计划".into(),
                notes: "补录：本系统启用前的巡视".into(),
            },
        )
        .await?;
    let round = s
        .create_round(
            office,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 2,
                name: "2017年第二轮巡视".into(),
            },
        )
        .await?;
    let input = PastInspectionInput {
        unit: "自治区党委宣传部".into(),
        feedback_date: "2017-06-16".into(),
        round: Some(round.id.to_string()),
        team_name: Some("第八巡视组".into()),
        category: None,
    };
    let imported = s
        .import_past_inspection(
            office,
            &input,
            &ledger("宣传部2017年巡视整改台账.xlsx", ROWS),
            false,
        )
        .await?;
    let plan_id = imported
        .plan_id
        .ok_or_else(|| CoreError::internal("the 2017 import made no plan"))?;

    let (principal, staff) = (as_user(s, "principal").await?, as_user(s, "staff").await?);
    timeline.on(date(2019, 8, 21))?;
    let plan = s.rect_plan_detail(office, plan_id).await?.plan;
    let plan = s
        .update_rect_plan(
            &principal,
            plan.id,
            plan.version,
            &RectPlanInput {
                title: String::new(),
                organisation:
                    "2017年巡视反馈后成立整改工作领导小组，逐项制定整改措施，实行台账管理。".into(),
                leading_group: vec![GroupMember {
                    name: "韦红梅".into(),
                    post: "自治区党委常委、宣传部部长".into(),
                    role: "组长".into(),
                }],
            },
        )
        .await?;
    let plan = s.submit_plan(&principal, plan.id, plan.version).await?;
    s.review_plan(
        office,
        plan.id,
        plan.version,
        true,
        "补录2017年巡视整改方案，与原方案一致。",
    )
    .await?;
    let tasks: Vec<Id> = s
        .rect_plan_detail(office, plan_id)
        .await?
        .ledger
        .into_iter()
        .flat_map(|c| c.problems)
        .flat_map(|p| p.tasks)
        .map(|t| t.task.id)
        .collect();
    timeline.on(date(2019, 8, 22))?;
    for id in &tasks {
        let v = s.get_task(&staff, *id).await?.entry.task.version;
        s.report_progress(
            &staff,
            *id,
            v,
            "2017年已完成整改，补录整改落实情况和佐证材料。",
            100,
            true,
        )
        .await?;
        s.upload_task_evidence(
            &staff,
            *id,
            "2017年整改落实情况说明.txt",
            "整改措施已于2017年落实，相关制度文件已印发执行。"
                .as_bytes()
                .to_vec(),
        )
        .await?;
    }
    central_look_back(s, office, &principal, &staff).await?;
    timeline.on(date(2019, 8, 23))?;
    for id in &tasks {
        let v = s.get_task(office, *id).await?.entry.task.version;
        s.verify_task(
            office,
            *id,
            v,
            true,
            None,
            None,
            "对账核查，2017年整改已落实，予以销号。",
        )
        .await?;
    }
    Ok(())
}

/// The central look-back of July 2019, its plan approved and its one task under way.
async fn central_look_back(
    s: &Services<Db>,
    office: &Actor,
    principal: &Actor,
    staff: &Actor,
) -> Result<(), CoreError> {
    let input = PastInspectionInput {
        unit: "自治区党委宣传部".into(),
        feedback_date: "2019-07-12".into(),
        round: None,
        team_name: Some(CENTRAL_LOOK_BACK.into()),
        category: None,
    };
    let imported = s
        .import_past_inspection(
            office,
            &input,
            &ledger("宣传部脱贫攻坚专项巡视“回头看”整改台账.xlsx", CENTRAL_ROWS),
            false,
        )
        .await?;
    let plan_id = imported
        .plan_id
        .ok_or_else(|| CoreError::internal("the look-back import made no plan"))?;
    let plan = s.rect_plan_detail(office, plan_id).await?.plan;
    let plan = s
        .update_rect_plan(
            principal,
            plan.id,
            plan.version,
            &RectPlanInput {
                title: String::new(),
                organisation:
                    "成立脱贫攻坚专项巡视“回头看”反馈意见整改工作小组，逐项明确责任处室。".into(),
                leading_group: vec![GroupMember {
                    name: "韦红梅".into(),
                    post: "自治区党委常委、宣传部部长".into(),
                    role: "组长".into(),
                }],
            },
        )
        .await?;
    let plan = s.submit_plan(principal, plan.id, plan.version).await?;
    s.review_plan(office, plan.id, plan.version, true, "同意。")
        .await?;
    let task = s
        .rect_plan_detail(office, plan_id)
        .await?
        .ledger
        .into_iter()
        .flat_map(|c| c.problems)
        .flat_map(|p| p.tasks)
        .map(|t| t.task.id)
        .next()
        .ok_or_else(|| CoreError::internal("the look-back import made no task"))?;
    let v = s.get_task(staff, task).await?.entry.task.version;
    s.report_progress(
        staff,
        task,
        v,
        "帮扶村产业发展规划已修订，帮扶项目管护机制正在建立。",
        60,
        false,
    )
    .await?;
    Ok(())
}
