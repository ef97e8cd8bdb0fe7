//! Fieldwork (进驻了解): what a team gathers on site, by the methods the rules name — the
//! public's letters, calls and visits (with the entry announcement that invites them), the
//! individual talks, the documents retrieved from the unit, and the other methods (reports
//! heard, forums, democratic appraisal, questionnaires, visits below…) — and the working papers
//! that cite them.
//!
//! The identity of whoever writes in, and the text of a talk, are sealed by the [`Cipher`]
//! before they reach storage; these types hold the sealed text and never print it.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::parse_date;
use crate::org::labelled_enum;
use crate::supervision::{given, id_field, opt_id_field, text};

/// Seals and opens the confidential fields. The implementation (AES-256-GCM under a data key
/// wrapped by a key file outside the database, or SM4-GCM under the national cryptography
/// option) lives in the store crate. `context`
/// binds a sealed value to its place (`letter:{id}:writer`): a value copied into another row
/// does not open there.
pub trait Cipher: Send + Sync + 'static {
    fn seal(&self, context: &str, plain: &[u8]) -> Result<String>;
    fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>>;
    /// Whether `sealed` was sealed by the algorithm new values are sealed with (a value of the
    /// other is sealed again when the installation switches).
    fn is_current(&self, sealed: &str) -> bool;
}

/// The longest text of a letter, a talk record or a summary, in characters.
pub const LONG_TEXT_MAX: usize = 20_000;

// ---------------------------------------------------------------------------------------------
// The entry announcement (巡视公告)

