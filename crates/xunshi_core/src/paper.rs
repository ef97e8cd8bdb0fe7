//! Working papers (问题底稿): one per problem found, in three parts (facts, the rule broken, the
//! responsibility), with evidence files; approved by the team meeting and signed by the leader.
//! Also the immediate-fix notices (立行立改) sent to the unit during the inspection.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::parse_date;
use crate::org::labelled_enum;
use crate::upload::Probe;

labelled_enum!(
    /// The kinds of responsibility a problem is laid at (domain.md §5).
    ResponsibilityType, "responsibility_types" {
        Principal = "principal" / "主体责任",
        FirstResponsible = "first_responsible" / "第一责任人责任",
        DualDuty = "dual_duty" / "一岗双责",
        Supervisory = "supervisory" / "监督责任",
        MainLeadership = "main_leadership" / "主要领导责任",
        ImportantLeadership = "important_leadership" / "重要领导责任",
        Direct = "direct" / "直接责任",
    }
);

labelled_enum!(
    /// How grave the team judges a problem.
    Severity, "severity" {
        General = "general" / "一般",
        Serious = "serious" / "较重",
        Grave = "grave" / "严重",
    }
);

labelled_enum!(
    /// Where a working paper stands. See [`ProblemStatus::can_move`].
    ProblemStatus, "status" {
        Draft = "draft" / "草稿",
        Approved = "approved" / "组务会已审议",
        Signed = "signed" / "组长已签批",
        Withdrawn = "withdrawn" / "已撤回",
    }
);

/// Who moved a paper or decided a step, and when. The name is kept as it was at the time, as
/// a signature on paper would be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Signature {
    pub by: Option<Id>,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

impl ProblemStatus {
    /// The moves a paper may make. A draft is edited until the team meeting approves it; the
    /// leader then signs it, which is final. Before signing the leader may return it to draft.
    /// Only a draft may be withdrawn (nothing is deleted).
    pub fn can_move(self, to: ProblemStatus) -> bool {
        use ProblemStatus::*;
        matches!(
            (self, to),
            (Draft, Approved) | (Approved, Signed) | (Approved, Draft) | (Draft, Withdrawn)
        )
    }

    pub fn editable(self) -> bool {
        self == ProblemStatus::Draft
    }

    pub fn tag(self) -> &'static str {
        match self {
            ProblemStatus::Draft => "grey",
            ProblemStatus::Approved => "yellow",
            ProblemStatus::Signed => "green",
            ProblemStatus::Withdrawn => "grey",
        }
    }
}

/// One working paper.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub id: Id,
    pub inspection_id: Id,
    /// Its number within the inspection (底稿编号), in order of creation.
    pub seq: i32,
    /// Which of the inspected units the problem concerns.
    pub target_unit_id: Id,
    pub taxonomy_version_id: Id,
    pub category_id: Id,
    /// The short statement, as it will be fed back: 落实党管宣传思想文化职责存在薄弱点.
    pub title: String,
    /// 事实: what was found.
    pub facts: String,
    /// 定性依据: the rule broken.
    pub rule_broken: String,
    /// 责任: who answers for it.
    pub responsibility: String,
    pub responsibility_types: Vec<ResponsibilityType>,
    pub severity: Severity,
    pub status: ProblemStatus,
    pub created: Signature,
    /// Approved by the team meeting (组务会).
    pub approved: Option<Signature>,
    /// Signed by the team leader.
    pub signed: Option<Signature>,
    /// Why the leader last returned it to draft, or why it was withdrawn.
    pub status_note: Option<String>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

/// What lists show of a paper: enough to find it, none of its three parts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemSummary {
    pub id: Id,
    pub inspection_id: Id,
    pub seq: i32,
    pub target_unit_id: Id,
    pub taxonomy_version_id: Id,
    pub category_id: Id,
    pub category_name: String,
    pub title: String,
    pub severity: Severity,
    pub status: ProblemStatus,
    pub evidence_count: i64,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

