//! How text becomes index terms, and a query the same terms: one function per kind of term,
//! used on both sides, so that what is indexed and what is looked up cannot drift apart.
//!
//! - **Words**: every word in both folded forms ([`crm_core::text::index_words`]): `Müller`
//!   is indexed as `mueller` and `muller`, so `Müller`, `Mueller` and `Muller` meet; accents
//!   are dropped (`prêt` → `pret`).
//! - **Measures**: numbers with their units and dimensions written the way people type them
//!   are compacted first — `5 x 5 mm`, `5x5mm` and `5×5 mm` all become `5x5mm` (and `5x5`),
//!   `2,5 mm²` becomes `2.5mm2`, `M8 x 40` becomes `m8x40` — and indexed whole.
//! - **Parts**: the endings (of at least [`MIN_PART`] letters) of long words, so that a word
//!   typed as the start of such an ending finds the compound: `klemme` finds
//!   `Reihenklemme`, `leiter` finds `Schutzleiterklemme`.
//! - **Keys**: numbers and type designations reduced to lowercase letters and digits
//!   (`DEK 5/5 MC NE WS` → `dek55mcnews`), for exact and as-you-type matching.

use std::borrow::Cow;
use std::sync::LazyLock;

use crm_core::text::{fold_expand, fold_strip, index_words, split_raw_words, split_words};
use regex::Regex;
use rustc_hash::FxHashSet as HashSet;

/// The shortest word ending indexed as a part, and the shortest query word looked up there.
pub const MIN_PART: usize = 4;
/// Words shorter than this are not split into parts.
const MIN_COMPOUND: usize = 7;
/// The longest word considered, in characters (a pasted URL must not bloat anything).
const MAX_WORD: usize = 40;

static TIMES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d)\s*[x×*]\s*(\d)").unwrap_or_else(|_| unreachable!()));
static DECIMAL_COMMA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d),(\d)").unwrap_or_else(|_| unreachable!()));
static UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d)\s+(mm2|mm|cm|dm|km|m2|m|kv|mv|v|vac|vdc|ma|ka|a|kw|mw|w|va|khz|mhz|hz|kg|mg|g|ml|l|nm|bar|ohm|kohm|s|ms|awg)\b",
    )
    .unwrap_or_else(|_| unreachable!())
});
static LETTER_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([a-z]{1,2})\s+(\d)").unwrap_or_else(|_| unreachable!()));

/// Folds and compacts measures: lowercase, accents dropped, `²` → `2`, decimal commas as
/// points, `5 x 5` → `5x5`, `5 mm` → `5mm`.
fn compact(text: &str) -> String {
    compact_folded(fold_strip(text))
}

/// [`compact`] of text already folded with `fold_strip`.
fn compact_folded(mut folded: String) -> String {
    if folded.contains(['²', '³']) {
        folded = folded.replace('²', "2").replace('³', "3");
    }
    // Every rule below needs a digit.
    if !folded.bytes().any(|b| b.is_ascii_digit()) {
        return folded;
    }
    // Each rule runs only where its text can match: most texts hold no decimal comma, no
    // dimension and no spaced unit, and a regex pass costs more than the look. Looking
    // before any rule ran is enough, as the rules only remove spaces and turn commas into
    // points.
    let dimension = folded.contains(['x', '×', '*']);
    let rules: [(&Regex, &str, bool); 5] = [
        (&DECIMAL_COMMA, "${1}.${2}", folded.contains(',')),
        // Twice, for chains such as `5 x 5 x 10` whose middle digit both matches share.
        (&TIMES, "${1}x${2}", dimension),
        (&TIMES, "${1}x${2}", dimension),
        (
            &LETTER_NUMBER,
            "${1}${2}",
            follows(&folded, char::is_whitespace, |c| c.is_ascii_digit()),
        ),
        (
            &UNIT,
            "${1}${2}",
            follows(&folded, |c| c.is_ascii_digit(), char::is_whitespace),
        ),
    ];
    for (rule, replacement, may_match) in rules {
        if may_match
            && let std::borrow::Cow::Owned(changed) = rule.replace_all(&folded, replacement)
        {
            folded = changed;
        }
    }
    folded
}

