//! The holiday arrangements: shipped with every database, extended by the office.

use jiff::civil::date;
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
    let e = expect_err!(bad, CoreError::BadInput(_));
    assert!(e.to_string().contains("第 2 行"), "{e}");
    let wrong_year = s
        .import_calendar_year(&office, 2027, "2028-01-01,holiday,元旦\n", "通知")
        .await;
    expect_err!(wrong_year, CoreError::BadInput(_));
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
}
