//! The iCalendar export, read back with an independent parser (the `ical` crate, not the
//! `icalendar` crate that writes it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::io::BufReader;

use common::*;
use crm::UserId;
use crm::calendar::{EntryInput, TimeRange};

on_both_backends!(
    an_exported_calendar_parses_with_stable_uids_rules_and_zones,
    every_demo_users_calendar_parses,
);

fn parse(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut calendars = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = calendars.next().expect("one calendar").expect("it parses");
    assert!(calendars.next().is_none());
    calendar
}

fn property<'a>(
    event: &'a ical::parser::ical::component::IcalEvent,
    name: &str,
) -> Vec<&'a ical::property::Property> {
    event.properties.iter().filter(|p| p.name == name).collect()
}

fn an_exported_calendar_parses_with_stable_uids_rules_and_zones(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let mut input = address("Bäckerei Müller AG", "8001", "Zürich");
    input.field_rep = Some(UserId(REP_A));
    let customer = crm.addresses().create_customer(&rep, &input)?;
    let base = |kind: &str, title: &str, start: &str| EntryInput {
        address_id: Some(customer.id),
        kind: Some(kind.into()),
        title: title.into(),
        start: Some(start.into()),
        ..Default::default()
    };
    let mut weekly = base(
        "activity",
        "Rapport; Team, Woche\nnächste",
        "2027-03-15T09:00",
    );
    weekly.recurrence = Some("FREQ=WEEKLY;BYDAY=MO;COUNT=6".into());
    weekly.exceptions = vec!["2027-03-29".into()];
    weekly.description = Some("Traktanden:\n1. Lager\n2. Aktionen".into());
    let weekly = crm.calendar().create(&rep, &weekly)?;
    let mut milestone = base("milestone", "Go-live", "");
    milestone.start = None;
    milestone.due = Some("2027-04-01".into());
    milestone.entry_type = Some("go_live".into());
    let milestone = crm.calendar().create(&rep, &milestone)?;

    let range = TimeRange::new(at("2027-03-01T00:00:00Z"), at("2027-05-01T00:00:00Z"))?;
    let text = crm.export_user_calendar(&rep, rep.user_id, range)?;
    assert!(text.lines().all(|l| l.len() <= 75), "lines are folded");
    let calendar = parse(&text);
    assert_eq!(calendar.events.len(), 2);
    assert_eq!(calendar.timezones.len(), 1);
    let zone = &calendar.timezones[0];
    assert!(
        zone.properties
            .iter()
            .any(|p| p.name == "TZID" && p.value.as_deref() == Some("Europe/Zurich"))
    );
    assert!(
        zone.transitions.len() >= 3,
        "the year's start and its two changes"
    );

    let uids: Vec<String> = calendar
        .events
        .iter()
        .map(|e| property(e, "UID")[0].value.clone().unwrap())
        .collect();
    assert!(
        uids.contains(&crm::ical::uid(weekly.id)) && uids.contains(&crm::ical::uid(milestone.id))
    );
    let again = parse(&crm.export_user_calendar(&rep, rep.user_id, range)?);
    let uids_again: Vec<String> = again
        .events
        .iter()
        .map(|e| property(e, "UID")[0].value.clone().unwrap())
        .collect();
    assert_eq!(uids, uids_again, "UIDs are stable across exports");

    let series = calendar
        .events
        .iter()
        .find(|e| {
            property(e, "UID")[0].value.as_deref() == Some(crm::ical::uid(weekly.id).as_str())
        })
        .unwrap();
    assert_eq!(
        property(series, "RRULE")[0].value.as_deref(),
        Some("FREQ=WEEKLY;BYDAY=MO;COUNT=6")
    );
    let start = property(series, "DTSTART")[0];
    assert_eq!(start.value.as_deref(), Some("20270315T090000"));
    let params = start.params.clone().unwrap_or_default();
    assert!(
        params
            .iter()
            .any(|(k, v)| k == "TZID" && v == &vec!["Europe/Zurich".to_owned()])
    );
    assert_eq!(
        property(series, "EXDATE")[0].value.as_deref(),
        Some("20270329T090000")
    );
    let summary = property(series, "SUMMARY")[0].value.clone().unwrap();
    assert_eq!(
        summary, "Rapport\\; Team\\, Woche nächste",
        "text is escaped as RFC 5545 asks"
    );
    let description = property(series, "DESCRIPTION")[0].value.clone().unwrap();
    assert!(
        description.contains("Traktanden:\\n1. Lager\\n2. Aktionen"),
        "{description}"
    );
    assert!(
        property(series, "CATEGORIES")[0]
            .value
            .as_deref()
            .unwrap()
            .starts_with("Activity,Meeting")
    );

    let key_date = calendar
        .events
        .iter()
        .find(|e| {
            property(e, "UID")[0].value.as_deref() == Some(crm::ical::uid(milestone.id).as_str())
        })
        .unwrap();
    let start = property(key_date, "DTSTART")[0];
    assert_eq!(start.value.as_deref(), Some("20270401"));
    assert!(
        start
            .params
            .clone()
            .unwrap_or_default()
            .iter()
            .any(|(k, v)| k == "VALUE" && v == &vec!["DATE".to_owned()])
    );
    assert!(
        property(key_date, "CATEGORIES")[0]
            .value
            .as_deref()
            .unwrap()
            .contains("Go live")
    );

    let per_address = parse(&crm.export_address_calendar(&rep, customer.id, range)?);
    assert_eq!(per_address.events.len(), 2);
    Ok(())
}

fn every_demo_users_calendar_parses(db: Db) -> TestResult {
    let Some(crm) = open(db, "")? else {
        return Ok(());
    };
    let anchor = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let seeded = crm::demo::seed_at(&crm, 120, anchor)?;
    assert!(seeded.calendar_entries > 100);
    let range = TimeRange::new(at("2026-06-01T00:00:00Z"), at("2027-06-01T00:00:00Z"))?;
    let mut events = 0;
    for user in crm.users().list(false)? {
        let text = crm.export_user_calendar(&user.actor(), user.id, range)?;
        let calendar = parse(&text);
        let expected = crm
            .calendar()
            .user_entries(&user.actor(), user.id, range)?
            .len();
        assert_eq!(
            calendar.events.len(),
            expected,
            "{}: one event per entry",
            user.login
        );
        events += calendar.events.len();
    }
    assert!(
        events as u64 >= seeded.calendar_entries,
        "every entry is in a rep's calendar"
    );
    Ok(())
}
