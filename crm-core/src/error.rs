//! The one error type of the domain, shared by every port and service.

use std::fmt;

use serde::Serialize;

use crate::duplicates::DuplicateCandidate;
use crate::entity::EntityKind;

/// A result with the domain [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a use case can fail with.
///
/// Adapters map their own failures onto these variants (a unique violation becomes
/// [`Error::Duplicate`], a stale version [`Error::Conflict`]) so that a host handles one type
/// whatever the backend is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input was rejected; every offending field is named with its reason. Nothing was written.
    #[error("invalid input: {0}")]
    Invalid(Invalid),
    /// The record does not exist, or the actor may not see it (reads never reveal which).
    #[error("{entity} {id} not found")]
    NotFound {
        /// Kind of the record looked for.
        entity: EntityKind,
        /// Its id or number as the caller gave it.
        id: String,
    },
    /// The record was changed by someone else since the caller read it.
    #[error("{entity} {id} was changed by someone else: expected version {expected}")]
    Conflict {
        /// Kind of the record.
        entity: EntityKind,
        /// Its id.
        id: String,
        /// The version the caller based the change on.
        expected: i64,
    },
    /// The change would create a duplicate.
    #[error("duplicate {what}")]
    Duplicate {
        /// What is duplicated, e.g. `address number 100042` or `customer (2 strong candidates)`.
        what: String,
        /// For a lead conversion: the candidates that block it.
        candidates: Vec<DuplicateCandidate>,
    },
    /// The actor may see the record but not do this to it, or may not see it at all and tried
    /// to change it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The storage is busy (locked) beyond its wait time; the use case may be retried.
    #[error("storage busy: {0}")]
    Busy(String),
    /// The storage failed for a reason the domain cannot name.
    #[error("storage failure: {0}")]
    Storage(String),
}

impl Error {
    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid(Invalid::one(field, reason))
    }

    /// This error of one item among many, named by its place `at` (`items[3]`): the
    /// fields of an invalid item prefixed with it, a record the item refers to and that is
    /// missing reported as the item's fault; other errors unchanged.
    #[must_use]
    pub fn located(self, at: &str) -> Self {
        match self {
            Error::Invalid(invalid) => Error::Invalid(invalid.prefixed(at)),
            Error::NotFound { .. } => Error::invalid(at.to_owned(), self.to_string()),
            other => other,
        }
    }

    /// A not-found error for a record of `entity` with `id`.
    pub fn not_found(entity: EntityKind, id: impl fmt::Display) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// A conflict on a record of `entity` with `id` that the caller read at `expected`.
    pub fn conflict(entity: EntityKind, id: impl fmt::Display, expected: i64) -> Self {
        Error::Conflict {
            entity,
            id: id.to_string(),
            expected,
        }
    }
}

/// One rejected field with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Field path as the caller names it, e.g. `email` or `rows[17].postal_code`.
    pub field: String,
    /// Why the value was rejected, in lowercase words.
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// The non-empty list of field errors of one rejected input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invalid {
    errors: Vec<FieldError>,
}

impl Invalid {
    /// An error list with one field.
    pub fn one(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Invalid {
            errors: vec![FieldError {
                field: field.into(),
                reason: reason.into(),
            }],
        }
    }

    /// A list from collected errors; callers make sure it is not empty.
    pub(crate) fn from_errors(errors: Vec<FieldError>) -> Self {
        Invalid { errors }
    }

    /// The list with one more error.
    #[must_use]
    pub(crate) fn with(mut self, error: FieldError) -> Self {
        self.errors.push(error);
        self
    }

    /// All rejected fields, in the order they were checked.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The first rejected field's name.
    pub fn field(&self) -> &str {
        self.errors.first().map_or("", |e| e.field.as_str())
    }

    /// Whether `field` is among the rejected fields.
    pub fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Renames fields: `rename` returns the new name of a field, or `None` to keep it.
    #[must_use]
    pub fn renamed(mut self, rename: impl Fn(&str) -> Option<String>) -> Self {
        for error in &mut self.errors {
            if let Some(name) = rename(&error.field) {
                error.field = name;
            }
        }
        self
    }

    /// Puts `prefix.` in front of every field name (`rows[3].` for a bulk import).
    #[must_use]
    pub fn prefixed(mut self, prefix: &str) -> Self {
        for error in &mut self.errors {
            error.field = format!("{prefix}.{}", error.field);
        }
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// Collects field errors while an input is validated, so that a caller sees all of them at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `reason` for `field`.
    pub fn reject(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            reason: reason.into(),
        });
    }

    /// Keeps the value of `result`, or records its error under `field` and returns `None`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, ValueError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.reject(field, error.0);
                None
            }
        }
    }

    /// Like [`Validator::check`] for an optional raw value: `None` stays `None`.
    pub fn check_opt<T, R>(
        &mut self,
        field: &str,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, ValueError>,
    ) -> Option<T> {
        raw.and_then(|raw| self.check(field, parse(raw)))
    }

    /// Ends validation: the collected errors, or `value` when there were none.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T> {
        if self.errors.is_empty() {
            value().ok_or_else(|| Error::invalid("input", "incomplete after validation"))
        } else {
            Err(Error::Invalid(Invalid {
                errors: self.errors,
            }))
        }
    }

    /// Whether no error was recorded so far.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Why a single value was rejected by its constructor; the caller knows the field's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl ValueError {
    /// A rejection with `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        ValueError(reason.into())
    }

    /// Names the field: turns the value error into a domain [`Error::Invalid`].
    pub fn at(self, field: &str) -> Error {
        Error::invalid(field, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_collects_every_field_before_failing() {
        let mut v = Validator::new();
        v.reject("email", "missing @");
        let phone: Option<u8> = v.check("phone", Err(ValueError::new("too short")));
        assert!(phone.is_none());
        let err = v.finish(|| Some(())).unwrap_err();
        let Error::Invalid(invalid) = err else {
            panic!("expected invalid")
        };
        assert!(invalid.has("email") && invalid.has("phone"));
        assert_eq!(
            invalid.to_string(),
            "email: missing @; phone: too short".to_owned()
        );
        assert_eq!(invalid.prefixed("rows[2]").field(), "rows[2].email");
    }
}
