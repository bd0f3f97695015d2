//! Imports product catalogs (BMEcat 1.2/2005 or CSV) into a data directory's catalog, then
//! answers product searches: one query per line on standard input (or `--query Q`), one JSON
//! line per query with the top 10 hits.
//!
//! ```sh
//! cargo run --release --example product_search -- --data-dir ./crm-data \
//!     --import tests/data/bmecat/weidmueller/WEI_BMECat_1609801044.xml --query "DEK 5/5"
//! echo "reihenklemme" | cargo run --release --example product_search -- --data-dir ./crm-data
//! ```
//!
//! Options: `--language de|fr|it|en` (the user's language, ranked first; default `de`);
//! `--rebuild` rebuilds the product and address indexes from the database; `--check`
//! compares the product index with the database (counts and a sample of 200) and prints
//! the result as JSON.
//! Each import prints a summary on standard error; a rejected file ends the program with
//! status 1, naming the file and the reason.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crm::erp_adapter::{read_bmecat, read_product_csv};
use crm::product::{ProductFilter, ProductQuery};
use crm::{Actor, Crm, Language, Role, Settings, UserId};
use serde::Serialize;

const USAGE: &str = "usage: product_search [--data-dir DIR] [--import FILE…] [--query Q] \
                     [--language de|fr|it|en] [--rebuild] [--check]";

#[derive(Serialize)]
struct Hit<'a> {
    number: &'a str,
    name: &'a str,
    score: f32,
}

#[derive(Serialize)]
struct Answer<'a> {
    query: &'a str,
    took_us: u128,
    hits: Vec<Hit<'a>>,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("product_search: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let mut settings = Settings::load()?;
    let mut imports = Vec::new();
    let mut queries = Vec::new();
    let mut language = Language::De;
    let (mut rebuild, mut check) = (false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => settings.data_dir = args.next().ok_or(USAGE)?.into(),
            "--import" => imports.push(PathBuf::from(args.next().ok_or(USAGE)?)),
            "--query" => queries.push(args.next().ok_or(USAGE)?),
            "--language" => language = Language::new(&args.next().ok_or(USAGE)?)?,
            "--rebuild" => rebuild = true,
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            // Further files after `--import FILE`.
            other if !imports.is_empty() && !other.starts_with("--") => {
                imports.push(PathBuf::from(other));
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}").into()),
        }
    }
    let crm = Crm::open(settings)?;
    for warning in crm.warnings() {
        eprintln!("warning: {warning}");
    }
    let importer = Actor::new(UserId(0), "Catalog import", vec![Role::Admin]);
    for file in &imports {
        let started = Instant::now();
        let result = if file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            std::fs::File::open(file)
                .map_err(|e| crm::Error::invalid(file.display().to_string(), e.to_string()))
                .and_then(read_product_csv)
                .and_then(|items| crm.products().import(&importer, items.into_iter().map(Ok)))
        } else {
            std::fs::File::open(file)
                .map_err(|e| crm::Error::invalid(file.display().to_string(), e.to_string()))
                .and_then(|f| {
                    crm.products()
                        .import(&importer, read_bmecat(BufReader::new(f)))
                })
        };
        match result {
            Ok(r) => eprintln!(
                "{}: {} new, {} changed, {} unchanged, {} repriced, {} deleted, {} groups in {} ms{}",
                file.display(),
                r.new,
                r.changed,
                r.unchanged,
                r.repriced,
                r.deleted,
                r.groups,
                started.elapsed().as_millis(),
                r.warnings
                    .iter()
                    .map(|w| format!("\n  warning: {w}"))
                    .collect::<String>()
            ),
            Err(e) => {
                eprintln!("{}: REJECTED — {e}", file.display());
                return Ok(false);
            }
        }
    }
    if rebuild {
        let started = Instant::now();
        let products = crm.products().rebuild_index(&importer)?;
        let addresses = crm.addresses().rebuild_index(&importer)?;
        eprintln!(
            "rebuilt the indexes of {products} products and {addresses} addresses in {} ms",
            started.elapsed().as_millis()
        );
    }
    let rep = Actor::new(UserId(0), "Search", vec![Role::InsideSales]);
    if check {
        let drift = crm.products().check_index(&rep, 200)?;
        println!("{}", serde_json::to_string(&drift)?);
        if !drift.is_clean() {
            return Ok(false);
        }
        if queries.is_empty() {
            return Ok(true);
        }
    }
    let answer = |text: &str| -> Result<(), Box<dyn std::error::Error>> {
        let query = ProductQuery {
            text: text.to_owned(),
            language,
            filter: ProductFilter::default(),
            day: chrono::Utc::now().date_naive(),
            limit: 10,
        };
        let started = Instant::now();
        let found = crm.products().search(&rep, &query)?;
        let took_us = started.elapsed().as_micros();
        let line = Answer {
            query: text,
            took_us,
            hits: found
                .hits
                .iter()
                .map(|h| Hit {
                    number: h.number.as_str(),
                    name: &h.name,
                    score: h.score,
                })
                .collect(),
        };
        println!("{}", serde_json::to_string(&line)?);
        Ok(())
    };
    if queries.is_empty() {
        for line in std::io::stdin().lock().lines() {
            answer(line?.trim_end_matches('\r'))?;
        }
    } else {
        for q in &queries {
            answer(q)?;
        }
    }
    Ok(true)
}
