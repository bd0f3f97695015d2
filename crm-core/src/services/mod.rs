//! Use-case services: each public method is one use case, runs in one transaction and takes
//! the acting user.

mod address_text;
mod addresses;
mod calendar;
mod contacts;
mod conversion;
mod dashboards;
mod document_batch;
mod document_text;
mod document_upkeep;
mod documents;
mod erp;
mod import;
mod notes;
mod opportunities;
mod pipeline;
mod pools;
mod products;
mod quotes;
mod revenue;
mod traces;
mod users;

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, SubsecRound, Utc};

pub use addresses::{ActivatedAddress, AddressService, AddressView, RECENT_ACTIVATIONS};
pub use calendar::{CalendarService, MAX_AGENDA, SlaEvent};
pub use contacts::ContactService;
pub use conversion::{Conversion, ConversionPreview, ConvertOptions, FieldChange};
pub use dashboards::{DashboardOptions, DashboardService, MAX_DASHBOARD_ROWS};
pub use document_batch::{Incoming, MAX_DOCUMENT_BATCH};
pub use document_text::MAX_DOCUMENT_HITS;
pub use documents::DocumentService;
pub use erp::{DispositionLine, ErpService, ReceivablesView};
pub use import::{ImportReport, ImportRow};
pub use notes::NoteService;
pub use opportunities::{MAX_PIPELINE_USERS, OpportunityService};
pub use pools::PoolService;
pub use products::{IndexDrift, ProductService};
pub use quotes::{MAX_OUTBOX, QuoteService, STANDARD_VAT_RATE};
pub use revenue::{MAX_TOP, RevenueOptions, RevenueService};
pub use traces::{LinkedRecord, TraceService};
pub use users::{UserService, UserSyncReport};

use crate::address::{Address, AddressKind, Stamp};
use crate::archive::Retention;
use crate::duplicates::DuplicateRules;
use crate::entity::{EntityKind, EntityRef};
use crate::error::{Error, Result};
use crate::ids::{
    AddressId, AddressNumber, CalendarEntryId, ContactId, OpportunityId, TraceId, UserId,
};
use crate::numbering::NumberRanges;
use crate::opportunity::{OpportunityRules, Pipeline};
use crate::ports::{
    AddressIndex, BlobStore, Clock, DocumentIndex, Erp, Geocoder, ProductIndex, SparklineRenderer,
    Store, TextExtractor, Tx,
};
use crate::trace::{CRM_SOURCE, ChainHead, DomainEvent, NewTrace, SealedTrace, TraceRules};
use crate::user::Actor;
use crate::visibility::{AddressScope, VisibilityPolicy};

/// The company rules the services apply, from settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// Who sees which address.
    pub visibility: VisibilityPolicy,
    /// Number ranges of customers and leads.
    pub numbers: NumberRanges,
    /// Thresholds of the duplicate check.
    pub duplicates: DuplicateRules,
    /// The pipeline and the window of recently decided opportunities.
    pub opportunities: OpportunityRules,
    /// Which events become traces.
    pub traces: TraceRules,
    /// How long archived documents are kept.
    pub retention: Retention,
}

struct Context<S> {
    store: S,
    clock: Arc<dyn Clock>,
    rules: Rules,
    pipeline: Pipeline,
    erp: Option<Arc<dyn Erp>>,
    /// The ERP is the replica in `store`: use cases that read several things at once read its
    /// data in their own transaction.
    erp_in_store: bool,
    geocoder: OnceLock<Arc<dyn Geocoder>>,
    sparklines: OnceLock<Arc<dyn SparklineRenderer>>,
    product_index: OnceLock<Arc<dyn ProductIndex>>,
    address_index: OnceLock<Arc<dyn AddressIndex>>,
    blob_store: OnceLock<Arc<dyn BlobStore>>,
    text_extractor: OnceLock<Arc<dyn TextExtractor>>,
    document_index: OnceLock<Arc<dyn DocumentIndex>>,
    /// Documents committed whose index write failed: written by the next call that reaches
    /// the index.
    documents_behind: std::sync::Mutex<std::collections::BTreeSet<crate::ids::DocumentId>>,
}

