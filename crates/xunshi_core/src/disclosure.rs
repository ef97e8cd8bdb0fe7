//! Reports and disclosure (整改报告与公开): the rectification report and the principal leader's
//! report on organising the rectification, which the unit sends to the inspection office, and
//! the public progress notice (关于巡视整改进展情况的通报), which the office approves for the
//! public page. All three are assembled from the ledger, edited by the unit, and kept in
//! revisions.
//!
//! The texts are written one paragraph a line, headings numbered as official documents number
//! them (一、 / （一）), so that the page, the API and the `.docx` read the same text.
//! Tasks marked not for disclosure never enter a notice's draft, and a notice whose edited text
//! names one is refused at submission and at approval ([`leaks`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{Result, Validation};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::org::labelled_enum;
use crate::paper::Signature;
use crate::permission::Actor;
use crate::rectify::{Due, GroupMember, TaskStatus};
use crate::role::{Role, Scope};

labelled_enum!(
    /// Which document it is.
    DocKind, "kind" {
        Rectification = "rectification" / "整改情况报告",
        PrincipalReport = "principal_report" / "主要负责人组织落实整改情况的报告",
        PublicNotice = "public_notice" / "巡视整改进展情况通报",
    }
);

impl DocKind {
    /// The two reports the unit sends to the office within two months of feedback (rule).
    pub const REPORTS: &'static [DocKind] = &[DocKind::Rectification, DocKind::PrincipalReport];

    pub fn is_report(self) -> bool {
        self != DocKind::PublicNotice
    }
}

/// The two collections of rectification documents an address names: a report is not a notice.
/// The services take the collection a request names and check it in their transaction, so a
/// notice's id given as a report's names nothing (404), on the page and in the API alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocCollection {
    /// 整改情况报告 and 主要负责人组织落实整改情况的报告.
    Reports,
    /// 巡视整改进展情况通报.
    Notices,
}

impl DocCollection {
    pub fn what(self) -> &'static str {
        match self {
            DocCollection::Reports => "整改报告",
            DocCollection::Notices => "整改进展通报",
        }
    }

    /// Whether a document of `kind` is of this collection.
    pub fn holds(self, kind: DocKind) -> bool {
        kind.is_report() == (self == DocCollection::Reports)
    }
}

labelled_enum!(
    /// Where a document stands. Reports end at `Submitted`; a notice goes on to the office,
    /// which publishes it or returns it. A published notice changes only by decision: the
    /// office withdraws it, a newer notice of the unit supersedes it, or a task marked not for
    /// disclosure after publication sends it back to the office for review (off the public
    /// page until the office publishes it again or withdraws it).
    DocStatus, "status" {
        Draft = "draft" / "起草中",
        Submitted = "submitted" / "已报送",
        Returned = "returned" / "退回修改",
        Published = "published" / "已审核公开",
        NeedsReview = "needs_review" / "待复核",
        Superseded = "superseded" / "已被新通报替代",
        Withdrawn = "withdrawn" / "已撤回",
    }
);

impl DocStatus {
    /// Whether the unit may still change the text.
    pub fn editable(self) -> bool {
        matches!(self, DocStatus::Draft | DocStatus::Returned)
    }

    pub fn tag(self) -> &'static str {
        match self {
            DocStatus::Draft | DocStatus::Superseded | DocStatus::Withdrawn => "grey",
            DocStatus::Submitted => "yellow",
            DocStatus::Returned | DocStatus::NeedsReview => "red",
            DocStatus::Published => "green",
        }
    }

    /// Whether the notice has been approved and not yet withdrawn or superseded: the office
    /// may withdraw it, and a newer notice of the unit takes its place.
    pub fn in_force(self) -> bool {
        matches!(self, DocStatus::Published | DocStatus::NeedsReview)
    }
}

/// Where the public may send opinions on the rectification (notices only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    /// 联系电话.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub phone: String,
    /// 电子邮箱.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub mailbox: String,
    /// 通信地址 (with the postcode).
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: String,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.phone.is_empty() && self.mailbox.is_empty() && self.address.is_empty()
    }

    /// The closing paragraph of a notice.
    pub fn paragraph(&self) -> String {
        let mut parts = Vec::new();
        if !self.phone.is_empty() {
            parts.push(format!("联系电话：{}", self.phone));
        }
        if !self.mailbox.is_empty() {
            parts.push(format!("电子邮箱：{}", self.mailbox));
        }
        if !self.address.is_empty() {
            parts.push(format!("通信地址：{}", self.address));
        }
        format!(
            "欢迎广大干部群众对巡视整改落实情况进行监督。如有意见建议，请及时向我们反映。{}。",
            parts.join("；")
        )
    }
}

