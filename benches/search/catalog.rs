//! The products both benchmarks search: the real BMEcat catalogs and deterministic
//! multilingual ones (names in four languages, compounds, measures, EANs, types).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crm::erp::{GroupCode, ListPrice, ProductNumber};
use crm::erp_adapter::read_bmecat;
use crm::product::{CatalogItem, Gtin, Located, Product, ProductFilter, ProductQuery};
use crm::{Actor, Crm, Currency, Decimal, Language, Role, UserId};

use crm_storage_diesel::baseline;

use super::Result;
use super::measure::{Measured, time, time_raw};
use super::queries;

/// The importing administrator.
pub fn admin() -> Actor {
    Actor::new(UserId(1), "Bench", vec![Role::Admin])
}

/// A product query for the benchmark's day.
pub fn query(text: &str, language: Language, limit: usize) -> ProductQuery {
    ProductQuery {
        text: text.to_owned(),
        language,
        filter: ProductFilter::default(),
        day: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default(),
        limit,
    }
}

/// Imports the real catalogs; answers how many products are new.
pub fn real_catalogs(crm: &Crm) -> Result<usize> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bmecat");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("weidmueller"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.push(root.join("olivere/bmecat2005_new_catalog.golden.xml"));
    let mut n = 0;
    for f in files {
        let report = crm
            .products()
            .import(&admin(), read_bmecat(BufReader::new(File::open(&f)?)))?;
        n += report.new;
    }
    Ok(n)
}

/// A valid EAN-13 from twelve digits.
fn ean(body: u64) -> Result<Gtin> {
    let digits = format!("{:012}", body % 1_000_000_000_000);
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    Ok(Gtin::new(&format!("{digits}{}", (10 - sum % 10) % 10))?)
}

/// The generated product number `i`.
pub fn generated_number(i: usize) -> String {
    format!("G{:07}", i)
}

/// The generated product `i`.
pub fn generate(i: usize) -> Result<Product> {
    let g = queries::Generated::new(i);
    let number = ProductNumber::new(&generated_number(i))?;
    let mut p = Product::new(number.clone(), Language::De, &g.name(Language::De), "PCE");
    for l in [Language::Fr, Language::It, Language::En] {
        p.names.set(l, &g.name(l));
    }
    p.descriptions.set(Language::De, &g.description());
    p.ean = Some(ean(4_012_345_000_000 + i as u64)?);
    p.manufacturer = Some("Muster AG".into());
    p.manufacturer_type = Some(g.type_designation());
    p.group = Some(GroupCode::new(&g.group())?);
    p.keywords = vec![(Language::De, g.keyword())];
    p.prices.push(ListPrice {
        product: number,
        currency: Currency::CHF,
        price: Decimal::new(100 + (i as i64 % 9_000), 2),
        price_unit: Decimal::ONE,
        breaks: vec![],
        valid_from: None,
        valid_to: None,
    });
    Ok(p)
}

/// Imports generated products `0..n` in chunks, as a catalog import does.
pub fn import_generated(crm: &Crm, n: usize) -> Result<()> {
    let chunk = 5_000;
    let mut i = 0;
    while i < n {
        let items: Vec<Located> = (i..(i + chunk).min(n))
            .map(|k| {
                generate(k).map(|p| Located {
                    item: CatalogItem::Product(Box::new(p)),
                    at: format!("generated {k}"),
                })
            })
            .collect::<Result<_>>()?;
        crm.products().import(&admin(), items.into_iter().map(Ok))?;
        i += chunk;
    }
    Ok(())
}

/// Times product search as `rep`: `queries` typical 1–3-word queries with typos and as many
/// prefixes as typed, each beside the `LIKE '%…%'` scan over the product table (the first
/// `peer_queries` of them), and exact numbers, EANs and types; `products` generated ones
/// are in the catalog.
pub fn time_searches(
    crm: &Crm,
    rep: &Actor,
    queries: usize,
    products: usize,
    peer_queries: usize,
) -> Result<Vec<Measured>> {
    let mut results = Vec::new();
    let typed = queries::typical(queries, products);
    let prefixes = queries::prefixes(queries);
    for (name, inputs) in [
        ("product search: 1–3 words with typos, top 10", &typed),
        ("product search: prefix as typed, top 10", &prefixes),
    ] {
        let mut ours = time(name, inputs, |(q, l)| {
            crm.products().search(rep, &query(q, *l, 10)).map(drop)
        })?;
        let peer_inputs: Vec<&(String, Language)> = inputs.iter().take(peer_queries).collect();
        let peer = time_raw(&peer_inputs, |(q, _)| {
            baseline::product_contains_scan(crm.store(), q, 10).map(drop)
        })?;
        ours.set_peer("lower(data) LIKE '%text%' (Odoo way, table scan)", &peer);
        results.push(ours);
    }
    let exact = queries::exact(queries, products);
    results.push(time(
        "product search: number, EAN or type typed exactly",
        &exact,
        |q| {
            crm.products()
                .search(rep, &query(q, Language::De, 10))
                .map(drop)
        },
    )?);
    Ok(results)
}
