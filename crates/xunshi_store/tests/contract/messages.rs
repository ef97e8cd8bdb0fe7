//! In-app messages: written with the hand-over, to whom the to-do's rules name and nobody
//! else; reminders written once per event however many runs there are, at once or in turn;
//! the e-mail outbox claimed by one sender at a time and kept through failures.

use jiff::SignedDuration;
use xunshi_core::Id;
use xunshi_core::disclosure::{DocCollection, DocKind};
use xunshi_core::message::{Message, MessageKind};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::role::{Role, Scope};
use xunshi_core::service::TodoKind;
use xunshi_core::store::{MessageWrite, ReadTx, Store, WriteTx};
use xunshi_core::supervision::FollowUpInput;

use crate::clues::team_user;
use crate::harness::{Svc, TestClock, all_at_once, expect_err, user_with_role};
use crate::rectify::{approved_plan, plan_input, rect_world, task_input};
use crate::supervision::clock_at;

/// The titles of `who`'s unread messages, newest first, and how many there are.
async fn inbox(s: &Svc, who: &Actor) -> (Vec<String>, i64) {
    let inbox = s
        .inbox(who, true, PageRequest::first(100))
        .await
        .expect("the inbox");
    (
        inbox
            .messages
            .items
            .iter()
            .map(|m| m.title.clone())
            .collect(),
        inbox.unread,
    )
}

/// `who`'s unread messages, newest first.
async fn messages(s: &Svc, who: &Actor) -> Vec<Message> {
    s.inbox(who, true, PageRequest::first(100))
        .await
        .expect("the inbox")
        .messages
        .items
}

