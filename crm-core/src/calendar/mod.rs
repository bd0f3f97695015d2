//! The calendar: one entry model with three kinds, as sales people know them — activities
//! (meetings, visits, calls), milestones (key dates of opportunities and projects) and
//! assignments ("Einsätze": maintenance, installation, incidents under an SLA).
//!
//! Times are stored in UTC together with the entry's IANA zone; recurring activities are kept
//! as one series and expanded into occurrences when a range is asked for.

mod input;
pub mod recurrence;
mod view;
mod zone;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use input::{EntryInput, ValidEntry};
pub use recurrence::{Frequency, Recurrence, SeriesEnd};
pub use view::{AddressRef, ListedEntry, MAX_RANGE_DAYS, Occurrence, TimeRange};
pub use zone::{Written, Zone};

use crate::address::Stamp;
use crate::entity::EntityRef;
use crate::ids::{AddressId, CalendarEntryId, ContactId, UserId, Version};
use crate::names::names;

/// The three kinds of calendar entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A meeting, visit, call …
    Activity,
    /// A key date of an opportunity or project.
    Milestone,
    /// Service work.
    Assignment,
}
names!(EntryKind { Activity => "activity", Milestone => "milestone", Assignment => "assignment" });

impl EntryKind {
    /// The kind with its indefinite article, for messages: `an activity`, `a milestone`.
    pub fn with_article(self) -> &'static str {
        match self {
            EntryKind::Activity => "an activity",
            EntryKind::Milestone => "a milestone",
            EntryKind::Assignment => "an assignment",
        }
    }
}

/// Kinds of activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityType {
    /// A meeting.
    Meeting,
    /// A visit at the customer.
    Visit,
    /// A phone or video call.
    Call,
    /// Anything else.
    Other,
}
names!(ActivityType { Meeting => "meeting", Visit => "visit", Call => "call", Other => "other" });

/// Kinds of milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneType {
    /// The date an offer is due.
    OfferDeadline,
    /// The date the customer decides.
    CustomerDecision,
    /// Project kick-off.
    Kickoff,
    /// Project go-live.
    GoLive,
    /// Acceptance of delivered work.
    Acceptance,
    /// Any other key date.
    Other,
}
names!(MilestoneType {
    OfferDeadline => "offer_deadline",
    CustomerDecision => "customer_decision",
    Kickoff => "kickoff",
    GoLive => "go_live",
    Acceptance => "acceptance",
    Other => "other",
});

/// Kinds of assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentType {
    /// Planned maintenance.
    Maintenance,
    /// Installation.
    Installation,
    /// An incident, possibly under a service level agreement.
    Incident,
}
names!(AssignmentType { Maintenance => "maintenance", Installation => "installation", Incident => "incident" });

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Ahead.
    #[default]
    Planned,
    /// Took place or completed.
    Done,
    /// Called off.
    Cancelled,
}
names!(EntryStatus { Planned => "planned", Done => "done", Cancelled => "cancelled" });

/// When an entry takes place: UTC instants and the zone it was planned in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    /// Start (for all-day entries: local midnight of the first day).
    pub start: DateTime<Utc>,
    /// End, exclusive (all-day: local midnight after the last day; milestones: the start).
    pub end: DateTime<Utc>,
    /// A whole-day entry.
    pub all_day: bool,
    /// The zone the entry was planned in.
    pub zone: Zone,
}

/// A service level agreement of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sla {
    /// Respond by.
    pub response_due: DateTime<Utc>,
    /// Resolve by.
    pub resolution_due: DateTime<Utc>,
    /// When the service desk responded.
    pub responded_at: Option<DateTime<Utc>>,
    /// When the incident was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Whether a deadline was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Not yet due, not yet done.
    Pending,
    /// Done by the deadline.
    Met,
    /// Done late, or not done and past due.
    Breached,
}

impl Sla {
    fn state(due: DateTime<Utc>, done: Option<DateTime<Utc>>, now: DateTime<Utc>) -> SlaState {
        match done {
            Some(at) if at <= due => SlaState::Met,
            Some(_) => SlaState::Breached,
            None if now > due => SlaState::Breached,
            None => SlaState::Pending,
        }
    }

