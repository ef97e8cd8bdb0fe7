//! The holiday arrangements: shipped with every database, extended by the office.

use jiff::civil::date;
use sqlx::Row;
use xunshi_core::CoreError;
use xunshi_core::calendar::Reckoned;
use xunshi_core::permission::Actor;

use xunshi_core::deadline::Clock;
use xunshi_core::service::TodoKind;
use xunshi_core::supervision::ClockView;

use crate::harness::{Svc, audit_of_action, expect_err, user_with_role};
use crate::supervision::{clock_at, fed_back_on};

pub async fn the_shipped_arrangement_is_in_every_new_database(s: Svc) {
    let cal = s.calendar().await.expect("read the calendar");
    let years: Vec<i16> = cal.years().collect();
    assert_eq!(years, (2019..=2026).collect::<Vec<_>>());
    // The seed's feedback date and the rectification plan due 15 working days later.
    assert_eq!(
        cal.deadline(date(2020, 3, 25), 15).unwrap(),
        Reckoned::firm(date(2020, 4, 16))
    );
    // Past the shipped years the count goes on by weekends, marked provisional.
    let past = cal.deadline(date(2026, 12, 28), 10).unwrap();
    assert_eq!(past.date, date(2027, 1, 11));
    assert!(past.provisional.unwrap().contains("2027"));
}

pub async fn the_office_enters_a_new_year_and_bad_rows_change_nothing(s: Svc) {
    let office = user_with_role(&s, "office1", None, "office").await;
    let leader = user_with_role(&s, "leader1", None, "leadership").await;
    let csv = "date,kind,festival\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-07,workday,春节\n";
    expect_err!(
        s.import_calendar_year(&leader, 2027, csv, "国务院办公厅通知")
            .await,
        CoreError::Forbidden(_)
    );
    let bad = s
        .import_calendar_year(
            &office,
            2027,
            "2027-01-01,holiday,元旦\n2027-13-01,holiday,x\n",
            "通知",
        )
        .await;
    let e = expect_err!(bad, CoreError::Unfit(_));
    assert!(e.to_string().contains("第 2 行"), "{e}");
    let wrong_year = s
        .import_calendar_year(&office, 2027, "2028-01-01,holiday,元旦\n", "通知")
        .await;
    expect_err!(wrong_year, CoreError::Unfit(_));
    assert!(
        !s.calendar().await.unwrap().years().any(|y| y == 2027),
        "nothing was written"
    );

    let n = s
        .import_calendar_year(
            &office,
            2027,
            csv,
            "国务院办公厅关于2027年部分节假日安排的通知",
        )
        .await
        .expect("the office enters 2027");
    assert_eq!(n.days, 3);
    assert_eq!(n.recounted, 0, "no clock runs in this database");
    let cal = s.calendar().await.unwrap();
    assert!(!cal.is_working_day(date(2027, 1, 1)).unwrap());
    assert!(
        cal.is_working_day(date(2027, 2, 7)).unwrap(),
        "an adjusted Sunday"
    );
    // New Year's Day is known now: one day later, and firm.
    assert_eq!(
        cal.deadline(date(2026, 12, 28), 10).unwrap(),
        Reckoned::firm(date(2027, 1, 12))
    );
    assert_eq!(audit_of_action(&s, "calendar_year_imported").await.len(), 1);

    // Entering the year again replaces it.
    s.import_calendar_year(&Actor::system(), 2027, "2027-01-01,holiday,元旦\n", "更正")
        .await
        .expect("a correction");
    let cal = s.calendar().await.unwrap();
    assert!(
        !cal.is_working_day(date(2027, 2, 7)).unwrap(),
        "the old adjusted day is gone"
    );
    let (years, days) = s.calendar_listing(&Actor::system()).await.unwrap();
    let entered: Vec<_> = years.iter().filter(|y| y.year == 2027).collect();
    assert_eq!(entered.len(), 1, "one current entry of the year");
    assert_eq!(entered[0].source, "更正");
    assert_eq!(days.iter().filter(|d| d.date.year() == 2027).count(), 1);

    // The earlier entry is kept, replaced, with the days it listed.
    let entries = sqlx::query(
        "SELECT revision, source, replaced_at FROM calendar_years
          WHERE year = $1 ORDER BY revision",
    )
    .bind(2027_i16)
    .fetch_all(&s.store.pool)
    .await
    .expect("read the entries")
    .iter()
    .map(|r| {
        (
            r.get::<i64, _>("revision"),
            r.get::<String, _>("source"),
            r.get::<Option<String>, _>("replaced_at"),
        )
    })
    .collect::<Vec<_>>();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(
        (entries[0].0, entries[0].1.as_str()),
        (1, "国务院办公厅关于2027年部分节假日安排的通知")
    );
    assert!(entries[0].2.is_some(), "the first entry is marked replaced");
    assert_eq!((entries[1].0, entries[1].1.as_str()), (2, "更正"));
    assert!(entries[1].2.is_none(), "the correction is current");
    let listed = |revision: i64| {
        let s = s.clone();
        async move {
            sqlx::query(
                "SELECT day, kind, withdrawn_at FROM calendar_days
                  WHERE year = $1 AND revision = $2 ORDER BY day",
            )
            .bind(2027_i16)
            .bind(revision as i16)
            .fetch_all(&s.store.pool)
            .await
            .expect("read the days")
            .iter()
            .map(|r| {
                (
                    r.get::<String, _>("day"),
                    r.get::<String, _>("kind"),
                    r.get::<Option<String>, _>("withdrawn_at").is_some(),
                )
            })
            .collect::<Vec<_>>()
        }
    };
    let first = listed(1).await;
    assert_eq!(
        first
            .iter()
            .map(|(d, k, _)| (d.as_str(), k.as_str()))
            .collect::<Vec<_>>(),
        [
            ("2027-01-01", "holiday"),
            ("2027-02-06", "holiday"),
            ("2027-02-07", "workday")
        ]
    );
    assert!(first.iter().all(|(_, _, withdrawn)| *withdrawn));
    assert_eq!(
        listed(2).await,
        [("2027-01-01".to_owned(), "holiday".to_owned(), false)]
    );
    // A third entry keeps both before it.
    s.import_calendar_year(&Actor::system(), 2027, csv, "再次更正")
        .await
        .expect("a second correction");
    assert!(
        s.calendar()
            .await
            .unwrap()
            .is_working_day(date(2027, 2, 7))
            .unwrap()
    );
    assert_eq!(listed(1).await.len(), 3);
    assert_eq!(listed(2).await.len(), 1);
    assert!(listed(2).await.iter().all(|(_, _, withdrawn)| *withdrawn));
    assert_eq!(listed(3).await.len(), 3);
}

