//! Time zones and the ways people write times.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::recurrence::to_utc;
use crate::error::ValueError;

/// An IANA time zone such as `Europe/Zurich`, the zone an entry is planned in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Zone(Tz);

impl Zone {
    /// Europe/Zurich, the default for Swiss users.
    pub const ZURICH: Zone = Zone(Tz::Europe__Zurich);

    /// Parses an IANA name.
    ///
    /// # Errors
    /// A [`ValueError`] for a name the time-zone database does not know.
    pub fn new(raw: &str) -> Result<Self, ValueError> {
        raw.trim().parse::<Tz>().map(Zone).map_err(|_| {
            ValueError::new(format!(
                "`{}` is not an IANA time zone such as Europe/Zurich",
                raw.trim()
            ))
        })
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The `chrono-tz` zone.
    pub fn tz(&self) -> Tz {
        self.0
    }

    /// The local time of `at` in this zone.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.0).naive_local()
    }

    /// The instant of a local time in this zone (gaps move forward, overlaps take the first).
    pub fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        to_utc(self.0, local)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Zone {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Zone::new(s)
    }
}

impl TryFrom<String> for Zone {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Zone::new(&s)
    }
}

impl From<Zone> for String {
    fn from(z: Zone) -> Self {
        z.name().to_owned()
    }
}

/// A time as written in a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A date only: `2026-12-01`.
    Date(NaiveDate),
    /// A local date and time, in the entry's zone: `2026-12-01T09:00`.
    Local(NaiveDateTime),
    /// An instant with offset: `2026-12-01T08:00:00Z`, `2026-12-01T09:00+01:00`.
    Instant(DateTime<Utc>),
}

impl Written {
    /// Parses the three forms (a space may replace the `T`; seconds are optional).
    ///
    /// # Errors
    /// A [`ValueError`] saying which forms are understood.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = raw.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Written::Date(date));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Written::Instant(at.with_timezone(&Utc)));
        }
        for format in [
            "%Y-%m-%dT%H:%M:%S%:z",
            "%Y-%m-%dT%H:%M%:z",
            "%Y-%m-%d %H:%M%:z",
        ] {
            if let Ok(at) = DateTime::parse_from_str(text, format) {
                return Ok(Written::Instant(at.with_timezone(&Utc)));
            }
        }
        for format in [
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(Written::Local(at));
            }
        }
        Err(ValueError::new(format!(
            "`{text}` is not a date (2026-12-01), a local time (2026-12-01T09:00) or an instant (2026-12-01T08:00:00Z)"
        )))
    }

    /// The local date and time in `zone` (a date is its midnight).
    pub fn local_in(&self, zone: Zone) -> NaiveDateTime {
        match self {
            Written::Date(d) => d.and_time(NaiveTime::MIN),
            Written::Local(t) => *t,
            Written::Instant(t) => zone.local(*t),
        }
    }

    /// Whether only a date was written.
    pub fn is_date(&self) -> bool {
        matches!(self, Written::Date(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_checked_against_the_database() {
        assert_eq!(Zone::new(" Europe/Zurich ").unwrap(), Zone::ZURICH);
        assert!(Zone::new("Mars/Olympus").unwrap_err().0.contains("IANA"));
        let json = serde_json::to_string(&Zone::ZURICH).unwrap();
        assert_eq!(json, "\"Europe/Zurich\"");
    }

    #[test]
    fn the_three_written_forms() {
        assert!(Written::parse("2026-12-01").unwrap().is_date());
        let local = Written::parse("2026-12-01 09:30").unwrap();
        assert_eq!(
            Zone::ZURICH
                .instant(local.local_in(Zone::ZURICH))
                .to_rfc3339(),
            "2026-12-01T08:30:00+00:00"
        );
        let instant = Written::parse("2026-12-01T09:30:00+01:00").unwrap();
        assert_eq!(
            instant.local_in(Zone::ZURICH).to_string(),
            "2026-12-01 09:30:00"
        );
        assert!(
            Written::parse("1.12.2026")
                .unwrap_err()
                .0
                .contains("not a date")
        );
    }
}