/// A report or a notice of one unit's rectification after one inspection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RectDocument {
    pub id: Id,
    pub kind: DocKind,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub title: String,
    /// One paragraph a line; headings numbered 一、 and （一）.
    pub body: String,
    /// To whom it goes (主送机关); reports go to the inspection office.
    pub addressee: String,
    /// Who signs it (署名): the unit, or the principal leader for their own report.
    pub issuer: String,
    /// Notices only.
    pub contact: Contact,
    pub status: DocStatus,
    /// The number of the current revision of the text; every save adds one.
    pub revision: i32,
    pub created: Signature,
    pub submitted: Option<Signature>,
    /// The day it reached the office (Asia/Shanghai).
    #[schema(value_type = Option<String>, format = Date)]
    pub submitted_on: Option<Date>,
    /// The office's decision on a notice.
    pub decided: Option<Signature>,
    /// Why the office returned it.
    pub decision_comment: String,
    /// The day the office approved the notice for the public.
    #[schema(value_type = Option<String>, format = Date)]
    pub published_on: Option<Date>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl RectDocument {
    /// The text as it is read: the body and, for a notice, the paragraph of contact details.
    pub fn full_text(&self) -> String {
        if self.kind == DocKind::PublicNotice && !self.contact.is_empty() {
            format!("{}\n{}", self.body, self.contact.paragraph())
        } else {
            self.body.clone()
        }
    }
}

/// One saved state of a document's text.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Revision {
    pub document_id: Id,
    pub number: i32,
    pub title: String,
    pub body: String,
    pub contact: Contact,
    /// What the editor said about the change.
    pub note: String,
    pub created: Signature,
}

/// The editable fields of a document as a form or a JSON body gives them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DocumentInput {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[schema(min_length = 1, pattern = r"\S", max_length = 100000)]
    pub body: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub addressee: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub issuer: String,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// The fields, trimmed and checked for what a draft may hold.
pub struct DocumentFields {
    pub title: String,
    pub body: String,
    pub addressee: String,
    pub issuer: String,
    pub contact: Contact,
    pub note: String,
}

fn trimmed(v: &mut Validation, field: &str, text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() > max {
        v.add(field, format!("不能超过 {max} 个字"));
    }
    t.to_owned()
}

/// Keeps the lines of a text, trimmed, without the blank ones.
fn clean_body(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

impl DocumentInput {
    pub fn validate(&self) -> Result<DocumentFields> {
        let mut v = Validation::new();
        let title = trimmed(&mut v, "title", &self.title, 200);
        if title.is_empty() {
            v.add("title", "请填写标题");
        }
        let body = clean_body(&self.body);
        if body.is_empty() {
            v.add("body", "请填写正文");
        } else if body.chars().count() > 100_000 {
            v.add("body", "正文不能超过 100000 个字");
        }
        let fields = DocumentFields {
            addressee: trimmed(&mut v, "addressee", &self.addressee, 200),
            issuer: trimmed(&mut v, "issuer", &self.issuer, 200),
            contact: Contact {
                phone: trimmed(&mut v, "contact.phone", &self.contact.phone, 100),
                mailbox: trimmed(&mut v, "contact.mailbox", &self.contact.mailbox, 200),
                address: trimmed(&mut v, "contact.address", &self.contact.address, 300),
            },
            note: trimmed(&mut v, "note", &self.note, 500),
            title,
            body,
        };
        v.finish()?;
        Ok(fields)
    }
}

/// What must be there before a document goes to the office.
pub fn check_ready(doc: &RectDocument) -> Result<()> {
    let mut v = Validation::new();
    if doc.title.is_empty() {
        v.add("title", "请填写标题");
    }
    if doc.body.is_empty() {
        v.add("body", "请填写正文");
    }
    if doc.issuer.is_empty() {
        v.add("issuer", "请填写署名");
    }
    if doc.kind == DocKind::PublicNotice {
        if doc.contact.phone.is_empty() {
            v.add("contact.phone", "请填写接受群众监督的联系电话");
        }
        if doc.contact.mailbox.is_empty() && doc.contact.address.is_empty() {
            v.add("contact.mailbox", "请至少填写电子邮箱或通信地址中的一项");
        }
    } else if doc.addressee.is_empty() {
        v.add("addressee", "请填写主送机关");
    }
    v.finish()
}

// ---------------------------------------------------------------------------------------------
// Who may do what

/// What an actor may do with the documents of one unit's rectification after one inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DocAccess {
    None,
    /// The leadership, the supervisors, the inspection's team, the unit's staff.
    Read,
    /// The unit's principal leader and liaison: draft, edit, submit.
    Unit,
    /// The inspection office: reads everything, decides on notices.
    Office,
}

