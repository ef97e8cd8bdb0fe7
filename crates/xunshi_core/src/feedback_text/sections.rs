//! The three lists of a feedback text: where the problems begin and end and how they group,
//! the numbered recommendations after "意见建议", and the requirements of the speakers who
//! follow — each kept apart from the unit's pledge.

use super::scan::{self, Numbered, SENTENCE_END, Style, Text};

/// One group of problems.
pub(super) struct Group {
    pub(super) title: Option<String>,
    pub(super) items: Vec<String>,
}

/// Counts the text states of itself.
#[derive(Default)]
pub(super) struct Stated {
    pub(super) groups: Option<usize>,
    pub(super) items: Option<usize>,
    pub(super) recommendations: Option<usize>,
    pub(super) requirements: Option<usize>,
}

#[derive(Default)]
pub(super) struct Layout {
    pub(super) groups: Vec<Group>,
    pub(super) recommendations: Vec<String>,
    pub(super) requirements: Vec<String>,
    pub(super) stated: Stated,
    pub(super) warnings: Vec<String>,
}

pub(super) fn read(t: &Text) -> Layout {
    let mut l = Layout::default();
    let pledges = pledge_lines(t);
    let in_pledge = |at: usize| pledges.iter().any(|&(a, b)| at >= a && at < b);

    let mut after_problems = 0;
    match problems_start(t, &in_pledge) {
        Some((marker, content)) => {
            let limit = problems_limit(t, content);
            let (groups, end) = problem_groups(t, content, limit);
            l.groups = groups;
            after_problems = end;
            let (sa, _) = t.line(marker);
            let counted_from = sa.min(marker.saturating_sub(60));
            l.stated.groups = stated(t, counted_from, end, &GROUP_UNITS, &["问题"]);
            l.stated.items = stated(t, counted_from, end, &ITEM_UNITS, &["问题"]);
        }
        None => l
            .warnings
            .push("未找到问题清单（如“主要是：”“存在的主要问题”之后的内容）".to_owned()),
    }
    if l.groups.is_empty() && !l.warnings.iter().any(|w| w.starts_with("未找到问题")) {
        l.warnings.push("问题清单为空".to_owned());
    }

    let mut after_recs = after_problems;
    match recs_anchor(t, after_problems, &in_pledge) {
        Some(anchor) => {
            let (sa, sb) = sentence_bounds(t, anchor.0);
            l.stated.recommendations = stated(t, sa, sb, &REC_UNITS, &REC_NOUNS);
            let (recs, end) = recommendations(t, anchor);
            l.recommendations = recs;
            after_recs = end;
            if l.recommendations.is_empty() {
                l.warnings
                    .push("找到“意见建议”，但未能识别出编号的各条建议".to_owned());
            }
        }
        None => l.warnings.push("未找到意见建议".to_owned()),
    }
    let (reqs, stated_reqs) = requirements(t, after_recs.max(after_problems));
    l.requirements = reqs;
    l.stated.requirements = stated_reqs;
    l
}

// ---------------------------------------------------------------- problems

/// Words after which the list of problems follows, longest first at each place.
const PROBLEM_MARKERS: [&str; 20] = [
    "存在的主要问题",
    "发现的主要问题",
    "反映的主要问题",
    "问题主要有",
    "问题主要是",
    "主要问题",
    "主要表现在",
    "主要表现为",
    "主要体现在",
    "主要有",
    "主要是",
    "存在以下问题",
    "以下问题",
    "存在一些问题",
    "一些问题",
    "发现的问题",
    "存在问题",
    // "存在5个方面的问题：" — any "问题" the list follows with a colon or a number.
    "问题",
    "差距",
    "不足",
];

