//! The seed article's inspection: the team, its working papers, the report and its approvals,
//! the feedback of 2020-03-25 with the problems and three recommendations as the article gives
//! them, and the clues transferred to the discipline commission and the organization department.
//! Each step happens on its day of 2019 and 2020 (see `timeline.rs`); the papers and the report
//! chain are written generally enough for the later round to go the same way.

use jiff::civil::{Date, date};
use xunshi_core::clue::{ClueInput, DisposalInput, TransferInput};
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::paper::{Problem, ProblemInput};
use xunshi_core::permission::Actor;
use xunshi_core::personnel::{InspectorInput, NewInspector, PastPostInput, TeamRole};
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::service::{PaperDecision, Services};
use xunshi_core::taxonomy::Category;
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

use super::timeline::Timeline;
use super::{OFFICE_UNIT, as_user};

/// The inspectors of the seed's team who have accounts, for the later round's teams.
pub struct Pool {
    pub leader: Id,
    pub deputy: Id,
    pub member: Id,
    /// 陆佳音, on the seed's team without an account.
    pub colleague: Id,
}

/// The pool's people for the seed's third team, and one candidate the recusal check flags: a
/// former official of the propaganda department.
pub async fn form_team(s: &Services<Db>, office: &Actor, seed: Id) -> Result<Pool, CoreError> {
    let mut appointed = Vec::new();
    let people = [
        ("周晓岚", Some("teamlead"), "巡视组组长", TeamRole::Leader),
        (
            "蒋立新",
            Some("teamdeputy"),
            "巡视组副组长",
            TeamRole::Deputy,
        ),
        ("黄雅琴", Some("teammember"), "巡视专员", TeamRole::Member),
        ("陆佳音", None, "巡视专员", TeamRole::Member),
    ];
    for (name, user, post, role) in people {
        let inspector = s
            .create_inspector(
                office,
                &NewInspector {
                    fields: InspectorInput {
                        name: name.into(),
                        user: user.map(str::to_owned),
                        unit: OFFICE_UNIT.into(),
                        post: post.into(),
                        specialty: "党建、纪检监察".into(),
                        locality: "南宁市".into(),
                    },
                    past_posts: Vec::new(),
                    relatives: Vec::new(),
                },
            )
            .await?;
        s.appoint(office, seed, inspector.id, role, None).await?;
        appointed.push(inspector.id);
    }
    // In the pool but not appointed: a past post in the propaganda department, 2012–2016.
    s.create_inspector(
        office,
        &NewInspector {
            fields: InspectorInput {
                name: "覃志明".into(),
                user: None,
                unit: OFFICE_UNIT.into(),
                post: "巡视专员".into(),
                specialty: "宣传思想工作".into(),
                locality: "南宁市".into(),
            },
            past_posts: vec![PastPostInput {
                unit: "自治区党委宣传部".into(),
                post: "干部处副处长".into(),
                from: "2012-03-01".into(),
                to: Some("2016-08-31".into()),
            }],
            relatives: Vec::new(),
        },
    )
    .await?;
    Ok(Pool {
        leader: appointed[0],
        deputy: appointed[1],
        member: appointed[2],
        colleague: appointed[3],
    })
}

/// The problems as the article lists them, under the 2017–2019 headings it follows.
const PROBLEMS: &[(&str, &str)] = &[
    ("政治建设", "落实党管宣传思想文化职责存在薄弱点"),
    (
        "政治建设",
        "统筹推进全区文化产业发展和中国特色哲学社会科学工作有差距",
    ),
    ("政治建设", "协调督察全区意识形态工作力度不够"),
    ("政治建设", "挖掘培养文艺领军人才措施不够有力"),
    ("政治建设", "破解文明城市创建工作瓶颈问题力度不够强"),
    ("组织建设", "领导机关党建工作不够深入"),
    ("组织建设", "督促规范党内政治生活不够扎实"),
    ("组织建设", "执行干部选拔任用有关规定不够到位"),
    ("党风廉政建设和反腐败斗争", "落实“两个责任”不够到位"),
    (
        "党风廉政建设和反腐败斗争",
        "对个别直属单位资金项目监管不够严格",
    ),
];

