//! Strict reading of what a client sends as text: URL-encoded forms and query strings, JSON
//! bodies. Every name and value must be valid percent-encoding of valid UTF-8, and every string
//! must pass the character rule of `xunshi_core::text`; anything else is refused naming the
//! field, never decoded lossily (a unit named "��") or passed on to be refused by one database
//! and stored by the other.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Rejection;

/// Where the text came from, for the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Form,
    Query,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Form => "表单",
            Source::Query => "查询参数",
        }
    }
}

/// The field that names where to go after log-in (`/login?next=…` and its form).
const REDIRECT_FIELD: &str = "next";

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte;
/// the bytes must be UTF-8. `None` when the encoding or the UTF-8 is broken.
fn component(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |b: u8| (b as char).to_digit(16);
                let hi = raw.get(i + 1).copied().and_then(hex)?;
                let lo = raw.get(i + 2).copied().and_then(hex)?;
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The name a broken pair is reported under: its name if that much can be read.
fn name_of(pair: &[u8]) -> String {
    let raw = pair.split(|b| *b == b'=').next().unwrap_or_default();
    component(raw)
        .filter(|n| xunshi_core::text::problem(n).is_none())
        .unwrap_or_default()
}

/// The name-value pairs of a URL-encoded text, strictly decoded and checked. Repeated names are
/// kept in order; empty pieces (`a=1&&b=2`) are skipped as browsers do.
pub fn pairs(raw: &[u8], source: Source) -> Result<Vec<(String, String)>, Rejection> {
    let mut out = Vec::new();
    for pair in raw.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        let bad_encoding = || {
            Rejection::field(
                name_of(pair),
                format!(
                    "{}中有无法识别的编码（须为 UTF-8 的百分号编码）",
                    source.label()
                ),
            )
        };
        let name = component(k).ok_or_else(bad_encoding)?;
        if let Some(m) = xunshi_core::text::problem(&name) {
            return Err(Rejection::field(
                "",
                format!("{}的字段名{m}", source.label()),
            ));
        }
        if name == REDIRECT_FIELD {
            // Where to go after log-in is never a reason to refuse the log-in: a value that
            // cannot be read is dropped, and `http::next` sends the browser home.
            let value = component(v)
                .filter(|v| xunshi_core::text::problem(v).is_none())
                .unwrap_or_default();
            out.push((name, value));
            continue;
        }
        let value = component(v).ok_or_else(bad_encoding)?;
        check_text(&name, &value)?;
        out.push((name, value));
    }
    Ok(out)
}

/// Refuses a value that breaks the character rule, naming its field.
pub fn check_text(field: &str, value: &str) -> Result<(), Rejection> {
    match xunshi_core::text::problem(value) {
        None => Ok(()),
        Some(m) => Err(Rejection::field(field, m)),
    }
}

/// Reads checked pairs into `T`, naming the field that does not fit.
pub fn from_pairs<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, Rejection> {
    let mut enc = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        enc.append_pair(k, v);
    }
    let encoded = enc.finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        field_error(&path, &e.into_inner().to_string())
    })
}

/// Strictly decodes and reads a URL-encoded text into `T`.
pub fn urlencoded<T: DeserializeOwned>(raw: &[u8], source: Source) -> Result<T, Rejection> {
    from_pairs(&pairs(raw, source)?)
}

/// The message for a field that could not be read, in words for people. Serde says which field
/// is missing only in its message ("missing field `version`").
fn field_error(path: &str, serde_message: &str) -> Rejection {
    let missing = serde_message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match missing {
        Some(m) if path.is_empty() || path == "." => m.to_owned(),
        Some(m) => format!("{path}.{m}"),
        None if path == "." => String::new(),
        None => path.to_owned(),
    };
    let leaf = field.rsplit('.').next().unwrap_or_default();
    let message = match (leaf, missing.is_some()) {
        ("version", true) => VERSION_MISSING.to_owned(),
        ("version", false) => VERSION_INVALID.to_owned(),
        (_, true) => "缺少此项".to_owned(),
        (_, false) => format!("格式不正确（{}）", english_detail(serde_message)),
    };
    Rejection::field(field, message)
}

/// Serde's own words, kept short: they name the expected type or the allowed values.
fn english_detail(m: &str) -> String {
    m.chars().take(200).collect()
}

/// The answer to a form without the version it was based on, the same on every page.
pub const VERSION_MISSING: &str =
    "缺少版本号：请从修改页面重新打开后提交（版本号用于防止覆盖他人的修改）";
pub const VERSION_INVALID: &str = "版本号无效：请从修改页面重新打开后提交";

/// The version of a form whose version field is optional (the same form creates and edits):
/// missing, it is refused exactly as a form that requires it.
pub fn require_version(v: Option<i64>) -> Result<i64, xunshi_core::CoreError> {
    v.ok_or_else(|| xunshi_core::CoreError::bad_input("version", VERSION_MISSING))
}

