//! Documents of an inspection as `.docx`, for their pages and for the API: the feedback
//! (反馈意见), the rectification plan (整改方案, with its leading group and the three lists as a
//! table), the clue transfer letter (移交函, with the list of clues annexed), a follow-up notice
//! (提醒书、督办通知书…), the rectification reports and public notices, and a filing upward
//! (报备) with the answer from above.
//!
//! Each is made from what the service that shows it on its page answered the same person, so
//! the file is refused where the page is, and a read the core audits (a transfer's clues) is
//! audited for the file as for the page. The layout is the paper's: `xunshi_office` writes it.

use axum::response::Response;
use xunshi_core::clue::Confidentiality;
use xunshi_core::disclosure::{DocKind, RectDocument};
use xunshi_core::inspection::Inspection;
use xunshi_core::permission::Actor;
use xunshi_core::report::chinese_number;
use xunshi_core::service::{FilingEntry, FollowUpEntry, PlanDetail, TransferLetter, today};
use xunshi_core::{CoreError, Id};
use xunshi_office::{
    Annex, Block, DocTable, OfficialDoc, chinese_date, official_docx, parse_blocks,
};

use super::files::attachment;
use crate::AppState;

/// A sentence as documents end it: with its full stop, unless it has one.
pub fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(['。', '！', '？', '；', '.', '!', '?']) {
        t.to_owned()
    } else {
        format!("{t}。")
    }
}

/// The non-blank lines of a typed text, each a paragraph.
fn lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
}

/// The name of a unit as the actor may read it, or its id when they may not read units (the
/// inspected unit reading its own feedback names the dispatcher by what it is given).
async fn unit_name(app: &AppState, actor: &Actor, id: Id) -> String {
    app.services
        .get_unit(actor, id)
        .await
        .map(|u| u.name)
        .unwrap_or_else(|_| id.to_string())
}

/// The team as documents name it, with its dispatcher: 自治区党委第三巡视组.
pub async fn team_full_name(app: &AppState, actor: &Actor, insp: &Inspection) -> String {
    let dispatcher = unit_name(app, actor, insp.dispatcher_id).await;
    if insp.team_name.starts_with(&dispatcher) {
        insp.team_name.clone()
    } else {
        format!("{dispatcher}{}", insp.team_name)
    }
}

/// The feedback's title: 自治区党委第三巡视组关于巡视自治区党委宣传部的反馈意见.
pub async fn feedback_title(app: &AppState, actor: &Actor, insp: &Inspection) -> String {
    let mut units = Vec::new();
    for u in &insp.target_ids {
        units.push(unit_name(app, actor, *u).await);
    }
    format!(
        "{}关于巡视{}的反馈意见",
        team_full_name(app, actor, insp).await,
        units.join("、")
    )
}

/// The feedback of an inspection as the paper lays it out: the overall assessment, the
/// problems found in groups by category, the recommendations (一是、二是…), the demands and
/// the date to report by, signed by the team on the date of the feedback meeting. What the
/// person may not read (a draft, for the inspected unit) is refused by `get_feedback`.
pub async fn feedback_doc(
    app: &AppState,
    actor: &Actor,
    inspection_id: Id,
) -> Result<OfficialDoc, CoreError> {
    let (insp, _) = app.services.get_inspection(actor, inspection_id).await?;
    let f = app
        .services
        .get_feedback(actor, inspection_id)
        .await?
        .ok_or_else(|| CoreError::NotFound("反馈意见".into()))?;
    let mut blocks = vec![Block::Heading1("一、总体评价".into())];
    blocks.extend(lines(&f.assessment).map(Block::Para));
    blocks.push(Block::Heading1("二、巡视发现的主要问题".into()));
    for (i, g) in f.groups.iter().enumerate() {
        blocks.push(Block::Heading2(format!(
            "（{}）{}方面",
            chinese_number(i + 1),
            g.category_name
        )));
        for (n, item) in g.items.iter().enumerate() {
            blocks.push(Block::Para(format!("{}. {}", n + 1, sentence(&item.title))));
        }
    }
    blocks.push(Block::Heading1("三、意见建议".into()));
    for (i, r) in f.recommendations.iter().enumerate() {
        blocks.push(Block::Para(format!(
            "{}是{}",
            chinese_number(i + 1),
            sentence(r)
        )));
    }
    blocks.push(Block::Heading1("四、整改要求".into()));
    blocks.extend(lines(&f.demands).map(Block::Para));
    if let Some(d) = f.deadline {
        blocks.push(Block::Para(format!(
            "请于{}前将整改情况报送巡视工作领导小组办公室。",
            chinese_date(d)
        )));
    }
    Ok(OfficialDoc {
        title: feedback_title(app, actor, &insp).await,
        blocks,
        issuer: Some(team_full_name(app, actor, &insp).await),
        date: f.meeting.date,
        ..Default::default()
    })
}

