//! The organisation tree: dispatching committees, their departments, directly affiliated units
//! and lower-level committees, each at one administrative level.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;

/// Declares an enum whose values have a stable code (stored, and used in the API) and a
/// Chinese label (shown), with parsing that accepts either and names the choices when it fails.
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        // serde and the OpenAPI document name each variant in snake_case, so a variant's name
        // must spell its code (`EnterpriseUniversity` for `enterprise_university`).
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Every value as (code, label), in order: the choices of a picker.
            pub fn choices() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.as_str(), v.label())).collect()
            }

            pub fn parse(s: &str) -> $crate::error::Result<Self> {
                let s = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s || v.label() == s)
                    .ok_or_else(|| {
                        // Named as people see them on the page; the codes are accepted too.
                        let known: Vec<_> = Self::ALL.iter().map(|v| v.label()).collect();
                        $crate::error::CoreError::bad_input($field, format!("无效取值“{s}”，可选：{}", known.join("、")))
                    })
            }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum!(
    /// What kind of body a unit is.
    UnitKind, "kind" {
        Committee = "committee" / "党委（派出巡视组的党组织）",
        Department = "department" / "工作部门",
        Affiliated = "affiliated" / "直属单位",
        LowerCommittee = "lower_committee" / "下级党组织",
    }
);

impl UnitKind {
    /// Whether a dispatcher's full coverage (全覆盖) reaches the units below one of this kind.
    /// A lower Party committee (下级党组织) is inspected as one unit; the units below it are
    /// its own to cover, by its own inspections (巡察), in its own term. Everything else under
    /// the dispatcher — its departments, the units affiliated to them, enterprises and
    /// universities — is the dispatcher's to cover. (The store counts coverage by the same
    /// rule in SQL, `coverage_count`; a contract case holds the two together.)
    pub fn coverage_reaches_below(self) -> bool {
        self != UnitKind::LowerCommittee
    }
}

labelled_enum!(
    /// The administrative level a unit sits at; rules and deadlines differ by level.
    UnitLevel, "level" {
        Central = "central" / "中央",
        Provincial = "provincial" / "省级",
        City = "city" / "市级",
        County = "county" / "县级",
        EnterpriseUniversity = "enterprise_university" / "企业/高校",
    }
);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: Id,
    pub name: String,
    pub kind: UnitKind,
    pub level: UnitLevel,
    pub parent_id: Option<Id>,
    /// Withdrawn units stay for history but take no new users or inspections.
    pub withdrawn: bool,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

/// The editable fields of a unit, validated.
#[derive(Debug, Clone)]
pub struct UnitFields {
    pub name: String,
    pub kind: UnitKind,
    pub level: UnitLevel,
    pub parent_id: Option<Id>,
}

/// The fields as they arrive from a form or a JSON body, before validation.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[schema(value_type = UnitKind)]
    pub kind: String,
    #[schema(value_type = UnitLevel)]
    pub level: String,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub parent_id: Option<String>,
}

impl UnitInput {
    pub fn validate(&self) -> Result<UnitFields> {
        let mut v = Validation::new();
        let name = self.name.trim();
        if name.is_empty() {
            v.add("name", "请填写单位名称");
        } else if name.chars().count() > 100 {
            v.add("name", "单位名称不能超过 100 个字");
        }
        let kind = v.take(UnitKind::parse(&self.kind));
        let level = v.take(UnitLevel::parse(&self.level));
        let parent_id = match self.parent_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => v.take(
                p.parse::<Id>()
                    .map_err(|_| CoreError::bad_input("parent_id", "上级单位编号无效")),
            ),
        };
        v.finish()?;
        Ok(UnitFields {
            name: name.to_owned(),
            kind: kind.expect("validated"),
            level: level.expect("validated"),
            parent_id,
        })
    }
}

/// Orders units so that each is followed by its descendants, siblings by name, with depths.
/// Units whose parent is missing are treated as roots, so nothing disappears from the tree.
pub fn tree_order(units: Vec<Unit>) -> Vec<(usize, Unit)> {
    use std::collections::{HashMap, HashSet};
    let ids: HashSet<Id> = units.iter().map(|u| u.id).collect();
    let mut children: HashMap<Option<Id>, Vec<Unit>> = HashMap::new();
    for u in units {
        let parent = u.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(usize, Unit)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|u| (0, u))
        .collect();
    while let Some((depth, u)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(u.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (depth + 1, k)));
        }
        out.push((depth, u));
    }
    out
}

/// Whether a unit is a Party committee that sends inspections (巡视 or 巡察).
pub fn is_committee(u: &Unit) -> bool {
    matches!(u.kind, UnitKind::Committee | UnitKind::LowerCommittee)
}

/// Where a unit stands to a committee that would inspect it (管辖).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// In the committee's own charge: below it, with no other committee between (a lower
    /// committee itself is its upper committee's to inspect, as one unit).
    Own,
    /// Below a lower committee, named, that is the nearest committee above the unit: that
    /// committee's to inspect (巡察); the upper one takes it only as 提级巡察, or organises a
    /// 交叉巡察 of it.
    Lower { committee: String },
    /// Not below the committee at all.
    Outside,
}

