//! What catalog files (BMEcat, CSV) say, item by item, and what importing them did.

use serde::{Deserialize, Serialize};

use super::{Product, ProductGroup};
use crate::erp::{ListPrice, ProductNumber};

/// One statement of a catalog file, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum CatalogItem {
    /// A product group (before the products in it).
    Group(ProductGroup),
    /// A product, new or replacing the stored one whole.
    Product(Box<Product>),
    /// New list prices of a stored product (a price update); everything else stays.
    Prices {
        /// The product.
        number: ProductNumber,
        /// Its list prices from now on.
        prices: Vec<ListPrice>,
    },
    /// A product to delete.
    Delete(ProductNumber),
    /// A stored product put into a group.
    Assign {
        /// The product.
        number: ProductNumber,
        /// Its group.
        group: crate::erp::GroupCode,
    },
}

/// A catalog item read with where it stood in its file, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The item.
    pub item: CatalogItem,
    /// Where it stood: an element path with its line (`BMECAT/T_NEW_CATALOG/PRODUCT[3]`,
    /// line 120) or a CSV line (`line 7`).
    pub at: String,
}

/// What importing a catalog did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogReport {
    /// Product groups stored.
    pub groups: usize,
    /// Products stored for the first time.
    pub new: usize,
    /// Products whose record changed.
    pub changed: usize,
    /// Products sent again unchanged.
    pub unchanged: usize,
    /// Products whose prices or group were replaced.
    pub repriced: usize,
    /// Products deleted.
    pub deleted: usize,
    /// Things kept but worth a look, e.g. an EAN with a wrong check digit.
    pub warnings: Vec<String>,
}