/// `label：value` lines of a cell, leaving out what is blank.
fn labelled(parts: &[(&str, &str)]) -> String {
    parts
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}：{}", v.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rectification plan: its leading group as a table, how the work is organised, and the
/// three lists — problems, tasks and measures, who is responsible — as one table per heading
/// of the ledger, in ledger order; signed by the unit, dated when approved (or submitted).
pub fn plan_doc(d: &PlanDetail) -> OfficialDoc {
    let p = &d.plan;
    let mut blocks = vec![Block::Heading1("一、整改工作领导小组".into())];
    if p.leading_group.is_empty() {
        blocks.push(Block::Para("（尚未填写领导小组。）".into()));
    } else {
        blocks.push(Block::Table(DocTable {
            headers: vec!["职责".into(), "姓名".into(), "职务".into()],
            widths: vec![2, 2, 6],
            rows: p
                .leading_group
                .iter()
                .map(|m| {
                    let role = if m.role.trim().is_empty() {
                        "成员"
                    } else {
                        m.role.trim()
                    };
                    vec![role.to_owned(), m.name.clone(), m.post.clone()]
                })
                .collect(),
        }));
    }
    blocks.push(Block::Heading1("二、组织安排".into()));
    blocks.extend(lines(&p.organisation).map(Block::Para));
    blocks.push(Block::Heading1("三、问题清单、任务清单、责任清单".into()));
    for c in &d.ledger {
        blocks.push(Block::Heading2(format!(
            "（{}）{}",
            chinese_number(c.number as usize),
            c.name
        )));
        let mut rows = Vec::new();
        for pr in &c.problems {
            let problem = format!("{} {}", pr.number, pr.title);
            // The problem list is whole: a problem still without a measure stands in it, said so.
            if pr.tasks.is_empty() {
                rows.push(vec![
                    pr.number.clone(),
                    problem.clone(),
                    "（尚未制定整改任务）".to_owned(),
                    String::new(),
                    String::new(),
                ]);
            }
            for (i, e) in pr.tasks.iter().enumerate() {
                let t = &e.task;
                // The problem is written once, on its first measure, as the paper lists do.
                let problem = if i == 0 {
                    problem.clone()
                } else {
                    String::new()
                };
                rows.push(vec![
                    t.seq.clone(),
                    problem,
                    labelled(&[
                        ("整改目标", &t.target),
                        ("整改措施", &t.measure),
                        ("整改标准", &t.standard),
                    ]),
                    labelled(&[
                        ("责任领导", &t.responsible_leader),
                        ("牵头部门", &t.lead_department),
                        ("配合部门", &t.co_departments),
                        ("责任人", &t.responsible_person),
                    ]),
                    t.due.label(),
                ]);
            }
        }
        blocks.push(Block::Table(DocTable {
            headers: vec![
                "序号".into(),
                "问题清单".into(),
                "任务清单".into(),
                "责任清单".into(),
                "整改时限".into(),
            ],
            widths: vec![2, 6, 9, 6, 4],
            rows,
        }));
    }
    // Problems without a measure that no heading of the ledger lists are named after the lists.
    let listed = |id| {
        d.ledger
            .iter()
            .flat_map(|c| &c.problems)
            .any(|p| p.problem_id == id)
    };
    let unlisted: Vec<String> = d
        .uncovered
        .iter()
        .filter(|u| !listed(u.problem_id))
        .map(|u| format!("{} {}", u.number, u.title))
        .collect();
    if !unlisted.is_empty() {
        blocks.push(Block::Para(format!(
            "以下反馈问题尚未制定整改任务：{}",
            unlisted.join("；")
        )));
    }
    OfficialDoc {
        title: p.title.clone(),
        blocks,
        issuer: Some(d.unit_name.clone()),
        date: p.approved_at.or(p.submitted_at).map(today),
        ..Default::default()
    }
}

/// The mark of a transfer letter: the highest classification among the clues it lists.
pub fn letter_secrecy(l: &TransferLetter) -> &'static str {
    l.clues
        .iter()
        .map(|c| c.clue.confidentiality)
        .max_by_key(|c| Confidentiality::ALL.iter().position(|x| x == c))
        .unwrap_or(Confidentiality::Internal)
        .label()
}

