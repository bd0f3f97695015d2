use std::fmt;

use serde::{Deserialize, Serialize};

use super::CountryCode;
use crate::error::ValueError;

/// A telephone number in international E.164 form (`+41441234567`).
///
/// National numbers (`044 123 45 67`) are completed with the calling code of the address's
/// country, so that the same number written two ways compares equal — which is what the
/// duplicate check needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Calling codes of the countries whose national numbers are completed automatically.
const CALLING_CODES: &[(&str, &str)] = &[
    ("CH", "41"),
    ("LI", "423"),
    ("DE", "49"),
    ("AT", "43"),
    ("FR", "33"),
    ("IT", "39"),
    ("BE", "32"),
    ("NL", "31"),
    ("LU", "352"),
    ("GB", "44"),
    ("ES", "34"),
    ("PT", "351"),
    ("PL", "48"),
    ("CZ", "420"),
    ("SK", "421"),
    ("SI", "386"),
    ("HR", "385"),
    ("HU", "36"),
    ("SE", "46"),
    ("DK", "45"),
    ("NO", "47"),
    ("FI", "358"),
    ("IE", "353"),
    ("GR", "30"),
];

impl Phone {
    /// Parses `+41 44 123 45 67`, `0041 44 123 45 67` or, with `country` CH, `044 123 45 67`.
    ///
    /// Spaces, dots, slashes, hyphens and a bracketed trunk zero (`+41 (0)44 …`) are accepted.
    ///
    /// ```
    /// # use crm_core::{CountryCode, Phone};
    /// let a = Phone::parse("044 123 45 67", CountryCode::CH)?;
    /// let b = Phone::parse("+41 (0)44 123 45 67", CountryCode::DE)?;
    /// assert_eq!(a, b);
    /// assert_eq!(a.as_str(), "+41441234567");
    /// # Ok::<(), crm_core::ValueError>(())
    /// ```
    ///
    /// # Errors
    /// A [`ValueError`] for letters, too few or too many digits, or a national number of a
    /// country whose calling code is not known here.
    pub fn parse(raw: &str, country: CountryCode) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        let cleaned = trimmed.replace("(0)", "");
        let mut digits = String::with_capacity(cleaned.len());
        let mut plus = false;
        for (i, c) in cleaned.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => plus = true,
                ' ' | '.' | '/' | '-' | '(' | ')' | '\u{a0}' => {}
                _ => {
                    return Err(ValueError::new(format!(
                        "`{trimmed}` contains `{c}`, which is not part of a telephone number"
                    )));
                }
            }
        }
        let international = if plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_owned()
        } else if let Some(rest) = digits.strip_prefix('0') {
            let code = CALLING_CODES
                .iter()
                .find(|(c, _)| *c == country.as_str())
                .map(|(_, code)| *code)
                .ok_or_else(|| {
                    ValueError::new(format!(
                        "`{trimmed}` is a national number; write it with the country code (+…)"
                    ))
                })?;
            format!("{code}{rest}")
        } else {
            return Err(ValueError::new(format!(
                "`{trimmed}` starts with neither + nor 0"
            )));
        };
        if international.starts_with('0') {
            return Err(ValueError::new(format!(
                "`{trimmed}` has no valid country code"
            )));
        }
        if !(8..=15).contains(&international.len()) {
            return Err(ValueError::new(format!(
                "`{trimmed}` has {} digits with its country code, a number has 8 to 15",
                international.len()
            )));
        }
        Ok(Phone(format!("+{international}")))
    }

    /// The E.164 form, e.g. `+41441234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A readable form: Swiss and Liechtenstein numbers grouped as people write them
    /// (`+41 44 123 45 67`), others as stored.
    pub fn display(&self) -> String {
        let digits = &self.0[1..];
        if let Some(rest) = digits.strip_prefix("41")
            && rest.len() == 9
        {
            return format!(
                "+41 {} {} {} {}",
                &rest[0..2],
                &rest[2..5],
                &rest[5..7],
                &rest[7..9]
            );
        }
        if let Some(rest) = digits.strip_prefix("423")
            && rest.len() == 7
        {
            return format!("+423 {} {} {}", &rest[0..3], &rest[3..5], &rest[5..7]);
        }
        self.0.clone()
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl TryFrom<String> for Phone {
    type Error = ValueError;
    /// Deserialises a stored E.164 number (it carries its country code).
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s, CountryCode::CH)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> Self {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_forms_of_one_number_meet() {
        let forms = [
            "+41 44 123 45 67",
            "0041 44 123 45 67",
            "044 123 45 67",
            "044/123.45.67",
            "+41 (0)44 123 45 67",
        ];
        for form in forms {
            assert_eq!(
                Phone::parse(form, CountryCode::CH).unwrap().as_str(),
                "+41441234567",
                "{form}"
            );
        }
        assert_eq!(
            Phone::parse("030 1234567", CountryCode::DE)
                .unwrap()
                .as_str(),
            "+49301234567"
        );
        assert_eq!(
            Phone::parse("+41441234567", CountryCode::CH)
                .unwrap()
                .to_string(),
            "+41 44 123 45 67"
        );
    }

    #[test]
    fn bad_numbers_say_why() {
        assert!(
            Phone::parse("044 12x", CountryCode::CH)
                .unwrap_err()
                .0
                .contains("`x`")
        );
        assert!(
            Phone::parse("+41 44", CountryCode::CH)
                .unwrap_err()
                .0
                .contains("8 to 15")
        );
        assert!(
            Phone::parse("044 123 45 67", CountryCode::new("JP").unwrap())
                .unwrap_err()
                .0
                .contains("country code")
        );
        assert!(Phone::parse("123 45 67", CountryCode::CH).is_err());
    }
}
