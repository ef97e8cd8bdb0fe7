//! The seed's rectification at the propaganda department: the plan with its leading group and a
//! task for every fed-back problem, reviewed and approved; progress and evidence; most tasks
//! closed, one rejected as superficial and reopened (its deadline extended through a change
//! request), one overdue, one long-term; a follow-up notice answered, an accountability record,
//! a new rule; the two reports submitted and the progress notice published. Each on its day of
//! 2020 and early 2021.

use jiff::ToSpan;
use jiff::civil::{Date, date};
use xunshi_core::disclosure::{Contact, DocCollection, DocKind, DocumentInput};
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Defect, GroupMember, TaskInput};
use xunshi_core::service::{CarryInput, ChangeInput, RectPlanInput, Services};
use xunshi_core::supervision::{
    AccountabilityInput, FollowUpAnswer, FollowUpInput, MechanismInput,
};
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

use super::as_user;
use super::timeline::Timeline;

/// What each fed-back problem's task says, who leads it, and how it ends in the demo.
struct Plan {
    measure: &'static str,
    department: &'static str,
    due: (&'static str, Option<&'static str>),
    end: End,
}

#[derive(Clone, Copy, PartialEq)]
enum End {
    /// Claimed and verified, then closed (销号).
    Closed,
    /// Claimed, rejected as superficial, reopened; its deadline extended.
    Rejected,
    /// Under way past its deadline.
    Overdue,
    /// A standing duty (长期坚持) with periodic reports.
    LongTerm,
    /// Under way, deadline not reached; not disclosed to the public.
    Withheld,
}

const TASKS: [Plan; 10] = [
    Plan {
        measure: "制定落实党管宣传思想文化职责清单，部务会每季度专题研究宣传思想文化工作",
        department: "办公室",
        due: ("by", Some("2020-06-30")),
        end: End::Closed,
    },
    Plan {
        measure: "出台推动全区文化产业高质量发展实施意见，建立新型智库成果转化机制",
        department: "文化产业处",
        due: ("by", Some("2020-06-30")),
        end: End::Rejected,
    },
    Plan {
        measure: "修订意识形态工作责任制考评办法，开展专项督察调研",
        department: "理论处",
        due: ("by", Some("2020-09-30")),
        end: End::Closed,
    },
    Plan {
        measure: "建立文艺领军人才库，实施文艺精品创作扶持计划",
        department: "文艺处",
        due: ("long_term", None),
        end: End::LongTerm,
    },
    Plan {
        measure: "梳理文明城市创建全区性重点难点问题清单，逐项协调解决",
        department: "文明办",
        due: ("by", Some("2020-12-31")),
        end: End::Overdue,
    },
    Plan {
        measure: "制定机关党建工作要点，落实经常性指导督促检查",
        department: "机关党委",
        due: ("by", Some("2020-06-30")),
        end: End::Closed,
    },
    Plan {
        measure: "严格执行“三会一课”制度，开展党支部标准化规范化建设",
        department: "机关党委",
        due: ("immediate", Some("2020-04-30")),
        end: End::Closed,
    },
    Plan {
        measure: "严格干部选拔任用程序，开展干部人事档案专项审核",
        department: "干部处",
        // Set from the day the demo is loaded: see `StandingDeadlines`.
        due: ("by", None),
        end: End::Withheld,
    },
    Plan {
        measure: "制定落实全面从严治党主体责任清单，层层传导压力",
        department: "机关纪委",
        due: ("by", Some("2020-06-30")),
        end: End::Closed,
    },
    Plan {
        measure: "对直属单位项目资金开展专项检查，健全议事决策和资金管理制度",
        department: "财务处",
        due: ("by", Some("2020-09-30")),
        end: End::Closed,
    },
];

/// What happened in the rectification after the plan was approved, in the order it happened.
/// A number names a task by its place in [`TASKS`].
#[derive(Clone, Copy)]
enum Step {
    /// The department reports a task done, with evidence.
    Claim(usize),
    /// The office verifies the claim and closes the task (销号).
    Close(usize),
    /// The discipline commission rejects the claim as superficial.
    Reject(usize),
    /// The unit asks for a later deadline; the office agrees.
    AskExtension(usize),
    GrantExtension,
    /// Progress on a task not yet done, in percent.
    Progress(usize, i16),
    /// The rectification report and the principal's report, drafted and submitted.
    Reports,
    /// The progress notice drafted, completed with contact details and submitted.
    DraftNotice,
    /// The office approves the notice: it is published.
    PublishNotice,
    Mechanism,
    Accountability,
    /// The office follows up the overdue task; the unit answers.
    FollowUp,
    AnswerFollowUp,
}

