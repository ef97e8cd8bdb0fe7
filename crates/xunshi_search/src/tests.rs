use super::*;
use xunshi_core::search::{Reach, Watermark};

fn doc(kind: DocKind, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        kind,
        id: Id::new(),
        title: title.to_owned(),
        body: body.to_owned(),
        inspection_id: None,
        unit_ids: Vec::new(),
        round_id: None,
        year: None,
        status: "draft".to_owned(),
        parent_id: None,
    }
}

fn mark(seq: i64) -> Watermark {
    Watermark {
        seq,
        trail: "trail".into(),
    }
}

fn query(text: &str) -> IndexQuery {
    IndexQuery {
        text: text.to_owned(),
        filter: SearchFilter::default(),
        reach: None,
        offset: 0,
        limit: 20,
    }
}

fn ids(hits: &[IndexHit]) -> Vec<Id> {
    hits.iter().map(|h| h.id).collect()
}

#[test]
fn chinese_words_are_found_with_their_places_marked() {
    let ix = TantivyIndex::in_memory().unwrap();
    let a = doc(
        DocKind::Problem,
        "违规发放津贴补贴",
        "经查，该单位2018年违规发放津贴补贴共计12万元，涉及干部23人。",
    );
    let b = doc(
        DocKind::Task,
        "落实意识形态工作责任制",
        "修订考评办法，开展专项督查",
    );
    ix.apply(vec![a.clone(), b.clone()], &[], Some(&mark(7)))
        .unwrap();

    let hits = ix.search(&query("津贴补贴")).unwrap();
    assert_eq!(ids(&hits), vec![a.id]);
    let h = &hits[0];
    assert_eq!(h.kind, DocKind::Problem);
    let marked: Vec<&str> = h
        .title
        .pieces()
        .into_iter()
        .filter(|p| p.1)
        .map(|p| p.0)
        .collect();
    assert_eq!(marked, vec!["津贴补贴"], "{:?}", h.title);
    assert!(
        h.snippet.text.contains("违规发放津贴补贴"),
        "{:?}",
        h.snippet
    );
    assert!(
        h.snippet
            .pieces()
            .iter()
            .any(|(t, hit)| *hit && t.contains("津贴"))
    );

    // A part of a long word finds it (search mode cuts 意识形态 into its parts too), and the
    // overlapping matches are shown as one.
    let hits = ix.search(&query("意识形态")).unwrap();
    assert_eq!(ids(&hits), vec![b.id]);
    assert_eq!(hits[0].title.marks.len(), 1, "{:?}", hits[0].title);
    assert_eq!(ids(&ix.search(&query("形态")).unwrap()), vec![b.id]);

    // Every word must be there; none of the query's syntax is taken as an operator.
    assert!(ix.search(&query("津贴补贴 意识形态")).unwrap().is_empty());
    assert!(ix.search(&query("title:津贴 AND (")).unwrap().is_empty());
    assert_eq!(ix.watermark().unwrap(), Some(mark(7)));
}

#[test]
fn filters_and_reach_narrow_the_hits() {
    let ix = TantivyIndex::in_memory().unwrap();
    let (i1, i2, u1, u2) = (Id::new(), Id::new(), Id::new(), Id::new());
    let mut p1 = doc(DocKind::Problem, "公务用车管理不规范", "");
    p1.inspection_id = Some(i1);
    p1.unit_ids = vec![u1];
    p1.year = Some(2019);
    let mut p2 = doc(DocKind::Problem, "公务用车私用", "");
    p2.inspection_id = Some(i2);
    p2.unit_ids = vec![u2];
    p2.year = Some(2021);
    p2.status = "signed".into();
    let mut t2 = doc(DocKind::Task, "规范公务用车", "");
    t2.inspection_id = Some(i2);
    t2.unit_ids = vec![u2];
    let unit = doc(DocKind::Unit, "公务用车服务中心", "");
    ix.apply(
        vec![p1.clone(), p2.clone(), t2.clone(), unit.clone()],
        &[],
        Some(&mark(1)),
    )
    .unwrap();
    let all = |f: SearchFilter, reach: Option<Reach>| {
        let mut q = query("公务用车");
        q.filter = f;
        q.reach = reach;
        let mut v = ids(&ix.search(&q).unwrap());
        v.sort();
        v
    };
    let sorted = |mut v: Vec<Id>| {
        v.sort();
        v
    };
    assert_eq!(all(SearchFilter::default(), None).len(), 4);
    let kinds = SearchFilter {
        kinds: vec![DocKind::Task, DocKind::Unit],
        ..Default::default()
    };
    assert_eq!(all(kinds, None), sorted(vec![t2.id, unit.id]));
    let year = SearchFilter {
        year: Some(2019),
        ..Default::default()
    };
    assert_eq!(all(year, None), vec![p1.id]);
    let status = SearchFilter {
        status: Some("signed".into()),
        unit_id: Some(u2),
        ..Default::default()
    };
    assert_eq!(all(status, None), vec![p2.id]);
    // Someone of the first inspection's team and of no unit reaches its records and units.
    let reach = Reach {
        inspections: vec![i1],
        units: Vec::new(),
        open_kinds: vec![DocKind::Unit],
    };
    assert_eq!(
        all(SearchFilter::default(), Some(reach)),
        sorted(vec![p1.id, unit.id])
    );
    // Someone of the second unit reaches its records only.
    let reach = Reach {
        inspections: Vec::new(),
        units: vec![u2],
        open_kinds: Vec::new(),
    };
    assert_eq!(
        all(SearchFilter::default(), Some(reach)),
        sorted(vec![p2.id, t2.id])
    );
}

