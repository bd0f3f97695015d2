//! The ERP replica: how fast the host's batches sync (open items, revenue lines; new and
//! re-sent), a customer's receivables with payment habits (50 items, 200 payments), his open
//! order lines, and price determination with five special conditions per synced open item
//! stored (1,000,000 by default).

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use crm::demo::{self, Rng};
use crm::erp::{
    ConditionPrice, ConditionScope, ConditionTarget, DocumentNumber, GroupCode, ListPrice,
    OpenItem, OrderLine, Payment, ProductNumber, RevenueFact, SpecialCondition, SyncBatch,
};
use crm::{AddressId, AddressNumber, Crm, Currency, Decimal, PageRequest};
use serde::Serialize;

use super::Result;
use super::measure::{Measured, time};

/// Rows per sync call (one transaction each).
const SYNC_BATCH: usize = 10_000;
/// Products the conditions are spread over.
const PRODUCTS: usize = 100;

/// Sync rates in rows per second.
#[derive(Serialize)]
pub struct SyncRates {
    pub open_items: usize,
    pub open_items_per_s: f64,
    pub open_items_resent_per_s: f64,
    pub revenue_lines: usize,
    pub revenue_lines_per_s: f64,
    pub conditions: usize,
    pub conditions_per_s: f64,
}

fn key<T>(r: std::result::Result<T, crm::ValueError>) -> Result<T> {
    r.map_err(|e| e.to_string().into())
}

fn day(today: NaiveDate, back: usize) -> NaiveDate {
    today - Duration::days(back as i64)
}

/// Syncs `batches` and returns rows per second.
fn sync_all(crm: &Crm, batches: &[SyncBatch]) -> Result<f64> {
    let rows: usize = batches.iter().map(SyncBatch::upsert_count).sum();
    let started = Instant::now();
    for batch in batches {
        crm.replica().sync(batch.clone(), None)?;
    }
    Ok(rows as f64 / started.elapsed().as_secs_f64())
}

