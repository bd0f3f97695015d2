//! Products and the archive on the scale data set: the real catalogs and generated
//! multilingual products imported and searched (typos, prefixes as typed, exact numbers)
//! next to the `LIKE '%…%'` scan, and documents checked in at one customer, listed and
//! found by their text.

use std::time::Instant;

use crm::archive::{ArchiveLink, Category, DocumentInput};
use crm::{Actor, AddressId, Crm, Incoming, Language, Role, UserId};
use serde::Serialize;

use super::Result;
use super::catalog::{import_generated, real_catalogs, time_searches};
use super::measure::{Measured, time};

/// What importing and checking in achieved.
#[derive(Debug, Serialize)]
pub struct Loaded {
    pub products: usize,
    pub products_per_s: f64,
    pub documents: usize,
    /// None when the documents were checked in by an earlier run (`--reuse`).
    pub documents_per_s: Option<f64>,
}

/// Words of the archived documents' text, a few of them searched for.
const WORDS: [&str; 16] = [
    "Offerte",
    "Schaltschrank",
    "Reihenklemme",
    "Lieferung",
    "Montage",
    "Wartungsvertrag",
    "Besuchsbericht",
    "Preisliste",
    "Kabelkanal",
    "Inbetriebnahme",
    "Steuerung",
    "Verteilung",
    "Sicherung",
    "Rahmenvertrag",
    "Zertifikat",
    "Garantie",
];

/// A text of `n` words for document `seed`.
fn text(seed: usize, n: usize) -> Vec<String> {
    let mut x = seed as u64 * 2_654_435_761 + 1;
    (0..n / 12)
        .map(|_| {
            (0..12)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    WORDS[((x >> 33) % WORDS.len() as u64) as usize]
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Imports `products` generated products besides the real catalogs and times product
/// search; checks in `documents` PDFs at `customer` in batches of 50 and times listing
/// them and full-text search.
pub fn catalog_and_archive(
    crm: &Crm,
    products: usize,
    documents: usize,
    customer: AddressId,
    calls: usize,
    peer_calls: usize,
) -> Result<(Vec<Measured>, Loaded)> {
    let mut results = Vec::new();
    let started = Instant::now();
    let real = real_catalogs(crm)?;
    import_generated(crm, products)?;
    crm.settle_indexes()?;
    let products_per_s = (real + products) as f64 / started.elapsed().as_secs_f64();
    println!(
        "catalog: {real} real and {products} generated products imported and indexed at \
         {products_per_s:.0}/s"
    );
    let rep = Actor::new(UserId(101), "Field rep", vec![Role::FieldSales]);
    results.extend(time_searches(
        crm,
        &rep,
        calls.max(10),
        products.max(1),
        peer_calls.max(10),
    )?);

    let before = crm.documents().of_address(&rep, customer)?.len();
    let documents_per_s = if before >= documents {
        println!("archive: reusing the {before} documents checked in before");
        None
    } else {
        Some(check_in(crm, &rep, customer, documents)?)
    };
    // Fresh statistics of the archive's tables, as the database's own maintenance takes
    // after this many new rows.
    crm_storage_diesel::testing::execute(
        crm.store(),
        "ANALYZE documents; ANALYZE document_versions; ANALYZE document_links;",
    )?;
    crm.settle_indexes()?;
    let listed = crm.documents().of_address(&rep, customer)?.len();
    let listings: Vec<usize> = (0..calls.max(10)).collect();
    results.push(time(
        &format!("archive: the documents of an address with {listed}"),
        &listings,
        |_| crm.documents().of_address(&rep, customer).map(drop),
    )?);
    let words: Vec<String> = (0..calls.max(10))
        .map(|i| WORDS[i % WORDS.len()].to_lowercase())
        .collect();
    results.push(time(
        &format!("archive: full text over {documents} documents, top 10"),
        &words,
        |w| crm.documents().search(&rep, w, 10).map(drop),
    )?);
    Ok((
        results,
        Loaded {
            products: real + products,
            products_per_s,
            documents,
            documents_per_s,
        },
    ))
}

/// Checks in `documents` PDFs at `customer` in batches of 50; answers documents per second.
fn check_in(crm: &Crm, rep: &Actor, customer: AddressId, documents: usize) -> Result<f64> {
    let pdfs: Vec<Vec<u8>> = (0..documents)
        .map(|i| crm::dmas::pdf::text_pdf(&format!("Offerte {i}"), &text(i, 600)))
        .collect::<crm::Result<_>>()?;
    let started = Instant::now();
    for (k, chunk) in pdfs.chunks(50).enumerate() {
        let items = chunk
            .iter()
            .enumerate()
            .map(|(j, pdf)| Incoming {
                input: DocumentInput {
                    title: format!("Offerte {}", k * 50 + j),
                    category: Category::Offer,
                    language: Some(Language::De),
                    tags: vec!["scale".into()],
                    links: vec![ArchiveLink::record(customer)],
                    file_name: format!("offerte-{}.pdf", k * 50 + j),
                    media_type: "application/pdf".into(),
                },
                content: Box::new(&pdf[..]),
            })
            .collect();
        crm.documents().check_in_all(rep, items)?;
    }
    Ok(documents as f64 / started.elapsed().as_secs_f64())
}
