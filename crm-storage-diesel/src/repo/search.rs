//! The criteria search and the duplicate-candidate lookup.
//!
//! Name words are answered from `address_words`, an index of every folded name word with the
//! folded city beside it, keyed `(word, city_key, address_id)`. Each query word becomes
//! `id IN (SELECT address_id FROM address_words WHERE …)`, answered from that key alone:
//!
//! * without a city, as a range scan `word >= prefix AND word < prefix‖U+10FFFF`;
//! * with a city, the city prefix and then the word prefix are first expanded into the few
//!   distinct stored values they stand for (skipping from value to value, one seek each), so
//!   that the subquery becomes seeks on `(word, city_key)` pairs — a common word is not
//!   scanned across every city.
//!
//! Short pages report their total without a second query; name searches get it from a
//! window count over the rows they read anyway.

use std::collections::BTreeSet;

use crm_core::text::prefix_upper_bound;
use crm_core::{
    Address, AddressQuery, AddressScope, AddressSortField, AddressSummary, DuplicateProbe, Page,
    PageRequest,
};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::scope_condition;
use crate::connection::{AnyConnection, MultiBackend, with_inner};
use crate::error::QueryResultExt;
use crate::rows::address::{AddressRow, SummaryRow};
use crate::schema::{address_words, addresses};

type AddressCondition = Box<dyn BoxableExpression<addresses::table, MultiBackend, SqlType = Bool>>;

/// `column` starts with one of `forms` (bytewise).
macro_rules! any_prefix {
    ($column:expr, $forms:expr, $ty:ty) => {{
        let mut condition: Option<$ty> = None;
        for form in $forms {
            let one: $ty = Box::new(
                $column
                    .ge(form.clone())
                    .and($column.lt(prefix_upper_bound(form))),
            );
            condition = Some(match condition {
                None => one,
                Some(previous) => Box::new(previous.or(one)),
            });
        }
        condition
    }};
}

/// How one query word is matched in the name index.
enum WordFilter {
    /// The prefix stands for exactly these indexed words.
    Words(Vec<String>),
    /// So many indexed words start with the prefix that its range is scanned instead.
    Prefix(Vec<String>),
}

/// How a query is answered from the indexes.
struct Plan {
    words: Vec<WordFilter>,
    /// The folded cities the city criterion stands for, when there are few enough.
    cities: Option<Vec<String>>,
}

/// Most distinct keys a prefix is expanded into before its range is scanned instead.
const MAX_EXPANSION: usize = 32;

/// Where a prefix is expanded into distinct stored values.
#[derive(Clone, Copy)]
enum Expand {
    /// Words of the name index.
    Words,
    /// Cities of the addresses.
    Cities,
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Text)]
    value: String,
}

/// The distinct stored values that start with one of `forms`, found by skipping from one
/// value to the next (a recursive query of one index seek per value, however many rows
/// share a value: a loose index scan); `None` when there are more than [`MAX_EXPANSION`].
fn distinct_prefixed(
    conn: &mut AnyConnection,
    source: Expand,
    forms: &[String],
) -> crm_core::Result<Option<Vec<String>>> {
    let (table, column) = match source {
        Expand::Words => ("address_words", "word"),
        Expand::Cities => ("addresses", "city_key"),
    };
    let (p1, p2) = match conn {
        AnyConnection::Postgresql(_) => ("$1", "$2"),
        AnyConnection::Sqlite(_) => ("?1", "?2"),
    };
    let sql = format!(
        "WITH RECURSIVE skip(v) AS ( \
           SELECT (SELECT min({column}) FROM {table} WHERE {column} >= {p1} AND {column} < {p2}) \
           UNION ALL \
           SELECT (SELECT min({column}) FROM {table} WHERE {column} > skip.v AND {column} < {p2}) \
           FROM skip WHERE skip.v IS NOT NULL \
         ) SELECT v AS value FROM skip WHERE v IS NOT NULL LIMIT {}",
        MAX_EXPANSION + 1
    );
    let mut found: Vec<String> = Vec::new();
    for form in forms {
        let upper = prefix_upper_bound(form);
        let values: Vec<Value> = with_inner!(&mut *conn, |c| {
            diesel::sql_query(sql.as_str())
                .bind::<Text, _>(form.as_str())
                .bind::<Text, _>(upper.as_str())
                .load(c)
        })
        .dom()?;
        found.extend(values.into_iter().map(|v| v.value));
        if found.len() > MAX_EXPANSION {
            return Ok(None);
        }
    }
    found.sort_unstable();
    found.dedup();
    Ok(Some(found))
}

