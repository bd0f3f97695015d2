//! A user's revenue, summed up per rep: the "rep cube". Each summary row counts for its field
//! rep and its inside rep (once, as both, when they are the same person) in five dimensions —
//! the total, the product group, the region, the customer by month and the customer by
//! year — so that a rep's figures are read from a few hundred rows, and his largest
//! customers of a year ranked among one row per customer.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Amounts, MonthRange, MonthTotal, SummaryKey, YearMonth};
use crate::ids::{AddressNumber, UserId};
use crate::values::Currency;

/// In which role a user's revenue counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepRole {
    /// He is the field rep of the lines.
    Field,
    /// He is the inside rep of the lines.
    Inside,
    /// He is both.
    Both,
}

impl RepRole {
    /// The one-letter code storage keeps.
    pub fn code(self) -> &'static str {
        match self {
            RepRole::Field => "f",
            RepRole::Inside => "i",
            RepRole::Both => "b",
        }
    }

    /// The role of a code.
    pub fn of_code(code: &str) -> Option<Self> {
        [RepRole::Field, RepRole::Inside, RepRole::Both]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// Whether lines in this role count for him as field rep.
    pub fn is_field(self) -> bool {
        self != RepRole::Inside
    }

    /// Whether lines in this role count for him as inside rep.
    pub fn is_inside(self) -> bool {
        self != RepRole::Field
    }
}

/// What a cube row sums up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CubeDim {
    /// Everything of the month.
    Total,
    /// One product group of the month (key: its code, empty for none).
    Group,
    /// One region of the month (key: the region, empty for none).
    Region,
    /// One customer of the month (key: his number).
    Customer,
    /// One customer of the year (key: his number; month: January).
    CustomerYear,
}

impl CubeDim {
    /// The one-letter code storage keeps.
    pub fn code(self) -> &'static str {
        match self {
            CubeDim::Total => "t",
            CubeDim::Group => "g",
            CubeDim::Region => "r",
            CubeDim::Customer => "c",
            CubeDim::CustomerYear => "y",
        }
    }

    /// The dimension of a code.
    pub fn of_code(code: &str) -> Option<Self> {
        [
            CubeDim::Total,
            CubeDim::Group,
            CubeDim::Region,
            CubeDim::Customer,
            CubeDim::CustomerYear,
        ]
        .into_iter()
        .find(|d| d.code() == code)
    }
}

/// The key of a cube row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CubeKey {
    /// The user.
    pub rep: UserId,
    /// The dimension.
    pub dim: CubeDim,
    /// The month (January for [`CubeDim::CustomerYear`]).
    pub month: YearMonth,
    /// The group, region or customer number; empty for the total and for lines without one.
    pub key: String,
    /// His role.
    pub role: RepRole,
    /// The currency.
    pub currency: Currency,
}

/// A row of the rep cube.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CubeRow {
    /// Its key.
    pub key: CubeKey,
    /// Its sums.
    pub amounts: Amounts,
}

/// The users a summary row counts for, with their roles.
pub fn roles(key: &SummaryKey) -> Vec<(UserId, RepRole)> {
    match (key.field_rep, key.inside_rep) {
        (Some(f), Some(i)) if f == i => vec![(f, RepRole::Both)],
        (f, i) => f
            .map(|f| (f, RepRole::Field))
            .into_iter()
            .chain(i.map(|i| (i, RepRole::Inside)))
            .collect(),
    }
}

/// The cube rows a summary row counts in.
pub fn cube_keys(key: &SummaryKey) -> Vec<CubeKey> {
    let mut keys = Vec::new();
    for (rep, role) in roles(key) {
        let customer = key.customer.to_string();
        let dims = [
            (CubeDim::Total, key.month, String::new()),
            (
                CubeDim::Group,
                key.month,
                key.product_group
                    .as_ref()
                    .map(|g| g.to_string())
                    .unwrap_or_default(),
            ),
            (
                CubeDim::Region,
                key.month,
                key.region.clone().unwrap_or_default(),
            ),
            (CubeDim::Customer, key.month, customer.clone()),
            (CubeDim::CustomerYear, key.month.january(), customer),
        ];
        for (dim, month, k) in dims {
            keys.push(CubeKey {
                rep,
                dim,
                month,
                key: k,
                role,
                currency: key.currency,
            });
        }
    }
    keys
}

