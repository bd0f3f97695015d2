//! The monthly summary of the revenue facts (`revenue_months`): changed in the transaction
//! that syncs the facts — each fact written adds its amounts to its row, the fact it
//! replaces or a deletion subtracts its own — and read for the revenue figures.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crm_core::erp::{DocumentNumber, GroupCode, Replaced, RevenueFact};
use crm_core::revenue::{Amounts, MonthRange, MonthTotal, RevenueScope, SummaryKey, YearMonth};
use crm_core::{AddressNumber, Currency, UserId};
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::replica::{CHUNK, changed, last_per_key, position};
use super::{DieselTx, insert_in_blocks, stored_by_pair};
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::fixed::{from_fixed, to_fixed};
use crate::schema::{erp_revenue, revenue_months};

/// How storage writes "no rep": keys cannot be NULL.
pub(super) const NO_REP: i64 = i64::MIN;

/// The sums of one summary row as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Delta {
    pub(super) net: i64,
    pub(super) quantity: i64,
    pub(super) margin: i64,
    pub(super) lines: i64,
    pub(super) costed_lines: i64,
}

impl Delta {
    pub(super) fn is_zero(&self) -> bool {
        *self == Delta::default()
    }

    /// Adds `other` (`sign` 1) or takes it away (`sign` -1).
    pub(super) fn add(&mut self, other: &Delta, sign: i64) -> crm_core::Result<()> {
        let sum = |a: i64, b: i64| {
            b.checked_mul(sign)
                .and_then(|b| a.checked_add(b))
                .ok_or_else(|| {
                    crm_core::Error::invalid("upserts", "revenue sums exceed what storage holds")
                })
        };
        *self = Delta {
            net: sum(self.net, other.net)?,
            quantity: sum(self.quantity, other.quantity)?,
            margin: sum(self.margin, other.margin)?,
            lines: sum(self.lines, other.lines)?,
            costed_lines: sum(self.costed_lines, other.costed_lines)?,
        };
        Ok(())
    }

    /// The stored sums of `amounts`; `at` names them in errors.
    pub(super) fn of(amounts: &Amounts, at: &str) -> crm_core::Result<Delta> {
        let fixed = |amount: crm_core::Decimal, field: &str| {
            to_fixed(
                amount.round_dp(crate::fixed::SCALE),
                &format!("{at}.{field}"),
            )
        };
        Ok(Delta {
            net: fixed(amounts.net, "net")?,
            quantity: fixed(amounts.quantity, "quantity")?,
            margin: fixed(amounts.margin.unwrap_or_default(), "margin")?,
            lines: i64::try_from(amounts.lines).unwrap_or(i64::MAX),
            costed_lines: i64::try_from(amounts.costed_lines).unwrap_or(i64::MAX),
        })
    }

    /// The sums as amounts.
    pub(super) fn amounts(&self) -> Amounts {
        Amounts {
            net: from_fixed(self.net),
            quantity: from_fixed(self.quantity),
            margin: (self.costed_lines > 0).then(|| from_fixed(self.margin)),
            lines: u64::try_from(self.lines).unwrap_or_default(),
            costed_lines: u64::try_from(self.costed_lines).unwrap_or_default(),
        }
    }
}

/// Changes to the summary, by row.
#[derive(Debug, Default)]
pub(super) struct Deltas(pub(super) BTreeMap<SummaryKey, Delta>);

