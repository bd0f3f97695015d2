//! Google-like search of the sales CRM over [tantivy](https://docs.rs/tantivy): the
//! [`ProductSearch`] index implements the core's
//! [`ProductIndex`](crm_core::ports::ProductIndex) port, the [`AddressSearch`] index its
//! [`AddressIndex`](crm_core::ports::AddressIndex) port (names, numbers, contact persons,
//! places, e-mail addresses, within what the user may see).
//!
//! What "Google-like" means here, and how ([`analysis`] has the details):
//!
//! - typing errors are forgiven — one in words of 4–7 letters, two from 8 — and the word
//!   being typed matches as a prefix;
//! - `Müller`, `Mueller` and `Muller` find each other, accents do not matter (`prêt`,
//!   `pret`);
//! - a word of at least 4 letters finds the German compounds it ends or starts
//!   (`klemme` → `Durchgangs-Reihenklemme`);
//! - measures are matched as people type them (`5x5`, `5 x 5 mm`, `M8x40`);
//! - a product number, EAN or manufacturer type typed exactly ranks first;
//! - all languages are searched, the user's language ranks first; hits are counted per
//!   product group (facets) and can be filtered by group, new items and promotions.
//!
//! The database is the source of truth: the services write the index after the database
//! commits, and rebuild it from the database when it is missing, corrupt or drifted.
//!
//! ```
//! use crm_core::ports::ProductIndex;
//! use crm_search::ProductSearch;
//!
//! let index = ProductSearch::in_memory()?;
//! assert_eq!(index.count()?, 0);
//! # Ok::<(), crm_core::Error>(())
//! ```

mod addresses;
pub mod analysis;
mod documents;
mod engine;
mod expand;
mod products;
mod text_query;

use std::path::Path;

use tantivy::Index;
use tantivy::directory::MmapDirectory;
use tantivy::schema::Schema;

pub use addresses::AddressSearch;
pub use documents::DocumentSearch;
pub(crate) use engine::Engine;
pub use products::ProductSearch;

/// A failure of the index, reported as [`crm_core::Error::Storage`] — or as
/// [`crm_core::Error::Busy`] when another index writer holds the directory's lock (another
/// CRM opened on the same directory, in this process or another).
#[derive(Debug)]
pub(crate) struct SearchError {
    message: String,
    busy: bool,
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        let busy = matches!(
            e,
            tantivy::TantivyError::LockFailure(tantivy::directory::error::LockError::LockBusy, _)
        );
        SearchError {
            message: format!("search index: {e}"),
            busy,
        }
    }
}

impl From<String> for SearchError {
    fn from(e: String) -> Self {
        SearchError {
            message: format!("search index: {e}"),
            busy: false,
        }
    }
}

impl From<SearchError> for crm_core::Error {
    fn from(e: SearchError) -> Self {
        if e.busy {
            crm_core::Error::Busy(e.message)
        } else {
            crm_core::Error::Storage(e.message)
        }
    }
}

/// Opens the index in `dir`, creating the directory and the index when missing.
fn open_index(dir: &Path, schema: Schema) -> Result<Index, SearchError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SearchError::from(format!("{}: {e}", dir.display())))?;
    let directory = MmapDirectory::open(dir)
        .map_err(|e| SearchError::from(format!("{}: {e}", dir.display())))?;
    Index::open_or_create(directory, schema)
        .map_err(|e| SearchError::from(format!("{}: {e}", dir.display())))
}

/// The tokenizer of the term fields: the terms come analysed (see [`analysis`]) and joined
/// by spaces, so splitting at whitespace gives them back.
pub(crate) const TERMS: &str = "crm_terms";

/// Items below which [`map_in_parallel`] stays on the calling thread.
const PARALLEL_FROM: usize = 64;

/// `f` of every item, in order, computed on as many threads as the machine has cores (at
/// most four): turning records into documents is the costly part of indexing, and the
/// index writer takes the documents in as fast as they come.
pub(crate) fn map_in_parallel<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || items.len() < PARALLEL_FROM {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<U>>()))
            .collect();
        // A thread that panicked re-raises its panic here, as the serial map would have.
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}
