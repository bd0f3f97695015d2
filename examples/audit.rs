//! An administrator's check of the CRM's data: verifies every trace chain and re-hashes
//! every archived document, and prints a summary. On a broken chain it names the address and
//! the first bad trace, on a missing or altered document its id, title and version, and
//! exits with status 1; status 2 means the check could not run.
//!
//! ```sh
//! cargo run --release --example audit -- --data-dir ./crm-data
//! ```
//!
//! Settings come from `crm.toml` and `CRM__…` variables as for every program on the CRM;
//! `--data-dir` (default `./crm-data`) names the directory of the embedded database.

use std::process::ExitCode;
use std::time::Instant;

use crm::{Actor, Backend, Crm, Role, Settings, UserId};

const USAGE: &str = "usage: audit [--data-dir DIR]";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("audit: {e}");
            ExitCode::from(2)
        }
    }
}

/// Whether every check passed.
fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let mut settings = Settings::load()?;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => {
                settings.data_dir = args.next().ok_or(USAGE)?.into();
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            other => return Err(format!("unknown argument `{other}`; {USAGE}").into()),
        }
    }
    let embedded = settings.database.url.trim().is_empty();
    if embedded && !settings.data_dir.join("crm.sqlite").is_file() {
        return Err(format!(
            "no CRM database in {} (expected crm.sqlite there)",
            settings.data_dir.display()
        )
        .into());
    }
    let crm = Crm::open(settings)?;
    let place = match crm.backend() {
        Backend::Sqlite => crm.settings().database_url(),
        Backend::Postgres => "PostgreSQL".to_owned(),
    };
    println!("Auditing {place}");

    // The audit acts as an administrator; it reads and changes nothing.
    let auditor = Actor::new(UserId(0), "audit", vec![Role::Admin]);
    let started = Instant::now();
    let mut last_report = Instant::now();
    let report = crm.traces().verify_with_progress(&auditor, |so_far| {
        if last_report.elapsed().as_secs() >= 5 {
            eprintln!(
                "  … {} chains, {} traces",
                group(so_far.chains),
                group(so_far.traces)
            );
            last_report = Instant::now();
        }
    })?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Trace chains: {} chains, {} traces verified in {seconds:.1} s ({} traces/s)",
        group(report.chains),
        group(report.traces),
        group((report.traces as f64 / seconds.max(1e-9)) as u64)
    );
    let chains_intact = report.is_intact();
    if chains_intact {
        println!("All trace chains are intact.");
    } else {
        print_broken(&report);
    }
    let archive_intact = audit_archive(&crm, &auditor)?;
    Ok(chains_intact && archive_intact)
}

/// Re-hashes every archived version; names each missing or altered one.
fn audit_archive(crm: &Crm, auditor: &Actor) -> Result<bool, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let archive = crm.documents().verify(auditor)?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Archive: {} versions, {} blobs, {} bytes re-hashed in {seconds:.1} s ({:.1} MB/s)",
        group(archive.versions),
        group(archive.blobs),
        group(archive.bytes),
        archive.bytes as f64 / 1e6 / seconds.max(1e-9)
    );
    if archive.is_clean() {
        println!("The archive is intact.");
        return Ok(true);
    }
    println!("DAMAGED: {} versions:", group(archive.damaged.len() as u64));
    for d in &archive.damaged {
        println!(
            "  document {} \"{}\" version {}: {:?} (blob {})",
            d.document, d.title, d.version, d.state, d.blob
        );
    }
    Ok(false)
}

fn print_broken(report: &crm::trace::VerifyReport) {
    println!(
        "BROKEN: {} of {} chains. First bad trace of each:",
        group(report.broken_chains),
        group(report.chains)
    );
    for link in &report.broken {
        println!("  {link}");
    }
    if report.broken_chains > report.broken.len() as u64 {
        println!(
            "  … and {} more",
            group(report.broken_chains - report.broken.len() as u64)
        );
    }
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
