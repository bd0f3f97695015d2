//! A document's rows as the archive's statements read them: a document joined with each
//! of its versions and, left, each of its links; and the documents made of them.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crm_core::archive::{
    ArchiveLink, BlobHash, Category, Document, DocumentVersion, Lock, StoredLink,
};
use crm_core::{AddressId, DocumentId, EntityKind, Language, UserId, Version};
use diesel::QueryResult;

use crate::error::QueryResultExt;
use crate::rows::decode::{Parsed, StoredDate, StoredTime};
use crate::rows::utc;

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
pub(super) type Row = (DocumentRow, VersionRow, Option<LinkRow>);

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

/// The documents joined with their versions and, left, with their links, as [`Row`]s.
macro_rules! whole_documents {
    () => {
        documents::table
            .inner_join(document_versions::table)
            .left_join(document_links::table)
            .select(row_columns!())
    };
}

pub(super) fn unreadable(id: i64, column: &str, e: impl std::fmt::Display) -> crm_core::Error {
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
/// `expected` documents are made room for.
pub(super) fn assemble(
    rows: impl Iterator<Item = QueryResult<Row>>,
    expected: usize,
) -> crm_core::Result<Vec<Document>> {
    let mut at: HashMap<i64, usize> = HashMap::with_capacity(expected);
    let mut out: Vec<Document> = Vec::with_capacity(expected);
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
