//! How a record of the audit trail reads for people: its object type in Chinese, the page the
//! object lives on, and its summary (JSON, kept exactly as hashed) as a table of fields with
//! the value before and after. The audit page and its workbook both read records through
//! here, so the two always say the same.

use serde_json::Value;

use crate::clue::{ClueKind, ClueSource, Confidentiality, DisposalMethod, RecipientKind};
use crate::inspection::{InspectionKind, Stage};
use crate::paper::{NoticeStatus, ProblemStatus, Severity};
use crate::personnel::TeamRole;
use crate::rectify::{Defect, PlanStatus, TaskStatus};
use crate::report::{Decision, ReportStatus, StepKind};

/// Every object type the services write to the trail, with its name in Chinese, in the order
/// the audit page offers them as a filter.
pub const OBJECT_TYPES: &[(&str, &str)] = &[
    ("user", "用户账号"),
    ("api_token", "接口令牌"),
    ("security_settings", "登录安全设置"),
    ("grant", "角色授权"),
    ("unit", "单位"),
    ("term", "届次"),
    ("round", "巡视轮次"),
    ("plan", "巡视工作计划"),
    ("inspection", "巡视（巡察）"),
    ("inspector", "巡视干部"),
    ("team_member", "巡视组成员"),
    ("recusal_rule", "回避规则"),
    ("taxonomy_version", "问题分类版本"),
    ("category", "问题分类"),
    ("problem", "问题底稿"),
    ("evidence", "底稿佐证材料"),
    ("notice", "立行立改通知"),
    ("report", "巡视报告"),
    ("clue", "问题线索"),
    ("clue_transfer", "线索移交"),
    ("clue_settings", "线索办理设置"),
    ("rect_plan", "整改方案"),
    ("task", "整改任务"),
    ("task_evidence", "整改佐证材料"),
    ("rect_document", "整改报告与公开通报"),
    ("rectify_settings", "整改设置"),
    ("deadline_rule", "时限规则"),
    ("calendar_year", "节假日安排"),
    ("followup", "督办通知"),
    ("accountability", "追责问责"),
    ("mechanism", "长效机制"),
    ("announcement", "巡视公告"),
    ("letter", "来信来访"),
    ("talk_plan", "谈话计划"),
    ("talk", "个别谈话"),
    ("doc_request", "调阅材料"),
    ("field_record", "其他工作方式记录"),
];

