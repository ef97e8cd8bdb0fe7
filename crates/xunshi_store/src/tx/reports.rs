//! Inspection reports, their versions and approval steps, and the feedback.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::feedback::{Feedback, FeedbackMeeting, FeedbackStatus};
use xunshi_core::report::{
    ApprovalStep, Decision, Report, ReportKind, ReportStatus, ReportVersion, StepKind,
};
use xunshi_core::store::{ReportRead, ReportWrite};
use xunshi_core::{CoreError, Id, Result};

use super::papers::{from_json, json_text, opt_sig, sig, sig_cols};
use super::{DbTx, Mode, Writing, ts};
use crate::rows::{self, i, id, opt_date, s};

const REPORT_COLS: &str = "id, inspection_id, kind, title, status, current_version, created_by, \
     created_by_name, created_at, version, updated_at";

fn report(r: &AnyRow) -> Result<Report> {
    Ok(Report {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        kind: ReportKind::parse(&s(r, "kind")?)?,
        title: s(r, "title")?,
        status: ReportStatus::parse(&s(r, "status")?)?,
        current_version: i(r, "current_version")? as i32,
        created: sig(r, "created")?,
        version: i(r, "version")?,
        updated_at: rows::ts(r, "updated_at")?,
    })
}

const VERSION_COLS: &str = "report_id, number, assessment, problems, recommendations, note, created_by, \
     created_by_name, created_at";

fn report_version(r: &AnyRow) -> Result<ReportVersion> {
    Ok(ReportVersion {
        report_id: id(r, "report_id")?,
        number: i(r, "number")? as i32,
        assessment: s(r, "assessment")?,
        problems: from_json(r, "problems")?,
        recommendations: from_json(r, "recommendations")?,
        note: s(r, "note")?,
        created: sig(r, "created")?,
    })
}

const STEP_COLS: &str = "id, report_id, step, decision, report_version, comment, meeting_date, decided_by, \
     decided_by_name, decided_at";

fn step(r: &AnyRow) -> Result<ApprovalStep> {
    Ok(ApprovalStep {
        id: id(r, "id")?,
        report_id: id(r, "report_id")?,
        step: StepKind::parse(&s(r, "step")?)?,
        decision: Decision::parse(&s(r, "decision")?)?,
        report_version: i(r, "report_version")? as i32,
        comment: s(r, "comment")?,
        meeting_date: opt_date(r, "meeting_date")?,
        decided: sig(r, "decided")?,
    })
}

const FEEDBACK_COLS: &str = "inspection_id, status, assessment, problem_groups, recommendations, demands, \
     deadline, meeting_date, delivered_by, delivered_to, presided_by, saved_by, saved_by_name, saved_at, \
     given_by, given_by_name, given_at, version";

fn feedback(r: &AnyRow) -> Result<Feedback> {
    Ok(Feedback {
        inspection_id: id(r, "inspection_id")?,
        status: FeedbackStatus::parse(&s(r, "status")?)?,
        assessment: s(r, "assessment")?,
        groups: from_json(r, "problem_groups")?,
        recommendations: from_json(r, "recommendations")?,
        demands: s(r, "demands")?,
        deadline: opt_date(r, "deadline")?,
        meeting: FeedbackMeeting {
            date: opt_date(r, "meeting_date")?,
            delivered_by: s(r, "delivered_by")?,
            delivered_to: s(r, "delivered_to")?,
            presided_by: s(r, "presided_by")?,
        },
        saved: sig(r, "saved")?,
        given: opt_sig(r, "given")?,
        version: i(r, "version")?,
    })
}

