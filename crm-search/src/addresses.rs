//! The address index: [`AddressIndex`] over tantivy — names, numbers, contact persons,
//! places and e-mail addresses, with the same folding and typo tolerance as products.

use crm_core::ports::{
    AddressIndex, AddressIndexWriter, AddressTextQuery, IndexScope, IndexedAddress,
};
use crm_core::{AddressId, Result};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, TantivyDocument, Term};

use crate::analysis;
use crate::engine::{Changes, hit_ids};
use crate::text_query::{MAX_START, TextFields, words_query};
use crate::{Engine, SearchError, TERMS, open_index};

const MAX_QUERY_WORDS: usize = 12;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    key: Field,
    name: Field,
    all: Field,
    starts: Field,
    reps: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let terms = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TERMS)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let starts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TERMS)
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST),
        key: b.add_text_field("key", terms.clone()),
        name: b.add_text_field("name", terms.clone()),
        all: b.add_text_field("all", terms),
        starts: b.add_text_field("starts", starts),
        reps: b.add_u64_field("reps", INDEXED),
    };
    (b.build(), fields)
}

fn id_value(id: AddressId) -> u64 {
    u64::try_from(id.0).unwrap_or(0)
}

fn document(f: &Fields, a: &IndexedAddress) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(f.id, id_value(a.id));
    let mut keys = vec![a.number.0.to_string()];
    keys.extend(a.lead_number.map(|n| n.0.to_string()));
    keys.extend(a.emails.iter().map(|e| analysis::key(e)));
    keys.retain(|k| !k.is_empty());
    doc.add_text(f.key, keys.join(" "));
    doc.add_text(f.name, analysis::name_words(&a.name).join(" "));
    let all = format!(
        "{} {} {} {} {}",
        a.name,
        a.contacts.join(" "),
        a.place,
        a.emails.join(" "),
        a.number.0
    );
    let words = analysis::words(&all);
    doc.add_text(f.starts, analysis::starts(&words, MAX_START).join(" "));
    doc.add_text(f.all, words.join(" "));
    for rep in a.field_rep.iter().chain(a.inside_rep.iter()) {
        doc.add_u64(f.reps, u64::try_from(rep.0).unwrap_or(0));
    }
    doc
}

fn boost(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, by))
}

/// The address index over tantivy, on disk or in memory.
pub struct AddressSearch {
    engine: Engine,
    fields: Fields,
}

impl AddressSearch {
    /// An index in memory.
    ///
    /// # Errors
    /// [`crm_core::Error::Storage`] when tantivy cannot set it up.
    pub fn in_memory() -> Result<AddressSearch> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    /// The index in directory `dir`, created when there is none; one that cannot be opened
    /// is an error (the caller removes the directory and rebuilds from the database).
    ///
    /// # Errors
    /// [`crm_core::Error::Storage`] naming the directory and tantivy's reason.
    pub fn open(dir: &std::path::Path) -> Result<AddressSearch> {
        let (schema, fields) = schema();
        Self::with_index(open_index(dir, schema)?, fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<AddressSearch> {
        Ok(AddressSearch {
            engine: Engine::new(&index)?,
            fields,
        })
    }
}

impl AddressIndexWriter for Changes<'_, Fields> {
    fn upsert(&mut self, addresses: &[IndexedAddress]) -> Result<()> {
        let f = self.fields;
        self.replace(
            addresses,
            |a| Term::from_field_u64(f.id, id_value(a.id)),
            |a| Ok(document(&f, a)),
        )
    }

    fn clear(&mut self) -> Result<()> {
        self.clear_all()
    }
}

impl AddressIndex for AddressSearch {
    fn update(
        &self,
        changes: &mut dyn FnMut(&mut dyn AddressIndexWriter) -> Result<()>,
    ) -> Result<()> {
        self.engine.update(self.fields, |c| changes(c))
    }

    fn search(&self, q: &AddressTextQuery<'_>) -> Result<(Vec<AddressId>, usize)> {
        let f = &self.fields;
        let terms = analysis::query_terms(q.text, MAX_QUERY_WORDS);
        if terms.is_empty() || q.limit == 0 {
            return Ok((Vec::new(), 0));
        }
        let searcher = self.engine.reader.searcher();
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let typed_key = analysis::key(q.text);
        if !typed_key.is_empty() {
            let t = Term::from_field_text(f.key, &typed_key);
            any.push((
                Occur::Should,
                boost(
                    Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic)),
                    1000.0,
                ),
            ));
            if typed_key.len() >= 4 {
                any.push((
                    Occur::Should,
                    boost(Box::new(FuzzyTermQuery::new_prefix(t, 0, true)), 50.0),
                ));
            }
        }
        let text = TextFields {
            name: f.name,
            all: f.all,
            starts: f.starts,
            typos_below: None,
        };
        any.push((Occur::Should, words_query(&searcher, &text, &terms)?));
        let mut top: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(any)))];
        if let IndexScope::Responsible {
            user,
            team_addresses,
        } = &q.scope
        {
            let mut visible: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.reps, u64::try_from(user.0).unwrap_or(0)),
                    IndexRecordOption::Basic,
                )),
            )];
            if !team_addresses.is_empty() {
                visible.push((
                    Occur::Should,
                    Box::new(TermSetQuery::new(
                        team_addresses
                            .iter()
                            .map(|a| Term::from_field_u64(f.id, id_value(*a))),
                    )),
                ));
            }
            top.push((Occur::Must, Box::new(BooleanQuery::new(visible))));
        }
        let limit = q.limit.clamp(1, 500);
        let (hits, total) = searcher
            .search(
                &BooleanQuery::new(top),
                &(
                    TopDocs::with_limit(limit)
                        .and_offset(q.offset.min(100_000))
                        .order_by_score(),
                    Count,
                ),
            )
            .map_err(SearchError::from)?;
        let ids = hit_ids(&searcher, "id", &hits)?
            .into_iter()
            .map(|id| AddressId(i64::try_from(id).unwrap_or(0)))
            .collect();
        Ok((ids, total))
    }

    fn count(&self) -> Result<u64> {
        Ok(self.engine.reader.searcher().num_docs())
    }

    fn settle(&self) -> Result<()> {
        self.engine.settle()
    }
}
