use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use chrono::{NaiveDate, NaiveDateTime};
use crm_core::calendar::{
    AddressRef, CalendarEntry, EntryData, EntryKind, EntryStatus, ListedEntry, MilestoneMove,
    NewEntry, PersonRole, TimeRange,
};
use crm_core::trace::SlaDeadline;
use crm_core::{
    AddressId, AddressNumber, AddressScope, CalendarEntryId, CalendarRepository, ContactId,
    EntityRef, Stamp, UserId, Version,
};
use diesel::prelude::*;

use super::{DieselTx, insert_in_blocks, scope_condition};
use crate::connection::{AnyConnection, with_inner};
use crate::error::QueryResultExt;
use crate::rows::calendar::{AttendanceRow, EntryContentRow, EntryRow, ListedRow, NewEntryRow};
use crate::rows::{parse, ts, utc};
use crate::schema::{
    addresses, calendar_attendance, calendar_contacts, calendar_entries, calendar_people,
    milestone_moves, sla_breaches,
};

/// Most entries a calendar query reads.
const MAX_LISTED: i64 = 10_000;

/// Ids per `IN (…)` list.
const IN_CHUNK: usize = 500;

impl CalendarRepository for DieselTx<'_> {
    fn insert_entry(&mut self, new: &NewEntry) -> crm_core::Result<CalendarEntryId> {
        let ids = insert_many(self.conn, std::slice::from_ref(new))?;
        ids.first()
            .copied()
            .ok_or_else(|| crm_core::Error::Storage("entry was not inserted".into()))
    }

    fn insert_entries(&mut self, batch: &[NewEntry]) -> crm_core::Result<Vec<CalendarEntryId>> {
        insert_many(self.conn, batch)
    }

    fn entry(&mut self, id: CalendarEntryId) -> crm_core::Result<Option<CalendarEntry>> {
        let Some(row) = calendar_entries::table
            .filter(calendar_entries::id.eq(id.0))
            .select(EntryRow::as_select())
            .first::<EntryRow>(self.conn)
            .optional()
            .dom()?
        else {
            return Ok(None);
        };
        let people = load_people(self.conn, &[id.0])?
            .remove(&id.0)
            .unwrap_or_default();
        let contacts: Vec<i64> = calendar_contacts::table
            .filter(calendar_contacts::entry_id.eq(id.0))
            .order(calendar_contacts::contact_id)
            .select(calendar_contacts::contact_id)
            .load(self.conn)
            .dom()?;
        let moves: Vec<(NaiveDateTime, NaiveDateTime, NaiveDateTime, i64)> = milestone_moves::table
            .filter(milestone_moves::entry_id.eq(id.0))
            .order(milestone_moves::id)
            .select((
                milestone_moves::moved_from,
                milestone_moves::moved_to,
                milestone_moves::moved_at,
                milestone_moves::moved_by,
            ))
            .load(self.conn)
            .dom()?;
        let moves = moves
            .into_iter()
            .map(|(from, to, at, by)| MilestoneMove {
                from: utc(from),
                to: utc(to),
                moved: Stamp {
                    at: utc(at),
                    by: UserId(by),
                },
            })
            .collect();
        row.into_domain(
            &people,
            contacts.into_iter().map(ContactId).collect(),
            moves,
        )
        .map(Some)
    }

    fn update_entry(
        &mut self,
        id: CalendarEntryId,
        expected: Version,
        data: &EntryData,
        updated: Stamp,
    ) -> crm_core::Result<bool> {
        let row = EntryContentRow::new(data, updated);
        let n = diesel::update(
            calendar_entries::table
                .filter(calendar_entries::id.eq(id.0))
                .filter(calendar_entries::version.eq(expected.0)),
        )
        .set((&row, calendar_entries::version.eq(expected.next().0)))
        .execute(self.conn)
        .dom()?;
        if n == 0 {
            return Ok(false);
        }
        diesel::delete(calendar_people::table.filter(calendar_people::entry_id.eq(id.0)))
            .execute(self.conn)
            .dom()?;
        diesel::delete(calendar_contacts::table.filter(calendar_contacts::entry_id.eq(id.0)))
            .execute(self.conn)
            .dom()?;
        write_people_and_contacts(self.conn, &[(id.0, data)])?;
        refresh_attendance(self.conn, &[id.0])?;
        Ok(true)
    }

    fn add_milestone_move(
        &mut self,
        id: CalendarEntryId,
        moved: &MilestoneMove,
    ) -> crm_core::Result<()> {
        diesel::insert_into(milestone_moves::table)
            .values((
                milestone_moves::entry_id.eq(id.0),
                milestone_moves::moved_from.eq(ts(moved.from)),
                milestone_moves::moved_to.eq(ts(moved.to)),
                milestone_moves::moved_at.eq(ts(moved.moved.at)),
                milestone_moves::moved_by.eq(moved.moved.by.0),
            ))
            .execute(self.conn)
            .dom()?;
        Ok(())
    }

    fn address_entries(
        &mut self,
        address: AddressId,
        range: TimeRange,
        kinds: &[EntryKind],
    ) -> crm_core::Result<Vec<ListedEntry>> {
        // The address's reference is joined, not read after: one statement.
        let mut q = calendar_entries::table
            .inner_join(addresses::table)
            .filter(calendar_entries::address_id.eq(address.0))
            .filter(calendar_entries::last_end.ge(ts(range.from)))
            .filter(calendar_entries::starts_at.lt(ts(range.to)))
            .select((
                ListedRow::as_select(),
                (addresses::id, addresses::number, addresses::name1),
            ))
            .order((calendar_entries::starts_at, calendar_entries::id))
            .limit(MAX_LISTED)
            .into_boxed();
        if !kinds.is_empty() {
            let names: Vec<&'static str> = kinds.iter().map(|k| k.as_str()).collect();
            q = q.filter(calendar_entries::kind.eq_any(names));
        }
        let rows: Vec<(ListedRow, (i64, i64, String))> = q.load(self.conn).dom()?;
        rows.into_iter()
            .map(|(row, reference)| row.into_domain(address_ref(reference)))
            .collect()
    }

    fn entries_linked_to(&mut self, link: EntityRef) -> crm_core::Result<Vec<CalendarEntryId>> {
        let ids: Vec<i64> = calendar_entries::table
            .filter(calendar_entries::linked_kind.eq(link.kind.as_str()))
            .filter(calendar_entries::linked_id.eq(link.id))
            .order((calendar_entries::starts_at, calendar_entries::id))
            .select(calendar_entries::id)
            .limit(MAX_LISTED)
            .load(self.conn)
            .dom()?;
        Ok(ids.into_iter().map(CalendarEntryId).collect())
    }

    fn unnoted_sla_breaches(
        &mut self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> crm_core::Result<Vec<(CalendarEntryId, SlaDeadline)>> {
        let now = ts(now);
        let noted = |deadline: SlaDeadline| {
            sla_breaches::table
                .filter(sla_breaches::deadline.eq(deadline.as_str()))
                .select(sla_breaches::entry_id)
        };
        let response: Vec<i64> = unresolved()
            .filter(calendar_entries::sla_response_due.lt(now))
            .filter(calendar_entries::sla_responded_at.is_null())
            .filter(calendar_entries::id.ne_all(noted(SlaDeadline::Response)))
            .select(calendar_entries::id)
            .order(calendar_entries::id)
            .limit(i64::from(limit))
            .load(self.conn)
            .dom()?;
        let resolution: Vec<i64> = unresolved()
            .filter(calendar_entries::sla_resolution_due.lt(now))
            .filter(calendar_entries::id.ne_all(noted(SlaDeadline::Resolution)))
            .select(calendar_entries::id)
            .order(calendar_entries::id)
            .limit(i64::from(limit))
            .load(self.conn)
            .dom()?;
        let mut due: Vec<(CalendarEntryId, SlaDeadline)> = response
            .into_iter()
            .map(|id| (CalendarEntryId(id), SlaDeadline::Response))
            .chain(
                resolution
                    .into_iter()
                    .map(|id| (CalendarEntryId(id), SlaDeadline::Resolution)),
            )
            .collect();
        due.sort_by_key(|(id, d)| (*id, d.as_str()));
        due.truncate(limit as usize);
        Ok(due)
    }

    fn note_sla_breach(
        &mut self,
        entry: CalendarEntryId,
        deadline: SlaDeadline,
    ) -> crm_core::Result<bool> {
        let n = with_inner!(&mut *self.conn, |c| {
            diesel::insert_into(sla_breaches::table)
                .values((
                    sla_breaches::entry_id.eq(entry.0),
                    sla_breaches::deadline.eq(deadline.as_str()),
                ))
                .on_conflict_do_nothing()
                .execute(c)
        })
        .dom()?;
        Ok(n > 0)
    }

    fn user_entries(
        &mut self,
        user: UserId,
        range: TimeRange,
        scope: AddressScope,
    ) -> crm_core::Result<Vec<ListedEntry>> {
        // Short entries by their start (at most SHORT_SPAN before the range), long-running
        // ones among the few that end after its start: two range scans of the attendance
        // key (an `OR` of the two would make SQLite collect and re-read keys). The rows carry
        // what the view shows; addresses are joined only to restrict another user's view.
        let mut listed = Vec::new();
        for long_running in [false, true] {
            let earliest = if long_running {
                NaiveDate::from_ymd_opt(1, 1, 1)
                    .unwrap_or_default()
                    .and_time(chrono::NaiveTime::MIN)
            } else {
                ts(range.from - SHORT_SPAN)
            };
            let window = |user: UserId| {
                calendar_attendance::user_id
                    .eq(user.0)
                    .and(calendar_attendance::long_running.eq(long_running))
                    .and(calendar_attendance::starts_at.ge(earliest))
                    .and(calendar_attendance::starts_at.lt(ts(range.to)))
                    .and(calendar_attendance::last_end.ge(ts(range.from)))
            };
            let rows: Vec<AttendanceRow> = match scope_condition(scope) {
                None => calendar_attendance::table
                    .filter(window(user))
                    .select(AttendanceRow::as_select())
                    .limit(MAX_LISTED)
                    .load(self.conn)
                    .dom()?,
                Some(condition) => calendar_attendance::table
                    .inner_join(addresses::table)
                    .filter(window(user))
                    .filter(condition)
                    .select(AttendanceRow::as_select())
                    .limit(MAX_LISTED)
                    .load(self.conn)
                    .dom()?,
            };
            for row in rows {
                listed.push(row.into_domain()?);
            }
        }
        Ok(listed)
    }
}

