//! The ERP part of the quickstart: what the ERP knows about the active address, from the
//! replica the demo seed filled — sales documents, open order lines, open items with payment
//! habits, special conditions, and a draft quote with two products priced and explained,
//! submitted to the ERP's outbox at the end of the quickstart.

use crm::erp::DocumentQuery;
use crm::{Actor, Address, Crm, Currency, Decimal, PageRequest, demo};

use super::{Result, truncate};

pub fn erp(crm: &Crm, rep: &Actor, customer: &Address) -> Result<()> {
    let erp = crm.erp();
    println!("\n== ERP: {} ==", customer.data.display_name());
    let documents = erp.documents(
        rep,
        customer.id,
        &DocumentQuery::default(),
        PageRequest::first(6),
    )?;
    println!("Sales documents ({}):", documents.total);
    for d in &documents.items {
        println!(
            "  {:<16} {:<13} {}  {:<9} {:>14}",
            d.number.to_string(),
            d.kind.to_string(),
            d.date,
            d.status.to_string(),
            d.gross.to_string()
        );
    }
    if let Some(first) = documents.items.first() {
        let full = erp.document(rep, first.number.as_str())?;
        for line in &full.lines {
            println!(
                "      {:>2}. {:<28} {:>5} × {:>9} = {:>10}",
                line.position,
                truncate(&line.description, 28),
                line.quantity.normalize(),
                line.unit_price,
                line.net_amount
            );
        }
    }

    let lines = erp.disposition(rep, customer.id, false, PageRequest::first(10))?;
    println!("Open order lines ({}):", lines.total);
    for l in &lines.items {
        println!(
            "  {:<16} {:>2} {:<28} open {:>5} {:<16} {}",
            l.line.order.to_string(),
            l.line.position,
            truncate(&l.line.description, 28),
            l.open_quantity.normalize(),
            l.status.to_string(),
            if l.delay_days > 0 {
                format!("{} days late", l.delay_days)
            } else {
                "on time".into()
            }
        );
    }

    let receivables = erp.receivables(rep, customer.id)?;
    println!("Open items ({}):", receivables.open_items.len());
    for item in &receivables.open_items {
        println!(
            "  {:<16} due {}  open {:>12} {}",
            item.invoice.to_string(),
            item.due_date,
            item.open_amount,
            item.currency
        );
    }
    for h in &receivables.habits {
        let days = |d: Option<Decimal>| d.map_or("–".into(), |d| d.to_string());
        println!(
            "Payment habits ({}, {} settled invoices): {} days to pay on average (median {}), \
             {} days late weighted by amount, {}% on time, DSO {}, overdue {}{}",
            h.currency,
            h.settled_invoices,
            days(h.average_days_to_pay),
            days(h.median_days_to_pay),
            days(h.weighted_days_late),
            days(h.on_time_percent),
            days(h.dso_days),
            h.ageing.overdue(),
            h.trend
                .map(|t| format!(", trend {:?}", t.direction).to_lowercase())
                .unwrap_or_default()
        );
    }

    let conditions = erp.special_conditions(rep, customer.id, None, PageRequest::first(10))?;
    println!("Special conditions ({}):", conditions.total);
    for c in &conditions.items {
        println!("  {c}");
    }

    let quotes = crm.quotes();
    let draft = quotes.create(rep, customer.id, Currency::CHF)?;
    let mut draft = draft;
    for (product, quantity) in [(demo::PRODUCTS[0], 150), (demo::PRODUCTS[2], 2)] {
        draft = quotes.add_line(
            rep,
            draft.id,
            draft.version,
            product.0,
            Decimal::from(quantity),
            Some(product.1),
        )?;
    }
    println!(
        "Draft quote {} (her active sales document), {} lines:",
        draft.number(),
        draft.lines.len()
    );
    for line in &draft.lines {
        println!(
            "  {}. {} × {} {} = {}",
            line.line.position,
            line.line.quantity,
            line.line.description,
            line.price
                .applied
                .as_deref()
                .map_or("at list price".into(), |id| format!("by {id}")),
            line.price.net_amount
        );
        for text in line.price.explanation() {
            println!("      {text}");
        }
    }
    println!(
        "  net {}, VAT {}, total {}",
        draft.totals.net,
        draft
            .totals
            .vat
            .iter()
            .map(|v| v.vat.to_string())
            .collect::<Vec<_>>()
            .join(" + "),
        draft.totals.gross
    );
    Ok(())
}

/// Submits the rep's active draft quote to the outbox the ERP host reads.
pub fn submit(crm: &Crm, rep: &Actor) -> Result<()> {
    let quotes = crm.quotes();
    let Some(crm::erp::ActiveSalesDocument::Draft(draft)) = quotes.active(rep)? else {
        return Ok(());
    };
    let submitted = quotes.submit(rep, draft.id, draft.version)?;
    let waiting = quotes.outbox(&demo::admin(), crm::MAX_OUTBOX)?.len();
    println!(
        "\nSubmitted {} with {} lines, total {}: {waiting} quote(s) wait in the outbox for the \
         ERP.",
        submitted.number(),
        submitted.lines.len(),
        submitted.totals.gross
    );
    Ok(())
}