pub async fn hand_overs_write_messages_to_whom_the_todo_names(mut s: Svc) {
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let r = rect_world(&s).await;
    let w = &r.w;
    let resident = user_with_role(&s, "jw_resident", Some("自治区党委宣传部"), "discipline").await;
    let everyone = [
        &w.office,
        &r.organization,
        &w.discipline,
        &resident,
        &w.leadership,
        &w.lead,
        &w.member,
        &w.principal,
        &w.liaison,
        &w.staff,
    ];
    // What the inspection's earlier steps told them is read: only what follows counts.
    for who in everyone {
        s.mark_all_messages_read(who).await.unwrap();
    }
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for (n, p) in r.problems.iter().enumerate() {
        tasks.push(
            s.add_task(
                &w.liaison,
                plan.id,
                &task_input(p, &format!("措施{n}"), "by", Some("2020-04-15")),
            )
            .await
            .unwrap(),
        );
    }
    // A refused submission (a stale version) hands nothing over.
    expect_err!(
        s.submit_plan(&w.principal, plan.id, plan.version + 7).await,
        xunshi_core::CoreError::StaleVersion(_)
    );
    assert_eq!(inbox(&s, &w.office).await, (vec![], 0));

    let plan = s
        .submit_plan(&w.principal, plan.id, plan.version)
        .await
        .unwrap();
    // The reviewers the to-do names, and only they.
    for who in [&w.office, &r.organization, &w.discipline] {
        let m = messages(&s, who).await;
        assert_eq!(m.len(), 1, "one message each");
        assert_eq!(m[0].title, "整改方案待审核");
        assert_eq!(m[0].kind, MessageKind::Handover);
        assert_eq!(m[0].about, Some(TodoKind::PlanReview));
        assert_eq!(m[0].object_id, Some(plan.id));
        assert!(m[0].read_at.is_none());
    }
    for who in [
        &resident,
        &w.leadership,
        &w.member,
        &w.principal,
        &w.liaison,
        &w.staff,
    ] {
        assert_eq!(inbox(&s, who).await, (vec![], 0), "{:?}", who.name());
    }

    // The decision goes back to whoever speaks for the unit.
    let plan = s
        .review_plan(&w.office, plan.id, plan.version, true, "同意")
        .await
        .unwrap();
    let _ = plan;
    for who in [&w.principal, &w.liaison] {
        assert_eq!(
            inbox(&s, who).await,
            (vec!["整改方案已审核通过".to_owned()], 1)
        );
    }
    assert_eq!(inbox(&s, &w.staff).await, (vec![], 0));
    assert_eq!(inbox(&s, &w.office).await.1, 1, "not told of its own act");

    // A claim goes to the verifiers; with an address, to the outbox as well.
    s.set_user_email(&w.office, w.office.user_id().unwrap(), "office@example.cn")
        .await
        .unwrap();
    let t = &tasks[0];
    s.report_progress(&w.liaison, t.id, t.version, "已完成", 100, true)
        .await
        .unwrap();
    let (titles, unread) = inbox(&s, &w.office).await;
    assert_eq!(titles[0], "整改任务待核查销号");
    assert_eq!(unread, 2);
    // The frame of every page counts them with what waits, in one statement, and names the
    // person's own unit.
    let frame = s.frame_counts(&w.office).await.unwrap();
    assert_eq!(frame.unread, 2);
    assert_eq!(frame.waiting, s.todo(&w.office).await.unwrap().total());
    let own = w.liaison.as_user().and_then(|u| u.unit_id).expect("a unit");
    let mut tx = s.store.read().await.unwrap();
    let named = tx.get_unit(own).await.unwrap().map(|u| u.name);
    assert!(named.is_some());
    assert_eq!(s.frame_counts(&w.liaison).await.unwrap().unit_name, named);
    assert_eq!(inbox(&s, &resident).await, (vec![], 0));

    // Reading marks the reader's own message only; another's is not found.
    let mine = messages(&s, &w.office).await[0].id;
    expect_err!(
        s.mark_message_read(&r.organization, mine).await,
        xunshi_core::CoreError::NotFound(_)
    );
    assert_eq!(inbox(&s, &w.office).await.1, 2);
    s.mark_message_read(&w.office, mine).await.unwrap();
    s.mark_message_read(&w.office, mine).await.unwrap();
    assert_eq!(inbox(&s, &w.office).await.1, 1);
    assert_eq!(s.mark_all_messages_read(&w.office).await.unwrap(), 1);
    assert_eq!(s.frame_counts(&w.office).await.unwrap().unread, 0);
    assert_eq!(inbox(&s, &r.organization).await.1, 2, "theirs stay unread");

    // The outbox holds the one mail; a sender claims it and another finds nothing to send.
    let now = s.now();
    let mut tx = s.store.write().await.unwrap();
    let mails = tx
        .claim_mails(now, now + SignedDuration::from_mins(10), 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].address, "office@example.cn");
    assert_eq!(mails[0].message.id, mine);
    let mut tx = s.store.write().await.unwrap();
    assert!(
        tx.claim_mails(now, now + SignedDuration::from_mins(10), 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed once"
    );
    // A failure is recorded and tried again later; the message stays as it was.
    tx.mail_failed(
        mine,
        "451 try later",
        Some(now + SignedDuration::from_mins(1)),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let later = now + SignedDuration::from_mins(2);
    let mut tx = s.store.write().await.unwrap();
    let again = tx
        .claim_mails(later, later + SignedDuration::from_mins(10), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    tx.mail_sent(mine, later).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.store.write().await.unwrap();
    let far = later + SignedDuration::from_hours(5);
    assert!(
        tx.claim_mails(far, far, 10).await.unwrap().is_empty(),
        "sent once"
    );
    drop(tx);
    let all = s
        .inbox(&w.office, false, PageRequest::first(100))
        .await
        .unwrap();
    assert!(
        all.messages
            .items
            .iter()
            .any(|m| m.id == mine && m.read_at.is_some())
    );
}

pub async fn a_message_of_an_event_reaches_each_recipient_once(s: Svc) {
    let r = rect_world(&s).await;
    let who = r.w.office.user_id().unwrap();
    let m = |id| Message {
        id,
        user_id: who,
        event_key: "task_due:x:2020-04-15".into(),
        kind: MessageKind::Due,
        title: "整改任务已到期".into(),
        body: String::new(),
        about: None,
        object_id: None,
        inspection_id: None,
        created_at: s.now(),
        read_at: None,
    };
    let wrote = all_at_once(4, |_| {
        let s = s.clone();
        let msg = m(Id::new());
        async move {
            let mut tx = s.store.write().await.unwrap();
            let new = tx.insert_message(&msg, Some("a@example.cn")).await.unwrap();
            tx.commit().await.unwrap();
            new
        }
    })
    .await;
    assert_eq!(wrote.iter().filter(|w| **w).count(), 1, "{wrote:?}");
    let of_event = messages(&s, &r.w.office)
        .await
        .into_iter()
        .filter(|m| m.event_key == "task_due:x:2020-04-15")
        .count();
    assert_eq!(of_event, 1);
}

pub async fn reminders_are_written_once_per_deadline_and_day_kind(mut s: Svc) {
    let clock = clock_at(&mut s, "2020-04-10T02:00:00Z");
    let r = rect_world(&s).await;
    let w = &r.w;
    let (_, tasks) = approved_plan(&s, &r, "2020-04-15").await;
    let n = tasks.len();
    s.issue_followup(
        &w.office,
        &FollowUpInput {
            inspection_id: w.insp.id.to_string(),
            unit_id: w.unit.to_string(),
            task_id: None,
            kind: "reminder".into(),
            doc_no: "巡整督〔2020〕1号".into(),
            content: "请加快整改进度。".into(),
            answer_due: Some("2020-04-13".into()),
        },
    )
    .await
    .unwrap();
    let before = inbox(&s, &w.principal).await.0.len();

    // Five days before, within the warning period: one reminder per task and notice for each
    // of the principal and the liaison, however many runs there are at once.
    let runs = all_at_once(3, |_| {
        let s = s.clone();
        async move { s.send_reminders().await.expect("a run") }
    })
    .await;
    assert_eq!(runs.iter().sum::<usize>(), 2 * (n + 1), "{runs:?}");
    assert_eq!(
        s.send_reminders().await.unwrap(),
        0,
        "a second run adds none"
    );
    for who in [&w.principal, &w.liaison] {
        let m = messages(&s, who).await;
        let soon: Vec<_> = m
            .iter()
            .filter(|m| m.kind == MessageKind::DueSoon)
            .collect();
        assert_eq!(soon.len(), n + 1);
        assert!(soon.iter().any(|m| m.title == "督办通知答复即将到期"));
        assert!(soon.iter().any(|m| m.title == "整改任务即将到期"));
    }
    assert_eq!(inbox(&s, &w.principal).await.0.len(), before + n + 1);
    assert!(
        messages(&s, &w.staff).await.is_empty()
            && messages(&s, &w.office)
                .await
                .iter()
                .all(|m| m.kind == MessageKind::Handover || m.kind == MessageKind::Decision),
        "reminders only for who answers for the unit"
    );

    // On the day: the deadline reached, once more per task, and once only.
    *clock.lock().unwrap() = "2020-04-15T01:00:00Z".parse().unwrap();
    let runs = all_at_once(2, |_| {
        let s = s.clone();
        async move { s.send_reminders().await.expect("a run") }
    })
    .await;
    // The notice's answer was due two days ago: reached, within the days still told.
    assert_eq!(runs.iter().sum::<usize>(), 2 * (n + 1), "{runs:?}");
    assert_eq!(s.send_reminders().await.unwrap(), 0);
    let due: Vec<_> = messages(&s, &w.liaison)
        .await
        .into_iter()
        .filter(|m| m.kind == MessageKind::Due)
        .collect();
    assert_eq!(due.len(), n + 1);

    // A day later the same deadlines are not told again.
    *clock.lock().unwrap() = "2020-04-16T01:00:00Z".parse().unwrap();
    assert_eq!(s.send_reminders().await.unwrap(), 0);

    // The upkeep reads the window once a day: the first run of a day writes what is due, the
    // next ones of that day skip it; the next day runs again.
    let note = jiff::civil::date(2020, 4, 20);
    s.issue_followup(
        &w.office,
        &FollowUpInput {
            inspection_id: w.insp.id.to_string(),
            unit_id: w.unit.to_string(),
            task_id: None,
            kind: "reminder".into(),
            doc_no: "巡整督〔2020〕2号".into(),
            content: "请报送整改进展。".into(),
            answer_due: Some(note.to_string()),
        },
    )
    .await
    .unwrap();
    assert_eq!(s.daily_reminders().await.unwrap(), Some(2));
    assert_eq!(s.daily_reminders().await.unwrap(), None);
    *clock.lock().unwrap() = "2020-04-17T01:00:00Z".parse().unwrap();
    assert_eq!(s.daily_reminders().await.unwrap(), Some(0));
}

pub async fn clue_transfers_tell_their_recipient_only_how_many_wait(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let t = crate::clues::transferred(&s).await;
    let w = &t.w;
    let of_clues = |m: &Vec<Message>| -> Vec<Message> {
        m.iter()
            .filter(|m| m.about == Some(TodoKind::ClueDispose))
            .cloned()
            .collect()
    };
    let handed = of_clues(&messages(&s, &w.discipline).await);
    assert_eq!(handed.len(), 1);
    assert_eq!(handed[0].title, "问题线索待处置");
    assert!(
        handed[0].body.contains("移交问题线索2件"),
        "{}",
        handed[0].body
    );
    // Of a clue, nothing: not whom it is about.
    assert!(!handed[0].body.contains("张某某") && !handed[0].body.contains("李某某"));
    assert_eq!(of_clues(&messages(&s, &w.organization).await).len(), 1);
    assert_eq!(of_clues(&messages(&s, &w.culture_staff).await).len(), 1);
    for who in [
        &w.office,
        &w.leadership,
        &w.member,
        &w.other_team,
        &w.unit_principal,
        &w.unit_staff,
    ] {
        assert!(of_clues(&messages(&s, who).await).is_empty());
    }

    // On the handling deadline the bodies with clues still waiting are told, once.
    let due = s.todo(&w.discipline).await.unwrap().groups[0].items[0]
        .due
        .expect("a deadline");
    let day = xunshi_core::service::today(s.now());
    let days = day.until(due).expect("days to the deadline").get_days();
    clock.advance(SignedDuration::from_hours(24 * i64::from(days)));
    let wrote = s.send_reminders().await.unwrap();
    assert!(wrote >= 3, "{wrote}");
    assert_eq!(s.send_reminders().await.unwrap(), 0);
    let told: Vec<_> = of_clues(&messages(&s, &w.discipline).await)
        .into_iter()
        .filter(|m| m.kind == MessageKind::Due)
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].title, "问题线索办理期限已到");
    assert!(told[0].body.contains("尚有2件未办结"), "{}", told[0].body);
    assert!(of_clues(&messages(&s, &w.office).await).is_empty());
}

