//! The replica: the host pushes its ERP data into the CRM's own tables through the sync API,
//! and the replica serves the ERP ports from them. This is the default ERP of the CRM.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock, Weak};

use chrono::NaiveDate;
use crm_core::erp::changes;
use crm_core::erp::{
    DocumentHeader, DocumentNumber, DocumentQuery, GroupCode, ListPrice, OpenItem, OrderLine,
    Payment, PriceRequest, PricingInputs, ProductNumber, RevenueFact, SalesDocument,
    SpecialCondition, Stream, SyncBatch, SyncReport,
};
use crm_core::error::Validator;
use crm_core::revenue::{
    CubeRow, MonthRange, MonthTotal, RepSummary, RevenueScope, YearMonth, cube, cube_differences,
    cube_keys, differences, summarize,
};
use crm_core::{
    AddressNumber, Clock, Currency, Decimal, ErpEventSink, OrderLines, Page, PageRequest, Prices,
    Receivables, Result, RevenueFacts, SalesDocuments, Store, Tx, UserId,
};
use serde::{Deserialize, Serialize};

/// What to do with records of customers the CRM has no address for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownCustomers {
    /// Refuse the whole batch, naming every such record.
    #[default]
    Reject,
    /// Store the rest and report the skipped records.
    Skip,
}

/// What to do with records naming products the CRM does not know (no list price or product
/// group in the replica, not in the product catalog).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownProducts {
    /// Store them and list the numbers in [`SyncOutcome::unknown_products`]: for hosts that
    /// send their price list later, or not at all.
    #[default]
    Accept,
    /// Refuse the whole batch, naming every such record.
    Reject,
    /// Store the rest and report the skipped records (a document with one unknown line is
    /// skipped whole, so that its totals stay true).
    Skip,
}

/// A record left out of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Its index among the batch's upserts.
    pub index: usize,
    /// Why.
    pub reason: String,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncOutcome {
    /// The stream.
    pub stream: Stream,
    /// Received, written, unchanged, deleted.
    pub report: SyncReport,
    /// Records left out (unknown customers or products, when skipping them).
    pub skipped: Vec<Skipped>,
    /// Product numbers of stored records that the replica does not know, sorted.
    pub unknown_products: Vec<ProductNumber>,
}

/// The ERP replica over a store.
///
/// ```no_run
/// # use crm_core::{Store, Result};
/// # use crm_core::erp::SyncBatch;
/// # use crm_erp_adapter::Replica;
/// # fn demo<S: Store>(replica: &Replica<S>, batch: SyncBatch) -> Result<()> {
/// let outcome = replica.sync(batch, Some("change-4711"))?;
/// println!("{} written, {} unchanged", outcome.report.written, outcome.report.unchanged);
/// # Ok(()) }
/// ```
pub struct Replica<S> {
    store: S,
    clock: Arc<dyn Clock>,
    unknown: UnknownCustomers,
    unknown_products: UnknownProducts,
    events: OnceLock<Weak<dyn ErpEventSink>>,
}

impl<S: Store> Replica<S> {
    /// The replica in `store`; `unknown` decides about records of unknown customers.
    pub fn new(store: S, clock: Arc<dyn Clock>, unknown: UnknownCustomers) -> Self {
        Replica {
            store,
            clock,
            unknown,
            unknown_products: UnknownProducts::default(),
            events: OnceLock::new(),
        }
    }

    /// The replica deciding about records of unknown products by `policy`.
    #[must_use]
    pub fn with_unknown_products(mut self, policy: UnknownProducts) -> Self {
        self.unknown_products = policy;
        self
    }

    /// Hands the events of every later sync (documents in a new status, overdue invoices,
    /// moved delivery dates) to `sink`, in the sync's transaction, for as long as the caller
    /// keeps `sink` (the replica holds it weakly: the sink usually owns the replica). Set
    /// once; a second call is ignored and answers `false`.
    pub fn record_events_with(&self, sink: &Arc<dyn ErpEventSink>) -> bool {
        self.events.set(Arc::downgrade(sink)).is_ok()
    }

    /// Applies one batch in one transaction, with the host's `cursor` of its stream.
    /// Nothing of a refused batch is stored.
    ///
    /// # Errors
    /// [`Error::Invalid`](crm_core::Error::Invalid) naming every bad field as
    /// `upserts[i].…` — including `upserts[i].customer` for customers without an address
    /// when they are rejected; storage failures.
    pub fn sync(&self, batch: SyncBatch, cursor: Option<&str>) -> Result<SyncOutcome> {
        let mut outcomes = self.sync_all(vec![batch], cursor)?;
        outcomes
            .pop()
            .ok_or_else(|| crm_core::Error::Storage("a batch left no outcome".into()))
    }

