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
use xunshi_core::disclosure::{DocCollection, DocKind};
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
    let (principal, liaison, staff) = (
        as_user(s, "principal").await?,
        as_user(s, "liaison").await?,
        as_user(s, "staff").await?,
    );
    let people = People {
        office,
        principal: &principal,
        liaison: &liaison,
        staff: &staff,
    };
    let of_2017 = people
        .move_in(
            s,
            &PastInspectionInput {
                unit: UNIT.into(),
                feedback_date: "2017-06-16".into(),
                round: Some(round.id.to_string()),
                team_name: Some("第八巡视组".into()),
                category: None,
            },
            &ledger("宣传部2017年巡视整改台账.xlsx", ROWS),
        )
        .await?;
    timeline.on(date(2019, 8, 21))?;
    people
        .approve(
            s,
            of_2017,
            "2017年巡视反馈后成立整改工作领导小组，逐项制定整改措施，实行台账管理。",
        )
        .await?;
    let central = people
        .move_in(
            s,
            &PastInspectionInput {
                unit: UNIT.into(),
                feedback_date: "2019-07-12".into(),
                round: None,
                team_name: Some(CENTRAL_LOOK_BACK.into()),
                category: None,
            },
            &ledger("宣传部脱贫攻坚专项巡视“回头看”整改台账.xlsx", CENTRAL_ROWS),
        )
        .await?;
    people
        .approve(
            s,
            central,
            "成立脱贫攻坚专项巡视“回头看”反馈意见整改工作小组，逐项明确责任处室。",
        )
        .await?;

    timeline.on(date(2019, 8, 22))?;
    for id in tasks_of(s, office, of_2017).await? {
        people
            .report(s, id, "2017年已完成整改，补录整改落实情况和佐证材料。", 100)
            .await?;
        s.upload_task_evidence(
            &staff,
            id,
            "2017年整改落实情况说明.txt",
            "整改措施已于2017年落实，相关制度文件已印发执行。"
                .as_bytes()
                .to_vec(),
        )
        .await?;
    }
    for id in tasks_of(s, office, central).await? {
        people
            .report(
                s,
                id,
                "帮扶村产业发展规划已修订，帮扶项目管护机制正在建立。",
                60,
            )
            .await?;
    }
    timeline.on(date(2019, 8, 23))?;
    for id in tasks_of(s, office, of_2017).await? {
        let v = s.get_task(office, id).await?.entry.task.version;
        s.verify_task(
            office,
            id,
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

/// The seed's unit.
const UNIT: &str = "自治区党委宣传部";

/// Who moves the past work in: the office, and the unit's principal, liaison and staff.
struct People<'a> {
    office: &'a Actor,
    principal: &'a Actor,
    liaison: &'a Actor,
    staff: &'a Actor,
}

impl People<'_> {
    /// The past inspection moved in from its ledger; its plan's id.
    async fn move_in(
        &self,
        s: &Services<Db>,
        input: &PastInspectionInput,
        file: &LedgerImport,
    ) -> Result<Id, CoreError> {
        s.import_past_inspection(self.office, input, file, false)
            .await?
            .plan_id
            .ok_or_else(|| CoreError::internal("a past inspection moved in without its plan"))
    }

    /// The moved-in plan completed with its organisation, submitted and approved as it was, and
    /// the unit's reports on it sent.
    async fn approve(
        &self,
        s: &Services<Db>,
        plan_id: Id,
        organisation: &str,
    ) -> Result<(), CoreError> {
        let plan = s.rect_plan_detail(self.office, plan_id).await?.plan;
        let plan = s
            .update_rect_plan(
                self.principal,
                plan.id,
                plan.version,
                &RectPlanInput {
                    title: String::new(),
                    organisation: organisation.into(),
                    leading_group: vec![GroupMember {
                        name: "韦红梅".into(),
                        post: "自治区党委常委、宣传部部长".into(),
                        role: "组长".into(),
                    }],
                },
            )
            .await?;
        let plan = s.submit_plan(self.principal, plan.id, plan.version).await?;
        s.review_plan(
            self.office,
            plan.id,
            plan.version,
            true,
            "补录本系统启用前的整改方案，与原方案一致。",
        )
        .await?;
        // The reports the unit sent at the time, recorded with the plan, so that their clocks
        // stop rather than show years overdue.
        for kind in [DocKind::Rectification, DocKind::PrincipalReport] {
            let doc = s
                .draft_rectification_report(self.liaison, plan.inspection_id, plan.unit_id, kind)
                .await?;
            s.submit_rect_document(self.principal, doc.id, DocCollection::Reports, doc.version)
                .await?;
        }
        Ok(())
    }

    /// Progress on a task, claimed done at 100.
    async fn report(
        &self,
        s: &Services<Db>,
        task: Id,
        text: &str,
        percent: i16,
    ) -> Result<(), CoreError> {
        let v = s.get_task(self.staff, task).await?.entry.task.version;
        s.report_progress(self.staff, task, v, text, percent, percent == 100)
            .await?;
        Ok(())
    }
}

/// A plan's tasks, in its ledger's order.
async fn tasks_of(s: &Services<Db>, office: &Actor, plan_id: Id) -> Result<Vec<Id>, CoreError> {
    Ok(s.rect_plan_detail(office, plan_id)
        .await?
        .ledger
        .into_iter()
        .flat_map(|c| c.problems)
        .flat_map(|p| p.tasks)
        .map(|t| t.task.id)
        .collect())
}
