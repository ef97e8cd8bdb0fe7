//! `xunshi user …`: account management from the server's own shell, recorded in the audit
//! trail as the system actor.
//!
//! Arguments are held to the same character rule as the web forms (`xunshi_core::text`), and
//! stored text is printed with control characters escaped, so a name cannot drive the
//! operator's terminal.

use std::io::BufRead;
use std::process::ExitCode;

use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::{NewGrant, Services};
use xunshi_core::store::UserFilter;
use xunshi_core::text;
use xunshi_core::user::NewUserInput;
use xunshi_store::Db;

use crate::cli::UserCommand;

/// Reads the password from the first line of standard input, so it never appears in the
/// process list or the shell history.
fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    if pw.is_empty() {
        return Err("no password on standard input".into());
    }
    refuse_bad_text("password", &pw)?;
    Ok(pw)
}

/// Refuses an argument with a character the system does not accept (NUL, control characters,
/// bidi overrides), naming the argument.
fn refuse_bad_text(what: &str, value: &str) -> Result<(), String> {
    match text::problem(value) {
        None => Ok(()),
        Some(m) => Err(format!("{what}: {m}")),
    }
}

/// Stored text as it may be printed to a terminal.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    text::for_terminal(s)
}

pub async fn run(services: &Services<Db>, cmd: UserCommand) -> Result<ExitCode, String> {
    let system = Actor::system();
    let err = |e: xunshi_core::CoreError| e.to_string();
    match cmd {
        UserCommand::Add {
            name,
            role,
            unit,
            display_name,
            password_stdin: _,
            must_change_password,
        } => {
            refuse_bad_text("NAME", &name)?;
            refuse_bad_text("--role", &role)?;
            if let Some(u) = &unit {
                refuse_bad_text("--unit", u)?;
            }
            if let Some(d) = &display_name {
                refuse_bad_text("--display-name", d)?;
            }
            let password = read_password()?;
            let input = NewUserInput {
                username: name,
                display_name: display_name.unwrap_or_default(),
                unit,
                password,
                must_change_password,
            };
            let grant = NewGrant { role, scope: None };
            let (user, grants) = services
                .create_user(&system, &input, Some(&grant))
                .await
                .map_err(err)?;
            let roles: Vec<_> = grants.iter().map(|g| g.role.as_str()).collect();
            println!(
                "created user {} ({}) with role {}",
                shown(&user.username),
                user.id,
                roles.join(", ")
            );
        }
        UserCommand::Passwd {
            name,
            password_stdin: _,
            must_change_password,
        } => {
            refuse_bad_text("NAME", &name)?;
            let password = read_password()?;
            let user = services.find_user(&system, &name).await.map_err(err)?;
            services
                .reset_password(
                    &system,
                    user.id,
                    user.version,
                    &password,
                    must_change_password,
                )
                .await
                .map_err(err)?;
            println!("password of {} changed", shown(&user.username));
        }
        UserCommand::Disable { name } => {
            refuse_bad_text("NAME", &name)?;
            let user = services.find_user(&system, &name).await.map_err(err)?;
            services
                .set_user_disabled(&system, user.id, user.version, true)
                .await
                .map_err(err)?;
            println!("user {} disabled", shown(&user.username));
        }
        UserCommand::Enable { name } => {
            refuse_bad_text("NAME", &name)?;
            let user = services.find_user(&system, &name).await.map_err(err)?;
            services
                .set_user_disabled(&system, user.id, user.version, false)
                .await
                .map_err(err)?;
            println!("user {} enabled", shown(&user.username));
        }
        UserCommand::List => {
            let mut page = PageRequest::first(500);
            println!("{:<24} {:<16} {:<8} roles", "username", "name", "state");
            loop {
                let p = services
                    .list_users(&system, &UserFilter::default(), page)
                    .await
                    .map_err(err)?;
                for u in &p.items {
                    let (_, grants) = services.get_user(&system, u.id).await.map_err(err)?;
                    let roles: Vec<_> = grants.iter().map(|g| g.role.as_str()).collect();
                    let state = if u.disabled { "disabled" } else { "active" };
                    println!(
                        "{:<24} {:<16} {:<8} {}",
                        shown(&u.username),
                        shown(&u.display_name),
                        state,
                        roles.join(",")
                    );
                }
                match p.next_cursor {
                    Some(c) => page = PageRequest::parse(Some(&c), Some(500)).map_err(err)?,
                    None => break,
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
