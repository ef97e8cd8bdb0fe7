//! Accounts and the roles granted to them.

use std::collections::HashSet;

use xunshi_core::page::PageRequest;
use xunshi_core::permission::{Actor, Permission};
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::service::NewGrant;
use xunshi_core::store::{AuditFilter, UserFilter};
use xunshi_core::{CoreError, Id};

use crate::harness::{
    PASSWORD, Svc, actor_of, all_at_once, audit_len, audit_of_object, audit_where, bad_fields,
    expect_err, new_unit, new_user, session_actor, user_input, user_version, user_with_role,
};

fn grant(role: &str, scope: Option<&str>) -> NewGrant {
    NewGrant {
        role: role.to_owned(),
        scope: scope.map(str::to_owned),
    }
}

pub async fn users_are_created_with_unique_names_in_existing_units(s: Svc) {
    let sys = Actor::system();
    let unit = new_unit(&s, "自治区财政厅", None).await;
    let closed = new_unit(&s, "自治区粮食局", None).await;
    s.withdraw_unit(&sys, closed.id, 1, "机构改革")
        .await
        .expect("withdraw");

    let (user, grants) = s
        .create_user(
            &sys,
            &user_input("Wang.Li", "王丽", Some("自治区财政厅")),
            Some(&grant("unit_liaison", None)),
        )
        .await
        .expect("create a user in a unit named in Chinese");
    assert_eq!(user.username, "wang.li", "usernames are stored lower-case");
    assert_eq!(user.display_name, "王丽");
    assert_eq!(user.unit_id, Some(unit.id));
    assert_eq!(user.version, 1);
    assert!(!user.disabled && !user.must_change_password);
    assert_eq!(grants.len(), 1);
    assert_eq!(
        (grants[0].role, grants[0].scope),
        (Role::UnitLiaison, Scope::Unit(unit.id))
    );
    let (stored, stored_grants) = s.get_user(&sys, user.id).await.expect("read back");
    assert_eq!(stored.display_name, "王丽");
    assert_eq!(stored_grants.len(), 1, "the grant was stored with the user");
    assert_eq!(
        s.find_user(&sys, "WANG.LI").await.expect("find by name").id,
        user.id
    );
    let by_id = s
        .create_user(
            &sys,
            &user_input("zhao.min", "", Some(&unit.id.to_string())),
            None,
        )
        .await
        .expect("a unit may be named by its id")
        .0;
    assert_eq!(by_id.unit_id, Some(unit.id));
    assert_eq!(by_id.display_name, "zhao.min", "the display name defaults");

    let before = audit_len(&s).await;
    let users_before = s
        .list_users(&sys, &UserFilter::default(), PageRequest::first(100))
        .await
        .expect("list")
        .items
        .len();
    let e = expect_err!(
        s.create_user(&sys, &user_input("wang.li", "另一个王丽", None), None)
            .await,
        CoreError::Conflict(_)
    );
    assert!(e.to_string().contains("wang.li"), "{e}");
    expect_err!(
        s.create_user(&sys, &user_input("WANG.LI", "另一个王丽", None), None)
            .await,
        CoreError::Conflict(_)
    );
    let e = expect_err!(
        s.create_user(
            &sys,
            &user_input("li.na", "李娜", Some("不存在的单位")),
            None
        )
        .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["unit"]);
    assert!(e.to_string().contains("不存在的单位"), "{e}");
    let e = expect_err!(
        s.create_user(
            &sys,
            &user_input("li.na", "李娜", Some(&Id::new().to_string())),
            None
        )
        .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["unit"]);
    let e = expect_err!(
        s.create_user(
            &sys,
            &user_input("li.na", "李娜", Some("自治区粮食局")),
            None
        )
        .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["unit"], "a withdrawn unit takes no users");
    // Nor does an edit move anyone into one.
    let e = expect_err!(
        s.update_user(&sys, user.id, user.version, "王丽", Some("自治区粮食局"))
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["unit"], "as creation refuses it");
    let mut weak = user_input("li.na", "李娜", None);
    weak.password = "short".into();
    let e = expect_err!(
        s.create_user(&sys, &weak, None).await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["password"]);
    // A refused grant refuses the whole creation: no account without its intended role.
    expect_err!(
        s.create_user(
            &sys,
            &user_input("li.na", "李娜", None),
            Some(&grant("team_member", None))
        )
        .await,
        CoreError::RuleRefused(_)
    );

    assert_eq!(
        audit_len(&s).await,
        before,
        "refused creations leave no record"
    );
    let users_after = s
        .list_users(&sys, &UserFilter::default(), PageRequest::first(100))
        .await
        .expect("list")
        .items
        .len();
    assert_eq!(
        users_after, users_before,
        "refused creations leave no account"
    );

    let trail = audit_of_object(&s, "user", user.id).await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "user_created");
    assert!(
        !trail[0].summary.contains("Correct-Horse"),
        "the trail never holds the password"
    );
    let granted = audit_where(
        &s,
        &AuditFilter {
            object_type: Some("grant".into()),
            object_id: Some(grants[0].id.to_string()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0].action, "grant_added");
}

