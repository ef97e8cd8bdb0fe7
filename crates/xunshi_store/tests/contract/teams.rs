//! The personnel pool and the teams: recusal screening before appointment, overrides with a
//! reason on record, team roles granted for one inspection and revoked on withdrawal.

use serde_json::Value;
use xunshi_core::access::{Access, inspection_access};
use xunshi_core::inspection::{Inspection, InspectionInput, Stage};
use xunshi_core::org::Unit;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::{
    ConflictKind, Inspector, InspectorInput, NewInspector, PastPostInput, RelativeInput,
    RuleTarget, TeamRole,
};
use xunshi_core::role::{Role, Scope};
use xunshi_core::service::{PlanInput, RoundInput, StageChange, TermInput};
use xunshi_core::store::InspectorFilter;
use xunshi_core::{CoreError, Id};

use crate::harness::{
    Svc, actor_of, audit_of_action, audit_of_object, bad_fields, expect_err, new_unit, new_user,
    user_with_role,
};

/// 自治区党委 ─┬─ 宣传部 ── 日报社
///             ├─ 组织部
///             └─ 南宁市委 ── 南宁市财政局
struct World {
    ribao: Unit,
    zuzhi: Unit,
    nanning: Unit,
    caizheng: Unit,
    /// A routine inspection of 宣传部, in preparation.
    insp: Inspection,
    /// Another inspection, of 组织部.
    other: Inspection,
}

async fn world(s: &Svc) -> World {
    let sys = Actor::system();
    let root = new_unit(s, "自治区党委", None).await;
    let xuanchuan = new_unit(s, "自治区党委宣传部", Some(root.id)).await;
    let ribao = new_unit(s, "自治区日报社", Some(xuanchuan.id)).await;
    let zuzhi = new_unit(s, "自治区党委组织部", Some(root.id)).await;
    let nanning = new_unit(s, "南宁市委", Some(root.id)).await;
    let caizheng = new_unit(s, "南宁市财政局", Some(nanning.id)).await;
    let term = s
        .create_term(
            &sys,
            &TermInput {
                name: "十一届".into(),
                dispatcher: root.id.to_string(),
                starts_on: "2017-01-01".into(),
                ends_on: None,
            },
        )
        .await
        .expect("create a term");
    let plan = s
        .create_plan(
            &sys,
            &PlanInput {
                term_id: term.id.to_string(),
                year: 2019,
                title: "2019年巡视工作计划".into(),
                notes: String::new(),
            },
        )
        .await
        .expect("create a plan");
    let round = s
        .create_round(
            &sys,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 7,
                name: String::new(),
            },
        )
        .await
        .expect("create a round");
    let inspection = |team: &str, target: &Unit, cross: bool| InspectionInput {
        round_id: round.id.to_string(),
        team_name: team.into(),
        targets: vec![target.id.to_string()],
        kind: "routine".into(),
        cross,
        ..Default::default()
    };
    let insp = s
        .create_inspection(&sys, &inspection("第三巡视组", &xuanchuan, false))
        .await
        .expect("create an inspection");
    let insp = s
        .change_stage(
            &sys,
            insp.id,
            &StageChange {
                version: insp.version,
                to: Stage::Preparation,
                date: None,
            },
        )
        .await
        .expect("into preparation");
    let other = s
        .create_inspection(&sys, &inspection("第五巡视组", &zuzhi, false))
        .await
        .expect("create another inspection");
    World {
        ribao,
        zuzhi,
        nanning,
        caizheng,
        insp,
        other,
    }
}

fn person(name: &str, unit: &Unit, user: Option<&str>) -> NewInspector {
    NewInspector {
        fields: InspectorInput {
            name: name.into(),
            user: user.map(str::to_owned),
            unit: unit.id.to_string(),
            post: "处长".into(),
            specialty: "综合".into(),
            locality: String::new(),
        },
        past_posts: Vec::new(),
        relatives: Vec::new(),
    }
}

async fn add(s: &Svc, input: NewInspector) -> Inspector {
    s.create_inspector(&Actor::system(), &input)
        .await
        .unwrap_or_else(|e| panic!("create inspector {}: {e}", input.fields.name))
}

/// An inspector who was deputy editor of 日报社, below the target 宣传部, from 2009 to 2012.
async fn former_editor(s: &Svc, w: &World, user: Option<&str>) -> Inspector {
    let mut input = person("韦立新", &w.nanning, user);
    input.past_posts.push(PastPostInput {
        unit: "自治区日报社".into(),
        post: "副总编辑".into(),
        from: "2009-03-01".into(),
        to: Some("2012-06-30".into()),
    });
    add(s, input).await
}

fn summary(r: &xunshi_core::audit::AuditRecord) -> Value {
    serde_json::from_str(&r.summary).expect("audit summaries are JSON")
}

