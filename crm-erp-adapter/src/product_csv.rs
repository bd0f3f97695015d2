//! CSV product lists into catalog items. A header line is required; the columns may come
//! in any order and every one but `number` may be absent:
//!
//! `number,ean,group,name_de,name_fr,name_it,name_en,description_de,description_fr,`
//! `description_it,description_en,keywords,list_price,currency,unit`
//!
//! A product needs a name in at least one language. `keywords` are separated by `;` or `,`
//! and belong to the first language the product has a name in (German, French, Italian,
//! English). `list_price` needs a `currency`; amounts take `.` as decimal point and may
//! carry `'` as thousands separator. `unit` defaults to `PCE`. A file is all or nothing:
//! every bad value is reported as `line N, column`.

use std::io::Read;

use crm_core::erp::{GroupCode, ListPrice, ProductNumber};
use crm_core::error::Validator;
use crm_core::product::{CatalogItem, Gtin, Located, Product, Texts};
use crm_core::{Currency, Decimal, Language, Result};

use crate::csv_import::{Row, decimal, open_with_header};

/// The columns of a product CSV file.
pub const PRODUCT_COLUMNS: [&str; 15] = [
    "number",
    "ean",
    "group",
    "name_de",
    "name_fr",
    "name_it",
    "name_en",
    "description_de",
    "description_fr",
    "description_it",
    "description_en",
    "keywords",
    "list_price",
    "currency",
    "unit",
];

/// Reads a product CSV file (see the module documentation) into catalog items for
/// [`ProductService::import`](crm_core::ProductService::import).
///
/// ```
/// let csv = "name_de,number,list_price,currency\nReihenklemme,4711,1.95,CHF\n";
/// let items = crm_erp_adapter::read_product_csv(csv.as_bytes())?;
/// assert_eq!(items.len(), 1);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Invalid`](crm_core::Error::Invalid) naming `header` (a missing `number` or name
/// column, an unknown column) or every bad value as `line N, column`.
pub fn read_product_csv(input: impl Read) -> Result<Vec<Located>> {
    let (mut reader, header) = open_with_header(input)?;
    let mut v = Validator::new();
    if !header.iter().any(|h| h == "number") {
        v.reject("header", "the column `number` is missing");
    }
    if !header.iter().any(|h| h.starts_with("name_")) {
        v.reject(
            "header",
            "a name column (`name_de`, `name_fr`, `name_it` or `name_en`) is missing",
        );
    }
    for h in header
        .iter()
        .filter(|h| !PRODUCT_COLUMNS.contains(&h.as_str()))
    {
        v.reject(
            "header",
            format!(
                "`{h}` is not a product column; the columns are {}",
                PRODUCT_COLUMNS.join(",")
            ),
        );
    }
    v.finish(|| Some(()))?;
    let mut v = Validator::new();
    let mut items = Vec::new();
    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                v.reject(&format!("line {line}"), e.to_string());
                continue;
            }
        };
        let row = Row {
            line: record.position().map_or(0, csv::Position::line),
            header: &header,
            record: &record,
        };
        if let Some(product) = product(&mut v, &row) {
            items.push(Located {
                item: CatalogItem::Product(Box::new(product)),
                at: format!("line {}", row.line),
            });
        }
    }
    v.finish(|| Some(items))
}

fn product(v: &mut Validator, r: &Row<'_>) -> Option<Product> {
    let number = r.required(v, "number", ProductNumber::new);
    let ean = r.optional(v, "ean", Gtin::new);
    let group = r.optional(v, "group", GroupCode::new);
    let price = r.optional(v, "list_price", decimal);
    let currency = r.optional(v, "currency", Currency::new);
    let mut names = Texts::default();
    let mut descriptions = Texts::default();
    for l in Language::ALL {
        if let Some(name) = r.text(&format!("name_{l}")) {
            names.set(l, name);
        }
        if let Some(text) = r.text(&format!("description_{l}")) {
            descriptions.set(l, text);
        }
    }
    let first_language = Language::ALL.into_iter().find(|l| names.get(*l).is_some());
    if first_language.is_none() {
        v.reject(
            &r.field("name_de"),
            "a product needs a name in at least one language",
        );
    }
    if price.is_some() && currency.is_none() && r.text("currency").is_none() {
        v.reject(&r.field("currency"), "is required with a list price");
    }
    let number = number?;
    let language = first_language?;
    let mut product = Product::new(
        number.clone(),
        language,
        "",
        r.text("unit").unwrap_or("PCE"),
    );
    product.names = names;
    product.descriptions = descriptions;
    product.ean = ean;
    product.group = group;
    if let Some(words) = r.text("keywords") {
        for word in words
            .split([';', ','])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            if !product.keywords.iter().any(|(_, k)| k == word) {
                product.keywords.push((language, word.to_owned()));
            }
        }
    }
    if let (Some(price), Some(currency)) = (price, currency) {
        product.prices.push(ListPrice {
            product: number,
            currency,
            price,
            price_unit: Decimal::ONE,
            breaks: vec![],
            valid_from: None,
            valid_to: None,
        });
    }
    Some(product)
}

#[cfg(test)]
mod tests {
    use crm_core::Error;

    use super::*;

    #[test]
    fn columns_in_any_order_and_optional_ones_absent() {
        let csv = "unit,name_en,number,name_de,keywords,ean,list_price,currency,group\n\
                   C62,Feed-through terminal,1020000000,Durchgangs-Reihenklemme,\"Klemme; Reihenklemme\",4008190099633,1'234.50,CHF,KLEMMEN\n\
                   ,,4711,Schraube M8x40,,,,,\n";
        let items = read_product_csv(csv.as_bytes()).unwrap();
        assert_eq!(items.len(), 2);
        let CatalogItem::Product(p) = &items[0].item else {
            panic!("a product");
        };
        assert_eq!(p.names.get(Language::En), Some("Feed-through terminal"));
        assert_eq!(p.keywords.len(), 2);
        assert_eq!(p.prices[0].price.to_string(), "1234.50");
        assert_eq!(p.unit, "C62");
        let CatalogItem::Product(q) = &items[1].item else {
            panic!("a product");
        };
        assert_eq!(q.unit, "PCE");
        assert!(q.prices.is_empty());
    }

    #[test]
    fn bad_values_are_named_by_line_and_column() {
        let csv = "number,name_de,list_price,currency,ean\n\
                   1,Klemme,abc,CHF,\n\
                   ,Schraube,,,\n\
                   3,,,,\n\
                   4,Mutter,2.00,,12x\n";
        let Err(Error::Invalid(e)) = read_product_csv(csv.as_bytes()) else {
            panic!("must fail");
        };
        for field in [
            "line 2, list_price",
            "line 3, number",
            "line 4, name_de",
            "line 5, currency",
            "line 5, ean",
        ] {
            assert!(e.has(field), "{field}: {e}");
        }
        let Err(Error::Invalid(e)) = read_product_csv("name_de,price\nx,1\n".as_bytes()) else {
            panic!("must fail");
        };
        assert!(e.has("header"), "{e}");
    }
}
