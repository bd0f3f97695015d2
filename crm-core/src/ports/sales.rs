//! The repositories of opportunities and traces.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ids::{AddressId, OpportunityId, TraceId, UserId, Version};
use crate::opportunity::{
    NewOpportunity, Opportunity, OpportunityChange, OpportunityFilter, OpportunitySummary,
    PipelineGroup,
};
use crate::search::{Page, PageRequest};
use crate::trace::{ChainHead, SealedTrace, StoredLink, Trace, TracePage, TraceQuery};

/// Opportunities and their selling teams.
///
/// Storage keeps, with each team member, what a user's list needs (whether the opportunity
/// is open, its close date), and counts a team member among those who may see the address
/// under [`AddressScope::Responsible`](crate::AddressScope::Responsible).
pub trait OpportunityRepository {
    /// Stores a new opportunity with its team.
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) when the number is taken.
    fn insert_opportunity(&mut self, new: &NewOpportunity) -> Result<OpportunityId>;

    /// Stores many opportunities at once; ids in the order given.
    ///
    /// # Errors
    /// As [`OpportunityRepository::insert_opportunity`].
    fn insert_opportunities(&mut self, batch: &[NewOpportunity]) -> Result<Vec<OpportunityId>> {
        batch
            .iter()
            .map(|new| self.insert_opportunity(new))
            .collect()
    }

    /// The opportunity with `id`, with its team.
    ///
    /// # Errors
    /// Storage failures only.
    fn opportunity(&mut self, id: OpportunityId) -> Result<Option<Opportunity>>;

    /// Replaces the content, and the selling team when `team` is given, when the version is
    /// `expected`; `Ok(false)` otherwise.
    ///
    /// # Errors
    /// Storage failures only.
    fn update_opportunity(
        &mut self,
        id: OpportunityId,
        expected: Version,
        change: &OpportunityChange<'_>,
    ) -> Result<bool>;

    /// The open opportunities of an address and those decided since `decided_since`; with
    /// `member`, only those whose team he is in. At most 1,000.
    ///
    /// # Errors
    /// Storage failures only.
    fn address_opportunities(
        &mut self,
        address: AddressId,
        decided_since: DateTime<Utc>,
        member: Option<UserId>,
    ) -> Result<Vec<OpportunitySummary>>;

    /// A page of the opportunities in whose team `user` is, matching `filter` (stages as
    /// keys), by expected close date (those without one last).
    ///
    /// # Errors
    /// Storage failures only.
    fn user_opportunities(
        &mut self,
        user: UserId,
        filter: &OpportunityFilter,
        page: PageRequest,
    ) -> Result<Page<OpportunitySummary>>;

    /// The open opportunities in whose team any of `users` is, each once, summed per stage,
    /// close date, currency and probability.
    ///
    /// # Errors
    /// Storage failures only.
    fn pipeline_groups(&mut self, users: &[UserId]) -> Result<Vec<PipelineGroup>>;
}

/// Traces and their chains.
///
/// Besides the traces, storage keeps for each user the traces in his list — those of the
/// addresses he is responsible for (field or inside rep) and those of the opportunities whose
/// selling team he is in — and rewrites an address's share of it when its reps or one of its
/// teams change. No method changes or removes a stored trace.
pub trait TraceRepository {
    /// The chain heads of `addresses` (ascending, without repeats), created empty where
    /// missing and locked until the transaction ends, so that writers of one address queue
    /// while writers of others go on.
    ///
    /// # Errors
    /// Storage failures only.
    fn lock_chain_heads(&mut self, addresses: &[AddressId]) -> Result<Vec<ChainHead>>;

    /// Appends sealed traces (in chain order) with their audience and moves each address's
    /// head to its last trace; ids in the order given.
    ///
    /// # Errors
    /// [`Error::Duplicate`](crate::Error::Duplicate) for a position or external id taken.
    fn append_traces(&mut self, traces: &[SealedTrace]) -> Result<Vec<TraceId>>;

    /// The traces recorded for the external events `external_ids` of `source`, as
    /// `(external id, trace)` in any order; ids not recorded are missing.
    ///
    /// # Errors
    /// Storage failures only.
    fn external_traces(
        &mut self,
        source: &str,
        external_ids: &[&str],
    ) -> Result<Vec<(String, TraceId)>>;

    /// The trace with `id`.
    ///
    /// # Errors
    /// Storage failures only.
    fn trace(&mut self, id: TraceId) -> Result<Option<Trace>>;

    /// A page of traces, newest first: of one address's chain by position when
    /// `query.audience` is `None`, else of that user's list by recording time.
    ///
    /// # Errors
    /// Storage failures only.
    fn traces(&mut self, query: &TraceQuery) -> Result<TracePage>;

    /// Up to `limit` chain heads after address `after`, by address.
    ///
    /// # Errors
    /// Storage failures only.
    fn chain_heads(&mut self, after: Option<AddressId>, limit: u32) -> Result<Vec<ChainHead>>;

    /// Every stored trace of the addresses `from..=to`, by address and position.
    ///
    /// # Errors
    /// Storage failures only.
    fn chain_links(&mut self, from: AddressId, to: AddressId) -> Result<Vec<StoredLink>>;
}
