//! The personnel pool (干部人才库) of inspectors, the teams formed from it, and the recusal
//! (回避) rules screened before anyone is appointed (domain.md §2, preparation).
//!
//! The rules are plain functions over plain values: [`conflicts`] takes an inspector, an
//! inspection and what it needs of the organisation tree, and names every reason the inspector
//! should not inspect that unit. Which inspections also call for recusal by locality is data
//! ([`RecusalRule`]), kept by the office, not code.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::{Inspection, InspectionKind, Stage, parse_date};
use crate::org::{Unit, labelled_enum};
use crate::role::Role;

/// A post the inspector held before, with its period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PastPost {
    pub id: Id,
    pub unit_id: Id,
    pub post: String,
    #[schema(value_type = String, format = Date)]
    pub from: jiff::civil::Date,
    /// Absent for a post held until the present one began and not recorded as ended.
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<jiff::civil::Date>,
}

labelled_enum!(
    /// How a declared relative is related to the inspector: the close relations the recusal rule
    /// names (spouse, lineal relatives, collateral relatives within three generations, close
    /// in-laws).
    Relation, "relation" {
        Spouse = "spouse" / "配偶",
        Parent = "parent" / "父母",
        Child = "child" / "子女",
        Sibling = "sibling" / "兄弟姐妹",
        ChildSpouse = "child_spouse" / "子女配偶",
        SpouseParent = "spouse_parent" / "配偶父母",
        SpouseSibling = "spouse_sibling" / "配偶兄弟姐妹",
        Other = "other" / "其他近亲属",
    }
);

/// A relative the inspector declared, and where they work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Relative {
    pub id: Id,
    pub relation: Relation,
    pub name: String,
    /// The relative's workplace.
    pub unit_id: Id,
}

/// One person of the pool from which teams are formed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Inspector {
    pub id: Id,
    pub name: String,
    /// The account the person logs in with, if they have one. Appointing them to a team grants
    /// this account the team role for that inspection.
    pub user_id: Option<Id>,
    /// The unit the person works in now.
    pub unit_id: Id,
    pub post: String,
    /// Their field: finance, cadre work, discipline, audit…
    pub specialty: String,
    /// Where they come from, such as 南宁市; blank means the locality of their unit.
    pub locality: String,
    pub past_posts: Vec<PastPost>,
    pub relatives: Vec<Relative>,
    /// Out of the pool: kept on record, no longer proposed for teams.
    pub withdrawn: bool,
    pub withdraw_reason: Option<String>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

labelled_enum!(
    /// A role within one inspection's team.
    TeamRole, "role" {
        Leader = "leader" / "组长",
        Deputy = "deputy" / "副组长",
        Member = "member" / "成员",
    }
);

impl TeamRole {
    /// The role granted to the member's account, scoped to the inspection.
    pub fn role(self) -> Role {
        match self {
            TeamRole::Leader => Role::TeamLeader,
            TeamRole::Deputy => Role::TeamDeputy,
            TeamRole::Member => Role::TeamMember,
        }
    }
}

labelled_enum!(
    /// Why an inspector should not inspect a unit.
    ConflictKind, "kind" {
        PresentPost = "present_post" / "现任职于被巡视单位",
        PastPost = "past_post" / "曾在被巡视单位任职",
        Relative = "relative" / "亲属在被巡视单位工作",
        SameLocality = "same_locality" / "与被巡视单位同属一地",
    }
);

/// One reason for recusal, found for one target of the inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The inspected unit the conflict concerns.
    pub target_id: Id,
    /// The unit that gives rise to it: the target or a unit below it (for locality, the target).
    pub unit_id: Id,
    /// The reason in words, with names and dates, as the office reads it.
    pub detail: String,
}

impl Conflict {
    /// "曾在被巡视单位任职：2015年3月至2018年6月曾任……"
    pub fn describe(&self) -> String {
        format!("{}：{}", self.kind.label(), self.detail)
    }
}

/// All the conflicts of a list, in one sentence.
pub fn describe_all(list: &[Conflict]) -> String {
    list.iter()
        .map(Conflict::describe)
        .collect::<Vec<_>>()
        .join("；")
}

