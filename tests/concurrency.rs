//! Eight threads edit the same address at once: every update either applies or fails with
//! `Conflict`; none is lost silently, and the final version counts exactly the applied ones.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::*;
use crm::{AddressPatch, Error};

on_both_backends!(
    concurrent_edits_apply_or_conflict_never_vanish,
    concurrent_captures_get_distinct_numbers,
);

const THREADS: usize = 8;
const ROUNDS: usize = 25;

fn concurrent_edits_apply_or_conflict_never_vanish(db: Db) -> TestResult {
    let Some(crm) = crm(db, "[database]\npool_size = 8\nbusy_timeout_ms = 30000")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let address = crm
        .addresses()
        .capture_lead(&rep, &address("Umkämpft AG", "8001", "Zürich"))?;
    let crm = Arc::new(crm);
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let crm = Arc::clone(&crm);
            let barrier = Arc::clone(&barrier);
            let rep = rep.clone();
            thread::spawn(move || -> Result<(Vec<String>, usize), Error> {
                barrier.wait();
                let mut applied = Vec::new();
                let mut conflicts = 0;
                for round in 0..ROUNDS {
                    let current = crm.addresses().get(&rep, address.id)?;
                    let value = format!("thread {t} round {round}");
                    let patch = AddressPatch {
                        name2: Some(Some(value.clone())),
                        ..Default::default()
                    };
                    match crm
                        .addresses()
                        .update(&rep, address.id, current.version, &patch)
                    {
                        Ok(updated) => {
                            assert_eq!(updated.data.name2.as_deref(), Some(value.as_str()));
                            applied.push(value);
                        }
                        Err(Error::Conflict { .. }) => conflicts += 1,
                        Err(other) => return Err(other),
                    }
                }
                Ok((applied, conflicts))
            })
        })
        .collect();
    let mut applied = Vec::new();
    let mut conflicts = 0;
    for handle in handles {
        let (a, c) = handle.join().map_err(|_| "a thread panicked")??;
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
    let last = crm.addresses().get(&rep, address.id)?;
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
    let Some(crm) = crm(db, "[database]\npool_size = 8\nbusy_timeout_ms = 30000")? else {
        return Ok(());
    };
    let crm = Arc::new(crm);
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let crm = Arc::clone(&crm);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || -> Result<Vec<i64>, Error> {
                let rep = actor(REP_A);
                barrier.wait();
                (0..10)
                    .map(|i| {
                        let lead = crm.addresses().capture_lead(
                            &rep,
                            &address(&format!("Lead {t}-{i}"), "8001", "Zürich"),
                        )?;
                        let done = crm.addresses().convert_to_customer(
                            &rep,
                            lead.id,
                            lead.version,
                            crm::ConvertOptions {
                                override_duplicates: true,
                            },
                        )?;
                        Ok(done.customer.number.0)
                    })
                    .collect()
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for handle in handles {
        numbers.extend(handle.join().map_err(|_| "a thread panicked")??);
    }
    numbers.sort_unstable();
    let expected: Vec<i64> = (100_000..100_000 + (THREADS * 10) as i64).collect();
    assert_eq!(
        numbers, expected,
        "every customer got its own number, none skipped"
    );
    Ok(())
}
