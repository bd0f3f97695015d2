//! The ERP's ports: what the CRM reads from the ERP, one trait per concern.
//!
//! The ERP is the source of truth. A host implements these traits over its own data (see
//! `examples/erp_host.rs` of the workspace), or pushes its data into the CRM's replica, which
//! implements them over the CRM's own tables. Every call stands alone: an implementation
//! answers from its current state.
//!
//! Methods fail with [`Error::Storage`](crate::Error::Storage) or
//! [`Error::Busy`](crate::Error::Busy) when the ERP or the replica cannot answer; they return
//! empty lists, not errors, for a customer or product the ERP does not know.

use chrono::{DateTime, NaiveDate, Utc};

use crate::erp::sync::{Applied, Stream, SyncBatch};
use crate::erp::{ActiveDocument, DraftQuote};
use crate::erp::{
    DocumentHeader, DocumentNumber, DocumentQuery, GroupCode, ListPrice, OpenItem, OrderLine,
    Payment, PriceRequest, PricingInputs, ProductNumber, RevenueFact, SalesDocument,
    SpecialCondition,
};
use crate::error::Result;
use crate::ids::{AddressNumber, DraftId, UserId, Version};
use crate::revenue::{
    CubeRow, MonthRange, MonthTotal, RepSummary, RevenueScope, cube, rep_summary, summarize,
};
use crate::search::{Page, PageRequest};
use crate::values::Currency;
use rust_decimal::Decimal;

/// Quotes, orders, delivery notes, invoices and credit notes.
pub trait SalesDocuments: Send + Sync {
    /// A customer's documents that `query` admits, newest first (by date, then number).
    ///
    /// # Errors
    /// As the module says.
    fn documents_of(
        &self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> Result<Page<DocumentHeader>>;

    /// One document with its lines.
    ///
    /// # Errors
    /// As the module says.
    fn document(&self, number: &DocumentNumber) -> Result<Option<SalesDocument>>;
}

/// The order lines behind a customer's disposition.
pub trait OrderLines: Send + Sync {
    /// A customer's order lines — those with something open only, unless `all` — by
    /// promised date (lines without one last), then order and position.
    ///
    /// # Errors
    /// As the module says.
    fn order_lines_of(
        &self,
        customer: AddressNumber,
        all: bool,
        page: PageRequest,
    ) -> Result<Page<OrderLine>>;
}

/// Open items and payments.
pub trait Receivables: Send + Sync {
    /// A customer's items: the open ones and the settled ones the ERP still reports, by due
    /// date.
    ///
    /// # Errors
    /// As the module says.
    fn open_items_of(&self, customer: AddressNumber) -> Result<Vec<OpenItem>>;