/// The Chinese name of an object type, or the code itself for a type this list does not know
/// (a record written by a later version is still shown).
pub fn object_type_label(code: &str) -> &str {
    OBJECT_TYPES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

/// The page an object of the trail is seen on, where it has one of its own. `action` tells the
/// two kinds of rectification document apart.
pub fn object_href(object_type: &str, action: &str, id: &str) -> Option<String> {
    // Only ids as the services write them reach a link.
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return None;
    }
    let base = match object_type {
        "user" => "/users",
        "unit" => "/units",
        "inspection" => "/inspections",
        "inspector" => "/personnel",
        "problem" => "/papers",
        "report" => "/reports",
        "clue" => "/clues",
        "clue_transfer" => "/transfers",
        "rect_plan" => "/rectification/plans",
        "task" => "/rectification/tasks",
        "task_evidence" => "/rectification/evidence",
        "followup" => "/supervision/followups",
        "rect_document" if action.starts_with("public_notice") => "/rectification/notices",
        "rect_document" => "/rectification/reports",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

/// One line of a record's summary: the field in Chinese, and its value before the change (for
/// a change) and after it (or simply its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryLine {
    pub field: String,
    pub before: Option<String>,
    pub value: String,
}

/// A record's summary as lines. A summary of the form `{"before": {..}, "after": {..}, ..}`
/// gives one line per field that is in either, with both values; `from`/`to` give one line of
/// the state; every other field gives a line of its own. Nested objects are flattened
/// (`dates.entry` reads 日期·进驻). Text that is not JSON is one line as it stands.
pub fn summary_lines(object_type: &str, summary: &str) -> Vec<SummaryLine> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(summary) else {
        return if summary.trim().is_empty() {
            Vec::new()
        } else {
            vec![SummaryLine {
                field: "内容".into(),
                before: None,
                value: summary.to_owned(),
            }]
        };
    };
    let mut lines = Vec::new();
    let before = flat(map.get("before"));
    let after = flat(map.get("after"));
    let mut keys: Vec<&String> = after.iter().map(|(k, _)| k).collect();
    for (k, _) in &before {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    for key in keys {
        let b = before.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
        let a = after.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
        if map.contains_key("before") && map.contains_key("after") && b == a {
            // Unchanged fields of a change say nothing.
            continue;
        }
        lines.push(SummaryLine {
            field: path_label(key),
            before: map.contains_key("before").then(|| {
                b.map(|v| value_text(object_type, key, v))
                    .unwrap_or_default()
            }),
            value: a
                .map(|v| value_text(object_type, key, v))
                .unwrap_or_default(),
        });
    }
    if let (Some(from), Some(to)) = (map.get("from"), map.get("to")) {
        lines.push(SummaryLine {
            field: "状态".into(),
            before: Some(value_text(object_type, "status", from)),
            value: value_text(object_type, "status", to),
        });
    }
    for (key, v) in &map {
        if matches!(key.as_str(), "before" | "after" | "from" | "to") {
            continue;
        }
        for (path, v) in flat_one(key, v) {
            lines.push(SummaryLine {
                field: path_label(&path),
                before: None,
                value: value_text(object_type, &path, v),
            });
        }
    }
    lines
}

/// The fields of an object as (dotted path, value), in order; `None` gives nothing.
fn flat(v: Option<&Value>) -> Vec<(String, &Value)> {
    match v {
        Some(Value::Object(m)) => m.iter().flat_map(|(k, v)| flat_one(k, v)).collect(),
        Some(v) => vec![(String::new(), v)],
        None => Vec::new(),
    }
}

fn flat_one<'a>(key: &str, v: &'a Value) -> Vec<(String, &'a Value)> {
    match v {
        // A deadline `{"kind": "by", "date": ..}` or an object's dates read as their parts.
        Value::Object(m) if !m.is_empty() => m
            .iter()
            .flat_map(|(k, v)| flat_one(&format!("{key}.{k}"), v))
            .collect(),
        _ => vec![(key.to_owned(), v)],
    }
}

/// A dotted path in Chinese: each part by [`field_label`], joined with a middle dot.
fn path_label(path: &str) -> String {
    path.split('.')
        .map(field_label)
        .collect::<Vec<_>>()
        .join("·")
}

