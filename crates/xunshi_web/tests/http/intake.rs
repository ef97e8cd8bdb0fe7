//! Fieldwork through the API: the public's letters by receipt code, the writer's identity
//! sealed at rest and revealed only by a letter handler with a reason, talks that need two
//! inspectors, and the unit's liaison who answers its document request and sees nothing else.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use xunshi_core::Id;
use xunshi_core::inspection::Stage;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::TeamRole;

use crate::helpers::{PASSWORD, TestApp, assert_api_error, detail_fields};

/// A writer's name that must never be found in plain text at rest.
const WRITER: &str = "甄实名";

struct World {
    insp: Id,
    /// Pool ids of the leader and the two members.
    leader: Id,
    member: Id,
    other: Id,
    unit: Id,
}

/// An inspection on site with a leader and two members who have accounts, an announcement
/// open today, the office, and the inspected unit's liaison.
async fn world(app: &TestApp) -> World {
    let sys = Actor::system();
    let s = &app.services;
    let unit = app.add_unit("自治区文化和旅游厅").await;
    s.create_unit(
        &sys,
        &xunshi_core::org::UnitInput {
            name: "自治区党委".into(),
            kind: "committee".into(),
            level: "provincial".into(),
            parent_id: None,
        },
    )
    .await
    .unwrap();
    let insp = app
        .prepared_inspection("自治区党委", &unit.name, "自治区党委第二巡视组")
        .await;
    let pool = app
        .appoint_team(
            insp,
            "自治区党委",
            &[
                ("zuzhang", "李组长", TeamRole::Leader),
                ("zuyuan1", "王组员", TeamRole::Member),
                ("zuyuan2", "赵组员", TeamRole::Member),
            ],
        )
        .await;
    app.move_inspection(insp, Stage::OnSite, Some("2026-11-20"))
        .await;
    app.add_user("office", "巡视办", "office", None).await;
    app.add_user("liaison", "联络员", "unit_liaison", Some(&unit.name))
        .await;
    let today = xunshi_core::service::today(s.now());
    let leader = app.api_token("zuzhang", PASSWORD).await;
    let (status, body) = app
        .api_put(
            &format!("/api/v1/inspections/{insp}/announcement"),
            &leader,
            json!({
                "hotline": "0471-1234567",
                "postal_box": "呼和浩特市A123号信箱",
                "email": "xunshi2@example.cn",
                "opens_on": today.to_string(),
                "closes_on": today.saturating_add(jiff::ToSpan::days(30)).to_string(),
                "scope": "主要受理反映被巡视单位领导班子及其成员的问题。"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    World {
        insp,
        leader: pool[0],
        member: pool[1],
        other: pool[2],
        unit: unit.id,
    }
}

/// Every byte the database keeps on disk: the file and its write-ahead log.
fn database_bytes(app: &TestApp) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(app.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("xunshi.db") {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_public_writes_in_and_follows_up_by_receipt_code_with_no_account_or_cookie() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let (status, listed) = app
        .api(Method::GET, "/api/v1/public/announcements", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["team_name"], "自治区党委第二巡视组");
    assert_eq!(listed[0]["units"][0], "自治区文化和旅游厅");
    assert_eq!(listed[0]["announcement"]["hotline"], "0471-1234567");

    let resp = app
        .send(
            Request::post("/api/v1/public/submissions")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({
                        "inspection_id": w.insp,
                        "content": "反映该厅某处长在项目评审中收受评审对象礼金的问题，时间是去年年底。",
                        "name": WRITER,
                        "contact": "13900001111",
                        "about_name": "钱某",
                        "about_post": "规划处处长"
                    })
                    .to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    assert!(
        resp.headers.get(header::SET_COOKIE).is_none(),
        "the intake sets no cookie"
    );
    let receipt: Value = serde_json::from_str(&resp.body).unwrap();
    let code = receipt["receipt"].as_str().unwrap().to_owned();
    assert_eq!(code.replace('-', "").len(), 20, "100 bits: {code}");

    // The code works however it is typed, and only in a body.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, st) = app
        .api_post(
            "/api/v1/public/submissions/status",
            None,
            json!({ "receipt": typed }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{st}");
    assert_eq!(st["status"], "received");
    assert_eq!(st["team_name"], "自治区党委第二巡视组");
    assert_eq!(st["open"], true);
    let (status, st) = app
        .api_post(
            "/api/v1/public/submissions/follow-up",
            None,
            json!({ "receipt": code, "content": "补充：礼金以购物卡形式送出。" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{st}");
    assert_eq!(st["notes"][0]["from_writer"], true);
    let (status, body) = app
        .api_post(
            "/api/v1/public/submissions/status",
            None,
            json!({ "receipt": "0000-0000-0000-0000-0000" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = app
        .api_post(
            "/api/v1/public/submissions",
            None,
            json!({ "inspection_id": Id::new(), "content": "反映的问题内容足够长了吧。" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The team reads it in its register, as an online letter, without the name; its writer's
    // identity is nowhere at rest in plain text, and the audit trail keeps no address.
    let member = app.api_token("zuyuan1", PASSWORD).await;
    let (status, page) = app
        .api_get(&format!("/api/v1/inspections/{}/letters", w.insp), &member)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["channel"], "online");
    assert_eq!(page["items"][0]["from_public"], true);
    assert!(!page.to_string().contains(WRITER));
    let received = app.audit_with_action("letter_received").await;
    assert_eq!(received.len(), 1);
    assert!(received[0].ip.is_none(), "no address is kept");
    assert!(!received[0].summary.contains(WRITER));
    let at_rest = database_bytes(&app);
    assert!(!at_rest.is_empty());
    assert!(
        !contains(&at_rest, WRITER),
        "the writer's name is in the database in plain text"
    );
    assert!(!contains(&at_rest, "13900001111"));
    assert!(
        !contains(&at_rest, &code),
        "the receipt code is kept, not its hash"
    );
}

#[tokio::test]
async fn only_an_appointed_handler_reveals_a_writer_and_each_reveal_is_audited() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let member = app.api_token("zuyuan1", PASSWORD).await;
    let leader = app.api_token("zuzhang", PASSWORD).await;
    let office = app.api_token("office", PASSWORD).await;
    let today = xunshi_core::service::today(app.services.now()).to_string();
    let (status, letter) = app
        .api_post(
            &format!("/api/v1/inspections/{}/letters", w.insp),
            Some(&member),
            json!({
                "channel": "visit", "received_on": today, "writer_name": WRITER,
                "writer_contact": "13900002222", "about_name": "孙某", "about_post": "副厅长",
                "content": "来访反映孙某违规插手工程项目。", "discipline": "integrity"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{letter}");
    assert_eq!(letter["number"], 1);
    assert!(!letter.to_string().contains(WRITER));
    let id = letter["id"].as_str().unwrap().to_owned();

    // Neither the office nor a member who was not appointed may open the identity.
    let (status, _) = app.api_get(&format!("/api/v1/letters/{id}"), &office).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the register is the team's");
    let reveal = json!({ "reason": "需当面核实反映情况" });
    let (status, body) = app
        .api_post(
            &format!("/api/v1/letters/{id}/reveal"),
            Some(&member),
            reveal.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, detail) = app.api_get(&format!("/api/v1/letters/{id}"), &member).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["may_reveal"], false);

    // Only the leader appoints, and only a member of the team.
    let handlers = format!("/api/v1/inspections/{}/letter-handlers", w.insp);
    let (status, _) = app
        .api_post(
            &handlers,
            Some(&member),
            json!({ "inspector_id": w.member, "on": true }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .api_post(
            &handlers,
            Some(&leader),
            json!({ "inspector_id": Id::new(), "on": true }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .api_post(
            &handlers,
            Some(&leader),
            json!({ "inspector_id": w.member, "on": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!([w.member]));

    let (status, body) = app
        .api_post(
            &format!("/api/v1/letters/{id}/reveal"),
            Some(&member),
            json!({ "reason": " " }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a reason is required");
    assert_eq!(detail_fields(&body), ["reason"]);
    let (status, writer) = app
        .api_post(
            &format!("/api/v1/letters/{id}/reveal"),
            Some(&member),
            reveal,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{writer}");
    assert_eq!(writer, json!({ "name": WRITER, "contact": "13900002222" }));
    let revealed = app.audit_with_action("writer_revealed").await;
    assert_eq!(revealed.len(), 1);
    assert_eq!(revealed[0].object_id.as_deref(), Some(id.as_str()));
    let summary: Value = serde_json::from_str(&revealed[0].summary).unwrap();
    assert_eq!(summary["reason"], "需当面核实反映情况");
    assert!(!revealed[0].summary.contains(WRITER));
    assert!(!contains(&database_bytes(&app), WRITER));

    // Withdrawn, the handler may no longer.
    let (status, _) = app
        .api_post(
            &handlers,
            Some(&leader),
            json!({ "inspector_id": w.member, "on": false }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .api_post(
            &format!("/api/v1/letters/{id}/reveal"),
            Some(&member),
            json!({ "reason": "再次核实" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let _ = (w.leader, w.other);
}

#[tokio::test]
async fn letters_are_classified_passed_on_and_linked_to_the_one_they_repeat_on_the_version_seen() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let member = app.api_token("zuyuan2", PASSWORD).await;
    let today = xunshi_core::service::today(app.services.now()).to_string();
    let mut ids = Vec::new();
    for channel in ["letter", "call", "visit"] {
        let (status, l) = app
            .api_post(
                &format!("/api/v1/inspections/{}/letters", w.insp),
                Some(&member),
                json!({ "channel": channel, "received_on": today, "anonymous": true,
                        "content": "反映某景区门票收入去向不明。" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{l}");
        ids.push(l["id"].as_str().unwrap().to_owned());
    }
    let handling = |version: i64, extra: Value| {
        let mut b = json!({ "version": version, "scope": "passed_on", "status": "handling",
                            "discipline": "work" });
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[0]),
            &member,
            handling(1, json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(detail_fields(&body), ["passed_to"]);
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[0]),
            &member,
            handling(
                1,
                json!({ "passed_to": "自治区信访局", "passed_letter": "巡二转〔2026〕1号" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[0]),
            &member,
            handling(1, json!({ "passed_to": "自治区信访局" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version: {body}");
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[1]),
            &member,
            json!({ "version": 1, "scope": "in_scope", "status": "handling",
                    "duplicate_of": ids[1] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not itself: {body}"
    );
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[1]),
            &member,
            json!({ "version": 1, "scope": "in_scope", "status": "handling",
                    "duplicate_of": ids[0] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The team names the first letter by its number; a repeat of a repeat is linked to the
    // first letter of the matter.
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[2]),
            &member,
            json!({ "version": 1, "scope": "in_scope", "status": "handling",
                    "duplicate_of": "六号" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["error"]["details"][0]["field"], "duplicate_of",
        "{body}"
    );
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[2]),
            &member,
            json!({ "version": 1, "scope": "in_scope", "status": "handling",
                    "duplicate_of": "第 9 号" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no such number: {body}"
    );
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[2]),
            &member,
            json!({ "version": 1, "scope": "in_scope", "status": "handling",
                    "duplicate_of": "第2号" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["duplicate_of"], ids[0].as_str(), "{body}");
    let (status, detail) = app
        .api_get(&format!("/api/v1/letters/{}", ids[2]), &member)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["repeats_number"], 1, "{detail}");
    let (status, body) = app
        .api_put(
            &format!("/api/v1/letters/{}/handling", ids[0]),
            &member,
            json!({ "version": 2, "scope": "in_scope", "status": "handling",
                    "duplicate_of": "3" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the first letter cannot repeat its own repeat: {body}"
    );

    let (status, tally) = app
        .api_get(
            &format!("/api/v1/inspections/{}/letters/tally", w.insp),
            &member,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tally["total"], 1, "the repeat is not counted: {tally}");
    let of = |list: &Value, code: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == code)
            .map(|t| t["count"].as_i64().unwrap())
    };
    assert_eq!(of(&tally["by_channel"], "letter"), Some(1));
    assert_eq!(of(&tally["by_discipline"], "work"), Some(1));
    assert_eq!(of(&tally["by_scope"], "passed_on"), Some(1));
    let (status, page) = app
        .api_get(
            &format!(
                "/api/v1/inspections/{}/letters?channel=call&limit=1",
                w.insp
            ),
            &member,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["duplicate_of"], ids[0].as_str());
    let (status, body) = app
        .api_get(
            &format!("/api/v1/inspections/{}/letters?channel=fax", w.insp),
            &member,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(detail_fields(&body), ["channel"]);
}

#[tokio::test]
async fn a_talk_needs_two_inspectors_and_its_record_is_sealed_and_read_on_the_record() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let member = app.api_token("zuyuan1", PASSWORD).await;
    let today = xunshi_core::service::today(app.services.now()).to_string();
    let talks = format!("/api/v1/inspections/{}/talks", w.insp);
    let (status, entry) = app
        .api_post(
            &format!("/api/v1/inspections/{}/talk-plan", w.insp),
            Some(&member),
            json!({ "name": "周某", "post": "党组书记、厅长", "group": "leadership" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let text = "周某谈到，班子议事规则执行不够严格，个别项目未经党组会研究。";
    let talk = |inspectors: Vec<Id>| {
        json!({ "interviewee_name": "周某", "interviewee_post": "党组书记、厅长",
                "talked_on": today, "place": "巡视组谈话室", "inspector_ids": inspectors,
                "text": text, "confirmed": true, "plan_entry_id": entry["id"] })
    };
    let (status, body) = app
        .api_post(&talks, Some(&member), talk(vec![w.member]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_api_error(&body, "rule_refused");
    assert_eq!(detail_fields(&body), ["inspector_ids"]);
    let (status, body) = app
        .api_post(&talks, Some(&member), talk(vec![w.member, Id::new()]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, t) = app
        .api_post(&talks, Some(&member), talk(vec![w.member, w.other]))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    assert!(t.get("text").is_none() && t.get("text_sealed").is_none());
    assert!(!contains(&database_bytes(&app), "议事规则执行不够严格"));

    let (status, plan) = app
        .api_get(
            &format!("/api/v1/inspections/{}/talk-plan", w.insp),
            &member,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(plan["groups"][0]["planned"], 1);
    assert_eq!(plan["groups"][0]["held"], 1);
    let (status, detail) = app
        .api_get(
            &format!("/api/v1/talks/{}", t["id"].as_str().unwrap()),
            &member,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["text"], text);
    assert_eq!(detail["inspectors"], json!(["王组员", "赵组员"]));
    assert_eq!(app.audit_with_action("talk_viewed").await.len(), 1);
    assert!(
        !app.audit_with_action("talk_recorded").await[0]
            .summary
            .contains("议事规则"),
        "the audit summary holds no talk text"
    );
    let _ = w.leader;
}

#[tokio::test]
async fn the_liaison_answers_its_document_request_and_is_refused_letters_and_talks() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let member = app.api_token("zuyuan1", PASSWORD).await;
    let liaison = app.api_token("liaison", PASSWORD).await;
    let today = xunshi_core::service::today(app.services.now()).to_string();
    let (status, d) = app
        .api_post(
            &format!("/api/v1/inspections/{}/doc-requests", w.insp),
            Some(&member),
            json!({ "unit_id": w.unit, "materials": "2024年以来党组会会议记录\n“三重一大”事项决策台账",
                    "sent_on": today, "notes": "请于三个工作日内提供" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_owned();

    let (status, waiting) = app.api_get("/api/v1/doc-requests", &liaison).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    assert_eq!(waiting[0]["may_answer"], true);
    assert_eq!(waiting[0]["unit_name"], "自治区文化和旅游厅");
    let (status, list) = app
        .api_get(
            &format!("/api/v1/inspections/{}/doc-requests", w.insp),
            &liaison,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1);
    for path in [
        format!("/api/v1/inspections/{}/letters", w.insp),
        format!("/api/v1/inspections/{}/talks", w.insp),
        format!("/api/v1/inspections/{}/talk-plan", w.insp),
        format!("/api/v1/inspections/{}/field-records", w.insp),
    ] {
        let (status, _) = app.api_get(&path, &liaison).await;
        assert!(
            matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{path} answered the liaison {status}"
        );
    }
    // The team may not answer for the unit; the liaison answers once.
    let answer = json!({ "version": 1, "answer": "已提供会议记录 12 册、决策台账 1 份。",
                         "delivered_on": today });
    let (status, _) = app
        .api_post(
            &format!("/api/v1/doc-requests/{id}/answer"),
            Some(&member),
            answer.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .api_post(
            &format!("/api/v1/doc-requests/{id}/answer"),
            Some(&liaison),
            answer.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "delivered");
    let (status, _) = app
        .api_post(
            &format!("/api/v1/doc-requests/{id}/answer"),
            Some(&liaison),
            json!({ "version": 2, "answer": "再答一次", "delivered_on": today }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .api_post(
            &format!("/api/v1/doc-requests/{id}/return"),
            Some(&liaison),
            json!({ "version": 2, "returned_on": today }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .api_post(
            &format!("/api/v1/doc-requests/{id}/return"),
            Some(&member),
            json!({ "version": 2, "returned_on": today }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "returned");
    let (status, waiting) = app.api_get("/api/v1/doc-requests", &liaison).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(waiting, json!([]));
}

#[tokio::test]
async fn a_paper_cites_fieldwork_of_its_own_inspection_once() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let member = app.api_token("zuyuan1", PASSWORD).await;
    let today = xunshi_core::service::today(app.services.now()).to_string();
    let (status, r) = app
        .api_post(
            &format!("/api/v1/inspections/{}/field-records", w.insp),
            Some(&member),
            json!({ "method": "appraisal", "held_on": today, "participants": "厅机关处级以上干部",
                    "summary": "对领导班子整体评价“好”的占 82%。", "forms_out": 86, "forms_back": 84 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let (status, body) = app
        .api_post(
            &format!("/api/v1/inspections/{}/field-records", w.insp),
            Some(&member),
            json!({ "method": "appraisal", "held_on": today, "participants": "干部",
                    "summary": "测评" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(detail_fields(&body), ["forms_out"]);
    let (status, p) = app
        .api_post(
            &format!("/api/v1/inspections/{}/problems", w.insp),
            Some(&member),
            json!({ "category_id": "00000000-0000-7000-8001-000000201701",
                    "title": "民主集中制执行不到位", "facts": "测评显示……",
                    "rule_broken": "违反《中国共产党党组工作条例》。",
                    "responsibility": "党组负主体责任。", "responsibility_types": ["principal"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let sources = format!("/api/v1/problems/{}/sources", p["id"].as_str().unwrap());
    let cite = json!({ "source_kind": "field_record", "source_id": r["id"] });
    for _ in 0..2 {
        let (status, body) = app.api_post(&sources, Some(&member), cite.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body.as_array().unwrap().len(), 1, "{body}");
        assert!(body[0]["label"].as_str().unwrap().contains("民主测评"));
    }
    assert_eq!(app.audit_with_action("source_cited").await.len(), 1);
    let (status, _) = app
        .api_post(
            &sources,
            Some(&member),
            json!({ "source_kind": "talk", "source_id": Id::new() }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let office = app.api_token("office", PASSWORD).await;
    let (status, _) = app.api_get(&sources, &office).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_api_takes_a_public_letter_with_files_as_the_page_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let app = TestApp::spawn_with(move |s| {
        s.blobs = Some(std::sync::Arc::new(xunshi_store::LocalBlobs::new(root)))
    })
    .await;
    let w = world(&app).await;
    let insp = w.insp.to_string();
    let fields = [
        ("inspection_id", insp.as_str()),
        ("content", "反映某处室违规发放津贴补贴，附发放明细。"),
        ("about_name", "吴某"),
    ];
    let (ct, body) = crate::helpers::multipart_form(&fields, "明细.txt", "津贴发放明细".as_bytes());
    let resp = app
        .send(
            Request::post("/api/v1/public/submissions")
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    let member = app.api_token("zuyuan1", PASSWORD).await;
    let (_, page) = app
        .api_get(&format!("/api/v1/inspections/{}/letters", w.insp), &member)
        .await;
    let id = page["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, detail) = app.api_get(&format!("/api/v1/letters/{id}"), &member).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["letter"]["anonymous"], true);
    assert_eq!(detail["files"][0]["filename"], "明细.txt");
    let file = detail["files"][0]["id"].as_str().unwrap();
    let resp = app
        .send(
            Request::get(format!("/api/v1/fieldwork-files/{file}"))
                .header(header::AUTHORIZATION, format!("Bearer {member}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.body, "津贴发放明细");
    assert!(
        resp.headers
            .get(header::CONTENT_DISPOSITION)
            .is_some_and(|v| v.to_str().unwrap().starts_with("attachment"))
    );

    // A file of a kind not allowed is refused, naming it; nothing is registered.
    let (ct, body) = crate::helpers::multipart_form(&fields, "run.exe", b"MZ\x90\x00");
    let resp = app
        .send(
            Request::post("/api/v1/public/submissions")
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.body);
    let (_, page) = app
        .api_get(&format!("/api/v1/inspections/{}/letters", w.insp), &member)
        .await;
    assert_eq!(page["total"], 1);
    // A JSON body past the API's limit is refused however large the files may be.
    let big = json!({ "inspection_id": insp, "content": "长".repeat(200_000) });
    let (status, _) = app
        .api_post_raw("/api/v1/public/submissions", big.to_string())
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}