/// Where the list begins: after the first marker the text follows with "：", a line break or
/// a numbered item ("主要是" needs none of them). Returns the marker and the list's start.
fn problems_start(t: &Text, in_pledge: &dyn Fn(usize) -> bool) -> Option<(usize, usize)> {
    let mut loose = None;
    let mut i = 0;
    while i < t.len() {
        let Some((at, m)) = t.find_any(&PROBLEM_MARKERS, i, i + 1) else {
            i += 1;
            continue;
        };
        i = at + 1;
        if in_pledge(at) {
            continue;
        }
        let mut j = at + m.chars().count();
        for tail in ["和不足", "和短板", "和差距", "和薄弱环节"] {
            if t.starts_with(j, tail) {
                j += tail.chars().count();
            }
        }
        let after_tails = j;
        let mut colon = false;
        while j < t.len() && j - at < m.chars().count() + 6 {
            match t.n[j] {
                '：' | '\n' => colon = true,
                '是' | '有' | '为' | '在' | '如' | '下' | ' ' => {}
                _ => break,
            }
            j += 1;
        }
        let first_item = |k: usize| scan::marker(t, k).is_some_and(|(_, n, _)| n == 1);
        if colon || first_item(j) {
            return Some((at, j));
        }
        // "发现了一些问题和不足，有的…；有的…" or "…一些问题。一是…".
        let k = after_tails;
        if matches!(t.n.get(k), Some('，' | '。')) {
            let next = t.skip_space(k + 1, t.len());
            if first_item(next) {
                return Some((at, next));
            }
            let sentence_end = t.find_top(next, t.len(), &SENTENCE_END).unwrap_or(t.len());
            if t.n[k] == '，' && t.find_top(next, sentence_end, &['；']).is_some() {
                loose.get_or_insert((at, next));
            }
        }
        if m == "主要是" || m == "主要有" {
            // "主要是，…" or "主要是…" without a colon still opens the list.
            let k = if t.n.get(j) == Some(&'，') { j + 1 } else { j };
            loose.get_or_insert((at, k));
        }
    }
    loose
}

/// Where the problems must end at the latest: at the recommendations, the clues, the next
/// speaker or the next heading of another part.
fn problems_limit(t: &Text, from: usize) -> usize {
    let mut limit = t.len();
    // The list's first sentence is the list's, whatever it says.
    for s in t.sentences(from, t.len()).into_iter().skip(1) {
        let text = t.s(s.0, s.1);
        let starts_other = REC_ANCHORS.iter().any(|a| text.contains(a))
            || clue_sentence(&text)
            || speaker(t, s.0, s.1).is_some()
            || heading_of_part(t, s.0).is_some();
        if starts_other {
            limit = s.0;
            break;
        }
    }
    limit
}

/// The sentence telling of clues received and handed over, not a problem about clues
/// ("问题线索处置不及时").
fn clue_sentence(s: &str) -> bool {
    s.contains("线索")
        && [
            "收到",
            "已按",
            "已移交",
            "已转",
            "将按",
            "移交有关",
            "转有关",
        ]
        .iter()
        .any(|w| s.contains(w))
}

/// The groups in `a..limit` and where the list ended.
fn problem_groups(t: &Text, a: usize, limit: usize) -> (Vec<Group>, usize) {
    let a = t.skip_space(a, limit);
    if let Some((style, run)) = scan::run(t, a, limit, a + 1) {
        let end = run_end(t, &run, limit);
        let groups = parts(&run, end)
            .into_iter()
            .map(|(x, y)| group(t, x, y, Some(style)))
            .filter(|g| !g.items.is_empty())
            .collect();
        return (groups, end);
    }
    let first_stop = t
        .find_top(a, limit, &['。', '！', '？', '\n'])
        .unwrap_or(limit);
    if t.find_top(a, first_stop, &['；']).is_some() {
        let groups = t
            .split(a, first_stop, &['；'])
            .into_iter()
            .map(|(x, y)| group(t, x, y, None))
            .filter(|g| !g.items.is_empty())
            .collect();
        return (groups, first_stop);
    }
    // Groups written as sentences: as many as follow in the paragraph (or, when the list
    // starts on a line of its own, up to the limit) until one turns to something else.
    let bound = if t.clause_start(a, false) && a > 0 && t.n[a - 1] == '\n' {
        limit
    } else {
        t.line(a).1.min(limit)
    };
    let mut groups = Vec::new();
    let mut end = a;
    for (x, y) in t.sentences(a, bound) {
        let s = t.s(x, y);
        if ["同时", "此外", "另外", "巡视组还", "巡察组还", "还收到"]
            .iter()
            .any(|w| s.trim_start().starts_with(w))
        {
            break;
        }
        let g = group(t, x, y, None);
        if !g.items.is_empty() {
            groups.push(g);
        }
        end = y;
    }
    (groups, end)
}

