//! Views of the calendar: occurrences of entries in a time range.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{EntryKind, EntryStatus, Recurrence, When, Zone};
use crate::error::{Error, Result};
use crate::ids::{AddressId, AddressNumber, CalendarEntryId};

/// The address an entry belongs to, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressRef {
    /// Id.
    pub id: AddressId,
    /// Business number.
    pub number: AddressNumber,
    /// First name line.
    pub name: String,
}

/// An entry as calendar views and exports need it: when, what, where, for which address —
/// without participants, contacts, SLA and history (see
/// [`CalendarService::get`](crate::CalendarService::get) for those).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedEntry {
    /// The entry.
    pub id: CalendarEntryId,
    /// Its address.
    pub address: AddressRef,
    /// Activity, milestone, assignment.
    pub kind: EntryKind,
    /// The type within the kind (`meeting`, `go_live` …).
    pub entry_type: String,
    /// Title.
    pub title: String,
    /// Longer text.
    pub description: Option<String>,
    /// Report after it took place.
    pub outcome: Option<String>,
    /// Status.
    pub status: EntryStatus,
    /// When (the first occurrence of a series).
    pub when: When,
    /// Where.
    pub location: Option<String>,
    /// Repetition of an activity.
    pub recurrence: Option<Recurrence>,
    /// Local dates a series skips.
    pub exceptions: Vec<NaiveDate>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// One occurrence in a calendar view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    /// The entry (the series, for a recurring activity).
    pub entry_id: CalendarEntryId,
    /// Activity, milestone, assignment.
    pub kind: EntryKind,
    /// The type within the kind (`meeting`, `go_live` …).
    pub entry_type: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: EntryStatus,
    /// Start of this occurrence.
    pub start: DateTime<Utc>,
    /// End of this occurrence.
    pub end: DateTime<Utc>,
    /// Whole day.
    pub all_day: bool,
    /// The entry's zone, to show local times.
    pub zone: Zone,
    /// Where.
    pub location: Option<String>,
    /// The address.
    pub address: AddressRef,
    /// Part of a recurring series.
    pub recurring: bool,
}

impl ListedEntry {
    /// The occurrences of this entry in `from..to`.
    pub fn occurrences(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        let recurrence = self
            .recurrence
            .as_ref()
            .map(|r| (r, self.exceptions.as_slice()));
        super::expand(&self.when, recurrence, from, to)
            .into_iter()
            .map(|(start, end)| Occurrence {
                entry_id: self.id,
                kind: self.kind,
                entry_type: self.entry_type.clone(),
                title: self.title.clone(),
                status: self.status,
                start,
                end,
                all_day: self.when.all_day,
                zone: self.when.zone,
                location: self.location.clone(),
                address: self.address.clone(),
                recurring: self.recurrence.is_some(),
            })
            .collect()
    }
}

/// A time range of a calendar view, `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// Start.
    pub from: DateTime<Utc>,
    /// End, exclusive.
    pub to: DateTime<Utc>,
}

/// The longest range a view expands, in days.
pub const MAX_RANGE_DAYS: i64 = 400;

impl TimeRange {
    /// A checked range.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `range` when `to` is not after `from` or the range is longer
    /// than [`MAX_RANGE_DAYS`].
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self> {
        if to <= from {
            return Err(Error::invalid("range", "the end must lie after the start"));
        }
        if to - from > Duration::days(MAX_RANGE_DAYS) {
            return Err(Error::invalid(
                "range",
                format!("at most {MAX_RANGE_DAYS} days can be shown at once"),
            ));
        }
        Ok(TimeRange { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_bounded() {
        let t = |d: i64| DateTime::from_timestamp(d * 86_400, 0).unwrap();
        assert!(TimeRange::new(t(1), t(1)).is_err());
        assert!(TimeRange::new(t(0), t(401)).is_err());
        assert!(TimeRange::new(t(0), t(31)).is_ok());
    }
}
