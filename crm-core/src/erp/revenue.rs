//! Revenue facts: invoice lines as the ERP books them, the raw material of revenue figures.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{DocumentNumber, GroupCode, ProductNumber};
use crate::ids::{AddressNumber, UserId};
use crate::values::Currency;

/// One invoiced (or credited) line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueFact {
    /// The invoice or credit note.
    pub document: DocumentNumber,
    /// The line's position in it.
    pub position: u32,
    /// Invoice date.
    pub date: NaiveDate,
    /// The customer.
    pub customer: AddressNumber,
    /// The product, unless a service or text line.
    pub product: Option<ProductNumber>,
    /// The product's group.
    pub product_group: Option<GroupCode>,
    /// The field rep the revenue counts for.
    pub field_rep: Option<UserId>,
    /// The inside rep the revenue counts for.
    pub inside_rep: Option<UserId>,
    /// The sales region.
    pub region: Option<String>,
    /// Quantity (negative on credit notes).
    pub quantity: Decimal,
    /// Net amount (negative on credit notes).
    pub net_amount: Decimal,
    /// Cost of the goods, when the ERP knows it.
    pub cost: Option<Decimal>,
    /// Currency of the amounts.
    pub currency: Currency,
}

impl RevenueFact {
    /// Net amount less cost, when the cost is known.
    pub fn margin(&self) -> Option<Decimal> {
        self.cost.map(|cost| self.net_amount - cost)
    }
}