fn address_ref((id, number, name): (i64, i64, String)) -> AddressRef {
    AddressRef {
        id: AddressId(id),
        number: AddressNumber(number),
        name,
    }
}

fn load_people(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> crm_core::Result<HashMap<i64, Vec<(UserId, PersonRole)>>> {
    let mut people: HashMap<i64, Vec<(UserId, PersonRole)>> = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let rows: Vec<(i64, i64, String)> = calendar_people::table
            .filter(calendar_people::entry_id.eq_any(chunk))
            .order((calendar_people::entry_id, calendar_people::user_id))
            .select((
                calendar_people::entry_id,
                calendar_people::user_id,
                calendar_people::role,
            ))
            .load(conn)
            .dom()?;
        for (entry, user, role) in rows {
            let role = parse("calendar_people", entry, "role", role.parse::<PersonRole>())?;
            people.entry(entry).or_default().push((UserId(user), role));
        }
    }
    Ok(people)
}

/// Incidents under an SLA that are not resolved and not cancelled (the partial index
/// `calendar_entries_unresolved_sla`).
fn unresolved() -> calendar_entries::BoxedQuery<'static, crate::connection::MultiBackend> {
    calendar_entries::table
        .filter(calendar_entries::sla_response_due.is_not_null())
        .filter(calendar_entries::sla_resolved_at.is_null())
        .filter(calendar_entries::status.ne(EntryStatus::Cancelled.as_str()))
        .into_boxed()
}

