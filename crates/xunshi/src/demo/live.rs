//! The invented current round, placed around the day the demo is loaded so that its clocks are
//! live: one inspection fed back months ago whose rectification has a task of each colour (done,
//! green, yellow within the warning period, red overdue), one fed back a few weeks ago whose
//! plan is due within the week and whose clue is within its handling period, one team on
//! site — its entry announcement open today, an anonymous letter from the public in its
//! register —, one inspection only planned.
//!
//! Everything is placed relative to `today` in four phases that follow one another, so the
//! timeline only moves forward: the first inspection from planning to feedback and its plan;
//! the second from preparation to feedback; then the last fortnight's work.

use jiff::ToSpan;
use jiff::civil::Date;
use xunshi_core::clue::{ClueInput, TransferInput};
use xunshi_core::deadline::{Clock, InspectionLevel};
use xunshi_core::fieldwork::{AnnouncementInput, PublicSubmissionInput};
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::TeamRole;
use xunshi_core::rectify::{GroupMember, TaskInput};
use xunshi_core::service::{
    LedgerFilter, PlanInput, RectPlanInput, RoundInput, Services, TermInput,
};
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

use super::rectify::ENDS as SEED_ENDS;
use super::seed::{self, Findings, Pool, ReportDates};
use super::timeline::Timeline;
use super::{advance, as_user, plan_inspection};

/// The newest the second inspection's plan may fall due: within the week from today.
const PLAN_DUE_WITHIN: i64 = 5;

/// When the round was planned, in days from today: eleven months before.
const PLANNED: i64 = -330;

/// The fourth team's planned exit, in days from today: it entered a week ago.
const ON_SITE_UNTIL: i64 = 53;

/// How far back the second inspection's feedback day is looked for: 15 working days are at
/// most about five weeks, even around the Spring Festival.
const SEARCH_DAYS: i64 = 60;

/// The days the current round's events fall on, worked out from `today` and checked against
/// the holiday calendar before anything is written.
pub struct Placement {
    today: Date,
    /// The first inspection's feedback, half a year ago.
    first_feedback: Date,
    /// The second inspection's feedback: the last working day whose plan clock ends within
    /// the week.
    second_feedback: Date,
}

impl Placement {
    /// Works out the days, refusing clearly where the round cannot be placed (too early to
    /// follow the seed).
    pub async fn around(s: &Services<Db>, today: Date) -> Result<Self, CoreError> {
        let refuse = |e: CoreError| {
            CoreError::RuleRefused(format!(
                "无法围绕 {today} 安排演示数据的当前轮次 / the demo's current round cannot be placed around {today}: {e}"
            ))
        };
        if days(today, PLANNED)? <= SEED_ENDS {
            return Err(refuse(CoreError::internal(format!(
                "the round would be planned before the seed ends on {SEED_ENDS}"
            ))));
        }
        let calendar = s.calendar().await?;
        let rule = s
            .deadline_rules(&Actor::system())
            .await?
            .into_iter()
            .find(|r| r.rule.level == InspectionLevel::Xunshi && r.rule.clock == Clock::PlanDue)
            .ok_or_else(|| CoreError::internal("no plan deadline rule for 巡视"))?
            .rule;
        // Past the entered years the days are counted as the product counts them there, by
        // weekends (暂定): the round is placed on any day, its clocks marked provisional.
        let plan_due = |feedback: Date| {
            rule.due(feedback, &calendar)
                .map(|r| r.date)
                .map_err(refuse)
        };
        let working = |d: Date| {
            let before = d.yesterday().map_err(CoreError::internal)?;
            Ok::<_, CoreError>(calendar.deadline(before, 1).map_err(refuse)?.date == d)
        };

        let first_feedback = last_working_day(days(today, -180)?, &working)?;
        plan_due(first_feedback)?;

        let latest = days(today, PLAN_DUE_WITHIN)?;
        // The latest feedback day whose plan falls due within the week.
        let mut second_feedback = None;
        for back in 1..=SEARCH_DAYS {
            let candidate = days(today, -back)?;
            if !working(candidate)? {
                continue;
            }
            let due = plan_due(candidate)?;
            if due <= latest {
                second_feedback = Some((candidate, due));
                break;
            }
        }
        let Some((second_feedback, due)) = second_feedback else {
            return Err(refuse(CoreError::internal(
                "no feedback day gives a plan due within the week",
            )));
        };
        // Due today is still within the week (and yellow); a plan already overdue is not.
        if due < today {
            return Err(refuse(CoreError::internal(
                "no feedback day gives a plan due within the week",
            )));
        }
        Ok(Placement {
            today,
            first_feedback,
            second_feedback,
        })
    }

