//! The levels below the province (上下联动): 南宁市委 runs its own inspections (巡察) through its
//! own office, which reads and decides nothing of the province's or another city's. Its first
//! round of the term was set up two days ago: its first team entered 南宁市财政局 yesterday,
//! and a cross inspection (交叉巡察) sends 武鸣区委's team to 横州市教育局, planned for a
//! fortnight on. The city files its plan with the province (报备), which comments on it the
//! next day; the round filed that day waits for the province to read it. The city keeps its own
//! plan clock (ten working days) for its inspections. Like the rest of the
//! story, nothing is dated on the day of loading.

use jiff::ToSpan;
use jiff::civil::Date;
use xunshi_core::filing::{FilingInput, FilingKind, FilingReply};
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::service::{PlanInput, RoundInput, Services, TermInput};
use xunshi_core::supervision::CommitteeRuleInput;
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

use super::timeline::Timeline;
use super::{advance, as_user};

/// The city's own office: username, name, the committee it sits in, the account's unit.
pub const CITY_OFFICE: (&str, &str, &str, &str) = (
    "cityoffice",
    "韦建华（南宁市委巡察办）",
    "南宁市委",
    "南宁市委巡察工作领导小组办公室",
);

fn days(d: Date, n: i64) -> Result<Date, CoreError> {
    d.checked_add(n.days()).map_err(CoreError::internal)
}

/// Writes the city's round two days before `today` (after the province's events of that day)
/// and its first team's entry the day after. Returns the on-site inspection and the cross
/// inspection.
pub async fn load(
    s: &Services<Db>,
    timeline: &Timeline,
    today: Date,
) -> Result<(Id, Id), CoreError> {
    let office = as_user(s, CITY_OFFICE.0).await?;
    let set_up = days(today, -2)?;
    let entry = days(today, -1)?;
    timeline.on(set_up)?;
    let term = s
        .create_term(
            &office,
            &TermInput {
                name: "南宁市委十三届".into(),
                dispatcher: CITY_OFFICE.2.into(),
                starts_on: "2021-09-28".into(),
                ends_on: None,
            },
        )
        .await?;
    let year = set_up.year();
    let plan = s
        .create_plan(
            &office,
            &PlanInput {
                term_id: term.id.to_string(),
                year,
                title: format!("南宁市委{year}年巡察工作计划"),
                notes: "报自治区党委巡视办备案".into(),
            },
        )
        .await?;
    let round = s
        .create_round(
            &office,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 1,
                name: format!("南宁市委{year}年第一轮巡察"),
            },
        )
        .await?;
    let on_site = s
        .create_inspection(
            &office,
            &InspectionInput {
                round_id: round.id.to_string(),
                team_name: "南宁市委第一巡察组".into(),
                targets: vec!["南宁市财政局".into()],
                kind: "routine".into(),
                planned_entry: Some(entry.to_string()),
                planned_exit: Some(days(today, 45)?.to_string()),
                ..Default::default()
            },
        )
        .await?
        .id;
    let cross = s
        .create_inspection(
            &office,
            &InspectionInput {
                round_id: round.id.to_string(),
                team_name: "武鸣区委巡察组（交叉巡察）".into(),
                targets: vec!["横州市教育局".into()],
                kind: "routine".into(),
                cross: true,
                planned_entry: Some(days(today, 14)?.to_string()),
                planned_exit: Some(days(today, 50)?.to_string()),
                ..Default::default()
            },
        )
        .await?
        .id;
    advance(s, &office, on_site, &[(Stage::Preparation, None)]).await?;
    advance(s, &office, cross, &[(Stage::Preparation, None)]).await?;
    // The city keeps its own plan clock for the inspections it sends, shorter than the
    // general rule of its level.
    let committee = s.get_inspection(&office, on_site).await?.0.dispatcher_id;
    s.add_committee_rule(
        &office,
        &CommitteeRuleInput {
            committee_id: committee.to_string(),
            clock: "plan_due".into(),
            amount: 10,
            counting: "working_days".into(),
            basis: "《南宁市委巡察工作实施办法》：收到反馈意见后10个工作日内报送整改方案".into(),
        },
    )
    .await?;
    // 报备: the plan goes up the day it is made; the province answers it the next day, when
    // the city also files its first round, which the province has yet to read.
    let filed_plan = s
        .file(
            &office,
            &FilingInput {
                kind: FilingKind::Plan.as_str().into(),
                subject_id: plan.id.to_string(),
            },
        )
        .await?;
    timeline.on(entry)?;
    advance(s, &office, on_site, &[(Stage::OnSite, Some(entry))]).await?;
    let province = as_user(s, "office").await?;
    s.answer_filing(
        &province,
        filed_plan.filing.id,
        &FilingReply {
            version: filed_plan.filing.version,
            decision: "comment".into(),
            comment:
                "收悉。交叉巡察请严格落实回避要求；各轮巡察报告经市委书记专题会审定后及时报备。"
                    .into(),
        },
    )
    .await?;
    s.file(
        &office,
        &FilingInput {
            kind: FilingKind::Round.as_str().into(),
            subject_id: round.id.to_string(),
        },
    )
    .await?;
    Ok((on_site, cross))
}
