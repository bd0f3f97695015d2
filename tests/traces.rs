//! Traces on both backends: the events of addresses, contacts, notes and the calendar, the
//! company's rules, the comfort filters and pages of a user's list, opening linked records,
//! and events from other systems. The chain's tamper evidence is in `trace_chain.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::calendar::EntryStatus;
use crm::trace::{ExternalEvent, Ingested, TraceFilter};
use crm::{ContactInput, ConvertOptions, EntityKind, EntityRef, Error, LinkedRecord, UserId};

on_both_backends!(
    foundation_and_calendar_events_become_traces,
    the_company_rules_decide_what_is_traced,
    a_users_traces_filter_and_page,
    a_trace_opens_its_record,
    external_events_are_recorded_once,
);

fn foundation_and_calendar_events_become_traces(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let lead = crm
        .addresses()
        .capture_lead(&rep, &address("Velo Kuhn", "3011", "Bern"))?;
    let person = crm.contacts().add(
        &rep,
        lead.id,
        &ContactInput {
            first_name: Some("Urs".into()),
            last_name: "Kuhn".into(),
            ..Default::default()
        },
        true,
    )?;
    crm.notes().add(
        &rep,
        lead.id,
        "Will zwei Cargo-Bikes testen.\nRückruf Montag",
        None,
    )?;
    let converted = crm.addresses().convert_to_customer(
        &rep,
        lead.id,
        lead.version,
        ConvertOptions::default(),
    )?;
    let customer = converted.customer;

    // An incident whose response is already late, one answered late, one answered in time.
    let incident = |title: &str, response: &str, resolution: &str| {
        let mut input = entry(customer.id, "assignment", title, "2026-11-27T10:00");
        input.entry_type = Some("incident".into());
        input.sla_response_due = Some(response.into());
        input.sla_resolution_due = Some(resolution.into());
        input
    };
    crm.calendar().create(
        &rep,
        &incident("Kette gerissen", "2026-11-27T08:00", "2026-11-30T17:00"),
    )?;
    let late = crm.calendar().create(
        &rep,
        &incident("Bremse", "2026-11-28T12:00", "2026-11-30T17:00"),
    )?;
    crm.calendar().record_sla(
        &rep,
        late.id,
        late.version,
        crm::SlaEvent::Responded,
        at("2026-11-28T13:30:00Z"),
    )?;
    let in_time = crm.calendar().create(
        &rep,
        &incident("Licht", "2026-11-28T12:00", "2026-11-30T17:00"),
    )?;
    let in_time = crm.calendar().record_sla(
        &rep,
        in_time.id,
        in_time.version,
        crm::SlaEvent::Responded,
        at("2026-11-27T09:00:00Z"),
    )?;

    let traces = crm
        .traces()
        .of_address(&rep, customer.id, &TraceFilter::default())?;
    assert_eq!(
        kinds(&traces),
        [
            "assignment_opened",
            "sla_breached",
            "assignment_opened",
            "sla_breached",
            "assignment_opened",
            "lead_converted",
            "note_added",
            "contact_added",
            "address_created",
        ]
    );
    let summaries: Vec<&str> = traces.items.iter().map(|t| t.summary.as_str()).collect();
    assert_eq!(summaries[6], "Note: Will zwei Cargo-Bikes testen.…");
    assert_eq!(summaries[7], "Contact Urs Kuhn added");
    assert!(
        summaries[5].contains(&customer.number.to_string()),
        "{}",
        summaries[5]
    );
    assert_eq!(traces.items[1].payload["deadline"], "response");
    assert_eq!(traces.items[1].payload["done_at"], "2026-11-28T13:30:00Z");
    assert_eq!(traces.items[7].linked, person.id.into());
    let seqs: Vec<i64> = traces.items.iter().map(|t| t.seq).collect();
    assert_eq!(
        seqs,
        (1..=9).rev().collect::<Vec<_>>(),
        "one chain per address"
    );

    // The sweep notes deadlines that passed unanswered, once.
    let admin = actor(ADMIN);
    assert_eq!(crm.calendar().note_sla_breaches(&admin)?, 0);
    crm.clock.advance(chrono::Duration::days(4));
    // Late: Kette's resolution, Bremse's resolution; Licht's resolution too.
    assert_eq!(crm.calendar().note_sla_breaches(&admin)?, 3);
    assert_eq!(crm.calendar().note_sla_breaches(&admin)?, 0, "noted once");
    crm.calendar()
        .set_status(&rep, in_time.id, in_time.version, EntryStatus::Done, None)?;
    let breaches = crm.traces().of_address(
        &rep,
        customer.id,
        &TraceFilter {
            kinds: vec!["sla_breached".into()],
            ..Default::default()
        },
    )?;
    assert_eq!(
        breaches.items.len(),
        5,
        "completing late adds no second trace"
    );
    assert!(matches!(
        crm.calendar().note_sla_breaches(&rep),
        Err(Error::Forbidden(_))
    ));
    Ok(())
}