    /// `n` days from today (before it when negative).
    fn day(&self, n: i64) -> Result<Date, CoreError> {
        days(self.today, n)
    }
}

fn days(d: Date, n: i64) -> Result<Date, CoreError> {
    d.checked_add(n.days()).map_err(CoreError::internal)
}

/// `d`, or the working day before it: meetings are held on working days.
fn last_working_day(
    mut d: Date,
    working: &impl Fn(Date) -> Result<bool, CoreError>,
) -> Result<Date, CoreError> {
    while !working(d)? {
        d = days(d, -1)?;
    }
    Ok(d)
}

const FIRST_PROBLEMS: &[(&str, &str)] = &[
    (
        "贯彻落实党的理论和路线方针政策及党中央重大决策部署",
        "推动文化和旅游深度融合发展有差距",
    ),
    (
        "落实全面从严治党战略部署（主体责任、监督责任）",
        "对直属单位文物保护专项资金监管不够到位",
    ),
    (
        "落实新时代党的组织路线",
        "基层党组织标准化规范化建设推进不平衡",
    ),
    ("落实巡视、审计等监督发现问题整改", "审计发现问题整改不彻底"),
];

const SECOND_PROBLEMS: &[(&str, &str)] = &[
    (
        "贯彻落实党的理论和路线方针政策及党中央重大决策部署",
        "落实“双减”政策督导检查不够有力",
    ),
    (
        "落实全面从严治党战略部署（主体责任、监督责任）",
        "校外培训机构监管存在薄弱环节",
    ),
    // Like the first team's finding at the culture and tourism department: one of the round's
    // common problems (同类问题).
    (
        "落实全面从严治党战略部署（主体责任、监督责任）",
        "对直属单位专项资金和项目监管不够到位",
    ),
];

fn findings<'a>(
    problems: &'a [(&'a str, &'a str)],
    unit: &'a str,
    report_title: &'a str,
    team: &'a str,
    deadline: Date,
) -> Findings<'a> {
    Findings {
        problems,
        rule_broken: "《中国共产党党内监督条例》《中国共产党问责条例》有关规定",
        responsibility: "领导班子承担主体责任，主要负责人负第一责任人责任，分管领导负重要领导责任。",
        report_title,
        assessment: "领导班子贯彻落实党中央决策部署和自治区党委工作要求，推进各项事业发展取得一定成效。巡视中，巡视组发现和党员干部群众反映了一些问题。（演示数据）",
        recommendations: &[
            "提高政治站位，把党中央决策部署和自治区党委工作要求落到实处。",
            "压紧压实管党治党政治责任，加强对直属单位的监督管理。",
        ],
        demands: "要认真研究反馈意见，制定整改方案，明确整改责任、整改措施和整改时限，按要求报送整改情况。",
        deadline,
        delivered_by: team,
        delivered_to: unit,
        presided_by: "单位主要负责人",
    }
}

/// A task of the first inspection's plan and how it stands today.
struct LiveTask {
    measure: &'static str,
    /// Days from today to the deadline.
    due_in: i64,
    state: LiveState,
}

#[derive(Clone, Copy, PartialEq)]
enum LiveState {
    /// Claimed and closed ahead of its deadline.
    Closed,
    /// Under way, this many percent done.
    UnderWay(i16),
}

