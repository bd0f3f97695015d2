//! Embedded migrations, one directory per backend with identical version names.

use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::{AnyConnection, Backend};
use crate::error::StorageError;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary but fixed key for PostgreSQL's advisory lock, so that two processes opening
/// the same database do not migrate it at the same time.
const MIGRATION_LOCK: i64 = 0x4352_4d5f_4d49_4752;

/// Runs the pending migrations of the connection's backend; returns the versions applied.
pub(crate) fn run(conn: &mut AnyConnection) -> Result<Vec<String>, StorageError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| StorageError::Migration(e.to_string())),
        AnyConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let result = c
                .run_pending_migrations(POSTGRES)
                .map(|versions| versions.iter().map(ToString::to_string).collect())
                .map_err(|e| StorageError::Migration(e.to_string()));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            result
        }
    }?;
    Ok(applied)
}

/// The migration versions embedded for `backend`, in order.
///
/// # Errors
/// [`StorageError::Migration`] when the embedded set cannot be read.
pub fn versions(backend: Backend) -> Result<Vec<String>, StorageError> {
    let source = match backend {
        Backend::Sqlite => MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE),
        Backend::Postgres => {
            return MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES)
                .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
                .map_err(|e| StorageError::Migration(e.to_string()));
        }
    };
    source
        .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
        .map_err(|e| StorageError::Migration(e.to_string()))
}
