//! Text in several languages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::values::Language;

/// One text in up to four languages. Blank texts are not kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Texts(BTreeMap<Language, String>);

/// The order in which a missing language is replaced.
const FALLBACK: [Language; 4] = [Language::De, Language::En, Language::Fr, Language::It];

impl Texts {
    /// Sets the text in `language` (trimmed); a blank text removes it.
    pub fn set(&mut self, language: Language, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            self.0.remove(&language);
        } else {
            self.0.insert(language, text.to_owned());
        }
    }

    /// The text in `language`.
    pub fn get(&self, language: Language) -> Option<&str> {
        self.0.get(&language).map(String::as_str)
    }

    /// The text in `language`, else in German, English, French or Italian.
    pub fn get_or_any(&self, language: Language) -> Option<&str> {
        self.get(language)
            .or_else(|| FALLBACK.iter().find_map(|l| self.get(*l)))
    }

    /// Whether there is no text in any language.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The texts with their languages.
    pub fn iter(&self) -> impl Iterator<Item = (Language, &str)> {
        self.0.iter().map(|(l, t)| (*l, t.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_language_falls_back_to_german_then_english() {
        let mut t = Texts::default();
        t.set(Language::En, " Terminal ");
        assert_eq!(t.get_or_any(Language::Fr), Some("Terminal"));
        t.set(Language::De, "Klemme");
        assert_eq!(t.get_or_any(Language::It), Some("Klemme"));
        assert_eq!(t.get_or_any(Language::En), Some("Terminal"));
        t.set(Language::De, "  ");
        assert_eq!(t.get(Language::De), None, "blank removes");
    }
}
