//! The archive's full text: the text of each document's latest version in the document
//! index, written after the database commits, searched within what the actor may see, and
//! rebuilt from the blobs.

use std::collections::BTreeSet;
use std::io::Read;

use super::documents::DocumentService;
use super::pipeline::read_ahead;
use super::require_admin;
use crate::archive::{BlobHash, Document};
use crate::error::{Error, Result};
use crate::ids::DocumentId;
use crate::ports::{DocumentIndex, Extracted, IndexedDocument, Store, StoredBlob};
use crate::user::Actor;

/// Candidates asked of the index per hit wanted: hits the actor may not see are dropped.
const CANDIDATES_PER_HIT: usize = 4;
/// The most hits one search answers.
pub const MAX_DOCUMENT_HITS: usize = 100;
/// Documents re-read per slice of a rebuild.
const SLICE: u32 = 200;

/// Files up to this size are read into memory once, so that their bytes are stored and
/// their text taken out at the same time; larger ones are stored as they stream in and
/// their text read from the stored blob.
const IN_MEMORY: usize = 16 * 1024 * 1024;

impl<S: Store> DocumentService<'_, S> {
    /// Stores `content` as a blob and takes its text out: on two threads at once when it
    /// fits in memory (the blob's `fsync` waits for the disk while the text comes out).
    pub(super) fn store_with_text(
        &self,
        content: &mut dyn Read,
        media_type: &str,
    ) -> Result<(StoredBlob, Extracted)> {
        let blobs = self.blobs()?;
        let Some(extractor) = self.ctx.text_extractor.get() else {
            return Ok((blobs.put(content)?, Extracted::default()));
        };
        let mut head = Vec::new();
        content
            .take(IN_MEMORY as u64 + 1)
            .read_to_end(&mut head)
            .map_err(|e| Error::Storage(format!("reading the document failed: {e}")))?;
        if head.len() > IN_MEMORY {
            let blob = blobs.put(&mut head.as_slice().chain(content))?;
            let text = self.text_of(&blob.hash, media_type)?;
            return Ok((blob, text));
        }
        std::thread::scope(|scope| {
            let text = scope.spawn(|| extractor.extract(media_type, &mut head.as_slice()));
            let blob = blobs.put(&mut head.as_slice());
            let text = text.join().unwrap_or_else(|_| Extracted {
                text: String::new(),
                warning: Some("archived without text: taking it out failed".into()),
            });
            Ok((blob?, text))
        })
    }

    /// The text of a stored blob; nothing when no extractor is connected.
    pub(super) fn text_of(&self, hash: &BlobHash, media_type: &str) -> Result<Extracted> {
        let Some(extractor) = self.ctx.text_extractor.get() else {
            return Ok(Extracted::default());
        };
        let mut bytes = self.blobs()?.open(hash)?;
        Ok(extractor.extract(media_type, &mut bytes))
    }

    /// Writes `documents` with their `texts` into the index, when there is one: staged,
    /// committed with others within a second, seen at once by searches. The documents are
    /// archived whatever happens here: when the index fails, they are remembered and
    /// written by the next call that reaches the index (a check-in, a search), and the
    /// count check when the CRM opens repairs what a program ending in between leaves
    /// behind.
    pub(super) fn index_texts(&self, documents: &[Document], texts: Vec<String>) -> Result<()> {
        let Some(index) = self.ctx.document_index.get() else {
            return Ok(());
        };
        let _ = self.catch_up(index.as_ref());
        let items: Vec<IndexedDocument> = documents
            .iter()
            .zip(texts)
            .map(|(document, text)| IndexedDocument {
                id: document.id,
                title: document.title.clone(),
                tags: document.tags.clone(),
                text,
            })
            .collect();
        if index.stage(&mut |w| w.upsert(&items)).is_err() {
            self.behind()?.extend(documents.iter().map(|d| d.id));
        }
        Ok(())
    }

    /// Removes a deleted document from the index, or remembers it as [`Self::index_texts`]
    /// does.
    pub(super) fn unindex(&self, id: DocumentId) -> Result<()> {
        let Some(index) = self.ctx.document_index.get() else {
            return Ok(());
        };
        if index.stage(&mut |w| w.delete(&[id])).is_err() {
            self.behind()?.insert(id);
        }
        Ok(())
    }

    fn behind(&self) -> Result<std::sync::MutexGuard<'_, BTreeSet<DocumentId>>> {
        self.ctx
            .documents_behind
            .lock()
            .map_err(|_| Error::Storage("the list of documents to index is poisoned".into()))
    }

    /// Writes the documents whose index write failed: those still in the database with the
    /// text of their latest version, the others removed. They leave the list once written.
    fn catch_up(&self, index: &dyn DocumentIndex) -> Result<()> {
        let ids: Vec<DocumentId> = self.behind()?.iter().copied().collect();
        if ids.is_empty() {
            return Ok(());
        }
        let docs = self.ctx.store.read(|tx| tx.documents(&ids))?;
        let gone: Vec<DocumentId> = ids
            .iter()
            .filter(|id| !docs.iter().any(|d| d.id == **id))
            .copied()
            .collect();
        let items: Vec<IndexedDocument> = docs.into_iter().map(|doc| self.indexed(doc)).collect();
        index.stage(&mut |w| {
            w.delete(&gone)?;
            w.upsert(&items)
        })?;
        self.behind()?.retain(|id| !ids.contains(id));
        Ok(())
    }

    /// `doc` as the index takes it, with the text of its latest version; a blob gone
    /// missing leaves it findable by title and tags.
    fn indexed(&self, doc: Document) -> IndexedDocument {
        let text = doc
            .latest()
            .and_then(|latest| self.text_of(&latest.blob, &latest.media_type).ok())
            .map(|e| e.text)
            .unwrap_or_default();
        IndexedDocument {
            id: doc.id,
            title: doc.title,
            tags: doc.tags,
            text,
        }
    }

    fn index(&self) -> Result<&std::sync::Arc<dyn DocumentIndex>> {
        self.ctx.document_index.get().ok_or_else(|| {
            Error::Storage(
                "no document index is connected: call `Services::set_document_index`".into(),
            )
        })
    }

    /// Full-text search over titles, tags and the documents' text, with typos forgiven and
    /// umlauts written either way; only documents of records the actor may see, best first,
    /// at most `limit` (up to [`MAX_DOCUMENT_HITS`]).
    ///
    /// # Errors
    /// Index and storage failures; the text itself never fails.
    pub fn search(&self, actor: &Actor, text: &str, limit: usize) -> Result<Vec<Document>> {
        let limit = limit.clamp(1, MAX_DOCUMENT_HITS);
        let index = self.index()?;
        // Best effort: an index still failing answers what it holds.
        let _ = self.catch_up(index.as_ref());
        let ids = index.search(text, limit * CANDIDATES_PER_HIT)?;
        self.ctx.store.read(|tx| {
            let found = tx.documents(&ids)?;
            self.keep_visible(tx, actor, found, limit)
        })
    }

    /// Rebuilds the full-text index from the database and the blobs (the text of each
    /// document's latest version is taken out again); answers how many documents it holds.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for users other than administrators; storage, blob and index
    /// failures.
    pub fn rebuild_index(&self, actor: &Actor) -> Result<u64> {
        require_admin(actor, "rebuild the document index")?;
        let index = self.index()?;
        // Written by the rebuild; one that fails later on stays remembered.
        let behind: Vec<DocumentId> = self.behind()?.iter().copied().collect();
        let mut count = 0u64;
        index.update(&mut |w| {
            w.clear()?;
            let mut after = None;
            // The next slice is read and its text taken out while the index takes in this one.
            read_ahead(
                || {
                    let docs = self.ctx.store.read(|tx| {
                        let ids = tx.document_ids_after(after, SLICE)?;
                        tx.documents(&ids)
                    })?;
                    let Some(last) = docs.last() else {
                        return Ok(None);
                    };
                    after = Some(last.id);
                    Ok(Some(
                        docs.into_iter().map(|doc| self.indexed(doc)).collect(),
                    ))
                },
                |items: Vec<IndexedDocument>| {
                    count += items.len() as u64;
                    w.upsert(&items)
                },
            )
        })?;
        self.behind()?.retain(|id| !behind.contains(id));
        Ok(count)
    }

    /// How many documents the database and the index hold: equal when the index is in
    /// step.
    ///
    /// # Errors
    /// Storage and index failures.
    pub fn index_counts(&self) -> Result<(u64, u64)> {
        let database = self.ctx.store.read(|tx| tx.document_count())?;
        Ok((database, self.index()?.count()?))
    }
}
