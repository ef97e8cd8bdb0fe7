//! Problem clues: the register, transfers in batches with a letter, the recipients' disposal,
//! and the handling deadline rules.
//!
//! Clue details (whom a clue is about and what it says) are confidential: every service that
//! returns them writes one `clue_read` record for the request, naming each clue it returns, and
//! returns nothing unless that record is written. The read itself runs in a read transaction;
//! the record is appended afterwards, so reading never waits for or holds the writer. Audit
//! summaries of clue changes name fields and ids, never the details
//! themselves, so the audit trail does not become a way round the access rules.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;

use super::planning::{load_inspection, today};
use super::units::resolve_unit_in;
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::clue::{
    ClockColour, Clue, ClueAccess, ClueFields, ClueInput, ClueSettings, ClueSettingsInput,
    ClueStatus, Disposal, DisposalInput, Recipient, RecipientKind, Transfer, TransferInput,
    TransferRef, clue_access, clue_clock, clue_scope, due_on, may_configure, require_clue_access,
    require_recipient,
};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::message::MessageKind;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::Actor;
use crate::service::TodoKind;
use crate::service::messages::{Audience, Note, notify};
use crate::store::{
    ClueFilter, ClueRead, ClueSort, ClueWrite, ReadTx, Store, TransferFilter, WriteTx,
};

/// The inspection a clue came from, as far as a reader of the clue needs it: a recipient may
/// not open the inspection itself, but its letter names the team and the unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionBrief {
    pub id: Id,
    pub team_name: String,
    /// The units inspected.
    pub targets: Vec<String>,
    /// The committee that sent the team.
    pub dispatcher: String,
    pub stage: Stage,
}

/// A clue as a reader sees it: the clue, its handling clock and what the reader may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClueEntry {
    #[serde(flatten)]
    pub clue: Clue,
    /// Green, yellow, red while transferred; done once disposed; absent before transfer.
    pub clock: Option<ClockColour>,
    /// Where a clue of its kind goes by default.
    pub proposed_recipient: RecipientKind,
    pub inspection: InspectionBrief,
    #[serde(skip)]
    pub access: ClueAccess,
    /// Whether the reader may record the disposal (the recipient, once transferred).
    pub may_dispose: bool,
}

/// A transfer letter with its list of clues.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferLetter {
    #[serde(flatten)]
    pub transfer: Transfer,
    pub inspection: InspectionBrief,
    pub clues: Vec<ClueEntry>,
}

/// What a clue list may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ClueListFilter {
    pub inspection_id: Option<Id>,
    pub status: Option<ClueStatus>,
    pub recipient: Option<RecipientKind>,
    pub colour: Option<ClockColour>,
    /// Part of the name or post of whom the clue is about.
    pub q: Option<String>,
}

/// Looks up inspections (and their units' names) once per request.
#[derive(Default)]
struct Briefs {
    inspections: HashMap<Id, (Inspection, InspectionBrief)>,
    unit_names: HashMap<Id, String>,
}

impl Briefs {
    async fn unit_name<T: ReadTx>(&mut self, tx: &mut T, id: Id) -> Result<String> {
        if let Some(n) = self.unit_names.get(&id) {
            return Ok(n.clone());
        }
        let name = tx.get_unit(id).await?.map(|u| u.name).unwrap_or_default();
        self.unit_names.insert(id, name.clone());
        Ok(name)
    }

    async fn get<T: ReadTx>(
        &mut self,
        tx: &mut T,
        id: Id,
    ) -> Result<(Inspection, InspectionBrief)> {
        if let Some(v) = self.inspections.get(&id) {
            return Ok(v.clone());
        }
        let insp = load_inspection(tx, id).await?;
        let mut targets = Vec::new();
        for t in &insp.target_ids {
            targets.push(self.unit_name(tx, *t).await?);
        }
        let brief = InspectionBrief {
            id: insp.id,
            team_name: insp.team_name.clone(),
            targets,
            dispatcher: self.unit_name(tx, insp.dispatcher_id).await?,
            stage: insp.stage,
        };
        self.inspections.insert(id, (insp.clone(), brief.clone()));
        Ok((insp, brief))
    }
}