/// The seed's rectification from the approved plan on: each task claimed and closed before its
/// deadline (the one rejected is reopened the day before its own and extended a week later),
/// the two reports before the two months were out (2020-05-25), the notice after them, the
/// follow-up once the year-end deadline had passed.
const WORK: &[(Date, Step)] = &[
    (date(2020, 4, 24), Step::Claim(6)),
    (date(2020, 4, 29), Step::Close(6)),
    (date(2020, 5, 22), Step::Reports),
    (date(2020, 5, 26), Step::DraftNotice),
    (date(2020, 5, 29), Step::PublishNotice),
    (date(2020, 6, 15), Step::Claim(0)),
    (date(2020, 6, 17), Step::Claim(5)),
    (date(2020, 6, 18), Step::Claim(8)),
    (date(2020, 6, 19), Step::Claim(1)),
    (date(2020, 6, 24), Step::Close(0)),
    (date(2020, 6, 28), Step::Close(5)),
    (date(2020, 6, 29), Step::Close(8)),
    (date(2020, 6, 29), Step::Reject(1)),
    (date(2020, 6, 30), Step::Progress(3, 50)),
    (date(2020, 7, 6), Step::AskExtension(1)),
    (date(2020, 7, 10), Step::GrantExtension),
    (date(2020, 7, 13), Step::Mechanism),
    (date(2020, 8, 24), Step::Accountability),
    (date(2020, 9, 14), Step::Claim(2)),
    (date(2020, 9, 15), Step::Progress(4, 60)),
    (date(2020, 9, 15), Step::Progress(7, 60)),
    (date(2020, 9, 18), Step::Claim(9)),
    (date(2020, 9, 25), Step::Close(2)),
    (date(2020, 9, 29), Step::Close(9)),
    (date(2021, 1, 12), Step::FollowUp),
    (date(2021, 1, 22), Step::AnswerFollowUp),
];

/// The day of the seed's last event: whatever comes later in the scenario comes after it.
pub const ENDS: Date = WORK[WORK.len() - 1].0;

/// The deadlines of the seed that must stay ahead of whoever looks: the rejected task's
/// extension and the withheld task. Fixed dates would turn them red as years pass, and the
/// scenario is meant to show one overdue task of ten, whatever the day it is loaded.
pub struct StandingDeadlines {
    pub extended: Date,
    pub withheld: Date,
}

impl StandingDeadlines {
    pub fn after(today: Date) -> Result<Self, CoreError> {
        let months = |n: i32| today.checked_add(n.months()).map_err(CoreError::internal);
        Ok(StandingDeadlines {
            extended: months(6)?,
            withheld: months(7)?,
        })
    }
}

/// The people of the seed's rectification and what the scenario has made so far.
pub struct Rectification<'a> {
    s: &'a Services<Db>,
    seed: Id,
    unit: Id,
    liaison: Actor,
    principal: Actor,
    staff: Actor,
    office: Actor,
    discipline: Actor,
    tasks: Vec<Id>,
    /// The problems fed back, in the ledger's order.
    problems: Vec<Id>,
    extended: Date,
    change: Option<Id>,
    followup: Option<(Id, i64)>,
    notice: Option<(Id, i64)>,
    /// The closed tasks, in the order they were closed.
    closed: Vec<Id>,
}

/// The plan, drafted after the feedback of 2020-03-25 and approved on 2020-04-14.
pub async fn plan<'a>(
    s: &'a Services<Db>,
    timeline: &Timeline,
    seed: Id,
    standing: &StandingDeadlines,
) -> Result<Rectification<'a>, CoreError> {
    let office = as_user(s, "office").await?;
    let (insp, _) = s.get_inspection(&office, seed).await?;
    let mut r = Rectification {
        s,
        seed,
        unit: insp.target_ids[0],
        liaison: as_user(s, "liaison").await?,
        principal: as_user(s, "principal").await?,
        staff: as_user(s, "staff").await?,
        office,
        discipline: as_user(s, "discipline").await?,
        tasks: Vec::new(),
        problems: Vec::new(),
        extended: standing.extended,
        change: None,
        followup: None,
        notice: None,
        closed: Vec::new(),
    };
    r.plan(timeline, standing.withheld).await?;
    Ok(r)
}

