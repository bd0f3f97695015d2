//! Addresses end to end on both backends: capture, validation, edit with optimistic
//! concurrency, search by criteria, activation, import.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::{
    AddressCriteria, AddressInput, AddressKind, AddressNumber, AddressPatch, Error, ImportRow,
    MoneyInput, PageRequest, StatusFilter, UserId, Version,
};
use rust_decimal::Decimal;
use std::str::FromStr;

on_both_backends!(
    captured_leads_get_lead_numbers_and_keep_every_value,
    bad_input_names_every_field_and_writes_nothing,
    edits_apply_and_stale_versions_conflict,
    activation_keeps_the_last_twenty_newest_first,
    import_is_all_or_nothing_and_numbers_skip_taken_ones,
    a_large_import_keeps_every_row_in_order,
);

fn captured_leads_get_lead_numbers_and_keep_every_value(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let mut input = address("Bäckerei Müller", "8001", "Zürich");
    input.legal_form = Some("AG".into());
    input.phone = Some("044 123 45 67".into());
    input.email = Some("Info@Mueller-Baeckerei.CH".into());
    input.website = Some("www.mueller-baeckerei.ch".into());
    input.industry = Some("Bäckerei".into());
    input.classification = Some("b".into());
    input.annual_potential = Some(MoneyInput {
        amount: "1'234'567.8912".into(),
        currency: Some("EUR".into()),
    });
    input.latitude = Some(47.3717);
    input.longitude = Some(8.5423);
    let lead = crm.addresses().capture_lead(&rep, &input)?;
    assert_eq!(lead.kind, AddressKind::Lead);
    assert_eq!(lead.number, AddressNumber(800_000));
    assert_eq!(
        lead.data.field_rep,
        Some(UserId(REP_A)),
        "the capturing field rep is responsible"
    );
    assert_eq!(lead.version, Version(1));

    let stored = crm.addresses().get(&rep, lead.id)?;
    assert_eq!(
        stored, lead,
        "everything round-trips, times to the microsecond"
    );
    let potential = stored.data.annual_potential.expect("potential kept");
    assert_eq!(potential.amount, Decimal::from_str("1234567.8912")?);
    assert_eq!(potential.currency.code(), "EUR");
    assert_eq!(
        stored.data.email.as_ref().map(|e| e.as_str()),
        Some("Info@mueller-baeckerei.ch")
    );
    assert_eq!(
        stored.data.phone.as_ref().map(|p| p.as_str()),
        Some("+41441234567")
    );

    let second = crm
        .addresses()
        .capture_lead(&rep, &address("Zweite AG", "3011", "Bern"))?;
    assert_eq!(second.number, AddressNumber(800_001));
    let customer = crm
        .addresses()
        .create_customer(&rep, &address("Kunde AG", "3011", "Bern"))?;
    assert_eq!(customer.number, AddressNumber(100_000));
    assert_eq!(
        crm.addresses().by_number(&rep, AddressNumber(800_001))?.id,
        second.id
    );
    Ok(())
}

fn bad_input_names_every_field_and_writes_nothing(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let mut input = address("", "80011", "Zürich");
    input.email = Some("no-at-sign".into());
    input.field_rep = Some(UserId(4242));
    let err = crm.addresses().capture_lead(&rep, &input).unwrap_err();
    let Error::Invalid(invalid) = err else {
        panic!("expected Invalid, got {err:?}")
    };
    for field in ["name1", "postal_code", "email"] {
        assert!(invalid.has(field), "{field} not named: {invalid}");
    }

    let mut unknown_rep = address("Gültig AG", "8001", "Zürich");
    unknown_rep.field_rep = Some(UserId(4242));
    let Err(Error::Invalid(invalid)) = crm.addresses().capture_lead(&rep, &unknown_rep) else {
        panic!("an unknown rep must be rejected")
    };
    assert_eq!(invalid.field(), "field_rep");
    assert!(invalid.to_string().contains("4242"));

    let customer_without_street = AddressInput {
        name1: "Ohne Strasse AG".into(),
        ..Default::default()
    };
    let Err(Error::Invalid(invalid)) = crm
        .addresses()
        .create_customer(&rep, &customer_without_street)
    else {
        panic!("a customer needs a postal address")
    };
    assert!(invalid.has("street") && invalid.has("postal_code") && invalid.has("city"));

    let guest = actor(NOBODY);
    assert!(matches!(
        crm.addresses()
            .capture_lead(&guest, &address("X AG", "8001", "Zürich")),
        Err(Error::Forbidden(_))
    ));

    let all = crm.addresses().search(
        &actor(MANAGER),
        &AddressCriteria::everything(),
        PageRequest::default(),
    )?;
    assert_eq!(all.total, 0, "nothing was written");
    // The failed captures did not use up numbers either.
    let ok = crm
        .addresses()
        .capture_lead(&rep, &address("Erste AG", "8001", "Zürich"))?;
    assert_eq!(ok.number, AddressNumber(800_000));
    Ok(())
}

