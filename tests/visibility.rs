//! Who sees what: under the `assigned` policy a field rep cannot find, read, activate or edit
//! another rep's address; the inside rep and managers can. Under `open` all sales staff see all.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::{
    AddressCriteria, AddressPatch, ContactInput, ConvertOptions, Error, PageRequest, UserId,
};

on_both_backends!(
    assigned_policy_hides_other_reps_addresses_on_every_path,
    inside_reps_and_managers_see_what_field_reps_cannot,
    open_policy_shows_every_address_to_sales_staff,
);

fn not_found<T>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::NotFound { .. }))
}

fn forbidden<T>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::Forbidden(_)))
}

const ASSIGNED: &str = "visibility = \"assigned\"";

fn setup(crm: &TestCrm) -> Result<(crm::Address, crm::Address), Error> {
    let manager = actor(MANAGER);
    let mut a = address("Bäckerei Müller AG", "8001", "Zürich");
    a.field_rep = Some(UserId(REP_A));
    a.inside_rep = Some(UserId(INSIDE_A));
    a.phone = Some("044 111 22 33".into());
    let mine = crm.addresses().create_customer(&manager, &a)?;
    crm.contacts().add(
        &manager,
        mine.id,
        &ContactInput {
            last_name: "Müller".into(),
            ..Default::default()
        },
        true,
    )?;
    crm.notes()
        .add(&manager, mine.id, "Nur für das Team von Anna", None)?;
    let mut b = address("Metzgerei Brunner", "3011", "Bern");
    b.field_rep = Some(UserId(REP_B));
    let theirs = crm.addresses().create_customer(&manager, &b)?;
    Ok((mine, theirs))
}

fn assigned_policy_hides_other_reps_addresses_on_every_path(db: Db) -> TestResult {
    let Some(crm) = crm(db, ASSIGNED)? else {
        return Ok(());
    };
    let (mine, _theirs) = setup(&crm)?;
    let b = actor(REP_B);

    let search = |criteria: AddressCriteria| {
        crm.addresses()
            .search(&b, &criteria, PageRequest::default())
    };
    assert_eq!(
        search(AddressCriteria {
            name: Some("müller".into()),
            ..Default::default()
        })?
        .total,
        0
    );
    assert_eq!(
        search(AddressCriteria {
            number: Some(mine.number),
            ..Default::default()
        })?
        .total,
        0
    );
    let all = search(AddressCriteria::default())?;
    assert_eq!(all.total, 1, "B sees only his own address");
    assert_eq!(all.items[0].name, "Metzgerei Brunner");

    assert!(not_found(crm.addresses().get(&b, mine.id)));
    assert!(not_found(crm.addresses().by_number(&b, mine.number)));
    assert!(not_found(crm.addresses().open(&b, mine.id)));
    assert!(not_found(crm.addresses().activate(&b, mine.id)));
    assert!(not_found(crm.addresses().preview_conversion(&b, mine.id)));
    assert!(not_found(crm.contacts().list(&b, mine.id, true)));
    assert!(not_found(crm.notes().list(
        &b,
        mine.id,
        PageRequest::default()
    )));
    let contact = crm
        .contacts()
        .list(&actor(REP_A), mine.id, false)?
        .remove(0);
    assert!(not_found(crm.contacts().get(&b, contact.id)));

    let patch = AddressPatch {
        name1: Some("Übernommen".into()),
        ..Default::default()
    };
    assert!(forbidden(crm.addresses().update(
        &b,
        mine.id,
        mine.version,
        &patch
    )));
    assert!(forbidden(crm.contacts().add(
        &b,
        mine.id,
        &ContactInput {
            last_name: "X".into(),
            ..Default::default()
        },
        false
    )));
    assert!(forbidden(crm.contacts().set_primary(&b, contact.id)));
    assert!(forbidden(crm.notes().add(
        &b,
        mine.id,
        "eingeschmuggelt",
        None
    )));
    assert!(forbidden(crm.addresses().convert_to_customer(
        &b,
        mine.id,
        mine.version,
        ConvertOptions::default()
    )));
    assert_eq!(
        crm.addresses().get(&actor(REP_A), mine.id)?,
        mine,
        "nothing changed"
    );
    assert!(crm.addresses().recently_activated(&b)?.is_empty());
    assert!(matches!(
        crm.addresses().get(&b, crm::AddressId(987_654)),
        Err(Error::NotFound { .. })
    ));

    // A duplicate candidate B may not see is named by number only.
    let mut lead = address("Baeckerei Mueller", "8001", "Zürich");
    lead.phone = Some("044 111 22 33".into());
    let lead = crm.addresses().capture_lead(&b, &lead)?;
    let preview = crm.addresses().preview_conversion(&b, lead.id)?;
    let candidate = &preview.candidates[0];
    assert_eq!(candidate.number, mine.number);
    assert!(!candidate.visible && candidate.name.is_none() && candidate.city.is_none());
    assert!(preview.blocked);

    // Reassigning the address to B shows it to B and hides it from A's recent list.
    let a = actor(REP_A);
    crm.addresses().activate(&a, mine.id)?;
    assert_eq!(crm.addresses().recently_activated(&a)?.len(), 1);
    let moved = crm.addresses().update(
        &actor(MANAGER),
        mine.id,
        mine.version,
        &AddressPatch {
            field_rep: Some(Some(UserId(REP_B))),
            inside_rep: Some(None),
            ..Default::default()
        },
    )?;
    assert_eq!(crm.addresses().get(&b, mine.id)?, moved);
    assert!(crm.addresses().recently_activated(&a)?.is_empty());
    assert!(not_found(crm.addresses().get(&a, mine.id)));
    Ok(())
}

