//! Revenue figures ("MIS"): what a customer bought and what a sales rep sold, by month, by
//! product group, by customer and by region — computed from a monthly summary of the ERP's
//! revenue facts, never by scanning the facts when someone asks.
//!
//! The summary ([`MonthTotal`]) holds one row per customer, month, product group, field rep,
//! inside rep, region and currency. Storage keeps it up to date in the transaction that
//! syncs the facts; [`summarize`] computes the same rows from facts, for an ERP without a
//! summary of its own and for the consistency check.

mod figures;
mod month;
mod rep;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::erp::{GroupCode, RevenueFact};
use crate::ids::{AddressNumber, UserId};
use crate::values::Currency;

pub use figures::{
    AddressRevenue, Breakdown, Comparison, MonthComparison, PeriodComparison, Share, UserRevenue,
    YearToDate, a_year_earlier, address_figures, breakdown, user_figures, year_to_date,
    year_to_date_months,
};
pub use month::{MAX_MONTHS, MonthRange, YearMonth};
pub use rep::{
    CubeDim, CubeKey, CubeRow, RankedCustomer, RepRole, RepSummary, cube, cube_differences,
    cube_keys, rep_summary, roles, whole_years,
};

/// Sums over revenue lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amounts {
    /// Net revenue (credit notes subtract).
    pub net: Decimal,
    /// Quantity sold (credit notes subtract).
    pub quantity: Decimal,
    /// Net revenue less cost over the lines whose cost is known; `None` when no line's is.
    pub margin: Option<Decimal>,
    /// How many lines.
    pub lines: u64,
    /// How many of them with a known cost.
    pub costed_lines: u64,
}

impl Amounts {
    /// The amounts of one fact, to the four decimal places the summary keeps (facts are
    /// refused with more; one stored before that rule is rounded as storage rounds it).
    pub fn of(fact: &RevenueFact) -> Self {
        let kept = |d: Decimal| d.round_dp(4);
        Amounts {
            net: kept(fact.net_amount),
            quantity: kept(fact.quantity),
            margin: fact.cost.map(|c| kept(fact.net_amount) - kept(c)),
            lines: 1,
            costed_lines: u64::from(fact.cost.is_some()),
        }
    }

    /// Adds `other`.
    pub fn add(&mut self, other: &Amounts) {
        self.net += other.net;
        self.quantity += other.quantity;
        self.margin = match (self.margin, other.margin) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.lines += other.lines;
        self.costed_lines += other.costed_lines;
    }

    /// Takes `other` away (what is left when some entries are listed on their own).
    pub fn subtract(&mut self, other: &Amounts) {
        self.net -= other.net;
        self.quantity -= other.quantity;
        self.margin = match (self.margin, other.margin) {
            (Some(a), Some(b)) => Some(a - b),
            (a, None) => a,
            (None, Some(b)) => Some(-b),
        };
        self.lines = self.lines.saturating_sub(other.lines);
        self.costed_lines = self.costed_lines.saturating_sub(other.costed_lines);
        if self.costed_lines == 0 {
            self.margin = None;
        }
    }

    /// Whether no line counts.
    pub fn is_empty(&self) -> bool {
        self.lines == 0
    }
}

/// Whose revenue is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevenueScope {
    /// What one customer bought.
    Customer(AddressNumber),
    /// What one user sold, as field rep or as inside rep.
    Rep(UserId),
}

impl RevenueScope {
    /// Whether `fact` counts for it.
    pub fn admits(self, fact: &RevenueFact) -> bool {
        match self {
            RevenueScope::Customer(c) => fact.customer == c,
            RevenueScope::Rep(u) => fact.field_rep == Some(u) || fact.inside_rep == Some(u),
        }
    }

    /// The customer, when it is one.
    pub fn customer(self) -> Option<AddressNumber> {
        match self {
            RevenueScope::Customer(c) => Some(c),
            RevenueScope::Rep(_) => None,
        }
    }
}

/// What a row of the monthly summary is kept by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SummaryKey {
    /// The customer.
    pub customer: AddressNumber,
    /// The month of the invoice dates.
    pub month: YearMonth,
    /// The product group of the lines.
    pub product_group: Option<GroupCode>,
    /// The field rep the lines count for.
    pub field_rep: Option<UserId>,
    /// The inside rep the lines count for.
    pub inside_rep: Option<UserId>,
    /// The sales region.
    pub region: Option<String>,
    /// The currency of the amounts.
    pub currency: Currency,
}

impl SummaryKey {
    /// The row `fact` counts in.
    pub fn of(fact: &RevenueFact) -> Self {
        SummaryKey {
            customer: fact.customer,
            month: YearMonth::of(fact.date),
            product_group: fact.product_group.clone(),
            field_rep: fact.field_rep,
            inside_rep: fact.inside_rep,
            region: fact.region.clone(),
            currency: fact.currency,
        }
    }
}

/// One row of the monthly summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTotal {
    /// What the row is kept by.
    pub key: SummaryKey,
    /// Its sums.
    pub amounts: Amounts,
}

/// The monthly summary of `facts`, in key order.
pub fn summarize<'a>(facts: impl IntoIterator<Item = &'a RevenueFact>) -> Vec<MonthTotal> {
    let mut rows: BTreeMap<SummaryKey, Amounts> = BTreeMap::new();
    for fact in facts {
        rows.entry(SummaryKey::of(fact))
            .or_default()
            .add(&Amounts::of(fact));
    }
    rows.into_iter()
        .map(|(key, amounts)| MonthTotal { key, amounts })
        .collect()
}

/// The keys whose rows differ between `expected` (computed from the facts) and `stored`,
/// in key order: rows missing, left over or with other sums.
pub fn differences(expected: &[MonthTotal], stored: &[MonthTotal]) -> Vec<SummaryKey> {
    let expected: BTreeMap<&SummaryKey, &Amounts> =
        expected.iter().map(|t| (&t.key, &t.amounts)).collect();
    let stored: BTreeMap<&SummaryKey, &Amounts> =
        stored.iter().map(|t| (&t.key, &t.amounts)).collect();
    let mut keys: Vec<SummaryKey> = expected
        .iter()
        .filter(|(k, a)| stored.get(*k) != Some(*a))
        .map(|(k, _)| (*k).clone())
        .chain(
            stored
                .keys()
                .filter(|k| !expected.contains_key(*k))
                .map(|k| (*k).clone()),
        )
        .collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests;