/// `who`'s reminders of the plan and report clocks, oldest first: title, kind and body.
async fn clock_reminders(s: &Svc, who: &Actor) -> Vec<(String, MessageKind, String)> {
    let mut m: Vec<_> = messages(s, who)
        .await
        .into_iter()
        .filter(|m| m.event_key.starts_with("plan_due") || m.event_key.starts_with("report_due"))
        .map(|m| (m.title, m.kind, m.body))
        .collect();
    m.reverse();
    m
}

/// Everyone of the rectification world but the principal and the liaison, who submit the plan
/// and the reports.
fn not_submitting<'a>(r: &'a crate::rectify::Rect, resident: &'a Actor) -> [&'a Actor; 9] {
    let w = &r.w;
    [
        &w.office,
        &r.organization,
        &w.discipline,
        resident,
        &w.leadership,
        &w.lead,
        &w.member,
        &w.stranger,
        &w.staff,
    ]
}

pub async fn plan_and_report_clocks_remind_who_submits_them(mut s: Svc) {
    // Fed back on 2020-03-25 (巡视): the plan is due in 15 working days (2020-04-16, after the
    // Qingming holiday), the two reports in two months (2020-05-25).
    let clock = clock_at(&mut s, "2020-04-10T02:00:00Z");
    let r = rect_world(&s).await;
    let w = &r.w;
    let resident = user_with_role(&s, "jw_resident", Some("自治区党委宣传部"), "discipline").await;
    for who in [&w.principal, &w.liaison] {
        assert_eq!(clock_reminders(&s, who).await, vec![]);
    }

    // Six days before, within the warning period: the plan, once to each of the principal and
    // the liaison, however many runs there are at once; the reports are not near yet.
    let runs = all_at_once(3, |_| {
        let s = s.clone();
        async move { s.send_reminders().await.expect("a run") }
    })
    .await;
    assert_eq!(runs.iter().sum::<usize>(), 2, "{runs:?}");
    assert_eq!(
        s.send_reminders().await.unwrap(),
        0,
        "a second run adds none"
    );
    let soon = (
        "整改方案报送即将到期".to_owned(),
        MessageKind::DueSoon,
        "第三巡视组反馈意见的整改方案请于 2020-04-16 前报送。".to_owned(),
    );
    for who in [&w.principal, &w.liaison] {
        assert_eq!(clock_reminders(&s, who).await, vec![soon.clone()]);
        let m = messages(&s, who).await;
        let m = m
            .iter()
            .find(|m| m.event_key.starts_with("plan_due"))
            .unwrap();
        assert_eq!(
            m.event_key,
            format!("plan_due_soon:{}:{}:2020-04-16", w.insp.id, w.unit)
        );
        assert_eq!(
            (m.about, m.object_id, m.inspection_id),
            (Some(TodoKind::PlanSubmit), Some(w.unit), Some(w.insp.id)),
            "it is about the unit's plan, to submit"
        );
    }
    for who in not_submitting(&r, &resident) {
        assert_eq!(clock_reminders(&s, who).await, vec![], "{:?}", who.name());
    }

    // On the day: reached, once more each, and once only.
    *clock.lock().unwrap() = "2020-04-16T01:00:00Z".parse().unwrap();
    let runs = all_at_once(2, |_| {
        let s = s.clone();
        async move { s.send_reminders().await.expect("a run") }
    })
    .await;
    assert_eq!(runs.iter().sum::<usize>(), 2, "{runs:?}");
    assert_eq!(s.send_reminders().await.unwrap(), 0);
    let due = (
        "整改方案报送期限已到".to_owned(),
        MessageKind::Due,
        "第三巡视组反馈意见的整改方案报送期限 2020-04-16 已到，请尽快报送。".to_owned(),
    );
    for who in [&w.principal, &w.liaison] {
        assert_eq!(
            clock_reminders(&s, who).await,
            vec![soon.clone(), due.clone()]
        );
    }
    // The days after, the same deadline is not told again.
    *clock.lock().unwrap() = "2020-04-20T01:00:00Z".parse().unwrap();
    assert_eq!(s.send_reminders().await.unwrap(), 0);

    // The reports' day, the plan long past its own: the reports are told (the rectification
    // report alone does not stop their clock), the plan no more.
    submit_report(&s, &w.liaison, w, DocKind::Rectification).await;
    *clock.lock().unwrap() = "2020-05-25T01:00:00Z".parse().unwrap();
    assert_eq!(s.send_reminders().await.unwrap(), 2);
    assert_eq!(s.send_reminders().await.unwrap(), 0);
    for who in [&w.principal, &w.liaison] {
        let told = clock_reminders(&s, who).await;
        assert_eq!(told.len(), 3);
        assert_eq!(
            told[2],
            (
                "整改情况报告报送期限已到".to_owned(),
                MessageKind::Due,
                "第三巡视组反馈意见的整改情况报告和主要负责人组织落实整改情况报告报送期限 2020-05-25 已到，请尽快报送。".to_owned(),
            )
        );
    }
    for who in not_submitting(&r, &resident) {
        assert_eq!(clock_reminders(&s, who).await, vec![], "{:?}", who.name());
    }
}

