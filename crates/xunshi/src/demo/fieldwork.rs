//! The seed's fieldwork (进驻了解), each event on its day of 2019: the entry announcement
//! published before the team enters on 2019-09-18; the talk plan of the leadership and the
//! heads of departments, the talks held against it by two inspectors each (the leadership all
//! heard, the departments in part); the letters, calls and visits registered and classified,
//! one passed on to the region's 信访局, one a repeat of another; the materials asked of the
//! department, provided by its liaison and given back; the reports heard, the democratic
//! appraisal and the forums; and the working papers, written between them, citing what they
//! rest on. The team leaves on 2019-12-18, after closing its letters and giving the last
//! materials back.

use std::collections::HashMap;

use jiff::civil::{Date, date};
use xunshi_core::fieldwork::{
    AnnouncementInput, CitationInput, CitingKind, DocAnswerInput, DocRequest, DocRequestInput,
    DocReturnInput, FieldRecordInput, Letter, LetterHandlingInput, LetterInput, SourceKind,
    TalkInput, TalkPlanInput,
};
use xunshi_core::paper::Problem;
use xunshi_core::permission::Actor;
use xunshi_core::service::Services;
use xunshi_core::taxonomy::Category;
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

use super::as_user;
use super::seed::{self, Findings, Pool, SeedClues};
use super::timeline::Timeline;

/// A day of the seed's year on site.
const fn day(month: i8, d: i8) -> Date {
    date(2019, month, d)
}

/// The day the announcement is published, before the team enters.
const ANNOUNCED: Date = day(9, 16);

/// The day the team, before leaving, closes its letters and gives the last materials back.
const LEAVING: Date = day(12, 16);

const ANNOUNCEMENT_SCOPE: &str = "巡视期间，巡视组主要受理反映自治区党委宣传部领导班子及其成员、下一级党组织领导班子主要负责人和重要岗位领导干部问题的来信来电来访，重点是关于违反政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律、生活纪律等方面的举报和反映。根据巡视工作有关规定，巡视组不受理不属于巡视受理范围的信访事项，此类事项将按规定转交被巡视单位或有关部门处理；已进入司法程序的事项，请按司法程序办理。";

/// Who of the seed's team is present.
#[derive(Clone, Copy)]
enum Who {
    Leader,
    Deputy,
    Member,
    /// 陆佳音, who has no account: present, never the one keeping the record.
    Colleague,
}

/// The talk plan: name, post, group.
const PLAN: &[(&str, &str, &str)] = &[
    ("韦红梅", "自治区党委常委、宣传部部长", "leadership"),
    ("罗建平", "宣传部常务副部长", "leadership"),
    ("黄永生", "宣传部副部长", "leadership"),
    ("陈思远", "宣传部副部长", "leadership"),
    ("李明华", "驻宣传部纪检监察组组长", "leadership"),
    ("农卫东", "干部处处长", "department_head"),
    ("梁春燕", "机关党委专职副书记", "department_head"),
    ("苏文涛", "办公室主任", "department_head"),
    ("谢丽萍", "文艺处处长", "department_head"),
    ("唐国庆", "新闻出版处处长", "department_head"),
    ("钟一鸣", "宣传教育处处长", "department_head"),
    ("吴德林", "原宣传部副部长（2018年退休）", "other"),
    ("甘志华", "自治区新闻出版服务中心主任", "other"),
];

/// A talk held: with whom (their post from the plan, or `post` when not planned), the two
/// inspectors present — the first keeps the record —, and the record.
struct TalkSpec {
    name: &'static str,
    /// Only for a talk outside the plan.
    post: Option<&'static str>,
    with: [Who; 2],
    text: &'static str,
}

