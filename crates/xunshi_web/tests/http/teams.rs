//! The personnel pool and the team pages and API, role by role: the candidate list flags a
//! past post in the inspected unit, an appointment with a conflict needs a reason, only the
//! office appoints, and a team role opens that one inspection.
//!
//! Self-contained: the small application and browser helpers below are this module's own.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use xunshi_core::inspection::{Inspection, InspectionInput, Stage};
use xunshi_core::org::{Unit, UnitInput};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::{Inspector, InspectorInput, NewInspector, PastPostInput};
use xunshi_core::service::{NewGrant, PlanInput, RoundInput, Services, StageChange, TermInput};
use xunshi_core::store::AuditFilter;
use xunshi_core::user::NewUserInput;
use xunshi_store::{Argon2Secrets, Db};
use xunshi_web::{AppState, WebConfig};

const PASSWORD: &str = "Correct-Horse-9";

struct Resp {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

struct App {
    router: Router,
    services: Services<Db>,
    _dir: tempfile::TempDir,
}

/// The inspected unit 自治区党委宣传部 with 自治区日报社 below it, an inspection of it in
/// preparation, another inspection of 自治区党委组织部, and the pool: one clean inspector and
/// one who was deputy editor of 日报社.
struct World {
    insp: Inspection,
    other: Inspection,
    clean: Inspector,
    editor: Inspector,
}

async fn spawn() -> App {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Db::open(&xunshi_store::sqlite_url(dir.path()), 5)
        .await
        .expect("open a fresh SQLite database");
    let services = Services::new(db.clone(), Arc::new(Argon2Secrets::for_tests()));
    let router = xunshi_web::router(AppState::new(services.clone(), db, WebConfig::default()));
    App {
        router,
        services,
        _dir: dir,
    }
}

impl App {
    async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router never fails");
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("read the body")
            .to_bytes();
        Resp {
            status,
            location,
            body: String::from_utf8(bytes.to_vec()).expect("UTF-8"),
        }
    }

    async fn unit(&self, name: &str, parent: Option<&Unit>) -> Unit {
        self.services
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

    /// An account with a global role, or none.
    async fn user(&self, username: &str, role: Option<&str>) {
        let grant = role.map(|r| NewGrant {
            role: r.into(),
            scope: None,
        });
        self.services
            .create_user(
                &Actor::system(),
                &NewUserInput {
                    username: username.into(),
                    display_name: username.into(),
                    unit: None,
                    password: PASSWORD.into(),
                    must_change_password: false,
                },
                grant.as_ref(),
            )
            .await
            .expect("create a user");
    }

    async fn world(&self) -> World {
        let sys = Actor::system();
        let s = &self.services;
        let root = self.unit("自治区党委", None).await;
        let xuanchuan = self.unit("自治区党委宣传部", Some(&root)).await;
        self.unit("自治区日报社", Some(&xuanchuan)).await;
        let zuzhi = self.unit("自治区党委组织部", Some(&root)).await;
        let nanning = self.unit("南宁市委", Some(&root)).await;
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
        let person = |name: &str, user: Option<&str>| NewInspector {
            fields: InspectorInput {
                name: name.into(),
                user: user.map(str::to_owned),
                unit: nanning.id.to_string(),
                post: "副处长".into(),
                specialty: "财务审计".into(),
                locality: String::new(),
            },
            past_posts: Vec::new(),
            relatives: Vec::new(),
        };
        let clean = s
            .create_inspector(&sys, &person("甘霖", None))
            .await
            .expect("clean inspector");
        let mut editor = person("韦立新", None);
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

    async fn audit(&self, action: &str) -> Vec<xunshi_core::audit::AuditRecord> {
        self.services
            .list_audit(
                &Actor::system(),
                &AuditFilter {
                    action: Some(action.into()),
                    ..Default::default()
                },
                PageRequest::first(100),
            )
            .await
            .expect("audit")
            .items
    }

    async fn token(&self, username: &str) -> String {
        let (status, body) = self
            .api(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({ "username": username, "password": PASSWORD })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["token"].as_str().expect("a token").to_owned()
    }

    async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let r = self.send(req).await;
        let v = if r.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&r.body)
                .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {}", r.body))
        };
        (r.status, v)
    }