pub async fn users_are_listed_by_unit_and_by_name(s: Svc) {
    let sys = Actor::system();
    let a = new_unit(&s, "自治区公安厅", None).await;
    let b = new_unit(&s, "自治区司法厅", None).await;
    let mut in_a = HashSet::new();
    for (username, name) in [
        ("zhang.wei", "张伟"),
        ("zhang.min", "张敏"),
        ("liu.yang", "刘洋"),
    ] {
        let u = s
            .create_user(&sys, &user_input(username, name, Some(&a.name)), None)
            .await
            .expect("create");
        in_a.insert(u.0.id);
    }
    for (username, name) in [("chen.jing", "陈静"), ("zhou.jie", "周杰")] {
        s.create_user(&sys, &user_input(username, name, Some(&b.name)), None)
            .await
            .expect("create");
    }
    new_user(&s, "no.unit", None, None).await;

    let list = |f: UserFilter| {
        let s = s.clone();
        async move {
            let mut got: Vec<String> = s
                .list_users(&Actor::system(), &f, PageRequest::first(100))
                .await
                .expect("list users")
                .items
                .into_iter()
                .map(|u| u.username)
                .collect();
            got.sort();
            got
        }
    };
    assert_eq!(
        list(UserFilter {
            unit_id: Some(a.id),
            ..Default::default()
        })
        .await,
        ["liu.yang", "zhang.min", "zhang.wei"]
    );
    assert_eq!(
        list(UserFilter {
            q: Some("张".into()),
            ..Default::default()
        })
        .await,
        ["zhang.min", "zhang.wei"],
        "by part of the display name"
    );
    assert_eq!(
        list(UserFilter {
            q: Some("ZHANG".into()),
            ..Default::default()
        })
        .await,
        ["zhang.min", "zhang.wei"],
        "by part of the username, ignoring case"
    );
    assert_eq!(
        list(UserFilter {
            unit_id: Some(b.id),
            q: Some("静".into()),
        })
        .await,
        ["chen.jing"],
        "filters combine"
    );
    assert!(
        list(UserFilter {
            q: Some("%".into()),
            ..Default::default()
        })
        .await
        .is_empty(),
        "% is no wildcard"
    );

    let mut seen = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let p = s
            .list_users(&sys, &UserFilter::default(), page)
            .await
            .expect("a page");
        assert!(p.items.len() <= 2);
        seen.extend(p.items.into_iter().map(|u| u.id));
        match p.next_cursor {
            Some(c) => page.after = Some(c.parse().expect("cursor")),
            None => break,
        }
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 6, "every user once");
    assert_eq!(unique.len(), 6, "no user twice");
    assert!(in_a.iter().all(|id| unique.contains(id)));
}

