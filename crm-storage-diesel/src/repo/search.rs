//! The criteria search.
//!
//! Name words are answered from the name index `address_words` (see [`super::name_index`]):
//! each query word becomes `id IN (SELECT address_id FROM address_words WHERE …)`, answered
//! from its key alone — a range scan `word >= prefix AND word < prefix‖U+10FFFF`, or seeks on
//! `(word, city_key)` pairs when a city narrows the search. The common one-word search skips
//! the address table until the page is known.
//!
//! Short pages report their total without a second query; name searches get it from a
//! window count over the rows they read anyway.

use crm_core::text::prefix_upper_bound;
use crm_core::{
    AddressQuery, AddressScope, AddressSortField, AddressSummary, Page, PageRequest, PoolId, Stamp,
};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Timestamp};

use super::name_index::{Plan, WordFilter, any_prefix, from_name_index, plan};
use super::scope_condition;
use crate::connection::{AnyConnection, MultiBackend};
use crate::error::QueryResultExt;
use crate::rows::address::SummaryRow;
use crate::rows::ts;
use crate::schema::{address_words, addresses, pool_members};

type AddressCondition = Box<dyn BoxableExpression<addresses::table, MultiBackend, SqlType = Bool>>;

fn filtered(
    query: &AddressQuery,
    plan: &Plan,
    scope: AddressScope,
) -> addresses::BoxedQuery<'static, MultiBackend> {
    let mut q = addresses::table.into_boxed();
    if let Some(condition) = scope_condition(scope) {
        q = q.filter(condition);
    }
    if let Some(number) = query.number {
        q = q.filter(
            addresses::number
                .eq(number.0)
                .or(addresses::lead_number.eq(number.0)),
        );
    }
    // Subqueries inside `IN` must have concrete types on the multi-backend connection, so
    // the shapes are spelled out. A second folded form becomes a `UNION ALL` branch rather
    // than an `OR`, so that each branch stays a plain index range or seek.
    let w = address_words::word;
    let in_cities = |cities: &Vec<String>| address_words::city_key.eq_any(cities.clone());
    let select = || address_words::table.select(address_words::address_id);
    for filter in &plan.words {
        let range = |form: &String| w.ge(form.clone()).and(w.lt(prefix_upper_bound(form)));
        q = match (filter, &plan.cities) {
            (WordFilter::Words(list), Some(cities)) => q.filter(
                addresses::id.eq_any(
                    select()
                        .filter(w.eq_any(list.clone()))
                        .filter(in_cities(cities)),
                ),
            ),
            (WordFilter::Words(list), None) => {
                q.filter(addresses::id.eq_any(select().filter(w.eq_any(list.clone()))))
            }
            (WordFilter::Prefix(forms), cities) => match (forms.as_slice(), cities) {
                ([a], Some(cities)) => q.filter(
                    addresses::id.eq_any(select().filter(range(a)).filter(in_cities(cities))),
                ),
                ([a], None) => q.filter(addresses::id.eq_any(select().filter(range(a)))),
                ([a, b, ..], Some(cities)) => q.filter(
                    addresses::id.eq_any(
                        select()
                            .filter(range(a))
                            .filter(in_cities(cities))
                            .union_all(select().filter(range(b)).filter(in_cities(cities))),
                    ),
                ),
                ([a, b, ..], None) => q.filter(
                    addresses::id.eq_any(
                        select()
                            .filter(range(a))
                            .union_all(select().filter(range(b))),
                    ),
                ),
                ([], _) => q,
            },
        };
    }
    match &plan.cities {
        // The word subqueries carry the cities already.
        Some(_) if !plan.words.is_empty() => {}
        Some(cities) => q = q.filter(addresses::city_key.eq_any(cities.clone())),
        None => {
            if let Some(city) = any_prefix!(
                addresses::city_key.assume_not_null(),
                &query.city_forms,
                AddressCondition
            ) {
                q = q.filter(city);
            }
        }
    }
    if let Some(pool) = query.pool {
        q = q.filter(
            addresses::id.eq_any(
                pool_members::table
                    .select(pool_members::address_id)
                    .filter(pool_members::pool_id.eq(pool.0)),
            ),
        );
    }
    if let Some((from, to)) = &query.postal_code {
        q = q.filter(addresses::postal_code.between(from.clone(), to.clone()));
    }
    if let Some(country) = query.country {
        q = q.filter(addresses::country.eq(country.to_string()));
    }
    if let Some(kind) = query.kind {
        q = q.filter(addresses::kind.eq(kind.as_str()));
    }
    if let Some(status) = query.status {
        q = q.filter(addresses::status.eq(status.as_str()));
    }
    if let Some(user) = query.responsible {
        q = q.filter(
            addresses::field_rep_id
                .eq(user.0)
                .or(addresses::inside_rep_id.eq(user.0)),
        );
    }
    if let Some(industry) = &query.industry {
        let industry = industry.clone();
        q = q.filter(
            addresses::industry_key
                .ge(industry.clone())
                .and(addresses::industry_key.lt(prefix_upper_bound(&industry))),
        );
    }
    if let Some(classification) = query.classification {
        q = q.filter(addresses::classification.eq(classification.as_str()));
    }
    q
}