/// An arrangement of 2027 as the office might enter it: New Year's Day and a Spring Festival
/// holiday with a weekend day worked.
const CSV_2027: &str = "date,kind,festival\n2027-01-01,holiday,元旦\n\
    2027-02-06,holiday,春节\n2027-02-07,holiday,春节\n2027-02-08,holiday,春节\n\
    2027-02-09,holiday,春节\n2027-02-10,holiday,春节\n2027-02-11,holiday,春节\n\
    2027-02-12,holiday,春节\n2027-02-14,workday,春节\n";

pub async fn entering_a_year_recounts_the_provisional_deadlines_and_tells_the_unit(mut s: Svc) {
    clock_at(&mut s, "2026-12-18T02:00:00Z");
    // Feedback on Thu 17 December 2026: the plan is due 15 working days later, in 2027.
    let f = fed_back_on(&s, "2026-12-17", "2027-02-17").await;
    let w = &f.w;
    let clock = |cs: &[ClockView], c: Clock| cs.iter().find(|v| v.clock == c).unwrap().clone();
    let before = s.inspection_clocks(&w.office, w.insp.id).await.unwrap();
    let plan = clock(&before, Clock::PlanDue);
    // 18, 21–25, 28–31 December (1–10), then by weekends: Fri 1 January (11), 4–7 January.
    assert_eq!(plan.due, Some(date(2027, 1, 7)));
    assert_eq!(
        plan.provisional.as_deref(),
        Some("2027年节假日安排尚未录入，按周末推算")
    );
    // Two calendar months need no arrangement.
    assert_eq!(clock(&before, Clock::ReportDue).provisional, None);
    let waiting = |todo: &xunshi_core::service::Todo| {
        todo.groups
            .iter()
            .find(|g| g.kind == TodoKind::DeadlineChanged)
            .cloned()
    };
    assert!(waiting(&s.todo(&w.principal).await.unwrap()).is_none());

    let done = s
        .import_calendar_year(
            &w.office,
            2027,
            CSV_2027,
            "国务院办公厅关于2027年部分节假日安排的通知",
        )
        .await
        .expect("the office enters 2027");
    assert_eq!(done.days, 9);
    assert_eq!(done.recounted, 1, "the one running plan clock");

    // The clock follows the holidays now, and stands: New Year's Day is off, so Fri 8 January.
    let after = s.inspection_clocks(&w.office, w.insp.id).await.unwrap();
    let plan = clock(&after, Clock::PlanDue);
    assert_eq!(plan.due, Some(date(2027, 1, 8)));
    assert_eq!(plan.provisional, None);

    // Recorded, with the before and the after, in the import's transaction.
    let records = audit_of_action(&s, "deadline_recomputed").await;
    assert_eq!(records.len(), 1);
    let summary = &records[0].summary;
    let unit = w.unit.to_string();
    for part in ["2027-01-07", "2027-01-08", "按周末推算", unit.as_str()] {
        assert!(summary.contains(part), "{part} missing from {summary}");
    }

    // The unit's principal and liaison find it on their 工作台; another unit does not.
    let group = waiting(&s.todo(&w.principal).await.unwrap()).expect("on the principal's to-do");
    assert_eq!(group.total, 1);
    let item = &group.items[0];
    assert_eq!(item.due, Some(date(2027, 1, 8)));
    assert!(item.title.contains("2027-01-07（暂定）"), "{}", item.title);
    assert!(waiting(&s.todo(&w.liaison).await.unwrap()).is_some());
    assert!(waiting(&s.todo(&f.other_unit).await.unwrap()).is_none());
    let id = item.object_id.expect("the change");
    let change = s.deadline_change(&w.principal, id).await.unwrap();
    assert_eq!(change.unit_id, w.unit);
    assert_eq!(change.before.date, date(2027, 1, 7));
    assert!(change.before.provisional.is_some());
    assert_eq!(change.after.date, date(2027, 1, 8));
    assert!(change.after.provisional.is_none());

    // Only the unit takes note of it; once.
    expect_err!(
        s.acknowledge_deadline_change(&f.other_unit, id).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.acknowledge_deadline_change(&w.office, id).await,
        CoreError::Forbidden(_)
    );
    let noted = s
        .acknowledge_deadline_change(&w.liaison, id)
        .await
        .expect("the liaison takes note");
    assert!(noted.acknowledged_at.is_some());
    expect_err!(
        s.acknowledge_deadline_change(&w.principal, id).await,
        CoreError::RuleRefused(_)
    );
    assert!(waiting(&s.todo(&w.principal).await.unwrap()).is_none());
    assert_eq!(
        audit_of_action(&s, "deadline_change_acknowledged")
            .await
            .len(),
        1
    );

    // Entering the same arrangement again moves nothing.
    let again = s
        .import_calendar_year(&w.office, 2027, CSV_2027, "再次录入")
        .await
        .unwrap();
    assert_eq!(again.recounted, 0);
    // A correction that makes 8 January a holiday moves the clock again, firm to firm.
    let corrected = format!("{CSV_2027}2027-01-08,holiday,元旦\n");
    let moved = s
        .import_calendar_year(&w.office, 2027, &corrected, "更正")
        .await
        .unwrap();
    assert_eq!(moved.recounted, 1);
    let plan = clock(
        &s.inspection_clocks(&w.office, w.insp.id).await.unwrap(),
        Clock::PlanDue,
    );
    assert_eq!(plan.due, Some(date(2027, 1, 11)));
    assert_eq!(audit_of_action(&s, "deadline_recomputed").await.len(), 2);

    // Once the inspection is archived, the change is one of its read-only records.
    super::papers::archive_in_place(&s, w.insp.id).await;
    let mut tx = xunshi_core::store::Store::read(&s.store).await.unwrap();
    let owner = xunshi_core::store::ArchiveRead::archived_owner(&mut tx, "deadline_change", id);
    assert!(owner.await.unwrap().is_some());
}
