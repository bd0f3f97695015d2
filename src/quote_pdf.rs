//! A draft quote as a PDF in the archive.

use crm_core::archive::{ArchiveLink, Category, Document, DocumentInput};
use crm_core::{Actor, Address, DraftId, Error};

use crate::Crm;

/// The address block of `address`: names, street, addition, P.O. box, postal code and
/// city, the country when it is not Switzerland.
fn address_block(address: &Address) -> Vec<String> {
    let d = &address.data;
    let p = &d.postal;
    let mut lines = vec![d.name1.clone()];
    lines.extend(d.name2.clone());
    lines.extend(p.street.clone());
    lines.extend(p.addition.clone());
    lines.extend(p.po_box.clone());
    let place = [p.postal_code.as_deref(), p.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !place.is_empty() {
        lines.push(place);
    }
    if p.country.as_str() != "CH" {
        lines.push(p.country.as_str().to_owned());
    }
    lines
}

impl Crm {
    /// Renders the draft quote `id` as a PDF — address block, lines with wrapped
    /// descriptions, quantities, prices, discounts, VAT and totals in Swiss number format,
    /// on as many pages as it needs — and checks it into the archive as an offer, linked
    /// to the quote and its address. Answers the archived document.
    ///
    /// ```no_run
    /// # use crm::{Crm, Settings, DraftId};
    /// # let crm = Crm::open(Settings::load()?)?;
    /// # let rep = crm.users().actor(crm::UserId(101))?;
    /// let pdf = crm.archive_quote(&rep, DraftId(42))?;
    /// println!("{} archived, {} bytes", pdf.title, pdf.versions[0].size);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] for a draft or address the actor cannot see; what check-in
    /// reports.
    pub fn archive_quote(&self, actor: &Actor, id: DraftId) -> Result<Document, Error> {
        let draft = self.quotes().get(actor, id)?;
        let address = self.addresses().get(actor, draft.address_id)?;
        let document = draft.document();
        let sender = vec![format!("Verkauf: {}", actor.display_name)];
        let pdf =
            crm_dmas::quote::sales_document_pdf(&document, &sender, &address_block(&address))?;
        let number = document.number.to_string();
        self.documents().check_in(
            actor,
            &DocumentInput {
                title: format!("Offerte {number}"),
                category: Category::Offer,
                language: Some(address.data.language),
                tags: vec!["offerte".into()],
                links: vec![
                    ArchiveLink::sales_document(&document.number),
                    ArchiveLink::record(address.id),
                ],
                file_name: format!("{number}.pdf"),
                media_type: "application/pdf".into(),
            },
            &mut &pdf[..],
        )
    }
}
