//! The two edges of the one domain error: a JSON body for the API, a page for people.
//! Internal errors are logged in full and shown only in general terms.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use xunshi_core::CoreError;
use xunshi_core::error::FieldError;

pub fn status_of(e: &CoreError) -> StatusCode {
    match e {
        CoreError::BadInput(_) => StatusCode::BAD_REQUEST,
        CoreError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        CoreError::NotFound(_) => StatusCode::NOT_FOUND,
        CoreError::StaleVersion(_) | CoreError::Conflict(_) => StatusCode::CONFLICT,
        CoreError::RuleRefused(_) | CoreError::Unfit(_) => StatusCode::UNPROCESSABLE_ENTITY,
        CoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        CoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What a person or client may be told about an error.
pub fn public_message(e: &CoreError) -> String {
    match e {
        CoreError::Internal(detail) => {
            tracing::error!(error = %detail, "internal error");
            "服务器内部错误，请稍后再试；如持续出现，请联系系统管理员".to_owned()
        }
        other => other.to_string(),
    }
}

/// An error as one line above a form: each field's message in turn, else what may be told of
/// the error ([`public_message`]).
pub fn banner(e: &CoreError) -> String {
    match e {
        CoreError::BadInput(fields) | CoreError::Unfit(fields) => fields
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        other => public_message(other),
    }
}

/// The one error body of the API: `{"error": {"code", "message", "details"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code: bad_input, unauthenticated, forbidden, not_found, stale_version, conflict,
    /// too_large, rule_refused, method_not_allowed, internal.
    pub code: String,
    pub message: String,
    /// For bad input, the fields that were wrong and why.
    #[schema(value_type = Vec<Object>)]
    pub details: Vec<FieldError>,
}

/// An error answered as the API's JSON body.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }
}

impl ErrorDetail {
    /// The error body's detail of `e`, for an answer that reports several outcomes (a batch).
    pub fn of(e: &CoreError) -> ErrorDetail {
        let a = ApiError::from(e.clone());
        ErrorDetail {
            code: a.code.to_owned(),
            message: a.message,
            details: a.details,
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        let details = match &e {
            CoreError::BadInput(fields) | CoreError::Unfit(fields) => fields.clone(),
            _ => Vec::new(),
        };
        ApiError {
            status: status_of(&e),
            code: e.code(),
            message: public_message(&e),
            details,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                details: self.details,
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"xunshi\""),
            );
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
