//! Raw calendar input as forms deliver it, and its validation.

use chrono::{Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::{
    ActivityType, AssignmentType, CalendarEntry, EntryData, EntryDetails, EntryKind, EntryStatus,
    MilestoneType, Recurrence, Sla, When, Written, Zone,
};
use crate::entity::EntityRef;
use crate::error::{Result, Validator, ValueError};
use crate::ids::{AddressId, ContactId, UserId};
use crate::note::note_text;
use crate::values::{optional_text, required_text};

/// Everything a form delivers for a calendar entry, as raw values.
///
/// Times are written as a date (`2026-12-01`), a local time in the entry's zone
/// (`2026-12-01T09:00`) or an instant with offset (`2026-12-01T08:00:00Z`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryInput {
    /// The address the entry belongs to.
    pub address_id: Option<AddressId>,
    /// `activity`, `milestone` or `assignment`.
    pub kind: Option<String>,
    /// Activity: `meeting` (default), `visit`, `call`, `other`. Milestone: `offer_deadline`,
    /// `customer_decision`, `kickoff`, `go_live`, `acceptance`, `other` (default).
    /// Assignment (required): `maintenance`, `installation`, `incident`.
    #[serde(rename = "type")]
    pub entry_type: Option<String>,
    /// Title, required.
    pub title: String,
    /// Longer text.
    pub description: Option<String>,
    /// Start of an activity or assignment.
    pub start: Option<String>,
    /// End; one hour after the start when empty (all-day: the start day). For all-day entries
    /// the last day, inclusive.
    pub end: Option<String>,
    /// Date (or date and time) of a milestone.
    pub due: Option<String>,
    /// Whole-day entry (also when the start is written as a date).
    pub all_day: bool,
    /// IANA zone; `Europe/Zurich` when empty.
    pub time_zone: Option<String>,
    /// `planned` (default), `done`, `cancelled`.
    pub status: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// Report after it took place.
    pub outcome: Option<String>,
    /// Contacts of the address taking part.
    pub contacts: Vec<ContactId>,
    /// Users taking part in an activity.
    pub participants: Vec<UserId>,
    /// Users working on an assignment.
    pub technicians: Vec<UserId>,
    /// The record a milestone is a key date of.
    pub linked: Option<EntityRef>,
    /// The assignment's reference in the host's service system.
    pub service_ref: Option<String>,
    /// An incident's response deadline.
    pub sla_response_due: Option<String>,
    /// An incident's resolution deadline.
    pub sla_resolution_due: Option<String>,
    /// RRULE of a recurring activity, e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`.
    pub recurrence: Option<String>,
    /// Local dates on which a recurring activity does not take place.
    pub exceptions: Vec<String>,
}

/// A validated entry: its address and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEntry {
    /// The address.
    pub address_id: AddressId,
    /// The content.
    pub data: EntryData,
}

fn non_empty(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn distinct<T: PartialEq + Copy>(items: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(*item);
        }
    }
    out
}

fn long_text(raw: Option<&str>) -> std::result::Result<Option<String>, ValueError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(note_text)
        .transpose()
}

impl EntryInput {
    /// Validates every field; all errors are reported at once, each under its field name.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid): `kind` or `type` unknown or missing (an
    /// assignment needs a type), `due` missing for a milestone, `start` missing, `end` before
    /// the start, `time_zone` unknown, `recurrence` outside the supported subset or on
    /// something other than an activity, an SLA on something other than an incident …
    pub fn validate(&self) -> Result<ValidEntry> {
        let mut v = Validator::new();
        let address_id = self.address_id;
        if address_id.is_none() {
            v.reject("address_id", "is required: an entry belongs to an address");
        }
        let kind = match non_empty(&self.kind) {
            Some(raw) => v.check("kind", raw.parse::<EntryKind>()),
            None => {
                v.reject("kind", "is required: activity, milestone or assignment");
                None
            }
        };
        let title = v.check("title", required_text(&self.title, 200));
        let description = v.check("description", long_text(self.description.as_deref()));
        let location = v.check("location", optional_text(self.location.as_deref(), 200));
        let outcome = v.check("outcome", long_text(self.outcome.as_deref()));
        let status = match non_empty(&self.status) {
            Some(raw) => v.check("status", raw.parse::<EntryStatus>()),
            None => Some(EntryStatus::Planned),
        };
        let zone = match non_empty(&self.time_zone) {
            Some(raw) => v.check("time_zone", Zone::new(raw)),
            None => Some(Zone::ZURICH),
        };
        let when = match (kind, zone) {
            (Some(kind), Some(zone)) => self.when(kind, zone, &mut v),
            _ => None,
        };
        let details = match (kind, zone) {
            (Some(kind), Some(zone)) => self.details(kind, zone, &mut v),
            _ => None,
        };
        v.finish(|| {
            Some(ValidEntry {
                address_id: address_id?,
                data: EntryData {
                    title: title?,
                    description: description?,
                    when: when?,
                    status: status?,
                    location: location?,
                    outcome: outcome?,
                    contacts: distinct(&self.contacts),
                    details: details?,
                },
            })
        })
    }