    /// The response deadline's state at `now`.
    pub fn response_state(&self, now: DateTime<Utc>) -> SlaState {
        Self::state(self.response_due, self.responded_at, now)
    }

    /// The resolution deadline's state at `now`.
    pub fn resolution_state(&self, now: DateTime<Utc>) -> SlaState {
        Self::state(self.resolution_due, self.resolved_at, now)
    }
}

/// One move of a milestone, kept for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneMove {
    /// The date before.
    pub from: DateTime<Utc>,
    /// The date after.
    pub to: DateTime<Utc>,
    /// Who moved it, when.
    pub moved: Stamp,
}

impl MilestoneMove {
    /// The shift in whole days (negative when moved earlier).
    pub fn shift_days(&self) -> i64 {
        (self.to - self.from).num_days()
    }
}

/// What only one kind of entry has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryDetails {
    /// An activity.
    Activity {
        /// Meeting, visit, call, other.
        activity_type: ActivityType,
        /// Users taking part.
        participants: Vec<UserId>,
        /// Repetition of the activity.
        recurrence: Option<Recurrence>,
        /// Local dates on which a recurring activity does not take place.
        exceptions: Vec<NaiveDate>,
    },
    /// A milestone.
    Milestone {
        /// Offer deadline, customer decision, kick-off …
        milestone_type: MilestoneType,
        /// The record it is a key date of (an opportunity, a project …).
        linked: Option<EntityRef>,
    },
    /// An assignment.
    Assignment {
        /// Maintenance, installation, incident.
        assignment_type: AssignmentType,
        /// Users doing the work.
        technicians: Vec<UserId>,
        /// The job's reference in the host's service system.
        service_ref: Option<String>,
        /// The incident's service level agreement.
        sla: Option<Sla>,
    },
}

impl EntryDetails {
    /// The kind.
    pub fn kind(&self) -> EntryKind {
        match self {
            EntryDetails::Activity { .. } => EntryKind::Activity,
            EntryDetails::Milestone { .. } => EntryKind::Milestone,
            EntryDetails::Assignment { .. } => EntryKind::Assignment,
        }
    }

    /// The type within the kind, as stored (`meeting`, `go_live`, `incident` …).
    pub fn type_name(&self) -> &'static str {
        match self {
            EntryDetails::Activity { activity_type, .. } => activity_type.as_str(),
            EntryDetails::Milestone { milestone_type, .. } => milestone_type.as_str(),
            EntryDetails::Assignment {
                assignment_type, ..
            } => assignment_type.as_str(),
        }
    }

    /// Participants or technicians, with their part.
    pub fn people(&self) -> Vec<(UserId, PersonRole)> {
        match self {
            EntryDetails::Activity { participants, .. } => participants
                .iter()
                .map(|u| (*u, PersonRole::Participant))
                .collect(),
            EntryDetails::Assignment { technicians, .. } => technicians
                .iter()
                .map(|u| (*u, PersonRole::Technician))
                .collect(),
            EntryDetails::Milestone { .. } => Vec::new(),
        }
    }

    /// The recurrence and its exceptions, for an activity that repeats.
    pub fn recurrence(&self) -> Option<(&Recurrence, &[NaiveDate])> {
        match self {
            EntryDetails::Activity {
                recurrence: Some(rule),
                exceptions,
                ..
            } => Some((rule, exceptions)),
            _ => None,
        }
    }
}

/// The part a user has in an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// Takes part in an activity.
    Participant,
    /// Works on an assignment.
    Technician,
}
names!(PersonRole { Participant => "participant", Technician => "technician" });

/// The validated, editable content of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryData {
    /// Title.
    pub title: String,
    /// Longer text.
    pub description: Option<String>,
    /// When.
    pub when: When,
    /// Planned, done, cancelled.
    pub status: EntryStatus,
    /// Where.
    pub location: Option<String>,
    /// Report after it took place.
    pub outcome: Option<String>,
    /// Contacts of the address taking part.
    pub contacts: Vec<ContactId>,
    /// Kind-specific content.
    pub details: EntryDetails,
}

