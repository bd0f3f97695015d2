//! The replica's sync API: the host pushes its ERP data in batches, one stream per batch.
//!
//! Upserts are keyed by the ERP's numbers and replace what is stored under the same key;
//! deletions name keys. Applying the same batch twice changes nothing the second time (the
//! report says how many rows were really written). A batch may carry the host's cursor of its
//! stream (a change number, a timestamp — opaque to the CRM), stored with the data in the
//! same transaction, so that a host resumes after the last batch that was applied.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    ConditionPrice, DocumentNumber, DocumentTotals, GroupCode, ListPrice, OpenItem, OrderLine,
    Payment, ProductNumber, RevenueFact, SalesDocument, SpecialCondition,
};
use crate::error::{Result, Validator};
use crate::ids::AddressNumber;

/// The replica's streams, one per kind of ERP data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// Sales documents with their lines.
    Documents,
    /// Order lines (disposition).
    OrderLines,
    /// Open items.
    OpenItems,
    /// Payments.
    Payments,
    /// List prices.
    ListPrices,
    /// Special conditions.
    Conditions,
    /// Customers' group memberships.
    CustomerGroups,
    /// Products' group paths.
    ProductGroups,
    /// Revenue facts.
    Revenue,
}

impl Stream {
    /// Every stream.
    pub const ALL: [Stream; 9] = [
        Stream::Documents,
        Stream::OrderLines,
        Stream::OpenItems,
        Stream::Payments,
        Stream::ListPrices,
        Stream::Conditions,
        Stream::CustomerGroups,
        Stream::ProductGroups,
        Stream::Revenue,
    ];

    /// The stable name used in storage and on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stream::Documents => "documents",
            Stream::OrderLines => "order_lines",
            Stream::OpenItems => "open_items",
            Stream::Payments => "payments",
            Stream::ListPrices => "list_prices",
            Stream::Conditions => "conditions",
            Stream::CustomerGroups => "customer_groups",
            Stream::ProductGroups => "product_groups",
            Stream::Revenue => "revenue",
        }
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The key of a list price: product, currency and first day (none: open-ended).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListPriceKey {
    /// The product.
    pub product: ProductNumber,
    /// The currency code.
    pub currency: crate::values::Currency,
    /// The first day of validity.
    pub valid_from: Option<chrono::NaiveDate>,
}

/// One batch of one stream: records to store (replacing those with the same key) and keys
/// to delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stream", rename_all = "snake_case")]
pub enum SyncBatch {
    /// Sales documents by number.
    Documents {
        /// To store.
        #[serde(default)]
        upserts: Vec<SalesDocument>,
        /// Numbers to delete.
        #[serde(default)]
        deletions: Vec<DocumentNumber>,
    },
    /// Order lines by order and position.
    OrderLines {
        /// To store.
        #[serde(default)]
        upserts: Vec<OrderLine>,
        /// (order, position) to delete.
        #[serde(default)]
        deletions: Vec<(DocumentNumber, u32)>,
    },
    /// Open items by invoice number.
    OpenItems {
        /// To store.
        #[serde(default)]
        upserts: Vec<OpenItem>,
        /// Invoice numbers to delete.
        #[serde(default)]
        deletions: Vec<DocumentNumber>,
    },
    /// Payments by id.
    Payments {
        /// To store.
        #[serde(default)]
        upserts: Vec<Payment>,
        /// Ids to delete.
        #[serde(default)]
        deletions: Vec<String>,
    },
    /// List prices by product, currency and first day.
    ListPrices {
        /// To store.
        #[serde(default)]
        upserts: Vec<ListPrice>,
        /// Keys to delete.
        #[serde(default)]
        deletions: Vec<ListPriceKey>,
    },
    /// Special conditions by id.
    Conditions {
        /// To store.
        #[serde(default)]
        upserts: Vec<SpecialCondition>,
        /// Ids to delete.
        #[serde(default)]
        deletions: Vec<String>,
    },
    /// A customer's groups, replaced as a whole (an empty list removes him from all).
    CustomerGroups {
        /// (customer, groups).
        #[serde(default)]
        upserts: Vec<(AddressNumber, Vec<GroupCode>)>,
    },
    /// A product's group path, its own group first, replaced as a whole.
    ProductGroups {
        /// (product, groups).
        #[serde(default)]
        upserts: Vec<(ProductNumber, Vec<GroupCode>)>,
    },
    /// Revenue facts by document and position.
    Revenue {
        /// To store.
        #[serde(default)]
        upserts: Vec<RevenueFact>,
        /// (document, position) to delete.
        #[serde(default)]
        deletions: Vec<(DocumentNumber, u32)>,
    },
}

