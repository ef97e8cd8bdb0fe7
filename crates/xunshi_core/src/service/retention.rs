//! 保管期限与销毁: the office sets how long each kind of fieldwork material is kept; what is past
//! its period is listed; one office user asks for its disposal and a second approves it (or
//! turns it down). Approval removes the records and their files in one transaction with the
//! audit record that holds the hash of each.

use serde_json::json;

use super::messages::{Audience, Note, notify};
use super::planning::{load_inspection, require_planner, today};
use super::{Services, TodoKind, record};
use crate::access::{Access, require_access};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::message::MessageKind;
use crate::page::{Page, PageRequest};
use crate::permission::{Actor, Permission};
use crate::retention::{
    DisposableRecord, Disposal, DisposalDecision, DisposalProposal, DisposalStatus, DueForDisposal,
    RetentionChange, RetentionRule, check_decider, disposable, expires_on, parse_years,
};
use crate::store::{RetentionRead, RetentionWrite, Store, WriteTx};

/// The longest reason or note kept, in characters.
const TEXT_MAX: usize = 500;

fn text_field(field: &str, text: &str, required: Option<&str>) -> Result<String> {
    let t = text.trim();
    if t.is_empty()
        && let Some(why) = required
    {
        return Err(CoreError::unfit(field, why));
    }
    if t.chars().count() > TEXT_MAX {
        return Err(CoreError::unfit(field, format!("不能超过 {TEXT_MAX} 个字")));
    }
    Ok(t.to_owned())
}

fn parse_inspection_id(raw: &str) -> Result<Id> {
    raw.trim()
        .parse()
        .map_err(|_| CoreError::bad_input("inspection_id", "巡视任务编号无效"))
}

/// The one record a proposal names, if any: blank or absent is the whole kind.
fn parse_record_id(raw: Option<&str>) -> Result<Option<Id>> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => r
            .parse()
            .map(Some)
            .map_err(|_| CoreError::bad_input("record_id", format!("记录编号“{r}”无效"))),
    }
}

/// The day inspection `insp` was archived, or the refusal to dispose of anything of it.
async fn archived_on<T: RetentionRead>(tx: &mut T, insp: &Inspection) -> Result<jiff::civil::Date> {
    match (insp.stage, tx.archived_on(insp.id).await?) {
        (Stage::Archived, Some(on)) => Ok(on),
        _ => Err(CoreError::RuleRefused(format!(
            "{}的巡视任务尚未归档，只有归档后保管期满的记录才能销毁",
            insp.team_name
        ))),
    }
}

/// Whether the records of `kind` of an inspection archived on `archived_on` are past their
/// period on `today` under `rules`; the refusal says until when they are kept.
fn check_past(
    rules: &[RetentionRule],
    kind: &str,
    archived_on: jiff::civil::Date,
    today: jiff::civil::Date,
) -> Result<()> {
    let rule = rules
        .iter()
        .find(|r| r.kind == kind)
        .ok_or_else(|| CoreError::internal(format!("no retention rule for {kind}")))?;
    match rule.years {
        None => Err(CoreError::RuleRefused(format!(
            "{}永久保管，不能销毁",
            rule.label
        ))),
        Some(y) => {
            let until = expires_on(archived_on, y);
            if until > today {
                Err(CoreError::RuleRefused(format!(
                    "{}保管期限为{}年，自归档次年起算，{until}前不能销毁",
                    rule.label, y
                )))
            } else {
                Ok(())
            }
        }
    }
}

impl<S: Store> Services<S> {
    /// The period of every disposable kind. For the office.
    pub async fn retention_rules(&self, actor: &Actor) -> Result<Vec<RetentionRule>> {
        actor.require(Permission::ManagePlanning)?;
        let mut tx = self.store.read().await?;
        tx.retention_rules().await
    }