pub fn doc_access(actor: &Actor, insp: &Inspection, unit_id: Id) -> DocAccess {
    if actor.is_system() {
        return DocAccess::Office;
    }
    let targeted = insp.target_ids.contains(&unit_id) && insp.stage.feedback_given();
    // Who belongs to the unit reads and writes its documents as the unit, never as its overseer
    // (the own-unit rule, `own_unit`): only the unit's roles count.
    let own = crate::own_unit::belongs_to(actor, unit_id);
    let mut best = DocAccess::None;
    for g in actor.grants() {
        if own && !g.role.is_unit_role() {
            continue;
        }
        let a = match (g.role, g.scope) {
            // The office, or a committee's own office for the inspections it sends.
            _ if g.is_office_of(insp.dispatcher_id) => DocAccess::Office,
            (Role::Leadership | Role::Discipline | Role::Organization, _) => DocAccess::Read,
            (Role::TeamLeader | Role::TeamDeputy | Role::TeamMember, Scope::Inspection(i))
                if i == insp.id =>
            {
                DocAccess::Read
            }
            (Role::UnitPrincipal | Role::UnitLiaison, Scope::Unit(u))
                if u == unit_id && targeted =>
            {
                DocAccess::Unit
            }
            (Role::UnitStaff, Scope::Unit(u)) if u == unit_id && targeted => DocAccess::Read,
            _ => DocAccess::None,
        };
        best = best.max(a);
    }
    best
}

// ---------------------------------------------------------------------------------------------
// Assembly from the ledger

/// One task of the ledger as the documents tell it.
#[derive(Debug, Clone)]
pub struct TaskFacts {
    pub seq: String,
    pub measure: String,
    pub status: TaskStatus,
    pub due: Due,
    pub progress: i16,
    /// The latest progress report's text.
    pub latest: Option<String>,
    pub not_for_disclosure: bool,
    /// Past its deadline and not closed.
    pub overdue: bool,
}

/// One fed-back problem with its tasks, in the feedback's order.
#[derive(Debug, Clone)]
pub struct ProblemFacts {
    pub problem_id: Id,
    pub category: String,
    pub title: String,
    pub tasks: Vec<TaskFacts>,
}

/// Everything the documents are assembled from.
#[derive(Debug, Clone)]
pub struct Facts {
    /// 自治区党委: the committee that sent the team.
    pub dispatcher: String,
    /// 第三巡视组.
    pub team_name: String,
    pub unit_name: String,
    pub entry: Option<Date>,
    pub exit: Option<Date>,
    pub feedback: Option<Date>,
    pub today: Date,
    /// The leading group of the unit's plan, its head first.
    pub leading_group: Vec<GroupMember>,
    /// How the unit organised the work, as its plan says.
    pub organisation: String,
    pub problems: Vec<ProblemFacts>,
}

fn chinese_date(d: Date) -> String {
    crate::clue::chinese_date(d)
}

/// 2019年9月18日至12月18日: the year of the end is left out when it is the same.
pub fn period(from: Date, to: Date) -> String {
    if from.year() == to.year() {
        format!("{}至{}月{}日", chinese_date(from), to.month(), to.day())
    } else {
        format!("{}至{}", chinese_date(from), chinese_date(to))
    }
}

/// 自治区党委第三巡视组: the team's full name, unless it already carries the committee's.
fn team_full_name(f: &Facts) -> String {
    if f.team_name.starts_with(&f.dispatcher) {
        f.team_name.clone()
    } else {
        format!("{}{}", f.dispatcher, f.team_name)
    }
}

