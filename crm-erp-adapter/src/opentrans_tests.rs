//! The real openTRANS samples (copied from the shared data) and broken variants.

use super::*;

fn sample(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/opentrans")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn refusal(bytes: &[u8]) -> crm_core::Invalid {
    match read_opentrans(bytes, Currency::CHF) {
        Err(Error::Invalid(invalid)) => invalid,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_latin1_invoice_becomes_document_open_item_and_revenue() {
    let read = read_opentrans(&sample("sample_invoice_opentrans_2_1.xml"), Currency::CHF).unwrap();
    let d = &read.document;
    assert_eq!(
        (d.number.as_str(), d.kind, d.customer),
        ("I21298", DocumentKind::Invoice, AddressNumber(968_314))
    );
    assert_eq!(d.currency, Currency::EUR);
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2009, 5, 13).unwrap());
    assert_eq!(d.lines[0].description, "Notebook, Schwarz");
    assert_eq!(d.lines[0].vat_rate, Decimal::from(19));
    assert_eq!(
        (d.totals.net.amount, d.totals.gross.amount),
        ("4680.00".parse().unwrap(), "5569.20".parse().unwrap())
    );
    assert_eq!(
        d.preceding.as_ref().map(DocumentNumber::as_str),
        Some("O3849")
    );
    let streams: Vec<_> = read.batches.iter().map(SyncBatch::stream).collect();
    use crm_core::erp::Stream;
    assert_eq!(
        streams,
        [Stream::Documents, Stream::OpenItems, Stream::Revenue]
    );
    let SyncBatch::OpenItems { upserts, .. } = &read.batches[1] else {
        panic!()
    };
    assert_eq!(
        upserts[0].due_date,
        NaiveDate::from_ymd_opt(2009, 6, 12).unwrap(),
        "30 days"
    );
    for batch in &read.batches {
        batch.validate().unwrap();
    }
    let signed = read_opentrans(
        &sample("sample_invoice_opentrans_2_1_xml_signature.xml"),
        Currency::CHF,
    )
    .unwrap();
    assert_eq!(
        signed.document, read.document,
        "the signed copy is the same invoice"
    );
}

#[test]
fn the_dispatch_notification_becomes_a_delivery_note() {
    let read = read_opentrans(
        &sample("sample_dispatchnotification_opentrans_2_1.xml"),
        Currency::CHF,
    )
    .unwrap();
    let d = &read.document;
    assert_eq!(
        (d.number.as_str(), d.kind, d.customer),
        ("LA86", DocumentKind::DeliveryNote, AddressNumber(968_314))
    );
    assert_eq!(d.lines[0].position, 1, "`P001` is no number: its place");
    assert_eq!(d.lines[0].quantity, Decimal::from(4000));
    assert_eq!(
        d.preceding.as_ref().map(DocumentNumber::as_str),
        Some("ORD112")
    );
    assert_eq!(d.currency, Currency::CHF, "no prices: the given currency");
}

#[test]
fn unsupported_or_unfit_samples_are_refused_with_the_reason() {
    let list = refusal(&sample(
        "sample_invoicelist_credit_card_statement_opentrans_2_1.xml",
    ));
    assert!(
        list.has("document") && list.to_string().contains("INVOICELIST is not a supported"),
        "{list}"
    );
    // The order sample is a schema illustration: its buyer's party id is `a`.
    let order = refusal(&sample("sample_order_opentrans_2_1_xml_signature.xml"));
    assert!(
        order
            .to_string()
            .contains("the party id `a` is not a customer number"),
        "{order}"
    );
    assert!(order.field().ends_with("PARTY/PARTY_ID"), "{order}");
}

#[test]
fn a_readable_order_becomes_order_lines_and_totals_are_checked() {
    let order = String::from_utf8(sample("sample_order_opentrans_2_1_xml_signature.xml")).unwrap();
    let readable = order.replace(
        "<bmecat:PARTY_ID type=\"PredefinedOrCustomType\">a</bmecat:PARTY_ID>",
        "<bmecat:PARTY_ID type=\"supplier_specific\">100042</bmecat:PARTY_ID>",
    );
    let readable = readable.replace(
        "<bmecat:BUYER_IDREF type=\"buyer_specific\">see above in parties (this ID should be defined in parties)</bmecat:BUYER_IDREF>",
        "",
    );
    let read = read_opentrans(readable.as_bytes(), Currency::CHF).unwrap();
    assert_eq!(
        (read.document.number.as_str(), read.document.customer),
        ("OID1", AddressNumber(100_042))
    );
    let SyncBatch::OrderLines { upserts, .. } = &read.batches[1] else {
        panic!()
    };
    assert_eq!(
        (upserts[0].ordered, upserts[0].delivered),
        (Decimal::ONE, Decimal::ZERO)
    );

    let invoice = String::from_utf8_lossy(&sample("sample_invoice_opentrans_2_1.xml")).replace(
        "<TOTAL_AMOUNT>5569.20</TOTAL_AMOUNT>",
        "<TOTAL_AMOUNT>5569.00</TOTAL_AMOUNT>",
    );
    let wrong = refusal(invoice.as_bytes());
    assert_eq!(
        wrong.field(),
        "INVOICE/INVOICE_SUMMARY/TOTAL_AMOUNT",
        "{wrong}"
    );
    let broken = refusal(b"<?xml version=\"1.0\"?><INVOICE><INVOICE_HEADER>");
    assert!(broken.has("xml"), "{broken}");
    let no_quantity = String::from_utf8_lossy(&sample("sample_invoice_opentrans_2_1.xml")).replace(
        "<QUANTITY>4</QUANTITY>\n\t\t\t<bmecat:ORDER_UNIT>PK",
        "<bmecat:ORDER_UNIT>PK",
    );
    let missing = refusal(no_quantity.as_bytes());
    assert_eq!(
        missing.field(),
        "INVOICE/INVOICE_ITEM_LIST/INVOICE_ITEM/QUANTITY",
        "{missing}"
    );
}