/// How the public may reach a team on site, published when it enters.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Announcement {
    pub inspection_id: Id,
    /// 值班电话.
    pub hotline: String,
    /// Where the team's letter box (意见箱) stands.
    pub mailbox: String,
    /// 邮政信箱.
    pub postal_box: String,
    pub email: String,
    #[schema(value_type = String, format = Date)]
    pub opens_on: Date,
    #[schema(value_type = String, format = Date)]
    pub closes_on: Date,
    /// What the team accepts (受理范围), and what it passes on.
    pub scope: String,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl Announcement {
    /// Whether the public may write in on `day`.
    pub fn open_on(&self, day: Date) -> bool {
        self.opens_on <= day && day <= self.closes_on
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AnnouncementInput {
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub hotline: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub mailbox: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub postal_box: String,
    /// An address such as `xunshi@example.cn`, or empty for none.
    #[serde(default)]
    #[schema(max_length = 254, format = Email)]
    pub email: String,
    #[schema(value_type = String, format = Date)]
    pub opens_on: String,
    #[schema(value_type = String, format = Date)]
    pub closes_on: String,
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub scope: String,
    /// The version the change was based on; absent for the first announcement.
    #[serde(default)]
    pub version: Option<i64>,
}

pub struct AnnouncementFields {
    pub hotline: String,
    pub mailbox: String,
    pub postal_box: String,
    pub email: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub scope: String,
}

impl AnnouncementInput {
    pub fn validate(&self) -> Result<AnnouncementFields> {
        let mut v = Validation::new();
        let hotline = text(&mut v, "hotline", &self.hotline, 50, "请填写值班电话");
        let mailbox = text(&mut v, "mailbox", &self.mailbox, 200, "");
        let postal_box = text(&mut v, "postal_box", &self.postal_box, 200, "");
        let email = v
            .take(crate::message::parse_email(&self.email))
            .flatten()
            .unwrap_or_default();
        let opens_on = required_date(&mut v, "opens_on", &self.opens_on, "请填写受理起始日期");
        let closes_on = required_date(&mut v, "closes_on", &self.closes_on, "请填写受理截止日期");
        let scope = text(&mut v, "scope", &self.scope, 2000, "请填写受理范围");
        if let (Some(a), Some(b)) = (opens_on, closes_on)
            && b < a
        {
            v.unfit("closes_on", "受理截止日期不能早于起始日期");
        }
        v.finish()?;
        Ok(AnnouncementFields {
            hotline,
            mailbox,
            postal_box,
            email,
            opens_on: opens_on.expect("validated"),
            closes_on: closes_on.expect("validated"),
            scope,
        })
    }
}

fn required_date(v: &mut Validation, field: &str, raw: &str, missing: &str) -> Option<Date> {
    if raw.trim().is_empty() {
        v.add(field, missing);
        return None;
    }
    v.take(parse_date(field, Some(raw))).flatten()
}

fn opt_date(v: &mut Validation, field: &str, raw: Option<&str>) -> Option<Date> {
    v.take(parse_date(field, raw)).flatten()
}

// ---------------------------------------------------------------------------------------------
// Letters, calls and visits (信访举报)

labelled_enum!(
    /// How a letter came in.
    Channel, "channel" {
        Letter = "letter" / "来信",
        Call = "call" / "来电",
        Visit = "visit" / "来访",
        Online = "online" / "网上举报",
        Email = "email" / "电子邮件",
    }
);

labelled_enum!(
    /// The six disciplines (六大纪律) a letter's matter falls under.
    Discipline, "discipline" {
        Political = "political" / "政治纪律",
        Organizational = "organizational" / "组织纪律",
        Integrity = "integrity" / "廉洁纪律",
        Mass = "mass" / "群众纪律",
        Work = "work" / "工作纪律",
        Life = "life" / "生活纪律",
    }
);

labelled_enum!(
    /// Whether the team takes the matter up.
    LetterScope, "scope" {
        Pending = "pending" / "待甄别",
        InScope = "in_scope" / "属巡视受理范围",
        PassedOn = "passed_on" / "转有关部门办理",
    }
);

labelled_enum!(
    /// Where a letter stands, as its writer is told.
    LetterStatus, "status" {
        Received = "received" / "已收到",
        Handling = "handling" / "办理中",
        Closed = "closed" / "已办结",
    }
);

/// A letter, call or visit in the team's register. The writer's name and contact are sealed
/// (`writer_sealed`, never serialised); [`Letter::has_writer`] says whether there are any.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Letter {
    pub id: Id,
    pub inspection_id: Id,
    /// Its number in the inspection's register (来信来访登记号), from 1.
    pub number: i64,
    pub channel: Channel,
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    /// The writer gave no name.
    pub anonymous: bool,
    #[serde(skip)]
    pub writer_sealed: Option<String>,
    /// Whom it is about: a person, and their post in the unit.
    pub about_name: String,
    pub about_post: String,
    pub content: String,
    pub discipline: Option<Discipline>,
    /// The kind of issue, as a category of the problem taxonomy.
    pub category_id: Option<Id>,
    pub scope: LetterScope,
    /// Passed on (转办): the receiving department and the letter that passed it.
    pub passed_to: String,
    pub passed_letter: String,
    /// The first letter of the same matter, when this one repeats it.
    pub duplicate_of: Option<Id>,
    /// What was done with it (处理结果).
    pub disposition: String,
    pub status: LetterStatus,
    /// Sent by the public through the intake page (it has a receipt code).
    pub from_public: bool,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl Letter {
    pub fn has_writer(&self) -> bool {
        self.writer_sealed.is_some()
    }

    /// The context a letter's writer is sealed under.
    pub fn writer_context(id: Id) -> String {
        format!("letter:{id}:writer")
    }
}

/// Who wrote in, once opened by a letter handler.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Writer {
    pub name: String,
    pub contact: String,
}

/// A message on a letter: the team's answer to its writer, or what the writer added later.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LetterNote {
    pub id: Id,
    pub letter_id: Id,
    /// Written by the letter's writer (through the receipt code), not by the team.
    pub from_writer: bool,
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

/// A letter registered by the team (a call taken, a visit received, a letter opened).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LetterInput {
    #[schema(value_type = Channel)]
    pub channel: String,
    #[schema(value_type = String, format = Date)]
    pub received_on: String,
    /// The writer gave no name: `writer_name` must then be empty.
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub writer_name: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub writer_contact: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub about_name: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub about_post: String,
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub content: String,
    #[serde(default)]
    #[schema(value_type = Option<Discipline>)]
    pub discipline: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub category_id: Option<String>,
}

pub struct LetterFields {
    pub channel: Channel,
    pub received_on: Date,
    pub writer: Option<Writer>,
    pub about_name: String,
    pub about_post: String,
    pub content: String,
    pub discipline: Option<Discipline>,
    pub category_id: Option<Id>,
}

fn opt_discipline(v: &mut Validation, raw: Option<&str>) -> Option<Discipline> {
    raw.filter(|s| given(Some(s)))
        .and_then(|s| v.take(Discipline::parse(s)))
}

