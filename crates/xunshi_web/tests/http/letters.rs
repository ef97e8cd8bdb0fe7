//! The public's intake and the team's register of letters, calls and visits: a member of the
//! public writes in with the plain form (no account, no cookie, no token, no script), follows
//! up by receipt code; the team sees the letter in its register without the writer's identity,
//! which only an appointed letter handler opens, giving a reason.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use xunshi_core::Id;
use xunshi_core::fieldwork::AnnouncementInput;
use xunshi_core::inspection::Stage;
use xunshi_core::org::UnitInput;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::TeamRole;
use xunshi_core::service::today;
use xunshi_core::user::NewUserInput;
use xunshi_store::LocalBlobs;
use xunshi_web::WebConfig;

use crate::helpers::{Browser, PASSWORD, TestApp, TestResponse, input_value, test_config};

const TEAM: &str = "自治区党委第三巡视组";
const WRITER: &str = "覃卫东";
const WRITER_PHONE: &str = "13977100000";
const LETTER: &str = "反映宣传部某处处长李某利用职务便利违规收受服务商礼金，时间在2019年春节前后。";

struct World {
    app: TestApp,
    insp: Id,
    /// The pool id of the member the leader appoints as letter handler.
    handler: Id,
    _blobs: tempfile::TempDir,
}

async fn spawn(config: WebConfig) -> (TestApp, tempfile::TempDir) {
    let blobs = tempfile::tempdir().expect("a folder for files");
    let root = blobs.path().to_owned();
    let app = TestApp::spawn_configured(
        move |s| s.blobs = Some(Arc::new(LocalBlobs::new(root))),
        config,
    )
    .await;
    (app, blobs)
}

fn roomy() -> WebConfig {
    WebConfig {
        public_per_address_per_minute: 10_000,
        public_overall_per_minute: 10_000,
        ..test_config()
    }
}

/// An inspection of 自治区党委宣传部 on site with its announcement open today; its team: the
/// leader zuzhang, the members zuyuan and chengban (each an inspector of the pool with an
/// account); and office1 of the inspection office, not on the team.
async fn world(config: WebConfig) -> World {
    let (app, blobs) = spawn(config).await;
    let sys = Actor::system();
    let s = &app.services;
    let unit = |name: &str, parent: Option<Id>, kind: &str| UnitInput {
        name: name.into(),
        kind: kind.into(),
        level: "provincial".into(),
        parent_id: parent.map(|p| p.to_string()),
    };
    let root = s
        .create_unit(&sys, &unit("自治区党委", None, "committee"))
        .await
        .unwrap();
    let target = s
        .create_unit(&sys, &unit("自治区党委宣传部", Some(root.id), "department"))
        .await
        .unwrap();
    let home = s
        .create_unit(&sys, &unit("南宁市委", Some(root.id), "department"))
        .await
        .unwrap();
    let insp = app
        .prepared_inspection(&root.name, &target.name, TEAM)
        .await;
    let pool = app
        .appoint_team(
            insp,
            &home.name,
            &[
                ("zuzhang", "韦正", TeamRole::Leader),
                ("zuyuan", "黄明", TeamRole::Member),
                ("chengban", "蒙丽", TeamRole::Member),
            ],
        )
        .await;
    account(&app, "office1", "巡视办干部", Some("office")).await;
    let day = today(s.now());
    let entry = day.checked_sub(jiff::ToSpan::days(1)).unwrap();
    app.move_inspection(insp, Stage::OnSite, Some(&entry.to_string()))
        .await;
    s.save_announcement(
        &sys,
        insp,
        &AnnouncementInput {
            hotline: "0771-5550001".into(),
            mailbox: "宣传部大院一楼".into(),
            postal_box: "南宁市A001信箱".into(),
            email: String::new(),
            opens_on: entry.to_string(),
            closes_on: day.checked_add(jiff::ToSpan::days(30)).unwrap().to_string(),
            scope: "主要受理反映被巡视单位领导班子及其成员的问题。".into(),
            version: None,
        },
    )
    .await
    .unwrap();
    World {
        app,
        insp,
        handler: pool[2],
        _blobs: blobs,
    }
}

