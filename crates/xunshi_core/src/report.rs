//! The inspection report and special reports: versioned drafts assembled from signed working
//! papers, and the approval chain 组务会 → 巡视办 → 领导小组 → 党委（书记专题会）.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::org::labelled_enum;
use crate::paper::{ResponsibilityType, Signature};

labelled_enum!(
    /// The inspection report proper, or a special report on one matter.
    ReportKind, "kind" {
        Main = "main" / "巡视报告",
        Special = "special" / "专题报告",
    }
);

labelled_enum!(
    /// Where a report stands in its approval chain: each `At…` status waits for that body.
    ReportStatus, "status" {
        Draft = "draft" / "起草中",
        AtTeamMeeting = "at_team_meeting" / "待组务会审议",
        AtOffice = "at_office" / "待巡视办审核",
        AtLeadingGroup = "at_leading_group" / "待领导小组听取",
        AtCommittee = "at_committee" / "待书记专题会听取",
        Approved = "approved" / "已审定",
    }
);

labelled_enum!(
    /// The bodies of the approval chain, in order.
    StepKind, "step" {
        TeamMeeting = "team_meeting" / "巡视组组务会",
        Office = "office" / "巡视办",
        LeadingGroup = "leading_group" / "巡视工作领导小组",
        Committee = "committee" / "党委（书记专题会议）",
    }
);

labelled_enum!(
    /// What a step decided; a submission opens the chain.
    Decision, "decision" {
        Submit = "submit" / "提交审议",
        Approve = "approve" / "同意",
        Return = "return" / "退回修改",
    }
);

impl ReportStatus {
    /// The body whose decision the report waits for, if any.
    pub fn awaiting(self) -> Option<StepKind> {
        match self {
            ReportStatus::AtTeamMeeting => Some(StepKind::TeamMeeting),
            ReportStatus::AtOffice => Some(StepKind::Office),
            ReportStatus::AtLeadingGroup => Some(StepKind::LeadingGroup),
            ReportStatus::AtCommittee => Some(StepKind::Committee),
            ReportStatus::Draft | ReportStatus::Approved => None,
        }
    }

