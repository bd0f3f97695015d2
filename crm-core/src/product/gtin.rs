//! EAN/GTIN numbers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// A GTIN (EAN-8, UPC-A, EAN-13 or GTIN-14): 8, 12, 13 or 14 digits. Catalogs carry numbers
/// with wrong check digits too, so the check digit is checked apart
/// ([`Gtin::check_digit_ok`]) and an importer reports it rather than losing the product.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gtin(String);

impl Gtin {
    /// Parses 8, 12, 13 or 14 digits (blanks and dashes between them are dropped).
    ///
    /// # Errors
    /// A [`ValueError`] saying what is wrong.
    pub fn new(raw: &str) -> Result<Self, ValueError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ValueError::new(format!(
                "`{}` is no GTIN: only digits are allowed",
                raw.trim()
            )));
        }
        if ![8, 12, 13, 14].contains(&digits.len()) {
            return Err(ValueError::new(format!(
                "`{}` is no GTIN: it has {} digits, not 8, 12, 13 or 14",
                raw.trim(),
                digits.len()
            )));
        }
        Ok(Gtin(digits))
    }

    /// Whether the last digit is the check digit of the others.
    pub fn check_digit_ok(&self) -> bool {
        let values: Vec<u32> = self.0.bytes().map(|b| u32::from(b - b'0')).collect();
        let Some((check, body)) = values.split_last() else {
            return false;
        };
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
            .sum();
        *check == (10 - sum % 10) % 10
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Gtin {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Gtin::new(&s)
    }
}

impl From<Gtin> for String {
    fn from(g: Gtin) -> String {
        g.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_digits_are_checked_and_the_check_digit_apart() {
        let real = Gtin::new("4008190143640").unwrap();
        assert!(real.check_digit_ok());
        assert!(!Gtin::new("4008190143641").unwrap().check_digit_ok());
        assert!(Gtin::new("036000291452").unwrap().check_digit_ok(), "UPC-A");
        assert!(!Gtin::new("036000291453").unwrap().check_digit_ok());
        assert!(Gtin::new("96385074").unwrap().check_digit_ok(), "EAN-8");
        assert_eq!(Gtin::new("4008190-143640").unwrap(), real, "dashes dropped");
        let e = Gtin::new("40081901436x0").unwrap_err();
        assert!(e.0.contains("only digits"), "{e}");
        let e = Gtin::new("1234567").unwrap_err();
        assert!(e.0.contains("7 digits"), "{e}");
    }
}
