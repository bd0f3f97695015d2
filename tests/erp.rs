//! The ERP's data of an address through the facade, on both backends: sales documents,
//! disposition, receivables with payment habits, special conditions and explained prices —
//! visible with their address only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

mod common;

use std::sync::Arc;

use chrono::NaiveDate;
use common::*;
use crm::erp::{
    ConditionPrice, ConditionScope, ConditionTarget, DispositionStatus, DocumentKind, DocumentLine,
    DocumentNumber, DocumentQuery, DocumentStatus, DocumentTotals, GroupCode, ListPrice, OpenItem,
    OrderLine, Payment, ProductNumber, SalesDocument, SpecialCondition, Verdict,
};
use crm::erp_adapter::InMemoryErp;
use crm::{AddressNumber, Currency, Decimal, Error, PageRequest};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn no(s: &str) -> DocumentNumber {
    DocumentNumber::new(s).unwrap()
}

fn product(s: &str) -> ProductNumber {
    ProductNumber::new(s).unwrap()
}

fn document(
    number: &str,
    kind: DocumentKind,
    customer: AddressNumber,
    date: &str,
    status: DocumentStatus,
) -> SalesDocument {
    let lines = vec![DocumentLine {
        position: 1,
        product: Some(product("1068120000")),
        description: "Reihenklemme DEK 5/5".into(),
        quantity: dec("100"),
        unit: "PCE".into(),
        unit_price: dec("1.95"),
        net_amount: dec("195.00"),
        vat_rate: dec("8.1"),
    }];
    SalesDocument {
        number: no(number),
        kind,
        customer,
        date: day(date),
        status,
        currency: Currency::CHF,
        reference: None,
        valid_until: None,
        preceding: None,
        totals: DocumentTotals::compute(Currency::CHF, &lines).unwrap(),
        lines,
    }
}

fn order_line(
    position: u32,
    customer: AddressNumber,
    ordered: i64,
    delivered: i64,
    requested: &str,
) -> OrderLine {
    OrderLine {
        order: no("AB-1"),
        position,
        customer,
        product: product("1068120000"),
        description: "Reihenklemme".into(),
        ordered: ordered.into(),
        delivered: delivered.into(),
        unit: "PCE".into(),
        requested_date: Some(day(requested)),
        confirmed_date: None,
        cancelled: false,
    }
}

/// Fills `erp` with the data of customer `mine` and one document of customer `theirs`.
fn fill(erp: &InMemoryErp, mine: AddressNumber, theirs: AddressNumber) {
    use DocumentKind::*;
    use DocumentStatus::*;
    for d in [
        document("RE-1", Invoice, mine, "2026-09-01", Completed),
        document("Q-1", Quote, mine, "2026-11-20", Open),
        document("AB-1", Order, mine, "2026-10-01", Partial),
        document("Q-9", Quote, theirs, "2026-11-21", Open),
    ] {
        erp.put_document(d).unwrap();
    }
    for l in [
        order_line(1, mine, 100, 40, "2026-11-20"),
        order_line(2, mine, 10, 10, "2026-10-20"),
        order_line(3, mine, 5, 0, "2026-12-15"),
    ] {
        erp.put_order_line(l).unwrap();
    }
    let item = |invoice: &str, date: &str, due: &str, amount: &str, open: &str| OpenItem {
        invoice: no(invoice),
        customer: mine,
        invoice_date: day(date),
        due_date: day(due),
        currency: Currency::CHF,
        amount: dec(amount),
        open_amount: dec(open),
        dunning_level: 0,
    };
    erp.put_open_item(item("RE-1", "2026-08-01", "2026-08-31", "1000", "0"))
        .unwrap();
    erp.put_open_item(item("RE-2", "2026-10-15", "2026-11-14", "500", "500"))
        .unwrap();
    erp.add_payment(Payment {
        invoice: no("RE-1"),
        customer: mine,
        date: day("2026-09-10"),
        amount: dec("1000"),
        currency: Currency::CHF,
    })
    .unwrap();
    erp.put_list_price(ListPrice {
        product: product("1068120000"),
        currency: Currency::CHF,
        price: dec("2.40"),
        price_unit: Decimal::ONE,
        breaks: vec![],
        valid_from: None,
        valid_to: None,
    })
    .unwrap();
    let reseller = GroupCode::new("WIEDERVERKAUF").unwrap();
    erp.set_customer_groups(mine, vec![reseller.clone()])
        .unwrap();
    erp.set_product_groups(
        product("1068120000"),
        vec![GroupCode::new("KLEMMEN").unwrap()],
    )
    .unwrap();
    erp.put_condition(SpecialCondition {
        id: "SK-1".into(),
        scope: ConditionScope::Customer(mine),
        target: ConditionTarget::Product(product("1068120000")),
        price: ConditionPrice::Fixed {
            price: dec("1.95"),
            currency: Currency::CHF,
            price_unit: Decimal::ONE,
        },
        valid_from: Some(day("2026-01-01")),
        valid_to: Some(day("2026-12-31")),
    })
    .unwrap();
    erp.put_condition(SpecialCondition {
        id: "SK-2".into(),
        scope: ConditionScope::CustomerGroup(reseller),
        target: ConditionTarget::All,
        price: ConditionPrice::Discount { percent: dec("5") },
        valid_from: None,
        valid_to: None,
    })
    .unwrap();
}