pub const RECOMMENDATIONS: [&str; 3] = [
    "牢固树立大局意识，切实履行统筹指导协调宣传思想文化工作职责。要认真学习贯彻党的十九大和十九届二中、三中、四中全会精神，全面落实主管宣传思想文化工作职责，切实发挥统筹指导文化产业发展作用；加强中国特色新型智库建设；统筹协调督察全区意识形态工作，不断健全完善意识形态责任制考评体系；研究协调解决文明城市创建过程中遇到的全区性重点焦点问题，创新文艺领军人才孵化、文艺精品创作等机制。",
    "全面落实党建工作主体责任，切实提高新时代选人用人科学化规范化水平。要牢固树立“抓好党建是最大政绩”的意识，经常性指导督促检查基层党建工作情况，规范执行党支部“三会一课”制度；严格履行干部选拔任用程序，提高选人用人规范化水平和干部人事档案日常管理水平。",
    "切实履行从严治党政治职责，全面推进机关及直属单位廉政风险防控工作。要层层传导压实主体责任，支持派驻纪检监察组和机关纪委履行监督职责，开展机关处室廉政风险排查，加大项目资金监督检查力度；加大对直属事业单位监管指导力度，督促直属单位健全议事决策制度，进一步规范资金管理使用，严肃查纠各种违规行为。",
];

const ASSESSMENT: &str = "自治区党委宣传部领导班子深入学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神，承担“举旗帜、聚民心、育新人、兴文化、展形象”使命任务，推进党的创新理论研究阐释宣传，协调意识形态工作责任制落实，促进文化、艺术、新闻、出版、广播、电影等事业发展，开展群众性精神文明创建，机关干事创业氛围浓厚。巡视中，巡视组发现和党员干部群众反映了一些问题。";

/// The dates of a report's way from the team to the committee and of the feedback, each the
/// day its step happened.
pub struct ReportDates {
    pub drafted: Date,
    pub submitted: Date,
    pub team: Date,
    pub office: Date,
    /// The leading group's hearing (领导小组听取汇报), also the recorded meeting date.
    pub group: Date,
    /// The secretary's special meeting (书记专题会议), also the recorded meeting date.
    pub secretary: Date,
    pub feedback_drafted: Date,
    /// The feedback meeting: the feedback date the rectification clocks start from.
    pub feedback: Date,
}

/// The seed's report: drafted after the team left, heard by the leading group on 2020-01-09
/// and the secretary's meeting on 2020-02-20, fed back on 2020-03-25.
pub const SEED_REPORT: ReportDates = ReportDates {
    drafted: date(2019, 12, 20),
    submitted: date(2019, 12, 23),
    team: date(2019, 12, 24),
    office: date(2019, 12, 30),
    group: date(2020, 1, 9),
    secretary: date(2020, 2, 20),
    feedback_drafted: date(2020, 3, 18),
    feedback: date(2020, 3, 25),
};

/// What an inspection found and fed back, as its papers, report and feedback say it.
pub struct Findings<'a> {
    pub problems: &'a [(&'a str, &'a str)],
    /// The rules the problems' papers cite.
    pub rule_broken: &'a str,
    pub responsibility: &'a str,
    pub report_title: &'a str,
    pub assessment: &'a str,
    pub recommendations: &'a [&'a str],
    pub demands: &'a str,
    /// The rectification deadline the feedback names.
    pub deadline: Date,
    pub delivered_by: &'a str,
    pub delivered_to: &'a str,
    pub presided_by: &'a str,
}

pub fn seed_findings() -> Findings<'static> {
    Findings {
        problems: PROBLEMS,
        report_title: "关于对自治区党委宣传部党组织巡视情况的报告",
        assessment: ASSESSMENT,
        recommendations: &RECOMMENDATIONS,
        demands: "整改不落实，就是对党不忠诚，就是对人民不负责。宣传部领导班子要严肃对待、扎实整改，承担巡视整改主体责任，主要领导是第一责任人，班子成员履行“一岗双责”；纪检监察机关和组织人事部门履行对巡视整改的日常监督职责。既拿出“当下改”的举措，又形成“长久立”的机制。",
        rule_broken: "《中国共产党宣传工作条例》《中国共产党党内监督条例》有关规定",
        responsibility: "部领导班子承担主体责任，主要负责人负第一责任人责任，分管领导负重要领导责任。",
        deadline: date(2020, 5, 25),
        delivered_by: "自治区党委第三巡视组组长周晓岚",
        delivered_to: "自治区党委常委、宣传部部长韦红梅",
        presided_by: "韦红梅",
    }
}

/// The problems written while the team was on site, one on each of `written_on`, then approved
/// by the team's meeting and signed on `signed_on`.
pub async fn papers(
    s: &Services<Db>,
    timeline: &Timeline,
    team: (&Actor, &Actor),
    inspection: Id,
    findings: &Findings<'_>,
    written_on: &[Date],
    signed_on: Date,
) -> Result<(), CoreError> {
    let (lead, member) = team;
    let categories = categories(s, member, inspection).await?;
    let mut written = Vec::new();
    for (problem, day) in findings.problems.iter().zip(written_on) {
        timeline.on(*day)?;
        written.push(write_paper(s, member, inspection, &categories, findings, *problem).await?);
    }
    timeline.on(signed_on)?;
    sign_papers(s, lead, written).await
}

