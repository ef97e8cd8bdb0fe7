//! Pages of the personnel pool (干部人才库): the list, a person's record with their past posts
//! and declared relatives, and the recusal rules with the units' localities.

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
use xunshi_core::personnel::{
    Inspector, InspectorInput, NewInspector, PastPostInput, Relation, RelativeInput, RuleTarget,
    locality_of,
};
use xunshi_core::{CoreError, Id};

use super::{FormErrors, Frame, OrPage, PageResult, error_page, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{public_message, status_of};
use crate::http::filters::InspectorQuery;
use crate::pages::pager::{Asked, Pager};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/personnel", get(list).post(create))
        .route("/personnel/new", get(new_form))
        .route("/personnel/rules", get(rules))
        .route("/personnel/rules/{applies_to}", post(set_rule))
        .route("/personnel/localities/{unit_id}", post(set_locality))
        .route("/personnel/{id}", get(detail).post(update))
        .route("/personnel/{id}/past-posts", post(add_past_post))
        .route(
            "/personnel/{id}/past-posts/{post_id}/remove",
            post(remove_past_post),
        )
        .route("/personnel/{id}/relatives", post(add_relative))
        .route(
            "/personnel/{id}/relatives/{relative_id}/remove",
            post(remove_relative),
        )
        .route("/personnel/{id}/withdraw", post(withdraw))
}

pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Units as indented choices in tree order; withdrawn ones only where history needs them.
fn unit_choices(tree: &[(usize, Unit)], selected: &str, with_withdrawn: bool) -> Vec<Choice> {
    tree.iter()
        .filter(|(_, u)| with_withdrawn || !u.withdrawn)
        .map(|(d, u)| Choice {
            value: u.id.to_string(),
            label: format!(
                "{}{}{}",
                "　".repeat(*d),
                u.name,
                if u.withdrawn { "（已撤销）" } else { "" }
            ),
            selected: selected == u.id.to_string(),
        })
        .collect()
}

fn unit_name(tree: &[(usize, Unit)], id: Id) -> String {
    tree.iter()
        .find(|(_, u)| u.id == id)
        .map(|(_, u)| u.name.clone())
        .unwrap_or_else(|| "—".into())
}

fn parse_id(raw: &str, actor: &Actor) -> Result<Id, super::PageError> {
    Id::from_path(raw, "巡视干部").or_page(actor)
}

// ----- the list -----

struct Row {
    id: String,
    name: String,
    unit: String,
    post: String,
    specialty: String,
    locality: String,
    declared: String,
    withdrawn: bool,
}

#[derive(Template)]
#[template(path = "personnel.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    units: Vec<Choice>,
    q: String,
    unit_id: String,
    include_withdrawn: bool,
    total: i64,
    pages: Pager,
    can_manage: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    include_withdrawn: bool,
    notice: Option<String>,
}

