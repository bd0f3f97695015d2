//! The rep cube (`revenue_rep_cube`): the monthly summary summed up per rep by total, product
//! group, region, customer by month and customer by year, changed with the summary in the
//! sync's transaction and read for a user's figures — his largest customers ranked in SQL.

use std::collections::{BTreeMap, BTreeSet};

use crm_core::revenue::{
    CubeDim, CubeKey, CubeRow, MonthRange, RankedCustomer, RepRole, RepSummary, SummaryKey,
    YearMonth, cube_keys, whole_years,
};
use crm_core::{AddressNumber, Currency, UserId};
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::revenue::Delta;
use super::{DieselTx, insert_in_blocks};
use crate::connection::{AnyConnection, with_inner};
use crate::error::QueryResultExt;
use crate::schema::{revenue_months, revenue_rep_cube};

type Row = (
    i64,
    String,
    i32,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
);

macro_rules! cube_columns {
    () => {
        (
            revenue_rep_cube::rep,
            revenue_rep_cube::dim,
            revenue_rep_cube::month,
            revenue_rep_cube::key,
            revenue_rep_cube::role,
            revenue_rep_cube::currency,
            revenue_rep_cube::net,
            revenue_rep_cube::quantity,
            revenue_rep_cube::margin,
            revenue_rep_cube::lines,
            revenue_rep_cube::costed_lines,
        )
    };
}

fn unreadable(what: &str, rep: i64) -> crm_core::Error {
    crm_core::Error::Storage(format!(
        "revenue_rep_cube of user {rep}: stored {what} is unreadable"
    ))
}

fn cube_row(row: Row) -> crm_core::Result<CubeRow> {
    let (rep, dim, month, key, role, currency, net, quantity, margin, lines, costed_lines) = row;
    Ok(CubeRow {
        key: CubeKey {
            rep: UserId(rep),
            dim: CubeDim::of_code(&dim).ok_or_else(|| unreadable("dimension", rep))?,
            month: YearMonth::from_ordinal(month).map_err(|_| unreadable("month", rep))?,
            key,
            role: RepRole::of_code(&role).ok_or_else(|| unreadable("role", rep))?,
            currency: Currency::new(&currency).map_err(|_| unreadable("currency", rep))?,
        },
        amounts: Delta {
            net,
            quantity,
            margin,
            lines,
            costed_lines,
        }
        .amounts(),
    })
}

/// One customer's sums as the ranking query returns them.
#[derive(QueryableByName)]
struct Ranked {
    #[diesel(sql_type = diesel::sql_types::Text)]
    key: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    net: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    quantity: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    margin: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    lines: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    costed_lines: i64,
    /// How many customers the grouping found (before the limit).
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    customers: i64,
}

impl Ranked {
    fn delta(&self) -> Delta {
        Delta {
            net: self.net,
            quantity: self.quantity,
            margin: self.margin,
            lines: self.lines,
            costed_lines: self.costed_lines,
        }
    }
}

const SUMS: &str = "key, CAST(SUM(net) AS BIGINT) AS net, CAST(SUM(quantity) AS BIGINT) AS quantity, \
     CAST(SUM(margin) AS BIGINT) AS margin, CAST(SUM(lines) AS BIGINT) AS lines, \
     CAST(SUM(costed_lines) AS BIGINT) AS costed_lines";

/// The customers of one rep, dimension, month range and currency, grouped: the largest
/// `limit` by net revenue, or those among `only`.
fn ranked(
    conn: &mut AnyConnection,
    (rep, dim, from, to, currency): (i64, &str, i32, i32, &str),
    limit: i64,
    only: Option<&[String]>,
) -> crm_core::Result<Vec<Ranked>> {
    use diesel::sql_types::{BigInt, Integer, Text};
    let pg = matches!(conn, AnyConnection::Postgresql(_));
    let p = |n: usize| if pg { format!("${n}") } else { "?".to_owned() };
    let filter = format!(
        "FROM revenue_rep_cube WHERE rep = {} AND dim = {} AND month BETWEEN {} AND {} AND currency = {}",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5)
    );
    let sql = match only {
        None => format!(
            "SELECT {SUMS}, COUNT(*) OVER () AS customers {filter} GROUP BY key \
             ORDER BY SUM(net) DESC, CAST(key AS BIGINT) LIMIT {}",
            p(6)
        ),
        Some(keys) => {
            // The keys are customer numbers this module read: digits only.
            let list: Vec<String> = keys
                .iter()
                .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
                .map(|k| format!("'{k}'"))
                .collect();
            if list.is_empty() {
                return Ok(Vec::new());
            }
            format!(
                "SELECT {SUMS}, CAST(0 AS BIGINT) AS customers {filter} AND key IN ({}) \
                 GROUP BY key LIMIT {}",
                list.join(", "),
                p(6)
            )
        }
    };
    let query = diesel::sql_query(sql)
        .bind::<BigInt, _>(rep)
        .bind::<Text, _>(dim)
        .bind::<Integer, _>(from)
        .bind::<Integer, _>(to)
        .bind::<Text, _>(currency)
        .bind::<BigInt, _>(limit);
    with_inner!(conn, |c| query.load(c)).dom()
}

