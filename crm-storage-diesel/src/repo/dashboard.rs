//! The address dashboard's counts — documents, open order lines, valid special conditions —
//! as scalar subqueries of one statement: one round trip instead of four on PostgreSQL.
//! The conditions are joined from the customer's few scope keys (his own and his groups'),
//! so that both planners look them up by the scope index; `scope = … OR scope IN (…)`
//! scanned all of a million conditions.

use chrono::NaiveDate;
use crm_core::erp::ConditionScope;
use crm_core::ports::{AddressCounts, DashboardRepository};
use crm_core::{AddressId, AddressNumber};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};

use super::DieselTx;
use super::replica::scope_key;
use crate::connection::{AnyConnection, with_inner};
use crate::error::QueryResultExt;

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    documents: i64,
    #[diesel(sql_type = BigInt)]
    open_order_lines: i64,
    #[diesel(sql_type = BigInt)]
    special_conditions: i64,
}

/// The documents of an address: those linked to it or to one of its records.
const DOCUMENTS: &str =
    "(SELECT COUNT(DISTINCT document_id) FROM document_links WHERE address_id = {1})";

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl DashboardRepository for DieselTx<'_> {
    fn address_counts(
        &mut self,
        address: AddressId,
        erp: Option<(AddressNumber, NaiveDate)>,
    ) -> crm_core::Result<AddressCounts> {
        let conn = &mut *self.conn;
        let pg = matches!(conn, AnyConnection::Postgresql(_));
        // PostgreSQL's planner overestimates how many conditions share a scope and starts
        // parallel workers for a count of a few dozen rows — ~10 ms of start-up against well
        // under one of work. `set_config` is parallel-unsafe, so the statement that calls it
        // is planned serially, and it keeps parallel workers out of the rest of this read
        // transaction too — without a round trip of its own.
        let serial = if pg {
            "set_config('max_parallel_workers_per_gather', '0', true) AS serial, "
        } else {
            ""
        };
        // Numbered parameters, each bound once and used where the statement needs it.
        let p = |n: usize| if pg { format!("${n}") } else { format!("?{n}") };
        let documents = DOCUMENTS.replace("{1}", &p(1));
        let Some((customer, day)) = erp else {
            let sql = format!(
                "SELECT {serial}{documents} AS documents, CAST(0 AS BIGINT) AS open_order_lines, \
                 CAST(0 AS BIGINT) AS special_conditions"
            );
            let query = diesel::sql_query(sql).bind::<BigInt, _>(address.0);
            let counts: Counts = with_inner!(conn, |c| query.get_result(c)).dom()?;
            return Ok(AddressCounts {
                documents: count(counts.documents),
                open_order_lines: None,
                special_conditions: None,
            });
        };
        let sql = format!(
            "SELECT {serial}{documents} AS documents, \
             (SELECT COUNT(*) FROM erp_order_lines WHERE customer = {customer} AND is_open) \
             AS open_order_lines, \
             (SELECT COUNT(*) FROM (SELECT {scope} AS scope UNION ALL \
                     SELECT 'g:' || group_code FROM erp_customer_groups \
                     WHERE customer = {customer}) AS scopes \
              JOIN erp_conditions c ON c.scope = scopes.scope \
              WHERE (c.valid_from IS NULL OR c.valid_from <= {day}) \
                AND (c.valid_to IS NULL OR c.valid_to >= {day})) AS special_conditions",
            customer = p(2),
            scope = p(3),
            day = p(4)
        );
        let query = diesel::sql_query(sql)
            .bind::<BigInt, _>(address.0)
            .bind::<BigInt, _>(customer.0)
            .bind::<Text, _>(scope_key(&ConditionScope::Customer(customer)))
            .bind::<Date, _>(day);
        let counts: Counts = with_inner!(conn, |c| query.get_result(c)).dom()?;
        Ok(AddressCounts {
            documents: count(counts.documents),
            open_order_lines: Some(count(counts.open_order_lines)),
            special_conditions: Some(count(counts.special_conditions)),
        })
    }
}