/// Whether a character that is `first` is directly followed by one that is `then`.
fn follows(text: &str, first: impl Fn(char) -> bool, then: impl Fn(char) -> bool) -> bool {
    text.chars()
        .zip(text.chars().skip(1))
        .any(|(a, b)| first(a) && then(b))
}

/// The measure terms of `text`: each compacted token holding a digit, and its shorter
/// forms (`5x5mm` → `5x5mm`, `5x5`; `2.5mm2` → `2.5mm2`, `2.5`; `m8x40` → `m8x40`, `m8`).
pub fn measures(text: &str) -> Vec<String> {
    measures_of(&compact(text))
}

/// The measure terms of compacted text.
fn measures_of<'c>(compacted: &'c str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<&'c str> = HashSet::default();
    let mut push = |t: &'c str| {
        if !t.is_empty() && t.chars().count() <= MAX_WORD && seen.insert(t) {
            out.push(t.to_owned());
        }
    };
    for raw in compacted.split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '/'))) {
        let token = raw.trim_matches(|c| matches!(c, '.' | '/'));
        if !token.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        push(token);
        // Without a trailing unit: `5x5mm` → `5x5`, `2.5mm2` → `2.5`.
        if let Some(unitless) = strip_unit(token) {
            push(unitless);
        }
        // The first factor of a dimension: `m8x40` → `m8`.
        if let Some((first, _)) = token.split_once('x')
            && first.chars().any(|c| c.is_ascii_digit())
        {
            push(first);
        }
    }
    out
}

/// `token` without a unit after its last digit, if it has one.
fn strip_unit(token: &str) -> Option<&str> {
    let last_digit = token.rfind(|c: char| c.is_ascii_digit())?;
    let (head, tail) = token.split_at(last_digit + 1);
    if !tail.is_empty() && tail.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(head);
    }
    // `mm2`: the unit ends in a digit; cut at the first letter after the number instead.
    let first_unit_letter = token
        .char_indices()
        .skip_while(|(_, c)| c.is_ascii_digit() || *c == '.' || *c == 'x')
        .find(|(_, c)| c.is_ascii_alphabetic())
        .map(|(i, _)| i)?;
    let head = &token[..first_unit_letter];
    (head.chars().any(|c| c.is_ascii_digit()) && head.len() < token.len()).then_some(head)
}

/// The word terms of `text`: every word in both folded forms, and the words of its
/// compacted form (`5 x 5 mm` → `5x5mm`).
pub fn words(text: &str) -> Vec<String> {
    words_and_measures(text).0
}

/// [`words`] and [`measures`] of one text, compacting it once.
pub fn words_and_measures(text: &str) -> (Vec<String>, Vec<String>) {
    let stripped = fold_strip(text);
    let compacted = compact_folded(stripped.clone());
    (
        words_of(&fold_expand(text), &stripped, &compacted),
        measures_of(&compacted),
    )
}

/// The words of a text in its three forms: folded with umlauts expanded, stripped, and
/// compacted.
fn words_of(expanded: &str, stripped: &str, compacted: &str) -> Vec<String> {
    unique_sorted(
        [expanded, stripped, compacted]
            .into_iter()
            .flat_map(split_words)
            .filter(|w| w.chars().count() <= MAX_WORD),
    )
}

/// `words` without repeats, sorted: repeats dropped by hashing before the sort, as long
/// texts repeat most of their words.
fn unique_sorted<'t>(words: impl Iterator<Item = &'t str>) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::with_capacity_and_hasher(64, Default::default());
    seen.extend(words);
    let mut unique: Vec<&str> = seen.into_iter().collect();
    unique.sort_unstable();
    unique.into_iter().map(str::to_owned).collect()
}

