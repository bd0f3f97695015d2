//! Connections: one enum over PostgreSQL and SQLite, a pool, and transactions that begin the
//! way each backend needs.

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection};

use crate::error::{StorageError, map_diesel};

/// The derive generates a backend type and helpers that cannot carry doc comments.
#[allow(missing_docs)]
mod multi {
    /// A connection to either backend. Variants are picked from the URL scheme by
    /// [`DatabaseUrl`](super::DatabaseUrl), never by trial, so a PostgreSQL URL is never
    /// mistaken for a file name.
    #[derive(diesel::MultiConnection)]
    pub enum AnyConnection {
        /// PostgreSQL, the production and scale-out backend.
        Postgresql(diesel::PgConnection),
        /// SQLite (bundled), the embedded default.
        Sqlite(diesel::SqliteConnection),
    }
}

pub(crate) use multi::MultiRawValue;
pub use multi::{AnyConnection, MultiBackend};

/// Which database a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://…` or `postgresql://…`, passed to libpq as is.
    Postgres(String),
    /// `sqlite://path`, `sqlite::memory:`, or a plain file path.
    Sqlite(SqliteTarget),
}

/// Where an SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteTarget {
    /// A file, created with its directory when missing.
    File(PathBuf),
    /// A private in-memory database (one per connection; use a pool of one).
    Memory,
}

/// The backend behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        })
    }
}

impl DatabaseUrl {
    /// Reads a URL: `postgres://` and `postgresql://` go to PostgreSQL; `sqlite://PATH`,
    /// `sqlite::memory:` and anything without a scheme to SQLite.
    ///
    /// # Errors
    /// [`StorageError::Url`] for an empty URL or an unknown scheme such as `mysql://`.
    pub fn parse(url: &str) -> Result<Self, StorageError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(StorageError::Url("the database URL is empty".into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        if url == "sqlite::memory:" || url == ":memory:" {
            return Ok(DatabaseUrl::Sqlite(SqliteTarget::Memory));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StorageError::Url("sqlite:// needs a file path".into()));
            }
            return Ok(DatabaseUrl::Sqlite(SqliteTarget::File(PathBuf::from(path))));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(StorageError::Url(format!(
                "unsupported database scheme `{scheme}`: use postgres:// or sqlite://"
            )));
        }
        Ok(DatabaseUrl::Sqlite(SqliteTarget::File(PathBuf::from(url))))
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Postgres(_) => Backend::Postgres,
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Opens connections for the pool, of the variant the URL names.
#[derive(Debug, Clone)]
pub(crate) struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub(crate) fn new(url: DatabaseUrl) -> Self {
        Manager { url }
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => diesel::PgConnection::establish(url)
                .map(AnyConnection::Postgresql)
                .map_err(r2d2::Error::ConnectionError),
            DatabaseUrl::Sqlite(target) => {
                let path = match target {
                    SqliteTarget::Memory => ":memory:".to_owned(),
                    SqliteTarget::File(path) => path.to_string_lossy().into_owned(),
                };
                diesel::SqliteConnection::establish(&path)
                    .map(AnyConnection::Sqlite)
                    .map_err(r2d2::Error::ConnectionError)
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        ping(conn).map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        match conn {
            AnyConnection::Postgresql(c) => {
                AnsiTransactionManager::is_broken_transaction_manager(c)
            }
            AnyConnection::Sqlite(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

/// Sets the SQLite pragmas every connection needs: write-ahead log, enforced foreign keys,
/// a busy timeout instead of immediate `SQLITE_BUSY`, a page cache sized for lists, and
/// memory-mapped reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SqlitePragmas {
    pub(crate) busy_timeout: Duration,
    pub(crate) cache_kib: u32,
    pub(crate) mmap_mib: u32,
}

impl CustomizeConnection<AnyConnection, r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        if let AnyConnection::Sqlite(c) = conn {
            // The wait for locks comes first: switching to WAL needs a lock that another
            // connection opening at the same moment may hold.
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; \
                 PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; \
                 PRAGMA cache_size = -{}; \
                 PRAGMA temp_store = MEMORY; \
                 PRAGMA mmap_size = {};",
                self.busy_timeout.as_millis(),
                self.cache_kib,
                u64::from(self.mmap_mib) * 1024 * 1024
            ))
            .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxMode {
    /// One consistent snapshot, no writes.
    Read,
    /// Reads and writes; writers serialise.
    Write,
}

/// Begins a transaction of `mode` on `conn`.
///
/// SQLite writers begin with `BEGIN IMMEDIATE`: they take the write lock up front and wait
/// for it under the busy timeout, instead of failing when two deferred readers both try to
/// upgrade. PostgreSQL readers get a repeatable-read, read-only snapshot.
pub(crate) fn begin(conn: &mut AnyConnection, mode: TxMode) -> QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            let sql = match mode {
                TxMode::Read => "BEGIN DEFERRED",
                TxMode::Write => "BEGIN IMMEDIATE",
            };
            AnsiTransactionManager::begin_transaction_sql(c, sql)
        }
        AnyConnection::Postgresql(c) => {
            let sql = match mode {
                TxMode::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                TxMode::Write => "BEGIN",
            };
            AnsiTransactionManager::begin_transaction_sql(c, sql)
        }
    }
}

/// One round trip that tells whether `conn` still works.
pub(crate) fn ping(conn: &mut AnyConnection) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}

/// Whether `error` says the connection itself is gone (the server ended it, the socket
/// closed), as opposed to a statement failing on a live connection.
pub(crate) fn connection_lost(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        error,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | Error::BrokenTransactionManager
    )
}

/// Marks `conn` as broken, so that the pool discards it when it comes back instead of
/// handing it out again: for a connection [`connection_lost`] said is gone.
pub(crate) fn discard(conn: &mut AnyConnection) {
    match conn {
        AnyConnection::Postgresql(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
        }
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error()
        }
    }
}

/// Runs `f` in the transaction [`begin`] opened on `conn`, committing on `Ok` and rolling
/// back on `Err`.
pub(crate) fn finish<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> crm_core::Result<T>,
) -> crm_core::Result<T> {
    match f(conn) {
        Ok(value) => {
            if let Err(commit) =
                <AnyConnection as Connection>::TransactionManager::commit_transaction(conn)
            {
                let _ =
                    <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn);
                return Err(map_diesel(commit));
            }
            Ok(value)
        }
        Err(error) => {
            // A failed rollback leaves the connection broken; the pool then discards it.
            let _ = <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(error)
        }
    }
}

/// Evaluates the same expression with the inner connection of either variant, for the few
/// statements the multi-backend connection cannot express (`RETURNING`, upserts).
macro_rules! with_inner {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::connection::AnyConnection::Postgresql($c) => $body,
            $crate::connection::AnyConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use with_inner;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_their_backend_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://crm-data/crm.sqlite").unwrap(),
            DatabaseUrl::Sqlite(SqliteTarget::File("crm-data/crm.sqlite".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:").unwrap(),
            DatabaseUrl::Sqlite(SqliteTarget::Memory)
        );
        assert_eq!(
            DatabaseUrl::parse("/tmp/x.db").unwrap().backend(),
            Backend::Sqlite
        );
        assert!(matches!(
            DatabaseUrl::parse("mysql://x"),
            Err(StorageError::Url(m)) if m.contains("mysql")
        ));
        assert!(DatabaseUrl::parse("  ").is_err());
    }
}
