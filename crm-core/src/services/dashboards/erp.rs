//! The ERP's panels of the address dashboard and a user's revenue, read from the replica in
//! the dashboard's snapshot or from the host's ERP after it.

use chrono::NaiveDate;

use super::DashboardOptions;
use crate::dashboard::{Listed, ReceivablesSummary, RevenuePanel};
use crate::erp::{DocumentHeader, DocumentQuery, OpenItem, Payment, RevenueFact};
use crate::error::Result;
use crate::ids::{AddressNumber, UserId};
use crate::ports::{Erp, Tx};
use crate::revenue::{
    CubeDim, CubeRow, MonthRange, MonthTotal, address_figures, year_to_date_months,
};
use crate::search::{Page, PageRequest};
use crate::services::erp::ReceivablesView;
use crate::services::revenue::address_periods;
use crate::values::Currency;

/// What the ERP's panels read, from the replica inside the snapshot or from the host's ERP.
pub(super) trait ErpReads {
    fn documents_of(
        &mut self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> Result<Page<DocumentHeader>>;
    fn receivables_of(&mut self, customer: AddressNumber) -> Result<(Vec<OpenItem>, Vec<Payment>)>;
    #[allow(clippy::type_complexity)]
    fn customer_revenue(
        &mut self,
        customer: AddressNumber,
        months: MonthRange,
        days: [(NaiveDate, NaiveDate); 2],
    ) -> Result<(Vec<MonthTotal>, Vec<RevenueFact>, Vec<RevenueFact>)>;
    /// The monthly totals of `user`'s rep cube over [`year_to_date_months`] of `as_of`.
    fn rep_totals(
        &mut self,
        user: UserId,
        as_of: NaiveDate,
        currency: Currency,
    ) -> Result<Vec<CubeRow>>;
}

/// The replica, read in the dashboard's transaction.
pub(super) struct InSnapshot<'t>(pub(super) &'t mut dyn Tx);

impl ErpReads for InSnapshot<'_> {
    fn documents_of(
        &mut self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> Result<Page<DocumentHeader>> {
        self.0.replica_documents_of(customer, query, page)
    }
    fn receivables_of(&mut self, customer: AddressNumber) -> Result<(Vec<OpenItem>, Vec<Payment>)> {
        Ok((
            self.0.replica_open_items_of(customer)?,
            self.0.replica_payments_of(customer)?,
        ))
    }
    fn customer_revenue(
        &mut self,
        customer: AddressNumber,
        months: MonthRange,
        days: [(NaiveDate, NaiveDate); 2],
    ) -> Result<(Vec<MonthTotal>, Vec<RevenueFact>, Vec<RevenueFact>)> {
        self.0.replica_customer_revenue(customer, months, days)
    }
    fn rep_totals(
        &mut self,
        user: UserId,
        as_of: NaiveDate,
        _currency: Currency,
    ) -> Result<Vec<CubeRow>> {
        self.0.replica_rep_totals(user, year_to_date_months(as_of))
    }
}

/// The host's ERP, asked after the snapshot.
pub(super) struct Live<'e>(pub(super) &'e dyn Erp);

impl ErpReads for Live<'_> {
    fn documents_of(
        &mut self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> Result<Page<DocumentHeader>> {
        self.0.documents_of(customer, query, page)
    }
    fn receivables_of(&mut self, customer: AddressNumber) -> Result<(Vec<OpenItem>, Vec<Payment>)> {
        Ok((
            self.0.open_items_of(customer)?,
            self.0.payments_of(customer)?,
        ))
    }
    fn customer_revenue(
        &mut self,
        customer: AddressNumber,
        months: MonthRange,
        days: [(NaiveDate, NaiveDate); 2],
    ) -> Result<(Vec<MonthTotal>, Vec<RevenueFact>, Vec<RevenueFact>)> {
        self.0.customer_revenue(customer, months, days)
    }
    fn rep_totals(
        &mut self,
        user: UserId,
        as_of: NaiveDate,
        currency: Currency,
    ) -> Result<Vec<CubeRow>> {
        let months = year_to_date_months(as_of);
        let this_year = MonthRange {
            from: months.from.plus(12),
            to: months.to,
        };
        let last_year = MonthRange {
            from: months.from,
            to: months.to.a_year_earlier(),
        };
        let summary = self
            .0
            .rep_summary(user, this_year, last_year, currency, 1)?;
        Ok(summary
            .rows
            .into_iter()
            .filter(|r| r.key.dim == CubeDim::Total)
            .collect())
    }
}

impl Live<'_> {
    /// How many of the customer's order lines are open, and how many special conditions
    /// are valid on `date` (the store counts both in the snapshot when it holds the
    /// replica).
    pub(super) fn counts(&self, customer: AddressNumber, date: NaiveDate) -> Result<(u64, u64)> {
        let lines = self
            .0
            .order_lines_of(customer, false, PageRequest::first(1))?;
        let conditions = self
            .0
            .conditions_of(customer, Some(date), PageRequest::first(1))?;
        Ok((lines.total, conditions.total))
    }
}

/// The ERP's panels of an address.
pub(super) struct AddressErp {
    pub(super) revenue: RevenuePanel,
    pub(super) sales_documents: Listed<DocumentHeader>,
    pub(super) receivables: ReceivablesSummary,
}

pub(super) fn address_erp(
    erp: &mut dyn ErpReads,
    customer: AddressNumber,
    today: NaiveDate,
    options: &DashboardOptions,
) -> Result<AddressErp> {
    let current = DocumentQuery {
        current_only: true,
        ..DocumentQuery::default()
    };
    let documents = erp.documents_of(
        customer,
        &current,
        PageRequest::first(options.sales_documents),
    )?;
    let (items, payments) = erp.receivables_of(customer)?;
    let view = ReceivablesView::compute(items, &payments, today)?;
    let (months, days) = address_periods(today)?;
    let (totals, current_days, previous_days) = erp.customer_revenue(customer, months, days)?;
    let figures = address_figures(
        customer,
        options.currency,
        today,
        &totals,
        &current_days,
        &previous_days,
        options.product_groups as usize,
    );
    Ok(AddressErp {
        revenue: RevenuePanel {
            figures,
            sparkline_svg: None,
        },
        sales_documents: Listed::from(documents),
        receivables: ReceivablesSummary {
            open_items: view.open_items.len() as u64,
            overdue_items: view
                .open_items
                .iter()
                .filter(|i| i.days_overdue(today) > 0)
                .count() as u64,
            oldest_due: view.open_items.iter().map(|i| i.due_date).min(),
            habits: view.habits,
        },
    })
}
