//! The diesel implementation of [`crm_core::Store`].

use std::time::Duration;

use crm_core::{Store, Tx};
use diesel::r2d2::{Pool, PooledConnection};

use crate::connection::{
    AnyConnection, Backend, DatabaseUrl, Manager, SqlitePragmas, SqliteTarget, TxMode, begin,
    connection_lost, discard, finish, ping,
};
use crate::error::StorageError;
use crate::migrations;
use crate::repo::DieselTx;

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Where the database is.
    pub url: DatabaseUrl,
    /// Pooled connections (an in-memory SQLite database always uses one).
    pub pool_size: u32,
    /// How long a writer waits for SQLite's write lock, and a caller for a free connection.
    pub busy_timeout: Duration,
    /// SQLite page cache per connection, in KiB.
    pub sqlite_cache_kib: u32,
    /// How much of an SQLite database file is read through memory mapping, in MiB (0: none).
    /// Mapped pages are shared with the operating system's cache instead of being copied
    /// into each connection's page cache.
    pub sqlite_mmap_mib: u32,
}

impl StoreOptions {
    /// Defaults for `url`: 8 connections, 5 s busy timeout, 64 MiB SQLite cache, 1 GiB
    /// SQLite memory map.
    pub fn new(url: DatabaseUrl) -> Self {
        StoreOptions {
            url,
            pool_size: 8,
            busy_timeout: Duration::from_secs(5),
            sqlite_cache_kib: 64 * 1024,
            sqlite_mmap_mib: 1024,
        }
    }
}

/// A pooled store over PostgreSQL or SQLite; cheap to share between threads.
///
/// ```no_run
/// use crm_storage_diesel::{DatabaseUrl, DieselStore, StoreOptions};
/// let url = DatabaseUrl::parse("sqlite://crm-data/crm.sqlite")?;
/// let store = DieselStore::open(&StoreOptions::new(url))?;
/// assert_eq!(store.backend(), crm_storage_diesel::Backend::Sqlite);
/// # Ok::<(), crm_storage_diesel::StorageError>(())
/// ```
#[derive(Clone)]
pub struct DieselStore {
    pool: Pool<Manager>,
    backend: Backend,
}

impl std::fmt::Debug for DieselStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DieselStore")
            .field("backend", &self.backend)
            .field("connections", &self.pool.state().connections)
            .finish()
    }
}