/// The headings of the problem taxonomy in force for the inspection.
pub async fn categories(
    s: &Services<Db>,
    member: &Actor,
    inspection: Id,
) -> Result<Vec<Category>, CoreError> {
    let taxonomy = s
        .taxonomy_for(member, inspection)
        .await?
        .ok_or_else(|| CoreError::internal("no taxonomy in force for the inspection"))?;
    Ok(s.taxonomies(member)
        .await?
        .into_iter()
        .find(|t| t.version.id == taxonomy)
        .map(|t| t.categories)
        .unwrap_or_default())
}

/// One problem's working paper, written by a member of the team under its heading.
pub async fn write_paper(
    s: &Services<Db>,
    member: &Actor,
    inspection: Id,
    categories: &[Category],
    findings: &Findings<'_>,
    (heading, title): (&str, &str),
) -> Result<Problem, CoreError> {
    let category = categories
        .iter()
        .find(|c| c.name == heading)
        .ok_or_else(|| CoreError::internal(format!("no category {heading}")))?;
    s.create_problem(
        member,
        inspection,
        &ProblemInput {
            category_id: category.id.to_string(),
            target_unit_id: None,
            title: title.into(),
            facts: format!("经个别谈话、受理来信来访和调阅有关文件资料了解，{title}，有关工作存在差距。（演示数据：具体事实从略）"),
            rule_broken: findings.rule_broken.into(),
            responsibility: findings.responsibility.into(),
            responsibility_types: vec!["主体责任".into(), "第一责任人责任".into()],
            severity: None,
        },
    )
    .await
}

/// The papers approved by the team's meeting and signed by its leader, on the timeline's day.
pub async fn sign_papers(
    s: &Services<Db>,
    lead: &Actor,
    written: Vec<Problem>,
) -> Result<(), CoreError> {
    for problem in written {
        let approved = s
            .approve_problem(
                lead,
                problem.id,
                &PaperDecision {
                    version: problem.version,
                    comment: "组务会审议通过".into(),
                },
            )
            .await?;
        s.sign_problem(
            lead,
            problem.id,
            &PaperDecision {
                version: approved.version,
                comment: String::new(),
            },
        )
        .await?;
    }
    Ok(())
}

/// The report's way through the team, the office, the leading group and the secretary's
/// meeting, then the feedback, each step on its day.
pub async fn report_and_feedback(
    s: &Services<Db>,
    timeline: &Timeline,
    office: &Actor,
    lead: &Actor,
    inspection: Id,
    findings: &Findings<'_>,
    dates: &ReportDates,
) -> Result<(), CoreError> {
    let recommendations: Vec<String> = findings
        .recommendations
        .iter()
        .map(|r| (*r).to_owned())
        .collect();
    timeline.on(dates.drafted)?;
    let report = s
        .create_report(
            lead,
            inspection,
            &ReportInput {
                kind: "main".into(),
                title: findings.report_title.into(),
            },
        )
        .await?;
    s.add_report_version(
        lead,
        report.id,
        &ReportVersionInput {
            version: report.version,
            assessment: findings.assessment.into(),
            problem_ids: None,
            recommendations: recommendations.clone(),
            note: "初稿".into(),
        },
    )
    .await?;
    let steps = [
        (dates.submitted, lead, "submit", false, "提交组务会审议"),
        (dates.team, lead, "approve", false, "组务会审议通过"),
        (dates.office, office, "approve", false, "巡视办审核通过"),
        (
            dates.group,
            office,
            "approve",
            true,
            "领导小组听取汇报，同意",
        ),
        (
            dates.secretary,
            office,
            "approve",
            true,
            "书记专题会议听取汇报，同意",
        ),
    ];
    let mut version = s.report_detail(office, report.id).await?.report.version;
    for (day, actor, decision, meeting, comment) in steps {
        timeline.on(day)?;
        let r = s
            .decide_report(
                actor,
                report.id,
                &StepInput {
                    version,
                    decision: decision.into(),
                    comment: comment.into(),
                    meeting_date: meeting.then(|| day.to_string()),
                },
            )
            .await?;
        version = r.version;
    }

    timeline.on(dates.feedback_drafted)?;
    let feedback = s
        .save_feedback(
            lead,
            inspection,
            &FeedbackInput {
                version: 0,
                assessment: findings.assessment.into(),
                problem_ids: None,
                recommendations,
                demands: findings.demands.into(),
                deadline: Some(findings.deadline.to_string()),
                meeting_date: Some(dates.feedback.to_string()),
                delivered_by: findings.delivered_by.into(),
                delivered_to: findings.delivered_to.into(),
                presided_by: findings.presided_by.into(),
            },
        )
        .await?;
    timeline.on(dates.feedback)?;
    s.give_feedback(lead, inspection, feedback.version).await?;
    Ok(())
}