impl Deltas {
    /// Adds (`sign` 1) or subtracts (`sign` -1) the amounts of `fact`; `at` names it in
    /// errors.
    pub(super) fn count(
        &mut self,
        fact: &RevenueFact,
        sign: i64,
        at: &str,
    ) -> crm_core::Result<()> {
        let one = Delta::of(&Amounts::of(fact), at)?;
        self.0
            .entry(SummaryKey::of(fact))
            .or_default()
            .add(&one, sign)
    }
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

fn rep(user: Option<UserId>) -> i64 {
    user.map_or(NO_REP, |u| u.0)
}

type Row = (
    i64,
    i32,
    String,
    i64,
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
);

fn total(row: Row) -> crm_core::Result<MonthTotal> {
    let (
        customer,
        month,
        group,
        field,
        inside,
        region,
        currency,
        net,
        quantity,
        margin,
        lines,
        costed,
    ) = row;
    let unreadable = |what: &str, e: crm_core::ValueError| {
        crm_core::Error::Storage(format!(
            "revenue_months of customer {customer}: stored {what} is unreadable: {e}"
        ))
    };
    let user = |id: i64| (id != NO_REP).then_some(UserId(id));
    Ok(MonthTotal {
        key: SummaryKey {
            customer: AddressNumber(customer),
            month: YearMonth::from_ordinal(month).map_err(|e| unreadable("month", e))?,
            product_group: if group.is_empty() {
                None
            } else {
                Some(GroupCode::new(&group).map_err(|e| unreadable("product group", e))?)
            },
            field_rep: user(field),
            inside_rep: user(inside),
            region: (!region.is_empty()).then_some(region),
            currency: Currency::new(&currency).map_err(|e| unreadable("currency", e))?,
        },
        amounts: Delta {
            net,
            quantity,
            margin,
            lines,
            costed_lines: costed,
        }
        .amounts(),
    })
}

macro_rules! row_columns {
    () => {
        (
            revenue_months::customer,
            revenue_months::month,
            revenue_months::product_group,
            revenue_months::field_rep,
            revenue_months::inside_rep,
            revenue_months::region,
            revenue_months::currency,
            revenue_months::net,
            revenue_months::quantity,
            revenue_months::margin,
            revenue_months::lines,
            revenue_months::costed_lines,
        )
    };
}

impl DieselTx<'_> {
    /// Applies a batch of the revenue stream: facts upserted by document and position,
    /// deletions, and the monthly summary following both.
    pub(super) fn apply_revenue(
        &mut self,
        upserts: &[RevenueFact],
        deletions: &[(DocumentNumber, u32)],
    ) -> crm_core::Result<(usize, usize, Vec<Replaced>)> {
        let conn = &mut *self.conn;
        let latest = last_per_key(upserts, |f| (f.document.to_string(), position(f.position)))?;
        let stored: HashMap<(String, i64), String> = stored_by_pair!(
            conn,
            erp_revenue,
            document,
            position,
            latest
                .keys()
                .map(|k| k.0.clone())
                .chain(deletions.iter().map(|(d, _)| d.to_string()))
                .collect()
        );
        // The monthly summary follows: what a written fact replaces or a deletion removes
        // is subtracted, what is written added.
        let mut deltas = Deltas::default();
        let previous = |key: &(String, i64)| -> crm_core::Result<Option<RevenueFact>> {
            stored
                .get(key)
                .map(|data| {
                    serde_json::from_str(data).map_err(|e| {
                        crm_core::Error::Storage(format!(
                            "erp_revenue {}/{}: stored record is unreadable: {e}",
                            key.0, key.1
                        ))
                    })
                })
                .transpose()
        };
        for (key, (i, data)) in &latest {
            if stored.get(key) == Some(data) {
                continue;
            }
            if let Some(old) = previous(key)? {
                deltas.count(&old, -1, &format!("erp_revenue {}/{}", key.0, key.1))?;
            }
            deltas.count(&upserts[*i], 1, &format!("upserts[{i}]"))?;
        }
        let rows: Vec<_> = changed(upserts, &latest, &stored)
            .into_iter()
            .map(|(f, data)| {
                (
                    erp_revenue::document.eq(f.document.to_string()),
                    erp_revenue::position.eq(position(f.position)),
                    erp_revenue::customer.eq(f.customer.0),
                    erp_revenue::fact_date.eq(f.date),
                    erp_revenue::data.eq(data),
                )
            })
            .collect();
        insert_in_blocks!(conn, &rows, 200, |c, block| {
            diesel::insert_into(erp_revenue::table)
                .values(block)
                .on_conflict((erp_revenue::document, erp_revenue::position))
                .do_update()
                .set((
                    erp_revenue::customer.eq(excluded(erp_revenue::customer)),
                    erp_revenue::fact_date.eq(excluded(erp_revenue::fact_date)),
                    erp_revenue::data.eq(excluded(erp_revenue::data)),
                ))
                .execute(c)
        });
        let mut deleted = 0;
        let mut gone = BTreeSet::new();
        for (document, pos) in deletions {
            let key = (document.to_string(), position(*pos));
            // A key upserted in the same batch was counted above; deleting it after the
            // upsert removes the written fact.
            let removed = match latest.get(&key) {
                Some((i, _)) => Some(upserts[*i].clone()),
                None => previous(&key)?,
            };
            let n = diesel::delete(
                erp_revenue::table
                    .filter(erp_revenue::document.eq(&key.0))
                    .filter(erp_revenue::position.eq(key.1)),
            )
            .execute(&mut *conn)
            .dom()?;
            if n > 0
                && gone.insert(key.clone())
                && let Some(fact) = removed
            {
                deltas.count(&fact, -1, &format!("erp_revenue {}/{}", key.0, key.1))?;
            }
            deleted += n;
        }
        self.plan_as_usual()?;
        self.apply_revenue_deltas(deltas)?;
        Ok((rows.len(), deleted, Vec::new()))
    }

