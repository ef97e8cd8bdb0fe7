//! Pages of the organisation tree.

use crate::http::Form;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::org::{Unit, UnitInput, UnitKind, UnitLevel};
use xunshi_core::page::{PageRequest, SortedPage};
use xunshi_core::permission::{Actor, Permission};
use xunshi_core::store::{UnitFilter, UserFilter};
use xunshi_core::user::User;
use xunshi_core::{CoreError, Id};

use super::pager::{Asked, Pager};
use super::{FormErrors, Frame, OrPage, PageResult, error_page, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::{UnitQuery, given};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units", get(list).post(create))
        .route("/units/new", get(new_form))
        .route("/units/{id}", get(detail).post(update))
        .route("/units/{id}/edit", get(edit_form))
        .route("/units/{id}/withdraw", post(withdraw))
}

struct Row {
    id: String,
    name: String,
    kind: &'static str,
    level: &'static str,
    depth: usize,
    withdrawn: bool,
}

impl Row {
    fn of(depth: usize, u: &Unit) -> Row {
        Row {
            id: u.id.to_string(),
            name: u.name.clone(),
            kind: u.kind.label(),
            level: u.level.label(),
            depth: depth.min(6),
            withdrawn: u.withdrawn,
        }
    }
}

#[derive(Template)]
#[template(path = "units.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    q: String,
    include_withdrawn: bool,
    /// The whole tree in its order, not a page of a sorted list.
    tree: bool,
    total: i64,
    pages: Pager,
    can_manage: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    notice: Option<String>,
}

/// Without a search, an order or a page asked, the whole tree is shown in order; otherwise the
/// matching units sorted, in pages. The request is read by the parser of `GET /api/v1/units`.
async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(n): Query<ListQuery>,
    Query(uq): Query<UnitQuery>,
) -> PageResult {
    let actor = &user.actor;
    let asked = Asked::read(uq.filter().and_then(|f| Ok((f, uq.sorted()?))), actor)?;
    let whole_tree = [&uq.q, &uq.parent_id, &uq.sort, &uq.cursor]
        .into_iter()
        .all(|v| given(v).is_none())
        && uq.limit.is_none();
    let (rows, tree, list) = match &asked.filter {
        None => (Vec::new(), false, SortedPage::empty()),
        Some(_) if whole_tree => {
            let tree = app.services.unit_tree(actor).await.or_page(actor)?;
            let rows: Vec<Row> = tree
                .iter()
                .filter(|(_, u)| uq.include_withdrawn || !u.withdrawn)
                .map(|(d, u)| Row::of(*d, u))
                .collect();
            let mut all = SortedPage::empty();
            all.total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            (rows, true, all)
        }
        Some(f) => {
            let p = app
                .services
                .unit_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
                .await
                .or_page(actor)?;
            (p.items.iter().map(|u| Row::of(0, u)).collect(), false, p)
        }
    };
    let pages = Pager::of("/units", &uq.query(), &asked, &list, uq.page);
    let page = ListPage {
        frame: Frame::new(&app, &user, "组织机构", "/units")
            .await
            .with_notice(n.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        rows,
        q: given(&uq.q).unwrap_or_default().to_owned(),
        include_withdrawn: uq.include_withdrawn,
        tree,
        total: list.total,
        pages,
        can_manage: actor.can(Permission::ManageUnits),
    };
    Ok(render(super::list_status(&asked.refused), &page))
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "unit_form.html")]
struct FormPage {
    frame: Frame,
    heading: &'static str,
    action: String,
    cancel: String,
    version: Option<i64>,
    name: String,
    kinds: Vec<Choice>,
    levels: Vec<Choice>,
    parents: Vec<Choice>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct UnitForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    parent_id: String,
    version: Option<i64>,
}

impl UnitForm {
    fn of(u: &Unit) -> Self {
        UnitForm {
            name: u.name.clone(),
            kind: u.kind.as_str().to_owned(),
            level: u.level.as_str().to_owned(),
            parent_id: u.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            version: Some(u.version),
        }
    }

    fn input(&self) -> UnitInput {
        UnitInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            level: self.level.clone(),
            parent_id: Some(self.parent_id.clone()),
        }
    }
}

async fn render_form(
    app: &AppState,
    user: &PageUser,
    editing: Option<Id>,
    f: &UnitForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let tree = match app.services.unit_tree(&user.actor).await {
        Ok(t) => t,
        Err(e) => return error_page(&e, Some(&user.actor)),
    };
    let parents = tree
        .iter()
        .filter(|(_, u)| !u.withdrawn && Some(u.id) != editing)
        .map(|(d, u)| Choice {
            value: u.id.to_string(),
            label: format!("{}{}", "　".repeat(*d), u.name),
            selected: f.parent_id == u.id.to_string(),
        })
        .collect();
    let kinds = UnitKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: k.label().into(),
            selected: f.kind == k.as_str(),
        })
        .collect();
    let levels = UnitLevel::ALL
        .iter()
        .map(|l| Choice {
            value: l.as_str().into(),
            label: l.label().into(),
            selected: f.level == l.as_str(),
        })
        .collect();
    let (heading, action, cancel) = match editing {
        Some(id) => ("修改单位", format!("/units/{id}"), format!("/units/{id}")),
        None => ("新建单位", "/units".to_owned(), "/units".to_owned()),
    };
    let page = FormPage {
        frame: Frame::new(app, user, heading, "/units").await,
        heading,
        action,
        cancel,
        version: f.version,
        name: f.name.clone(),
        kinds,
        levels,
        parents,
        errors,
    };
    render(status, &page)
}

