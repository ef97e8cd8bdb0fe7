//! Fieldwork over the pages (进驻了解): the talk plan and talks (two inspectors at least, the
//! record read in full only by the team, each read audited), the document requests the
//! inspected unit answers, the other methods' records, the announcement, and the citations
//! that tie a working paper to what it rests on.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use xunshi_core::Id;
use xunshi_core::fieldwork::TalkInput;
use xunshi_core::inspection::Stage;
use xunshi_core::org::UnitInput;
use xunshi_core::paper::ProblemInput;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::TeamRole;

use crate::helpers::{Browser, PASSWORD, TestApp, TestResponse, link_with};

const POLITICAL: &str = "00000000-0000-7000-8001-000000201701";
const TARGET: &str = "自治区交通运输厅";

/// An inspection of 自治区交通运输厅 on site, its team from the pool with accounts — the
/// leader zhaoyan, the members qianli and sunmei —, the unit's liaison zhouxin, and the office.
struct World {
    app: TestApp,
    insp: Id,
    unit: Id,
    /// The pool ids of the leader, the first member and the second.
    inspectors: [Id; 3],
    _files: tempfile::TempDir,
}

async fn world() -> World {
    let files = tempfile::tempdir().expect("a folder for files");
    let root = files.path().to_owned();
    let app = TestApp::spawn_with(move |s| {
        s.blobs = Some(std::sync::Arc::new(xunshi_store::LocalBlobs::new(root)))
    })
    .await;
    let sys = Actor::system();
    let s = &app.services;
    let unit = |name: &str, parent: Option<Id>, kind: &str| UnitInput {
        name: name.into(),
        kind: kind.into(),
        level: "provincial".into(),
        parent_id: parent.map(|p| p.to_string()),
    };
    let committee = s
        .create_unit(&sys, &unit("自治区党委", None, "committee"))
        .await
        .unwrap();
    let target = s
        .create_unit(&sys, &unit(TARGET, Some(committee.id), "department"))
        .await
        .unwrap();
    s.create_unit(&sys, &unit("南宁市委", Some(committee.id), "committee"))
        .await
        .unwrap();
    let insp = app
        .prepared_inspection("自治区党委", TARGET, "自治区党委第二巡视组")
        .await;
    let inspectors = app
        .appoint_team(
            insp,
            "南宁市委",
            &[
                ("zhaoyan", "赵岩", TeamRole::Leader),
                ("qianli", "钱立", TeamRole::Member),
                ("sunmei", "孙梅", TeamRole::Member),
            ],
        )
        .await;
    app.move_inspection(insp, Stage::OnSite, Some("2019-09-18"))
        .await;
    app.add_user("zhouxin", "周欣", "unit_liaison", Some(TARGET))
        .await;
    app.add_user("office", "巡视办干部", "office", None).await;
    World {
        app,
        insp,
        unit: target.id,
        inspectors: inspectors.try_into().unwrap(),
        _files: files,
    }
}

/// Submits a form to `path` with the CSRF token of the page at `page`, where the form is.
async fn submit(b: &mut Browser, page: &str, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let token = b.csrf_token(page).await;
    b.post_form_with_token(path, Some(&token), fields).await
}

/// A talk recorded through the services, as the team's leader would.
async fn talk_as_system(w: &World, name: &str, text: &str) -> Id {
    w.app
        .services
        .record_talk(
            &Actor::system(),
            w.insp,
            &TalkInput {
                interviewee_name: name.into(),
                interviewee_post: "副厅长".into(),
                talked_on: "2019-09-20".into(),
                place: "巡视组谈话室".into(),
                inspector_ids: vec![w.inspectors[0].to_string(), w.inspectors[1].to_string()],
                text: text.into(),
                confirmed: true,
                plan_entry_id: None,
            },
        )
        .await
        .expect("record a talk")
        .id
}