/// A calendar entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    /// Id.
    pub id: CalendarEntryId,
    /// The address it belongs to; decides who may see it.
    pub address_id: AddressId,
    /// Content.
    #[serde(flatten)]
    pub data: EntryData,
    /// Every move of a milestone, oldest first.
    pub moves: Vec<MilestoneMove>,
    /// Creation.
    pub created: Stamp,
    /// Last change.
    pub updated: Stamp,
    /// Version.
    pub version: Version,
}

/// The end of time for open-ended series in storage.
pub fn open_end() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_214_400, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl EntryData {
    /// An upper bound of the end of the entry's last occurrence: what storage indexes so that
    /// a range query finds series that started long ago.
    pub fn last_end(&self) -> DateTime<Utc> {
        let Some((rule, _)) = self.details.recurrence() else {
            return self.when.end;
        };
        let length = self.when.end - self.when.start;
        match rule.end {
            SeriesEnd::Never => open_end(),
            SeriesEnd::Until(day) => {
                let after = day.succ_opt().unwrap_or(day);
                self.when
                    .zone
                    .instant(after.and_time(chrono::NaiveTime::MIN))
                    + length
            }
            SeriesEnd::Count(_) => self
                .occurrences(self.when.start, open_end())
                .last()
                .map_or(self.when.end, |(_, end)| *end),
        }
    }

    /// The occurrences `(start, end)` that overlap `from..to`, in order. A milestone (a point
    /// in time) counts when it lies in the range.
    pub fn occurrences(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        expand(&self.when, self.details.recurrence(), from, to)
    }
}

/// The occurrences of an entry planned `when`, repeating by `recurrence`, that overlap
/// `from..to`.
pub(crate) fn expand(
    when: &When,
    recurrence: Option<(&Recurrence, &[NaiveDate])>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let overlaps = |start: DateTime<Utc>, end: DateTime<Utc>| {
        start < to && (end > from || (end == start && start >= from))
    };
    let Some((rule, exceptions)) = recurrence else {
        return if overlaps(when.start, when.end) {
            vec![(when.start, when.end)]
        } else {
            Vec::new()
        };
    };
    let zone = when.zone;
    let first = zone.local(when.start);
    let length = zone.local(when.end) - first;
    rule.local_starts(first, exceptions, |local| zone.instant(local) < to)
        .into_iter()
        .map(|local| (zone.instant(local), zone.instant(local + length)))
        .filter(|(start, end)| overlaps(*start, *end))
        .collect()
}

/// A new entry to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// Address.
    pub address_id: AddressId,
    /// Content.
    pub data: EntryData,
    /// Creation stamp.
    pub created: Stamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sla_states_follow_the_deadlines() {
        let t = |h: i64| DateTime::from_timestamp(h * 3600, 0).unwrap();
        let mut sla = Sla {
            response_due: t(2),
            resolution_due: t(8),
            responded_at: None,
            resolved_at: None,
        };
        assert_eq!(sla.response_state(t(1)), SlaState::Pending);
        assert_eq!(sla.response_state(t(3)), SlaState::Breached);
        sla.responded_at = Some(t(1));
        assert_eq!(sla.response_state(t(3)), SlaState::Met);
        sla.resolved_at = Some(t(9));
        assert_eq!(sla.resolution_state(t(9)), SlaState::Breached);
    }

    #[test]
    fn names_parse_forgivingly() {
        assert_eq!(
            "Go-Live".parse::<MilestoneType>().unwrap(),
            MilestoneType::GoLive
        );
        assert_eq!(
            "offer deadline".parse::<MilestoneType>().unwrap(),
            MilestoneType::OfferDeadline
        );
        assert!(
            "repair"
                .parse::<AssignmentType>()
                .unwrap_err()
                .0
                .contains("maintenance")
        );
    }
}
