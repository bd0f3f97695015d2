//! The archive's metadata: documents, versions, links and deletion records.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use crm_core::archive::{
    ArchiveLink, BlobHash, Category, Deletion, Document, DocumentVersion, ListedDocument, Lock,
    NewDocument, StoredLink,
};
use crm_core::ports::DocumentRepository;
use crm_core::{AddressId, AddressScope, DocumentId, EntityKind, Language, UserId, Version};
use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;

use super::{DieselTx, scope_condition};
use crate::connection::{AnyConnection, with_inner};
use crate::error::QueryResultExt;
use crate::rows::decode::{Parsed, StoredDate, StoredTime};
use crate::rows::{ts, utc};
use crate::schema::{addresses, document_deletions, document_links, document_versions, documents};

type DocumentRow = (
    i64,
    String,
    Parsed<Category>,
    Option<Parsed<Language>>,
    String,
    bool,
    Option<i64>,
    Option<StoredTime>,
    StoredDate,
    i64,
);
/// A version's columns but its document's id.
type VersionRow = (
    i64,
    Parsed<BlobHash>,
    i64,
    String,
    String,
    Option<String>,
    i64,
    StoredTime,
    Option<String>,
);
/// A link's columns but its document's id.
type LinkRow = (Parsed<EntityKind>, String, Option<i64>);
/// A document with one of its versions and one of its links.
type Row = (DocumentRow, VersionRow, Option<LinkRow>);

diesel::alias!(document_links as hanging: Hanging);

/// The columns of a [`DocumentRow`].
macro_rules! document_columns {
    () => {
        (
            documents::id,
            documents::title,
            documents::category,
            documents::language,
            documents::tags,
            documents::legal_hold,
            documents::lock_by,
            documents::lock_since,
            documents::retain_until,
            documents::version,
        )
    };
}

/// The columns of a [`Row`]: a document joined with `document_versions` and, left, with
/// `document_links`.
macro_rules! row_columns {
    () => {
        (
            document_columns!(),
            (
                document_versions::number,
                document_versions::blob,
                document_versions::size,
                document_versions::file_name,
                document_versions::media_type,
                document_versions::comment,
                document_versions::checked_in_by,
                document_versions::checked_in_at,
                document_versions::text_warning,
            ),
            (
                document_links::kind,
                document_links::key,
                document_links::address_id,
            )
                .nullable(),
        )
    };
}

fn unreadable(id: i64, column: &str, e: impl std::fmt::Display) -> crm_core::Error {
    crm_core::Error::Storage(format!(
        "documents {id}: column {column} is unreadable: {e}"
    ))
}

fn document_of(r: DocumentRow) -> crm_core::Result<Document> {
    let id = r.0;
    Ok(Document {
        id: DocumentId(id),
        title: r.1,
        category: r
            .2
            .into_result()
            .map_err(|e| unreadable(id, "category", e))?,
        language: r
            .3
            .map(Parsed::into_result)
            .transpose()
            .map_err(|e| unreadable(id, "language", e))?,
        tags: serde_json::from_str(&r.4).map_err(|e| unreadable(id, "tags", e))?,
        legal_hold: r.5,
        lock: r.6.zip(r.7).map(|(by, since)| Lock {
            by: UserId(by),
            since: utc(since.0),
        }),
        retain_until: r.8.0,
        version: Version(r.9),
        links: Vec::new(),
        versions: Vec::new(),
    })
}

fn version_of(id: i64, number: u32, r: VersionRow) -> crm_core::Result<DocumentVersion> {
    Ok(DocumentVersion {
        number,
        blob: r.1.into_result().map_err(|e| unreadable(id, "blob", e))?,
        size: u64::try_from(r.2).map_err(|e| unreadable(id, "size", e))?,
        file_name: r.3,
        media_type: r.4,
        comment: r.5,
        checked_in_by: UserId(r.6),
        checked_in_at: utc(r.7.0),
        text_warning: r.8,
    })
}

