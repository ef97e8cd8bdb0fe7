//! Moving past work in: an inspection fed back before Xunshi was in use, recreated in one go
//! from the unit's ledger (`xunshi import inspection`). One write transaction creates the
//! inspection at its rectification stage with its feedback date, one fed-back problem per
//! distinct problem of the ledger (under the heading its 问题类别 column or section row names),
//! the feedback listing them, and the unit's draft plan with a task per row, the rows checked
//! and numbered exactly as a plan's import checks them (`import::work_out`). The stages before
//! the feedback (the team, the papers, the report) are not invented: the inspection, its
//! problems and its feedback say they were imported, and from which file.
//!
//! The preview and the confirmed import are one function; only the confirmed one writes. A
//! second import for the same unit and feedback date is refused: the plan then takes further
//! rows through the ordinary ledger import.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::FedBackProblem;
use super::import::LedgerCell;
use super::import::{
    LedgerImport, LedgerImportReport, check_size, normalise, report, similarity, work_out,
    write_rows,
};
use super::plans::default_title;
use crate::access::Visible;
use crate::audit::{Action, AuditEntry};
use crate::calendar::add_months;
use crate::error::{CoreError, Result, Validation};
use crate::feedback::{Feedback, FeedbackMeeting, FeedbackStatus, group_by_category};
use crate::feedback_text::without_marker;
use crate::id::Id;
use crate::inspection::{
    Inspection, InspectionDates, InspectionKind, Round, Stage, check_team_name, parse_date,
};
use crate::page::PageRequest;
use crate::paper::{MAX_TITLE_CHARS, Problem, ProblemStatus, Severity};
use crate::permission::{Actor, Permission};
use crate::rectify::{Plan, PlanStatus};
use crate::service::papers::signature;
use crate::service::planning::resolve_targets;
use crate::service::{Services, record};
use crate::store::{
    InspectionFilter, PaperWrite, PlanningWrite, ReadTx, RectifyWrite, ReportWrite, Store, WriteTx,
};
use crate::taxonomy::{Category, sort_categories, version_in_force};

/// The team's name when none is given: the plan's title then reads "…巡视组巡视反馈意见的整改方案".
const DEFAULT_TEAM: &str = "巡视组";

/// What identifies the past inspection, as the command line (or a form) gives it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PastInspectionInput {
    /// The inspected unit: its id or its exact name.
    pub unit: String,
    /// `YYYY-MM-DD`: the day the feedback was given, from which the deadlines count.
    pub feedback_date: String,
    /// The round (id or exact name); by default the latest round of the feedback's year or
    /// before.
    #[serde(default)]
    pub round: Option<String>,
    /// The team's name (第三巡视组); by default 巡视组.
    #[serde(default)]
    pub team_name: Option<String>,
    /// The heading for problems whose heading the ledger does not give and their words do not
    /// suggest; by default the first heading of the taxonomy in force.
    #[serde(default)]
    pub category: Option<String>,
}

/// A fed-back problem the import creates: one per distinct problem of the ledger.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PastProblem {
    /// Its number in the plan (`2.1`: the second heading's first problem).
    pub number: String,
    pub title: String,
    pub category_name: String,
    /// How the heading was decided: the ledger's column or section row, a word of the
    /// problem, or the default — to be checked in the preview.
    pub category_from: String,
    /// The ledger's rows that name it.
    pub lines: Vec<u32>,
}

/// What an inspection's import found and, when confirmed, created.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PastInspectionReport {
    /// true: nothing was written.
    pub dry_run: bool,
    pub unit_id: Id,
    pub unit_name: String,
    pub round_id: Id,
    pub round_name: String,
    pub team_name: String,
    #[schema(value_type = String, format = Date)]
    pub feedback_date: Date,
    /// The date by which the unit reports its rectification: two months after the feedback.
    #[schema(value_type = String, format = Date)]
    pub report_deadline: Date,
    /// The taxonomy version in force on the feedback date.
    pub taxonomy: String,
    /// The inspection and plan created; `None` in a preview.
    pub inspection_id: Option<Id>,
    pub plan_id: Option<Id>,
    pub problems: Vec<PastProblem>,
    /// The rows as tasks of the new plan, as a plan's import reports them (in a preview, its
    /// `plan_id` is the id the plan would have been given).
    pub ledger: LedgerImportReport,
}