const TALKS: &[TalkSpec] = &[
    TalkSpec {
        name: "韦红梅",
        post: None,
        with: [Who::Member, Who::Leader],
        text: "问：请谈谈部领导班子落实党管宣传、党管意识形态职责的情况。\n答：部务会每季度专题研究一次意识形态工作，每年向自治区党委报告意识形态工作责任制落实情况。存在的不足是对各市、各部门的督查多为听汇报、看材料，发现问题后的跟踪问效不够。\n问：班子成员履行“一岗双责”情况如何？\n答：班子成员对分管领域的业务抓得比较紧，对分管处室和直属单位的党风廉政建设过问得少一些，这方面我负有第一责任。\n问：对巡视工作有何意见建议？\n答：诚恳接受巡视监督，全力配合巡视组工作，对巡视指出的问题坚决整改。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "罗建平",
        post: None,
        with: [Who::Member, Who::Leader],
        text: "问：请谈谈统筹推进全区文化产业发展和哲学社会科学工作的情况。\n答：近年来出台了文化产业发展的若干政策，但部门之间协调机制运转不够顺畅，部里牵头抓总的作用发挥不充分。新型智库建设起步较晚，成果转化应用不多。\n问：对领导班子有何意见？\n答：班子团结，议事规则总体执行较好；有的重大事项会前沟通不够充分，会上讨论不够深入。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "黄永生",
        post: None,
        with: [Who::Deputy, Who::Colleague],
        text: "问：请介绍分管的意识形态督查工作情况。\n答：每年对各市和区直部门开展一轮意识形态工作责任制落实情况督查，印发督查通报。督查发现的问题有的连续两年重复出现，整改情况缺少回访核查。\n问：你认为原因是什么？\n答：督查力量不足，督查结果与考核挂钩不紧，对问题较多的地方和部门约谈、通报的手段用得少。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "陈思远",
        post: None,
        with: [Who::Member, Who::Deputy],
        text: "问：请谈谈文艺人才培养和文艺精品创作情况。\n答：重点文艺人才扶持项目每年都在实施，但领军人才数量不多，一些中青年骨干流失到区外。扶持资金分散，孵化机制还没有真正建立起来。\n问：对部领导班子有何意见建议？\n答：建议班子在人才政策上加强与组织、人社部门的统筹，集中力量推出精品。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "李明华",
        post: None,
        with: [Who::Deputy, Who::Leader],
        text: "问：请介绍派驻纪检监察组对宣传部党组织监督的情况。\n答：纪检监察组对部机关和直属单位开展日常监督，列席部务会。部里支持我们工作，但个别直属单位对项目资金的内部监督薄弱，有的重大支出事项未经集体研究。\n问：部机关落实“两个责任”还有哪些不足？\n答：主体责任层层传导不够，廉政风险排查没有覆盖所有处室和直属单位，个别处室负责人对廉政提醒重视不够。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "农卫东",
        post: None,
        with: [Who::Member, Who::Deputy],
        text: "问：请介绍2017年以来部机关干部选拔任用工作情况。\n答：2017年以来共选拔任用处级干部46人次，均按程序提交部务会研究。干部人事档案专项审核中发现部分档案材料不齐全，正在补充完善。\n问：民主推荐和考察环节是否存在不规范情况？\n答：个别岗位考察谈话范围偏窄，纪实材料记录不够完整，这是我们工作中的不足。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "梁春燕",
        post: None,
        with: [Who::Leader, Who::Colleague],
        text: "问：请谈谈机关党建工作情况。\n答：机关党委按要求组织“三会一课”，但有的支部组织生活与业务工作结合不紧，主题党日活动形式较为单一。对直属单位党组织的指导督促主要靠发通知、看台账，深入实地少。\n问：党内政治生活方面还有哪些问题？\n答：个别支部批评和自我批评辣味不足，民主评议党员流于形式。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "苏文涛",
        post: None,
        with: [Who::Deputy, Who::Colleague],
        text: "问：请介绍部机关日常运转和制度执行情况。\n答：部机关各项制度比较健全，公文、会议、财务等管理总体规范。有的制度修订不及时，与新的工作要求不完全适应。\n问：对领导班子和机关作风有何意见？\n答：机关加班多、任务重，处室之间统筹协调还需要加强。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "甘志华",
        post: None,
        with: [Who::Member, Who::Deputy],
        text: "问：请介绍中心项目资金管理和内部控制情况。\n答：中心承担部分文化项目资金的安排和管理，重大项目由中心党委会研究。2018年有两个项目因时间紧，先行确定了承接单位，事后补办了手续。\n问：承接单位是如何确定的？\n答：主要根据有关负责同志的意见确定，没有进行比选。\n以上记录经本人核对无误。",
    },
    TalkSpec {
        name: "宁晓燕",
        post: Some("宣传教育处四级调研员"),
        with: [Who::Member, Who::Leader],
        text: "本人主动约见巡视组反映情况。\n答：反映某处室负责人近年来在春节等节日期间收受下属单位所送礼金，在干部中有议论。\n问：你反映的情况有何依据？\n答：是听同事议论，具体金额不清楚，可以提供知情人情况供巡视组了解。\n以上记录经本人核对无误。",
    },
];

