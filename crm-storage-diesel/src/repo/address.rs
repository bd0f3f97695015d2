use std::collections::HashMap;

use crm_core::address::{join_name, name_index};
use crm_core::{
    Address, AddressChange, AddressData, AddressId, AddressNumber, AddressRepository, AddressScope,
    AddressSummary, DuplicateProbe, Error, NewAddress, Page, PageRequest, UserId, Version,
};
use diesel::prelude::*;

use super::address_records::Lookup;
use super::{DieselTx, insert_in_blocks, scope_condition};
use crate::connection::{AnyConnection, with_inner};
use crate::error::{QueryResultExt, map_diesel};
use crate::rows::address::{AddressRow, IndexedRow, NewAddressRow, WordRow, change_row};
use crate::schema::{address_words, addresses};

/// Addresses checked for taken numbers with one query.
const CHECK_CHUNK: usize = 500;

impl AddressRepository for DieselTx<'_> {
    fn insert_address(&mut self, new: &NewAddress) -> crm_core::Result<AddressId> {
        let row = NewAddressRow::new(new)?;
        let id: i64 = with_inner!(&mut *self.conn, |c| {
            diesel::insert_into(addresses::table)
                .values(&row)
                .returning(addresses::id)
                .get_result(c)
        })
        .map_err(|e| number_taken(e, &[new.number]))?;
        insert_words(self.conn, &[(id, new)])?;
        Ok(AddressId(id))
    }

    fn insert_addresses(&mut self, batch: &[NewAddress]) -> crm_core::Result<Vec<AddressId>> {
        let mut ids = Vec::with_capacity(batch.len());
        for chunk in batch.chunks(CHECK_CHUNK) {
            let numbers: Vec<i64> = chunk.iter().map(|a| a.number.0).collect();
            // Two lookups rather than one `OR`: each uses its own index. Planned for their
            // own values: a plan cached while the table was small scans it whole, and an
            // import is what makes it large.
            self.plan_for_bulk()?;
            let mut clashing: Vec<i64> = addresses::table
                .filter(addresses::number.eq_any(&numbers))
                .select(addresses::number)
                .limit(10)
                .load(self.conn)
                .dom()?;
            // The partial index's predicate, stated for the planner.
            let former: Vec<Option<i64>> = addresses::table
                .filter(addresses::lead_number.is_not_null())
                .filter(addresses::lead_number.eq_any(&numbers))
                .select(addresses::lead_number)
                .limit(10)
                .load(self.conn)
                .dom()?;
            self.plan_as_usual()?;
            clashing.extend(former.into_iter().flatten());
            if !clashing.is_empty() {
                clashing.sort_unstable();
                clashing.dedup();
                return Err(duplicate_numbers(&clashing));
            }
            let rows = chunk
                .iter()
                .map(NewAddressRow::new)
                .collect::<crm_core::Result<Vec<_>>>()?;
            let by_number: HashMap<i64, i64> =
                insert_in_blocks!(self.conn, &rows, 64, |c, block| {
                    diesel::insert_into(addresses::table)
                        .values(block)
                        .returning((addresses::number, addresses::id))
                        .get_results::<(i64, i64)>(c)
                })
                .into_iter()
                .flatten()
                .collect();
            let mut inserted = Vec::with_capacity(chunk.len());
            for new in chunk {
                let id = *by_number.get(&new.number.0).ok_or_else(|| {
                    Error::Storage(format!("address {} was not inserted", new.number))
                })?;
                inserted.push((id, new));
                ids.push(AddressId(id));
            }
            insert_words(self.conn, &inserted)?;
        }
        Ok(ids)
    }

    fn address(&mut self, id: AddressId, scope: AddressScope) -> crm_core::Result<Option<Address>> {
        let mut query = addresses::table
            .filter(addresses::id.eq(id.0))
            .select(AddressRow::as_select())
            .into_boxed();
        if let Some(condition) = scope_condition(scope) {
            query = query.filter(condition);
        }
        query
            .first::<AddressRow>(self.conn)
            .optional()
            .dom()?
            .map(AddressRow::into_domain)
            .transpose()
    }

    fn address_number(
        &mut self,
        id: AddressId,
        scope: AddressScope,
    ) -> crm_core::Result<Option<AddressNumber>> {
        let mut query = addresses::table
            .filter(addresses::id.eq(id.0))
            .select(addresses::number)
            .into_boxed();
        if let Some(condition) = scope_condition(scope) {
            query = query.filter(condition);
        }
        Ok(query
            .first::<i64>(self.conn)
            .optional()
            .dom()?
            .map(AddressNumber))
    }

    fn address_by_number(
        &mut self,
        number: AddressNumber,
        scope: AddressScope,
    ) -> crm_core::Result<Option<Address>> {
        let mut query = addresses::table
            .filter(
                addresses::number
                    .eq(number.0)
                    .or(addresses::lead_number.eq(number.0)),
            )
            .select(AddressRow::as_select())
            .order(addresses::number.ne(number.0))
            .into_boxed();
        if let Some(condition) = scope_condition(scope) {
            query = query.filter(condition);
        }
        query
            .first::<AddressRow>(self.conn)
            .optional()
            .dom()?
            .map(AddressRow::into_domain)
            .transpose()
    }

    fn update_address(
        &mut self,
        id: AddressId,
        expected: Version,
        change: &AddressChange,
    ) -> crm_core::Result<bool> {
        let row = change_row(change)?;
        let Some(old) = addresses::table
            .filter(addresses::id.eq(id.0))
            .select(IndexedRow::as_select())
            .first::<IndexedRow>(self.conn)
            .optional()
            .dom()?
        else {
            return Ok(false);
        };
        let updated = diesel::update(
            addresses::table
                .filter(addresses::id.eq(id.0))
                .filter(addresses::version.eq(expected.0)),
        )
        .set((&row, addresses::version.eq(expected.next().0)))
        .execute(self.conn)
        .map_err(|e| number_taken(e, &[change.number]))?;
        if updated == 0 {
            return Ok(false);
        }
        let (old_words, old_city) = name_index(
            &join_name(&old.name1, old.name2.as_deref(), old.name3.as_deref()),
            old.city.as_deref(),
        );
        let reps_changed = old.field_rep_id != change.data.field_rep.map(|u| u.0)
            || old.inside_rep_id != change.data.inside_rep.map(|u| u.0);
        if reps_changed {
            let former: Vec<i64> = [old.field_rep_id, old.inside_rep_id]
                .into_iter()
                .flatten()
                .collect();
            super::trace::refresh_audience(self.conn, id.0, &former)?;
        }
        if reps_changed || old.number != change.number.0 || old.name1 != change.data.name1 {
            super::calendar::refresh_address_attendance(self.conn, id.0)?;
        }
        let keys = change.data.search_keys();
        let unchanged = old_words == keys.name_words
            && old_city == keys.city_key
            && old.status == change.data.status.as_str();
        if !unchanged {
            diesel::delete(
                address_words::table
                    .filter(address_words::word.eq_any(&old_words))
                    .filter(address_words::city_key.eq(old_city.unwrap_or_default()))
                    .filter(address_words::address_id.eq(id.0)),
            )
            .execute(self.conn)
            .dom()?;
            insert_word_rows(self.conn, word_rows(id.0, &change.data))?;
        }
        Ok(true)
    }

    fn search_addresses(
        &mut self,
        query: &crm_core::AddressQuery,
        scope: AddressScope,
        page: PageRequest,
    ) -> crm_core::Result<Page<AddressSummary>> {
        super::search::search(self.conn, query, scope, page)
    }

    fn duplicate_candidates(
        &mut self,
        probe: &DuplicateProbe,
        limit: u32,
    ) -> crm_core::Result<Vec<Address>> {
        super::duplicates::duplicate_candidates(self.conn, probe, limit)
    }

    fn index_records(
        &mut self,
        ids: &[AddressId],
    ) -> crm_core::Result<Vec<crm_core::ports::IndexedAddress>> {
        super::address_records::index_records(self.conn, ids)
    }

    fn index_records_after(
        &mut self,
        after: Option<AddressId>,
        limit: u32,
    ) -> crm_core::Result<Vec<crm_core::ports::IndexedAddress>> {
        super::address_records::index_records_after(self.conn, after, limit)
    }

    fn address_count(&mut self) -> crm_core::Result<u64> {
        super::address_records::address_count(self.conn)
    }

    fn team_addresses(&mut self, user: UserId) -> crm_core::Result<Vec<AddressId>> {
        super::address_records::team_addresses(self.conn, user)
    }

    fn address_summaries(
        &mut self,
        ids: &[AddressId],
        scope: AddressScope,
    ) -> crm_core::Result<Vec<AddressSummary>> {
        let keys: Vec<i64> = ids.iter().map(|i| i.0).collect();
        super::address_records::address_summaries(self.conn, Lookup::Id, &keys, scope)
    }

    fn address_summaries_by_number(
        &mut self,
        numbers: &[AddressNumber],
        scope: AddressScope,
    ) -> crm_core::Result<Vec<AddressSummary>> {
        let keys: Vec<i64> = numbers.iter().map(|n| n.0).collect();
        super::address_records::address_summaries(self.conn, Lookup::Number, &keys, scope)
    }

    fn numbers_taken(&mut self, from: i64, to: i64) -> crm_core::Result<Vec<i64>> {
        let mut taken: Vec<i64> = addresses::table
            .filter(addresses::number.between(from, to))
            .select(addresses::number)
            .load(self.conn)
            .dom()?;
        let former: Vec<Option<i64>> = addresses::table
            .filter(addresses::lead_number.between(from, to))
            .select(addresses::lead_number)
            .load(self.conn)
            .dom()?;
        taken.extend(former.into_iter().flatten());
        taken.sort_unstable();
        taken.dedup();
        Ok(taken)
    }
}

