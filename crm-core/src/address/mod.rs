//! Addresses: the parties sales works with, leads and customers.

mod input;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use input::{AddressInput, AddressPatch, MoneyInput};

use crate::error::ValueError;
use crate::ids::{AddressId, AddressNumber, UserId, Version};
use crate::text;
use crate::values::{Email, GeoPoint, Language, Money, Phone, PostalAddress, Website};

/// Whether an address is a prospect or an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    /// A prospect, numbered from the lead range; may be converted into a customer.
    Lead,
    /// An account, numbered from the customer range.
    Customer,
}

/// Whether an address is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AddressStatus {
    /// In use.
    #[default]
    Active,
    /// Kept for history, hidden from default searches.
    Inactive,
}

/// ABC classification of a customer by importance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Classification {
    /// Key account.
    A,
    /// Regular account.
    B,
    /// Occasional account.
    C,
}

macro_rules! str_enum {
    ($ty:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The stable name used in storage and on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($name => Ok(<$ty>::$variant),)+
                    other => Err(ValueError::new(format!(
                        "`{other}` is not one of: {}",
                        [$($name),+].join(", ")
                    ))),
                }
            }
        }
    };
}

str_enum!(AddressKind { Lead => "lead", Customer => "customer" });
str_enum!(AddressStatus { Active => "active", Inactive => "inactive" });
str_enum!(Classification { A => "A", B => "B", C => "C" });

/// Who did something, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// When, in UTC.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: UserId,
}

/// The editable, validated content of an address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressData {
    /// First name line: the company or person name.
    pub name1: String,
    /// Second name line.
    pub name2: Option<String>,
    /// Third name line.
    pub name3: Option<String>,
    /// Legal form, e.g. `AG`, `GmbH`, `SA`, `Sàrl`.
    pub legal_form: Option<String>,
    /// Postal address with country.
    pub postal: PostalAddress,
    /// Correspondence language.
    pub language: Language,
    /// Main telephone number.
    pub phone: Option<Phone>,
    /// Main e-mail address.
    pub email: Option<Email>,
    /// Web site.
    pub website: Option<Website>,
    /// Industry or trade, free text (`Bäckerei`, `Elektroinstallation`).
    pub industry: Option<String>,
    /// ABC classification.
    pub classification: Option<Classification>,
    /// Estimated yearly sales potential.
    pub annual_potential: Option<Money>,
    /// Responsible field sales rep.
    pub field_rep: Option<UserId>,
    /// Responsible inside sales rep.
    pub inside_rep: Option<UserId>,
    /// Active or inactive.
    pub status: AddressStatus,
    /// Position for the map view.
    pub geo: Option<GeoPoint>,
}

impl AddressData {
    /// The name lines joined, as shown in lists.
    pub fn display_name(&self) -> String {
        join_name(&self.name1, self.name2.as_deref(), self.name3.as_deref())
    }

    /// The keys under which storage indexes this address for search and duplicate checks.
    pub fn search_keys(&self) -> SearchKeys {
        let full_name = self.display_name();
        let (name_words, city_key) = name_index(&full_name, self.postal.city.as_deref());
        SearchKeys {
            name_key: text::name_key(&full_name),
            name_words,
            city_key,
            street_key: self.postal.street.as_deref().map(text::street_key),
            email_domain: self
                .email
                .as_ref()
                .filter(|e| !e.is_free_mail())
                .map(|e| e.domain().to_owned()),
            industry_key: self.industry.as_deref().map(text::name_key),
        }
    }
}

/// The name lines joined by single spaces.
pub fn join_name(name1: &str, name2: Option<&str>, name3: Option<&str>) -> String {
    let mut name = name1.to_owned();
    for extra in [name2, name3].into_iter().flatten() {
        name.push(' ');
        name.push_str(extra);
    }
    name
}

/// The name-index entries of an address: the folded words of its full name, and its folded
/// city. Storage derives both when it writes an address and again when it replaces them, so
/// that old entries can be found without a second index.
pub fn name_index(full_name: &str, city: Option<&str>) -> (Vec<String>, Option<String>) {
    (
        text::index_words(full_name),
        city.map(|c| text::normalize_spaces(&text::fold_strip(c))),
    )
}

