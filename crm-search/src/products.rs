//! The product index: [`ProductIndex`] over tantivy.

use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;

use crm_core::erp::{GroupCode, ProductNumber};
use crm_core::ports::{IndexQuery, IndexedProduct, ProductIndex, ProductIndexWriter};
use crm_core::product::{Product, ProductHit, ProductHits};
use crm_core::{Language, Result};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::{DocAddress, Index, Searcher, TantivyDocument, Term};

use crate::analysis::{self, MIN_PART, QueryTerm, typos_allowed};
use crate::engine::Changes;
use crate::{Engine, SearchError, TERMS, expand, open_index};

/// Query words looked at; the rest of a pasted text is ignored.
const MAX_QUERY_WORDS: usize = 12;

/// The fields of the product schema.
#[derive(Clone, Copy)]
struct Fields {
    number: Field,
    key: Field,
    names: [Field; 4],
    all: Field,
    measures: Field,
    parts: Field,
    group: Field,
    new_since: Field,
    fingerprint: Field,
    stored: Field,
}

fn lang_index(l: Language) -> usize {
    match l {
        Language::De => 0,
        Language::Fr => 1,
        Language::It => 2,
        Language::En => 3,
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let terms = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TERMS)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let number = b.add_text_field("number", STRING | STORED);
    let key = b.add_text_field("key", terms.clone());
    let names = Language::ALL.map(|l| b.add_text_field(&format!("name_{l}"), terms.clone()));
    let all = b.add_text_field("all", terms.clone());
    let measures = b.add_text_field("measures", terms.clone());
    let parts = b.add_text_field("parts", terms);
    let group = b.add_facet_field("group", FacetOptions::default());
    let new_since = b.add_i64_field("new_since", INDEXED | FAST);
    let fingerprint = b.add_u64_field("fingerprint", STORED);
    let stored = b.add_text_field("stored", STORED);
    let fields = Fields {
        number,
        key,
        names,
        all,
        measures,
        parts,
        group,
        new_since,
        fingerprint,
        stored,
    };
    (b.build(), fields)
}

/// What a hit shows, stored beside the terms.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredHit {
    names: crm_core::product::Texts,
    group: Option<GroupCode>,
}

/// Terms as the text of a term field.
fn tokens(terms: Vec<String>) -> String {
    terms.join(" ")
}

fn days(date: chrono::NaiveDate) -> i64 {
    i64::from(chrono::Datelike::num_days_from_ce(&date))
}

fn document(f: &Fields, item: &IndexedProduct) -> Result<TantivyDocument> {
    let p: &Product = &item.product;
    let mut doc = TantivyDocument::new();
    doc.add_text(f.number, p.number.as_str());
    let mut keys = vec![analysis::key(p.number.as_str())];
    let mut shared = String::new();
    for text in [
        p.ean.as_ref().map(|e| e.as_str()),
        p.manufacturer_type.as_deref(),
        p.manufacturer_number.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        keys.push(analysis::key(text));
        shared.push_str(text);
        shared.push(' ');
    }
    keys.retain(|k| !k.is_empty());
    keys.dedup();
    doc.add_text(f.key, tokens(keys));
    shared.push_str(p.number.as_str());
    shared.push(' ');
    if let Some(m) = &p.manufacturer {
        shared.push_str(m);
        shared.push(' ');
    }
    // Names per language, for ranking the user's language first; every text of every
    // language in one field, for matching (one fuzzy automaton per word, not one per field).
    let mut all_text = shared;
    for language in Language::ALL {
        let name = p.names.get(language).unwrap_or_default();
        doc.add_text(
            f.names[lang_index(language)],
            tokens(analysis::name_words(name)),
        );
        all_text.push_str(name);
        all_text.push(' ');
        if let Some(d) = p.descriptions.get(language) {
            all_text.push_str(d);
            all_text.push(' ');
        }
    }
    for (_, k) in &p.keywords {
        all_text.push_str(k);
        all_text.push(' ');
    }
    for feature in &p.features {
        all_text.push_str(&feature.values.join(" "));
        all_text.push(' ');
    }
    let (words, measures) = analysis::words_and_measures(&all_text);
    doc.add_text(f.all, tokens(words));
    doc.add_text(f.measures, tokens(measures));
    let names_text: Vec<&str> = p.names.iter().map(|(_, n)| n).collect();
    let keywords: Vec<&str> = p.keywords.iter().map(|(_, k)| k.as_str()).collect();
    doc.add_text(
        f.parts,
        tokens(analysis::parts(&format!(
            "{} {}",
            names_text.join(" "),
            keywords.join(" ")
        ))),
    );
    if !item.group_path.is_empty() {
        doc.add_facet(
            f.group,
            Facet::from_path(item.group_path.iter().map(GroupCode::as_str)),
        );
    }
    if let Some(since) = p.new_since {
        doc.add_i64(f.new_since, days(since));
    }
    doc.add_u64(f.fingerprint, item.fingerprint);
    let stored = StoredHit {
        names: p.names.clone(),
        group: p.group.clone(),
    };
    let stored = serde_json::to_string(&stored).map_err(|e| SearchError::from(e.to_string()))?;
    doc.add_text(f.stored, stored);
    Ok(doc)
}

