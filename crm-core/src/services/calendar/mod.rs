//! Calendar entries: writing them here, reading calendars in `views`, the steps shared with
//! opportunities' milestones in `entries`, missed SLA deadlines in `sla`.

mod entries;
mod sla;
mod views;

pub(super) use views::{BUSY, QUIET, upcoming};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub(super) use entries::{
    check_references, insert_entry, milestone_link, moved_milestone, save_entry, with_status,
};

use super::Context;
use crate::address::Address;
use crate::calendar::{CalendarEntry, EntryData, EntryDetails, EntryInput, EntryStatus, NewEntry};
use crate::entity::EntityKind;
use crate::error::{Error, Result, Validator};
use crate::ids::{AddressId, CalendarEntryId, Version};
use crate::note::note_text;
use crate::ports::{Store, Tx};
use crate::user::Actor;
use crate::visibility::AddressScope;
use entries::{opened_event, refuse_opportunity_link};

/// Which SLA deadline an event answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaEvent {
    /// The service desk responded.
    Responded,
    /// The incident was resolved.
    Resolved,
}

/// The most occurrences an agenda returns.
pub const MAX_AGENDA: usize = 100;

/// Calendar entries of addresses and users.
///
/// An entry is visible with its address, and to the users who take part in it or work on it;
/// whoever may change the address, and those users, may change the entry.
pub struct CalendarService<'a, S> {
    ctx: &'a Context<S>,
}

