//! Opportunities on both backends: the pipeline with its decisions and their traces, selling
//! teams and what they open, milestones through the opportunity, and bad input that writes
//! nothing. Lists and the weighted pipeline are in `pipeline.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use common::*;
use crm::opportunity::{Access, OpportunityFilter, OpportunityInput, Outcome, TeamRole};
use crm::trace::TraceFilter;
use crm::{ContactInput, Error, MoneyInput, PageRequest, UserId};

on_both_backends!(
    an_opportunity_moves_through_the_pipeline_and_leaves_traces,
    bad_input_names_the_field_and_writes_nothing,
    selling_teams_decide_who_sees_and_edits,
    milestones_are_changed_through_their_opportunity,
);

fn an_opportunity_moves_through_the_pipeline_and_leaves_traces(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Bäckerei Müller AG")?;
    let deal = crm.opportunities().create(
        &rep,
        &deal(
            customer.id,
            "Kassensysteme 12 Filialen",
            "offer",
            "100000",
            "2027-03-31",
        ),
    )?;
    assert_eq!(deal.data.probability, 40, "the stage's default");
    assert_eq!(deal.team.len(), 1);
    assert_eq!(
        (deal.team[0].user, deal.team[0].role),
        (UserId(REP_A), TeamRole::Lead)
    );
    assert_eq!(
        crm.opportunities().get(&rep, deal.id)?,
        deal,
        "stored as returned"
    );

    let o = crm
        .opportunities()
        .set_stage(&rep, deal.id, deal.version, "Negotiation", None)?;
    assert_eq!(o.data.probability, 60);
    // 5 % less volume and 2 days later: below the thresholds, not traced.
    let mut input = OpportunityInput {
        stage: Some("negotiation".into()),
        ..deal_input(&o.data.title, customer.id, "95000", "2027-04-02")
    };
    let o = crm.opportunities().update(&rep, o.id, o.version, &input)?;
    // 20 % less and ten days later: both traced.
    input.volume = Some(money("76000"));
    input.close_date = Some("2027-04-12".into());
    let o = crm.opportunities().update(&rep, o.id, o.version, &input)?;
    let o = crm
        .opportunities()
        .set_stage(&rep, o.id, o.version, "won", None)?;
    assert_eq!((o.data.outcome(), o.data.probability), (Outcome::Won, 100));
    assert!(o.decided.is_some());
    let refused = crm
        .opportunities()
        .set_stage(&rep, o.id, o.version, "lost", Some("price"));
    assert_eq!(
        invalid_fields(refused),
        ["stage"],
        "a decision is left by reopening"
    );
    let o = crm
        .opportunities()
        .reopen(&rep, o.id, o.version, "decision")?;
    assert_eq!(
        (o.data.outcome(), o.data.probability, o.decided),
        (Outcome::Open, 80, None)
    );
    let refused = crm
        .opportunities()
        .set_stage(&rep, o.id, o.version, "lost", None);
    assert_eq!(invalid_fields(refused), ["lost_reason"]);
    let o = crm
        .opportunities()
        .set_stage(&rep, o.id, o.version, "lost", Some("Preis zu hoch"))?;
    assert_eq!(o.data.lost_reason.as_deref(), Some("Preis zu hoch"));

    let traces = crm
        .traces()
        .of_address(&rep, customer.id, &TraceFilter::default())?;
    assert_eq!(
        kinds(&traces),
        [
            "decision_lost",
            "opportunity_reopened",
            "decision_won",
            "close_date_moved",
            "volume_changed",
            "stage_changed",
            "opportunity_created",
            "address_created",
        ]
    );
    let lost = &traces.items[0];
    assert_eq!(lost.payload["reason"], "Preis zu hoch");
    assert_eq!(lost.linked, o.id.into());
    assert_eq!(lost.actor, UserId(REP_A));
    let moved = &traces.items[3];
    assert_eq!(
        (moved.payload["old"].as_str(), moved.payload["new"].as_str()),
        (Some("2027-04-02"), Some("2027-04-12"))
    );
    assert!(moved.summary.contains("+10 days"), "{}", moved.summary);
    assert!(
        traces.items[6].summary.starts_with("New inquiry"),
        "{}",
        traces.items[6].summary
    );
    assert!(crm.traces().verify(&actor(ADMIN))?.is_intact());
    Ok(())
}

fn deal_input(title: &str, address: crm::AddressId, volume: &str, close: &str) -> OpportunityInput {
    deal(address, title, "offer", volume, close)
}

fn money(amount: &str) -> MoneyInput {
    MoneyInput {
        amount: amount.into(),
        currency: None,
    }
}