/// Where the last item of a run ends: at the end of its sentence when the items are clauses
/// of one sentence ("一是…；二是…。"), of its paragraph when they are sentences, and at the
/// limit when they stand on lines of their own.
fn run_end(t: &Text, run: &[Numbered], limit: usize) -> usize {
    let Some(last) = run.last() else {
        return limit;
    };
    let sep = run.get(1).and_then(|second| {
        (0..second.marker)
            .rev()
            .map(|i| t.n[i])
            .find(|c| *c != ' ' && *c != '\t')
    });
    match sep {
        Some('；') | Some('，') => t
            .find_top(last.text, limit, &['。', '！', '？', '\n'])
            .map_or(limit, |e| e + 1),
        Some('\n') => limit,
        _ if t.clause_start(run[0].marker, false)
            && run[0].marker > 0
            && t.n[run[0].marker - 1] == '\n' =>
        {
            limit
        }
        _ => t.line(last.text).1.min(limit),
    }
}

/// The text of each numbered item: from after its marker to the next marker (or `end`).
fn parts(run: &[Numbered], end: usize) -> Vec<(usize, usize)> {
    run.iter()
        .enumerate()
        .map(|(k, n)| (n.text, run.get(k + 1).map_or(end, |next| next.marker)))
        .collect()
}

/// One group: its heading if it opens with one, then its items — numbered sub-items by their
/// first sentence, or else the clauses cut at "，".
fn group(t: &Text, a: usize, b: usize, outer: Option<Style>) -> Group {
    let a = t.skip_space(a, b);
    let mut title = None;
    let mut rest = a;
    let (la, lb) = t.line(a);
    let first_line_ends = t.find_top(a, lb.min(b), &SENTENCE_END).is_none();
    if la <= a && lb < b && first_line_ends && !t.out(lb, b).is_empty() {
        // A heading on a line of its own: "（一）党的政治建设方面".
        title = Some(t.out(a, lb));
        rest = lb + 1;
    } else if let Some(c) = t.find_top(a, b, &['，', '。', '：', '；']) {
        let clause = t.s(a, c);
        let clause = clause.trim();
        let heading = clause.chars().count() <= 40
            && (clause.ends_with("方面")
                || clause.ends_with("方面的问题")
                || clause.ends_with("方面问题")
                || clause.ends_with("方面存在的问题")
                || clause.ends_with("方面存在问题")
                || (t.n[c] == '：' && clause.chars().count() <= 30));
        if heading {
            title = Some(t.out(a, c));
            rest = c + 1;
        }
    }
    let mut rest = t.skip_space(rest, b);
    let sub = scan::run(t, rest, b, rest + 1).filter(|(s, _)| Some(*s) != outer);
    // "一是党的领导弱化。…，…。": a numbered group opening with a short sentence of one clause
    // names its category; the sentences after it hold the items.
    if title.is_none() && outer.is_some() && sub.is_none() {
        let sentences = t.sentences(rest, b);
        if let [(x, y), _, ..] = sentences[..]
            && t.find_top(x, y, &['，', '；', '：']).is_none()
            && t.out(x, y).chars().count() <= 30
        {
            title = Some(t.out(x, y));
            rest = y + 1;
        }
    }
    let items = match sub {
        Some((_, run)) => parts(&run, b)
            .into_iter()
            .filter_map(|(x, y)| {
                let e = t
                    .find_top(x, y, &['。', '；', '！', '？', '\n', '：'])
                    .unwrap_or(y);
                clean_item(&t.out(x, e))
            })
            .collect(),
        None => t
            .split(rest, b, &['，', '；', '。', '！', '？', '\n'])
            .into_iter()
            .filter_map(|(x, y)| clean_item(&t.out(x, y)))
            .collect(),
    };
    Group { title, items }
}

/// An item without the "等" that closes a list ("…力度不够强等", "…等问题").
fn clean_item(s: &str) -> Option<String> {
    let mut s = s.trim().to_owned();
    for tail in [
        "等方面的问题",
        "等方面问题",
        "等问题",
        "等现象",
        "等情况",
        "等",
    ] {
        if let Some(rest) = s.strip_suffix(tail) {
            s = rest.trim_end_matches(['，', ',', '、', ' ']).to_owned();
            break;
        }
    }
    (s.chars().count() >= 2).then_some(s)
}

// ---------------------------------------------------------------- recommendations

