//! Demo ERP data for the replica: a small catalog with list prices and groups, customer
//! groups, special conditions, and per customer quotes, orders and invoices with their order
//! lines, open items, payments and revenue lines — consistent with each other.

use chrono::{Datelike, Duration, NaiveDate};
use crm_core::erp::{
    ConditionPrice, ConditionScope, ConditionTarget, DocumentKind, DocumentLine, DocumentNumber,
    DocumentStatus, DocumentTotals, GroupCode, ListPrice, OpenItem, OrderLine, Payment, PriceBreak,
    ProductNumber, RevenueFact, SalesDocument, SpecialCondition, SyncBatch,
};
use crm_core::{AddressNumber, Currency, Decimal, UserId};

use super::Generator;

/// The demo catalog: number, name, product group path (own group first), list price in CHF.
pub const PRODUCTS: &[(&str, &str, &[&str], &str)] = &[
    (
        "1068120000",
        "Reihenklemme DEK 5/5",
        &["KLEMMEN", "ELEKTRO"],
        "2.40",
    ),
    (
        "1068130000",
        "Reihenklemme DEK 5/8",
        &["KLEMMEN", "ELEKTRO"],
        "2.95",
    ),
    (
        "2010400000",
        "Kassenterminal K4",
        &["KASSEN", "LADENBAU"],
        "1890.00",
    ),
    (
        "2010410000",
        "Bondrucker B2",
        &["KASSEN", "LADENBAU"],
        "345.00",
    ),
    (
        "3055000100",
        "Regalsystem Modul 100",
        &["REGALE", "LADENBAU"],
        "420.00",
    ),
    (
        "3055000200",
        "Regalboden 100 cm",
        &["REGALE", "LADENBAU"],
        "38.50",
    ),
    (
        "4100000010",
        "LED-Panel 60×60",
        &["LICHT", "ELEKTRO"],
        "129.00",
    ),
    (
        "4100000020",
        "LED-Strahler Spot 12 W",
        &["LICHT", "ELEKTRO"],
        "54.90",
    ),
    (
        "5200000001",
        "Etiketten 58×40, Rolle",
        &["VERBRAUCH"],
        "6.80",
    ),
    (
        "5200000002",
        "Thermopapier 80 mm, Rolle",
        &["VERBRAUCH"],
        "3.20",
    ),
];

/// Swiss standard VAT rate in percent.
const VAT: &str = "8.1";

fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

fn key<T>(
    make: impl Fn(&str) -> Result<T, crm_core::ValueError>,
    text: &str,
) -> crm_core::Result<T> {
    make(text).map_err(|e| crm_core::Error::Storage(format!("demo data `{text}`: {e}")))
}

/// A demo customer: his number and responsible reps.
#[derive(Debug, Clone, Copy)]
pub struct ErpCustomer {
    /// The address number.
    pub number: AddressNumber,
    /// The field rep.
    pub field_rep: Option<UserId>,
    /// The inside rep.
    pub inside_rep: Option<UserId>,
}

/// Everything the demo ERP holds, as sync batches in the order a host sends them.
#[derive(Debug, Default)]
struct ErpData {
    documents: Vec<SalesDocument>,
    order_lines: Vec<OrderLine>,
    items: Vec<OpenItem>,
    payments: Vec<Payment>,
    conditions: Vec<SpecialCondition>,
    groups: Vec<(AddressNumber, Vec<GroupCode>)>,
    revenue: Vec<RevenueFact>,
}

