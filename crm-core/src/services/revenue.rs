//! Revenue figures of an address and of a user, within what the actor may see.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Context;
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::AddressNumber;
use crate::ids::{AddressId, UserId};
use crate::ports::Store;
use crate::revenue::{
    AddressRevenue, MonthRange, UserRevenue, YearMonth, a_year_earlier, address_figures,
    user_figures,
};
use crate::user::Actor;
use crate::values::Currency;

/// The most entries a breakdown lists before it sums up the rest.
pub const MAX_TOP: usize = 100;

/// What the revenue of an address is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevenueOptions {
    /// The currency of the figures; lines in other currencies are left out and named.
    pub currency: Currency,
    /// How many entries a breakdown lists before it sums up the rest (at most [`MAX_TOP`]).
    pub top: usize,
}

impl Default for RevenueOptions {
    fn default() -> Self {
        RevenueOptions {
            currency: Currency::CHF,
            top: 10,
        }
    }
}

impl RevenueOptions {
    fn validate(self) -> Result<Self> {
        if self.top == 0 || self.top > MAX_TOP {
            return Err(Error::invalid(
                "top",
                format!("must be 1 to {MAX_TOP}, not {}", self.top),
            ));
        }
        Ok(self)
    }
}

/// Revenue figures from the ERP's revenue facts (MIS).
pub struct RevenueService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> RevenueService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        RevenueService { ctx }
    }

    /// The revenue of an address as of today: this year's months against last year's with
    /// cumulative sums, the year to date against the same days last year, the last twelve
    /// months, and the year to date by product group.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # use crm_core::services::RevenueOptions;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor, address: AddressId) -> Result<()> {
    /// let revenue = crm.revenue().of_address(rep, address, RevenueOptions::default())?;
    /// let ytd = &revenue.year_to_date.figures;
    /// println!("{} {} ({:?} %)", ytd.current.net, revenue.currency, ytd.change_percent);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] for an address the actor may not see; [`Error::Invalid`] naming
    /// `top`; the ERP's failures.
    pub fn of_address(
        &self,
        actor: &Actor,
        address: AddressId,
        options: RevenueOptions,
    ) -> Result<AddressRevenue> {
        let options = options.validate()?;
        let scope = self.ctx.scope(actor);
        let customer = self.ctx.store.read(|tx| {
            tx.address_number(address, scope)?
                .ok_or_else(|| Error::not_found(EntityKind::Address, address))
        })?;
        let as_of = self.ctx.now().date_naive();
        let (months, days) = address_periods(as_of)?;
        let (totals, current_days, previous_days) =
            self.ctx.erp()?.customer_revenue(customer, months, days)?;
        Ok(address_figures(
            customer,
            options.currency,
            as_of,
            &totals,
            &current_days,
            &previous_days,
            options.top,
        ))
    }

    /// What `user` sold over `period` (whole months) as field rep and as inside rep, against
    /// the months just before: in total, by customer, product group, region and month. A
    /// user sees his own figures; managers and administrators everyone's.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for another user's figures without being a manager;
    /// [`Error::Invalid`] naming `top`; the ERP's failures.
    pub fn of_user(
        &self,
        actor: &Actor,
        user: UserId,
        period: MonthRange,
        options: RevenueOptions,
    ) -> Result<UserRevenue> {
        let options = options.validate()?;
        let period = MonthRange::new(period.from, period.to).map_err(|e| e.at("period"))?;
        if actor.user_id != user && !actor.sees_everything() {
            return Err(Error::Forbidden(format!(
                "only managers see the revenue of other users (user {user})"
            )));
        }
        let summary = self.ctx.erp()?.rep_summary(
            user,
            period,
            period.previous(),
            options.currency,
            options.top,
        )?;
        let mut figures = user_figures(
            user,
            options.currency,
            period,
            self.ctx.now().date_naive(),
            &summary,
            options.top,
        );
        // Names for the customers listed, as far as the actor may see them.
        let scope = self.ctx.scope(actor);
        let numbers: Vec<AddressNumber> = figures
            .by_customer
            .top
            .iter()
            .filter_map(|s| s.key.parse().ok().map(AddressNumber))
            .collect();
        let names: BTreeMap<String, String> = self
            .ctx
            .store
            .read(|tx| tx.address_summaries_by_number(&numbers, scope))?
            .into_iter()
            .map(|a| (a.number.to_string(), a.name))
            .collect();
        for share in &mut figures.by_customer.top {
            share.label = names.get(&share.key).cloned();
        }
        Ok(figures)
    }
}

/// What an address's figures as of `as_of` are read from: the 24 months up to `as_of`'s,
/// and the days of the month under way and the same days a year earlier.
pub(super) fn address_periods(
    as_of: NaiveDate,
) -> Result<(MonthRange, [(NaiveDate, NaiveDate); 2])> {
    let this_month = YearMonth::of(as_of);
    let months = MonthRange::new(this_month.plus(-23), this_month).map_err(|e| e.at("as_of"))?;
    let last_year = this_month.a_year_earlier();
    Ok((
        months,
        [
            (this_month.first_day(), as_of),
            (last_year.first_day(), a_year_earlier(as_of)),
        ],
    ))
}