/// The first sentence of every document: who inspected whom, when, and when it was fed back.
pub fn opening_sentence(f: &Facts) -> String {
    let mut s = format!("根据{}统一部署，", f.dispatcher);
    if let (Some(a), Some(b)) = (f.entry, f.exit) {
        s.push_str(&format!("{}，", period(a, b)));
    }
    s.push_str(&format!("{}对{}进行了巡视", team_full_name(f), f.unit_name));
    match f.feedback {
        Some(d) => s.push_str(&format!("，{}反馈了巡视意见。", chinese_date(d))),
        None => s.push('。'),
    }
    s
}

/// A deadline as a document writes it: 立行立改, 2020年6月30日前, 长期坚持.
fn due_phrase(d: Due) -> String {
    match d {
        Due::Immediate { date } => format!("立行立改，{}前", chinese_date(date)),
        Due::By { date } => format!("{}前", chinese_date(date)),
        Due::LongTerm => "长期坚持".into(),
    }
}

/// A sentence ending in one full stop, whatever it ended with.
fn sentence(s: &str) -> String {
    let t = s.trim().trim_end_matches(['。', '；', ';', '.', '，', ',']);
    format!("{t}。")
}

fn status_phrase(t: &TaskFacts, public: bool) -> String {
    match (t.status, t.due) {
        (TaskStatus::Closed, _) => "已完成整改，经核查销号".into(),
        (TaskStatus::Claimed, _) => "已完成整改，正在核查销号".into(),
        (_, Due::LongTerm) => "需长期坚持，正在持续推进".into(),
        (TaskStatus::NotStarted, _) => "尚未启动".into(),
        (TaskStatus::InProgress, _) if t.overdue && !public => {
            format!("正在推进，已完成{}%，已超过整改时限", t.progress)
        }
        (TaskStatus::InProgress, _) => format!("正在推进，已完成{}%", t.progress),
    }
}

fn task_line(n: usize, t: &TaskFacts, public: bool) -> String {
    let mut s = format!("{n}.{}", sentence(&t.measure));
    if let Some(p) = t.latest.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        s.push_str(&sentence(p));
    }
    s.push_str(&format!("（{}）", status_phrase(t, public)));
    s
}

/// The problems and tasks a document tells of. A notice leaves out every task marked not for
/// disclosure, and every problem with no task left to tell.
fn told(f: &Facts, public: bool) -> Vec<(&ProblemFacts, Vec<&TaskFacts>)> {
    f.problems
        .iter()
        .map(|p| {
            let tasks: Vec<&TaskFacts> = p
                .tasks
                .iter()
                .filter(|t| !(public && t.not_for_disclosure))
                .collect();
            (p, tasks)
        })
        .filter(|(_, tasks)| !(public && tasks.is_empty()))
        .collect()
}

/// 一、二、三 … as headings number.
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".into(),
        1..=9 => DIGITS[n].into(),
        10 => "十".into(),
        11..=19 => format!("十{}", DIGITS[n - 10]),
        20..=99 => format!("{}十{}", DIGITS[n / 10], DIGITS[n % 10]),
        _ => n.to_string(),
    }
}

fn organisation_paragraphs(f: &Facts, out: &mut Vec<String>) {
    let head = f
        .leading_group
        .iter()
        .find(|m| m.role.contains("组长") && !m.role.contains('副'));
    let deputies: Vec<&str> = f
        .leading_group
        .iter()
        .filter(|m| m.role.contains("副组长"))
        .map(|m| m.name.as_str())
        .collect();
    match head {
        Some(h) => {
            let mut s = format!(
                "巡视反馈后，{}迅速成立巡视整改工作领导小组，由{}{}任组长",
                f.unit_name, h.post, h.name
            );
            if !deputies.is_empty() {
                s.push_str(&format!("，{}任副组长", deputies.join("、")));
            }
            s.push_str("，领导班子承担整改主体责任，主要负责人履行第一责任人职责，班子成员履行“一岗双责”。");
            out.push(s);
        }
        None => out.push(format!(
            "巡视反馈后，{}领导班子切实承担整改主体责任，主要负责人履行第一责任人职责，班子成员履行“一岗双责”。",
            f.unit_name
        )),
    }
    out.extend(
        f.organisation
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
    );
}

