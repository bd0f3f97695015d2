//! The product part of the quickstart: Google-like search as a rep types (typos, measures,
//! another language), new items, current promotions, and a found product handed to the
//! active draft quote, priced and explained.

use crm::product::{ProductFilter, ProductQuery};
use crm::{Actor, Crm, Decimal, Language, PageRequest};

use super::Result;

fn query(text: &str, language: Language, filter: ProductFilter) -> ProductQuery {
    ProductQuery {
        text: text.into(),
        language,
        filter,
        day: chrono::Utc::now().date_naive(),
        limit: 3,
    }
}

pub fn products(crm: &Crm, rep: &Actor) -> Result<()> {
    println!("\n== Products ==");
    let products = crm.products();
    for (text, language) in [
        ("reihenklemne 5/5", Language::De),
        ("led 60 x 60", Language::De),
        ("etiquettes", Language::Fr),
        ("thermo", Language::De),
    ] {
        let started = std::time::Instant::now();
        let found = products.search(rep, &query(text, language, ProductFilter::default()))?;
        let took = started.elapsed().as_micros();
        let hits: Vec<String> = found
            .hits
            .iter()
            .map(|h| format!("{} {} ({:.1})", h.number, h.name, h.score))
            .collect();
        println!(
            "Search \"{text}\" ({language}, {took} µs): {} found — {}",
            found.total,
            hits.join("; ")
        );
    }
    let today = chrono::Utc::now().date_naive();
    let new = products.list(
        rep,
        &ProductFilter {
            new_since: Some(today - chrono::Duration::days(30)),
            ..Default::default()
        },
        Language::De,
        today,
        PageRequest::first(5),
    )?;
    println!("New items of the last 30 days ({}):", new.total);
    for p in &new.items {
        println!(
            "  {} {} (new since {})",
            p.number,
            p.name,
            p.new_since.unwrap_or(today)
        );
    }
    let promoted = products.list(
        rep,
        &ProductFilter {
            on_promotion: true,
            ..Default::default()
        },
        Language::De,
        today,
        PageRequest::first(5),
    )?;
    println!("On promotion today ({}):", promoted.total);
    for p in &promoted.items {
        if let Some(promo) = &p.promotion {
            println!(
                "  {} {}: {} until {}",
                p.number, p.name, promo.label, promo.to
            );
        }
    }

    let found = products.search(
        rep,
        &query("thermopapier", Language::De, ProductFilter::default()),
    )?;
    if let Some(hit) = found.hits.first() {
        let draft = products.to_active_document(rep, hit.number.as_str(), Decimal::from(40))?;
        if let Some(line) = draft.lines.last() {
            println!(
                "Handed to draft quote {}: {} × {} = {}",
                draft.number(),
                line.line.quantity,
                line.line.description,
                line.price.net_amount
            );
            for text in line.price.explanation() {
                println!("      {text}");
            }
        }
    }
    Ok(())
}
