//! The scale benchmark: generates a Swiss wholesaler's data deterministically, then times what
//! a sales rep does a hundred times a day — through the public API — next to the naive peer
//! on the same data in the same run.
//!
//! ```sh
//! cargo bench --bench scale -- --addresses 1000000
//! cargo bench --bench scale -- --addresses 100000 --postgres postgres://postgres@127.0.0.1/test --only postgres
//! ```
//!
//! Writes `target/crm-bench/scale-<backend>.json` and prints a table. Options:
//! `--addresses N` (default 100000), `--postgres URL`, `--only sqlite|postgres`,
//! `--calls K` timed calls per operation (default 2000), `--peer-calls K` (default 30),
//! `--reuse` to keep a database generated before at that size (the SQLite file, or the
//! PostgreSQL schema `crm_scale_<N>`, both kept after a run), `--erp-rows N`
//! open items and revenue lines synced into the ERP replica (default 200000; 0 skips the ERP
//! measurements), `--revenue-reps K` field reps whose customers get three years of revenue
//! lines for the revenue figures and the dashboards (default 10; 0 skips them), `--products N`
//! generated products besides the real catalogs (default 100000), `--documents N` PDFs
//! checked in at one customer (default 200; both 0 skip the catalog and the archive),
//! `--area dashboards` to time only the dashboards on a data set generated before.

#![allow(clippy::print_stdout)]

mod calendar;
#[path = "../search/catalog.rs"]
mod catalog;
mod catalog_archive;
mod dashboards;
mod erp;
mod measure;
mod options;
#[path = "../search/queries.rs"]
#[allow(dead_code)] // Shared with the search benchmark, which uses all of it.
mod queries;
mod revenue;
mod sales;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use crm::demo::{self, Generator, Rng};
use crm::{
    AddressCriteria, AddressId, AddressKind, AddressSort, AddressSortField, Crm, PageRequest,
    PostalCodeFilter, Settings,
};
use crm_storage_diesel::baseline;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use calendar::calendar_and_pools;
use measure::{Measured, in_schema, peak_rss_mb, print_rows, time, time_raw};
use options::{Options, options};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Rows per import call (one transaction each).
const BATCH: usize = 50_000;

#[derive(Serialize, Default)]
struct Report {
    backend: String,
    addresses: usize,
    peak_rss_mb: f64,
    generation_addresses_per_s: Option<f64>,
    generation_calendar_entries_per_s: Option<f64>,
    calendar_entries: Option<usize>,
    generation_opportunities_per_s: Option<f64>,
    opportunities: Option<usize>,
    generation_erp_traces_per_s: Option<f64>,
    erp_traces: Option<usize>,
    database_size_mb: Option<f64>,
    results: Vec<Measured>,
    verify: Option<sales::Verified>,
    erp_sync: Option<erp::SyncRates>,
    revenue: Option<revenue::RevenueLoad>,
    catalog_archive: Option<catalog_archive::Loaded>,
}

fn main() -> Result<()> {
    let o = options()?;
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/crm-bench");
    std::fs::create_dir_all(&out)?;
    if o.only.as_deref().is_none_or(|b| b == "sqlite") {
        let file = out.join(format!("scale-{}.sqlite", o.addresses));
        if !(o.reuse && file.exists()) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        let mut settings = bench_settings()?;
        settings.database.url = format!("sqlite://{}", file.display());
        let (crm, quiet) = open_pair(settings, &out.join(format!("data-sqlite-{}", o.addresses)))?;
        run(&o, &crm, &quiet, "sqlite", &out, Some(file))?;
    }
    if let Some(url) = &o.postgres
        && o.only.as_deref().is_none_or(|b| b == "postgres")
    {
        let mut settings = bench_settings()?;
        // Kept under a name per size, so that `--reuse` finds it again.
        let _schema = in_schema(
            &mut settings,
            url,
            &format!("crm_scale_{}", o.addresses),
            !o.reuse,
        )?;
        let data = out.join(format!("data-postgres-{}", o.addresses));
        let (crm, quiet) = open_pair(settings, &data)?;
        run(&o, &crm, &quiet, "postgres", &out, None)?;
    }
    Ok(())
}

