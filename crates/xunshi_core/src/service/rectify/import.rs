//! Importing a unit's existing ledger (整改台账) into its draft plan. The file is read at the
//! edge (`xunshi_office`) into rows of named cells; here each row is matched to one of the
//! problems fed back to the unit (the same title, else the most similar one, with its score),
//! its deadline fixed against the feedback date, its fields checked as a typed task's are
//! (`tasks::validate`), and compared with the plan's tasks: a measure the plan has under the
//! same problem is that task (unchanged, or updated), any other is a new task.
//!
//! The preview and the confirmed import are the same function; only the confirmed one writes,
//! in one write transaction with one audit record per task written. Rows in error are never
//! written, and a second import of the same file finds every row unchanged and writes nothing.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::{rect_role, require};
use super::plans::require_editable;
use super::tasks::{DRAFTERS_ONLY, TaskFields, check_due, validate};
use super::{FedBackProblem, plan_and_inspection, unit_problems};
use crate::audit::{Action, AuditEntry};
use crate::due_text::DueText;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::permission::Actor;
use crate::rectify::{Due, Plan, Task, TaskInput};
use crate::service::{Services, record};
use crate::store::{ReadTx, Store, TaskFilter, WriteTx};

/// The most rows one import takes (the reader stops at the same number).
pub const IMPORT_MAX_ROWS: usize = 2000;
/// The least similarity (0–100) at which a row is taken for a problem whose title differs.
pub const MATCH_THRESHOLD: u8 = 50;

/// One cell of the ledger: its reference (`D7`) and its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LedgerCell {
    pub cell: String,
    pub text: String,
}

/// One data row of a ledger as read. A field is `None` when the ledger has no such column.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LedgerImportRow {
    /// The row's number on the sheet, as Excel shows it.
    pub line: u32,
    pub problem: Option<LedgerCell>,
    pub measure: Option<LedgerCell>,
    pub target: Option<LedgerCell>,
    pub standard: Option<LedgerCell>,
    pub responsible_leader: Option<LedgerCell>,
    pub lead_department: Option<LedgerCell>,
    pub co_departments: Option<LedgerCell>,
    pub responsible_person: Option<LedgerCell>,
    pub deadline: Option<LedgerCell>,
    /// The heading the row's problem falls under: its 问题类别 column, else the section row
    /// above it. Only an imported inspection reads it; a plan's problems have their headings.
    pub category: Option<LedgerCell>,
}

/// A row the reader left out (a section heading, a totals row).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkippedLine {
    pub line: u32,
    pub reason: String,
}

/// A ledger file as read, ready to be previewed or imported.
#[derive(Debug, Clone, Default)]
pub struct LedgerImport {
    pub file_name: String,
    pub rows: Vec<LedgerImportRow>,
    pub skipped: Vec<SkippedLine>,
    /// What the reader has to say of the file as a whole (the heading it found, columns it
    /// reads but does not import).
    pub notes: Vec<String>,
}

/// What the import does with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Create,
    Update,
    Unchanged,
    Error,
}

impl RowOutcome {
    pub fn label(self) -> &'static str {
        match self {
            RowOutcome::Create => "新增",
            RowOutcome::Update => "更新",
            RowOutcome::Unchanged => "无变化",
            RowOutcome::Error => "错误",
        }
    }
}

/// The fed-back problem a row was matched to, and how.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemMatch {
    pub problem_id: Id,
    /// The problem's number in the plan (`1.2`).
    pub number: String,
    pub title: String,
    /// true: the same title; false: the most similar, to be confirmed by the reader.
    pub exact: bool,
    /// The similarity of the texts, 0–100 (100 when exact).
    pub score: u8,
}

/// One row of the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportRowReport {
    pub line: u32,
    pub outcome: RowOutcome,
    /// The problem as the ledger writes it.
    pub problem_text: String,
    pub matched: Option<ProblemMatch>,
    pub measure: String,
    /// The deadline as the task will have it (`2020-06-30前`, `长期坚持`).
    pub due: Option<String>,
    /// The task's number: the existing task's, or the one a new task will take.
    pub task_seq: Option<String>,
    pub task_id: Option<Id>,
    /// For an update, the fields that change.
    pub changes: Vec<String>,
    /// For an error, each reason with its cell: `第7行 完成时限（F7）“六月底”无法识别`.
    pub errors: Vec<String>,
}

