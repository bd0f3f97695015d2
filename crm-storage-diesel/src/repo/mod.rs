//! The repositories of [`crm_core::ports`], implemented over one open transaction.

mod activation;
mod address;
mod calendar;
mod contact;
mod counter;
mod duplicates;
mod name_index;
mod note;
mod pool;
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

/// Inserts a slice of rows in multi-row statements of a fixed number of rows, so that the
/// statement text never changes and the prepared statement is reused (diesel caches inserts
/// of arrays, not of slices); the remainder goes in one last statement. Evaluates to the
/// concatenated results of `$run` for each statement.
///
/// `$run` receives the inner connection `$c` and the rows `$block` (an array reference or a
/// slice) and returns a `QueryResult`.
macro_rules! insert_in_blocks {
    ($conn:expr, $rows:expr, $n:literal, |$c:ident, $block:ident| $run:expr) => {{
        let rows = $rows;
        let mut results = Vec::new();
        let mut blocks = rows.chunks_exact($n);
        for block in &mut blocks {
            let $block: &[_; $n] = block
                .try_into()
                .map_err(|_| crm_core::Error::Storage("block size mismatch".into()))?;
            results.push(with_inner!(&mut *$conn, |$c| $run).dom()?);
        }
        let $block = blocks.remainder();
        if !$block.is_empty() {
            results.push(with_inner!(&mut *$conn, |$c| $run).dom()?);
        }
        results
    }};
}
pub(crate) use insert_in_blocks;

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