/// Words that tell a heading, with the codes of the heading they tell in the shipped
/// taxonomies (2017: the six aspects of Party building and the last round's rectification;
/// 2020: the four 落实; a version has one of each entry's codes). Read in a ledger's section
/// name that is not a heading of the version in force (a 2017 heading in a ledger of 2021),
/// then in the problem itself, in this order, so that narrower words (整改, 选人用人) come
/// before broad ones (政治, 学习).
const KEYWORDS: &[(&[&str], &[&str])] = &[
    (
        &["prior_rectification", "rectification"],
        &["上轮巡视", "巡视整改", "整改不到位"],
    ),
    (&["rectification"], &["审计", "整改"]),
    (
        &["organizational", "organizational_line"],
        &[
            "组织建设",
            "组织路线",
            "选人用人",
            "干部",
            "基层党建",
            "党支部",
            "党员",
            "人才",
            "组织生活",
            "三会一课",
            "党建",
        ],
    ),
    (
        &["conduct", "strict_governance"],
        &[
            "作风",
            "形式主义",
            "官僚主义",
            "八项规定",
            "四风",
            "文山会海",
            "公务接待",
        ],
    ),
    (
        &["discipline", "strict_governance"],
        &["纪律", "违规", "违反", "规矩"],
    ),
    (
        &["integrity", "strict_governance"],
        &[
            "从严治党",
            "廉",
            "腐败",
            "两个责任",
            "主体责任",
            "监督责任",
            "资金",
            "项目监管",
            "利益",
        ],
    ),
    (
        &["ideological", "theory_line"],
        &["思想建设", "理论学习", "思想", "理论", "学习"],
    ),
    (
        &["political", "theory_line"],
        &[
            "政治",
            "意识形态",
            "决策部署",
            "党中央",
            "党的领导",
            "政策",
            "发展",
            "职责",
            "统筹",
        ],
    ),
];

/// The first heading of `cats` whose words `text` holds, with the word.
fn by_keyword<'a>(text: &str, cats: &'a [Category]) -> Option<(&'a Category, &'static str)> {
    KEYWORDS.iter().find_map(|(codes, words)| {
        let c = cats.iter().find(|c| codes.contains(&c.code.as_str()))?;
        words.iter().find(|w| text.contains(**w)).map(|w| (c, *w))
    })
}

/// A heading as a ledger writes it, for comparison: no numbering, no trailing 方面 / 问题.
fn heading_text(text: &str) -> String {
    let mut t = normalise(text);
    for tail in [
        "方面存在的问题",
        "方面的问题",
        "方面问题",
        "方面",
        "存在的问题",
        "问题",
    ] {
        if let Some(s) = t.strip_suffix(tail)
            && !s.is_empty()
        {
            t = s.to_owned();
            break;
        }
    }
    t
}

/// The heading a ledger's category text names: the same name, one containing the other, or
/// the most similar at or above half.
fn named_category<'a>(text: &str, cats: &'a [Category]) -> Option<&'a Category> {
    let t = heading_text(text);
    if t.chars().count() < 2 {
        return None;
    }
    let name = |c: &Category| heading_text(&c.name);
    cats.iter()
        .find(|c| name(c) == t)
        .or_else(|| {
            cats.iter()
                .find(|c| name(c).contains(&t) || t.contains(&name(c)))
        })
        .or_else(|| {
            cats.iter()
                .map(|c| (c, similarity(&name(c), &t)))
                .filter(|(_, s)| *s >= 50)
                .max_by_key(|(_, s)| *s)
                .map(|(c, _)| c)
        })
}

