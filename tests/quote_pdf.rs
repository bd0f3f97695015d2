//! A draft quote rendered as a PDF and archived, on both backends: the PDF's text holds the
//! customer, every line's product number and quantity, and the total in Swiss format; long
//! quotes continue on further pages; the archived offer hangs at the quote and its address.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::erp_data::*;
use common::*;
use crm::archive::{ArchiveLink, Category};
use crm::ports::TextExtractor;
use crm::{Currency, EntityKind, Error};

fn a_quote_becomes_an_archived_pdf(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let mine = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let theirs = assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?;
    for batch in batches(mine.number, theirs.number) {
        crm.replica().sync(batch, None)?;
    }
    let rep = actor(REP_A);
    let quotes = crm.quotes();
    let mut draft = quotes.create(&rep, mine.id, Currency::CHF)?;
    for i in 1..=40 {
        let description = format!(
            "Durchgangs-Reihenklemme Nr. {i} mit Schraubanschluss, beige, für Tragschiene \
             TS 35, Bemessungsquerschnitt 2,5 mm², verpackt zu 100 Stück"
        );
        draft = quotes.add_line(
            &rep,
            draft.id,
            draft.version,
            "1068120000",
            dec(&format!("{}", 1000 + i)),
            Some(&description),
        )?;
    }
    let archived = crm.archive_quote(&rep, draft.id)?;
    assert_eq!(archived.category, Category::Offer);
    let number = draft.number().to_string();
    assert_eq!(archived.title, format!("Offerte {number}"));
    let mut via: Vec<EntityKind> = archived.links.iter().map(|l| l.link.kind).collect();
    via.sort();
    assert_eq!(via, [EntityKind::Address, EntityKind::SalesDocument]);
    assert!(
        archived.links.iter().all(|l| l.address == Some(mine.id)),
        "the quote's link belongs to its address"
    );

    let (_, mut reader) = crm.documents().open(&rep, archived.id, None)?;
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut pdf)?;
    let pages = crm::dmas::FileText::default().extract("application/pdf", &mut &pdf[..]);
    assert_eq!(pages.warning, None);
    let text = pages.text;
    assert!(text.contains("Elektro Huber AG"), "the customer");
    assert!(text.contains(&format!("Offerte {number}")));
    for i in 1..=40 {
        assert!(
            text.contains(&format!("1'0{:02}", i)),
            "line {i}'s quantity"
        );
    }
    assert!(
        text.matches("1068120000").count() >= 40,
        "every line's product"
    );
    let total = crm::dmas::quote::swiss(draft.totals.gross.amount, 2);
    assert!(total.contains('\''), "a total over a thousand: {total}");
    assert!(text.contains(&format!("{total} CHF")), "the total {total}");
    assert!(
        text.contains("Seite 2 von"),
        "forty long lines need more than one page"
    );
    assert!(text.contains("2.5 mm²") || text.contains("2,5 mm²"));

    // Found at the address, and by its text.
    let listed = crm.documents().of_address(&rep, mine.id)?;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        crm.documents()
            .of_record(&rep, &ArchiveLink::sales_document(&draft.number()))?
            .len(),
        1
    );
    let found = crm.documents().search(&rep, "tragschiene", 5)?;
    assert_eq!(found.len(), 1);
    // Another rep sees neither the quote nor its PDF.
    let other = actor(REP_B);
    assert!(matches!(
        crm.archive_quote(&other, draft.id),
        Err(Error::NotFound { .. })
    ));
    assert!(crm.documents().search(&other, "tragschiene", 5)?.is_empty());
    assert!(matches!(
        crm.documents().document(&other, archived.id),
        Err(Error::NotFound { .. })
    ));
    Ok(())
}

on_both_backends!(a_quote_becomes_an_archived_pdf);
