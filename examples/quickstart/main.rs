//! The main example: opens the embedded default (SQLite under `./crm-data/`), seeds a Swiss
//! wholesaler's demo data once, then works as the field rep Anna Meier: searches, converts a
//! lead with its duplicate check, activates an address, plans a visit in its calendar, puts it
//! into her pool, opens an opportunity with a milestone, shows the address's opportunities
//! and latest traces and her traces over all her customers, shows what the ERP knows about
//! the address (sales documents, open order lines, open items with payment habits, special
//! conditions, explained prices), shows her revenue and her best customer's with charts
//! written to `./crm-data/charts/`, searches products as she types and hands one to her draft
//! quote, submits the quote to the ERP's outbox, and writes every demo user's calendar as iCalendar file
//! to `./crm-data/exports/<login>.ics`.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Running it again reuses the data: the seed is skipped and a new lead is captured.

mod dashboards;
mod documents;
mod erp;
mod products;
mod revenue;
mod sales;

use crm::{
    Actor, Address, AddressCriteria, AddressInput, AddressKind, AddressSort, AddressSortField,
    AddressSummary, AddressView, ConvertOptions, Crm, Error, MatchReason, PageRequest,
    PostalAddressInput, PostalCodeFilter, Settings, calendar, demo,
};
use dashboards::dashboards;
use documents::documents;
use erp::{erp, submit};
use products::products;
use revenue::revenue;
use sales::{opportunities, traces};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Brand words for the fresh lead of each run, so that runs do not duplicate each other.
const FRESH: &[&str] = &[
    "Alpenblick",
    "Bergsonne",
    "Gletscherlicht",
    "Seeblick",
    "Sonnenhang",
    "Föhnwind",
    "Edelweiss",
    "Morgenrot",
    "Firnschnee",
    "Talwind",
    "Lärchenwald",
    "Arvenholz",
];

fn main() -> Result<()> {
    let settings = Settings::load()?;
    let crm = Crm::open(settings)?;
    println!(
        "CRM quickstart on {} ({})",
        crm.settings().database_url(),
        crm.backend()
    );

    let seeded = demo::seed(&crm, 300)?;
    if seeded.already_seeded {
        println!("Demo data already present: seeding skipped.");
    } else {
        println!(
            "Seeded {} addresses with {} contacts, {} notes, {} calendar entries, {} pools, \
             {} opportunities, {} ERP events as traces, {} ERP records in the replica and {} \
             products in the catalog.",
            seeded.addresses,
            seeded.contacts,
            seeded.notes,
            seeded.calendar_entries,
            seeded.pools,
            seeded.opportunities,
            seeded.erp_events,
            seeded.erp_records,
            seeded.products
        );
    }

    let rep = demo::field_rep();
    println!("\nSigned in as {} (field sales).", rep.display_name);

    search(&crm, &rep)?;
    let customer = convert_leads(&crm, &rep)?;
    activate(&crm, &rep, &customer)?;
    calendar(&crm, &rep, &customer)?;
    pools(&crm, &rep, &customer)?;
    opportunities(&crm, &rep, &customer)?;
    traces(&crm, &rep, &customer)?;
    erp(&crm, &rep, &customer)?;
    revenue(&crm, &rep)?;
    products(&crm, &rep)?;
    documents(&crm, &rep, &customer)?;
    dashboards(&crm, &rep, &customer)?;
    submit(&crm, &rep)?;
    exports(&crm)?;
    Ok(())
}