/// The name-index rows of one address.
/// The name-index entries of one address.
fn word_rows(id: i64, data: &AddressData) -> Vec<WordRow> {
    let keys = data.search_keys();
    let city = keys.city_key.unwrap_or_default();
    keys.name_words
        .into_iter()
        .map(|word| WordRow {
            word,
            city_key: city.clone(),
            address_id: id,
            name_key: keys.name_key.clone(),
            status: data.status.as_str(),
        })
        .collect()
}

fn insert_words(conn: &mut AnyConnection, inserted: &[(i64, &NewAddress)]) -> crm_core::Result<()> {
    let rows: Vec<WordRow> = inserted
        .iter()
        .flat_map(|(id, new)| word_rows(*id, &new.data))
        .collect();
    insert_word_rows(conn, rows)
}

fn insert_word_rows(conn: &mut AnyConnection, rows: Vec<WordRow>) -> crm_core::Result<()> {
    insert_in_blocks!(conn, &rows, 256, |c, block| {
        diesel::insert_into(address_words::table)
            .values(block)
            .execute(c)
    });
    Ok(())
}

/// A unique violation on the number, named with the number when it is known.
fn number_taken(error: diesel::result::Error, numbers: &[AddressNumber]) -> Error {
    match map_diesel(error) {
        Error::Duplicate { what, candidates } if what == "address number" => match numbers {
            [number] => Error::Duplicate {
                what: format!("address number {number}"),
                candidates,
            },
            _ => Error::Duplicate { what, candidates },
        },
        other => other,
    }
}

fn duplicate_numbers(taken: &[i64]) -> Error {
    let list: Vec<String> = taken.iter().map(i64::to_string).collect();
    Error::Duplicate {
        what: format!("address numbers already in use: {}", list.join(", ")),
        candidates: Vec::new(),
    }
}