/// What an import found and, when confirmed, did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerImportReport {
    pub plan_id: Id,
    pub file_name: String,
    /// true: nothing was written.
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: usize,
    pub rows: Vec<ImportRowReport>,
    pub skipped: Vec<SkippedLine>,
    /// The plan's fed-back problems no row was matched to.
    pub problems_without_rows: Vec<String>,
    pub notes: Vec<String>,
}

/// The Chinese name of each field, as the messages name them.
fn field_label(field: &str) -> &'static str {
    match field {
        "problem_id" | "problem" => "反馈问题",
        "measure" => "整改措施",
        "target" => "整改目标",
        "standard" => "整改标准",
        "responsible_leader" => "责任领导",
        "lead_department" => "牵头部门",
        "co_departments" => "配合部门",
        "responsible_person" => "责任人",
        "due_kind" | "due_date" | "deadline" => "完成时限",
        _ => "",
    }
}

impl LedgerImportRow {
    fn cell(&self, field: &str) -> Option<&LedgerCell> {
        match field {
            "problem_id" | "problem" => self.problem.as_ref(),
            "measure" => self.measure.as_ref(),
            "target" => self.target.as_ref(),
            "standard" => self.standard.as_ref(),
            "responsible_leader" => self.responsible_leader.as_ref(),
            "lead_department" => self.lead_department.as_ref(),
            "co_departments" => self.co_departments.as_ref(),
            "responsible_person" => self.responsible_person.as_ref(),
            "due_kind" | "due_date" | "deadline" => self.deadline.as_ref(),
            _ => None,
        }
    }

    /// `第7行 完成时限（F7）“六月底”：message`, or `…台账无此列` when the column is absent.
    fn error(&self, field: &str, message: &str) -> String {
        let label = field_label(field);
        match self.cell(field) {
            Some(c) if c.text.is_empty() => {
                format!("第{}行 {label}（{}）为空：{message}", self.line, c.cell)
            }
            Some(c) => format!(
                "第{}行 {label}（{}）“{}”{message}",
                self.line, c.cell, c.text
            ),
            None if label.is_empty() => format!("第{}行 {message}", self.line),
            None => format!("第{}行 {label}：台账无此列，{message}", self.line),
        }
    }

    fn text(&self, field: &str) -> String {
        self.cell(field).map(|c| c.text.clone()).unwrap_or_default()
    }
}

/// A problem's text for comparison: no spaces, no leading number (`1.`, `（一）`, `一是`),
/// no closing punctuation.
pub(super) fn normalise(text: &str) -> String {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut t = t.as_str();
    let numbering =
        |c: char| c.is_ascii_digit() || "一二三四五六七八九十（）()、.．是:：".contains(c);
    if t.chars().next().is_some_and(numbering) {
        let cut = t
            .char_indices()
            .find(|(_, c)| !numbering(*c))
            .map_or(t.len(), |(i, _)| i);
        // Only a short prefix is a number; a text that is all digits stays as it is.
        if cut < t.len() && t[..cut].chars().count() <= 6 {
            t = &t[cut..];
        }
    }
    t.trim_end_matches(|c| "。；;，,.".contains(c)).to_owned()
}

/// The Dice coefficient of the character bigrams of two texts, 0–100: two texts sharing most
/// of their pairs of neighbouring characters say the same in nearly the same words, which is
/// how a ledger copies a problem from the feedback (a word changed, a clause cut).
pub fn similarity(a: &str, b: &str) -> u8 {
    let bigrams = |s: &str| -> Vec<(char, char)> {
        let cs: Vec<char> = s.chars().collect();
        let mut v: Vec<(char, char)> = cs.windows(2).map(|w| (w[0], w[1])).collect();
        v.sort_unstable();
        v
    };
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return u8::from(a == b) * 100;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    ((200 * shared) / (x.len() + y.len())) as u8
}

/// The problem a row answers: the one with the same text, else the most similar at or above
/// [`MATCH_THRESHOLD`].
fn match_problem(text: &str, problems: &[FedBackProblem]) -> Option<ProblemMatch> {
    let t = normalise(text);
    if t.is_empty() {
        return None;
    }
    let found = |p: &FedBackProblem, exact: bool, score: u8| ProblemMatch {
        problem_id: p.problem_id,
        number: p.number.clone(),
        title: p.title.clone(),
        exact,
        score,
    };
    if let Some(p) = problems.iter().find(|p| normalise(&p.title) == t) {
        return Some(found(p, true, 100));
    }
    problems
        .iter()
        .map(|p| (p, similarity(&normalise(&p.title), &t)))
        .filter(|(_, s)| *s >= MATCH_THRESHOLD)
        .max_by_key(|(_, s)| *s)
        .map(|(p, s)| found(p, false, s))
}

