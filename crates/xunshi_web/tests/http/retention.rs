//! 档案保管与销毁 over the page and the API: the periods set, what is past them listed, a
//! disposal asked for by one office user on the page and refused to the same user on the API,
//! approved by a second on the page, and the package's catalogue of disposals.

use std::io::Read;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use xunshi_core::Id;
use xunshi_core::fieldwork::FieldRecordInput;
use xunshi_core::inspection::Stage;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::TeamRole;
use xunshi_core::store::{PlanningRead, PlanningWrite, Store, WriteTx};

use crate::helpers::{PASSWORD, TestApp, detail_fields, raw};

const TARGET: &str = "自治区林业和草原局";

/// An inspection of 自治区林业和草原局 that held one forum, archived on 2019-12-20, and two
/// office users.
async fn archived_with_a_forum() -> (TestApp, Id, tempfile::TempDir) {
    let files = tempfile::tempdir().expect("a folder for files");
    let root = files.path().to_owned();
    let app = TestApp::spawn_with(move |s| {
        s.blobs = Some(std::sync::Arc::new(xunshi_store::LocalBlobs::new(root)))
    })
    .await;
    let sys = Actor::system();
    let s = &app.services;
    let committee = app.add_unit_under("自治区党委", None, "committee").await;
    app.add_unit_under(TARGET, Some(committee.id), "department")
        .await;
    let insp = app
        .prepared_inspection("自治区党委", TARGET, "自治区党委第五巡视组")
        .await;
    app.appoint_team(
        insp,
        "自治区党委",
        &[
            ("zhaoyan", "赵岩", TeamRole::Leader),
            ("qianli", "钱立", TeamRole::Member),
        ],
    )
    .await;
    app.move_inspection(insp, Stage::OnSite, Some("2019-09-18"))
        .await;
    s.add_field_record(
        &sys,
        insp,
        &FieldRecordInput {
            method: "forum".into(),
            held_on: "2019-09-25".into(),
            participants: "处级干部".into(),
            summary: "座谈了解选人用人情况".into(),
            ..Default::default()
        },
    )
    .await
    .expect("a forum's record");
    app.move_inspection(insp, Stage::Reporting, Some("2019-10-20"))
        .await;
    // Feedback is given through the report's chain, which this case leaves out.
    {
        let mut tx = s.store.write().await.expect("write");
        let mut i = tx.get_inspection(insp).await.unwrap().unwrap();
        i.stage = Stage::FeedbackGiven;
        i.version += 1;
        tx.update_inspection(&i).await.unwrap();
        tx.commit().await.unwrap();
    }
    app.move_inspection(insp, Stage::Rectification, None).await;
    app.move_inspection(insp, Stage::Archived, Some("2019-12-20"))
        .await;
    app.add_user("office1", "巡视办干部甲", "office", None)
        .await;
    app.add_user("office2", "巡视办干部乙", "office", None)
        .await;
    (app, insp, files)
}

/// Sets the forum records' period to five years through the API, on the rule's first version.
async fn five_years(app: &TestApp, token: &str) -> (StatusCode, serde_json::Value) {
    app.api_put(
        "/api/v1/retention/rules/field_record",
        token,
        json!({ "years": "5", "version": 1 }),
    )
    .await
}

