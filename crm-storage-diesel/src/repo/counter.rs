use crm_core::CounterRepository;
use diesel::prelude::*;

use super::DieselTx;
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::schema::counters;

impl CounterRepository for DieselTx<'_> {
    fn reserve(&mut self, name: &str, floor: i64, count: i64) -> crm_core::Result<i64> {
        with_inner!(&mut *self.conn, |c| {
            diesel::insert_into(counters::table)
                .values((counters::name.eq(name), counters::next_value.eq(floor)))
                .on_conflict_do_nothing()
                .execute(c)
        })
        .dom()?;
        // The increment locks the counter's row (PostgreSQL) or runs under the write lock
        // (SQLite), so concurrent reservations never overlap.
        diesel::update(counters::table.filter(counters::name.eq(name)))
            .set(counters::next_value.eq(counters::next_value + count))
            .execute(self.conn)
            .dom()?;
        let after: i64 = counters::table
            .filter(counters::name.eq(name))
            .select(counters::next_value)
            .first(self.conn)
            .dom()?;
        let first = after - count;
        if first >= floor {
            return Ok(first);
        }
        // The range was moved up in the settings: continue from its new start.
        diesel::update(counters::table.filter(counters::name.eq(name)))
            .set(counters::next_value.eq(floor + count))
            .execute(self.conn)
            .dom()?;
        Ok(floor)
    }

    fn peek(&mut self, name: &str, floor: i64) -> crm_core::Result<i64> {
        let next: Option<i64> = counters::table
            .filter(counters::name.eq(name))
            .select(counters::next_value)
            .first(self.conn)
            .optional()
            .dom()?;
        Ok(next.unwrap_or(floor).max(floor))
    }
}
