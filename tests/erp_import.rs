//! openTRANS files into the replica through the facade, on both backends: the real samples
//! of an invoice and a dispatch notification for their customer, imported whole and
//! idempotently.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::erp::{DocumentKind, DocumentQuery};
use crm::erp_adapter::read_opentrans;
use crm::{AddressKind, AddressNumber, Currency, ImportRow, PageRequest};

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/opentrans")
            .join(name),
    )
    .unwrap()
}

fn opentrans_documents_land_in_the_replica(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    // The buyer of the samples, under the number its party id gives.
    let mut input = address("Supershop Store International", "70199", "Stuttgart");
    input.postal.country = Some("DE".into());
    let report = crm.addresses().import(
        &actor(ADMIN),
        &[ImportRow {
            number: Some(AddressNumber(968_314)),
            kind: AddressKind::Customer,
            address: input,
            contacts: vec![],
            notes: vec![],
        }],
    )?;
    let customer = report.ids[0];
    let manager = actor(MANAGER);

    let invoice = read_opentrans(&sample("sample_invoice_opentrans_2_1.xml"), Currency::CHF)?;
    let first = crm.replica().sync_all(invoice.batches, Some("file-1"))?;
    assert!(first.iter().all(|o| o.report.written == o.report.received));
    let signed = read_opentrans(
        &sample("sample_invoice_opentrans_2_1_xml_signature.xml"),
        Currency::CHF,
    )?;
    let again = crm.replica().sync_all(signed.batches, Some("file-2"))?;
    assert!(
        again.iter().all(|o| o.report.written == 0),
        "the signed copy is the same invoice: nothing new"
    );
    let dispatch = read_opentrans(
        &sample("sample_dispatchnotification_opentrans_2_1.xml"),
        Currency::CHF,
    )?;
    crm.replica().sync_all(dispatch.batches, None)?;

    let documents = crm.erp().documents(
        &manager,
        customer,
        &DocumentQuery::default(),
        PageRequest::default(),
    )?;
    let kinds: Vec<_> = documents
        .items
        .iter()
        .map(|d| (d.number.to_string(), d.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("LA86".to_owned(), DocumentKind::DeliveryNote),
            ("I21298".to_owned(), DocumentKind::Invoice)
        ]
    );
    let receivables = crm.erp().receivables(&manager, customer)?;
    assert_eq!(receivables.open_items.len(), 1);
    assert_eq!(receivables.open_items[0].amount, "5569.20".parse()?);
    assert_eq!(receivables.habits[0].currency, Currency::EUR);
    assert_eq!(
        crm.replica().cursor(crm::erp::Stream::Revenue)?.as_deref(),
        Some("file-2")
    );
    Ok(())
}

on_both_backends!(opentrans_documents_land_in_the_replica);
