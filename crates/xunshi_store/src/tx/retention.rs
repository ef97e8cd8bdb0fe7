//! 保管期限与销毁: the periods, the archive dates, the disposals, and the removal of what a
//! disposal takes, each row hashed as it goes.

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Column, Row};
use xunshi_core::crypto::{HashAlg, parse_content_name};
use xunshi_core::retention::{
    DISPOSABLE, DisposableRecord, Disposal, DisposalStatus, DueForDisposal, DueKind, Gone,
    RetentionRule, archived_before, disposable, expires_on,
};
use xunshi_core::store::{RetentionRead, RetentionWrite};
use xunshi_core::{CoreError, Id, Result};

use super::{DbTx, Mode, Writing, opt_ts, ts};
use crate::backup::json_row;
use crate::rows::{date, i, id, opt_id, opt_s, opt_ts as row_opt_ts, s, ts as row_ts};

/// The table of a disposable kind's records, all keyed by `id` with an `inspection_id`.
fn table_of(kind: &str) -> Result<&'static str> {
    disposable(kind)?;
    super::archive::table_of(kind)
        .ok_or_else(|| CoreError::internal(format!("no table holds records of {kind}")))
}

/// One table's rows a disposal removes: the table, the condition of its rows, and the values
/// the condition's placeholders take, in order.
struct Removal {
    table: &'static str,
    condition: String,
    values: Vec<String>,
}

/// What a disposal of `kind` of inspection `inspection_id` removes — every record of the kind,
/// or only `record` — in the order it is removed (what refers to a row before the row).
fn removal_steps(inspection_id: Id, kind: &str, record: Option<Id>) -> Result<Vec<Removal>> {
    let table = table_of(kind)?;
    // The records' own condition and its values: `$1` the inspection, `$2` the one record.
    let mut which_values = vec![inspection_id.to_string()];
    let which = match record {
        Some(r) => {
            which_values.push(r.to_string());
            "inspection_id = $1 AND id = $2"
        }
        None => "inspection_id = $1",
    };
    let records = format!("SELECT id FROM {table} WHERE {which}");
    // What names the records by their kind: the kind's placeholder follows theirs.
    let of_kind = format!("${}", which_values.len() + 1);
    let mut with_kind = which_values.clone();
    with_kind.push(kind.to_owned());
    let step = |table: &'static str, condition: String, values: &[String]| Removal {
        table,
        condition,
        values: values.to_vec(),
    };
    let mut steps = vec![
        step(
            "fieldwork_files",
            format!("owner_kind = {of_kind} AND owner_id IN ({records})"),
            &with_kind,
        ),
        step(
            "citations",
            format!("source_kind = {of_kind} AND source_id IN ({records})"),
            &with_kind,
        ),
    ];
    if kind == "letter" {
        steps.push(step(
            "letter_notes",
            format!("letter_id IN ({records})"),
            &which_values,
        ));
    }
    steps.push(step(table, which.to_owned(), &which_values));
    // The talk plan names the talks held under it: it goes with the whole of them. One talk
    // leaves its plan's entry, which no longer finds it held.
    if kind == "talk" && record.is_none() {
        steps.push(step("talk_plan", which.to_owned(), &which_values));
    }
    Ok(steps)
}

/// How the register names a record of `kind`, as SQL over its table's columns.
fn title_sql(kind: &str) -> Result<&'static str> {
    Ok(match kind {
        "letter" => "'第' || CAST(number AS TEXT) || '号 ' || about_name || ' ' || received_on",
        "talk" => "interviewee_name || '（' || interviewee_post || '） ' || talked_on",
        "doc_request" => "'第' || CAST(number AS TEXT) || '号调阅 ' || substr(materials, 1, 40)",
        "field_record" => "held_on || ' ' || substr(summary, 1, 40)",
        _ => {
            disposable(kind)?;
            return Err(CoreError::internal(format!(
                "no title for records of {kind}"
            )));
        }
    })
}

