//! The holiday arrangements: shipped with every database, extended by the office.

use jiff::civil::date;
use sqlx::Row;
use xunshi_core::CoreError;
use xunshi_core::permission::Actor;

use crate::harness::{Svc, audit_of_action, expect_err, user_with_role};

pub async fn the_shipped_arrangement_is_in_every_new_database(s: Svc) {
    let cal = s.calendar().await.expect("read the calendar");
    let years: Vec<i16> = cal.years().collect();
    assert_eq!(years, (2019..=2026).collect::<Vec<_>>());
    // The seed's feedback date and the rectification plan due 15 working days later.
    assert_eq!(
        cal.add_working_days(date(2020, 3, 25), 15).unwrap(),
        date(2020, 4, 16)
    );
    expect_err!(
        cal.add_working_days(date(2026, 12, 28), 10),
        CoreError::RuleRefused(_)
    );
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
    assert_eq!(n, 3);
    let cal = s.calendar().await.unwrap();
    assert!(!cal.is_working_day(date(2027, 1, 1)).unwrap());
    assert!(
        cal.is_working_day(date(2027, 2, 7)).unwrap(),
        "an adjusted Sunday"
    );
    assert!(cal.add_working_days(date(2026, 12, 28), 10).is_ok());
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