labelled_enum!(
    /// What a recusal rule applies to: an inspection kind, or one of the flags an inspection of
    /// any kind may carry.
    RuleTarget, "applies_to" {
        Routine = "routine" / "常规巡视",
        Special = "special" / "专项巡视",
        Mobile = "mobile" / "机动巡视",
        LookBack = "look_back" / "巡视“回头看”",
        Cross = "cross" / "交叉巡视",
        Elevated = "elevated" / "提级巡视",
        Linked = "linked" / "联动巡视",
    }
);

impl RuleTarget {
    pub fn applies(self, insp: &Inspection) -> bool {
        match self {
            RuleTarget::Routine => insp.kind == InspectionKind::Routine,
            RuleTarget::Special => insp.kind == InspectionKind::Special,
            RuleTarget::Mobile => insp.kind == InspectionKind::Mobile,
            RuleTarget::LookBack => insp.kind == InspectionKind::LookBack,
            RuleTarget::Cross => insp.cross,
            RuleTarget::Elevated => insp.elevated,
            RuleTarget::Linked => insp.linked,
        }
    }
}

/// The office's rule for one kind or flag of inspection. Post and kinship always call for
/// recusal (a rule of the regulation); locality only where a rule says so (local practice,
/// chiefly for cross inspections, whose point is that teams work outside their own locality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RecusalRule {
    pub applies_to: RuleTarget,
    /// A member must not come from the locality of the inspected unit.
    pub same_locality: bool,
    pub version: i64,
    /// Absent while the shipped default stands.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<jiff::Timestamp>,
}

/// Where a unit is (a city or county, such as 南宁市). Units below it without a locality of
/// their own are in the same place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnitLocality {
    pub unit_id: Id,
    /// Blank clears it: the unit is then where its parent is.
    pub locality: String,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

/// What the recusal check needs beyond the inspector and the inspection.
#[derive(Debug, Clone, Copy)]
pub struct RecusalContext<'a> {
    /// Every unit, for names and for who is below whom.
    pub units: &'a [Unit],
    pub localities: &'a [UnitLocality],
    pub rules: &'a [RecusalRule],
}

impl RecusalContext<'_> {
    fn parent_of(&self) -> HashMap<Id, Option<Id>> {
        self.units.iter().map(|u| (u.id, u.parent_id)).collect()
    }

    fn name(&self, id: Id) -> String {
        self.units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "（已不在册的单位）".to_owned())
    }
}

/// Whether `unit` is `ancestor` or lies below it. A broken chain of parents ends the walk.
pub fn within(parent_of: &HashMap<Id, Option<Id>>, unit: Id, ancestor: Id) -> bool {
    let mut cur = Some(unit);
    let mut steps = 0;
    while let Some(c) = cur {
        if c == ancestor {
            return true;
        }
        steps += 1;
        if steps > parent_of.len() {
            return false;
        }
        cur = parent_of.get(&c).copied().flatten();
    }
    false
}

/// The locality of a unit: its own, or that of the nearest unit above it that has one.
pub fn locality_of(ctx: &RecusalContext<'_>, unit: Id) -> Option<String> {
    let own: HashMap<Id, &str> = ctx
        .localities
        .iter()
        .filter(|l| !l.locality.trim().is_empty())
        .map(|l| (l.unit_id, l.locality.trim()))
        .collect();
    let parent_of = ctx.parent_of();
    let mut cur = Some(unit);
    let mut steps = 0;
    while let Some(c) = cur {
        if let Some(l) = own.get(&c) {
            return Some((*l).to_owned());
        }
        steps += 1;
        if steps > parent_of.len() {
            return None;
        }
        cur = parent_of.get(&c).copied().flatten();
    }
    None
}

/// The inspector's locality: as declared, or else that of their unit.
pub fn inspector_locality(ctx: &RecusalContext<'_>, inspector: &Inspector) -> Option<String> {
    match inspector.locality.trim() {
        "" => locality_of(ctx, inspector.unit_id),
        l => Some(l.to_owned()),
    }
}

fn month(d: jiff::civil::Date) -> String {
    format!("{}年{}月", d.year(), d.month())
}

