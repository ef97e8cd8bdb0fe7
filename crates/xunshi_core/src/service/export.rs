//! The ledger as people take it away: every task the actor may see under the ledger's own
//! filters, with what a spreadsheet ledger carries beside the task (where the problem came
//! from, which evidence files are on record, the rules it produced and who was held to
//! account), in ledger order. The file itself is made in
//! `xunshi_office`; this gathers the rows through the ledger's service, so the export shows
//! exactly what the ledger page shows the same person.

use std::cmp::Ordering;
use std::collections::HashMap;

use jiff::civil::Date;

use super::planning::today;
use super::{LedgerFilter, Services, TaskEntry};
use crate::access::Visible;
use crate::deadline::Colour;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::page::PageRequest;
use crate::page::{Keyset, Sort};
use crate::permission::Actor;
use crate::rectify::{Accountability, Mechanism, seq_key};
use crate::store::supervise::{AccountabilityFilter, MechanismFilter};
use crate::store::{RectifyRead, Store, SuperviseRead};
use crate::store::{TaskSort, TaskSortKey};

/// One row of the exported ledger.
#[derive(Debug, Clone)]
pub struct LedgerExportRow {
    pub entry: TaskEntry,
    /// 问题来源: the feedback of which team.
    pub source: String,
    /// The names of the evidence files on record, withdrawn ones left out, in upload order.
    pub evidence: Vec<String>,
    /// 建立制度: the rules established or revised through this task.
    pub mechanisms: Vec<String>,
    /// 追责问责情况: people held to account over this task or its problem.
    pub accountability: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct LedgerExport {
    /// 自治区党委宣传部巡视整改台账, or 巡视整改台账 across units.
    pub title: String,
    pub as_of: Date,
    pub rows: Vec<LedgerExportRow>,
}

/// What the rows of an export add up to, for the line under a ledger (合计).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerTotals {
    pub count: usize,
    /// Each status shown, in the order the rows first show it, with its count.
    pub by_status: Vec<(String, usize)>,
    /// Each deadline colour, in [`Colour::ALL`]'s order, with its count (zeros included, so a
    /// printed ledger says plainly that nothing is overdue).
    pub by_colour: Vec<(Colour, usize)>,
}

impl Default for LedgerTotals {
    fn default() -> Self {
        LedgerTotals::new()
    }
}

impl LedgerTotals {
    /// Nothing counted yet.
    pub fn new() -> LedgerTotals {
        LedgerTotals {
            count: 0,
            by_status: Vec::new(),
            by_colour: Colour::ALL.iter().map(|c| (*c, 0)).collect(),
        }
    }

    /// Counts one more row, as rows stream past.
    pub fn add(&mut self, entry: &TaskEntry) {
        self.count += 1;
        match self
            .by_status
            .iter_mut()
            .find(|(s, _)| *s == entry.status_label)
        {
            Some((_, n)) => *n += 1,
            None => self.by_status.push((entry.status_label.clone(), 1)),
        }
        if let Some((_, n)) = self.by_colour.iter_mut().find(|(c, _)| *c == entry.colour) {
            *n += 1;
        }
    }

    pub fn of(rows: &[LedgerExportRow]) -> LedgerTotals {
        let mut t = LedgerTotals::new();
        for r in rows {
            t.add(&r.entry);
        }
        t
    }

    /// 合计：共 3 项；未启动 1 项，整改中 2 项；正常 1 项，临期 1 项，逾期 1 项，逾期完成 0 项
    pub fn text(&self) -> String {
        let status: Vec<String> = self
            .by_status
            .iter()
            .map(|(s, n)| format!("{s} {n} 项"))
            .collect();
        let colour: Vec<String> = self
            .by_colour
            .iter()
            .map(|(c, n)| format!("{} {n} 项", c.label()))
            .collect();
        let mut t = format!("合计：共 {} 项", self.count);
        for part in [status, colour] {
            if !part.is_empty() {
                t.push('；');
                t.push_str(&part.join("，"));
            }
        }
        t
    }
}

/// The most rows one export takes: a workbook of a province's whole ledger would be a million
/// rows, past what office suites open and more than anyone reads; a filter narrows it.
pub const EXPORT_MAX_ROWS: i64 = 50_000;