/// What applying a batch did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncReport {
    /// Records received for storing.
    pub received: usize,
    /// Of those, written because new or different.
    pub written: usize,
    /// Of those, already stored exactly so.
    pub unchanged: usize,
    /// Keys deleted that existed.
    pub deleted: usize,
}

/// A record a batch wrote, with what was stored under its key before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    /// Its index among the batch's upserts.
    pub index: usize,
    /// The stored record as JSON; `None` when the key is new.
    pub previous: Option<String>,
}

/// What storage did with a batch: the counts, and for documents, order lines and open items
/// the records it replaced (from which events are derived).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    /// The counts.
    pub report: SyncReport,
    /// The written records of documents, order lines and open items.
    pub replaced: Vec<Replaced>,
}

impl SyncBatch {
    /// The batch's stream.
    pub fn stream(&self) -> Stream {
        match self {
            SyncBatch::Documents { .. } => Stream::Documents,
            SyncBatch::OrderLines { .. } => Stream::OrderLines,
            SyncBatch::OpenItems { .. } => Stream::OpenItems,
            SyncBatch::Payments { .. } => Stream::Payments,
            SyncBatch::ListPrices { .. } => Stream::ListPrices,
            SyncBatch::Conditions { .. } => Stream::Conditions,
            SyncBatch::CustomerGroups { .. } => Stream::CustomerGroups,
            SyncBatch::ProductGroups { .. } => Stream::ProductGroups,
            SyncBatch::Revenue { .. } => Stream::Revenue,
        }
    }

    /// How many records it stores.
    pub fn upsert_count(&self) -> usize {
        match self {
            SyncBatch::Documents { upserts, .. } => upserts.len(),
            SyncBatch::OrderLines { upserts, .. } => upserts.len(),
            SyncBatch::OpenItems { upserts, .. } => upserts.len(),
            SyncBatch::Payments { upserts, .. } => upserts.len(),
            SyncBatch::ListPrices { upserts, .. } => upserts.len(),
            SyncBatch::Conditions { upserts, .. } => upserts.len(),
            SyncBatch::CustomerGroups { upserts } => upserts.len(),
            SyncBatch::ProductGroups { upserts } => upserts.len(),
            SyncBatch::Revenue { upserts, .. } => upserts.len(),
        }
    }

    /// The customers its records name, for the check against the CRM's addresses.
    pub fn customers(&self) -> Vec<(usize, AddressNumber)> {
        fn of<T>(
            rows: &[T],
            f: impl Fn(&T) -> Option<AddressNumber>,
        ) -> Vec<(usize, AddressNumber)> {
            rows.iter()
                .enumerate()
                .filter_map(|(i, r)| f(r).map(|c| (i, c)))
                .collect()
        }
        match self {
            SyncBatch::Documents { upserts, .. } => of(upserts, |d| Some(d.customer)),
            SyncBatch::OrderLines { upserts, .. } => of(upserts, |l| Some(l.customer)),
            SyncBatch::OpenItems { upserts, .. } => of(upserts, |i| Some(i.customer)),
            SyncBatch::Payments { upserts, .. } => of(upserts, |p| Some(p.customer)),
            SyncBatch::Conditions { upserts, .. } => of(upserts, |c| match c.scope {
                super::ConditionScope::Customer(n) => Some(n),
                super::ConditionScope::CustomerGroup(_) => None,
            }),
            SyncBatch::CustomerGroups { upserts } => of(upserts, |(c, _)| Some(*c)),
            SyncBatch::Revenue { upserts, .. } => of(upserts, |f| Some(f.customer)),
            SyncBatch::ListPrices { .. } | SyncBatch::ProductGroups { .. } => Vec::new(),
        }
    }

