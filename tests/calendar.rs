//! The calendar on both backends: the three kinds, recurring series, milestone moves, SLAs,
//! address and user calendars with visibility, the agenda, and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use chrono::NaiveTime;
use common::*;
use crm::calendar::{EntryDetails, EntryInput, EntryKind, EntryStatus, SlaState, TimeRange};
use crm::{ContactInput, Error, PageRequest, SlaEvent, UserId};

on_both_backends!(
    an_activity_round_trips_and_shows_in_the_right_calendars,
    a_weekly_series_keeps_its_local_time_and_skips_exceptions,
    milestone_moves_are_kept_with_their_shift,
    incidents_track_their_sla,
    bad_entries_name_the_field_and_write_nothing,
    the_agenda_lists_what_comes_next,
    imports_are_for_admins_and_all_or_nothing,
);

fn an_activity_round_trips_and_shows_in_the_right_calendars(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Bäckerei Müller AG")?;
    let person = crm.contacts().add(
        &rep,
        customer.id,
        &ContactInput {
            last_name: "Müller".into(),
            ..Default::default()
        },
        true,
    )?;
    let mut input = entry(
        customer.id,
        "activity",
        "Jahresgespräch, Budget; Offerte",
        "2026-12-03T14:00",
    );
    input.entry_type = Some("visit".into());
    input.end = Some("2026-12-03T15:30".into());
    input.location = Some("Bahnhofstrasse 1, Zürich".into());
    input.participants = vec![UserId(INSIDE_A)];
    input.contacts = vec![person.id];
    let visit = crm.calendar().create(&rep, &input)?;
    assert_eq!(
        crm.calendar().get(&rep, visit.id)?,
        visit,
        "stored as returned"
    );
    assert_eq!(visit.data.when.start, at("2026-12-03T13:00:00Z"));

    let page = crm.calendar().address_calendar(
        &rep,
        customer.id,
        december(),
        &[],
        PageRequest::default(),
    )?;
    assert_eq!(page.total, 1);
    let o = &page.items[0];
    assert_eq!(
        (o.kind, o.entry_type.as_str(), o.address.number),
        (EntryKind::Activity, "visit", customer.number)
    );
    let only_milestones = crm.calendar().address_calendar(
        &rep,
        customer.id,
        december(),
        &[EntryKind::Milestone],
        PageRequest::default(),
    )?;
    assert_eq!(only_milestones.total, 0);

    for user in [REP_A, INSIDE_A] {
        let mine = crm.calendar().user_calendar(
            &actor(user),
            UserId(user),
            december(),
            PageRequest::default(),
        )?;
        assert_eq!(mine.total, 1, "user {user} sees the visit");
    }
    let other = crm.calendar().user_calendar(
        &actor(REP_B),
        UserId(REP_B),
        december(),
        PageRequest::default(),
    )?;
    assert_eq!(other.total, 0);
    let january = TimeRange::new(at("2027-01-01T00:00:00Z"), at("2027-02-01T00:00:00Z"))?;
    assert_eq!(
        crm.calendar()
            .address_calendar(&rep, customer.id, january, &[], PageRequest::default())?
            .total,
        0
    );

    let mut edit = EntryInput::from(&visit);
    edit.title = "Jahresgespräch 2027".into();
    edit.participants = vec![];
    let edited = crm
        .calendar()
        .update(&rep, visit.id, visit.version, &edit)?;
    assert_eq!(edited.version.0, 2);
    assert!(
        crm.calendar()
            .update(&rep, visit.id, visit.version, &edit)
            .is_err(),
        "stale version"
    );
    let inside = crm.calendar().user_calendar(
        &actor(INSIDE_A),
        UserId(INSIDE_A),
        december(),
        PageRequest::default(),
    )?;
    assert_eq!(inside.total, 0, "removed participants leave the entry");
    let done = crm.calendar().set_status(
        &rep,
        visit.id,
        edited.version,
        EntryStatus::Done,
        Some("Budget +5 %, Offerte bis 15.12."),
    )?;
    assert_eq!(done.data.status, EntryStatus::Done);
    assert_eq!(
        crm.calendar().get(&rep, visit.id)?.data.outcome.as_deref(),
        Some("Budget +5 %, Offerte bis 15.12.")
    );
    Ok(())
}