    /// Adds `deltas` to the summary and the rep cube and drops the rows no line is left in.
    pub(super) fn apply_revenue_deltas(&mut self, deltas: Deltas) -> crm_core::Result<()> {
        self.apply_cube_deltas(&deltas.0)?;
        self.write_summary_deltas(deltas)
    }

    /// Adds `deltas` to the monthly summary only.
    fn write_summary_deltas(&mut self, deltas: Deltas) -> crm_core::Result<()> {
        let conn = &mut *self.conn;
        let customers: BTreeSet<i64> = deltas.0.keys().map(|k| k.customer.0).collect();
        let rows: Vec<_> = deltas
            .0
            .iter()
            .filter(|(_, d)| !d.is_zero())
            .map(|(k, d)| {
                (
                    revenue_months::customer.eq(k.customer.0),
                    revenue_months::month.eq(k.month.ordinal()),
                    revenue_months::product_group
                        .eq(text(k.product_group.as_ref().map(|g| g.as_str()))),
                    revenue_months::field_rep.eq(rep(k.field_rep)),
                    revenue_months::inside_rep.eq(rep(k.inside_rep)),
                    revenue_months::region.eq(text(k.region.as_deref())),
                    revenue_months::currency.eq(k.currency.code().to_owned()),
                    revenue_months::net.eq(d.net),
                    revenue_months::quantity.eq(d.quantity),
                    revenue_months::margin.eq(d.margin),
                    revenue_months::lines.eq(d.lines),
                    revenue_months::costed_lines.eq(d.costed_lines),
                )
            })
            .collect();
        insert_in_blocks!(conn, &rows, 100, |c, block| {
            diesel::insert_into(revenue_months::table)
                .values(block)
                .on_conflict((
                    revenue_months::customer,
                    revenue_months::month,
                    revenue_months::product_group,
                    revenue_months::field_rep,
                    revenue_months::inside_rep,
                    revenue_months::region,
                    revenue_months::currency,
                ))
                .do_update()
                .set((
                    revenue_months::net.eq(revenue_months::net + excluded(revenue_months::net)),
                    revenue_months::quantity
                        .eq(revenue_months::quantity + excluded(revenue_months::quantity)),
                    revenue_months::margin
                        .eq(revenue_months::margin + excluded(revenue_months::margin)),
                    revenue_months::lines
                        .eq(revenue_months::lines + excluded(revenue_months::lines)),
                    revenue_months::costed_lines
                        .eq(revenue_months::costed_lines + excluded(revenue_months::costed_lines)),
                ))
                .execute(c)
        });
        let customers: Vec<i64> = customers.into_iter().collect();
        for chunk in customers.chunks(CHUNK) {
            diesel::delete(
                revenue_months::table
                    .filter(revenue_months::customer.eq_any(chunk))
                    .filter(revenue_months::lines.le(0)),
            )
            .execute(&mut *conn)
            .dom()?;
        }
        Ok(())
    }

