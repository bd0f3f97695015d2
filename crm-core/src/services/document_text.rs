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
use crate::ports::{DocumentIndex, Extracted, IndexedDocument, Store, StoredBlob, Tx};
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

/// The first bytes of `content`, up to one more than [`IN_MEMORY`]: all of it when it fits.
fn read_head(content: &mut dyn Read) -> Result<Vec<u8>> {
    let mut head = Vec::new();
    content
        .take(IN_MEMORY as u64 + 1)
        .read_to_end(&mut head)
        .map_err(|e| Error::Storage(format!("reading the document failed: {e}")))?;
    Ok(head)
}

/// What a text thread answers; a panic in the extractor leaves the file without text.
fn joined(text: std::thread::ScopedJoinHandle<'_, Extracted>) -> Extracted {
    text.join().unwrap_or_else(|_| Extracted {
        text: String::new(),
        warning: Some("archived without text: taking it out failed".into()),
    })
}

/// `document` with `warning` on its newest version, written in `tx`.
fn note_warning(
    tx: &mut dyn Tx,
    mut document: Document,
    warning: Option<String>,
) -> Result<Document> {
    if let (Some(warning), Some(newest)) = (warning, document.versions.first_mut()) {
        tx.set_text_warning(document.id, newest.number, &warning)?;
        newest.text_warning = Some(warning);
    }
    Ok(document)
}

impl<S: Store> DocumentService<'_, S> {
    /// Stores `content` as a blob and takes its text out: on two threads at once when it
    /// fits in memory (the blob's `fsync` waits for the disk while the text comes out).
    pub(super) fn store_with_text(
        &self,
        content: &mut dyn Read,
        media_type: &str,
    ) -> Result<(StoredBlob, Extracted)> {
        let head = read_head(content)?;
        self.store_head(head, content, media_type)
    }

    /// [`Self::store_with_text`] of `content` whose first bytes were read into `head`.
    fn store_head(
        &self,
        head: Vec<u8>,
        content: &mut dyn Read,
        media_type: &str,
    ) -> Result<(StoredBlob, Extracted)> {
        let blobs = self.blobs()?;
        if head.len() > IN_MEMORY {
            let blob = blobs.put(&mut head.as_slice().chain(content))?;
            let text = self.text_of(&blob.hash, media_type)?;
            return Ok((blob, text));
        }
        std::thread::scope(|scope| {
            let bytes = head.as_slice();
            let text = scope.spawn(move || self.extract(media_type, bytes));
            let blob = blobs.put(&mut &head[..]);
            let text = joined(text);
            Ok((blob?, text))
        })
    }

    /// Stores `content`, takes its text out and runs `write` in a write transaction with
    /// the stored blob; answers the document `write` answers, with the text's warning
    /// written on its newest version, and the text for the index. The transaction commits
    /// only once the bytes are on the disk.
    ///
    /// Where writers run side by side ([`Store::concurrent_writers`]) and the file fits in
    /// memory, `write` runs while the bytes are written and the text comes out, with the
    /// hash taken from the bytes in memory: a check-in then takes about as long as the
    /// slower of the three. Otherwise the bytes and the text come first and the one
    /// writer's lock is held only for the writes.
    pub(super) fn write_with_bytes(
        &self,
        content: &mut dyn Read,
        media_type: &str,
        write: impl FnOnce(&mut dyn Tx, &StoredBlob) -> Result<Document>,
    ) -> Result<(Document, String)> {
        let head = read_head(content)?;
        if !self.ctx.store.concurrent_writers() || head.len() > IN_MEMORY {
            let (blob, text) = self.store_head(head, content, media_type)?;
            let document = self.ctx.store.write(|tx| {
                let document = write(tx, &blob)?;
                note_warning(tx, document, text.warning.clone())
            })?;
            return Ok((document, text.text));
        }
        let blobs = self.blobs()?;
        let blob = StoredBlob {
            hash: BlobHash::of(&head),
            size: head.len() as u64,
        };
        std::thread::scope(|scope| {
            let bytes = head.as_slice();
            let mut beside = Some((
                scope.spawn(move || blobs.put(&mut &bytes[..])),
                scope.spawn(move || self.extract(media_type, bytes)),
            ));
            let written = self.ctx.store.write(|tx| {
                let document = write(tx, &blob)?;
                let Some((stored, text)) = beside.take() else {
                    return Err(Error::Storage(
                        "the document's bytes were taken twice".into(),
                    ));
                };
                // Nothing refers to the bytes before they are on the disk.
                let stored = stored
                    .join()
                    .map_err(|_| Error::Storage("storing the document's bytes failed".into()))??;
                if stored != blob {
                    return Err(Error::Storage(format!(
                        "the document's bytes changed while stored: {} instead of {}",
                        stored.hash, blob.hash
                    )));
                }
                let text = joined(text);
                let document = note_warning(tx, document, text.warning.clone())?;
                Ok((document, text.text))
            });
            // A transaction that failed before it waited: the threads still end here.
            if let Some((stored, text)) = beside {
                let _ = stored.join();
                let _ = joined(text);
            }
            written
        })
    }

    /// The text of `bytes`; nothing when no extractor is connected.
    fn extract(&self, media_type: &str, mut bytes: &[u8]) -> Extracted {
        self.ctx
            .text_extractor
            .get()
            .map(|extractor| extractor.extract(media_type, &mut bytes))
            .unwrap_or_default()
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
        // The hits in one statement; the addresses that decide an actor's view of them
        // after it, each on its own.
        self.ctx.store.read_each(|tx| {
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
