//! The problem taxonomy, working papers (问题底稿) and their evidence files.
//!
//! Papers are the team's: its members draft them, its leader (or deputy) records the team
//! meeting's approval, signs, or returns them. The office and the leadership read them; the
//! inspected unit never does, before or after feedback. Audit records of papers name what
//! changed but never copy the text, because the trail is read by administrators who may not
//! read working papers.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::messages::{Audience, Note, notify};
use super::planning::{load_inspection, today};
use super::{Services, TodoKind, record};
use crate::access::{Access, inspection_access};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::message::MessageKind;
use crate::page::{Keyset, SortedPage};
use crate::paper::{
    Evidence, FileKind, Problem, ProblemFields, ProblemInput, ProblemStatus, ProblemSummary,
    Signature, check_evidence_file, clean_filename,
};
use crate::permission::{Actor, Permission};
use crate::role::{Role, Scope};
use crate::store::{PaperRead, PaperWrite, ProblemFilter, ProblemSort, ReadTx, Store, WriteTx};
use crate::taxonomy::{
    Category, CategoryInput, Taxonomy, TaxonomyVersion, TaxonomyVersionInput, sort_categories,
    version_in_force,
};
use crate::upload::Upload;

/// A decision on a paper, based on the version the decider saw.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PaperDecision {
    pub version: i64,
    /// The meeting's remarks on approval; the reason, required, on return or withdrawal.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub comment: String,
}

/// The reason a file is withdrawn.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Withdrawal {
    #[schema(max_length = 500)]
    pub reason: String,
}

/// What the actor may do with a paper now, for the buttons of the page.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PaperRights {
    pub edit: bool,
    pub approve: bool,
    pub sign: bool,
    #[serde(rename = "return")]
    pub send_back: bool,
    pub withdraw: bool,
    pub upload: bool,
}

/// A paper with what goes with it on its page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemDetail {
    pub problem: Problem,
    pub category: Category,
    pub taxonomy: TaxonomyVersion,
    pub evidence: Vec<Evidence>,
    pub rights: PaperRights,
}

/// The actor's place on the inspection's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seat {
    Member,
    /// The leader or a deputy: speaks for the team meeting and signs.
    Lead,
}

/// The actor's seat on the team of `insp`, from the grants scoped to it. Read from the grants
/// rather than from [`inspection_access`], which would rank an office grant above a team one.
/// The operator at the command line acts as the team (demo data, imports).
pub(crate) fn team_seat(actor: &Actor, insp: &Inspection) -> Option<Seat> {
    if actor.is_system() {
        return Some(Seat::Lead);
    }
    if actor.as_user().is_none_or(|u| u.disabled) {
        return None;
    }
    // Nobody of an inspected unit sits on its team (the own-unit rule, `own_unit`).
    if crate::own_unit::belongs_to_any(actor, &insp.target_ids) {
        return None;
    }
    actor
        .grants()
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::TeamLeader | Role::TeamDeputy, Scope::Inspection(id)) if id == insp.id => {
                Some(Seat::Lead)
            }
            (Role::TeamMember, Scope::Inspection(id)) if id == insp.id => Some(Seat::Member),
            _ => None,
        })
        .max()
}

/// Requires a seat on the team at least `needed`; someone who may not know of the inspection
/// is told it does not exist.
pub(crate) fn require_team(actor: &Actor, insp: &Inspection, needed: Seat) -> Result<Seat> {
    match team_seat(actor, insp) {
        Some(s) if s >= needed => Ok(s),
        _ if inspection_access(actor, insp) == Access::None => {
            Err(CoreError::NotFound("巡视任务".into()))
        }
        _ => Err(CoreError::Forbidden(match needed {
            Seat::Lead => "只有本巡视组组长、副组长可以进行此操作".into(),
            Seat::Member => "只有本巡视组成员可以进行此操作".into(),
        })),
    }
}