const REC_ANCHORS: [&str; 19] = [
    "意见建议",
    "整改建议",
    "几点建议",
    "点建议",
    "条建议",
    "项建议",
    "方面建议",
    "以下建议",
    "如下建议",
    "建议如下",
    "几点意见",
    "点意见",
    "条意见",
    "项意见",
    "点整改意见",
    "条整改意见",
    "整改意见：",
    "提出意见：",
    "如下意见",
];

/// The first mention of the recommendations after the problems, outside the pledge: where it
/// begins and where it ends.
fn recs_anchor(t: &Text, from: usize, in_pledge: &dyn Fn(usize) -> bool) -> Option<(usize, usize)> {
    let mut i = from;
    let mut anchor = None;
    while let Some((at, a)) = t.find_any(&REC_ANCHORS, i, t.len()) {
        i = at + 1;
        if !in_pledge(at) {
            anchor = Some((at, at + a.chars().count()));
            break;
        }
    }
    // A heading of its own: "建议" on a line alone.
    let heading = heading_lines(t, from).find(|&(a, b)| {
        matches!(
            t.out(a, b).as_str(),
            "建议" | "主要建议" | "意见" | "整改意见"
        )
    });
    match (anchor, heading) {
        (Some(x), Some(h)) => Some(if h.0 < x.0 { h } else { x }),
        (x, h) => x.or(h),
    }
}

/// The lines from `from` on, each without its line break.
fn heading_lines(t: &Text, from: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = from;
    std::iter::from_fn(move || {
        if i >= t.len() {
            return None;
        }
        let (a, b) = t.line(i);
        i = b + 1;
        Some((a, b))
    })
}

/// The headings of the numbered recommendations that follow the anchor's sentence, and where
/// they end.
fn recommendations(t: &Text, anchor: (usize, usize)) -> (Vec<String>, usize) {
    // "…意见建议，一是…" goes on in the same sentence; otherwise the list follows the sentence.
    let mut near = anchor.1;
    while near < t.len() && near - anchor.1 < 4 && "如下：，。 \n".contains(t.n[near]) {
        near += 1;
    }
    let start = if scan::marker(t, near).is_some_and(|m| m.1 == 1) {
        near
    } else {
        t.find_top(anchor.0, t.len(), &['。', '：', '\n', '！'])
            .map_or(t.len(), |e| e + 1)
    };
    let start = t.skip_space(start, t.len());
    // The recommendations end where another speaker, the pledge or another part begins.
    let limit = t
        .sentences(start, t.len())
        .into_iter()
        .find(|s| speaker(t, s.0, s.1).is_some() || heading_of_part(t, s.0).is_some())
        .map_or(t.len(), |s| s.0);
    let Some((_, run)) = scan::run(t, start, limit, start + 1) else {
        // Under a heading of their own ("建议" on a line), unnumbered recommendations are its
        // sentences.
        let (la, lb) = t.line(anchor.0);
        if t.out(la, lb) == t.out(anchor.0, anchor.1) {
            let recs = t
                .sentences(start, limit)
                .into_iter()
                .map(|(x, y)| t.out(x, y))
                .filter(|s| !s.is_empty())
                .collect();
            return (recs, limit);
        }
        // Unnumbered: "…意见建议：加强…；完善…。"
        let e = t.find_top(start, limit, &SENTENCE_END).unwrap_or(limit);
        if t.find_top(start, e, &['；']).is_some() {
            let recs = t
                .split(start, e, &['；'])
                .into_iter()
                .map(|(x, y)| t.out(x, y))
                .collect();
            return (recs, e);
        }
        return (Vec::new(), start);
    };
    let end = run_end(t, &run, limit);
    let recs = parts(&run, end)
        .into_iter()
        .map(|(x, y)| {
            let e = t
                .find_top(x, y, &['。', '；', '！', '？', '\n'])
                .unwrap_or(y);
            t.out(x, e)
        })
        .filter(|s| !s.is_empty())
        .collect();
    (recs, end)
}

const REC_UNITS: [&str; 6] = ["点", "条", "项", "个方面", "方面", "个"];
const REC_NOUNS: [&str; 5] = ["意见建议", "整改意见", "意见", "建议", "整改建议"];

// ---------------------------------------------------------------- requirements

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Speaker {
    /// 强调, 要求: the requirements of the rectification.
    Requires,
    /// 指出: what the team points out; requirements when it says what must be done.
    Points,
    /// 表示, 表态: the unit's pledge.
    Pledges,
}

