//! Imports ERP files into the replica of a data directory: openTRANS 2.1 documents (ORDER,
//! DISPATCHNOTIFICATION, INVOICE) and CSV files of open items, payments, special conditions
//! or revenue lines (the kind is told by the header; see `crm::erp_adapter::csv_import`).
//!
//! ```sh
//! cargo run --release --example erp_import -- --data-dir ./crm-data invoice.xml open-items.csv
//! ```
//!
//! Each file is imported whole or not at all and gets one summary line; the program exits
//! with status 1 when any file was rejected (naming it and the reason), 2 when it could not
//! run. Records of customers without an address are rejected or skipped as the setting
//! `erp.unknown_customers` says; records of products the replica has no list price or
//! product group for are listed, rejected or skipped as `erp.unknown_products` says.

use std::path::PathBuf;
use std::process::ExitCode;

use crm::erp::SyncBatch;
use crm::erp_adapter::{read_csv, read_opentrans};
use crm::{Crm, Currency, Settings};

const USAGE: &str = "usage: erp_import [--data-dir DIR] FILE…";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("erp_import: {e}");
            ExitCode::from(2)
        }
    }
}

/// Whether every file was imported.
fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let mut settings = Settings::load()?;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => settings.data_dir = args.next().ok_or(USAGE)?.into(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            _ => files.push(PathBuf::from(arg)),
        }
    }
    if files.is_empty() {
        return Err(USAGE.into());
    }
    if settings.database.url.trim().is_empty() && !settings.data_dir.join("crm.sqlite").is_file() {
        return Err(format!("no CRM database in {}", settings.data_dir.display()).into());
    }
    let crm = Crm::open(settings)?;
    let mut all_imported = true;
    for file in &files {
        match import(&crm, file) {
            Ok(summary) => println!("{}: {summary}", file.display()),
            Err(reason) => {
                all_imported = false;
                println!("{}: REJECTED — {reason}", file.display());
            }
        }
    }
    Ok(all_imported)
}

/// Reads and stores one file; the summary line, or why it was rejected.
fn import(crm: &Crm, file: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(file)?;
    let xml = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
        .is_some_and(|b| *b == b'<');
    let (what, batches): (String, Vec<SyncBatch>) = if xml {
        let read = read_opentrans(&bytes, Currency::CHF)?;
        let d = &read.document;
        (
            format!(
                "openTRANS {} {} of customer {} ({} lines, {})",
                d.kind,
                d.number,
                d.customer,
                d.lines.len(),
                d.totals.gross
            ),
            read.batches,
        )
    } else {
        let batch = read_csv(None, bytes.as_slice())?;
        (
            format!("CSV, {} {} records", batch.upsert_count(), batch.stream()),
            vec![batch],
        )
    };
    let outcomes = crm.replica().sync_all(batches, None)?;
    let stored: Vec<String> = outcomes
        .iter()
        .map(|o| {
            let mut line = format!(
                "{} {} written, {} unchanged",
                o.stream, o.report.written, o.report.unchanged
            );
            if !o.skipped.is_empty() {
                line.push_str(&format!(", {} skipped", o.skipped.len()));
            }
            if !o.unknown_products.is_empty() {
                let numbers: Vec<String> =
                    o.unknown_products.iter().map(ToString::to_string).collect();
                line.push_str(&format!(", unknown products {}", numbers.join(" ")));
            }
            line
        })
        .collect();
    Ok(format!("{what}: {}", stored.join("; ")))
}