    /// The products its records name: the record's index, the field naming the product
    /// (`lines[k].product`, `product` or `target`) and the number. List prices and product
    /// groups introduce products and are not listed.
    pub fn products(&self) -> Vec<(usize, String, ProductNumber)> {
        let mut named = Vec::new();
        match self {
            SyncBatch::Documents { upserts, .. } => {
                for (i, d) in upserts.iter().enumerate() {
                    for (k, line) in d.lines.iter().enumerate() {
                        if let Some(p) = &line.product {
                            named.push((i, format!("lines[{k}].product"), p.clone()));
                        }
                    }
                }
            }
            SyncBatch::OrderLines { upserts, .. } => {
                for (i, l) in upserts.iter().enumerate() {
                    named.push((i, "product".to_owned(), l.product.clone()));
                }
            }
            SyncBatch::Conditions { upserts, .. } => {
                for (i, c) in upserts.iter().enumerate() {
                    if let super::ConditionTarget::Product(p) = &c.target {
                        named.push((i, "target".to_owned(), p.clone()));
                    }
                }
            }
            SyncBatch::Revenue { upserts, .. } => {
                for (i, f) in upserts.iter().enumerate() {
                    if let Some(p) = &f.product {
                        named.push((i, "product".to_owned(), p.clone()));
                    }
                }
            }
            SyncBatch::OpenItems { .. }
            | SyncBatch::Payments { .. }
            | SyncBatch::ListPrices { .. }
            | SyncBatch::CustomerGroups { .. }
            | SyncBatch::ProductGroups { .. } => {}
        }
        named
    }

    /// The batch without the records at `indexes` (sorted and without repeats).
    #[must_use]
    pub fn without(self, indexes: &[usize]) -> SyncBatch {
        fn keep<T>(rows: Vec<T>, drop: &[usize]) -> Vec<T> {
            rows.into_iter()
                .enumerate()
                .filter(|(i, _)| drop.binary_search(i).is_err())
                .map(|(_, r)| r)
                .collect()
        }
        match self {
            SyncBatch::Documents { upserts, deletions } => SyncBatch::Documents {
                upserts: keep(upserts, indexes),
                deletions,
            },
            SyncBatch::OrderLines { upserts, deletions } => SyncBatch::OrderLines {
                upserts: keep(upserts, indexes),
                deletions,
            },
            SyncBatch::OpenItems { upserts, deletions } => SyncBatch::OpenItems {
                upserts: keep(upserts, indexes),
                deletions,
            },
            SyncBatch::Payments { upserts, deletions } => SyncBatch::Payments {
                upserts: keep(upserts, indexes),
                deletions,
            },
            SyncBatch::ListPrices { upserts, deletions } => SyncBatch::ListPrices {
                upserts: keep(upserts, indexes),
                deletions,
            },
            SyncBatch::Conditions { upserts, deletions } => SyncBatch::Conditions {
                upserts: keep(upserts, indexes),
                deletions,
            },
            SyncBatch::CustomerGroups { upserts } => SyncBatch::CustomerGroups {
                upserts: keep(upserts, indexes),
            },
            SyncBatch::ProductGroups { upserts } => SyncBatch::ProductGroups {
                upserts: keep(upserts, indexes),
            },
            SyncBatch::Revenue { upserts, deletions } => SyncBatch::Revenue {
                upserts: keep(upserts, indexes),
                deletions,
            },
        }
    }