impl Rectification<'_> {
    /// The work after the plan, from April 2020 to the follow-up of January 2021.
    pub async fn work(mut self, timeline: &Timeline) -> Result<(), CoreError> {
        for (day, step) in WORK {
            timeline.on(*day)?;
            self.run(*step).await?;
        }
        Ok(())
    }
}

impl Rectification<'_> {
    /// The plan drafted in the week after the feedback with a task for every problem, submitted
    /// before its 15 working days were out and approved by the office.
    async fn plan(&mut self, timeline: &Timeline, withheld: Date) -> Result<(), CoreError> {
        let s = self.s;
        timeline.on(date(2020, 3, 30))?;
        let plan = s
            .create_rect_plan(
                &self.liaison,
                self.seed,
                self.unit,
                &RectPlanInput {
                    title: String::new(),
                    organisation: "反馈会后第一时间召开部务会，成立巡视整改工作领导小组，召开巡视整改专题民主生活会，研究制定整改方案，明确目标任务、责任分工和整改时限，建立问题、任务、责任“三个清单”，实行台账管理、对账销号。".into(),
                    leading_group: vec![
                        member("韦红梅", "自治区党委常委、宣传部部长", "组长"),
                        member("罗志坚", "宣传部常务副部长", "副组长"),
                        member("梁海平", "宣传部副部长", "副组长"),
                        member("各处室、部属各单位主要负责人", "", "成员"),
                    ],
                },
            )
            .await?;
        let problems = s
            .get_feedback(&self.principal, self.seed)
            .await?
            .map(|f| {
                f.groups
                    .into_iter()
                    .flat_map(|g| g.items)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for (problem, t) in problems.iter().zip(TASKS.iter()) {
            let due_date = match t.end {
                End::Withheld => Some(withheld.to_string()),
                _ => t.due.1.map(str::to_owned),
            };
            let task = s
                .add_task(
                    &self.liaison,
                    plan.id,
                    &TaskInput {
                        problem_id: problem.problem_id.to_string(),
                        measure: t.measure.into(),
                        target: format!("{}问题得到有效解决", problem.title),
                        standard: "措施落实到位，制度文件印发，佐证材料齐全".into(),
                        responsible_leader: "分管副部长".into(),
                        lead_department: t.department.into(),
                        co_departments: "办公室".into(),
                        responsible_person: format!("{}负责人", t.department),
                        due_kind: t.due.0.into(),
                        due_date,
                        not_for_disclosure: t.end == End::Withheld,
                    },
                )
                .await?;
            self.tasks.push(task.id);
            self.problems.push(problem.problem_id);
        }
        // 涉及中央脱贫攻坚专项巡视“回头看”承担的整改任务，一并抓好落实: the look-back's task
        // still under way is carried into the plan, linked, not copied.
        let carried = s
            .carryable_tasks(&self.liaison, plan.id)
            .await?
            .into_iter()
            .find(|e| e.team_name == super::earlier::CENTRAL_LOOK_BACK)
            .ok_or_else(|| CoreError::internal("the look-back's task is not open"))?;
        let version = s
            .rect_plan_detail(&self.office, plan.id)
            .await?
            .plan
            .version;
        s.carry_task(
            &self.liaison,
            plan.id,
            &CarryInput {
                version,
                task_id: carried.task.id,
            },
        )
        .await?;
        timeline.on(date(2020, 4, 10))?;
        let plan = s.rect_plan_detail(&self.office, plan.id).await?.plan;
        let plan = s
            .submit_plan(&self.principal, plan.id, plan.version)
            .await?;
        timeline.on(date(2020, 4, 14))?;
        s.review_plan(
            &self.office,
            plan.id,
            plan.version,
            true,
            "整改方案问题清单、任务清单、责任清单明确，同意。",
        )
        .await?;
        Ok(())
    }

    fn task(&self, n: usize) -> Result<Id, CoreError> {
        self.tasks
            .get(n)
            .copied()
            .ok_or_else(|| CoreError::internal(format!("the seed has no task {n}")))
    }

    async fn version(&self, actor: &Actor, task: Id) -> Result<i64, CoreError> {
        Ok(self.s.get_task(actor, task).await?.entry.task.version)
    }

    async fn run(&mut self, step: Step) -> Result<(), CoreError> {
        match step {
            Step::Claim(n) => self.claim(self.task(n)?).await,
            Step::Close(n) => self.close(self.task(n)?).await,
            Step::Reject(n) => self.reject(self.task(n)?).await,
            Step::AskExtension(n) => self.ask_extension(self.task(n)?).await,
            Step::GrantExtension => self.grant_extension().await,
            Step::Progress(n, percent) => self.progress(self.task(n)?, percent).await,
            Step::Reports => self.reports().await,
            Step::DraftNotice => self.draft_notice().await,
            Step::PublishNotice => self.publish_notice().await,
            Step::Mechanism => self.mechanism().await,
            Step::Accountability => self.accountability().await,
            Step::FollowUp => self.follow_up().await,
            Step::AnswerFollowUp => self.answer_follow_up().await,
        }
    }

    async fn claim(&self, id: Id) -> Result<(), CoreError> {
        let s = self.s;
        let v = self.version(&self.staff, id).await?;
        s.report_progress(
            &self.staff,
            id,
            v,
            "已完成整改措施，制度文件已印发，佐证材料已上传。",
            100,
            true,
        )
        .await?;
        s.upload_task_evidence(
            &self.staff,
            id,
            "整改落实情况说明.txt",
            "整改措施已落实，相关制度文件已印发执行。"
                .as_bytes()
                .to_vec(),
        )
        .await?;
        Ok(())
    }

    async fn close(&mut self, id: Id) -> Result<(), CoreError> {
        let v = self.version(&self.office, id).await?;
        self.s
            .verify_task(
                &self.office,
                id,
                v,
                true,
                None,
                None,
                "经核查，整改到位，予以销号。",
            )
            .await?;
        self.closed.push(id);
        Ok(())
    }

    async fn reject(&self, id: Id) -> Result<(), CoreError> {
        let v = self.version(&self.office, id).await?;
        self.s
            .verify_task(
                &self.discipline,
                id,
                v,
                false,
                Some(Defect::Superficial),
                Some(60),
                "仅印发文件，未见成果转化机制实际运行，属表面整改，退回继续整改。",
            )
            .await?;
        Ok(())
    }

    async fn ask_extension(&mut self, id: Id) -> Result<(), CoreError> {
        let change = self
            .s
            .request_change(
                &self.principal,
                id,
                &ChangeInput {
                    measure: String::new(),
                    due_kind: "by".into(),
                    due_date: Some(self.extended.to_string()),
                    reason: "成果转化机制需经一个完整评价周期检验，申请延长整改时限。".into(),
                },
            )
            .await?;
        self.change = Some(change.id);
        Ok(())
    }

    async fn grant_extension(&self) -> Result<(), CoreError> {
        let change = self
            .change
            .ok_or_else(|| CoreError::internal("no change request to decide"))?;
        self.s
            .decide_change(&self.office, change, true, "同意延期，按期报送进展。")
            .await?;
        Ok(())
    }

    async fn progress(&self, id: Id, percent: i16) -> Result<(), CoreError> {
        let v = self.version(&self.staff, id).await?;
        let long_term = TASKS
            .iter()
            .zip(&self.tasks)
            .any(|(t, task)| *task == id && t.end == End::LongTerm);
        let note = if long_term {
            "文艺领军人才库已建立，按季度更新扶持项目。"
        } else {
            "已梳理问题清单，正在逐项推进。"
        };
        self.s
            .report_progress(&self.staff, id, v, note, percent, false)
            .await?;
        Ok(())
    }

    async fn reports(&self) -> Result<(), CoreError> {
        for kind in [DocKind::Rectification, DocKind::PrincipalReport] {
            let doc = self
                .s
                .draft_rectification_report(&self.liaison, self.seed, self.unit, kind)
                .await?;
            self.s
                .submit_rect_document(&self.principal, doc.id, DocCollection::Reports, doc.version)
                .await?;
        }
        Ok(())
    }

    async fn draft_notice(&mut self) -> Result<(), CoreError> {
        let s = self.s;
        let notice = s
            .draft_public_notice(&self.liaison, self.seed, self.unit)
            .await?;
        let notice = s
            .revise_rect_document(
                &self.liaison,
                notice.id,
                DocCollection::Notices,
                notice.version,
                &DocumentInput {
                    title: notice.title.clone(),
                    body: notice.body.clone(),
                    addressee: notice.addressee.clone(),
                    issuer: notice.issuer.clone(),
                    contact: Contact {
                        phone: "0771-5551234".into(),
                        mailbox: "南宁市邮政信箱 5551 号".into(),
                        address: String::new(),
                    },
                    note: "补充联系方式".into(),
                },
            )
            .await?;
        let notice = s
            .submit_rect_document(
                &self.principal,
                notice.id,
                DocCollection::Notices,
                notice.version,
            )
            .await?;
        self.notice = Some((notice.id, notice.version));
        Ok(())
    }

    async fn publish_notice(&self) -> Result<(), CoreError> {
        let (id, version) = self
            .notice
            .ok_or_else(|| CoreError::internal("no notice to publish"))?;
        self.s
            .approve_public_notice(&self.office, id, version)
            .await?;
        Ok(())
    }

    async fn mechanism(&self) -> Result<(), CoreError> {
        self.s
            .record_mechanism(
                &self.liaison,
                &MechanismInput {
                    inspection_id: self.seed.to_string(),
                    unit_id: self.unit.to_string(),
                    title: "《自治区党委宣传部机关制度汇编》（第3版）".into(),
                    is_new: false,
                    doc_no: "桂宣办发〔2020〕15号".into(),
                    issued_on: "2020-07-10".into(),
                    task_ids: self.closed.iter().take(3).map(Id::to_string).collect(),
                },
            )
            .await?;
        Ok(())
    }

    async fn accountability(&self) -> Result<(), CoreError> {
        self.s
            .record_accountability(
                &self.discipline,
                &AccountabilityInput {
                    inspection_id: self.seed.to_string(),
                    unit_id: self.unit.to_string(),
                    task_id: None,
                    problem_id: self.problems.last().map(Id::to_string),
                    person: "莫某某".into(),
                    post: "直属单位原负责人".into(),
                    form: "second".into(),
                    measure_list: "党纪处分".into(),
                    measure: "警告".into(),
                    deciding_body: "自治区纪委监委驻宣传部纪检监察组".into(),
                    decided_on: "2020-08-20".into(),
                },
            )
            .await?;
        Ok(())
    }

    async fn follow_up(&mut self) -> Result<(), CoreError> {
        let overdue = TASKS
            .iter()
            .zip(&self.tasks)
            .find(|(t, _)| t.end == End::Overdue)
            .map(|(_, id)| id.to_string());
        let notice = self
            .s
            .issue_followup(
                &self.office,
                &FollowUpInput {
                    inspection_id: self.seed.to_string(),
                    unit_id: self.unit.to_string(),
                    task_id: overdue,
                    kind: "formal".into(),
                    doc_no: "桂巡督〔2021〕2号".into(),
                    content: "你部“破解文明城市创建工作瓶颈问题力度不够强”整改任务已超过整改时限，请于收到本通知后15日内书面报告整改进展及下一步措施。".into(),
                    answer_due: None,
                },
            )
            .await?;
        self.followup = Some((notice.id, notice.version));
        Ok(())
    }

    async fn answer_follow_up(&self) -> Result<(), CoreError> {
        let (id, version) = self
            .followup
            .ok_or_else(|| CoreError::internal("no follow-up to answer"))?;
        self.s
            .answer_followup(
                &self.liaison,
                id,
                &FollowUpAnswer {
                    version,
                    answer: "已召开专题会议研究，制定倒排工期计划，确保年内完成。".into(),
                },
            )
            .await?;
        Ok(())
    }
}

fn member(name: &str, post: &str, role: &str) -> GroupMember {
    GroupMember {
        name: name.into(),
        post: post.into(),
        role: role.into(),
    }
}
