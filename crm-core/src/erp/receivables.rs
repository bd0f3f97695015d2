//! Open items (receivables) and the payments made on them, as the ERP's accounts receivable
//! reports them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::DocumentNumber;
use crate::ids::AddressNumber;
use crate::values::Currency;

/// An invoice (or credit note) of a customer with what is still open on it. Settled items
/// stay in the list for a while (the ERP decides how long), so that payment habits can be
/// computed from them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItem {
    /// The invoice's document number; a customer's items are keyed by it.
    pub invoice: DocumentNumber,
    /// The customer.
    pub customer: AddressNumber,
    /// Invoice date.
    pub invoice_date: NaiveDate,
    /// Due date (the invoice date plus the payment terms).
    pub due_date: NaiveDate,
    /// The invoice's currency; its payments are in the same one.
    pub currency: Currency,
    /// The invoiced amount including VAT; negative for a credit note.
    pub amount: Decimal,
    /// What is still open; zero when settled.
    pub open_amount: Decimal,
    /// The dunning level reached (0: never dunned).
    pub dunning_level: u8,
}

impl OpenItem {
    /// Days past its due date on `today` (0 when not yet due).
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        (today - self.due_date).num_days().max(0)
    }

    /// Whether nothing is open on it any more.
    pub fn is_settled(&self) -> bool {
        self.open_amount.is_zero()
    }
}

/// A payment received on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// The ERP's key of the payment (its booking number).
    pub id: String,
    /// The invoice it was booked against.
    pub invoice: DocumentNumber,
    /// The customer.
    pub customer: AddressNumber,
    /// Value date of the payment.
    pub date: NaiveDate,
    /// The amount paid, in the invoice's currency.
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}
