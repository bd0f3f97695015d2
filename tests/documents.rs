//! The archive through the facade on both backends: check-in with links, blobs stored once,
//! an address's documents with those of its contacts and opportunities, check-out and
//! versions, retention and legal hold, verify and gc, a check-in interrupted between blob
//! and metadata, a file too large to read into memory, visibility under the `assigned`
//! policy, and a row the archive cannot read.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::io::Read;
use std::time::Duration;

use common::*;
use crm::archive::{ArchiveLink, BlobCheck, Category, DocumentInput, VersionInput};
use crm::trace::TraceFilter;
use crm::{ContactInput, EntityKind, Error, Language};
use crm_storage_diesel::testing::execute;

fn input(title: &str, category: Category, links: Vec<ArchiveLink>) -> DocumentInput {
    DocumentInput {
        title: title.into(),
        category,
        language: Some(Language::De),
        tags: vec!["test".into()],
        links,
        file_name: "dokument.pdf".into(),
        media_type: "application/pdf".into(),
    }
}

fn bytes(crm: &TestCrm, id: crm::DocumentId, version: Option<u32>) -> Vec<u8> {
    let (_, mut reader) = crm.documents().open(&actor(MANAGER), id, version).unwrap();
    let mut out = Vec::new();
    reader.read_to_end(&mut out).unwrap();
    out
}

