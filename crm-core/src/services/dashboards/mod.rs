//! The dashboards of an address and of a user: every panel within what the actor may see,
//! all read from one snapshot (one read transaction) — the ERP's panels too when the ERP is
//! the replica in the same store.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::calendar::{BUSY, QUIET, upcoming};
use super::opportunities::{current_of_address, may_look_at};
use super::traces::traces_of_address;
use super::{ActivatedAddress, Context};
use crate::address::Address;
use crate::dashboard::{
    AddressDashboard, CalendarPanel, CoordinatesSource, DashboardUser, ErpData, Listed, Location,
    PipelinePanel, UserDashboard, map_url,
};
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::{AddressId, UserId};
use crate::opportunity::{OpportunityFilter, PipelineSummary};
use crate::ports::{AddressCounts, Store, Tx};
use crate::revenue::year_to_date;
use crate::search::PageRequest;
use crate::trace::TraceFilter;
use crate::user::Actor;
use crate::values::{Currency, Language, Money};
use crate::visibility::AddressScope;

/// The most rows any list of a dashboard shows.
pub const MAX_DASHBOARD_ROWS: u32 = 50;

/// How much the dashboards show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardOptions {
    /// The currency of revenue figures (lines in others are left out and named).
    pub currency: Currency,
    /// Latest notes of an address.
    pub notes: u32,
    /// Latest traces.
    pub traces: u32,
    /// Current sales documents of an address.
    pub sales_documents: u32,
    /// Next calendar entries (and, on a user's, entries in progress).
    pub calendar_entries: u32,
    /// Open opportunities on a user's.
    pub opportunities: u32,
    /// Recently activated addresses on a user's.
    pub recent_addresses: u32,
    /// Product groups listed in an address's revenue before the rest.
    pub product_groups: u32,
    /// The language of the sparkline's title and description.
    pub language: Language,
}

impl Default for DashboardOptions {
    fn default() -> Self {
        DashboardOptions {
            currency: Currency::CHF,
            notes: 5,
            traces: 10,
            sales_documents: 5,
            calendar_entries: 5,
            opportunities: 10,
            recent_addresses: 10,
            product_groups: 5,
            language: Language::De,
        }
    }
}

impl DashboardOptions {
    fn validate(self) -> Result<Self> {
        for (field, n) in [
            ("notes", self.notes),
            ("traces", self.traces),
            ("sales_documents", self.sales_documents),
            ("calendar_entries", self.calendar_entries),
            ("opportunities", self.opportunities),
            ("recent_addresses", self.recent_addresses),
            ("product_groups", self.product_groups),
        ] {
            if n == 0 || n > MAX_DASHBOARD_ROWS {
                return Err(Error::invalid(
                    field,
                    format!("must be 1 to {MAX_DASHBOARD_ROWS}, not {n}"),
                ));
            }
        }
        Ok(self)
    }
}

mod erp;

use erp::{ErpReads, InSnapshot, Live, address_erp};

/// The two dashboards.
pub struct DashboardService<'a, S> {
    ctx: &'a Context<S>,
}

/// Volume and weighted volume per currency over all stages.
fn pipeline_totals(summary: &PipelineSummary) -> (Vec<Money>, Vec<Money>) {
    let mut sums: BTreeMap<Currency, (Decimal, Decimal)> = BTreeMap::new();
    for stage in &summary.by_stage {
        let sum = sums.entry(stage.volume.currency).or_default();
        sum.0 += stage.volume.amount;
        sum.1 += stage.weighted.amount;
    }
    sums.into_iter()
        .map(|(c, (v, w))| (Money::new(v, c), Money::new(w, c)))
        .unzip()
}

