//! Search by criteria, sorting and pages.

use serde::{Deserialize, Serialize};

use crate::address::{AddressKind, AddressStatus, Classification};
use crate::error::{Error, Result};
use crate::ids::{AddressNumber, PoolId, UserId};
use crate::text::{self, QueryWord};
use crate::values::CountryCode;

/// Most words of a name query that are used; further words are ignored.
pub const MAX_QUERY_WORDS: usize = 8;

/// The largest page a list returns.
pub const MAX_PAGE: u32 = 500;

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageRequest {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return, 1 to [`MAX_PAGE`].
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            offset: 0,
            limit: 50,
        }
    }
}

impl PageRequest {
    /// The first `limit` rows.
    pub fn first(limit: u32) -> Self {
        PageRequest { offset: 0, limit }
    }

    /// Checks the limit.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `limit` when it is 0 or above [`MAX_PAGE`].
    pub fn validate(self) -> Result<Self> {
        if self.limit == 0 || self.limit > MAX_PAGE {
            return Err(Error::invalid(
                "limit",
                format!("must be between 1 and {MAX_PAGE}, is {}", self.limit),
            ));
        }
        if self.offset > i64::MAX as u64 {
            return Err(Error::invalid("offset", "is too large"));
        }
        Ok(self)
    }
}

/// One page of a list with the total number of rows that match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// All rows that match, over all pages.
    pub total: u64,
    /// Rows skipped before this page.
    pub offset: u64,
    /// Requested page size.
    pub limit: u32,
}

impl<T> Page<T> {
    /// The page `request` asks for out of the whole, ordered list `all`.
    pub fn of(all: Vec<T>, request: PageRequest) -> Page<T> {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(request.offset).unwrap_or(usize::MAX))
            .take(request.limit as usize)
            .collect();
        Page {
            items,
            total,
            offset: request.offset,
            limit: request.limit,
        }
    }

    /// Maps the rows, keeping the counts.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            offset: self.offset,
            limit: self.limit,
        }
    }
}

/// Postal code criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostalCodeFilter {
    /// This postal code.
    Exact(String),
    /// Codes from `from` to `to`, inclusive, compared as text (equal lengths compare as
    /// numbers: `8000`–`8999`).
    Range {
        /// Lowest code.
        from: String,
        /// Highest code.
        to: String,
    },
}

/// Which addresses by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Active addresses only (the default).
    #[default]
    Active,
    /// Inactive addresses only.
    Inactive,
    /// Both.
    Any,
}

/// Sort field of an address list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressSortField {
    /// Folded name (the default).
    #[default]
    Name,
    /// Business number.
    Number,
    /// Postal code.
    PostalCode,
    /// City.
    City,
    /// Last change.
    Updated,
}

/// Sort order of an address list; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressSort {
    /// Field.
    pub by: AddressSortField,
    /// Descending instead of ascending.
    pub descending: bool,
}

/// Criteria of the address search; every given criterion must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressCriteria {
    /// Business number, exact (also finds a converted customer by its former lead number).
    pub number: Option<AddressNumber>,
    /// Name words: each word must start a word of the name; umlauts and accents fold
    /// (`muell` finds `Bäckerei Müller AG`).
    pub name: Option<String>,
    /// Postal code or range.
    pub postal_code: Option<PostalCodeFilter>,
    /// City, by prefix, folded (`zuri` finds `Zürich`).
    pub city: Option<String>,
    /// Country.
    pub country: Option<CountryCode>,
    /// Lead or customer.
    pub kind: Option<AddressKind>,
    /// Active (default), inactive or any.
    pub status: StatusFilter,
    /// Responsible rep, as field or inside rep.
    pub responsible: Option<UserId>,
    /// Industry, by prefix, folded.
    pub industry: Option<String>,
    /// ABC classification.
    pub classification: Option<Classification>,
    /// Members of this pool only (the pool must be visible to the actor).
    pub pool: Option<PoolId>,
    /// Sort order.
    pub sort: AddressSort,
}