#[tokio::test]
async fn a_member_records_a_talk_with_two_inspectors_and_the_team_reads_it_in_full() {
    let w = world().await;
    let mut b = w.app.login_form("qianli", PASSWORD).await;
    let page = format!("/inspections/{}/fieldwork/talks", w.insp);

    // The plan: the unit's head is to be talked to.
    let r = b.get(&page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("赵岩（组长）"),
        "the members to tick: {}",
        r.body
    );
    let r = submit(
        &mut b,
        &page,
        &format!("/inspections/{}/talk-plan", w.insp),
        &[
            ("name", "李建国"),
            ("post", "厅长"),
            ("group", "leadership"),
        ],
    )
    .await;
    r.assert_redirect_to(&format!("{page}?notice=planned"));
    let r = b.get(&page).await;
    assert!(r.body.contains("李建国"), "{}", r.body);
    assert!(r.body.contains("未谈"), "{}", r.body);
    let entry = w
        .app
        .services
        .talk_coverage(&Actor::system(), w.insp)
        .await
        .unwrap()
        .entries[0]
        .id
        .to_string();

    // One inspector is not enough: the form comes back with the message.
    let (a, c) = (w.inspectors[1].to_string(), w.inspectors[2].to_string());
    let text = "一、关于党组议事规则执行情况。\n二、关于工程项目招投标。";
    let alone = [
        ("interviewee_name", "李建国"),
        ("interviewee_post", "厅长"),
        ("talked_on", "2019-09-20"),
        ("place", "巡视组谈话室"),
        ("inspector_ids", a.as_str()),
        ("plan_entry_id", entry.as_str()),
        ("text", text),
        ("confirmed", "true"),
    ];
    let r = submit(
        &mut b,
        &page,
        &format!("/inspections/{}/talks", w.insp),
        &alone,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("个别谈话须有 2 名以上巡视组成员在场"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"李建国\""),
        "what was typed is kept: {}",
        r.body
    );
    assert_eq!(
        w.app
            .services
            .fieldwork_summary(&Actor::system(), w.insp)
            .await
            .unwrap()
            .talks,
        0
    );

    // With two, it is recorded and listed, without its text.
    let mut two = alone.to_vec();
    two.push(("inspector_ids", c.as_str()));
    let r = submit(
        &mut b,
        &page,
        &format!("/inspections/{}/talks", w.insp),
        &two,
    )
    .await;
    r.assert_redirect_to(&format!("{page}?notice=talk_recorded"));
    let r = b.get(r.location().unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("个别谈话已登记"), "{}", r.body);
    assert!(
        r.body.contains("钱立、孙梅"),
        "the inspectors present: {}",
        r.body
    );
    assert!(r.body.contains("已谈"), "the plan is covered: {}", r.body);
    assert!(
        !r.body.contains("招投标"),
        "the list shows no text: {}",
        r.body
    );
    assert_eq!(w.app.audit_with_action("talk_viewed").await.len(), 0);

    // The talk's page shows the text as written, and the read is audited.
    let href = link_with(&r.body, "查看记录").expect("a link to the talk");
    let r = b.get(&href).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(text),
        "the text with its line break: {}",
        r.body
    );
    assert!(r.body.contains("class=\"talk-text\""), "{}", r.body);
    assert!(r.body.contains("钱立、孙梅"), "{}", r.body);
    assert!(r.body.contains("已签字确认"), "{}", r.body);
    let viewed = w.app.audit_with_action("talk_viewed").await;
    assert_eq!(viewed.len(), 1, "one record for the read");
    assert_eq!(
        viewed[0].object_id.as_deref(),
        href.strip_prefix("/talks/"),
        "the record names the talk"
    );
}

