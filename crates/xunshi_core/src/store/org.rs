//! The orders of the account and unit lists.

use crate::org::Unit;
use crate::page::{Sort, SortKey};
use crate::user::User;

/// The columns the account list (用户管理) sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserSortKey {
    /// As created (by id).
    #[default]
    Seq,
    /// By username.
    Username,
    /// By the person's name.
    Name,
    /// By unit (its id, which keeps each unit's accounts together; those of no unit first).
    Unit,
    /// In use before disabled (or the other way).
    Status,
}

impl UserSortKey {
    pub const ALL: [UserSortKey; 5] = [
        UserSortKey::Seq,
        UserSortKey::Username,
        UserSortKey::Name,
        UserSortKey::Unit,
        UserSortKey::Status,
    ];
}

impl SortKey for UserSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            UserSortKey::Seq => "seq",
            UserSortKey::Username => "username",
            UserSortKey::Name => "name",
            UserSortKey::Unit => "unit",
            UserSortKey::Status => "status",
        }
    }

    fn label(self) -> &'static str {
        match self {
            UserSortKey::Seq => "创建时间",
            UserSortKey::Username => "用户名",
            UserSortKey::Name => "姓名",
            UserSortKey::Unit => "单位",
            UserSortKey::Status => "状态",
        }
    }
}

/// The order of a sorted account list (`name`, `-name`).
pub type UserSort = Sort<UserSortKey>;

impl UserSort {
    /// The sort key of an account, as the cursor carries it and the store compares it.
    pub fn key_of(self, u: &User) -> String {
        match self.key {
            UserSortKey::Seq => String::new(),
            UserSortKey::Username => u.username.clone(),
            UserSortKey::Name => u.display_name.clone(),
            UserSortKey::Unit => u.unit_id.map(|i| i.to_string()).unwrap_or_default(),
            UserSortKey::Status => i16::from(u.disabled).to_string(),
        }
    }
}

/// The columns the unit list (单位) sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnitSortKey {
    /// As created (by id).
    #[default]
    Seq,
    /// By name.
    Name,
    /// By kind code, which keeps each kind together.
    Kind,
    /// By level code, which keeps each level together.
    Level,
    /// In force before withdrawn (or the other way).
    Status,
}

impl UnitSortKey {
    pub const ALL: [UnitSortKey; 5] = [
        UnitSortKey::Seq,
        UnitSortKey::Name,
        UnitSortKey::Kind,
        UnitSortKey::Level,
        UnitSortKey::Status,
    ];
}

impl SortKey for UnitSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            UnitSortKey::Seq => "seq",
            UnitSortKey::Name => "name",
            UnitSortKey::Kind => "kind",
            UnitSortKey::Level => "level",
            UnitSortKey::Status => "status",
        }
    }

    fn label(self) -> &'static str {
        match self {
            UnitSortKey::Seq => "建立顺序",
            UnitSortKey::Name => "单位名称",
            UnitSortKey::Kind => "类别",
            UnitSortKey::Level => "层级",
            UnitSortKey::Status => "状态",
        }
    }
}

/// The order of a sorted unit list (`name`, `-name`).
pub type UnitSort = Sort<UnitSortKey>;

impl UnitSort {
    /// The sort key of a unit, as the cursor carries it and the store compares it.
    pub fn key_of(self, u: &Unit) -> String {
        match self.key {
            UnitSortKey::Seq => String::new(),
            UnitSortKey::Name => u.name.clone(),
            UnitSortKey::Kind => u.kind.as_str().to_owned(),
            UnitSortKey::Level => u.level.as_str().to_owned(),
            UnitSortKey::Status => i16::from(u.withdrawn).to_string(),
        }
    }
}
