//! Products as sales people look them up: numbers (own, EAN/GTIN, the manufacturer's), names
//! and descriptions in German, French, Italian and English, keywords, a place in the product
//! group hierarchy, list prices, features, media, and what makes a product worth mentioning
//! today — **new items** and **promotions**.
//!
//! Products come from catalogs (BMEcat, CSV) and are handed to the active sales document,
//! where the ERP's price determination prices them. The product's own list prices are the
//! catalog's; they are also what the replica's price determination starts from when the
//! catalog is imported into the replica.

pub mod catalog;
mod gtin;
mod promotion_price;
pub mod query;
mod texts;
mod validate;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::erp::{GroupCode, ListPrice, ProductNumber};
use crate::names::names;
use crate::values::{Currency, Language};

pub use catalog::{CatalogItem, CatalogReport, Located};
pub use gtin::Gtin;
pub use promotion_price::with_promotion;
pub use query::{MAX_HITS, ProductHit, ProductHits, ProductQuery};
pub use texts::Texts;

/// Whether a product can be sold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// In the range.
    #[default]
    Active,
    /// Sold while stocks last; no longer reordered.
    PhasingOut,
    /// No longer sold; kept for documents that name it.
    Discontinued,
}

names!(ProductStatus {
    Active => "active",
    PhasingOut => "phasing_out",
    Discontinued => "discontinued",
});

/// A feature (attribute) of a product, as classification systems such as ECLASS name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    /// The classification system, e.g. `ECLASS-9.0`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The feature's name, e.g. `Bemessungsspannung`.
    pub name: String,
    /// Its values (several for lists).
    pub values: Vec<String>,
    /// The unit, e.g. `mm` or `V`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The language of name and values, when they are text in one language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

/// An image, data sheet or other file about a product: a reference, not the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// Where it is: a URL or a path relative to the catalog's media root.
    pub source: String,
    /// The MIME type as the catalog gives it (`image/jpeg`, `application/pdf`, `url`).
    pub mime_type: String,
    /// What it is for: `normal`, `thumbnail`, `detail`, `data_sheet`, `logo`, `others` …
    pub purpose: String,
    /// A caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What a promotion does to the price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromotionOffer {
    /// A promotional unit price.
    Price {
        /// The price per unit.
        price: Decimal,
        /// Its currency.
        currency: Currency,
    },
    /// A discount on the list price, in percent (0–100).
    Discount {
        /// The percentage.
        percent: Decimal,
    },
}

/// A promotion of a product over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    /// The label shown to sales people and customers, e.g. `Herbstaktion`.
    pub label: String,
    /// First day (inclusive).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Price or discount.
    pub offer: PromotionOffer,
}

impl Promotion {
    /// Whether it runs on `day`.
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

/// A product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The product number (the supplier's or the ERP's article number).
    pub number: ProductNumber,
    /// The EAN/GTIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ean: Option<Gtin>,
    /// The manufacturer's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// The manufacturer's part number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer_number: Option<String>,
    /// The manufacturer's type designation, e.g. `DEK 5/5 MC NE WS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer_type: Option<String>,
    /// Names (short descriptions) per language.
    pub names: Texts,
    /// Long descriptions per language.
    #[serde(default, skip_serializing_if = "Texts::is_empty")]
    pub descriptions: Texts,
    /// Search words per language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<(Language, String)>,
    /// The product group (a leaf or inner node of the hierarchy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupCode>,
    /// The unit it is sold in (UN/ECE code such as `C62` or `PCE`, or the catalog's own).
    pub unit: String,
    /// The catalog's list prices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<ListPrice>,
    /// Features such as ECLASS properties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
    /// Images, data sheets and other files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Media>,
    /// Whether it is sold.
    #[serde(default)]
    pub status: ProductStatus,
    /// New item since this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_since: Option<NaiveDate>,
    /// Promotions, past, current and planned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<Promotion>,
}

impl Product {
    /// A product with a number, a name in one language and a unit; everything else empty.
    pub fn new(number: ProductNumber, language: Language, name: &str, unit: &str) -> Product {
        let mut names = Texts::default();
        names.set(language, name);
        Product {
            number,
            ean: None,
            manufacturer: None,
            manufacturer_number: None,
            manufacturer_type: None,
            names,
            descriptions: Texts::default(),
            keywords: Vec::new(),
            group: None,
            unit: unit.trim().to_owned(),
            prices: Vec::new(),
            features: Vec::new(),
            media: Vec::new(),
            status: ProductStatus::Active,
            new_since: None,
            promotions: Vec::new(),
        }
    }

    /// The name in `language`, else in German, English, French or Italian (the first there
    /// is), else the number.
    pub fn name_in(&self, language: Language) -> String {
        self.names
            .get_or_any(language)
            .map_or_else(|| self.number.to_string(), str::to_owned)
    }

    /// The promotion running on `day`, the one ending first when several do.
    pub fn promotion_on(&self, day: NaiveDate) -> Option<&Promotion> {
        self.promotions
            .iter()
            .filter(|p| p.runs_on(day))
            .min_by_key(|p| p.to)
    }

    /// Whether it is a new item on `day`.
    pub fn is_new_on(&self, day: NaiveDate) -> bool {
        self.new_since.is_some_and(|since| since <= day)
    }

    /// The keywords in `language`.
    pub fn keywords_in(&self, language: Language) -> impl Iterator<Item = &str> {
        self.keywords
            .iter()
            .filter(move |(l, _)| *l == language)
            .map(|(_, k)| k.as_str())
    }
}

/// A node of the product group hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductGroup {
    /// Its code.
    pub code: GroupCode,
    /// The group above, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<GroupCode>,
    /// Its names per language.
    pub names: Texts,
}

/// Filters of a product list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFilter {
    /// Only products of this group and its subgroups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupCode>,
    /// Only new items since this day (and not later than the day asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_since: Option<NaiveDate>,
    /// Only products on promotion on the day asked for.
    #[serde(default)]
    pub on_promotion: bool,
}

/// What a product list shows of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    /// The number.
    pub number: ProductNumber,
    /// The name in the reader's language (or the first there is).
    pub name: String,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupCode>,
    /// New item since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_since: Option<NaiveDate>,
    /// The promotion running on the day asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion: Option<Promotion>,
    /// The status.
    pub status: ProductStatus,
}

impl ProductSummary {
    /// The summary of `product` for a reader of `language` on `day`.
    pub fn of(product: &Product, language: Language, day: NaiveDate) -> ProductSummary {
        ProductSummary {
            number: product.number.clone(),
            name: product.name_in(language),
            group: product.group.clone(),
            new_since: product.new_since,
            promotion: product.promotion_on(day).cloned(),
            status: product.status,
        }
    }
}

/// Everything about one product, with its place in the group hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    /// The product.
    pub product: Product,
    /// Its group and the groups above it, from the top down.
    pub group_path: Vec<ProductGroup>,
    /// Whether it is a new item on the day asked for.
    pub is_new: bool,
    /// The promotion running on the day asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion: Option<Promotion>,
    /// Its documents in the archive (data sheets, images, certificates, drawings), newest
    /// first, as far as the user may see them: what its media point to.
    #[serde(default)]
    pub documents: Vec<crate::archive::Document>,
}

pub use validate::check_product;

/// A stable 64-bit fingerprint of a product's content (FNV-1a over its JSON), so that an
/// index can be compared with the database without holding whole records.
pub fn fingerprint(product: &Product) -> u64 {
    let json = serde_json::to_vec(product).unwrap_or_default();
    json.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
