//! Every figure of [`PaymentHabits`] against a hand-computed example.

use super::*;
use crate::erp::DocumentNumber;
use crate::ids::AddressNumber;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn chf(s: &str) -> Money {
    Money::new(dec(s), Currency::CHF)
}

fn item(no: &str, invoiced: &str, due: &str, amount: &str, open: &str, dunning: u8) -> OpenItem {
    OpenItem {
        invoice: DocumentNumber::new(no).unwrap(),
        customer: AddressNumber(100_042),
        invoice_date: day(invoiced),
        due_date: day(due),
        currency: Currency::CHF,
        amount: dec(amount),
        open_amount: dec(open),
        dunning_level: dunning,
    }
}

fn paid(no: &str, on: &str, amount: &str) -> Payment {
    Payment {
        id: format!("{no}/{on}"),
        invoice: DocumentNumber::new(no).unwrap(),
        customer: AddressNumber(100_042),
        date: day(on),
        amount: dec(amount),
        currency: Currency::CHF,
    }
}

/// Seven invoices and a credit note of one customer, looked at on 30 November 2026.
fn example() -> (Vec<OpenItem>, Vec<Payment>) {
    let items = vec![
        item("R1", "2026-03-01", "2026-03-31", "1000", "0", 0),
        item("R2", "2026-04-10", "2026-05-10", "2000", "0", 1),
        item("R3", "2026-07-01", "2026-07-31", "500", "0", 0),
        item("R4", "2026-09-15", "2026-10-15", "3000", "1200", 2),
        item("R5", "2026-11-10", "2026-12-10", "800", "800", 0),
        item("G1", "2026-11-20", "2026-11-20", "-100", "-100", 0),
        item("R6", "2026-06-01", "2026-07-01", "400", "400", 0),
        item("R7", "2026-08-15", "2026-09-14", "600", "600", 0),
    ];
    let payments = vec![
        paid("R1", "2026-03-25", "1000"),
        paid("R2", "2026-05-20", "500"),
        paid("R2", "2026-06-09", "1500"),
        paid("R3", "2026-08-10", "500"),
        paid("R4", "2026-10-20", "1800"),
        paid("R0", "2025-12-20", "50"),
    ];
    (items, payments)
}

#[test]
fn every_figure_matches_the_hand_computed_one() {
    let (items, payments) = example();
    let h = PaymentHabits::compute(Currency::CHF, &items, &payments, day("2026-11-30")).unwrap();
    // R1..R7 are invoices; R1 (24 days to pay, on time), R2 (60 days, 30 late: settled by
    // its second payment on 9 June) and R3 (40 days, 10 late) are settled.
    assert_eq!((h.invoices, h.settled_invoices), (7, 3));
    assert_eq!(h.average_days_to_pay, Some(dec("41.3")), "124 / 3");
    assert_eq!(h.median_days_to_pay, Some(dec("40")));
    assert_eq!(h.p90_days_late, Some(30), "rank ⌈2.7⌉ = 3 of [0, 10, 30]");
    assert_eq!(h.on_time_percent, Some(dec("33.3")), "1 of 3");
    // (1000·0 + 500·10 + 1500·30 + 500·10 + 1800·5) / 5300 = 64000 / 5300 = 12.075…
    assert_eq!(h.weighted_days_late, Some(dec("12.1")));
    // Open: 1200 + 800 − 100 + 400 + 600.
    assert_eq!(h.open_amount, chf("2900"));
    assert_eq!(h.ageing.not_due, chf("800"));
    assert_eq!(
        h.ageing.days_1_30,
        chf("-100"),
        "the credit note, 10 days past due"
    );
    assert_eq!(h.ageing.days_31_60, chf("1200"), "R4, 46 days");
    assert_eq!(h.ageing.days_61_90, chf("600"), "R7, 77 days");
    assert_eq!(h.ageing.over_90, chf("400"), "R6, 152 days");
    assert_eq!(h.ageing.overdue(), chf("2100"));
    // Invoiced after 1 September: 3000 + 800 − 100 = 3700; 2900 · 90 / 3700 = 70.54…
    assert_eq!(h.dso_days, Some(dec("70.5")));
    assert_eq!((h.dunned_items, h.highest_dunning_level), (2, 2));
    // Since 30 May: (1500·30 + 500·10 + 1800·5) / 3800 = 15.52…; before: 5000 / 1500 = 3.33…
    let trend = h.trend.unwrap();
    assert_eq!(
        (
            trend.recent_days_late,
            trend.earlier_days_late,
            trend.direction
        ),
        (dec("15.5"), dec("3.3"), TrendDirection::Worsening)
    );
    assert_eq!(h.unmatched_payments, 1, "R0 is not among the items");
}

#[test]
fn a_customer_paying_sooner_improves_and_a_steady_one_is_stable() {
    let items = vec![
        item("A", "2026-01-01", "2026-01-31", "100", "0", 0),
        item("B", "2026-09-01", "2026-10-01", "100", "0", 0),
    ];
    let today = day("2026-11-30");
    let sooner = [
        paid("A", "2026-03-02", "100"),
        paid("B", "2026-10-03", "100"),
    ];
    let h = PaymentHabits::compute(Currency::CHF, &items, &sooner, today).unwrap();
    let t = h.trend.unwrap();
    assert_eq!(
        (t.recent_days_late, t.earlier_days_late, t.direction),
        (dec("2"), dec("30"), TrendDirection::Improving)
    );
    let steady = [
        paid("A", "2026-02-02", "100"),
        paid("B", "2026-10-03", "100"),
    ];
    let h = PaymentHabits::compute(Currency::CHF, &items, &steady, today).unwrap();
    assert_eq!(
        h.trend.unwrap().direction,
        TrendDirection::Stable,
        "2 against 2"
    );
    assert_eq!(h.median_days_to_pay, Some(dec("32")), "mean of 32 and 32");
    assert_eq!(h.dso_days, None, "nothing invoiced in the last 90 days");
}

#[test]
fn medians_of_even_counts_and_percentiles_of_ten() {
    let mut even = [10, 3, 8, 1];
    assert_eq!(median(&mut even), Some(dec("5.5")));
    let mut ten: Vec<i64> = (1..=10).rev().collect();
    assert_eq!(percentile_90(&mut ten), Some(9), "rank 9 of 10");
    assert_eq!(percentile_90(&mut []), None);
}

#[test]
fn no_invoices_leave_the_figures_empty() {
    let h = PaymentHabits::compute(Currency::EUR, &[], &[], day("2026-11-30")).unwrap();
    assert_eq!(h.invoices, 0);
    assert_eq!(h.average_days_to_pay, None);
    assert_eq!(h.weighted_days_late, None);
    assert_eq!(h.on_time_percent, None);
    assert_eq!(h.trend, None);
    assert_eq!(h.open_amount, Money::zero(Currency::EUR));
}

#[test]
fn currencies_must_agree() {
    let (mut items, mut payments) = example();
    items[2].currency = Currency::EUR;
    payments[0].currency = Currency::EUR;
    let Err(Error::Invalid(invalid)) =
        PaymentHabits::compute(Currency::CHF, &items, &payments, day("2026-11-30"))
    else {
        panic!("mixed currencies must be refused");
    };
    assert!(invalid.has("items[2].currency"), "{invalid}");
    assert!(invalid.has("payments[0].currency"), "{invalid}");
}
