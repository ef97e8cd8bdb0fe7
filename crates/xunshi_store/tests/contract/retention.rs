//! 保管期限与销毁: the periods of an archived inspection's fieldwork materials, the list of what
//! is past them, and disposal by two office users that removes the records, what hangs on
//! them and their files, and records the hash of each — on every backend.

use std::sync::Arc;

use xunshi_core::crypto::HashAlg;
use xunshi_core::fieldwork::{
    CitationInput, CitingKind, FieldRecordInput, PublicSubmissionInput, SourceKind, TalkInput,
    TalkPlanInput,
};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::retention::{DisposalDecision, DisposalProposal, DisposalStatus, RetentionChange};
use xunshi_core::service::VerifyOutcome;
use xunshi_core::store::{LetterFilter, RetentionRead, RetentionWrite, Store, WriteTx};
use xunshi_core::{CoreError, Id};

use crate::fieldwork::{WRITER, letter, on_site};
use crate::harness::{Svc, audit_of_action, expect_err, user_with_role};
use crate::papers::{INTEGRITY, archive_in_place, paper};

fn proposal(insp: Id, kind: &str, reason: &str) -> DisposalProposal {
    DisposalProposal {
        inspection_id: insp.to_string(),
        kind: kind.into(),
        record_id: None,
        reason: reason.into(),
    }
}

/// A proposal of one record.
fn of_one(insp: Id, kind: &str, record: &str) -> DisposalProposal {
    DisposalProposal {
        record_id: Some(record.into()),
        ..proposal(insp, kind, "保管期满，经鉴定无继续保存价值")
    }
}