/// The Chinese name of a field of a summary; the code itself for one this list does not know.
pub fn field_label(key: &str) -> &str {
    match key {
        "" => "值",
        "two_factor_required" => "要求两步验证",
        "recovery_codes_left" => "剩余恢复码",
        "q" => "关键词",
        "file" => "文件",
        "colour" => "时限状态",
        "id" => "编号",
        "name" => "名称",
        "title" => "标题",
        "status" => "状态",
        "stage" => "阶段",
        "kind" => "类别",
        "version" => "版本号",
        "revision" => "修订次",
        "seq" => "序号",
        "number" => "版次",
        "reason" => "理由",
        "comment" => "意见",
        "note" => "说明",
        "decision" => "决定",
        "decided_on" => "决定日期",
        "date" => "日期",
        "due" => "完成时限",
        "deadline" => "期限",
        "progress" => "完成进度（%）",
        "closed_on" => "销号日期",
        "submitted_on" => "报送日期",
        "published_on" => "公开日期",
        "issued_on" => "印发日期",
        "meeting_date" => "会议日期",
        "feedback_date" | "feedback" => "反馈日期",
        "dates" => "日期",
        "entry" => "进驻日期",
        "exit" => "撤离日期",
        "planned_entry" => "计划进驻日期",
        "planned_exit" => "计划撤离日期",
        "reported_to_group" => "向领导小组汇报日期",
        "reported_to_committee" => "向党委（党组）汇报日期",
        "measure" => "整改措施",
        "target" => "整改目标",
        "standard" => "完成标准",
        "defect" => "问题性质",
        "method" => "处置方式",
        "source" => "来源",
        "confidentiality" => "密级",
        "severity" => "严重程度",
        "role" => "角色",
        "scope" => "范围",
        "user" => "用户",
        "username" => "用户名",
        "display_name" => "姓名",
        "inspector" => "巡视干部",
        "team" | "team_name" => "巡视组",
        "unit_id" => "单位",
        "dispatcher_id" => "派出单位",
        "target_ids" => "被巡视单位",
        "inspection_id" => "巡视",
        "round_id" => "轮次",
        "problem_id" => "问题",
        "category_id" => "问题分类",
        "task_ids" => "整改任务",
        "report_id" => "进展报告",
        "transfer_id" => "移交",
        "grant_id" => "授权",
        "inspector_id" => "巡视干部编号",
        "user_id" => "账号",
        "change_request_id" => "调整申请",
        "verification_id" => "核查记录",
        "task_version" => "任务版本号",
        "report_version" => "报告版本",
        "step" => "环节",
        "problems" => "问题数",
        "recommendations" => "建议数",
        "tasks" => "任务数",
        "filename" => "文件名",
        "sha256" => "SHA-256",
        "doc_no" => "文号",
        "is_new" => "是否新建制度",
        "post" => "职务",
        "past_posts" => "任职经历",
        "relatives" => "亲属",
        "specialty" => "专长",
        "locality" => "籍贯",
        "conflicts" => "回避冲突",
        "override_reason" => "不予回避理由",
        "withdrawn" => "已撤回",
        "withdraw_reason" => "撤回理由",
        "replaces_earlier" => "替代此前处置",
        "cross" => "交叉巡视",
        "elevated" => "提级巡视",
        "linked" => "上下联动",
        "look_back_of" => "“回头看”对象",
        "created_at" => "创建时间",
        "updated_at" => "修改时间",
        "via" => "方式",
        "ip" => "来源地址",
        "body_chars" => "正文字数",
        "before" => "修改前",
        "after" => "修改后",
        _ => key,
    }
}

/// A value as people read it: a code of one of the system's lists by its label, yes/no, lists
/// joined, nothing as 无.
fn value_text(object_type: &str, path: &str, v: &Value) -> String {
    match v {
        Value::Null => "无".into(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let key = path.rsplit('.').next().unwrap_or(path);
            code_label(object_type, key, s)
                .map(str::to_owned)
                .unwrap_or_else(|| s.clone())
        }
        Value::Array(items) if items.is_empty() => "无".into(),
        Value::Array(items) => items
            .iter()
            .map(|i| value_text(object_type, path, i))
            .collect::<Vec<_>>()
            .join("、"),
        Value::Object(_) => v.to_string(),
    }
}