/// The pool, searched and filtered by the parser of `GET /api/v1/inspectors`.
async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ListQuery>,
    Query(iq): Query<InspectorQuery>,
) -> PageResult {
    let actor = &user.actor;
    let asked = Asked::read(iq.filter().and_then(|f| Ok((f, iq.sorted()?))), actor)?;
    let found = match &asked.filter {
        Some(f) => app
            .services
            .inspector_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let pages = Pager::of("/personnel", &iq.query(), &asked, &found, iq.page);
    let tree = app.services.unit_tree(actor).await.or_page(actor)?;
    let rows = found
        .items
        .iter()
        .map(|x| Row {
            id: x.id.to_string(),
            name: x.name.clone(),
            unit: unit_name(&tree, x.unit_id),
            post: x.post.clone(),
            specialty: x.specialty.clone(),
            locality: x.locality.clone(),
            declared: format!(
                "任职经历 {} 条，亲属 {} 人",
                x.past_posts.len(),
                x.relatives.len()
            ),
            withdrawn: x.withdrawn,
        })
        .collect();
    let page = ListPage {
        frame: Frame::new(&app, &user, "干部人才库", "/personnel")
            .await
            .with_notice(q.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        rows,
        units: unit_choices(&tree, &q.unit_id, false),
        q: q.q,
        unit_id: q.unit_id,
        include_withdrawn: q.include_withdrawn,
        total: found.total,
        pages,
        can_manage: actor.can(Permission::ManagePersonnel),
    };
    Ok(render(super::list_status(&asked.refused), &page))
}

// ----- the person's own fields -----

#[derive(Deserialize, Default)]
struct InspectorForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    specialty: String,
    #[serde(default)]
    locality: String,
    version: Option<i64>,
}

impl InspectorForm {
    fn of(x: &Inspector, username: String) -> Self {
        InspectorForm {
            name: x.name.clone(),
            user: username,
            unit: x.unit_id.to_string(),
            post: x.post.clone(),
            specialty: x.specialty.clone(),
            locality: x.locality.clone(),
            version: Some(x.version),
        }
    }

    fn input(&self) -> InspectorInput {
        InspectorInput {
            name: self.name.clone(),
            user: Some(self.user.clone()),
            unit: self.unit.clone(),
            post: self.post.clone(),
            specialty: self.specialty.clone(),
            locality: self.locality.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "inspector_form.html")]
struct NewPage {
    frame: Frame,
    form: InspectorForm,
    units: Vec<Choice>,
    errors: FormErrors,
}

async fn render_new(
    app: &AppState,
    user: &PageUser,
    form: InspectorForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let tree = match app.services.unit_tree(&user.actor).await {
        Ok(t) => t,
        Err(e) => return error_page(&e, Some(&user.actor)),
    };
    let page = NewPage {
        frame: Frame::new(app, user, "新增巡视干部", "/personnel").await,
        units: unit_choices(&tree, &form.unit, false),
        form,
        errors,
    };
    render(status, &page)
}

async fn new_form(State(app): State<AppState>, user: PageUser) -> Response {
    if let Err(e) = user.actor.require(Permission::ManagePersonnel) {
        return error_page(&e, Some(&user.actor));
    }
    render_new(
        &app,
        &user,
        InspectorForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<InspectorForm>,
) -> Response {
    let input = NewInspector {
        fields: f.input(),
        past_posts: Vec::new(),
        relatives: Vec::new(),
    };
    match app.services.create_inspector(&user.actor, &input).await {
        Ok(x) => see_other(&format!("/personnel/{}", x.id), "created"),
        Err(e @ CoreError::Forbidden(_)) => error_page(&e, Some(&user.actor)),
        Err(e) => {
            let status = status_of(&e);
            render_new(&app, &user, f, FormErrors::from_error(&e), status).await
        }
    }
}

// ----- the record -----

#[derive(Deserialize, Default)]
struct PastPostForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    version: i64,
}

#[derive(Deserialize, Default)]
struct RelativeForm {
    #[serde(default)]
    relation: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    version: i64,
}

#[derive(Deserialize)]
struct VersionForm {
    version: i64,
}

#[derive(Deserialize)]
struct WithdrawForm {
    version: i64,
    #[serde(default)]
    reason: String,
}

/// What a failed form of the record page sends back: the values typed and the messages, for
/// the one section it came from.
#[derive(Default)]
struct Sections {
    edit: Option<(InspectorForm, FormErrors)>,
    post: Option<(PastPostForm, FormErrors)>,
    relative: Option<(RelativeForm, FormErrors)>,
    withdraw: Option<FormErrors>,
    /// A refusal of a removal, shown on top.
    general: Option<String>,
}

struct PostRow {
    id: String,
    unit: String,
    post: String,
    period: String,
}

struct RelativeRow {
    id: String,
    relation: &'static str,
    name: String,
    unit: String,
}

struct MembershipRow {
    inspection_id: String,
    team: String,
    role: &'static str,
    appointed: String,
    status: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "inspector_detail.html")]
struct DetailPage {
    frame: Frame,
    x: Inspector,
    unit: String,
    username: String,
    created: String,
    updated: String,
    posts: Vec<PostRow>,
    relatives: Vec<RelativeRow>,
    memberships: Vec<MembershipRow>,
    can_manage: bool,
    general: Option<String>,
    edit: InspectorForm,
    edit_units: Vec<Choice>,
    edit_errors: FormErrors,
    post: PastPostForm,
    post_units: Vec<Choice>,
    post_errors: FormErrors,
    relative: RelativeForm,
    relations: Vec<Choice>,
    relative_units: Vec<Choice>,
    relative_errors: FormErrors,
    withdraw_errors: FormErrors,
}

async fn render_detail(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    s: Sections,
    status: StatusCode,
) -> Response {
    let actor = &user.actor;
    let loaded = async {
        let x = app.services.get_inspector(actor, id).await?;
        let tree = app.services.unit_tree(actor).await?;
        let memberships = app.services.inspector_memberships(actor, id).await?;
        Ok::<_, CoreError>((x, tree, memberships))
    }
    .await;
    let (x, tree, memberships) = match loaded {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(actor)),
    };
    // The account's name, for people; the id if the viewer may not read accounts.
    let username = match x.user_id {
        Some(uid) => match app.services.get_user(actor, uid).await {
            Ok((u, _)) => u.username,
            Err(_) => uid.to_string(),
        },
        None => String::new(),
    };
    let mut rows = Vec::new();
    for m in &memberships {
        let team = match app.services.get_inspection(actor, m.inspection_id).await {
            Ok((insp, _)) => insp.team_name,
            Err(_) => "巡视任务".into(),
        };
        rows.push(MembershipRow {
            inspection_id: m.inspection_id.to_string(),
            team,
            role: m.role.label(),
            appointed: local_time(m.appointed_at),
            status: match (&m.withdrawn_at, &m.withdraw_reason) {
                (Some(t), r) => {
                    format!("{} 调出（{}）", local_time(*t), r.as_deref().unwrap_or(""))
                }
                (None, _) => "在组".into(),
            },
            active: m.active(),
        });
    }
    let (edit, edit_errors) = s
        .edit
        .unwrap_or_else(|| (InspectorForm::of(&x, username.clone()), FormErrors::none()));
    let (post, post_errors) = s.post.unwrap_or_default();
    let (relative, relative_errors) = s.relative.unwrap_or_default();
    let page = DetailPage {
        frame: Frame::new(app, user, &x.name, "/personnel")
            .await
            .with_notice(notice),
        unit: unit_name(&tree, x.unit_id),
        username,
        created: local_time(x.created_at),
        updated: local_time(x.updated_at),
        posts: x
            .past_posts
            .iter()
            .map(|p| PostRow {
                id: p.id.to_string(),
                unit: unit_name(&tree, p.unit_id),
                post: p.post.clone(),
                period: format!(
                    "{} 至 {}",
                    p.from,
                    p.to.map(|d| d.to_string()).unwrap_or_else(|| "今".into())
                ),
            })
            .collect(),
        relatives: x
            .relatives
            .iter()
            .map(|r| RelativeRow {
                id: r.id.to_string(),
                relation: r.relation.label(),
                name: r.name.clone(),
                unit: unit_name(&tree, r.unit_id),
            })
            .collect(),
        memberships: rows,
        can_manage: actor.can(Permission::ManagePersonnel) && !x.withdrawn,
        general: s.general,
        edit_units: unit_choices(&tree, &edit.unit, false),
        edit,
        edit_errors,
        post_units: unit_choices(&tree, &post.unit, true),
        post,
        post_errors,
        relations: Relation::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().into(),
                label: r.label().into(),
                selected: relative.relation == r.as_str(),
            })
            .collect(),
        relative_units: unit_choices(&tree, &relative.unit, false),
        relative,
        relative_errors,
        withdraw_errors: s.withdraw.unwrap_or_default(),
        x,
    };
    render(status, &page)
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn detail(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    Ok(render_detail(
        &app,
        &user,
        id,
        q.notice.as_deref(),
        Sections::default(),
        StatusCode::OK,
    )
    .await)
}

