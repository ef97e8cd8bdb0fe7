//! `xunshi ledger import FILE --plan PLAN [--dry-run] [--json]`: a unit's existing ledger into
//! its draft plan, through the same reader as the page and the API
//! (`xunshi_web::http::ledger_import`) and the same service, as the operator (who acts for
//! everyone, as when loading the demo). The report is the API's, as JSON or as lines.
//!
//! `xunshi import inspection FILE --unit U --feedback-date D [--dry-run] [--json]`: a past
//! inspection with its plan from the unit's ledger, read the same way, as the operator; the
//! report lists the problems it creates with their headings, then the rows as for a plan.
//!
//! `xunshi ledger export --unit U | --inspection I | --round R | --all [--out FILE]`: the ledger as the
//! web's workbook (`xunshi_web::http::ledger::ledger_row`, `xunshi_office::LedgerWriter`), but
//! read page by page (`Services::ledger_export_stream`) and written row by row in constant
//! memory, so that it has no cap; as the operator, like the import.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use xunshi_core::page::PageRequest;
use xunshi_core::service::{LedgerFilter, LedgerTotals};
use xunshi_core::store::InspectionFilter;
use xunshi_office::{LedgerColumns, LedgerCsvWriter, LedgerWriter};
use xunshi_web::http::ledger::{ledger_row, ledger_subtitle};

use crate::cli::{ExportFormat, ImportInspectionArgs, LedgerExportArgs};

use xunshi_core::permission::Actor;
use xunshi_core::service::{
    LedgerImport, LedgerImportReport, PastInspectionInput, RowOutcome, Services,
};
use xunshi_core::text::for_terminal;
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;
use xunshi_web::http::ledger_import::read_ledger_file;

/// The largest file read: as large as an upload through the pages may be.
const MAX_FILE_BYTES: u64 = xunshi_core::paper::MAX_EVIDENCE_BYTES as u64;

/// Reads the ledger file; a file too large or that is no ledger is refused with the reason.
pub fn read(path: &Path) -> Result<LedgerImport, String> {
    let shown = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", for_terminal(&shown)))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{}: 文件超过 {} MB",
            for_terminal(&shown),
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", for_terminal(&shown)))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(m) = xunshi_core::text::problem(&name) {
        return Err(format!("文件名{m}"));
    }
    read_ledger_file(&name, &bytes).map_err(|e| message(&e))
}

fn message(e: &CoreError) -> String {
    match e.fields() {
        Some(fields) => fields
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        None => e.to_string(),
    }
}