/// Plans a visit next week and shows the address's calendar for the coming three months.
fn calendar(crm: &Crm, rep: &Actor, customer: &Address) -> Result<()> {
    println!("\n== Calendar of {} ==", customer.data.display_name());
    let zone = calendar::Zone::ZURICH;
    let now = chrono::Utc::now();
    let next_week = zone.local(now).date() + chrono::Duration::days(7);
    let visit = crm.calendar().create(
        rep,
        &calendar::EntryInput {
            address_id: Some(customer.id),
            kind: Some("activity".into()),
            entry_type: Some("visit".into()),
            title: "Besuch: Doppelerfassung klären, neue Aktionen zeigen".into(),
            start: Some(format!("{}T10:00", next_week.format("%Y-%m-%d"))),
            end: Some(format!("{}T11:00", next_week.format("%Y-%m-%d"))),
            location: customer.data.postal.city.clone(),
            ..Default::default()
        },
    )?;
    println!(
        "Planned: {} on {}.",
        visit.data.title,
        next_week.format("%d.%m.%Y")
    );
    let range = calendar::TimeRange::new(
        now - chrono::Duration::days(7),
        now + chrono::Duration::days(90),
    )?;
    let page =
        crm.calendar()
            .address_calendar(rep, customer.id, range, &[], PageRequest::first(12))?;
    println!("Next three months ({} entries):", page.total);
    for o in &page.items {
        let local = o.zone.local(o.start);
        let when = if o.all_day {
            local.format("%a %d.%m.%Y       ").to_string()
        } else {
            local.format("%a %d.%m.%Y %H:%M").to_string()
        };
        println!(
            "  {when}  {:<10} {:<14} {}{}",
            o.kind.as_str(),
            o.entry_type,
            o.title,
            if o.recurring { " (series)" } else { "" }
        );
    }
    Ok(())
}