/// What a row will do, worked out against the plan as it stands.
pub(super) struct Planned {
    pub(super) report: ImportRowReport,
    pub(super) write: Option<(Option<Task>, TaskFields)>,
}

/// The changed fields of an existing task, by their Chinese names.
fn changes(t: &Task, f: &TaskFields) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |differs: bool, label: &str| {
        if differs {
            out.push(label.to_owned());
        }
    };
    check(t.target != f.target, "整改目标");
    check(t.standard != f.standard, "整改标准");
    check(t.responsible_leader != f.responsible_leader, "责任领导");
    check(t.lead_department != f.lead_department, "牵头部门");
    check(t.co_departments != f.co_departments, "配合部门");
    check(t.responsible_person != f.responsible_person, "责任人");
    check(t.due != f.due, "完成时限");
    out
}

fn due_input(due: Due) -> (&'static str, Option<String>) {
    match due {
        Due::Immediate { date } => ("immediate", Some(date.to_string())),
        Due::By { date } => ("by", Some(date.to_string())),
        Due::LongTerm => ("long_term", None),
    }
}

/// Works out every row against the plan's problems and tasks; reads only.
async fn plan_rows<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    plan_id: Id,
    file: &LedgerImport,
) -> Result<Worked> {
    let (plan, insp) = plan_and_inspection(tx, plan_id).await?;
    let role = rect_role(actor, &insp, plan.unit_id);
    require(role, |r| r.draft, "整改方案", DRAFTERS_ONLY)?;
    require_editable(&plan)?;
    let problems = unit_problems(tx, &insp, plan.unit_id).await?;
    // A plan's tasks are bounded by its problems' measures: a few hundred at most.
    let tasks = tx
        .all_tasks(&TaskFilter {
            plan_id: Some(plan.id),
            include_withdrawn: true,
            ..Default::default()
        })
        .await?;
    work_out(file, &insp, &problems, &tasks)
}

/// The rows worked out: what each does, notes on the file, and the fed-back problems no row
/// answers.
pub(super) type Worked = (Vec<Planned>, Vec<String>, Vec<String>);