/// All services over one store; cheap to clone and share between threads.
///
/// ```no_run
/// # use std::sync::{Arc, OnceLock};
/// # use crm_core::*;
/// # fn demo<S: Store>(store: S, clock: Arc<dyn Clock>, actor: &Actor) -> Result<()> {
/// let services = Services::new(store, clock, Rules::default())?;
/// let hits = services.addresses().search(
///     actor,
///     &AddressCriteria { name: Some("muell".into()), ..Default::default() },
///     PageRequest::default(),
/// )?;
/// println!("{} addresses match", hits.total);
/// # Ok(()) }
/// ```
pub struct Services<S> {
    ctx: Arc<Context<S>>,
}

impl<S> Clone for Services<S> {
    fn clone(&self) -> Self {
        Services {
            ctx: Arc::clone(&self.ctx),
        }
    }
}

impl<S: Store> Services<S> {
    /// Services over `store`, reading time from `clock`, applying `rules`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the rules contradict themselves (overlapping number ranges, a
    /// malformed pipeline or trace kind).
    pub fn new(store: S, clock: Arc<dyn Clock>, rules: Rules) -> Result<Self> {
        Self::build(store, clock, rules, None, false)
    }

    /// Services over `store` that read the ERP's data through `erp`.
    ///
    /// # Errors
    /// As [`Services::new`].
    pub fn with_erp(
        store: S,
        clock: Arc<dyn Clock>,
        rules: Rules,
        erp: Arc<dyn Erp>,
    ) -> Result<Self> {
        Self::build(store, clock, rules, Some(erp), false)
    }

    /// Services over `store` whose ERP data is the replica `erp` keeps in the same `store`:
    /// like [`Services::with_erp`], and the dashboards read the ERP's panels in their own
    /// snapshot instead of asking `erp` after it.
    ///
    /// # Errors
    /// As [`Services::new`].
    pub fn with_store_replica(
        store: S,
        clock: Arc<dyn Clock>,
        rules: Rules,
        erp: Arc<dyn Erp>,
    ) -> Result<Self> {
        Self::build(store, clock, rules, Some(erp), true)
    }

    fn build(
        store: S,
        clock: Arc<dyn Clock>,
        rules: Rules,
        erp: Option<Arc<dyn Erp>>,
        erp_in_store: bool,
    ) -> Result<Self> {
        rules.numbers.validate().map_err(|e| e.at("numbers"))?;
        let pipeline = rules
            .opportunities
            .pipeline()
            .map_err(|e| e.at("opportunities.stages"))?;
        rules.traces.validate().map_err(|e| e.at("traces"))?;
        Ok(Services {
            ctx: Arc::new(Context {
                store,
                clock,
                rules,
                pipeline,
                erp,
                erp_in_store,
                geocoder: OnceLock::new(),
                sparklines: OnceLock::new(),
                product_index: OnceLock::new(),
                address_index: OnceLock::new(),
                blob_store: OnceLock::new(),
                text_extractor: OnceLock::new(),
                document_index: OnceLock::new(),
                documents_behind: std::sync::Mutex::default(),
            }),
        })
    }