/// A letter, call or visit the team registered: how it came, who wrote (sealed), about whom,
/// what it says, and the discipline and heading it falls under.
struct LetterSpec {
    channel: &'static str,
    /// Name and contact; `None` when anonymous.
    writer: Option<(&'static str, &'static str)>,
    about_name: &'static str,
    about_post: &'static str,
    content: &'static str,
    discipline: Option<&'static str>,
    heading: Option<&'static str>,
}

/// The register, in the order received (number 1 first).
const LETTERS: &[LetterSpec] = &[
    LetterSpec {
        channel: "letter",
        writer: Some(("黎建华", "手机 139 7710 2468")),
        about_name: "莫某某",
        about_post: "直属单位负责人",
        content: "反映某直属事业单位负责人莫某某在2018年文化项目资金安排中，未经单位集体研究即确定项目承接单位，部分项目由其亲属关联的公司承接。（演示数据）",
        discipline: Some("integrity"),
        heading: Some("党风廉政建设和反腐败斗争"),
    },
    LetterSpec {
        channel: "call",
        writer: None,
        about_name: "",
        about_post: "部机关干部处",
        content: "来电反映2018年部机关部分处级干部选拔中考察谈话范围偏窄，个别干部档案材料不全即提交讨论。（演示数据）",
        discipline: Some("organizational"),
        heading: Some("组织建设"),
    },
    LetterSpec {
        channel: "visit",
        writer: Some(("杨秀兰", "南宁市西乡塘区，电话 0771-3860000")),
        about_name: "",
        about_post: "",
        content: "来访人系某出版企业退休职工，反映企业改制时职工安置补偿未落实到位，要求协调解决。（演示数据）",
        discipline: None,
        heading: None,
    },
    LetterSpec {
        channel: "letter",
        writer: None,
        about_name: "莫某某",
        about_post: "直属单位负责人",
        content: "匿名来信反映某直属事业单位负责人莫某某违规确定项目承接单位，与其亲属有利益关联。（演示数据）",
        discipline: Some("integrity"),
        heading: Some("党风廉政建设和反腐败斗争"),
    },
    LetterSpec {
        channel: "email",
        writer: Some(("陈志强", "手机 138 7880 1357")),
        about_name: "",
        about_post: "部机关宣传教育处",
        content: "反映部机关在全区文明城市创建测评督查中，有的督查走过场、以会议落实会议，群众反映的突出问题长期得不到解决。（演示数据）",
        discipline: Some("work"),
        heading: Some("政治建设"),
    },
];

/// The writers who gave their name, for the tests: never stored in clear.
#[cfg(test)]
pub fn named_writers() -> impl Iterator<Item = &'static str> {
    LETTERS
        .iter()
        .filter_map(|l| l.writer.map(|(name, _)| name))
}

/// What the team decided about a letter.
struct Handling {
    scope: &'static str,
    passed_to: &'static str,
    passed_letter: &'static str,
    /// The number of the letter it repeats.
    duplicate_of: Option<usize>,
    disposition: &'static str,
    status: &'static str,
}

const TAKEN_UP: Handling = Handling {
    scope: "in_scope",
    passed_to: "",
    passed_letter: "",
    duplicate_of: None,
    disposition: "",
    status: "handling",
};

/// The letters taken up, closed before the team leaves: number and what was done.
const CLOSED_ON_LEAVING: [(usize, &str); 3] = [
    (
        1,
        "经调阅材料和下沉了解，反映问题基本属实，已写入问题底稿，并作为问题线索按规定移交处置。",
    ),
    (
        2,
        "经调阅干部选拔任用材料了解，反映问题部分属实，已写入问题底稿，相关问题线索按规定移交处置。",
    ),
    (
        5,
        "有关情况已写入问题底稿，将在反馈意见中督促被巡视单位整改。",
    ),
];

/// The materials asked of the department: what, the days given to provide them, the note, and
/// the liaison's answer.
struct DocSpec {
    materials: &'static str,
    due_in: i64,
    notes: &'static str,
    answer: &'static str,
}

