//! An ERP held in memory: implements every ERP port over plain collections. For tests, for
//! examples, and as the reference the replica is checked against.

use std::collections::{BTreeMap, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::NaiveDate;
use crm_core::erp::{
    ConditionScope, ConditionTarget, DocumentHeader, DocumentNumber, DocumentQuery, GroupCode,
    ListPrice, ListPriceKey, OpenItem, OrderLine, Payment, PriceRequest, ProductNumber,
    RevenueFact, SalesDocument, SpecialCondition, SyncBatch,
};
use crm_core::{
    AddressNumber, Currency, Error, OrderLines, Page, PageRequest, Prices, Receivables, Result,
    RevenueFacts, SalesDocuments,
};

/// An ERP in memory. Data goes in as sync batches ([`InMemoryErp::apply`], with the
/// replica's semantics) and comes out through the ERP ports.
///
/// ```
/// use crm_core::erp::{GroupCode, SyncBatch};
/// use crm_core::{AddressNumber, Prices};
/// use crm_erp_adapter::InMemoryErp;
///
/// let erp = InMemoryErp::new();
/// erp.apply(&SyncBatch::CustomerGroups {
///     upserts: vec![(AddressNumber(100_042), vec![GroupCode::new("RESELLER")?])],
/// })?;
/// assert_eq!(erp.customer_groups(AddressNumber(100_042))?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct InMemoryErp {
    data: RwLock<Data>,
}

#[derive(Debug, Default)]
struct Data {
    documents: BTreeMap<DocumentNumber, SalesDocument>,
    order_lines: BTreeMap<(DocumentNumber, u32), OrderLine>,
    items: BTreeMap<DocumentNumber, OpenItem>,
    payments: BTreeMap<String, Payment>,
    list_prices: Vec<ListPrice>,
    conditions: BTreeMap<String, SpecialCondition>,
    customer_groups: HashMap<AddressNumber, Vec<GroupCode>>,
    product_groups: HashMap<ProductNumber, Vec<GroupCode>>,
    revenue: BTreeMap<(DocumentNumber, u32), RevenueFact>,
}

impl InMemoryErp {
    /// An empty ERP.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, Data>> {
        self.data
            .read()
            .map_err(|_| Error::Storage("the in-memory ERP was poisoned by a panic".into()))
    }

    fn write(&self) -> Result<RwLockWriteGuard<'_, Data>> {
        self.data
            .write()
            .map_err(|_| Error::Storage("the in-memory ERP was poisoned by a panic".into()))
    }
}

impl InMemoryErp {
    /// Applies a sync batch as the replica would: upserts replace by key, deletions remove,
    /// group lists are replaced as a whole.
    ///
    /// # Errors
    /// Only when an earlier writer panicked.
    pub fn apply(&self, batch: &SyncBatch) -> Result<()> {
        let mut data = self.write()?;
        match batch {
            SyncBatch::Documents { upserts, deletions } => {
                for d in upserts {
                    data.documents.insert(d.number.clone(), d.clone());
                }
                for n in deletions {
                    data.documents.remove(n);
                }
            }
            SyncBatch::OrderLines { upserts, deletions } => {
                for l in upserts {
                    data.order_lines
                        .insert((l.order.clone(), l.position), l.clone());
                }
                for k in deletions {
                    data.order_lines.remove(k);
                }
            }
            SyncBatch::OpenItems { upserts, deletions } => {
                for i in upserts {
                    data.items.insert(i.invoice.clone(), i.clone());
                }
                for n in deletions {
                    data.items.remove(n);
                }
            }
            SyncBatch::Payments { upserts, deletions } => {
                for p in upserts {
                    data.payments.insert(p.id.clone(), p.clone());
                }
                for id in deletions {
                    data.payments.remove(id);
                }
            }
            SyncBatch::ListPrices { upserts, deletions } => {
                let same = |p: &ListPrice, k: &ListPriceKey| {
                    (&p.product, p.currency, p.valid_from) == (&k.product, k.currency, k.valid_from)
                };
                for p in upserts {
                    let key = ListPriceKey {
                        product: p.product.clone(),
                        currency: p.currency,
                        valid_from: p.valid_from,
                    };
                    data.list_prices.retain(|q| !same(q, &key));
                    data.list_prices.push(p.clone());
                }
                for k in deletions {
                    data.list_prices.retain(|q| !same(q, k));
                }
            }
            SyncBatch::Conditions { upserts, deletions } => {
                for c in upserts {
                    data.conditions.insert(c.id.clone(), c.clone());
                }
                for id in deletions {
                    data.conditions.remove(id);
                }
            }
            SyncBatch::CustomerGroups { upserts } => {
                for (customer, groups) in upserts {
                    data.customer_groups.insert(*customer, groups.clone());
                }
            }
            SyncBatch::ProductGroups { upserts } => {
                for (product, groups) in upserts {
                    data.product_groups.insert(product.clone(), groups.clone());
                }
            }
            SyncBatch::Revenue { upserts, deletions } => {
                for f in upserts {
                    data.revenue
                        .insert((f.document.clone(), f.position), f.clone());
                }
                for k in deletions {
                    data.revenue.remove(k);
                }
            }
        }
        Ok(())
    }
}

