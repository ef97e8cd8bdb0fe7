//! Working papers, immediate-fix notices, reports and feedback: the chain from a problem found
//! to the feedback the unit reads, with who may see and do what at each step. The seed case
//! loads the article's inspection (第三巡视组 at 自治区党委宣传部) as it states it.

use std::sync::Arc;

use xunshi_core::audit::AuditRecord;
use xunshi_core::feedback::{FeedbackInput, FeedbackStatus};
use xunshi_core::inspection::{Inspection, InspectionInput, Stage};
use xunshi_core::paper::{
    NoticeAnswer, NoticeInput, NoticeReview, NoticeStatus, Problem, ProblemInput, ProblemStatus,
    ResponsibilityType,
};
use xunshi_core::permission::Actor;
use xunshi_core::report::{
    Decision, DiffOp, ReportInput, ReportStatus, ReportVersionInput, StepInput, StepKind,
};
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::service::{
    PaperDecision, PlanInput, RoundInput, StageChange, TermInput, Withdrawal,
};
use xunshi_core::store::ProblemFilter;
use xunshi_core::taxonomy::{CategoryInput, TaxonomyVersionInput};
use xunshi_core::{CoreError, Id};
use xunshi_store::LocalBlobs;

use crate::harness::{
    Svc, audit_of_action, audit_of_object, bad_fields, expect_err, new_unit, new_user,
    user_with_role,
};

/// The category ids the migration ships (2017 version).
pub const POLITICAL: &str = "00000000-0000-7000-8001-000000201701";
pub const ORGANIZATIONAL: &str = "00000000-0000-7000-8001-000000201703";
pub const INTEGRITY: &str = "00000000-0000-7000-8001-000000201706";

/// An inspection on site, with everyone who has a part in it.
pub struct World {
    pub insp: Inspection,
    pub unit: Id,
    pub lead: Actor,
    pub member: Actor,
    pub office: Actor,
    pub leadership: Actor,
    pub principal: Actor,
    pub liaison: Actor,
    pub staff: Actor,
    /// A member of another inspection's team.
    pub stranger: Actor,
    pub discipline: Actor,
}

/// A user with a team role on one inspection. Team grants are made when teams are formed (the
/// teams area); the services only read them from the actor, so the case builds the actor.
async fn team_actor(s: &Svc, username: &str, display: &str, role: Role, insp: Id) -> Actor {
    let mut u = new_user(s, username, None, None).await;
    u.display_name = display.to_owned();
    let grant = Grant {
        id: Id::new(),
        user_id: u.id,
        role,
        scope: Scope::Inspection(insp),
        granted_by: None,
        created_at: jiff::Timestamp::now(),
    };
    Actor::user(u, vec![grant], None)
}

pub async fn world(s: &Svc) -> World {
    let sys = Actor::system();
    let committee = new_unit(s, "自治区党委", None).await;
    let unit = new_unit(s, "自治区党委宣传部", Some(committee.id)).await;
    new_unit(s, "自治区党委组织部", Some(committee.id)).await;
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
                number: 4,
                name: String::new(),
            },
        )
        .await
        .expect("round");
    let new_insp = |team: &str, target: &str| InspectionInput {
        round_id: round.id.to_string(),
        team_name: team.into(),
        targets: vec![target.into()],
        kind: "routine".into(),
        planned_entry: Some("2019-09-18".into()),
        ..Default::default()
    };
    let insp = s
        .create_inspection(&sys, &new_insp("第三巡视组", "自治区党委宣传部"))
        .await
        .expect("inspection");
    let other = s
        .create_inspection(&sys, &new_insp("第四巡视组", "自治区党委组织部"))
        .await
        .expect("another inspection");
    let insp = move_to(s, &insp, Stage::Preparation, None).await;
    let insp = move_to(s, &insp, Stage::OnSite, Some("2019-09-18")).await;
    World {
        unit: unit.id,
        lead: team_actor(s, "yujie", "于洁", Role::TeamLeader, insp.id).await,
        member: team_actor(s, "member1", "巡视组成员甲", Role::TeamMember, insp.id).await,
        stranger: team_actor(s, "member4", "第四组成员", Role::TeamMember, other.id).await,
        office: user_with_role(s, "office1", None, "office").await,
        leadership: user_with_role(s, "leader1", None, "leadership").await,
        principal: user_with_role(s, "fanxiaoli", Some("自治区党委宣传部"), "unit_principal").await,
        liaison: user_with_role(s, "liaison1", Some("自治区党委宣传部"), "unit_liaison").await,
        staff: user_with_role(s, "staff1", Some("自治区党委宣传部"), "unit_staff").await,
        discipline: user_with_role(s, "jiwei1", None, "discipline").await,
        insp,
    }
}

