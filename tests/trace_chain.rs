//! The hash chains on both backends: rows changed or removed behind the library's back are
//! found by `verify`, and concurrent writers lose no trace.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::sync::Arc;

use common::*;
use crm::trace::{Problem, TraceFilter};
use crm::{AddressId, Error};
use crm_storage_diesel::testing::execute;

on_both_backends!(
    tampering_is_found_at_the_first_bad_link,
    eight_writers_lose_no_trace,
);

/// Two addresses with a few traces each; returns their ids.
fn history(crm: &TestCrm) -> Result<(AddressId, AddressId), Error> {
    let rep = actor(REP_A);
    let first = assigned_address(crm, REP_A, "Weingut Keller")?;
    let second = assigned_address(crm, REP_A, "Käserei Moser")?;
    for text in ["Degustation", "Offerte", "Bestellung"] {
        crm.notes().add(&rep, first.id, text, None)?;
        crm.notes().add(&rep, second.id, text, None)?;
    }
    Ok((first.id, second.id))
}

fn trace_id(crm: &TestCrm, address: AddressId, seq: i64) -> Result<i64, Error> {
    let page = crm
        .traces()
        .of_address(&actor(ADMIN), address, &TraceFilter::default())?;
    Ok(page
        .items
        .iter()
        .find(|t| t.seq == seq)
        .map(|t| t.id.0)
        .expect("trace at position"))
}

fn tampering_is_found_at_the_first_bad_link(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let admin = actor(ADMIN);
    let (first, second) = history(&crm)?;
    let report = crm.traces().verify(&admin)?;
    assert!(report.is_intact(), "{:?}", report.broken);
    assert_eq!((report.chains, report.traces), (2, 8));
    assert!(matches!(
        crm.traces().verify(&actor(REP_A)),
        Err(Error::Forbidden(_))
    ));

    // Someone with database access softens a summary.
    let altered = trace_id(&crm, first, 3)?;
    execute(
        crm.store(),
        &format!("UPDATE traces SET summary = 'Note: nichts' WHERE id = {altered}"),
    )?;
    let report = crm.traces().verify(&admin)?;
    assert_eq!(report.broken_chains, 1);
    let broken = &report.broken[0];
    assert_eq!((broken.address_id, broken.seq), (first, 3));
    assert_eq!(broken.trace_id.map(|t| t.0), Some(altered));
    assert_eq!(broken.problem, Problem::Altered);
    let number = crm.addresses().get(&admin, first)?.number;
    assert_eq!(broken.address_number, Some(number));
    assert!(
        broken.to_string().contains(&format!("address {number}")),
        "{broken}"
    );

    // … and removes a trace of the other address.
    let removed = trace_id(&crm, second, 2)?;
    execute(
        crm.store(),
        &format!("DELETE FROM traces WHERE id = {removed}"),
    )?;
    let report = crm.traces().verify(&admin)?;
    assert_eq!(report.broken_chains, 2);
    let broken = &report.broken[1];
    assert_eq!(
        (broken.address_id, broken.seq, broken.problem.clone()),
        (second, 2, Problem::Missing)
    );

    // A forged hash is found at its own trace.
    let (third, _) = history(&crm)?;
    let rehashed = trace_id(&crm, third, 2)?;
    execute(
        crm.store(),
        &format!(
            "UPDATE traces SET hash = '{}' WHERE id = {rehashed}",
            "ab".repeat(32)
        ),
    )?;
    let report = crm.traces().verify(&admin)?;
    let broken = report
        .broken
        .iter()
        .find(|b| b.address_id == third)
        .unwrap();
    assert_eq!((broken.seq, broken.problem.clone()), (2, Problem::Altered));

    // Removing the newest trace is found at the chain's head.
    let (fourth, _) = history(&crm)?;
    let newest = trace_id(&crm, fourth, 4)?;
    execute(
        crm.store(),
        &format!("DELETE FROM traces WHERE id = {newest}"),
    )?;
    let report = crm.traces().verify(&admin)?;
    let broken = report
        .broken
        .iter()
        .find(|b| b.address_id == fourth)
        .unwrap();
    assert_eq!(
        broken.problem,
        Problem::HeadMismatch {
            head_seq: 4,
            found_seq: 3
        }
    );
    Ok(())
}

/// Eight threads change opportunities — two per address, so that writers of one address
/// queue on its chain while the others go on.
fn eight_writers_lose_no_trace(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let mut deals = Vec::new();
    for i in 0..4 {
        let customer = assigned_address(&crm, REP_A, &format!("Filiale {i}"))?;
        for j in 0..2 {
            deals.push(crm.opportunities().create(
                &rep,
                &deal(
                    customer.id,
                    &format!("Projekt {i}.{j}"),
                    "inquiry",
                    "1000",
                    "2027-06-30",
                ),
            )?);
        }
    }
    const CHANGES: usize = 12;
    let crm = Arc::new(crm);
    let workers: Vec<_> = deals
        .into_iter()
        .map(|deal| {
            let crm = Arc::clone(&crm);
            std::thread::spawn(move || -> Result<usize, Error> {
                let rep = actor(REP_A);
                let mut current = deal;
                let mut busy = 0;
                let mut done = 0;
                while done < CHANGES {
                    let stage = if done % 2 == 0 {
                        "offer"
                    } else {
                        "negotiation"
                    };
                    match crm.opportunities().set_stage(
                        &rep,
                        current.id,
                        current.version,
                        stage,
                        None,
                    ) {
                        Ok(next) => {
                            current = next;
                            done += 1;
                        }
                        // A writer that gave up waiting changed nothing; it tries again.
                        Err(Error::Busy(_)) if busy < 20 => busy += 1,
                        Err(e) => return Err(e),
                    }
                }
                Ok(done)
            })
        })
        .collect();
    let mut changes = 0;
    for worker in workers {
        changes += worker.join().expect("worker panicked")?;
    }
    assert_eq!(changes, 8 * CHANGES);
    let admin = actor(ADMIN);
    let report = crm.traces().verify(&admin)?;
    assert!(report.is_intact(), "{:?}", report.broken);
    // Per address: its creation, two inquiries, and every stage change.
    assert_eq!(report.traces as usize, 4 * (1 + 2) + 8 * CHANGES);
    let changed = crm.traces().of_user(
        &admin,
        rep.user_id,
        &TraceFilter {
            kinds: vec!["stage_changed".into()],
            limit: 200,
            ..Default::default()
        },
    )?;
    assert_eq!(
        changed.items.len(),
        8 * CHANGES,
        "exactly one trace per change"
    );
    Ok(())
}
