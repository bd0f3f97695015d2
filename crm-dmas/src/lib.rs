//! The archive (DMAS) of the sales CRM: [`FsBlobStore`], the core's
//! [`BlobStore`](crm_core::ports::BlobStore) port over the file system, and [`FileText`],
//! its [`TextExtractor`](crm_core::ports::TextExtractor): the text of PDFs (lopdf) and
//! plain text, bounded in time, size and pages.
//!
//! Blobs are named by the SHA-256 of their bytes and kept under `<dir>/<2 hex>/<62 hex>`.
//! A blob is written to a temporary file in the same directory, flushed to disk, and renamed
//! into place: it is either complete under its name or absent. The same bytes checked in
//! twice are stored once.
//!
//! ```
//! use crm_core::ports::BlobStore;
//! use crm_dmas::FsBlobStore;
//!
//! let dir = tempfile::tempdir().map_err(|e| crm_core::Error::Storage(e.to_string()))?;
//! let store = FsBlobStore::open(dir.path())?;
//! let blob = store.put(&mut &b"Offerte 4711"[..])?;
//! assert_eq!(blob.size, 12);
//! let again = store.put(&mut &b"Offerte 4711"[..])?;
//! assert_eq!(again.hash, blob.hash);
//! # Ok::<(), crm_core::Error>(())
//! ```

mod blobs;
mod content;
pub mod pdf;
pub mod quote;
mod streams;
mod text;

pub use blobs::FsBlobStore;
pub use text::{FileText, TextLimits};