/// The starts of `words` — two characters up to `max` — for the word being typed: `mue`
/// finds `mueller` as one term, without walking the dictionary.
pub fn starts<S: AsRef<str>>(words: &[S], max: usize) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for w in words {
        let w = w.as_ref();
        let ends = w.char_indices().map(|(i, c)| i + c.len_utf8());
        out.extend(
            ends.skip(1)
                .take(max.saturating_sub(1))
                .filter_map(|e| w.get(..e)),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The words of a long text (a document's) in both folded forms, without repeats and
/// without compacting measures: words already folded (ASCII lowercase, most of them) are
/// borrowed from the text, and each distinct other word is folded once, for texts of
/// hundreds of thousands of words that repeat most of them.
pub fn text_words(text: &str) -> Vec<Cow<'_, str>> {
    let mut seen: HashSet<Cow<'_, str>> =
        HashSet::with_capacity_and_hasher(text.len() / 16, Default::default());
    // Words met before that need folding (capitals, letters beyond ASCII): a repeat costs
    // one look-up instead of folding it again.
    let mut folded: HashSet<&str> = HashSet::default();
    let mut lower = String::new();
    for word in split_raw_words(text) {
        if word.is_ascii() {
            // Letters and digits only: both folded forms are its lowercase, one word.
            if word.len() > MAX_WORD {
                continue;
            }
            if !word.bytes().any(|b| b.is_ascii_uppercase()) {
                seen.insert(Cow::Borrowed(word));
                continue;
            }
            if !folded.insert(word) {
                continue;
            }
            lower.clear();
            lower.push_str(word);
            lower.make_ascii_lowercase();
            if !seen.contains(lower.as_str()) {
                seen.insert(Cow::Owned(lower.clone()));
            }
            continue;
        }
        if !folded.insert(word) {
            continue;
        }
        for form in [fold_expand(word), fold_strip(word)] {
            for f in split_words(&form) {
                if f.len() <= MAX_WORD * 4 && f.chars().count() <= MAX_WORD && !seen.contains(f) {
                    seen.insert(Cow::Owned(f.to_owned()));
                }
            }
        }
    }
    seen.into_iter().collect()
}

/// The words of a name in both folded forms, without compacting measures (the product's
/// measures are indexed with its other text).
pub fn name_words(name: &str) -> Vec<String> {
    index_words(name)
}

/// The part terms of `text`: the endings of its long words (see the module documentation).
pub fn parts(text: &str) -> Vec<String> {
    let folded = fold_strip(text);
    let endings = split_words(&folded)
        .filter(|word| !word.bytes().any(|b| b.is_ascii_digit()))
        .flat_map(|word| {
            let length = word.chars().count();
            let long = (MIN_COMPOUND..=MAX_WORD).contains(&length);
            // Every ending of at least MIN_PART characters but the whole word.
            word.char_indices()
                .skip(1)
                .take(if long { length - MIN_PART } else { 0 })
                .map(move |(at, _)| &word[at..])
        });
    unique_sorted(endings)
}

/// The key of a number or type designation: lowercase letters and digits only.
pub fn key(text: &str) -> String {
    fold_strip(text)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// One word of a query with the forms to look it up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// Folded forms (one or two) for the word fields.
    pub forms: Vec<String>,
    /// Whether it holds a digit: then it is looked up as a measure too.
    pub measure: bool,
}

/// The words of a query, compacted as the index compacts text (`M 8 x 40` → `m8x40`),
/// without repeats; at most `max_words` are kept.
pub fn query_terms(query: &str, max_words: usize) -> Vec<QueryTerm> {
    let compacted = compact(query);
    let mut terms: Vec<QueryTerm> = Vec::new();
    for raw in compacted.split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '/'))) {
        let token = raw.trim_matches(|c| matches!(c, '.' | '/'));
        if token.is_empty() || token.chars().count() > MAX_WORD {
            continue;
        }
        let measure = token.chars().any(|c| c.is_ascii_digit());
        let mut forms = vec![token.to_owned()];
        if !measure {
            // The long umlaut spelling typed (`mueller`) also looked up contracted.
            let contracted = crm_core::text::contract_umlaut_spellings(token);
            if contracted != token {
                forms.push(contracted);
            }
        }
        if !terms.iter().any(|t| t.forms == forms) {
            terms.push(QueryTerm { forms, measure });
        }
        if terms.len() >= max_words {
            break;
        }
    }
    terms
}