pub async fn disabling_a_user_ends_their_sessions(s: Svc) {
    let admin = user_with_role(&s, "admin.ma", None, "admin").await;
    let user = new_user(&s, "sun.li", None, Some("leadership")).await;
    let session = s
        .login_session("sun.li", PASSWORD, None, None)
        .await
        .expect("log in");
    assert!(
        s.resolve_session(&session.token, None)
            .await
            .expect("resolve")
            .is_some()
    );

    let disabled = s
        .set_user_disabled(&admin, user.id, user_version(&s, user.id).await, true)
        .await
        .expect("disable");
    assert!(disabled.disabled);
    assert_eq!(disabled.version, 2);
    // Both actions name the version they were based on: a stale one is refused, changing nothing.
    expect_err!(
        s.set_user_disabled(&admin, user.id, 1, false).await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.reset_password(&admin, user.id, 1, "Stale-Reset-Horse-9", false)
            .await,
        CoreError::StaleVersion(_)
    );
    assert_eq!(user_version(&s, user.id).await, 2, "nothing changed");
    assert!(
        s.resolve_session(&session.token, None)
            .await
            .expect("resolve")
            .is_none(),
        "a disabled user's session no longer works"
    );
    let e = expect_err!(
        s.login_session("sun.li", PASSWORD, None, None).await,
        CoreError::Unauthenticated(_)
    );
    assert!(e.to_string().contains("停用"), "{e}");
    let as_disabled = actor_of(&s, user.id).await;
    assert!(
        !as_disabled.can(Permission::ViewUnits),
        "a disabled account holds no permission, whatever its grants"
    );

    let same = s
        .set_user_disabled(&admin, user.id, user_version(&s, user.id).await, true)
        .await
        .expect("disabling twice is harmless");
    assert_eq!(same.version, 2, "and changes nothing");

    s.set_user_disabled(&admin, user.id, user_version(&s, user.id).await, false)
        .await
        .expect("enable again");
    assert!(
        s.resolve_session(&session.token, None)
            .await
            .expect("resolve")
            .is_none(),
        "the old session was ended, not merely hidden while disabled"
    );
    let fresh = s
        .login_session("sun.li", PASSWORD, None, None)
        .await
        .expect("log in after re-enabling");
    assert!(
        s.resolve_session(&fresh.token, None)
            .await
            .expect("resolve")
            .is_some()
    );

    expect_err!(
        s.set_user_disabled(
            &admin,
            admin.user_id().expect("a user"),
            user_version(&s, admin.user_id().expect("a user")).await,
            true
        )
        .await,
        CoreError::RuleRefused(_)
    );
    let trail: Vec<_> = audit_of_object(&s, "user", user.id)
        .await
        .into_iter()
        .filter(|r| r.action.starts_with("user_"))
        .map(|r| (r.action, r.actor_name))
        .collect();
    assert_eq!(
        trail,
        [
            ("user_enabled".to_owned(), "admin.ma".to_owned()),
            ("user_disabled".to_owned(), "admin.ma".to_owned()),
            ("user_created".to_owned(), "system".to_owned()),
        ]
    );
}

