//! Feedback text → items: a pasted feedback document, or a news report of one, read into the
//! structure of a feedback (the problems in their groups, the recommendations, the other
//! speakers' requirements, the dates, the team and the unit) for a person to correct and
//! confirm. Nothing here decides anything: it proposes, and says in `warnings` what it doubts.
//!
//! Real texts differ in every detail, so the reading keys on the few things they share: the
//! list follows "主要是" / "主要问题"; groups are cut by "；" (or are sentences, or numbered);
//! items by "，" but never "、"; the recommendations follow "意见建议" and are numbered; the
//! requirements are what another speaker "强调"; the unit's pledge ("表示", "表态") is neither.

mod dates;
mod meta;
mod scan;
mod sections;

use serde::Serialize;

use crate::error::{CoreError, Result};

use dates::{Written, context_year, dates_in, range_dates, range_from};
use scan::Text;

/// The structure proposed for a feedback text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ParsedFeedback {
    /// The inspected unit (被巡视党组织), as the text names it.
    pub unit: Option<String>,
    /// The team that inspected it: 自治区党委第三巡视组.
    pub inspection_body: Option<String>,
    /// The team's leader (组长), by name.
    pub team_leader: Option<String>,
    /// First day on site.
    #[schema(value_type = Option<String>, format = Date)]
    pub onsite_from: Option<jiff::civil::Date>,
    /// Last day on site.
    #[schema(value_type = Option<String>, format = Date)]
    pub onsite_to: Option<jiff::civil::Date>,
    /// The day the feedback was given.
    #[schema(value_type = Option<String>, format = Date)]
    pub feedback_date: Option<jiff::civil::Date>,
    /// The problems, one list per group, in the text's order.
    pub problem_groups: Vec<Vec<String>>,
    /// Each group's heading where the text gives one ("党的政治建设方面"), else null; as long
    /// as `problem_groups`.
    pub problem_group_titles: Vec<Option<String>>,
    /// The recommendations' headings, without their ordinal markers.
    pub recommendations: Vec<String>,
    /// What other speakers required of the unit's rectification.
    pub requirements: Vec<String>,
    /// The bodies the clues were handed to.
    pub clues_transferred_to: Vec<String>,
    /// What the reading doubts: a stated count that disagrees with what was found, a part not
    /// found, a date without its day.
    pub warnings: Vec<String>,
}

/// The most characters a pasted text may have: twice a long feedback document (some 20,000).
pub const MAX_CHARS: usize = 40_000;

/// Refuses a text the parser should not be given: blank, longer than [`MAX_CHARS`], or with
/// a character typed text may not hold (`crate::text`).
pub fn check_input(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(CoreError::bad_input(
            "text",
            "请粘贴反馈意见或反馈情况新闻报道的文本",
        ));
    }
    if text.chars().count() > MAX_CHARS {
        return Err(CoreError::bad_input(
            "text",
            format!("文本不能超过 {MAX_CHARS} 个字"),
        ));
    }
    crate::text::check("text", text)
}

/// Reads `text` into the proposed structure. Never fails: what it cannot find stays empty and
/// is named in `warnings`.
pub fn parse(text: &str) -> ParsedFeedback {
    let t = Text::new(text);
    let mut out = ParsedFeedback::default();
    let (unit, body) = meta::unit_and_body(&t);
    out.unit = unit;
    out.inspection_body = body;
    out.team_leader = meta::team_leader(&t);
    out.clues_transferred_to = meta::clue_recipients(&t);
    read_dates(&t, &mut out);

    let layout = sections::read(&t);
    out.problem_group_titles = layout.groups.iter().map(|g| g.title.clone()).collect();
    out.problem_groups = layout.groups.into_iter().map(|g| g.items).collect();
    out.recommendations = layout.recommendations;
    out.requirements = layout.requirements;
    out.warnings.extend(layout.warnings);
    let mismatches = check_counts(&out, &layout.stated);
    out.warnings.extend(mismatches);
    out
}

/// `text` without the list marker it may begin with (`1.`, `（一）`, `二、`, `一是`, `①`), read
/// as the feedback's items are; a text that only looks numbered (`三会一课…`, `2020年…`) is
/// left whole.
pub fn without_marker(text: &str) -> String {
    let trimmed = text.trim();
    let t = scan::Text::new(trimmed);
    match scan::marker(&t, 0) {
        Some((_, _, rest)) if rest < t.len() => t.out(rest, t.len()),
        _ => trimmed.to_owned(),
    }
}

