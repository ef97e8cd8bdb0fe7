//! Fieldwork: the register of letters with writers sealed at rest, its pages, counts and
//! tally; the public's receipt codes; talks with their inspectors and plan; document requests
//! waiting for their unit; the other methods' counts; citations; and the key file that opens
//! the sealed fields — on every backend.

use std::sync::Arc;

use sqlx::Row;
use xunshi_core::fieldwork::{
    AnnouncementInput, CitationInput, CitingKind, DocAnswerInput, DocRequestInput, DocReturnInput,
    FieldRecordInput, LetterHandlingInput, LetterInput, PublicSubmissionInput, SourceKind,
    TalkInput, TalkPlanInput,
};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::{Inspector, TeamMember, TeamRole};
use xunshi_core::store::{FieldworkRead, LetterFilter, Store, TeamWrite, WriteTx};
use xunshi_core::{CoreError, Id};
use xunshi_store::{FieldCipher, LocalBlobs};

use crate::harness::{Svc, audit_of_action, expect_err};
use crate::papers::{POLITICAL, World, world};

pub(crate) const WRITER: &str = "甄实名";

/// The seed's inspection on site with a key file, evidence folder, an announcement open on
/// the services' day, and its leader and member in the personnel pool on the team.
pub(crate) async fn on_site(s: &mut Svc, dir: &std::path::Path) -> (World, Vec<Id>) {
    let cipher = FieldCipher::load(
        &s.store,
        &dir.join("xunshi.key"),
        xunshi_core::crypto::Suite::Standard,
    )
    .await
    .expect("the key file");
    s.cipher = Some(Arc::new(cipher));
    s.blobs = Some(Arc::new(LocalBlobs::new(dir.join("blobs"))));
    let w = world(s).await;
    let now = s.now();
    let mut pool = Vec::new();
    let mut tx = s.store.write().await.unwrap();
    for (actor, role) in [(&w.lead, TeamRole::Leader), (&w.member, TeamRole::Member)] {
        let x = Inspector {
            id: Id::new(),
            name: actor.name(),
            user_id: actor.user_id(),
            unit_id: w.unit,
            post: "巡视专员".into(),
            specialty: String::new(),
            locality: String::new(),
            past_posts: Vec::new(),
            relatives: Vec::new(),
            withdrawn: false,
            withdraw_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_inspector(&x).await.unwrap();
        tx.insert_team_member(&TeamMember {
            id: Id::new(),
            inspection_id: w.insp.id,
            inspector_id: x.id,
            role,
            conflicts: Vec::new(),
            override_reason: None,
            appointed_by: None,
            appointed_at: now,
            grant_id: None,
            withdrawn_at: None,
            withdraw_reason: None,
            version: 1,
        })
        .await
        .unwrap();
        pool.push(x.id);
    }
    tx.commit().await.unwrap();
    let today = xunshi_core::service::today(now);
    s.save_announcement(
        &w.lead,
        w.insp.id,
        &AnnouncementInput {
            hotline: "0471-6600000".into(),
            opens_on: today.to_string(),
            closes_on: today.to_string(),
            scope: "受理反映被巡视党组织领导班子及其成员的问题。".into(),
            ..Default::default()
        },
    )
    .await
    .expect("the announcement");
    (w, pool)
}

pub(crate) fn letter(
    channel: &str,
    writer: Option<&str>,
    about: &str,
    content: &str,
) -> LetterInput {
    LetterInput {
        channel: channel.into(),
        received_on: "2019-09-20".into(),
        anonymous: writer.is_none(),
        writer_name: writer.unwrap_or_default().into(),
        writer_contact: if writer.is_some() {
            "13800000000".into()
        } else {
            String::new()
        },
        about_name: about.into(),
        about_post: "处长".into(),
        content: content.into(),
        discipline: Some("integrity".into()),
        category_id: Some(POLITICAL.into()),
    }
}

/// The raw stored columns of a letter, as anyone reading the database would see them.
pub(crate) async fn stored_row(s: &Svc, id: Id) -> String {
    let row = sqlx::query(
        "SELECT COALESCE(writer_sealed, '') || '|' || content || '|' || about_name AS all_text
         FROM letters WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&s.store.pool)
    .await
    .unwrap();
    row.try_get::<String, _>("all_text").unwrap()
}

pub async fn the_register_keeps_writers_sealed_and_pages_counts_and_tallies_in_the_store(
    mut s: Svc,
) {
    let dir = tempfile::tempdir().unwrap();
    let (w, _) = on_site(&mut s, dir.path()).await;
    let mut ids = Vec::new();
    for (i, (channel, writer)) in [
        ("letter", Some(WRITER)),
        ("call", None),
        ("visit", Some("乙某")),
        ("letter", None),
        ("email", None),
    ]
    .into_iter()
    .enumerate()
    {
        let l = s
            .register_letter(
                &w.member,
                w.insp.id,
                &letter(channel, writer, &format!("钱{i}"), "反映违规收受礼金"),
            )
            .await
            .unwrap_or_else(|e| panic!("letter {i}: {e}"));
        assert_eq!(l.number, i as i64 + 1);
        ids.push(l.id);
    }
    let raw = stored_row(&s, ids[0]).await;
    assert!(raw.starts_with("a256:"), "sealed: {raw}");
    assert!(!raw.contains(WRITER) && !raw.contains("13800000000"));

    // Pages of two, newest first, cover the register once.
    let f = LetterFilter::default();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let p = s
            .letters_page(&w.member, w.insp.id, &f, PageRequest { after, limit: 2 })
            .await
            .unwrap();
        assert_eq!(p.total, Some(5));
        seen.extend(p.items.iter().map(|l| l.id));
        match p.next_cursor {
            Some(c) => after = Some(c.parse().unwrap()),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    let only = |f: LetterFilter| {
        let s = s.clone();
        let actor = w.member.clone();
        async move {
            s.letters_page(&actor, w.insp.id, &f, PageRequest::first(50))
                .await
                .unwrap()
        }
    };
    let letters = only(LetterFilter {
        channel: Some(xunshi_core::fieldwork::Channel::Letter),
        ..Default::default()
    })
    .await;
    assert_eq!(letters.total, Some(2));
    let by_name = only(LetterFilter {
        q: Some("钱2".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(by_name.items.len(), 1);
    assert_eq!(by_name.items[0].id, ids[2]);

    // Handled on a stale version: refused, nothing changed.
    let handling = |version: i64, dup: Option<Id>| LetterHandlingInput {
        version,
        scope: "in_scope".into(),
        status: "handling".into(),
        discipline: Some("work".into()),
        duplicate_of: dup.map(|d| d.to_string()),
        ..Default::default()
    };
    s.handle_letter(&w.member, ids[3], &handling(1, Some(ids[1])))
        .await
        .unwrap();
    let e = s
        .handle_letter(&w.member, ids[3], &handling(1, None))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::StaleVersion(_)), "{e:?}");
    let t = s.letter_tally(&w.member, w.insp.id).await.unwrap();
    assert_eq!(t.total, 4, "the repeat is left out");
    let count = |list: &[xunshi_core::service::Tallied], code: &str| {
        list.iter().find(|x| x.code == code).map(|x| x.count)
    };
    assert_eq!(
        count(&t.by_channel, "letter"),
        Some(1),
        "the other letter repeats a call"
    );
    assert_eq!(count(&t.by_channel, "email"), Some(1));
    assert_eq!(count(&t.by_discipline, "integrity"), Some(4));
    assert_eq!(count(&t.by_scope, "pending"), Some(4));

    // A public letter is found again by its code only, and opens for the handler alone.
    let code = s
        .submit_public_letter(
            &PublicSubmissionInput {
                inspection_id: w.insp.id.to_string(),
                content: "反映某处室长期虚报差旅费用的问题。".into(),
                name: WRITER.into(),
                contact: "微信 zhenshi".into(),
                ..Default::default()
            },
            vec![(
                "举报材料.txt".into(),
                "差旅报销清单".as_bytes().to_vec().into(),
            )],
        )
        .await
        .unwrap()
        .receipt;
    let status = s.public_letter_status(&code).await.unwrap();
    assert_eq!(
        status.status,
        xunshi_core::fieldwork::LetterStatus::Received
    );
    let mut tx = s.store.read().await.unwrap();
    let hash = xunshi_core::fieldwork::receipt_hash(&code);
    let public = tx.letter_by_receipt(&hash).await.unwrap().unwrap();
    assert!(tx.letter_by_receipt(&code).await.unwrap().is_none());
    let files = tx
        .fieldwork_files(SourceKind::Letter, public.id)
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].owner_id, public.id);
    assert_eq!(
        tx.letter_by_number(w.insp.id, public.number)
            .await
            .unwrap()
            .map(|l| l.id),
        Some(public.id)
    );
    assert!(tx.letter_by_number(w.insp.id, 99).await.unwrap().is_none());
    drop(tx);
    assert!(public.from_public && public.number == 6);
    let raw = stored_row(&s, public.id).await;
    assert!(!raw.contains(WRITER));
    expect_err!(
        s.reveal_writer(&w.member, public.id, "核实").await,
        CoreError::Forbidden(_) | CoreError::NotFound(_)
    );
    let member_pool = {
        let mut tx = s.store.read().await.unwrap();
        xunshi_core::store::TeamRead::find_inspector_by_user(&mut tx, w.member.user_id().unwrap())
            .await
            .unwrap()
            .unwrap()
            .id
    };
    s.set_letter_handler(&w.lead, w.insp.id, member_pool, true)
        .await
        .unwrap();
    let writer = s
        .reveal_writer(&w.member, public.id, "需回访核实")
        .await
        .unwrap();
    assert_eq!(writer.name, WRITER);
    let revealed = audit_of_action(&s, "writer_revealed").await;
    assert_eq!(revealed.len(), 1);
    assert!(!revealed[0].summary.contains(WRITER));
    // A sealed value moved to another letter does not open there.
    sqlx::query("UPDATE letters SET writer_sealed = $1 WHERE id = $2")
        .bind(
            stored_row(&s, ids[0])
                .await
                .split('|')
                .next()
                .unwrap()
                .to_owned(),
        )
        .bind(ids[2].to_string())
        .execute(&s.store.pool)
        .await
        .unwrap();
    assert!(matches!(
        s.reveal_writer(&w.member, ids[2], "核实").await,
        Err(CoreError::Internal(_))
    ));

    // The announcement changes on the version it was read at only.
    let mut a = AnnouncementInput {
        hotline: "0471-6600001".into(),
        opens_on: "2019-09-18".into(),
        closes_on: "2019-11-18".into(),
        scope: "受理范围".into(),
        version: Some(1),
        ..Default::default()
    };
    s.save_announcement(&w.lead, w.insp.id, &a).await.unwrap();
    let e = s
        .save_announcement(&w.lead, w.insp.id, &a)
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::StaleVersion(_)), "{e:?}");
    a.version = Some(2);
    expect_err!(
        s.save_announcement(&w.member, w.insp.id, &a).await,
        CoreError::Forbidden(_) | CoreError::NotFound(_)
    );
}

