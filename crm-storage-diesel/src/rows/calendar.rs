use chrono::{NaiveDate, NaiveDateTime};
use crm_core::calendar::{
    AddressRef, CalendarEntry, EntryData, EntryDetails, EntryKind, ListedEntry, MilestoneMove,
    PersonRole, Recurrence, Sla, When, Zone,
};
use crm_core::{
    AddressId, AddressNumber, CalendarEntryId, ContactId, EntityRef, Stamp, UserId, Version,
};
use diesel::prelude::*;

use super::{parse, stamp, ts, utc};
use crate::schema::{calendar_attendance, calendar_entries};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = calendar_entries)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct EntryRow {
    pub id: i64,
    pub address_id: i64,
    pub kind: String,
    pub entry_type: String,
    pub title: String,
    pub description: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub all_day: bool,
    pub time_zone: String,
    pub status: String,
    pub location: Option<String>,
    pub outcome: Option<String>,
    pub recurrence: Option<String>,
    pub exceptions: Option<String>,
    pub linked_kind: Option<String>,
    pub linked_id: Option<i64>,
    pub service_ref: Option<String>,
    pub sla_response_due: Option<NaiveDateTime>,
    pub sla_resolution_due: Option<NaiveDateTime>,
    pub sla_responded_at: Option<NaiveDateTime>,
    pub sla_resolved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
    pub version: i64,
}

/// The columns calendar views and exports read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = calendar_entries)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(crate) struct ListedRow {
    pub id: i64,
    pub kind: String,
    pub entry_type: String,
    pub title: String,
    pub description: Option<String>,
    pub outcome: Option<String>,
    pub status: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub all_day: bool,
    pub time_zone: String,
    pub location: Option<String>,
    pub recurrence: Option<String>,
    pub exceptions: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// One user's copy of an entry in `calendar_attendance`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_attendance)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct AttendanceRow {
    pub user_id: i64,
    pub long_running: bool,
    pub starts_at: NaiveDateTime,
    pub entry_id: i64,
    pub last_end: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub all_day: bool,
    pub time_zone: String,
    pub kind: String,
    pub entry_type: String,
    pub title: String,
    pub description: Option<String>,
    pub outcome: Option<String>,
    pub status: String,
    pub location: Option<String>,
    pub recurrence: Option<String>,
    pub exceptions: Option<String>,
    pub updated_at: NaiveDateTime,
    pub address_id: i64,
    pub address_number: i64,
    pub address_name: String,
}

impl AttendanceRow {
    pub(crate) fn into_domain(self) -> crm_core::Result<ListedEntry> {
        let address = AddressRef {
            id: AddressId(self.address_id),
            number: AddressNumber(self.address_number),
            name: self.address_name,
        };
        ListedRow {
            id: self.entry_id,
            kind: self.kind,
            entry_type: self.entry_type,
            title: self.title,
            description: self.description,
            outcome: self.outcome,
            status: self.status,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            all_day: self.all_day,
            time_zone: self.time_zone,
            location: self.location,
            recurrence: self.recurrence,
            exceptions: self.exceptions,
            updated_at: self.updated_at,
        }
        .into_domain(address)
    }
}

/// The content columns, written on insert and on every update.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = calendar_entries)]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
pub(crate) struct EntryContentRow {
    pub kind: &'static str,
    pub entry_type: &'static str,
    pub title: String,
    pub description: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub all_day: bool,
    pub time_zone: &'static str,
    pub last_end: NaiveDateTime,
    pub status: &'static str,
    pub location: Option<String>,
    pub outcome: Option<String>,
    pub recurrence: Option<String>,
    pub exceptions: Option<String>,
    pub linked_kind: Option<&'static str>,
    pub linked_id: Option<i64>,
    pub service_ref: Option<String>,
    pub sla_response_due: Option<NaiveDateTime>,
    pub sla_resolution_due: Option<NaiveDateTime>,
    pub sla_responded_at: Option<NaiveDateTime>,
    pub sla_resolved_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub updated_by: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = calendar_entries)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct NewEntryRow {
    pub address_id: i64,
    #[diesel(embed)]
    pub content: EntryContentRow,
    pub created_at: NaiveDateTime,
    pub created_by: i64,
    pub version: i64,
}

impl EntryContentRow {
    pub(crate) fn new(data: &EntryData, updated: Stamp) -> Self {
        let mut row = EntryContentRow {
            kind: data.details.kind().as_str(),
            entry_type: data.details.type_name(),
            title: data.title.clone(),
            description: data.description.clone(),
            starts_at: ts(data.when.start),
            ends_at: ts(data.when.end),
            all_day: data.when.all_day,
            time_zone: data.when.zone.name(),
            last_end: ts(data.last_end()),
            status: data.status.as_str(),
            location: data.location.clone(),
            outcome: data.outcome.clone(),
            recurrence: None,
            exceptions: None,
            linked_kind: None,
            linked_id: None,
            service_ref: None,
            sla_response_due: None,
            sla_resolution_due: None,
            sla_responded_at: None,
            sla_resolved_at: None,
            updated_at: ts(updated.at),
            updated_by: updated.by.0,
        };
        match &data.details {
            EntryDetails::Activity {
                recurrence,
                exceptions,
                ..
            } => {
                row.recurrence = recurrence.as_ref().map(ToString::to_string);
                row.exceptions = (!exceptions.is_empty()).then(|| {
                    exceptions
                        .iter()
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                });
            }
            EntryDetails::Milestone { linked, .. } => {
                row.linked_kind = linked.map(|l| l.kind.as_str());
                row.linked_id = linked.map(|l| l.id);
            }
            EntryDetails::Assignment {
                service_ref, sla, ..
            } => {
                row.service_ref = service_ref.clone();
                if let Some(sla) = sla {
                    row.sla_response_due = Some(ts(sla.response_due));
                    row.sla_resolution_due = Some(ts(sla.resolution_due));
                    row.sla_responded_at = sla.responded_at.map(ts);
                    row.sla_resolved_at = sla.resolved_at.map(ts);
                }
            }
        }
        row
    }
}

