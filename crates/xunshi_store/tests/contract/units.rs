//! The organisation tree: creating, reading, listing, editing and withdrawing units.

use std::collections::HashSet;

use xunshi_core::CoreError;
use xunshi_core::Id;
use xunshi_core::org::{UnitInput, UnitKind, UnitLevel};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::store::{UnitFilter, UnitSort, UserFilter, UserSort};

use crate::harness::{
    Svc, all_at_once, audit_len, audit_of_object, bad_fields, every_sort_meets_every_row,
    expect_err, new_unit, new_user, unit_input, user_with_role,
};

fn names(units: &[xunshi_core::org::Unit]) -> Vec<&str> {
    let mut v: Vec<_> = units.iter().map(|u| u.name.as_str()).collect();
    v.sort_unstable();
    v
}

async fn list(s: &Svc, f: UnitFilter) -> Vec<xunshi_core::org::Unit> {
    let page = s
        .list_units(&Actor::system(), &f, PageRequest::first(500))
        .await
        .expect("list units");
    assert!(page.next_cursor.is_none(), "one page holds every unit here");
    page.items
}

pub async fn units_are_created_read_and_filtered(s: Svc) {
    let sys = Actor::system();
    let root = s
        .create_unit(
            &sys,
            &UnitInput {
                name: "  自治区党委 ".into(),
                kind: "committee".into(),
                level: "省级".into(),
                parent_id: None,
            },
        )
        .await
        .expect("create the root unit");
    assert_eq!(root.name, "自治区党委", "the name is stored trimmed");
    assert_eq!(root.kind, UnitKind::Committee);
    assert_eq!(
        root.level,
        UnitLevel::Provincial,
        "a level may be given by its label"
    );
    assert_eq!(root.version, 1);
    assert!(!root.withdrawn);

    let xuanchuan = new_unit(&s, "自治区党委宣传部", Some(root.id)).await;
    let zuzhi = new_unit(&s, "自治区党委组织部", Some(root.id)).await;
    let tongzhan = new_unit(&s, "自治区党委统战部", Some(root.id)).await;
    let media = new_unit(&s, "自治区日报社", Some(xuanchuan.id)).await;
    let school = new_unit(&s, "Xinjiang ABC 学院", None).await;

    let got = s.get_unit(&sys, media.id).await.expect("get a unit");
    assert_eq!(got.name, "自治区日报社");
    assert_eq!(got.parent_id, Some(xuanchuan.id));
    expect_err!(s.get_unit(&sys, Id::new()).await, CoreError::NotFound(_));
    assert_eq!(
        s.resolve_unit(&sys, "自治区党委组织部")
            .await
            .expect("by name")
            .id,
        zuzhi.id
    );
    assert_eq!(
        s.resolve_unit(&sys, &zuzhi.id.to_string())
            .await
            .expect("by id")
            .id,
        zuzhi.id
    );

    let children = list(
        &s,
        UnitFilter {
            parent_id: Some(root.id),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        names(&children),
        ["自治区党委宣传部", "自治区党委组织部", "自治区党委统战部"],
        "the parent filter lists direct children only"
    );

    let found = list(
        &s,
        UnitFilter {
            q: Some("宣传".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        names(&found),
        ["自治区党委宣传部"],
        "Chinese substring search"
    );

    let found = list(
        &s,
        UnitFilter {
            q: Some("abc".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        names(&found),
        ["Xinjiang ABC 学院"],
        "search ignores ASCII case"
    );

    for wildcard in ["%", "_", "\\"] {
        let found = list(
            &s,
            UnitFilter {
                q: Some(wildcard.into()),
                ..Default::default()
            },
        )
        .await;
        assert!(
            found.is_empty(),
            "“{wildcard}” is searched as itself, not as a pattern, yet found {:?}",
            names(&found)
        );
    }

    let all = list(&s, UnitFilter::default()).await;
    assert_eq!(all.len(), 6);

    s.withdraw_unit(&sys, tongzhan.id, 1, "机构改革撤并")
        .await
        .expect("withdraw a unit without children");
    let active = list(&s, UnitFilter::default()).await;
    assert!(
        !active.iter().any(|u| u.id == tongzhan.id),
        "withdrawn units are hidden by default"
    );
    let with_withdrawn = list(
        &s,
        UnitFilter {
            parent_id: Some(root.id),
            include_withdrawn: true,
            ..Default::default()
        },
    )
    .await;
    let shown = with_withdrawn
        .iter()
        .find(|u| u.id == tongzhan.id)
        .expect("include_withdrawn shows the withdrawn unit");
    assert!(shown.withdrawn && shown.version == 2);

    let tree = s.unit_tree(&sys).await.expect("the tree");
    let depth_of = |id| tree.iter().find(|(_, u)| u.id == id).map(|(d, _)| *d);
    assert_eq!(depth_of(root.id), Some(0));
    assert_eq!(depth_of(media.id), Some(2));
    assert_eq!(depth_of(school.id), Some(0));

    for u in [&root, &xuanchuan, &media] {
        let trail = audit_of_object(&s, "unit", u.id).await;
        assert_eq!(
            trail.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
            ["unit_created"],
            "creating {} leaves one record",
            u.name
        );
        assert!(trail[0].summary.contains(&u.name), "{}", trail[0].summary);
    }
    let trail = audit_of_object(&s, "unit", tongzhan.id).await;
    assert_eq!(trail[0].action, "unit_withdrawn", "newest first");
    assert!(
        trail[0].summary.contains("机构改革撤并"),
        "{}",
        trail[0].summary
    );
    assert_eq!(audit_len(&s).await, 7);
}

/// A search for text copied from a unit's name finds the unit, whatever script it is in.
/// Full-width Latin letters are common in Chinese names of companies and schools.
pub async fn unit_search_matches_any_script(s: Svc) {
    let unit = new_unit(&s, "中国ＸＹ集团有限公司", None).await;
    new_unit(&s, "自治区农业农村厅", None).await;
    for q in ["ＸＹ集团", "中国ＸＹ", "ＸＹ"] {
        let found = s
            .list_units(
                &Actor::system(),
                &UnitFilter {
                    q: Some(q.into()),
                    ..Default::default()
                },
                PageRequest::first(10),
            )
            .await
            .expect("search units")
            .items;
        assert_eq!(
            found.iter().map(|u| u.id).collect::<Vec<_>>(),
            [unit.id],
            "searching “{q}” should find “{}”",
            unit.name
        );
    }
}

pub async fn unit_lists_page_by_cursor_without_gaps_or_repeats(s: Svc) {
    let sys = Actor::system();
    let mut created = HashSet::new();
    for i in 1..=23 {
        created.insert(new_unit(&s, &format!("市直单位{i:02}"), None).await.id);
    }
    for other in ["县委办公室", "县政府办公室"] {
        new_unit(&s, other, None).await;
    }

    let filter = UnitFilter {
        q: Some("市直".into()),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut page = PageRequest::first(5);
    loop {
        let p = s.list_units(&sys, &filter, page).await.expect("a page");
        sizes.push(p.items.len());
        seen.extend(p.items.iter().map(|u| u.id));
        match p.next_cursor {
            Some(c) => page.after = Some(c.parse().expect("a cursor is an id")),
            None => break,
        }
        assert!(sizes.len() < 10, "paging does not end");
    }
    assert_eq!(sizes, [5, 5, 5, 5, 3], "page sizes");
    let unique: HashSet<_> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no unit appears on two pages");
    assert_eq!(
        unique, created,
        "every matching unit appears, and nothing else"
    );
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "pages are in id order"
    );

    // A last page that is exactly full does not promise an empty page after it.
    let p = s
        .list_units(&sys, &UnitFilter::default(), PageRequest::first(25))
        .await
        .expect("one full page");
    assert_eq!(p.items.len(), 25);
    assert_eq!(p.next_cursor, None);
}

pub async fn unit_update_needs_the_current_version(s: Svc) {
    let sys = Actor::system();
    let unit = new_unit(&s, "自治区发展改革委", None).await;
    let parent = new_unit(&s, "自治区人民政府", None).await;
    let before_edits = audit_len(&s).await;

    let mut edit = unit_input("自治区发展和改革委员会", Some(parent.id));
    edit.kind = "affiliated".into();
    let updated = s
        .update_unit(&sys, unit.id, 1, &edit)
        .await
        .expect("update with the current version");
    assert_eq!(updated.version, 2, "an update bumps the version");
    assert_eq!(updated.name, "自治区发展和改革委员会");
    assert_eq!(updated.kind, UnitKind::Affiliated);
    assert_eq!(updated.parent_id, Some(parent.id));
    let stored = s.get_unit(&sys, unit.id).await.expect("read back");
    assert_eq!(stored.created_at.as_second(), unit.created_at.as_second());
    assert_eq!(
        (stored.version, stored.name.as_str()),
        (2, "自治区发展和改革委员会")
    );

    // Someone who loaded the form before that edit saves now: refused, nothing overwritten.
    let e = expect_err!(
        s.update_unit(&sys, unit.id, 1, &unit_input("发改委", None))
            .await,
        CoreError::StaleVersion(_)
    );
    assert!(e.to_string().contains("已被他人修改"), "{e}");
    let stored = s.get_unit(&sys, unit.id).await.expect("read back");
    assert_eq!(
        (stored.version, stored.name.as_str(), stored.parent_id),
        (2, "自治区发展和改革委员会", Some(parent.id)),
        "a stale update changes nothing"
    );
    expect_err!(
        s.update_unit(&sys, unit.id, 3, &unit_input("发改委", None))
            .await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.update_unit(&sys, Id::new(), 1, &unit_input("发改委", None))
            .await,
        CoreError::NotFound(_)
    );

    let again = s
        .update_unit(
            &sys,
            unit.id,
            2,
            &unit_input("自治区发展和改革委员会", None),
        )
        .await
        .expect("update with the new version");
    assert_eq!((again.version, again.parent_id), (3, None));

    let trail = audit_of_object(&s, "unit", unit.id).await;
    let actions: Vec<_> = trail.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["unit_updated", "unit_updated", "unit_created"]);
    assert!(
        trail[1].summary.contains("自治区发展改革委")
            && trail[1].summary.contains("自治区发展和改革委员会"),
        "the record shows the name before and after: {}",
        trail[1].summary
    );
    assert_eq!(
        audit_len(&s).await,
        before_edits + 2,
        "refused updates leave no record"
    );
}

pub async fn unit_names_are_unique(s: Svc) {
    let sys = Actor::system();
    let a = new_unit(&s, "自治区教育厅", None).await;
    let b = new_unit(&s, "自治区卫生健康委", None).await;
    let before = audit_len(&s).await;

    let e = expect_err!(
        s.create_unit(&sys, &unit_input("自治区教育厅", None)).await,
        CoreError::Conflict(_)
    );
    assert!(
        e.to_string().contains("自治区教育厅"),
        "the message names the unit: {e}"
    );
    expect_err!(
        s.create_unit(&sys, &unit_input(" 自治区教育厅　", None))
            .await,
        CoreError::Conflict(_)
    );
    expect_err!(
        s.update_unit(&sys, b.id, 1, &unit_input("自治区教育厅", None))
            .await,
        CoreError::Conflict(_)
    );
    assert_eq!(
        audit_len(&s).await,
        before,
        "refused changes leave no record"
    );
    assert_eq!(
        s.get_unit(&sys, b.id).await.expect("read back").name,
        "自治区卫生健康委"
    );

    // Keeping one's own name while changing something else is no conflict.
    let mut same = unit_input("自治区教育厅", None);
    same.level = "city".into();
    let kept = s
        .update_unit(&sys, a.id, 1, &same)
        .await
        .expect("keep the own name");
    assert_eq!(kept.level, UnitLevel::City);
}

pub async fn a_unit_cannot_move_below_itself(s: Svc) {
    let sys = Actor::system();
    let root = new_unit(&s, "市委", None).await;
    let a = new_unit(&s, "市委办公室", Some(root.id)).await;
    let b = new_unit(&s, "市委办公室机要科", Some(a.id)).await;
    let c = new_unit(&s, "市委办公室机要科档案组", Some(b.id)).await;
    let gone = new_unit(&s, "已撤并单位", None).await;
    s.withdraw_unit(&sys, gone.id, 1, "撤并")
        .await
        .expect("withdraw");
    let before = audit_len(&s).await;

    for (target, why) in [
        (c.id, "under its grandchild"),
        (b.id, "under its child"),
        (a.id, "under itself"),
    ] {
        let e = expect_err!(
            s.update_unit(&sys, a.id, 1, &unit_input("市委办公室", Some(target)))
                .await,
            CoreError::BadInput(_)
        );
        assert_eq!(bad_fields(&e), ["parent_id"], "moving {why}");
    }
    let e = expect_err!(
        s.update_unit(&sys, a.id, 1, &unit_input("市委办公室", Some(Id::new())))
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["parent_id"], "an unknown parent");
    let e = expect_err!(
        s.create_unit(&sys, &unit_input("新单位", Some(gone.id)))
            .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["parent_id"], "a withdrawn parent");
    assert_eq!(
        s.get_unit(&sys, a.id).await.expect("read back").parent_id,
        Some(root.id),
        "refused moves change nothing"
    );
    assert_eq!(audit_len(&s).await, before, "refused moves leave no record");

    let moved = s
        .update_unit(
            &sys,
            c.id,
            1,
            &unit_input("市委办公室机要科档案组", Some(root.id)),
        )
        .await
        .expect("moving a unit up the tree is fine");
    assert_eq!(moved.parent_id, Some(root.id));
}

pub async fn a_unit_with_active_children_cannot_be_withdrawn(s: Svc) {
    let sys = Actor::system();
    let parent = new_unit(&s, "县委", None).await;
    let child = new_unit(&s, "县委巡察办", Some(parent.id)).await;
    let before = audit_len(&s).await;

    let e = expect_err!(
        s.withdraw_unit(&sys, parent.id, 1, "撤并").await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("下级单位"), "{e}");
    let e = expect_err!(
        s.withdraw_unit(&sys, child.id, 1, "  ").await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["reason"]);
    assert!(!s.get_unit(&sys, parent.id).await.expect("read").withdrawn);
    assert_eq!(audit_len(&s).await, before, "refusals leave no record");

    let child = s
        .withdraw_unit(&sys, child.id, 1, "职能划转")
        .await
        .expect("withdraw the child first");
    assert!(child.withdrawn && child.version == 2);
    let parent = s
        .withdraw_unit(&sys, parent.id, 1, "撤并")
        .await
        .expect("then the parent, whose children are all withdrawn");
    assert!(parent.withdrawn);
    expect_err!(
        s.withdraw_unit(&sys, parent.id, 2, "再次撤销").await,
        CoreError::RuleRefused(_)
    );
    expect_err!(
        s.withdraw_unit(&sys, parent.id, 1, "过期页面").await,
        CoreError::StaleVersion(_)
    );
    let withdrawals = audit_of_object(&s, "unit", parent.id).await;
    assert_eq!(withdrawals[0].action, "unit_withdrawn");
    assert_eq!(audit_len(&s).await, before + 2);
}

pub async fn only_unit_managers_change_units(s: Svc) {
    let home = new_unit(&s, "自治区党委巡视办", None).await;
    let office = user_with_role(&s, "office.li", Some(&home.name), "office").await;
    let leader = user_with_role(&s, "leader.wang", None, "leadership").await;
    let liaison = user_with_role(&s, "liaison.zhao", Some(&home.name), "unit_liaison").await;

    let made = s
        .create_unit(&office, &unit_input("自治区审计厅", None))
        .await
        .expect("the inspection office manages units");
    let record = &audit_of_object(&s, "unit", made.id).await[0];
    assert_eq!(
        record.actor_name, "office.li",
        "the trail names the real actor"
    );
    assert_eq!(record.actor_id, office.user_id());
    assert_eq!(record.ip.as_deref(), Some("192.0.2.10"));

    for (who, actor) in [("leadership", &leader), ("unit liaison", &liaison)] {
        expect_err!(
            s.create_unit(actor, &unit_input("越权单位", None)).await,
            CoreError::Forbidden(_)
        );
        expect_err!(
            s.update_unit(actor, made.id, 1, &unit_input("越权改名", None))
                .await,
            CoreError::Forbidden(_)
        );
        expect_err!(
            s.withdraw_unit(actor, made.id, 1, "越权").await,
            CoreError::Forbidden(_)
        );
        let seen = s
            .list_units(actor, &UnitFilter::default(), PageRequest::first(10))
            .await
            .unwrap_or_else(|e| panic!("{who} may view units: {e}"));
        assert_eq!(seen.items.len(), 2);
    }
    expect_err!(
        s.list_units(
            &Actor::anonymous(None),
            &UnitFilter::default(),
            PageRequest::first(10)
        )
        .await,
        CoreError::Unauthenticated(_)
    );
    assert_eq!(
        s.get_unit(&Actor::system(), made.id)
            .await
            .expect("read")
            .name,
        "自治区审计厅"
    );
}

/// Two editors saving the same version at the same moment: one wins, the other is told the
/// unit changed, and neither change is silently lost.
pub async fn concurrent_edits_of_one_unit_let_one_win(s: Svc) {
    let unit = new_unit(&s, "自治区市场监管局", None).await;
    let outcomes = all_at_once(6, |i| {
        let s = s.clone();
        async move {
            s.update_unit(
                &Actor::system(),
                unit.id,
                1,
                &unit_input(&format!("自治区市场监督管理局{i}"), None),
            )
            .await
        }
    })
    .await;
    let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let stale = outcomes
        .iter()
        .filter(|o| matches!(o, Err(CoreError::StaleVersion(_))))
        .count();
    assert_eq!(
        (winners.len(), stale),
        (1, 5),
        "one edit wins, the others are stale: {outcomes:?}"
    );
    let stored = s.get_unit(&Actor::system(), unit.id).await.expect("read");
    assert_eq!((stored.version, &stored.name), (2, &winners[0].name));
    assert_eq!(audit_len(&s).await, 2, "one creation, one update");
}

/// What a change returns is what a later read finds: an API client that keeps the returned
/// record (or compares it with a fresh read) must not see its timestamps shift.
pub async fn a_change_returns_what_is_stored(s: Svc) {
    let sys = Actor::system();
    let created = new_unit(&s, "自治区档案馆", None).await;
    let stored = s.get_unit(&sys, created.id).await.expect("read back");
    assert_eq!(
        (stored.created_at, stored.updated_at),
        (created.created_at, created.updated_at),
        "the unit's timestamps as returned by create_unit and as read back"
    );
    let updated = s
        .update_unit(&sys, created.id, 1, &unit_input("自治区档案局", None))
        .await
        .expect("update");
    let stored = s.get_unit(&sys, created.id).await.expect("read back");
    assert_eq!(
        stored.updated_at, updated.updated_at,
        "the unit's updated_at as returned by update_unit and as read back"
    );
}

/// The unit and account lists sort by each of their columns, both ways, keyset-paged from the
/// first page and from the last, with the total counted under the same filter as the rows.
pub async fn unit_and_account_lists_sort_by_every_column(s: Svc) {
    let sys = Actor::system();
    let kinds = ["committee", "department", "affiliated", "lower_committee"];
    let levels = ["provincial", "city", "county"];
    let mut units = Vec::new();
    for i in 0..23 {
        let mut input = unit_input(&format!("单位{:02}", (i * 7) % 23), None);
        input.kind = kinds[i % kinds.len()].to_owned();
        input.level = levels[i % levels.len()].to_owned();
        units.push(s.create_unit(&sys, &input).await.expect("a unit"));
    }
    for u in units.iter_mut().step_by(5) {
        *u = s
            .withdraw_unit(&sys, u.id, u.version, "撤并")
            .await
            .expect("withdrawn");
    }
    let all = UnitFilter {
        include_withdrawn: true,
        ..Default::default()
    };
    every_sort_meets_every_row(
        &units,
        23,
        4,
        |u| u.id,
        |sort: UnitSort, u| sort.key_of(u),
        async |sort, at| {
            s.unit_page(&sys, &all, sort, at, 4)
                .await
                .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
        },
        |u| u.id,
    )
    .await;
    // In force only, and by part of the name: the total is of what the filter lets through.
    let in_force = s
        .unit_page(&sys, &UnitFilter::default(), UnitSort::default(), None, 50)
        .await
        .expect("the units in force");
    assert_eq!(in_force.total, 18);
    assert_eq!(in_force.items.len(), 18);
    let named = s
        .unit_page(
            &sys,
            &UnitFilter {
                q: Some("单位1".into()),
                include_withdrawn: true,
                ..Default::default()
            },
            UnitSort::default(),
            None,
            3,
        )
        .await
        .expect("by name");
    assert_eq!(named.total, 10);
    assert_eq!(named.items.len(), 3);

    let mut users = Vec::new();
    for i in 0..11 {
        let unit = (i % 3 != 0).then(|| units[1 + i % 4].name.clone());
        let u = new_user(
            &s,
            &format!("user{:02}", (i * 5) % 11),
            unit.as_deref(),
            None,
        )
        .await;
        users.push(if i % 4 == 0 {
            s.set_user_disabled(&sys, u.id, u.version, true)
                .await
                .expect("disabled")
        } else {
            u
        });
    }
    every_sort_meets_every_row(
        &users,
        11,
        3,
        |u| u.id,
        |sort: UserSort, u| sort.key_of(u),
        async |sort, at| {
            s.user_page(&sys, &UserFilter::default(), sort, at, 3)
                .await
                .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
        },
        |u| u.id,
    )
    .await;
    let of_unit = s
        .user_page(
            &sys,
            &UserFilter {
                unit_id: Some(units[1].id),
                q: Some("USER".into()),
            },
            UserSort::default(),
            None,
            50,
        )
        .await
        .expect("a unit's accounts");
    assert_eq!(of_unit.total, of_unit.items.len() as i64);
    assert!(
        of_unit.total > 0 && of_unit.items.iter().all(|u| u.unit_id == Some(units[1].id)),
        "{:?}",
        of_unit.items
    );
}