/// Derived keys of an address, computed here so that every adapter indexes alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKeys {
    /// Folded full name, for sorting and similarity.
    pub name_key: String,
    /// Every word of the name in both folded forms, for prefix search.
    pub name_words: Vec<String>,
    /// Folded city (stripped form), for the city criterion.
    pub city_key: Option<String>,
    /// Normalised street, for the duplicate check.
    pub street_key: Option<String>,
    /// E-mail domain unless it is a free-mail provider's.
    pub email_domain: Option<String>,
    /// Folded industry, for the industry criterion.
    pub industry_key: Option<String>,
}

/// An address as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Id.
    pub id: AddressId,
    /// Business number.
    pub number: AddressNumber,
    /// Lead or customer.
    pub kind: AddressKind,
    /// The editable content.
    #[serde(flatten)]
    pub data: AddressData,
    /// For a converted customer: the number it had as a lead.
    pub lead_number: Option<AddressNumber>,
    /// For a converted customer: when and by whom it was converted.
    pub converted: Option<Stamp>,
    /// Creation.
    pub created: Stamp,
    /// Last change.
    pub updated: Stamp,
    /// Version for optimistic concurrency.
    pub version: Version,
}

/// A new address to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAddress {
    /// Business number, allocated or imported.
    pub number: AddressNumber,
    /// Lead or customer.
    pub kind: AddressKind,
    /// Content.
    pub data: AddressData,
    /// Creation stamp (also the first update stamp).
    pub created: Stamp,
}

/// A full change of an address, applied only when the stored version is the expected one.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressChange {
    /// Business number (changes on conversion).
    pub number: AddressNumber,
    /// Kind (changes on conversion).
    pub kind: AddressKind,
    /// New content.
    pub data: AddressData,
    /// Former lead number.
    pub lead_number: Option<AddressNumber>,
    /// Conversion stamp.
    pub converted: Option<Stamp>,
    /// This change.
    pub updated: Stamp,
}

impl Address {
    /// The change that keeps everything but `data` and stamps `updated`.
    pub fn change(&self, data: AddressData, updated: Stamp) -> AddressChange {
        AddressChange {
            number: self.number,
            kind: self.kind,
            data,
            lead_number: self.lead_number,
            converted: self.converted,
            updated,
        }
    }
}

/// One row of an address list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddressSummary {
    /// Id.
    pub id: AddressId,
    /// Business number.
    pub number: AddressNumber,
    /// Lead or customer.
    pub kind: AddressKind,
    /// Name lines joined.
    pub name: String,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Country.
    pub country: crate::values::CountryCode,
    /// Active or inactive.
    pub status: AddressStatus,
    /// ABC classification.
    pub classification: Option<Classification>,
    /// Responsible field rep.
    pub field_rep: Option<UserId>,
    /// Responsible inside rep.
    pub inside_rep: Option<UserId>,
    /// Main phone.
    pub phone: Option<Phone>,
    /// Main e-mail.
    pub email: Option<Email>,
}

impl From<&Address> for AddressSummary {
    fn from(a: &Address) -> Self {
        AddressSummary {
            id: a.id,
            number: a.number,
            kind: a.kind,
            name: a.data.display_name(),
            postal_code: a.data.postal.postal_code.clone(),
            city: a.data.postal.city.clone(),
            country: a.data.postal.country,
            status: a.data.status,
            classification: a.data.classification,
            field_rep: a.data.field_rep,
            inside_rep: a.data.inside_rep,
            phone: a.data.phone.clone(),
            email: a.data.email.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_and_reject_unknown_names() {
        assert_eq!("lead".parse::<AddressKind>().unwrap(), AddressKind::Lead);
        assert_eq!("B".parse::<Classification>().unwrap(), Classification::B);
        let err = "D".parse::<Classification>().unwrap_err();
        assert!(err.0.contains("A, B, C"));
    }
}