/// How many typing errors a word of `len` characters may hold: none up to 3 letters, one
/// for 4–7, two from 8.
pub fn typos_allowed(len: usize) -> u8 {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_compact_the_ways_people_type_them() {
        for typed in ["5x5", "5 x 5 mm", "5×5mm", "5 X 5 MM"] {
            let m = measures(typed);
            assert!(m.contains(&"5x5".to_owned()), "{typed}: {m:?}");
        }
        assert!(measures("5 x 5 mm").contains(&"5x5mm".to_owned()));
        assert!(measures("Schraube M8x40").contains(&"m8x40".to_owned()));
        assert!(measures("Schraube M8 x 40").contains(&"m8x40".to_owned()));
        let m = measures("Querschnitt 2,5 mm²");
        assert!(
            m.contains(&"2.5mm2".to_owned()) && m.contains(&"2.5".to_owned()),
            "{m:?}"
        );
        assert!(measures("DEK 5/5 MC").contains(&"5/5".to_owned()));
        assert!(measures("24 V DC").contains(&"24v".to_owned()));
    }

    #[test]
    fn query_terms_compact_like_the_index() {
        let t = query_terms("M 8 x 40", 10);
        assert_eq!(t[0].forms, ["m8x40"]);
        assert!(t[0].measure);
        let t = query_terms("Mueller Klemme", 10);
        assert_eq!(t[0].forms, ["mueller", "muller"]);
        assert_eq!(t[1].forms, ["klemme"]);
        assert!(query_terms("!!! \"(( 🙂", 10).is_empty());
        assert_eq!(
            query_terms(&"wort ".repeat(5000), 12).len(),
            1,
            "repeats collapse"
        );
    }

    #[test]
    fn a_long_text_gives_the_words_of_its_folded_forms() {
        // Umlauts, ß, accents, a combining mark (u + ¨), ligatures, digits, punctuation,
        // repeats, and a word too long to index.
        let text = "Sehr geehrter Herr Mu\u{308}ller, Straße 5; prêt-à-porter Œuvre \
                    Müller MÜLLER 2,5mm² Reihenklemme/Reihenklemme e-mail: a@b.ch \
                    Rabatt rabatt Rabatt RABATT Sehr "
            .to_owned()
            + &"x".repeat(60);
        let mut expected: Vec<String> = [fold_expand(&text), fold_strip(&text)]
            .iter()
            .flat_map(|form| split_words(form).map(str::to_owned).collect::<Vec<_>>())
            .filter(|w| w.chars().count() <= MAX_WORD)
            .collect();
        expected.sort_unstable();
        expected.dedup();
        let mut words = text_words(&text);
        words.sort_unstable();
        assert_eq!(words, expected);
        assert!(words.iter().any(|w| w == "mueller") && words.iter().any(|w| w == "muller"));
    }

    #[test]
    fn words_fold_both_ways_and_parts_are_endings() {
        let w = words("Müller prêt");
        for form in ["mueller", "muller", "pret"] {
            assert!(w.contains(&form.to_owned()), "{form}: {w:?}");
        }
        let p = parts("Durchgangs-Reihenklemme");
        assert!(p.contains(&"klemme".to_owned()), "{p:?}");
        assert!(p.contains(&"henklemme".to_owned()));
        assert!(
            !p.contains(&"reihenklemme".to_owned()),
            "the word itself is a word"
        );
        assert_eq!(key("DEK 5/5 MC NE WS"), "dek55mcnews");
        let words = ["mueller".to_owned(), "mu".to_owned()];
        assert_eq!(starts(&words, 4), ["mu", "mue", "muel"]);
        assert_eq!(starts(&["Müller"], 3), ["Mü", "Mül"], "whole characters");
    }
}
