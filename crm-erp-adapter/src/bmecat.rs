//! BMEcat 1.2 and 2005 catalogs into catalog items, streamed: one product (or group
//! system) is in memory at a time, so files of any size import.
//!
//! Understood: the transactions `T_NEW_CATALOG`, `T_UPDATE_PRODUCTS` (products with
//! `mode="new"`, `"update"` or `"delete"`) and `T_UPDATE_PRICES`; `ARTICLE` (1.2) and `PRODUCT`
//! (2005) with their details (names, descriptions and keywords per `lang`, else in the
//! header's first `LANGUAGE`; EAN from `EAN` or `INTERNATIONAL_PID`; manufacturer, its part
//! number and type), order unit, prices (the preferred price type of `net_list`,
//! `net_customer`, `gros_list`, then any; `LOWER_BOUND`s above the lowest become quantity
//! breaks; validity from the price details' `DATETIME`s; entries without an amount are
//! left out), features (`FNAME`/`FVALUE`/`FUNIT`, or `FT_NAME`/`FVALUE_DETAILS` as some
//! catalogs write them; nested feature groups are left out), media (`MIME_INFO`), status
//! (`new_product` makes a new item since the catalog's date, `old_product` phasing out);
//! product groups from `CLASSIFICATION_SYSTEM` and `CATALOG_GROUP_SYSTEM`, a product's group
//! from its features' reference to a supplier's own system or from
//! `…_TO_CATALOGGROUP_MAP`. HTML entities escaped twice (`&amp;sup2;`) are resolved; vendor
//! extensions (`USER_DEFINED_EXTENSIONS`, `UDX.…`) are passed over.

use std::collections::{HashSet, VecDeque};
use std::io::BufRead;

use chrono::NaiveDate;
use crm_core::erp::{GroupCode, ListPrice, PriceBreak, ProductNumber};
use crm_core::product::{
    CatalogItem, Feature, Gtin, Located, Media, Product, ProductGroup, ProductStatus, Texts,
};
use crm_core::{Currency, Decimal, Error, Language, Result};

use crate::xml_tree::{Element, TreeReader, html_to_text};

/// Subtrees never needed: vendor extensions and nested feature groups (which describe
/// accessories and parts, not the product).
const SKIP: &[&str] = &[
    "USER_DEFINED_EXTENSIONS",
    "FEATURE_GROUP",
    "FEATURE_TEMPLATE",
];

/// Price types in order of preference for the list price.
const PRICE_TYPES: [&str; 3] = ["net_list", "net_customer", "gros_list"];

/// Classification systems that are standards, not a supplier's own product groups.
const STANDARDS: [&str; 4] = ["ECLASS", "ETIM", "UNSPSC", "PROFICL"];

/// A BMEcat language code (`deu`, `ger`, `eng`, `fra`, `fre`, `ita`, or two letters).
fn language(code: &str) -> Option<Language> {
    match code.trim().to_ascii_lowercase().as_str() {
        "deu" | "ger" | "de" => Some(Language::De),
        "eng" | "en" => Some(Language::En),
        "fra" | "fre" | "fr" => Some(Language::Fr),
        "ita" | "it" => Some(Language::It),
        _ => None,
    }
}