/// The fields of a paper as they arrive from a form or a JSON body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProblemInput {
    /// The category's id; its taxonomy version goes with it.
    #[schema(value_type = String, format = "uuid")]
    pub category_id: String,
    /// The inspected unit concerned: its id. May be left out when the inspection has one target.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub target_unit_id: Option<String>,
    #[schema(min_length = 1, pattern = r"\S", max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, pattern = r"\S", max_length = 20000)]
    pub facts: String,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub rule_broken: String,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub responsibility: String,
    /// Codes or labels of [`ResponsibilityType`].
    #[serde(default)]
    #[schema(value_type = Vec<ResponsibilityType>)]
    pub responsibility_types: Vec<String>,
    /// A [`Severity`] code or label; `general` when absent.
    #[serde(default)]
    #[schema(value_type = Option<Severity>)]
    pub severity: Option<String>,
}

/// The validated parts of a [`ProblemInput`] that need no lookup.
pub struct ProblemFields {
    pub category_id: Id,
    pub target_unit_id: Option<Id>,
    pub title: String,
    pub facts: String,
    pub rule_broken: String,
    pub responsibility: String,
    pub responsibility_types: Vec<ResponsibilityType>,
    pub severity: Severity,
}

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_PART_CHARS: usize = 20_000;

impl ProblemInput {
    pub fn validate(&self) -> Result<ProblemFields> {
        let mut v = Validation::new();
        let category_id = match self.category_id.trim() {
            "" => {
                v.add("category_id", "请选择问题类别");
                None
            }
            s => v.take(
                s.parse::<Id>()
                    .map_err(|_| CoreError::bad_input("category_id", "问题类别无效")),
            ),
        };
        let target_unit_id = match self.target_unit_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => v.take(
                s.parse::<Id>()
                    .map_err(|_| CoreError::bad_input("target_unit_id", "被巡视单位无效")),
            ),
        };
        let title = self.title.trim();
        if title.is_empty() {
            v.add("title", "请填写问题表述（反馈时使用的简要表述）");
        } else if title.chars().count() > MAX_TITLE_CHARS {
            v.add("title", format!("问题表述不能超过 {MAX_TITLE_CHARS} 个字"));
        }
        let facts = self.facts.trim();
        if facts.is_empty() {
            v.add("facts", "请填写问题事实");
        }
        for (field, text) in [
            ("facts", facts),
            ("rule_broken", self.rule_broken.trim()),
            ("responsibility", self.responsibility.trim()),
        ] {
            if text.chars().count() > MAX_PART_CHARS {
                v.add(field, format!("不能超过 {MAX_PART_CHARS} 个字"));
            }
        }
        let mut types = Vec::new();
        for t in self
            .responsibility_types
            .iter()
            .filter(|t| !t.trim().is_empty())
        {
            if let Some(t) = v.take(ResponsibilityType::parse(t))
                && !types.contains(&t)
            {
                types.push(t);
            }
        }
        // Keep the documents' order, whatever order the boxes were ticked in.
        types.sort_by_key(|t| ResponsibilityType::ALL.iter().position(|x| x == t));
        let severity = match self.severity.as_deref().map(str::trim) {
            None | Some("") => Some(Severity::General),
            Some(s) => v.take(Severity::parse(s)),
        };
        v.finish()?;
        Ok(ProblemFields {
            category_id: category_id.expect("validated"),
            target_unit_id,
            title: title.to_owned(),
            facts: facts.to_owned(),
            rule_broken: self.rule_broken.trim().to_owned(),
            responsibility: self.responsibility.trim().to_owned(),
            responsibility_types: types,
            severity: severity.expect("validated"),
        })
    }
}

