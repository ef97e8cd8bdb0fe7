//! The ledger as people take it away: every task the actor may see under the ledger's own
//! filters, with what a spreadsheet ledger carries beside the task (where the problem came
//! from, how many evidence files are on record), in ledger order. The file itself is made in
//! `xunshi_office`; this gathers the rows through the ledger's service, so the export shows
//! exactly what the ledger page shows the same person.

use jiff::civil::Date;

use super::planning::today;
use super::{LedgerFilter, Services, TaskEntry};
use crate::error::Result;
use crate::page::PageRequest;
use crate::permission::Actor;
use crate::rectify::seq_key;
use crate::store::{RectifyTx, Store};

/// One row of the exported ledger.
#[derive(Debug, Clone)]
pub struct LedgerExportRow {
    pub entry: TaskEntry,
    /// 问题来源: the feedback of which team.
    pub source: String,
    /// Evidence files on record, withdrawn ones not counted.
    pub evidence: usize,
}

#[derive(Debug, Clone)]
pub struct LedgerExport {
    /// 自治区党委宣传部巡视整改台账, or 巡视整改台账 across units.
    pub title: String,
    pub as_of: Date,
    pub rows: Vec<LedgerExportRow>,
}

impl<S: Store> Services<S> {
    /// The whole ledger under `f` as the actor may see it, by unit, then by ledger number.
    pub async fn ledger_export(&self, actor: &Actor, f: &LedgerFilter) -> Result<LedgerExport> {
        let mut entries = Vec::new();
        let mut page = PageRequest::first(crate::page::MAX_LIMIT);
        loop {
            let p = self.list_tasks(actor, f, page).await?;
            entries.extend(p.items);
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
        let mut rows = Vec::with_capacity(entries.len());
        for entry in entries {
            let evidence = tx
                .list_task_evidence(entry.task.id)
                .await?
                .iter()
                .filter(|e| e.withdrawn.is_none())
                .count();
            rows.push(LedgerExportRow {
                source: format!("{}反馈意见", entry.team_name),
                evidence,
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