/// A boosted query.
fn boost(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, by))
}

/// The query of one typed word: exact in the name in the user's language and in all text;
/// fuzzy and — when it is the word being typed — as a prefix in all text; as a part of
/// compounds; as a measure.
fn word_query(
    searcher: &Searcher,
    f: &Fields,
    term: &QueryTerm,
    language: Language,
    typing: bool,
) -> Result<Box<dyn Query>> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut push = |q: Box<dyn Query>, weight: f32| should.push((Occur::Should, boost(q, weight)));
    for form in &term.forms {
        let len = form.chars().count();
        let typos = if term.measure { 0 } else { typos_allowed(len) };
        // A name in the user's language ranks first; every other text matches through `all`.
        let t = Term::from_field_text(f.names[lang_index(language)], form);
        push(
            Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
            4.5,
        );
        let t = Term::from_field_text(f.all, form);
        push(
            Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs)),
            2.0,
        );
        if typos > 0 {
            let near = expand::neighbours(searcher, f.all, form, typos)?;
            if let Some(q) = expand::any_of(f.all, &near, 0.6) {
                push(q, 1.0);
            }
        }
        if typing && len >= 2 {
            push(
                Box::new(FuzzyTermQuery::new_prefix(t, typos.min(1), true)),
                0.8,
            );
        }
        if !term.measure && len >= MIN_PART {
            let t = Term::from_field_text(f.parts, form);
            push(Box::new(FuzzyTermQuery::new_prefix(t, 0, true)), 0.7);
        }
        if term.measure {
            let t = Term::from_field_text(f.measures, form);
            push(
                Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs)),
                4.0,
            );
            if typing {
                push(Box::new(FuzzyTermQuery::new_prefix(t, 0, true)), 2.0);
            }
        }
    }
    Ok(Box::new(BooleanQuery::new(should)))
}

/// The product index over tantivy, on disk or in memory.
pub struct ProductSearch {
    index: Index,
    engine: Engine,
    fields: Fields,
}

impl ProductSearch {
    /// An index in memory, for tests and short-lived programs.
    ///
    /// # Errors
    /// [`crm_core::Error::Storage`] when tantivy cannot set it up.
    pub fn in_memory() -> Result<ProductSearch> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    /// The index in directory `dir`, created when there is none. An index that cannot be
    /// opened (corrupt, or of another schema) is an error: the caller removes the directory
    /// and rebuilds from the database.
    ///
    /// # Errors
    /// [`crm_core::Error::Storage`] naming the directory and tantivy's reason.
    pub fn open(dir: &Path) -> Result<ProductSearch> {
        let (schema, fields) = schema();
        let index = open_index(dir, schema)?;
        Self::with_index(index, fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<ProductSearch> {
        let engine = Engine::new(&index)?;
        Ok(ProductSearch {
            index,
            engine,
            fields,
        })
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        score: f32,
        at: DocAddress,
        language: Language,
    ) -> Result<Option<ProductHit>> {
        let doc: TantivyDocument = searcher.doc(at).map_err(SearchError::from)?;
        let Some(number) = doc.get_first(self.fields.number).and_then(|v| v.as_str()) else {
            return Ok(None);
        };
        let stored: Option<StoredHit> = doc
            .get_first(self.fields.stored)
            .and_then(|v| v.as_str())
            .and_then(|s| serde_json::from_str(s).ok());
        let number = ProductNumber::new(number).map_err(|e| SearchError::from(e.to_string()))?;
        let (name, group) = match stored {
            Some(s) => (
                s.names
                    .get_or_any(language)
                    .map_or_else(|| number.to_string(), str::to_owned),
                s.group,
            ),
            None => (number.to_string(), None),
        };
        Ok(Some(ProductHit {
            number,
            name,
            group,
            score,
        }))
    }
}

impl ProductIndexWriter for Changes<'_, Fields> {
    fn upsert(&mut self, products: &[IndexedProduct]) -> Result<()> {
        let f = self.fields;
        self.replace(
            products,
            |item| Term::from_field_text(f.number, item.product.number.as_str()),
            |item| document(&f, item),
        )
    }

    fn delete(&mut self, numbers: &[ProductNumber]) -> Result<()> {
        let f = self.fields;
        self.delete_keys(
            numbers
                .iter()
                .map(|n| Term::from_field_text(f.number, n.as_str())),
        );
        Ok(())
    }

    fn clear(&mut self) -> Result<()> {
        self.clear_all()
    }
}

impl ProductIndex for ProductSearch {
    fn update(
        &self,
        changes: &mut dyn FnMut(&mut dyn ProductIndexWriter) -> Result<()>,
    ) -> Result<()> {
        self.engine.update(self.fields, |c| changes(c))
    }