#[tokio::test]
async fn the_units_liaison_answers_its_document_request_and_sees_no_talk() {
    let w = world().await;
    let talk = talk_as_system(&w, "王志强", "谈话内容：反映有关情况。").await;
    let docs = format!("/inspections/{}/fieldwork/documents", w.insp);

    // The team sends a request to the unit.
    let mut team = w.app.login_form("qianli", PASSWORD).await;
    let unit = w.unit.to_string();
    let r = submit(
        &mut team,
        &docs,
        &format!("/inspections/{}/doc-requests", w.insp),
        &[
            ("unit_id", unit.as_str()),
            (
                "materials",
                "2018年以来党组会议记录\n重大工程项目招投标资料",
            ),
            ("sent_on", "2019-09-19"),
            ("due_on", "2019-09-26"),
            ("notes", "请报送纸质件"),
        ],
    )
    .await;
    r.assert_redirect_to(&format!("{docs}?notice=doc_sent"));
    let r = team.get(&docs).await;
    assert!(r.body.contains("第1号"), "{}", r.body);
    assert!(r.body.contains(TARGET), "{}", r.body);
    assert!(r.body.contains("已发出"), "{}", r.body);

    // The liaison: no talks, no talk, but the request addressed to the unit.
    let mut liaison = w.app.login_form("zhouxin", PASSWORD).await;
    for path in [
        format!("/inspections/{}/fieldwork/talks", w.insp),
        format!("/talks/{talk}"),
        format!("/inspections/{}/fieldwork", w.insp),
    ] {
        let r = liaison.get(&path).await;
        assert!(
            matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{path}: {} {}",
            r.status,
            r.body
        );
        assert!(!r.body.contains("反映有关情况"), "{path}");
    }
    assert_eq!(w.app.audit_with_action("talk_viewed").await.len(), 0);
    let mine = liaison.get("/fieldwork/doc-requests").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(
        mine.body.contains("href=\"/fieldwork/doc-requests\""),
        "in the navigation"
    );
    assert!(
        mine.body.contains("重大工程项目招投标资料"),
        "{}",
        mine.body
    );
    let href = link_with(&mine.body, "第1号调阅单").expect("a link to the request");
    let r = liaison.get(&href).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("答复调阅通知"), "{}", r.body);
    assert!(
        !r.body.contains("登记退还"),
        "the unit does not return: {}",
        r.body
    );
    let r = submit(
        &mut liaison,
        &href,
        &format!("{href}/answer"),
        &[
            ("version", "1"),
            ("answer", "已提供党组会议记录3册、招投标资料12卷"),
            ("delivered_on", "2019-09-24"),
        ],
    )
    .await;
    r.assert_redirect_to(&format!("{href}?notice=answered"));
    let r = liaison.get("/fieldwork/doc-requests").await;
    assert!(r.body.contains("没有待本单位提供的调阅材料"), "{}", r.body);
    // Its own requests on the inspection's list, as the service gives them.
    let r = liaison.get(&docs).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("单位已提供"), "{}", r.body);
    assert!(
        !r.body.contains("发出调阅通知"),
        "no send form for the unit"
    );

    // The team marks the materials returned.
    let r = team.get(&docs).await;
    assert!(r.body.contains("已提供党组会议记录3册"), "{}", r.body);
    assert!(r.body.contains("登记退还"), "{}", r.body);
    let r = submit(
        &mut team,
        &docs,
        &format!("{href}/return"),
        &[
            ("version", "2"),
            ("returned_on", "2019-10-08"),
            ("back", "list"),
        ],
    )
    .await;
    r.assert_redirect_to(&format!("{docs}?notice=doc_returned"));
    let r = team.get(&docs).await;
    assert!(r.body.contains("已退还"), "{}", r.body);
    assert!(r.body.contains("2019年10月8日"), "{}", r.body);
    assert!(!r.body.contains("name=\"returned_on\""), "returned once");
}

