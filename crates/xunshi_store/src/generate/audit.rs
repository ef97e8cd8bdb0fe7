//! The audit records the generated history implies. Events are produced entity by entity, not
//! in time order; they are staged in weekly files on disk (never all in memory), then each
//! week is sorted by time and chained exactly as `service::record` chains: `seq` counts up,
//! each record holds the hash of the one before, and the head row gets the last.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};

use xunshi_core::audit::{Action, AuditRecord, GENESIS_HASH, format_at};
use xunshi_core::{CoreError, Id, Result};

use super::bulk::{Bulk, T, V};

/// Who acted, as the trail names them.
#[derive(Debug, Clone)]
pub(crate) struct Who {
    pub(crate) id: Option<Id>,
    pub(crate) username: String,
}

const WEEK_MICROS: i64 = 7 * 24 * 3600 * 1_000_000;

pub(crate) struct AuditSink {
    dir: tempfile::TempDir,
    start: i64,
    files: Vec<Option<BufWriter<File>>>,
    pub(crate) count: u64,
}

impl AuditSink {
    /// Stages events between `start` and `end` (microseconds since the epoch).
    pub(crate) fn new(start: i64, end: i64) -> Result<Self> {
        let weeks = ((end - start) / WEEK_MICROS + 2) as usize;
        Ok(AuditSink {
            dir: tempfile::tempdir().map_err(CoreError::internal)?,
            start,
            files: (0..weeks).map(|_| None).collect(),
            count: 0,
        })
    }

    /// Stages one record. `at` in microseconds; the record's id is derived from it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn event(
        &mut self,
        at: i64,
        id: Id,
        who: &Who,
        action: Action,
        object_type: &str,
        object_id: Option<Id>,
        summary: serde_json::Value,
    ) -> Result<()> {
        let week = ((at - self.start) / WEEK_MICROS).clamp(0, self.files.len() as i64 - 1) as usize;
        if self.files[week].is_none() {
            let f = File::create(self.dir.path().join(format!("{week:05}")))
                .map_err(CoreError::internal)?;
            self.files[week] = Some(BufWriter::with_capacity(16 * 1024, f));
        }
        let w = self.files[week].as_mut().expect("just opened");
        let at = format_at(jiff::Timestamp::from_microsecond(at).map_err(CoreError::internal)?);
        // JSON text never holds a raw tab or newline, nor do names and ids: tab-separated
        // lines are unambiguous.
        writeln!(
            w,
            "{at}\t{id}\t{}\t{}\t{}\t{object_type}\t{}\t{summary}",
            who.id.map(|i| i.to_string()).unwrap_or_default(),
            who.username,
            action.as_str(),
            object_id.map(|i| i.to_string()).unwrap_or_default(),
        )
        .map_err(CoreError::internal)?;
        self.count += 1;
        Ok(())
    }

    /// Writes the staged records in time order, chained, and sets the head. Calls `tick` with
    /// the records written so far after each week.
    pub(crate) async fn drain(
        mut self,
        bulk: &mut Bulk,
        table: T,
        alg: xunshi_core::crypto::HashAlg,
        tick: &mut dyn FnMut(u64),
    ) -> Result<()> {
        for f in self.files.iter_mut().flatten() {
            f.flush().map_err(CoreError::internal)?;
        }
        let mut seq: i64 = 0;
        let mut prev = GENESIS_HASH.to_owned();
        for week in 0..self.files.len() {
            if self.files[week].take().is_none() {
                continue;
            }
            let path = self.dir.path().join(format!("{week:05}"));
            let mut lines: Vec<String> =
                BufReader::new(File::open(&path).map_err(CoreError::internal)?)
                    .lines()
                    .collect::<std::io::Result<_>>()
                    .map_err(CoreError::internal)?;
            // The time, then the id, orders the week; ids are unique.
            lines.sort_unstable_by(|a, b| {
                let ka = a.splitn(3, '\t').take(2);
                let kb = b.splitn(3, '\t').take(2);
                ka.cmp(kb)
            });
            for line in &lines {
                let mut p = line.splitn(8, '\t');
                let mut next = || p.next().unwrap_or_default();
                let (at, id, actor_id, actor_name, action, object_type, object_id, summary) = (
                    next(),
                    next(),
                    next(),
                    next(),
                    next(),
                    next(),
                    next(),
                    next(),
                );
                seq += 1;
                let mut r = AuditRecord {
                    id: id.parse()?,
                    seq,
                    at: at.to_owned(),
                    actor_id: if actor_id.is_empty() {
                        None
                    } else {
                        Some(actor_id.parse()?)
                    },
                    actor_name: actor_name.to_owned(),
                    action: action.to_owned(),
                    object_type: object_type.to_owned(),
                    object_id: (!object_id.is_empty()).then(|| object_id.to_owned()),
                    ip: None,
                    summary: summary.to_owned(),
                    prev_hash: std::mem::take(&mut prev),
                    hash: String::new(),
                };
                r.hash = r.compute_hash_with(alg, &r.prev_hash);
                prev = r.hash.clone();
                bulk.push(
                    table,
                    [
                        V::from(r.id.to_string()),
                        V::from(r.seq),
                        V::from(r.at),
                        V::from(r.actor_id.map(|i| i.to_string())),
                        V::from(r.actor_name),
                        V::from(r.action),
                        V::from(r.object_type),
                        V::from(r.object_id),
                        V::from(r.ip),
                        V::from(r.summary),
                        V::from(r.prev_hash),
                        V::from(r.hash),
                    ],
                )
                .await?;
            }
            drop(lines);
            let _ = std::fs::remove_file(&path);
            tick(seq as u64);
        }
        bulk.flush().await?;
        bulk.execute(
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(prev),
        )
        .await?;
        Ok(())
    }
}
