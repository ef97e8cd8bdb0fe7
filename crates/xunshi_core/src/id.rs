//! Opaque, stable, URL-safe identifiers.
//!
//! UUIDv7 values sort by creation time, which lets lists page by id without a separate sequence.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(uuid::Uuid);

impl Id {
    pub fn new() -> Self {
        Id(uuid::Uuid::now_v7())
    }
}

impl Id {
    /// A UUIDv7 for a given time and given random bits, for data generated deterministically
    /// (the benchmark data set): the same inputs give the same id, and ids still sort by time.
    pub fn v7_at(unix_millis: u64, random: [u8; 10]) -> Self {
        Id(uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid())
    }
}

impl Default for Id {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Id {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s.trim())
            .map(Id)
            .map_err(|_| CoreError::bad_input("id", format!("“{s}” 不是有效的编号")))
    }
}

impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("uuid".to_owned())))
            .into()
    }
}

impl utoipa::ToSchema for Id {}

impl Id {
    /// Reads an id from a URL path. An id that cannot exist names nothing, hence `NotFound`.
    pub fn from_path(raw: &str, what: &str) -> Result<Id, CoreError> {
        raw.parse()
            .map_err(|_| CoreError::NotFound(what.to_owned()))
    }
}