    fn when(&self, kind: EntryKind, zone: Zone, v: &mut Validator) -> Option<When> {
        if kind == EntryKind::Milestone {
            let due = match non_empty(&self.due).or(non_empty(&self.start)) {
                Some(raw) => v.check("due", Written::parse(raw))?,
                None => {
                    v.reject("due", "a milestone needs a date");
                    return None;
                }
            };
            let at = zone.instant(due.local_in(zone));
            return Some(When {
                start: at,
                end: at,
                all_day: due.is_date(),
                zone,
            });
        }
        let Some(raw_start) = non_empty(&self.start) else {
            v.reject("start", format!("{} needs a start", kind.with_article()));
            return None;
        };
        let start = v.check("start", Written::parse(raw_start))?;
        let end = match non_empty(&self.end) {
            Some(raw) => Some(v.check("end", Written::parse(raw))?),
            None => None,
        };
        if self.all_day || start.is_date() {
            let first = start.local_in(zone).date();
            let last = end.map_or(first, |e| e.local_in(zone).date());
            if last < first {
                v.reject("end", "the last day lies before the first");
                return None;
            }
            let after = last.succ_opt().unwrap_or(last);
            return Some(When {
                start: zone.instant(first.and_time(NaiveTime::MIN)),
                end: zone.instant(after.and_time(NaiveTime::MIN)),
                all_day: true,
                zone,
            });
        }
        let start_at = zone.instant(start.local_in(zone));
        let end_at = match end {
            Some(e) => zone.instant(e.local_in(zone)),
            None => start_at + Duration::hours(1),
        };
        if end_at <= start_at {
            v.reject("end", "must lie after the start");
            return None;
        }
        Some(When {
            start: start_at,
            end: end_at,
            all_day: false,
            zone,
        })
    }

    fn details(&self, kind: EntryKind, zone: Zone, v: &mut Validator) -> Option<EntryDetails> {
        let type_raw = non_empty(&self.entry_type);
        if kind != EntryKind::Activity {
            if non_empty(&self.recurrence).is_some() {
                v.reject("recurrence", "only activities recur");
            }
            if !self.participants.is_empty() {
                v.reject(
                    "participants",
                    format!("{} has no participants", kind.with_article()),
                );
            }
        }
        if kind != EntryKind::Assignment && !self.technicians.is_empty() {
            v.reject(
                "technicians",
                format!("{} has no technicians", kind.with_article()),
            );
        }
        if kind != EntryKind::Milestone && self.linked.is_some() {
            v.reject("linked", "only milestones are linked to a record");
        }
        match kind {
            EntryKind::Activity => {
                let activity_type = match type_raw {
                    Some(raw) => v.check("type", raw.parse::<ActivityType>())?,
                    None => ActivityType::Meeting,
                };
                let recurrence = match non_empty(&self.recurrence) {
                    Some(raw) => Some(v.check("recurrence", Recurrence::parse(raw))?),
                    None => None,
                };
                let mut exceptions = Vec::with_capacity(self.exceptions.len());
                for (i, raw) in self.exceptions.iter().enumerate() {
                    let written = v.check(&format!("exceptions[{i}]"), Written::parse(raw))?;
                    exceptions.push(written.local_in(zone).date());
                }
                if recurrence.is_none() && !exceptions.is_empty() {
                    v.reject("exceptions", "only recurring activities have exceptions");
                }
                exceptions.sort_unstable();
                exceptions.dedup();
                Some(EntryDetails::Activity {
                    activity_type,
                    participants: distinct(&self.participants),
                    recurrence,
                    exceptions,
                })
            }
            EntryKind::Milestone => Some(EntryDetails::Milestone {
                milestone_type: match type_raw {
                    Some(raw) => v.check("type", raw.parse::<MilestoneType>())?,
                    None => MilestoneType::Other,
                },
                linked: self.linked,
            }),
            EntryKind::Assignment => {
                let assignment_type = match type_raw {
                    Some(raw) => v.check("type", raw.parse::<AssignmentType>())?,
                    None => {
                        v.reject(
                            "type",
                            "an assignment needs a type: maintenance, installation or incident",
                        );
                        return None;
                    }
                };
                let service_ref = v.check(
                    "service_ref",
                    optional_text(self.service_ref.as_deref(), 80),
                )?;
                let sla = self.sla(assignment_type, zone, v)?;
                Some(EntryDetails::Assignment {
                    assignment_type,
                    technicians: distinct(&self.technicians),
                    service_ref,
                    sla,
                })
            }
        }
    }

