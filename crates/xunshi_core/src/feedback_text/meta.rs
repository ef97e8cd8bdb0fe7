//! Who inspected whom, who led the team, where the clues went: read from the sentences news
//! reports and feedback documents open with ("省委第三巡视组向省委宣传部反馈巡视情况",
//! "以于洁同志为组长的…巡视组", "问题线索已按有关规定转…处理").

use super::scan::Text;

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '〇'
}

/// Words that fill the opening of a clause before the team is named.
const LEADING_FILLERS: [&str; 9] = [
    "近日", "日前", "今天", "当天", "同日", "随后", "其中", "期间", "日",
];

/// The team: the name ending at `end` (just after 巡视组/巡察组), back to the clause start.
fn team_before(t: &Text, end: usize) -> Option<String> {
    let mut a = end;
    while a > 0 && (is_cjk(t.n[a - 1]) || t.n[a - 1].is_ascii_digit()) && end - a < 40 {
        a -= 1;
    }
    // A date written before the team without a comma ("25日自治区…") leaves its digits.
    while a < end && (t.n[a].is_ascii_digit() || "年月".contains(t.n[a])) {
        a += 1;
    }
    let mut name = t.out(a, end);
    // "…第三巡视组组长于洁代表巡视组向…": the team is the one the leader speaks for, named
    // before the leader.
    if let Some(k) = name.find("组长") {
        name.truncate(k);
    } else if let Some(k) = name.rfind("代表") {
        name = name[k + "代表".len()..].to_owned();
    }
    loop {
        let before = name.len();
        for f in LEADING_FILLERS {
            if let Some(rest) = name.strip_prefix(f) {
                name = rest.to_owned();
            }
        }
        if name.len() == before {
            break;
        }
    }
    // "巡视组" alone, or "该巡视组", names no team.
    let proper = name.chars().count() > 3 && !name.starts_with('该') && !name.starts_with('本');
    proper.then_some(name)
}

const TEAM_ENDS: [&str; 2] = ["巡视组", "巡察组"];

/// The inspected unit and the team, from "…组向<unit>反馈" or, failing that, "…组对<unit>进行了巡视".
pub(super) fn unit_and_body(t: &Text) -> (Option<String>, Option<String>) {
    let mut found: Option<(Option<String>, Option<String>)> = None;
    for team_end in TEAM_ENDS {
        let mut from = 0;
        while let Some(at) = t.find(team_end, from, t.len()) {
            from = at + 1;
            let after = at + team_end.chars().count();
            let body = team_before(t, after);
            for (verb, ends) in [
                ("向", &["反馈", "进行反馈", "进行了反馈"][..]),
                ("对", &["进行了", "进行", "开展了", "开展", "实施了"][..]),
            ] {
                if !t.starts_with(after, verb) {
                    continue;
                }
                let stop = (after + 1..t.len().min(after + 60))
                    .find(|&i| "，。；：\n".contains(t.n[i]))
                    .unwrap_or(t.len().min(after + 60));
                let Some((end, _)) = t.find_any(ends, after + 1, stop) else {
                    continue;
                };
                let unit = clean_unit(&t.out(after + 1, end));
                // "…向自治区党委常委、宣传部部长范晓莉反馈" names a person, not the unit.
                let person = [
                    "书记",
                    "部长",
                    "主任",
                    "局长",
                    "厅长",
                    "院长",
                    "董事长",
                    "负责",
                    "同志",
                ]
                .iter()
                .any(|w| unit.contains(w));
                if unit.chars().count() < 2 || person {
                    continue;
                }
                // The sentence of the feedback names both sides best; a 对…巡视 sentence is
                // kept only until one is found.
                if verb == "向" {
                    return (Some(unit), body.or_else(|| body_alone(t)));
                }
                if found.is_none() {
                    found = Some((Some(unit), body.clone()));
                }
            }
        }
    }
    found.unwrap_or((None, body_alone(t)))
}

fn clean_unit(s: &str) -> String {
    let mut u = s.trim().to_owned();
    for tail in [
        "分别",
        "进行了",
        "进行",
        "领导班子",
        "主要负责同志",
        "主要负责人",
    ] {
        if let Some(rest) = u.strip_suffix(tail) {
            u = rest.to_owned();
        }
    }
    u
}

/// The team when no sentence names the unit beside it.
fn body_alone(t: &Text) -> Option<String> {
    let mut from = 0;
    while let Some((at, p)) = t.find_any(&TEAM_ENDS, from, t.len()) {
        from = at + 1;
        if let Some(body) = team_before(t, at + p.chars().count()) {
            return Some(body);
        }
    }
    None
}

/// Words that end a name given after 组长.
const AFTER_NAME: [&str; 24] = [
    "代表", "同志", "向", "主持", "传达", "就", "作", "反馈", "对", "指出", "强调", "通报", "在",
    "出席", "讲话", "提出", "和", "及", "率", "带领", "一行", "等", "宣读", "介绍",
];

