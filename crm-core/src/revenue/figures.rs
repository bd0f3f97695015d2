//! The figures sales people ask for, computed from rows of the monthly summary (and, for the
//! days of a month not yet over, from the facts of those days).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rep::{CubeDim, CubeRow, RepSummary, other_currencies};
use super::{Amounts, MonthRange, MonthTotal, SummaryKey, YearMonth, summarize};
use crate::erp::RevenueFact;
use crate::ids::{AddressNumber, UserId};
use crate::values::Currency;

/// A figure against the one it is compared with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// This period's sums.
    pub current: Amounts,
    /// The compared period's sums.
    pub previous: Amounts,
    /// Change of the net revenue in percent, one decimal; `None` when the compared period
    /// had none.
    pub change_percent: Option<Decimal>,
}

impl Comparison {
    fn new(current: Amounts, previous: Amounts) -> Self {
        Comparison {
            change_percent: change_percent(current.net, previous.net),
            current,
            previous,
        }
    }
}

/// A period of days against the same days a year earlier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodComparison {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// First day of the compared period.
    pub previous_from: NaiveDate,
    /// Last day of the compared period.
    pub previous_to: NaiveDate,
    /// The figures.
    #[serde(flatten)]
    pub figures: Comparison,
}

/// A month against the month it is compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthComparison {
    /// The month.
    pub month: YearMonth,
    /// The month it is compared with.
    pub previous_month: YearMonth,
    /// The month's sums.
    pub current: Amounts,
    /// The compared month's sums.
    pub previous: Amounts,
    /// Net revenue from the first month of the series to this one.
    pub cumulative: Decimal,
    /// The same for the compared months.
    pub previous_cumulative: Decimal,
    /// The month has not begun on the day the figures are computed for: nothing counts in
    /// it yet, and charts leave it out of the current series.
    pub pending: bool,
}

/// One entry of a breakdown: a customer, product group or region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// The customer's number, the group's code or the region; empty for lines without one,
    /// and for the rest.
    pub key: String,
    /// A name to show (the customer's name), when known.
    pub label: Option<String>,
    /// This period's sums.
    pub current: Amounts,
    /// The compared period's sums.
    pub previous: Amounts,
    /// Its part of the period's net revenue in percent, one decimal; `None` when the
    /// period's net revenue is zero.
    pub share_percent: Option<Decimal>,
}

/// The largest entries by net revenue, and the rest in one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The largest entries, largest first.
    pub top: Vec<Share>,
    /// All other entries summed up (key empty), when there are any.
    pub rest: Option<Share>,
    /// How many entries the rest holds.
    pub rest_count: usize,
}

/// Revenue of one customer, as its address shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressRevenue {
    /// The customer.
    pub customer: AddressNumber,
    /// The currency of every amount (lines in others are left out, see `other_currencies`).
    pub currency: Currency,
    /// The day the figures are computed for.
    pub as_of: NaiveDate,
    /// January to December of this year against last year, with cumulative sums.
    pub months: Vec<MonthComparison>,
    /// From the first of January to `as_of`, against the same days last year.
    pub year_to_date: PeriodComparison,
    /// The last twelve months up to this one, oldest first, against the twelve before each.
    pub last_12_months: Vec<MonthComparison>,
    /// The year to date by product group, against the same days last year.
    pub by_product_group: Breakdown,
    /// Currencies the customer has revenue in besides `currency`.
    pub other_currencies: Vec<Currency>,
}

/// Revenue a user made as field rep and inside rep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRevenue {
    /// The user.
    pub user: UserId,
    /// The currency of every amount.
    pub currency: Currency,
    /// The months asked for.
    pub period: MonthRange,
    /// The months just before, as long.
    pub previous_period: MonthRange,
    /// Everything he made (a line counts once when he is both its field and inside rep).
    pub total: Comparison,
    /// Lines where he is the field rep.
    pub as_field_rep: Comparison,
    /// Lines where he is the inside rep.
    pub as_inside_rep: Comparison,
    /// By customer.
    pub by_customer: Breakdown,
    /// By product group.
    pub by_product_group: Breakdown,
    /// By sales region.
    pub by_region: Breakdown,
    /// Month by month, against the months of the previous period.
    pub by_month: Vec<MonthComparison>,
    /// Currencies he has revenue in besides `currency`.
    pub other_currencies: Vec<Currency>,
}

