//! The archive package (归档包) of an archived inspection, for its page and the API: every
//! record of the inspection in one folder per kind — the documents the system writes as `.docx`
//! in the paper's layout, the ledger as its workbook, the files people uploaded as they came,
//! the other records as JSON as the API answers them — with the audit extract, a catalogue
//! workbook and a manifest of SHA-256 hashes (`xunshi_office::PackageWriter`).
//!
//! Everything is read through the services as the person asking, so each read the core audits
//! (a paper, a file, a clue) is audited for the package as for its page; the core decides who
//! may take a package at all (`archive_package_scope`: the office, an archived inspection).
//! Sealed fields (a talk's record, a letter writer's identity) stay sealed: the records list
//! them without their sealed content.

use std::io::{Seek, Write};

use serde::Serialize;
use xunshi_core::audit::AuditRecord;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::{
    AccountabilityQuery, ClueListFilter, FilingQuery, FollowUpQuery, LedgerFilter, MechanismQuery,
    may_view_filings,
};
use xunshi_core::store::{DocFilter, LetterFilter, PlanFilter, TransferFilter};
use xunshi_core::{CoreError, Id};
use xunshi_office::{OfficeError, PackageWriter, official_docx, table_csv};

use super::docx;
use super::files::safe_file_name;
use super::ledger::ledger_workbook;
use crate::AppState;

/// How many rows each list is read by.
const PAGE: u32 = 200;

fn office(e: OfficeError) -> CoreError {
    CoreError::internal(e)
}

fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, CoreError> {
    serde_json::to_vec_pretty(v).map_err(CoreError::internal)
}

/// A name safe as one part of a path in the package: no separators or control characters,
/// at most 60 characters.
fn part(name: &str) -> String {
    let cleaned: String = safe_file_name(name).chars().take(60).collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        "_".into()
    } else {
        trimmed.to_owned()
    }
}

/// Every page of a list, read `PAGE` rows at a time: `every!(at => s.list_x(actor, &f, at))`.
macro_rules! every {
    ($at:ident => $fetch:expr) => {{
        let mut out = Vec::new();
        let mut $at = PageRequest::first(PAGE);
        loop {
            let page = $fetch.await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => $at = PageRequest::parse(Some(&c), Some(PAGE))?,
                None => break,
            }
        }
        out
    }};
}

/// The audit extract as CSV, the action by its name.
fn trail_csv(trail: &[AuditRecord]) -> Result<Vec<u8>, CoreError> {
    let rows: Vec<Vec<String>> = trail
        .iter()
        .map(|r| {
            let action = xunshi_core::audit::Action::parse(&r.action)
                .map_or_else(|| r.action.clone(), |a| a.label().to_owned());
            vec![
                r.seq.to_string(),
                r.at.clone(),
                r.actor_name.clone(),
                action,
                r.object_type.clone(),
                r.object_id.clone().unwrap_or_default(),
                r.summary.clone(),
                r.hash.clone(),
            ]
        })
        .collect();
    let columns = [
        "序号",
        "时间",
        "操作人",
        "操作",
        "对象类型",
        "对象",
        "摘要",
        "哈希",
    ];
    table_csv(&columns, &rows).map_err(CoreError::internal)
}

/// A list of records as one JSON file, counted in its title (`问责记录3条`); nothing when the
/// list is empty.
fn add_list<T: Serialize, W: Write + Seek>(
    p: &mut PackageWriter<W>,
    path: &str,
    kind: &str,
    measure: &str,
    rows: &[T],
) -> Result<(), CoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let title = format!("{kind}{}{measure}", rows.len());
    p.add(path, kind, &title, "", &json(&rows)?).map_err(office)
}

/// A document written as `.docx`, kept for its PDF.
struct Written {
    path: String,
    kind: String,
    title: String,
    date: String,
    docx: Vec<u8>,
}

/// The documents the package writes as `.docx`: with an office suite, each kept to be
/// converted to PDF at the end; without one, only counted for the package's note.
struct Documents<'a> {
    suite: Option<&'a std::path::Path>,
    written: Vec<Written>,
    count: usize,
}