/// Every reason the inspector should not inspect the inspection's units:
///
/// - **PresentPost**: their current unit is a target or lies below one;
/// - **PastPost**: they held a post, in any period, in a target or below it;
/// - **Relative**: a declared relative works in a target or below it;
/// - **SameLocality**: a rule for the inspection's kind or one of its flags calls for recusal by
///   locality, and the inspector comes from the target's locality.
pub fn conflicts(
    inspector: &Inspector,
    inspection: &Inspection,
    ctx: &RecusalContext<'_>,
) -> Vec<Conflict> {
    let parent_of = ctx.parent_of();
    let mut out = Vec::new();
    for &target in &inspection.target_ids {
        let target_name = ctx.name(target);
        let under = |unit: Id| -> String {
            if unit == target {
                String::new()
            } else {
                format!("（属{target_name}）")
            }
        };
        if within(&parent_of, inspector.unit_id, target) {
            out.push(Conflict {
                kind: ConflictKind::PresentPost,
                target_id: target,
                unit_id: inspector.unit_id,
                detail: format!(
                    "现任{}{}{}",
                    ctx.name(inspector.unit_id),
                    inspector.post,
                    under(inspector.unit_id)
                ),
            });
        }
        for p in &inspector.past_posts {
            if within(&parent_of, p.unit_id, target) {
                let to = p.to.map(month).unwrap_or_else(|| "今".to_owned());
                out.push(Conflict {
                    kind: ConflictKind::PastPost,
                    target_id: target,
                    unit_id: p.unit_id,
                    detail: format!(
                        "{}至{}任{}{}{}",
                        month(p.from),
                        to,
                        ctx.name(p.unit_id),
                        p.post,
                        under(p.unit_id)
                    ),
                });
            }
        }
        for r in &inspector.relatives {
            if within(&parent_of, r.unit_id, target) {
                out.push(Conflict {
                    kind: ConflictKind::Relative,
                    target_id: target,
                    unit_id: r.unit_id,
                    detail: format!(
                        "{}{}在{}工作{}",
                        r.relation.label(),
                        r.name,
                        ctx.name(r.unit_id),
                        under(r.unit_id)
                    ),
                });
            }
        }
        let by_locality: Vec<&str> = ctx
            .rules
            .iter()
            .filter(|r| r.same_locality && r.applies_to.applies(inspection))
            .map(|r| r.applies_to.label())
            .collect();
        if !by_locality.is_empty()
            && let (Some(mine), Some(theirs)) =
                (inspector_locality(ctx, inspector), locality_of(ctx, target))
            && mine == theirs
        {
            out.push(Conflict {
                kind: ConflictKind::SameLocality,
                target_id: target,
                unit_id: target,
                detail: format!(
                    "本人与{target_name}同属{mine}，{}须异地回避",
                    by_locality.join("、")
                ),
            });
        }
    }
    out
}

/// One appointment to an inspection's team. Withdrawn members stay on record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    pub id: Id,
    pub inspection_id: Id,
    pub inspector_id: Id,
    pub role: TeamRole,
    /// The conflicts found when the member was appointed.
    pub conflicts: Vec<Conflict>,
    /// Why the member was appointed despite them.
    pub override_reason: Option<String>,
    /// The account that appointed; absent for the operator at the command line.
    pub appointed_by: Option<Id>,
    #[schema(value_type = String, format = DateTime)]
    pub appointed_at: jiff::Timestamp,
    /// The grant that opens the inspection to the member's account, if they have one.
    pub grant_id: Option<Id>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub withdrawn_at: Option<jiff::Timestamp>,
    pub withdraw_reason: Option<String>,
    pub version: i64,
}

impl TeamMember {
    pub fn active(&self) -> bool {
        self.withdrawn_at.is_none()
    }
}

/// Whether members may still be appointed: while planning, preparing and on site. Once the
/// report is being written the team that did the work is the team on record.
pub fn team_can_change(stage: Stage) -> bool {
    matches!(stage, Stage::Planning | Stage::Preparation | Stage::OnSite)
}

fn trimmed_len_ok(v: &mut Validation, field: &str, value: &str, max: usize, what: &str) {
    if value.trim().chars().count() > max {
        v.add(field, format!("{what}不能超过 {max} 个字"));
    }
}

