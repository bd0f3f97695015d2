//! The archive's ports: the blob store (bytes, by content) and the document repository
//! (metadata, in the store's transactions).

use std::io::Read;
use std::time::Duration;

use crate::archive::{
    ArchiveLink, BlobCheck, BlobHash, Deletion, Document, DocumentVersion, ListedDocument,
    NewDocument,
};
use crate::error::Result;
use crate::ids::{AddressId, DocumentId, Version};
use crate::visibility::AddressScope;

/// A blob as stored: its hash and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// SHA-256 of its bytes.
    pub hash: BlobHash,
    /// Bytes.
    pub size: u64,
}

/// Bytes stored by their SHA-256, once however often they arrive; written so that a blob
/// is either complete or absent.
pub trait BlobStore: Send + Sync {
    /// Stores what `content` yields, read in pieces, and answers its hash and size; a blob
    /// that exists already is kept as it is.
    ///
    /// # Errors
    /// [`Error::Storage`](crate::Error::Storage) when reading or writing fails; nothing is
    /// left under the blob's name then.
    fn put(&self, content: &mut dyn Read) -> Result<StoredBlob>;

    /// The bytes of `hash`, to read in pieces.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when there is no such blob; storage
    /// failures.
    fn open(&self, hash: &BlobHash) -> Result<Box<dyn Read + Send>>;

    /// Re-hashes the blob: intact, missing or altered; with the bytes read.
    ///
    /// # Errors
    /// Storage failures other than absence.
    fn check(&self, hash: &BlobHash) -> Result<(BlobCheck, u64)>;

    /// Removes the blob; absent is fine.
    ///
    /// # Errors
    /// Storage failures.
    fn remove(&self, hash: &BlobHash) -> Result<()>;

    /// Every blob written at least `age` ago (younger ones may belong to a check-in under
    /// way).
    ///
    /// # Errors
    /// Storage failures.
    fn older_than(&self, age: Duration) -> Result<Vec<BlobHash>>;
}

/// Documents, versions and links.
pub trait DocumentRepository {
    /// Stores a document with its first version and links.
    ///
    /// # Errors
    /// Storage failures.
    fn insert_document(&mut self, new: &NewDocument) -> Result<DocumentId>;

    /// The document with `id`.
    ///
    /// # Errors
    /// Storage failures only; absence is `Ok(None)`.
    fn document(&mut self, id: DocumentId) -> Result<Option<Document>>;

    /// Adds `version`, sets `retain_until`, clears the lock, when the record's version is
    /// `expected`; `Ok(false)` otherwise.
    ///
    /// # Errors
    /// Storage failures.
    fn add_version(
        &mut self,
        id: DocumentId,
        expected: Version,
        version: &DocumentVersion,
        retain_until: chrono::NaiveDate,
    ) -> Result<bool>;

    /// Notes why version `number` of the document was archived without text.
    ///
    /// # Errors
    /// Storage failures.
    fn set_text_warning(&mut self, id: DocumentId, number: u32, warning: &str) -> Result<()>;

    /// Writes the lock and the legal hold when the record's version is `expected`;
    /// `Ok(false)` otherwise.
    ///
    /// # Errors
    /// Storage failures.
    fn set_lock_and_hold(
        &mut self,
        id: DocumentId,
        expected: Version,
        lock: Option<crate::archive::Lock>,
        legal_hold: bool,
    ) -> Result<bool>;

    /// Removes the document, its versions and links, and keeps `record` of it.
    ///
    /// # Errors
    /// Storage failures.
    fn delete_document(&mut self, record: &Deletion) -> Result<()>;

    /// The documents of the address `address` and of the records hanging at it, newest
    /// first, each with the links through which it hangs there; none when the address is
    /// outside `scope`.
    ///
    /// # Errors
    /// Storage failures.
    fn documents_of_address(
        &mut self,
        address: AddressId,
        scope: AddressScope,
    ) -> Result<Vec<ListedDocument>>;

    /// The documents with `ids` that exist, in the order of `ids`.
    ///
    /// # Errors
    /// Storage failures.
    fn documents(&mut self, ids: &[DocumentId]) -> Result<Vec<Document>>;