pub async fn appointing_a_conflicted_inspector_needs_a_reason_on_record(s: Svc) {
    let w = world(&s).await;
    let office = user_with_role(&s, "office1", None, "office").await;
    let x = former_editor(&s, &w, None).await;

    let refused = expect_err!(
        s.appoint(&office, w.insp.id, x.id, TeamRole::Member, None)
            .await,
        CoreError::RuleRefused(_)
    );
    let msg = refused.to_string();
    assert!(msg.contains("韦立新"), "{msg}");
    assert!(msg.contains("曾在被巡视单位任职"), "{msg}");
    assert!(msg.contains("自治区日报社副总编辑"), "{msg}");
    expect_err!(
        s.appoint(&office, w.insp.id, x.id, TeamRole::Member, Some("   "))
            .await,
        CoreError::RuleRefused(_)
    );
    assert!(
        s.team(&office, w.insp.id).await.expect("team").is_empty(),
        "a refused appointment left a member"
    );
    assert!(
        audit_of_action(&s, "team_member_appointed")
            .await
            .is_empty()
    );

    let reason = "该同志离开日报社已逾六年，且熟悉新闻出版业务，经领导小组研究同意";
    let m = s
        .appoint(&office, w.insp.id, x.id, TeamRole::Member, Some(reason))
        .await
        .expect("appointed with a reason");
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.conflicts[0].kind, ConflictKind::PastPost);
    assert_eq!(m.conflicts[0].unit_id, w.ribao.id);
    assert_eq!(m.override_reason.as_deref(), Some(reason));
    assert_eq!(m.appointed_by, office.user_id());
    assert_eq!(m.grant_id, None, "no account, no grant");

    let stored = s.team(&office, w.insp.id).await.expect("team");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].member.conflicts, m.conflicts);
    assert_eq!(stored[0].member.override_reason.as_deref(), Some(reason));
    assert_eq!(stored[0].inspector_name, "韦立新");

    let appointed = audit_of_action(&s, "team_member_appointed").await;
    assert_eq!(appointed.len(), 1);
    assert_eq!(appointed[0].actor_name, "office1");
    let a = summary(&appointed[0]);
    assert_eq!(a["conflicts"][0]["kind"], "past_post");
    assert_eq!(a["override_reason"], reason);
    let overridden = audit_of_action(&s, "recusal_overridden").await;
    assert_eq!(overridden.len(), 1, "the override is on record by itself");
    assert_eq!(overridden[0].object_id, Some(m.id.to_string()));
    let o = summary(&overridden[0]);
    assert_eq!(o["reason"], reason);
    assert!(
        o["conflicts"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("副总编辑"),
        "{o}"
    );
}

pub async fn a_clean_inspector_needs_no_reason_and_none_is_kept(s: Svc) {
    let w = world(&s).await;
    let x = add(&s, person("蒙秋", &w.caizheng, None)).await;
    let m = s
        .appoint(
            &Actor::system(),
            w.insp.id,
            x.id,
            TeamRole::Deputy,
            Some("无需说明"),
        )
        .await
        .expect("appointed");
    assert!(m.conflicts.is_empty());
    assert_eq!(
        m.override_reason, None,
        "a reason without a conflict is moot"
    );
    assert!(audit_of_action(&s, "recusal_overridden").await.is_empty());
}

