//! The personnel pool (干部人才库), the recusal rules, and forming inspection teams from the
//! pool: candidates screened for recusal, appointments (overriding a conflict needs a reason,
//! which is audited), and the team roles granted to the members' accounts for that one
//! inspection.

use serde::Serialize;
use serde_json::json;

use super::planning::load_inspection;
use super::units::resolve_unit_in;
use super::users::{add_grant_in, find_user_in, get_user_in, revoke_grant_in};
use super::{Services, record};
use crate::access::{Access, require_access};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::org::Unit;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::{Actor, Permission};
use crate::personnel::{
    Conflict, Inspector, InspectorFields, InspectorInput, NewInspector, PastPost, PastPostFields,
    PastPostInput, RecusalContext, RecusalRule, Relative, RelativeFields, RelativeInput,
    RuleTarget, TeamMember, TeamRole, UnitLocality, conflicts, describe_all, team_can_change,
};
use crate::role::{Grant, Scope};
use crate::store::{InspectorFilter, InspectorSort, ReadTx, Store, TeamRead, TeamWrite, WriteTx};

/// An inspector of the pool proposed for one inspection, with what stands against them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub inspector: Inspector,
    /// Every reason for recusal from this inspection; empty when there is none.
    pub conflicts: Vec<Conflict>,
    /// The role they already hold on this team, if any.
    pub on_team: Option<TeamRole>,
}

/// One appointment as the team list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamEntry {
    pub member: TeamMember,
    pub inspector_name: String,
    /// The member's current unit and post. Unit names are not confidential: whoever may see
    /// the team may see where its members work.
    pub unit_id: Id,
    pub unit_name: String,
    pub post: String,
    /// The conflicts as they stand today: the targets or the inspector's record may have
    /// changed since the appointment. Recusal findings are the office's business: they, the
    /// conflicts found at appointment and the override reason are given only to the office and
    /// the leadership, and are empty for the team's own members.
    pub conflicts_now: Vec<Conflict>,
}

/// Units, localities and rules: what the recusal check reads beside the inspector.
struct RecusalData {
    units: Vec<Unit>,
    localities: Vec<UnitLocality>,
    rules: Vec<RecusalRule>,
}

impl RecusalData {
    async fn load<T: ReadTx>(tx: &mut T) -> Result<Self> {
        Ok(RecusalData {
            units: tx.all_units().await?,
            localities: tx.unit_localities().await?,
            rules: tx.list_recusal_rules().await?,
        })
    }

    fn ctx(&self) -> RecusalContext<'_> {
        RecusalContext {
            units: &self.units,
            localities: &self.localities,
            rules: &self.rules,
        }
    }
}

impl<S: Store> Services<S> {
    // ----- the pool -----