/// Plans the name and city criteria. A city prefix is expanded into the distinct stored
/// cities it starts, and then each word prefix into the distinct indexed words, so that the
/// name index is searched with seeks on `(word, city_key)` pairs instead of a scan of every
/// city's entries of a common word. `None` when a word or the city matches nothing at all.
fn plan(conn: &mut AnyConnection, query: &AddressQuery) -> crm_core::Result<Option<Plan>> {
    let cities = if query.city_forms.is_empty() {
        None
    } else {
        match distinct_prefixed(conn, Expand::Cities, &query.city_forms)? {
            Some(cities) if cities.is_empty() => return Ok(None),
            found => found,
        }
    };
    let mut words = Vec::with_capacity(query.name_words.len());
    for word in &query.name_words {
        if cities.is_none() {
            words.push(WordFilter::Prefix(word.forms.clone()));
            continue;
        }
        match distinct_prefixed(conn, Expand::Words, &word.forms)? {
            Some(found) if found.is_empty() => return Ok(None),
            Some(found) => words.push(WordFilter::Words(found)),
            None => words.push(WordFilter::Prefix(word.forms.clone())),
        }
    }
    Ok(Some(Plan { words, cities }))
}

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

type WordsCondition =
    Box<dyn BoxableExpression<address_words::table, MultiBackend, SqlType = Bool>>;

/// The most common search — one name word, perhaps a city and a status, sorted by name,
/// everything visible — answered and ordered from the name index alone, whose entries carry
/// the sort key and status of their address; only the page's addresses are read. `None` when
/// the query needs the general path.
fn from_name_index(
    conn: &mut AnyConnection,
    query: &AddressQuery,
    plan: &Plan,
    scope: AddressScope,
    page: PageRequest,
) -> crm_core::Result<Option<Page<AddressSummary>>> {
    let [word] = plan.words.as_slice() else {
        return Ok(None);
    };
    let simple = scope == AddressScope::All
        && query.sort.by == AddressSortField::Name
        && query.number.is_none()
        && query.postal_code.is_none()
        && query.country.is_none()
        && query.kind.is_none()
        && query.responsible.is_none()
        && query.industry.is_none()
        && query.classification.is_none()
        && (query.city_forms.is_empty() || plan.cities.is_some());
    if !simple {
        return Ok(None);
    }
    let w = address_words::word;
    // Grouped, so that an address matched by both folded forms counts once; the window
    // count runs after the grouping and so counts addresses.
    let mut q = address_words::table
        .select((address_words::address_id, sql::<BigInt>("COUNT(*) OVER ()")))
        .group_by((address_words::address_id, address_words::name_key))
        .into_boxed::<MultiBackend>();
    match word {
        WordFilter::Words(list) => q = q.filter(w.eq_any(list.clone())),
        WordFilter::Prefix(forms) => {
            if let Some(condition) = any_prefix!(w, forms, WordsCondition) {
                q = q.filter(condition);
            }
        }
    }
    if let Some(cities) = &plan.cities {
        q = q.filter(address_words::city_key.eq_any(cities.clone()));
    }
    if let Some(status) = query.status {
        q = q.filter(address_words::status.eq(status.as_str()));
    }
    q = if query.sort.descending {
        q.order((
            address_words::name_key.desc(),
            address_words::address_id.desc(),
        ))
    } else {
        q.order((
            address_words::name_key.asc(),
            address_words::address_id.asc(),
        ))
    };
    let hits: Vec<(i64, i64)> = q
        .limit(i64::from(page.limit))
        .offset(page.offset as i64)
        .load(conn)
        .dom()?;
    let Some(&(_, total)) = hits.first() else {
        // Past the end, the total is not known from here.
        return Ok((page.offset == 0).then(|| Page {
            items: Vec::new(),
            total: 0,
            offset: 0,
            limit: page.limit,
        }));
    };
    let ids: Vec<i64> = hits.iter().map(|(id, _)| *id).collect();
    let mut rows: Vec<SummaryRow> = addresses::table
        .filter(addresses::id.eq_any(&ids))
        .select(SummaryRow::as_select())
        .load(conn)
        .dom()?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(Some(Page {
        items: rows
            .into_iter()
            .map(SummaryRow::into_domain)
            .collect::<crm_core::Result<_>>()?,
        total: total.max(0) as u64,
        offset: page.offset,
        limit: page.limit,
    }))
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
