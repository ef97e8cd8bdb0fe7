//! Full-text search (全文检索): what is indexed of each kind of record, what a query asks, and
//! the `SearchIndex` port an index answers through (tantivy with a Chinese tokenizer in the
//! `xunshi_search` crate). The index knows nothing of who may read what: the service keeps only
//! the hits the asker may open, by the rule of each kind's own pages
//! (`Services::search`). Sealed fields (letter writers' identities, talk records) never reach
//! a [`SearchDoc`]: the store builds documents from plain columns only.

use crate::error::{CoreError, Result};
use crate::id::Id;

/// The kinds of record the search finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// A working paper's problem (问题底稿).
    Problem,
    /// An inspection report (巡视报告), its latest version.
    Report,
    /// An inspection's feedback (反馈意见).
    Feedback,
    /// A rectification task (整改任务).
    Task,
    /// A progress report of a task (整改进展).
    Progress,
    /// A problem clue (问题线索).
    Clue,
    /// A letter or visit from the public (来信来访), without its writer.
    Letter,
    /// A request for documents (调阅材料).
    DocRequest,
    /// A record of the other methods of fieldwork (其他工作方式记录).
    FieldRecord,
    /// A unit's rectification report or its principal's report (整改情况报告).
    RectReport,
    /// A unit's notice of its rectification's progress (巡视整改进展情况通报).
    Notice,
    /// A unit of the organisation (单位).
    Unit,
}

impl DocKind {
    pub const ALL: [DocKind; 12] = [
        DocKind::Problem,
        DocKind::Report,
        DocKind::Feedback,
        DocKind::Task,
        DocKind::Progress,
        DocKind::Clue,
        DocKind::Letter,
        DocKind::DocRequest,
        DocKind::FieldRecord,
        DocKind::RectReport,
        DocKind::Notice,
        DocKind::Unit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocKind::Problem => "problem",
            DocKind::Report => "report",
            DocKind::Feedback => "feedback",
            DocKind::Task => "task",
            DocKind::Progress => "progress",
            DocKind::Clue => "clue",
            DocKind::Letter => "letter",
            DocKind::DocRequest => "doc_request",
            DocKind::FieldRecord => "field_record",
            DocKind::RectReport => "rect_report",
            DocKind::Notice => "notice",
            DocKind::Unit => "unit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocKind::Problem => "问题底稿",
            DocKind::Report => "巡视报告",
            DocKind::Feedback => "反馈意见",
            DocKind::Task => "整改任务",
            DocKind::Progress => "整改进展",
            DocKind::Clue => "问题线索",
            DocKind::Letter => "来信来访",
            DocKind::DocRequest => "调阅材料",
            DocKind::FieldRecord => "其他工作方式记录",
            DocKind::RectReport => "整改情况报告",
            DocKind::Notice => "整改进展情况通报",
            DocKind::Unit => "单位",
        }
    }

    /// The statuses a record of this kind is indexed with, as the status filter takes them:
    /// (code, label). Empty for a kind that has none (the other methods' records).
    pub fn statuses(self) -> Vec<(&'static str, &'static str)> {
        use crate::{clue, disclosure, feedback, fieldwork, paper, rectify, report};
        match self {
            DocKind::Problem => paper::ProblemStatus::choices(),
            DocKind::Report => report::ReportStatus::choices(),
            DocKind::Feedback => feedback::FeedbackStatus::choices(),
            DocKind::Task | DocKind::Progress => rectify::TaskStatus::choices(),
            DocKind::Clue => clue::ClueStatus::choices(),
            DocKind::Letter => fieldwork::LetterStatus::choices(),
            DocKind::DocRequest => fieldwork::DocRequestStatus::choices(),
            DocKind::FieldRecord => Vec::new(),
            DocKind::RectReport | DocKind::Notice => disclosure::DocStatus::choices(),
            DocKind::Unit => vec![("active", "在用"), ("withdrawn", "已撤销")],
        }
    }

    pub fn parse(code: &str) -> Result<DocKind> {
        DocKind::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| {
                CoreError::bad_input(
                    "kind",
                    format!(
                        "没有“{code}”这一类，可选 {}",
                        DocKind::ALL.map(DocKind::code).join("、")
                    ),
                )
            })
    }

    /// The page a record of this kind is opened on. A progress report opens its task's page
    /// (`task_id`); feedback is named by its inspection.
    pub fn link(self, id: Id, task_id: Option<Id>) -> String {
        match self {
            DocKind::Problem => format!("/papers/{id}"),
            DocKind::Report => format!("/reports/{id}"),
            DocKind::Feedback => format!("/inspections/{id}/feedback"),
            DocKind::Task => format!("/rectification/tasks/{id}"),
            DocKind::Progress => match task_id {
                Some(t) => format!("/rectification/tasks/{t}"),
                None => "/rectification/tasks".to_owned(),
            },
            DocKind::Clue => format!("/clues/{id}"),
            DocKind::Letter => format!("/letters/{id}"),
            DocKind::DocRequest => format!("/doc-requests/{id}"),
            DocKind::FieldRecord => format!("/field-records/{id}"),
            DocKind::RectReport => format!("/rectification/reports/{id}"),
            DocKind::Notice => format!("/rectification/notices/{id}"),
            DocKind::Unit => format!("/units/{id}"),
        }
    }
}

/// One record as the index holds it. `inspection_id`, `unit_ids`, `round_id` and `year` are
/// the filters (and the coarse reach the index narrows by before the service checks each hit):
/// the units are the record's own (a task's, a problem's target, a clue's subject's) or, for
/// feedback, every unit it was given to. `parent_id` is the task of a progress report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub kind: DocKind,
    pub id: Id,
    pub title: String,
    pub body: String,
    pub inspection_id: Option<Id>,
    pub unit_ids: Vec<Id>,
    pub round_id: Option<Id>,
    pub year: Option<i32>,
    /// The record's status code, as its own lists filter by it.
    pub status: String,
    pub parent_id: Option<Id>,
}