pub async fn a_team_role_opens_that_inspection_and_nothing_else(s: Svc) {
    let w = world(&s).await;
    let user = new_user(&s, "linxiao", None, None).await;
    let x = add(&s, person("林晓", &w.caizheng, Some("linxiao"))).await;
    assert_eq!(x.user_id, Some(user.id));
    let before = actor_of(&s, user.id).await;
    assert_eq!(inspection_access(&before, &w.insp), Access::None);

    let m = s
        .appoint(&Actor::system(), w.insp.id, x.id, TeamRole::Member, None)
        .await
        .expect("appointed");
    let gid = m.grant_id.expect("an account gets a grant");
    let (_, grants) = s
        .get_user(&Actor::system(), user.id)
        .await
        .expect("the user");
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].id, gid);
    assert_eq!(grants[0].role, Role::TeamMember);
    assert_eq!(grants[0].scope, Scope::Inspection(w.insp.id));
    let added = audit_of_object(&s, "grant", gid).await;
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].action, "grant_added");

    let member = actor_of(&s, user.id).await;
    assert_eq!(inspection_access(&member, &w.insp), Access::TeamMember);
    assert_eq!(
        inspection_access(&member, &w.other),
        Access::None,
        "a team role must not open another inspection"
    );
    let team = s
        .team(&member, w.insp.id)
        .await
        .expect("a member sees the team");
    assert_eq!(team.len(), 1);
    expect_err!(s.team(&member, w.other.id).await, CoreError::NotFound(_));
    expect_err!(
        s.team_candidates(&member, w.insp.id).await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.get_inspector(&member, x.id).await,
        CoreError::Forbidden(_)
    );

    let stale = expect_err!(
        s.withdraw_member(
            &Actor::system(),
            m.inspection_id,
            m.id,
            m.version + 1,
            "工作调整"
        )
        .await,
        CoreError::StaleVersion(_)
    );
    assert!(stale.to_string().contains("林晓"), "{stale}");
    let no_reason = expect_err!(
        s.withdraw_member(&Actor::system(), m.inspection_id, m.id, m.version, " ")
            .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&no_reason), ["reason"]);
    let out = s
        .withdraw_member(
            &Actor::system(),
            m.inspection_id,
            m.id,
            m.version,
            "工作调整，另有任用",
        )
        .await
        .expect("withdrawn");
    assert!(out.withdrawn_at.is_some());
    assert_eq!(out.withdraw_reason.as_deref(), Some("工作调整，另有任用"));
    let (_, grants) = s
        .get_user(&Actor::system(), user.id)
        .await
        .expect("the user");
    assert!(grants.is_empty(), "the grant outlived the appointment");
    let after = actor_of(&s, user.id).await;
    assert_eq!(inspection_access(&after, &w.insp), Access::None);
    let revoked = audit_of_object(&s, "grant", gid).await;
    assert_eq!(revoked[0].action, "grant_revoked", "newest first");
    expect_err!(
        s.withdraw_member(
            &Actor::system(),
            m.inspection_id,
            m.id,
            out.version,
            "再次调出"
        )
        .await,
        CoreError::RuleRefused(_)
    );
    let team = s.team(&Actor::system(), w.insp.id).await.expect("team");
    assert_eq!(team.len(), 1, "the withdrawn appointment stays on record");
    assert!(!team[0].member.active());

    // Appointed again, as leader this time: a fresh grant with the leader's role.
    let again = s
        .appoint(&Actor::system(), w.insp.id, x.id, TeamRole::Leader, None)
        .await
        .expect("appointed again");
    let (_, grants) = s
        .get_user(&Actor::system(), user.id)
        .await
        .expect("the user");
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].role, Role::TeamLeader);
    assert_eq!(Some(grants[0].id), again.grant_id);
    let leader = actor_of(&s, user.id).await;
    assert_eq!(inspection_access(&leader, &w.insp), Access::TeamLead);
    assert_eq!(
        s.team_candidates(&leader, w.insp.id)
            .await
            .expect("the leader sees candidates")
            .len(),
        1
    );
}

pub async fn the_general_grant_path_still_refuses_team_roles(s: Svc) {
    let w = world(&s).await;
    let user = new_user(&s, "wangfang", None, None).await;
    let e = expect_err!(
        s.grant_role(
            &Actor::system(),
            user.id,
            &xunshi_core::service::NewGrant {
                role: "team_member".into(),
                scope: Some(w.insp.id.to_string()),
            },
        )
        .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("组建巡视组"), "{e}");
}

pub async fn a_team_has_one_leader_and_a_person_is_on_it_once(s: Svc) {
    let w = world(&s).await;
    let sys = Actor::system();
    let a = add(&s, person("覃华", &w.caizheng, None)).await;
    let b = add(&s, person("黎明", &w.zuzhi, None)).await;
    let lead = s
        .appoint(&sys, w.insp.id, a.id, TeamRole::Leader, None)
        .await
        .expect("a leader");
    let e = expect_err!(
        s.appoint(&sys, w.insp.id, b.id, TeamRole::Leader, None)
            .await,
        CoreError::Conflict(_)
    );
    assert!(e.to_string().contains("覃华"), "names the leader: {e}");
    expect_err!(
        s.appoint(&sys, w.insp.id, a.id, TeamRole::Member, None)
            .await,
        CoreError::Conflict(_)
    );
    s.appoint(&sys, w.insp.id, b.id, TeamRole::Deputy, None)
        .await
        .expect("a deputy beside the leader");
    // The same person may serve on another team.
    s.appoint(&sys, w.other.id, a.id, TeamRole::Leader, None)
        .await
        .expect("leader of another team");

    s.withdraw_member(&sys, lead.inspection_id, lead.id, lead.version, "另有任用")
        .await
        .expect("withdraw the leader");
    let c = add(&s, person("石磊", &w.caizheng, None)).await;
    s.appoint(&sys, w.insp.id, c.id, TeamRole::Leader, None)
        .await
        .expect("a new leader once the old one left");
}