/// One task of each colour as of today: closed; overdue (red); due within the warning period
/// (yellow, the default period being 7 days); due in two months (green).
const LIVE_TASKS: [LiveTask; 4] = [
    LiveTask {
        measure: "制定文旅融合发展三年行动方案，建立重点项目调度机制",
        due_in: 20,
        state: LiveState::Closed,
    },
    LiveTask {
        measure: "对直属单位文物保护专项资金开展专项审计，建立资金使用台账",
        due_in: -9,
        state: LiveState::UnderWay(70),
    },
    LiveTask {
        measure: "开展基层党支部标准化规范化建设达标验收",
        due_in: 4,
        state: LiveState::UnderWay(80),
    },
    LiveTask {
        measure: "逐项对账审计发现问题，建立整改销号制度",
        due_in: 60,
        state: LiveState::UnderWay(30),
    },
];

/// The current round, planned eleven months before today under the committee's next term.
/// Returns the receipt code of the anonymous letter written to the team on site, and that
/// team's inspection.
pub async fn load(
    s: &Services<Db>,
    timeline: &Timeline,
    office: &Actor,
    pool: &Pool,
    at: &Placement,
    seed: Id,
) -> Result<(String, Id), CoreError> {
    let planned = at.day(PLANNED)?;
    timeline.on(planned)?;
    let term = s
        .create_term(
            office,
            &TermInput {
                name: "自治区党委十二届".into(),
                dispatcher: "自治区党委".into(),
                starts_on: "2021-11-27".into(),
                ends_on: None,
            },
        )
        .await?;
    let year = planned.year();
    let plan = s
        .create_plan(
            office,
            &PlanInput {
                term_id: term.id.to_string(),
                year,
                title: format!("{year}年巡视工作计划"),
                notes: String::new(),
            },
        )
        .await?;
    let round = s
        .create_round(
            office,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 1,
                name: format!("{year}年第一轮巡视"),
            },
        )
        .await?;
    let planned_inspection = |team: &'static str, unit: &'static str, from: i64, to: i64| {
        let (from, to) = (at.day(from), at.day(to));
        async move {
            plan_inspection(
                s,
                office,
                round.id,
                team,
                &[unit],
                &from?.to_string(),
                &to?.to_string(),
            )
            .await
        }
    };
    let first = planned_inspection("第一巡视组", "自治区文化和旅游厅", -305, -245).await?;
    let second = planned_inspection("第二巡视组", "自治区教育厅", -140, -85).await?;
    let on_site = planned_inspection("第四巡视组", "南宁市委", -7, ON_SITE_UNTIL).await?;
    planned_inspection("第五巡视组", "自治区卫生健康委", 30, 90).await?;
    // The 回头看 of the seed: its team will check the 2019 problems' rectification.
    s.create_inspection(
        office,
        &InspectionInput {
            round_id: round.id.to_string(),
            team_name: "第六巡视组".into(),
            targets: vec!["自治区党委宣传部".into()],
            kind: "look_back".into(),
            look_back_of: Some(seed.to_string()),
            planned_entry: Some(at.day(45)?.to_string()),
            planned_exit: Some(at.day(75)?.to_string()),
            ..Default::default()
        },
    )
    .await?;

    first_to_feedback(s, timeline, office, pool, at, first).await?;
    first_plan(s, timeline, office, at, first).await?;
    let clue = second_to_feedback(s, timeline, office, pool, at, second).await?;
    let round = Round {
        first,
        second,
        on_site,
        clue,
    };
    let receipt = last_fortnight(s, timeline, office, pool, at, &round).await?;
    Ok((receipt, on_site))
}

/// The inspections of the round that still have work in the last fortnight.
struct Round {
    first: Id,
    second: Id,
    on_site: Id,
    /// The second team's clue, transferred in the last fortnight.
    clue: Id,
}