const DISPOSAL_COLS: &str = "d.id, d.inspection_id, i.team_name, d.kind, d.record_id, \
    d.record_title, d.reason, d.status, d.records, d.proposed_by, d.proposed_by_name, \
    d.proposed_at, d.decided_by, d.decided_by_name, d.decided_at, d.decision_note, d.gone, \
    d.version";

fn disposal(r: &AnyRow) -> Result<Disposal> {
    let kind = s(r, "kind")?;
    Ok(Disposal {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        team_name: s(r, "team_name")?,
        kind_label: xunshi_core::retention::kind_label(&kind)
            .unwrap_or("")
            .to_owned(),
        kind,
        record_id: opt_id(r, "record_id")?,
        record_title: opt_s(r, "record_title")?,
        reason: s(r, "reason")?,
        status: DisposalStatus::parse(&s(r, "status")?)?,
        records: i(r, "records")?,
        proposed_by: id(r, "proposed_by")?,
        proposed_by_name: s(r, "proposed_by_name")?,
        proposed_at: row_ts(r, "proposed_at")?,
        decided_by: opt_id(r, "decided_by")?,
        decided_by_name: opt_s(r, "decided_by_name")?,
        decided_at: row_opt_ts(r, "decided_at")?,
        decision_note: opt_s(r, "decision_note")?,
        gone: serde_json::from_str(&s(r, "gone")?).map_err(CoreError::internal)?,
        version: i(r, "version")?,
    })
}

/// A row's columns as one JSON object (keys sorted), and its SHA-256.
fn row_digest(r: &AnyRow) -> Result<String> {
    let values = json_row(r)?;
    let object: serde_json::Map<String, serde_json::Value> = r
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .zip(values)
        .collect();
    let bytes = serde_json::to_vec(&object).map_err(CoreError::internal)?;
    Ok(HashAlg::Sha256.hex(&bytes))
}

/// A row's key: its `id`, or for a citation the two records it joins.
fn row_key(table: &str, r: &AnyRow) -> Result<String> {
    if table == "citations" {
        return Ok(format!(
            "{}:{} → {}:{}",
            s(r, "citing_kind")?,
            s(r, "citing_id")?,
            s(r, "source_kind")?,
            s(r, "source_id")?
        ));
    }
    s(r, "id")
}

impl<M: Mode> RetentionRead for DbTx<M> {
    async fn retention_rules(&mut self) -> Result<Vec<RetentionRule>> {
        let rows = self
            .fetch_all(sqlx::query(
                "SELECT kind, years, version, updated_at FROM retention_rules",
            ))
            .await?;
        let mut out = Vec::new();
        for (code, label) in DISPOSABLE {
            let r = rows
                .iter()
                .find(|r| s(r, "kind").is_ok_and(|k| k == *code))
                .ok_or_else(|| {
                    CoreError::internal(format!("no retention rule is stored for {code}"))
                })?;
            let years: Option<i64> = r.try_get("years").map_err(crate::db_err)?;
            out.push(RetentionRule {
                kind: (*code).to_owned(),
                label: (*label).to_owned(),
                years,
                version: i(r, "version")?,
                updated_at: row_opt_ts(r, "updated_at")?,
            });
        }
        Ok(out)
    }

    async fn archived_on(&mut self, inspection_id: Id) -> Result<Option<Date>> {
        self.fetch_optional(
            sqlx::query("SELECT archived_on FROM archived_inspections WHERE inspection_id = $1")
                .bind(inspection_id.to_string()),
        )
        .await?
        .map(|r| date(&r, "archived_on"))
        .transpose()
    }

