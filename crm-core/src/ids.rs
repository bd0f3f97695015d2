//! Typed ids: every record's id is its own type, never a bare integer in a signature.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw value, for adapters and wire formats.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Id of an [`Address`](crate::Address).
    AddressId
);
id_type!(
    /// Id of a [`Contact`](crate::Contact).
    ContactId
);
id_type!(
    /// Id of a [`Note`](crate::Note).
    NoteId
);
id_type!(
    /// Id of a [`User`](crate::User), as the host's user directory assigns it.
    UserId
);
id_type!(
    /// Id of a [`CalendarEntry`](crate::calendar::CalendarEntry).
    CalendarEntryId
);
id_type!(
    /// Id of a [`Pool`](crate::pool::Pool).
    PoolId
);
id_type!(
    /// Id of an [`Opportunity`](crate::opportunity::Opportunity).
    OpportunityId
);
id_type!(
    /// Id of a [`Trace`](crate::trace::Trace).
    TraceId
);
id_type!(
    /// Id of a [`DraftQuote`](crate::erp::DraftQuote), also its number in the CRM.
    DraftId
);
id_type!(
    /// Id of an archived [`Document`](crate::archive::Document).
    DocumentId
);
id_type!(
    /// The business number of an [`Opportunity`](crate::opportunity::Opportunity), counted
    /// from 1.
    OpportunityNumber
);

/// The business number of an address: customer numbers and lead numbers come from separate,
/// configurable ranges; numbers imported from an ERP are kept as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AddressNumber(pub i64);

impl AddressNumber {
    /// The raw value.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for AddressNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The version of an editable record, for optimistic concurrency: an update names the version
/// it read and fails with [`Error::Conflict`](crate::Error::Conflict) when the record moved on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(pub i64);

impl Version {
    /// The version of a record that was just created.
    pub const FIRST: Version = Version(1);

    /// The version after one more change.
    #[must_use]
    pub const fn next(self) -> Version {
        Version(self.0 + 1)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