fn a_weekly_series_keeps_its_local_time_and_skips_exceptions(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Garage Rapid")?;
    let mut input = entry(customer.id, "activity", "Wochenrapport", "2027-03-15T09:00");
    input.entry_type = Some("call".into());
    input.recurrence = Some("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270412".into());
    input.exceptions = vec!["2027-03-25".into()];
    let series = crm.calendar().create(&rep, &input)?;
    let spring = TimeRange::new(at("2027-03-01T00:00:00Z"), at("2027-05-01T00:00:00Z"))?;
    let page =
        crm.calendar()
            .address_calendar(&rep, customer.id, spring, &[], PageRequest::first(100))?;
    // Mo 15, Th 18, Mo 22, (Th 25 excepted), Mo 29, Th 1.4, Mo 5, Th 8, Mo 12.
    assert_eq!(page.total, 8);
    let zurich = crm::calendar::Zone::ZURICH;
    for o in &page.items {
        assert_eq!(
            zurich.local(o.start).time(),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            "09:00 local before and after the change to summer time"
        );
        assert!(o.recurring && o.entry_id == series.id);
    }
    assert_eq!(page.items[0].start, at("2027-03-15T08:00:00Z"));
    assert_eq!(page.items[7].start, at("2027-04-12T07:00:00Z"));
    // A range that starts in the middle of the series still finds it.
    let april = TimeRange::new(at("2027-04-06T00:00:00Z"), at("2027-04-30T00:00:00Z"))?;
    let rest = crm
        .calendar()
        .user_calendar(&rep, rep.user_id, april, PageRequest::default())?;
    assert_eq!(rest.total, 2);
    let second = crm.calendar().address_calendar(
        &rep,
        customer.id,
        spring,
        &[],
        PageRequest {
            offset: 6,
            limit: 5,
        },
    )?;
    assert_eq!((second.total, second.items.len()), (8, 2));
    Ok(())
}

fn milestone_moves_are_kept_with_their_shift(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Holzbau Meier AG")?;
    let mut input = entry(customer.id, "milestone", "Entscheid Kunde", "2026-12-10");
    input.start = None;
    input.due = Some("2026-12-10".into());
    input.entry_type = Some("customer_decision".into());
    input.linked = Some(customer.id.into());
    let milestone = crm.calendar().create(&rep, &input)?;
    assert!(milestone.data.when.all_day);
    let moved =
        crm.calendar()
            .move_milestone(&rep, milestone.id, milestone.version, "2026-12-17")?;
    let moved = crm
        .calendar()
        .move_milestone(&rep, milestone.id, moved.version, "2026-12-14")?;
    let stored = crm.calendar().get(&rep, milestone.id)?;
    assert_eq!(stored.moves, moved.moves);
    let shifts: Vec<i64> = stored.moves.iter().map(|m| m.shift_days()).collect();
    assert_eq!(shifts, vec![7, -3]);
    assert_eq!(stored.moves[0].from, milestone.data.when.start);
    let page = crm.calendar().address_calendar(
        &rep,
        customer.id,
        december(),
        &[EntryKind::Milestone],
        PageRequest::default(),
    )?;
    assert_eq!(page.items[0].start, stored.data.when.start);
    let visit = crm.calendar().create(
        &rep,
        &entry(customer.id, "activity", "Besuch", "2026-12-01T10:00"),
    )?;
    assert!(
        matches!(crm.calendar().move_milestone(&rep, visit.id, visit.version, "2026-12-02"), Err(Error::Invalid(ref e)) if e.field() == "kind")
    );
    Ok(())
}

