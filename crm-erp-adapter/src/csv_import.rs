//! CSV files of ERP data into replica batches: open items, payments, special conditions and
//! revenue lines. A header line is required; columns may come in any order, optional ones
//! may be absent, unknown ones are refused. Amounts take `.` as decimal point and may carry
//! `'` as thousands separator (`1'234.50`); dates are `2026-11-27` or `27.11.2026`.
//!
//! | kind | required columns | optional columns |
//! | --- | --- | --- |
//! | open items | `customer, invoice, invoice_date, due_date, currency, amount, open_amount` | `dunning_level` |
//! | payments | `id, customer, invoice, date, amount, currency` | |
//! | special conditions | `id, kind` (`fixed`, `discount`, `breaks`), and `customer` or `customer_group` | `product` or `product_group` (neither: everything), `price`, `percent`, `breaks` (`100:2.10;500:1.95`), `currency`, `price_unit`, `valid_from`, `valid_to` |
//! | revenue lines | `document, position, date, customer, quantity, net_amount, currency` | `product, product_group, field_rep, inside_rep, region, cost` |
//!
//! A file is all or nothing: every bad value is reported with its line and column, and a
//! file with any is not turned into a batch.

use std::io::Read;

use chrono::NaiveDate;
use crm_core::erp::{
    ConditionPrice, ConditionScope, ConditionTarget, DocumentNumber, GroupCode, OpenItem, Payment,
    PriceBreak, ProductNumber, RevenueFact, SpecialCondition, SyncBatch,
};
use crm_core::error::Validator;
use crm_core::{AddressNumber, Currency, Decimal, Error, Result, UserId, ValueError};
use serde::{Deserialize, Serialize};

/// The kinds of CSV file the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvKind {
    /// Open items.
    OpenItems,
    /// Payments.
    Payments,
    /// Special conditions.
    Conditions,
    /// Revenue lines.
    Revenue,
}

impl CsvKind {
    /// Every kind.
    pub const ALL: [CsvKind; 4] = [
        CsvKind::OpenItems,
        CsvKind::Payments,
        CsvKind::Conditions,
        CsvKind::Revenue,
    ];

    /// The columns a file of this kind must have, and those it may have.
    pub fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            CsvKind::OpenItems => (
                &[
                    "customer",
                    "invoice",
                    "invoice_date",
                    "due_date",
                    "currency",
                    "amount",
                    "open_amount",
                ],
                &["dunning_level"],
            ),
            CsvKind::Payments => (
                &["id", "customer", "invoice", "date", "amount", "currency"],
                &[],
            ),
            CsvKind::Conditions => (
                &["id", "kind"],
                &[
                    "customer",
                    "customer_group",
                    "product",
                    "product_group",
                    "price",
                    "percent",
                    "breaks",
                    "currency",
                    "price_unit",
                    "valid_from",
                    "valid_to",
                ],
            ),
            CsvKind::Revenue => (
                &[
                    "document",
                    "position",
                    "date",
                    "customer",
                    "quantity",
                    "net_amount",
                    "currency",
                ],
                &[
                    "product",
                    "product_group",
                    "field_rep",
                    "inside_rep",
                    "region",
                    "cost",
                ],
            ),
        }
    }

    /// The kind whose columns the header has: all required ones, no unknown one.
    pub fn detect(header: &[String]) -> Option<CsvKind> {
        CsvKind::ALL.into_iter().find(|kind| {
            let (required, optional) = kind.columns();
            required.iter().all(|c| header.iter().any(|h| h == c))
                && header
                    .iter()
                    .all(|h| required.contains(&h.as_str()) || optional.contains(&h.as_str()))
        })
    }

    /// A readable name.
    pub fn name(self) -> &'static str {
        match self {
            CsvKind::OpenItems => "open items",
            CsvKind::Payments => "payments",
            CsvKind::Conditions => "special conditions",
            CsvKind::Revenue => "revenue lines",
        }
    }
}

/// One record with its line number and the header, for typed access by column name.
pub(crate) struct Row<'a> {
    pub(crate) line: u64,
    pub(crate) header: &'a [String],
    pub(crate) record: &'a csv::StringRecord,
}

impl Row<'_> {
    pub(crate) fn field(&self, column: &str) -> String {
        format!("line {}, {column}", self.line)
    }

    pub(crate) fn text(&self, column: &str) -> Option<&str> {
        let at = self.header.iter().position(|h| h == column)?;
        self.record.get(at).map(str::trim).filter(|v| !v.is_empty())
    }

    pub(crate) fn required<T>(
        &self,
        v: &mut Validator,
        column: &str,
        parse: impl FnOnce(&str) -> std::result::Result<T, ValueError>,
    ) -> Option<T> {
        match self.text(column) {
            None => {
                v.reject(&self.field(column), "is required");
                None
            }
            Some(raw) => v.check(&self.field(column), parse(raw)),
        }
    }

    pub(crate) fn optional<T>(
        &self,
        v: &mut Validator,
        column: &str,
        parse: impl FnOnce(&str) -> std::result::Result<T, ValueError>,
    ) -> Option<T> {
        self.text(column)
            .and_then(|raw| v.check(&self.field(column), parse(raw)))
    }
}

