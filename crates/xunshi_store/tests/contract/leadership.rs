//! The leadership view's figures are the lengths of the lists they open. A generated province
//! (two terms, rounds at every stage, clues of every colour, tasks closed over the years) is
//! counted by `leadership_view` and listed, page by page, by the lists the view links to: the
//! inspections filtered by term, round and stage, the term's coverage, the clues filtered by
//! colour; each round's completion is held to its task rows read one by one.

use std::collections::BTreeMap;

use sqlx::Row;
use xunshi_core::CoreError;
use xunshi_core::clue::ClockColour;
use xunshi_core::inspection::Stage;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::ClueListFilter;
use xunshi_core::store::InspectionFilter;
use xunshi_store::generate::Counts;

use crate::harness::{Svc, actor_of, generated};

async fn actor_named(s: &Svc, username: &str) -> Actor {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username.to_owned())
        .fetch_one(&s.store.pool)
        .await
        .unwrap_or_else(|e| panic!("{username}: {e}"));
    let id: String = row.get("id");
    actor_of(s, id.parse().expect("an id")).await
}

async fn inspections_listed(s: &Svc, who: &Actor, f: &InspectionFilter) -> usize {
    let (mut n, mut page) = (0, PageRequest::first(500));
    loop {
        let p = s.list_inspections(who, f, page).await.expect("a page");
        n += p.items.len();
        match p.next_cursor {
            Some(c) => page = PageRequest::parse(Some(&c), Some(500)).expect("a cursor"),
            None => return n,
        }
    }
}

async fn clues_listed(s: &Svc, who: &Actor, colour: ClockColour) -> usize {
    let f = ClueListFilter {
        colour: Some(colour),
        ..Default::default()
    };
    let (mut n, mut page) = (0, PageRequest::first(500));
    loop {
        let p = s.list_clues(who, &f, page).await.expect("a page");
        n += p.items.len();
        match p.next_cursor {
            Some(c) => page = PageRequest::parse(Some(&c), Some(500)).expect("a cursor"),
            None => return n,
        }
    }
}