impl DieselTx<'_> {
    /// Adds the summary `deltas` to the rep cube and drops the rows no line is left in.
    pub(super) fn apply_cube_deltas(
        &mut self,
        deltas: &BTreeMap<SummaryKey, Delta>,
    ) -> crm_core::Result<()> {
        let mut cube: BTreeMap<CubeKey, Delta> = BTreeMap::new();
        for (key, delta) in deltas.iter().filter(|(_, d)| !d.is_zero()) {
            for k in cube_keys(key) {
                cube.entry(k).or_default().add(delta, 1)?;
            }
        }
        self.add_to_cube(cube)
    }

    fn add_to_cube(&mut self, cube: BTreeMap<CubeKey, Delta>) -> crm_core::Result<()> {
        let conn = &mut *self.conn;
        let reps: BTreeSet<i64> = cube.keys().map(|k| k.rep.0).collect();
        let rows: Vec<_> = cube
            .iter()
            .filter(|(_, d)| !d.is_zero())
            .map(|(k, d)| {
                (
                    revenue_rep_cube::rep.eq(k.rep.0),
                    revenue_rep_cube::dim.eq(k.dim.code()),
                    revenue_rep_cube::month.eq(k.month.ordinal()),
                    revenue_rep_cube::key.eq(k.key.as_str()),
                    revenue_rep_cube::role.eq(k.role.code()),
                    revenue_rep_cube::currency.eq(k.currency.code()),
                    revenue_rep_cube::net.eq(d.net),
                    revenue_rep_cube::quantity.eq(d.quantity),
                    revenue_rep_cube::margin.eq(d.margin),
                    revenue_rep_cube::lines.eq(d.lines),
                    revenue_rep_cube::costed_lines.eq(d.costed_lines),
                )
            })
            .collect();
        insert_in_blocks!(conn, &rows, 100, |c, block| {
            diesel::insert_into(revenue_rep_cube::table)
                .values(block)
                .on_conflict((
                    revenue_rep_cube::rep,
                    revenue_rep_cube::dim,
                    revenue_rep_cube::month,
                    revenue_rep_cube::key,
                    revenue_rep_cube::role,
                    revenue_rep_cube::currency,
                ))
                .do_update()
                .set((
                    revenue_rep_cube::net
                        .eq(revenue_rep_cube::net + excluded(revenue_rep_cube::net)),
                    revenue_rep_cube::quantity
                        .eq(revenue_rep_cube::quantity + excluded(revenue_rep_cube::quantity)),
                    revenue_rep_cube::margin
                        .eq(revenue_rep_cube::margin + excluded(revenue_rep_cube::margin)),
                    revenue_rep_cube::lines
                        .eq(revenue_rep_cube::lines + excluded(revenue_rep_cube::lines)),
                    revenue_rep_cube::costed_lines
                        .eq(revenue_rep_cube::costed_lines
                            + excluded(revenue_rep_cube::costed_lines)),
                ))
                .execute(c)
        });
        let reps: Vec<i64> = reps.into_iter().collect();
        diesel::delete(
            revenue_rep_cube::table
                .filter(revenue_rep_cube::rep.eq_any(reps))
                .filter(revenue_rep_cube::lines.le(0)),
        )
        .execute(&mut *conn)
        .dom()?;
        Ok(())
    }

    pub(super) fn rep_summary_of(
        &mut self,
        user: UserId,
        period: MonthRange,
        previous: MonthRange,
        currency: Currency,
        top: usize,
    ) -> crm_core::Result<RepSummary> {
        let from = previous.from.min(period.from).ordinal();
        let to = period.to.max(previous.to).ordinal();
        let rows: Vec<Row> = revenue_rep_cube::table
            .filter(revenue_rep_cube::rep.eq(user.0))
            .filter(revenue_rep_cube::dim.eq_any(["t", "g", "r"]))
            .filter(revenue_rep_cube::month.between(from, to))
            .select(cube_columns!())
            .load(&mut *self.conn)
            .dom()?;
        let rows = rows
            .into_iter()
            .map(cube_row)
            .collect::<crm_core::Result<_>>()?;
        // Whole years are ranked among one row per customer and year.
        let yearly = whole_years(period) && whole_years(previous);
        let dim = if yearly {
            CubeDim::CustomerYear
        } else {
            CubeDim::Customer
        };
        let at = |m: YearMonth| {
            if yearly {
                m.january().ordinal()
            } else {
                m.ordinal()
            }
        };
        let limit = i64::try_from(top).unwrap_or(i64::MAX);
        let current = ranked(
            self.conn,
            (
                user.0,
                dim.code(),
                at(period.from),
                at(period.to),
                currency.code(),
            ),
            limit,
            None,
        )?;
        let keys: Vec<String> = current.iter().map(|r| r.key.clone()).collect();
        let before: BTreeMap<String, Delta> = ranked(
            self.conn,
            (
                user.0,
                dim.code(),
                at(previous.from),
                at(previous.to),
                currency.code(),
            ),
            limit,
            Some(&keys),
        )?
        .into_iter()
        .map(|r| (r.key.clone(), r.delta()))
        .collect();
        let customers = current.first().map_or(0, |r| r.customers);
        let top_customers = current
            .iter()
            .filter_map(|r| {
                Some(RankedCustomer {
                    customer: AddressNumber(r.key.parse().ok()?),
                    current: r.delta().amounts(),
                    previous: before.get(&r.key).copied().unwrap_or_default().amounts(),
                })
            })
            .collect();
        Ok(RepSummary {
            rows,
            top_customers,
            customers: usize::try_from(customers).unwrap_or_default(),
        })
    }

    pub(super) fn reps_with_revenue(&mut self) -> crm_core::Result<Vec<UserId>> {
        let field: Vec<i64> = revenue_months::table
            .select(revenue_months::field_rep)
            .distinct()
            .load(&mut *self.conn)
            .dom()?;
        let inside: Vec<i64> = revenue_months::table
            .select(revenue_months::inside_rep)
            .distinct()
            .load(&mut *self.conn)
            .dom()?;
        let cube: Vec<i64> = revenue_rep_cube::table
            .select(revenue_rep_cube::rep)
            .distinct()
            .load(&mut *self.conn)
            .dom()?;
        let reps: BTreeSet<i64> = field
            .into_iter()
            .chain(inside)
            .chain(cube)
            .filter(|r| *r != super::revenue::NO_REP)
            .collect();
        Ok(reps.into_iter().map(UserId).collect())
    }

    pub(super) fn cube_of(&mut self, user: UserId) -> crm_core::Result<Vec<CubeRow>> {
        let rows: Vec<Row> = revenue_rep_cube::table
            .filter(revenue_rep_cube::rep.eq(user.0))
            .select(cube_columns!())
            .load(&mut *self.conn)
            .dom()?;
        rows.into_iter().map(cube_row).collect()
    }

    pub(super) fn cube_totals(
        &mut self,
        user: UserId,
        months: MonthRange,
    ) -> crm_core::Result<Vec<CubeRow>> {
        let rows: Vec<Row> = revenue_rep_cube::table
            .filter(revenue_rep_cube::rep.eq(user.0))
            .filter(revenue_rep_cube::dim.eq(CubeDim::Total.code()))
            .filter(revenue_rep_cube::month.between(months.from.ordinal(), months.to.ordinal()))
            .select(cube_columns!())
            .load(&mut *self.conn)
            .dom()?;
        rows.into_iter().map(cube_row).collect()
    }

    pub(super) fn replace_cube(&mut self, user: UserId, rows: &[CubeRow]) -> crm_core::Result<()> {
        diesel::delete(revenue_rep_cube::table.filter(revenue_rep_cube::rep.eq(user.0)))
            .execute(&mut *self.conn)
            .dom()?;
        let mut cube = BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            cube.insert(
                row.key.clone(),
                Delta::of(&row.amounts, &format!("rows[{i}]"))?,
            );
        }
        self.add_to_cube(cube)
    }
}