/// Works out every row against the fed-back problems of one unit and the tasks its plan has;
/// the same for a plan's import and for an imported inspection, whose problems and plan exist
/// only in memory until it is written.
pub(super) fn work_out(
    file: &LedgerImport,
    insp: &Inspection,
    problems: &[FedBackProblem],
    tasks: &[Task],
) -> Result<Worked> {
    let Some(feedback) = insp.dates.feedback else {
        return Err(CoreError::RuleRefused(
            "巡视尚未反馈，无法导入整改台账".into(),
        ));
    };
    let mut notes = Vec::new();
    if file.rows.iter().any(|r| r.standard.is_none()) {
        notes.push("台账无“整改标准（销号标准）”列：以整改目标作为销号标准".to_owned());
    }
    let mut planned = Vec::new();
    // Measures met so far in this file, by problem, with their row: a repeat is an error.
    let mut seen: Vec<(Id, String, u32)> = Vec::new();
    // New tasks numbered after each problem's existing ones (withdrawn included: never reused).
    let mut next_seq: Vec<(Id, usize)> = Vec::new();
    let mut matched_problems: Vec<Id> = Vec::new();
    for row in &file.rows {
        let problem_text = row.text("problem");
        let mut report = ImportRowReport {
            line: row.line,
            outcome: RowOutcome::Error,
            problem_text: problem_text.clone(),
            matched: None,
            measure: row.text("measure"),
            due: None,
            task_seq: None,
            task_id: None,
            changes: Vec::new(),
            errors: Vec::new(),
        };
        let matched = match_problem(&problem_text, problems);
        if matched.is_none() {
            report.errors.push(row.error(
                "problem",
                if problem_text.is_empty() {
                    "请填写反馈问题"
                } else {
                    "未匹配到本单位的反馈问题"
                },
            ));
        }
        let due = match row.deadline.as_ref().map(|c| c.text.as_str()) {
            None | Some("") => None,
            Some(t) => match DueText::parse(t).and_then(|d| d.resolve(feedback)) {
                Some(d) => Some(d),
                None => {
                    report.errors.push(row.error("deadline", "无法识别"));
                    None
                }
            },
        };
        let target = row.text("target");
        let (kind, date) = due.map(due_input).unwrap_or(("", None));
        let input = TaskInput {
            problem_id: matched
                .as_ref()
                .map(|m| m.problem_id.to_string())
                .unwrap_or_default(),
            measure: row.text("measure"),
            standard: match &row.standard {
                Some(c) => c.text.clone(),
                None => target.clone(),
            },
            target,
            responsible_leader: row.text("responsible_leader"),
            lead_department: row.text("lead_department"),
            co_departments: row.text("co_departments"),
            responsible_person: row.text("responsible_person"),
            due_kind: kind.to_owned(),
            due_date: date,
            not_for_disclosure: false,
        };
        let checked = validate(&input).and_then(|f| {
            check_due(f.due, insp)?;
            Ok(f)
        });
        let fields = match checked {
            Ok(f) => Some(f),
            Err(e) => {
                for fe in e.fields().unwrap_or_default() {
                    // The problem and an unread deadline are reported above already.
                    let unread_due = fe.field.starts_with("due_")
                        && row.deadline.as_ref().is_some_and(|c| !c.text.is_empty())
                        && due.is_none();
                    if fe.field != "problem_id" && !unread_due {
                        report.errors.push(row.error(&fe.field, &fe.message));
                    }
                }
                if e.fields().is_none() {
                    report.errors.push(row.error("", &e.to_string()));
                }
                None
            }
        };
        report.due = due.map(Due::label);
        report.matched.clone_from(&matched);
        if let (Some(m), Some(f)) = (&matched, fields)
            && report.errors.is_empty()
        {
            if let Some((_, _, first)) = seen
                .iter()
                .find(|(p, measure, _)| *p == m.problem_id && *measure == f.measure)
            {
                report
                    .errors
                    .push(row.error("measure", &format!("与第{first}行重复")));
                planned.push(Planned {
                    report,
                    write: None,
                });
                continue;
            }
            seen.push((m.problem_id, f.measure.clone(), row.line));
            matched_problems.push(m.problem_id);
            let existing = tasks.iter().find(|t| {
                !t.is_withdrawn() && t.problem_id == m.problem_id && t.measure == f.measure
            });
            match existing {
                Some(t) => {
                    report.task_seq = Some(t.seq.clone());
                    report.task_id = Some(t.id);
                    report.changes = changes(t, &f);
                    if report.changes.is_empty() {
                        report.outcome = RowOutcome::Unchanged;
                        planned.push(Planned {
                            report,
                            write: None,
                        });
                    } else {
                        report.outcome = RowOutcome::Update;
                        planned.push(Planned {
                            report,
                            write: Some((Some(t.clone()), f)),
                        });
                    }
                }
                None => {
                    let n = match next_seq.iter_mut().find(|(p, _)| *p == m.problem_id) {
                        Some((_, n)) => {
                            *n += 1;
                            *n
                        }
                        None => {
                            let n = tasks
                                .iter()
                                .filter(|t| t.problem_id == m.problem_id)
                                .count()
                                + 1;
                            next_seq.push((m.problem_id, n));
                            n
                        }
                    };
                    report.task_seq = Some(format!("{}.{n}", m.number));
                    report.outcome = RowOutcome::Create;
                    planned.push(Planned {
                        report,
                        write: Some((None, f)),
                    });
                }
            }
            continue;
        }
        planned.push(Planned {
            report,
            write: None,
        });
    }
    let without = problems
        .iter()
        .filter(|p| !matched_problems.contains(&p.problem_id))
        .filter(|p| {
            !tasks
                .iter()
                .any(|t| t.problem_id == p.problem_id && !t.is_withdrawn())
        })
        .map(|p| format!("{} {}", p.number, p.title))
        .collect();
    Ok((planned, notes, without))
}

pub(super) fn report(
    plan_id: Id,
    file: &LedgerImport,
    dry_run: bool,
    planned: &[Planned],
    mut notes: Vec<String>,
    without: Vec<String>,
) -> LedgerImportReport {
    let count = |o| planned.iter().filter(|p| p.report.outcome == o).count();
    notes.extend(file.notes.iter().cloned());
    LedgerImportReport {
        plan_id,
        file_name: file.file_name.clone(),
        dry_run,
        created: count(RowOutcome::Create),
        updated: count(RowOutcome::Update),
        unchanged: count(RowOutcome::Unchanged),
        errors: count(RowOutcome::Error),
        rows: planned.iter().map(|p| p.report.clone()).collect(),
        skipped: file.skipped.clone(),
        problems_without_rows: without,
        notes,
    }
}

