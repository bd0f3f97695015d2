//! The duplicate-candidate lookup of a lead conversion: everything that shares a significant
//! name word, the e-mail domain, the phone, or postal code and street, through their indexes.

use std::collections::BTreeSet;

use crm_core::{Address, DuplicateProbe};
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::connection::{AnyConnection, MultiBackend};
use crate::error::QueryResultExt;
use crate::rows::address::AddressRow;
use crate::schema::{address_words, addresses};

pub(super) fn duplicate_candidates(
    conn: &mut AnyConnection,
    probe: &DuplicateProbe,
    limit: u32,
) -> crm_core::Result<Vec<Address>> {
    let limit = i64::from(limit);
    let kind = probe.kind.as_str();
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    if !probe.name_words.is_empty() {
        let by_words: Vec<i64> = address_words::table
            .inner_join(addresses::table)
            .filter(address_words::word.eq_any(&probe.name_words))
            .filter(addresses::kind.eq(kind))
            .filter(addresses::id.ne(probe.exclude.0))
            .group_by(address_words::address_id)
            .select(address_words::address_id)
            .order((count_star().desc(), address_words::address_id.asc()))
            .limit(limit)
            .load(conn)
            .dom()?;
        ids.extend(by_words);
    }
    let base = || {
        addresses::table
            .filter(addresses::kind.eq(kind))
            .filter(addresses::id.ne(probe.exclude.0))
            .select(addresses::id)
            .limit(limit)
            .into_boxed::<MultiBackend>()
    };
    if let Some(domain) = &probe.email_domain {
        let found: Vec<i64> = base()
            .filter(addresses::email_domain.eq(domain.clone()))
            .load(conn)
            .dom()?;
        ids.extend(found);
    }
    if let Some(phone) = &probe.phone {
        let found: Vec<i64> = base()
            .filter(addresses::phone.eq(phone.clone()))
            .load(conn)
            .dom()?;
        ids.extend(found);
    }
    if let Some((postal_code, street)) = &probe.postal_street {
        let found: Vec<i64> = base()
            .filter(addresses::postal_code.eq(postal_code.clone()))
            .filter(addresses::street_key.eq(street.clone()))
            .load(conn)
            .dom()?;
        ids.extend(found);
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    addresses::table
        .filter(addresses::id.eq_any(&ids))
        .select(AddressRow::as_select())
        .load::<AddressRow>(conn)
        .dom()?
        .into_iter()
        .map(AddressRow::into_domain)
        .collect()
}
