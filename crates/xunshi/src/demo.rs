//! The example scenario behind `xunshi serve --demo`: the inspection of the seed article — the
//! autonomous region committee's third inspection team at its propaganda department, on site
//! from 2019-09-18 to 2019-12-18, feedback on 2020-03-25 — and an invented later round with
//! several units at different stages. People have invented names. Everything is created through
//! the services, so the demo obeys the same rules and leaves the same audit trail as real use.

#[path = "demo/rectify.rs"]
mod rectify;
#[path = "demo/seed.rs"]
mod seed;

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

fn date(s: &str) -> Option<String> {
    Some(s.to_owned())
}

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

pub async fn load(services: &Services<Db>) -> Result<(), CoreError> {
    let system = Actor::system();
    let mut ids: std::collections::HashMap<&str, Id> = std::collections::HashMap::new();
    for u in UNITS {
        let input = UnitInput {
            name: u.name.into(),
            kind: u.kind.into(),
            level: u.level.into(),
            parent_id: u.parent.map(|p| ids[p].to_string()),
        };
        let unit = services.create_unit(&system, &input).await?;
        ids.insert(u.name, unit.id);
    }
    for (username, name, role, unit) in ACCOUNTS {
        if services.find_user(&system, username).await.is_ok() {
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
        services
            .create_user(&system, &input, grant.as_ref())
            .await?;
    }
    let office = as_user(services, "office").await?;

    let term = services
        .create_term(
            &office,
            &TermInput {
                name: "自治区党委十一届".into(),
                dispatcher: "自治区党委".into(),
                starts_on: "2016-11-18".into(),
                ends_on: date("2021-11-30"),
            },
        )
        .await?;
    let plan_2019 = services
        .create_plan(&office, &PlanInput { term_id: term.id.to_string(), year: 2019, title: "2019年巡视工作计划".into(), notes: "围绕党的政治建设、思想建设、组织建设、作风建设、纪律建设和反腐败斗争开展政治巡视".into() })
        .await?;
    let round_2019 = services
        .create_round(
            &office,
            &RoundInput {
                plan_id: plan_2019.id.to_string(),
                number: 7,
                name: "2019年第七轮巡视".into(),
            },
        )
        .await?;
    let plan_2020 = services
        .create_plan(
            &office,
            &PlanInput {
                term_id: term.id.to_string(),
                year: 2020,
                title: "2020年巡视工作计划".into(),
                notes: String::new(),
            },
        )
        .await?;
    let round_2020 = services
        .create_round(
            &office,
            &RoundInput {
                plan_id: plan_2020.id.to_string(),
                number: 9,
                name: "2020年第九轮巡视".into(),
            },
        )
        .await?;

    // The seed: the third team at the propaganda department.
    let seed = plan_inspection(
        services,
        &office,
        round_2019.id,
        "第三巡视组",
        &["自治区党委宣传部"],
        "2019-09-18",
        "2019-12-18",
    )
    .await?;
    advance(services, &office, seed, &[(Stage::Preparation, None)]).await?;
    seed::form_team(services, &office, seed).await?;
    advance(
        services,
        &office,
        seed,
        &[
            (Stage::OnSite, Some("2019-09-18")),
            (Stage::Reporting, Some("2019-12-18")),
        ],
    )
    .await?;
    seed::papers_report_feedback(services, &office, seed).await?;
    seed::clues(services, seed).await?;
    rectify::load(services, seed).await?;

    // The invented round: several units at different stages.
    let culture = plan_inspection(
        services,
        &office,
        round_2020.id,
        "第一巡视组",
        &["自治区文化和旅游厅", "自治区社会科学院"],
        "2020-10-12",
        "2020-12-11",
    )
    .await?;
    advance(
        services,
        &office,
        culture,
        &[
            (Stage::Preparation, None),
            (Stage::OnSite, Some("2020-10-12")),
        ],
    )
    .await?;
    let education = plan_inspection(
        services,
        &office,
        round_2020.id,
        "第二巡视组",
        &["自治区教育厅"],
        "2020-10-12",
        "2020-12-11",
    )
    .await?;
    advance(
        services,
        &office,
        education,
        &[
            (Stage::Preparation, None),
            (Stage::OnSite, Some("2020-10-12")),
            (Stage::Reporting, Some("2020-12-11")),
        ],
    )
    .await?;
    let nanning = plan_inspection(
        services,
        &office,
        round_2020.id,
        "第四巡视组",
        &["南宁市委"],
        "2020-10-19",
        "2020-12-18",
    )
    .await?;
    advance(services, &office, nanning, &[(Stage::Preparation, None)]).await?;
    plan_inspection(
        services,
        &office,
        round_2020.id,
        "第五巡视组",
        &["自治区卫生健康委"],
        "2020-11-02",
        "2020-12-31",
    )
    .await?;
    Ok(())
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
        planned_entry: date(entry),
        planned_exit: date(exit),
        ..Default::default()
    };
    Ok(services.create_inspection(office, &input).await?.id)
}

async fn advance(
    services: &Services<Db>,
    office: &Actor,
    id: Id,
    steps: &[(Stage, Option<&str>)],
) -> Result<(), CoreError> {
    for (to, on) in steps {
        let (view, _) = services.inspection_view(office, id).await?;
        let change = StageChange {
            version: view.inspection.version,
            to: *to,
            date: on.map(str::to_owned),
        };
        services.change_stage(office, id, &change).await?;
    }
    Ok(())
}