    /// Every document's id after `after`, in order, at most `limit`.
    ///
    /// # Errors
    /// Storage failures.
    fn document_ids_after(
        &mut self,
        after: Option<DocumentId>,
        limit: u32,
    ) -> Result<Vec<DocumentId>>;

    /// How many documents there are.
    ///
    /// # Errors
    /// Storage failures.
    fn document_count(&mut self) -> Result<u64>;

    /// The documents linked to `link`, newest first.
    ///
    /// # Errors
    /// Storage failures.
    fn documents_linked(&mut self, link: &ArchiveLink) -> Result<Vec<Document>>;

    /// Every version after `after` (document id, version number), in that order, at most
    /// `limit`: (document, title, version, blob).
    ///
    /// # Errors
    /// Storage failures.
    fn versions_after(
        &mut self,
        after: Option<(DocumentId, u32)>,
        limit: u32,
    ) -> Result<Vec<(DocumentId, String, u32, BlobHash)>>;

    /// Which of `hashes` some version refers to.
    ///
    /// # Errors
    /// Storage failures.
    fn blobs_in_use(&mut self, hashes: &[BlobHash]) -> Result<Vec<BlobHash>>;

    /// The records of deleted documents, newest first.
    ///
    /// # Errors
    /// Storage failures.
    fn deletions(&mut self, limit: u32) -> Result<Vec<Deletion>>;
}

/// Text taken out of a file for the full-text index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// The text; empty when there is none.
    pub text: String,
    /// Why there is no text although there should be (an encrypted or broken PDF).
    pub warning: Option<String>,
}

/// Takes the text out of files. Never fails and never hangs: what cannot be read is
/// reported in [`Extracted::warning`].
pub trait TextExtractor: Send + Sync {
    /// The text of `content`, a file of `media_type`.
    fn extract(&self, media_type: &str, content: &mut dyn Read) -> Extracted;
}

/// A document as the full-text index holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedDocument {
    /// Id.
    pub id: DocumentId,
    /// Title.
    pub title: String,
    /// Tags.
    pub tags: Vec<String>,
    /// The latest version's text.
    pub text: String,
}

/// Changes to a document index, committed together.
pub trait DocumentIndexWriter {
    /// Adds documents, replacing those with the same id.
    ///
    /// # Errors
    /// Index failures.
    fn upsert(&mut self, documents: &[IndexedDocument]) -> Result<()>;

    /// Removes documents.
    ///
    /// # Errors
    /// Index failures.
    fn delete(&mut self, ids: &[DocumentId]) -> Result<()>;

    /// Removes everything (before a rebuild).
    ///
    /// # Errors
    /// Index failures.
    fn clear(&mut self) -> Result<()>;
}

/// The full-text index of the archive: titles, tags and text, with the folding and typo
/// tolerance of the other indexes. It knows nothing of visibility; the service filters.
pub trait DocumentIndex: Send + Sync {
    /// Runs `changes` and commits them, so that searches see them when this returns.
    ///
    /// # Errors
    /// Index failures, or what `changes` returns.
    fn update(
        &self,
        changes: &mut dyn FnMut(&mut dyn DocumentIndexWriter) -> Result<()>,
    ) -> Result<()>;

    /// Like [`DocumentIndex::update`], but the changes may be committed together with
    /// others, within a second; a search through this index sees them at once. The default
    /// commits at once.
    ///
    /// # Errors
    /// Index failures, or what `changes` returns.
    fn stage(
        &self,
        changes: &mut dyn FnMut(&mut dyn DocumentIndexWriter) -> Result<()>,
    ) -> Result<()> {
        self.update(changes)
    }

    /// The best `limit` documents for `text`, best first. Any text answers, at worst with
    /// nothing.
    ///
    /// # Errors
    /// Index failures.
    fn search(&self, text: &str, limit: usize) -> Result<Vec<DocumentId>>;

    /// Documents held.
    ///
    /// # Errors
    /// Index failures.
    fn count(&self) -> Result<u64>;

    /// Waits until the index's background work (a merge after a rebuild, changes staged
    /// for a later commit) has ended. Searches need not wait; this is for a caller that
    /// wants the index at rest, before a backup or a measurement. The default has nothing
    /// to wait for.
    ///
    /// # Errors
    /// Index failures.
    fn settle(&self) -> Result<()> {
        Ok(())
    }
}
