//! Throw-away databases for tests: each test gets its own, so tests run in parallel.
//!
//! PostgreSQL tests get a fresh schema in the database of a base URL (the connection's
//! `search_path` points at it, so migrations and queries land there); it is dropped again
//! when the [`PgSchema`] goes out of scope.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use crate::error::StorageError;

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A private schema in a PostgreSQL database, dropped on drop.
#[derive(Debug)]
pub struct PgSchema {
    base_url: String,
    schema: String,
    url: String,
}

impl PgSchema {
    /// Creates a schema with a unique name in the database at `base_url`.
    ///
    /// # Errors
    /// [`StorageError::Connect`] when the server cannot be reached — a test that asked for
    /// PostgreSQL must then fail, not skip.
    pub fn create(base_url: &str) -> Result<Self, StorageError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let schema = format!(
            "crm_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        let mut conn = PgConnection::establish(base_url)
            .map_err(|e| StorageError::Connect(format!("{base_url}: {e}")))?;
        conn.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options=-csearch_path%3D{schema}");
        Ok(PgSchema {
            base_url: base_url.to_owned(),
            schema,
            url,
        })
    }

    /// The URL whose connections use the schema.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.schema
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.base_url) {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// Runs raw SQL on a store outside the library's API — for tests that tamper with rows the
/// way someone with database access could.
///
/// # Errors
/// [`StorageError::Query`] when the statement fails.
pub fn execute(store: &crate::DieselStore, sql: &str) -> Result<(), StorageError> {
    store.with_connection(|c| {
        c.batch_execute(sql)?;
        Ok(())
    })
}