    pub(super) fn revenue_months_of(
        &mut self,
        scope: RevenueScope,
        months: MonthRange,
    ) -> crm_core::Result<Vec<MonthTotal>> {
        let (from, to) = (months.from.ordinal(), months.to.ordinal());
        let in_months = revenue_months::month.between(from, to);
        let rows: Vec<Row> = match scope {
            RevenueScope::Customer(c) => revenue_months::table
                .filter(revenue_months::customer.eq(c.0))
                .filter(in_months)
                .select(row_columns!())
                .load(&mut *self.conn)
                .dom()?,
            RevenueScope::Rep(u) => {
                let mut rows: Vec<Row> = revenue_months::table
                    .filter(revenue_months::field_rep.eq(u.0))
                    .filter(revenue_months::month.between(from, to))
                    .select(row_columns!())
                    .load(&mut *self.conn)
                    .dom()?;
                let inside: Vec<Row> = revenue_months::table
                    .filter(revenue_months::inside_rep.eq(u.0))
                    .filter(revenue_months::month.between(from, to))
                    .filter(revenue_months::field_rep.ne(u.0))
                    .select(row_columns!())
                    .load(&mut *self.conn)
                    .dom()?;
                rows.extend(inside);
                rows
            }
        };
        rows.into_iter().map(total).collect()
    }

    pub(super) fn customers_with_revenue(
        &mut self,
        after: Option<AddressNumber>,
        limit: usize,
    ) -> crm_core::Result<Vec<AddressNumber>> {
        // Customers with facts, and those with summary rows only (left over): both are
        // checked.
        let after = after.map_or(i64::MIN, |a| a.0);
        let n = i64::try_from(limit).unwrap_or(i64::MAX);
        let with_facts: Vec<i64> = erp_revenue::table
            .filter(erp_revenue::customer.gt(after))
            .select(erp_revenue::customer)
            .distinct()
            .order(erp_revenue::customer)
            .limit(n)
            .load(&mut *self.conn)
            .dom()?;
        let with_rows: Vec<i64> = revenue_months::table
            .filter(revenue_months::customer.gt(after))
            .select(revenue_months::customer)
            .distinct()
            .order(revenue_months::customer)
            .limit(n)
            .load(&mut *self.conn)
            .dom()?;
        let numbers: BTreeSet<i64> = with_facts.into_iter().chain(with_rows).collect();
        Ok(numbers.into_iter().take(limit).map(AddressNumber).collect())
    }

    pub(super) fn revenue_of(
        &mut self,
        customers: &[AddressNumber],
    ) -> crm_core::Result<(Vec<RevenueFact>, Vec<MonthTotal>)> {
        let numbers: Vec<i64> = customers.iter().map(|c| c.0).collect();
        let mut facts = Vec::new();
        let mut totals = Vec::new();
        for chunk in numbers.chunks(CHUNK) {
            let rows: Vec<(String, String)> = erp_revenue::table
                .filter(erp_revenue::customer.eq_any(chunk))
                .select((erp_revenue::document, erp_revenue::data))
                .load(&mut *self.conn)
                .dom()?;
            for (document, data) in rows {
                facts.push(serde_json::from_str(&data).map_err(|e| {
                    crm_core::Error::Storage(format!(
                        "erp_revenue {document}: stored record is unreadable: {e}"
                    ))
                })?);
            }
            let rows: Vec<Row> = revenue_months::table
                .filter(revenue_months::customer.eq_any(chunk))
                .select(row_columns!())
                .load(&mut *self.conn)
                .dom()?;
            for row in rows {
                totals.push(total(row)?);
            }
        }
        Ok((facts, totals))
    }

    pub(super) fn replace_months(
        &mut self,
        customers: &[AddressNumber],
        rows: &[MonthTotal],
    ) -> crm_core::Result<()> {
        let numbers: Vec<i64> = customers.iter().map(|c| c.0).collect();
        for chunk in numbers.chunks(CHUNK) {
            diesel::delete(revenue_months::table.filter(revenue_months::customer.eq_any(chunk)))
                .execute(&mut *self.conn)
                .dom()?;
        }
        let mut deltas = Deltas::default();
        for (i, row) in rows.iter().enumerate() {
            deltas.0.insert(
                row.key.clone(),
                Delta::of(&row.amounts, &format!("rows[{i}]"))?,
            );
        }
        self.write_summary_deltas(deltas)
    }
}
