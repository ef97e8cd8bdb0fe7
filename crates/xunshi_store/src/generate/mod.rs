//! A data set at scale for benchmarks and for the storage contract: a province's organisation
//! tree, its accounts, years of inspections at every stage with their working papers, feedback,
//! clues, rectification plans, tasks, progress, verifications and supervision, and the audit
//! trail all of that implies.
//!
//! Rows are the core's own structs, encoded column by column as the store's single-row inserts
//! in `tx/*.rs` encode them, and the audit summaries are built from the same structs with the
//! same `json!` shapes the services record. What is bulk is only the way they reach the
//! database: multi-row `INSERT`s in large transactions, streamed inspection by inspection, so
//! memory stays small whatever the size. Everything is derived from one seed: the same seed and
//! the same "today" give byte-identical rows, ids included (UUIDv7 from the simulated time and
//! the seeded generator).

mod audit;
mod bulk;
mod time;

use serde_json::json;
use xunshi_core::audit::Action;
use xunshi_core::clue::{
    Clue, ClueKind, ClueSource, ClueStatus, Confidentiality, Disposal, DisposalMethod, Recipient,
    TransferRef,
};
use xunshi_core::feedback::{FeedbackStatus, group_by_category};
use xunshi_core::inspection::{
    AnnualPlan, Inspection, InspectionDates, InspectionKind, Round, Stage, Term,
};
use xunshi_core::org::{Unit, UnitKind, UnitLevel};
use xunshi_core::paper::{Problem, ProblemStatus, ResponsibilityType, Severity, Signature};
use xunshi_core::personnel::{Inspector, TeamMember, TeamRole};
use xunshi_core::rectify::{
    Accountability, Defect, Due, FollowUp, Form, GroupMember, Mechanism, NoticeKind, Plan,
    PlanStatus, ProgressReport, Task, TaskStatus, Verification,
};
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::taxonomy::Category;
use xunshi_core::user::User;
use xunshi_core::{CoreError, Id, Result};

use crate::Db;
use audit::{AuditSink, Who};
use bulk::{Bulk, T, V};
use time::{DAY, Rng, add_months, date, day_of, day_of_date, stamp};

/// How much to make. [`Counts::for_tasks`] scales the defaults of a million tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    pub units: usize,
    pub users: usize,
    pub inspections: usize,
    pub problems: usize,
    pub tasks: usize,
    pub progress: usize,
    pub clues: usize,
}

impl Counts {
    /// The counts for `tasks` tasks, in the proportions of a province's million: 3,000 units,
    /// 5,000 accounts, 20,000 inspections, 200,000 problems, 2,000,000 progress reports and
    /// 300,000 clues. Small sets keep enough units and accounts to be shaped like the large.
    pub fn for_tasks(tasks: usize) -> Counts {
        let f = tasks as f64 / 1_000_000.0;
        let scale = |n: f64, min: usize| ((n * f).round() as usize).max(min);
        let units = scale(3_000.0, 40);
        Counts {
            units,
            users: scale(5_000.0, 0).max(units + 40),
            inspections: scale(20_000.0, 30),
            problems: scale(200_000.0, 60),
            tasks,
            progress: scale(2_000_000.0, 0),
            clues: scale(300_000.0, 30),
        }
    }
}

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub seed: u64,
    pub counts: Counts,
    /// The date the data set is "now" (Asia/Shanghai): nothing happens on or after it, and
    /// the deadline colours of the tasks are as of it.
    pub today: jiff::civil::Date,
    /// The Argon2id hash every generated account gets. One hash of the shared bench password
    /// is computed once and reused: hashing thousands of passwords would take minutes and
    /// prove nothing.
    pub password_hash: String,
}

/// What the generator reports as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// Organisation, accounts and planning: done.
    Setup,
    /// Inspections done so far, of the total.
    Inspections(u64, u64),
    /// Audit records written so far, of the total.
    Audit(u64, u64),
}

/// What was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    pub units: u64,
    pub users: u64,
    pub inspections: u64,
    pub problems: u64,
    pub tasks: u64,
    pub progress: u64,
    pub clues: u64,
    pub verifications: u64,
    pub followups: u64,
    pub accountability: u64,
    pub mechanisms: u64,
    pub change_requests: u64,
    pub audit: u64,
    pub rows: u64,
}

/// The password every generated account has.
pub const BENCH_PASSWORD: &str = "Bench-Password-1";

/// Fills an empty database. Refuses one that already holds units or accounts.
pub async fn generate(
    db: &Db,
    opts: &GenerateOptions,
    progress: &mut dyn FnMut(Step),
) -> Result<Generated> {
    let existing: i64 = sqlx::query_scalar(
        "SELECT CAST((SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM users) AS BIGINT)",
    )
    .fetch_one(&db.pool)
    .await
    .map_err(crate::db_err)?;
    if existing > 0 {
        return Err(CoreError::RuleRefused(
            "generate fills an empty database only: this one already has units or accounts".into(),
        ));
    }
    // The records are chained under the hash the (empty) chain was set up with.
    let alg = {
        use xunshi_core::store::{ReadTx, Store};
        db.read().await?.audit_head().await?.alg
    };
    let mut g = Gen::new(db, opts)?;
    g.setup().await?;
    progress(Step::Setup);
    let total = g.insps.len() as u64;
    for i in 0..g.insps.len() {
        g.inspection(i).await?;
        if i % 50 == 49 || i + 1 == g.insps.len() {
            progress(Step::Inspections(i as u64 + 1, total));
        }
    }
    g.bulk.flush().await?;
    let sink = g.sink.take().expect("the sink is drained once");
    let audit_total = sink.count;
    g.made.audit = audit_total;
    sink.drain(&mut g.bulk, g.t.audit, alg, &mut |n| {
        progress(Step::Audit(n, audit_total))
    })
    .await?;
    // The day each archived inspection went into the archive (migration 0037): its last move.
    g.bulk
        .execute(sqlx::query(
            "INSERT INTO archived_inspections (inspection_id, archived_on)
             SELECT id, substr(updated_at, 1, 10) FROM inspections WHERE stage = 'archived'",
        ))
        .await?;
    g.bulk.finish().await?;
    g.made.rows = g.bulk.written;
    // The ledger's tallies (migration 0011), counted from the rows as of today under the
    // warning period in force, as the store keeps them.
    let mut tx = xunshi_core::store::Store::write(db).await?;
    let warn = xunshi_core::service::rectification_warn_days(&mut tx).await?;
    tx.rebuild_tally(opts.today, warn).await?;
    // The running clocks (migration 0017), likewise derived from the rows.
    tx.refresh_clocks(None).await?;
    // The ledger's text index (migration 0040), likewise.
    tx.rebuild_task_text().await?;
    xunshi_core::store::WriteTx::commit(tx).await?;
    // The planner's statistics of the loaded tables, as a deployment's database has them.
    db.analyse().await?;
    Ok(g.made)
}

// ---------------------------------------------------------------------------------------------
// Names and words

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "覃", "韦", "蒙", "莫", "黎",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "建", "文", "辉", "力", "斌",
    "宇", "浩", "凯", "鹏", "晓", "海", "燕", "雪", "林", "波", "宁", "峰", "俊", "琳", "婷", "欣",
    "志", "立", "振", "国", "春", "东", "荣", "新", "德", "庆", "清", "远",
];
const CITIES: &[&str] = &[
    "青山", "云岭", "江源", "白沙", "梧桐", "南岗", "北湖", "东川", "西林", "金城", "玉泉", "长宁",
    "安平", "临江", "松岭", "桂阳",
];
const COUNTY_PARTS: &[&str] = &[
    "溪", "河", "山", "川", "平", "安", "宁", "丰", "阳", "兴", "和", "泉", "城", "源", "林", "江",
];
const PROVINCIAL_DEPARTMENTS: &[&str] = &[
    "省委宣传部",
    "省委统战部",
    "省委政法委",
    "省发展改革委",
    "省教育厅",
    "省科技厅",
    "省工业和信息化厅",
    "省公安厅",
    "省民政厅",
    "省司法厅",
    "省财政厅",
    "省人力资源社会保障厅",
    "省自然资源厅",
    "省生态环境厅",
    "省住房城乡建设厅",
    "省交通运输厅",
    "省水利厅",
    "省农业农村厅",
    "省商务厅",
    "省文化和旅游厅",
    "省卫生健康委",
    "省退役军人事务厅",
    "省应急管理厅",
    "省审计厅",
    "省国资委",
    "省市场监管局",
    "省统计局",
    "省医保局",
    "省林业局",
    "省信访局",
    "省体育局",
    "省广播电视局",
    "省机关事务管理局",
    "省粮食和储备局",
    "省能源局",
    "省药监局",
    "省知识产权局",
    "省地方金融监管局",
    "省乡村振兴局",
    "省大数据发展局",
];
const LOCAL_DEPARTMENTS: &[&str] = &[
    "组织部",
    "宣传部",
    "统战部",
    "政法委",
    "发展改革委",
    "教育局",
    "科技局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源社会保障局",
    "自然资源局",
    "生态环境局",
    "住房城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电旅游局",
    "卫生健康委",
    "应急管理局",
    "审计局",
    "国资委",
    "市场监管局",
    "统计局",
    "医保局",
    "林业局",
    "信访局",
];
const AFFILIATED: &[&str] = &[
    "事务中心",
    "研究院",
    "服务中心",
    "监测中心",
    "发展中心",
    "信息中心",
    "培训中心",
    "管理中心",
];
const ENTERPRISES: &[&str] = &[
    "大学",
    "师范大学",
    "医科大学",
    "理工大学",
    "投资集团",
    "交通投资集团",
    "农村信用社联合社",
    "建设集团",
    "水务集团",
    "能源集团",
    "港务集团",
    "旅游集团",
];
const ISSUES: &[&str] = &[
    "贯彻落实党中央决策部署不够有力",
    "落实意识形态工作责任制存在薄弱环节",
    "全面从严治党主体责任压得不实",
    "监督责任落实不到位",
    "选人用人工作不够规范",
    "基层党组织建设存在短板",
    "形式主义、官僚主义问题仍然存在",
    "违反中央八项规定精神问题时有发生",
    "重点领域廉洁风险防控不力",
    "上轮巡视整改不到位",
    "财务管理不规范",
    "工程项目管理存在漏洞",
    "干部队伍建设统筹不够",
    "民主集中制执行不严格",
    "“三重一大”决策制度落实不到位",
    "政府采购管理不规范",
    "公务用车管理不严",
    "审计发现问题整改不彻底",
];
const MEASURES: &[&str] = &[
    "召开专题会议研究部署，逐项制定整改措施",
    "修订完善相关制度，堵塞管理漏洞",
    "开展专项检查，全面排查问题线索",
    "组织专题学习培训，提高思想认识",
    "建立问题清单、任务清单、责任清单，逐项销号",
    "对相关责任人进行谈话提醒，督促立行立改",
    "完善内部监督机制，加强日常监督检查",
    "清理规范历史遗留问题，建立长效机制",
];
const DEPTS: &[&str] = &[
    "办公室",
    "组织人事处",
    "财务处",
    "机关党委",
    "规划发展处",
    "法规处",
    "审计处",
    "纪检监察组",
];

fn person(rng: &mut Rng) -> String {
    let s = rng.pick(SURNAMES);
    if rng.chance(0.4) {
        format!("{s}{}", rng.pick(GIVEN))
    } else {
        format!("{s}{}{}", rng.pick(GIVEN), rng.pick(GIVEN))
    }
}

// ---------------------------------------------------------------------------------------------
// The world in memory: small (units, accounts, the plan of every inspection); everything per
// inspection is made and written one inspection at a time.

struct UnitRec {
    id: Id,
    name: String,
    /// Principal leader's name, for plans and feedback meetings.
    head: String,
}

struct UserRec {
    id: Id,
    username: String,
    display_name: String,
}

impl UserRec {
    fn who(&self) -> Who {
        Who {
            id: Some(self.id),
            username: self.username.clone(),
        }
    }

    fn sig(&self, at: i64) -> Signature {
        Signature {
            by: Some(self.id),
            name: self.display_name.clone(),
            at: stamp(at),
        }
    }
}