/// The inspector's own fields as they arrive from a form or a JSON body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InspectorInput {
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// The login account: a username or a user's id; blank for none.
    #[serde(default)]
    pub user: Option<String>,
    /// The current unit: an id or the exact name.
    #[schema(min_length = 1, pattern = r"\S")]
    pub unit: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub post: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub specialty: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub locality: String,
}

/// The validated parts of an [`InspectorInput`] that need no lookup.
#[derive(Debug, Clone)]
pub struct InspectorFields {
    pub name: String,
    pub user: Option<String>,
    pub unit: String,
    pub post: String,
    pub specialty: String,
    pub locality: String,
}

impl InspectorInput {
    pub fn validate(&self) -> Result<InspectorFields> {
        let mut v = Validation::new();
        let name = self.name.trim();
        if name.is_empty() {
            v.add("name", "请填写姓名");
        }
        trimmed_len_ok(&mut v, "name", name, 50, "姓名");
        if self.unit.trim().is_empty() {
            v.add("unit", "请选择现工作单位");
        }
        if self.post.trim().is_empty() {
            v.add("post", "请填写现任职务");
        }
        trimmed_len_ok(&mut v, "post", &self.post, 100, "职务");
        trimmed_len_ok(&mut v, "specialty", &self.specialty, 100, "专业特长");
        trimmed_len_ok(&mut v, "locality", &self.locality, 50, "所在地");
        v.finish()?;
        Ok(InspectorFields {
            name: name.to_owned(),
            user: self
                .user
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            unit: self.unit.trim().to_owned(),
            post: self.post.trim().to_owned(),
            specialty: self.specialty.trim().to_owned(),
            locality: self.locality.trim().to_owned(),
        })
    }
}

/// A past post as it arrives.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PastPostInput {
    /// The unit: an id or the exact name.
    #[schema(min_length = 1, pattern = r"\S")]
    pub unit: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub post: String,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub from: String,
    /// `YYYY-MM-DD`; blank if not recorded as ended.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PastPostFields {
    pub unit: String,
    pub post: String,
    pub from: jiff::civil::Date,
    pub to: Option<jiff::civil::Date>,
}

impl PastPostInput {
    /// Validates, naming fields with `prefix` (such as `past_posts[0].`) for nested input.
    pub fn validate_as(&self, prefix: &str) -> Result<PastPostFields> {
        let f = |name: &str| format!("{prefix}{name}");
        let mut v = Validation::new();
        if self.unit.trim().is_empty() {
            v.add(&f("unit"), "请选择任职单位");
        }
        if self.post.trim().is_empty() {
            v.add(&f("post"), "请填写所任职务");
        }
        trimmed_len_ok(&mut v, &f("post"), &self.post, 100, "职务");
        let from = v.take(parse_date(&f("from"), Some(&self.from))).flatten();
        if self.from.trim().is_empty() {
            v.add(&f("from"), "请填写任职起始日期");
        }
        let to = v.take(parse_date(&f("to"), self.to.as_deref())).flatten();
        if let (Some(a), Some(b)) = (from, to)
            && b < a
        {
            v.unfit(&f("to"), "任职截止日期不能早于起始日期");
        }
        v.finish()?;
        Ok(PastPostFields {
            unit: self.unit.trim().to_owned(),
            post: self.post.trim().to_owned(),
            from: from.ok_or_else(|| CoreError::bad_input(f("from"), "请填写任职起始日期"))?,
            to,
        })
    }

    pub fn validate(&self) -> Result<PastPostFields> {
        self.validate_as("")
    }
}

/// A declared relative as it arrives.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RelativeInput {
    /// A code or label of [`Relation`], such as `spouse` or 配偶.
    #[schema(value_type = Relation)]
    pub relation: String,
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// The workplace: a unit's id or exact name.
    #[schema(min_length = 1, pattern = r"\S")]
    pub unit: String,
}

#[derive(Debug, Clone)]
pub struct RelativeFields {
    pub relation: Relation,
    pub name: String,
    pub unit: String,
}

