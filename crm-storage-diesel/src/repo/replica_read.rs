//! The ERP replica, read side: [`ReplicaRepository`] over the `erp_…` tables, with the
//! stream cursors and the check of customer numbers.

use chrono::{DateTime, NaiveDate, Utc};
use crm_core::erp::{
    Applied, ConditionScope, ConditionTarget, DocumentHeader, DocumentNumber, DocumentQuery,
    DocumentStatus, GroupCode, ListPrice, OpenItem, OrderLine, Payment, PriceRequest,
    ProductNumber, RevenueFact, SalesDocument, SpecialCondition, Stream, SyncBatch,
};
use crm_core::revenue::{CubeRow, MonthRange, MonthTotal, RepSummary, RevenueScope};
use crm_core::search::{Page, PageRequest};
use crm_core::{AddressNumber, Currency, ReplicaRepository, UserId};
use diesel::prelude::*;
use serde::de::DeserializeOwned;

use super::DieselTx;
use super::replica::{CHUNK, scope_key, target_key};
use crate::connection::with_inner;
use crate::error::QueryResultExt;
use crate::rows::ts;
use crate::schema::{
    addresses, erp_conditions, erp_customer_groups, erp_documents, erp_list_prices, erp_open_items,
    erp_order_lines, erp_payments, erp_product_groups, erp_revenue, erp_sync_cursors, products,
};
use diesel::upsert::excluded;

/// Reads a stored record back; a row edited behind the library's back is named.
fn parse<T: DeserializeOwned>(table: &str, key: &str, data: &str) -> crm_core::Result<T> {
    serde_json::from_str(data).map_err(|e| {
        crm_core::Error::Storage(format!("{table} {key}: stored record is unreadable: {e}"))
    })
}

fn parse_all<T: DeserializeOwned>(
    table: &str,
    rows: Vec<(String, String)>,
) -> crm_core::Result<Vec<T>> {
    rows.iter()
        .map(|(key, data)| parse(table, key, data))
        .collect()
}

fn offset(page: PageRequest) -> i64 {
    i64::try_from(page.offset).unwrap_or(i64::MAX)
}

/// Valid on `date`: from and to inclusive, open ends allowed.
macro_rules! valid_on {
    ($q:expr, $table:ident, $date:expr) => {{
        let date: NaiveDate = $date;
        $q.filter($table::valid_from.is_null().or($table::valid_from.le(date)))
            .filter($table::valid_to.is_null().or($table::valid_to.ge(date)))
    }};
}

/// The customer's documents that `query` admits, as a boxed query.
macro_rules! documents_query {
    ($customer:expr, $query:expr) => {{
        let query: &DocumentQuery = $query;
        let mut q = erp_documents::table
            .filter(erp_documents::customer.eq($customer.0))
            .into_boxed();
        if !query.kinds.is_empty() {
            q = q.filter(erp_documents::kind.eq_any(query.kinds.iter().map(|k| k.as_str())));
        }
        if query.current_only {
            let current = DocumentStatus::ALL
                .iter()
                .filter(|s| s.is_current())
                .map(|s| s.as_str());
            q = q.filter(erp_documents::status.eq_any(current));
        }
        if let Some(from) = query.from {
            q = q.filter(erp_documents::doc_date.ge(from));
        }
        if let Some(to) = query.to {
            q = q.filter(erp_documents::doc_date.le(to));
        }
        q
    }};
}