fn link_of(id: i64, r: LinkRow) -> crm_core::Result<StoredLink> {
    Ok(StoredLink {
        link: ArchiveLink {
            kind: r.0.into_result().map_err(|e| unreadable(id, "kind", e))?,
            key: r.1,
        },
        address: r.2.map(AddressId),
    })
}

/// Documents from their joined rows as they are read, in the order they first come, each
/// with its versions (newest first) and links (in order); what comes twice is taken once.
fn assemble(rows: impl Iterator<Item = QueryResult<Row>>) -> crm_core::Result<Vec<Document>> {
    let mut at: HashMap<i64, usize> = HashMap::new();
    let mut out: Vec<Document> = Vec::new();
    for row in rows {
        let (d, v, l) = row.dom()?;
        let id = d.0;
        let i = match at.entry(id) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                out.push(document_of(d)?);
                *e.insert(out.len() - 1)
            }
        };
        let doc = &mut out[i];
        let number = u32::try_from(v.0).map_err(|e| unreadable(id, "number", e))?;
        if !doc.versions.iter().any(|v| v.number == number) {
            doc.versions.push(version_of(id, number, v)?);
        }
        if let Some(l) = l {
            let link = link_of(id, l)?;
            if !doc.links.iter().any(|l| l.link == link.link) {
                doc.links.push(link);
            }
        }
    }
    for d in &mut out {
        d.versions
            .sort_unstable_by_key(|v| std::cmp::Reverse(v.number));
        d.links.sort_unstable_by(|a, b| a.link.cmp(&b.link));
    }
    Ok(out)
}