fn entry(
    actor: &Actor,
    clue: Clue,
    insp: &Inspection,
    brief: InspectionBrief,
    access: ClueAccess,
    today: jiff::civil::Date,
    warn_days: i64,
) -> ClueEntry {
    let may_dispose = clue.status != ClueStatus::Registered
        && clue
            .transfer
            .as_ref()
            .is_some_and(|t| crate::clue::is_recipient(actor, insp, &t.recipient));
    ClueEntry {
        clock: clue_clock(&clue, today, warn_days),
        proposed_recipient: clue.kind.proposed_recipient(),
        inspection: brief,
        access,
        may_dispose,
        clue,
    }
}

/// The `clue_read` record of the clues a request showed the actor.
fn shown(ids: &[Id], via: &str, inspection_id: Option<Id>) -> AuditEntry {
    let mut summary = json!({ "via": via });
    if let Some(i) = inspection_id {
        summary["inspection_id"] = json!(i);
    }
    AuditEntry::shown(Action::ClueRead, "clue", ids, summary)
}

/// A clue for someone who may open it (the rule of [`Services::get_clue`]), without recording
/// the read: the caller records what it shows.
pub(crate) async fn readable_clue<T: ReadTx>(tx: &mut T, actor: &Actor, id: Id) -> Result<Clue> {
    require_user(actor)?;
    let clue = tx
        .get_clue(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("问题线索".into()))?;
    let insp = load_inspection(tx, clue.inspection_id).await?;
    let recipient = clue.transfer.as_ref().map(|t| t.recipient);
    require_clue_access(actor, &insp, recipient.as_ref(), ClueAccess::Recipient)?;
    Ok(clue)
}

fn require_user(actor: &Actor) -> Result<()> {
    if actor.as_user().is_none() && !actor.is_system() {
        return Err(CoreError::Unauthenticated("请先登录".into()));
    }
    Ok(())
}

fn refuse_if_archived(insp: &Inspection) -> Result<()> {
    crate::archive::refuse_if_archived(insp)
}

/// The names of the fields that differ, for the audit trail (never their content).
fn changed_fields(before: &Clue, after: &Clue) -> Vec<&'static str> {
    let mut out = Vec::new();
    if before.about_name != after.about_name {
        out.push("about_name");
    }
    if before.about_post != after.about_post {
        out.push("about_post");
    }
    if before.about_unit_id != after.about_unit_id {
        out.push("about_unit_id");
    }
    if before.summary != after.summary {
        out.push("summary");
    }
    if before.source != after.source {
        out.push("source");
    }
    if before.confidentiality != after.confidentiality {
        out.push("confidentiality");
    }
    if before.kind != after.kind {
        out.push("kind");
    }
    out
}

async fn about_unit<T: ReadTx>(tx: &mut T, f: &ClueFields) -> Result<Option<Id>> {
    match &f.about_unit {
        None => Ok(None),
        Some(u) => Ok(Some(
            resolve_unit_in(tx, u)
                .await
                .map_err(|_| CoreError::unfit("about_unit", format!("单位“{u}”不存在")))?
                .id,
        )),
    }
}

