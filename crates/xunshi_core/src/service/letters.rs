//! The entry announcement and the public's letters, calls and visits (信访举报): the public
//! page and its receipt codes, the team's register, and the revealing of a writer's identity.
//!
//! Need to know: the register is the team's alone (not the office's, not the leadership's, and
//! never the unit's). A writer's name and contact are sealed before they are stored and opened
//! only by the letter handlers the team's leader appointed, each time with a reason, each time
//! recorded in the audit trail — which never holds the name itself.

use serde::Serialize;
use serde_json::json;

use super::fieldwork::require_reads_fieldwork;
use super::fieldwork_files::new_file;
use super::papers::{Seat, require_fieldwork, require_team, team_seat};
use super::planning::{load_inspection, today};
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::fieldwork::{
    Announcement, AnnouncementInput, Channel, Citation, Discipline, Letter, LetterHandlingInput,
    LetterInput, LetterNote, LetterRef, LetterScope, LetterStatus, PublicSubmissionInput,
    SourceKind, Writer, normalise_receipt, receipt_from, receipt_hash,
};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::page::{Page, PageRequest};
use crate::paper::clean_filename;
use crate::permission::Actor;
use crate::store::{
    FieldworkFile, FieldworkRead, FieldworkWrite, LetterFilter, PlanningRead, ReadTx, Store,
    TeamRead, WriteTx,
};

/// The most files one public submission carries.
pub const PUBLIC_FILES_MAX: usize = 3;

/// An inspection on site that accepts letters, as the public page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicInspection {
    pub inspection_id: Id,
    pub team_name: String,
    /// The units inspected, by name.
    pub units: Vec<String>,
    pub announcement: Announcement,
}

/// A public letter received: the receipt code, to be shown once to its writer, and the team it
/// reached.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub receipt: String,
    pub team_name: String,
}

/// What a writer is told on giving the receipt code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicLetterStatus {
    pub team_name: String,
    #[schema(value_type = String, format = Date)]
    pub received_on: jiff::civil::Date,
    pub status: LetterStatus,
    pub status_label: String,
    /// The team's answers and what the writer added, oldest first.
    pub notes: Vec<PublicNote>,
    /// Whether the writer may still add information (the team has not closed the letter).
    pub open: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicNote {
    pub from_writer: bool,
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

/// A letter as the team's register shows it, with what hangs on it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LetterDetail {
    pub letter: Letter,
    pub notes: Vec<LetterNote>,
    pub files: Vec<FieldworkFile>,
    /// The papers and clues that cite it.
    pub cited_by: Vec<Citation>,
    /// Whether the reader is an appointed letter handler (may reveal the writer).
    pub may_reveal: bool,
    /// The number of the first letter this one repeats.
    pub repeats_number: Option<i64>,
}

/// The register counted for the report: by channel, by discipline, by scope (duplicates of an
/// earlier letter left out).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct LetterTally {
    pub total: i64,
    pub by_channel: Vec<Tallied>,
    pub by_discipline: Vec<Tallied>,
    pub by_scope: Vec<Tallied>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tallied {
    pub code: String,
    pub label: String,
    pub count: i64,
}

fn tallied(code: &str, label: &str, count: i64) -> Tallied {
    Tallied {
        code: code.to_owned(),
        label: label.to_owned(),
        count,
    }
}

fn announcing_office(actor: &Actor, insp: &Inspection) -> bool {
    crate::service::supervision::is_office(actor)
        && crate::access::inspection_access(actor, insp) == crate::access::Access::Office
}

/// Whether the actor may publish or change the entry announcement of `insp` now: the team's
/// leader or deputy, or the office, before the team enters or while it is on site. The rule
/// of [`Services::save_announcement`]; pages ask it to offer the form.
pub fn may_announce(actor: &Actor, insp: &Inspection) -> bool {
    (announcing_office(actor, insp) || team_seat(actor, insp) == Some(Seat::Lead))
        && matches!(insp.stage, Stage::Preparation | Stage::OnSite)
}

