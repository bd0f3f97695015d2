//! Column types for lists of many rows: a stored time or date read straight from SQLite's
//! text (diesel's own reading tries a list of formats through chrono's format parser), and
//! a text column parsed into its domain type without an owned copy first. The values are
//! the ones diesel's types give; only the way there is shorter.

use std::fmt::Display;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::{Date, Text, Timestamp};
use diesel::sqlite::{Sqlite, SqliteType, SqliteValue};

use crate::connection::{MultiBackend, MultiRawValue};

/// A `TIMESTAMP` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub(crate) struct StoredTime(pub NaiveDateTime);

/// A `DATE` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub(crate) struct StoredDate(pub NaiveDate);

/// A text column parsed by `T`'s `FromStr` as it is read. A value that does not parse is
/// kept as its reason, so that the row's reader names the row and column.
#[derive(Debug, FromSqlRow)]
pub(crate) struct Parsed<T>(Result<T, String>);

impl<T> Parsed<T> {
    /// The value, or the reason it is unreadable.
    pub(crate) fn into_result(self) -> Result<T, String> {
        self.0
    }

    fn of(text: &str) -> Self
    where
        T: FromStr,
        T::Err: Display,
    {
        Parsed(text.parse().map_err(|e: T::Err| e.to_string()))
    }
}

/// The `n` ASCII digits at `at` as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let mut v = 0;
    for &d in b.get(at..at + n)? {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(d - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD`, as diesel writes a date into SQLite; anything else is left to diesel's
/// reading.
fn sqlite_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(b, 0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(b, 5, 2)?, digits(b, 8, 2)?)
}

/// `YYYY-MM-DD HH:MM:SS` with up to nine digits of a second after a dot, as diesel writes a
/// time into SQLite; anything else is left to diesel's reading.
fn sqlite_time(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if b.len() < 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = sqlite_date(text.get(..10)?)?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction, 0, fraction.len())? * 10_u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(
        digits(b, 11, 2)?,
        digits(b, 14, 2)?,
        digits(b, 17, 2)?,
        nanos,
    )?;
    Some(date.and_time(time))
}

/// Reading of a newtype over chrono's `$inner` from `$sql` columns: on SQLite through
/// `$fast` where the value is text it knows, else (and on PostgreSQL, whose binary value
/// needs no parsing) through diesel's reading of `$inner`.
macro_rules! chrono_column {
    ($newtype:ident($inner:ty), $sql:ty, $fast:path) => {
        impl FromSql<$sql, Sqlite> for $newtype {
            fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                if value.value_type() == Some(SqliteType::Text)
                    && let Some(read) = $fast(value.read_text())
                {
                    return Ok($newtype(read));
                }
                <$inner as FromSql<$sql, Sqlite>>::from_sql(value).map($newtype)
            }
        }

        impl FromSql<$sql, Pg> for $newtype {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                <$inner as FromSql<$sql, Pg>>::from_sql(value).map($newtype)
            }
        }

        impl FromSql<$sql, MultiBackend> for $newtype {
            fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<Self, $sql>()
            }
        }
    };
}

chrono_column!(StoredTime(NaiveDateTime), Timestamp, sqlite_time);
chrono_column!(StoredDate(NaiveDate), Date, sqlite_date);

impl<T: FromStr> FromSql<Text, Sqlite> for Parsed<T>
where
    T::Err: Display,
{
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Ok(Parsed::of(value.read_text()))
    }
}

impl<T: FromStr> FromSql<Text, Pg> for Parsed<T>
where
    T::Err: Display,
{
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(Parsed::of(std::str::from_utf8(value.as_bytes())?))
    }
}

impl<T: FromStr> FromSql<Text, MultiBackend> for Parsed<T>
where
    T::Err: Display,
{
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Text>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_diesel_writes_them() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%F %T%.f").unwrap();
        for text in [
            "2026-11-29 13:11:35",
            "2026-11-29 13:11:35.5",
            "2024-02-29 23:59:59.123456",
            "1999-01-01 00:00:00.000000001",
        ] {
            assert_eq!(sqlite_time(text), Some(at(text)), "{text}");
        }
        // Left to diesel: other layouts, and anything not a time at all.
        for text in [
            "2026-11-29T13:11:35",
            "2026-11-29 13:11",
            "2026-11-29 13:11:35Z",
            "2026-11-29 13:11:35.1234567890",
            "2026-02-30 13:11:35",
            "2026-11-29 24:00:00",
            "2026-1a-29 13:11:35",
            "",
        ] {
            assert_eq!(sqlite_time(text), None, "{text}");
        }
        assert_eq!(
            sqlite_date("2028-02-29"),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(sqlite_date("2027-02-29"), None);
    }

    #[test]
    fn unparsable_text_keeps_its_reason() {
        let bad: Parsed<crm_core::Language> = Parsed::of("xx");
        assert!(bad.into_result().unwrap_err().contains("xx"));
        let good: Parsed<crm_core::Language> = Parsed::of("de");
        assert_eq!(good.into_result(), Ok(crm_core::Language::De));
    }
}
