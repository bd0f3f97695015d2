//! Free-text product search as the catalog's index answers it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ProductFilter;
use crate::erp::{GroupCode, ProductNumber};
use crate::values::Language;

/// Most hits one query returns.
pub const MAX_HITS: usize = 200;

/// A free-text product search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    /// What the user typed; the last word counts as a prefix while he types.
    pub text: String,
    /// The user's language: its texts rank first.
    pub language: Language,
    /// New items, promotions, a group.
    #[serde(default)]
    pub filter: ProductFilter,
    /// The day new items and promotions are judged on.
    pub day: NaiveDate,
    /// Hits to return (1 to [`MAX_HITS`]).
    pub limit: usize,
}

/// A product found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductHit {
    /// The number.
    pub number: ProductNumber,
    /// The name in the user's language (or the first there is).
    pub name: String,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupCode>,
    /// How well it matches; higher is better, comparable within one answer only.
    pub score: f32,
}

/// The answer to a [`ProductQuery`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductHits {
    /// The best hits, best first.
    pub hits: Vec<ProductHit>,
    /// How many products match in all.
    pub total: usize,
    /// Matching products per product group (top-level groups and their counts), largest
    /// first.
    pub facets: Vec<(GroupCode, u64)>,
}
