//! Planning: terms, annual plans, rounds, inspections and their stages, and coverage.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::supervision::active;
use super::units::{resolve_unit_in, unit_ancestors};
use super::{Services, record};
use crate::access::{Access, inspection_access, require_access, visible_inspections};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::{
    AnnualPlan, Inspection, InspectionDates, InspectionInput, Round, Stage, Term, parse_date,
};
use crate::org::{Standing, Unit, standing};
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::{Actor, OfficeReach, Permission};
use crate::role::Role;
use crate::store::{
    ArchiveRead, InspectionFilter, InspectionSort, PlanningRead, PlanningWrite, ReadTx,
    RetentionWrite, Store, WriteTx,
};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TermInput {
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// The dispatching committee: a unit's id or exact name.
    #[schema(min_length = 1, pattern = r"\S")]
    pub dispatcher: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: String,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanInput {
    pub term_id: String,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i16,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RoundInput {
    pub plan_id: String,
    #[schema(minimum = 1, maximum = 99)]
    pub number: i16,
    #[serde(default)]
    pub name: String,
}

/// A stage change, with the date it happened where the stage records one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct StageChange {
    pub version: i64,
    pub to: Stage,
    /// The date of the event (entry, end of on-site work); today when absent.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<String>,
}

/// One unit of the tree under the dispatcher, and the inspections of the term that covered it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageRow {
    pub unit: Unit,
    pub depth: usize,
    pub inspections: Vec<CoveredBy>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoveredBy {
    pub inspection_id: Id,
    pub stage: Stage,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub term: Term,
    pub rows: Vec<CoverageRow>,
    pub covered: usize,
    pub total: usize,
}

/// A unit named, for views that show names rather than ids.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub id: Id,
    pub name: String,
}

/// An inspection with the names a reader needs: its round, dispatcher and targets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionView {
    #[serde(flatten)]
    pub inspection: Inspection,
    pub round_name: String,
    pub dispatcher: UnitRef,
    pub targets: Vec<UnitRef>,
}

/// The inspections with their names: two reads for the whole page rather than several per row.
async fn views_of<T: ReadTx>(tx: &mut T, list: Vec<Inspection>) -> Result<Vec<InspectionView>> {
    let mut ids: Vec<Id> = list
        .iter()
        .flat_map(|i| i.target_ids.iter().copied().chain([i.dispatcher_id]))
        .collect();
    ids.sort();
    ids.dedup();
    let names: std::collections::HashMap<Id, String> =
        tx.unit_names(&ids).await?.into_iter().collect();
    let rounds: std::collections::HashMap<Id, String> = tx
        .list_rounds(None)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let named = |id: Id| UnitRef {
        id,
        name: names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
    };
    Ok(list
        .into_iter()
        .map(|insp| InspectionView {
            round_name: rounds.get(&insp.round_id).cloned().unwrap_or_default(),
            dispatcher: named(insp.dispatcher_id),
            targets: insp.target_ids.iter().map(|t| named(*t)).collect(),
            inspection: insp,
        })
        .collect())
}

/// The list filter narrowed as [`inspection_access`] narrows what the actor sees, beyond the
/// grants `visible_inspections` gives the store: someone who belongs to an inspected unit sees
/// that inspection only through a unit role on it once feedback is given, whatever office,
/// leadership or team seat they hold besides (the own-unit rule).
fn scoped(actor: &Actor, f: &InspectionFilter) -> InspectionFilter {
    let unit_roles = actor
        .grants()
        .iter()
        .filter_map(|g| match g.scope {
            crate::role::Scope::Unit(u) if g.role.is_unit_role() => Some(u),
            _ => None,
        })
        .collect();
    InspectionFilter {
        own_units: crate::own_unit::units(actor),
        unit_roles,
        ..f.clone()
    }
}

/// Today's date where the work happens.
pub fn today(now: jiff::Timestamp) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    now.to_zoned_datetime(tz).date()
}

/// Whether the actor plans inspections: the office of the top committee for every committee, a
/// committee's own office for its committee (the services below hold it there). Pages offer
/// the planning forms by this.
pub fn may_plan(actor: &Actor) -> bool {
    actor.can(Permission::ManagePlanning) || (committee_office(actor) && active(actor))
}

