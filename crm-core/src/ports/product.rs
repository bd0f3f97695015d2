//! The ports of the product catalog: its repository and its search index.

use chrono::NaiveDate;

use crate::erp::{GroupCode, ProductNumber};
use crate::error::Result;
use crate::product::{Product, ProductGroup};
use crate::search::{Page, PageRequest};

/// What a write of products did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductWrite {
    /// Products stored for the first time.
    pub new: usize,
    /// Products whose stored record changed.
    pub changed: usize,
    /// Products sent again unchanged.
    pub unchanged: usize,
    /// The numbers of the new and changed products.
    pub written: Vec<ProductNumber>,
}

/// Which products a list holds, with the groups already resolved to the group and its
/// subgroups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductSelection {
    /// Only products of these groups (none: any group).
    pub groups: Option<Vec<GroupCode>>,
    /// Only new items since this day and not after `day`.
    pub new_since: Option<NaiveDate>,
    /// Only products on promotion on `day`.
    pub on_promotion: bool,
    /// The day the list is for.
    pub day: NaiveDate,
}

/// The stored product catalog.
pub trait ProductRepository {
    /// Stores `products` (by number; a stored product is replaced whole) and their
    /// promotions.
    ///
    /// # Errors
    /// Storage failures only.
    fn put_products(&mut self, products: &[Product]) -> Result<ProductWrite>;

    /// Deletes the products with these numbers; answers how many there were.
    ///
    /// # Errors
    /// Storage failures only.
    fn delete_products(&mut self, numbers: &[ProductNumber]) -> Result<usize>;

    /// Stores product groups (by code).
    ///
    /// # Errors
    /// Storage failures only.
    fn put_product_groups(&mut self, groups: &[ProductGroup]) -> Result<()>;

    /// Every product group (the hierarchy is small: thousands, not millions).
    ///
    /// # Errors
    /// Storage failures only.
    fn product_groups_all(&mut self) -> Result<Vec<ProductGroup>>;

    /// The products with these numbers that exist, in no particular order.
    ///
    /// # Errors
    /// Storage failures only.
    fn products(&mut self, numbers: &[ProductNumber]) -> Result<Vec<Product>>;

    /// A page of the products `selection` holds, by number.
    ///
    /// # Errors
    /// Storage failures only.
    fn product_page(
        &mut self,
        selection: &ProductSelection,
        page: PageRequest,
    ) -> Result<Page<Product>>;

    /// Up to `limit` products with numbers after `after`, by number: the whole catalog in
    /// slices, for rebuilding an index.
    ///
    /// # Errors
    /// Storage failures only.
    fn products_after(&mut self, after: Option<&ProductNumber>, limit: u32)
    -> Result<Vec<Product>>;

    /// The numbers of the products on promotion on `day`.
    ///
    /// # Errors
    /// Storage failures only.
    fn promoted_on(&mut self, day: NaiveDate) -> Result<Vec<ProductNumber>>;

    /// How many products are stored.
    ///
    /// # Errors
    /// Storage failures only.
    fn product_count(&mut self) -> Result<u64>;
}

/// A product as an index takes it: with the path of its group from the top down, so that a
/// search in a group finds the products of its subgroups too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedProduct {
    /// The product.
    pub product: Product,
    /// Its group and the groups above it, top down (empty without a group).
    pub group_path: Vec<GroupCode>,
    /// [`crate::product::fingerprint`] of the product, for the drift check.
    pub fingerprint: u64,
}

/// A product search with what the index cannot know resolved by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexQuery<'q> {
    /// The query.
    pub query: &'q crate::product::ProductQuery,
    /// The path of the filter's group, top down, when the query filters by group.
    pub group_path: Option<Vec<GroupCode>>,
    /// The products on promotion on the query's day, when it filters by promotion.
    pub promoted: Option<Vec<ProductNumber>>,
}

/// Changes to a product index, committed together.
pub trait ProductIndexWriter {
    /// Adds products, replacing those with the same number.
    ///
    /// # Errors
    /// Index failures.
    fn upsert(&mut self, products: &[IndexedProduct]) -> Result<()>;

    /// Removes products.
    ///
    /// # Errors
    /// Index failures.
    fn delete(&mut self, numbers: &[ProductNumber]) -> Result<()>;

    /// Removes everything (before a rebuild).
    ///
    /// # Errors
    /// Index failures.
    fn clear(&mut self) -> Result<()>;
}

/// A full-text index of the products. The database stays the source of truth: the index is
/// written after the database commits and can be rebuilt from it at any time.
pub trait ProductIndex: Send + Sync {
    /// Runs `changes` and commits them, so that searches see them when this returns; if
    /// `changes` fails, nothing of it is kept.
    ///
    /// # Errors
    /// Index failures, or what `changes` returns.
    fn update(
        &self,
        changes: &mut dyn FnMut(&mut dyn ProductIndexWriter) -> Result<()>,
    ) -> Result<()>;

    /// Searches.
    ///
    /// # Errors
    /// Index failures; never the query text, whatever it holds.
    fn search(&self, query: &IndexQuery<'_>) -> Result<crate::product::ProductHits>;

    /// How many products the index holds.
    ///
    /// # Errors
    /// Index failures.
    fn count(&self) -> Result<u64>;

    /// Waits until the index's background work (a merge after a rebuild, changes staged
    /// for a later commit) has ended. Searches need not wait; this is for a caller that
    /// wants the index at rest, before a backup or a measurement. The default has nothing
    /// to wait for.
    ///
    /// # Errors
    /// Index failures.
    fn settle(&self) -> Result<()> {
        Ok(())
    }

    /// The fingerprints the index holds for `numbers` (missing ones are left out).
    ///
    /// # Errors
    /// Index failures.
    fn fingerprints(&self, numbers: &[ProductNumber]) -> Result<Vec<(ProductNumber, u64)>>;
}