pub async fn grants_are_scoped_unique_and_revocable(s: Svc) {
    let sys = Actor::system();
    let own = new_unit(&s, "自治区水利厅", None).await;
    let other = new_unit(&s, "自治区林草局", None).await;
    let user = new_user(&s, "he.ping", Some(&own.name), None).await;
    let loose = new_user(&s, "no.unit", None, None).await;

    let liaison = s
        .grant_role(&sys, user.id, &grant("unit_liaison", None))
        .await
        .expect("grant a unit role");
    assert_eq!(
        liaison.scope,
        Scope::Unit(own.id),
        "a unit role defaults to the user's own unit"
    );
    let staff = s
        .grant_role(&sys, user.id, &grant("unit_staff", Some("自治区林草局")))
        .await
        .expect("grant a unit role in another unit, by name");
    assert_eq!(staff.scope, Scope::Unit(other.id));
    let second = s
        .grant_role(
            &sys,
            user.id,
            &grant("unit_liaison", Some(&other.id.to_string())),
        )
        .await
        .expect("the same role in another unit is another grant");
    assert_eq!(second.scope, Scope::Unit(other.id));
    let global = s
        .grant_role(&sys, user.id, &grant("discipline", None))
        .await
        .expect("grant a global role");
    assert_eq!(global.scope, Scope::Global);
    let before = audit_len(&s).await;

    let e = expect_err!(
        s.grant_role(&sys, user.id, &grant("team_member", None))
            .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("巡视组"), "{e}");
    expect_err!(
        s.grant_role(&sys, user.id, &grant("unit_liaison", None))
            .await,
        CoreError::Conflict(_)
    );
    expect_err!(
        s.grant_role(&sys, user.id, &grant("unit_liaison", Some("自治区水利厅")))
            .await,
        CoreError::Conflict(_)
    );
    expect_err!(
        s.grant_role(&sys, user.id, &grant("discipline", None))
            .await,
        CoreError::Conflict(_)
    );
    let e = expect_err!(
        s.grant_role(&sys, user.id, &grant("leadership", Some("自治区水利厅")))
            .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["scope"], "a global role takes no scope");
    // The office alone may sit in one committee, and only in a committee.
    let e = expect_err!(
        s.grant_role(&sys, user.id, &grant("office", Some("自治区水利厅")))
            .await,
        CoreError::Unfit(_)
    );
    assert!(format!("{e:?}").contains("不是党委"), "{e:?}");
    let e = expect_err!(
        s.grant_role(&sys, loose.id, &grant("unit_staff", None))
            .await,
        CoreError::BadInput(_)
    );
    assert_eq!(
        bad_fields(&e),
        ["scope"],
        "a user without a unit needs a scope"
    );
    let e = expect_err!(
        s.grant_role(&sys, user.id, &grant("unit_staff", Some("不存在的单位")))
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["scope"]);
    let e = expect_err!(
        s.grant_role(&sys, user.id, &grant("chairman", None)).await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["role"]);
    expect_err!(
        s.grant_role(&sys, Id::new(), &grant("office", None)).await,
        CoreError::NotFound(_)
    );
    assert_eq!(
        audit_len(&s).await,
        before,
        "refused grants leave no record"
    );

    let (_, active) = s.get_user(&sys, user.id).await.expect("read");
    assert_eq!(active.len(), 4);

    s.revoke_grant(&sys, user.id, liaison.id)
        .await
        .expect("revoke");
    let (_, active) = s.get_user(&sys, user.id).await.expect("read");
    let ids: HashSet<_> = active.iter().map(|g| g.id).collect();
    assert_eq!(ids, HashSet::from([staff.id, second.id, global.id]));
    expect_err!(
        s.revoke_grant(&sys, user.id, liaison.id).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.revoke_grant(&sys, loose.id, staff.id).await,
        CoreError::NotFound(_)
    );
    // Once revoked, the role may be granted afresh.
    s.grant_role(&sys, user.id, &grant("unit_liaison", None))
        .await
        .expect("grant again after revoking");

    // A session's holder is read with the active grants only, by id (the revoked one left
    // out), in the one statement that joins them; a user without a grant is held too.
    let (_, active) = s.get_user(&sys, user.id).await.expect("read");
    assert_eq!(active.len(), 4);
    for (who, grants) in [(&user, active), (&loose, Vec::new())] {
        let actor = session_actor(&s, &who.username).await;
        let ids = |g: &[Grant]| g.iter().map(|g| g.id).collect::<Vec<_>>();
        assert_eq!(actor.user_id(), Some(who.id));
        assert_eq!(ids(actor.grants()), ids(&grants));
    }

    let admin = user_with_role(&s, "admin.qin", None, "admin").await;
    let (_, admin_grants) = s
        .get_user(&sys, admin.user_id().expect("user"))
        .await
        .expect("read");
    expect_err!(
        s.revoke_grant(&admin, admin.user_id().expect("user"), admin_grants[0].id)
            .await,
        CoreError::RuleRefused(_)
    );

    let trail = audit_of_object(&s, "grant", liaison.id).await;
    let actions: Vec<_> = trail.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["grant_revoked", "grant_added"]);
}