    /// A browser logged in through the form.
    async fn browser(&self, username: &str) -> Browser {
        let mut b = Browser {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
        };
        let r = b
            .post_form("/login", &[("username", username), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "log-in failed: {}", r.body);
        b
    }
}

struct Browser {
    router: Router,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    async fn send(&mut self, mut req: axum::http::request::Builder, body: Body) -> Resp {
        if !self.cookies.is_empty() {
            let c: Vec<_> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(header::COOKIE, c.join("; "));
        }
        let resp = self
            .router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .expect("the router never fails");
        for c in resp.headers().get_all(header::SET_COOKIE) {
            let pair = c.to_str().unwrap().split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies.insert(k.trim().into(), v.trim().into());
                }
            }
        }
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            location,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path), Body::empty()).await
    }

    /// Submits a form with the CSRF token of the page at `page`.
    async fn post_form_from(&mut self, page: &str, path: &str, fields: &[(&str, &str)]) -> Resp {
        let form = self.get(page).await;
        let marker = "name=\"_csrf\" value=\"";
        let start = form
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF token on {page}: {}", form.body))
            + marker.len();
        let token = form.body[start..].split('"').next().unwrap().to_owned();
        let mut all = fields.to_vec();
        all.push(("_csrf", &token));
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.send(
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        self.post_form_from(path, path, fields).await
    }
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
    let app = spawn().await;
    let w = app.world().await;
    app.user("office", Some("office")).await;
    let mut b = app.browser("office").await;
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
    let r = b
        .post_form_from(
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
    assert!(app.audit("team_member_appointed").await.is_empty());

    // With a reason it goes through, and the override is on record.
    let r = b
        .post_form_from(
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
    assert_eq!(
        r.location.as_deref(),
        Some(&*format!("{page}?notice=saved"))
    );
    let overridden = app.audit("recusal_overridden").await;
    assert_eq!(overridden.len(), 1);
    assert!(overridden[0].summary.contains("经领导小组研究同意"));
    let r = b.get(&page).await;
    let (team, _) = r.body.split_once("id=\"candidates\"").unwrap();
    assert!(team.contains("韦立新") && team.contains("副组长"), "{team}");
    assert!(team.contains("任命理由：离开日报社已逾六年"), "{team}");
}

#[tokio::test]
async fn only_the_office_appoints_through_the_api() {
    let app = spawn().await;
    let w = app.world().await;
    app.user("office", Some("office")).await;
    app.user("viewer", Some("leadership")).await;
    let office = app.token("office").await;
    let viewer = app.token("viewer").await;
    let path = format!("/api/v1/inspections/{}/team", w.insp.id);
    let appoint = |id: &Inspector, reason: Option<&str>| json!({ "inspector_id": id.id.to_string(), "role": "member", "override_reason": reason });

    let (status, body) = app
        .api(
            Method::POST,
            &path,
            Some(&viewer),
            Some(appoint(&w.clean, None)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
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
            Some(appoint(&w.editor, None)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "rule_refused");
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
            Some(appoint(&w.editor, Some("经研究同意"))),
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
    let app = spawn().await;
    let w = app.world().await;
    app.user("office", Some("office")).await;
    app.user("member", None).await;
    let office = app.token("office").await;
    // Link the clean inspector to the member's account, then appoint them.
    let (status, x) = app
        .api(
            Method::PUT,
            &format!("/api/v1/inspectors/{}", w.clean.id),
            Some(&office),
            Some(json!({
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
            Some(json!({ "inspector_id": w.clean.id.to_string(), "role": "成员" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert!(m["grant_id"].is_string(), "{m}");

    let member = app.token("member").await;
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
            Some(json!({ "version": 1, "reason": "工作调整" })),
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
            Some(json!({ "version": 1, "reason": "工作调整" })),
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
    let app = spawn().await;
    app.world().await;
    app.user("office", Some("office")).await;
    app.user("viewer", Some("leadership")).await;

    let mut viewer = app.browser("viewer").await;
    let r = viewer.get("/personnel").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("韦立新") && r.body.contains("干部人才库"));
    assert!(
        !r.body.contains("href=\"/personnel/new\""),
        "the leadership may not add people"
    );
    let r = viewer
        .post_form_from(
            "/personnel",
            "/personnel",
            &[("name", "某某"), ("unit", "南宁市委"), ("post", "科员")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let mut office = app.browser("office").await;
    let r = office.get("/").await;
    assert!(r.body.contains("href=\"/personnel\""), "no nav entry");
    // A form with mistakes comes back with the messages next to the fields.
    let r = office
        .post_form_from(
            "/personnel/new",
            "/personnel",
            &[("name", ""), ("unit", ""), ("post", "处长")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("请填写姓名"), "{}", r.body);
    assert!(r.body.contains("请选择现工作单位"), "{}", r.body);

    let r = office
        .post_form_from(
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
    let record = r.location.unwrap().replace("?notice=created", "");
    // A past post in the inspected unit, added on the record's page.
    let unit = app
        .services
        .resolve_unit(&Actor::system(), "自治区党委宣传部")
        .await
        .unwrap();
    let r = office
        .post_form_from(
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
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("任职截止日期不能早于起始日期"),
        "{}",
        r.body
    );
    let r = office
        .post_form_from(
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
    let r = office
        .post_form_from(
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
