//! The one error of the edge: what a request was refused for before (or instead of) reaching a
//! service — a body that cannot be read, a field that cannot be parsed, a character that is
//! not accepted, too many log-in attempts.
//!
//! A `Rejection` answers as the API's JSON error body and carries a copy of itself in the
//! response's extensions; the pages' error layer (`pages::page_errors`) turns it into a Chinese
//! page with the same status and message. The handler never has to know which face it serves.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use xunshi_core::CoreError;
use xunshi_core::error::FieldError;

use crate::error::{ApiError, public_message, status_of};

#[derive(Debug, Clone)]
pub struct Rejection {
    pub status: StatusCode,
    /// The stable code of the API's error body (`bad_input`, `too_large`, …).
    pub code: &'static str,
    pub message: String,
    /// For bad input, the fields that were wrong and why.
    pub details: Vec<FieldError>,
    /// Seconds to wait, sent as `Retry-After` (429).
    pub retry_after: Option<u64>,
}

impl Rejection {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    /// Bad input in one named field (400).
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        Rejection {
            details: vec![FieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            ..Rejection::new(
                StatusCode::BAD_REQUEST,
                "bad_input",
                if field.is_empty() {
                    message
                } else {
                    format!("{field}：{message}")
                },
            )
        }
    }

    /// A body larger than the route accepts (413).
    pub fn too_large(what: &str) -> Self {
        Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("{what}超过了允许的大小"),
        )
    }

    /// The answer for a status that no handler explained (an unknown route, a wrong method, a
    /// timeout), in the words of the edge.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("bad_input", "请求无法识别"),
            401 => ("unauthenticated", "请先登录或提供有效的访问令牌"),
            403 => ("forbidden", "无权执行此操作"),
            404 => ("not_found", "没有这个页面或接口"),
            405 => ("method_not_allowed", "该地址不支持此请求方法"),
            406 => ("not_acceptable", "无法以所要求的格式答复"),
            408 => ("timeout", "请求处理超时，请稍后再试"),
            409 => ("conflict", "操作冲突，请刷新后重试"),
            411 => ("bad_input", "请求缺少内容长度"),
            413 => ("too_large", "提交的内容超过了允许的大小"),
            414 => ("bad_input", "地址过长"),
            415 => ("unsupported_media_type", "请求内容的类型不受支持"),
            422 => ("rule_refused", "请求不能执行"),
            429 => ("too_many_requests", "请求过于频繁，请稍后再试"),
            s if s >= 500 => (
                "internal",
                "服务器内部错误，请稍后再试；如持续出现，请联系系统管理员",
            ),
            _ => ("bad_input", "请求有误"),
        };
        Rejection::new(status, code, message)
    }
}

impl From<CoreError> for Rejection {
    fn from(e: CoreError) -> Self {
        let details = match &e {
            CoreError::BadInput(fields) | CoreError::Unfit(fields) => fields.clone(),
            _ => Vec::new(),
        };
        Rejection {
            status: status_of(&e),
            code: e.code(),
            message: public_message(&e),
            details,
            retry_after: None,
        }
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        ApiError {
            status: r.status,
            code: r.code,
            message: r.message,
            details: r.details,
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let mut resp = ApiError::from(self.clone()).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp.extensions_mut().insert(self);
        resp
    }
}

/// The headers of an error answer that say how to go on.
pub fn carry_headers(from: &Response, to: &mut Response) {
    for name in [
        header::ALLOW,
        header::RETRY_AFTER,
        header::WWW_AUTHENTICATE,
        header::SET_COOKIE,
    ] {
        for v in from.headers().get_all(&name) {
            to.headers_mut().append(name.clone(), v.clone());
        }
    }
}
