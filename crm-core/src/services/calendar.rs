use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Context;
use crate::address::Address;
use crate::calendar::{
    CalendarEntry, EntryData, EntryDetails, EntryInput, EntryKind, EntryStatus, ListedEntry,
    MilestoneMove, NewEntry, Occurrence, TimeRange, ValidEntry, Written,
};
use crate::entity::{EntityKind, EntityRef};
use crate::error::{Error, Result, Validator};
use crate::ids::{AddressId, CalendarEntryId, ContactId, UserId, Version};
use crate::note::note_text;
use crate::ports::{Store, Tx};
use crate::search::{Page, PageRequest};
use crate::user::Actor;
use crate::visibility::AddressScope;

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
        self.ctx.store.write(|tx| {
            let address = self.ctx.address_for_write(tx, actor, valid.address_id)?;
            self.check_references(tx, &address, &valid)?;
            let created = self.ctx.stamp(actor);
            let new = NewEntry {
                address_id: valid.address_id,
                data: valid.data,
                created,
            };
            let id = tx.insert_entry(&new)?;
            Ok(CalendarEntry {
                id,
                address_id: new.address_id,
                data: new.data,
                moves: Vec::new(),
                created,
                updated: created,
                version: Version::FIRST,
            })
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
            match input.validate() {
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
                if let Err(Error::Invalid(e)) = self.check_references(tx, address, entry) {
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
            tx.insert_entries(&new)?;
            Ok(new.len())
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
            self.check_references(tx, &address, &valid)?;
            let mut data = valid.data;
            keep_sla_events(&current.data, &mut data);
            self.save(tx, actor, current, data, expected)
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
            let (current, _) = self.for_write(tx, actor, id, expected)?;
            if current.data.details.kind() != EntryKind::Milestone {
                return Err(Error::invalid("kind", "only milestones are moved"));
            }
            let zone = current.data.when.zone;
            let written = Written::parse(due).map_err(|e| e.at("due"))?;
            let at = zone.instant(written.local_in(zone));
            let mut data = current.data.clone();
            data.when.start = at;
            data.when.end = at;
            data.when.all_day = written.is_date();
            self.save(tx, actor, current, data, expected)
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
            let (current, _) = self.for_write(tx, actor, id, expected)?;
            let mut data = current.data.clone();
            data.status = status;
            if outcome.is_some() {
                data.outcome = outcome.clone();
            }
            if status == EntryStatus::Done
                && let EntryDetails::Assignment { sla: Some(sla), .. } = &mut data.details
                && sla.resolved_at.is_none()
            {
                sla.resolved_at = Some(self.ctx.now());
            }
            self.save(tx, actor, current, data, expected)
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
            let (current, _) = self.for_write(tx, actor, id, expected)?;
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
            self.save(tx, actor, current, data, expected)
        })
    }

    /// The entry with `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or the actor may see neither its address
    /// nor take part in it.
    pub fn get(&self, actor: &Actor, id: CalendarEntryId) -> Result<CalendarEntry> {
        self.ctx.store.read(|tx| {
            let entry = load(tx, id)?;
            let takes_part = entry
                .data
                .details
                .people()
                .iter()
                .any(|(u, _)| *u == actor.user_id);
            if !takes_part
                && tx
                    .address(entry.address_id, self.ctx.scope(actor))?
                    .is_none()
            {
                return Err(Error::not_found(EntityKind::CalendarEntry, id));
            }
            Ok(entry)
        })
    }

    /// Every occurrence of every kind (or of `kinds`) for one address in `range`, by start.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the address is not visible; [`Error::Invalid`] for a bad page.
    pub fn address_calendar(
        &self,
        actor: &Actor,
        address: AddressId,
        range: TimeRange,
        kinds: &[EntryKind],
        page: PageRequest,
    ) -> Result<Page<Occurrence>> {
        let page = page.validate()?;
        let entries = self.address_entries(actor, address, range, kinds)?;
        Ok(paginate(occurrences(&entries, range), page))
    }

    /// The entries (recurring ones as one series) behind
    /// [`CalendarService::address_calendar`], for exports.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the address is not visible.
    pub fn address_entries(
        &self,
        actor: &Actor,
        address: AddressId,
        range: TimeRange,
        kinds: &[EntryKind],
    ) -> Result<Vec<ListedEntry>> {
        self.ctx.store.read(|tx| {
            self.ctx.visible_address(tx, actor, address)?;
            tx.address_entries(address, range, kinds)
        })
    }

    /// Every occurrence in `user`'s calendar in `range`: entries of the addresses he is
    /// responsible for, and those he takes part in or works on. Another user's calendar is
    /// limited to the addresses the actor may see.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user; [`Error::Invalid`] for a bad page.
    pub fn user_calendar(
        &self,
        actor: &Actor,
        user: UserId,
        range: TimeRange,
        page: PageRequest,
    ) -> Result<Page<Occurrence>> {
        let page = page.validate()?;
        let entries = self.user_entries(actor, user, range)?;
        Ok(paginate(occurrences(&entries, range), page))
    }

    /// The entries (recurring ones as one series) behind [`CalendarService::user_calendar`],
    /// for exports.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown user.
    pub fn user_entries(
        &self,
        actor: &Actor,
        user: UserId,
        range: TimeRange,
    ) -> Result<Vec<ListedEntry>> {
        self.ctx.store.read(|tx| {
            if tx.user(user)?.is_none() {
                return Err(Error::not_found(EntityKind::User, user));
            }
            let scope = if user == actor.user_id {
                AddressScope::All
            } else {
                self.ctx.scope(actor)
            };
            tx.user_entries(user, range, scope)
        })
    }

    /// The actor's next `limit` occurrences from now (at most [`MAX_AGENDA`]), looking up to
    /// a year ahead; entries in progress count.
    ///
    /// # Errors
    /// Storage failures.
    pub fn agenda(&self, actor: &Actor, limit: usize) -> Result<Vec<Occurrence>> {
        let limit = limit.clamp(1, MAX_AGENDA);
        let now = self.ctx.now();
        let mut found = Vec::new();
        for days in [7, 31, 120, 366] {
            let range = TimeRange::new(now, now + Duration::days(days))?;
            let entries = self
                .ctx
                .store
                .read(|tx| tx.user_entries(actor.user_id, range, AddressScope::All))?;
            found = occurrences(&entries, range);
            found.retain(|o| o.status != EntryStatus::Cancelled);
            if found.len() >= limit {
                break;
            }
        }
        found.truncate(limit);
        Ok(found)
    }

    fn check_references(
        &self,
        tx: &mut dyn Tx,
        address: &Address,
        valid: &ValidEntry,
    ) -> Result<()> {
        let mut v = Validator::new();
        let data = &valid.data;
        for (i, contact) in data.contacts.iter().enumerate() {
            let belongs = tx
                .contact(*contact)?
                .is_some_and(|c| c.address_id == address.id);
            if !belongs {
                v.reject(
                    &format!("contacts[{i}]"),
                    format!(
                        "contact {contact} is no contact of address {}",
                        address.number
                    ),
                );
            }
        }
        for (i, (user, role)) in data.details.people().iter().enumerate() {
            let field = match role {
                crate::calendar::PersonRole::Participant => format!("participants[{i}]"),
                crate::calendar::PersonRole::Technician => format!("technicians[{i}]"),
            };
            match tx.user(*user)? {
                None => v.reject(&field, format!("user {user} is unknown")),
                Some(u) if !u.active => v.reject(&field, format!("user {} is inactive", u.login)),
                Some(_) => {}
            }
        }
        if let EntryDetails::Milestone {
            linked: Some(link), ..
        } = &data.details
            && !links_to(tx, address, *link)?
        {
            v.reject(
                "linked",
                format!("{link} is no record of address {}", address.number),
            );
        }
        v.finish(|| Some(()))
    }

    fn for_write(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        id: CalendarEntryId,
        expected: Version,
    ) -> Result<(CalendarEntry, Address)> {
        let entry = load(tx, id)?;
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

    fn save(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        current: CalendarEntry,
        data: EntryData,
        expected: Version,
    ) -> Result<CalendarEntry> {
        let updated = self.ctx.stamp(actor);
        if !tx.update_entry(current.id, expected, &data, updated)? {
            return Err(Error::conflict(
                EntityKind::CalendarEntry,
                current.id,
                expected.0,
            ));
        }
        let mut moves = current.moves.clone();
        if current.data.details.kind() == EntryKind::Milestone
            && current.data.when.start != data.when.start
        {
            let moved = MilestoneMove {
                from: current.data.when.start,
                to: data.when.start,
                moved: updated,
            };
            tx.add_milestone_move(current.id, &moved)?;
            moves.push(moved);
        }
        Ok(CalendarEntry {
            data,
            moves,
            updated,
            version: expected.next(),
            ..current
        })
    }
}

fn load(tx: &mut dyn Tx, id: CalendarEntryId) -> Result<CalendarEntry> {
    tx.entry(id)?
        .ok_or_else(|| Error::not_found(EntityKind::CalendarEntry, id))
}

/// A milestone may point at its address or one of the address's contacts; later record kinds
/// (opportunities, projects) join here.
fn links_to(tx: &mut dyn Tx, address: &Address, link: EntityRef) -> Result<bool> {
    Ok(match link.kind {
        EntityKind::Address => link.id == address.id.0,
        EntityKind::Contact => tx
            .contact(ContactId(link.id))?
            .is_some_and(|c| c.address_id == address.id),
        _ => false,
    })
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

fn occurrences(entries: &[ListedEntry], range: TimeRange) -> Vec<Occurrence> {
    let mut all: Vec<Occurrence> = entries
        .iter()
        .flat_map(|e| e.occurrences(range.from, range.to))
        .collect();
    all.sort_by(|a, b| a.start.cmp(&b.start).then(a.entry_id.cmp(&b.entry_id)));
    all
}

fn paginate(all: Vec<Occurrence>, page: PageRequest) -> Page<Occurrence> {
    let total = all.len() as u64;
    let items = all
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(page.limit as usize)
        .collect();
    Page {
        items,
        total,
        offset: page.offset,
        limit: page.limit,
    }
}
