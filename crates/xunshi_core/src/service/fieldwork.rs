//! Fieldwork besides letters: the talk plan and the talks (two inspectors at least, the record
//! sealed, each read recorded), document requests to the unit (the only fieldwork the unit
//! sees: its principal or liaison answers those addressed to it), the other methods' records,
//! and the citations that tie papers and clues to what they rest on.

use serde::Serialize;
use serde_json::json;

use super::fieldwork_files::team_record;
use super::papers::{Seat, require_fieldwork, require_team};
use super::planning::{load_inspection, today};
use super::supervision::{speaks_for, speaks_for_units};
use super::{Services, record};
use crate::access::{Access, inspection_access};
use crate::archive::may_take_package;
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::fieldwork::{
    Citation, CitationInput, CitingKind, DocAnswerInput, DocRequest, DocRequestInput,
    DocRequestStatus, DocReturnInput, FieldRecord, FieldRecordInput, SourceKind,
    TALK_MIN_INSPECTORS, Talk, TalkGroup, TalkInput, TalkPlanEntry, TalkPlanInput,
};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::page::{Page, PageRequest};
use crate::permission::Actor;
use crate::store::{
    FieldworkFile, FieldworkRead, FieldworkWrite, ReadTx, Store, TeamRead, WriteTx,
};

/// A record of the other methods as its page shows it, with what hangs on it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldRecordDetail {
    pub record: FieldRecord,
    pub files: Vec<FieldworkFile>,
    /// The papers and clues that cite it.
    pub cited_by: Vec<Citation>,
}

/// A talk with its record opened, for the team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TalkDetail {
    pub talk: Talk,
    pub text: String,
    /// The inspectors present, by name.
    pub inspectors: Vec<String>,
    pub cited_by: Vec<Citation>,
}

/// The talk plan with how far it is covered, by group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TalkCoverage {
    pub entries: Vec<TalkPlanEntry>,
    pub groups: Vec<GroupCoverage>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupCoverage {
    pub group: TalkGroup,
    pub label: String,
    pub planned: i64,
    pub held: i64,
}

/// A document request as a list shows it, with the unit's name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocRequestEntry {
    #[serde(flatten)]
    pub request: DocRequest,
    pub unit_name: String,
    pub team_name: String,
    /// Whether the reader may answer it (the unit's principal or liaison, while it waits).
    pub may_answer: bool,
    /// Whether the reader may mark the materials returned (the team, once provided).
    pub may_return: bool,
}

/// What the fieldwork page counts for an inspection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldworkSummary {
    pub letters: i64,
    pub talks: i64,
    pub doc_requests: i64,
    pub records: i64,
}

/// Whether the actor reads the fieldwork registers of `insp` (the letters, talks, document
/// requests and other records as lists and counts): a seat on its team; and, once the
/// inspection is archived, the office that hands its files to the archives
/// ([`may_take_package`]: they are in its custody now). The sealed fields — a talk's record, a
/// writer's identity — and the records opened one by one stay the team's. Pages ask it to
/// offer the tabs; [`require_reads_fieldwork`] is the same rule for the services.
pub fn reads_fieldwork(actor: &Actor, insp: &Inspection) -> bool {
    super::papers::team_seat(actor, insp).is_some() || may_take_package(actor, insp)
}

/// Refuses whoever [`reads_fieldwork`] does not let read the registers of `insp`, with the
/// team's reason (or as not found, to whoever may not know of the inspection).
pub(crate) fn require_reads_fieldwork(actor: &Actor, insp: &Inspection) -> Result<()> {
    if may_take_package(actor, insp) {
        return Ok(());
    }
    require_team(actor, insp, Seat::Member).map(|_| ())
}

/// Whether the actor opens the records themselves (a talk's sealed record, a record of the
/// other methods with its files): the team alone, archived or not. Pages ask it to link them.
pub fn opens_field_records(actor: &Actor, insp: &Inspection) -> bool {
    super::papers::team_seat(actor, insp).is_some()
}

