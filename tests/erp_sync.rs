//! The replica's sync API on both backends: idempotent upserts, deletions, cursors, unknown
//! customers rejected or skipped, unknown products listed, rejected or skipped, bad records refused with nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::erp_data::*;
use common::*;
use crm::erp::{DocumentKind, DocumentQuery, DocumentStatus, Stream, SyncBatch};
use crm::{AddressNumber, Error, PageRequest};

fn document_numbers(crm: &TestCrm, address: crm::AddressId) -> Result<Vec<String>, Error> {
    Ok(crm
        .erp()
        .documents(
            &actor(MANAGER),
            address,
            &DocumentQuery::default(),
            PageRequest::default(),
        )?
        .items
        .iter()
        .map(|h| h.number.to_string())
        .collect())
}

fn documents(upserts: Vec<crm::erp::SalesDocument>, deletions: &[&str]) -> SyncBatch {
    SyncBatch::Documents {
        upserts,
        deletions: deletions.iter().map(|n| no(n)).collect(),
    }
}

fn resending_changes_nothing_and_deletions_delete(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let other = assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?;
    let all = batches(customer.number, other.number);
    let replica = crm.replica();
    let first: Vec<_> = all
        .iter()
        .map(|b| replica.sync(b.clone(), Some("1")))
        .collect::<Result<_, _>>()?;
    assert!(first.iter().all(|o| o.report.written == o.report.received));
    assert_eq!(first[0].report.received, 4);

    let again: Vec<_> = all
        .iter()
        .map(|b| replica.sync(b.clone(), Some("2")))
        .collect::<Result<_, _>>()?;
    for outcome in &again {
        assert_eq!(
            (outcome.report.written, outcome.report.unchanged),
            (0, outcome.report.received),
            "{}: the same batch again writes nothing",
            outcome.stream
        );
    }
    assert_eq!(replica.cursor(Stream::Documents)?.as_deref(), Some("2"));

    // One changed document is written, the same one twice in a batch counts once.
    let mut changed = document(
        "Q-1",
        DocumentKind::Quote,
        customer.number,
        "2026-11-20",
        DocumentStatus::Completed,
    );
    changed.reference = Some("Bestellung 77".into());
    let outcome = replica.sync(
        documents(
            vec![
                changed.clone(),
                changed.clone(),
                document(
                    "RE-1",
                    DocumentKind::Invoice,
                    customer.number,
                    "2026-09-01",
                    DocumentStatus::Completed,
                ),
            ],
            &[],
        ),
        None,
    )?;
    assert_eq!((outcome.report.received, outcome.report.written), (3, 1));
    let stored = crm.erp().document(&actor(MANAGER), "Q-1")?;
    assert_eq!(stored, changed, "stored exactly as sent");
    assert_eq!(
        replica.cursor(Stream::Documents)?.as_deref(),
        Some("2"),
        "no cursor, none moved"
    );

    let outcome = replica.sync(documents(vec![], &["Q-1", "Q-404"]), Some("3"))?;
    assert_eq!(outcome.report.deleted, 1);
    assert_eq!(document_numbers(&crm, customer.id)?, ["AB-1", "RE-1"]);
    assert_eq!(replica.cursor(Stream::Documents)?.as_deref(), Some("3"));
    assert_eq!(replica.cursor(Stream::Revenue)?, None);
    Ok(())
}