/// Two administrators pressing “grant” at the same moment must not give the role twice.
pub async fn concurrent_identical_grants_give_one_grant(s: Svc) {
    let unit = new_unit(&s, "自治区民政厅", None).await;
    let user = new_user(&s, "gao.yuan", Some(&unit.name), None).await;
    let outcomes = all_at_once(8, |_| {
        let s = s.clone();
        async move {
            s.grant_role(&Actor::system(), user.id, &grant("unit_liaison", None))
                .await
        }
    })
    .await;
    let granted = outcomes.iter().filter(|o| o.is_ok()).count();
    let conflicts = outcomes
        .iter()
        .filter(|o| matches!(o, Err(CoreError::Conflict(_))))
        .count();
    assert_eq!(
        (granted, conflicts),
        (1, 7),
        "one grant, seven conflicts: {outcomes:?}"
    );
    let (_, active) = s.get_user(&Actor::system(), user.id).await.expect("read");
    assert_eq!(active.len(), 1, "the user holds the role once: {active:?}");
}

pub async fn permissions_follow_granted_roles(s: Svc) {
    let unit = new_unit(&s, "自治区交通运输厅", None).await;
    let admin = user_with_role(&s, "admin.xu", None, "admin").await;
    let office = user_with_role(&s, "office.tang", None, "office").await;
    let leader = user_with_role(&s, "leader.feng", None, "leadership").await;
    let liaison = user_with_role(&s, "liaison.lu", Some(&unit.name), "unit_liaison").await;
    let nobody = actor_of(&s, new_user(&s, "no.role", None, None).await.id).await;

    let (made, _) = s
        .create_user(&admin, &user_input("new.user", "新用户", None), None)
        .await
        .expect("the administrator manages users");
    assert_eq!(
        audit_of_object(&s, "user", made.id).await[0].actor_name,
        "admin.xu"
    );
    for (who, actor) in [
        ("office", &office),
        ("leadership", &leader),
        ("liaison", &liaison),
        ("no role", &nobody),
    ] {
        let e = expect_err!(
            s.create_user(actor, &user_input("sneaky", "越权", None), None)
                .await,
            CoreError::Forbidden(_)
        );
        assert!(e.to_string().contains("管理用户"), "{who}: {e}");
        expect_err!(
            s.grant_role(actor, made.id, &grant("admin", None)).await,
            CoreError::Forbidden(_)
        );
        expect_err!(
            s.set_user_disabled(actor, made.id, user_version(&s, made.id).await, true)
                .await,
            CoreError::Forbidden(_)
        );
        expect_err!(
            s.list_audit(actor, &AuditFilter::default(), PageRequest::first(10))
                .await,
            CoreError::Forbidden(_)
        );
        expect_err!(s.verify_audit(actor).await, CoreError::Forbidden(_));
    }
    for (who, actor) in [("office", &office), ("leadership", &leader)] {
        s.list_users(actor, &UserFilter::default(), PageRequest::first(10))
            .await
            .unwrap_or_else(|e| panic!("{who} may view users: {e}"));
        s.get_user(actor, made.id)
            .await
            .unwrap_or_else(|e| panic!("{who} may view a user: {e}"));
    }
    expect_err!(
        s.list_users(&liaison, &UserFilter::default(), PageRequest::first(10))
            .await,
        CoreError::Forbidden(_)
    );
    expect_err!(s.get_user(&liaison, made.id).await, CoreError::Forbidden(_));
    let (me, my_grants) = s
        .get_user(&liaison, liaison.user_id().expect("user"))
        .await
        .expect("anyone may see their own account");
    assert_eq!(me.username, "liaison.lu");
    assert_eq!(my_grants[0].scope, Scope::Unit(unit.id));
    s.list_audit(&admin, &AuditFilter::default(), PageRequest::first(10))
        .await
        .expect("the administrator reads the trail");
    assert!(
        office.can(Permission::ManageUnits) && !leader.can(Permission::ManageUnits),
        "grants read back from storage carry their roles"
    );
}
