//! The rectification deadline rules and the warning period: everyone reads them (with a trial
//! computation from any feedback date); the office changes them.

use crate::http::Form;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::deadline::Counting;
use xunshi_core::service::today;
use xunshi_core::supervision::{CommitteeRuleInput, DeadlineRuleInput, WarnDaysInput};
use xunshi_core::{CoreError, Id};

use super::Choice;
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::pages::{
    FormErrors, Frame, OrPage, PageResult, error_page, local_time, render, see_other,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/deadlines", get(show))
        .route("/supervision/deadlines/warn-days", post(save_warn_days))
        .route("/supervision/deadlines/committee", post(add_committee_rule))
        .route("/supervision/deadlines/{id}", post(save_rule))
        .route("/supervision/deadlines/{id}/remove", post(remove_rule))
}

struct RuleRow {
    id: String,
    level: &'static str,
    /// The committee whose own rule this is; empty for a level's.
    committee: String,
    editable: bool,
    clock: &'static str,
    period: String,
    basis: String,
    version: i64,
    updated: String,
    /// The due date from the trial feedback date, or why there is none.
    trial: String,
    trial_refused: bool,
    /// Why the trial date is provisional (暂定); empty when it stands.
    trial_provisional: String,
    /// The form's values: as stored, or as typed when the form came back with errors.
    amount: String,
    countings: Vec<Choice>,
    form_basis: String,
    errors: FormErrors,
}

/// A clock of a committee the actor's office keeps, reckoned by its level's rule: the form
/// that gives it a rule of its own.
struct OwnRuleForm {
    committee_id: String,
    committee: String,
    clock: String,
    clock_label: &'static str,
    general: String,
    amount: String,
    countings: Vec<Choice>,
    basis: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    frame: Frame,
    rules: Vec<RuleRow>,
    may_edit: bool,
    /// The warning period is the top office's alone.
    may_edit_warn: bool,
    own_forms: Vec<OwnRuleForm>,
    warn_days: String,
    settings_version: i64,
    warn_errors: FormErrors,
    trial_from: String,
    trial_error: Option<String>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    from: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
struct RuleForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    counting: String,
    #[serde(default)]
    basis: String,
    version: Option<i64>,
}

#[derive(Deserialize, Default, Clone)]
struct WarnForm {
    #[serde(default)]
    warn_days: String,
    version: Option<i64>,
}

#[derive(Deserialize, Default, Clone)]
struct OwnForm {
    #[serde(default)]
    committee_id: String,
    #[serde(default)]
    clock: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    counting: String,
    #[serde(default)]
    basis: String,
}

#[derive(Deserialize, Default, Clone)]
struct RemoveForm {
    version: Option<i64>,
}

/// What came back with errors: one rule's form, a committee's new rule, or the warning
/// period's.
enum Returned {
    Nothing,
    Rule(Id, RuleForm, FormErrors),
    Own(OwnForm, FormErrors),
    Warn(WarnForm, FormErrors),
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    render_page(&app, &user, q, Returned::Nothing, StatusCode::OK).await
}