fn the_company_rules_decide_what_is_traced(db: Db) -> TestResult {
    let Some(crm) = crm(
        db,
        "[traces]\nmin_shift_days = 7\n[traces.kinds]\nnote_added = false\naddress_created = false\n",
    )?
    else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Optik Wyss")?;
    crm.notes()
        .add(&rep, customer.id, "Neue Brillengestelle", None)?;
    let mut input = entry(customer.id, "milestone", "Messe", "2027-01-10");
    input.due = Some("2027-01-10".into());
    let milestone = crm.calendar().create(&rep, &input)?;
    let milestone =
        crm.calendar()
            .move_milestone(&rep, milestone.id, milestone.version, "2027-01-15")?;
    crm.calendar()
        .move_milestone(&rep, milestone.id, milestone.version, "2027-01-25")?;
    let traces = crm
        .traces()
        .of_address(&rep, customer.id, &TraceFilter::default())?;
    assert_eq!(
        kinds(&traces),
        ["milestone_moved"],
        "only the move by 10 days"
    );
    assert_eq!(traces.items[0].linked, milestone.id.into());

    let Some(off) = crm_at(db, "[traces]\nenabled = false\n")? else {
        return Ok(());
    };
    let customer = assigned_address(&off, REP_A, "Optik Wyss")?;
    off.notes()
        .add(&rep, customer.id, "Nichts wird aufgezeichnet", None)?;
    assert!(
        off.traces()
            .of_address(&rep, customer.id, &TraceFilter::default())?
            .items
            .is_empty()
    );
    Ok(())
}

fn crm_at(db: Db, toml: &str) -> Result<Option<TestCrm>, Box<dyn std::error::Error>> {
    crm(db, toml)
}

