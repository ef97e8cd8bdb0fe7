//! Problem clues over HTTP, role by role: the JSON API and the pages show each user only the
//! clues that are theirs, refuse the inspected unit before and after feedback, and refuse
//! changes by the leadership and by the wrong recipient.

use std::sync::Arc;

use crate::helpers::document_xml;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use xunshi_core::Id;
use xunshi_core::clue::{ClueInput, TransferInput};
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::org::UnitInput;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::service::{NewGrant, PlanInput, RoundInput, Services, TermInput};
use xunshi_core::store::{AuditFilter, PlanningRead, PlanningWrite, Store, WriteTx};
use xunshi_core::user::NewUserInput;
use xunshi_store::{Argon2Secrets, Db};
use xunshi_web::{AppState, WebConfig};

const PASSWORD: &str = "Correct-Horse-9";

/// The application on a fresh database, with the inspection, the people and five clues of
/// the contract suite's world: two sent to the discipline commission, one to the organization
/// department, one to a functional department, one still in the register.
struct App {
    router: Router,
    svc: Services<Db>,
    insp: Id,
    to_discipline: Vec<Id>,
    to_organization: Id,
    registered: Id,
    discipline_letter: Id,
    _dir: tempfile::TempDir,
}

async fn unit(svc: &Services<Db>, name: &str, kind: &str, parent: Option<Id>) -> Id {
    svc.create_unit(
        &Actor::system(),
        &UnitInput {
            name: name.into(),
            kind: kind.into(),
            level: "provincial".into(),
            parent_id: parent.map(|p| p.to_string()),
        },
    )
    .await
    .expect("create a unit")
    .id
}

async fn user(svc: &Services<Db>, name: &str, unit: Option<&str>, role: Option<&str>) -> Id {
    svc.create_user(
        &Actor::system(),
        &NewUserInput {
            username: name.into(),
            display_name: name.into(),
            unit: unit.map(str::to_owned),
            password: PASSWORD.into(),
            must_change_password: false,
        },
        role.map(|r| NewGrant {
            role: r.into(),
            scope: None,
        })
        .as_ref(),
    )
    .await
    .expect("create a user")
    .0
    .id
}

/// Team roles are granted by the teams area when a team is formed; stored directly here.
async fn team_grant(svc: &Services<Db>, user_id: Id, role: Role, insp: Id) {
    let mut tx = svc.store.write().await.expect("write");
    tx.insert_grant(&Grant {
        id: Id::new(),
        user_id,
        role,
        scope: Scope::Inspection(insp),
        granted_by: None,
        created_at: jiff::Timestamp::now(),
    })
    .await
    .expect("grant");
    tx.commit().await.expect("commit");
}

async fn as_user(svc: &Services<Db>, username: &str) -> Actor {
    let u = svc
        .find_user(&Actor::system(), username)
        .await
        .expect("find the user");
    let (user, grants) = svc.get_user(&Actor::system(), u.id).await.expect("user");
    Actor::user(user, grants, None)
}

fn clue(about: &str, kind: &str) -> ClueInput {
    ClueInput {
        about_name: about.into(),
        about_post: "副部长".into(),
        about_unit: None,
        summary: format!("反映{about}违规收受礼金"),
        source: "来信".into(),
        confidentiality: "秘密".into(),
        kind: kind.into(),
    }
}

fn letter(recipient: &str, no: &str, ids: &[Id]) -> TransferInput {
    TransferInput {
        recipient: recipient.into(),
        department: None,
        letter_no: no.into(),
        letter_text: "现将巡视中发现的问题线索移交你单位，请按规定处理并反馈。".into(),
        transferred_on: "2020-03-25".into(),
        clue_ids: ids.iter().map(Id::to_string).collect(),
    }
}