/// Whether the actor is one of the inspection's appointed letter handlers, still on its team.
pub(crate) async fn is_letter_handler<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    insp: &Inspection,
) -> Result<bool> {
    if team_seat(actor, insp).is_none() {
        return Ok(false);
    }
    let Some(user_id) = actor.user_id() else {
        return Ok(false);
    };
    let Some(me) = tx.find_inspector_by_user(user_id).await? else {
        return Ok(false);
    };
    Ok(tx.letter_handlers(insp.id).await?.contains(&me.id))
}

/// The letter and its inspection, for a member of that inspection's team.
pub(crate) async fn team_letter<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    id: Id,
) -> Result<(Letter, Inspection)> {
    let l = tx
        .get_letter(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("来信来访".into()))?;
    let insp = load_inspection(tx, l.inspection_id).await?;
    require_team(actor, &insp, Seat::Member).map_err(|e| match e {
        // The register is the team's: to anyone else the letter does not exist.
        CoreError::Forbidden(_) => CoreError::NotFound("来信来访".into()),
        e => e,
    })?;
    Ok((l, insp))
}

/// Checks that a letter's category exists, and finds the letter it repeats among the same
/// inspection's (never itself). A repeat of a repeat is linked to the first letter, so that
/// every matter has one first letter and no cycle can form.
async fn check_links<T: ReadTx>(
    tx: &mut T,
    inspection_id: Id,
    this: Option<Id>,
    category_id: Option<Id>,
    duplicate_of: Option<LetterRef>,
) -> Result<Option<Id>> {
    if let Some(c) = category_id
        && tx.get_category(c).await?.is_none()
    {
        return Err(CoreError::unfit("category_id", "没有这个问题分类"));
    }
    let Some(r) = duplicate_of else {
        return Ok(None);
    };
    let refused = || CoreError::unfit("duplicate_of", "重复件须关联本巡视组登记的另一件来信来访");
    let first = match r {
        LetterRef::Id(d) => tx.get_letter(d).await?,
        LetterRef::Number(n) => tx.letter_by_number(inspection_id, n).await?,
    }
    .filter(|f| f.inspection_id == inspection_id)
    .ok_or_else(refused)?;
    let first_id = first.duplicate_of.unwrap_or(first.id);
    if Some(first_id) == this {
        return Err(refused());
    }
    Ok(Some(first_id))
}

impl<S: Store> Services<S> {
    fn seal_writer(&self, letter_id: Id, w: Option<&Writer>) -> Result<Option<String>> {
        match w {
            None => Ok(None),
            Some(w) => {
                let plain = serde_json::to_vec(w).map_err(CoreError::internal)?;
                self.cipher()?
                    .seal(&Letter::writer_context(letter_id), &plain)
                    .map(Some)
            }
        }
    }

