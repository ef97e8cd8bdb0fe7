//! 离线节点冲突 on the page: a node's work taken in with one record both sides changed, shown
//! to the office column by column, refused to the team, decided once for the node's row.

use axum::http::StatusCode;
use serde_json::Value;
use sqlx::Row;
use xunshi_core::crypto::HashAlg;
use xunshi_core::fieldwork::FieldRecordInput;
use xunshi_core::inspection::Stage;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::TeamRole;
use xunshi_core::service::NodeWork;
use xunshi_core::store::{NodeRead, NodeRow, Store, row_digest};

use crate::helpers::{PASSWORD, TestApp};

/// The stored row of a field record, as the node's import reads it.
async fn office_row(app: &TestApp, id: &str) -> NodeRow {
    let columns: Vec<String> =
        sqlx::query("SELECT name FROM pragma_table_info('field_records') ORDER BY cid")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
    let mut probe = NodeRow {
        table: "field_records".into(),
        values: columns
            .iter()
            .map(|c| {
                if c == "id" {
                    Value::from(id)
                } else {
                    Value::Null
                }
            })
            .collect(),
        columns,
        base: None,
    };
    let mut tx = app.services.store.read().await.unwrap();
    probe.values = tx
        .node_row(&probe)
        .await
        .unwrap()
        .expect("the record is there");
    probe
}

fn set(row: &mut NodeRow, column: &str, v: &str) {
    let i = row.columns.iter().position(|c| c == column).unwrap();
    row.values[i] = Value::from(v);
}

#[tokio::test]
async fn a_record_both_sides_changed_is_shown_and_decided_once() {
    let app = TestApp::spawn().await;
    let sys = Actor::system();
    let committee = app.add_unit_under("自治区党委", None, "committee").await;
    app.add_unit_under("自治区林业和草原局", Some(committee.id), "department")
        .await;
    let insp = app
        .prepared_inspection("自治区党委", "自治区林业和草原局", "自治区党委第五巡视组")
        .await;
    app.appoint_team(insp, "自治区党委", &[("zhaoyan", "赵岩", TeamRole::Leader)])
        .await;
    app.move_inspection(insp, Stage::OnSite, Some("2019-09-18"))
        .await;
    let record = app
        .services
        .add_field_record(
            &sys,
            insp,
            &FieldRecordInput {
                method: "forum".into(),
                held_on: "2019-09-25".into(),
                participants: "处级干部".into(),
                summary: "座谈了解选人用人情况".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let office = office_row(&app, &record.id.to_string()).await;
    // The row went out with another summary: both sides changed it since.
    let mut sent = office.clone();
    set(&mut sent, "summary", "座谈（出发时）");
    let mut node = office.clone();
    set(
        &mut node,
        "summary",
        "座谈了解选人用人和干部监督情况（节点）",
    );
    node.base = Some(row_digest(&sent.values));
    let work = NodeWork {
        pair: "pair-1".into(),
        inspection_id: insp,
        rows: vec![node.clone()],
        trail: Vec::new(),
        trail_alg: HashAlg::Sha256,
        head_seq: 0,
        head_hash: "0".repeat(64),
    };
    let done = app.services.import_node_work(&sys, &work).await.unwrap();
    assert_eq!(done.conflicts.len(), 1, "{done:?}");
    let conflict = done.conflicts[0].to_string();
    assert_eq!(office_row(&app, &record.id.to_string()).await, office);

    // The node changes the record again before the office decides: the same conflict is
    // brought up to date, not joined by a second; the node's unchanged row adds nothing.
    let first = node.clone();
    set(
        &mut node,
        "summary",
        "座谈了解选人用人、干部监督和巡视整改情况（节点）",
    );
    let later = NodeWork {
        rows: vec![node.clone()],
        ..work.clone()
    };
    let done = app.services.import_node_work(&sys, &later).await.unwrap();
    assert_eq!(done.conflicts, vec![conflict.parse().unwrap()], "{done:?}");
    let done = app.services.import_node_work(&sys, &later).await.unwrap();
    assert!(done.conflicts.is_empty(), "{done:?}");
    assert_eq!(done.unchanged, 1, "{done:?}");
    let open = app
        .services
        .node_conflicts(&sys, Some(insp), true)
        .await
        .unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].node_row, node.values);
    assert_ne!(open[0].node_row, first.values);
    assert_eq!(office_row(&app, &record.id.to_string()).await, office);

    // The team does not decide; the office sees what differs.
    let mut member = app.login_form("zhaoyan", PASSWORD).await;
    assert_eq!(
        member.get("/node-conflicts").await.status,
        StatusCode::FORBIDDEN
    );
    app.add_user("office1", "巡视办干部甲", "office", None)
        .await;
    let mut b = app.login_form("office1", PASSWORD).await;
    let page = b.get("/node-conflicts").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "自治区党委第五巡视组",
        "其他工作记录",
        "座谈了解选人用人情况",
        "座谈了解选人用人、干部监督和巡视整改情况（节点）",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }

    // The API lists the same, and refuses a decision that is neither side.
    let token = app.api_token("office1", PASSWORD).await;
    let (status, listed) = app.api_get("/api/v1/node-conflicts", &token).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed[0]["id"], serde_json::json!(conflict));
    assert_eq!(listed[0]["table"], "field_records");
    let (status, body) = app
        .api_post(
            &format!("/api/v1/node-conflicts/{conflict}/decision"),
            Some(&token),
            serde_json::json!({ "keep": "both" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let lead = app.api_token("zhaoyan", PASSWORD).await;
    let (status, _) = app
        .api_get(
            &format!("/api/v1/node-conflicts?inspection_id={insp}"),
            &lead,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A decision that is neither side: refused on the page, nothing decided.
    let path = format!("/node-conflicts/{conflict}/decision");
    let token = b.csrf_token("/node-conflicts").await;
    let refused = b
        .post_form_with_token(&path, Some(&token), &[("keep", "both")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("office"), "{}", refused.body);

    let token = b.csrf_token("/node-conflicts").await;
    b.post_form_with_token(&path, Some(&token), &[("keep", "node")])
        .await
        .assert_redirect_to("/node-conflicts?notice=node_conflict_decided");
    assert_eq!(
        office_row(&app, &record.id.to_string()).await.values,
        node.values
    );
    let token = b.csrf_token("/node-conflicts").await;
    let again = b
        .post_form_with_token(&path, Some(&token), &[("keep", "office")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let page = b.get("/node-conflicts").await;
    assert!(page.body.contains("采用节点一方"), "{}", page.body);
    assert!(page.body.contains("没有待裁定的冲突"), "{}", page.body);
    assert_eq!(
        app.audit_with_action("node_conflict_decided").await.len(),
        1
    );
    let token = app.api_token("office1", PASSWORD).await;
    let (_, open) = app.api_get("/api/v1/node-conflicts", &token).await;
    assert_eq!(open, serde_json::json!([]));
    let (_, all) = app
        .api_get(
            &format!("/api/v1/node-conflicts?all=true&inspection_id={insp}"),
            &token,
        )
        .await;
    assert_eq!(all[0]["decision"], "node");
}
