use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// The correspondence languages of a Swiss sales organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// German.
    De,
    /// French.
    Fr,
    /// Italian.
    It,
    /// English.
    En,
}

impl Language {
    /// Every language, in a stable order.
    pub const ALL: [Language; 4] = [Language::De, Language::Fr, Language::It, Language::En];

    /// Parses `de`, `FR`, `it-CH` or `en_GB`: the language part of a tag.
    ///
    /// # Errors
    /// A [`ValueError`] for any other language.
    pub fn new(raw: &str) -> Result<Self, ValueError> {
        // A stored or already clean code needs no copy to lowercase.
        if let Some(exact) = Language::of_code(raw) {
            return Ok(exact);
        }
        let tag = raw.trim().to_ascii_lowercase();
        Language::of_code(tag.split(['-', '_']).next().unwrap_or("")).ok_or_else(|| {
            ValueError::new(format!(
                "`{}` is not one of the languages de, fr, it, en",
                raw.trim()
            ))
        })
    }

    /// The language whose ISO 639-1 code is exactly `code`.
    fn of_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.as_str() == code)
    }

    /// The ISO 639-1 code.
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::Fr => "fr",
            Language::It => "it",
            Language::En => "en",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Language {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_reduce_to_their_language() {
        assert_eq!(Language::new("fr-CH").unwrap(), Language::Fr);
        assert_eq!(Language::new(" DE ").unwrap(), Language::De);
        assert!(
            Language::new("rm")
                .unwrap_err()
                .0
                .contains("de, fr, it, en")
        );
    }
}