/// Whether a proposed item and a working paper's title name the same problem: equal, or one
/// holding the other, once punctuation and spaces are set aside ("落实“两个责任”不够到位" and
/// "落实\"两个责任\"不够到位"). Short texts must be equal, so that "党建" matches nothing.
pub fn same_problem(item: &str, title: &str) -> bool {
    let bare = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric() && !c.is_whitespace())
            .collect()
    };
    let (a, b) = (bare(item), bare(title));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let shorter = a.chars().count().min(b.chars().count());
    a == b || (shorter >= 6 && (a.contains(&b) || b.contains(&a)))
}

/// A count the text states ("三点意见建议", "5类问题") against what was found.
fn check_counts(out: &ParsedFeedback, stated: &sections::Stated) -> Vec<String> {
    let mut w = Vec::new();
    let items: usize = out.problem_groups.iter().map(Vec::len).sum();
    if let Some(n) = stated.groups
        && n != out.problem_groups.len()
    {
        w.push(format!(
            "文中说有{n}类（方面）问题，识别出{}组",
            out.problem_groups.len()
        ));
    }
    if let Some(n) = stated.items
        && n != items
    {
        w.push(format!("文中说有{n}个问题，识别出{items}个"));
    }
    if let Some(n) = stated.recommendations
        && n != out.recommendations.len()
    {
        w.push(format!(
            "文中说有{n}条意见建议，识别出{}条",
            out.recommendations.len()
        ));
    }
    if let Some(n) = stated.requirements
        && n != out.requirements.len()
    {
        w.push(format!(
            "文中说有{n}点要求，识别出{}条",
            out.requirements.len()
        ));
    }
    w
}

/// The days on site (the first range in a sentence about the inspection) and the feedback day
/// (a date in a sentence about the feedback; else a document's closing date line).
fn read_dates(t: &Text, out: &mut ParsedFeedback) {
    let all = dates_in(t, 0, t.len());
    let mut range_parts: Vec<(usize, usize)> = Vec::new();
    for d in &all {
        let Some(r) = range_from(t, *d) else { continue };
        range_parts.push((r.from.start, r.to.end));
        if out.onsite_from.is_some() || out.onsite_to.is_some() {
            continue;
        }
        let (sa, sb) = sentence_of(t, d.start);
        let about = t.s(sa, sb);
        if !["巡视", "巡察", "进驻"].iter().any(|w| about.contains(w)) {
            continue;
        }
        let (from, to) = range_dates(&r, context_year(&all, d.start));
        if r.from.day.is_none() || r.to.day.is_none() {
            out.warnings
                .push("进驻时间只写到月，未能确定起止日期".to_owned());
        }
        out.onsite_from = from;
        out.onsite_to = to;
    }
    let in_range = |d: &Written| range_parts.iter().any(|&(a, b)| d.start >= a && d.end <= b);
    let year_for = |d: &Written| -> Option<i16> {
        // Feedback follows the fieldwork: a day written without its year is the first such
        // day after the last day on site.
        if let Some(to) = out.onsite_to {
            let y = to.year();
            let same = d.date(Some(y))?;
            return Some(if same >= to { y } else { y + 1 });
        }
        context_year(&all, d.start)
    };
    // The day a page was published is not the day of the feedback.
    let published = |d: &Written| {
        let before = t.s(d.start.saturating_sub(8), d.start);
        ["发布", "来源", "时间：", "日期："]
            .iter()
            .any(|w| before.contains(w))
    };
    let mut found = None;
    for d in all.iter().filter(|d| !in_range(d) && !published(d)) {
        let (sa, sb) = sentence_of(t, d.start);
        let about = t.s(sa, sb);
        if about.contains("反馈") {
            found = d.date(year_for(d));
            if found.is_some() {
                break;
            }
        }
    }
    if found.is_none() {
        // A feedback document ends with its date on a line of its own.
        let last = all.iter().rev().find(|d| {
            let (a, b) = t.line(d.start);
            t.out(a, b) == t.out(d.start, d.end)
        });
        if let Some(d) = last.filter(|d| d.start > t.len() / 2) {
            found = d.date(year_for(d));
        }
    }
    out.feedback_date = found;
    if found.is_none() {
        out.warnings.push("未找到反馈日期".to_owned());
    }
}

fn sentence_of(t: &Text, at: usize) -> (usize, usize) {
    let ends = |c: char| "。！？\n".contains(c);
    let a = (0..at).rev().find(|&i| ends(t.n[i])).map_or(0, |i| i + 1);
    let b = (at..t.len()).find(|&i| ends(t.n[i])).unwrap_or(t.len());
    (a, b)
}

#[cfg(test)]
mod tests;
