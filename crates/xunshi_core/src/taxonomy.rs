//! The problem taxonomy (domain.md §5): versioned data, not code. The two versions the product
//! ships (the 2017–2019 headings of party building, and the "four implementations" used from
//! about 2020) are seeded by the store's migration; the inspection office adds versions and
//! categories as the rules change. A problem keeps the version it was classified under.

use serde::{Deserialize, Serialize};

use crate::error::{Result, Validation};
use crate::id::Id;
use crate::inspection::parse_date;

/// One version of the taxonomy, such as "2017版（六大纪律/党的建设）".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaxonomyVersion {
    pub id: Id,
    /// A short stable code, such as `2017`.
    pub code: String,
    pub name: String,
    /// The version is in force for inspections entering on or after this date, until a later
    /// version takes over.
    #[schema(value_type = String, format = Date)]
    pub valid_from: jiff::civil::Date,
}

/// One heading of a version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Category {
    pub id: Id,
    pub version_id: Id,
    pub code: String,
    pub name: String,
    /// The order of the headings within the version, as documents list them.
    pub position: i32,
}

/// A version with its categories in order, as pickers and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Taxonomy {
    #[serde(flatten)]
    pub version: TaxonomyVersion,
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TaxonomyVersionInput {
    #[schema(pattern = r"^[A-Za-z0-9_.-]{1,40}$")]
    pub code: String,
    #[schema(min_length = 1, pattern = r"\S", max_length = 100)]
    pub name: String,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub valid_from: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CategoryInput {
    #[schema(pattern = r"^[A-Za-z0-9_.-]{1,40}$")]
    pub code: String,
    #[schema(min_length = 1, pattern = r"\S", max_length = 100)]
    pub name: String,
}

/// Codes are typed by the office and used in URLs and exports: keep them plain.
fn check_code(v: &mut Validation, code: &str) {
    let ok = !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        v.add("code", "代码须为 1–40 位英文字母、数字或 _ - .");
    }
}

impl TaxonomyVersionInput {
    pub fn validate(&self) -> Result<(String, String, jiff::civil::Date)> {
        let mut v = Validation::new();
        let code = self.code.trim();
        check_code(&mut v, code);
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            v.add("name", "请填写版本名称（不超过 100 个字）");
        }
        let valid_from = v
            .take(parse_date("valid_from", Some(&self.valid_from)))
            .flatten();
        if self.valid_from.trim().is_empty() {
            v.add("valid_from", "请填写启用日期");
        }
        v.finish()?;
        Ok((
            code.to_owned(),
            name.to_owned(),
            valid_from.expect("validated"),
        ))
    }
}

impl CategoryInput {
    pub fn validate(&self) -> Result<(String, String)> {
        let mut v = Validation::new();
        let code = self.code.trim();
        check_code(&mut v, code);
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            v.add("name", "请填写类别名称（不超过 100 个字）");
        }
        v.finish()?;
        Ok((code.to_owned(), name.to_owned()))
    }
}

/// The version in force on `on`: the latest whose `valid_from` is not after it, else the
/// earliest (an inspection dated before every version still needs a taxonomy).
pub fn version_in_force(
    versions: &[TaxonomyVersion],
    on: jiff::civil::Date,
) -> Option<&TaxonomyVersion> {
    versions
        .iter()
        .filter(|v| v.valid_from <= on)
        .max_by_key(|v| v.valid_from)
        .or_else(|| versions.iter().min_by_key(|v| v.valid_from))
}

/// Sorts categories as documents list them: versions by start date, headings by position.
pub fn sort_categories(categories: &mut [Category], versions: &[TaxonomyVersion]) {
    let start = |vid: Id| {
        versions
            .iter()
            .find(|v| v.id == vid)
            .map(|v| v.valid_from)
            .unwrap_or(jiff::civil::Date::MAX)
    };
    categories.sort_by(|a, b| {
        (start(a.version_id), a.version_id, a.position, &a.code).cmp(&(
            start(b.version_id),
            b.version_id,
            b.position,
            &b.code,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn version(code: &str, from: jiff::civil::Date) -> TaxonomyVersion {
        TaxonomyVersion {
            id: Id::new(),
            code: code.into(),
            name: code.into(),
            valid_from: from,
        }
    }

    #[test]
    fn the_version_in_force_is_the_latest_started() {
        let v2017 = version("2017", date(2017, 7, 1));
        let v2020 = version("2020", date(2020, 1, 1));
        let all = vec![v2020.clone(), v2017.clone()];
        assert_eq!(
            version_in_force(&all, date(2019, 9, 18)).unwrap().code,
            "2017"
        );
        assert_eq!(
            version_in_force(&all, date(2021, 3, 1)).unwrap().code,
            "2020"
        );
        assert_eq!(
            version_in_force(&all, date(2010, 1, 1)).unwrap().code,
            "2017",
            "before every version, the earliest"
        );
        assert!(version_in_force(&[], date(2020, 1, 1)).is_none());
    }

    #[test]
    fn codes_are_plain_and_names_required() {
        let bad = TaxonomyVersionInput {
            code: "2017 版".into(),
            name: " ".into(),
            valid_from: "2017-13-01".into(),
        };
        let Err(crate::CoreError::BadInput(f)) = bad.validate() else {
            panic!("accepted")
        };
        let fields: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "name", "valid_from"]);
    }
}
