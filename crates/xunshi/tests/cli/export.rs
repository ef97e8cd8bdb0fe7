//! `xunshi ledger export`: the workbook it streams holds the rows the web's export gives the
//! same filter, in the same order within a unit, with the same totals line; a missing or
//! doubled filter is refused before anything is written.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use xunshi_core::id::Id;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::{LedgerExportRow, LedgerFilter, LedgerTotals, Services};
use xunshi_core::store::InspectionFilter;
use xunshi_store::{Argon2Secrets, Db};

use super::{Instance, assert_success, block_on, stderr, stdout};

/// The first row of measures in the sheet (title, subtitle and header above it).
const FIRST: u32 = 3;

/// The sheet's rows: (序号, 整改措施, 佐证材料) of each measure, and the totals line.
pub(super) fn read_ledger(path: &Path) -> (Vec<(String, String, String)>, String) {
    let mut wb: Xlsx<_> = open_workbook(path).expect("the export opens as .xlsx");
    assert_eq!(wb.sheet_names(), vec!["整改台账".to_string()]);
    let r = wb.worksheet_range("整改台账").expect("the sheet");
    let text = |row: u32, col: u32| match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    assert_eq!(text(2, 0), "序号");
    assert_eq!(text(2, 5), "整改措施");
    assert_eq!(text(2, 16), "追责问责情况");
    let mut rows = Vec::new();
    let mut row = FIRST;
    while !text(row, 0).is_empty() {
        rows.push((text(row, 0), text(row, 5), text(row, 14)));
        row += 1;
    }
    // One blank row, then the totals.
    (rows, text(row + 1, 0))
}

/// What the web's export (`Services::ledger_export`, as the office sees everything) gives
/// under each filter, one after another.
fn web_rows(x: &Instance, filters: Vec<LedgerFilter>) -> Vec<LedgerExportRow> {
    let url = x.url();
    block_on(async move {
        let db = Db::open(&url, 1).await.expect("open the database");
        let s = Services::new(db.clone(), std::sync::Arc::new(Argon2Secrets::new()));
        let mut rows = Vec::new();
        for f in filters {
            rows.extend(
                s.ledger_export(&Actor::system(), &f)
                    .await
                    .expect("the web's export")
                    .rows,
            );
        }
        db.close().await;
        rows
    })
}

/// The inspections of the round of the inspection with the most tasks, and the round's id.
fn a_round(x: &Instance, all: &[LedgerExportRow]) -> (Id, Vec<Id>) {
    let url = x.url();
    let inspection = all[0].entry.task.inspection_id;
    block_on(async move {
        let db = Db::open(&url, 1).await.expect("open the database");
        let s = Services::new(db.clone(), std::sync::Arc::new(Argon2Secrets::new()));
        let sys = Actor::system();
        let (insp, _) = s.get_inspection(&sys, inspection).await.unwrap();
        let list = s
            .list_inspections(
                &sys,
                &InspectionFilter {
                    round_id: Some(insp.round_id),
                    ..Default::default()
                },
                PageRequest::first(500),
            )
            .await
            .unwrap();
        db.close().await;
        (insp.round_id, list.items.iter().map(|i| i.id).collect())
    })
}

fn cells(rows: &[LedgerExportRow]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|r| {
            (
                r.entry.task.seq.clone(),
                r.entry.task.measure.clone(),
                r.evidence.join("\n"),
            )
        })
        .collect()
}