async fn app() -> App {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Db::open(&xunshi_store::sqlite_url(dir.path()), 5)
        .await
        .expect("open the database");
    let svc = Services::new(db.clone(), Arc::new(Argon2Secrets::for_tests()));
    let sys = Actor::system();
    let committee = unit(&svc, "自治区党委", "committee", None).await;
    unit(&svc, "自治区党委宣传部", "department", Some(committee)).await;
    unit(&svc, "自治区纪委监委", "department", Some(committee)).await;
    unit(&svc, "自治区党委组织部", "department", Some(committee)).await;
    unit(&svc, "区文化和旅游厅", "department", Some(committee)).await;
    let term = svc
        .create_term(
            &sys,
            &TermInput {
                name: "十一届".into(),
                dispatcher: "自治区党委".into(),
                starts_on: "2017-01-01".into(),
                ends_on: None,
            },
        )
        .await
        .expect("term");
    let plan = svc
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
    let round = svc
        .create_round(
            &sys,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 4,
                name: String::new(),
            },
        )
        .await
        .expect("round");
    let insp = svc
        .create_inspection(
            &sys,
            &InspectionInput {
                round_id: round.id.to_string(),
                team_name: "第三巡视组".into(),
                targets: vec!["自治区党委宣传部".into()],
                kind: "routine".into(),
                ..Default::default()
            },
        )
        .await
        .expect("inspection")
        .id;
    user(&svc, "office1", None, Some("office")).await;
    user(&svc, "leader1", None, Some("leadership")).await;
    user(&svc, "jiwei", Some("自治区纪委监委"), Some("discipline")).await;
    user(
        &svc,
        "zuzhibu",
        Some("自治区党委组织部"),
        Some("organization"),
    )
    .await;
    user(&svc, "wenlv", Some("区文化和旅游厅"), Some("unit_staff")).await;
    user(
        &svc,
        "xcb-head",
        Some("自治区党委宣传部"),
        Some("unit_principal"),
    )
    .await;
    let zuzhang = user(&svc, "zuzhang", None, None).await;
    team_grant(&svc, zuzhang, Role::TeamLeader, insp).await;
    let zuyuan = user(&svc, "zuyuan", None, None).await;
    team_grant(&svc, zuyuan, Role::TeamMember, insp).await;

    let member = as_user(&svc, "zuyuan").await;
    let leader = as_user(&svc, "zuzhang").await;
    let mut ids = Vec::new();
    for (about, kind) in [
        ("张某某", "领导干部问题"),
        ("李某某", "领导干部问题"),
        ("王某某", "选人用人问题"),
        ("赵某某", "其他问题"),
        ("钱某某", "领导干部问题"),
    ] {
        ids.push(
            svc.register_clue(&member, insp, &clue(about, kind))
                .await
                .expect("register")
                .id,
        );
    }
    let discipline_letter = svc
        .create_transfer(
            &leader,
            insp,
            &letter("discipline", "桂巡移〔2020〕3号", &ids[0..2]),
        )
        .await
        .expect("to the discipline commission")
        .id;
    svc.create_transfer(
        &leader,
        insp,
        &letter("organization", "桂巡移〔2020〕4号", &ids[2..3]),
    )
    .await
    .expect("to the organization department");
    svc.create_transfer(
        &leader,
        insp,
        &TransferInput {
            department: Some("区文化和旅游厅".into()),
            ..letter("department", "桂巡移〔2020〕5号", &ids[3..4])
        },
    )
    .await
    .expect("to a department");
    let router = xunshi_web::router(AppState::new(svc.clone(), db, WebConfig::default()));
    App {
        router,
        svc,
        insp,
        to_discipline: ids[0..2].to_vec(),
        to_organization: ids[2],
        registered: ids[4],
        discipline_letter,
        _dir: dir,
    }
}

/// A logged-in browser: its session cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

/// An API client: its bearer token.
struct Client(String);

