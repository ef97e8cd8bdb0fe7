//! The one rule for characters that may appear in text typed by people: in a form, a JSON body,
//! a query string, a file name, a command-line argument.
//!
//! Refused: NUL and every other control character except tab, carriage return and line feed
//! (C0, DEL and C1), and the Unicode bidirectional overrides and isolates (U+202A–U+202E,
//! U+2066–U+2069), which make text display in another order than it is stored ("Trojan
//! Source"). PostgreSQL refuses NUL in text outright, so a NUL would otherwise be stored by
//! SQLite and fail on PostgreSQL; escape sequences would reach an operator's terminal.
//!
//! The web edge applies [`check`] to every string of every request; the CLI applies it to its
//! arguments and prints stored text through [`for_terminal`].

use std::borrow::Cow;

use crate::error::{CoreError, Result};

/// Why a character is refused, for the message.
fn refusal(c: char) -> Option<&'static str> {
    match c {
        '\t' | '\r' | '\n' => None,
        '\0' => Some("空字符（U+0000）"),
        c if c.is_control() => Some("控制字符"),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some("文字方向控制符"),
        _ => None,
    }
}

/// Whether `c` may appear in text.
pub fn allowed(c: char) -> bool {
    refusal(c).is_none()
}

/// The first refused character of `s`, with its position in characters (from 1).
pub fn first_refused(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| !allowed(*c))
        .map(|(i, c)| (i + 1, c))
}

/// The message for a text with a refused character, or `None` when the text is acceptable.
pub fn problem(s: &str) -> Option<String> {
    let (pos, c) = first_refused(s)?;
    let what = refusal(c).unwrap_or("不允许的字符");
    Some(format!(
        "含有不允许的{what} U+{:04X}（第 {pos} 个字符）；请删除后重新输入",
        c as u32
    ))
}

/// Refuses text with a refused character as bad input in `field`.
pub fn check(field: &str, s: &str) -> Result<()> {
    match problem(s) {
        None => Ok(()),
        Some(m) => Err(CoreError::bad_input(field, m)),
    }
}

/// Text made safe to print to a terminal: every control character (tab and line feed too, so
/// one record stays on one line) and every bidi control is shown as an escape such as `\u{1b}`.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || !allowed(c);
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// An item of a list of texts that must not be blank (意见建议, 被巡视单位), as the API
/// document describes it: `Vec<String>` fields name it with `#[schema(value_type = Vec<NonBlank>)]`
/// so that each item carries the constraint the server enforces.
pub struct NonBlank;

impl utoipa::PartialSchema for NonBlank {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .pattern(Some(r"\S"))
            .into()
    }
}

impl utoipa::ToSchema for NonBlank {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_passes_with_tabs_and_line_breaks() {
        for s in [
            "",
            "自治区党委宣传部",
            "第一行\r\n第二行\t制表",
            "emoji 🙂 and ＡＢＣ",
            "U+200E is a mark, not an override: \u{200E}",
        ] {
            assert!(check("name", s).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn nul_controls_and_bidi_controls_are_refused_naming_the_field() {
        for (s, at) in [
            ("a\0b", 2),
            ("\u{1b}[31mred", 1),
            ("x\u{7f}", 2),
            ("c1\u{85}", 3),
            ("abc\u{202E}cba", 4),
            ("\u{202A}", 1),
            ("\u{2066}x", 1),
            ("x\u{2069}", 2),
            ("\u{8}", 1),
        ] {
            let e = check("unit_name", s).unwrap_err();
            match &e {
                CoreError::BadInput(f) => {
                    assert_eq!(f[0].field, "unit_name");
                    assert!(
                        f[0].message.contains(&format!("第 {at} 个字符")),
                        "{s:?}: {}",
                        f[0].message
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn terminal_output_escapes_what_a_terminal_would_obey() {
        assert_eq!(for_terminal("王伟"), "王伟");
        assert!(matches!(for_terminal("王伟"), Cow::Borrowed(_)));
        assert_eq!(for_terminal("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(for_terminal("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(for_terminal("one\ntwo"), "one\\u{a}two");
    }
}
