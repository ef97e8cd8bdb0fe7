//! The rectification deadline rules as the office keeps them, the warning period, and the
//! clocks they set for each inspected unit from the feedback date.

use serde_json::json;

use super::calendar::load_calendar;
use super::planning::{load_inspection, today};
use super::supervision::{is_office, readable_units};
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::deadline::{Clock, InspectionLevel};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::permission::{Actor, Permission};
use crate::store::{ReadTx, RectifyWrite, Store, SuperviseRead, SuperviseWrite, WriteTx};
use crate::supervision::{
    ClockInput, ClockView, CommitteeRuleInput, DeadlineRuleInput, RectifySettings,
    StoredDeadlineRule, WarnDaysInput, clock_view, rules_in_force, rules_of,
};

/// The warning period in force, in days: how long before a deadline tasks and clocks turn
/// yellow. For the ledger's task colours, read inside the caller's transaction.
pub async fn rectification_warn_days<T: SuperviseRead>(tx: &mut T) -> Result<i32> {
    Ok(tx.rectify_settings().await?.warn_days)
}

fn require_user(actor: &Actor) -> Result<()> {
    if actor.as_user().is_none() && !actor.is_system() {
        return Err(CoreError::Unauthenticated("请先登录".into()));
    }
    Ok(())
}

/// Whether the unit's rectification plan has been submitted: stops the plan clock.
async fn plan_submitted<T: ReadTx>(tx: &mut T, insp: &Inspection, unit: Id) -> Result<bool> {
    Ok(tx
        .find_rect_plan(insp.id, unit)
        .await?
        .is_some_and(|p| p.submitted_at.is_some()))
}

/// Whether the unit's rectification report (and the principal leader's report, which the rule
/// asks for together) has reached the office: that stops the report clock.
async fn rectification_report_submitted<T: ReadTx>(
    tx: &mut T,
    insp: &Inspection,
    unit: Id,
) -> Result<bool> {
    Ok(super::disclosure::report_submitted_on(tx, insp.id, unit)
        .await?
        .is_some())
}