    /// Addresses: capture, edit, search, activate, convert.
    pub fn addresses(&self) -> AddressService<'_, S> {
        AddressService::new(&self.ctx)
    }

    /// Contact persons.
    pub fn contacts(&self) -> ContactService<'_, S> {
        ContactService::new(&self.ctx)
    }

    /// Notes.
    pub fn notes(&self) -> NoteService<'_, S> {
        NoteService::new(&self.ctx)
    }

    /// The copy of the host's users.
    pub fn users(&self) -> UserService<'_, S> {
        UserService::new(&self.ctx)
    }

    /// Calendar entries: activities, milestones, assignments.
    pub fn calendar(&self) -> CalendarService<'_, S> {
        CalendarService::new(&self.ctx)
    }

    /// Address pools.
    pub fn pools(&self) -> PoolService<'_, S> {
        PoolService::new(&self.ctx)
    }

    /// Opportunities, their selling teams and milestones.
    pub fn opportunities(&self) -> OpportunityService<'_, S> {
        OpportunityService::new(&self.ctx)
    }

    /// Traces: queries, external events, verification of the chains.
    pub fn traces(&self) -> TraceService<'_, S> {
        TraceService::new(&self.ctx)
    }

    /// The ERP's data of addresses: sales documents, disposition, receivables, special
    /// conditions and prices.
    pub fn erp(&self) -> ErpService<'_, S> {
        ErpService::new(&self.ctx)
    }

    /// Revenue figures of addresses and users (MIS).
    pub fn revenue(&self) -> RevenueService<'_, S> {
        RevenueService::new(&self.ctx)
    }

    /// The dashboards of an address and of a user.
    pub fn dashboards(&self) -> DashboardService<'_, S> {
        DashboardService::new(&self.ctx)
    }

    /// Connects the host's geocoder, asked by the address dashboard for addresses stored
    /// without coordinates. Set once; a second call is ignored and answers `false`.
    pub fn set_geocoder(&self, geocoder: Arc<dyn Geocoder>) -> bool {
        self.ctx.geocoder.set(geocoder).is_ok()
    }

    /// Connects what draws the 12-month line on the address dashboard. Set once; a second
    /// call is ignored and answers `false`.
    pub fn set_sparkline_renderer(&self, renderer: Arc<dyn SparklineRenderer>) -> bool {
        self.ctx.sparklines.set(renderer).is_ok()
    }

    /// The product catalog: import, views, search, and handing products to the active
    /// sales document.
    pub fn products(&self) -> ProductService<'_, S> {
        ProductService::new(&self.ctx)
    }

    /// Connects the product index that [`ProductService::search`] asks and that every
    /// catalog change is written to after it commits. Set once; a second call is ignored
    /// and answers `false`.
    pub fn set_product_index(&self, index: Arc<dyn ProductIndex>) -> bool {
        self.ctx.product_index.set(index).is_ok()
    }

    /// Connects the address index that [`AddressService::search_text`] asks and that every
    /// change of an address or its contact persons is written to after it commits. Set
    /// once; a second call is ignored and answers `false`.
    pub fn set_address_index(&self, index: Arc<dyn AddressIndex>) -> bool {
        self.ctx.address_index.set(index).is_ok()
    }

    /// Quotes written in the CRM, their outbox, and the active sales document.
    pub fn quotes(&self) -> QuoteService<'_, S> {
        QuoteService::new(&self.ctx)
    }

    /// The archive: documents with versions at the records they belong to.
    pub fn documents(&self) -> DocumentService<'_, S> {
        DocumentService::new(&self.ctx)
    }

    /// Connects the blob store that keeps the archive's bytes. Set once; a second call is
    /// ignored and answers `false`.
    pub fn set_blob_store(&self, store: Arc<dyn BlobStore>) -> bool {
        self.ctx.blob_store.set(store).is_ok()
    }

    /// Connects what takes the text out of checked-in files for the full-text index. Set
    /// once; a second call is ignored and answers `false`.
    pub fn set_text_extractor(&self, extractor: Arc<dyn TextExtractor>) -> bool {
        self.ctx.text_extractor.set(extractor).is_ok()
    }

    /// Connects the archive's full-text index, written after every check-in commits. Set
    /// once; a second call is ignored and answers `false`.
    pub fn set_document_index(&self, index: Arc<dyn DocumentIndex>) -> bool {
        self.ctx.document_index.set(index).is_ok()
    }

    /// Waits until the connected indexes' background work has ended (the merge after a
    /// rebuild, staged check-ins committed); searches need not wait, this is for a caller
    /// that wants the indexes at rest, before a backup or a measurement.
    ///
    /// # Errors
    /// Index failures.
    pub fn settle_indexes(&self) -> crate::Result<()> {
        if let Some(index) = self.ctx.product_index.get() {
            index.settle()?;
        }
        if let Some(index) = self.ctx.address_index.get() {
            index.settle()?;
        }
        if let Some(index) = self.ctx.document_index.get() {
            index.settle()?;
        }
        Ok(())
    }

    /// The store, for adapters that share it.
    pub fn store(&self) -> &S {
        &self.ctx.store
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.ctx.rules
    }

    /// The pipeline of opportunity stages in force.
    pub fn pipeline(&self) -> &Pipeline {
        &self.ctx.pipeline
    }
}

