//! The headings, page sizes and page links of a sorted list (the ledger, inspections, clues),
//! one component for every list that sorts and counts.

use xunshi_core::CoreError;
use xunshi_core::page::{DEFAULT_LIMIT, Keyset, Sort, SortKey, SortedPage};
use xunshi_core::permission::Actor;

use super::PageError;

use crate::http::filters::{PAGE_SIZES, Sorting};

/// A column heading that sorts: the link sorts by it, ascending, or the other way when the
/// list is already sorted by it; `mark` shows which way it is sorted now.
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub mark: &'static str,
}

/// A sorted list's request as its page reads it: the filter and the cursor, or the refusal
/// the page shows with no rows; the order and the page size either way (the defaults after a
/// refusal), for the headings and the links.
pub struct Asked<F, K> {
    pub filter: Option<F>,
    pub at: Option<Keyset>,
    pub sort: Sort<K>,
    pub limit: u32,
    pub refused: Option<CoreError>,
}

impl<F, K: SortKey> Asked<F, K> {
    /// Reads what the list's parser made of the query: an input it refuses (400) is shown
    /// on the page, anything else (a cursor of another order, 422) is the error page.
    pub fn read(
        parsed: Result<(F, Sorting<K>), CoreError>,
        actor: &Actor,
    ) -> Result<Self, PageError> {
        let (found, refused) = super::filter_or_refusal(parsed, actor)?;
        Ok(match found {
            Some((f, (sort, at, limit))) => Asked {
                filter: Some(f),
                at,
                sort,
                limit,
                refused,
            },
            None => Asked {
                filter: None,
                at: None,
                sort: Sort::default(),
                limit: DEFAULT_LIMIT,
                refused,
            },
        })
    }
}

/// Where a page lies: what the list answered about it.
pub struct Place<'a> {
    pub total: i64,
    /// The page number the link carried (`page`).
    pub number: Option<u32>,
    pub at: Option<&'a Keyset>,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// A list's headings, page size choices and page links, under its filters. Keyset paging
/// knows where it is only relative to a row, so the pager offers the first, previous, next
/// and last pages, not a jump to page k; the page number is carried in the links and checked
/// against the page count.
pub struct Pager {
    /// The order's code, kept by the filter form so that filtering keeps the order.
    pub sort_code: String,
    sorts: Vec<(&'static str, SortLink)>,
    pub sizes: Vec<(u32, String, bool)>,
    pub number: i64,
    pub count: i64,
    pub limit: u32,
    pub first: Option<String>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub last: Option<String>,
}

impl Pager {
    /// The pager of a list read as `asked`, which answered `list`, on the page numbered
    /// `number` in the link: every sorted list but the ledger (whose cursor is its own) builds
    /// its pager from these.
    pub fn of<F, K: SortKey, T>(
        path: &str,
        filters: &str,
        asked: &Asked<F, K>,
        list: &SortedPage<T>,
        number: Option<u32>,
    ) -> Pager {
        Pager::new(
            path,
            filters,
            asked.sort,
            asked.limit,
            Place {
                total: list.total,
                number,
                at: asked.at.as_ref(),
                next: list.next_cursor.clone(),
                prev: list.prev_cursor.clone(),
            },
        )
    }

    /// The pager of the list at `path` (such as `/inspections`) under `filters` (the filter
    /// parameters, already encoded), sorted by `sort`, `limit` rows a page.
    pub fn new<K: SortKey>(
        path: &str,
        filters: &str,
        sort: Sort<K>,
        limit: u32,
        place: Place<'_>,
    ) -> Pager {
        let count = ((place.total + i64::from(limit) - 1) / i64::from(limit)).max(1);
        let code = sort.code();
        let href = |sort: &str, limit: u32, cursor: Option<&str>, page: i64| {
            let mut pairs = vec![("sort", sort.to_owned()), ("limit", limit.to_string())];
            if let Some(c) = cursor {
                pairs.push(("cursor", c.to_owned()));
                pairs.push(("page", page.to_string()));
            }
            let tail = serde_urlencoded::to_string(pairs).unwrap_or_default();
            if filters.is_empty() {
                format!("{path}?{tail}")
            } else {
                format!("{path}?{filters}&{tail}")
            }
        };
        // The last page is that by its cursor; any other page is numbered by its links, and
        // the first page has no cursor.
        let number = match place.at {
            None => 1,
            Some(Keyset { row: None, .. }) => count,
            Some(_) => i64::from(place.number.unwrap_or(2)).clamp(1, count),
        };
        let sorts = K::all()
            .iter()
            .map(|&k| {
                let current = sort.key == k;
                let flipped = Sort {
                    key: k,
                    desc: current && !sort.desc,
                };
                let link = SortLink {
                    label: k.label(),
                    href: href(&flipped.code(), limit, None, 1),
                    mark: match (current, sort.desc) {
                        (false, _) => "",
                        (true, false) => "▲",
                        (true, true) => "▼",
                    },
                };
                (k.as_str(), link)
            })
            .collect();
        let sizes = PAGE_SIZES
            .into_iter()
            .map(|n| (n, href(&code, n, None, 1), n == limit))
            .collect();
        let not_first = number > 1 || place.prev.is_some();
        Pager {
            sort_code: code.clone(),
            sorts,
            sizes,
            first: not_first.then(|| href(&code, limit, None, 1)),
            prev: place
                .prev
                .map(|c| href(&code, limit, Some(&c), (number - 1).max(1))),
            next: place
                .next
                .as_deref()
                .map(|c| href(&code, limit, Some(c), (number + 1).min(count))),
            last: (number < count).then(|| href(&code, limit, Some(&Keyset::last(&code)), count)),
            number,
            count,
            limit,
        }
    }

    /// The heading link of the column sorted by `code` (the first column's for a code the
    /// list does not have, which the templates never ask).
    pub fn sort(&self, code: &str) -> &SortLink {
        self.sorts
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| l)
            .unwrap_or(&self.sorts[0].1)
    }
}