fn a_users_traces_filter_and_page(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let (a, inside) = (actor(REP_A), actor(INSIDE_A));
    let mut input = address("Confiserie Zürcher", "8001", "Zürich");
    input.field_rep = Some(UserId(REP_A));
    input.inside_rep = Some(UserId(INSIDE_A));
    let zurich = crm.addresses().create_customer(&actor(MANAGER), &input)?;
    let bern = assigned_address(&crm, REP_A, "Bäckerei Bern")?;
    for i in 0..7 {
        crm.notes().add(&a, bern.id, &format!("Besuch {i}"), None)?;
    }
    crm.notes()
        .add(&inside, zurich.id, "Offerte Pralinen", None)?;
    crm.notes()
        .add(&a, zurich.id, "Degustation geplant", None)?;

    let all = crm
        .traces()
        .of_user(&a, a.user_id, &TraceFilter::default())?;
    assert_eq!(all.items.len(), 11, "{:?}", kinds(&all));
    assert!(all.next.is_none());
    let times: Vec<_> = all.items.iter().map(|t| t.recorded_at).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // Pages of five chain up to the whole list.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = crm.traces().of_user(
            &a,
            a.user_id,
            &TraceFilter {
                limit: 5,
                before,
                ..Default::default()
            },
        )?;
        seen.extend(page.items.iter().map(|t| t.id));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, all.items.iter().map(|t| t.id).collect::<Vec<_>>());

    let filter = |f: TraceFilter| -> Result<Vec<String>, Error> {
        Ok(crm
            .traces()
            .of_user(&a, a.user_id, &f)?
            .items
            .into_iter()
            .map(|t| t.summary)
            .collect())
    };
    assert_eq!(
        filter(TraceFilter {
            text: Some("PRALINEN".into()),
            ..Default::default()
        })?,
        ["Note: Offerte Pralinen"]
    );
    assert_eq!(
        filter(TraceFilter {
            text: Some("zurcher".into()),
            kinds: vec!["address_created".into()],
            ..Default::default()
        })?
        .len(),
        1,
        "accents and umlauts fold"
    );
    assert_eq!(
        filter(TraceFilter {
            address: Some(zurich.id),
            only_mine: true,
            ..Default::default()
        })?,
        ["Note: Degustation geplant"]
    );
    assert_eq!(
        filter(TraceFilter {
            actor: Some(UserId(INSIDE_A)),
            ..Default::default()
        })?,
        ["Note: Offerte Pralinen"]
    );
    let first_note = all
        .items
        .iter()
        .rev()
        .find(|t| t.kind == "note_added")
        .unwrap();
    assert_eq!(
        filter(TraceFilter {
            linked: Some(first_note.linked),
            ..Default::default()
        })?,
        ["Note: Besuch 0"]
    );
    let newest = all.items[0].recorded_at;
    assert_eq!(
        filter(TraceFilter {
            from: Some(newest),
            ..Default::default()
        })?
        .len(),
        1
    );
    // The inside rep's list holds only Zurich, where he is the inside rep.
    let his = crm
        .traces()
        .of_user(&inside, inside.user_id, &TraceFilter::default())?;
    assert_eq!(his.items.len(), 3);
    assert!(matches!(
        crm.traces()
            .of_user(&inside, a.user_id, &TraceFilter::default()),
        Err(Error::Forbidden(_))
    ));
    assert_eq!(
        crm.traces()
            .of_user(&actor(MANAGER), a.user_id, &TraceFilter::default())?
            .items
            .len(),
        11
    );
    assert_eq!(
        invalid_fields(crm.traces().of_user(
            &a,
            a.user_id,
            &TraceFilter {
                kinds: vec!["Won!".into()],
                limit: 1_000,
                ..Default::default()
            }
        )),
        ["kinds[0]", "limit"]
    );

    // Changing the reps moves the address's traces to the new rep's list.
    let zurich = crm.addresses().get(&a, zurich.id)?;
    crm.addresses().update(
        &actor(MANAGER),
        zurich.id,
        zurich.version,
        &crm::AddressPatch {
            inside_rep: Some(None),
            ..Default::default()
        },
    )?;
    assert!(
        crm.traces()
            .of_user(&inside, inside.user_id, &TraceFilter::default())?
            .items
            .is_empty()
    );
    Ok(())
}

fn a_trace_opens_its_record(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Garage Frei")?;
    let note = crm.notes().add(&rep, customer.id, "Pneuwechsel", None)?;
    let deal = crm.opportunities().create(
        &rep,
        &deal(
            customer.id,
            "Flottenvertrag",
            "offer",
            "80000",
            "2027-06-30",
        ),
    )?;
    let traces = crm
        .traces()
        .of_address(&rep, customer.id, &TraceFilter::default())?;
    let [created, noted, address_created] = &traces.items[..] else {
        panic!("three traces expected: {:?}", kinds(&traces));
    };
    match crm.traces().open_linked(&rep, created.id)? {
        LinkedRecord::Opportunity(o) => assert_eq!(o.id, deal.id),
        other => panic!("expected the opportunity, got {other:?}"),
    }
    match crm.traces().open_linked(&rep, address_created.id)? {
        LinkedRecord::Address(a) => assert_eq!(a.id, customer.id),
        other => panic!("expected the address, got {other:?}"),
    }
    assert!(matches!(
        crm.traces().open_linked(&rep, noted.id)?,
        LinkedRecord::Note(n) if n.text == "Pneuwechsel"
    ));
    crm.notes().delete(&rep, note.id, note.version)?;
    let gone = crm.traces().open_linked(&rep, noted.id);
    assert!(
        matches!(
            &gone,
            Err(Error::NotFound {
                entity: EntityKind::Note,
                ..
            })
        ),
        "{gone:?}"
    );
    assert_eq!(
        crm.traces().get(&rep, noted.id)?.summary,
        "Note: Pneuwechsel",
        "the trace stays"
    );
    // Another rep sees neither the address nor its traces.
    let other = actor(REP_B);
    assert!(matches!(
        crm.traces().open_linked(&other, created.id),
        Err(Error::NotFound {
            entity: EntityKind::Trace,
            ..
        })
    ));
    assert!(matches!(
        crm.traces()
            .of_address(&other, customer.id, &TraceFilter::default()),
        Err(Error::NotFound { .. })
    ));
    Ok(())
}