#[test]
fn ledger_export_streams_the_rows_the_web_export_shows_by_unit_round_and_all() {
    let x = Instance::sqlite();
    assert_success(
        &x.run(&["generate", "--tasks", "400", "--quiet"], None),
        "generate",
    );
    let dir = tempfile::tempdir().expect("a folder for the files");
    let all = web_rows(&x, vec![LedgerFilter::default()]);
    assert_eq!(all.len(), 400);

    // A unit, named by its exact name: the web's rows, in the web's order.
    let unit = all
        .iter()
        .map(|r| &r.entry.unit_name)
        .max_by_key(|n| all.iter().filter(|r| &r.entry.unit_name == *n).count())
        .unwrap()
        .clone();
    let unit_id = all
        .iter()
        .find(|r| r.entry.unit_name == unit)
        .unwrap()
        .entry
        .task
        .unit_id;
    let expected = web_rows(
        &x,
        vec![LedgerFilter {
            unit_id: Some(unit_id),
            ..Default::default()
        }],
    );
    assert!(expected.len() > 100, "the unit has {} rows", expected.len());
    let path = dir.path().join("单位.xlsx");
    let out = x.run(
        &[
            "ledger",
            "export",
            "--unit",
            &unit,
            "--out",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_success(&out, "ledger export --unit");
    assert!(
        stdout(&out).contains(&format!("已导出 {} 项", expected.len())),
        "{}",
        stdout(&out)
    );
    let (rows, totals) = read_ledger(&path);
    assert_eq!(rows, cells(&expected));
    assert_eq!(totals, LedgerTotals::of(&expected).text());
    assert!(totals.starts_with(&format!("合计：共 {} 项", expected.len())));
    // The title names the unit.
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let r = wb.worksheet_range("整改台账").unwrap();
    assert_eq!(
        r.get_value((0, 0)),
        Some(&Data::String(format!("{unit}巡视整改台账")))
    );

    // The same as CSV, in UTF-8 with a byte-order mark: a line per measure under the header.
    let csv = dir.path().join("单位.csv");
    let out = x.run(
        &[
            "ledger",
            "export",
            "--unit",
            &unit,
            "--format",
            "csv",
            "--out",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert_success(&out, "ledger export --format csv");
    let text = String::from_utf8(std::fs::read(&csv).unwrap()).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    assert!(text.starts_with("序号,问题来源,"), "{text}");
    let firsts: Vec<&str> = text
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        firsts,
        expected
            .iter()
            .map(|r| r.entry.task.seq.as_str())
            .collect::<Vec<_>>()
    );

    // A round, by its id: the rows of each of its inspections.
    let (round, inspections) = a_round(&x, &all);
    let expected = web_rows(
        &x,
        inspections
            .iter()
            .map(|i| LedgerFilter {
                inspection_id: Some(*i),
                ..Default::default()
            })
            .collect(),
    );
    let path = dir.path().join("轮次.xlsx");
    let out = x.run(
        &[
            "ledger",
            "export",
            "--round",
            &round.to_string(),
            "--out",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_success(&out, "ledger export --round");
    let (rows, totals) = read_ledger(&path);
    let mut got = rows.clone();
    let mut want = cells(&expected);
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(totals, LedgerTotals::of(&expected).text());

    // One inspection of the round, by its id.
    let inspection = all[0].entry.task.inspection_id;
    assert!(inspections.contains(&inspection));
    let one = web_rows(
        &x,
        vec![LedgerFilter {
            inspection_id: Some(inspection),
            ..Default::default()
        }],
    );
    assert!(!one.is_empty());
    let path = dir.path().join("巡视.xlsx");
    let out = x.run(
        &[
            "ledger",
            "export",
            "--inspection",
            &inspection.to_string(),
            "--out",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_success(&out, "ledger export --inspection");
    let (rows, totals) = read_ledger(&path);
    let mut got = rows;
    let mut want = cells(&one);
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(totals, LedgerTotals::of(&one).text());

    // The whole ledger, to the default name in the current folder.
    let out = x
        .command()
        .args(["ledger", "export", "--all"])
        .current_dir(dir.path())
        .output()
        .expect("run xunshi");
    assert_success(&out, "ledger export --all");
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("整改台账-全部-")
        })
        .expect("the default file name");
    assert!(file.to_string_lossy().ends_with(".xlsx"));
    let (rows, totals) = read_ledger(&file);
    assert_eq!(rows.len(), 400);
    assert_eq!(totals, LedgerTotals::of(&all).text());
    // No part file is left behind.
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .path()
            .to_string_lossy()
            .ends_with(".part"))
    );
}

#[test]
fn ledger_export_refuses_a_missing_doubled_or_unknown_filter() {
    let x = Instance::sqlite();
    let dir = tempfile::tempdir().expect("a folder for the files");
    let path = dir.path().join("台账.xlsx");
    let out_arg = path.to_str().unwrap();

    let out = x.run(&["ledger", "export", "--out", out_arg], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--unit <UNIT>|--inspection <INSPECTION>|--round <ROUND>|--all"),
        "{}",
        stderr(&out)
    );

    let out = x.run(
        &[
            "ledger",
            "export",
            "--unit",
            "省委宣传部",
            "--round",
            "第1轮",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );

    let out = x.run(
        &[
            "ledger",
            "export",
            "--unit",
            "没有这个单位",
            "--out",
            out_arg,
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("没有编号或名称为“没有这个单位”的单位"),
        "{}",
        stderr(&out)
    );
    let out = x.run(
        &["ledger", "export", "--inspection", "1234", "--out", out_arg],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("“1234”不是有效的巡视任务编号"),
        "{}",
        stderr(&out)
    );
    let out = x.run(
        &[
            "ledger",
            "export",
            "--round",
            "第九十九轮",
            "--out",
            out_arg,
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("没有编号或名称为“第九十九轮”的轮次"),
        "{}",
        stderr(&out)
    );
    assert!(!path.exists(), "nothing is written for a refused filter");
}