impl Generator {
    /// The demo ERP's data of `customers` around `today`, as replica batches: catalog,
    /// groups and conditions first, then documents, order lines, open items, payments and
    /// revenue lines.
    ///
    /// # Errors
    /// Only if the built-in demo keys were malformed.
    pub fn erp_data(
        &mut self,
        customers: &[ErpCustomer],
        today: NaiveDate,
    ) -> crm_core::Result<Vec<SyncBatch>> {
        let reseller = key(GroupCode::new, "WIEDERVERKAUF")?;
        let key_account = key(GroupCode::new, "GROSSKUNDE")?;
        let mut data = ErpData::default();
        data.conditions.push(SpecialCondition {
            id: "GR-WV-ALL".into(),
            scope: ConditionScope::CustomerGroup(reseller.clone()),
            target: ConditionTarget::All,
            price: ConditionPrice::Discount { percent: dec("8") },
            valid_from: None,
            valid_to: None,
        });
        data.conditions.push(SpecialCondition {
            id: "GR-GK-KASSEN".into(),
            scope: ConditionScope::CustomerGroup(key_account.clone()),
            target: ConditionTarget::ProductGroup(key(GroupCode::new, "KASSEN")?),
            price: ConditionPrice::Discount { percent: dec("12") },
            valid_from: None,
            valid_to: None,
        });
        for (n, c) in customers.iter().enumerate() {
            let mut groups = Vec::new();
            if self.rng.chance(30) {
                groups.push(reseller.clone());
            }
            if self.rng.chance(20) {
                groups.push(key_account.clone());
            }
            if !groups.is_empty() {
                data.groups.push((c.number, groups));
            }
            if self.rng.chance(25) || n == 0 {
                let (product, _, _, list) = *self.rng.pick(PRODUCTS);
                data.conditions.push(SpecialCondition {
                    id: format!("SK-{}-{product}", c.number),
                    scope: ConditionScope::Customer(c.number),
                    target: ConditionTarget::Product(key(ProductNumber::new, product)?),
                    price: ConditionPrice::Breaks {
                        breaks: vec![
                            PriceBreak {
                                min_quantity: Decimal::ONE,
                                price: dec(list) * dec("0.9"),
                            },
                            PriceBreak {
                                min_quantity: Decimal::ONE_HUNDRED,
                                price: dec(list) * dec("0.82"),
                            },
                        ],
                        currency: Currency::CHF,
                        price_unit: Decimal::ONE,
                    },
                    valid_from: NaiveDate::from_ymd_opt(today.year(), 1, 1),
                    valid_to: NaiveDate::from_ymd_opt(today.year(), 12, 31),
                });
            }
            self.customer_documents(&mut data, c, today)?;
        }
        for c in customers {
            revenue_history(&mut data, c, today)?;
        }
        let catalog = PRODUCTS
            .iter()
            .map(|(number, _, _, price)| {
                Ok(ListPrice {
                    product: key(ProductNumber::new, number)?,
                    currency: Currency::CHF,
                    price: dec(price),
                    price_unit: Decimal::ONE,
                    breaks: Vec::new(),
                    valid_from: None,
                    valid_to: None,
                })
            })
            .collect::<crm_core::Result<Vec<_>>>()?;
        let paths = PRODUCTS
            .iter()
            .map(|(number, _, groups, _)| {
                Ok((
                    key(ProductNumber::new, number)?,
                    groups
                        .iter()
                        .map(|g| key(GroupCode::new, g))
                        .collect::<crm_core::Result<Vec<_>>>()?,
                ))
            })
            .collect::<crm_core::Result<Vec<_>>>()?;
        Ok(vec![
            SyncBatch::ListPrices {
                upserts: catalog,
                deletions: vec![],
            },
            SyncBatch::ProductGroups { upserts: paths },
            SyncBatch::CustomerGroups {
                upserts: data.groups,
            },
            SyncBatch::Conditions {
                upserts: data.conditions,
                deletions: vec![],
            },
            SyncBatch::Documents {
                upserts: data.documents,
                deletions: vec![],
            },
            SyncBatch::OrderLines {
                upserts: data.order_lines,
                deletions: vec![],
            },
            SyncBatch::OpenItems {
                upserts: data.items,
                deletions: vec![],
            },
            SyncBatch::Payments {
                upserts: data.payments,
                deletions: vec![],
            },
            SyncBatch::Revenue {
                upserts: data.revenue,
                deletions: vec![],
            },
        ])
    }

