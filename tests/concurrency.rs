//! Eight threads at once on both backends: edits of the same address either apply or fail
//! with `Conflict` (none is lost silently, and the final version counts exactly the applied
//! ones), and concurrent conversions never share or skip a customer number.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::*;
use crm::{AddressPatch, ConvertOptions, Error};

on_both_backends!(
    concurrent_edits_apply_or_conflict_never_vanish,
    concurrent_captures_get_distinct_numbers,
);

const THREADS: usize = 8;
const ROUNDS: usize = 25;
const SETTINGS: &str = "[database]\npool_size = 8\nbusy_timeout_ms = 30000";

/// Runs `work(crm, thread)` on [`THREADS`] threads that start together; their results in
/// thread order.
fn in_threads<T: Send + 'static>(
    crm: TestCrm,
    work: impl Fn(&TestCrm, usize) -> Result<T, Error> + Send + Sync + 'static,
) -> Result<(Arc<TestCrm>, Vec<T>), Box<dyn std::error::Error>> {
    let crm = Arc::new(crm);
    let work = Arc::new(work);
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (crm, work, barrier) = (Arc::clone(&crm), Arc::clone(&work), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                work(&crm, t)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(THREADS);
    for handle in handles {
        results.push(handle.join().map_err(|_| "a thread panicked")??);
    }
    Ok((crm, results))
}

fn concurrent_edits_apply_or_conflict_never_vanish(db: Db) -> TestResult {
    let Some(crm) = crm(db, SETTINGS)? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let id = crm
        .addresses()
        .capture_lead(&rep, &address("Umkämpft AG", "8001", "Zürich"))?
        .id;
    // In the first round every thread reads the address before any writes it: they all
    // hold the same version, so one applies and the others conflict, however the threads
    // are scheduled.
    let all_read = Arc::new(Barrier::new(THREADS));
    let (crm, outcomes) = in_threads(crm, move |crm, t| {
        let rep = actor(REP_A);
        let mut applied = Vec::new();
        let mut conflicts = 0;
        for round in 0..ROUNDS {
            let current = crm.addresses().get(&rep, id)?;
            if round == 0 {
                all_read.wait();
            }
            let value = format!("thread {t} round {round}");
            let patch = AddressPatch {
                name2: Some(Some(value.clone())),
                ..Default::default()
            };
            match crm.addresses().update(&rep, id, current.version, &patch) {
                Ok(updated) => {
                    assert_eq!(updated.data.name2.as_deref(), Some(value.as_str()));
                    applied.push(value);
                }
                Err(Error::Conflict { .. }) => conflicts += 1,
                Err(other) => return Err(other),
            }
        }
        Ok((applied, conflicts))
    })?;
    let mut applied = Vec::new();
    let mut conflicts = 0;
    for (a, c) in outcomes {
        applied.extend(a);
        conflicts += c;
    }
    assert_eq!(
        applied.len() + conflicts,
        THREADS * ROUNDS,
        "every attempt has an outcome"
    );
    assert!(
        !applied.is_empty() && conflicts > 0,
        "the threads really competed: {} applied, {conflicts} conflicts",
        applied.len()
    );
    let last = crm.addresses().get(&rep, id)?;
    assert_eq!(
        last.version.0 as usize,
        1 + applied.len(),
        "every applied update counted once"
    );
    assert!(
        applied.contains(&last.data.name2.clone().unwrap_or_default()),
        "the last value is an applied one"
    );
    Ok(())
}

fn concurrent_captures_get_distinct_numbers(db: Db) -> TestResult {
    let Some(crm) = crm(db, SETTINGS)? else {
        return Ok(());
    };
    let (_, per_thread) = in_threads(crm, |crm, t| {
        let rep = actor(REP_A);
        (0..10)
            .map(|i| {
                let input = address(&format!("Lead {t}-{i}"), "8001", "Zürich");
                let lead = crm.addresses().capture_lead(&rep, &input)?;
                let options = ConvertOptions {
                    override_duplicates: true,
                };
                let done =
                    crm.addresses()
                        .convert_to_customer(&rep, lead.id, lead.version, options)?;
                Ok(done.customer.number.0)
            })
            .collect::<Result<Vec<i64>, Error>>()
    })?;
    let mut numbers: Vec<i64> = per_thread.into_iter().flatten().collect();
    numbers.sort_unstable();
    let expected: Vec<i64> = (100_000..100_000 + (THREADS * 10) as i64).collect();
    assert_eq!(
        numbers, expected,
        "every customer got its own number, none skipped"
    );
    Ok(())
}
