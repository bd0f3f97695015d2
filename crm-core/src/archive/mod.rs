//! The archive (DMAS): documents checked in with immutable versions, linked to the records
//! they belong to, kept for their retention period and checked for integrity.
//!
//! A document's bytes are stored once per content (SHA-256, [`BlobHash`]) by a
//! [`BlobStore`](crate::ports::BlobStore); its metadata — title, [`Category`], language,
//! tags, [`ArchiveLink`]s and versions — lives in the database. Every version stays readable
//! and unchanged until the document is deleted after its [`Retention`] period.

mod input;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::entity::EntityKind;
use crate::error::ValueError;
use crate::ids::{AddressId, DocumentId, UserId, Version};
use crate::values::Language;

pub use input::{ArchiveLink, DocumentInput, VersionInput};

/// What kind of document, deciding its retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A quote sent to a customer.
    Offer,
    /// An order confirmation.
    OrderConfirmation,
    /// A contract.
    Contract,
    /// Business letters and e-mails.
    Correspondence,
    /// A product data sheet.
    DataSheet,
    /// A technical drawing.
    Drawing,
    /// A certificate.
    Certificate,
    /// A picture.
    Image,
    /// Anything else.
    Other,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 9] = [
        Category::Offer,
        Category::OrderConfirmation,
        Category::Contract,
        Category::Correspondence,
        Category::DataSheet,
        Category::Drawing,
        Category::Certificate,
        Category::Image,
        Category::Other,
    ];

    /// The stable name used in settings, storage and on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Offer => "offer",
            Category::OrderConfirmation => "order_confirmation",
            Category::Contract => "contract",
            Category::Correspondence => "correspondence",
            Category::DataSheet => "data_sheet",
            Category::Drawing => "drawing",
            Category::Certificate => "certificate",
            Category::Image => "image",
            Category::Other => "other",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ValueError::new(format!("unknown document category `{s}`")))
    }
}

/// How long each category is kept, in years from a document's latest version. The
/// default keeps offers, order documents, contracts and business correspondence for ten
/// years, as the Swiss GeBüV asks, and the other categories for none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    years: BTreeMap<Category, u16>,
}

impl Default for Retention {
    fn default() -> Self {
        let ten = [
            Category::Offer,
            Category::OrderConfirmation,
            Category::Contract,
            Category::Correspondence,
        ];
        Retention {
            years: Category::ALL
                .into_iter()
                .map(|c| (c, if ten.contains(&c) { 10 } else { 0 }))
                .collect(),
        }
    }
}

impl Retention {
    /// The default with `category` kept for `years` instead.
    #[must_use]
    pub fn with(mut self, category: Category, years: u16) -> Self {
        self.years.insert(category, years);
        self
    }

    /// Years `category` is kept.
    pub fn years(&self, category: Category) -> u16 {
        self.years.get(&category).copied().unwrap_or(0)
    }

    /// The last day a document of `category` whose latest version came at `at` must be
    /// kept.
    pub fn until(&self, category: Category, at: DateTime<Utc>) -> NaiveDate {
        let day = at.date_naive();
        day.checked_add_months(Months::new(u32::from(self.years(category)) * 12))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// The SHA-256 of a blob's bytes, as 64 lowercase hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlobHash(String);

impl BlobHash {
    /// Checks and wraps a hash.
    ///
    /// # Errors
    /// [`ValueError`] unless `hex` is 64 hexadecimal digits.
    pub fn new(hex: &str) -> Result<BlobHash, ValueError> {
        // Each byte looked at without a branch: a hash read back is checked this way by
        // the thousand.
        let hex_digits = hex.bytes().fold(true, |all, b| {
            all & (b.is_ascii_digit() | ((b | 0x20).wrapping_sub(b'a') < 6))
        });
        if hex.len() == 64 && hex_digits {
            Ok(BlobHash(hex.to_ascii_lowercase()))
        } else {
            Err(ValueError::new(format!(
                "`{hex}` is no SHA-256 (64 hexadecimal digits)"
            )))
        }
    }

    /// The hash of `digest`'s 32 bytes.
    pub fn from_digest(digest: &[u8; 32]) -> BlobHash {
        BlobHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The hash of `bytes`.
    ///
    /// ```
    /// use crm_core::archive::BlobHash;
    /// assert_eq!(
    ///     BlobHash::of(b"abc").as_str(),
    ///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    /// );
    /// ```
    pub fn of(bytes: &[u8]) -> BlobHash {
        use sha2::Digest;
        BlobHash::from_digest(&sha2::Sha256::digest(bytes).into())
    }

    /// The hexadecimal digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for BlobHash {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        BlobHash::new(s)
    }
}

impl TryFrom<String> for BlobHash {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        BlobHash::new(&s)
    }
}

impl From<BlobHash> for String {
    fn from(h: BlobHash) -> String {
        h.0
    }
}

/// One version of a document: immutable once checked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVersion {
    /// 1 for the first check-in, counting up.
    pub number: u32,
    /// Its content.
    pub blob: BlobHash,
    /// Bytes.
    pub size: u64,
    /// The file name it came with.
    pub file_name: String,
    /// Its media type (`application/pdf`).
    pub media_type: String,
    /// What changed, from the one who checked it in.
    pub comment: Option<String>,
    /// Who checked it in.
    pub checked_in_by: UserId,
    /// When.
    pub checked_in_at: DateTime<Utc>,
    /// Why its text could not be indexed (an encrypted or broken PDF), if so.
    pub text_warning: Option<String>,
}

