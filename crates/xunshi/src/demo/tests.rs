//! The demo loaded on a pinned day: the seed carries its own dates, the trail verifies and runs
//! forward in time, and the current round's clocks are live around the pinned day.

use std::sync::Arc;

use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use xunshi_core::deadline::{Clock, Colour};
use xunshi_core::filing::{FilingKind, FilingStatus};
use xunshi_core::inspection::Stage;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::{
    ClueListFilter, FilingQuery, LedgerFilter, Services, TodoKind, VerifyOutcome,
};
use xunshi_core::store::patterns::ClusterScope;
use xunshi_core::store::{InspectionFilter, ReadTx, Store};
use xunshi_core::{CoreError, Id};
use xunshi_store::{Argon2Secrets, Db, LocalBlobs};

use super::as_user;

/// The day the tests load the demo on.
const TODAY: Date = date(2026, 12, 3);

/// A database in a folder of its own, with the services reading the time at noon of `today`
/// in Beijing once the demo is loaded.
async fn services(dir: &tempfile::TempDir, today: Date) -> Services<Db> {
    let db = Db::open(&xunshi_store::sqlite_url(dir.path()), 4)
        .await
        .expect("open the database");
    let cipher = xunshi_store::FieldCipher::load(
        &db,
        &dir.path().join("xunshi.key"),
        xunshi_core::crypto::Suite::Standard,
    )
    .await
    .expect("the key file");
    let mut s = Services::new(db, Arc::new(Argon2Secrets::new()))
        .with_blobs(Arc::new(LocalBlobs::new(dir.path().join("blobs"))))
        .with_cipher(Arc::new(cipher));
    let noon = today
        .at(12, 0, 0, 0)
        .to_zoned_datetime(TimeZone::get("Asia/Shanghai").expect("the zone"))
        .expect("noon in Beijing")
        .timestamp();
    s.clock = Arc::new(move || noon);
    s
}

async fn loaded(dir: &tempfile::TempDir) -> Services<Db> {
    loaded_with(dir).await.0
}

/// The loaded demo and what it tells whoever started it.
async fn loaded_with(dir: &tempfile::TempDir) -> (Services<Db>, super::Loaded) {
    let s = services(dir, TODAY).await;
    let loaded = super::load(&s, TODAY).await.expect("the demo loads");
    (s, loaded)
}

/// The inspection of `team`, as the office finds it.
async fn inspection(s: &Services<Db>, office: &Actor, team: &str) -> Id {
    let page = s
        .list_inspections(office, &InspectionFilter::default(), PageRequest::first(50))
        .await
        .expect("list inspections");
    page.items
        .into_iter()
        .find(|i| i.team_name == team)
        .unwrap_or_else(|| panic!("no inspection of {team}"))
        .id
}

fn beijing_day(t: jiff::Timestamp) -> Date {
    xunshi_core::service::today(t)
}