/// The transfer letter as sent: its secrecy mark and number, the recipient, the letter's text,
/// the deadline to report handling and the annex, then the list of clues on a page of its own.
pub fn transfer_doc(l: &TransferLetter) -> OfficialDoc {
    let t = &l.transfer;
    let issuer = format!("{}巡视工作领导小组办公室", l.inspection.dispatcher);
    let secrecy = letter_secrecy(l);
    let mut blocks: Vec<Block> = lines(&t.letter_text).map(Block::Para).collect();
    blocks.push(Block::Para(format!(
        "请于{}前将办理情况书面反馈。",
        chinese_date(t.due_on)
    )));
    blocks.push(Block::Para(format!(
        "附件：问题线索清单（{}件）",
        l.clues.len()
    )));
    let list = DocTable {
        headers: [
            "序号",
            "被反映人",
            "职务",
            "问题类别",
            "线索来源",
            "密级",
            "主要内容",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![2, 3, 4, 3, 3, 2, 10],
        rows: l
            .clues
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let c = &e.clue;
                vec![
                    (i + 1).to_string(),
                    c.about_name.clone(),
                    c.about_post.clone(),
                    c.kind.label().to_owned(),
                    c.source.label().to_owned(),
                    c.confidentiality.label().to_owned(),
                    c.summary.clone(),
                ]
            })
            .collect(),
    };
    OfficialDoc {
        title: "关于移交问题线索的函".into(),
        secrecy: Some(secrecy.to_owned()),
        doc_no: Some(t.letter_no.clone()),
        addressee: Some(t.recipient_name.clone()),
        blocks,
        issuer: Some(issuer),
        date: Some(t.transferred_on),
        annexes: vec![Annex {
            label: "附件".into(),
            title: "问题线索清单".into(),
            blocks: vec![
                Block::Para(format!(
                    "{}（{}）",
                    l.inspection.team_name,
                    l.inspection.targets.join("、")
                )),
                Block::Table(list),
            ],
        }],
    }
}

/// A follow-up notice as sent to the unit: its number, the unit, the notice's text, the task it
/// is about and the day to answer by, signed by whoever issued it.
pub fn followup_doc(e: &FollowUpEntry) -> OfficialDoc {
    let n = &e.notice;
    let mut blocks: Vec<Block> = lines(&n.content).map(Block::Para).collect();
    if let Some(t) = &e.task {
        blocks.push(Block::Para(format!(
            "所涉整改任务：第{}项，{}",
            t.seq,
            sentence(&t.measure)
        )));
    }
    if let Some(due) = n.answer_due {
        blocks.push(Block::Para(format!(
            "请于{}前将办理情况书面报送。",
            chinese_date(due)
        )));
    }
    OfficialDoc {
        title: format!("巡视整改{}", n.kind.label()),
        doc_no: Some(n.doc_no.clone()).filter(|d| !d.trim().is_empty()),
        addressee: Some(e.unit_name.clone()),
        blocks,
        issuer: Some(n.issued_by.clone()).filter(|i| !i.trim().is_empty()),
        date: Some(n.issued_on),
        ..Default::default()
    }
}

/// A filing (报备) as filed: addressed to the committee above, the text as composed when filed,
/// signed by the committee that filed it and dated that day; the answer from above, once
/// given, annexed with who gave it and when.
pub fn filing_doc(e: &FilingEntry) -> OfficialDoc {
    let f = &e.filing;
    let annexes = f
        .replied
        .as_ref()
        .map(|by| {
            let mut blocks = vec![Block::Para(format!("答复：{}。", f.status.label()))];
            blocks.extend(lines(&f.reply).map(Block::Para));
            blocks.push(Block::Para(format!(
                "答复人：{}，{}。",
                by.name,
                chinese_date(today(by.at))
            )));
            Annex {
                label: "附件".into(),
                title: format!("{}的答复", e.upper_name),
                blocks,
            }
        })
        .into_iter()
        .collect();
    OfficialDoc {
        title: f.title.clone(),
        addressee: Some(e.upper_name.clone()).filter(|n| !n.is_empty()),
        blocks: parse_blocks(&f.content),
        issuer: Some(e.committee_name.clone()).filter(|n| !n.is_empty()),
        date: Some(today(f.filed.at)),
        annexes,
        ..Default::default()
    }
}

/// A rectification report or a public notice as the office file: the addressee for a report,
/// the contact details (in its text) for a notice.
pub fn rect_doc(d: &RectDocument) -> OfficialDoc {
    OfficialDoc {
        title: d.title.clone(),
        addressee: Some(d.addressee.clone()).filter(|a| !a.is_empty()),
        blocks: parse_blocks(&d.full_text()),
        issuer: Some(d.issuer.clone()).filter(|i| !i.is_empty()),
        date: document_date(d),
        ..Default::default()
    }
}

/// The dated line under the signature: a report's date of submission, a notice's of
/// publication; a draft has none yet.
pub fn document_date(d: &RectDocument) -> Option<jiff::civil::Date> {
    match d.kind {
        DocKind::PublicNotice => d.published_on,
        _ => d.submitted_on,
    }
}

/// The document as a download named after its title.
pub fn docx_response(doc: &OfficialDoc) -> Result<Response, CoreError> {
    let bytes = official_docx(doc).map_err(CoreError::internal)?;
    Ok(attachment(
        bytes,
        xunshi_office::DOCX_CONTENT_TYPE,
        &doc.title,
        "docx",
    ))
}
