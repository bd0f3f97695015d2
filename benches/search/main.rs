//! The search benchmark: imports the real BMEcat catalogs and generates multilingual
//! products (German, French, Italian, English names, compounds, measures, EANs, type
//! designations), then times product search through the public API next to the peer — the
//! Odoo way, one `LIKE '%text%'` over the product table — in the same run, and scores both
//! on a labelled query set (queries written for known products, with typos, folding and
//! compounds): success@1 and success@10.
//!
//! ```sh
//! cargo bench --bench search -- --products 100000
//! cargo bench --bench search -- --products 100000 --database postgres://postgres@127.0.0.1:5432/test  # schema crm_bench_search
//! ```
//!
//! `--queries K` timed queries per kind (default 2000), `--peer-queries K` (default 200).
//! Writes `target/crm-bench/search-<backend>.json`.

mod catalog;
#[path = "../scale/measure.rs"]
#[allow(dead_code)] // Shared with the scale benchmark, which uses all of it.
mod measure;
mod queries;

use std::path::Path;
use std::time::Instant;

use catalog::{admin, query, real_catalogs};
use crm::{Actor, Crm, Role, Settings, UserId};
use crm_storage_diesel::baseline;
use measure::{Measured, in_schema, peak_rss_mb, print_rows};
use serde::Serialize;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Options {
    products: usize,
    queries: usize,
    peer_queries: usize,
    database: Option<String>,
}

fn options() -> Result<Options> {
    let mut o = Options {
        products: 100_000,
        queries: 2_000,
        peer_queries: 200,
        database: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--products" => o.products = value()?.parse()?,
            "--queries" => o.queries = value()?.parse()?,
            "--peer-queries" => o.peer_queries = value()?.parse()?,
            "--database" => o.database = Some(value()?),
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(o)
}

#[derive(Serialize)]
struct Scores {
    set: String,
    queries: usize,
    success_at_1: f64,
    success_at_10: f64,
    peer_success_at_1: f64,
    peer_success_at_10: f64,
}

#[derive(Serialize)]
struct Report {
    backend: String,
    products: usize,
    import_products_per_s: f64,
    index_products_per_s: f64,
    peak_rss_mb: f64,
    scores: Vec<Scores>,
    results: Vec<Measured>,
}

fn main() -> Result<()> {
    let o = options()?;
    let backend_name = if o.database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/crm-bench/search-{backend_name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let mut settings = Settings::from_toml("")?;
    settings.data_dir = dir.clone();
    let _schema = o
        .database
        .as_deref()
        .map(|url| in_schema(&mut settings, url, "crm_bench_search", true))
        .transpose()?;
    let crm = Crm::open(settings)?;
    let real = real_catalogs(&crm)?;
    println!("== {backend_name}: {real} real products imported");

    let started = Instant::now();
    catalog::import_generated(&crm, o.products)?;
    let import_products_per_s = o.products as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let indexed = crm.products().rebuild_index(&admin())?;
    let index_products_per_s = indexed as f64 / started.elapsed().as_secs_f64();
    // The searches below measure the index at rest, merged into one segment.
    crm.settle_indexes()?;
    let merged_products_per_s = indexed as f64 / started.elapsed().as_secs_f64();
    println!(
        "imported {} generated products at {import_products_per_s:.0}/s (database and index); \
         rebuilt the index of {indexed} at {index_products_per_s:.0}/s until searchable, \
         {merged_products_per_s:.0}/s until merged into one segment",
        o.products
    );

    let rep = Actor::new(UserId(2), "Rep", vec![Role::InsideSales]);
    let results = catalog::time_searches(&crm, &rep, o.queries, o.products, o.peer_queries)?;

    let labelled = queries::labelled(o.products);
    let mut scores = Vec::new();
    for (set, queries) in [
        (
            "written for the real catalog products",
            &labelled[..queries::REAL_QUERIES],
        ),
        (
            "generated products' numbers and types",
            &labelled[queries::REAL_QUERIES..],
        ),
    ] {
        let (mut ours1, mut ours10, mut peer1, mut peer10) = (0, 0, 0, 0);
        for (text, language, expected) in queries {
            let found = crm.products().search(&rep, &query(text, *language, 10))?;
            let numbers: Vec<&str> = found.hits.iter().map(|h| h.number.as_str()).collect();
            ours1 += usize::from(numbers.first() == Some(&expected.as_str()));
            ours10 += usize::from(numbers.contains(&expected.as_str()));
            let theirs = baseline::product_contains_scan(crm.store(), text, 10)?;
            peer1 += usize::from(theirs.first() == Some(expected));
            peer10 += usize::from(theirs.contains(expected));
            if numbers.first() != Some(&expected.as_str()) {
                println!("  miss@1: {text:?} ({language}) expected {expected}, got {numbers:?}");
            }
        }
        let share = |n: usize| (n as f64 * 1000.0 / queries.len() as f64).round() / 10.0;
        let s = Scores {
            set: set.into(),
            queries: queries.len(),
            success_at_1: share(ours1),
            success_at_10: share(ours10),
            peer_success_at_1: share(peer1),
            peer_success_at_10: share(peer10),
        };
        println!(
            "labelled, {}: {} queries · success@1 {}% · success@10 {}% · peer success@1 {}% · peer success@10 {}%",
            s.set,
            s.queries,
            s.success_at_1,
            s.success_at_10,
            s.peer_success_at_1,
            s.peer_success_at_10
        );
        scores.push(s);
    }
    let report = Report {
        backend: backend_name.into(),
        products: o.products + real,
        import_products_per_s,
        index_products_per_s,
        peak_rss_mb: peak_rss_mb(),
        scores,
        results,
    };
    println!(
        "\n{} · {} products · peak RSS {} MB",
        report.backend, report.products, report.peak_rss_mb
    );
    print_rows(&report.results);
    let out = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/crm-bench/search-{backend_name}.json"));
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("report: {}", out.display());
    Ok(())
}
