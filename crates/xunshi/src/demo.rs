//! The example scenario behind `xunshi serve --demo`: the inspection of the seed article — the
//! autonomous region committee's third inspection team at its propaganda department, on site
//! from 2019-09-18 to 2019-12-18 (its fieldwork in `demo/fieldwork.rs`), feedback on
//! 2020-03-25 — and an invented current round with several units at different stages. People
//! have invented names. Everything is created through the services, so the demo obeys the same
//! rules and leaves the same audit trail as real use, and each event carries the day it
//! happened (`demo/timeline.rs`): the seed's days of 2019–2021, the current round's days
//! counted back from the day the demo is loaded. Before the seed, the department's inspection
//! of 2017 is moved in from its ledger and closed (`demo/earlier.rs`); the seed finds one of
//! its problems again, and the recurring problems are worked out once the story is told.

#[path = "demo/earlier.rs"]
pub(crate) mod earlier;
#[path = "demo/fieldwork.rs"]
mod fieldwork;
mod levels;
#[path = "demo/live.rs"]
mod live;
#[path = "demo/rectify.rs"]
mod rectify;
#[path = "demo/seed.rs"]
mod seed;
#[path = "demo/timeline.rs"]
mod timeline;

use jiff::civil::{Date, date};
use timeline::Timeline;
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::org::UnitInput;
use xunshi_core::permission::Actor;
use xunshi_core::service::{NewGrant, PlanInput, RoundInput, Services, StageChange, TermInput};
use xunshi_core::store::UnitFilter;
use xunshi_core::user::NewUserInput;
use xunshi_core::{CoreError, Id, page::PageRequest};
use xunshi_store::Db;

/// The password of every demo account. A demo is for looking around, never for real data.
pub const DEMO_PASSWORD: &str = "Xunshi-Demo-2020";

/// The demo accounts: username, name, role, unit.
pub const ACCOUNTS: &[(&str, &str, &str, Option<&str>)] = &[
    ("admin", "系统管理员", "admin", None),
    (
        "office",
        "陈立军（巡视办）",
        "office",
        Some("自治区党委巡视工作领导小组办公室"),
    ),
    (
        "leader",
        "黄振宇（领导小组）",
        "leadership",
        Some("自治区党委巡视工作领导小组"),
    ),
    (
        "principal",
        "韦红梅（宣传部部长）",
        "unit_principal",
        Some("自治区党委宣传部"),
    ),
    (
        "liaison",
        "覃海燕（宣传部联络员）",
        "unit_liaison",
        Some("自治区党委宣传部"),
    ),
    (
        "staff",
        "蒙志刚（宣传部办公室）",
        "unit_staff",
        Some("自治区党委宣传部"),
    ),
    (
        "discipline",
        "梁文斌（纪委监委）",
        "discipline",
        Some("自治区纪委监委"),
    ),
    (
        "organization",
        "卢晓东（组织部）",
        "organization",
        Some("自治区党委组织部"),
    ),
    (
        "culture",
        "潘丽华（文化和旅游厅联络员）",
        "unit_liaison",
        Some("自治区文化和旅游厅"),
    ),
    (
        "education",
        "莫志远（教育厅联络员）",
        "unit_liaison",
        Some("自治区教育厅"),
    ),
    (
        "teamlead",
        "周晓岚（第三巡视组组长）",
        "team_leader",
        Some(OFFICE_UNIT),
    ),
    (
        "teamdeputy",
        "蒋立新（第三巡视组副组长）",
        "team_deputy",
        Some(OFFICE_UNIT),
    ),
    (
        "teammember",
        "黄雅琴（第三巡视组成员）",
        "team_member",
        Some(OFFICE_UNIT),
    ),
];

const OFFICE_UNIT: &str = "自治区党委巡视工作领导小组办公室";

struct UnitSpec {
    name: &'static str,
    kind: &'static str,
    level: &'static str,
    parent: Option<&'static str>,
}

const UNITS: &[UnitSpec] = &[
    UnitSpec {
        name: "自治区党委",
        kind: "committee",
        level: "provincial",
        parent: None,
    },
    UnitSpec {
        name: "自治区党委巡视工作领导小组",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区党委巡视工作领导小组办公室",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区纪委监委",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区党委组织部",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区党委宣传部",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区新闻出版服务中心",
        kind: "affiliated",
        level: "provincial",
        parent: Some("自治区党委宣传部"),
    },
    UnitSpec {
        name: "自治区文艺创作中心",
        kind: "affiliated",
        level: "provincial",
        parent: Some("自治区党委宣传部"),
    },
    UnitSpec {
        name: "自治区党委统战部",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区党委政法委",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区文化和旅游厅",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区教育厅",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区卫生健康委",
        kind: "department",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "自治区社会科学院",
        kind: "affiliated",
        level: "provincial",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "南宁市委",
        kind: "lower_committee",
        level: "city",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "南宁市委巡察工作领导小组办公室",
        kind: "department",
        level: "city",
        parent: Some("南宁市委"),
    },
    UnitSpec {
        name: "南宁市财政局",
        kind: "department",
        level: "city",
        parent: Some("南宁市委"),
    },
    UnitSpec {
        name: "武鸣区委",
        kind: "lower_committee",
        level: "county",
        parent: Some("南宁市委"),
    },
    UnitSpec {
        name: "横州市委",
        kind: "lower_committee",
        level: "county",
        parent: Some("南宁市委"),
    },
    UnitSpec {
        name: "横州市教育局",
        kind: "department",
        level: "county",
        parent: Some("横州市委"),
    },
    UnitSpec {
        name: "柳州市委",
        kind: "lower_committee",
        level: "city",
        parent: Some("自治区党委"),
    },
    UnitSpec {
        name: "广西某某大学党委",
        kind: "lower_committee",
        level: "enterprise_university",
        parent: Some("自治区党委"),
    },
];