pub async fn move_to(s: &Svc, insp: &Inspection, to: Stage, date: Option<&str>) -> Inspection {
    let current = s
        .get_inspection(&Actor::system(), insp.id)
        .await
        .expect("read the inspection")
        .0;
    s.change_stage(
        &Actor::system(),
        insp.id,
        &StageChange {
            version: current.version,
            to,
            date: date.map(str::to_owned),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("move to {to:?}: {e}"))
}

pub async fn current(s: &Svc, insp: Id) -> Inspection {
    s.get_inspection(&Actor::system(), insp)
        .await
        .expect("read the inspection")
        .0
}

/// Archives an inspection in place, as the generator writes one, whatever still runs in it.
pub async fn archive_in_place(s: &Svc, insp: Id) {
    use xunshi_core::store::{PlanningWrite, Store, WriteTx};
    let mut i = current(s, insp).await;
    i.stage = Stage::Archived;
    i.version += 1;
    let mut tx = s.store.write().await.unwrap();
    tx.update_inspection(&i).await.unwrap();
    tx.commit().await.unwrap();
}

/// The archive's rule, for the papers' kinds of record the demo does not make: a paper's
/// evidence and an immediate-fix notice of an archived inspection are its records, and no
/// more of either is added.
pub async fn an_archived_inspections_papers_and_notices_are_read_only(s: Svc) {
    use xunshi_core::store::{ArchiveRead, Store};
    let w = world(&s).await;
    let dir = tempfile::tempdir().expect("a folder for blobs");
    let s = s.with_blobs(Arc::new(LocalBlobs::new(dir.path().join("blobs"))));
    let p = s
        .create_problem(
            &w.member,
            w.insp.id,
            &paper(INTEGRITY, "公务接待审批把关不严"),
        )
        .await
        .unwrap();
    let e = s
        .upload_evidence(&w.member, p.id, "接待清单.txt", "清单".as_bytes().to_vec())
        .await
        .unwrap();
    let input = NoticeInput {
        unit_id: None,
        problem_id: Some(p.id.to_string()),
        content: "立即清退超标准接待费用。".into(),
        issued_on: Some("2019-10-15".into()),
        due_on: Some("2019-10-31".into()),
    };
    let n = s.issue_notice(&w.lead, w.insp.id, &input).await.unwrap();
    {
        let mut tx = s.store.read().await.unwrap();
        assert_eq!(tx.archived_owner("evidence", e.id).await.unwrap(), None);
        assert_eq!(tx.archived_owner("notice", n.id).await.unwrap(), None);
    }

    archive_in_place(&s, w.insp.id).await;
    let team = current(&s, w.insp.id).await.team_name;
    {
        let mut tx = s.store.read().await.unwrap();
        assert_eq!(
            tx.archived_owner("evidence", e.id).await.unwrap(),
            Some(team.clone())
        );
        assert_eq!(
            tx.archived_owner("notice", n.id).await.unwrap(),
            Some(team.clone())
        );
        assert_eq!(
            tx.archived_owner("problem", p.id).await.unwrap(),
            Some(team)
        );
    }
    let before = s.list_evidence(&w.member, p.id).await.unwrap().len();
    expect_err!(
        s.upload_evidence(&w.member, p.id, "补充.txt", b"note".to_vec())
            .await,
        CoreError::RuleRefused(_)
    );
    expect_err!(
        s.issue_notice(&w.lead, w.insp.id, &input).await,
        CoreError::RuleRefused(_)
    );
    assert_eq!(
        s.list_evidence(&w.member, p.id).await.unwrap().len(),
        before
    );
}

pub fn paper(category: &str, title: &str) -> ProblemInput {
    ProblemInput {
        category_id: category.into(),
        target_unit_id: None,
        title: title.into(),
        facts: format!("{title}的具体事实。"),
        rule_broken: "违反《中国共产党宣传工作条例》有关规定。".into(),
        responsibility: "部领导班子负主体责任。".into(),
        responsibility_types: vec!["principal".into()],
        severity: Some("一般".into()),
    }
}

pub fn decision(version: i64, comment: &str) -> PaperDecision {
    PaperDecision {
        version,
        comment: comment.into(),
    }
}

/// Drafts, approves and signs a paper.
pub async fn signed_paper(s: &Svc, w: &World, category: &str, title: &str) -> Problem {
    let p = s
        .create_problem(&w.member, w.insp.id, &paper(category, title))
        .await
        .unwrap_or_else(|e| panic!("draft {title}: {e}"));
    let p = s
        .approve_problem(&w.lead, p.id, &decision(p.version, "组务会审议通过"))
        .await
        .expect("approve");
    s.sign_problem(&w.lead, p.id, &decision(p.version, ""))
        .await
        .expect("sign")
}

fn step(version: i64, decision: &str, comment: &str, date: Option<&str>) -> StepInput {
    StepInput {
        version,
        decision: decision.into(),
        comment: comment.into(),
        meeting_date: date.map(str::to_owned),
    }
}

fn mentions(records: &[AuditRecord], text: &str) -> bool {
    records.iter().any(|r| r.summary.contains(text))
}

// ---------------------------------------------------------------------------------------------

pub async fn the_taxonomy_ships_two_versions_and_the_office_adds_more(s: Svc) {
    let w = world(&s).await;
    let all = s.taxonomies(&w.member).await.expect("taxonomies");
    let names: Vec<_> = all.iter().map(|t| t.version.name.as_str()).collect();
    assert_eq!(names, ["2017版（六大纪律/党的建设）", "2020版（四个落实）"]);
    let headings: Vec<_> = all[0].categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        headings,
        [
            "政治建设",
            "思想建设",
            "组织建设",
            "作风建设",
            "纪律建设",
            "党风廉政建设和反腐败斗争",
            "落实上轮巡视整改"
        ]
    );
    assert_eq!(all[1].categories.len(), 4, "the four implementations");
    assert_eq!(
        s.taxonomy_for(&w.member, w.insp.id).await.unwrap(),
        Some(all[0].version.id),
        "an inspection entering in 2019 uses the 2017 headings"
    );

    let input = TaxonomyVersionInput {
        code: "2024".into(),
        name: "2024版".into(),
        valid_from: "2024-03-01".into(),
    };
    expect_err!(
        s.create_taxonomy_version(&w.lead, &input).await,
        CoreError::Forbidden(_)
    );
    let v = s
        .create_taxonomy_version(&w.office, &input)
        .await
        .expect("the office adds a version");
    let e = expect_err!(
        s.create_taxonomy_version(&w.office, &input).await,
        CoreError::Conflict(_)
    );
    assert!(e.to_string().contains("已有代码"), "{e}");
    let first = s
        .add_category(
            &w.office,
            v.id,
            &CategoryInput {
                code: "political".into(),
                name: "政治监督".into(),
            },
        )
        .await
        .expect("add a category");
    let second = s
        .add_category(
            &w.office,
            v.id,
            &CategoryInput {
                code: "governance".into(),
                name: "全面从严治党".into(),
            },
        )
        .await
        .expect("add another");
    assert_eq!((first.position, second.position), (1, 2));
    expect_err!(
        s.add_category(
            &w.office,
            v.id,
            &CategoryInput {
                code: "other".into(),
                name: "政治监督".into(),
            },
        )
        .await,
        CoreError::Conflict(_)
    );
    expect_err!(
        s.add_category(&w.office, Id::new(), &CategoryInput::default())
            .await,
        CoreError::BadInput(_) | CoreError::NotFound(_)
    );
    let all = s.taxonomies(&w.leadership).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].categories.len(), 2);
    assert_eq!(audit_of_action(&s, "category_created").await.len(), 2);
}