fn edits_apply_and_stale_versions_conflict(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let lead = crm
        .addresses()
        .capture_lead(&rep, &address("Garage Rapid", "8400", "Winterthur"))?;
    let patch = AddressPatch {
        city: Some(Some("Zürich".into())),
        postal_code: Some(Some("8004".into())),
        phone: Some(Some("052 222 33 44".into())),
        ..Default::default()
    };
    let edited = crm
        .addresses()
        .update(&rep, lead.id, lead.version, &patch)?;
    assert_eq!(edited.version, Version(2));
    assert_eq!(edited.data.postal.city.as_deref(), Some("Zürich"));
    assert!(edited.updated.at > lead.updated.at);
    assert_eq!(crm.addresses().get(&rep, lead.id)?, edited);

    // The search follows the edit: the old city no longer finds it, the new one does.
    let in_city = |city: &str| -> Result<u64, Error> {
        Ok(crm
            .addresses()
            .search(
                &rep,
                &AddressCriteria {
                    name: Some("rapid".into()),
                    city: Some(city.into()),
                    ..Default::default()
                },
                PageRequest::default(),
            )?
            .total)
    };
    assert_eq!(in_city("Winterthur")?, 0);
    assert_eq!(in_city("zurich")?, 1);

    let stale = crm.addresses().update(
        &rep,
        lead.id,
        lead.version,
        &AddressPatch {
            name1: Some("Garage Rapid Neu".into()),
            ..Default::default()
        },
    );
    assert!(
        matches!(stale, Err(Error::Conflict { expected: 1, .. })),
        "{stale:?}"
    );
    assert_eq!(
        crm.addresses().get(&rep, lead.id)?.data.name1,
        "Garage Rapid"
    );

    let invalid = crm.addresses().update(
        &rep,
        lead.id,
        edited.version,
        &AddressPatch {
            email: Some(Some("kaputt@".into())),
            ..Default::default()
        },
    );
    assert!(matches!(invalid, Err(Error::Invalid(ref e)) if e.field() == "email"));
    assert_eq!(crm.addresses().get(&rep, lead.id)?.version, Version(2));
    Ok(())
}

fn activation_keeps_the_last_twenty_newest_first(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let mut created = Vec::new();
    for i in 0..23 {
        created.push(
            crm.addresses()
                .capture_lead(&rep, &address(&format!("Kunde {i}"), "8001", "Zürich"))?,
        );
    }
    crm.notes()
        .add(&rep, created[0].id, "Erster Besuch", None)?;
    for a in &created {
        crm.addresses().activate(&rep, a.id)?;
    }
    let view = crm.addresses().activate(&rep, created[5].id)?;
    assert_eq!(view.address.id, created[5].id);
    let recent = crm.addresses().recently_activated(&rep)?;
    assert_eq!(recent.len(), 20);
    assert_eq!(
        recent[0].address.id, created[5].id,
        "re-activation moves to the top"
    );
    assert_eq!(recent[1].address.id, created[22].id);
    assert!(
        recent.iter().all(|r| r.address.id != created[0].id),
        "the oldest fell off"
    );
    assert!(
        recent
            .windows(2)
            .all(|w| w[0].activated_at > w[1].activated_at)
    );
    assert!(
        crm.addresses()
            .recently_activated(&actor(REP_B))?
            .is_empty(),
        "lists are per user"
    );
    let opened = crm.addresses().open(&rep, created[0].id)?;
    assert_eq!(opened.notes.total, 1);
    Ok(())
}

