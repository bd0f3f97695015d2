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
//! `--reuse` to keep a database generated before at that size (SQLite only).

#![allow(clippy::print_stdout)]

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime};
use crm::demo::{self, Generator, Rng};
use crm::{
    AddressCriteria, AddressId, AddressKind, AddressSort, AddressSortField, Crm, PageRequest,
    PostalCodeFilter, Settings, calendar,
};
use crm_storage_diesel::baseline;
use crm_storage_diesel::testing::PgSchema;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Rows per import call (one transaction each).
const BATCH: usize = 50_000;

struct Options {
    addresses: usize,
    postgres: Option<String>,
    only: Option<String>,
    calls: usize,
    peer_calls: usize,
    reuse: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        addresses: 100_000,
        postgres: None,
        only: None,
        calls: 2_000,
        peer_calls: 30,
        reuse: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--addresses" => o.addresses = value()?.replace('_', "").parse()?,
            "--postgres" => o.postgres = Some(value()?),
            "--only" => o.only = Some(value()?),
            "--calls" => o.calls = value()?.parse()?,
            "--peer-calls" => o.peer_calls = value()?.parse()?,
            "--reuse" => o.reuse = true,
            "--bench" => {}
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(o)
}

#[derive(Serialize)]
struct Report {
    backend: String,
    addresses: usize,
    peak_rss_mb: f64,
    generation_addresses_per_s: Option<f64>,
    generation_calendar_entries_per_s: Option<f64>,
    calendar_entries: Option<usize>,
    database_size_mb: Option<f64>,
    results: Vec<Measured>,
}

#[derive(Serialize)]
struct Measured {
    name: String,
    n: usize,
    p50_us: f64,
    p95_us: f64,
    p99_us: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer_n: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer_p50_us: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ratio: Option<f64>,
}

impl Measured {
    /// The percentiles of sorted `durations`.
    fn of(name: &str, durations: &[Duration]) -> Self {
        Measured {
            name: name.into(),
            n: durations.len(),
            p50_us: percentile(durations, 50),
            p95_us: percentile(durations, 95),
            p99_us: percentile(durations, 99),
            peer: None,
            peer_n: None,
            peer_p50_us: None,
            ratio: None,
        }
    }

    /// Records the peer's timings for the same operation, and the ratio of the medians.
    fn set_peer(&mut self, peer: &str, durations: &[Duration]) {
        let p50 = percentile(durations, 50);
        self.peer = Some(peer.into());
        self.peer_n = Some(durations.len());
        self.peer_p50_us = Some(p50);
        self.ratio = Some((p50 / self.p50_us * 10.0).round() / 10.0);
    }
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
        let crm = Crm::open(settings)?;
        run(&o, &crm, "sqlite", &out, Some(file))?;
    }
    if let Some(url) = &o.postgres
        && o.only.as_deref().is_none_or(|b| b == "postgres")
    {
        let schema = PgSchema::create(url)?;
        let mut settings = bench_settings()?;
        settings.database.url = schema.url().to_owned();
        let crm = Crm::open(settings)?;
        run(&o, &crm, "postgres", &out, None)?;
    }
    Ok(())
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

