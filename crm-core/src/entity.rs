//! Links from one record to any other: traces, documents and notes point at records by
//! [`EntityRef`], so that a link survives without knowing the target's type at compile time.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::ids::{AddressId, CalendarEntryId, ContactId, NoteId, OpportunityId};

/// The kinds of record the CRM knows; later kinds join this list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntityKind {
    /// An [`Address`](crate::Address).
    Address,
    /// A [`Contact`](crate::Contact).
    Contact,
    /// A [`Note`](crate::Note).
    Note,
    /// A [`User`](crate::User).
    User,
    /// A [`CalendarEntry`](crate::calendar::CalendarEntry).
    CalendarEntry,
    /// A [`Pool`](crate::pool::Pool).
    Pool,
    /// An [`Opportunity`](crate::opportunity::Opportunity).
    Opportunity,
    /// A [`Trace`](crate::trace::Trace).
    Trace,
    /// A [`SalesDocument`](crate::erp::SalesDocument) of the ERP.
    SalesDocument,
    /// A [`Product`](crate::product::Product) of the catalog.
    Product,
    /// An archived [`Document`](crate::archive::Document).
    Document,
}

impl EntityKind {
    /// Every kind, in a stable order.
    pub const ALL: [EntityKind; 11] = [
        EntityKind::Address,
        EntityKind::Contact,
        EntityKind::Note,
        EntityKind::User,
        EntityKind::CalendarEntry,
        EntityKind::Pool,
        EntityKind::Opportunity,
        EntityKind::Trace,
        EntityKind::SalesDocument,
        EntityKind::Product,
        EntityKind::Document,
    ];

    /// The stable lowercase name used in storage and on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityKind::Address => "address",
            EntityKind::Contact => "contact",
            EntityKind::Note => "note",
            EntityKind::User => "user",
            EntityKind::CalendarEntry => "calendar_entry",
            EntityKind::Pool => "pool",
            EntityKind::Opportunity => "opportunity",
            EntityKind::Trace => "trace",
            EntityKind::SalesDocument => "sales_document",
            EntityKind::Product => "product",
            EntityKind::Document => "document",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityKind {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ValueError::new(format!("unknown record kind `{s}`")))
    }
}

/// A reference to any record: its kind and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityRef {
    /// What kind of record.
    pub kind: EntityKind,
    /// Its id within that kind.
    pub id: i64,
}

impl EntityRef {
    /// A reference to a record of `kind` with `id`.
    pub const fn new(kind: EntityKind, id: i64) -> Self {
        EntityRef { kind, id }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

impl From<AddressId> for EntityRef {
    fn from(id: AddressId) -> Self {
        EntityRef::new(EntityKind::Address, id.0)
    }
}

impl From<ContactId> for EntityRef {
    fn from(id: ContactId) -> Self {
        EntityRef::new(EntityKind::Contact, id.0)
    }
}

impl From<NoteId> for EntityRef {
    fn from(id: NoteId) -> Self {
        EntityRef::new(EntityKind::Note, id.0)
    }
}

impl From<CalendarEntryId> for EntityRef {
    fn from(id: CalendarEntryId) -> Self {
        EntityRef::new(EntityKind::CalendarEntry, id.0)
    }
}

impl From<OpportunityId> for EntityRef {
    fn from(id: OpportunityId) -> Self {
        EntityRef::new(EntityKind::Opportunity, id.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in EntityKind::ALL {
            assert_eq!(kind.as_str().parse::<EntityKind>(), Ok(kind));
        }
        assert!("invoice".parse::<EntityKind>().is_err());
        assert_eq!(EntityRef::from(AddressId(7)).to_string(), "address:7");
    }
}