fn insert_many(
    conn: &mut AnyConnection,
    batch: &[NewEntry],
) -> crm_core::Result<Vec<CalendarEntryId>> {
    let mut ids = Vec::with_capacity(batch.len());
    for new in batch {
        let row = NewEntryRow {
            address_id: new.address_id.0,
            content: EntryContentRow::new(&new.data, new.created),
            created_at: ts(new.created.at),
            created_by: new.created.by.0,
            version: Version::FIRST.0,
        };
        let id: i64 = with_inner!(&mut *conn, |c| {
            diesel::insert_into(calendar_entries::table)
                .values(&row)
                .returning(calendar_entries::id)
                .get_result(c)
        })
        .dom()?;
        ids.push(id);
    }
    let written: Vec<(i64, &EntryData)> = ids
        .iter()
        .copied()
        .zip(batch.iter().map(|n| &n.data))
        .collect();
    write_people_and_contacts(conn, &written)?;
    refresh_attendance(conn, &ids)?;
    Ok(ids.into_iter().map(CalendarEntryId).collect())
}

fn write_people_and_contacts(
    conn: &mut AnyConnection,
    entries: &[(i64, &EntryData)],
) -> crm_core::Result<()> {
    let people: Vec<_> = entries
        .iter()
        .flat_map(|(id, data)| {
            data.details.people().into_iter().map(move |(user, role)| {
                (
                    calendar_people::entry_id.eq(*id),
                    calendar_people::user_id.eq(user.0),
                    calendar_people::role.eq(role.as_str()),
                )
            })
        })
        .collect();
    insert_in_blocks!(conn, &people, 256, |c, block| {
        diesel::insert_into(calendar_people::table)
            .values(block)
            .execute(c)
    });
    let contacts: Vec<_> = entries
        .iter()
        .flat_map(|(id, data)| {
            data.contacts.iter().map(move |contact| {
                (
                    calendar_contacts::entry_id.eq(*id),
                    calendar_contacts::contact_id.eq(contact.0),
                )
            })
        })
        .collect();
    insert_in_blocks!(conn, &contacts, 256, |c, block| {
        diesel::insert_into(calendar_contacts::table)
            .values(block)
            .execute(c)
    });
    Ok(())
}