fn incidents_track_their_sla(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Elektro Huber")?;
    let mut input = entry(
        customer.id,
        "assignment",
        "Störung Kühlanlage",
        "2026-12-02T08:00",
    );
    input.entry_type = Some("incident".into());
    input.technicians = vec![UserId(REP_B)];
    input.service_ref = Some("SR-2026-0815".into());
    input.sla_response_due = Some("2026-12-02T10:00".into());
    input.sla_resolution_due = Some("2026-12-03T08:00".into());
    let incident = crm.calendar().create(&rep, &input)?;
    // The technician may record the response, although the address is not his.
    let technician = actor(REP_B);
    let responded = crm.calendar().record_sla(
        &technician,
        incident.id,
        incident.version,
        SlaEvent::Responded,
        at("2026-12-02T09:30:00Z"),
    )?;
    let EntryDetails::Assignment { sla: Some(sla), .. } = &responded.data.details else {
        panic!("an SLA")
    };
    assert_eq!(
        sla.response_state(at("2026-12-05T00:00:00Z")),
        SlaState::Breached,
        "09:30 UTC is 10:30 in Zurich, past 10:00"
    );
    assert_eq!(
        sla.resolution_state(at("2026-12-02T12:00:00Z")),
        SlaState::Pending
    );
    let done = crm.calendar().set_status(
        &technician,
        incident.id,
        responded.version,
        EntryStatus::Done,
        Some("Kompressor ersetzt"),
    )?;
    let EntryDetails::Assignment { sla: Some(sla), .. } = &done.data.details else {
        panic!("an SLA")
    };
    assert!(
        sla.resolved_at.is_some(),
        "completing an incident records its resolution"
    );
    assert_eq!(
        sla.resolution_state(at("2026-12-05T00:00:00Z")),
        SlaState::Met
    );
    let mut edit = EntryInput::from(&done);
    edit.title = "Störung Kühlanlage (erledigt)".into();
    let edited = crm
        .calendar()
        .update(&rep, incident.id, done.version, &edit)?;
    assert_eq!(
        edited.data.details, done.data.details,
        "an edit keeps the recorded SLA times"
    );
    let technicians_calendar = crm.calendar().user_calendar(
        &technician,
        technician.user_id,
        december(),
        PageRequest::default(),
    )?;
    assert_eq!(technicians_calendar.total, 1);
    Ok(())
}

fn bad_entries_name_the_field_and_write_nothing(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Kunde A")?;
    let other = assigned_address(&crm, REP_A, "Kunde B")?;
    let stranger = crm.contacts().add(
        &rep,
        other.id,
        &ContactInput {
            last_name: "Fremd".into(),
            ..Default::default()
        },
        true,
    )?;
    let field_of = |input: &EntryInput| match crm.calendar().create(&rep, input) {
        Err(Error::Invalid(e)) => e.field().to_owned(),
        other => panic!("expected Invalid, got {other:?}"),
    };
    let mut end_first = entry(customer.id, "activity", "Rückwärts", "2026-12-01T10:00");
    end_first.end = Some("2026-12-01T09:00".into());
    assert_eq!(field_of(&end_first), "end");
    let mut zone = entry(customer.id, "activity", "Zone", "2026-12-01T10:00");
    zone.time_zone = Some("Europe/Zuerich".into());
    assert_eq!(field_of(&zone), "time_zone");
    let mut rule = entry(customer.id, "activity", "Jährlich", "2026-12-01T10:00");
    rule.recurrence = Some("FREQ=YEARLY".into());
    assert_eq!(field_of(&rule), "recurrence");
    let mut no_date = entry(customer.id, "milestone", "Ohne Datum", "");
    no_date.start = None;
    assert_eq!(field_of(&no_date), "due");
    assert_eq!(
        field_of(&entry(
            customer.id,
            "assignment",
            "Ohne Art",
            "2026-12-01T10:00"
        )),
        "type"
    );
    let mut foreign = entry(
        customer.id,
        "activity",
        "Fremder Kontakt",
        "2026-12-01T10:00",
    );
    foreign.contacts = vec![stranger.id];
    assert_eq!(field_of(&foreign), "contacts[0]");
    let mut unknown = entry(customer.id, "activity", "Unbekannt", "2026-12-01T10:00");
    unknown.participants = vec![UserId(4242)];
    assert_eq!(field_of(&unknown), "participants[0]");
    let page = crm.calendar().address_calendar(
        &rep,
        customer.id,
        december(),
        &[],
        PageRequest::default(),
    )?;
    assert_eq!(page.total, 0, "nothing was written");
    assert!(
        matches!(TimeRange::new(at("2026-12-01T00:00:00Z"), at("2026-11-01T00:00:00Z")), Err(Error::Invalid(ref e)) if e.field() == "range")
    );
    Ok(())
}