/// The records the index may return for one asker before each hit is checked: those of the
/// listed inspections or units, and every record of the open kinds. `None` in a query: no
/// narrowing (the office, the leadership, the supervisors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub inspections: Vec<Id>,
    pub units: Vec<Id>,
    pub open_kinds: Vec<DocKind>,
}

/// What to look for: the words, the filters, and which ranked hits to return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub kinds: Vec<DocKind>,
    pub unit_id: Option<Id>,
    pub inspection_id: Option<Id>,
    pub round_id: Option<Id>,
    pub year: Option<i32>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexQuery {
    pub text: String,
    pub filter: SearchFilter,
    pub reach: Option<Reach>,
    /// How many ranked hits to skip.
    pub offset: usize,
    pub limit: usize,
}

/// Text with the spans that matched the query, as byte ranges of `text`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Marked {
    pub text: String,
    #[serde(skip)]
    pub marks: Vec<(usize, usize)>,
}

impl Marked {
    /// The text in pieces, each with whether it matched: what a page prints, escaping each.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        let mut at = 0;
        for &(from, to) in &self.marks {
            if from < at || to > self.text.len() || from > to {
                continue;
            }
            if from > at {
                out.push((&self.text[at..from], false));
            }
            out.push((&self.text[from..to], true));
            at = to;
        }
        if at < self.text.len() {
            out.push((&self.text[at..], false));
        }
        out
    }

    /// The text with each match between `open` and `close`, the rest escaped by `escape`.
    pub fn render(&self, open: &str, close: &str, escape: impl Fn(&str) -> String) -> String {
        self.pieces()
            .into_iter()
            .map(|(t, hit)| {
                if hit {
                    format!("{open}{}{close}", escape(t))
                } else {
                    escape(t)
                }
            })
            .collect()
    }
}

/// One ranked hit of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexHit {
    pub kind: DocKind,
    pub id: Id,
    pub parent_id: Option<Id>,
    pub title: Marked,
    pub snippet: Marked,
    pub score: f32,
}

/// How far an index has followed which audit trail: the sequence number of the last record
/// whose changes it holds, and the id of the trail's first record, which names the database
/// (an index of another database, its data folder pointed elsewhere, is rebuilt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watermark {
    pub seq: i64,
    pub trail: String,
}

impl Watermark {
    /// As kept in the index's commit: `seq@trail`.
    pub fn encode(&self) -> String {
        format!("{}@{}", self.seq, self.trail)
    }

    /// `None` for anything [`Watermark::encode`] did not write (an index never filled, or
    /// left in the middle of a rebuild).
    pub fn decode(s: &str) -> Option<Watermark> {
        let (seq, trail) = s.split_once('@')?;
        Some(Watermark {
            seq: seq.parse().ok()?,
            trail: trail.to_owned(),
        })
    }
}

/// A full-text index of the records, kept current from the audit trail up to its
/// [`Watermark`]. Calls block on disk and
/// CPU for milliseconds; callers on an async runtime run `apply` and `clear` off it.
pub trait SearchIndex: Send + Sync + 'static {
    /// How far the index is current; `None` for an index never filled or left mid-rebuild.
    fn watermark(&self) -> Result<Option<Watermark>>;
    /// Puts `docs` in place of any earlier versions, removes `gone`, and records that the
    /// index holds every change up to `watermark` — all in one commit. `None` while a full
    /// reindex is under way: an index left so is rebuilt, never taken as current.
    fn apply(
        &self,
        docs: Vec<SearchDoc>,
        gone: &[(DocKind, Id)],
        watermark: Option<&Watermark>,
    ) -> Result<()>;
    /// Empties the index, watermark included.
    fn clear(&self) -> Result<()>;
    /// The ranked hits from `offset`, at most `limit`, with their snippets.
    fn search(&self, q: &IndexQuery) -> Result<Vec<IndexHit>>;
    /// The records of `kind` whose words are most like those of the record `id` of that kind
    /// (the record itself left out), at most `limit`, within `reach`, each with how alike it is
    /// from 0 to 1 (its score over the record's own).
    fn similar(
        &self,
        kind: DocKind,
        id: Id,
        reach: Option<&Reach>,
        limit: usize,
    ) -> Result<Vec<(Id, f32)>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_code_and_a_wrong_one_is_named() {
        for k in DocKind::ALL {
            assert_eq!(DocKind::parse(k.code()).ok(), Some(k));
        }
        let e = DocKind::parse("talk").unwrap_err().to_string();
        assert!(e.contains("talk"), "{e}");
    }

    #[test]
    fn a_watermark_reads_back_and_anything_else_is_none() {
        let w = Watermark {
            seq: 42,
            trail: "01a245b8-c4ef-7354-a3e7-a227ec8b5b1a".into(),
        };
        assert_eq!(Watermark::decode(&w.encode()), Some(w));
        assert_eq!(Watermark::decode(""), None);
        assert_eq!(Watermark::decode("42"), None);
        assert_eq!(Watermark::decode("x@y"), None);
    }

    #[test]
    fn marked_text_is_split_at_its_matches_and_escaped_piecewise() {
        let m = Marked {
            text: "违规<发放>津贴补贴".to_owned(),
            marks: vec![(0, 6), (20, 26)],
        };
        let html = m.render("<mark>", "</mark>", |t| t.replace('<', "&lt;"));
        assert_eq!(html, "<mark>违规</mark>&lt;发放>津贴<mark>补贴</mark>");
    }
}
