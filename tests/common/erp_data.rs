//! ERP test data: one customer's documents, order lines, open items, payments, prices and
//! special conditions, as sync batches.

use chrono::NaiveDate;
use crm::erp::{
    ConditionPrice, ConditionScope, ConditionTarget, DocumentKind, DocumentLine, DocumentNumber,
    DocumentStatus, DocumentTotals, GroupCode, ListPrice, OpenItem, OrderLine, Payment,
    ProductNumber, SalesDocument, SpecialCondition, SyncBatch,
};
use crm::{AddressNumber, Currency, Decimal};

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn no(s: &str) -> DocumentNumber {
    DocumentNumber::new(s).unwrap()
}

pub fn product(s: &str) -> ProductNumber {
    ProductNumber::new(s).unwrap()
}

pub fn document(
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

pub fn order_line(
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

/// The ERP's data of customer `mine` and one document of customer `theirs`, as sync batches.
pub fn batches(mine: AddressNumber, theirs: AddressNumber) -> Vec<SyncBatch> {
    use DocumentKind::*;
    use DocumentStatus::*;
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
    let reseller = GroupCode::new("WIEDERVERKAUF").unwrap();
    vec![
        SyncBatch::Documents {
            upserts: vec![
                document("RE-1", Invoice, mine, "2026-09-01", Completed),
                document("Q-1", Quote, mine, "2026-11-20", Open),
                document("AB-1", Order, mine, "2026-10-01", Partial),
                document("Q-9", Quote, theirs, "2026-11-21", Open),
            ],
            deletions: vec![],
        },
        SyncBatch::OrderLines {
            upserts: vec![
                order_line(1, mine, 100, 40, "2026-11-20"),
                order_line(2, mine, 10, 10, "2026-10-20"),
                order_line(3, mine, 5, 0, "2026-12-15"),
            ],
            deletions: vec![],
        },
        SyncBatch::OpenItems {
            upserts: vec![
                item("RE-1", "2026-08-01", "2026-08-31", "1000", "0"),
                item("RE-2", "2026-10-15", "2026-11-14", "500", "500"),
            ],
            deletions: vec![],
        },
        SyncBatch::Payments {
            upserts: vec![Payment {
                id: "ZE-1".into(),
                invoice: no("RE-1"),
                customer: mine,
                date: day("2026-09-10"),
                amount: dec("1000"),
                currency: Currency::CHF,
            }],
            deletions: vec![],
        },
        SyncBatch::ListPrices {
            upserts: vec![ListPrice {
                product: product("1068120000"),
                currency: Currency::CHF,
                price: dec("2.40"),
                price_unit: Decimal::ONE,
                breaks: vec![],
                valid_from: None,
                valid_to: None,
            }],
            deletions: vec![],
        },
        SyncBatch::CustomerGroups {
            upserts: vec![(mine, vec![reseller.clone()])],
        },
        SyncBatch::ProductGroups {
            upserts: vec![(
                product("1068120000"),
                vec![GroupCode::new("KLEMMEN").unwrap()],
            )],
        },
        SyncBatch::Conditions {
            upserts: vec![
                SpecialCondition {
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
                },
                SpecialCondition {
                    id: "SK-2".into(),
                    scope: ConditionScope::CustomerGroup(reseller),
                    target: ConditionTarget::All,
                    price: ConditionPrice::Discount { percent: dec("5") },
                    valid_from: None,
                    valid_to: None,
                },
            ],
            deletions: vec![],
        },
    ]
}