/// The heading of a problem and how it was decided: the ledger's heading by its name, else by
/// its words, else the problem's words, else the default.
fn decide_category<'a>(
    given: Option<&LedgerCell>,
    problem: &str,
    cats: &'a [Category],
    default: &'a Category,
) -> (&'a Category, String) {
    let given = given.filter(|c| !c.text.is_empty());
    let named = |cell: &LedgerCell| format!("台账分类“{}”（{}）", cell.text, cell.cell);
    if let Some(cell) = given {
        if let Some(c) = named_category(&cell.text, cats) {
            return (c, named(cell));
        }
        if let Some((c, w)) = by_keyword(&cell.text, cats) {
            return (c, format!("{}按“{w}”归入，请核对", named(cell)));
        }
    }
    let unread = given.map_or(String::new(), |cell| format!("{}无对应类别；", named(cell)));
    match by_keyword(problem, cats) {
        Some((c, w)) => (c, format!("{unread}据问题中的“{w}”推断，请核对")),
        None => (default, format!("{unread}未能判断，归入默认类别，请核对")),
    }
}

/// A problem's short statement: the ledger's text without its list number when it fits, else
/// its first sentence, else its beginning. The whole text is kept as the problem's facts.
fn short_title(text: &str) -> String {
    let text = &without_marker(text);
    if text.chars().count() <= MAX_TITLE_CHARS {
        return text.to_owned();
    }
    let first: String = text
        .split(['。', '；', ';'])
        .next()
        .unwrap_or(text)
        .to_owned();
    if !first.is_empty() && first.chars().count() <= MAX_TITLE_CHARS {
        return first;
    }
    let mut cut: String = text.chars().take(MAX_TITLE_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The round: the one named, else the latest of the feedback's year or before.
async fn find_round<T: ReadTx>(tx: &mut T, named: Option<&str>, feedback: Date) -> Result<Round> {
    let rounds = tx.list_rounds(None).await?;
    match named.map(str::trim).filter(|s| !s.is_empty()) {
        Some(key) => {
            let by_id = key.parse::<Id>().ok();
            let found: Vec<&Round> = rounds
                .iter()
                .filter(|r| Some(r.id) == by_id || r.name == key)
                .collect();
            match found.as_slice() {
                [r] => Ok((*r).clone()),
                [] => Err(CoreError::unfit(
                    "round",
                    format!("没有编号或名称为“{key}”的巡视轮次"),
                )),
                _ => Err(CoreError::bad_input(
                    "round",
                    format!("名称为“{key}”的轮次不止一个，请以编号指定"),
                )),
            }
        }
        None => rounds
            .into_iter()
            .filter(|r| r.year <= feedback.year())
            .max_by_key(|r| (r.year, r.number))
            .ok_or_else(|| {
                CoreError::unfit(
                    "round",
                    format!(
                        "没有{}年及以前的巡视轮次：请先在年度计划中建立轮次，或指定轮次",
                        feedback.year()
                    ),
                )
            }),
    }
}

/// Everything the import would create, worked out in memory.
struct Worked {
    insp: Inspection,
    problems: Vec<Problem>,
    feedback: Feedback,
    plan: Plan,
    report: PastInspectionReport,
    planned: Vec<super::import::Planned>,
}

async fn work<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    now: jiff::Timestamp,
    input: &PastInspectionInput,
    file: &LedgerImport,
    dry_run: bool,
) -> Result<Worked> {
    actor.require(Permission::ManagePlanning)?;
    check_size(file)?;
    let mut v = Validation::new();
    let feedback_date = match parse_date("feedback_date", Some(&input.feedback_date)) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            v.add("feedback_date", "请填写反馈日期");
            None
        }
        Err(e) => {
            for f in e.fields().unwrap_or_default() {
                v.add("feedback_date", f.message.clone());
            }
            None
        }
    };
    if let Some(d) = feedback_date
        && d > crate::service::planning::today(now)
    {
        v.add("feedback_date", "反馈日期不能晚于今天");
    }
    let team_name = input
        .team_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_TEAM)
        .to_owned();
    check_team_name(&mut v, &team_name);
    if input.unit.trim().is_empty() {
        v.add("unit", "请指定被巡视单位");
    }
    v.finish()?;
    let feedback_date =
        feedback_date.ok_or_else(|| CoreError::bad_input("feedback_date", "请填写反馈日期"))?;
    let round = find_round(tx, input.round.as_deref(), feedback_date).await?;
    let term = tx
        .get_term(round.term_id)
        .await?
        .ok_or_else(|| CoreError::internal("round without term"))?;
    // The unit as an inspection's target is checked: it exists, stands, is not the dispatcher,
    // is in its charge (a past inspection of a lower committee's unit was taken up or across).
    let targets = resolve_targets(
        tx,
        std::slice::from_ref(&input.unit),
        term.dispatcher_id,
        true,
    )
    .await?;
    let unit = tx
        .get_unit(targets[0])
        .await?
        .ok_or_else(|| CoreError::internal("a resolved unit went missing"))?;
    // The unit's inspections are a handful; one fed back that day is this one, imported or not.
    let earlier = tx
        .list_inspections(
            &InspectionFilter {
                unit_id: Some(unit.id),
                fed_back: true,
                ..Default::default()
            },
            &Visible::All,
            PageRequest::first(200),
        )
        .await?;
    if let Some(i) = earlier
        .iter()
        .find(|i| i.dates.feedback == Some(feedback_date))
    {
        return Err(CoreError::Conflict(format!(
            "{}于 {feedback_date} 反馈的巡视已在系统中（{}，编号 {}）：台账请导入其整改方案",
            unit.name, i.team_name, i.id
        )));
    }

    let mut versions = tx.list_taxonomy_versions().await?;
    versions.sort_by_key(|v| v.valid_from);
    let version = version_in_force(&versions, feedback_date)
        .cloned()
        .ok_or_else(|| CoreError::internal("no taxonomy version"))?;
    let mut cats = tx.list_categories(Some(version.id)).await?;
    sort_categories(&mut cats, &versions);
    let default = match input
        .category
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(name) => named_category(name, &cats).ok_or_else(|| {
            CoreError::unfit(
                "category",
                format!(
                    "“{name}”不是{}的类别：{}",
                    version.name,
                    cats.iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            )
        })?,
        None => cats
            .first()
            .ok_or_else(|| CoreError::internal("a taxonomy version without categories"))?,
    }
    .clone();

    let insp = Inspection {
        id: Id::new(),
        round_id: round.id,
        dispatcher_id: term.dispatcher_id,
        team_name: team_name.clone(),
        target_ids: vec![unit.id],
        kind: InspectionKind::Routine,
        elevated: false,
        cross: false,
        linked: false,
        look_back_of: None,
        stage: Stage::Rectification,
        dates: InspectionDates {
            feedback: Some(feedback_date),
            ..Default::default()
        },
        version: 1,
        created_at: now,
        updated_at: now,
    };

    // One problem per distinct text, in the order the ledger first names them.
    let by = signature(actor, now);
    let mut problems: Vec<Problem> = Vec::new();
    // Beside each problem: its text as compared, how its heading was decided, its rows.
    let mut keys: Vec<String> = Vec::new();
    let mut origins: Vec<(String, Vec<u32>)> = Vec::new();
    for row in &file.rows {
        let Some(cell) = row.problem.as_ref().filter(|c| !c.text.is_empty()) else {
            continue;
        };
        let key = normalise(&cell.text);
        if let Some(i) = keys.iter().position(|k| *k == key) {
            origins[i].1.push(row.line);
            continue;
        }
        let (category, from) = decide_category(row.category.as_ref(), &cell.text, &cats, &default);
        problems.push(Problem {
            id: Id::new(),
            inspection_id: insp.id,
            seq: problems.len() as i32 + 1,
            target_unit_id: unit.id,
            taxonomy_version_id: version.id,
            category_id: category.id,
            title: short_title(&cell.text),
            facts: cell.text.clone(),
            rule_broken: String::new(),
            responsibility: String::new(),
            responsibility_types: Vec::new(),
            severity: Severity::General,
            status: ProblemStatus::Signed,
            created: by.clone(),
            approved: Some(by.clone()),
            signed: Some(by.clone()),
            status_note: Some(format!(
                "历史巡视，据整改台账“{}”第{}行导入",
                file.file_name, row.line
            )),
            version: 1,
            updated_at: now,
        });
        keys.push(key);
        origins.push((from, vec![row.line]));
    }
    let refs: Vec<&Problem> = problems.iter().collect();
    let groups = group_by_category(&refs, &cats);
    // Numbered as the plan numbers its problems (`unit_problems`): heading, then item.
    let mut fed_back = Vec::new();
    let mut listed = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        for (n, item) in group.items.iter().enumerate() {
            let i = problems
                .iter()
                .position(|p| p.id == item.problem_id)
                .expect("grouped from these problems");
            let number = format!("{}.{}", g + 1, n + 1);
            // The rows are matched on the ledger's own words, not the shortened title.
            fed_back.push(FedBackProblem {
                problem_id: item.problem_id,
                number: number.clone(),
                category_id: group.category_id,
                category_name: group.category_name.clone(),
                title: problems[i].facts.clone(),
            });
            listed.push(PastProblem {
                number,
                title: item.title.clone(),
                category_name: group.category_name.clone(),
                category_from: origins[i].0.clone(),
                lines: origins[i].1.clone(),
            });
        }
    }
    let (planned, mut notes, without) = work_out(file, &insp, &fed_back, &[])?;
    if input
        .team_name
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        notes.push(format!("未指定巡视组名称，记为“{DEFAULT_TEAM}”"));
    }
    let report_deadline = add_months(feedback_date, 2)?;
    let feedback = Feedback {
        inspection_id: insp.id,
        status: FeedbackStatus::Given,
        assessment: format!(
            "（历史巡视，据整改台账“{}”导入；反馈意见原文未录入）",
            file.file_name
        ),
        groups,
        recommendations: Vec::new(),
        demands: String::new(),
        deadline: Some(report_deadline),
        meeting: FeedbackMeeting {
            date: Some(feedback_date),
            ..Default::default()
        },
        saved: by.clone(),
        given: Some(by),
        version: 1,
    };
    let plan = Plan {
        id: Id::new(),
        inspection_id: insp.id,
        unit_id: unit.id,
        title: default_title(tx, &insp, &unit.name).await?,
        organisation: String::new(),
        leading_group: Vec::new(),
        status: PlanStatus::Draft,
        submitted_at: None,
        approved_at: None,
        version: 1,
    };
    let ledger = report(plan.id, file, dry_run, &planned, notes, without);
    let report = PastInspectionReport {
        dry_run,
        unit_id: unit.id,
        unit_name: unit.name,
        round_id: round.id,
        round_name: round.name,
        team_name,
        feedback_date,
        report_deadline,
        taxonomy: version.name,
        inspection_id: (!dry_run).then_some(insp.id),
        plan_id: (!dry_run).then_some(plan.id),
        problems: listed,
        ledger,
    };
    Ok(Worked {
        insp,
        problems,
        feedback,
        plan,
        report,
        planned,
    })
}

