//! The archive's full text: the text of each document's latest version in the document
//! index, written after the database commits, searched within what the actor may see, and
//! rebuilt from the blobs.

use super::documents::DocumentService;
use super::pipeline::read_ahead;
use super::require_admin;
use crate::archive::{BlobHash, Document};
use crate::error::{Error, Result};
use crate::ids::DocumentId;
use crate::ports::{DocumentIndex, Extracted, IndexedDocument, Store};
use crate::user::Actor;

/// Candidates asked of the index per hit wanted: hits the actor may not see are dropped.
const CANDIDATES_PER_HIT: usize = 4;
/// The most hits one search answers.
pub const MAX_DOCUMENT_HITS: usize = 100;
/// Documents re-read per slice of a rebuild.
const SLICE: u32 = 200;

impl<S: Store> DocumentService<'_, S> {
    /// The text of a stored blob; nothing when no extractor is connected.
    pub(super) fn text_of(&self, hash: &BlobHash, media_type: &str) -> Result<Extracted> {
        let Some(extractor) = self.ctx.text_extractor.get() else {
            return Ok(Extracted::default());
        };
        let mut bytes = self.blobs()?.open(hash)?;
        Ok(extractor.extract(media_type, &mut bytes))
    }

    /// Writes `document` with `text` into the index, when there is one: staged, committed
    /// with others within a second, seen at once by searches.
    pub(super) fn index_text(&self, document: &Document, text: String) -> Result<()> {
        let Some(index) = self.ctx.document_index.get() else {
            return Ok(());
        };
        let item = IndexedDocument {
            id: document.id,
            title: document.title.clone(),
            tags: document.tags.clone(),
            text,
        };
        index.stage(&mut |w| w.upsert(std::slice::from_ref(&item)))
    }

    /// Removes a deleted document from the index.
    pub(super) fn unindex(&self, id: DocumentId) -> Result<()> {
        match self.ctx.document_index.get() {
            Some(index) => index.stage(&mut |w| w.delete(&[id])),
            None => Ok(()),
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
        let ids = self.index()?.search(text, limit * CANDIDATES_PER_HIT)?;
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
                    let mut items = Vec::with_capacity(docs.len());
                    for doc in docs {
                        let Some(latest) = doc.latest() else { continue };
                        // A blob gone missing leaves the document findable by title and tags.
                        let text = self
                            .text_of(&latest.blob, &latest.media_type)
                            .map(|e| e.text)
                            .unwrap_or_default();
                        items.push(IndexedDocument {
                            id: doc.id,
                            title: doc.title,
                            tags: doc.tags,
                            text,
                        });
                    }
                    Ok(Some(items))
                },
                |items| {
                    count += items.len() as u64;
                    w.upsert(&items)
                },
            )
        })?;
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
