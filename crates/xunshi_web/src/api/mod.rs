//! The JSON API under `/api/v1`. Handlers are thin: parse, call the service with the caller as
//! actor, serialise. The OpenAPI document is generated from the handlers' annotations.

mod audit;
pub use audit::AuditQuery;
mod auth;
mod calendar;
mod clues;
mod dashboard;
mod disclosure;
mod inspections;
mod openapi;
pub(crate) mod papers;
mod planning;
pub(crate) mod rectify;
mod reports;
mod supervision;
mod teams;
mod units;
mod users;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use xunshi_core::Id;

use crate::AppState;
use crate::error::ApiError;

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
        (name = "units", description = "组织机构"),
        (name = "users", description = "用户与角色"),
        (name = "audit", description = "审计日志"),
        (name = "planning", description = "届次、年度计划、轮次与巡视全覆盖"),
        (name = "inspections", description = "巡视任务"),
        (name = "calendar", description = "节假日安排与工作日计算"),
        (name = "clues", description = "问题线索、移交与处置"),
        (name = "teams", description = "干部人才库、回避规则与巡视组"),
        (name = "papers", description = "问题底稿、佐证材料、立行立改通知与问题分类"),
        (name = "reports", description = "巡视报告、审批流程与反馈意见"),
        (name = "rectification", description = "整改方案、整改台账、进展与佐证材料、核查销号与变更申请"),
        (name = "disclosure", description = "整改情况报告、主要负责人组织落实整改情况的报告与巡视整改进展情况通报；公开通报无需令牌"),
        (name = "dashboard", description = "整改统计"),
        (name = "supervision", description = "整改督查：督办通知、追责问责、长效机制、整改时限规则与时钟"),
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
        .merge(units::routes())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(planning::routes())
        .merge(inspections::routes())
        .merge(calendar::routes())
        .merge(clues::routes())
        .merge(teams::routes())
        .merge(papers::routes())
        .merge(reports::routes())
        .merge(rectify::routes())
        .merge(disclosure::routes())
        .merge(supervision::routes())
        .merge(dashboard::routes())
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

/// `Json` whose rejections speak the API's error body.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(v)) => v,
            Err(rej) => return Err(json_rejection(rej)),
        };
        integral_numbers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_input",
                    format!(
                        "请求体不是有效的 JSON：Failed to deserialize the JSON body into the target type: {e}"
                    ),
                )
            })
    }
}

/// JSON has one kind of number: `6.0` is the number `6`, and an integer field takes it (the
/// OpenAPI document's `integer` allows it too). Integral floats that fit become integers.
fn integral_numbers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() <= 9_007_199_254_740_991.0
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(integral_numbers),
        Value::Object(o) => o.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn json_rejection(rej: JsonRejection) -> ApiError {
    let status = rej.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(status, "too_large", "请求体过大");
    }
    let message = match &rej {
        JsonRejection::MissingJsonContentType(_) => {
            "请求须为 JSON（Content-Type: application/json）".to_owned()
        }
        other => format!("请求体不是有效的 JSON：{}", other.body_text()),
    };
    ApiError::new(StatusCode::BAD_REQUEST, "bad_input", message)
}

/// `Query` whose rejections speak the API's error body.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rej) => Err(query_rejection(rej)),
        }
    }
}

fn query_rejection(rej: QueryRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_input",
        format!("查询参数有误：{}", rej.body_text()),
    )
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
