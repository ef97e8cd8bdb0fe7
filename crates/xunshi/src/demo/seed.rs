//! The seed article's inspection: the team, its working papers, the report and its approvals,
//! the feedback of 2020-03-25 with the problems and three recommendations as the article gives
//! them, and the clues transferred to the discipline commission and the organization department.

use xunshi_core::clue::{ClueInput, DisposalInput, TransferInput};
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::paper::ProblemInput;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::{InspectorInput, NewInspector, PastPostInput, TeamRole};
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::service::{PaperDecision, Services};
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

use super::{OFFICE_UNIT, as_user};

/// The pool's people for the seed's third team, and one candidate the recusal check flags: a
/// former official of the propaganda department.
pub async fn form_team(s: &Services<Db>, office: &Actor, seed: Id) -> Result<(), CoreError> {
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
    Ok(())
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

pub async fn papers_report_feedback(
    s: &Services<Db>,
    office: &Actor,
    seed: Id,
) -> Result<(), CoreError> {
    let lead = as_user(s, "teamlead").await?;
    let member = as_user(s, "teammember").await?;
    let taxonomy = s
        .taxonomy_for(&member, seed)
        .await?
        .ok_or_else(|| CoreError::internal("no taxonomy in force for 2019"))?;
    let categories = s
        .taxonomies(&member)
        .await?
        .into_iter()
        .find(|t| t.version.id == taxonomy)
        .map(|t| t.categories)
        .unwrap_or_default();
    for (heading, title) in PROBLEMS {
        let category = categories
            .iter()
            .find(|c| c.name == *heading)
            .ok_or_else(|| CoreError::internal(format!("no category {heading}")))?;
        let problem = s
            .create_problem(
                &member,
                seed,
                &ProblemInput {
                    category_id: category.id.to_string(),
                    target_unit_id: None,
                    title: (*title).into(),
                    facts: format!("经个别谈话、受理来信来访和调阅有关文件资料了解，{title}，有关工作存在差距。（演示数据：具体事实从略）"),
                    rule_broken: "《中国共产党宣传工作条例》《中国共产党党内监督条例》有关规定".into(),
                    responsibility: "部领导班子承担主体责任，主要负责人负第一责任人责任，分管领导负重要领导责任。".into(),
                    responsibility_types: vec!["主体责任".into(), "第一责任人责任".into()],
                    severity: None,
                },
            )
            .await?;
        let approved = s
            .approve_problem(
                &lead,
                problem.id,
                &PaperDecision {
                    version: problem.version,
                    comment: "组务会审议通过".into(),
                },
            )
            .await?;
        s.sign_problem(
            &lead,
            problem.id,
            &PaperDecision {
                version: approved.version,
                comment: String::new(),
            },
        )
        .await?;
    }

    let report = s
        .create_report(
            &lead,
            seed,
            &ReportInput {
                kind: "main".into(),
                title: "关于对自治区党委宣传部党组织巡视情况的报告".into(),
            },
        )
        .await?;
    s.add_report_version(
        &lead,
        report.id,
        &ReportVersionInput {
            version: report.version,
            assessment: ASSESSMENT.into(),
            problem_ids: None,
            recommendations: RECOMMENDATIONS.iter().map(|r| (*r).to_owned()).collect(),
            note: "初稿".into(),
        },
    )
    .await?;
    let steps = [
        (&lead, "submit", None, "提交组务会审议"),
        (&lead, "approve", None, "组务会审议通过"),
        (office, "approve", None, "巡视办审核通过"),
        (
            office,
            "approve",
            Some("2020-01-09"),
            "领导小组听取汇报，同意",
        ),
        (
            office,
            "approve",
            Some("2020-02-20"),
            "书记专题会议听取汇报，同意",
        ),
    ];
    let mut version = s.report_detail(office, report.id).await?.report.version;
    for (actor, decision, meeting, comment) in steps {
        let r = s
            .decide_report(
                actor,
                report.id,
                &StepInput {
                    version,
                    decision: decision.into(),
                    comment: comment.into(),
                    meeting_date: meeting.map(str::to_owned),
                },
            )
            .await?;
        version = r.version;
    }

    let feedback = s
        .save_feedback(
            &lead,
            seed,
            &FeedbackInput {
                version: 0,
                assessment: ASSESSMENT.into(),
                problem_ids: None,
                recommendations: RECOMMENDATIONS.iter().map(|r| (*r).to_owned()).collect(),
                demands: "整改不落实，就是对党不忠诚，就是对人民不负责。宣传部领导班子要严肃对待、扎实整改，承担巡视整改主体责任，主要领导是第一责任人，班子成员履行“一岗双责”；纪检监察机关和组织人事部门履行对巡视整改的日常监督职责。既拿出“当下改”的举措，又形成“长久立”的机制。".into(),
                deadline: Some("2020-05-25".into()),
                meeting_date: Some("2020-03-25".into()),
                delivered_by: "自治区党委第三巡视组组长周晓岚".into(),
                delivered_to: "自治区党委常委、宣传部部长韦红梅".into(),
                presided_by: "韦红梅".into(),
            },
        )
        .await?;
    s.give_feedback(&lead, seed, feedback.version).await?;
    Ok(())
}

/// Clues about two leading cadres to the discipline commission, one about cadre selection to the
/// organization department; the commission has already disposed of one.
pub async fn clues(s: &Services<Db>, seed: Id) -> Result<(), CoreError> {
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
    s.create_transfer(
        &lead,
        seed,
        &TransferInput {
            recipient: "discipline".into(),
            department: None,
            letter_no: "桂巡移〔2020〕3号".into(),
            letter_text: "根据《中国共产党巡视工作条例》有关规定，现将自治区党委第三巡视组在对自治区党委宣传部巡视中发现的反映领导干部的问题线索移交你委，请按规定处置，并于三个月内将办理情况报自治区党委巡视办。".into(),
            transferred_on: "2020-03-27".into(),
            clue_ids: vec![a.id.to_string(), b.id.to_string()],
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
            transferred_on: "2020-03-27".into(),
            clue_ids: vec![c.id.to_string()],
        },
    )
    .await?;
    let discipline = as_user(s, "discipline").await?;
    let b_now = s.get_clue(&discipline, b.id).await?;
    s.record_disposal(
        &discipline,
        b.id,
        b_now.clue.version,
        &DisposalInput {
            method: "谈话函询".into(),
            result: "经谈话函询，本人如实说明情况，已退还有关礼金，予以批评教育。".into(),
            decided_on: "2020-05-20".into(),
        },
    )
    .await?;
    Ok(())
}
