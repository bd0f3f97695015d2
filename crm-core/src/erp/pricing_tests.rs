//! Price determination against hand-computed prices, and its explanation.

use super::*;

const CUSTOMER: AddressNumber = AddressNumber(100_042);

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn group(code: &str) -> GroupCode {
    GroupCode::new(code).unwrap()
}

fn product() -> ProductNumber {
    ProductNumber::new("1068120000").unwrap()
}

fn request(quantity: &str) -> PriceRequest {
    PriceRequest {
        customer: CUSTOMER,
        customer_groups: vec![group("WIEDERVERKAUF")],
        product: product(),
        product_groups: vec![group("KLEMMEN-5"), group("KLEMMEN"), group("ELEKTRO")],
        quantity: dec(quantity),
        date: day("2026-12-01"),
        currency: Currency::CHF,
    }
}

/// CHF 2.40, from 100 pieces 2.10.
fn list() -> Vec<ListPrice> {
    vec![ListPrice {
        product: product(),
        currency: Currency::CHF,
        price: dec("2.40"),
        price_unit: Decimal::ONE,
        breaks: vec![PriceBreak {
            min_quantity: dec("100"),
            price: dec("2.10"),
        }],
        valid_from: Some(day("2026-01-01")),
        valid_to: None,
    }]
}

fn condition(
    id: &str,
    scope: ConditionScope,
    target: ConditionTarget,
    price: ConditionPrice,
) -> SpecialCondition {
    SpecialCondition {
        id: id.into(),
        scope,
        target,
        price,
        valid_from: None,
        valid_to: None,
    }
}

fn fixed(price: &str, currency: Currency) -> ConditionPrice {
    ConditionPrice::Fixed {
        price: dec(price),
        currency,
        price_unit: Decimal::ONE,
    }
}

fn discount(percent: &str) -> ConditionPrice {
    ConditionPrice::Discount {
        percent: dec(percent),
    }
}

fn mine() -> ConditionScope {
    ConditionScope::Customer(CUSTOMER)
}

fn on_product() -> ConditionTarget {
    ConditionTarget::Product(product())
}

fn on_group(code: &str) -> ConditionTarget {
    ConditionTarget::ProductGroup(group(code))
}

fn verdict_of<'a>(r: &'a PriceResult, id: &str) -> &'a Considered {
    r.considered.iter().find(|c| c.condition == id).unwrap()
}

fn conditions() -> Vec<SpecialCondition> {
    let mut expired = condition("C4", mine(), on_product(), fixed("1.80", Currency::CHF));
    expired.valid_to = Some(day("2026-06-30"));
    vec![
        condition(
            "C3",
            ConditionScope::CustomerGroup(group("WIEDERVERKAUF")),
            ConditionTarget::All,
            discount("5"),
        ),
        condition("C2", mine(), on_group("KLEMMEN"), discount("10")),
        condition("C1", mine(), on_product(), fixed("1.95", Currency::CHF)),
        expired,
        condition("C5", mine(), on_product(), fixed("1.70", Currency::EUR)),
        condition(
            "C6",
            ConditionScope::Customer(AddressNumber(999)),
            on_product(),
            fixed("1.00", Currency::CHF),
        ),
        condition(
            "C7",
            mine(),
            on_product(),
            ConditionPrice::Breaks {
                breaks: vec![PriceBreak {
                    min_quantity: dec("500"),
                    price: dec("1.50"),
                }],
                currency: Currency::CHF,
                price_unit: Decimal::ONE,
            },
        ),
    ]
}

#[test]
fn customer_and_product_come_first_and_every_other_rule_says_why_not() {
    let r = determine(&request("50"), &list(), &conditions()).unwrap();
    assert_eq!(r.applied.as_deref(), Some("C1"));
    assert_eq!(
        r.list_unit_price,
        Some(Money::new(dec("2.40"), Currency::CHF))
    );
    assert_eq!(r.net_unit_price.amount, dec("1.95"));
    assert_eq!(r.net_amount.amount, dec("97.50"), "50 × 1.95");
    assert_eq!(r.discount_percent, Some(dec("18.75")), "0.45 of 2.40");

    assert_eq!(
        verdict_of(&r, "C2").verdict,
        Verdict::Superseded { by: "C1".into() }
    );
    assert_eq!(
        verdict_of(&r, "C2").unit_price,
        Some(dec("2.16")),
        "10 % off 2.40"
    );
    assert_eq!(
        verdict_of(&r, "C3").verdict,
        Verdict::Superseded { by: "C1".into() }
    );
    for (id, why) in [
        ("C4", "expired on 2026-06-30"),
        ("C5", "priced in EUR"),
        ("C6", "for customer 999"),
        ("C7", "below its first break at 500"),
    ] {
        let c = verdict_of(&r, id);
        assert_eq!(c.verdict, Verdict::NotApplicable, "{id}");
        assert!(c.reason.contains(why), "{id}: {}", c.reason);
    }
    let order: Vec<&str> = r.considered.iter().map(|c| c.condition.as_str()).collect();
    assert_eq!(order[..2], ["C1", "C4"], "in the order of precedence");
    assert_eq!(order.last(), Some(&"C6"), "not for him: last");

    let text = r.explanation().join("\n");
    assert!(text.starts_with("list price: 2.4 CHF per 1"), "{text}");
    assert!(
        text.contains("C1: applied — fixed price 1.95 CHF per 1"),
        "{text}"
    );
    assert!(text.ends_with("net 50 × 1.95 CHF = 97.50 CHF"), "{text}");
    let described = conditions()[2].to_string();
    assert_eq!(
        described,
        "C1 for customer 100042 on product 1068120000: 1.95 CHF per 1"
    );
}