/// Where a change of the record goes: back to the record, or — when it is refused — the record
/// again with the section's messages and the error's status. Refusals that concern the whole
/// page (no right, no such record) get the error page.
async fn after_change(
    app: &AppState,
    user: &PageUser,
    id: Id,
    result: Result<Inspector, CoreError>,
    sections: impl FnOnce(&CoreError) -> Sections,
) -> Response {
    match result {
        Ok(x) => see_other(&format!("/personnel/{}", x.id), "saved"),
        Err(e @ (CoreError::Forbidden(_) | CoreError::Unauthenticated(_))) => {
            error_page(&e, Some(&user.actor))
        }
        Err(e) => {
            let s = sections(&e);
            render_detail(app, user, id, None, s, status_of(&e)).await
        }
    }
}

async fn update(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<InspectorForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let version = crate::http::require_version(f.version).or_page(&user.actor)?;
    let result = app
        .services
        .update_inspector(&user.actor, id, version, &f.input())
        .await;
    Ok(after_change(&app, &user, id, result, |e| Sections {
        edit: Some((f, FormErrors::from_error(e))),
        ..Default::default()
    })
    .await)
}

async fn add_past_post(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<PastPostForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let input = PastPostInput {
        unit: f.unit.clone(),
        post: f.post.clone(),
        from: f.from.clone(),
        to: Some(f.to.clone()),
    };
    let result = app
        .services
        .add_past_post(&user.actor, id, f.version, &input)
        .await;
    Ok(after_change(&app, &user, id, result, |e| Sections {
        post: Some((f, FormErrors::from_error(e))),
        ..Default::default()
    })
    .await)
}

