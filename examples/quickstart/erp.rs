//! The ERP part of the quickstart: what the ERP knows about the active address, from the
//! replica the demo seed filled — sales documents, open order lines, open items with payment
//! habits, special conditions, and two explained prices.

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

    println!("Prices:");
    for (product, quantity) in [(demo::PRODUCTS[0].0, 150), (demo::PRODUCTS[2].0, 2)] {
        let price = erp.price(
            rep,
            customer.id,
            product,
            Decimal::from(quantity),
            Currency::CHF,
            None,
        )?;
        println!(
            "  {quantity} × {product}: {} (list {}), {}",
            price.net_amount,
            price
                .list_unit_price
                .map(|l| l.to_string())
                .unwrap_or_else(|| "none".into()),
            price
                .applied
                .as_deref()
                .map_or("no special condition".into(), |id| format!("by {id}"))
        );
        for line in price.explanation() {
            println!("      {line}");
        }
    }
    Ok(())
}
