//! Milestones of an opportunity: calendar entries of kind milestone linked to it, added,
//! moved and completed through the opportunity (so that its team's access applies and a
//! move is traced as news of the opportunity).

use super::OpportunityService;
use crate::calendar::{CalendarEntry, EntryInput, EntryStatus};
use crate::entity::{EntityKind, EntityRef};
use crate::error::{Error, Result};
use crate::ids::{CalendarEntryId, OpportunityId, Version};
use crate::note::note_text;
use crate::opportunity::{MilestoneInput, Opportunity};
use crate::ports::{Store, Tx};
use crate::services::calendar::{
    insert_entry, milestone_link, moved_milestone, save_entry, with_status,
};
use crate::user::Actor;

impl<S: Store> OpportunityService<'_, S> {
    /// Adds a milestone (offer deadline, customer decision …) to an opportunity; it appears
    /// in the calendars of the address's reps.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `milestone_type`, `title`, `due` or `time_zone`;
    /// [`Error::NotFound`] / [`Error::Forbidden`] for the opportunity.
    pub fn add_milestone(
        &self,
        actor: &Actor,
        id: OpportunityId,
        input: &MilestoneInput,
    ) -> Result<CalendarEntry> {
        self.ctx.store.write(|tx| {
            let (opportunity, address) = self.editable(tx, actor, id)?;
            let entry = EntryInput {
                address_id: Some(address.id),
                kind: Some("milestone".into()),
                entry_type: Some(input.milestone_type.clone()).filter(|t| !t.trim().is_empty()),
                title: input.title.clone(),
                description: input.description.clone(),
                due: Some(input.due.clone()),
                time_zone: input.time_zone.clone(),
                linked: Some(opportunity.id.into()),
                ..Default::default()
            };
            // The calendar calls the milestone's type `type`; this input `milestone_type`.
            let valid = entry.validate().map_err(|e| match e {
                Error::Invalid(invalid) => Error::Invalid(
                    invalid.renamed(|f| (f == "type").then(|| "milestone_type".to_owned())),
                ),
                other => other,
            })?;
            insert_entry(self.ctx, tx, actor, &address, valid)
        })
    }

    /// Moves a milestone of the opportunity to `due` (`2027-03-01` or a local time); moves by
    /// the configured number of days or more are traced.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `due`; [`Error::NotFound`] when the entry is no milestone of
    /// the opportunity; [`Error::Conflict`] for a stale entry version; [`Error::Forbidden`].
    pub fn move_milestone(
        &self,
        actor: &Actor,
        id: OpportunityId,
        entry: CalendarEntryId,
        expected: Version,
        due: &str,
    ) -> Result<CalendarEntry> {
        self.ctx.store.write(|tx| {
            let (opportunity, address) = self.editable(tx, actor, id)?;
            let current = milestone_of(tx, &opportunity, entry, expected)?;
            let data = moved_milestone(&current, due)?;
            save_entry(
                self.ctx,
                tx,
                actor,
                &address,
                current,
                data,
                Some(&opportunity),
            )
        })
    }

    /// Marks a milestone of the opportunity done, with an optional report.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `outcome`; as [`OpportunityService::move_milestone`].
    pub fn complete_milestone(
        &self,
        actor: &Actor,
        id: OpportunityId,
        entry: CalendarEntryId,
        expected: Version,
        outcome: Option<&str>,
    ) -> Result<CalendarEntry> {
        let outcome = outcome
            .map(|o| note_text(o).map_err(|e| e.at("outcome")))
            .transpose()?;
        self.ctx.store.write(|tx| {
            let (opportunity, address) = self.editable(tx, actor, id)?;
            let current = milestone_of(tx, &opportunity, entry, expected)?;
            let data = with_status(self.ctx.now(), &current, EntryStatus::Done, outcome.clone());
            save_entry(
                self.ctx,
                tx,
                actor,
                &address,
                current,
                data,
                Some(&opportunity),
            )
        })
    }

    /// The milestones of an opportunity, by date.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the opportunity does not exist or is not visible.
    pub fn milestones(&self, actor: &Actor, id: OpportunityId) -> Result<Vec<CalendarEntry>> {
        self.ctx.store.read(|tx| {
            let (opportunity, _) = self.visible(tx, actor, id)?;
            let ids = tx.entries_linked_to(opportunity.id.into())?;
            let mut entries = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(entry) = tx.entry(id)? {
                    entries.push(entry);
                }
            }
            entries.sort_by_key(|e| (e.data.when.start, e.id));
            Ok(entries)
        })
    }
}

/// The milestone `entry` of `opportunity` at version `expected`.
fn milestone_of(
    tx: &mut dyn Tx,
    opportunity: &Opportunity,
    entry: CalendarEntryId,
    expected: Version,
) -> Result<CalendarEntry> {
    let link = EntityRef::from(opportunity.id);
    let current = tx
        .entry(entry)?
        .filter(|e| milestone_link(e) == Some(link))
        .ok_or_else(|| Error::not_found(EntityKind::CalendarEntry, entry))?;
    if current.version != expected {
        return Err(Error::conflict(
            EntityKind::CalendarEntry,
            entry,
            expected.0,
        ));
    }
    Ok(current)
}
