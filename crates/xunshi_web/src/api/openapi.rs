//! What the edge of the API answers for every operation, added to the generated document in
//! one place so that it stays true for every handler.
//!
//! The handlers' `#[utoipa::path]` annotations describe what is theirs: the body and the
//! statuses their services answer (403 by a permission, 409 for a stale version or a clash,
//! 422 for a rule of the domain). Some answers come from the extractors every handler shares,
//! whatever the handler: 401 from the bearer token (`auth::ApiUser`), 400 from a body or query
//! that cannot be read (`ApiJson`, `ApiQuery`, `paging`), 413 from the body limit, 404 from an
//! id in the path that names nothing (`path_id`). `complete` adds those, and the constraints
//! the shared parsers enforce: ids are UUIDs, `limit` is 1 to 500, `cursor` is an id, and an
//! integer field holds what its Rust type holds, and text holds no control characters. Every
//! call that changes something takes an optional `Idempotency-Key` header.

use serde_json::{Map, Value, json};

/// The operations anyone may call without a token.
const PUBLIC: &[(&str, &str)] = &[
    ("post", "/auth/token"),
    ("get", "/public/notices"),
    ("get", "/public/notices/{id}"),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

/// Adds the edge's statuses, security and parameter constraints to every operation of `doc`
/// (the document as JSON).
pub fn complete(doc: &mut Value) {
    let bodies = request_body_schemas(doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if bodies.contains(name) {
                ids_are_uuids(schema);
                plain_text(schema);
            }
            bound_integers(schema);
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) {
                complete_operation(method, path, op);
            }
        }
    }
}

fn complete_operation(method: &str, path: &str, op: &mut Map<String, Value>) {
    let public = PUBLIC.contains(&(method, path));
    let mut has_query = false;
    let mut has_path = false;
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in params.iter_mut() {
            match p.get("in").and_then(Value::as_str) {
                Some("query") => has_query = true,
                Some("path") => has_path = true,
                _ => {}
            }
            constrain_parameter(p);
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            if let Some(schema) = operation_parameter(path, name) {
                p["schema"] = schema;
            }
        }
    }
    let has_body = op.contains_key("requestBody");
    if let Some(body) = op.get_mut("requestBody") {
        bound_integers(body);
    }
    // Every call that changes something may carry an idempotency key (`auth::api_submissions`).
    let keyed = !public && method != "get";
    if keyed {
        let params = op
            .entry("parameters")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .expect("parameters is an array");
        params.push(json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "幂等键（可选）：同一账号在 24 小时内以同一键再次调用同一接口，得到第一次调用的状态和响应体，不会再次创建记录",
            "schema": { "type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9_.:-]{1,100}$" }
        }));
    }
    if !public {
        op.insert("security".into(), json!([{ "bearer": [] }]));
    }
    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    if has_body || has_query || keyed {
        add_error(
            responses,
            "400",
            "输入有误：请求体或查询参数无法读取，或字段取值不符合要求（details 逐项说明）",
        );
    }
    if !public {
        add_error(responses, "401", "缺少访问令牌，或令牌无效、已过期、已撤销");
    }
    if has_path {
        add_error(
            responses,
            "404",
            "路径中的编号不存在，或调用者无权知道它存在",
        );
    }
    if has_body {
        add_error(responses, "413", "请求体超过大小限制");
    }
    if keyed {
        add_error(
            responses,
            "409",
            "版本已过期或与现有记录冲突；或以同一幂等键的第一次调用尚未得到响应",
        );
    }
}

fn add_error(responses: &mut Map<String, Value>, status: &str, description: &str) {
    let entry = responses.entry(status).or_insert_with(|| json!({}));
    if let Some(r) = entry.as_object_mut() {
        r.entry("description").or_insert_with(|| description.into());
        r.entry("content").or_insert_with(|| {
            json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } })
        });
    }
}

/// Parameters whose values depend on the operation though their query struct is shared.
fn operation_parameter(path: &str, name: &str) -> Option<Value> {
    use xunshi_core::disclosure::DocKind;
    let codes = |kinds: &[DocKind]| kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>();
    match (path, name) {
        ("/rectification-reports", "kind") => {
            Some(json!({ "type": "string", "enum": codes(DocKind::REPORTS) }))
        }
        ("/public-notices", "kind") => {
            Some(json!({ "type": "string", "enum": codes(&[DocKind::PublicNotice]) }))
        }
        // `from` and `to` of the audit trail: an instant, or a date read in China time.
        ("/audit", "from" | "to") => Some(json!({ "anyOf": [
            { "type": "string", "format": "date" },
            { "type": "string", "format": "date-time" },
        ] })),
        _ => None,
    }
}