impl<S: Store> Context<S> {
    /// Now, truncated to microseconds so that it survives every backend unchanged.
    fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(6)
    }

    fn stamp(&self, actor: &Actor) -> Stamp {
        Stamp {
            at: self.now(),
            by: actor.user_id,
        }
    }

    /// The connected ERP.
    fn erp(&self) -> Result<&dyn Erp> {
        self.erp.as_deref().ok_or_else(|| {
            Error::Storage(
                "no ERP is connected: build the services with `Services::with_erp`".into(),
            )
        })
    }

    fn scope(&self, actor: &Actor) -> AddressScope {
        self.rules.visibility.address_scope(actor)
    }

    /// Loads an address the actor wants to read: invisible ones do not exist for him.
    fn visible_address(&self, tx: &mut dyn Tx, actor: &Actor, id: AddressId) -> Result<Address> {
        tx.address(id, self.scope(actor))?
            .ok_or_else(|| Error::not_found(EntityKind::Address, id))
    }

    /// Loads an address the actor wants to change: a missing one is `NotFound`, one he may
    /// not see is `Forbidden`.
    fn address_for_write(&self, tx: &mut dyn Tx, actor: &Actor, id: AddressId) -> Result<Address> {
        let address = tx
            .address(id, AddressScope::All)?
            .ok_or_else(|| Error::not_found(EntityKind::Address, id))?;
        let scope = self.scope(actor);
        // A selling team member sees the address too; storage knows the teams.
        if !scope.admits(&address) && tx.address(id, scope)?.is_none() {
            return Err(Error::Forbidden(format!(
                "{} may not change address {}: it is not assigned to them",
                actor.display_name, address.number
            )));
        }
        Ok(address)
    }

    /// Allocates `count` free business numbers for addresses of `kind`, skipping numbers that
    /// imports took from the range.
    fn allocate_numbers(
        &self,
        tx: &mut dyn Tx,
        kind: AddressKind,
        count: usize,
    ) -> Result<Vec<AddressNumber>> {
        let range = self.rules.numbers.for_kind(kind);
        let counter = NumberRanges::counter(kind);
        let mut numbers = Vec::with_capacity(count);
        while numbers.len() < count {
            let wanted = (count - numbers.len()) as i64;
            let first = tx.reserve(counter, range.start(), wanted)?;
            let last = first + wanted - 1;
            if last > range.end() {
                return Err(Error::invalid(
                    "number",
                    format!(
                        "the {kind} number range {}..={} is exhausted; widen it in the settings",
                        range.start(),
                        range.end()
                    ),
                ));
            }
            let taken = tx.numbers_taken(first, last)?;
            numbers.extend(
                (first..=last)
                    .filter(|n| taken.binary_search(n).is_err())
                    .map(AddressNumber),
            );
        }
        Ok(numbers)
    }

    /// Records the events the trace rules admit, chained to their addresses' traces, in the
    /// caller's transaction.
    fn record(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        events: impl IntoIterator<Item = DomainEvent>,
    ) -> Result<Vec<TraceId>> {
        let now = self.now();
        let traces: Vec<NewTrace> = events
            .into_iter()
            .filter(|e| self.rules.traces.admits(&e.detail))
            .map(|e| NewTrace {
                address_id: e.address,
                recorded_at: now,
                occurred_at: now,
                kind: e.detail.kind().to_owned(),
                actor: actor.user_id,
                source: CRM_SOURCE.to_owned(),
                external_id: None,
                linked: e.linked,
                summary: e.detail.summary(),
                payload: e.detail.payload(),
                audience: e.audience,
            })
            .collect();
        self.append(tx, traces)
    }

    /// Chains `traces` to their addresses' heads and stores them.
    fn append(&self, tx: &mut dyn Tx, traces: Vec<NewTrace>) -> Result<Vec<TraceId>> {
        if traces.is_empty() {
            return Ok(Vec::new());
        }
        let mut addresses: Vec<AddressId> = traces.iter().map(|t| t.address_id).collect();
        addresses.sort_unstable();
        addresses.dedup();
        let mut heads: std::collections::HashMap<AddressId, ChainHead> = tx
            .lock_chain_heads(&addresses)?
            .into_iter()
            .map(|h| (h.address_id, h))
            .collect();
        let sealed: Vec<SealedTrace> = traces
            .into_iter()
            .map(|t| {
                let head = heads
                    .entry(t.address_id)
                    .or_insert_with(|| ChainHead::empty(t.address_id));
                SealedTrace::seal(head, t)
            })
            .collect();
        tx.append_traces(&sealed)
    }

    /// Checks that responsible reps name known, active users.
    fn check_reps(&self, tx: &mut dyn Tx, reps: &[(&str, Option<UserId>)]) -> Result<()> {
        let mut v = crate::error::Validator::new();
        for (field, rep) in reps {
            if let Some(id) = rep {
                match tx.user(*id)? {
                    None => v.reject(field, format!("user {id} is unknown")),
                    Some(user) if !user.active => {
                        v.reject(field, format!("user {} is inactive", user.login));
                    }
                    Some(_) => {}
                }
            }
        }
        v.finish(|| Some(()))
    }
}

