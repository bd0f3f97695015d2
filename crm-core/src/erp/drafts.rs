//! Quotes written in the CRM: a draft priced line by line by the price determination,
//! submitted to the ERP host through the outbox, and acknowledged with the ERP's number.
//! A user works on one **active sales document** at a time — a draft of his, or any
//! document of the ERP he opened.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    DocumentKind, DocumentLine, DocumentNumber, DocumentStatus, DocumentTotals, PriceResult,
    SalesDocument,
};
use crate::address::Stamp;
use crate::ids::{AddressId, AddressNumber, DraftId, Version};
use crate::values::Currency;

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    /// Being written; lines may be added and removed.
    Draft,
    /// Finished and waiting in the outbox for the ERP host.
    Submitted,
    /// Taken over by the ERP, which gave it its number.
    Acknowledged,
}

/// A line of a draft with the price determination that set its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftLine {
    /// The line as it goes to the ERP.
    pub line: DocumentLine,
    /// How its price came about.
    pub price: PriceResult,
}

/// A quote written in the CRM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftQuote {
    /// Its id, also its number in the CRM (`CRM-AN-000042`).
    pub id: DraftId,
    /// The address it is for.
    pub address_id: AddressId,
    /// The address's number, the customer in the ERP.
    pub customer: AddressNumber,
    /// The currency of its prices.
    pub currency: Currency,
    /// VAT rate of its lines, in percent.
    pub vat_rate: rust_decimal::Decimal,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// Lines by position.
    pub lines: Vec<DraftLine>,
    /// Totals of the lines.
    pub totals: DocumentTotals,
    /// Where it stands.
    pub state: DraftState,
    /// When it went to the outbox.
    pub submitted_at: Option<DateTime<Utc>>,
    /// The ERP's number, once acknowledged.
    pub erp_number: Option<DocumentNumber>,
    /// Created.
    pub created: Stamp,
    /// Last changed.
    pub updated: Stamp,
    /// For optimistic concurrency.
    pub version: Version,
}

impl DraftQuote {
    /// The CRM's number of the draft.
    pub fn number(&self) -> DocumentNumber {
        DocumentNumber(format!("CRM-AN-{:06}", self.id.0))
    }

    /// The draft as a sales document (as the ERP host takes it over).
    pub fn document(&self) -> SalesDocument {
        SalesDocument {
            number: self.erp_number.clone().unwrap_or_else(|| self.number()),
            kind: DocumentKind::Quote,
            customer: self.customer,
            date: self.created.at.date_naive(),
            status: match self.state {
                DraftState::Draft => DocumentStatus::Draft,
                _ => DocumentStatus::Open,
            },
            currency: self.currency,
            reference: None,
            valid_until: self.valid_until,
            preceding: None,
            lines: self.lines.iter().map(|l| l.line.clone()).collect(),
            totals: self.totals.clone(),
        }
    }
}

/// The sales document a user works on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum ActiveDocument {
    /// A document of the ERP.
    Erp {
        /// Its number.
        number: DocumentNumber,
    },
    /// A draft of the CRM.
    Draft {
        /// Its id.
        id: DraftId,
    },
}

/// The active sales document, loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum ActiveSalesDocument {
    /// A document of the ERP, read only.
    Erp(SalesDocument),
    /// A draft of the CRM.
    Draft(DraftQuote),
}