impl App {
    async fn browser(&self, username: &str) -> Browser {
        let s = self
            .svc
            .login_session(username, PASSWORD, None, None)
            .await
            .expect("log in");
        Browser {
            cookie: format!("xunshi_session={}", s.token),
            csrf: s.session.csrf_token,
        }
    }

    async fn client(&self, username: &str) -> Client {
        let t = self
            .svc
            .login_token(username, PASSWORD, None, None, None)
            .await
            .expect("a token");
        Client(t.token)
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, String) {
        let resp = self.router.clone().oneshot(req).await.expect("a response");
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("the body")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn page(&self, b: &Browser, path: &str) -> (StatusCode, String) {
        self.send(
            Request::get(path)
                .header(header::COOKIE, &b.cookie)
                .body(Body::empty())
                .expect("a request"),
        )
        .await
    }

    /// Posts a form as the page would, with the session's CSRF token.
    async fn post_form(
        &self,
        b: &Browser,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut all = vec![("_csrf", b.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).expect("encode the form");
        self.send(
            Request::post(path)
                .header(header::COOKIE, &b.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("a request"),
        )
        .await
    }

    async fn api(
        &self,
        c: &Client,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", c.0));
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let (status, text) = self.send(req.body(body).expect("a request")).await;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, json)
    }

    async fn give_feedback(&self) {
        let mut tx = self.svc.store.write().await.expect("write");
        let mut i = tx
            .get_inspection(self.insp)
            .await
            .expect("read")
            .expect("the inspection");
        i.stage = Stage::FeedbackGiven;
        i.version += 1;
        tx.update_inspection(&i).await.expect("update");
        tx.commit().await.expect("commit");
    }

    async fn reads_by(&self, username: &str) -> usize {
        self.svc
            .list_audit(
                &Actor::system(),
                &AuditFilter {
                    action: Some("clue_read".into()),
                    actor_name: Some(username.into()),
                    ..Default::default()
                },
                PageRequest::first(500),
            )
            .await
            .expect("the trail")
            .items
            .len()
    }
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["about_name"].as_str().expect("about_name").to_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn the_api_lists_each_recipient_only_its_own_clues() {
    let app = app().await;
    let jiwei = app.client("jiwei").await;
    let (status, list) = app.api(&jiwei, "GET", "/clues", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&list), ["张某某", "李某某"]);
    let first = &list["items"][0];
    assert_eq!(first["transfer"]["recipient"]["kind"], "discipline");
    assert_eq!(
        first["transfer"]["due_on"], "2020-06-25",
        "three calendar months"
    );
    assert_eq!(first["may_dispose"], true);
    assert!(first["clock"].is_string());

    let zuzhibu = app.client("zuzhibu").await;
    let (_, list) = app.api(&zuzhibu, "GET", "/clues", None).await;
    assert_eq!(names(&list), ["王某某"]);
    let wenlv = app.client("wenlv").await;
    let (_, list) = app.api(&wenlv, "GET", "/clues", None).await;
    assert_eq!(names(&list), ["赵某某"]);
    let office = app.client("office1").await;
    let (_, list) = app
        .api(&office, "GET", "/clues?status=registered", None)
        .await;
    assert_eq!(names(&list), ["钱某某"]);
    let (_, list) = app
        .api(
            &office,
            "GET",
            "/clues?recipient=discipline&colour=red",
            None,
        )
        .await;
    assert_eq!(names(&list), ["张某某", "李某某"], "long overdue");
    let (status, err) = app.api(&office, "GET", "/clues?colour=purple", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["code"], "bad_input");

    let other = format!("/clues/{}", app.to_organization);
    let (status, err) = app.api(&jiwei, "GET", &other, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["error"]["code"], "not_found");
    let (status, _) = app.api(&jiwei, "GET", "/transfers", None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, transfers) = app.api(&zuzhibu, "GET", "/transfers", None).await;
    assert_eq!(transfers["items"].as_array().map(Vec::len), Some(1));
    let letter = format!("/transfers/{}", app.discipline_letter);
    let (status, _) = app.api(&zuzhibu, "GET", &letter, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app.api(&jiwei, "GET", &letter, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["letter_no"], "桂巡移〔2020〕3号");
    assert_eq!(body["clues"].as_array().map(Vec::len), Some(2));
}

/// The inspected unit's users get an empty list (they may be a functional department for
/// other inspections, so the list itself is not refused) and no clue by id, before feedback
/// and after.
#[tokio::test]
async fn the_inspected_unit_gets_no_clue_from_the_api_or_the_pages() {
    let app = app().await;
    let head = app.client("xcb-head").await;
    let browser = app.browser("xcb-head").await;
    for after_feedback in [false, true] {
        if after_feedback {
            app.give_feedback().await;
        }
        let (status, list) = app.api(&head, "GET", "/clues", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["items"], json!([]), "after feedback: {after_feedback}");
        let (_, list) = app.api(&head, "GET", "/transfers", None).await;
        assert_eq!(list["items"], json!([]));
        for id in app.to_discipline.iter().chain([&app.registered]) {
            let (status, _) = app.api(&head, "GET", &format!("/clues/{id}"), None).await;
            assert!(
                status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                "{status}"
            );
            let (status, html) = app.page(&browser, &format!("/clues/{id}")).await;
            assert!(
                status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                "{status}"
            );
            assert!(!html.contains("某某"));
        }
        let (status, html) = app.page(&browser, "/clues").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("没有您可查看的问题线索"));
        assert!(!html.contains("张某某") && !html.contains("礼金"));
        let (status, html) = app
            .page(&browser, &format!("/inspections/{}/clues", app.insp))
            .await;
        let expected = if after_feedback {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, expected);
        assert!(!html.contains("张某某"));
        let (status, _) = app
            .page(&browser, &format!("/transfers/{}", app.discipline_letter))
            .await;
        assert_eq!(status, expected);
        let (status, _) = app
            .api(
                &head,
                "POST",
                &format!("/inspections/{}/clues", app.insp),
                Some(json!({
                    "about_name": "某某", "summary": "x", "source": "letter",
                    "confidentiality": "secret", "kind": "other"
                })),
            )
            .await;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN);
    }
    assert_eq!(app.reads_by("xcb-head").await, 0, "nothing was ever served");
}

#[tokio::test]
async fn the_leadership_reads_but_cannot_register_transfer_or_dispose() {
    let app = app().await;
    let lead = app.client("leader1").await;
    let (status, list) = app.api(&lead, "GET", "/clues", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(5));
    let (status, _) = app
        .api(
            &lead,
            "POST",
            &format!("/inspections/{}/clues", app.insp),
            Some(json!({
                "about_name": "某某", "summary": "x", "source": "letter",
                "confidentiality": "secret", "kind": "other"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .api(
            &lead,
            "POST",
            &format!("/inspections/{}/transfers", app.insp),
            Some(json!({
                "recipient": "discipline", "letter_no": "桂巡移〔2020〕9号",
                "letter_text": "x", "transferred_on": "2020-03-25",
                "clue_ids": [app.registered.to_string()]
            })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, err) = app
        .api(
            &lead,
            "POST",
            &format!("/clues/{}/disposal", app.to_discipline[0]),
            Some(json!({
                "version": 2, "method": "初步核实", "result": "x", "decided_on": "2020-04-01"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(err["error"]["code"], "forbidden");
    let (status, _) = app
        .api(
            &lead,
            "PUT",
            "/clue-settings",
            Some(json!({ "version": 1, "handling_months": 2, "warn_days": 5 })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let browser = app.browser("leader1").await;
    let (status, html) = app
        .page(&browser, &format!("/inspections/{}/clues", app.insp))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("钱某某"));
    assert!(!html.contains("制发移交函") && !html.contains("登记新线索"));
}

#[tokio::test]
async fn the_team_registers_and_transfers_and_the_recipient_disposes_through_the_api() {
    let app = app().await;
    let member = app.client("zuyuan").await;
    let (status, c) = app
        .api(
            &member,
            "POST",
            &format!("/inspections/{}/clues", app.insp),
            Some(json!({
                "about_name": "孙某某", "about_post": "处长", "summary": "反映其违规选拔干部",
                "source": "个别谈话", "confidentiality": "机密", "kind": "cadre_selection"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().expect("an id").to_owned();
    let (status, c) = app
        .api(
            &member,
            "PUT",
            &format!("/clues/{id}"),
            Some(json!({
                "version": 1, "about_name": "孙某某", "about_post": "副处长",
                "summary": "反映其违规选拔干部", "source": "talk",
                "confidentiality": "confidential", "kind": "cadre_selection"
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["version"], 2);
    let (status, _) = app
        .api(
            &member,
            "POST",
            &format!("/inspections/{}/transfers", app.insp),
            Some(json!({
                "recipient": "organization", "letter_no": "桂巡移〔2020〕6号",
                "letter_text": "x", "transferred_on": "2020-04-01", "clue_ids": [id]
            })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a member does not transfer");
    let leader = app.client("zuzhang").await;
    let (status, t) = app
        .api(
            &leader,
            "POST",
            &format!("/inspections/{}/transfers", app.insp),
            Some(json!({
                "recipient": "organization", "letter_no": "桂巡移〔2020〕6号",
                "letter_text": "现将问题线索移交你部。", "transferred_on": "2020-04-01",
                "clue_ids": [id]
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    assert_eq!(t["due_on"], "2020-07-01");
    let (status, err) = app
        .api(
            &leader,
            "POST",
            &format!("/inspections/{}/transfers", app.insp),
            Some(json!({
                "recipient": "organization", "letter_no": "桂巡移〔2020〕7号",
                "letter_text": "x", "transferred_on": "2020-04-01", "clue_ids": [id]
            })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already sent: {err}"
    );

    let jiwei = app.client("jiwei").await;
    let disposal = json!({
        "version": 3, "method": "谈话函询", "result": "已函询，本人如实说明", "decided_on": "2020-05-10"
    });
    let (status, _) = app
        .api(
            &jiwei,
            "POST",
            &format!("/clues/{id}/disposal"),
            Some(disposal.clone()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "not the discipline commission's clue"
    );
    let zuzhibu = app.client("zuzhibu").await;
    let (status, c) = app
        .api(
            &zuzhibu,
            "POST",
            &format!("/clues/{id}/disposal"),
            Some(disposal.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "disposed");
    assert_eq!(c["disposal"]["method"], "talk_or_inquiry");
    let (status, _) = app
        .api(
            &zuzhibu,
            "POST",
            &format!("/clues/{id}/disposal"),
            Some(disposal),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version");
    let (_, c) = app
        .api(&zuzhibu, "GET", &format!("/clues/{id}"), None)
        .await;
    assert_eq!(c["clock"], "done");
    assert_eq!(c["inspection"]["targets"], json!(["自治区党委宣传部"]));

    let office = app.client("office1").await;
    let (status, s) = app.api(&office, "GET", "/clue-settings", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["handling_months"], 3);
    let (status, s) = app
        .api(
            &office,
            "PUT",
            "/clue-settings",
            Some(json!({ "version": 1, "handling_months": 2, "warn_days": 10 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["version"], 2);
    let (_, doc) = app.api(&office, "GET", "/openapi.json", None).await;
    for path in [
        "/clues",
        "/clues/{id}",
        "/clues/{id}/disposal",
        "/inspections/{id}/clues",
        "/inspections/{id}/transfers",
        "/transfers",
        "/transfers/{id}",
        "/clue-settings",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
}

#[tokio::test]
async fn a_recipient_disposes_on_the_page_and_the_wrong_one_is_refused() {
    let app = app().await;
    let target = format!("/clues/{}/disposal", app.to_discipline[0]);
    let fields = [
        ("version", "2"),
        ("method", "preliminary_check"),
        ("result", "经初步核实，已立案审查"),
        ("decided_on", "2020-05-06"),
    ];
    let zuzhibu = app.browser("zuzhibu").await;
    let (status, html) = app.post_form(&zuzhibu, &target, &fields).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("张某某"));
    let office = app.browser("office1").await;
    let (status, _) = app.post_form(&office, &target, &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let jiwei = app.browser("jiwei").await;
    let (status, html) = app.page(&jiwei, "/clues").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("张某某") && html.contains("李某某"));
    assert!(!html.contains("王某某") && !html.contains("钱某某"));
    assert!(html.contains("tag red"), "long overdue clues show red");
    let before = app.reads_by("jiwei").await;
    let (status, html) = app
        .page(&jiwei, &format!("/clues/{}", app.to_discipline[0]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("填报处置情况"));
    assert_eq!(
        app.reads_by("jiwei").await,
        before + 1,
        "the read is audited"
    );

    let (status, html) = app
        .post_form(
            &jiwei,
            &target,
            &[
                ("version", "2"),
                ("method", ""),
                ("result", ""),
                ("decided_on", "2020-03-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("请填写处置结果"));
    assert!(html.contains("处置日期不能早于移交日期"));
    let (status, _) = app.post_form(&jiwei, &target, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app
        .page(&jiwei, &format!("/clues/{}", app.to_discipline[0]))
        .await;
    assert!(html.contains("初步核实") && html.contains("已办结"));

    let (status, html) = app
        .page(&jiwei, &format!("/transfers/{}", app.discipline_letter))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("关于移交问题线索的函"));
    assert!(html.contains("桂巡移〔2020〕3号"));
    assert!(html.contains("2020年3月25日") && html.contains("2020年6月25日"));
    assert!(html.contains("自治区党委巡视工作领导小组办公室"));
    let (status, _) = app
        .page(&zuzhibu, &format!("/transfers/{}", app.discipline_letter))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_team_leader_transfers_a_batch_on_the_register_page() {
    let app = app().await;
    let leader = app.browser("zuzhang").await;
    let register = format!("/inspections/{}/clues", app.insp);
    let (status, html) = app.page(&leader, &register).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("制发移交函") && html.contains("登记新线索"));
    let (status, _) = app
        .post_form(
            &leader,
            &register,
            &[
                ("about_name", "周某某"),
                ("about_post", "处长"),
                ("about_unit", ""),
                ("summary", "反映其违规发放津补贴"),
                ("source", "online"),
                ("confidentiality", "internal"),
                ("kind", "leading_cadre"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html) = app
        .post_form(&leader, &register, &[("about_name", ""), ("summary", "")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("请填写被反映人"));

    let page = app
        .svc
        .list_clues(
            &as_user(&app.svc, "zuzhang").await,
            &xunshi_core::service::ClueListFilter {
                status: Some(xunshi_core::clue::ClueStatus::Registered),
                ..Default::default()
            },
            PageRequest::first(10),
        )
        .await
        .expect("registered clues");
    let ids: Vec<String> = page.items.iter().map(|e| e.clue.id.to_string()).collect();
    assert_eq!(ids.len(), 2);
    let transfers = format!("/inspections/{}/transfers", app.insp);
    let mut fields = vec![
        ("recipient", "discipline"),
        ("department", ""),
        ("letter_no", "桂巡移〔2020〕8号"),
        ("letter_text", "现将问题线索移交你委。"),
        ("transferred_on", "2020-04-02"),
    ];
    for id in &ids {
        fields.push(("clue_ids", id.as_str()));
    }
    let (status, _) = app
        .post_form(
            &leader,
            &transfers,
            &[("recipient", "discipline"), ("letter_no", "")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.post_form(&leader, &transfers, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let jiwei = app.client("jiwei").await;
    let (_, list) = app.api(&jiwei, "GET", "/clues", None).await;
    assert_eq!(names(&list), ["周某某", "张某某", "李某某", "钱某某"]);

    let member = app.browser("zuyuan").await;
    let (status, html) = app.page(&member, &register).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("登记新线索") && !html.contains("制发移交函"));
    let (status, _) = app.post_form(&member, &transfers, &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

impl App {
    /// A `GET` answered as bytes (a file is not text), with a cookie or a bearer token.
    async fn file(&self, path: &str, auth: (header::HeaderName, String)) -> (StatusCode, Vec<u8>) {
        let req = Request::get(path)
            .header(auth.0, auth.1)
            .body(Body::empty())
            .expect("a request");
        let resp = self.router.clone().oneshot(req).await.expect("a response");
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("the body")
            .to_bytes();
        (status, bytes.to_vec())
    }
}

#[tokio::test]
async fn the_transfer_letter_downloads_as_word_for_its_recipient_and_the_read_is_audited() {
    let app = app().await;
    let jiwei = app.browser("jiwei").await;
    let href = format!("/transfers/{}/letter.docx", app.discipline_letter);
    let (status, html) = app
        .page(&jiwei, &format!("/transfers/{}", app.discipline_letter))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"{href}\"")), "{html}");

    // The letter is addressed as the page addresses it (the name with its colon).
    let addressee = html
        .split("<p class=\"letter-addressee\">")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .expect("the addressee")
        .to_owned();
    let before = app.reads_by("jiwei").await;
    let (status, docx) = app
        .file(&href, (header::COOKIE, jiwei.cookie.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&docx));
    assert_eq!(
        app.reads_by("jiwei").await,
        before + 1,
        "the file's read is audited"
    );
    let xml = document_xml(&docx);
    for text in [
        "关于移交问题线索的函",
        "桂巡移〔2020〕3号",
        "现将巡视中发现的问题线索移交你单位，请按规定处理并反馈。",
        "请于2020年6月25日前将办理情况书面反馈。",
        "附件：问题线索清单（2件）",
        "自治区党委巡视工作领导小组办公室",
        "2020年3月25日",
        "问题线索清单",
        "被反映人",
        "张某某",
        "李某某",
    ] {
        assert!(xml.contains(text), "no {text} in the letter");
    }
    assert!(xml.contains(&addressee), "no {addressee}");
    assert!(
        !xml.contains("王某某"),
        "another recipient's clue is not listed"
    );
    assert_eq!(xml.matches("<w:tbl>").count(), 1, "the list is a table");

    // The API: the same file to the recipient, refused to another one, unaudited refusals.
    let api = format!("/api/v1{href}");
    let token = app.client("jiwei").await;
    let (status, docx) = app
        .file(&api, (header::AUTHORIZATION, format!("Bearer {}", token.0)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(document_xml(&docx).contains("张某某"));
    assert_eq!(app.reads_by("jiwei").await, before + 2);
    let zuzhibu = app.client("zuzhibu").await;
    let (status, body) = app
        .file(
            &api,
            (header::AUTHORIZATION, format!("Bearer {}", zuzhibu.0)),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!String::from_utf8_lossy(&body).contains("张某某"));
    assert_eq!(app.reads_by("zuzhibu").await, 0);
    let browser = app.browser("zuzhibu").await;
    let (status, _) = app.file(&href, (header::COOKIE, browser.cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The inspected unit never reads a clue, in a file neither.
    let head = app.browser("xcb-head").await;
    let (status, _) = app.file(&href, (header::COOKIE, head.cookie)).await;
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{status}"
    );
}

#[tokio::test]
async fn the_clue_list_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let app = app().await;
    let office = app.client("office1").await;
    let in_order = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["about_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, all) = app.api(&office, "GET", "/clues", None).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 5);
    let by_name = names(&all);
    // By whom the clue is about, two a page: every page continues where its cursor says.
    let mut seen = Vec::new();
    let mut path = "/clues?sort=about&limit=2".to_owned();
    let mut cursor = String::new();
    loop {
        let (status, page) = app.api(&office, "GET", &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 5);
        seen.extend(in_order(&page));
        match page["next_cursor"].as_str() {
            Some(c) => {
                cursor = c.to_owned();
                path = format!("/clues?sort=about&limit=2&cursor={c}");
            }
            None => break,
        }
    }
    assert_eq!(seen, by_name);
    let (_, down) = app.api(&office, "GET", "/clues?sort=-about", None).await;
    let mut rev = by_name.clone();
    rev.reverse();
    assert_eq!(in_order(&down), rev);
    // By status: the registered clue (registered < transferred) first.
    let (_, by_status) = app.api(&office, "GET", "/clues?sort=status", None).await;
    assert_eq!(in_order(&by_status)[0], "钱某某");
    // By the handling deadline: the transferred clues by their letter's deadline, the clues
    // not yet sent after them; the other way round, the other way.
    let deadlines = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["transfer"]["due_on"].as_str().unwrap_or("-").to_owned())
            .collect()
    };
    let (status, by_due) = app.api(&office, "GET", "/clues?sort=due", None).await;
    assert_eq!(status, StatusCode::OK, "{by_due}");
    let due = deadlines(&by_due);
    let sent = due.iter().filter(|d| *d != "-").count();
    assert!(sent > 0 && sent < due.len(), "{due:?}");
    assert!(due[..sent].is_sorted(), "{due:?}");
    assert!(due[sent..].iter().all(|d| d == "-"), "{due:?}");
    let (_, back) = app.api(&office, "GET", "/clues?sort=-due", None).await;
    let mut reversed = deadlines(&back);
    reversed.reverse();
    assert_eq!(reversed[..sent], due[..sent]);
    // A cursor of one order is refused under another (422), an unknown order is named (400).
    let (status, body) = app
        .api(
            &office,
            "GET",
            &format!("/clues?sort=kind&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "cursor");
    let (status, body) = app.api(&office, "GET", "/clues?sort=name", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "sort");
    let long = format!("/clues?q={}", "%E5%BC%A0".repeat(101));
    let (status, body) = app.api(&office, "GET", &long, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "q");
    // The text filter, and the total under the reader's scope.
    let (_, found) = app.api(&office, "GET", "/clues?q=%E5%BC%A0", None).await;
    assert_eq!(
        (in_order(&found), found["total"].clone()),
        (vec!["张某某".to_owned()], json!(1))
    );
    let jiwei = app.client("jiwei").await;
    let (_, mine) = app.api(&jiwei, "GET", "/clues?sort=-about", None).await;
    assert_eq!(mine["total"], 2);

    // The page reads the same parameters.
    let browser = app.browser("office1").await;
    let (status, html) = app.page(&browser, "/clues?sort=about&limit=2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("共 5 项，第 1 / 3 页"), "{html}");
    let heading = crate::helpers::link_with(&html, "按被反映人排序").unwrap();
    assert!(heading.contains("sort=-about"), "{heading}");
    let heading = crate::helpers::link_with(&html, "按办理期限排序").unwrap();
    assert!(heading.contains("sort=due"), "{heading}");
    assert!(html.contains("rel=\"next\"") && html.contains("末页"));
    let (_, html) = app.page(&browser, "/clues?q=%E5%BC%A0").await;
    assert!(
        html.contains("共 1 项") && !html.contains("李某某"),
        "{html}"
    );
    let (status, html) = app.page(&browser, "/clues?sort=name").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("不是可用的排序"), "{html}");
    let jiwei = app.browser("jiwei").await;
    let (_, html) = app.page(&jiwei, "/clues").await;
    assert!(html.contains("共 2 项"), "{html}");
}