    /// Checks every record: amounts where they must be positive, currencies that agree,
    /// totals that add up, validity ranges the right way round. Fields are named
    /// `upserts[i].…`.
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] naming every bad field; nothing of the batch may be stored.
    pub fn validate(&self) -> Result<()> {
        let mut v = Validator::new();
        match self {
            SyncBatch::Documents { upserts, .. } => {
                for (i, d) in upserts.iter().enumerate() {
                    check_document(&mut v, i, d);
                }
            }
            SyncBatch::OrderLines { upserts, .. } => {
                for (i, l) in upserts.iter().enumerate() {
                    if l.ordered < Decimal::ZERO {
                        v.reject(&format!("upserts[{i}].ordered"), "must not be negative");
                    }
                    if l.delivered < Decimal::ZERO {
                        v.reject(&format!("upserts[{i}].delivered"), "must not be negative");
                    }
                }
            }
            SyncBatch::OpenItems { upserts, .. } => {
                for (i, item) in upserts.iter().enumerate() {
                    if item.due_date < item.invoice_date {
                        v.reject(
                            &format!("upserts[{i}].due_date"),
                            "lies before the invoice date",
                        );
                    }
                    if item.open_amount.abs() > item.amount.abs()
                        || (!item.open_amount.is_zero()
                            && item.open_amount.is_sign_negative()
                                != item.amount.is_sign_negative())
                    {
                        v.reject(
                            &format!("upserts[{i}].open_amount"),
                            format!(
                                "{} cannot be open on an item of {}",
                                item.open_amount, item.amount
                            ),
                        );
                    }
                }
            }
            SyncBatch::Payments { upserts, .. } => {
                for (i, p) in upserts.iter().enumerate() {
                    if p.id.trim().is_empty() {
                        v.reject(&format!("upserts[{i}].id"), "must not be empty");
                    }
                }
            }
            SyncBatch::ListPrices { upserts, .. } => {
                for (i, p) in upserts.iter().enumerate() {
                    check_price(&mut v, &format!("upserts[{i}]"), p.price, p.price_unit);
                    check_range(&mut v, i, p.valid_from, p.valid_to);
                }
            }
            SyncBatch::Conditions { upserts, .. } => {
                for (i, c) in upserts.iter().enumerate() {
                    check_condition(&mut v, i, c);
                }
            }
            SyncBatch::CustomerGroups { .. } | SyncBatch::ProductGroups { .. } => {}
            SyncBatch::Revenue { upserts, .. } => {
                for (i, f) in upserts.iter().enumerate() {
                    check_fact(&mut v, i, f);
                }
            }
        }
        v.finish(|| Some(()))
    }
}

/// Decimal places a revenue amount may have: the monthly summary sums them exactly.
const FACT_PLACES: u32 = 4;
/// The largest revenue amount (in units of its currency): sums of many stay exact in the
/// summary's 64-bit fixed point.
const FACT_LIMIT: i64 = 100_000_000_000_000;

fn check_fact(v: &mut Validator, i: usize, f: &RevenueFact) {
    let amounts = [
        ("net_amount", Some(f.net_amount)),
        ("quantity", Some(f.quantity)),
        ("cost", f.cost),
    ];
    for (field, amount) in amounts {
        if let Some(a) = amount {
            if a.normalize().scale() > FACT_PLACES {
                v.reject(
                    &format!("upserts[{i}].{field}"),
                    format!("{a} has more than {FACT_PLACES} decimal places"),
                );
            } else if a.abs() > Decimal::from(FACT_LIMIT) {
                v.reject(
                    &format!("upserts[{i}].{field}"),
                    format!("{a} is larger than {FACT_LIMIT}"),
                );
            }
        }
    }
    if let Some(region) = &f.region
        && (region.trim().is_empty() || region.chars().count() > 64 || region != region.trim())
    {
        v.reject(
            &format!("upserts[{i}].region"),
            "must be 1 to 64 characters without surrounding blanks",
        );
    }
}

