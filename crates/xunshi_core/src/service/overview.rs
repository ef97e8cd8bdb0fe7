//! The figures of the first page, each only for those who may see the list behind it, and
//! each counted in the database: the home page is opened by every official every day.

use super::Services;
use super::planning::today;
use super::rectify::visible_scope_of;
use super::supervision::supervision_scope;
use crate::access::visible_inspections;
use crate::deadline::Colour;
use crate::error::Result;
use crate::permission::{Actor, Permission};
use crate::rectify::TaskStatus;
use crate::store::{
    FollowUpFilter, InspectionFilter, PlanningRead, ReadTx, RectifyRead, Store, SuperviseRead,
    TallyFilter,
};

/// The rectification figures of the home page.
#[derive(Debug, Default, Clone, Copy)]
pub struct TaskFigures {
    pub total: i64,
    pub closed: i64,
    pub overdue: i64,
    /// Closed after their deadline (逾期完成).
    pub closed_late: i64,
}

#[derive(Debug, Default, Clone)]
pub struct Overview {
    pub units: Option<i64>,
    pub users: Option<i64>,
    pub audit_records: Option<i64>,
    /// The inspections the actor may open.
    pub inspections: Option<i64>,
    /// The tasks of the ledger the actor sees, when it sees any.
    pub tasks: Option<TaskFigures>,
    /// Follow-up notices awaiting the unit's answer, among those the actor sees.
    pub followups_open: Option<i64>,
}

impl<S: Store> Services<S> {
    pub async fn overview(&self, actor: &Actor) -> Result<Overview> {
        let mut o = Overview::default();
        if actor.as_user().is_none() && !actor.is_system() {
            return Ok(o);
        }
        let day = today(self.now());
        let (mut tx, _) = self.fresh_tally(day).await?;
        // The number of units and of accounts is the administrators' concern: the
        // leadership, who may read both lists, is shown the work instead (领导视图).
        if actor.can(Permission::ManageUnits) {
            o.units = Some(tx.count_units().await?);
        }
        if actor.can(Permission::ManageUnits) && actor.can(Permission::ViewUsers) {
            o.users = Some(tx.count_users().await?);
        }
        if actor.can(Permission::ViewAudit) {
            o.audit_records = Some(tx.audit_head().await?.seq);
        }
        let inspections = tx
            .count_inspections(&InspectionFilter::default(), &visible_inspections(actor))
            .await?;
        o.inspections = (inspections > 0).then_some(inspections);

        let scope = visible_scope_of(actor);
        let nothing = scope
            .as_ref()
            .is_some_and(|s| s.units.is_empty() && s.inspections.is_empty());
        if !nothing {
            let counts = tx
                .task_counts(&TallyFilter {
                    scope,
                    ..Default::default()
                })
                .await?;
            let sum = |keep: &dyn Fn(&crate::store::TaskCount) -> bool| -> i64 {
                counts.iter().filter(|c| keep(c)).map(|c| c.n).sum()
            };
            let figures = TaskFigures {
                total: sum(&|_| true),
                closed: sum(&|c| c.status == TaskStatus::Closed),
                overdue: sum(&|c| c.colour == Colour::Red),
                closed_late: sum(&|c| c.colour == Colour::ClosedLate),
            };
            if figures.total > 0 {
                o.tasks = Some(figures);
            }
        }
        let visible = supervision_scope(actor);
        let sees_notices = !visible.is_nothing();
        if sees_notices && o.tasks.is_some() {
            let open: i64 = tx
                .followup_counts(&FollowUpFilter {
                    scope: visible,
                    inspection_id: None,
                    unit_id: None,
                    task_id: None,
                    kind: None,
                    answered: Some(false),
                    q: None,
                })
                .await?
                .iter()
                .map(|c| c.n)
                .sum();
            o.followups_open = (open > 0).then_some(open);
        }
        Ok(o)
    }
}
