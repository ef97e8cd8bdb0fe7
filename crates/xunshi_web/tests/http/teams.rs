//! The personnel pool and the team pages and API, role by role: the candidate list flags a
//! past post in the inspected unit, an appointment with a conflict needs a reason, only the
//! office appoints, and a team role opens that one inspection.

use axum::http::{Method, StatusCode};
use serde_json::json;
use xunshi_core::inspection::{Inspection, InspectionInput, Stage};
use xunshi_core::org::{Unit, UnitInput};
use xunshi_core::permission::Actor;
use xunshi_core::personnel::{Inspector, InspectorInput, NewInspector, PastPostInput};
use xunshi_core::service::{PlanInput, RoundInput, StageChange, TermInput};
use xunshi_core::user::NewUserInput;

use crate::helpers::{Browser, PASSWORD, TestApp, TestResponse, assert_api_error};

/// The inspected unit 自治区党委宣传部 with 自治区日报社 below it, an inspection of it in
/// preparation, another inspection of 自治区党委组织部, and the pool: one clean inspector and
/// one who was deputy editor of 日报社.
struct World {
    insp: Inspection,
    other: Inspection,
    clean: Inspector,
    editor: Inspector,
}

async fn unit(app: &TestApp, name: &str, parent: Option<&Unit>) -> Unit {
    app.services
        .create_unit(
            &Actor::system(),
            &UnitInput {
                name: name.into(),
                kind: "department".into(),
                level: "provincial".into(),
                parent_id: parent.map(|p| p.id.to_string()),
            },
        )
        .await
        .expect("create a unit")
}

/// An account with no role: a cadre of the pool who logs in.
async fn plain_user(app: &TestApp, username: &str) {
    app.services
        .create_user(
            &Actor::system(),
            &NewUserInput {
                username: username.into(),
                display_name: username.into(),
                unit: None,
                password: PASSWORD.into(),
                must_change_password: false,
            },
            None,
        )
        .await
        .expect("create a user");
}

async fn world(app: &TestApp) -> World {
    let sys = Actor::system();
    let s = &app.services;
    let root = unit(app, "自治区党委", None).await;
    let xuanchuan = unit(app, "自治区党委宣传部", Some(&root)).await;
    unit(app, "自治区日报社", Some(&xuanchuan)).await;
    let zuzhi = unit(app, "自治区党委组织部", Some(&root)).await;
    let nanning = unit(app, "南宁市委", Some(&root)).await;
    let term = s
        .create_term(
            &sys,
            &TermInput {
                name: "十一届".into(),
                dispatcher: root.id.to_string(),
                starts_on: "2017-01-01".into(),
                ends_on: None,
            },
        )
        .await
        .expect("term");
    let plan = s
        .create_plan(
            &sys,
            &PlanInput {
                term_id: term.id.to_string(),
                year: 2019,
                title: "2019年巡视工作计划".into(),
                notes: String::new(),
            },
        )
        .await
        .expect("plan");
    let round = s
        .create_round(
            &sys,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 7,
                name: String::new(),
            },
        )
        .await
        .expect("round");
    let input = |team: &str, target: &Unit| InspectionInput {
        round_id: round.id.to_string(),
        team_name: team.into(),
        targets: vec![target.id.to_string()],
        kind: "routine".into(),
        ..Default::default()
    };
    let insp = s
        .create_inspection(&sys, &input("第三巡视组", &xuanchuan))
        .await
        .expect("inspection");
    let insp = s
        .change_stage(
            &sys,
            insp.id,
            &StageChange {
                version: insp.version,
                to: Stage::Preparation,
                date: None,
            },
        )
        .await
        .expect("preparation");
    let other = s
        .create_inspection(&sys, &input("第五巡视组", &zuzhi))
        .await
        .expect("another inspection");
    let person = |name: &str| NewInspector {
        fields: InspectorInput {
            name: name.into(),
            user: None,
            unit: nanning.id.to_string(),
            post: "副处长".into(),
            specialty: "财务审计".into(),
            locality: String::new(),
        },
        past_posts: Vec::new(),
        relatives: Vec::new(),
    };
    let clean = s
        .create_inspector(&sys, &person("甘霖"))
        .await
        .expect("clean inspector");
    let mut editor = person("韦立新");
    editor.past_posts.push(PastPostInput {
        unit: "自治区日报社".into(),
        post: "副总编辑".into(),
        from: "2009-03-01".into(),
        to: Some("2012-06-30".into()),
    });
    let editor = s
        .create_inspector(&sys, &editor)
        .await
        .expect("conflicted inspector");
    World {
        insp,
        other,
        clean,
        editor,
    }
}