impl<'a> Documents<'a> {
    fn new(suite: Option<&'a std::path::Path>) -> Self {
        Documents {
            suite,
            written: Vec::new(),
            count: 0,
        }
    }

    /// Writes `doc` as `.docx` at `path`, kept for its PDF where a suite will make one.
    fn add<W: Write + Seek>(
        &mut self,
        p: &mut PackageWriter<W>,
        path: &str,
        kind: &str,
        doc: &xunshi_office::OfficialDoc,
        date: &str,
    ) -> Result<(), CoreError> {
        let docx = official_docx(doc).map_err(office)?;
        p.add(path, kind, &doc.title, date, &docx).map_err(office)?;
        self.count += 1;
        if self.suite.is_some() {
            self.written.push(Written {
                path: path.to_owned(),
                kind: kind.to_owned(),
                title: doc.title.clone(),
                date: date.to_owned(),
                docx,
            });
        }
        Ok(())
    }

    /// Adds each document's PDF beside it, made by the office suite where the installation
    /// has one; where it has none or the conversion fails, a note says so and the package is
    /// still made (the `.docx` files are the documents; the PDFs are a convenience).
    async fn add_pdfs<W: Write + Seek>(self, p: &mut PackageWriter<W>) -> Result<(), CoreError> {
        if self.count == 0 {
            return Ok(());
        }
        let why = match self.suite {
            None => {
                "本系统未配置办公套件（office_suite），归档包中的公文仅有 .docx 格式".to_owned()
            }
            Some(suite) => {
                let sources: Vec<&[u8]> = self.written.iter().map(|w| w.docx.as_slice()).collect();
                match super::pdf::convert(suite, &sources).await {
                    Ok(pdfs) => {
                        for (w, pdf) in self.written.iter().zip(pdfs) {
                            let path = format!("{}.pdf", w.path.trim_end_matches(".docx"));
                            p.add(&path, &w.kind, &w.title, &w.date, &pdf)
                                .map_err(office)?;
                        }
                        return Ok(());
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the archive package's PDFs were not made");
                        format!("公文的 PDF 未能生成（{e}），归档包中的公文仅有 .docx 格式")
                    }
                }
            }
        };
        p.add(
            "00-说明/PDF说明.txt",
            "说明",
            "公文的PDF",
            "",
            format!("{why}。\n").as_bytes(),
        )
        .map_err(office)
    }
}