fn day(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

impl<M: Mode> ReportRead for DbTx<M> {
    async fn get_report(&mut self, rid: Id) -> Result<Option<Report>> {
        let sql = format!("SELECT {REPORT_COLS} FROM reports WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(rid.to_string()))
            .await?
            .map(|r| report(&r))
            .transpose()
    }

    async fn list_reports(&mut self, inspection_id: Id) -> Result<Vec<Report>> {
        let sql = format!("SELECT {REPORT_COLS} FROM reports WHERE inspection_id = $1 ORDER BY id");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(inspection_id.to_string()))
            .await?
            .iter()
            .map(report)
            .collect()
    }

    async fn get_report_version(
        &mut self,
        report_id: Id,
        number: i32,
    ) -> Result<Option<ReportVersion>> {
        let sql = format!(
            "SELECT {VERSION_COLS} FROM report_versions WHERE report_id = $1 AND number = $2"
        );
        self.fetch_optional(
            sqlx::query(AssertSqlSafe(sql))
                .bind(report_id.to_string())
                .bind(number),
        )
        .await?
        .map(|r| report_version(&r))
        .transpose()
    }

    async fn list_report_versions(&mut self, report_id: Id) -> Result<Vec<ReportVersion>> {
        let sql = format!(
            "SELECT {VERSION_COLS} FROM report_versions WHERE report_id = $1 ORDER BY number"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(report_id.to_string()))
            .await?
            .iter()
            .map(report_version)
            .collect()
    }

    async fn list_approval_steps(&mut self, report_id: Id) -> Result<Vec<ApprovalStep>> {
        // Ids are UUIDv7, so their order is the order the steps were taken.
        let sql = format!("SELECT {STEP_COLS} FROM report_steps WHERE report_id = $1 ORDER BY id");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(report_id.to_string()))
            .await?
            .iter()
            .map(step)
            .collect()
    }

    async fn get_feedback(&mut self, inspection_id: Id) -> Result<Option<Feedback>> {
        let sql = format!("SELECT {FEEDBACK_COLS} FROM feedbacks WHERE inspection_id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(inspection_id.to_string()))
            .await?
            .map(|r| feedback(&r))
            .transpose()
    }
}

impl ReportWrite for DbTx<Writing> {
    async fn insert_report(&mut self, x: &Report) -> Result<()> {
        let (cb, cn, ca) = sig_cols(Some(&x.created));
        let sql = format!(
            "INSERT INTO reports ({REPORT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(x.id.to_string())
                .bind(x.inspection_id.to_string())
                .bind(x.kind.as_str())
                .bind(x.title.clone())
                .bind(x.status.as_str())
                .bind(x.current_version)
                .bind(cb)
                .bind(cn)
                .bind(ca)
                .bind(x.version)
                .bind(ts(x.updated_at)),
        )
        .await?;
        Ok(())
    }

    async fn update_report(&mut self, x: &Report) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE reports SET title = $1, status = $2, current_version = $3, version = $4,
                        updated_at = $5
                     WHERE id = $6 AND version = $7",
                )
                .bind(x.title.clone())
                .bind(x.status.as_str())
                .bind(x.current_version)
                .bind(x.version)
                .bind(ts(x.updated_at))
                .bind(x.id.to_string())
                .bind(x.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("报告“{}”", x.title)));
        }
        Ok(())
    }

    async fn insert_report_version(&mut self, v: &ReportVersion) -> Result<()> {
        let (cb, cn, ca) = sig_cols(Some(&v.created));
        let sql = format!(
            "INSERT INTO report_versions ({VERSION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(v.report_id.to_string())
                .bind(v.number)
                .bind(v.assessment.clone())
                .bind(json_text(&v.problems)?)
                .bind(json_text(&v.recommendations)?)
                .bind(v.note.clone())
                .bind(cb)
                .bind(cn)
                .bind(ca),
        )
        .await?;
        Ok(())
    }

    async fn insert_approval_step(&mut self, x: &ApprovalStep) -> Result<()> {
        let (db, dn, da) = sig_cols(Some(&x.decided));
        let sql = format!(
            "INSERT INTO report_steps ({STEP_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(x.id.to_string())
                .bind(x.report_id.to_string())
                .bind(x.step.as_str())
                .bind(x.decision.as_str())
                .bind(x.report_version)
                .bind(x.comment.clone())
                .bind(day(x.meeting_date))
                .bind(db)
                .bind(dn)
                .bind(da),
        )
        .await?;
        Ok(())
    }

    async fn insert_feedback(&mut self, f: &Feedback) -> Result<()> {
        let (sb, sn, sa) = sig_cols(Some(&f.saved));
        let (gb, gn, ga) = sig_cols(f.given.as_ref());
        let sql = format!(
            "INSERT INTO feedbacks ({FEEDBACK_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                $11, $12, $13, $14, $15, $16, $17, $18)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(f.inspection_id.to_string())
                .bind(f.status.as_str())
                .bind(f.assessment.clone())
                .bind(json_text(&f.groups)?)
                .bind(json_text(&f.recommendations)?)
                .bind(f.demands.clone())
                .bind(day(f.deadline))
                .bind(day(f.meeting.date))
                .bind(f.meeting.delivered_by.clone())
                .bind(f.meeting.delivered_to.clone())
                .bind(f.meeting.presided_by.clone())
                .bind(sb)
                .bind(sn)
                .bind(sa)
                .bind(gb)
                .bind(gn)
                .bind(ga)
                .bind(f.version),
        )
        .await?;
        Ok(())
    }

    async fn update_feedback(&mut self, f: &Feedback) -> Result<()> {
        let (sb, sn, sa) = sig_cols(Some(&f.saved));
        let (gb, gn, ga) = sig_cols(f.given.as_ref());
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE feedbacks SET status = $1, assessment = $2, problem_groups = $3,
                        recommendations = $4, demands = $5, deadline = $6, meeting_date = $7,
                        delivered_by = $8, delivered_to = $9, presided_by = $10, saved_by = $11,
                        saved_by_name = $12, saved_at = $13, given_by = $14, given_by_name = $15,
                        given_at = $16, version = $17
                     WHERE inspection_id = $18 AND version = $19",
                )
                .bind(f.status.as_str())
                .bind(f.assessment.clone())
                .bind(json_text(&f.groups)?)
                .bind(json_text(&f.recommendations)?)
                .bind(f.demands.clone())
                .bind(day(f.deadline))
                .bind(day(f.meeting.date))
                .bind(f.meeting.delivered_by.clone())
                .bind(f.meeting.delivered_to.clone())
                .bind(f.meeting.presided_by.clone())
                .bind(sb)
                .bind(sn)
                .bind(sa)
                .bind(gb)
                .bind(gn)
                .bind(ga)
                .bind(f.version)
                .bind(f.inspection_id.to_string())
                .bind(f.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("反馈意见".into()));
        }
        Ok(())
    }
}
