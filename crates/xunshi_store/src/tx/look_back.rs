//! Look-back: the links between a plan and the earlier tasks it carries over.

use sqlx::AssertSqlSafe;
use xunshi_core::rectify::Task;
use xunshi_core::store::{CarriedLink, LookBackRead, LookBackWrite};
use xunshi_core::{Id, Result};

use super::rectify::{TASK_COLS, task};
use super::{DbTx, Mode, Writing, ts};
use crate::rows::{id, opt_id, s};

const LINK_COLS: &str = "plan_id, task_id, carried_by, carried_by_name, carried_at";

fn link(r: &sqlx::any::AnyRow) -> Result<CarriedLink> {
    Ok(CarriedLink {
        plan_id: id(r, "plan_id")?,
        task_id: id(r, "task_id")?,
        by: opt_id(r, "carried_by")?,
        by_name: s(r, "carried_by_name")?,
        at: crate::rows::ts(r, "carried_at")?,
    })
}

impl<M: Mode> LookBackRead for DbTx<M> {
    async fn carried_into(&mut self, plan_id: Id) -> Result<Vec<CarriedLink>> {
        let sql = format!(
            "SELECT {LINK_COLS} FROM carried_tasks WHERE plan_id = $1 ORDER BY carried_at, task_id"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(plan_id.to_string()))
            .await?
            .iter()
            .map(link)
            .collect()
    }

    async fn carrying(&mut self, task_id: Id) -> Result<Vec<CarriedLink>> {
        let sql = format!(
            "SELECT {LINK_COLS} FROM carried_tasks WHERE task_id = $1 ORDER BY carried_at, plan_id"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(task_id.to_string()))
            .await?
            .iter()
            .map(link)
            .collect()
    }

    async fn carryable_tasks(
        &mut self,
        unit_id: Id,
        except: Id,
        plan_id: Id,
        limit: u32,
    ) -> Result<Vec<Task>> {
        let sql = format!(
            "SELECT {TASK_COLS} FROM rectification_tasks
             WHERE unit_id = $1 AND inspection_id <> $2 AND status <> 'closed'
               AND withdrawn_reason IS NULL
               AND id NOT IN (SELECT task_id FROM carried_tasks WHERE plan_id = $3)
             ORDER BY id LIMIT {limit}"
        );
        self.fetch_all(
            sqlx::query(AssertSqlSafe(sql))
                .bind(unit_id.to_string())
                .bind(except.to_string())
                .bind(plan_id.to_string()),
        )
        .await?
        .iter()
        .map(task)
        .collect()
    }
}

impl LookBackWrite for DbTx<Writing> {
    async fn insert_carried(&mut self, l: &CarriedLink) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query(
                    "INSERT INTO carried_tasks (plan_id, task_id, carried_by, carried_by_name, carried_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (plan_id, task_id) DO NOTHING",
                )
                .bind(l.plan_id.to_string())
                .bind(l.task_id.to_string())
                .bind(l.by.map(|b| b.to_string()))
                .bind(l.by_name.clone())
                .bind(ts(l.at)),
            )
            .await?;
        Ok(n == 1)
    }

    async fn delete_carried(&mut self, plan_id: Id, task_id: Id) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query("DELETE FROM carried_tasks WHERE plan_id = $1 AND task_id = $2")
                    .bind(plan_id.to_string())
                    .bind(task_id.to_string()),
            )
            .await?;
        Ok(n == 1)
    }
}