async fn render_page(
    app: &AppState,
    user: &PageUser,
    q: ShowQuery,
    returned: Returned,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let rules = app.services.deadline_rules(actor).await.or_page(actor)?;
    let settings = app.services.rectify_settings(actor).await.or_page(actor)?;
    let calendar = app.services.calendar().await.or_page(actor)?;
    let trial_from = q
        .from
        .clone()
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| today(app.services.now()).to_string());
    let (trial_date, trial_error) = match trial_from.trim().parse::<jiff::civil::Date>() {
        Ok(d) => (Some(d), None),
        Err(_) => (
            None,
            Some(format!("“{trial_from}”不是有效日期，格式应为 2020-03-25")),
        ),
    };
    let (mut rule_back, mut warn_back, mut own_back) = (None, None, None);
    match returned {
        Returned::Nothing => {}
        Returned::Rule(id, f, e) => rule_back = Some((id, f, e)),
        Returned::Own(f, e) => own_back = Some((f, e)),
        Returned::Warn(f, e) => warn_back = Some((f, e)),
    }
    // The committees with rules of their own, and those the actor keeps, each read once.
    let mut units: std::collections::HashMap<Id, xunshi_core::org::Unit> =
        std::collections::HashMap::new();
    for c in rules
        .iter()
        .filter_map(|r| r.committee_id)
        .chain(actor.office_committees())
    {
        if let std::collections::hash_map::Entry::Vacant(slot) = units.entry(c)
            && let Ok(u) = app.services.get_unit(actor, c).await
        {
            slot.insert(u);
        }
    }
    let mut own_forms = Vec::new();
    for committee in actor.office_committees() {
        let Some(unit) = units.get(&committee) else {
            continue;
        };
        let level = xunshi_core::deadline::InspectionLevel::of_dispatcher(unit.level);
        for general in xunshi_core::supervision::rules_in_force(&rules, committee, level) {
            if general.committee_id.is_some() {
                continue;
            }
            let clock = general.rule.clock.as_str().to_owned();
            let back = own_back
                .take_if(|(f, _)| f.committee_id == committee.to_string() && f.clock == clock);
            let (amount, counting, basis, errors) = match back {
                Some((f, e)) => (f.amount, f.counting, f.basis, e),
                None => (
                    general.rule.amount.to_string(),
                    general.rule.counting.as_str().to_owned(),
                    String::new(),
                    FormErrors::none(),
                ),
            };
            own_forms.push(OwnRuleForm {
                committee_id: committee.to_string(),
                committee: unit.name.clone(),
                clock,
                clock_label: general.rule.clock.label(),
                general: general.period(),
                amount,
                countings: Counting::ALL
                    .iter()
                    .map(|c| Choice::new(c.as_str(), c.label(), &counting))
                    .collect(),
                basis,
                errors,
            });
        }
    }
    let rows = rules
        .iter()
        .map(|r| {
            let (trial, trial_refused, trial_provisional) =
                match trial_date.map(|d| r.rule.due(d, &calendar)) {
                    Some(Ok(d)) => (d.date.to_string(), false, d.provisional.unwrap_or_default()),
                    Some(Err(e)) => (e.to_string(), true, String::new()),
                    None => (String::new(), false, String::new()),
                };
            let back = rule_back.take_if(|(id, _, _)| *id == r.id);
            let (amount, counting, basis, errors) = match back {
                Some((_, f, e)) => (f.amount, f.counting, f.basis, e),
                None => (
                    r.rule.amount.to_string(),
                    r.rule.counting.as_str().to_owned(),
                    r.rule.basis.clone(),
                    FormErrors::none(),
                ),
            };
            RuleRow {
                id: r.id.to_string(),
                level: r.rule.level.label(),
                committee: r
                    .committee_id
                    .map(|c| {
                        units
                            .get(&c)
                            .map_or_else(|| c.to_string(), |u| u.name.clone())
                    })
                    .unwrap_or_default(),
                editable: app.services.may_edit_rule(actor, r),
                clock: r.rule.clock.label(),
                period: r.period(),
                basis: r.rule.basis.clone(),
                version: r.version,
                updated: r.updated_at.map(local_time).unwrap_or_default(),
                trial,
                trial_refused,
                trial_provisional,
                amount,
                countings: Counting::ALL
                    .iter()
                    .map(|c| Choice::new(c.as_str(), c.label(), &counting))
                    .collect(),
                form_basis: basis,
                errors,
            }
        })
        .collect::<Vec<RuleRow>>();
    let (warn_days, warn_errors) = match warn_back {
        Some((f, e)) => (f.warn_days, e),
        None => (settings.warn_days.to_string(), FormErrors::none()),
    };
    let page = DeadlinesPage {
        frame: Frame::new(app, user, "整改时限规则", "/supervision/deadlines")
            .await
            .with_notice(q.notice.as_deref()),
        may_edit: rows.iter().any(|r: &RuleRow| r.editable),
        may_edit_warn: app.services.may_edit_deadline_rules(actor),
        rules: rows,
        own_forms,
        warn_days,
        settings_version: settings.version,
        warn_errors,
        trial_from,
        trial_error,
    };
    Ok(render(status, &page))
}

/// After a form of the page: back to the page saved; refused where the actor may not (the
/// error page); otherwise the page again with the form as sent and its errors.
async fn answer<T>(
    app: &AppState,
    user: &PageUser,
    result: Result<T, CoreError>,
    back: impl FnOnce(FormErrors) -> Returned,
) -> PageResult {
    match result {
        Ok(_) => Ok(see_other("/supervision/deadlines", "saved")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(&user.actor)))
        }
        Err(e) => {
            let status = status_of(&e);
            let returned = back(FormErrors::from_error(&e));
            render_page(app, user, ShowQuery::default(), returned, status).await
        }
    }
}

fn number(field: &str, raw: &str) -> Result<i32, CoreError> {
    raw.trim()
        .parse::<i32>()
        .map_err(|_| CoreError::bad_input(field, "请填写整数"))
}

async fn save_rule(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<RuleForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "时限规则").or_page(actor)?;
    let result = async {
        let version = crate::http::require_version(f.version)?;
        let input = DeadlineRuleInput {
            version,
            amount: number("amount", &f.amount)?,
            counting: f.counting.clone(),
            basis: f.basis.clone(),
        };
        app.services.update_deadline_rule(actor, id, &input).await
    }
    .await;
    answer(&app, &user, result, |e| Returned::Rule(id, f, e)).await
}

async fn add_committee_rule(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<OwnForm>,
) -> PageResult {
    let actor = &user.actor;
    let result = async {
        let input = CommitteeRuleInput {
            committee_id: f.committee_id.clone(),
            clock: f.clock.clone(),
            amount: number("amount", &f.amount)?,
            counting: f.counting.clone(),
            basis: f.basis.clone(),
        };
        app.services.add_committee_rule(actor, &input).await
    }
    .await;
    answer(&app, &user, result, |e| Returned::Own(f, e)).await
}

async fn remove_rule(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<RemoveForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "时限规则").or_page(actor)?;
    let result = async {
        let version = crate::http::require_version(f.version)?;
        app.services.remove_committee_rule(actor, id, version).await
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/supervision/deadlines", "saved")),
        Err(e) => Ok(error_page(&e, Some(actor))),
    }
}

async fn save_warn_days(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<WarnForm>,
) -> PageResult {
    let actor = &user.actor;
    let result = async {
        let version = crate::http::require_version(f.version)?;
        let input = WarnDaysInput {
            version,
            warn_days: number("warn_days", &f.warn_days)?,
        };
        app.services.set_warn_days(actor, &input).await
    }
    .await;
    answer(&app, &user, result, |e| Returned::Warn(f, e)).await
}