impl<S: Store> Services<S> {
    /// The inspection of a clue register, for those who may read the whole register (the
    /// office, the leadership, the inspection's team). Recipients read their clues through
    /// [`Services::list_clues`]; the inspected unit reads none.
    pub async fn clue_register(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<(Inspection, ClueAccess)> {
        require_user(actor)?;
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        let access = require_clue_access(actor, &insp, None, ClueAccess::Read)?;
        Ok((insp, access))
    }

    /// Registers a clue of an inspection: its team or the office.
    pub async fn register_clue(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &ClueInput,
    ) -> Result<Clue> {
        require_user(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_clue_access(actor, &insp, None, ClueAccess::Team)?;
        refuse_if_archived(&insp)?;
        let f = input.validate()?;
        let about_unit_id = about_unit(&mut tx, &f).await?;
        let clue = Clue {
            id: Id::new(),
            inspection_id: insp.id,
            about_name: f.about_name,
            about_post: f.about_post,
            about_unit_id,
            summary: f.summary,
            source: f.source,
            confidentiality: f.confidentiality,
            kind: f.kind,
            status: ClueStatus::Registered,
            transfer: None,
            disposal: None,
            created_by: actor.user_id(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        tx.insert_clue(&clue).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ClueRegistered,
                "clue",
                Some(clue.id),
                json!({
                    "inspection_id": clue.inspection_id,
                    "kind": clue.kind,
                    "source": clue.source,
                    "confidentiality": clue.confidentiality,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(clue)
    }

    /// Changes a clue still in the register. Once transferred, its letter has gone out and the
    /// clue stays as sent.
    pub async fn update_clue(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &ClueInput,
    ) -> Result<Clue> {
        require_user(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_clue(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("问题线索".into()))?;
        let insp = load_inspection(&mut tx, before.inspection_id).await?;
        let recipient = before.transfer.as_ref().map(|t| t.recipient);
        require_clue_access(actor, &insp, recipient.as_ref(), ClueAccess::Team)?;
        refuse_if_archived(&insp)?;
        if before.version != version {
            return Err(CoreError::StaleVersion("问题线索".into()));
        }
        if before.status != ClueStatus::Registered {
            return Err(CoreError::RuleRefused("线索已移交，不能再修改".into()));
        }
        let f = input.validate()?;
        let about_unit_id = about_unit(&mut tx, &f).await?;
        let after = Clue {
            about_name: f.about_name,
            about_post: f.about_post,
            about_unit_id,
            summary: f.summary,
            source: f.source,
            confidentiality: f.confidentiality,
            kind: f.kind,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_clue(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ClueUpdated,
                "clue",
                Some(id),
                json!({ "changed": changed_fields(&before, &after), "version": after.version }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One clue with its details; the read is recorded.
    pub async fn get_clue(&self, actor: &Actor, id: Id) -> Result<ClueEntry> {
        require_user(actor)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let clue = tx
            .get_clue(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("问题线索".into()))?;
        let mut briefs = Briefs::default();
        let (insp, brief) = briefs.get(&mut tx, clue.inspection_id).await?;
        let recipient = clue.transfer.as_ref().map(|t| t.recipient);
        let access = require_clue_access(actor, &insp, recipient.as_ref(), ClueAccess::Recipient)?;
        let settings = tx.clue_settings().await?;
        drop(tx);
        self.record_shown(
            actor,
            now,
            shown(&[clue.id], "detail", Some(clue.inspection_id)),
        )
        .await?;
        Ok(entry(
            actor,
            clue,
            &insp,
            brief,
            access,
            today(now),
            settings.warn_days,
        ))
    }

    /// The clues the actor may see, filtered; each clue shown is recorded as read. The office
    /// and the leadership see all, a team its inspection's, a recipient what was transferred to
    /// it, the inspected unit nothing.
    pub async fn list_clues(
        &self,
        actor: &Actor,
        f: &ClueListFilter,
        page: PageRequest,
    ) -> Result<Page<ClueEntry>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .clue_page(actor, f, ClueSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the clues the actor may see, narrowed by `f` and sorted by `sort`, from the
    /// cursor `at` (none: the first page; back without a row: the last page), `limit` rows,
    /// with the cursors of the pages next to it and the total, counted by the database under
    /// the same filter and scope as the rows. Each clue shown is recorded as read.
    pub async fn clue_page(
        &self,
        actor: &Actor,
        f: &ClueListFilter,
        sort: ClueSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<ClueEntry>> {
        require_user(actor)?;
        let now = self.now();
        let day = today(now);
        let mut tx = self.store.read().await?;
        let settings = tx.clue_settings().await?;
        let Some(mut sf) = store_filter(f, day, settings.warn_days) else {
            return Ok(SortedPage::empty());
        };
        // Who belongs to an inspected unit sees no clue of its inspection, whatever seat they
        // hold besides: the store leaves them out, so that the count is of what is shown.
        sf.own_units = crate::own_unit::units(actor);
        let scope = clue_scope(actor);
        let total = tx.count_clues(&sf, &scope).await?;
        let want = SortedPage::<Clue>::want(at, total, limit)?;
        let rows = tx.clues_sorted(&sf, &scope, sort, at, want).await?;
        let p = SortedPage::from_walk(rows, sort, at, want, total, |c: &Clue| {
            (sort.key_of(c), c.id)
        });
        let mut briefs = Briefs::default();
        let mut items = Vec::new();
        for clue in p.items {
            let (insp, brief) = briefs.get(&mut tx, clue.inspection_id).await?;
            let recipient = clue.transfer.as_ref().map(|t| t.recipient);
            let access = clue_access(actor, &insp, recipient.as_ref());
            if access == ClueAccess::None {
                continue;
            }
            items.push(entry(
                actor,
                clue,
                &insp,
                brief,
                access,
                day,
                settings.warn_days,
            ));
        }
        drop(tx);
        let ids: Vec<Id> = items.iter().map(|e| e.clue.id).collect();
        self.record_shown(actor, now, shown(&ids, "list", None))
            .await?;
        Ok(SortedPage {
            items,
            next_cursor: p.next_cursor,
            prev_cursor: p.prev_cursor,
            total,
        })
    }

    /// Transfers a batch of registered clues of one inspection with one letter. Every clue must
    /// belong to the inspection and still be registered; otherwise nothing is written.
    pub async fn create_transfer(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &TransferInput,
    ) -> Result<Transfer> {
        require_user(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_clue_access(actor, &insp, None, ClueAccess::TeamLead)?;
        refuse_if_archived(&insp)?;
        let f = input.validate(today(now))?;
        let (recipient, recipient_name) = match f.recipient {
            RecipientKind::Discipline => (Recipient::Discipline, f.recipient.label().to_owned()),
            RecipientKind::Organization => {
                (Recipient::Organization, f.recipient.label().to_owned())
            }
            RecipientKind::Department => {
                let name = f.department.as_deref().unwrap_or_default();
                let unit = resolve_unit_in(&mut tx, name)
                    .await
                    .map_err(|_| CoreError::unfit("department", format!("单位“{name}”不存在")))?;
                if unit.withdrawn {
                    return Err(CoreError::unfit("department", "该单位已撤销"));
                }
                if insp.target_ids.contains(&unit.id) {
                    return Err(CoreError::RuleRefused(format!(
                        "“{}”是本次巡视的被巡视单位，问题线索不得移交被巡视单位本身",
                        unit.name
                    )));
                }
                (Recipient::Department { unit_id: unit.id }, unit.name)
            }
        };
        let settings = tx.clue_settings().await?;
        let due = due_on(f.transferred_on, settings.handling_months)?;
        let mut clues = Vec::new();
        for id in &f.clue_ids {
            let clue = tx
                .get_clue(*id)
                .await?
                .filter(|c| c.inspection_id == insp.id);
            let Some(clue) = clue else {
                return Err(CoreError::unfit(
                    "clue_ids",
                    format!("线索 {id} 不属于本巡视任务"),
                ));
            };
            if clue.status != ClueStatus::Registered {
                return Err(CoreError::RuleRefused(format!(
                    "线索（被反映人：{}）已移交，不能重复移交",
                    clue.about_name
                )));
            }
            clues.push(clue);
        }
        clues.sort_by_key(|c| c.id);
        let transfer = Transfer {
            id: Id::new(),
            inspection_id: insp.id,
            recipient,
            recipient_name: recipient_name.clone(),
            letter_no: f.letter_no,
            letter_text: f.letter_text,
            transferred_on: f.transferred_on,
            due_on: due,
            clue_ids: clues.iter().map(|c| c.id).collect(),
            created_by: actor.user_id(),
            created_at: now,
        };
        match tx.insert_transfer(&transfer).await {
            Err(CoreError::Conflict(_)) => {
                return Err(CoreError::bad_input(
                    "letter_no",
                    format!("文号“{}”已被使用", transfer.letter_no),
                ));
            }
            other => other?,
        }
        let tref = TransferRef {
            id: transfer.id,
            recipient,
            recipient_name,
            letter_no: transfer.letter_no.clone(),
            transferred_on: transfer.transferred_on,
            due_on: transfer.due_on,
        };
        for before in clues {
            let after = Clue {
                status: ClueStatus::Transferred,
                transfer: Some(tref.clone()),
                version: before.version + 1,
                updated_at: now,
                ..before
            };
            tx.update_clue(&after).await?;
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ClueTransferred,
                "clue_transfer",
                Some(transfer.id),
                json!({
                    "inspection_id": transfer.inspection_id,
                    "recipient": transfer.recipient,
                    "letter_no": transfer.letter_no,
                    "transferred_on": transfer.transferred_on.to_string(),
                    "due_on": transfer.due_on.to_string(),
                    "clue_ids": transfer.clue_ids,
                }),
            ),
        )
        .await?;
        // Only how many clues wait and by when, as on the to-do: nothing of a clue.
        notify(
            &mut tx,
            actor,
            Audience::Recipient(&insp, transfer.recipient),
            &Note::new(
                format!("clues_transferred:{}", transfer.id),
                MessageKind::Handover,
                "问题线索待处置",
                format!(
                    "{}移交问题线索{}件（{}），请于{}前办理。",
                    insp.team_name,
                    transfer.clue_ids.len(),
                    transfer.letter_no,
                    transfer.due_on
                ),
                (TodoKind::ClueDispose, transfer.id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(transfer)
    }

    /// The transfers the actor may see: all for the office and the leadership, an inspection's
    /// for its team, its own for a recipient. Letters list no clue details.
    pub async fn list_transfers(
        &self,
        actor: &Actor,
        f: &TransferFilter,
        page: PageRequest,
    ) -> Result<Page<Transfer>> {
        require_user(actor)?;
        let mut tx = self.store.read().await?;
        let mut rows = tx.list_transfers(f, &clue_scope(actor), page).await?;
        let more = rows.len() > page.limit as usize;
        rows.truncate(page.limit as usize);
        let next_cursor = more
            .then(|| rows.last().map(|t| t.id.to_string()))
            .flatten();
        let mut briefs = Briefs::default();
        let mut items = Vec::new();
        for t in rows {
            let (insp, _) = briefs.get(&mut tx, t.inspection_id).await?;
            if clue_access(actor, &insp, Some(&t.recipient)) > ClueAccess::None {
                items.push(t);
            }
        }
        Ok(Page {
            items,
            next_cursor,
            total: None,
        })
    }

    /// A transfer letter with its list; each clue listed is recorded as read.
    pub async fn get_transfer(&self, actor: &Actor, id: Id) -> Result<TransferLetter> {
        require_user(actor)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let transfer = tx
            .get_transfer(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("移交函".into()))?;
        let mut briefs = Briefs::default();
        let (insp, brief) = briefs.get(&mut tx, transfer.inspection_id).await?;
        let access = require_clue_access(
            actor,
            &insp,
            Some(&transfer.recipient),
            ClueAccess::Recipient,
        )
        .map_err(|e| match e {
            CoreError::NotFound(_) => CoreError::NotFound("移交函".into()),
            other => other,
        })?;
        let settings = tx.clue_settings().await?;
        let mut clues = Vec::new();
        for cid in &transfer.clue_ids {
            let clue = tx.get_clue(*cid).await?.ok_or_else(|| {
                CoreError::internal(format!("transfer {id} lists missing clue {cid}"))
            })?;
            clues.push(entry(
                actor,
                clue,
                &insp,
                brief.clone(),
                access,
                today(now),
                settings.warn_days,
            ));
        }
        drop(tx);
        let ids: Vec<Id> = clues.iter().map(|e| e.clue.id).collect();
        self.record_shown(
            actor,
            now,
            shown(&ids, "transfer", Some(transfer.inspection_id)),
        )
        .await?;
        Ok(TransferLetter {
            transfer,
            inspection: brief,
            clues,
        })
    }

    /// The recipient records how it disposed of a transferred clue; a later report replaces
    /// an earlier one (an initial check may end in a case, or be closed).
    pub async fn record_disposal(
        &self,
        actor: &Actor,
        clue_id: Id,
        version: i64,
        input: &DisposalInput,
    ) -> Result<Clue> {
        require_user(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_clue(clue_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("问题线索".into()))?;
        let insp = load_inspection(&mut tx, before.inspection_id).await?;
        let Some(transfer) = before.transfer.clone() else {
            require_clue_access(actor, &insp, None, ClueAccess::Recipient)?;
            return Err(CoreError::RuleRefused(
                "线索尚未移交，不能填报处置情况".into(),
            ));
        };
        require_recipient(actor, &insp, &transfer.recipient)?;
        refuse_if_archived(&insp)?;
        if before.version != version {
            return Err(CoreError::StaleVersion("问题线索".into()));
        }
        let (method, result, decided_on) = input.validate(transfer.transferred_on, today(now))?;
        let after = Clue {
            status: ClueStatus::Disposed,
            disposal: Some(Disposal {
                method,
                result,
                decided_on,
                recorded_by: actor.user_id(),
                recorded_at: now,
            }),
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_clue(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ClueDisposed,
                "clue",
                Some(clue_id),
                json!({
                    "transfer_id": transfer.id,
                    "method": method,
                    "decided_on": decided_on.to_string(),
                    "replaces_earlier": before.disposal.is_some(),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The handling deadline rules in force; anyone logged in may read them.
    pub async fn clue_settings(&self, actor: &Actor) -> Result<ClueSettings> {
        require_user(actor)?;
        self.store.read().await?.clue_settings().await
    }

    /// Changes the handling deadline rules: the office. Transfers already made keep the due
    /// date their letter gave; the warning days apply to every clock at once.
    pub async fn update_clue_settings(
        &self,
        actor: &Actor,
        input: &ClueSettingsInput,
    ) -> Result<ClueSettings> {
        require_user(actor)?;
        if !may_configure(actor) {
            return Err(CoreError::Forbidden(
                "只有巡视办可以修改线索办理时限".into(),
            ));
        }
        input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx.clue_settings().await?;
        if before.version != input.version {
            return Err(CoreError::StaleVersion("线索办理时限设置".into()));
        }
        let after = ClueSettings {
            handling_months: input.handling_months,
            warn_days: input.warn_days,
            version: before.version + 1,
            updated_at: Some(now),
            updated_by: actor.user_id(),
        };
        tx.update_clue_settings(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ClueSettingsUpdated,
                "clue_settings",
                None,
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// The store's filter for a list filter, with the colour turned into due-date bounds for
/// `today`. `None` when the filter cannot match anything (a colour and a status that differ).
fn store_filter(
    f: &ClueListFilter,
    today: jiff::civil::Date,
    warn_days: i64,
) -> Option<ClueFilter> {
    let mut sf = ClueFilter {
        inspection_id: f.inspection_id,
        status: f.status,
        recipient: f.recipient,
        due_from: None,
        due_to: None,
        q: f.q.clone(),
        own_units: Vec::new(),
    };
    let Some(colour) = f.colour else {
        return Some(sf);
    };
    let status = match colour {
        ClockColour::Done => ClueStatus::Disposed,
        _ => ClueStatus::Transferred,
    };
    if f.status.is_some_and(|s| s != status) {
        return None;
    }
    sf.status = Some(status);
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).ok();
    match colour {
        ClockColour::Red => sf.due_to = day(-1),
        ClockColour::Yellow => {
            sf.due_from = Some(today);
            sf.due_to = day(warn_days);
        }
        ClockColour::Green => sf.due_from = day(warn_days + 1),
        ClockColour::Done => {}
    }
    Some(sf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clue::clock;
    use jiff::civil::date;

    #[test]
    fn a_colour_filter_picks_the_due_dates_of_that_colour() {
        let today = date(2020, 6, 18);
        let f = |colour| ClueListFilter {
            colour: Some(colour),
            ..Default::default()
        };
        for (colour, due) in [
            (ClockColour::Red, date(2020, 6, 17)),
            (ClockColour::Yellow, date(2020, 6, 18)),
            (ClockColour::Yellow, date(2020, 6, 25)),
            (ClockColour::Green, date(2020, 6, 26)),
        ] {
            assert_eq!(clock(due, today, 7), colour, "{due}");
            let sf = store_filter(&f(colour), today, 7).unwrap();
            assert_eq!(sf.status, Some(ClueStatus::Transferred));
            assert!(sf.due_from.is_none_or(|d| d <= due), "{colour:?} {due}");
            assert!(sf.due_to.is_none_or(|d| d >= due), "{colour:?} {due}");
        }
        let red = store_filter(&f(ClockColour::Red), today, 7).unwrap();
        assert_eq!(red.due_to, Some(date(2020, 6, 17)));
        let green = store_filter(&f(ClockColour::Green), today, 7).unwrap();
        assert_eq!(green.due_from, Some(date(2020, 6, 26)));
        let done = store_filter(&f(ClockColour::Done), today, 7).unwrap();
        assert_eq!(done.status, Some(ClueStatus::Disposed));
        let clash = ClueListFilter {
            colour: Some(ClockColour::Red),
            status: Some(ClueStatus::Registered),
            ..Default::default()
        };
        assert!(store_filter(&clash, today, 7).is_none());
    }
}
