//! The extractors of both faces. Each reads strictly (see [`super::decode`]) and refuses with a
//! [`Rejection`], which the API answers as its error body and the pages as a Chinese page —
//! never axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::Rejection;
use super::decode::{self, Source};

fn content_type(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// The whole body, within the route's limit (413 beyond it).
async fn body_bytes<S: Send + Sync>(
    req: Request,
    state: &S,
    what: &str,
) -> Result<Bytes, Rejection> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Rejection::too_large(what)
        } else {
            Rejection::field("", format!("{what}无法读取：{}", e.body_text()))
        }
    })
}

/// The body of a URL-encoded form. An empty body counts as an empty form whatever its type.
async fn form_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, Rejection> {
    let is_form = content_type(req.headers())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let bytes = body_bytes(req, state, "表单内容").await?;
    if !is_form && !bytes.is_empty() {
        return Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "表单须以 application/x-www-form-urlencoded 提交",
        ));
    }
    Ok(bytes)
}

/// A URL-encoded form read into `T`. Replaces `axum::Form` on every page: a malformed body, a
/// refused character or a missing version is answered 400 naming the field.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Rejection> {
        let bytes = form_body(req, state).await?;
        Ok(Form(decode::urlencoded(&bytes, Source::Form)?))
    }
}

/// The fields of a URL-encoded form with repeated names kept (checkboxes, several text boxes),
/// read as strictly as [`Form`].
pub struct FormPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Rejection> {
        let bytes = form_body(req, state).await?;
        Ok(FormPairs(decode::pairs(&bytes, Source::Form)?))
    }
}

impl FormPairs {
    /// The first value of `name`, or an empty text.
    pub fn get(&self, name: &str) -> String {
        self.opt(name).unwrap_or_default()
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The version the form was based on, refused as [`Form`] refuses a missing one.
    pub fn version(&self) -> Result<i64, xunshi_core::CoreError> {
        match self.opt("version") {
            None => decode::require_version(None),
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| xunshi_core::CoreError::bad_input("version", decode::VERSION_INVALID)),
        }
    }

    /// The fields read into `T`, for forms that also have repeated names.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        decode::from_pairs(&self.0)
    }
}

/// The query string read into `T`; both faces use it, so a bad parameter is answered the same.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        Ok(Query(decode::urlencoded(raw.as_bytes(), Source::Query)?))
    }
}

/// A JSON body read into `T`, every string in it checked.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Rejection> {
        let is_json = content_type(req.headers()).is_some_and(|ct| {
            let essence = ct.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case("application/json")
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        });
        if !is_json {
            return Err(Rejection::field(
                "",
                "请求须为 JSON（Content-Type: application/json）",
            ));
        }
        let bytes = body_bytes(req, state, "请求体").await?;
        Ok(Json(decode::json(&bytes)?))
    }
}

/// The parameters of the path, percent-decoded, valid UTF-8 and checked.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Rejection> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                Rejection::field("", format!("地址中有无法识别的字符：{}", e.body_text()))
            })?;
        for (name, value) in &raw {
            decode::check_text(name, value)?;
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|e| Rejection::field("", format!("地址有误：{}", e.body_text())))
    }
}
