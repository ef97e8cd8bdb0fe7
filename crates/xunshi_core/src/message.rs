//! In-app messages (站内消息) and e-mail addresses: what a message is, the kinds there are, and
//! the one check an address must pass. Who receives a message is decided by the services, by
//! the same rules as the to-do (`service::messages`).

use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::service::TodoKind;

/// What a message is about, for its tag on the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Work handed over to the recipient (a plan to review, a task to verify, …).
    Handover,
    /// A decision on something the recipient's side handed over (approved, returned, …).
    Decision,
    /// A deadline is near (within the warning period).
    DueSoon,
    /// A deadline is today or has passed.
    Due,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Handover => "handover",
            MessageKind::Decision => "decision",
            MessageKind::DueSoon => "due_soon",
            MessageKind::Due => "due",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "handover" => MessageKind::Handover,
            "decision" => MessageKind::Decision,
            "due_soon" => MessageKind::DueSoon,
            "due" => MessageKind::Due,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Handover => "待办",
            MessageKind::Decision => "办理结果",
            MessageKind::DueSoon => "即将到期",
            MessageKind::Due => "已到期",
        }
    }
}

/// One message to one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: Id,
    #[serde(skip)]
    pub user_id: Id,
    /// What the message is about, once per recipient (e.g. `task_due:{id}:{date}`).
    #[serde(skip)]
    pub event_key: String,
    pub kind: MessageKind,
    pub title: String,
    pub body: String,
    /// What it is about, as the to-do names it: the page where it is handled is that of a
    /// to-do item of this kind, object and inspection.
    pub about: Option<TodoKind>,
    pub object_id: Option<Id>,
    pub inspection_id: Option<Id>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<jiff::Timestamp>,
}

/// Sends one e-mail; implemented over SMTP by the binary, which knows the server. The core
/// only decides what is sent, to whom, and what a failure leads to.
pub trait Mailer: Send + Sync {
    /// Sends a plain-text mail; the error is the server's or the connection's, as text.
    fn send<'a>(
        &'a self,
        to: &'a str,
        subject: &'a str,
        body: &'a str,
    ) -> crate::store::BoxFuture<'a, std::result::Result<(), String>>;
}

/// An e-mail address as accounts keep it: trimmed; empty means none. Only the shape mail
/// servers agree on is checked (one `@`, a dotted domain, no spaces or angle brackets, at most
/// 254 characters): whether it reaches anyone only a mail can tell.
pub fn parse_email(s: &str) -> Result<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || CoreError::bad_input("email", "电子邮箱格式不正确，例如 zhangsan@example.cn");
    if s.len() > 254
        || s.chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '"'))
    {
        return Err(bad());
    }
    let (local, domain) = s.split_once('@').ok_or_else(bad)?;
    let domain_ok =
        domain.contains('.') && !domain.contains('@') && domain.split('.').all(|p| !p.is_empty());
    if local.is_empty() || local.len() > 64 || !domain_ok {
        return Err(bad());
    }
    Ok(Some(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse_email("  ").unwrap(), None);
        assert_eq!(
            parse_email(" a.b@x.gov.cn ").unwrap().as_deref(),
            Some("a.b@x.gov.cn")
        );
        for bad in [
            "a", "a@b", "@b.cn", "a@@b.cn", "a b@c.cn", "a@b..cn", "<a@b.cn>",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