struct Counts {
    problems: usize,
    tasks: usize,
    done: usize,
    closed: usize,
    long_term: usize,
    open: usize,
}

fn counts(items: &[(&ProblemFacts, Vec<&TaskFacts>)]) -> Counts {
    let tasks: Vec<&&TaskFacts> = items.iter().flat_map(|(_, ts)| ts.iter()).collect();
    let closed = tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Closed)
        .count();
    let done = tasks
        .iter()
        .filter(|t| matches!(t.status, TaskStatus::Closed | TaskStatus::Claimed))
        .count();
    let long_term = tasks
        .iter()
        .filter(|t| t.due == Due::LongTerm && t.status != TaskStatus::Closed)
        .count();
    Counts {
        problems: items.len(),
        tasks: tasks.len(),
        done,
        closed,
        long_term,
        open: tasks.len() - done - long_term,
    }
}

fn summary_sentence(f: &Facts, c: &Counts) -> String {
    format!(
        "截至{}，巡视反馈的{}个问题共{}项整改措施，已完成{}项（其中已核查销号{}项），正在推进{}项，需长期坚持{}项。",
        chinese_date(f.today),
        c.problems,
        c.tasks,
        c.done,
        c.closed,
        c.open,
        c.long_term
    )
}

fn item_paragraphs(
    items: &[(&ProblemFacts, Vec<&TaskFacts>)],
    public: bool,
    out: &mut Vec<String>,
) {
    for (i, (p, tasks)) in items.iter().enumerate() {
        out.push(format!(
            "（{}）关于{}的问题",
            chinese_number(i + 1),
            p.title.trim()
        ));
        if tasks.is_empty() {
            out.push("整改措施正在研究制定。".into());
        }
        for (n, t) in tasks.iter().enumerate() {
            out.push(task_line(n + 1, t, public));
        }
    }
}

const KEEP_GOING: &str = "下一步，我们将坚持目标不变、标准不降、力度不减，对已完成的整改任务适时开展“回头看”，巩固整改成果，防止问题反弹；对需要长期坚持的整改任务，建立健全长效机制，做到“当下改”与“长久立”相结合；对尚未完成的整改任务，紧盯不放、持续用力，确保按期全部整改到位。";

fn next_step_paragraphs(
    items: &[(&ProblemFacts, Vec<&TaskFacts>)],
    detailed: bool,
    out: &mut Vec<String>,
) {
    if detailed {
        let open: Vec<String> = items
            .iter()
            .flat_map(|(_, ts)| ts.iter())
            .filter(|t| !matches!(t.status, TaskStatus::Closed | TaskStatus::Claimed))
            .map(|t| {
                format!(
                    "{}{}（{}）",
                    t.seq,
                    t.measure.trim().trim_end_matches('。'),
                    due_phrase(t.due)
                )
            })
            .collect();
        if !open.is_empty() {
            out.push(format!(
                "尚未完成和需长期坚持的整改措施共{}项：{}。",
                open.len(),
                open.join("；")
            ));
        }
    }
    out.push(KEEP_GOING.into());
}

/// A draft's title and body, as the unit starts editing them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub addressee: String,
    pub issuer: String,
}

/// The principal leader, as the plan's leading group names its head.
fn principal(f: &Facts) -> Option<&GroupMember> {
    f.leading_group
        .iter()
        .find(|m| m.role.contains("组长") && !m.role.contains('副'))
}