impl LetterInput {
    pub fn validate(&self) -> Result<LetterFields> {
        let mut v = Validation::new();
        let channel = v.take(Channel::parse(&self.channel));
        let received_on = required_date(&mut v, "received_on", &self.received_on, "请填写收到日期");
        let writer_name = text(&mut v, "writer_name", &self.writer_name, 50, "");
        let writer_contact = text(&mut v, "writer_contact", &self.writer_contact, 200, "");
        // Rules between fields: the document allows each alone (422, not 400).
        if self.anonymous && !(writer_name.is_empty() && writer_contact.is_empty()) {
            v.unfit("writer_name", "匿名举报不应填写反映人姓名和联系方式");
        }
        if !self.anonymous && writer_name.is_empty() {
            v.unfit("writer_name", "请填写反映人姓名，或选择匿名");
        }
        let about_name = text(&mut v, "about_name", &self.about_name, 50, "");
        let about_post = text(&mut v, "about_post", &self.about_post, 100, "");
        let content = text(
            &mut v,
            "content",
            &self.content,
            LONG_TEXT_MAX,
            "请填写反映内容",
        );
        let discipline = opt_discipline(&mut v, self.discipline.as_deref());
        let category_id = opt_id_field(&mut v, "category_id", self.category_id.as_deref());
        v.finish()?;
        Ok(LetterFields {
            channel: channel.expect("validated"),
            received_on: received_on.expect("validated"),
            writer: (!self.anonymous).then_some(Writer {
                name: writer_name,
                contact: writer_contact,
            }),
            about_name,
            about_post,
            content,
            discipline,
            category_id,
        })
    }
}

/// What the team decides about a letter: its classification, whether it is taken up or passed
/// on, whether it repeats an earlier one, and what was done.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LetterHandlingInput {
    pub version: i64,
    #[serde(default)]
    #[schema(value_type = Option<Discipline>)]
    pub discipline: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub category_id: Option<String>,
    #[schema(value_type = LetterScope)]
    pub scope: String,
    /// Required when passed on: the receiving department.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub passed_to: String,
    /// The letter that passed it on (转办函), by its number.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub passed_letter: String,
    /// The first letter of the same matter, when this one repeats it: its number in the
    /// register ("12", "第12号") or its id.
    #[serde(default)]
    #[schema(
        max_length = 40,
        pattern = r"^[ \t\r\n]*(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|第?[ \t\r\n]*[1-9][0-9]{0,8}[ \t\r\n]*号?)?[ \t\r\n]*$"
    )]
    pub duplicate_of: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub disposition: String,
    #[schema(value_type = LetterStatus)]
    pub status: String,
}

pub struct LetterHandling {
    pub version: i64,
    pub discipline: Option<Discipline>,
    pub category_id: Option<Id>,
    pub scope: LetterScope,
    pub passed_to: String,
    pub passed_letter: String,
    pub duplicate_of: Option<LetterRef>,
    pub disposition: String,
    pub status: LetterStatus,
}

/// A letter named by whoever handles another: by its number in the register, as the team
/// speaks of letters, or by its id, as the API's links give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterRef {
    Number(i64),
    Id(Id),
}

impl LetterRef {
    /// Reads "12", "第12号", "第 12 号" or an id; none for an empty field. The document's
    /// pattern for the field says the same, with only the spaces and line breaks a form may
    /// carry (the API refuses other control characters in any text).
    fn read(v: &mut Validation, field: &str, raw: Option<&str>) -> Option<LetterRef> {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
        if let Ok(id) = raw.parse() {
            return Some(LetterRef::Id(id));
        }
        let digits = raw.strip_prefix('第').unwrap_or(raw);
        let digits = digits.strip_suffix('号').unwrap_or(digits).trim();
        let number = (!digits.starts_with('0')
            && (1..=9).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse::<i64>().ok())
        .flatten();
        if number.is_none() {
            v.add(
                field,
                format!("“{raw}”不是来信来访的编号：请填写首件的登记号，如 12"),
            );
        }
        number.map(LetterRef::Number)
    }
}

