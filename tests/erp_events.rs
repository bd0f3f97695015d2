//! Changes the ERP reports through the replica become traces, on both backends: a document
//! in a new status, an overdue invoice dunned, a confirmed delivery date moved (by at least
//! the rules' threshold) — while a first load and a re-sent batch trace nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::erp_data::*;
use common::*;
use crm::erp::{DocumentKind, DocumentStatus, SyncBatch};
use crm::trace::TraceFilter;

fn kinds_of(crm: &TestCrm, address: crm::AddressId) -> Result<Vec<String>, crm::Error> {
    let traces = crm.traces().of_address(
        &actor(MANAGER),
        address,
        &TraceFilter {
            kinds: vec![
                "document_status_changed".into(),
                "payment_overdue".into(),
                "delivery_date_moved".into(),
            ],
            ..Default::default()
        },
    )?;
    Ok(traces.items.iter().rev().map(|t| t.kind.clone()).collect())
}

fn erp_changes_become_traces(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let n = customer.number;
    for batch in batches(n, n) {
        crm.replica().sync(batch, None)?;
    }
    // A first load is quiet, RE-2 (due on 14 November; today is 27 November) included.
    assert!(kinds_of(&crm, customer.id)?.is_empty());
    // The ERP's dunning run raises RE-2's level: the payment is overdue.
    let Some(SyncBatch::OpenItems { mut upserts, .. }) = batches(n, n)
        .into_iter()
        .find(|b| b.stream() == crm::erp::Stream::OpenItems)
    else {
        panic!("open items");
    };
    upserts.retain(|i| i.invoice.as_str() == "RE-2");
    upserts[0].dunning_level = 1;
    let dunned = SyncBatch::OpenItems {
        upserts,
        deletions: vec![],
    };
    crm.replica().sync(dunned.clone(), None)?;
    crm.replica().sync(dunned, None)?;
    assert_eq!(kinds_of(&crm, customer.id)?, ["payment_overdue"]);

    let completed = document(
        "Q-1",
        DocumentKind::Quote,
        n,
        "2026-11-20",
        DocumentStatus::Completed,
    );
    let docs = SyncBatch::Documents {
        upserts: vec![completed],
        deletions: vec![],
    };
    crm.replica().sync(docs.clone(), None)?;
    crm.replica().sync(docs, None)?;
    assert_eq!(
        kinds_of(&crm, customer.id)?,
        ["payment_overdue", "document_status_changed"]
    );

    let line = |confirmed: &str| {
        let mut l = order_line(3, n, 5, 0, "2026-12-15");
        l.confirmed_date = Some(day(confirmed));
        SyncBatch::OrderLines {
            upserts: vec![l],
            deletions: vec![],
        }
    };
    crm.replica().sync(line("2026-12-15"), None)?; // first confirmation: no move
    crm.replica().sync(line("2026-12-22"), None)?; // a week later: traced
    crm.replica().sync(line("2026-12-23"), None)?; // one day: below the threshold
    assert_eq!(
        kinds_of(&crm, customer.id)?,
        [
            "payment_overdue",
            "document_status_changed",
            "delivery_date_moved"
        ]
    );
    let latest = crm
        .traces()
        .of_address(&actor(MANAGER), customer.id, &TraceFilter::default())?;
    assert!(
        latest.items[0]
            .summary
            .contains("delivery 2026-12-15 → 2026-12-22 (+7 days)"),
        "{}",
        latest.items[0].summary
    );
    // The rep responsible for the customer sees them in his list.
    let his = crm
        .traces()
        .of_user(&actor(REP_A), crm::UserId(REP_A), &TraceFilter::default())?;
    assert!(
        his.items
            .iter()
            .any(|t| t.kind == "document_status_changed")
    );
    assert!(crm.traces().verify(&actor(ADMIN))?.is_intact());
    Ok(())
}

on_both_backends!(erp_changes_become_traces);