/// Refuses a file with no data rows or more than one import takes.
pub(super) fn check_size(file: &LedgerImport) -> Result<()> {
    if file.rows.len() > IMPORT_MAX_ROWS {
        return Err(CoreError::bad_input(
            "file",
            format!("台账超过 {IMPORT_MAX_ROWS} 行，请分批导入"),
        ));
    }
    if file.rows.is_empty() {
        return Err(CoreError::unfit("file", "台账中没有可导入的数据行"));
    }
    Ok(())
}

/// Writes the rows that create or update a task, each with its audit record naming the file
/// and the line it came from.
pub(super) async fn write_rows<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    now: jiff::Timestamp,
    plan: &Plan,
    file_name: &str,
    planned: &[Planned],
) -> Result<()> {
    for p in planned {
        let Some((before, f)) = &p.write else {
            continue;
        };
        let source = json!({ "file": file_name, "line": p.report.line });
        match before {
            None => {
                let seq = p.report.task_seq.clone().unwrap_or_default();
                let task = f.new_task(plan, seq, now);
                tx.insert_task(&task).await?;
                record(
                    tx,
                    actor,
                    now,
                    AuditEntry::new(
                        Action::TaskAdded,
                        "task",
                        Some(task.id),
                        json!({ "plan_id": plan.id, "after": task, "imported": source }),
                    ),
                )
                .await?;
            }
            Some(before) => {
                let after = Task {
                    target: f.target.clone(),
                    standard: f.standard.clone(),
                    responsible_leader: f.responsible_leader.clone(),
                    lead_department: f.lead_department.clone(),
                    co_departments: f.co_departments.clone(),
                    responsible_person: f.responsible_person.clone(),
                    due: f.due,
                    version: before.version + 1,
                    updated_at: now,
                    ..before.clone()
                };
                tx.update_task(&after).await?;
                record(
                    tx,
                    actor,
                    now,
                    AuditEntry::new(
                        Action::TaskUpdated,
                        "task",
                        Some(after.id),
                        json!({ "before": before, "after": after, "imported": source }),
                    ),
                )
                .await?;
            }
        }
    }
    Ok(())
}

impl<S: Store> Services<S> {
    /// Previews (`dry_run`) or imports a ledger file into a draft or returned plan, by the
    /// unit's principal or liaison, as adding and changing its tasks one by one would. The
    /// report lists every row as create, update, unchanged or error, with the reason and the
    /// cell; a confirmed import writes the rows that are not in error, all in one transaction
    /// with an audit record per task.
    pub async fn import_ledger(
        &self,
        actor: &Actor,
        plan_id: Id,
        file: &LedgerImport,
        dry_run: bool,
    ) -> Result<LedgerImportReport> {
        check_size(file)?;
        if dry_run {
            let mut tx = self.store.read().await?;
            let (planned, notes, without) = plan_rows(&mut tx, actor, plan_id, file).await?;
            return Ok(report(plan_id, file, true, &planned, notes, without));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (planned, notes, without) = plan_rows(&mut tx, actor, plan_id, file).await?;
        let (plan, _) = plan_and_inspection(&mut tx, plan_id).await?;
        write_rows(&mut tx, actor, now, &plan, &file.file_name, &planned).await?;
        tx.commit().await?;
        Ok(report(plan_id, file, false, &planned, notes, without))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_and_punctuation_do_not_count_in_a_title() {
        assert_eq!(normalise("（一）理论学习不深入。"), "理论学习不深入");
        assert_eq!(normalise("1. 理论 学习不深入；"), "理论学习不深入");
        assert_eq!(normalise("一是理论学习不深入"), "理论学习不深入");
        assert_eq!(normalise("2020"), "2020");
    }

    #[test]
    fn similar_wording_scores_high_and_other_wording_low() {
        assert_eq!(similarity("理论学习不深入", "理论学习不深入"), 100);
        let close = similarity(
            "落实意识形态工作责任制不到位",
            "意识形态工作责任制落实不到位",
        );
        assert!(close >= 70, "{close}");
        let far = similarity("落实意识形态工作责任制不到位", "干部选拔任用程序不规范");
        assert!(far < 20, "{far}");
        assert_eq!(similarity("", ""), 100);
        assert_eq!(similarity("a", "b"), 0);
    }
}
