//! The repositories of [`crm_core::ports`], implemented over one open transaction.

mod activation;
mod address;
mod address_records;
mod calendar;
mod contact;
mod counter;
mod dashboard;
mod document;
mod drafts;
mod duplicates;
mod name_index;
mod note;
mod opportunity;
mod pool;
mod product;
mod replica;
mod replica_read;
mod revenue;
mod revenue_cube;
mod search;
mod trace;
mod user;

use crm_core::AddressScope;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use crate::connection::{AnyConnection, MultiBackend};
use crate::schema::{addresses, opportunity_team};

/// One transaction's view of the database; implements every repository.
pub struct DieselTx<'c> {
    pub(crate) conn: &'c mut AnyConnection,
}

impl DieselTx<'_> {
    /// Before a bulk write (a sync batch, a catalog import): on PostgreSQL, plans every
    /// statement of this transaction for its own values. Statements are prepared once per
    /// connection; a generic plan made while a table was small (a scan) would otherwise stay
    /// while a bulk load grows the table, and each key lookup would read all of it. Reads
    /// and ordinary writes keep their cached plans.
    pub(crate) fn plan_for_bulk(&mut self) -> crm_core::Result<()> {
        use diesel::connection::SimpleConnection;

        use crate::error::QueryResultExt;
        if let AnyConnection::Postgresql(c) = &mut *self.conn {
            c.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan")
                .dom()?;
        }
        Ok(())
    }

    /// Back to PostgreSQL's usual plan cache, for statements whose plan does not depend on
    /// the size of a table — the additive upserts into the revenue summaries, which would
    /// otherwise be planned anew for every block of rows.
    pub(crate) fn plan_as_usual(&mut self) -> crm_core::Result<()> {
        use diesel::connection::SimpleConnection;

        use crate::error::QueryResultExt;
        if let AnyConnection::Postgresql(c) = &mut *self.conn {
            c.batch_execute("SET LOCAL plan_cache_mode = auto").dom()?;
        }
        Ok(())
    }
}

/// Inserts a slice of rows in multi-row statements of a fixed number of rows, so that the
/// statement text never changes and the prepared statement is reused (diesel caches inserts
/// of arrays, not of slices): blocks of `$n` rows, then of 16, then single rows. Evaluates to
/// the concatenated results of `$run` for each statement.
///
/// `$run` receives the inner connection `$c` and the rows `$block` (an array reference, or a
/// reference to one row) and returns a `QueryResult`.
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
        let mut sixteens = blocks.remainder().chunks_exact(16);
        for block in &mut sixteens {
            let $block: &[_; 16] = block
                .try_into()
                .map_err(|_| crm_core::Error::Storage("block size mismatch".into()))?;
            results.push(with_inner!(&mut *$conn, |$c| $run).dom()?);
        }
        for row in sixteens.remainder() {
            // One row as a plain insert: SQLite runs batches row by row in a savepoint.
            let $block = row;
            results.push(with_inner!(&mut *$conn, |$c| $run).dom()?);
        }
        results
    }};
}
pub(crate) use insert_in_blocks;

/// Loads `((text, position), data)` of stored rows whose text part is among `keys`.
macro_rules! stored_by_pair {
    ($conn:expr, $table:ident, $a:ident, $b:ident, $keys:expr) => {{
        let mut keys: Vec<String> = $keys;
        keys.sort();
        keys.dedup();
        let mut stored = std::collections::HashMap::new();
        for chunk in keys.chunks(super::replica::CHUNK) {
            let rows: Vec<(String, i64, String)> = $table::table
                .filter($table::$a.eq_any(chunk))
                .select(($table::$a, $table::$b, $table::data))
                .load(&mut *$conn)
                .dom()?;
            stored.extend(rows.into_iter().map(|(a, b, d)| ((a, b), d)));
        }
        stored
    }};
}
pub(crate) use stored_by_pair;

/// The addresses of the opportunities whose team a user is in.
type TeamAddresses = diesel::dsl::Select<
    diesel::dsl::Filter<opportunity_team::table, diesel::dsl::Eq<opportunity_team::user_id, i64>>,
    opportunity_team::address_id,
>;

/// The condition of [`AddressScope::Responsible`].
pub(crate) type ResponsibleCondition = diesel::dsl::Or<
    diesel::dsl::Or<
        diesel::dsl::Eq<addresses::field_rep_id, i64>,
        diesel::dsl::Eq<addresses::inside_rep_id, i64>,
    >,
    diesel::dsl::Nullable<diesel::dsl::EqAny<addresses::id, TeamAddresses>>,
>;

/// The visibility condition on `addresses` for a query over `QS` (the table or a join): a
/// responsible user is the address's field or inside rep, or in the selling team of one of
/// its opportunities.
pub(crate) fn scope_condition<QS>(
    scope: AddressScope,
) -> Option<Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Nullable<Bool>>>>
where
    ResponsibleCondition: BoxableExpression<QS, MultiBackend, SqlType = Nullable<Bool>>,
{
    match scope {
        AddressScope::All => None,
        AddressScope::Responsible(user) => Some(Box::new(
            addresses::field_rep_id
                .eq(user.0)
                .or(addresses::inside_rep_id.eq(user.0))
                .or(addresses::id
                    .eq_any(
                        opportunity_team::table
                            .filter(opportunity_team::user_id.eq(user.0))
                            .select(opportunity_team::address_id),
                    )
                    .nullable()),
        )),
    }
}