impl LetterHandlingInput {
    pub fn validate(&self) -> Result<LetterHandling> {
        let mut v = Validation::new();
        let discipline = opt_discipline(&mut v, self.discipline.as_deref());
        let category_id = opt_id_field(&mut v, "category_id", self.category_id.as_deref());
        let scope = v.take(LetterScope::parse(&self.scope));
        let passed_to = text(&mut v, "passed_to", &self.passed_to, 100, "");
        let passed_letter = text(&mut v, "passed_letter", &self.passed_letter, 100, "");
        let duplicate_of = LetterRef::read(&mut v, "duplicate_of", self.duplicate_of.as_deref());
        let disposition = text(&mut v, "disposition", &self.disposition, 2000, "");
        let status = v.take(LetterStatus::parse(&self.status));
        if scope == Some(LetterScope::PassedOn) && passed_to.is_empty() {
            v.unfit("passed_to", "转办须写明承办部门");
        }
        if scope != Some(LetterScope::PassedOn)
            && !(passed_to.is_empty() && passed_letter.is_empty())
        {
            v.unfit("passed_to", "只有转办的件才填写承办部门和转办函");
        }
        if status == Some(LetterStatus::Closed) && disposition.is_empty() {
            v.unfit("disposition", "办结须写明处理结果");
        }
        if status == Some(LetterStatus::Closed) && scope == Some(LetterScope::Pending) {
            v.unfit("scope", "办结前须先甄别是否属于受理范围");
        }
        v.finish()?;
        Ok(LetterHandling {
            version: self.version,
            discipline,
            category_id,
            scope: scope.expect("validated"),
            passed_to,
            passed_letter,
            duplicate_of,
            disposition,
            status: status.expect("validated"),
        })
    }
}

/// The team's leader appoints (or withdraws) a handler of the letters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct LetterHandlerInput {
    /// A current member of the team, by pool id.
    #[schema(value_type = String, format = "uuid")]
    pub inspector_id: String,
    /// true to appoint, false to withdraw.
    pub on: bool,
}

impl LetterHandlerInput {
    pub fn validate(&self) -> Result<(Id, bool)> {
        let mut v = Validation::new();
        let id = id_field(
            &mut v,
            "inspector_id",
            &self.inspector_id,
            "请选择巡视组成员",
        );
        v.finish()?;
        Ok((id.expect("validated"), self.on))
    }
}

/// What someone of the public sends through the intake page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PublicSubmissionInput {
    /// The inspection on site written to.
    #[schema(value_type = String, format = "uuid")]
    pub inspection_id: String,
    #[schema(min_length = 10, max_length = 20000, pattern = r"\S")]
    pub content: String,
    /// Optional: left empty, the submission is anonymous.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub contact: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub about_name: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub about_post: String,
}

pub struct PublicSubmissionFields {
    pub inspection_id: Id,
    pub content: String,
    pub writer: Option<Writer>,
    pub about_name: String,
    pub about_post: String,
}

impl PublicSubmissionInput {
    pub fn validate(&self) -> Result<PublicSubmissionFields> {
        let mut v = Validation::new();
        let inspection_id = id_field(
            &mut v,
            "inspection_id",
            &self.inspection_id,
            "请选择要反映的巡视组",
        );
        let content = text(
            &mut v,
            "content",
            &self.content,
            LONG_TEXT_MAX,
            "请填写反映内容",
        );
        if !content.is_empty() && content.chars().count() < 10 {
            v.unfit("content", "反映内容过短，请写明具体事实（至少 10 个字）");
        }
        let name = text(&mut v, "name", &self.name, 50, "");
        let contact = text(&mut v, "contact", &self.contact, 200, "");
        let about_name = text(&mut v, "about_name", &self.about_name, 50, "");
        let about_post = text(&mut v, "about_post", &self.about_post, 100, "");
        v.finish()?;
        Ok(PublicSubmissionFields {
            inspection_id: inspection_id.expect("validated"),
            content,
            writer: (!(name.is_empty() && contact.is_empty())).then_some(Writer { name, contact }),
            about_name,
            about_post,
        })
    }
}

/// The receipt code's alphabet: Crockford's base 32, without the letters read as digits.
const RECEIPT_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a receipt code: 5 bits each, 100 bits in all.
pub const RECEIPT_CHARS: usize = 20;

/// A receipt code made from a random secret (`Secrets::random_token`, at least 256 bits in any
/// spelling): the secret is hashed, and the first 100 bits of the hash make 20 characters of
/// 5 bits each, grouped by four for writing down.
pub fn receipt_from(random: &str) -> Result<String> {
    if random.len() < 32 {
        return Err(CoreError::internal(
            "the random token is too short for a receipt",
        ));
    }
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(random.as_bytes());
    let mut out = String::with_capacity(RECEIPT_CHARS + RECEIPT_CHARS / 4);
    for i in 0..RECEIPT_CHARS {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        // Bits 5i .. 5i+5 of the digest, most significant first.
        let bit = i * 5;
        let pair = (u16::from(digest[bit / 8]) << 8) | u16::from(digest[bit / 8 + 1]);
        let five = (pair >> (11 - bit % 8)) & 31;
        out.push(RECEIPT_ALPHABET[usize::from(five)] as char);
    }
    Ok(out)
}