/// A user's revenue of this year so far against last year's, from the monthly totals of his
/// rep cube (a line counts once when he is both its field and inside rep). Whole months are
/// compared like for like; the month under way is shown so far, beside the same month last
/// year in whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearToDate {
    /// The user.
    pub user: UserId,
    /// The currency of every amount.
    pub currency: Currency,
    /// The day the figures are computed for.
    pub as_of: NaiveDate,
    /// From January to `as_of`: what he made this year so far.
    pub year_to_date: Amounts,
    /// This year's months that are over (`None` in January).
    pub completed_months: Option<MonthRange>,
    /// Those months against the same months a year earlier.
    pub completed: Comparison,
    /// The month under way, so far.
    pub this_month: Amounts,
    /// The same month a year earlier, in whole.
    pub same_month_last_year: Amounts,
    /// Currencies he has revenue in besides `currency`.
    pub other_currencies: Vec<Currency>,
}

/// The months [`year_to_date`] reads: last year's January to `as_of`'s month.
pub fn year_to_date_months(as_of: NaiveDate) -> MonthRange {
    let this_month = YearMonth::of(as_of);
    MonthRange {
        from: this_month
            .plus(1 - this_month.month() as i32)
            .a_year_earlier(),
        to: this_month,
    }
}

/// `user`'s [`YearToDate`] as of `as_of` from the total rows (`CubeDim::Total`) of his rep
/// cube over [`year_to_date_months`]; other rows are ignored.
pub fn year_to_date(
    user: UserId,
    currency: Currency,
    as_of: NaiveDate,
    rows: &[CubeRow],
) -> YearToDate {
    let this_month = YearMonth::of(as_of);
    let january = this_month.plus(1 - this_month.month() as i32);
    let completed_months = (this_month.month() > 1).then(|| MonthRange {
        from: january,
        to: this_month.plus(-1),
    });
    let totals: Vec<&CubeRow> = rows
        .iter()
        .filter(|r| r.key.rep == user && r.key.dim == CubeDim::Total)
        .collect();
    let sum = |from: YearMonth, to: YearMonth| {
        let mut sum = Amounts::default();
        for row in &totals {
            if row.key.currency == currency && from <= row.key.month && row.key.month <= to {
                sum.add(&row.amounts);
            }
        }
        sum
    };
    let (current, previous) = match completed_months {
        Some(m) => (
            sum(m.from, m.to),
            sum(m.from.a_year_earlier(), m.to.a_year_earlier()),
        ),
        None => (Amounts::default(), Amounts::default()),
    };
    let others: BTreeSet<Currency> = totals
        .iter()
        .map(|r| r.key.currency)
        .filter(|c| *c != currency)
        .collect();
    YearToDate {
        user,
        currency,
        as_of,
        year_to_date: sum(january, this_month),
        completed_months,
        completed: Comparison::new(current, previous),
        this_month: sum(this_month, this_month),
        same_month_last_year: sum(this_month.a_year_earlier(), this_month.a_year_earlier()),
        other_currencies: others.into_iter().collect(),
    }
}

/// `current` against `previous` in percent, one decimal; `None` when `previous` is zero.
pub(crate) fn change_percent(current: Decimal, previous: Decimal) -> Option<Decimal> {
    if previous.is_zero() {
        return None;
    }
    current
        .checked_sub(previous)?
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(previous.abs())
        .map(|p| p.round_dp(1))
}

fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(whole)
        .map(|p| p.round_dp(1))
}

/// The `top` entries of `entries` (key → label, current, previous) by current net revenue,
/// largest first (ties by key), and the rest.
pub fn breakdown(
    entries: BTreeMap<String, (Option<String>, Amounts, Amounts)>,
    top: usize,
) -> Breakdown {
    let mut total = Decimal::ZERO;
    for (_, current, _) in entries.values() {
        total += current.net;
    }
    let mut sorted: Vec<_> = entries.into_iter().collect();
    sorted.sort_by(|a, b| b.1.1.net.cmp(&a.1.1.net).then_with(|| a.0.cmp(&b.0)));
    let share = |key, label, current: Amounts, previous| Share {
        share_percent: percent_of(current.net, total),
        key,
        label,
        current,
        previous,
    };
    let rest_entries = sorted.split_off(top.min(sorted.len()));
    let rest_count = rest_entries.len();
    let rest = (rest_count > 0).then(|| {
        let (mut current, mut previous) = (Amounts::default(), Amounts::default());
        for (_, (_, c, p)) in &rest_entries {
            current.add(c);
            previous.add(p);
        }
        share(String::new(), None, current, previous)
    });
    Breakdown {
        top: sorted
            .into_iter()
            .map(|(key, (label, c, p))| share(key, label, c, p))
            .collect(),
        rest,
        rest_count,
    }
}

