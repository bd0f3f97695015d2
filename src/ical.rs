//! iCalendar (RFC 5545) export of calendars, for Outlook, Apple Calendar or Thunderbird to
//! subscribe to.
//!
//! Each entry becomes one `VEVENT` with a stable `UID` (`calendar-entry-<id>@crm`), so that a
//! subscribing client updates events instead of duplicating them. Recurring activities stay
//! one event with their `RRULE` and `EXDATE`s. Timed entries are written in their own zone
//! (`DTSTART;TZID=Europe/Zurich:…`) with a `VTIMEZONE` that lists the zone's offset changes
//! over the exported years, so a weekly 09:00 meeting stays at 09:00 after the change to
//! summer time; whole-day entries are dates. `CATEGORIES` carry the kind and type.
//!
//! The events are written with the `icalendar` crate; only the `VTIMEZONE` blocks, which that
//! crate cannot express, are written here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use crm_core::calendar::{EntryStatus, ListedEntry, SeriesEnd, Zone};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

/// The stable UID of an entry's event.
pub fn uid(entry: crm_core::CalendarEntryId) -> String {
    format!("calendar-entry-{entry}@crm")
}

/// Writes `entries` as one calendar named `name`.
pub fn export(name: &str, entries: &[ListedEntry]) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    let mut zones: BTreeMap<&'static str, (Zone, i32, i32)> = BTreeMap::new();
    for listed in entries {
        let zone = listed.when.zone;
        let mut event = Event::new();
        event.uid(&uid(listed.id));
        event.timestamp(listed.updated_at);
        event.summary(&listed.title);
        let mut text = format!("{} {}", listed.address.number, listed.address.name);
        for part in [&listed.description, &listed.outcome].into_iter().flatten() {
            text.push_str("\n\n");
            text.push_str(part);
        }
        event.description(&text);
        if let Some(location) = &listed.location {
            event.location(location);
        }
        event.categories([label(listed.kind.as_str()), label(&listed.entry_type)]);
        event.status(match listed.status {
            EntryStatus::Cancelled => EventStatus::Cancelled,
            EntryStatus::Planned | EntryStatus::Done => EventStatus::Confirmed,
        });
        let when = listed.when;
        if when.all_day {
            let first = zone.local(when.start).date();
            let after = zone
                .local(when.end)
                .date()
                .max(first.succ_opt().unwrap_or(first));
            event.starts(first);
            event.ends(after);
        } else {
            event.starts((zone.local(when.start), zone.tz()));
            if when.end > when.start {
                event.ends((zone.local(when.end), zone.tz()));
            }
            let first_year = when.start.year();
            let last_year = match listed.recurrence.as_ref().map(|r| r.end) {
                None => first_year,
                Some(SeriesEnd::Until(day)) => day.year().min(first_year + 10),
                Some(_) => first_year + 10,
            };
            zones
                .entry(zone.name())
                .and_modify(|(_, from, to)| {
                    *from = (*from).min(first_year);
                    *to = (*to).max(last_year);
                })
                .or_insert((zone, first_year, last_year));
        }
        if let Some(rule) = &listed.recurrence {
            event.append_property(Property::new("RRULE", rule.to_string()));
            let start_time = zone.local(when.start).time();
            for day in &listed.exceptions {
                let property = if when.all_day {
                    Property::new("EXDATE", day.format("%Y%m%d").to_string())
                        .add_parameter("VALUE", "DATE")
                        .done()
                } else {
                    Property::new(
                        "EXDATE",
                        day.and_time(start_time).format("%Y%m%dT%H%M%S").to_string(),
                    )
                    .add_parameter("TZID", zone.name())
                    .done()
                };
                event.append_multi_property(property);
            }
        }
        calendar.push(event.done());
    }
    let text = calendar.done().to_string();
    let timezones: String = zones
        .values()
        .map(|(zone, from, to)| vtimezone(zone.tz(), *from, *to))
        .collect();
    match text.rfind("END:VCALENDAR") {
        Some(at) => format!("{}{timezones}{}", &text[..at], &text[at..]),
        None => text,
    }
}

/// `go_live` → `Go live`, for categories.
fn label(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A `VTIMEZONE` for `tz` with every offset change from `from_year` to `to_year`.
fn vtimezone(tz: Tz, from_year: i32, to_year: i32) -> String {
    let offset_at = |at: DateTime<Utc>| tz.offset_from_utc_datetime(&at.naive_utc());
    let start = Utc
        .with_ymd_and_hms(from_year, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let end = Utc
        .with_ymd_and_hms(to_year.saturating_add(1), 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(start);
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    let first = offset_at(start);
    let seconds = |o: &chrono_tz::TzOffset| o.fix().local_minus_utc();
    out.push_str(&observance(
        &first,
        seconds(&first),
        seconds(&first),
        (start + Duration::seconds(i64::from(seconds(&first)))).naive_utc(),
    ));
    let mut seen = BTreeSet::new();
    let mut day = start;
    while day < end {
        let next = day + Duration::days(1);
        let (before, after) = (offset_at(day), offset_at(next));
        if seconds(&before) != seconds(&after) {
            // Narrow the change down to the second it happens.
            let (mut low, mut high) = (day, next);
            while high - low > Duration::seconds(1) {
                let mid = low + (high - low) / 2;
                if seconds(&offset_at(mid)) == seconds(&before) {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            // The change happens on a whole second: the first one with the new offset.
            let mut change = DateTime::from_timestamp(high.timestamp(), 0).unwrap_or(high);
            if seconds(&offset_at(change)) != seconds(&after) {
                change += Duration::seconds(1);
            }
            let high = change;
            let local_before = (high + Duration::seconds(i64::from(seconds(&before)))).naive_utc();
            if seen.insert(high) {
                out.push_str(&observance(
                    &after,
                    seconds(&before),
                    seconds(&after),
                    local_before,
                ));
            }
        }
        day = next;
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

fn observance(
    offset: &chrono_tz::TzOffset,
    from: i32,
    to: i32,
    local: chrono::NaiveDateTime,
) -> String {
    let kind = if offset.dst_offset().is_zero() {
        "STANDARD"
    } else {
        "DAYLIGHT"
    };
    let name = offset
        .abbreviation()
        .map(|a| format!("TZNAME:{a}\r\n"))
        .unwrap_or_default();
    format!(
        "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n{name}END:{kind}\r\n",
        local.format("%Y%m%dT%H%M%S"),
        utc_offset(from),
        utc_offset(to)
    )
}

fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zurich_has_two_changes_a_year() {
        let text = vtimezone(Tz::Europe__Zurich, 2027, 2027);
        assert!(text.contains("TZID:Europe/Zurich"));
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"
        ));
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"
        ));
        assert_eq!(label("go_live"), "Go live");
        assert_eq!(utc_offset(-16_200), "-0430");
    }
}