    /// Applies several batches — one file's, say — in one transaction: all of them or, if
    /// any is refused, none. The cursor is stored for the stream of each batch.
    ///
    /// # Errors
    /// As [`Replica::sync`]; a field of the `n`-th batch is named `batches[n].upserts[i]…`
    /// when there are several.
    pub fn sync_all(
        &self,
        batches: Vec<SyncBatch>,
        cursor: Option<&str>,
    ) -> Result<Vec<SyncOutcome>> {
        let several = batches.len() > 1;
        let name = |n: usize, e: crm_core::Error| match e {
            crm_core::Error::Invalid(invalid) if several => {
                crm_core::Error::Invalid(invalid.prefixed(&format!("batches[{n}]")))
            }
            other => other,
        };
        for (n, batch) in batches.iter().enumerate() {
            batch.validate().map_err(|e| name(n, e))?;
        }
        self.store.write(|tx| {
            let mut outcomes = Vec::with_capacity(batches.len());
            for (n, batch) in batches.into_iter().enumerate() {
                let stream = batch.stream();
                let (batch, skipped, unknown_products) =
                    self.known_only(tx, batch).map_err(|e| name(n, e))?;
                let applied = tx.apply_batch(&batch)?;
                if let Some(sink) = self.events.get().and_then(Weak::upgrade) {
                    let today = self.clock.now().date_naive();
                    sink.record(tx, changes::events(&batch, &applied.replaced, today)?)?;
                }
                let mut report = applied.report;
                report.received += skipped.len();
                if let Some(cursor) = cursor {
                    tx.set_sync_cursor(stream, cursor, self.clock.now())?;
                }
                outcomes.push(SyncOutcome {
                    stream,
                    report,
                    skipped,
                    unknown_products,
                });
            }
            Ok(outcomes)
        })
    }

    /// The batch without the records the settings leave out, what was left out, and the
    /// unknown products accepted; or the refusal naming every unknown customer or product.
    fn known_only(
        &self,
        tx: &mut dyn Tx,
        batch: SyncBatch,
    ) -> Result<(SyncBatch, Vec<Skipped>, Vec<ProductNumber>)> {
        let customers = batch.customers();
        let numbers: Vec<AddressNumber> = customers.iter().map(|(_, n)| *n).collect();
        let known: HashSet<AddressNumber> = tx.known_customers(&numbers)?.into_iter().collect();
        let mut refused = Vec::new();
        let mut skipped = Vec::new();
        for (i, n) in customers.into_iter().filter(|(_, n)| !known.contains(n)) {
            let reason = format!("no address has the number {n}");
            match self.unknown {
                UnknownCustomers::Reject => {
                    refused.push((format!("upserts[{i}].customer"), reason))
                }
                UnknownCustomers::Skip => skipped.push(Skipped { index: i, reason }),
            }
        }
        let products = batch.products();
        let numbers: Vec<ProductNumber> = products.iter().map(|(_, _, p)| p.clone()).collect();
        let known: HashSet<ProductNumber> = tx.known_products(&numbers)?.into_iter().collect();
        let mut accepted = Vec::new();
        for (i, field, p) in products.into_iter().filter(|(_, _, p)| !known.contains(p)) {
            let reason = format!("the product {p} is neither in the catalog nor priced");
            match self.unknown_products {
                UnknownProducts::Accept => accepted.push(p),
                UnknownProducts::Reject => refused.push((format!("upserts[{i}].{field}"), reason)),
                UnknownProducts::Skip => skipped.push(Skipped { index: i, reason }),
            }
        }
        if !refused.is_empty() {
            let mut v = Validator::new();
            for (field, reason) in refused {
                v.reject(&field, reason);
            }
            return v.finish(|| None);
        }
        skipped.sort_by_key(|s| s.index);
        skipped.dedup_by_key(|s| s.index);
        let indexes: Vec<usize> = skipped.iter().map(|s| s.index).collect();
        let batch = if indexes.is_empty() {
            batch
        } else {
            batch.without(&indexes)
        };
        accepted.sort_unstable();
        accepted.dedup();
        Ok((batch, skipped, accepted))
    }

    /// The cursor stored with the last batch of `stream`, to resume from.
    ///
    /// # Errors
    /// Storage failures.
    pub fn cursor(&self, stream: Stream) -> Result<Option<String>> {
        self.store.read(|tx| tx.sync_cursor(stream))
    }
}