/// Walks every string of a JSON value, names and values, nested, and refuses the first that
/// breaks the character rule, naming it by its path (`items[2].name`).
pub fn check_json(v: &Value) -> Result<(), Rejection> {
    fn walk(v: &Value, path: &mut String) -> Result<(), Rejection> {
        match v {
            Value::String(s) => check_text(path, s),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    if let Some(m) = xunshi_core::text::problem(k) {
                        let at = if len == 0 { "" } else { &path[..len] };
                        return Err(Rejection::field(at, format!("字段名{m}")));
                    }
                    path.push_str(k);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(v, &mut String::new())
}

/// Reads a JSON body into `T`: the syntax, then the character rule, then the shape, each
/// refusal naming where it is.
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Rejection> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Rejection::field(
            "",
            format!(
                "请求体不是有效的 JSON（第 {} 行第 {} 列：{e}）",
                e.line(),
                e.column()
            ),
        )
    })?;
    check_json(&value)?;
    integral_numbers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        field_error(&path, &e.into_inner().to_string())
    })
}

/// JSON has one kind of number: `6.0` is the number `6`, and an integer field takes it (the
/// OpenAPI document's `integer` allows it too). Integral floats that fit become integers.
fn integral_numbers(v: &mut Value) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct F {
        name: String,
        version: i64,
        #[serde(default)]
        tags: Option<String>,
    }

    fn field_of(r: &Rejection) -> &str {
        &r.details[0].field
    }

    #[test]
    fn good_forms_decode_with_plus_and_percent() {
        let p = pairs(b"name=%E5%8D%95%E4%BD%8D+A&version=3&&x", Source::Form).unwrap();
        assert_eq!(
            p,
            [
                ("name".to_owned(), "单位 A".to_owned()),
                ("version".to_owned(), "3".to_owned()),
                ("x".to_owned(), String::new())
            ]
        );
        let f: F = urlencoded(b"name=a%26b&version=2", Source::Form).unwrap();
        assert_eq!((f.name.as_str(), f.version, f.tags), ("a&b", 2, None));
    }

    #[test]
    fn broken_encoding_and_bad_utf8_are_refused_naming_the_field() {
        for raw in [
            &b"name=%FF%FE&version=1"[..],
            b"name=%E5%8D&version=1",
            b"name=%G1",
            b"name=%4",
        ] {
            let r = pairs(raw, Source::Form).unwrap_err();
            assert_eq!(r.status, 400);
            assert_eq!(field_of(&r), "name", "{}", String::from_utf8_lossy(raw));
        }
        let r = pairs(b"name=\xff", Source::Query).unwrap_err();
        assert_eq!(field_of(&r), "name");
    }

    #[test]
    fn refused_characters_name_the_field() {
        let r = pairs(b"version=1&name=a%00b", Source::Form).unwrap_err();
        assert_eq!(field_of(&r), "name");
        let r = pairs(b"name=%E2%80%AEabc", Source::Form).unwrap_err();
        assert_eq!(field_of(&r), "name");
        assert!(pairs(b"text=line%0D%0Anext%09tab", Source::Form).is_ok());
    }

    #[test]
    fn an_unreadable_next_is_dropped_not_refused() {
        let p = pairs(b"next=%2Funits%00&username=a", Source::Form).unwrap();
        assert_eq!(p[0], ("next".to_owned(), String::new()));
        let p = pairs(b"next=%FF", Source::Query).unwrap();
        assert_eq!(p[0].1, "");
        let p = pairs(b"next=%2Funits", Source::Query).unwrap();
        assert_eq!(p[0].1, "/units");
    }

    #[test]
    fn a_missing_or_bad_version_has_one_answer() {
        let r = urlencoded::<F>(b"name=a", Source::Form).unwrap_err();
        assert_eq!(field_of(&r), "version");
        assert_eq!(r.details[0].message, VERSION_MISSING);
        let r = urlencoded::<F>(b"name=a&version=x", Source::Form).unwrap_err();
        assert_eq!(field_of(&r), "version");
        assert_eq!(r.details[0].message, VERSION_INVALID);
        let e = require_version(None).unwrap_err();
        assert!(e.to_string().contains(VERSION_MISSING));
    }

    #[test]
    fn json_strings_are_checked_everywhere_nested() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct J {
            items: Vec<serde_json::Value>,
        }
        let body = br#"{"items":[{"ok":"x"},{"deep":{"name":"a\u0000b"}}]}"#;
        let r = json::<J>(body).unwrap_err();
        assert_eq!(field_of(&r), "items[1].deep.name");
        let r = json::<J>(br#"{"items":[], "x\u001b":1}"#).unwrap_err();
        assert_eq!(r.status, 400);
        let r = json::<F>(br#"{"name":"a"}"#).unwrap_err();
        assert_eq!(field_of(&r), "version");
        let r = json::<F>(br#"{"name":1,"version":1}"#).unwrap_err();
        assert_eq!(field_of(&r), "name");
        let r = json::<F>(b"{").unwrap_err();
        assert!(r.message.contains("JSON"), "{}", r.message);
    }
}
