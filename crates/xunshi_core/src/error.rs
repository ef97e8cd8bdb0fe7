//! The one error type of the domain. The web layer maps each variant to an HTTP status and the
//! JSON error body or an HTML page; the CLI prints the message.

use std::fmt;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// One field that failed validation, with a message meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    /// Input that cannot be accepted as it stands (HTTP 400).
    #[error("输入有误：{}", join_fields(.0))]
    BadInput(Vec<FieldError>),
    /// No valid credentials (HTTP 401).
    #[error("{0}")]
    Unauthenticated(String),
    /// The acting user may not do this (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing by that name or id, or nothing the actor may know of (HTTP 404).
    #[error("{0}不存在")]
    NotFound(String),
    /// The record changed since it was read (HTTP 409).
    #[error("{0}已被他人修改，请刷新后重试")]
    StaleVersion(String),
    /// The change collides with existing data, such as a duplicate name (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// The request is well formed but a rule of the domain refuses it (HTTP 422).
    #[error("{0}")]
    RuleRefused(String),
    /// Fields that are well formed each but that the data or one another refuse: a record
    /// named that does not exist, dates out of order or already past, a field that one decision
    /// requires (HTTP 422, naming the fields as [`CoreError::BadInput`] does). Nothing in the
    /// request's own shape could have told the client.
    #[error("输入不能接受：{}", join_fields(.0))]
    Unfit(Vec<FieldError>),
    /// An outside system this request needs cannot be reached: the organisation's directory
    /// or identity provider (HTTP 503). The message says what to do meanwhile; the cause is
    /// logged.
    #[error("{0}")]
    Unavailable(String),
    /// A failure of the machinery: storage, hashing. Logged in full, shown in general terms.
    #[error("内部错误：{0}")]
    Internal(String),
}

fn join_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}：{}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("；")
}

impl CoreError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::BadInput(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// A field the data or the other fields refuse (HTTP 422), see [`CoreError::Unfit`].
    pub fn unfit(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Unfit(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// The fields an error names, for a form to show beside them.
    pub fn fields(&self) -> Option<&[FieldError]> {
        match self {
            CoreError::BadInput(fs) | CoreError::Unfit(fs) => Some(fs),
            _ => None,
        }
    }

    pub fn internal(e: impl fmt::Display) -> Self {
        CoreError::Internal(e.to_string())
    }

    /// A stable machine-readable code for the API error body.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::BadInput(_) => "bad_input",
            CoreError::Unauthenticated(_) => "unauthenticated",
            CoreError::Forbidden(_) => "forbidden",
            CoreError::NotFound(_) => "not_found",
            CoreError::StaleVersion(_) => "stale_version",
            CoreError::Conflict(_) => "conflict",
            CoreError::RuleRefused(_) | CoreError::Unfit(_) => "rule_refused",
            CoreError::Unavailable(_) => "unavailable",
            CoreError::Internal(_) => "internal",
        }
    }
}

/// Collects field errors so a form can show every problem at once, not only the first.
/// Malformed fields make the whole answer 400; fields only the data refuses, 422.
#[derive(Debug, Default)]
pub struct Validation {
    fields: Vec<FieldError>,
    /// Whether any field is malformed (400), not only refused by the data (422).
    malformed: bool,
}

impl Validation {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.malformed = true;
        self.fields.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Records the error of a parse and returns its value, if any.
    pub fn take<T>(&mut self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(CoreError::BadInput(mut fs)) => {
                self.malformed = true;
                self.fields.append(&mut fs);
                None
            }
            Err(CoreError::Unfit(mut fs)) => {
                self.fields.append(&mut fs);
                None
            }
            Err(e) => {
                self.add("", e.to_string());
                None
            }
        }
    }

    /// A field the data refuses (see [`CoreError::Unfit`]).
    pub fn unfit(&mut self, field: &str, message: impl Into<String>) {
        self.fields.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn finish(self) -> Result<()> {
        if self.fields.is_empty() {
            Ok(())
        } else if self.malformed {
            Err(CoreError::BadInput(self.fields))
        } else {
            Err(CoreError::Unfit(self.fields))
        }
    }
}