impl SalesDocuments for InMemoryErp {
    fn documents_of(
        &self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> Result<Page<DocumentHeader>> {
        let mut headers: Vec<DocumentHeader> = self
            .read()?
            .documents
            .values()
            .filter(|d| d.customer == customer)
            .map(SalesDocument::header)
            .filter(|h| query.admits(h))
            .collect();
        headers.sort_by(|a, b| (b.date, &b.number).cmp(&(a.date, &a.number)));
        Ok(Page::of(headers, page))
    }

    fn document(&self, number: &DocumentNumber) -> Result<Option<SalesDocument>> {
        Ok(self.read()?.documents.get(number).cloned())
    }
}

impl OrderLines for InMemoryErp {
    fn order_lines_of(
        &self,
        customer: AddressNumber,
        all: bool,
        page: PageRequest,
    ) -> Result<Page<OrderLine>> {
        let mut lines: Vec<OrderLine> = self
            .read()?
            .order_lines
            .values()
            .filter(|l| l.customer == customer && (all || !l.open_quantity().is_zero()))
            .cloned()
            .collect();
        lines.sort_by(|a, b| {
            let key = |l: &OrderLine| (l.promised_date().is_none(), l.promised_date());
            key(a)
                .cmp(&key(b))
                .then_with(|| (&a.order, a.position).cmp(&(&b.order, b.position)))
        });
        Ok(Page::of(lines, page))
    }
}

impl Receivables for InMemoryErp {
    fn open_items_of(&self, customer: AddressNumber) -> Result<Vec<OpenItem>> {
        let mut items: Vec<OpenItem> = self
            .read()?
            .items
            .values()
            .filter(|i| i.customer == customer)
            .cloned()
            .collect();
        items.sort_by(|a, b| (a.due_date, &a.invoice).cmp(&(b.due_date, &b.invoice)));
        Ok(items)
    }

    fn payments_of(&self, customer: AddressNumber) -> Result<Vec<Payment>> {
        let mut payments: Vec<Payment> = self
            .read()?
            .payments
            .values()
            .filter(|p| p.customer == customer)
            .cloned()
            .collect();
        payments.sort_by(|a, b| (a.date, &a.invoice).cmp(&(b.date, &b.invoice)));
        Ok(payments)
    }
}

fn valid_on(from: Option<NaiveDate>, to: Option<NaiveDate>, date: NaiveDate) -> bool {
    from.is_none_or(|f| f <= date) && to.is_none_or(|t| date <= t)
}

impl Prices for InMemoryErp {
    fn list_prices(
        &self,
        product: &ProductNumber,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<Vec<ListPrice>> {
        Ok(self
            .read()?
            .list_prices
            .iter()
            .filter(|p| &p.product == product && p.currency == currency)
            .filter(|p| valid_on(p.valid_from, p.valid_to, date))
            .cloned()
            .collect())
    }

    fn conditions_for(&self, request: &PriceRequest) -> Result<Vec<SpecialCondition>> {
        Ok(self
            .read()?
            .conditions
            .values()
            .filter(|c| match &c.scope {
                ConditionScope::Customer(n) => *n == request.customer,
                ConditionScope::CustomerGroup(g) => request.customer_groups.contains(g),
            })
            .filter(|c| match &c.target {
                ConditionTarget::Product(p) => *p == request.product,
                ConditionTarget::ProductGroup(g) => request.product_groups.contains(g),
                ConditionTarget::All => true,
            })
            .cloned()
            .collect())
    }

    fn conditions_of(
        &self,
        customer: AddressNumber,
        date: Option<NaiveDate>,
        page: PageRequest,
    ) -> Result<Page<SpecialCondition>> {
        let data = self.read()?;
        let groups = data.customer_groups.get(&customer);
        let conditions: Vec<SpecialCondition> = data
            .conditions
            .values()
            .filter(|c| match &c.scope {
                ConditionScope::Customer(n) => *n == customer,
                ConditionScope::CustomerGroup(g) => groups.is_some_and(|gs| gs.contains(g)),
            })
            .filter(|c| date.is_none_or(|d| valid_on(c.valid_from, c.valid_to, d)))
            .cloned()
            .collect();
        Ok(Page::of(conditions, page))
    }

    fn customer_groups(&self, customer: AddressNumber) -> Result<Vec<GroupCode>> {
        Ok(self
            .read()?
            .customer_groups
            .get(&customer)
            .cloned()
            .unwrap_or_default())
    }

    fn product_groups(&self, product: &ProductNumber) -> Result<Vec<GroupCode>> {
        Ok(self
            .read()?
            .product_groups
            .get(product)
            .cloned()
            .unwrap_or_default())
    }
}

impl RevenueFacts for InMemoryErp {
    fn revenue_facts(
        &self,
        customer: Option<AddressNumber>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RevenueFact>> {
        let mut facts: Vec<RevenueFact> = self
            .read()?
            .revenue
            .values()
            .filter(|f| customer.is_none_or(|c| f.customer == c))
            .filter(|f| from <= f.date && f.date <= to)
            .cloned()
            .collect();
        facts.sort_by(|a, b| {
            (a.date, &a.document, a.position).cmp(&(b.date, &b.document, b.position))
        });
        Ok(facts)
    }
}
