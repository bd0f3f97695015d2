//! How a customer pays, computed from his open items and payments.
//!
//! The definitions, so that a figure can be checked by hand:
//!
//! - An **invoice** is an item with a positive amount; credit notes only count towards what
//!   is open and overdue. An invoice is **settled** when nothing is open on it and at least
//!   one payment was booked against it; its **settlement date** is the date of its last
//!   payment.
//! - **Days to pay** of a settled invoice: settlement date − invoice date. Average and median
//!   (the mean of the two middle values for an even count) over settled invoices.
//! - **Days late** of a settled invoice: settlement date − due date, at least 0. The **90th
//!   percentile** uses the nearest rank: the ⌈0.9·n⌉-th smallest. **On time**: the share of
//!   settled invoices with 0 days late, in percent.
//! - **Weighted days late**: over every payment on an invoice, Σ(amount × days late of that
//!   payment) / Σ amount — a large invoice paid late weighs more than a small one.
//! - **Days sales outstanding**: open amount × 90 / amount invoiced in the last 90 days
//!   (today included); none when nothing was invoiced then, 0 when nothing is open.
//! - **Ageing**: open amounts by days past due on the reference day: not due, 1–30, 31–60,
//!   61–90, over 90.
//! - **Dunning**: how many items were ever dunned (level ≥ 1) and the highest level reached.
//! - **Trend**: weighted days late of the payments of the last 6 months (up to today) against
//!   the 6 months before; within ±2 days counts as stable.
//!
//! Averages, the share and days sales outstanding are rounded to one decimal, half away from
//! zero; amounts are exact.

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::{OpenItem, Payment};
use crate::error::{Error, Result, Validator};
use crate::values::{Currency, Money};

/// Days of difference in weighted lateness below which the trend is [`TrendDirection::Stable`].
pub const TREND_TOLERANCE_DAYS: i64 = 2;

/// The window of invoiced amounts that days sales outstanding relates the open amount to.
pub const DSO_WINDOW_DAYS: i64 = 90;

/// A customer's payment habits on a reference day, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentHabits {
    /// The reference day.
    pub as_of: NaiveDate,
    /// The currency of every amount here.
    pub currency: Currency,
    /// Invoices among the items (positive amounts).
    pub invoices: usize,
    /// Of those, settled by payments.
    pub settled_invoices: usize,
    /// Average days from invoice to settlement.
    pub average_days_to_pay: Option<Decimal>,
    /// Median days from invoice to settlement.
    pub median_days_to_pay: Option<Decimal>,
    /// Days late per payment, weighted by its amount.
    pub weighted_days_late: Option<Decimal>,
    /// The 90th percentile of days late of settled invoices.
    pub p90_days_late: Option<i64>,
    /// Settled invoices paid by their due date, in percent.
    pub on_time_percent: Option<Decimal>,
    /// Days sales outstanding.
    pub dso_days: Option<Decimal>,
    /// Everything open, credit notes deducted.
    pub open_amount: Money,
    /// The open amounts by days past due.
    pub ageing: Ageing,
    /// Items that were dunned at least once.
    pub dunned_items: usize,
    /// The highest dunning level of any item.
    pub highest_dunning_level: u8,
    /// The last 6 months against the 6 before, when both have payments.
    pub trend: Option<Trend>,
    /// Payments whose invoice is not among the items (not counted anywhere).
    pub unmatched_payments: usize,
}

/// Open amounts by how far past their due date they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ageing {
    /// Not yet due.
    pub not_due: Money,
    /// 1 to 30 days past due.
    pub days_1_30: Money,
    /// 31 to 60 days.
    pub days_31_60: Money,
    /// 61 to 90 days.
    pub days_61_90: Money,
    /// More than 90 days.
    pub over_90: Money,
}

impl Ageing {
    fn empty(currency: Currency) -> Self {
        let zero = Money::zero(currency);
        Ageing {
            not_due: zero,
            days_1_30: zero,
            days_31_60: zero,
            days_61_90: zero,
            over_90: zero,
        }
    }

