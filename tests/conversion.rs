//! Lead conversion with its duplicate check, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::{
    AddressCriteria, AddressKind, AddressNumber, ConvertOptions, Error, MatchReason, PageRequest,
    StatusFilter, Version,
};

on_both_backends!(
    preview_lists_candidates_with_reasons_and_changes_nothing,
    strong_duplicates_block_unless_overridden,
    a_clean_lead_converts_atomically_with_stamps,
    conversion_refuses_customers_incomplete_leads_and_stale_versions,
);

fn preview_lists_candidates_with_reasons_and_changes_nothing(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let mut existing = address("Bäckerei Müller AG", "8001", "Zürich");
    existing.phone = Some("044 123 45 67".into());
    existing.email = Some("info@mueller-beck.ch".into());
    let customer = crm.addresses().create_customer(&rep, &existing)?;
    let mut same_domain = address("Konditorei Süss", "8004", "Zürich");
    same_domain.email = Some("verkauf@mueller-beck.ch".into());
    let weak = crm.addresses().create_customer(&rep, &same_domain)?;
    let mut free_mail = address("Garage Rapid", "3011", "Bern");
    free_mail.email = Some("rapid@bluewin.ch".into());
    crm.addresses().create_customer(&rep, &free_mail)?;

    let mut input = address("Baeckerei Mueller GmbH", "8001", "Zürich");
    input.phone = Some("+41 44 123 45 67".into());
    input.email = Some("anna@bluewin.ch".into());
    let lead = crm.addresses().capture_lead(&rep, &input)?;

    let preview = crm.addresses().preview_conversion(&rep, lead.id)?;
    assert_eq!(preview.new_number, AddressNumber(100_003));
    let changed: Vec<(&str, &str, &str)> = preview
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.from.as_str(), c.to.as_str()))
        .collect();
    assert_eq!(
        changed,
        vec![
            ("kind", "lead", "customer"),
            ("number", "800000", "100003"),
            ("lead_number", "", "800000")
        ]
    );
    assert!(preview.missing.is_empty());
    assert!(preview.blocked);
    assert_eq!(preview.candidates.len(), 1, "{:?}", preview.candidates);
    let first = &preview.candidates[0];
    assert_eq!(first.id, customer.id);
    assert!(first.strong && first.visible);
    assert_eq!(first.name.as_deref(), Some("Bäckerei Müller AG"));
    assert!(
        first
            .reasons
            .iter()
            .any(|r| matches!(r, MatchReason::SimilarName { similarity } if *similarity > 0.9))
    );
    assert!(first.reasons.contains(&MatchReason::SamePhone {
        phone: "+41441234567".into()
    }));
    assert!(
        first
            .reasons
            .iter()
            .any(|r| matches!(r, MatchReason::SamePostalAddress { .. }))
    );
    assert!(
        preview.candidates.iter().all(|c| c.id != weak.id),
        "an unrelated name with another domain is no candidate"
    );

    let mut domain_lead = address("Zuckerbäcker Süss", "9000", "St. Gallen");
    domain_lead.email = Some("info@mueller-beck.ch".into());
    let domain_lead = crm.addresses().capture_lead(&rep, &domain_lead)?;
    let preview = crm.addresses().preview_conversion(&rep, domain_lead.id)?;
    assert!(!preview.blocked, "one weak reason does not block");
    assert_eq!(preview.candidates.len(), 2);
    assert!(preview.candidates.iter().all(|c| c.reasons
        == vec![MatchReason::SameEmailDomain {
            domain: "mueller-beck.ch".into()
        }]));

    let after = crm.addresses().get(&rep, lead.id)?;
    assert_eq!(after, lead, "a dry run changes nothing");
    Ok(())
}