fn external_events_are_recorded_once(db: Db) -> TestResult {
    let Some(crm) = crm(db, "[traces.kinds]\nticket_closed = false\n")? else {
        return Ok(());
    };
    let admin = actor(ADMIN);
    let customer = assigned_address(&crm, REP_A, "Spital Nord")?;
    let other = assigned_address(&crm, REP_B, "Klinik Süd")?;
    let person = crm.contacts().add(
        &actor(REP_B),
        other.id,
        &ContactInput {
            last_name: "Süd".into(),
            ..Default::default()
        },
        true,
    )?;
    let event = ExternalEvent {
        source: "servicedesk".into(),
        external_id: "INC-4711".into(),
        kind: "sla_breached".into(),
        address_id: customer.id,
        linked: None,
        occurred_at: at("2026-11-26T22:15:00Z"),
        summary: "Priorität 1: Reaktionszeit überschritten".into(),
        payload: serde_json::json!({"priority": 1, "queue": "Medizintechnik"}),
    };
    let first = crm.traces().ingest(&admin, &event)?;
    let Ingested::Recorded { trace } = first else {
        panic!("expected a new trace, got {first:?}");
    };
    assert_eq!(
        crm.traces().ingest(&admin, &event)?,
        Ingested::AlreadyRecorded { trace },
        "replaying the event records nothing"
    );
    let stored = crm.traces().get(&actor(REP_A), trace)?;
    assert_eq!(stored.occurred_at, event.occurred_at);
    assert_eq!(
        (stored.source.as_str(), stored.external_id.as_deref()),
        ("servicedesk", Some("INC-4711"))
    );
    assert_eq!(stored.payload["queue"], "Medizintechnik");
    assert_eq!(stored.linked, EntityRef::from(customer.id));

    let twice = ExternalEvent {
        external_id: "ERP-1".into(),
        kind: "order_placed".into(),
        ..event.clone()
    };
    let off = ExternalEvent {
        external_id: "INC-4712".into(),
        kind: "ticket_closed".into(),
        ..event.clone()
    };
    let outcomes = crm
        .traces()
        .ingest_many(&admin, &[twice.clone(), twice.clone(), off])?;
    assert!(matches!(outcomes[0], Ingested::Recorded { .. }));
    assert_eq!(outcomes[0], outcomes[1], "the same id within a batch once");
    assert_eq!(outcomes[2], Ingested::NotTraced);

    let bad = ExternalEvent {
        external_id: "INC-9".into(),
        linked: Some(person.id.into()),
        ..event.clone()
    };
    let unknown = ExternalEvent {
        external_id: "INC-10".into(),
        address_id: crm::AddressId(999_999),
        ..event.clone()
    };
    assert_eq!(
        invalid_fields(crm.traces().ingest_many(&admin, &[bad, unknown])),
        ["events[0].linked", "events[1].address_id"]
    );
    assert_eq!(
        invalid_fields(crm.traces().ingest(
            &admin,
            &ExternalEvent {
                source: "crm".into(),
                summary: " ".into(),
                ..event.clone()
            }
        )),
        ["source", "summary"]
    );
    assert!(matches!(
        crm.traces().ingest(&actor(REP_A), &event),
        Err(Error::Forbidden(_))
    ));
    let traces = crm.traces().of_address(
        &actor(REP_A),
        customer.id,
        &TraceFilter {
            kinds: vec!["sla_breached".into(), "order_placed".into()],
            ..Default::default()
        },
    )?;
    assert_eq!(kinds(&traces), ["order_placed", "sla_breached"]);
    Ok(())
}