/// The label of a code, where the field (and for states, the object type) tells which list it
/// is of.
fn code_label(object_type: &str, key: &str, code: &str) -> Option<&'static str> {
    match (key, object_type) {
        ("status", "inspection") | ("stage", _) => Stage::parse(code).ok().map(|v| v.label()),
        ("status", "task") => TaskStatus::parse(code).ok().map(|v| v.label()),
        ("status", "rect_plan") => PlanStatus::parse(code).ok().map(|v| v.label()),
        ("status", "problem") => ProblemStatus::parse(code).ok().map(|v| v.label()),
        ("status", "notice") => NoticeStatus::parse(code).ok().map(|v| v.label()),
        ("status", "report") => ReportStatus::parse(code).ok().map(|v| v.label()),
        ("kind", "inspection") => InspectionKind::parse(code).ok().map(|v| v.label()),
        ("kind", "clue") => ClueKind::parse(code).ok().map(|v| v.label()),
        ("method", _) => DisposalMethod::parse(code).ok().map(|v| v.label()),
        ("source", "clue") => ClueSource::parse(code).ok().map(|v| v.label()),
        ("confidentiality", _) => Confidentiality::parse(code).ok().map(|v| v.label()),
        ("recipient", _) => RecipientKind::parse(code).ok().map(|v| v.label()),
        ("severity", _) => Severity::parse(code).ok().map(|v| v.label()),
        ("defect", _) => Defect::parse(code).ok().map(|v| v.label()),
        ("decision", _) => Decision::parse(code).ok().map(|v| v.label()),
        ("step", _) => StepKind::parse(code).ok().map(|v| v.label()),
        ("role", "team_member") => TeamRole::parse(code).ok().map(|v| v.label()),
        ("role", _) => code.parse::<crate::role::Role>().ok().map(|r| r.label()),
        ("via", _) => match code {
            "session" => Some("网页登录"),
            "token" => Some("接口令牌"),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(field: &str, before: Option<&str>, value: &str) -> SummaryLine {
        SummaryLine {
            field: field.into(),
            before: before.map(Into::into),
            value: value.into(),
        }
    }

    #[test]
    fn a_change_reads_as_the_fields_it_changed_with_both_values() {
        let s = r#"{"after":{"closed_on":"2020-06-30","progress":100,"status":"closed"},"before":{"progress":100,"status":"claimed"},"defect":null,"reason":"经核查，整改到位。","version":3}"#;
        let lines = summary_lines("task", s);
        assert_eq!(
            lines,
            vec![
                line("销号日期", Some(""), "2020-06-30"),
                line("状态", Some("已完成待销号"), "已销号"),
                line("问题性质", None, "无"),
                line("理由", None, "经核查，整改到位。"),
                line("版本号", None, "3"),
            ]
        );
    }

    #[test]
    fn states_nested_fields_and_lists_read_in_chinese() {
        let lines = summary_lines(
            "inspection",
            r#"{"date":"2019-09-18","from":"planning","to":"preparation"}"#,
        );
        assert_eq!(lines[0], line("状态", Some("计划"), "准备"));
        assert_eq!(lines[1], line("日期", None, "2019-09-18"));
        let lines = summary_lines(
            "task",
            r#"{"after":{"due":{"date":"2021-06-04","kind":"by"}},"before":{"due":{"date":"2020-06-30","kind":"by"}}}"#,
        );
        assert_eq!(
            lines,
            vec![line("完成时限·日期", Some("2020-06-30"), "2021-06-04")]
        );
        let lines = summary_lines(
            "grant",
            r#"{"role":"office","conflicts":[],"via":"session"}"#,
        );
        assert_eq!(
            lines,
            vec![
                line("回避冲突", None, "无"),
                line("角色", None, "巡视办"),
                line("方式", None, "网页登录"),
            ]
        );
    }

    #[test]
    fn unknown_codes_and_text_stay_as_they_are() {
        assert_eq!(object_type_label("something_new"), "something_new");
        assert_eq!(object_type_label("rect_document"), "整改报告与公开通报");
        assert_eq!(
            summary_lines("x", "not json"),
            vec![line("内容", None, "not json")]
        );
        assert_eq!(
            summary_lines("x", r#"{"odd_key":"v"}"#),
            vec![line("odd_key", None, "v")]
        );
    }

    #[test]
    fn objects_link_to_their_pages_and_nothing_else_does() {
        let id = "01a23d9e-61b5-7236-bbea-b0becd650f75";
        assert_eq!(
            object_href("task", "task_closed", id).as_deref(),
            Some("/rectification/tasks/01a23d9e-61b5-7236-bbea-b0becd650f75")
        );
        assert!(
            object_href("rect_document", "public_notice_approved", id)
                .unwrap()
                .starts_with("/rectification/notices/")
        );
        assert!(object_href("calendar_year", "x", "2027").is_none());
        assert!(object_href("task", "x", "../../admin").is_none());
    }
}