    async fn due_for_disposal(
        &mut self,
        rules: &[RetentionRule],
        today: Date,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<DueForDisposal>> {
        // Each kind with a period: archived before its bound, and holding such records.
        let mut periods = Vec::new();
        for rule in rules {
            if let Some(years) = rule.years {
                periods.push((rule, years, table_of(&rule.kind)?));
            }
        }
        if periods.is_empty() {
            return Ok(Vec::new());
        }
        // One statement for the page: for each kind with a period, `$b` its bound and `$k` its
        // code; an inspection is listed when it holds records of a kind past its bound, with the
        // count of each such kind and any disposal of it waiting.
        let param = |n: usize| (n * 2 + 3, n * 2 + 4);
        let mut due = Vec::new();
        let mut columns = Vec::new();
        for (n, (_, _, table)) in periods.iter().enumerate() {
            let (b, k) = param(n);
            due.push(format!(
                "(a.archived_on < ${b} AND EXISTS (SELECT 1 FROM {table} r
                   WHERE r.inspection_id = a.inspection_id))"
            ));
            columns.push(format!(
                "CASE WHEN a.archived_on < ${b} THEN (SELECT COUNT(*) FROM {table} r
                   WHERE r.inspection_id = a.inspection_id) ELSE 0 END AS n{n},
                 (SELECT d.id FROM disposals d WHERE d.inspection_id = a.inspection_id
                   AND d.kind = ${k} AND d.status = 'proposed') AS w{n}"
            ));
        }
        let sql = format!(
            "SELECT a.inspection_id, a.archived_on, i.team_name, {}
               FROM archived_inspections a JOIN inspections i ON i.id = a.inspection_id
              WHERE a.inspection_id > $1 AND ({})
              ORDER BY a.inspection_id LIMIT $2",
            columns.join(", "),
            due.join(" OR ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(after.map(|a| a.to_string()).unwrap_or_default())
            .bind(i64::from(limit) + 1);
        for (rule, years, _) in &periods {
            q = q
                .bind(archived_before(today, *years).to_string())
                .bind(rule.kind.clone());
        }
        let rows = self.fetch_all(q).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let archived_on = date(r, "archived_on")?;
            let mut kinds = Vec::new();
            for (n, (rule, years, _)) in periods.iter().enumerate() {
                let records = i(r, &format!("n{n}"))?;
                if records > 0 {
                    kinds.push(DueKind {
                        kind: rule.kind.clone(),
                        label: rule.label.clone(),
                        records,
                        expired_on: expires_on(archived_on, *years),
                        proposed: opt_id(r, &format!("w{n}"))?,
                    });
                }
            }
            out.push(DueForDisposal {
                inspection_id: id(r, "inspection_id")?,
                team_name: s(r, "team_name")?,
                archived_on,
                kinds,
            });
        }
        Ok(out)
    }

    async fn count_of_kind(&mut self, inspection_id: Id, kind: &str) -> Result<i64> {
        let table = table_of(kind)?;
        let r = self
            .fetch_optional(
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT COUNT(*) AS n FROM {table} WHERE inspection_id = $1"
                )))
                .bind(inspection_id.to_string()),
            )
            .await?;
        r.map_or(Ok(0), |r| i(&r, "n"))
    }

    async fn records_of_kind(
        &mut self,
        inspection_id: Id,
        kind: &str,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<DisposableRecord>> {
        let (table, title) = (table_of(kind)?, title_sql(kind)?);
        let sql = format!(
            "SELECT id, {title} AS title FROM {table}
              WHERE inspection_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        let rows = self
            .fetch_all(
                sqlx::query(AssertSqlSafe(sql))
                    .bind(inspection_id.to_string())
                    .bind(after.map(|a| a.to_string()).unwrap_or_default())
                    .bind(i64::from(limit) + 1),
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DisposableRecord {
                    id: id(r, "id")?,
                    title: s(r, "title")?,
                })
            })
            .collect()
    }

    async fn record_of_kind(
        &mut self,
        inspection_id: Id,
        kind: &str,
        record: Id,
    ) -> Result<Option<(DisposableRecord, i64)>> {
        let (table, title) = (table_of(kind)?, title_sql(kind)?);
        // A letter another repeats (`duplicate_of`) is referred to by it.
        let referred = if kind == "letter" {
            "(SELECT COUNT(*) FROM letters d WHERE d.duplicate_of = x.id)"
        } else {
            "0"
        };
        let sql = format!(
            "SELECT x.id, {title} AS title, CAST({referred} AS BIGINT) AS referred
               FROM {table} x WHERE x.inspection_id = $1 AND x.id = $2"
        );
        let r = self
            .fetch_optional(
                sqlx::query(AssertSqlSafe(sql))
                    .bind(inspection_id.to_string())
                    .bind(record.to_string()),
            )
            .await?;
        r.map(|r| {
            Ok((
                DisposableRecord {
                    id: id(&r, "id")?,
                    title: s(&r, "title")?,
                },
                i(&r, "referred")?,
            ))
        })
        .transpose()
    }

    async fn get_disposal(&mut self, id: Id) -> Result<Option<Disposal>> {
        self.fetch_optional(
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {DISPOSAL_COLS} FROM disposals d
                   JOIN inspections i ON i.id = d.inspection_id WHERE d.id = $1"
            )))
            .bind(id.to_string()),
        )
        .await?
        .as_ref()
        .map(disposal)
        .transpose()
    }

    async fn disposals(
        &mut self,
        status: Option<DisposalStatus>,
        inspection_id: Option<Id>,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Disposal>> {
        let sql = format!(
            "SELECT {DISPOSAL_COLS} FROM disposals d
               JOIN inspections i ON i.id = d.inspection_id
              WHERE d.id > $1 AND ($2 = '' OR d.status = $2)
                AND ($3 = '' OR d.inspection_id = $3)
              ORDER BY d.id LIMIT $4"
        );
        self.fetch_all(
            sqlx::query(AssertSqlSafe(sql))
                .bind(after.map(|a| a.to_string()).unwrap_or_default())
                .bind(status.map(|s| s.code()).unwrap_or_default())
                .bind(inspection_id.map(|i| i.to_string()).unwrap_or_default())
                .bind(i64::from(limit) + 1),
        )
        .await?
        .iter()
        .map(disposal)
        .collect()
    }

    async fn waiting_disposals(&mut self, decider: Id, limit: u32) -> Result<(i64, Vec<Disposal>)> {
        let me = decider.to_string();
        let total = self
            .fetch_optional(
                sqlx::query(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM disposals
                      WHERE status = 'proposed' AND proposed_by <> $1",
                )
                .bind(me.clone()),
            )
            .await?
            .map_or(Ok(0), |r| i(&r, "n"))?;
        if total == 0 || limit == 0 {
            return Ok((total, Vec::new()));
        }
        let sql = format!(
            "SELECT {DISPOSAL_COLS} FROM disposals d
               JOIN inspections i ON i.id = d.inspection_id
              WHERE d.status = 'proposed' AND d.proposed_by <> $1
              ORDER BY d.id LIMIT $2"
        );
        let rows = self
            .fetch_all(
                sqlx::query(AssertSqlSafe(sql))
                    .bind(me)
                    .bind(i64::from(limit)),
            )
            .await?
            .iter()
            .map(disposal)
            .collect::<Result<Vec<_>>>()?;
        Ok((total, rows))
    }

    async fn file_in_use(&mut self, name: &str) -> Result<bool> {
        let r = self
            .fetch_optional(
                sqlx::query(
                    "SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM evidence WHERE sha256 = $1)
                        OR EXISTS (SELECT 1 FROM task_evidence WHERE sha256 = $1)
                        OR EXISTS (SELECT 1 FROM fieldwork_files WHERE sha256 = $1)",
                )
                .bind(name.to_owned()),
            )
            .await?;
        Ok(r.is_some())
    }
}

