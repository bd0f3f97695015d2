use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Context, record_of_address, reps, sees_all_of};
use crate::address::Address;
use crate::calendar::CalendarEntry;
use crate::contact::Contact;
use crate::entity::EntityKind;
use crate::error::{Error, Result, Validator};
use crate::ids::{AddressId, CalendarEntryId, ContactId, NoteId, OpportunityId, TraceId, UserId};
use crate::note::Note;
use crate::opportunity::Opportunity;
use crate::ports::{Store, Tx};
use crate::trace::{
    ExternalEvent, Ingested, NewTrace, Trace, TraceFilter, TracePage, TraceQuery, VerifyReport,
    chain,
};
use crate::user::{Actor, Role};
use crate::visibility::AddressScope;

/// Chains a verification reads per step.
const VERIFY_BATCH: u32 = 1_000;

/// The record a trace is about, opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum LinkedRecord {
    /// An address.
    Address(Box<Address>),
    /// A contact.
    Contact(Box<Contact>),
    /// A note.
    Note(Box<Note>),
    /// A calendar entry.
    CalendarEntry(Box<CalendarEntry>),
    /// An opportunity.
    Opportunity(Box<Opportunity>),
}

/// Traces: the context view of an address, a user's traces over all his customers, opening
/// what a trace links to, events from other systems, and the verification of the chains.
///
/// A trace is visible when its address is; traces of an opportunity only to those who may
/// see the opportunity.
pub struct TraceService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> TraceService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        TraceService { ctx }
    }

    /// The traces of an address, newest first, with the filter's comforts.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming a bad filter field; [`Error::NotFound`] when the address is
    /// not visible.
    pub fn of_address(
        &self,
        actor: &Actor,
        address: AddressId,
        filter: &TraceFilter,
    ) -> Result<TracePage> {
        let query = filter.to_query(actor.user_id)?;
        self.ctx.store.read(|tx| {
            let address = self.ctx.visible_address(tx, actor, address)?;
            traces_of_address(tx, actor, &address, query)
        })
    }

    /// The traces over all of `user`'s customers — the addresses he is responsible for and
    /// the opportunities whose selling team he is in — newest first, with the filter's
    /// comforts. Managers may read anyone's; others their own.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # use crm_core::trace::TraceFilter;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor) -> Result<()> {
    /// let decisions = crm.traces().of_user(rep, rep.user_id, &TraceFilter {
    ///     kinds: vec!["decision_won".into(), "decision_lost".into()],
    ///     ..Default::default()
    /// })?;
    /// for trace in &decisions.items {
    ///     println!("{} {} {}", trace.recorded_at, trace.address.name, trace.summary);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming a bad filter field; [`Error::NotFound`] for an unknown user;
    /// [`Error::Forbidden`] for another user's traces.
    pub fn of_user(&self, actor: &Actor, user: UserId, filter: &TraceFilter) -> Result<TracePage> {
        if user != actor.user_id && !actor.sees_everything() {
            return Err(Error::Forbidden(format!(
                "{} may only read his own traces",
                actor.display_name
            )));
        }
        let mut query = filter.to_query(actor.user_id)?;
        query.audience = Some(user);
        self.ctx.store.read(|tx| {
            if tx.user(user)?.is_none() {
                return Err(Error::not_found(EntityKind::User, user));
            }
            tx.traces(&query)
        })
    }

    /// The trace with `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or is not visible.
    pub fn get(&self, actor: &Actor, id: TraceId) -> Result<Trace> {
        self.ctx
            .store
            .read(|tx| self.visible(tx, actor, id).map(|(t, _)| t))
    }

    /// Opens the record a trace is about.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the trace is not visible, or the record no longer exists
    /// (a deleted note) — naming the record.
    pub fn open_linked(&self, actor: &Actor, id: TraceId) -> Result<LinkedRecord> {
        self.ctx.store.read(|tx| {
            let (trace, address) = self.visible(tx, actor, id)?;
            let link = trace.linked;
            let gone = || Error::not_found(link.kind, link.id);
            let record = match link.kind {
                EntityKind::Address => Some(LinkedRecord::Address(Box::new(address))),
                EntityKind::Contact => tx
                    .contact(ContactId(link.id))?
                    .map(|c| LinkedRecord::Contact(Box::new(c))),
                EntityKind::Note => tx
                    .note(NoteId(link.id))?
                    .map(|n| LinkedRecord::Note(Box::new(n))),
                EntityKind::CalendarEntry => tx
                    .entry(CalendarEntryId(link.id))?
                    .map(|e| LinkedRecord::CalendarEntry(Box::new(e))),
                EntityKind::Opportunity => tx
                    .opportunity(OpportunityId(link.id))?
                    .map(|o| LinkedRecord::Opportunity(Box::new(o))),
                _ => None,
            };
            record.ok_or_else(gone)
        })
    }

    /// Records an event reported by another system (a service desk's SLA incident, an ERP
    /// event) through the trace rules. The same source and event id is recorded once.
    /// Administrators (the integration's account) only.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the bad field (an unknown address, a linked record of
    /// another address); [`Error::Forbidden`] for non-administrators.
    pub fn ingest(&self, actor: &Actor, event: &ExternalEvent) -> Result<Ingested> {
        let mut outcomes = self
            .ingest_many(actor, std::slice::from_ref(event))
            .map_err(|e| match e {
                Error::Invalid(invalid) => Error::Invalid(
                    invalid.renamed(|f| f.strip_prefix("events[0].").map(str::to_owned)),
                ),
                other => other,
            })?;
        outcomes
            .pop()
            .ok_or_else(|| Error::Storage("no ingestion outcome".into()))
    }

    /// Records many external events in one transaction, all or none; outcomes in the order
    /// given (an id repeated within the batch is recorded once).
    ///
    /// # Errors
    /// As [`TraceService::ingest`], fields named `events[i].field`.
    pub fn ingest_many(&self, actor: &Actor, events: &[ExternalEvent]) -> Result<Vec<Ingested>> {
        if !actor.has(Role::Admin) {
            return Err(Error::Forbidden(format!(
                "{} is no administrator and may not report external events",
                actor.display_name
            )));
        }
        let mut v = Validator::new();
        let valid: Vec<Option<ExternalEvent>> = events
            .iter()
            .enumerate()
            .map(|(i, e)| match e.validate() {
                Ok(e) => Some(e),
                Err(Error::Invalid(invalid)) => {
                    for error in invalid.prefixed(&format!("events[{i}]")).errors() {
                        v.reject(&error.field, error.reason.clone());
                    }
                    None
                }
                Err(_) => None,
            })
            .collect();
        v.finish(|| Some(()))?;
        let valid: Vec<ExternalEvent> = valid.into_iter().flatten().collect();
        self.ctx.store.write(|tx| {
            let audiences = self.check_external(tx, &valid)?;
            let mut addresses: Vec<AddressId> = valid.iter().map(|e| e.address_id).collect();
            addresses.sort_unstable();
            addresses.dedup();
            tx.lock_chain_heads(&addresses)?;
            let mut recorded: HashMap<(String, String), TraceId> = HashMap::new();
            let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
            for event in &valid {
                by_source
                    .entry(event.source.as_str())
                    .or_default()
                    .push(event.external_id.as_str());
            }
            for (source, ids) in by_source {
                for (external_id, trace) in tx.external_traces(source, &ids)? {
                    recorded.insert((source.to_owned(), external_id), trace);
                }
            }
            let now = self.ctx.now();
            let mut outcomes = Vec::with_capacity(valid.len());
            let mut fresh: Vec<NewTrace> = Vec::new();
            let mut first_in_batch: HashMap<(&str, &str), usize> = HashMap::new();
            for (event, audience) in valid.iter().zip(audiences) {
                let key = (event.source.as_str(), event.external_id.as_str());
                if let Some(trace) = recorded.get(&(key.0.to_owned(), key.1.to_owned())) {
                    outcomes.push(Ok(Ingested::AlreadyRecorded { trace: *trace }));
                } else if let Some(first) = first_in_batch.get(&key) {
                    outcomes.push(Err(*first));
                } else if !self.ctx.rules.traces.traces_kind(&event.kind) {
                    outcomes.push(Ok(Ingested::NotTraced));
                } else {
                    first_in_batch.insert(key, fresh.len());
                    outcomes.push(Err(fresh.len()));
                    fresh.push(NewTrace {
                        address_id: event.address_id,
                        recorded_at: now,
                        occurred_at: event.occurred_at,
                        kind: event.kind.clone(),
                        actor: actor.user_id,
                        source: event.source.clone(),
                        external_id: Some(event.external_id.clone()),
                        linked: event.linked.unwrap_or_else(|| event.address_id.into()),
                        summary: event.summary.clone(),
                        payload: event.payload.to_string(),
                        audience,
                    });
                }
            }
            let ids = self.ctx.append(tx, fresh)?;
            outcomes
                .into_iter()
                .map(|o| match o {
                    Ok(done) => Ok(done),
                    Err(i) => ids
                        .get(i)
                        .map(|trace| Ingested::Recorded { trace: *trace })
                        .ok_or_else(|| Error::Storage("trace id missing".into())),
                })
                .collect()
        })
    }

    /// Walks every chain and reports the first broken or missing link of each broken one.
    /// Administrators only.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for non-administrators; storage failures.
    pub fn verify(&self, actor: &Actor) -> Result<VerifyReport> {
        self.verify_with_progress(actor, |_| {})
    }

    /// [`TraceService::verify`], calling `progress` with the report so far after each step
    /// of a thousand chains.
    ///
    /// # Errors
    /// As [`TraceService::verify`].
    pub fn verify_with_progress(
        &self,
        actor: &Actor,
        mut progress: impl FnMut(&VerifyReport),
    ) -> Result<VerifyReport> {
        if !actor.has(Role::Admin) {
            return Err(Error::Forbidden(format!(
                "{} is no administrator and may not verify traces",
                actor.display_name
            )));
        }
        self.ctx.store.read(|tx| {
            let mut report = VerifyReport::default();
            let mut after: Option<AddressId> = None;
            loop {
                let heads = tx.chain_heads(after, VERIFY_BATCH)?;
                let full = heads.len() == VERIFY_BATCH as usize;
                let from = AddressId(after.map_or(i64::MIN, |a| a.0.saturating_add(1)));
                // The last step reaches to the end, to find traces of addresses without head.
                let to = match heads.last() {
                    Some(last) if full => last.address_id,
                    _ => AddressId(i64::MAX),
                };
                let mut links: HashMap<AddressId, Vec<chain::StoredLink>> = HashMap::new();
                for link in tx.chain_links(from, to)? {
                    links.entry(link.record.address_id).or_default().push(link);
                }
                for head in &heads {
                    let chain = links.remove(&head.address_id).unwrap_or_default();
                    let broken = chain::verify_chain(head.address_id, Some(head), &chain);
                    report.add(chain.len(), self.numbered(tx, broken)?);
                }
                let mut orphans: Vec<_> = links.into_iter().collect();
                orphans.sort_by_key(|(address, _)| *address);
                for (address, chain) in orphans {
                    let broken = chain::verify_chain(address, None, &chain);
                    report.add(chain.len(), self.numbered(tx, broken)?);
                }
                progress(&report);
                if !full {
                    return Ok(report);
                }
                after = Some(to);
            }
        })
    }

    fn numbered(
        &self,
        tx: &mut dyn Tx,
        broken: Option<chain::BrokenLink>,
    ) -> Result<Option<chain::BrokenLink>> {
        let Some(mut link) = broken else {
            return Ok(None);
        };
        link.address_number = tx
            .address(link.address_id, AddressScope::All)?
            .map(|a| a.number);
        Ok(Some(link))
    }

    /// Checks the addresses and linked records of external events; returns each event's
    /// audience.
    fn check_external(
        &self,
        tx: &mut dyn Tx,
        events: &[ExternalEvent],
    ) -> Result<Vec<Vec<UserId>>> {
        let mut v = Validator::new();
        let mut addresses: HashMap<AddressId, Option<Address>> = HashMap::new();
        let mut audiences = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            let address = match addresses.entry(event.address_id) {
                std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(tx.address(event.address_id, AddressScope::All)?)
                }
            };
            let Some(address) = address.as_ref() else {
                v.reject(
                    &format!("events[{i}].address_id"),
                    format!("address {} does not exist", event.address_id),
                );
                audiences.push(Vec::new());
                continue;
            };
            let mut audience: Vec<UserId> = reps(address).into_iter().flatten().collect();
            if let Some(link) = event.linked {
                if !record_of_address(tx, address.id, link)? {
                    v.reject(
                        &format!("events[{i}].linked"),
                        format!("{link} is no record of address {}", address.number),
                    );
                } else if link.kind == EntityKind::Opportunity
                    && let Some(o) = tx.opportunity(OpportunityId(link.id))?
                {
                    audience.extend(o.team.iter().map(|m| m.user));
                }
            }
            audience.sort_unstable();
            audience.dedup();
            audiences.push(audience);
        }
        v.finish(|| Some(audiences))
    }

    /// Loads a trace the actor may see, with its address.
    fn visible(&self, tx: &mut dyn Tx, actor: &Actor, id: TraceId) -> Result<(Trace, Address)> {
        let hidden = || Error::not_found(EntityKind::Trace, id);
        let trace = tx.trace(id)?.ok_or_else(hidden)?;
        let address = tx
            .address(trace.address.id, self.ctx.scope(actor))?
            .ok_or_else(hidden)?;
        if trace.linked.kind == EntityKind::Opportunity
            && let Some(o) = tx.opportunity(OpportunityId(trace.linked.id))?
            && o.access_of(actor, &address).is_none()
        {
            return Err(hidden());
        }
        Ok((trace, address))
    }
}

/// The traces `query` selects of `address` (which the actor may see): those of opportunities
/// whose team he is not in are hidden unless he sees all of the address.
pub(super) fn traces_of_address(
    tx: &mut dyn Tx,
    actor: &Actor,
    address: &Address,
    mut query: TraceQuery,
) -> Result<TracePage> {
    query.address = Some(address.id);
    query.hide_foreign_opportunities = (!sees_all_of(actor, address)).then_some(actor.user_id);
    tx.traces(&query)
}