/// Entries that last longer are found by their last end rather than their start.
const SHORT_SPAN: chrono::Duration = chrono::Duration::days(31);

/// Rewrites the attendance rows of these entries from their stored state: one row for each
/// user in whose calendar the entry appears, carrying what a calendar view shows.
fn refresh_attendance(conn: &mut AnyConnection, ids: &[i64]) -> crm_core::Result<()> {
    for chunk in ids.chunks(IN_CHUNK) {
        diesel::delete(
            calendar_attendance::table.filter(calendar_attendance::entry_id.eq_any(chunk)),
        )
        .execute(conn)
        .dom()?;
        type Source = (
            ListedRow,
            NaiveDateTime,
            (i64, i64, String, Option<i64>, Option<i64>),
        );
        let sources: Vec<Source> = calendar_entries::table
            .inner_join(addresses::table)
            .filter(calendar_entries::id.eq_any(chunk))
            .select((
                ListedRow::as_select(),
                calendar_entries::last_end,
                (
                    addresses::id,
                    addresses::number,
                    addresses::name1,
                    addresses::field_rep_id,
                    addresses::inside_rep_id,
                ),
            ))
            .load(conn)
            .dom()?;
        let mut people = load_people(conn, chunk)?;
        let mut rows = Vec::new();
        for (entry, last_end, (address_id, address_number, address_name, field, inside)) in sources
        {
            let mut users: BTreeSet<i64> = people
                .remove(&entry.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(u, _)| u.0)
                .collect();
            users.extend([field, inside].into_iter().flatten());
            for user in users {
                rows.push(AttendanceRow {
                    user_id: user,
                    long_running: last_end - entry.starts_at > SHORT_SPAN,
                    starts_at: entry.starts_at,
                    entry_id: entry.id,
                    last_end,
                    ends_at: entry.ends_at,
                    all_day: entry.all_day,
                    time_zone: entry.time_zone.clone(),
                    kind: entry.kind.clone(),
                    entry_type: entry.entry_type.clone(),
                    title: entry.title.clone(),
                    description: entry.description.clone(),
                    outcome: entry.outcome.clone(),
                    status: entry.status.clone(),
                    location: entry.location.clone(),
                    recurrence: entry.recurrence.clone(),
                    exceptions: entry.exceptions.clone(),
                    updated_at: entry.updated_at,
                    address_id,
                    address_number,
                    address_name: address_name.clone(),
                });
            }
        }
        insert_in_blocks!(conn, &rows, 64, |c, block| {
            diesel::insert_into(calendar_attendance::table)
                .values(block)
                .execute(c)
        });
    }
    Ok(())
}

/// After an address's reps, number or name changed: its entries move to the new reps'
/// calendars and show the address as it is now.
pub(super) fn refresh_address_attendance(
    conn: &mut AnyConnection,
    address: i64,
) -> crm_core::Result<()> {
    let ids: Vec<i64> = calendar_entries::table
        .filter(calendar_entries::address_id.eq(address))
        .select(calendar_entries::id)
        .load(conn)
        .dom()?;
    refresh_attendance(conn, &ids)
}