    /// `Some(None)` without an SLA, `None` when the SLA fields are wrong.
    fn sla(&self, kind: AssignmentType, zone: Zone, v: &mut Validator) -> Option<Option<Sla>> {
        let response = non_empty(&self.sla_response_due);
        let resolution = non_empty(&self.sla_resolution_due);
        if response.is_none() && resolution.is_none() {
            return Some(None);
        }
        if kind != AssignmentType::Incident {
            v.reject(
                "sla_response_due",
                "only incidents have a service level agreement",
            );
            return None;
        }
        let at = |field: &str, raw: Option<&str>, v: &mut Validator| match raw {
            Some(raw) => v
                .check(field, Written::parse(raw))
                .map(|w| zone.instant(w.local_in(zone))),
            None => {
                v.reject(field, "is required with the other SLA deadline");
                None
            }
        };
        let response_due = at("sla_response_due", response, v);
        let resolution_due = at("sla_resolution_due", resolution, v);
        let (response_due, resolution_due) = (response_due?, resolution_due?);
        if resolution_due < response_due {
            v.reject("sla_resolution_due", "lies before the response deadline");
            return None;
        }
        Some(Some(Sla {
            response_due,
            resolution_due,
            responded_at: None,
            resolved_at: None,
        }))
    }
}

impl From<&CalendarEntry> for EntryInput {
    /// The raw form of a stored entry, for editing.
    fn from(entry: &CalendarEntry) -> Self {
        let d = &entry.data;
        let zone = d.when.zone;
        let local = |at| zone.local(at).format("%Y-%m-%dT%H:%M:%S").to_string();
        let day = |date: NaiveDate| date.format("%Y-%m-%d").to_string();
        let mut input = EntryInput {
            address_id: Some(entry.address_id),
            kind: Some(d.details.kind().to_string()),
            entry_type: Some(d.details.type_name().to_owned()),
            title: d.title.clone(),
            description: d.description.clone(),
            all_day: d.when.all_day,
            time_zone: Some(zone.to_string()),
            status: Some(d.status.to_string()),
            location: d.location.clone(),
            outcome: d.outcome.clone(),
            contacts: d.contacts.clone(),
            ..Default::default()
        };
        if d.details.kind() == EntryKind::Milestone {
            input.due = Some(if d.when.all_day {
                day(zone.local(d.when.start).date())
            } else {
                local(d.when.start)
            });
        } else if d.when.all_day {
            input.start = Some(day(zone.local(d.when.start).date()));
            let last = zone.local(d.when.end).date().pred_opt();
            input.end = last.map(day);
        } else {
            input.start = Some(local(d.when.start));
            input.end = Some(local(d.when.end));
        }
        match &d.details {
            EntryDetails::Activity {
                participants,
                recurrence,
                exceptions,
                ..
            } => {
                input.participants = participants.clone();
                input.recurrence = recurrence.as_ref().map(ToString::to_string);
                input.exceptions = exceptions.iter().map(|e| day(*e)).collect();
            }
            EntryDetails::Milestone { linked, .. } => input.linked = *linked,
            EntryDetails::Assignment {
                technicians,
                service_ref,
                sla,
                ..
            } => {
                input.technicians = technicians.clone();
                input.service_ref = service_ref.clone();
                if let Some(sla) = sla {
                    input.sla_response_due = Some(local(sla.response_due));
                    input.sla_resolution_due = Some(local(sla.resolution_due));
                }
            }
        }
        input
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn base(kind: &str) -> EntryInput {
        EntryInput {
            address_id: Some(AddressId(1)),
            kind: Some(kind.into()),
            title: "Jahresgespräch".into(),
            start: Some("2026-12-01T09:00".into()),
            ..Default::default()
        }
    }

    fn invalid(input: &EntryInput) -> crate::error::Invalid {
        match input.validate() {
            Err(Error::Invalid(e)) => e,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_meeting_in_zurich_is_stored_in_utc_with_its_zone() {
        let entry = base("activity").validate().unwrap();
        let w = entry.data.when;
        assert_eq!(w.start.to_rfc3339(), "2026-12-01T08:00:00+00:00");
        assert_eq!((w.end - w.start).num_minutes(), 60);
        assert_eq!(w.zone, Zone::ZURICH);
        assert!(matches!(
            entry.data.details,
            EntryDetails::Activity {
                activity_type: ActivityType::Meeting,
                ..
            }
        ));
    }

    #[test]
    fn bad_calendar_input_names_each_field() {
        let mut end_first = base("activity");
        end_first.end = Some("2026-12-01T08:00".into());
        assert!(invalid(&end_first).has("end"));

        let mut zone = base("activity");
        zone.time_zone = Some("Europe/Zürich".into());
        assert!(invalid(&zone).has("time_zone"));

        let mut rule = base("activity");
        rule.recurrence = Some("FREQ=YEARLY".into());
        assert!(invalid(&rule).has("recurrence"));

        let mut milestone = base("milestone");
        milestone.start = None;
        assert!(invalid(&milestone).has("due"));

        let assignment = base("assignment");
        let e = invalid(&assignment);
        assert!(e.has("type") && e.to_string().contains("maintenance"));

        let mut sla = base("assignment");
        sla.entry_type = Some("maintenance".into());
        sla.sla_response_due = Some("2026-12-01T10:00".into());
        assert!(invalid(&sla).has("sla_response_due"));

        let empty = EntryInput::default();
        let e = invalid(&empty);
        assert!(e.has("address_id") && e.has("kind") && e.has("title"));
    }

    #[test]
    fn all_day_entries_span_whole_local_days() {
        let mut input = base("activity");
        input.start = Some("2026-12-24".into());
        input.end = Some("2026-12-26".into());
        let w = input.validate().unwrap().data.when;
        assert!(w.all_day);
        assert_eq!(w.start.to_rfc3339(), "2026-12-23T23:00:00+00:00");
        assert_eq!((w.end - w.start).num_days(), 3);
        let mut backwards = base("activity");
        backwards.start = Some("2026-12-24".into());
        backwards.end = Some("2026-12-20".into());
        assert!(invalid(&backwards).has("end"));
    }

    #[test]
    fn an_incident_with_its_sla_round_trips_through_its_form() {
        let mut input = base("assignment");
        input.entry_type = Some("incident".into());
        input.technicians = vec![UserId(7), UserId(7), UserId(8)];
        input.sla_response_due = Some("2026-12-01T11:00".into());
        input.sla_resolution_due = Some("2026-12-02T09:00".into());
        let valid = input.validate().unwrap();
        let entry = CalendarEntry {
            id: crate::ids::CalendarEntryId(1),
            address_id: valid.address_id,
            data: valid.data.clone(),
            moves: Vec::new(),
            created: crate::address::Stamp {
                at: chrono::DateTime::UNIX_EPOCH,
                by: UserId(1),
            },
            updated: crate::address::Stamp {
                at: chrono::DateTime::UNIX_EPOCH,
                by: UserId(1),
            },
            version: crate::ids::Version::FIRST,
        };
        let again = EntryInput::from(&entry).validate().unwrap();
        assert_eq!(again.data, valid.data);
        assert_eq!(
            valid.data.details.people().len(),
            2,
            "technicians are distinct"
        );
    }

    #[test]
    fn recurring_series_expand_within_a_range() {
        let mut input = base("activity");
        input.recurrence = Some("FREQ=WEEKLY;COUNT=4".into());
        input.exceptions = vec!["2026-12-08".into()];
        let data = input.validate().unwrap().data;
        let from = data.when.start;
        let all = data.occurrences(from, from + Duration::days(60));
        assert_eq!(all.len(), 3, "four generated, one excepted");
        assert_eq!(data.last_end(), all[2].1);
        let later = data.occurrences(from + Duration::days(10), from + Duration::days(60));
        assert_eq!(later.len(), 2);
    }
}