impl<S: Store> Services<S> {
    /// How much fieldwork an inspection holds: its team.
    pub async fn fieldwork_summary(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<FieldworkSummary> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_reads_fieldwork(actor, &insp)?;
        Ok(FieldworkSummary {
            letters: tx.count_letters(insp.id, &Default::default()).await?,
            talks: tx.count_talks(insp.id).await?,
            doc_requests: tx.count_doc_requests(insp.id, None).await?,
            records: tx.count_field_records(insp.id).await?,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Talks

    /// Adds a person to the talk plan: a member of the team, before it enters or on site.
    pub async fn plan_talk(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &TalkPlanInput,
    ) -> Result<TalkPlanEntry> {
        let (name, post, group) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        if !matches!(insp.stage, Stage::Preparation | Stage::OnSite) {
            return Err(CoreError::RuleRefused(format!(
                "巡视任务处于“{}”阶段，谈话计划只在进驻前和进驻期间制定",
                insp.stage.label()
            )));
        }
        let e = TalkPlanEntry {
            id: Id::new(),
            inspection_id: insp.id,
            name,
            post,
            group,
            talk_id: None,
        };
        tx.insert_talk_plan_entry(&e).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TalkPlanned,
                "talk_plan",
                Some(e.id),
                json!({ "after": e }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// The talk plan and its coverage by group: the team.
    pub async fn talk_coverage(&self, actor: &Actor, inspection_id: Id) -> Result<TalkCoverage> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_reads_fieldwork(actor, &insp)?;
        let entries = tx.talk_plan(insp.id).await?;
        let groups = TalkGroup::ALL
            .iter()
            .map(|g| {
                let of: Vec<_> = entries.iter().filter(|e| e.group == *g).collect();
                GroupCoverage {
                    group: *g,
                    label: g.label().to_owned(),
                    planned: of.len() as i64,
                    held: of.iter().filter(|e| e.talk_id.is_some()).count() as i64,
                }
            })
            .collect();
        Ok(TalkCoverage { entries, groups })
    }

    /// Records a talk: a member of the team, on site, with at least two of the team present;
    /// the record is sealed before it is stored.
    pub async fn record_talk(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &TalkInput,
    ) -> Result<Talk> {
        let f = input.validate()?;
        let now = self.now();
        if f.talked_on > today(now) {
            return Err(CoreError::unfit("talked_on", "谈话日期不能晚于今天"));
        }
        if f.inspector_ids.len() < TALK_MIN_INSPECTORS {
            return Err(CoreError::unfit(
                "inspector_ids",
                format!("个别谈话须有 {TALK_MIN_INSPECTORS} 名以上巡视组成员在场"),
            ));
        }
        let id = Id::new();
        let text_sealed = self
            .cipher()?
            .seal(&Talk::text_context(id), f.text.as_bytes())?;
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        require_fieldwork(&insp, "登记个别谈话")?;
        let members = tx.list_team_members(insp.id).await?;
        for i in &f.inspector_ids {
            if !members.iter().any(|m| m.active() && m.inspector_id == *i) {
                return Err(CoreError::unfit(
                    "inspector_ids",
                    "在场人员须为本巡视组在任成员",
                ));
            }
        }
        if let Some(p) = f.plan_entry_id {
            let e = tx.get_talk_plan_entry(p).await?;
            match e {
                Some(e) if e.inspection_id == insp.id && e.talk_id.is_none() => {}
                Some(e) if e.inspection_id == insp.id => {
                    return Err(CoreError::unfit("plan_entry_id", "该谈话对象已谈过"));
                }
                _ => {
                    return Err(CoreError::unfit(
                        "plan_entry_id",
                        "谈话计划中没有这个谈话对象",
                    ));
                }
            }
        }
        let t = Talk {
            id,
            inspection_id: insp.id,
            interviewee_name: f.interviewee_name,
            interviewee_post: f.interviewee_post,
            talked_on: f.talked_on,
            place: f.place,
            inspector_ids: f.inspector_ids,
            confirmed: f.confirmed,
            plan_entry_id: f.plan_entry_id,
            text_sealed,
            recorded_by: actor.user_id(),
            version: 1,
            created_at: now,
        };
        tx.insert_talk(&t).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TalkRecorded,
                "talk",
                Some(t.id),
                // The talk as serialised: its sealed text is never part of it.
                json!({ "after": t }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// A page of the inspection's talks, newest first (without their records): the team.
    pub async fn talks_page(
        &self,
        actor: &Actor,
        inspection_id: Id,
        page: PageRequest,
    ) -> Result<Page<Talk>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_reads_fieldwork(actor, &insp)?;
        let rows = tx.talks_page(insp.id, page.after, page.limit + 1).await?;
        let total = tx.count_talks(insp.id).await?;
        Ok(Page::from_rows(rows, page.limit, |t| t.id).with_total(total))
    }

    /// A talk with its record opened: the team; the read is recorded.
    pub async fn talk_detail(&self, actor: &Actor, id: Id) -> Result<TalkDetail> {
        let (talk, inspectors, cited) = {
            let mut tx = self.store.read().await?;
            let talk = tx
                .get_talk(id)
                .await?
                .ok_or_else(|| CoreError::NotFound("个别谈话".into()))?;
            let insp = load_inspection(&mut tx, talk.inspection_id).await?;
            require_team(actor, &insp, Seat::Member).map_err(|e| match e {
                CoreError::Forbidden(_) => CoreError::NotFound("个别谈话".into()),
                e => e,
            })?;
            let mut names = Vec::new();
            for i in &talk.inspector_ids {
                if let Some(x) = tx.get_inspector(*i).await? {
                    names.push(x.name);
                }
            }
            let cited = tx.cited_by(SourceKind::Talk, id).await?;
            let cited = label_citing(&mut tx, cited).await?;
            (talk, names, cited)
        };
        let plain = self
            .cipher()?
            .open(&Talk::text_context(id), &talk.text_sealed)?;
        let text = String::from_utf8(plain).map_err(CoreError::internal)?;
        self.record_shown(
            actor,
            self.now(),
            AuditEntry::new(
                Action::TalkViewed,
                "talk",
                Some(id),
                json!({ "inspection_id": talk.inspection_id }),
            ),
        )
        .await?;
        Ok(TalkDetail {
            talk,
            text,
            inspectors,
            cited_by: cited,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Document requests

    /// Sends a request for materials to one of the inspected units: a member of the team, on
    /// site.
    pub async fn send_doc_request(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &DocRequestInput,
    ) -> Result<DocRequest> {
        let f = input.validate()?;
        let now = self.now();
        if f.sent_on > today(now) {
            return Err(CoreError::unfit("sent_on", "发出日期不能晚于今天"));
        }
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        require_fieldwork(&insp, "调阅材料")?;
        if !insp.target_ids.contains(&f.unit_id) {
            return Err(CoreError::unfit(
                "unit_id",
                "只能向本次巡视的被巡视单位调阅材料",
            ));
        }
        let d = DocRequest {
            id: Id::new(),
            inspection_id: insp.id,
            unit_id: f.unit_id,
            number: tx.next_doc_request_number(insp.id).await?,
            materials: f.materials,
            sent_on: f.sent_on,
            due_on: f.due_on,
            notes: f.notes,
            answer: String::new(),
            delivered_on: None,
            returned_on: None,
            status: DocRequestStatus::Sent,
            version: 1,
            created_at: now,
        };
        tx.insert_doc_request(&d).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::DocRequestSent,
                "doc_request",
                Some(d.id),
                json!({ "after": d }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// A page of an inspection's document requests: the team sees them all, the unit's
    /// principal or liaison those addressed to their unit, and nobody else any.
    pub async fn doc_requests_page(
        &self,
        actor: &Actor,
        inspection_id: Id,
        page: PageRequest,
    ) -> Result<Page<DocRequestEntry>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        let units = doc_scope(actor, &insp)?;
        let rows = tx
            .doc_requests_page(insp.id, units.as_deref(), page.after, page.limit + 1)
            .await?;
        let total = tx.count_doc_requests(insp.id, units.as_deref()).await?;
        let names = tx.unit_names(&insp.target_ids).await?;
        let page = Page::from_rows(rows, page.limit, |d| d.id).with_total(total);
        Ok(page.map(|d| doc_entry(actor, &insp, &names, d)))
    }

    /// The document requests waiting for the units the actor answers for, across inspections
    /// (the unit's own page).
    pub async fn doc_requests_to_answer(&self, actor: &Actor) -> Result<Vec<DocRequestEntry>> {
        let units = speaks_for_units(actor);
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.store.read().await?;
        let rows = tx.doc_requests_waiting(&units).await?;
        let mut out = Vec::with_capacity(rows.len());
        for d in rows {
            let insp = load_inspection(&mut tx, d.inspection_id).await?;
            let names = tx.unit_names(&[d.unit_id]).await?;
            out.push(doc_entry(actor, &insp, &names, d));
        }
        Ok(out)
    }

    /// One request, for the team or the unit it is addressed to.
    pub async fn doc_request(&self, actor: &Actor, id: Id) -> Result<DocRequestEntry> {
        let mut tx = self.store.read().await?;
        let (d, insp) = readable_doc_request(&mut tx, actor, id).await?;
        let names = tx.unit_names(&[d.unit_id]).await?;
        Ok(doc_entry(actor, &insp, &names, d))
    }

    /// The unit answers a request: its principal or liaison, once, on the version seen.
    pub async fn answer_doc_request(
        &self,
        actor: &Actor,
        id: Id,
        input: &DocAnswerInput,
    ) -> Result<DocRequest> {
        let (answer, on) = input.validate()?;
        let now = self.now();
        if on > today(now) {
            return Err(CoreError::unfit("delivered_on", "提供日期不能晚于今天"));
        }
        let mut tx = self.store.write().await?;
        let (before, _) = readable_doc_request(&mut tx, actor, id).await?;
        if !speaks_for(actor, before.unit_id) {
            return Err(CoreError::Forbidden(
                "调阅通知由被调阅单位主要负责人或联络员答复".into(),
            ));
        }
        if before.status != DocRequestStatus::Sent {
            return Err(CoreError::RuleRefused("该调阅通知已答复".into()));
        }
        if on < before.sent_on {
            return Err(CoreError::unfit("delivered_on", "提供日期不能早于发出日期"));
        }
        if before.version != input.version {
            return Err(CoreError::StaleVersion(format!(
                "第 {} 号调阅单",
                before.number
            )));
        }
        let after = DocRequest {
            answer,
            delivered_on: Some(on),
            status: DocRequestStatus::Delivered,
            version: before.version + 1,
            ..before.clone()
        };
        tx.update_doc_request(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::DocRequestAnswered,
                "doc_request",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The team gives the materials back, once the unit provided them.
    pub async fn return_doc_request(
        &self,
        actor: &Actor,
        id: Id,
        input: &DocReturnInput,
    ) -> Result<DocRequest> {
        let on = input.validate()?;
        let now = self.now();
        if on > today(now) {
            return Err(CoreError::unfit("returned_on", "退还日期不能晚于今天"));
        }
        let mut tx = self.store.write().await?;
        let (before, insp) = readable_doc_request(&mut tx, actor, id).await?;
        // Whoever reads the request knows it exists: the unit is told why it may not.
        if require_team(actor, &insp, Seat::Member).is_err() {
            return Err(CoreError::Forbidden("调阅材料由巡视组登记退还".into()));
        }
        if before.status != DocRequestStatus::Delivered {
            return Err(CoreError::RuleRefused("单位提供材料后才能登记退还".into()));
        }
        if before.delivered_on.is_some_and(|d| on < d) {
            return Err(CoreError::unfit("returned_on", "退还日期不能早于提供日期"));
        }
        if before.version != input.version {
            return Err(CoreError::StaleVersion(format!(
                "第 {} 号调阅单",
                before.number
            )));
        }
        let after = DocRequest {
            returned_on: Some(on),
            status: DocRequestStatus::Returned,
            version: before.version + 1,
            ..before.clone()
        };
        tx.update_doc_request(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::DocRequestReturned,
                "doc_request",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // -----------------------------------------------------------------------------------------
    // The other methods

    /// Records a report heard, a forum, an appraisal…: a member of the team, on site.
    pub async fn add_field_record(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &FieldRecordInput,
    ) -> Result<FieldRecord> {
        let f = input.validate()?;
        let now = self.now();
        if f.held_on > today(now) {
            return Err(CoreError::unfit("held_on", "日期不能晚于今天"));
        }
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        require_fieldwork(&insp, "登记工作记录")?;
        let r = FieldRecord {
            id: Id::new(),
            inspection_id: insp.id,
            method: f.method,
            held_on: f.held_on,
            participants: f.participants,
            summary: f.summary,
            forms_out: f.forms_out,
            forms_back: f.forms_back,
            recorded_by: actor.user_id(),
            created_at: now,
        };
        tx.insert_field_record(&r).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::FieldRecordAdded,
                "field_record",
                Some(r.id),
                json!({ "after": r }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// A page of the inspection's other records, newest first: the team.
    pub async fn field_records_page(
        &self,
        actor: &Actor,
        inspection_id: Id,
        page: PageRequest,
    ) -> Result<Page<FieldRecord>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_reads_fieldwork(actor, &insp)?;
        let rows = tx
            .field_records_page(insp.id, page.after, page.limit + 1)
            .await?;
        let total = tx.count_field_records(insp.id).await?;
        Ok(Page::from_rows(rows, page.limit, |r| r.id).with_total(total))
    }

    /// A record of the other methods with its files and the papers and clues citing it: the
    /// team.
    pub async fn field_record_detail(&self, actor: &Actor, id: Id) -> Result<FieldRecordDetail> {
        let mut tx = self.store.read().await?;
        let record = team_record(&mut tx, actor, id).await?;
        let files = tx.fieldwork_files(SourceKind::FieldRecord, id).await?;
        let cited = tx.cited_by(SourceKind::FieldRecord, id).await?;
        let cited_by = label_citing(&mut tx, cited).await?;
        Ok(FieldRecordDetail {
            record,
            files,
            cited_by,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Citations

    /// A working paper or clue cites a fieldwork record of its own inspection: a member of the
    /// team. Citing twice changes nothing.
    pub async fn cite_source(
        &self,
        actor: &Actor,
        citing_kind: CitingKind,
        citing_id: Id,
        input: &CitationInput,
    ) -> Result<Vec<Citation>> {
        let (source_kind, source_id) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let inspection_id = citing_inspection(&mut tx, citing_kind, citing_id).await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        if source_inspection(&mut tx, source_kind, source_id).await? != Some(insp.id) {
            return Err(CoreError::unfit(
                "source_id",
                "只能引用本巡视组登记的进驻了解材料",
            ));
        }
        let c = Citation {
            citing_kind,
            citing_id,
            source_kind,
            source_id,
            label: String::new(),
            cited_at: now,
        };
        if tx.insert_citation(&c, actor.user_id()).await? {
            record(
                &mut tx,
                actor,
                now,
                AuditEntry::new(
                    Action::SourceCited,
                    citing_kind.as_str(),
                    Some(citing_id),
                    json!({ "source_kind": source_kind, "source_id": source_id }),
                ),
            )
            .await?;
        }
        let all = tx.citations_of(citing_kind, citing_id).await?;
        let all = label_sources(&mut tx, all).await?;
        tx.commit().await?;
        Ok(all)
    }

    /// What a paper or clue cites, each source named: the team.
    pub async fn sources_of(
        &self,
        actor: &Actor,
        citing_kind: CitingKind,
        citing_id: Id,
    ) -> Result<Vec<Citation>> {
        let mut tx = self.store.read().await?;
        let inspection_id = citing_inspection(&mut tx, citing_kind, citing_id).await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        let all = tx.citations_of(citing_kind, citing_id).await?;
        label_sources(&mut tx, all).await
    }
}

/// Which units' requests the actor reads: every one for the team (`None`), the units they
/// answer for among the inspected, or a refusal.
fn doc_scope(actor: &Actor, insp: &Inspection) -> Result<Option<Vec<Id>>> {
    if reads_fieldwork(actor, insp) {
        return Ok(None);
    }
    let units: Vec<Id> = insp
        .target_ids
        .iter()
        .copied()
        .filter(|u| speaks_for(actor, *u))
        .collect();
    if units.is_empty() {
        return Err(if inspection_access(actor, insp) == Access::None {
            CoreError::NotFound("巡视任务".into())
        } else {
            CoreError::Forbidden("调阅材料只有巡视组和被调阅单位可以查看".into())
        });
    }
    Ok(Some(units))
}

pub(crate) async fn readable_doc_request<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    id: Id,
) -> Result<(DocRequest, Inspection)> {
    let missing = || CoreError::NotFound("调阅通知".into());
    let d = tx.get_doc_request(id).await?.ok_or_else(missing)?;
    let insp = load_inspection(tx, d.inspection_id).await?;
    match doc_scope(actor, &insp) {
        Ok(None) => Ok((d, insp)),
        Ok(Some(units)) if units.contains(&d.unit_id) => Ok((d, insp)),
        _ => Err(missing()),
    }
}

fn doc_entry(
    actor: &Actor,
    insp: &Inspection,
    names: &[(Id, String)],
    d: DocRequest,
) -> DocRequestEntry {
    let unit_name = names
        .iter()
        .find(|(i, _)| *i == d.unit_id)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let team = require_team(actor, insp, Seat::Member).is_ok();
    DocRequestEntry {
        may_answer: d.status == DocRequestStatus::Sent && speaks_for(actor, d.unit_id),
        may_return: d.status == DocRequestStatus::Delivered && team,
        unit_name,
        team_name: insp.team_name.clone(),
        request: d,
    }
}

async fn citing_inspection<T: ReadTx>(tx: &mut T, kind: CitingKind, id: Id) -> Result<Id> {
    match kind {
        CitingKind::Problem => tx
            .get_problem(id)
            .await?
            .map(|p| p.inspection_id)
            .ok_or_else(|| CoreError::NotFound("问题底稿".into())),
        CitingKind::Clue => tx
            .get_clue(id)
            .await?
            .map(|c| c.inspection_id)
            .ok_or_else(|| CoreError::NotFound("问题线索".into())),
    }
}

async fn source_inspection<T: ReadTx>(tx: &mut T, kind: SourceKind, id: Id) -> Result<Option<Id>> {
    Ok(match kind {
        SourceKind::Letter => tx.get_letter(id).await?.map(|x| x.inspection_id),
        SourceKind::Talk => tx.get_talk(id).await?.map(|x| x.inspection_id),
        SourceKind::DocRequest => tx.get_doc_request(id).await?.map(|x| x.inspection_id),
        SourceKind::FieldRecord => tx.get_field_record(id).await?.map(|x| x.inspection_id),
    })
}

/// Names each cited source as the team's lists do.
async fn label_sources<T: ReadTx>(tx: &mut T, mut all: Vec<Citation>) -> Result<Vec<Citation>> {
    for c in &mut all {
        c.label = match c.source_kind {
            SourceKind::Letter => tx.get_letter(c.source_id).await?.map(|l| {
                format!(
                    "第 {} 号{}（{}）",
                    l.number,
                    l.channel.label(),
                    if l.about_name.is_empty() {
                        "未写明被反映人".to_owned()
                    } else {
                        l.about_name
                    }
                )
            }),
            SourceKind::Talk => tx.get_talk(c.source_id).await?.map(|t| {
                format!(
                    "{} 与{}（{}）谈话",
                    t.talked_on, t.interviewee_name, t.interviewee_post
                )
            }),
            SourceKind::DocRequest => tx
                .get_doc_request(c.source_id)
                .await?
                .map(|d| format!("第 {} 号调阅单（{}）", d.number, d.sent_on)),
            SourceKind::FieldRecord => tx
                .get_field_record(c.source_id)
                .await?
                .map(|r| format!("{} {}", r.held_on, r.method.label())),
        }
        .unwrap_or_default();
    }
    Ok(all)
}

/// Names each paper or clue citing a source.
pub(crate) async fn label_citing<T: ReadTx>(
    tx: &mut T,
    mut all: Vec<Citation>,
) -> Result<Vec<Citation>> {
    for c in &mut all {
        c.label = match c.citing_kind {
            CitingKind::Problem => tx.get_problem(c.citing_id).await?.map(|p| p.title),
            CitingKind::Clue => tx
                .get_clue(c.citing_id)
                .await?
                .map(|k| format!("关于{}（{}）的线索", k.about_name, k.about_post)),
        }
        .unwrap_or_default();
    }
    Ok(all)
}