pub async fn only_the_office_appoints_and_only_while_the_team_can_change(s: Svc) {
    let w = world(&s).await;
    let x = add(&s, person("陆平", &w.caizheng, None)).await;
    let leadership = user_with_role(&s, "viewer", None, "leadership").await;
    let stranger = user_with_role(&s, "discipline1", None, "discipline").await;
    let e = expect_err!(
        s.appoint(&leadership, w.insp.id, x.id, TeamRole::Member, None)
            .await,
        CoreError::Forbidden(_)
    );
    assert!(e.to_string().contains("巡视办"), "{e}");
    expect_err!(
        s.appoint(&stranger, w.insp.id, x.id, TeamRole::Member, None)
            .await,
        CoreError::NotFound(_)
    );
    expect_err!(s.team(&stranger, w.insp.id).await, CoreError::NotFound(_));
    let seen = s
        .team(&leadership, w.insp.id)
        .await
        .expect("the leadership reads");
    assert!(seen.is_empty());
    expect_err!(
        s.team_candidates(&leadership, w.insp.id).await,
        CoreError::Forbidden(_)
    );

    // A team leader may look at candidates but not appoint.
    let lead_user = new_user(&s, "zuzhang", None, None).await;
    let lead = add(&s, person("组长甲", &w.caizheng, Some("zuzhang"))).await;
    s.appoint(&Actor::system(), w.insp.id, lead.id, TeamRole::Leader, None)
        .await
        .expect("a leader");
    let leader = actor_of(&s, lead_user.id).await;
    expect_err!(
        s.appoint(&leader, w.insp.id, x.id, TeamRole::Member, None)
            .await,
        CoreError::Forbidden(_)
    );

    expect_err!(
        s.appoint(
            &Actor::system(),
            w.insp.id,
            Id::new(),
            TeamRole::Member,
            None
        )
        .await,
        CoreError::Unfit(_)
    );

    // Once the report is being written, the team is fixed.
    let sys = Actor::system();
    let mut insp = w.insp.clone();
    for to in [Stage::OnSite, Stage::Reporting] {
        insp = s
            .change_stage(
                &sys,
                insp.id,
                &StageChange {
                    version: insp.version,
                    to,
                    date: None,
                },
            )
            .await
            .expect("move on");
    }
    let e = expect_err!(
        s.appoint(&sys, insp.id, x.id, TeamRole::Member, None).await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("报告"), "{e}");
    assert_eq!(s.team(&sys, insp.id).await.expect("team").len(), 1);
}