const DOCS: &[DocSpec] = &[
    DocSpec {
        materials: "2017年以来部务会会议纪要\n2017年以来部理论学习中心组学习记录\n2017年以来全区意识形态工作责任制落实情况督查通报\n2017年、2018年度领导班子民主生活会材料及整改方案",
        due_in: 5,
        notes: "请联络员统一报送巡视组驻地，逐份编号登记。",
        answer: "已提供部务会会议纪要3册、理论学习中心组学习记录2册、意识形态工作督查通报12份、领导班子民主生活会材料2套，均经逐份编号登记。",
    },
    DocSpec {
        materials: "2017年以来处级干部选拔任用纪实材料（动议、民主推荐、考察、讨论决定、任职）\n干部人事档案专项审核工作台账",
        due_in: 5,
        notes: "涉及干部人事档案的材料，由干部处派专人送达。",
        answer: "已提供处级干部选拔任用纪实材料46份、干部人事档案专项审核工作台账1册，由干部处专人送达。",
    },
    DocSpec {
        materials: "直属单位2017年以来重大项目资金安排、拨付和验收材料\n直属单位议事决策制度及党委会、主任办公会会议记录",
        due_in: 5,
        notes: "",
        answer: "已提供项目资金安排文件及拨付凭证复印件27份、项目验收材料15份、直属单位议事决策制度2项、会议记录4册。",
    },
];

/// A record of another method: its key (for citing), method, participants, summary, forms.
struct RecordSpec {
    key: &'static str,
    method: &'static str,
    participants: &'static str,
    summary: &'static str,
    forms: Option<(i64, i64)>,
}

/// The appraisal's tally sheet as the team's workbook: 84 forms back, item by item.
fn appraisal_tally() -> Result<Vec<u8>, CoreError> {
    let rows: [(&str, [u32; 4]); 5] = [
        ("领导班子总体评价", [51, 25, 7, 1]),
        ("履行全面从严治党主体责任", [49, 27, 7, 1]),
        ("落实意识形态工作责任制", [53, 24, 6, 1]),
        ("统筹指导直属单位工作", [38, 29, 14, 3]),
        ("选人用人工作", [36, 30, 15, 3]),
    ];
    let sheet = xunshi_office::TableSheet {
        sheet_name: "民主测评".into(),
        title: "民主测评结果汇总表".into(),
        subtitle: "发放测评表86份，收回84份".into(),
        columns: ["测评项目", "好", "较好", "一般", "差"]
            .iter()
            .enumerate()
            .map(|(i, h)| (h.to_string(), if i == 0 { 28.0 } else { 8.0 }))
            .collect(),
        rows: rows
            .iter()
            .map(|(item, n)| {
                std::iter::once(item.to_string())
                    .chain(n.iter().map(u32::to_string))
                    .collect()
            })
            .collect(),
    };
    xunshi_office::table_xlsx(&sheet).map_err(CoreError::internal)
}

const RECORDS: &[RecordSpec] = &[
    RecordSpec {
        key: "汇报",
        method: "report_heard",
        participants: "巡视组全体成员；宣传部领导班子成员",
        summary: "巡视工作动员会后，听取宣传部部务会关于2017年以来履行全面从严治党主体责任、落实意识形态工作责任制和推进宣传思想文化工作情况的汇报，部领导班子成员分别作个人述责述廉。",
        forms: None,
    },
    RecordSpec {
        key: "测评",
        method: "appraisal",
        participants: "宣传部领导班子成员、部机关全体处级干部、直属单位主要负责人",
        summary: "动员会后开展领导班子和领导班子成员民主测评及选人用人工作“一报告两评议”，发放测评表86份，收回84份。对领导班子总体评价为“好”“较好”的占多数；“统筹指导直属单位工作”“选人用人工作”两项评价相对较低。",
        forms: Some((86, 84)),
    },
    RecordSpec {
        key: "处级干部座谈会",
        method: "forum",
        participants: "部机关各处室负责人12人",
        summary: "召开部机关处级干部座谈会。与会同志反映主要集中在机关党建与业务工作结合不紧、处室之间统筹协调不够、年轻干部培养交流渠道不多等方面。",
        forms: None,
    },
    RecordSpec {
        key: "直属单位座谈会",
        method: "forum",
        participants: "直属单位党员干部代表15人",
        summary: "召开直属单位党员干部座谈会。与会同志反映部里对直属单位业务指导较多、党建和监督管理指导较少，直属单位议事决策制度执行不够严格。",
        forms: None,
    },
    RecordSpec {
        key: "下沉了解",
        method: "subordinate_visit",
        participants: "蒋立新、黄雅琴；自治区新闻出版服务中心负责人及财务人员",
        summary: "深入自治区新闻出版服务中心，了解项目资金安排使用和内部控制情况，查看2018年项目合同、拨付凭证和验收资料，个别项目承接单位确定缺少比选程序。",
        forms: None,
    },
];