/// A receipt code as typed, made canonical: spaces and dashes dropped, upper case, the letters
/// people confuse with digits read as those digits. `None` when it cannot be a code.
pub fn normalise_receipt(typed: &str) -> Option<String> {
    let mut chars = Vec::with_capacity(RECEIPT_CHARS);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{3000}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !RECEIPT_ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        chars.push(c);
    }
    if chars.len() != RECEIPT_CHARS {
        return None;
    }
    let mut out = String::with_capacity(RECEIPT_CHARS + RECEIPT_CHARS / 4);
    for (i, c) in chars.into_iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    Some(out)
}

/// What is stored of a receipt code: its SHA-256, never the code.
pub fn receipt_hash(code: &str) -> String {
    crate::paper::sha256_hex(format!("xunshi-receipt:{code}").as_bytes())
}

// ---------------------------------------------------------------------------------------------
// Individual talks (个别谈话)

labelled_enum!(
    /// Whom the talk plan must reach (domain.md §3: the whole leadership, the heads of
    /// departments, and others the team chooses).
    TalkGroup, "group" {
        Leadership = "leadership" / "领导班子成员",
        DepartmentHead = "department_head" / "内设机构主要负责人",
        Other = "other" / "其他人员",
    }
);

/// One person the team plans to talk to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TalkPlanEntry {
    pub id: Id,
    pub inspection_id: Id,
    pub name: String,
    pub post: String,
    pub group: TalkGroup,
    /// The talk held with them, once recorded.
    pub talk_id: Option<Id>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TalkPlanInput {
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub post: String,
    #[schema(value_type = TalkGroup)]
    pub group: String,
}

impl TalkPlanInput {
    pub fn validate(&self) -> Result<(String, String, TalkGroup)> {
        let mut v = Validation::new();
        let name = text(&mut v, "name", &self.name, 50, "请填写谈话对象姓名");
        let post = text(&mut v, "post", &self.post, 100, "请填写谈话对象职务");
        let group = v.take(TalkGroup::parse(&self.group));
        v.finish()?;
        Ok((name, post, group.expect("validated")))
    }
}

/// A talk's record. Its text is sealed (`text_sealed`, never serialised); the team reads it
/// through the service, which records the read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Talk {
    pub id: Id,
    pub inspection_id: Id,
    pub interviewee_name: String,
    pub interviewee_post: String,
    #[schema(value_type = String, format = Date)]
    pub talked_on: Date,
    pub place: String,
    /// The inspectors present (the pool's ids), two at least.
    pub inspector_ids: Vec<Id>,
    /// The interviewee read the record and signed it (本人确认).
    pub confirmed: bool,
    pub plan_entry_id: Option<Id>,
    #[serde(skip)]
    pub text_sealed: String,
    pub recorded_by: Option<Id>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

impl Talk {
    pub fn text_context(id: Id) -> String {
        format!("talk:{id}:text")
    }
}

/// The fewest inspectors a talk needs (谈话须有两名以上巡视人员在场).
pub const TALK_MIN_INSPECTORS: usize = 2;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TalkInput {
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub interviewee_name: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub interviewee_post: String,
    #[schema(value_type = String, format = Date)]
    pub talked_on: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub place: String,
    /// The inspectors present, by their ids in the personnel pool: two at least, each on the
    /// team.
    #[serde(default)]
    #[schema(value_type = Vec<crate::id::Id>, required = true)]
    pub inspector_ids: Vec<String>,
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub text: String,
    #[serde(default)]
    pub confirmed: bool,
    /// The talk plan's entry this talk fulfils.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub plan_entry_id: Option<String>,
}

pub struct TalkFields {
    pub interviewee_name: String,
    pub interviewee_post: String,
    pub talked_on: Date,
    pub place: String,
    pub inspector_ids: Vec<Id>,
    pub text: String,
    pub confirmed: bool,
    pub plan_entry_id: Option<Id>,
}