/// The same day a year earlier (the 28th of February for the 29th).
pub fn a_year_earlier(day: NaiveDate) -> NaiveDate {
    let year = day.year() - 1;
    NaiveDate::from_ymd_opt(year, day.month(), day.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, day.month(), day.day() - 1))
        .unwrap_or(day)
}

/// Month-by-month comparisons of `months` against the months `offset` earlier, with
/// cumulative sums from the first.
fn compare_months(
    months: impl Iterator<Item = YearMonth>,
    offset: i32,
    today: YearMonth,
    net_of: impl Fn(YearMonth) -> Amounts,
) -> Vec<MonthComparison> {
    let (mut cumulative, mut previous_cumulative) = (Decimal::ZERO, Decimal::ZERO);
    months
        .map(|month| {
            let previous_month = month.plus(-offset);
            let current = net_of(month);
            let previous = net_of(previous_month);
            cumulative += current.net;
            previous_cumulative += previous.net;
            MonthComparison {
                month,
                previous_month,
                current,
                previous,
                cumulative,
                previous_cumulative,
                pending: month > today,
            }
        })
        .collect()
}

/// Keeps the rows in `currency` and notes the others.
fn in_currency<'a>(
    rows: impl IntoIterator<Item = (&'a SummaryKey, &'a Amounts)>,
    currency: Currency,
    others: &mut BTreeSet<Currency>,
) -> Vec<(&'a SummaryKey, &'a Amounts)> {
    rows.into_iter()
        .filter(|(key, _)| {
            if key.currency == currency {
                true
            } else {
                others.insert(key.currency);
                false
            }
        })
        .collect()
}

/// The figures of `customer` as of `as_of`: `totals` are its summary rows from January of
/// last year to `as_of`'s month; `current_days` its facts from the first of `as_of`'s month
/// to `as_of`, `previous_days` those of the same days a year earlier.
pub fn address_figures(
    customer: AddressNumber,
    currency: Currency,
    as_of: NaiveDate,
    totals: &[MonthTotal],
    current_days: &[RevenueFact],
    previous_days: &[RevenueFact],
    top_groups: usize,
) -> AddressRevenue {
    let this_month = YearMonth::of(as_of);
    let mut others = BTreeSet::new();
    let rows = in_currency(
        totals.iter().map(|t| (&t.key, &t.amounts)),
        currency,
        &mut others,
    );
    let mut by_month: BTreeMap<YearMonth, Amounts> = BTreeMap::new();
    for (key, amounts) in &rows {
        by_month.entry(key.month).or_default().add(amounts);
    }
    let month_of = |m: YearMonth| by_month.get(&m).cloned().unwrap_or_default();
    let january = this_month.january();
    let months = compare_months((0..12).map(|i| january.plus(i)), 12, this_month, month_of);
    let last_12_months = compare_months(
        (-11..=0).map(|i| this_month.plus(i)),
        12,
        this_month,
        month_of,
    );

    // The year to date: whole months from the summary, the month under way day by day.
    let (current_days, previous_days) = (summarize(current_days), summarize(previous_days));
    let current_extra = in_currency(
        current_days.iter().map(|t| (&t.key, &t.amounts)),
        currency,
        &mut others,
    );
    let previous_extra = in_currency(
        previous_days.iter().map(|t| (&t.key, &t.amounts)),
        currency,
        &mut others,
    );
    let mut groups: BTreeMap<String, (Option<String>, Amounts, Amounts)> = BTreeMap::new();
    let (mut ytd, mut ytd_before) = (Amounts::default(), Amounts::default());
    let whole = |m: YearMonth, year_start: YearMonth| {
        year_start <= m && m < year_start.plus(this_month.month() as i32 - 1)
    };
    let group_key = |k: &SummaryKey| {
        k.product_group
            .as_ref()
            .map(|g| g.to_string())
            .unwrap_or_default()
    };
    for (key, amounts) in &rows {
        if whole(key.month, january) {
            ytd.add(amounts);
            groups.entry(group_key(key)).or_default().1.add(amounts);
        } else if whole(key.month, january.a_year_earlier()) {
            ytd_before.add(amounts);
            groups.entry(group_key(key)).or_default().2.add(amounts);
        }
    }
    for (key, amounts) in &current_extra {
        ytd.add(amounts);
        groups.entry(group_key(key)).or_default().1.add(amounts);
    }
    for (key, amounts) in &previous_extra {
        ytd_before.add(amounts);
        groups.entry(group_key(key)).or_default().2.add(amounts);
    }
    let year_to_date = PeriodComparison {
        from: january.first_day(),
        to: as_of,
        previous_from: january.a_year_earlier().first_day(),
        previous_to: a_year_earlier(as_of),
        figures: Comparison::new(ytd, ytd_before),
    };
    others.remove(&currency);
    AddressRevenue {
        customer,
        currency,
        as_of,
        months,
        year_to_date,
        last_12_months,
        by_product_group: breakdown(groups, top_groups),
        other_currencies: others.into_iter().collect(),
    }
}

