//! The name index `address_words` and the plans that use it.
//!
//! With a city criterion, the city prefix and then each word prefix are expanded into the few
//! distinct stored values they stand for (a loose index scan: one seek per value, however
//! many rows share it), so that the index is searched with seeks on `(word, city_key)` pairs
//! and a common word is not scanned across every city. The index entries carry their
//! address's sort key and status, so the common one-word search is answered and ordered from
//! the index alone.

use crm_core::text::prefix_upper_bound;
use crm_core::{AddressQuery, AddressScope, AddressSortField, AddressSummary, Page, PageRequest};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use crate::connection::{AnyConnection, MultiBackend, with_inner};
use crate::error::QueryResultExt;
use crate::rows::address::SummaryRow;
use crate::schema::{address_words, addresses};

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
pub(super) use any_prefix;

/// How one query word is matched in the name index.
pub(super) enum WordFilter {
    /// The prefix stands for exactly these indexed words.
    Words(Vec<String>),
    /// So many indexed words start with the prefix that its range is scanned instead.
    Prefix(Vec<String>),
}

/// How a query is answered from the indexes.
pub(super) struct Plan {
    pub(super) words: Vec<WordFilter>,
    /// The folded cities the city criterion stands for, when there are few enough.
    pub(super) cities: Option<Vec<String>>,
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
pub(super) fn plan(
    conn: &mut AnyConnection,
    query: &AddressQuery,
) -> crm_core::Result<Option<Plan>> {
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

type WordsCondition =
    Box<dyn BoxableExpression<address_words::table, MultiBackend, SqlType = Bool>>;

/// The most common search — one name word, perhaps a city and a status, sorted by name,
/// everything visible — answered and ordered from the name index alone, whose entries carry
/// the sort key and status of their address; only the page's addresses are read. `None` when
/// the query needs the general path.
pub(super) fn from_name_index(
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
        && query.pool.is_none()
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