pub async fn a_paper_is_drafted_approved_and_signed(s: Svc) {
    let w = world(&s).await;
    let mut input = paper(POLITICAL, "落实党管宣传思想文化职责存在薄弱点");
    input.rule_broken = String::new();
    input.responsibility_types = vec![];
    input.facts = "对部分领域统筹不够，绝密的事实细节。".into();
    let p = s
        .create_problem(&w.member, w.insp.id, &input)
        .await
        .expect("a member drafts");
    assert_eq!((p.seq, p.status, p.version), (1, ProblemStatus::Draft, 1));
    assert_eq!(p.target_unit_id, w.unit, "the one target is taken");
    assert_eq!(p.created.name, "巡视组成员甲");
    let second = s
        .create_problem(&w.member, w.insp.id, &paper(POLITICAL, "另一问题"))
        .await
        .unwrap();
    assert_eq!(second.seq, 2, "papers are numbered within the inspection");

    // Nobody outside the team writes papers.
    for who in [&w.office, &w.leadership] {
        expect_err!(
            s.create_problem(who, w.insp.id, &paper(POLITICAL, "x"))
                .await,
            CoreError::Forbidden(_)
        );
    }
    for who in [&w.stranger, &w.principal, &w.discipline] {
        expect_err!(
            s.create_problem(who, w.insp.id, &paper(POLITICAL, "x"))
                .await,
            CoreError::NotFound(_)
        );
    }
    let mut bad = paper(POLITICAL, "x");
    bad.target_unit_id = Some(Id::new().to_string());
    bad.category_id = Id::new().to_string();
    let e = expect_err!(
        s.create_problem(&w.member, w.insp.id, &bad).await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["category_id"]);

    // The meeting cannot approve an incomplete paper, and only the lead records it.
    expect_err!(
        s.approve_problem(&w.member, p.id, &decision(1, "")).await,
        CoreError::Forbidden(_)
    );
    let e = expect_err!(
        s.approve_problem(&w.lead, p.id, &decision(1, "")).await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["rule_broken", "responsibility_types"]);

    let mut full = input.clone();
    full.rule_broken = "违反《中国共产党宣传工作条例》第十条。".into();
    full.responsibility_types = vec!["主体责任".into(), "first_responsible".into()];
    expect_err!(
        s.update_problem(&w.member, p.id, 0, &full).await,
        CoreError::StaleVersion(_)
    );
    let p = s
        .update_problem(&w.member, p.id, 1, &full)
        .await
        .expect("edit the draft");
    assert_eq!(
        p.responsibility_types,
        [
            ResponsibilityType::Principal,
            ResponsibilityType::FirstResponsible
        ]
    );
    let p = s
        .approve_problem(&w.lead, p.id, &decision(p.version, "2019年11月组务会审议"))
        .await
        .expect("the team meeting approves");
    assert_eq!(p.status, ProblemStatus::Approved);
    assert_eq!(p.approved.as_ref().unwrap().name, "于洁");
    expect_err!(
        s.update_problem(&w.member, p.id, p.version, &full).await,
        CoreError::RuleRefused(_)
    );
    expect_err!(
        s.withdraw_problem(&w.member, p.id, &decision(p.version, "不成立"))
            .await,
        CoreError::RuleRefused(_)
    );

    // Returned with a reason, the paper is a draft again and loses the approval.
    let e = expect_err!(
        s.return_problem(&w.lead, p.id, &decision(p.version, " "))
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["comment"]);
    let p = s
        .return_problem(&w.lead, p.id, &decision(p.version, "事实需补充佐证"))
        .await
        .expect("returned");
    assert_eq!(p.status, ProblemStatus::Draft);
    assert!(p.approved.is_none());
    assert_eq!(p.status_note.as_deref(), Some("事实需补充佐证"));
    expect_err!(
        s.sign_problem(&w.lead, p.id, &decision(p.version, ""))
            .await,
        CoreError::RuleRefused(_)
    );
    let p = s
        .approve_problem(&w.lead, p.id, &decision(p.version, ""))
        .await
        .unwrap();
    let p = s
        .sign_problem(&w.lead, p.id, &decision(p.version, ""))
        .await
        .expect("the leader signs");
    assert_eq!(p.status, ProblemStatus::Signed);
    assert_eq!(p.signed.as_ref().unwrap().name, "于洁");
    for r in [
        s.return_problem(&w.lead, p.id, &decision(p.version, "再改"))
            .await,
        s.withdraw_problem(&w.lead, p.id, &decision(p.version, "不要了"))
            .await,
        s.sign_problem(&w.lead, p.id, &decision(p.version, ""))
            .await,
    ] {
        expect_err!(r, CoreError::RuleRefused(_));
    }
    let stored = s.get_problem(&w.office, p.id).await.expect("office reads");
    assert_eq!(stored.problem.version, p.version);
    assert_eq!(stored.category.name, "政治建设");
    assert!(!stored.rights.edit && !stored.rights.sign);

    // A draft found unfounded is withdrawn, never deleted.
    let gone = s
        .withdraw_problem(
            &w.member,
            second.id,
            &decision(second.version, "经核实不成立"),
        )
        .await
        .expect("withdraw a draft");
    assert_eq!(gone.status, ProblemStatus::Withdrawn);
    let listed = s
        .list_problems(&w.lead, w.insp.id, &ProblemFilter::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let signed_only = s
        .list_problems(
            &w.lead,
            w.insp.id,
            &ProblemFilter {
                status: Some(ProblemStatus::Signed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(signed_only.len(), 1);
    assert_eq!(signed_only[0].category_name, "政治建设");

    // Every move is in the trail, and the trail never copies the paper's text.
    let trail = audit_of_object(&s, "problem", p.id).await;
    let actions: Vec<_> = trail.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "problem_created",
            "problem_updated",
            "problem_approved",
            "problem_returned",
            "problem_approved",
            "problem_signed",
            "problem_viewed"
        ]
    );
    assert!(!mentions(&trail, "绝密"), "the facts stay out of the trail");
    assert!(mentions(&trail, "rule_broken"), "changed fields are named");
}

pub async fn concurrent_decisions_on_one_paper_let_one_win(s: Svc) {
    let w = world(&s).await;
    let p = s
        .create_problem(&w.member, w.insp.id, &paper(POLITICAL, "问题"))
        .await
        .unwrap();
    let s = Arc::new(s);
    let lead = w.lead.clone();
    let results = crate::harness::all_at_once(4, move |_| {
        let (s, lead) = (s.clone(), lead.clone());
        async move { s.approve_problem(&lead, p.id, &decision(1, "")).await }
    })
    .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, CoreError::StaleVersion(_)))
    );
}

