//! The query of typed words over a text index with a name field (ranked first), a field of
//! all words and a field of word starts: the words must all match, each exactly, with its
//! typing errors, or — the word being typed — as the start of a word.

use tantivy::Searcher;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::SearchError;
use crate::analysis::{QueryTerm, typos_allowed};
use crate::expand;

/// The longest word start indexed for as-you-type search; a longer typed start is looked
/// up in the dictionary instead.
pub(crate) const MAX_START: usize = 10;

/// The fields a word is looked up in.
pub(crate) struct TextFields {
    /// The name or title: matches here rank first.
    pub(crate) name: Field,
    /// Every word.
    pub(crate) all: Field,
    /// The starts of words, up to [`MAX_START`] characters.
    pub(crate) starts: Field,
    /// When set, a word's typing errors are looked up only when the word as typed is in
    /// fewer documents than this: in a long text a common word typed correctly is what the
    /// user meant, and the neighbours of a common word are common words too (reading all
    /// their documents is what made such a search slow). Names keep their typing errors
    /// always (`Maier` must find `Meier`).
    pub(crate) typos_below: Option<u64>,
}

fn boosted(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, by))
}

/// Every term must match; see the module documentation.
///
/// # Errors
/// Reading a term dictionary failed.
pub(crate) fn words_query(
    searcher: &Searcher,
    f: &TextFields,
    terms: &[QueryTerm],
) -> Result<Box<dyn Query>, SearchError> {
    let last = terms.len().saturating_sub(1);
    let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for form in &term.forms {
            let len = form.chars().count();
            let typos = if term.measure { 0 } else { typos_allowed(len) };
            let name = Term::from_field_text(f.name, form);
            should.push((
                Occur::Should,
                boosted(
                    Box::new(TermQuery::new(name, IndexRecordOption::WithFreqs)),
                    3.0,
                ),
            ));
            let t = Term::from_field_text(f.all, form);
            should.push((
                Occur::Should,
                boosted(
                    Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs)),
                    2.0,
                ),
            ));
            let common = match f.typos_below {
                Some(below) => searcher.doc_freq(&t).map_err(SearchError::from)? >= below,
                None => false,
            };
            if typos > 0 && !common {
                let near = expand::neighbours(searcher, f.all, form, typos)?;
                if let Some(q) = expand::any_of(f.all, &near, 0.6) {
                    should.push((Occur::Should, q));
                }
            }
            if i == last && len >= 2 {
                // The word being typed: one term of its own when short enough.
                let q: Box<dyn Query> = if len <= MAX_START {
                    Box::new(ConstScoreQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.starts, form),
                            IndexRecordOption::Basic,
                        )),
                        0.8,
                    ))
                } else {
                    boosted(Box::new(FuzzyTermQuery::new_prefix(t, 0, true)), 0.8)
                };
                should.push((Occur::Should, q));
            }
        }
        words.push((Occur::Must, Box::new(BooleanQuery::new(should))));
    }
    Ok(Box::new(BooleanQuery::new(words)))
}
