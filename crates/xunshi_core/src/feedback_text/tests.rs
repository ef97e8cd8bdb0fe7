//! The reading of whole texts: the seed article and texts written for these tests in the
//! shapes real ones take (`testdata/feedback/`), and short texts for single rules.

use super::*;

fn date(y: i16, m: i8, d: i8) -> Option<jiff::civil::Date> {
    Some(jiff::civil::date(y, m, d))
}

fn sizes(p: &ParsedFeedback) -> Vec<usize> {
    p.problem_groups.iter().map(Vec::len).collect()
}

#[test]
fn seed_article() {
    let p = parse(include_str!(
        "../../testdata/feedback/seed-guangxi-2020.txt"
    ));
    assert_eq!(sizes(&p), [5, 3, 2]);
    assert_eq!(p.problem_groups[0][0], "落实党管宣传思想文化职责存在薄弱点");
    assert_eq!(p.problem_groups[2][0], "落实“两个责任”不够到位");
    assert_eq!(p.problem_groups[2][1], "对个别直属单位资金项目监管不够严格");
    assert_eq!(p.recommendations.len(), 3);
    assert_eq!(
        p.recommendations[0],
        "牢固树立大局意识,切实履行统筹指导协调宣传思想文化工作职责"
    );
    assert!(p.recommendations[2].starts_with("切实履行从严治党政治职责"));
    assert_eq!(p.feedback_date, date(2020, 3, 25));
    assert_eq!(p.onsite_from, date(2019, 9, 18));
    assert_eq!(p.onsite_to, date(2019, 12, 18));
    assert_eq!(
        p.clues_transferred_to,
        ["自治区纪委监委", "自治区党委组织部"]
    );
    assert_eq!(p.unit.as_deref(), Some("自治区党委宣传部"));
    assert_eq!(p.inspection_body.as_deref(), Some("自治区党委第三巡视组"));
    assert_eq!(p.team_leader.as_deref(), Some("于洁"));
    // The leader's requirements, not the unit's pledge.
    assert!(!p.requirements.is_empty());
    assert!(p.requirements[0].starts_with("自治区党委宣传部领导班子要严肃对待"));
    assert!(p.requirements.iter().all(|r| !r.contains("我们")));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn county_news_in_ascii_punctuation() {
    let p = parse(include_str!(
        "../../testdata/feedback/news-ascii-county.txt"
    ));
    assert_eq!(sizes(&p), [3, 4, 3]);
    // "、" never cuts an item; the closing 等 is dropped.
    assert_eq!(p.problem_groups[2][2], "党员发展、教育、管理不规范");
    assert_eq!(p.problem_groups[1][3], "违反中央八项规定精神问题仍有发生");
    assert_eq!(p.problem_groups[2][1], "\"三会一课\"制度落实不到位");
    assert_eq!(
        p.recommendations,
        [
            "提高政治站位,扛起乡村振兴政治责任",
            "压实管党治党责任,持续加强党风廉政建设",
            "加强基层党组织建设,切实发挥战斗堡垒作用",
        ]
    );
    assert_eq!(p.requirements.len(), 3, "{:?}", p.requirements);
    assert!(p.requirements[0].starts_with("要切实提高思想认识"));
    assert!(p.requirements.iter().all(|r| !r.contains("照单全收")));
    assert_eq!(p.onsite_from, date(2022, 3, 8));
    assert_eq!(p.onsite_to, date(2022, 5, 6));
    assert_eq!(p.feedback_date, date(2022, 6, 28));
    assert_eq!(p.unit.as_deref(), Some("县农业农村局党组"));
    assert_eq!(p.inspection_body.as_deref(), Some("县委第二巡察组"));
    assert_eq!(p.team_leader.as_deref(), Some("陈建国"));
    assert_eq!(p.clues_transferred_to, ["县纪委监委"]);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn central_news_with_numbered_sentence_groups_and_a_wrong_count() {
    let p = parse(include_str!(
        "../../testdata/feedback/news-central-numbered.txt"
    ));
    assert_eq!(sizes(&p), [4, 5, 4, 2]);
    assert_eq!(p.problem_groups[0][0], "贯彻落实党中央决策部署不够到位");
    assert_eq!(p.problem_groups[1][4], "重点领域廉洁风险突出");
    assert_eq!(p.recommendations.len(), 4);
    assert_eq!(p.recommendations[0], "提高政治站位，坚决做到“两个维护”");
    assert_eq!(p.feedback_date, date(2020, 1, 15));
    assert_eq!(p.onsite_from, date(2019, 10, 12));
    assert_eq!(p.onsite_to, date(2019, 12, 31));
    assert_eq!(
        p.clues_transferred_to,
        ["中央纪委国家监委", "中央组织部", "国务院国资委"]
    );
    assert_eq!(p.team_leader.as_deref(), Some("王志明"));
    assert!(p.requirements.is_empty(), "{:?}", p.requirements);
    assert_eq!(p.warnings, ["文中说有5类（方面）问题，识别出4组"]);
}

#[test]
fn formal_document_with_headings_and_numbered_items() {
    let p = parse(include_str!("../../testdata/feedback/formal-document.txt"));
    assert_eq!(sizes(&p), [2, 3, 2]);
    assert_eq!(
        p.problem_group_titles[1].as_deref(),
        Some("落实全面从严治党战略部署方面")
    );
    assert_eq!(
        p.problem_groups[0][0],
        "学习贯彻习近平新时代中国特色社会主义思想不够深入"
    );
    assert_eq!(p.problem_groups[1][2], "违反中央八项规定精神问题仍有发生");
    assert_eq!(p.recommendations.len(), 3);
    assert_eq!(p.recommendations[1], "压实管党治党责任，持续正风肃纪");
    assert_eq!(p.requirements.len(), 2, "{:?}", p.requirements);
    assert!(p.requirements[0].starts_with("请市文化和旅游局党组"));
    assert_eq!(p.onsite_from, date(2021, 4, 12));
    assert_eq!(p.onsite_to, date(2021, 6, 11));
    assert_eq!(p.feedback_date, date(2021, 7, 20));
    assert_eq!(p.unit.as_deref(), Some("市文化和旅游局党组"));
    assert_eq!(p.inspection_body.as_deref(), Some("市委第三巡察组"));
}

#[test]
fn sentence_groups_and_fewer_recommendations_than_stated() {
    let p = parse(include_str!(
        "../../testdata/feedback/news-sentences-mismatch.txt"
    ));
    assert_eq!(sizes(&p), [2, 3, 2]);
    assert_eq!(p.problem_groups[2][1], "年轻干部培养选拔力度不大");
    assert_eq!(p.recommendations.len(), 2);
    assert_eq!(p.feedback_date, date(2023, 6, 8));
    assert_eq!(p.onsite_from, date(2023, 2, 20));
    assert_eq!(p.clues_transferred_to, ["省纪委监委", "省委组织部"]);
    assert_eq!(p.team_leader.as_deref(), Some("孙立平"));
    assert!(p.requirements.is_empty(), "{:?}", p.requirements);
    assert_eq!(p.warnings, ["文中说有3条意见建议，识别出2条"]);
}

#[test]
fn numbered_clause_groups_with_headings() {
    let p = parse(
        "巡视发现的主要问题有：（一）政治建设方面，理论学习不深入，“第一议题”制度落实不到位；\
         （二）作风建设方面，文山会海问题依然存在；（三）干部队伍建设方面，干部梯队建设不合理等。",
    );
    assert_eq!(sizes(&p), [2, 1, 1]);
    assert_eq!(p.problem_group_titles[0].as_deref(), Some("政治建设方面"));
    assert_eq!(p.problem_groups[2], ["干部梯队建设不合理"]);
}

#[test]
fn dot_numbered_groups_in_one_sentence() {
    let p = parse("存在的主要问题：1.甲项工作不到位，乙项工作不扎实；2.丙项工作有差距；3.丁项等。");
    assert_eq!(sizes(&p), [2, 1, 1]);
    assert_eq!(p.problem_groups[2], ["丁项"]);
}

#[test]
fn unnumbered_recommendations_split_on_semicolons() {
    let p = parse(
        "主要是：甲问题突出，乙问题明显。巡视组提出意见建议：加强党的政治建设；压实主体责任；健全制度机制。",
    );
    assert_eq!(
        p.recommendations,
        ["加强党的政治建设", "压实主体责任", "健全制度机制"]
    );
}

#[test]
fn a_problem_about_clues_does_not_end_the_list() {
    let p = parse(
        "主要是：一是问题线索处置不及时，核查不深入。二是财务管理不规范。同时，巡视组还收到问题线索，已转市纪委监委处理。",
    );
    assert_eq!(sizes(&p), [2, 1]);
    assert_eq!(p.clues_transferred_to, ["市纪委监委"]);
}

#[test]
fn empty_or_foreign_text_says_what_is_missing() {
    let p = parse("今天天气很好。");
    assert!(p.problem_groups.is_empty());
    assert!(p.warnings.iter().any(|w| w.starts_with("未找到问题清单")));
    assert!(p.warnings.iter().any(|w| w == "未找到意见建议"));
}

#[test]
fn month_only_dates_are_not_guessed() {
    let p = parse("2019年10月至12月，市委第一巡察组对市审计局党组进行了巡察。");
    assert_eq!((p.onsite_from, p.onsite_to), (None, None));
    assert!(p.warnings.iter().any(|w| w.contains("只写到月")));
    assert_eq!(p.unit.as_deref(), Some("市审计局党组"));
}

#[test]
fn a_list_after_some_problems_and_a_comma() {
    let p = parse(
        "反馈指出，被巡察党组织总体向好。但巡察也发现了一些问题和不足，有的贯彻落实新发展理念不够完整准确全面，\
         推动高质量发展不够有力；有的全面从严治党主体责任压得不实；有的巡察整改责任落得不实，整改成效还需巩固。\
         反馈要求，被巡察党组织要强化政治担当，切实扛稳抓牢巡察整改主体责任。",
    );
    assert_eq!(sizes(&p), [2, 1, 2]);
    assert_eq!(
        p.requirements,
        ["被巡察党组织要强化政治担当，切实扛稳抓牢巡察整改主体责任"]
    );
}

#[test]
fn titled_sentence_groups_and_requirements_announced_with_a_colon() {
    let p = parse(include_str!(
        "../../testdata/feedback/news-titled-groups.txt"
    ));
    // A group of one sentence is its own item.
    assert_eq!(sizes(&p), [2, 3, 1]);
    assert_eq!(
        p.problem_group_titles,
        [
            Some("党的领导弱化".to_owned()),
            Some("全面从严治党不力".to_owned()),
            None
        ]
    );
    assert_eq!(p.problem_groups[2], ["党的建设缺失"]);
    assert_eq!(p.problem_groups[1][2], "对下属医院监管偏松");
    assert_eq!(
        p.recommendations,
        [
            "强化政治引领，推动深化医改任务落地见效",
            "严格落实管党治党责任，持续纠治医疗领域不正之风",
        ]
    );
    assert_eq!(
        p.requirements,
        [
            "提高思想认识，把抓好巡察整改作为重大政治任务",
            "压实整改责任，主要负责同志要亲自抓、负总责",
            "强化成果运用，建立健全长效机制",
        ]
    );
    assert_eq!(p.unit.as_deref(), Some("市卫生健康委员会党组"));
    assert_eq!(p.inspection_body.as_deref(), Some("市委第四巡察组"));
    assert_eq!(p.team_leader.as_deref(), Some("何丽萍"));
    assert_eq!(p.clues_transferred_to, ["市纪委监委", "市委组织部"]);
    assert_eq!(p.feedback_date, None);
    assert_eq!(p.warnings, ["未找到反馈日期"]);
}

#[test]
fn the_day_a_page_was_published_is_not_the_feedback_day() {
    let p = parse(
        "来源：示例网 发布时间：2020年03月27日 09:34 根据部署，3月25日，省委第一巡视组向省体育局党组反馈了巡视情况。",
    );
    assert_eq!(p.feedback_date, date(2020, 3, 25));
    assert_eq!(p.unit.as_deref(), Some("省体育局党组"));
}

proptest::proptest! {
    /// Whatever is pasted, the reading answers (it never panics on a cut in the middle of a
    /// marker, a quote left open or a date out of range).
    #[test]
    fn any_text_is_read_without_failing(
        s in "[，。；：、,.;:()（）“”\"《》一二三四五十是要第1-9年月日至主要问题意见建议强调表示巡视组向反馈线索转等 \n]{0,300}"
    ) {
        let p = parse(&s);
        proptest::prop_assert_eq!(p.problem_groups.len(), p.problem_group_titles.len());
    }
}

#[test]
fn an_item_and_a_paper_title_name_the_same_problem() {
    assert!(same_problem(
        "落实“两个责任”不够到位",
        "落实\"两个责任\"不够到位"
    ));
    assert!(same_problem(
        "对个别直属单位资金项目监管不够严格",
        "对个别直属单位资金项目监管不够严格，存在风险"
    ));
    assert!(!same_problem("党建", "党建工作不够深入"));
    assert!(!same_problem(
        "领导机关党建工作不够深入",
        "执行干部选拔任用有关规定不够到位"
    ));
}

#[test]
fn headings_of_one_word_and_requirements_announced_mid_sentence() {
    let p = parse(
        "3月2日下午，省委第十五巡视组向某市委反馈了巡视情况。\n问题\n\
         对巡视整改重视不够，多数未整改到位。经济建设领域形式主义、官僚主义依然存在。\
         此外，巡视组还收到一些反映领导干部的问题线索，已按规定移交各级纪检监察机关、组织部门处理。\n\
         建议\n牢固树立抓党建是最大政绩的观念，不断提高党建工作水平。严格执行“三重一大”决策制度。\n\
         省委巡视工作领导小组成员出席反馈会，对做好巡视整改工作提出明确要求，强调被巡视党组织要提高政治站位。",
    );
    assert_eq!(sizes(&p), [2, 1]);
    assert_eq!(
        p.recommendations,
        [
            "牢固树立抓党建是最大政绩的观念，不断提高党建工作水平",
            "严格执行“三重一大”决策制度"
        ]
    );
    assert_eq!(p.requirements, ["被巡视党组织要提高政治站位"]);
    assert_eq!(p.clues_transferred_to, ["各级纪检监察机关", "组织部门"]);
}

#[test]
fn recommendations_called_rectification_opinions_and_a_speaker_after_an_opening_clause() {
    let p = parse(
        "巡视中也发现一些问题，主要是：甲工作不到位，乙工作不扎实；丙工作有差距。\
         王明就做好巡视整改工作提出了3条整改意见：一是提高站位；二是压实责任；三是建章立制。\n\
         反馈会上，省委巡视办副主任李强强调，要以高度的政治自觉抓好整改。",
    );
    assert_eq!(sizes(&p), [2, 1]);
    assert_eq!(p.recommendations, ["提高站位", "压实责任", "建章立制"]);
    assert_eq!(p.requirements, ["要以高度的政治自觉抓好整改"]);
    assert!(
        p.warnings.iter().all(|w| !w.starts_with("文中说")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn a_list_marker_is_taken_off_and_a_text_that_only_looks_numbered_is_kept() {
    assert_eq!(without_marker("1.理论学习不深入"), "理论学习不深入");
    assert_eq!(without_marker("（二）理论学习不深入"), "理论学习不深入");
    assert_eq!(without_marker(" 三、理论学习不深入 "), "理论学习不深入");
    assert_eq!(without_marker("一是理论学习不深入"), "理论学习不深入");
    assert_eq!(
        without_marker("三会一课制度落实不到位"),
        "三会一课制度落实不到位"
    );
    assert_eq!(
        without_marker("2020年专项资金管理不严"),
        "2020年专项资金管理不严"
    );
    assert_eq!(without_marker("1."), "1.");
}