/// Submits a form to `path` with the CSRF token of the page at `page`, where the form is.
async fn submit(b: &mut Browser, page: &str, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let token = b.csrf_token(page).await;
    b.post_form_with_token(path, Some(&token), fields).await
}

/// The part of the page that lists the candidates, so a check cannot be satisfied by the team
/// list above it.
fn candidates_section(body: &str) -> &str {
    let start = body
        .find("id=\"candidates\"")
        .unwrap_or_else(|| panic!("no candidate list: {body}"));
    &body[start..]
}

/// The table row of the candidate named `name`.
fn row_of<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!(">{name}<"))
        .unwrap_or_else(|| panic!("{name} is not listed"));
    let start = html[..at].rfind("<tr").expect("a row");
    let end = at + html[at..].find("</tr>").expect("the row ends");
    &html[start..end]
}

#[tokio::test]
async fn the_candidate_page_flags_a_past_post_in_the_inspected_unit() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    app.add_user("office", "巡视办干部", "office", None).await;
    let mut b = app.login_form("office", PASSWORD).await;
    let page = format!("/inspections/{}/team", w.insp.id);

    let r = b.get(&page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = candidates_section(&r.body);
    let editor = row_of(list, "韦立新");
    assert!(editor.contains("tag red"), "not flagged: {editor}");
    assert!(editor.contains("曾在被巡视单位任职"), "{editor}");
    assert!(
        editor.contains("2009年3月至2012年6月任自治区日报社副总编辑"),
        "{editor}"
    );
    assert!(
        editor.contains("name=\"override_reason\""),
        "no reason field for a conflicted candidate: {editor}"
    );
    let clean = row_of(list, "甘霖");
    assert!(!clean.contains("tag red"), "{clean}");
    assert!(clean.contains("无回避情形"), "{clean}");
    assert!(
        !clean.contains("name=\"override_reason\""),
        "a clean candidate needs no reason: {clean}"
    );

    // Appointing without a reason is refused, and the page says why, in the candidate's row.
    let editor_id = w.editor.id.to_string();
    let r = submit(
        &mut b,
        &page,
        &page,
        &[
            ("inspector_id", &editor_id),
            ("role", "member"),
            ("override_reason", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let row = row_of(candidates_section(&r.body), "韦立新");
    assert!(row.contains("field-error"), "{row}");
    assert!(row.contains("须填写说明理由"), "{row}");
    assert!(
        app.audit_with_action("team_member_appointed")
            .await
            .is_empty()
    );

    // With a reason it goes through, and the override is on record.
    let r = submit(
        &mut b,
        &page,
        &page,
        &[
            ("inspector_id", &editor_id),
            ("role", "deputy"),
            ("override_reason", "离开日报社已逾六年，经领导小组研究同意"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), Some(&*format!("{page}?notice=saved")));
    let overridden = app.audit_with_action("recusal_overridden").await;
    assert_eq!(overridden.len(), 1);
    assert!(overridden[0].summary.contains("经领导小组研究同意"));
    let r = b.get(&page).await;
    let (team, _) = r.body.split_once("id=\"candidates\"").unwrap();
    assert!(team.contains("韦立新") && team.contains("副组长"), "{team}");
    assert!(team.contains("任命理由：离开日报社已逾六年"), "{team}");
}

#[tokio::test]
async fn only_the_office_appoints_through_the_api() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    app.add_user("office", "巡视办干部", "office", None).await;
    app.add_user("viewer", "领导", "leadership", None).await;
    let office = app.api_token("office", PASSWORD).await;
    let viewer = app.api_token("viewer", PASSWORD).await;
    let path = format!("/api/v1/inspections/{}/team", w.insp.id);
    let appoint = |id: &Inspector, reason: Option<&str>| json!({ "inspector_id": id.id.to_string(), "role": "member", "override_reason": reason });

    let (status, body) = app
        .api(
            Method::POST,
            &path,
            Some(&viewer),
            Some(&appoint(&w.clean, None)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_api_error(&body, "forbidden");
    let (status, body) = app.api(Method::GET, &path, Some(&viewer), None).await;
    assert_eq!(status, StatusCode::OK, "the leadership reads: {body}");
    assert_eq!(
        body["items"].as_array().unwrap().len(),
        0,
        "nothing appointed"
    );

    let (status, body) = app
        .api(
            Method::POST,
            &path,
            Some(&office),
            Some(&appoint(&w.editor, None)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_api_error(&body, "rule_refused");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("副总编辑"),
        "{body}"
    );
    let (status, body) = app
        .api(
            Method::POST,
            &path,
            Some(&office),
            Some(&appoint(&w.editor, Some("经研究同意"))),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["conflicts"][0]["kind"], "past_post");
    assert_eq!(body["override_reason"], "经研究同意");

    let (status, body) = app
        .api(
            Method::GET,
            &format!("/api/v1/inspections/{}/candidates", w.insp.id),
            Some(&office),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items[0]["inspector"]["name"], "甘霖", "clean first");
    assert_eq!(items[1]["on_team"], "member");
}

#[tokio::test]
async fn a_team_member_sees_their_inspection_and_not_another() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    app.add_user("office", "巡视办干部", "office", None).await;
    plain_user(&app, "member").await;
    let office = app.api_token("office", PASSWORD).await;
    // Link the clean inspector to the member's account, then appoint them.
    let (status, x) = app
        .api(
            Method::PUT,
            &format!("/api/v1/inspectors/{}", w.clean.id),
            Some(&office),
            Some(&json!({
                "version": w.clean.version, "name": "甘霖", "user": "member",
                "unit": "南宁市委", "post": "副处长", "specialty": "财务审计",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{x}");
    let (status, m) = app
        .api(
            Method::POST,
            &format!("/api/v1/inspections/{}/team", w.insp.id),
            Some(&office),
            Some(&json!({ "inspector_id": w.clean.id.to_string(), "role": "成员" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert!(m["grant_id"].is_string(), "{m}");

    let member = app.api_token("member", PASSWORD).await;
    let (status, team) = app
        .api(
            Method::GET,
            &format!("/api/v1/inspections/{}/team", w.insp.id),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{team}");
    assert_eq!(team["items"][0]["inspector_name"], "甘霖");
    let (status, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/inspections/{}/team", w.other.id),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another team's inspection");
    let (status, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/inspections/{}/candidates", w.insp.id),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .api(Method::GET, "/api/v1/inspectors", Some(&member), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the pool is the office's");

    // Withdrawn through the API, the member loses the inspection.
    let (status, body) = app
        .api(
            Method::POST,
            &format!(
                "/api/v1/inspections/{}/team/{}/withdraw",
                w.other.id,
                m["id"].as_str().unwrap()
            ),
            Some(&office),
            Some(&json!({ "version": 1, "reason": "工作调整" })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "not that team's member: {body}"
    );
    let (status, body) = app
        .api(
            Method::POST,
            &format!(
                "/api/v1/inspections/{}/team/{}/withdraw",
                w.insp.id,
                m["id"].as_str().unwrap()
            ),
            Some(&office),
            Some(&json!({ "version": 1, "reason": "工作调整" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/inspections/{}/team", w.insp.id),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_pool_is_kept_by_the_office_through_the_pages() {
    let app = TestApp::spawn().await;
    world(&app).await;
    app.add_user("office", "巡视办干部", "office", None).await;
    app.add_user("viewer", "领导", "leadership", None).await;

    let mut viewer = app.login_form("viewer", PASSWORD).await;
    let r = viewer.get("/personnel").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("韦立新") && r.body.contains("干部人才库"));
    assert!(
        !r.body.contains("href=\"/personnel/new\""),
        "the leadership may not add people"
    );
    let r = submit(
        &mut viewer,
        "/personnel",
        "/personnel",
        &[("name", "某某"), ("unit", "南宁市委"), ("post", "科员")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let mut office = app.login_form("office", PASSWORD).await;
    let r = office.get("/").await;
    assert!(r.body.contains("href=\"/personnel\""), "no nav entry");
    // A form with mistakes comes back with the messages next to the fields.
    let r = submit(
        &mut office,
        "/personnel/new",
        "/personnel",
        &[("name", ""), ("unit", ""), ("post", "处长")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("请填写姓名"), "{}", r.body);
    assert!(r.body.contains("请选择现工作单位"), "{}", r.body);

    let r = submit(
        &mut office,
        "/personnel/new",
        "/personnel",
        &[
            ("name", "黄海"),
            ("unit", "南宁市委"),
            ("post", "处长"),
            ("specialty", "干部工作"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let record = r.location().unwrap().replace("?notice=created", "");
    // A past post in the inspected unit, added on the record's page.
    let unit = app
        .services
        .resolve_unit(&Actor::system(), "自治区党委宣传部")
        .await
        .unwrap();
    let r = submit(
        &mut office,
        &record,
        &format!("{record}/past-posts"),
        &[
            ("version", "1"),
            ("unit", &unit.id.to_string()),
            ("post", "新闻处处长"),
            ("from", "2013-01-01"),
            ("to", "2011-01-01"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("任职截止日期不能早于起始日期"),
        "{}",
        r.body
    );
    let r = submit(
        &mut office,
        &record,
        &format!("{record}/past-posts"),
        &[
            ("version", "1"),
            ("unit", &unit.id.to_string()),
            ("post", "新闻处处长"),
            ("from", "2011-01-01"),
            ("to", "2013-01-01"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = office.get(&record).await;
    assert!(r.body.contains("新闻处处长"), "{}", r.body);
    assert!(r.body.contains("第 2 版"), "{}", r.body);
    // A stale version is refused, not applied.
    let r = submit(
        &mut office,
        &record,
        &format!("{record}/relatives"),
        &[
            ("version", "1"),
            ("relation", "spouse"),
            ("name", "某"),
            ("unit", &unit.id.to_string()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("已被他人修改"), "{}", r.body);
}

/// A one-click rule toggle asks first. Without a script the form arrives without its answer
/// and is met with a page that asks the question and changes nothing; that page sends the same
/// form again, confirmed, and then the rule changes.
#[tokio::test]
async fn a_recusal_rule_toggle_is_asked_before_it_is_done() {
    let app = TestApp::spawn().await;
    app.add_user("office", "巡视办干部", "office", None).await;
    let mut b = app.login_form("office", PASSWORD).await;
    let page = b.get("/personnel/rules").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (action, fields) = first_form(&page.body, "action=\"/personnel/rules/");
    assert!(
        fields.iter().any(|(k, _)| k == "_confirm"),
        "the form carries its question: {fields:?}"
    );
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let before = page.body.matches("实行地域回避</button>").count();

    let asked = b
        .post_encoded(&action, serde_urlencoded::to_string(&pairs).unwrap())
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("请确认"), "{}", asked.body);
    assert!(
        asked.body.contains("地域回避？"),
        "the question: {}",
        asked.body
    );
    let again = b.get("/personnel/rules").await;
    assert_eq!(
        again.body.matches("实行地域回避</button>").count(),
        before,
        "nothing changed before the answer"
    );

    // The confirmation page's form: the same fields, and the answer.
    let (confirm_action, confirmed) = first_form(&asked.body, "action=\"/personnel/rules/");
    assert_eq!(confirm_action, action);
    assert!(confirmed.contains(&("_confirmed".to_owned(), "1".to_owned())));
    for f in &fields {
        assert!(confirmed.contains(f), "{f:?} is sent again");
    }
    let pairs: Vec<(&str, &str)> = confirmed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let done = b
        .post_encoded(&action, serde_urlencoded::to_string(&pairs).unwrap())
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = b.get("/personnel/rules").await;
    assert_ne!(
        after.body.matches("实行地域回避</button>").count(),
        before,
        "the rule changed once confirmed"
    );
}

/// The action and the hidden fields of the first form whose tag contains `marker`.
fn first_form(html: &str, marker: &str) -> (String, Vec<(String, String)>) {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no form {marker}: {html}"));
    let start = html[..at].rfind("<form").unwrap();
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| {
        let key = format!("{name}=\"");
        tag.find(&key).map(|i| {
            let v = &tag[i + key.len()..];
            decode_entities(&v[..v.find('"').unwrap()])
        })
    };
    let action = attr(&form[..form.find('>').unwrap()], "action").unwrap();
    let fields = form
        .split("<input")
        .skip(1)
        .filter(|i| i.contains("type=\"hidden\""))
        .filter_map(|i| {
            let tag = &i[..i.find('>').unwrap()];
            Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()))
        })
        .collect();
    (action, fields)
}

/// The escapes askama writes in attribute values.
fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map(|e| i + e).unwrap_or(rest.len());
        let code = &rest[i + 2..end];
        let n = code
            .strip_prefix('x')
            .map(|h| u32::from_str_radix(h, 16))
            .unwrap_or_else(|| code.parse());
        match n.ok().and_then(char::from_u32) {
            Some(c) => out.push(c),
            None => out.push_str(&rest[i..=end.min(rest.len() - 1)]),
        }
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[tokio::test]
async fn the_pool_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    app.services
        .create_inspector(
            &Actor::system(),
            &NewInspector {
                fields: InspectorInput {
                    name: "蓝天".into(),
                    user: None,
                    unit: w.clean.unit_id.to_string(),
                    post: "处长".into(),
                    specialty: "干部监督".into(),
                    locality: String::new(),
                },
                past_posts: Vec::new(),
                relatives: Vec::new(),
            },
        )
        .await
        .expect("a third inspector");
    app.add_user("office", "巡视办干部", "office", None).await;
    let office = app.api_token("office", PASSWORD).await;
    let names = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = async |path: &str| app.api_get(path, &office).await;
    let (status, all) = get("/api/v1/inspectors").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 3);
    assert_eq!(names(&all), ["甘霖", "韦立新", "蓝天"]);
    let (_, first) = get("/api/v1/inspectors?sort=name&limit=2").await;
    assert_eq!(names(&first), ["甘霖", "蓝天"]);
    let next = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = get(&format!(
        "/api/v1/inspectors?sort=name&limit=2&cursor={next}"
    ))
    .await;
    assert_eq!(names(&second), ["韦立新"]);
    assert!(second["prev_cursor"].is_string(), "{second}");
    let (_, by_specialty) = get("/api/v1/inspectors?sort=specialty").await;
    assert_eq!(names(&by_specialty)[0], "蓝天");
    let (_, found) = get("/api/v1/inspectors?q=%E8%93%9D").await;
    assert_eq!(
        (names(&found), found["total"].clone()),
        (vec!["蓝天".to_owned()], json!(1))
    );
    for (path, status, field) in [
        (
            "/api/v1/inspectors?sort=locality".to_owned(),
            StatusCode::BAD_REQUEST,
            "sort",
        ),
        (
            format!("/api/v1/inspectors?q={}", "x".repeat(101)),
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            format!("/api/v1/inspectors?sort=post&cursor={next}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field, "{path}");
    }

    let mut browser = app.login_form("office", PASSWORD).await;
    let page = browser.get("/personnel?sort=name&limit=2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 3 项，第 1 / 2 页"), "{}", page.body);
    let heading = crate::helpers::link_with(&page.body, "按姓名排序").unwrap();
    assert!(heading.contains("sort=-name"), "{heading}");
    let page = browser.get("/personnel?q=%E8%93%9D").await;
    assert!(page.body.contains("共 1 项"), "{}", page.body);
    let page = browser.get("/personnel?sort=locality").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("不是可用的排序"), "{}", page.body);
}