/// A source a paper or clue cites.
#[derive(Clone, Copy)]
enum Source {
    /// A talk, by the interviewee's name.
    Talk(&'static str),
    /// A letter, by its number in the register.
    Letter(usize),
    /// A document request, by its number.
    Doc(usize),
    /// Another method's record, by its key.
    Record(&'static str),
}

/// What each of the seed's papers cites, in the order the papers are written.
const CITED: [&[Source]; 10] = [
    &[Source::Talk("韦红梅"), Source::Record("汇报")],
    &[Source::Talk("罗建平")],
    &[Source::Doc(1), Source::Talk("黄永生")],
    &[Source::Talk("陈思远")],
    &[Source::Letter(5)],
    &[
        Source::Record("测评"),
        Source::Record("处级干部座谈会"),
        Source::Talk("梁春燕"),
    ],
    &[Source::Doc(1), Source::Talk("梁春燕")],
    &[Source::Letter(2), Source::Doc(2), Source::Talk("农卫东")],
    &[Source::Talk("李明华"), Source::Record("直属单位座谈会")],
    &[
        Source::Letter(1),
        Source::Doc(3),
        Source::Record("下沉了解"),
        Source::Talk("甘志华"),
    ],
];

/// The days the seed's papers are written, each a working day on site.
const PAPERS_WRITTEN: [Date; 10] = [
    day(9, 26),
    day(10, 8),
    day(10, 15),
    day(10, 18),
    day(10, 21),
    day(10, 25),
    day(10, 30),
    day(11, 6),
    day(11, 13),
    day(11, 19),
];

/// The seed's team at work: who they are and what they have recorded so far.
pub struct Site<'a> {
    s: &'a Services<Db>,
    timeline: &'a Timeline,
    inspection: Id,
    unit: Id,
    pool: &'a Pool,
    lead: Actor,
    deputy: Actor,
    member: Actor,
    liaison: Actor,
    categories: Vec<Category>,
    plan: HashMap<&'static str, Id>,
    talks: HashMap<&'static str, Id>,
    /// The register, each letter as last saved, by number from 1.
    letters: Vec<Letter>,
    docs: Vec<DocRequest>,
    records: HashMap<&'static str, Id>,
}

impl<'a> Site<'a> {
    pub async fn new(
        s: &'a Services<Db>,
        timeline: &'a Timeline,
        inspection: Id,
        pool: &'a Pool,
    ) -> Result<Site<'a>, CoreError> {
        let office = as_user(s, "office").await?;
        let (insp, _) = s.get_inspection(&office, inspection).await?;
        let member = as_user(s, "teammember").await?;
        Ok(Site {
            s,
            timeline,
            inspection,
            unit: insp.target_ids[0],
            pool,
            lead: as_user(s, "teamlead").await?,
            deputy: as_user(s, "teamdeputy").await?,
            categories: seed::categories(s, &member, inspection).await?,
            member,
            liaison: as_user(s, "liaison").await?,
            plan: HashMap::new(),
            talks: HashMap::new(),
            letters: Vec::new(),
            docs: Vec::new(),
            records: HashMap::new(),
        })
    }

    /// Two days before entry, still in preparation: the leader publishes the announcement and
    /// the team draws up its talk plan.
    pub async fn before_entry(&mut self, entry: Date, exit: Date) -> Result<(), CoreError> {
        self.timeline.on(ANNOUNCED)?;
        self.s
            .save_announcement(
                &self.lead,
                self.inspection,
                &AnnouncementInput {
                    hotline: "0771-2188300（每天8:00—20:00）".into(),
                    mailbox: "自治区党委宣传部机关办公楼一楼大厅（巡视组意见箱）".into(),
                    postal_box: "南宁市A033号邮政信箱（邮编530028）".into(),
                    email: "xsz3@demo.example.org".into(),
                    opens_on: entry.to_string(),
                    closes_on: exit.to_string(),
                    scope: ANNOUNCEMENT_SCOPE.into(),
                    version: None,
                },
            )
            .await?;
        for (name, post, group) in PLAN {
            let e = self
                .s
                .plan_talk(
                    &self.member,
                    self.inspection,
                    &TalkPlanInput {
                        name: (*name).into(),
                        post: (*post).into(),
                        group: (*group).into(),
                    },
                )
                .await?;
            self.plan.insert(name, e.id);
        }
        Ok(())
    }