fn numbers<T>(items: &[T], number: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(number).collect()
}

fn an_address_shows_what_the_erp_knows(db: Db) -> TestResult {
    // The ERP is filled once the customers' numbers are known.
    let data = Arc::new(InMemoryErp::new());
    let Some(crm) = open_with(db, "visibility = \"assigned\"", Some(data.clone()))? else {
        return Ok(());
    };
    crm.users().sync(&users())?;
    let mine = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let theirs = assigned_address(&crm, REP_B, "Elektro Brunner GmbH")?;
    fill(&data, mine.number, theirs.number);
    let (a, b) = (actor(REP_A), actor(REP_B));
    let erp = crm.erp();

    let all = erp.documents(
        &a,
        mine.id,
        &DocumentQuery::default(),
        PageRequest::default(),
    )?;
    assert_eq!(
        numbers(&all.items, |h| h.number.to_string()),
        ["Q-1", "AB-1", "RE-1"],
        "newest first"
    );
    assert_eq!(
        all.items[0].gross.amount,
        dec("210.80"),
        "195.00 + 8.1 % VAT 15.80"
    );
    let current = DocumentQuery {
        current_only: true,
        ..Default::default()
    };
    let current = erp.documents(&a, mine.id, &current, PageRequest::default())?;
    assert_eq!(
        numbers(&current.items, |h| h.number.to_string()),
        ["Q-1", "AB-1"]
    );
    let invoices = DocumentQuery {
        kinds: vec![DocumentKind::Invoice],
        ..Default::default()
    };
    assert_eq!(
        erp.documents(&a, mine.id, &invoices, PageRequest::default())?
            .total,
        1
    );
    assert_eq!(erp.document(&a, "Q-1")?.lines.len(), 1);

    // Another rep sees neither the address nor its documents.
    assert!(matches!(
        erp.documents(
            &b,
            mine.id,
            &DocumentQuery::default(),
            PageRequest::default()
        ),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        erp.document(&b, "Q-1"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        erp.document(&a, "Q-9"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        erp.document(&a, "Q-404"),
        Err(Error::NotFound { .. })
    ));

    // Disposition on 27 November 2026: the late line first, the delivered one hidden.
    let lines = erp.disposition(&a, mine.id, false, PageRequest::default())?;
    let seen: Vec<_> = lines
        .items
        .iter()
        .map(|l| (l.line.position, l.status, l.delay_days, l.open_quantity))
        .collect();
    assert_eq!(
        seen,
        [
            (1, DispositionStatus::BackOrder, 7, dec("60")),
            (3, DispositionStatus::Open, 0, dec("5"))
        ]
    );
    assert_eq!(
        erp.disposition(&a, mine.id, true, PageRequest::default())?
            .total,
        3
    );

    // Receivables: RE-1 paid 10 days late, RE-2 13 days past due.
    let r = erp.receivables(&a, mine.id)?;
    assert_eq!(numbers(&r.open_items, |i| i.invoice.to_string()), ["RE-2"]);
    assert_eq!(r.settled_items, 1);
    let habits = &r.habits[0];
    assert_eq!(habits.average_days_to_pay, Some(dec("40")));
    assert_eq!(habits.weighted_days_late, Some(dec("10")));
    assert_eq!(habits.ageing.days_1_30.amount, dec("500"));

    let conditions =
        erp.special_conditions(&a, mine.id, Some(day("2026-11-27")), PageRequest::default())?;
    assert_eq!(
        numbers(&conditions.items, |c| c.id.clone()),
        ["SK-1", "SK-2"]
    );

    let price = erp.price(&a, mine.id, "1068120000", dec("50"), Currency::CHF, None)?;
    assert_eq!(
        (price.applied.as_deref(), price.net_amount.amount),
        (Some("SK-1"), dec("97.50"))
    );
    let group = price
        .considered
        .iter()
        .find(|c| c.condition == "SK-2")
        .unwrap();
    assert_eq!(group.verdict, Verdict::Superseded { by: "SK-1".into() });
    let next_year = erp.price(
        &a,
        mine.id,
        "1068120000",
        dec("50"),
        Currency::CHF,
        Some(day("2027-01-04")),
    )?;
    assert_eq!(
        (next_year.applied.as_deref(), next_year.net_amount.amount),
        (Some("SK-2"), dec("114.00")),
        "5 % off 2.40"
    );
    let unknown = erp.price(&a, mine.id, "0000", Decimal::ONE, Currency::CHF, None);
    assert!(matches!(unknown, Err(Error::Invalid(i)) if i.has("product")));
    assert!(matches!(
        erp.price(&b, mine.id, "1068120000", Decimal::ONE, Currency::CHF, None),
        Err(Error::NotFound { .. })
    ));
    Ok(())
}

fn without_an_erp_the_calls_say_so(db: Db) -> TestResult {
    let Some(crm) = crm(db, "")? else {
        return Ok(());
    };
    let customer = assigned_address(&crm, REP_A, "Elektro Huber AG")?;
    let refused = crm.erp().receivables(&actor(REP_A), customer.id);
    assert!(
        matches!(&refused, Err(Error::Storage(m)) if m.contains("no ERP")),
        "{refused:?}"
    );
    Ok(())
}

on_both_backends!(
    an_address_shows_what_the_erp_knows,
    without_an_erp_the_calls_say_so
);