    fn bucket(&mut self, days_overdue: i64) -> &mut Money {
        match days_overdue {
            i64::MIN..=0 => &mut self.not_due,
            1..=30 => &mut self.days_1_30,
            31..=60 => &mut self.days_31_60,
            61..=90 => &mut self.days_61_90,
            _ => &mut self.over_90,
        }
    }

    /// Everything past due.
    pub fn overdue(&self) -> Money {
        let sum = self.days_1_30.amount
            + self.days_31_60.amount
            + self.days_61_90.amount
            + self.over_90.amount;
        Money::new(sum, self.not_due.currency)
    }
}

/// Whether a customer pays later or sooner than before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    /// Pays sooner by at least [`TREND_TOLERANCE_DAYS`].
    Improving,
    /// Within the tolerance.
    Stable,
    /// Pays later by at least [`TREND_TOLERANCE_DAYS`].
    Worsening,
}

/// Weighted days late of the last 6 months against the 6 months before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trend {
    /// The last 6 months.
    pub recent_days_late: Decimal,
    /// The 6 months before.
    pub earlier_days_late: Decimal,
    /// Which way it goes.
    pub direction: TrendDirection,
}

impl PaymentHabits {
    /// Computes the habits from a customer's `items` and `payments` on `today`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `items[i].currency` or `payments[i].currency` when an item is
    /// not in `currency` or a payment not in its invoice's currency; sums too large for a
    /// decimal.
    pub fn compute(
        currency: Currency,
        items: &[OpenItem],
        payments: &[Payment],
        today: NaiveDate,
    ) -> Result<PaymentHabits> {
        let mut v = Validator::new();
        for (i, item) in items.iter().enumerate() {
            if item.currency != currency {
                v.reject(
                    &format!("items[{i}].currency"),
                    format!("{} is not {currency}", item.currency),
                );
            }
        }
        // Each payment with the index of its invoice.
        let mut matched: Vec<(usize, &Payment)> = Vec::with_capacity(payments.len());
        let mut unmatched_payments = 0;
        for (i, payment) in payments.iter().enumerate() {
            match items.iter().position(|it| it.invoice == payment.invoice) {
                None => unmatched_payments += 1,
                Some(at) if payment.currency != currency => {
                    v.reject(
                        &format!("payments[{i}].currency"),
                        format!(
                            "{} is not {currency}, the currency of invoice {}",
                            payment.currency, items[at].invoice
                        ),
                    );
                }
                Some(at) => matched.push((at, payment)),
            }
        }
        v.finish(|| Some(()))?;

        let invoices: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].amount > Decimal::ZERO)
            .collect();
        let mut to_pay = Vec::new();
        let mut late = Vec::new();
        for &i in &invoices {
            let item = &items[i];
            let settled_on = matched
                .iter()
                .filter(|(at, _)| *at == i)
                .map(|(_, p)| p.date)
                .max();
            if let (true, Some(day)) = (item.is_settled(), settled_on) {
                to_pay.push((day - item.invoice_date).num_days());
                late.push((day - item.due_date).num_days().max(0));
            }
        }

        let on_invoices: Vec<(NaiveDate, Decimal, i64)> = matched
            .iter()
            .filter(|(at, p)| items[*at].amount > Decimal::ZERO && p.amount > Decimal::ZERO)
            .map(|(at, p)| {
                let days = (p.date - items[*at].due_date).num_days().max(0);
                (p.date, p.amount, days)
            })
            .collect();

        let mut ageing = Ageing::empty(currency);
        let mut open = Decimal::ZERO;
        for item in items.iter().filter(|it| !it.open_amount.is_zero()) {
            open = add(open, item.open_amount)?;
            let bucket = ageing.bucket((today - item.due_date).num_days());
            bucket.amount = add(bucket.amount, item.open_amount)?;
        }

        Ok(PaymentHabits {
            as_of: today,
            currency,
            invoices: invoices.len(),
            settled_invoices: to_pay.len(),
            average_days_to_pay: average(&to_pay),
            median_days_to_pay: median(&mut to_pay),
            weighted_days_late: weighted(on_invoices.iter().map(|&(_, a, d)| (a, d)))?,
            p90_days_late: percentile_90(&mut late.clone()),
            on_time_percent: share(late.iter().filter(|d| **d == 0).count(), late.len()),
            dso_days: dso(items, open, today)?,
            open_amount: Money::new(open, currency),
            ageing,
            dunned_items: items.iter().filter(|it| it.dunning_level > 0).count(),
            highest_dunning_level: items.iter().map(|it| it.dunning_level).max().unwrap_or(0),
            trend: trend(&on_invoices, today)?,
            unmatched_payments,
        })
    }
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b)
        .ok_or_else(|| Error::invalid("items", "the amounts are too large to add up"))
}