pub(crate) fn decimal(raw: &str) -> std::result::Result<Decimal, ValueError> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | ' '))
        .collect();
    cleaned
        .parse()
        .map_err(|_| ValueError::new(format!("`{raw}` is not a decimal number")))
}

fn date(raw: &str) -> std::result::Result<NaiveDate, ValueError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d.%m.%Y"))
        .map_err(|_| ValueError::new(format!("`{raw}` is not a date (2026-11-27 or 27.11.2026)")))
}

fn number(raw: &str) -> std::result::Result<AddressNumber, ValueError> {
    raw.parse()
        .map(AddressNumber)
        .map_err(|_| ValueError::new(format!("`{raw}` is not a customer number")))
}

fn whole<T: std::str::FromStr>(raw: &str) -> std::result::Result<T, ValueError> {
    raw.parse()
        .map_err(|_| ValueError::new(format!("`{raw}` is not a whole number in range")))
}

fn breaks(raw: &str) -> std::result::Result<Vec<PriceBreak>, ValueError> {
    raw.split(';')
        .filter(|s| !s.trim().is_empty())
        .map(|step| {
            let (quantity, price) = step.split_once(':').ok_or_else(|| {
                ValueError::new(format!("`{step}` is not quantity:price (e.g. 100:2.10)"))
            })?;
            Ok(PriceBreak {
                min_quantity: decimal(quantity.trim())?,
                price: decimal(price.trim())?,
            })
        })
        .collect()
}

/// A CSV reader over `input` and its header's column names, lowercased, without a byte
/// order mark.
pub(crate) fn open_with_header<R: Read>(input: R) -> Result<(csv::Reader<R>, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::Headers)
        .from_reader(input);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("header", e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    Ok((reader, header))
}

/// Reads a CSV file of `kind` (detected from the header when `None`) into a replica batch,
/// which then goes through [`Replica::sync`](crate::Replica::sync) like any other.
///
/// # Errors
/// [`Error::Invalid`] naming `header` (missing, unknown or unfitting columns) or every bad
/// value as `line N, column`; nothing is returned for a file with any.
pub fn read_csv(kind: Option<CsvKind>, input: impl Read) -> Result<SyncBatch> {
    let (mut reader, header) = open_with_header(input)?;
    let kind = match kind.or_else(|| CsvKind::detect(&header)) {
        Some(kind) => kind,
        None => {
            return Err(Error::invalid(
                "header",
                format!(
                    "columns `{}` fit none of the kinds; see the documented columns",
                    header.join(",")
                ),
            ));
        }
    };
    let (required, optional) = kind.columns();
    let mut v = Validator::new();
    for column in required.iter().filter(|c| !header.iter().any(|h| h == *c)) {
        v.reject(
            "header",
            format!("the column `{column}` is missing for {}", kind.name()),
        );
    }
    for column in header
        .iter()
        .filter(|h| !required.contains(&h.as_str()) && !optional.contains(&h.as_str()))
    {
        v.reject(
            "header",
            format!("`{column}` is not a column of {}", kind.name()),
        );
    }
    v.finish(|| Some(()))?;

    let mut v = Validator::new();
    let mut records = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => records.push(record),
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                v.reject(&format!("line {line}"), e.to_string());
            }
        }
    }
    let rows: Vec<Row<'_>> = records
        .iter()
        .map(|record| Row {
            line: record.position().map_or(0, csv::Position::line),
            header: &header,
            record,
        })
        .collect();
    let batch = match kind {
        CsvKind::OpenItems => SyncBatch::OpenItems {
            upserts: rows.iter().filter_map(|r| open_item(&mut v, r)).collect(),
            deletions: vec![],
        },
        CsvKind::Payments => SyncBatch::Payments {
            upserts: rows.iter().filter_map(|r| payment(&mut v, r)).collect(),
            deletions: vec![],
        },
        CsvKind::Conditions => SyncBatch::Conditions {
            upserts: rows.iter().filter_map(|r| condition(&mut v, r)).collect(),
            deletions: vec![],
        },
        CsvKind::Revenue => SyncBatch::Revenue {
            upserts: rows.iter().filter_map(|r| revenue(&mut v, r)).collect(),
            deletions: vec![],
        },
    };
    v.finish(|| Some(batch))
}