/// Whether the database already holds an organisation; the demo loads only into an empty one.
pub async fn is_empty(services: &Services<Db>) -> Result<bool, CoreError> {
    let page = services
        .list_units(
            &Actor::system(),
            &UnitFilter {
                include_withdrawn: true,
                ..Default::default()
            },
            PageRequest::first(1),
        )
        .await?;
    Ok(page.items.is_empty())
}

/// The first day of the scenario: the organisation and its accounts are set up.
const SET_UP: Date = date(2019, 8, 1);

/// What the loaded demo has to tell whoever started it.
#[derive(Debug)]
pub struct Loaded {
    /// The receipt code of the anonymous letter the public wrote to the team on site: shown
    /// only because this is a demo, for trying the public page's look-up with.
    pub receipt: String,
    /// The inspection on site (the fourth team at 南宁市委), whose node the demo ships.
    pub on_site: Id,
}

/// Loads the scenario. The seed happens on its own days of 2019–2021; the current round is
/// placed around `today` (the server passes the real date, tests a fixed one) so that its
/// clocks are live. The round's days are worked out before anything is written: a day the
/// holiday calendar cannot place refuses the whole demo, with the reason.
pub async fn load(services: &Services<Db>, today: Date) -> Result<Loaded, CoreError> {
    let placement = live::Placement::around(services, today).await?;
    let standing = rectify::StandingDeadlines::after(today)?;
    let timeline = Timeline::starting(SET_UP)?;
    let mut s = services.clone();
    s.clock = timeline.clock();
    let s = &s;

    organisation(s).await?;
    let office = as_user(s, "office").await?;
    let (pool, seed) = load_seed(s, &timeline, &office, &standing).await?;
    let (receipt, on_site) = live::load(s, &timeline, &office, &pool, &placement, seed).await?;
    levels::load(s, &timeline, today).await?;
    addresses(s).await?;
    s.compute_patterns(&Actor::system()).await?;
    Ok(Loaded { receipt, on_site })
}

/// The domain of the demo accounts' e-mail addresses (reserved for examples, RFC 2606).
pub const DEMO_MAIL_DOMAIN: &str = "demo.example.org";

/// Gives every demo account an e-mail address once the story is told, so that a mail server
/// configured for the demo (`XUNSHI_SMTP_*`, e.g. a local sink) receives what happens from the
/// day it is loaded — the day's deadline reminders and the hand-overs of the people trying it
/// — and not the years of messages the story wrote on its way.
async fn addresses(s: &Services<Db>) -> Result<(), CoreError> {
    let system = Actor::system();
    let city = levels::CITY_OFFICE.0;
    for username in ACCOUNTS.iter().map(|a| a.0).chain([city]) {
        let user = s.find_user(&system, username).await?;
        s.set_user_email(&system, user.id, &format!("{username}@{DEMO_MAIL_DOMAIN}"))
            .await?;
    }
    Ok(())
}

/// The units and the accounts.
async fn organisation(s: &Services<Db>) -> Result<(), CoreError> {
    let system = Actor::system();
    let mut ids: std::collections::HashMap<&str, Id> = std::collections::HashMap::new();
    for u in UNITS {
        let input = UnitInput {
            name: u.name.into(),
            kind: u.kind.into(),
            level: u.level.into(),
            parent_id: u.parent.map(|p| ids[p].to_string()),
        };
        let unit = s.create_unit(&system, &input).await?;
        ids.insert(u.name, unit.id);
    }
    for (username, name, role, unit) in ACCOUNTS {
        if s.find_user(&system, username).await.is_ok() {
            continue;
        }
        let input = NewUserInput {
            username: (*username).into(),
            display_name: (*name).into(),
            unit: unit.map(str::to_owned),
            password: DEMO_PASSWORD.into(),
            must_change_password: false,
        };
        // Team roles are granted when the team is formed, for one inspection only.
        let grant = (!role.starts_with("team_")).then(|| NewGrant {
            role: (*role).into(),
            scope: None,
        });
        s.create_user(&system, &input, grant.as_ref()).await?;
    }
    // The city's own office: the office role within its committee.
    let (username, name, committee, unit) = levels::CITY_OFFICE;
    if s.find_user(&system, username).await.is_err() {
        let input = NewUserInput {
            username: username.into(),
            display_name: name.into(),
            unit: Some(unit.into()),
            password: DEMO_PASSWORD.into(),
            must_change_password: false,
        };
        let grant = NewGrant {
            role: "office".into(),
            scope: Some(committee.into()),
        };
        s.create_user(&system, &input, Some(&grant)).await?;
    }
    Ok(())
}

