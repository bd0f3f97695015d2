//! The ERP's data of an address through the facade, on both backends and from both kinds of
//! ERP (the replica, the host's own): sales documents, disposition, receivables with payment
//! habits, special conditions and explained prices — visible with their address only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::sync::Arc;

use common::erp_data::*;
use common::*;
use crm::erp::{DispositionStatus, DocumentKind, DocumentQuery, Verdict};
use crm::erp_adapter::InMemoryErp;
use crm::{Address, Currency, Decimal, Error, PageRequest};

fn numbers<T>(items: &[T], number: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(number).collect()
}

/// What reps A and B see of `mine` (rep A's customer) on 27 November 2026.
fn an_address_shows_what_the_erp_knows(crm: &TestCrm, mine: &Address) -> TestResult {
    let (a, b) = (actor(REP_A), actor(REP_B));
    let erp = crm.erp();

    let all = erp.documents(
        &a,
        mine.id,
        &DocumentQuery::default(),
        PageRequest::default(),
    )?;
    assert_eq!(
        numbers(&all.items, |h| h.number.to_string()),
        ["Q-1", "AB-1", "RE-1"],
        "newest first"
    );
    assert_eq!(
        all.items[0].gross.amount,
        dec("210.80"),
        "195.00 + 8.1 % VAT 15.80"
    );
    let current = DocumentQuery {
        current_only: true,
        ..Default::default()
    };
    let current = erp.documents(&a, mine.id, &current, PageRequest::default())?;
    assert_eq!(
        numbers(&current.items, |h| h.number.to_string()),
        ["Q-1", "AB-1"]
    );
    let invoices = DocumentQuery {
        kinds: vec![DocumentKind::Invoice],
        ..Default::default()
    };
    assert_eq!(
        erp.documents(&a, mine.id, &invoices, PageRequest::default())?
            .total,
        1
    );
    let first = erp.documents(
        &a,
        mine.id,
        &DocumentQuery::default(),
        PageRequest::first(1),
    )?;
    assert_eq!(
        (first.items.len(), first.total),
        (1, 3),
        "a page with its total"
    );
    assert_eq!(erp.document(&a, "Q-1")?.lines.len(), 1);

    // Another rep sees neither the address nor its documents.
    assert!(matches!(
        erp.documents(
            &b,
            mine.id,
            &DocumentQuery::default(),
            PageRequest::default()
        ),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        erp.document(&b, "Q-1"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        erp.document(&a, "Q-9"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        erp.document(&a, "Q-404"),
        Err(Error::NotFound { .. })
    ));

    // The late line first, the delivered one hidden.
    let lines = erp.disposition(&a, mine.id, false, PageRequest::default())?;
    let seen: Vec<_> = lines
        .items
        .iter()
        .map(|l| (l.line.position, l.status, l.delay_days, l.open_quantity))
        .collect();
    assert_eq!(
        seen,
        [
            (1, DispositionStatus::BackOrder, 7, dec("60")),
            (3, DispositionStatus::Open, 0, dec("5"))
        ]
    );
    assert_eq!(
        erp.disposition(&a, mine.id, true, PageRequest::default())?
            .total,
        3
    );

    // RE-1 paid 10 days late, RE-2 13 days past due.
    let r = erp.receivables(&a, mine.id)?;
    assert_eq!(numbers(&r.open_items, |i| i.invoice.to_string()), ["RE-2"]);
    assert_eq!(r.settled_items, 1);
    let habits = &r.habits[0];
    assert_eq!(habits.average_days_to_pay, Some(dec("40")));
    assert_eq!(habits.weighted_days_late, Some(dec("10")));
    assert_eq!(habits.ageing.days_1_30.amount, dec("500"));

    let conditions =
        erp.special_conditions(&a, mine.id, Some(day("2026-11-27")), PageRequest::default())?;
    assert_eq!(
        numbers(&conditions.items, |c| c.id.clone()),
        ["SK-1", "SK-2"]
    );
    let later =
        erp.special_conditions(&a, mine.id, Some(day("2027-01-04")), PageRequest::default())?;
    assert_eq!(
        numbers(&later.items, |c| c.id.clone()),
        ["SK-2"],
        "SK-1 ends with 2026"
    );

    let price = erp.price(&a, mine.id, "1068120000", dec("50"), Currency::CHF, None)?;
    assert_eq!(
        (price.applied.as_deref(), price.net_amount.amount),
        (Some("SK-1"), dec("97.50"))
    );
    let group = price
        .considered
        .iter()
        .find(|c| c.condition == "SK-2")
        .unwrap();
    assert_eq!(group.verdict, Verdict::Superseded { by: "SK-1".into() });
    let next_year = erp.price(
        &a,
        mine.id,
        "1068120000",
        dec("50"),
        Currency::CHF,
        Some(day("2027-01-04")),
    )?;
    assert_eq!(
        (next_year.applied.as_deref(), next_year.net_amount.amount),
        (Some("SK-2"), dec("114.00")),
        "5 % off 2.40"
    );
    let unknown = erp.price(&a, mine.id, "0000", Decimal::ONE, Currency::CHF, None);
    assert!(matches!(unknown, Err(Error::Invalid(i)) if i.has("product")));
    assert!(matches!(
        erp.price(&b, mine.id, "1068120000", Decimal::ONE, Currency::CHF, None),
        Err(Error::NotFound { .. })
    ));
    Ok(())
}

/// Two customers, rep A's and rep B's.
fn customers(crm: &TestCrm) -> Result<(Address, Address), Error> {
    crm.users().sync(&users())?;
    Ok((
        assigned_address(crm, REP_A, "Elektro Huber AG")?,
        assigned_address(crm, REP_B, "Elektro Brunner GmbH")?,
    ))
}

fn from_the_replica(db: Db) -> TestResult {
    let Some(crm) = open(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let (mine, theirs) = customers(&crm)?;
    for batch in batches(mine.number, theirs.number) {
        crm.replica().sync(batch, None)?;
    }
    an_address_shows_what_the_erp_knows(&crm, &mine)
}

fn from_the_hosts_own_erp(db: Db) -> TestResult {
    let host = Arc::new(InMemoryErp::new());
    let Some(crm) = open_with(db, "visibility = \"assigned\"", Some(host.clone()))? else {
        return Ok(());
    };
    let (mine, theirs) = customers(&crm)?;
    for batch in batches(mine.number, theirs.number) {
        host.apply(&batch)?;
    }
    an_address_shows_what_the_erp_knows(&crm, &mine)?;
    // The replica is not read when the host brings its own ERP.
    assert_eq!(crm.replica().cursor(crm::erp::Stream::Documents)?, None);
    Ok(())
}

on_both_backends!(from_the_replica, from_the_hosts_own_erp);