impl<S: Store> Services<S> {
    /// Previews (`dry_run`) or creates, by the office, an inspection fed back before Xunshi
    /// was in use, from the unit's ledger: the inspection at its rectification stage, its
    /// fed-back problems, the feedback and the unit's draft plan with the rows as tasks, in
    /// one transaction with an audit record for each. Rows in error are not written; the plan
    /// takes them later through [`Services::import_ledger`].
    pub async fn import_past_inspection(
        &self,
        actor: &Actor,
        input: &PastInspectionInput,
        file: &LedgerImport,
        dry_run: bool,
    ) -> Result<PastInspectionReport> {
        let now = self.now();
        if dry_run {
            let mut tx = self.store.read().await?;
            return Ok(work(&mut tx, actor, now, input, file, true).await?.report);
        }
        let mut tx = self.store.write().await?;
        let w = work(&mut tx, actor, now, input, file, false).await?;
        tx.insert_inspection(&w.insp).await?;
        let source = json!({ "file": file.file_name });
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::InspectionImported,
                "inspection",
                Some(w.insp.id),
                json!({
                    "after": w.insp,
                    "imported": source,
                    "problems": w.problems.len(),
                    "rows": file.rows.len(),
                }),
            ),
        )
        .await?;
        for p in &w.problems {
            tx.insert_problem(p).await?;
            record(
                &mut tx,
                actor,
                now,
                AuditEntry::new(
                    Action::ProblemCreated,
                    "problem",
                    Some(p.id),
                    json!({ "inspection_id": w.insp.id, "seq": p.seq, "category_id": p.category_id, "imported": source }),
                ),
            )
            .await?;
        }
        tx.insert_feedback(&w.feedback).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::FeedbackGiven,
                "inspection",
                Some(w.insp.id),
                json!({
                    "feedback_date": w.report.feedback_date.to_string(),
                    "deadline": w.report.report_deadline.to_string(),
                    "imported": source,
                }),
            ),
        )
        .await?;
        tx.insert_rect_plan(&w.plan).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RectPlanCreated,
                "rect_plan",
                Some(w.plan.id),
                json!({ "after": w.plan, "imported": source }),
            ),
        )
        .await?;
        write_rows(&mut tx, actor, now, &w.plan, &file.file_name, &w.planned).await?;
        tx.commit().await?;
        Ok(w.report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(code: &str, name: &str) -> Category {
        Category {
            id: Id::new(),
            version_id: Id::new(),
            code: code.into(),
            name: name.into(),
            position: 0,
        }
    }

    #[test]
    fn a_heading_is_read_from_the_ledger_then_from_the_problem_s_words() {
        let cats = [
            cat("political", "政治建设"),
            cat("organizational", "组织建设"),
            cat("integrity", "党风廉政建设和反腐败斗争"),
        ];
        let section = LedgerCell {
            cell: "B5".into(),
            text: "二、组织建设方面存在的问题".into(),
        };
        let (c, from) = decide_category(Some(&section), "理论学习不深入", &cats, &cats[0]);
        assert_eq!(c.code, "organizational");
        assert_eq!(from, "台账分类“二、组织建设方面存在的问题”（B5）");
        let short = LedgerCell {
            cell: "C9".into(),
            text: "三、党风廉政建设方面".into(),
        };
        assert_eq!(
            decide_category(Some(&short), "x", &cats, &cats[0]).0.code,
            "integrity"
        );
        let (c, from) = decide_category(None, "落实“两个责任”不够到位", &cats, &cats[0]);
        assert_eq!(c.code, "integrity");
        assert!(from.contains("两个责任"), "{from}");
        let unknown = LedgerCell {
            cell: "B5".into(),
            text: "四、财务管理方面".into(),
        };
        let (c, from) = decide_category(Some(&unknown), "食堂卫生检查不够", &cats, &cats[0]);
        assert_eq!(c.code, "political");
        assert!(
            from.starts_with("台账分类“四、财务管理方面”（B5）无对应类别"),
            "{from}"
        );
        assert!(from.ends_with("归入默认类别，请核对"), "{from}");
    }

    #[test]
    fn a_long_problem_is_titled_by_its_first_sentence() {
        assert_eq!(short_title("理论学习不深入"), "理论学习不深入");
        assert_eq!(short_title("（一）理论学习不深入"), "理论学习不深入");
        let long = format!("理论学习不深入。{}", "具体表现为".repeat(50));
        assert_eq!(short_title(&long), "理论学习不深入");
        let run_on = "很".repeat(300);
        let t = short_title(&run_on);
        assert_eq!(t.chars().count(), MAX_TITLE_CHARS);
        assert!(t.ends_with('…'));
    }
}