    fn search(&self, q: &IndexQuery<'_>) -> Result<ProductHits> {
        let f = &self.fields;
        let query = q.query;
        let terms = analysis::query_terms(&query.text, MAX_QUERY_WORDS);
        let searcher = self.engine.reader.searcher();
        let mut top: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !terms.is_empty() {
            let typed_key = analysis::key(&query.text);
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if !typed_key.is_empty() {
                let t = Term::from_field_text(f.key, &typed_key);
                any.push((
                    Occur::Should,
                    boost(
                        Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic)),
                        1000.0,
                    ),
                ));
                if typed_key.len() >= 3 {
                    any.push((
                        Occur::Should,
                        boost(Box::new(FuzzyTermQuery::new_prefix(t, 0, true)), 50.0),
                    ));
                }
            }
            let last = terms.len() - 1;
            let all_words: Vec<(Occur, Box<dyn Query>)> = terms
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    word_query(&searcher, f, t, query.language, i == last).map(|q| (Occur::Must, q))
                })
                .collect::<Result<_>>()?;
            any.push((Occur::Should, Box::new(BooleanQuery::new(all_words))));
            top.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if let Some(path) = &q.group_path {
            let facet = Facet::from_path(path.iter().map(GroupCode::as_str));
            top.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_facet(f.group, &facet),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(since) = query.filter.new_since {
            top.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(f.new_since, days(since))),
                    Bound::Included(Term::from_field_i64(f.new_since, days(query.day))),
                )),
            ));
        }
        if let Some(promoted) = &q.promoted {
            top.push((
                Occur::Must,
                Box::new(TermSetQuery::new(
                    promoted
                        .iter()
                        .map(|n| Term::from_field_text(f.number, n.as_str())),
                )),
            ));
        }
        if top.is_empty() {
            top.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        let query_all = BooleanQuery::new(top);
        let facet_root = match &q.group_path {
            Some(path) => Facet::from_path(path.iter().map(GroupCode::as_str)),
            None => Facet::root(),
        };
        let mut facets = FacetCollector::for_field("group");
        facets.add_facet(facet_root.clone());
        let limit = query.limit.clamp(1, crm_core::product::MAX_HITS);
        let (top_docs, total, facet_counts) = searcher
            .search(
                &query_all,
                &(TopDocs::with_limit(limit).order_by_score(), Count, facets),
            )
            .map_err(SearchError::from)?;
        let mut hits = Vec::with_capacity(top_docs.len());
        for (score, at) in top_docs {
            if let Some(hit) = self.hit(&searcher, score, at, query.language)? {
                hits.push(hit);
            }
        }
        let mut facets: Vec<(GroupCode, u64)> = facet_counts
            .get(facet_root)
            .filter_map(|(facet, count)| {
                let path = facet.to_path();
                path.last()
                    .and_then(|code| GroupCode::new(code).ok())
                    .map(|g| (g, count))
            })
            .collect();
        facets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(ProductHits {
            hits,
            total,
            facets,
        })
    }

    fn count(&self) -> Result<u64> {
        Ok(self.engine.reader.searcher().num_docs())
    }

    fn settle(&self) -> Result<()> {
        self.engine.settle()
    }

    fn fingerprints(&self, numbers: &[ProductNumber]) -> Result<Vec<(ProductNumber, u64)>> {
        let searcher = self.engine.reader.searcher();
        let mut out = Vec::with_capacity(numbers.len());
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for n in numbers {
            if seen.insert(n.as_str(), ()).is_some() {
                continue;
            }
            let q = TermQuery::new(
                Term::from_field_text(self.fields.number, n.as_str()),
                IndexRecordOption::Basic,
            );
            let found = searcher
                .search(&q, &TopDocs::with_limit(1).order_by_score())
                .map_err(SearchError::from)?;
            if let Some((_, at)) = found.first() {
                let doc: TantivyDocument = searcher.doc(*at).map_err(SearchError::from)?;
                if let Some(fp) = doc
                    .get_first(self.fields.fingerprint)
                    .and_then(|v| v.as_u64())
                {
                    out.push((n.clone(), fp));
                }
            }
        }
        Ok(out)
    }
}

impl std::fmt::Debug for ProductSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductSearch")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}