fn import_is_all_or_nothing_and_numbers_skip_taken_ones(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let admin = actor(ADMIN);
    let row = |name: &str, number: Option<i64>, kind: AddressKind| ImportRow {
        number: number.map(AddressNumber),
        kind,
        address: address(name, "8001", "Zürich"),
        contacts: vec![crm::ContactInput {
            last_name: "Meier".into(),
            ..Default::default()
        }],
        notes: vec!["Importiert".into()],
    };
    // Numbers 100000 and 100002 come from the ERP and lie in the customer range.
    let report = crm.addresses().import(
        &admin,
        &[
            row("ERP Eins", Some(100_000), AddressKind::Customer),
            row("ERP Zwei", Some(100_002), AddressKind::Customer),
        ],
    )?;
    assert_eq!((report.ids.len(), report.contacts, report.notes), (2, 2, 2));
    let allocated = crm.addresses().import(
        &admin,
        &[
            row("Neu A", None, AddressKind::Customer),
            row("Neu B", None, AddressKind::Customer),
        ],
    )?;
    let numbers: Vec<_> = allocated
        .ids
        .iter()
        .map(|id| crm.addresses().get(&admin, *id).map(|a| a.number.0))
        .collect::<Result<_, _>>()?;
    assert_eq!(
        numbers,
        vec![100_001, 100_003],
        "allocation skips imported numbers"
    );

    let mut bad = row("", None, AddressKind::Lead);
    bad.contacts[0].email = Some("x@".into());
    let err = crm
        .addresses()
        .import(&admin, &[row("Gut", None, AddressKind::Lead), bad])
        .unwrap_err();
    let Error::Invalid(invalid) = err else {
        panic!("expected Invalid")
    };
    assert!(
        invalid.has("rows[1].name1") && invalid.has("rows[1].contacts[0].email"),
        "{invalid}"
    );

    let clash = crm.addresses().import(
        &admin,
        &[
            row("Gut", None, AddressKind::Lead),
            row("Doppelt", Some(100_002), AddressKind::Customer),
        ],
    );
    assert!(
        matches!(clash, Err(Error::Duplicate { ref what, .. }) if what.contains("100002")),
        "{clash:?}"
    );
    let twice = crm.addresses().import(
        &admin,
        &[
            row("A", Some(5), AddressKind::Customer),
            row("B", Some(5), AddressKind::Customer),
        ],
    );
    assert!(matches!(twice, Err(Error::Invalid(ref e)) if e.has("rows[1].number")));

    let mut unknown_rep = row("Fremd", None, AddressKind::Lead);
    unknown_rep.address.inside_rep = Some(UserId(4242));
    let err = crm
        .addresses()
        .import(&admin, &[row("Gut", None, AddressKind::Lead), unknown_rep])
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e.field() == "rows[1].inside_rep" && e.to_string().contains("4242")),
        "{err:?}"
    );

    let total = crm
        .addresses()
        .search(
            &admin,
            &AddressCriteria::everything(),
            PageRequest::default(),
        )?
        .total;
    assert_eq!(total, 4, "rejected imports wrote nothing");
    assert!(matches!(
        crm.addresses()
            .import(&actor(REP_A), &[row("X", None, AddressKind::Lead)]),
        Err(Error::Forbidden(_))
    ));
    Ok(())
}

fn a_large_import_keeps_every_row_in_order(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    crm.users().sync(&crm::demo::staff(4, 3))?;
    let rows = crm::demo::Generator::new(11, 4, 3).batch(333);
    let report = crm.addresses().import(&actor(ADMIN), &rows)?;
    assert_eq!(report.ids.len(), rows.len());
    let expected_contacts: usize = rows.iter().map(|r| r.contacts.len()).sum();
    let expected_notes: usize = rows.iter().map(|r| r.notes.len()).sum();
    assert_eq!(report.contacts as usize, expected_contacts);
    assert_eq!(report.notes as usize, expected_notes);
    let admin = actor(ADMIN);
    for (row, id) in rows.iter().zip(&report.ids).step_by(7) {
        let view = crm.addresses().open(&admin, *id)?;
        assert_eq!(view.address.data.name1, row.address.name1);
        assert_eq!(view.address.kind, row.kind);
        assert_eq!(view.contacts.len(), row.contacts.len());
        assert_eq!(view.notes.total as usize, row.notes.len());
        if let Some(first) = row.contacts.first() {
            let primary = view
                .contacts
                .iter()
                .find(|c| c.primary)
                .expect("a primary contact");
            assert_eq!(primary.data.last_name, first.last_name);
        }
    }
    let words = crm.addresses().search(
        &admin,
        &AddressCriteria {
            name: Some(rows[200].address.name1.clone()),
            status: StatusFilter::Any,
            ..Default::default()
        },
        PageRequest::first(500),
    )?;
    assert!(
        words.items.iter().any(|s| s.id == report.ids[200]),
        "imported names are searchable"
    );
    Ok(())
}
