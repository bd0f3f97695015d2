//! The archive's use cases: check in, check out, new versions, documents at their data,
//! legal hold, deletion after retention, verify and gc.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Context, require_sales_staff};
use crate::archive::{
    ArchiveLink, Deletion, Document, DocumentInput, DocumentVersion, ListedDocument, Lock,
    NewDocument, StoredLink, VersionInput,
};
use crate::entity::EntityKind;
use crate::erp::DocumentNumber;
use crate::error::{Error, Result};
use crate::ids::{
    AddressId, CalendarEntryId, ContactId, DocumentId, DraftId, OpportunityId, Version,
};
use crate::ports::{BlobStore, Store, StoredBlob, Tx};
use crate::trace::{DomainEvent, EventDetail};
use crate::user::{Actor, Role};
use crate::visibility::AddressScope;

/// How the CRM numbers its draft quotes (`CRM-AN-000042`).
const DRAFT_PREFIX: &str = "CRM-AN-";

/// The archive.
pub struct DocumentService<'a, S> {
    pub(super) ctx: &'a Context<S>,
}

impl<'a, S: Store> DocumentService<'a, S> {
    pub(super) fn new(ctx: &'a Context<S>) -> Self {
        DocumentService { ctx }
    }

    pub(super) fn blobs(&self) -> Result<&Arc<dyn BlobStore>> {
        self.ctx.blob_store.get().ok_or_else(|| {
            Error::Storage("no blob store is connected: call `Services::set_blob_store`".into())
        })
    }

    /// Checks in a new document: its bytes, read from `content` in pieces, and its
    /// metadata, linked to the records it belongs to (which the actor must see). The
    /// metadata commits only once the bytes are on the disk; a failure in between leaves an
    /// unreferenced blob that [`DocumentService::gc`] removes, never a document without its
    /// bytes. On PostgreSQL the metadata is written while the bytes are stored and the text
    /// comes out; on SQLite after, so that its one writer is kept waiting only briefly.
    ///
    /// ```no_run
    /// # use crm_core::*;
    /// # use crm_core::archive::*;
    /// # fn demo<S: Store>(crm: &Services<S>, rep: &Actor, address: AddressId) -> Result<()> {
    /// let input = DocumentInput {
    ///     title: "Rahmenvertrag 2027".into(),
    ///     category: Category::Contract,
    ///     language: Some(Language::De),
    ///     tags: vec!["rahmenvertrag".into()],
    ///     links: vec![ArchiveLink::record(address)],
    ///     file_name: "rahmenvertrag.pdf".into(),
    ///     media_type: "application/pdf".into(),
    /// };
    /// let file = std::fs::File::open("rahmenvertrag.pdf").map_err(|e| Error::Storage(e.to_string()))?;
    /// let document = crm.documents().check_in(rep, &input, &mut std::io::BufReader::new(file))?;
    /// println!("document {} kept until {}", document.id, document.retain_until);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each bad field; [`Error::NotFound`] for a linked record
    /// the actor cannot see (`links[i]`); [`Error::Forbidden`] without a sales role; blob and
    /// storage failures.
    pub fn check_in(
        &self,
        actor: &Actor,
        input: &DocumentInput,
        content: &mut dyn Read,
    ) -> Result<Document> {
        require_sales_staff(actor, "check documents in")?;
        let input = input.validate()?;
        let now = self.ctx.now();
        let (document, text) = self.write_with_bytes(content, &input.media_type, |tx, blob| {
            self.insert_checked_in(tx, actor, &input, blob, None, now)
        })?;
        self.index_texts(std::slice::from_ref(&document), vec![text])?;
        Ok(document)
    }