    /// Publishes or changes the entry announcement: the team's leader or the office, before
    /// the team enters or while it is on site.
    pub async fn save_announcement(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &AnnouncementInput,
    ) -> Result<Announcement> {
        let f = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        if !may_announce(actor, &insp) {
            if !announcing_office(actor, &insp) {
                require_team(actor, &insp, Seat::Lead)?;
            }
            return Err(CoreError::RuleRefused(format!(
                "巡视任务处于“{}”阶段，巡视公告只在进驻前和进驻期间发布",
                insp.stage.label()
            )));
        }
        let before = tx.get_announcement(insp.id).await?;
        let version = match (&before, input.version) {
            (None, _) => 1,
            (Some(_), None) => {
                return Err(CoreError::bad_input("version", "请提供所依据的版本号"));
            }
            (Some(_), Some(v)) => v + 1,
        };
        let a = Announcement {
            inspection_id: insp.id,
            hotline: f.hotline,
            mailbox: f.mailbox,
            postal_box: f.postal_box,
            email: f.email,
            opens_on: f.opens_on,
            closes_on: f.closes_on,
            scope: f.scope,
            version,
            updated_at: now,
        };
        tx.put_announcement(&a).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::AnnouncementSaved,
                "announcement",
                Some(insp.id),
                json!({ "before": before, "after": a }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// The announcement of an inspection, for whoever may see the inspection.
    pub async fn announcement(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<Option<Announcement>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        crate::access::require_access(actor, &insp, crate::access::Access::Read)?;
        tx.get_announcement(insp.id).await
    }

    /// The inspections now on site whose announcement is open today: the public page, for
    /// anyone, without an account.
    pub async fn public_inspections(&self) -> Result<Vec<PublicInspection>> {
        let day = today(self.now());
        let mut tx = self.store.read().await?;
        let open = tx.open_announcements(day).await?;
        let mut out = Vec::with_capacity(open.len());
        for a in open {
            let insp = load_inspection(&mut tx, a.inspection_id).await?;
            let names = tx.unit_names(&insp.target_ids).await?;
            out.push(PublicInspection {
                inspection_id: insp.id,
                team_name: insp.team_name.clone(),
                units: insp
                    .target_ids
                    .iter()
                    .filter_map(|t| names.iter().find(|(i, _)| i == t).map(|(_, n)| n.clone()))
                    .collect(),
                announcement: a,
            });
        }
        Ok(out)
    }

    /// A letter from the public through the intake page: no account, no address kept. Answers
    /// the receipt code, shown once; only its hash is stored.
    pub async fn submit_public_letter(
        &self,
        input: &PublicSubmissionInput,
        files: Vec<(String, crate::upload::Upload)>,
    ) -> Result<Submitted> {
        let f = input.validate()?;
        if files.len() > PUBLIC_FILES_MAX {
            return Err(CoreError::bad_input(
                "file",
                format!("最多上传 {PUBLIC_FILES_MAX} 个附件"),
            ));
        }
        // Files are checked and stored first; a refused submission leaves only unreferenced
        // content-addressed blobs, which nothing lists.
        let mut stored = Vec::with_capacity(files.len());
        for (name, content) in files {
            let name = clean_filename(&name)?;
            let (kind, size, hash) = self.keep_upload(&name, content).await?;
            stored.push((name, kind, size, hash));
        }
        let now = self.now();
        let day = today(now);
        let code = receipt_from(&self.secrets.random_token())?;
        let id = Id::new();
        let writer_sealed = self.seal_writer(id, f.writer.as_ref())?;
        let mut tx = self.store.write().await?;
        let closed = || CoreError::NotFound("正在受理来信来访的巡视组".into());
        let insp = tx
            .get_inspection(f.inspection_id)
            .await?
            .ok_or_else(closed)?;
        let a = tx.get_announcement(insp.id).await?.ok_or_else(closed)?;
        if insp.stage != Stage::OnSite || !a.open_on(day) {
            return Err(closed());
        }
        let l = Letter {
            id,
            inspection_id: insp.id,
            number: tx.next_letter_number(insp.id).await?,
            channel: Channel::Online,
            received_on: day,
            anonymous: f.writer.is_none(),
            writer_sealed,
            about_name: f.about_name,
            about_post: f.about_post,
            content: f.content,
            discipline: None,
            category_id: None,
            scope: LetterScope::Pending,
            passed_to: String::new(),
            passed_letter: String::new(),
            duplicate_of: None,
            disposition: String::new(),
            status: LetterStatus::Received,
            from_public: true,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_letter(&l, Some(&receipt_hash(&code)), None)
            .await?;
        for (name, kind, size, hash) in &stored {
            let file = new_file(SourceKind::Letter, l.id, name, *kind, *size, hash, now);
            tx.insert_fieldwork_file(&file).await?;
        }
        record(
            &mut tx,
            &Actor::anonymous(None),
            now,
            AuditEntry::new(
                Action::LetterReceived,
                "letter",
                Some(l.id),
                json!({ "inspection_id": insp.id, "number": l.number, "anonymous": l.anonymous,
                        "files": stored.len() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Submitted {
            receipt: code,
            team_name: insp.team_name,
        })
    }

    async fn letter_by_code<T: ReadTx>(tx: &mut T, code: &str) -> Result<Letter> {
        let unknown = || CoreError::NotFound("与该查询码对应的反映件".into());
        let code = normalise_receipt(code).ok_or_else(unknown)?;
        tx.letter_by_receipt(&receipt_hash(&code))
            .await?
            .ok_or_else(unknown)
    }

    /// What the writer of a public letter may know, by its receipt code.
    pub async fn public_letter_status(&self, code: &str) -> Result<PublicLetterStatus> {
        let mut tx = self.store.read().await?;
        let l = Self::letter_by_code(&mut tx, code).await?;
        let insp = load_inspection(&mut tx, l.inspection_id).await?;
        let notes = tx.letter_notes(l.id).await?;
        Ok(PublicLetterStatus {
            team_name: insp.team_name,
            received_on: l.received_on,
            status: l.status,
            status_label: l.status.label().to_owned(),
            notes: notes
                .into_iter()
                .map(|n| PublicNote {
                    from_writer: n.from_writer,
                    body: n.body,
                    at: n.created_at,
                })
                .collect(),
            open: l.status != LetterStatus::Closed,
        })
    }

    /// The writer adds information to their letter, by its receipt code, until it is closed.
    pub async fn public_letter_add(&self, code: &str, body: &str) -> Result<PublicLetterStatus> {
        let body = body.trim();
        if body.is_empty() {
            return Err(CoreError::bad_input("content", "请填写补充的内容"));
        }
        if body.chars().count() > crate::fieldwork::LONG_TEXT_MAX {
            return Err(CoreError::bad_input("content", "补充内容过长"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let l = Self::letter_by_code(&mut tx, code).await?;
        if l.status == LetterStatus::Closed {
            return Err(CoreError::RuleRefused("该反映件已办结，不能再补充".into()));
        }
        let n = LetterNote {
            id: Id::new(),
            letter_id: l.id,
            from_writer: true,
            body: body.to_owned(),
            created_at: now,
        };
        tx.insert_letter_note(&n, None).await?;
        record(
            &mut tx,
            &Actor::anonymous(None),
            now,
            AuditEntry::new(
                Action::LetterNoteAdded,
                "letter",
                Some(l.id),
                json!({ "note_id": n.id, "from_writer": true }),
            ),
        )
        .await?;
        tx.commit().await?;
        self.public_letter_status(code).await
    }

    /// Registers a letter, call or visit the team received: a member of the team, while it is
    /// on site or reporting.
    pub async fn register_letter(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &LetterInput,
    ) -> Result<Letter> {
        let f = input.validate()?;
        let now = self.now();
        if f.received_on > today(now) {
            return Err(CoreError::unfit("received_on", "收到日期不能晚于今天"));
        }
        let id = Id::new();
        let writer_sealed = self.seal_writer(id, f.writer.as_ref())?;
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        require_fieldwork(&insp, "登记来信来访")?;
        check_links(&mut tx, insp.id, None, f.category_id, None).await?;
        let l = Letter {
            id,
            inspection_id: insp.id,
            number: tx.next_letter_number(insp.id).await?,
            channel: f.channel,
            received_on: f.received_on,
            anonymous: f.writer.is_none(),
            writer_sealed,
            about_name: f.about_name,
            about_post: f.about_post,
            content: f.content,
            discipline: f.discipline,
            category_id: f.category_id,
            scope: LetterScope::Pending,
            passed_to: String::new(),
            passed_letter: String::new(),
            duplicate_of: None,
            disposition: String::new(),
            status: LetterStatus::Received,
            from_public: false,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_letter(&l, None, actor.user_id()).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::LetterRegistered,
                "letter",
                Some(l.id),
                // The letter as serialised: the sealed writer is never part of it.
                json!({ "after": l }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(l)
    }

    /// A page of the inspection's register, newest first, with the total under the filter.
    pub async fn letters_page(
        &self,
        actor: &Actor,
        inspection_id: Id,
        f: &LetterFilter,
        page: PageRequest,
    ) -> Result<Page<Letter>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_reads_fieldwork(actor, &insp)?;
        let rows = tx
            .letters_page(insp.id, f, page.after, page.limit + 1)
            .await?;
        let total = tx.count_letters(insp.id, f).await?;
        Ok(Page::from_rows(rows, page.limit, |l| l.id).with_total(total))
    }

    /// The register counted by channel, discipline and scope, for the team's report.
    pub async fn letter_tally(&self, actor: &Actor, inspection_id: Id) -> Result<LetterTally> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_reads_fieldwork(actor, &insp)?;
        let counts = tx.letter_counts(insp.id).await?;
        let mut t = LetterTally {
            total: counts.iter().map(|c| c.count).sum(),
            ..Default::default()
        };
        for c in Channel::ALL {
            let n: i64 = counts
                .iter()
                .filter(|x| x.channel == *c)
                .map(|x| x.count)
                .sum();
            t.by_channel.push(tallied(c.as_str(), c.label(), n));
        }
        for d in Discipline::ALL {
            let n: i64 = counts
                .iter()
                .filter(|x| x.discipline == Some(*d))
                .map(|x| x.count)
                .sum();
            t.by_discipline.push(tallied(d.as_str(), d.label(), n));
        }
        let unclassified: i64 = counts
            .iter()
            .filter(|x| x.discipline.is_none())
            .map(|x| x.count)
            .sum();
        t.by_discipline
            .push(tallied("unclassified", "未分类", unclassified));
        for s in LetterScope::ALL {
            let n: i64 = counts
                .iter()
                .filter(|x| x.scope == *s)
                .map(|x| x.count)
                .sum();
            t.by_scope.push(tallied(s.as_str(), s.label(), n));
        }
        Ok(t)
    }

    /// A letter of the register with its notes, files and what cites it: the team.
    pub async fn letter_detail(&self, actor: &Actor, id: Id) -> Result<LetterDetail> {
        let mut tx = self.store.read().await?;
        let (letter, insp) = team_letter(&mut tx, actor, id).await?;
        let notes = tx.letter_notes(id).await?;
        let files = tx.fieldwork_files(SourceKind::Letter, id).await?;
        let cited = tx.cited_by(SourceKind::Letter, id).await?;
        let cited_by = super::fieldwork::label_citing(&mut tx, cited).await?;
        let may_reveal = letter.has_writer() && is_letter_handler(&mut tx, actor, &insp).await?;
        let repeats_number = match letter.duplicate_of {
            Some(d) => tx.get_letter(d).await?.map(|f| f.number),
            None => None,
        };
        Ok(LetterDetail {
            letter,
            notes,
            files,
            cited_by,
            may_reveal,
            repeats_number,
        })
    }

    /// Classifies a letter, takes it up or passes it on, links it to the letter it repeats,
    /// and records what was done: a member of the team, on the version seen.
    pub async fn handle_letter(
        &self,
        actor: &Actor,
        id: Id,
        input: &LetterHandlingInput,
    ) -> Result<Letter> {
        let h = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = team_letter(&mut tx, actor, id).await?;
        require_fieldwork(&insp, "办理来信来访")?;
        let duplicate_of =
            check_links(&mut tx, insp.id, Some(id), h.category_id, h.duplicate_of).await?;
        if before.version != h.version {
            return Err(CoreError::StaleVersion(format!(
                "第 {} 号来信",
                before.number
            )));
        }
        let after = Letter {
            discipline: h.discipline,
            category_id: h.category_id,
            scope: h.scope,
            passed_to: h.passed_to,
            passed_letter: h.passed_letter,
            duplicate_of,
            disposition: h.disposition,
            status: h.status,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_letter(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::LetterHandled,
                "letter",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The team's answer to the writer of a public letter, which the writer reads with the
    /// receipt code.
    pub async fn reply_to_writer(&self, actor: &Actor, id: Id, body: &str) -> Result<LetterNote> {
        let body = body.trim();
        if body.is_empty() {
            return Err(CoreError::bad_input("body", "请填写答复内容"));
        }
        if body.chars().count() > 5000 {
            return Err(CoreError::bad_input("body", "不能超过 5000 个字"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (l, _) = team_letter(&mut tx, actor, id).await?;
        if !l.from_public {
            return Err(CoreError::RuleRefused(
                "只有通过网上举报页面提交的件才能通过查询码答复反映人".into(),
            ));
        }
        let n = LetterNote {
            id: Id::new(),
            letter_id: id,
            from_writer: false,
            body: body.to_owned(),
            created_at: now,
        };
        tx.insert_letter_note(&n, actor.user_id()).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::LetterNoteAdded,
                "letter",
                Some(id),
                json!({ "note_id": n.id, "from_writer": false, "body": n.body }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Opens the writer's name and contact: an appointed letter handler of the inspection,
    /// giving a reason. The reveal is recorded (who, which letter, why) before the name is
    /// returned; the record never holds the name.
    pub async fn reveal_writer(&self, actor: &Actor, id: Id, reason: &str) -> Result<Writer> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(CoreError::bad_input("reason", "请写明查看反映人身份的理由"));
        }
        if reason.chars().count() > 500 {
            return Err(CoreError::bad_input("reason", "不能超过 500 个字"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (l, insp) = team_letter(&mut tx, actor, id).await?;
        if !is_letter_handler(&mut tx, actor, &insp).await? {
            return Err(CoreError::Forbidden(
                "只有组长指定的信访承办人可以查看反映人身份".into(),
            ));
        }
        let Some(sealed) = l.writer_sealed.as_deref() else {
            return Err(CoreError::RuleRefused(
                "该件为匿名反映，没有反映人身份".into(),
            ));
        };
        let plain = self.cipher()?.open(&Letter::writer_context(id), sealed)?;
        let writer: Writer = serde_json::from_slice(&plain).map_err(CoreError::internal)?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::WriterRevealed,
                "letter",
                Some(id),
                json!({ "inspection_id": insp.id, "number": l.number, "reason": reason }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(writer)
    }

    /// Appoints or withdraws a letter handler: the team's leader or deputy, choosing a member
    /// of the team.
    pub async fn set_letter_handler(
        &self,
        actor: &Actor,
        inspection_id: Id,
        inspector_id: Id,
        on: bool,
    ) -> Result<Vec<Id>> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Lead)?;
        let members = tx.list_team_members(insp.id).await?;
        if on
            && !members
                .iter()
                .any(|m| m.active() && m.inspector_id == inspector_id)
        {
            return Err(CoreError::unfit(
                "inspector_id",
                "信访承办人须为本巡视组在任成员",
            ));
        }
        tx.set_letter_handler(insp.id, inspector_id, on, actor.user_id(), now)
            .await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::LetterHandlerSet,
                "inspection",
                Some(insp.id),
                json!({ "inspector_id": inspector_id, "appointed": on }),
            ),
        )
        .await?;
        let handlers = tx.letter_handlers(insp.id).await?;
        tx.commit().await?;
        Ok(handlers)
    }

    /// The appointed letter handlers of an inspection (pool ids): the team.
    pub async fn letter_handlers(&self, actor: &Actor, inspection_id: Id) -> Result<Vec<Id>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_reads_fieldwork(actor, &insp)?;
        tx.letter_handlers(insp.id).await
    }
}