async fn account(app: &TestApp, username: &str, name: &str, role: Option<&str>) {
    let grant = role.map(|r| xunshi_core::service::NewGrant {
        role: r.into(),
        scope: None,
    });
    app.services
        .create_user(
            &Actor::system(),
            &NewUserInput {
                username: username.into(),
                display_name: name.into(),
                unit: None,
                password: PASSWORD.into(),
                must_change_password: false,
            },
            grant.as_ref(),
        )
        .await
        .unwrap_or_else(|e| panic!("create {username}: {e}"));
}

/// The public form as a browser sends it: text parts, then three file inputs, of which only
/// those in `files` were chosen (the others go as empty parts, as browsers send them).
fn public_form(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----public-letter-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for i in 0..3 {
        let (filename, bytes) = files.get(i).copied().unwrap_or(("", b""));
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn submit(b: &mut Browser, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> TestResponse {
    let (ct, body) = public_form(fields, files);
    b.request(
        Request::post("/public/letters").header(header::CONTENT_TYPE, ct),
        body,
    )
    .await
}

/// Posts a plain form with no token, as the public pages' forms are.
async fn post_plain(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    b.post_form_with_token(path, None, fields).await
}

fn receipt_of(html: &str) -> String {
    let marker = "class=\"receipt-code\">";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no receipt code on the page: {html}"))
        + marker.len();
    html[start..start + html[start..].find('<').unwrap()]
        .trim()
        .to_owned()
}

fn assert_no_cookie(r: &TestResponse, what: &str) {
    assert!(
        r.headers.get(header::SET_COOKIE).is_none(),
        "{what} set a cookie: {:?}",
        r.headers.get_all(header::SET_COOKIE)
    );
}

/// The id of the first letter linked from a register page.
fn first_letter(html: &str) -> String {
    let start = html
        .find("href=\"/letters/")
        .expect("a letter in the register")
        + 15;
    html[start..start + 36].to_owned()
}

/// Posts a form of the page at `page` with that page's CSRF token.
async fn submit_on(
    b: &mut Browser,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let token = b.csrf_token(page).await;
    b.post_form_with_token(path, Some(&token), fields).await
}

#[tokio::test]
async fn the_public_writes_in_with_the_plain_form_and_follows_up_by_receipt_code() {
    let w = world(roomy()).await;
    let insp = w.insp.to_string();
    let mut public = w.app.browser();

    let page = public.get("/public/letters").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_no_cookie(&page, "the intake page");
    for shown in [
        TEAM,
        "自治区党委宣传部",
        "0771-5550001",
        "南宁市A001信箱",
        "受理范围",
    ] {
        assert!(page.body.contains(shown), "{shown} is not shown");
    }
    assert!(page.body.contains("action=\"/public/letters\""));
    assert!(page.body.contains("action=\"/public/letters/status\""));
    assert!(
        !page.body.contains("name=\"_csrf\""),
        "no token on a page without a session"
    );
    assert!(
        !page.body.contains("<script"),
        "the public pages need no script"
    );

    // A named letter with one attachment, no cookie and no token.
    let r = submit(
        &mut public,
        &[
            ("inspection_id", &insp),
            ("content", LETTER),
            ("name", WRITER),
            ("contact", WRITER_PHONE),
            ("about_name", "李某"),
            ("about_post", "宣传部某处处长"),
        ],
        &[("线索说明.txt", "收受礼金的时间地点".as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_no_cookie(&r, "the submission");
    let code = receipt_of(&r.body);
    assert_eq!(code.len(), 24, "{code}");
    assert!(r.body.contains("唯一凭证") && r.body.contains("无法找回"));
    assert!(!public.has_cookie("xunshi_session"));

    // Following up: the code goes in the body, and there is no address that takes it.
    let s = post_plain(&mut public, "/public/letters/status", &[("receipt", &code)]).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_no_cookie(&s, "the status page");
    assert!(
        s.body.contains("已收到") && s.body.contains(TEAM),
        "{}",
        s.body
    );
    assert!(s.body.contains("action=\"/public/letters/add\""));
    let typed_lower = code.to_lowercase().replace('-', " ");
    let s = post_plain(
        &mut public,
        "/public/letters/status",
        &[("receipt", &typed_lower)],
    )
    .await;
    assert_eq!(s.status, StatusCode::OK, "a code reads back however typed");
    assert_eq!(
        public
            .get(&format!("/public/letters/status?receipt={code}"))
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );

    let add = "补充：李某收受的礼金由其司机经手，可向财务处核实。";
    let a = post_plain(
        &mut public,
        "/public/letters/add",
        &[("receipt", &code), ("content", add)],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.contains(add) && a.body.contains("您补充的情况"));

    let unknown = post_plain(
        &mut public,
        "/public/letters/status",
        &[("receipt", "0000-0000-0000-0000-0000")],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("没有找到"));

    // The team sees the letter in its register, without who wrote it.
    let mut member = w.app.login_form("zuyuan", PASSWORD).await;
    let register = member.get(&format!("/inspections/{insp}/letters")).await;
    assert_eq!(register.status, StatusCode::OK, "{}", register.body);
    assert!(register.body.contains("网上件") && register.body.contains("李某（宣传部某处处长）"));
    assert!(register.body.contains("共 1 件"));
    let letter = first_letter(&register.body);
    let detail = member.get(&format!("/letters/{letter}")).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert!(detail.body.contains("反映人身份已加密"));
    assert!(
        detail.body.contains(add),
        "the writer's addition is on the letter"
    );
    assert!(detail.body.contains("线索说明.txt"));
    for page in [&register.body, &detail.body] {
        assert!(!page.contains(WRITER) && !page.contains(WRITER_PHONE));
    }
    let file = detail
        .body
        .split("href=\"/fieldwork/files/")
        .nth(1)
        .map(|s| s[..36].to_owned())
        .expect("a download link");
    let dl = member.get(&format!("/fieldwork/files/{file}")).await;
    assert_eq!(dl.status, StatusCode::OK);
    assert!(
        dl.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(dl.body, "收受礼金的时间地点");

    // The team's answer reaches the writer through the code.
    let r = submit_on(
        &mut member,
        &format!("/letters/{letter}"),
        &format!("/letters/{letter}/reply"),
        &[("body", "您反映的问题已收悉，巡视组将按规定处理。")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let s = post_plain(&mut public, "/public/letters/status", &[("receipt", &code)]).await;
    assert!(s.body.contains("巡视组答复") && s.body.contains("已收悉"));

    // Nothing recorded of the submission names the writer.
    let received = w.app.audit_with_action("letter_received").await;
    assert_eq!(received.len(), 1);
    assert!(!received[0].summary.contains(WRITER) && received[0].ip.is_none());
}

#[tokio::test]
async fn a_refused_submission_shows_the_form_again_and_the_brake_answers_429() {
    let w = world(WebConfig {
        public_per_address_per_minute: 2,
        public_overall_per_minute: 100,
        ..test_config()
    })
    .await;
    let insp = w.insp.to_string();
    let mut public = w.app.browser().at("198.51.100.7");
    let r = submit(
        &mut public,
        &[
            ("inspection_id", &insp),
            ("content", "太短"),
            ("name", WRITER),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("反映内容过短"), "{}", r.body);
    assert!(
        r.body.contains(">太短</textarea>"),
        "what was typed is kept"
    );
    let r = submit(
        &mut public,
        &[
            ("inspection_id", &Id::new().to_string()),
            ("content", LETTER),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = submit(
        &mut public,
        &[("inspection_id", &insp), ("content", LETTER)],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert!(r.body.contains("过于频繁"));
    // Another address is not held back.
    let mut other = w.app.browser().at("198.51.100.8");
    let r = submit(
        &mut other,
        &[("inspection_id", &insp), ("content", LETTER)],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("receipt-code"));
}

#[tokio::test]
async fn only_the_team_sees_the_register_and_only_an_appointed_handler_reveals_the_writer() {
    let w = world(roomy()).await;
    let insp = w.insp.to_string();
    let mut public = w.app.browser();
    let r = submit(
        &mut public,
        &[
            ("inspection_id", &insp),
            ("content", LETTER),
            ("name", WRITER),
            ("contact", WRITER_PHONE),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The office is not on the team: the register and the letter are not theirs.
    let mut member = w.app.login_form("zuyuan", PASSWORD).await;
    let letter = first_letter(
        &member
            .get(&format!("/inspections/{insp}/letters"))
            .await
            .body,
    );
    let mut office = w.app.login_form("office1", PASSWORD).await;
    let r = office.get(&format!("/inspections/{insp}/letters")).await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}: {}",
        r.status,
        r.body
    );
    assert!(!r.body.contains(LETTER));
    let r = office.get(&format!("/letters/{letter}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains(LETTER));
    let insp_page = office.get(&format!("/inspections/{insp}")).await;
    assert!(
        !insp_page
            .body
            .contains(&format!("/inspections/{insp}/letters"))
    );
    let insp_page = member.get(&format!("/inspections/{insp}")).await;
    assert!(
        insp_page
            .body
            .contains(&format!("/inspections/{insp}/letters"))
    );

    // A member who is no handler: no reveal form, and the reveal is refused.
    let detail = member.get(&format!("/letters/{letter}")).await;
    assert!(!detail.body.contains("/reveal\""));
    let r = submit_on(
        &mut member,
        &format!("/letters/{letter}"),
        &format!("/letters/{letter}/reveal"),
        &[("reason", "核实情况需要联系反映人")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(!r.body.contains(WRITER));
    // Nor may a member appoint handlers.
    let register = format!("/inspections/{insp}/letters");
    let handler = w.handler.to_string();
    let r = submit_on(
        &mut member,
        &register,
        &format!("/inspections/{insp}/letter-handlers"),
        &[("inspector_id", &handler), ("on", "true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // The leader appoints one.
    let mut leader = w.app.login_form("zuzhang", PASSWORD).await;
    let page = leader.get(&register).await;
    assert!(page.body.contains("指定为信访承办人员"));
    let r = submit_on(
        &mut leader,
        &register,
        &format!("/inspections/{insp}/letter-handlers"),
        &[("inspector_id", &handler), ("on", "true")],
    )
    .await;
    r.assert_redirect_to(&format!("{register}?notice=saved"));
    let page = leader.get(&register).await;
    assert!(page.body.contains("蒙丽") && page.body.contains("取消指定"));

    // The handler reveals, with a reason; without one, nothing is shown.
    let mut handler_b = w.app.login_form("chengban", PASSWORD).await;
    let detail = handler_b.get(&format!("/letters/{letter}")).await;
    assert!(
        detail
            .body
            .contains(&format!("action=\"/letters/{letter}/reveal\""))
    );
    assert!(!detail.body.contains(WRITER));
    let r = submit_on(
        &mut handler_b,
        &format!("/letters/{letter}"),
        &format!("/letters/{letter}/reveal"),
        &[("reason", "  ")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(!r.body.contains(WRITER));
    let reason = "需向反映人核实收受礼金的具体时间";
    let r = submit_on(
        &mut handler_b,
        &format!("/letters/{letter}"),
        &format!("/letters/{letter}/reveal"),
        &[("reason", reason)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(WRITER) && r.body.contains(WRITER_PHONE));
    assert!(r.body.contains("审计日志"));
    assert_eq!(
        r.headers[header::CACHE_CONTROL].to_str().unwrap(),
        "no-store"
    );
    let revealed = w.app.audit_with_action("writer_revealed").await;
    assert_eq!(revealed.len(), 1);
    assert!(revealed[0].summary.contains(reason));
    assert!(!revealed[0].summary.contains(WRITER));

    // The register's pages never show the writer, to anyone.
    for b in [&mut member, &mut leader, &mut handler_b] {
        for path in [register.clone(), format!("/letters/{letter}")] {
            let p = b.get(&path).await;
            assert_eq!(p.status, StatusCode::OK);
            assert!(!p.body.contains(WRITER) && !p.body.contains(WRITER_PHONE));
        }
    }
}

#[tokio::test]
async fn the_team_registers_a_call_and_handles_it_on_the_version_seen() {
    let w = world(roomy()).await;
    let insp = w.insp.to_string();
    let register = format!("/inspections/{insp}/letters");
    let mut member = w.app.login_form("zuyuan", PASSWORD).await;
    let page = member.get(&register).await;
    assert!(page.body.contains("登记来信来访"));
    let received = input_value(&page.body, "received_on").expect("a date");

    // Anonymous with a name at once is refused, and the form comes back as typed.
    let content = "来电反映办公室主任黄某长期公车私用。";
    let mut fields = vec![
        ("channel", "call"),
        ("received_on", received.as_str()),
        ("anonymous", "true"),
        ("writer_name", "莫大姐"),
        ("about_name", "黄某"),
        ("about_post", "宣传部办公室主任"),
        ("content", content),
        ("discipline", "integrity"),
    ];
    let r = submit_on(&mut member, &register, &register, &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("匿名举报不应填写"));
    assert!(r.body.contains(content), "what was typed is kept");
    fields[3] = ("writer_name", "");
    let r = submit_on(&mut member, &register, &register, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.location().unwrap().to_owned();
    assert!(at.starts_with("/letters/") && at.ends_with("?notice=created"));
    let letter = at.trim_start_matches("/letters/")[..36].to_owned();

    let page = member.get(&register).await;
    assert!(page.body.contains("来电") && page.body.contains("黄某（宣传部办公室主任）"));
    assert!(page.body.contains("廉洁纪律"));
    let filtered = member.get(&format!("{register}?channel=visit")).await;
    assert!(filtered.body.contains("共 0 件"));
    let refused = member.get(&format!("{register}?channel=fax")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    // Handling: closing needs a result; the version seen is required.
    let detail = member.get(&format!("/letters/{letter}")).await;
    assert!(detail.body.contains("匿名"));
    let version = input_value(&detail.body, "version").expect("the version");
    let handling = format!("/letters/{letter}/handling");
    let r = submit_on(
        &mut member,
        &format!("/letters/{letter}"),
        &handling,
        &[
            ("version", &version),
            ("discipline", "integrity"),
            ("scope", "in_scope"),
            ("status", "closed"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("办结须写明处理结果"));
    let r = submit_on(
        &mut member,
        &format!("/letters/{letter}"),
        &handling,
        &[
            ("version", &version),
            ("discipline", "integrity"),
            ("scope", "in_scope"),
            ("disposition", "已核实，列入问题底稿"),
            ("status", "closed"),
        ],
    )
    .await;
    r.assert_redirect_to(&format!("/letters/{letter}?notice=saved"));
    let r = submit_on(
        &mut member,
        &format!("/letters/{letter}"),
        &handling,
        &[
            ("version", &version),
            ("scope", "in_scope"),
            ("status", "handling"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale version is refused");
    let r = submit_on(
        &mut member,
        &format!("/letters/{letter}"),
        &handling,
        &[("scope", "in_scope"), ("status", "handling")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no version, no change");
    let page = member.get(&register).await;
    assert!(page.body.contains("已办结") && page.body.contains("属巡视受理范围"));

    // A letter the team registered has no receipt code to answer through.
    let r = submit_on(
        &mut member,
        &format!("/letters/{letter}"),
        &format!("/letters/{letter}/reply"),
        &[("body", "答复")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // A scan of the call record, uploaded with the token before the file.
    let token = member.csrf_token(&format!("/letters/{letter}")).await;
    let (ct, body) =
        crate::helpers::multipart_form(&[("_csrf", &token)], "来电记录.txt", "来电记录".as_bytes());
    let r = member
        .request(
            Request::post(format!("/letters/{letter}/files")).header(header::CONTENT_TYPE, ct),
            Body::from(body),
        )
        .await;
    r.assert_redirect_to(&format!("/letters/{letter}?notice=uploaded"));
    assert!(
        member
            .get(&format!("/letters/{letter}"))
            .await
            .body
            .contains("来电记录.txt")
    );
}