pub async fn a_plan_or_reports_submitted_are_not_reminded_of(mut s: Svc) {
    let clock = clock_at(&mut s, "2020-04-10T02:00:00Z");
    let r = rect_world(&s).await;
    let w = &r.w;
    // The plan reaches the office before its deadline is near: nothing to tell, then or on
    // its day (its tasks are due at the end of the year).
    approved_plan(&s, &r, "2020-12-31").await;
    assert_eq!(s.send_reminders().await.unwrap(), 0);
    *clock.lock().unwrap() = "2020-04-16T01:00:00Z".parse().unwrap();
    assert_eq!(s.send_reminders().await.unwrap(), 0);

    // A week before the reports are due, the unit is told; both reports in, their day passes
    // untold.
    *clock.lock().unwrap() = "2020-05-18T01:00:00Z".parse().unwrap();
    assert_eq!(s.send_reminders().await.unwrap(), 2);
    for who in [&w.principal, &w.liaison] {
        let told = clock_reminders(&s, who).await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert_eq!(
            (told[0].0.as_str(), told[0].1),
            ("整改情况报告报送即将到期", MessageKind::DueSoon)
        );
    }
    *clock.lock().unwrap() = "2020-05-20T01:00:00Z".parse().unwrap();
    submit_report(&s, &w.liaison, w, DocKind::Rectification).await;
    submit_report(&s, &w.principal, w, DocKind::PrincipalReport).await;
    *clock.lock().unwrap() = "2020-05-25T01:00:00Z".parse().unwrap();
    assert_eq!(s.send_reminders().await.unwrap(), 0);
    for who in [&w.principal, &w.liaison] {
        assert_eq!(clock_reminders(&s, who).await.len(), 1);
    }
}