/// The seed's clues, registered while the team was on site.
pub struct SeedClues {
    /// About two leading cadres, for the discipline commission: the funds, the gift.
    pub cadres: [Id; 2],
    /// About cadre selection, for the organization department.
    pub selection: Id,
}

/// Clues about two leading cadres and one about cadre selection, each registered on the day
/// the team came upon it.
pub async fn register_clues(
    s: &Services<Db>,
    timeline: &Timeline,
    seed: Id,
) -> Result<SeedClues, CoreError> {
    let lead = as_user(s, "teamlead").await?;
    let clue = |name: &str, post: &str, summary: &str, source: &str, kind: &str| ClueInput {
        about_name: name.into(),
        about_post: post.into(),
        about_unit: Some("自治区党委宣传部".into()),
        summary: summary.into(),
        source: source.into(),
        confidentiality: "秘密".into(),
        kind: kind.into(),
    };
    timeline.on(date(2019, 11, 26))?;
    let a = s
        .register_clue(
            &lead,
            seed,
            &clue(
                "莫某某",
                "直属单位负责人",
                "反映其在项目资金使用中违规决策、优亲厚友问题",
                "来信",
                "领导干部问题",
            ),
        )
        .await?;
    timeline.on(date(2019, 12, 4))?;
    let b = s
        .register_clue(
            &lead,
            seed,
            &clue(
                "邓某某",
                "处室负责人",
                "反映其违规收受礼金问题",
                "个别谈话",
                "领导干部问题",
            ),
        )
        .await?;
    timeline.on(date(2019, 12, 11))?;
    let c = s
        .register_clue(
            &lead,
            seed,
            &clue(
                "相关处室",
                "",
                "反映个别干部选拔任用程序不规范、档案材料不完整问题",
                "调阅资料",
                "选人用人问题",
            ),
        )
        .await?;
    Ok(SeedClues {
        cadres: [a.id, b.id],
        selection: c.id,
    })
}

/// Two days after the feedback the clues go to the discipline commission and the organization
/// department.
pub async fn transfer_clues(
    s: &Services<Db>,
    timeline: &Timeline,
    seed: Id,
    clues: &SeedClues,
) -> Result<(), CoreError> {
    let lead = as_user(s, "teamlead").await?;
    let transferred_on = date(2020, 3, 27);
    timeline.on(transferred_on)?;
    s.create_transfer(
        &lead,
        seed,
        &TransferInput {
            recipient: "discipline".into(),
            department: None,
            letter_no: "桂巡移〔2020〕3号".into(),
            letter_text: "根据《中国共产党巡视工作条例》有关规定，现将自治区党委第三巡视组在对自治区党委宣传部巡视中发现的反映领导干部的问题线索移交你委，请按规定处置，并于三个月内将办理情况报自治区党委巡视办。".into(),
            transferred_on: transferred_on.to_string(),
            clue_ids: clues.cadres.iter().map(Id::to_string).collect(),
        },
    )
    .await?;
    s.create_transfer(
        &lead,
        seed,
        &TransferInput {
            recipient: "organization".into(),
            department: None,
            letter_no: "桂巡移〔2020〕4号".into(),
            letter_text: "现将巡视中发现的选人用人方面的问题线索移交你部，请按规定处理，并于三个月内将办理情况报自治区党委巡视办。".into(),
            transferred_on: transferred_on.to_string(),
            clue_ids: vec![clues.selection.to_string()],
        },
    )
    .await?;
    Ok(())
}

/// The discipline commission reports on both its clues within the month: the gift answered
/// by a talk, the funds found largely true (the warning of August 2020 follows). The seed's
/// clocks are history, none left running.
pub async fn dispose_clues(
    s: &Services<Db>,
    timeline: &Timeline,
    clues: &SeedClues,
) -> Result<(), CoreError> {
    let decided_on = date(2020, 4, 20);
    timeline.on(decided_on)?;
    let discipline = as_user(s, "discipline").await?;
    let [funds, gift] = clues.cadres;
    let disposals = [
        (
            gift,
            "谈话函询",
            "经谈话函询，本人如实说明情况，已退还有关礼金，予以批评教育。",
        ),
        (
            funds,
            "初步核实",
            "经初步核实，反映的违规决策问题基本属实，移送驻部纪检监察组依规依纪处理。",
        ),
    ];
    for (id, method, result) in disposals {
        let now = s.get_clue(&discipline, id).await?;
        s.record_disposal(
            &discipline,
            id,
            now.clue.version,
            &DisposalInput {
                method: method.into(),
                result: result.into(),
                decided_on: decided_on.to_string(),
            },
        )
        .await?;
    }
    Ok(())
}
