//! Pages of accounts and their roles.

use crate::http::Form;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::org::Unit;
use xunshi_core::page::SortedPage;
use xunshi_core::permission::{Actor, Permission};
use xunshi_core::role::{Grant, Role, Scope, ScopeKind};
use xunshi_core::service::NewGrant;
use xunshi_core::user::{NewUserInput, User};
use xunshi_core::{CoreError, Id};

use super::pager::{Asked, Pager};
use super::{FormErrors, Frame, OrPage, PageResult, error_page, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::UserQuery;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/new", get(new_form))
        .route("/users/{id}", get(detail).post(update))
        .route("/users/{id}/grants", post(add_grant))
        .route("/users/{id}/grants/{grant}/revoke", post(revoke_grant))
        .route("/users/{id}/password", post(reset_password))
        .route("/users/{id}/disable", post(disable))
        .route("/users/{id}/enable", post(enable))
        .route("/users/{id}/email", post(set_email))
        .route("/users/{id}/two-factor/reset", post(reset_two_factor))
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// Active units as indented choices, the tree's order.
async fn unit_choices(
    app: &AppState,
    actor: &Actor,
    selected: &str,
) -> Result<(Vec<Choice>, Vec<Unit>), CoreError> {
    let tree = app.services.unit_tree(actor).await?;
    let choices = tree
        .iter()
        .filter(|(_, u)| !u.withdrawn)
        .map(|(d, u)| Choice {
            value: u.id.to_string(),
            label: format!("{}{}", "　".repeat(*d), u.name),
            selected: selected == u.id.to_string(),
        })
        .collect();
    Ok((choices, tree.into_iter().map(|(_, u)| u).collect()))
}

/// Roles that can be granted here: team roles come with an inspection's team.
fn role_choices(selected: &str) -> Vec<Choice> {
    Role::ALL
        .iter()
        .filter(|r| r.scope_kind() != ScopeKind::Inspection)
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label().into(),
            selected: selected == r.as_str(),
        })
        .collect()
}

struct Row {
    id: String,
    username: String,
    display_name: String,
    unit: String,
    disabled: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    units: Vec<Choice>,
    q: String,
    unit_id: String,
    total: i64,
    pages: Pager,
    can_manage: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    notice: Option<String>,
}

