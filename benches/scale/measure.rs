//! Timing and reporting, shared by the benchmarks, and the PostgreSQL schema they run in.

use std::time::{Duration, Instant};

use crm::Settings;
use crm_storage_diesel::testing::PgSchema;
use serde::Serialize;

use super::Result;

/// Points `settings` at the schema `name` of the PostgreSQL database at `url`, dropped and
/// created again first when `fresh` (a run on the same data as every other run, not on
/// what earlier runs left); the schema is kept afterwards, to look at or to reuse.
pub fn in_schema(settings: &mut Settings, url: &str, name: &str, fresh: bool) -> Result<PgSchema> {
    let schema = PgSchema::kept(url, name, fresh)?;
    settings.database.url = schema.url().to_owned();
    Ok(schema)
}

#[derive(Serialize)]
pub struct Measured {
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
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Measured {
    /// The percentiles of sorted `durations`.
    pub fn of(name: &str, durations: &[Duration]) -> Self {
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
            note: None,
        }
    }

    /// The median.
    pub fn p50(&self) -> f64 {
        self.p50_us
    }

    /// Adds a remark the table shows after the name.
    pub fn note(mut self, note: String) -> Self {
        self.note = Some(note);
        self
    }

    /// Records the peer's timings for the same operation, and the ratio of the medians.
    pub fn set_peer(&mut self, peer: &str, durations: &[Duration]) {
        let p50 = percentile(durations, 50);
        self.peer = Some(peer.into());
        self.peer_n = Some(durations.len());
        self.peer_p50_us = Some(p50);
        self.ratio = Some((p50 / self.p50_us * 10.0).round() / 10.0);
    }
}

/// Warms up on the first tenth, then times every input once.
pub fn time<T>(name: &str, inputs: &[T], f: impl Fn(&T) -> crm::Result<()>) -> Result<Measured> {
    for input in inputs.iter().take(inputs.len() / 10) {
        f(input)?;
    }
    let durations = time_raw(&inputs.iter().collect::<Vec<_>>(), |i| f(i))?;
    Ok(Measured::of(name, &durations))
}

pub fn time_raw<T, E: std::error::Error + 'static>(
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

pub fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() * p).div_ceil(100)).clamp(1, sorted.len()) - 1;
    (sorted[i].as_secs_f64() * 1e6 * 10.0).round() / 10.0
}

pub fn peak_rss_mb() -> f64 {
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

/// The results as a Markdown table.
pub fn print_rows(results: &[Measured]) {
    println!(
        "| operation | n | p50 µs | p95 µs | p99 µs | peer p50 µs | ratio |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for m in results {
        println!(
            "| {}{} | {} | {} | {} | {} | {} | {} |",
            m.name,
            m.note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
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