fn run(
    o: &Options,
    crm: &Crm,
    backend: &str,
    out: &std::path::Path,
    file: Option<PathBuf>,
) -> Result<()> {
    println!("\n== {backend}: {} addresses", o.addresses);
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
            "generated at {:.0} addresses/s (with contacts, notes and the name index); {} calendar entries at {:.0}/s",
            generated.addresses_per_s, generated.entries, generated.entries_per_s
        );
        crm.store().analyze()?;
        Some(generated)
    };

    let admin = demo::admin();
    let manager = demo::manager();
    let mut rng = Rng::new(42);
    let samples = samples(crm, &mut rng, o.addresses, o.calls.max(100))?;
    let mut results = Vec::new();

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

    let database_size_mb = file.map(|f| {
        ["", "-wal"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{}{s}", f.display())).ok())
            .map(|m| m.len() as f64 / 1_048_576.0)
            .sum()
    });
    let report = Report {
        backend: backend.into(),
        addresses: o.addresses,
        peak_rss_mb: peak_rss_mb(),
        generation_addresses_per_s: generated.as_ref().map(|g| g.addresses_per_s),
        generation_calendar_entries_per_s: generated.as_ref().map(|g| g.entries_per_s),
        calendar_entries: generated.as_ref().map(|g| g.entries),
        database_size_mb,
        results,
    };
    print_table(&report);
    let path = out.join(format!("scale-{backend}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("report: {}", path.display());
    Ok(())
}

/// Imports `n` generated addresses in transactions of [`BATCH`] rows; returns addresses/s.
/// The day the generated calendar is planned around.
fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
}

/// What generation achieved.
struct Generated {
    addresses_per_s: f64,
    entries: usize,
    entries_per_s: f64,
}

/// Imports `n` generated addresses in transactions of [`BATCH`] rows, and their calendar
/// entries after each batch; times the two apart.
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
    let (mut on_addresses, mut on_entries) = (Duration::ZERO, Duration::ZERO);
    let mut done = 0;
    let mut entries = 0;
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
        done += rows.len();
        bar.set_position(done as u64);
    }
    bar.finish_and_clear();
    Ok(Generated {
        addresses_per_s: n as f64 / on_addresses.as_secs_f64(),
        entries,
        entries_per_s: entries as f64 / on_entries.as_secs_f64(),
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

/// The calendar and pool operations: a field rep's month, an address's year, and adding a
/// search result of about ten thousand addresses to a pool.
fn calendar_and_pools(
    crm: &Crm,
    rng: &mut Rng,
    o: &Options,
    ids: &[AddressId],
) -> Result<Vec<Measured>> {
    let admin = demo::admin();
    let zone = calendar::Zone::ZURICH;
    let start = zone.instant(anchor().and_time(NaiveTime::MIN));
    let month = calendar::TimeRange::new(start, start + chrono::Duration::days(31))?;
    let year = calendar::TimeRange::new(
        start - chrono::Duration::days(183),
        start + chrono::Duration::days(183),
    )?;
    let reps = (o.addresses / 2_000).max(4);
    let users: Vec<crm::UserId> = (0..o.calls.max(100))
        .map(|_| crm::UserId(101 + rng.below(reps) as i64))
        .collect();
    let mut results = vec![
        time(
            "calendar: field rep's month (user calendar)",
            &users,
            |user| {
                crm.calendar()
                    .user_calendar(&admin, *user, month, PageRequest::first(500))
                    .map(drop)
            },
        )?,
        time("calendar: address's year (address calendar)", ids, |id| {
            crm.calendar()
                .address_calendar(&admin, *id, year, &[], PageRequest::default())
                .map(drop)
        })?,
    ];
    let manager = demo::manager();
    let criteria = crm::AddressCriteria {
        city: Some("Winterthur".into()),
        ..Default::default()
    };
    let matched = crm
        .addresses()
        .search(&manager, &criteria, PageRequest::first(1))?
        .total;
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let pools: Vec<crm::Pool> = (0..5)
        .map(|i| {
            crm.pools().create(
                &manager,
                &crm::PoolInput {
                    // Unique across runs on a reused database.
                    name: format!("Bench Winterthur {i} {run}"),
                    ..Default::default()
                },
            )
        })
        .collect::<crm::Result<_>>()?;
    let pool_ids: Vec<crm::PoolId> = pools.iter().map(|p| p.id).collect();
    let durations = time_raw(&pool_ids.iter().collect::<Vec<_>>(), |id| {
        crm.pools().add_search(&manager, *id, &criteria).map(drop)
    })?;
    results.push(Measured::of(
        &format!("pool: add a search result of {matched} addresses"),
        &durations,
    ));
    // One large addition, in one transaction: every lead west of Lucerne.
    let leads = crm::AddressCriteria {
        kind: Some(AddressKind::Lead),
        postal_code: Some(PostalCodeFilter::Range {
            from: "1000".into(),
            to: "5999".into(),
        }),
        ..Default::default()
    };
    let large = crm.pools().create(
        &manager,
        &crm::PoolInput {
            name: format!("Bench leads {run}"),
            ..Default::default()
        },
    )?;
    let started = Instant::now();
    let addition = crm.pools().add_search(&manager, large.id, &leads)?;
    results.push(Measured::of(
        &format!("pool: add a search result of {} addresses", addition.added),
        &[started.elapsed()],
    ));
    Ok(results)
}

/// Warms up on the first tenth, then times every input once.
fn time<T>(name: &str, inputs: &[T], f: impl Fn(&T) -> crm::Result<()>) -> Result<Measured> {
    for input in inputs.iter().take(inputs.len() / 10) {
        f(input)?;
    }
    let durations = time_raw(&inputs.iter().collect::<Vec<_>>(), |i| f(i))?;
    Ok(Measured::of(name, &durations))
}

fn time_raw<T, E: std::error::Error + 'static>(
    inputs: &[&T],
    f: impl Fn(&T) -> std::result::Result<(), E>,
) -> Result<Vec<Duration>> {
    let mut durations = Vec::with_capacity(inputs.len());
    for input in inputs {
        let started = Instant::now();
        f(input)?;
        durations.push(started.elapsed());
    }
    durations.sort();
    Ok(durations)
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() * p).div_ceil(100)).clamp(1, sorted.len()) - 1;
    (sorted[i].as_secs_f64() * 1e6 * 10.0).round() / 10.0
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
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
    println!(
        "| operation | n | p50 µs | p95 µs | p99 µs | peer p50 µs | ratio |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for m in &r.results {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            m.name,
            m.n,
            m.p50_us,
            m.p95_us,
            m.p99_us,
            m.peer_p50_us
                .map(|p| p.to_string())
                .unwrap_or_else(|| "—".into()),
            m.ratio
                .map(|r| format!("{r:.0}×"))
                .unwrap_or_else(|| "—".into())
        );
    }
}
