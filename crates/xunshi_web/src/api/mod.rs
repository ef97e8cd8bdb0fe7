//! The JSON API under `/api/v1`. Handlers are thin: parse, call the service with the caller as
//! actor, serialise. The OpenAPI document is generated from the handlers' annotations.

mod audit;
mod auth;
mod calendar;
mod clues;
mod dashboard;
mod disclosure;
mod fieldwork;
mod filings;
mod inspections;
mod messages;
mod node;
mod openapi;
mod papers;
mod parse;
mod patterns;
mod planning;
mod rectify;
mod reports;
mod retention;
mod search;
mod supervision;
mod teams;
mod todo;
mod two_factor;
mod units;
mod users;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use xunshi_core::Id;

use crate::AppState;
use crate::error::ApiError;
use crate::http::Rejection;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Xunshi API",
        description = "巡视巡察与整改信息系统的 JSON 接口。除取得令牌外，所有请求须带 `Authorization: Bearer <令牌>`。\
            所有错误均返回 `{\"error\": {\"code\", \"message\", \"details\"}}`。列表按游标分页：把响应中的 `next_cursor` 作为 `cursor` 参数取下一页。"
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "登录、令牌与密码"),
        (name = "todo", description = "工作台：等待本人办理的事项"),
        (name = "messages", description = "站内消息：工作交接、办理结果与到期提醒"),
        (name = "units", description = "组织机构"),
        (name = "users", description = "用户与角色"),
        (name = "audit", description = "审计日志"),
        (name = "planning", description = "届次、年度计划、轮次与巡视全覆盖"),
        (name = "inspections", description = "巡视任务"),
        (name = "calendar", description = "节假日安排与工作日计算"),
        (name = "clues", description = "问题线索、移交与处置"),
        (name = "teams", description = "干部人才库、回避规则与巡视组"),
        (name = "fieldwork", description = "进驻了解：巡视公告、来信来访（含网上举报，无需令牌）、个别谈话、调阅材料、其他工作方式与底稿的依据材料"),
        (name = "papers", description = "问题底稿、佐证材料、立行立改通知与问题分类"),
        (name = "reports", description = "巡视报告、审批流程与反馈意见"),
        (name = "rectification", description = "整改方案、整改台账、进展与佐证材料、核查销号与变更申请"),
        (name = "disclosure", description = "整改情况报告、主要负责人组织落实整改情况的报告与巡视整改进展情况通报；公开通报无需令牌"),
        (name = "dashboard", description = "整改统计"),
        (name = "filings", description = "上下级报备：下级巡察办向上级报备年度计划、轮次安排和审定的报告，上级阅知或提出意见"),
        (name = "supervision", description = "整改督查：督办通知、追责问责、长效机制、整改时限规则与时钟"),
        (name = "search", description = "全文检索：只返回本人有权查看的记录"),
        (name = "patterns", description = "举一反三：同类问题聚类与整改不到位问题（定时计算并保存）"),
        (name = "archive", description = "档案保管：进驻了解材料的保管期限，期满材料的销毁（两名办公室人员办理，留存哈希）"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI description, built from the same list.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::routes())
        .merge(two_factor::routes())
        .merge(units::routes())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(planning::routes())
        .merge(inspections::routes())
        .merge(calendar::routes())
        .merge(clues::routes())
        .merge(teams::routes())
        .merge(fieldwork::routes())
        .merge(papers::routes())
        .merge(parse::routes())
        .merge(reports::routes())
        .merge(rectify::routes())
        .merge(disclosure::routes())
        .merge(supervision::routes())
        .merge(dashboard::routes())
        .merge(filings::routes())
        .merge(todo::routes())
        .merge(messages::routes())
        .merge(search::routes())
        .merge(patterns::routes())
        .merge(retention::routes())
        .merge(node::routes())
        .split_for_parts()
}

pub fn router(state: AppState) -> Router<AppState> {
    let (api, mut doc) = routes();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    let mut doc = serde_json::to_value(&doc).expect("the generated OpenAPI document serialises");
    openapi::complete(&mut doc);
    let doc_json = doc.to_string();
    api.route(
        "/openapi.json",
        axum::routing::get(move || async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                doc_json,
            )
        }),
    )
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::auth::api_submissions,
    ))
    .layer(axum::extract::DefaultBodyLimit::max(
        state.config.form_limit,
    ))
    .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "没有这个接口") })
    .method_not_allowed_fallback(|| async {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "该接口不支持此请求方法",
        )
    })
}

/// The extractors of the edge, named apart from `axum::Json` (the answers) and from what
/// utoipa reads as parameters: their rejections speak the API's error body.
pub(crate) use crate::http::{Json as ApiJson, Query as ApiQuery};

/// Turns an error answer that lacks the API's error body (a rejection of a layer, an unknown
/// route, a timeout) into that body, keeping the status and the headers that explain it.
pub fn finish_error(resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let rejection = resp
        .extensions()
        .get::<Rejection>()
        .cloned()
        .unwrap_or_else(|| Rejection::for_status(status));
    let mut out = rejection.into_response();
    crate::http::carry_headers(&resp, &mut out);
    out
}

/// The one file of an upload (a multipart form with a part `file`), staged, or 400 when the
/// body is not such a form.
pub async fn upload(
    app: &crate::AppState,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, xunshi_core::upload::Upload), ApiError> {
    let mut mp = multipart(mp)?;
    let staging = crate::http::files::Staging::of(app);
    Ok(crate::http::files::read_upload(&staging, &mut mp).await?)
}

/// The multipart form of an upload, or 400 saying how to send one.
pub fn multipart(
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<axum::extract::Multipart, ApiError> {
    mp.map_err(|r| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_input",
            format!("请以 multipart/form-data 上传：{}", r.body_text()),
        )
    })
}

/// Parses an id from the path; an id that cannot exist names nothing.
pub fn path_id(raw: &str, what: &str) -> Result<Id, ApiError> {
    Ok(Id::from_path(raw, what)?)
}

/// A page of a list, as the API returns it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// How many items the whole list holds, for lists that count them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

impl<T> From<xunshi_core::page::Page<T>> for Page<T> {
    fn from(p: xunshi_core::page::Page<T>) -> Self {
        Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: p.total,
        }
    }
}

/// The paging request from a list's `cursor` and `limit` query parameters.
pub fn paging(
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<xunshi_core::page::PageRequest, ApiError> {
    Ok(xunshi_core::page::PageRequest::parse(cursor, limit)?)
}