/// Who speaks in the sentence `a..b`, from its opening words: "于洁强调，…", "范晓莉表示，…".
fn speaker(t: &Text, a: usize, b: usize) -> Option<Speaker> {
    let a = t.skip_space(a, b);
    // "反馈会上，王明就做好整改工作提出要求：一要…" announces its speaker's requirements.
    if let Some(colon) = t.find_top(a, b, &['：']) {
        let intro = t.s(a, colon);
        if intro.chars().count() <= 40
            && ["提出要求", "提出了要求", "强调", "要求"]
                .iter()
                .any(|w| intro.ends_with(w))
            && !intro.contains("表态")
        {
            return Some(Speaker::Requires);
        }
    }
    let head_end = t.find_top(a, b, &['，', '：']).unwrap_or(b);
    let head = t.s(a, head_end);
    let head = head.trim();
    if head.chars().count() > 24 || head.is_empty() {
        return None;
    }
    // A name and a title before the verb, not a clause of a text ("进一步严格要求，").
    let verb_len = if head.ends_with("说") { 1 } else { 2 };
    let who: String = head
        .chars()
        .take(head.chars().count().saturating_sub(verb_len))
        .collect();
    if [
        "要",
        "把",
        "加强",
        "严格",
        "进一步",
        "坚持",
        "落实",
        "切实",
        "认真",
        "必须",
    ]
    .iter()
    .any(|w| who.contains(w))
    {
        return None;
    }
    if head.contains("表态") || head.ends_with("表示") || head.ends_with("说") {
        return Some(Speaker::Pledges);
    }
    if head.ends_with("强调") || head.ends_with("要求") {
        return Some(Speaker::Requires);
    }
    if head.ends_with("指出") {
        return Some(Speaker::Points);
    }
    if require_intro(t, a, b).is_some() {
        return Some(Speaker::Requires);
    }
    None
}

/// Where the words required begin in a sentence that announces them in its opening clauses:
/// "…出席反馈会，对做好巡视整改工作提出明确要求，强调被巡视党组织要…".
fn require_intro(t: &Text, a: usize, b: usize) -> Option<usize> {
    let mut found = None;
    for (x, y) in t.split(a, b, &['，']).into_iter().take(3) {
        let clause = t.s(x, y);
        let clause = clause.trim();
        if clause.starts_with("强调") {
            found = Some(t.skip_space(x, y) + 2);
        } else if clause.ends_with("强调") && clause.chars().count() <= 20 {
            // "反馈会上，王明强调，…"
            found = Some(y + 1);
        } else if clause.contains("提出") && clause.ends_with("要求") {
            found = Some(y + 1);
        }
    }
    found
}

/// A heading of a formal document's part ("四、整改要求"), and whether it is the requirements'.
fn heading_of_part(t: &Text, at: usize) -> Option<bool> {
    let at = t.skip_space(at, t.len());
    let (la, lb) = t.line(at);
    if t.skip_space(la, lb) != at {
        return None;
    }
    let (style, _, _) = scan::marker(t, at)?;
    let line = t.s(at, lb);
    if !matches!(style, Style::CnDun) || line.chars().count() > 30 || line.contains('。') {
        return None;
    }
    if line.contains("要求") {
        return Some(true);
    }
    (line.contains("意见") || line.contains("建议") || line.contains("问题")).then_some(false)
}

/// The lines (paragraphs) the unit's pledge takes: from a paragraph its speaker opens with
/// "表示" or "表态" to the next paragraph another speaker opens.
fn pledge_lines(t: &Text) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    let mut open = false;
    while i < t.len() {
        let (a, b) = t.line(i);
        let first = t.sentences(a, b).into_iter().next();
        match first.and_then(|(x, y)| speaker(t, x, y)) {
            Some(Speaker::Pledges) => open = true,
            Some(_) => open = false,
            None => {}
        }
        if open {
            out.push((a, b + 1));
        }
        i = b + 1;
    }
    out
}

/// Words that make a sentence a requirement.
fn requires(s: &str) -> bool {
    let mut rest = s.to_owned();
    for w in ["主要", "重要", "要害", "纲要", "摘要", "要素", "要点"] {
        rest = rest.replace(w, "");
    }
    rest.contains('要')
        || ["必须", "务必", "应当", "确保"]
            .iter()
            .any(|w| s.contains(w))
        || s.trim_start().starts_with('请')
}