fn unknown_customers_are_rejected_or_skipped(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let unknown = AddressNumber(777_777);
    let batch = documents(
        vec![
            document(
                "Q-1",
                DocumentKind::Quote,
                customer.number,
                "2026-11-20",
                DocumentStatus::Open,
            ),
            document(
                "Q-2",
                DocumentKind::Quote,
                unknown,
                "2026-11-21",
                DocumentStatus::Open,
            ),
        ],
        &[],
    );
    let refused = crm.replica().sync(batch.clone(), Some("9"));
    let Err(Error::Invalid(invalid)) = refused else {
        panic!("{refused:?}");
    };
    assert!(invalid.has("upserts[1].customer"), "{invalid}");
    assert!(invalid.to_string().contains("777777"), "{invalid}");
    assert!(
        document_numbers(&crm, customer.id)?.is_empty(),
        "nothing written"
    );
    assert_eq!(
        crm.replica().cursor(Stream::Documents)?,
        None,
        "the cursor stays"
    );

    let Some(skipping) = common::crm(db, "[erp]\nunknown_customers = \"skip\"")? else {
        return Ok(());
    };
    let customer = assigned_address(&skipping, REP_A, "Elektro Huber AG")?;
    let batch = documents(
        vec![
            document(
                "Q-1",
                DocumentKind::Quote,
                customer.number,
                "2026-11-20",
                DocumentStatus::Open,
            ),
            document(
                "Q-2",
                DocumentKind::Quote,
                unknown,
                "2026-11-21",
                DocumentStatus::Open,
            ),
        ],
        &[],
    );
    let outcome = skipping.replica().sync(batch, None)?;
    assert_eq!(outcome.skipped.len(), 1);
    assert_eq!(outcome.skipped[0].index, 1);
    assert_eq!((outcome.report.received, outcome.report.written), (2, 1));
    assert_eq!(document_numbers(&skipping, customer.id)?, ["Q-1"]);
    Ok(())
}

/// A quote for `customer` whose one line names `product`.
fn quote_of(
    number: &str,
    customer: AddressNumber,
    product_number: &str,
) -> crm::erp::SalesDocument {
    let mut quote = document(
        number,
        DocumentKind::Quote,
        customer,
        "2026-11-20",
        DocumentStatus::Open,
    );
    quote.lines[0].product = Some(product(product_number));
    quote
}

fn priced(product_number: &str) -> SyncBatch {
    SyncBatch::ListPrices {
        upserts: vec![crm::erp::ListPrice {
            product: product(product_number),
            currency: crm::Currency::CHF,
            price: dec("2.40"),
            price_unit: crm::Decimal::ONE,
            breaks: vec![],
            valid_from: None,
            valid_to: None,
        }],
        deletions: vec![],
    }
}

fn unknown_products_are_listed_rejected_or_skipped(db: Db) -> TestResult {
    let Some(accepting) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&accepting, REP_A, "Elektro Huber AG")?;
    let n = customer.number;
    accepting.replica().sync(priced("1068120000"), None)?;
    let batch = documents(
        vec![
            quote_of("Q-1", n, "1068120000"),
            quote_of("Q-2", n, "9999999999"),
        ],
        &[],
    );
    let outcome = accepting.replica().sync(batch.clone(), None)?;
    assert_eq!(outcome.report.written, 2, "accepted by default");
    let listed: Vec<String> = outcome
        .unknown_products
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(listed, ["9999999999"], "and listed");

    let Some(rejecting) = crm(db, "[erp]\nunknown_products = \"reject\"")? else {
        return Ok(());
    };
    let customer = assigned_address(&rejecting, REP_A, "Elektro Huber AG")?;
    rejecting.replica().sync(priced("1068120000"), None)?;
    let batch = documents(
        vec![
            quote_of("Q-1", customer.number, "1068120000"),
            quote_of("Q-2", customer.number, "9999999999"),
        ],
        &[],
    );
    let refused = rejecting.replica().sync(batch.clone(), None);
    let Err(Error::Invalid(invalid)) = refused else {
        panic!("{refused:?}");
    };
    assert!(invalid.has("upserts[1].lines[0].product"), "{invalid}");
    assert!(invalid.to_string().contains("9999999999"), "{invalid}");
    assert!(document_numbers(&rejecting, customer.id)?.is_empty());
    // A product becomes known with its list price — in the same call, too.
    rejecting
        .replica()
        .sync_all(vec![priced("9999999999"), batch], None)?;
    assert_eq!(document_numbers(&rejecting, customer.id)?.len(), 2);

    let Some(skipping) = crm(db, "[erp]\nunknown_products = \"skip\"")? else {
        return Ok(());
    };
    let customer = assigned_address(&skipping, REP_A, "Elektro Huber AG")?;
    skipping.replica().sync(priced("1068120000"), None)?;
    let mut two_lines = quote_of("Q-2", customer.number, "1068120000");
    let mut unknown_line = two_lines.lines[0].clone();
    unknown_line.position = 2;
    unknown_line.product = Some(product("8888888888"));
    two_lines.lines.push(unknown_line);
    two_lines.totals = crm::erp::DocumentTotals::compute(crm::Currency::CHF, &two_lines.lines)?;
    let outcome = skipping.replica().sync(
        documents(
            vec![quote_of("Q-1", customer.number, "1068120000"), two_lines],
            &[],
        ),
        None,
    )?;
    assert_eq!(outcome.skipped.len(), 1, "{outcome:?}");
    assert_eq!(outcome.skipped[0].index, 1);
    assert!(outcome.skipped[0].reason.contains("8888888888"));
    assert_eq!(
        document_numbers(&skipping, customer.id)?,
        ["Q-1"],
        "skipped whole"
    );
    Ok(())
}

