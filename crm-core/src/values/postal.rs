use serde::{Deserialize, Serialize};

use super::{CountryCode, optional_text};
use crate::error::{Result, Validator, ValueError};

/// A postal address as a letter needs it. Leads may lack parts of it; customers need
/// [`PostalAddress::is_complete`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Street and house number, e.g. `Bahnhofstrasse 12`.
    pub street: Option<String>,
    /// An extra line: building, floor, c/o.
    pub addition: Option<String>,
    /// Post-office box, e.g. `Postfach 123`.
    pub po_box: Option<String>,
    /// Postal code in the country's format.
    pub postal_code: Option<String>,
    /// City or locality.
    pub city: Option<String>,
    /// Country.
    pub country: CountryCode,
}

/// The raw parts of a postal address as a form or an import delivers them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostalAddressInput {
    /// Street and house number.
    pub street: Option<String>,
    /// Extra line.
    pub addition: Option<String>,
    /// Post-office box.
    pub po_box: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country code; Switzerland when empty.
    pub country: Option<String>,
}

impl PostalAddress {
    /// Validates the parts: lengths, the country code, and the postal code's format for the
    /// country (four digits in Switzerland, Liechtenstein and Austria, five in Germany, France
    /// and Italy, …). Every bad part is reported under its field name.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) naming `street`, `postal_code`, `city`,
    /// `country` … with their reasons.
    pub fn parse(input: &PostalAddressInput) -> Result<Self> {
        let mut v = Validator::new();
        let address = Self::validate(input, &mut v, "");
        v.finish(|| address)
    }

    /// Validates into an existing collector, with field names prefixed by `prefix`.
    pub(crate) fn validate(
        input: &PostalAddressInput,
        v: &mut Validator,
        prefix: &str,
    ) -> Option<PostalAddress> {
        let f = |name: &str| format!("{prefix}{name}");
        let street = v.check(&f("street"), optional_text(input.street.as_deref(), 120));
        let addition = v.check(
            &f("addition"),
            optional_text(input.addition.as_deref(), 120),
        );
        let po_box = v.check(&f("po_box"), optional_text(input.po_box.as_deref(), 60));
        let city = v.check(&f("city"), optional_text(input.city.as_deref(), 80));
        let country = match input.country.as_deref().map(str::trim) {
            None | Some("") => Some(CountryCode::CH),
            Some(raw) => v.check(&f("country"), CountryCode::new(raw)),
        };
        let postal_code = match (
            country,
            v.check(
                &f("postal_code"),
                optional_text(input.postal_code.as_deref(), 12),
            ),
        ) {
            (Some(country), Some(Some(code))) => v
                .check(&f("postal_code"), postal_code(&code, country))
                .map(Some),
            (_, Some(None)) => Some(None),
            _ => None,
        };
        Some(PostalAddress {
            street: street?,
            addition: addition?,
            po_box: po_box?,
            postal_code: postal_code?,
            city: city?,
            country: country?,
        })
    }

    /// Whether a letter can be sent: street or post-office box, postal code and city.
    pub fn is_complete(&self) -> bool {
        (self.street.is_some() || self.po_box.is_some())
            && self.postal_code.is_some()
            && self.city.is_some()
    }

    /// The fields a letter still needs, by name (empty when complete).
    pub fn missing_for_letter(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.street.is_none() && self.po_box.is_none() {
            missing.push("street");
        }
        if self.postal_code.is_none() {
            missing.push("postal_code");
        }
        if self.city.is_none() {
            missing.push("city");
        }
        missing
    }

    /// The raw parts again, for editing.
    pub fn to_input(&self) -> PostalAddressInput {
        PostalAddressInput {
            street: self.street.clone(),
            addition: self.addition.clone(),
            po_box: self.po_box.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            country: Some(self.country.to_string()),
        }
    }

    /// The lines of the address block of a letter (without the recipient's name).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        lines.extend(self.addition.iter().cloned());
        lines.extend(self.street.iter().cloned());
        lines.extend(self.po_box.iter().cloned());
        let place = match (&self.postal_code, &self.city) {
            (Some(code), Some(city)) => format!("{code} {city}"),
            (Some(code), None) => code.clone(),
            (None, Some(city)) => city.clone(),
            (None, None) => String::new(),
        };
        if !place.is_empty() {
            lines.push(place);
        }
        if self.country != CountryCode::CH {
            lines.push(self.country.to_string());
        }
        lines
    }
}

/// Checks a postal code against the format of `country`.
fn postal_code(code: &str, country: CountryCode) -> Result<String, ValueError> {
    let code = code.trim().to_ascii_uppercase();
    let digits = |n: usize| code.len() == n && code.bytes().all(|b| b.is_ascii_digit());
    let ok = match country.as_str() {
        "CH" => digits(4) && !code.starts_with('0'),
        "LI" => digits(4) && code.starts_with("94"),
        "AT" | "BE" | "DK" | "NO" | "HU" | "LU" | "SI" | "BG" => digits(4),
        "DE" | "FR" | "IT" | "ES" | "FI" | "HR" | "EE" | "GR" | "MC" | "SM" | "VA" => digits(5),
        "NL" => {
            let compact: String = code.chars().filter(|c| *c != ' ').collect();
            compact.len() == 6
                && compact[..4].bytes().all(|b| b.is_ascii_digit())
                && compact[4..].bytes().all(|b| b.is_ascii_uppercase())
        }
        _ => {
            (2..=10).contains(&code.len())
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        }
    };
    if ok {
        Ok(code)
    } else {
        Err(ValueError::new(format!(
            "`{code}` is not a postal code of {country}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn input(code: &str, country: &str) -> PostalAddressInput {
        PostalAddressInput {
            street: Some("Bahnhofstrasse 1".into()),
            postal_code: Some(code.into()),
            city: Some("Zürich".into()),
            country: Some(country.into()),
            ..Default::default()
        }
    }

    #[test]
    fn postal_codes_follow_the_country() {
        assert!(PostalAddress::parse(&input("8001", "CH")).is_ok());
        assert!(PostalAddress::parse(&input("9490", "li")).is_ok());
        assert!(PostalAddress::parse(&input("10115", "DE")).is_ok());
        assert!(PostalAddress::parse(&input("1012 ab", "NL")).is_ok());
        let Err(Error::Invalid(e)) = PostalAddress::parse(&input("800", "CH")) else {
            panic!("a three-digit Swiss code must fail")
        };
        assert_eq!(e.field(), "postal_code");
        assert!(e.to_string().contains("postal code of CH"));
    }

    #[test]
    fn every_bad_part_is_named() {
        let bad = PostalAddressInput {
            country: Some("Schweiz".into()),
            city: Some("x".repeat(81)),
            ..Default::default()
        };
        let Err(Error::Invalid(e)) = PostalAddress::parse(&bad) else {
            panic!("must fail")
        };
        assert!(e.has("country") && e.has("city"));
    }

    #[test]
    fn completeness_names_what_a_letter_needs() {
        let a = PostalAddress::parse(&PostalAddressInput {
            city: Some("Bern".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(a.country, CountryCode::CH);
        assert!(!a.is_complete());
        assert_eq!(a.missing_for_letter(), vec!["street", "postal_code"]);
        let full = PostalAddress::parse(&input("8001", "CH")).unwrap();
        assert!(full.is_complete());
        assert_eq!(full.lines(), vec!["Bahnhofstrasse 1", "8001 Zürich"]);
    }
}
