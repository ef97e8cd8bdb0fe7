//! What the search index is filled from: every kind of record as a document, by the audit
//! trail's changes and in pages for a full reindex, alike on both backends — and never a
//! sealed field.

use std::collections::BTreeSet;

use xunshi_core::fieldwork::{DocRequestInput, FieldRecordInput};
use xunshi_core::search::{DocKind, SearchDoc};

use crate::fieldwork::{WRITER, letter, on_site};
use crate::harness::Svc;

/// Every document of `kind` through the reindex's pages of two.
async fn paged(s: &Svc, kind: DocKind) -> Vec<SearchDoc> {
    let mut out: Vec<SearchDoc> = Vec::new();
    loop {
        let page = s
            .search_docs_after(kind, out.last().map(|d| d.id), 2)
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        if page.is_empty() {
            return out;
        }
        assert!(page.len() <= 2);
        out.extend(page);
    }
}

pub async fn the_trail_and_the_tables_give_the_same_documents_and_no_sealed_field(mut s: Svc) {
    let dir = tempfile::tempdir().unwrap();
    let (w, _) = on_site(&mut s, dir.path()).await;
    let today = xunshi_core::service::today(s.now()).to_string();
    let l = s
        .register_letter(
            &w.member,
            w.insp.id,
            &letter("letter", Some(WRITER), "钱某", "反映其违规收受礼金"),
        )
        .await
        .unwrap();
    let d = s
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
    let r = s
        .add_field_record(
            &w.member,
            w.insp.id,
            &FieldRecordInput {
                method: "forum".into(),
                held_on: today.clone(),
                participants: "处级干部".into(),
                summary: "座谈反映机关党建与业务结合不紧".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    // The trail names every change; read in steps of three records, the documents are those
    // of the records changed, the watermark moves to the last record read.
    let head = s.search_head().await.unwrap().seq;
    let mut from_trail: Vec<SearchDoc> = Vec::new();
    let mut mark = 0;
    while mark < head {
        let batch = s.search_changes(mark, 3).await.unwrap();
        assert!(batch.records > 0 && batch.records <= 3);
        assert!(batch.watermark > mark);
        // Only an inspection without feedback yet names a document that is not there.
        assert!(
            batch.gone.iter().all(|(k, _)| *k == DocKind::Feedback),
            "{:?}",
            batch.gone
        );
        mark = batch.watermark;
        from_trail.extend(batch.docs);
    }
    assert_eq!(mark, head);
    let letter_doc = from_trail
        .iter()
        .rev()
        .find(|x| x.id == l.id)
        .expect("the letter's document");
    assert_eq!(letter_doc.kind, DocKind::Letter);
    assert!(letter_doc.title.contains("钱某") && letter_doc.title.contains("第1号"));
    assert!(letter_doc.body.contains("违规收受礼金"));
    assert_eq!(letter_doc.inspection_id, Some(w.insp.id));
    assert_eq!(letter_doc.year, Some(2019));
    let doc_request = from_trail
        .iter()
        .find(|x| x.id == d.id)
        .expect("the request");
    assert_eq!(doc_request.unit_ids, vec![w.unit]);
    assert!(doc_request.body.contains("党组会议记录"));
    let record = from_trail
        .iter()
        .find(|x| x.id == r.id)
        .expect("the record");
    assert!(record.title.starts_with("召开座谈会 "), "{}", record.title);
    assert!(record.body.contains("机关党建"));

    // The tables give the same documents as the trail, page by page, counted alike.
    for kind in DocKind::ALL {
        let all = paged(&s, kind).await;
        assert_eq!(
            s.count_search_docs(kind).await.unwrap(),
            all.len() as i64,
            "{kind:?}"
        );
        let ids: BTreeSet<_> = all.iter().map(|x| x.id).collect();
        assert_eq!(ids.len(), all.len(), "{kind:?}: each once");
        assert!(all.iter().all(|x| x.kind == kind));
        for doc in &all {
            if let Some(t) = from_trail
                .iter()
                .rev()
                .find(|x| x.kind == kind && x.id == doc.id)
            {
                assert_eq!(t, doc, "{kind:?}");
            }
        }
    }
    assert_eq!(paged(&s, DocKind::Letter).await.len(), 1);
    assert_eq!(paged(&s, DocKind::DocRequest).await.len(), 1);
    assert_eq!(paged(&s, DocKind::FieldRecord).await.len(), 1);
    assert!(!paged(&s, DocKind::Unit).await.is_empty());

    // The writer of a letter is sealed: no document holds who wrote it or how to reach them.
    for x in &from_trail {
        for text in [&x.title, &x.body] {
            assert!(
                !text.contains(WRITER) && !text.contains("13800000000"),
                "{:?} holds the writer: {text}",
                x.kind
            );
        }
    }
}

/// The progress documents one step of following the trail gives after `mark`.
async fn progress_followed(s: &Svc, mark: i64) -> Vec<SearchDoc> {
    let batch = s.search_changes(mark, 100).await.unwrap();
    batch
        .docs
        .into_iter()
        .filter(|d| d.kind == DocKind::Progress)
        .collect()
}

pub async fn a_progress_report_is_followed_alone_unless_it_moves_its_task(s: Svc) {
    let r = crate::rectify::rect_world(&s).await;
    let (_, tasks) = crate::rectify::approved_plan(&s, &r, "2020-06-30").await;
    let staff = &r.w.staff;
    let mut t = tasks[0].clone();
    for text in ["已起草实施细则", "已征求意见"] {
        t = s
            .report_progress(staff, t.id, t.version, text, 50, false)
            .await
            .expect("progress");
    }

    // A report that leaves the task in progress: that report's document alone, beside the
    // task's own.
    let mark = s.search_head().await.unwrap().seq;
    t = s
        .report_progress(staff, t.id, t.version, "已提交党组会审议", 60, false)
        .await
        .expect("progress");
    let batch = s.search_changes(mark, 100).await.unwrap();
    assert!(
        batch
            .docs
            .iter()
            .any(|d| d.kind == DocKind::Task && d.id == t.id)
    );
    let alone = progress_followed(&s, mark).await;
    assert_eq!(alone.len(), 1, "{alone:?}");
    assert!(alone[0].body.contains("已提交党组会审议"));
    assert_eq!(alone[0].parent_id, Some(t.id));
    assert_eq!(alone[0].status, "in_progress");

    // A claim moves the task: every report of it again, each with the new status.
    let mark = s.search_head().await.unwrap().seq;
    let claimed = s
        .report_progress(staff, t.id, t.version, "实施细则已印发", 100, true)
        .await
        .expect("claim");
    let all = progress_followed(&s, mark).await;
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(all.iter().all(|d| d.status == claimed.status.as_str()));

    // Both in one step: the task's reports once each.
    let both = progress_followed(&s, mark - 1).await;
    let ids: BTreeSet<_> = both.iter().map(|d| d.id).collect();
    assert_eq!((ids.len(), both.len()), (4, 4), "{both:?}");
}