fn the_agenda_lists_what_comes_next(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Agenda AG")?;
    // The test clock starts on 2026-11-27 at 08:30 UTC.
    crm.calendar().create(
        &rep,
        &entry(customer.id, "activity", "Vergangen", "2026-11-20T09:00"),
    )?;
    let mut daily = entry(customer.id, "activity", "Tagesrapport", "2026-11-26T07:00");
    daily.recurrence = Some("FREQ=DAILY;COUNT=10".into());
    crm.calendar().create(&rep, &daily)?;
    let cancelled = crm.calendar().create(
        &rep,
        &entry(customer.id, "activity", "Abgesagt", "2026-11-28T09:00"),
    )?;
    crm.calendar().set_status(
        &rep,
        cancelled.id,
        cancelled.version,
        EntryStatus::Cancelled,
        None,
    )?;
    let mut later = entry(customer.id, "milestone", "Go-live", "");
    later.start = None;
    later.due = Some("2027-06-30".into());
    crm.calendar().create(&rep, &later)?;
    let agenda = crm.calendar().agenda(&rep, 5)?;
    assert_eq!(agenda.len(), 5);
    assert!(agenda.iter().all(|o| o.title == "Tagesrapport"));
    assert_eq!(
        agenda[0].start,
        at("2026-11-28T06:00:00Z"),
        "today's report lies behind the clock"
    );
    let all = crm.calendar().agenda(&rep, 100)?;
    assert_eq!(
        all.len(),
        9,
        "eight reports left, then the go-live; nothing cancelled or past"
    );
    assert_eq!(all.last().map(|o| o.kind), Some(EntryKind::Milestone));
    assert!(all.windows(2).all(|w| w[0].start <= w[1].start));
    Ok(())
}

fn imports_are_for_admins_and_all_or_nothing(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&crm, REP_A, "Importkunde")?;
    let good = entry(customer.id, "activity", "Besuch", "2026-12-01T09:00");
    let mut bad = entry(customer.id, "activity", "Ohne Ende", "2026-12-01T09:00");
    bad.end = Some("2026-12-01T08:00".into());
    let mut unknown = entry(
        crm::AddressId(999_999),
        "activity",
        "Niemand",
        "2026-12-01T09:00",
    );
    unknown.title = "Unbekannt".into();
    assert!(matches!(
        crm.calendar()
            .import(&actor(REP_A), std::slice::from_ref(&good)),
        Err(Error::Forbidden(_))
    ));
    let err = crm
        .calendar()
        .import(&actor(ADMIN), &[good.clone(), bad])
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e.field() == "entries[1].end"),
        "{err:?}"
    );
    let err = crm
        .calendar()
        .import(&actor(ADMIN), &[good.clone(), unknown])
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e.field() == "entries[1].address_id"),
        "{err:?}"
    );
    assert_eq!(
        crm.calendar()
            .address_calendar(
                &actor(REP_A),
                customer.id,
                december(),
                &[],
                PageRequest::default()
            )?
            .total,
        0
    );
    assert_eq!(
        crm.calendar()
            .import(&actor(ADMIN), &[good.clone(), good])?,
        2
    );
    assert_eq!(
        crm.calendar()
            .address_calendar(
                &actor(REP_A),
                customer.id,
                december(),
                &[],
                PageRequest::default()
            )?
            .total,
        2
    );
    Ok(())
}