impl<S: Store> Services<S> {
    /// The whole ledger under `f` as the actor may see it, by unit, then by ledger number.
    /// More than [`EXPORT_MAX_ROWS`] rows are refused with a request to narrow the filter.
    pub async fn ledger_export(&self, actor: &Actor, f: &LedgerFilter) -> Result<LedgerExport> {
        let first = self.list_tasks(actor, f, PageRequest::first(1)).await?;
        let max = self.export_max;
        if let Some(n) = first.total
            && n > max
        {
            return Err(CoreError::RuleRefused(format!(
                "台账共 {n} 项，超过一次导出或打印的上限 {max} 项；请按单位、巡视任务、状态或期限筛选后分批导出"
            )));
        }
        let mut entries = Vec::new();
        let mut page = PageRequest::first(crate::page::MAX_LIMIT);
        loop {
            let p = self.list_tasks(actor, f, page).await?;
            entries.extend(p.items);
            // The count above is the tallies' (or absent); the pages are what is read, so the
            // cap holds even if rows were added between the count and the last page.
            if entries.len() as i64 > max {
                return Err(CoreError::RuleRefused(format!(
                    "台账超过一次导出或打印的上限 {max} 项；请按单位、巡视任务、状态或期限筛选后分批导出"
                )));
            }
            match p.next_cursor {
                Some(c) => page.after = Some(c.parse()?),
                None => break,
            }
        }
        entries.sort_by(export_order);
        let mut tx = self.store.read().await?;
        // The supervision records of each inspected unit, read once: the reader saw these tasks,
        // and these records belong to the same unit's rectification.
        let mut records = Records::default();
        let mut rows = Vec::with_capacity(entries.len());
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            let chunk: Vec<TaskEntry> = entries
                .by_ref()
                .take(crate::page::MAX_LIMIT as usize)
                .collect();
            rows.extend(gather(&mut tx, &mut records, chunk).await?);
        }
        let mut units: Vec<&str> = rows.iter().map(|r| r.entry.unit_name.as_str()).collect();
        units.dedup();
        let title = match units.as_slice() {
            [one] => format!("{one}巡视整改台账"),
            _ => "巡视整改台账".to_owned(),
        };
        Ok(LedgerExport {
            title,
            as_of: today(self.now()),
            rows,
        })
    }
}

/// The export's order: by unit, then inspection, then ledger number (1.2.10 after 1.2.9).
fn export_order(a: &TaskEntry, b: &TaskEntry) -> Ordering {
    (
        &a.unit_name,
        a.task.unit_id,
        a.task.inspection_id,
        seq_key(&a.task.seq),
    )
        .cmp(&(
            &b.unit_name,
            b.task.unit_id,
            b.task.inspection_id,
            seq_key(&b.task.seq),
        ))
}

/// The mechanisms and accountability records of each (inspection, unit) read so far.
type Records = HashMap<(Id, Id), (Vec<Mechanism>, Vec<Accountability>)>;

/// The export's rows of `entries`, in their order: the evidence of all of them in one query,
/// the supervision records once per inspected unit not yet in `records`.
async fn gather<T: RectifyRead + SuperviseRead>(
    tx: &mut T,
    records: &mut Records,
    entries: Vec<TaskEntry>,
) -> Result<Vec<LedgerExportRow>> {
    for e in &entries {
        let key = (e.task.inspection_id, e.task.unit_id);
        if records.contains_key(&key) {
            continue;
        }
        let all = PageRequest::first(crate::page::MAX_LIMIT);
        let mechanisms = tx
            .list_mechanisms(
                &MechanismFilter {
                    scope: Visible::All,
                    inspection_id: Some(key.0),
                    unit_id: Some(key.1),
                    task_id: None,
                    q: None,
                },
                all,
            )
            .await?;
        let accountability = tx
            .list_accountability(
                &AccountabilityFilter {
                    scope: Visible::All,
                    inspection_id: Some(key.0),
                    unit_id: Some(key.1),
                    task_id: None,
                    form: None,
                    q: None,
                },
                all,
            )
            .await?;
        records.insert(key, (mechanisms, accountability));
    }
    let ids: Vec<Id> = entries.iter().map(|e| e.task.id).collect();
    let mut evidence: HashMap<Id, Vec<String>> = HashMap::new();
    for file in tx.list_evidence_of_tasks(&ids).await? {
        if file.withdrawn.is_none() {
            evidence
                .entry(file.task_id)
                .or_default()
                .push(file.filename);
        }
    }
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        let (mechanisms, accountability) = records
            .get(&(entry.task.inspection_id, entry.task.unit_id))
            .map(|(m, a)| {
                let t = &entry.task;
                let m = m
                    .iter()
                    .filter(|m| m.task_ids.contains(&t.id))
                    .map(|m| {
                        let how = if m.is_new { "制定" } else { "修订" };
                        match m.doc_no.trim() {
                            "" => format!("{how}{}", m.title),
                            no => format!("{how}{}（{no}）", m.title),
                        }
                    })
                    .collect();
                let a = a
                    .iter()
                    .filter(|a| a.task_id == Some(t.id) || a.problem_id == Some(t.problem_id))
                    .map(|a| {
                        format!(
                            "{}（{}）：{}，{}（{}，{}）",
                            a.person,
                            a.post,
                            a.measure,
                            a.form.label(),
                            a.deciding_body,
                            a.decided_on
                        )
                    })
                    .collect();
                (m, a)
            })
            .unwrap_or_default();
        rows.push(LedgerExportRow {
            source: format!("{}反馈意见", entry.team_name),
            evidence: evidence.remove(&entry.task.id).unwrap_or_default(),
            mechanisms,
            accountability,
            entry,
        });
    }
    Ok(rows)
}