/// Whether the actor reads plans (terms, rounds, coverage): the planners and the leadership.
pub fn may_view_plans(actor: &Actor) -> bool {
    actor.can(Permission::ViewPlanning) || (committee_office(actor) && active(actor))
}

fn committee_office(actor: &Actor) -> bool {
    matches!(actor.office_reach(), OfficeReach::Committees(_))
}

/// Refuses whoever may not plan, as [`Actor::require`] refuses a permission.
pub fn require_planner(actor: &Actor) -> Result<()> {
    if may_plan(actor) {
        return Ok(());
    }
    actor.require(Permission::ManagePlanning)
}

/// Refuses whoever may not read plans.
fn require_plan_reader(actor: &Actor) -> Result<()> {
    if may_view_plans(actor) {
        return Ok(());
    }
    actor.require(Permission::ViewPlanning)
}

/// Whose plans the actor reads: the leadership and the office of the top committee every
/// committee's, a committee's own office (a city's or county's 巡察办) its committee's only.
pub(crate) fn planning_reach(actor: &Actor) -> OfficeReach {
    if actor.has_role(Role::Leadership) {
        return OfficeReach::Everywhere;
    }
    actor.office_reach()
}

/// The terms `reach` reads, by id; `None` when it reads every term (and no list is read).
async fn terms_in_reach<T: ReadTx>(tx: &mut T, reach: &OfficeReach) -> Result<Option<Vec<Id>>> {
    if *reach == OfficeReach::Everywhere {
        return Ok(None);
    }
    let terms = tx.list_terms().await?;
    Ok(Some(
        terms
            .into_iter()
            .filter(|t| reach.runs(t.dispatcher_id))
            .map(|t| t.id)
            .collect(),
    ))
}

/// A term the actor may read, or "not found" (a sibling committee's plans are not shown to
/// exist).
fn readable_term(actor: &Actor, term: Option<Term>) -> Result<Term> {
    term.filter(|t| planning_reach(actor).runs(t.dispatcher_id))
        .ok_or_else(|| CoreError::NotFound("届次".into()))
}

/// Refuses a plan for a committee whose office the actor is not: a city's office plans its
/// city's inspections, not the province's nor a neighbour's.
fn require_plans_for(actor: &Actor, dispatcher: &Unit) -> Result<()> {
    if actor.office_reach().runs(dispatcher.id) {
        return Ok(());
    }
    Err(CoreError::Forbidden(format!(
        "您只能为本级党委制定巡视巡察计划，不能为“{}”制定",
        dispatcher.name
    )))
}

