//! Cursor paging. Lists are ordered by id (UUIDv7, so by creation) and a page continues after
//! the last id of the one before; unlike offsets, a cursor stays right while rows are added.

use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::id::Id;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub after: Option<Id>,
    pub limit: u32,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        PageRequest { after: None, limit }
    }

    /// Builds a request from the raw `cursor` and `limit` query parameters.
    pub fn parse(cursor: Option<&str>, limit: Option<u32>) -> Result<Self> {
        let after = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => Some(
                c.parse()
                    .map_err(|_| CoreError::bad_input("cursor", "分页游标无效"))?,
            ),
            None => None,
        };
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(CoreError::bad_input(
                "limit",
                format!("每页条数应在 1 到 {MAX_LIMIT} 之间"),
            ));
        }
        Ok(PageRequest { after, limit })
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first(DEFAULT_LIMIT)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many rows the whole list holds, where the list counts them.
    pub total: Option<i64>,
}

impl<T> Page<T> {
    /// A list with nothing in it (a filter that cannot match, a refused query).
    pub fn empty() -> Self {
        Page {
            items: Vec::new(),
            next_cursor: None,
            total: Some(0),
        }
    }

    /// Builds a page from up to `limit + 1` rows: the extra row only tells that more follow.
    pub fn from_rows(mut rows: Vec<T>, limit: u32, id_of: impl Fn(&T) -> Id) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| id_of(r).to_string())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
            total: None,
        }
    }

    pub fn with_total(mut self, total: i64) -> Self {
        self.total = Some(total);
        self
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            total: self.total,
        }
    }
}