fn open_item(v: &mut Validator, r: &Row<'_>) -> Option<OpenItem> {
    let customer = r.required(v, "customer", number);
    let invoice = r.required(v, "invoice", DocumentNumber::new);
    let invoice_date = r.required(v, "invoice_date", date);
    let due_date = r.required(v, "due_date", date);
    let currency = r.required(v, "currency", Currency::new);
    let amount = r.required(v, "amount", decimal);
    let open_amount = r.required(v, "open_amount", decimal);
    let dunning_level = r.optional(v, "dunning_level", whole).unwrap_or(0);
    Some(OpenItem {
        customer: customer?,
        invoice: invoice?,
        invoice_date: invoice_date?,
        due_date: due_date?,
        currency: currency?,
        amount: amount?,
        open_amount: open_amount?,
        dunning_level,
    })
}

fn payment(v: &mut Validator, r: &Row<'_>) -> Option<Payment> {
    let id = r.required(v, "id", |s| Ok(s.to_owned()));
    let customer = r.required(v, "customer", number);
    let invoice = r.required(v, "invoice", DocumentNumber::new);
    let on = r.required(v, "date", date);
    let amount = r.required(v, "amount", decimal);
    let currency = r.required(v, "currency", Currency::new);
    Some(Payment {
        id: id?,
        customer: customer?,
        invoice: invoice?,
        date: on?,
        amount: amount?,
        currency: currency?,
    })
}

fn condition(v: &mut Validator, r: &Row<'_>) -> Option<SpecialCondition> {
    let id = r.required(v, "id", |s| Ok(s.to_owned()));
    let scope = match (r.text("customer"), r.text("customer_group")) {
        (Some(_), None) => r
            .required(v, "customer", number)
            .map(ConditionScope::Customer),
        (None, Some(_)) => r
            .required(v, "customer_group", GroupCode::new)
            .map(ConditionScope::CustomerGroup),
        _ => {
            v.reject(
                &r.field("customer"),
                "give exactly one of customer and customer_group",
            );
            None
        }
    };
    let target = match (r.text("product"), r.text("product_group")) {
        (None, None) => Some(ConditionTarget::All),
        (Some(_), None) => r
            .required(v, "product", ProductNumber::new)
            .map(ConditionTarget::Product),
        (None, Some(_)) => r
            .required(v, "product_group", GroupCode::new)
            .map(ConditionTarget::ProductGroup),
        (Some(_), Some(_)) => {
            v.reject(
                &r.field("product"),
                "give at most one of product and product_group",
            );
            None
        }
    };
    let price_unit = r.optional(v, "price_unit", decimal).unwrap_or(Decimal::ONE);
    let price = match r.text("kind") {
        Some("fixed") => {
            let price = r.required(v, "price", decimal);
            let currency = r.required(v, "currency", Currency::new);
            price
                .zip(currency)
                .map(|(price, currency)| ConditionPrice::Fixed {
                    price,
                    currency,
                    price_unit,
                })
        }
        Some("discount") => r
            .required(v, "percent", decimal)
            .map(|percent| ConditionPrice::Discount { percent }),
        Some("breaks") => {
            let steps = r.required(v, "breaks", breaks);
            let currency = r.required(v, "currency", Currency::new);
            steps
                .zip(currency)
                .map(|(breaks, currency)| ConditionPrice::Breaks {
                    breaks,
                    currency,
                    price_unit,
                })
        }
        other => {
            v.reject(
                &r.field("kind"),
                format!(
                    "`{}` is not one of: fixed, discount, breaks",
                    other.unwrap_or("")
                ),
            );
            None
        }
    };
    let valid_from = r.optional(v, "valid_from", date);
    let valid_to = r.optional(v, "valid_to", date);
    Some(SpecialCondition {
        id: id?,
        scope: scope?,
        target: target?,
        price: price?,
        valid_from,
        valid_to,
    })
}

fn revenue(v: &mut Validator, r: &Row<'_>) -> Option<RevenueFact> {
    let user = |raw: &str| whole::<i64>(raw).map(UserId);
    let document = r.required(v, "document", DocumentNumber::new);
    let position = r.required(v, "position", whole);
    let on = r.required(v, "date", date);
    let customer = r.required(v, "customer", number);
    let product = r.optional(v, "product", ProductNumber::new);
    let product_group = r.optional(v, "product_group", GroupCode::new);
    let field_rep = r.optional(v, "field_rep", user);
    let inside_rep = r.optional(v, "inside_rep", user);
    let quantity = r.required(v, "quantity", decimal);
    let net_amount = r.required(v, "net_amount", decimal);
    let cost = r.optional(v, "cost", decimal);
    let currency = r.required(v, "currency", Currency::new);
    Some(RevenueFact {
        document: document?,
        position: position?,
        date: on?,
        customer: customer?,
        product,
        product_group,
        field_rep,
        inside_rep,
        region: r.text("region").map(str::to_owned),
        quantity: quantity?,
        net_amount: net_amount?,
        cost,
        currency: currency?,
    })
}

#[cfg(test)]
#[path = "csv_import_tests.rs"]
mod tests;