impl DieselStore {
    /// Opens the database (creating an SQLite file and its directory when missing), runs the
    /// pending migrations and fills the pool.
    ///
    /// # Errors
    /// [`StorageError::Connect`] when the database cannot be reached, with the driver's
    /// reason; [`StorageError::Migration`]; [`StorageError::Io`] when the directory cannot be
    /// created.
    pub fn open(options: &StoreOptions) -> Result<Self, StorageError> {
        let mut pool_size = options.pool_size.max(1);
        match &options.url {
            DatabaseUrl::Sqlite(SqliteTarget::File(path)) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
            }
            DatabaseUrl::Sqlite(SqliteTarget::Memory) => pool_size = 1,
            DatabaseUrl::Postgres(_) => {}
        }
        let manager = Manager::new(options.url.clone());
        // Connect once directly: the driver's own message beats a pool timeout.
        let mut first = diesel::r2d2::ManageConnection::connect(&manager)
            .map_err(|e| StorageError::Connect(e.to_string()))?;
        let pragmas = SqlitePragmas {
            busy_timeout: options.busy_timeout,
            cache_kib: options.sqlite_cache_kib,
            mmap_mib: options.sqlite_mmap_mib,
        };
        diesel::r2d2::CustomizeConnection::on_acquire(&pragmas, &mut first)
            .map_err(|e| StorageError::Connect(e.to_string()))?;
        migrations::run(&mut first)?;
        drop(first);
        // Connections are not pinged when checked out (on PostgreSQL that was one round trip
        // more per use case): a connection that died while idle fails the first statement it
        // is given, before anything has run on it, and `checked_out` takes the next one.
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .test_on_check_out(false)
            .connection_timeout(options.busy_timeout.max(Duration::from_secs(1)))
            .connection_customizer(Box::new(pragmas))
            .build(manager)
            .map_err(|e| StorageError::Connect(e.to_string()))?;
        Ok(DieselStore {
            pool,
            backend: options.url.backend(),
        })
    }

    /// The backend behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection outside any transaction — for maintenance such as
    /// `VACUUM`/`ANALYZE` after a bulk load, and for tests that inspect rows directly.
    ///
    /// # Errors
    /// [`StorageError::Pool`] when no connection is free in time, or what `f` returns.
    pub fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut conn = self.checked_out(ping)?;
        f(&mut conn)
    }

    /// A pooled connection on which `first` succeeded. A connection the server has closed
    /// since it was last used fails `first`, is marked broken so that the pool discards
    /// it, and the next one is tried; after a server restart every pooled connection may be
    /// such a one, hence one attempt more than the pool holds.
    fn checked_out(
        &self,
        mut first: impl FnMut(&mut AnyConnection) -> diesel::QueryResult<()>,
    ) -> Result<PooledConnection<Manager>, StorageError> {
        let mut attempts = self.pool.max_size() + 1;
        loop {
            let mut conn = self.pool.get()?;
            match first(&mut conn) {
                Ok(()) => return Ok(conn),
                Err(e) if connection_lost(&e) => {
                    discard(&mut conn);
                    if attempts == 1 {
                        return Err(e.into());
                    }
                    attempts -= 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Refreshes the planner's statistics (`ANALYZE`) — worth it after a bulk import.
    ///
    /// On SQLite only the per-index statistics are kept: with the sampled value statistics
    /// (`sqlite_stat4`) SQLite recompiles a prepared statement whenever a bound range value
    /// changes, which costs more than any plan it could improve for these queries.
    ///
    /// # Errors
    /// [`StorageError::Query`].
    pub fn analyze(&self) -> Result<(), StorageError> {
        use diesel::connection::SimpleConnection;
        self.with_connection(|c| {
            c.batch_execute(match self.backend {
                Backend::Sqlite => "ANALYZE; DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;",
                Backend::Postgres => "VACUUM ANALYZE",
            })?;
            Ok(())
        })
    }

    /// The bytes the database takes on disk: on SQLite its pages (`page_count ×
    /// page_size`, the write-ahead log not counted), on PostgreSQL the tables of its schema
    /// with their indexes and TOAST data (`pg_total_relation_size`).
    ///
    /// # Errors
    /// [`StorageError::Query`].
    pub fn size_on_disk(&self) -> Result<u64, StorageError> {
        use diesel::RunQueryDsl;
        use diesel::sql_types::BigInt;
        #[derive(diesel::QueryableByName)]
        struct Size {
            #[diesel(sql_type = BigInt)]
            bytes: i64,
        }
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT page_count * page_size AS bytes \
                 FROM pragma_page_count(), pragma_page_size()"
            }
            Backend::Postgres => {
                "SELECT CAST(COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS BIGINT) AS bytes \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'm') AND n.nspname = current_schema()"
            }
        };
        self.with_connection(|c| {
            let size: Size =
                crate::connection::with_inner!(c, |c| diesel::sql_query(sql).get_result(c))?;
            Ok(u64::try_from(size.bytes).unwrap_or(0))
        })
    }

    fn run<T>(
        &self,
        mode: TxMode,
        f: impl FnOnce(&mut dyn Tx) -> crm_core::Result<T>,
    ) -> crm_core::Result<T> {
        let mut conn = self.checked_out(|c| begin(c, mode))?;
        finish(&mut conn, |c| f(&mut DieselTx { conn: c }))
    }
}

impl Store for DieselStore {
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> crm_core::Result<T>) -> crm_core::Result<T> {
        self.run(TxMode::Read, f)
    }

    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> crm_core::Result<T>) -> crm_core::Result<T> {
        self.run(TxMode::Write, f)
    }

    /// On PostgreSQL without a transaction: a connection the server closed while it was idle
    /// fails `f` with a storage error; a ping then tells that apart from a failing
    /// statement, and `f` runs again on the next connection, as [`read`](Store::read)'s
    /// `BEGIN` would. The domain's answers (not found, forbidden) need no ping.
    fn read_each<T>(
        &self,
        mut f: impl FnMut(&mut dyn Tx) -> crm_core::Result<T>,
    ) -> crm_core::Result<T> {
        if self.backend != Backend::Postgres {
            return self.run(TxMode::Read, f);
        }
        let mut attempts = self.pool.max_size() + 1;
        loop {
            let mut conn = self.pool.get().map_err(StorageError::from)?;
            match f(&mut DieselTx { conn: &mut conn }) {
                Err(crm_core::Error::Storage(_))
                    if attempts > 1 && matches!(ping(&mut conn), Err(e) if connection_lost(&e)) =>
                {
                    discard(&mut conn);
                    attempts -= 1;
                }
                answer => return answer,
            }
        }
    }

    fn concurrent_writers(&self) -> bool {
        self.backend == Backend::Postgres
    }
}