/// The cube of summary rows, in key order.
pub fn cube(rows: &[MonthTotal]) -> Vec<CubeRow> {
    let mut cube: BTreeMap<CubeKey, Amounts> = BTreeMap::new();
    for row in rows {
        for key in cube_keys(&row.key) {
            cube.entry(key).or_default().add(&row.amounts);
        }
    }
    cube.into_iter()
        .map(|(key, amounts)| CubeRow { key, amounts })
        .collect()
}

/// A customer ranked among a rep's customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedCustomer {
    /// The customer.
    pub customer: AddressNumber,
    /// His sums in the period.
    pub current: Amounts,
    /// His sums in the previous period.
    pub previous: Amounts,
}

/// What a rep's figures are made of, as the store sums them up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepSummary {
    /// The cube rows of the totals, product groups and regions, in every currency, from the
    /// start of the previous period to the end of the period.
    pub rows: Vec<CubeRow>,
    /// His largest customers of the period in the currency asked for, largest first (ties by
    /// number), with the same customers' sums in the previous period.
    pub top_customers: Vec<RankedCustomer>,
    /// How many customers have lines in the period in that currency.
    pub customers: usize,
}

/// Whether `period` is made of whole calendar years: then the yearly customer rows serve.
pub fn whole_years(period: MonthRange) -> bool {
    period.from.month() == 1 && period.to.month() == 12
}

/// The summary of `user`'s cube rows (`cube` may hold other users' rows and any months).
pub fn rep_summary(
    cube: &[CubeRow],
    user: UserId,
    period: MonthRange,
    previous: MonthRange,
    currency: Currency,
    top: usize,
) -> RepSummary {
    let span = |m: YearMonth| previous.from <= m && m <= period.to;
    let mut rows = Vec::new();
    let mut current: BTreeMap<&str, Amounts> = BTreeMap::new();
    let mut before: BTreeMap<&str, Amounts> = BTreeMap::new();
    for row in cube.iter().filter(|r| r.key.rep == user) {
        let k = &row.key;
        match k.dim {
            CubeDim::Total | CubeDim::Group | CubeDim::Region if span(k.month) => {
                rows.push(row.clone())
            }
            CubeDim::Customer if k.currency == currency => {
                if period.contains(k.month) {
                    current.entry(&k.key).or_default().add(&row.amounts);
                } else if previous.contains(k.month) {
                    before.entry(&k.key).or_default().add(&row.amounts);
                }
            }
            _ => {}
        }
    }
    let mut ranked: Vec<(&str, Amounts)> = current.into_iter().collect();
    ranked.sort_by(|a, b| b.1.net.cmp(&a.1.net).then_with(|| customer_order(a.0, b.0)));
    let customers = ranked.len();
    let top_customers = ranked
        .into_iter()
        .take(top)
        .filter_map(|(k, amounts)| {
            Some(RankedCustomer {
                customer: AddressNumber(k.parse().ok()?),
                previous: before.get(k).cloned().unwrap_or_default(),
                current: amounts,
            })
        })
        .collect();
    RepSummary {
        rows,
        top_customers,
        customers,
    }
}

/// Customer keys in the order of their numbers.
fn customer_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The currencies of the rows besides `currency`.
pub(crate) fn other_currencies(rows: &[CubeRow], currency: Currency) -> Vec<Currency> {
    let set: BTreeSet<Currency> = rows
        .iter()
        .map(|r| r.key.currency)
        .filter(|c| *c != currency)
        .collect();
    set.into_iter().collect()
}

/// How many cube rows differ between `expected` and `stored`: missing, left over or with
/// other sums.
pub fn cube_differences(expected: &[CubeRow], stored: &[CubeRow]) -> usize {
    let expected: BTreeMap<&CubeKey, &Amounts> =
        expected.iter().map(|r| (&r.key, &r.amounts)).collect();
    let stored: BTreeMap<&CubeKey, &Amounts> =
        stored.iter().map(|r| (&r.key, &r.amounts)).collect();
    expected
        .iter()
        .filter(|(k, a)| stored.get(*k) != Some(*a))
        .count()
        + stored.keys().filter(|k| !expected.contains_key(*k)).count()
}