/// One inspection's plan: its round, targets and the days its stages moved.
struct InspPlan {
    round: usize,
    targets: Vec<usize>,
    kind: InspectionKind,
    team_no: usize,
    created: i64,
    planned_entry: i64,
    planned_exit: i64,
    /// Days of the moves that happened before today, in order: preparation, on site,
    /// reporting, feedback given, rectification, archived.
    moves: Vec<i64>,
    problems: usize,
    clues: usize,
}

impl InspPlan {
    fn stage(&self) -> Stage {
        [
            Stage::Planning,
            Stage::Preparation,
            Stage::OnSite,
            Stage::Reporting,
            Stage::FeedbackGiven,
            Stage::Rectification,
            Stage::Archived,
        ][self.moves.len()]
    }
}

struct RoundRec {
    id: Id,
    entry: i64,
}

struct Tables {
    units: T,
    users: T,
    grants: T,
    inspectors: T,
    terms: T,
    plans: T,
    rounds: T,
    inspections: T,
    targets: T,
    team: T,
    problems: T,
    feedbacks: T,
    transfers: T,
    clues: T,
    rect_plans: T,
    reviews: T,
    tasks: T,
    progress: T,
    verifications: T,
    followups: T,
    accountability: T,
    mechanisms: T,
    mechanism_tasks: T,
    audit: T,
}

struct Gen<'a> {
    opts: &'a GenerateOptions,
    rng: Rng,
    bulk: Bulk,
    sink: Option<AuditSink>,
    t: Tables,
    today: i64,
    /// Nothing happens at or after this moment: midnight starting `today` in Asia/Shanghai.
    cutoff: i64,
    system: Who,
    units: Vec<UnitRec>,
    users: Vec<UserRec>,
    office: Vec<usize>,
    leaders: Vec<usize>,
    discipline: Vec<usize>,
    organization: Vec<usize>,
    /// Inspectors: (account, inspector id).
    inspectors: Vec<(usize, Id, String)>,
    /// The liaison (and, where there are enough accounts, the principal and a staff member) of
    /// each unit.
    contacts: Vec<Vec<usize>>,
    /// Units that may be inspected (not the committee itself, not the inspection office).
    inspectable: Vec<usize>,
    /// The unit of the bench liaison: in the first inspection of every round.
    bench_unit: usize,
    /// Functional departments clues of other matters go to.
    clue_departments: Vec<usize>,
    rounds: Vec<RoundRec>,
    insps: Vec<InspPlan>,
    categories: Vec<Category>,
    /// Running allocation of tasks and progress reports, so totals come out as asked.
    task_quota: Quota,
    progress_quota: Quota,
    warn_days: i64,
    letter_no: u64,
    /// A task's progress reports and verifications wait until the task itself is written.
    pending_progress: Vec<[V; 7]>,
    pending_verifications: Vec<[V; 8]>,
    made: Generated,
}

/// Spreads `total` over `n` draws with some variety and an exact sum: each draw is the
/// expected share so far, plus noise, minus what was already given.
struct Quota {
    total: u64,
    n: u64,
    done: u64,
    given: u64,
}

impl Quota {
    fn new(total: u64, n: u64) -> Self {
        Quota {
            total,
            n: n.max(1),
            done: 0,
            given: 0,
        }
    }

    fn draw(&mut self, rng: &mut Rng, min: u64, spread: f64) -> u64 {
        self.done += 1;
        let due = (self.total as u128 * self.done as u128 / self.n as u128) as u64;
        if self.done >= self.n {
            let k = due.saturating_sub(self.given).max(min);
            self.given += k;
            return k;
        }
        let mean = self.total as f64 / self.n as f64;
        let noise = (rng.below(1001) as f64 / 1000.0 - 0.5) * 2.0 * spread * mean;
        let want = due as f64 - self.given as f64 + noise;
        let k = (want.round().max(0.0) as u64).max(min);
        self.given += k;
        k
    }
}

const ROLE_STAFF_FRACTIONS: [(Role, f64, usize); 4] = [
    (Role::Office, 0.004, 3),
    (Role::Leadership, 0.002, 2),
    (Role::Discipline, 0.006, 2),
    (Role::Organization, 0.004, 2),
];

