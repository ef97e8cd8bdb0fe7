//! Accounts: who can log in, which unit they belong to, and the state of their log-in attempts.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::role::Grant;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<Id>,
    pub disabled: bool,
    /// Set for accounts whose password someone else chose; cleared by the user's own change.
    pub must_change_password: bool,
    /// No longer kept: failed log-ins and lock-outs are counted per account and client address
    /// (`store::LoginLock`, since migration 0012), so that nobody can lock an account out for
    /// everyone. Always 0; kept so that stored rows and API clients keep their shape.
    pub failed_logins: i64,
    /// Always null, as `failed_logins`.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub locked_until: Option<jiff::Timestamp>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl User {
    /// A new account as it is first stored: enabled, at version 1, made `now`.
    pub fn new(
        username: String,
        display_name: String,
        unit_id: Option<Id>,
        must_change_password: bool,
        now: jiff::Timestamp,
    ) -> User {
        User {
            id: Id::new(),
            username,
            display_name,
            unit_id,
            disabled: false,
            must_change_password,
            failed_logins: 0,
            locked_until: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A user with their grants, as the rest of the system sees the person acting.
#[derive(Debug, Clone)]
pub struct UserWithGrants {
    pub user: User,
    pub grants: Vec<Grant>,
}

/// A log-in name: 3–32 characters of ASCII letters, digits, `.`, `_` and `-`, starting with a
/// letter. ASCII keeps names typeable on every keyboard and safe in URLs and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        let ok_len = (3..=32).contains(&s.len());
        let ok_start = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok_len && ok_start && ok_chars {
            Ok(Username(s.to_ascii_lowercase()))
        } else {
            Err(CoreError::bad_input(
                "username",
                "用户名须为 3–32 位英文字母、数字或 . _ -，并以字母开头",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a new password against the policy: long enough, and not only one kind of character.
pub fn check_password_policy(password: &str, username: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(CoreError::bad_input(
            "password",
            format!("密码至少 {MIN_PASSWORD_CHARS} 位"),
        ));
    }
    if n > 256 {
        return Err(CoreError::bad_input("password", "密码不能超过 256 位"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 2 {
        return Err(CoreError::bad_input(
            "password",
            "密码须包含字母、数字、符号中的至少两类",
        ));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(CoreError::bad_input("password", "密码不能包含用户名"));
    }
    Ok(())
}

/// The fields of a new account as they arrive, before validation.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewUserInput {
    pub username: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub display_name: String,
    /// The unit's id or its exact name.
    #[serde(default)]
    pub unit: Option<String>,
    pub password: String,
    /// Ask the person to choose their own password at first log-in.
    #[serde(default)]
    pub must_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub unit: Option<String>,
    pub password: String,
    pub must_change_password: bool,
}

impl NewUserInput {
    pub fn validate(&self) -> Result<NewUser> {
        let mut v = Validation::new();
        let username = v.take(Username::parse(&self.username));
        let display_name = self.display_name.trim();
        if display_name.chars().count() > 50 {
            v.add("display_name", "姓名不能超过 50 个字");
        }
        if let Some(u) = &username {
            v.take(check_password_policy(&self.password, u.as_str()));
        }
        v.finish()?;
        let username = username.expect("validated");
        Ok(NewUser {
            display_name: if display_name.is_empty() {
                username.as_str().to_owned()
            } else {
                display_name.to_owned()
            },
            username,
            unit: self
                .unit
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            password: self.password.clone(),
            must_change_password: self.must_change_password,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_checked_and_lowercased() {
        assert_eq!(Username::parse(" Wang.Li ").unwrap().as_str(), "wang.li");
        for bad in ["ab", "1abc", "王丽", "a b c", &"x".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn password_policy_names_what_is_wrong() {
        assert!(check_password_policy("Correct-Horse-9", "wangli").is_ok());
        let short = check_password_policy("Ab1!", "wangli")
            .unwrap_err()
            .to_string();
        assert!(short.contains("至少"), "{short}");
        assert!(check_password_policy("aaaaaaaaaaaa", "wangli").is_err());
        assert!(check_password_policy("wangli-2019-x", "wangli").is_err());
    }

    #[test]
    fn validation_reports_every_bad_field() {
        let input = NewUserInput {
            username: "1".into(),
            display_name: "名".repeat(51),
            unit: None,
            password: "x".into(),
            must_change_password: false,
        };
        match input.validate() {
            Err(CoreError::BadInput(fields)) => {
                let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
                assert!(names.contains(&"username") && names.contains(&"display_name"));
            }
            other => panic!("expected bad input, got {other:?}"),
        }
    }
}