/// The first team: on site for two months, fed back half a year ago.
async fn first_to_feedback(
    s: &Services<Db>,
    timeline: &Timeline,
    office: &Actor,
    pool: &Pool,
    at: &Placement,
    id: Id,
) -> Result<(), CoreError> {
    timeline.on(at.day(-320)?)?;
    advance(s, office, id, &[(Stage::Preparation, None)]).await?;
    timeline.on(at.day(-315)?)?;
    s.appoint(office, id, pool.leader, TeamRole::Leader, None)
        .await?;
    s.appoint(office, id, pool.member, TeamRole::Member, None)
        .await?;
    let entry = at.day(-305)?;
    timeline.on(entry)?;
    advance(s, office, id, &[(Stage::OnSite, Some(entry))]).await?;
    let (lead, member) = (
        as_user(s, "teamlead").await?,
        as_user(s, "teammember").await?,
    );
    let deadline = days(at.first_feedback, 60)?;
    let found = findings(
        FIRST_PROBLEMS,
        "自治区文化和旅游厅",
        "关于对自治区文化和旅游厅党组巡视情况的报告",
        "自治区党委第一巡视组组长周晓岚",
        deadline,
    );
    let written = [at.day(-300)?, at.day(-290)?, at.day(-280)?, at.day(-270)?];
    seed::papers(
        s,
        timeline,
        (&lead, &member),
        id,
        &found,
        &written,
        at.day(-255)?,
    )
    .await?;
    let exit = at.day(-245)?;
    timeline.on(exit)?;
    advance(s, office, id, &[(Stage::Reporting, Some(exit))]).await?;
    let dates = ReportDates {
        drafted: at.day(-240)?,
        submitted: at.day(-238)?,
        team: at.day(-236)?,
        office: at.day(-230)?,
        group: at.day(-215)?,
        secretary: at.day(-200)?,
        feedback_drafted: at.day(-185)?,
        feedback: at.first_feedback,
    };
    seed::report_and_feedback(s, timeline, office, &lead, id, &found, &dates).await
}