fn bad_input_names_the_field_and_writes_nothing(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Elektro Huber GmbH")?;
    let other = assigned_address(&crm, REP_A, "Metzgerei Roth")?;
    let stranger = crm.contacts().add(
        &rep,
        other.id,
        &ContactInput {
            last_name: "Roth".into(),
            ..Default::default()
        },
        true,
    )?;
    let before = crm
        .traces()
        .of_address(&rep, customer.id, &TraceFilter::default())?;

    let mut input = deal(customer.id, "Beleuchtung", "lost", "-5", "2026-11-01");
    input.team = Some(vec![member(REP_A, "field_sales", "edit")]);
    let fields = invalid_fields(crm.opportunities().create(&rep, &input));
    for field in ["volume.amount", "lost_reason", "team"] {
        assert!(fields.contains(&field.to_string()), "{field} in {fields:?}");
    }
    let mut input = deal(customer.id, "Beleuchtung", "offer", "5000", "2026-11-01");
    input.main_contact_id = Some(stranger.id);
    input.team = Some(vec![
        member(REP_A, "lead", "edit"),
        member(4242, "management", "read"),
    ]);
    assert_eq!(
        invalid_fields(crm.opportunities().create(&rep, &input)),
        ["main_contact_id", "team[1].user_id", "close_date"]
    );
    assert_eq!(
        invalid_fields(crm.opportunities().create(
            &rep,
            &OpportunityInput {
                title: "ohne Adresse".into(),
                ..Default::default()
            }
        )),
        ["address_id"]
    );

    let o = crm.opportunities().create(
        &rep,
        &deal(customer.id, "Beleuchtung", "offer", "5000", "2027-01-31"),
    )?;
    let refused = crm.opportunities().set_team(
        &rep,
        o.id,
        o.version,
        &[member(REP_A, "management", "edit")],
    );
    assert_eq!(invalid_fields(refused), ["team"]);
    let refused = crm.opportunities().reopen(&rep, o.id, o.version, "offer");
    assert_eq!(invalid_fields(refused), ["stage"]);
    let stale =
        crm.opportunities()
            .set_stage(&rep, o.id, crm::Version(o.version.0 + 1), "decision", None);
    assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
    assert_eq!(crm.opportunities().get(&rep, o.id)?, o, "nothing changed");

    let current = crm.opportunities().of_address(&rep, customer.id)?;
    assert_eq!(current.open.len(), 1, "only the valid one was written");
    let after = crm
        .traces()
        .of_address(&rep, customer.id, &TraceFilter::default())?;
    assert_eq!(
        after.items.len(),
        before.items.len() + 1,
        "one trace: the valid inquiry"
    );
    Ok(())
}

fn selling_teams_decide_who_sees_and_edits(db: Db) -> TestResult {
    let Some(crm) = crm(db, "visibility = \"assigned\"")? else {
        return Ok(());
    };
    let (a, b, inside) = (actor(REP_A), actor(REP_B), actor(INSIDE_A));
    let customer = assigned_address(&crm, REP_A, "Schreinerei Gerber")?;
    assert!(matches!(
        crm.addresses().get(&b, customer.id),
        Err(Error::NotFound { .. })
    ));
    let mut input = deal(
        customer.id,
        "Werkstatt-Software",
        "qualification",
        "42000",
        "2027-02-28",
    );
    input.team = Some(vec![
        member(REP_A, "lead", "edit"),
        member(REP_B, "technical specialist", "read"),
    ]);
    let o = crm.opportunities().create(&a, &input)?;

    // A team member sees the address and the opportunity, but may only read it.
    assert_eq!(crm.addresses().get(&b, customer.id)?.id, customer.id);
    assert_eq!(crm.opportunities().get(&b, o.id)?.id, o.id);
    let refused = crm
        .opportunities()
        .set_stage(&b, o.id, o.version, "offer", None);
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    assert_eq!(
        crm.opportunities()
            .of_user(
                &b,
                b.user_id,
                &OpportunityFilter::default(),
                PageRequest::default()
            )?
            .total,
        1
    );
    // Someone outside the team and not responsible sees neither.
    assert!(matches!(
        crm.opportunities().get(&inside, o.id),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        crm.opportunities()
            .set_stage(&inside, o.id, o.version, "offer", None),
        Err(Error::Forbidden(_))
    ));
    assert!(matches!(
        crm.opportunities().of_user(
            &inside,
            b.user_id,
            &OpportunityFilter::default(),
            PageRequest::default()
        ),
        Err(Error::Forbidden(_))
    ));
    // The manager sees it without being in the team.
    assert_eq!(
        crm.opportunities()
            .of_address(&actor(MANAGER), customer.id)?
            .open
            .len(),
        1
    );

    // The team member's trace list has the opportunity's traces, not the address's own.
    let b_traces = crm
        .traces()
        .of_user(&b, b.user_id, &TraceFilter::default())?;
    assert_eq!(kinds(&b_traces), ["opportunity_created"]);
    let o = crm.opportunities().set_team(
        &a,
        o.id,
        o.version,
        &[
            member(REP_A, "lead", "edit"),
            member(REP_B, "field_sales", "edit"),
        ],
    )?;
    assert_eq!(
        o.member(UserId(REP_B)).map(|m| m.access),
        Some(Access::Edit)
    );
    let o = crm
        .opportunities()
        .set_stage(&b, o.id, o.version, "offer", None)?;
    let b_traces = crm
        .traces()
        .of_user(&b, b.user_id, &TraceFilter::default())?;
    assert_eq!(
        kinds(&b_traces),
        ["stage_changed", "team_changed", "opportunity_created"]
    );
    assert_eq!(b_traces.items[1].payload["changed"][0]["access"], "edit");

    // Leaving the team takes the address, the opportunity and its traces out of sight.
    let o = crm
        .opportunities()
        .set_team(&a, o.id, o.version, &[member(REP_A, "lead", "edit")])?;
    assert!(matches!(
        crm.addresses().get(&b, customer.id),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        crm.opportunities().get(&b, o.id),
        Err(Error::NotFound { .. })
    ));
    assert!(
        crm.traces()
            .of_user(&b, b.user_id, &TraceFilter::default())?
            .items
            .is_empty()
    );
    let a_traces = crm
        .traces()
        .of_user(&a, a.user_id, &TraceFilter::default())?;
    assert_eq!(a_traces.items.len(), 5, "{:?}", kinds(&a_traces));

    // Under the open policy another rep sees the address, but not opportunities of others.
    let open = crm_open_policy(db)?;
    if let Some(crm) = open {
        let customer = assigned_address(&crm, REP_A, "Gärtnerei Blum")?;
        crm.opportunities().create(
            &a,
            &deal(customer.id, "Gewächshaus", "inquiry", "9000", "2027-05-31"),
        )?;
        let seen = crm.opportunities().of_address(&b, customer.id)?;
        assert!(seen.open.is_empty());
        let traces = crm
            .traces()
            .of_address(&b, customer.id, &TraceFilter::default())?;
        assert_eq!(
            kinds(&traces),
            ["address_created"],
            "the inquiry's trace stays hidden"
        );
    }
    Ok(())
}