impl Problem {
    /// What the team meeting needs before it can approve a paper: all three parts, and the
    /// kind of responsibility named.
    pub fn check_complete(&self) -> Result<()> {
        let mut v = Validation::new();
        if self.rule_broken.trim().is_empty() {
            v.add(
                "rule_broken",
                "提交组务会审议前须写明定性依据（违反的规定）",
            );
        }
        if self.responsibility.trim().is_empty() {
            v.add("responsibility", "提交组务会审议前须写明责任");
        }
        if self.responsibility_types.is_empty() {
            v.add("responsibility_types", "提交组务会审议前须选择责任类型");
        }
        v.finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Evidence files

/// Largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

labelled_enum!(
    /// The kinds of evidence file accepted; each is checked by its name's extension and by its
    /// first bytes, so a renamed executable is not stored as a "pdf".
    FileKind, "file" {
        Pdf = "pdf" / "PDF 文档",
        Docx = "docx" / "Word 文档",
        Doc = "doc" / "Word 97-2003 文档",
        Xlsx = "xlsx" / "Excel 工作簿",
        Xls = "xls" / "Excel 97-2003 工作簿",
        Jpg = "jpg" / "JPEG 图片",
        Png = "png" / "PNG 图片",
        Txt = "txt" / "文本文件",
        Zip = "zip" / "ZIP 压缩包",
    }
);

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Doc => "application/msword",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Xls => "application/vnd.ms-excel",
            FileKind::Jpg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Txt => "text/plain; charset=utf-8",
            FileKind::Zip => "application/zip",
        }
    }

    /// Whether a browser shows a file of this kind in the page rather than saving it: the
    /// kinds it renders safely by itself (PDF and raster images; never HTML, SVG or text, which
    /// could carry script or be taken for a page). The content was checked against the kind on
    /// upload, so the type sent is the type the bytes are.
    pub fn shows_inline(self) -> bool {
        matches!(self, FileKind::Pdf | FileKind::Jpg | FileKind::Png)
    }

    fn of_extension(ext: &str) -> Option<FileKind> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "pdf" => FileKind::Pdf,
            "docx" => FileKind::Docx,
            "doc" => FileKind::Doc,
            "xlsx" => FileKind::Xlsx,
            "xls" => FileKind::Xls,
            "jpg" | "jpeg" => FileKind::Jpg,
            "png" => FileKind::Png,
            "txt" => FileKind::Txt,
            "zip" => FileKind::Zip,
            _ => return None,
        })
    }

    /// Whether the content the probe saw is a file of this kind.
    fn matches(self, probe: &Probe) -> bool {
        let head = probe.head();
        let is_zip = head.starts_with(ZIP_MAGIC) || head.starts_with(ZIP_EMPTY);
        match self {
            FileKind::Pdf => head.starts_with(b"%PDF-"),
            // Office Open XML files are zip archives whose entry names tell the application.
            FileKind::Docx => head.starts_with(ZIP_MAGIC) && probe.has_word_part(),
            FileKind::Xlsx => head.starts_with(ZIP_MAGIC) && probe.has_sheet_part(),
            FileKind::Doc | FileKind::Xls => head.starts_with(OLE_MAGIC),
            FileKind::Jpg => head.starts_with(&[0xFF, 0xD8, 0xFF]),
            FileKind::Png => head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
            FileKind::Zip => is_zip,
            // Text has no signature; refuse what is plainly binary (NUL bytes, or the start of
            // any kind above), which catches executables and archives renamed to .txt.
            FileKind::Txt => {
                let start = Probe::of(head);
                !head.contains(&0)
                    && !FileKind::ALL
                        .iter()
                        .filter(|k| **k != FileKind::Txt)
                        .any(|k| k.matches(&start))
            }
        }
    }
}

/// A file name made safe to store and to offer for download: the last path component, without
/// control characters, at most 200 characters.
pub fn clean_filename(raw: &str) -> Result<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = last.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim().trim_start_matches('.').trim();
    if name.is_empty() {
        return Err(CoreError::bad_input("file", "请选择要上传的文件"));
    }
    if name.chars().count() > 200 {
        return Err(CoreError::bad_input("file", "文件名不能超过 200 个字"));
    }
    Ok(name.to_owned())
}

/// Decides the kind of an uploaded file from its name and its content, refusing anything not
/// on the list, too large, empty, or whose content does not match its extension.
pub fn check_evidence_file(filename: &str, probe: &Probe) -> Result<FileKind> {
    let allowed = "pdf、docx、xlsx、doc、xls、jpg、png、txt、zip";
    let ext = filename.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let Some(kind) = FileKind::of_extension(ext) else {
        return Err(CoreError::bad_input(
            "file",
            format!("不接受此类文件（“{filename}”）；可上传：{allowed}"),
        ));
    };
    if probe.size() == 0 {
        return Err(CoreError::bad_input("file", "文件是空的"));
    }
    if probe.size() > MAX_EVIDENCE_BYTES as u64 {
        return Err(CoreError::bad_input(
            "file",
            format!("文件超过 {} MB", MAX_EVIDENCE_BYTES / 1024 / 1024),
        ));
    }
    if !kind.matches(probe) {
        return Err(CoreError::bad_input(
            "file",
            format!(
                "文件“{filename}”的内容与扩展名不符，不是有效的{}",
                kind.label()
            ),
        ));
    }
    Ok(kind)
}

