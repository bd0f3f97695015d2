//! Storage adapter of the sales CRM: the [`crm_core`] ports implemented with diesel over
//! **SQLite** (bundled; the embedded default) and **PostgreSQL** (production, scale-out).
//!
//! # Design
//!
//! * One connection type for both backends, `#[derive(diesel::MultiConnection)]`
//!   ([`AnyConnection`]); the variant is chosen from the URL scheme ([`DatabaseUrl`]), never
//!   by trial. The few statements the multi-backend connection cannot express (`RETURNING`,
//!   upserts) run on the inner connection of either variant with the same code.
//! * An r2d2 pool; every SQLite connection gets WAL, enforced foreign keys, a busy timeout
//!   and a page cache.
//! * Migrations are embedded per backend (`migrations/sqlite`, `migrations/postgres`) with
//!   identical version names, and run on [`DieselStore::open`].
//! * One `table!` schema for both; each column has the same SQL type on both. Money is a
//!   fixed-point `BIGINT` ([`fixed`]), times are UTC `TIMESTAMP`s.
//! * Row types (`…Row`) are apart from the domain types; reading a row re-validates its
//!   values.
//! * A use case runs in one transaction ([`DieselStore`] implements [`crm_core::Store`]).
//!   SQLite writers begin `IMMEDIATE` so that concurrent writers queue instead of failing;
//!   PostgreSQL readers get a repeatable-read snapshot.
//! * Diesel's errors stay here: unique violations become
//!   [`Duplicate`](crm_core::Error::Duplicate), lock timeouts
//!   [`Busy`](crm_core::Error::Busy), the rest [`Storage`](crm_core::Error::Storage).
//! * Visibility arrives as a [`crm_core::AddressScope`] and becomes part of each query's
//!   `WHERE`, so pages are never filtered after loading.

pub mod baseline;
mod connection;
mod error;
pub mod fixed;
pub mod migrations;
mod repo;
mod rows;
mod schema;
mod store;
pub mod testing;

pub use connection::{AnyConnection, Backend, DatabaseUrl, MultiBackend, SqliteTarget};
pub use error::StorageError;
pub use repo::DieselTx;
pub use store::{DieselStore, StoreOptions};
