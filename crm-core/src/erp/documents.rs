//! Sales documents: quotes, orders, delivery notes, invoices and credit notes, with their
//! lines and totals.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{DocumentNumber, ProductNumber};
use crate::error::{Error, Result};
use crate::ids::AddressNumber;
use crate::names::names;
use crate::values::{Currency, Money};

/// The kind of a sales document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// An offer to the customer.
    Quote,
    /// The customer's order, as confirmed.
    Order,
    /// What was shipped.
    DeliveryNote,
    /// A bill.
    Invoice,
    /// Money given back; its amounts are positive, the kind says they are credited.
    CreditNote,
}

names!(DocumentKind {
    Quote => "quote",
    Order => "order",
    DeliveryNote => "delivery_note",
    Invoice => "invoice",
    CreditNote => "credit_note",
});

/// Where a sales document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Being written in the CRM; not yet in the ERP.
    Draft,
    /// Issued and not yet finished (a quote awaiting an answer, an order being filled, an
    /// invoice not yet paid).
    Open,
    /// Partly delivered (orders) or partly paid (invoices).
    Partial,
    /// Finished: a quote accepted, an order delivered, an invoice paid.
    Completed,
    /// A quote the customer declined.
    Declined,
    /// A quote past its validity.
    Expired,
    /// Cancelled.
    Cancelled,
}

names!(DocumentStatus {
    Draft => "draft",
    Open => "open",
    Partial => "partial",
    Completed => "completed",
    Declined => "declined",
    Expired => "expired",
    Cancelled => "cancelled",
});

/// One line of a sales document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLine {
    /// Position, from 1.
    pub position: u32,
    /// The product, unless a text or service line.
    pub product: Option<ProductNumber>,
    /// What the line says.
    pub description: String,
    /// Quantity.
    pub quantity: Decimal,
    /// Unit of the quantity (e.g. `PCE`).
    pub unit: String,
    /// Net price of one unit.
    pub unit_price: Decimal,
    /// Net amount of the line (quantity × unit price, rounded as the ERP rounded it).
    pub net_amount: Decimal,
    /// VAT rate in percent, e.g. 8.1.
    pub vat_rate: Decimal,
}

/// VAT of one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatAmount {
    /// The rate in percent.
    pub rate: Decimal,
    /// The net amount taxed at it.
    pub base: Money,
    /// The tax, rounded to the currency.
    pub vat: Money,
}

/// A document's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTotals {
    /// The sum of the lines' net amounts.
    pub net: Money,
    /// VAT per rate, lowest rate first.
    pub vat: Vec<VatAmount>,
    /// Net plus VAT.
    pub gross: Money,
}

impl DocumentTotals {
    /// Totals of `lines` in `currency`: the net sum, VAT per rate on that rate's net sum
    /// (rounded to the currency once per rate, as Swiss invoices show it), and the gross.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `lines[i].vat_rate` for a rate outside 0–100, or `lines`
    /// when the sums are too large.
    pub fn compute(currency: Currency, lines: &[DocumentLine]) -> Result<DocumentTotals> {
        let too_large = || Error::invalid("lines", "the amounts are too large to add up");
        let mut by_rate: BTreeMap<Decimal, Decimal> = BTreeMap::new();
        let mut net = Decimal::ZERO;
        for (i, line) in lines.iter().enumerate() {
            if line.vat_rate < Decimal::ZERO || line.vat_rate > Decimal::ONE_HUNDRED {
                return Err(Error::invalid(
                    format!("lines[{i}].vat_rate"),
                    format!("{} % is not a VAT rate", line.vat_rate),
                ));
            }
            net = net.checked_add(line.net_amount).ok_or_else(too_large)?;
            let base = by_rate.entry(line.vat_rate.normalize()).or_default();
            *base = base.checked_add(line.net_amount).ok_or_else(too_large)?;
        }
        let mut gross = net;
        let mut vat = Vec::with_capacity(by_rate.len());
        for (rate, base) in by_rate {
            let tax = base
                .checked_mul(rate)
                .map(|t| Money::new(t / Decimal::ONE_HUNDRED, currency).rounded())
                .ok_or_else(too_large)?;
            gross = gross.checked_add(tax.amount).ok_or_else(too_large)?;
            vat.push(VatAmount {
                rate,
                base: Money::new(base, currency),
                vat: tax,
            });
        }
        Ok(DocumentTotals {
            net: Money::new(net, currency),
            vat,
            gross: Money::new(gross, currency),
        })
    }
}

