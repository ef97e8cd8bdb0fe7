//! Working papers, evidence, reports and feedback over HTTP: the API and the pages, role by
//! role. Each case runs the whole router in process on a fresh SQLite database.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use xunshi_core::Id;
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::paper::ProblemInput;
use xunshi_core::permission::Actor;
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::service::{
    NewGrant, PaperDecision, PlanInput, RoundInput, Services, StageChange, TermInput,
};
use xunshi_core::store::{Store, WriteTx};
use xunshi_core::user::NewUserInput;
use xunshi_store::{Db, LocalBlobs};

use crate::helpers::{PASSWORD, TestApp};

pub(crate) const POLITICAL: &str = "00000000-0000-7000-8001-000000201701";
const ORGANIZATIONAL: &str = "00000000-0000-7000-8001-000000201703";
const INTEGRITY: &str = "00000000-0000-7000-8001-000000201706";

/// The shared test application, with evidence files kept in a folder of the case's own.
pub(crate) struct App {
    pub(crate) t: TestApp,
    pub(crate) s: Services<Db>,
    db: Db,
    _blobs: tempfile::TempDir,
}

async fn app() -> App {
    app_with(|_| {}).await
}

/// The application, after `adjust` has changed the services further.
pub(crate) async fn app_with(adjust: impl FnOnce(&mut Services<Db>)) -> App {
    let blobs = tempfile::tempdir().expect("a folder for evidence files");
    let root = blobs.path().to_owned();
    let t = TestApp::spawn_with(move |s| {
        s.blobs = Some(Arc::new(LocalBlobs::new(root)));
        adjust(s);
    })
    .await;
    App {
        s: t.services.clone(),
        db: t.db.clone(),
        t,
        _blobs: blobs,
    }
}

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body[..self.body.len().min(500)])
            )
        })
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl App {
    /// Sends one request; the body is kept as bytes, so downloads compare byte for byte.
    async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self
            .t
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect()
            .await
            .expect("read the body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn api(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(b.body(body).unwrap()).await
    }

    pub(crate) async fn page(&self, path: &str, session: &Session) -> Reply {
        self.send(
            Request::builder()
                .uri(path)
                .header(header::COOKIE, format!("xunshi_session={}", session.token))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub(crate) async fn post_form(
        &self,
        path: &str,
        session: &Session,
        fields: &[(&str, &str)],
    ) -> Reply {
        let mut all = vec![("_csrf", session.csrf.as_str())];
        all.extend_from_slice(fields);
        self.send(
            Request::builder()
                .method("POST")
                .uri(path)
                .header(header::COOKIE, format!("xunshi_session={}", session.token))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
                .unwrap(),
        )
        .await
    }

    /// Creates a user; `role` with its scope (a unit's name, or an inspection's id for team
    /// roles, which are stored directly as the teams area would when forming the team).
    pub(crate) async fn user(
        &self,
        username: &str,
        unit: Option<&str>,
        role: Option<(Role, Option<Id>)>,
    ) {
        let sys = Actor::system();
        let grant = match role {
            Some((r, None)) => Some(NewGrant {
                role: r.as_str().into(),
                scope: None,
            }),
            _ => None,
        };
        let (u, _) = self
            .s
            .create_user(
                &sys,
                &NewUserInput {
                    username: username.into(),
                    display_name: username.into(),
                    unit: unit.map(str::to_owned),
                    password: PASSWORD.into(),
                    must_change_password: false,
                },
                grant.as_ref(),
            )
            .await
            .unwrap_or_else(|e| panic!("create {username}: {e}"));
        if let Some((r, Some(insp))) = role {
            let mut tx = self.db.write().await.unwrap();
            tx.insert_grant(&Grant {
                id: Id::new(),
                user_id: u.id,
                role: r,
                scope: Scope::Inspection(insp),
                granted_by: None,
                created_at: jiff::Timestamp::now(),
            })
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
    }

    pub(crate) async fn token(&self, username: &str) -> String {
        self.s
            .login_token(username, PASSWORD, None, Some("test"), None)
            .await
            .unwrap_or_else(|e| panic!("token for {username}: {e}"))
            .token
    }

    pub(crate) async fn session(&self, username: &str) -> Session {
        let ok = self
            .s
            .login_session(username, PASSWORD, None, None)
            .await
            .unwrap_or_else(|e| panic!("session for {username}: {e}"));
        Session {
            token: ok.token,
            csrf: ok.session.csrf_token,
        }
    }

    pub(crate) async fn actor(&self, username: &str) -> Actor {
        let u = self.s.find_user(&Actor::system(), username).await.unwrap();
        let (user, grants) = self.s.get_user(&Actor::system(), u.id).await.unwrap();
        Actor::user(user, grants, None)
    }
}

pub(crate) struct Session {
    token: String,
    csrf: String,
}

/// The article's inspection, on site: 第三巡视组 at 自治区党委宣传部, its leader yujie, a member,
/// the office, and the unit's principal.
pub(crate) async fn world(a: &App) -> Id {
    let sys = Actor::system();
    let s = &a.s;
    let unit = |name: &str, parent: Option<Id>, kind: &str| xunshi_core::org::UnitInput {
        name: name.into(),
        kind: kind.into(),
        level: "provincial".into(),
        parent_id: parent.map(|p| p.to_string()),
    };
    let committee = s
        .create_unit(&sys, &unit("自治区党委", None, "committee"))
        .await
        .unwrap();
    s.create_unit(
        &sys,
        &unit("自治区党委宣传部", Some(committee.id), "department"),
    )
    .await
    .unwrap();
    let term = s
        .create_term(
            &sys,
            &TermInput {
                name: "十一届".into(),
                dispatcher: "自治区党委".into(),
                starts_on: "2016-11-01".into(),
                ends_on: None,
            },
        )
        .await
        .unwrap();
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
        .unwrap();
    let round = s
        .create_round(
            &sys,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 4,
                name: String::new(),
            },
        )
        .await
        .unwrap();
    let insp = s
        .create_inspection(
            &sys,
            &InspectionInput {
                round_id: round.id.to_string(),
                team_name: "自治区党委第三巡视组".into(),
                targets: vec!["自治区党委宣传部".into()],
                kind: "routine".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    move_to(a, insp.id, Stage::Preparation, None).await;
    move_to(a, insp.id, Stage::OnSite, Some("2019-09-18")).await;
    a.user("yujie", None, Some((Role::TeamLeader, Some(insp.id))))
        .await;
    a.user("member1", None, Some((Role::TeamMember, Some(insp.id))))
        .await;
    a.user("office1", None, Some((Role::Office, None))).await;
    a.user(
        "fanxiaoli",
        Some("自治区党委宣传部"),
        Some((Role::UnitPrincipal, None)),
    )
    .await;
    insp.id
}

async fn move_to(a: &App, id: Id, to: Stage, date: Option<&str>) {
    let sys = Actor::system();
    let current = a.s.get_inspection(&sys, id).await.unwrap().0;
    a.s.change_stage(
        &sys,
        id,
        &StageChange {
            version: current.version,
            to,
            date: date.map(str::to_owned),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("move to {to:?}: {e}"));
}

pub(crate) fn paper(category: &str, title: &str) -> ProblemInput {
    ProblemInput {
        category_id: category.into(),
        target_unit_id: None,
        title: title.into(),
        facts: format!("{title}的具体事实。"),
        rule_broken: "违反有关规定。".into(),
        responsibility: "部领导班子负主体责任。".into(),
        responsibility_types: vec!["principal".into()],
        severity: None,
    }
}

/// Signed papers, an approved report and a drafted feedback, all through the services; returns
/// one paper's id and the feedback's version.
pub(crate) async fn ready_for_feedback(a: &App, insp: Id) -> (Id, i64) {
    let lead = a.actor("yujie").await;
    let office = a.actor("office1").await;
    let s = &a.s;
    let mut first = None;
    for (c, t) in [
        (POLITICAL, "落实党管宣传思想文化职责存在薄弱点"),
        (ORGANIZATIONAL, "领导机关党建工作不够深入"),
        (INTEGRITY, "落实“两个责任”不够到位"),
    ] {
        let p = s.create_problem(&lead, insp, &paper(c, t)).await.unwrap();
        let d = |v| PaperDecision {
            version: v,
            comment: String::new(),
        };
        let p = s.approve_problem(&lead, p.id, &d(p.version)).await.unwrap();
        let p = s.sign_problem(&lead, p.id, &d(p.version)).await.unwrap();
        first.get_or_insert(p.id);
    }
    move_to(a, insp, Stage::Reporting, Some("2019-12-18")).await;
    let r = s
        .create_report(
            &lead,
            insp,
            &ReportInput {
                kind: "main".into(),
                title: "巡视情况报告".into(),
            },
        )
        .await
        .unwrap();
    s.add_report_version(
        &lead,
        r.id,
        &ReportVersionInput {
            version: r.version,
            assessment: "总体评价。".into(),
            problem_ids: None,
            recommendations: vec![
                "牢固树立大局意识，切实履行统筹指导协调宣传思想文化工作职责".into(),
                "全面落实党建工作主体责任，切实提高新时代选人用人科学化规范化水平".into(),
                "切实履行从严治党政治职责，全面推进机关及直属单位廉政风险防控工作".into(),
            ],
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let mut version = r.version + 1;
    for (who, decision, date) in [
        (&lead, "submit", None),
        (&lead, "approve", Some("2019-12-20")),
        (&office, "approve", None),
        (&office, "approve", Some("2020-01-06")),
        (&office, "approve", Some("2020-01-16")),
    ] {
        version = s
            .decide_report(
                who,
                r.id,
                &StepInput {
                    version,
                    decision: decision.into(),
                    comment: String::new(),
                    meeting_date: date.map(str::to_owned),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{decision}: {e}"))
            .version;
    }
    let mut input = s.feedback_defaults(&lead, insp).await.unwrap();
    input.deadline = Some("2020-05-25".into());
    input.meeting_date = Some("2020-03-25".into());
    input.delivered_by = "于洁".into();
    input.delivered_to = "范晓莉".into();
    input.presided_by = "范晓莉".into();
    let fb = s
        .save_feedback(&lead, insp, &FeedbackInput { ..input })
        .await
        .unwrap();
    (first.unwrap(), fb.version)
}

fn multipart(filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----xunshi-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_is_refused_papers_before_and_after_feedback_and_reads_only_the_feedback_after() {
    let a = app().await;
    let insp = world(&a).await;
    let (pid, version) = ready_for_feedback(&a, insp).await;
    let unit = a.token("fanxiaoli").await;
    let lead = a.token("yujie").await;
    let unit_page = a.session("fanxiaoli").await;

    // Before feedback the inspection does not exist for the unit.
    for path in [
        format!("/inspections/{insp}/problems"),
        format!("/problems/{pid}"),
        format!("/problems/{pid}/evidence"),
        format!("/inspections/{insp}/reports"),
        format!("/inspections/{insp}/feedback"),
    ] {
        let r = a.api("GET", &path, &unit, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text());
        assert_eq!(r.json()["error"]["code"], "not_found");
    }
    for path in [
        format!("/inspections/{insp}/papers"),
        format!("/papers/{pid}"),
        format!("/inspections/{insp}/feedback"),
    ] {
        assert_eq!(
            a.page(&path, &unit_page).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The unit cannot give its own feedback either.
    let r = a
        .api(
            "POST",
            &format!("/inspections/{insp}/feedback/give"),
            &unit,
            Some(json!({"version": version})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = a
        .api(
            "POST",
            &format!("/inspections/{insp}/feedback/give"),
            &lead,
            Some(json!({"version": version})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let given = r.json();
    assert_eq!(given["inspection"]["stage"], "feedback_given");
    assert_eq!(given["inspection"]["dates"]["feedback"], "2020-03-25");
    assert_eq!(given["inspection"]["dates"]["entry"], "2019-09-18");
    assert_eq!(given["inspection"]["dates"]["exit"], "2019-12-18");
    assert_eq!(given["feedback"]["status"], "given");

    // After feedback: the feedback, and still never the papers, files or reports.
    for path in [
        format!("/inspections/{insp}/problems"),
        format!("/problems/{pid}"),
        format!("/problems/{pid}/evidence"),
        format!("/inspections/{insp}/reports"),
    ] {
        let r = a.api("GET", &path, &unit, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text());
        assert_eq!(r.json()["error"]["code"], "forbidden");
    }
    let r = a
        .api("GET", &format!("/inspections/{insp}/feedback"), &unit, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let fb = r.json();
    assert_eq!(fb["recommendations"].as_array().unwrap().len(), 3);
    assert_eq!(fb["meeting"]["date"], "2020-03-25");
    let groups: Vec<&str> = fb["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["category_name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["政治建设", "组织建设", "党风廉政建设和反腐败斗争"]);
    assert_eq!(
        fb["groups"][0]["items"][0]["title"],
        "落实党管宣传思想文化职责存在薄弱点"
    );

    let page = a
        .page(&format!("/inspections/{insp}/feedback"), &unit_page)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("自治区党委第三巡视组关于巡视自治区党委宣传部的反馈意见"),
        "{html}"
    );
    assert!(html.contains("一是牢固树立大局意识"));
    assert!(html.contains("2020年3月25日"));
    assert!(
        !html.contains(
            "/inspections/{insp}/papers"
                .replace("{insp}", &insp.to_string())
                .as_str()
        ),
        "no tab to the papers for the unit"
    );
    assert!(!html.contains("确认反馈"), "the unit gets no buttons");
    for path in [
        format!("/inspections/{insp}/papers"),
        format!("/papers/{pid}"),
    ] {
        assert_eq!(
            a.page(&path, &unit_page).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_over_the_limit_is_refused_with_413_and_files_round_trip() {
    let a = app().await;
    let insp = world(&a).await;
    let member = a.token("member1").await;
    let r = a
        .api(
            "POST",
            &format!("/inspections/{insp}/problems"),
            &member,
            Some(json!({
                "category_id": POLITICAL,
                "title": "协调督察全区意识形态工作力度不够",
                "facts": "事实。",
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let pid = r.json()["id"].as_str().unwrap().to_owned();

    let upload = |name: &str, bytes: Vec<u8>, token: String| {
        let (ct, body) = multipart(name, &bytes);
        Request::builder()
            .method("POST")
            .uri(format!("/api/v1/problems/{pid}/evidence"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let big = vec![b'a'; xunshi_core::paper::MAX_EVIDENCE_BYTES + 128 * 1024];
    let r = a.send(upload("大文件.txt", big, member.clone())).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "too_large");

    let pdf = b"%PDF-1.4\n% evidence\n%%EOF\n".to_vec();
    let r = a
        .send(upload("谈话记录.pdf", pdf.clone(), member.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let e = r.json();
    assert_eq!(e["filename"], "谈话记录.pdf");
    assert_eq!(e["sha256"], xunshi_core::paper::sha256_hex(&pdf));
    let eid = e["id"].as_str().unwrap().to_owned();

    let r = a
        .send(upload("副本.pdf", pdf.clone(), member.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "the same file twice");
    let r = a
        .send(upload("工具.exe", b"MZ\x90\x00".to_vec(), member.clone()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["details"][0]["field"], "file");
    let r = a
        .send(upload("伪装.pdf", b"MZ\x90\x00".to_vec(), member.clone()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = a
        .api("GET", &format!("/evidence/{eid}/download"), &member, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, pdf);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    let cd = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(cd.starts_with("attachment; "), "the API saves: {cd}");
    assert!(cd.contains("filename*=UTF-8''%E8%B0%88"), "{cd}");
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    let list = a
        .api("GET", &format!("/problems/{pid}/evidence"), &member, None)
        .await;
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 1);

    // The page's upload form has the same limit, answered with the paper's page.
    let session = a.session("member1").await;
    // The form carries its token as a hidden field before the file, never in its address.
    let form = a.page(&format!("/papers/{pid}"), &session).await.text();
    assert!(
        form.contains(&format!(
            "<form method=\"post\" action=\"/papers/{pid}/evidence\" enctype=\"multipart/form-data\""
        )),
        "{form}"
    );
    assert_eq!(
        crate::helpers::actions_with_secrets(&form),
        Vec::<String>::new(),
        "no token in a form's address"
    );
    let page_upload = |name: &str, bytes: Vec<u8>| {
        let (ct, body) =
            crate::helpers::multipart_form(&[("_csrf", session.csrf.as_str())], name, &bytes);
        Request::builder()
            .method("POST")
            .uri(format!("/papers/{pid}/evidence"))
            .header(header::COOKIE, format!("xunshi_session={}", session.token))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let r = a
        .send(page_upload(
            "大.txt",
            vec![b'a'; xunshi_core::paper::MAX_EVIDENCE_BYTES + 128 * 1024],
        ))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().contains("文件超过 20 MB"));
    let r = a
        .send(page_upload(
            "现场照片.png",
            b"\x89PNG\r\n\x1a\nimage".to_vec(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // Received in pieces: a Word file whose part names come long after its start is still
    // told by them, and a zip named .docx without them is not one.
    let mut late = b"PK\x03\x04".to_vec();
    late.extend(vec![b'-'; 200 * 1024]);
    late.extend(b"word/document.xml");
    let r = a.send(page_upload("谈话提纲.docx", late.clone())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut sheet = late[..late.len() - b"word/document.xml".len()].to_vec();
    sheet.extend(b"xl/workbook.xml");
    let r = a.send(page_upload("伪装.docx", sheet)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(
        a.t.staged_files(),
        Vec::<std::path::PathBuf>::new(),
        "nothing stays where uploads are received, kept, refused or too large"
    );
    let html = a.page(&format!("/papers/{pid}"), &session).await.text();
    assert!(html.contains("现场照片.png"));
    assert!(html.contains("谈话提纲.docx"));
    assert!(
        html.contains(&xunshi_core::paper::sha256_hex(&pdf)),
        "the list shows the hash"
    );
    assert!(
        html.contains("<details class=\"hash\"><summary>SHA-256</summary>"),
        "the hash stands behind a disclosure"
    );
    // A PDF or an image is previewed in the page and opens in the browser; the API and
    // `?download=true` save it; any other kind is always saved.
    let href = format!("/evidence/{eid}/download");
    assert!(
        html.contains(&format!("<iframe src=\"{href}\" loading=\"lazy\"")),
        "the PDF is previewed in a frame: {html}"
    );
    assert!(
        html.contains("<img src=\"/evidence/"),
        "the image is previewed"
    );
    let r = a.page(&href, &session).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, pdf);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    let cd = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(cd.starts_with("inline; "), "{cd}");
    assert_eq!(r.headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    let r = a.page(&format!("{href}?download=true"), &session).await;
    let cd = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(cd.starts_with("attachment; "), "{cd}");
    assert_eq!(r.headers[header::X_FRAME_OPTIONS], "DENY");
    let r = a.page(&format!("{href}?download=maybe"), &session).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a bad flag is refused");
    // Without the CSRF token the upload is refused before it is read.
    let (ct, body) = multipart("x.txt", b"text");
    let r = a
        .send(
            Request::builder()
                .method("POST")
                .uri(format!("/papers/{pid}/evidence"))
                .header(header::COOKIE, format!("xunshi_session={}", session.token))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paper_is_drafted_approved_and_signed_through_the_api_and_pages() {
    let a = app().await;
    let insp = world(&a).await;
    let member = a.token("member1").await;
    let lead = a.token("yujie").await;
    let office = a.token("office1").await;

    let r = a.api("GET", "/taxonomies", &member, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()[0]["name"], "2017版（六大纪律/党的建设）");
    assert_eq!(r.json()[0]["categories"][0]["name"], "政治建设");

    let body = json!({
        "category_id": ORGANIZATIONAL,
        "title": "执行干部选拔任用有关规定不够到位",
        "facts": "个别干部任用程序不规范。",
        "rule_broken": "违反《党政领导干部选拔任用工作条例》。",
        "responsibility": "部务会负主体责任。",
        "responsibility_types": ["principal", "直接责任"],
        "severity": "较重",
    });
    let r = a
        .api(
            "POST",
            &format!("/inspections/{insp}/problems"),
            &office,
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the office reads, the team writes"
    );
    let r = a
        .api(
            "POST",
            &format!("/inspections/{insp}/problems"),
            &member,
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let p = r.json();
    let pid = p["id"].as_str().unwrap().to_owned();
    assert_eq!(p["responsibility_types"], json!(["principal", "direct"]));
    assert_eq!(p["severity"], "serious");

    let mut stale = body.clone();
    stale["version"] = json!(0);
    let r = a
        .api("PUT", &format!("/problems/{pid}"), &member, Some(stale))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"]["code"], "stale_version");

    let r = a
        .api(
            "POST",
            &format!("/problems/{pid}/approve"),
            &member,
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = a
        .api(
            "POST",
            &format!("/problems/{pid}/approve"),
            &lead,
            Some(json!({"version": 1, "comment": "组务会通过"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = a
        .api(
            "POST",
            &format!("/problems/{pid}/return"),
            &lead,
            Some(json!({"version": 2})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a return needs a reason"
    );
    let r = a
        .api(
            "POST",
            &format!("/problems/{pid}/sign"),
            &lead,
            Some(json!({"version": 2})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "signed");
    let r = a
        .api(
            "POST",
            &format!("/problems/{pid}/sign"),
            &lead,
            Some(json!({"version": 3})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = a
        .api(
            "GET",
            &format!("/inspections/{insp}/problems?status=signed"),
            &office,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "执行干部选拔任用有关规定不够到位");
    assert!(
        items[0].get("facts").is_none(),
        "lists leave out the three parts"
    );
    let r = a
        .api("GET", &format!("/problems/{pid}"), &office, None)
        .await;
    assert_eq!(r.json()["problem"]["facts"], "个别干部任用程序不规范。");
    assert_eq!(r.json()["category"]["name"], "组织建设");

    // Pages: the list, the paper, a form with a message next to its field.
    let session = a.session("member1").await;
    let html = a
        .page(&format!("/inspections/{insp}/papers"), &session)
        .await
        .text();
    assert!(html.contains("执行干部选拔任用有关规定不够到位"));
    assert!(html.contains("组长已签批"));
    let html = a.page(&format!("/papers/{pid}"), &session).await.text();
    assert!(html.contains("违反《党政领导干部选拔任用工作条例》。"));
    assert!(html.contains("主体责任、直接责任"));
    let r = a
        .post_form(
            &format!("/inspections/{insp}/papers"),
            &session,
            &[
                ("category_id", POLITICAL),
                ("title", ""),
                ("facts", "有事实"),
                ("responsibility_types", "principal"),
                ("responsibility_types", "dual_duty"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let html = r.text();
    assert!(html.contains("请填写问题表述"), "{html}");
    assert!(
        html.contains("value=\"dual_duty\" checked"),
        "ticked boxes stay ticked"
    );
    let r = a
        .post_form(
            &format!("/inspections/{insp}/papers"),
            &session,
            &[
                ("category_id", POLITICAL),
                ("title", "新问题"),
                ("facts", "有事实"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_show_versions_their_differences_and_the_chain() {
    let a = app().await;
    let insp = world(&a).await;
    let (_, _) = ready_for_feedback(&a, insp).await;
    let office = a.token("office1").await;
    let r = a
        .api(
            "GET",
            &format!("/inspections/{insp}/reports"),
            &office,
            None,
        )
        .await;
    let rid = r.json()["items"][0]["id"].as_str().unwrap().to_owned();
    let r = a
        .api("GET", &format!("/reports/{rid}"), &office, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let d = r.json();
    assert_eq!(d["report"]["status"], "approved");
    assert_eq!(d["steps"].as_array().unwrap().len(), 5);
    assert_eq!(d["steps"][3]["step"], "leading_group");
    assert_eq!(d["steps"][3]["meeting_date"], "2020-01-06");
    let r = a
        .api(
            "GET",
            &format!("/reports/{rid}/diff?from=1&to=2"),
            &office,
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "there is no second version"
    );
    let r = a
        .api(
            "GET",
            &format!("/reports/{rid}/diff?from=1&to=1"),
            &office,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.json()["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["op"] == "same")
    );

    let session = a.session("office1").await;
    let html = a.page(&format!("/reports/{rid}"), &session).await.text();
    assert!(html.contains("巡视工作领导小组：同意"), "{html}");
    assert!(html.contains("2020年1月6日"));
    assert!(html.contains("（一）政治建设方面"));

    let doc = a.api("GET", "/openapi.json", &office, None).await.json();
    for path in [
        "/inspections/{id}/problems",
        "/problems/{id}/evidence",
        "/evidence/{id}/download",
        "/reports/{id}/steps",
        "/reports/{id}/diff",
        "/inspections/{id}/feedback",
        "/inspections/{id}/feedback/give",
        "/taxonomies",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_work_pages_render_for_their_roles() {
    let a = app().await;
    let insp = world(&a).await;
    let lead = a.session("yujie").await;
    let member = a.session("member1").await;
    let office = a.session("office1").await;
    let unit = a.session("fanxiaoli").await;

    // Drafting forms: the team has them, the office is told it may not.
    let r = a
        .page(&format!("/inspections/{insp}/papers/new"), &member)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text()
            .contains("<optgroup label=\"2017版（六大纪律/党的建设）\">")
    );
    assert!(r.text().contains("一岗双责"));
    assert_eq!(
        a.page(&format!("/inspections/{insp}/papers/new"), &office)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Immediate-fix notices: issued on the page, seen and answered by the unit before feedback.
    let r = a.page(&format!("/inspections/{insp}/notices"), &lead).await;
    assert!(r.text().contains("下发立行立改通知"));
    let r = a
        .post_form(
            &format!("/inspections/{insp}/notices"),
            &lead,
            &[("content", ""), ("due_on", "2019-10-31")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请填写立行立改事项"));
    let r = a
        .post_form(
            &format!("/inspections/{insp}/notices"),
            &lead,
            &[
                ("content", "立即停止违规使用公务用车。"),
                ("issued_on", "2019-10-15"),
                ("due_on", "2019-10-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = a.page("/notices", &unit).await.text();
    assert!(html.contains("立即停止违规使用公务用车。"), "{html}");
    assert!(html.contains("提交答复"));
    let r = a.page(&format!("/inspections/{insp}/notices"), &unit).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("自治区党委第三巡视组"));
    assert!(
        !html.contains("问题底稿"),
        "the unit sees no tab or link to the papers"
    );
    let board =
        a.s.notice_board(&a.actor("yujie").await, insp)
            .await
            .unwrap();
    let n = &board.notices[0];
    let r = a
        .post_form(
            &format!("/notices/{}/answer", n.id),
            &unit,
            &[
                ("version", &n.version.to_string()),
                ("answer", "已全部整改。"),
                ("back", "mine"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = a
        .page(&format!("/inspections/{insp}/notices"), &lead)
        .await
        .text();
    assert!(html.contains("已全部整改。") && html.contains("整改到位，办结"));

    // Reports: opened and drafted on pages.
    let r = a
        .post_form(
            &format!("/inspections/{insp}/reports"),
            &member,
            &[("kind", "main"), ("title", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请填写报告标题"));
    let r = a
        .post_form(
            &format!("/inspections/{insp}/reports"),
            &member,
            &[("kind", "main"), ("title", "巡视情况报告")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let draft = r.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let html = a.page(&draft, &member).await.text();
    assert!(html.contains("起草第 1 稿"), "{html}");
    let rid = draft
        .trim_start_matches("/reports/")
        .trim_end_matches("/draft")
        .to_owned();
    let r = a
        .post_form(
            &format!("/reports/{rid}/versions"),
            &member,
            &[
                ("version", "1"),
                ("assessment", "总体较好。"),
                ("recommendations", ""),
                ("recommendations", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请至少填写一条意见建议"));
    let r = a
        .post_form(
            &format!("/reports/{rid}/versions"),
            &member,
            &[
                ("version", "1"),
                ("assessment", "总体较好。"),
                ("recommendations", "加强党的建设"),
                ("note", "初稿"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = a.page(&format!("/reports/{rid}"), &member).await.text();
    assert!(html.contains("一是加强党的建设"), "{html}");

    // The taxonomy: the office adds; others read.
    let r = a.page("/system/taxonomy", &office).await;
    assert!(r.text().contains("新增分类版本"));
    let r = a.page("/system/taxonomy", &member).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("新增分类版本"));
    let r = a
        .post_form(
            "/system/taxonomy",
            &office,
            &[
                ("code", "20 24"),
                ("name", "2024版"),
                ("valid_from", "2024-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("代码须为"));
    let r = a
        .post_form(
            "/system/taxonomy",
            &office,
            &[
                ("code", "2024"),
                ("name", "2024版"),
                ("valid_from", "2024-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        a.page("/system/taxonomy", &member)
            .await
            .text()
            .contains("2024版")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_text_fills_the_feedback_form_and_nothing_is_saved_until_the_form_is() {
    let a = app().await;
    let insp = world(&a).await;
    let (_, version) = ready_for_feedback(&a, insp).await;
    let lead = a.session("yujie").await;
    let form = a
        .page(&format!("/inspections/{insp}/feedback/edit"), &lead)
        .await
        .text();
    assert!(form.contains("从文本识别"), "the form offers the box");

    let text = "自治区党委第三巡视组向自治区党委宣传部反馈巡视情况。巡视组组长于洁代表巡视组反馈了巡视意见。巡视组发现了一些问题，主要是：\
        落实党管宣传思想文化职责存在薄弱点，统筹推进全区文化产业发展有差距；领导机关党建工作不够深入。\
        于洁提出了两点意见建议。一是加强统筹协调。二是压实主体责任。\
        于洁强调，要严肃对待、扎实整改。";
    let r = a
        .post_form(
            &format!("/inspections/{insp}/feedback/recognize"),
            &lead,
            &[("text", text)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("识别结果"), "{html}");
    // The papers the text names are ticked, the one it does not name is not.
    let ticked: Vec<(bool, &str)> = html
        .lines()
        .filter(|l| l.contains("name=\"problem_ids\""))
        .map(|l| (l.contains(" checked"), l))
        .collect();
    assert_eq!(ticked.len(), 3, "{html}");
    for (checked, line) in ticked {
        assert_eq!(checked, !line.contains("两个责任"), "{line}");
    }
    assert!(html.contains(
        "统筹推进全区文化产业发展有差距<span class=\"hint\">（没有对应的已签批问题底稿）"
    ));
    assert!(html.contains(">加强统筹协调</textarea>"), "{html}");
    assert!(html.contains(">压实主体责任</textarea>"), "{html}");
    assert!(
        html.contains(">要严肃对待、扎实整改。</textarea>"),
        "{html}"
    );
    assert!(
        html.contains("value=\"自治区党委第三巡视组组长于洁\""),
        "{html}"
    );

    // Nothing was saved by reading the text.
    let fb =
        a.s.get_feedback(&a.actor("yujie").await, insp)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(fb.version, version);
    assert_eq!(fb.recommendations.len(), 3);

    let r = a
        .post_form(
            &format!("/inspections/{insp}/feedback/recognize"),
            &lead,
            &[("text", "  ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请粘贴反馈意见"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feedback_is_prepared_and_given_on_pages() {
    let a = app().await;
    let insp = world(&a).await;
    let (_, _) = ready_for_feedback(&a, insp).await;
    let lead = a.session("yujie").await;
    let html = a
        .page(&format!("/inspections/{insp}/feedback/edit"), &lead)
        .await
        .text();
    assert!(
        html.contains("牢固树立大局意识"),
        "the draft starts from the approved report"
    );
    let fb =
        a.s.get_feedback(&a.actor("yujie").await, insp)
            .await
            .unwrap()
            .unwrap();
    let r = a
        .post_form(
            &format!("/inspections/{insp}/feedback"),
            &lead,
            &[
                ("version", &fb.version.to_string()),
                ("assessment", "总体评价。"),
                ("recommendations", "牢固树立大局意识"),
                ("demands", "严肃对待、扎实整改。"),
                ("deadline", "2020-03-01"),
                ("meeting_date", "2020-03-25"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("整改时限应晚于反馈日期"));
    let r = a
        .post_form(
            &format!("/inspections/{insp}/feedback"),
            &lead,
            &[
                ("version", &fb.version.to_string()),
                ("assessment", "总体评价。"),
                ("recommendations", "牢固树立大局意识"),
                ("demands", "严肃对待、扎实整改。"),
                ("deadline", "2020-05-25"),
                ("meeting_date", "2020-03-25"),
                ("delivered_by", "于洁"),
                ("delivered_to", "范晓莉"),
                ("presided_by", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // Incomplete (no presiding person, and no problem ticked): giving is refused with reasons.
    let fb =
        a.s.get_feedback(&a.actor("yujie").await, insp)
            .await
            .unwrap()
            .unwrap();
    let r = a
        .post_form(
            &format!("/inspections/{insp}/feedback/give"),
            &lead,
            &[("version", &fb.version.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请填写反馈会议主持人"), "{}", r.text());
    assert_eq!(
        a.s.get_inspection(&Actor::system(), insp)
            .await
            .unwrap()
            .0
            .stage,
        Stage::Reporting
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_paper_list_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let a = app().await;
    let insp = world(&a).await;
    let member = a.token("member1").await;
    for (title, severity) in [("甲问题", "一般"), ("乙问题", "严重"), ("丙问题", "较重")]
    {
        let body = json!({
            "category_id": POLITICAL,
            "title": title,
            "facts": "事实。",
            "rule_broken": "违反有关规定。",
            "responsibility": "负主体责任。",
            "responsibility_types": ["principal"],
            "severity": severity,
        });
        let r = a
            .api(
                "POST",
                &format!("/inspections/{insp}/problems"),
                &member,
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let titles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = async |query: &str| {
        let r = a
            .api(
                "GET",
                &format!("/inspections/{insp}/problems{query}"),
                &member,
                None,
            )
            .await;
        (r.status, r.json())
    };
    let (status, all) = get("").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 3);
    assert_eq!(titles(&all), ["甲问题", "乙问题", "丙问题"]);
    let (_, first) = get("?sort=severity&limit=2").await;
    assert_eq!(titles(&first), ["甲问题", "丙问题"]);
    let next = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let (_, second) = get(&format!("?sort=severity&limit=2&cursor={next}")).await;
    assert_eq!(titles(&second), ["乙问题"]);
    assert!(second["prev_cursor"].is_string(), "{second}");
    let (_, by_title) = get("?sort=-title").await;
    assert_eq!(titles(&by_title), ["甲问题", "乙问题", "丙问题"]);
    let (_, found) = get("?q=%E4%B9%99").await;
    assert_eq!(
        (titles(&found), found["total"].clone()),
        (vec!["乙问题".to_owned()], json!(1))
    );
    for (query, status, field) in [
        ("?sort=facts".to_owned(), StatusCode::BAD_REQUEST, "sort"),
        (
            format!("?q={}", "x".repeat(101)),
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            format!("?sort=title&cursor={next}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = get(&query).await;
        assert_eq!(got, status, "{query}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field, "{query}");
    }

    let session = a.session("member1").await;
    let r = a
        .page(
            &format!("/inspections/{insp}/papers?sort=severity&limit=2"),
            &session,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("共 3 项，第 1 / 2 页"), "{html}");
    assert!(html.contains("本次巡视共 3 份：草稿 3"), "{html}");
    let heading = crate::helpers::link_with(&html, "按严重程度排序").unwrap();
    assert!(heading.contains("sort=-severity"), "{heading}");
    let r = a
        .page(&format!("/inspections/{insp}/papers?sort=facts"), &session)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("不是可用的排序"), "{}", r.text());
}