/// Where a unit stands to `committee`, from the unit's ancestors, nearest first. A withdrawn
/// committee between them no longer takes the unit.
pub fn standing(committee: Id, ancestors: &[Unit]) -> Standing {
    let Some(at) = ancestors.iter().position(|u| u.id == committee) else {
        return Standing::Outside;
    };
    match ancestors[..at]
        .iter()
        .find(|u| is_committee(u) && !u.withdrawn)
    {
        Some(lower) => Standing::Lower {
            committee: lower.name.clone(),
        },
        None => Standing::Own,
    }
}

/// Whether making `new_parent` the parent of `unit` would put `unit` below itself.
pub fn would_cycle(all: &[Unit], unit: Id, new_parent: Id) -> bool {
    let parent_of: std::collections::HashMap<Id, Option<Id>> =
        all.iter().map(|u| (u.id, u.parent_id)).collect();
    let mut cur = Some(new_parent);
    let mut steps = 0;
    while let Some(c) = cur {
        if c == unit || steps > all.len() {
            return true;
        }
        cur = parent_of.get(&c).copied().flatten();
        steps += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, parent: Option<Id>) -> Unit {
        let now = jiff::Timestamp::UNIX_EPOCH;
        Unit {
            id: Id::new(),
            name: name.into(),
            kind: UnitKind::Department,
            level: UnitLevel::Provincial,
            parent_id: parent,
            withdrawn: false,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn tree_lists_children_under_their_parent() {
        let root = unit("自治区党委", None);
        let a = unit("宣传部", Some(root.id));
        let b = unit("组织部", Some(root.id));
        let c = unit("某直属单位", Some(a.id));
        let order: Vec<_> = tree_order(vec![c.clone(), b.clone(), root.clone(), a.clone()])
            .into_iter()
            .map(|(d, u)| (d, u.name))
            .collect();
        assert_eq!(order[0], (0, "自治区党委".to_string()));
        assert_eq!(order.len(), 4);
        let pos = |n: &str| order.iter().position(|(_, x)| x == n).unwrap();
        assert_eq!(pos("某直属单位"), pos("宣传部") + 1);
        assert_eq!(order[pos("某直属单位")].0, 2);
    }

    #[test]
    fn a_unit_cannot_move_below_itself() {
        let root = unit("r", None);
        let a = unit("a", Some(root.id));
        let b = unit("b", Some(a.id));
        let all = vec![root.clone(), a.clone(), b.clone()];
        assert!(would_cycle(&all, a.id, b.id));
        assert!(would_cycle(&all, a.id, a.id));
        assert!(!would_cycle(&all, b.id, root.id));
    }

    #[test]
    fn a_unit_below_a_lower_committee_is_that_committees_to_inspect() {
        let committee = |name: &str, parent: Option<Id>, kind: UnitKind| Unit {
            kind,
            ..unit(name, parent)
        };
        let province = committee("自治区党委", None, UnitKind::Committee);
        let city = committee("南宁市委", Some(province.id), UnitKind::LowerCommittee);
        let county = committee("横州市委", Some(city.id), UnitKind::LowerCommittee);
        let neighbour = committee("柳州市委", Some(province.id), UnitKind::LowerCommittee);
        // The ancestors, nearest first, of 横州市教育局 (below the county), of 南宁市财政局
        // (below the city) and of the county committee itself.
        let above_bureau = [county.clone(), city.clone(), province.clone()];
        let above_city_bureau = [city.clone(), province.clone()];
        let above_county = [city.clone(), province.clone()];

        assert_eq!(standing(city.id, &above_city_bureau), Standing::Own);
        assert_eq!(standing(city.id, &above_county), Standing::Own);
        let lower = |name: &str| Standing::Lower {
            committee: name.into(),
        };
        assert_eq!(standing(city.id, &above_bureau), lower("横州市委"));
        assert_eq!(standing(province.id, &above_bureau), lower("横州市委"));
        assert_eq!(standing(province.id, &above_city_bureau), lower("南宁市委"));
        assert_eq!(standing(county.id, &above_bureau), Standing::Own);
        assert_eq!(standing(neighbour.id, &above_bureau), Standing::Outside);
        assert_eq!(standing(county.id, &above_city_bureau), Standing::Outside);
        // A withdrawn committee between them no longer takes the unit.
        let gone = Unit {
            withdrawn: true,
            ..county.clone()
        };
        assert_eq!(
            standing(city.id, &[gone, city.clone(), province.clone()]),
            Standing::Own
        );
    }

    #[test]
    fn bad_unit_input_names_each_field() {
        let input = UnitInput {
            name: " ".into(),
            kind: "ministry".into(),
            level: "省级".into(),
            parent_id: Some("nope".into()),
        };
        let Err(CoreError::BadInput(fields)) = input.validate() else {
            panic!("accepted");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["name", "kind", "parent_id"]);
    }
}
