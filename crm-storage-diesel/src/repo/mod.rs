//! The repositories of [`crm_core::ports`], implemented over one open transaction.

mod activation;
mod address;
mod contact;
mod counter;
mod note;
mod search;
mod user;

use crm_core::AddressScope;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use crate::connection::{AnyConnection, MultiBackend};
use crate::schema::addresses;

/// One transaction's view of the database; implements every repository.
pub struct DieselTx<'c> {
    pub(crate) conn: &'c mut AnyConnection,
}

/// Rows per multi-row `INSERT`: well below SQLite's 32,766 and PostgreSQL's 65,535 bind
/// parameters for the widest table.
pub(crate) const INSERT_CHUNK_BINDS: usize = 30_000;

/// The visibility condition on `addresses` for a query over `QS` (the table or a join).
pub(crate) fn scope_condition<QS>(
    scope: AddressScope,
) -> Option<Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Nullable<Bool>>>>
where
    addresses::field_rep_id: SelectableExpression<QS>,
    addresses::inside_rep_id: SelectableExpression<QS>,
{
    match scope {
        AddressScope::All => None,
        AddressScope::Responsible(user) => Some(Box::new(
            addresses::field_rep_id
                .eq(user.0)
                .or(addresses::inside_rep_id.eq(user.0)),
        )),
    }
}