/// The responsible reps of an address: the audience of its events.
/// Whether `actor` sees all of `address` — every trace and opportunity: managers and its
/// responsible reps (others see those of the opportunities whose team they are in).
fn sees_all_of(actor: &Actor, address: &Address) -> bool {
    actor.sees_everything()
        || address.data.field_rep == Some(actor.user_id)
        || address.data.inside_rep == Some(actor.user_id)
}

fn reps(address: &Address) -> [Option<UserId>; 2] {
    [address.data.field_rep, address.data.inside_rep]
}

/// Whether `link` names `address` itself or one of its records.
fn record_of_address(tx: &mut dyn Tx, address: AddressId, link: EntityRef) -> Result<bool> {
    Ok(match link.kind {
        EntityKind::Address => link.id == address.0,
        EntityKind::Contact => tx
            .contact(ContactId(link.id))?
            .is_some_and(|c| c.address_id == address),
        EntityKind::Opportunity => tx
            .opportunity(OpportunityId(link.id))?
            .is_some_and(|o| o.address_id == address),
        EntityKind::CalendarEntry => tx
            .entry(CalendarEntryId(link.id))?
            .is_some_and(|e| e.address_id == address),
        _ => false,
    })
}

fn require_admin(actor: &Actor, what: &str) -> Result<()> {
    if actor.has(crate::user::Role::Admin) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "{} is no administrator and may not {what}",
            actor.display_name
        )))
    }
}

fn require_sales_staff(actor: &Actor, what: &str) -> Result<()> {
    if actor.is_sales_staff() {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "{} has no sales role and may not {what}",
            actor.display_name
        )))
    }
}