impl DieselTx<'_> {
    /// The documents with `ids`, whole, each once, in no particular order: one statement
    /// run on the backend's own connection, whose statement cache knows it by type. Each
    /// document comes with its versions and all its links, a row for each of their pairs (a
    /// document of three versions and two links comes in six rows; most have one of each).
    /// On PostgreSQL the ids (one array) also key the versions, so that the planner reads
    /// both tables by key and merges them.
    fn documents_whole(&mut self, ids: &[i64]) -> crm_core::Result<Vec<Document>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let joined = documents::table
            .inner_join(document_versions::table)
            .left_join(document_links::table)
            .filter(documents::id.eq_any(ids))
            .select(row_columns!());
        match &mut *self.conn {
            AnyConnection::Postgresql(c) => joined
                .filter(document_versions::document_id.eq_any(ids))
                .load_iter::<Row, DefaultLoadingMode>(c)
                .dom()
                .and_then(assemble),
            AnyConnection::Sqlite(c) => joined
                .load_iter::<Row, DefaultLoadingMode>(c)
                .dom()
                .and_then(assemble),
        }
    }

    /// The documents with `ids`, whole, in the order of `ids`.
    fn documents_by_id(&mut self, ids: &[i64]) -> crm_core::Result<Vec<Document>> {
        let documents = self.documents_whole(ids)?;
        let mut by_id: HashMap<i64, Document> =
            documents.into_iter().map(|d| (d.id.0, d)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// The documents hanging at address `a`, directly or through its records, whole, in no
    /// particular order — none when the address is outside `scope`.
    ///
    /// On PostgreSQL two statements: the ids of the address's documents (an index-only
    /// read of its links), then the documents by those ids as [`Self::documents_whole`]
    /// reads them. Bound to an array of ids, the plan no longer depends on which address is
    /// asked, so the prepared statement keeps one plan instead of planning a join again on
    /// every call (which it does when a few addresses hold most documents), and that plan
    /// looks each document up by key instead of hashing whole tables. SQLite, whose
    /// statements cost no round trip and whose cached statements take a fixed number of
    /// values, runs one join driven by the address's links. A document that hangs at the
    /// address twice is taken once.
    fn documents_at(&mut self, a: i64, scope: AddressScope) -> crm_core::Result<Vec<Document>> {
        if let Some(visible) = scope_condition(scope) {
            let seen: i64 = addresses::table
                .filter(addresses::id.eq(a))
                .filter(visible)
                .count()
                .get_result(&mut *self.conn)
                .dom()?;
            if seen == 0 {
                return Ok(Vec::new());
            }
        }
        let ids: Vec<i64> = match &mut *self.conn {
            AnyConnection::Postgresql(c) => document_links::table
                .filter(document_links::address_id.eq(a))
                .select(document_links::document_id)
                .load(c)
                .dom()?,
            AnyConnection::Sqlite(c) => {
                return hanging
                    .inner_join(
                        documents::table
                            .on(documents::id.eq(hanging.field(document_links::document_id))),
                    )
                    .inner_join(
                        document_versions::table.on(document_versions::document_id
                            .eq(hanging.field(document_links::document_id))),
                    )
                    .left_join(document_links::table.on(
                        document_links::document_id.eq(hanging.field(document_links::document_id)),
                    ))
                    .filter(hanging.field(document_links::address_id).eq(a))
                    .select(row_columns!())
                    .load_iter::<Row, DefaultLoadingMode>(c)
                    .dom()
                    .and_then(assemble);
            }
        };
        // An id that comes twice matches its document once.
        self.documents_whole(&ids)
    }
}

/// Newest first: by the latest version's check-in, then id.
fn newest_first(docs: &mut [Document]) {
    docs.sort_by(|a, b| {
        let at = |d: &Document| d.latest().map(|v| v.checked_in_at);
        at(b).cmp(&at(a)).then(b.id.cmp(&a.id))
    });
}

impl DocumentRepository for DieselTx<'_> {
    fn insert_document(&mut self, new: &NewDocument) -> crm_core::Result<DocumentId> {
        let tags = serde_json::to_string(&new.input.tags)
            .map_err(|e| crm_core::Error::Storage(e.to_string()))?;
        let id: i64 = with_inner!(&mut *self.conn, |c| {
            diesel::insert_into(documents::table)
                .values((
                    documents::title.eq(&new.input.title),
                    documents::category.eq(new.input.category.as_str()),
                    documents::language.eq(new.input.language.map(Language::as_str)),
                    documents::tags.eq(&tags),
                    documents::legal_hold.eq(false),
                    documents::retain_until.eq(new.retain_until),
                    documents::version.eq(Version::FIRST.0),
                ))
                .returning(documents::id)
                .get_result(c)
        })
        .dom()?;
        insert_version(self, id, &new.first)?;
        // A handful per document: one statement each.
        for l in &new.links {
            diesel::insert_into(document_links::table)
                .values((
                    document_links::document_id.eq(id),
                    document_links::kind.eq(l.link.kind.as_str()),
                    document_links::key.eq(l.link.key.as_str()),
                    document_links::address_id.eq(l.address.map(|a| a.0)),
                ))
                .execute(&mut *self.conn)
                .dom()?;
        }
        Ok(DocumentId(id))
    }

    fn document(&mut self, id: DocumentId) -> crm_core::Result<Option<Document>> {
        Ok(self.documents_by_id(&[id.0])?.pop())
    }

    fn set_text_warning(
        &mut self,
        id: DocumentId,
        number: u32,
        warning: &str,
    ) -> crm_core::Result<()> {
        diesel::update(
            document_versions::table
                .filter(document_versions::document_id.eq(id.0))
                .filter(document_versions::number.eq(i64::from(number))),
        )
        .set(document_versions::text_warning.eq(warning))
        .execute(&mut *self.conn)
        .dom()?;
        Ok(())
    }

    fn add_version(
        &mut self,
        id: DocumentId,
        expected: Version,
        version: &DocumentVersion,
        retain_until: NaiveDate,
    ) -> crm_core::Result<bool> {
        let changed = diesel::update(
            documents::table
                .filter(documents::id.eq(id.0))
                .filter(documents::version.eq(expected.0)),
        )
        .set((
            documents::version.eq(expected.0 + 1),
            documents::retain_until.eq(retain_until),
            documents::lock_by.eq(None::<i64>),
            documents::lock_since.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(&mut *self.conn)
        .dom()?;
        if changed == 0 {
            return Ok(false);
        }
        insert_version(self, id.0, version)?;
        Ok(true)
    }

    fn set_lock_and_hold(
        &mut self,
        id: DocumentId,
        expected: Version,
        lock: Option<Lock>,
        legal_hold: bool,
    ) -> crm_core::Result<bool> {
        let changed = diesel::update(
            documents::table
                .filter(documents::id.eq(id.0))
                .filter(documents::version.eq(expected.0)),
        )
        .set((
            documents::version.eq(expected.0 + 1),
            documents::lock_by.eq(lock.map(|l| l.by.0)),
            documents::lock_since.eq(lock.map(|l| ts(l.since))),
            documents::legal_hold.eq(legal_hold),
        ))
        .execute(&mut *self.conn)
        .dom()?;
        Ok(changed == 1)
    }

    fn delete_document(&mut self, record: &Deletion) -> crm_core::Result<()> {
        let id = record.document.0;
        // Children first: no reliance on the backend's cascade.
        diesel::delete(document_links::table.filter(document_links::document_id.eq(id)))
            .execute(&mut *self.conn)
            .dom()?;
        diesel::delete(document_versions::table.filter(document_versions::document_id.eq(id)))
            .execute(&mut *self.conn)
            .dom()?;
        diesel::delete(documents::table.filter(documents::id.eq(id)))
            .execute(&mut *self.conn)
            .dom()?;
        diesel::insert_into(document_deletions::table)
            .values((
                document_deletions::document_id.eq(id),
                document_deletions::title.eq(&record.title),
                document_deletions::category.eq(record.category.as_str()),
                document_deletions::versions.eq(i64::from(record.versions)),
                document_deletions::retain_until.eq(record.retain_until),
                document_deletions::deleted_by.eq(record.by.0),
                document_deletions::deleted_at.eq(ts(record.at)),
            ))
            .execute(&mut *self.conn)
            .dom()?;
        Ok(())
    }

    fn documents_of_address(
        &mut self,
        address: AddressId,
        scope: AddressScope,
    ) -> crm_core::Result<Vec<ListedDocument>> {
        let mut docs = self.documents_at(address.0, scope)?;
        newest_first(&mut docs);
        Ok(docs
            .into_iter()
            .map(|document| ListedDocument {
                via: document
                    .links
                    .iter()
                    .filter(|l| l.address == Some(address))
                    .map(|l| l.link.clone())
                    .collect(),
                document,
            })
            .collect())
    }

    fn documents(&mut self, ids: &[DocumentId]) -> crm_core::Result<Vec<Document>> {
        let raw: Vec<i64> = ids.iter().map(|d| d.0).collect();
        self.documents_by_id(&raw)
    }

    fn document_ids_after(
        &mut self,
        after: Option<DocumentId>,
        limit: u32,
    ) -> crm_core::Result<Vec<DocumentId>> {
        let ids: Vec<i64> = documents::table
            .filter(documents::id.gt(after.map_or(0, |d| d.0)))
            .order(documents::id)
            .select(documents::id)
            .limit(i64::from(limit))
            .load(&mut *self.conn)
            .dom()?;
        Ok(ids.into_iter().map(DocumentId).collect())
    }

    fn document_count(&mut self) -> crm_core::Result<u64> {
        let n: i64 = documents::table.count().get_result(&mut *self.conn).dom()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn documents_linked(&mut self, link: &ArchiveLink) -> crm_core::Result<Vec<Document>> {
        let ids: Vec<i64> = document_links::table
            .filter(document_links::kind.eq(link.kind.as_str()))
            .filter(document_links::key.eq(&link.key))
            .select(document_links::document_id)
            .load(&mut *self.conn)
            .dom()?;
        let mut docs = self.documents_whole(&ids)?;
        newest_first(&mut docs);
        Ok(docs)
    }

    fn versions_after(
        &mut self,
        after: Option<(DocumentId, u32)>,
        limit: u32,
    ) -> crm_core::Result<Vec<(DocumentId, String, u32, BlobHash)>> {
        let mut q = document_versions::table
            .inner_join(documents::table)
            .into_boxed();
        if let Some((d, n)) = after {
            q = q.filter(
                document_versions::document_id
                    .gt(d.0)
                    .or(document_versions::document_id
                        .eq(d.0)
                        .and(document_versions::number.gt(i64::from(n)))),
            );
        }
        let rows: Vec<(i64, String, i64, String)> = q
            .order((document_versions::document_id, document_versions::number))
            .select((
                document_versions::document_id,
                documents::title,
                document_versions::number,
                document_versions::blob,
            ))
            .limit(i64::from(limit))
            .load(&mut *self.conn)
            .dom()?;
        rows.into_iter()
            .map(|(d, title, n, blob)| {
                Ok((
                    DocumentId(d),
                    title,
                    u32::try_from(n).map_err(|e| unreadable(d, "number", e))?,
                    BlobHash::new(&blob).map_err(|e| unreadable(d, "blob", e))?,
                ))
            })
            .collect()
    }

    fn blobs_in_use(&mut self, hashes: &[BlobHash]) -> crm_core::Result<Vec<BlobHash>> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let used: Vec<String> = document_versions::table
            .filter(document_versions::blob.eq_any(hashes.iter().map(BlobHash::as_str)))
            .select(document_versions::blob)
            .distinct()
            .load(&mut *self.conn)
            .dom()?;
        Ok(hashes
            .iter()
            .filter(|h| used.iter().any(|u| u == h.as_str()))
            .cloned()
            .collect())
    }

    fn deletions(&mut self, limit: u32) -> crm_core::Result<Vec<Deletion>> {
        let rows: Vec<(
            i64,
            String,
            String,
            i64,
            NaiveDate,
            i64,
            chrono::NaiveDateTime,
        )> = document_deletions::table
            .order(document_deletions::deleted_at.desc())
            .limit(i64::from(limit))
            .load(&mut *self.conn)
            .dom()?;
        rows.into_iter()
            .map(|r| {
                Ok(Deletion {
                    document: DocumentId(r.0),
                    title: r.1,
                    category: r
                        .2
                        .parse::<Category>()
                        .map_err(|e| unreadable(r.0, "category", e))?,
                    versions: u32::try_from(r.3).unwrap_or(u32::MAX),
                    retain_until: r.4,
                    by: UserId(r.5),
                    at: utc(r.6),
                })
            })
            .collect()
    }
}

fn insert_version(tx: &mut DieselTx<'_>, id: i64, v: &DocumentVersion) -> crm_core::Result<()> {
    diesel::insert_into(document_versions::table)
        .values((
            document_versions::document_id.eq(id),
            document_versions::number.eq(i64::from(v.number)),
            document_versions::blob.eq(v.blob.as_str()),
            document_versions::size.eq(i64::try_from(v.size).unwrap_or(i64::MAX)),
            document_versions::file_name.eq(&v.file_name),
            document_versions::media_type.eq(&v.media_type),
            document_versions::comment.eq(v.comment.as_deref()),
            document_versions::checked_in_by.eq(v.checked_in_by.0),
            document_versions::checked_in_at.eq(ts(v.checked_in_at)),
            document_versions::text_warning.eq(v.text_warning.as_deref()),
        ))
        .execute(&mut *tx.conn)
        .dom()?;
    Ok(())
}
