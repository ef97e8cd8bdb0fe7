//! The ledger as people take it away: every task the actor may see under the ledger's own
//! filters, with what a spreadsheet ledger carries beside the task (where the problem came
//! from, which evidence files are on record, the rules it produced and who was held to
//! account), in ledger order. The file itself is made in
//! `xunshi_office`; this gathers the rows through the ledger's service, so the export shows
//! exactly what the ledger page shows the same person.

use std::collections::HashMap;

use jiff::civil::Date;

use super::planning::today;
use super::{LedgerFilter, Services, TaskEntry};
use crate::access::Visible;
use crate::deadline::Colour;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::page::PageRequest;
use crate::permission::Actor;
use crate::rectify::{Accountability, Mechanism, seq_key};
use crate::store::supervise::{AccountabilityFilter, MechanismFilter};
use crate::store::{RectifyRead, Store, SuperviseRead};

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

impl LedgerTotals {
    pub fn of(rows: &[LedgerExportRow]) -> LedgerTotals {
        let mut by_status: Vec<(String, usize)> = Vec::new();
        for r in rows {
            match by_status
                .iter_mut()
                .find(|(s, _)| *s == r.entry.status_label)
            {
                Some((_, n)) => *n += 1,
                None => by_status.push((r.entry.status_label.clone(), 1)),
            }
        }
        let by_colour = Colour::ALL
            .iter()
            .map(|c| (*c, rows.iter().filter(|r| r.entry.colour == *c).count()))
            .collect();
        LedgerTotals {
            count: rows.len(),
            by_status,
            by_colour,
        }
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
        entries.sort_by(|a, b| {
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
        });
        let mut tx = self.store.read().await?;
        // The supervision records of each inspected unit, read once: the reader saw these tasks,
        // and these records belong to the same unit's rectification.
        let mut records: HashMap<(Id, Id), (Vec<Mechanism>, Vec<Accountability>)> = HashMap::new();
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
        let mut rows = Vec::with_capacity(entries.len());
        for entry in entries {
            let evidence = tx
                .list_task_evidence(entry.task.id)
                .await?
                .into_iter()
                .filter(|e| e.withdrawn.is_none())
                .map(|e| e.filename)
                .collect();
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
                evidence,
                mechanisms,
                accountability,
                entry,
            });
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