pub async fn papers_are_read_by_team_office_and_leadership_never_the_unit(s: Svc) {
    let w = world(&s).await;
    let p = signed_paper(&s, &w, POLITICAL, "落实党管宣传思想文化职责存在薄弱点").await;
    for who in [&w.member, &w.lead, &w.office, &w.leadership] {
        let list = s
            .list_problems(who, w.insp.id, &ProblemFilter::default())
            .await
            .expect("reads the list");
        assert_eq!(list.len(), 1);
        s.get_problem(who, p.id).await.expect("reads the paper");
    }
    let rights = s.get_problem(&w.leadership, p.id).await.unwrap().rights;
    assert!(!rights.edit && !rights.upload && !rights.approve);
    assert_eq!(
        audit_of_action(&s, "problem_viewed").await.len(),
        5,
        "each read of a paper is recorded"
    );
    for who in [
        &w.principal,
        &w.liaison,
        &w.staff,
        &w.stranger,
        &w.discipline,
    ] {
        expect_err!(
            s.list_problems(who, w.insp.id, &ProblemFilter::default())
                .await,
            CoreError::NotFound(_)
        );
        expect_err!(s.get_problem(who, p.id).await, CoreError::NotFound(_));
        expect_err!(s.list_reports(who, w.insp.id).await, CoreError::NotFound(_));
    }
}

pub async fn evidence_is_stored_once_by_hash_and_checked(s: Svc) {
    let w = world(&s).await;
    let no_blobs = s.clone();
    let dir = tempfile::tempdir().expect("a folder for blobs");
    let s = s.with_blobs(Arc::new(LocalBlobs::new(dir.path().join("blobs"))));
    let p = s
        .create_problem(&w.member, w.insp.id, &paper(POLITICAL, "问题一"))
        .await
        .unwrap();
    let q = s
        .create_problem(&w.member, w.insp.id, &paper(ORGANIZATIONAL, "问题二"))
        .await
        .unwrap();
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF".to_vec();

    expect_err!(
        no_blobs
            .upload_evidence(&w.member, p.id, "会议记录.pdf", pdf.clone())
            .await,
        CoreError::Internal(_)
    );
    let e = s
        .upload_evidence(&w.member, p.id, "C:\\材料\\会议记录.pdf", pdf.clone())
        .await
        .expect("upload");
    assert_eq!(e.filename, "会议记录.pdf");
    assert_eq!(e.size, pdf.len() as i64);
    assert_eq!(e.content_type, "application/pdf");
    assert_eq!(e.sha256, xunshi_core::paper::sha256_hex(&pdf));
    assert_eq!(e.uploaded.name, "巡视组成员甲");

    // The same content again: refused on the same paper, attached to another without a
    // second copy on disk.
    expect_err!(
        s.upload_evidence(&w.member, p.id, "副本.pdf", pdf.clone())
            .await,
        CoreError::Conflict(_)
    );
    let e2 = s
        .upload_evidence(&w.lead, q.id, "会议记录.pdf", pdf.clone())
        .await
        .expect("the same file on another paper");
    assert_eq!(e2.sha256, e.sha256);
    let stored: Vec<_> = walk(&dir.path().join("blobs"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].ends_with(&e.sha256));

    // Types are checked by extension and content; size and emptiness too.
    for (name, bytes) in [
        ("tool.exe", b"MZ\x90\x00".to_vec()),
        ("报告.pdf", b"MZ\x90\x00".to_vec()),
        ("空.txt", Vec::new()),
        (
            "大.txt",
            vec![b'a'; xunshi_core::paper::MAX_EVIDENCE_BYTES + 1],
        ),
    ] {
        let err = expect_err!(
            s.upload_evidence(&w.member, p.id, name, bytes).await,
            CoreError::BadInput(_)
        );
        assert_eq!(bad_fields(&err), ["file"], "{name}");
    }
    let png = s
        .upload_evidence(
            &w.member,
            p.id,
            "现场.png",
            b"\x89PNG\r\n\x1a\nrest".to_vec(),
        )
        .await
        .expect("a picture");
    assert_eq!(png.content_type, "image/png");

    // Reading: the team, the office, the leadership; each download recorded. Not the unit.
    let (meta, bytes) = s
        .download_evidence(&w.leadership, e.id)
        .await
        .expect("download");
    assert_eq!((meta.id, bytes), (e.id, pdf.clone()));
    assert_eq!(audit_of_action(&s, "evidence_downloaded").await.len(), 1);
    for who in [&w.principal, &w.stranger] {
        expect_err!(s.download_evidence(who, e.id).await, CoreError::NotFound(_));
        expect_err!(s.list_evidence(who, p.id).await, CoreError::NotFound(_));
    }
    expect_err!(
        s.upload_evidence(&w.office, p.id, "x.txt", b"x".to_vec())
            .await,
        CoreError::Forbidden(_)
    );

    // Withdrawn, never replaced: the file stays listed with the reason.
    expect_err!(
        s.withdraw_evidence(&w.member, png.id, &Withdrawal { reason: " ".into() })
            .await,
        CoreError::BadInput(_)
    );
    let gone = s
        .withdraw_evidence(
            &w.member,
            png.id,
            &Withdrawal {
                reason: "误传，与本问题无关".into(),
            },
        )
        .await
        .expect("withdraw");
    assert_eq!(gone.withdrawn_reason.as_deref(), Some("误传，与本问题无关"));
    expect_err!(
        s.withdraw_evidence(
            &w.member,
            png.id,
            &Withdrawal {
                reason: "再撤".into()
            }
        )
        .await,
        CoreError::Conflict(_)
    );
    let list = s.list_evidence(&w.office, p.id).await.unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().any(|x| x.id == png.id && x.withdrawn.is_some()));
    let summary = s
        .list_problems(&w.office, w.insp.id, &ProblemFilter::default())
        .await
        .unwrap();
    assert_eq!(
        summary[0].evidence_count, 1,
        "withdrawn files are not counted"
    );

    // Once the meeting approved the paper, its files are fixed.
    let p = s.get_problem(&w.lead, p.id).await.unwrap().problem;
    let p = s
        .approve_problem(&w.lead, p.id, &decision(p.version, ""))
        .await
        .unwrap();
    expect_err!(
        s.upload_evidence(&w.member, p.id, "补充.txt", b"note".to_vec())
            .await,
        CoreError::RuleRefused(_)
    );
}

fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd {
            let e = e.unwrap().path();
            if e.is_dir() {
                out.extend(walk(&e));
            } else {
                out.push(e);
            }
        }
    }
    out
}

pub async fn notices_are_issued_answered_and_reviewed(s: Svc) {
    let w = world(&s).await;
    let p = s
        .create_problem(
            &w.member,
            w.insp.id,
            &paper(INTEGRITY, "对个别直属单位资金项目监管不够严格"),
        )
        .await
        .unwrap();
    let input = NoticeInput {
        unit_id: None,
        problem_id: Some(p.id.to_string()),
        content: "立即清理违规发放的津贴补贴。".into(),
        issued_on: Some("2019-10-15".into()),
        due_on: Some("2019-10-31".into()),
    };
    expect_err!(
        s.issue_notice(&w.member, w.insp.id, &input).await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.issue_notice(&w.principal, w.insp.id, &input).await,
        CoreError::NotFound(_)
    );
    let n = s
        .issue_notice(&w.lead, w.insp.id, &input)
        .await
        .expect("the leader issues");
    assert_eq!(
        (n.seq, n.status, n.unit_id),
        (1, NoticeStatus::Issued, w.unit)
    );

    // The unit's principal and liaison see it — but not the paper behind it.
    for who in [&w.principal, &w.liaison] {
        let board = s.notice_board(who, w.insp.id).await.expect("the unit sees");
        assert_eq!(board.notices.len(), 1);
        assert_eq!(board.notices[0].problem_id, None);
        assert_eq!(board.answers_for, [w.unit]);
        assert!(!board.can_issue);
    }
    let mine = s.my_notices(&w.principal).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].1, "第三巡视组");
    let board = s.notice_board(&w.office, w.insp.id).await.unwrap();
    assert_eq!(
        board.notices[0].problem_id,
        Some(p.id),
        "the team side sees the link"
    );
    for who in [&w.staff, &w.stranger, &w.discipline] {
        expect_err!(s.notice_board(who, w.insp.id).await, CoreError::NotFound(_));
    }

    let answer = NoticeAnswer {
        version: n.version,
        answer: "已全部清退。".into(),
    };
    expect_err!(
        s.answer_notice(&w.lead, n.id, &answer).await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.answer_notice(&w.staff, n.id, &answer).await,
        CoreError::NotFound(_)
    );
    let n = s
        .answer_notice(&w.liaison, n.id, &answer)
        .await
        .expect("the liaison answers");
    assert_eq!(n.status, NoticeStatus::Answered);
    assert_eq!(n.answer.as_deref(), Some("已全部清退。"));
    assert_eq!(n.problem_id, None);
    expect_err!(
        s.answer_notice(
            &w.principal,
            n.id,
            &NoticeAnswer {
                version: n.version,
                answer: "再答".into()
            }
        )
        .await,
        CoreError::RuleRefused(_)
    );

    let back = NoticeReview {
        version: n.version,
        accept: false,
        comment: String::new(),
    };
    expect_err!(
        s.review_notice(&w.lead, n.id, &back).await,
        CoreError::Unfit(_)
    );
    let n = s
        .review_notice(
            &w.lead,
            n.id,
            &NoticeReview {
                comment: "尚有两人未清退".into(),
                ..back
            },
        )
        .await
        .expect("sent back");
    assert_eq!(n.status, NoticeStatus::Issued);
    let n = s
        .answer_notice(
            &w.principal,
            n.id,
            &NoticeAnswer {
                version: n.version,
                answer: "已全部清退，附凭证。".into(),
            },
        )
        .await
        .unwrap();
    let n = s
        .review_notice(
            &w.lead,
            n.id,
            &NoticeReview {
                version: n.version,
                accept: true,
                comment: "整改到位".into(),
            },
        )
        .await
        .expect("closed");
    assert_eq!(n.status, NoticeStatus::Closed);
    assert_eq!(audit_of_action(&s, "notice_answered").await.len(), 2);
}

