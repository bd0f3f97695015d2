//! Contacts (exactly one primary) and notes (who may edit and delete), on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::{ContactInput, EntityKind, EntityRef, Error, Language, PageRequest, Version};

on_both_backends!(
    exactly_one_active_contact_is_primary,
    contact_edits_validate_and_conflict,
    notes_record_editors_and_only_authors_or_managers_delete,
);

fn contact(last: &str) -> ContactInput {
    ContactInput {
        salutation: Some("Frau".into()),
        first_name: Some("Anna".into()),
        last_name: last.into(),
        mobile: Some("079 555 12 34".into()),
        ..Default::default()
    }
}

fn exactly_one_active_contact_is_primary(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let mut fr = address("Boulangerie Favre SA", "1003", "Lausanne");
    fr.language = None;
    let address = crm.addresses().capture_lead(&rep, &fr)?;
    let first = crm
        .contacts()
        .add(&rep, address.id, &contact("Aebi"), false)?;
    assert!(first.primary, "the first contact becomes primary");
    assert_eq!(
        first.data.language,
        Language::Fr,
        "contacts take the address's language"
    );
    let second = crm
        .contacts()
        .add(&rep, address.id, &contact("Berger"), false)?;
    assert!(!second.primary);
    let third = crm
        .contacts()
        .add(&rep, address.id, &contact("Christen"), true)?;
    assert!(third.primary);
    let primaries = |crm: &TestCrm| -> Result<Vec<String>, Error> {
        Ok(crm
            .contacts()
            .list(&rep, address.id, true)?
            .into_iter()
            .filter(|c| c.primary)
            .map(|c| c.data.last_name)
            .collect())
    };
    assert_eq!(primaries(&crm)?, vec!["Christen"]);

    crm.contacts().set_primary(&rep, second.id)?;
    assert_eq!(primaries(&crm)?, vec!["Berger"]);

    let second = crm.contacts().get(&rep, second.id)?;
    let gone = crm.contacts().deactivate(&rep, second.id, second.version)?;
    assert!(!gone.active && !gone.primary);
    assert_eq!(
        primaries(&crm)?,
        vec!["Aebi"],
        "the longest-serving active contact inherits"
    );
    assert_eq!(crm.contacts().list(&rep, address.id, false)?.len(), 2);
    assert!(
        matches!(crm.contacts().set_primary(&rep, gone.id), Err(Error::Invalid(ref e)) if e.field() == "active")
    );

    for c in crm.contacts().list(&rep, address.id, false)? {
        crm.contacts().deactivate(&rep, c.id, c.version)?;
    }
    assert!(primaries(&crm)?.is_empty(), "no active contact, no primary");
    let back = crm.contacts().reactivate(&rep, gone.id, gone.version)?;
    assert!(back.active && back.primary);
    assert_eq!(primaries(&crm)?, vec!["Berger"]);
    let view = crm.addresses().open(&rep, address.id)?;
    assert_eq!(view.contacts.len(), 1);
    Ok(())
}

fn contact_edits_validate_and_conflict(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let address = crm
        .addresses()
        .capture_lead(&rep, &address("Elektro Huber", "8001", "Zürich"))?;
    let c = crm
        .contacts()
        .add(&rep, address.id, &contact("Huber"), true)?;
    let mut changed = contact("Huber-Meier");
    changed.email = Some("anna.huber@elektro-huber.ch".into());
    let updated = crm.contacts().update(&rep, c.id, c.version, &changed)?;
    assert_eq!(updated.version, Version(2));
    assert!(updated.primary, "an edit keeps the primary flag");
    assert_eq!(crm.contacts().get(&rep, c.id)?, updated);
    assert!(matches!(
        crm.contacts().update(&rep, c.id, c.version, &changed),
        Err(Error::Conflict { .. })
    ));
    let mut bad = contact("");
    bad.mobile = Some("abc".into());
    let err = crm
        .contacts()
        .update(&rep, c.id, updated.version, &bad)
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(ref e) if e.has("last_name") && e.has("mobile")));
    assert!(matches!(
        crm.contacts().get(&rep, crm::ContactId(999_999)),
        Err(Error::NotFound {
            entity: EntityKind::Contact,
            ..
        })
    ));
    Ok(())
}

fn notes_record_editors_and_only_authors_or_managers_delete(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let inside = actor(INSIDE_A);
    let other = crm
        .addresses()
        .capture_lead(&rep, &address("Andere AG", "3011", "Bern"))?;
    let address = crm
        .addresses()
        .capture_lead(&rep, &address("Metzgerei Roth", "3011", "Bern"))?;
    let person = crm
        .contacts()
        .add(&rep, address.id, &contact("Roth"), true)?;

    let note = crm.notes().add(
        &rep,
        address.id,
        "  Besuch am Montag\nOfferte folgt  ",
        None,
    )?;
    assert_eq!(note.text, "Besuch am Montag\nOfferte folgt");
    assert_eq!(note.about, EntityRef::from(address.id));
    let about_person = crm.notes().add(
        &rep,
        address.id,
        "Hat Ferien bis 3.12.",
        Some(person.id.into()),
    )?;
    assert_eq!(about_person.about, EntityRef::from(person.id));
    let wrong = crm
        .notes()
        .add(&rep, other.id, "falsch", Some(person.id.into()));
    assert!(matches!(wrong, Err(Error::Invalid(ref e)) if e.field() == "about"));
    assert!(
        matches!(crm.notes().add(&rep, address.id, "   ", None), Err(Error::Invalid(ref e)) if e.field() == "text")
    );

    let edited = crm
        .notes()
        .edit(&inside, note.id, note.version, "Besuch verschoben")?;
    let stamp = edited.edited.expect("edit stamp");
    assert_eq!(stamp.by, inside.user_id);
    assert_eq!(edited.author, rep.user_id, "the author stays");
    assert!(matches!(
        crm.notes().edit(&rep, note.id, note.version, "alt"),
        Err(Error::Conflict { .. })
    ));

    let page = crm.notes().list(&rep, address.id, PageRequest::first(1))?;
    assert_eq!(page.total, 2);
    assert_eq!(page.items[0].id, about_person.id, "newest first");

    assert!(matches!(
        crm.notes().delete(&inside, edited.id, edited.version),
        Err(Error::Forbidden(_))
    ));
    crm.notes()
        .delete(&actor(MANAGER), about_person.id, about_person.version)?;
    crm.notes().delete(&rep, edited.id, edited.version)?;
    assert_eq!(
        crm.notes()
            .list(&rep, address.id, PageRequest::default())?
            .total,
        0
    );
    assert!(matches!(
        crm.notes().get(&rep, note.id),
        Err(Error::NotFound { .. })
    ));
    Ok(())
}