/// The CRM on `settings`' database with its files (indexes, archive) in `data` — a
/// directory per data set, so that `--reuse` finds them in step with the database — and the
/// same database with traces switched off, with search indexes of its own (two CRMs cannot
/// write one index).
fn open_pair(mut settings: Settings, data: &std::path::Path) -> Result<(Crm, Crm)> {
    settings.data_dir = data.to_owned();
    let crm = Crm::open(settings.clone())?;
    settings.traces.enabled = false;
    settings.search.dir = data.join("index-untraced").display().to_string();
    let quiet = Crm::open(settings)?;
    Ok((crm, quiet))
}

/// The usual settings (defaults, `crm.toml`, `CRM__…` variables), with number ranges wide
/// enough for millions of addresses.
fn bench_settings() -> Result<Settings> {
    let mut settings = Settings::load()?;
    settings.numbers = crm::NumberRanges {
        customer: crm::NumberRange::new(1_000_000, 49_999_999).unwrap_or(settings.numbers.customer),
        lead: crm::NumberRange::new(50_000_000, 99_999_999).unwrap_or(settings.numbers.lead),
    };
    settings.database.pool_size = 4;
    Ok(settings)
}

/// Runs every measurement on `crm`; `quiet` is the same database with traces switched off.
fn run(
    o: &Options,
    crm: &Crm,
    quiet: &Crm,
    backend: &str,
    out: &std::path::Path,
    file: Option<PathBuf>,
) -> Result<()> {
    println!("\n== {backend}: {} addresses", o.addresses);
    for warning in crm.warnings().iter().chain(quiet.warnings()) {
        println!("at open: {warning}");
    }
    let existing = crm
        .addresses()
        .search(
            &demo::admin(),
            &AddressCriteria::everything(),
            PageRequest::first(1),
        )?
        .total;
    let generated = if o.reuse && existing as usize >= o.addresses {
        println!("reusing the {existing} addresses generated before");
        None
    } else {
        let generated = generate(crm, o.addresses)?;
        println!(
            "generated at {:.0} addresses/s (with contacts, notes and the name index); {} calendar entries at {:.0}/s; \
             {} opportunities at {:.0}/s; {} ERP events as traces at {:.0}/s",
            generated.addresses_per_s,
            generated.entries,
            generated.entries_per_s,
            generated.opportunities,
            generated.opportunities_per_s,
            generated.erp_traces,
            generated.erp_traces_per_s
        );
        crm.store().analyze()?;
        Some(generated)
    };
    // Measured at rest: an index rebuilt at open merges in the background.
    crm.settle_indexes()?;
    quiet.settle_indexes()?;

    let admin = demo::admin();
    let manager = demo::manager();
    let mut rng = Rng::new(42);
    let samples = samples(crm, &mut rng, o.addresses, o.calls.max(100))?;
    let mut results = Vec::new();
    let time_dashboards =
        |rng: &mut Rng| dashboards::dashboards(crm, rng, o.revenue_reps, o.calls, o.peer_calls);
    if o.area.as_deref() == Some("dashboards") {
        // The dashboards alone, to compare a change of them on data generated before.
        results.extend(time_dashboards(&mut rng)?);
        print_table(&Report {
            backend: backend.into(),
            addresses: o.addresses,
            peak_rss_mb: peak_rss_mb(),
            results,
            ..Report::default()
        });
        return Ok(());
    }

    let numbers: Vec<AddressCriteria> = samples
        .iter()
        .map(|s| AddressCriteria {
            number: Some(s.number),
            ..Default::default()
        })
        .collect();
    results.push(time("search: number exact", &numbers, |c| {
        crm.addresses()
            .search(&manager, c, PageRequest::default())
            .map(drop)
    })?);

    let name_city: Vec<AddressCriteria> = samples
        .iter()
        .map(|s| AddressCriteria {
            name: Some(s.prefix.clone()),
            city: Some(s.city.clone()),
            ..Default::default()
        })
        .collect();
    let mut named = time("search: name word prefix + city", &name_city, |c| {
        crm.addresses()
            .search(&manager, c, PageRequest::default())
            .map(drop)
    })?;
    let peer_inputs: Vec<&Sample> = samples.iter().take(o.peer_calls).collect();
    let peer = time_raw(&peer_inputs, |s| {
        baseline::name_contains_scan(crm.store(), &s.prefix, Some(&s.city), 50).map(drop)
    })?;
    named.set_peer(
        "lower(name1) LIKE '%word%' AND lower(city) LIKE '%city%' (table scan)",
        &peer,
    );
    results.push(named);

    let names_only: Vec<AddressCriteria> = samples
        .iter()
        .map(|s| AddressCriteria {
            name: Some(s.prefix.clone()),
            ..Default::default()
        })
        .collect();
    let mut name_only = time("search: name word prefix", &names_only, |c| {
        crm.addresses()
            .search(&manager, c, PageRequest::default())
            .map(drop)
    })?;
    let peer = time_raw(&peer_inputs, |s| {
        baseline::name_contains_scan(crm.store(), &s.prefix, None, 50).map(drop)
    })?;
    name_only.set_peer("lower(name1) LIKE '%word%' (table scan)", &peer);
    results.push(name_only);

    // Free text through the address index, as typed into one search box: a name word
    // prefix and the city, by a field rep within what he may see.
    let texts: Vec<String> = samples
        .iter()
        .map(|s| format!("{} {}", s.city, s.prefix))
        .collect();
    let rep = demo::field_rep();
    let mut free_text = time(
        "search: free text (name prefix + city), top 50",
        &texts,
        |t| {
            crm.addresses()
                .search_text(&manager, t, PageRequest::default())
                .map(drop)
        },
    )?;
    let peer = time_raw(&peer_inputs, |s| {
        baseline::name_contains_scan(crm.store(), &s.prefix, Some(&s.city), 50).map(drop)
    })?;
    free_text.set_peer(
        "lower(name1) LIKE '%word%' AND lower(city) LIKE '%city%' (table scan)",
        &peer,
    );
    results.push(free_text);
    results.push(time(
        "search: free text (name prefix + city) as a field rep, top 50",
        &texts,
        |t| {
            crm.addresses()
                .search_text(&rep, t, PageRequest::default())
                .map(drop)
        },
    )?);

    let ranges: Vec<AddressCriteria> = samples
        .iter()
        .map(|s| {
            let from: u32 = s.postal_code.parse().unwrap_or(8000) / 100 * 100;
            AddressCriteria {
                postal_code: Some(PostalCodeFilter::Range {
                    from: from.to_string(),
                    to: (from + 99).to_string(),
                }),
                kind: Some(AddressKind::Lead),
                sort: AddressSort {
                    by: AddressSortField::PostalCode,
                    descending: false,
                },
                ..Default::default()
            }
        })
        .collect();
    results.push(time("search: postal-code range + kind", &ranges, |c| {
        crm.addresses()
            .search(&manager, c, PageRequest::default())
            .map(drop)
    })?);

    let ids: Vec<AddressId> = samples.iter().map(|s| s.id).collect();
    results.push(time(
        "open address (address + contacts + notes)",
        &ids,
        |id| crm.addresses().open(&admin, *id).map(drop),
    )?);

    results.extend(calendar_and_pools(crm, &mut rng, o, &ids)?);
    results.extend(sales::opportunities_and_traces(
        crm, quiet, &mut rng, o, &ids,
    )?);
    let verify = Some(sales::verify(crm)?);
    let erp_sync = if o.erp_rows == 0 {
        None
    } else {
        let mut customers: Vec<(AddressId, crm::AddressNumber)> =
            samples.iter().map(|s| (s.id, s.number)).collect();
        customers.sort_unstable();
        customers.dedup();
        let (erp_results, erp_sync) = erp::erp(crm, &mut rng, &customers, o.erp_rows)?;
        results.extend(erp_results);
        println!(
            "erp sync: {} open items at {:.0} rows/s (re-sent unchanged: {:.0} rows/s), {} revenue lines at {:.0} rows/s, {} special conditions at {:.0} rows/s",
            erp_sync.open_items,
            erp_sync.open_items_per_s,
            erp_sync.open_items_resent_per_s,
            erp_sync.revenue_lines,
            erp_sync.revenue_lines_per_s,
            erp_sync.conditions,
            erp_sync.conditions_per_s
        );
        Some(erp_sync)
    };

    let revenue = if o.revenue_reps == 0 {
        None
    } else {
        let (measured, load) =
            revenue::revenue(crm, &mut rng, o.revenue_reps, o.calls, o.peer_calls)?;
        results.extend(measured);
        results.extend(time_dashboards(&mut rng)?);
        Some(load)
    };

    let catalog_archive = if o.products == 0 && o.documents == 0 {
        None
    } else {
        let (measured, loaded) = catalog_archive::catalog_and_archive(
            crm,
            o.products,
            o.documents,
            ids[0],
            o.calls,
            o.peer_calls,
        )?;
        results.extend(measured);
        Some(loaded)
    };

    let database_size_mb = match file {
        // The file and its write-ahead log.
        Some(f) => Some(
            ["", "-wal"]
                .iter()
                .filter_map(|s| std::fs::metadata(format!("{}{s}", f.display())).ok())
                .map(|m| m.len() as f64 / 1_048_576.0)
                .sum(),
        ),
        None => Some(crm.store().size_on_disk()? as f64 / 1_048_576.0),
    };
    let report = Report {
        backend: backend.into(),
        addresses: o.addresses,
        peak_rss_mb: peak_rss_mb(),
        generation_addresses_per_s: generated.as_ref().map(|g| g.addresses_per_s),
        generation_calendar_entries_per_s: generated.as_ref().map(|g| g.entries_per_s),
        calendar_entries: generated.as_ref().map(|g| g.entries),
        generation_opportunities_per_s: generated.as_ref().map(|g| g.opportunities_per_s),
        opportunities: generated.as_ref().map(|g| g.opportunities),
        generation_erp_traces_per_s: generated.as_ref().map(|g| g.erp_traces_per_s),
        erp_traces: generated.as_ref().map(|g| g.erp_traces),
        database_size_mb,
        results,
        verify,
        erp_sync,
        revenue,
        catalog_archive,
    };
    print_table(&report);
    let path = out.join(format!("scale-{backend}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("report: {}", path.display());
    Ok(())
}

/// The day the generated calendar is planned around.
fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
}

/// What generation achieved.
struct Generated {
    addresses_per_s: f64,
    entries: usize,
    entries_per_s: f64,
    opportunities: usize,
    opportunities_per_s: f64,
    erp_traces: usize,
    erp_traces_per_s: f64,
}

/// Imports `n` generated addresses in transactions of [`BATCH`] rows, and after each batch
/// their calendar entries, opportunities and 7–10 ERP events each; times them apart.
fn generate(crm: &Crm, n: usize) -> Result<Generated> {
    let reps = (n / 2_000).max(4);
    crm.users().sync(&demo::staff(reps, reps))?;
    let mut generator = Generator::new(2026, reps, reps);
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(n as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} addresses, {per_sec}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let admin = demo::admin();
    let today = chrono::Utc::now().date_naive();
    let mut erp = Rng::new(7);
    let (mut on_addresses, mut on_entries) = (Duration::ZERO, Duration::ZERO);
    let (mut on_opportunities, mut on_erp) = (Duration::ZERO, Duration::ZERO);
    let (mut done, mut entries, mut opportunities, mut erp_traces) = (0, 0, 0, 0);
    while done < n {
        let started = Instant::now();
        let rows = generator.batch(BATCH.min(n - done));
        let report = crm.addresses().import(&admin, &rows)?;
        on_addresses += started.elapsed();
        let started = Instant::now();
        let inputs: Vec<_> = report
            .ids
            .iter()
            .zip(&rows)
            .flat_map(|(id, row)| generator.calendar(*id, row, anchor()))
            .collect();
        entries += crm.calendar().import(&admin, &inputs)?;
        on_entries += started.elapsed();
        let started = Instant::now();
        let deals: Vec<_> = report
            .ids
            .iter()
            .zip(&rows)
            .flat_map(|(id, row)| generator.opportunities(*id, row, today))
            .collect();
        opportunities += crm.opportunities().import(&admin, &deals)?.len();
        on_opportunities += started.elapsed();
        let started = Instant::now();
        let events: Vec<_> = report
            .ids
            .iter()
            .flat_map(|id| {
                let count = 7 + erp.below(4);
                generator.erp_events(*id, count, today)
            })
            .collect();
        erp_traces += crm.traces().ingest_many(&admin, &events)?.len();
        on_erp += started.elapsed();
        done += rows.len();
        bar.set_position(done as u64);
    }
    bar.finish_and_clear();
    Ok(Generated {
        addresses_per_s: n as f64 / on_addresses.as_secs_f64(),
        entries,
        entries_per_s: entries as f64 / on_entries.as_secs_f64(),
        opportunities,
        opportunities_per_s: opportunities as f64 / on_opportunities.as_secs_f64(),
        erp_traces,
        erp_traces_per_s: erp_traces as f64 / on_erp.as_secs_f64(),
    })
}

struct Sample {
    id: AddressId,
    number: crm::AddressNumber,
    prefix: String,
    city: String,
    postal_code: String,
}

/// Random existing addresses with a name-word prefix of 4–6 letters as a user types it.
fn samples(crm: &Crm, rng: &mut Rng, n: usize, count: usize) -> Result<Vec<Sample>> {
    let admin = demo::admin();
    let mut samples = Vec::with_capacity(count);
    while samples.len() < count {
        let id = AddressId(1 + rng.below(n) as i64);
        let address = crm.addresses().get(&admin, id)?;
        let words: Vec<&str> = address
            .data
            .name1
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 4)
            .collect();
        if words.is_empty() {
            continue;
        }
        let word = words[rng.below(words.len())];
        let len = (4 + rng.below(3)).min(word.chars().count());
        samples.push(Sample {
            id,
            number: address.number,
            prefix: word.chars().take(len).collect::<String>().to_lowercase(),
            city: address.data.postal.city.clone().unwrap_or_default(),
            postal_code: address.data.postal.postal_code.clone().unwrap_or_default(),
        });
    }
    Ok(samples)
}

fn print_table(r: &Report) {
    println!(
        "\n{} · {} addresses · generation {} · calendar {} · peak RSS {} MB{}",
        r.backend,
        r.addresses,
        r.generation_addresses_per_s
            .map_or_else(|| "reused".into(), |g| format!("{g:.0}/s")),
        r.generation_calendar_entries_per_s
            .zip(r.calendar_entries)
            .map_or_else(
                || "reused".into(),
                |(g, n)| format!("{n} entries at {g:.0}/s")
            ),
        r.peak_rss_mb,
        r.database_size_mb
            .map(|s| format!(" · database {s:.0} MB"))
            .unwrap_or_default()
    );
    if let (Some(o), Some(os), Some(e), Some(es)) = (
        r.opportunities,
        r.generation_opportunities_per_s,
        r.erp_traces,
        r.generation_erp_traces_per_s,
    ) {
        println!("{o} opportunities at {os:.0}/s · {e} ERP events as traces at {es:.0}/s");
    }
    if let Some(v) = &r.verify {
        println!(
            "verify: {} chains, {} traces in {:.1} s = {:.0} traces/s",
            v.chains, v.traces, v.seconds, v.traces_per_s
        );
    }
    print_rows(&r.results);
}