pub async fn talks_requests_records_and_citations_round_trip(mut s: Svc) {
    let dir = tempfile::tempdir().unwrap();
    let (w, pool) = on_site(&mut s, dir.path()).await;
    let today = xunshi_core::service::today(s.now()).to_string();
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
    let talk = TalkInput {
        interviewee_name: "范晓莉".into(),
        interviewee_post: "部长".into(),
        talked_on: today.clone(),
        place: "谈话室".into(),
        inspector_ids: pool.iter().map(|p| p.to_string()).collect(),
        text: "谈话记录正文：意识形态工作责任制落实情况。".into(),
        confirmed: true,
        plan_entry_id: Some(entry.id.to_string()),
    };
    let t = s.record_talk(&w.member, w.insp.id, &talk).await.unwrap();
    let e = s
        .record_talk(&w.member, w.insp.id, &talk)
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::Unfit(_)), "talked to already: {e:?}");
    let d = s.talk_detail(&w.lead, t.id).await.unwrap();
    assert_eq!(d.talk.inspector_ids, pool);
    assert!(d.text.contains("意识形态"));
    let cov = s.talk_coverage(&w.member, w.insp.id).await.unwrap();
    assert_eq!(cov.entries[0].talk_id, Some(t.id));
    assert_eq!((cov.groups[0].planned, cov.groups[0].held), (1, 1));
    expect_err!(
        s.talk_detail(&w.office, t.id).await,
        CoreError::Forbidden(_) | CoreError::NotFound(_)
    );

    // A document request waits for its unit's liaison alone, across inspections.
    let req = s
        .send_doc_request(
            &w.member,
            w.insp.id,
            &DocRequestInput {
                unit_id: w.unit.to_string(),
                materials: "党组会议记录".into(),
                sent_on: today.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let waiting = s.doc_requests_to_answer(&w.liaison).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].may_answer);
    assert!(
        s.doc_requests_to_answer(&w.member)
            .await
            .unwrap()
            .is_empty()
    );
    let answered = s
        .answer_doc_request(
            &w.liaison,
            req.id,
            &DocAnswerInput {
                version: 1,
                answer: "已提供".into(),
                delivered_on: today.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(answered.version, 2);
    assert!(
        s.doc_requests_to_answer(&w.liaison)
            .await
            .unwrap()
            .is_empty()
    );
    let e = s
        .return_doc_request(
            &w.member,
            req.id,
            &DocReturnInput {
                version: 1,
                returned_on: today.clone(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::StaleVersion(_)), "{e:?}");
    s.return_doc_request(
        &w.member,
        req.id,
        &DocReturnInput {
            version: 2,
            returned_on: today.clone(),
        },
    )
    .await
    .unwrap();

    // Records keep their counts, or none.
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
    let appraisal = s
        .add_field_record(
            &w.member,
            w.insp.id,
            &FieldRecordInput {
                method: "appraisal".into(),
                held_on: today.clone(),
                participants: "全体干部".into(),
                summary: "测评".into(),
                forms_out: Some(120),
                forms_back: Some(117),
            },
        )
        .await
        .unwrap();
    // A record keeps its files apart from the letters' and refuses none but its team's.
    let minutes = s
        .add_fieldwork_file(
            &w.member,
            SourceKind::FieldRecord,
            forum.id,
            "座谈记录.txt",
            "座谈记录".as_bytes().to_vec(),
        )
        .await
        .unwrap();
    let (f, bytes) = s.fieldwork_file(&w.member, minutes.id).await.unwrap();
    assert_eq!(
        (f.owner_kind, f.owner_id),
        (SourceKind::FieldRecord, forum.id)
    );
    assert_eq!(bytes, "座谈记录".as_bytes());
    let detail = s.field_record_detail(&w.member, forum.id).await.unwrap();
    assert_eq!(detail.files.len(), 1);
    expect_err!(
        s.fieldwork_file(&Actor::anonymous(None), minutes.id).await,
        CoreError::NotFound(_) | CoreError::Unauthenticated(_)
    );
    expect_err!(
        s.add_fieldwork_file(&w.member, SourceKind::Talk, t.id, "录音.txt", b"x".to_vec())
            .await,
        CoreError::RuleRefused(_)
    );
    let mut tx = s.store.read().await.unwrap();
    let back = tx.get_field_record(forum.id).await.unwrap().unwrap();
    assert_eq!((back.forms_out, back.forms_back), (None, None));
    let back = tx.get_field_record(appraisal.id).await.unwrap().unwrap();
    assert_eq!((back.forms_out, back.forms_back), (Some(120), Some(117)));
    drop(tx);
    let summary = s.fieldwork_summary(&w.member, w.insp.id).await.unwrap();
    assert_eq!(
        (summary.talks, summary.doc_requests, summary.records),
        (1, 1, 2)
    );

    // A paper cites the talk and the request once each; the talk names the paper.
    let paper = s
        .create_problem(
            &w.member,
            w.insp.id,
            &xunshi_core::paper::ProblemInput {
                category_id: POLITICAL.into(),
                target_unit_id: None,
                title: "意识形态工作责任制落实不到位".into(),
                facts: "谈话反映……".into(),
                rule_broken: "违反有关规定。".into(),
                responsibility: "部党组负主体责任。".into(),
                responsibility_types: vec!["principal".into()],
                severity: None,
            },
        )
        .await
        .unwrap();
    for (kind, id) in [("talk", t.id), ("doc_request", req.id), ("talk", t.id)] {
        s.cite_source(
            &w.member,
            CitingKind::Problem,
            paper.id,
            &CitationInput {
                source_kind: kind.into(),
                source_id: id.to_string(),
            },
        )
        .await
        .unwrap();
    }
    let sources = s
        .sources_of(&w.lead, CitingKind::Problem, paper.id)
        .await
        .unwrap();
    assert_eq!(sources.len(), 2);
    assert!(sources[0].label.contains("范晓莉"), "{:?}", sources[0]);
    let d = s.talk_detail(&w.member, t.id).await.unwrap();
    assert_eq!(d.cited_by.len(), 1);
    assert_eq!(d.cited_by[0].label, "意识形态工作责任制落实不到位");
    assert_eq!(audit_of_action(&s, "source_cited").await.len(), 2);
    expect_err!(
        s.cite_source(
            &w.stranger,
            CitingKind::Problem,
            paper.id,
            &CitationInput {
                source_kind: "talk".into(),
                source_id: t.id.to_string(),
            },
        )
        .await,
        CoreError::Forbidden(_) | CoreError::NotFound(_)
    );
    let _ = Actor::system();
}

pub async fn the_key_file_must_be_the_one_the_data_was_sealed_with(s: Svc) {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("keys").join("xunshi.key");
    FieldCipher::load(&s.store, &key, xunshi_core::crypto::Suite::Standard)
        .await
        .expect("made at first start");
    // Started again with the same file: the same data key opens.
    FieldCipher::load(&s.store, &key, xunshi_core::crypto::Suite::Standard)
        .await
        .expect("the same file");
    let moved = dir.path().join("elsewhere.key");
    let e = FieldCipher::load(&s.store, &moved, xunshi_core::crypto::Suite::Standard)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
    assert!(!moved.exists(), "no new key is made over sealed data");
    std::fs::write(
        &moved,
        "0000000000000000000000000000000000000000000000000000000000000000\n",
    )
    .unwrap();
    let e = FieldCipher::load(&s.store, &moved, xunshi_core::crypto::Suite::Standard)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("does not open"), "{e}");
}