const T: &str = "calendar_entries";

fn exceptions(id: i64, stored: Option<&str>) -> crm_core::Result<Vec<NaiveDate>> {
    stored
        .unwrap_or("")
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| {
            parse(
                T,
                id,
                "exceptions",
                NaiveDate::parse_from_str(d, "%Y-%m-%d"),
            )
        })
        .collect()
}

impl ListedRow {
    pub(crate) fn into_domain(self, address: AddressRef) -> crm_core::Result<ListedEntry> {
        let id = self.id;
        Ok(ListedEntry {
            id: CalendarEntryId(id),
            address,
            kind: parse(T, id, "kind", self.kind.parse())?,
            entry_type: self.entry_type,
            title: self.title,
            description: self.description,
            outcome: self.outcome,
            status: parse(T, id, "status", self.status.parse())?,
            when: When {
                start: utc(self.starts_at),
                end: utc(self.ends_at),
                all_day: self.all_day,
                zone: parse(T, id, "time_zone", Zone::new(&self.time_zone))?,
            },
            location: self.location,
            recurrence: self
                .recurrence
                .map(|r| parse(T, id, "recurrence", Recurrence::parse(&r)))
                .transpose()?,
            exceptions: exceptions(id, self.exceptions.as_deref())?,
            updated_at: utc(self.updated_at),
        })
    }
}

impl EntryRow {
    /// The entry, with the people, contacts and moves loaded beside it.
    pub(crate) fn into_domain(
        self,
        people: &[(UserId, PersonRole)],
        contacts: Vec<ContactId>,
        moves: Vec<MilestoneMove>,
    ) -> crm_core::Result<CalendarEntry> {
        let id = self.id;
        let of = |role: PersonRole| -> Vec<UserId> {
            people
                .iter()
                .filter(|(_, r)| *r == role)
                .map(|(u, _)| *u)
                .collect()
        };
        let kind: EntryKind = parse(T, id, "kind", self.kind.parse())?;
        let details = match kind {
            EntryKind::Activity => EntryDetails::Activity {
                activity_type: parse(T, id, "entry_type", self.entry_type.parse())?,
                participants: of(PersonRole::Participant),
                recurrence: self
                    .recurrence
                    .map(|r| parse(T, id, "recurrence", Recurrence::parse(&r)))
                    .transpose()?,
                exceptions: self
                    .exceptions
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(|d| {
                        parse(
                            T,
                            id,
                            "exceptions",
                            NaiveDate::parse_from_str(d, "%Y-%m-%d"),
                        )
                    })
                    .collect::<crm_core::Result<_>>()?,
            },
            EntryKind::Milestone => EntryDetails::Milestone {
                milestone_type: parse(T, id, "entry_type", self.entry_type.parse())?,
                linked: match (self.linked_kind, self.linked_id) {
                    (Some(k), Some(i)) => {
                        Some(EntityRef::new(parse(T, id, "linked_kind", k.parse())?, i))
                    }
                    _ => None,
                },
            },
            EntryKind::Assignment => EntryDetails::Assignment {
                assignment_type: parse(T, id, "entry_type", self.entry_type.parse())?,
                technicians: of(PersonRole::Technician),
                service_ref: self.service_ref,
                sla: match (self.sla_response_due, self.sla_resolution_due) {
                    (Some(response), Some(resolution)) => Some(Sla {
                        response_due: utc(response),
                        resolution_due: utc(resolution),
                        responded_at: self.sla_responded_at.map(utc),
                        resolved_at: self.sla_resolved_at.map(utc),
                    }),
                    _ => None,
                },
            },
        };
        Ok(CalendarEntry {
            id: CalendarEntryId(id),
            address_id: AddressId(self.address_id),
            data: EntryData {
                title: self.title,
                description: self.description,
                when: When {
                    start: utc(self.starts_at),
                    end: utc(self.ends_at),
                    all_day: self.all_day,
                    zone: parse(T, id, "time_zone", Zone::new(&self.time_zone))?,
                },
                status: parse(T, id, "status", self.status.parse())?,
                location: self.location,
                outcome: self.outcome,
                contacts,
                details,
            },
            moves,
            created: stamp(self.created_at, self.created_by),
            updated: stamp(self.updated_at, self.updated_by),
            version: Version(self.version),
        })
    }
}
