//! The organisation tree.

use serde_json::json;

use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::org::{Unit, UnitFields, UnitInput};
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::{Actor, Permission};
use crate::store::{ReadTx, Store, UnitFilter, UnitSort, WriteTx};

impl<S: Store> Services<S> {
    pub async fn list_units(
        &self,
        actor: &Actor,
        f: &UnitFilter,
        page: PageRequest,
    ) -> Result<Page<Unit>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .unit_page(actor, f, UnitSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the units, narrowed by `f` and sorted by `sort`, from the cursor `at` (none:
    /// the first page; back without a row: the last page), `limit` rows, with the cursors of
    /// the pages next to it and the total, counted by the database under the same filter as
    /// the rows.
    pub async fn unit_page(
        &self,
        actor: &Actor,
        f: &UnitFilter,
        sort: UnitSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<Unit>> {
        actor.require(Permission::ViewUnits)?;
        let mut tx = self.store.read().await?;
        let total = tx.count_listed_units(f).await?;
        let want = SortedPage::<Unit>::want(at, total, limit)?;
        let rows = tx.units_sorted(f, sort, at, want).await?;
        Ok(SortedPage::from_walk(rows, sort, at, want, total, |u| {
            (sort.key_of(u), u.id)
        }))
    }

    /// Every unit in tree order: each unit followed by its descendants, with its depth.
    pub async fn unit_tree(&self, actor: &Actor) -> Result<Vec<(usize, Unit)>> {
        actor.require(Permission::ViewUnits)?;
        let mut tx = self.store.read().await?;
        Ok(crate::org::tree_order(tx.all_units().await?))
    }

    pub async fn get_unit(&self, actor: &Actor, id: Id) -> Result<Unit> {
        actor.require(Permission::ViewUnits)?;
        let mut tx = self.store.read().await?;
        tx.get_unit(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("单位".into()))
    }

    /// Finds a unit by its id or its exact name, as the CLI and the API accept either.
    pub async fn resolve_unit(&self, actor: &Actor, id_or_name: &str) -> Result<Unit> {
        actor.require(Permission::ViewUnits)?;
        let mut tx = self.store.read().await?;
        resolve_unit_in(&mut tx, id_or_name).await
    }

    pub async fn create_unit(&self, actor: &Actor, input: &UnitInput) -> Result<Unit> {
        actor.require(Permission::ManageUnits)?;
        let fields = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        check_parent(&mut tx, None, &fields).await?;
        check_name_free(&mut tx, None, &fields.name).await?;
        let unit = Unit {
            id: Id::new(),
            name: fields.name,
            kind: fields.kind,
            level: fields.level,
            parent_id: fields.parent_id,
            withdrawn: false,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_unit(&unit).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::UnitCreated,
                "unit",
                Some(unit.id),
                json!({ "after": unit }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(unit)
    }

    /// Changes a unit's fields. `version` is the version the editor saw; if the unit changed
    /// since, the edit is refused rather than overwriting the other change.
    pub async fn update_unit(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &UnitInput,
    ) -> Result<Unit> {
        actor.require(Permission::ManageUnits)?;
        let fields = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_unit(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("单位".into()))?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!("单位“{}”", before.name)));
        }
        check_parent(&mut tx, Some(id), &fields).await?;
        check_name_free(&mut tx, Some(id), &fields.name).await?;
        let after = Unit {
            name: fields.name,
            kind: fields.kind,
            level: fields.level,
            parent_id: fields.parent_id,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_unit(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::UnitUpdated,
                "unit",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Withdraws a unit (撤销): it stays on record but takes nothing new. Refused while it still
    /// has active units below it.
    pub async fn withdraw_unit(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        reason: &str,
    ) -> Result<Unit> {
        actor.require(Permission::ManageUnits)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(CoreError::bad_input("reason", "请填写撤销原因"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_unit(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("单位".into()))?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!("单位“{}”", before.name)));
        }
        if before.withdrawn {
            return Err(CoreError::RuleRefused("该单位已撤销".into()));
        }
        let children = tx
            .units_sorted(
                &UnitFilter {
                    parent_id: Some(id),
                    ..Default::default()
                },
                UnitSort::default(),
                None,
                1,
            )
            .await?;
        if !children.is_empty() {
            return Err(CoreError::RuleRefused(
                "该单位还有下级单位，请先调整或撤销下级单位".into(),
            ));
        }
        let after = Unit {
            withdrawn: true,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_unit(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::UnitWithdrawn,
                "unit",
                Some(id),
                json!({ "name": after.name, "reason": reason }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// The units above `unit`, nearest first.
pub(crate) async fn unit_ancestors<T: ReadTx>(tx: &mut T, unit: &Unit) -> Result<Vec<Unit>> {
    let mut out: Vec<Unit> = Vec::new();
    let mut next = unit.parent_id;
    while let Some(id) = next {
        // A cycle cannot be stored (`org::would_cycle`); the bound only keeps a damaged tree
        // from looping.
        if out.len() > 32 || out.iter().any(|u| u.id == id) {
            break;
        }
        let Some(u) = tx.get_unit(id).await? else {
            break;
        };
        next = u.parent_id;
        out.push(u);
    }
    Ok(out)
}

pub(crate) async fn resolve_unit_in<T: ReadTx>(tx: &mut T, id_or_name: &str) -> Result<Unit> {
    let key = id_or_name.trim();
    let found = match key.parse::<Id>() {
        Ok(id) => tx.get_unit(id).await?,
        Err(_) => tx.find_unit_by_name(key).await?,
    };
    found.ok_or_else(|| CoreError::NotFound(format!("单位“{key}”")))
}

/// The unit a list is narrowed to, given by id (`by_id`, picked) or by its exact name or id
/// (`by_name`, typed: those who see every unit name one rather than pick it from thousands).
/// `Ok(None)` when the two name different units, so nothing can match; a name no unit has is
/// refused, naming the `unit` parameter.
pub(crate) async fn narrowed_unit<T: ReadTx>(
    tx: &mut T,
    by_id: Option<Id>,
    by_name: Option<&str>,
) -> Result<Option<Option<Id>>> {
    let Some(name) = by_name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(Some(by_id));
    };
    let named = resolve_unit_in(tx, name)
        .await
        .map_err(|_| CoreError::unfit("unit", format!("没有名为“{name}”的单位")))?
        .id;
    Ok(by_id.is_none_or(|id| id == named).then_some(Some(named)))
}

async fn check_parent<T: ReadTx>(tx: &mut T, this: Option<Id>, f: &UnitFields) -> Result<()> {
    let Some(parent_id) = f.parent_id else {
        return Ok(());
    };
    let parent = tx
        .get_unit(parent_id)
        .await?
        .ok_or_else(|| CoreError::unfit("parent_id", "上级单位不存在"))?;
    if parent.withdrawn {
        return Err(CoreError::bad_input("parent_id", "上级单位已撤销"));
    }
    if let Some(this) = this {
        let all = tx.all_units().await?;
        if crate::org::would_cycle(&all, this, parent_id) {
            return Err(CoreError::bad_input(
                "parent_id",
                "不能把单位设为自身或其下级单位的下级",
            ));
        }
    }
    Ok(())
}

async fn check_name_free<T: ReadTx>(tx: &mut T, this: Option<Id>, name: &str) -> Result<()> {
    match tx.find_unit_by_name(name).await? {
        Some(other) if Some(other.id) != this => {
            Err(CoreError::Conflict(format!("已有名为“{name}”的单位")))
        }
        _ => Ok(()),
    }
}