#[tokio::test]
async fn a_disposal_is_asked_for_by_one_office_user_and_carried_out_by_another() {
    let (app, insp, _files) = archived_with_a_forum().await;
    let one = app.api_token("office1", PASSWORD).await;
    let two = app.api_token("office2", PASSWORD).await;

    // Ten years from 2020 have not run today; the office sets five, as the API reads it.
    let (status, due) = app.api_get("/api/v1/retention/due", &one).await;
    assert_eq!(status, StatusCode::OK, "{due}");
    assert_eq!(due["items"], json!([]));
    let (status, body) = app
        .api_put(
            "/api/v1/retention/rules/field_record",
            &one,
            json!({ "years": "五年", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(detail_fields(&body), vec!["years"]);
    let (status, rule) = five_years(&app, &one).await;
    assert_eq!(status, StatusCode::OK, "{rule}");
    assert_eq!(
        (rule["years"].clone(), rule["version"].clone()),
        (json!(5), json!(2))
    );
    let (status, _) = five_years(&app, &one).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, due) = app.api_get("/api/v1/retention/due", &one).await;
    assert_eq!(due["items"][0]["inspection_id"], json!(insp.to_string()));
    assert_eq!(due["items"][0]["archived_on"], json!("2019-12-20"));
    assert_eq!(due["items"][0]["kinds"][0]["kind"], json!("field_record"));
    assert_eq!(
        due["items"][0]["kinds"][0]["expired_on"],
        json!("2025-01-01")
    );

    // The team does not see the page; the office does, with the forum's record past its period.
    let mut member = app.login_form("qianli", PASSWORD).await;
    assert_eq!(
        member.get("/archive/retention").await.status,
        StatusCode::FORBIDDEN
    );
    let mut b1 = app.login_form("office1", PASSWORD).await;
    let page = b1.get("/archive/retention").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("其他方式了解情况记录 1件，2025-01-01期满"),
        "{}",
        page.body
    );

    // Asked for on the page without a reason: refused on the page, nothing kept.
    let token = b1.csrf_token("/archive/retention").await;
    let insp_text = insp.to_string();
    let fields = [
        ("inspection_id", insp_text.as_str()),
        ("kind", "field_record"),
        ("reason", ""),
    ];
    let refused = b1
        .post_form_with_token("/archive/disposals", Some(&token), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("请写明销毁依据"), "{}", refused.body);
    let token = b1.csrf_token("/archive/retention").await;
    let fields = [
        ("inspection_id", insp_text.as_str()),
        ("kind", "field_record"),
        ("reason", "保管期满，经鉴定无继续保存价值"),
    ];
    b1.post_form_with_token("/archive/disposals", Some(&token), &fields)
        .await
        .assert_redirect_to("/archive/retention?notice=disposal_proposed");
    let page = b1.get("/archive/retention").await;
    assert!(
        page.body.contains("须由另一名办公室人员决定"),
        "{}",
        page.body
    );

    // The one who asked cannot decide, whichever door they use.
    let (_, waiting) = app.api_get("/api/v1/disposals?status=proposed", &two).await;
    let id = waiting["items"][0]["id"].as_str().unwrap().to_owned();
    // It waits in the second office user's to-do, linked to its row, and not in the
    // proposer's.
    let disposals_waiting = |todo: &serde_json::Value| -> Vec<serde_json::Value> {
        todo["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "disposal_decide")
            .cloned()
            .collect()
    };
    let (status, todo) = app.api_get("/api/v1/todo", &two).await;
    assert_eq!(status, StatusCode::OK, "{todo}");
    let items = disposals_waiting(&todo);
    assert_eq!(items.len(), 1, "{todo}");
    assert_eq!(items[0]["object_id"], json!(id));
    assert_eq!(
        items[0]["link"],
        json!(format!("/archive/retention#disposal-{id}"))
    );
    assert!(
        todo["counts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "disposal_decide" && c["total"] == 1),
        "{todo}"
    );
    let (_, mine) = app.api_get("/api/v1/todo", &one).await;
    assert!(disposals_waiting(&mine).is_empty(), "{mine}");
    let (status, body) = app
        .api_post(
            &format!("/api/v1/disposals/{id}/decision"),
            Some(&one),
            json!({ "decision": "approve", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The second office user approves on the page: the record goes, its hash kept.
    let mut b2 = app.login_form("office2", PASSWORD).await;
    let token = b2.csrf_token("/archive/retention").await;
    b2.post_form_with_token(
        &format!("/archive/disposals/{id}/decision"),
        Some(&token),
        &[("decision", "approve"), ("note", "同意"), ("version", "1")],
    )
    .await
    .assert_redirect_to("/archive/retention?notice=disposal_done");
    let (status, done) = app.api_get(&format!("/api/v1/disposals/{id}"), &one).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["status"], json!("done"));
    // Decided, it leaves the to-do.
    let (_, todo) = app.api_get("/api/v1/todo", &two).await;
    assert!(disposals_waiting(&todo).is_empty(), "{todo}");
    assert_eq!(done["decided_by_name"], json!("巡视办干部乙"));
    let gone = done["gone"].as_array().unwrap();
    assert!(
        gone.iter()
            .any(|g| g["table"] == json!("field_records")
                && g["digest"].as_str().unwrap().len() == 64),
        "{done}"
    );
    let team = app.api_token("qianli", PASSWORD).await;
    let (status, records) = app
        .api_get(&format!("/api/v1/inspections/{insp}/field-records"), &team)
        .await;
    assert_eq!(status, StatusCode::OK, "{records}");
    assert_eq!(records["items"], json!([]));
    assert_eq!(app.audit_with_action("disposal_carried_out").await.len(), 1);

    // The archive package carries the catalogue of what was disposed of.
    let req = Request::get(format!("/api/v1/inspections/{insp}/archive-package"))
        .header(header::AUTHORIZATION, format!("Bearer {one}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, bytes) = raw(&app, req).await;
    assert_eq!(status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name("13-销毁清册/销毁清册.json")
        .expect("the catalogue of disposals")
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.contains(&id), "{text}");

    // The inspection's page offers the same package, sent from the file it was written to.
    let (status, headers, file) = b1
        .get_file(&format!("/inspections/{insp}/archive-package"))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&file));
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(file)).expect("a zip");
    assert!(zip.by_name("13-销毁清册/销毁清册.json").is_ok());
    assert!(zip.by_name("manifest-sha256.txt").is_ok());
}

#[tokio::test]
async fn one_record_is_chosen_on_its_kinds_page_and_proposed_alone() {
    let (app, insp, _files) = archived_with_a_forum().await;
    let one = app.api_token("office1", PASSWORD).await;
    let (status, _) = five_years(&app, &one).await;
    assert_eq!(status, StatusCode::OK);

    // The API lists the kind's records by id and title; a kind that is none is refused.
    let records = format!("/api/v1/retention/due/{insp}/field_record");
    let (status, listed) = app.api_get(&records, &one).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["total"], json!(1), "{listed}");
    assert_eq!(
        listed["items"][0]["title"],
        json!("2019-09-25 座谈了解选人用人情况")
    );
    let record = listed["items"][0]["id"].as_str().expect("an id").to_owned();
    let (status, body) = app
        .api_get(&format!("/api/v1/retention/due/{insp}/report"), &one)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // The page leads from the kind past its period to its records, each with its own form.
    let mut b1 = app.login_form("office1", PASSWORD).await;
    let page = b1.get("/archive/retention").await;
    let kinds_page = format!("/archive/retention/{insp}/field_record");
    assert!(
        page.body.contains(&format!("href=\"{kinds_page}\"")),
        "{}",
        page.body
    );
    let page = b1.get(&kinds_page).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("座谈了解选人用人情况"), "{}", page.body);
    assert!(
        page.body.contains(&format!("value=\"{record}\"")),
        "{}",
        page.body
    );
    let token = b1.csrf_token(&kinds_page).await;
    let insp_text = insp.to_string();
    let fields = [
        ("inspection_id", insp_text.as_str()),
        ("kind", "field_record"),
        ("record_id", record.as_str()),
        ("reason", "保管期满，经鉴定无继续保存价值"),
    ];
    b1.post_form_with_token("/archive/disposals", Some(&token), &fields)
        .await
        .assert_redirect_to("/archive/retention?notice=disposal_proposed");
    let page = b1.get("/archive/retention").await;
    assert!(
        page.body
            .contains("其他方式了解情况记录“2019-09-25 座谈了解选人用人情况”"),
        "{}",
        page.body
    );
    let (_, waiting) = app.api_get("/api/v1/disposals?status=proposed", &one).await;
    assert_eq!(waiting["items"][0]["record_id"], json!(record), "{waiting}");
    assert_eq!(waiting["items"][0]["records"], json!(1), "{waiting}");

    // A team member is refused the kind's page.
    let mut member = app.login_form("qianli", PASSWORD).await;
    assert_eq!(member.get(&kinds_page).await.status, StatusCode::FORBIDDEN);
}