fn bad_records_are_refused_whole(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let mut wrong_total = document(
        "Q-1",
        DocumentKind::Quote,
        customer.number,
        "2026-11-20",
        DocumentStatus::Open,
    );
    wrong_total.totals.net.amount = dec("999");
    let good = document(
        "Q-2",
        DocumentKind::Quote,
        customer.number,
        "2026-11-21",
        DocumentStatus::Open,
    );
    let refused = crm
        .replica()
        .sync(documents(vec![good, wrong_total], &[]), None);
    assert!(
        matches!(&refused, Err(Error::Invalid(i)) if i.has("upserts[1].totals.net")),
        "{refused:?}"
    );
    assert!(document_numbers(&crm, customer.id)?.is_empty());

    let SyncBatch::OpenItems { mut upserts, .. } =
        batches(customer.number, customer.number).remove(2)
    else {
        panic!("the third batch holds open items");
    };
    upserts[1].open_amount = dec("501");
    upserts[0].due_date = day("2026-07-01");
    let refused = crm.replica().sync(
        SyncBatch::OpenItems {
            upserts,
            deletions: vec![],
        },
        None,
    );
    let Err(Error::Invalid(invalid)) = refused else {
        panic!("{refused:?}");
    };
    assert!(
        invalid.has("upserts[1].open_amount") && invalid.has("upserts[0].due_date"),
        "{invalid}"
    );
    assert!(
        crm.erp()
            .receivables(&actor(REP_A), customer.id)?
            .open_items
            .is_empty()
    );
    Ok(())
}

fn csv_files_sync_like_any_batch(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let n = customer.number;
    let items = format!(
        "customer,invoice,invoice_date,due_date,currency,amount,open_amount,dunning_level\n\
         {n},RE-1,01.08.2026,31.08.2026,CHF,1'000.00,0,0\n\
         {n},RE-2,2026-10-15,2026-11-14,CHF,500.00,500.00,1\n"
    );
    let payments =
        format!("id,customer,invoice,date,amount,currency\nZE-1,{n},RE-1,2026-09-10,1000,CHF\n");
    for text in [&items, &payments] {
        let batch = crm::erp_adapter::read_csv(None, text.as_bytes())?;
        crm.replica().sync(batch, None)?;
    }
    let r = crm.erp().receivables(&actor(REP_A), customer.id)?;
    assert_eq!(r.open_items.len(), 1);
    assert_eq!(r.habits[0].average_days_to_pay, Some(dec("40")));
    assert_eq!(
        (
            r.habits[0].dunned_items,
            r.habits[0].ageing.days_1_30.amount
        ),
        (1, dec("500"))
    );
    Ok(())
}

on_both_backends!(
    csv_files_sync_like_any_batch,
    resending_changes_nothing_and_deletions_delete,
    unknown_customers_are_rejected_or_skipped,
    unknown_products_are_listed_rejected_or_skipped,
    bad_records_are_refused_whole
);