/// The figures of `user` over `period` against the period before, from his `summary` (the
/// store's sums of his rep cube); `top` entries of each breakdown are listed; months after
/// `as_of`'s are pending. The customers listed carry no names: the caller adds those the
/// actor may see.
pub fn user_figures(
    user: UserId,
    currency: Currency,
    period: MonthRange,
    as_of: NaiveDate,
    summary: &RepSummary,
    top: usize,
) -> UserRevenue {
    type Entries = BTreeMap<String, (Option<String>, Amounts, Amounts)>;
    let previous_period = period.previous();
    let mut total = (Amounts::default(), Amounts::default());
    let mut field = (Amounts::default(), Amounts::default());
    let mut inside = (Amounts::default(), Amounts::default());
    let (mut groups, mut regions): (Entries, Entries) = (BTreeMap::new(), BTreeMap::new());
    let mut by_month: BTreeMap<YearMonth, Amounts> = BTreeMap::new();
    for row in summary.rows.iter().filter(|r| r.key.currency == currency) {
        let k = &row.key;
        let current = period.contains(k.month);
        if !current && !previous_period.contains(k.month) {
            continue;
        }
        let add = |pair: (&mut Amounts, &mut Amounts)| {
            if current {
                pair.0.add(&row.amounts)
            } else {
                pair.1.add(&row.amounts)
            }
        };
        match k.dim {
            CubeDim::Total => {
                add((&mut total.0, &mut total.1));
                if k.role.is_field() {
                    add((&mut field.0, &mut field.1));
                }
                if k.role.is_inside() {
                    add((&mut inside.0, &mut inside.1));
                }
                by_month.entry(k.month).or_default().add(&row.amounts);
            }
            CubeDim::Group | CubeDim::Region => {
                let map = if k.dim == CubeDim::Group {
                    &mut groups
                } else {
                    &mut regions
                };
                let entry = map.entry(k.key.clone()).or_default();
                add((&mut entry.1, &mut entry.2));
            }
            CubeDim::Customer | CubeDim::CustomerYear => {}
        }
    }
    let month_of = |m: YearMonth| by_month.get(&m).cloned().unwrap_or_default();
    UserRevenue {
        user,
        currency,
        period,
        previous_period,
        by_customer: ranked(summary, &total),
        total: Comparison::new(total.0, total.1),
        as_field_rep: Comparison::new(field.0, field.1),
        as_inside_rep: Comparison::new(inside.0, inside.1),
        by_product_group: breakdown(groups, top),
        by_region: breakdown(regions, top),
        by_month: compare_months(
            period.months(),
            period.len() as i32,
            YearMonth::of(as_of),
            month_of,
        ),
        other_currencies: other_currencies(&summary.rows, currency),
    }
}

/// The ranked customers as a breakdown: the rest is the total less the listed ones.
fn ranked(summary: &RepSummary, total: &(Amounts, Amounts)) -> Breakdown {
    let (mut rest, mut rest_before) = (total.0.clone(), total.1.clone());
    let listed: Vec<Share> = summary
        .top_customers
        .iter()
        .map(|c| {
            rest.subtract(&c.current);
            rest_before.subtract(&c.previous);
            Share {
                key: c.customer.to_string(),
                label: None,
                share_percent: percent_of(c.current.net, total.0.net),
                current: c.current.clone(),
                previous: c.previous.clone(),
            }
        })
        .collect();
    let rest_count = summary.customers.saturating_sub(listed.len());
    let rest = (rest_count > 0 || !rest.is_empty() || !rest_before.is_empty()).then(|| Share {
        key: String::new(),
        label: None,
        share_percent: percent_of(rest.net, total.0.net),
        current: rest,
        previous: rest_before,
    });
    Breakdown {
        top: listed,
        rest,
        rest_count,
    }
}
