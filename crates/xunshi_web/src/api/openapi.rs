//! What the edge of the API answers for every operation, added to the generated document in
//! one place so that it stays true for every handler.
//!
//! The handlers' `#[utoipa::path]` annotations describe what is theirs: the body and the
//! statuses their services answer (403 by a permission, 409 for a stale version or a clash,
//! 422 for a rule of the domain). Some answers come from the extractors every handler shares,
//! whatever the handler: 401 from the bearer token (`auth::ApiUser`), 400 from a body or query
//! that cannot be read (`ApiJson`, `ApiQuery`, `paging`), 413 from the body limit, 404 from an
//! id in the path that names nothing (`path_id`). `complete` adds those, and the constraints
//! the shared parsers enforce: ids are UUIDs, `limit` is 1 to 500, `cursor` is an id (the opaque
//! keyset of a sorted list), and an
//! integer field holds what its Rust type holds, and text holds no control characters. Every
//! call that changes something takes an optional `Idempotency-Key` header.

use serde_json::{Map, Value, json};

/// The operations anyone may call without a token.
const PUBLIC: &[(&str, &str)] = &[
    ("post", "/auth/token"),
    ("get", "/public/notices"),
    ("get", "/public/notices/{id}"),
    ("get", "/public/announcements"),
    ("post", "/public/submissions"),
    ("post", "/public/submissions/status"),
    ("post", "/public/submissions/follow-up"),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

/// Adds the edge's statuses, security and parameter constraints to every operation of `doc`
/// (the document as JSON).
pub fn complete(doc: &mut Value) {
    flatten_all_of(doc);
    let bodies = request_body_schemas(doc);
    let parts = all_of_parts(doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if bodies.contains(name) {
                ids_are_uuids(schema);
                plain_text(schema, !parts.contains(name));
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
        let sorted = params
            .iter()
            .any(|p| p.get("name").and_then(Value::as_str) == Some("sort"));
        for p in params.iter_mut() {
            match p.get("in").and_then(Value::as_str) {
                Some("query") => has_query = true,
                Some("path") => has_path = true,
                _ => {}
            }
            constrain_parameter(p, sorted);
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let name = name.as_str();
            if let Some(schema) = operation_parameter(path, name) {
                p["schema"] = schema;
            }
            // Required though their parsers read them as options: there is nothing to search
            // for without words, and a heading's problems are of one round and one heading.
            if (path, name) == ("/search", "q")
                || (path == "/patterns/problems" && matches!(name, "round_id" | "category_id"))
            {
                p["required"] = json!(true);
            }
        }
    }
    let has_body = op.contains_key("requestBody");
    if let Some(body) = op.get_mut("requestBody") {
        bound_integers(body);
        if let Some(Value::Object(content)) = body.get_mut("content") {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    ids_are_uuids(schema);
                    plain_text(schema, true);
                }
            }
        }
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
    if has_body || has_query || has_path || keyed {
        add_error(
            responses,
            "400",
            "输入有误：请求体、查询参数或地址中的参数无法读取，含有不允许的字符，\
             或字段取值不符合要求（details 逐项说明）",
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
        add_error(
            responses,
            "422",
            "请求格式无误，但不能接受：所引用的记录不存在，日期先后不符或已过，\
             某一决定所要求的字段缺少，或当前状态不允许此操作（details 逐项说明）",
        );
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
        // The search's filters as `FullTextQuery::request` reads them.
        ("/search", "q") => Some(json!({
            "type": "string", "minLength": 1,
            "maxLength": xunshi_core::service::SEARCH_TEXT_MAX,
            "pattern": plain_pattern(true),
        })),
        ("/search", "kind") => {
            let one = format!(
                "({})",
                xunshi_core::search::DocKind::ALL
                    .map(|k| k.code())
                    .join("|")
            );
            Some(json!({ "type": "string", "pattern": format!("^({one}(,{one})*)?$") }))
        }
        ("/search", "year") => Some(json!({ "type": "integer", "minimum": 1949, "maximum": 2100 })),
        ("/search", "limit") => Some(json!({
            "type": "integer", "minimum": 1,
            "maximum": xunshi_core::service::SEARCH_LIMIT_MAX,
        })),
        // How far into the ranking the page before went.
        ("/search", "cursor") => Some(json!({ "type": "string", "pattern": "^[0-9]{1,9}$" })),
        // The reports of recurring problems are numbered lists, paged by offset
        // (`page::OffsetRequest`, `service::pattern_page`).
        (
            "/patterns/rounds/{id}/clusters"
            | "/patterns/terms/{id}/clusters"
            | "/patterns/clusters/{id}"
            | "/patterns/recurrences"
            | "/patterns/problems",
            "cursor",
        ) => Some(json!({ "type": "string", "pattern": "^[0-9]{1,9}$" })),
        (
            "/patterns/rounds/{id}/clusters"
            | "/patterns/terms/{id}/clusters"
            | "/patterns/clusters/{id}"
            | "/patterns/recurrences"
            | "/patterns/problems",
            "limit",
        ) => Some(json!({
            "type": "integer", "minimum": 1,
            "maximum": xunshi_core::service::PATTERN_PAGE_MAX,
        })),
        // `from` and `to` of the audit trail: an instant, or a date read in China time.
        ("/audit", "from" | "to") => Some(json!({ "anyOf": [
            { "type": "string", "format": "date" },
            { "type": "string", "format": "date-time" },
        ] })),
        _ => None,
    }
}

/// The constraints the shared parsers put on parameters, by their names. `sorted`: the list
/// takes a `sort`, and its cursor is the keyset one (`page::Keyset`), not an id.
fn constrain_parameter(p: &mut Value, sorted: bool) {
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
        return;
    };
    let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
    let mut keyset = false;
    match name.as_str() {
        // `page::PageRequest::parse`.
        "limit" => {
            schema.insert("minimum".into(), json!(1));
            schema.insert("maximum".into(), json!(xunshi_core::page::MAX_LIMIT));
        }
        // A list by id alone continues after the id of its last row (`page::PageRequest`).
        "cursor" if is_string && !sorted => {
            schema.insert("format".into(), json!("uuid"));
        }
        // A sorted list's cursor names its order and the row it starts next to; only one
        // the list gave, under the same order, is read (422 otherwise).
        "cursor" if is_string => keyset = true,
        // `path_id` and the filters' id parsers: ids are UUIDs (v7).
        n if is_string && (n == "id" || n.ends_with("_id")) => {
            schema.entry("format").or_insert_with(|| json!("uuid"));
        }
        _ => {}
    }
    // `extract::Query` and `extract::Path` check every value by the character rule.
    plain_string(schema);
    bound_integers(p);
    if keyset && let Some(o) = p.as_object_mut() {
        o.insert("description".into(), json!(KEYSET_CURSOR));
    }
}

const KEYSET_CURSOR: &str = "The `next_cursor` or `prev_cursor` of a page of this list, \
    under the same `sort`; opaque. A cursor of another order, or one the list did not give, \
    is refused (422).";

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

/// The names of the component schemas that request bodies refer to, directly or through
/// other schemas.
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
    // And the schemas those refer to, at any depth.
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut i = 0;
    while i < out.len() {
        if let Some(schema) = schemas.and_then(|s| s.get(&out[i])) {
            let mut more = Vec::new();
            refs(schema, &mut more);
            for name in more {
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        i += 1;
    }
    out
}

/// In a request body, a field named `…_id` holds an id and `…_ids` a list of them: the
/// services parse them as UUIDs and refuse anything else as bad input.
/// At any depth: in the parts of an `allOf` (a struct flattened into another), in nested
/// objects and in the items of lists.
fn ids_are_uuids(schema: &mut Value) {
    let Some(o) = schema.as_object_mut() else {
        return;
    };
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = o.get_mut(key) {
            parts.iter_mut().for_each(ids_are_uuids);
        }
    }
    if let Some(items) = o.get_mut("items") {
        ids_are_uuids(items);
    }
    let Some(props) = o.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, prop) in props.iter_mut() {
        ids_are_uuids(prop);
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

/// Characters no text takes (`xunshi_core::text`): control characters other than tab and line
/// breaks — C0, DEL and C1, U+0000 above all, which PostgreSQL cannot store — and the
/// bidirectional overrides that make text display other than it reads. As a
/// regular-expression class body.
const REFUSED: &str =
    r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069";

/// A string schema that `plain_text` leaves alone: one whose values are spelled by a format,
/// a list or a pattern of their own.
fn is_free_text(p: &Map<String, Value>) -> bool {
    let is_string = match p.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    is_string
        && !p.contains_key("format")
        && !p.contains_key("enum")
        && !p.contains_key("const")
        && p.get("pattern").is_none_or(|r| r == r"\S")
}

/// The pattern of plain text; `non_blank` when it must hold a visible character (`pattern: \S`
/// in its annotation).
fn plain_pattern(non_blank: bool) -> String {
    if non_blank {
        format!("^[^{REFUSED}]*[^\\s{REFUSED}][^{REFUSED}]*$")
    } else {
        format!("^[^{REFUSED}]*$")
    }
}

/// Gives a free-text string schema the character rule.
fn plain_string(p: &mut Map<String, Value>) {
    if is_free_text(p) {
        let non_blank = p.get("pattern").is_some();
        p.insert("pattern".into(), json!(plain_pattern(non_blank)));
    }
}

/// Free text in a request body is plain text, at any depth: in the fields, in the items of a
/// list, in nested objects. The edge checks every string of a body, the names of its fields
/// too (`decode::check_json`), and ignores fields it does not know: those are described as
/// plain names with plain values.
///
/// `closed` is false for the parts of an `allOf` (a struct with another flattened into it),
/// where the fields of one part are unknown to the other.
fn plain_text(schema: &mut Value, closed: bool) {
    match schema {
        Value::Object(o) => {
            plain_string(o);
            let is_object =
                o.contains_key("properties") || o.get("type").is_some_and(|t| t == "object");
            if is_object {
                o.entry("propertyNames")
                    .or_insert_with(|| json!({ "pattern": plain_pattern(false) }));
            }
            if is_object && closed {
                o.entry("additionalProperties").or_insert_with(|| {
                    json!({ "anyOf": [
                        { "type": ["null", "boolean", "number"] },
                        { "type": "string", "pattern": plain_pattern(false) },
                    ] })
                });
            }
            if let Some(Value::Object(props)) = o.get_mut("properties") {
                props.values_mut().for_each(|p| plain_text(p, true));
            }
            for key in ["items", "additionalProperties"] {
                if let Some(child) = o.get_mut(key) {
                    plain_text(child, true);
                }
            }
            for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
                let closed = key != "allOf";
                if let Some(Value::Array(cs)) = o.get_mut(key) {
                    cs.iter_mut().for_each(|c| plain_text(c, closed));
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| plain_text(c, closed)),
        _ => {}
    }
}

/// Writes a struct with another flattened into it (`allOf` of objects) as the one object it
/// is, so that what is said of the fields it does not have (`additionalProperties`) sees all
/// of its fields.
fn flatten_all_of(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return;
    };
    fn merged(schema: &Value, schemas: &Map<String, Value>, depth: u8) -> Option<Value> {
        if depth > 8 {
            return None;
        }
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            return merged(schemas.get(name)?, schemas, depth + 1);
        }
        let o = schema.as_object()?;
        let Some(parts) = o.get("allOf").and_then(Value::as_array) else {
            return o.contains_key("properties").then(|| schema.clone());
        };
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        for part in parts {
            let part = merged(part, schemas, depth + 1)?;
            if let Some(ps) = part.get("properties").and_then(Value::as_object) {
                properties.extend(ps.clone());
            }
            if let Some(rs) = part.get("required").and_then(Value::as_array) {
                required.extend(
                    rs.iter()
                        .filter(|r| !required.contains(r))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
        }
        let mut out = json!({ "type": "object", "properties": properties, "required": required });
        if let Some(d) = o.get("description") {
            out["description"] = d.clone();
        }
        Some(out)
    }
    let Some(target) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, schema) in &schemas {
        if schema.get("allOf").is_some()
            && let Some(flat) = merged(schema, &schemas, 0)
        {
            target.insert(name.clone(), flat);
        }
    }
}

/// The component schemas that are parts of an `allOf` somewhere: open, see `plain_text`.
fn all_of_parts(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, in_all_of: bool, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if in_all_of
                    && let Some(name) = o
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(name.to_owned());
                }
                for (k, c) in o {
                    walk(c, k == "allOf", out);
                }
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, in_all_of, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, false, &mut out);
    out
}