pub(super) fn search(
    conn: &mut AnyConnection,
    query: &AddressQuery,
    scope: AddressScope,
    page: PageRequest,
) -> crm_core::Result<Page<AddressSummary>> {
    let Some(plan) = plan(conn, query)? else {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            offset: page.offset,
            limit: page.limit,
        });
    };
    if let Some(page) = from_name_index(conn, query, &plan, scope, page)? {
        return Ok(page);
    }
    let q = filtered(query, &plan, scope);
    let desc = query.sort.descending;
    // A postal code or city criterion excludes rows without one, so the `IS NULL` term
    // (which keeps NULLs last on both backends) can go and the index order serves the sort.
    let has_postal = query.postal_code.is_some();
    let has_city = !query.city_forms.is_empty();
    let q = match (query.sort.by, desc) {
        (AddressSortField::PostalCode, false) if has_postal => {
            q.order((addresses::postal_code.asc(), addresses::id.asc()))
        }
        (AddressSortField::PostalCode, true) if has_postal => {
            q.order((addresses::postal_code.desc(), addresses::id.desc()))
        }
        (AddressSortField::City, false) if has_city => {
            q.order((addresses::city_key.asc(), addresses::id.asc()))
        }
        (AddressSortField::City, true) if has_city => {
            q.order((addresses::city_key.desc(), addresses::id.desc()))
        }
        (AddressSortField::Name, false) => {
            q.order((addresses::name_key.asc(), addresses::id.asc()))
        }
        (AddressSortField::Name, true) => {
            q.order((addresses::name_key.desc(), addresses::id.desc()))
        }
        (AddressSortField::Number, false) => q.order(addresses::number.asc()),
        (AddressSortField::Number, true) => q.order(addresses::number.desc()),
        (AddressSortField::PostalCode, false) => q.order((
            addresses::postal_code.is_null().asc(),
            addresses::postal_code.asc(),
            addresses::id.asc(),
        )),
        (AddressSortField::PostalCode, true) => q.order((
            addresses::postal_code.is_null().asc(),
            addresses::postal_code.desc(),
            addresses::id.desc(),
        )),
        (AddressSortField::City, false) => q.order((
            addresses::city_key.is_null().asc(),
            addresses::city_key.asc(),
            addresses::id.asc(),
        )),
        (AddressSortField::City, true) => q.order((
            addresses::city_key.is_null().asc(),
            addresses::city_key.desc(),
            addresses::id.desc(),
        )),
        (AddressSortField::Updated, false) => {
            q.order((addresses::updated_at.asc(), addresses::id.asc()))
        }
        (AddressSortField::Updated, true) => {
            q.order((addresses::updated_at.desc(), addresses::id.desc()))
        }
    };
    // Name words select a set that is sorted after it is fetched, so every match is read
    // anyway: the total comes with the page from a window count over that same read. Other
    // queries walk an index in sort order and stop after the page; their total (when the page
    // is full) comes from a count that the indexes answer on their own.
    let (rows, counted) = if plan.words.is_empty() {
        let rows: Vec<SummaryRow> = q
            .select(SummaryRow::as_select())
            .limit(i64::from(page.limit))
            .offset(page.offset as i64)
            .load(conn)
            .dom()?;
        (rows, None)
    } else {
        let rows: Vec<(SummaryRow, i64)> = q
            .select((SummaryRow::as_select(), sql::<BigInt>("COUNT(*) OVER ()")))
            .limit(i64::from(page.limit))
            .offset(page.offset as i64)
            .load(conn)
            .dom()?;
        let counted = rows.first().map(|(_, total)| *total);
        (rows.into_iter().map(|(row, _)| row).collect(), counted)
    };
    let total = match counted {
        Some(total) => total.max(0) as u64,
        None => page_total(page, rows.len(), || {
            filtered(query, &plan, scope).count().get_result(conn).dom()
        })?,
    };
    Ok(Page {
        items: rows
            .into_iter()
            .map(SummaryRow::into_domain)
            .collect::<crm_core::Result<_>>()?,
        total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// The total of a list: a short page that is not past the end tells it without counting
/// (most searches fit on one page, so they cost one query); otherwise `count` is asked.
pub(crate) fn page_total(
    page: PageRequest,
    rows: usize,
    count: impl FnOnce() -> crm_core::Result<i64>,
) -> crm_core::Result<u64> {
    if rows < page.limit as usize && (rows > 0 || page.offset == 0) {
        Ok(page.offset + rows as u64)
    } else {
        Ok(count()?.max(0) as u64)
    }
}

/// The page of `items`, its total from [`page_total`].
pub(crate) fn paged<T>(
    page: PageRequest,
    items: Vec<T>,
    count: impl FnOnce() -> crm_core::Result<i64>,
) -> crm_core::Result<Page<T>> {
    Ok(Page {
        total: page_total(page, items.len(), count)?,
        items,
        offset: page.offset,
        limit: page.limit,
    })
}

/// Adds every address matching `query` within `scope` to `pool` with one
/// `INSERT … SELECT` that skips the members it has already; returns how many matched and
/// how many were added.
pub(super) fn insert_matching(
    conn: &mut AnyConnection,
    pool: PoolId,
    query: &AddressQuery,
    scope: AddressScope,
    added: Stamp,
) -> crm_core::Result<(u64, u64)> {
    let Some(plan) = plan(conn, query)? else {
        return Ok((0, 0));
    };
    let matched: i64 = filtered(query, &plan, scope)
        .count()
        .get_result(conn)
        .dom()?;
    let members = pool_members::table
        .select(pool_members::address_id)
        .filter(pool_members::pool_id.eq(pool.0));
    let rows = filtered(query, &plan, scope)
        .filter(addresses::id.ne_all(members))
        .select((
            pool.0.into_sql::<BigInt>(),
            addresses::id,
            added.by.0.into_sql::<BigInt>(),
            ts(added.at).into_sql::<Timestamp>(),
        ));
    let inserted = diesel::insert_into(pool_members::table)
        .values(rows)
        .into_columns((
            pool_members::pool_id,
            pool_members::address_id,
            pool_members::added_by,
            pool_members::added_at,
        ))
        .execute(conn)
        .dom()?;
    Ok((matched.max(0) as u64, inserted as u64))
}
