//! Reports and disclosure: the unit assembles its rectification report, the principal leader's
//! report and the public progress notice from the feedback and the ledger, edits them in
//! revisions and submits them; the office publishes a notice or returns it; the public reads
//! only what was published, and never what the ledger withholds.

use xunshi_core::disclosure::{Contact, DocKind, DocStatus, DocumentInput, RectDocument};
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::inspection::Stage;
use xunshi_core::page::PageRequest;
use xunshi_core::paper::Problem;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Due, GroupMember, Plan, PlanStatus, ProgressReport, Task, TaskStatus};
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::service::report_submitted_on;
use xunshi_core::store::{DocFilter, RectifyRead, RectifyWrite, Store, WriteTx};
use xunshi_core::{CoreError, Id};

use crate::harness::{Svc, TestClock, audit_of_object, bad_fields, expect_err, user_with_role};
use crate::messages::titled;
use crate::papers::{INTEGRITY, POLITICAL, World, move_to, signed_paper, world};
use crate::todo::waiting_for;

/// The article's opening, as the notice must start.
pub const SEED_OPENING: &str = "根据自治区党委统一部署，2019年9月18日至12月18日，自治区党委第三巡视组对自治区党委宣传部进行了巡视，2020年3月25日反馈了巡视意见。按照党务公开原则和巡视工作有关要求，现将巡视整改进展情况予以公布。";

pub const FIRST: &str = "落实党管宣传思想文化职责存在薄弱点";
pub const SECOND: &str = "对个别直属单位资金项目监管不够严格";

