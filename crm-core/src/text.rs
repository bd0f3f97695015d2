//! Folding of names for search and comparison.
//!
//! A sales rep types `muell` and expects `Bäckerei Müller AG`; he types `Zurich` and expects
//! `Zürich`. German writes an umlaut as `ä` or as `ae`, French and Italian carry accents that
//! people leave out. These functions turn text into lowercase ASCII-like keys in two ways:
//!
//! * [`fold_expand`] writes umlauts the long way (`ä` → `ae`, `ß` → `ss`) and drops accents;
//! * [`fold_strip`] drops umlaut dots and accents alike (`ä` → `a`).
//!
//! A name word is indexed under both forms, and a query word is looked up under both, so that
//! `Müller` is found by `müller`, `mueller`, `muell` and `muller`, without `Bauer` ever meeting
//! `Bär` (which a blunt `ue` → `u` rule on both sides would do).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lowercases `text`, writes umlauts as `ae`/`oe`/`ue`, `ß` as `ss` and drops other accents.
pub fn fold_expand(text: &str) -> String {
    fold(text, true)
}

/// Lowercases `text` and drops umlaut dots and accents (`ä` → `a`), `ß` → `ss`.
pub fn fold_strip(text: &str) -> String {
    fold(text, false)
}

fn fold(text: &str, expand_umlauts: bool) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            'ä' | 'Ä' if expand_umlauts => out.push_str("ae"),
            'ö' | 'Ö' if expand_umlauts => out.push_str("oe"),
            'ü' | 'Ü' if expand_umlauts => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => {
                for d in c.to_lowercase().nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
    out
}

/// Replaces the long umlaut spellings `ae`, `oe`, `ue` by their base vowel, for comparing a
/// query typed as `Zuerich` with a key stored as `zurich`.
pub fn contract_umlaut_spellings(folded: &str) -> String {
    folded
        .replace("ae", "a")
        .replace("oe", "o")
        .replace("ue", "u")
}

/// Splits already folded text into words: runs of letters and digits.
pub fn split_words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Splits text as it was typed — not folded yet — into its words, so that repeated words
/// can be folded once: runs of letters, digits and the combining marks that folding drops.
/// Folding each of these words gives the words [`split_words`] finds in the folded text.
pub fn split_raw_words(text: &str) -> impl Iterator<Item = &str> {
    RawWords { text, at: 0 }
}

/// Whether `c`, not ASCII, belongs to a word as typed. The letters of Latin-1 (`ä`, `é`,
/// `ß`: most of the others in German and French text) are known without the tables.
fn in_raw_word(c: char) -> bool {
    (matches!(c, '\u{c0}'..='\u{ff}') && c != '\u{d7}' && c != '\u{f7}')
        || c.is_alphanumeric()
        || is_combining_mark(c)
}

/// The words of [`split_raw_words`]: ASCII bytes are told apart as bytes, by a table
/// (long texts are mostly made of them), other characters by the Unicode tables.
struct RawWords<'t> {
    text: &'t str,
    at: usize,
}

/// What an ASCII byte is in a word as typed: a letter or a digit, or not; every byte of a
/// character beyond ASCII is `false` here and looked up as a character.
static ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

impl RawWords<'_> {
    /// Whether the character beyond ASCII at byte `at` (a character boundary) belongs to a
    /// word, and its length; `None` at the end.
    fn other_char(&self, at: usize) -> Option<(bool, usize)> {
        let c = self.text.get(at..)?.chars().next()?;
        Some((in_raw_word(c), c.len_utf8()))
    }
}