/// Papers and notices are written while the team is on site and while it reports.
/// Whether the actor may draft working papers and reports of `insp` now: a member of its team,
/// while the team works (on site or reporting). The same checks `create_problem` and
/// `create_report` make; pages ask this rather than read the grants.
pub fn may_draft(actor: &Actor, insp: &Inspection) -> bool {
    require_team(actor, insp, Seat::Member).is_ok() && require_fieldwork(insp, "").is_ok()
}

pub(crate) fn require_fieldwork(insp: &Inspection, what: &str) -> Result<()> {
    match insp.stage {
        Stage::OnSite | Stage::Reporting => Ok(()),
        s => Err(CoreError::RuleRefused(format!(
            "巡视任务处于“{}”阶段，不能{what}",
            s.label()
        ))),
    }
}

pub(crate) fn signature(actor: &Actor, at: jiff::Timestamp) -> Signature {
    Signature {
        by: actor.user_id(),
        name: actor
            .as_user()
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| actor.name()),
        at,
    }
}

pub(crate) async fn load_problem<T: ReadTx>(tx: &mut T, id: Id) -> Result<Problem> {
    tx.get_problem(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("问题底稿".into()))
}

/// Loads a paper and its inspection, refusing — as if it did not exist — anyone who may not
/// read the inspection's papers.
pub(crate) async fn readable_problem<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    id: Id,
) -> Result<(Problem, Inspection)> {
    let p = load_problem(tx, id).await?;
    let insp = load_inspection(tx, p.inspection_id).await?;
    require_paper_reader(actor, &insp)?;
    Ok((p, insp))
}