impl<'a, S: Store> DashboardService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        DashboardService { ctx }
    }

    /// How the ERP's panels are read: in the snapshot, live, or not at all.
    fn erp_data(&self) -> ErpData {
        match (&self.ctx.erp, self.ctx.erp_in_store) {
            (None, _) => ErpData::None,
            (Some(_), true) => ErpData::Snapshot,
            (Some(_), false) => ErpData::Live,
        }
    }

    /// The dashboard of the address `id`: postal address with coordinates and map link,
    /// contact persons, latest notes, revenue this year against last, current
    /// opportunities, latest traces, current sales documents, open items with payment
    /// habits, open order lines, special conditions, pools, next calendar entries and the
    /// number of archived documents — every panel within what the actor may see, read from
    /// one snapshot.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # use crm_core::services::DashboardOptions;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor, address: AddressId) -> Result<()> {
    /// let board = crm.dashboards().address(rep, address, &DashboardOptions::default())?;
    /// println!("{} — {}", board.address.data.name1, board.location.map_url);
    /// let json = serde_json::to_string(&board).expect("plain data");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] for an address the actor may not see; [`Error::Invalid`] naming
    /// an option; the ERP's failures.
    pub fn address(
        &self,
        actor: &Actor,
        id: AddressId,
        options: &DashboardOptions,
    ) -> Result<AddressDashboard> {
        let options = options.validate()?;
        let now = self.ctx.now();
        let today = now.date_naive();
        let erp_data = self.erp_data();
        let (mut board, erp_panels) = self.ctx.store.read(|tx| {
            let address = self.ctx.visible_address(tx, actor, id)?;
            let snapshot = erp_data == ErpData::Snapshot;
            let counts = tx.address_counts(id, snapshot.then_some((address.number, today)))?;
            let board = self.address_panels(tx, actor, address, counts, now, &options)?;
            let erp = if snapshot {
                Some(address_erp(
                    &mut InSnapshot(tx),
                    board.address.number,
                    today,
                    &options,
                )?)
            } else {
                None
            };
            Ok((board, erp))
        })?;
        let erp_panels = match (erp_panels, self.ctx.erp.as_deref()) {
            (Some(panels), _) => Some(panels),
            (None, Some(erp)) => {
                let (lines, conditions) = Live(erp).counts(board.address.number, today)?;
                board.open_order_lines = Some(lines);
                board.special_conditions = Some(conditions);
                Some(address_erp(
                    &mut Live(erp),
                    board.address.number,
                    today,
                    &options,
                )?)
            }
            (None, None) => None,
        };
        if let Some(mut p) = erp_panels {
            if let Some(renderer) = self.ctx.sparklines.get() {
                let f = &p.revenue.figures;
                // A line that cannot be drawn leaves the figures without it.
                p.revenue.sparkline_svg = renderer
                    .sparkline_svg(&f.last_12_months, f.currency, options.language)
                    .ok();
            }
            board.revenue = Some(p.revenue);
            board.sales_documents = Some(p.sales_documents);
            board.receivables = Some(p.receivables);
        }
        if board.location.coordinates.is_none()
            && let Some(geocoder) = self.ctx.geocoder.get()
        {
            // A geocoder that fails leaves the address without coordinates, as before.
            if let Ok(Some(point)) = geocoder.locate(&board.address.data.postal) {
                board.location = Location {
                    coordinates: Some(point),
                    source: Some(CoordinatesSource::Geocoder),
                    map_url: map_url(Some(point), &board.address.data.postal),
                };
            }
        }
        Ok(board)
    }

    /// The CRM's own panels of `address`, with the `counts` read before.
    fn address_panels(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        address: Address,
        counts: AddressCounts,
        now: DateTime<Utc>,
        options: &DashboardOptions,
    ) -> Result<AddressDashboard> {
        let id = address.id;
        let contacts = tx.contacts_of(id, false)?;
        let notes = tx.notes_of(id, PageRequest::first(options.notes))?;
        let opportunities = current_of_address(self.ctx, tx, actor, &address)?;
        let query = TraceFilter {
            limit: options.traces,
            ..TraceFilter::default()
        }
        .to_query(actor.user_id)?;
        let traces = traces_of_address(tx, actor, &address, query)?.items;
        let pools = tx.pools_of_address(id, actor.user_id)?;
        let next_calendar_entries =
            upcoming(now, options.calendar_entries as usize, QUIET, |range| {
                tx.address_entries(id, range, &[])
            })?;
        let geo = address.data.geo;
        Ok(AddressDashboard {
            as_of: now,
            location: Location {
                coordinates: geo,
                source: geo.map(|_| CoordinatesSource::Address),
                map_url: map_url(geo, &address.data.postal),
            },
            address,
            contacts,
            notes: Listed::from(notes),
            revenue: None,
            opportunities,
            traces,
            sales_documents: None,
            receivables: None,
            open_order_lines: counts.open_order_lines,
            special_conditions: counts.special_conditions,
            pools,
            next_calendar_entries,
            documents: counts.documents,
            erp_data: self.erp_data(),
        })
    }

    /// The dashboard of `user`: his current and next calendar entries, the latest traces
    /// over all his customers, the open opportunities of his selling teams with the
    /// weighted pipeline, his revenue this year so far against last year, and the
    /// addresses he activated lately — read from one snapshot. A user sees his own;
    /// managers and administrators everyone's.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # use crm_core::services::DashboardOptions;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor) -> Result<()> {
    /// let board = crm.dashboards().user(rep, rep.user_id, &DashboardOptions::default())?;
    /// for entry in &board.calendar.next {
    ///     println!("{} {} ({})", entry.start, entry.title, entry.address.name);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Forbidden`] for another user's dashboard without being a manager;
    /// [`Error::NotFound`] for an unknown user; [`Error::Invalid`] naming an option; the
    /// ERP's failures.
    pub fn user(
        &self,
        actor: &Actor,
        user: UserId,
        options: &DashboardOptions,
    ) -> Result<UserDashboard> {
        let options = options.validate()?;
        may_look_at(actor, &[user])?;
        let now = self.ctx.now();
        let today = now.date_naive();
        let erp_data = self.erp_data();
        let (mut board, totals) = self.ctx.store.read(|tx| {
            let board = self.user_panels(tx, actor, user, now, &options)?;
            let totals = if erp_data == ErpData::Snapshot {
                Some(InSnapshot(tx).rep_totals(user, today, options.currency)?)
            } else {
                None
            };
            Ok((board, totals))
        })?;
        let totals = match (totals, self.ctx.erp.as_deref()) {
            (Some(rows), _) => Some(rows),
            (None, Some(erp)) => Some(Live(erp).rep_totals(user, today, options.currency)?),
            (None, None) => None,
        };
        board.revenue = totals.map(|rows| year_to_date(user, options.currency, today, &rows));
        Ok(board)
    }

    /// The CRM's own panels of `user`'s dashboard.
    fn user_panels(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        user: UserId,
        now: DateTime<Utc>,
        options: &DashboardOptions,
    ) -> Result<UserDashboard> {
        let who = tx
            .user(user)?
            .ok_or_else(|| Error::not_found(EntityKind::User, user))?;
        // His own calendar holds the entries he takes part in wherever they are; another
        // user's is limited to the addresses the actor may see.
        let calendar_scope = if user == actor.user_id {
            AddressScope::All
        } else {
            self.ctx.scope(actor)
        };
        let wanted = options.calendar_entries as usize;
        let (current, next): (Vec<_>, Vec<_>) = upcoming(now, wanted * 2, BUSY, |range| {
            tx.user_entries(user, range, calendar_scope)
        })?
        .into_iter()
        .partition(|o| o.start <= now);
        let mut query = TraceFilter {
            limit: options.traces,
            ..TraceFilter::default()
        }
        .to_query(actor.user_id)?;
        query.audience = Some(user);
        let traces = tx.traces(&query)?.items;
        let open = OpportunityFilter::default().validate(&self.ctx.pipeline)?;
        let opportunities =
            tx.user_opportunities(user, &open, PageRequest::first(options.opportunities))?;
        let summary =
            PipelineSummary::from_groups(&self.ctx.pipeline, &tx.pipeline_groups(&[user])?);
        let (volume, weighted) = pipeline_totals(&summary);
        let recently_activated = tx
            .recent_activations(user, self.ctx.scope(actor), options.recent_addresses)?
            .into_iter()
            .map(|(address, activated_at)| ActivatedAddress {
                address,
                activated_at,
            })
            .collect();
        Ok(UserDashboard {
            as_of: now,
            user: DashboardUser {
                id: who.id,
                login: who.login,
                display_name: who.display_name,
            },
            calendar: CalendarPanel {
                current: current.into_iter().take(wanted).collect(),
                next: next.into_iter().take(wanted).collect(),
            },
            traces,
            pipeline: PipelinePanel {
                opportunities: Listed::from(opportunities),
                volume,
                weighted,
                summary,
            },
            revenue: None,
            recently_activated,
            erp_data: self.erp_data(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revenue::{YearMonth, year_to_date_months};
    use chrono::NaiveDate;

    #[test]
    fn options_are_bounded_and_named() {
        assert!(DashboardOptions::default().validate().is_ok());
        let Err(Error::Invalid(e)) = DashboardOptions {
            traces: MAX_DASHBOARD_ROWS + 1,
            ..DashboardOptions::default()
        }
        .validate() else {
            panic!("accepted too many traces");
        };
        assert!(e.to_string().contains("traces"), "{e}");
        assert!(
            DashboardOptions {
                notes: 0,
                ..DashboardOptions::default()
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn a_user_s_year_months_cover_last_january_to_this_month() {
        let m = year_to_date_months(NaiveDate::from_ymd_opt(2026, 3, 15).unwrap());
        assert_eq!(m.from, YearMonth::new(2025, 1).unwrap());
        assert_eq!(m.to, YearMonth::new(2026, 3).unwrap());
    }
}
