//! Validated value types: a constructor that rejects a bad value with its reason, so that an
//! invalid value cannot exist past the edge of the domain.

mod country;
mod email;
mod geo;
mod language;
mod money;
mod phone;
mod postal;
mod website;

pub use country::CountryCode;
pub use email::Email;
pub use geo::GeoPoint;
pub use language::Language;
pub use money::{Currency, Money, swiss};
pub use phone::Phone;
pub use postal::{PostalAddress, PostalAddressInput};
pub use website::Website;

use crate::error::ValueError;

/// Trims `raw` and rejects it when empty or longer than `max` characters; the common rule for
/// free-text fields such as names and cities.
pub fn required_text(raw: &str, max: usize) -> Result<String, ValueError> {
    let text = crate::text::normalize_spaces(raw);
    if text.is_empty() {
        return Err(ValueError::new("must not be empty"));
    }
    check_length(text, max)
}

/// Like [`required_text`], but an empty value is absent rather than wrong.
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, ValueError> {
    match raw.map(crate::text::normalize_spaces) {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => check_length(text, max).map(Some),
    }
}

fn check_length(text: String, max: usize) -> Result<String, ValueError> {
    let len = text.chars().count();
    if len > max {
        Err(ValueError::new(format!(
            "is {len} characters long, at most {max} allowed"
        )))
    } else if text.chars().any(char::is_control) {
        Err(ValueError::new("contains control characters"))
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("  Müller   AG ", 10).unwrap(), "Müller AG");
        assert!(required_text("   ", 10).is_err());
        assert!(
            required_text("abcdefghijk", 10)
                .unwrap_err()
                .0
                .contains("11 characters")
        );
        assert_eq!(optional_text(Some(" "), 5).unwrap(), None);
        assert!(optional_text(Some("a\u{7}b"), 5).is_err());
    }
}