fn clean(text: &str) -> String {
    html_to_text(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The catalog-wide settings from the header.
#[derive(Debug, Clone)]
struct Header {
    language: Language,
    currency: Option<Currency>,
    date: Option<NaiveDate>,
}

/// Reads a BMEcat document item by item; see the module documentation.
pub struct BmecatReader<R> {
    tree: TreeReader<R>,
    header: Option<Header>,
    own_systems: HashSet<String>,
    queue: VecDeque<Located>,
    done: bool,
    products: usize,
}

/// Reads a BMEcat 1.2 or 2005 document from `input`, streaming.
///
/// ```
/// use crm_erp_adapter::read_bmecat;
/// let xml = r#"<BMECAT version="2005"><HEADER><CATALOG><LANGUAGE>deu</LANGUAGE>
///   <CURRENCY>CHF</CURRENCY></CATALOG></HEADER><T_NEW_CATALOG><PRODUCT>
///   <SUPPLIER_PID>4711</SUPPLIER_PID><PRODUCT_DETAILS>
///   <DESCRIPTION_SHORT>Reihenklemme</DESCRIPTION_SHORT></PRODUCT_DETAILS>
///   </PRODUCT></T_NEW_CATALOG></BMECAT>"#;
/// let items: Vec<_> = read_bmecat(xml.as_bytes()).collect::<Result<_, _>>()?;
/// assert_eq!(items.len(), 1);
/// # Ok::<(), crm_core::Error>(())
/// ```
pub fn read_bmecat<R: BufRead>(input: R) -> BmecatReader<R> {
    BmecatReader {
        tree: TreeReader::new(input, SKIP),
        header: None,
        own_systems: HashSet::new(),
        queue: VecDeque::new(),
        done: false,
        products: 0,
    }
}

fn wanted(name: &str, parents: &str) -> bool {
    matches!(
        name,
        "HEADER"
            | "CLASSIFICATION_SYSTEM"
            | "CATALOG_GROUP_SYSTEM"
            | "ARTICLE"
            | "PRODUCT"
            | "ARTICLE_TO_CATALOGGROUP_MAP"
            | "PRODUCT_TO_CATALOGGROUP_MAP"
    ) && parents.starts_with("BMECAT")
}

impl<R: BufRead> BmecatReader<R> {
    fn header(&self, at: &str) -> Result<&Header> {
        self.header
            .as_ref()
            .ok_or_else(|| Error::invalid(at.to_owned(), "comes before the BMEcat HEADER"))
    }

    fn read_more(&mut self) -> Result<bool> {
        let Some(element) = self.tree.next_wanted(wanted)? else {
            if self.header.is_none() {
                return Err(Error::invalid(
                    "BMECAT",
                    "no BMEcat HEADER found: this is not a BMEcat catalog",
                ));
            }
            return Ok(false);
        };
        let at = self.tree.last_path().to_owned();
        let parents = at.rsplit_once('/').map_or("", |(p, _)| p).to_owned();
        match element.name.as_str() {
            "HEADER" => self.header = Some(read_header(&element, &at)?),
            "CLASSIFICATION_SYSTEM" | "CATALOG_GROUP_SYSTEM" => {
                let header = self.header(&at)?.clone();
                if let Some(name) = element.text_of(&[
                    "CLASSIFICATION_SYSTEM_NAME",
                    "GROUP_SYSTEM_ID",
                    "GROUP_SYSTEM_NAME",
                ]) {
                    self.own_systems.insert(name.to_owned());
                }
                for group in read_groups(&element, &header, &at)? {
                    self.queue.push_back(Located {
                        item: CatalogItem::Group(group),
                        at: at.clone(),
                    });
                }
            }
            "ARTICLE_TO_CATALOGGROUP_MAP" | "PRODUCT_TO_CATALOGGROUP_MAP" => {
                let number = required(&element, &["ART_ID", "PROD_ID"], &at)?;
                let number = ProductNumber::new(number).map_err(|e| e.at(&at))?;
                let group = required(&element, &["CATALOG_GROUP_ID"], &at)?;
                let group = GroupCode::new(group).map_err(|e| e.at(&at))?;
                self.queue.push_back(Located {
                    item: CatalogItem::Assign { number, group },
                    at,
                });
            }
            _ => {
                self.products += 1;
                let header = self.header(&at)?.clone();
                let item = if parents.ends_with("T_UPDATE_PRICES") {
                    let (number, prices) = read_prices_only(&element, &header, &at)?;
                    CatalogItem::Prices { number, prices }
                } else if element.attr("mode") == Some("delete") {
                    let number = required(&element, &["SUPPLIER_PID", "SUPPLIER_AID"], &at)?;
                    CatalogItem::Delete(ProductNumber::new(number).map_err(|e| e.at(&at))?)
                } else {
                    CatalogItem::Product(Box::new(read_product(
                        &element,
                        &header,
                        &self.own_systems,
                        &at,
                    )?))
                };
                self.queue.push_back(Located { item, at });
            }
        }
        Ok(true)
    }
}

impl<R: BufRead> Iterator for BmecatReader<R> {
    type Item = Result<Located>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            match self.read_more() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

fn required<'e>(e: &'e Element, names: &[&str], at: &str) -> Result<&'e str> {
    e.text_of(names)
        .ok_or_else(|| Error::invalid(format!("{at}/{}", names[0]), "is missing"))
}

fn date_of(datetime: &Element) -> Option<NaiveDate> {
    datetime
        .text_of(&["DATE"])
        .and_then(|d| d.get(..10))
        .and_then(|d| d.parse().ok())
}

fn read_header(header: &Element, at: &str) -> Result<Header> {
    let catalog = header.child(&["CATALOG"]);
    let language = catalog
        .and_then(|c| c.all(&["LANGUAGE"]).find_map(|l| language(&l.text)))
        .unwrap_or(Language::De);
    let currency = match catalog.and_then(|c| c.text_of(&["CURRENCY"])) {
        Some(code) => {
            Some(Currency::new(code).map_err(|e| e.at(&format!("{at}/CATALOG/CURRENCY")))?)
        }
        None => None,
    };
    let date = catalog
        .and_then(|c| {
            c.all(&["DATETIME"])
                .find(|d| d.attr("type") == Some("generation_date"))
        })
        .and_then(date_of);
    Ok(Header {
        language,
        currency,
        date,
    })
}

fn texts_of(e: &Element, names: &[&str], default: Language) -> Texts {
    let mut texts = Texts::default();
    for t in e.all(names) {
        let lang = t.attr("lang").map_or(Some(default), language);
        if let Some(lang) = lang
            && texts.get(lang).is_none()
        {
            texts.set(lang, &clean(&t.text));
        }
    }
    texts
}

fn read_groups(system: &Element, header: &Header, at: &str) -> Result<Vec<ProductGroup>> {
    let mut groups = Vec::new();
    let holder = system.child(&["CLASSIFICATION_GROUPS"]).unwrap_or(system);
    for (i, g) in holder
        .all(&["CLASSIFICATION_GROUP", "CATALOG_STRUCTURE"])
        .enumerate()
    {
        let here = format!("{at}/{}[{}]", g.name, i + 1);
        let code = required(g, &["CLASSIFICATION_GROUP_ID", "GROUP_ID"], &here)?;
        let code = GroupCode::new(code).map_err(|e| e.at(&here))?;
        let parent = g
            .text_of(&["CLASSIFICATION_GROUP_PARENT_ID", "PARENT_ID"])
            .filter(|p| *p != "0" || g.attr("type") != Some("root"))
            .map(GroupCode::new)
            .transpose()
            .map_err(|e| e.at(&here))?
            .filter(|p| *p != code);
        let names = texts_of(
            g,
            &["CLASSIFICATION_GROUP_NAME", "GROUP_NAME"],
            header.language,
        );
        let names = if names.is_empty() {
            let mut t = Texts::default();
            t.set(header.language, code.as_str());
            t
        } else {
            names
        };
        groups.push(ProductGroup {
            code,
            parent,
            names,
        });
    }
    Ok(groups)
}

fn decimal(e: &Element, names: &[&str], at: &str) -> Result<Option<Decimal>> {
    e.text_of(names)
        .map(|t| {
            t.replace(',', ".").parse::<Decimal>().map_err(|_| {
                Error::invalid(
                    format!("{at}/{}", names[0]),
                    format!("`{t}` is not a number"),
                )
            })
        })
        .transpose()
}

/// The list prices of a product's price details.
fn read_price_details(
    product: &Element,
    number: &ProductNumber,
    price_unit: Decimal,
    header: &Header,
    at: &str,
) -> Result<Vec<ListPrice>> {
    let mut prices = Vec::new();
    for (d, details) in product
        .all(&["PRODUCT_PRICE_DETAILS", "ARTICLE_PRICE_DETAILS"])
        .enumerate()
    {
        let here = format!("{at}/{}[{}]", details.name, d + 1);
        let when = |kind: &str| {
            details
                .all(&["DATETIME"])
                .find(|x| x.attr("type") == Some(kind))
                .and_then(date_of)
        };
        let (valid_from, valid_to) = (when("valid_start_date"), when("valid_end_date"));
        // (price type, currency) → (lower bound, amount)
        let mut found: Vec<(String, Currency, Decimal, Decimal)> = Vec::new();
        for (p, price) in details.all(&["PRODUCT_PRICE", "ARTICLE_PRICE"]).enumerate() {
            let place = format!("{here}/{}[{}]", price.name, p + 1);
            let Some(amount) = decimal(price, &["PRICE_AMOUNT"], &place)? else {
                continue;
            };
            let currency = match price.text_of(&["PRICE_CURRENCY"]) {
                Some(code) => {
                    Currency::new(code).map_err(|e| e.at(&format!("{place}/PRICE_CURRENCY")))?
                }
                None => header.currency.ok_or_else(|| {
                    Error::invalid(
                        format!("{place}/PRICE_CURRENCY"),
                        "is missing and the header names no currency",
                    )
                })?,
            };
            let lower = decimal(price, &["LOWER_BOUND"], &place)?.unwrap_or(Decimal::ONE);
            let kind = price.attr("price_type").unwrap_or("net_list").to_owned();
            found.push((kind, currency, lower, amount));
        }
        let Some(kind) = PRICE_TYPES
            .iter()
            .find(|k| found.iter().any(|f| f.0 == **k))
            .map(|k| (*k).to_owned())
            .or_else(|| found.first().map(|f| f.0.clone()))
        else {
            continue;
        };
        let mut currencies: Vec<Currency> = found.iter().map(|f| f.1).collect();
        currencies.dedup();
        for currency in currencies {
            let mut tiers: Vec<(Decimal, Decimal)> = found
                .iter()
                .filter(|f| f.0 == kind && f.1 == currency)
                .map(|f| (f.2, f.3))
                .collect();
            tiers.sort_by_key(|t| t.0);
            let Some((_, base)) = tiers.first().copied() else {
                continue;
            };
            prices.push(ListPrice {
                product: number.clone(),
                currency,
                price: base,
                price_unit,
                breaks: tiers
                    .iter()
                    .skip(1)
                    .map(|(min, price)| PriceBreak {
                        min_quantity: *min,
                        price: *price,
                    })
                    .collect(),
                valid_from,
                valid_to,
            });
        }
    }
    Ok(prices)
}

fn read_prices_only(
    product: &Element,
    header: &Header,
    at: &str,
) -> Result<(ProductNumber, Vec<ListPrice>)> {
    let number = required(product, &["SUPPLIER_PID", "SUPPLIER_AID"], at)?;
    let number = ProductNumber::new(number).map_err(|e| e.at(&format!("{at}/SUPPLIER_PID")))?;
    let prices = read_price_details(product, &number, Decimal::ONE, header, at)?;
    Ok((number, prices))
}

fn read_features(block: &Element) -> Vec<Feature> {
    let system = block
        .text_of(&["REFERENCE_FEATURE_SYSTEM_NAME"])
        .map(str::to_owned);
    let mut features = Vec::new();
    for f in block.all(&["FEATURE"]) {
        let name = f
            .text_of(&["FNAME"])
            .or_else(|| {
                f.child(&["FTEMPLATE"])
                    .and_then(|t| t.text_of(&["FT_NAME"]))
            })
            .map(clean);
        let Some(name) = name else { continue };
        let unit = f.text_of(&["FUNIT"]).map(clean);
        let mut per_language: Vec<(Option<Language>, Vec<String>)> = Vec::new();
        for v in f.all(&["FVALUE", "FVALUE_DETAILS"]) {
            let value = clean(&v.text);
            if value.is_empty() {
                continue;
            }
            let lang = v.attr("lang").and_then(language);
            match per_language.iter_mut().find(|(l, _)| *l == lang) {
                Some((_, values)) if !values.contains(&value) => values.push(value),
                Some(_) => {}
                None => per_language.push((lang, vec![value])),
            }
        }
        for (lang, values) in per_language {
            features.push(Feature {
                system: system.clone(),
                name: name.clone(),
                values,
                unit: unit.clone(),
                language: lang,
            });
        }
    }
    features
}

fn read_product(
    e: &Element,
    header: &Header,
    own_systems: &HashSet<String>,
    at: &str,
) -> Result<Product> {
    let number = required(e, &["SUPPLIER_PID", "SUPPLIER_AID"], at)?;
    let number = ProductNumber::new(number).map_err(|err| err.at(&format!("{at}/SUPPLIER_PID")))?;
    let at = format!("{at} ({number})");
    let details = e
        .child(&["PRODUCT_DETAILS", "ARTICLE_DETAILS"])
        .ok_or_else(|| Error::invalid(format!("{at}/PRODUCT_DETAILS"), "is missing"))?;
    let order = e.child(&["PRODUCT_ORDER_DETAILS", "ARTICLE_ORDER_DETAILS"]);
    let unit = order
        .and_then(|o| o.text_of(&["ORDER_UNIT"]))
        .unwrap_or("C62")
        .to_owned();
    let price_unit = match order {
        Some(o) => decimal(o, &["PRICE_QUANTITY"], &at)?.unwrap_or(Decimal::ONE),
        None => Decimal::ONE,
    };
    let mut product = Product::new(number.clone(), header.language, number.as_str(), &unit);
    product.names = texts_of(details, &["DESCRIPTION_SHORT"], header.language);
    if product.names.is_empty() {
        product.names.set(header.language, number.as_str());
    }
    product.descriptions = texts_of(details, &["DESCRIPTION_LONG"], header.language);
    let ean = details
        .all(&["INTERNATIONAL_PID", "EAN"])
        .find(|p| p.attr("type").is_none_or(|t| matches!(t, "gtin" | "ean")))
        .map(|p| p.text.trim())
        .filter(|t| !t.is_empty());
    if let Some(ean) = ean {
        product.ean = Some(Gtin::new(ean).map_err(|err| err.at(&format!("{at}/EAN")))?);
    }
    product.manufacturer = details.text_of(&["MANUFACTURER_NAME"]).map(clean);
    product.manufacturer_number = details
        .text_of(&["MANUFACTURER_PID", "MANUFACTURER_AID"])
        .map(clean);
    product.manufacturer_type = details.text_of(&["MANUFACTURER_TYPE_DESCR"]).map(clean);
    let mut keywords: Vec<(Language, String)> = Vec::new();
    for k in details.all(&["KEYWORD"]) {
        let Some(lang) = k.attr("lang").map_or(Some(header.language), language) else {
            continue;
        };
        let word = clean(&k.text);
        if !word.is_empty() && !keywords.iter().any(|(l, w)| *l == lang && *w == word) {
            keywords.push((lang, word));
        }
    }
    product.keywords = keywords;
    for status in details.all(&["PRODUCT_STATUS", "ARTICLE_STATUS"]) {
        match status.attr("type").unwrap_or_default() {
            "new_product" | "new_article" => product.new_since = header.date,
            "old_product" | "old_article" => product.status = ProductStatus::PhasingOut,
            _ => {}
        }
    }
    for block in e.all(&["PRODUCT_FEATURES", "ARTICLE_FEATURES"]) {
        let system = block.text_of(&["REFERENCE_FEATURE_SYSTEM_NAME"]);
        let group_id = block.text_of(&["REFERENCE_FEATURE_GROUP_ID"]);
        if let (Some(system), Some(group_id)) = (system, group_id) {
            let standard = STANDARDS
                .iter()
                .any(|s| system.to_ascii_uppercase().starts_with(s));
            if (own_systems.contains(system) || !standard) && product.group.is_none() {
                product.group = Some(
                    GroupCode::new(group_id)
                        .map_err(|err| err.at(&format!("{at}/{}", block.name)))?,
                );
            } else if standard {
                product.features.push(Feature {
                    system: Some(system.to_owned()),
                    name: "class".into(),
                    values: vec![group_id.to_owned()],
                    unit: None,
                    language: None,
                });
            }
        }
        product.features.extend(read_features(block));
    }
    if let Some(mime) = e.child(&["MIME_INFO"]) {
        for m in mime.all(&["MIME"]) {
            let Some(source) = m.text_of(&["MIME_SOURCE"]) else {
                continue;
            };
            product.media.push(Media {
                source: source.to_owned(),
                mime_type: m.text_of(&["MIME_TYPE"]).unwrap_or("unknown").to_owned(),
                purpose: m.text_of(&["MIME_PURPOSE"]).unwrap_or("others").to_owned(),
                description: m.text_of(&["MIME_DESCR"]).map(clean),
            });
        }
    }
    product.prices = read_price_details(e, &number, price_unit, header, &at)?;
    Ok(product)
}

#[cfg(test)]
#[path = "bmecat_tests.rs"]
mod tests;