impl<'t> Iterator for RawWords<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let bytes = self.text.as_bytes();
        let mut start = self.at;
        loop {
            start += bytes
                .get(start..)?
                .iter()
                .position(|&b| ASCII_WORD[usize::from(b)] || !b.is_ascii())?;
            let b = *bytes.get(start)?;
            if b.is_ascii() {
                break;
            }
            let (word, len) = self.other_char(start)?;
            if word {
                break;
            }
            start += len;
        }
        let mut end = start;
        loop {
            let rest = bytes.get(end..).unwrap_or_default();
            end += rest
                .iter()
                .position(|&b| !ASCII_WORD[usize::from(b)])
                .unwrap_or(rest.len());
            match bytes.get(end) {
                Some(b) if !b.is_ascii() => match self.other_char(end) {
                    Some((true, len)) => end += len,
                    _ => break,
                },
                _ => break,
            }
        }
        self.at = end;
        self.text.get(start..end)
    }
}

/// The index keys of a name: every word in both folded forms, without repeats.
///
/// Words are cut to [`MAX_WORD_LEN`] characters so that a pasted URL cannot bloat the index.
pub fn index_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for folded in [fold_expand(text), fold_strip(text)] {
        for word in split_words(&folded) {
            let word = truncate_chars(word, MAX_WORD_LEN);
            if !words.iter().any(|w| w == word) {
                words.push(word.to_owned());
            }
        }
    }
    words
}

/// The longest word kept in the name index, in characters.
pub const MAX_WORD_LEN: usize = 40;

/// One word of a query, in the forms to look up by prefix (one or two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// Distinct folded forms; a record matches when one of its keys starts with one of these.
    pub forms: Vec<String>,
}

/// Splits a query into words, each with its folded forms (see the module documentation).
pub fn query_words(query: &str) -> Vec<QueryWord> {
    let expanded = fold_expand(query);
    let stripped = fold_strip(query);
    // Both foldings split at the same places, because folding only rewrites letters.
    split_words(&expanded)
        .zip(split_words(&stripped))
        .map(|(a, b)| {
            let a = truncate_chars(a, MAX_WORD_LEN).to_owned();
            let b = truncate_chars(b, MAX_WORD_LEN).to_owned();
            let forms = if a == b { vec![a] } else { vec![a, b] };
            QueryWord { forms }
        })
        .collect()
}

/// The forms under which a typed place name is compared with stored [`fold_strip`] keys:
/// the stripped form, and the form with long umlaut spellings contracted (`Zuerich`).
pub fn place_forms(query: &str) -> Vec<String> {
    let stripped = normalize_spaces(&fold_strip(query));
    let contracted = contract_umlaut_spellings(&stripped);
    if contracted == stripped {
        vec![stripped]
    } else {
        vec![stripped, contracted]
    }
}

/// The smallest string greater than every string that starts with `prefix`, for index range
/// scans (`key >= prefix AND key < prefix_upper_bound(prefix)`), compared bytewise.
pub fn prefix_upper_bound(prefix: &str) -> String {
    let mut upper = String::with_capacity(prefix.len() + 4);
    upper.push_str(prefix);
    upper.push(char::MAX);
    upper
}