/// Working papers are read by the team, the office and the leadership. The inspected unit is
/// refused even after feedback, when it may know the inspection exists.
/// The papers as their lists show them: with their category's name and how many files each
/// has, read once for the inspection.
async fn summaries<T: ReadTx>(
    tx: &mut T,
    inspection_id: Id,
    problems: Vec<Problem>,
) -> Result<Vec<ProblemSummary>> {
    let cats = tx.list_categories(None).await?;
    let counts = tx.count_evidence(inspection_id).await?;
    Ok(problems
        .into_iter()
        .map(|p| ProblemSummary {
            category_name: cats
                .iter()
                .find(|c| c.id == p.category_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            evidence_count: counts
                .iter()
                .find(|(id, _)| *id == p.id)
                .map(|(_, n)| *n)
                .unwrap_or(0),
            id: p.id,
            inspection_id: p.inspection_id,
            seq: p.seq,
            target_unit_id: p.target_unit_id,
            taxonomy_version_id: p.taxonomy_version_id,
            category_id: p.category_id,
            title: p.title,
            severity: p.severity,
            status: p.status,
            version: p.version,
            updated_at: p.updated_at,
        })
        .collect())
}

pub(crate) fn require_paper_reader(actor: &Actor, insp: &Inspection) -> Result<()> {
    match inspection_access(actor, insp) {
        Access::None => Err(CoreError::NotFound("问题底稿".into())),
        Access::FeedbackOnly => Err(CoreError::Forbidden(
            "问题底稿属巡视工作秘密，被巡视单位不能查阅".into(),
        )),
        _ => Ok(()),
    }
}

fn stale(p: &Problem) -> CoreError {
    CoreError::StaleVersion(format!("问题底稿第{}号", p.seq))
}

/// Whether the actor approves and signs the papers of `insp` now: the leader or a deputy,
/// while the team is at work. The to-do asks the same.
pub(crate) fn leads_papers(actor: &Actor, insp: &Inspection) -> bool {
    matches!(insp.stage, Stage::OnSite | Stage::Reporting)
        && team_seat(actor, insp) == Some(Seat::Lead)
}

fn rights(actor: &Actor, insp: &Inspection, p: &Problem) -> PaperRights {
    let seat = team_seat(actor, insp);
    let working = matches!(insp.stage, Stage::OnSite | Stage::Reporting);
    let member = working && seat.is_some();
    let lead = leads_papers(actor, insp);
    let draft = p.status == ProblemStatus::Draft;
    PaperRights {
        edit: member && draft,
        approve: lead && draft,
        sign: lead && p.status == ProblemStatus::Approved,
        send_back: lead && p.status == ProblemStatus::Approved,
        withdraw: member && draft,
        upload: member && draft,
    }
}

/// The fields of a paper that changed, by name, for the audit record.
fn changed_fields(before: &Problem, after: &Problem) -> Vec<&'static str> {
    let mut out = Vec::new();
    let pairs: [(&'static str, bool); 8] = [
        ("category_id", before.category_id != after.category_id),
        (
            "target_unit_id",
            before.target_unit_id != after.target_unit_id,
        ),
        ("title", before.title != after.title),
        ("facts", before.facts != after.facts),
        ("rule_broken", before.rule_broken != after.rule_broken),
        (
            "responsibility",
            before.responsibility != after.responsibility,
        ),
        (
            "responsibility_types",
            before.responsibility_types != after.responsibility_types,
        ),
        ("severity", before.severity != after.severity),
    ];
    for (name, differs) in pairs {
        if differs {
            out.push(name);
        }
    }
    out
}

/// The category and the inspected unit of a paper, checked against the inspection.
async fn resolve_paper_fields<T: ReadTx>(
    tx: &mut T,
    insp: &Inspection,
    f: &ProblemFields,
) -> Result<(Category, Id)> {
    let category = tx
        .get_category(f.category_id)
        .await?
        .ok_or_else(|| CoreError::unfit("category_id", "问题类别不存在"))?;
    let unit = match f.target_unit_id {
        Some(u) if insp.target_ids.contains(&u) => u,
        Some(_) => {
            return Err(CoreError::bad_input(
                "target_unit_id",
                "该单位不是本次巡视的被巡视单位",
            ));
        }
        None if insp.target_ids.len() == 1 => insp.target_ids[0],
        None => {
            return Err(CoreError::bad_input(
                "target_unit_id",
                "本组巡视多个单位，请选择问题所涉单位",
            ));
        }
    };
    Ok((category, unit))
}

impl<S: Store> Services<S> {
    // -----------------------------------------------------------------------------------------
    // Taxonomy

    /// Every version of the taxonomy with its categories, oldest version first.
    pub async fn taxonomies(&self, actor: &Actor) -> Result<Vec<Taxonomy>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let mut tx = self.store.read().await?;
        let mut versions = tx.list_taxonomy_versions().await?;
        versions.sort_by_key(|v| v.valid_from);
        let mut cats = tx.list_categories(None).await?;
        sort_categories(&mut cats, &versions);
        Ok(versions
            .into_iter()
            .map(|v| Taxonomy {
                categories: cats
                    .iter()
                    .filter(|c| c.version_id == v.id)
                    .cloned()
                    .collect(),
                version: v,
            })
            .collect())
    }

    /// The version in force for an inspection: the one valid on its entry date (or its planned
    /// entry, or today), which new papers of the inspection default to.
    pub async fn taxonomy_for(&self, actor: &Actor, inspection_id: Id) -> Result<Option<Id>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_paper_reader(actor, &insp)?;
        let on = insp
            .dates
            .entry
            .or(insp.dates.planned_entry)
            .unwrap_or_else(|| today(self.now()));
        let versions = tx.list_taxonomy_versions().await?;
        Ok(version_in_force(&versions, on).map(|v| v.id))
    }

    pub async fn create_taxonomy_version(
        &self,
        actor: &Actor,
        input: &TaxonomyVersionInput,
    ) -> Result<TaxonomyVersion> {
        actor.require(Permission::ManageTaxonomy)?;
        let (code, name, valid_from) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let existing = tx.list_taxonomy_versions().await?;
        if existing.iter().any(|v| v.code == code) {
            return Err(CoreError::Conflict(format!("已有代码为“{code}”的版本")));
        }
        if existing.iter().any(|v| v.name == name) {
            return Err(CoreError::Conflict(format!("已有名为“{name}”的版本")));
        }
        let v = TaxonomyVersion {
            id: Id::new(),
            code,
            name,
            valid_from,
        };
        tx.insert_taxonomy_version(&v).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TaxonomyVersionCreated,
                "taxonomy_version",
                Some(v.id),
                json!({ "after": v }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Adds a heading at the end of a version.
    pub async fn add_category(
        &self,
        actor: &Actor,
        version_id: Id,
        input: &CategoryInput,
    ) -> Result<Category> {
        actor.require(Permission::ManageTaxonomy)?;
        let (code, name) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.get_taxonomy_version(version_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("问题分类版本".into()))?;
        let existing = tx.list_categories(Some(version_id)).await?;
        if existing.iter().any(|c| c.code == code) {
            return Err(CoreError::Conflict(format!("本版本已有代码“{code}”")));
        }
        if existing.iter().any(|c| c.name == name) {
            return Err(CoreError::Conflict(format!("本版本已有类别“{name}”")));
        }
        let c = Category {
            id: Id::new(),
            version_id,
            code,
            name,
            position: existing.iter().map(|c| c.position).max().unwrap_or(0) + 1,
        };
        tx.insert_category(&c).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::CategoryCreated,
                "category",
                Some(c.id),
                json!({ "after": c }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    // -----------------------------------------------------------------------------------------
    // Working papers

    /// The papers of an inspection, without their three parts (lists are not audited reads).
    pub async fn list_problems(
        &self,
        actor: &Actor,
        inspection_id: Id,
        f: &ProblemFilter,
    ) -> Result<Vec<ProblemSummary>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_paper_reader(actor, &insp)?;
        let problems = tx.list_problems(inspection_id, f).await?;
        summaries(&mut tx, inspection_id, problems).await
    }

    /// A page of the papers of an inspection, narrowed by `f` and sorted by `sort`, from the
    /// cursor `at` (none: the first page; back without a row: the last page), `limit` of them,
    /// with the cursors of the pages next to it and the total the filter matches. Whoever may
    /// read the inspection's papers reads every one of them, so the count is the inspection's.
    pub async fn problem_page(
        &self,
        actor: &Actor,
        inspection_id: Id,
        f: &ProblemFilter,
        sort: ProblemSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<ProblemSummary>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_paper_reader(actor, &insp)?;
        let total = tx.count_problems(inspection_id, f).await?;
        let want = SortedPage::<Problem>::want(at, total, limit)?;
        let rows = tx.problems_sorted(inspection_id, f, sort, at, want).await?;
        let page = SortedPage::from_walk(rows, sort, at, want, total, |p: &Problem| {
            (sort.key_of(p), p.id)
        });
        let items = summaries(&mut tx, inspection_id, page.items).await?;
        Ok(SortedPage {
            items,
            next_cursor: page.next_cursor,
            prev_cursor: page.prev_cursor,
            total,
        })
    }

    /// How many papers of the inspection are in each status, for whoever may read them.
    pub async fn problem_status_counts(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<Vec<(ProblemStatus, i64)>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_paper_reader(actor, &insp)?;
        tx.problem_status_counts(inspection_id).await
    }

    /// One paper in full, with its evidence. Reading it is recorded in the audit trail.
    pub async fn get_problem(&self, actor: &Actor, id: Id) -> Result<ProblemDetail> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let (problem, insp) = readable_problem(&mut tx, actor, id).await?;
        let category = tx
            .get_category(problem.category_id)
            .await?
            .ok_or_else(|| CoreError::internal("paper without its category"))?;
        let taxonomy = tx
            .get_taxonomy_version(problem.taxonomy_version_id)
            .await?
            .ok_or_else(|| CoreError::internal("paper without its taxonomy version"))?;
        let evidence = tx.list_evidence(id).await?;
        drop(tx);
        self.record_shown(
            actor,
            now,
            AuditEntry::new(
                Action::ProblemViewed,
                "problem",
                Some(id),
                json!({ "inspection_id": insp.id, "seq": problem.seq }),
            ),
        )
        .await?;
        Ok(ProblemDetail {
            rights: rights(actor, &insp, &problem),
            problem,
            category,
            taxonomy,
            evidence,
        })
    }

    /// A new draft paper, written by a member of the inspection's team.
    pub async fn create_problem(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &ProblemInput,
    ) -> Result<Problem> {
        let f = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        require_fieldwork(&insp, "编写问题底稿")?;
        let (category, unit) = resolve_paper_fields(&mut tx, &insp, &f).await?;
        let seq = tx.max_problem_seq(insp.id).await? + 1;
        let p = Problem {
            id: Id::new(),
            inspection_id: insp.id,
            seq,
            target_unit_id: unit,
            taxonomy_version_id: category.version_id,
            category_id: category.id,
            title: f.title,
            facts: f.facts,
            rule_broken: f.rule_broken,
            responsibility: f.responsibility,
            responsibility_types: f.responsibility_types,
            severity: f.severity,
            status: ProblemStatus::Draft,
            created: signature(actor, now),
            approved: None,
            signed: None,
            status_note: None,
            version: 1,
            updated_at: now,
        };
        tx.insert_problem(&p).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ProblemCreated,
                "problem",
                Some(p.id),
                json!({ "inspection_id": insp.id, "seq": seq, "category_id": category.id }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Changes a draft paper. Approved and signed papers cannot be edited: the leader returns
    /// an approved one to draft first.
    pub async fn update_problem(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &ProblemInput,
    ) -> Result<Problem> {
        let f = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = readable_problem(&mut tx, actor, id).await?;
        require_team(actor, &insp, Seat::Member)?;
        require_fieldwork(&insp, "修改问题底稿")?;
        if before.version != version {
            return Err(stale(&before));
        }
        if !before.status.editable() {
            return Err(CoreError::RuleRefused(format!(
                "问题底稿“{}”，不能修改",
                before.status.label()
            )));
        }
        let (category, unit) = resolve_paper_fields(&mut tx, &insp, &f).await?;
        let after = Problem {
            target_unit_id: unit,
            taxonomy_version_id: category.version_id,
            category_id: category.id,
            title: f.title,
            facts: f.facts,
            rule_broken: f.rule_broken,
            responsibility: f.responsibility,
            responsibility_types: f.responsibility_types,
            severity: f.severity,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_problem(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ProblemUpdated,
                "problem",
                Some(id),
                json!({ "seq": after.seq, "changed": changed_fields(&before, &after), "version": after.version }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Records that the team meeting (组务会) approved a draft; done by the leader or deputy.
    /// The three parts must be complete.
    pub async fn approve_problem(
        &self,
        actor: &Actor,
        id: Id,
        d: &PaperDecision,
    ) -> Result<Problem> {
        self.move_problem(actor, id, d, ProblemStatus::Approved)
            .await
    }

    /// The leader's signature on an approved paper. Final.
    pub async fn sign_problem(&self, actor: &Actor, id: Id, d: &PaperDecision) -> Result<Problem> {
        self.move_problem(actor, id, d, ProblemStatus::Signed).await
    }

    /// Returns an approved, unsigned paper to draft, with the reason.
    pub async fn return_problem(
        &self,
        actor: &Actor,
        id: Id,
        d: &PaperDecision,
    ) -> Result<Problem> {
        self.move_problem(actor, id, d, ProblemStatus::Draft).await
    }

    /// Withdraws a draft paper that turned out unfounded, with the reason. It stays on record.
    pub async fn withdraw_problem(
        &self,
        actor: &Actor,
        id: Id,
        d: &PaperDecision,
    ) -> Result<Problem> {
        self.move_problem(actor, id, d, ProblemStatus::Withdrawn)
            .await
    }

    async fn move_problem(
        &self,
        actor: &Actor,
        id: Id,
        d: &PaperDecision,
        to: ProblemStatus,
    ) -> Result<Problem> {
        let comment = d.comment.trim().to_owned();
        let needs_reason = matches!(to, ProblemStatus::Draft | ProblemStatus::Withdrawn);
        if needs_reason && comment.is_empty() {
            return Err(CoreError::unfit("comment", "请说明理由"));
        }
        if comment.chars().count() > 1000 {
            return Err(CoreError::bad_input("comment", "不能超过 1000 个字"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = readable_problem(&mut tx, actor, id).await?;
        let needed = match to {
            ProblemStatus::Withdrawn => Seat::Member,
            _ => Seat::Lead,
        };
        require_team(actor, &insp, needed)?;
        require_fieldwork(&insp, "审议或签批问题底稿")?;
        if before.version != d.version {
            return Err(stale(&before));
        }
        if !before.status.can_move(to) {
            return Err(CoreError::RuleRefused(format!(
                "问题底稿“{}”，不能改为“{}”",
                before.status.label(),
                to.label()
            )));
        }
        if to == ProblemStatus::Approved {
            before.check_complete()?;
        }
        let sig = signature(actor, now);
        let mut after = Problem {
            status: to,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        let action = match to {
            ProblemStatus::Approved => {
                after.approved = Some(sig);
                after.status_note = (!comment.is_empty()).then(|| comment.clone());
                Action::ProblemApproved
            }
            ProblemStatus::Signed => {
                after.signed = Some(sig);
                Action::ProblemSigned
            }
            ProblemStatus::Draft => {
                after.approved = None;
                after.status_note = Some(comment.clone());
                Action::ProblemReturned
            }
            ProblemStatus::Withdrawn => {
                after.status_note = Some(comment.clone());
                Action::ProblemWithdrawn
            }
        };
        tx.update_problem(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                action,
                "problem",
                Some(id),
                json!({ "seq": after.seq, "from": before.status, "to": to, "version": after.version }),
            ),
        )
        .await?;
        // Approved by the team meeting, the paper waits for the signature.
        if to == ProblemStatus::Approved {
            notify(
                &mut tx,
                actor,
                Audience::Acts(TodoKind::PaperSign, &insp, Some(after.target_unit_id)),
                &Note::new(
                    format!("paper_approved:{id}:{}", after.version),
                    MessageKind::Handover,
                    "问题底稿待签批",
                    format!(
                        "问题底稿第{}号“{}”已经组务会审议通过，请签批。",
                        after.seq, after.title
                    ),
                    (TodoKind::PaperSign, id, insp.id),
                ),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    // -----------------------------------------------------------------------------------------
    // Evidence

    /// Attaches a file to a draft paper. The file is checked (type by name and content, size),
    /// stored under its SHA-256 — once, however often it is attached — and listed with its
    /// name, size, type, hash, uploader and time. The same file twice on one paper is refused.
    pub async fn upload_evidence(
        &self,
        actor: &Actor,
        problem_id: Id,
        filename: &str,
        content: impl Into<Upload>,
    ) -> Result<Evidence> {
        let filename = clean_filename(filename)?;
        // Who may attach is checked before anything is stored.
        {
            let mut tx = self.store.read().await?;
            let (p, insp) = readable_problem(&mut tx, actor, problem_id).await?;
            check_can_attach(actor, &insp, &p)?;
        }
        let (kind, size, hash) = self.keep_upload(&filename, content.into()).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (p, insp) = readable_problem(&mut tx, actor, problem_id).await?;
        check_can_attach(actor, &insp, &p)?;
        let existing = tx.list_evidence(problem_id).await?;
        if let Some(same) = existing
            .iter()
            .find(|e| e.sha256 == hash && e.withdrawn.is_none())
        {
            return Err(CoreError::Conflict(format!(
                "相同内容的文件已作为“{}”上传，无须重复上传",
                same.filename
            )));
        }
        let e = Evidence {
            id: Id::new(),
            problem_id,
            inspection_id: insp.id,
            filename,
            size,
            content_type: kind.content_type().to_owned(),
            kind,
            sha256: hash,
            uploaded: signature(actor, now),
            withdrawn: None,
            withdrawn_reason: None,
        };
        tx.insert_evidence(&e).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::EvidenceUploaded,
                "evidence",
                Some(e.id),
                json!({ "problem_id": problem_id, "filename": e.filename, "size": size, "sha256": e.sha256 }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Checks an uploaded file (its kind by name and content, its size) and keeps its content
    /// in the blob store, named by the installation's hash: its kind, size and content name.
    /// A staged upload is read from its file in pieces, never whole.
    pub(crate) async fn keep_upload(
        &self,
        filename: &str,
        content: Upload,
    ) -> Result<(FileKind, i64, String)> {
        let blobs = self.blobs()?.clone();
        let probe = content.probe();
        let kind = check_evidence_file(filename, &probe)?;
        let size = i64::try_from(probe.size()).map_err(CoreError::internal)?;
        let alg = self.suite.hash();
        let name = match content {
            Upload::Bytes(bytes) => blobs.put(bytes, kind.content_type(), alg).await?,
            Upload::Staged(staged) => {
                if staged.alg != alg {
                    return Err(CoreError::internal(
                        "an upload was staged under another hash than the installation's",
                    ));
                }
                blobs
                    .put_file(
                        staged.path.clone(),
                        staged.name.clone(),
                        kind.content_type(),
                    )
                    .await?;
                staged.name.clone()
            }
        };
        Ok((kind, size, name))
    }

    /// The files of a paper, withdrawn ones included.
    pub async fn list_evidence(&self, actor: &Actor, problem_id: Id) -> Result<Vec<Evidence>> {
        let mut tx = self.store.read().await?;
        readable_problem(&mut tx, actor, problem_id).await?;
        tx.list_evidence(problem_id).await
    }

    /// A file's record and content. Every download is recorded in the audit trail.
    pub async fn download_evidence(&self, actor: &Actor, id: Id) -> Result<(Evidence, Vec<u8>)> {
        let blobs = self.blobs()?.clone();
        let e = {
            let mut tx = self.store.read().await?;
            let e = load_evidence(&mut tx, id).await?;
            readable_problem(&mut tx, actor, e.problem_id).await?;
            e
        };
        let bytes = blobs.get(&e.sha256).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        // Checked again where the read is recorded: a grant revoked meanwhile counts.
        readable_problem(&mut tx, actor, e.problem_id).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::EvidenceDownloaded,
                "evidence",
                Some(id),
                json!({ "problem_id": e.problem_id, "filename": e.filename, "sha256": e.sha256 }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((e, bytes))
    }

    /// Withdraws a file attached by mistake. It is never replaced or deleted: it stays listed,
    /// marked withdrawn with the reason.
    pub async fn withdraw_evidence(
        &self,
        actor: &Actor,
        id: Id,
        w: &Withdrawal,
    ) -> Result<Evidence> {
        let reason = w.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(CoreError::bad_input(
                "reason",
                "请说明撤回理由（不超过 500 个字）",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_evidence(&mut tx, id).await?;
        let (p, insp) = readable_problem(&mut tx, actor, before.problem_id).await?;
        check_can_attach(actor, &insp, &p)?;
        if before.withdrawn.is_some() {
            return Err(CoreError::Conflict("该文件已撤回".into()));
        }
        let after = Evidence {
            withdrawn: Some(signature(actor, now)),
            withdrawn_reason: Some(reason.to_owned()),
            ..before
        };
        if !tx.withdraw_evidence(&after).await? {
            return Err(CoreError::Conflict("该文件已撤回".into()));
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::EvidenceWithdrawn,
                "evidence",
                Some(id),
                json!({ "problem_id": after.problem_id, "filename": after.filename, "reason": reason }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn load_evidence<T: ReadTx>(tx: &mut T, id: Id) -> Result<Evidence> {
    tx.get_evidence(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("佐证材料".into()))
}

/// Files are attached to and withdrawn from drafts only: what the meeting approved and the
/// leader signed does not change under them.
fn check_can_attach(actor: &Actor, insp: &Inspection, p: &Problem) -> Result<()> {
    require_team(actor, insp, Seat::Member)?;
    require_fieldwork(insp, "上传或撤回佐证材料")?;
    if !p.status.editable() {
        return Err(CoreError::RuleRefused(format!(
            "问题底稿“{}”，佐证材料不能再变动；如需补充，请组长先退回修改",
            p.status.label()
        )));
    }
    Ok(())
}