pub async fn import(
    services: &Services<Db>,
    plan: &str,
    ledger: &LedgerImport,
    dry_run: bool,
    json: bool,
) -> Result<ExitCode, String> {
    let plan: Id = plan
        .trim()
        .parse()
        .map_err(|_| format!("“{}”不是有效的整改方案编号", for_terminal(plan)))?;
    let report = services
        .import_ledger(&Actor::system(), plan, ledger, dry_run)
        .await
        .map_err(|e| message(&e))?;
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print_report(&report);
    }
    Ok(if report.errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

pub async fn import_inspection(
    services: &Services<Db>,
    a: &ImportInspectionArgs,
    ledger: &LedgerImport,
) -> Result<ExitCode, String> {
    let input = PastInspectionInput {
        unit: a.unit.clone(),
        feedback_date: a.feedback_date.clone(),
        round: a.round.clone(),
        team_name: a.team.clone(),
        category: a.category.clone(),
    };
    let report = services
        .import_past_inspection(&Actor::system(), &input, ledger, a.dry_run)
        .await
        .map_err(|e| message(&e))?;
    if a.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        println!(
            "{}：{} {}（{}），{} 反馈，整改情况报告时限 {}；问题分类：{}",
            for_terminal(&report.unit_name),
            for_terminal(&report.round_name),
            for_terminal(&report.team_name),
            if report.dry_run {
                "预览"
            } else {
                "已创建"
            },
            report.feedback_date,
            report.report_deadline,
            for_terminal(&report.taxonomy)
        );
        for p in &report.problems {
            let lines: Vec<String> = p.lines.iter().map(u32::to_string).collect();
            println!(
                "问题 {} [{}] {}（第{}行；{}）",
                p.number,
                for_terminal(&p.category_name),
                for_terminal(&p.title),
                lines.join("、"),
                for_terminal(&p.category_from)
            );
        }
        print_report(&report.ledger);
        if let (Some(i), Some(p)) = (report.inspection_id, report.plan_id) {
            println!("巡视任务 {i}，整改方案 {p}（草稿）");
        }
    }
    Ok(if report.ledger.errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(r: &LedgerImportReport) {
    for note in &r.notes {
        println!("{}", for_terminal(note));
    }
    for s in &r.skipped {
        println!("第{}行 跳过：{}", s.line, for_terminal(&s.reason));
    }
    for row in &r.rows {
        let seq = row.task_seq.as_deref().unwrap_or("—");
        let matched = match &row.matched {
            Some(m) if m.exact => format!("问题 {}", m.number),
            Some(m) => format!(
                "问题 {}（相似度 {}%：{}）",
                m.number,
                m.score,
                for_terminal(&m.title)
            ),
            None => "未匹配".to_owned(),
        };
        println!(
            "第{}行 {} {seq} {matched} {}{}",
            row.line,
            row.outcome.label(),
            for_terminal(&row.measure),
            if row.outcome == RowOutcome::Update {
                format!("（变更：{}）", row.changes.join("、"))
            } else {
                String::new()
            }
        );
        for e in &row.errors {
            println!("    {}", for_terminal(e));
        }
    }
    for p in &r.problems_without_rows {
        println!("无对应行的反馈问题：{}", for_terminal(p));
    }
    println!(
        "{}：新增 {}，更新 {}，无变化 {}，错误 {}",
        if r.dry_run {
            "预览（未写入）"
        } else {
            "已导入"
        },
        r.created,
        r.updated,
        r.unchanged,
        r.errors
    );
}

/// Where the rows go.
enum Sink {
    Xlsx(Box<LedgerWriter>),
    Csv(LedgerCsvWriter<std::io::BufWriter<std::fs::File>>),
}

/// What an export covers: the filters read in turn, the sheet's title and the name the file
/// gets by default.
struct Selection {
    filters: Vec<LedgerFilter>,
    title: String,
    name: String,
}

async fn select(services: &Services<Db>, a: &LedgerExportArgs) -> Result<Selection, String> {
    let actor = Actor::system();
    if let Some(unit) = &a.unit {
        let unit = services
            .resolve_unit(&actor, unit.trim())
            .await
            .map_err(|_| format!("没有编号或名称为“{}”的单位", for_terminal(unit)))?;
        return Ok(Selection {
            filters: vec![LedgerFilter {
                unit_id: Some(unit.id),
                ..Default::default()
            }],
            title: format!("{}巡视整改台账", unit.name),
            name: unit.name,
        });
    }
    if let Some(raw) = &a.inspection {
        let id: Id = raw
            .trim()
            .parse()
            .map_err(|_| format!("“{}”不是有效的巡视任务编号", for_terminal(raw)))?;
        let (insp, _) = services
            .get_inspection(&actor, id)
            .await
            .map_err(|e| message(&e))?;
        let round = services
            .get_round(&actor, insp.round_id)
            .await
            .map_err(|e| message(&e))?;
        let name = format!("{}{}", round.name, insp.team_name);
        return Ok(Selection {
            filters: vec![LedgerFilter {
                inspection_id: Some(id),
                ..Default::default()
            }],
            title: format!("{name}巡视整改台账"),
            name,
        });
    }
    let Some(raw) = &a.round else {
        if a.all {
            return Ok(Selection {
                filters: vec![LedgerFilter::default()],
                title: "巡视整改台账".into(),
                name: "全部".into(),
            });
        }
        return Err("请用 --unit、--inspection、--round 或 --all 指定导出范围".into());
    };
    let raw = raw.trim();
    let round = match raw.parse::<Id>() {
        Ok(id) => services
            .get_round(&actor, id)
            .await
            .map_err(|e| message(&e))?,
        Err(_) => {
            let mut named: Vec<_> = services
                .list_rounds(&actor, None)
                .await
                .map_err(|e| message(&e))?
                .into_iter()
                .filter(|r| r.name == raw)
                .collect();
            match named.len() {
                0 => return Err(format!("没有编号或名称为“{}”的轮次", for_terminal(raw))),
                1 => named.remove(0),
                _ => {
                    let ids: Vec<String> = named
                        .iter()
                        .map(|r| format!("{}（{}年）", r.id, r.year))
                        .collect();
                    return Err(format!(
                        "名为“{}”的轮次有 {} 个，请用编号指定：{}",
                        for_terminal(raw),
                        named.len(),
                        ids.join("，")
                    ));
                }
            }
        }
    };
    let mut filters = Vec::new();
    let mut page = PageRequest::first(xunshi_core::page::MAX_LIMIT);
    loop {
        let p = services
            .list_inspections(
                &actor,
                &InspectionFilter {
                    round_id: Some(round.id),
                    ..Default::default()
                },
                page,
            )
            .await
            .map_err(|e| message(&e))?;
        filters.extend(p.items.iter().map(|i| LedgerFilter {
            inspection_id: Some(i.id),
            ..Default::default()
        }));
        match p.next_cursor {
            Some(c) => page.after = Some(c.parse().map_err(|e| message(&e))?),
            None => break,
        }
    }
    Ok(Selection {
        filters,
        title: format!("{}巡视整改台账", round.name),
        name: round.name,
    })
}

/// A file name from a unit's, team's or round's name: no separators or characters that
/// file systems refuse.
fn file_name(name: &str, date: jiff::civil::Date, ext: &str) -> PathBuf {
    let clean = xunshi_web::http::files::safe_file_name(name);
    PathBuf::from(format!("整改台账-{clean}-{date}.{ext}"))
}

pub async fn export(services: &Services<Db>, a: &LedgerExportArgs) -> Result<ExitCode, String> {
    let sel = select(services, a).await?;
    let mut stream = services
        .ledger_export_stream(&Actor::system(), sel.filters)
        .await
        .map_err(|e| message(&e))?;
    let out = a.out.clone().unwrap_or_else(|| {
        let ext = match a.format {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        };
        file_name(&sel.name, stream.as_of, ext)
    });
    let shown = out.display().to_string();
    // Written beside the target and renamed at the end, so a failed export leaves no
    // half-written workbook under the name asked for.
    let mut part = out.clone().into_os_string();
    part.push(".part");
    let part = PathBuf::from(part);

    let bar = if a.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(stream.total.max(0) as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("[{elapsed_precise}] {wide_bar} {pos}/{len} 项 ({eta})")
            .expect("a valid template"),
    );
    // The workbook cannot know ahead whether a row will fill 建立制度 or 追责问责情况, so a
    // streamed ledger always has both columns.
    let mut sink = match a.format {
        ExportFormat::Xlsx => Sink::Xlsx(Box::new(
            LedgerWriter::streaming(
                &sel.title,
                &ledger_subtitle(stream.as_of),
                LedgerColumns::All,
            )
            .map_err(|e| e.to_string())?,
        )),
        ExportFormat::Csv => {
            let file = std::fs::File::create(&part)
                .map_err(|e| format!("{}: {e}", for_terminal(&shown)))?;
            Sink::Csv(
                LedgerCsvWriter::new(std::io::BufWriter::new(file), LedgerColumns::All)
                    .map_err(|e| format!("{}: {e}", for_terminal(&shown)))?,
            )
        }
    };
    let mut totals = LedgerTotals::new();
    let mut written = 0usize;
    let result = async {
        while let Some(rows) = services
            .ledger_export_next(&mut stream)
            .await
            .map_err(|e| message(&e))?
        {
            for r in &rows {
                totals.add(&r.entry);
                let row = ledger_row(r);
                match &mut sink {
                    Sink::Xlsx(w) => w.push(row).map_err(|e| e.to_string())?,
                    Sink::Csv(w) => w
                        .push(&row)
                        .map_err(|e| format!("{}: {e}", for_terminal(&shown)))?,
                }
                written += 1;
            }
            bar.inc(rows.len() as u64);
        }
        match sink {
            Sink::Xlsx(w) => w
                .finish_to_path(&totals.text(), &part)
                .map_err(|e| format!("{}: {e}", for_terminal(&shown))),
            Sink::Csv(w) => w
                .finish()
                .map(drop)
                .map_err(|e| format!("{}: {e}", for_terminal(&shown))),
        }
    }
    .await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    std::fs::rename(&part, &out).map_err(|e| format!("{}: {e}", for_terminal(&shown)))?;
    bar.finish_and_clear();
    println!("已导出 {written} 项到 {}", for_terminal(&shown));
    println!("{}", for_terminal(&totals.text()));
    Ok(ExitCode::SUCCESS)
}
