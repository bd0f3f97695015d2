//! The archive's metadata: documents, versions, links and deletion records.

use std::collections::HashMap;

use chrono::NaiveDate;
use crm_core::archive::{
    ArchiveLink, BlobHash, Category, Deletion, Document, DocumentVersion, ListedDocument, Lock,
    NewDocument,
};
use crm_core::ports::DocumentRepository;
use crm_core::{AddressId, AddressScope, DocumentId, Language, UserId, Version};
use diesel::connection::DefaultLoadingMode;
use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

#[macro_use]
mod rows;

use self::rows::{Row, assemble, unreadable};
use super::{DieselTx, scope_condition};
use crate::connection::{AnyConnection, with_inner};
use crate::error::QueryResultExt;
use crate::rows::{ts, utc};
use crate::schema::{addresses, document_deletions, document_links, document_versions, documents};

diesel::alias!(document_links as hanging: Hanging);

impl DieselTx<'_> {
    /// The documents with `ids`, whole, each once, in no particular order: one statement
    /// run on the backend's own connection, whose statement cache knows it by type. Each
    /// document comes with its versions and all its links, a row for each of their pairs (a
    /// document of three versions and two links comes in six rows; most have one of each).
    /// On PostgreSQL the ids (one array) also key the versions, so that the planner reads
    /// both tables by key and merges them, and the rows are taken one by one as they
    /// arrive (libpq's single-row mode): the documents are made while the server still
    /// reads and sends the rest, instead of after the whole answer has arrived.
    fn documents_whole(&mut self, ids: &[i64]) -> crm_core::Result<Vec<Document>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let joined = whole_documents!().filter(documents::id.eq_any(ids));
        match &mut *self.conn {
            AnyConnection::Postgresql(c) => joined
                .filter(document_versions::document_id.eq_any(ids))
                .load_iter::<Row, PgRowByRowLoadingMode>(c)
                .dom()
                .and_then(|rows| assemble(rows, ids.len())),
            AnyConnection::Sqlite(c) => joined
                .load_iter::<Row, DefaultLoadingMode>(c)
                .dom()
                .and_then(|rows| assemble(rows, ids.len())),
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
    /// particular order — none when the address is outside `scope`. A document that hangs
    /// at the address twice is taken once.
    ///
    /// On PostgreSQL the documents joined with their versions and links, as
    /// [`Self::documents_whole`] reads them but with the documents alone keyed by the ids
    /// of the address's documents that the server reads itself (an index-only read of its
    /// links, `ARRAY(SELECT …)`), in one round trip. The address is bound as a one-row
    /// sub-select, `(SELECT $1 LIMIT 1)`, a value the planner does not look into: the plan is
    /// the same for every address, so the prepared statement keeps one plan instead of
    /// planning the join again on every call (which it does when a few addresses hold most
    /// documents), and that plan looks each document up by key instead of hashing whole
    /// tables. The versions follow their documents by the join alone: keyed by the array
    /// too, a small archive (800 documents) had them read whole, each row searched for in
    /// the array one element after the other. SQLite, whose statements cost no round trip,
    /// runs one join driven by the address's links.
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
        match &mut *self.conn {
            AnyConnection::Postgresql(c) => {
                let hanging_at = diesel::dsl::array(
                    hanging
                        .filter(
                            hanging
                                .field(document_links::address_id)
                                .eq(diesel::dsl::select(a.into_sql::<BigInt>()).single_value()),
                        )
                        .select(hanging.field(document_links::document_id)),
                );
                whole_documents!()
                    .filter(documents::id.eq_any(hanging_at))
                    .load_iter::<Row, PgRowByRowLoadingMode>(c)
                    .dom()
                    .and_then(|rows| assemble(rows, 0))
            }
            AnyConnection::Sqlite(c) => hanging
                .inner_join(
                    documents::table
                        .on(documents::id.eq(hanging.field(document_links::document_id))),
                )
                .inner_join(document_versions::table.on(
                    document_versions::document_id.eq(hanging.field(document_links::document_id)),
                ))
                .left_join(
                    document_links::table
                        .on(document_links::document_id
                            .eq(hanging.field(document_links::document_id))),
                )
                .filter(hanging.field(document_links::address_id).eq(a))
                .select(row_columns!())
                .load_iter::<Row, DefaultLoadingMode>(c)
                .dom()
                .and_then(|rows| assemble(rows, 0)),
        }
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