    /// The payments on a customer's items, by date.
    ///
    /// # Errors
    /// As the module says.
    fn payments_of(&self, customer: AddressNumber) -> Result<Vec<Payment>>;
}

/// List prices, special conditions, and the groups they refer to.
pub trait Prices: Send + Sync {
    /// The list prices of `product` in `currency` valid on `date` (usually one).
    ///
    /// # Errors
    /// As the module says.
    fn list_prices(
        &self,
        product: &ProductNumber,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<Vec<ListPrice>>;

    /// The special conditions that could price `request`: those for its customer or one of
    /// its customer groups, on its product, one of its product groups, or everything —
    /// whatever their validity and currency, so that the explanation can name them.
    ///
    /// # Errors
    /// As the module says.
    fn conditions_for(&self, request: &PriceRequest) -> Result<Vec<SpecialCondition>>;

    /// The special conditions of a customer (his own and his groups'), for viewing: valid
    /// on `date` unless `date` is `None`, by id.
    ///
    /// # Errors
    /// As the module says.
    fn conditions_of(
        &self,
        customer: AddressNumber,
        date: Option<NaiveDate>,
        page: PageRequest,
    ) -> Result<Page<SpecialCondition>>;

    /// The customer groups `customer` is in.
    ///
    /// # Errors
    /// As the module says.
    fn customer_groups(&self, customer: AddressNumber) -> Result<Vec<GroupCode>>;

    /// The product groups of `product`, its own group first, then the parent groups up to
    /// the root.
    ///
    /// # Errors
    /// As the module says.
    fn product_groups(&self, product: &ProductNumber) -> Result<Vec<GroupCode>>;

    /// Everything pricing `quantity` of `product` for `customer` needs, in one call: the
    /// groups, the list prices and the candidate conditions. Implementations that can read
    /// them together (the replica, in one transaction) override it.
    ///
    /// # Errors
    /// As the module says.
    fn pricing_inputs(
        &self,
        customer: AddressNumber,
        product: ProductNumber,
        quantity: Decimal,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<PricingInputs> {
        let request = PriceRequest {
            customer,
            customer_groups: self.customer_groups(customer)?,
            product_groups: self.product_groups(&product)?,
            product,
            quantity,
            date,
            currency,
        };
        Ok(PricingInputs {
            list_prices: self.list_prices(&request.product, currency, date)?,
            conditions: self.conditions_for(&request)?,
            request,
        })
    }
}

/// Invoiced lines, for revenue figures.
pub trait RevenueFacts: Send + Sync {
    /// The facts dated from `from` to `to` (inclusive), of one customer or of all.
    ///
    /// # Errors
    /// As the module says.
    fn revenue_facts(
        &self,
        customer: Option<AddressNumber>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RevenueFact>>;

    /// The monthly summary rows of `scope` over `months`, in no particular order. The
    /// default sums up [`RevenueFacts::revenue_facts`] (all customers' for a rep); an ERP
    /// that keeps a summary of its own — the replica does — answers from it instead.
    ///
    /// # Errors
    /// As the module says.
    fn revenue_months(&self, scope: RevenueScope, months: MonthRange) -> Result<Vec<MonthTotal>> {
        let facts = self.revenue_facts(
            scope.customer(),
            months.from.first_day(),
            months.to.last_day(),
        )?;
        Ok(summarize(facts.iter().filter(|f| scope.admits(f))))
    }

    /// What a customer's figures are made of, read together: his summary rows over
    /// `months`, and his facts of each of the two day ranges `days` (the month under way
    /// and the same days a year earlier). The default asks the three questions one after
    /// the other; the replica answers them in one transaction.
    ///
    /// # Errors
    /// As the module says.
    fn customer_revenue(
        &self,
        customer: AddressNumber,
        months: MonthRange,
        days: [(NaiveDate, NaiveDate); 2],
    ) -> Result<(Vec<MonthTotal>, Vec<RevenueFact>, Vec<RevenueFact>)> {
        Ok((
            self.revenue_months(RevenueScope::Customer(customer), months)?,
            self.revenue_facts(Some(customer), days[0].0, days[0].1)?,
            self.revenue_facts(Some(customer), days[1].0, days[1].1)?,
        ))
    }

    /// What `user`'s figures are made of: the totals, product groups and regions of his rep
    /// cube from `previous.from` to `period.to`, and his `top` customers of `period` in
    /// `currency` with their sums in `previous`. The default sums up
    /// [`RevenueFacts::revenue_months`]; the replica answers from its rep cube.
    ///
    /// # Errors
    /// As the module says.
    fn rep_summary(
        &self,
        user: UserId,
        period: MonthRange,
        previous: MonthRange,
        currency: Currency,
        top: usize,
    ) -> Result<RepSummary> {
        // Both periods together may span twice what one may.
        let span = MonthRange {
            from: previous.from.min(period.from),
            to: period.to.max(previous.to),
        };
        let totals = self.revenue_months(RevenueScope::Rep(user), span)?;
        Ok(rep_summary(
            &cube(&totals),
            user,
            period,
            previous,
            currency,
            top,
        ))
    }
}

/// Everything the CRM reads from the ERP.
pub trait Erp: SalesDocuments + OrderLines + Receivables + Prices + RevenueFacts {}

impl<T> Erp for T where T: SalesDocuments + OrderLines + Receivables + Prices + RevenueFacts {}

/// The replica of the ERP's data in the CRM's own store: the sync API writes it, the replica
/// ERP reads it. Runs inside the store's transactions like every repository.
pub trait ReplicaRepository {
    /// Stores the batch's records (only those new or different from what is stored) and
    /// deletes its keys. Records with the same key in one batch: the last one counts. For
    /// documents, order lines and open items it returns what each written record replaced.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming `upserts[i]` for an amount storage
    /// cannot hold; storage failures.
    fn apply_batch(&mut self, batch: &SyncBatch) -> Result<Applied>;

    /// The cursor stored with the last batch of `stream`.
    ///
    /// # Errors
    /// Storage failures only.
    fn sync_cursor(&mut self, stream: Stream) -> Result<Option<String>>;

    /// Stores the cursor of `stream`.
    ///
    /// # Errors
    /// Storage failures only.
    fn set_sync_cursor(&mut self, stream: Stream, cursor: &str, at: DateTime<Utc>) -> Result<()>;

    /// Which of `numbers` belong to addresses of the CRM.
    ///
    /// # Errors
    /// Storage failures only.
    fn known_customers(&mut self, numbers: &[AddressNumber]) -> Result<Vec<AddressNumber>>;

    /// Which of `numbers` the CRM knows as products: those with a list price or a product
    /// group in the replica, or in the product catalog.
    ///
    /// # Errors
    /// Storage failures only.
    fn known_products(&mut self, numbers: &[ProductNumber]) -> Result<Vec<ProductNumber>>;

    /// As [`SalesDocuments::documents_of`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_documents_of(
        &mut self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> Result<Page<DocumentHeader>>;

    /// As [`SalesDocuments::document`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_document(&mut self, number: &DocumentNumber) -> Result<Option<SalesDocument>>;

    /// As [`OrderLines::order_lines_of`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_order_lines_of(
        &mut self,
        customer: AddressNumber,
        all: bool,
        page: PageRequest,
    ) -> Result<Page<OrderLine>>;

    /// As [`Receivables::open_items_of`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_open_items_of(&mut self, customer: AddressNumber) -> Result<Vec<OpenItem>>;

    /// As [`Receivables::payments_of`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_payments_of(&mut self, customer: AddressNumber) -> Result<Vec<Payment>>;

    /// As [`Prices::list_prices`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_list_prices(
        &mut self,
        product: &ProductNumber,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<Vec<ListPrice>>;

    /// As [`Prices::conditions_for`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_conditions_for(&mut self, request: &PriceRequest) -> Result<Vec<SpecialCondition>>;

    /// As [`Prices::conditions_of`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_conditions_of(
        &mut self,
        customer: AddressNumber,
        date: Option<NaiveDate>,
        page: PageRequest,
    ) -> Result<Page<SpecialCondition>>;

    /// As [`Prices::customer_groups`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_customer_groups(&mut self, customer: AddressNumber) -> Result<Vec<GroupCode>>;

    /// As [`Prices::product_groups`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_product_groups(&mut self, product: &ProductNumber) -> Result<Vec<GroupCode>>;

    /// `customer`'s facts of each of the two day ranges `days` (inclusive), read with one
    /// statement.
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_revenue_facts_of_days(
        &mut self,
        customer: AddressNumber,
        days: [(NaiveDate, NaiveDate); 2],
    ) -> Result<[Vec<RevenueFact>; 2]>;

    /// As [`RevenueFacts::customer_revenue`]: `customer`'s summary rows over `months` and
    /// his facts of the two day ranges `days`, in two statements.
    ///
    /// # Errors
    /// Storage failures only.
    #[allow(clippy::type_complexity)]
    fn replica_customer_revenue(
        &mut self,
        customer: AddressNumber,
        months: MonthRange,
        days: [(NaiveDate, NaiveDate); 2],
    ) -> Result<(Vec<MonthTotal>, Vec<RevenueFact>, Vec<RevenueFact>)> {
        let months = self.replica_revenue_months(RevenueScope::Customer(customer), months)?;
        let [current, previous] = self.replica_revenue_facts_of_days(customer, days)?;
        Ok((months, current, previous))
    }

    /// As [`RevenueFacts::revenue_facts`].
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_revenue_facts(
        &mut self,
        customer: Option<AddressNumber>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RevenueFact>>;

    /// As [`RevenueFacts::revenue_months`], from the monthly summary that
    /// [`ReplicaRepository::apply_batch`] keeps with the facts.
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_revenue_months(
        &mut self,
        scope: RevenueScope,
        months: MonthRange,
    ) -> Result<Vec<MonthTotal>>;

    /// As [`RevenueFacts::rep_summary`], from the rep cube that
    /// [`ReplicaRepository::apply_batch`] keeps with the monthly summary.
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_rep_summary(
        &mut self,
        user: UserId,
        period: MonthRange,
        previous: MonthRange,
        currency: Currency,
        top: usize,
    ) -> Result<RepSummary>;

    /// The monthly totals (`CubeDim::Total`, every role and currency) of `user`'s rep cube
    /// over `months`, in no particular order — what his year to date is made of.
    ///
    /// # Errors
    /// Storage failures only.
    fn replica_rep_totals(&mut self, user: UserId, months: MonthRange) -> Result<Vec<CubeRow>>;

    /// Every user with rows in the monthly summary or in the rep cube, ascending.
    ///
    /// # Errors
    /// Storage failures only.
    fn revenue_reps(&mut self) -> Result<Vec<UserId>>;

    /// Every row of `user`'s rep cube.
    ///
    /// # Errors
    /// Storage failures only.
    fn rep_cube(&mut self, user: UserId) -> Result<Vec<CubeRow>>;

    /// Replaces `user`'s rep cube by `rows`.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) for sums storage cannot hold; storage
    /// failures.
    fn replace_rep_cube(&mut self, user: UserId, rows: &[CubeRow]) -> Result<()>;

    /// Customers with revenue facts or monthly summary rows, ascending, after `after` — at
    /// most `limit`; what the consistency check of the monthly summary walks through.
    ///
    /// # Errors
    /// Storage failures only.
    fn revenue_customers(
        &mut self,
        after: Option<AddressNumber>,
        limit: usize,
    ) -> Result<Vec<AddressNumber>>;

    /// Every revenue fact of these customers, and every monthly summary row of them.
    ///
    /// # Errors
    /// Storage failures only.
    fn revenue_of_customers(
        &mut self,
        customers: &[AddressNumber],
    ) -> Result<(Vec<RevenueFact>, Vec<MonthTotal>)>;

    /// Replaces the monthly summary rows of these customers by `rows`.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) for sums storage cannot hold; storage
    /// failures.
    fn replace_revenue_months(
        &mut self,
        customers: &[AddressNumber],
        rows: &[MonthTotal],
    ) -> Result<()>;
}

/// Quotes written in the CRM, the outbox they leave by, and each user's active sales
/// document. Runs inside the store's transactions like every repository.
pub trait DraftRepository {
    /// Stores a new draft under its id.
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) when the id is taken.
    fn insert_draft(&mut self, draft: &DraftQuote) -> Result<()>;

    /// The draft with `id`.
    ///
    /// # Errors
    /// Storage failures only.
    fn draft(&mut self, id: DraftId) -> Result<Option<DraftQuote>>;

    /// Replaces the draft when its stored version is `expected` (the new one carries the next
    /// version). `Ok(false)` when the version moved on.
    ///
    /// # Errors
    /// Storage failures only.
    fn update_draft(&mut self, draft: &DraftQuote, expected: Version) -> Result<bool>;

    /// Submitted drafts not yet acknowledged, oldest first, at most `limit`.
    ///
    /// # Errors
    /// Storage failures only.
    fn outbox(&mut self, limit: u32) -> Result<Vec<DraftQuote>>;

    /// The user's active sales document.
    ///
    /// # Errors
    /// Storage failures only.
    fn active_document(&mut self, user: UserId) -> Result<Option<ActiveDocument>>;

    /// Makes `document` the user's active sales document.
    ///
    /// # Errors
    /// Storage failures only.
    fn set_active_document(&mut self, user: UserId, document: &ActiveDocument) -> Result<()>;
}

/// Where the replica hands the events of a sync (documents in a new status, overdue
/// invoices, moved delivery dates) to be traced, inside the sync's transaction. The CRM's
/// services implement it.
pub trait ErpEventSink: Send + Sync {
    /// Records `events` of the customers they name, in `tx`.
    ///
    /// # Errors
    /// Storage failures; the sync then rolls back with them.
    fn record(
        &self,
        tx: &mut dyn crate::ports::Tx,
        events: Vec<(AddressNumber, crate::trace::EventDetail)>,
    ) -> Result<()>;
}
