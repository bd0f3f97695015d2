//! The dashboards part of the quickstart: the active address's dashboard and the field
//! rep's, printed as text and written as JSON under `./crm-data/dashboards/` — the JSON a
//! front end renders.

use crm::dashboard::{AddressDashboard, UserDashboard};
use crm::values::swiss;
use crm::{Actor, Address, Crm, DashboardOptions};

use super::{Result, truncate};

pub fn dashboards(crm: &Crm, rep: &Actor, customer: &Address) -> Result<()> {
    let options = DashboardOptions::default();
    let started = std::time::Instant::now();
    let board = crm.dashboards().address(rep, customer.id, &options)?;
    let took = started.elapsed().as_micros();
    println!(
        "\n== Dashboard of {} {} ({took} µs) ==",
        board.address.number, board.address.data.name1
    );
    print_address(&board);
    let started = std::time::Instant::now();
    let mine = crm.dashboards().user(rep, rep.user_id, &options)?;
    let took = started.elapsed().as_micros();
    println!(
        "\n== Dashboard of {} ({took} µs) ==",
        mine.user.display_name
    );
    print_user(&mine);

    let dir = crm.settings().data_dir.join("dashboards");
    std::fs::create_dir_all(&dir)?;
    let address_file = dir.join(format!("address-{}.json", board.address.number));
    std::fs::write(&address_file, serde_json::to_string_pretty(&board)?)?;
    let user_file = dir.join(format!("user-{}.json", mine.user.login));
    std::fs::write(&user_file, serde_json::to_string_pretty(&mine)?)?;
    println!(
        "\nDashboards written as JSON to {} and {}",
        address_file.display(),
        user_file.display()
    );
    Ok(())
}

fn print_address(board: &AddressDashboard) {
    let postal = &board.address.data.postal;
    println!(
        "Address:       {}, {} {} ({})",
        postal.street.as_deref().unwrap_or("–"),
        postal.postal_code.as_deref().unwrap_or(""),
        postal.city.as_deref().unwrap_or(""),
        postal.country.as_str()
    );
    println!("Map:           {}", board.location.map_url);
    let contacts: Vec<String> = board.contacts.iter().map(|c| c.data.full_name()).collect();
    println!("Contacts:      {}", contacts.join(", "));
    println!("Notes:         {} in all", board.notes.total);
    for note in &board.notes.items {
        println!(
            "  {}  {}",
            note.created_at.date_naive(),
            truncate(&note.text, 60)
        );
    }
    if let Some(revenue) = &board.revenue {
        let ytd = &revenue.figures.year_to_date;
        println!(
            "Revenue:       {} {} this year to {} (last year {}), sparkline {}",
            swiss(ytd.figures.current.net, 2),
            revenue.figures.currency,
            ytd.to,
            swiss(ytd.figures.previous.net, 2),
            if revenue.sparkline_svg.is_some() {
                "drawn"
            } else {
                "not drawn"
            }
        );
    }
    println!(
        "Opportunities: {} open, {} decided lately",
        board.opportunities.open.len(),
        board.opportunities.recently_decided.len()
    );
    for o in &board.opportunities.open {
        println!(
            "  {} {} ({} %)",
            o.number,
            truncate(&o.title, 40),
            o.probability
        );
    }
    println!("Latest traces:");
    for t in board.traces.iter().take(5) {
        println!(
            "  {}  {}",
            t.recorded_at.format("%Y-%m-%d %H:%M"),
            truncate(&t.summary, 60)
        );
    }
    if let Some(documents) = &board.sales_documents {
        println!("Sales documents: {} current", documents.total);
        for d in &documents.items {
            println!(
                "  {} {:?} {} {} {}",
                d.number,
                d.kind,
                d.date,
                swiss(d.net.amount, 2),
                d.net.currency
            );
        }
    }
    if let Some(r) = &board.receivables {
        println!(
            "Open items:    {} ({} overdue){}",
            r.open_items,
            r.overdue_items,
            r.habits
                .iter()
                .map(|h| format!(
                    ", {} {} open, pays in {} days on average",
                    swiss(h.open_amount.amount, 2),
                    h.currency,
                    h.average_days_to_pay
                        .map_or("–".to_owned(), |d| swiss(d, 1))
                ))
                .collect::<String>()
        );
    }
    println!(
        "Open order lines: {}, special conditions: {}, documents: {}",
        board.open_order_lines.unwrap_or(0),
        board.special_conditions.unwrap_or(0),
        board.documents
    );
    let pools: Vec<&str> = board.pools.iter().map(|p| p.data.name.as_str()).collect();
    println!("Pools:         {}", pools.join(", "));
    println!("Next in the calendar:");
    for e in &board.next_calendar_entries {
        println!("  {}  {}", e.start.format("%Y-%m-%d %H:%M"), e.title);
    }
}

fn print_user(board: &UserDashboard) {
    println!(
        "Calendar:      {} now, next {}",
        board.calendar.current.len(),
        board.calendar.next.len()
    );
    for e in board.calendar.current.iter().chain(&board.calendar.next) {
        println!(
            "  {}  {} ({})",
            e.start.format("%Y-%m-%d %H:%M"),
            truncate(&e.title, 40),
            e.address.name
        );
    }
    println!("Latest traces over her customers:");
    for t in board.traces.iter().take(5) {
        println!(
            "  {}  {}: {}",
            t.recorded_at.format("%Y-%m-%d %H:%M"),
            truncate(&t.address.name, 24),
            truncate(&t.summary, 50)
        );
    }
    let pipeline = &board.pipeline;
    println!(
        "Pipeline:      {} open opportunities, weighted {}",
        pipeline.opportunities.total,
        pipeline
            .weighted
            .iter()
            .map(|m| format!("{} {}", swiss(m.amount, 2), m.currency))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(r) = &board.revenue {
        println!(
            "Revenue:       {} {} this year so far; months done {} against {} last year ({})",
            swiss(r.year_to_date.net, 2),
            r.currency,
            swiss(r.completed.current.net, 2),
            swiss(r.completed.previous.net, 2),
            r.completed
                .change_percent
                .map_or("–".to_owned(), |p| format!("{p:+} %"))
        );
    }
    println!("Recently activated:");
    for a in &board.recently_activated {
        println!("  {} {}", a.address.number, a.address.name);
    }
}