#[derive(Deserialize)]
struct NewQuery {
    parent_id: Option<String>,
}

async fn new_form(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NewQuery>,
) -> Response {
    if let Err(e) = user.actor.require(Permission::ManageUnits) {
        return error_page(&e, Some(&user.actor));
    }
    let f = UnitForm {
        parent_id: q.parent_id.unwrap_or_default(),
        ..Default::default()
    };
    render_form(&app, &user, None, &f, FormErrors::none(), StatusCode::OK).await
}

async fn create(State(app): State<AppState>, user: PageUser, Form(f): Form<UnitForm>) -> Response {
    match app.services.create_unit(&user.actor, &f.input()).await {
        Ok(u) => see_other(&format!("/units/{}", u.id), "created"),
        Err(e @ CoreError::Forbidden(_)) => error_page(&e, Some(&user.actor)),
        Err(e) => {
            let status = crate::error::status_of(&e);
            render_form(&app, &user, None, &f, FormErrors::from_error(&e), status).await
        }
    }
}

#[derive(Template)]
#[template(path = "unit_detail.html")]
struct DetailPage {
    frame: Frame,
    unit: Unit,
    parent: Option<Unit>,
    children: Vec<Unit>,
    more_children: bool,
    users: Option<Vec<User>>,
    more_users: bool,
    updated: String,
    can_manage: bool,
    withdraw_error: Option<String>,
}

/// How many child units and accounts a unit's page lists before linking to the whole list.
const DETAIL_ROWS: u32 = 50;

async fn render_detail(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    withdraw_error: Option<String>,
    status: StatusCode,
) -> Response {
    let actor = &user.actor;
    let result = async {
        let unit = app.services.get_unit(actor, id).await?;
        let parent = match unit.parent_id {
            Some(p) => Some(app.services.get_unit(actor, p).await?),
            None => None,
        };
        // The first of each list; the rest on the list pages, linked below them.
        let children = app
            .services
            .list_units(
                actor,
                &UnitFilter {
                    parent_id: Some(id),
                    q: None,
                    include_withdrawn: true,
                },
                PageRequest::first(DETAIL_ROWS),
            )
            .await?;
        let users = if actor.can(Permission::ViewUsers) {
            Some(
                app.services
                    .list_users(
                        actor,
                        &UserFilter {
                            unit_id: Some(id),
                            q: None,
                        },
                        PageRequest::first(DETAIL_ROWS),
                    )
                    .await?,
            )
        } else {
            None
        };
        Ok::<_, CoreError>((unit, parent, children, users))
    }
    .await;
    let (unit, parent, children, users) = match result {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let page = DetailPage {
        frame: Frame::new(app, user, &unit.name, "/units")
            .await
            .with_notice(notice),
        updated: local_time(unit.updated_at),
        unit,
        parent,
        more_children: children.next_cursor.is_some(),
        children: children.items,
        more_users: users.as_ref().is_some_and(|u| u.next_cursor.is_some()),
        users: users.map(|u| u.items),
        can_manage: actor.can(Permission::ManageUnits),
        withdraw_error,
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
    Ok(render_detail(&app, &user, id, q.notice.as_deref(), None, StatusCode::OK).await)
}

fn parse_id(raw: &str, actor: &Actor) -> Result<Id, super::PageError> {
    Id::from_path(raw, "单位").or_page(actor)
}

async fn edit_form(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, actor)?;
    actor.require(Permission::ManageUnits).or_page(actor)?;
    let unit = app.services.get_unit(actor, id).await.or_page(actor)?;
    let form = UnitForm::of(&unit);
    Ok(render_form(
        &app,
        &user,
        Some(id),
        &form,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await)
}

async fn update(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<UnitForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    let version = crate::http::require_version(f.version).or_page(&user.actor)?;
    Ok(
        match app
            .services
            .update_unit(&user.actor, id, version, &f.input())
            .await
        {
            Ok(u) => see_other(&format!("/units/{}", u.id), "saved"),
            Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
                error_page(&e, Some(&user.actor))
            }
            Err(e) => {
                let status = crate::error::status_of(&e);
                render_form(
                    &app,
                    &user,
                    Some(id),
                    &f,
                    FormErrors::from_error(&e),
                    status,
                )
                .await
            }
        },
    )
}

#[derive(Deserialize)]
struct WithdrawForm {
    version: i64,
    #[serde(default)]
    reason: String,
}

async fn withdraw(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<WithdrawForm>,
) -> PageResult {
    let id = parse_id(&id, &user.actor)?;
    Ok(
        match app
            .services
            .withdraw_unit(&user.actor, id, f.version, &f.reason)
            .await
        {
            Ok(u) => see_other(&format!("/units/{}", u.id), "withdrawn"),
            Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
                error_page(&e, Some(&user.actor))
            }
            Err(e) => {
                let status = crate::error::status_of(&e);
                let msg = crate::error::public_message(&e);
                render_detail(&app, &user, id, None, Some(msg), status).await
            }
        },
    )
}
