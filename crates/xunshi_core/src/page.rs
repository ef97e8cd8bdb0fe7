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

/// A page of a ranked or numbered list (the search's hits, a report's rows), where the cursor
/// is how far into the list the page before went: such a list is worked out anew, not walked
/// by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetRequest {
    pub offset: u32,
    pub limit: u32,
}

impl OffsetRequest {
    /// Builds a request from the raw `cursor` and `limit` query parameters, `limit` from 1 to
    /// `max` (`default` when not given).
    pub fn parse(cursor: Option<&str>, limit: Option<u32>, default: u32, max: u32) -> Result<Self> {
        let offset = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
            None => 0,
            Some(c) => c
                .parse::<u32>()
                .map_err(|_| CoreError::bad_input("cursor", "不是本列表给出的翻页位置"))?,
        };
        let limit = limit.unwrap_or(default);
        if limit == 0 || limit > max {
            return Err(CoreError::bad_input(
                "limit",
                format!("每页条数应在 1 到 {max} 之间"),
            ));
        }
        Ok(OffsetRequest { offset, limit })
    }

    /// The cursor of the page after one that showed `shown` rows of `total`, if any are left.
    pub fn next_cursor(&self, shown: usize, total: i64) -> Option<String> {
        let after = i64::from(self.offset) + i64::try_from(shown).unwrap_or(i64::MAX);
        (shown > 0 && after < total).then(|| after.to_string())
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

/// Where a sorted list's page starts: after (or, going back, before) the row with this sort
/// key and id, or the last page when going back without a row. Keyset paging stays exact
/// under every sort (a row added or changed meanwhile never repeats or hides a row of the page
/// being read) and each page is an index range, however deep it lies.
///
/// It travels as an opaque cursor naming the sort it was made under, so a cursor of one sort
/// is refused under another rather than read as the wrong key:
/// `n.{sort}.{hex key}.{id}` forward, `p.{sort}.{hex key}.{id}` back, `p.{sort}` the last page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    /// The sort key and id of the row the page starts next to; `None` only going back (the
    /// last page).
    pub row: Option<(String, Id)>,
    /// Back: the rows before `row`, the page before the one it is on.
    pub back: bool,
}

impl Keyset {
    /// The cursor that continues after `(key, id)` under the sort coded `sort`.
    pub fn after(sort: &str, key: &str, id: Id) -> String {
        format!("n.{sort}.{}.{id}", hex::encode(key))
    }

    /// The cursor of the page before the row `(key, id)`.
    pub fn before(sort: &str, key: &str, id: Id) -> String {
        format!("p.{sort}.{}.{id}", hex::encode(key))
    }

    /// The cursor of the last page.
    pub fn last(sort: &str) -> String {
        format!("p.{sort}")
    }

    /// Reads a cursor made under the sort coded `sort`. A bare id is the cursor of the lists
    /// that page by id, kept valid for the default order `plain_ok`.
    pub fn parse(raw: &str, sort: &str, plain_ok: bool) -> Result<Self> {
        // A cursor is any text to the schema; one this list did not issue under this order is
        // refused by what it names, not by its form (422, like the order it does not fit).
        let bad = || CoreError::unfit("cursor", "分页游标无效");
        if plain_ok && let Ok(id) = raw.parse::<Id>() {
            return Ok(Keyset {
                row: Some((String::new(), id)),
                back: false,
            });
        }
        let parts: Vec<&str> = raw.split('.').collect();
        let back = match parts.first() {
            Some(&"n") => false,
            Some(&"p") => true,
            _ => return Err(bad()),
        };
        if parts.get(1) != Some(&sort) {
            return Err(CoreError::unfit(
                "cursor",
                "分页游标与当前排序不符，请从第一页开始",
            ));
        }
        match parts.as_slice() {
            [_, _] if back => Ok(Keyset { row: None, back }),
            [_, _, key, id] => {
                let key = hex::decode(key)
                    .ok()
                    .and_then(|k| String::from_utf8(k).ok())
                    .ok_or_else(bad)?;
                let id = id.parse().map_err(|_| bad())?;
                Ok(Keyset {
                    row: Some((key, id)),
                    back,
                })
            }
            _ => Err(bad()),
        }
    }
}

/// The columns a sorted list offers: each with the code a query names it by and the heading
/// the page shows; the default is the list's own order (as entered, by id).
pub trait SortKey: Copy + Eq + Default + Send + Sync + 'static {
    /// Whether the list's own order runs down its default column (the audit trail's, newest
    /// first); the other way is then the one a query names without `-`.
    const DEFAULT_DESC: bool = false;
    fn all() -> &'static [Self];
    fn as_str(self) -> &'static str;
    fn label(self) -> &'static str;
}

/// The order of a sorted list: a column and its direction. Written `due` (ascending) or
/// `-due` (descending) in a query; blank is the list's own order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<K> {
    pub key: K,
    pub desc: bool,
}

impl<K: SortKey> Default for Sort<K> {
    /// The list's own order.
    fn default() -> Self {
        Sort {
            key: K::default(),
            desc: K::DEFAULT_DESC,
        }
    }
}

