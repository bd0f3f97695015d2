//! The sales part of the quickstart: an opportunity with its milestone, the customer's
//! current opportunities, the rep's pipeline, and traces.

use crm::opportunity::OpportunityInput;
use crm::trace::TraceFilter;
use crm::{Actor, Address, Crm, PageRequest};

use super::{Result, truncate};

/// Opens an opportunity for the customer, moves it on, and shows the customer's current
/// opportunities and the rep's weighted pipeline.
pub fn opportunities(crm: &Crm, rep: &Actor, customer: &Address) -> Result<()> {
    println!("\n== Opportunities of {} ==", customer.data.display_name());
    let close = chrono::Utc::now().date_naive() + chrono::Duration::days(60);
    let deal = crm.opportunities().create(
        rep,
        &OpportunityInput {
            address_id: Some(customer.id),
            title: "Aktionsregale für die Frühlingssaison".into(),
            volume: Some(crm::MoneyInput {
                amount: "48000".into(),
                currency: None,
            }),
            close_date: Some(close.format("%Y-%m-%d").to_string()),
            source: Some("Besuch".into()),
            ..Default::default()
        },
    )?;
    let deal = crm
        .opportunities()
        .set_stage(rep, deal.id, deal.version, "offer", None)?;
    crm.opportunities().add_milestone(
        rep,
        deal.id,
        &crm::opportunity::MilestoneInput {
            milestone_type: "offer_deadline".into(),
            title: "Offerte abgeben".into(),
            due: (close - chrono::Duration::days(30))
                .format("%Y-%m-%d")
                .to_string(),
            ..Default::default()
        },
    )?;
    let current = crm.opportunities().of_address(rep, customer.id)?;
    for o in current.open.iter().chain(&current.recently_decided) {
        println!(
            "  {:>5}  {:<40} {:<13} {:>3} %  {:>14}  {}",
            o.number,
            truncate(&o.title, 40),
            crm.pipeline().label(&o.stage),
            o.probability,
            o.volume.map(|v| v.to_string()).unwrap_or_default(),
            o.close_date.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    let mine = crm.opportunities().of_user(
        rep,
        rep.user_id,
        &crm::opportunity::OpportunityFilter::default(),
        PageRequest::first(1),
    )?;
    let pipeline = crm.opportunities().pipeline(rep, &[rep.user_id])?;
    println!(
        "\n{}'s pipeline ({} open opportunities):",
        rep.display_name, mine.total
    );
    for s in &pipeline.by_stage {
        println!(
            "  {:<13} {:>3} × {:>16} weighted {:>16}",
            s.label,
            s.count,
            s.volume.to_string(),
            s.weighted.to_string()
        );
    }
    Ok(())
}

/// The customer's latest traces, and the latest over all of the rep's customers.
pub fn traces(crm: &Crm, rep: &Actor, customer: &Address) -> Result<()> {
    let latest = TraceFilter {
        limit: 8,
        ..Default::default()
    };
    println!("\n== Traces of {} ==", customer.data.display_name());
    for t in crm.traces().of_address(rep, customer.id, &latest)?.items {
        println!(
            "  {}  {:<20} {}",
            t.recorded_at.format("%Y-%m-%d %H:%M"),
            t.kind,
            t.summary
        );
    }
    println!(
        "\n== Latest traces over {}'s customers ==",
        rep.display_name
    );
    let page = crm.traces().of_user(rep, rep.user_id, &latest)?;
    for t in &page.items {
        println!(
            "  {}  {:<30} {}",
            t.recorded_at.format("%Y-%m-%d %H:%M"),
            truncate(&t.address.name, 30),
            t.summary
        );
    }
    if let Some(first) = page.items.first() {
        let opened = match crm.traces().open_linked(rep, first.id)? {
            crm::LinkedRecord::Opportunity(o) => {
                format!("opportunity {} {}", o.number, o.data.title)
            }
            crm::LinkedRecord::Address(a) => {
                format!("address {} {}", a.number, a.data.display_name())
            }
            other => format!("{other:?}").chars().take(60).collect(),
        };
        println!("The newest opens {opened}.");
    }
    Ok(())
}