/// The criteria in the shape storage applies them: folded, bounded, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressQuery {
    /// Exact number.
    pub number: Option<AddressNumber>,
    /// Name words with their folded forms; each must match by prefix.
    pub name_words: Vec<QueryWord>,
    /// Inclusive postal code range.
    pub postal_code: Option<(String, String)>,
    /// Folded city forms; one must be a prefix of the stored city key.
    pub city_forms: Vec<String>,
    /// Country.
    pub country: Option<CountryCode>,
    /// Kind.
    pub kind: Option<AddressKind>,
    /// Status, `None` for any.
    pub status: Option<AddressStatus>,
    /// Responsible rep.
    pub responsible: Option<UserId>,
    /// Folded industry prefix.
    pub industry: Option<String>,
    /// Classification.
    pub classification: Option<Classification>,
    /// Pool.
    pub pool: Option<PoolId>,
    /// Sort.
    pub sort: AddressSort,
}

impl AddressCriteria {
    /// Every address, active or not: the criteria that select everything.
    pub fn everything() -> Self {
        AddressCriteria {
            status: StatusFilter::Any,
            ..Default::default()
        }
    }

    /// Folds and checks the criteria. Text that holds no letters or digits is ignored rather
    /// than rejected, so that a search box never fails on what is typed.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `postal_code` for an inverted range.
    pub fn to_query(&self) -> Result<AddressQuery> {
        let mut name_words = self
            .name
            .as_deref()
            .map(text::query_words)
            .unwrap_or_default();
        name_words.truncate(MAX_QUERY_WORDS);
        let postal_code = match &self.postal_code {
            None => None,
            Some(PostalCodeFilter::Exact(code)) => {
                let code = code.trim().to_ascii_uppercase();
                (!code.is_empty()).then(|| (code.clone(), code))
            }
            Some(PostalCodeFilter::Range { from, to }) => {
                let (from, to) = (
                    from.trim().to_ascii_uppercase(),
                    to.trim().to_ascii_uppercase(),
                );
                if from > to {
                    return Err(Error::invalid(
                        "postal_code",
                        format!("range {from}–{to} is inverted"),
                    ));
                }
                Some((from, to))
            }
        };
        let city_forms = self
            .city
            .as_deref()
            .map(text::place_forms)
            .unwrap_or_default()
            .into_iter()
            .filter(|f| !f.is_empty())
            .collect();
        let industry = self
            .industry
            .as_deref()
            .map(text::name_key)
            .filter(|k| !k.is_empty());
        Ok(AddressQuery {
            number: self.number,
            name_words,
            postal_code,
            city_forms,
            country: self.country,
            kind: self.kind,
            status: match self.status {
                StatusFilter::Active => Some(AddressStatus::Active),
                StatusFilter::Inactive => Some(AddressStatus::Inactive),
                StatusFilter::Any => None,
            },
            responsible: self.responsible,
            industry,
            classification: self.classification,
            pool: self.pool,
            sort: self.sort,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_fold_and_ignore_empty_text() {
        let criteria = AddressCriteria {
            name: Some("Müll  !!".into()),
            city: Some("Zuerich".into()),
            industry: Some("  ".into()),
            postal_code: Some(PostalCodeFilter::Exact(" 8001 ".into())),
            ..Default::default()
        };
        let q = criteria.to_query().unwrap();
        assert_eq!(q.name_words.len(), 1);
        assert_eq!(q.city_forms, vec!["zuerich", "zurich"]);
        assert_eq!(q.industry, None);
        assert_eq!(q.postal_code, Some(("8001".into(), "8001".into())));
        assert_eq!(q.status, Some(AddressStatus::Active));
    }

    #[test]
    fn inverted_ranges_and_bad_limits_are_named() {
        let criteria = AddressCriteria {
            postal_code: Some(PostalCodeFilter::Range {
                from: "9000".into(),
                to: "8000".into(),
            }),
            ..Default::default()
        };
        let Err(Error::Invalid(e)) = criteria.to_query() else {
            panic!("must fail")
        };
        assert_eq!(e.field(), "postal_code");
        assert!(PageRequest::first(0).validate().is_err());
        assert!(PageRequest::first(MAX_PAGE + 1).validate().is_err());
        assert!(PageRequest::first(MAX_PAGE).validate().is_ok());
    }
}
