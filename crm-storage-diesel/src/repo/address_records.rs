//! What the address index is fed from, and the summaries of its hits.

use std::collections::HashMap;

use crm_core::address::join_name;
use crm_core::ports::IndexedAddress;
use crm_core::{AddressId, AddressNumber, AddressScope, AddressSummary, UserId};
use diesel::prelude::*;

use super::replica::CHUNK;
use super::scope_condition;
use crate::connection::AnyConnection;
use crate::error::QueryResultExt;
use crate::rows::address::SummaryRow;
use crate::schema::{addresses, contacts, opportunity_team};

type RecordRow = (
    i64,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// A contact person's first name, last name and e-mail.
type Person = (Option<String>, String, Option<String>);

macro_rules! record_columns {
    () => {
        (
            addresses::id,
            addresses::number,
            addresses::lead_number,
            addresses::name1,
            addresses::name2,
            addresses::name3,
            addresses::street,
            addresses::postal_code,
            addresses::city,
            addresses::email,
            addresses::field_rep_id,
            addresses::inside_rep_id,
        )
    };
}

/// The records of `rows`, with the names and e-mails of their active contacts.
fn with_contacts(
    conn: &mut AnyConnection,
    rows: Vec<RecordRow>,
) -> crm_core::Result<Vec<IndexedAddress>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut people: HashMap<i64, Vec<Person>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let found: Vec<(i64, Option<String>, String, Option<String>)> = contacts::table
            .filter(contacts::address_id.eq_any(chunk))
            .filter(contacts::active.eq(true))
            .select((
                contacts::address_id,
                contacts::first_name,
                contacts::last_name,
                contacts::email,
            ))
            .load(conn)
            .dom()?;
        for (address, first, last, email) in found {
            people
                .entry(address)
                .or_default()
                .push((first, last, email));
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, number, lead, n1, n2, n3, street, postal, city, email, field, inside)| {
                let mut emails: Vec<String> = email.into_iter().collect();
                let mut names = Vec::new();
                for (first, last, mail) in people.remove(&id).unwrap_or_default() {
                    names.push(match first {
                        Some(first) => format!("{first} {last}"),
                        None => last,
                    });
                    emails.extend(mail);
                }
                let place = [street, postal, city]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                IndexedAddress {
                    id: AddressId(id),
                    number: AddressNumber(number),
                    lead_number: lead.map(AddressNumber),
                    name: join_name(&n1, n2.as_deref(), n3.as_deref()),
                    place,
                    emails,
                    contacts: names,
                    field_rep: field.map(UserId),
                    inside_rep: inside.map(UserId),
                }
            },
        )
        .collect())
}

pub(super) fn index_records(
    conn: &mut AnyConnection,
    ids: &[AddressId],
) -> crm_core::Result<Vec<IndexedAddress>> {
    let keys: Vec<i64> = ids.iter().map(|i| i.0).collect();
    let mut rows: Vec<RecordRow> = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let found: Vec<RecordRow> = addresses::table
            .filter(addresses::id.eq_any(chunk))
            .select(record_columns!())
            .load(conn)
            .dom()?;
        rows.extend(found);
    }
    with_contacts(conn, rows)
}

pub(super) fn index_records_after(
    conn: &mut AnyConnection,
    after: Option<AddressId>,
    limit: u32,
) -> crm_core::Result<Vec<IndexedAddress>> {
    let rows: Vec<RecordRow> = addresses::table
        .filter(addresses::id.gt(after.map_or(i64::MIN, |a| a.0)))
        .order(addresses::id)
        .limit(i64::from(limit))
        .select(record_columns!())
        .load(conn)
        .dom()?;
    with_contacts(conn, rows)
}

pub(super) fn address_count(conn: &mut AnyConnection) -> crm_core::Result<u64> {
    let n: i64 = addresses::table.count().get_result(conn).dom()?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) fn team_addresses(
    conn: &mut AnyConnection,
    user: UserId,
) -> crm_core::Result<Vec<AddressId>> {
    let mut ids: Vec<i64> = opportunity_team::table
        .filter(opportunity_team::user_id.eq(user.0))
        .select(opportunity_team::address_id)
        .load(conn)
        .dom()?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids.into_iter().map(AddressId).collect())
}

/// Which column [`address_summaries`] looks addresses up by.
pub(super) enum Lookup {
    /// Their ids.
    Id,
    /// Their business numbers.
    Number,
}

pub(super) fn address_summaries(
    conn: &mut AnyConnection,
    by: Lookup,
    keys: &[i64],
    scope: AddressScope,
) -> crm_core::Result<Vec<AddressSummary>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let mut q = match by {
            Lookup::Id => addresses::table
                .filter(addresses::id.eq_any(chunk))
                .into_boxed(),
            Lookup::Number => addresses::table
                .filter(addresses::number.eq_any(chunk))
                .into_boxed(),
        };
        if let Some(condition) = scope_condition::<addresses::table>(scope) {
            q = q.filter(condition);
        }
        let rows: Vec<SummaryRow> = q.select(SummaryRow::as_select()).load(conn).dom()?;
        for row in rows {
            out.push(row.into_domain()?);
        }
    }
    Ok(out)
}
