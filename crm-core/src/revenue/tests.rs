#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::figures::change_percent;
use super::*;
use crate::erp::DocumentNumber;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn fact(date: &str, net: &str, rep: Option<i64>, inside: Option<i64>) -> RevenueFact {
    RevenueFact {
        document: DocumentNumber::new("RE-1").unwrap(),
        position: 1,
        date: day(date),
        customer: AddressNumber(7),
        product: None,
        product_group: None,
        field_rep: rep.map(UserId),
        inside_rep: inside.map(UserId),
        region: None,
        quantity: Decimal::ONE,
        net_amount: d(net),
        cost: None,
        currency: Currency::CHF,
    }
}

#[test]
fn a_leap_day_compares_with_the_28th_of_february() {
    assert_eq!(a_year_earlier(day("2028-02-29")), day("2027-02-28"));
    let facts = [
        fact("2027-02-28", "10", None, None),
        fact("2027-02-27", "5", None, None),
    ];
    let totals = summarize(&[fact("2027-01-31", "1", None, None)]);
    let figures = address_figures(
        AddressNumber(7),
        Currency::CHF,
        day("2028-02-29"),
        &totals,
        &[fact("2028-02-29", "3", None, None)],
        &facts,
        5,
    );
    let ytd = &figures.year_to_date;
    assert_eq!(ytd.previous_to, day("2027-02-28"));
    assert_eq!(
        (ytd.figures.current.net, ytd.figures.previous.net),
        (d("3"), d("16"))
    );
}

#[test]
fn a_period_across_the_year_end_compares_with_the_months_before() {
    let period = MonthRange::new(
        YearMonth::new(2025, 11).unwrap(),
        YearMonth::new(2026, 2).unwrap(),
    )
    .unwrap();
    let facts = [
        fact("2025-12-24", "100", Some(1), Some(1)),
        fact("2026-02-28", "-40", Some(1), None),
        fact("2025-07-01", "30", None, Some(1)),
        fact("2025-06-30", "999", Some(1), None),
    ];
    let summary = rep_summary(
        &cube(&summarize(&facts)),
        UserId(1),
        period,
        period.previous(),
        Currency::CHF,
        3,
    );
    let figures = user_figures(
        UserId(1),
        Currency::CHF,
        period,
        day("2026-01-15"),
        &summary,
        3,
    );
    assert_eq!(figures.by_customer.top.len(), 1);
    assert_eq!(figures.by_customer.rest, None);
    assert_eq!(
        figures.previous_period.from,
        YearMonth::new(2025, 7).unwrap()
    );
    // The line where he is both field and inside rep counts once in the total.
    assert_eq!(figures.total.current.net, d("60"));
    assert_eq!(figures.as_field_rep.current.net, d("60"));
    assert_eq!(figures.as_inside_rep.current.net, d("100"));
    assert_eq!(figures.total.previous.net, d("30"));
    assert_eq!(figures.total.change_percent, Some(d("100.0")));
    let months: Vec<_> = figures
        .by_month
        .iter()
        .map(|m| (m.month.to_string(), m.pending))
        .collect();
    assert_eq!(
        months,
        [
            ("2025-11", false),
            ("2025-12", false),
            ("2026-01", false),
            ("2026-02", true)
        ]
        .map(|(m, p)| (m.to_owned(), p))
    );
    assert_eq!(
        figures.by_month[1].previous_month,
        YearMonth::new(2025, 8).unwrap()
    );
}

#[test]
fn breakdowns_rank_and_sum_up_the_rest() {
    let entry = |net: &str| {
        (
            None,
            Amounts {
                net: d(net),
                lines: 1,
                ..Amounts::default()
            },
            Amounts::default(),
        )
    };
    let entries = BTreeMap::from([
        ("a".to_owned(), entry("10")),
        ("b".to_owned(), entry("-5")),
        ("c".to_owned(), entry("30")),
        ("d".to_owned(), entry("10")),
    ]);
    let b = breakdown(entries, 2);
    let keys: Vec<_> = b.top.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["c", "a"]);
    assert_eq!(b.rest_count, 2);
    let rest = b.rest.unwrap();
    assert_eq!((rest.current.net, rest.current.lines), (d("5"), 2));
    assert_eq!(b.top[0].share_percent, Some(d("66.7")));
    assert_eq!(breakdown(BTreeMap::new(), 3), Breakdown::default());
}

#[test]
fn differences_name_missing_leftover_and_changed_rows() {
    let a = summarize(&[
        fact("2026-01-01", "1", None, None),
        fact("2026-02-01", "2", None, None),
    ]);
    let mut stored = a.clone();
    stored[0].amounts.net = d("1.5");
    stored.push(summarize(&[fact("2026-03-01", "1", None, None)]).remove(0));
    let keys: Vec<_> = differences(&a, &stored)
        .into_iter()
        .map(|k| k.month.to_string())
        .collect();
    assert_eq!(keys, ["2026-01", "2026-03"]);
    assert!(differences(&a, &a).is_empty());
    assert_eq!(change_percent(d("1"), Decimal::ZERO), None);
}