fn one_decimal(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

fn average(days: &[i64]) -> Option<Decimal> {
    if days.is_empty() {
        return None;
    }
    let sum: i64 = days.iter().sum();
    Some(one_decimal(Decimal::from(sum) / Decimal::from(days.len())))
}

fn median(days: &mut [i64]) -> Option<Decimal> {
    days.sort_unstable();
    let n = days.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(Decimal::from(days[n / 2])),
        _ => Some(one_decimal(
            Decimal::from(days[n / 2 - 1] + days[n / 2]) / Decimal::TWO,
        )),
    }
}

fn percentile_90(days: &mut [i64]) -> Option<i64> {
    days.sort_unstable();
    let rank = (9 * days.len()).div_ceil(10);
    rank.checked_sub(1).and_then(|i| days.get(i).copied())
}

fn share(part: usize, whole: usize) -> Option<Decimal> {
    (whole > 0).then(|| one_decimal(Decimal::from(part * 100) / Decimal::from(whole)))
}

/// Σ(amount × days) / Σ amount.
fn weighted(payments: impl Iterator<Item = (Decimal, i64)>) -> Result<Option<Decimal>> {
    let too_large = || Error::invalid("payments", "the amounts are too large to add up");
    let (mut weight, mut total) = (Decimal::ZERO, Decimal::ZERO);
    for (amount, days) in payments {
        let product = amount
            .checked_mul(Decimal::from(days))
            .ok_or_else(too_large)?;
        weight = weight.checked_add(product).ok_or_else(too_large)?;
        total = total.checked_add(amount).ok_or_else(too_large)?;
    }
    Ok((total > Decimal::ZERO).then(|| one_decimal(weight / total)))
}

fn dso(items: &[OpenItem], open: Decimal, today: NaiveDate) -> Result<Option<Decimal>> {
    let since = today - chrono::Duration::days(DSO_WINDOW_DAYS);
    let mut invoiced = Decimal::ZERO;
    for item in items
        .iter()
        .filter(|it| it.invoice_date > since && it.invoice_date <= today)
    {
        invoiced = add(invoiced, item.amount)?;
    }
    if invoiced <= Decimal::ZERO {
        return Ok(None);
    }
    if open <= Decimal::ZERO {
        return Ok(Some(Decimal::ZERO));
    }
    let days = open
        .checked_mul(Decimal::from(DSO_WINDOW_DAYS))
        .ok_or_else(|| Error::invalid("items", "the open amount is too large"))?;
    Ok(Some(one_decimal(days / invoiced)))
}

fn trend(payments: &[(NaiveDate, Decimal, i64)], today: NaiveDate) -> Result<Option<Trend>> {
    let (Some(middle), Some(start)) = (
        today.checked_sub_months(Months::new(6)),
        today.checked_sub_months(Months::new(12)),
    ) else {
        return Ok(None);
    };
    let window = |from: NaiveDate, to: NaiveDate| {
        weighted(
            payments
                .iter()
                .filter(move |(day, _, _)| *day > from && *day <= to)
                .map(|&(_, amount, days)| (amount, days)),
        )
    };
    let (Some(recent), Some(earlier)) = (window(middle, today)?, window(start, middle)?) else {
        return Ok(None);
    };
    let tolerance = Decimal::from(TREND_TOLERANCE_DAYS);
    let direction = if recent - earlier <= -tolerance {
        TrendDirection::Improving
    } else if recent - earlier >= tolerance {
        TrendDirection::Worsening
    } else {
        TrendDirection::Stable
    };
    Ok(Some(Trend {
        recent_days_late: recent,
        earlier_days_late: earlier,
        direction,
    }))
}

#[cfg(test)]
#[path = "habits_tests.rs"]
mod tests;
