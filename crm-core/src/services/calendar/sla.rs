//! Missed SLA deadlines: noticed when an incident is saved with a late response or
//! resolution, and by a sweep over incidents whose deadlines passed unanswered. Each missed
//! deadline is noted once and becomes an `sla_breached` event.

use super::{CalendarService, load};
use crate::address::Address;
use crate::calendar::{CalendarEntry, EntryDetails, EntryStatus, SlaState};
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ports::{Store, Tx};
use crate::services::{Context, reps};
use crate::trace::{DomainEvent, EventDetail, SlaDeadline};
use crate::user::{Actor, Role};
use crate::visibility::AddressScope;

/// Incidents a sweep handles per transaction.
const SWEEP_BATCH: u32 = 500;

impl<S: Store> CalendarService<'_, S> {
    /// Notes every SLA deadline missed by now that was not noted yet — incidents nobody
    /// responded to or resolved in time — and records an `sla_breached` event for each. For
    /// the host's scheduler; administrators only. Returns how many deadlines were noted.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for non-administrators; storage failures.
    pub fn note_sla_breaches(&self, actor: &Actor) -> Result<usize> {
        if !actor.has(Role::Admin) {
            return Err(Error::Forbidden(format!(
                "{} is no administrator and may not sweep SLA deadlines",
                actor.display_name
            )));
        }
        let mut noted = 0;
        loop {
            let found = self.ctx.store.write(|tx| {
                let due = tx.unnoted_sla_breaches(self.ctx.now(), SWEEP_BATCH)?;
                let mut noted = 0;
                for (id, _) in &due {
                    let entry = load(tx, *id)?;
                    let address = tx
                        .address(entry.address_id, AddressScope::All)?
                        .ok_or_else(|| Error::not_found(EntityKind::Address, entry.address_id))?;
                    noted += breaches(self.ctx, tx, actor, &address, &entry)?;
                }
                Ok((due.len(), noted))
            })?;
            noted += found.1;
            if found.0 < SWEEP_BATCH as usize {
                return Ok(noted);
            }
        }
    }
}

/// Notes the deadlines of `entry` missed by now and records their events; returns how many
/// were new.
pub(in crate::services) fn breaches<S: Store>(
    ctx: &Context<S>,
    tx: &mut dyn Tx,
    actor: &Actor,
    address: &Address,
    entry: &CalendarEntry,
) -> Result<usize> {
    let events = breach_events(ctx, tx, address, entry)?;
    let noted = events.len();
    ctx.record(tx, actor, events)?;
    Ok(noted)
}

/// Notes the deadlines of `entry` missed by now; returns their events for the caller to
/// record.
pub(in crate::services) fn breach_events<S: Store>(
    ctx: &Context<S>,
    tx: &mut dyn Tx,
    address: &Address,
    entry: &CalendarEntry,
) -> Result<Vec<DomainEvent>> {
    let EntryDetails::Assignment { sla: Some(sla), .. } = &entry.data.details else {
        return Ok(Vec::new());
    };
    if entry.data.status == EntryStatus::Cancelled {
        return Ok(Vec::new());
    }
    let now = ctx.now();
    let mut events = Vec::new();
    for (deadline, state, due, done_at) in [
        (
            SlaDeadline::Response,
            sla.response_state(now),
            sla.response_due,
            sla.responded_at,
        ),
        (
            SlaDeadline::Resolution,
            sla.resolution_state(now),
            sla.resolution_due,
            sla.resolved_at,
        ),
    ] {
        if state == SlaState::Breached && tx.note_sla_breach(entry.id, deadline)? {
            events.push(DomainEvent::new(
                address.id,
                entry.id.into(),
                reps(address),
                EventDetail::SlaBreached {
                    title: entry.data.title.clone(),
                    deadline,
                    due,
                    done_at,
                },
            ));
        }
    }
    Ok(events)
}