    /// From the day of entry to the last paper: the letter handler, the talks, letters,
    /// materials, forums and appraisal, and the ten papers, each citing what it rests on.
    /// Returns the papers, for the team's meeting to approve.
    pub async fn on_site(&mut self, findings: &Findings<'_>) -> Result<Vec<Problem>, CoreError> {
        let mut papers = Vec::new();
        self.on(day(9, 18))?;
        // The leader appoints the member who keeps the register to handle the letters.
        self.s
            .set_letter_handler(&self.lead, self.inspection, self.pool.member, true)
            .await?;
        self.record("汇报").await?;
        self.record("测评").await?;
        self.on(day(9, 19))?;
        self.talk("韦红梅").await?;
        self.send_doc(1).await?;
        self.on(day(9, 20))?;
        self.talk("罗建平").await?;
        self.letter(1).await?;
        self.on(day(9, 23))?;
        self.talk("黄永生").await?;
        self.letter(2).await?;
        self.answer_doc(1).await?;
        self.on(day(9, 24))?;
        self.talk("陈思远").await?;
        self.talk("李明华").await?;
        self.letter(3).await?;
        self.handle(
            1,
            Handling {
                disposition: "列入重点了解事项，结合调阅直属单位项目资金材料和下沉了解核实。",
                ..TAKEN_UP
            },
        )
        .await?;
        self.on(day(9, 25))?;
        self.handle(
            2,
            Handling {
                disposition: "结合调阅干部选拔任用材料和个别谈话了解。",
                ..TAKEN_UP
            },
        )
        .await?;
        self.handle(
            3,
            Handling {
                scope: "passed_on",
                passed_to: "自治区信访局",
                passed_letter: "桂巡三转〔2019〕1号",
                duplicate_of: None,
                disposition: "不属于巡视受理范围，已按规定转自治区信访局办理，并当面告知来访人。",
                status: "closed",
            },
        )
        .await?;
        self.record("处级干部座谈会").await?;
        self.paper(findings, 0, &mut papers).await?;
        self.paper(findings, 1, &mut papers).await?;
        self.on(day(10, 9))?;
        self.talk("农卫东").await?;
        self.send_doc(2).await?;
        self.on(day(10, 10))?;
        self.talk("梁春燕").await?;
        self.letter(4).await?;
        self.on(day(10, 11))?;
        self.handle(
            4,
            Handling {
                duplicate_of: Some(1),
                disposition: "与第 1 号来信反映同一事项，并入第 1 号件一并了解。",
                status: "closed",
                ..TAKEN_UP
            },
        )
        .await?;
        self.letter(5).await?;
        self.on(day(10, 14))?;
        self.answer_doc(2).await?;
        self.handle(
            5,
            Handling {
                disposition: "结合文明城市创建督查工作情况了解。",
                ..TAKEN_UP
            },
        )
        .await?;
        self.paper(findings, 2, &mut papers).await?;
        self.on(day(10, 16))?;
        self.talk("苏文涛").await?;
        self.on(day(10, 17))?;
        self.record("直属单位座谈会").await?;
        self.paper(findings, 3, &mut papers).await?;
        self.send_doc(3).await?;
        self.paper(findings, 4, &mut papers).await?;
        self.on(day(10, 22))?;
        self.talk("甘志华").await?;
        self.on(day(10, 23))?;
        self.answer_doc(3).await?;
        self.on(day(10, 24))?;
        self.record("下沉了解").await?;
        self.paper(findings, 5, &mut papers).await?;
        self.paper(findings, 6, &mut papers).await?;
        self.on(day(11, 5))?;
        self.talk("宁晓燕").await?;
        for i in 7..PAPERS_WRITTEN.len() {
            self.paper(findings, i, &mut papers).await?;
        }
        self.on(day(11, 20))?;
        self.return_doc(1).await?;
        self.return_doc(2).await?;
        Ok(papers)
    }

    /// Before leaving: the letters taken up are closed, the last materials given back, and the
    /// clues registered since the papers cite what they came from.
    pub async fn leaving(&mut self, clues: &SeedClues) -> Result<(), CoreError> {
        self.on(LEAVING)?;
        self.return_doc(3).await?;
        for (number, disposition) in CLOSED_ON_LEAVING {
            let h = Handling {
                disposition,
                status: "closed",
                ..TAKEN_UP
            };
            self.handle(number, h).await?;
        }
        let [funds, gift] = clues.cadres;
        let cited: [(Id, &[Source]); 3] = [
            (
                funds,
                &[Source::Letter(1), Source::Letter(4), Source::Doc(3)],
            ),
            (gift, &[Source::Talk("宁晓燕")]),
            (clues.selection, &[Source::Letter(2), Source::Doc(2)]),
        ];
        for (clue, sources) in cited {
            self.cite(CitingKind::Clue, clue, sources).await?;
        }
        Ok(())
    }

