//! `xunshi generate`: a data set of a chosen size for benchmarks, made through the services so
//! that it is shaped like real data (and leaves a real audit trail).

use std::process::ExitCode;

use xunshi_core::inspection::InspectionInput;
use xunshi_core::org::UnitInput;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::{NewGrant, PlanInput, RoundInput, Services, TermInput};
use xunshi_core::store::UnitFilter;
use xunshi_core::user::NewUserInput;
use xunshi_store::Db;

use crate::cli::GenerateArgs;

/// The password of every generated account.
pub const PASSWORD: &str = "Bench-Password-1";

pub async fn run(s: &Services<Db>, args: &GenerateArgs) -> Result<ExitCode, String> {
    let system = Actor::system();
    let err = |e: xunshi_core::CoreError| e.to_string();
    let existing = s
        .list_units(
            &system,
            &UnitFilter {
                include_withdrawn: true,
                ..Default::default()
            },
            PageRequest::first(1),
        )
        .await
        .map_err(err)?;
    if !existing.items.is_empty() {
        return Err("generate fills an empty database only; use a fresh --data-dir".into());
    }
    let root = s
        .create_unit(
            &system,
            &UnitInput {
                name: "某省委".into(),
                kind: "committee".into(),
                level: "provincial".into(),
                parent_id: None,
            },
        )
        .await
        .map_err(err)?;
    let mut units = Vec::with_capacity(args.units);
    for i in 0..args.units {
        // Every tenth unit is a department with the next ones affiliated to it.
        let parent = if i % 10 == 0 {
            root.id
        } else {
            units[i - i % 10]
        };
        let kind = if i % 10 == 0 {
            "department"
        } else {
            "affiliated"
        };
        let u = s
            .create_unit(
                &system,
                &UnitInput {
                    name: format!("单位{i:05}"),
                    kind: kind.into(),
                    level: "provincial".into(),
                    parent_id: Some(parent.to_string()),
                },
            )
            .await
            .map_err(err)?;
        units.push(u.id);
    }
    println!("{} units", units.len() + 1);
    let roles = ["unit_liaison", "unit_staff", "unit_principal"];
    for i in 0..args.users {
        let unit = units[i % units.len().max(1)];
        let input = NewUserInput {
            username: format!("user{i:05}"),
            display_name: format!("用户{i:05}"),
            unit: Some(unit.to_string()),
            password: PASSWORD.into(),
            must_change_password: false,
        };
        let grant = NewGrant {
            role: roles[i % roles.len()].into(),
            scope: None,
        };
        s.create_user(&system, &input, Some(&grant))
            .await
            .map_err(err)?;
    }
    for (name, role) in [("bench.office", "office"), ("bench.leader", "leadership")] {
        let input = NewUserInput {
            username: name.into(),
            display_name: name.into(),
            unit: None,
            password: PASSWORD.into(),
            must_change_password: false,
        };
        s.create_user(
            &system,
            &input,
            Some(&NewGrant {
                role: role.into(),
                scope: None,
            }),
        )
        .await
        .map_err(err)?;
    }
    println!(
        "{} users (password {PASSWORD}; bench.office and bench.leader see everything)",
        args.users + 2
    );
    let term = s
        .create_term(
            &system,
            &TermInput {
                name: "第一届".into(),
                dispatcher: root.id.to_string(),
                starts_on: "2021-01-01".into(),
                ends_on: None,
            },
        )
        .await
        .map_err(err)?;
    let plan = s
        .create_plan(
            &system,
            &PlanInput {
                term_id: term.id.to_string(),
                year: 2022,
                title: "年度巡视计划".into(),
                notes: String::new(),
            },
        )
        .await
        .map_err(err)?;
    let mut rounds = Vec::new();
    for n in 1..=10 {
        let r = s
            .create_round(
                &system,
                &RoundInput {
                    plan_id: plan.id.to_string(),
                    number: n,
                    name: String::new(),
                },
            )
            .await
            .map_err(err)?;
        rounds.push(r.id);
    }
    for i in 0..args.inspections {
        let targets = (0..=(i % 3))
            .map(|k| units[(i * 3 + k) % units.len()].to_string())
            .collect();
        let input = InspectionInput {
            round_id: rounds[i % rounds.len()].to_string(),
            team_name: format!("第{}巡视组", i % 15 + 1),
            targets,
            kind: "routine".into(),
            planned_entry: Some("2022-03-01".into()),
            planned_exit: Some("2022-05-01".into()),
            ..Default::default()
        };
        s.create_inspection(&system, &input).await.map_err(err)?;
    }
    println!("{} inspections", args.inspections);
    Ok(ExitCode::SUCCESS)
}