/// Collapses runs of whitespace to one space and trims the ends.
pub fn normalize_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sort and comparison key of a name: [`fold_expand`]ed, words joined by single spaces.
pub fn name_key(text: &str) -> String {
    split_words(&fold_expand(text))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The comparison key of a street: stripped, without spaces and punctuation, with the usual
/// abbreviations written out the same way (`Bahnhofstr. 12` and `Bahnhofstrasse 12` meet).
pub fn street_key(street: &str) -> String {
    let folded = fold_strip(street);
    let mut key = String::with_capacity(folded.len());
    for word in split_words(&folded) {
        let word = word
            .strip_suffix("strasse")
            .map(|stem| format!("{stem}str"))
            .unwrap_or_else(|| word.to_owned());
        let word = match word.as_str() {
            "strasse" => "str",
            "av" | "ave" => "avenue",
            "ch" => "chemin",
            "bd" => "boulevard",
            other => other,
        }
        .to_owned();
        key.push_str(&word);
    }
    key
}

fn truncate_chars(word: &str, max: usize) -> &str {
    match word.char_indices().nth(max) {
        Some((at, _)) => &word[..at],
        None => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_fold_both_ways_and_accents_drop() {
        assert_eq!(fold_expand("Bäckerei Müller AG"), "baeckerei mueller ag");
        assert_eq!(fold_strip("Bäckerei Müller AG"), "backerei muller ag");
        assert_eq!(fold_expand("Straße"), "strasse");
        assert_eq!(fold_expand("Crémerie du Lac Sàrl"), "cremerie du lac sarl");
        assert_eq!(fold_expand("Ørsted Œuvre"), "orsted oeuvre");
    }

    #[test]
    fn raw_words_are_runs_of_letters_digits_and_combining_marks() {
        // Decomposed `é` (e and a combining accent), a non-breaking space, Greek, an emoji.
        let text = "Gru\u{308}ezi\u{a0}Müller-Straße 12a, Ca\u{301}fe\u{301} ΑΒΓ🙂x/y €5 ";
        let words: Vec<&str> = split_raw_words(text).collect();
        assert_eq!(
            words,
            [
                "Gru\u{308}ezi",
                "Müller",
                "Straße",
                "12a",
                "Ca\u{301}fe\u{301}",
                "ΑΒΓ",
                "x",
                "y",
                "5"
            ]
        );
        assert_eq!(split_raw_words(" \u{301}").collect::<Vec<_>>(), ["\u{301}"]);
        assert_eq!(
            split_raw_words("2×3÷4 Àÿ").collect::<Vec<_>>(),
            ["2", "3", "4", "Àÿ"]
        );
        assert_eq!(split_raw_words("").count(), 0);
        assert_eq!(split_raw_words("!?- ").count(), 0);
    }

    #[test]
    fn a_name_is_indexed_under_both_forms() {
        let words = index_words("Bäckerei Müller AG");
        for w in ["baeckerei", "mueller", "ag", "backerei", "muller"] {
            assert!(words.contains(&w.to_owned()), "{w} missing from {words:?}");
        }
        assert_eq!(index_words("Mueller Mueller").len(), 1);
    }

    #[test]
    fn query_words_carry_both_forms_only_when_they_differ() {
        let words = query_words("Müll  bern");
        assert_eq!(words.len(), 2);
        assert_eq!(words[0].forms, vec!["muell".to_owned(), "mull".to_owned()]);
        assert_eq!(words[1].forms, vec!["bern".to_owned()]);
        assert!(query_words(" -- !! ").is_empty());
    }

    #[test]
    fn muell_finds_mueller_and_bau_finds_bauer_but_bauer_not_baer() {
        let matches = |query: &str, name: &str| {
            let keys = index_words(name);
            query_words(query).iter().all(|q| {
                q.forms
                    .iter()
                    .any(|f| keys.iter().any(|k| k.starts_with(f.as_str())))
            })
        };
        assert!(matches("muell", "Bäckerei Müller AG"));
        assert!(matches("müller", "Muller SA"));
        assert!(matches("mueller", "Müller"));
        assert!(matches("muller", "Müller"));
        assert!(matches("bau", "Bauer Holzbau"));
        assert!(!matches("bauer", "Bär Metallbau"));
    }

    #[test]
    fn places_compare_in_the_stripped_form() {
        assert_eq!(place_forms("Zuerich"), vec!["zuerich", "zurich"]);
        assert_eq!(place_forms("  Zürich "), vec!["zurich"]);
        assert_eq!(fold_strip("Zürich"), "zurich");
    }

    #[test]
    fn street_abbreviations_meet() {
        assert_eq!(
            street_key("Bahnhofstr. 12"),
            street_key("Bahnhofstrasse 12")
        );
        assert_eq!(street_key("Bahnhofstraße 12"), "bahnhofstr12");
        assert_eq!(
            street_key("Av. de la Gare 3"),
            street_key("Avenue de la gare 3")
        );
    }

    #[test]
    fn prefix_bound_is_above_every_extension() {
        let upper = prefix_upper_bound("muell");
        assert!("muell" <= "mueller" && "mueller" < upper.as_str());
        assert!("muell\u{fffd}zz" < upper.as_str());
        assert!("muelm" > upper.as_str());
    }
}