/// Puts the address on the rep's visiting list and shows the pools it belongs to.
fn pools(crm: &Crm, rep: &Actor, customer: &Address) -> Result<()> {
    println!("\n== Pools of {} ==", customer.data.display_name());
    let list = match crm
        .pools()
        .list(rep)?
        .into_iter()
        .find(|p| p.data.name == "Besuchsliste" && p.owner == rep.user_id)
    {
        Some(pool) => pool,
        None => crm.pools().create(
            rep,
            &crm::PoolInput {
                name: "Besuchsliste".into(),
                description: Some("Diese Woche besuchen".into()),
                visibility: Some("private".into()),
            },
        )?,
    };
    if crm.pools().add(rep, list.id, customer.id)? {
        println!("Added to {}.", list.data.name);
    }
    for pool in crm.pools().pools_of(rep, customer.id)? {
        let members = crm.pools().get(rep, pool.id)?.members;
        println!(
            "  {} ({}, {} addresses){}",
            pool.data.name,
            pool.data.visibility,
            members,
            pool.data
                .description
                .as_deref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// Writes every demo user's calendar (the last month and the coming year) as iCalendar file.
fn exports(crm: &Crm) -> Result<()> {
    println!("\n== iCalendar exports ==");
    let dir = crm.settings().data_dir.join("exports");
    std::fs::create_dir_all(&dir)?;
    let now = chrono::Utc::now();
    let range = calendar::TimeRange::new(
        now - chrono::Duration::days(31),
        now + chrono::Duration::days(365),
    )?;
    for user in crm.users().list(false)? {
        let text = crm.export_user_calendar(&user.actor(), user.id, range)?;
        let path = dir.join(format!("{}.ics", user.login));
        std::fs::write(&path, &text)?;
        println!(
            "  {} ({} events)",
            path.display(),
            text.matches("BEGIN:VEVENT").count()
        );
    }
    Ok(())
}

fn search(crm: &Crm, rep: &Actor) -> Result<()> {
    println!("\n== Search ==");
    let by_name = AddressCriteria {
        name: Some("muell".into()),
        ..Default::default()
    };
    let hits = crm
        .addresses()
        .search(rep, &by_name, PageRequest::first(8))?;
    println!("Name \"muell\": {} addresses", hits.total);
    print_rows(&hits.items);

    let by_range = AddressCriteria {
        postal_code: Some(PostalCodeFilter::Range {
            from: "8000".into(),
            to: "8999".into(),
        }),
        kind: Some(AddressKind::Lead),
        sort: AddressSort {
            by: AddressSortField::PostalCode,
            descending: false,
        },
        ..Default::default()
    };
    let hits = crm
        .addresses()
        .search(rep, &by_range, PageRequest::first(5))?;
    println!(
        "\nLeads in postal codes 8000–8999: {} (first 5)",
        hits.total
    );
    print_rows(&hits.items);

    // One search box over names, contact persons, places and e-mail addresses, with
    // typos and umlauts written either way, within what she may see.
    let hits = crm
        .addresses()
        .search_text(rep, "kuchenbau duebendorf", PageRequest::first(5))?;
    println!(
        "\nFree text \"kuchenbau duebendorf\": {} addresses (first 5)",
        hits.total
    );
    print_rows(&hits.items);
    Ok(())
}

fn print_rows(rows: &[AddressSummary]) {
    for row in rows {
        println!(
            "  {:>7}  {:<9} {:<42} {} {}",
            row.number,
            row.kind.as_str(),
            truncate(&row.name, 42),
            row.postal_code.as_deref().unwrap_or(""),
            row.city.as_deref().unwrap_or("")
        );
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// Captures a near-duplicate of one of Anna's customers (refused), then a fresh lead
/// (converted); returns the customer the rep works on next.
fn convert_leads(crm: &Crm, rep: &Actor) -> Result<Address> {
    println!("\n== Lead conversion ==");
    let mine = AddressCriteria {
        kind: Some(AddressKind::Customer),
        responsible: Some(rep.user_id),
        sort: AddressSort {
            by: AddressSortField::Number,
            descending: false,
        },
        ..Default::default()
    };
    let customers = crm.addresses().search(rep, &mine, PageRequest::first(50))?;
    let mut original = None;
    for row in &customers.items {
        let address = crm.addresses().get(rep, row.id)?;
        if address.data.phone.is_some() && address.data.postal.street.is_some() {
            original = Some(address);
            break;
        }
    }
    let original = original.ok_or("the demo data has no customer with a phone")?;

    // The same company, typed again by someone in a hurry.
    let retyped = AddressInput {
        name1: crm::text::fold_expand(&original.data.name1)
            .split(' ')
            .map(capitalize)
            .collect::<Vec<_>>()
            .join(" "),
        legal_form: Some("GmbH".into()),
        postal: original.data.postal.to_input(),
        phone: original.data.phone.as_ref().map(|p| p.display()),
        ..Default::default()
    };
    let twin = crm.addresses().capture_lead(rep, &retyped)?;
    println!(
        "Captured lead {} \"{}\" in {}.",
        twin.number,
        twin.data.display_name(),
        twin.data.postal.city.as_deref().unwrap_or("?")
    );
    let preview = crm.addresses().preview_conversion(rep, twin.id)?;
    let changes: Vec<String> = preview
        .changes
        .iter()
        .filter(|c| !c.from.is_empty())
        .map(|c| format!("{} {} → {}", c.field, c.from, c.to))
        .collect();
    println!(
        "Dry run: {}; {} duplicate candidate(s):",
        changes.join(", "),
        preview.candidates.len()
    );
    for candidate in &preview.candidates {
        let reasons: Vec<String> = candidate.reasons.iter().map(describe).collect();
        println!(
            "  {} {} ({}) — {}{}",
            candidate.number,
            candidate.name.as_deref().unwrap_or("not visible to you"),
            candidate.city.as_deref().unwrap_or("?"),
            reasons.join(", "),
            if candidate.strong { " [strong]" } else { "" }
        );
    }
    match crm
        .addresses()
        .convert_to_customer(rep, twin.id, twin.version, ConvertOptions::default())
    {
        Err(Error::Duplicate { what, .. }) => println!("Conversion refused: duplicate {what}."),
        Ok(done) => println!("Converted to customer {}.", done.customer.number),
        Err(other) => return Err(other.into()),
    }

    let runs = crm
        .addresses()
        .search(
            rep,
            &AddressCriteria {
                name: Some("solarbau".into()),
                status: crm::StatusFilter::Any,
                ..Default::default()
            },
            PageRequest::first(1),
        )?
        .total as usize;
    let fresh = AddressInput {
        name1: format!("Solarbau {}", FRESH[runs % FRESH.len()]),
        legal_form: Some("AG".into()),
        postal: PostalAddressInput {
            street: Some(format!("Sonnenweg {}", runs + 1)),
            postal_code: Some("7000".into()),
            city: Some("Chur".into()),
            ..Default::default()
        },
        phone: Some(format!("081 250 {:02} {:02}", runs / 100, runs % 100)),
        email: Some(format!("info@solarbau-{}.ch", runs + 1)),
        industry: Some("Solartechnik".into()),
        ..Default::default()
    };
    let lead = crm.addresses().capture_lead(rep, &fresh)?;
    let preview = crm.addresses().preview_conversion(rep, lead.id)?;
    println!(
        "\nCaptured lead {} \"{}\"; dry run: {} candidate(s), {}.",
        lead.number,
        lead.data.display_name(),
        preview.candidates.len(),
        if preview.blocked {
            "blocked"
        } else {
            "not blocked"
        }
    );
    let options = ConvertOptions {
        // After many runs the brand words repeat; the rep then confirms explicitly.
        override_duplicates: preview.blocked,
    };
    let done = crm
        .addresses()
        .convert_to_customer(rep, lead.id, lead.version, options)?;
    println!(
        "Converted: customer {} (former lead {}), converted by {} at {}.",
        done.customer.number,
        done.lead_number,
        rep.display_name,
        done.customer
            .converted
            .map(|s| s.at.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    );
    Ok(original)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn describe(reason: &MatchReason) -> String {
    match reason {
        MatchReason::SimilarName { similarity } => format!("similar name ({similarity:.2})"),
        MatchReason::SameEmailDomain { domain } => format!("same e-mail domain {domain}"),
        MatchReason::SamePhone { phone } => {
            let readable = crm::Phone::parse(phone, crm::CountryCode::CH)
                .map(|p| p.display())
                .unwrap_or_else(|_| phone.clone());
            format!("same phone {readable}")
        }
        MatchReason::SamePostalAddress {
            postal_code,
            street,
        } => format!("same address {street}, {postal_code}"),
        _ => "other match".into(),
    }
}

fn activate(crm: &Crm, rep: &Actor, customer: &Address) -> Result<()> {
    println!("\n== Active address ==");
    crm.notes().add(
        rep,
        customer.id,
        "Telefon: Doppelerfassung als Lead abgefangen, Kunde bleibt unter bisheriger Nummer.",
        None,
    )?;
    let view = crm.addresses().activate(rep, customer.id)?;
    print_view(crm, &view)?;
    let recent = crm.addresses().recently_activated(rep)?;
    println!("\nRecently activated by {}:", rep.display_name);
    for entry in recent.iter().take(5) {
        println!(
            "  {}  {} {}",
            entry.activated_at.format("%Y-%m-%d %H:%M"),
            entry.address.number,
            entry.address.name
        );
    }
    Ok(())
}

fn print_view(crm: &Crm, view: &AddressView) -> Result<()> {
    let a = &view.address;
    let d = &a.data;
    let name = |id: Option<crm::UserId>| -> Result<String> {
        Ok(match id {
            Some(id) => crm.users().get(id)?.display_name,
            None => "—".into(),
        })
    };
    let full_name = match &d.legal_form {
        Some(form) => format!("{} {form}", d.display_name()),
        None => d.display_name(),
    };
    println!(
        "{full_name} ({} {}, class {}, version {})",
        a.kind.as_str(),
        a.number,
        d.classification.map(|c| c.as_str()).unwrap_or("—"),
        a.version
    );
    for line in d.postal.lines() {
        println!("  {line}");
    }
    let reach: Vec<String> = [
        d.phone.as_ref().map(|p| p.display()),
        d.email.as_ref().map(|e| e.to_string()),
        d.website.as_ref().map(|w| w.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    println!("  {}", reach.join(" · "));
    println!(
        "  Industry: {} · Language: {} · Field rep: {} · Inside rep: {}",
        d.industry.as_deref().unwrap_or("—"),
        d.language,
        name(d.field_rep)?,
        name(d.inside_rep)?
    );
    if let Some(geo) = d.geo {
        println!(
            "  Position: {:.4} N, {:.4} E",
            geo.latitude(),
            geo.longitude()
        );
    }
    println!("Contacts ({}):", view.contacts.len());
    for c in &view.contacts {
        let reach: Vec<String> = [
            c.data.function.clone(),
            c.data.mobile.as_ref().map(|p| p.display()),
            c.data.email.as_ref().map(|e| e.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect();
        println!(
            "  {} {} — {}",
            if c.primary { "*" } else { " " },
            c.data.full_name(),
            reach.join(", ")
        );
    }
    println!("Notes ({}):", view.notes.total);
    for n in &view.notes.items {
        println!(
            "  {} {}: {}",
            n.created_at.format("%Y-%m-%d"),
            name(Some(n.author))?,
            n.text.replace('\n', " / ")
        );
    }
    Ok(())
}
