//! The archive part of the quickstart: a visit report checked in as a PDF at the active
//! address, found again by a word of its text, the draft quote rendered as a PDF into the
//! archive, and the address's documents listed with where each hangs.

use crm::archive::{ArchiveLink, Category, DocumentInput};
use crm::erp::ActiveSalesDocument;
use crm::{Actor, Address, Crm, Language};

use super::Result;

pub fn documents(crm: &Crm, rep: &Actor, customer: &Address) -> Result<()> {
    println!("\n== Documents of {} ==", customer.data.display_name());
    let today = chrono::Utc::now().date_naive();
    let lines = vec![
        format!(
            "Besuch vom {} bei {}",
            today.format("%d.%m.%Y"),
            customer.data.display_name()
        ),
        "Besprochen: Doppelerfassung der Adresse bereinigt, neue Reihenklemmen vorgestellt."
            .to_owned(),
        "Nächster Schritt: Offerte für 200 Durchgangs-Reihenklemmen bis Ende Monat.".to_owned(),
    ];
    let pdf = crm::dmas::pdf::text_pdf("Besuchsbericht", &lines)?;
    let report = crm.documents().check_in(
        rep,
        &DocumentInput {
            title: format!("Besuchsbericht {}", today.format("%d.%m.%Y")),
            category: Category::Correspondence,
            language: Some(Language::De),
            tags: vec!["besuch".into()],
            links: vec![ArchiveLink::record(customer.id)],
            file_name: "besuchsbericht.pdf".into(),
            media_type: "application/pdf".into(),
        },
        &mut &pdf[..],
    )?;
    println!(
        "Checked in: {} ({} bytes, SHA-256 {}…), kept until {}.",
        report.title,
        report.versions[0].size,
        &report.versions[0].blob.as_str()[..12],
        report.retain_until
    );
    let started = std::time::Instant::now();
    let found = crm.documents().search(rep, "reihenklemen", 5)?;
    println!(
        "Full text \"reihenklemen\" ({} µs): {}",
        started.elapsed().as_micros(),
        found
            .iter()
            .map(|d| d.title.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
    if let Some(ActiveSalesDocument::Draft(draft)) = crm.quotes().active(rep)? {
        let offer = crm.archive_quote(rep, draft.id)?;
        let (_, mut bytes) = crm.documents().open(rep, offer.id, None)?;
        let dir = crm.settings().data_dir.join("exports");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(&offer.versions[0].file_name);
        std::io::copy(&mut bytes, &mut std::fs::File::create(&path)?)?;
        println!(
            "Draft quote rendered as PDF and archived: {} ({} bytes; a copy in {}).",
            offer.title,
            offer.versions[0].size,
            path.display()
        );
    }
    let listed = crm.documents().of_address(rep, customer.id)?;
    println!("{} documents at the address:", listed.len());
    for l in listed.iter().take(5) {
        let latest = l.document.latest();
        let via: Vec<String> = l.via.iter().map(ToString::to_string).collect();
        println!(
            "  {:<28} {:<14} v{} {} (at {})",
            l.document.title,
            l.document.category,
            latest.map_or(0, |v| v.number),
            latest.map_or_else(String::new, |v| v
                .checked_in_at
                .format("%d.%m.%Y")
                .to_string()),
            via.join(", ")
        );
    }
    Ok(())
}