/// The team leader: "巡视组组长于洁代表…" or "以于洁同志为组长的".
pub(super) fn team_leader(t: &Text) -> Option<String> {
    let mut from = 0;
    while let Some(at) = t.find("组长", from, t.len()) {
        from = at + 1;
        let prev = at.checked_sub(1).map(|p| t.n[p]);
        if !matches!(prev, Some('组' | '视' | '察')) {
            continue;
        }
        if let Some(name) = name_at(t, at + 2) {
            return Some(name);
        }
    }
    let mut from = 0;
    while let Some(at) = t.find("为组长", from, t.len()) {
        from = at + 1;
        let Some(yi) = (at.saturating_sub(8)..at).rev().find(|&i| t.n[i] == '以') else {
            continue;
        };
        let name = t.out(yi + 1, at);
        let name = name.strip_suffix("同志").unwrap_or(&name).to_owned();
        if (2..=4).contains(&name.chars().count()) && name.chars().all(is_cjk) {
            return Some(name);
        }
    }
    None
}

fn name_at(t: &Text, at: usize) -> Option<String> {
    let at = t.skip_space(at, t.len());
    for len in 2..=4 {
        let end = at + len;
        if end > t.len() || !t.n[at..end].iter().all(|&c| is_cjk(c)) {
            return None;
        }
        let next = t.n.get(end).copied();
        let stops = match next {
            None => true,
            Some(c) if !is_cjk(c) => true,
            Some(_) => AFTER_NAME.iter().any(|w| t.starts_with(end, w)),
        };
        if stops {
            return Some(t.out(at, end));
        }
    }
    None
}

/// Verbs that hand clues over, longest first so that 移交给 is not read as 移交 + 给….
const TRANSFER: [&str; 9] = [
    "移交给",
    "转交给",
    "移送给",
    "移交",
    "转交",
    "移送",
    "转给",
    "转由",
    "转",
];

/// Where the clues went: the bodies named after the hand-over verb in the sentence about
/// 线索, up to 处理/办理.
pub(super) fn clue_recipients(t: &Text) -> Vec<String> {
    let mut from = 0;
    while let Some(at) = t.find("线索", from, t.len()) {
        from = at + 1;
        let (_, sb) = sentence_around(t, at);
        let Some((v, verb)) = t.find_any(&TRANSFER, at, sb) else {
            continue;
        };
        let start = v + verb.chars().count();
        let start = if t.starts_with(start, "至") || t.starts_with(start, "到") {
            start + 1
        } else {
            start
        };
        let end = t
            .find_any(&["处理", "办理", "处置", "核查", "依规依纪"], start, sb)
            .map_or(sb, |(e, _)| e);
        let list = recipients(&t.out(start, end));
        if !list.is_empty() {
            return list;
        }
    }
    Vec::new()
}

fn sentence_around(t: &Text, at: usize) -> (usize, usize) {
    let a = (0..at)
        .rev()
        .find(|&i| "。！？\n".contains(t.n[i]))
        .map_or(0, |i| i + 1);
    let b = (at..t.len())
        .find(|&i| "。！？\n".contains(t.n[i]))
        .unwrap_or(t.len());
    (a, b)
}

/// Characters that end the name of a body, so that "…组织部和国资委" splits at 和 while
/// "人力资源和社会保障局" does not.
const BODY_END: &str = "委部局厅院会办室处组司署行所站府区县市省";

fn recipients(s: &str) -> Vec<String> {
    let mut s = s.trim().to_owned();
    for tail in [
        "等有关方面",
        "等有关部门",
        "等相关部门",
        "等单位",
        "等部门",
        "有关方面",
        "相关方面",
        "等",
    ] {
        if let Some(rest) = s.strip_suffix(tail) {
            s = rest.to_owned();
            break;
        }
    }
    let mut out = Vec::new();
    for part in s.split(['、', '，']) {
        let mut rest = part.trim();
        for p in ["以及", "及"] {
            rest = rest.strip_prefix(p).unwrap_or(rest);
        }
        // 和 joins two bodies only when the part before it ends as a body's name does.
        let mut pieces = vec![rest.to_owned()];
        if let Some(k) = rest.find('和') {
            let (l, r) = rest.split_at(k);
            let r = &r['和'.len_utf8()..];
            if l.chars().last().is_some_and(|c| BODY_END.contains(c)) && r.chars().count() >= 2 {
                pieces = vec![l.to_owned(), r.to_owned()];
            }
        }
        for p in pieces {
            let p = p.trim().trim_start_matches("给").to_owned();
            if p.chars().count() >= 2 && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_split_on_and_only_between_bodies() {
        assert_eq!(
            recipients("中央纪委国家监委、中央组织部和国务院国资委等有关方面"),
            ["中央纪委国家监委", "中央组织部", "国务院国资委"]
        );
        assert_eq!(
            recipients("市人力资源和社会保障局"),
            ["市人力资源和社会保障局"]
        );
    }

    #[test]
    fn the_team_and_unit_when_the_leader_speaks_for_the_team() {
        let t = Text::new(
            "3月25日，省委第三巡视组组长于洁代表巡视组向省委常委、宣传部部长范晓莉反馈巡视意见。\
             此前，省委第三巡视组对省委宣传部进行了巡视。",
        );
        assert_eq!(
            unit_and_body(&t),
            (
                Some("省委宣传部".to_owned()),
                Some("省委第三巡视组".to_owned())
            )
        );
    }

    #[test]
    fn leader_names_of_two_to_four() {
        let t = Text::new("市委第二巡察组组长王向东代表巡察组反馈");
        assert_eq!(team_leader(&t).as_deref(), Some("王向东"));
        let t = Text::new("以欧阳明华同志为组长的省委第五巡视组");
        assert_eq!(team_leader(&t).as_deref(), Some("欧阳明华"));
        let t = Text::new("由我担任组长，其他同志担任副组长");
        assert_eq!(team_leader(&t), None);
    }
}