    /// The status after `decision` at the step the report waits for. Approving moves one body
    /// on; returning sends the draft back to the team, from any step.
    pub fn after(self, decision: Decision) -> Option<ReportStatus> {
        use ReportStatus::*;
        match (self, decision) {
            (Draft, Decision::Submit) => Some(AtTeamMeeting),
            (AtTeamMeeting, Decision::Approve) => Some(AtOffice),
            (AtOffice, Decision::Approve) => Some(AtLeadingGroup),
            (AtLeadingGroup, Decision::Approve) => Some(AtCommittee),
            (AtCommittee, Decision::Approve) => Some(Approved),
            (AtTeamMeeting | AtOffice | AtLeadingGroup | AtCommittee, Decision::Return) => {
                Some(Draft)
            }
            _ => None,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            ReportStatus::Draft => "grey",
            ReportStatus::Approved => "green",
            _ => "yellow",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: Id,
    pub inspection_id: Id,
    pub kind: ReportKind,
    pub title: String,
    pub status: ReportStatus,
    /// The number of the latest version; 0 before the first is written.
    pub current_version: i32,
    pub created: Signature,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

/// A signed paper as a report version included it, copied so the version reads the same later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProblemSnapshot {
    pub problem_id: Id,
    pub seq: i32,
    pub category_id: Id,
    pub category_name: String,
    /// The category's place in its taxonomy, to list the problems by heading.
    pub category_position: i32,
    pub title: String,
    pub facts: String,
    pub rule_broken: String,
    pub responsibility: String,
    pub responsibility_types: Vec<ResponsibilityType>,
}

/// One draft of a report. Versions are never changed; a new draft is a new version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportVersion {
    pub report_id: Id,
    pub number: i32,
    /// 总体评价.
    pub assessment: String,
    /// 主要问题: the signed papers included, grouped by category when shown.
    pub problems: Vec<ProblemSnapshot>,
    /// 意见建议, one per item.
    pub recommendations: Vec<String>,
    /// What changed in this draft, in the drafter's words.
    pub note: String,
    pub created: Signature,
}

/// One decision of the approval chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovalStep {
    pub id: Id,
    pub report_id: Id,
    pub step: StepKind,
    pub decision: Decision,
    /// The version the decision was about.
    pub report_version: i32,
    pub comment: String,
    /// The date of the meeting that decided, where a meeting did.
    #[schema(value_type = Option<String>, format = Date)]
    pub meeting_date: Option<jiff::civil::Date>,
    pub decided: Signature,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    /// `main` or `special`.
    #[schema(value_type = ReportKind)]
    pub kind: String,
    #[schema(min_length = 1, pattern = r"\S", max_length = 200)]
    pub title: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReportVersionInput {
    /// The report's record version the draft is based on (409 when stale).
    pub version: i64,
    #[schema(min_length = 1, pattern = r"\S")]
    pub assessment: String,
    /// Ids of signed papers to include; all signed papers of the inspection when absent.
    #[serde(default)]
    pub problem_ids: Option<Vec<String>>,
    #[schema(value_type = Vec<crate::text::NonBlank>, min_items = 1)]
    pub recommendations: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    pub version: i64,
    /// `approve` or `return` (or `submit` for the team's submission of a draft).
    #[schema(value_type = Decision)]
    pub decision: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: String,
    /// `YYYY-MM-DD`: the date of the meeting; required for the leading group and committee.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub meeting_date: Option<String>,
}

impl ReportInput {
    pub fn validate(&self) -> Result<(ReportKind, String)> {
        let mut v = Validation::new();
        let kind = v.take(ReportKind::parse(&self.kind));
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            v.add("title", "请填写报告标题（不超过 200 个字）");
        }
        v.finish()?;
        Ok((kind.expect("validated"), title.to_owned()))
    }
}