/// The seed's inspection from the 2019 plan to the follow-up of January 2021. Returns the
/// team's people, who inspect again in the current round, and the inspection.
async fn load_seed(
    s: &Services<Db>,
    timeline: &Timeline,
    office: &Actor,
    standing: &rectify::StandingDeadlines,
) -> Result<(seed::Pool, Id), CoreError> {
    timeline.on(date(2019, 8, 5))?;
    let term = s
        .create_term(
            office,
            &TermInput {
                name: "自治区党委十一届".into(),
                dispatcher: "自治区党委".into(),
                starts_on: "2016-11-18".into(),
                ends_on: Some("2021-11-26".into()),
            },
        )
        .await?;
    let plan_2019 = s
        .create_plan(office, &PlanInput { term_id: term.id.to_string(), year: 2019, title: "2019年巡视工作计划".into(), notes: "围绕党的政治建设、思想建设、组织建设、作风建设、纪律建设和反腐败斗争开展政治巡视".into() })
        .await?;
    timeline.on(date(2019, 8, 20))?;
    let round_2019 = s
        .create_round(
            office,
            &RoundInput {
                plan_id: plan_2019.id.to_string(),
                number: 7,
                name: "2019年第七轮巡视".into(),
            },
        )
        .await?;
    // The seed: the third team at the propaganda department.
    let seed = plan_inspection(
        s,
        office,
        round_2019.id,
        "第三巡视组",
        &["自治区党委宣传部"],
        "2019-09-18",
        "2019-12-18",
    )
    .await?;
    earlier::load(s, timeline, office, term.id).await?;
    timeline.on(date(2019, 8, 26))?;
    advance(s, office, seed, &[(Stage::Preparation, None)]).await?;
    timeline.on(date(2019, 9, 5))?;
    let pool = seed::form_team(s, office, seed).await?;
    let (entry, exit) = (date(2019, 9, 18), date(2019, 12, 18));
    let mut site = fieldwork::Site::new(s, timeline, seed, &pool).await?;
    site.before_entry(entry, exit).await?;
    timeline.on(entry)?;
    advance(s, office, seed, &[(Stage::OnSite, Some(entry))]).await?;

    // The papers are written between the talks, letters and materials they rest on, approved
    // and signed at the team's meeting in November; the clues come up after it, before the
    // team leaves.
    let findings = seed::seed_findings();
    let lead = as_user(s, "teamlead").await?;
    let papers = site.on_site(&findings).await?;
    timeline.on(date(2019, 11, 22))?;
    seed::sign_papers(s, &lead, papers).await?;
    let clues = seed::register_clues(s, timeline, seed).await?;
    site.leaving(&clues).await?;
    timeline.on(exit)?;
    advance(s, office, seed, &[(Stage::Reporting, Some(exit))]).await?;
    seed::report_and_feedback(
        s,
        timeline,
        office,
        &lead,
        seed,
        &findings,
        &seed::SEED_REPORT,
    )
    .await?;
    seed::transfer_clues(s, timeline, seed, &clues).await?;
    let rectification = rectify::plan(s, timeline, seed, standing).await?;
    seed::dispose_clues(s, timeline, &clues).await?;
    rectification.work(timeline).await?;
    Ok((pool, seed))
}

pub(crate) async fn as_user(services: &Services<Db>, username: &str) -> Result<Actor, CoreError> {
    let system = Actor::system();
    let user = services.find_user(&system, username).await?;
    let (user, grants) = services.get_user(&system, user.id).await?;
    Ok(Actor::user(user, grants, None))
}

async fn plan_inspection(
    services: &Services<Db>,
    office: &Actor,
    round: Id,
    team: &str,
    targets: &[&str],
    entry: &str,
    exit: &str,
) -> Result<Id, CoreError> {
    let input = InspectionInput {
        round_id: round.to_string(),
        team_name: team.into(),
        targets: targets.iter().map(|t| (*t).to_owned()).collect(),
        kind: "routine".into(),
        planned_entry: Some(entry.to_owned()),
        planned_exit: Some(exit.to_owned()),
        ..Default::default()
    };
    Ok(services.create_inspection(office, &input).await?.id)
}

async fn advance(
    services: &Services<Db>,
    office: &Actor,
    id: Id,
    steps: &[(Stage, Option<Date>)],
) -> Result<(), CoreError> {
    for (to, on) in steps {
        let (view, _) = services.inspection_view(office, id).await?;
        let change = StageChange {
            version: view.inspection.version,
            to: *to,
            date: on.map(|d| d.to_string()),
        };
        services.change_stage(office, id, &change).await?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "demo/tests.rs"]
mod tests;