impl<'a, S: Store> CalendarService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        CalendarService { ctx }
    }

    /// Creates an entry for an address.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # use crm_core::calendar::EntryInput;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor, id: AddressId) -> Result<()> {
    /// let visit = crm.calendar().create(rep, &EntryInput {
    ///     address_id: Some(id),
    ///     kind: Some("activity".into()),
    ///     entry_type: Some("visit".into()),
    ///     title: "Jahresgespräch".into(),
    ///     start: Some("2026-12-01T09:00".into()),
    ///     end: Some("2026-12-01T10:30".into()),
    ///     ..Default::default()
    /// })?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each bad field (unknown people, contacts of another address
    /// included); [`Error::NotFound`] / [`Error::Forbidden`] for the address.
    pub fn create(&self, actor: &Actor, input: &EntryInput) -> Result<CalendarEntry> {
        let valid = input.validate()?;
        refuse_opportunity_link(&valid.data, "")?;
        self.ctx.store.write(|tx| {
            let address = self.ctx.address_for_write(tx, actor, valid.address_id)?;
            insert_entry(self.ctx, tx, actor, &address, valid)
        })
    }

    /// Imports many entries in one transaction, all or none — for a host's initial load and
    /// for demo data. Administrators only.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `entries[i].field` (the first 100 errors);
    /// [`Error::Forbidden`] for non-administrators.
    pub fn import(&self, actor: &Actor, inputs: &[EntryInput]) -> Result<usize> {
        if !actor.has(crate::user::Role::Admin) {
            return Err(Error::Forbidden(format!(
                "{} is no administrator and may not import calendar entries",
                actor.display_name
            )));
        }
        let mut errors = Vec::new();
        let mut valid = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            match input
                .validate()
                .and_then(|e| refuse_opportunity_link(&e.data, "").map(|()| e))
            {
                Ok(entry) => valid.push(entry),
                Err(Error::Invalid(e)) if errors.len() < 100 => {
                    errors.extend(
                        e.prefixed(&format!("entries[{i}]"))
                            .errors()
                            .iter()
                            .cloned(),
                    );
                }
                Err(Error::Invalid(_)) => {}
                Err(other) => return Err(other),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(crate::error::Invalid::from_errors(errors)));
        }
        self.ctx.store.write(|tx| {
            let mut checked: std::collections::HashMap<AddressId, Address> = Default::default();
            let mut v = Validator::new();
            for (i, entry) in valid.iter().enumerate() {
                let address = match checked.entry(entry.address_id) {
                    std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        match tx.address(entry.address_id, AddressScope::All)? {
                            Some(address) => slot.insert(address),
                            None => {
                                v.reject(
                                    &format!("entries[{i}].address_id"),
                                    format!("address {} does not exist", entry.address_id),
                                );
                                continue;
                            }
                        }
                    }
                };
                if let Err(Error::Invalid(e)) = check_references(tx, address, entry) {
                    for error in e.prefixed(&format!("entries[{i}]")).errors() {
                        v.reject(&error.field, error.reason.clone());
                    }
                }
            }
            v.finish(|| Some(()))?;
            let created = self.ctx.stamp(actor);
            let new: Vec<NewEntry> = valid
                .into_iter()
                .map(|entry| NewEntry {
                    address_id: entry.address_id,
                    data: entry.data,
                    created,
                })
                .collect();
            let ids = tx.insert_entries(&new)?;
            let mut events = Vec::new();
            for (id, entry) in ids.iter().zip(new) {
                let Some(address) = checked.get(&entry.address_id) else {
                    continue;
                };
                events.extend(opened_event(*id, address, &entry.data));
                if let EntryDetails::Assignment { sla: Some(_), .. } = &entry.data.details {
                    let stored = CalendarEntry {
                        id: *id,
                        address_id: entry.address_id,
                        data: entry.data,
                        moves: Vec::new(),
                        created: entry.created,
                        updated: entry.created,
                        version: Version::FIRST,
                    };
                    events.extend(sla::breach_events(self.ctx, tx, address, &stored)?);
                }
            }
            self.ctx.record(tx, actor, events)?;
            Ok(ids.len())
        })
    }

    /// Replaces an entry's content. Kind and address stay. A milestone whose date changes
    /// records the move (old and new date), and SLA responses already recorded are kept.
    ///
    /// # Errors
    /// [`Error::Invalid`]; [`Error::Conflict`] for a stale version; [`Error::NotFound`];
    /// [`Error::Forbidden`].
    pub fn update(
        &self,
        actor: &Actor,
        id: CalendarEntryId,
        expected: Version,
        input: &EntryInput,
    ) -> Result<CalendarEntry> {
        let valid = input.validate()?;
        self.ctx.store.write(|tx| {
            let (current, address) = self.for_write(tx, actor, id, expected)?;
            refuse_opportunity_link(&valid.data, "")?;
            let mut v = Validator::new();
            if valid.address_id != current.address_id {
                v.reject("address_id", "an entry stays with its address");
            }
            if valid.data.details.kind() != current.data.details.kind() {
                v.reject(
                    "kind",
                    format!(
                        "{} stays {}",
                        current.data.details.kind().with_article(),
                        current.data.details.kind().with_article()
                    ),
                );
            }
            v.finish(|| Some(()))?;
            check_references(tx, &address, &valid)?;
            let mut data = valid.data;
            keep_sla_events(&current.data, &mut data);
            save_entry(self.ctx, tx, actor, &address, current, data, None)
        })
    }

    /// Moves a milestone to a new date (`2027-03-01` or a local time); the previous date is
    /// kept in its history.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `due`, or `kind` when the entry is no milestone; as
    /// [`CalendarService::update`].
    pub fn move_milestone(
        &self,
        actor: &Actor,
        id: CalendarEntryId,
        expected: Version,
        due: &str,
    ) -> Result<CalendarEntry> {
        self.ctx.store.write(|tx| {
            let (current, address) = self.for_write(tx, actor, id, expected)?;
            let data = moved_milestone(&current, due)?;
            save_entry(self.ctx, tx, actor, &address, current, data, None)
        })
    }

    /// Marks an entry done or cancelled (or planned again), with an optional report.
    /// Completing an incident records its resolution time if none was recorded.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `outcome`; as [`CalendarService::update`].
    pub fn set_status(
        &self,
        actor: &Actor,
        id: CalendarEntryId,
        expected: Version,
        status: EntryStatus,
        outcome: Option<&str>,
    ) -> Result<CalendarEntry> {
        let outcome = outcome
            .map(|o| note_text(o).map_err(|e| e.at("outcome")))
            .transpose()?;
        self.ctx.store.write(|tx| {
            let (current, address) = self.for_write(tx, actor, id, expected)?;
            let data = with_status(self.ctx.now(), &current, status, outcome.clone());
            save_entry(self.ctx, tx, actor, &address, current, data, None)
        })
    }

    /// Records when the service desk responded to, or resolved, an incident.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `sla` when the entry has no SLA; as
    /// [`CalendarService::update`].
    pub fn record_sla(
        &self,
        actor: &Actor,
        id: CalendarEntryId,
        expected: Version,
        event: SlaEvent,
        at: DateTime<Utc>,
    ) -> Result<CalendarEntry> {
        self.ctx.store.write(|tx| {
            let (current, address) = self.for_write(tx, actor, id, expected)?;
            let mut data = current.data.clone();
            let EntryDetails::Assignment { sla: Some(sla), .. } = &mut data.details else {
                return Err(Error::invalid(
                    "sla",
                    "the entry has no service level agreement",
                ));
            };
            match event {
                SlaEvent::Responded => sla.responded_at = Some(at),
                SlaEvent::Resolved => sla.resolved_at = Some(at),
            }
            save_entry(self.ctx, tx, actor, &address, current, data, None)
        })
    }

    fn for_write(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: CalendarEntryId,
        expected: Version,
    ) -> Result<(CalendarEntry, Address)> {
        let entry = load(tx, id)?;
        refuse_opportunity_link(&entry.data, "changed")?;
        let takes_part = entry
            .data
            .details
            .people()
            .iter()
            .any(|(u, _)| *u == actor.user_id);
        let address = if takes_part {
            tx.address(entry.address_id, AddressScope::All)?
                .ok_or_else(|| Error::not_found(EntityKind::Address, entry.address_id))?
        } else {
            self.ctx.address_for_write(tx, actor, entry.address_id)?
        };
        if entry.version != expected {
            return Err(Error::conflict(EntityKind::CalendarEntry, id, expected.0));
        }
        Ok((entry, address))
    }
}

fn load(tx: &mut dyn Tx, id: CalendarEntryId) -> Result<CalendarEntry> {
    tx.entry(id)?
        .ok_or_else(|| Error::not_found(EntityKind::CalendarEntry, id))
}

/// Response and resolution times belong to what happened, not to the form: an edit keeps
/// them as long as the entry still has an SLA.
fn keep_sla_events(current: &EntryData, next: &mut EntryData) {
    if let (
        EntryDetails::Assignment { sla: Some(old), .. },
        EntryDetails::Assignment { sla: Some(new), .. },
    ) = (&current.details, &mut next.details)
    {
        new.responded_at = old.responded_at;
        new.resolved_at = old.resolved_at;
    }
}