fn documents_hang_at_their_data_with_versions(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let manager = actor(MANAGER);
    let rep = actor(REP_A);
    let shop = crm
        .addresses()
        .create_customer(&manager, &address("Bäckerei Müller AG", "3011", "Bern"))?;
    let contact = crm.contacts().add(
        &manager,
        shop.id,
        &ContactInput {
            last_name: "Brönnimann".into(),
            ..Default::default()
        },
        false,
    )?;
    let deal = crm.opportunities().create(
        &manager,
        &deal(shop.id, "Ofen", "offer", "25000", "2027-01-31"),
    )?;
    let contract = crm.documents().check_in(
        &rep,
        &input(
            "Rahmenvertrag",
            Category::Contract,
            vec![ArchiveLink::record(shop.id)],
        ),
        &mut &b"%PDF-1.4 Vertrag"[..],
    )?;
    let letter = crm.documents().check_in(
        &rep,
        &input(
            "Brief an Frau Brönnimann",
            Category::Correspondence,
            vec![ArchiveLink::record(contact.id)],
        ),
        &mut &b"Sehr geehrte Frau"[..],
    )?;
    // The same bytes again: a second document, one blob.
    let offer = crm.documents().check_in(
        &rep,
        &input(
            "Offerte Ofen",
            Category::Offer,
            vec![ArchiveLink::record(deal.id), ArchiveLink::record(shop.id)],
        ),
        &mut &b"%PDF-1.4 Vertrag"[..],
    )?;
    assert_eq!(offer.versions[0].blob, contract.versions[0].blob);
    assert_eq!(
        crm.documents().document(&rep, offer.id)?,
        offer,
        "a check-in answers the document as stored, links in their order"
    );
    assert_eq!(
        contract.retain_until,
        chrono::NaiveDate::from_ymd_opt(2036, 11, 27).unwrap(),
        "contracts are kept ten years"
    );

    let listed = crm.documents().of_address(&rep, shop.id)?;
    let titles: Vec<&str> = listed.iter().map(|l| l.document.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Offerte Ofen", "Brief an Frau Brönnimann", "Rahmenvertrag"],
        "newest first, with the contact's and the opportunity's documents"
    );
    assert_eq!(listed[1].via, [ArchiveLink::record(contact.id)]);
    assert_eq!(
        listed[0].via.len(),
        2,
        "hangs at the opportunity and the address"
    );
    assert_eq!(
        crm.documents()
            .of_record(&rep, &ArchiveLink::record(contact.id))?
            .len(),
        1
    );

    // Check out, and nobody else can check in or out.
    let out = crm.documents().check_out(&rep, letter.id, letter.version)?;
    assert_eq!(out.lock.map(|l| l.by.0), Some(REP_A));
    let other = actor(REP_B);
    let taken = crm.documents().check_out(&other, letter.id, out.version);
    assert!(matches!(taken, Err(Error::Forbidden(m)) if m.contains("checked out by user 101")));
    let stale = crm.documents().check_out(&rep, letter.id, letter.version);
    assert!(matches!(stale, Err(Error::Conflict { .. })));
    let v2 = crm.documents().check_in_version(
        &rep,
        letter.id,
        out.version,
        &VersionInput {
            file_name: "brief-v2.pdf".into(),
            media_type: "application/pdf".into(),
            comment: Some("Adresse korrigiert".into()),
        },
        &mut &b"Sehr geehrte Frau Dr."[..],
    )?;
    assert_eq!(v2.versions.len(), 2);
    assert_eq!(v2.versions[0].number, 2);
    assert_eq!(crm.documents().document(&rep, letter.id)?, v2);
    assert!(v2.lock.is_none(), "checking in releases the lock");
    assert_eq!(bytes(&crm, letter.id, Some(1)), b"Sehr geehrte Frau");
    assert_eq!(bytes(&crm, letter.id, None), b"Sehr geehrte Frau Dr.");
    // The address's list: each document once, with all its versions, newest first.
    let listed = crm.documents().of_address(&rep, shop.id)?;
    let titles: Vec<&str> = listed.iter().map(|l| l.document.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Brief an Frau Brönnimann", "Offerte Ofen", "Rahmenvertrag"]
    );
    let numbers: Vec<u32> = listed[0]
        .document
        .versions
        .iter()
        .map(|v| v.number)
        .collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(
        listed[0].document.versions[0].comment.as_deref(),
        Some("Adresse korrigiert")
    );
    assert_eq!(listed[1].document.links.len(), 2);
    assert_eq!(listed[1].document.versions.len(), 1);
    // Without a check-out there is no new version.
    let unlocked = crm.documents().check_in_version(
        &rep,
        letter.id,
        v2.version,
        &VersionInput {
            file_name: "x.pdf".into(),
            media_type: "application/pdf".into(),
            comment: None,
        },
        &mut &b"x"[..],
    );
    assert!(matches!(unlocked, Err(Error::Forbidden(_))));
    // An administrator breaks a lock.
    let locked = crm.documents().check_out(&other, letter.id, v2.version)?;
    let broken = crm
        .documents()
        .release(&actor(ADMIN), letter.id, locked.version)?;
    assert!(broken.lock.is_none());
    // A document of two versions hanging at the address twice: once in the list, whole.
    let out = crm.documents().check_out(&rep, offer.id, offer.version)?;
    let offer = crm.documents().check_in_version(
        &rep,
        offer.id,
        out.version,
        &VersionInput {
            file_name: "offerte-v2.pdf".into(),
            media_type: "application/pdf".into(),
            comment: None,
        },
        &mut &b"%PDF-1.4 Offerte v2"[..],
    )?;
    let listed = crm.documents().of_address(&rep, shop.id)?;
    assert_eq!(listed.len(), 3);
    let again = listed
        .iter()
        .find(|l| l.document.id == offer.id)
        .expect("the offer is listed");
    assert_eq!(again.document, offer);
    assert_eq!(again.via.len(), 2);
    assert_eq!(
        crm.documents().search(&rep, "Offerte Ofen", 10)?,
        [offer],
        "a hit comes whole too"
    );

    let traces = crm
        .traces()
        .of_address(&manager, shop.id, &TraceFilter::default())?;
    let kinds: Vec<&str> = traces.items.iter().map(|t| t.kind.as_str()).collect();
    assert!(kinds.contains(&"document_checked_in"), "{kinds:?}");
    assert!(kinds.contains(&"document_versioned"), "{kinds:?}");
    Ok(())
}

