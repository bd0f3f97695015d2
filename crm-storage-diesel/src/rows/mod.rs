//! Row types, apart from the domain types: what a table holds, and the conversions at the
//! boundary. Reading a row re-validates its values, so a row edited behind the library's back
//! is reported instead of silently trusted.

pub(crate) mod address;
pub(crate) mod calendar;
pub(crate) mod contact;
pub(crate) mod decode;
pub(crate) mod note;
pub(crate) mod opportunity;
pub(crate) mod pool;
pub(crate) mod trace;
pub(crate) mod user;

use chrono::{DateTime, NaiveDateTime, Utc};

/// UTC time as stored.
pub(crate) fn ts(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc()
}

/// Stored time as UTC.
pub(crate) fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A stored "who, when" pair.
pub(crate) fn stamp(at: NaiveDateTime, by: i64) -> crm_core::Stamp {
    crm_core::Stamp {
        at: utc(at),
        by: crm_core::UserId(by),
    }
}

/// The error for a stored value that no longer passes validation.
pub(crate) fn corrupt(
    table: &str,
    id: i64,
    column: &str,
    reason: impl std::fmt::Display,
) -> crm_core::Error {
    crm_core::Error::Storage(format!(
        "{table} row {id}: stored {column} is invalid: {reason}"
    ))
}

/// Parses a stored value with its domain constructor, reporting a corrupt row.
pub(crate) fn parse<T, E: std::fmt::Display>(
    table: &str,
    id: i64,
    column: &str,
    result: Result<T, E>,
) -> crm_core::Result<T> {
    result.map_err(|e| corrupt(table, id, column, e))
}