#[test]
fn discounts_take_the_list_price_of_the_quantity_break() {
    let without_c1: Vec<_> = conditions().into_iter().filter(|c| c.id != "C1").collect();
    let r = determine(&request("50"), &list(), &without_c1).unwrap();
    assert_eq!(
        (r.applied.as_deref(), r.net_unit_price.amount),
        (Some("C2"), dec("2.16"))
    );
    let r = determine(&request("200"), &list(), &without_c1).unwrap();
    assert_eq!(
        r.list_unit_price.unwrap().amount,
        dec("2.10"),
        "break from 100"
    );
    assert_eq!(r.net_unit_price.amount, dec("1.89"), "10 % off 2.10");
    assert_eq!(r.net_amount.amount, dec("378.00"));
    assert_eq!(r.discount_percent, Some(dec("10.00")));
    assert!(
        r.list_reason.contains("break from 100"),
        "{}",
        r.list_reason
    );
    // From 500 pieces the customer's own quantity break comes first.
    let r = determine(&request("500"), &list(), &without_c1).unwrap();
    assert_eq!(
        (r.applied.as_deref(), r.net_amount.amount),
        (Some("C7"), dec("750.00"))
    );
}

#[test]
fn the_more_specific_group_and_then_the_newer_condition_win() {
    let conditions = vec![
        condition("wide", mine(), on_group("KLEMMEN"), discount("10")),
        condition("narrow", mine(), on_group("KLEMMEN-5"), discount("12")),
    ];
    let r = determine(&request("1"), &list(), &conditions).unwrap();
    assert_eq!(r.applied.as_deref(), Some("narrow"));
    assert_eq!(r.net_unit_price.amount, dec("2.112"));
    assert_eq!(
        r.net_amount.amount,
        dec("2.11"),
        "rounded to the franc's cents"
    );

    let mut old = condition("old", mine(), ConditionTarget::All, discount("3"));
    old.valid_from = Some(day("2026-01-01"));
    let mut new = condition("new", mine(), ConditionTarget::All, discount("4"));
    new.valid_from = Some(day("2026-07-01"));
    let r = determine(&request("1"), &list(), &[old, new]).unwrap();
    assert_eq!(r.applied.as_deref(), Some("new"));
    assert!(
        verdict_of(&r, "old").reason.contains("same rank"),
        "{}",
        verdict_of(&r, "old").reason
    );
}

#[test]
fn price_units_are_divided_out() {
    let mut per_hundred = list();
    per_hundred[0].price = dec("240");
    per_hundred[0].price_unit = dec("100");
    per_hundred[0].breaks.clear();
    let group_price = condition(
        "G",
        ConditionScope::CustomerGroup(group("WIEDERVERKAUF")),
        on_product(),
        ConditionPrice::Fixed {
            price: dec("180"),
            currency: Currency::CHF,
            price_unit: dec("100"),
        },
    );
    let r = determine(&request("250"), &per_hundred, &[group_price]).unwrap();
    assert_eq!(r.list_unit_price.unwrap().amount, dec("2.40"));
    assert_eq!(r.net_amount.amount, dec("450.00"), "250 × 1.80");
    assert_eq!(
        verdict_of(&r, "G").precedence,
        Some(Precedence::GroupProduct)
    );
}

#[test]
fn without_any_price_or_with_a_bad_quantity_it_says_which_field() {
    let none = determine(
        &request("1"),
        &[],
        &[condition("D", mine(), ConditionTarget::All, discount("5"))],
    );
    let Err(Error::Invalid(invalid)) = none else {
        panic!("{none:?}");
    };
    assert!(invalid.has("product"), "{invalid}");
    let zero = determine(&request("0"), &list(), &[]);
    assert!(matches!(zero, Err(Error::Invalid(i)) if i.has("quantity")));

    // A discount without a list price does not apply, a fixed price does.
    let r = determine(
        &request("3"),
        &[],
        &[
            condition("D", mine(), ConditionTarget::All, discount("5")),
            condition("F", mine(), on_product(), fixed("2.00", Currency::CHF)),
        ],
    )
    .unwrap();
    assert_eq!(
        (r.applied.as_deref(), r.net_amount.amount),
        (Some("F"), dec("6.00"))
    );
    assert_eq!(r.list_unit_price, None);
    assert!(verdict_of(&r, "D").reason.contains("no list price"));

    // The list price alone, when no condition applies.
    let r = determine(&request("2"), &list(), &[]).unwrap();
    assert_eq!(
        (r.applied, r.net_amount.amount, r.discount_percent),
        (None, dec("4.80"), None)
    );
}