pub async fn candidates_are_flagged_by_post_relative_and_locality(s: Svc) {
    let w = world(&s).await;
    let sys = Actor::system();
    let clean = add(&s, person("甘霖", &w.caizheng, None)).await;
    let present = add(&s, person("宣传部干部", &w.ribao, None)).await;
    let mut with_wife = person("农峰", &w.zuzhi, None);
    with_wife.relatives.push(RelativeInput {
        relation: "配偶".into(),
        name: "韦某".into(),
        unit: "自治区党委宣传部".into(),
    });
    let with_wife = add(&s, with_wife).await;
    let editor = former_editor(&s, &w, None).await;

    let list = s
        .team_candidates(&sys, w.insp.id)
        .await
        .expect("candidates");
    assert_eq!(list.len(), 4);
    assert_eq!(
        list[0].inspector.id, clean.id,
        "those without conflicts first"
    );
    let kinds = |id: Id| -> Vec<ConflictKind> {
        list.iter()
            .find(|c| c.inspector.id == id)
            .expect("listed")
            .conflicts
            .iter()
            .map(|c| c.kind)
            .collect()
    };
    assert!(kinds(clean.id).is_empty());
    assert_eq!(kinds(present.id), [ConflictKind::PresentPost]);
    assert_eq!(kinds(with_wife.id), [ConflictKind::Relative]);
    assert_eq!(kinds(editor.id), [ConflictKind::PastPost]);

    // Locality: 南宁市 for 南宁市委 and everything below it.
    let l = s
        .set_unit_locality(&sys, w.nanning.id, 0, " 南宁市 ")
        .await
        .expect("set a locality");
    assert_eq!((l.locality.as_str(), l.version), ("南宁市", 1));
    expect_err!(
        s.set_unit_locality(&sys, w.nanning.id, 0, "柳州市").await,
        CoreError::StaleVersion(_)
    );
    let mut local = person("南宁干部", &w.zuzhi, None);
    local.fields.locality = "南宁市".into();
    let local = add(&s, local).await;
    let cross = s
        .create_inspection(
            &sys,
            &InspectionInput {
                round_id: w.insp.round_id.to_string(),
                team_name: "第八巡视组".into(),
                targets: vec![w.caizheng.id.to_string()],
                kind: "routine".into(),
                cross: true,
                ..Default::default()
            },
        )
        .await
        .expect("a cross inspection");
    let flagged = |list: &[xunshi_core::service::Candidate], id: Id| -> Vec<ConflictKind> {
        list.iter()
            .find(|c| c.inspector.id == id)
            .expect("listed")
            .conflicts
            .iter()
            .map(|c| c.kind)
            .collect()
    };
    let list = s.team_candidates(&sys, cross.id).await.expect("candidates");
    assert_eq!(
        flagged(&list, local.id),
        [ConflictKind::SameLocality],
        "the shipped rule: cross inspections recuse by locality"
    );
    // 甘霖 works at 南宁市财政局 itself: a present post, and the same locality by their unit.
    assert_eq!(
        flagged(&list, clean.id),
        [ConflictKind::PresentPost, ConflictKind::SameLocality]
    );

    // A routine inspection of the same unit does not, until the office says so.
    let routine = s
        .create_inspection(
            &sys,
            &InspectionInput {
                round_id: w.insp.round_id.to_string(),
                team_name: "第九巡视组".into(),
                targets: vec![w.nanning.id.to_string()],
                kind: "routine".into(),
                ..Default::default()
            },
        )
        .await
        .expect("a routine inspection");
    let list = s
        .team_candidates(&sys, routine.id)
        .await
        .expect("candidates");
    assert!(flagged(&list, local.id).is_empty());
    let rules = s.recusal_rules(&sys).await.expect("rules");
    assert_eq!(rules.len(), RuleTarget::ALL.len());
    let on: Vec<_> = rules
        .iter()
        .filter(|r| r.same_locality)
        .map(|r| r.applies_to)
        .collect();
    assert_eq!(on, [RuleTarget::Cross], "the shipped default");
    let routine_rule = rules
        .iter()
        .find(|r| r.applies_to == RuleTarget::Routine)
        .unwrap();
    let office = user_with_role(&s, "office2", None, "office").await;
    let changed = s
        .set_recusal_rule(&office, RuleTarget::Routine, routine_rule.version, true)
        .await
        .expect("the office changes a rule");
    assert_eq!(changed.version, routine_rule.version + 1);
    assert!(changed.updated_at.is_some());
    expect_err!(
        s.set_recusal_rule(&office, RuleTarget::Routine, routine_rule.version, false)
            .await,
        CoreError::StaleVersion(_)
    );
    let leadership = user_with_role(&s, "viewer2", None, "leadership").await;
    expect_err!(
        s.set_recusal_rule(&leadership, RuleTarget::Routine, changed.version, false)
            .await,
        CoreError::Forbidden(_)
    );
    let list = s
        .team_candidates(&sys, routine.id)
        .await
        .expect("candidates");
    assert_eq!(flagged(&list, local.id), [ConflictKind::SameLocality]);
    assert_eq!(audit_of_action(&s, "recusal_rule_changed").await.len(), 1);
    assert_eq!(audit_of_action(&s, "unit_locality_set").await.len(), 1);

    // Those already on the team are marked.
    s.appoint(&sys, w.insp.id, clean.id, TeamRole::Member, None)
        .await
        .expect("appointed");
    let list = s
        .team_candidates(&sys, w.insp.id)
        .await
        .expect("candidates");
    let c = list.iter().find(|c| c.inspector.id == clean.id).unwrap();
    assert_eq!(c.on_team, Some(TeamRole::Member));
}

pub async fn team_members_do_not_see_recusal_findings(s: Svc) {
    let w = world(&s).await;
    let sys = Actor::system();
    let user = new_user(&s, "chengyuan", None, None).await;
    let me = add(&s, person("成员乙", &w.caizheng, Some("chengyuan"))).await;
    let editor = former_editor(&s, &w, None).await;
    s.appoint(&sys, w.insp.id, me.id, TeamRole::Member, None)
        .await
        .expect("appointed");
    s.appoint(
        &sys,
        w.insp.id,
        editor.id,
        TeamRole::Member,
        Some("经研究同意"),
    )
    .await
    .expect("appointed with a reason");

    let office_view = s.team(&sys, w.insp.id).await.expect("team");
    let e = office_view
        .iter()
        .find(|e| e.member.inspector_id == editor.id)
        .unwrap();
    assert_eq!(e.member.conflicts.len(), 1);
    assert_eq!(e.conflicts_now.len(), 1);
    assert!(e.member.override_reason.is_some());

    let member = actor_of(&s, user.id).await;
    let member_view = s.team(&member, w.insp.id).await.expect("team");
    assert_eq!(member_view.len(), 2);
    for e in &member_view {
        assert!(e.member.conflicts.is_empty() && e.conflicts_now.is_empty());
        assert_eq!(e.member.override_reason, None);
    }
}