#[tokio::test]
async fn the_seed_inspection_carries_the_days_it_happened() {
    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    let office = as_user(&s, "office").await.unwrap();
    let seed = inspection(&s, &office, "第三巡视组").await;

    let (insp, _) = s.get_inspection(&office, seed).await.unwrap();
    assert_eq!(beijing_day(insp.created_at), date(2019, 8, 20), "planned");
    assert_eq!(insp.dates.entry, Some(date(2019, 9, 18)));
    assert_eq!(insp.dates.exit, Some(date(2019, 12, 18)));
    assert_eq!(insp.dates.feedback, Some(date(2020, 3, 25)));

    let team = s.team(&office, seed).await.unwrap();
    assert_eq!(team.len(), 4, "the four appointed");
    for member in &team {
        assert_eq!(
            beijing_day(member.member.appointed_at),
            date(2019, 9, 5),
            "{} appointed in September 2019",
            member.inspector_name
        );
    }

    let lead = as_user(&s, "teamlead").await.unwrap();
    let problems = s
        .list_problems(&lead, seed, &Default::default())
        .await
        .unwrap();
    assert_eq!(problems.len(), 10);
    for p in &problems {
        let detail = s.get_problem(&lead, p.id).await.unwrap().problem;
        let signed = detail.signed.expect("every paper is signed");
        assert_eq!(beijing_day(signed.at), date(2019, 11, 22), "{}", p.title);
        let created = beijing_day(detail.created.at);
        assert!(
            (date(2019, 9, 18)..=date(2019, 11, 22)).contains(&created),
            "{} written on site, not on {created}",
            p.title
        );
    }

    // The discipline commission reported on both its clues in 2020: no seed clock runs today.
    let discipline = as_user(&s, "discipline").await.unwrap();
    let clues = s
        .list_clues(
            &discipline,
            &ClueListFilter {
                inspection_id: Some(seed),
                ..Default::default()
            },
            PageRequest::first(10),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(clues.len(), 2, "the discipline commission's two");
    for c in &clues {
        assert_eq!(c.clock, Some(xunshi_core::clue::ClockColour::Done));
        assert_eq!(
            beijing_day(c.clue.created_at).year(),
            2019,
            "registered on site"
        );
    }

    let feedback = s.get_feedback(&office, seed).await.unwrap().unwrap();
    let given = feedback.given.expect("the feedback is given");
    assert_eq!(beijing_day(given.at), date(2020, 3, 25));
}

#[tokio::test]
async fn the_seed_ledger_keeps_one_overdue_task_of_ten_whatever_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    let office = as_user(&s, "office").await.unwrap();
    let seed = inspection(&s, &office, "第三巡视组").await;
    let tasks = s
        .list_tasks(
            &office,
            &LedgerFilter {
                inspection_id: Some(seed),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(tasks.len(), 10);
    let closed = tasks
        .iter()
        .filter(|t| t.task.status == xunshi_core::rectify::TaskStatus::Closed)
        .count();
    let red = tasks.iter().filter(|t| t.colour == Colour::Red).count();
    assert_eq!((closed, red), (6, 1), "six closed, one overdue");
    assert!(
        tasks
            .iter()
            .filter(|t| t.task.status == xunshi_core::rectify::TaskStatus::Closed)
            .all(|t| t.colour == Colour::Green),
        "each closed before its deadline, none closed late"
    );
    // Progress is dated when it was reported: in 2020, years before the pinned day.
    for t in &tasks {
        if let Some(latest) = &t.latest {
            assert_eq!(beijing_day(latest.at).year(), 2020, "{}", t.task.measure);
        }
    }
}

#[tokio::test]
async fn the_trail_of_the_demo_verifies_and_runs_forward_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    match s.verify_audit(&Actor::system()).await.unwrap() {
        VerifyOutcome::Whole { records } => assert!(records > 100, "{records} records"),
        VerifyOutcome::Broken(fault) => panic!("the demo's trail is broken: {fault}"),
    }
    let mut tx = s.store.read().await.unwrap();
    let mut after = 0;
    let mut times = Vec::new();
    loop {
        let batch = tx.audit_in_order(after, 1000).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.seq;
        times.extend(batch.into_iter().map(|r| r.at));
    }
    let parsed: Vec<jiff::Timestamp> = times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(
        parsed.windows(2).all(|w| w[0] <= w[1]),
        "the records' times follow their order"
    );
    assert_eq!(beijing_day(parsed[0]), date(2019, 8, 1), "the first record");
    assert!(
        beijing_day(*parsed.last().unwrap()) < TODAY,
        "nothing is dated on or after the day it was loaded"
    );
}

#[tokio::test]
async fn the_current_round_shows_every_colour_around_the_day_it_was_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    let office = as_user(&s, "office").await.unwrap();
    let first = inspection(&s, &office, "第一巡视组").await;
    let tasks = s
        .list_tasks(
            &office,
            &LedgerFilter {
                inspection_id: Some(first),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .unwrap()
        .items;
    let open = |c: Colour| {
        tasks
            .iter()
            .filter(|t| t.colour == c && t.task.status != xunshi_core::rectify::TaskStatus::Closed)
            .count()
    };
    assert!(open(Colour::Green) >= 1, "an open task not yet close");
    assert!(
        open(Colour::Yellow) >= 1,
        "a task within the warning period"
    );
    assert!(open(Colour::Red) >= 1, "an overdue task");

    // The second unit was fed back a few weeks ago: its plan is due within the week.
    let second = inspection(&s, &office, "第二巡视组").await;
    let clocks = s.inspection_clocks(&office, second).await.unwrap();
    let plan = clocks
        .iter()
        .find(|c| c.clock == Clock::PlanDue)
        .expect("a plan clock");
    let due = plan.due.expect("the plan's due date is known");
    assert!(
        due > TODAY && (due - TODAY).get_days() <= 7,
        "the plan is due within the week, not on {due}"
    );
    assert_eq!(plan.colour, Some(Colour::Yellow));
    assert!(!plan.done);
    // Its liaison finds the plan to submit on the first screen, with that deadline.
    let education = as_user(&s, "education").await.unwrap();
    let todo = s.todo(&education).await.unwrap();
    let waiting = todo
        .groups
        .iter()
        .find(|g| g.kind == TodoKind::PlanSubmit)
        .expect("the plan waits for the liaison");
    assert_eq!(waiting.items[0].due, Some(due));
    assert_eq!(waiting.items[0].colour, Some(Colour::Yellow));

    // Its clue is with the discipline commission, within its handling period.
    let discipline = as_user(&s, "discipline").await.unwrap();
    let clues = s
        .list_clues(
            &discipline,
            &ClueListFilter {
                inspection_id: Some(second),
                ..Default::default()
            },
            PageRequest::first(10),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(clues.len(), 1);
    assert_eq!(
        clues[0].clock,
        Some(xunshi_core::clue::ClockColour::Green),
        "transferred within the fortnight, three months to handle it"
    );
}

/// The plan clock of the second unit, loaded on `today`.
async fn second_plan_clock(today: Date) -> xunshi_core::supervision::ClockView {
    let dir = tempfile::tempdir().unwrap();
    let s = services(&dir, today).await;
    super::load(&s, today)
        .await
        .unwrap_or_else(|e| panic!("the demo loads on {today}: {e}"));
    let office = as_user(&s, "office").await.unwrap();
    let second = inspection(&s, &office, "第二巡视组").await;
    s.inspection_clocks(&office, second)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.clock == Clock::PlanDue)
        .expect("a plan clock")
}

#[tokio::test]
async fn every_day_of_december_2026_places_a_plan_due_within_the_week() {
    // The shipped calendar ends with 2026: loaded late in December, the plan clock may run
    // into 2027, where it is counted by weekends and marked provisional.
    for day in [1, 17, 24, 28, 31] {
        let today = date(2026, 12, day);
        let plan = second_plan_clock(today).await;
        let due = plan.due.expect("the plan's due date is known");
        assert!(
            due >= today && (due - today).get_days() <= 7,
            "loaded on {today}, the plan falls due on {due}"
        );
        assert_eq!(plan.colour, Some(Colour::Yellow), "loaded on {today}");
        assert_eq!(
            plan.provisional.is_some(),
            due.year() == 2027,
            "loaded on {today}: provisional exactly past the calendar ({due})"
        );
    }
}

#[tokio::test]
async fn a_day_too_early_for_the_round_to_follow_the_seed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let today = date(2021, 6, 1);
    let s = services(&dir, today).await;
    let err = super::load(&s, today).await.expect_err("refused");
    assert!(
        matches!(err, CoreError::RuleRefused(_)) && err.to_string().contains("2021-01-22"),
        "{err}"
    );
    assert!(super::is_empty(&s).await.unwrap(), "nothing was written");
}

#[tokio::test]
async fn a_day_past_the_calendar_places_the_round_with_provisional_clocks() {
    // The shipped calendar ends with 2026: in 2027 the round's working-day clocks are counted
    // by weekends and say so.
    let today = date(2027, 3, 1);
    let plan = second_plan_clock(today).await;
    let due = plan.due.expect("a provisional date");
    assert!(due >= today && (due - today).get_days() <= 7, "{due}");
    assert_eq!(plan.colour, Some(Colour::Yellow));
    assert!(
        plan.provisional
            .as_deref()
            .is_some_and(|r| r.contains("2027")),
        "{:?}",
        plan.provisional
    );
}

#[tokio::test]
async fn the_demo_accounts_are_mailed_what_happens_from_the_day_it_was_loaded() {
    use xunshi_core::store::{MessageWrite, WriteTx};
    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    let system = Actor::system();
    for (username, ..) in super::ACCOUNTS {
        let user = s.find_user(&system, username).await.unwrap();
        assert_eq!(
            s.user_email(&system, user.id).await.unwrap(),
            Some(format!("{username}@{}", super::DEMO_MAIL_DOMAIN)),
        );
    }
    let claim = || async {
        let mut tx = s.store.write().await.unwrap();
        let now = s.now();
        let mails = tx
            .claim_mails(now, now + jiff::SignedDuration::from_mins(5), 500)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        mails
    };
    assert!(
        claim().await.is_empty(),
        "the story's own messages are not mailed"
    );
    // The current round has deadlines within the warning period: the day's reminders go to
    // the inbox and, through the outbox, to the unit's addresses.
    let written = s.send_reminders().await.unwrap();
    assert!(written > 0, "the live round has reminders on the day");
    let mails = claim().await;
    assert_eq!(mails.len(), written);
    assert!(
        mails
            .iter()
            .all(|m| m.address.ends_with(super::DEMO_MAIL_DOMAIN)),
        "{:?}",
        mails.iter().map(|m| &m.address).collect::<Vec<_>>()
    );
}

/// The seed's days on site.
fn on_site(d: Date) -> bool {
    (date(2019, 9, 18)..=date(2019, 12, 18)).contains(&d)
}

#[tokio::test]
async fn the_seed_inspection_has_its_fieldwork_on_its_days() {
    use xunshi_core::fieldwork::{
        CitingKind, DocRequestStatus, FieldMethod, LetterScope, LetterStatus, SourceKind, TalkGroup,
    };
    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    let office = as_user(&s, "office").await.unwrap();
    let seed = inspection(&s, &office, "第三巡视组").await;
    let lead = as_user(&s, "teamlead").await.unwrap();

    let a = s
        .announcement(&office, seed)
        .await
        .unwrap()
        .expect("the entry announcement");
    assert_eq!(
        (a.opens_on, a.closes_on),
        (date(2019, 9, 18), date(2019, 12, 18))
    );
    assert!(!a.hotline.is_empty() && !a.postal_box.is_empty() && !a.email.is_empty());
    assert!(a.scope.contains("转交"), "what is passed on: {}", a.scope);
    assert!(
        beijing_day(a.updated_at) < date(2019, 9, 18),
        "published before entry"
    );

    let letters = s
        .letters_page(&lead, seed, &Default::default(), PageRequest::first(50))
        .await
        .unwrap()
        .items;
    assert!(letters.len() >= 5, "{} letters", letters.len());
    assert!(letters.iter().all(|l| on_site(l.received_on)));
    assert!(letters.iter().any(|l| l.anonymous) && letters.iter().any(|l| l.has_writer()));
    let first = letters.iter().find(|l| l.number == 1).unwrap();
    assert!(
        letters.iter().any(|l| l.duplicate_of == Some(first.id)),
        "a letter repeating the first"
    );
    let passed: Vec<_> = letters
        .iter()
        .filter(|l| l.scope == LetterScope::PassedOn)
        .collect();
    assert_eq!(passed.len(), 1);
    assert!(passed[0].passed_to.contains("信访局") && !passed[0].passed_letter.is_empty());
    for l in &letters {
        assert_eq!(
            l.status,
            LetterStatus::Closed,
            "closed before leaving: {}",
            l.number
        );
        assert!(!l.disposition.is_empty(), "letter {}", l.number);
        assert!(
            l.scope == LetterScope::PassedOn || l.discipline.is_some(),
            "letter {} is classified",
            l.number
        );
    }
    // The member appointed to handle letters opens a writer's name; the leader, not appointed,
    // may not.
    let member = as_user(&s, "teammember").await.unwrap();
    let writer = s
        .reveal_writer(&member, first.id, "核实反映问题需要联系反映人")
        .await
        .unwrap();
    assert_eq!(writer.name, "黎建华");
    assert!(s.reveal_writer(&lead, first.id, "查看").await.is_err());

    let talks = s
        .talks_page(&lead, seed, PageRequest::first(50))
        .await
        .unwrap()
        .items;
    assert!(talks.len() >= 8, "{} talks", talks.len());
    for t in &talks {
        assert!(t.inspector_ids.len() >= 2, "{}", t.interviewee_name);
        assert!(on_site(t.talked_on), "{}", t.interviewee_name);
    }
    let opened = s.talk_detail(&lead, talks[0].id).await.unwrap();
    assert!(opened.text.contains("问："), "the record opens");
    let coverage = s.talk_coverage(&lead, seed).await.unwrap();
    let group = |g: TalkGroup| {
        let c = coverage.groups.iter().find(|c| c.group == g).unwrap();
        (c.planned, c.held)
    };
    let (planned, held) = group(TalkGroup::Leadership);
    assert!(planned > 0 && held == planned, "the whole leadership heard");
    let (planned, held) = group(TalkGroup::DepartmentHead);
    assert!(0 < held && held < planned, "the departments in part");

    let liaison = as_user(&s, "liaison").await.unwrap();
    let docs = s
        .doc_requests_page(&liaison, seed, PageRequest::first(50))
        .await
        .unwrap()
        .items;
    assert!(
        !docs.is_empty(),
        "the liaison sees the requests to the unit"
    );
    for d in &docs {
        let r = &d.request;
        assert_eq!(r.status, DocRequestStatus::Returned);
        let (delivered, returned) = (r.delivered_on.unwrap(), r.returned_on.unwrap());
        assert!(r.sent_on <= delivered && delivered <= returned && on_site(returned));
    }

    let records = s
        .field_records_page(&lead, seed, PageRequest::first(50))
        .await
        .unwrap()
        .items;
    let appraisal = records
        .iter()
        .find(|r| r.method == FieldMethod::Appraisal)
        .expect("a democratic appraisal");
    assert!(appraisal.forms_back.unwrap() <= appraisal.forms_out.unwrap());
    assert!(records.iter().any(|r| r.method == FieldMethod::Forum));
    let tally = s.field_record_detail(&lead, appraisal.id).await.unwrap();
    let sheet = &tally.files[0];
    assert!(sheet.filename.ends_with(".xlsx"), "{}", sheet.filename);
    let (_, bytes) = s.fieldwork_file(&lead, sheet.id).await.unwrap();
    assert!(bytes.starts_with(b"PK"), "a workbook");

    let papers = s
        .list_problems(&lead, seed, &Default::default())
        .await
        .unwrap();
    let funds = papers
        .iter()
        .find(|p| p.title.contains("资金项目监管"))
        .unwrap();
    let cited = s
        .sources_of(&lead, CitingKind::Problem, funds.id)
        .await
        .unwrap();
    for kind in [
        SourceKind::Letter,
        SourceKind::Talk,
        SourceKind::DocRequest,
        SourceKind::FieldRecord,
    ] {
        assert!(
            cited.iter().any(|c| c.source_kind == kind),
            "the funds paper cites a {kind:?}"
        );
    }
    for p in &papers {
        let cited = s
            .sources_of(&lead, CitingKind::Problem, p.id)
            .await
            .unwrap();
        assert!(!cited.is_empty(), "{} rests on fieldwork", p.title);
    }
}

#[tokio::test]
async fn the_team_on_site_is_on_the_public_page_with_an_anonymous_letter() {
    use xunshi_core::fieldwork::LetterStatus;
    let dir = tempfile::tempdir().unwrap();
    let (s, loaded) = loaded_with(&dir).await;
    let office = as_user(&s, "office").await.unwrap();
    let fourth = inspection(&s, &office, "第四巡视组").await;
    let (insp, _) = s.get_inspection(&office, fourth).await.unwrap();
    assert_eq!(insp.stage, Stage::OnSite);

    let public = s.public_inspections().await.unwrap();
    assert_eq!(
        public.iter().map(|p| p.inspection_id).collect::<Vec<_>>(),
        vec![fourth],
        "only the team on site takes letters today"
    );
    assert!(public[0].announcement.open_on(TODAY));

    let status = s.public_letter_status(&loaded.receipt).await.unwrap();
    assert_eq!(status.team_name, "第四巡视组");
    assert_eq!(status.status, LetterStatus::Received);
    assert!(
        status.received_on < TODAY,
        "written before the day of loading"
    );

    let lead = as_user(&s, "teamlead").await.unwrap();
    let letters = s
        .letters_page(&lead, fourth, &Default::default(), PageRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(letters.len(), 1);
    assert!(letters[0].from_public && letters[0].anonymous && !letters[0].has_writer());
}

#[tokio::test]
async fn the_names_of_writers_and_the_talks_are_not_in_the_database_file_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    // Close the pool so that what it wrote is in the files, checkpointed or in the log.
    s.store.close().await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("xunshi.db") {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    let holds = |text: &str| {
        let needle = text.as_bytes();
        bytes.windows(needle.len()).any(|w| w == needle)
    };
    assert!(holds("莫某某"), "the search finds what is stored in clear");
    let mut writers = super::fieldwork::named_writers().peekable();
    assert!(writers.peek().is_some(), "the demo has named letters");
    for name in writers {
        assert!(!holds(name), "the writer {name} is stored in clear");
    }
    assert!(
        !holds("以上记录经本人核对无误"),
        "a talk's record is stored in clear"
    );
}

#[tokio::test]
async fn the_seed_finds_a_closed_problem_of_2017_again_and_the_round_shares_one_across_units() {
    use xunshi_core::dashboard::DashboardFilter;
    use xunshi_core::service::{RecurrenceQuery, pattern_page};

    let dir = tempfile::tempdir().expect("tempdir");
    let s = loaded(&dir).await;
    let office = as_user(&s, "office").await.expect("office");
    let first = pattern_page(None, None).expect("a first page");

    // 整改不到位: the 2019 team found the 2017 problem again, after its task was closed.
    let found = s
        .recurrences(&office, &RecurrenceQuery::default(), first)
        .await
        .expect("the recurrences");
    assert_eq!(found.problems, 1, "{:?}", found.items);
    let r = &found.items[0];
    assert_eq!(r.unit_name, "自治区党委宣传部");
    assert_eq!(r.title, "执行干部选拔任用有关规定不够到位");
    assert_eq!((r.year, r.earlier_year), (2019, 2017));
    assert_eq!(r.earlier_team_name, "第八巡视组");
    assert_eq!(r.closed_on, date(2019, 8, 23));
    assert!(r.similarity >= 40, "{}", r.similarity);
    let on_paper = s
        .problem_recurrences(&office, r.problem_id)
        .await
        .expect("the paper's recurrences");
    assert_eq!(on_paper, found.items);
    let board = s
        .dashboard(&office, &DashboardFilter::default())
        .await
        .expect("the dashboard");
    assert_eq!(board.recurring_problems, Some(1));
    // The unit reads its dashboard without the number, and not the list: they are papers.
    let liaison = as_user(&s, "liaison").await.expect("liaison");
    let own = s
        .dashboard(&liaison, &DashboardFilter::default())
        .await
        .expect("the unit's dashboard");
    assert_eq!(own.recurring_problems, None);
    assert!(matches!(
        s.recurrences(&liaison, &RecurrenceQuery::default(), first)
            .await,
        Err(CoreError::Forbidden(_))
    ));

    // The current round's common problem: the culture and education departments' oversight
    // of their units' special funds.
    let rounds = s.list_rounds(&office, None).await.expect("rounds");
    // The province's: 南宁市委 has a round of its own this year.
    let current = rounds
        .iter()
        .filter(|r| !r.name.starts_with("南宁市委"))
        .max_by_key(|r| r.year)
        .expect("the current round");
    let report = s
        .clusters(&office, ClusterScope::Round(current.id), first)
        .await
        .expect("the round's clusters");
    assert_eq!(report.total, 1, "{:?}", report.items);
    let c = &report.items[0];
    assert_eq!((c.units, c.problems), (2, 2));
    let view = s
        .cluster_view(&office, c.id, first)
        .await
        .expect("the cluster");
    let mut units: Vec<&str> = view.by_unit.iter().map(|u| u.name.as_str()).collect();
    units.sort_unstable();
    assert_eq!(units, ["自治区教育厅", "自治区文化和旅游厅"]);
    assert!(view.members.iter().all(|m| m.title.contains("直属单位")));
    // Nobody but the office and the leadership reads the clusters.
    assert!(matches!(
        s.clusters(&liaison, ClusterScope::Round(current.id), first)
            .await,
        Err(CoreError::Forbidden(_))
    ));
}

#[tokio::test]
async fn the_seed_plan_carries_the_look_back_task_and_the_look_back_team_sees_the_seed() {
    use xunshi_core::dashboard::DashboardFilter;

    let dir = tempfile::tempdir().expect("tempdir");
    let s = loaded(&dir).await;
    let office = as_user(&s, "office").await.expect("office");
    let liaison = as_user(&s, "liaison").await.expect("liaison");
    let seed = inspection(&s, &office, "第三巡视组").await;
    let plan = s
        .list_rect_plans(&liaison, &Default::default(), PageRequest::first(50))
        .await
        .expect("the unit's plans")
        .items
        .into_iter()
        .find(|p| p.inspection_id == seed)
        .expect("the seed's plan");
    let detail = s
        .rect_plan_detail(&liaison, plan.id)
        .await
        .expect("the seed's plan");
    assert_eq!(detail.carried.len(), 1);
    let carried = &detail.carried[0].entry;
    assert_eq!(carried.team_name, super::earlier::CENTRAL_LOOK_BACK);
    assert_eq!(carried.task.progress, 60);
    assert_ne!(carried.task.plan_id, plan.id, "linked, not copied");
    // Its own page names the plan that carries it.
    let task = s
        .get_task(&liaison, carried.task.id)
        .await
        .expect("the task");
    assert_eq!(task.carried_into.len(), 1);
    assert_eq!(task.carried_into[0].plan_id, plan.id);
    // Counted once: the unit's ledger lists it once, and the dashboard counts what it lists.
    let ledger = s
        .list_tasks(&liaison, &LedgerFilter::default(), PageRequest::first(500))
        .await
        .expect("the unit's ledger");
    let times = ledger
        .items
        .iter()
        .filter(|e| e.task.id == carried.task.id)
        .count();
    assert_eq!(times, 1);
    let board = s
        .dashboard(&liaison, &DashboardFilter::default())
        .await
        .expect("the unit's dashboard");
    assert_eq!(Some(board.tasks.total as i64), ledger.total);
    // An approved plan carries nothing more.
    assert!(matches!(
        s.uncarry_task(
            &liaison,
            plan.id,
            &xunshi_core::service::CarryInput {
                version: detail.plan.version,
                task_id: carried.task.id,
            },
        )
        .await,
        Err(CoreError::RuleRefused(_))
    ));

    // The current round's 回头看 of the seed: its page shows the seed's problems beside their
    // tasks as they stand.
    let look_back = inspection(&s, &office, "第六巡视组").await;
    let view = s
        .look_back(&office, look_back)
        .await
        .expect("the look-back")
        .expect("it looks back at the seed");
    assert_eq!(view.inspection_id, seed);
    assert_eq!((view.year, view.problems.len()), (2019, 10));
    assert!(view.problems.iter().all(|p| !p.tasks.is_empty()));
    assert!(view.closed > 0 && view.closed < view.tasks, "{view:?}");
    assert!(
        s.look_back(&office, seed)
            .await
            .expect("the seed")
            .is_none()
    );
    // The unit does not read it: these are the teams' papers.
    assert!(s.look_back(&liaison, look_back).await.is_err());
}

/// The office archives an inspection once nothing of it still runs, and from then on no service
/// changes any of its records: the refusal comes from the one place every change passes
/// through, so each kind of record an inspection holds is checked to be found there.
#[tokio::test]
async fn an_archived_inspection_is_read_only_in_every_area() {
    use xunshi_core::inspection::Stage;
    use xunshi_core::service::StageChange;
    use xunshi_core::store::{ArchiveRead, AuditFilter, PlanningWrite, WriteTx};

    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    let office = as_user(&s, "office").await.unwrap();
    let liaison = as_user(&s, "liaison").await.unwrap();
    let seed = inspection(&s, &office, "第三巡视组").await;
    let archive = |version: i64| StageChange {
        version,
        to: Stage::Archived,
        date: None,
    };

    // The seed's tasks still run: archiving waits and says what for.
    let (insp, _) = s.get_inspection(&office, seed).await.unwrap();
    let insp = if insp.stage == Stage::FeedbackGiven {
        let to = StageChange {
            version: insp.version,
            to: Stage::Rectification,
            date: None,
        };
        s.change_stage(&office, seed, &to).await.unwrap()
    } else {
        insp
    };
    let refused = s
        .change_stage(&office, seed, &archive(insp.version))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, CoreError::RuleRefused(m) if m.contains("项整改任务尚未销号")),
        "{refused}"
    );

    // The department's 2017 inspection, its tasks all closed, is archived by the office.
    let all = s
        .list_inspections(
            &office,
            &InspectionFilter::default(),
            PageRequest::first(100),
        )
        .await
        .unwrap()
        .items;
    let earlier = all
        .iter()
        .find(|i| i.team_name == "第八巡视组" && i.stage == Stage::Rectification)
        .expect("the 2017 inspection in rectification");
    let archived = s
        .change_stage(&office, earlier.id, &archive(earlier.version))
        .await
        .expect("nothing of 2017 still runs");
    assert_eq!(archived.stage, Stage::Archived);
    let first_task = async |inspection: Id| {
        s.list_tasks(
            &office,
            &LedgerFilter {
                inspection_id: Some(inspection),
                ..Default::default()
            },
            PageRequest::first(1),
        )
        .await
        .unwrap()
        .items[0]
            .task
            .id
    };
    let mechanism = |inspection: &xunshi_core::inspection::Inspection, task: Id| {
        xunshi_core::supervision::MechanismInput {
            inspection_id: inspection.id.to_string(),
            unit_id: inspection.target_ids[0].to_string(),
            title: "《机关制度汇编》（第4版）".into(),
            is_new: false,
            doc_no: "桂宣办发〔2026〕1号".into(),
            issued_on: "2026-11-02".into(),
            task_ids: vec![task.to_string()],
        }
    };
    let e = s
        .record_mechanism(
            &liaison,
            &mechanism(&archived, first_task(archived.id).await),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CoreError::RuleRefused(m) if m.contains("第八巡视组的巡视任务已归档")),
        "{e}"
    );

    // Every inspection archived in place (as the generator writes them), every kind of record
    // an inspection holds is found to belong to an archived one.
    {
        let mut tx = s.store.write().await.unwrap();
        for i in &all {
            let (mut i, _) = s.get_inspection(&office, i.id).await.unwrap();
            i.stage = Stage::Archived;
            i.version += 1;
            tx.update_inspection(&i).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let mut tx = s.store.read().await.unwrap();
    let mut missing = vec![];
    for kind in xunshi_core::archive::INSPECTION_OBJECTS {
        let rows = tx
            .audit_sorted(
                &AuditFilter {
                    object_type: Some((*kind).to_owned()),
                    ..Default::default()
                },
                Default::default(),
                None,
                1,
            )
            .await
            .unwrap();
        let Some(id) = rows.first().and_then(|r| r.object_id.as_deref()) else {
            missing.push(*kind);
            continue;
        };
        let id: Id = id.parse().unwrap();
        assert!(
            tx.archived_owner(kind, id).await.unwrap().is_some(),
            "a {kind} is found to belong to its archived inspection"
        );
    }
    // The paper's evidence, the immediate-fix notice and the deadline change, which the demo
    // does not make, are held to the same rule by the contract suite.
    assert_eq!(
        missing,
        ["evidence", "notice", "deadline_change"],
        "kinds the demo never changes"
    );
    assert_eq!(tx.archived_owner("user", Id::new()).await.unwrap(), None);
    drop(tx);

    // And the services refuse, whoever asks: the unit's progress and long-term mechanism.
    let task = s
        .list_tasks(
            &liaison,
            &LedgerFilter {
                inspection_id: Some(seed),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|t| t.task.status != xunshi_core::rectify::TaskStatus::Closed)
        .expect("an open seed task")
        .task;
    let e = s
        .report_progress(&liaison, task.id, task.version, "继续推进。", 90, false)
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::RuleRefused(_)), "{e}");
    let after = s.get_task(&liaison, task.id).await.unwrap().entry.task;
    assert_eq!(after.version, task.version, "nothing written");
    let (insp, _) = s.get_inspection(&office, seed).await.unwrap();
    let e = s
        .record_mechanism(&liaison, &mechanism(&insp, task.id))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::RuleRefused(_)), "{e}");
}