    /// Writes a validated new document whose bytes are stored as `blob`, with its links and
    /// traces, in the caller's transaction.
    pub(super) fn insert_checked_in(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        input: &DocumentInput,
        blob: &StoredBlob,
        text_warning: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Document> {
        let links = self.resolve(tx, actor, &input.links)?;
        let first = DocumentVersion {
            number: 1,
            blob: blob.hash.clone(),
            size: blob.size,
            file_name: input.file_name.clone(),
            media_type: input.media_type.clone(),
            comment: None,
            checked_in_by: actor.user_id,
            checked_in_at: now,
            text_warning,
        };
        let retain_until = self.ctx.rules.retention.until(input.category, now);
        let new = NewDocument {
            input: input.clone(),
            links,
            first,
            retain_until,
        };
        let id = tx.insert_document(&new)?;
        let document = new.stored_as(id);
        let detail = EventDetail::DocumentCheckedIn {
            document: id.0,
            title: document.title.clone(),
            category: document.category.to_string(),
        };
        self.ctx.record(tx, actor, events(&document, &detail))?;
        Ok(document)
    }

    /// Checks a document out: the actor holds its lock until he checks in a new version
    /// or releases it; others see who holds it.
    ///
    /// # Errors
    /// [`Error::Forbidden`] when another user holds the lock; [`Error::Conflict`] when
    /// `expected` is stale; [`Error::NotFound`] for a document the actor cannot see.
    pub fn check_out(&self, actor: &Actor, id: DocumentId, expected: Version) -> Result<Document> {
        require_sales_staff(actor, "check documents out")?;
        self.change_lock(actor, id, expected, |doc, now| match doc.lock {
            Some(lock) if lock.by != actor.user_id => Err(held(doc, lock)),
            _ => Ok(Some(Lock {
                by: actor.user_id,
                since: now,
            })),
        })
    }

    /// Releases the actor's own check-out; an administrator may break anyone's.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for another user's lock unless the actor is an administrator;
    /// [`Error::Conflict`] when `expected` is stale.
    pub fn release(&self, actor: &Actor, id: DocumentId, expected: Version) -> Result<Document> {
        self.change_lock(actor, id, expected, |doc, _| match doc.lock {
            Some(lock) if lock.by != actor.user_id && !actor.has(Role::Admin) => {
                Err(held(doc, lock))
            }
            _ => Ok(None),
        })
    }

    fn change_lock(
        &self,
        actor: &Actor,
        id: DocumentId,
        expected: Version,
        lock: impl FnOnce(&Document, DateTime<Utc>) -> Result<Option<Lock>>,
    ) -> Result<Document> {
        let now = self.ctx.now();
        self.ctx.store.write(|tx| {
            let doc = self.visible(tx, actor, id)?;
            let lock = lock(&doc, now)?;
            if !tx.set_lock_and_hold(id, expected, lock, doc.legal_hold)? {
                return Err(Error::conflict(EntityKind::Document, id, expected.0));
            }
            Self::load(tx, id)
        })
    }

    /// Checks in a new version of a document the actor has checked out, and releases the
    /// lock. Earlier versions stay as they are.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming each bad field; [`Error::Forbidden`] unless the actor
    /// holds the check-out; [`Error::Conflict`] when `expected` is stale.
    pub fn check_in_version(
        &self,
        actor: &Actor,
        id: DocumentId,
        expected: Version,
        input: &VersionInput,
        content: &mut dyn Read,
    ) -> Result<Document> {
        let input = input.validate()?;
        // The lock is checked before the bytes are read, and again in the transaction.
        let before = self.document(actor, id)?;
        require_lock(actor, &before)?;
        let now = self.ctx.now();
        let (document, text) = self.write_with_bytes(content, &input.media_type, |tx, blob| {
            let doc = self.visible(tx, actor, id)?;
            require_lock(actor, &doc)?;
            let number = doc.latest().map_or(1, |v| v.number + 1);
            let version = DocumentVersion {
                number,
                blob: blob.hash.clone(),
                size: blob.size,
                file_name: input.file_name.clone(),
                media_type: input.media_type.clone(),
                comment: input.comment.clone(),
                checked_in_by: actor.user_id,
                checked_in_at: now,
                text_warning: None,
            };
            let retain_until = self.ctx.rules.retention.until(doc.category, now);
            if !tx.add_version(id, expected, &version, retain_until)? {
                return Err(Error::conflict(EntityKind::Document, id, expected.0));
            }
            let document = Self::load(tx, id)?;
            let detail = EventDetail::DocumentVersioned {
                document: id.0,
                title: document.title.clone(),
                version: number,
                comment: input.comment.clone(),
            };
            self.ctx.record(tx, actor, events(&document, &detail))?;
            Ok(document)
        })?;
        self.index_texts(std::slice::from_ref(&document), vec![text])?;
        Ok(document)
    }

    /// The document with its versions, newest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist or the actor may not see it.
    pub fn document(&self, actor: &Actor, id: DocumentId) -> Result<Document> {
        // The document in one statement, the addresses that decide its visibility after.
        self.ctx.store.read_each(|tx| self.visible(tx, actor, id))
    }

    /// The bytes of `version` (the latest when `None`), to read in pieces.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown or invisible document or version, or a missing
    /// blob.
    pub fn open(
        &self,
        actor: &Actor,
        id: DocumentId,
        version: Option<u32>,
    ) -> Result<(DocumentVersion, Box<dyn Read + Send>)> {
        let doc = self.document(actor, id)?;
        let v = doc
            .versions
            .into_iter()
            .find(|v| version.is_none_or(|n| v.number == n))
            .ok_or_else(|| {
                Error::not_found(EntityKind::Document, format!("{id} version {version:?}"))
            })?;
        let bytes = self.blobs()?.open(&v.blob)?;
        Ok((v, bytes))
    }

    /// The documents of an address, newest first: its own and those of its contacts,
    /// opportunities, calendar entries and sales documents, each marked with where it
    /// hangs.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an address the actor cannot see.
    pub fn of_address(&self, actor: &Actor, address: AddressId) -> Result<Vec<ListedDocument>> {
        // One statement reads the documents within the actor's scope: those found hang at
        // an address he may see; an empty list is then told apart from an address he may
        // not see (NotFound).
        self.ctx.store.read_each(|tx| {
            let documents = tx.documents_of_address(address, self.ctx.scope(actor))?;
            if documents.is_empty() {
                self.ctx.visible_address(tx, actor, address)?;
            }
            Ok(documents)
        })
    }

    /// The documents linked to one record, newest first, that the actor may see.
    ///
    /// # Errors
    /// Storage failures.
    pub fn of_record(&self, actor: &Actor, link: &ArchiveLink) -> Result<Vec<Document>> {
        // The record's documents, then the addresses that decide their visibility.
        self.ctx.store.read_each(|tx| {
            let all = tx.documents_linked(link)?;
            self.keep_visible(tx, actor, all, usize::MAX)
        })
    }

    /// Sets or lifts a legal hold, which blocks deletion whatever the retention.
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless the actor is an administrator or sales manager;
    /// [`Error::Conflict`] when `expected` is stale.
    pub fn set_legal_hold(
        &self,
        actor: &Actor,
        id: DocumentId,
        expected: Version,
        hold: bool,
    ) -> Result<Document> {
        if !(actor.has(Role::Admin) || actor.has(Role::SalesManager)) {
            return Err(Error::Forbidden(format!(
                "{} may not place or lift legal holds",
                actor.display_name
            )));
        }
        self.ctx.store.write(|tx| {
            let doc = self.visible(tx, actor, id)?;
            if !tx.set_lock_and_hold(id, expected, doc.lock, hold)? {
                return Err(Error::conflict(EntityKind::Document, id, expected.0));
            }
            Self::load(tx, id)
        })
    }

    /// Deletes a document whose retention has ended: its metadata goes, a record of the
    /// deletion stays (and a trace at each of its addresses), and blobs no other version
    /// refers to are removed.
    ///
    /// # Errors
    /// [`Error::Forbidden`] unless the actor is an administrator, while a legal hold
    /// stands, or before the retention ends (the error names the last day);
    /// [`Error::Conflict`] when `expected` is stale.
    pub fn delete(&self, actor: &Actor, id: DocumentId, expected: Version) -> Result<Deletion> {
        if !actor.has(Role::Admin) {
            return Err(Error::Forbidden(format!(
                "{} is no administrator and may not delete archived documents",
                actor.display_name
            )));
        }
        let now = self.ctx.now();
        let (deletion, blobs) = self.ctx.store.write(|tx| {
            let doc = Self::load(tx, id)?;
            if doc.version != expected {
                return Err(Error::conflict(EntityKind::Document, id, expected.0));
            }
            if doc.legal_hold {
                return Err(Error::Forbidden(format!(
                    "document {id} ({}) is under a legal hold and cannot be deleted",
                    doc.title
                )));
            }
            if now.date_naive() <= doc.retain_until {
                return Err(Error::Forbidden(format!(
                    "document {id} ({}) must be kept until {} ({} retention of {} years)",
                    doc.title,
                    doc.retain_until,
                    doc.category,
                    self.ctx.rules.retention.years(doc.category)
                )));
            }
            let deletion = Deletion {
                document: id,
                title: doc.title.clone(),
                category: doc.category,
                versions: u32::try_from(doc.versions.len()).unwrap_or(u32::MAX),
                retain_until: doc.retain_until,
                by: actor.user_id,
                at: now,
            };
            tx.delete_document(&deletion)?;
            let detail = EventDetail::DocumentDeleted {
                document: id.0,
                title: doc.title.clone(),
                versions: deletion.versions,
            };
            self.ctx.record(tx, actor, events(&doc, &detail))?;
            let hashes: Vec<_> = doc.versions.iter().map(|v| v.blob.clone()).collect();
            let in_use = tx.blobs_in_use(&hashes)?;
            let unused: Vec<_> = hashes.into_iter().filter(|h| !in_use.contains(h)).collect();
            Ok((deletion, unused))
        })?;
        self.unindex(id)?;
        // After the commit: a crash here leaves blobs for `gc`, never a version without one.
        let store = self.blobs()?;
        for hash in &blobs {
            store.remove(hash)?;
        }
        Ok(deletion)
    }

    fn load(tx: &mut dyn Tx, id: DocumentId) -> Result<Document> {
        tx.document(id)?
            .ok_or_else(|| Error::not_found(EntityKind::Document, id))
    }

    /// The document if the actor may see it: one of its records is visible to him.
    fn visible(&self, tx: &mut dyn Tx, actor: &Actor, id: DocumentId) -> Result<Document> {
        let doc = Self::load(tx, id)?;
        if self.may_see(tx, actor, &doc)? {
            Ok(doc)
        } else {
            Err(Error::not_found(EntityKind::Document, id))
        }
    }

    /// Visible when one of its addresses is, or when none of its records has an address (a
    /// product's data sheet).
    fn may_see(&self, tx: &mut dyn Tx, actor: &Actor, doc: &Document) -> Result<bool> {
        sees(tx, self.ctx.scope(actor), doc, &mut HashMap::new())
    }

    /// The first `limit` of `docs` the actor may see, in their order; each address is
    /// looked up once however many documents hang at it.
    pub(super) fn keep_visible(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        docs: Vec<Document>,
        limit: usize,
    ) -> Result<Vec<Document>> {
        let scope = self.ctx.scope(actor);
        let mut known = HashMap::new();
        let mut out = Vec::with_capacity(docs.len().min(limit));
        for doc in docs {
            if out.len() == limit {
                break;
            }
            if sees(tx, scope, &doc, &mut known)? {
                out.push(doc);
            }
        }
        Ok(out)
    }

    /// Each link with the address it belongs to; a record the actor cannot see is
    /// `NotFound` naming the link.
    fn resolve(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        links: &[ArchiveLink],
    ) -> Result<Vec<StoredLink>> {
        let mut out = Vec::with_capacity(links.len());
        for (i, link) in links.iter().enumerate() {
            let missing = || Error::not_found(link.kind, format!("{} (links[{i}])", link.key));
            let id = link.id().unwrap_or(0);
            let address = match link.kind {
                EntityKind::Address => Some(AddressId(id)),
                EntityKind::Contact => {
                    Some(tx.contact(ContactId(id))?.ok_or_else(missing)?.address_id)
                }
                EntityKind::Opportunity => Some(
                    tx.opportunity(OpportunityId(id))?
                        .ok_or_else(missing)?
                        .address_id,
                ),
                EntityKind::CalendarEntry => Some(
                    tx.entry(CalendarEntryId(id))?
                        .ok_or_else(missing)?
                        .address_id,
                ),
                EntityKind::SalesDocument => self.document_address(tx, link)?,
                _ => None,
            };
            if let Some(address) = address {
                // A record of an address the actor cannot see does not exist for him.
                if tx.address(address, self.ctx.scope(actor))?.is_none() {
                    return Err(missing());
                }
            }
            out.push(StoredLink {
                link: link.clone(),
                address,
            });
        }
        Ok(out)
    }

    /// The address of a draft quote (by its CRM number) or of a sales document the ERP
    /// knows (its customer's).
    fn document_address(&self, tx: &mut dyn Tx, link: &ArchiveLink) -> Result<Option<AddressId>> {
        if let Some(draft) = link
            .key
            .strip_prefix(DRAFT_PREFIX)
            .and_then(|n| n.parse::<i64>().ok())
            && let Some(draft) = tx.draft(DraftId(draft))?
        {
            return Ok(Some(draft.address_id));
        }
        let (Some(erp), Ok(number)) = (self.ctx.erp.as_deref(), DocumentNumber::new(&link.key))
        else {
            return Ok(None);
        };
        let Some(doc) = erp.document(&number)? else {
            return Ok(None);
        };
        Ok(tx
            .address_by_number(doc.customer, AddressScope::All)?
            .map(|a| a.id))
    }
}

/// Whether a user with `scope` sees `doc`: one of its addresses is in his scope, or none
/// of its records has an address. `known` remembers the addresses looked up.
fn sees(
    tx: &mut dyn Tx,
    scope: AddressScope,
    doc: &Document,
    known: &mut HashMap<AddressId, bool>,
) -> Result<bool> {
    if matches!(scope, AddressScope::All) || doc.links.iter().all(|l| l.address.is_none()) {
        return Ok(true);
    }
    for address in addresses(doc) {
        let visible = match known.get(&address) {
            Some(v) => *v,
            None => {
                let v = tx.address(address, scope)?.is_some();
                known.insert(address, v);
                v
            }
        };
        if visible {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The distinct addresses of a document's links.
fn addresses(doc: &Document) -> Vec<AddressId> {
    let mut out: Vec<AddressId> = doc.links.iter().filter_map(|l| l.address).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// One event per address the document hangs at.
fn events(doc: &Document, detail: &EventDetail) -> Vec<DomainEvent> {
    addresses(doc)
        .into_iter()
        .map(|a| {
            DomainEvent::new(
                a,
                crate::entity::EntityRef::new(EntityKind::Document, doc.id.0),
                [],
                detail.clone(),
            )
        })
        .collect()
}

fn held(doc: &Document, lock: Lock) -> Error {
    Error::Forbidden(format!(
        "document {} ({}) is checked out by user {} since {}",
        doc.id, doc.title, lock.by, lock.since
    ))
}

fn require_lock(actor: &Actor, doc: &Document) -> Result<()> {
    match doc.lock {
        Some(lock) if lock.by == actor.user_id => Ok(()),
        Some(lock) => Err(held(doc, lock)),
        None => Err(Error::Forbidden(format!(
            "check document {} ({}) out before checking in a new version",
            doc.id, doc.title
        ))),
    }
}