    /// A customer's quotes, orders and invoices over the last year; paid punctually or late
    /// by a habit of his own.
    fn customer_documents(
        &mut self,
        data: &mut ErpData,
        c: &ErpCustomer,
        today: NaiveDate,
    ) -> crm_core::Result<()> {
        let lateness = [0, 0, 3, 12, 35][self.rng.below(5)];
        let count = 2 + self.rng.below(5);
        for i in 0..count {
            // A quote, an order in progress and a recent invoice, then older documents.
            let age = match i {
                1 => self.rng.below(40),
                2 => self.rng.below(25),
                _ => self.rng.below(330),
            } as i64;
            let date = today - Duration::days(age);
            let kind = match (i, age) {
                (0, _) => DocumentKind::Quote,
                (1, _) => DocumentKind::Order,
                (2, _) => DocumentKind::Invoice,
                (_, a) if a < 45 && self.rng.chance(50) => DocumentKind::Order,
                _ => DocumentKind::Invoice,
            };
            let lines = self.lines(3);
            let totals = DocumentTotals::compute(Currency::CHF, &lines)?;
            let prefix = match kind {
                DocumentKind::Quote => "AN",
                DocumentKind::Order => "AB",
                _ => "RE",
            };
            let number = key(DocumentNumber::new, &format!("{prefix}-{}-{i}", c.number))?;
            let due = date + Duration::days(30);
            let paid_on = due + Duration::days(lateness + self.rng.below(8) as i64 - 4);
            let settled = kind == DocumentKind::Invoice && paid_on <= today;
            let status = match kind {
                DocumentKind::Quote if age > 30 => DocumentStatus::Expired,
                DocumentKind::Order if lines.len() > 1 => DocumentStatus::Partial,
                DocumentKind::Invoice if settled => DocumentStatus::Completed,
                _ => DocumentStatus::Open,
            };
            match kind {
                DocumentKind::Order => {
                    for (j, line) in lines.iter().enumerate() {
                        let requested = date + Duration::days(10 + self.rng.below(30) as i64);
                        let delivered = if j == 0 && lines.len() > 1 {
                            line.quantity
                        } else {
                            Decimal::ZERO
                        };
                        data.order_lines.push(OrderLine {
                            order: number.clone(),
                            position: line.position,
                            customer: c.number,
                            product: key(
                                ProductNumber::new,
                                line.product.as_ref().map_or("", |p| p.as_str()),
                            )?,
                            description: line.description.clone(),
                            ordered: line.quantity,
                            delivered,
                            unit: line.unit.clone(),
                            requested_date: Some(requested),
                            confirmed_date: self
                                .rng
                                .chance(30)
                                .then(|| requested + Duration::days(self.rng.below(14) as i64)),
                            cancelled: false,
                        });
                    }
                }
                DocumentKind::Invoice => {
                    data.items.push(OpenItem {
                        invoice: number.clone(),
                        customer: c.number,
                        invoice_date: date,
                        due_date: due,
                        currency: Currency::CHF,
                        amount: totals.gross.amount,
                        open_amount: if settled {
                            Decimal::ZERO
                        } else {
                            totals.gross.amount
                        },
                        dunning_level: u8::from(!settled && (today - due).num_days() > 14),
                    });
                    if settled {
                        data.payments.push(Payment {
                            id: format!("ZE-{number}"),
                            invoice: number.clone(),
                            customer: c.number,
                            date: paid_on,
                            amount: totals.gross.amount,
                            currency: Currency::CHF,
                        });
                    }
                    for line in &lines {
                        data.revenue.push(RevenueFact {
                            document: number.clone(),
                            position: line.position,
                            date,
                            customer: c.number,
                            product: line.product.clone(),
                            product_group: PRODUCTS
                                .iter()
                                .find(|p| Some(p.0) == line.product.as_ref().map(|n| n.as_str()))
                                .and_then(|p| p.2.first())
                                .and_then(|g| GroupCode::new(g).ok()),
                            field_rep: c.field_rep,
                            inside_rep: c.inside_rep,
                            region: Some(
                                REGIONS[c.number.0.rem_euclid(REGIONS.len() as i64) as usize]
                                    .to_owned(),
                            ),
                            quantity: line.quantity,
                            net_amount: line.net_amount,
                            cost: Some((line.net_amount * dec("0.62")).round_dp(2)),
                            currency: Currency::CHF,
                        });
                    }
                }
                _ => {}
            }
            data.documents.push(SalesDocument {
                number,
                kind,
                customer: c.number,
                date,
                status,
                currency: Currency::CHF,
                reference: None,
                valid_until: (kind == DocumentKind::Quote).then_some(date + Duration::days(30)),
                preceding: None,
                lines,
                totals,
            });
        }
        Ok(())
    }

    /// Up to `max` lines of catalog products at list price.
    fn lines(&mut self, max: usize) -> Vec<DocumentLine> {
        (1..=1 + self.rng.below(max))
            .map(|position| {
                let (number, name, _, price) = *self.rng.pick(PRODUCTS);
                let quantity = Decimal::from(1 + self.rng.below(40));
                let unit_price = dec(price);
                DocumentLine {
                    position: position as u32,
                    product: ProductNumber::new(number).ok(),
                    description: name.to_owned(),
                    quantity,
                    unit: "PCE".into(),
                    unit_price,
                    net_amount: (quantity * unit_price).round_dp(2),
                    vat_rate: dec(VAT),
                }
            })
            .collect()
    }
}