impl<S: Store> Services<S> {
    pub async fn create_term(&self, actor: &Actor, input: &TermInput) -> Result<Term> {
        require_planner(actor)?;
        let mut v = Validation::new();
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            v.add("name", "请填写届次名称（不超过 50 个字），如“十一届”");
        }
        let starts_on = v
            .take(parse_date("starts_on", Some(&input.starts_on)))
            .flatten();
        if input.starts_on.trim().is_empty() {
            v.add("starts_on", "请填写本届起始日期");
        }
        let ends_on = v
            .take(parse_date("ends_on", input.ends_on.as_deref()))
            .flatten();
        v.finish()?;
        let starts_on =
            starts_on.ok_or_else(|| CoreError::bad_input("starts_on", "请填写本届起始日期"))?;
        if ends_on.is_some_and(|e| e < starts_on) {
            return Err(CoreError::unfit("ends_on", "结束日期不能早于起始日期"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let dispatcher = resolve_unit_in(&mut tx, &input.dispatcher)
            .await
            .map_err(|_| CoreError::unfit("dispatcher", "派出巡视组的党组织不存在"))?;
        require_plans_for(actor, &dispatcher)?;
        let term = Term {
            id: Id::new(),
            name: name.to_owned(),
            dispatcher_id: dispatcher.id,
            starts_on,
            ends_on,
            version: 1,
        };
        tx.insert_term(&term).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TermCreated,
                "term",
                Some(term.id),
                json!({ "after": term }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(term)
    }

    pub async fn list_terms(&self, actor: &Actor) -> Result<Vec<Term>> {
        require_plan_reader(actor)?;
        let reach = planning_reach(actor);
        let mut terms = self.store.read().await?.list_terms().await?;
        terms.retain(|t| reach.runs(t.dispatcher_id));
        Ok(terms)
    }

    pub async fn create_plan(&self, actor: &Actor, input: &PlanInput) -> Result<AnnualPlan> {
        require_planner(actor)?;
        let term_id = Id::from_path(&input.term_id, "届次")
            .map_err(|_| CoreError::bad_input("term_id", "请选择届次"))?;
        let mut v = Validation::new();
        if !(2000..=2100).contains(&input.year) {
            v.add("year", "年度应为四位年份");
        }
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            v.add("title", "请填写计划名称（不超过 100 个字）");
        }
        v.finish()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let term = tx
            .get_term(term_id)
            .await?
            .filter(|t| actor.office_reach().runs(t.dispatcher_id))
            .ok_or_else(|| CoreError::unfit("term_id", "届次不存在"))?;
        let plan = AnnualPlan {
            id: Id::new(),
            term_id: term.id,
            year: input.year,
            title: title.to_owned(),
            notes: input.notes.trim().to_owned(),
            version: 1,
        };
        tx.insert_plan(&plan).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::PlanCreated,
                "plan",
                Some(plan.id),
                json!({ "after": plan }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    pub async fn list_plans(&self, actor: &Actor, term_id: Option<Id>) -> Result<Vec<AnnualPlan>> {
        require_plan_reader(actor)?;
        let mut tx = self.store.read().await?;
        let mut plans = tx.list_plans(term_id).await?;
        if let Some(terms) = terms_in_reach(&mut tx, &planning_reach(actor)).await? {
            plans.retain(|p| terms.contains(&p.term_id));
        }
        Ok(plans)
    }

    pub async fn create_round(&self, actor: &Actor, input: &RoundInput) -> Result<Round> {
        require_planner(actor)?;
        let plan_id = Id::from_path(&input.plan_id, "年度计划")
            .map_err(|_| CoreError::bad_input("plan_id", "请选择年度计划"))?;
        if !(1..=99).contains(&input.number) {
            return Err(CoreError::bad_input("number", "轮次应为 1 到 99"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let plan = tx
            .get_plan(plan_id)
            .await?
            .ok_or_else(|| CoreError::unfit("plan_id", "年度计划不存在"))?;
        let term = tx.get_term(plan.term_id).await?;
        if !term.is_some_and(|t| actor.office_reach().runs(t.dispatcher_id)) {
            return Err(CoreError::unfit("plan_id", "年度计划不存在"));
        }
        let existing = tx.list_rounds(Some(plan.term_id)).await?;
        if existing.iter().any(|r| r.number == input.number) {
            return Err(CoreError::Conflict(format!("本届已有第{}轮", input.number)));
        }
        let name = match input.name.trim() {
            "" => format!("{}年第{}轮巡视", plan.year, input.number),
            n => n.to_owned(),
        };
        let round = Round {
            id: Id::new(),
            plan_id: plan.id,
            term_id: plan.term_id,
            year: plan.year,
            number: input.number,
            name,
            version: 1,
        };
        tx.insert_round(&round).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RoundCreated,
                "round",
                Some(round.id),
                json!({ "after": round }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(round)
    }

    pub async fn list_rounds(&self, actor: &Actor, term_id: Option<Id>) -> Result<Vec<Round>> {
        require_plan_reader(actor)?;
        let mut tx = self.store.read().await?;
        let mut rounds = tx.list_rounds(term_id).await?;
        if let Some(terms) = terms_in_reach(&mut tx, &planning_reach(actor)).await? {
            rounds.retain(|r| terms.contains(&r.term_id));
        }
        Ok(rounds)
    }

    /// A round, for anyone who may see one of its inspections (the page headings need it).
    pub async fn get_round(&self, actor: &Actor, id: Id) -> Result<Round> {
        let _ = actor;
        self.store
            .read()
            .await?
            .get_round(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("轮次".into()))
    }

    pub async fn create_inspection(
        &self,
        actor: &Actor,
        input: &InspectionInput,
    ) -> Result<Inspection> {
        require_planner(actor)?;
        let f = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let round = tx
            .get_round(f.round_id)
            .await?
            .ok_or_else(|| CoreError::unfit("round_id", "轮次不存在"))?;
        let term = tx
            .get_term(round.term_id)
            .await?
            .ok_or_else(|| CoreError::internal("round without term"))?;
        if !actor.office_reach().runs(term.dispatcher_id) {
            return Err(CoreError::unfit("round_id", "轮次不存在"));
        }
        let targets =
            resolve_targets(&mut tx, &f.targets, term.dispatcher_id, f.takes_lower()).await?;
        check_look_back(&mut tx, f.look_back_of, &targets).await?;
        let insp = Inspection {
            id: Id::new(),
            round_id: round.id,
            dispatcher_id: term.dispatcher_id,
            team_name: f.team_name,
            target_ids: targets,
            kind: f.kind,
            elevated: f.elevated,
            cross: f.cross,
            linked: f.linked,
            look_back_of: f.look_back_of,
            stage: Stage::Planning,
            dates: InspectionDates {
                planned_entry: f.planned_entry,
                planned_exit: f.planned_exit,
                ..Default::default()
            },
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_inspection(&insp).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::InspectionCreated,
                "inspection",
                Some(insp.id),
                json!({ "after": insp }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(insp)
    }

    /// Changes the plan of an inspection: only before the team enters.
    pub async fn update_inspection(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &InspectionInput,
    ) -> Result<Inspection> {
        let f = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_inspection(&mut tx, id).await?;
        require_access(actor, &before, Access::Office)?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!(
                "巡视任务“{}”",
                before.team_name
            )));
        }
        if before.stage.index() > Stage::Preparation.index() {
            return Err(CoreError::RuleRefused(
                "巡视组进驻后不能再修改巡视对象和计划".into(),
            ));
        }
        if f.round_id != before.round_id {
            let round = tx
                .get_round(f.round_id)
                .await?
                .ok_or_else(|| CoreError::unfit("round_id", "轮次不存在"))?;
            // An inspection stays with the committee that sends it: another committee's round
            // is another office's plan.
            let term = tx.get_term(round.term_id).await?;
            if term.is_none_or(|t| t.dispatcher_id != before.dispatcher_id) {
                return Err(CoreError::unfit("round_id", "只能调整到本级党委的轮次"));
            }
        }
        let targets =
            resolve_targets(&mut tx, &f.targets, before.dispatcher_id, f.takes_lower()).await?;
        check_look_back(&mut tx, f.look_back_of, &targets).await?;
        let after = Inspection {
            round_id: f.round_id,
            team_name: f.team_name,
            target_ids: targets,
            kind: f.kind,
            elevated: f.elevated,
            cross: f.cross,
            linked: f.linked,
            look_back_of: f.look_back_of,
            dates: InspectionDates {
                planned_entry: f.planned_entry,
                planned_exit: f.planned_exit,
                ..before.dates.clone()
            },
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_inspection(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::InspectionUpdated,
                "inspection",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves an inspection to its next stage, if the actor may make that move.
    pub async fn change_stage(
        &self,
        actor: &Actor,
        id: Id,
        change: &StageChange,
    ) -> Result<Inspection> {
        let date = parse_date("date", change.date.as_deref())?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_inspection(&mut tx, id).await?;
        require_access(actor, &before, Access::Read)?;
        if before.version != change.version {
            return Err(CoreError::StaleVersion(format!(
                "巡视任务“{}”",
                before.team_name
            )));
        }
        if before.stage.transition(change.to).is_none() {
            return Err(CoreError::RuleRefused(format!(
                "巡视任务不能从“{}”阶段直接转到“{}”阶段",
                before.stage.label(),
                change.to.label()
            )));
        }
        if !crate::access::may_change_stage(actor, &before, change.to) {
            return Err(CoreError::Forbidden(format!(
                "您无权把巡视任务从“{}”转到“{}”阶段",
                before.stage.label(),
                change.to.label()
            )));
        }
        if change.to == Stage::Archived {
            tx.unfinished(id).await?.check()?;
        }
        let on = date.unwrap_or_else(|| today(now));
        let mut dates = before.dates.clone();
        match change.to {
            Stage::OnSite => dates.entry = Some(on),
            Stage::Reporting => {
                if dates.entry.is_some_and(|e| on < e) {
                    return Err(CoreError::unfit("date", "结束进驻日期不能早于进驻日期"));
                }
                dates.exit = Some(on)
            }
            _ => {}
        }
        let after = Inspection {
            stage: change.to,
            dates,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_inspection(&after).await?;
        if change.to == Stage::Archived {
            // The periods of its records (保管期限) run from the year after this day.
            tx.mark_archived(id, on).await?;
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::InspectionStageChanged,
                "inspection",
                Some(id),
                json!({ "from": before.stage, "to": after.stage, "date": on.to_string() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One inspection and what the actor may do with it.
    pub async fn get_inspection(&self, actor: &Actor, id: Id) -> Result<(Inspection, Access)> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, id).await?;
        let access = require_access(actor, &insp, Access::FeedbackOnly)?;
        Ok((insp, access))
    }

    /// One inspection with its names, and what the actor may do with it.
    pub async fn inspection_view(&self, actor: &Actor, id: Id) -> Result<(InspectionView, Access)> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, id).await?;
        let access = require_access(actor, &insp, Access::FeedbackOnly)?;
        let view = view_of(&mut tx, insp).await?;
        Ok((view, access))
    }

    /// A page of inspections with their names.
    pub async fn list_inspection_views(
        &self,
        actor: &Actor,
        f: &InspectionFilter,
        page: PageRequest,
    ) -> Result<Page<InspectionView>> {
        let page = self.list_inspections(actor, f, page).await?;
        let mut tx = self.store.read().await?;
        let items = views_of(&mut tx, page.items).await?;
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
            total: None,
        })
    }

    /// A page of the inspections the actor may see, narrowed by `f` and sorted by `sort`,
    /// from the cursor `at` (none: the first page; back without a row: the last page),
    /// `limit` rows, with their names, the cursors of the pages next to it and the total,
    /// counted by the database under the same filter and scope as the rows.
    pub async fn inspection_page(
        &self,
        actor: &Actor,
        f: &InspectionFilter,
        sort: InspectionSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<InspectionView>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let visible = visible_inspections(actor);
        let f = scoped(actor, f);
        let mut tx = self.store.read().await?;
        let total = tx.count_inspections(&f, &visible).await?;
        let want = SortedPage::<Inspection>::want(at, total, limit)?;
        let rows = tx.inspections_sorted(&f, &visible, sort, at, want).await?;
        let mut p = SortedPage::from_walk(rows, sort, at, want, total, |i: &Inspection| {
            (sort.key_of(i), i.id)
        });
        // The store's scope is the rule's (`scoped`); this keeps the rule itself in one place.
        p.items
            .retain(|i| inspection_access(actor, i) > Access::None);
        let items = views_of(&mut tx, std::mem::take(&mut p.items)).await?;
        Ok(SortedPage {
            items,
            next_cursor: p.next_cursor,
            prev_cursor: p.prev_cursor,
            total: p.total,
        })
    }

    pub async fn list_inspections(
        &self,
        actor: &Actor,
        f: &InspectionFilter,
        page: PageRequest,
    ) -> Result<Page<Inspection>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let visible = visible_inspections(actor);
        let mut tx = self.store.read().await?;
        let rows = tx.list_inspections(f, &visible, page).await?;
        // The store narrows by scope; this keeps the one rule (no unit sees anything before
        // feedback) in one place.
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|i| inspection_access(actor, i) > Access::None)
            .collect();
        Ok(Page::from_rows(rows, page.limit, |i| i.id))
    }

    /// Which units under the term's dispatcher have been inspected in the term, and which not:
    /// the units the dispatcher is to cover (not those below a lower committee).
    pub async fn coverage(&self, actor: &Actor, term_id: Id) -> Result<Coverage> {
        require_plan_reader(actor)?;
        let mut tx = self.store.read().await?;
        let term = readable_term(actor, tx.get_term(term_id).await?)?;
        let covered = tx.covered_in_term(term_id).await?;
        let tree = crate::org::tree_order(tx.all_units().await?);
        // The dispatcher's subtree, without the dispatcher itself, and without what lies
        // below a lower committee (`UnitKind::coverage_reaches_below`).
        let mut rows = Vec::new();
        let mut inside: Option<usize> = None;
        let mut closed_below: Option<usize> = None;
        for (depth, unit) in tree {
            match inside {
                None if unit.id == term.dispatcher_id => {
                    inside = Some(depth);
                    continue;
                }
                Some(d) if depth <= d => inside = None,
                _ => {}
            }
            let Some(root_depth) = inside else { continue };
            match closed_below {
                Some(d) if depth > d => continue,
                _ => closed_below = None,
            }
            if !unit.kind.coverage_reaches_below() {
                closed_below = Some(depth);
            }
            if unit.withdrawn {
                continue;
            }
            let inspections = covered
                .iter()
                .filter(|c| c.unit_id == unit.id)
                .map(|c| CoveredBy {
                    inspection_id: c.inspection_id,
                    stage: c.stage,
                })
                .collect();
            rows.push(CoverageRow {
                unit,
                depth: depth - root_depth - 1,
                inspections,
            });
        }
        let total = rows.len();
        let covered = rows.iter().filter(|r| !r.inspections.is_empty()).count();
        Ok(Coverage {
            term,
            rows,
            covered,
            total,
        })
    }
}

async fn unit_ref<T: ReadTx>(tx: &mut T, id: Id) -> Result<UnitRef> {
    let name = tx
        .get_unit(id)
        .await?
        .map(|u| u.name)
        .unwrap_or_else(|| id.to_string());
    Ok(UnitRef { id, name })
}

async fn view_of<T: ReadTx>(tx: &mut T, insp: Inspection) -> Result<InspectionView> {
    let round_name = tx
        .get_round(insp.round_id)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    let dispatcher = unit_ref(tx, insp.dispatcher_id).await?;
    let mut targets = Vec::new();
    for t in &insp.target_ids {
        targets.push(unit_ref(tx, *t).await?);
    }
    Ok(InspectionView {
        inspection: insp,
        round_name,
        dispatcher,
        targets,
    })
}

pub(crate) async fn load_inspection<T: ReadTx>(tx: &mut T, id: Id) -> Result<Inspection> {
    tx.get_inspection(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("巡视任务".into()))
}

/// The units an inspection by `dispatcher` names, each in the dispatcher's charge (管辖,
/// [`standing`]): below it (a committee without a parent, the top one, has every unit); and
/// one below a lower committee only where `takes_lower` (提级巡察 or 交叉巡察), since it is that
/// committee's to inspect otherwise.
pub(crate) async fn resolve_targets<T: ReadTx>(
    tx: &mut T,
    refs: &[String],
    dispatcher: Id,
    takes_lower: bool,
) -> Result<Vec<Id>> {
    let sender = tx
        .get_unit(dispatcher)
        .await?
        .ok_or_else(|| CoreError::internal("an inspection's committee is not a unit"))?;
    let mut ids = Vec::new();
    for r in refs {
        let unit = resolve_unit_in(tx, r)
            .await
            .map_err(|_| CoreError::unfit("targets", format!("被巡视单位“{r}”不存在")))?;
        // What the named unit is, not the request's form, refuses these: 422.
        if unit.withdrawn {
            return Err(CoreError::unfit(
                "targets",
                format!("单位“{}”已撤销", unit.name),
            ));
        }
        if unit.id == dispatcher {
            return Err(CoreError::unfit(
                "targets",
                "派出巡视组的党组织不能巡视自身",
            ));
        }
        if ids.contains(&unit.id) {
            return Err(CoreError::bad_input(
                "targets",
                format!("单位“{}”重复", unit.name),
            ));
        }
        match standing(dispatcher, &unit_ancestors(tx, &unit).await?) {
            Standing::Outside if sender.parent_id.is_some() => {
                return Err(CoreError::unfit(
                    "targets",
                    format!("“{}”不在{}的巡视巡察范围内", unit.name, sender.name),
                ));
            }
            Standing::Lower { committee } if !takes_lower => {
                return Err(CoreError::unfit(
                    "targets",
                    format!(
                        "“{}”由{committee}巡察；本级巡视巡察须标明“提级巡察”或“交叉巡察”",
                        unit.name
                    ),
                ));
            }
            _ => {}
        }
        ids.push(unit.id);
    }
    Ok(ids)
}

async fn check_look_back<T: ReadTx>(tx: &mut T, of: Option<Id>, targets: &[Id]) -> Result<()> {
    let Some(of) = of else { return Ok(()) };
    let earlier = tx
        .get_inspection(of)
        .await?
        .ok_or_else(|| CoreError::unfit("look_back_of", "所回看的原巡视不存在"))?;
    if !earlier.target_ids.iter().any(|t| targets.contains(t)) {
        return Err(CoreError::unfit(
            "look_back_of",
            "“回头看”的对象应与原巡视的被巡视单位相同",
        ));
    }
    if earlier.stage.index() < Stage::FeedbackGiven.index() {
        return Err(CoreError::unfit(
            "look_back_of",
            "原巡视尚未反馈，不能“回头看”",
        ));
    }
    Ok(())
}