pub async fn the_pool_keeps_declarations_versions_and_history(s: Svc) {
    let w = world(&s).await;
    let office = user_with_role(&s, "office3", None, "office").await;
    let leadership = user_with_role(&s, "viewer3", None, "leadership").await;

    let mut bad = person("", &w.zuzhi, None);
    bad.fields.unit = String::new();
    bad.past_posts.push(PastPostInput {
        unit: "自治区日报社".into(),
        post: String::new(),
        from: "2012-13-01".into(),
        to: None,
    });
    bad.relatives.push(RelativeInput {
        relation: "同学".into(),
        name: "某".into(),
        unit: "自治区日报社".into(),
    });
    let e = expect_err!(
        s.create_inspector(&office, &bad).await,
        CoreError::BadInput(_)
    );
    assert_eq!(
        bad_fields(&e),
        [
            "name",
            "unit",
            "past_posts[0].post",
            "past_posts[0].from",
            "relatives[0].relation"
        ]
    );
    let mut unknown = person("某甲", &w.zuzhi, None);
    unknown.past_posts.push(PastPostInput {
        unit: "不存在的单位".into(),
        post: "科员".into(),
        from: "2001-01-01".into(),
        to: None,
    });
    let e = expect_err!(
        s.create_inspector(&office, &unknown).await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["past_posts[0].unit"]);
    expect_err!(
        s.create_inspector(&leadership, &person("某乙", &w.zuzhi, None))
            .await,
        CoreError::Forbidden(_)
    );

    let x = former_editor(&s, &w, None).await;
    assert_eq!(x.past_posts.len(), 1);
    let read = s.get_inspector(&leadership, x.id).await.expect("read");
    assert_eq!(read.past_posts, x.past_posts);
    assert_eq!(read.created_at, x.created_at);

    let x = s
        .add_past_post(
            &office,
            x.id,
            x.version,
            &PastPostInput {
                unit: "南宁市财政局".into(),
                post: "科长".into(),
                from: "2003-01-01".into(),
                to: Some("2008-12-31".into()),
            },
        )
        .await
        .expect("add a past post");
    assert_eq!(x.version, 2);
    assert_eq!(
        x.past_posts
            .iter()
            .map(|p| p.post.as_str())
            .collect::<Vec<_>>(),
        ["科长", "副总编辑"],
        "in the order held"
    );
    expect_err!(
        s.add_relative(
            &office,
            x.id,
            1,
            &RelativeInput {
                relation: "child".into(),
                name: "韦某某".into(),
                unit: "自治区党委组织部".into(),
            },
        )
        .await,
        CoreError::StaleVersion(_)
    );
    let x = s
        .add_relative(
            &office,
            x.id,
            x.version,
            &RelativeInput {
                relation: "child".into(),
                name: "韦某某".into(),
                unit: "自治区党委组织部".into(),
            },
        )
        .await
        .expect("add a relative");
    let stored = s.get_inspector(&office, x.id).await.expect("read");
    assert_eq!(stored.relatives.len(), 1);
    assert_eq!(stored.relatives[0].unit_id, w.zuzhi.id);
    assert_eq!(stored.past_posts.len(), 2);
    // The screening sees both: the post under 宣传部, the relative at 组织部.
    let kinds = |s: Svc, inspection: Id, who: Id| async move {
        s.team_candidates(&Actor::system(), inspection)
            .await
            .expect("candidates")
            .into_iter()
            .find(|c| c.inspector.id == who)
            .expect("in the pool")
            .conflicts
            .iter()
            .map(|c| c.kind)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(s.clone(), w.insp.id, x.id).await,
        [ConflictKind::PastPost]
    );
    assert_eq!(
        kinds(s.clone(), w.other.id, x.id).await,
        [ConflictKind::Relative]
    );

    let editor_post = x
        .past_posts
        .iter()
        .find(|p| p.post == "副总编辑")
        .unwrap()
        .id;
    let x = s
        .remove_past_post(&office, x.id, x.version, editor_post)
        .await
        .expect("remove a past post");
    let x = s
        .remove_relative(&office, x.id, x.version, x.relatives[0].id)
        .await
        .expect("remove a relative");
    let stored = s.get_inspector(&office, x.id).await.expect("read");
    assert_eq!(stored.past_posts.len(), 1);
    assert!(stored.relatives.is_empty());
    assert_eq!(stored.version, 5);
    // Taken back, not deleted: the rows stay, withdrawn at the time of the change, and the
    // screening no longer counts them.
    let declared = |s: Svc, table: &'static str, who: Id| async move {
        use sqlx::Row;
        let sql =
            format!("SELECT id, withdrawn_at FROM {table} WHERE inspector_id = $1 ORDER BY id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(who.to_string())
            .fetch_all(&s.store.pool)
            .await
            .expect("read the declarations")
            .iter()
            .map(|r| {
                (
                    r.get::<String, _>("id").parse::<Id>().expect("an id"),
                    r.get::<Option<String>, _>("withdrawn_at"),
                )
            })
            .collect::<Vec<_>>()
    };
    let posts = declared(s.clone(), "inspector_posts", x.id).await;
    assert_eq!(posts.len(), 2, "{posts:?}");
    let (kept, gone): (Vec<_>, Vec<_>) = posts.into_iter().partition(|(_, w)| w.is_none());
    assert_eq!(kept[0].0, stored.past_posts[0].id);
    assert_eq!(gone[0].0, editor_post);
    let relatives = declared(s.clone(), "inspector_relatives", x.id).await;
    assert_eq!(relatives.len(), 1);
    assert!(relatives[0].1.is_some(), "the relative is withdrawn, kept");
    let removed_at: jiff::Timestamp = relatives[0].1.as_deref().unwrap().parse().unwrap();
    assert_eq!(
        removed_at, stored.updated_at,
        "withdrawn with the change that took it back"
    );
    assert!(kinds(s.clone(), w.insp.id, x.id).await.is_empty());
    assert!(kinds(s.clone(), w.other.id, x.id).await.is_empty());

    let history = audit_of_object(&s, "inspector", x.id).await;
    assert_eq!(history.len(), 5, "created and four changes");
    assert!(
        history[1].summary.contains("副总编辑"),
        "the removed post stays in the trail: {}",
        history[1].summary
    );

    // Relatives keep the order declared across withdrawals: a new one comes last.
    let relative = |name: &str| RelativeInput {
        relation: "spouse".into(),
        name: name.into(),
        unit: "南宁市财政局".into(),
    };
    let x = s
        .add_relative(&office, x.id, x.version, &relative("甲"))
        .await
        .expect("add");
    let x = s
        .add_relative(&office, x.id, x.version, &relative("乙"))
        .await
        .expect("add");
    let x = s
        .remove_relative(&office, x.id, x.version, x.relatives[0].id)
        .await
        .expect("remove");
    let x = s
        .add_relative(&office, x.id, x.version, &relative("丙"))
        .await
        .expect("add");
    let stored = s.get_inspector(&office, x.id).await.expect("read");
    assert_eq!(
        stored
            .relatives
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["乙", "丙"]
    );
    assert_eq!(stored.relatives, x.relatives);
    assert_eq!(
        declared(s.clone(), "inspector_relatives", x.id).await.len(),
        4
    );

    // Editing the person's own fields.
    let input = InspectorInput {
        name: "韦立新".into(),
        user: None,
        unit: "自治区党委组织部".into(),
        post: "一级巡视员".into(),
        specialty: "干部监督".into(),
        locality: "柳州市".into(),
    };
    let x = s
        .update_inspector(&office, x.id, x.version, &input)
        .await
        .expect("update");
    assert_eq!((x.unit_id, x.post.as_str()), (w.zuzhi.id, "一级巡视员"));
    expect_err!(
        s.update_inspector(&office, x.id, x.version - 1, &input)
            .await,
        CoreError::StaleVersion(_)
    );

    // Lists filter by name, post or specialty, and by unit.
    let other = add(&s, person("黄海", &w.caizheng, None)).await;
    let found = s
        .list_inspectors(
            &leadership,
            &InspectorFilter {
                q: Some("干部监督".into()),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .expect("list");
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].id, x.id);
    let found = s
        .list_inspectors(
            &leadership,
            &InspectorFilter {
                unit_id: Some(w.caizheng.id),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .expect("list");
    assert_eq!(
        found.items.iter().map(|x| x.id).collect::<Vec<_>>(),
        [other.id]
    );

    // Withdrawn from the pool: refused while on a team, then kept but no longer proposed.
    let m = s
        .appoint(&office, w.insp.id, other.id, TeamRole::Member, None)
        .await
        .expect("appointed");
    expect_err!(
        s.withdraw_inspector(&office, other.id, other.version, "退休")
            .await,
        CoreError::RuleRefused(_)
    );
    s.withdraw_member(&office, m.inspection_id, m.id, m.version, "退休")
        .await
        .expect("withdraw from the team");
    let gone = s
        .withdraw_inspector(&office, other.id, other.version, "退休")
        .await
        .expect("withdraw from the pool");
    assert!(gone.withdrawn);
    let list = s
        .team_candidates(&office, w.insp.id)
        .await
        .expect("candidates");
    assert!(list.iter().all(|c| c.inspector.id != other.id));
    expect_err!(
        s.appoint(&office, w.insp.id, other.id, TeamRole::Member, None)
            .await,
        CoreError::RuleRefused(_)
    );
    let all = s
        .list_inspectors(
            &office,
            &InspectorFilter {
                include_withdrawn: true,
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .expect("list");
    assert_eq!(all.items.len(), 2);
    let memberships = s
        .inspector_memberships(&office, other.id)
        .await
        .expect("memberships");
    assert_eq!(memberships.len(), 1);
    assert!(!memberships[0].active());
}

pub async fn an_account_belongs_to_one_inspector_and_the_grant_follows_it(s: Svc) {
    let w = world(&s).await;
    let sys = Actor::system();
    let old = new_user(&s, "zhangsan", None, None).await;
    let new = new_user(&s, "zhangsan2", None, None).await;
    let x = add(&s, person("张三", &w.caizheng, Some("zhangsan"))).await;
    let e = expect_err!(
        s.create_inspector(&sys, &person("李四", &w.caizheng, Some("zhangsan")))
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["user"]);
    assert!(e.to_string().contains("张三"), "{e}");
    let e = expect_err!(
        s.create_inspector(&sys, &person("李四", &w.caizheng, Some("nobody")))
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["user"]);

    let m = s
        .appoint(&sys, w.insp.id, x.id, TeamRole::Deputy, None)
        .await
        .expect("appointed");
    let mut input = person("张三", &w.caizheng, Some("zhangsan2")).fields;
    input.post = "处长".into();
    s.update_inspector(&sys, x.id, x.version, &input)
        .await
        .expect("relink the account");
    let old_actor = actor_of(&s, old.id).await;
    let new_actor = actor_of(&s, new.id).await;
    assert_eq!(inspection_access(&old_actor, &w.insp), Access::None);
    assert_eq!(inspection_access(&new_actor, &w.insp), Access::TeamLead);
    let team = s.team(&sys, w.insp.id).await.expect("team");
    let moved = &team[0].member;
    assert_ne!(moved.grant_id, m.grant_id);
    assert_eq!(moved.version, m.version + 1);

    // Withdrawing now revokes the new account's grant.
    s.withdraw_member(
        &sys,
        moved.inspection_id,
        moved.id,
        moved.version,
        "工作调整",
    )
    .await
    .expect("withdrawn");
    let new_actor = actor_of(&s, new.id).await;
    assert_eq!(inspection_access(&new_actor, &w.insp), Access::None);
}

/// The pool sorts by every column of its list, both ways, keyset-paged from the first page and
/// from the last, with the total of the filter; those taken out of it are counted only when
/// asked for.
pub async fn the_pool_sorts_by_every_column_both_ways(s: Svc) {
    use xunshi_core::store::InspectorSort;
    let w = world(&s).await;
    let office = user_with_role(&s, "office4", None, "office").await;
    let units = [&w.ribao, &w.zuzhi, &w.nanning, &w.caizheng];
    let posts = ["处长", "副处长", "一级调研员"];
    let specialties = ["综合", "财务审计", "干部监督", "纪检"];
    let mut people = Vec::new();
    for i in 0..10usize {
        let mut input = person(&format!("干部{}", (i * 7) % 10), units[i % 4], None);
        input.fields.post = posts[i % 3].into();
        input.fields.specialty = specialties[(i * 3) % 4].into();
        people.push(add(&s, input).await);
    }
    for x in people.iter_mut().step_by(4) {
        *x = s
            .withdraw_inspector(&office, x.id, x.version, "调离")
            .await
            .expect("taken out of the pool");
    }
    let all = InspectorFilter {
        include_withdrawn: true,
        ..Default::default()
    };
    crate::harness::every_sort_meets_every_row(
        &people,
        10,
        3,
        |x| x.id,
        |sort: InspectorSort, x| sort.key_of(x),
        async |sort, at| {
            s.inspector_page(&office, &all, sort, at, 3)
                .await
                .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
        },
        |x| x.id,
    )
    .await;
    let page = |f: InspectorFilter| {
        let (s, office) = (&s, &office);
        async move {
            s.inspector_page(office, &f, InspectorSort::default(), None, 3)
                .await
                .expect("a page of the pool")
        }
    };
    let in_pool = page(InspectorFilter::default()).await;
    assert_eq!((in_pool.total, in_pool.items.len()), (7, 3));
    let found = page(InspectorFilter {
        q: Some("干部监督".into()),
        include_withdrawn: true,
        ..Default::default()
    })
    .await;
    assert_eq!(found.total, 2);
    let found = page(InspectorFilter {
        q: Some("干部3".into()),
        unit_id: Some(w.zuzhi.id),
        include_withdrawn: true,
    })
    .await;
    assert_eq!(found.total, 1);
    let nobody = actor_of(&s, new_user(&s, "nobody4", None, None).await.id).await;
    expect_err!(
        s.inspector_page(&nobody, &all, InspectorSort::default(), None, 3)
            .await,
        CoreError::Forbidden(_)
    );
}