async fn remove_past_post(
    State(app): State<AppState>,
    user: PageUser,
    Path((id, post_id)): Path<(String, String)>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let post_id = Id::from_path(&post_id, "该任职经历").or_page(&user.actor)?;
    let result = app
        .services
        .remove_past_post(&user.actor, id, f.version, post_id)
        .await;
    Ok(after_change(&app, &user, id, result, |e| Sections {
        general: Some(public_message(e)),
        ..Default::default()
    })
    .await)
}

async fn add_relative(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<RelativeForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let input = RelativeInput {
        relation: f.relation.clone(),
        name: f.name.clone(),
        unit: f.unit.clone(),
    };
    let result = app
        .services
        .add_relative(&user.actor, id, f.version, &input)
        .await;
    Ok(after_change(&app, &user, id, result, |e| Sections {
        relative: Some((f, FormErrors::from_error(e))),
        ..Default::default()
    })
    .await)
}

async fn remove_relative(
    State(app): State<AppState>,
    user: PageUser,
    Path((id, relative_id)): Path<(String, String)>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let relative_id = Id::from_path(&relative_id, "该亲属").or_page(&user.actor)?;
    let result = app
        .services
        .remove_relative(&user.actor, id, f.version, relative_id)
        .await;
    Ok(after_change(&app, &user, id, result, |e| Sections {
        general: Some(public_message(e)),
        ..Default::default()
    })
    .await)
}

async fn withdraw(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<WithdrawForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let result = app
        .services
        .withdraw_inspector(&user.actor, id, f.version, &f.reason)
        .await;
    Ok(after_change(&app, &user, id, result, |e| Sections {
        withdraw: Some(FormErrors::from_error(e)),
        ..Default::default()
    })
    .await)
}

// ----- the recusal rules and the units' localities -----

struct RuleRow {
    code: &'static str,
    label: &'static str,
    same_locality: bool,
    version: i64,
    updated: String,
}

struct LocalityRow {
    unit_id: String,
    name: String,
    depth: usize,
    locality: String,
    /// Where the unit is without a locality of its own.
    inherited: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "recusal_rules.html")]