impl TalkInput {
    pub fn validate(&self) -> Result<TalkFields> {
        let mut v = Validation::new();
        let interviewee_name = text(
            &mut v,
            "interviewee_name",
            &self.interviewee_name,
            50,
            "请填写谈话对象",
        );
        let interviewee_post = text(
            &mut v,
            "interviewee_post",
            &self.interviewee_post,
            100,
            "请填写谈话对象职务",
        );
        let talked_on = required_date(&mut v, "talked_on", &self.talked_on, "请填写谈话日期");
        let place = text(&mut v, "place", &self.place, 100, "");
        let mut inspector_ids = Vec::new();
        for raw in self
            .inspector_ids
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match raw.parse::<Id>() {
                Ok(id) if !inspector_ids.contains(&id) => inspector_ids.push(id),
                Ok(_) => {}
                Err(_) => v.add("inspector_ids", format!("“{raw}”不是有效的编号")),
            }
        }
        let text_ = text(&mut v, "text", &self.text, LONG_TEXT_MAX, "请填写谈话记录");
        let plan_entry_id = opt_id_field(&mut v, "plan_entry_id", self.plan_entry_id.as_deref());
        v.finish()?;
        Ok(TalkFields {
            interviewee_name,
            interviewee_post,
            talked_on: talked_on.expect("validated"),
            place,
            inspector_ids,
            text: text_,
            confirmed: self.confirmed,
            plan_entry_id,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Document retrieval (调阅)

labelled_enum!(
    /// Where a request for documents stands.
    DocRequestStatus, "status" {
        Sent = "sent" / "已发出",
        Delivered = "delivered" / "单位已提供",
        Returned = "returned" / "已退还",
    }
);

/// A request to the inspected unit for materials (调阅文件资料).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocRequest {
    pub id: Id,
    pub inspection_id: Id,
    /// The unit asked (one of the inspection's targets).
    pub unit_id: Id,
    pub number: i64,
    /// The materials asked for, one per line.
    pub materials: String,
    #[schema(value_type = String, format = Date)]
    pub sent_on: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    pub notes: String,
    /// The unit's answer: what it provided, or why not.
    pub answer: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub delivered_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub returned_on: Option<Date>,
    pub status: DocRequestStatus,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DocRequestInput {
    #[schema(value_type = String, format = "uuid")]
    pub unit_id: String,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub materials: String,
    #[schema(value_type = String, format = Date)]
    pub sent_on: String,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub notes: String,
}

pub struct DocRequestFields {
    pub unit_id: Id,
    pub materials: String,
    pub sent_on: Date,
    pub due_on: Option<Date>,
    pub notes: String,
}

impl DocRequestInput {
    pub fn validate(&self) -> Result<DocRequestFields> {
        let mut v = Validation::new();
        let unit_id = id_field(&mut v, "unit_id", &self.unit_id, "请选择被调阅单位");
        let materials = text(
            &mut v,
            "materials",
            &self.materials,
            5000,
            "请列明调阅的材料",
        );
        let sent_on = required_date(&mut v, "sent_on", &self.sent_on, "请填写发出日期");
        let due_on = opt_date(&mut v, "due_on", self.due_on.as_deref());
        let notes = text(&mut v, "notes", &self.notes, 2000, "");
        if let (Some(s), Some(d)) = (sent_on, due_on)
            && d < s
        {
            v.unfit("due_on", "提供期限不能早于发出日期");
        }
        v.finish()?;
        Ok(DocRequestFields {
            unit_id: unit_id.expect("validated"),
            materials,
            sent_on: sent_on.expect("validated"),
            due_on,
            notes,
        })
    }
}

/// The unit's answer to a request: what it provided and when.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DocAnswerInput {
    pub version: i64,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub answer: String,
    #[schema(value_type = String, format = Date)]
    pub delivered_on: String,
}

impl DocAnswerInput {
    pub fn validate(&self) -> Result<(String, Date)> {
        let mut v = Validation::new();
        let answer = text(&mut v, "answer", &self.answer, 5000, "请填写提供情况");
        let on = required_date(&mut v, "delivered_on", &self.delivered_on, "请填写提供日期");
        v.finish()?;
        Ok((answer, on.expect("validated")))
    }
}

/// The team gives the materials back.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DocReturnInput {
    pub version: i64,
    #[schema(value_type = String, format = Date)]
    pub returned_on: String,
}

impl DocReturnInput {
    pub fn validate(&self) -> Result<Date> {
        let mut v = Validation::new();
        let on = required_date(&mut v, "returned_on", &self.returned_on, "请填写退还日期");
        v.finish()?;
        Ok(on.expect("validated"))
    }
}

// ---------------------------------------------------------------------------------------------
// The other methods (其他工作方式)

labelled_enum!(
    /// The methods of on-site work besides letters, talks and documents (domain.md §3).
    FieldMethod, "method" {
        ReportHeard = "report_heard" / "听取工作汇报",
        Forum = "forum" / "召开座谈会",
        MeetingAttended = "meeting_attended" / "列席有关会议",
        Appraisal = "appraisal" / "民主测评",
        Questionnaire = "questionnaire" / "问卷调查",
        PersonalMatters = "personal_matters" / "抽查领导干部个人有关事项报告",
        SubordinateVisit = "subordinate_visit" / "深入下属单位了解",
        SpecialCheck = "special_check" / "专项检查",
        Assistance = "assistance" / "提请有关单位予以协助",
        FieldVisit = "field_visit" / "走访调研",
    }
);

impl FieldMethod {
    /// Whether the method hands out forms and counts them back (测评表、问卷).
    pub fn counts_forms(self) -> bool {
        matches!(self, FieldMethod::Appraisal | FieldMethod::Questionnaire)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldRecord {
    pub id: Id,
    pub inspection_id: Id,
    pub method: FieldMethod,
    #[schema(value_type = String, format = Date)]
    pub held_on: Date,
    pub participants: String,
    pub summary: String,
    /// Forms handed out and returned (民主测评、问卷调查).
    pub forms_out: Option<i64>,
    pub forms_back: Option<i64>,
    pub recorded_by: Option<Id>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FieldRecordInput {
    #[schema(value_type = FieldMethod)]
    pub method: String,
    #[schema(value_type = String, format = Date)]
    pub held_on: String,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub participants: String,
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub summary: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub forms_out: Option<i64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub forms_back: Option<i64>,
}

pub struct FieldRecordFields {
    pub method: FieldMethod,
    pub held_on: Date,
    pub participants: String,
    pub summary: String,
    pub forms_out: Option<i64>,
    pub forms_back: Option<i64>,
}

impl FieldRecordInput {
    pub fn validate(&self) -> Result<FieldRecordFields> {
        let mut v = Validation::new();
        let method = v.take(FieldMethod::parse(&self.method));
        let held_on = required_date(&mut v, "held_on", &self.held_on, "请填写日期");
        let participants = text(
            &mut v,
            "participants",
            &self.participants,
            500,
            "请填写参加人员",
        );
        let summary = text(
            &mut v,
            "summary",
            &self.summary,
            LONG_TEXT_MAX,
            "请填写主要情况",
        );
        for (field, n) in [
            ("forms_out", self.forms_out),
            ("forms_back", self.forms_back),
        ] {
            if n.is_some_and(|n| !(0..=1_000_000).contains(&n)) {
                v.add(field, "份数应在 0 到 1000000 之间");
            }
        }
        if let Some(m) = method {
            if m.counts_forms() && self.forms_out.is_none() {
                v.unfit("forms_out", "民主测评和问卷调查须填写发放份数");
            }
            if !m.counts_forms() && (self.forms_out.is_some() || self.forms_back.is_some()) {
                v.unfit("forms_out", "只有民主测评和问卷调查填写份数");
            }
        }
        if let (Some(out), Some(back)) = (self.forms_out, self.forms_back)
            && back > out
        {
            v.unfit("forms_back", "收回份数不能多于发放份数");
        }
        v.finish()?;
        Ok(FieldRecordFields {
            method: method.expect("validated"),
            held_on: held_on.expect("validated"),
            participants,
            summary,
            forms_out: self.forms_out,
            forms_back: self.forms_back,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Evidence by citation

labelled_enum!(
    /// The fieldwork a working paper or a clue may cite.
    SourceKind, "source_kind" {
        Letter = "letter" / "来信来访",
        Talk = "talk" / "个别谈话",
        DocRequest = "doc_request" / "调阅材料",
        FieldRecord = "field_record" / "其他工作记录",
    }
);

labelled_enum!(
    /// What cites fieldwork.
    CitingKind, "citing_kind" {
        Problem = "problem" / "问题底稿",
        Clue = "clue" / "问题线索",
    }
);

/// One citation: a paper or clue rests on a fieldwork record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Citation {
    pub citing_kind: CitingKind,
    pub citing_id: Id,
    pub source_kind: SourceKind,
    pub source_id: Id,
    /// How the source reads in a list (a letter's number and whom it is about, a talk's
    /// interviewee…), for the team only.
    pub label: String,
    #[schema(value_type = String, format = DateTime)]
    pub cited_at: jiff::Timestamp,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CitationInput {
    #[schema(value_type = SourceKind)]
    pub source_kind: String,
    #[schema(value_type = String, format = "uuid")]
    pub source_id: String,
}

impl CitationInput {
    pub fn validate(&self) -> Result<(SourceKind, Id)> {
        let mut v = Validation::new();
        let kind = v.take(SourceKind::parse(&self.source_kind));
        let id = id_field(&mut v, "source_id", &self.source_id, "请选择所依据的材料");
        v.finish()?;
        Ok((kind.expect("validated"), id.expect("validated")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_has_a_hundred_bits_in_groups_of_four_and_reads_back_however_typed() {
        let code = receipt_from(&"3f".repeat(32)).unwrap();
        assert_ne!(code, receipt_from(&"3e".repeat(32)).unwrap());
        assert_eq!(code.len(), RECEIPT_CHARS + 4);
        assert_eq!(code.split('-').count(), 5);
        assert_eq!(normalise_receipt(&code).as_deref(), Some(code.as_str()));
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalise_receipt(&typed).as_deref(), Some(code.as_str()));
        assert!(normalise_receipt("too short").is_none());
        assert!(normalise_receipt(&format!("{code}0")).is_none());
        assert_ne!(receipt_hash(&code), code);
        assert!(!receipt_hash(&code).contains(&code));
    }

    #[test]
    fn every_character_of_a_receipt_is_drawn_from_the_whole_alphabet() {
        // Hex tokens (what the secrets give) must not narrow the characters used.
        let mut seen = std::collections::BTreeSet::new();
        for n in 0..200u32 {
            let token = format!("{:064x}", u128::from(n) * 0x9e37_79b9_7f4a_7c15);
            seen.extend(receipt_from(&token).unwrap().chars().filter(|c| *c != '-'));
        }
        assert_eq!(seen.len(), 32, "{seen:?}");
    }

    #[test]
    fn an_anonymous_letter_carries_no_name_and_a_named_one_needs_one() {
        let mut i = LetterInput {
            channel: "letter".into(),
            received_on: "2020-05-06".into(),
            anonymous: true,
            writer_name: "张三".into(),
            content: "反映某处长违规收受礼金".into(),
            ..Default::default()
        };
        assert!(i.validate().is_err());
        i.writer_name.clear();
        assert!(i.validate().unwrap().writer.is_none());
        i.anonymous = false;
        assert!(i.validate().is_err());
        i.writer_name = "张三".into();
        assert_eq!(i.validate().unwrap().writer.unwrap().name, "张三");
    }

    #[test]
    fn a_letter_passed_on_names_the_department_and_a_closed_one_its_result() {
        let mut h = LetterHandlingInput {
            version: 1,
            scope: "passed_on".into(),
            status: "handling".into(),
            ..Default::default()
        };
        assert!(matches!(h.validate(), Err(CoreError::Unfit(_))));
        h.passed_to = "省信访局".into();
        assert!(h.validate().is_ok());
        h.status = "closed".into();
        assert!(h.validate().is_err());
        h.disposition = "已转省信访局办理".into();
        assert!(h.validate().is_ok());
    }

    #[test]
    fn a_first_letter_is_named_by_its_number_or_its_id() {
        let read = |raw: &str| {
            let mut v = Validation::new();
            let r = LetterRef::read(&mut v, "duplicate_of", Some(raw));
            v.finish().map(|()| r)
        };
        for (raw, n) in [
            ("12", 12),
            ("第12号", 12),
            (" 第 7 号 ", 7),
            ("第3", 3),
            ("3号", 3),
        ] {
            assert_eq!(read(raw).unwrap(), Some(LetterRef::Number(n)), "{raw}");
        }
        let id = Id::new();
        assert_eq!(read(&id.to_string()).unwrap(), Some(LetterRef::Id(id)));
        assert_eq!(read("  ").unwrap(), None);
        for raw in [
            "0",
            "012",
            "六号",
            "第号",
            "12号号",
            "1234567890",
            "-3",
            "12a",
        ] {
            assert!(read(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn forms_are_counted_only_for_appraisals_and_questionnaires() {
        let mut r = FieldRecordInput {
            method: "appraisal".into(),
            held_on: "2020-05-08".into(),
            participants: "班子成员及中层干部".into(),
            summary: "测评结果总体较好".into(),
            ..Default::default()
        };
        assert!(r.validate().is_err());
        r.forms_out = Some(86);
        r.forms_back = Some(90);
        assert!(r.validate().is_err());
        r.forms_back = Some(84);
        assert!(r.validate().is_ok());
        r.method = "forum".into();
        assert!(r.validate().is_err());
    }
}
