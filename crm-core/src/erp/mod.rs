//! What the ERP knows about a customer, as the CRM shows and reasons about it: sales
//! documents, open order lines (the customer's *disposition*), open items with their
//! payments, list prices and special conditions, and revenue facts.
//!
//! The ERP is the source of truth for all of it. Records are keyed by the ERP's own numbers
//! (a customer is the address with the same [`AddressNumber`](crate::AddressNumber)); the CRM adds what the ERP
//! does not compute: [`PaymentHabits`] from open items and payments, and an explained
//! [`price`](pricing::determine) from list prices and special conditions. Both are pure
//! functions over plain data, so a host can call them on its own records.

pub mod changes;
mod describe;
pub mod disposition;
pub mod documents;
pub mod drafts;
pub mod habits;
pub mod pricing;
pub mod receivables;
pub mod revenue;
pub mod sync;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

pub use disposition::{DispositionStatus, OrderLine};
pub use documents::{
    DocumentHeader, DocumentKind, DocumentLine, DocumentQuery, DocumentStatus, DocumentTotals,
    SalesDocument, VatAmount,
};
pub use drafts::{ActiveDocument, ActiveSalesDocument, DraftLine, DraftQuote, DraftState};
pub use habits::{Ageing, PaymentHabits, Trend, TrendDirection};
pub use pricing::{
    ConditionPrice, ConditionScope, ConditionTarget, Considered, ListPrice, Precedence, PriceBreak,
    PriceRequest, PriceResult, PricingInputs, SpecialCondition, Verdict,
};
pub use receivables::{OpenItem, Payment};
pub use revenue::RevenueFact;
pub use sync::{Applied, ListPriceKey, Replaced, Stream, SyncBatch, SyncReport};

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Takes the ERP's key as it is, without surrounding blanks.
            ///
            /// # Errors
            /// A [`ValueError`] when it is empty, longer than 64 characters or holds a
            /// control character.
            pub fn new(raw: &str) -> Result<Self, ValueError> {
                let key = raw.trim();
                if key.is_empty() {
                    return Err(ValueError::new(concat!("a ", $what, " must not be empty")));
                }
                if key.chars().count() > 64 {
                    return Err(ValueError::new(format!(
                        concat!("a ", $what, " has at most 64 characters, `{}…` has more"),
                        key.chars().take(20).collect::<String>()
                    )));
                }
                if key.chars().any(char::is_control) {
                    return Err(ValueError::new(concat!(
                        "a ",
                        $what,
                        " must not contain control characters"
                    )));
                }
                Ok($name(key.to_owned()))
            }

            /// The key as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::new(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    };
}

code_type!(
    /// A product's number in the ERP (article number), e.g. `1068120000`.
    ProductNumber,
    "product number"
);
code_type!(
    /// A sales document's number in the ERP, e.g. `RE-2026-004711`.
    DocumentNumber,
    "document number"
);
code_type!(
    /// A group code: a product group (`AGR-12`) or a customer group (`WIEDERVERKAUF`).
    GroupCode,
    "group code"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_trimmed_and_checked() {
        assert_eq!(
            ProductNumber::new(" 1068120000 ").unwrap().as_str(),
            "1068120000"
        );
        assert!(ProductNumber::new("  ").is_err());
        assert!(DocumentNumber::new("RE\n1").is_err());
        assert!(GroupCode::new(&"x".repeat(65)).is_err());
        let json = serde_json::to_string(&DocumentNumber::new("RE-1").unwrap()).unwrap();
        assert_eq!(json, "\"RE-1\"");
        assert!(serde_json::from_str::<GroupCode>("\"\"").is_err());
    }
}
