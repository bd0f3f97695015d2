//! The steps of writing an entry that the calendar and the opportunities share: checking
//! its references, inserting it, saving a change with its milestone move, and the events
//! both record.

use chrono::{DateTime, Utc};

use super::sla::breaches;
use crate::address::Address;
use crate::calendar::{
    CalendarEntry, EntryData, EntryDetails, EntryKind, EntryStatus, MilestoneMove, NewEntry,
    PersonRole, ValidEntry, Written,
};
use crate::entity::{EntityKind, EntityRef};
use crate::error::{Error, Result, Validator};
use crate::ids::{CalendarEntryId, Version};
use crate::opportunity::Opportunity;
use crate::ports::{Store, Tx};
use crate::services::{Context, record_of_address, reps};
use crate::trace::{DomainEvent, EventDetail, OpportunityRef};
use crate::user::Actor;

/// Milestones of opportunities are added, moved and completed through the opportunity.
pub(in crate::services) fn refuse_opportunity_link(data: &EntryData, verb: &str) -> Result<()> {
    if let EntryDetails::Milestone {
        linked: Some(link), ..
    } = &data.details
        && link.kind == EntityKind::Opportunity
    {
        let what = if verb.is_empty() {
            "added, moved and completed"
        } else {
            verb
        };
        return Err(Error::invalid(
            "linked",
            format!(
                "milestones of opportunity {} are {what} through the opportunity",
                link.id
            ),
        ));
    }
    Ok(())
}

/// Checks that contacts belong to the address, people are active users and a milestone's
/// link names a record of the address.
pub(in crate::services) fn check_references(
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
            PersonRole::Participant => format!("participants[{i}]"),
            PersonRole::Technician => format!("technicians[{i}]"),
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
        && !record_of_address(tx, address.id, *link)?
    {
        v.reject(
            "linked",
            format!("{link} is no record of address {}", address.number),
        );
    }
    v.finish(|| Some(()))
}

/// Checks and inserts a new entry of `address`, recording an opened assignment.
pub(in crate::services) fn insert_entry<S: Store>(
    ctx: &Context<S>,
    tx: &mut dyn Tx,
    actor: &Actor,
    address: &Address,
    valid: ValidEntry,
) -> Result<CalendarEntry> {
    check_references(tx, address, &valid)?;
    let created = ctx.stamp(actor);
    let new = NewEntry {
        address_id: valid.address_id,
        data: valid.data,
        created,
    };
    let id = tx.insert_entry(&new)?;
    ctx.record(tx, actor, opened_event(id, address, &new.data))?;
    let entry = CalendarEntry {
        id,
        address_id: new.address_id,
        data: new.data,
        moves: Vec::new(),
        created,
        updated: created,
        version: Version::FIRST,
    };
    breaches(ctx, tx, actor, address, &entry)?;
    Ok(entry)
}

/// The event of a new assignment; `None` for other kinds.
pub(in crate::services) fn opened_event(
    id: CalendarEntryId,
    address: &Address,
    data: &EntryData,
) -> Option<DomainEvent> {
    let EntryDetails::Assignment {
        assignment_type,
        sla,
        ..
    } = &data.details
    else {
        return None;
    };
    Some(DomainEvent::new(
        address.id,
        id.into(),
        reps(address),
        EventDetail::AssignmentOpened {
            title: data.title.clone(),
            assignment_type: *assignment_type,
            start: data.when.start,
            resolution_due: sla.map(|s| s.resolution_due),
        },
    ))
}

/// Saves `data` over `current` (whose version the caller checked), keeps a milestone's
/// move and records it, and records SLA deadlines missed. `opportunity` is the record a
/// milestone belongs to, whose team hears of its moves.
pub(in crate::services) fn save_entry<S: Store>(
    ctx: &Context<S>,
    tx: &mut dyn Tx,
    actor: &Actor,
    address: &Address,
    current: CalendarEntry,
    data: EntryData,
    opportunity: Option<&Opportunity>,
) -> Result<CalendarEntry> {
    let updated = ctx.stamp(actor);
    let expected = current.version;
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
        let team = opportunity
            .into_iter()
            .flat_map(|o| o.team.iter().map(|m| Some(m.user)));
        // A milestone of an opportunity is news of the opportunity: its trace links there.
        let linked = opportunity.map_or_else(|| current.id.into(), |o| o.id.into());
        let event = DomainEvent::new(
            address.id,
            linked,
            reps(address).into_iter().chain(team),
            EventDetail::MilestoneMoved {
                entry: current.id,
                title: data.title.clone(),
                opportunity: opportunity.map(|o| OpportunityRef {
                    id: o.id,
                    number: o.number,
                    title: o.data.title.clone(),
                }),
                old: moved.from,
                new: moved.to,
            },
        );
        ctx.record(tx, actor, [event])?;
    }
    let entry = CalendarEntry {
        data,
        moves,
        updated,
        version: expected.next(),
        ..current
    };
    breaches(ctx, tx, actor, address, &entry)?;
    Ok(entry)
}

/// A milestone's content moved to `due` (a date or a local time in its zone).
pub(in crate::services) fn moved_milestone(
    current: &CalendarEntry,
    due: &str,
) -> Result<EntryData> {
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
    Ok(data)
}

/// An entry's content with a new status and report; completing an incident records its
/// resolution time if none was recorded.
pub(in crate::services) fn with_status(
    now: DateTime<Utc>,
    current: &CalendarEntry,
    status: EntryStatus,
    outcome: Option<String>,
) -> EntryData {
    let mut data = current.data.clone();
    data.status = status;
    if outcome.is_some() {
        data.outcome = outcome;
    }
    if status == EntryStatus::Done
        && let EntryDetails::Assignment { sla: Some(sla), .. } = &mut data.details
        && sla.resolved_at.is_none()
    {
        sla.resolved_at = Some(now);
    }
    data
}

/// The link of a milestone, if it has one.
pub(in crate::services) fn milestone_link(entry: &CalendarEntry) -> Option<EntityRef> {
    match &entry.data.details {
        EntryDetails::Milestone { linked, .. } => *linked,
        _ => None,
    }
}
