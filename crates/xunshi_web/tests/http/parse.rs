//! Reading a pasted feedback text into proposed items through the API: who may, what comes
//! back, and how an empty or oversized text is refused. Nothing is stored either way.

use axum::http::StatusCode;
use serde_json::{Value, json};
use xunshi_core::personnel::TeamRole;

use crate::helpers::{PASSWORD, TestApp, assert_api_error, detail_fields};

const PATH: &str = "/api/v1/parse/feedback";

const NEWS: &str = "\
县委第二巡察组向县农业农村局党组反馈巡察情况\n\
根据县委统一部署,2022年3月8日至5月6日,县委第二巡察组对县农业农村局党组开展了常规巡察。\
6月28日,县委第二巡察组组长陈建国代表巡察组向县农业农村局党组反馈了巡察意见。\n\
陈建国指出,巡察发现的主要问题是:贯彻落实乡村振兴战略不够有力,涉农资金监管存在漏洞;\
基层党组织建设薄弱,党员发展、教育、管理不规范等。\n\
陈建国提出了三点意见建议:一要提高政治站位。二要压实管党治党责任。三要加强基层党组织建设。\n\
县农业农村局党组书记赵卫东表示,一是照单全收;二是逐项整改。";

async fn world() -> TestApp {
    let app = TestApp::spawn().await;
    app.add_unit("县委").await;
    app.add_unit("县农业农村局").await;
    let insp = app
        .prepared_inspection("县委", "县农业农村局", "县委第二巡察组")
        .await;
    app.appoint_team(
        insp,
        "县委",
        &[
            ("chenjg", "陈建国", TeamRole::Leader),
            ("lisi", "李四", TeamRole::Member),
        ],
    )
    .await;
    app.add_user("office", "巡视办干部", "office", None).await;
    app.add_user("zhaowd", "赵卫东", "unit_principal", Some("县农业农村局"))
        .await;
    app
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_office_and_the_team_leader_get_the_proposed_structure() {
    let app = world().await;
    for who in ["office", "chenjg"] {
        let token = app.api_token(who, PASSWORD).await;
        let (status, body) = app
            .api_post(PATH, Some(&token), json!({ "text": NEWS }))
            .await;
        assert_eq!(status, StatusCode::OK, "{who}: {body}");
        let groups: Vec<Vec<String>> = body["problem_groups"]
            .as_array()
            .expect("problem_groups")
            .iter()
            .map(strings)
            .collect();
        assert_eq!(
            groups,
            [
                vec!["贯彻落实乡村振兴战略不够有力", "涉农资金监管存在漏洞"],
                vec!["基层党组织建设薄弱", "党员发展、教育、管理不规范"],
            ]
        );
        assert_eq!(
            strings(&body["recommendations"]),
            ["提高政治站位", "压实管党治党责任", "加强基层党组织建设"]
        );
        assert_eq!(body["unit"], "县农业农村局党组");
        assert_eq!(body["inspection_body"], "县委第二巡察组");
        assert_eq!(body["team_leader"], "陈建国");
        assert_eq!(body["onsite_from"], "2022-03-08");
        assert_eq!(body["onsite_to"], "2022-05-06");
        assert_eq!(body["feedback_date"], "2022-06-28");
        assert_eq!(body["clues_transferred_to"], json!([]));
        assert!(strings(&body["requirements"]).is_empty(), "{body}");
        assert_eq!(body["warnings"], json!([]), "{body}");
    }
}

#[tokio::test]
async fn a_stated_count_that_disagrees_is_a_warning() {
    let app = world().await;
    let token = app.api_token("office", PASSWORD).await;
    let text = NEWS.replace("三点意见建议", "四点意见建议");
    let (status, body) = app
        .api_post(PATH, Some(&token), json!({ "text": text }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        strings(&body["warnings"]),
        ["文中说有4条意见建议，识别出3条"]
    );
}

#[tokio::test]
async fn only_those_who_draft_feedback_may_ask_and_only_with_a_token() {
    let app = world().await;
    let (status, body) = app.api_post(PATH, None, json!({ "text": NEWS })).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    for who in ["lisi", "zhaowd"] {
        let token = app.api_token(who, PASSWORD).await;
        let (status, body) = app
            .api_post(PATH, Some(&token), json!({ "text": NEWS }))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        assert_api_error(&body, "forbidden");
    }
}

#[tokio::test]
async fn empty_or_missing_text_is_refused_naming_the_field() {
    let app = world().await;
    let token = app.api_token("office", PASSWORD).await;
    for body in [
        json!({ "text": "" }),
        json!({ "text": " \n\t " }),
        json!({}),
    ] {
        let (status, answer) = app.api_post(PATH, Some(&token), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_api_error(&answer, "bad_input");
        assert_eq!(detail_fields(&answer), ["text"], "{body}: {answer}");
    }
}

#[tokio::test]
async fn a_text_too_long_is_refused_and_a_body_over_the_limit_is_413() {
    let app = world().await;
    let token = app.api_token("office", PASSWORD).await;
    // Within the body limit but over the characters a text may have.
    let long = "问".repeat(xunshi_core::feedback_text::MAX_CHARS + 1);
    let (status, body) = app
        .api_post(PATH, Some(&token), json!({ "text": long }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(detail_fields(&body), ["text"]);
    // Over the body limit, refused before it is read.
    let huge = "a".repeat(300 * 1024);
    let (status, body) = app
        .api_post(PATH, Some(&token), json!({ "text": huge }))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_api_error(&body, "too_large");
}