/// An export read page by page, for ledgers of any length (`xunshi ledger export`): no cap,
/// and never more in memory than one page and the rows of the unit being read. Each filter
/// is read in turn (a round's inspections, one by one), its rows unit by unit in the order the
/// units were registered (the ledger's `unit` order, an index walk), each unit's rows by
/// inspection and ledger number as in [`Services::ledger_export`]. Each page is the ledger
/// service's own (`ledger_page`), so the rows are those the ledger shows the actor.
pub struct LedgerExportStream {
    actor: Actor,
    filters: Vec<LedgerFilter>,
    /// The filter being read, and where its next page starts.
    current: usize,
    cursor: Option<Keyset>,
    /// Rows read whose unit may go on in the next page.
    pending: Vec<TaskEntry>,
    records: Records,
    /// How many rows the filters matched when the export began (the ledger's counts).
    pub total: i64,
    pub as_of: Date,
}

const STREAM_SORT: TaskSort = Sort {
    key: TaskSortKey::Unit,
    desc: false,
};

impl<S: Store> Services<S> {
    /// Begins a streamed export of the ledger under each of `filters` in turn, counting the
    /// rows (each filter's count, as the ledger page shows it).
    pub async fn ledger_export_stream(
        &self,
        actor: &Actor,
        filters: Vec<LedgerFilter>,
    ) -> Result<LedgerExportStream> {
        let mut total = 0;
        for f in &filters {
            total += self
                .ledger_page(actor, f, STREAM_SORT, None, 1)
                .await?
                .total;
        }
        Ok(LedgerExportStream {
            actor: actor.clone(),
            filters,
            current: 0,
            cursor: None,
            pending: Vec::new(),
            records: Records::default(),
            total,
            as_of: today(self.now()),
        })
    }

    /// The next rows of a streamed export, a unit's whole rows at a time (or those of several
    /// units); `None` when every filter has been read.
    pub async fn ledger_export_next(
        &self,
        s: &mut LedgerExportStream,
    ) -> Result<Option<Vec<LedgerExportRow>>> {
        loop {
            let Some(f) = s.filters.get(s.current) else {
                return Ok(None);
            };
            let page = self
                .ledger_page(
                    &s.actor,
                    f,
                    STREAM_SORT,
                    s.cursor.as_ref(),
                    crate::page::MAX_LIMIT,
                )
                .await?;
            s.pending.extend(page.items);
            let done: Vec<TaskEntry> = match page.next_cursor {
                Some(c) => {
                    s.cursor = Some(STREAM_SORT.cursor(&c)?);
                    // The last unit read may go on in the next page; the others are whole.
                    let Some(last) = s.pending.last().map(|e| e.task.unit_id) else {
                        continue;
                    };
                    let keep = s.pending.iter().position(|e| e.task.unit_id == last);
                    match keep {
                        Some(0) | None => continue,
                        Some(i) => {
                            let rest = s.pending.split_off(i);
                            std::mem::replace(&mut s.pending, rest)
                        }
                    }
                }
                None => {
                    s.current += 1;
                    s.cursor = None;
                    std::mem::take(&mut s.pending)
                }
            };
            if done.is_empty() {
                continue;
            }
            // Only the units still to come keep their records.
            s.records.clear();
            let mut done = done;
            // The units stay in the order read; within each, by inspection and number.
            done.sort_by(|a, b| {
                (a.task.unit_id, a.task.inspection_id, seq_key(&a.task.seq)).cmp(&(
                    b.task.unit_id,
                    b.task.inspection_id,
                    seq_key(&b.task.seq),
                ))
            });
            let mut tx = self.store.read().await?;
            return gather(&mut tx, &mut s.records, done).await.map(Some);
        }
    }
}
