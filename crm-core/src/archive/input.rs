//! What a caller hands to the archive, and its validation at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Category, LINKABLE};
use crate::entity::{EntityKind, EntityRef};
use crate::erp::{DocumentNumber, ProductNumber};
use crate::error::{Result, Validator};
use crate::values::Language;

const MAX_TITLE: usize = 200;
const MAX_FILE_NAME: usize = 255;
const MAX_TAGS: usize = 20;
const MAX_TAG: usize = 50;
const MAX_COMMENT: usize = 2_000;
const MAX_KEY: usize = 64;

/// A link from a document to a record: CRM records by id, the ERP's sales documents and
/// products by their numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ArchiveLink {
    /// What kind of record.
    pub kind: EntityKind,
    /// Its id (CRM records) or number (sales documents, products).
    pub key: String,
}

impl ArchiveLink {
    /// A link to a CRM record.
    pub fn record(record: impl Into<EntityRef>) -> ArchiveLink {
        let r = record.into();
        ArchiveLink {
            kind: r.kind,
            key: r.id.to_string(),
        }
    }

    /// A link to a sales document of the ERP (or a draft quote) by its number.
    pub fn sales_document(number: &DocumentNumber) -> ArchiveLink {
        ArchiveLink {
            kind: EntityKind::SalesDocument,
            key: number.to_string(),
        }
    }

    /// A link to a product by its number.
    pub fn product(number: &ProductNumber) -> ArchiveLink {
        ArchiveLink {
            kind: EntityKind::Product,
            key: number.as_str().to_owned(),
        }
    }

    /// The id of a CRM record; `None` for sales documents and products.
    pub fn id(&self) -> Option<i64> {
        match self.kind {
            EntityKind::SalesDocument | EntityKind::Product => None,
            _ => self.key.parse().ok(),
        }
    }

    fn check(&self) -> std::result::Result<(), String> {
        if !LINKABLE.contains(&self.kind) {
            return Err(format!("documents cannot be linked to a {}", self.kind));
        }
        match self.kind {
            EntityKind::SalesDocument | EntityKind::Product => {
                if self.key.trim().is_empty() || self.key.chars().count() > MAX_KEY {
                    return Err(format!("a {} number of 1–{MAX_KEY} characters", self.kind));
                }
            }
            _ => {
                if self.id().is_none_or(|id| id <= 0) {
                    return Err(format!("`{}` is no {} id", self.key, self.kind));
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for ArchiveLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.key)
    }
}

/// A document to check in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInput {
    /// Title, 1–200 characters.
    pub title: String,
    /// Category, deciding retention.
    pub category: Category,
    /// Language of its text.
    pub language: Option<Language>,
    /// Tags, at most 20 of at most 50 characters.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The records it belongs to: at least one.
    pub links: Vec<ArchiveLink>,
    /// The file name it comes with.
    pub file_name: String,
    /// Its media type, such as `application/pdf`.
    pub media_type: String,
}

/// A new version of a checked-out document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInput {
    /// The file name it comes with.
    pub file_name: String,
    /// Its media type.
    pub media_type: String,
    /// What changed.
    pub comment: Option<String>,
}

fn check_file(v: &mut Validator, file_name: &str, media_type: &str) {
    let name = file_name.trim();
    if name.is_empty() || name.chars().count() > MAX_FILE_NAME || name.contains(['/', '\\', '\0']) {
        v.reject(
            "file_name",
            format!("a file name of 1–{MAX_FILE_NAME} characters without a path"),
        );
    }
    let valid_media = media_type.split_once('/').is_some_and(|(t, s)| {
        let token = |x: &str| {
            !x.is_empty()
                && x.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
        };
        token(t) && token(s)
    });
    if !valid_media {
        v.reject(
            "media_type",
            format!("`{media_type}` is no media type such as application/pdf"),
        );
    }
}

impl DocumentInput {
    /// The input trimmed, tags and links without repeats — or every field error at once.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming each bad field (`links[2]`, `tags[0]`).
    pub fn validate(&self) -> Result<DocumentInput> {
        let mut v = Validator::new();
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            v.reject("title", format!("a title of 1–{MAX_TITLE} characters"));
        }
        check_file(&mut v, &self.file_name, &self.media_type);
        if self.tags.len() > MAX_TAGS {
            v.reject("tags", format!("at most {MAX_TAGS} tags"));
        }
        let mut tags: Vec<String> = Vec::new();
        for (i, t) in self.tags.iter().enumerate() {
            let t = t.trim();
            if t.is_empty() || t.chars().count() > MAX_TAG {
                v.reject(
                    &format!("tags[{i}]"),
                    format!("a tag of 1–{MAX_TAG} characters"),
                );
            } else if !tags.iter().any(|x| x == t) {
                tags.push(t.to_owned());
            }
        }
        if self.links.is_empty() {
            v.reject("links", "a document belongs to at least one record");
        }
        let mut links: Vec<ArchiveLink> = Vec::new();
        for (i, l) in self.links.iter().enumerate() {
            let l = ArchiveLink {
                kind: l.kind,
                key: l.key.trim().to_owned(),
            };
            match l.check() {
                Err(reason) => v.reject(&format!("links[{i}]"), reason),
                Ok(()) if !links.contains(&l) => links.push(l),
                Ok(()) => {}
            }
        }
        v.finish(|| {
            Some(DocumentInput {
                title: title.to_owned(),
                category: self.category,
                language: self.language,
                tags,
                links,
                file_name: self.file_name.trim().to_owned(),
                media_type: self.media_type.trim().to_ascii_lowercase(),
            })
        })
    }
}

impl VersionInput {
    /// The input trimmed, or every field error at once.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming each bad field.
    pub fn validate(&self) -> Result<VersionInput> {
        let mut v = Validator::new();
        check_file(&mut v, &self.file_name, &self.media_type);
        let comment = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT) {
            v.reject("comment", format!("at most {MAX_COMMENT} characters"));
        }
        v.finish(|| {
            Some(VersionInput {
                file_name: self.file_name.trim().to_owned(),
                media_type: self.media_type.trim().to_ascii_lowercase(),
                comment: comment.map(str::to_owned),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AddressId;

    fn input() -> DocumentInput {
        DocumentInput {
            title: " Offerte 2026 ".into(),
            category: Category::Offer,
            language: Some(Language::De),
            tags: vec!["a".into(), "a".into()],
            links: vec![ArchiveLink::record(AddressId(4))],
            file_name: "offerte.pdf".into(),
            media_type: "application/pdf".into(),
        }
    }

    #[test]
    fn valid_input_is_trimmed_and_deduplicated() {
        let ok = input().validate().unwrap();
        assert_eq!(ok.title, "Offerte 2026");
        assert_eq!(ok.tags, ["a"]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = input();
        bad.title = " ".into();
        bad.file_name = "../etc/passwd".into();
        bad.media_type = "pdf".into();
        bad.links.push(ArchiveLink {
            kind: EntityKind::Trace,
            key: "1".into(),
        });
        bad.links.push(ArchiveLink {
            kind: EntityKind::Contact,
            key: "x".into(),
        });
        let Err(crate::Error::Invalid(e)) = bad.validate() else {
            panic!("accepted")
        };
        for field in ["title", "file_name", "media_type", "links[1]", "links[2]"] {
            assert!(e.has(field), "{field}: {e}");
        }
        let mut none = input();
        none.links.clear();
        assert!(matches!(none.validate(), Err(crate::Error::Invalid(e)) if e.has("links")));
    }
}
