//! The personnel pool of inspectors and the teams formed from it.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::page::{Keyset, PageRequest};
use xunshi_core::personnel::{
    Conflict, Inspector, PastPost, RecusalRule, Relation, Relative, RuleTarget, TeamMember,
    TeamRole, UnitLocality,
};
use xunshi_core::store::{InspectorFilter, InspectorSort, InspectorSortKey, TeamRead, TeamWrite};
use xunshi_core::{CoreError, Id, Result};

use super::{
    DbTx, KeyKind, Mode, Where, Writing, contains_clause, flag, keyset, like_pattern, opt_ts, ts,
};
use crate::rows::{self, date, flag as get_flag, i, id, opt_date, opt_id, opt_s, s};

const INSPECTOR_COLS: &str = "id, name, user_id, unit_id, post, specialty, locality, withdrawn, \
     withdraw_reason, version, created_at, updated_at";
const MEMBER_COLS: &str = "id, inspection_id, inspector_id, role, conflicts, override_reason, \
     appointed_by, appointed_at, grant_id, withdrawn_at, withdraw_reason, version";

/// The `WHERE` of the pool's list, the same for its rows and its count.
fn inspector_where(f: &InspectorFilter) -> Where {
    let mut w = Where::default();
    if !f.include_withdrawn {
        w.fixed("withdrawn = 0");
    }
    if let Some(u) = f.unit_id {
        w.eq("unit_id", u.to_string());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let c = contains_clause(&["name", "post", "specialty"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    w
}

/// An inspector row; past posts and relatives are filled in separately.
fn inspector(r: &AnyRow) -> Result<Inspector> {
    Ok(Inspector {
        id: id(r, "id")?,
        name: s(r, "name")?,
        user_id: opt_id(r, "user_id")?,
        unit_id: id(r, "unit_id")?,
        post: s(r, "post")?,
        specialty: s(r, "specialty")?,
        locality: s(r, "locality")?,
        past_posts: Vec::new(),
        relatives: Vec::new(),
        withdrawn: get_flag(r, "withdrawn")?,
        withdraw_reason: opt_s(r, "withdraw_reason")?,
        version: i(r, "version")?,
        created_at: rows::ts(r, "created_at")?,
        updated_at: rows::ts(r, "updated_at")?,
    })
}

fn member(r: &AnyRow) -> Result<TeamMember> {
    let raw = s(r, "conflicts")?;
    let conflicts: Vec<Conflict> = serde_json::from_str(&raw)
        .map_err(|e| CoreError::internal(format!("team_members.conflicts holds “{raw}”: {e}")))?;
    Ok(TeamMember {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        inspector_id: id(r, "inspector_id")?,
        role: TeamRole::parse(&s(r, "role")?)?,
        conflicts,
        override_reason: opt_s(r, "override_reason")?,
        appointed_by: opt_id(r, "appointed_by")?,
        appointed_at: rows::ts(r, "appointed_at")?,
        grant_id: opt_id(r, "grant_id")?,
        withdrawn_at: rows::opt_ts(r, "withdrawn_at")?,
        withdraw_reason: opt_s(r, "withdraw_reason")?,
        version: i(r, "version")?,
    })
}

fn rule(r: &AnyRow) -> Result<RecusalRule> {
    Ok(RecusalRule {
        applies_to: RuleTarget::parse(&s(r, "applies_to")?)?,
        same_locality: get_flag(r, "same_locality")?,
        version: i(r, "version")?,
        updated_at: rows::opt_ts(r, "updated_at")?,
    })
}

fn conflicts_json(list: &[Conflict]) -> Result<String> {
    serde_json::to_string(list).map_err(CoreError::internal)
}

impl<M: Mode> DbTx<M> {
    /// Keeps the stored past posts and relatives of `x` in step with its own: a declaration no
    /// longer there is withdrawn (its row kept, with the time of the change), a new one is
    /// added, the others are left as they are — never deleted and re-inserted.
    async fn write_declarations(&mut self, x: &Inspector) -> Result<()> {
        let key = x.id.to_string();
        let at = ts(x.updated_at);
        self.withdraw_declarations(
            "inspector_posts",
            &key,
            &at,
            x.past_posts.iter().map(|p| p.id),
        )
        .await?;
        self.withdraw_declarations(
            "inspector_relatives",
            &key,
            &at,
            x.relatives.iter().map(|r| r.id),
        )
        .await?;
        for p in &x.past_posts {
            // A post already on record is left alone (restored, should it come back).
            self.execute(
                sqlx::query(
                    "INSERT INTO inspector_posts (id, inspector_id, unit_id, post, from_on, to_on)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (id) DO UPDATE SET withdrawn_at = NULL
                      WHERE inspector_posts.withdrawn_at IS NOT NULL",
                )
                .bind(p.id.to_string())
                .bind(key.clone())
                .bind(p.unit_id.to_string())
                .bind(p.post.clone())
                .bind(p.from.to_string())
                .bind(p.to.map(|d| d.to_string())),
            )
            .await?;
        }
        // Relatives are listed in the order declared. A new one comes after every row of the
        // inspector, withdrawn ones included, so the rows kept keep their positions.
        let last = self
            .fetch_optional(
                sqlx::query(
                    "SELECT CAST(COALESCE(MAX(position), -1) AS BIGINT) AS n
                       FROM inspector_relatives WHERE inspector_id = $1",
                )
                .bind(key.clone()),
            )
            .await?
            .map(|r| i(&r, "n"))
            .transpose()?
            .unwrap_or(-1);
        let mut next = last + 1;
        for r in &x.relatives {
            let added = self
                .execute(
                    sqlx::query(
                        "INSERT INTO inspector_relatives
                            (id, inspector_id, relation, name, unit_id, position)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (id) DO UPDATE SET withdrawn_at = NULL
                          WHERE inspector_relatives.withdrawn_at IS NOT NULL",
                    )
                    .bind(r.id.to_string())
                    .bind(key.clone())
                    .bind(r.relation.as_str())
                    .bind(r.name.clone())
                    .bind(r.unit_id.to_string())
                    .bind(next as i16),
                )
                .await?;
            next += added as i64;
        }
        Ok(())
    }

    /// Withdraws, at `at`, the rows of `table` (`inspector_posts` or `inspector_relatives`)
    /// of the inspector `key` that stand and are not among `keep`.
    async fn withdraw_declarations(
        &mut self,
        table: &str,
        key: &str,
        at: &str,
        keep: impl Iterator<Item = Id>,
    ) -> Result<()> {
        let mut w = Where::default();
        // $1 and $2.
        let _ = w.list([at.to_owned(), key.to_owned()].into_iter());
        let keep = w.list(keep.map(|k| k.to_string()));
        let keep = if keep.is_empty() {
            String::new()
        } else {
            format!(" AND id NOT IN ({keep})")
        };
        let sql = format!(
            "UPDATE {table} SET withdrawn_at = $1
              WHERE inspector_id = $2 AND withdrawn_at IS NULL{keep}"
        );
        self.execute(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(())
    }

    /// Fills in the past posts and relatives of inspectors read without them, two queries for
    /// the whole list.
    async fn with_declarations(&mut self, mut list: Vec<Inspector>) -> Result<Vec<Inspector>> {
        if list.is_empty() {
            return Ok(list);
        }
        let placeholders: Vec<_> = (1..=list.len()).map(|n| format!("${n}")).collect();
        let ids = placeholders.join(", ");
        let bind = |sql: String, list: &[Inspector]| {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for x in list {
                q = q.bind(x.id.to_string());
            }
            q
        };
        let posts = self
            .fetch_all(bind(
                format!(
                    "SELECT id, inspector_id, unit_id, post, from_on, to_on FROM inspector_posts
                     WHERE inspector_id IN ({ids}) AND withdrawn_at IS NULL ORDER BY from_on, id"
                ),
                &list,
            ))
            .await?;
        for r in &posts {
            let owner = id(r, "inspector_id")?;
            let p = PastPost {
                id: id(r, "id")?,
                unit_id: id(r, "unit_id")?,
                post: s(r, "post")?,
                from: date(r, "from_on")?,
                to: opt_date(r, "to_on")?,
            };
            if let Some(x) = list.iter_mut().find(|x| x.id == owner) {
                x.past_posts.push(p);
            }
        }
        let relatives = self
            .fetch_all(bind(
                format!(
                    "SELECT id, inspector_id, relation, name, unit_id FROM inspector_relatives
                     WHERE inspector_id IN ({ids}) AND withdrawn_at IS NULL
                     ORDER BY position, id"
                ),
                &list,
            ))
            .await?;
        for r in &relatives {
            let owner = id(r, "inspector_id")?;
            let rel = Relative {
                id: id(r, "id")?,
                relation: Relation::parse(&s(r, "relation")?)?,
                name: s(r, "name")?,
                unit_id: id(r, "unit_id")?,
            };
            if let Some(x) = list.iter_mut().find(|x| x.id == owner) {
                x.relatives.push(rel);
            }
        }
        Ok(list)
    }

    async fn one_inspector(&mut self, col: &str, value: String) -> Result<Option<Inspector>> {
        let sql = format!("SELECT {INSPECTOR_COLS} FROM inspectors WHERE {col} = $1");
        let found = self
            .fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(value))
            .await?
            .map(|r| inspector(&r))
            .transpose()?;
        match found {
            Some(x) => Ok(self.with_declarations(vec![x]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn members_where(&mut self, col: &str, value: String) -> Result<Vec<TeamMember>> {
        let sql = format!("SELECT {MEMBER_COLS} FROM team_members WHERE {col} = $1 ORDER BY id");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(value))
            .await?
            .iter()
            .map(member)
            .collect()
    }
}

impl<M: Mode> TeamRead for DbTx<M> {
    async fn get_inspector(&mut self, iid: Id) -> Result<Option<Inspector>> {
        self.one_inspector("id", iid.to_string()).await
    }

    async fn find_inspector_by_user(&mut self, user_id: Id) -> Result<Option<Inspector>> {
        self.one_inspector("user_id", user_id.to_string()).await
    }

    async fn list_inspectors(
        &mut self,
        f: &InspectorFilter,
        page: PageRequest,
    ) -> Result<Vec<Inspector>> {
        let mut w = inspector_where(f);
        if let Some(after) = page.after {
            let n = w.next();
            w.raw(format!("id > ${n}"), after.to_string());
        }
        let sql = format!(
            "SELECT {INSPECTOR_COLS} FROM inspectors {} ORDER BY id LIMIT {}",
            w.sql(),
            page.limit + 1
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        let list = rows.iter().map(inspector).collect::<Result<Vec<_>>>()?;
        self.with_declarations(list).await
    }

    async fn inspectors_sorted(
        &mut self,
        f: &InspectorFilter,
        sort: InspectorSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<Inspector>> {
        let mut w = inspector_where(f);
        // Each key walks its index over (key, id) (migration 0027).
        let key = match sort.key {
            InspectorSortKey::Seq => None,
            InspectorSortKey::Name => Some(("name", KeyKind::Column)),
            InspectorSortKey::Unit => Some(("unit_id", KeyKind::Column)),
            InspectorSortKey::Post => Some(("post", KeyKind::Column)),
            InspectorSortKey::Specialty => Some(("specialty", KeyKind::Column)),
            InspectorSortKey::Status => Some(("withdrawn", KeyKind::Integer)),
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {INSPECTOR_COLS} FROM inspectors {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        let list = rows.iter().map(inspector).collect::<Result<Vec<_>>>()?;
        self.with_declarations(list).await
    }

    async fn count_inspectors(&mut self, f: &InspectorFilter) -> Result<i64> {
        let w = inspector_where(f);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM inspectors {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn get_team_member(&mut self, mid: Id) -> Result<Option<TeamMember>> {
        Ok(self.members_where("id", mid.to_string()).await?.pop())
    }

    async fn list_team_members(&mut self, inspection_id: Id) -> Result<Vec<TeamMember>> {
        self.members_where("inspection_id", inspection_id.to_string())
            .await
    }

    async fn memberships_of(&mut self, inspector_id: Id) -> Result<Vec<TeamMember>> {
        self.members_where("inspector_id", inspector_id.to_string())
            .await
    }

    async fn list_recusal_rules(&mut self) -> Result<Vec<RecusalRule>> {
        let mut list = self
            .fetch_all(sqlx::query(
                "SELECT applies_to, same_locality, version, updated_at FROM recusal_rules",
            ))
            .await?
            .iter()
            .map(rule)
            .collect::<Result<Vec<_>>>()?;
        // In the order of the kinds and flags, not of their codes.
        list.sort_by_key(|r| RuleTarget::ALL.iter().position(|t| *t == r.applies_to));
        Ok(list)
    }

    async fn unit_localities(&mut self) -> Result<Vec<UnitLocality>> {
        self.fetch_all(sqlx::query(
            "SELECT unit_id, locality, version, updated_at FROM unit_localities ORDER BY unit_id",
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(UnitLocality {
                unit_id: id(r, "unit_id")?,
                locality: s(r, "locality")?,
                version: i(r, "version")?,
                updated_at: rows::ts(r, "updated_at")?,
            })
        })
        .collect()
    }
}

impl TeamWrite for DbTx<Writing> {
    async fn insert_inspector(&mut self, x: &Inspector) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO inspectors (id, name, user_id, unit_id, post, specialty, locality,
                    withdrawn, withdraw_reason, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(x.id.to_string())
            .bind(x.name.clone())
            .bind(x.user_id.map(|u| u.to_string()))
            .bind(x.unit_id.to_string())
            .bind(x.post.clone())
            .bind(x.specialty.clone())
            .bind(x.locality.clone())
            .bind(flag(x.withdrawn))
            .bind(x.withdraw_reason.clone())
            .bind(x.version)
            .bind(ts(x.created_at))
            .bind(ts(x.updated_at)),
        )
        .await?;
        self.write_declarations(x).await
    }

    async fn update_inspector(&mut self, x: &Inspector) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE inspectors SET name = $1, user_id = $2, unit_id = $3, post = $4,
                        specialty = $5, locality = $6, withdrawn = $7, withdraw_reason = $8,
                        version = $9, updated_at = $10
                     WHERE id = $11 AND version = $12",
                )
                .bind(x.name.clone())
                .bind(x.user_id.map(|u| u.to_string()))
                .bind(x.unit_id.to_string())
                .bind(x.post.clone())
                .bind(x.specialty.clone())
                .bind(x.locality.clone())
                .bind(flag(x.withdrawn))
                .bind(x.withdraw_reason.clone())
                .bind(x.version)
                .bind(ts(x.updated_at))
                .bind(x.id.to_string())
                .bind(x.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("巡视干部{}", x.name)));
        }
        self.write_declarations(x).await
    }

    async fn insert_team_member(&mut self, m: &TeamMember) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO team_members (id, inspection_id, inspector_id, role, conflicts,
                    override_reason, appointed_by, appointed_at, grant_id, withdrawn_at,
                    withdraw_reason, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(m.id.to_string())
            .bind(m.inspection_id.to_string())
            .bind(m.inspector_id.to_string())
            .bind(m.role.as_str())
            .bind(conflicts_json(&m.conflicts)?)
            .bind(m.override_reason.clone())
            .bind(m.appointed_by.map(|u| u.to_string()))
            .bind(ts(m.appointed_at))
            .bind(m.grant_id.map(|g| g.to_string()))
            .bind(opt_ts(m.withdrawn_at))
            .bind(m.withdraw_reason.clone())
            .bind(m.version),
        )
        .await?;
        Ok(())
    }

    async fn update_team_member(&mut self, m: &TeamMember) -> Result<()> {
        // Who was appointed, to what and when is fixed; the grant, the withdrawal and the
        // version change.
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE team_members SET grant_id = $1, withdrawn_at = $2, withdraw_reason = $3,
                        version = $4
                     WHERE id = $5 AND version = $6",
                )
                .bind(m.grant_id.map(|g| g.to_string()))
                .bind(opt_ts(m.withdrawn_at))
                .bind(m.withdraw_reason.clone())
                .bind(m.version)
                .bind(m.id.to_string())
                .bind(m.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("巡视组成员".into()));
        }
        Ok(())
    }

    async fn update_recusal_rule(&mut self, r: &RecusalRule) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE recusal_rules SET same_locality = $1, version = $2, updated_at = $3
                     WHERE applies_to = $4 AND version = $5",
                )
                .bind(flag(r.same_locality))
                .bind(r.version)
                .bind(opt_ts(r.updated_at))
                .bind(r.applies_to.as_str())
                .bind(r.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!(
                "“{}”的回避规则",
                r.applies_to.label()
            )));
        }
        Ok(())
    }

    async fn put_unit_locality(&mut self, l: &UnitLocality) -> Result<()> {
        let n = if l.version == 1 {
            self.execute(
                sqlx::query(
                    "INSERT INTO unit_localities (unit_id, locality, version, updated_at)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(l.unit_id.to_string())
                .bind(l.locality.clone())
                .bind(l.version)
                .bind(ts(l.updated_at)),
            )
            .await
            .map_err(|e| match e {
                // Someone recorded a locality first: what this change was based on is stale.
                CoreError::Conflict(_) => CoreError::StaleVersion("单位所在地".into()),
                e => e,
            })?
        } else {
            self.execute(
                sqlx::query(
                    "UPDATE unit_localities SET locality = $1, version = $2, updated_at = $3
                     WHERE unit_id = $4 AND version = $5",
                )
                .bind(l.locality.clone())
                .bind(l.version)
                .bind(ts(l.updated_at))
                .bind(l.unit_id.to_string())
                .bind(l.version - 1),
            )
            .await?
        };
        if n == 0 {
            return Err(CoreError::StaleVersion("单位所在地".into()));
        }
        Ok(())
    }
}