/// The unit's report of `kind`, assembled and sent to the office by `who`.
async fn submit_report(s: &Svc, who: &Actor, w: &crate::papers::World, kind: DocKind) {
    let d = s
        .draft_rectification_report(who, w.insp.id, w.unit, kind)
        .await
        .expect("drafted");
    s.submit_rect_document(who, d.id, DocCollection::Reports, d.version)
        .await
        .expect("submitted");
}

pub async fn papers_approved_reach_who_signs_them(mut s: Svc) {
    clock_at(&mut s, "2019-10-10T02:00:00Z");
    let w = crate::papers::world(&s).await;
    // Team roles are granted when a team is formed; here they are stored, so that the
    // messages find them.
    let deputy = team_user(&s, "deputy1", Role::TeamDeputy, w.insp.id).await;
    let member = team_user(&s, "member2", Role::TeamMember, w.insp.id).await;
    let other_insp = w.stranger.grants()[0].scope;
    let Scope::Inspection(other_insp) = other_insp else {
        panic!("a team grant");
    };
    let other_deputy = team_user(&s, "deputy4", Role::TeamDeputy, other_insp).await;
    let of_papers = |m: Vec<Message>| -> Vec<Message> {
        m.into_iter()
            .filter(|m| m.about == Some(TodoKind::PaperSign))
            .collect()
    };
    let p = s
        .create_problem(
            &member,
            w.insp.id,
            &crate::papers::paper(crate::papers::POLITICAL, "意识形态工作责任制落实不到位"),
        )
        .await
        .unwrap();
    assert!(
        of_papers(messages(&s, &deputy).await).is_empty(),
        "a draft is not to sign"
    );
    let p = s
        .approve_problem(
            &w.lead,
            p.id,
            &crate::papers::decision(p.version, "组务会审议通过"),
        )
        .await
        .unwrap();
    let told = of_papers(messages(&s, &deputy).await);
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].title, "问题底稿待签批");
    assert_eq!(told[0].kind, MessageKind::Handover);
    assert_eq!(told[0].object_id, Some(p.id));
    assert!(
        told[0].body.contains("意识形态工作责任制落实不到位"),
        "{}",
        told[0].body
    );
    for who in [
        &member,
        &other_deputy,
        &w.office,
        &w.leadership,
        &w.discipline,
        &w.principal,
        &w.liaison,
    ] {
        assert!(
            of_papers(messages(&s, who).await).is_empty(),
            "{:?}",
            who.name()
        );
    }
    // Signed, nothing more is handed over.
    s.sign_problem(&deputy, p.id, &crate::papers::decision(p.version, ""))
        .await
        .unwrap();
    assert_eq!(of_papers(messages(&s, &deputy).await).len(), 1);
    assert!(of_papers(messages(&s, &member).await).is_empty());
}