impl ReplicaRepository for DieselTx<'_> {
    fn apply_batch(&mut self, batch: &SyncBatch) -> crm_core::Result<Applied> {
        self.write_batch(batch)
    }

    fn sync_cursor(&mut self, stream: Stream) -> crm_core::Result<Option<String>> {
        self.cursor_of(stream)
    }

    fn set_sync_cursor(
        &mut self,
        stream: Stream,
        cursor: &str,
        at: DateTime<Utc>,
    ) -> crm_core::Result<()> {
        self.store_cursor(stream, cursor, at)
    }

    fn known_customers(
        &mut self,
        numbers: &[AddressNumber],
    ) -> crm_core::Result<Vec<AddressNumber>> {
        self.known(numbers)
    }

    fn known_products(
        &mut self,
        numbers: &[ProductNumber],
    ) -> crm_core::Result<Vec<ProductNumber>> {
        let mut wanted: Vec<&str> = numbers.iter().map(ProductNumber::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut known = Vec::new();
        for chunk in wanted.chunks(CHUNK) {
            let priced: Vec<String> = erp_list_prices::table
                .filter(erp_list_prices::product.eq_any(chunk))
                .select(erp_list_prices::product)
                .distinct()
                .load(&mut *self.conn)
                .dom()?;
            let grouped: Vec<String> = erp_product_groups::table
                .filter(erp_product_groups::product.eq_any(chunk))
                .select(erp_product_groups::product)
                .distinct()
                .load(&mut *self.conn)
                .dom()?;
            let catalog: Vec<String> = products::table
                .filter(products::number.eq_any(chunk))
                .select(products::number)
                .load(&mut *self.conn)
                .dom()?;
            known.extend(priced);
            known.extend(grouped);
            known.extend(catalog);
        }
        known.sort_unstable();
        known.dedup();
        known
            .into_iter()
            .map(|n| {
                ProductNumber::new(&n).map_err(|e| {
                    crm_core::Error::Storage(format!("erp_list_prices: product {n:?}: {e}"))
                })
            })
            .collect()
    }

    fn replica_documents_of(
        &mut self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> crm_core::Result<Page<DocumentHeader>> {
        let rows: Vec<(String, String)> = documents_query!(customer, query)
            .order((erp_documents::doc_date.desc(), erp_documents::number.desc()))
            .select((erp_documents::number, erp_documents::data))
            .limit(i64::from(page.limit))
            .offset(offset(page))
            .load(&mut *self.conn)
            .dom()?;
        let documents: Vec<SalesDocument> = parse_all("erp_documents", rows)?;
        let items: Vec<DocumentHeader> = documents.iter().map(SalesDocument::header).collect();
        super::search::paged(page, items, || {
            documents_query!(customer, query)
                .count()
                .get_result(&mut *self.conn)
                .dom()
        })
    }

    fn replica_document(
        &mut self,
        number: &DocumentNumber,
    ) -> crm_core::Result<Option<SalesDocument>> {
        let data: Option<String> = erp_documents::table
            .filter(erp_documents::number.eq(number.as_str()))
            .select(erp_documents::data)
            .first(&mut *self.conn)
            .optional()
            .dom()?;
        data.map(|d| parse("erp_documents", number.as_str(), &d))
            .transpose()
    }

    fn replica_order_lines_of(
        &mut self,
        customer: AddressNumber,
        all: bool,
        page: PageRequest,
    ) -> crm_core::Result<Page<OrderLine>> {
        let query = || {
            let mut q = erp_order_lines::table
                .filter(erp_order_lines::customer.eq(customer.0))
                .into_boxed();
            if !all {
                q = q.filter(erp_order_lines::is_open.eq(true));
            }
            q
        };
        let rows: Vec<(String, String)> = query()
            .order((
                erp_order_lines::promised.is_null(),
                erp_order_lines::promised,
                erp_order_lines::order_number,
                erp_order_lines::position,
            ))
            .select((erp_order_lines::order_number, erp_order_lines::data))
            .limit(i64::from(page.limit))
            .offset(offset(page))
            .load(&mut *self.conn)
            .dom()?;
        let items = parse_all("erp_order_lines", rows)?;
        super::search::paged(page, items, || {
            query().count().get_result(&mut *self.conn).dom()
        })
    }

    fn replica_open_items_of(
        &mut self,
        customer: AddressNumber,
    ) -> crm_core::Result<Vec<OpenItem>> {
        let rows: Vec<(String, String)> = erp_open_items::table
            .filter(erp_open_items::customer.eq(customer.0))
            .order((erp_open_items::due_date, erp_open_items::invoice))
            .select((erp_open_items::invoice, erp_open_items::data))
            .load(&mut *self.conn)
            .dom()?;
        parse_all("erp_open_items", rows)
    }

    fn replica_payments_of(&mut self, customer: AddressNumber) -> crm_core::Result<Vec<Payment>> {
        let rows: Vec<(String, String)> = erp_payments::table
            .filter(erp_payments::customer.eq(customer.0))
            .order((erp_payments::paid_on, erp_payments::id))
            .select((erp_payments::id, erp_payments::data))
            .load(&mut *self.conn)
            .dom()?;
        parse_all("erp_payments", rows)
    }

    fn replica_list_prices(
        &mut self,
        product: &ProductNumber,
        currency: Currency,
        date: NaiveDate,
    ) -> crm_core::Result<Vec<ListPrice>> {
        let q = erp_list_prices::table
            .filter(erp_list_prices::product.eq(product.as_str()))
            .filter(erp_list_prices::currency.eq(currency.code()));
        let rows: Vec<(String, String)> = valid_on!(q, erp_list_prices, date)
            .select((erp_list_prices::valid_key, erp_list_prices::data))
            .load(&mut *self.conn)
            .dom()?;
        parse_all("erp_list_prices", rows)
    }

    fn replica_conditions_for(
        &mut self,
        request: &PriceRequest,
    ) -> crm_core::Result<Vec<SpecialCondition>> {
        let scopes: Vec<String> = std::iter::once(ConditionScope::Customer(request.customer))
            .chain(
                request
                    .customer_groups
                    .iter()
                    .cloned()
                    .map(ConditionScope::CustomerGroup),
            )
            .map(|s| scope_key(&s))
            .collect();
        let targets: Vec<String> = [
            ConditionTarget::Product(request.product.clone()),
            ConditionTarget::All,
        ]
        .into_iter()
        .chain(
            request
                .product_groups
                .iter()
                .cloned()
                .map(ConditionTarget::ProductGroup),
        )
        .map(|t| target_key(&t))
        .collect();
        let rows: Vec<(String, String)> = erp_conditions::table
            .filter(erp_conditions::scope.eq_any(scopes))
            .filter(erp_conditions::target.eq_any(targets))
            .order(erp_conditions::id)
            .select((erp_conditions::id, erp_conditions::data))
            .load(&mut *self.conn)
            .dom()?;
        parse_all("erp_conditions", rows)
    }

    fn replica_conditions_of(
        &mut self,
        customer: AddressNumber,
        date: Option<NaiveDate>,
        page: PageRequest,
    ) -> crm_core::Result<Page<SpecialCondition>> {
        let scopes = self.condition_scopes(customer)?;
        let query = || {
            let q = erp_conditions::table
                .filter(erp_conditions::scope.eq_any(scopes.clone()))
                .into_boxed();
            match date {
                Some(date) => valid_on!(q, erp_conditions, date),
                None => q,
            }
        };
        let rows: Vec<(String, String)> = query()
            .order(erp_conditions::id)
            .select((erp_conditions::id, erp_conditions::data))
            .limit(i64::from(page.limit))
            .offset(offset(page))
            .load(&mut *self.conn)
            .dom()?;
        let items = parse_all("erp_conditions", rows)?;
        super::search::paged(page, items, || {
            query().count().get_result(&mut *self.conn).dom()
        })
    }

    fn replica_customer_groups(
        &mut self,
        customer: AddressNumber,
    ) -> crm_core::Result<Vec<GroupCode>> {
        let codes: Vec<String> = erp_customer_groups::table
            .filter(erp_customer_groups::customer.eq(customer.0))
            .order(erp_customer_groups::group_code)
            .select(erp_customer_groups::group_code)
            .load(&mut *self.conn)
            .dom()?;
        codes.iter().map(|c| group(c)).collect()
    }

    fn replica_product_groups(
        &mut self,
        product: &ProductNumber,
    ) -> crm_core::Result<Vec<GroupCode>> {
        let codes: Vec<String> = erp_product_groups::table
            .filter(erp_product_groups::product.eq(product.as_str()))
            .order(erp_product_groups::depth)
            .select(erp_product_groups::group_code)
            .load(&mut *self.conn)
            .dom()?;
        codes.iter().map(|c| group(c)).collect()
    }

    fn replica_revenue_facts_of_days(
        &mut self,
        customer: AddressNumber,
        days: [(NaiveDate, NaiveDate); 2],
    ) -> crm_core::Result<[Vec<RevenueFact>; 2]> {
        let [(a, b), (c, d)] = days;
        let rows: Vec<(String, String)> = erp_revenue::table
            .filter(erp_revenue::customer.eq(customer.0))
            .filter(
                erp_revenue::fact_date
                    .between(a, b)
                    .or(erp_revenue::fact_date.between(c, d)),
            )
            .order((
                erp_revenue::fact_date,
                erp_revenue::document,
                erp_revenue::position,
            ))
            .select((erp_revenue::document, erp_revenue::data))
            .load(&mut *self.conn)
            .dom()?;
        let facts: Vec<RevenueFact> = parse_all("erp_revenue", rows)?;
        let within = |from: NaiveDate, to: NaiveDate| -> Vec<RevenueFact> {
            facts
                .iter()
                .filter(|f| from <= f.date && f.date <= to)
                .cloned()
                .collect()
        };
        Ok([within(a, b), within(c, d)])
    }

    fn replica_revenue_facts(
        &mut self,
        customer: Option<AddressNumber>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> crm_core::Result<Vec<RevenueFact>> {
        let mut q = erp_revenue::table
            .filter(erp_revenue::fact_date.ge(from))
            .filter(erp_revenue::fact_date.le(to))
            .into_boxed();
        if let Some(customer) = customer {
            q = q.filter(erp_revenue::customer.eq(customer.0));
        }
        let rows: Vec<(String, String)> = q
            .order((
                erp_revenue::fact_date,
                erp_revenue::document,
                erp_revenue::position,
            ))
            .select((erp_revenue::document, erp_revenue::data))
            .load(&mut *self.conn)
            .dom()?;
        parse_all("erp_revenue", rows)
    }

    fn replica_revenue_months(
        &mut self,
        scope: RevenueScope,
        months: MonthRange,
    ) -> crm_core::Result<Vec<MonthTotal>> {
        self.revenue_months_of(scope, months)
    }

    fn replica_rep_summary(
        &mut self,
        user: UserId,
        period: MonthRange,
        previous: MonthRange,
        currency: Currency,
        top: usize,
    ) -> crm_core::Result<RepSummary> {
        self.rep_summary_of(user, period, previous, currency, top)
    }

    fn replica_rep_totals(
        &mut self,
        user: UserId,
        months: MonthRange,
    ) -> crm_core::Result<Vec<CubeRow>> {
        self.cube_totals(user, months)
    }

    fn revenue_reps(&mut self) -> crm_core::Result<Vec<UserId>> {
        self.reps_with_revenue()
    }

    fn rep_cube(&mut self, user: UserId) -> crm_core::Result<Vec<CubeRow>> {
        self.cube_of(user)
    }

    fn replace_rep_cube(&mut self, user: UserId, rows: &[CubeRow]) -> crm_core::Result<()> {
        self.replace_cube(user, rows)
    }

    fn revenue_customers(
        &mut self,
        after: Option<AddressNumber>,
        limit: usize,
    ) -> crm_core::Result<Vec<AddressNumber>> {
        self.customers_with_revenue(after, limit)
    }

    fn revenue_of_customers(
        &mut self,
        customers: &[AddressNumber],
    ) -> crm_core::Result<(Vec<RevenueFact>, Vec<MonthTotal>)> {
        self.revenue_of(customers)
    }

    fn replace_revenue_months(
        &mut self,
        customers: &[AddressNumber],
        rows: &[MonthTotal],
    ) -> crm_core::Result<()> {
        self.replace_months(customers, rows)
    }
}

fn group(code: &str) -> crm_core::Result<GroupCode> {
    GroupCode::new(code)
        .map_err(|e| crm_core::Error::Storage(format!("stored group code `{code}`: {e}")))
}

impl DieselTx<'_> {
    /// The condition scopes that apply to `customer`: his own and his groups'.
    fn condition_scopes(&mut self, customer: AddressNumber) -> crm_core::Result<Vec<String>> {
        let groups = self.replica_customer_groups(customer)?;
        Ok(std::iter::once(ConditionScope::Customer(customer))
            .chain(groups.into_iter().map(ConditionScope::CustomerGroup))
            .map(|s| scope_key(&s))
            .collect())
    }

    pub(super) fn cursor_of(&mut self, stream: Stream) -> crm_core::Result<Option<String>> {
        erp_sync_cursors::table
            .filter(erp_sync_cursors::stream.eq(stream.as_str()))
            .select(erp_sync_cursors::cursor)
            .first(&mut *self.conn)
            .optional()
            .dom()
    }

    pub(super) fn store_cursor(
        &mut self,
        stream: Stream,
        cursor: &str,
        at: DateTime<Utc>,
    ) -> crm_core::Result<()> {
        let conn = &mut *self.conn;
        with_inner!(conn, |c| diesel::insert_into(erp_sync_cursors::table)
            .values((
                erp_sync_cursors::stream.eq(stream.as_str()),
                erp_sync_cursors::cursor.eq(cursor),
                erp_sync_cursors::updated_at.eq(ts(at)),
            ))
            .on_conflict(erp_sync_cursors::stream)
            .do_update()
            .set((
                erp_sync_cursors::cursor.eq(excluded(erp_sync_cursors::cursor)),
                erp_sync_cursors::updated_at.eq(excluded(erp_sync_cursors::updated_at)),
            ))
            .execute(c))
        .dom()?;
        Ok(())
    }

    pub(super) fn known(
        &mut self,
        numbers: &[AddressNumber],
    ) -> crm_core::Result<Vec<AddressNumber>> {
        let mut ids: Vec<i64> = numbers.iter().map(|n| n.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut known = Vec::new();
        for chunk in ids.chunks(CHUNK) {
            let found: Vec<i64> = addresses::table
                .filter(addresses::number.eq_any(chunk))
                .select(addresses::number)
                .load(&mut *self.conn)
                .dom()?;
            known.extend(found.into_iter().map(AddressNumber));
        }
        Ok(known)
    }
}