/// The first unit's plan, a task for each problem with deadlines around today, submitted and
/// approved within the 15 working days.
async fn first_plan(
    s: &Services<Db>,
    timeline: &Timeline,
    office: &Actor,
    at: &Placement,
    id: Id,
) -> Result<(), CoreError> {
    let liaison = as_user(s, "culture").await?;
    let (insp, _) = s.get_inspection(office, id).await?;
    let unit = insp.target_ids[0];
    timeline.on(days(at.first_feedback, 5)?)?;
    let plan = s
        .create_rect_plan(
            &liaison,
            id,
            unit,
            &RectPlanInput {
                title: String::new(),
                organisation: "成立巡视整改工作领导小组，逐条制定整改措施，明确责任领导、责任部门和整改时限，实行清单管理、对账销号。".into(),
                leading_group: vec![
                    GroupMember {
                        name: "厅党组书记、厅长".into(),
                        post: String::new(),
                        role: "组长".into(),
                    },
                    GroupMember {
                        name: "厅党组成员、副厅长".into(),
                        post: String::new(),
                        role: "副组长".into(),
                    },
                ],
            },
        )
        .await?;
    let problems = s
        .get_feedback(&liaison, id)
        .await?
        .map(|f| {
            f.groups
                .into_iter()
                .flat_map(|g| g.items)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    for (problem, t) in problems.iter().zip(LIVE_TASKS.iter()) {
        s.add_task(
            &liaison,
            plan.id,
            &TaskInput {
                problem_id: problem.problem_id.to_string(),
                measure: t.measure.into(),
                target: format!("{}问题得到有效解决", problem.title),
                standard: "措施落实到位，佐证材料齐全".into(),
                responsible_leader: "分管副厅长".into(),
                lead_department: "办公室".into(),
                co_departments: "相关处室".into(),
                responsible_person: "办公室负责人".into(),
                due_kind: "by".into(),
                due_date: Some(at.day(t.due_in)?.to_string()),
                not_for_disclosure: false,
            },
        )
        .await?;
    }
    timeline.on(days(at.first_feedback, 14)?)?;
    let plan = s.rect_plan_detail(office, plan.id).await?.plan;
    let plan = s.submit_plan(&liaison, plan.id, plan.version).await?;
    timeline.on(days(at.first_feedback, 17)?)?;
    s.review_plan(office, plan.id, plan.version, true, "同意。")
        .await?;
    Ok(())
}

/// The second team, led by the seed's deputy: on site for two months, a clue registered, fed
/// back a few weeks ago. Returns the clue, transferred in the last fortnight.
async fn second_to_feedback(
    s: &Services<Db>,
    timeline: &Timeline,
    office: &Actor,
    pool: &Pool,
    at: &Placement,
    id: Id,
) -> Result<Id, CoreError> {
    timeline.on(at.day(-150)?)?;
    advance(s, office, id, &[(Stage::Preparation, None)]).await?;
    s.appoint(office, id, pool.deputy, TeamRole::Leader, None)
        .await?;
    let entry = at.day(-140)?;
    timeline.on(entry)?;
    advance(s, office, id, &[(Stage::OnSite, Some(entry))]).await?;
    let lead = as_user(s, "teamdeputy").await?;
    let found = findings(
        SECOND_PROBLEMS,
        "自治区教育厅",
        "关于对自治区教育厅党组巡视情况的报告",
        "自治区党委第二巡视组组长蒋立新",
        days(at.second_feedback, 60)?,
    );
    seed::papers(
        s,
        timeline,
        (&lead, &lead),
        id,
        &found,
        &[at.day(-130)?, at.day(-115)?, at.day(-110)?],
        at.day(-95)?,
    )
    .await?;
    timeline.on(at.day(-92)?)?;
    let clue = s
        .register_clue(
            &lead,
            id,
            &ClueInput {
                about_name: "王某某".into(),
                about_post: "直属单位负责人".into(),
                about_unit: Some("自治区教育厅".into()),
                summary: "反映其在教材采购中违规插手、收受好处问题".into(),
                source: "来信".into(),
                confidentiality: "秘密".into(),
                kind: "领导干部问题".into(),
            },
        )
        .await?;
    let exit = at.day(-85)?;
    timeline.on(exit)?;
    advance(s, office, id, &[(Stage::Reporting, Some(exit))]).await?;
    let dates = ReportDates {
        drafted: at.day(-80)?,
        submitted: at.day(-78)?,
        team: at.day(-76)?,
        office: at.day(-70)?,
        group: at.day(-55)?,
        secretary: at.day(-40)?,
        feedback_drafted: days(at.second_feedback, -4)?,
        feedback: at.second_feedback,
    };
    seed::report_and_feedback(s, timeline, office, &lead, id, &found, &dates).await?;
    Ok(clue.id)
}

/// The last fortnight: the second team transfers its clue (three months to handle it), the
/// fourth team is formed, announces its entry and goes on site, the first unit has a task
/// closed and reports on the others, and someone of the public writes to the team on site.
/// Returns the receipt code of that letter.
async fn last_fortnight(
    s: &Services<Db>,
    timeline: &Timeline,
    office: &Actor,
    pool: &Pool,
    at: &Placement,
    round: &Round,
) -> Result<String, CoreError> {
    let transferred_on = at.day(-12)?;
    timeline.on(transferred_on)?;
    let lead = as_user(s, "teamdeputy").await?;
    s.create_transfer(
        &lead,
        round.second,
        &TransferInput {
            recipient: "discipline".into(),
            department: None,
            letter_no: format!("桂巡移〔{}〕1号", transferred_on.year()),
            letter_text: "现将巡视中发现的反映领导干部的问题线索移交你委，请按规定处置，并于三个月内将办理情况报自治区党委巡视办。".into(),
            transferred_on: transferred_on.to_string(),
            clue_ids: vec![round.clue.to_string()],
        },
    )
    .await?;

    timeline.on(at.day(-11)?)?;
    advance(s, office, round.on_site, &[(Stage::Preparation, None)]).await?;
    for (inspector, role) in [
        (pool.leader, TeamRole::Leader),
        (pool.member, TeamRole::Member),
        (pool.colleague, TeamRole::Member),
    ] {
        s.appoint(office, round.on_site, inspector, role, None)
            .await?;
    }

    let liaison = as_user(s, "culture").await?;
    let tasks = first_tasks(s, office, round.first).await?;
    let closed = || {
        tasks
            .iter()
            .filter(|(t, _)| t.state == LiveState::Closed)
            .map(|(_, id)| *id)
    };
    timeline.on(at.day(-9)?)?;
    for id in closed() {
        let v = s.get_task(&liaison, id).await?.entry.task.version;
        s.report_progress(
            &liaison,
            id,
            v,
            "整改措施已落实，方案已印发实施。",
            100,
            true,
        )
        .await?;
        s.upload_task_evidence(
            &liaison,
            id,
            "整改落实情况说明.txt",
            "行动方案已印发实施。".as_bytes().to_vec(),
        )
        .await?;
    }
    let entry = at.day(-7)?;
    announce(s, round.on_site, entry, at.day(ON_SITE_UNTIL)?).await?;
    timeline.on(entry)?;
    advance(s, office, round.on_site, &[(Stage::OnSite, Some(entry))]).await?;
    timeline.on(at.day(-5)?)?;
    for id in closed() {
        let v = s.get_task(office, id).await?.entry.task.version;
        s.verify_task(
            office,
            id,
            v,
            true,
            None,
            None,
            "经核查，整改到位，予以销号。",
        )
        .await?;
    }
    timeline.on(at.day(-3)?)?;
    for (t, id) in &tasks {
        if let LiveState::UnderWay(percent) = t.state {
            let v = s.get_task(&liaison, *id).await?.entry.task.version;
            s.report_progress(&liaison, *id, v, "正在按计划推进。", percent, false)
                .await?;
        }
    }
    timeline.on(at.day(-2)?)?;
    public_letter(s, round.on_site).await
}

/// The fourth team's entry announcement, published by its leader before it enters and open
/// for the whole of its time on site, so the public page lists it on the day of loading.
async fn announce(s: &Services<Db>, id: Id, entry: Date, exit: Date) -> Result<(), CoreError> {
    let lead = as_user(s, "teamlead").await?;
    s.save_announcement(
        &lead,
        id,
        &AnnouncementInput {
            hotline: "0771-2188400（每天8:00—20:00）".into(),
            mailbox: "南宁市委机关大院东门（巡视组意见箱）".into(),
            postal_box: "南宁市A041号邮政信箱（邮编530022）".into(),
            email: "xsz4@demo.example.org".into(),
            opens_on: entry.to_string(),
            closes_on: exit.to_string(),
            scope: "巡视期间，巡视组主要受理反映南宁市委领导班子及其成员、下一级党组织领导班子主要负责人和重要岗位领导干部问题的来信来电来访，重点是关于违反政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律、生活纪律等方面的举报和反映。其他不属于巡视受理范围的信访事项，将按规定转交被巡视单位或有关部门处理。".into(),
            version: None,
        },
    )
    .await?;
    Ok(())
}

/// Someone of the public writes to the fourth team through the intake page, without a name.
/// Returns the receipt code the page would show them.
async fn public_letter(s: &Services<Db>, id: Id) -> Result<String, CoreError> {
    s.submit_public_letter(
        &PublicSubmissionInput {
            inspection_id: id.to_string(),
            content: "反映某城区老旧小区改造项目施工质量差、以次充好，居民多次向有关部门反映，主管部门负责人推诿扯皮，问题至今没有解决。（演示数据）".into(),
            name: String::new(),
            contact: String::new(),
            about_name: "黄某某".into(),
            about_post: "某城区住房和城乡建设局局长".into(),
        },
        Vec::new(),
    )
    .await
    .map(|done| done.receipt)
}

/// The first unit's tasks, each beside what the scenario says of it.
async fn first_tasks(
    s: &Services<Db>,
    office: &Actor,
    first: Id,
) -> Result<Vec<(&'static LiveTask, Id)>, CoreError> {
    let ledger = s
        .list_tasks(
            office,
            &LedgerFilter {
                inspection_id: Some(first),
                ..Default::default()
            },
            PageRequest::first(100),
        )
        .await?
        .items;
    LIVE_TASKS
        .iter()
        .map(|t| {
            ledger
                .iter()
                .find(|e| e.task.measure == t.measure)
                .map(|e| (t, e.task.id))
                .ok_or_else(|| CoreError::internal(format!("no task “{}”", t.measure)))
        })
        .collect()
}
