//! Free-text address search through the address index on both backends: names with typos
//! and umlauts written either way, numbers, contact persons, places, e-mail addresses; the
//! index following every change at once; and visibility under the `assigned` policy.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::{AddressPatch, ContactInput, PageRequest};

fn names(crm: &TestCrm, who: i64, text: &str) -> Vec<String> {
    crm.addresses()
        .search_text(&actor(who), text, PageRequest::default())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .items
        .into_iter()
        .map(|a| a.name)
        .collect()
}

fn first(crm: &TestCrm, who: i64, text: &str) -> String {
    names(crm, who, text)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("`{text}` finds nothing"))
}

fn free_text_finds_names_numbers_contacts_places_and_emails(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let manager = actor(MANAGER);
    let mut input = address("Bäckerei Müller AG", "3011", "Bern");
    input.email = Some("info@baeckerei-mueller.ch".into());
    let baker = crm.addresses().create_customer(&manager, &input)?;
    crm.addresses()
        .create_customer(&manager, &address("Elektro Huber GmbH", "8001", "Zürich"))?;
    crm.addresses()
        .create_customer(&manager, &address("Schreinerei Keller", "6003", "Luzern"))?;
    crm.contacts().add(
        &manager,
        baker.id,
        &ContactInput {
            first_name: Some("Regula".into()),
            last_name: "Brönnimann".into(),
            email: Some("r.broennimann@baeckerei-mueller.ch".into()),
            ..Default::default()
        },
        true,
    )?;
    let who = MANAGER;
    for typed in [
        "Müller",
        "mueller",
        "muller",
        "backerei muller",
        "bäckerai",
        "Bern",
        "regula",
        "bronnimann",
        "broennimann",
        "r.broennimann@baeckerei-mueller.ch",
        "info@baeckerei-mueller.ch",
        "bäck",
    ] {
        assert_eq!(first(&crm, who, typed), "Bäckerei Müller AG", "{typed}");
    }
    assert_eq!(
        first(&crm, who, &baker.number.to_string()),
        "Bäckerei Müller AG",
        "the number"
    );
    assert_eq!(first(&crm, who, "huber zürich"), "Elektro Huber GmbH");
    assert_eq!(first(&crm, who, "schreinerei luzern"), "Schreinerei Keller");
    assert!(
        names(&crm, who, "keller bern").is_empty(),
        "every word must match"
    );
    for odd in ["", "!!!", "\"((", "🙂", &"a".repeat(10_000)] {
        names(&crm, who, odd);
    }

    // A change is searchable when the call returns.
    let renamed = crm.addresses().update(
        &manager,
        baker.id,
        baker.version,
        &AddressPatch {
            name1: Some("Confiserie Sprüngli".into()),
            ..Default::default()
        },
    )?;
    assert_eq!(first(&crm, who, "spruengli"), "Confiserie Sprüngli");
    assert_eq!(
        names(&crm, who, "backerei"),
        ["Confiserie Sprüngli"],
        "still found by its e-mail addresses, shown with the new name"
    );
    let (database, index) = crm.addresses().index_counts()?;
    assert_eq!((database, index), (3, 3));
    assert_eq!(crm.addresses().rebuild_index(&actor(ADMIN))?, 3);
    assert_eq!(first(&crm, who, "regula"), renamed.data.display_name());
    Ok(())
}

fn free_text_respects_visibility(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let mine = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?;
    assert_eq!(names(&crm, REP_A, "elektro"), ["Elektro Huber AG"]);
    assert_eq!(names(&crm, REP_B, "elektro"), ["Elektro Brunner GmbH"]);
    assert_eq!(names(&crm, MANAGER, "elektro").len(), 2);
    let page = crm
        .addresses()
        .search_text(&actor(REP_B), "elektro", PageRequest::default())?;
    assert_eq!(page.total, 1, "the total counts only what he may see");
    // A selling team member sees the address of his opportunity.
    let mut input = deal(mine.id, "Beleuchtung", "offer", "5000", "2026-12-20");
    input.team = Some(vec![
        member(REP_A, "lead", "edit"),
        member(REP_B, "technical_specialist", "read"),
    ]);
    crm.opportunities().create(&actor(REP_A), &input)?;
    assert_eq!(names(&crm, REP_B, "huber"), ["Elektro Huber AG"]);
    Ok(())
}

on_both_backends!(
    free_text_finds_names_numbers_contacts_places_and_emails,
    free_text_respects_visibility
);