struct RulesPage {
    frame: Frame,
    rules: Vec<RuleRow>,
    localities: Vec<LocalityRow>,
    can_manage: bool,
    error: Option<String>,
}

async fn render_rules(
    app: &AppState,
    user: &PageUser,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let actor = &user.actor;
    let loaded = async {
        let rules = app.services.recusal_rules(actor).await?;
        let localities = app.services.unit_localities(actor).await?;
        let tree = app.services.unit_tree(actor).await?;
        Ok::<_, CoreError>((rules, localities, tree))
    }
    .await;
    let (rules, localities, tree) = match loaded {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let units: Vec<Unit> = tree.iter().map(|(_, u)| u.clone()).collect();
    let ctx = xunshi_core::personnel::RecusalContext {
        units: &units,
        localities: &localities,
        rules: &rules,
    };
    let rows = tree
        .iter()
        .filter(|(_, u)| !u.withdrawn)
        .map(|(d, u)| {
            let own = localities.iter().find(|l| l.unit_id == u.id);
            LocalityRow {
                unit_id: u.id.to_string(),
                name: u.name.clone(),
                depth: (*d).min(6),
                locality: own.map(|l| l.locality.clone()).unwrap_or_default(),
                inherited: u
                    .parent_id
                    .and_then(|p| locality_of(&ctx, p))
                    .unwrap_or_default(),
                version: own.map_or(0, |l| l.version),
            }
        })
        .collect();
    let page = RulesPage {
        frame: Frame::new(app, user, "回避规则", "/personnel")
            .await
            .with_notice(notice),
        rules: rules
            .iter()
            .map(|r| RuleRow {
                code: r.applies_to.as_str(),
                label: r.applies_to.label(),
                same_locality: r.same_locality,
                version: r.version,
                updated: r
                    .updated_at
                    .map(local_time)
                    .unwrap_or_else(|| "默认".into()),
            })
            .collect(),
        localities: rows,
        can_manage: actor.can(Permission::ManagePersonnel),
        error,
    };
    render(status, &page)
}

async fn rules(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> Response {
    render_rules(&app, &user, q.notice.as_deref(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct RuleForm {
    version: i64,
    #[serde(default)]
    same_locality: bool,
}

async fn set_rule(
    State(app): State<AppState>,
    user: PageUser,
    Path(applies_to): Path<String>,
    Form(f): Form<RuleForm>,
) -> PageResult {
    let target = RuleTarget::parse(&applies_to)
        .map_err(|_| CoreError::NotFound("回避规则".into()))
        .or_page(&user.actor)?;
    Ok(
        match app
            .services
            .set_recusal_rule(&user.actor, target, f.version, f.same_locality)
            .await
        {
            Ok(_) => see_other("/personnel/rules", "saved"),
            Err(e @ CoreError::Forbidden(_)) => error_page(&e, Some(&user.actor)),
            Err(e) => {
                render_rules(&app, &user, None, Some(public_message(&e)), status_of(&e)).await
            }
        },
    )
}

#[derive(Deserialize)]
struct LocalityForm {
    version: i64,
    #[serde(default)]
    locality: String,
}

async fn set_locality(
    State(app): State<AppState>,
    user: PageUser,
    Path(unit_id): Path<String>,
    Form(f): Form<LocalityForm>,
) -> PageResult {
    let unit_id = Id::from_path(&unit_id, "单位").or_page(&user.actor)?;
    Ok(
        match app
            .services
            .set_unit_locality(&user.actor, unit_id, f.version, &f.locality)
            .await
        {
            Ok(_) => see_other("/personnel/rules", "saved"),
            Err(e @ CoreError::Forbidden(_)) => error_page(&e, Some(&user.actor)),
            Err(e) => {
                render_rules(&app, &user, None, Some(public_message(&e)), status_of(&e)).await
            }
        },
    )
}