/// Trims the items of a list typed one per box or line, dropping the empty ones.
pub fn clean_items(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

impl ReportVersionInput {
    /// The assessment, the recommendations, and the paper ids if given.
    pub fn validate(&self) -> Result<(String, Vec<String>, Option<Vec<Id>>)> {
        let mut v = Validation::new();
        let assessment = self.assessment.trim();
        if assessment.is_empty() {
            v.add("assessment", "请填写总体评价");
        }
        let recs = clean_items(&self.recommendations);
        if recs.is_empty() {
            v.add("recommendations", "请至少填写一条意见建议");
        }
        let ids = match &self.problem_ids {
            None => None,
            Some(list) => {
                let mut out = Vec::new();
                for raw in list.iter().filter(|s| !s.trim().is_empty()) {
                    if let Some(id) = v.take(
                        raw.trim()
                            .parse::<Id>()
                            .map_err(|_| CoreError::bad_input("problem_ids", "问题底稿编号无效")),
                    ) && !out.contains(&id)
                    {
                        out.push(id);
                    }
                }
                Some(out)
            }
        };
        if self.note.chars().count() > 1000 {
            v.add("note", "修改说明不能超过 1000 个字");
        }
        v.finish()?;
        Ok((assessment.to_owned(), recs, ids))
    }
}

/// Chinese ordinals for headings: 一、二、… (enough for any report).
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_owned(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

/// The problems of a version in the order documents give them: by heading, then by number.
pub fn problems_by_heading(problems: &[ProblemSnapshot]) -> Vec<(String, Vec<&ProblemSnapshot>)> {
    let mut sorted: Vec<&ProblemSnapshot> = problems.iter().collect();
    sorted.sort_by_key(|p| (p.category_position, p.category_id, p.seq));
    let mut out: Vec<(String, Vec<&ProblemSnapshot>)> = Vec::new();
    for p in sorted {
        match out.last_mut() {
            Some((_, list)) if list[0].category_id == p.category_id => list.push(p),
            _ => out.push((p.category_name.clone(), vec![p])),
        }
    }
    out
}

impl ReportVersion {
    /// The version as lines of text, the way the diff compares two versions: the assessment,
    /// the problems by heading with their three parts, and the numbered recommendations.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec!["一、总体评价".to_owned()];
        out.extend(
            self.assessment
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
        out.push("二、主要问题".to_owned());
        for (i, (heading, problems)) in problems_by_heading(&self.problems).iter().enumerate() {
            out.push(format!("（{}）{}", chinese_number(i + 1), heading));
            for (j, p) in problems.iter().enumerate() {
                out.push(format!("{}. {}", j + 1, p.title));
                for (label, text) in [
                    ("事实", &p.facts),
                    ("定性依据", &p.rule_broken),
                    ("责任", &p.responsibility),
                ] {
                    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                        out.push(format!("{label}：{l}"));
                    }
                }
            }
        }
        out.push("三、意见建议".to_owned());
        for (i, r) in self.recommendations.iter().enumerate() {
            out.push(format!("{}是{}", chinese_number(i + 1), r));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Differences between versions

labelled_enum!(
    /// How a line differs between two versions.
    DiffOp, "op" {
        Same = "same" / "未变",
        Added = "added" / "新增",
        Removed = "removed" / "删除",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DiffLine {
    pub op: DiffOp,
    pub text: String,
}

/// Above this many cells the table of the longest common subsequence is not built; the
/// differing middle is shown as removed then added instead. Reports are far smaller.
const MAX_DIFF_CELLS: usize = 4_000_000;

/// A line diff of `old` to `new` by longest common subsequence: the lines both share are
/// `Same`, the others `Removed` (from `old`) or `Added` (in `new`), in reading order.
pub fn diff_lines(old: &[String], new: &[String]) -> Vec<DiffLine> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let a = &old[prefix..old.len() - suffix];
    let b = &new[prefix..new.len() - suffix];
    let line = |op, t: &String| DiffLine {
        op,
        text: t.clone(),
    };
    let mut out: Vec<DiffLine> = old[..prefix]
        .iter()
        .map(|t| line(DiffOp::Same, t))
        .collect();
    if a.len().saturating_mul(b.len()) > MAX_DIFF_CELLS {
        out.extend(a.iter().map(|t| line(DiffOp::Removed, t)));
        out.extend(b.iter().map(|t| line(DiffOp::Added, t)));
    } else {
        // lcs[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
        let (n, m) = (a.len(), b.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[at(i, j)] = if a[i] == b[j] {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if a[i] == b[j] {
                out.push(line(DiffOp::Same, &a[i]));
                i += 1;
                j += 1;
            } else if lcs[at(i + 1, j)] >= lcs[at(i, j + 1)] {
                out.push(line(DiffOp::Removed, &a[i]));
                i += 1;
            } else {
                out.push(line(DiffOp::Added, &b[j]));
                j += 1;
            }
        }
        out.extend(a[i..].iter().map(|t| line(DiffOp::Removed, t)));
        out.extend(b[j..].iter().map(|t| line(DiffOp::Added, t)));
    }
    out.extend(
        old[old.len() - suffix..]
            .iter()
            .map(|t| line(DiffOp::Same, t)),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    fn show(d: &[DiffLine]) -> Vec<String> {
        d.iter()
            .map(|l| {
                let sign = match l.op {
                    DiffOp::Same => ' ',
                    DiffOp::Added => '+',
                    DiffOp::Removed => '-',
                };
                format!("{sign}{}", l.text)
            })
            .collect()
    }

    #[test]
    fn the_diff_keeps_common_lines_and_marks_the_rest() {
        let old = v(&["a", "b", "c", "d", "e"]);
        let new = v(&["a", "c", "x", "d", "e", "f"]);
        assert_eq!(
            show(&diff_lines(&old, &new)),
            [" a", "-b", " c", "+x", " d", " e", "+f"]
        );
    }

    #[test]
    fn identical_and_empty_versions() {
        let same = v(&["一", "二"]);
        assert!(
            diff_lines(&same, &same)
                .iter()
                .all(|l| l.op == DiffOp::Same)
        );
        let d = diff_lines(&[], &same);
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|l| l.op == DiffOp::Added));
        let d = diff_lines(&same, &[]);
        assert!(d.iter().all(|l| l.op == DiffOp::Removed));
    }

    #[test]
    fn replaying_a_diff_gives_both_versions() {
        let old = v(&["x", "a", "b", "x", "c", "a"]);
        let new = v(&["a", "x", "b", "c", "c", "x"]);
        let d = diff_lines(&old, &new);
        let back_old: Vec<_> = d
            .iter()
            .filter(|l| l.op != DiffOp::Added)
            .map(|l| l.text.clone())
            .collect();
        let back_new: Vec<_> = d
            .iter()
            .filter(|l| l.op != DiffOp::Removed)
            .map(|l| l.text.clone())
            .collect();
        assert_eq!(back_old, old);
        assert_eq!(back_new, new);
        // The longest common subsequence of these two has three lines (a, b, c, among others):
        // the diff keeps that many, no fewer.
        assert_eq!(d.iter().filter(|l| l.op == DiffOp::Same).count(), 3);
    }

    #[test]
    fn the_chain_runs_in_order_and_returns_from_any_step() {
        use ReportStatus::*;
        let mut s = Draft;
        assert_eq!(
            s.after(Decision::Approve),
            None,
            "a draft must be submitted"
        );
        for (expect_wait, next) in [
            (StepKind::TeamMeeting, AtOffice),
            (StepKind::Office, AtLeadingGroup),
            (StepKind::LeadingGroup, AtCommittee),
            (StepKind::Committee, Approved),
        ] {
            if s == Draft {
                s = s.after(Decision::Submit).unwrap();
            }
            assert_eq!(s.awaiting(), Some(expect_wait));
            assert_eq!(s.after(Decision::Return), Some(Draft));
            s = s.after(Decision::Approve).unwrap();
            assert_eq!(s, next);
        }
        assert_eq!(Approved.after(Decision::Return), None, "approved is final");
        assert_eq!(Approved.awaiting(), None);
    }

    #[test]
    fn version_lines_list_problems_by_heading() {
        let cat = |pos: i32| (Id::new(), pos);
        let (c_org, c_pol) = (cat(3), cat(1));
        let snap = |seq, (cid, pos): (Id, i32), name: &str, title: &str| ProblemSnapshot {
            problem_id: Id::new(),
            seq,
            category_id: cid,
            category_name: name.into(),
            category_position: pos,
            title: title.into(),
            facts: "事实一\n事实二".into(),
            rule_broken: String::new(),
            responsibility: "部务会".into(),
            responsibility_types: vec![],
        };
        let version = ReportVersion {
            report_id: Id::new(),
            number: 1,
            assessment: "总体较好。".into(),
            problems: vec![
                snap(2, c_org, "组织建设", "领导机关党建工作不够深入"),
                snap(1, c_pol, "政治建设", "落实党管宣传思想文化职责存在薄弱点"),
            ],
            recommendations: vec!["牢固树立大局意识".into()],
            note: String::new(),
            created: Signature {
                by: None,
                name: "x".into(),
                at: jiff::Timestamp::UNIX_EPOCH,
            },
        };
        let lines = version.lines();
        let pos = |s: &str| lines.iter().position(|l| l == s).unwrap();
        assert!(pos("（一）政治建设") < pos("（二）组织建设"));
        assert!(pos("1. 落实党管宣传思想文化职责存在薄弱点") < pos("（二）组织建设"));
        assert!(lines.contains(&"事实：事实二".to_string()));
        assert!(lines.contains(&"一是牢固树立大局意识".to_string()));
        assert_eq!(chinese_number(3), "三");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
    }
}
