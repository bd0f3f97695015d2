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
mod expand;
mod products;
mod text_query;

use std::path::Path;
use std::sync::Mutex;

use tantivy::directory::MmapDirectory;
use tantivy::merge_policy::{LogMergePolicy, NoMergePolicy};
use tantivy::schema::Schema;
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

pub use addresses::AddressSearch;
pub use documents::DocumentSearch;
pub use products::ProductSearch;

/// A failure of the index, reported as [`crm_core::Error::Storage`].
#[derive(Debug)]
pub(crate) struct SearchError(String);

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError(format!("search index: {e}"))
    }
}

impl From<String> for SearchError {
    fn from(e: String) -> Self {
        SearchError(format!("search index: {e}"))
    }
}

impl From<SearchError> for crm_core::Error {
    fn from(e: SearchError) -> Self {
        crm_core::Error::Storage(e.0)
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

/// Memory each indexing thread may use before it flushes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

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

/// Merges every searchable segment of `writer`'s index into one and waits for it.
fn merge_all(writer: &mut IndexWriter<TantivyDocument>) -> Result<(), SearchError> {
    let segments = writer.index().searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    Ok(())
}

/// An index's writer, behind a lock, and the reader its commits reload.
pub(crate) struct Engine {
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
}

impl Engine {
    /// The writer and reader of `index`, with the term tokenizer registered.
    pub(crate) fn new(index: &Index) -> Result<Engine, SearchError> {
        index
            .tokenizers()
            .register(TERMS, TextAnalyzer::from(WhitespaceTokenizer::default()));
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let writer = index.writer_with_num_threads(threads, WRITER_MEMORY * threads)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Engine {
            reader,
            writer: Mutex::new(writer),
        })
    }

    /// Runs `changes` on the writer and commits them, so that searches see them when this
    /// returns; if `changes` fails, nothing of it is kept. When `changes` answers that it
    /// rebuilt the index (cleared it first), every segment is merged into one and waited
    /// for: a search then walks one term dictionary instead of dozens.
    pub(crate) fn commit_with(
        &self,
        changes: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> crm_core::Result<bool>,
    ) -> crm_core::Result<()> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| SearchError::from("the index writer is poisoned".to_owned()))?;
        match changes(&mut writer) {
            Ok(rebuilt) => {
                if rebuilt {
                    // No merges of the policy's own racing the one below for the same
                    // segments.
                    writer.set_merge_policy(Box::new(NoMergePolicy));
                }
                let committed = writer.commit().map_err(SearchError::from);
                if rebuilt {
                    if committed.is_ok() {
                        // Best effort: the rebuilt index is complete without it, only
                        // slower to search.
                        let _ = merge_all(&mut writer);
                    }
                    writer.set_merge_policy(Box::new(LogMergePolicy::default()));
                }
                committed?;
                self.reader.reload().map_err(SearchError::from)?;
                Ok(())
            }
            Err(e) => {
                writer.rollback().map_err(SearchError::from)?;
                Err(e)
            }
        }
    }
}