fn check_document(v: &mut Validator, i: usize, d: &SalesDocument) {
    let at = format!("upserts[{i}]");
    if d.totals.net.currency != d.currency || d.totals.gross.currency != d.currency {
        v.reject(
            &format!("{at}.totals"),
            format!("not in the document's currency {}", d.currency),
        );
    }
    let mut positions: Vec<u32> = d.lines.iter().map(|l| l.position).collect();
    positions.sort_unstable();
    if positions.windows(2).any(|w| w[0] == w[1]) {
        v.reject(&format!("{at}.lines"), "two lines have the same position");
    }
    match DocumentTotals::compute(d.currency, &d.lines) {
        Err(e) => v.reject(&format!("{at}.lines"), e.to_string()),
        Ok(sum) if sum.net.amount != d.totals.net.amount => v.reject(
            &format!("{at}.totals.net"),
            format!(
                "{} is not the sum of the lines, {}",
                d.totals.net.amount, sum.net.amount
            ),
        ),
        Ok(_) => {}
    }
}

fn check_price(v: &mut Validator, at: &str, price: Decimal, unit: Decimal) {
    if price < Decimal::ZERO {
        v.reject(&format!("{at}.price"), "must not be negative");
    }
    if unit <= Decimal::ZERO {
        v.reject(&format!("{at}.price_unit"), "must be more than 0");
    }
}

fn check_range(
    v: &mut Validator,
    i: usize,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) {
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        v.reject(
            &format!("upserts[{i}].valid_to"),
            format!("{to} lies before valid_from {from}"),
        );
    }
}

fn check_condition(v: &mut Validator, i: usize, c: &SpecialCondition) {
    let at = format!("upserts[{i}]");
    if c.id.trim().is_empty() {
        v.reject(&format!("{at}.id"), "must not be empty");
    }
    check_range(v, i, c.valid_from, c.valid_to);
    match &c.price {
        ConditionPrice::Fixed {
            price, price_unit, ..
        } => check_price(v, &format!("{at}.price"), *price, *price_unit),
        ConditionPrice::Discount { percent } => {
            if *percent < Decimal::ZERO || *percent > Decimal::ONE_HUNDRED {
                v.reject(
                    &format!("{at}.price.percent"),
                    format!("{percent} is not between 0 and 100"),
                );
            }
        }
        ConditionPrice::Breaks {
            breaks, price_unit, ..
        } => {
            if breaks.is_empty() {
                v.reject(&format!("{at}.price.breaks"), "needs at least one break");
            }
            for (j, b) in breaks.iter().enumerate() {
                check_price(v, &format!("{at}.price.breaks[{j}]"), b.price, *price_unit);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_read_from_json_with_their_stream_tag() {
        let batch: SyncBatch =
            serde_json::from_str(r#"{"stream": "open_items", "upserts": []}"#).unwrap();
        assert_eq!(batch.stream(), Stream::OpenItems);
        assert_eq!(batch.upsert_count(), 0);
        let groups: SyncBatch = serde_json::from_str(
            r#"{"stream": "customer_groups", "upserts": [[100042, ["WIEDERVERKAUF"]]]}"#,
        )
        .unwrap();
        assert_eq!(groups.customers(), [(0, AddressNumber(100_042))]);
        let bad = serde_json::from_str::<SyncBatch>(r#"{"stream": "invoices"}"#);
        assert!(bad.is_err(), "unknown streams are refused");
    }

    #[test]
    fn conditions_are_checked_field_by_field() {
        let condition: SpecialCondition = serde_json::from_value(serde_json::json!({
            "id": " ",
            "scope": {"for": "customer", "key": 100042},
            "target": {"on": "all"},
            "price": {"kind": "discount", "percent": "120"},
            "valid_from": "2026-12-31",
            "valid_to": "2026-01-01"
        }))
        .unwrap();
        let batch = SyncBatch::Conditions {
            upserts: vec![condition],
            deletions: vec![],
        };
        let Err(crate::Error::Invalid(invalid)) = batch.validate() else {
            panic!("a bad condition must be refused");
        };
        for field in [
            "upserts[0].id",
            "upserts[0].valid_to",
            "upserts[0].price.percent",
        ] {
            assert!(invalid.has(field), "{field}: {invalid}");
        }
    }
}
