//! `xunshi import inspection`: a past inspection's ledger, as units keep it in a CSV file (a
//! title, section rows, a problem repeated over its measures, a totals row), previewed, created
//! with its plan, exported again, and refused the second time; the trail still verifies.

use serde_json::Value;
use xunshi_core::permission::Actor;
use xunshi_core::service::Services;
use xunshi_store::{Argon2Secrets, Db};

use super::export::read_ledger;
use super::{Instance, assert_success, block_on, stderr, stdout};

/// A unit directly under the top of the generated tree.
fn a_unit(x: &Instance) -> String {
    let url = x.url();
    block_on(async move {
        let db = Db::open(&url, 1).await.expect("open the database");
        let s = Services::new(db.clone(), std::sync::Arc::new(Argon2Secrets::new()));
        let tree = s.unit_tree(&Actor::system()).await.expect("the units");
        db.close().await;
        tree.into_iter()
            .find(|(depth, u)| *depth == 1 && !u.withdrawn)
            .expect("a unit under the top")
            .1
            .name
    })
}

const LEDGER: &str = "\
某单位巡视整改台账,,,,,,
序号,问题表现,整改措施,整改目标,责任领导,责任部门,完成时限
一、组织建设方面,一、组织建设方面,一、组织建设方面,一、组织建设方面,一、组织建设方面,一、组织建设方面,一、组织建设方面
1,1.干部选拔任用程序执行不严格,修订干部选拔任用工作规程,程序规范,张三,组织人事处,2021年9月底前
2,1.干部选拔任用程序执行不严格,开展干部档案专项审核,档案完整,张三,组织人事处,3个月内
二、党风廉政建设方面,二、党风廉政建设方面,二、党风廉政建设方面,二、党风廉政建设方面,二、党风廉政建设方面,二、党风廉政建设方面,二、党风廉政建设方面
3,2.专项资金监管不够严格,建立专项资金台账,资金监管到位,李四,财务处,长期坚持
4,3.公务接待管理不规范,修订接待管理办法,接待规范,李四,办公室,九月底
合计,共4项,,,,,
";

#[test]
fn import_inspection_previews_then_creates_the_inspection_with_its_plan_once() {
    let x = Instance::sqlite();
    assert_success(
        &x.run(&["generate", "--tasks", "200", "--quiet"], None),
        "generate",
    );
    let unit = a_unit(&x);
    let dir = tempfile::tempdir().expect("a folder for the files");
    let file = dir.path().join("整改台账.csv");
    std::fs::write(&file, LEDGER).unwrap();
    let path = file.to_str().unwrap();
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "import",
            "inspection",
            path,
            "--unit",
            unit.as_str(),
            "--feedback-date",
            "2021-06-18",
            "--team",
            "第二巡视组",
        ];
        a.extend_from_slice(extra);
        a
    };

    // The preview, as JSON: three problems under two headings of the 2020 taxonomy (the
    // ledger's sections name 2017 headings, read by their words), four rows of which one is
    // in error (exit 2), and nothing written.
    let out = x.run(&args(&["--dry-run", "--json"]), None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("the report as JSON");
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["inspection_id"], Value::Null);
    let problems: Vec<(String, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["number"].as_str().unwrap().to_owned(),
                p["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("1.1", "专项资金监管不够严格"),
            ("1.2", "公务接待管理不规范"),
            ("2.1", "干部选拔任用程序执行不严格"),
        ]
        .map(|(n, t)| (n.to_owned(), t.to_owned()))
    );
    assert_eq!(
        report["problems"][0]["category_name"],
        "落实全面从严治党战略部署（主体责任、监督责任）"
    );
    assert_eq!(
        report["problems"][0]["category_from"],
        "台账分类“二、党风廉政建设方面”（B6）按“廉”归入，请核对"
    );
    assert_eq!(
        report["problems"][2]["category_name"],
        "落实新时代党的组织路线"
    );
    assert_eq!(report["ledger"]["created"], 3);
    assert_eq!(report["ledger"]["errors"], 1);
    assert_eq!(
        report["ledger"]["rows"][3]["errors"][0],
        "第8行 完成时限（G8）“九月底”无法识别"
    );
    assert_eq!(report["ledger"]["skipped"][2]["reason"], "合计行");

    // Created: the rows not in error become the plan's tasks, and the report says where.
    let out = x.run(&args(&[]), None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("已创建"), "{text}");
    assert!(
        text.contains("问题 2.1 [落实新时代党的组织路线] 干部选拔任用程序执行不严格（第4、5行；"),
        "{text}"
    );
    let inspection = text
        .lines()
        .find_map(|l| l.strip_prefix("巡视任务 "))
        .and_then(|l| l.split('，').next())
        .expect("the new inspection's id")
        .to_owned();

    // The inspection's ledger exports with the three measures.
    let xlsx = dir.path().join("导出.xlsx");
    let out = x.run(
        &[
            "ledger",
            "export",
            "--inspection",
            &inspection,
            "--out",
            xlsx.to_str().unwrap(),
        ],
        None,
    );
    assert_success(&out, "ledger export --inspection");
    let (rows, _) = read_ledger(&xlsx);
    let measures: Vec<(&str, &str)> = rows
        .iter()
        .map(|(seq, measure, _)| (seq.as_str(), measure.as_str()))
        .collect();
    assert_eq!(
        measures,
        [
            ("1.1.1", "建立专项资金台账"),
            ("2.1.1", "修订干部选拔任用工作规程"),
            ("2.1.2", "开展干部档案专项审核"),
        ]
    );

    // The same inspection again is refused, and the trail verifies.
    let out = x.run(&args(&["--dry-run"]), None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("已在系统中"), "{}", stderr(&out));
    assert_success(&x.run(&["audit", "verify"], None), "audit verify");
}