/// The constraints the shared parsers put on parameters, by their names.
fn constrain_parameter(p: &mut Value) {
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
        return;
    };
    let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
    match name.as_str() {
        // `page::PageRequest::parse`.
        "limit" => {
            schema.insert("minimum".into(), json!(1));
            schema.insert("maximum".into(), json!(xunshi_core::page::MAX_LIMIT));
        }
        "cursor" if is_string => {
            schema.insert("format".into(), json!("uuid"));
        }
        // `path_id` and the filters' id parsers: ids are UUIDs (v7).
        n if is_string && (n == "id" || n.ends_with("_id")) => {
            schema.entry("format").or_insert_with(|| json!("uuid"));
        }
        _ => {}
    }
    bound_integers(p);
}

/// Gives every integer whose format names its width the range of that width, so that no
/// client sends a number the server's Rust type cannot hold (which it refuses as bad input).
fn bound_integers(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let is_integer = match o.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
                _ => false,
            };
            if is_integer {
                let (lo, hi): (i64, i64) = match o.get("format").and_then(Value::as_str) {
                    Some("int32") => (i32::MIN.into(), i32::MAX.into()),
                    Some("uint32") => (0, u32::MAX.into()),
                    Some("int16") => (i16::MIN.into(), i16::MAX.into()),
                    Some("uint16") => (0, u16::MAX.into()),
                    Some("int8") => (i8::MIN.into(), i8::MAX.into()),
                    Some("uint8") => (0, u8::MAX.into()),
                    // JSON numbers past 2^53 lose precision in many clients; the server's
                    // versions and counts never come near.
                    _ => (1 - (1i64 << 53), (1i64 << 53) - 1),
                };
                o.entry("minimum").or_insert_with(|| json!(lo));
                o.entry("maximum").or_insert_with(|| json!(hi));
            }
            for (_, child) in o.iter_mut() {
                bound_integers(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

/// The names of the component schemas that request bodies refer to.
fn request_body_schemas(doc: &Value) -> Vec<String> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(Value::as_str)
                    && let Some(name) = r.strip_prefix("#/components/schemas/")
                {
                    out.push(name.to_owned());
                }
                o.values().for_each(|c| refs(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for method in METHODS {
                if let Some(body) = item.get(*method).and_then(|op| op.get("requestBody")) {
                    refs(body, &mut out);
                }
            }
        }
    }
    out
}

/// In a request body, a field named `…_id` holds an id and `…_ids` a list of them: the
/// services parse them as UUIDs and refuse anything else as bad input.
fn ids_are_uuids(schema: &mut Value) {
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, prop) in props.iter_mut() {
        let target = if name.ends_with("_ids") {
            prop.get_mut("items")
        } else if name == "id" || name.ends_with("_id") {
            Some(prop)
        } else {
            None
        };
        if let Some(Value::Object(p)) = target {
            let is_string = match p.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                _ => false,
            };
            if is_string {
                p.entry("format").or_insert_with(|| json!("uuid"));
            }
        }
    }
}

/// Characters no text field takes: control characters other than tab and line breaks
/// (U+0000 above all, which PostgreSQL cannot store) and the bidirectional overrides that
/// make text display other than it reads. As a regular-expression class body.
const REFUSED: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069";

/// Free text in a request body is plain text; a field that must not be blank (`pattern: \S`
/// in its annotation) holds at least one visible character.
fn plain_text(schema: &mut Value) {
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for prop in props.values_mut() {
        let Some(p) = prop.as_object_mut() else {
            continue;
        };
        let is_string = match p.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        if !is_string || p.contains_key("format") || p.contains_key("enum") {
            continue;
        }
        let pattern = match p.get("pattern").and_then(Value::as_str) {
            None => format!("^[^{REFUSED}]*$"),
            Some(r"\S") => format!("^[^{REFUSED}]*[^\\s{REFUSED}][^{REFUSED}]*$"),
            Some(_) => continue,
        };
        p.insert("pattern".into(), json!(pattern));
    }
}
