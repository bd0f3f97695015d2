//! Lists of opportunities: an address's current ones, a user's, and the weighted pipeline.

use chrono::Duration;

use super::OpportunityService;
use crate::address::Address;
use crate::error::{Error, Result};
use crate::ids::{AddressId, UserId};
use crate::opportunity::{
    AddressOpportunities, OpportunityFilter, OpportunitySummary, PipelineSummary,
};
use crate::ports::{Store, Tx};
use crate::search::{Page, PageRequest};
use crate::services::Context;
use crate::user::Actor;

/// The most users one pipeline summary sums over.
pub const MAX_PIPELINE_USERS: usize = 1_000;

impl<S: Store> OpportunityService<'_, S> {
    /// The current opportunities of an address: the open ones by expected close date, and
    /// those decided within the configured recent days, newest decision first. Someone who
    /// is neither responsible for the address nor a manager sees those whose team he is in.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the address is not visible.
    pub fn of_address(&self, actor: &Actor, address: AddressId) -> Result<AddressOpportunities> {
        self.ctx.store.read(|tx| {
            let address = self.ctx.visible_address(tx, actor, address)?;
            current_of_address(self.ctx, tx, actor, &address)
        })
    }

    /// The opportunities in whose selling team `user` is — open ones unless the filter asks
    /// for decided ones too — by expected close date (those without one last). Managers may
    /// list anyone's; others their own.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming a bad filter field or page; [`Error::Forbidden`] for another
    /// user's list.
    pub fn of_user(
        &self,
        actor: &Actor,
        user: UserId,
        filter: &OpportunityFilter,
        page: PageRequest,
    ) -> Result<Page<OpportunitySummary>> {
        let page = page.validate()?;
        let filter = filter.validate(&self.ctx.pipeline)?;
        may_look_at(actor, &[user])?;
        self.ctx
            .store
            .read(|tx| tx.user_opportunities(user, &filter, page))
    }

    /// The weighted pipeline of the open opportunities in whose teams any of `users` is
    /// (each counted once): volume and volume × probability per stage and per close month.
    /// Pass one user for his own pipeline, several for a team's.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `users` when empty or longer than
    /// [`MAX_PIPELINE_USERS`]; [`Error::Forbidden`] when a non-manager asks for others.
    pub fn pipeline(&self, actor: &Actor, users: &[UserId]) -> Result<PipelineSummary> {
        if users.is_empty() || users.len() > MAX_PIPELINE_USERS {
            return Err(Error::invalid(
                "users",
                format!("name 1 to {MAX_PIPELINE_USERS} users"),
            ));
        }
        may_look_at(actor, users)?;
        let mut users = users.to_vec();
        users.sort_unstable();
        users.dedup();
        let groups = self.ctx.store.read(|tx| tx.pipeline_groups(&users))?;
        Ok(PipelineSummary::from_groups(&self.ctx.pipeline, &groups))
    }
}

/// The current opportunities of `address` (which the actor may see) as
/// [`OpportunityService::of_address`] lists them.
pub(in crate::services) fn current_of_address<S: Store>(
    ctx: &Context<S>,
    tx: &mut dyn Tx,
    actor: &Actor,
    address: &Address,
) -> Result<AddressOpportunities> {
    let since = ctx.now() - Duration::days(i64::from(ctx.rules.opportunities.recent_days));
    let member = (!crate::services::sees_all_of(actor, address)).then_some(actor.user_id);
    let all = tx.address_opportunities(address.id, since, member)?;
    let (mut open, mut recently_decided): (Vec<OpportunitySummary>, Vec<_>) =
        all.into_iter().partition(|o| !o.outcome().is_decided());
    open.sort_by_key(|o| (o.close_date.is_none(), o.close_date, o.id));
    recently_decided.sort_by_key(|o| (std::cmp::Reverse(o.decided_at), o.id));
    Ok(AddressOpportunities {
        open,
        recently_decided,
    })
}

pub(in crate::services) fn may_look_at(actor: &Actor, users: &[UserId]) -> Result<()> {
    if actor.sees_everything() || users.iter().all(|u| *u == actor.user_id) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "{} may only list his own opportunities",
            actor.display_name
        )))
    }
}