/// A sales document with its lines, as the ERP holds it (or as a draft in the CRM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesDocument {
    /// The ERP's number; a draft carries the CRM's draft number until the ERP acknowledges
    /// it.
    pub number: DocumentNumber,
    /// Its kind.
    pub kind: DocumentKind,
    /// The customer.
    pub customer: AddressNumber,
    /// Document date.
    pub date: NaiveDate,
    /// Status.
    pub status: DocumentStatus,
    /// Currency of every amount.
    pub currency: Currency,
    /// The customer's reference (his order number, a project).
    pub reference: Option<String>,
    /// For quotes: valid until.
    pub valid_until: Option<NaiveDate>,
    /// The document it follows from (the order of a delivery note, the quote of an order).
    pub preceding: Option<DocumentNumber>,
    /// Lines by position.
    pub lines: Vec<DocumentLine>,
    /// Totals, as the ERP computed them.
    pub totals: DocumentTotals,
}

impl SalesDocument {
    /// The header without the lines, as lists show it.
    pub fn header(&self) -> DocumentHeader {
        DocumentHeader {
            number: self.number.clone(),
            kind: self.kind,
            customer: self.customer,
            date: self.date,
            status: self.status,
            reference: self.reference.clone(),
            net: self.totals.net,
            gross: self.totals.gross,
            lines: self.lines.len(),
        }
    }
}

/// A sales document in a list: its header and totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentHeader {
    /// The document number.
    pub number: DocumentNumber,
    /// Its kind.
    pub kind: DocumentKind,
    /// The customer.
    pub customer: AddressNumber,
    /// Document date.
    pub date: NaiveDate,
    /// Status.
    pub status: DocumentStatus,
    /// The customer's reference.
    pub reference: Option<String>,
    /// Net total.
    pub net: Money,
    /// Gross total.
    pub gross: Money,
    /// Number of lines.
    pub lines: usize,
}

/// Which of a customer's documents to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentQuery {
    /// Only these kinds; all when empty.
    #[serde(default)]
    pub kinds: Vec<DocumentKind>,
    /// Only unfinished ones (draft, open, partial).
    #[serde(default)]
    pub current_only: bool,
    /// Dated on or after.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Dated on or before.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

impl DocumentQuery {
    /// Whether `header` is one the query asks for.
    pub fn admits(&self, header: &DocumentHeader) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&header.kind))
            && (!self.current_only || header.status.is_current())
            && self.from.is_none_or(|from| header.date >= from)
            && self.to.is_none_or(|to| header.date <= to)
    }
}

impl DocumentStatus {
    /// Whether work on the document is still going on (draft, open, partial).
    pub fn is_current(self) -> bool {
        matches!(
            self,
            DocumentStatus::Draft | DocumentStatus::Open | DocumentStatus::Partial
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(position: u32, net: &str, rate: &str) -> DocumentLine {
        DocumentLine {
            position,
            product: None,
            description: format!("Position {position}"),
            quantity: Decimal::ONE,
            unit: "PCE".into(),
            unit_price: net.parse().unwrap(),
            net_amount: net.parse().unwrap(),
            vat_rate: rate.parse().unwrap(),
        }
    }

    #[test]
    fn vat_is_rounded_once_per_rate() {
        let lines = [
            line(1, "10.05", "8.1"),
            line(2, "20.10", "8.10"),
            line(3, "12.35", "2.6"),
        ];
        let t = DocumentTotals::compute(Currency::CHF, &lines).unwrap();
        let chf = |s: &str| Money::new(s.parse().unwrap(), Currency::CHF);
        assert_eq!(t.net, chf("42.50"));
        // 2.6 % of 12.35 = 0.3211 → 0.32; 8.1 % of 30.15 = 2.44215 → 2.44.
        assert_eq!(t.vat.len(), 2, "8.1 and 8.10 are one rate");
        assert_eq!(
            (t.vat[0].vat, t.vat[1].base, t.vat[1].vat),
            (chf("0.32"), chf("30.15"), chf("2.44"))
        );
        assert_eq!(t.gross, chf("45.26"));
        let bad = DocumentTotals::compute(Currency::CHF, &[line(1, "1", "-8")]);
        assert!(matches!(bad, Err(Error::Invalid(i)) if i.has("lines[0].vat_rate")));
    }

    #[test]
    fn kinds_and_statuses_parse_their_names() {
        assert_eq!(
            "Delivery note".parse::<DocumentKind>().unwrap(),
            DocumentKind::DeliveryNote
        );
        assert_eq!(
            "credit-note".parse::<DocumentKind>().unwrap(),
            DocumentKind::CreditNote
        );
        assert!("receipt".parse::<DocumentKind>().is_err());
        assert_eq!(
            "completed".parse::<DocumentStatus>().unwrap(),
            DocumentStatus::Completed
        );
    }
}