/// Assembles a document of `kind` from the facts.
pub fn assemble(kind: DocKind, f: &Facts) -> Draft {
    let public = kind == DocKind::PublicNotice;
    let items = told(f, public);
    let c = counts(&items);
    let mut out = Vec::new();
    let office = format!("{}巡视工作领导小组办公室", f.dispatcher);
    let (title, addressee, issuer) = match kind {
        DocKind::Rectification => {
            out.push(format!(
                "{}{}现将巡视整改情况报告如下。",
                opening_sentence(f),
                "按照巡视整改工作要求，"
            ));
            (
                format!("{}关于巡视整改情况的报告", f.unit_name),
                office,
                f.unit_name.clone(),
            )
        }
        DocKind::PrincipalReport => {
            let who = principal(f);
            out.push(format!(
                "{}本人作为巡视整改第一责任人，现将组织落实巡视整改情况报告如下。",
                opening_sentence(f)
            ));
            (
                format!("{}主要负责人关于组织落实巡视整改情况的报告", f.unit_name),
                office,
                who.map(|m| format!("{}{}", m.post, m.name))
                    .unwrap_or_else(|| format!("{}主要负责人", f.unit_name)),
            )
        }
        DocKind::PublicNotice => {
            out.push(format!(
                "{}按照党务公开原则和巡视工作有关要求，现将巡视整改进展情况予以公布。",
                opening_sentence(f)
            ));
            (
                format!("{}关于巡视整改进展情况的通报", f.unit_name),
                String::new(),
                f.unit_name.clone(),
            )
        }
    };
    out.push(match kind {
        DocKind::PrincipalReport => "一、履行第一责任人职责，加强对整改工作的组织领导".into(),
        _ => "一、整改工作组织情况".into(),
    });
    organisation_paragraphs(f, &mut out);
    out.push(match kind {
        DocKind::PublicNotice => "二、巡视反馈问题整改进展情况".into(),
        _ => "二、巡视反馈问题整改落实情况".into(),
    });
    out.push(summary_sentence(f, &c));
    item_paragraphs(&items, public, &mut out);
    out.push("三、下一步工作打算".into());
    next_step_paragraphs(&items, !public, &mut out);
    Draft {
        title,
        body: out.join("\n"),
        addressee,
        issuer,
    }
}

/// Text that must not be published: the measures and progress of tasks marked not for
/// disclosure, and the titles of problems none of whose tasks may be told. Strings also used
/// by something that may be told are not counted, nor strings too short to mean anything.
pub fn withheld(f: &Facts) -> Vec<String> {
    let told: Vec<&str> =
        f.problems
            .iter()
            .flat_map(|p| {
                let tasks = p.tasks.iter().filter(|t| !t.not_for_disclosure);
                std::iter::once(p.title.as_str())
                    .filter(move |_| p.tasks.iter().any(|t| !t.not_for_disclosure))
                    .chain(tasks.flat_map(|t| {
                        std::iter::once(t.measure.as_str()).chain(t.latest.as_deref())
                    }))
            })
            .map(core_text)
            .collect();
    let mut out: Vec<String> = Vec::new();
    for p in &f.problems {
        let excluded: Vec<&TaskFacts> = p.tasks.iter().filter(|t| t.not_for_disclosure).collect();
        let mut candidates: Vec<&str> = excluded
            .iter()
            .flat_map(|t| std::iter::once(t.measure.as_str()).chain(t.latest.as_deref()))
            .collect();
        if p.tasks.iter().all(|t| t.not_for_disclosure) {
            candidates.push(&p.title);
        }
        for c in candidates.into_iter().map(core_text) {
            if c.chars().count() >= 6 && !told.contains(&c) && !out.iter().any(|o| o == c) {
                out.push(c.to_owned());
            }
        }
    }
    out
}

/// A phrase without its closing punctuation, as it would be found inside a sentence.
fn core_text(s: &str) -> &str {
    s.trim().trim_end_matches(['。', '；', ';', '.', '，', ','])
}