#[tokio::test]
async fn an_appraisal_needs_the_forms_handed_out() {
    let w = world().await;
    let mut b = w.app.login_form("sunmei", PASSWORD).await;
    let page = format!("/inspections/{}/fieldwork/records", w.insp);
    let post = format!("/inspections/{}/field-records", w.insp);
    let mut fields = vec![
        ("method", "appraisal"),
        ("held_on", "2019-09-21"),
        ("participants", "厅领导班子成员、处级干部"),
        ("summary", "对领导班子和班子成员进行民主测评。"),
        ("forms_out", ""),
        ("forms_back", ""),
    ];
    let r = submit(&mut b, &page, &post, &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("民主测评和问卷调查须填写发放份数"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("对领导班子和班子成员进行民主测评。"),
        "kept"
    );

    fields[4] = ("forms_out", "86");
    fields[5] = ("forms_back", "84");
    let r = submit(&mut b, &page, &post, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let at = r.location().unwrap();
    assert!(
        at.starts_with("/field-records/") && at.ends_with("?notice=record_added"),
        "to the record's page, for its files: {at}"
    );
    let r = b.get(&page).await;
    assert!(r.body.contains("民主测评"), "{}", r.body);
    assert!(r.body.contains("发放 86 份，收回 84 份"), "{}", r.body);

    // A count that is not a number is named.
    fields[4] = ("forms_out", "八十六");
    let r = submit(&mut b, &page, &post, &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("份数应为整数"), "{}", r.body);
}

#[tokio::test]
async fn a_record_keeps_its_files_for_the_team_and_names_the_clue_citing_it() {
    let w = world().await;
    let mut b = w.app.login_form("sunmei", PASSWORD).await;
    let list = format!("/inspections/{}/fieldwork/records", w.insp);
    let r = submit(
        &mut b,
        &list,
        &format!("/inspections/{}/field-records", w.insp),
        &[
            ("method", "forum"),
            ("held_on", "2019-09-22"),
            ("participants", "机关处室负责人 12 人"),
            ("summary", "座谈反映工程建设领域监管不严。"),
        ],
    )
    .await;
    let at = r.location().unwrap().to_owned();
    let record = at
        .trim_start_matches("/field-records/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = format!("/field-records/{record}");
    let r = b.get(&at).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("座谈反映工程建设领域监管不严。"),
        "{}",
        r.body
    );
    assert!(r.body.contains("尚无附件"), "{}", r.body);
    assert!(b.get(&list).await.body.contains(&page), "the list links it");

    // The minutes, uploaded through the page with the token before the file.
    let token = b.csrf_token(&page).await;
    let (ct, body) = crate::helpers::multipart_form(
        &[("_csrf", &token)],
        "座谈会记录.txt",
        "座谈会记录全文".as_bytes(),
    );
    let r = b
        .request(
            Request::post(format!("{page}/files")).header(header::CONTENT_TYPE, ct),
            Body::from(body),
        )
        .await;
    r.assert_redirect_to(&format!("{page}?notice=uploaded"));
    let r = b.get(&page).await;
    assert!(r.body.contains("座谈会记录.txt"), "{}", r.body);
    let file = r
        .body
        .split("href=\"/fieldwork/files/")
        .nth(1)
        .map(|s| s[..36].to_owned())
        .expect("a download link");
    let dl = b.get(&format!("/fieldwork/files/{file}")).await;
    assert_eq!(dl.status, StatusCode::OK);
    assert_eq!(dl.body, "座谈会记录全文");

    // A program is refused by the page, naming why; nothing is added.
    let token = b.csrf_token(&page).await;
    let (ct, body) = crate::helpers::multipart_form(&[("_csrf", &token)], "run.exe", b"MZ\x90\x00");
    let r = b
        .request(
            Request::post(format!("{page}/files")).header(header::CONTENT_TYPE, ct),
            Body::from(body),
        )
        .await;
    assert!(r.status.is_client_error(), "{}: {}", r.status, r.body);
    assert!(r.body.contains("exe"), "{}", r.body);

    // The API adds a second file and reads the record with both.
    let app = &w.app;
    let member = app.api_token("qianli", PASSWORD).await;
    let (ct, body) = crate::helpers::multipart_form(&[], "测评汇总.txt", "汇总".as_bytes());
    let resp = app
        .send(
            Request::post(format!("/api/v1/field-records/{record}/files"))
                .header(header::CONTENT_TYPE, ct)
                .header(header::AUTHORIZATION, format!("Bearer {member}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    let (status, detail) = app
        .api_get(&format!("/api/v1/field-records/{record}"), &member)
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["record"]["method"], "forum");
    assert_eq!(detail["files"].as_array().unwrap().len(), 2, "{detail}");
    assert_eq!(detail["files"][0]["owner_kind"], "field_record");
    assert_eq!(
        app.audit_with_action("field_record_file_added").await.len(),
        2
    );

    // A clue rests on the forum; the record's page names it, the clue's page names the record.
    let (status, clue) = app
        .api_post(
            &format!("/api/v1/inspections/{}/clues", w.insp),
            Some(&member),
            serde_json::json!({ "about_name": "李某", "about_post": "处长",
                "summary": "座谈中反映其插手工程招标。", "source": "其他",
                "confidentiality": "秘密", "kind": "领导干部问题" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{clue}");
    let clue = clue["id"].as_str().unwrap().to_owned();
    let clue_page = format!("/clues/{clue}");
    let r = b.get(&clue_page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let option = format!("field_record:{record}");
    assert!(
        r.body.contains(&option),
        "the picker offers the record: {}",
        r.body
    );
    let r = submit(
        &mut b,
        &clue_page,
        &format!("{clue_page}/sources"),
        &[("source", option.as_str())],
    )
    .await;
    r.assert_redirect_to(&format!("{clue_page}?notice=cited"));
    let r = b.get(&clue_page).await;
    assert!(r.body.contains(&format!("href=\"{page}\"")), "{}", r.body);
    let r = b.get(&page).await;
    assert!(r.body.contains("关于李某（处长）的线索"), "{}", r.body);
    assert!(
        r.body.contains(&format!("href=\"{clue_page}\"")),
        "{}",
        r.body
    );

    // The unit's liaison and the office find neither the record nor its file.
    for who in ["zhouxin", "office"] {
        let mut other = app.login_form(who, PASSWORD).await;
        assert_eq!(
            other.get(&page).await.status,
            StatusCode::NOT_FOUND,
            "{who}"
        );
        let dl = other.get(&format!("/fieldwork/files/{file}")).await;
        assert_eq!(dl.status, StatusCode::NOT_FOUND, "{who}");
    }
    let liaison = app.api_token("zhouxin", PASSWORD).await;
    let (status, _) = app
        .api_get(&format!("/api/v1/field-records/{record}"), &liaison)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_paper_cites_a_talk_and_each_page_names_the_other() {
    let w = world().await;
    let talk = talk_as_system(&w, "王志强", "反映某处长违规插手工程项目。").await;
    let paper = w
        .app
        .services
        .create_problem(
            &Actor::system(),
            w.insp,
            &ProblemInput {
                category_id: POLITICAL.into(),
                target_unit_id: None,
                title: "工程项目管理不规范".into(),
                facts: "个别领导干部插手工程项目。".into(),
                rule_broken: String::new(),
                responsibility: String::new(),
                responsibility_types: Vec::new(),
                severity: None,
            },
        )
        .await
        .unwrap()
        .id;
    let mut b = w.app.login_form("zhaoyan", PASSWORD).await;
    let page = format!("/papers/{paper}");
    let r = b.get(&page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("依据材料"), "{}", r.body);
    assert!(r.body.contains("尚未引用进驻了解材料"), "{}", r.body);
    let option = format!("talk:{talk}");
    assert!(
        r.body.contains(&option),
        "the picker offers the talk: {}",
        r.body
    );

    let r = submit(
        &mut b,
        &page,
        &format!("{page}/sources"),
        &[("source", option.as_str())],
    )
    .await;
    r.assert_redirect_to(&format!("{page}?notice=cited"));
    let r = b.get(&page).await;
    assert!(r.body.contains("与王志强（副厅长）谈话"), "{}", r.body);
    assert!(
        r.body.contains(&format!("href=\"/talks/{talk}\"")),
        "{}",
        r.body
    );

    // A source of another kind than it is refused, and the page says why.
    let r = submit(
        &mut b,
        &page,
        &format!("{page}/sources"),
        &[
            ("source_kind", "field_record"),
            ("source_id", &talk.to_string()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("只能引用本巡视组登记的进驻了解材料"),
        "{}",
        r.body
    );

    let r = b.get(&format!("/talks/{talk}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("工程项目管理不规范"), "{}", r.body);
    assert!(
        r.body.contains(&format!("href=\"/papers/{paper}\"")),
        "{}",
        r.body
    );

    // The office reads the paper but not its sources.
    let mut office = w.app.login_form("office", PASSWORD).await;
    let r = office.get(&page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains("依据材料"), "{}", r.body);
}

#[tokio::test]
async fn the_leader_publishes_the_announcement_and_the_overview_counts_the_fieldwork() {
    let w = world().await;
    talk_as_system(&w, "王志强", "谈话内容。").await;
    let page = format!("/inspections/{}/fieldwork", w.insp);

    // The inspection's page leads the team there.
    let mut member = w.app.login_form("qianli", PASSWORD).await;
    let r = member.get(&format!("/inspections/{}", w.insp)).await;
    assert!(r.body.contains(&format!("href=\"{page}\"")), "{}", r.body);
    let r = member.get(&page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("尚未发布巡视公告"), "{}", r.body);
    assert!(r.body.contains(&format!("/inspections/{}/letters", w.insp)));
    assert!(r.body.contains("个别谈话（1）"), "{}", r.body);
    assert!(
        !r.body.contains("发布公告"),
        "a member does not publish: {}",
        r.body
    );

    let mut leader = w.app.login_form("zhaoyan", PASSWORD).await;
    let post = format!("/inspections/{}/announcement", w.insp);
    let fields = [
        ("hotline", "0771-5551234"),
        ("mailbox", "厅机关大院门口"),
        ("postal_box", "南宁市A001邮政信箱"),
        ("email", "xunshi2@example.cn"),
        ("opens_on", "2019-09-18"),
        ("closes_on", "2019-09-10"),
        (
            "scope",
            "主要受理反映厅党组领导班子及其成员问题的来信来访。",
        ),
    ];
    let r = submit(&mut leader, &page, &post, &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("受理截止日期不能早于起始日期"),
        "{}",
        r.body
    );
    let mut fields = fields.to_vec();
    fields[5] = ("closes_on", "2019-11-18");
    let r = submit(&mut leader, &page, &post, &fields).await;
    r.assert_redirect_to(&format!("{page}?notice=announced"));
    let r = leader.get(&page).await;
    assert!(r.body.contains("0771-5551234"), "{}", r.body);
    assert!(
        r.body.contains("2019年9月18日至2019年11月18日"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("name=\"version\" value=\"1\""),
        "{}",
        r.body
    );

    // A change names the version it was based on.
    fields.push(("version", "1"));
    fields[0] = ("hotline", "0771-5559999");
    let r = submit(&mut leader, &page, &post, &fields).await;
    r.assert_redirect_to(&format!("{page}?notice=announced"));
    let r = submit(&mut leader, &page, &post, &fields).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a stale version: {}",
        r.body
    );

    // The office sees the announcement, not the team's fieldwork.
    let mut office = w.app.login_form("office", PASSWORD).await;
    let r = office.get(&page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("0771-5559999"), "{}", r.body);
    assert!(!r.body.contains("个别谈话（"), "{}", r.body);
}

/// Carries the world's inspection from on site to archived, its feedback given directly (the
/// report's chain is not what this is about).
async fn archive(w: &World) {
    use xunshi_core::store::{PlanningRead, PlanningWrite, Store, WriteTx};
    w.app
        .move_inspection(w.insp, Stage::Reporting, Some("2019-10-20"))
        .await;
    {
        let mut tx = w.app.services.store.write().await.expect("write");
        let mut i = tx.get_inspection(w.insp).await.unwrap().unwrap();
        i.stage = Stage::FeedbackGiven;
        i.version += 1;
        tx.update_inspection(&i).await.unwrap();
        tx.commit().await.unwrap();
    }
    w.app
        .move_inspection(w.insp, Stage::Rectification, None)
        .await;
    w.app
        .move_inspection(w.insp, Stage::Archived, Some("2019-12-20"))
        .await;
}

#[tokio::test]
async fn once_archived_the_office_holds_the_registers_but_never_opens_a_record() {
    use std::io::Read;
    let w = world().await;
    let talk = talk_as_system(&w, "王志强", "谈话中反映的工程项目问题。").await;
    let talks = format!("/inspections/{}/fieldwork/talks", w.insp);
    let api_talks = format!("/api/v1{talks}").replace("/fieldwork", "");
    let mut office = w.app.login_form("office", PASSWORD).await;
    let token = w.app.api_token("office", PASSWORD).await;

    // While the team works, the register is the team's alone.
    assert_eq!(office.get(&talks).await.status, StatusCode::FORBIDDEN);
    let (status, body) = w.app.api_get(&api_talks, &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    archive(&w).await;

    // Archived, every register's page opens to the office that keeps the files.
    for tab in [
        "fieldwork",
        "fieldwork/talks",
        "fieldwork/documents",
        "fieldwork/records",
        "letters",
    ] {
        let r = office.get(&format!("/inspections/{}/{tab}", w.insp)).await;
        assert_eq!(r.status, StatusCode::OK, "{tab}: {}", r.body);
    }

    // It reads the register on the page and by the API, without a way into the record, whose
    // text stays sealed and whose page refuses.
    let r = office.get(&talks).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("王志强"), "{}", r.body);
    assert!(r.body.contains("记录由巡视组保存"), "{}", r.body);
    assert!(link_with(&r.body, "查看记录").is_none(), "{}", r.body);
    assert!(!r.body.contains("工程项目"), "{}", r.body);
    let (status, body) = w.app.api_get(&api_talks, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["items"][0]["interviewee_name"], "王志强", "{body}");
    assert_eq!(
        office.get(&format!("/talks/{talk}")).await.status,
        StatusCode::NOT_FOUND
    );
    let (status, _) = w
        .app
        .api_get(&format!("/api/v1/talks/{talk}"), &token)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(w.app.audit_with_action("talk_viewed").await.len(), 0);

    // The package holds the register, and the counts the archives file it under.
    let (status, _, file) = office
        .get_file(&format!("/inspections/{}/archive-package", w.insp))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&file));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(file)).expect("a zip");
    let mut register = String::new();
    zip.by_name("11-进驻了解/个别谈话.json")
        .expect("the talks' register")
        .read_to_string(&mut register)
        .unwrap();
    assert!(register.contains("王志强"), "{register}");
    assert!(!register.contains("工程项目"), "{register}");
    assert!(zip.by_name("11-进驻了解/未收入说明.txt").is_err());
    let mut counts = String::new();
    zip.by_name("00-说明/归档统计.csv")
        .expect("the counts")
        .read_to_string(&mut counts)
        .unwrap();
    assert!(counts.contains("个别谈话,1"), "{counts}");
    assert!(counts.contains("来信来访,0"), "{counts}");
}
