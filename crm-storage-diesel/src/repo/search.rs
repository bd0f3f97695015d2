//! The criteria search and the duplicate-candidate lookup.
//!
//! Name words are answered from `address_words`, an index of every folded name word with the
//! folded city beside it: each query word becomes `id IN (SELECT address_id FROM address_words
//! WHERE word >= prefix AND word < prefix‖U+10FFFF …)`, a range scan of the
//! `(word, city_key, address_id)` index that never touches the address rows; the city
//! criterion rides along in the first word's scan.

use std::collections::BTreeSet;

use crm_core::text::prefix_upper_bound;
use crm_core::{
    Address, AddressQuery, AddressScope, AddressSortField, AddressSummary, DuplicateProbe, Page,
    PageRequest,
};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::scope_condition;
use crate::connection::{AnyConnection, MultiBackend};
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

/// The first two prefix ranges of `forms` as `(from, to)` pairs; one form fills both.
fn two_ranges(forms: &[String]) -> Option<[(String, String); 2]> {
    let first = forms.first()?;
    let second = forms.get(1).unwrap_or(first);
    Some([
        (first.clone(), prefix_upper_bound(first)),
        (second.clone(), prefix_upper_bound(second)),
    ])
}

/// How one query word is matched in the name index.
enum WordFilter {
    /// The prefix stands for exactly these indexed words.
    Words(Vec<String>),
    /// So many indexed words start with the prefix that its range is scanned instead.
    Prefix(Vec<String>),
}

/// Most distinct indexed words a prefix is expanded into before its range is scanned.
const MAX_EXPANSION: usize = 32;

/// Plans each query word. With a city criterion, a prefix is expanded into the distinct
/// indexed words it starts (one index seek each, skipping over all entries of a word), so
/// that each word is then looked up together with the city — seeks on `(word, city_key)`
/// instead of a scan of every city's entries of a common word. `None` when a word matches
/// nothing at all.
fn plan_words(
    conn: &mut AnyConnection,
    query: &AddressQuery,
) -> crm_core::Result<Option<Vec<WordFilter>>> {
    let mut plan = Vec::with_capacity(query.name_words.len());
    for word in &query.name_words {
        if query.city_forms.is_empty() {
            plan.push(WordFilter::Prefix(word.forms.clone()));
            continue;
        }
        match expand(conn, &word.forms)? {
            Some(words) if words.is_empty() => return Ok(None),
            Some(words) => plan.push(WordFilter::Words(words)),
            None => plan.push(WordFilter::Prefix(word.forms.clone())),
        }
    }
    Ok(Some(plan))
}

/// The distinct indexed words starting with one of `forms`, or `None` when there are more
/// than [`MAX_EXPANSION`].
fn expand(conn: &mut AnyConnection, forms: &[String]) -> crm_core::Result<Option<Vec<String>>> {
    let mut words: Vec<String> = Vec::new();
    for form in forms {
        let upper = prefix_upper_bound(form);
        let mut next: Option<String> = address_words::table
            .select(address_words::word)
            .filter(address_words::word.ge(form.clone()))
            .filter(address_words::word.lt(upper.clone()))
            .order(address_words::word.asc())
            .first(conn)
            .optional()
            .dom()?;
        while let Some(word) = next {
            if words.len() >= MAX_EXPANSION {
                return Ok(None);
            }
            next = address_words::table
                .select(address_words::word)
                .filter(address_words::word.gt(word.clone()))
                .filter(address_words::word.lt(upper.clone()))
                .order(address_words::word.asc())
                .first(conn)
                .optional()
                .dom()?;
            words.push(word);
        }
    }
    words.sort_unstable();
    words.dedup();
    Ok(Some(words))
}

fn filtered(
    query: &AddressQuery,
    words: &[WordFilter],
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
    // the shapes are spelled out. The city's forms are two ranges (the second repeats the
    // first when there is one form), checked on the index entries themselves.
    let city = two_ranges(&query.city_forms);
    let w = address_words::word;
    let c = address_words::city_key;
    let select = || address_words::table.select(address_words::address_id);
    let in_city = |[(c1, d1), (c2, d2)]: [(String, String); 2]| {
        c.ge(c1).and(c.lt(d1)).or(c.ge(c2).and(c.lt(d2)))
    };
    for filter in words {
        q = match (filter, city.clone()) {
            (WordFilter::Words(list), Some(city)) => q.filter(
                addresses::id.eq_any(
                    select()
                        .filter(w.eq_any(list.clone()))
                        .filter(in_city(city)),
                ),
            ),
            (WordFilter::Words(list), None) => {
                q.filter(addresses::id.eq_any(select().filter(w.eq_any(list.clone()))))
            }
            (WordFilter::Prefix(forms), city) => {
                let Some([(a1, b1), (a2, b2)]) = two_ranges(forms) else {
                    continue;
                };
                // A second folded form becomes a `UNION ALL` branch rather than an `OR`, so
                // that each branch stays a plain range scan.
                match (forms.len() > 1, city) {
                    (false, None) => {
                        q.filter(addresses::id.eq_any(select().filter(w.ge(a1).and(w.lt(b1)))))
                    }
                    (false, Some(city)) => q.filter(
                        addresses::id.eq_any(
                            select()
                                .filter(w.ge(a1).and(w.lt(b1)))
                                .filter(in_city(city)),
                        ),
                    ),
                    (true, None) => q.filter(
                        addresses::id.eq_any(
                            select()
                                .filter(w.ge(a1).and(w.lt(b1)))
                                .union_all(select().filter(w.ge(a2).and(w.lt(b2)))),
                        ),
                    ),
                    (true, Some(city)) => q.filter(
                        addresses::id.eq_any(
                            select()
                                .filter(w.ge(a1).and(w.lt(b1)))
                                .filter(in_city(city.clone()))
                                .union_all(
                                    select()
                                        .filter(w.ge(a2).and(w.lt(b2)))
                                        .filter(in_city(city)),
                                ),
                        ),
                    ),
                }
            }
        };
    }
    if query.name_words.is_empty()
        && let Some(city) = any_prefix!(
            addresses::city_key.assume_not_null(),
            &query.city_forms,
            AddressCondition
        )
    {
        q = q.filter(city);
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
    let Some(words) = plan_words(conn, query)? else {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            offset: page.offset,
            limit: page.limit,
        });
    };
    let q = filtered(query, &words, scope);
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
    let rows: Vec<SummaryRow> = q
        .select(SummaryRow::as_select())
        .limit(i64::from(page.limit))
        .offset(page.offset as i64)
        .load(conn)
        .dom()?;
    let total = page_total(page, rows.len(), || {
        filtered(query, &words, scope)
            .count()
            .get_result(conn)
            .dom()
    })?;
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