#[test]
fn a_changed_record_replaces_its_old_text_and_a_gone_one_leaves() {
    let ix = TantivyIndex::in_memory().unwrap();
    let mut d = doc(DocKind::Clue, "张某某 副局长", "反映其违规收受礼金");
    ix.apply(vec![d.clone()], &[], Some(&mark(1))).unwrap();
    d.body = "反映其插手工程项目".into();
    ix.apply(vec![d.clone()], &[], Some(&mark(2))).unwrap();
    assert!(ix.search(&query("礼金")).unwrap().is_empty());
    assert_eq!(ids(&ix.search(&query("工程项目")).unwrap()), vec![d.id]);
    ix.apply(Vec::new(), &[(DocKind::Clue, d.id)], Some(&mark(3)))
        .unwrap();
    assert!(ix.search(&query("工程项目")).unwrap().is_empty());
    assert_eq!(ix.watermark().unwrap(), Some(mark(3)));
}

#[test]
fn hits_page_by_offset_in_rank_order() {
    let ix = TantivyIndex::in_memory().unwrap();
    let docs: Vec<SearchDoc> = (0..7)
        .map(|n| {
            doc(
                DocKind::Progress,
                &format!("整改进展第{n}次"),
                "巡视整改推进",
            )
        })
        .collect();
    ix.apply(docs, &[], Some(&mark(1))).unwrap();
    let mut q = query("整改");
    q.limit = 3;
    let first = ids(&ix.search(&q).unwrap());
    q.offset = 3;
    let second = ids(&ix.search(&q).unwrap());
    q.offset = 6;
    let third = ids(&ix.search(&q).unwrap());
    assert_eq!((first.len(), second.len(), third.len()), (3, 3, 1));
    let mut all: Vec<Id> = first.into_iter().chain(second).chain(third).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 7);
}

#[test]
fn the_index_and_its_watermark_survive_reopening_and_a_second_process_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = doc(DocKind::Letter, "来信来访第3号", "反映食堂采购价格偏高");
    {
        let ix = TantivyIndex::open(dir.path()).unwrap();
        assert_eq!(
            ix.watermark().unwrap(),
            None,
            "a new index was never filled"
        );
        ix.apply(vec![d.clone()], &[], Some(&mark(42))).unwrap();
        let second = TantivyIndex::open(dir.path());
        assert!(
            matches!(second, Err(CoreError::Conflict(_))),
            "{:?}",
            second.err()
        );
    }
    let ix = TantivyIndex::open(dir.path()).unwrap();
    assert_eq!(ix.watermark().unwrap(), Some(mark(42)));
    assert_eq!(ids(&ix.search(&query("采购")).unwrap()), vec![d.id]);
    // A reindex under way leaves no watermark: an index left so is rebuilt, not trusted.
    ix.clear().unwrap();
    ix.apply(vec![d.clone()], &[], None).unwrap();
    assert_eq!(ix.watermark().unwrap(), None);
}

#[test]
fn every_word_is_required_and_a_word_of_the_title_ranks_first() {
    let ix = TantivyIndex::in_memory().unwrap();
    // Many records hold the common word, so that the ranking prunes; one has it in its title.
    let mut docs: Vec<SearchDoc> = (0..300)
        .map(|i| {
            doc(
                DocKind::Task,
                &format!("第{i}项任务"),
                "按照要求抓好整改落实，建立长效机制",
            )
        })
        .collect();
    let titled = doc(DocKind::Problem, "整改不彻底", "相关问题反复出现");
    let both = doc(DocKind::Problem, "问题清单", "整改台账不健全，督查流于形式");
    docs.push(titled.clone());
    docs.push(both.clone());
    ix.apply(docs, &[], Some(&mark(1))).unwrap();

    let hits = ix.search(&query("整改")).unwrap();
    assert_eq!(hits.len(), 20);
    assert_eq!(hits[0].id, titled.id, "{:?}", hits[0]);
    // Two words: only the records holding both, wherever each is.
    let hits = ix.search(&query("整改 督查")).unwrap();
    assert_eq!(ids(&hits), vec![both.id]);
    let hits = ix.search(&query("整改 无此内容")).unwrap();
    assert!(hits.is_empty());
    // The common word pages through every record that holds it, each once.
    let mut seen = std::collections::HashSet::new();
    for page in 0..16 {
        let mut q = query("整改");
        q.offset = page * 20;
        for h in ix.search(&q).unwrap() {
            assert!(seen.insert(h.id), "{:?} twice", h.id);
        }
    }
    assert_eq!(seen.len(), 302);
}