/// What the package holds of each kind of record, for its counts (归档统计): how many, or
/// why none are in it.
#[derive(Default)]
struct Counts(Vec<(&'static str, String)>);

impl Counts {
    fn add(&mut self, kind: &'static str, n: usize) {
        self.0.push((kind, n.to_string()));
    }

    fn csv(&self) -> Result<Vec<u8>, CoreError> {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|(k, n)| vec![(*k).to_owned(), n.clone()])
            .collect();
        table_csv(&["类别", "数量"], &rows).map_err(CoreError::internal)
    }
}

/// One kind of fieldwork register as JSON, or — when the asker may not read it — its refusal
/// noted for the package's note; counted either way. Any other failure ends the package.
fn fieldwork<T: Serialize, W: Write + Seek>(
    p: &mut PackageWriter<W>,
    counts: &mut Counts,
    left_out: &mut Vec<String>,
    kind: &'static str,
    path: &str,
    read: Result<Vec<T>, CoreError>,
) -> Result<(), CoreError> {
    match read {
        Ok(rows) => {
            counts.add(kind, rows.len());
            add_list(p, path, kind, "件", &rows)
        }
        Err(CoreError::Forbidden(why)) => {
            counts.0.push((kind, "未收入".to_owned()));
            left_out.push(format!("{kind}：{why}"));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The package of inspection `id` ([`archive_package`]) written to an unnamed file in the
/// upload folder, on the data disk rather than in memory or a `/tmp` that may be memory too,
/// and the name to offer it under. The file goes when it is closed.
pub async fn archive_package_file(
    app: &AppState,
    actor: &Actor,
    id: Id,
) -> Result<(std::fs::File, String), CoreError> {
    let dir = app.config.upload_dir.clone();
    let file = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)?;
        tempfile::tempfile_in(&dir)
    })
    .await
    .map_err(CoreError::internal)?
    .map_err(|e| CoreError::internal(format!("the archive package cannot be written: {e}")))?;
    let (out, name) = archive_package(app, actor, id, std::io::BufWriter::new(file)).await?;
    let file = out.into_inner().map_err(|e| {
        CoreError::internal(format!(
            "the archive package cannot be written: {}",
            e.error()
        ))
    })?;
    Ok((file, name))
}

/// Writes the package of inspection `id` as a `.zip` into `out`, file by file, and gives
/// `out` back with the name to offer the package under. A package holds every file uploaded
/// to the inspection: written to a file (`out`), it is never held in memory whole.
pub async fn archive_package<W: Write + Seek + Send>(
    app: &AppState,
    actor: &Actor,
    id: Id,
    out: W,
) -> Result<(W, String), CoreError> {
    let s = &app.services;
    let scope = s.archive_package_scope(actor, id).await?;
    let insp = &scope.inspection;
    let team = docx::team_full_name(app, actor, insp).await;
    // The files are dated as the package is made, in China time.
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let made = s.now().to_zoned_datetime(tz).datetime();
    let mut p = PackageWriter::new(out, &team, made);
    let mut docs = Documents::new(app.config.office_suite.as_deref());
    let mut counts = Counts::default();
    let day = |t: jiff::Timestamp| xunshi_core::service::today(t).to_string();

    let (view, _) = s.inspection_view(actor, id).await?;
    let planned = day(insp.created_at);
    p.add(
        "01-巡视任务/巡视任务.json",
        "巡视任务",
        &team,
        &planned,
        &json(&view)?,
    )
    .map_err(office)?;

    let problems = s.list_problems(actor, id, &Default::default()).await?;
    counts.add("问题底稿", problems.len());
    for summary in problems {
        let d = s.get_problem(actor, summary.id).await?;
        let name = format!("底稿-{:03}", d.problem.seq);
        let date = day(d.problem.created.at);
        p.add(
            &format!("02-问题底稿/{name}.json"),
            "问题底稿",
            &d.problem.title,
            &date,
            &json(&d)?,
        )
        .map_err(office)?;
        for (k, e) in d.evidence.iter().enumerate() {
            let (e, bytes) = s.download_evidence(actor, e.id).await?;
            let path = format!(
                "02-问题底稿/佐证材料/{name}-{}-{}",
                k + 1,
                part(&e.filename)
            );
            let title = format!("{}（{}）", e.filename, d.problem.title);
            p.add(&path, "佐证材料", &title, &day(e.uploaded.at), &bytes)
                .map_err(office)?;
        }
    }

    let mut reports = Vec::new();
    for (n, r) in s.list_reports(actor, id).await?.into_iter().enumerate() {
        reports.push(r.id);
        let d = s.report_detail(actor, r.id).await?;
        p.add(
            &format!("03-巡视报告/报告-{}-{}.json", n + 1, part(&r.title)),
            "巡视报告",
            &r.title,
            &day(r.created.at),
            &json(&d)?,
        )
        .map_err(office)?;
    }

    if let Some(f) = s.get_feedback(actor, id).await? {
        let doc = docx::feedback_doc(app, actor, id).await?;
        let date = f.meeting.date.map(|d| d.to_string()).unwrap_or_default();
        docs.add(&mut p, "04-反馈意见/反馈意见.docx", "反馈意见", &doc, &date)?;
        p.add(
            "04-反馈意见/反馈意见.json",
            "反馈意见",
            &doc.title,
            &date,
            &json(&f)?,
        )
        .map_err(office)?;
    }

    let clues = every!(at => s.list_clues(
        actor,
        &ClueListFilter {
            inspection_id: Some(id),
            ..Default::default()
        },
        at,
    ));
    counts.add("问题线索", clues.len());
    add_list(
        &mut p,
        "05-问题线索/线索清单.json",
        "问题线索",
        "条",
        &clues,
    )?;
    let transfers = every!(at => s.list_transfers(
        actor,
        &TransferFilter {
            inspection_id: Some(id),
            ..Default::default()
        },
        at,
    ));
    for (n, t) in transfers.into_iter().enumerate() {
        let letter = s.get_transfer(actor, t.id).await?;
        let doc = docx::transfer_doc(&letter);
        let path = format!("05-问题线索/移交函-{}-{}.docx", n + 1, part(&t.letter_no));
        docs.add(&mut p, &path, "移交函", &doc, &t.transferred_on.to_string())?;
    }

    let plans = every!(at => s.list_rect_plans(
        actor,
        &PlanFilter {
            inspection_id: Some(id),
            ..Default::default()
        },
        at,
    ));
    for (n, plan) in plans.into_iter().enumerate() {
        let d = s.rect_plan_detail(actor, plan.id).await?;
        let doc = docx::plan_doc(&d);
        let name = format!("{}-{}", n + 1, part(&doc.title));
        let date = d
            .plan
            .approved_at
            .or(d.plan.submitted_at)
            .map(day)
            .unwrap_or_default();
        docs.add(
            &mut p,
            &format!("06-整改方案/{name}.docx"),
            "整改方案",
            &doc,
            &date,
        )?;
        p.add(
            &format!("06-整改方案/{name}.json"),
            "整改方案",
            &doc.title,
            &date,
            &json(&d)?,
        )
        .map_err(office)?;
    }

    let ledger = LedgerFilter {
        inspection_id: Some(id),
        ..Default::default()
    };
    let export = s.ledger_export(actor, &ledger).await?;
    counts.add("整改任务", export.rows.len());
    if !export.rows.is_empty() {
        let bytes = ledger_workbook(&export).map_err(office)?;
        let date = export.as_of.to_string();
        p.add(
            "07-整改台账/整改台账.xlsx",
            "整改台账",
            &export.title,
            &date,
            &bytes,
        )
        .map_err(office)?;
    }
    // Named by the task's row in the ledger workbook.
    for (n, entry) in export.rows.iter().enumerate() {
        let task = s.get_task(actor, entry.entry.task.id).await?;
        for (k, e) in task.evidence.iter().enumerate() {
            let (e, bytes) = s.download_task_evidence(actor, e.id).await?;
            let path = format!(
                "08-整改佐证材料/台账第{}项-{}-{}",
                n + 1,
                k + 1,
                part(&e.filename)
            );
            let title = format!("{}（{}）", e.filename, entry.entry.task.measure);
            p.add(&path, "整改佐证材料", &title, &day(e.uploaded.at), &bytes)
                .map_err(office)?;
        }
    }

    let documents = every!(at => s.list_rect_documents(
        actor,
        &DocFilter {
            inspection_id: Some(id),
            ..Default::default()
        },
        at,
    ));
    for (n, d) in documents.into_iter().enumerate() {
        let doc = docx::rect_doc(&d.document);
        let date = docx::document_date(&d.document)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let path = format!("09-整改报告与通报/{}-{}.docx", n + 1, part(&doc.title));
        docs.add(&mut p, &path, "整改报告与通报", &doc, &date)?;
    }

    let followups = every!(at => s.list_followups(
        actor,
        &FollowUpQuery {
            inspection_id: Some(id),
            ..Default::default()
        },
        at,
    ));
    for (n, f) in followups.into_iter().enumerate() {
        let doc = docx::followup_doc(&f);
        let path = format!("10-督办问责/督办-{}-{}.docx", n + 1, part(&f.notice.doc_no));
        docs.add(
            &mut p,
            &path,
            "督办文书",
            &doc,
            &f.notice.issued_on.to_string(),
        )?;
    }
    let accountability = every!(at => s.list_accountability(
        actor,
        &AccountabilityQuery {
            inspection_id: Some(id),
            ..Default::default()
        },
        at,
    ));
    add_list(
        &mut p,
        "10-督办问责/问责记录.json",
        "问责记录",
        "条",
        &accountability,
    )?;
    let mechanisms = every!(at => s.list_mechanisms(
        actor,
        &MechanismQuery {
            inspection_id: Some(id),
            ..Default::default()
        },
        at,
    ));
    add_list(
        &mut p,
        "10-督办问责/长效机制.json",
        "长效机制",
        "项",
        &mechanisms,
    )?;

    // Fieldwork registers, which the office holds once the inspection is archived (the
    // records' sealed fields stay sealed): should one be refused, a note names it, so the
    // archives know what the package leaves out and why.
    let mut left_out = Vec::new();
    let letters =
        async { Ok(every!(at => s.letters_page(actor, id, &LetterFilter::default(), at))) }.await;
    fieldwork(
        &mut p,
        &mut counts,
        &mut left_out,
        "来信来访",
        "11-进驻了解/来信来访.json",
        letters,
    )?;
    let talks = async { Ok(every!(at => s.talks_page(actor, id, at))) }.await;
    fieldwork(
        &mut p,
        &mut counts,
        &mut left_out,
        "个别谈话",
        "11-进驻了解/个别谈话.json",
        talks,
    )?;
    let requests = async { Ok(every!(at => s.doc_requests_page(actor, id, at))) }.await;
    fieldwork(
        &mut p,
        &mut counts,
        &mut left_out,
        "调阅材料",
        "11-进驻了解/调阅材料.json",
        requests,
    )?;
    let records = async { Ok(every!(at => s.field_records_page(actor, id, at))) }.await;
    fieldwork(
        &mut p,
        &mut counts,
        &mut left_out,
        "其他工作记录",
        "11-进驻了解/其他工作记录.json",
        records,
    )?;
    if !left_out.is_empty() {
        let note = format!(
            "以下进驻了解材料未收入本归档包：\n{}\n谈话记录正文、来信人身份等加密字段均不导出。\n",
            left_out.join("\n")
        );
        p.add(
            "11-进驻了解/未收入说明.txt",
            "说明",
            "未收入的材料",
            "",
            note.as_bytes(),
        )
        .map_err(office)?;
    }

    let title = format!("审计记录{}条", scope.trail.len());
    p.add(
        "12-审计记录/审计摘录.csv",
        "审计记录",
        &title,
        "",
        &trail_csv(&scope.trail)?,
    )
    .map_err(office)?;

    // The disposals of its records past their period (销毁清册), each with the hash of every
    // row and file that went: what the package no longer holds, and why.
    let disposals = every!(at => s.disposals(actor, None, Some(id), at));
    add_list(
        &mut p,
        "13-销毁清册/销毁清册.json",
        "销毁清册",
        "份",
        &disposals,
    )?;

    // 报备: what the committee filed upward of this inspection's report, its round and the
    // year's plan that holds it, as filed, with the answer from above (the top committee
    // files nothing, and its packages hold none).
    if may_view_filings(actor) {
        let round = s.get_round(actor, insp.round_id).await?;
        let mut filings = Vec::new();
        for subject in [round.plan_id, round.id].into_iter().chain(reports) {
            let q = FilingQuery {
                subject_id: Some(subject),
                ..Default::default()
            };
            filings.extend(every!(at => s.list_filings(actor, &q, at)));
        }
        for (n, f) in filings.iter().enumerate() {
            let doc = docx::filing_doc(f);
            let path = format!(
                "14-上下级报备/报备-{}-{}.docx",
                n + 1,
                part(&f.filing.title)
            );
            let date = xunshi_core::service::today(f.filing.filed.at).to_string();
            docs.add(&mut p, &path, "上下级报备", &doc, &date)?;
        }
        add_list(
            &mut p,
            "14-上下级报备/报备记录.json",
            "上下级报备",
            "份",
            &filings,
        )?;
    }

    // The counts the archives file the inspection under (归档统计), as the domain's archive
    // list asks: papers, talks, letters, documents reviewed, clues, tasks.
    p.add(
        "00-说明/归档统计.csv",
        "说明",
        "归档材料统计",
        "",
        &counts.csv()?,
    )
    .map_err(office)?;

    docs.add_pdfs(&mut p).await?;

    let out = p.finish().map_err(office)?;
    Ok((out, format!("归档包-{team}")))
}