/// A check-out: the user who may check in the next version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Who holds it.
    pub by: UserId,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// A link as stored: the record, and the address it belongs to when there is one (an
/// address itself, or the address of a contact, opportunity, calendar entry or sales
/// document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLink {
    /// The record.
    pub link: ArchiveLink,
    /// Its address.
    pub address: Option<AddressId>,
}

/// An archived document with all its versions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Id.
    pub id: DocumentId,
    /// Title.
    pub title: String,
    /// Category.
    pub category: Category,
    /// Language of its text, when known.
    pub language: Option<Language>,
    /// Tags.
    pub tags: Vec<String>,
    /// The records it belongs to.
    pub links: Vec<StoredLink>,
    /// Versions, newest first; never empty.
    pub versions: Vec<DocumentVersion>,
    /// The current check-out.
    pub lock: Option<Lock>,
    /// A legal hold blocks deletion whatever the retention.
    pub legal_hold: bool,
    /// The last day it must be kept.
    pub retain_until: NaiveDate,
    /// Version of the record, for optimistic concurrency.
    pub version: Version,
}

impl Document {
    /// The newest version.
    pub fn latest(&self) -> Option<&DocumentVersion> {
        self.versions.first()
    }
}

/// A document in a record's list, with the links through which it hangs there (an
/// address's list shows the documents of its contacts, opportunities and sales documents
/// too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedDocument {
    /// The document.
    pub document: Document,
    /// Where it hangs.
    pub via: Vec<ArchiveLink>,
}

/// What a new document brings to storage, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    /// Title, category, language, tags.
    pub input: DocumentInput,
    /// Links with their addresses.
    pub links: Vec<StoredLink>,
    /// The first version.
    pub first: DocumentVersion,
    /// The last day it must be kept.
    pub retain_until: NaiveDate,
}

impl NewDocument {
    /// The document as it is stored under `id`: what reading it back answers, links in
    /// their order.
    pub fn stored_as(self, id: DocumentId) -> Document {
        let mut links = self.links;
        links.sort_unstable_by(|a, b| a.link.cmp(&b.link));
        Document {
            id,
            title: self.input.title,
            category: self.input.category,
            language: self.input.language,
            tags: self.input.tags,
            links,
            versions: vec![self.first],
            lock: None,
            legal_hold: false,
            retain_until: self.retain_until,
            version: Version::FIRST,
        }
    }
}

/// What happened to a blob that `verify` checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlobCheck {
    /// Present, and its bytes hash to its name.
    Intact,
    /// Not there.
    Missing,
    /// There, but its bytes changed.
    Altered,
}

/// A version whose bytes are missing or altered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamagedVersion {
    /// The document.
    pub document: DocumentId,
    /// Its title.
    pub title: String,
    /// The version.
    pub version: u32,
    /// Its blob.
    pub blob: BlobHash,
    /// Missing or altered.
    pub state: BlobCheck,
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Versions looked at.
    pub versions: u64,
    /// Distinct blobs re-hashed.
    pub blobs: u64,
    /// Bytes re-hashed.
    pub bytes: u64,
    /// Every damaged version.
    pub damaged: Vec<DamagedVersion>,
}

impl VerifyReport {
    /// Whether every version's bytes are intact.
    pub fn is_clean(&self) -> bool {
        self.damaged.is_empty()
    }
}

/// What `gc` removed: blobs no version refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcReport {
    /// Blobs looked at.
    pub blobs: u64,
    /// The ones removed.
    pub removed: Vec<BlobHash>,
}

/// The record kept of a document deleted after its retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    /// The document that was.
    pub document: DocumentId,
    /// Its title.
    pub title: String,
    /// Its category.
    pub category: Category,
    /// How many versions it had.
    pub versions: u32,
    /// The last day it had to be kept.
    pub retain_until: NaiveDate,
    /// Who deleted it.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// The kinds of record a document may be linked to.
pub const LINKABLE: [EntityKind; 6] = [
    EntityKind::Address,
    EntityKind::Contact,
    EntityKind::Opportunity,
    EntityKind::CalendarEntry,
    EntityKind::SalesDocument,
    EntityKind::Product,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_defaults_follow_the_gebuev() {
        let r = Retention::default();
        let at = DateTime::parse_from_rfc3339("2024-02-29T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            r.until(Category::Contract, at),
            NaiveDate::from_ymd_opt(2034, 2, 28).unwrap(),
            "a leap day is kept to the end of February"
        );
        assert_eq!(r.until(Category::Image, at), at.date_naive());
        assert_eq!(r.clone().with(Category::Image, 2).years(Category::Image), 2);
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
    }

    #[test]
    fn hashes_are_checked() {
        assert!(BlobHash::new(&"a".repeat(64)).is_ok());
        assert!(BlobHash::new("abc").is_err());
        assert!(BlobHash::new(&"g".repeat(64)).is_err());
        assert_eq!(
            BlobHash::new(&"0F".repeat(32)).map(|h| h.as_str().to_owned()),
            Ok("0f".repeat(32))
        );
        // Every byte beside the digits and letters, one at a time.
        for b in (0..=255u8).filter(|b| !b.is_ascii_hexdigit()) {
            let mut hex = "a".repeat(63).into_bytes();
            hex.insert(17, b);
            if let Ok(text) = String::from_utf8(hex) {
                assert!(BlobHash::new(&text).is_err(), "{text:?}");
            }
        }
        assert_eq!(BlobHash::from_digest(&[0xab; 32]).as_str(), "ab".repeat(32));
    }
}