fn strong_duplicates_block_unless_overridden(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    crm.addresses().create_customer(
        &rep,
        &address("Schreinerei Holzwurm AG", "8400", "Winterthur"),
    )?;
    let lead = crm.addresses().capture_lead(
        &rep,
        &address("Schreinerei Holzwurm GmbH", "8400", "Winterthur"),
    )?;
    let refused =
        crm.addresses()
            .convert_to_customer(&rep, lead.id, lead.version, ConvertOptions::default());
    let Err(Error::Duplicate { candidates, what }) = refused else {
        panic!("expected Duplicate, got {refused:?}")
    };
    assert_eq!(candidates.len(), 1);
    assert!(what.contains(&lead.number.to_string()), "{what}");
    let unchanged = crm.addresses().get(&rep, lead.id)?;
    assert_eq!(unchanged.kind, AddressKind::Lead);
    assert_eq!(unchanged.version, Version(1));

    let done = crm.addresses().convert_to_customer(
        &rep,
        lead.id,
        lead.version,
        ConvertOptions {
            override_duplicates: true,
        },
    )?;
    assert_eq!(done.customer.kind, AddressKind::Customer);
    assert_eq!(
        done.candidates.len(),
        1,
        "the overridden candidate is reported"
    );
    // The refused attempt did not use up a number.
    assert_eq!(done.customer.number, AddressNumber(100_001));
    Ok(())
}

fn a_clean_lead_converts_atomically_with_stamps(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let lead = crm
        .addresses()
        .capture_lead(&rep, &address("Neukunde Alpenblick", "7000", "Chur"))?;
    let converted = crm.addresses().convert_to_customer(
        &rep,
        lead.id,
        lead.version,
        ConvertOptions::default(),
    )?;
    assert!(converted.candidates.is_empty());
    let customer = converted.customer;
    assert_eq!(customer.number, AddressNumber(100_000));
    assert_eq!(customer.lead_number, Some(lead.number));
    assert_eq!(converted.lead_number, lead.number);
    let stamp = customer.converted.expect("converted stamp");
    assert_eq!(stamp.by, rep.user_id);
    assert_eq!(customer.version, Version(2));
    assert_eq!(
        crm.addresses().get(&rep, lead.id)?,
        customer,
        "stored as returned"
    );
    // The old lead number still finds the customer.
    assert_eq!(crm.addresses().by_number(&rep, lead.number)?.id, lead.id);
    let customers = crm.addresses().search(
        &rep,
        &AddressCriteria {
            kind: Some(AddressKind::Customer),
            status: StatusFilter::Any,
            ..Default::default()
        },
        PageRequest::default(),
    )?;
    assert_eq!(customers.total, 1);
    // The lead number is never handed out again.
    let next = crm
        .addresses()
        .capture_lead(&rep, &address("Noch ein Lead", "7000", "Chur"))?;
    assert_eq!(next.number, AddressNumber(800_001));
    Ok(())
}

fn conversion_refuses_customers_incomplete_leads_and_stale_versions(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = crm
        .addresses()
        .create_customer(&rep, &address("Schon Kunde AG", "8001", "Zürich"))?;
    let again = crm.addresses().convert_to_customer(
        &rep,
        customer.id,
        customer.version,
        ConvertOptions::default(),
    );
    assert!(matches!(again, Err(Error::Invalid(ref e)) if e.field() == "kind"));

    let mut sparse = address("Nur Name", "8001", "Zürich");
    sparse.postal.street = None;
    let lead = crm.addresses().capture_lead(&rep, &sparse)?;
    let preview = crm.addresses().preview_conversion(&rep, lead.id)?;
    assert_eq!(preview.missing, vec!["street".to_owned()]);
    let incomplete =
        crm.addresses()
            .convert_to_customer(&rep, lead.id, lead.version, ConvertOptions::default());
    assert!(
        matches!(incomplete, Err(Error::Invalid(ref e)) if e.field() == "street"),
        "{incomplete:?}"
    );

    let edited = crm.addresses().update(
        &rep,
        lead.id,
        lead.version,
        &crm::AddressPatch {
            street: Some(Some("Dorfstrasse 3".into())),
            ..Default::default()
        },
    )?;
    let stale =
        crm.addresses()
            .convert_to_customer(&rep, lead.id, lead.version, ConvertOptions::default());
    assert!(matches!(stale, Err(Error::Conflict { .. })));
    let ok = crm.addresses().convert_to_customer(
        &rep,
        lead.id,
        edited.version,
        ConvertOptions::default(),
    )?;
    assert_eq!(ok.customer.kind, AddressKind::Customer);
    Ok(())
}