/// Archives `insp` on 2019-12-20 and sets the services' clock to 2031-03-02.
async fn archived_in_2019_seen_in_2031(s: &mut Svc, insp: Id) {
    archive_in_place(s, insp).await;
    let mut tx = s.store.write().await.unwrap();
    tx.mark_archived(insp, "2019-12-20".parse().unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let later: jiff::Timestamp = "2031-03-02T01:00:00Z".parse().unwrap();
    s.clock = Arc::new(move || later);
}

fn decision(word: &str, note: &str, version: i64) -> DisposalDecision {
    DisposalDecision {
        decision: word.into(),
        note: note.into(),
        version,
    }
}

pub async fn records_past_their_period_go_only_with_two_office_users(mut s: Svc) {
    let dir = tempfile::tempdir().unwrap();
    let (w, pool) = on_site(&mut s, dir.path()).await;
    let today = xunshi_core::service::today(s.now()).to_string();
    let blobs = dir.path().join("blobs");

    // The fieldwork of the inspection: a letter with a reply, a file and a paper citing it;
    // a talk under the talk plan; a forum's record whose file is also a paper's evidence.
    let code = s
        .submit_public_letter(
            &PublicSubmissionInput {
                inspection_id: w.insp.id.to_string(),
                content: "反映某处室长期虚报差旅费用的问题。".into(),
                name: WRITER.into(),
                contact: "微信 zhenshi".into(),
                ..Default::default()
            },
            vec![("差旅清单.txt".into(), b"travel claims".to_vec().into())],
        )
        .await
        .unwrap()
        .receipt;
    s.public_letter_add(&code, "补充：另有一笔会议费。")
        .await
        .unwrap();
    let l = s
        .letters_page(
            &w.lead,
            w.insp.id,
            &LetterFilter::default(),
            PageRequest::first(10),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let letter_file = s
        .add_fieldwork_file(
            &w.member,
            SourceKind::Letter,
            l.id,
            "举报材料.txt",
            b"letter only".to_vec(),
        )
        .await
        .unwrap();
    let p = s
        .create_problem(&w.member, w.insp.id, &paper(INTEGRITY, "违规收受礼金"))
        .await
        .unwrap();
    s.cite_source(
        &w.member,
        CitingKind::Problem,
        p.id,
        &CitationInput {
            source_kind: "letter".into(),
            source_id: l.id.to_string(),
        },
    )
    .await
    .unwrap();
    let entry = s
        .plan_talk(
            &w.member,
            w.insp.id,
            &TalkPlanInput {
                name: "范晓莉".into(),
                post: "部长".into(),
                group: "leadership".into(),
            },
        )
        .await
        .unwrap();
    s.record_talk(
        &w.member,
        w.insp.id,
        &TalkInput {
            interviewee_name: "范晓莉".into(),
            interviewee_post: "部长".into(),
            talked_on: today.clone(),
            place: "谈话室".into(),
            inspector_ids: pool.iter().map(|p| p.to_string()).collect(),
            text: "谈话记录正文。".into(),
            confirmed: true,
            plan_entry_id: Some(entry.id.to_string()),
        },
    )
    .await
    .unwrap();
    let forum = s
        .add_field_record(
            &w.member,
            w.insp.id,
            &FieldRecordInput {
                method: "forum".into(),
                held_on: today.clone(),
                participants: "处级干部".into(),
                summary: "座谈".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let shared = b"forum minutes, also a paper's evidence".to_vec();
    let minutes = s
        .add_fieldwork_file(
            &w.member,
            SourceKind::FieldRecord,
            forum.id,
            "座谈记录.txt",
            shared.clone(),
        )
        .await
        .unwrap();
    let evidence = s
        .upload_evidence(&w.member, p.id, "座谈记录.txt", shared)
        .await
        .unwrap();
    assert_eq!(minutes.sha256, evidence.sha256, "one content, stored once");

    // Nothing is due before archiving, and an inspection not archived cannot be disposed of.
    let office2 = user_with_role(&s, "office2", None, "office").await;
    expect_err!(
        s.propose_disposal(&w.office, &proposal(w.insp.id, "letter", "期满"))
            .await,
        CoreError::RuleRefused(_)
    );
    // In 2031 the ten-year periods have run (from 2020-01-01), the thirty-year ones not.
    archived_in_2019_seen_in_2031(&mut s, w.insp.id).await;
    let due = s
        .due_for_disposal(&w.office, PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(due.items.len(), 1);
    let kinds: Vec<(&str, i64, String)> = due.items[0]
        .kinds
        .iter()
        .map(|k| (k.kind.as_str(), k.records, k.expired_on.to_string()))
        .collect();
    assert_eq!(kinds, vec![("field_record", 1, "2030-01-01".to_owned())]);
    expect_err!(
        s.due_for_disposal(&w.lead, PageRequest::first(10)).await,
        CoreError::Forbidden(_)
    );
    let e = expect_err!(
        s.propose_disposal(&w.office, &proposal(w.insp.id, "letter", "期满"))
            .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("2050-01-01前不能销毁"), "{e}");
    expect_err!(
        s.propose_disposal(&w.office, &proposal(w.insp.id, "report", "期满"))
            .await,
        CoreError::BadInput(_)
    );

    // The office shortens the letters' period; a stale form and a team member are refused.
    let five = RetentionChange {
        years: "5年".into(),
        version: 1,
    };
    expect_err!(
        s.set_retention_rule(&w.lead, "letter", &five).await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.set_retention_rule(
            &w.office,
            "letter",
            &RetentionChange {
                years: "零".into(),
                version: 1
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    let rule = s
        .set_retention_rule(&w.office, "letter", &five)
        .await
        .unwrap();
    assert_eq!((rule.years, rule.version), (Some(5), 2));
    expect_err!(
        s.set_retention_rule(&w.office, "letter", &five).await,
        CoreError::StaleVersion(_)
    );
    assert_eq!(audit_of_action(&s, "retention_rule_changed").await.len(), 1);

    // One office user asks; the same one cannot decide; another must.
    expect_err!(
        s.propose_disposal(&w.office, &proposal(w.insp.id, "letter", " "))
            .await,
        CoreError::Unfit(_)
    );
    let d = s
        .propose_disposal(
            &w.office,
            &proposal(w.insp.id, "letter", "保管期满，经鉴定无继续保存价值"),
        )
        .await
        .unwrap();
    assert_eq!((d.status, d.records), (DisposalStatus::Proposed, 1));
    let titles = async |who: &Actor| -> Vec<String> {
        s.inbox(who, false, PageRequest::first(20))
            .await
            .unwrap()
            .messages
            .items
            .into_iter()
            .map(|m| m.title)
            .collect()
    };
    assert_eq!(titles(&office2).await, vec!["销毁申请待批准".to_owned()]);
    assert!(
        titles(&w.office).await.is_empty(),
        "not to the one who asked"
    );
    // It waits in the to-do of every office user but the one who asked, and of nobody else.
    let waiting_for = async |who: &Actor| -> Vec<Id> {
        s.todo(who)
            .await
            .unwrap()
            .groups
            .into_iter()
            .filter(|g| g.kind == xunshi_core::service::TodoKind::DisposalDecide)
            .flat_map(|g| {
                assert_eq!(g.total as usize, g.items.len());
                g.items.into_iter().filter_map(|i| i.object_id)
            })
            .collect()
    };
    assert_eq!(waiting_for(&office2).await, vec![d.id]);
    assert!(waiting_for(&w.office).await.is_empty());
    assert!(waiting_for(&w.lead).await.is_empty());
    // The frame counts it as the list does, in its one statement.
    for who in [&office2, &w.office, &w.lead] {
        assert_eq!(
            s.frame_counts(who).await.unwrap().waiting,
            s.todo(who).await.unwrap().total()
        );
    }
    expect_err!(
        s.propose_disposal(&office2, &proposal(w.insp.id, "letter", "重复申请"))
            .await,
        CoreError::Conflict(_)
    );
    let due = s
        .due_for_disposal(&w.office, PageRequest::first(10))
        .await
        .unwrap();
    let waiting = due.items[0]
        .kinds
        .iter()
        .find(|k| k.kind == "letter")
        .unwrap();
    assert_eq!(waiting.proposed, Some(d.id));
    let e = expect_err!(
        s.decide_disposal(&w.office, d.id, &decision("approve", "", 1))
            .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("两名办公室人员"), "{e}");
    expect_err!(
        s.decide_disposal(&office2, d.id, &decision("reject", "", 1))
            .await,
        CoreError::Unfit(_)
    );
    expect_err!(
        s.decide_disposal(&office2, d.id, &decision("approve", "", 2))
            .await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.decide_disposal(&w.lead, d.id, &decision("approve", "", 1))
            .await,
        CoreError::Forbidden(_)
    );
    let done = s
        .decide_disposal(&office2, d.id, &decision("approve", "同意销毁", 1))
        .await
        .unwrap();
    assert_eq!(done.status, DisposalStatus::Done);
    assert_eq!(titles(&w.office).await, vec!["销毁申请已批准".to_owned()]);
    assert!(
        waiting_for(&office2).await.is_empty(),
        "decided, it leaves the to-do"
    );
    let tables: Vec<&str> = done.gone.iter().map(|g| g.table.as_str()).collect();
    for t in [
        "fieldwork_files",
        "file",
        "citations",
        "letter_notes",
        "letters",
    ] {
        assert!(tables.contains(&t), "{t} in {tables:?}");
    }
    let row = done.gone.iter().find(|g| g.table == "letters").unwrap();
    assert_eq!(row.key, l.id.to_string());
    assert_eq!(row.digest.len(), 64);
    let files: Vec<(&str, &str)> = done
        .gone
        .iter()
        .filter(|g| g.table == "file")
        .map(|g| (g.key.as_str(), g.digest.as_str()))
        .collect();
    let ours = HashAlg::Sha256.hex(b"letter only");
    assert_eq!(
        files.len(),
        2,
        "the writer's file and the team's: {files:?}"
    );
    assert!(files.contains(&(letter_file.sha256.as_str(), ours.as_str())));
    expect_err!(
        s.decide_disposal(&w.office, d.id, &decision("reject", "再议", 2))
            .await,
        CoreError::RuleRefused(_)
    );

    // The letter, its reply, its file and the citation are gone; the stored file with them.
    let letters = s
        .letters_page(
            &w.lead,
            w.insp.id,
            &LetterFilter::default(),
            PageRequest::first(10),
        )
        .await
        .unwrap();
    assert!(letters.items.is_empty());
    expect_err!(s.letter_detail(&w.lead, l.id).await, CoreError::NotFound(_));
    expect_err!(s.public_letter_status(&code).await, CoreError::NotFound(_));
    let stored = |name: &str| {
        let (a, b) = (&name[..2], name);
        blobs.join(a).join(b).is_file()
    };
    assert!(!stored(&letter_file.sha256), "the letter's file is removed");
    // The audit record holds the hash of each, and the chain still verifies.
    let recorded = audit_of_action(&s, "disposal_carried_out").await;
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].summary.contains(&row.digest));
    let verified = s.verify_audit(&Actor::system()).await.unwrap();
    assert!(
        matches!(verified, VerifyOutcome::Whole { .. }),
        "the chain verifies"
    );

    // The forum's record goes too; its file stays while the paper's evidence names it.
    let f = s
        .propose_disposal(&w.office, &proposal(w.insp.id, "field_record", "保管期满"))
        .await
        .unwrap();
    let rejected = s
        .decide_disposal(&office2, f.id, &decision("reject", "尚需核对", 1))
        .await
        .unwrap();
    assert_eq!(rejected.status, DisposalStatus::Rejected);
    assert!(rejected.gone.is_empty());
    let f = s
        .propose_disposal(&office2, &proposal(w.insp.id, "field_record", "保管期满"))
        .await
        .unwrap();
    s.decide_disposal(&w.office, f.id, &decision("approve", "", 1))
        .await
        .unwrap();
    assert!(stored(&evidence.sha256), "still the paper's evidence");
    let (_, bytes) = s.download_evidence(&w.lead, evidence.id).await.unwrap();
    assert!(!bytes.is_empty());
    {
        let mut tx = s.store.read().await.unwrap();
        assert_eq!(
            tx.count_of_kind(w.insp.id, "field_record").await.unwrap(),
            0
        );
        assert_eq!(tx.count_of_kind(w.insp.id, "talk").await.unwrap(), 1);
    }
    let history = s
        .disposals(&w.office, None, Some(w.insp.id), PageRequest::first(10))
        .await
        .unwrap();
    let states: Vec<DisposalStatus> = history.items.iter().map(|d| d.status).collect();
    assert_eq!(
        states,
        vec![
            DisposalStatus::Done,
            DisposalStatus::Rejected,
            DisposalStatus::Done
        ]
    );
    // Nothing of the kinds disposed of is due any more; the talk's thirty years still run.
    let due = s
        .due_for_disposal(&w.office, PageRequest::first(10))
        .await
        .unwrap();
    assert!(due.items.is_empty(), "{:?}", due.items);
}

pub async fn one_record_goes_alone_and_a_repeated_letter_only_with_its_kind(mut s: Svc) {
    let dir = tempfile::tempdir().unwrap();
    let (w, _) = on_site(&mut s, dir.path()).await;
    let blobs = dir.path().join("blobs");
    let record = |summary: &str| FieldRecordInput {
        method: "forum".into(),
        held_on: "2019-09-25".into(),
        participants: "处级干部".into(),
        summary: summary.into(),
        ..Default::default()
    };
    let a = s
        .add_field_record(&w.member, w.insp.id, &record("座谈了解选人用人情况"))
        .await
        .unwrap();
    let b = s
        .add_field_record(&w.member, w.insp.id, &record("座谈了解财务管理情况"))
        .await
        .unwrap();
    let file = s
        .add_fieldwork_file(
            &w.member,
            SourceKind::FieldRecord,
            a.id,
            "座谈记录.txt",
            b"the first forum only".to_vec(),
        )
        .await
        .unwrap();
    let p = s
        .create_problem(&w.member, w.insp.id, &paper(INTEGRITY, "违规发放津贴"))
        .await
        .unwrap();
    for source in [a.id, b.id] {
        s.cite_source(
            &w.member,
            CitingKind::Problem,
            p.id,
            &CitationInput {
                source_kind: "field_record".into(),
                source_id: source.to_string(),
            },
        )
        .await
        .unwrap();
    }
    let first = s
        .register_letter(
            &w.member,
            w.insp.id,
            &letter("letter", None, "王某", "反映王某违规经商。"),
        )
        .await
        .unwrap();
    let again = s
        .register_letter(
            &w.member,
            w.insp.id,
            &letter("visit", None, "王某", "再次反映王某违规经商。"),
        )
        .await
        .unwrap();
    // The second repeats the first (as the team's handling marks it).
    sqlx::query("UPDATE letters SET duplicate_of = $1 WHERE id = $2")
        .bind(first.id.to_string())
        .bind(again.id.to_string())
        .execute(&s.store.pool)
        .await
        .unwrap();
    archived_in_2019_seen_in_2031(&mut s, w.insp.id).await;
    let office2 = user_with_role(&s, "office2", None, "office").await;

    // The records of a kind are listed as the register names them, for the office only.
    let listed = s
        .disposable_records(&w.office, w.insp.id, "field_record", PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(listed.total, Some(2));
    assert_eq!(listed.items.len(), 1);
    let rest = PageRequest::parse(listed.next_cursor.as_deref(), Some(1)).unwrap();
    let more = s
        .disposable_records(&w.office, w.insp.id, "field_record", rest)
        .await
        .unwrap();
    let mut titles: Vec<String> = listed
        .items
        .iter()
        .chain(&more.items)
        .map(|r| r.title.clone())
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "2019-09-25 座谈了解财务管理情况",
            "2019-09-25 座谈了解选人用人情况"
        ]
    );
    expect_err!(
        s.disposable_records(&w.lead, w.insp.id, "field_record", PageRequest::first(5))
            .await,
        CoreError::Forbidden(_)
    );

    // A record that is not one of the kind's, or not a record at all, is refused.
    expect_err!(
        s.propose_disposal(&w.office, &of_one(w.insp.id, "field_record", "不是编号"))
            .await,
        CoreError::BadInput(_)
    );
    expect_err!(
        s.propose_disposal(
            &w.office,
            &of_one(w.insp.id, "field_record", &first.id.to_string())
        )
        .await,
        CoreError::NotFound(_)
    );

    // One forum's record goes alone, with its file and its citation; the other stays.
    let d = s
        .propose_disposal(
            &w.office,
            &of_one(w.insp.id, "field_record", &a.id.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(d.records, 1);
    assert_eq!(d.record_id, Some(a.id));
    assert_eq!(
        d.what(),
        "其他方式了解情况记录“2019-09-25 座谈了解选人用人情况”"
    );
    let done = s
        .decide_disposal(&office2, d.id, &decision("approve", "", 1))
        .await
        .unwrap();
    assert_eq!(done.status, DisposalStatus::Done);
    let keys: Vec<(&str, &str)> = done
        .gone
        .iter()
        .map(|g| (g.table.as_str(), g.key.as_str()))
        .collect();
    let a_key = a.id.to_string();
    assert!(
        keys.contains(&("field_records", a_key.as_str())),
        "{keys:?}"
    );
    assert!(
        !keys
            .iter()
            .any(|(t, k)| *t == "field_records" && *k != a_key),
        "{keys:?}"
    );
    assert_eq!(
        keys.iter().filter(|(t, _)| *t == "citations").count(),
        1,
        "{keys:?}"
    );
    assert!(!blobs.join(&file.sha256[..2]).join(&file.sha256).is_file());
    {
        let mut tx = s.store.read().await.unwrap();
        assert_eq!(
            tx.count_of_kind(w.insp.id, "field_record").await.unwrap(),
            1
        );
    }
    let kept = s.field_record_detail(&w.lead, b.id).await.unwrap();
    assert_eq!(kept.cited_by.len(), 1, "its citation stays");
    expect_err!(
        s.propose_disposal(&w.office, &of_one(w.insp.id, "field_record", &a_key))
            .await,
        CoreError::NotFound(_)
    );

    // A letter another repeats goes only with the whole of its kind; the repeat may go alone.
    let five = RetentionChange {
        years: "5".into(),
        version: 1,
    };
    s.set_retention_rule(&w.office, "letter", &five)
        .await
        .unwrap();
    let e = expect_err!(
        s.propose_disposal(
            &w.office,
            &of_one(w.insp.id, "letter", &first.id.to_string())
        )
        .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("只能随信访件整类销毁"), "{e}");
    let d = s
        .propose_disposal(
            &w.office,
            &of_one(w.insp.id, "letter", &again.id.to_string()),
        )
        .await
        .unwrap();
    s.decide_disposal(&office2, d.id, &decision("approve", "", 1))
        .await
        .unwrap();
    let left = s
        .letters_page(
            &w.lead,
            w.insp.id,
            &LetterFilter::default(),
            PageRequest::first(10),
        )
        .await
        .unwrap();
    let ids: Vec<Id> = left.items.iter().map(|l| l.id).collect();
    assert_eq!(ids, [first.id]);
    let verified = s.verify_audit(&Actor::system()).await.unwrap();
    assert!(matches!(verified, VerifyOutcome::Whole { .. }));
}