pub async fn leadership_figures_are_the_lengths_of_the_lists_they_open(mut s: Svc) {
    generated(&mut s, 7, Counts::for_tasks(3_000)).await;
    let office = actor_named(&s, "bench.office").await;
    let leader = actor_named(&s, "bench.leader").await;
    let liaison = actor_named(&s, "bench.liaison").await;

    let view = s.leadership_view(&office, None).await.expect("the view");
    let term = view.term.clone().expect("a term is shown");
    assert!(view.terms.len() >= 2, "both generated terms to choose from");
    assert!(!view.rounds.is_empty(), "the term has rounds");

    // Inspections: every cell of the table is the length of its filtered list.
    let mut cells = 0;
    for r in &view.rounds {
        for bar in &r.by_stage {
            let f = InspectionFilter {
                term_id: Some(term.id),
                round_id: Some(r.round_id),
                stage: Some(Stage::parse(&bar.key).expect("a stage")),
                ..Default::default()
            };
            assert_eq!(
                bar.count,
                inspections_listed(&s, &office, &f).await,
                "{} {}",
                r.name,
                bar.label
            );
            cells += usize::from(bar.count > 0);
        }
    }
    assert!(
        cells > 1,
        "the generated term has inspections at several stages"
    );
    let whole_term = InspectionFilter {
        term_id: Some(term.id),
        ..Default::default()
    };
    assert_eq!(
        view.inspections_total,
        inspections_listed(&s, &office, &whole_term).await
    );

    // Coverage: the same count as the coverage page's walk of the tree.
    let coverage = s.coverage(&office, term.id).await.expect("the coverage");
    let figure = view.coverage.expect("a coverage figure");
    assert_eq!(
        (figure.total, figure.covered),
        (coverage.total, coverage.covered)
    );
    assert!(figure.total > 0);

    // Clues: each colour is the length of the clue list filtered by it.
    let clues = view
        .clues
        .clone()
        .expect("the office reads every clue list");
    let mut coloured = 0;
    for bar in &clues {
        let colour = ClockColour::parse(&bar.key).expect("a colour");
        assert_eq!(
            bar.count,
            clues_listed(&s, &office, colour).await,
            "{}",
            bar.label
        );
        coloured += usize::from(bar.count > 0);
    }
    assert!(coloured > 1, "clues of several colours: {clues:?}");

    // Completion: each round's points from its task rows, month by month.
    let mut closed_somewhere = false;
    for r in &view.completion {
        let rows = sqlx::query(
            "SELECT t.status, t.closed_on FROM rectification_tasks t
             JOIN inspections i ON i.id = t.inspection_id
             WHERE i.round_id = $1 AND t.withdrawn_reason IS NULL",
        )
        .bind(r.round_id.to_string())
        .fetch_all(&s.store.pool)
        .await
        .expect("the round's tasks");
        assert_eq!(r.total, rows.len(), "{}", r.name);
        let mut by_month: BTreeMap<String, usize> = BTreeMap::new();
        for row in &rows {
            let status: String = row.get("status");
            let closed_on: Option<String> = row.get("closed_on");
            if let (true, Some(d)) = (status == "closed", closed_on) {
                *by_month.entry(d[..7].to_owned()).or_default() += 1;
            }
        }
        assert_eq!(r.closed, by_month.values().sum::<usize>(), "{}", r.name);
        assert_eq!(r.points.len(), view.months.len());
        for p in &r.points {
            let expected: usize = by_month
                .iter()
                .filter(|(m, _)| **m <= p.month)
                .map(|(_, n)| n)
                .sum();
            assert_eq!(p.closed, expected, "{} {}", r.name, p.month);
        }
        closed_somewhere |= r.closed > 0;
    }
    assert!(closed_somewhere, "the generated rounds have closed tasks");

    // The leadership sees the same figures; a unit's liaison is refused by the core.
    let seen = s
        .leadership_view(&leader, Some(term.id))
        .await
        .expect("the leader's view");
    assert_eq!(seen.inspections_total, view.inspections_total);
    assert_eq!(
        seen.clues
            .map(|c| c.iter().map(|b| b.count).collect::<Vec<_>>()),
        Some(clues.iter().map(|b| b.count).collect::<Vec<_>>())
    );
    assert!(matches!(
        s.leadership_view(&liaison, None).await,
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.leadership_view(&office, Some(xunshi_core::Id::new()))
            .await,
        Err(CoreError::NotFound(_))
    ));

    // A city committee's own office, once about half the inspections — none of the city
    // committee itself, which its own office never oversees — are its committee's: its clue
    // counts are the lengths of its clue lists, a part of the province's; the province's
    // terms are not its to choose.
    let city = sqlx::query(
        "SELECT id, name FROM units WHERE kind = 'lower_committee' ORDER BY name LIMIT 1",
    )
    .fetch_one(&s.store.pool)
    .await
    .expect("a city committee");
    let (city_id, city_name): (String, String) = (city.get("id"), city.get("name"));
    sqlx::query(
        "UPDATE inspections SET dispatcher_id = $1
         WHERE substr(id, length(id), 1) IN ('0', '2', '4', '6', '8', 'a', 'c', 'e')
           AND id NOT IN (SELECT inspection_id FROM inspection_targets WHERE unit_id = $1)",
    )
    .bind(city_id.clone())
    .execute(&s.store.pool)
    .await
    .expect("move inspections to the city");
    let (user, _) = s
        .create_user(
            &Actor::system(),
            &crate::harness::user_input("city.office", "city.office", Some(&city_name)),
            Some(&xunshi_core::service::NewGrant {
                role: "office".into(),
                scope: Some(city_name.clone()),
            }),
        )
        .await
        .expect("the city's office");
    let city_office = actor_of(&s, user.id).await;
    let view = s
        .leadership_view(&city_office, None)
        .await
        .expect("the city office's view");
    assert!(view.terms.is_empty(), "{:?}", view.terms);
    let bars = view.clues.expect("its committee's clues are counted");
    let (mut own, mut all) = (0, 0);
    for (bar, whole) in bars.iter().zip(&clues) {
        let colour = ClockColour::parse(&bar.key).expect("a colour");
        assert_eq!(
            bar.count,
            clues_listed(&s, &city_office, colour).await,
            "{}",
            bar.label
        );
        own += bar.count;
        all += whole.count;
    }
    assert!(0 < own && own < all, "{own} of {all}");
    assert!(matches!(
        s.leadership_view(&city_office, Some(term.id)).await,
        Err(CoreError::NotFound(_))
    ));
}
