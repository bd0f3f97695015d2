//! Contact persons at an address.

use serde::{Deserialize, Serialize};

use crate::address::Stamp;
use crate::error::{Result, Validator, ValueError};
use crate::ids::{AddressId, ContactId, Version};
use crate::values::{CountryCode, Email, Language, Phone, optional_text, required_text};

/// Form of address in letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Salutation {
    /// Mr / Herr / Monsieur / Signor.
    Mr,
    /// Ms / Frau / Madame / Signora.
    Ms,
}

impl Salutation {
    /// Parses the usual words in the four languages (`Herr`, `Mme`, `Signora` …).
    ///
    /// # Errors
    /// A [`ValueError`] for anything else.
    pub fn new(raw: &str) -> Result<Self, ValueError> {
        let word = crate::text::fold_strip(raw.trim()).replace('.', "");
        match word.as_str() {
            "mr" | "herr" | "hr" | "m" | "monsieur" | "signor" | "sig" | "sr" => Ok(Salutation::Mr),
            "ms" | "mrs" | "frau" | "fr" | "mme" | "madame" | "signora" | "sigra" => {
                Ok(Salutation::Ms)
            }
            _ => Err(ValueError::new(format!(
                "`{}` is not a salutation (mr, ms, Herr, Frau, Monsieur, Madame …)",
                raw.trim()
            ))),
        }
    }

    /// The stable name used in storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            Salutation::Mr => "mr",
            Salutation::Ms => "ms",
        }
    }
}

/// The validated, editable content of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactData {
    /// Mr or Ms.
    pub salutation: Option<Salutation>,
    /// Academic or honorary title (`Dr.`).
    pub title: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name, required.
    pub last_name: String,
    /// Function (`Einkaufsleiter`).
    pub function: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Direct phone.
    pub phone: Option<Phone>,
    /// Mobile phone.
    pub mobile: Option<Phone>,
    /// E-mail.
    pub email: Option<Email>,
    /// Correspondence language.
    pub language: Language,
}

impl ContactData {
    /// `Dr. Anna Meier`.
    pub fn full_name(&self) -> String {
        [
            self.title.as_deref(),
            self.first_name.as_deref(),
            Some(self.last_name.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Id.
    pub id: ContactId,
    /// The address the person works at.
    pub address_id: AddressId,
    /// Content.
    #[serde(flatten)]
    pub data: ContactData,
    /// The address's main contact; exactly one active contact per address is primary.
    pub primary: bool,
    /// Inactive contacts (left the company) are kept for history.
    pub active: bool,
    /// Creation.
    pub created: Stamp,
    /// Last change.
    pub updated: Stamp,
    /// Version.
    pub version: Version,
}

/// A new contact to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    /// Address.
    pub address_id: AddressId,
    /// Content.
    pub data: ContactData,
    /// Primary flag.
    pub primary: bool,
    /// Creation stamp.
    pub created: Stamp,
}

/// Raw contact input as a form delivers it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactInput {
    /// `mr`, `ms`, `Herr`, `Madame` …
    pub salutation: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name, required.
    pub last_name: String,
    /// Function.
    pub function: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Direct phone.
    pub phone: Option<String>,
    /// Mobile.
    pub mobile: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Language tag; the address's language when empty.
    pub language: Option<String>,
}

impl ContactInput {
    /// Validates the input; national phone numbers take `country`'s calling code and an
    /// empty language becomes `default_language`.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming every rejected field.
    pub fn validate(
        &self,
        country: CountryCode,
        default_language: Language,
    ) -> Result<ContactData> {
        let mut v = Validator::new();
        let salutation = v.check_opt("salutation", non_empty(&self.salutation), Salutation::new);
        let title = v.check("title", optional_text(self.title.as_deref(), 40));
        let first_name = v.check("first_name", optional_text(self.first_name.as_deref(), 80));
        let last_name = v.check("last_name", required_text(&self.last_name, 80));
        let function = v.check("function", optional_text(self.function.as_deref(), 80));
        let department = v.check("department", optional_text(self.department.as_deref(), 80));
        let phone = v.check_opt("phone", non_empty(&self.phone), |raw| {
            Phone::parse(raw, country)
        });
        let mobile = v.check_opt("mobile", non_empty(&self.mobile), |raw| {
            Phone::parse(raw, country)
        });
        let email = v.check_opt("email", non_empty(&self.email), Email::parse);
        let language = match non_empty(&self.language) {
            Some(raw) => v.check("language", Language::new(raw)),
            None => Some(default_language),
        };
        v.finish(|| {
            Some(ContactData {
                salutation,
                title: title?,
                first_name: first_name?,
                last_name: last_name?,
                function: function?,
                department: department?,
                phone,
                mobile,
                email,
                language: language?,
            })
        })
    }
}

impl From<&ContactData> for ContactInput {
    fn from(d: &ContactData) -> Self {
        ContactInput {
            salutation: d.salutation.map(|s| s.as_str().to_owned()),
            title: d.title.clone(),
            first_name: d.first_name.clone(),
            last_name: d.last_name.clone(),
            function: d.function.clone(),
            department: d.department.clone(),
            phone: d.phone.as_ref().map(|p| p.as_str().to_owned()),
            mobile: d.mobile.as_ref().map(|p| p.as_str().to_owned()),
            email: d.email.as_ref().map(|e| e.as_str().to_owned()),
            language: Some(d.language.to_string()),
        }
    }
}

fn non_empty(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn salutations_in_four_languages() {
        for word in ["Herr", "Monsieur", "M.", "Signor", "mr"] {
            assert_eq!(Salutation::new(word).unwrap(), Salutation::Mr, "{word}");
        }
        for word in ["Frau", "Madame", "Mme", "Signora", "Ms"] {
            assert_eq!(Salutation::new(word).unwrap(), Salutation::Ms, "{word}");
        }
        assert!(Salutation::new("Dr.").is_err());
    }

    #[test]
    fn contact_input_validates_with_the_address_defaults() {
        let input = ContactInput {
            salutation: Some("Frau".into()),
            first_name: Some("Anna".into()),
            last_name: "Meier".into(),
            mobile: Some("079 555 12 34".into()),
            ..Default::default()
        };
        let data = input.validate(CountryCode::CH, Language::Fr).unwrap();
        assert_eq!(data.mobile.as_ref().unwrap().as_str(), "+41795551234");
        assert_eq!(data.language, Language::Fr);
        assert_eq!(data.full_name(), "Anna Meier");

        let bad = ContactInput {
            last_name: String::new(),
            email: Some("anna@".into()),
            ..Default::default()
        };
        let Err(Error::Invalid(e)) = bad.validate(CountryCode::CH, Language::De) else {
            panic!("must fail")
        };
        assert!(e.has("last_name") && e.has("email"));
    }
}
