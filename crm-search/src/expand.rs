//! Typing errors looked up in the term dictionary first: the terms within reach of a typed
//! word become plain term queries, so that a search never reads the postings of every
//! neighbour of a common word into one bitmap (what a fuzzy query does), and skips through
//! the few that are left.

use std::sync::LazyLock;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use tantivy::Searcher;
use tantivy::Term;
use tantivy::query::{ConstScoreQuery, DisjunctionMaxQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::SearchError;

/// Neighbours kept per word, nearest first: more say nothing a user would read.
const MAX_NEIGHBOURS: usize = 48;

/// The automaton builders for one and two edits (a transposition counts as one).
static BUILDERS: LazyLock<[LevenshteinAutomatonBuilder; 2]> = LazyLock::new(|| {
    [
        LevenshteinAutomatonBuilder::new(1, true),
        LevenshteinAutomatonBuilder::new(2, true),
    ]
});

/// A Levenshtein automaton walking the term dictionary.
struct Within<'d>(&'d DFA);

impl tantivy_fst::Automaton for Within<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// Edits between the automaton's word and `term`.
fn distance(dfa: &DFA, term: &[u8]) -> u8 {
    let state = term
        .iter()
        .fold(dfa.initial_state(), |s, b| dfa.transition(s, *b));
    match dfa.distance(state) {
        Distance::Exact(d) | Distance::AtLeast(d) => d,
    }
}

/// The terms of `field` at most `typos` edits from `word`, other than `word` itself,
/// nearest first, from every segment of `searcher`.
///
/// # Errors
/// Reading a term dictionary failed.
pub(crate) fn neighbours(
    searcher: &Searcher,
    field: Field,
    word: &str,
    typos: u8,
) -> Result<Vec<(u8, String)>, SearchError> {
    let Some(builder) = BUILDERS.get(usize::from(typos.clamp(1, 2)) - 1) else {
        return Ok(Vec::new());
    };
    let dfa = builder.build_dfa(word);
    let mut found: Vec<(u8, String)> = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .search(Within(&dfa))
            .into_stream()
            .map_err(|e| SearchError::from(format!("term dictionary: {e}")))?;
        while stream.advance() {
            let key = stream.key();
            if key != word.as_bytes()
                && let Ok(text) = std::str::from_utf8(key)
            {
                found.push((distance(&dfa, key), text.to_owned()));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found.truncate(MAX_NEIGHBOURS);
    Ok(found)
}

/// One query matching any of `terms` of `field`, each scoring `score` (not their rarity:
/// a misspelling that happens to be rare must not outrank the word itself).
pub(crate) fn any_of(field: Field, terms: &[(u8, String)], score: f32) -> Option<Box<dyn Query>> {
    if terms.is_empty() {
        return None;
    }
    let each: Vec<Box<dyn Query>> = terms
        .iter()
        .map(|(_, t)| {
            let q = TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::Basic);
            Box::new(ConstScoreQuery::new(Box::new(q), score)) as Box<dyn Query>
        })
        .collect();
    Some(Box::new(DisjunctionMaxQuery::new(each)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    #[test]
    fn neighbours_are_within_reach_and_nearest_first() {
        let mut b = Schema::builder();
        let word = b.add_text_field("w", STRING);
        let index = Index::create_in_ram(b.build());
        let mut writer: IndexWriter<TantivyDocument> = index.writer(15_000_000).unwrap();
        for w in ["zurich", "zuerich", "zurch", "zurick", "berlin", "zuri"] {
            let mut doc = TantivyDocument::new();
            doc.add_text(word, w);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let one = neighbours(&searcher, word, "zurich", 1).unwrap();
        let words: Vec<&str> = one.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            words,
            ["zuerich", "zurch", "zurick"],
            "the word itself is left out"
        );
        let two = neighbours(&searcher, word, "zurich", 2).unwrap();
        assert_eq!(two.last().map(|(d, w)| (*d, w.as_str())), Some((2, "zuri")));
        assert!(!two.iter().any(|(_, w)| w == "berlin"));
    }
}