impl RelativeInput {
    pub fn validate_as(&self, prefix: &str) -> Result<RelativeFields> {
        let f = |name: &str| format!("{prefix}{name}");
        let mut v = Validation::new();
        let relation = match Relation::parse(&self.relation) {
            Ok(r) => Some(r),
            Err(_) => {
                v.add(&f("relation"), "请选择与本人关系");
                None
            }
        };
        if self.name.trim().is_empty() {
            v.add(&f("name"), "请填写亲属姓名");
        }
        trimmed_len_ok(&mut v, &f("name"), &self.name, 50, "姓名");
        if self.unit.trim().is_empty() {
            v.add(&f("unit"), "请选择亲属工作单位");
        }
        v.finish()?;
        Ok(RelativeFields {
            relation: relation.expect("validated"),
            name: self.name.trim().to_owned(),
            unit: self.unit.trim().to_owned(),
        })
    }

    pub fn validate(&self) -> Result<RelativeFields> {
        self.validate_as("")
    }
}

/// A new inspector with the past posts and relatives declared at once.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewInspector {
    #[serde(flatten)]
    pub fields: InspectorInput,
    #[serde(default)]
    pub past_posts: Vec<PastPostInput>,
    #[serde(default)]
    pub relatives: Vec<RelativeInput>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{UnitKind, UnitLevel};

    fn unit(name: &str, parent: Option<&Unit>) -> Unit {
        let now = jiff::Timestamp::UNIX_EPOCH;
        Unit {
            id: Id::new(),
            name: name.into(),
            kind: UnitKind::Department,
            level: UnitLevel::Provincial,
            parent_id: parent.map(|p| p.id),
            withdrawn: false,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn inspection(targets: &[&Unit], cross: bool) -> Inspection {
        let ids = targets.iter().map(|u| u.id).collect();
        Inspection {
            cross,
            ..crate::inspection::tests::sample(ids, Stage::Preparation)
        }
    }

    fn inspector(unit: &Unit) -> Inspector {
        let now = jiff::Timestamp::UNIX_EPOCH;
        Inspector {
            id: Id::new(),
            name: "林晓".into(),
            user_id: None,
            unit_id: unit.id,
            post: "副处长".into(),
            specialty: "财务审计".into(),
            locality: String::new(),
            past_posts: Vec::new(),
            relatives: Vec::new(),
            withdrawn: false,
            withdraw_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn date(s: &str) -> jiff::civil::Date {
        s.parse().unwrap()
    }

    fn locality(u: &Unit, l: &str) -> UnitLocality {
        UnitLocality {
            unit_id: u.id,
            locality: l.into(),
            version: 1,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn default_rules() -> Vec<RecusalRule> {
        RuleTarget::ALL
            .iter()
            .map(|&t| RecusalRule {
                applies_to: t,
                same_locality: t == RuleTarget::Cross,
                version: 1,
                updated_at: None,
            })
            .collect()
    }

    /// 自治区党委 ─┬─ 宣传部 ── 日报社
    ///             ├─ 组织部
    ///             └─ 南宁市委 ── 南宁市财政局
    struct Tree {
        root: Unit,
        xuanchuan: Unit,
        ribao: Unit,
        zuzhi: Unit,
        nanning: Unit,
        nanning_caizheng: Unit,
    }

    impl Tree {
        fn new() -> Tree {
            let root = unit("自治区党委", None);
            let xuanchuan = unit("自治区党委宣传部", Some(&root));
            let ribao = unit("自治区日报社", Some(&xuanchuan));
            let zuzhi = unit("自治区党委组织部", Some(&root));
            let nanning = unit("南宁市委", Some(&root));
            let nanning_caizheng = unit("南宁市财政局", Some(&nanning));
            Tree {
                root,
                xuanchuan,
                ribao,
                zuzhi,
                nanning,
                nanning_caizheng,
            }
        }

        fn all(&self) -> Vec<Unit> {
            vec![
                self.root.clone(),
                self.xuanchuan.clone(),
                self.ribao.clone(),
                self.zuzhi.clone(),
                self.nanning.clone(),
                self.nanning_caizheng.clone(),
            ]
        }
    }

    fn check(
        t: &Tree,
        who: &Inspector,
        insp: &Inspection,
        localities: &[UnitLocality],
    ) -> Vec<Conflict> {
        let units = t.all();
        let rules = default_rules();
        let ctx = RecusalContext {
            units: &units,
            localities,
            rules: &rules,
        };
        conflicts(who, insp, &ctx)
    }

    fn kinds(list: &[Conflict]) -> Vec<ConflictKind> {
        list.iter().map(|c| c.kind).collect()
    }

    #[test]
    fn a_present_post_in_the_target_or_below_it_is_a_conflict() {
        let t = Tree::new();
        let insp = inspection(&[&t.xuanchuan], false);

        let in_target = check(&t, &inspector(&t.xuanchuan), &insp, &[]);
        assert_eq!(kinds(&in_target), [ConflictKind::PresentPost]);
        assert_eq!(in_target[0].target_id, t.xuanchuan.id);
        assert!(in_target[0].detail.contains("自治区党委宣传部副处长"));

        let below = check(&t, &inspector(&t.ribao), &insp, &[]);
        assert_eq!(kinds(&below), [ConflictKind::PresentPost]);
        assert!(
            below[0].detail.contains("属自治区党委宣传部"),
            "{}",
            below[0].detail
        );

        // A sibling or a unit above the target is not the target.
        assert!(check(&t, &inspector(&t.zuzhi), &insp, &[]).is_empty());
        assert!(check(&t, &inspector(&t.root), &insp, &[]).is_empty());
    }

    #[test]
    fn a_past_post_in_any_period_is_a_conflict() {
        let t = Tree::new();
        let insp = inspection(&[&t.zuzhi, &t.xuanchuan], false);
        let mut who = inspector(&t.nanning);
        who.past_posts.push(PastPost {
            id: Id::new(),
            unit_id: t.ribao.id,
            post: "副总编辑".into(),
            from: date("2009-03-01"),
            to: Some(date("2012-06-30")),
        });
        who.past_posts.push(PastPost {
            id: Id::new(),
            unit_id: t.nanning_caizheng.id,
            post: "科长".into(),
            from: date("2005-01-01"),
            to: None,
        });
        let found = check(&t, &who, &insp, &[]);
        assert_eq!(kinds(&found), [ConflictKind::PastPost]);
        assert_eq!(found[0].target_id, t.xuanchuan.id);
        assert_eq!(found[0].unit_id, t.ribao.id);
        assert!(
            found[0]
                .detail
                .contains("2009年3月至2012年6月任自治区日报社副总编辑"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn a_relative_working_in_the_target_is_a_conflict() {
        let t = Tree::new();
        let insp = inspection(&[&t.nanning], false);
        let mut who = inspector(&t.zuzhi);
        who.relatives.push(Relative {
            id: Id::new(),
            relation: Relation::Spouse,
            name: "黄某".into(),
            unit_id: t.nanning_caizheng.id,
        });
        who.relatives.push(Relative {
            id: Id::new(),
            relation: Relation::Child,
            name: "林某".into(),
            unit_id: t.ribao.id,
        });
        let found = check(&t, &who, &insp, &[]);
        assert_eq!(kinds(&found), [ConflictKind::Relative]);
        assert!(found[0].detail.contains("配偶黄某在南宁市财政局工作"));
        assert!(found[0].describe().starts_with("亲属在被巡视单位工作："));
    }

    #[test]
    fn the_same_locality_counts_only_where_a_rule_says_so() {
        let t = Tree::new();
        let localities = [locality(&t.nanning, "南宁市")];
        let mut who = inspector(&t.zuzhi);
        who.locality = "南宁市".into();

        // Routine inspections carry no locality rule by default.
        let routine = inspection(&[&t.nanning_caizheng], false);
        assert!(check(&t, &who, &routine, &localities).is_empty());

        // Cross inspections do; the target inherits its locality from 南宁市委.
        let cross = inspection(&[&t.nanning_caizheng], true);
        let found = check(&t, &who, &cross, &localities);
        assert_eq!(kinds(&found), [ConflictKind::SameLocality]);
        assert!(found[0].detail.contains("南宁市"), "{}", found[0].detail);
        assert!(found[0].detail.contains("交叉巡视"), "{}", found[0].detail);

        // Someone from elsewhere is not concerned.
        who.locality = "柳州市".into();
        assert!(check(&t, &who, &cross, &localities).is_empty());

        // Without a declared locality, the inspector is where their unit is.
        let mut local = inspector(&t.nanning);
        local.post = "干部".into();
        let found = check(&t, &local, &cross, &localities);
        assert!(found.iter().any(|c| c.kind == ConflictKind::SameLocality));

        // A target with no known locality cannot be matched.
        let elsewhere = inspection(&[&t.xuanchuan], true);
        who.locality = "南宁市".into();
        assert!(check(&t, &who, &elsewhere, &localities).is_empty());
    }

    #[test]
    fn the_office_can_turn_the_locality_rule_on_for_other_kinds() {
        let t = Tree::new();
        let localities = [locality(&t.nanning, "南宁市")];
        let units = t.all();
        let mut rules = default_rules();
        for r in &mut rules {
            r.same_locality = r.applies_to == RuleTarget::Routine;
        }
        let ctx = RecusalContext {
            units: &units,
            localities: &localities,
            rules: &rules,
        };
        let mut who = inspector(&t.zuzhi);
        who.locality = "南宁市".into();
        let routine = inspection(&[&t.nanning], false);
        assert_eq!(
            kinds(&conflicts(&who, &routine, &ctx)),
            [ConflictKind::SameLocality]
        );
        let cross = inspection(&[&t.nanning], true);
        // Cross inspections are routine by kind here, so the routine rule still applies.
        assert_eq!(conflicts(&who, &cross, &ctx).len(), 1);
    }

    #[test]
    fn every_target_is_checked_and_a_clean_inspector_has_no_conflict() {
        let t = Tree::new();
        let insp = inspection(&[&t.zuzhi, &t.xuanchuan], false);
        let mut who = inspector(&t.ribao);
        who.past_posts.push(PastPost {
            id: Id::new(),
            unit_id: t.zuzhi.id,
            post: "干部处干部".into(),
            from: date("2001-01-01"),
            to: Some(date("2003-01-01")),
        });
        let found = check(&t, &who, &insp, &[]);
        let targets: Vec<Id> = found.iter().map(|c| c.target_id).collect();
        assert_eq!(targets, [t.zuzhi.id, t.xuanchuan.id]);

        let clean = inspector(&t.nanning_caizheng);
        assert!(check(&t, &clean, &insp, &[]).is_empty());
    }

    #[test]
    fn team_roles_map_to_inspection_scoped_roles() {
        assert_eq!(TeamRole::Leader.role(), Role::TeamLeader);
        assert_eq!(TeamRole::Deputy.role(), Role::TeamDeputy);
        assert_eq!(TeamRole::Member.role(), Role::TeamMember);
        for r in TeamRole::ALL {
            assert_eq!(
                r.role().scope_kind(),
                crate::role::ScopeKind::Inspection,
                "{r:?}"
            );
        }
        assert_eq!(TeamRole::parse("副组长").unwrap(), TeamRole::Deputy);
    }

    #[test]
    fn inputs_name_every_bad_field() {
        let bad = InspectorInput {
            name: " ".into(),
            user: None,
            unit: "".into(),
            post: "".into(),
            specialty: "x".repeat(101),
            locality: String::new(),
        };
        let Err(CoreError::BadInput(f)) = bad.validate() else {
            panic!("accepted")
        };
        let names: Vec<_> = f.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["name", "unit", "post", "specialty"]);

        let post = PastPostInput {
            unit: "组织部".into(),
            post: "处长".into(),
            from: "2018-05-01".into(),
            to: Some("2017-01-01".into()),
        };
        let Err(CoreError::Unfit(f)) = post.validate_as("past_posts[0].") else {
            panic!("accepted")
        };
        assert_eq!(f[0].field, "past_posts[0].to");

        let rel = RelativeInput {
            relation: "邻居".into(),
            name: "某".into(),
            unit: "x".into(),
        };
        let Err(CoreError::BadInput(f)) = rel.validate() else {
            panic!("accepted")
        };
        assert_eq!(f[0].field, "relation");
        let ok = RelativeInput {
            relation: "配偶".into(),
            ..rel
        };
        assert_eq!(ok.validate().unwrap().relation, Relation::Spouse);
    }
}