/// The inspection of the article, fed back on 2020-03-25 with two problems.
pub async fn fed_back(s: &Svc) -> (World, Vec<Problem>) {
    let w = world(s).await;
    let problems = vec![
        signed_paper(s, &w, POLITICAL, FIRST).await,
        signed_paper(s, &w, INTEGRITY, SECOND).await,
    ];
    move_to(s, &w.insp, Stage::Reporting, Some("2019-12-18")).await;
    let r = s
        .create_report(
            &w.lead,
            w.insp.id,
            &ReportInput {
                kind: "main".into(),
                title: "关于巡视自治区党委宣传部的情况报告".into(),
            },
        )
        .await
        .expect("report");
    s.add_report_version(
        &w.lead,
        r.id,
        &ReportVersionInput {
            version: r.version,
            assessment: "总体评价。".into(),
            problem_ids: None,
            recommendations: vec!["牢固树立大局意识".into()],
            note: String::new(),
        },
    )
    .await
    .expect("draft");
    let mut r = s.report_detail(&w.lead, r.id).await.unwrap().report;
    for (who, decision, date) in [
        (&w.lead, "submit", None),
        (&w.lead, "approve", Some("2019-12-20")),
        (&w.office, "approve", None),
        (&w.office, "approve", Some("2020-01-06")),
        (&w.office, "approve", Some("2020-01-16")),
    ] {
        r = s
            .decide_report(
                who,
                r.id,
                &StepInput {
                    version: r.version,
                    decision: decision.into(),
                    comment: String::new(),
                    meeting_date: date.map(str::to_owned),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{decision}: {e}"));
    }
    let fb = s
        .save_feedback(
            &w.lead,
            w.insp.id,
            &FeedbackInput {
                version: 0,
                assessment: "总体评价。".into(),
                problem_ids: None,
                recommendations: vec!["牢固树立大局意识".into()],
                demands: "严肃对待、扎实整改。".into(),
                deadline: Some("2020-05-25".into()),
                meeting_date: Some("2020-03-25".into()),
                delivered_by: "于洁".into(),
                delivered_to: "范晓莉".into(),
                presided_by: "范晓莉".into(),
            },
        )
        .await
        .expect("feedback drafted");
    s.give_feedback(&w.lead, w.insp.id, fb.version)
        .await
        .expect("feedback given");
    (w, problems)
}

pub fn edit(d: &RectDocument, body: &str, contact: Contact) -> DocumentInput {
    DocumentInput {
        title: d.title.clone(),
        body: body.into(),
        addressee: d.addressee.clone(),
        issuer: d.issuer.clone(),
        contact,
        note: "修改".into(),
    }
}

pub fn contact() -> Contact {
    Contact {
        phone: "0771-5551234".into(),
        mailbox: "zhenggai@example.gov.cn".into(),
        address: "南宁市民族大道 1 号（530000）".into(),
    }
}

// ---------------------------------------------------------------------------------------------

pub async fn reports_are_assembled_edited_submitted_and_dated(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let (w, _) = fed_back(&s).await;
    let today = xunshi_core::service::today(clock.now());

    // Only the unit's principal leader and liaison draft; others read or see nothing.
    for who in [&w.staff, &w.office, &w.leadership, &w.lead] {
        expect_err!(
            s.draft_rectification_report(who, w.insp.id, w.unit, DocKind::Rectification)
                .await,
            CoreError::Forbidden(_)
        );
    }
    expect_err!(
        s.draft_rectification_report(&w.stranger, w.insp.id, w.unit, DocKind::Rectification)
            .await,
        CoreError::NotFound(_)
    );
    let r = s
        .draft_rectification_report(&w.liaison, w.insp.id, w.unit, DocKind::Rectification)
        .await
        .expect("the liaison assembles the report");
    assert_eq!(r.title, "自治区党委宣传部关于巡视整改情况的报告");
    assert_eq!(r.addressee, "自治区党委巡视工作领导小组办公室");
    assert_eq!(r.status, DocStatus::Draft);
    assert!(r.body.starts_with(
        "根据自治区党委统一部署，2019年9月18日至12月18日，自治区党委第三巡视组对自治区党委宣传部进行了巡视，2020年3月25日反馈了巡视意见。"
    ));
    assert!(r.body.contains(&format!("（一）关于{FIRST}的问题")));
    assert!(r.body.contains(&format!("（二）关于{SECOND}的问题")));
    expect_err!(
        s.draft_rectification_report(&w.principal, w.insp.id, w.unit, DocKind::Rectification)
            .await,
        CoreError::Conflict(_)
    );
    expect_err!(
        s.draft_rectification_report(&w.liaison, w.insp.id, w.unit, DocKind::PublicNotice)
            .await,
        CoreError::BadInput(_)
    );

    // Edits are revisions; a stale edit is refused and changes nothing.
    let body = format!("{}\n四、其他情况\n补充说明。", r.body);
    let r2 = s
        .revise_rect_document(
            &w.liaison,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            r.version,
            &edit(&r, &body, Contact::default()),
        )
        .await
        .expect("revised");
    assert_eq!(r2.revision, 2);
    expect_err!(
        s.revise_rect_document(
            &w.principal,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            r.version,
            &edit(&r, "旧稿", Contact::default())
        )
        .await,
        CoreError::StaleVersion(_)
    );
    let e = expect_err!(
        s.revise_rect_document(
            &w.liaison,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            r2.version,
            &edit(&r, " \n ", Contact::default())
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["body"]);
    expect_err!(
        s.revise_rect_document(
            &w.staff,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            r2.version,
            &edit(&r, "x", Contact::default())
        )
        .await,
        CoreError::Forbidden(_)
    );
    let d = s
        .rect_document(&w.staff, r.id, None)
        .await
        .expect("staff read");
    assert!(!d.rights.edit);
    assert_eq!(d.revisions.len(), 2);
    assert!(d.entry.document.body.ends_with("补充说明。"));
    assert_eq!(d.entry.unit_name, "自治区党委宣传部");
    assert_eq!(d.entry.team, "自治区党委第三巡视组");

    // Submitted, it is dated and closed to edits.
    assert_eq!(
        report_submitted_on(&mut s.store.read().await.unwrap(), w.insp.id, w.unit)
            .await
            .unwrap(),
        None
    );
    let sent = s
        .submit_rect_document(
            &w.liaison,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            r2.version,
        )
        .await
        .expect("submitted");
    assert_eq!(sent.status, DocStatus::Submitted);
    assert_eq!(sent.submitted_on, Some(today));
    expect_err!(
        s.revise_rect_document(
            &w.liaison,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            sent.version,
            &edit(&r, "改", Contact::default())
        )
        .await,
        CoreError::RuleRefused(_)
    );
    expect_err!(
        s.submit_rect_document(
            &w.liaison,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            sent.version
        )
        .await,
        CoreError::RuleRefused(_)
    );
    // Reports go to the office; there is nothing to approve: a report is not a notice, and
    // the services that take a notice do not find it, nor do those of the other collection.
    expect_err!(
        s.approve_public_notice(&w.office, r.id, sent.version).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.submit_rect_document(
            &w.liaison,
            r.id,
            xunshi_core::disclosure::DocCollection::Notices,
            sent.version
        )
        .await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.rect_document(
            &w.office,
            r.id,
            Some(xunshi_core::disclosure::DocCollection::Notices)
        )
        .await,
        CoreError::NotFound(_)
    );
    // The clock is done only when the principal leader's report is in too.
    assert_eq!(
        s.reports_submitted_on(&w.office, w.insp.id, w.unit)
            .await
            .unwrap(),
        None
    );
    clock.advance(jiff::SignedDuration::from_hours(24 * 3));
    let p = s
        .draft_rectification_report(&w.principal, w.insp.id, w.unit, DocKind::PrincipalReport)
        .await
        .expect("the principal's report");
    assert!(p.title.contains("主要负责人关于组织落实巡视整改情况的报告"));
    s.submit_rect_document(
        &w.principal,
        p.id,
        xunshi_core::disclosure::DocCollection::Reports,
        p.version,
    )
    .await
    .expect("submitted");
    let later = xunshi_core::service::today(clock.now());
    assert_eq!(
        s.reports_submitted_on(&w.office, w.insp.id, w.unit)
            .await
            .unwrap(),
        Some(later)
    );
    // A second rectification report later does not move the date of the first.
    let again = s
        .draft_rectification_report(&w.liaison, w.insp.id, w.unit, DocKind::Rectification)
        .await
        .expect("a later report");
    s.submit_rect_document(
        &w.liaison,
        again.id,
        xunshi_core::disclosure::DocCollection::Reports,
        again.version,
    )
    .await
    .unwrap();
    assert_eq!(
        report_submitted_on(&mut s.store.read().await.unwrap(), w.insp.id, w.unit)
            .await
            .unwrap(),
        Some(later)
    );
    // The targets the reports page lists carry the same first dates, for each report.
    let targets = s.disclosure_targets(&w.office).await.unwrap();
    let t = targets
        .iter()
        .find(|t| t.inspection_id == w.insp.id && t.unit_id == w.unit)
        .expect("the unit is a target");
    assert_eq!(t.rectification_submitted_on, Some(today));
    assert_eq!(t.principal_submitted_on, Some(later));

    // The office and the supervisors read them; other units' people do not see them.
    let office_list = s
        .list_rect_documents(&w.office, &DocFilter::default(), PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(office_list.items.len(), 3);
    let discipline = s
        .list_rect_documents(
            &w.discipline,
            &DocFilter {
                kinds: vec![DocKind::PrincipalReport],
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(discipline.items.len(), 1);
    let outsider = user_with_role(&s, "zzb_staff", Some("自治区党委组织部"), "unit_staff").await;
    assert!(
        s.list_rect_documents(&outsider, &DocFilter::default(), PageRequest::first(50))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    expect_err!(
        s.rect_document(&outsider, r.id, None).await,
        CoreError::NotFound(_)
    );
    assert!(s.rect_document(&w.member, r.id, None).await.is_ok());
    let trail = audit_of_object(&s, "rect_document", r.id).await;
    let actions: Vec<&str> = trail.iter().rev().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "rect_document_drafted",
            "rect_document_revised",
            "rect_document_submitted"
        ]
    );
}

pub async fn only_approved_notices_are_public_and_the_unit_cannot_approve_its_own(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let (w, _) = fed_back(&s).await;
    let n = s
        .draft_public_notice(&w.liaison, w.insp.id, w.unit)
        .await
        .expect("drafted");
    assert_eq!(n.title, "自治区党委宣传部关于巡视整改进展情况的通报");
    assert!(n.body.starts_with(SEED_OPENING), "{}", n.body);
    let lines: Vec<&str> = n.body.lines().collect();
    assert_eq!(lines[1], "一、整改工作组织情况");
    assert!(lines.contains(&"二、巡视反馈问题整改进展情况"));
    assert!(lines.contains(&"三、下一步工作打算"));
    assert!(public(&s).await.is_empty());
    expect_err!(s.public_notice(n.id).await, CoreError::NotFound(_));

    // Without the contact details for public supervision it cannot go to the office.
    let e = expect_err!(
        s.submit_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            n.version
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["contact.phone", "contact.mailbox"]);
    let n = s
        .revise_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            n.version,
            &edit(&n, &n.body, contact()),
        )
        .await
        .unwrap();
    let n = s
        .submit_rect_document(
            &w.principal,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            n.version,
        )
        .await
        .expect("submitted");
    assert_eq!(n.status, DocStatus::Submitted);
    expect_err!(s.public_notice(n.id).await, CoreError::NotFound(_));
    expect_err!(
        s.draft_public_notice(&w.liaison, w.insp.id, w.unit).await,
        CoreError::Conflict(_)
    );
    // The hand-over is a message to whom decides it, and to nobody else.
    const NOTICE: &str = "整改进展通报";
    let others = [
        &w.liaison,
        &w.principal,
        &w.staff,
        &w.leadership,
        &w.discipline,
        &w.lead,
    ];
    assert_eq!(titled(&s, &w.office, NOTICE).await, ["整改进展通报待审核"]);
    for who in others {
        assert_eq!(titled(&s, who, NOTICE).await, Vec::<String>::new());
    }

    // No one of the unit approves its own notice, nor the leadership; the office does.
    for who in others {
        expect_err!(
            s.approve_public_notice(who, n.id, n.version).await,
            CoreError::Forbidden(_)
        );
    }
    // An office account that also holds a role in the unit is still the unit.
    let both = user_with_role(
        &s,
        "office_and_unit",
        Some("自治区党委宣传部"),
        "unit_staff",
    )
    .await;
    s.grant_role(
        &Actor::system(),
        both.user_id().unwrap(),
        &xunshi_core::service::NewGrant {
            role: "office".into(),
            scope: None,
        },
    )
    .await
    .expect("grant office");
    let both = crate::harness::actor_of(&s, both.user_id().unwrap()).await;
    expect_err!(
        s.approve_public_notice(&both, n.id, n.version).await,
        CoreError::Forbidden(_)
    );
    // The submitted notice waits in the office's to-do, and in nobody else's.
    use xunshi_core::service::TodoKind::NoticeDecide;
    assert_eq!(waiting_for(&s, &w.office, NoticeDecide).await, 1);
    let listed = s.todo(&w.office).await.unwrap();
    let item = listed
        .groups
        .iter()
        .find(|g| g.kind == NoticeDecide)
        .map(|g| &g.items[0])
        .unwrap();
    assert_eq!(item.object_id, Some(n.id));
    for who in [
        &w.liaison,
        &w.principal,
        &w.staff,
        &w.leadership,
        &w.discipline,
        &w.lead,
        &both,
    ] {
        assert_eq!(waiting_for(&s, who, NoticeDecide).await, 0);
    }

    // Returned with a reason, edited, sent again.
    let e = expect_err!(
        s.return_public_notice(&w.office, n.id, n.version, " ")
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["comment"]);
    let back = s
        .return_public_notice(&w.office, n.id, n.version, "请补充整改成效")
        .await
        .expect("returned");
    assert_eq!(back.status, DocStatus::Returned);
    assert_eq!(back.decision_comment, "请补充整改成效");
    for who in [&w.liaison, &w.principal] {
        assert_eq!(titled(&s, who, NOTICE).await, ["整改进展通报被退回修改"]);
    }
    assert_eq!(titled(&s, &w.staff, NOTICE).await, Vec::<String>::new());
    assert_eq!(
        waiting_for(&s, &w.office, NoticeDecide).await,
        0,
        "decided, gone"
    );
    expect_err!(
        s.approve_public_notice(&w.office, n.id, back.version).await,
        CoreError::RuleRefused(_)
    );
    let body = format!("{}\n整改成效逐步显现。", back.body);
    let n = s
        .revise_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            back.version,
            &edit(&back, &body, contact()),
        )
        .await
        .unwrap();
    let n = s
        .submit_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            n.version,
        )
        .await
        .unwrap();
    expect_err!(
        s.approve_public_notice(&w.office, n.id, n.version - 1)
            .await,
        CoreError::StaleVersion(_)
    );
    clock.advance(jiff::SignedDuration::from_hours(48));
    let published = s
        .approve_public_notice(&w.office, n.id, n.version)
        .await
        .expect("published");
    assert_eq!(published.status, DocStatus::Published);
    // Sent again, the office (not the office account of the unit) is told again; the
    // approval goes back to the unit.
    assert_eq!(
        titled(&s, &w.office, NOTICE).await,
        ["整改进展通报待审核", "整改进展通报待审核"]
    );
    assert_eq!(titled(&s, &both, NOTICE).await, Vec::<String>::new());
    for who in [&w.liaison, &w.principal] {
        assert_eq!(
            titled(&s, who, NOTICE).await,
            ["整改进展通报已审核通过", "整改进展通报被退回修改"]
        );
    }
    assert_eq!(
        published.published_on,
        Some(xunshi_core::service::today(clock.now()))
    );

    // Now anyone reads it, with no account at all.
    assert_eq!(public(&s).await, [n.id]);
    let p = s.public_notice(n.id).await.expect("public");
    assert_eq!(p.title, "自治区党委宣传部关于巡视整改进展情况的通报");
    assert!(p.text.starts_with(SEED_OPENING));
    assert!(p.text.contains("整改成效逐步显现。"));
    assert!(p.text.ends_with(
        "联系电话：0771-5551234；电子邮箱：zhenggai@example.gov.cn；通信地址：南宁市民族大道 1 号（530000）。"
    ));
    assert_eq!(p.unit_name, "自治区党委宣传部");
    expect_err!(
        s.revise_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            published.version,
            &edit(&n, "改", contact())
        )
        .await,
        CoreError::RuleRefused(_)
    );
    // A report is never public, whatever its state.
    let r = s
        .draft_rectification_report(&w.liaison, w.insp.id, w.unit, DocKind::Rectification)
        .await
        .unwrap();
    let r = s
        .submit_rect_document(
            &w.liaison,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            r.version,
        )
        .await
        .unwrap();
    expect_err!(s.public_notice(r.id).await, CoreError::NotFound(_));
    expect_err!(s.public_notice(Id::new()).await, CoreError::NotFound(_));
    let trail = audit_of_object(&s, "rect_document", n.id).await;
    assert!(
        trail
            .iter()
            .any(|a| a.action == "public_notice_returned" && a.summary.contains("请补充整改成效"))
    );
    assert!(trail.iter().any(|a| a.action == "public_notice_approved"));

    // A newer notice of the unit, once approved, supersedes the first: the public reads the
    // newer one only, and the first is kept, marked so.
    let second = s
        .draft_public_notice(&w.liaison, w.insp.id, w.unit)
        .await
        .unwrap();
    let second = s
        .revise_rect_document(
            &w.liaison,
            second.id,
            xunshi_core::disclosure::DocCollection::Notices,
            second.version,
            &edit(&second, &second.body.clone(), contact()),
        )
        .await
        .unwrap();
    let second = s
        .submit_rect_document(
            &w.liaison,
            second.id,
            xunshi_core::disclosure::DocCollection::Notices,
            second.version,
        )
        .await
        .unwrap();
    // Until the office decides, the first stays public.
    assert_eq!(public(&s).await, [n.id]);
    let second = s
        .approve_public_notice(&w.office, second.id, second.version)
        .await
        .unwrap();
    assert_eq!(public(&s).await, [second.id]);
    expect_err!(s.public_notice(n.id).await, CoreError::NotFound(_));
    let first = s.rect_document(&w.office, n.id, None).await.unwrap();
    assert_eq!(first.entry.document.status, DocStatus::Superseded);
    assert!(!first.rights.withdraw && !first.rights.republish);
    assert!(
        audit_of_object(&s, "rect_document", n.id)
            .await
            .iter()
            .any(|a| a.action == "public_notice_superseded"
                && a.summary.contains(&second.id.to_string()))
    );

    // The office withdraws a notice in force, with a reason; the unit cannot.
    let detail = s.rect_document(&w.office, second.id, None).await.unwrap();
    assert!(detail.rights.withdraw && !detail.rights.republish);
    expect_err!(
        s.withdraw_public_notice(&w.liaison, second.id, second.version, "撤回")
            .await,
        CoreError::Forbidden(_)
    );
    let e = expect_err!(
        s.withdraw_public_notice(&w.office, second.id, second.version, "  ")
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["comment"]);
    expect_err!(
        s.withdraw_public_notice(&w.office, second.id, second.version - 1, "数据有误")
            .await,
        CoreError::StaleVersion(_)
    );
    let gone = s
        .withdraw_public_notice(
            &w.office,
            second.id,
            second.version,
            "数据有误，待核实后重新发布",
        )
        .await
        .unwrap();
    assert_eq!(gone.status, DocStatus::Withdrawn);
    assert_eq!(gone.decision_comment, "数据有误，待核实后重新发布");
    assert!(public(&s).await.is_empty());
    expect_err!(
        s.withdraw_public_notice(&w.office, second.id, gone.version, "再撤一次")
            .await,
        CoreError::RuleRefused(_)
    );
    expect_err!(
        s.republish_public_notice(&w.office, second.id, gone.version)
            .await,
        CoreError::RuleRefused(_)
    );
}

/// The ids of the public's first page of notices, in its order.
async fn public(s: &Svc) -> Vec<Id> {
    s.public_notices(PageRequest::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|n| n.id)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A small ledger, written straight into the store: plans and tasks are the ledger's to make;
// here they are only read.

pub const SECRET: &str = "对涉密事项开展专项核查";
pub const SECRET_PROGRESS: &str = "已约谈有关责任人三名";
pub const CASE: &str = "对直属单位资金项目问题线索开展初步核实";

#[allow(clippy::too_many_arguments)]
fn task(
    plan: &Plan,
    problem: &Problem,
    seq: &str,
    measure: &str,
    due: Due,
    status: TaskStatus,
    progress: i16,
    secret: bool,
) -> Task {
    Task {
        id: Id::new(),
        plan_id: plan.id,
        inspection_id: plan.inspection_id,
        unit_id: plan.unit_id,
        problem_id: problem.id,
        seq: seq.into(),
        measure: measure.into(),
        target: "问题整改到位".into(),
        standard: "制度印发、工作见效".into(),
        responsible_leader: "范晓莉".into(),
        lead_department: "办公室".into(),
        co_departments: "机关党委".into(),
        responsible_person: "张三".into(),
        due,
        status,
        progress,
        closed_on: if status == TaskStatus::Closed {
            due.date()
        } else {
            None
        },
        not_for_disclosure: secret,
        withdrawn_reason: None,
        version: 1,
        updated_at: jiff::Timestamp::now(),
    }
}

pub struct Ledger {
    pub closed: Task,
    pub secret: Task,
    pub case: Task,
}

pub async fn small_ledger(s: &Svc, w: &World, problems: &[Problem]) -> Ledger {
    let plan = Plan {
        id: Id::new(),
        inspection_id: w.insp.id,
        unit_id: w.unit,
        title: "自治区党委宣传部巡视整改方案".into(),
        organisation: "召开部务会专题研究部署整改工作，召开巡视整改专题民主生活会。".into(),
        leading_group: vec![
            GroupMember {
                name: "范晓莉".into(),
                post: "部长".into(),
                role: "组长".into(),
            },
            GroupMember {
                name: "王五".into(),
                post: "常务副部长".into(),
                role: "副组长".into(),
            },
        ],
        status: PlanStatus::Approved,
        submitted_at: None,
        approved_at: None,
        version: 1,
    };
    let by = |m, d| Due::By {
        date: jiff::civil::date(2020, m, d),
    };
    let closed = task(
        &plan,
        &problems[0],
        "1.1.1",
        "修订部务会议事规则",
        by(4, 30),
        TaskStatus::Closed,
        100,
        false,
    );
    let secret = task(
        &plan,
        &problems[0],
        "1.1.2",
        SECRET,
        by(6, 30),
        TaskStatus::InProgress,
        40,
        true,
    );
    let mut withdrawn = task(
        &plan,
        &problems[0],
        "1.1.3",
        "已撤回的一项措施",
        by(6, 30),
        TaskStatus::NotStarted,
        0,
        false,
    );
    withdrawn.withdrawn_reason = Some("与 1.1.1 重复".into());
    let case = task(
        &plan,
        &problems[1],
        "3.1.1",
        CASE,
        Due::LongTerm,
        TaskStatus::InProgress,
        20,
        true,
    );
    let mut tx = s.store.write().await.unwrap();
    tx.insert_rect_plan(&plan).await.unwrap();
    for t in [&closed, &secret, &withdrawn, &case] {
        tx.insert_task(t).await.unwrap();
    }
    for (t, text) in [
        (&closed, "已印发《部务会议事规则》"),
        (&secret, SECRET_PROGRESS),
    ] {
        tx.insert_progress(&ProgressReport {
            id: Id::new(),
            task_id: t.id,
            text: text.into(),
            progress: t.progress,
            claims_done: false,
            by_name: "张三".into(),
            at: jiff::Timestamp::now(),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    Ledger {
        closed,
        secret,
        case,
    }
}

pub async fn documents_are_assembled_from_the_ledger_and_withheld_items_never_go_public(s: Svc) {
    let (w, problems) = fed_back(&s).await;
    let ledger = small_ledger(&s, &w, &problems).await;

    // The report tells the office everything, item by item, but nothing withdrawn.
    let r = s
        .draft_rectification_report(&w.liaison, w.insp.id, w.unit, DocKind::Rectification)
        .await
        .unwrap();
    for expected in [
        "由部长范晓莉任组长，王五任副组长",
        "召开部务会专题研究部署整改工作",
        "（一）关于落实党管宣传思想文化职责存在薄弱点的问题",
        "1.修订部务会议事规则。已印发《部务会议事规则》。（已完成整改，经核查销号）",
        SECRET,
        SECRET_PROGRESS,
        CASE,
        "巡视反馈的2个问题共3项整改措施，已完成1项（其中已核查销号1项），正在推进1项，需长期坚持1项。",
        "三、下一步工作打算",
    ] {
        assert!(
            r.body.contains(expected),
            "the report lacks “{expected}”:\n{}",
            r.body
        );
    }
    assert!(!r.body.contains("已撤回的一项措施"));

    // The notice leaves out every withheld task, and the problem with nothing else.
    let n = s
        .draft_public_notice(&w.liaison, w.insp.id, w.unit)
        .await
        .unwrap();
    assert!(n.body.contains("修订部务会议事规则"));
    for absent in [SECRET, SECRET_PROGRESS, CASE, SECOND, "已撤回的一项措施"] {
        assert!(!n.body.contains(absent), "the notice names “{absent}”");
    }
    assert!(n.body.contains("巡视反馈的1个问题共1项整改措施"));

    // The unit cannot put a withheld item back by editing.
    let leaked = format!("{}\n此外，{SECRET}，{SECRET_PROGRESS}。", n.body);
    let n = s
        .revise_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            n.version,
            &edit(&n, &leaked, contact()),
        )
        .await
        .unwrap();
    let e = expect_err!(
        s.submit_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            n.version
        )
        .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains(SECRET), "{e}");
    let clean = n
        .body
        .replace(&format!("\n此外，{SECRET}，{SECRET_PROGRESS}。"), "");
    let n = s
        .revise_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            n.version,
            &edit(&n, &clean, contact()),
        )
        .await
        .unwrap();
    let n = s
        .submit_rect_document(
            &w.liaison,
            n.id,
            xunshi_core::disclosure::DocCollection::Notices,
            n.version,
        )
        .await
        .unwrap();
    let n = s
        .approve_public_notice(&w.office, n.id, n.version)
        .await
        .unwrap();
    let p = s.public_notice(n.id).await.unwrap();
    for absent in [SECRET, SECRET_PROGRESS, CASE, SECOND] {
        assert!(!p.text.contains(absent), "the public reads “{absent}”");
    }

    // Progress reported on any task, even a withheld one whose text the notice happens to
    // contain, leaves publication alone: it changes only by decision.
    let mut tx = s.store.write().await.unwrap();
    tx.insert_progress(&ProgressReport {
        id: Id::new(),
        task_id: ledger.secret.id,
        text: "自治区党委宣传部".into(),
        progress: 50,
        claims_done: false,
        by_name: "张三".into(),
        at: jiff::Timestamp::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(public(&s).await, [n.id]);

    // A task marked not for disclosure after publication (the plan returned for rework) sends
    // the notice to the office for review and off the public page at once; the office sees
    // why and cannot publish it again as it stands.
    let mut tx = s.store.write().await.unwrap();
    let plan = tx
        .get_rect_plan(ledger.closed.plan_id)
        .await
        .unwrap()
        .unwrap();
    tx.update_rect_plan(&xunshi_core::rectify::Plan {
        status: PlanStatus::Returned,
        version: plan.version + 1,
        ..plan
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let t = &ledger.closed;
    s.update_task(
        &w.liaison,
        t.id,
        t.version,
        &xunshi_core::rectify::TaskInput {
            problem_id: t.problem_id.to_string(),
            measure: t.measure.clone(),
            target: t.target.clone(),
            standard: t.standard.clone(),
            responsible_leader: t.responsible_leader.clone(),
            lead_department: t.lead_department.clone(),
            co_departments: t.co_departments.clone(),
            responsible_person: t.responsible_person.clone(),
            // The task keeps its deadline (a date: 2020-04-30).
            due_kind: "by".into(),
            due_date: t.due.date().map(|d| d.to_string()),
            not_for_disclosure: true,
        },
    )
    .await
    .expect("marked");
    assert!(public(&s).await.is_empty());
    expect_err!(s.public_notice(n.id).await, CoreError::NotFound(_));
    let d = s.rect_document(&w.office, n.id, None).await.unwrap();
    assert_eq!(d.entry.document.status, DocStatus::NeedsReview);
    // Whoever reviews it is told, in the transaction that marked the task; the unit is not.
    let review = "整改进展通报待复核";
    assert_eq!(titled(&s, &w.office, review).await, [review]);
    let m = s
        .inbox(&w.office, true, PageRequest::first(1))
        .await
        .unwrap()
        .messages
        .items;
    assert_eq!(
        (m[0].about, m[0].object_id),
        (
            Some(xunshi_core::service::TodoKind::NoticeReview),
            Some(n.id)
        )
    );
    for who in [&w.liaison, &w.principal, &w.leadership, &w.discipline] {
        assert_eq!(titled(&s, who, review).await, Vec::<String>::new());
    }
    assert!(d.rights.withdraw && d.rights.republish);
    use xunshi_core::service::TodoKind::NoticeReview;
    assert_eq!(waiting_for(&s, &w.office, NoticeReview).await, 1);
    for who in [&w.liaison, &w.leadership, &w.discipline] {
        assert_eq!(waiting_for(&s, who, NoticeReview).await, 0);
    }
    // Every task of the first problem is withheld now, so its title is too; and the withheld
    // task's latest progress, which the notice happens to contain, counts as well (the check
    // errs on the side of withholding).
    assert_eq!(
        d.withheld_now,
        [
            "修订部务会议事规则",
            "已印发《部务会议事规则》",
            "自治区党委宣传部",
            FIRST
        ]
    );
    let trail = audit_of_object(&s, "rect_document", n.id).await;
    assert!(
        trail
            .iter()
            .any(|a| a.action == "public_notice_needs_review"
                && a.summary.contains(&t.id.to_string()))
    );
    let v = d.entry.document.version;
    let e = expect_err!(
        s.republish_public_notice(&w.office, n.id, v).await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("修订部务会议事规则"), "{e}");
    let n = s
        .withdraw_public_notice(&w.office, n.id, v, "涉及不予公开事项，请重新起草")
        .await
        .unwrap();
    assert_eq!(n.status, DocStatus::Withdrawn);
    assert_eq!(
        waiting_for(&s, &w.office, NoticeReview).await,
        0,
        "withdrawn, gone"
    );
    assert!(public(&s).await.is_empty());
    let _ = ledger.case;
}

/// The reports and the progress notices sort by every column of their lists, both ways,
/// keyset-paged from the first page and from the last, with the total counted under the
/// reader's scope and the own-unit rule: the unit, the team and the office see the unit's
/// documents, another unit's people and an office member of the unit itself none.
pub async fn documents_sort_by_every_column_both_ways(s: Svc) {
    use xunshi_core::paper::Signature;
    use xunshi_core::store::{DiscloseWrite, DocSort};
    let (w, _) = fed_back(&s).await;
    let kinds = [
        DocKind::Rectification,
        DocKind::PrincipalReport,
        DocKind::PublicNotice,
    ];
    let mut docs = Vec::new();
    for i in 0..10usize {
        let kind = kinds[i % 3];
        let status = match (i < 3, kind) {
            (true, _) => DocStatus::Draft,
            (false, DocKind::PublicNotice) => [
                DocStatus::Published,
                DocStatus::Superseded,
                DocStatus::Withdrawn,
            ][i % 3],
            (false, _) => DocStatus::Submitted,
        };
        let day = |n: usize| Some(jiff::civil::date(2020, 5, 1 + (n % 9) as i8));
        let now = jiff::Timestamp::now();
        docs.push(RectDocument {
            id: Id::new(),
            kind,
            inspection_id: w.insp.id,
            unit_id: w.unit,
            title: format!("整改文书{}", (i * 7) % 10),
            body: "正文".into(),
            addressee: String::new(),
            issuer: String::new(),
            contact: Contact::default(),
            status,
            revision: 1,
            created: Signature {
                by: None,
                name: "联络员".into(),
                at: now,
            },
            submitted: None,
            submitted_on: if i < 3 { None } else { day(i * 5) },
            decided: None,
            decision_comment: String::new(),
            published_on: if matches!(status, DocStatus::Published | DocStatus::Superseded) {
                day(i * 2)
            } else {
                None
            },
            version: 1,
            updated_at: now,
        });
    }
    let mut tx = s.store.write().await.unwrap();
    for d in &docs {
        tx.insert_rect_document(d).await.expect("a document");
    }
    tx.commit().await.unwrap();
    for who in [&w.office, &w.principal, &w.member] {
        crate::harness::every_sort_meets_every_row(
            &docs,
            10,
            3,
            |d| d.id,
            |sort: DocSort, d| sort.key_of(d),
            async |sort, at| {
                s.rect_document_page(who, &DocFilter::default(), sort, at, 3)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
            },
            |e| e.document.id,
        )
        .await;
    }
    let outsider = user_with_role(&s, "zzb_staff2", Some("自治区党委组织部"), "unit_staff").await;
    let own_office = user_with_role(&s, "xcb_office", Some("自治区党委宣传部"), "office").await;
    for who in [&outsider, &own_office] {
        let none = s
            .rect_document_page(who, &DocFilter::default(), DocSort::default(), None, 3)
            .await
            .expect("a list with nothing in it");
        assert_eq!((none.total, none.items.len()), (0, 0));
    }
    let notices = s
        .rect_document_page(
            &w.office,
            &DocFilter {
                kinds: vec![DocKind::PublicNotice],
                q: Some("文书".into()),
                ..Default::default()
            },
            DocSort::default(),
            None,
            3,
        )
        .await
        .expect("the notices");
    assert_eq!(notices.total, 3);
    let found = s
        .rect_document_page(
            &w.principal,
            &DocFilter {
                q: Some("文书3".into()),
                ..Default::default()
            },
            DocSort::default(),
            None,
            3,
        )
        .await
        .expect("by title");
    assert_eq!(found.total, 1);
}