impl<S: Store> SalesDocuments for Replica<S> {
    fn documents_of(
        &self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> Result<Page<DocumentHeader>> {
        self.store
            .read(|tx| tx.replica_documents_of(customer, query, page))
    }

    fn document(&self, number: &DocumentNumber) -> Result<Option<SalesDocument>> {
        self.store.read(|tx| tx.replica_document(number))
    }
}

impl<S: Store> OrderLines for Replica<S> {
    fn order_lines_of(
        &self,
        customer: AddressNumber,
        all: bool,
        page: PageRequest,
    ) -> Result<Page<OrderLine>> {
        self.store
            .read(|tx| tx.replica_order_lines_of(customer, all, page))
    }
}

impl<S: Store> Receivables for Replica<S> {
    fn open_items_of(&self, customer: AddressNumber) -> Result<Vec<OpenItem>> {
        self.store.read(|tx| tx.replica_open_items_of(customer))
    }

    fn payments_of(&self, customer: AddressNumber) -> Result<Vec<Payment>> {
        self.store.read(|tx| tx.replica_payments_of(customer))
    }
}

impl<S: Store> Prices for Replica<S> {
    fn list_prices(
        &self,
        product: &ProductNumber,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<Vec<ListPrice>> {
        self.store
            .read(|tx| tx.replica_list_prices(product, currency, date))
    }

    fn conditions_for(&self, request: &PriceRequest) -> Result<Vec<SpecialCondition>> {
        self.store.read(|tx| tx.replica_conditions_for(request))
    }

    fn conditions_of(
        &self,
        customer: AddressNumber,
        date: Option<NaiveDate>,
        page: PageRequest,
    ) -> Result<Page<SpecialCondition>> {
        self.store
            .read(|tx| tx.replica_conditions_of(customer, date, page))
    }

    fn customer_groups(&self, customer: AddressNumber) -> Result<Vec<GroupCode>> {
        self.store.read(|tx| tx.replica_customer_groups(customer))
    }

    fn product_groups(&self, product: &ProductNumber) -> Result<Vec<GroupCode>> {
        self.store.read(|tx| tx.replica_product_groups(product))
    }

    fn pricing_inputs(
        &self,
        customer: AddressNumber,
        product: ProductNumber,
        quantity: Decimal,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<PricingInputs> {
        self.store.read(|tx| {
            let request = PriceRequest {
                customer,
                customer_groups: tx.replica_customer_groups(customer)?,
                product_groups: tx.replica_product_groups(&product)?,
                product,
                quantity,
                date,
                currency,
            };
            Ok(PricingInputs {
                list_prices: tx.replica_list_prices(&request.product, currency, date)?,
                conditions: tx.replica_conditions_for(&request)?,
                request,
            })
        })
    }
}

impl<S: Store> RevenueFacts for Replica<S> {
    fn revenue_facts(
        &self,
        customer: Option<AddressNumber>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RevenueFact>> {
        self.store
            .read(|tx| tx.replica_revenue_facts(customer, from, to))
    }

    fn revenue_months(&self, scope: RevenueScope, months: MonthRange) -> Result<Vec<MonthTotal>> {
        self.store
            .read(|tx| tx.replica_revenue_months(scope, months))
    }

    fn customer_revenue(
        &self,
        customer: AddressNumber,
        months: MonthRange,
        days: [(NaiveDate, NaiveDate); 2],
    ) -> Result<(Vec<MonthTotal>, Vec<RevenueFact>, Vec<RevenueFact>)> {
        self.store
            .read(|tx| tx.replica_customer_revenue(customer, months, days))
    }

    fn rep_summary(
        &self,
        user: UserId,
        period: MonthRange,
        previous: MonthRange,
        currency: Currency,
        top: usize,
    ) -> Result<RepSummary> {
        self.store
            .read(|tx| tx.replica_rep_summary(user, period, previous, currency, top))
    }
}

/// Every month there is (not a period anyone asks for, so not one `MonthRange::new` admits).
fn every_month() -> Result<MonthRange> {
    Ok(MonthRange {
        from: YearMonth::new(1, 1).map_err(|e| e.at("month"))?,
        to: YearMonth::new(9999, 12).map_err(|e| e.at("month"))?,
    })
}

/// Customers checked per transaction by [`Replica::check_revenue_summary`].
const CHECK_CHUNK: usize = 500;

/// What the consistency check of the monthly revenue summary found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryCheck {
    /// Customers with revenue facts that were checked.
    pub customers_checked: usize,
    /// Summary rows that differed from the facts (missing, left over or other sums).
    pub rows_differing: usize,
    /// The customers they belong to, ascending (the first hundred).
    pub customers_differing: Vec<AddressNumber>,
    /// Users whose rep cube was checked against the summary.
    pub reps_checked: usize,
    /// Rep cube rows that differed from the summary.
    pub cube_rows_differing: usize,
    /// Whether those rows were recomputed from the facts.
    pub repaired: bool,
}

impl<S: Store> Replica<S> {
    /// Recomputes the monthly revenue summary from the facts, customer by customer, and
    /// compares; with `repair`, replaces what differs. The figures read the summary, never
    /// the facts, so this is the check that they can be trusted. Every few hundred customers
    /// are one transaction: a sync running meanwhile is never half seen.
    ///
    /// # Errors
    /// Storage failures; a stored fact that no longer reads.
    pub fn check_revenue_summary(&self, repair: bool) -> Result<SummaryCheck> {
        self.walk_revenue_summary(repair)
    }

    /// Computes the monthly revenue summary from the facts when it is missing — a database
    /// written before the summary existed —, and says whether it had to.
    ///
    /// # Errors
    /// As [`Replica::check_revenue_summary`].
    pub fn ensure_revenue_summary(&self) -> Result<bool> {
        let missing = self.store.read(|tx| {
            // The first customers with revenue tell: their summary rows must be there, and
            // a month of a rep of theirs in the rep cube (which came after the summary).
            // Their summary rows only: the facts are not read at start-up.
            let all = every_month()?;
            let mut with_rep = None;
            for customer in tx.revenue_customers(None, 50)? {
                let rows = tx.replica_revenue_months(RevenueScope::Customer(customer), all)?;
                if rows.is_empty() {
                    return Ok(true);
                }
                with_rep = rows.into_iter().find(|r| !cube_keys(&r.key).is_empty());
                if with_rep.is_some() {
                    break;
                }
            }
            let Some(row) = with_rep else {
                return Ok(false);
            };
            let Some(rep) = row.key.field_rep.or(row.key.inside_rep) else {
                return Ok(false);
            };
            let month = MonthRange {
                from: row.key.month,
                to: row.key.month,
            };
            let summary = tx.replica_rep_summary(rep, month, month, row.key.currency, 1)?;
            Ok(summary.rows.is_empty())
        })?;
        if missing {
            self.walk_revenue_summary(true)?;
        }
        Ok(missing)
    }

    fn walk_revenue_summary(&self, repair: bool) -> Result<SummaryCheck> {
        let mut check = SummaryCheck {
            repaired: repair,
            ..SummaryCheck::default()
        };
        let mut after = None;
        loop {
            let found = self.store.write(|tx| {
                let customers = tx.revenue_customers(after, CHECK_CHUNK)?;
                let (facts, stored) = tx.revenue_of_customers(&customers)?;
                let expected = summarize(&facts);
                let differing = differences(&expected, &stored);
                if repair && !differing.is_empty() {
                    tx.replace_revenue_months(&customers, &expected)?;
                }
                Ok((customers, differing))
            })?;
            let (customers, differing) = found;
            check.customers_checked += customers.len();
            check.rows_differing += differing.len();
            for key in differing {
                if check.customers_differing.len() < 100
                    && check.customers_differing.last() != Some(&key.customer)
                {
                    check.customers_differing.push(key.customer);
                }
            }
            match customers.last() {
                Some(last) if customers.len() == CHECK_CHUNK => after = Some(*last),
                _ => break,
            }
        }
        // The rep cube is the summary summed up per rep: checked against it, rep by rep.
        let reps = self.store.read(|tx| tx.revenue_reps())?;
        let all = every_month()?;
        for user in reps {
            let differing = self.store.write(|tx| {
                let rows = tx.replica_revenue_months(RevenueScope::Rep(user), all)?;
                let expected: Vec<CubeRow> = cube(&rows)
                    .into_iter()
                    .filter(|r| r.key.rep == user)
                    .collect();
                let stored = tx.rep_cube(user)?;
                let differing = cube_differences(&expected, &stored);
                if repair && differing > 0 {
                    tx.replace_rep_cube(user, &expected)?;
                }
                Ok(differing)
            })?;
            check.reps_checked += 1;
            check.cube_rows_differing += differing;
        }
        Ok(check)
    }
}
