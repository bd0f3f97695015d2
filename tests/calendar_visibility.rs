//! Whose calendar shows what: other reps see only what they take part in, reassigning an
//! address moves its entries into the new rep's calendar, and long-running entries show up
//! in every month they touch.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::{AddressPatch, Error, PageRequest, UserId};

on_both_backends!(
    other_reps_see_only_what_they_take_part_in,
    reassigning_an_address_moves_its_entries_to_the_new_rep,
    long_running_entries_show_in_their_last_weeks,
);

fn other_reps_see_only_what_they_take_part_in(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let a = actor(REP_A);
    let b = actor(REP_B);
    let mine = assigned_address(&crm, REP_A, "Anna's Kunde")?;
    let private = crm.calendar().create(
        &a,
        &entry(mine.id, "activity", "Intern", "2026-12-02T09:00"),
    )?;
    let mut joint = entry(
        mine.id,
        "activity",
        "Gemeinsamer Besuch",
        "2026-12-03T09:00",
    );
    joint.participants = vec![UserId(REP_B)];
    let joint = crm.calendar().create(&a, &joint)?;

    assert!(matches!(
        crm.calendar()
            .address_calendar(&b, mine.id, december(), &[], PageRequest::default()),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        crm.calendar()
            .create(&b, &entry(mine.id, "activity", "Fremd", "2026-12-04T09:00")),
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        crm.calendar().get(&b, private.id),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        crm.calendar().get(&b, joint.id)?.id,
        joint.id,
        "a participant sees the entry"
    );
    let own = crm
        .calendar()
        .user_calendar(&b, b.user_id, december(), PageRequest::default())?;
    assert_eq!(
        own.items.iter().map(|o| o.entry_id).collect::<Vec<_>>(),
        vec![joint.id]
    );
    let annas = crm
        .calendar()
        .user_calendar(&b, a.user_id, december(), PageRequest::default())?;
    assert_eq!(
        annas.total, 0,
        "another rep's calendar shows only addresses the viewer may see"
    );
    let as_manager = crm.calendar().user_calendar(
        &actor(MANAGER),
        a.user_id,
        december(),
        PageRequest::default(),
    )?;
    assert_eq!(as_manager.total, 2);
    Ok(())
}

fn reassigning_an_address_moves_its_entries_to_the_new_rep(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&crm, REP_A, "Wechselkunde")?;
    crm.calendar().create(
        &actor(REP_A),
        &entry(customer.id, "activity", "Besuch", "2026-12-09T09:00"),
    )?;
    let count = |user: i64| -> Result<u64, Error> {
        Ok(crm
            .calendar()
            .user_calendar(
                &actor(user),
                UserId(user),
                december(),
                PageRequest::default(),
            )?
            .total)
    };
    assert_eq!((count(REP_A)?, count(REP_B)?), (1, 0));
    crm.addresses().update(
        &actor(MANAGER),
        customer.id,
        customer.version,
        &AddressPatch {
            field_rep: Some(Some(UserId(REP_B))),
            ..Default::default()
        },
    )?;
    assert_eq!((count(REP_A)?, count(REP_B)?), (0, 1));
    // A renamed address shows under its new name in the calendars.
    let current = crm.addresses().get(&actor(MANAGER), customer.id)?;
    crm.addresses().update(
        &actor(MANAGER),
        customer.id,
        current.version,
        &AddressPatch {
            name1: Some("Neuer Name AG".into()),
            ..Default::default()
        },
    )?;
    let page = crm.calendar().user_calendar(
        &actor(REP_B),
        UserId(REP_B),
        december(),
        PageRequest::default(),
    )?;
    assert_eq!(page.items[0].address.name, "Neuer Name AG");
    Ok(())
}

fn long_running_entries_show_in_their_last_weeks(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Langläufer AG")?;
    let mut series = entry(
        customer.id,
        "activity",
        "Montagsrapport",
        "2026-09-07T09:00",
    );
    series.recurrence = Some("FREQ=WEEKLY;COUNT=16".into());
    crm.calendar().create(&rep, &series)?;
    let mut fair = entry(customer.id, "activity", "Ausstellung", "2026-10-26");
    fair.end = Some("2026-12-09".into());
    crm.calendar().create(&rep, &fair)?;
    let page =
        crm.calendar()
            .user_calendar(&rep, rep.user_id, december(), PageRequest::default())?;
    let titles: Vec<&str> = page.items.iter().map(|o| o.title.as_str()).collect();
    // The series' last Mondays fall on 7, 14 and 21 December; the exhibition ends on the 9th.
    assert_eq!(
        titles,
        vec![
            "Ausstellung",
            "Montagsrapport",
            "Montagsrapport",
            "Montagsrapport"
        ]
    );
    Ok(())
}