    pub async fn list_inspectors(
        &self,
        actor: &Actor,
        f: &InspectorFilter,
        page: PageRequest,
    ) -> Result<Page<Inspector>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .inspector_page(actor, f, InspectorSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the pool, narrowed by `f` and sorted by `sort`, from the cursor `at` (none:
    /// the first page; back without a row: the last page), `limit` of them, with the cursors
    /// of the pages next to it and the total, counted by the database under the same filter.
    pub async fn inspector_page(
        &self,
        actor: &Actor,
        f: &InspectorFilter,
        sort: InspectorSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<Inspector>> {
        actor.require(Permission::ViewPersonnel)?;
        let mut tx = self.store.read().await?;
        let total = tx.count_inspectors(f).await?;
        let want = SortedPage::<Inspector>::want(at, total, limit)?;
        let rows = tx.inspectors_sorted(f, sort, at, want).await?;
        Ok(SortedPage::from_walk(
            rows,
            sort,
            at,
            want,
            total,
            |x: &Inspector| (sort.key_of(x), x.id),
        ))
    }

    pub async fn get_inspector(&self, actor: &Actor, id: Id) -> Result<Inspector> {
        actor.require(Permission::ViewPersonnel)?;
        let mut tx = self.store.read().await?;
        get_inspector_in(&mut tx, id).await
    }

    /// The teams the inspector was appointed to, withdrawn appointments included.
    pub async fn inspector_memberships(&self, actor: &Actor, id: Id) -> Result<Vec<TeamMember>> {
        actor.require(Permission::ViewPersonnel)?;
        let mut tx = self.store.read().await?;
        get_inspector_in(&mut tx, id).await?;
        tx.memberships_of(id).await
    }

    /// Adds a person to the pool, with the past posts and relatives they declared.
    pub async fn create_inspector(&self, actor: &Actor, input: &NewInspector) -> Result<Inspector> {
        actor.require(Permission::ManagePersonnel)?;
        let mut v = Validation::new();
        let fields = v.take(input.fields.validate());
        let posts: Vec<_> = input
            .past_posts
            .iter()
            .enumerate()
            .filter_map(|(i, p)| v.take(p.validate_as(&format!("past_posts[{i}]."))))
            .collect();
        let relatives: Vec<_> = input
            .relatives
            .iter()
            .enumerate()
            .filter_map(|(i, r)| v.take(r.validate_as(&format!("relatives[{i}]."))))
            .collect();
        v.finish()?;
        let fields = fields.expect("validated");
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (unit_id, user_id) = resolve_fields(&mut tx, None, &fields).await?;
        let mut past_posts = Vec::new();
        for (i, p) in posts.iter().enumerate() {
            past_posts.push(resolve_past_post(&mut tx, &format!("past_posts[{i}]."), p).await?);
        }
        let mut rels = Vec::new();
        for (i, r) in relatives.iter().enumerate() {
            rels.push(resolve_relative(&mut tx, &format!("relatives[{i}]."), r).await?);
        }
        let x = Inspector {
            id: Id::new(),
            name: fields.name,
            user_id,
            unit_id,
            post: fields.post,
            specialty: fields.specialty,
            locality: fields.locality,
            past_posts,
            relatives: rels,
            withdrawn: false,
            withdraw_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_inspector(&x).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::InspectorCreated,
                "inspector",
                Some(x.id),
                json!({ "after": x }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(x)
    }

    /// Changes the inspector's own fields (not the past posts and relatives, which have their
    /// own operations). When the login account changes while the inspector is on a team, the
    /// team roles move from the old account to the new one in the same transaction.
    pub async fn update_inspector(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &InspectorInput,
    ) -> Result<Inspector> {
        actor.require(Permission::ManagePersonnel)?;
        let fields = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = editable(&mut tx, id, version).await?;
        let (unit_id, user_id) = resolve_fields(&mut tx, Some(id), &fields).await?;
        let after = Inspector {
            name: fields.name,
            user_id,
            unit_id,
            post: fields.post,
            specialty: fields.specialty,
            locality: fields.locality,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_inspector(&after).await?;
        if before.user_id != after.user_id {
            move_team_grants(&mut tx, actor, &before, &after, now).await?;
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::InspectorUpdated,
                "inspector",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn add_past_post(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &PastPostInput,
    ) -> Result<Inspector> {
        actor.require(Permission::ManagePersonnel)?;
        let fields = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = editable(&mut tx, id, version).await?;
        let post = resolve_past_post(&mut tx, "", &fields).await?;
        let mut after = before.clone();
        after.past_posts.push(post.clone());
        after.past_posts.sort_by_key(|p| p.from);
        save_declaration(tx, actor, now, after, json!({ "past_post_added": post })).await
    }

    pub async fn remove_past_post(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        post_id: Id,
    ) -> Result<Inspector> {
        actor.require(Permission::ManagePersonnel)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = editable(&mut tx, id, version).await?;
        let Some(post) = before.past_posts.iter().find(|p| p.id == post_id).cloned() else {
            return Err(CoreError::NotFound("该任职经历".into()));
        };
        let mut after = before;
        after.past_posts.retain(|p| p.id != post_id);
        save_declaration(tx, actor, now, after, json!({ "past_post_removed": post })).await
    }

    pub async fn add_relative(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &RelativeInput,
    ) -> Result<Inspector> {
        actor.require(Permission::ManagePersonnel)?;
        let fields = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = editable(&mut tx, id, version).await?;
        let rel = resolve_relative(&mut tx, "", &fields).await?;
        let mut after = before;
        after.relatives.push(rel.clone());
        save_declaration(tx, actor, now, after, json!({ "relative_added": rel })).await
    }

    pub async fn remove_relative(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        relative_id: Id,
    ) -> Result<Inspector> {
        actor.require(Permission::ManagePersonnel)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = editable(&mut tx, id, version).await?;
        let Some(rel) = before
            .relatives
            .iter()
            .find(|r| r.id == relative_id)
            .cloned()
        else {
            return Err(CoreError::NotFound("该亲属".into()));
        };
        let mut after = before;
        after.relatives.retain(|r| r.id != relative_id);
        save_declaration(tx, actor, now, after, json!({ "relative_removed": rel })).await
    }

    /// Takes a person out of the pool (retired, transferred). They stay on record; refused while
    /// they are on a team.
    pub async fn withdraw_inspector(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        reason: &str,
    ) -> Result<Inspector> {
        actor.require(Permission::ManagePersonnel)?;
        let reason = required_reason(reason, "请填写移出原因")?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = editable(&mut tx, id, version).await?;
        if tx.memberships_of(id).await?.iter().any(TeamMember::active) {
            return Err(CoreError::RuleRefused(format!(
                "{}现为巡视组成员，请先从巡视组调出",
                before.name
            )));
        }
        let after = Inspector {
            withdrawn: true,
            withdraw_reason: Some(reason.clone()),
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_inspector(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::InspectorWithdrawn,
                "inspector",
                Some(id),
                json!({ "name": after.name, "reason": reason }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- the rules -----

    pub async fn recusal_rules(&self, actor: &Actor) -> Result<Vec<RecusalRule>> {
        actor.require(Permission::ViewPersonnel)?;
        self.store.read().await?.list_recusal_rules().await
    }

    /// Turns recusal by locality on or off for one kind or flag of inspection.
    pub async fn set_recusal_rule(
        &self,
        actor: &Actor,
        applies_to: RuleTarget,
        version: i64,
        same_locality: bool,
    ) -> Result<RecusalRule> {
        actor.require(Permission::ManagePersonnel)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .list_recusal_rules()
            .await?
            .into_iter()
            .find(|r| r.applies_to == applies_to)
            .ok_or_else(|| CoreError::NotFound("回避规则".into()))?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!(
                "“{}”的回避规则",
                applies_to.label()
            )));
        }
        let after = RecusalRule {
            same_locality,
            version: before.version + 1,
            updated_at: Some(now),
            ..before.clone()
        };
        tx.update_recusal_rule(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RecusalRuleChanged,
                "recusal_rule",
                None,
                json!({ "applies_to": applies_to, "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn unit_localities(&self, actor: &Actor) -> Result<Vec<UnitLocality>> {
        actor.require(Permission::ViewPersonnel)?;
        self.store.read().await?.unit_localities().await
    }

    /// Records where a unit is. `version` is the version seen, 0 for a unit with no locality on
    /// record yet; a blank locality clears it, so the unit is where its parent is.
    pub async fn set_unit_locality(
        &self,
        actor: &Actor,
        unit_id: Id,
        version: i64,
        locality: &str,
    ) -> Result<UnitLocality> {
        actor.require(Permission::ManagePersonnel)?;
        let locality = locality.trim();
        if locality.chars().count() > 50 {
            return Err(CoreError::bad_input("locality", "所在地不能超过 50 个字"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let unit = tx
            .get_unit(unit_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("单位".into()))?;
        let before = tx
            .unit_localities()
            .await?
            .into_iter()
            .find(|l| l.unit_id == unit_id);
        let seen = before.as_ref().map_or(0, |l| l.version);
        if seen != version {
            return Err(CoreError::StaleVersion(format!("“{}”的所在地", unit.name)));
        }
        let after = UnitLocality {
            unit_id,
            locality: locality.to_owned(),
            version: seen + 1,
            updated_at: now,
        };
        tx.put_unit_locality(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::UnitLocalitySet,
                "unit",
                Some(unit_id),
                json!({
                    "unit": unit.name,
                    "before": before.map(|l| l.locality),
                    "after": after.locality,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    // ----- teams -----

    /// Every inspector of the pool with their conflicts for this inspection, those without any
    /// first. For the office and the team's leader and deputy leader.
    pub async fn team_candidates(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<Vec<Candidate>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_access(actor, &insp, Access::TeamLead)?;
        let data = RecusalData::load(&mut tx).await?;
        let members = tx.list_team_members(inspection_id).await?;
        let pool = all_inspectors(&mut tx).await?;
        let mut out: Vec<Candidate> = pool
            .into_iter()
            .map(|x| Candidate {
                conflicts: conflicts(&x, &insp, &data.ctx()),
                on_team: members
                    .iter()
                    .find(|m| m.active() && m.inspector_id == x.id)
                    .map(|m| m.role),
                inspector: x,
            })
            .collect();
        // Stable: within each group the pool's order (creation) stands.
        out.sort_by_key(|c| !c.conflicts.is_empty());
        Ok(out)
    }

    /// The team of an inspection, withdrawn members included (they are marked). For everyone
    /// who may read the inspection's work: the office, the leadership, the team itself.
    pub async fn team(&self, actor: &Actor, inspection_id: Id) -> Result<Vec<TeamEntry>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        let access = require_access(actor, &insp, Access::Read)?;
        let sees_recusal = matches!(access, Access::Office | Access::Read);
        let data = if sees_recusal {
            Some(RecusalData::load(&mut tx).await?)
        } else {
            None
        };
        let mut out = Vec::new();
        for mut member in tx.list_team_members(inspection_id).await? {
            let x = get_inspector_in(&mut tx, member.inspector_id).await?;
            let conflicts_now = match &data {
                Some(d) if member.active() => conflicts(&x, &insp, &d.ctx()),
                _ => Vec::new(),
            };
            if !sees_recusal {
                member.conflicts.clear();
                member.override_reason = None;
            }
            let unit_name = tx
                .get_unit(x.unit_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            out.push(TeamEntry {
                member,
                inspector_name: x.name,
                unit_id: x.unit_id,
                unit_name,
                post: x.post,
                conflicts_now,
            });
        }
        Ok(out)
    }

    /// Appoints an inspector of the pool to the inspection's team. Refused, naming the
    /// conflicts, when the recusal check finds any and no `override_reason` is given; with one,
    /// the appointment and the override are both recorded with the conflicts and the reason.
    /// If the inspector has a login account, it is granted the team role for this inspection
    /// (and nothing else) in the same transaction. Only the office appoints.
    pub async fn appoint(
        &self,
        actor: &Actor,
        inspection_id: Id,
        inspector_id: Id,
        role: TeamRole,
        override_reason: Option<&str>,
    ) -> Result<TeamMember> {
        let reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > 500) {
            return Err(CoreError::bad_input(
                "override_reason",
                "说明理由不能超过 500 个字",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_access(actor, &insp, Access::Office)?;
        check_team_open(&insp)?;
        let x = tx
            .get_inspector(inspector_id)
            .await?
            .ok_or_else(|| CoreError::unfit("inspector_id", "干部人才库中没有该干部"))?;
        if x.withdrawn {
            return Err(CoreError::RuleRefused(format!(
                "{}已移出干部人才库，不能任命",
                x.name
            )));
        }
        let members = tx.list_team_members(inspection_id).await?;
        if let Some(m) = members
            .iter()
            .find(|m| m.active() && m.inspector_id == x.id)
        {
            return Err(CoreError::Conflict(format!(
                "{}已是{}{}",
                x.name,
                insp.team_name,
                m.role.label()
            )));
        }
        if role == TeamRole::Leader
            && let Some(m) = members
                .iter()
                .find(|m| m.active() && m.role == TeamRole::Leader)
        {
            let leader = get_inspector_in(&mut tx, m.inspector_id).await?;
            return Err(CoreError::Conflict(format!(
                "{}已有组长{}；一个巡视组只设一名组长，请先调出原组长",
                insp.team_name, leader.name
            )));
        }
        let data = RecusalData::load(&mut tx).await?;
        let found = conflicts(&x, &insp, &data.ctx());
        if !found.is_empty() && reason.is_none() {
            return Err(CoreError::RuleRefused(format!(
                "{}存在回避情形——{}。如确需任命，须填写说明理由。",
                x.name,
                describe_all(&found)
            )));
        }
        let override_reason = if found.is_empty() {
            None
        } else {
            reason.map(str::to_owned)
        };
        let grant = match x.user_id {
            Some(uid) => {
                let user = get_user_in(&mut tx, uid).await?;
                Some(
                    add_grant_in(
                        &mut tx,
                        actor,
                        &user,
                        role.role(),
                        Scope::Inspection(insp.id),
                        now,
                    )
                    .await?,
                )
            }
            None => None,
        };
        let member = TeamMember {
            id: Id::new(),
            inspection_id: insp.id,
            inspector_id: x.id,
            role,
            conflicts: found,
            override_reason,
            appointed_by: actor.user_id(),
            appointed_at: now,
            grant_id: grant.as_ref().map(|g| g.id),
            withdrawn_at: None,
            withdraw_reason: None,
            version: 1,
        };
        tx.insert_team_member(&member).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TeamMemberAppointed,
                "team_member",
                Some(member.id),
                json!({
                    "inspection_id": insp.id,
                    "team": insp.team_name,
                    "inspector_id": x.id,
                    "inspector": x.name,
                    "role": role,
                    "conflicts": member.conflicts,
                    "override_reason": member.override_reason,
                    "grant_id": member.grant_id,
                }),
            ),
        )
        .await?;
        if let Some(r) = &member.override_reason {
            record(
                &mut tx,
                actor,
                now,
                AuditEntry::new(
                    Action::RecusalOverridden,
                    "team_member",
                    Some(member.id),
                    json!({
                        "inspection_id": insp.id,
                        "inspector": x.name,
                        "conflicts": member.conflicts,
                        "reason": r,
                    }),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(member)
    }

    /// Withdraws a member from the team (调出), revoking the grant that opened the inspection
    /// to their account. The appointment stays on record.
    pub async fn withdraw_member(
        &self,
        actor: &Actor,
        inspection_id: Id,
        member_id: Id,
        version: i64,
        reason: &str,
    ) -> Result<TeamMember> {
        let reason = required_reason(reason, "请填写调出原因")?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        // The member named must be of this inspection's team: another team's member is not
        // there, checked here in the transaction that withdraws.
        let before = tx
            .get_team_member(member_id)
            .await?
            .filter(|m| m.inspection_id == inspection_id)
            .ok_or_else(|| CoreError::NotFound("巡视组成员".into()))?;
        let insp = load_inspection(&mut tx, before.inspection_id).await?;
        require_access(actor, &insp, Access::Office)?;
        let x = get_inspector_in(&mut tx, before.inspector_id).await?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!("巡视组成员{}", x.name)));
        }
        if !before.active() {
            return Err(CoreError::RuleRefused(format!("{}已调出巡视组", x.name)));
        }
        crate::archive::refuse_if_archived(&insp)?;
        if let Some(g) = team_grant(&mut tx, &x, &before).await? {
            revoke_grant_in(&mut tx, actor, &g, now).await?;
        }
        let after = TeamMember {
            withdrawn_at: Some(now),
            withdraw_reason: Some(reason.clone()),
            version: before.version + 1,
            ..before.clone()
        };
        tx.update_team_member(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TeamMemberWithdrawn,
                "team_member",
                Some(member_id),
                json!({
                    "inspection_id": insp.id,
                    "team": insp.team_name,
                    "inspector": x.name,
                    "role": before.role,
                    "reason": reason,
                    "grant_id": before.grant_id,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

fn check_team_open(insp: &Inspection) -> Result<()> {
    if team_can_change(insp.stage) {
        return Ok(());
    }
    Err(CoreError::RuleRefused(format!(
        "巡视任务处于“{}”阶段；巡视组成员只能在计划、准备和进驻了解阶段任命",
        insp.stage.label()
    )))
}

fn required_reason(reason: &str, missing: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CoreError::bad_input("reason", missing));
    }
    if reason.chars().count() > 500 {
        return Err(CoreError::bad_input("reason", "原因不能超过 500 个字"));
    }
    Ok(reason.to_owned())
}

async fn get_inspector_in<T: ReadTx>(tx: &mut T, id: Id) -> Result<Inspector> {
    tx.get_inspector(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("巡视干部".into()))
}

/// The inspector as stored, if `version` is current and they are still in the pool.
async fn editable<T: ReadTx>(tx: &mut T, id: Id, version: i64) -> Result<Inspector> {
    let x = get_inspector_in(tx, id).await?;
    if x.version != version {
        return Err(CoreError::StaleVersion(format!("巡视干部{}", x.name)));
    }
    if x.withdrawn {
        return Err(CoreError::RuleRefused(format!(
            "{}已移出干部人才库，记录只读",
            x.name
        )));
    }
    Ok(x)
}

/// Every inspector still in the pool.
async fn all_inspectors<T: ReadTx>(tx: &mut T) -> Result<Vec<Inspector>> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(crate::page::MAX_LIMIT);
    loop {
        let rows = tx
            .list_inspectors(&InspectorFilter::default(), page)
            .await?;
        let full = rows.len() as u32 >= page.limit;
        page.after = rows.last().map(|x| x.id);
        out.extend(rows);
        if !full {
            return Ok(out);
        }
    }
}

/// Resolves the current unit and the login account of the inspector `this` (None when new).
async fn resolve_fields<T: ReadTx>(
    tx: &mut T,
    this: Option<Id>,
    f: &InspectorFields,
) -> Result<(Id, Option<Id>)> {
    let unit = resolve_unit_in(tx, &f.unit)
        .await
        .map_err(|_| CoreError::unfit("unit", format!("单位“{}”不存在", f.unit)))?;
    if unit.withdrawn {
        return Err(CoreError::unfit("unit", "该单位已撤销"));
    }
    let user_id = match &f.user {
        Some(u) => {
            let user = find_user_in(tx, u)
                .await
                .map_err(|_| CoreError::unfit("user", format!("用户“{u}”不存在")))?;
            if let Some(other) = tx.find_inspector_by_user(user.id).await?
                && Some(other.id) != this
            {
                return Err(CoreError::unfit(
                    "user",
                    format!("账号“{}”已关联干部{}", user.username, other.name),
                ));
            }
            Some(user.id)
        }
        None => None,
    };
    Ok((unit.id, user_id))
}

async fn resolve_past_post<T: ReadTx>(
    tx: &mut T,
    prefix: &str,
    p: &PastPostFields,
) -> Result<PastPost> {
    // A past post may be in a unit since withdrawn: history keeps it.
    let unit = resolve_unit_in(tx, &p.unit).await.map_err(|_| {
        CoreError::unfit(format!("{prefix}unit"), format!("单位“{}”不存在", p.unit))
    })?;
    Ok(PastPost {
        id: Id::new(),
        unit_id: unit.id,
        post: p.post.clone(),
        from: p.from,
        to: p.to,
    })
}

async fn resolve_relative<T: ReadTx>(
    tx: &mut T,
    prefix: &str,
    r: &RelativeFields,
) -> Result<Relative> {
    let unit = resolve_unit_in(tx, &r.unit).await.map_err(|_| {
        CoreError::unfit(format!("{prefix}unit"), format!("单位“{}”不存在", r.unit))
    })?;
    Ok(Relative {
        id: Id::new(),
        relation: r.relation,
        name: r.name.clone(),
        unit_id: unit.id,
    })
}

/// Stores a changed declaration (past posts, relatives) as a new version, records it and
/// commits.
async fn save_declaration<T: WriteTx>(
    mut tx: T,
    actor: &Actor,
    now: jiff::Timestamp,
    mut after: Inspector,
    change: serde_json::Value,
) -> Result<Inspector> {
    after.version += 1;
    after.updated_at = now;
    tx.update_inspector(&after).await?;
    record(
        &mut tx,
        actor,
        now,
        AuditEntry::new(
            Action::InspectorUpdated,
            "inspector",
            Some(after.id),
            json!({ "name": after.name, "change": change, "version": after.version }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The active grant an appointment gave the inspector's account, if it still stands.
async fn team_grant<T: ReadTx>(tx: &mut T, x: &Inspector, m: &TeamMember) -> Result<Option<Grant>> {
    let (Some(gid), Some(uid)) = (m.grant_id, x.user_id) else {
        return Ok(None);
    };
    Ok(tx
        .active_grants(uid)
        .await?
        .into_iter()
        .find(|g| g.id == gid))
}

/// The login account of an inspector on active teams changed: their team roles leave the old
/// account and go to the new one, so that access always follows the appointment.
async fn move_team_grants<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    before: &Inspector,
    after: &Inspector,
    now: jiff::Timestamp,
) -> Result<()> {
    let new_user = match after.user_id {
        Some(uid) => Some(get_user_in(tx, uid).await?),
        None => None,
    };
    for m in tx.memberships_of(before.id).await? {
        if !m.active() {
            continue;
        }
        if let Some(g) = team_grant(tx, before, &m).await? {
            revoke_grant_in(tx, actor, &g, now).await?;
        }
        let grant_id = match &new_user {
            Some(u) => Some(
                add_grant_in(
                    tx,
                    actor,
                    u,
                    m.role.role(),
                    Scope::Inspection(m.inspection_id),
                    now,
                )
                .await?
                .id,
            ),
            None => None,
        };
        let moved = TeamMember {
            grant_id,
            version: m.version + 1,
            ..m
        };
        tx.update_team_member(&moved).await?;
    }
    Ok(())
}