pub async fn a_report_goes_through_versions_and_the_approval_chain(s: Svc) {
    let w = world(&s).await;
    let a = signed_paper(&s, &w, POLITICAL, "落实党管宣传思想文化职责存在薄弱点").await;
    let b = signed_paper(&s, &w, ORGANIZATIONAL, "领导机关党建工作不够深入").await;
    // A paper still in draft is never in a report.
    let draft = s
        .create_problem(&w.member, w.insp.id, &paper(POLITICAL, "草稿问题"))
        .await
        .unwrap();

    let r = s
        .create_report(
            &w.member,
            w.insp.id,
            &ReportInput {
                kind: "main".into(),
                title: "关于巡视自治区党委宣传部党组织的情况报告".into(),
            },
        )
        .await
        .expect("open the report");
    expect_err!(
        s.create_report(
            &w.lead,
            w.insp.id,
            &ReportInput {
                kind: "main".into(),
                title: "又一份".into()
            }
        )
        .await,
        CoreError::Conflict(_)
    );
    expect_err!(
        s.create_report(
            &w.office,
            w.insp.id,
            &ReportInput {
                kind: "special".into(),
                title: "专题".into()
            }
        )
        .await,
        CoreError::Forbidden(_)
    );
    let with =
        |version, assessment: &str, ids: Option<Vec<Id>>, recs: &[&str]| ReportVersionInput {
            version,
            assessment: assessment.into(),
            problem_ids: ids.map(|v| v.iter().map(Id::to_string).collect()),
            recommendations: recs.iter().map(|s| s.to_string()).collect(),
            note: String::new(),
        };
    let e = expect_err!(
        s.add_report_version(
            &w.member,
            r.id,
            &with(r.version, "评价", Some(vec![draft.id]), &["建议"])
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["problem_ids"]);
    let v1 = s
        .add_report_version(
            &w.member,
            r.id,
            &with(
                1,
                "总体较好。\n机关干事创业氛围浓厚。",
                None,
                &["牢固树立大局意识"],
            ),
        )
        .await
        .expect("first draft");
    assert_eq!(v1.number, 1);
    assert_eq!(v1.problems.len(), 2, "every signed paper by default");
    expect_err!(
        s.add_report_version(&w.member, r.id, &with(1, "x", None, &["y"]))
            .await,
        CoreError::StaleVersion(_)
    );
    let v2 = s
        .add_report_version(
            &w.lead,
            r.id,
            &with(
                2,
                "总体较好。\n为广西提供了思想保证。",
                Some(vec![a.id]),
                &["牢固树立大局意识", "全面落实党建工作主体责任"],
            ),
        )
        .await
        .expect("second draft");
    assert_eq!(v2.problems.len(), 1);

    let diff = s.report_diff(&w.office, r.id, 1, 2).await.expect("diff");
    let has = |op, text: &str| diff.iter().any(|l| l.op == op && l.text == text);
    assert!(has(DiffOp::Same, "总体较好。"));
    assert!(has(DiffOp::Removed, "机关干事创业氛围浓厚。"));
    assert!(has(DiffOp::Added, "为广西提供了思想保证。"));
    assert!(has(DiffOp::Removed, "1. 领导机关党建工作不够深入"));
    assert!(has(DiffOp::Added, "二是全面落实党建工作主体责任"));
    expect_err!(
        s.report_diff(&w.office, r.id, 1, 9).await,
        CoreError::BadInput(_)
    );

    // The chain runs while the inspection reports.
    let r = s.report_detail(&w.lead, r.id).await.unwrap().report;
    expect_err!(
        s.decide_report(&w.lead, r.id, &step(r.version, "submit", "", None))
            .await,
        CoreError::RuleRefused(_)
    );
    move_to(&s, &w.insp, Stage::Reporting, Some("2019-12-18")).await;
    expect_err!(
        s.decide_report(&w.member, r.id, &step(r.version, "submit", "", None))
            .await,
        CoreError::Forbidden(_)
    );
    let r = s
        .decide_report(&w.lead, r.id, &step(r.version, "submit", "", None))
        .await
        .expect("submitted");
    assert_eq!(r.status, ReportStatus::AtTeamMeeting);
    expect_err!(
        s.add_report_version(&w.member, r.id, &with(r.version, "x", None, &["y"]))
            .await,
        CoreError::RuleRefused(_)
    );
    expect_err!(
        s.decide_report(&w.office, r.id, &step(r.version, "approve", "", None))
            .await,
        CoreError::Forbidden(_)
    );
    let r = s
        .decide_report(
            &w.lead,
            r.id,
            &step(r.version, "approve", "组务会同意", Some("2019-12-20")),
        )
        .await
        .expect("team meeting");
    assert_eq!(r.status, ReportStatus::AtOffice);
    expect_err!(
        s.decide_report(&w.lead, r.id, &step(r.version, "approve", "", None))
            .await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.decide_report(&w.leadership, r.id, &step(r.version, "approve", "", None))
            .await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.decide_report(&w.office, r.id, &step(r.version, "return", "", None))
            .await,
        CoreError::Unfit(_)
    );
    let r = s
        .decide_report(
            &w.office,
            r.id,
            &step(r.version, "return", "问题定性依据需补充", None),
        )
        .await
        .expect("the office returns it");
    assert_eq!(r.status, ReportStatus::Draft);

    let v3 = s
        .add_report_version(
            &w.member,
            r.id,
            &with(
                r.version,
                "总体较好。\n为广西提供了思想保证。",
                None,
                &["牢固树立大局意识", "全面落实党建工作主体责任"],
            ),
        )
        .await
        .unwrap();
    assert_eq!(v3.number, 3);
    let mut r = s.report_detail(&w.lead, r.id).await.unwrap().report;
    for (who, decision, date) in [
        (&w.lead, "submit", None),
        (&w.lead, "approve", Some("2019-12-23")),
        (&w.office, "approve", None),
    ] {
        r = s
            .decide_report(who, r.id, &step(r.version, decision, "", date))
            .await
            .unwrap_or_else(|e| panic!("{decision}: {e}"));
    }
    assert_eq!(r.status, ReportStatus::AtLeadingGroup);
    let e = expect_err!(
        s.decide_report(&w.office, r.id, &step(r.version, "approve", "", None))
            .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["meeting_date"]);
    expect_err!(
        s.decide_report(
            &w.office,
            r.id,
            &step(r.version, "approve", "", Some("2019-12-01"))
        )
        .await,
        CoreError::Unfit(_)
    );
    let r = s
        .decide_report(
            &w.office,
            r.id,
            &step(r.version, "approve", "领导小组听取汇报", Some("2020-01-06")),
        )
        .await
        .expect("leading group");
    assert_eq!(r.status, ReportStatus::AtCommittee);
    assert_eq!(
        current(&s, w.insp.id).await.dates.reported_to_group,
        Some(jiff::civil::date(2020, 1, 6))
    );
    expect_err!(
        s.decide_report(
            &w.office,
            r.id,
            &step(r.version, "approve", "", Some("2020-01-05"))
        )
        .await,
        CoreError::Unfit(_)
    );
    let r = s
        .decide_report(
            &w.office,
            r.id,
            &step(
                r.version,
                "approve",
                "书记专题会议听取汇报",
                Some("2020-01-16"),
            ),
        )
        .await
        .expect("committee");
    assert_eq!(r.status, ReportStatus::Approved);
    assert_eq!(
        current(&s, w.insp.id).await.dates.reported_to_committee,
        Some(jiff::civil::date(2020, 1, 16))
    );
    expect_err!(
        s.decide_report(&w.office, r.id, &step(r.version, "return", "再议", None))
            .await,
        CoreError::RuleRefused(_)
    );

    let d = s
        .report_detail(&w.leadership, r.id)
        .await
        .expect("leadership reads");
    assert_eq!(d.versions.len(), 3);
    let chain: Vec<_> = d.steps.iter().map(|s| (s.step, s.decision)).collect();
    use Decision::*;
    use StepKind::*;
    assert_eq!(
        chain,
        [
            (TeamMeeting, Submit),
            (TeamMeeting, Approve),
            (Office, Return),
            (TeamMeeting, Submit),
            (TeamMeeting, Approve),
            (Office, Approve),
            (LeadingGroup, Approve),
            (Committee, Approve),
        ]
    );
    assert_eq!(d.steps[2].comment, "问题定性依据需补充");
    assert_eq!(d.steps[2].report_version, 2);
    assert_eq!(
        d.steps[7].meeting_date,
        Some(jiff::civil::date(2020, 1, 16))
    );
    assert!(d.steps.iter().all(|s| !s.decided.name.is_empty()));
    assert!(d.rights.decide.is_none() && !d.rights.new_version);
    let _ = b;
}

pub async fn feedback_needs_an_approved_report_and_opens_only_itself_to_the_unit(s: Svc) {
    let w = world(&s).await;
    let p = signed_paper(&s, &w, POLITICAL, "协调督察全区意识形态工作力度不够").await;
    move_to(&s, &w.insp, Stage::Reporting, Some("2019-12-18")).await;
    let input = FeedbackInput {
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
    };
    expect_err!(
        s.save_feedback(&w.member, w.insp.id, &input).await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.save_feedback(&w.leadership, w.insp.id, &input).await,
        CoreError::Forbidden(_)
    );
    let fb = s
        .save_feedback(&w.office, w.insp.id, &input)
        .await
        .expect("the office drafts");
    assert_eq!(fb.status, FeedbackStatus::Draft);
    assert_eq!(fb.groups.len(), 1, "without a report: every signed paper");
    assert_eq!(fb.groups[0].items[0].problem_id, p.id);
    expect_err!(
        s.save_feedback(&w.lead, w.insp.id, &input).await,
        CoreError::StaleVersion(_)
    );
    assert!(
        s.get_feedback(&w.leadership, w.insp.id)
            .await
            .unwrap()
            .is_some()
    );
    for who in [&w.principal, &w.liaison, &w.staff] {
        expect_err!(s.get_feedback(who, w.insp.id).await, CoreError::NotFound(_));
    }
    let e = expect_err!(
        s.give_feedback(&w.lead, w.insp.id, fb.version).await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("审定"), "{e}");
    assert_eq!(current(&s, w.insp.id).await.stage, Stage::Reporting);
    let _ = p;
}

// ---------------------------------------------------------------------------------------------
// The seed: the article's inspection, from papers to the feedback the unit reads.

/// The problems as the article feeds them back, grouped as it groups them.
pub const SEED_PROBLEMS: &[(&str, &[&str])] = &[
    (
        POLITICAL,
        &[
            "落实党管宣传思想文化职责存在薄弱点",
            "统筹推进全区文化产业发展和中国特色哲学社会科学工作有差距",
            "协调督察全区意识形态工作力度不够",
            "挖掘培养文艺领军人才措施不够有力",
            "破解文明城市创建工作瓶颈问题力度不够强",
        ],
    ),
    (
        ORGANIZATIONAL,
        &[
            "领导机关党建工作不够深入",
            "督促规范党内政治生活不够扎实",
            "执行干部选拔任用有关规定不够到位",
        ],
    ),
    (
        INTEGRITY,
        &[
            "落实“两个责任”不够到位",
            "对个别直属单位资金项目监管不够严格",
        ],
    ),
];

pub const SEED_RECOMMENDATIONS: &[&str] = &[
    "牢固树立大局意识，切实履行统筹指导协调宣传思想文化工作职责",
    "全面落实党建工作主体责任，切实提高新时代选人用人科学化规范化水平",
    "切实履行从严治党政治职责，全面推进机关及直属单位廉政风险防控工作",
];

pub async fn the_seed_inspection_runs_from_papers_to_feedback(s: Svc) {
    let w = world(&s).await;
    for (category, titles) in SEED_PROBLEMS {
        for t in *titles {
            signed_paper(&s, &w, category, t).await;
        }
    }
    let insp = move_to(&s, &w.insp, Stage::Reporting, Some("2019-12-18")).await;
    assert_eq!(insp.dates.entry, Some(jiff::civil::date(2019, 9, 18)));
    assert_eq!(insp.dates.exit, Some(jiff::civil::date(2019, 12, 18)));

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
        .unwrap();
    let assessment = "自治区党委宣传部领导班子深入学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神，\
                      机关干事创业氛围浓厚。";
    s.add_report_version(
        &w.lead,
        r.id,
        &ReportVersionInput {
            version: r.version,
            assessment: assessment.into(),
            problem_ids: None,
            recommendations: SEED_RECOMMENDATIONS.iter().map(|s| s.to_string()).collect(),
            note: "初稿".into(),
        },
    )
    .await
    .unwrap();
    let mut r = s.report_detail(&w.lead, r.id).await.unwrap().report;
    for (who, decision, date) in [
        (&w.lead, "submit", None),
        (&w.lead, "approve", Some("2019-12-20")),
        (&w.office, "approve", None),
        (&w.office, "approve", Some("2020-01-06")),
        (&w.office, "approve", Some("2020-01-16")),
    ] {
        r = s
            .decide_report(who, r.id, &step(r.version, decision, "", date))
            .await
            .unwrap_or_else(|e| panic!("{decision}: {e}"));
    }
    assert_eq!(r.status, ReportStatus::Approved);

    // The feedback starts from the approved report.
    let mut input = s
        .feedback_defaults(&w.lead, w.insp.id)
        .await
        .expect("defaults");
    assert_eq!(input.assessment, assessment);
    assert_eq!(input.recommendations.len(), 3);
    assert_eq!(input.problem_ids.as_ref().map(Vec::len), Some(10));
    input.deadline = Some("2020-05-25".into());
    input.meeting_date = Some("2020-03-25".into());
    input.delivered_by = "自治区党委第三巡视组组长于洁".into();
    input.delivered_to = "自治区党委常委、宣传部部长范晓莉".into();
    input.presided_by = "范晓莉".into();
    let fb = s
        .save_feedback(&w.lead, w.insp.id, &input)
        .await
        .expect("drafted");

    // Before it is given the unit sees nothing: neither the feedback nor the papers.
    expect_err!(
        s.get_feedback(&w.principal, w.insp.id).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.get_inspection(&w.principal, w.insp.id).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.give_feedback(&w.member, w.insp.id, fb.version).await,
        CoreError::Forbidden(_)
    );
    let (given, insp) = s
        .give_feedback(&w.lead, w.insp.id, fb.version)
        .await
        .expect("feedback given");
    assert_eq!(given.status, FeedbackStatus::Given);
    assert_eq!(given.given.as_ref().unwrap().name, "于洁");
    assert_eq!(insp.stage, Stage::FeedbackGiven);
    assert_eq!(insp.dates.feedback, Some(jiff::civil::date(2020, 3, 25)));
    let stored = current(&s, w.insp.id).await;
    assert_eq!(stored.stage, Stage::FeedbackGiven);
    assert_eq!(stored.dates.feedback, Some(jiff::civil::date(2020, 3, 25)));
    assert_eq!(
        stored.dates.reported_to_group,
        Some(jiff::civil::date(2020, 1, 6))
    );
    assert_eq!(
        stored.dates.reported_to_committee,
        Some(jiff::civil::date(2020, 1, 16))
    );
    expect_err!(
        s.give_feedback(&w.lead, w.insp.id, given.version).await,
        CoreError::RuleRefused(_)
    );
    expect_err!(
        s.save_feedback(
            &w.lead,
            w.insp.id,
            &FeedbackInput {
                version: given.version,
                ..input.clone()
            }
        )
        .await,
        CoreError::RuleRefused(_)
    );

    // Now the unit reads its feedback, grouped as the article groups it …
    let seen = s
        .get_feedback(&w.principal, w.insp.id)
        .await
        .expect("the unit reads")
        .expect("there is one");
    let groups: Vec<(String, Vec<String>)> = seen
        .groups
        .iter()
        .map(|g| {
            (
                g.category_name.clone(),
                g.items.iter().map(|i| i.title.clone()).collect(),
            )
        })
        .collect();
    let expected: Vec<(String, Vec<String>)> = [
        ("政治建设", SEED_PROBLEMS[0].1),
        ("组织建设", SEED_PROBLEMS[1].1),
        ("党风廉政建设和反腐败斗争", SEED_PROBLEMS[2].1),
    ]
    .iter()
    .map(|(n, ts)| (n.to_string(), ts.iter().map(|t| t.to_string()).collect()))
    .collect();
    assert_eq!(groups, expected);
    assert_eq!(seen.recommendations, SEED_RECOMMENDATIONS);
    assert_eq!(seen.meeting.date, Some(jiff::civil::date(2020, 3, 25)));
    assert_eq!(seen.meeting.presided_by, "范晓莉");
    assert_eq!(seen.deadline, Some(jiff::civil::date(2020, 5, 25)));

    // … and nothing else of the inspection: not the papers, not the reports, not the files.
    for who in [&w.principal, &w.liaison, &w.staff] {
        expect_err!(
            s.list_problems(who, w.insp.id, &ProblemFilter::default())
                .await,
            CoreError::Forbidden(_)
        );
        let any = seen.groups[0].items[0].problem_id;
        expect_err!(s.get_problem(who, any).await, CoreError::Forbidden(_));
        expect_err!(
            s.list_reports(who, w.insp.id).await,
            CoreError::Forbidden(_)
        );
        expect_err!(s.report_detail(who, r.id).await, CoreError::Forbidden(_));
        expect_err!(
            s.report_diff(who, r.id, 1, 1).await,
            CoreError::Forbidden(_)
        );
    }
    // Other units' people still see nothing at all.
    expect_err!(
        s.get_feedback(&w.stranger, w.insp.id).await,
        CoreError::NotFound(_)
    );
    let given_records = audit_of_action(&s, "feedback_given").await;
    assert_eq!(given_records.len(), 1);
    assert!(given_records[0].summary.contains("2020-03-25"));
    let stage_records = audit_of_object(&s, "inspection", w.insp.id).await;
    assert!(stage_records.iter().any(|r| r.action == "inspection_stage_changed"
        && r.summary.contains("feedback_given")));
}

/// An inspection's papers sort by every column of their list, both ways, keyset-paged from
/// the first page and from the last, with the inspection's total under the filter; those who
/// may not read the papers get no page, nor its count.
pub async fn papers_sort_by_every_column_both_ways(s: Svc) {
    use xunshi_core::store::ProblemSort;
    let w = world(&s).await;
    let categories = [POLITICAL, ORGANIZATIONAL, INTEGRITY];
    let severities = ["一般", "严重", "较重"];
    let mut papers = Vec::new();
    for i in 0..10usize {
        let mut input = paper(categories[i % 3], &format!("问题{}", (i * 7) % 10));
        input.severity = Some(severities[(i * 5) % 3].into());
        let p = s
            .create_problem(&w.member, w.insp.id, &input)
            .await
            .unwrap_or_else(|e| panic!("draft {i}: {e:?}"));
        let p = if i % 4 == 1 {
            s.approve_problem(&w.lead, p.id, &decision(p.version, "组务会审议通过"))
                .await
                .expect("approve")
        } else {
            p
        };
        papers.push(p);
    }
    for who in [&w.member, &w.office] {
        crate::harness::every_sort_meets_every_row(
            &papers,
            10,
            3,
            |p| p.id,
            |sort: ProblemSort, p| sort.key_of(p),
            async |sort, at| {
                s.problem_page(who, w.insp.id, &ProblemFilter::default(), sort, at, 3)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
            },
            |p| p.id,
        )
        .await;
    }
    let page = |f: ProblemFilter| {
        let (s, w) = (&s, &w);
        async move {
            s.problem_page(&w.lead, w.insp.id, &f, ProblemSort::default(), None, 3)
                .await
                .expect("a page of papers")
        }
    };
    let found = page(ProblemFilter {
        q: Some("问题3".into()),
        ..Default::default()
    })
    .await;
    assert_eq!((found.total, found.items.len()), (1, 1));
    let approved = page(ProblemFilter {
        status: Some(ProblemStatus::Approved),
        ..Default::default()
    })
    .await;
    assert_eq!(approved.total, 3);
    let mut counts = s
        .problem_status_counts(&w.lead, w.insp.id)
        .await
        .expect("counts by status");
    counts.sort_by_key(|(st, _)| st.as_str());
    assert_eq!(
        counts,
        [(ProblemStatus::Approved, 3), (ProblemStatus::Draft, 7)]
    );
    for who in [&w.principal, &w.stranger] {
        expect_err!(
            s.problem_page(
                who,
                w.insp.id,
                &ProblemFilter::default(),
                ProblemSort::default(),
                None,
                3
            )
            .await,
            CoreError::NotFound(_)
        );
        expect_err!(
            s.problem_status_counts(who, w.insp.id).await,
            CoreError::NotFound(_)
        );
    }
}