/// Sales regions of the demo, by the customer's number.
const REGIONS: [&str; 5] = ["Zürich", "Bern", "Ostschweiz", "Romandie", "Tessin"];

/// Revenue lines of the last 26 months besides the documents above: invoices the ERP syncs
/// as revenue only. Some customers buy most months, others now and then; a few lines are
/// credit notes. Drawn from the customer's own generator, so the rest of the demo stays as
/// it is.
fn revenue_history(data: &mut ErpData, c: &ErpCustomer, today: NaiveDate) -> crm_core::Result<()> {
    let mut rng = super::Rng::new(0x5EED_0000 ^ c.number.0 as u64);
    let appetite = [10, 30, 55, 85][rng.below(4)];
    let size = dec(["0.5", "1", "2", "6"][rng.below(4)]);
    let region = REGIONS[c.number.0.rem_euclid(REGIONS.len() as i64) as usize];
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    for back in 1..=26_u32 {
        let Some(first) = this_month.checked_sub_months(chrono::Months::new(back)) else {
            continue;
        };
        if !rng.chance(appetite) {
            continue;
        }
        let date = first + Duration::days(rng.below(28) as i64);
        let number = key(
            DocumentNumber::new,
            &format!("RH-{}-{}", date.format("%Y%m"), c.number),
        )?;
        let credit = rng.chance(4);
        for position in 1..=(1 + rng.below(4) as u32) {
            let (product, _, groups, list) = *rng.pick(PRODUCTS);
            // Few of the expensive items, many of the cheap ones.
            let most = if dec(list) > Decimal::ONE_HUNDRED {
                2
            } else {
                40
            };
            let mut quantity = Decimal::from(1 + rng.below(most) as i64) * size;
            // Christmas and spring sell more, summer less.
            let season = match date.month() {
                3 | 4 | 11 => dec("1.3"),
                7 | 8 => dec("0.7"),
                _ => Decimal::ONE,
            };
            quantity = (quantity * season).round_dp(0).max(Decimal::ONE);
            if credit {
                quantity = -quantity;
            }
            let net_amount = (dec(list) * quantity * dec("0.92")).round_dp(2);
            data.revenue.push(RevenueFact {
                document: number.clone(),
                position,
                date,
                customer: c.number,
                product: Some(key(ProductNumber::new, product)?),
                product_group: groups.first().and_then(|g| GroupCode::new(g).ok()),
                field_rep: c.field_rep,
                inside_rep: c.inside_rep,
                region: Some(region.to_owned()),
                quantity,
                net_amount,
                cost: Some((net_amount * dec("0.64")).round_dp(2)),
                currency: Currency::CHF,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_erp_data_is_valid_and_consistent() {
        let mut generator = Generator::new(7, 4, 3);
        let customers: Vec<ErpCustomer> = (0..50)
            .map(|i| ErpCustomer {
                number: AddressNumber(100_000 + i),
                field_rep: Some(UserId(101)),
                inside_rep: None,
            })
            .collect();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let batches = generator.erp_data(&customers, today).unwrap();
        for batch in &batches {
            batch.validate().unwrap();
        }
        let count = |stream| {
            batches
                .iter()
                .find(|b| b.stream() == stream)
                .map_or(0, SyncBatch::upsert_count)
        };
        use crm_core::erp::Stream;
        assert!(
            count(Stream::Documents) >= 100,
            "2 to 6 documents per customer"
        );
        assert!(count(Stream::OpenItems) > 0 && count(Stream::Payments) > 0);
        assert!(count(Stream::OrderLines) > 0 && count(Stream::Revenue) > 0);
        assert_eq!(count(Stream::ListPrices), PRODUCTS.len());
        let Some(SyncBatch::OpenItems { upserts, .. }) =
            batches.iter().find(|b| b.stream() == Stream::OpenItems)
        else {
            panic!("open items");
        };
        let Some(SyncBatch::Payments {
            upserts: payments, ..
        }) = batches.iter().find(|b| b.stream() == Stream::Payments)
        else {
            panic!("payments");
        };
        for item in upserts.iter().filter(|i| i.is_settled()) {
            let paid: Decimal = payments
                .iter()
                .filter(|p| p.invoice == item.invoice)
                .map(|p| p.amount)
                .sum();
            assert_eq!(
                paid, item.amount,
                "settled {} is paid in full",
                item.invoice
            );
        }
        assert!(upserts.iter().all(|i| i.invoice_date <= today));
    }
}