/// SHA-256 of the content, in lower-case hex: the name the file is stored under.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// An evidence file attached to a paper. Files are never replaced; one attached by mistake is
/// withdrawn with a reason and stays listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub id: Id,
    pub problem_id: Id,
    pub inspection_id: Id,
    pub filename: String,
    pub size: i64,
    pub content_type: String,
    pub kind: FileKind,
    /// The hash of the content, the file's identity in the blob store: SHA-256 in hex, or
    /// `sm3-` and SM3 in hex where the installation runs the national cryptography option.
    pub sha256: String,
    pub uploaded: Signature,
    pub withdrawn: Option<Signature>,
    pub withdrawn_reason: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Immediate-fix notices

labelled_enum!(
    /// Where an immediate-fix notice stands.
    NoticeStatus, "status" {
        Issued = "issued" / "已下发",
        Answered = "answered" / "单位已答复",
        Closed = "closed" / "已办结",
    }
);

impl NoticeStatus {
    pub fn tag(self) -> &'static str {
        match self {
            NoticeStatus::Issued => "yellow",
            NoticeStatus::Answered => "red",
            NoticeStatus::Closed => "green",
        }
    }
}

/// A notice the team sends the unit during the inspection, asking it to fix something at once
/// (立行立改), and the unit's answer. The one thing of an inspection the unit sees before
/// feedback, because it is addressed to the unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImmediateFixNotice {
    pub id: Id,
    pub inspection_id: Id,
    /// The inspected unit it is addressed to.
    pub unit_id: Id,
    /// The working paper behind it; never shown to the unit.
    pub problem_id: Option<Id>,
    /// Its number within the inspection.
    pub seq: i32,
    pub content: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: jiff::civil::Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<jiff::civil::Date>,
    pub status: NoticeStatus,
    pub issued: Signature,
    pub answer: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub answered_on: Option<jiff::civil::Date>,
    pub answered: Option<Signature>,
    /// The team's word on the answer: why it was closed, or why it was sent back.
    pub review_comment: Option<String>,
    pub reviewed: Option<Signature>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NoticeInput {
    /// The inspected unit: its id. May be left out when the inspection has one target.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub unit_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub problem_id: Option<String>,
    #[schema(min_length = 1, pattern = r"\S", max_length = 5000)]
    pub content: String,
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub issued_on: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NoticeAnswer {
    pub version: i64,
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
    pub answer: String,
}

/// The team's decision on the unit's answer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NoticeReview {
    pub version: i64,
    /// `true`: the fix is accepted and the notice closed; `false`: sent back to the unit.
    pub accept: bool,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: String,
}

pub struct NoticeFields {
    pub unit_id: Option<Id>,
    pub problem_id: Option<Id>,
    pub content: String,
    pub issued_on: Option<jiff::civil::Date>,
    pub due_on: Option<jiff::civil::Date>,
}

