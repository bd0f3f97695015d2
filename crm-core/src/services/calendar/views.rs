//! Reading calendars: one entry, an address's calendar, a user's calendar, the agenda.

use chrono::{DateTime, Duration, Utc};

use super::{CalendarService, MAX_AGENDA, load};
use crate::calendar::{CalendarEntry, EntryKind, EntryStatus, ListedEntry, Occurrence, TimeRange};
use crate::entity::EntityKind;
use crate::error::{Error, Result};
use crate::ids::{AddressId, CalendarEntryId, UserId};
use crate::ports::Store;
use crate::search::{Page, PageRequest};
use crate::user::Actor;
use crate::visibility::AddressScope;

impl<S: Store> CalendarService<'_, S> {
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
        let now = self.ctx.now();
        self.ctx.store.read(|tx| {
            upcoming(now, limit, BUSY, |range| {
                tx.user_entries(actor.user_id, range, AddressScope::All)
            })
        })
    }
}

/// How far a busy calendar (a user's) is looked ahead, step by step while fewer entries are
/// found than asked for: a field rep has a dozen or more entries a day, so the first day
/// usually holds the few a dashboard or an agenda shows, and a week of them (a hundred and
/// more, each with its attendees) is read only when it does not.
pub(in crate::services) const BUSY: &[i64] = &[1, 7, 31, 120, 366];
/// How far a quiet calendar (an address's, with a few entries a year) is looked ahead: a
/// year at once.
pub(in crate::services) const QUIET: &[i64] = &[366];

/// The next `limit` occurrences (at most [`MAX_AGENDA`]) from `now` that are not cancelled,
/// entries in progress included, of the entries `entries_in` finds in a range: looking
/// `steps` days ahead, the next step only while fewer are found.
pub(in crate::services) fn upcoming(
    now: DateTime<Utc>,
    limit: usize,
    steps: &[i64],
    mut entries_in: impl FnMut(TimeRange) -> Result<Vec<ListedEntry>>,
) -> Result<Vec<Occurrence>> {
    let limit = limit.clamp(1, MAX_AGENDA);
    let mut found = Vec::new();
    for &days in steps {
        let range = TimeRange::new(now, now + Duration::days(days))?;
        found = occurrences(&entries_in(range)?, range);
        found.retain(|o| o.status != EntryStatus::Cancelled);
        if found.len() >= limit {
            break;
        }
    }
    found.truncate(limit);
    Ok(found)
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