fn retention_hold_verify_and_gc(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let admin = actor(ADMIN);
    let manager = actor(MANAGER);
    let shop = crm
        .addresses()
        .create_customer(&manager, &address("Elektro Huber AG", "8001", "Zürich"))?;
    let doc = crm.documents().check_in(
        &manager,
        &input(
            "Offerte 17",
            Category::Offer,
            vec![ArchiveLink::record(shop.id)],
        ),
        &mut &b"offer bytes"[..],
    )?;
    let early = crm.documents().delete(&admin, doc.id, doc.version);
    assert!(
        matches!(&early, Err(Error::Forbidden(m)) if m.contains("must be kept until 2036-11-27")),
        "{early:?}"
    );
    let held = crm
        .documents()
        .set_legal_hold(&manager, doc.id, doc.version, true)?;
    crm.clock.advance(chrono::Duration::days(365 * 11));
    let blocked = crm.documents().delete(&admin, doc.id, held.version);
    assert!(matches!(&blocked, Err(Error::Forbidden(m)) if m.contains("legal hold")));
    let lifted = crm
        .documents()
        .set_legal_hold(&manager, doc.id, held.version, false)?;
    assert!(matches!(
        crm.documents().delete(&manager, doc.id, lifted.version),
        Err(Error::Forbidden(_))
    ));
    let deletion = crm.documents().delete(&admin, doc.id, lifted.version)?;
    assert_eq!(deletion.title, "Offerte 17");
    assert!(matches!(
        crm.documents().document(&admin, doc.id),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(crm.documents().deletions(&admin, 10)?, [deletion]);
    let traces = crm
        .traces()
        .of_address(&manager, shop.id, &TraceFilter::default())?;
    assert!(traces.items.iter().any(|t| t.kind == "document_deleted"));
    let blobs = crm::dmas::FsBlobStore::open(&crm.settings().archive_dir())?;
    assert_eq!(
        crm::ports::BlobStore::check(&blobs, &doc.versions[0].blob)?.0,
        BlobCheck::Missing,
        "the blob went with its only version"
    );

    // Altered and missing blobs are named by verify.
    let a = crm.documents().check_in(
        &manager,
        &input(
            "Plan A",
            Category::Drawing,
            vec![ArchiveLink::record(shop.id)],
        ),
        &mut &b"plan a"[..],
    )?;
    let b = crm.documents().check_in(
        &manager,
        &input(
            "Plan B",
            Category::Drawing,
            vec![ArchiveLink::record(shop.id)],
        ),
        &mut &b"plan b"[..],
    )?;
    assert!(crm.documents().verify(&admin)?.is_clean());
    std::fs::write(blobs.path_of(&a.versions[0].blob), b"plan a, changed")?;
    std::fs::remove_file(blobs.path_of(&b.versions[0].blob))?;
    let report = crm.documents().verify(&admin)?;
    let damaged: Vec<(&str, BlobCheck)> = report
        .damaged
        .iter()
        .map(|d| (d.title.as_str(), d.state))
        .collect();
    assert_eq!(
        damaged,
        [
            ("Plan A", BlobCheck::Altered),
            ("Plan B", BlobCheck::Missing)
        ]
    );
    assert!(matches!(
        crm.documents().verify(&manager),
        Err(Error::Forbidden(_))
    ));

    // A check-in that fails after its blob was written (a link to a record that does not
    // exist) leaves no document, and gc removes the blob.
    let failed = crm.documents().check_in(
        &manager,
        &input(
            "Verwaist",
            Category::Other,
            vec![ArchiveLink {
                kind: EntityKind::Contact,
                key: "999999".into(),
            }],
        ),
        &mut &b"orphan bytes"[..],
    );
    assert!(matches!(&failed, Err(Error::NotFound { id, .. }) if id.contains("links[0]")));
    let gc = crm.documents().gc(&admin, Duration::ZERO)?;
    assert_eq!(gc.removed.len(), 1, "{gc:?}");
    assert_eq!(crm.documents().of_address(&manager, shop.id)?.len(), 2);
    // An address that does not exist has no documents: it is not found, even for a
    // manager who sees every address.
    assert!(matches!(
        crm.documents()
            .of_address(&manager, crm::AddressId(999_999)),
        Err(Error::NotFound { .. })
    ));
    assert!(
        crm.documents()
            .gc(&admin, Duration::ZERO)?
            .removed
            .is_empty()
    );
    Ok(())
}

fn documents_follow_address_visibility(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let mine = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let doc = crm.documents().check_in(
        &actor(REP_A),
        &input(
            "Vertrag",
            Category::Contract,
            vec![ArchiveLink::record(mine.id)],
        ),
        &mut &b"contract"[..],
    )?;
    let other = actor(REP_B);
    assert!(matches!(
        crm.documents().document(&other, doc.id),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        crm.documents().of_address(&other, mine.id),
        Err(Error::NotFound { .. })
    ));
    assert!(
        crm.documents()
            .of_record(&other, &ArchiveLink::record(mine.id))?
            .is_empty()
    );
    // Checking a document in at an address he cannot see is refused, naming the link.
    let refused = crm.documents().check_in(
        &other,
        &input("Fremd", Category::Other, vec![ArchiveLink::record(mine.id)]),
        &mut &b"x"[..],
    );
    assert!(matches!(&refused, Err(Error::NotFound { id, .. }) if id.contains("links[0]")));
    // Bad input names its fields and stores nothing.
    let mut bad = input(" ", Category::Other, vec![]);
    bad.media_type = "pdf".into();
    let Err(Error::Invalid(e)) = crm
        .documents()
        .check_in(&actor(REP_A), &bad, &mut &b"x"[..])
    else {
        panic!("bad input accepted");
    };
    for field in ["title", "links", "media_type"] {
        assert!(e.has(field), "{field}: {e}");
    }
    assert_eq!(crm.documents().of_address(&actor(REP_A), mine.id)?.len(), 1);
    Ok(())
}

fn full_text_finds_pdf_words_within_visibility(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let mine = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let theirs = assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?;
    let lines = vec![
        "Sehr geehrter Herr Müller".to_owned(),
        "Wir offerieren 200 Durchgangs-Reihenklemmen DEK 5/5.".to_owned(),
    ];
    let pdf = crm::dmas::pdf::text_pdf("Offerte Reihenklemmen", &lines)?;
    let offer = crm.documents().check_in(
        &actor(REP_A),
        &input(
            "Offerte 4711",
            Category::Offer,
            vec![ArchiveLink::record(mine.id)],
        ),
        &mut &pdf[..],
    )?;
    assert_eq!(offer.versions[0].text_warning, None);
    // A broken PDF is archived without text, with the reason, and found by its title.
    let broken = crm.documents().check_in(
        &actor(REP_B),
        &input(
            "Offerte defekt",
            Category::Offer,
            vec![ArchiveLink::record(theirs.id)],
        ),
        &mut &pdf[..pdf.len() / 3],
    )?;
    assert!(
        broken.versions[0]
            .text_warning
            .as_deref()
            .is_some_and(|w| w.starts_with("archived without text")),
        "{:?}",
        broken.versions[0]
    );
    assert_eq!(
        crm.documents().document(&actor(REP_B), broken.id)?,
        broken,
        "the warning is stored with the version"
    );
    let titles = |who: i64, q: &str| -> Vec<String> {
        crm.documents()
            .search(&actor(who), q, 10)
            .unwrap()
            .into_iter()
            .map(|d| d.title)
            .collect()
    };
    assert_eq!(titles(REP_A, "mueller"), ["Offerte 4711"], "text, folded");
    assert_eq!(titles(REP_A, "reihenklemen"), ["Offerte 4711"], "a typo");
    assert_eq!(titles(MANAGER, "offerte").len(), 2);
    assert_eq!(
        titles(REP_A, "offerte"),
        ["Offerte 4711"],
        "only what he may see"
    );
    assert_eq!(titles(REP_B, "offerte"), ["Offerte defekt"]);
    assert!(titles(REP_B, "mueller").is_empty());
    for odd in ["", "\"((", "🙂", &"x".repeat(10_000)] {
        assert!(crm.documents().search(&actor(REP_A), odd, 10).is_ok());
    }
    assert_eq!(crm.documents().rebuild_index(&actor(ADMIN))?, 2);
    assert_eq!(
        titles(REP_A, "mueller"),
        ["Offerte 4711"],
        "the rebuild reads the blobs"
    );
    assert_eq!(crm.documents().index_counts()?, (2, 2));
    Ok(())
}

/// Files beyond what a check-in reads into memory stream into the blob store, and their
/// text is read back from the blob.
fn a_large_file_streams_in_with_its_text(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let address = crm.addresses().create_customer(
        &actor(MANAGER),
        &address("Elektro Huber AG", "8001", "Zürich"),
    )?;
    let mut text = String::from("Zauberwort Schaltschrankbau\n");
    while text.len() <= 17 * 1024 * 1024 {
        text.push_str("Lieferung von Reihenklemmen und Zubehör, Position 4711.\n");
    }
    let mut large = input(
        "Lieferprotokoll",
        Category::Correspondence,
        vec![ArchiveLink::record(address.id)],
    );
    large.file_name = "protokoll.txt".into();
    large.media_type = "text/plain".into();
    let doc = crm
        .documents()
        .check_in(&actor(MANAGER), &large, &mut text.as_bytes())?;
    assert_eq!(doc.versions[0].size, text.len() as u64);
    assert_eq!(doc.versions[0].text_warning, None);
    assert!(
        bytes(&crm, doc.id, None) == text.as_bytes(),
        "stored as sent"
    );
    let found = crm.documents().search(&actor(MANAGER), "zauberwort", 10)?;
    assert_eq!(found.iter().map(|d| d.id).collect::<Vec<_>>(), [doc.id]);
    Ok(())
}

/// A row the archive cannot read — someone with database access wrote a category it does
/// not know — fails the listing with an error naming the document and the column, though
/// rows after it are still on their way; the store goes on answering, and the listing is
/// whole again once the row is repaired.
fn an_unreadable_row_fails_the_listing_and_the_store_goes_on(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let manager = actor(MANAGER);
    let shop = crm
        .addresses()
        .create_customer(&manager, &address("Schreinerei Keller", "6003", "Luzern"))?;
    let mut ids = Vec::new();
    for title in ["Offerte Küche", "Offerte Bad", "Offerte Treppe"] {
        let doc = crm.documents().check_in(
            &manager,
            &input(title, Category::Offer, vec![ArchiveLink::record(shop.id)]),
            &mut title.as_bytes(),
        )?;
        ids.push(doc.id);
    }
    let broken = ids[1];
    let set_category = |category: &str| {
        execute(
            crm.store(),
            &format!(
                "UPDATE documents SET category = '{category}' WHERE id = {}",
                broken.0
            ),
        )
    };
    set_category("brochure")?;
    for _ in 0..3 {
        match crm.documents().of_address(&manager, shop.id) {
            Err(Error::Storage(m)) => assert!(
                m.contains(&format!("documents {}", broken.0)) && m.contains("category"),
                "{m}"
            ),
            other => panic!("expected a storage error, got {other:?}"),
        }
        let first = crm.documents().document(&manager, ids[0])?;
        assert_eq!(first.title, "Offerte Küche");
    }
    set_category("offer")?;
    let listed = crm.documents().of_address(&manager, shop.id)?;
    let mut listed: Vec<_> = listed.iter().map(|l| l.document.id).collect();
    listed.sort();
    assert_eq!(listed, ids);
    Ok(())
}

on_both_backends!(
    a_large_file_streams_in_with_its_text,
    full_text_finds_pdf_words_within_visibility,
    documents_hang_at_their_data_with_versions,
    retention_hold_verify_and_gc,
    documents_follow_address_visibility,
    an_unreadable_row_fails_the_listing_and_the_store_goes_on
);