    fn on(&self, d: Date) -> Result<(), CoreError> {
        self.timeline.on(d)
    }

    fn inspector(&self, who: Who) -> Id {
        match who {
            Who::Leader => self.pool.leader,
            Who::Deputy => self.pool.deputy,
            Who::Member => self.pool.member,
            Who::Colleague => self.pool.colleague,
        }
    }

    fn actor(&self, who: Who) -> Result<&Actor, CoreError> {
        match who {
            Who::Leader => Ok(&self.lead),
            Who::Deputy => Ok(&self.deputy),
            Who::Member => Ok(&self.member),
            Who::Colleague => Err(CoreError::internal("陆佳音 has no account to record with")),
        }
    }

    async fn talk(&mut self, name: &'static str) -> Result<(), CoreError> {
        let spec = TALKS
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| CoreError::internal(format!("no talk with {name}")))?;
        let post = match spec.post {
            Some(p) => p,
            None => PLAN
                .iter()
                .find(|(n, ..)| *n == name)
                .map(|(_, p, _)| *p)
                .ok_or_else(|| CoreError::internal(format!("{name} is not in the plan")))?,
        };
        let t = self
            .s
            .record_talk(
                self.actor(spec.with[0])?,
                self.inspection,
                &TalkInput {
                    interviewee_name: name.into(),
                    interviewee_post: post.into(),
                    talked_on: self.timeline.today().to_string(),
                    place: "巡视组驻地谈话室".into(),
                    inspector_ids: spec
                        .with
                        .iter()
                        .map(|w| self.inspector(*w).to_string())
                        .collect(),
                    text: spec.text.into(),
                    confirmed: true,
                    plan_entry_id: self.plan.get(name).map(Id::to_string),
                },
            )
            .await?;
        self.talks.insert(name, t.id);
        Ok(())
    }

    /// Registers letter `number` of the register, received today.
    async fn letter(&mut self, number: usize) -> Result<(), CoreError> {
        let spec = &LETTERS[number - 1];
        let (writer_name, writer_contact) = spec.writer.unwrap_or_default();
        let l = self
            .s
            .register_letter(
                &self.member,
                self.inspection,
                &LetterInput {
                    channel: spec.channel.into(),
                    received_on: self.timeline.today().to_string(),
                    anonymous: spec.writer.is_none(),
                    writer_name: writer_name.into(),
                    writer_contact: writer_contact.into(),
                    about_name: spec.about_name.into(),
                    about_post: spec.about_post.into(),
                    content: spec.content.into(),
                    discipline: spec.discipline.map(str::to_owned),
                    category_id: self.category(spec.heading)?,
                },
            )
            .await?;
        if l.number != number as i64 {
            return Err(CoreError::internal(format!(
                "letter {number} was registered as number {}",
                l.number
            )));
        }
        self.letters.push(l);
        Ok(())
    }

    fn category(&self, heading: Option<&str>) -> Result<Option<String>, CoreError> {
        heading
            .map(|h| {
                self.categories
                    .iter()
                    .find(|c| c.name == h)
                    .map(|c| c.id.to_string())
                    .ok_or_else(|| CoreError::internal(format!("no category {h}")))
            })
            .transpose()
    }

    async fn handle(&mut self, number: usize, h: Handling) -> Result<(), CoreError> {
        let spec = &LETTERS[number - 1];
        let before = &self.letters[number - 1];
        let after = self
            .s
            .handle_letter(
                &self.member,
                before.id,
                &LetterHandlingInput {
                    version: before.version,
                    discipline: spec.discipline.map(str::to_owned),
                    category_id: self.category(spec.heading)?,
                    scope: h.scope.into(),
                    passed_to: h.passed_to.into(),
                    passed_letter: h.passed_letter.into(),
                    duplicate_of: h.duplicate_of.map(|n| self.letters[n - 1].id.to_string()),
                    disposition: h.disposition.into(),
                    status: h.status.into(),
                },
            )
            .await?;
        self.letters[number - 1] = after;
        Ok(())
    }

    async fn send_doc(&mut self, number: usize) -> Result<(), CoreError> {
        let spec = &DOCS[number - 1];
        let today = self.timeline.today();
        let due = today
            .checked_add(jiff::Span::new().days(spec.due_in))
            .map_err(CoreError::internal)?;
        let d = self
            .s
            .send_doc_request(
                &self.member,
                self.inspection,
                &DocRequestInput {
                    unit_id: self.unit.to_string(),
                    materials: spec.materials.into(),
                    sent_on: today.to_string(),
                    due_on: Some(due.to_string()),
                    notes: spec.notes.into(),
                },
            )
            .await?;
        self.docs.push(d);
        Ok(())
    }

    /// The department's liaison provides the materials, today.
    async fn answer_doc(&mut self, number: usize) -> Result<(), CoreError> {
        let before = &self.docs[number - 1];
        let after = self
            .s
            .answer_doc_request(
                &self.liaison,
                before.id,
                &DocAnswerInput {
                    version: before.version,
                    answer: DOCS[number - 1].answer.into(),
                    delivered_on: self.timeline.today().to_string(),
                },
            )
            .await?;
        self.docs[number - 1] = after;
        Ok(())
    }

    async fn return_doc(&mut self, number: usize) -> Result<(), CoreError> {
        let before = &self.docs[number - 1];
        let after = self
            .s
            .return_doc_request(
                &self.member,
                before.id,
                &DocReturnInput {
                    version: before.version,
                    returned_on: self.timeline.today().to_string(),
                },
            )
            .await?;
        self.docs[number - 1] = after;
        Ok(())
    }

    async fn record(&mut self, key: &'static str) -> Result<(), CoreError> {
        let spec = RECORDS
            .iter()
            .find(|r| r.key == key)
            .ok_or_else(|| CoreError::internal(format!("no record {key}")))?;
        let r = self
            .s
            .add_field_record(
                &self.member,
                self.inspection,
                &FieldRecordInput {
                    method: spec.method.into(),
                    held_on: self.timeline.today().to_string(),
                    participants: spec.participants.into(),
                    summary: spec.summary.into(),
                    forms_out: spec.forms.map(|(out, _)| out),
                    forms_back: spec.forms.map(|(_, back)| back),
                },
            )
            .await?;
        if spec.method == "appraisal" {
            self.s
                .add_fieldwork_file(
                    &self.member,
                    SourceKind::FieldRecord,
                    r.id,
                    "民主测评结果汇总表.xlsx",
                    appraisal_tally()?,
                )
                .await?;
        }
        self.records.insert(key, r.id);
        Ok(())
    }

    /// Paper `i` of the findings, written on its day and citing its sources.
    async fn paper(
        &mut self,
        findings: &Findings<'_>,
        i: usize,
        papers: &mut Vec<Problem>,
    ) -> Result<(), CoreError> {
        self.on(PAPERS_WRITTEN[i])?;
        let p = seed::write_paper(
            self.s,
            &self.member,
            self.inspection,
            &self.categories,
            findings,
            findings.problems[i],
        )
        .await?;
        self.cite(CitingKind::Problem, p.id, CITED[i]).await?;
        papers.push(p);
        Ok(())
    }

    async fn cite(
        &self,
        kind: CitingKind,
        citing: Id,
        sources: &[Source],
    ) -> Result<(), CoreError> {
        for source in sources {
            let (source_kind, id) = self.source(*source)?;
            self.s
                .cite_source(
                    &self.member,
                    kind,
                    citing,
                    &CitationInput {
                        source_kind: source_kind.as_str().into(),
                        source_id: id.to_string(),
                    },
                )
                .await?;
        }
        Ok(())
    }

    fn source(&self, source: Source) -> Result<(SourceKind, Id), CoreError> {
        let missing = || CoreError::internal("a paper cites what was not yet recorded");
        Ok(match source {
            Source::Talk(name) => (SourceKind::Talk, *self.talks.get(name).ok_or_else(missing)?),
            Source::Letter(n) => (
                SourceKind::Letter,
                self.letters.get(n - 1).ok_or_else(missing)?.id,
            ),
            Source::Doc(n) => (
                SourceKind::DocRequest,
                self.docs.get(n - 1).ok_or_else(missing)?.id,
            ),
            Source::Record(key) => (
                SourceKind::FieldRecord,
                *self.records.get(key).ok_or_else(missing)?,
            ),
        })
    }
}