/// The accounts, searched, filtered, sorted and paged by the parser of `GET /api/v1/users`.
async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(n): Query<ListQuery>,
    Query(uq): Query<UserQuery>,
) -> PageResult {
    let actor = &user.actor;
    let asked = Asked::read(uq.filter().and_then(|f| Ok((f, uq.sorted()?))), actor)?;
    let users = match &asked.filter {
        Some(f) => app
            .services
            .user_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
    let unit_id = text(&uq.unit_id);
    let (units, all) = unit_choices(&app, actor, &unit_id).await.or_page(actor)?;
    let unit_name = |id: Option<Id>| {
        id.and_then(|id| all.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "—".into())
    };
    let rows = users
        .items
        .iter()
        .map(|u| Row {
            id: u.id.to_string(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            unit: unit_name(u.unit_id),
            disabled: u.disabled,
            created: local_time(u.created_at),
        })
        .collect();
    let pages = Pager::of("/users", &uq.query(), &asked, &users, uq.page);
    let page = ListPage {
        frame: Frame::new(&app, &user, "用户与角色", "/users")
            .await
            .with_notice(n.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        rows,
        units,
        q: text(&uq.q),
        unit_id,
        total: users.total,
        pages,
        can_manage: actor.can(Permission::ManageUsers),
    };
    Ok(render(super::list_status(&asked.refused), &page))
}

#[derive(Deserialize, Default)]
struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    must_change_password: bool,
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct FormPage {
    frame: Frame,
    form: NewUserForm,
    units: Vec<Choice>,
    roles: Vec<Choice>,
    errors: FormErrors,
}

async fn render_new(
    app: &AppState,
    user: &PageUser,
    form: NewUserForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let units = match unit_choices(app, &user.actor, &form.unit).await {
        Ok((c, _)) => c,
        Err(e) => return error_page(&e, Some(&user.actor)),
    };
    let page = FormPage {
        frame: Frame::new(app, user, "新建用户", "/users").await,
        roles: role_choices(&form.role),
        form,
        units,
        errors,
    };
    render(status, &page)
}

async fn new_form(State(app): State<AppState>, user: PageUser) -> Response {
    if let Err(e) = user.actor.require(Permission::ManageUsers) {
        return error_page(&e, Some(&user.actor));
    }
    let form = NewUserForm {
        must_change_password: true,
        ..Default::default()
    };
    render_new(&app, &user, form, FormErrors::none(), StatusCode::OK).await
}

async fn create(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<NewUserForm>,
) -> Response {
    let input = NewUserInput {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        unit: Some(f.unit.clone()),
        password: f.password.clone(),
        must_change_password: f.must_change_password,
    };
    let grant = (!f.role.is_empty()).then(|| NewGrant {
        role: f.role.clone(),
        scope: None,
    });
    match app
        .services
        .create_user(&user.actor, &input, grant.as_ref())
        .await
    {
        Ok((u, _)) => see_other(&format!("/users/{}", u.id), "created"),
        Err(e @ CoreError::Forbidden(_)) => error_page(&e, Some(&user.actor)),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let f = NewUserForm {
                password: String::new(),
                ..f
            };
            render_new(&app, &user, f, FormErrors::from_error(&e), status).await
        }
    }
}

struct GrantRow {
    id: String,
    role: &'static str,
    scope: String,
    created: String,
}

#[derive(Template)]
#[template(path = "user_detail.html")]
struct DetailPage {
    frame: Frame,
    user: User,
    unit_name: String,
    /// The addresses locked out of the account, with until when.
    locks: Vec<String>,
    created: String,
    grants: Vec<GrantRow>,
    units: Vec<Choice>,
    roles: Vec<Choice>,
    can_manage: bool,
    /// The account's e-mail address, shown and edited by the administrator only.
    email: String,
    /// Whether the person logs in with the second factor.
    two_factor: bool,
    errors: FormErrors,
}

fn scope_label(scope: Scope, units: &[Unit]) -> String {
    match scope {
        Scope::Global => "全系统".into(),
        Scope::Unit(id) => units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| id.to_string()),
        Scope::Inspection(id) => format!("巡视任务 {id}"),
    }
}

async fn render_detail(
    app: &AppState,
    page_user: &PageUser,
    id: Id,
    notice: Option<&str>,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let actor = &page_user.actor;
    let (user, grants): (User, Vec<Grant>) = match app.services.get_user(actor, id).await {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let selected = user.unit_id.map(|u| u.to_string()).unwrap_or_default();
    let (units, all) = match unit_choices(app, actor, &selected).await {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let locks = match app.services.login_locks(actor, id).await {
        Ok(l) => l
            .iter()
            .map(|l| {
                let at = if l.address.is_empty() {
                    "未知地址"
                } else {
                    l.address.as_str()
                };
                let until = l.locked_until.map(local_time).unwrap_or_default();
                format!("{at}（至 {until}）")
            })
            .collect(),
        Err(e) => return error_page(&e, Some(actor)),
    };
    let can_manage = actor.can(Permission::ManageUsers);
    let email = if can_manage {
        match app.services.user_email(actor, id).await {
            Ok(e) => e.unwrap_or_default(),
            Err(e) => return error_page(&e, Some(actor)),
        }
    } else {
        String::new()
    };
    let two_factor = match app.services.has_two_factor(actor, id).await {
        Ok(t) => t,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let page = DetailPage {
        email,
        two_factor,
        frame: Frame::new(app, page_user, &user.display_name, "/users")
            .await
            .with_notice(notice),
        unit_name: scope_label(user.unit_id.map(Scope::Unit).unwrap_or(Scope::Global), &all)
            .replace("全系统", "—"),
        locks,
        created: local_time(user.created_at),
        grants: grants
            .iter()
            .map(|g| GrantRow {
                id: g.id.to_string(),
                role: g.role.label(),
                scope: scope_label(g.scope, &all),
                created: local_time(g.created_at),
            })
            .collect(),
        units,
        roles: role_choices(""),
        can_manage,
        errors,
        user,
    };
    render(status, &page)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

fn parse_id(raw: &str, actor: &Actor) -> Result<Id, super::PageError> {
    Id::from_path(raw, "用户").or_page(actor)
}

async fn detail(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let notice = q.notice.as_deref();
    Ok(render_detail(&app, &user, id, notice, FormErrors::none(), StatusCode::OK).await)
}

/// Shows the outcome of an action on the detail page: back to it with a notice, or the page
/// again with the error where the person acted.
async fn outcome(
    app: &AppState,
    user: &PageUser,
    id: Id,
    result: Result<(), CoreError>,
    notice: &str,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/users/{id}"), notice),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            error_page(&e, Some(&user.actor))
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            render_detail(app, user, id, None, FormErrors::from_error(&e), status).await
        }
    }
}

#[derive(Deserialize)]
struct UpdateForm {
    version: i64,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit: String,
}

async fn update(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<UpdateForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let r = app
        .services
        .update_user(&user.actor, id, f.version, &f.display_name, Some(&f.unit))
        .await
        .map(|_| ());
    Ok(outcome(&app, &user, id, r, "saved").await)
}

#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
}

async fn add_grant(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<GrantForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let g = NewGrant {
        role: f.role,
        scope: Some(f.scope),
    };
    let r = app
        .services
        .grant_role(&user.actor, id, &g)
        .await
        .map(|_| ());
    Ok(outcome(&app, &user, id, r, "granted").await)
}

async fn revoke_grant(
    State(app): State<AppState>,
    user: PageUser,
    Path((id, grant)): Path<(String, String)>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let grant = Id::from_path(&grant, "该角色授权").or_page(&user.actor)?;
    let r = app.services.revoke_grant(&user.actor, id, grant).await;
    Ok(outcome(&app, &user, id, r, "revoked").await)
}

#[derive(Deserialize)]
struct ResetForm {
    version: i64,
    #[serde(default)]
    password: String,
    #[serde(default)]
    must_change: bool,
}

async fn reset_password(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ResetForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let r = app
        .services
        .reset_password(&user.actor, id, f.version, &f.password, f.must_change)
        .await;
    Ok(outcome(&app, &user, id, r, "password").await)
}

#[derive(Deserialize)]
struct VersionForm {
    version: i64,
}

async fn disable(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    set_disabled(app, user, id, f.version, true).await
}

async fn enable(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    set_disabled(app, user, id, f.version, false).await
}

async fn set_disabled(
    app: AppState,
    user: PageUser,
    id: String,
    version: i64,
    disabled: bool,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let r = app
        .services
        .set_user_disabled(&user.actor, id, version, disabled)
        .await
        .map(|_| ());
    let notice = if disabled { "disabled" } else { "enabled" };
    Ok(outcome(&app, &user, id, r, notice).await)
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

/// The administrator sets or clears an account's e-mail address for messages.
async fn set_email(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<EmailForm>,
) -> Result<Response, super::PageError> {
    let id = parse_id(&id, &user.actor)?;
    let result = app
        .services
        .set_user_email(&user.actor, id, &f.email)
        .await
        .map(|_| ());
    Ok(outcome(&app, &user, id, result, "email_saved").await)
}

/// An administrator removes someone's second factor (a lost phone).
async fn reset_two_factor(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Response {
    let id = match parse_id(&id, &user.actor) {
        Ok(id) => id,
        Err(e) => return axum::response::IntoResponse::into_response(e),
    };
    let result = app.services.reset_two_factor(&user.actor, id).await;
    outcome(&app, &user, id, result, "two_factor_reset").await
}
