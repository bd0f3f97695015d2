//! ERP adapters of the sales CRM: implementations of the ERP ports of `crm-core`
//! ([`Erp`](crm_core::Erp) and its parts).
//!
//! - [`Replica`]: the default. The host pushes its data in batches through the sync API
//!   ([`Replica::sync`]: idempotent upserts keyed by the ERP's numbers, deletions, a cursor per
//!   stream); the replica serves the ports from the CRM's own tables.
//! - [`csv_import`]: CSV files of open items, payments, special conditions and revenue
//!   lines into replica batches.
//! - [`opentrans`]: openTRANS 2.1 ORDER, DISPATCHNOTIFICATION and INVOICE documents into
//!   replica batches.
//! - [`bmecat`]: BMEcat 1.2 and 2005 product catalogs, streamed, into catalog items.
//! - [`product_csv`]: product lists as CSV into catalog items.
//! - [`InMemoryErp`]: an ERP in memory, for tests, examples and hosts that hold their ERP
//!   data in memory anyway.

pub mod bmecat;
pub mod csv_import;
mod memory;
pub mod opentrans;
pub mod product_csv;
mod replica;
mod xml_tree;

pub use bmecat::{BmecatReader, read_bmecat};
pub use csv_import::{CsvKind, read_csv};
pub use memory::InMemoryErp;
pub use opentrans::{OpenTrans, read_opentrans};
pub use product_csv::{PRODUCT_COLUMNS, read_product_csv};
pub use replica::{Replica, Skipped, SummaryCheck, SyncOutcome, UnknownCustomers, UnknownProducts};
