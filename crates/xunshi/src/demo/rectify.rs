//! The seed's rectification at the propaganda department: the plan with its leading group and a
//! task for every fed-back problem, reviewed and approved; progress and evidence; most tasks
//! closed, one rejected as superficial and reopened (its deadline extended through a change
//! request), one overdue, one long-term; a follow-up notice answered, an accountability record,
//! a new rule; the two reports submitted and the progress notice published.

use xunshi_core::disclosure::{Contact, DocKind, DocumentInput};
use xunshi_core::rectify::{Defect, GroupMember, TaskInput};
use xunshi_core::service::{ChangeInput, RectPlanInput, Services};
use xunshi_core::supervision::{
    AccountabilityInput, FollowUpAnswer, FollowUpInput, MechanismInput,
};
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

use super::as_user;

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
        due: ("by", Some("2027-06-30")),
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

pub async fn load(s: &Services<Db>, seed: Id) -> Result<(), CoreError> {
    let liaison = as_user(s, "liaison").await?;
    let principal = as_user(s, "principal").await?;
    let staff = as_user(s, "staff").await?;
    let office = as_user(s, "office").await?;
    let discipline = as_user(s, "discipline").await?;
    let (insp, _) = s.get_inspection(&office, seed).await?;
    let unit = insp.target_ids[0];

    let plan = s
        .create_rect_plan(
            &liaison,
            seed,
            unit,
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
        .get_feedback(&principal, seed)
        .await?
        .map(|f| {
            f.groups
                .into_iter()
                .flat_map(|g| g.items)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut task_ids = Vec::new();
    for (problem, t) in problems.iter().zip(TASKS.iter()) {
        let task = s
            .add_task(
                &liaison,
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
                    due_date: t.due.1.map(str::to_owned),
                    not_for_disclosure: t.end == End::Withheld,
                },
            )
            .await?;
        task_ids.push((task.id, t.end));
    }
    let plan = s.rect_plan_detail(&office, plan.id).await?.plan;
    let plan = s.submit_plan(&principal, plan.id, plan.version).await?;
    s.review_plan(
        &office,
        plan.id,
        plan.version,
        true,
        "整改方案问题清单、任务清单、责任清单明确，同意。",
    )
    .await?;

    for (id, end) in &task_ids {
        let version = |d: xunshi_core::service::TaskDetail| d.entry.task.version;
        match end {
            End::Closed | End::Rejected => {
                let v = version(s.get_task(&staff, *id).await?);
                s.report_progress(
                    &staff,
                    *id,
                    v,
                    "已完成整改措施，制度文件已印发，佐证材料已上传。",
                    100,
                    true,
                )
                .await?;
                s.upload_task_evidence(
                    &staff,
                    *id,
                    "整改落实情况说明.txt",
                    "整改措施已落实，相关制度文件已印发执行。"
                        .as_bytes()
                        .to_vec(),
                )
                .await?;
                let v = version(s.get_task(&office, *id).await?);
                if *end == End::Closed {
                    s.verify_task(
                        &office,
                        *id,
                        v,
                        true,
                        None,
                        None,
                        "经核查，整改到位，予以销号。",
                    )
                    .await?;
                } else {
                    s.verify_task(
                        &discipline,
                        *id,
                        v,
                        false,
                        Some(Defect::Superficial),
                        Some(60),
                        "仅印发文件，未见成果转化机制实际运行，属表面整改，退回继续整改。",
                    )
                    .await?;
                    let change = s
                        .request_change(
                            &principal,
                            *id,
                            &ChangeInput {
                                measure: String::new(),
                                due_kind: "by".into(),
                                // Six months from the day the scenario is loaded: a
                                // changed deadline may not lie in the past.
                                due_date: Some(
                                    xunshi_core::service::today(s.now())
                                        .checked_add(jiff::Span::new().months(6))
                                        .map_err(CoreError::internal)?
                                        .to_string(),
                                ),
                                reason: "成果转化机制需经一个完整评价周期检验，申请延长整改时限。"
                                    .into(),
                            },
                        )
                        .await?;
                    s.decide_change(&office, change.id, true, "同意延期，按期报送进展。")
                        .await?;
                }
            }
            End::Overdue | End::Withheld => {
                let v = version(s.get_task(&staff, *id).await?);
                s.report_progress(&staff, *id, v, "已梳理问题清单，正在逐项推进。", 60, false)
                    .await?;
            }
            End::LongTerm => {
                let v = version(s.get_task(&staff, *id).await?);
                s.report_progress(
                    &staff,
                    *id,
                    v,
                    "文艺领军人才库已建立，按季度更新扶持项目。",
                    50,
                    false,
                )
                .await?;
            }
        }
    }

    let overdue = task_ids
        .iter()
        .find(|(_, e)| *e == End::Overdue)
        .map(|(id, _)| *id);
    let notice = s
        .issue_followup(
            &office,
            &FollowUpInput {
                inspection_id: seed.to_string(),
                unit_id: unit.to_string(),
                task_id: overdue.map(|i| i.to_string()),
                kind: "formal".into(),
                doc_no: "桂巡督〔2021〕2号".into(),
                content: "你部“破解文明城市创建工作瓶颈问题力度不够强”整改任务已超过整改时限，请于收到本通知后15日内书面报告整改进展及下一步措施。".into(),
                answer_due: None,
            },
        )
        .await?;
    s.answer_followup(
        &liaison,
        notice.id,
        &FollowUpAnswer {
            version: notice.version,
            answer: "已召开专题会议研究，制定倒排工期计划，确保年内完成。".into(),
        },
    )
    .await?;
    s.record_accountability(
        &discipline,
        &AccountabilityInput {
            inspection_id: seed.to_string(),
            unit_id: unit.to_string(),
            task_id: None,
            problem_id: problems.last().map(|p| p.problem_id.to_string()),
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
    let closed: Vec<String> = task_ids
        .iter()
        .filter(|(_, e)| *e == End::Closed)
        .map(|(id, _)| id.to_string())
        .collect();
    s.record_mechanism(
        &liaison,
        &MechanismInput {
            inspection_id: seed.to_string(),
            unit_id: unit.to_string(),
            title: "《自治区党委宣传部机关制度汇编》（第3版）".into(),
            is_new: false,
            doc_no: "桂宣办发〔2020〕15号".into(),
            issued_on: "2020-07-10".into(),
            task_ids: closed.into_iter().take(3).collect(),
        },
    )
    .await?;

    for kind in [DocKind::Rectification, DocKind::PrincipalReport] {
        let doc = s
            .draft_rectification_report(&liaison, seed, unit, kind)
            .await?;
        s.submit_rect_document(
            &principal,
            doc.id,
            xunshi_core::disclosure::DocCollection::Reports,
            doc.version,
        )
        .await?;
    }
    let notice = s.draft_public_notice(&liaison, seed, unit).await?;
    let notice = s
        .revise_rect_document(
            &liaison,
            notice.id,
            xunshi_core::disclosure::DocCollection::Notices,
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
            &principal,
            notice.id,
            xunshi_core::disclosure::DocCollection::Notices,
            notice.version,
        )
        .await?;
    s.approve_public_notice(&office, notice.id, notice.version)
        .await?;
    Ok(())
}

fn member(name: &str, post: &str, role: &str) -> GroupMember {
    GroupMember {
        name: name.into(),
        post: post.into(),
        role: role.into(),
    }
}