    /// Sets the period of one kind; a stale version is refused.
    pub async fn set_retention_rule(
        &self,
        actor: &Actor,
        kind: &str,
        change: &RetentionChange,
    ) -> Result<RetentionRule> {
        actor.require(Permission::ManagePlanning)?;
        disposable(kind)?;
        let years = parse_years(&change.years)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .retention_rules()
            .await?
            .into_iter()
            .find(|r| r.kind == kind)
            .ok_or_else(|| CoreError::NotFound("保管期限".into()))?;
        if before.version != change.version {
            return Err(CoreError::StaleVersion(format!(
                "{}的保管期限",
                before.label
            )));
        }
        tx.set_retention_rule(kind, years, change.version, actor.user_id(), now)
            .await?;
        let after = RetentionRule {
            years,
            version: before.version + 1,
            updated_at: Some(now),
            ..before.clone()
        };
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RetentionRuleChanged,
                "retention_rule",
                None,
                json!({ "kind": kind, "before": before.period(), "after": after.period() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A page of the archived inspections holding records past their period, as of today.
    pub async fn due_for_disposal(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<DueForDisposal>> {
        actor.require(Permission::ManagePlanning)?;
        let today = today(self.now());
        let mut tx = self.store.read().await?;
        let rules = tx.retention_rules().await?;
        let rows = tx
            .due_for_disposal(&rules, today, page.after, page.limit)
            .await?;
        Ok(Page::from_rows(rows, page.limit, |r| r.inspection_id))
    }

    /// A page of disposals, of one status and of one inspection if given. For the office; one
    /// inspection's also for its committee's own office, whose archive package lists them.
    pub async fn disposals(
        &self,
        actor: &Actor,
        status: Option<DisposalStatus>,
        inspection_id: Option<Id>,
        page: PageRequest,
    ) -> Result<Page<Disposal>> {
        let mut tx = self.store.read().await?;
        match inspection_id {
            Some(id) if !actor.can(Permission::ManagePlanning) => {
                require_planner(actor)?;
                let insp = load_inspection(&mut tx, id).await?;
                require_access(actor, &insp, Access::Read)?;
            }
            _ => actor.require(Permission::ManagePlanning)?,
        }
        let rows = tx
            .disposals(status, inspection_id, page.after, page.limit)
            .await?;
        Ok(Page::from_rows(rows, page.limit, |d| d.id))
    }

    /// One disposal. For the office.
    pub async fn disposal(&self, actor: &Actor, id: Id) -> Result<Disposal> {
        actor.require(Permission::ManagePlanning)?;
        let mut tx = self.store.read().await?;
        tx.get_disposal(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("销毁申请".into()))
    }

    /// A page of an archived inspection's records of one disposable kind, as its register
    /// names them, to choose one for disposal. For the office.
    pub async fn disposable_records(
        &self,
        actor: &Actor,
        inspection_id: Id,
        kind: &str,
        page: PageRequest,
    ) -> Result<Page<DisposableRecord>> {
        actor.require(Permission::ManagePlanning)?;
        disposable(kind)?;
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        archived_on(&mut tx, &insp).await?;
        let rows = tx
            .records_of_kind(inspection_id, kind, page.after, page.limit)
            .await?;
        let total = tx.count_of_kind(inspection_id, kind).await?;
        Ok(Page::from_rows(rows, page.limit, |r| r.id).with_total(total))
    }

    /// Asks for the disposal of one kind of record of an archived inspection, past its period:
    /// every record of it, or the one `record_id` names (a letter another repeats only with
    /// the whole kind).
    pub async fn propose_disposal(&self, actor: &Actor, p: &DisposalProposal) -> Result<Disposal> {
        actor.require(Permission::ManagePlanning)?;
        let user = actor.require_user()?.clone();
        let inspection_id = parse_inspection_id(&p.inspection_id)?;
        let kind_label = disposable(&p.kind)?;
        let record_id = parse_record_id(p.record_id.as_deref())?;
        let reason = text_field(
            "reason",
            &p.reason,
            Some("请写明销毁依据（如保管期限已满、经鉴定无继续保存价值）"),
        )?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        let archived_on = archived_on(&mut tx, &insp).await?;
        let rules = tx.retention_rules().await?;
        check_past(&rules, &p.kind, archived_on, today(now))?;
        let (records, record_title) = match record_id {
            None => (tx.count_of_kind(inspection_id, &p.kind).await?, None),
            Some(r) => {
                let (found, referred) = tx
                    .record_of_kind(inspection_id, &p.kind, r)
                    .await?
                    .ok_or_else(|| {
                        CoreError::NotFound(format!("{}的{kind_label}", insp.team_name))
                    })?;
                if referred > 0 {
                    return Err(CoreError::RuleRefused(format!(
                        "{}另有{referred}件重复件与之反映同一事项，只能随{kind_label}整类销毁",
                        found.title
                    )));
                }
                (1, Some(found.title))
            }
        };
        if records == 0 {
            return Err(CoreError::RuleRefused(format!(
                "{}的巡视任务没有{kind_label}可销毁",
                insp.team_name
            )));
        }
        let d = Disposal {
            id: Id::new(),
            inspection_id,
            team_name: insp.team_name.clone(),
            kind: p.kind.clone(),
            kind_label: kind_label.to_owned(),
            record_id,
            record_title,
            reason,
            status: DisposalStatus::Proposed,
            records,
            proposed_by: user.id,
            proposed_by_name: user.display_name.clone(),
            proposed_at: now,
            decided_by: None,
            decided_by_name: None,
            decided_at: None,
            decision_note: None,
            gone: Vec::new(),
            version: 1,
        };
        tx.insert_disposal(&d).await?;
        // The other office users hear of it: one of them must decide.
        let note = Note {
            event_key: format!("disposal_proposed:{}", d.id),
            kind: MessageKind::Handover,
            title: "销毁申请待批准".into(),
            body: format!(
                "{}的{}保管期满，{}提请销毁（依据：{}）。请另一名办公室人员在“档案保管与销毁”中批准或退回。",
                d.team_name,
                d.what(),
                d.proposed_by_name,
                d.reason
            ),
            about: Some(TodoKind::DisposalDecide),
            object_id: Some(d.id),
            inspection_id: Some(inspection_id),
        };
        notify(&mut tx, actor, Audience::Office, &note, now).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::DisposalProposed,
                "disposal",
                Some(d.id),
                json!({ "inspection_id": inspection_id, "kind": d.kind, "records": records,
                        "record_id": d.record_id, "record_title": d.record_title,
                        "reason": d.reason }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// A second office user's decision on a disposal. Approval checks the period again (it
    /// may have been lengthened since), removes the records with what hangs on them and
    /// records the hash of each; then the stored files no other record names are removed.
    pub async fn decide_disposal(
        &self,
        actor: &Actor,
        id: Id,
        decision: &DisposalDecision,
    ) -> Result<Disposal> {
        actor.require(Permission::ManagePlanning)?;
        let user = actor.require_user()?.clone();
        let approves = decision.approves()?;
        let note = text_field(
            "note",
            &decision.note,
            (!approves).then_some("退回时请写明理由"),
        )?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_disposal(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("销毁申请".into()))?;
        if before.version != decision.version {
            return Err(CoreError::StaleVersion("销毁申请".into()));
        }
        check_decider(actor, &before)?;
        let mut after = Disposal {
            decided_by: Some(user.id),
            decided_by_name: Some(user.display_name.clone()),
            decided_at: Some(now),
            decision_note: (!note.is_empty()).then_some(note),
            version: before.version + 1,
            ..before.clone()
        };
        let action = if approves {
            let archived_on = tx
                .archived_on(before.inspection_id)
                .await?
                .ok_or_else(|| CoreError::internal("a disposal of an inspection not archived"))?;
            let rules = tx.retention_rules().await?;
            check_past(&rules, &before.kind, archived_on, today(now))?;
            after.gone = tx
                .dispose_records(before.inspection_id, &before.kind, before.record_id)
                .await?;
            after.status = DisposalStatus::Done;
            Action::DisposalCarriedOut
        } else {
            after.status = DisposalStatus::Rejected;
            Action::DisposalRejected
        };
        tx.update_disposal(&after).await?;
        let note = Note {
            event_key: format!("disposal_decided:{id}"),
            kind: MessageKind::Decision,
            title: if approves {
                "销毁申请已批准"
            } else {
                "销毁申请已退回"
            }
            .into(),
            body: format!(
                "您提请销毁的{}的{}，{}{}。",
                after.team_name,
                after.what(),
                user.display_name,
                if approves {
                    "已批准并执行销毁"
                } else {
                    "已退回"
                }
            ),
            about: None,
            object_id: Some(id),
            inspection_id: Some(after.inspection_id),
        };
        notify(
            &mut tx,
            actor,
            Audience::Person(after.proposed_by),
            &note,
            now,
        )
        .await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                action,
                "disposal",
                Some(id),
                json!({ "inspection_id": after.inspection_id, "kind": after.kind,
                        "record_id": after.record_id, "proposed_by": after.proposed_by_name,
                        "note": after.decision_note,
                        "gone": after.gone }),
            ),
        )
        .await?;
        tx.commit().await?;
        if approves {
            self.remove_unused_files(&after).await?;
        }
        Ok(after)
    }

    /// The stored files a carried-out disposal took that no record names any more. Run after
    /// the commit: a file is never removed while a row still names it; one left behind by a
    /// crash here is only space.
    async fn remove_unused_files(&self, d: &Disposal) -> Result<()> {
        let files: Vec<&str> = d
            .gone
            .iter()
            .filter(|g| g.table == "file")
            .map(|g| g.key.as_str())
            .collect();
        if files.is_empty() {
            return Ok(());
        }
        let blobs = self.blobs()?;
        let mut unused = Vec::new();
        {
            let mut tx = self.store.read().await?;
            for name in files {
                if !tx.file_in_use(name).await? {
                    unused.push(name);
                }
            }
        }
        for name in unused {
            blobs.delete(name).await?;
        }
        Ok(())
    }
}