#[tokio::test]
async fn the_city_runs_its_own_round_and_the_province_reads_it_by_level() {
    let dir = tempfile::tempdir().unwrap();
    let s = loaded(&dir).await;
    let city = as_user(&s, "cityoffice").await.unwrap();
    let office = as_user(&s, "office").await.unwrap();
    let teams = |actor: Actor| {
        let s = &s;
        async move {
            let page = s
                .list_inspections(&actor, &InspectionFilter::default(), PageRequest::first(50))
                .await
                .expect("list inspections");
            let mut v: Vec<(String, Stage, bool)> = page
                .items
                .into_iter()
                .map(|i| (i.team_name, i.stage, i.cross))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        }
    };
    // The city's office: its own round, the team that entered yesterday and the cross
    // inspection.
    assert_eq!(
        teams(city.clone()).await,
        [
            ("南宁市委第一巡察组".to_owned(), Stage::OnSite, false),
            (
                "武鸣区委巡察组（交叉巡察）".to_owned(),
                Stage::Preparation,
                true
            ),
        ]
    );
    let first = inspection(&s, &office, "南宁市委第一巡察组").await;
    let (v, _) = s.inspection_view(&city, first).await.unwrap();
    assert_eq!(v.inspection.dates.entry, TODAY.yesterday().ok());
    // The province's team at 南宁市委 is not the city's to see: the city is the unit there.
    let fourth = inspection(&s, &office, "第四巡视组").await;
    assert!(matches!(
        s.inspection_view(&city, fourth).await,
        Err(CoreError::NotFound(_))
    ));
    // The province reads the city's round in its lists and by level.
    assert!(
        teams(office.clone())
            .await
            .iter()
            .any(|t| t.0 == "南宁市委第一巡察组")
    );
    let levels = s.levels(&office).await.unwrap();
    let line = |name: &str| {
        levels
            .rows
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no line of {name}"))
            .clone()
    };
    assert_eq!(line("自治区党委").depth, 0);
    let nanning = line("南宁市委");
    assert_eq!(
        (nanning.depth, nanning.inspections, nanning.under_way),
        (1, 2, 2)
    );
    assert_eq!(line("武鸣区委").depth, 2);
    // The city reads itself and the counties below it, and nothing of the province.
    let mine = s.levels(&city).await.unwrap();
    let names: Vec<&str> = mine.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["南宁市委", "横州市委", "武鸣区委"]);
    assert!(mine.rows[0].opens && !mine.rows[1].opens);
    // 报备: the plan, commented on by the province, and the round, waiting for it.
    let filings = |actor: Actor| {
        let s = &s;
        async move {
            s.list_filings(&actor, &FilingQuery::default(), PageRequest::first(50))
                .await
                .expect("list filings")
                .items
        }
    };
    let up = filings(office.clone()).await;
    let states: Vec<(FilingKind, FilingStatus, bool)> = up
        .iter()
        .map(|e| (e.filing.kind, e.filing.status, e.may_answer))
        .collect();
    assert_eq!(
        states,
        [
            (FilingKind::Round, FilingStatus::Filed, true),
            (FilingKind::Plan, FilingStatus::Commented, false),
        ]
    );
    assert!(
        up.iter()
            .all(|e| e.committee_name == "南宁市委" && e.upper_name == "自治区党委")
    );
    assert!(
        up[1]
            .filing
            .content
            .contains("武鸣区委巡察组（交叉巡察）：横州市教育局")
    );
    let filed_on = xunshi_core::service::today(up[1].filing.filed.at);
    assert_eq!(filed_on, TODAY.yesterday().unwrap().yesterday().unwrap());
    // The city reads its own filings and answers none of them.
    let own = filings(city.clone()).await;
    assert_eq!(own.len(), 2);
    assert!(own.iter().all(|e| !e.may_answer));
}
