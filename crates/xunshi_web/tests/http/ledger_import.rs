//! A unit's ledger imported over the API: a preview writes nothing, the import writes the rows
//! not in error, the same file again changes nothing, and whoever may not draft the plan, or a
//! file that is not a ledger, is refused.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_api_error, detail_fields, multipart_form};
use crate::rectify::{World, world};

/// A ledger as a unit keeps it, saved as CSV: a title row, the heading in synonyms, a problem
/// in the feedback's words and one reworded, a deadline no one can read, a totals row.
const LEDGER: &str = "宣传部巡视整改台账\n\
    序号,存在问题,具体措施,目标,整改标准,分管领导,责任处室,协同单位,具体责任人,整改时限,进展情况\n\
    1,落实党管宣传思想文化职责存在薄弱点,修订党组议事规则,问题整改到位,规则印发,李明,办公室,机关党委,王五,2020年6月底前,推进中\n\
    2,协调督察全区意识形态工作的力度还不够,开展专项督查,督查全覆盖,形成督查报告,李明,宣教处,,赵六,3个月内,\n\
    3,执行干部选拔任用有关规定不够到位,修订干部选任办法,程序规范,办法印发,李明,干部处,,孙七,六月底,\n\
    合计,,3,,,,,,,,\n";

async fn draft_plan(w: &World, token: &str) -> String {
    let (status, plan) = w
        .app
        .api_post(
            "/api/v1/rectification-plans",
            Some(token),
            json!({
                "inspection_id": w.insp.to_string(),
                "unit_id": w.unit.to_string(),
                "organisation": "成立整改工作领导小组。",
                "leading_group": [{"name": "范晓莉", "post": "部长", "role": "组长"}],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    plan["id"].as_str().unwrap().to_owned()
}

async fn import(
    w: &World,
    plan: &str,
    token: &str,
    dry_run: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let fields: Vec<(&str, &str)> = dry_run.map(|d| ("dry_run", d)).into_iter().collect();
    let (ct, body) = multipart_form(&fields, name, bytes);
    let resp = w
        .app
        .send(
            Request::post(format!("/api/v1/rectification-plans/{plan}/import"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    let body = serde_json::from_str(&resp.body).unwrap_or(Value::Null);
    (resp.status, body)
}

async fn task_count(w: &World, plan: &str, token: &str) -> usize {
    let (status, p) = w
        .app
        .api_get(&format!("/api/v1/rectification-plans/{plan}"), token)
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    p["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["problems"].as_array().unwrap())
        .map(|p| p["tasks"].as_array().unwrap().len())
        .sum()
}

#[tokio::test]
async fn a_ledger_file_is_previewed_then_imported_once() {
    let w = world().await;
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let plan = draft_plan(&w, &liaison).await;

    // Without dry_run the import is a preview.
    let (status, preview) = import(&w, &plan, &liaison, None, "台账.csv", LEDGER.as_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["dry_run"], true);
    let outcomes: Vec<_> = preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(outcomes, [(3, "create"), (4, "create"), (5, "error")]);
    assert_eq!(preview["rows"][0]["matched"]["exact"], true);
    assert_eq!(preview["rows"][1]["matched"]["exact"], false);
    assert_eq!(preview["rows"][1]["matched"]["number"], "1.2");
    assert_eq!(preview["rows"][1]["due"], "2020-06-25前");
    assert_eq!(
        preview["rows"][2]["errors"],
        json!(["第5行 完成时限（J5）“六月底”无法识别"])
    );
    assert_eq!(preview["skipped"], json!([{"line": 6, "reason": "合计行"}]));
    let notes = preview["notes"].to_string();
    assert!(notes.contains("完成情况（K列） 不导入"), "{notes}");
    assert_eq!(
        task_count(&w, &plan, &liaison).await,
        0,
        "a preview writes nothing"
    );

    let (status, done) = import(
        &w,
        &plan,
        &liaison,
        Some("false"),
        "台账.csv",
        LEDGER.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["created"].as_u64(), done["errors"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(task_count(&w, &plan, &liaison).await, 2);
    assert_eq!(w.app.audit_with_action("task_added").await.len(), 2);

    let (status, again) = import(
        &w,
        &plan,
        &liaison,
        Some("false"),
        "台账.csv",
        LEDGER.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(2))
    );
    assert_eq!(task_count(&w, &plan, &liaison).await, 2);
    assert_eq!(w.app.audit_with_action("task_added").await.len(), 2);
}

#[tokio::test]
async fn an_import_is_refused_to_others_and_for_what_is_not_a_ledger() {
    let w = world().await;
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let plan = draft_plan(&w, &liaison).await;

    let office = w.app.api_token("office1", PASSWORD).await;
    let (status, body) = import(
        &w,
        &plan,
        &office,
        Some("false"),
        "台账.csv",
        LEDGER.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, body) = import(
        &w,
        &plan,
        &liaison,
        Some("maybe"),
        "台账.csv",
        LEDGER.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(detail_fields(&body), ["dry_run"]);

    let (status, body) = import(&w, &plan, &liaison, Some("true"), "x.csv", b"a,b\n1,2\n").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(detail_fields(&body), ["file"]);
    let details = assert_api_error(&body, "rule_refused");
    assert!(
        details[0]["message"]
            .as_str()
            .unwrap()
            .contains("未找到台账表头"),
        "{body}"
    );

    let (status, body) = import(
        &w,
        &plan,
        &liaison,
        Some("true"),
        "x.xlsx",
        b"PK\x03\x04 broken",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(task_count(&w, &plan, &liaison).await, 0);
}

/// Pulls the value of a hidden input out of a page.
fn hidden(html: &str, name: &str) -> String {
    crate::helpers::input_value(html, name).unwrap_or_else(|| panic!("no {name} in {html}"))
}

#[tokio::test]
async fn the_plan_page_uploads_previews_and_confirms_an_import() {
    let w = world().await;
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let plan = draft_plan(&w, &liaison).await;
    let (cookie, csrf) = crate::helpers::session_cookie(&w.app, "xcb_liaison").await;
    let get = |path: String| {
        Request::get(path)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let page = w
        .app
        .send(get(format!("/rectification/plans/{plan}")))
        .await;
    assert!(
        page.body.contains(&format!(
            "action=\"/rectification/plans/{plan}/import\" enctype=\"multipart/form-data\""
        )),
        "the plan page offers the import"
    );
    let post = |fields: &[(&str, &str)], bytes: &[u8]| {
        let (ct, body) = multipart_form(fields, "台账.csv", bytes);
        Request::post(format!("/rectification/plans/{plan}/import"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };

    let preview = w
        .app
        .send(post(
            &[("_csrf", &csrf), ("dry_run", "true")],
            LEDGER.as_bytes(),
        ))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("预览，尚未写入"), "{}", preview.body);
    assert!(
        preview.body.contains("相似度"),
        "a similar match is shown for checking"
    );
    assert!(
        preview
            .body
            .contains("第5行 完成时限（J5）“六月底”无法识别")
    );
    assert_eq!(task_count(&w, &plan, &liaison).await, 0);
    let sha = hidden(&preview.body, "sha256");

    // Another file than the one previewed is not written.
    let other = LEDGER.replace("修订党组议事规则", "另一项措施");
    let resp = w
        .app
        .send(post(
            &[("_csrf", &csrf), ("dry_run", "false"), ("sha256", &sha)],
            other.as_bytes(),
        ))
        .await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    assert_eq!(task_count(&w, &plan, &liaison).await, 0);

    let done = w
        .app
        .send(post(
            &[("_csrf", &csrf), ("dry_run", "false"), ("sha256", &sha)],
            LEDGER.as_bytes(),
        ))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("已写入：新增 2 项"), "{}", done.body);
    assert_eq!(task_count(&w, &plan, &liaison).await, 2);
}