impl<'a> Gen<'a> {
    fn new(db: &Db, opts: &'a GenerateOptions) -> Result<Self> {
        let today = day_of_date(opts.today);
        let cutoff = today * DAY - 8 * 3_600_000_000;
        let start = day_of(2018, 6, 1) * DAY;
        let mut bulk = Bulk::new(db);
        let t = Tables {
            units: bulk.table(
                "units",
                "id, name, kind, level, parent_id, withdrawn, version, created_at, updated_at",
            ),
            users: bulk.table(
                "users",
                "id, username, display_name, unit_id, password_hash, password_changed_at, \
                 disabled, must_change_password, failed_logins, locked_until, version, created_at, updated_at",
            ),
            grants: bulk.table(
                "grants",
                "id, user_id, role, scope_kind, scope_id, granted_by, created_at",
            ),
            inspectors: bulk.table(
                "inspectors",
                "id, name, user_id, unit_id, post, specialty, locality, withdrawn, withdraw_reason, \
                 version, created_at, updated_at",
            ),
            terms: bulk.table(
                "terms",
                "id, name, dispatcher_id, starts_on, ends_on, version",
            ),
            plans: bulk.table("annual_plans", "id, term_id, year, title, notes, version"),
            rounds: bulk.table(
                "rounds",
                "id, plan_id, term_id, year, number, name, version",
            ),
            inspections: bulk.table(
                "inspections",
                "id, round_id, dispatcher_id, team_name, kind, elevated, cross_locality, linked, \
                 look_back_of, stage, planned_entry, planned_exit, entry_on, exit_on, \
                 reported_to_group, reported_to_committee, feedback_on, version, created_at, updated_at",
            ),
            targets: bulk.table("inspection_targets", "inspection_id, unit_id, position"),
            team: bulk.table(
                "team_members",
                "id, inspection_id, inspector_id, role, conflicts, override_reason, appointed_by, \
                 appointed_at, grant_id, withdrawn_at, withdraw_reason, version",
            ),
            problems: bulk.table(
                "problems",
                "id, inspection_id, seq, target_unit_id, taxonomy_version_id, category_id, title, \
                 facts, rule_broken, responsibility, responsibility_types, severity, status, \
                 created_by, created_by_name, created_at, approved_by, approved_by_name, approved_at, \
                 signed_by, signed_by_name, signed_at, status_note, version, updated_at",
            ),
            feedbacks: bulk.table(
                "feedbacks",
                "inspection_id, status, assessment, problem_groups, recommendations, demands, \
                 deadline, meeting_date, delivered_by, delivered_to, presided_by, saved_by, \
                 saved_by_name, saved_at, given_by, given_by_name, given_at, version",
            ),
            transfers: bulk.table(
                "clue_transfers",
                "id, inspection_id, recipient_kind, recipient_unit_id, letter_no, letter_text, \
                 transferred_on, due_on, created_by, created_at",
            ),
            clues: bulk.table(
                "clues",
                "id, inspection_id, about_name, about_post, about_unit_id, summary, source, \
                 confidentiality, kind, status, transfer_id, disposal_method, disposal_result, \
                 disposal_decided_on, disposal_recorded_by, disposal_recorded_at, created_by, \
                 created_at, updated_at, version, due_on",
            ),
            rect_plans: bulk.table(
                "rectification_plans",
                "id, inspection_id, unit_id, title, organisation, leading_group, status, \
                 submitted_at, approved_at, version",
            ),
            reviews: bulk.table(
                "plan_reviews",
                "id, plan_id, approved, comment, by_name, at",
            ),
            tasks: bulk.table(
                "rectification_tasks",
                "id, plan_id, inspection_id, unit_id, problem_id, seq, measure, target, standard, \
                 responsible_leader, lead_department, co_departments, responsible_person, due_kind, \
                 due_date, status, progress, not_for_disclosure, withdrawn_reason, version, updated_at, \
                 category_id, rejections, closed_on, dispatcher_id",
            ),
            progress: bulk.table(
                "task_progress",
                "id, task_id, body, progress, claims_done, by_name, at",
            ),
            verifications: bulk.table(
                "task_verifications",
                "id, task_id, closed, defect, reason, by_name, at, progress",
            ),
            followups: bulk.table(
                "followups",
                "id, inspection_id, unit_id, task_id, kind, doc_no, content, issued_on, answer_due, \
                 issued_by, issued_by_id, answer, answered_on, answered_by, answered_by_id, version",
            ),
            accountability: bulk.table(
                "accountability",
                "id, inspection_id, unit_id, task_id, problem_id, person, post, form, measure, \
                 deciding_body, decided_on, recorded_by, recorded_at, version",
            ),
            mechanisms: bulk.table(
                "mechanisms",
                "id, inspection_id, unit_id, title, is_new, doc_no, issued_on, recorded_by, \
                 recorded_at, version",
            ),
            mechanism_tasks: bulk.table("mechanism_tasks", "mechanism_id, task_id, position"),
            audit: bulk.table(
                "audit_log",
                "id, seq, at, actor_id, actor_name, action, object_type, object_id, ip, summary, \
                 prev_hash, hash",
            ),
        };
        Ok(Gen {
            opts,
            rng: Rng::new(opts.seed),
            bulk,
            sink: Some(AuditSink::new(start, cutoff)?),
            t,
            today,
            cutoff,
            system: Who {
                id: None,
                username: "system".into(),
            },
            units: Vec::new(),
            users: Vec::new(),
            office: Vec::new(),
            leaders: Vec::new(),
            discipline: Vec::new(),
            organization: Vec::new(),
            inspectors: Vec::new(),
            contacts: Vec::new(),
            inspectable: Vec::new(),
            bench_unit: 0,
            clue_departments: Vec::new(),
            rounds: Vec::new(),
            insps: Vec::new(),
            categories: categories(),
            task_quota: Quota::new(0, 1),
            progress_quota: Quota::new(0, 1),
            warn_days: 7,
            letter_no: 0,
            pending_progress: Vec::new(),
            pending_verifications: Vec::new(),
            made: Generated::default(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn audit(
        &mut self,
        at: i64,
        who: &Who,
        action: Action,
        object_type: &str,
        object_id: Option<Id>,
        summary: serde_json::Value,
    ) -> Result<()> {
        let id = self.rng.id_at(at);
        self.sink
            .as_mut()
            .expect("events are staged before the drain")
            .event(at, id, who, action, object_type, object_id, summary)
    }

    // -----------------------------------------------------------------------------------------
    // The organisation, the accounts and the plan of every inspection

    async fn setup(&mut self) -> Result<()> {
        self.make_units().await?;
        self.make_users().await?;
        self.make_planning().await?;
        self.plan_inspections();
        Ok(())
    }

    async fn unit(
        &mut self,
        name: String,
        kind: UnitKind,
        level: UnitLevel,
        parent: Option<usize>,
        day: i64,
    ) -> Result<usize> {
        let at = self.rng.office_hours(day);
        let u = Unit {
            id: self.rng.id_at(at),
            name: name.clone(),
            kind,
            level,
            parent_id: parent.map(|p| self.units[p].id),
            withdrawn: false,
            version: 1,
            created_at: stamp(at),
            updated_at: stamp(at),
        };
        self.bulk
            .push(
                self.t.units,
                [
                    V::from(u.id.to_string()),
                    V::from(u.name.clone()),
                    V::from(u.kind.as_str()),
                    V::from(u.level.as_str()),
                    V::from(u.parent_id.map(|p| p.to_string())),
                    V::from(0i16),
                    V::from(u.version),
                    V::from(time_text(at)),
                    V::from(time_text(at)),
                ],
            )
            .await?;
        let system = self.system.clone();
        self.audit(
            at,
            &system,
            Action::UnitCreated,
            "unit",
            Some(u.id),
            json!({ "after": u }),
        )?;
        let head = person(&mut self.rng);
        self.units.push(UnitRec {
            id: u.id,
            name,
            head,
        });
        self.made.units += 1;
        Ok(self.units.len() - 1)
    }

    /// A province: the committee, its inspection office, provincial departments with their
    /// affiliated units, enterprises and universities, and cities with their departments and
    /// counties (with theirs).
    async fn make_units(&mut self) -> Result<()> {
        let n = self.opts.counts.units.max(8);
        let day0 = day_of(2018, 7, 2);
        let root = self
            .unit(
                "某省委".into(),
                UnitKind::Committee,
                UnitLevel::Provincial,
                None,
                day0,
            )
            .await?;
        let office = self
            .unit(
                "省委巡视工作领导小组办公室".into(),
                UnitKind::Department,
                UnitLevel::Provincial,
                Some(root),
                day0,
            )
            .await?;
        let _ = office;
        let frac = |f: f64, min: usize| ((n as f64 * f) as usize).max(min);
        let n_dept = frac(0.012, 3).min(PROVINCIAL_DEPARTMENTS.len());
        let n_city = frac(0.005, 1).min(CITIES.len());
        let n_ent = frac(0.01, 1);
        let mut depts = Vec::new();
        for d in PROVINCIAL_DEPARTMENTS.iter().take(n_dept) {
            let u = self
                .unit(
                    (*d).into(),
                    UnitKind::Department,
                    UnitLevel::Provincial,
                    Some(root),
                    day0,
                )
                .await?;
            depts.push(u);
        }
        // The bench liaison's unit: the first provincial department, inspected every round.
        self.bench_unit = depts[0];
        self.clue_departments = depts.iter().rev().take(3).copied().collect();
        let mut cities = Vec::new();
        for c in CITIES.iter().take(n_city) {
            let u = self
                .unit(
                    format!("{c}市委"),
                    UnitKind::LowerCommittee,
                    UnitLevel::City,
                    Some(root),
                    day0,
                )
                .await?;
            cities.push(u);
        }
        for e in 0..n_ent {
            let name = format!(
                "{}{}",
                CITIES[e % CITIES.len()],
                ENTERPRISES[e % ENTERPRISES.len()]
            );
            let name = if e >= CITIES.len() * ENTERPRISES.len() / 2 {
                format!("{name}{}", e)
            } else {
                name
            };
            self.unit(
                name,
                UnitKind::Affiliated,
                UnitLevel::EnterpriseUniversity,
                Some(root),
                day0,
            )
            .await?;
        }
        // The rest: affiliated units of the departments, city departments, counties and their
        // departments, in the proportions of a real province.
        let remaining = n.saturating_sub(self.units.len());
        let n_aff = remaining * 8 / 100;
        let n_city_dept = remaining * 27 / 100;
        let n_county = (remaining * 6 / 100).max(cities.len());
        for a in 0..n_aff {
            let parent = depts[a % depts.len()];
            let name = format!(
                "{}{}{}",
                self.units[parent].name,
                AFFILIATED[(a / depts.len()) % AFFILIATED.len()],
                suffix(a / (depts.len() * AFFILIATED.len()))
            );
            self.unit(
                name,
                UnitKind::Affiliated,
                UnitLevel::Provincial,
                Some(parent),
                day0,
            )
            .await?;
        }
        for a in 0..n_city_dept {
            let city = cities[a % cities.len()];
            let name = format!(
                "{}{}{}",
                CITIES[a % cities.len()],
                if a / cities.len() < LOCAL_DEPARTMENTS.len() {
                    "市"
                } else {
                    "市直"
                },
                format_args!(
                    "{}{}",
                    LOCAL_DEPARTMENTS[(a / cities.len()) % LOCAL_DEPARTMENTS.len()],
                    suffix(a / (cities.len() * LOCAL_DEPARTMENTS.len()))
                )
            );
            self.unit(
                name,
                UnitKind::Department,
                UnitLevel::City,
                Some(city),
                day0,
            )
            .await?;
        }
        let mut counties = Vec::new();
        for k in 0..n_county {
            let c = k % cities.len();
            let j = k / cities.len();
            let name = format!(
                "{}市{}{}县委",
                CITIES[c],
                COUNTY_PARTS[j % COUNTY_PARTS.len()],
                COUNTY_PARTS[(j / COUNTY_PARTS.len() + c) % COUNTY_PARTS.len()]
            );
            let name = if j >= COUNTY_PARTS.len() * COUNTY_PARTS.len() / 2 {
                format!("{name}{k}")
            } else {
                name
            };
            let u = self
                .unit(
                    name,
                    UnitKind::LowerCommittee,
                    UnitLevel::County,
                    Some(cities[c]),
                    day0,
                )
                .await?;
            counties.push(u);
        }
        let mut k = 0;
        while self.units.len() < n {
            let county = counties[k % counties.len()];
            let base = self.units[county].name.trim_end_matches('委').to_owned();
            let name = format!(
                "{base}{}{}",
                LOCAL_DEPARTMENTS[(k / counties.len()) % LOCAL_DEPARTMENTS.len()],
                suffix(k / (counties.len() * LOCAL_DEPARTMENTS.len()))
            );
            self.unit(
                name,
                UnitKind::Department,
                UnitLevel::County,
                Some(county),
                day0,
            )
            .await?;
            k += 1;
        }
        // Everything but the committee and its inspection office may be inspected.
        self.inspectable = (2..self.units.len()).collect();
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn user(
        &mut self,
        username: String,
        display_name: String,
        unit: Option<usize>,
        role: Role,
        scope: Scope,
        day: i64,
    ) -> Result<usize> {
        let at = self.rng.office_hours(day);
        let u = User {
            id: self.rng.id_at(at),
            username: username.clone(),
            display_name: display_name.clone(),
            unit_id: unit.map(|i| self.units[i].id),
            disabled: false,
            must_change_password: false,
            failed_logins: 0,
            locked_until: None,
            version: 1,
            created_at: stamp(at),
            updated_at: stamp(at),
        };
        self.bulk
            .push(
                self.t.users,
                [
                    V::from(u.id.to_string()),
                    V::from(u.username.clone()),
                    V::from(u.display_name.clone()),
                    V::from(u.unit_id.map(|i| i.to_string())),
                    V::from(self.opts.password_hash.clone()),
                    V::from(time_text(at)),
                    V::from(0i16),
                    V::from(0i16),
                    V::from(0i64),
                    V::from(None::<String>),
                    V::from(1i64),
                    V::from(time_text(at)),
                    V::from(time_text(at)),
                ],
            )
            .await?;
        let system = self.system.clone();
        self.audit(
            at,
            &system,
            Action::UserCreated,
            "user",
            Some(u.id),
            json!({ "after": u }),
        )?;
        self.users.push(UserRec {
            id: u.id,
            username,
            display_name,
        });
        let idx = self.users.len() - 1;
        self.grant(idx, role, scope, at, &system).await?;
        self.made.users += 1;
        Ok(idx)
    }

    async fn grant(
        &mut self,
        user: usize,
        role: Role,
        scope: Scope,
        at: i64,
        by: &Who,
    ) -> Result<Id> {
        let g = Grant {
            id: self.rng.id_at(at),
            user_id: self.users[user].id,
            role,
            scope,
            granted_by: by.id,
            created_at: stamp(at),
        };
        self.bulk
            .push(
                self.t.grants,
                [
                    V::from(g.id.to_string()),
                    V::from(g.user_id.to_string()),
                    V::from(g.role.as_str()),
                    V::from(g.scope.kind_str()),
                    V::from(g.scope.id().map(|i| i.to_string())),
                    V::from(g.granted_by.map(|i| i.to_string())),
                    V::from(time_text(at)),
                ],
            )
            .await?;
        let username = self.users[user].username.clone();
        self.audit(
            at,
            by,
            Action::GrantAdded,
            "grant",
            Some(g.id),
            json!({ "user": username, "role": role, "scope": scope }),
        )?;
        Ok(g.id)
    }

    async fn make_users(&mut self) -> Result<()> {
        let n = self.opts.counts.users.max(self.units.len() + 20);
        let day = day_of(2018, 8, 1);
        let office_unit = Some(1);
        let rng_name = |g: &mut Self| person(&mut g.rng);
        // The fixed accounts the benchmark logs in with.
        let bu = self.bench_unit;
        let fixed: [(&str, Role, Option<usize>, Scope); 6] = [
            ("bench.admin", Role::Admin, office_unit, Scope::Global),
            ("bench.office", Role::Office, office_unit, Scope::Global),
            ("bench.leader", Role::Leadership, Some(0), Scope::Global),
            ("bench.discipline", Role::Discipline, None, Scope::Global),
            (
                "bench.organization",
                Role::Organization,
                None,
                Scope::Global,
            ),
            (
                "bench.liaison",
                Role::UnitLiaison,
                Some(bu),
                Scope::Unit(self.units[bu].id),
            ),
        ];
        let mut bench_liaison = 0;
        for (name, role, unit, scope) in fixed {
            let display = rng_name(self);
            let i = self
                .user(name.into(), display, unit, role, scope, day)
                .await?;
            match role {
                Role::Office => self.office.push(i),
                Role::Leadership => self.leaders.push(i),
                Role::Discipline => self.discipline.push(i),
                Role::Organization => self.organization.push(i),
                Role::UnitLiaison => bench_liaison = i,
                _ => {}
            }
        }
        for (role, f, min) in ROLE_STAFF_FRACTIONS {
            let k = ((n as f64 * f) as usize).max(min);
            for j in 0..k {
                let display = rng_name(self);
                let (prefix, unit) = match role {
                    Role::Office => ("office", office_unit),
                    Role::Leadership => ("leader", Some(0)),
                    Role::Discipline => ("discipline", None),
                    _ => ("organization", None),
                };
                let i = self
                    .user(
                        format!("{prefix}.{j:03}"),
                        display,
                        unit,
                        role,
                        Scope::Global,
                        day,
                    )
                    .await?;
                match role {
                    Role::Office => self.office.push(i),
                    Role::Leadership => self.leaders.push(i),
                    Role::Discipline => self.discipline.push(i),
                    _ => self.organization.push(i),
                }
            }
        }
        // The pool of inspectors: each has an account that team appointments open inspections to.
        let used = self.users.len();
        let n_insp =
            ((n as f64 * 0.24) as usize).clamp(6, n.saturating_sub(used + self.units.len()).max(6));
        for j in 0..n_insp {
            let name = rng_name(self);
            let at = self.rng.office_hours(day + 1);
            let uid = self.rng.id_at(at);
            let u = User {
                id: uid,
                username: format!("inspector.{j:04}"),
                display_name: name.clone(),
                unit_id: office_unit.map(|i| self.units[i].id),
                disabled: false,
                must_change_password: false,
                failed_logins: 0,
                locked_until: None,
                version: 1,
                created_at: stamp(at),
                updated_at: stamp(at),
            };
            self.push_user(&u, at).await?;
            let x = Inspector {
                id: self.rng.id_at(at + 1_000),
                name: name.clone(),
                user_id: Some(uid),
                unit_id: self.units[1].id,
                post: [
                    "巡视专员",
                    "副巡视专员",
                    "一级调研员",
                    "二级调研员",
                    "主任科员",
                ][j % 5]
                    .into(),
                specialty: ["财务审计", "干部工作", "纪检监察", "法律", "综合"][j % 5].into(),
                locality: String::new(),
                past_posts: Vec::new(),
                relatives: Vec::new(),
                withdrawn: false,
                withdraw_reason: None,
                version: 1,
                created_at: stamp(at + 1_000),
                updated_at: stamp(at + 1_000),
            };
            self.bulk
                .push(
                    self.t.inspectors,
                    [
                        V::from(x.id.to_string()),
                        V::from(x.name.clone()),
                        V::from(Some(uid.to_string())),
                        V::from(x.unit_id.to_string()),
                        V::from(x.post.clone()),
                        V::from(x.specialty.clone()),
                        V::from(x.locality.clone()),
                        V::from(0i16),
                        V::from(None::<String>),
                        V::from(1i64),
                        V::from(time_text(at + 1_000)),
                        V::from(time_text(at + 1_000)),
                    ],
                )
                .await?;
            let system = self.system.clone();
            self.audit(
                at + 1_000,
                &system,
                Action::InspectorCreated,
                "inspector",
                Some(x.id),
                json!({ "after": x }),
            )?;
            self.inspectors.push((self.users.len() - 1, x.id, name));
        }
        // Every inspectable unit gets its liaison; the rest of the accounts are principals and
        // staff of the units most inspected.
        self.contacts = (0..self.units.len()).map(|_| Vec::new()).collect();
        self.contacts[bu].push(bench_liaison);
        let units: Vec<usize> = self.inspectable.clone();
        let mut pass = 0;
        'fill: loop {
            for &u in &units {
                if self.users.len() >= n {
                    break 'fill;
                }
                if pass == 0 && u == bu {
                    continue;
                }
                let (role, prefix) = match self.contacts[u].len() {
                    0 => (Role::UnitLiaison, "liaison"),
                    1 => (Role::UnitPrincipal, "principal"),
                    _ => (Role::UnitStaff, "staff"),
                };
                let display = rng_name(self);
                let scope = Scope::Unit(self.units[u].id);
                let i = self
                    .user(
                        format!("{prefix}.u{u:05}.{pass}"),
                        display,
                        Some(u),
                        role,
                        scope,
                        day + 2,
                    )
                    .await?;
                self.contacts[u].push(i);
            }
            pass += 1;
            if pass > 8 {
                break;
            }
        }
        Ok(())
    }

    async fn push_user(&mut self, u: &User, at: i64) -> Result<()> {
        self.bulk
            .push(
                self.t.users,
                [
                    V::from(u.id.to_string()),
                    V::from(u.username.clone()),
                    V::from(u.display_name.clone()),
                    V::from(u.unit_id.map(|i| i.to_string())),
                    V::from(self.opts.password_hash.clone()),
                    V::from(time_text(at)),
                    V::from(0i16),
                    V::from(0i16),
                    V::from(0i64),
                    V::from(None::<String>),
                    V::from(1i64),
                    V::from(time_text(at)),
                    V::from(time_text(at)),
                ],
            )
            .await?;
        let system = self.system.clone();
        self.audit(
            at,
            &system,
            Action::UserCreated,
            "user",
            Some(u.id),
            json!({ "after": u }),
        )?;
        self.users.push(UserRec {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
        });
        self.made.users += 1;
        Ok(())
    }

    /// Two terms of the committee, a plan a year from 2019, three rounds a year (five in
    /// 2026: one reporting, one on site, the last still being prepared).
    async fn make_planning(&mut self) -> Result<()> {
        let office = self.users[self.office[0]].who();
        let root = self.units[0].id;
        let terms = [
            (
                "第十一届省委",
                day_of(2017, 6, 1),
                Some(day_of(2021, 11, 30)),
            ),
            ("第十二届省委", day_of(2021, 12, 1), None),
        ];
        let mut term_ids = Vec::new();
        for (name, starts, ends) in terms {
            let at = self.rng.office_hours(day_of(2018, 9, 3).max(starts));
            let term = Term {
                id: self.rng.id_at(at),
                name: name.into(),
                dispatcher_id: root,
                starts_on: date(starts),
                ends_on: ends.map(date),
                version: 1,
            };
            self.bulk
                .push(
                    self.t.terms,
                    [
                        V::from(term.id.to_string()),
                        V::from(term.name.clone()),
                        V::from(root.to_string()),
                        V::from(term.starts_on.to_string()),
                        V::from(term.ends_on.map(|d| d.to_string())),
                        V::from(1i64),
                    ],
                )
                .await?;
            self.audit(
                at,
                &office,
                Action::TermCreated,
                "term",
                Some(term.id),
                json!({ "after": term }),
            )?;
            term_ids.push(term.id);
        }
        let mut number = [0i16; 2];
        for year in 2019..=2026i64 {
            let term = usize::from(year >= 2022);
            let at = self.rng.office_hours(day_of(year - 1, 12, 10));
            let plan = AnnualPlan {
                id: self.rng.id_at(at),
                term_id: term_ids[term],
                year: year as i16,
                title: format!("{year}年度巡视工作计划"),
                notes: String::new(),
                version: 1,
            };
            self.bulk
                .push(
                    self.t.plans,
                    [
                        V::from(plan.id.to_string()),
                        V::from(plan.term_id.to_string()),
                        V::from(plan.year),
                        V::from(plan.title.clone()),
                        V::from(String::new()),
                        V::from(1i64),
                    ],
                )
                .await?;
            self.audit(
                at,
                &office,
                Action::PlanCreated,
                "plan",
                Some(plan.id),
                json!({ "after": plan }),
            )?;
            let entries: &[(i64, i64)] = if year == 2026 {
                &[(3, 5), (6, 10), (8, 20), (10, 10), (12, 21)]
            } else {
                &[(3, 5), (6, 10), (9, 20)]
            };
            for &(m, d) in entries {
                number[term] += 1;
                let at = self.rng.office_hours(day_of(year - 1, 12, 15));
                let round = Round {
                    id: self.rng.id_at(at),
                    plan_id: plan.id,
                    term_id: plan.term_id,
                    year: year as i16,
                    number: number[term],
                    name: format!("{}第{}轮巡视", terms[term].0, number[term]),
                    version: 1,
                };
                self.bulk
                    .push(
                        self.t.rounds,
                        [
                            V::from(round.id.to_string()),
                            V::from(round.plan_id.to_string()),
                            V::from(round.term_id.to_string()),
                            V::from(round.year),
                            V::from(round.number),
                            V::from(round.name.clone()),
                            V::from(1i64),
                        ],
                    )
                    .await?;
                self.audit(
                    at,
                    &office,
                    Action::RoundCreated,
                    "round",
                    Some(round.id),
                    json!({ "after": round }),
                )?;
                self.rounds.push(RoundRec {
                    id: round.id,
                    entry: day_of(year, m, d),
                });
            }
        }
        Ok(())
    }

    /// Every inspection's round, targets and stage moves; then how many problems and clues each
    /// gets and how many tasks and reports each fed-back problem gets, so totals come out as
    /// asked.
    fn plan_inspections(&mut self) {
        let n = self.opts.counts.inspections;
        let r = self.rounds.len();
        let mut cursor = 0usize;
        for i in 0..n {
            // The last round, still being planned and prepared, has at least two inspections.
            let round_of = |i: usize| {
                if i + 2 >= n {
                    r - 1
                } else {
                    (i * r / n).min(r - 1)
                }
            };
            let round = round_of(i);
            let first_of_round = i == 0 || round_of(i - 1) != round;
            let k = match self.rng.below(10) {
                0..=5 => 1,
                6..=8 => 2,
                _ => 3,
            };
            let mut targets = Vec::new();
            if first_of_round {
                targets.push(self.bench_unit);
            }
            while targets.len() < k {
                let u = self.inspectable[cursor % self.inspectable.len()];
                cursor += 1;
                if !targets.contains(&u) && u != self.bench_unit {
                    targets.push(u);
                }
            }
            let kind = match self.rng.below(20) {
                0..=15 => InspectionKind::Routine,
                16..=17 => InspectionKind::Special,
                _ => InspectionKind::Mobile,
            };
            let entry = self.rounds[round].entry + self.rng.range(0, 10);
            let on_site = if kind == InspectionKind::Routine {
                self.rng.range(55, 80)
            } else {
                self.rng.range(25, 35)
            };
            let created = entry - self.rng.range(60, 90);
            // A round not yet entered: its first inspection is still being planned, the others
            // are being prepared.
            let prepared = if entry <= self.today {
                entry - self.rng.range(20, 35)
            } else if first_of_round {
                entry - self.rng.range(3, 12)
            } else {
                (entry - self.rng.range(18, 40)).min(self.today - 1 - self.rng.range(0, 10))
            };
            let steps = [
                prepared,                                 // preparation
                entry,                                    // on site
                entry + on_site,                          // reporting (exit)
                entry + on_site + self.rng.range(45, 75), // feedback given
                0,                                        // rectification, below
                0,                                        // archived, below
            ];
            let mut steps = steps;
            steps[4] = steps[3] + self.rng.range(2, 10);
            steps[5] = steps[3] + self.rng.range(700, 900);
            let moves: Vec<i64> = steps
                .iter()
                .copied()
                .take_while(|d| *d < self.today)
                .collect();
            self.insps.push(InspPlan {
                round,
                targets,
                kind,
                team_no: i % 15 + 1,
                created,
                planned_entry: entry,
                planned_exit: entry + on_site,
                moves,
                problems: 0,
                clues: 0,
            });
        }
        let with_papers: Vec<usize> = (0..n).filter(|&i| self.insps[i].moves.len() >= 2).collect();
        let mut pq = Quota::new(self.opts.counts.problems as u64, with_papers.len() as u64);
        let mut cq = Quota::new(self.opts.counts.clues as u64, with_papers.len() as u64);
        let mut fed_back = 0u64;
        for &i in &with_papers {
            let targets = self.insps[i].targets.len() as u64;
            let p = pq.draw(&mut self.rng, targets, 0.6) as usize;
            self.insps[i].problems = p;
            self.insps[i].clues = cq.draw(&mut self.rng, 0, 0.8) as usize;
            if self.insps[i].moves.len() >= 4 {
                fed_back += p as u64;
            }
        }
        self.task_quota = Quota::new(self.opts.counts.tasks as u64, fed_back);
        self.progress_quota = Quota::new(
            self.opts.counts.progress as u64,
            self.opts.counts.tasks as u64,
        );
    }

    // -----------------------------------------------------------------------------------------
    // One inspection's whole history

    fn team_of(&self, i: usize) -> [usize; 3] {
        let n = self.inspectors.len();
        let base = (i * 3) % n;
        [base, (base + 1) % n, (base + 2) % n]
    }

    async fn inspection(&mut self, i: usize) -> Result<()> {
        let office_i = self.office[i % self.office.len()];
        let office = self.users[office_i].who();
        let (created_day, round_i, kind, team_no) = {
            let p = &self.insps[i];
            (p.created, p.round, p.kind, p.team_no)
        };
        let targets: Vec<Id> = self.insps[i]
            .targets
            .iter()
            .map(|&u| self.units[u].id)
            .collect();
        let created = self.rng.office_hours(created_day);
        let mut insp = Inspection {
            id: self.rng.id_at(created),
            round_id: self.rounds[round_i].id,
            dispatcher_id: self.units[0].id,
            team_name: format!("第{}巡视组", cn_number(team_no)),
            target_ids: targets.clone(),
            kind,
            elevated: false,
            cross: false,
            linked: false,
            look_back_of: None,
            stage: Stage::Planning,
            dates: InspectionDates {
                planned_entry: Some(date(self.insps[i].planned_entry)),
                planned_exit: Some(date(self.insps[i].planned_exit)),
                ..Default::default()
            },
            version: 1,
            created_at: stamp(created),
            updated_at: stamp(created),
        };
        self.audit(
            created,
            &office,
            Action::InspectionCreated,
            "inspection",
            Some(insp.id),
            json!({ "after": insp }),
        )?;
        let moves = self.insps[i].moves.clone();
        let team = self.team_of(i);
        let leader = self.users[self.inspectors[team[0]].0].who();
        let leader_i = self.inspectors[team[0]].0;
        let member_i = self.inspectors[team[2]].0;
        // Rows that refer to the inspection are written after it: keep them until then.
        let mut team_rows: Vec<[V; 12]> = Vec::new();
        let mut stage_at = [0i64; 6];
        for (k, &day) in moves.iter().enumerate() {
            let to = [
                Stage::Preparation,
                Stage::OnSite,
                Stage::Reporting,
                Stage::FeedbackGiven,
                Stage::Rectification,
                Stage::Archived,
            ][k];
            let at = self.rng.office_hours(day);
            stage_at[k] = at;
            if to == Stage::Preparation {
                // The team is formed while the inspection is prepared.
                for (slot, role) in [TeamRole::Leader, TeamRole::Deputy, TeamRole::Member]
                    .into_iter()
                    .enumerate()
                {
                    let a = at + 60_000_000 * (slot as i64 + 1);
                    let (acct, inspector_id, name) = self.inspectors[team[slot]].clone();
                    let grant_id = self
                        .grant(acct, role.role(), Scope::Inspection(insp.id), a, &office)
                        .await?;
                    let m = TeamMember {
                        id: self.rng.id_at(a),
                        inspection_id: insp.id,
                        inspector_id,
                        role,
                        conflicts: Vec::new(),
                        override_reason: None,
                        appointed_by: office.id,
                        appointed_at: stamp(a),
                        grant_id: Some(grant_id),
                        withdrawn_at: None,
                        withdraw_reason: None,
                        version: 1,
                    };
                    team_rows.push([
                        V::from(m.id.to_string()),
                        V::from(insp.id.to_string()),
                        V::from(inspector_id.to_string()),
                        V::from(role.as_str()),
                        V::from("[]"),
                        V::from(None::<String>),
                        V::from(office.id.map(|i| i.to_string())),
                        V::from(time_text(a)),
                        V::from(Some(grant_id.to_string())),
                        V::from(None::<String>),
                        V::from(None::<String>),
                        V::from(1i64),
                    ]);
                    self.audit(
                        a,
                        &office,
                        Action::TeamMemberAppointed,
                        "team_member",
                        Some(m.id),
                        json!({
                            "inspection_id": insp.id,
                            "team": insp.team_name,
                            "inspector_id": inspector_id,
                            "inspector": name,
                            "role": role,
                            "conflicts": m.conflicts,
                            "override_reason": m.override_reason,
                            "grant_id": m.grant_id,
                        }),
                    )?;
                }
            }
            if k >= 3 {
                // Feedback is given through the feedback service, below, with its own
                // records; the moves after it follow it.
                continue;
            }
            let before = insp.stage;
            insp.stage = to;
            match to {
                Stage::OnSite => insp.dates.entry = Some(date(day)),
                Stage::Reporting => insp.dates.exit = Some(date(day)),
                _ => {}
            }
            insp.version += 1;
            insp.updated_at = stamp(at);
            let who = if matches!(to, Stage::OnSite | Stage::Reporting) {
                leader.clone()
            } else {
                office.clone()
            };
            self.audit(
                at,
                &who,
                Action::InspectionStageChanged,
                "inspection",
                Some(insp.id),
                json!({ "from": before, "to": to, "date": date(day).to_string() }),
            )?;
        }
        // Working papers, during the on-site weeks.
        let n_problems = self.insps[i].problems;
        let stage = self.insps[i].stage();
        let entry_day = moves.get(1).copied().unwrap_or(0);
        let exit_day = moves.get(2).copied().unwrap_or(self.today);
        let taxonomy_2020 = entry_day >= day_of(2020, 1, 1);
        let cats: Vec<Category> = self
            .categories
            .iter()
            .filter(|c| (c.version_id.to_string().ends_with("2020")) == taxonomy_2020)
            .cloned()
            .collect();
        let mut problems: Vec<Problem> = Vec::with_capacity(n_problems);
        for s in 0..n_problems {
            let day = (entry_day
                + 5
                + (s as i64 * (exit_day - entry_day - 10).max(1)) / n_problems.max(1) as i64)
                .min(self.today - 1);
            let at = self.rng.office_hours(day);
            let cat = self.rng.pick(&cats).clone();
            let unit = targets[s % targets.len()];
            let unit_name = &self.units[self.insps[i].targets[s % targets.len()]].name;
            let issue = self.rng.pick(ISSUES);
            let member = &self.users[member_i];
            let mut p = Problem {
                id: self.rng.id_at(at),
                inspection_id: insp.id,
                seq: s as i32 + 1,
                target_unit_id: unit,
                taxonomy_version_id: cat.version_id,
                category_id: cat.id,
                title: format!("{issue}（{}）", s + 1),
                facts: format!(
                    "经查，{unit_name}{issue}，相关问题在多个方面有所表现，群众反映较为集中。"
                ),
                rule_broken: format!(
                    "违反《中国共产党纪律处分条例》第{}条等规定。",
                    self.rng.range(20, 140)
                ),
                responsibility: format!(
                    "{unit_name}党组（党委）负主体责任，主要负责人负第一责任人责任。"
                ),
                responsibility_types: vec![
                    ResponsibilityType::Principal,
                    ResponsibilityType::FirstResponsible,
                ],
                severity: *self.rng.pick(&[
                    Severity::General,
                    Severity::General,
                    Severity::Serious,
                    Severity::Grave,
                ]),
                status: ProblemStatus::Draft,
                created: member.sig(at),
                approved: None,
                signed: None,
                status_note: None,
                version: 1,
                updated_at: stamp(at),
            };
            let member_who = member.who();
            self.audit(
                at,
                &member_who,
                Action::ProblemCreated,
                "problem",
                Some(p.id),
                json!({ "inspection_id": insp.id, "seq": p.seq, "category_id": p.category_id }),
            )?;
            // The team meeting approves and the leader signs, a few days later, unless the
            // team is still on site and has not got to it.
            let approve = day + self.rng.range(3, 10);
            let sign = approve + self.rng.range(1, 5);
            let signed_needed = stage.index() >= Stage::Reporting.index();
            if signed_needed || approve < self.today {
                let a = self.rng.office_hours(approve.min(exit_day.max(day + 1)));
                let a = a.min(self.cutoff - 1).max(at + 1);
                p.approved = Some(self.users[leader_i].sig(a));
                p.status = ProblemStatus::Approved;
                p.version = 2;
                p.updated_at = stamp(a);
                self.audit(a, &leader, Action::ProblemApproved, "problem", Some(p.id),
                    json!({ "seq": p.seq, "from": ProblemStatus::Draft, "to": ProblemStatus::Approved, "version": 2 }))?;
                if signed_needed || sign < self.today {
                    let b = self.rng.office_hours(sign.min(exit_day.max(day + 2)));
                    let b = b.min(self.cutoff - 1).max(a + 1);
                    p.signed = Some(self.users[leader_i].sig(b));
                    p.status = ProblemStatus::Signed;
                    p.version = 3;
                    p.updated_at = stamp(b);
                    self.audit(b, &leader, Action::ProblemSigned, "problem", Some(p.id),
                        json!({ "seq": p.seq, "from": ProblemStatus::Approved, "to": ProblemStatus::Signed, "version": 3 }))?;
                }
            }
            problems.push(p);
        }
        // Feedback: saved by the team leader, then given at the feedback meeting.
        let mut feedback_row = None;
        let mut groups = Vec::new();
        if let Some(&fday) = moves.get(3) {
            let cats_owned: Vec<Category> = self.categories.clone();
            let refs: Vec<&Problem> = problems.iter().collect();
            groups = group_by_category(&refs, &cats_owned);
            let back = self.rng.range(5, 15);
            let saved = self.rng.office_hours(fday - back);
            let given = stage_at[3].max(saved + 1);
            let recs = vec![
                "切实提高政治站位，把巡视整改作为重大政治任务".to_owned(),
                "压紧压实全面从严治党责任".to_owned(),
                "建立健全长效机制，巩固整改成果".to_owned(),
            ];
            let deadline = add_months(fday, 2);
            self.audit(
                saved,
                &leader,
                Action::FeedbackSaved,
                "inspection",
                Some(insp.id),
                json!({ "version": 1, "problems": problems.len(), "recommendations": recs.len() }),
            )?;
            self.audit(given, &leader, Action::FeedbackGiven, "inspection", Some(insp.id),
                json!({ "feedback_date": date(fday).to_string(), "deadline": Some(date(deadline).to_string()) }))?;
            let before = insp.stage;
            insp.stage = Stage::FeedbackGiven;
            insp.dates.feedback = Some(date(fday));
            insp.version += 1;
            insp.updated_at = stamp(given);
            self.audit(given, &leader, Action::InspectionStageChanged, "inspection", Some(insp.id),
                json!({ "from": before, "to": Stage::FeedbackGiven, "date": date(fday).to_string() }))?;
            let head = self.units[self.insps[i].targets[0]].head.clone();
            let leader_rec = &self.users[leader_i];
            feedback_row = Some([
                V::from(insp.id.to_string()),
                V::from(FeedbackStatus::Given.as_str()),
                V::from(format!(
                    "{}巡视组认为，被巡视单位党组织总体上能够贯彻落实党中央决策部署，但也存在一些问题。",
                    insp.team_name
                )),
                V::from(serde_json::to_string(&groups).map_err(CoreError::internal)?),
                V::from(serde_json::to_string(&recs).map_err(CoreError::internal)?),
                V::from(
                    "被巡视单位党组织要认真落实整改主体责任，在反馈后2个月内报送整改情况报告。",
                ),
                V::from(Some(date(deadline).to_string())),
                V::from(Some(date(fday).to_string())),
                V::from(format!("{}组长{}", insp.team_name, leader_rec.display_name)),
                V::from(head),
                V::from(self.users[self.office[0]].display_name.clone()),
                V::from(Some(leader_rec.id.to_string())),
                V::from(Some(leader_rec.display_name.clone())),
                V::from(Some(time_text(saved))),
                V::from(Some(leader_rec.id.to_string())),
                V::from(Some(leader_rec.display_name.clone())),
                V::from(Some(time_text(given))),
                V::from(2i64),
            ]);
            let _ = given;
        }
        // Into rectification, and for the oldest into the archive: the office's moves.
        for k in 4..moves.len() {
            let to = [Stage::Rectification, Stage::Archived][k - 4];
            let before = insp.stage;
            insp.stage = to;
            insp.version += 1;
            insp.updated_at = stamp(stage_at[k]);
            self.audit(
                stage_at[k],
                &office,
                Action::InspectionStageChanged,
                "inspection",
                Some(insp.id),
                json!({ "from": before, "to": to, "date": date(moves[k]).to_string() }),
            )?;
        }
        // The inspection and everything that refers to it.
        self.bulk
            .push(
                self.t.inspections,
                [
                    V::from(insp.id.to_string()),
                    V::from(insp.round_id.to_string()),
                    V::from(insp.dispatcher_id.to_string()),
                    V::from(insp.team_name.clone()),
                    V::from(insp.kind.as_str()),
                    V::from(0i16),
                    V::from(0i16),
                    V::from(0i16),
                    V::from(None::<String>),
                    V::from(insp.stage.as_str()),
                    V::from(insp.dates.planned_entry.map(|d| d.to_string())),
                    V::from(insp.dates.planned_exit.map(|d| d.to_string())),
                    V::from(insp.dates.entry.map(|d| d.to_string())),
                    V::from(insp.dates.exit.map(|d| d.to_string())),
                    V::from(None::<String>),
                    V::from(None::<String>),
                    V::from(insp.dates.feedback.map(|d| d.to_string())),
                    V::from(insp.version),
                    V::from(time_text(created)),
                    V::from(time_text(insp.updated_at.as_microsecond())),
                ],
            )
            .await?;
        for (pos, u) in targets.iter().enumerate() {
            self.bulk
                .push(
                    self.t.targets,
                    [
                        V::from(insp.id.to_string()),
                        V::from(u.to_string()),
                        V::from(pos as i16),
                    ],
                )
                .await?;
        }
        for row in team_rows {
            self.bulk.push(self.t.team, row).await?;
        }
        for p in &problems {
            self.push_problem(p).await?;
        }
        if let Some(row) = feedback_row {
            self.bulk.push(self.t.feedbacks, row).await?;
        }
        self.made.inspections += 1;
        self.made.problems += problems.len() as u64;
        // The day of the move into the archive, for the oldest inspections.
        let archived_on = moves.get(5).copied();
        self.clues(
            i,
            &insp,
            &leader,
            entry_day,
            exit_day,
            moves.len(),
            archived_on,
        )
        .await?;
        if moves.len() >= 4 {
            self.rectification(i, &insp, &problems, &groups, &moves, &office)
                .await?;
        }
        Ok(())
    }

    async fn push_problem(&mut self, p: &Problem) -> Result<()> {
        let sig = |s: Option<&Signature>| match s {
            Some(s) => (
                s.by.map(|b| b.to_string()),
                Some(s.name.clone()),
                Some(time_text(s.at.as_microsecond())),
            ),
            None => (None, None, None),
        };
        let (cb, cn, ca) = sig(Some(&p.created));
        let (ab, an, aa) = sig(p.approved.as_ref());
        let (sb, sn, sa) = sig(p.signed.as_ref());
        let types: Vec<&str> = p.responsibility_types.iter().map(|t| t.as_str()).collect();
        self.bulk
            .push(
                self.t.problems,
                [
                    V::from(p.id.to_string()),
                    V::from(p.inspection_id.to_string()),
                    V::from(p.seq),
                    V::from(p.target_unit_id.to_string()),
                    V::from(p.taxonomy_version_id.to_string()),
                    V::from(p.category_id.to_string()),
                    V::from(p.title.clone()),
                    V::from(p.facts.clone()),
                    V::from(p.rule_broken.clone()),
                    V::from(p.responsibility.clone()),
                    V::from(serde_json::to_string(&types).map_err(CoreError::internal)?),
                    V::from(p.severity.as_str()),
                    V::from(p.status.as_str()),
                    V::from(cb),
                    V::from(cn.unwrap_or_default()),
                    V::from(ca.unwrap_or_default()),
                    V::from(ab),
                    V::from(an),
                    V::from(aa),
                    V::from(sb),
                    V::from(sn),
                    V::from(sa),
                    V::from(p.status_note.clone()),
                    V::from(p.version),
                    V::from(time_text(p.updated_at.as_microsecond())),
                ],
            )
            .await
    }

    /// Clues registered on site; after the team leaves, transferred in one batch per
    /// recipient; disposed of by the recipients some weeks later — every one of them before
    /// the day the inspection was archived, if it was (`archived_on`), as archiving requires.
    #[allow(clippy::too_many_arguments)]
    async fn clues(
        &mut self,
        i: usize,
        insp: &Inspection,
        leader: &Who,
        entry: i64,
        exit: i64,
        moved: usize,
        archived_on: Option<i64>,
    ) -> Result<()> {
        let n = self.insps[i].clues;
        if n == 0 || moved < 2 {
            return Ok(());
        }
        let deputy_i = self.inspectors[self.team_of(i)[1]].0;
        let deputy = self.users[deputy_i].who();
        let mut clues: Vec<Clue> = Vec::with_capacity(n);
        for c in 0..n {
            let day =
                (entry + 3 + (c as i64 * (exit - entry - 5).max(1)) / n as i64).min(self.today - 1);
            let at = self.rng.office_hours(day);
            let kind = match self.rng.below(10) {
                0..=4 => ClueKind::LeadingCadre,
                5..=6 => ClueKind::CadreSelection,
                _ => ClueKind::Other,
            };
            let source = *self.rng.pick(&[
                ClueSource::Letter,
                ClueSource::Call,
                ClueSource::Visit,
                ClueSource::Online,
                ClueSource::Talk,
                ClueSource::Documents,
            ]);
            let confidentiality = *self.rng.pick(&[
                Confidentiality::Internal,
                Confidentiality::Secret,
                Confidentiality::Secret,
                Confidentiality::Confidential,
            ]);
            let target = insp.target_ids[c % insp.target_ids.len()];
            let clue = Clue {
                id: self.rng.id_at(at),
                inspection_id: insp.id,
                about_name: person(&mut self.rng),
                about_post: ["副局长", "处长", "副处长", "主任", "科长", "党组成员"][c % 6].into(),
                about_unit_id: Some(target),
                summary: format!(
                    "反映其{}。",
                    [
                        "违规收受礼品礼金",
                        "在干部选拔任用中打招呼",
                        "插手工程项目",
                        "公款吃喝",
                        "违规兼职取酬",
                        "履职不力"
                    ][self.rng.below(6) as usize]
                ),
                source,
                confidentiality,
                kind,
                status: ClueStatus::Registered,
                transfer: None,
                disposal: None,
                created_by: deputy.id,
                created_at: stamp(at),
                updated_at: stamp(at),
                version: 1,
            };
            self.audit(
                at,
                &deputy,
                Action::ClueRegistered,
                "clue",
                Some(clue.id),
                json!({
                    "inspection_id": clue.inspection_id,
                    "kind": clue.kind,
                    "source": clue.source,
                    "confidentiality": clue.confidentiality,
                }),
            )?;
            clues.push(clue);
        }
        let mut transfers: Vec<[V; 10]> = Vec::new();
        if moved >= 3 {
            let tday = exit + self.rng.range(10, 30);
            if tday < self.today {
                for kind in [
                    ClueKind::LeadingCadre,
                    ClueKind::CadreSelection,
                    ClueKind::Other,
                ] {
                    let batch: Vec<usize> = (0..clues.len())
                        .filter(|&c| clues[c].kind == kind)
                        .collect();
                    if batch.is_empty() {
                        continue;
                    }
                    let (recipient, recipient_name, handlers) = match kind {
                        ClueKind::LeadingCadre => (
                            Recipient::Discipline,
                            "省纪委监委".to_owned(),
                            self.discipline.clone(),
                        ),
                        ClueKind::CadreSelection => (
                            Recipient::Organization,
                            "省委组织部".to_owned(),
                            self.organization.clone(),
                        ),
                        // A department with someone to dispose of them.
                        ClueKind::Other => {
                            let staffed: Vec<usize> = self
                                .clue_departments
                                .iter()
                                .copied()
                                .filter(|&u| !self.contacts[u].is_empty())
                                .collect();
                            let u = *self.rng.pick(if staffed.is_empty() {
                                &self.clue_departments
                            } else {
                                &staffed
                            });
                            (
                                Recipient::Department {
                                    unit_id: self.units[u].id,
                                },
                                self.units[u].name.clone(),
                                self.contacts[u].clone(),
                            )
                        }
                    };
                    let at = self.rng.office_hours(tday);
                    self.letter_no += 1;
                    let year = date(tday).year();
                    let transferred_on = date(tday);
                    let due = add_months(tday, 3);
                    let t = TransferRef {
                        id: self.rng.id_at(at),
                        recipient,
                        recipient_name,
                        letter_no: format!("省巡移〔{year}〕{}号", self.letter_no),
                        transferred_on,
                        due_on: date(due),
                    };
                    let ids: Vec<Id> = batch.iter().map(|&c| clues[c].id).collect();
                    transfers.push([
                        V::from(t.id.to_string()),
                        V::from(insp.id.to_string()),
                        V::from(recipient.kind().as_str()),
                        V::from(recipient.unit_id().map(|u| u.to_string())),
                        V::from(t.letter_no.clone()),
                        V::from(format!("{}：现将{}巡视中发现的问题线索{}件移交你单位，请按规定办理并于{}前反馈办理情况。", t.recipient_name, insp.team_name, ids.len(), t.due_on)),
                        V::from(transferred_on.to_string()),
                        V::from(t.due_on.to_string()),
                        V::from(leader.id.map(|u| u.to_string())),
                        V::from(time_text(at)),
                    ]);
                    self.audit(
                        at,
                        leader,
                        Action::ClueTransferred,
                        "clue_transfer",
                        Some(t.id),
                        json!({
                            "inspection_id": insp.id,
                            "recipient": recipient,
                            "letter_no": t.letter_no,
                            "transferred_on": transferred_on.to_string(),
                            "due_on": t.due_on.to_string(),
                            "clue_ids": ids,
                        }),
                    )?;
                    for &c in &batch {
                        let clue = &mut clues[c];
                        clue.status = ClueStatus::Transferred;
                        clue.transfer = Some(t.clone());
                        clue.version += 1;
                        clue.updated_at = stamp(at);
                        // Most are disposed of within the three months; some are late; those
                        // of an archived inspection all were, before it was archived.
                        let mut dday = tday + self.rng.range(20, 130);
                        let disposed = match archived_on {
                            Some(a) => {
                                dday = dday.min(a - 1).max(tday);
                                true
                            }
                            None => dday < self.today && self.rng.chance(0.85),
                        };
                        if disposed && !handlers.is_empty() {
                            let h = handlers[self.rng.below(handlers.len() as u64) as usize];
                            let who = self.users[h].who();
                            let dat = self.rng.office_hours(dday);
                            let method = *self.rng.pick(&[
                                DisposalMethod::TalkOrInquiry,
                                DisposalMethod::PreliminaryCheck,
                                DisposalMethod::Shelved,
                                DisposalMethod::Closed,
                            ]);
                            let decided_on = date(dday - self.rng.range(0, 5).min(dday - tday));
                            clue.disposal = Some(Disposal {
                                method,
                                result: "已按规定办理，处置结果已报巡视办。".into(),
                                decided_on,
                                recorded_by: who.id,
                                recorded_at: stamp(dat),
                            });
                            clue.status = ClueStatus::Disposed;
                            clue.version += 1;
                            clue.updated_at = stamp(dat);
                            let (cid, tid) = (clue.id, t.id);
                            self.audit(
                                dat,
                                &who,
                                Action::ClueDisposed,
                                "clue",
                                Some(cid),
                                json!({
                                    "transfer_id": tid,
                                    "method": method,
                                    "decided_on": decided_on.to_string(),
                                    "replaces_earlier": false,
                                }),
                            )?;
                        }
                    }
                }
            }
        }
        for row in transfers {
            self.bulk.push(self.t.transfers, row).await?;
        }
        for c in &clues {
            let d = c.disposal.as_ref();
            self.bulk
                .push(
                    self.t.clues,
                    [
                        V::from(c.id.to_string()),
                        V::from(c.inspection_id.to_string()),
                        V::from(c.about_name.clone()),
                        V::from(c.about_post.clone()),
                        V::from(c.about_unit_id.map(|u| u.to_string())),
                        V::from(c.summary.clone()),
                        V::from(c.source.as_str()),
                        V::from(c.confidentiality.as_str()),
                        V::from(c.kind.as_str()),
                        V::from(c.status.as_str()),
                        V::from(c.transfer.as_ref().map(|t| t.id.to_string())),
                        V::from(d.map(|d| d.method.as_str().to_owned())),
                        V::from(d.map(|d| d.result.clone())),
                        V::from(d.map(|d| d.decided_on.to_string())),
                        V::from(d.and_then(|d| d.recorded_by).map(|u| u.to_string())),
                        V::from(d.map(|d| time_text(d.recorded_at.as_microsecond()))),
                        V::from(c.created_by.map(|u| u.to_string())),
                        V::from(time_text(c.created_at.as_microsecond())),
                        V::from(time_text(c.updated_at.as_microsecond())),
                        V::from(c.version),
                        V::from(c.transfer.as_ref().map(|t| t.due_on.to_string())),
                    ],
                )
                .await?;
        }
        self.made.clues += clues.len() as u64;
        Ok(())
    }

    /// After feedback: each inspected unit drafts its plan with tasks for its fed-back problems,
    /// submits it, the office approves it, and the work runs until today.
    async fn rectification(
        &mut self,
        i: usize,
        insp: &Inspection,
        problems: &[Problem],
        groups: &[xunshi_core::feedback::FeedbackGroup],
        moves: &[i64],
        office: &Who,
    ) -> Result<()> {
        let fday = moves[3];
        let office_i = self.office[i % self.office.len()];
        let targets = self.insps[i].targets.clone();
        // Ledger numbers: heading, problem within the heading, measure.
        let mut number = std::collections::HashMap::new();
        for (g, group) in groups.iter().enumerate() {
            for (k, item) in group.items.iter().enumerate() {
                number.insert(item.problem_id, (g + 1, k + 1));
            }
        }
        for (slot, &u) in targets.iter().enumerate() {
            let unit_id = self.units[u].id;
            let mine: Vec<&Problem> = problems
                .iter()
                .filter(|p| p.target_unit_id == unit_id)
                .collect();
            let Some(&drafter) = self.contacts[u].first() else {
                continue;
            };
            let drafter_who = self.users[drafter].who();
            let reporter = *self.contacts[u].last().expect("one contact at least");
            let reporter_who = self.users[reporter].who();
            let reporter_name = self.users[reporter].display_name.clone();
            let create_day = fday + self.rng.range(3, 10) + slot as i64;
            if create_day >= self.today {
                continue;
            }
            let created = self.rng.office_hours(create_day);
            let head = self.units[u].head.clone();
            let mut plan = Plan {
                id: self.rng.id_at(created),
                inspection_id: insp.id,
                unit_id,
                title: format!(
                    "{}关于落实{}{}巡视反馈意见的整改方案",
                    self.units[u].name, self.units[0].name, insp.team_name
                ),
                organisation: "成立巡视整改工作领导小组，召开专题民主生活会，逐项研究整改措施。"
                    .into(),
                leading_group: vec![
                    GroupMember {
                        name: head.clone(),
                        post: "主要负责人".into(),
                        role: "组长".into(),
                    },
                    GroupMember {
                        name: person(&mut self.rng),
                        post: "班子成员".into(),
                        role: "副组长".into(),
                    },
                ],
                status: PlanStatus::Draft,
                submitted_at: None,
                approved_at: None,
                version: 1,
            };
            self.audit(
                created,
                &drafter_who,
                Action::RectPlanCreated,
                "rect_plan",
                Some(plan.id),
                json!({ "after": plan }),
            )?;
            let submit_day = create_day + self.rng.range(8, 16);
            let approve_day = submit_day + self.rng.range(4, 12);
            let approved = approve_day < self.today;
            // Tasks, added while the plan is drafted.
            let mut tasks: Vec<Task> = Vec::new();
            let mut at = created;
            for p in &mine {
                let k = self.task_quota.draw(&mut self.rng, 1, 0.7) as usize;
                let (g, n) = number.get(&p.id).copied().unwrap_or((1, 1));
                for m in 0..k {
                    at += self.rng.range(60, 1800) * 1_000_000;
                    let due = self.draw_due(fday);
                    let t = Task {
                        id: self.rng.id_at(at),
                        plan_id: plan.id,
                        inspection_id: insp.id,
                        unit_id,
                        problem_id: p.id,
                        seq: format!("{g}.{n}.{}", m + 1),
                        measure: format!("{}。", self.rng.pick(MEASURES)),
                        target: "问题得到有效解决，相关制度健全完善".into(),
                        standard: "整改措施全部落实到位，佐证材料齐全".into(),
                        responsible_leader: head.clone(),
                        lead_department: self.rng.pick(DEPTS).to_string(),
                        co_departments: self.rng.pick(DEPTS).to_string(),
                        responsible_person: person(&mut self.rng),
                        due,
                        status: TaskStatus::NotStarted,
                        progress: 0,
                        closed_on: None,
                        not_for_disclosure: self.rng.chance(0.04),
                        withdrawn_reason: None,
                        version: 1,
                        updated_at: stamp(at),
                    };
                    self.audit(
                        at,
                        &drafter_who,
                        Action::TaskAdded,
                        "task",
                        Some(t.id),
                        json!({ "plan_id": plan.id, "after": t }),
                    )?;
                    tasks.push(t);
                }
            }
            let submit_at = self.rng.office_hours(submit_day).max(at + 1);
            let mut review = None;
            if submit_day < self.today {
                plan.status = PlanStatus::Submitted;
                plan.submitted_at = Some(stamp(submit_at));
                plan.version += 1;
                self.audit(submit_at, &drafter_who, Action::RectPlanSubmitted, "rect_plan", Some(plan.id),
                    json!({ "from": PlanStatus::Draft, "to": PlanStatus::Submitted, "tasks": tasks.len(), "version": plan.version }))?;
                if approved {
                    let a = self.rng.office_hours(approve_day).max(submit_at + 1);
                    plan.status = PlanStatus::Approved;
                    plan.approved_at = Some(stamp(a));
                    plan.version += 1;
                    let comment = "整改方案符合要求，同意实施。".to_owned();
                    review = Some((self.rng.id_at(a), a, comment.clone()));
                    self.audit(a, office, Action::RectPlanApproved, "rect_plan", Some(plan.id),
                        json!({ "from": PlanStatus::Submitted, "to": PlanStatus::Approved, "comment": comment, "version": plan.version }))?;
                }
            }
            self.bulk
                .push(
                    self.t.rect_plans,
                    [
                        V::from(plan.id.to_string()),
                        V::from(insp.id.to_string()),
                        V::from(unit_id.to_string()),
                        V::from(plan.title.clone()),
                        V::from(plan.organisation.clone()),
                        V::from(
                            serde_json::to_string(&plan.leading_group)
                                .map_err(CoreError::internal)?,
                        ),
                        V::from(plan.status.as_str()),
                        V::from(plan.submitted_at.map(|t| time_text(t.as_microsecond()))),
                        V::from(plan.approved_at.map(|t| time_text(t.as_microsecond()))),
                        V::from(plan.version),
                    ],
                )
                .await?;
            let office_name = self.users[office_i].display_name.clone();
            if let Some((rid, a, comment)) = review {
                self.bulk
                    .push(
                        self.t.reviews,
                        [
                            V::from(rid.to_string()),
                            V::from(plan.id.to_string()),
                            V::from(1i16),
                            V::from(comment),
                            V::from(office_name.clone()),
                            V::from(time_text(a)),
                        ],
                    )
                    .await?;
            }
            let start = plan.approved_at.map(|t| t.as_microsecond());
            let archived = moves.len() >= 6;
            // After archiving the records are read-only: the work ends before it.
            let end = if archived {
                self.rng.office_hours(moves[5]) - DAY
            } else {
                self.cutoff - 1
            };
            let mut overdue_tasks = Vec::new();
            for t in &mut tasks {
                let reports = self.progress_quota.draw(&mut self.rng, 0, 0.9);
                if let Some(start) = start {
                    self.work(
                        t,
                        start,
                        end,
                        reports,
                        archived,
                        &reporter_who,
                        &reporter_name,
                        office,
                        &office_name,
                    )
                    .await?;
                }
                let rejections = self
                    .pending_verifications
                    .iter()
                    .filter(|v| matches!(v[2], V::I16(Some(0))))
                    .count() as i32;
                let category = problems
                    .iter()
                    .find(|p| p.id == t.problem_id)
                    .map(|p| p.category_id)
                    .expect("a task's problem is the inspection's");
                self.push_task(t, insp.dispatcher_id, category, rejections)
                    .await?;
                for row in std::mem::take(&mut self.pending_progress) {
                    self.bulk.push(self.t.progress, row).await?;
                }
                for row in std::mem::take(&mut self.pending_verifications) {
                    self.bulk.push(self.t.verifications, row).await?;
                }
                if t.colour(date(self.today), self.warn_days as i32)
                    == xunshi_core::deadline::Colour::Red
                {
                    overdue_tasks.push(t.id);
                }
            }
            self.made.tasks += tasks.len() as u64;
            if let Some(start) = start {
                self.supervision(
                    insp,
                    u,
                    &tasks,
                    start,
                    end,
                    &overdue_tasks,
                    &reporter_who,
                    &reporter_name,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// A deadline: 立行立改 within a month of feedback, a date within two years, or 长期坚持;
    /// never past the last year of the shipped holiday calendar.
    fn draw_due(&mut self, fday: i64) -> Due {
        let last = day_of(2026, 12, 31);
        match self.rng.below(20) {
            0..=2 => Due::Immediate {
                date: date((fday + self.rng.range(10, 30)).min(last)),
            },
            3..=4 => Due::LongTerm,
            _ => {
                let months = *self.rng.pick(&[2, 3, 3, 6, 6, 6, 9, 12, 12, 18, 24]);
                Due::By {
                    date: date(add_months(fday, months).min(last)),
                }
            }
        }
    }

    /// The work on one task from the plan's approval until today: progress reports, a claim,
    /// perhaps a rejection with a defect and more work, and the closing. What happens depends on
    /// how the deadline stands against today, so every status and colour occurs.
    #[allow(clippy::too_many_arguments)]
    async fn work(
        &mut self,
        t: &mut Task,
        start: i64,
        end: i64,
        reports: u64,
        archived: bool,
        reporter: &Who,
        reporter_name: &str,
        office: &Who,
        office_name: &str,
    ) -> Result<()> {
        if start >= end {
            return Ok(());
        }
        let due_day = t.due.date().map(day_of_date);
        // Where the task ends up.
        let outcome = match (due_day, archived) {
            (None, _) => 0, // long-term: reports only
            (Some(_), true) => 3,
            (Some(d), false) => {
                let late = self.today - d;
                let roll = self.rng.below(100) as i64;
                if late > 90 {
                    if roll < 88 {
                        3
                    } else if roll < 93 {
                        2
                    } else {
                        1
                    }
                } else if late > 0 {
                    if roll < 55 {
                        3
                    } else if roll < 70 {
                        2
                    } else {
                        1
                    }
                } else if late > -30 {
                    if roll < 25 {
                        3
                    } else if roll < 40 {
                        2
                    } else {
                        1
                    }
                } else if roll < 12 {
                    3
                } else if roll < 20 {
                    2
                } else {
                    1
                }
            }
        };
        // 0: long-term under way; 1: under way (or not started); 2: claimed; 3: closed.
        let rejected_once = outcome >= 2 && self.rng.chance(0.1);
        let claims = if outcome >= 2 {
            1 + u64::from(rejected_once)
        } else {
            0
        };
        let reports = reports.max(claims);
        if reports == 0 {
            return Ok(());
        }
        // The moment the work ends: around the deadline for finished tasks, today otherwise.
        let finish = match (outcome, due_day) {
            (2 | 3, Some(d)) => {
                let early = self.rng.range(0, 20);
                self.rng.office_hours(d - early).clamp(start + 1, end)
            }
            _ => end,
        };
        let span = (finish - start).max(1);
        let mut progress = 0i16;
        let plain = reports - claims;
        // Plain reports first, a claim (and after a rejection, the second claim) last.
        let mut events: Vec<(i64, bool)> = Vec::new();
        for k in 0..reports {
            let frac = (k + 1) as f64 / (reports + 1) as f64;
            let at = start + (span as f64 * frac) as i64 + self.rng.below(3_600_000_000) as i64;
            events.push((at.min(finish), k >= plain));
        }
        events.sort_by_key(|e| e.0);
        let mut claim_no = 0;
        for (k, (at, claim)) in events.iter().copied().enumerate() {
            let at = at.max(t.updated_at.as_microsecond() + 1).min(end);
            let before = (t.status, t.progress);
            let to_progress = if claim {
                100
            } else {
                (progress + self.rng.range(10, 40) as i16).min(90)
            };
            progress = to_progress;
            let status = if claim {
                TaskStatus::Claimed
            } else {
                TaskStatus::InProgress
            };
            let report = ProgressReport {
                id: self.rng.id_at(at),
                task_id: t.id,
                text: if claim {
                    "整改措施已全部落实，申请核查销号。".into()
                } else {
                    format!("第{}次报告：已按计划推进整改，完成阶段性目标。", k + 1)
                },
                progress: to_progress,
                claims_done: claim,
                by_name: reporter_name.to_owned(),
                at: stamp(at),
            };
            t.status = status;
            t.progress = to_progress;
            t.version += 1;
            t.updated_at = stamp(at);
            self.pending_progress.push([
                V::from(report.id.to_string()),
                V::from(t.id.to_string()),
                V::from(report.text.clone()),
                V::from(i32::from(report.progress)),
                V::from(i16::from(claim)),
                V::from(report.by_name.clone()),
                V::from(time_text(at)),
            ]);
            self.made.progress += 1;
            self.audit(
                at,
                reporter,
                if claim {
                    Action::TaskCompletionClaimed
                } else {
                    Action::TaskProgressReported
                },
                "task",
                Some(t.id),
                json!({
                    "report_id": report.id,
                    "before": { "status": before.0, "progress": before.1 },
                    "after": { "status": t.status, "progress": t.progress },
                    "version": t.version,
                }),
            )?;
            if claim {
                claim_no += 1;
                let last_claim = claim_no == claims;
                let reject = !last_claim;
                let close = last_claim && outcome == 3;
                if reject || close {
                    let vat = (at + self.rng.range(2, 15) * DAY).min(end).max(at + 1);
                    let defect = if reject {
                        Some(*self.rng.pick(&[
                            Defect::Superficial,
                            Defect::Perfunctory,
                            Defect::OnPaper,
                            Defect::Ineffective,
                            Defect::Selective,
                        ]))
                    } else {
                        None
                    };
                    let reason = if reject {
                        "整改措施流于形式，佐证材料不能证明问题已解决。".to_owned()
                    } else {
                        "经核查，整改到位，同意销号。".to_owned()
                    };
                    // A rejected claim goes back to the share the verifier found: here, the
                    // share reported before the claim.
                    let found = (!close).then_some(before.1.min(99));
                    let v = Verification {
                        id: self.rng.id_at(vat),
                        task_id: t.id,
                        closed: close,
                        defect,
                        progress: found,
                        reason: reason.clone(),
                        by_name: office_name.to_owned(),
                        at: stamp(vat),
                    };
                    let before = (t.status, t.progress);
                    t.status = if close {
                        TaskStatus::Closed
                    } else {
                        TaskStatus::InProgress
                    };
                    if let Some(p) = found {
                        t.progress = p;
                        progress = p;
                    }
                    t.closed_on = close.then(|| xunshi_core::service::today(stamp(vat)));
                    t.version += 1;
                    t.updated_at = stamp(vat);
                    self.pending_verifications.push([
                        V::from(v.id.to_string()),
                        V::from(t.id.to_string()),
                        V::from(i16::from(close)),
                        V::from(defect.map(|d| d.as_str().to_owned())),
                        V::from(reason.clone()),
                        V::from(v.by_name.clone()),
                        V::from(time_text(vat)),
                        V::from(found.map(i32::from)),
                    ]);
                    self.made.verifications += 1;
                    self.audit(
                        vat,
                        office,
                        if close {
                            Action::TaskClosed
                        } else {
                            Action::TaskRejected
                        },
                        "task",
                        Some(t.id),
                        json!({
                            "verification_id": v.id,
                            "before": { "status": before.0, "progress": before.1 },
                            "after": {
                                "status": t.status,
                                "progress": t.progress,
                                "closed_on": t.closed_on,
                            },
                            "defect": defect,
                            "reason": reason,
                            "version": t.version,
                        }),
                    )?;
                }
            }
        }
        Ok(())
    }

    async fn push_task(
        &mut self,
        t: &Task,
        dispatcher: Id,
        category: Id,
        rejections: i32,
    ) -> Result<()> {
        let (kind, date) = match t.due {
            Due::Immediate { date } => ("immediate", Some(date.to_string())),
            Due::By { date } => ("by", Some(date.to_string())),
            Due::LongTerm => ("long_term", None),
        };
        self.bulk
            .push(
                self.t.tasks,
                [
                    V::from(t.id.to_string()),
                    V::from(t.plan_id.to_string()),
                    V::from(t.inspection_id.to_string()),
                    V::from(t.unit_id.to_string()),
                    V::from(t.problem_id.to_string()),
                    V::from(t.seq.clone()),
                    V::from(t.measure.clone()),
                    V::from(t.target.clone()),
                    V::from(t.standard.clone()),
                    V::from(t.responsible_leader.clone()),
                    V::from(t.lead_department.clone()),
                    V::from(t.co_departments.clone()),
                    V::from(t.responsible_person.clone()),
                    V::from(kind),
                    V::from(date),
                    V::from(t.status.as_str()),
                    V::from(i32::from(t.progress)),
                    V::from(i16::from(t.not_for_disclosure)),
                    V::from(t.withdrawn_reason.clone()),
                    V::from(t.version),
                    V::from(time_text(t.updated_at.as_microsecond())),
                    // Kept on the task by the store (migrations 0011, 0044): its problem's
                    // heading, how often its claim was rejected, and its inspection's committee.
                    V::from(category.to_string()),
                    V::from(rejections),
                    V::from(t.closed_on.map(|d| d.to_string())),
                    V::from(dispatcher.to_string()),
                ],
            )
            .await
    }

    /// Supervision of one unit's rectification: follow-up notices on overdue tasks (most
    /// answered), change requests, accountability for some of the overdue, and the rules the
    /// unit made, in proportion to its tasks.
    #[allow(clippy::too_many_arguments)]
    async fn supervision(
        &mut self,
        insp: &Inspection,
        u: usize,
        tasks: &[Task],
        start: i64,
        end: i64,
        overdue: &[Id],
        reporter: &Who,
        reporter_name: &str,
    ) -> Result<()> {
        let unit_id = self.units[u].id;
        let sup_i = self.discipline[self.rng.below(self.discipline.len() as u64) as usize];
        let sup = self.users[sup_i].who();
        let sup_name = self.users[sup_i].display_name.clone();
        for (k, &task_id) in overdue.iter().enumerate() {
            if k % 20 != 0 {
                continue;
            }
            let at = (self.cutoff - self.rng.range(2, 60) * DAY).max(start + 1);
            let issued = date(at.div_euclid(DAY));
            let kind = *self.rng.pick(&[
                NoticeKind::Reminder,
                NoticeKind::Warning,
                NoticeKind::Formal,
            ]);
            let f = FollowUp {
                id: self.rng.id_at(at),
                inspection_id: insp.id,
                unit_id,
                task_id: Some(task_id),
                kind,
                doc_no: format!("省纪督〔{}〕{}号", issued.year(), self.made.followups + 1),
                content: "该项整改任务已逾期，请于答复期限内说明原因并加快整改。".into(),
                issued_on: issued,
                answer_due: Some(date(at.div_euclid(DAY) + 10)),
                issued_by: sup_name.clone(),
                answer: None,
                answered_by: None,
                answered_on: None,
                version: 1,
            };
            self.audit(
                at,
                &sup,
                Action::FollowUpIssued,
                "followup",
                Some(f.id),
                json!({
                    "inspection_id": f.inspection_id, "unit_id": f.unit_id, "task_id": f.task_id,
                    "kind": f.kind, "doc_no": f.doc_no, "answer_due": f.answer_due,
                }),
            )?;
            let answer_at = at + self.rng.range(2, 9) * DAY;
            let answered = answer_at < end && self.rng.chance(0.7);
            if answered {
                self.audit(answer_at, reporter, Action::FollowUpAnswered, "followup", Some(f.id),
                    json!({ "inspection_id": f.inspection_id, "unit_id": f.unit_id, "doc_no": f.doc_no }))?;
            }
            self.bulk
                .push(
                    self.t.followups,
                    [
                        V::from(f.id.to_string()),
                        V::from(insp.id.to_string()),
                        V::from(unit_id.to_string()),
                        V::from(Some(task_id.to_string())),
                        V::from(kind.as_str()),
                        V::from(f.doc_no.clone()),
                        V::from(f.content.clone()),
                        V::from(issued.to_string()),
                        V::from(f.answer_due.map(|d| d.to_string())),
                        V::from(sup_name.clone()),
                        V::from(sup.id.map(|i| i.to_string())),
                        V::from(answered.then(|| {
                            "已召开专题会议研究，正在加快推进，预计一个月内完成。".to_owned()
                        })),
                        V::from(answered.then(|| date(answer_at.div_euclid(DAY)).to_string())),
                        V::from(answered.then(|| reporter_name.to_owned())),
                        V::from(if answered {
                            reporter.id.map(|i| i.to_string())
                        } else {
                            None
                        }),
                        V::from(if answered { 2i64 } else { 1i64 }),
                    ],
                )
                .await?;
            self.made.followups += 1;
            // Every third notice ends in accountability for the person responsible.
            if k % 60 == 0 {
                let aat = (at + self.rng.range(15, 40) * DAY).min(end);
                let (form, list, measure) = *self.rng.pick(&[
                    (Form::First, "批评教育", "诫勉谈话"),
                    (Form::First, "对干部问责", "通报"),
                    (Form::Second, "党纪处分", "警告"),
                    (Form::Second, "政务处分", "记过"),
                    (Form::Third, "组织处理", "免职"),
                ]);
                let task = tasks.iter().find(|t| t.id == task_id);
                let a = Accountability {
                    id: self.rng.id_at(aat),
                    inspection_id: insp.id,
                    unit_id,
                    task_id: Some(task_id),
                    problem_id: task.map(|t| t.problem_id),
                    person: task
                        .map(|t| t.responsible_person.clone())
                        .unwrap_or_default(),
                    post: "责任处室负责人".into(),
                    form,
                    measure: format!("{list}：{measure}"),
                    deciding_body: "省纪委监委".into(),
                    decided_on: date(aat.div_euclid(DAY)),
                    version: 1,
                };
                self.audit(
                    aat,
                    &sup,
                    Action::AccountabilityRecorded,
                    "accountability",
                    Some(a.id),
                    json!({ "after": a }),
                )?;
                self.bulk
                    .push(
                        self.t.accountability,
                        [
                            V::from(a.id.to_string()),
                            V::from(insp.id.to_string()),
                            V::from(unit_id.to_string()),
                            V::from(Some(task_id.to_string())),
                            V::from(a.problem_id.map(|p| p.to_string())),
                            V::from(a.person.clone()),
                            V::from(a.post.clone()),
                            V::from(form.as_str()),
                            V::from(a.measure.clone()),
                            V::from(a.deciding_body.clone()),
                            V::from(a.decided_on.to_string()),
                            V::from(sup.id.map(|i| i.to_string())),
                            V::from(time_text(aat)),
                            V::from(1i64),
                        ],
                    )
                    .await?;
                self.made.accountability += 1;
            }
        }
        // A rule made for about one task in a hundred, from the closed ones.
        let closed: Vec<&Task> = tasks
            .iter()
            .filter(|t| t.status == TaskStatus::Closed)
            .collect();
        for chunk in closed.chunks(100) {
            let Some(last) = chunk.last() else { continue };
            let at = (last.updated_at.as_microsecond() + self.rng.range(5, 30) * DAY).min(end);
            let linked: Vec<Id> = chunk.iter().take(3).map(|t| t.id).collect();
            let m = Mechanism {
                id: self.rng.id_at(at),
                inspection_id: insp.id,
                unit_id,
                title: format!(
                    "{}管理办法（{}）",
                    [
                        "财务",
                        "公务接待",
                        "干部选拔任用",
                        "政府采购",
                        "工程项目",
                        "意识形态工作"
                    ][self.rng.below(6) as usize],
                    self.made.mechanisms + 1
                ),
                is_new: self.rng.chance(0.6),
                doc_no: format!(
                    "{}〔{}〕{}号",
                    "单位发",
                    date(at.div_euclid(DAY)).year(),
                    self.made.mechanisms + 1
                ),
                issued_on: date(at.div_euclid(DAY)),
                task_ids: linked.clone(),
                version: 1,
            };
            self.audit(
                at,
                reporter,
                Action::MechanismRecorded,
                "mechanism",
                Some(m.id),
                json!({ "after": m }),
            )?;
            self.bulk
                .push(
                    self.t.mechanisms,
                    [
                        V::from(m.id.to_string()),
                        V::from(insp.id.to_string()),
                        V::from(unit_id.to_string()),
                        V::from(m.title.clone()),
                        V::from(i16::from(m.is_new)),
                        V::from(m.doc_no.clone()),
                        V::from(m.issued_on.to_string()),
                        V::from(reporter.id.map(|i| i.to_string())),
                        V::from(time_text(at)),
                        V::from(1i64),
                    ],
                )
                .await?;
            for (pos, tid) in linked.iter().enumerate() {
                self.bulk
                    .push(
                        self.t.mechanism_tasks,
                        [
                            V::from(m.id.to_string()),
                            V::from(tid.to_string()),
                            V::from(pos as i16),
                        ],
                    )
                    .await?;
            }
            self.made.mechanisms += 1;
        }
        Ok(())
    }
}

fn time_text(us: i64) -> String {
    xunshi_core::audit::format_at(stamp(us))
}

fn suffix(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("{}", n + 1)
    }
}

fn cn_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", D[n - 10]),
        _ => format!(
            "{}十{}",
            D[n / 10],
            if n.is_multiple_of(10) { "" } else { D[n % 10] }
        ),
    }
}

/// The shipped taxonomy (migration 0004), in the order documents list it.
fn categories() -> Vec<Category> {
    let v2017: Id = "00000000-0000-7000-8000-000000002017"
        .parse()
        .expect("shipped id");
    let v2020: Id = "00000000-0000-7000-8000-000000002020"
        .parse()
        .expect("shipped id");
    let mut out = Vec::new();
    for (k, (code, name)) in [
        ("political", "政治建设"),
        ("ideological", "思想建设"),
        ("organizational", "组织建设"),
        ("conduct", "作风建设"),
        ("discipline", "纪律建设"),
        ("integrity", "党风廉政建设和反腐败斗争"),
        ("prior_rectification", "落实上轮巡视整改"),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(Category {
            id: format!("00000000-0000-7000-8001-00000020170{}", k + 1)
                .parse()
                .expect("shipped id"),
            version_id: v2017,
            code: code.into(),
            name: name.into(),
            position: k as i32 + 1,
        });
    }
    for (k, (code, name)) in [
        (
            "theory_line",
            "贯彻落实党的理论和路线方针政策及党中央重大决策部署",
        ),
        (
            "strict_governance",
            "落实全面从严治党战略部署（主体责任、监督责任）",
        ),
        ("organizational_line", "落实新时代党的组织路线"),
        ("rectification", "落实巡视、审计等监督发现问题整改"),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(Category {
            id: format!("00000000-0000-7000-8001-00000020200{}", k + 1)
                .parse()
                .expect("shipped id"),
            version_id: v2020,
            code: code.into(),
            name: name.into(),
            position: k as i32 + 1,
        });
    }
    out
}