/// The requirements after `from`: the sentences of the speakers who require (and of those who
/// point out what must be done), by their numbered headings when they number them; never the
/// pledge. Also the count they state ("提出三点要求").
fn requirements(t: &Text, from: usize) -> (Vec<String>, Option<usize>) {
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut on = false;
    let mut seg_start = from;
    for (a, b) in t.sentences(from, t.len()) {
        let turn = match speaker(t, a, b) {
            Some(Speaker::Requires) => Some(true),
            Some(Speaker::Points) => Some(requires(&t.s(a, b))),
            Some(Speaker::Pledges) => Some(false),
            None => heading_of_part(t, a),
        };
        if let Some(now) = turn {
            if on && !now {
                segments.push((seg_start, a));
            }
            if now && !on {
                seg_start = a;
            }
            on = now;
        }
    }
    if on {
        segments.push((seg_start, t.len()));
    }
    let mut out = Vec::new();
    let mut count = None;
    for (a, b) in segments {
        count = count.or_else(|| stated(t, a, b, &REC_UNITS, &["要求"]));
        let run = (a..b)
            .find(|&i| scan::marker_at_clause(t, i).is_some_and(|m| m.1 == 1))
            .and_then(|first| scan::run(t, first, b, first + 1))
            .filter(|(_, run)| run.len() >= 2);
        let (plain_end, numbered) = match &run {
            Some((_, run)) => (run[0].marker, Some(run)),
            None => (b, None),
        };
        for (x, y) in t.sentences(a, plain_end) {
            if heading_of_part(t, x).is_some() {
                continue;
            }
            let x = strip_speaker(t, x, y);
            let s = t.out(x, y);
            if requires(&s) && !s.ends_with("提出要求") && !s.ends_with("提出了要求") {
                out.push(s);
            }
        }
        if let Some(run) = numbered {
            let end = run_end(t, run, b);
            for (x, y) in parts(run, end) {
                let e = t
                    .find_top(x, y, &['。', '；', '！', '？', '\n'])
                    .unwrap_or(y);
                let s = t.out(x, e);
                if !s.is_empty() {
                    out.push(s);
                }
            }
        }
    }
    (out, count)
}

/// The sentence without its speaker's opening words ("于洁强调，").
fn strip_speaker(t: &Text, a: usize, b: usize) -> usize {
    if let Some(start) = require_intro(t, a, b) {
        return start.min(b);
    }
    if speaker(t, a, b).is_some()
        && let Some(c) = t.find_top(a, b, &['，', '：'])
    {
        return c + 1;
    }
    a
}

// ---------------------------------------------------------------- stated counts

const GROUP_UNITS: [&str; 4] = ["个方面", "方面", "大类", "类"];
const ITEM_UNITS: [&str; 3] = ["个", "条", "项"];

/// A count the text states in `a..b`: a number, one of `units`, a few filler words, one of
/// `nouns` ("三点意见建议", "5类问题", "4个方面的突出问题").
fn stated(t: &Text, a: usize, b: usize, units: &[&str], nouns: &[&str]) -> Option<usize> {
    let b = b.min(t.len());
    let mut i = a;
    while i < b {
        let c = t.n[i];
        let prev_num = i > 0 && scan::is_num_char(t.n[i - 1]);
        if !scan::is_num_char(c) || prev_num {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b && scan::is_num_char(t.n[j]) && j - i < 3 {
            j += 1;
        }
        let value = scan::number(&t.s(i, j));
        if let (Some(v), Some((_, unit))) = (value, t.find_any(units, j, j + 1)) {
            let mut k = j + unit.chars().count();
            for filler in ["的", "突出", "主要", "具体", "方面"] {
                if t.starts_with(k, filler) {
                    k += filler.chars().count();
                }
            }
            if nouns.iter().any(|n| t.starts_with(k, n)) && v > 0 {
                return Some(v as usize);
            }
        }
        i = j;
    }
    None
}

fn sentence_bounds(t: &Text, at: usize) -> (usize, usize) {
    let a = (0..at)
        .rev()
        .find(|&i| SENTENCE_END.contains(&t.n[i]) || t.n[i] == '\n')
        .map_or(0, |i| i + 1);
    let b = (at..t.len())
        .find(|&i| SENTENCE_END.contains(&t.n[i]) || t.n[i] == '\n')
        .unwrap_or(t.len());
    (a, b)
}