pub fn erp(
    crm: &Crm,
    rng: &mut Rng,
    customers: &[(AddressId, AddressNumber)],
    rows: usize,
) -> Result<(Vec<Measured>, SyncRates)> {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    let chf = Currency::CHF;
    let groups_count = (rows * 5 / PRODUCTS).max(1);
    // Open items and revenue lines spread over the customers; the first 200 customers get
    // exactly 50 items with 4 payments each, for the habits measurement.
    let mut items = Vec::with_capacity(rows);
    let mut payments = Vec::new();
    // The first 200 customers get 50 items each, the others share the rest.
    let (measured, others) = customers.split_at(200.min(customers.len() / 2));
    let owner = |i: usize| {
        if i < measured.len() * 50 {
            measured[i / 50].1
        } else {
            others[i % others.len()].1
        }
    };
    for i in 0..rows {
        let customer = owner(i);
        let invoice_date = day(today, rng.below(700));
        let amount = Decimal::from(50 + rng.below(5_000));
        let settled = rng.chance(80);
        let invoice = key(DocumentNumber::new(&format!("RE-{i}")))?;
        if i < measured.len() * 50 {
            for p in 0..4 {
                payments.push(Payment {
                    id: format!("ZE-{i}-{p}"),
                    invoice: invoice.clone(),
                    customer,
                    date: invoice_date + Duration::days(20 + rng.below(40) as i64),
                    amount: amount / Decimal::from(4),
                    currency: chf,
                });
            }
        }
        items.push(OpenItem {
            invoice,
            customer,
            invoice_date,
            due_date: invoice_date + Duration::days(30),
            currency: chf,
            amount,
            open_amount: if settled { Decimal::ZERO } else { amount },
            dunning_level: 0,
        });
    }
    let revenue: Vec<RevenueFact> = (0..rows)
        .map(|i| {
            let (_, customer) = customers[i % customers.len()];
            Ok(RevenueFact {
                document: key(DocumentNumber::new(&format!("RE-{}", i / 3)))?,
                position: (i % 3) as u32 + 1,
                date: day(today, rng.below(700)),
                customer,
                product: Some(key(ProductNumber::new(&format!("P{:05}", i % PRODUCTS)))?),
                product_group: Some(key(GroupCode::new("KLEMMEN"))?),
                field_rep: Some(crm::UserId(101)),
                inside_rep: None,
                region: None,
                quantity: Decimal::from(1 + rng.below(50)),
                net_amount: Decimal::from(10 + rng.below(2_000)),
                cost: None,
                currency: chf,
            })
        })
        .collect::<Result<_>>()?;

    let item_batches: Vec<SyncBatch> = items
        .chunks(SYNC_BATCH)
        .map(|c| SyncBatch::OpenItems {
            upserts: c.to_vec(),
            deletions: vec![],
        })
        .collect();
    let open_items_per_s = sync_all(crm, &item_batches)?;
    let open_items_resent_per_s = sync_all(crm, &item_batches)?;
    let revenue_batches: Vec<SyncBatch> = revenue
        .chunks(SYNC_BATCH)
        .map(|c| SyncBatch::Revenue {
            upserts: c.to_vec(),
            deletions: vec![],
        })
        .collect();
    let revenue_lines_per_s = sync_all(crm, &revenue_batches)?;
    let payment_batches: Vec<SyncBatch> = payments
        .chunks(SYNC_BATCH)
        .map(|c| SyncBatch::Payments {
            upserts: c.to_vec(),
            deletions: vec![],
        })
        .collect();
    sync_all(crm, &payment_batches)?;

    // Order lines: 20 per customer of the first 200, half of them open.
    let mut lines = Vec::new();
    for (c, (_, customer)) in measured.iter().enumerate() {
        for l in 0..20u32 {
            let ordered = Decimal::from(10 + rng.below(90));
            lines.push(OrderLine {
                order: key(DocumentNumber::new(&format!("AB-{c}-{}", l / 5)))?,
                position: l % 5 + 1,
                customer: *customer,
                product: key(ProductNumber::new(&format!("P{:05}", rng.below(PRODUCTS))))?,
                description: "Reihenklemme".into(),
                ordered,
                delivered: if l % 2 == 0 { ordered } else { Decimal::ZERO },
                unit: "PCE".into(),
                requested_date: Some(day(today, rng.below(60)) + Duration::days(30)),
                confirmed_date: None,
                cancelled: false,
            });
        }
    }
    crm.replica().sync(
        SyncBatch::OrderLines {
            upserts: lines,
            deletions: vec![],
        },
        None,
    )?;

    // Five conditions per open item (1,000,000 by default): every group × product pair gets
    // a discount, and the customers
    // of the price measurement are spread over the groups.
    let list: Vec<ListPrice> = (0..PRODUCTS)
        .map(|p| {
            Ok(ListPrice {
                product: key(ProductNumber::new(&format!("P{p:05}")))?,
                currency: chf,
                price: Decimal::from(5 + p),
                price_unit: Decimal::ONE,
                breaks: vec![],
                valid_from: None,
                valid_to: None,
            })
        })
        .collect::<Result<_>>()?;
    crm.replica().sync(
        SyncBatch::ListPrices {
            upserts: list,
            deletions: vec![],
        },
        None,
    )?;
    let groups: Vec<(AddressNumber, Vec<GroupCode>)> = customers
        .iter()
        .enumerate()
        .map(|(i, (_, n))| {
            Ok((
                *n,
                vec![key(GroupCode::new(&format!("G{:05}", i % groups_count)))?],
            ))
        })
        .collect::<Result<_>>()?;
    crm.replica()
        .sync(SyncBatch::CustomerGroups { upserts: groups }, None)?;
    let mut conditions = Vec::with_capacity(groups_count * PRODUCTS);
    for g in 0..groups_count {
        for p in 0..PRODUCTS {
            conditions.push(SpecialCondition {
                id: format!("K-{g:05}-{p:03}"),
                scope: ConditionScope::CustomerGroup(key(GroupCode::new(&format!("G{g:05}")))?),
                target: ConditionTarget::Product(key(ProductNumber::new(&format!("P{p:05}")))?),
                price: ConditionPrice::Discount {
                    percent: Decimal::from(1 + (g + p) % 30),
                },
                valid_from: None,
                valid_to: None,
            });
        }
    }
    let condition_batches: Vec<SyncBatch> = conditions
        .chunks(SYNC_BATCH * 5)
        .map(|c| SyncBatch::Conditions {
            upserts: c.to_vec(),
            deletions: vec![],
        })
        .collect();
    drop(conditions);
    let conditions_per_s = sync_all(crm, &condition_batches)?;
    drop(condition_batches);

    let manager = demo::manager();
    let with_habits: Vec<AddressId> = measured.iter().map(|(id, _)| *id).collect();
    let requests: Vec<(AddressId, String, Decimal)> = (0..2_000)
        .map(|_| {
            let (id, _) = customers[rng.below(customers.len())];
            (
                id,
                format!("P{:05}", rng.below(PRODUCTS)),
                Decimal::from(1 + rng.below(100)),
            )
        })
        .collect();
    let results = vec![
        time(
            "erp: receivables with payment habits (50 items, 200 payments)",
            &with_habits,
            |id| crm.erp().receivables(&manager, *id).map(drop),
        )?,
        time("erp: a customer's open order lines", &with_habits, |id| {
            crm.erp()
                .disposition(&manager, *id, false, PageRequest::default())
                .map(drop)
        })?,
        time(
            &format!(
                "erp: price of a line, {} conditions stored",
                groups_count * PRODUCTS
            ),
            &requests,
            |(id, product, quantity)| {
                crm.erp()
                    .price(&manager, *id, product, *quantity, chf, Some(today))
                    .map(drop)
            },
        )?,
    ];
    Ok((
        results,
        SyncRates {
            open_items: rows,
            open_items_per_s,
            open_items_resent_per_s,
            revenue_lines: rows,
            revenue_lines_per_s,
            conditions: groups_count * PRODUCTS,
            conditions_per_s,
        },
    ))
}