impl RetentionWrite for DbTx<Writing> {
    async fn set_retention_rule(
        &mut self,
        kind: &str,
        years: Option<i64>,
        version: i64,
        by: Option<Id>,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE retention_rules SET years = $1, version = version + 1,
                            updated_by = $2, updated_at = $3
                      WHERE kind = $4 AND version = $5",
                )
                .bind(years)
                .bind(by.map(|b| b.to_string()))
                .bind(ts(at))
                .bind(kind.to_owned())
                .bind(version),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("保管期限".into()));
        }
        Ok(())
    }

    async fn mark_archived(&mut self, inspection_id: Id, on: Date) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO archived_inspections (inspection_id, archived_on) VALUES ($1, $2)",
            )
            .bind(inspection_id.to_string())
            .bind(on.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn insert_disposal(&mut self, d: &Disposal) -> Result<()> {
        let gone = serde_json::to_string(&d.gone).map_err(CoreError::internal)?;
        self.execute(
            sqlx::query(
                "INSERT INTO disposals (id, inspection_id, kind, reason, status, records,
                        proposed_by, proposed_by_name, proposed_at, decided_by, decided_by_name,
                        decided_at, decision_note, gone, version, record_id, record_title)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                         $17)",
            )
            .bind(d.id.to_string())
            .bind(d.inspection_id.to_string())
            .bind(d.kind.clone())
            .bind(d.reason.clone())
            .bind(d.status.code())
            .bind(d.records)
            .bind(d.proposed_by.to_string())
            .bind(d.proposed_by_name.clone())
            .bind(ts(d.proposed_at))
            .bind(d.decided_by.map(|u| u.to_string()))
            .bind(d.decided_by_name.clone())
            .bind(opt_ts(d.decided_at))
            .bind(d.decision_note.clone())
            .bind(gone)
            .bind(d.version)
            .bind(d.record_id.map(|r| r.to_string()))
            .bind(d.record_title.clone()),
        )
        .await
        .map_err(|e| match e {
            CoreError::Conflict(_) => CoreError::Conflict(format!(
                "{}的{}已有一份待批准的销毁申请",
                d.team_name, d.kind_label
            )),
            e => e,
        })?;
        Ok(())
    }

    async fn update_disposal(&mut self, d: &Disposal) -> Result<()> {
        let gone = serde_json::to_string(&d.gone).map_err(CoreError::internal)?;
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE disposals SET status = $1, decided_by = $2, decided_by_name = $3,
                            decided_at = $4, decision_note = $5, gone = $6, version = $7
                      WHERE id = $8 AND version = $9",
                )
                .bind(d.status.code())
                .bind(d.decided_by.map(|u| u.to_string()))
                .bind(d.decided_by_name.clone())
                .bind(opt_ts(d.decided_at))
                .bind(d.decision_note.clone())
                .bind(gone)
                .bind(d.version)
                .bind(d.id.to_string())
                .bind(d.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("销毁申请".into()));
        }
        Ok(())
    }

    async fn dispose_records(
        &mut self,
        inspection_id: Id,
        kind: &str,
        record: Option<Id>,
    ) -> Result<Vec<Gone>> {
        let mut gone = Vec::new();
        for Removal {
            table,
            condition,
            values,
        } in removal_steps(inspection_id, kind, record)?
        {
            let bound = |sql: String| {
                values
                    .iter()
                    .fold(sqlx::query(AssertSqlSafe(sql)), |q, v| q.bind(v.clone()))
            };
            let rows = self
                .fetch_all(bound(format!("SELECT * FROM {table} WHERE {condition}")))
                .await?;
            for r in &rows {
                gone.push(Gone {
                    table: table.to_owned(),
                    key: row_key(table, r)?,
                    digest: row_digest(r)?,
                });
                if table == "fieldwork_files" {
                    let name = s(r, "sha256")?;
                    let digest = parse_content_name(&name)
                        .map(|(_, d)| d.to_owned())
                        .unwrap_or_else(|| name.clone());
                    gone.push(Gone {
                        table: "file".into(),
                        key: name,
                        digest,
                    });
                }
            }
            self.execute(bound(format!("DELETE FROM {table} WHERE {condition}")))
                .await?;
        }
        Ok(gone)
    }
}
