use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use crm_core::calendar::{
    AddressRef, CalendarEntry, EntryData, EntryKind, ListedEntry, MilestoneMove, NewEntry,
    PersonRole, TimeRange,
};
use crm_core::{
    AddressId, AddressNumber, AddressScope, CalendarEntryId, CalendarRepository, ContactId, Stamp,
    UserId, Version,
};
use diesel::prelude::*;

use super::{DieselTx, insert_in_blocks, scope_condition};
use crate::connection::{AnyConnection, with_inner};
use crate::error::QueryResultExt;
use crate::rows::calendar::{EntryContentRow, EntryRow, ListedRow, NewEntryRow};
use crate::rows::{parse, ts, utc};
use crate::schema::{
    addresses, calendar_attendance, calendar_contacts, calendar_entries, calendar_people,
    milestone_moves,
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

    fn insert_entries(&mut self, batch: &[NewEntry]) -> crm_core::Result<()> {
        insert_many(self.conn, batch).map(drop)
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
        let mut q = calendar_entries::table
            .filter(calendar_entries::address_id.eq(address.0))
            .filter(calendar_entries::last_end.ge(ts(range.from)))
            .filter(calendar_entries::starts_at.lt(ts(range.to)))
            .select(ListedRow::as_select())
            .order((calendar_entries::starts_at, calendar_entries::id))
            .limit(MAX_LISTED)
            .into_boxed();
        if !kinds.is_empty() {
            let names: Vec<&'static str> = kinds.iter().map(|k| k.as_str()).collect();
            q = q.filter(calendar_entries::kind.eq_any(names));
        }
        let rows: Vec<ListedRow> = q.load(self.conn).dom()?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let reference: Option<(i64, i64, String)> = addresses::table
            .filter(addresses::id.eq(address.0))
            .select((addresses::id, addresses::number, addresses::name1))
            .first(self.conn)
            .optional()
            .dom()?;
        let Some(reference) = reference else {
            return Ok(Vec::new());
        };
        rows.into_iter()
            .map(|row| row.into_domain(address_ref(reference.clone())))
            .collect()
    }

    fn user_entries(
        &mut self,
        user: UserId,
        range: TimeRange,
        scope: AddressScope,
    ) -> crm_core::Result<Vec<ListedEntry>> {
        // Short entries by their start (at most SHORT_SPAN before the range), long-running
        // ones by their last end: both are ranges of the attendance key.
        let (from, to) = (ts(range.from), ts(range.to));
        let short = calendar_attendance::long_running
            .eq(false)
            .and(calendar_attendance::starts_at.ge(ts(range.from - SHORT_SPAN)))
            .and(calendar_attendance::starts_at.lt(to));
        let long = calendar_attendance::long_running
            .eq(true)
            .and(calendar_attendance::starts_at.lt(to))
            .and(calendar_attendance::last_end.ge(from));
        let mut q = calendar_attendance::table
            .inner_join(calendar_entries::table.inner_join(addresses::table))
            .filter(calendar_attendance::user_id.eq(user.0))
            .filter(short.or(long))
            .filter(calendar_entries::last_end.ge(from))
            .select((
                ListedRow::as_select(),
                (addresses::id, addresses::number, addresses::name1),
            ))
            .limit(MAX_LISTED)
            .into_boxed();
        if let Some(condition) = scope_condition(scope) {
            q = q.filter(condition);
        }
        let rows: Vec<(ListedRow, (i64, i64, String))> = q.load(self.conn).dom()?;
        rows.into_iter()
            .map(|(row, reference)| row.into_domain(address_ref(reference)))
            .collect()
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
    let attendance: Vec<Attendance> = ids
        .iter()
        .zip(batch)
        .map(|(id, new)| Attendance {
            entry: *id,
            address: new.address_id.0,
            starts_at: ts(new.data.when.start),
            last_end: ts(new.data.last_end()),
            long_running: long_running(ts(new.data.when.start), ts(new.data.last_end())),
            people: new.data.details.people().iter().map(|(u, _)| u.0).collect(),
        })
        .collect();
    write_attendance(conn, &attendance)?;
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

/// What decides in whose calendar an entry appears.
struct Attendance {
    entry: i64,
    address: i64,
    starts_at: NaiveDateTime,
    last_end: NaiveDateTime,
    long_running: bool,
    people: Vec<i64>,
}

/// Entries that last longer are found by their last end rather than their start.
const SHORT_SPAN: chrono::Duration = chrono::Duration::days(31);

/// Whether an entry from `starts_at` to `ends_at` (and on to `last_end`) counts as long-running.
fn long_running(starts_at: NaiveDateTime, last_end: NaiveDateTime) -> bool {
    last_end - starts_at > SHORT_SPAN
}

/// Writes the attendance rows of entries: their address's reps and their people.
fn write_attendance(conn: &mut AnyConnection, entries: &[Attendance]) -> crm_core::Result<()> {
    let wanted: BTreeSet<i64> = entries.iter().map(|e| e.address).collect();
    let wanted: Vec<i64> = wanted.into_iter().collect();
    let mut reps: HashMap<i64, [Option<i64>; 2]> = HashMap::with_capacity(wanted.len());
    for chunk in wanted.chunks(IN_CHUNK) {
        let rows: Vec<(i64, Option<i64>, Option<i64>)> = addresses::table
            .filter(addresses::id.eq_any(chunk))
            .select((
                addresses::id,
                addresses::field_rep_id,
                addresses::inside_rep_id,
            ))
            .load(conn)
            .dom()?;
        reps.extend(
            rows.into_iter()
                .map(|(id, field, inside)| (id, [field, inside])),
        );
    }
    let mut rows = Vec::new();
    for e in entries {
        let mut users: BTreeSet<i64> = e.people.iter().copied().collect();
        users.extend(reps.get(&e.address).into_iter().flatten().flatten());
        rows.extend(users.into_iter().map(|user| {
            (
                calendar_attendance::user_id.eq(user),
                calendar_attendance::long_running.eq(e.long_running),
                calendar_attendance::starts_at.eq(e.starts_at),
                calendar_attendance::entry_id.eq(e.entry),
                calendar_attendance::last_end.eq(e.last_end),
            )
        }));
    }
    insert_in_blocks!(conn, &rows, 256, |c, block| {
        diesel::insert_into(calendar_attendance::table)
            .values(block)
            .execute(c)
    });
    Ok(())
}

/// Rewrites the attendance rows of these entries from their current state.
fn refresh_attendance(conn: &mut AnyConnection, ids: &[i64]) -> crm_core::Result<()> {
    let mut entries = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IN_CHUNK) {
        diesel::delete(
            calendar_attendance::table.filter(calendar_attendance::entry_id.eq_any(chunk)),
        )
        .execute(conn)
        .dom()?;
        let rows: Vec<(i64, i64, NaiveDateTime, NaiveDateTime)> = calendar_entries::table
            .filter(calendar_entries::id.eq_any(chunk))
            .select((
                calendar_entries::id,
                calendar_entries::address_id,
                calendar_entries::starts_at,
                calendar_entries::last_end,
            ))
            .load(conn)
            .dom()?;
        let mut people = load_people(conn, chunk)?;
        entries.extend(
            rows.into_iter()
                .map(|(entry, address, starts_at, last_end)| Attendance {
                    entry,
                    address,
                    starts_at,
                    last_end,
                    long_running: long_running(starts_at, last_end),
                    people: people
                        .remove(&entry)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(u, _)| u.0)
                        .collect(),
                }),
        );
    }
    write_attendance(conn, &entries)
}

/// After an address's reps changed: its entries move to the new reps' calendars.
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
