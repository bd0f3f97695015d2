//! A sales document as a PDF: sender and address block, title with number and dates, a
//! table of lines (position, product number, description wrapped over as many rows as it
//! needs, quantity, unit price, discount, net), VAT per rate and totals in Swiss number
//! format, continued with its table header on as many pages as the lines need.

use crm_core::erp::{DocumentKind, DocumentLine, SalesDocument};
use crm_core::{Decimal, Result};

use crate::pdf::{A4, Placed, width, wrap, write_pdf};

const LEFT: f32 = 56.0;
const RIGHT: f32 = A4.0 - 56.0;
const BOTTOM: f32 = 90.0;
const SIZE: f32 = 9.0;
const LEADING: f32 = 12.0;
/// Right edges of the number columns, and where the text columns start.
const POS_X: f32 = LEFT;
const PRODUCT_X: f32 = LEFT + 28.0;
const TEXT_X: f32 = LEFT + 110.0;
const TEXT_WIDTH: f32 = 170.0;
const QUANTITY_RIGHT: f32 = 385.0;
const PRICE_RIGHT: f32 = 440.0;
const DISCOUNT_RIGHT: f32 = 482.0;
/// Where the labels of the totals start.
const TOTALS_X: f32 = 300.0;

pub use crm_core::values::swiss;

/// A quantity without trailing zeros: `40`, `2.5`.
fn quantity(q: Decimal) -> String {
    let q = q.normalize();
    swiss(q, q.scale())
}

/// The discount of a line in percent, from its unit price and net amount.
fn discount(line: &DocumentLine) -> Option<Decimal> {
    let gross = line.unit_price * line.quantity;
    if gross.is_zero() || line.net_amount >= gross {
        return None;
    }
    Some((Decimal::ONE - line.net_amount / gross) * Decimal::ONE_HUNDRED)
}

fn title_of(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Quote => "Offerte",
        DocumentKind::Order => "Auftragsbestätigung",
        DocumentKind::DeliveryNote => "Lieferschein",
        DocumentKind::Invoice => "Rechnung",
        DocumentKind::CreditNote => "Gutschrift",
    }
}

/// Lays out pages top to bottom.
struct Pages {
    pages: Vec<Vec<Placed>>,
    y: f32,
}

impl Pages {
    fn text(&mut self, x: f32, text: &str, bold: bool) {
        if let Some(page) = self.pages.last_mut() {
            page.push(Placed {
                x,
                y: self.y,
                size: SIZE,
                bold,
                text: text.to_owned(),
            });
        }
    }

    fn right(&mut self, right: f32, text: &str, bold: bool) {
        self.text(right - width(text, SIZE), text, bold);
    }

    fn table_header(&mut self) {
        self.text(POS_X, "Pos.", true);
        self.text(PRODUCT_X, "Artikel", true);
        self.text(TEXT_X, "Bezeichnung", true);
        self.right(QUANTITY_RIGHT, "Menge", true);
        self.right(PRICE_RIGHT, "Preis", true);
        self.right(DISCOUNT_RIGHT, "Rabatt", true);
        self.right(RIGHT, "Netto", true);
        self.y -= LEADING * 1.5;
    }

    /// Room for `rows` more rows, or a new page with the table header.
    fn need(&mut self, rows: usize, header: bool) {
        if self.y - LEADING * rows as f32 >= BOTTOM {
            return;
        }
        self.pages.push(Vec::new());
        self.y = A4.1 - 72.0;
        if header {
            self.table_header();
        }
    }
}

/// The PDF of `document` for `recipient` (the address block, line by line) from `sender`.
///
/// # Errors
/// [`crm_core::Error::Storage`] when lopdf cannot encode it.
pub fn sales_document_pdf(
    document: &SalesDocument,
    sender: &[String],
    recipient: &[String],
) -> Result<Vec<u8>> {
    let mut p = Pages {
        pages: vec![Vec::new()],
        y: A4.1 - 56.0,
    };
    p.text(LEFT, &sender.join(" · "), false);
    p.y = A4.1 - 130.0;
    for line in recipient {
        p.text(330.0, line, false);
        p.y -= LEADING;
    }
    p.y = A4.1 - 230.0;
    let title = format!("{} {}", title_of(document.kind), document.number);
    if let Some(page) = p.pages.last_mut() {
        page.push(Placed {
            x: LEFT,
            y: p.y,
            size: 15.0,
            bold: true,
            text: title.clone(),
        });
    }
    p.y -= LEADING * 1.8;
    let mut facts = vec![format!("Datum: {}", document.date.format("%d.%m.%Y"))];
    if let Some(until) = document.valid_until {
        facts.push(format!("Gültig bis: {}", until.format("%d.%m.%Y")));
    }
    if let Some(reference) = &document.reference {
        facts.push(format!("Ihre Referenz: {reference}"));
    }
    p.text(LEFT, &facts.join("    "), false);
    p.y -= LEADING * 2.0;
    p.table_header();
    for line in &document.lines {
        let rows = wrap(&line.description, SIZE, TEXT_WIDTH);
        p.need(rows.len(), true);
        p.text(POS_X, &line.position.to_string(), false);
        p.text(
            PRODUCT_X,
            line.product.as_ref().map_or("", |n| n.as_str()),
            false,
        );
        p.right(
            QUANTITY_RIGHT,
            &format!("{} {}", quantity(line.quantity), line.unit),
            false,
        );
        p.right(PRICE_RIGHT, &swiss(line.unit_price, 2), false);
        if let Some(d) = discount(line) {
            p.right(DISCOUNT_RIGHT, &format!("{} %", swiss(d, 1)), false);
        }
        p.right(RIGHT, &swiss(line.net_amount, 2), false);
        for row in rows {
            p.text(TEXT_X, &row, false);
            p.y -= LEADING;
        }
        p.y -= LEADING * 0.4;
    }
    let totals = &document.totals;
    p.need(3 + totals.vat.len(), false);
    p.y -= LEADING * 0.6;
    let currency = document.currency.to_string();
    p.text(TOTALS_X, "Total netto", false);
    p.right(
        RIGHT,
        &format!("{} {currency}", swiss(totals.net.amount, 2)),
        false,
    );
    p.y -= LEADING;
    for vat in &totals.vat {
        p.text(
            TOTALS_X,
            &format!(
                "MWST {} % von {}",
                swiss(vat.rate, 1),
                swiss(vat.base.amount, 2)
            ),
            false,
        );
        p.right(
            RIGHT,
            &format!("{} {currency}", swiss(vat.vat.amount, 2)),
            false,
        );
        p.y -= LEADING;
    }
    p.text(TOTALS_X, "Total", true);
    p.right(
        RIGHT,
        &format!("{} {currency}", swiss(totals.gross.amount, 2)),
        true,
    );
    let count = p.pages.len();
    for (i, page) in p.pages.iter_mut().enumerate() {
        let footer = format!("{title} · Seite {} von {count}", i + 1);
        page.push(Placed {
            x: RIGHT - width(&footer, 8.0),
            y: 40.0,
            size: 8.0,
            bold: false,
            text: footer,
        });
    }
    write_pdf(&title, &p.pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swiss_numbers() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(swiss(d("1234567.5"), 2), "1'234'567.50");
        assert_eq!(swiss(d("-1234.567"), 2), "-1'234.57");
        assert_eq!(swiss(d("999"), 2), "999.00");
        assert_eq!(swiss(d("0.004"), 2), "0.00");
        assert_eq!(quantity(d("40.000")), "40");
        assert_eq!(quantity(d("2.50")), "2.5");
    }
}
