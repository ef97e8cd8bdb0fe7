//! Storage of what comes back from a team's node (离线节点): the node's rows as they stand,
//! each with the digest of the row as it went out, and the records both sides changed, kept
//! for the office's decision. Rows are handled as the store reads them (one JSON value per
//! column), so that one import serves every kind of record the team works on; the store holds
//! the list of those kinds, and refuses a row of any other.

use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::id::Id;

/// One row of the node, as it stands there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeRow {
    pub table: String,
    /// The columns, in the order of `values`: every column of the table.
    pub columns: Vec<String>,
    pub values: Vec<Value>,
    /// The digest ([`row_digest`]) of the row as the office's bundle carried it; `None` for a
    /// row made on the node.
    pub base: Option<String>,
}

/// The digest of a row's values, as both sides compute it: SHA-256 of their JSON text.
pub fn row_digest(values: &[Value]) -> String {
    let text = serde_json::to_string(values).unwrap_or_default();
    crate::crypto::HashAlg::Sha256.hex(text.as_bytes())
}

/// The column that numbers a kind of record within its inspection (unique there: a letter's
/// 编号, a problem's 序号), where it has one. A number the office gave meanwhile is not taken
/// twice: the node's record goes in under the next free one.
pub fn numbered(table: &str) -> Option<&'static str> {
    match table {
        "letters" | "doc_requests" => Some("number"),
        "problems" | "fix_notices" => Some("seq"),
        _ => None,
    }
}

/// Whether the office's row `office` is the node's `row` but for its number ([`numbered`]):
/// a record the node made, taken in before under another number.
pub fn same_but_number(row: &NodeRow, office: &[Value]) -> bool {
    let Some(column) = numbered(&row.table) else {
        return false;
    };
    office.len() == row.values.len()
        && row
            .columns
            .iter()
            .zip(row.values.iter().zip(office))
            .all(|(c, (a, b))| c == column || a == b)
}

/// What a kind of record the node returns is called on the pages.
pub fn table_label(table: &str) -> &'static str {
    match table {
        "problems" => "问题底稿",
        "evidence" => "底稿证据",
        "fix_notices" => "立行立改通知",
        "reports" => "巡视报告",
        "report_versions" => "报告稿",
        "report_steps" => "报告审批",
        "clues" => "问题线索",
        "announcements" => "进驻公告",
        "letters" => "来信来电来访",
        "letter_notes" => "来信答复",
        "letter_handlers" => "信访处理人",
        "talk_plan" => "谈话计划",
        "talks" => "个别谈话",
        "doc_requests" => "调阅材料",
        "field_records" => "其他工作记录",
        "citations" => "材料引用",
        "fieldwork_files" => "进驻了解附件",
        _ => "记录",
    }
}

/// A record the node and the office both changed since the bundle went out.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NodeConflict {
    pub id: Id,
    pub pair: String,
    pub inspection_id: Id,
    pub table: String,
    pub columns: Vec<String>,
    /// The row as the office held it when the node's work came in: one value per column.
    pub office_row: Vec<Value>,
    /// The row as the node holds it.
    pub node_row: Vec<Value>,
    #[schema(value_type = String, format = DateTime)]
    pub imported_at: jiff::Timestamp,
    /// `office` or `node`: whose row stands; `None` while undecided.
    pub decision: Option<String>,
    pub decided_by: Option<Id>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<jiff::Timestamp>,
}

/// What the office last took of one record a pair's node returned ([`NodeRead::node_baseline`]):
/// the ground a later import of the same record is compared on, in place of the bundle that
/// first went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeBaseline {
    /// The digest of the node's row as it last came in.
    pub node: String,
    /// The digest of the office's row after that import or decision, where the office then held
    /// the node's record (perhaps under another number); `None` where it kept its own.
    pub office: Option<String>,
    /// The conflict of the record, while it is undecided.
    pub conflict: Option<Id>,
}

/// How a node's row went in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    Stored,
    /// A numbered record (a letter's 编号, a problem's 序号) whose number the office had
    /// given to another of its own meanwhile: stored under the next free number.
    Renumbered {
        column: String,
        was: i64,
        now: i64,
    },
}

pub trait NodeRead: Send {
    /// The row of `table` with the key of `row` (its key columns' values), in `row`'s columns;
    /// `None` where the office has no such row. A table or column the node does not return is
    /// refused.
    fn node_row(
        &mut self,
        row: &NodeRow,
    ) -> impl Future<Output = Result<Option<Vec<Value>>>> + Send;
    /// Whether the row with `row`'s key belongs to `inspection`, as a node of it would take it.
    fn node_row_belongs(
        &mut self,
        row: &NodeRow,
        inspection: Id,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The conflicts of an inspection (or of all), the undecided only or all, oldest first.
    fn node_conflicts(
        &mut self,
        inspection: Option<Id>,
        undecided_only: bool,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<NodeConflict>>> + Send;
    fn get_node_conflict(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<NodeConflict>>> + Send;
    /// What the office last took of the record with `row`'s key from the pair's node.
    fn node_baseline(
        &mut self,
        pair: &str,
        row: &NodeRow,
    ) -> impl Future<Output = Result<Option<NodeBaseline>>> + Send;
    /// The last record of a pair's node trail taken in: its sequence number and hash.
    fn node_trail_taken(
        &mut self,
        pair: &str,
    ) -> impl Future<Output = Result<Option<(i64, String)>>> + Send;
}

pub trait NodeWrite: NodeRead {
    /// Stores the node's row: over the office's row of the same key (`exists`), or as a new
    /// one.
    fn put_node_row(
        &mut self,
        row: &NodeRow,
        exists: bool,
        inspection: Id,
    ) -> impl Future<Output = Result<Placed>> + Send;
    fn insert_node_conflict(&mut self, c: &NodeConflict)
    -> impl Future<Output = Result<()>> + Send;
    /// Puts the rows of an undecided conflict as they stand now (the node's record changed
    /// again before the office decided); `Conflict` if it was decided meanwhile.
    fn renew_node_conflict(&mut self, c: &NodeConflict) -> impl Future<Output = Result<()>> + Send;
    /// Notes what the office took of the record with `row`'s key from the pair's node.
    fn set_node_baseline(
        &mut self,
        pair: &str,
        row: &NodeRow,
        baseline: &NodeBaseline,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Records the decision of an undecided conflict; `Conflict` if it was decided meanwhile.
    fn decide_node_conflict(&mut self, c: &NodeConflict)
    -> impl Future<Output = Result<()>> + Send;
    /// Notes the last record of a pair's node trail taken in.
    fn set_node_trail_taken(
        &mut self,
        pair: &str,
        seq: i64,
        hash: &str,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(number: i64, content: &str) -> NodeRow {
        NodeRow {
            table: "letters".into(),
            columns: vec!["id".into(), "number".into(), "content".into()],
            values: vec![Value::from("a"), Value::from(number), Value::from(content)],
            base: None,
        }
    }

    #[test]
    fn a_record_taken_in_under_another_number_is_the_same_but_for_it() {
        let row = letter(3, "来访");
        assert!(same_but_number(&row, &letter(4, "来访").values));
        assert!(!same_but_number(&row, &letter(4, "来信").values));
        let mut talk = row.clone();
        talk.table = "talks".into();
        assert!(!same_but_number(&talk, &letter(4, "来访").values));
        assert_eq!(
            row_digest(&row.values),
            row_digest(&letter(3, "来访").values)
        );
        assert_ne!(
            row_digest(&row.values),
            row_digest(&letter(4, "来访").values)
        );
    }
}