fn crm_open_policy(db: Db) -> Result<Option<TestCrm>, Box<dyn std::error::Error>> {
    crm(db, "")
}

fn milestones_are_changed_through_their_opportunity(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let rep = actor(REP_A);
    let customer = assigned_address(&crm, REP_A, "Hotel Alpenblick")?;
    let o = crm.opportunities().create(
        &rep,
        &deal(
            customer.id,
            "Zimmer-Tablets",
            "offer",
            "30000",
            "2027-02-28",
        ),
    )?;
    let due = crm.opportunities().add_milestone(
        &rep,
        o.id,
        &crm::opportunity::MilestoneInput {
            milestone_type: "offer deadline".into(),
            title: "Offerte abgeben".into(),
            due: "2027-01-15".into(),
            ..Default::default()
        },
    )?;
    let bad = crm.opportunities().add_milestone(
        &rep,
        o.id,
        &crm::opportunity::MilestoneInput {
            milestone_type: "party".into(),
            title: "Apéro".into(),
            due: "15.01.2027".into(),
            ..Default::default()
        },
    );
    assert_eq!(invalid_fields(bad), ["due", "milestone_type"]);

    // The calendar refuses to change it directly.
    let direct = crm
        .calendar()
        .move_milestone(&rep, due.id, due.version, "2027-01-20");
    assert_eq!(invalid_fields(direct), ["linked"]);
    let mut linked = entry(customer.id, "milestone", "Entscheid", "2027-02-01");
    linked.due = Some("2027-02-01".into());
    linked.linked = Some(o.id.into());
    assert_eq!(
        invalid_fields(crm.calendar().create(&rep, &linked)),
        ["linked"]
    );

    let due = crm
        .opportunities()
        .move_milestone(&rep, o.id, due.id, due.version, "2027-01-16")?;
    let due = crm
        .opportunities()
        .move_milestone(&rep, o.id, due.id, due.version, "2027-01-21")?;
    assert_eq!(due.moves.len(), 2);
    let done = crm.opportunities().complete_milestone(
        &rep,
        o.id,
        due.id,
        due.version,
        Some("Offerte per Mail"),
    )?;
    assert_eq!(done.data.status, crm::calendar::EntryStatus::Done);
    assert_eq!(
        crm.opportunities().milestones(&rep, o.id)?,
        vec![done.clone()]
    );
    let other = crm.opportunities().create(
        &rep,
        &deal(customer.id, "Minibar", "inquiry", "3000", "2027-03-31"),
    )?;
    let wrong =
        crm.opportunities()
            .move_milestone(&rep, other.id, done.id, done.version, "2027-02-01");
    assert!(matches!(wrong, Err(Error::NotFound { .. })), "{wrong:?}");

    // Only the move by five days was traced, as news of the opportunity.
    let traces = crm.traces().of_address(
        &rep,
        customer.id,
        &TraceFilter {
            kinds: vec!["milestone_moved".into()],
            ..Default::default()
        },
    )?;
    assert_eq!(traces.items.len(), 1);
    let moved = &traces.items[0];
    assert_eq!(moved.linked, o.id.into());
    assert_eq!(moved.payload["entry"], done.id.0);
    assert!(moved.summary.contains("+5 days"), "{}", moved.summary);
    Ok(())
}
