//! The BMEcat reader on the real catalogs in `tests/data/bmecat/`.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use crm_core::Language;
use crm_core::product::{CatalogItem, Located, Product};

use super::read_bmecat;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/bmecat")
        .join(path)
}

fn read(path: &str) -> Vec<Located> {
    let file = File::open(data(path)).unwrap();
    read_bmecat(BufReader::new(file))
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn products(items: &[Located]) -> Vec<&Product> {
    items
        .iter()
        .filter_map(|l| match &l.item {
            CatalogItem::Product(p) => Some(p.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_sample_catalog_reads() {
    for folder in ["olivere", "weidmueller"] {
        for entry in std::fs::read_dir(data(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "xml") {
                let name = format!("{folder}/{}", path.file_name().unwrap().to_string_lossy());
                assert!(!read(&name).is_empty(), "{name} holds items");
            }
        }
    }
}

#[test]
fn a_weidmueller_product_has_its_numbers_texts_and_features() {
    let items = read("weidmueller/WEI_BMECat_1020000000.xml");
    let all = products(&items);
    assert_eq!(all.len(), 1);
    let p = all[0];
    assert_eq!(p.number.as_str(), "1020000000");
    assert_eq!(p.ean.as_ref().unwrap().as_str(), "4008190099633");
    assert!(p.ean.as_ref().unwrap().check_digit_ok());
    assert_eq!(p.manufacturer_type.as_deref(), Some("WDU 2.5"));
    assert_eq!(p.names.get(Language::De), Some("Durchgangs-Reihenklemme"));
    assert_eq!(
        p.names.get(Language::En),
        Some("Feed-through terminal block")
    );
    let long = p.descriptions.get(Language::De).unwrap();
    assert!(
        long.contains("2.5 mm²"),
        "entities escaped twice resolve: {long}"
    );
    assert!(p.keywords_in(Language::En).count() > 0);
    assert!(!p.features.is_empty());
    assert!(
        p.features
            .iter()
            .any(|f| f.system.as_deref() == Some("ECLASS-9.0"))
    );
    assert_eq!(p.media.len(), 1);
    assert_eq!(p.media[0].purpose, "data_sheet");
    assert!(p.prices.is_empty(), "the file's prices carry no amount");
}

#[test]
fn bmecat_12_catalog_with_groups_prices_and_breaks() {
    let items = read("olivere/bmecat12_new_catalog.golden.xml");
    let groups: Vec<_> = items
        .iter()
        .filter_map(|l| match &l.item {
            CatalogItem::Group(g) => Some(g),
            _ => None,
        })
        .collect();
    assert_eq!(groups.len(), 5);
    let mac = groups.iter().find(|g| g.code.as_str() == "5").unwrap();
    assert_eq!(mac.parent.as_ref().unwrap().as_str(), "2");
    let all = products(&items);
    let first = all.iter().find(|p| p.number.as_str() == "1000").unwrap();
    assert_eq!(first.group.as_ref().unwrap().as_str(), "5");
    let price = &first.prices[0];
    assert_eq!(price.price.to_string(), "1499.5");
    assert_eq!(price.currency.to_string(), "EUR");
    assert_eq!(price.breaks.len(), 1);
    assert_eq!(price.breaks[0].min_quantity.to_string(), "100");
    assert_eq!(
        first.names.get(Language::De).unwrap(),
        "Apple MacBook Pro 13\""
    );
    assert!(
        !first.ean.as_ref().unwrap().check_digit_ok(),
        "the sample's EAN is kept though its check digit is wrong"
    );
}

#[test]
fn updates_read_as_updates_prices_and_deletions() {
    let items = read("olivere/bmecat12_update_products.golden.xml");
    assert!(
        items
            .iter()
            .any(|l| matches!(&l.item, CatalogItem::Delete(n) if n.as_str() == "2000"))
    );
    assert!(
        items
            .iter()
            .any(|l| matches!(&l.item, CatalogItem::Product(_)))
    );
    let items = read("olivere/bmecat12_update_prices.golden.xml");
    let Some(CatalogItem::Prices { number, prices }) = items.first().map(|l| &l.item) else {
        panic!("a price update: {items:?}");
    };
    assert_eq!(number.as_str(), "1000");
    assert_eq!(prices[0].valid_to.unwrap().to_string(), "2001-07-31");
}

#[test]
fn malformed_catalogs_are_refused_with_their_place() {
    let cases = [
        (
            "<BMECAT><HEADER></HEADER><T_NEW_CATALOG><PRODUCT><PRODUCT_DETAILS/></PRODUCT></T_NEW_CATALOG></BMECAT>",
            "SUPPLIER_PID",
        ),
        (
            "<BMECAT><HEADER></HEADER><T_NEW_CATALOG><PRODUCT><SUPPLIER_PID>1</SUPPLIER_PID><PRODUCT_DETAILS><EAN>12x</EAN></PRODUCT_DETAILS></PRODUCT></T_NEW_CATALOG></BMECAT>",
            "EAN",
        ),
        (
            "<BMECAT><HEADER></HEADER><T_NEW_CATALOG><PRODUCT><SUPPLIER_PID>1</SUPPLIER_PID>",
            "PRODUCT",
        ),
        ("<ORDER><HEADER/></ORDER>", "not a BMEcat"),
        (
            "<BMECAT><HEADER><CATALOG><CURRENCY>XXX1</CURRENCY></CATALOG></HEADER></BMECAT>",
            "CURRENCY",
        ),
    ];
    for (xml, expected) in cases {
        let result: Result<Vec<_>, _> = read_bmecat(xml.as_bytes()).collect();
        let e = result.expect_err(xml);
        assert!(e.to_string().contains(expected), "{xml}: {e}");
    }
}