/// The clocks of the units `units` of `insp`, inside `tx`. Empty before feedback.
pub(crate) async fn clocks_in<T: ReadTx>(
    tx: &mut T,
    insp: &Inspection,
    units: &[Id],
    now: jiff::Timestamp,
) -> Result<Vec<ClockView>> {
    let Some(feedback) = insp.dates.feedback else {
        return Ok(Vec::new());
    };
    let dispatcher = tx
        .get_unit(insp.dispatcher_id)
        .await?
        .ok_or_else(|| CoreError::internal("inspection without its dispatcher"))?;
    let level = InspectionLevel::of_dispatcher(dispatcher.level);
    let rules = tx.deadline_rules().await?;
    let calendar = load_calendar(tx).await?;
    let warn_days = rectification_warn_days(tx).await?;
    let day = today(now);
    let mut out = Vec::new();
    for unit_id in units {
        let unit_name = tx
            .get_unit(*unit_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        for rule in rules_in_force(&rules, insp.dispatcher_id, level) {
            let done = match rule.rule.clock {
                Clock::PlanDue => Some(plan_submitted(tx, insp, *unit_id).await?),
                Clock::ReportDue => Some(rectification_report_submitted(tx, insp, *unit_id).await?),
                // The democratic-life meeting is not recorded by the product.
                Clock::MeetingDue => None,
            };
            out.push(clock_view(
                rule,
                &calendar,
                &ClockInput {
                    unit_id: *unit_id,
                    unit_name: &unit_name,
                    feedback,
                    today: day,
                    warn_days,
                    done,
                },
            ));
        }
    }
    Ok(out)
}

impl<S: Store> Services<S> {
    /// The deadline rules in force; reference data, read by anyone logged in: the levels'
    /// first, then each committee's own, by level and clock.
    pub async fn deadline_rules(&self, actor: &Actor) -> Result<Vec<StoredDeadlineRule>> {
        require_user(actor)?;
        let mut rules = self.store.read().await?.deadline_rules().await?;
        rules.sort_by_key(|r| {
            (
                r.committee_id,
                InspectionLevel::ALL.iter().position(|l| *l == r.rule.level),
                Clock::ALL.iter().position(|c| *c == r.rule.clock),
            )
        });
        Ok(rules)
    }

    /// Whether the actor may change `rule`: a level's, the top office (which keeps the
    /// reference data); a committee's own, the office that runs its committee's inspections.
    pub fn may_edit_rule(&self, actor: &Actor, rule: &StoredDeadlineRule) -> bool {
        match rule.committee_id {
            None => self.may_edit_deadline_rules(actor),
            Some(c) => actor.office_reach().runs(c),
        }
    }

    /// A committee's own rule of one clock (a city's or county's 巡察办 for the inspections its
    /// committee sends), in place of its level's from now on: every running clock of those
    /// inspections is reckoned by it at once. The committee's office, or the top office; one
    /// rule per committee and clock (409).
    pub async fn add_committee_rule(
        &self,
        actor: &Actor,
        input: &CommitteeRuleInput,
    ) -> Result<StoredDeadlineRule> {
        require_user(actor)?;
        let (committee, clock, amount, counting, basis) = input.validate()?;
        if !actor.office_reach().runs(committee) {
            return Err(CoreError::Forbidden(
                "本级党委的整改时限规则由其巡视巡察办设定".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let unit = tx
            .get_unit(committee)
            .await?
            .ok_or_else(|| CoreError::unfit("committee_id", "该党委（党组）不存在"))?;
        if !crate::org::is_committee(&unit) || unit.withdrawn {
            return Err(CoreError::unfit(
                "committee_id",
                format!("“{}”不是派出巡视巡察组的党委（党组）", unit.name),
            ));
        }
        let level = InspectionLevel::of_dispatcher(unit.level);
        let rules = tx.deadline_rules().await?;
        if !rules_of(&rules, level)
            .iter()
            .any(|r| r.rule.clock == clock)
        {
            return Err(CoreError::unfit(
                "clock",
                format!("{}没有“{}”时限", level.label(), clock.label()),
            ));
        }
        let rule = StoredDeadlineRule {
            id: Id::new(),
            rule: crate::deadline::DeadlineRule {
                level,
                clock,
                amount,
                counting,
                basis,
            },
            committee_id: Some(committee),
            version: 1,
            updated_at: Some(now),
        };
        tx.insert_committee_rule(&rule, actor.user_id()).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::CommitteeRuleAdded,
                "deadline_rule",
                Some(rule.id),
                json!({ "committee": unit.name, "rule": rule }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(rule)
    }

    /// Removes a committee's own rule, seen at `version`: its level's reckons the clocks again.
    pub async fn remove_committee_rule(&self, actor: &Actor, id: Id, version: i64) -> Result<()> {
        require_user(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let rule = tx
            .get_deadline_rule(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("时限规则".into()))?;
        let Some(committee) = rule.committee_id else {
            return Err(CoreError::RuleRefused(
                "这是通用的整改时限规则：只能修改，不能删除".into(),
            ));
        };
        if !actor.office_reach().runs(committee) {
            return Err(CoreError::Forbidden(
                "本级党委的整改时限规则由其巡视巡察办设定".into(),
            ));
        }
        tx.delete_committee_rule(&rule, version).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::CommitteeRuleRemoved,
                "deadline_rule",
                Some(id),
                json!({ "rule": rule }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The warning period and the other settings of rectification supervision.
    pub async fn rectify_settings(&self, actor: &Actor) -> Result<RectifySettings> {
        require_user(actor)?;
        self.store.read().await?.rectify_settings().await
    }

    /// The warning period in force, for views that colour tasks.
    pub async fn warn_days(&self) -> Result<i32> {
        let mut tx = self.store.read().await?;
        rectification_warn_days(&mut tx).await
    }

    /// Changes how long one clock runs (the office). Every clock follows at once: the due dates
    /// are computed from the rules in force, not stored.
    pub async fn update_deadline_rule(
        &self,
        actor: &Actor,
        id: Id,
        input: &DeadlineRuleInput,
    ) -> Result<StoredDeadlineRule> {
        require_user(actor)?;
        let (amount, counting, basis) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_deadline_rule(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("时限规则".into()))?;
        if before.committee_id.is_none() {
            actor.require(Permission::ManageReferenceData)?;
        } else if !self.may_edit_rule(actor, &before) {
            return Err(CoreError::Forbidden(
                "本级党委的整改时限规则由其巡视巡察办设定".into(),
            ));
        }
        if before.version != input.version {
            return Err(CoreError::StaleVersion(format!(
                "时限规则“{}（{}）”",
                before.rule.clock.label(),
                before.rule.level.label()
            )));
        }
        let mut after = before.clone();
        after.rule.amount = amount;
        after.rule.counting = counting;
        after.rule.basis = basis;
        after.version = before.version + 1;
        after.updated_at = Some(now);
        tx.update_deadline_rule(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::DeadlineRuleUpdated,
                "deadline_rule",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets the warning period (the office); every task and clock is coloured by it at once.
    pub async fn set_warn_days(
        &self,
        actor: &Actor,
        input: &WarnDaysInput,
    ) -> Result<RectifySettings> {
        actor.require(Permission::ManageReferenceData)?;
        input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx.rectify_settings().await?;
        if before.version != input.version {
            return Err(CoreError::StaleVersion("整改预警天数设置".into()));
        }
        let after = RectifySettings {
            warn_days: input.warn_days,
            version: before.version + 1,
            updated_at: Some(now),
            updated_by: actor.user_id(),
        };
        tx.update_rectify_settings(&after).await?;
        // The ledger's tallies colour by the period: count them again with the change.
        tx.refresh_tally(today(now), after.warn_days).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::WarnDaysUpdated,
                "rectify_settings",
                None,
                json!({ "before": before.warn_days, "after": after.warn_days }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The clocks of an inspection from its feedback date: for each inspected unit the actor
    /// may see, the plan, meeting and report clocks of the dispatcher's level. Empty before
    /// feedback.
    pub async fn inspection_clocks(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<Vec<ClockView>> {
        require_user(actor)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        let units = readable_units(actor, &insp);
        if units.is_empty() {
            return Err(CoreError::NotFound("巡视任务".into()));
        }
        clocks_in(&mut tx, &insp, &units, now).await
    }

    /// Whether the actor keeps the deadline rules (for pages that offer the form).
    pub fn may_edit_deadline_rules(&self, actor: &Actor) -> bool {
        is_office(actor) && actor.can(Permission::ManageReferenceData)
    }
}