impl<K: SortKey> Sort<K> {
    /// Reads `sort`: a column code, `-` before it for descending; blank is the default.
    pub fn parse(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Self::default());
        }
        let (desc, code) = match raw.strip_prefix('-') {
            Some(c) => (true, c),
            None => (false, raw),
        };
        let key = K::all()
            .iter()
            .copied()
            .find(|k| k.as_str() == code)
            .ok_or_else(|| {
                let names: Vec<String> = K::all()
                    .iter()
                    .map(|k| format!("{}（{}）", k.as_str(), k.label()))
                    .collect();
                CoreError::bad_input(
                    "sort",
                    format!(
                        "“{raw}”不是可用的排序，应为 {}，前加“-”为降序",
                        names.join("、")
                    ),
                )
            })?;
        Ok(Sort { key, desc })
    }

    /// The code as a query writes it: `due`, `-due`.
    pub fn code(self) -> String {
        if self.desc {
            format!("-{}", self.key.as_str())
        } else {
            self.key.as_str().to_owned()
        }
    }

    /// Reads a cursor made under this order; a bare id only under the default one.
    pub fn cursor(self, raw: &str) -> Result<Keyset> {
        Keyset::parse(raw, &self.code(), self == Self::default())
    }
}

/// One page of a sorted list, with the cursors of the pages beside it and the total.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SortedPage<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` (with the same `sort`) for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `cursor` (with the same `sort`) for the page before; null on the first page.
    pub prev_cursor: Option<String>,
    /// How many rows the filter matches, under the reader's scope.
    pub total: i64,
}

impl<T> SortedPage<T> {
    /// A list with nothing in it (a filter that cannot match).
    pub fn empty() -> Self {
        SortedPage {
            items: Vec::new(),
            next_cursor: None,
            prev_cursor: None,
            total: 0,
        }
    }

    /// How many rows to read for a page starting at `at`: `limit`, but the last page holds
    /// what the full pages before it leave, so that its number is the page count and going
    /// back from it meets the same page boundaries as going forward.
    pub fn want(at: Option<&Keyset>, total: i64, limit: u32) -> Result<u32> {
        match at {
            Some(Keyset { row: None, .. }) if total > 0 => {
                u32::try_from((total - 1).rem_euclid(i64::from(limit)) + 1)
                    .map_err(CoreError::internal)
            }
            _ => Ok(limit),
        }
    }

    /// The page from up to `want + 1` rows as the store walked them from `at` (going back,
    /// the nearest first), with its neighbours' cursors made by `key_of` (a row's sort key
    /// and id). The list's own order keeps the bare id as its next cursor.
    pub fn from_walk<K: SortKey>(
        mut rows: Vec<T>,
        sort: Sort<K>,
        at: Option<&Keyset>,
        want: u32,
        total: i64,
        key_of: impl Fn(&T) -> (String, Id),
    ) -> Self {
        let back = at.is_some_and(|k| k.back);
        let more = rows.len() > want as usize;
        rows.truncate(want as usize);
        if back {
            rows.reverse();
        }
        let (has_prev, has_next) = if back {
            (more, at.is_some_and(|k| k.row.is_some()))
        } else {
            (at.is_some(), more)
        };
        let code = sort.code();
        let next_cursor = rows.last().filter(|_| has_next).map(|r| {
            let (key, id) = key_of(r);
            if sort == Sort::default() {
                id.to_string()
            } else {
                Keyset::after(&code, &key, id)
            }
        });
        let prev_cursor = rows.first().filter(|_| has_prev).map(|r| {
            let (key, id) = key_of(r);
            Keyset::before(&code, &key, id)
        });
        SortedPage {
            items: rows,
            next_cursor,
            prev_cursor,
            total,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> SortedPage<U> {
        SortedPage {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            prev_cursor: self.prev_cursor,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_under_its_sort_and_is_refused_under_another() {
        let id = Id::new();
        let c = Keyset::after("-due", "2020-05-31", id);
        assert_eq!(
            Keyset::parse(&c, "-due", false).unwrap(),
            Keyset {
                row: Some(("2020-05-31".into(), id)),
                back: false
            }
        );
        let b = Keyset::parse(&Keyset::before("seq", "", id), "seq", true).unwrap();
        assert_eq!(b.row, Some((String::new(), id)));
        assert!(b.back);
        let last = Keyset::parse(&Keyset::last("due"), "due", false).unwrap();
        assert_eq!((last.row, last.back), (None, true));
        // A bare id is the ledger's own order's cursor only.
        assert!(Keyset::parse(&id.to_string(), "seq", true).is_ok());
        for (raw, sort) in [
            (c.as_str(), "due"),
            (id.to_string().as_str(), "due"),
            ("n.due", "due"),
            ("n.due.zz.x", "due"),
            ("x.due.00.1", "due"),
        ] {
            match Keyset::parse(raw, sort, false) {
                Err(CoreError::Unfit(f)) => assert_eq!(f[0].field, "cursor"),
                other => panic!("{raw}: {other:?}"),
            }
        }
    }
}