fn inside_reps_and_managers_see_what_field_reps_cannot(db: Db) -> TestResult {
    let Some(crm) = crm(db, ASSIGNED)? else {
        return Ok(());
    };
    let (mine, theirs) = setup(&crm)?;
    let inside = actor(INSIDE_A);
    assert_eq!(crm.addresses().get(&inside, mine.id)?.id, mine.id);
    let view = crm.addresses().activate(&inside, mine.id)?;
    assert_eq!((view.contacts.len(), view.notes.total), (1, 1));
    let edited = crm.addresses().update(
        &inside,
        mine.id,
        mine.version,
        &AddressPatch {
            industry: Some(Some("Bäckerei".into())),
            ..Default::default()
        },
    )?;
    assert_eq!(edited.version.0, 2);
    assert!(matches!(
        crm.addresses().get(&inside, theirs.id),
        Err(Error::NotFound { .. })
    ));

    let manager = actor(MANAGER);
    let all = crm.addresses().search(
        &manager,
        &AddressCriteria::default(),
        PageRequest::default(),
    )?;
    assert_eq!(all.total, 2);
    crm.addresses().update(
        &manager,
        theirs.id,
        theirs.version,
        &AddressPatch {
            classification: Some(Some("A".into())),
            ..Default::default()
        },
    )?;
    let admin = actor(ADMIN);
    assert_eq!(
        crm.addresses()
            .search(&admin, &AddressCriteria::default(), PageRequest::default())?
            .total,
        2
    );
    let guest = actor(NOBODY);
    assert_eq!(
        crm.addresses()
            .search(&guest, &AddressCriteria::default(), PageRequest::default())?
            .total,
        0
    );
    Ok(())
}

fn open_policy_shows_every_address_to_sales_staff(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"open\"")? else {
        return Ok(());
    };
    let (mine, _) = setup(&crm)?;
    let b = actor(REP_B);
    assert_eq!(
        crm.addresses()
            .search(&b, &AddressCriteria::default(), PageRequest::default())?
            .total,
        2
    );
    crm.addresses().update(
        &b,
        mine.id,
        mine.version,
        &AddressPatch {
            website: Some(Some("www.mueller.ch".into())),
            ..Default::default()
        },
    )?;
    let guest = actor(NOBODY);
    assert_eq!(
        crm.addresses()
            .search(&guest, &AddressCriteria::default(), PageRequest::default())?
            .total,
        0,
        "open is for sales staff"
    );
    Ok(())
}
