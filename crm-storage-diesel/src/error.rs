//! Storage errors, and their mapping onto the domain's [`crm_core::Error`].

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong in this adapter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The database URL cannot be used.
    #[error("database url: {0}")]
    Url(String),
    /// The database could not be reached or opened.
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// A migration failed; the schema is left as the failed migration's transaction found it.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A pooled connection could not be had in time.
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    /// A query failed.
    #[error("query failed: {0}")]
    Query(#[from] DieselError),
    /// The file system refused (creating the database's directory).
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
}

impl From<StorageError> for crm_core::Error {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Query(e) => map_diesel(e),
            StorageError::Pool(e) => crm_core::Error::Busy(e.to_string()),
            other => crm_core::Error::Storage(other.to_string()),
        }
    }
}

/// Maps a query error: unique violations become `Duplicate`, lock waits `Busy`, the rest
/// `Storage` with the database's message.
pub(crate) fn map_diesel(error: DieselError) -> crm_core::Error {
    match &error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            crm_core::Error::Duplicate {
                what: describe_unique(info.constraint_name(), info.message()),
                candidates: Vec::new(),
            }
        }
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
            crm_core::Error::Busy(info.message().to_owned())
        }
        DieselError::DatabaseError(_, info)
            if info.message().contains("database is locked")
                || info.message().contains("database table is locked")
                || info.message().contains("lock timeout") =>
        {
            crm_core::Error::Busy(info.message().to_owned())
        }
        _ => crm_core::Error::Storage(error.to_string()),
    }
}

/// Names the duplicated value the way a user thinks of it.
fn describe_unique(constraint: Option<&str>, message: &str) -> String {
    let key = constraint.unwrap_or(message);
    if key.contains("addresses_number") || key.contains("addresses.number") {
        "address number".into()
    } else if key.contains("users_login") || key.contains("users.login") {
        "user login".into()
    } else if key.contains("contacts_one_primary") || key.contains("contacts.address_id") {
        "primary contact of the address".into()
    } else {
        format!("value ({key})")
    }
}

/// Shorthand: run a diesel query and map its error into the domain.
pub(crate) trait QueryResultExt<T> {
    /// Maps the error.
    fn dom(self) -> crm_core::Result<T>;
}

impl<T> QueryResultExt<T> for Result<T, DieselError> {
    fn dom(self) -> crm_core::Result<T> {
        self.map_err(map_diesel)
    }
}