/// The titles of all `who`'s messages beginning with `prefix`, newest first.
pub async fn titled(s: &Svc, who: &Actor, prefix: &str) -> Vec<String> {
    s.inbox(who, false, PageRequest::first(100))
        .await
        .expect("the inbox")
        .messages
        .items
        .into_iter()
        .filter(|m| m.title.starts_with(prefix))
        .map(|m| m.title)
        .collect()
}

/// An inbox sorts by time (newest first unless told), kind and title, both ways, keyset-paged
/// from the first page and from the last; the total and the text filter are of the recipient's
/// own messages only.
pub async fn an_inbox_sorts_by_every_column_both_ways(s: Svc) {
    use xunshi_core::store::{MessageFilter, MessageSort, MessageSortKey};
    let me = user_with_role(&s, "inbox.owner", None, "office").await;
    let other = user_with_role(&s, "inbox.other", None, "office").await;
    let kinds = [
        MessageKind::Handover,
        MessageKind::Decision,
        MessageKind::DueSoon,
        MessageKind::Due,
    ];
    let mut tx = s.store.write().await.expect("a write transaction");
    let mut mine = Vec::new();
    for i in 0..13 {
        for (who, keep) in [(&me, true), (&other, i % 3 == 0)] {
            if !keep {
                continue;
            }
            let m = Message {
                id: Id::new(),
                user_id: who.user_id().expect("a user"),
                event_key: format!("sort:{i}"),
                kind: kinds[i % kinds.len()],
                title: format!("第{:02}号通知", (i * 5) % 13),
                body: if i % 4 == 0 {
                    "含关键字".into()
                } else {
                    "正文".into()
                },
                about: None,
                object_id: None,
                inspection_id: None,
                created_at: jiff::Timestamp::now(),
                read_at: None,
            };
            assert!(tx.insert_message(&m, None).await.expect("written"));
            if keep && who.user_id() == me.user_id() {
                mine.push(m);
            }
        }
    }
    tx.commit().await.expect("commit");
    let all = MessageFilter::default();
    for &key in MessageSortKey::ALL.iter() {
        for desc in [false, true] {
            let sort = MessageSort { key, desc };
            let mut want: Vec<_> = mine.iter().map(|m| (sort.key_of(m), m.id)).collect();
            want.sort();
            if desc {
                want.reverse();
            }
            let want: Vec<Id> = want.into_iter().map(|(_, id)| id).collect();
            let (fwd, back, totals) = crate::harness::walk_both_ways(
                &sort.code(),
                sort == MessageSort::default(),
                4,
                async |at| {
                    s.inbox_page(&me, &all, sort, at, 4)
                        .await
                        .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
                        .messages
                },
                |m| m.id,
            )
            .await;
            assert_eq!(fwd, want, "forward under {}", sort.code());
            assert_eq!(back, want, "back under {}", sort.code());
            assert!(totals.iter().all(|t| *t == 13), "{}", sort.code());
        }
    }
    let found = s
        .inbox_page(
            &me,
            &MessageFilter {
                unread_only: true,
                q: Some("关键字".into()),
            },
            MessageSort::default(),
            None,
            50,
        )
        .await
        .expect("by text");
    assert_eq!(found.messages.total, 4);
    assert_eq!(found.unread, 13);
    assert!(found.messages.items.iter().all(|m| m.body == "含关键字"));
}
