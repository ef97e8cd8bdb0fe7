//! The problem taxonomy, by version: the inspection office adds versions and categories as the
//! rules change; everyone else reads it.

use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::permission::Permission;
use xunshi_core::taxonomy::{CategoryInput, Taxonomy, TaxonomyVersionInput};
use xunshi_core::{CoreError, Id};

use super::work_tabs::cn_date;
use super::{FormErrors, Frame, OrPage, PageResult, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::http::Form;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/system/taxonomy", get(show).post(create_version))
        .route("/system/taxonomy/{id}/categories", post(add_category))
}

struct VersionView {
    t: Taxonomy,
    valid_from: String,
    /// The messages of the add-category form, when it was this version's that failed.
    errors: FormErrors,
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "taxonomy.html")]
struct Page {
    frame: Frame,
    versions: Vec<VersionView>,
    can_manage: bool,
    form: TaxonomyVersionInput,
    errors: FormErrors,
}

/// Which form failed, to show its messages next to its fields.
enum Failed {
    None,
    Version(TaxonomyVersionInput, FormErrors),
    Category(Id, CategoryInput, FormErrors),
}

async fn render_page(
    app: &AppState,
    user: &PageUser,
    failed: Failed,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let all = app.services.taxonomies(actor).await.or_page(actor)?;
    let (form, errors, mut cat) = match failed {
        Failed::None => (TaxonomyVersionInput::default(), FormErrors::none(), None),
        Failed::Version(f, e) => (f, e, None),
        Failed::Category(id, f, e) => (
            TaxonomyVersionInput::default(),
            FormErrors::none(),
            Some((id, f, e)),
        ),
    };
    let versions = all
        .into_iter()
        .rev()
        .map(|t| {
            let mine = cat.as_ref().is_some_and(|(id, _, _)| *id == t.version.id);
            let (code, name, errors) = match (mine, cat.take()) {
                (true, Some((_, f, e))) => (f.code, f.name, e),
                (_, other) => {
                    cat = other;
                    (String::new(), String::new(), FormErrors::none())
                }
            };
            VersionView {
                valid_from: cn_date(t.version.valid_from),
                t,
                errors,
                code,
                name,
            }
        })
        .collect();
    let page = Page {
        frame: Frame::new(app, user, "问题分类", "/system/taxonomy")
            .await
            .with_notice(notice),
        versions,
        can_manage: actor.can(Permission::ManageTaxonomy),
        form,
        errors,
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    render_page(
        &app,
        &user,
        Failed::None,
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct VersionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    valid_from: String,
}

async fn create_version(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let actor = &user.actor;
    let input = TaxonomyVersionInput {
        code: f.code,
        name: f.name,
        valid_from: f.valid_from,
    };
    match app.services.create_taxonomy_version(actor, &input).await {
        Ok(_) => Ok(see_other("/system/taxonomy", "created")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::Unauthenticated(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = status_of(&e);
            render_page(
                &app,
                &user,
                Failed::Version(input, FormErrors::from_error(&e)),
                None,
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct CategoryForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

async fn add_category(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<CategoryForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "问题分类版本").or_page(actor)?;
    let input = CategoryInput {
        code: f.code,
        name: f.name,
    };
    match app.services.add_category(actor, id, &input).await {
        Ok(_) => Ok(see_other("/system/taxonomy", "created")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = status_of(&e);
            render_page(
                &app,
                &user,
                Failed::Category(id, input, FormErrors::from_error(&e)),
                None,
                status,
            )
            .await
        }
    }
}