impl NoticeInput {
    pub fn validate(&self) -> Result<NoticeFields> {
        let mut v = Validation::new();
        let opt_id = |v: &mut Validation, field: &str, raw: Option<&str>, msg: &str| match raw
            .map(str::trim)
        {
            None | Some("") => None,
            Some(s) => v.take(
                s.parse::<Id>()
                    .map_err(|_| CoreError::bad_input(field, msg.to_owned())),
            ),
        };
        let unit_id = opt_id(&mut v, "unit_id", self.unit_id.as_deref(), "被巡视单位无效");
        let problem_id = opt_id(
            &mut v,
            "problem_id",
            self.problem_id.as_deref(),
            "所依据的问题底稿无效",
        );
        let content = self.content.trim();
        if content.is_empty() {
            v.add("content", "请填写立行立改事项");
        } else if content.chars().count() > 5000 {
            v.add("content", "内容不能超过 5000 个字");
        }
        let issued_on = v
            .take(parse_date("issued_on", self.issued_on.as_deref()))
            .flatten();
        let due_on = v
            .take(parse_date("due_on", self.due_on.as_deref()))
            .flatten();
        if let (Some(a), Some(b)) = (issued_on, due_on)
            && b < a
        {
            v.unfit("due_on", "整改期限不能早于下发日期");
        }
        v.finish()?;
        Ok(NoticeFields {
            unit_id,
            problem_id,
            content: content.to_owned(),
            issued_on,
            due_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paper_moves_draft_approved_signed_and_back_only_before_signing() {
        use ProblemStatus::*;
        assert!(Draft.can_move(Approved));
        assert!(Approved.can_move(Signed));
        assert!(Approved.can_move(Draft));
        assert!(Draft.can_move(Withdrawn));
        assert!(!Draft.can_move(Signed), "signing needs the meeting first");
        assert!(!Signed.can_move(Draft), "signed is final");
        assert!(!Signed.can_move(Withdrawn));
        assert!(!Approved.can_move(Withdrawn));
        assert!(!Withdrawn.can_move(Draft));
        assert!(Draft.editable() && !Approved.editable() && !Signed.editable());
    }

    #[test]
    fn problem_input_names_each_bad_field_and_orders_types() {
        let bad = ProblemInput {
            category_id: "".into(),
            title: " ".into(),
            facts: "".into(),
            responsibility_types: vec!["主体责任".into(), "boss".into()],
            severity: Some("critical".into()),
            ..Default::default()
        };
        let Err(CoreError::BadInput(f)) = bad.validate() else {
            panic!("accepted")
        };
        let fields: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "category_id",
                "title",
                "facts",
                "responsibility_types",
                "severity"
            ]
        );
        let good = ProblemInput {
            category_id: Id::new().to_string(),
            title: "落实党管宣传思想文化职责存在薄弱点".into(),
            facts: "事实".into(),
            responsibility_types: vec!["direct".into(), "主体责任".into(), "direct".into()],
            ..Default::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(
            good.responsibility_types,
            [ResponsibilityType::Principal, ResponsibilityType::Direct]
        );
        assert_eq!(good.severity, Severity::General);
    }

    #[test]
    fn files_are_checked_by_extension_and_content() {
        let check = |name: &str, bytes: &[u8]| check_evidence_file(name, &Probe::of(bytes));
        assert_eq!(
            check("会议纪要.PDF", b"%PDF-1.7\n...").unwrap(),
            FileKind::Pdf
        );
        assert_eq!(
            check("x.png", b"\x89PNG\r\n\x1a\n....").unwrap(),
            FileKind::Png
        );
        assert_eq!(
            check("a.docx", b"PK\x03\x04....word/document.xml").unwrap(),
            FileKind::Docx
        );
        assert_eq!(
            check("记录.txt", "谈话要点".as_bytes()).unwrap(),
            FileKind::Txt
        );
        // A renamed executable, a zip called docx, a binary called txt, an unlisted type.
        assert!(check("report.pdf", b"MZ\x90\x00").is_err());
        assert!(check("a.docx", b"PK\x03\x04....xl/workbook.xml").is_err());
        assert!(check("a.txt", b"PK\x03\x04abc").is_err());
        assert!(check("a.txt", b"ab\x00cd").is_err());
        assert!(check("tool.exe", b"MZ").is_err());
        assert!(check("noext", b"%PDF-").is_err());
        assert!(check("empty.pdf", b"").is_err());
        let big = vec![b'a'; MAX_EVIDENCE_BYTES + 1];
        assert!(check("big.txt", &big).is_err());
        // The archive's part names are looked for through the whole file, not its start.
        let mut late = b"PK\x03\x04".to_vec();
        late.extend(vec![b'x'; 3 * crate::upload::HEAD_BYTES]);
        late.extend(b"word/document.xml");
        assert_eq!(check("late.docx", &late).unwrap(), FileKind::Docx);
    }

    #[test]
    fn filenames_lose_their_paths() {
        assert_eq!(
            clean_filename("C:\\Users\\x\\谈话记录.pdf").unwrap(),
            "谈话记录.pdf"
        );
        assert_eq!(clean_filename("../../etc/passwd").unwrap(), "passwd");
        assert!(clean_filename("dir/").is_err());
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_notice_is_due_after_it_is_issued() {
        let n = NoticeInput {
            content: "立即整改".into(),
            issued_on: Some("2019-10-10".into()),
            due_on: Some("2019-10-01".into()),
            ..Default::default()
        };
        let Err(CoreError::Unfit(f)) = n.validate() else {
            panic!("accepted")
        };
        assert_eq!(f[0].field, "due_on");
    }
}