/// The withheld phrases a text contains.
pub fn leaks<'a>(text: &str, withheld: &'a [String]) -> Vec<&'a str> {
    withheld
        .iter()
        .filter(|w| text.contains(w.as_str()))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn task(seq: &str, measure: &str, status: TaskStatus, due: Due, secret: bool) -> TaskFacts {
        TaskFacts {
            seq: seq.into(),
            measure: measure.into(),
            status,
            due,
            progress: 40,
            latest: None,
            not_for_disclosure: secret,
            overdue: false,
        }
    }

    fn facts() -> Facts {
        Facts {
            dispatcher: "自治区党委".into(),
            team_name: "第三巡视组".into(),
            unit_name: "自治区党委宣传部".into(),
            entry: Some(date(2019, 9, 18)),
            exit: Some(date(2019, 12, 18)),
            feedback: Some(date(2020, 3, 25)),
            today: date(2020, 5, 20),
            leading_group: vec![
                GroupMember {
                    name: "范晓莉".into(),
                    post: "部长".into(),
                    role: "组长".into(),
                },
                GroupMember {
                    name: "副部长甲".into(),
                    post: "常务副部长".into(),
                    role: "副组长".into(),
                },
            ],
            organisation: "召开部务会专题研究部署整改工作。\n召开巡视整改专题民主生活会。".into(),
            problems: vec![
                ProblemFacts {
                    problem_id: Id::new(),
                    category: "政治建设".into(),
                    title: "落实党管宣传思想文化职责存在薄弱点".into(),
                    tasks: vec![
                        task(
                            "1.1.1",
                            "修订部务会议事规则",
                            TaskStatus::Closed,
                            Due::By {
                                date: date(2020, 4, 30),
                            },
                            false,
                        ),
                        task(
                            "1.1.2",
                            "对涉密事项开展专项核查",
                            TaskStatus::InProgress,
                            Due::By {
                                date: date(2020, 6, 30),
                            },
                            true,
                        ),
                    ],
                },
                ProblemFacts {
                    problem_id: Id::new(),
                    category: "党风廉政建设和反腐败斗争".into(),
                    title: "对个别直属单位资金项目监管不够严格".into(),
                    tasks: vec![task(
                        "3.2.1",
                        "对直属单位资金项目问题线索开展初步核实",
                        TaskStatus::InProgress,
                        Due::LongTerm,
                        true,
                    )],
                },
            ],
        }
    }

    #[test]
    fn the_opening_names_the_period_and_the_feedback_date() {
        assert_eq!(
            opening_sentence(&facts()),
            "根据自治区党委统一部署，2019年9月18日至12月18日，自治区党委第三巡视组对自治区党委宣传部进行了巡视，2020年3月25日反馈了巡视意见。"
        );
        assert_eq!(
            period(date(2019, 11, 1), date(2020, 1, 10)),
            "2019年11月1日至2020年1月10日"
        );
        let mut f = facts();
        f.entry = None;
        f.feedback = None;
        assert_eq!(
            opening_sentence(&f),
            "根据自治区党委统一部署，自治区党委第三巡视组对自治区党委宣传部进行了巡视。"
        );
    }

    #[test]
    fn the_notice_has_the_standard_structure_and_leaves_out_what_is_withheld() {
        let d = assemble(DocKind::PublicNotice, &facts());
        assert_eq!(d.title, "自治区党委宣传部关于巡视整改进展情况的通报");
        let lines: Vec<&str> = d.body.lines().collect();
        assert!(
            lines[0].ends_with("现将巡视整改进展情况予以公布。"),
            "{}",
            lines[0]
        );
        assert_eq!(lines[1], "一、整改工作组织情况");
        assert!(lines[2].contains("由部长范晓莉任组长，副部长甲任副组长"));
        assert!(d.body.contains("二、巡视反馈问题整改进展情况"));
        assert!(
            d.body
                .contains("（一）关于落实党管宣传思想文化职责存在薄弱点的问题")
        );
        assert!(
            d.body
                .contains("1.修订部务会议事规则。（已完成整改，经核查销号）")
        );
        assert!(d.body.contains("三、下一步工作打算"));
        // The withheld task and the problem with nothing left to tell are not there …
        assert!(!d.body.contains("涉密事项"));
        assert!(!d.body.contains("资金项目"));
        assert!(!d.body.contains("（二）"));
        // … and are not counted either.
        assert!(d.body.contains("巡视反馈的1个问题共1项整改措施，已完成1项"));
        assert!(leaks(&d.body, &withheld(&facts())).is_empty());
    }

    #[test]
    fn the_reports_tell_everything_to_the_office() {
        let f = facts();
        let r = assemble(DocKind::Rectification, &f);
        assert_eq!(r.title, "自治区党委宣传部关于巡视整改情况的报告");
        assert_eq!(r.addressee, "自治区党委巡视工作领导小组办公室");
        assert!(r.body.contains("对涉密事项开展专项核查"));
        assert!(
            r.body
                .contains("（二）关于对个别直属单位资金项目监管不够严格的问题")
        );
        assert!(r.body.contains("需长期坚持，正在持续推进"));
        assert!(r.body.contains(
            "尚未完成和需长期坚持的整改措施共2项：1.1.2对涉密事项开展专项核查（2020年6月30日前）"
        ));
        let p = assemble(DocKind::PrincipalReport, &f);
        assert_eq!(p.issuer, "部长范晓莉");
        assert!(p.body.contains("本人作为巡视整改第一责任人"));
    }

    #[test]
    fn an_edited_notice_that_names_a_withheld_item_is_caught() {
        let f = facts();
        let w = withheld(&f);
        assert!(w.contains(&"对涉密事项开展专项核查".to_string()));
        assert!(w.contains(&"对个别直属单位资金项目监管不够严格".to_string()));
        assert!(!w.contains(&"落实党管宣传思想文化职责存在薄弱点".to_string()));
        let text = "二、整改进展\n我们对涉密事项开展专项核查。";
        assert_eq!(leaks(text, &w), vec!["对涉密事项开展专项核查"]);
    }

    #[test]
    fn who_may_do_what_with_a_units_documents() {
        use crate::inspection::Stage;
        use crate::role::Grant;
        use crate::user::User;
        let unit = Id::new();
        let insp = crate::inspection::tests::sample(vec![unit], Stage::Rectification);
        let actor = |role: Role, scope: Scope| {
            let user = User {
                id: Id::new(),
                username: "u".into(),
                display_name: "u".into(),
                unit_id: None,
                disabled: false,
                must_change_password: false,
                failed_logins: 0,
                locked_until: None,
                version: 1,
                created_at: jiff::Timestamp::UNIX_EPOCH,
                updated_at: jiff::Timestamp::UNIX_EPOCH,
            };
            let g = Grant {
                id: Id::new(),
                user_id: user.id,
                role,
                scope,
                granted_by: None,
                created_at: jiff::Timestamp::UNIX_EPOCH,
            };
            Actor::user(user, vec![g], None)
        };
        let of = |a: &Actor| doc_access(a, &insp, unit);
        assert_eq!(of(&actor(Role::Office, Scope::Global)), DocAccess::Office);
        assert_eq!(of(&actor(Role::Leadership, Scope::Global)), DocAccess::Read);
        assert_eq!(of(&actor(Role::Discipline, Scope::Global)), DocAccess::Read);
        assert_eq!(
            of(&actor(Role::UnitLiaison, Scope::Unit(unit))),
            DocAccess::Unit
        );
        assert_eq!(
            of(&actor(Role::UnitStaff, Scope::Unit(unit))),
            DocAccess::Read
        );
        assert_eq!(
            of(&actor(Role::UnitPrincipal, Scope::Unit(Id::new()))),
            DocAccess::None
        );
        assert_eq!(
            of(&actor(Role::TeamMember, Scope::Inspection(insp.id))),
            DocAccess::Read
        );
        assert_eq!(
            of(&actor(Role::TeamMember, Scope::Inspection(Id::new()))),
            DocAccess::None
        );
        let liaison = actor(Role::UnitLiaison, Scope::Unit(unit));
        assert!(crate::own_unit::belongs_to(&liaison, unit));
        assert!(!crate::own_unit::belongs_to(
            &actor(Role::Office, Scope::Global),
            unit
        ));
        let mut before = insp.clone();
        before.stage = Stage::Reporting;
        assert_eq!(doc_access(&liaison, &before, unit), DocAccess::None);
    }

    #[test]
    fn a_notice_needs_its_contact_details_before_it_goes_out() {
        let d = assemble(DocKind::PublicNotice, &facts());
        let mut doc = RectDocument {
            id: Id::new(),
            kind: DocKind::PublicNotice,
            inspection_id: Id::new(),
            unit_id: Id::new(),
            title: d.title,
            body: d.body,
            addressee: String::new(),
            issuer: d.issuer,
            contact: Contact::default(),
            status: DocStatus::Draft,
            revision: 1,
            created: Signature {
                by: None,
                name: "x".into(),
                at: jiff::Timestamp::UNIX_EPOCH,
            },
            submitted: None,
            submitted_on: None,
            decided: None,
            decision_comment: String::new(),
            published_on: None,
            version: 1,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let Err(crate::CoreError::BadInput(e)) = check_ready(&doc) else {
            panic!("a notice without contact details was ready");
        };
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["contact.phone", "contact.mailbox"]);
        doc.contact = Contact {
            phone: "0771-5551234".into(),
            mailbox: "zhenggai@example.gov.cn".into(),
            address: String::new(),
        };
        check_ready(&doc).expect("ready");
        assert!(
            doc.full_text()
                .ends_with("联系电话：0771-5551234；电子邮箱：zhenggai@example.gov.cn。")
        );
    }

    #[test]
    fn headings_count_in_chinese() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(35), "三十五");
    }
}
